"""Forms of Paramètres › Transferts: the switch and the manual transfer request."""

from django import forms

from accounts import access
from accounts.forms import DsfrFormMixin
from accounts.models import Profile, User
from establishments.validators import normalize_uai, validate_uai

from .models import ManualTransferRequest


class TransferSettingsForm(DsfrFormMixin, forms.Form):
    cnil_declaration = forms.CharField(
        label="Numéro de déclaration CNIL (facultatif)", required=False, max_length=50,
        help_text="Numéro de la déclaration normale ou de la demande d'avis présent sur le récépissé de la CNIL.",
    )
    transfer_enabled = forms.TypedChoiceField(
        label="Souhaitez-vous activer le transfert des données appartenant aux apprenants avec les autres "
              "établissements utilisant CPro ?",
        choices=[("oui", "Oui"), ("non", "Non")], coerce=lambda v: v == "oui", widget=forms.RadioSelect,
        error_messages={"required": "Choisissez « Oui » ou « Non »."},
    )

    def clean_cnil_declaration(self):
        return self.cleaned_data["cnil_declaration"].strip()


class ManualTransferForm(DsfrFormMixin, forms.Form):
    learner = forms.ModelChoiceField(label="Apprenant", queryset=User.objects.none(),
                                     empty_label="— Choisir un apprenant désactivé —",
                                     error_messages={"required": "Choisissez l'apprenant à transférer.",
                                                     "invalid_choice": "Cet apprenant ne peut pas être transféré."})
    destination_uai = forms.CharField(label="UAI de l'établissement d'accueil", max_length=12,
                                      help_text="7 chiffres et une lettre, exemple : 0860010U")
    consent = forms.ChoiceField(label="Autorisation recueillie",
                                choices=[("", "— Choisir —"), *ManualTransferRequest.Consent.choices],
                                error_messages={"required": "Indiquez qui a donné son autorisation."})
    consent_confirmed = forms.BooleanField(
        label="Je confirme que le responsable de traitement a recueilli l'autorisation de l'apprenant et/ou de ses "
              "responsables légaux pour ce transfert.",
        error_messages={"required": "Le transfert ne peut être demandé sans l'autorisation de l'apprenant ou de ses "
                                    "responsables légaux : cochez la confirmation."},
    )

    def __init__(self, *args, establishment, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.establishment = establishment
        learners = access.visible_learners(viewer) if viewer is not None else User.objects.filter(
            profile=Profile.LEARNER)
        self.fields["learner"].queryset = learners.filter(establishment=establishment, is_active=False).order_by(
            "last_name", "first_name")
        self.fields["learner"].label_from_instance = lambda u: (
            f"{u.full_name} ({u.division.code if u.division_id and u.division else 'sans classe'})")

    def clean_destination_uai(self):
        uai = normalize_uai(self.cleaned_data["destination_uai"])
        validate_uai(uai)
        if uai == self.establishment.uai:
            raise forms.ValidationError("L'établissement d'accueil doit être un autre établissement que le vôtre.")
        return uai
