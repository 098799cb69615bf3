from django.conf import settings
from django.db import models
from django.db.models import Q

from establishments.scoping import EstablishmentOwned


class Direction(models.TextChoices):
    OUTGOING = "sortant", "Sortant"
    INCOMING = "entrant", "Entrant"


class TransferRecord(EstablishmentOwned):
    """One side of an automatic transfer attempt, as shown in Paramètres › Transferts.

    Each attempt is written on both sides: the origin's record is ``sortant``, the destination's ``entrant``.
    A learner's data leave an establishment at most once: the database refuses a second done record.
    """

    direction = models.CharField("sens", max_length=7, choices=Direction.choices)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="apprenant",
    )
    learner_name = models.CharField("apprenant", max_length=300)
    ine = models.CharField("INE", max_length=11)
    other_uai = models.CharField("UAI de l'autre établissement", max_length=8)
    attempted_at = models.DateTimeField("date", auto_now_add=True)
    done = models.BooleanField("effectué", default=False)
    cause = models.CharField("cause", max_length=300, blank=True)

    class Meta:
        verbose_name = "transfert"
        ordering = ["-attempted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "direction", "learner"], condition=Q(done=True),
                name="transfer_done_once_per_learner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.learner_name} ({self.other_uai})"


class ManualTransferRequest(EstablishmentOwned):
    """A transfer the origin's administrator authorises towards an establishment without SIECLE (CFA, GRETA).

    The platform staff carry it out and mark it done in their console.
    """

    class Consent(models.TextChoices):
        LEARNER = "apprenant", "Consentement de l'apprenant"
        GUARDIANS = "responsables", "Consentement des responsables légaux"

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                verbose_name="apprenant")
    destination_uai = models.CharField("UAI de destination", max_length=8)
    consent = models.CharField("consentement", max_length=12, choices=Consent.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+", verbose_name="demandé par")
    requested_at = models.DateTimeField("demandé le", auto_now_add=True)
    done = models.BooleanField("effectué", default=False)
    done_at = models.DateTimeField("effectué le", null=True, blank=True)

    class Meta:
        verbose_name = "demande de transfert manuel"
        ordering = ["-requested_at"]


class DailyJob(models.TextChoices):
    TRANSFERS = "transferts", "Transferts automatiques"
    PURGE = "purge_rgpd", "Purge RGPD"


class DailyJobRun(models.Model):
    """One run of a daily job for one day (global: the jobs work across establishments).

    The (job, day) pair is unique: a run that finished makes any other run of that day a no-op. A run that
    started but never finished (a crashed worker) is resumed by the next one; the jobs are safe to resume.
    """

    job = models.CharField("tâche", max_length=20, choices=DailyJob.choices)
    run_date = models.DateField("jour")
    started_at = models.DateTimeField("commencée le")
    finished_at = models.DateTimeField("terminée le", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("passages", default=1)
    result = models.JSONField("résultat", default=dict, blank=True)

    class Meta:
        verbose_name = "exécution d'une tâche quotidienne"
        verbose_name_plural = "exécutions des tâches quotidiennes"
        ordering = ["-run_date", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "run_date"], name="daily_job_once_per_day")]

    def __str__(self) -> str:
        return f"{self.get_job_display()} du {self.run_date:%d/%m/%Y}"
