"""Reads of the référentiels for an establishment: its subscriptions, the browser's tree, its classes' cohorts.

The référentiels are global, but an establishment sees only the diplomas it subscribes to (every version of
them: a cohort may still be on the older one). The browser's page reads a whole version in three queries whatever
its size (the version; blocks ∪ activities ∪ tasks ∪ competencies; links ∪ criteria); search and filters work
on that tree in memory.
"""

import json
import unicodedata
from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, Q, TextField, Value
from django.db.models.functions import Cast

from accounts.models import Profile, User
from establishments.models import Division, Establishment

from .establishment_models import Cohort, Subscription
from .models import (
    Activity,
    Block,
    BlockCompetency,
    ClassLevel,
    Competency,
    CompetencyTransversal,
    Criterion,
    Diploma,
    ReferentielVersion,
    Task,
    TaskCompetency,
)

NO_SUBSCRIPTION_MESSAGE = ("Votre établissement n'est abonné à aucun diplôme : les référentiels ne sont pas "
                           "disponibles. L'abonnement est ouvert par l'équipe de la plateforme CPro, à la demande du "
                           "chef d'établissement.")

# Subscriptions -------------------------------------------------------------------------------------------------


def subscribed_diplomas(establishment: Establishment) -> list[Diploma]:
    """The diplomas ``establishment`` subscribes to, by code. One query."""
    return list(Diploma.objects.filter(subscriptions__establishment=establishment).order_by("code"))


def subscribed_versions(establishment: Establishment) -> list[ReferentielVersion]:
    """Every version of every subscribed diploma (with its diploma), by diploma then newest first. One query."""
    return list(
        ReferentielVersion.objects.filter(diploma__subscriptions__establishment=establishment)
        .select_related("diploma").order_by("diploma__code", "-first_session", "-code")
    )


def is_subscribed(establishment: Establishment, diploma_code: str) -> bool:
    return Subscription.objects.filter(establishment=establishment, diploma__code=diploma_code).exists()


# The browser's tree --------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case, without accents: « Raccordé » and « raccorde » compare equal."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass
class Node:
    kind: str  # "bloc", "activite", "tache", "professionnelle", "transversale"
    id: int
    parent_id: int | None
    code: str
    label: str
    position: int
    class_levels: list = field(default_factory=list)
    criteria: list = field(default_factory=list)  # competencies: labels, in order
    tasks: list = field(default_factory=list)  # activities: tasks; competencies: linked tasks
    competencies: list = field(default_factory=list)  # tasks, blocks: linked competencies
    blocks: list = field(default_factory=list)  # competencies: blocks/units assessing them
    activities: list = field(default_factory=list)  # blocks: activities
    transversals: list = field(default_factory=list)  # competencies: (code, label) of transversal competencies
    block: "Node | None" = None  # activities: their block
    activity: "Node | None" = None  # tasks: their activity

    @property
    def is_competency(self) -> bool:
        return self.kind in (Competency.Kind.PROFESSIONAL, Competency.Kind.TRANSVERSAL)

    @property
    def kind_label(self) -> str:
        return {"bloc": "Bloc / unité", "activite": "Activité", "tache": "Tâche",
                Competency.Kind.PROFESSIONAL: "Compétence",
                Competency.Kind.TRANSVERSAL: "Compétence transversale"}[self.kind]

    @property
    def levels_display(self) -> str:
        labels = dict(ClassLevel.choices)
        return ", ".join(labels.get(level, level) for level in self.class_levels) if self.class_levels else ""

    def applies_to(self, level: str) -> bool:
        return not level or not self.class_levels or level in self.class_levels

    def search_text(self) -> str:
        parts = [self.code, self.label, *self.criteria]
        return fold(" ".join(parts))


@dataclass
class Tree:
    version: ReferentielVersion
    blocks: list[Node]
    activities: list[Node]
    tasks: list[Node]
    competencies: list[Node]

    @property
    def class_levels(self) -> list[tuple[str, str]]:
        """The levels some task or competency names, in the fixed order (for the filter)."""
        used = {level for node in self.tasks + self.competencies for level in node.class_levels}
        return [(value, label) for value, label in ClassLevel.choices if value in used]


