import datetime

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.utils import timezone

from establishments.models import Division

from .models import Civility, Profile
from .selectors import Status
from .services import INSPECTOR_MAX_DAYS


class LoginForm(forms.Form):
    username = forms.CharField(label="Identifiant", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label="Mot de passe", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        # One message whatever went wrong: it must not tell which logins exist.
        "invalid_login": "Identifiant ou mot de passe incorrect.",
        "access_expired": ("Votre accès à l'espace CPro de l'établissement a expiré. Pour le prolonger, "
                           "adressez-vous au chef d'établissement ou au DDFPT."),
    }

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password is not None:
            self.user = authenticate(
                self.request, username=username, password=password, establishment=self.request.establishment
            )
            if self.user is None:
                raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
            if self.user.access_expired():
                self.user = None
                raise forms.ValidationError(self.error_messages["access_expired"], code="access_expired")
        return self.cleaned_data


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="Mot de passe actuel", strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(label="Nouveau mot de passe", strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                    help_text=password_validation.password_validators_help_text_html())
    new_password2 = forms.CharField(label="Confirmation du nouveau mot de passe", strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError("Le mot de passe actuel est incorrect.", code="password_incorrect")
        return old

    def clean_new_password2(self):
        p1 = self.cleaned_data.get("new_password1")
        p2 = self.cleaned_data.get("new_password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError("Les deux mots de passe ne sont pas identiques.", code="password_mismatch")
        if p2:
            password_validation.validate_password(p2, self.user)
        old = self.cleaned_data.get("old_password")
        if p2 and old and p2 == old:
            raise forms.ValidationError("Le nouveau mot de passe doit être différent de l'actuel.", code="same")
        return p2



# Management of accounts --------------------------------------------------------------------------------------


INVALID_EMAIL = "Saisissez une adresse e-mail valide (exemple : prenom.nom@ac-academie.fr)."


class DsfrFormMixin:
    """French required-field messages, and erroneous inputs tied to their message (includes/form_fields.html)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
                label = str(field.label or "").rstrip(" :")
                field.error_messages["required"] = f"Le champ « {label} » est obligatoire." if label else (
                    forms.Field.default_error_messages["required"])
            if isinstance(field, forms.EmailField):
                field.error_messages["invalid"] = INVALID_EMAIL
            # The DSFR class of each widget comes from the project's form renderer (cpro.forms), for every form.

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}-error"})

DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class UserFilterForm(DsfrFormMixin, forms.Form):
    """The list's search bar: never invalid, unknown values fall back to the defaults."""

    q = forms.CharField(label="Rechercher (nom, prénom, identifiant, e-mail)", required=False, max_length=100)
    profil = forms.ChoiceField(label="Profil", required=False,
                               choices=[("", "Tous les profils"), *Profile.choices])
    statut = forms.ChoiceField(label="État des comptes", required=False, choices=Status.CHOICES)

    def values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"query": data.get("q", ""), "profile": data.get("profil", ""),
                "status": data.get("statut") or Status.ACTIVE}


class UserCreateForm(DsfrFormMixin, forms.Form):
    civility = forms.ChoiceField(label="Civilité", choices=[("", "—"), *Civility.choices])
    last_name = forms.CharField(label="Nom", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    birth_date = forms.DateField(label="Date de naissance", required=False, widget=DATE_INPUT,
                                 help_text="Obligatoire pour un apprenant. Format : jj/mm/aaaa.")
    email = forms.EmailField(label="Adresse e-mail",
                             help_text="Le mot de passe temporaire est envoyé à cette adresse.")
    profile = forms.ChoiceField(label="Profil")
    division = forms.ModelChoiceField(label="Classe (apprenants)", queryset=Division.objects.none(), required=False,
                                      empty_label="Aucune")

    def __init__(self, *args, profiles: list, establishment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [("", "— Choisir un profil —")] + [(p.value, p.label) for p in profiles]
        self.fields["division"].queryset = Division.objects.filter(establishment=establishment).order_by("code")

    def clean_birth_date(self):
        birth_date = self.cleaned_data.get("birth_date")
        if birth_date is not None:
            today = timezone.localdate()
            if birth_date >= today:
                raise forms.ValidationError("La date de naissance doit être passée.")
            if birth_date.year < today.year - 110:
                raise forms.ValidationError("Vérifiez l'année de naissance.")
        return birth_date

    def clean(self):
        data = super().clean()
        if data.get("profile") == Profile.LEARNER and not data.get("birth_date"):
            self.add_error("birth_date", "La date de naissance d'un apprenant est obligatoire (elle sert à "
                                         "réinitialiser son mot de passe).")
        return data


class EmailChangeForm(DsfrFormMixin, forms.Form):
    email = forms.EmailField(label="Nouvelle adresse e-mail")


class InspectorAccessForm(DsfrFormMixin, forms.Form):
    civility = forms.ChoiceField(label="Civilité", choices=[("", "—"), *Civility.choices])
    last_name = forms.CharField(label="Nom", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    email = forms.EmailField(label="Adresse e-mail",
                             help_text="L'inspecteur y reçoit l'adresse du site, son identifiant et un mot de passe "
                                       "temporaire.")
    expires_on = forms.DateField(label="Accès ouvert jusqu'au (inclus)", widget=DATE_INPUT,
                                 help_text="Au plus un an. Format : jj/mm/aaaa.")

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        latest = today + datetime.timedelta(days=INSPECTOR_MAX_DAYS)
        if expires_on < today:
            raise forms.ValidationError("La date de fin d'accès est passée : choisissez aujourd'hui ou plus tard.")
        if expires_on > latest:
            raise forms.ValidationError(
                "Un accès inspecteur dure au plus un an : choisissez une date avant le %(latest)s.",
                params={"latest": latest.strftime("%d/%m/%Y")},
            )
        return expires_on
