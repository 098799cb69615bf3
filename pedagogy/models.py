"""Pedagogy data: the scenario form mask (Paramètres › Masque de saisie) and the teaching scenarios."""

from django.conf import settings
from django.db import models

from accounts.learner_data import not_learner_data
from establishments.scoping import EstablishmentOwned
from referentiels.models import ClassLevel


class ScenarioField(models.TextChoices):
    """Fields of the scenario form whose label an establishment may rename (Paramètres › Masque de saisie).

    The second member of each pair is the product's default label.
    """

    TITLE = "title", "Titre"
    CONTEXT = "context", "Contexte"
    REFERENTIAL_LINK = "referential_link", "Liaison avec le référentiel"
    TRANSVERSAL_LINK = "transversal_link", "Liaison avec les compétences transversales"
    RESOURCES = "resources", "Ressources"


class ScenarioFieldLabel(EstablishmentOwned):
    """An establishment's own label for one field of the scenario form, for one diploma.

    Only renamed labels are stored; a missing row means the default. Read them through
    ``pedagogy.selectors.scenario_field_label``.
    """

    diploma_code = models.CharField("diplôme", max_length=40)
    field = models.CharField("champ", max_length=30, choices=ScenarioField.choices)
    label = models.CharField("intitulé", max_length=120)

    class Meta:
        db_table = "establishments_scenariofieldlabel"  # the table keeps the name it was born with
        verbose_name = "intitulé du masque de saisie"
        verbose_name_plural = "intitulés du masque de saisie"
        ordering = ["diploma_code", "field"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "diploma_code", "field"],
                                    name="scenario_field_label_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.diploma_code} · {self.get_field_display()} → {self.label}"


# ---------------------------------------------------------------------------------------------------------------
# Scénarios pédagogiques (issue 11)
# ---------------------------------------------------------------------------------------------------------------


@not_learner_data("scénario écrit par des enseignants ; aucune donnée d'apprenant, le lien auteur est un enseignant")
class Scenario(EstablishmentOwned):
    """A teaching scenario (« scénario pédagogique ») for one diploma version and one class level.

    Links point to the référentiel rows of ``version`` by key (never copied). ``revision`` grows by one at each
    save and guards against a stale form overwriting someone else's change (``pedagogy.scenarios.save_scenario``).
    """

    version = models.ForeignKey("referentiels.ReferentielVersion", on_delete=models.PROTECT,
                                related_name="scenarios", verbose_name="version du référentiel")
    class_level = models.CharField("niveau", max_length=4, choices=ClassLevel.choices)
    title = models.CharField("titre", max_length=255)
    co_intervention = models.BooleanField("co-intervention", default=False)
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="scenarios", verbose_name="auteurs",
                                     blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="créé par")
    # Context (the five parts of the form: title, context, link with the référentiel, transversal, resources)
    situation = models.TextField("situation professionnelle, problématique et missions", blank=True)
    equipment = models.TextField("équipements et logiciels", blank=True)
    training_spaces = models.TextField("espaces de formation", blank=True)
    tasks = models.ManyToManyField("referentiels.Task", related_name="+", blank=True, verbose_name="tâches")
    competencies = models.ManyToManyField("referentiels.Competency", related_name="+", blank=True,
                                          verbose_name="compétences")
    criteria = models.ManyToManyField("referentiels.Criterion", related_name="+", blank=True,
                                      verbose_name="critères de réussite")
    transversal_competencies = models.ManyToManyField("referentiels.Competency", related_name="+", blank=True,
                                                      verbose_name="compétences transversales")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    revision = models.PositiveIntegerField("révision", default=1)
    updated_by_name = models.CharField("modifié par", max_length=255, blank=True)
    # The token of the form that created it: a second POST of the same form (double click) finds this scenario
    # instead of creating another (``pedagogy.scenarios``).
    creation_token = models.CharField("jeton de création", max_length=64, blank=True)
    # Received from another establishment (« Scénarios reçus »): copied as text, the source may disappear.
    origin_uai = models.CharField("reçu de l'établissement (UAI)", max_length=8, blank=True)
    origin_establishment_name = models.CharField("reçu de l'établissement", max_length=255, blank=True)
    origin_title = models.CharField("titre d'origine", max_length=255, blank=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = "scénario pédagogique"
        verbose_name_plural = "scénarios pédagogiques"
        indexes = [models.Index(fields=["establishment", "version", "class_level"], name="scenario_list_idx")]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "creation_token"], condition=~models.Q(creation_token=""),
                                    name="scenario_creation_token_unique"),
        ]

    def __str__(self) -> str:
        return self.title


