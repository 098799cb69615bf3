"""Reads of the teaching scenarios: the list of a diploma and level, the editor's choices, one scenario's links.

Every function reads in a constant number of queries whatever the number of scenarios or links (tested with 3 and
300 scenarios).
"""

from collections import Counter as Tally
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from accounts.models import Profile, User
from establishments.models import Establishment
from referentiels.models import ClassLevel, Competency, Criterion, Diploma, ReferentielVersion, Task, TaskCompetency
from referentiels.selectors import fold, subscribed_versions

from . import scenario_uses
from .models import Scenario, ScenarioShare
from .selectors import scenario_field_labels

LEVELS = dict(ClassLevel.choices)


def versions_by_diploma(establishment: Establishment) -> dict[str, list[ReferentielVersion]]:
    """The subscribed diplomas (by code) and their versions, newest first. One query."""
    diplomas: dict[str, list[ReferentielVersion]] = {}
    for version in subscribed_versions(establishment):
        diplomas.setdefault(version.diploma.code, []).append(version)
    return diplomas


def own_level(user) -> tuple[str, str]:
    """(diploma code, class level) of the classes a teacher teaches most, ``("", "")`` for anyone else: the
    scenario list opens there instead of asking the teacher to choose."""
    from collections import Counter

    from referentiels.establishment_models import Cohort

    pairs = Counter(Cohort.objects.filter(division__in=user.divisions_taught.all())
                    .values_list("version__diploma__code", "class_level"))
    return pairs.most_common(1)[0][0] if pairs else ("", "")


def levels_of(versions: list[ReferentielVersion]) -> list[tuple[str, str]]:
    """The class levels a diploma is taught at: Seconde, Première, Terminale for a Bac Pro or a family of
    trades, 1re and 2e année otherwise. No query (the versions come with their diploma)."""
    kinds = {v.diploma.kind for v in versions}
    school = {Diploma.Kind.BAC_PRO, Diploma.Kind.FAMILLE}
    values = ([ClassLevel.SECONDE, ClassLevel.PREMIERE, ClassLevel.TERMINALE] if kinds & school else []) + (
        [ClassLevel.ANNEE_1, ClassLevel.ANNEE_2] if kinds - school or not kinds else [])
    return [(level.value, level.label) for level in values]


@dataclass
class ScenarioRow:
    scenario: Scenario
    authors: list[User]
    task_count: int
    competency_count: int
    evaluation_count: int
    uses: dict


def scenario_list(establishment: Establishment, diploma_code: str, class_level: str, query: str = ""
                  ) -> list[ScenarioRow]:
    """The scenarios of a diploma (every version) and a level, with their counts. Two queries + one per
    registered use, whatever the number of scenarios."""
    scenarios = (
        Scenario.objects.filter(establishment=establishment, version__diploma__code=diploma_code,
                                class_level=class_level)
        .select_related("version")
        .annotate(task_count=Count("tasks", distinct=True), competency_count=Count("competencies", distinct=True))
        .prefetch_related(Prefetch("authors", queryset=User.objects.order_by("last_name", "first_name")))
        .order_by("-updated_at", "-id")
    )
    rows = list(scenarios)
    if query:
        needle = fold(query.strip())
        rows = [s for s in rows if needle in fold(" ".join([s.title, s.situation] + [
            f"{a.first_name} {a.last_name}" for a in s.authors.all()]))]
    uses = scenario_uses.uses_of(s.pk for s in rows)
    return [ScenarioRow(scenario=s, authors=list(s.authors.all()), task_count=s.task_count,
                        competency_count=s.competency_count,
                        evaluation_count=scenario_uses.evaluations_count(uses.get(s.pk, {})), uses=uses.get(s.pk, {}))
            for s in rows]


def establishment_teachers(establishment: Establishment):
    return (User.objects.filter(establishment=establishment, profile=Profile.TEACHER, is_active=True)
            .order_by("last_name", "first_name"))


