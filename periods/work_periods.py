"""PFMP and périodes employeur: declared by the DDFPT from an annex, for a whole class level (never one per
class: the two classes of seconde share one period), in three steps — informations, choix des apprenants, choix
des activités — then deleted only with what was entered on it.

- ``level_learners``: the active learners of a level, grouped by class (every one selected by default).
- ``declare_period``: one ``WorkPeriod`` and one ``Placement`` per chosen learner, in a constant number of
  queries whatever the number of learners; the form's token makes a double click create one period.
- ``update_period``: title, dates, objectives and activities of a period (the annex is never changed).
- ``delete_period``: deletes the period and everything entered on it, after ``period_uses`` told how much.
- ``set_referent``: names the referent teacher (who reviews the fiches and the bilan entreprise) of learners.
- ``remove_learner``: takes one learner off a period (left the school, changed class) with what was entered for
  them, after ``placement_losses`` told how much.

Refused with a French message (``PeriodError.field`` names the form field), nothing saved: dates outside the
school year, end before start, a learner already on another period overlapping these dates, a learner or a task
not of the level / référentiel.
"""

import datetime
from collections import OrderedDict
from dataclasses import dataclass, field

from django.contrib.admin.utils import NestedObjects
from django.db import IntegrityError, router, transaction

from accounts.models import Profile, User
from establishments import audit
from establishments.models import Division, Establishment, SchoolYear
from referentiels.models import Task

from . import uses
from .models import PedagogicalAnnex, Placement, WorkPeriod


class PeriodError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def working_days(start: datetime.date, end: datetime.date) -> int:
    """Monday to Friday between ``start`` and ``end`` included: the days planned by default."""
    if end < start:
        return 0
    total = (end - start).days + 1
    weeks, rest = divmod(total, 7)
    days = weeks * 5
    for offset in range(rest):
        if (start + datetime.timedelta(days=weeks * 7 + offset)).weekday() < 5:
            days += 1
    return days


@dataclass
class ClassGroup:
    division: Division | None
    learners: list[User] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.division.code if self.division else "Sans classe"


def _level_learner_queryset(establishment: Establishment, version, class_level: str):
    return User.objects.filter(establishment=establishment, profile=Profile.LEARNER, is_active=True,
                               division__cohort__version=version, division__cohort__class_level=class_level)


def level_learners(establishment: Establishment, version, class_level: str) -> list[ClassGroup]:
    """The active learners of the classes of ``version`` at ``class_level``, grouped by class. One query."""
    groups: OrderedDict[int, ClassGroup] = OrderedDict()
    for learner in (_level_learner_queryset(establishment, version, class_level).select_related("division")
                    .order_by("division__code", "last_name", "first_name", "id")):
        groups.setdefault(learner.division_id, ClassGroup(division=learner.division)).learners.append(learner)
    return list(groups.values())


def school_years(establishment: Establishment) -> list[SchoolYear]:
    return list(SchoolYear.objects.filter(establishment=establishment).order_by("-start_year"))


def _check_dates(school_year: SchoolYear, start, end) -> None:
    if start is None:
        raise PeriodError("Indiquez la date de début de la période.", "start_date")
    if end is None:
        raise PeriodError("Indiquez la date de fin de la période.", "end_date")
    if end < start:
        raise PeriodError("La date de fin doit être postérieure ou égale à la date de début.", "end_date")
    if start < school_year.start_date or end > school_year.end_date:
        raise PeriodError(
            f"La période doit se situer dans l'année scolaire {school_year.label} (du "
            f"{school_year.start_date:%d/%m/%Y} au {school_year.end_date:%d/%m/%Y}).",
            "start_date" if start < school_year.start_date else "end_date")


def _name(user: User) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.login


def _check_overlaps(establishment: Establishment, learner_ids, start, end, exclude_period=None) -> None:
    """Refuses when a learner is already on another period overlapping ``start``–``end``. One query."""
    clashes = (Placement.objects.filter(establishment=establishment, learner_id__in=list(learner_ids),
                                        period__isnull=False, period__start_date__lte=end,
                                        period__end_date__gte=start)
               .select_related("learner", "period").order_by("learner__last_name", "learner__first_name"))
    if exclude_period is not None:
        clashes = clashes.exclude(period=exclude_period)
    clashes = list(clashes[:6])
    if clashes:
        shown = ", ".join(f"{_name(p.learner)} (« {p.period.title} », du {p.period.start_date:%d/%m/%Y} au "
                          f"{p.period.end_date:%d/%m/%Y})" for p in clashes[:5])
        more = " et d'autres" if len(clashes) > 5 else ""
        raise PeriodError(f"Ces dates chevauchent une autre période des apprenants suivants : {shown}{more}. "
                          "Changez les dates ou retirez ces apprenants.", "start_date")


def _check_tasks(version, task_ids) -> list[int]:
    wanted = {int(pk) for pk in task_ids}
    valid = set(Task.objects.filter(version=version, pk__in=wanted).values_list("pk", flat=True))
    if wanted - valid:
        raise PeriodError("Une activité choisie n'appartient pas au référentiel de la période.", "tasks")
    return sorted(valid)


