"""Upload forms of the imports module (the product's words: « Analyse du fichier »)."""

from django import forms

from accounts.models import User
from establishments.models import Division

from .parsing import DEFAULT_LIMITS, FileKind

MAX_UPLOAD = DEFAULT_LIMITS.max_file_size


class _UploadForm(forms.Form):
    # field name -> kinds of file it accepts (None: any, recognised by content)
    expected: dict[str, list[str] | None] = {}

    def clean(self):
        cleaned = super().clean()
        files = [f for f in (cleaned.get(name) for name in self.expected) if f]
        if not files and not self.errors:
            raise forms.ValidationError("Choisissez au moins un fichier.")
        for upload in files:
            if upload.size > MAX_UPLOAD:
                raise forms.ValidationError(
                    f"« {upload.name} » est trop volumineux (au plus {MAX_UPLOAD // (1024 * 1024)} Mo).")
        return cleaned

    def uploads(self) -> list[tuple]:
        return [(self.cleaned_data[name], kinds) for name, kinds in self.expected.items()
                if self.cleaned_data.get(name)]


class StsUploadForm(_UploadForm):
    """« Importation des enseignants et des chefs d'établissement » (à importer obligatoirement en premier)."""

    expected = {"sts": [FileKind.STS.value]}
    sts = forms.FileField(label="Fichier sts_emp_<UAI>_<année>.xml", required=False,
                          help_text="Export STS-web « Emploi du temps », XML ou ZIP.")


class SiecleUploadForm(_UploadForm):
    """« Import des apprenants et de leurs responsables légaux (SIECLE) »."""

    expected = {"learners": [FileKind.LEARNERS.value], "guardians": [FileKind.GUARDIANS.value], "archive": None}
    learners = forms.FileField(label="Fichier ElevesSansAdresses", required=False,
                               help_text="ElevesSansAdresses.xml, ou ExportXML_ElevesSansAdresses.zip.")
    guardians = forms.FileField(label="Fichier ResponsablesAvecAdresses", required=False,
                                help_text="ResponsablesAvecAdresses.xml, ou ResponsablesAvecAdresses.zip.")
    archive = forms.FileField(label="Fichier ZIP", required=False,
                              help_text="Une archive ZIP contenant les deux fichiers, quelle que soit sa taille "
                                        "(conseillé pour les gros établissements).")


class CsvUploadForm(_UploadForm):
    expected = {"csv": None}
    csv = forms.FileField(label="Fichier CSV des apprenants", required=False,
                          help_text="Colonnes : nom;prenom;date_naissance;ine;classe;sexe;groupes "
                                    "(voir le modèle ci-dessus).")


class DivisionForm(forms.Form):
    code = forms.CharField(label="Code de la classe", max_length=40, help_text="Par exemple 2MELEC1.")
    label = forms.CharField(label="Libellé", max_length=200, required=False)

    def __init__(self, *args, establishment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.establishment = establishment

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if Division.objects.filter(establishment=self.establishment, code__iexact=code).exists():
            raise forms.ValidationError("Cette classe existe déjà.")
        return code


class LearnerForm(forms.Form):
    last_name = forms.CharField(label="Nom", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    birth_date = forms.DateField(label="Date de naissance", help_text="Format jj/mm/aaaa.",
                                 input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    ine = forms.RegexField(label="INE", regex=r"^[0-9A-Za-z]{11}$", required=False, max_length=11,
                           help_text="11 caractères ; laissez vide si l'apprenant n'en a pas.",
                           error_messages={"invalid": "L'INE compte 11 chiffres et lettres."})
    division = forms.ModelChoiceField(label="Classe", queryset=Division.objects.none(), required=False,
                                      empty_label="(aucune)")

    def __init__(self, *args, establishment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.establishment = establishment
        self.fields["division"].queryset = Division.objects.filter(establishment=establishment)

    def clean_ine(self):
        ine = (self.cleaned_data.get("ine") or "").upper() or None
        if ine and User.objects.filter(establishment=self.establishment, ine=ine).exists():
            raise forms.ValidationError("Un utilisateur de l'établissement a déjà cet INE.")
        return ine
