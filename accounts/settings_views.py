"""Paramètres: the page layout shared by every app's tab, and the tabs about the establishment itself
(Établissement, Logo). The tabs come from the core's registry (``establishments.extensions.settings_tabs``); each
app registers its own."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from establishments import extensions, services
from establishments.images import ImageRefused
from establishments.routing import tenant_url

from .permissions import SETTINGS_PROFILES, profile_required
from .settings_forms import EstablishmentIdentityForm, ImageUploadForm


def render_settings_tab(request, template: str, tab: str, context: dict, status: int = 200):
    """Renders one tab of Paramètres (the template extends ``establishments/settings_base.html``)."""
    context = {"tabs": extensions.settings_tabs.for_user(request.user, tab), **context}
    return render(request, template, context, status=status)


def _url(request, name: str) -> str:
    return tenant_url(request.establishment, name)


# Onglet Établissement -----------------------------------------------------------------------------------------


@profile_required(*SETTINGS_PROFILES)
def identity_view(request):
    establishment = request.establishment
    form = EstablishmentIdentityForm(request.POST or None, instance=establishment)
    if request.method == "POST":
        if form.is_valid():
            changed = services.establishment_identity_update(
                establishment=establishment, actor=request.user, data=form.cleaned_data)
            if changed:
                messages.success(request, "Les informations de l'établissement ont été enregistrées.")
            else:
                messages.info(request, "Aucune modification à enregistrer.")
            return redirect(_url(request, "settings_identity"))
        establishment.refresh_from_db()  # the form wrote its invalid values on the instance
        messages.error(request, "Les informations n'ont pas été enregistrées : corrigez les champs signalés.")
    return render_settings_tab(request, "establishments/settings_identity.html", "identity", {
        "form": form,
        "missing": establishment.missing_identity(),
    }, status=400 if form.errors else 200)


# Onglet Logo ---------------------------------------------------------------------------------------------------

IMAGE_LABELS = {"logo": "le logo", "stamp": "le cachet de l'établissement"}


@profile_required(*SETTINGS_PROFILES)
def logo_view(request):
    establishment = request.establishment
    forms = {kind: ImageUploadForm(prefix=kind) for kind in IMAGE_LABELS}
    status = 200
    if request.method == "POST":
        kind = request.POST.get("kind")
        if kind not in IMAGE_LABELS:
            messages.error(request, "Choisissez l'image à déposer : le logo ou le cachet.")
            return redirect(_url(request, "settings_logo"))
        form = ImageUploadForm(request.POST, request.FILES, prefix=kind)
        forms[kind] = form
        if form.is_valid():
            try:
                services.establishment_image_set(establishment=establishment, actor=request.user, kind=kind,
                                                 upload=form.cleaned_data["image"])
            except ImageRefused as refusal:
                form.add_error("image", refusal)
            else:
                messages.success(request, f"{IMAGE_LABELS[kind].capitalize()} a été enregistré.")
                return redirect(_url(request, "settings_logo"))
        status = 400
        messages.error(request, f"{IMAGE_LABELS[kind].capitalize()} n'a pas été enregistré : voir l'erreur "
                                "sous le champ.")
    return render_settings_tab(request, "establishments/settings_logo.html", "logo", {
        "logo_form": forms["logo"], "stamp_form": forms["stamp"],
    }, status=status)


@profile_required(*SETTINGS_PROFILES)
@require_POST
def logo_delete_view(request):
    kind = request.POST.get("kind")
    if kind not in IMAGE_LABELS:
        messages.error(request, "Choisissez l'image à supprimer : le logo ou le cachet.")
    elif services.establishment_image_delete(establishment=request.establishment, actor=request.user, kind=kind):
        messages.success(request, f"{IMAGE_LABELS[kind].capitalize()} a été supprimé.")
    else:
        messages.info(request, f"Il n'y avait pas d'image pour {IMAGE_LABELS[kind]}.")
    return redirect(_url(request, "settings_logo"))