def _text(value: str):
    return Value(value, output_field=CharField())


def version_tree(establishment: Establishment, diploma_code: str, version_code: str) -> Tree | None:
    """The tree of a version of a subscribed diploma, or None (unknown, or not subscribed). Three queries."""
    version = (ReferentielVersion.objects.select_related("diploma", "predecessor")
               .filter(diploma__code=diploma_code, code=version_code,
                       diploma__subscriptions__establishment=establishment).first())
    if version is None:
        return None

    # 2. Blocks ∪ activities ∪ tasks ∪ competencies: (kind, id, parent, code, label, position, levels as JSON text).
    def nodes(queryset, kind, parent, levels=None):
        return (queryset.filter(version=version).order_by()
                .annotate(k=kind, parent=F(parent), levels=levels if levels is not None else _text("[]"))
                .values_list("k", "id", "parent", "code", "label", "position", "levels"))

    as_text = Cast("class_levels", TextField())
    structure = nodes(Block.objects, _text("bloc"), "version_id").union(
        nodes(Activity.objects, _text("activite"), "block_id"),
        nodes(Task.objects, _text("tache"), "activity_id", as_text),
        nodes(Competency.objects, F("kind"), "version_id", as_text),
        all=True,
    )
    blocks, activities, tasks, competencies = [], [], [], []
    for kind, pk, parent, code, label, position, levels in structure:
        levels = json.loads(levels) if isinstance(levels, str) else levels
        node = Node(kind, pk, parent if kind in ("activite", "tache") else None, code, label, position,
                    list(levels or []))
        {"bloc": blocks, "activite": activities, "tache": tasks}.get(kind, competencies).append(node)

    # 3. Links ∪ criteria.
    links = (
        TaskCompetency.objects.filter(task__version=version).order_by()
        .annotate(k=_text("tc"), c=_text(""), lab=_text("")).values_list("k", "task_id", "competency_id", "c", "lab")
        .union(
            BlockCompetency.objects.filter(block__version=version).order_by()
            .annotate(k=_text("bc"), c=_text(""), lab=_text(""))
            .values_list("k", "block_id", "competency_id", "c", "lab"),
            CompetencyTransversal.objects.filter(competency__version=version).order_by()
            .annotate(k=_text("ct"), c=F("transversal__code"), lab=F("transversal__label"))
            .values_list("k", "competency_id", "transversal_id", "c", "lab"),
            Criterion.objects.filter(competency__version=version).order_by()
            .annotate(k=_text("cr"), c=_text(""), lab=F("label"))
            .values_list("k", "competency_id", "position", "c", "lab"),
            all=True,
        )
    )
    return _assemble(version, blocks, activities, tasks, competencies, list(links))


def _assemble(version, blocks, activities, tasks, competencies, links) -> Tree:
    for nodes in (blocks, activities, tasks, competencies):
        nodes.sort(key=lambda n: (n.position, n.code))
    by_block = {n.id: n for n in blocks}
    by_activity = {n.id: n for n in activities}
    by_task = {n.id: n for n in tasks}
    by_competency = {n.id: n for n in competencies}
    for activity in activities:
        activity.block = by_block.get(activity.parent_id)
        if activity.block:
            activity.block.activities.append(activity)
    for task in tasks:
        task.activity = by_activity.get(task.parent_id)
        if task.activity:
            task.activity.tasks.append(task)
    criteria: dict[int, list[tuple[int, str]]] = {}
    transversals: dict[int, list[tuple[str, str]]] = {}
    task_links, block_links = [], []
    for kind, a, b, code, label in links:
        if kind == "tc":
            task_links.append((a, b))
        elif kind == "bc":
            block_links.append((a, b))
        elif kind == "ct":
            transversals.setdefault(a, []).append((code, label))
        else:
            criteria.setdefault(a, []).append((b, label))
    for pk, rows in criteria.items():
        if pk in by_competency:
            by_competency[pk].criteria = [label for _position, label in sorted(rows)]
    for pk, rows in transversals.items():
        if pk in by_competency:
            by_competency[pk].transversals = sorted(rows)
    for task_id, competency_id in task_links:
        task, competency = by_task.get(task_id), by_competency.get(competency_id)
        if task and competency:
            task.competencies.append(competency)
            competency.tasks.append(task)
    for block_id, competency_id in block_links:
        block, competency = by_block.get(block_id), by_competency.get(competency_id)
        if block and competency:
            block.competencies.append(competency)
            competency.blocks.append(block)
    for node in (*tasks, *competencies, *blocks):
        node.competencies.sort(key=lambda n: (n.position, n.code))
        node.tasks.sort(key=lambda n: (n.position, n.code))
        node.blocks.sort(key=lambda n: (n.position, n.code))
    return Tree(version, blocks, activities, tasks, competencies)


