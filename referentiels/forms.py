from django import forms

from accounts.forms import DsfrFormMixin

from .models import ClassLevel


class BrowserFilterForm(DsfrFormMixin, forms.Form):
    """The browser's search bar: never invalid, unknown values are ignored."""

    q = forms.CharField(label="Rechercher (code ou libellé, sans se soucier des accents)", required=False,
                        max_length=100)
    bloc = forms.ChoiceField(label="Bloc ou unité", required=False)
    niveau = forms.ChoiceField(label="Niveau", required=False)

    def __init__(self, *args, blocks, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bloc"].choices = [("", "Tous"), *((b.code, f"{b.code} — {b.label}") for b in blocks)]
        self.fields["niveau"].choices = [("", "Tous"), *levels]

    def value(self, name: str) -> str:
        """A field's value, or "" when absent or unknown (the other fields still apply)."""
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get(name) or ""


class CohortForm(DsfrFormMixin, forms.Form):
    """« Classes et diplômes »: one class → a version of a subscribed diploma and a class level."""

    version = forms.TypedChoiceField(label="Diplôme", coerce=int)
    niveau = forms.ChoiceField(label="Niveau", required=False, choices=[("", "Non précisé"), *ClassLevel.choices])

    def __init__(self, *args, versions, prefix=None, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.fields["version"].choices = [("", "Choisissez"), *((v.pk, f"{v.diploma.code} — {v.label}")
                                                                for v in versions)]
