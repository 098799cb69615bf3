"""Import history: one ``ImportRun`` per upload (analysis, then import), its report lines, MEF labels."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from establishments.scoping import EstablishmentOwned


class Kind(models.TextChoices):
    """What an import counts (the ``--json`` keys of ``import_files``)."""

    TEACHERS = "teachers", "Enseignants"
    HEADS = "heads", "Chefs d'établissement"
    LEARNERS = "learners", "Apprenants"
    GUARDIANS = "guardians", "Responsables"
    DIVISIONS = "divisions", "Classes"
    GROUPS = "groups", "Groupes"


PERSON_KINDS = (Kind.TEACHERS, Kind.HEADS, Kind.LEARNERS, Kind.GUARDIANS)


class Action(models.TextChoices):
    CREATED = "created", "Créés"
    KEPT = "kept", "Conservés"
    DEACTIVATED = "deactivated", "Désactivés"
    REACTIVATED = "reactivated", "Réactivés"


def lease_seconds() -> int:
    """How long a run's work may go without a heartbeat before it counts as dead (``IMPORT_LEASE_SECONDS``)."""
    return int(getattr(settings, "IMPORT_LEASE_SECONDS", 300))


class ImportRun(EstablishmentOwned):
    """One import: the files received, the analysis shown, then the report of what was written.

    The uploaded files live in a private directory (``MEDIA_ROOT/imports/<UAI>/<token>/``, never served) only
    between the upload and the import; the report stays (history of imports).
    """

    class Source(models.TextChoices):
        SIECLE = "siecle", "SIECLE / STS-web"
        CSV = "csv", "Fichier hors SIECLE (CSV)"

    class Status(models.TextChoices):
        PENDING = "pending", "En attente d'analyse"
        ANALYSING = "analysing", "Analyse en cours"
        ANALYSED = "analysed", "Analysé : en attente de votre confirmation"
        REFUSED = "refused", "Refusé"
        APPLYING = "applying", "Import en cours"
        APPLIED = "applied", "Importé"
        FAILED = "failed", "Échec de l'import"
        STALE = "stale", "Base modifiée depuis l'analyse : à analyser de nouveau"
        ABANDONED = "abandoned", "Abandonné"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField("origine", max_length=10, choices=Source.choices, default=Source.SIECLE)
    status = models.CharField("état", max_length=12, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="par",
    )
    # Copied: the history stays readable once the account is purged.
    created_by_name = models.CharField("par", max_length=300, blank=True)
    created_at = models.DateTimeField("reçu le", default=timezone.now)
    analysed_at = models.DateTimeField("analysé le", null=True, blank=True)
    applied_at = models.DateTimeField("importé le", null=True, blank=True)
    # The day the exit dates are compared with (frozen at upload: analysis and import agree).
    today = models.DateField("date de référence")
    # [{"name": …, "size": …, "sha256": …, "stored": …, "expected": […]}]
    files = models.JSONField("fichiers", default=list)
    kinds = models.JSONField("sortes de fichiers", default=list)
    # Set once applied with an STS-web file: SIECLE files are refused until one such import exists.
    includes_sts = models.BooleanField("avec le fichier STS-web", default=False)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    stage = models.CharField("étape", max_length=200, blank=True)
    # Digest of the plan shown at analysis: the import applies it only if the base still gives the same plan.
    plan_digest = models.CharField(max_length=64, blank=True)
    # What the analysis found: counts and lists (names, logins, classes), for the page.
    summary = models.JSONField("analyse", default=dict, blank=True)
    counts = models.JSONField("bilan", default=dict, blank=True)
    problems = models.JSONField("problèmes", default=list, blank=True)
    learners_without_ine = models.PositiveIntegerField("apprenants sans INE", default=0)
    error = models.TextField("cause", blank=True)
    # Lease of the work in progress: refreshed while an analysis or an import runs (services._heartbeat). A run
    # still "en cours" whose heartbeat is older than ``lease_seconds()`` lost its worker (killed, restarted).
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)

    class Meta:
        verbose_name = "importation"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["establishment", "-created_at"], name="import_run_establishment_date")]

    def __str__(self) -> str:
        return f"Import du {timezone.localtime(self.created_at):%d/%m/%Y %H:%M} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.ANALYSING, self.Status.APPLYING)

    @property
    def is_interrupted(self) -> bool:
        """Still "en cours", but its work gave no sign of life for a whole lease: its worker died."""
        if not self.is_running:
            return False
        last = self.heartbeat_at or self.created_at
        return last < timezone.now() - timedelta(seconds=lease_seconds())

    @property
    def file_names(self) -> str:
        return ", ".join(f["name"] for f in self.files)

    @property
    def count_lines(self) -> list[str]:
        """« Apprenants : 10 créés, 2 désactivés », one line per kind with something to say."""
        lines = []
        for kind in Kind:
            figures = self.counts.get(kind.value) or {}
            parts = [f"{figures[a.value]} {a.label.lower()}" for a in Action if figures.get(a.value)]
            if parts:
                lines.append(f"{kind.label} : {', '.join(parts)}")
        return lines

    @property
    def error_problems(self) -> list[dict]:
        return [p for p in self.problems if p.get("severity") == "error"]

    @property
    def warning_problems(self) -> list[dict]:
        return [p for p in self.problems if p.get("severity") != "error"]


class ImportRunEntry(EstablishmentOwned):
    """A user the import deactivated or reactivated, or kept while changing their class or groups.

    The users it created are those whose ``imported_at`` is the run's ``applied_at`` (selectors.report_lines).
    """

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    action = models.CharField(max_length=12, choices=Action.choices)
    changes = models.CharField("modifications", max_length=500, blank=True)

    class Meta:
        verbose_name = "ligne du rapport d'import"
        ordering = ["pk"]
        indexes = [models.Index(fields=["run", "kind", "action"], name="import_entry_run_kind")]


class MefLabel(EstablishmentOwned):
    """A MEF (formation) label read from STS-web, so a later learners' import can name each learner's MEF."""

    code = models.CharField("code MEF", max_length=20)
    label = models.CharField("libellé", max_length=200)

    class Meta:
        verbose_name = "libellé de MEF"
        constraints = [models.UniqueConstraint(fields=["establishment", "code"], name="mef_label_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"
