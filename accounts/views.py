from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from . import services
from .forms import LoginForm, PasswordChangeForm
from .navigation import menu_for
from .permissions import ALL_PROFILES, profile_required, public

LOCKOUT_MESSAGE = (
    "Trop de tentatives de connexion ont échoué pour cet identifiant. Par sécurité, réessayez dans "
    "quelques minutes ou demandez à l'administrateur de l'établissement de réinitialiser votre mot de passe."
)


def _home_url(request) -> str:
    return reverse("tenant:home", kwargs={"uai": request.establishment.uai})


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
        next_url = request.POST.get("next") or request.GET.get("next")
        prefix = f"/{request.establishment.uai}/"
        if (next_url and next_url.startswith(prefix)
                and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})):
            return redirect(next_url)
        return redirect(_home_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


def lockout_response(request, credentials, *args, **kwargs):
    """Shown by django-axes when the establishment + login pair is locked out."""
    form = LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "lockout_message": LOCKOUT_MESSAGE},
                  status=429)


@public
@require_POST
def logout_view(request):
    establishment = request.establishment
    auth_logout(request)
    messages.success(request, "Vous êtes déconnecté.")
    return redirect(reverse("tenant:login", kwargs={"uai": establishment.uai}))


@profile_required(*ALL_PROFILES)
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
    return render(request, "accounts/home.html", {"modules": menu_for(request.user)})