@dataclass
class Choices:
    """What a scenario of ``version`` may link to, in the référentiel's order."""

    version: ReferentielVersion
    tasks: list[Task]
    competencies: list[Competency]  # professional, with ``criteria_list``
    transversals: list[Competency]
    task_competencies: dict[int, list[int]] = field(default_factory=dict)  # task id → competency ids

    @property
    def task_ids(self) -> set[int]:
        return {t.pk for t in self.tasks}

    @property
    def competency_ids(self) -> set[int]:
        return {c.pk for c in self.competencies}

    @property
    def criterion_ids(self) -> set[int]:
        return {cr.pk for c in self.competencies for cr in c.criteria_list}

    @property
    def transversal_ids(self) -> set[int]:
        return {c.pk for c in self.transversals}


def link_choices(version: ReferentielVersion) -> Choices:
    """The tasks, competencies (with criteria), transversal competencies of ``version`` and the task ↔ competency
    links. Four queries, whatever the size of the version."""
    tasks = list(Task.objects.filter(version=version).select_related("activity").order_by("position"))
    competencies = list(
        Competency.objects.filter(version=version, kind=Competency.Kind.PROFESSIONAL).order_by("position")
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("position"),
                                   to_attr="criteria_list")))
    transversals = list(Competency.objects.filter(
        Q(professional_links__competency__version=version) | Q(version=version, kind=Competency.Kind.TRANSVERSAL))
        .distinct().order_by("version_id", "position"))
    links: dict[int, list[int]] = {}
    for task_id, competency_id in TaskCompetency.objects.filter(task__version=version).values_list(
            "task_id", "competency_id"):
        links.setdefault(task_id, []).append(competency_id)
    return Choices(version=version, tasks=tasks, competencies=competencies, transversals=transversals,
                   task_competencies=links)


def matching(choices: Choices, query: str) -> dict[str, set[int]]:
    """The ids of the tasks, competencies and transversal competencies whose code, label or criteria contain
    ``query`` (accents and case ignored): the editor's search when the page's script does not run."""
    needle = fold(query)

    def hit(*texts) -> bool:
        return needle in fold(" ".join(texts))

    return {
        "tasks": {t.pk for t in choices.tasks if hit(t.code, t.label)},
        "competencies": {c.pk for c in choices.competencies
                         if hit(c.code, c.label, *(cr.label for cr in c.criteria_list))},
        "transversal_competencies": {c.pk for c in choices.transversals if hit(c.code, c.label)},
    }


@dataclass
class Links:
    tasks: list
    competencies: list
    criteria: list
    transversals: list
    common_competencies: list  # competencies linked to several of the scenario's tasks


def scenario_links(scenario: Scenario, choices: Choices) -> Links:
    """The scenario's links, in the référentiel's order, and the competencies shared by several of its tasks.
    Four queries (the scenario's link ids)."""
    task_ids = set(scenario.tasks.values_list("pk", flat=True))
    competency_ids = set(scenario.competencies.values_list("pk", flat=True))
    criterion_ids = set(scenario.criteria.values_list("pk", flat=True))
    transversal_ids = set(scenario.transversal_competencies.values_list("pk", flat=True))
    return links_from_ids(choices, task_ids, competency_ids, criterion_ids, transversal_ids)


def links_from_ids(choices: Choices, task_ids, competency_ids, criterion_ids, transversal_ids) -> Links:
    tally = Tally(cid for tid in task_ids for cid in choices.task_competencies.get(tid, []))
    by_id = {c.pk: c for c in choices.competencies}
    return Links(
        tasks=[t for t in choices.tasks if t.pk in task_ids],
        competencies=[c for c in choices.competencies if c.pk in competency_ids],
        criteria=[(c, cr) for c in choices.competencies for cr in c.criteria_list if cr.pk in criterion_ids],
        transversals=[c for c in choices.transversals if c.pk in transversal_ids],
        common_competencies=[by_id[cid] for cid in sorted(tally, key=lambda cid: by_id[cid].position)
                             if tally[cid] > 1 and cid in by_id],
    )


def labels(scenario: Scenario) -> dict[str, str]:
    """The Masque de saisie's labels of the scenario's diploma."""
    return scenario_field_labels(scenario.establishment, scenario.version.diploma.code)


def received_shares(establishment: Establishment) -> list[ScenarioShare]:
    return list(ScenarioShare.objects.filter(establishment=establishment).select_related("version__diploma"))

