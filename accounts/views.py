from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from establishments import audit, extensions
from establishments.routing import safe_next_url, tenant_url

from . import access, home, selectors, services
from .forms import EmailChangeForm, InspectorAccessForm, LoginForm, PasswordChangeForm, UserCreateForm, UserFilterForm
from .models import Profile, User
from .permissions import ALL_PROFILES, profile_required, public, read_only_may_post

LOCKOUT_MESSAGE = (
    "Trop de tentatives de connexion ont échoué pour cet identifiant. Par sécurité, réessayez dans "
    "quelques minutes ou demandez à l'administrateur de l'établissement de réinitialiser votre mot de passe."
)


def _home_url(request) -> str:
    """The first page after logging in: a registered landing page of the profile (the pilot console), or home."""
    landing = extensions.landing_pages.for_user(request.user)
    return landing[0]["url"] if landing else tenant_url(request.establishment, "home")


@public
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    if request.user.is_authenticated and request.user.establishment_id == request.establishment.pk:
        return redirect(_home_url(request))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth_login(request, form.user)  # cycles the session key (no session fixation)
        next_url = safe_next_url(request, request.POST.get("next") or request.GET.get("next"))
        return redirect(next_url or _home_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


PLATFORM_LOCKOUT_MESSAGE = (
    "Trop de tentatives de connexion ont échoué pour cet identifiant de la plateforme. Par sécurité, réessayez "
    "dans quelques minutes."
)


def lockout_response(request, credentials, *args, **kwargs):
    """Shown by django-axes when the establishment + login pair is locked out (HTTP 429).

    An establishment's login page shows the message above its form; the platform console (``/plateforme/``,
    no establishment) shows its own login page with the message.
    """
    if getattr(request, "establishment", None) is None:
        from django.contrib import admin
        from django.contrib.admin.forms import AdminAuthenticationForm

        context = {**admin.site.each_context(request), "title": "Connexion", "app_path": request.get_full_path(),
                   "form": AdminAuthenticationForm(request), "lockout_message": PLATFORM_LOCKOUT_MESSAGE}
        return render(request, "accounts/platform_lockout.html", context, status=429)
    form = LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "lockout_message": LOCKOUT_MESSAGE},
                  status=429)


@public
@require_http_methods(["GET", "POST"])
def logout_view(request):
    """POST logs out. A GET (a typed or bookmarked address) shows the page with the logout button."""
    establishment = request.establishment
    if request.method == "GET":
        if not request.user.is_authenticated:
            return redirect(tenant_url(establishment, "login"))
        return render(request, "accounts/logout.html")
    auth_logout(request)
    messages.success(request, "Vous êtes déconnecté.")
    return redirect(tenant_url(establishment, "login"))


