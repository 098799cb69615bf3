"""Forms of the portfolio: the company and the tutor, a fiche activité."""

from django import forms
from django.core.exceptions import ValidationError

from . import portfolio


class CompanyForm(forms.Form):
    company_name = forms.CharField(label="Entreprise", max_length=255)
    company_siret = forms.CharField(label="SIRET", max_length=20, required=False,
                                    help_text="Facultatif : 14 chiffres (vérifiés).")
    company_address = forms.CharField(label="Adresse de l'entreprise", required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    tutor_name = forms.CharField(label="Tuteur ou maître d'apprentissage", max_length=255, required=False)
    tutor_email = forms.EmailField(label="E-mail du tuteur", required=False)
    tutor_phone = forms.CharField(label="Téléphone du tuteur", max_length=40, required=False)

    def clean_company_siret(self):
        return portfolio.clean_siret(self.cleaned_data.get("company_siret", ""))


class FicheForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label="Titre de l'activité", max_length=255)
    date = forms.DateField(label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                           input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    description = forms.CharField(label="Ce que j'ai fait", widget=forms.Textarea(attrs={"rows": 6}))
    upload = forms.FileField(label="Fichier (facultatif)", required=False,
                             help_text="PDF, ODT, DOCX, XLSX, PNG ou JPEG.")

    def __init__(self, *args, placement=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.placement = placement
        self.task_ids: list[int] = []

    def clean(self):
        cleaned = super().clean()
        try:
            self.task_ids = portfolio.check_tasks(self.placement, self.data.getlist("tasks") if self.data else [])
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class ReviewForm(forms.Form):
    comment = forms.CharField(label="Commentaire de l'enseignant", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
