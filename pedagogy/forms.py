from django import forms

from accounts.forms import DsfrFormMixin

from .models import ScenarioField


def diploma_choices(diplomas) -> list[tuple[str, str]]:
    """The establishment's subscribed diplomas (``referentiels.selectors.subscribed_diplomas``) as choices."""
    return [(d.code, f"{d.get_kind_display()} {d.code} — {d.name}") for d in diplomas]


class DiplomaChoiceForm(DsfrFormMixin, forms.Form):
    diplome = forms.ChoiceField(label="Diplôme")

    def __init__(self, *args, diplomas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diplome"].choices = diploma_choices(diplomas)


class ScenarioLabelsForm(DsfrFormMixin, forms.Form):
    """One label per renamable field of the scenario form; an empty label goes back to the default."""

    diplome = forms.ChoiceField(widget=forms.HiddenInput)

    def __init__(self, *args, current: dict[str, str], diplomas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diplome"].choices = diploma_choices(diplomas)
        for field in ScenarioField:
            self.fields[field.value] = forms.CharField(
                label=f"Intitulé du champ « {field.label} »", max_length=120, required=False,
                initial=current.get(field.value, field.label),
                help_text=f"Par défaut : « {field.label} ». Laissez vide pour revenir à l'intitulé par défaut.",
            )

    def labels(self) -> dict[str, str]:
        return {field.value: " ".join(self.cleaned_data.get(field.value, "").split()) for field in ScenarioField}
