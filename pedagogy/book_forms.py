"""Forms of the learners' book: an achievement, a file, a teacher's comment. Bad input gets a French message on
its field and nothing is saved."""

from django import forms
from django.utils import timezone

from accounts.forms import DATE_INPUT, DsfrFormMixin
from documents.uploads import ACCEPTED_TEXT

from .book_models import Achievement


class TaskChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, task) -> str:
        return f"{task.code} — {task.label}"


class AchievementForm(DsfrFormMixin, forms.Form):
    title = forms.CharField(label="Titre de la réussite", max_length=200,
                            error_messages={"required": "Donnez un titre à votre réussite."})
    date = forms.DateField(label="Date", widget=DATE_INPUT,
                           error_messages={"required": "Indiquez la date de votre réussite.",
                                           "invalid": "Saisissez une date valide (jj/mm/aaaa)."})
    setting = forms.ChoiceField(label="Où ?", choices=Achievement.Setting.choices, initial=Achievement.Setting.SCHOOL,
                                widget=forms.RadioSelect,
                                error_messages={"invalid_choice":
                                                "Choisissez « En entreprise » ou « À l'établissement »."})
    context = forms.CharField(label="Contexte", required=False, max_length=5000,
                              help_text="Où, avec qui, pour quel client ou quel projet.",
                              widget=forms.Textarea(attrs={"rows": 3}))
    actions = forms.CharField(label="Ce que j'ai fait", required=False, max_length=10000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    tasks = TaskChoice(label="Tâches du référentiel", queryset=None, required=False,
                       widget=forms.CheckboxSelectMultiple,
                       error_messages={"invalid_choice": "Choisissez les tâches parmi celles de votre référentiel.",
                                       "invalid_pk_value": "Choisissez les tâches parmi celles de votre référentiel."})
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, tasks=(), **kwargs):
        super().__init__(*args, **kwargs)
        from referentiels.models import Task

        self.fields["tasks"].queryset = Task.objects.filter(pk__in=[t.pk for t in tasks]).order_by(
            "activity__position", "position", "id")
        if not tasks:
            self.fields["tasks"].help_text = ("Votre classe n'est pas encore rattachée à un référentiel : les tâches "
                                              "pourront être choisies plus tard.")

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        return day

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("title", "date", "setting", "context", "actions")}
        data["task_ids"] = [t.pk for t in self.cleaned_data["tasks"]]
        return data


class FileForm(DsfrFormMixin, forms.Form):
    file = forms.FileField(label="Photo ou document", help_text=f"Formats acceptés : {ACCEPTED_TEXT}.",
                           error_messages={"required": "Choisissez un fichier à déposer.",
                                           "empty": "Le fichier est vide."})
    title = forms.CharField(label="Titre (facultatif)", required=False, max_length=255)


class CommentForm(DsfrFormMixin, forms.Form):
    text = forms.CharField(label="Votre commentaire", max_length=3000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Écrivez votre commentaire."})