@not_learner_data("ressource d'un scénario (lien ou fichier d'enseignant) ; aucune donnée d'apprenant")
class ScenarioResource(EstablishmentOwned):
    """A resource of a scenario: a link, or a file stored privately (upload and download: ``pedagogy.resources``)."""

    class Kind(models.TextChoices):
        LINK = "link", "Lien"
        FILE = "file", "Fichier"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="resources",
                                 verbose_name="scénario")
    kind = models.CharField("type", max_length=4, choices=Kind.choices)
    title = models.CharField("titre", max_length=255)
    url = models.URLField("adresse", max_length=1000, blank=True)
    file_path = models.CharField("fichier (chemin sous MEDIA_ROOT)", max_length=500, blank=True)
    size = models.PositiveBigIntegerField("taille", null=True, blank=True)
    content_type = models.CharField("type de contenu", max_length=100, blank=True)
    position = models.PositiveIntegerField("rang", default=0)
    created_at = models.DateTimeField("ajouté le", auto_now_add=True)

    class Meta:
        ordering = ["scenario_id", "position", "id"]
        verbose_name = "ressource d'un scénario"
        verbose_name_plural = "ressources des scénarios"

    def __str__(self) -> str:
        return self.title


@not_learner_data("partage d'un scénario entre établissements ; aucune donnée d'apprenant")
class ScenarioShare(EstablishmentOwned):
    """A scenario sent by another establishment, owned by the *receiving* establishment (``establishment``).

    The sender's scenario is copied at sending time into ``snapshot`` (text fields, référentiel keys, link
    resources), so the receiver imports it without reading the sender's data; nothing of learners travels.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "À importer"
        IMPORTED = "imported", "Importé"

    from_establishment = models.ForeignKey("establishments.Establishment", on_delete=models.CASCADE,
                                           related_name="+", verbose_name="envoyé par l'établissement")
    from_scenario_id = models.PositiveBigIntegerField("scénario d'origine (identifiant)", null=True, blank=True)
    from_uai = models.CharField("UAI d'origine", max_length=8)
    from_name = models.CharField("établissement d'origine", max_length=255)
    sent_by_name = models.CharField("envoyé par", max_length=255, blank=True)
    title = models.CharField("titre", max_length=255)
    version = models.ForeignKey("referentiels.ReferentielVersion", on_delete=models.PROTECT, related_name="+",
                                verbose_name="version du référentiel")
    class_level = models.CharField("niveau", max_length=4, choices=ClassLevel.choices)
    snapshot = models.JSONField("contenu", default=dict)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("reçu le", auto_now_add=True)
    imported_at = models.DateTimeField("importé le", null=True, blank=True)
    imported_scenario = models.ForeignKey(Scenario, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+", verbose_name="copie importée")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "scénario reçu"
        verbose_name_plural = "scénarios reçus"

    def __str__(self) -> str:
        return f"{self.from_uai} · {self.title}"


# Evaluation (issue 12): observations, grids, bilans -------------------------------------------------------------
from .evaluation_models import (  # noqa: E402, F401
    Bilan,
    BilanLine,
    EvaluationSettings,
    EvaluationType,
    Grid,
    Level,
    Observation,
)

# Grilles de positionnement (issue 12) ----------------------------------------------------------------------------
from .grid_models import GridNote  # noqa: E402, F401

# Bilan entreprise of a PFMP (issue 13) ------------------------------------------------------------------------
# isort: split
from .company_models import CompanyBilan, CompanyBilanLine, TutorLink  # noqa: E402, F401

# isort: split
# Book des apprenants (issue 14): achievements, their files, the teachers' comments --------------------------------
from .book_models import Achievement, AchievementComment, AchievementFile  # noqa: E402, F401
