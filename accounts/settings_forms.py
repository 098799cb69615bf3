"""Forms of the Paramètres tabs about the establishment itself (Établissement, Logo)."""

import re

from django import forms

from establishments.models import Establishment

from .forms import DsfrFormMixin

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
