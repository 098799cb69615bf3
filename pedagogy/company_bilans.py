"""The bilan entreprise of a placement: levels on the selected competencies, the tutor's link, the validation.

Flow: the referent teacher selects competencies on the portfolio (``periods.portfolio.select_competencies``);
here the teacher fills levels and an appreciation (``save_bilan``), sends the tutor a link (``send_tutor_link``)
or types the signed paper version in (``save_bilan(..., signer=…)``); the tutor fills and signs through the link
(``tutor_submit``); the teacher validates (``validate``): the levels become observations « en entreprise » of the
learner's follow-up (``pedagogy.evidence.replace_placement_observations``) and every link is revoked.

The tutor's link: a random token (``secrets``), only its SHA-256 stored, for one bilan (its id is in the URL too),
valid until a date (included), usable once. ``resolve_link`` answers why a link does not open — unknown
(tampered), another learner's, revoked, expired, already used, bilan validated — and nothing is written then.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.services import site_url
from establishments import audit
from establishments.routing import tenant_url
from periods import portfolio
from periods.models import Placement
from periods.uses import register_period_use

from .company_models import CompanyBilan, CompanyBilanLine, TutorLink
from .evaluation_models import EvaluationType, Level, Observation
from .evidence import Entry, replace_placement_observations

LINK_MAX_DAYS = 120
STALE = ("Le bilan a été modifié entre-temps (par le tuteur ou un autre enseignant) : rechargez la page, vos "
         "saisies n'ont pas été enregistrées.")
ALREADY_VALIDATED = "Ce bilan entreprise est validé : il ne peut plus être modifié."
BAD_LEVEL = "Un niveau est hors de l'échelle (NE, 1 à 4) : rien n'a été enregistré."
NOTHING_SELECTED = ("Aucune compétence n'est retenue pour ce bilan : choisissez-les d'abord dans le portfolio "
                    "(« Tâches et compétences »).")
NOT_SIGNED = "Le bilan doit d'abord être signé par le tuteur (en ligne, ou sur papier puis saisi ici)."
SIGNER_REQUIRED = "Indiquez le nom et la date de signature du tuteur."
TUTOR_SIGNER_REQUIRED = "Indiquez votre nom et la date de signature : ils valent signature du bilan."


# The lines ------------------------------------------------------------------------------------------------------


@dataclass
class Line:
    competency: object
    criterion: object | None
    level: int = Level.NE

    @property
    def key(self) -> str:
        return f"level-{self.competency.pk}-{self.criterion.pk if self.criterion else 0}"


def _selected(placement: Placement) -> list[Line]:
    """The selection on the portfolio: whole competencies and criteria, in the référentiel's order."""
    lines = [Line(c, None) for c in placement.assessed_competencies.all()]
    lines += [Line(cr.competency, cr) for cr in placement.assessed_criteria.select_related("competency")]
    return sorted(lines, key=lambda line: (line.competency.position, line.competency.pk,
                                           line.criterion.position if line.criterion else -1))


def lines_of(placement: Placement, bilan: CompanyBilan | None) -> list[Line]:
    """What the form shows: the stored lines of a validated bilan; otherwise the current selection with the
    levels already entered."""
    stored = {}
    if bilan is not None:
        for row in bilan.lines.select_related("competency", "criterion"):
            stored[(row.competency_id, row.criterion_id)] = row
        if bilan.status == CompanyBilan.Status.VALIDATED:
            return [Line(row.competency, row.criterion, row.level) for row in stored.values()]
    lines = _selected(placement)
    for line in lines:
        row = stored.get((line.competency.pk, line.criterion.pk if line.criterion else None))
        if row is not None:
            line.level = row.level
    return lines


def read_levels(lines: list[Line], data) -> None:
    """Sets each line's level from the posted ``data`` (missing → NE); ``ValidationError`` on a bad value."""
    for line in lines:
        raw = (data.get(line.key) or "0").strip()
        if not raw.isdecimal() or int(raw) not in Level.values:
            raise ValidationError(BAD_LEVEL, code="level")
        line.level = int(raw)


def _write_lines(bilan: CompanyBilan, lines: list[Line]) -> None:
    bilan.lines.all().delete()
    CompanyBilanLine.objects.bulk_create([
        CompanyBilanLine(establishment_id=bilan.establishment_id, bilan=bilan, competency=line.competency,
                         criterion=line.criterion, level=line.level) for line in lines])


