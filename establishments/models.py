import datetime
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .scoping import EstablishmentOwned
from .validators import validate_uai


def _generated_name(instance: "Establishment", prefix: str) -> str:
    # The uploaded file name is never trusted nor kept.
    return f"establishments/{instance.uai}/{prefix}-{uuid.uuid4().hex}.png"


def upload_logo(instance: "Establishment", filename: str) -> str:
    return _generated_name(instance, "logo")


def upload_stamp(instance: "Establishment", filename: str) -> str:
    return _generated_name(instance, "cachet")


class Establishment(models.Model):
    """A school (the tenant). Global by nature: every other row of establishment data points to one."""

    uai = models.CharField("UAI", max_length=8, unique=True, validators=[validate_uai])
    name = models.CharField("nom", max_length=200, blank=True)
    email = models.EmailField("e-mail", blank=True)
    address = models.TextField("adresse", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.URLField("site web", blank=True)
    logo = models.ImageField("logo", upload_to=upload_logo, blank=True)
    stamp = models.ImageField("cachet", upload_to=upload_stamp, blank=True)

    transfer_enabled = models.BooleanField("transfert des données des élèves activé", default=False)
    cnil_declaration = models.CharField("numéro de déclaration CNIL", max_length=50, blank=True)
    book_enabled = models.BooleanField("book des apprenants activé", default=False)
    random_initial_passwords = models.BooleanField(
        "mots de passe initiaux aléatoires (au lieu de la date de naissance)", default=False
    )
    is_active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "établissement"
        ordering = ["name", "uai"]

    def __str__(self) -> str:
        return f"{self.name or 'Établissement'} ({self.uai})"

    def get_absolute_url(self) -> str:
        return reverse("tenant:home", kwargs={"uai": self.uai})

    @property
    def display_name(self) -> str:
        return self.name or f"Établissement {self.uai}"

    def missing_identity(self) -> list[str]:
        """Fields the product requires before users are created by hand or passports exported."""
        missing = []
        if not self.name:
            missing.append("le nom")
        if not self.email:
            missing.append("l'adresse e-mail")
        if not self.uai:
            missing.append("le code UAI")
        return missing


class Division(EstablishmentOwned):
    """A class (division in STS-web and SIECLE), e.g. ``2MELEC1``."""

    code = models.CharField("code", max_length=40)
    label = models.CharField("libellé", max_length=200, blank=True)
    created_by_hand = models.BooleanField("créée manuellement", default=False)

    class Meta:
        verbose_name = "classe"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["establishment", "code"], name="division_code_unique")]

    def __str__(self) -> str:
        return self.code


def school_year_start(day) -> int:
    """The calendar year a school year starts in: 1 September to 31 August (2026-10-05 → 2026)."""
    return day.year if day.month >= 9 else day.year - 1


class SchoolYear(EstablishmentOwned):
    """One school year of an establishment, e.g. « 2026-2027 » (1 September to 31 August by default).

    Created by the imports (STS-web and SIECLE carry the year) or on demand; enrolments hang off it.
    """

    start_year = models.PositiveSmallIntegerField("année de début")
    label = models.CharField("année scolaire", max_length=9)
    start_date = models.DateField("début")
    end_date = models.DateField("fin")

    class Meta:
        verbose_name = "année scolaire"
        verbose_name_plural = "années scolaires"
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "start_year"], name="school_year_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    @staticmethod
    def default_values(start_year: int) -> dict:
        """Label and dates of a school year starting in ``start_year`` when nothing else is known."""
        return {
            "label": f"{start_year}-{start_year + 1}",
            "start_date": datetime.date(start_year, 9, 1),
            "end_date": datetime.date(start_year + 1, 8, 31),
        }


class TeachingGroup(EstablishmentOwned):
    """A teaching group (groupe), possibly spanning several divisions."""

    code = models.CharField("code", max_length=40)
    label = models.CharField("libellé", max_length=200, blank=True)
    divisions = models.ManyToManyField(Division, blank=True, related_name="groups", verbose_name="classes")

    class Meta:
        verbose_name = "groupe"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["establishment", "code"], name="group_code_unique")]

    def __str__(self) -> str:
        return self.code


class AuditEntry(EstablishmentOwned):
    """One action that changed users or settings: who, when, what. Never holds a password.

    Written through ``establishments.audit.record``; read by the establishment's administrator. The table keeps
    its first name (the log was born in ``accounts``).
    """

    created_at = models.DateTimeField("date", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="auteur",
    )
    # Names are copied: the entry must stay readable after the accounts are purged.
    actor_name = models.CharField("auteur", max_length=300)
    action = models.CharField("action", max_length=60)
    target = models.CharField("objet", max_length=300, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)

    class Meta:
        db_table = "accounts_auditentry"
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal des actions"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["establishment", "-created_at"], name="audit_establishment_date")]

    def __str__(self) -> str:
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.actor_name} {self.action} {self.target}"
