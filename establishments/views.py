from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import profile_required
from establishments.routing import tenant_url
from transfers.manual import ManualTransferError, manual_transfer_request_create

from . import selectors, services
from .diplomas import DIPLOMA_LABELS, DIPLOMAS
from .forms import (
    DiplomaChoiceForm,
    EstablishmentIdentityForm,
    ImageUploadForm,
    ManualTransferForm,
    ScenarioLabelsForm,
    TransferSettingsForm,
)
from .images import ImageRefused
from .tabs import SETTINGS_PROFILES, settings_tabs
from .validators import normalize_uai


def search_view(request):
    """The site's front door: find your establishment by UAI or name, then log in there."""
    query = request.GET.get("q", "").strip()
    results = selectors.search_establishments(query) if query else []
    if len(results) == 1 and normalize_uai(query) == results[0].uai:
        return redirect("tenant:login", uai=results[0].uai)
    return render(request, "establishments/search.html", {"query": query, "results": results})


def _url(request, name: str, **kwargs) -> str:
    return tenant_url(request.establishment, name, **kwargs)


def _render_tab(request, template: str, tab: str, context: dict, status: int = 200):
    context = {"tabs": settings_tabs(request.user, tab), **context}
    return render(request, template, context, status=status)


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
    return _render_tab(request, "establishments/settings_identity.html", "identity", {
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
    return _render_tab(request, "establishments/settings_logo.html", "logo", {
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


# Onglet Transferts ---------------------------------------------------------------------------------------------


@profile_required(*SETTINGS_PROFILES)
def transfers_view(request):
    establishment = request.establishment
    switch_form = TransferSettingsForm(initial={
        "transfer_enabled": "oui" if establishment.transfer_enabled else "non",
        "cnil_declaration": establishment.cnil_declaration,
    })
    learner_id = request.GET.get("apprenant", "")
    manual_form = ManualTransferForm(establishment=establishment,
                                     initial={"learner": learner_id} if learner_id.isdigit() else None)
    status = 200
    if request.method == "POST" and request.POST.get("form") == "switch":
        switch_form = TransferSettingsForm(request.POST)
        if switch_form.is_valid():
            enabled = switch_form.cleaned_data["transfer_enabled"]
            services.establishment_transfer_settings_update(
                establishment=establishment, actor=request.user, enabled=enabled,
                cnil_declaration=switch_form.cleaned_data["cnil_declaration"])
            messages.success(request, "Le transfert des données des élèves est "
                                      + ("activé." if enabled else "désactivé."))
            return redirect(_url(request, "settings_transfers"))
        status = 400
    elif request.method == "POST" and request.POST.get("form") == "manual":
        manual_form = ManualTransferForm(request.POST, establishment=establishment)
        if manual_form.is_valid():
            data = manual_form.cleaned_data
            try:
                manual_transfer_request_create(
                    establishment=establishment, actor=request.user, learner=data["learner"],
                    destination_uai=data["destination_uai"], consent=data["consent"])
            except (ManualTransferError, ValidationError) as error:
                manual_form.add_error(None, error.messages[0] if isinstance(error, ValidationError) else str(error))
            else:
                messages.success(request, f"La demande de transfert de {data['learner'].full_name} vers "
                                          f"{data['destination_uai']} est enregistrée : le service technique "
                                          "de CPro va la traiter.")
                return redirect(_url(request, "settings_transfers"))
        status = 400
    elif request.method == "POST":
        messages.error(request, "Formulaire inconnu : rien n'a été enregistré.")
        status = 400
    records = selectors.transfer_records(establishment)
    return _render_tab(request, "establishments/settings_transfers.html", "transfers", {
        "switch_form": switch_form,
        "manual_form": manual_form,
        "without_ine": selectors.learners_without_ine(establishment),
        "incoming": records["incoming"],
        "outgoing": records["outgoing"],
        "transferable": selectors.transferable_learners(establishment),
    }, status=status)


# Onglet Masque de saisie ---------------------------------------------------------------------------------------


@profile_required(*SETTINGS_PROFILES)
def scenario_labels_view(request):
    establishment = request.establishment
    source = request.POST if request.method == "POST" else request.GET
    diploma_code = source.get("diplome") or DIPLOMAS[0].code
    if diploma_code not in DIPLOMA_LABELS:
        messages.error(request, "Ce diplôme est inconnu : choisissez-le dans la liste.")
        diploma_code = DIPLOMAS[0].code
    current = selectors.scenario_field_labels(establishment, diploma_code)
    form = ScenarioLabelsForm(request.POST or None, current=current, initial={"diplome": diploma_code})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.scenario_field_labels_save(establishment=establishment, actor=request.user,
                                                diploma_code=diploma_code, labels=form.labels())
            messages.success(request, f"Le masque de saisie du diplôme {diploma_code} a été enregistré.")
            return redirect(_url(request, "settings_scenario_labels") + f"?diplome={diploma_code}")
        status = 400
    return _render_tab(request, "establishments/settings_scenario_labels.html", "scenario_labels", {
        "choice_form": DiplomaChoiceForm(initial={"diplome": diploma_code}),
        "form": form,
        "diploma_code": diploma_code,
        "diploma_label": DIPLOMA_LABELS[diploma_code],
    }, status=status)


@profile_required(*SETTINGS_PROFILES)
@require_POST
def scenario_labels_reset_view(request):
    diploma_code = request.POST.get("diplome", "")
    if diploma_code not in DIPLOMA_LABELS:
        messages.error(request, "Ce diplôme est inconnu : rien n'a été réinitialisé.")
        return redirect(_url(request, "settings_scenario_labels"))
    count = services.scenario_field_labels_reset(establishment=request.establishment, actor=request.user,
                                                 diploma_code=diploma_code)
    if count:
        messages.success(request, f"Les intitulés par défaut du diplôme {diploma_code} sont rétablis.")
    else:
        messages.info(request, f"Le diplôme {diploma_code} utilisait déjà les intitulés par défaut.")
    return redirect(_url(request, "settings_scenario_labels") + f"?diplome={diploma_code}")

