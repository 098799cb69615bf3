"""The evidence model (issue 12): observations, the grids they are entered on, the bilans that retain levels.

Imported at the end of ``pedagogy.models``.

- ``Observation``: one learner observed on one criterion (or a whole competency when ``criterion`` is empty), a
  ``Level`` of the scale, a ``Type`` (formative, certificative, en entreprise), a date, an observer and a source
  (a grid, a PFMP placement). Every module that evaluates writes observations through ``pedagogy.evidence``.
- ``EvaluationSettings``: the establishment's parameters of the proposed level (``pedagogy.levels``).
- ``Grid``: a grille de positionnement made from a scenario for chosen learners; its cells are observations.
- ``Bilan`` / ``BilanLine``: a bilan intermédiaire of a learner for an official period; the teacher retains a level
  per competency. A validated bilan is a frozen snapshot.
"""

from django.conf import settings
from django.db import models

from accounts.learner_data import learner_data, not_learner_data
from establishments.scoping import EstablishmentOwned


class Level(models.IntegerChoices):
    """The scale: NE plus the four degrees of the LSL (« livret scolaire du lycée »)."""

    NE = 0, "NE – non évalué"
    NOT_MASTERED = 1, "Non maîtrisé"
    INSUFFICIENT = 2, "Insuffisamment maîtrisé"
    MASTERED = 3, "Maîtrisé"
    WELL_MASTERED = 4, "Bien maîtrisé"


class EvaluationType(models.TextChoices):
    FORMATIVE = "formative", "Formative"
    CERTIFICATIVE = "certificative", "Certificative"
    COMPANY = "entreprise", "En entreprise"


@not_learner_data("paramètres de l'établissement")
class EvaluationSettings(EstablishmentOwned):
    """How the proposed level is computed (README « Niveau proposé »); one row per establishment, or defaults."""

    half_life_days = models.PositiveSmallIntegerField(
        "demi-vie d'une observation (jours)", default=90,
        help_text="Une observation de cet âge pèse deux fois moins qu'une observation du jour.")
    formative_weight = models.DecimalField("poids d'une évaluation formative", max_digits=4, decimal_places=2,
                                           default=1)
    certificative_weight = models.DecimalField("poids d'une évaluation certificative", max_digits=4,
                                               decimal_places=2, default=2)
    company_weight = models.DecimalField("poids d'une évaluation en entreprise", max_digits=4, decimal_places=2,
                                         default=1)

    class Meta:
        verbose_name = "paramètres de l'évaluation"
        verbose_name_plural = "paramètres de l'évaluation"
        constraints = [models.UniqueConstraint(fields=["establishment"], name="evaluation_settings_unique")]


