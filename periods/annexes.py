"""Annexes pédagogiques: the objectives and the tasks a learner should do in the company, for a référentiel
version and a class level. Create, save, duplicate (same level), delete (the periods made from it stay: their
``annex`` becomes empty, everything they copied is theirs). Kept year to year: an annex has no school year.

Creation and duplication are safe against a double click: the form's token gives one annex.
"""

from collections import OrderedDict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count

from accounts.models import User
from establishments import audit
from establishments.models import Establishment
from referentiels.models import ReferentielVersion, Task

from .models import PedagogicalAnnex, WorkPeriod


class AnnexError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class ActivityGroup:
    """The tasks of one activity of the référentiel, as the guide shows them (« Activité 1 - préparation… »)."""

    code: str
    label: str
    tasks: list[Task]


def task_groups(version: ReferentielVersion) -> list[ActivityGroup]:
    """The version's tasks grouped by activity, in the référentiel's order. One query."""
    groups: OrderedDict[int | None, ActivityGroup] = OrderedDict()
    for task in Task.objects.filter(version=version).select_related("activity").order_by(
            "activity__position", "position", "id"):
        activity = task.activity
        key = activity.pk if activity else None
        if key not in groups:
            groups[key] = ActivityGroup(code=activity.code if activity else "",
                                        label=activity.label if activity else "Autres tâches", tasks=[])
        groups[key].tasks.append(task)
    return list(groups.values())


def _clean_task_ids(version: ReferentielVersion, task_ids) -> list[int]:
    wanted = {int(pk) for pk in task_ids}
    valid = set(Task.objects.filter(version=version, pk__in=wanted).values_list("pk", flat=True))
    if wanted - valid:
        raise AnnexError("Une tâche choisie n'appartient pas au référentiel de l'annexe.", "tasks")
    return sorted(valid)


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise AnnexError("Le titre de l'annexe est obligatoire.", "title")
    return title


@transaction.atomic
def create_annex(*, establishment: Establishment, actor: User, version: ReferentielVersion, class_level: str,
                 title: str, for_apprentices: bool, objectives: str, task_ids=(), token: str = "",
                 action: str = "annex.create") -> tuple[PedagogicalAnnex, bool]:
    """A new annex. ``token``: the form's; the same form posted twice gives the annex of the first post."""
    title = _check_title(title)
    tasks = _clean_task_ids(version, task_ids)
    token = token[:64]
    if token:
        existing = PedagogicalAnnex.objects.filter(establishment=establishment, creation_token=token).first()
        if existing:
            return existing, False
    try:
        with transaction.atomic():
            annex = PedagogicalAnnex.objects.create(
                establishment=establishment, version=version, class_level=class_level, title=title,
                for_apprentices=for_apprentices, objectives=objectives.strip(), created_by=actor,
                creation_token=token)
    except IntegrityError:  # the same token, committed in between by a concurrent request
        return PedagogicalAnnex.objects.get(establishment=establishment, creation_token=token), False
    annex.tasks.set(tasks)
    audit.record(establishment, actor, action, title, {"niveau": annex.get_class_level_display(),
                                                        "tâches": len(tasks)})
    return annex, True


@transaction.atomic
def save_annex(*, annex: PedagogicalAnnex, actor: User, title: str, for_apprentices: bool, objectives: str,
               task_ids=()) -> PedagogicalAnnex:
    annex.title = _check_title(title)
    tasks = _clean_task_ids(annex.version, task_ids)
    annex.for_apprentices = for_apprentices
    annex.objectives = objectives.strip()
    annex.save(update_fields=["title", "for_apprentices", "objectives", "updated_at"])
    annex.tasks.set(tasks)
    audit.record(annex.establishment, actor, "annex.update", annex.title, {"tâches": len(tasks)})
    return annex


def duplicate_annex(*, annex: PedagogicalAnnex, actor: User, title: str, for_apprentices: bool, objectives: str,
                    task_ids=(), token: str = "") -> tuple[PedagogicalAnnex, bool]:
    """A copy of ``annex`` for the same référentiel version and the same class level (the guide's rule)."""
    return create_annex(establishment=annex.establishment, actor=actor, version=annex.version,
                        class_level=annex.class_level, title=title, for_apprentices=for_apprentices,
                        objectives=objectives, task_ids=task_ids, token=token, action="annex.duplicate")


@transaction.atomic
def delete_annex(*, annex: PedagogicalAnnex, actor: User) -> int:
    """Deletes the annex; the periods declared from it stay (their link is emptied). Returns their number."""
    kept = WorkPeriod.objects.filter(establishment=annex.establishment, annex=annex).count()
    audit.record(annex.establishment, actor, "annex.delete", annex.title, {"périodes conservées": kept})
    annex.delete()
    return kept


def annex_list(establishment: Establishment, version_ids, class_level: str) -> list[PedagogicalAnnex]:
    """The annexes of a level (any version of the diploma), with ``task_count`` and ``period_count``. One query."""
    return list(PedagogicalAnnex.objects.filter(establishment=establishment, version_id__in=list(version_ids),
                                                class_level=class_level)
                .select_related("version")
                .annotate(task_count=Count("tasks", distinct=True), period_count=Count("periods", distinct=True))
                .order_by("for_apprentices", "title", "id"))