@profile_required(*ALL_PROFILES)
@read_only_may_post
@sensitive_post_parameters()
def password_change_view(request):
    form = PasswordChangeForm(request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(request, request.user, form.cleaned_data["new_password1"])
        messages.success(request, "Votre mot de passe a été modifié.")
        return redirect(_home_url(request))
    return render(request, "accounts/password_change.html", {"form": form})


@profile_required(*ALL_PROFILES)
def home_view(request):
    """Only what is true now: the registered cards (real links) and what the profile has today."""
    return render(request, "accounts/home.html", {
        "cards": extensions.home_cards.for_user(request.user), **home.summary(request.user)})


# Gestion des utilisateurs (administrateur, chef d'établissement, DDFPT) --------------------------------------

USER_MANAGERS = (Profile.ADMIN, Profile.HEAD, Profile.DDFPT)
PAGE_SIZE = 50


def _url(request, name: str, **kwargs) -> str:
    return tenant_url(request.establishment, name, **kwargs)


def _page(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@profile_required(*USER_MANAGERS)
def users_view(request):
    establishment = request.establishment
    filters = UserFilterForm(request.GET or None)
    values = filters.values()
    users = selectors.user_list(establishment, **values)
    counts = selectors.profile_counts(establishment, query=values["query"], status=values["status"])
    manageable = services.manageable_profiles(request.user)
    return render(request, "accounts/users.html", {
        "tabs": extensions.users_tabs.for_user(request.user, "users"),
        "filters": filters,
        "page": _page(request, users),
        "querystring": _query_without_page(request),
        "profile_counts": [(p, counts[p.value]) for p in Profile],
        "total": sum(counts.values()),
        "current_profile": values["profile"],
        "current_status": values["status"],
        "query": values["query"],
        "manageable": {p.value for p in manageable},
        "identity_blocked": services.identity_missing_message(establishment, "créer un utilisateur"),
    })


@profile_required(*USER_MANAGERS)
def user_create_view(request):
    establishment = request.establishment
    blocked = services.identity_missing_message(establishment, "créer un utilisateur")
    form = UserCreateForm(request.POST or None, profiles=services.creatable_profiles(request.user),
                          establishment=establishment)
    status = 200
    if request.method == "POST" and blocked is None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_create_by_hand(
                    establishment=establishment, actor=request.user, civility=data["civility"],
                    last_name=data["last_name"], first_name=data["first_name"], birth_date=data["birth_date"],
                    email=data["email"], profile=data["profile"], division=data["division"], request=request)
            except services.AccountError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Le compte de {user.full_name} ({user.get_profile_display()}) a été "
                                          f"créé avec l'identifiant « {user.login} ». Un e-mail lui a été envoyé à "
                                          f"{user.email} avec l'adresse du site et son mot de passe temporaire.")
                return redirect(_url(request, "user_detail", pk=user.pk))
        status = 400
    return render(request, "accounts/user_create.html", {
        "tabs": extensions.users_tabs.for_user(request.user, "users"), "form": form, "identity_blocked": blocked,
    }, status=status)


def _managed_user(request, pk: int) -> User:
    """A user of this establishment (the scope makes others 404) that the actor may manage."""
    user = get_object_or_404(User.objects.select_related("division"), pk=pk, establishment=request.establishment)
    if not access.can(request.user, "view", user):
        raise Http404  # an account the actor may not see does not exist for them
    if not services.can_manage(request.user, user):
        raise PermissionDenied("Votre profil ne permet pas de gérer ce compte.")
    return user


def _render_user_detail(request, user: User, email_form=None, status: int = 200):
    return render(request, "accounts/user_detail.html", {
        "tabs": extensions.users_tabs.for_user(request.user, "users"),
        "person": user,
        "email_form": email_form or EmailChangeForm(initial={"email": user.email}),
        "is_self": user.pk == request.user.pk,
        "is_learner": user.profile == Profile.LEARNER,
        "may_change_credentials": services.may_change_credentials(request.user, user),
        "audit": audit.with_labels(
            selectors.audit_entries(request.establishment).filter(details__identifiant=user.login)[:10]),
    }, status=status)


@profile_required(*USER_MANAGERS)
def user_detail_view(request, pk: int):
    return _render_user_detail(request, _managed_user(request, pk))


def _back(request, user: User) -> str:
    # Back to the page the action came from when it is in this establishment's space, else the user's page.
    return safe_next_url(request, request.POST.get("next")) or _url(request, "user_detail", pk=user.pk)


def _account_action(request, pk: int, action) -> HttpResponse:
    user = _managed_user(request, pk)
    try:
        message = action(establishment=request.establishment, actor=request.user, user=user)
    except services.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, message)
    return redirect(_back(request, user))


@profile_required(*USER_MANAGERS)
@require_POST
def user_deactivate_view(request, pk: int):
    def deactivate(**kwargs):
        services.user_deactivate(**kwargs)
        return f"Le compte de {kwargs['user'].full_name} est désactivé : il ne peut plus se connecter."

    return _account_action(request, pk, deactivate)


@profile_required(*USER_MANAGERS)
@require_POST
def user_reactivate_view(request, pk: int):
    def reactivate(**kwargs):
        services.user_reactivate(**kwargs)
        return f"Le compte de {kwargs['user'].full_name} est réactivé."

    return _account_action(request, pk, reactivate)


@profile_required(*USER_MANAGERS)
@require_POST
def user_password_reset_view(request, pk: int):
    return _account_action(request, pk, lambda **kwargs: services.user_password_reset(**kwargs, request=request))


