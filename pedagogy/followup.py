"""Suivi des acquis: the proposed and retained levels of learners, computed in bulk (a constant number of queries).

Selectors only (no writes). The proposed level is ``pedagogy.levels.propose`` over the learner's observations of
a competency (of its criteria or of the whole competency), with the establishment's parameters
(``pedagogy.evaluation_settings``); the retained level is the one of the learner's most recent *validated* bilan.

- ``proposals_for(learner, competencies, at=None)``: ``{competency_id: Proposal}``, for other modules (bilans,
  passport): 2 queries.
- ``learner_followup(learner, ...)``: everything the learner's page shows (≈ 7 queries, whatever the number of
  observations).
- ``class_heatmap(division, viewer, ...)``: the class's learners × competencies (≈ 7 queries).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Case, Count, ExpressionWrapper, F, FloatField, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts import access
from accounts.models import Profile, User
from referentiels.establishment_models import Cohort
from referentiels.models import Block, BlockCompetency, Competency, Criterion

from .evaluation_models import Bilan, BilanLine, EvaluationType, Level, Observation
from .evaluation_settings import parameters_for
from .levels import Parameters, Proposal, propose, round_level, type_weight, weight

TYPE_LABELS = dict(EvaluationType.choices)
LEVEL_LABELS = dict(Level.choices)


@dataclass
class Filters:
    block_id: int | None = None
    type: str = ""

    @classmethod
    def from_query(cls, data) -> "Filters":
        """From the page's query string; a block of another version is dropped by ``competencies_of``."""
        block = data.get("bloc", "")
        block_id = int(block) if block.isdecimal() and len(block) < 10 else None
        kind = data.get("type", "")
        return cls(block_id=block_id, type=kind if kind in TYPE_LABELS else "")


def today() -> date:
    return timezone.localdate()


def version_of(learner) -> Cohort | None:
    """The cohort (référentiel version and class level) of the learner's class, or None (1 query)."""
    if not learner.division_id:
        return None
    return Cohort.objects.filter(division_id=learner.division_id).select_related("version__diploma").first()


def competencies_of(version, block_id: int | None = None) -> tuple[list[Competency], list[Block]]:
    """The version's competencies in order, each with ``block_codes``; and its blocks (3 queries)."""
    blocks = list(Block.objects.filter(version=version).order_by("position", "id"))
    links = defaultdict(list)
    by_pk = {b.pk: b for b in blocks}
    if block_id not in by_pk:
        block_id = None
    for competency_id, block_id_ in BlockCompetency.objects.filter(block__version=version).values_list(
            "competency_id", "block_id"):
        links[competency_id].append(block_id_)
    competencies = []
    for competency in Competency.objects.filter(version=version).order_by("position", "id"):
        if block_id and block_id not in links[competency.pk]:
            continue
        competency.block_codes = [by_pk[b].code for b in links[competency.pk] if b in by_pk]
        competencies.append(competency)
    return competencies, blocks


def _observations(learner_ids, competency_ids, types: str = ""):
    queryset = Observation.objects.filter(learner_id__in=learner_ids, competency_id__in=competency_ids,
                                          level__gt=Level.NE)
    if types:
        queryset = queryset.filter(type=types)
    return queryset


def proposals_for(learner, competencies, at: date | None = None, *, parameters: Parameters | None = None,
                  type: str = "") -> dict[int, Proposal]:
    """``{competency_id: Proposal}`` of ``learner`` on ``competencies`` (objects or ids) at ``at`` (today).

    Competencies without a counted observation get a ``Proposal`` with ``level=None``. Two queries (the
    establishment's parameters unless given, the observations).
    """
    at = at or today()
    ids = [getattr(c, "pk", c) for c in competencies]
    parameters = parameters or parameters_for(learner.establishment_id)
    grouped = defaultdict(list)
    for observation in _observations([learner.pk], ids, type).filter(date__lte=at).only(
            "id", "learner_id", "competency_id", "level", "type", "date"):
        grouped[observation.competency_id].append(observation)
    return {cid: propose(grouped.get(cid, ()), at, parameters) for cid in ids}


def retained_levels(learner, competency_ids) -> dict[int, BilanLine]:
    """The retained level of each competency in the learner's most recent validated bilan holding it (1 query).

    Each line comes with its ``bilan`` (period label and dates).
    """
    lines = (BilanLine.objects.filter(bilan__learner=learner, bilan__status=Bilan.Status.VALIDATED,
                                      competency_id__in=competency_ids)
             .select_related("bilan").order_by("competency_id", "-bilan__period_end", "-bilan__validated_at"))
    result = {}
    for line in lines:
        result.setdefault(line.competency_id, line)
    return result