def bilan_of(placement: Placement) -> CompanyBilan | None:
    return CompanyBilan.objects.filter(placement=placement).first()


# The teacher -------------------------------------------------------------------------------------------------


@transaction.atomic
def save_bilan(placement: Placement, data, *, actor, revision: int | None, signer: str = "",
               signed_on: datetime.date | None = None) -> CompanyBilan:
    """The teacher's entry: levels and appreciation; with ``signer`` and ``signed_on``, the paper version signed by
    the tutor typed in (the bilan then waits for validation)."""
    Placement.objects.select_for_update().filter(pk=placement.pk).first()  # one writer per placement
    bilan = bilan_of(placement)
    if bilan is not None:
        if bilan.status == CompanyBilan.Status.VALIDATED:
            raise ValidationError(ALREADY_VALIDATED, code="validated")
        if revision is not None and bilan.revision != revision:
            raise ValidationError(STALE, code="stale")
    lines = _selected(placement)
    if not lines:
        raise ValidationError(NOTHING_SELECTED, code="empty")
    read_levels(lines, data)
    if bool(signer.strip()) != bool(signed_on):
        raise ValidationError(SIGNER_REQUIRED, code="signer")
    if bilan is None:
        bilan = CompanyBilan(establishment_id=placement.establishment_id, placement=placement, revision=0)
    bilan.appreciation = (data.get("appreciation") or "").strip()
    if signer.strip():
        bilan.tutor_signed_name, bilan.tutor_signed_on = signer.strip()[:255], signed_on
        bilan.status, bilan.from_paper = CompanyBilan.Status.SIGNED, True
    bilan.revision += 1
    bilan.save()
    _write_lines(bilan, lines)
    return bilan


@transaction.atomic
def validate(placement: Placement, *, actor, revision: int | None = None) -> CompanyBilan:
    """The bilan counts: its levels become observations « en entreprise »; links revoked. Twice = once."""
    Placement.objects.select_for_update().filter(pk=placement.pk).first()
    bilan = bilan_of(placement)
    if bilan is None or not bilan.tutor_signed_name:
        raise ValidationError(NOT_SIGNED, code="unsigned")
    if bilan.status == CompanyBilan.Status.VALIDATED:
        return bilan
    if revision is not None and bilan.revision != revision:
        raise ValidationError(STALE, code="stale")
    rows = list(bilan.lines.all())
    on = min(bilan.tutor_signed_on or timezone.localdate(), timezone.localdate())
    replace_placement_observations(
        placement, [Entry(row.competency_id, row.level, row.criterion_id) for row in rows],
        version_id=placement.period.version_id, on=on, observer=actor,
        source_label=f"Bilan entreprise « {placement.period_title or placement.period.title} » "
                     f"({placement.company_name or 'entreprise'}, tuteur {bilan.tutor_signed_name})")
    bilan.status = CompanyBilan.Status.VALIDATED
    bilan.validated_at, bilan.validated_by, bilan.validated_by_name = timezone.now(), actor, actor.full_name
    bilan.revision += 1
    bilan.save()
    revoke_links(bilan, "bilan validé")
    audit.record(placement.establishment, actor, "company_bilan.validate", placement.period_title,
                 {"apprenant": placement.learner.full_name, "niveaux": len(rows)})
    return bilan


# The tutor's link -------------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_link(bilan: CompanyBilan | None) -> TutorLink | None:
    if bilan is None:
        return None
    return (bilan.tutor_links.filter(revoked_at__isnull=True, used_at__isnull=True,
                                     expires_on__gte=timezone.localdate()).first())


def revoke_links(bilan: CompanyBilan, reason: str) -> int:
    return bilan.tutor_links.filter(revoked_at__isnull=True).update(revoked_at=timezone.now(),
                                                                     revoked_reason=reason[:100])


