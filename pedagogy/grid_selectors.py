"""Reading grids: the grid page (a fixed number of queries whatever its size), the lists, the learners to choose."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from accounts import access
from accounts.models import Profile, User
from establishments.models import Division, TeachingGroup
from referentiels.establishment_models import Cohort

from . import grids
from .evaluation_models import Grid, Observation
from .grid_models import GridNote


@dataclass
class Cell:
    column: grids.Column
    level: int = 0
    comment: str = ""

    @property
    def label(self) -> str:
        return grids.LEVEL_LABELS[self.level]


@dataclass
class Row:
    learner: User
    cells: list[Cell] = field(default_factory=list)
    note: str = ""

    @property
    def cells_html(self) -> str:
        """The row's cells for the grid page, written here rather than by the template: a grid of 35 × 30 cells
        renders in a few milliseconds instead of a hundred (bench_grids). Every value is escaped."""
        parts = []
        for cell in self.cells:
            column = cell.column
            classes = f"grid-cell grid-l{cell.level}"
            if column.criterion is not None:
                classes += " cpro-grid-criterion"
            comment = escape(cell.comment)
            if comment:
                classes += " grid-commented"
            parts.append(
                f'<td class="{classes}" data-competency="{column.competency.pk}" '
                f'data-criterion="{column.criterion.pk if column.criterion else ""}" data-code="{escape(column.code)}" '
                f'data-level="{cell.level}" data-saved="{cell.level}" data-comment="{comment}" '
                f'data-saved-comment="{comment}"' + (f' title="{comment}"' if comment else "") +
                f">{grids.LEVEL_LABELS[cell.level]}</td>")
        return mark_safe("".join(parts))  # built from escaped values only


@dataclass
class GridPage:
    grid: Grid
    columns: list[grids.Column]
    rows: list[Row]
    detailed: bool


def grid_page(grid: Grid, *, detailed: bool = False, blank: bool = False) -> GridPage:
    """Learners × columns with every cell's value; five queries (competencies, criteria, learners, cells, notes)."""
    cols = grids.columns(grid, detailed)
    learners = list(grid.learners.order_by("last_name", "first_name", "pk").select_related("division"))
    values: dict[tuple[int, str], tuple[int, str]] = {}
    notes: dict[int, str] = {}
    if not blank:
        for learner_id, competency_id, criterion_id, level, comment in Observation.objects.filter(
                grid=grid).values_list("learner_id", "competency_id", "criterion_id", "level", "comment"):
            values[(learner_id, f"{competency_id}-{criterion_id or 0}")] = (level, comment)
        notes = dict(GridNote.objects.filter(grid=grid).values_list("learner_id", "comment"))
    rows = []
    for learner in learners:
        row = Row(learner=learner, note=notes.get(learner.pk, ""))
        for column in cols:
            level, comment = values.get((learner.pk, column.key), (0, ""))
            row.cells.append(Cell(column=column, level=level, comment=comment))
        rows.append(row)
    return GridPage(grid=grid, columns=cols, rows=rows, detailed=detailed)


def learner_cells(grid: Grid, learner: User) -> tuple[list[Cell], str]:
    """One learner's cells (every column, detailed) and note: the form without JavaScript."""
    cols = grids.columns(grid, detailed=True)
    values = {f"{c}-{k or 0}": (level, comment) for c, k, level, comment in Observation.objects.filter(
        grid=grid, learner=learner).values_list("competency_id", "criterion_id", "level", "comment")}
    note = GridNote.objects.filter(grid=grid, learner=learner).values_list("comment", flat=True).first() or ""
    return [Cell(column=col, level=values.get(col.key, (0, ""))[0], comment=values.get(col.key, (0, ""))[1])
            for col in cols], note


def visible_grids(user):
    """The grids ``user`` may open: all of the establishment's for the DDFPT, chef and inspector; for a teacher,
    those they created and those whose learners they all see. One query when evaluated."""
    rows = Grid.objects.filter(establishment_id=user.establishment_id).select_related(
        "scenario__version__diploma", "created_by").annotate(learner_count=Count("learners", distinct=True))
    if user.profile == Profile.TEACHER:
        hidden = Count("learners", filter=~Q(learners__in=access.visible_learners(user).values("pk")),
                       distinct=True)
        rows = rows.annotate(hidden=hidden).filter(Q(created_by=user) | Q(hidden=0))
    elif user.profile not in (Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR):
        return rows.none()
    return rows.order_by("-date", "-id")


def grid_counts(scenario_ids: set[int]) -> dict[int, int]:
    """``{scenario id: number of grids}``: one query (the « évaluations » use of a scenario)."""
    return dict(Grid.objects.filter(scenario_id__in=scenario_ids).values("scenario_id")
                .annotate(n=Count("pk")).values_list("scenario_id", "n"))


@dataclass
class LearnerChoices:
    learners: list[User]
    divisions: list[Division]
    groups: list[TeachingGroup]
    default_ids: set[int]


def learner_choices(user, scenario) -> LearnerChoices:
    """The active learners ``user`` may evaluate, their classes and groups, and the learners of the scenario's
    level (classes whose cohort is the scenario's diploma and level): the default choice. Four queries."""
    learners = list(access.visible_learners(user).filter(is_active=True).select_related("division")
                    .order_by("division__code", "last_name", "first_name", "pk"))
    divisions = list(access.visible_divisions(user).order_by("code"))
    groups = list(access.visible_groups(user).order_by("code"))
    level_divisions = set(Cohort.objects.filter(
        establishment_id=user.establishment_id, version__diploma_id=scenario.version.diploma_id,
        class_level=scenario.class_level).values_list("division_id", flat=True))
    default_ids = {learner.pk for learner in learners if learner.division_id in level_divisions}
    return LearnerChoices(learners=learners, divisions=divisions, groups=groups, default_ids=default_ids)


def learners_of_group(group: TeachingGroup) -> set[int]:
    return set(group.members.filter(profile=Profile.LEARNER).values_list("pk", flat=True))


def followup_divisions(user, learners) -> list[Division]:
    """The classes of the grid's learners whose « Suivre les acquis » heat-map ``user`` may open (one query)."""
    ids = {learner.division_id for learner in learners if learner.division_id}
    if not ids:
        return []
    return list(access.visible_divisions(user).filter(pk__in=ids).order_by("code"))