# One learner ----------------------------------------------------------------------------------------------------


@dataclass
class ObservationRow:
    observation: Observation
    weight: float  # its share of the weight today, in %, for « d'où vient ce niveau »
    counted: bool = True  # False when its type weighs 0 in the establishment's parameters

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.observation.type, self.observation.type)


@dataclass
class CompetencyRow:
    competency: Competency
    proposal: Proposal
    retained: BilanLine | None
    observations: list[ObservationRow]

    @property
    def count(self) -> int:
        return len(self.observations)

    @property
    def proposed_label(self) -> str:
        return LEVEL_LABELS[self.proposal.level] if self.proposal.level else LEVEL_LABELS[Level.NE]


@dataclass
class Point:
    """One dated level of the chart: the mean of the proposed scores of the competencies evaluated by then."""

    date: date
    score: float
    level: int
    evaluated: int  # competencies with a proposed level at that date


@dataclass
class LearnerFollowup:
    learner: User
    cohort: Cohort | None
    blocks: list[Block] = field(default_factory=list)
    rows: list[CompetencyRow] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    markers: list[Observation] = field(default_factory=list)  # raw observations of the chosen competency
    focus: Competency | None = None
    at: date | None = None

    @property
    def observation_count(self) -> int:
        return sum(row.count for row in self.rows)

    @property
    def evaluated_count(self) -> int:
        return sum(1 for row in self.rows if row.proposal.level)


def progress_points(observations_by_competency: dict, parameters: Parameters) -> list[Point]:
    """At each date with an observation, the mean of the proposed scores of every competency evaluated by then.

    Computed in one pass (O(observations + dates × 1)): a competency's score only changes on the days it is
    observed (ageing multiplies all its weights by the same factor, which leaves the mean as it was), so each
    competency keeps Σ w and Σ w × level, decayed from its previous observation day; the result equals
    ``levels.propose`` at each date (tested)."""
    events = defaultdict(list)
    for competency_id, rows in observations_by_competency.items():
        for observation in rows:
            if observation.level and type_weight(observation, parameters) > 0:
                events[observation.date].append((competency_id, observation))
    state: dict[int, list] = {}  # competency → [last day, Σ w, Σ w × level, score]
    score_sum, points = 0.0, []
    for day in sorted(events):
        for competency_id, observation in events[day]:
            entry = state.get(competency_id)
            w = type_weight(observation, parameters)
            if entry is None:
                state[competency_id] = [day, w, w * observation.level, None]
                continue
            if entry[0] != day:
                decay = 0.5 ** ((day - entry[0]).days / parameters.half_life_days)
                entry[0], entry[1], entry[2] = day, entry[1] * decay, entry[2] * decay
            entry[1] += w
            entry[2] += w * observation.level
        for competency_id in {cid for cid, _ in events[day]}:
            entry = state[competency_id]
            score = entry[2] / entry[1]
            score_sum += score - (entry[3] or 0.0)
            entry[3] = score
        mean = score_sum / len(state)
        points.append(Point(date=day, score=mean, level=round_level(mean), evaluated=len(state)))
    return points


def learner_followup(learner, *, filters: Filters | None = None, competency_id: int | None = None,
                     at: date | None = None) -> LearnerFollowup:
    """The learner's page: every competency of their version with its proposed level (and the observations it came
    from), the last retained level, the number of observations, and the chart's points. Constant queries."""
    filters = filters or Filters()
    at = at or today()
    cohort = version_of(learner)
    result = LearnerFollowup(learner=learner, cohort=cohort, at=at)
    if cohort is None:
        return result
    competencies, result.blocks = competencies_of(cohort.version, filters.block_id)
    filters.block_id = filters.block_id if filters.block_id in {b.pk for b in result.blocks} else None
    ids = [c.pk for c in competencies]
    parameters = parameters_for(learner.establishment_id)
    grouped = defaultdict(list)
    for observation in (_observations([learner.pk], ids, filters.type).filter(date__lte=at)
                        .select_related("criterion").order_by("date", "id")):
        grouped[observation.competency_id].append(observation)
    retained = retained_levels(learner, ids)
    for competency in competencies:
        rows = grouped.get(competency.pk, [])
        proposal = propose(rows, at, parameters)
        total = sum(weight(o, at, parameters) for o in rows) or 1.0
        result.rows.append(CompetencyRow(
            competency=competency, proposal=proposal, retained=retained.get(competency.pk),
            observations=[ObservationRow(o, 100 * weight(o, at, parameters) / total, type_weight(o, parameters) > 0)
                          for o in reversed(rows)]))
        if competency.pk == competency_id:
            result.focus = competency
    if result.focus is not None:
        result.markers = grouped.get(result.focus.pk, [])
        result.points = progress_points({result.focus.pk: result.markers}, parameters)
    else:
        result.points = progress_points(grouped, parameters)
    return result


