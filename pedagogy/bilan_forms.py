"""The bilan form: one retained level per competency of the sheet, an appreciation, the revision it was loaded at."""

from django import forms

from .bilan_selectors import Sheet
from .bilans import MAX_APPRECIATION
from .evaluation_models import Level

LEVEL_ERROR = "Choisissez un niveau de l'échelle : NE, 1, 2, 3 ou 4."
SAVE, VALIDATE = "enregistrer", "valider"


class BilanForm(forms.Form):
    appreciation = forms.CharField(
        label="Appréciation", required=False, max_length=MAX_APPRECIATION,
        widget=forms.Textarea(attrs={"class": "fr-input", "rows": 5}),
        error_messages={"max_length": f"L'appréciation ne peut dépasser {MAX_APPRECIATION} caractères."},
        help_text="Obligatoire pour valider le bilan.")
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    action = forms.ChoiceField(choices=[(SAVE, "Enregistrer le brouillon"), (VALIDATE, "Valider le bilan")],
                               required=False)

    def __init__(self, *args, sheet: Sheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        if not self.is_bound:
            self.initial.setdefault("revision", sheet.revision)
            self.initial.setdefault("appreciation", sheet.bilan.appreciation if sheet.bilan else "")
        for row in sheet.rows:
            self.fields[row.field_name] = forms.TypedChoiceField(
                label=f"{row.competency.code} — niveau retenu", choices=Level.choices, coerce=int, initial=row.retained,
                error_messages={"invalid_choice": LEVEL_ERROR, "required": LEVEL_ERROR},
                widget=forms.Select(attrs={"class": "fr-select"}))

    def clean(self):
        data = super().clean()
        if data.get("action") == VALIDATE and not (data.get("appreciation") or "").strip():
            self.add_error("appreciation", "Écrivez une appréciation avant de valider le bilan.")
        return data

    @property
    def validating(self) -> bool:
        return self.cleaned_data.get("action") == VALIDATE

    def levels(self) -> dict[int, int]:
        return {row.competency.pk: self.cleaned_data[row.field_name] for row in self.sheet.rows}

    def rows_with_fields(self):
        """``(row, bound field, selected value as text)``: the template writes the 80 selects itself (Django's
        widget rendering costs about a millisecond per select)."""
        result = []
        for row in self.sheet.rows:
            field = self[row.field_name]
            value = field.value()
            result.append((row, field, "" if value is None else str(value)))
        return result


LEVEL_OPTIONS = [(str(value), label) for value, label in Level.choices]
