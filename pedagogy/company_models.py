"""The bilan entreprise of a PFMP (issue 13): co-evaluated by the referent teacher and the company's tutor.

Imported at the end of ``pedagogy.models``. One ``CompanyBilan`` per ``periods.Placement``; its lines are the
competencies (or criteria) the teacher selected on the portfolio. The tutor, who has no account, fills it through
a ``TutorLink`` (a random token, stored hashed, valid until a date, for this bilan only). Once the teacher
validates it, its levels become observations « en entreprise » (``pedagogy.evidence``).
"""

from django.conf import settings
from django.db import models

from accounts.learner_data import learner_data
from establishments.scoping import EstablishmentOwned

from .evaluation_models import Level


def _detach_company_bilan(queryset, moves) -> int:
    """A bilan moves with its learner; the old school's teacher who validated it stays behind (kept as text)."""
    return moves.in_place(validated_by=None)


@learner_data(learner="placement__learner", move=_detach_company_bilan)
class CompanyBilan(EstablishmentOwned):
    class Status(models.TextChoices):
        DRAFT = "brouillon", "En cours"
        SIGNED = "signe", "Signé par le tuteur, à valider"
        VALIDATED = "valide", "Validé"

    placement = models.OneToOneField("periods.Placement", on_delete=models.CASCADE, related_name="company_bilan",
                                     verbose_name="apprenant en entreprise")
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.DRAFT)
    appreciation = models.TextField("appréciation", blank=True)
    tutor_signed_name = models.CharField("signé par (tuteur)", max_length=255, blank=True)
    tutor_signed_on = models.DateField("signé le", null=True, blank=True)
    from_paper = models.BooleanField("saisi depuis la version papier", default=False)
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="validé par")
    validated_by_name = models.CharField("validé par", max_length=300, blank=True)
    revision = models.PositiveIntegerField("révision", default=1)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["placement_id"]
        verbose_name = "bilan entreprise"
        verbose_name_plural = "bilans entreprise"

    def __str__(self) -> str:
        return f"Bilan entreprise · {self.placement_id}"


@learner_data(learner="bilan__placement__learner")
class CompanyBilanLine(EstablishmentOwned):
    bilan = models.ForeignKey(CompanyBilan, on_delete=models.CASCADE, related_name="lines", verbose_name="bilan")
    competency = models.ForeignKey("referentiels.Competency", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="compétence")
    criterion = models.ForeignKey("referentiels.Criterion", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="critère")  # empty: the whole competency
    level = models.PositiveSmallIntegerField("niveau", choices=Level.choices, default=Level.NE)

    class Meta:
        ordering = ["bilan_id", "competency__position", "criterion__position", "id"]
        verbose_name = "niveau d'un bilan entreprise"
        verbose_name_plural = "niveaux des bilans entreprise"
        constraints = [
            models.UniqueConstraint(fields=["bilan", "competency", "criterion"], name="company_line_criterion",
                                    condition=models.Q(criterion__isnull=False)),
            models.UniqueConstraint(fields=["bilan", "competency"], name="company_line_competency",
                                    condition=models.Q(criterion__isnull=True)),
            models.CheckConstraint(condition=models.Q(level__gte=0, level__lte=4), name="company_line_scale"),
        ]


def _revoke_links(queryset, moves) -> int:
    """A tutor's link never works in another school: it moves revoked, its sender left behind."""
    from django.utils import timezone

    return moves.in_place(created_by=None, revoked_at=timezone.now())


@learner_data(learner="bilan__placement__learner", move=_revoke_links)
class TutorLink(EstablishmentOwned):
    """A single-purpose link e-mailed to the tutor: this bilan only, until ``expires_on`` (included)."""

    bilan = models.ForeignKey(CompanyBilan, on_delete=models.CASCADE, related_name="tutor_links",
                              verbose_name="bilan")
    token_hash = models.CharField("empreinte du jeton", max_length=64, unique=True)
    email = models.EmailField("envoyé à")
    expires_on = models.DateField("valable jusqu'au")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="envoyé par")
    created_at = models.DateTimeField("envoyé le", auto_now_add=True)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_reason = models.CharField("motif", max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "lien du tuteur"
        verbose_name_plural = "liens des tuteurs"

    def __str__(self) -> str:
        return f"{self.email} · {self.expires_on}"
