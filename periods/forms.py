"""Forms of the work-period pages. The ticked learners and tasks are read as lists of ids from the POST and
checked by the services (a learner of the level, a task of the référentiel)."""

import datetime

from django import forms

from establishments.models import SchoolYear

YES_NO = [("non", "Non"), ("oui", "Oui")]


def ids(data, name: str) -> list[int]:
    return [int(value) for value in data.getlist(name) if value.isdecimal()]


class AnnexForm(forms.Form):
    title = forms.CharField(label="Titre de l'annexe", max_length=255,
                            error_messages={"required": "Le titre de l'annexe est obligatoire."})
    for_apprentices = forms.ChoiceField(
        label="Cette annexe est destinée à la déclaration d'une période en entreprise pour des apprentis ?",
        choices=YES_NO, widget=forms.RadioSelect, initial="non")
    objectives = forms.CharField(label="Objectifs", required=False, widget=forms.Textarea(attrs={"rows": 5}),
                                 help_text="En référence au niveau de classe, à la progression pédagogique et au "
                                           "plan de formation.")
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    @property
    def apprentices(self) -> bool:
        return self.cleaned_data.get("for_apprentices") == "oui"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PeriodInfoForm(forms.Form):
    """Step 1, « Informations »; steps 2 and 3 are the ticked ``learners`` and ``tasks``."""

    school_year = forms.ModelChoiceField(label="Année scolaire", queryset=SchoolYear.objects.none(),
                                         empty_label=None)
    title = forms.CharField(label="Titre de la période", max_length=255,
                            error_messages={"required": "Le titre de la période est obligatoire."})
    start_date = forms.DateField(label="Date de début", widget=DateInput(),
                                 error_messages={"required": "Indiquez la date de début de la période.",
                                                 "invalid": "Indiquez une date valide (jj/mm/aaaa)."})
    end_date = forms.DateField(label="Date de fin", widget=DateInput(),
                               error_messages={"required": "Indiquez la date de fin de la période.",
                                               "invalid": "Indiquez une date valide (jj/mm/aaaa)."})
    objectives = forms.CharField(label="Objectifs d'apprentissage", required=False,
                                 widget=forms.Textarea(attrs={"rows": 5}))
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    then = forms.ChoiceField(label="Après l'enregistrement", widget=forms.RadioSelect, initial="quitter", choices=[
        ("quitter", "Créer la période de formation en entreprise et quitter"),
        ("portfolio", "Créer la période de formation en entreprise et se rendre dans le module portfolio")],
        required=False)

    def __init__(self, *args, school_years=(), with_year=True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_year:
            self.fields["school_year"].queryset = SchoolYear.objects.filter(pk__in=[y.pk for y in school_years])
        else:
            del self.fields["school_year"]
            del self.fields["then"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
            self.add_error("end_date", "La date de fin doit être postérieure ou égale à la date de début.")
        return data


class WeeksMinimumForm(forms.Form):
    min_weeks = forms.IntegerField(label="Minimum (semaines)", min_value=0, max_value=104,
                                   error_messages={"required": "Indiquez le minimum de semaines.",
                                                   "min_value": "Indiquez un nombre positif.",
                                                   "max_value": "Indiquez au plus 104 semaines."})
    max_weeks = forms.IntegerField(label="Maximum (semaines)", min_value=0, max_value=104, required=False,
                                   error_messages={"min_value": "Indiquez un nombre positif.",
                                                   "max_value": "Indiquez au plus 104 semaines."})

    def clean(self):
        data = super().clean()
        low, high = data.get("min_weeks"), data.get("max_weeks")
        if low is not None and high is not None and high < low:
            self.add_error("max_weeks", "Le maximum doit être supérieur ou égal au minimum.")
        return data
