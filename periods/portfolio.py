"""The portfolio des activités en entreprise: who reaches which placement, the company, the fiches, the selection.

Who (per placement, on top of the profile gate of the views):
- the learner: their own placements — they fill the company and the tutor and write their fiches;
- a teacher who sees the learner (``accounts.access``): reads; the referent teacher (or, while the placement has
  none, any of the learner's teachers) reviews the fiches, adjusts their tasks and selects the competencies of the
  bilan entreprise;
- DDFPT, chef, inspecteur: read.

Apps above (pedagogy: the bilan entreprise) add a status column and links without this module importing them:
``register_placement_status(fn)`` with ``fn(placement_ids) -> {id: text}`` (one query for the whole list) and
``register_placement_links(fn)`` with ``fn(user, placement) -> [(label, url)]``.
"""

import contextlib
import uuid
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from accounts import access
from accounts.learner_data import learner_data  # noqa: F401  (the models declare themselves)
from accounts.models import Profile
from documents.uploads import BY_CONTENT_TYPE, attachment_response, clean_title, download_title, read_checked
from establishments import audit
from referentiels.models import Competency, Criterion, Task, TaskCompetency

from .models import ActivityFiche, FicheAttachment, Placement, WorkPeriod
from .uses import register_period_use

READERS = (Profile.TEACHER, Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR, Profile.LEARNER)

TASK_OF_ANOTHER_VERSION = ("Une tâche cochée n'appartient pas au référentiel de la période ({version}) : "
                           "rechargez la page et cochez de nouveau.")
COMPETENCY_OF_ANOTHER_VERSION = "Une compétence ou un critère choisi n'appartient pas au référentiel de la période."
SIRET_INVALID = "Le SIRET compte 14 chiffres et sa clé de contrôle doit être juste (vérifiez la saisie)."

# Hooks filled by higher apps ----------------------------------------------------------------------------------

_status_providers: list[Callable] = []
_link_providers: list[Callable] = []


def register_placement_status(fn: Callable) -> Callable:
    if fn not in _status_providers:
        _status_providers.append(fn)
    return fn


def register_placement_links(fn: Callable) -> Callable:
    if fn not in _link_providers:
        _link_providers.append(fn)
    return fn


def placement_statuses(placement_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {pk: [] for pk in placement_ids}
    for provider in _status_providers:
        for pk, text in provider(placement_ids).items():
            found.setdefault(pk, []).append(text)
    return found


def placement_links(user, placement) -> list[tuple[str, str]]:
    return [link for provider in _link_providers for link in provider(user, placement)]


# Who ------------------------------------------------------------------------------------------------------------


def visible_placements(user):
    """Placements whose learner ``user`` sees (one query when evaluated)."""
    return access.visible_rows(user, Placement.objects.filter(period__isnull=False))


def visible_periods(user):
    return WorkPeriod.objects.filter(pk__in=visible_placements(user).values("period_id"))


def is_own(user, placement) -> bool:
    return user.profile == Profile.LEARNER and placement.learner_id == user.pk and user.is_active


def can_review(user, placement) -> bool:
    """The referent teacher (or, while there is none, a teacher of the learner) reviews and selects."""
    if user.profile != Profile.TEACHER or not user.is_active:
        return False
    if placement.referent_id is not None:
        return placement.referent_id == user.pk
    return access.visible_learners(user).filter(pk=placement.learner_id).exists()


def can_write_fiches(user, placement) -> bool:
    return is_own(user, placement)


def can_edit_company(user, placement) -> bool:
    return is_own(user, placement) or can_review(user, placement)


# Company and tutor --------------------------------------------------------------------------------------------


def clean_siret(value: str) -> str:
    """Empty, or 14 digits whose Luhn key is right (La Poste's establishments: digit sum multiple of 5)."""
    digits = "".join((value or "").split())
    if not digits:
        return ""
    if len(digits) != 14 or not digits.isdecimal():
        raise ValidationError(SIRET_INVALID, code="siret")
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char) * (2 if index % 2 else 1)
        total += n - 9 if n > 9 else n
    if total % 10 and not (digits.startswith("356000000") and sum(map(int, digits)) % 5 == 0):
        raise ValidationError(SIRET_INVALID, code="siret")
    return digits


COMPANY_FIELDS = ("company_name", "company_siret", "company_address", "tutor_name", "tutor_email", "tutor_phone")


@transaction.atomic
def save_company(placement: Placement, values: dict, actor) -> Placement:
    for name in COMPANY_FIELDS:
        setattr(placement, name, values.get(name, "") or "")
    placement.save(update_fields=list(COMPANY_FIELDS))
    return placement


# Fiches ---------------------------------------------------------------------------------------------------------


