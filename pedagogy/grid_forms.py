"""The form that creates a grille de positionnement (the learners are checked by ``pedagogy.grids``)."""

from django import forms

from accounts.forms import DsfrFormMixin

from .evaluation_models import EvaluationType

GRID_TYPES = [(EvaluationType.FORMATIVE.value, EvaluationType.FORMATIVE.label),
              (EvaluationType.CERTIFICATIVE.value, EvaluationType.CERTIFICATIVE.label)]


class GridForm(DsfrFormMixin, forms.Form):
    title = forms.CharField(label="Titre de la grille", max_length=255, required=False,
                            help_text="Par défaut, le titre du scénario.")
    type = forms.ChoiceField(label="Type d'évaluation", choices=GRID_TYPES,
                             error_messages={"invalid_choice": "Choisissez le type d'évaluation dans la liste."})
    date = forms.DateField(label="Date de l'évaluation", widget=forms.DateInput(attrs={"type": "date"},
                                                                               format="%Y-%m-%d"),
                           input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                           error_messages={"required": "Indiquez la date de l'évaluation.",
                                           "invalid": "Saisissez une date valide (jj/mm/aaaa)."})
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
