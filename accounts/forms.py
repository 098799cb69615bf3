from django import forms
from django.contrib.auth import authenticate, password_validation


class LoginForm(forms.Form):
    username = forms.CharField(label="Identifiant", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label="Mot de passe", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        # One message whatever went wrong: it must not tell which logins exist.
        "invalid_login": "Identifiant ou mot de passe incorrect.",
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
