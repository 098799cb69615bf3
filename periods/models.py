"""Periods of the school year: the official periods of each diploma and level, and the work periods in companies.

- ``OfficialPeriod``: the calendar the DDFPT sets on the pilot console (trimesters or semesters, PFMP, LSL periods,
  certification deadlines) per school year, diploma and class level. Bilans intermédiaires are made for the
  periods of ``OfficialPeriod.BILAN_KINDS``.
- ``PedagogicalAnnex``: an « annexe pédagogique » of a diploma version and class level (what a learner should do in
  the company), kept year to year.
- ``WorkPeriod``: a PFMP (pupils) or a « période employeur » (apprentices) declared for a whole class level from
  an annex; its activities are copied from the annex and can be edited without changing it.
- ``Placement``: one learner on one work period (company, tutor, referent teacher, days planned and done, the
  competencies selected for the bilan entreprise). Learner data.
"""

from django.conf import settings
from django.db import models

from accounts.learner_data import learner_data, not_learner_data
from establishments.scoping import EstablishmentOwned
from referentiels.models import ClassLevel


@not_learner_data("calendrier de l'établissement ; aucune donnée d'apprenant")
class OfficialPeriod(EstablishmentOwned):
    class Kind(models.TextChoices):
        TERM = "trimestre", "Trimestre"
        SEMESTER = "semestre", "Semestre"
        PFMP = "pfmp", "PFMP"
        LSL = "lsl", "Période LSL"
        CERTIFICATION = "certification", "Date limite de certification"

    # Bilans intermédiaires are written for these periods (one bilan per learner and period).
    BILAN_KINDS = (Kind.TERM, Kind.SEMESTER)

    school_year = models.ForeignKey("establishments.SchoolYear", on_delete=models.CASCADE, related_name="+",
                                    verbose_name="année scolaire")
    diploma = models.ForeignKey("referentiels.Diploma", on_delete=models.PROTECT, related_name="+",
                                verbose_name="diplôme")
    class_level = models.CharField("niveau", max_length=4, choices=ClassLevel.choices)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    label = models.CharField("intitulé", max_length=100)  # « Trimestre 1 », « PFMP 2 »
    start_date = models.DateField("début")
    end_date = models.DateField("fin")  # a certification deadline has start_date == end_date

    class Meta:
        ordering = ["school_year", "diploma_id", "class_level", "kind", "start_date", "id"]
        verbose_name = "période officielle"
        verbose_name_plural = "périodes officielles"
        indexes = [models.Index(fields=["establishment", "school_year", "diploma", "class_level"],
                                name="official_period_idx")]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "school_year", "diploma", "class_level", "kind", "label"],
                                    name="official_period_label_unique"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="official_period_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.label


