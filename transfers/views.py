from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from accounts.permissions import SETTINGS_PROFILES, profile_required
from accounts.settings_views import render_settings_tab
from establishments import services as establishment_services
from establishments.routing import tenant_url

from . import selectors
from .forms import ManualTransferForm, TransferSettingsForm
from .manual import ManualTransferError, manual_transfer_request_create


@profile_required(*SETTINGS_PROFILES)
def transfers_view(request):
    """Onglet Transferts: the switch, learners without INE, the records, the manual requests."""
    establishment = request.establishment
    here = tenant_url(establishment, "settings_transfers")
    switch_form = TransferSettingsForm(initial={
        "transfer_enabled": "oui" if establishment.transfer_enabled else "non",
        "cnil_declaration": establishment.cnil_declaration,
    })
    learner_id = request.GET.get("apprenant", "")
    manual_form = ManualTransferForm(establishment=establishment, viewer=request.user,
                                     initial={"learner": learner_id} if learner_id.isdigit() else None)
    status = 200
    if request.method == "POST" and request.POST.get("form") == "switch":
        switch_form = TransferSettingsForm(request.POST)
        if switch_form.is_valid():
            enabled = switch_form.cleaned_data["transfer_enabled"]
            establishment_services.establishment_transfer_settings_update(
                establishment=establishment, actor=request.user, enabled=enabled,
                cnil_declaration=switch_form.cleaned_data["cnil_declaration"])
            messages.success(request, "Le transfert des données des apprenants est "
                                      + ("activé." if enabled else "désactivé."))
            return redirect(here)
        status = 400
    elif request.method == "POST" and request.POST.get("form") == "manual":
        manual_form = ManualTransferForm(request.POST, establishment=establishment, viewer=request.user)
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
                return redirect(here)
        status = 400
    elif request.method == "POST":
        messages.error(request, "Formulaire inconnu : rien n'a été enregistré.")
        status = 400
    records = selectors.transfer_records(establishment)
    return render_settings_tab(request, "transfers/settings_transfers.html", "transfers", {
        "switch_form": switch_form,
        "manual_form": manual_form,
        "without_ine": selectors.learners_without_ine(establishment, viewer=request.user),
        "incoming": records["incoming"],
        "outgoing": records["outgoing"],
        "transferable": selectors.transferable_learners(establishment, viewer=request.user),
    }, status=status)