def neighbours(viewer, learner) -> tuple[User | None, User | None, list[User]]:
    """The previous and next learners of the learner's class that ``viewer`` may see (1 query)."""
    if not learner.division_id or viewer.profile in (Profile.LEARNER, Profile.GUARDIAN):
        return None, None, []
    classmates = list(access.visible_learners(viewer).filter(division_id=learner.division_id, is_active=True)
                      .order_by("last_name", "first_name", "pk").only("pk", "first_name", "last_name"))
    ids = [c.pk for c in classmates]
    if learner.pk not in ids:
        return None, None, classmates
    index = ids.index(learner.pk)
    previous = classmates[index - 1] if index > 0 else None
    following = classmates[index + 1] if index + 1 < len(classmates) else None
    return previous, following, classmates


# One class ------------------------------------------------------------------------------------------------------


@dataclass
class HeatRow:
    learner: User
    cells: list[int]  # one per competency: 0 (never evaluated) to 4
    counts: dict[int, int]

    @property
    def count_list(self) -> list[int]:
        """Cells per level, NE first."""
        return [self.counts.get(level, 0) for level in range(5)]


@dataclass
class Column:
    """A column of the heat-map: a competency, or one of its criteria (« par critère »)."""

    key: int  # the competency's or the criterion's id
    code: str  # « C7 » or « C7.2 »
    title: str


@dataclass
class Heatmap:
    division: object  # the class, or None for a teaching group's heat-map
    cohort: Cohort | None
    by_criterion: bool = False
    group: object = None
    left_out: int = 0  # a group's learners on another version or level, not shown
    blocks: list[Block] = field(default_factory=list)
    competencies: list[Competency] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    rows: list[HeatRow] = field(default_factory=list)
    column_counts: list[dict[int, int]] = field(default_factory=list)  # per column: {level: learners}
    totals: dict[int, int] = field(default_factory=dict)  # every cell: {level: cells}
    observation_count: int = 0

    @property
    def footer(self) -> list[tuple[int, str, list[int], int]]:
        """Per level (NE first): its label, how many learners are at it for each competency, and in all."""
        return [(level, LEVEL_LABELS[level], [counts[level] for counts in self.column_counts],
                 self.totals.get(level, 0)) for level in range(5)]


def _age_sql(at: date) -> tuple[str, list]:
    """The age in days of an observation at ``at``, in the database's own dialect (float)."""
    column = f'"{Observation._meta.db_table}"."date"'
    if connection.vendor == "postgresql":
        return f"(%s::date - {column})::double precision", [at]
    return f"(julianday(%s) - julianday({column}))", [at.isoformat()]


def levels_in_database(queryset, key: str, at: date, parameters: Parameters) -> dict[tuple[int, int], tuple]:
    """``{(learner_id, key): (proposed level, observations counted)}`` for the observations of ``queryset``,
    computed by the database in one grouped query: the same formula as ``levels.propose`` (Σ w × level / Σ w with
    w = t × 0.5 ** (age / h), NE, later observations and types weighing 0 left out), rounded by
    ``levels.round_level``. A group whose weights all underflow to 0 (centuries of half-lives) is computed again
    in Python from its rows (one more query, only then)."""
    weights = {kind: w for kind, w in parameters.type_weights.items() if w > 0}
    queryset = queryset.filter(level__gt=Level.NE, date__lte=at, type__in=list(weights))
    if not weights:
        return {}
    age, params = _age_sql(at)
    # Only constant SQL text here; the date and the half-life are passed as parameters.
    decay = RawSQL(f"POWER(0.5, {age} / %s)", [*params, float(parameters.half_life_days)],  # noqa: S611
                   output_field=FloatField())
    type_weight = Case(*[When(type=kind, then=Value(float(w))) for kind, w in weights.items()],
                       default=Value(0.0), output_field=FloatField())
    weight_expression = ExpressionWrapper(type_weight * decay, output_field=FloatField())
    rows = (queryset.order_by().values("learner_id", key)
            .annotate(total=Sum(weight_expression),
                      weighted=Sum(ExpressionWrapper(weight_expression * F("level"), output_field=FloatField())),
                      counted=Count("id"))
            .values_list("learner_id", key, "total", "weighted", "counted"))
    result, underflow = {}, []
    for learner_id, key_id, total, weighted, counted in rows:
        if total and total > 0:
            result[(learner_id, key_id)] = (round_level(weighted / total), counted)
        else:
            underflow.append((learner_id, key_id))
    if underflow:
        grouped = defaultdict(list)
        wanted = set(underflow)
        for observation in queryset.filter(learner_id__in={learner for learner, _ in underflow},
                                           **{f"{key}__in": {k for _, k in underflow}}):
            pair = (observation.learner_id, getattr(observation, key))
            if pair in wanted:
                grouped[pair].append(observation)
        for pair, rows_ in grouped.items():
            proposal = propose(rows_, at, parameters)
            result[pair] = (proposal.level or 0, proposal.count)
    return result


