"""The national référentiels: global, versioned data shared by every establishment (not establishment data).

Diploma → ReferentielVersion (e.g. MELEC 2016, MELEC 2024) → blocks/units, activities → tasks, competencies →
success criteria, with the links task ↔ competency and competency ↔ transversal competency (the CC1–CC9 of a
family of trades are ``Competency`` rows of kind ``transversale`` in the family's own version).

The rows are written only by ``python manage.py load_referentiel`` (``referentiels.loader``), which updates them
in place: their primary keys stay stable, so the next modules link to them by key and never copy them. A version
that a learner's evidence points at is immutable (``referentiels.usage``); a correction makes a new version.
"""

from django.core.validators import RegexValidator
from django.db import models

cfd_validator = RegexValidator(r"^[0-9A-Z]{8}$", "Le code CFD compte exactement 8 caractères (chiffres ou majuscules).")


class ClassLevel(models.TextChoices):
    """The class levels a task, a competency or a MEF code applies to (fixed list)."""

    SECONDE = "2NDE", "Seconde"
    PREMIERE = "1RE", "Première"
    TERMINALE = "TLE", "Terminale"
    ANNEE_1 = "1A", "1re année"
    ANNEE_2 = "2A", "2e année"


class Diploma(models.Model):
    class Kind(models.TextChoices):
        BAC_PRO = "BAC_PRO", "Bac Pro"
        CAP = "CAP", "CAP"
        BTS = "BTS", "BTS"
        MC = "MC", "Mention complémentaire"
        FAMILLE = "FAMILLE", "Famille de métiers (seconde commune)"

    # Short stable code, used in URLs and as the key of the Masque de saisie labels (e.g. "MELEC", "CIEL", "2TNE").
    code = models.SlugField("code", max_length=20, unique=True)
    name = models.CharField("intitulé", max_length=255)
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    # The diploma's current CFD (code formation diplôme, 8 characters); blank for a family of trades without one.
    cfd = models.CharField("code CFD", max_length=8, blank=True, validators=[cfd_validator])

    class Meta:
        ordering = ["code"]
        verbose_name = "diplôme"

    def __str__(self):
        return f"{self.get_kind_display()} {self.code} — {self.name}"


class ReferentielVersion(models.Model):
    diploma = models.ForeignKey(Diploma, on_delete=models.PROTECT, related_name="versions", verbose_name="diplôme")
    # Short code within the diploma, used in URLs (e.g. "2024"); ``label`` is the full name ("MELEC 2024").
    code = models.SlugField("code", max_length=20)
    label = models.CharField("libellé", max_length=100, unique=True)
    cfd = models.CharField("code CFD de la version", max_length=8, blank=True, validators=[cfd_validator])
    first_session = models.PositiveSmallIntegerField("première session d'examen", null=True, blank=True)
    source = models.TextField("source (arrêté, annexe)")
    source_url = models.URLField("adresse de la source", max_length=500, blank=True)
    predecessor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
        verbose_name="version précédente",
    )
    # Set by the platform staff to freeze a version by hand; evidence freezes it too (``referentiels.usage``).
    frozen = models.BooleanField("figée", default=False)

    class Meta:
        ordering = ["diploma__code", "code"]
        verbose_name = "version de référentiel"
        verbose_name_plural = "versions de référentiel"
        constraints = [models.UniqueConstraint(fields=["diploma", "code"], name="referentiel_version_code_unique")]

    def __str__(self):
        return self.label

    @property
    def is_used(self) -> bool:
        from referentiels.usage import is_version_used

        return is_version_used(self)


class MefCode(models.Model):
    """A MEF code (10 characters) or MEF prefix that maps a SIECLE learner to a version and a class level."""

    version = models.ForeignKey(ReferentielVersion, on_delete=models.CASCADE, related_name="mef_codes")
    code = models.CharField("code ou préfixe MEF", max_length=11, unique=True)
    class_level = models.CharField("niveau", max_length=4, choices=ClassLevel.choices, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "code MEF"
        verbose_name_plural = "codes MEF"

    def __str__(self):
        return self.code


class Block(models.Model):
    """A certification block or unit (U2, U31… in 2016; B1… in 2024) or a pôle d'activités."""

    class Kind(models.TextChoices):
        UNIT = "unite", "Unité"
        BLOCK = "bloc", "Bloc de compétences"
        POLE = "pole", "Pôle d'activités"

    version = models.ForeignKey(ReferentielVersion, on_delete=models.CASCADE, related_name="blocks")
    code = models.CharField("code", max_length=20)
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    label = models.CharField("intitulé", max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "position"]
        verbose_name = "bloc ou unité"
        verbose_name_plural = "blocs et unités"
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="referentiel_block_code_unique")]

    def __str__(self):
        return f"{self.code} — {self.label}"