def clean_expiry(expires_on: datetime.date | None) -> datetime.date:
    today = timezone.localdate()
    if expires_on is None:
        raise ValidationError("Indiquez jusqu'à quelle date le lien est valable.", code="expiry")
    if expires_on < today:
        raise ValidationError("La date de fin de validité est passée.", code="expiry")
    if expires_on > today + datetime.timedelta(days=LINK_MAX_DAYS):
        raise ValidationError(f"Un lien vaut au plus {LINK_MAX_DAYS} jours.", code="expiry")
    return expires_on


def create_link(placement: Placement, *, email: str, expires_on, actor) -> tuple[TutorLink, str]:
    """A new link (the previous ones revoked) and its token, shown nowhere but in the e-mail. In a transaction."""
    Placement.objects.select_for_update().filter(pk=placement.pk).first()
    bilan = bilan_of(placement)
    if bilan is not None and bilan.status == CompanyBilan.Status.VALIDATED:
        raise ValidationError(ALREADY_VALIDATED, code="validated")
    if not _selected(placement):
        raise ValidationError(NOTHING_SELECTED, code="empty")
    if bilan is None:
        bilan = CompanyBilan.objects.create(establishment_id=placement.establishment_id, placement=placement)
    revoke_links(bilan, "nouveau lien envoyé")
    token = secrets.token_urlsafe(32)
    link = TutorLink.objects.create(establishment_id=placement.establishment_id, bilan=bilan,
                                    token_hash=_hash(token), email=email, expires_on=expires_on, created_by=actor)
    return link, token


def send_tutor_link(placement: Placement, *, email: str, expires_on, actor, request=None) -> TutorLink:
    """A new link for the tutor (the previous ones are revoked), sent by e-mail. Nothing stays if the mail fails."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError("Saisissez l'adresse e-mail du tuteur.", code="email") from None
    expires_on = clean_expiry(expires_on)
    with transaction.atomic():
        link, token = create_link(placement, email=email, expires_on=expires_on, actor=actor)
        establishment = placement.establishment
        url = site_url(request) + tenant_url(establishment, "tutor_bilan", pk=link.bilan_id, token=token)
        context = {"placement": placement, "url": url, "link": link, "establishment": establishment,
                   "teacher": actor}
        message = EmailMessage(
            f"Bilan entreprise de {placement.learner.first_name} {placement.learner.last_name} — "
            f"{establishment.display_name}",
            render_to_string("pedagogy/company/email_tutor.txt", context), settings.DEFAULT_FROM_EMAIL, [email],
            reply_to=[actor.email] if getattr(actor, "email", "") else None)
        message.send(fail_silently=False)  # an exception rolls everything back
        audit.record(establishment, actor, "company_bilan.link", placement.period_title,
                     {"apprenant": placement.learner.full_name, "destinataire": email,
                      "jusqu_au": expires_on.isoformat()})
    return link


@transaction.atomic
def revoke(placement: Placement, *, actor) -> int:
    bilan = bilan_of(placement)
    if bilan is None:
        return 0
    count = revoke_links(bilan, "révoqué par l'enseignant")
    if count:
        audit.record(placement.establishment, actor, "company_bilan.revoke", placement.period_title,
                     {"apprenant": placement.learner.full_name})
    return count


class LinkRefused(Exception):
    """Why a tutor's link does not open (a title and a French explanation)."""

    def __init__(self, title: str, text: str):
        super().__init__(text)
        self.title, self.text = title, text


UNKNOWN = LinkRefused("Lien invalide", "Ce lien n'est pas reconnu : il a peut-être été mal copié. Vérifiez qu'il "
                      "est complet, ou demandez un nouveau lien à l'enseignant référent.")
OTHER_LEARNER = LinkRefused("Lien invalide", "Ce lien ne correspond pas à ce bilan : chaque lien n'ouvre que le "
                            "bilan de l'apprenant pour lequel il a été envoyé.")


