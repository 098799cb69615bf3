import re

from django import forms

from accounts.forms import DsfrFormMixin
from accounts.models import Profile, User
from transfers.models import ManualTransferRequest

from .diplomas import DIPLOMAS
from .models import Establishment, ScenarioField
from .validators import normalize_uai, validate_uai

_PHONE = re.compile(r"^\+?[0-9 .()-]{6,30}$")


class EstablishmentIdentityForm(DsfrFormMixin, forms.ModelForm):
    """Onglet Établissement. Name and e-mail are required: users cannot be created by hand without them."""

    website = forms.URLField(label="Site web", required=False, assume_scheme="https",
                             help_text="Exemple : https://lycee-exemple.ac-academie.fr")

    class Meta:
        model = Establishment
        fields = ["name", "email", "address", "phone", "website"]
        labels = {"name": "Nom de l'établissement", "email": "Adresse e-mail de l'établissement",
                  "address": "Adresse postale", "phone": "Téléphone"}
        help_texts = {
            "email": "Adresse de contact, en réponse aux e-mails envoyés aux utilisateurs.",
            "phone": "Exemple : 05 49 60 67 85",
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "email": {"invalid": "Saisissez une adresse e-mail valide (exemple : ce.0750654d@ac-paris.fr)."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["email"].required = True
        self.fields["name"].error_messages["required"] = "Le nom de l'établissement est obligatoire."
        self.fields["email"].error_messages["required"] = "L'adresse e-mail de l'établissement est obligatoire."
        self.fields["website"].error_messages["invalid"] = (
            "Saisissez une adresse de site web valide (exemple : https://lycee-exemple.fr).")

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and (not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < 6):
            raise forms.ValidationError("Saisissez un numéro de téléphone (chiffres, espaces, points ou « + »), "
                                        "par exemple 05 49 60 67 85.")
        return phone


class ImageUploadForm(DsfrFormMixin, forms.Form):
    """Upload of the logo (``prefix="logo"``) or of the stamp (``prefix="stamp"``); checks in ``images``."""

    image = forms.FileField(widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
                            error_messages={"required": "Choisissez un fichier image.",
                                            "empty": "Le fichier est vide."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        what = "du cachet" if self.prefix == "stamp" else "du logo"
        self.fields["image"].label = f"Fichier {what} (PNG ou JPEG, 2 Mo au plus)"


class TransferSettingsForm(DsfrFormMixin, forms.Form):
    cnil_declaration = forms.CharField(
        label="Numéro de déclaration CNIL (facultatif)", required=False, max_length=50,
        help_text="Numéro de la déclaration normale ou de la demande d'avis présent sur le récépissé de la CNIL.",
    )
    transfer_enabled = forms.TypedChoiceField(
        label="Souhaitez-vous activer le transfert des données appartenant aux élèves avec les autres "
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

    def __init__(self, *args, establishment, **kwargs):
        super().__init__(*args, **kwargs)
        self.establishment = establishment
        self.fields["learner"].queryset = User.objects.filter(
            establishment=establishment, profile=Profile.LEARNER, is_active=False).order_by("last_name", "first_name")
        self.fields["learner"].label_from_instance = lambda u: (
            f"{u.full_name} ({u.division.code if u.division_id and u.division else 'sans classe'})")

    def clean_destination_uai(self):
        uai = normalize_uai(self.cleaned_data["destination_uai"])
        validate_uai(uai)
        if uai == self.establishment.uai:
            raise forms.ValidationError("L'établissement d'accueil doit être un autre établissement que le vôtre.")
        return uai


class DiplomaChoiceForm(DsfrFormMixin, forms.Form):
    diplome = forms.ChoiceField(label="Diplôme", choices=[(d.code, d.label) for d in DIPLOMAS])


class ScenarioLabelsForm(DsfrFormMixin, forms.Form):
    """One label per renamable field of the scenario form; an empty label goes back to the default."""

    diplome = forms.ChoiceField(choices=[(d.code, d.label) for d in DIPLOMAS], widget=forms.HiddenInput)

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for field in ScenarioField:
            self.fields[field.value] = forms.CharField(
                label=f"Intitulé du champ « {field.label} »", max_length=120, required=False,
                initial=current.get(field.value, field.label),
                help_text=f"Par défaut : « {field.label} ». Laissez vide pour revenir à l'intitulé par défaut.",
            )

    def labels(self) -> dict[str, str]:
        return {field.value: " ".join(self.cleaned_data.get(field.value, "").split()) for field in ScenarioField}