@profile_required(*USER_MANAGERS)
@require_POST
def user_email_view(request, pk: int):
    user = _managed_user(request, pk)
    if not services.may_change_credentials(request.user, user):
        raise PermissionDenied("Votre profil ne permet pas de modifier l'adresse e-mail de ce compte.")
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        old = user.email
        notified = services.user_email_change(establishment=request.establishment, actor=request.user, user=user,
                                              email=form.cleaned_data["email"], request=request)
        messages.success(request, f"L'adresse e-mail de {user.full_name} est maintenant {user.email}.")
        if notified:
            messages.info(request, f"Un message l'en informe à son ancienne adresse ({old}).")
        elif notified is False:
            messages.warning(request, f"Le message qui l'en informe n'a pas pu être envoyé à son ancienne adresse "
                                      f"({old}).")
        return redirect(_url(request, "user_detail", pk=user.pk))
    messages.error(request, "L'adresse e-mail n'a pas été modifiée : corrigez-la ci-dessous.")
    return _render_user_detail(request, user, email_form=form, status=400)


# Gestion des accès apprenants ----------------------------------------------------------------------------------

NO_CLASS = "sans"


@profile_required(*USER_MANAGERS)
def learner_access_view(request):
    establishment = request.establishment
    divisions = selectors.divisions_with_learners(establishment, viewer=request.user)
    chosen = request.GET.get("classe", "")
    division = next((d for d in divisions if str(d.pk) == chosen), None)
    show_without_class = chosen == NO_CLASS
    rows = None
    if division is not None or show_without_class:
        rows = selectors.learner_access_rows(establishment, division, viewer=request.user)
    elif chosen:
        messages.error(request, "Cette classe n'existe pas dans l'établissement : choisissez-la dans la liste.")
    return render(request, "accounts/learner_access.html", {
        "tabs": extensions.users_tabs.for_user(request.user, "learner_access"),
        "divisions": divisions,
        "division": division,
        "show_without_class": show_without_class,
        "without_class_count": selectors.learners_without_division_count(establishment, viewer=request.user),
        "rows": rows,
        "login_url": services.login_url(establishment, request),
        "manageable": {p.value for p in services.manageable_profiles(request.user)},
    })


# Journal des actions -------------------------------------------------------------------------------------------


@profile_required(Profile.ADMIN, Profile.HEAD)
def audit_log_view(request):
    query = request.GET.get("q", "").strip()[:100]
    page = _page(request, selectors.audit_entries(request.establishment, query=query))
    page.object_list = audit.with_labels(page.object_list)
    return render(request, "accounts/audit_log.html", {
        "tabs": extensions.settings_tabs.for_user(request.user, "audit"), "page": page, "query": query,
        "querystring": _query_without_page(request),
    })


# Accès inspecteur ----------------------------------------------------------------------------------------------


@profile_required(*services.INSPECTOR_OPENERS)
def inspector_access_view(request):
    establishment = request.establishment
    form = InspectorAccessForm(request.POST or None)
    blocked = services.identity_missing_message(establishment, "ouvrir un accès inspecteur")
    status = 200
    if request.method == "POST" and blocked is None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspector = services.inspector_access_open(
                    establishment=establishment, actor=request.user, civility=data["civility"],
                    last_name=data["last_name"], first_name=data["first_name"], email=data["email"],
                    expires_on=data["expires_on"], request=request)
            except services.AccountError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"L'accès de {inspector.full_name} est ouvert jusqu'au "
                                          f"{data['expires_on']:%d/%m/%Y} inclus, en lecture seule. Un e-mail lui a "
                                          f"été envoyé à {inspector.email} avec son identifiant « {inspector.login} » "
                                          "et un mot de passe temporaire.")
                return redirect(_url(request, "inspector_access"))
        status = 400
    inspectors = list(selectors.inspectors(establishment))
    now = timezone.now()
    for inspector in inspectors:
        inspector.access_open = inspector.is_active and not inspector.access_expired(now)
        inspector.access_until = services.access_until(inspector)
    return render(request, "accounts/inspector_access.html", {
        "tabs": extensions.settings_tabs.for_user(request.user, "inspector"), "form": form, "inspectors": inspectors,
        "identity_blocked": blocked,
    }, status=status)


@profile_required(*services.INSPECTOR_OPENERS)
@require_POST
def inspector_close_view(request, pk: int):
    inspector = get_object_or_404(User, pk=pk, establishment=request.establishment, profile=Profile.INSPECTOR)
    try:
        services.inspector_access_close(establishment=request.establishment, actor=request.user,
                                        inspector=inspector)
    except services.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"L'accès de {inspector.full_name} est fermé.")
    return redirect(_url(request, "inspector_access"))