@transaction.atomic
def declare_period(*, annex: PedagogicalAnnex, actor: User, school_year: SchoolYear, title: str,
                   start_date, end_date, objectives: str, learner_ids, task_ids, token: str = ""
                   ) -> tuple[WorkPeriod, bool]:
    """Declares a PFMP (school annex) or a période employeur (apprentice annex) for the annex's level.

    ``learner_ids``: chosen among the level's learners; ``task_ids``: tasks of the annex's version (the annex's
    own selection is left as it is). Returns ``(period, created)``; the same form (``token``) posted twice
    returns the period of the first post. A constant number of queries whatever the number of learners.
    """
    establishment = annex.establishment
    token = (token or "")[:64]
    if token:
        existing = WorkPeriod.objects.filter(establishment=establishment, creation_token=token).first()
        if existing:
            return existing, False
    title = (title or "").strip()
    if not title:
        raise PeriodError("Le titre de la période est obligatoire.", "title")
    _check_dates(school_year, start_date, end_date)
    wanted = {int(pk) for pk in learner_ids}
    if not wanted:
        raise PeriodError("Choisissez au moins un apprenant.", "learners")
    level_ids = set(_level_learner_queryset(establishment, annex.version, annex.class_level)
                    .filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - level_ids:
        raise PeriodError("Un apprenant choisi n'est pas de ce niveau de classe.", "learners")
    tasks = _check_tasks(annex.version, task_ids)
    # Two declarations for the same learners at once: the second waits here, then sees the first's placements.
    list(User.objects.select_for_update().filter(pk__in=level_ids).values_list("pk", flat=True))
    if token:  # the same form, committed by a concurrent request while this one waited
        existing = WorkPeriod.objects.filter(establishment=establishment, creation_token=token).first()
        if existing:
            return existing, False
    _check_overlaps(establishment, level_ids, start_date, end_date)
    kind = WorkPeriod.Kind.EMPLOYER if annex.for_apprentices else WorkPeriod.Kind.PFMP
    try:
        with transaction.atomic():
            period = WorkPeriod.objects.create(
                establishment=establishment, annex=annex, school_year=school_year, version=annex.version,
                class_level=annex.class_level, kind=kind, title=title, start_date=start_date, end_date=end_date,
                objectives=(objectives or "").strip(), created_by=actor, creation_token=token)
    except IntegrityError:  # the same token, committed in between by a concurrent request
        return WorkPeriod.objects.get(establishment=establishment, creation_token=token), False
    period.tasks.set(tasks)
    planned = working_days(start_date, end_date)
    Placement.objects.bulk_create([
        Placement(establishment=establishment, period=period, learner_id=pk, period_title=title,
                  start_date=start_date, end_date=end_date, days_planned=planned)
        for pk in sorted(level_ids)], batch_size=500)
    audit.record(establishment, actor, "period.create", title, {
        "type": period.get_kind_display(), "niveau": period.get_class_level_display(),
        "du": f"{start_date:%d/%m/%Y}", "au": f"{end_date:%d/%m/%Y}", "apprenants": len(level_ids),
        "activités": len(tasks)})
    return period, True


@transaction.atomic
def update_period(*, period: WorkPeriod, actor: User, title: str, start_date, end_date, objectives: str,
                  task_ids, added_learner_ids=()) -> WorkPeriod:
    """Changes the period (never its annex). New dates are checked as at declaration; the placements follow.
    ``added_learner_ids``: learners of the level put on the period now (arrived since the declaration)."""
    title = (title or "").strip()
    if not title:
        raise PeriodError("Le titre de la période est obligatoire.", "title")
    _check_dates(period.school_year, start_date, end_date)
    learner_ids = list(period.placements.values_list("learner_id", flat=True))
    _check_overlaps(period.establishment, learner_ids, start_date, end_date, exclude_period=period)
    tasks = _check_tasks(period.version, task_ids)
    length = (end_date - start_date).days + 1
    if period.placements.filter(days_planned__gt=length).exists() or period.placements.filter(
            days_done__gt=length).exists():
        raise PeriodError(f"Des jours déjà saisis dépassent la durée de la période raccourcie ({length} jours). "
                          "Corrigez d'abord les jours.", "end_date")
    period.title, period.start_date, period.end_date = title, start_date, end_date
    period.objectives = (objectives or "").strip()
    period.save(update_fields=["title", "start_date", "end_date", "objectives"])
    period.tasks.set(tasks)
    period.placements.update(period_title=title, start_date=start_date, end_date=end_date)
    added = _add_learners(period, added_learner_ids or ())
    audit.record(period.establishment, actor, "period.update", title, {
        "du": f"{start_date:%d/%m/%Y}", "au": f"{end_date:%d/%m/%Y}", "activités": len(tasks),
        "apprenants ajoutés": added})
    return period


def learners_to_add(period: WorkPeriod) -> list[ClassGroup]:
    """The active learners of the period's level not on it yet (arrived since the declaration), by class."""
    on_period = set(period.placements.values_list("learner_id", flat=True))
    groups = level_learners(period.establishment, period.version, period.class_level)
    for group in groups:
        group.learners = [u for u in group.learners if u.pk not in on_period]
    return [g for g in groups if g.learners]


def _add_learners(period: WorkPeriod, learner_ids) -> int:
    wanted = {int(pk) for pk in learner_ids} - set(period.placements.values_list("learner_id", flat=True))
    if not wanted:
        return 0
    level_ids = set(_level_learner_queryset(period.establishment, period.version, period.class_level)
                    .filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - level_ids:
        raise PeriodError("Un apprenant choisi n'est pas de ce niveau de classe.", "learners")
    list(User.objects.select_for_update().filter(pk__in=level_ids).values_list("pk", flat=True))
    _check_overlaps(period.establishment, level_ids, period.start_date, period.end_date, exclude_period=period)
    planned = working_days(period.start_date, period.end_date)
    Placement.objects.bulk_create([
        Placement(establishment=period.establishment, period=period, learner_id=pk, period_title=period.title,
                  start_date=period.start_date, end_date=period.end_date, days_planned=planned)
        for pk in sorted(level_ids)], batch_size=500)
    return len(level_ids)


def period_uses(period: WorkPeriod) -> list[str]:
    """What deleting ``period`` loses, one line per kind (« 24 apprenant(s) affecté(s) »…)."""
    return uses.lines(uses.uses_of([period.pk]).get(period.pk, {}))


@transaction.atomic
def delete_period(*, period: WorkPeriod, actor: User) -> list[str]:
    """Deletes the period and everything entered on it; the journal records what was lost."""
    lost = period_uses(period)
    audit.record(period.establishment, actor, "period.delete", period.title, {
        "niveau": period.get_class_level_display(), "du": f"{period.start_date:%d/%m/%Y}",
        "au": f"{period.end_date:%d/%m/%Y}", "supprimé": "; ".join(lost) or "rien"})
    period.delete()
    return lost


def placement_losses(placement: Placement) -> list[str]:
    """What taking the learner of ``placement`` off its period loses, one line per kind (« 3 fiches activités »…):
    the days entered, and every row of any app that goes with the placement (found by Django's deletion collector,
    so periods names the portfolio's fiches or the bilan entreprise without importing them)."""
    lost = [f"{placement.days_done} jour(s) effectué(s) saisi(s)"] if placement.days_done else []
    collector = NestedObjects(using=router.db_for_write(Placement))
    collector.collect([placement])
    for model, rows in collector.model_objs.items():
        if model is Placement or model._meta.auto_created or not rows:
            continue
        name = model._meta.verbose_name if len(rows) == 1 else model._meta.verbose_name_plural
        lost.append(f"{len(rows)} {name}")
    return lost


@transaction.atomic
def remove_learner(*, placement: Placement, actor: User) -> list[str]:
    """Takes the learner off the period with what was entered for them there; the journal records it."""
    lost = placement_losses(placement)
    period = placement.period
    audit.record(placement.establishment, actor, "period.remove_learner", period.title if period else "", {
        "apprenant": _name(placement.learner), "supprimé": "; ".join(lost) or "rien"})
    placement.delete()
    return lost


def referent_choices(establishment: Establishment) -> list[User]:
    """The establishment's active teachers, by name: who may be a learner's referent on a period."""
    return list(User.objects.filter(establishment=establishment, profile=Profile.TEACHER, is_active=True)
                .order_by("last_name", "first_name", "id"))


@transaction.atomic
def set_referent(*, period: WorkPeriod, actor: User, placement_ids, teacher_id: int | None) -> int:
    """Names ``teacher_id`` (None: nobody) referent of the learners of ``placement_ids`` on ``period``; returns how
    many changed (the same choice sent twice changes nothing the second time). Refused: a teacher who is not an
    active teacher of the establishment, a learner who is not on the period."""
    teacher = None
    if teacher_id is not None:
        teacher = User.objects.filter(establishment=period.establishment, profile=Profile.TEACHER, is_active=True,
                                      pk=teacher_id).first()
        if teacher is None:
            raise PeriodError("Choisissez un enseignant de l'établissement.", field="referent")
    wanted = {int(pk) for pk in placement_ids}
    if not wanted:
        raise PeriodError("Cochez au moins un apprenant.", field="placements")
    placements = Placement.objects.filter(establishment=period.establishment, period=period, pk__in=wanted)
    if placements.count() != len(wanted):
        raise PeriodError("Un apprenant coché n'est pas sur cette période.", field="placements")
    changed = placements.exclude(referent_id=teacher_id).update(referent=teacher)
    if changed:
        audit.record(period.establishment, actor, "period.referent", period.title, {
            "référent": _name(teacher) if teacher else "aucun", "apprenants": changed})
    return changed