def resolve_link(bilan_pk: int, token: str, *, for_update: bool = False) -> TutorLink:
    """The link for this bilan and token, usable now; ``LinkRefused`` otherwise (nothing is written)."""
    if not token or len(token) > 100:
        raise UNKNOWN
    links = TutorLink.objects.select_related("bilan__placement__learner", "bilan__placement__period__version")
    if for_update:
        links = links.select_for_update(of=("self",))
    link = links.filter(token_hash=_hash(token)).first()
    if link is None:
        raise UNKNOWN
    if link.bilan_id != bilan_pk:
        raise OTHER_LEARNER
    if link.bilan.status == CompanyBilan.Status.VALIDATED:
        raise LinkRefused("Bilan déjà validé", "Ce bilan a été validé par l'enseignant : le lien ne sert plus. "
                                               "Merci pour votre participation.")
    if link.used_at is not None:
        raise LinkRefused("Lien déjà utilisé", f"Ce bilan a déjà été signé le "
                          f"{timezone.localtime(link.used_at):%d/%m/%Y} avec ce lien, qui ne sert qu'une fois. "
                          "Pour le corriger, demandez un nouveau lien à l'enseignant référent.")
    if link.revoked_at is not None:
        raise LinkRefused("Lien révoqué", "Ce lien a été révoqué par l'établissement. Si vous devez encore remplir "
                                          "ce bilan, demandez un nouveau lien à l'enseignant référent.")
    if link.expires_on < timezone.localdate():
        raise LinkRefused("Lien expiré", f"Ce lien était valable jusqu'au {link.expires_on:%d/%m/%Y}. Demandez un "
                                         "nouveau lien à l'enseignant référent.")
    return link


def tutor_submit(bilan_pk: int, token: str, data, *, signer: str, signed_on) -> CompanyBilan:
    """The tutor fills and signs; the link is used up. ``LinkRefused`` / ``ValidationError``: nothing written."""
    signer = " ".join((signer or "").split())[:255]
    with transaction.atomic():
        link = resolve_link(bilan_pk, token, for_update=True)
        bilan = link.bilan
        placement = bilan.placement
        if not signer or signed_on is None:
            raise ValidationError(SIGNER_REQUIRED, code="signer")
        if signed_on > timezone.localdate():
            raise ValidationError("La date de signature ne peut pas être dans le futur.", code="signed_on")
        lines = lines_of(placement, bilan)
        if not lines:
            raise ValidationError(NOTHING_SELECTED, code="empty")
        read_levels(lines, data)
        bilan.appreciation = (data.get("appreciation") or "").strip()
        bilan.tutor_signed_name, bilan.tutor_signed_on = signer, signed_on
        bilan.status, bilan.from_paper = CompanyBilan.Status.SIGNED, False
        bilan.revision += 1
        bilan.save()
        _write_lines(bilan, lines)
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        audit.record(placement.establishment, None, "company_bilan.tutor", placement.period_title,
                     {"apprenant": placement.learner.full_name, "tuteur": signer})
    return bilan


# Hooks for the portfolio and the periods -------------------------------------------------------------------


def _statuses(placement_ids: list[int]) -> dict[int, str]:
    return {pk: CompanyBilan.Status(status).label for pk, status in
            CompanyBilan.objects.filter(placement_id__in=placement_ids).values_list("placement_id", "status")}


def _links(user, placement) -> list[tuple[str, str]]:
    from accounts.models import Profile

    if user.profile == Profile.LEARNER:  # their validated bilan's levels are in their follow-up (one query)
        if user.pk == placement.learner_id and CompanyBilan.objects.filter(
                placement=placement, status=CompanyBilan.Status.VALIDATED).exists():
            follow_up = tenant_url(placement.establishment, "followup_learner", pk=user.pk) + "?type=entreprise"
            return [("Mes niveaux « en entreprise » dans Suivre les acquis", follow_up)]
        return []
    if user.profile not in (Profile.TEACHER, Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR):
        return []
    return [("Bilan entreprise", tenant_url(placement.establishment, "company_bilan", pk=placement.pk))]


portfolio.register_placement_status(_statuses)
portfolio.register_placement_links(_links)
def _bilan_counts(period_ids) -> dict[int, int]:
    return dict(CompanyBilan.objects.filter(placement__period_id__in=period_ids).values("placement__period_id")
                .annotate(n=Count("id")).values_list("placement__period_id", "n"))


def _observation_counts(period_ids) -> dict[int, int]:
    return dict(Observation.objects.filter(placement__period_id__in=period_ids, type=EvaluationType.COMPANY)
                .values("placement__period_id").annotate(n=Count("id")).values_list("placement__period_id", "n"))


register_period_use("company_bilans", "bilan(s) entreprise", _bilan_counts)
register_period_use("company_observations", "observation(s) en entreprise", _observation_counts)
