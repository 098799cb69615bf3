"""Coverage of the référentiel per class: each task and competency of the class's diploma version and level (the
whole version when it tags none for that level), with its status — never planned, planned (in a scenario, a
pedagogical annex or a PFMP), evaluated at least once (an observation above NE of a learner of the class), evaluated
by half the class — so the DDFPT sees what will reach certification unevaluated.

A task is planned when a scenario, an annex or a work period lists it or one of its competencies is planned; it is
evaluated as far as its best-evaluated competency. The queries do not grow with classes, learners or observations.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from enum import IntEnum

from establishments.models import Division, Establishment
from pedagogy.models import Observation, Scenario
from periods.models import PedagogicalAnnex, WorkPeriod
from referentiels.models import Competency, Task, TaskCompetency


class Status(IntEnum):
    NEVER = 0
    PLANNED = 1
    EVALUATED = 2
    HALF = 3

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.NEVER: "jamais prévue",
    Status.PLANNED: "prévue (scénario ou annexe PFMP)",
    Status.EVALUATED: "évaluée au moins une fois",
    Status.HALF: "évaluée par la moitié de la classe",
}


@dataclass
class Item:
    code: str
    label: str
    status: Status
    evaluated_learners: int = 0


@dataclass
class ClassCoverage:
    division: Division
    learners: int
    competencies: list[Item] = field(default_factory=list)
    tasks: list[Item] = field(default_factory=list)

    def counts(self, items: list[Item]) -> list[int]:
        return [sum(1 for item in items if item.status == status) for status in Status]

    @property
    def competency_counts(self) -> list[int]:
        return self.counts(self.competencies)

    @property
    def task_counts(self) -> list[int]:
        return self.counts(self.tasks)


def _applies(item, level: str) -> bool:
    return not item.class_levels or level in item.class_levels


def coverage(establishment: Establishment, divisions: list[Division], members: dict[int, int]) -> list[ClassCoverage]:
    """``divisions``: classes with ``cohort__version`` selected; ``members``: active learner id → class id."""
    versions = {d.cohort.version_id for d in divisions}
    competencies = list(Competency.objects.filter(version__in=versions, kind=Competency.Kind.PROFESSIONAL)
                        .order_by("version_id", "position"))
    tasks = list(Task.objects.filter(version__in=versions).order_by("version_id", "position"))
    task_links: dict[int, set[int]] = {}
    for task_id, competency_id in TaskCompetency.objects.filter(task__version__in=versions).values_list(
            "task_id", "competency_id"):
        task_links.setdefault(task_id, set()).add(competency_id)

    planned_tasks: set[int] = set()
    planned_competencies: set[int] = set()
    scenarios = Scenario.objects.filter(establishment=establishment, version__in=versions)
    planned_tasks.update(t for t in scenarios.values_list("tasks", flat=True) if t)
    planned_competencies.update(c for c in scenarios.values_list("competencies", flat=True) if c)
    planned_competencies.update(c for c in scenarios.values_list("criteria__competency_id", flat=True) if c)
    planned_tasks.update(t for t in PedagogicalAnnex.objects.filter(
        establishment=establishment, version__in=versions).values_list("tasks", flat=True) if t)
    planned_tasks.update(t for t in WorkPeriod.objects.filter(
        establishment=establishment, version__in=versions).values_list("tasks", flat=True) if t)
    for task_id in planned_tasks:
        planned_competencies.update(task_links.get(task_id, ()))

    # (class, competency) → learners evaluated: the establishment's distinct (learner, competency) pairs, placed in
    # their class here (joining the learners, filtering on them and counting distinct in the database are each
    # slower, see bench_console); learners who left or are in no class tied to a diploma are skipped.
    evaluated: Counter = Counter()
    observations = Observation.objects.filter(establishment=establishment, level__gt=0)
    if len(divisions) == 1:  # one class's page: its learners only
        observations = observations.filter(learner__in=list(members))
    for learner_id, competency_id in observations.values_list("learner_id", "competency_id").distinct().order_by():
        division_id = members.get(learner_id)
        if division_id is not None:
            evaluated[division_id, competency_id] += 1
    learners = Counter(members.values())

    rows = []
    for division in divisions:
        cohort = division.cohort
        size = learners.get(division.pk, 0)
        half = max(math.ceil(size / 2), 1)
        row = ClassCoverage(division, size)
        statuses: dict[int, tuple[Status, int]] = {}
        own = [c for c in competencies if c.version_id == cohort.version_id]
        # A version that tags none of its competencies for this level (MELEC 2024 tags Première and Terminale only)
        # is followed whole, as the bilans do, rather than shown empty.
        level = cohort.class_level if any(_applies(c, cohort.class_level) for c in own) else None
        for competency in own:
            if level and not _applies(competency, level):
                continue
            n = evaluated.get((division.pk, competency.pk), 0)
            if n >= half and size:
                status = Status.HALF
            elif n:
                status = Status.EVALUATED
            elif competency.pk in planned_competencies:
                status = Status.PLANNED
            else:
                status = Status.NEVER
            statuses[competency.pk] = (status, n)
            row.competencies.append(Item(competency.code, competency.label, status, n))
        own_tasks = [t for t in tasks if t.version_id == cohort.version_id]
        task_level = cohort.class_level if any(_applies(t, cohort.class_level) for t in own_tasks) else None
        for task in own_tasks:
            if task_level and not _applies(task, task_level):
                continue
            linked = [statuses[c] for c in task_links.get(task.pk, ()) if c in statuses]
            status, n = max(linked, default=(Status.NEVER, 0))
            if status == Status.NEVER and task.pk in planned_tasks:
                status = Status.PLANNED
            row.tasks.append(Item(task.code, task.label, status, n))
        rows.append(row)
    return rows