@not_learner_data("annexe pédagogique écrite par l'équipe ; aucune donnée d'apprenant")
class PedagogicalAnnex(EstablishmentOwned):
    version = models.ForeignKey("referentiels.ReferentielVersion", on_delete=models.PROTECT, related_name="+",
                                verbose_name="version du référentiel")
    class_level = models.CharField("niveau", max_length=4, choices=ClassLevel.choices)
    title = models.CharField("titre", max_length=255)
    for_apprentices = models.BooleanField("destinée à des apprentis", default=False)
    objectives = models.TextField("objectifs", blank=True)
    tasks = models.ManyToManyField("referentiels.Task", related_name="+", blank=True,
                                   verbose_name="activités prévues en entreprise")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="créée par")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    # The token of the form that created it (creation or duplication): a second POST finds this annex.
    creation_token = models.CharField("jeton de création", max_length=64, blank=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = "annexe pédagogique"
        verbose_name_plural = "annexes pédagogiques"
        constraints = [
            models.UniqueConstraint(fields=["establishment", "creation_token"], condition=~models.Q(creation_token=""),
                                    name="annex_creation_token_unique"),
        ]

    def __str__(self) -> str:
        return self.title


@not_learner_data("période déclarée pour un niveau ; les données de chaque apprenant sont dans Placement")
class WorkPeriod(EstablishmentOwned):
    class Kind(models.TextChoices):
        PFMP = "pfmp", "PFMP"
        EMPLOYER = "employeur", "Période employeur"

    annex = models.ForeignKey(PedagogicalAnnex, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="periods", verbose_name="annexe pédagogique")
    school_year = models.ForeignKey("establishments.SchoolYear", on_delete=models.PROTECT, related_name="+",
                                    verbose_name="année scolaire")
    version = models.ForeignKey("referentiels.ReferentielVersion", on_delete=models.PROTECT, related_name="+",
                                verbose_name="version du référentiel")
    class_level = models.CharField("niveau", max_length=4, choices=ClassLevel.choices)
    kind = models.CharField("type", max_length=10, choices=Kind.choices, default=Kind.PFMP)
    title = models.CharField("titre", max_length=255)
    start_date = models.DateField("début")
    end_date = models.DateField("fin")
    objectives = models.TextField("objectifs", blank=True)
    tasks = models.ManyToManyField("referentiels.Task", related_name="+", blank=True,
                                   verbose_name="activités prévues")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="déclarée par")
    created_at = models.DateTimeField("déclarée le", auto_now_add=True)
    # The token of the form that declared it: a second POST of the same form finds this period.
    creation_token = models.CharField("jeton de création", max_length=64, blank=True)

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = "période en entreprise"
        verbose_name_plural = "périodes en entreprise"
        constraints = [
            models.UniqueConstraint(fields=["establishment", "creation_token"], condition=~models.Q(creation_token=""),
                                    name="work_period_creation_token_unique"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="work_period_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def length_days(self) -> int:
        return (self.end_date - self.start_date).days + 1


def _detach_placement(queryset, moves) -> int:
    """A placement moves with its learner but leaves the old school's period and teacher behind (kept as text)."""
    return moves.in_place(period=None, referent=None)


@learner_data(move=_detach_placement)
class Placement(EstablishmentOwned):
    """One learner on one work period: the company, the tutor, the days, what the bilan entreprise assesses."""

    period = models.ForeignKey(WorkPeriod, null=True, on_delete=models.CASCADE, related_name="placements",
                               verbose_name="période")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="placements",
                                verbose_name="apprenant")
    # Copied from the period, so a placement moved to another establishment (transfer) still says what it was.
    period_title = models.CharField("période", max_length=255, blank=True)
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    company_name = models.CharField("entreprise", max_length=255, blank=True)
    company_siret = models.CharField("SIRET", max_length=14, blank=True)
    company_address = models.TextField("adresse de l'entreprise", blank=True)
    tutor_name = models.CharField("tuteur", max_length=255, blank=True)
    tutor_email = models.EmailField("e-mail du tuteur", blank=True)
    tutor_phone = models.CharField("téléphone du tuteur", max_length=40, blank=True)
    referent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="enseignant référent")
    days_planned = models.PositiveSmallIntegerField("jours prévus", null=True, blank=True)
    days_done = models.PositiveSmallIntegerField("jours effectués", null=True, blank=True)
    days_absent = models.PositiveSmallIntegerField("jours d'absence", default=0)
    days_caught_up = models.PositiveSmallIntegerField("jours rattrapés", default=0)
    # Assessed in the bilan entreprise: whole competencies or some of their criteria.
    assessed_competencies = models.ManyToManyField("referentiels.Competency", related_name="+", blank=True,
                                                   verbose_name="compétences évaluées")
    assessed_criteria = models.ManyToManyField("referentiels.Criterion", related_name="+", blank=True,
                                               verbose_name="critères évalués")

    class Meta:
        ordering = ["period_id", "learner__last_name", "learner__first_name", "id"]
        verbose_name = "apprenant en entreprise"
        verbose_name_plural = "apprenants en entreprise"
        constraints = [
            models.UniqueConstraint(fields=["period", "learner"], name="placement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.period_title} · {self.learner_id}"


from .pfmp_models import WeeksMinimum  # noqa: E402, F401  (settings of the work periods, issue 13)