@not_learner_data("grille créée par un enseignant ; les niveaux de chaque apprenant sont des Observation")
class Grid(EstablishmentOwned):
    """A grille de positionnement: learners × the competencies of a scenario (expandable to their criteria)."""

    scenario = models.ForeignKey("pedagogy.Scenario", on_delete=models.PROTECT, related_name="grids",
                                 verbose_name="scénario")
    title = models.CharField("titre", max_length=255)
    type = models.CharField("type d'évaluation", max_length=15, choices=EvaluationType.choices,
                            default=EvaluationType.FORMATIVE)
    date = models.DateField("date")
    learners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True,
                                      verbose_name="apprenants")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="créée par")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    # The token of the form that created it: a second POST of the same form finds this grid.
    creation_token = models.CharField("jeton de création", max_length=64, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "grille de positionnement"
        verbose_name_plural = "grilles de positionnement"
        constraints = [
            models.UniqueConstraint(fields=["establishment", "creation_token"], condition=~models.Q(creation_token=""),
                                    name="grid_creation_token_unique"),
        ]

    def __str__(self) -> str:
        return self.title


def _detach_observation(queryset, moves) -> int:
    """An observation moves with its learner; the old school's grid and observer stay behind (the source is text)."""
    return moves.in_place(grid=None, observer=None)


@learner_data(move=_detach_observation)
class Observation(EstablishmentOwned):
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="observations",
                                verbose_name="apprenant")
    competency = models.ForeignKey("referentiels.Competency", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="compétence")
    criterion = models.ForeignKey("referentiels.Criterion", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="critère")  # empty: the whole competency
    level = models.PositiveSmallIntegerField("niveau", choices=Level.choices)
    type = models.CharField("type", max_length=15, choices=EvaluationType.choices)
    date = models.DateField("date")
    observer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="observé par")
    observer_name = models.CharField("observé par", max_length=300, blank=True)
    grid = models.ForeignKey(Grid, null=True, blank=True, on_delete=models.CASCADE, related_name="observations",
                             verbose_name="grille")
    placement = models.ForeignKey("periods.Placement", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="observations", verbose_name="période en entreprise")
    source_label = models.CharField("source", max_length=300, blank=True)  # « Grille « … » du 12/03/2027 »
    comment = models.TextField("commentaire", blank=True)
    revision = models.PositiveIntegerField("révision", default=1)  # a grid cell changed since it was loaded
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = "observation"
        verbose_name_plural = "observations"
        indexes = [models.Index(fields=["establishment", "learner", "competency"], name="observation_learner_idx")]
        constraints = [
            # A grid has one cell per learner and criterion, or per learner and whole competency.
            models.UniqueConstraint(fields=["grid", "learner", "criterion"],
                                    condition=models.Q(grid__isnull=False, criterion__isnull=False),
                                    name="observation_grid_criterion_cell"),
            models.UniqueConstraint(fields=["grid", "learner", "competency"],
                                    condition=models.Q(grid__isnull=False, criterion__isnull=True),
                                    name="observation_grid_competency_cell"),
            models.CheckConstraint(condition=models.Q(level__gte=0, level__lte=4), name="observation_level_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} · {self.competency_id} · {self.level}"


def _detach_bilan(queryset, moves) -> int:
    """A bilan moves with its learner; the old school's period and people stay behind (kept as text)."""
    return moves.in_place(period=None, author=None, validated_by=None)


@learner_data(move=_detach_bilan)
class Bilan(EstablishmentOwned):
    class Status(models.TextChoices):
        DRAFT = "brouillon", "Brouillon"
        VALIDATED = "valide", "Validé"

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bilans",
                                verbose_name="apprenant")
    period = models.ForeignKey("periods.OfficialPeriod", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="bilans", verbose_name="période")
    # Copied from the period: a bilan moved by a transfer still says which period it was.
    period_label = models.CharField("période", max_length=100)
    period_start = models.DateField("début de la période")
    period_end = models.DateField("fin de la période")
    version = models.ForeignKey("referentiels.ReferentielVersion", on_delete=models.PROTECT, related_name="+",
                                verbose_name="version du référentiel")
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.DRAFT)
    appreciation = models.TextField("appréciation", blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="rédigé par")
    author_name = models.CharField("rédigé par", max_length=300, blank=True)
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="validé par")
    validated_by_name = models.CharField("validé par", max_length=300, blank=True)
    revision = models.PositiveIntegerField("révision", default=1)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["period_start", "id"]
        verbose_name = "bilan intermédiaire"
        verbose_name_plural = "bilans intermédiaires"
        constraints = [
            models.UniqueConstraint(fields=["period", "learner"], condition=models.Q(period__isnull=False),
                                    name="bilan_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period_label} · {self.learner_id}"


@learner_data(learner="bilan__learner")
class BilanLine(EstablishmentOwned):
    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="lines", verbose_name="bilan")
    competency = models.ForeignKey("referentiels.Competency", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="compétence")
    proposed_level = models.PositiveSmallIntegerField("niveau proposé", choices=Level.choices, null=True,
                                                      blank=True)
    retained_level = models.PositiveSmallIntegerField("niveau retenu", choices=Level.choices, default=Level.NE)
    observation_count = models.PositiveIntegerField("observations", default=0)

    class Meta:
        ordering = ["bilan_id", "competency__position", "id"]
        verbose_name = "niveau retenu d'un bilan"
        verbose_name_plural = "niveaux retenus des bilans"
        constraints = [models.UniqueConstraint(fields=["bilan", "competency"], name="bilan_line_unique")]

    def __str__(self) -> str:
        return f"{self.bilan_id} · {self.competency_id} · {self.retained_level}"
