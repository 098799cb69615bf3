"""Forms of the scenario pages. The links to the référentiel are parsed here and checked against the scenario's
version: a code of another version is refused on its field with a French message, and nothing is saved."""

from django import forms

from accounts.forms import DsfrFormMixin
from referentiels.models import ClassLevel, Competency, Criterion, Task

from .scenario_selectors import Choices

LINKS = {
    # field → (model, what it is, the set of allowed ids on Choices)
    "tasks": (Task, "la tâche", "task_ids"),
    "competencies": (Competency, "la compétence", "competency_ids"),
    "criteria": (Criterion, "le critère", "criterion_ids"),
    "transversal_competencies": (Competency, "la compétence transversale", "transversal_ids"),
}


class ScenarioForm(DsfrFormMixin, forms.Form):
    title = forms.CharField(label="Titre du scénario", max_length=255,
                            error_messages={"required": "Donnez un titre au scénario."})
    co_intervention = forms.BooleanField(label="Co-intervention", required=False)
    co_authors = forms.ModelMultipleChoiceField(
        label="Co-auteurs", queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Les enseignants de l'établissement qui peuvent modifier ce scénario avec vous.",
        error_messages={"invalid_choice": "Choisissez les co-auteurs parmi les enseignants de l'établissement.",
                        "invalid_pk_value": "Choisissez les co-auteurs parmi les enseignants de l'établissement."})
    situation = forms.CharField(label="Situation professionnelle, problématique et missions", required=False,
                                widget=forms.Textarea(attrs={"rows": 5}))
    equipment = forms.CharField(label="Équipements et logiciels", required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    training_spaces = forms.CharField(label="Espaces de formation", required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, choices: Choices, teachers, author_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.fields["co_authors"].queryset = teachers.exclude(pk__in=author_ids) if author_ids else teachers
        self.links: dict[str, set[int]] = {name: set() for name in LINKS}
        self.link_errors: dict[str, list[str]] = {}

    def _link_ids(self, name: str) -> set[int]:
        model, what, allowed_attr = LINKS[name]
        raw = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name, [])
        ids, bad = set(), []
        for value in raw:
            try:
                ids.add(int(value))
            except (TypeError, ValueError):
                bad.append(str(value))
        allowed = getattr(self.choices, allowed_attr)
        foreign = ids - allowed
        version = self.choices.version.label
        if foreign:
            if model is Criterion:
                named = [f"{c.competency.code} › {c.position} ({c.competency.version.label})" for c in
                         Criterion.objects.filter(pk__in=foreign).select_related("competency__version")]
            else:
                named = [f"{o.code} ({o.version.label})" for o in
                         model.objects.filter(pk__in=foreign).select_related("version")]
            for label in named or [str(pk) for pk in sorted(foreign)]:
                self.add_error(None, f"{what.capitalize()} {label} n'appartient pas au référentiel {version} du "
                                     "scénario : choisissez-la dans la liste.")
                self.link_errors.setdefault(name, []).append(
                    f"{what.capitalize()} {label} n'appartient pas au référentiel {version}.")
        for value in bad:
            self.link_errors.setdefault(name, []).append(f"« {value} » n'est pas un élément du référentiel.")
            self.add_error(None, f"« {value} » n'est pas un élément du référentiel {version}.")
        return ids & allowed

    def clean(self):
        cleaned = super().clean()
        for name in LINKS:
            self.links[name] = self._link_ids(name)
        return cleaned

    def data_for_save(self) -> dict:
        data = {name: self.cleaned_data[name] for name in
                ("title", "co_intervention", "situation", "equipment", "training_spaces")}
        data["title"] = data["title"].strip()
        data.update({name: sorted(ids) for name, ids in self.links.items()})
        return data


class DuplicateForm(DsfrFormMixin, forms.Form):
    class_level = forms.ChoiceField(label="Niveau de la copie", choices=ClassLevel.choices)
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        if levels:
            self.fields["class_level"].choices = levels


class ShareForm(DsfrFormMixin, forms.Form):
    uai = forms.CharField(label="UAI de l'établissement destinataire", max_length=20,
                          help_text="7 chiffres suivis d'une lettre, par exemple 0750654D.",
                          error_messages={"required": "Indiquez l'UAI de l'établissement destinataire."})