def period_tasks(placement: Placement):
    """The tasks a fiche may tick: the period's référentiel version, its activities first."""
    return (Task.objects.filter(version_id=placement.period.version_id).select_related("activity")
            .order_by("activity__position", "position", "id"))


def check_tasks(placement: Placement, task_ids: Iterable) -> list[int]:
    try:
        ids = sorted({int(pk) for pk in task_ids})
    except (TypeError, ValueError):
        raise ValidationError(TASK_OF_ANOTHER_VERSION.format(version=placement.period.version),
                              code="task") from None
    found = set(Task.objects.filter(pk__in=ids, version_id=placement.period.version_id).values_list("pk", flat=True))
    if len(found) != len(ids):
        raise ValidationError(TASK_OF_ANOTHER_VERSION.format(version=placement.period.version), code="task")
    return ids


def _store(placement: Placement, upload) -> tuple[str, int, str]:
    data, file_type = read_checked(upload)
    name = default_storage.save(
        f"portfolios/{placement.establishment.uai}/{uuid.uuid4().hex}.{file_type.extension}", ContentFile(data))
    return name, len(data), file_type.content_type


def _attach(fiche: ActivityFiche, stored, upload) -> FicheAttachment:
    name, size, content_type = stored
    kind = BY_CONTENT_TYPE[content_type].label
    return FicheAttachment.objects.create(
        establishment_id=fiche.establishment_id, fiche=fiche, file=name, size=size, content_type=content_type,
        title=download_title(getattr(upload, "name", "")) or f"Fichier {kind}")


def create_fiche(placement: Placement, *, title: str, description: str, date=None, task_ids=(), upload=None,
                 token: str = "", actor=None) -> ActivityFiche:
    """A new fiche; the same form posted twice (same ``token``) gives the same fiche. Nothing is written when a
    task or the file is refused (``ValidationError``)."""
    if token:
        existing = ActivityFiche.objects.filter(placement=placement, creation_token=token).first()
        if existing:
            return existing
    ids = check_tasks(placement, task_ids)
    stored = _store(placement, upload) if upload else None
    try:
        with transaction.atomic():
            fiche = ActivityFiche.objects.create(
                establishment_id=placement.establishment_id, placement=placement, title=clean_title(title),
                description=description.strip(), date=date, creation_token=token[:64])
            fiche.tasks.set(ids)
            if stored:
                _attach(fiche, stored, upload)
    except IntegrityError:
        if stored:
            default_storage.delete(stored[0])
        return ActivityFiche.objects.get(placement=placement, creation_token=token)
    except Exception:
        if stored:
            default_storage.delete(stored[0])
        raise
    return fiche


def update_fiche(fiche: ActivityFiche, *, title: str, description: str, date=None, task_ids=(), upload=None,
                 actor=None) -> ActivityFiche:
    ids = check_tasks(fiche.placement, task_ids)
    stored = _store(fiche.placement, upload) if upload else None
    try:
        with transaction.atomic():
            fiche.title, fiche.description, fiche.date = clean_title(title), description.strip(), date
            fiche.save(update_fields=["title", "description", "date", "updated_at"])
            fiche.tasks.set(ids)
            if stored:
                _attach(fiche, stored, upload)
    except Exception:
        if stored:
            default_storage.delete(stored[0])
        raise
    return fiche


@transaction.atomic
def review_fiche(fiche: ActivityFiche, *, task_ids=(), comment: str = "", actor=None) -> ActivityFiche:
    """The referent teacher adjusts the tasks of a fiche and comments it; the fiche is marked as read."""
    ids = check_tasks(fiche.placement, task_ids)
    fiche.tasks.set(ids)
    fiche.teacher_comment = comment.strip()
    fiche.reviewed_at = timezone.now()
    fiche.reviewed_by = actor
    fiche.reviewed_by_name = actor.full_name if actor else ""
    fiche.save(update_fields=["teacher_comment", "reviewed_at", "reviewed_by", "reviewed_by_name", "updated_at"])
    return fiche