def class_heatmap(division, viewer, *, filters: Filters | None = None, at: date | None = None,
                  by_criterion: bool = False) -> Heatmap:
    """Learners of ``division`` that ``viewer`` may see × the competencies (or their criteria) of the class's
    version, with their proposed levels (0: never evaluated) and the counts per level. Constant queries.

    By criterion, a cell is the proposed level from the observations of that criterion only (observations of a
    whole competency count for the competency's columns, not for a criterion's)."""
    cohort = Cohort.objects.filter(division=division).select_related("version__diploma").first()
    result = Heatmap(division=division, cohort=cohort, by_criterion=by_criterion)
    learners = list(access.visible_learners(viewer).filter(division=division, is_active=True)
                    .order_by("last_name", "first_name", "pk").only("pk", "first_name", "last_name", "division_id"))
    return _fill(result, learners, division.establishment_id, filters=filters, at=at)


def group_heatmap(group, viewer, *, filters: Filters | None = None, at: date | None = None,
                  by_criterion: bool = False) -> Heatmap:
    """The same heat-map for a teaching group (« 2MELEC1-ATELIER »): its learners that ``viewer`` may see, on the
    référentiel version of the group's first class (by code) attached to a diploma. A group spanning classes on
    another version or level shows only the learners of that version and level; ``left_out`` counts the others.
    Constant queries."""
    cohort = (Cohort.objects.filter(division__groups=group).select_related("version__diploma")
              .order_by("division__code").first())
    result = Heatmap(division=None, group=group, cohort=cohort, by_criterion=by_criterion)
    members = access.visible_learners(viewer).filter(teaching_groups=group, is_active=True)
    if cohort is not None:
        learners = list(members.filter(division__cohort__version_id=cohort.version_id,
                                       division__cohort__class_level=cohort.class_level)
                        .order_by("last_name", "first_name", "pk")
                        .only("pk", "first_name", "last_name", "division_id"))
        result.left_out = members.count() - len(learners)
    else:
        learners = list(members.order_by("last_name", "first_name", "pk")
                        .only("pk", "first_name", "last_name", "division_id"))
    return _fill(result, learners, group.establishment_id, filters=filters, at=at)


def _fill(result: Heatmap, learners: list, establishment_id: int, *, filters: Filters | None,
          at: date | None) -> Heatmap:
    filters = filters or Filters()
    at = at or today()
    cohort, by_criterion = result.cohort, result.by_criterion
    if cohort is None:
        result.rows = [HeatRow(learner, [], {}) for learner in learners]
        return result
    result.competencies, result.blocks = competencies_of(cohort.version, filters.block_id)
    filters.block_id = filters.block_id if filters.block_id in {b.pk for b in result.blocks} else None
    competency_ids = [c.pk for c in result.competencies]
    if by_criterion:
        criteria = (Criterion.objects.filter(competency_id__in=competency_ids)
                    .order_by("competency__position", "competency_id", "position").select_related("competency"))
        result.columns = [Column(c.pk, f"{c.competency.code}.{c.position}", c.label) for c in criteria]
    else:
        result.columns = [Column(c.pk, c.code, c.label) for c in result.competencies]
    ids = [column.key for column in result.columns]
    parameters = parameters_for(establishment_id)
    queryset = _observations([learner.pk for learner in learners], competency_ids, filters.type)
    if by_criterion:
        queryset = queryset.filter(criterion__isnull=False)
    levels = levels_in_database(queryset, "criterion_id" if by_criterion else "competency_id", at, parameters)
    result.observation_count = sum(count for _, count in levels.values())
    result.column_counts = [dict.fromkeys(range(5), 0) for _ in ids]
    result.totals = dict.fromkeys(range(5), 0)
    for learner in learners:
        cells, counts = [], dict.fromkeys(range(5), 0)
        for index, cid in enumerate(ids):
            level = levels.get((learner.pk, cid), (0, 0))[0]
            cells.append(level)
            counts[level] += 1
            result.column_counts[index][level] += 1
            result.totals[level] += 1
        result.rows.append(HeatRow(learner, cells, counts))
    return result