@dataclass
class View:
    """What the browser shows of a tree once the search and the filters applied."""

    blocks: list[Node]
    activities: list[Node]  # each with ``shown_tasks``
    competencies: list[Node]
    results: list[Node]  # the search's matches, tasks and competencies first
    filtered: bool


def filter_tree(tree: Tree, *, query: str = "", block_code: str = "", level: str = "") -> View:
    """Search (accent- and case-insensitive, over codes, labels and criteria) and filters (a block/unit, a class
    level) over a tree, in memory."""
    terms = fold(query).split()
    block = next((b for b in tree.blocks if b.code == block_code), None)

    def matches(node: Node) -> bool:
        text = node.search_text()
        return all(term in text for term in terms)

    def in_block(node: Node) -> bool:
        if block is None:
            return True
        if node.kind == "tache":
            return node.activity is not None and node.activity.block is block
        if node.is_competency:
            return block in node.blocks
        if node.kind == "activite":
            return node.block is block
        return node is block

    def shown(node: Node) -> bool:
        return in_block(node) and node.applies_to(level) and (not terms or matches(node))

    tasks = [t for t in tree.tasks if shown(t)]
    competencies = [c for c in tree.competencies if shown(c)]
    activities = []
    for activity in tree.activities:
        activity.shown_tasks = [t for t in activity.tasks if t in tasks]
        if activity.shown_tasks or (not terms and not level and in_block(activity)) or (
                terms and in_block(activity) and matches(activity)):
            activities.append(activity)
    blocks = [b for b in tree.blocks if (block is None or b is block) and (not terms or matches(b))]
    results = []
    if terms:
        results = tasks + competencies + [a for a in activities if matches(a)] + blocks
    return View(blocks=blocks, activities=activities, competencies=competencies, results=results,
                filtered=bool(terms or block or level))


# Classes and diplomas ------------------------------------------------------------------------------------------


@dataclass
class ClassRow:
    division: Division
    cohort: Cohort | None
    learners: int
    mef_codes: list[tuple[str, int]]


def classes_and_diplomas(establishment: Establishment) -> list[ClassRow]:
    """Every class with its cohort (version, level), its active learners and their MEF codes. Two queries."""
    divisions = list(Division.objects.filter(establishment=establishment).select_related(
        "cohort__version__diploma").order_by("code"))
    mefs: dict[int, list[tuple[str, int]]] = {}
    for division_id, mef, count in (
            User.objects.filter(establishment=establishment, profile=Profile.LEARNER, is_active=True,
                                division__isnull=False)
            .values_list("division_id", "mef_code").annotate(n=Count("pk")).order_by("division_id", "mef_code")):
        mefs.setdefault(division_id, []).append((mef or "", count))
    rows = []
    for division in divisions:
        codes = mefs.get(division.pk, [])
        rows.append(ClassRow(division=division, cohort=getattr(division, "cohort", None),
                             learners=sum(n for _mef, n in codes), mef_codes=[(m, n) for m, n in codes if m]))
    return rows


def cohorts_of(establishment: Establishment, division_ids) -> dict[int, Cohort]:
    return {c.division_id: c for c in Cohort.objects.filter(establishment=establishment,
                                                            division_id__in=division_ids)
            .select_related("version__diploma")}


def teacher_cohorts(user) -> list[Cohort]:
    """The cohorts of the classes a teacher teaches (classes, then groups' classes). One query."""
    return list(Cohort.objects.filter(
        Q(division__teachers=user) | Q(division__groups__members=user), establishment=user.establishment_id,
    ).select_related("division", "version__diploma").distinct().order_by("division__code"))