def _remove_files(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


@receiver(post_delete, sender=FicheAttachment, dispatch_uid="periods.fiche_attachment_file_removed")
def _file_removed_after_commit(sender, instance: FicheAttachment, **kwargs) -> None:
    """Also for the files deleted with their fiche, placement or period (cascade): no file is left behind. A row
    deleted with its file field deferred (the RGPD purge, which deletes the files itself) is left to its caller."""
    value = instance.__dict__.get("file")
    name = getattr(value, "name", value)
    if name:
        transaction.on_commit(lambda: _remove_files([name]))


@transaction.atomic
def delete_fiche(fiche: ActivityFiche, actor=None) -> None:
    fiche.delete()  # its files go once the transaction commits


@transaction.atomic
def delete_attachment(attachment: FicheAttachment) -> None:
    attachment.delete()


def download_response(attachment: FicheAttachment):
    return attachment_response(attachment.file.name, attachment.content_type, attachment.title)



# The tasks / competencies table and the selection ----------------------------------------------------------------


def fiches_of(placement: Placement):
    return (placement.fiches.all().prefetch_related(
        Prefetch("tasks", queryset=Task.objects.order_by("activity__position", "position")), "attachments")
        .order_by("date", "id"))


def task_table(placement: Placement, fiches) -> dict:
    """Tasks ticked on the fiches (how many fiches each), the competencies they mobilise, what is selected."""
    counts: dict[int, int] = {}
    for fiche in fiches:
        for task in fiche.tasks.all():
            counts[task.pk] = counts.get(task.pk, 0) + 1
    tasks = list(Task.objects.filter(pk__in=counts).order_by("activity__position", "position"))
    linked: dict[int, set[int]] = {}
    for task_id, competency_id in TaskCompetency.objects.filter(task_id__in=counts).values_list("task_id",
                                                                                                "competency_id"):
        linked.setdefault(competency_id, set()).add(task_id)
    selected_whole = set(placement.assessed_competencies.values_list("pk", flat=True))
    selected_criteria = set(placement.assessed_criteria.values_list("pk", flat=True))
    competencies = list(Competency.objects.filter(version_id=placement.period.version_id)
                        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("position")))
                        .order_by("position", "id"))
    by_code = {t.pk: t.code for t in tasks}
    rows = [{"competency": c, "tasks": sorted(by_code[t] for t in linked.get(c.pk, ())),
             "whole": c.pk in selected_whole,
             "criteria": [(cr, cr.pk in selected_criteria) for cr in c.criteria.all()],
             "criteria_selected": sum(cr.pk in selected_criteria for cr in c.criteria.all()),
             "mobilised": c.pk in linked}
            for c in competencies]
    return {"tasks": [(t, counts[t.pk]) for t in tasks], "competencies": rows,
            "selected_count": len(selected_whole) + len(selected_criteria)}


@transaction.atomic
def select_competencies(placement: Placement, *, competency_ids=(), criterion_ids=(), actor=None) -> int:
    """The competencies (whole) and criteria the bilan entreprise assesses. A criterion of a competency selected
    whole is dropped (the whole competency covers it). Returns how many items are selected."""
    try:
        whole = {int(pk) for pk in competency_ids}
        criteria = {int(pk) for pk in criterion_ids}
    except (TypeError, ValueError):
        raise ValidationError(COMPETENCY_OF_ANOTHER_VERSION, code="competency") from None
    version_id = placement.period.version_id
    if Competency.objects.filter(pk__in=whole, version_id=version_id).count() != len(whole):
        raise ValidationError(COMPETENCY_OF_ANOTHER_VERSION, code="competency")
    found = dict(Criterion.objects.filter(pk__in=criteria, competency__version_id=version_id)
                 .values_list("pk", "competency_id"))
    if len(found) != len(criteria):
        raise ValidationError(COMPETENCY_OF_ANOTHER_VERSION, code="competency")
    criteria = {pk for pk, competency_id in found.items() if competency_id not in whole}
    placement.assessed_competencies.set(whole)
    placement.assessed_criteria.set(criteria)
    audit.record(placement.establishment, actor, "portfolio.selection", placement.period_title,
                 {"apprenant": placement.learner.full_name, "compétences": len(whole), "critères": len(criteria)})
    return len(whole) + len(criteria)


# Lists ----------------------------------------------------------------------------------------------------------


def period_rows(user, period: WorkPeriod) -> list:
    """The placements of ``period`` that ``user`` sees, with their counts: a fixed number of queries."""
    placements = list(
        visible_placements(user).filter(period=period)
        .select_related("learner", "learner__division", "referent")
        .annotate(fiche_count=Count("fiches", distinct=True),
                  reviewed_count=Count("fiches", filter=Q(fiches__reviewed_at__isnull=False), distinct=True))
        .order_by("learner__division__code", "learner__last_name", "learner__first_name", "id"))
    statuses = placement_statuses([p.pk for p in placements])
    for placement in placements:
        placement.statuses = statuses.get(placement.pk, [])
    return placements


def _fiche_counts(period_ids) -> dict[int, int]:
    return dict(ActivityFiche.objects.filter(placement__period_id__in=period_ids).values("placement__period_id")
                .annotate(n=Count("id")).values_list("placement__period_id", "n"))


register_period_use("fiches", "fiche(s) activité(s)", _fiche_counts)
