"""Paramètres › Évaluation: the establishment's parameters of the proposed level (README « Niveau proposé »).

One ``EvaluationSettings`` row per establishment, created at the first save; until then the defaults of
``pedagogy.levels.Parameters`` apply. The DDFPT, the chef d'établissement and the administrator change them; the
change is recorded in the journal.
"""

from decimal import Decimal

from django import forms
from django.db import transaction

from establishments import audit

from .evaluation_models import EvaluationSettings
from .levels import Parameters

SETTINGS_EDITORS_NOTE = "Le DDFPT, le chef d'établissement et l'administrateur modifient ces paramètres."
MAX_HALF_LIFE = 3650
MAX_WEIGHT = Decimal("10")


def settings_of(establishment) -> EvaluationSettings | None:
    return EvaluationSettings.objects.filter(establishment=establishment).first()


def parameters_for(establishment) -> Parameters:
    """The parameters of the proposed level in ``establishment`` (one query; the defaults when never saved)."""
    return Parameters.of(settings_of(establishment))


class EvaluationSettingsForm(forms.Form):
    half_life_days = forms.IntegerField(
        label="Demi-vie d'une observation (jours)", min_value=1, max_value=MAX_HALF_LIFE,
        help_text="Une observation de cet âge pèse deux fois moins qu'une observation du jour (90 par défaut).",
        error_messages={"required": "Indiquez une demi-vie en jours.",
                        "invalid": "Indiquez un nombre entier de jours.",
                        "min_value": "La demi-vie est d'au moins 1 jour.",
                        "max_value": f"La demi-vie est d'au plus {MAX_HALF_LIFE} jours."})
    formative_weight = forms.DecimalField(label="Poids d'une évaluation formative", help_text="1 par défaut.")
    certificative_weight = forms.DecimalField(label="Poids d'une évaluation certificative",
                                              help_text="2 par défaut.")
    company_weight = forms.DecimalField(label="Poids d'une évaluation en entreprise", help_text="1 par défaut.")

    WEIGHTS = ("formative_weight", "certificative_weight", "company_weight")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.WEIGHTS:
            field = self.fields[name]
            field.min_value, field.max_value, field.decimal_places, field.max_digits = 0, MAX_WEIGHT, 2, 4
            field.validators = []
            field.localize = True
            field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
            field.error_messages.update({"required": "Indiquez un poids (0 pour ne pas compter ce type).",
                                         "invalid": "Indiquez un nombre, par exemple 1 ou 1,5."})

    def _weight(self, name):
        value = self.cleaned_data.get(name)
        if value is None:
            return value
        if value < 0 or value > MAX_WEIGHT:
            raise forms.ValidationError(f"Le poids est compris entre 0 et {MAX_WEIGHT}.")
        if value != value.quantize(Decimal("0.01")):
            raise forms.ValidationError("Le poids a au plus deux décimales.")
        return value

    def clean_formative_weight(self):
        return self._weight("formative_weight")

    def clean_certificative_weight(self):
        return self._weight("certificative_weight")

    def clean_company_weight(self):
        return self._weight("company_weight")

    def clean(self):
        data = super().clean()
        weights = [data.get(name) for name in self.WEIGHTS]
        if all(w is not None for w in weights) and not any(weights):
            raise forms.ValidationError("Au moins un type d'évaluation doit compter (un poids supérieur à 0).")
        return data

    @classmethod
    def initial_for(cls, row: EvaluationSettings | None) -> dict:
        defaults = Parameters()
        if row is None:
            return {"half_life_days": defaults.half_life_days, "formative_weight": Decimal("1"),
                    "certificative_weight": Decimal("2"), "company_weight": Decimal("1")}
        return {name: getattr(row, name) for name in ("half_life_days", *cls.WEIGHTS)}


@transaction.atomic
def save_settings(establishment, actor, data: dict) -> bool:
    """Writes the parameters (one row per establishment); returns whether anything changed. Journaled."""
    row = EvaluationSettings.objects.select_for_update().filter(establishment=establishment).first()
    before = EvaluationSettingsForm.initial_for(row)
    fields = ("half_life_days", *EvaluationSettingsForm.WEIGHTS)
    after = {name: data[name] for name in fields}
    if all(before[name] == after[name] for name in fields) and row is not None:
        return False
    if row is None:
        row, _ = EvaluationSettings.objects.get_or_create(establishment=establishment, defaults=after)
    for name, value in after.items():
        setattr(row, name, value)
    row.save()
    audit.record(establishment, actor, "establishment.evaluation_settings", "Paramètres de l'évaluation",
                 {name: str(value) for name, value in after.items()})
    return True