class Activity(models.Model):
    version = models.ForeignKey(ReferentielVersion, on_delete=models.CASCADE, related_name="activities")
    block = models.ForeignKey(Block, null=True, blank=True, on_delete=models.CASCADE, related_name="activities")
    code = models.CharField("code", max_length=20)
    label = models.CharField("intitulé", max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "position"]
        verbose_name = "activité"
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="referentiel_activity_code_unique")]

    def __str__(self):
        return f"{self.code} — {self.label}"


class Task(models.Model):
    version = models.ForeignKey(ReferentielVersion, on_delete=models.CASCADE, related_name="tasks")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField("code", max_length=20)  # exactly as published: "T1-1" (2016), "T1.1" (2024)
    label = models.CharField("intitulé", max_length=500)
    position = models.PositiveSmallIntegerField(default=0)
    class_levels = models.JSONField("niveaux", default=list, blank=True)  # ClassLevel values; empty = all

    class Meta:
        ordering = ["version_id", "position"]
        verbose_name = "tâche"
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="referentiel_task_code_unique")]

    def __str__(self):
        return f"{self.code} — {self.label}"


class Competency(models.Model):
    class Kind(models.TextChoices):
        PROFESSIONAL = "professionnelle", "Compétence professionnelle"
        TRANSVERSAL = "transversale", "Compétence transversale (commune à la famille de métiers)"

    version = models.ForeignKey(ReferentielVersion, on_delete=models.CASCADE, related_name="competencies")
    code = models.CharField("code", max_length=20)
    kind = models.CharField("type", max_length=20, choices=Kind.choices, default=Kind.PROFESSIONAL)
    label = models.CharField("intitulé", max_length=500)
    position = models.PositiveSmallIntegerField(default=0)
    class_levels = models.JSONField("niveaux", default=list, blank=True)  # ClassLevel values; empty = all

    class Meta:
        ordering = ["version_id", "position"]
        verbose_name = "compétence"
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="referentiel_competency_code_unique")]

    def __str__(self):
        return f"{self.code} — {self.label}"


class Criterion(models.Model):
    """A success criterion (critère / indicateur de réussite) of a competency, in published order (1, 2…)."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField("rang")
    label = models.TextField("libellé")

    class Meta:
        ordering = ["competency_id", "position"]
        verbose_name = "critère de réussite"
        verbose_name_plural = "critères de réussite"
        constraints = [
            models.UniqueConstraint(fields=["competency", "position"], name="referentiel_criterion_position_unique")
        ]

    def __str__(self):
        return f"{self.competency.code} › {self.position}"


class BlockCompetency(models.Model):
    """A competency assessed in a block/unit (a competency may belong to several units)."""

    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="competency_links")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="block_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["block", "competency"], name="referentiel_block_comp_unique")]

    def __str__(self):
        return f"{self.block_id} ↔ {self.competency_id}"


class TaskCompetency(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="competency_links")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="task_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "competency"], name="referentiel_task_comp_unique")]

    def __str__(self):
        return f"{self.task_id} ↔ {self.competency_id}"


class CompetencyTransversal(models.Model):
    """A professional competency ↔ a transversal competency of its family (e.g. MELEC 2024 C1 ↔ 2TNE CC1)."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="transversal_links")
    transversal = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="professional_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["competency", "transversal"], name="referentiel_comp_transversal_unique")
        ]

    def __str__(self):
        return f"{self.competency_id} ↔ {self.transversal_id}"


class CodeCorrespondence(models.Model):
    """Renovation map: a code of the predecessor version → a code of this version (kept for the evidence)."""

    class Kind(models.TextChoices):
        TASK = "tache", "Tâche"
        COMPETENCY = "competence", "Compétence"

    version = models.ForeignKey(ReferentielVersion, on_delete=models.CASCADE, related_name="correspondences")
    kind = models.CharField("type", max_length=12, choices=Kind.choices)
    old_code = models.CharField("code de la version précédente", max_length=20)
    new_code = models.CharField("code de cette version", max_length=20)

    class Meta:
        ordering = ["version_id", "kind", "old_code", "new_code"]
        verbose_name = "correspondance de codes"
        verbose_name_plural = "correspondances de codes"
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind", "old_code", "new_code"], name="referentiel_correspondence_unique"
            )
        ]

    def __str__(self):
        return f"{self.old_code} → {self.new_code}"


# Establishment data standing on the référentiels (subscriptions, cohorts): its own module, imported here so Django
# finds the models.
from .establishment_models import Cohort, Subscription  # noqa: E402, F401
