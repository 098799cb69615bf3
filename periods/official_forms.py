"""The form of an official period (pilot console, « Dates des périodes officielles»)."""

from django import forms
from django.core.exceptions import ValidationError

from referentiels.models import ClassLevel

from . import official_periods
from .models import OfficialPeriod


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OfficialPeriodForm(forms.Form):
    diploma = forms.ChoiceField(label="Diplôme")
    class_level = forms.ChoiceField(label="Niveau", choices=ClassLevel.choices)
    kind = forms.ChoiceField(label="Type de période", choices=OfficialPeriod.Kind.choices)
    label = forms.CharField(label="Intitulé", max_length=100, required=False,
                            help_text="Laissé vide : « Trimestre 1 », « PFMP 2 »… selon le type.")
    start_date = forms.DateField(label="Début (ou date limite)", widget=DateInput())
    end_date = forms.DateField(label="Fin", widget=DateInput(), required=False,
                               help_text="Inutile pour une date limite de certification.")

    def __init__(self, *args, diplomas, period: OfficialPeriod | None = None, **kwargs):
        if period is not None and "initial" not in kwargs:
            kwargs["initial"] = {"diploma": str(period.diploma_id), "class_level": period.class_level,
                                 "kind": period.kind, "label": period.label, "start_date": period.start_date,
                                 "end_date": period.end_date}
        super().__init__(*args, **kwargs)
        self.period = period
        self.diplomas = {str(d.pk): d for d in diplomas}
        self.fields["diploma"].choices = [(pk, f"{d.code} — {d.name}") for pk, d in self.diplomas.items()]

    def clean(self):
        data = super().clean()
        if data.get("kind") and data["kind"] != OfficialPeriod.Kind.CERTIFICATION and data.get("start_date") \
                and not data.get("end_date"):
            self.add_error("end_date", "Indiquez la date de fin de la période.")
        return data

    def save(self, establishment, actor, school_year) -> OfficialPeriod | None:
        """The saved period, or None with the refusals on the fields (nothing saved)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        try:
            return official_periods.save_period(
                establishment, actor, school_year, diploma=self.diplomas[data["diploma"]],
                class_level=data["class_level"], kind=data["kind"], label=data["label"],
                start_date=data["start_date"], end_date=data.get("end_date"), period=self.period)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
            return None
