from django import forms

from accounts.forms import DsfrFormMixin
from referentiels.diplomas import DIPLOMAS

from .models import ScenarioField


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
