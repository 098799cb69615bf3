"""Grilles de positionnement: creating a grid from a scenario and saving its cells one at a time.

A grid is ``learners × columns``; a column is a competency of the scenario (``criterion`` empty) or, once the grid
is detailed, one of its criteria. A cell is the ``Observation`` of one learner on one column (type, date, observer
and source from the grid); a cell at NE with no comment has no row. Each save carries the value the client last
saw (``seen``): when the cell changed since, the save is refused and the current value returned, so two teachers
filling the same grid merge cell by cell and never overwrite each other. The comment of a cell is saved the same
way; the comment on a learner is a ``GridNote``.

Who may do what (rule registered in ``pedagogy.registrations``):

- the teacher who created a grid reads, fills, changes (title, type, date, learners) and deletes it;
- another teacher of the establishment reads and fills it when they see every learner on it (they teach them: the
  co-intervention case); otherwise the grid does not exist for them (404);
- the DDFPT, the chef d'établissement and the inspector read every grid; learners and guardians see their levels
  in the follow-up pages, not the grids.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import access
from accounts.models import Profile, User
from establishments import audit
from establishments.models import SchoolYear, school_year_start
from referentiels.models import Competency, Criterion

from .evaluation_models import EvaluationType, Grid, Level, Observation
from .grid_models import GridNote

COMMENT_MAX = 2000
GRID_DELETED = "Cette grille a été supprimée : la saisie n'a pas été enregistrée."
LEVEL_LABELS = {0: "NE", 1: "1", 2: "2", 3: "3", 4: "4"}


class GridError(ValidationError):
    pass


class CellConflict(Exception):
    """The cell changed since the client loaded it: nothing written; ``current`` is what it holds now."""

    def __init__(self, current: "CellValue", message: str):
        super().__init__(message)
        self.current = current


@dataclass(frozen=True)
class CellValue:
    level: int = 0
    comment: str = ""

    def as_json(self) -> dict:
        return {"level": self.level, "comment": self.comment}


# School year --------------------------------------------------------------------------------------------------


def school_year_bounds(establishment, day: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """First and last day of the school year holding ``day`` (today): the establishment's, or 1 Sept–31 Aug."""
    day = day or timezone.localdate()
    start_year = school_year_start(day)
    year = SchoolYear.objects.filter(establishment=establishment, start_year=start_year).first()
    if year is not None:
        return year.start_date, year.end_date
    values = SchoolYear.default_values(start_year)
    return values["start_date"], values["end_date"]


def check_date(establishment, day: datetime.date) -> None:
    start, end = school_year_bounds(establishment)
    if not start <= day <= end:
        raise GridError(f"La date doit être dans l'année scolaire en cours (du {start:%d/%m/%Y} au {end:%d/%m/%Y}).",
                        code="date")


def source_label(grid: Grid) -> str:
    return f"Grille « {grid.title} » du {grid.date:%d/%m/%Y}"[:300]


# Creating and deleting ------------------------------------------------------------------------------------------


@transaction.atomic
def create_grid(*, establishment, actor: User, scenario, title: str, type: str, date: datetime.date,
                learner_ids, token: str = "") -> tuple[Grid, bool]:
    """A new grid of ``scenario`` for these learners (each visible to ``actor``); a second POST of the same form
    (same ``token``) returns the first grid. Raises ``GridError`` (nothing written) on bad input."""
    if token:
        existing = Grid.objects.filter(establishment=establishment, creation_token=token).first()
        if existing is not None:
            return existing, False
    title = (title or "").strip() or scenario.title
    if type not in EvaluationType.values or type == EvaluationType.COMPANY:
        raise GridError("Choisissez le type d'évaluation dans la liste (formative ou certificative).", code="type")
    check_date(establishment, date)
    ids = {int(pk) for pk in learner_ids}
    if not ids:
        raise GridError("Choisissez au moins un apprenant.", code="learners")
    allowed = set(access.visible_learners(actor).filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    if ids - allowed:
        raise GridError("Un apprenant choisi n'est pas l'un de vos apprenants.", code="learners")
    if not scenario.competencies.exists():
        raise GridError("Ce scénario n'est lié à aucune compétence : liez-en d'abord au moins une.",
                        code="scenario")
    try:
        with transaction.atomic():
            grid = Grid.objects.create(establishment=establishment, scenario=scenario, title=title[:255], type=type,
                                       date=date, created_by=actor, creation_token=token)
    except IntegrityError:  # the same form, posted twice at the same moment
        return Grid.objects.get(establishment=establishment, creation_token=token), False
    grid.learners.set(sorted(ids))
    audit.record(establishment, actor, "grid.create", grid.title,
                 {"scénario": scenario.title, "apprenants": len(ids), "date": f"{date:%d/%m/%Y}"})
    return grid, True


@transaction.atomic
def update_grid(grid: Grid, *, actor: User, title: str, type: str, date: datetime.date, learner_ids) -> list[int]:
    """Changes the title, type, date and learners of ``grid``; its cells follow (type, date, source). A learner
    taken off the grid loses their cells and comment on it. Learners added must be visible to ``actor``. Returns
    the ids of the learners taken off. ``GridError`` (nothing written) on bad input."""
    title = (title or "").strip() or grid.title
    if type not in EvaluationType.values or type == EvaluationType.COMPANY:
        raise GridError("Choisissez le type d'évaluation dans la liste (formative ou certificative).", code="type")
    check_date(grid.establishment, date)
    ids = {int(pk) for pk in learner_ids}
    if not ids:
        raise GridError("Choisissez au moins un apprenant.", code="learners")
    current = set(grid.learners.values_list("pk", flat=True))
    added = ids - current
    if added:
        allowed = set(access.visible_learners(actor).filter(pk__in=added, is_active=True)
                      .values_list("pk", flat=True))
        if added - allowed:
            raise GridError("Un apprenant choisi n'est pas l'un de vos apprenants.", code="learners")
    removed = sorted(current - ids)
    grid.title, grid.type, grid.date = title[:255], type, date
    grid.save(update_fields=["title", "type", "date", "updated_at"])
    label = source_label(grid)
    Observation.objects.filter(grid=grid, learner_id__in=removed).delete()
    GridNote.objects.filter(grid=grid, learner_id__in=removed).delete()
    Observation.objects.filter(grid=grid).update(type=type, date=date, source_label=label)
    GridNote.objects.filter(grid=grid).update(source_label=label)
    grid.learners.set(sorted(ids))
    audit.record(grid.establishment, actor, "grid.update", grid.title,
                 {"apprenants": len(ids), "retirés": len(removed), "date": f"{date:%d/%m/%Y}"})
    return removed


@transaction.atomic
def delete_grid(grid: Grid, *, actor: User) -> None:
    """The grid and its cells (observations) and notes go; the journal keeps its title."""
    audit.record(grid.establishment, actor, "grid.delete", grid.title,
                 {"scénario": grid.scenario.title, "date": f"{grid.date:%d/%m/%Y}"})
    grid.delete()


# Columns --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    competency: Competency
    criterion: Criterion | None = None

    @property
    def key(self) -> str:
        return f"{self.competency.pk}-{self.criterion.pk if self.criterion else 0}"

    @property
    def code(self) -> str:
        return f"{self.competency.code}.{self.criterion.position}" if self.criterion else self.competency.code

    @property
    def label(self) -> str:
        return self.criterion.label if self.criterion else self.competency.label


def grid_competencies(grid: Grid) -> list[Competency]:
    return list(grid.scenario.competencies.filter(version_id=grid.scenario.version_id).order_by("position", "code"))


def grid_criteria(grid: Grid, competencies: list[Competency]) -> dict[int, list[Criterion]]:
    """The criteria shown when the grid is detailed: the scenario's criteria of each competency, or all of them
    when the scenario chose none for it. One query."""
    chosen = set(grid.scenario.criteria.values_list("pk", flat=True))
    by_competency: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(competency__in=[c.pk for c in competencies]).order_by(
            "competency_id", "position"):
        by_competency.setdefault(criterion.competency_id, []).append(criterion)
    for competency_id, rows in by_competency.items():
        kept = [c for c in rows if c.pk in chosen]
        by_competency[competency_id] = kept or rows
    return by_competency


def columns(grid: Grid, detailed: bool = False, competencies=None) -> list[Column]:
    competencies = grid_competencies(grid) if competencies is None else competencies
    if not detailed:
        return [Column(c) for c in competencies]
    criteria = grid_criteria(grid, competencies)
    result = []
    for competency in competencies:
        result.append(Column(competency))
        result.extend(Column(competency, criterion) for criterion in criteria.get(competency.pk, []))
    return result


# Saving cells ---------------------------------------------------------------------------------------------------


def parse_level(value) -> int:
    """0–4 (NE is 0; « NE » is accepted too), or ``GridError``."""
    text = str(value).strip().upper() if value is not None else ""
    if text == "NE":
        return Level.NE
    if text.lstrip("-").isdecimal() and int(text) in Level.values:
        return int(text)
    raise GridError(f"Niveau « {str(value)[:10]} » hors de l'échelle (NE, 1 à 4).", code="level")


def _int(value, message: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a JSON number such as 1e400 (infinity)
        raise GridError(message, code="cell") from None


def check_cell(grid: Grid, learner_id, competency_id, criterion_id) -> tuple[int, int, int | None]:
    """The cell's ids, checked: a learner on the grid, a competency of the grid (the scenario's, of its version),
    a criterion of that competency. Two small queries (three with a criterion) when all is well."""
    learner_id = _int(learner_id, "Apprenant inconnu.")
    competency_id = _int(competency_id, "Compétence inconnue.")
    criterion_id = _int(criterion_id, "Critère inconnu.") if criterion_id not in (None, "", 0, "0") else None
    if not grid.learners.filter(pk=learner_id).exists():
        raise GridError("Cet apprenant n'est pas sur cette grille.", code="learner")
    if not grid.scenario.competencies.filter(pk=competency_id, version_id=grid.scenario.version_id).exists():
        version_id = Competency.objects.filter(pk=competency_id).values_list("version_id", flat=True).first()
        if version_id != grid.scenario.version_id:
            raise GridError("Cette compétence n'appartient pas à la version du référentiel de la grille.",
                            code="competency")
        raise GridError("Cette compétence n'est pas évaluée par cette grille (elle n'est pas liée au scénario).",
                        code="competency")
    if criterion_id is not None and not Criterion.objects.filter(pk=criterion_id,
                                                                 competency_id=competency_id).exists():
        raise GridError("Ce critère n'appartient pas à la compétence indiquée.", code="criterion")
    return learner_id, competency_id, criterion_id


def _cell_rows(grid: Grid, learner_id: int, competency_id: int, criterion_id: int | None):
    rows = Observation.objects.filter(grid=grid, learner_id=learner_id, competency_id=competency_id)
    return rows.filter(criterion_id=criterion_id) if criterion_id else rows.filter(criterion__isnull=True)


def _value(row) -> CellValue:
    return CellValue(row.level, row.comment) if row is not None else CellValue()


CONFLICT_MESSAGE = ("Cette case a été modifiée par {who} depuis l'ouverture de la grille : sa valeur actuelle est "
                    "affichée, votre saisie n'a pas été enregistrée.")


def save_cell(grid: Grid, actor: User, *, learner_id, competency_id, criterion_id=None, level=None, seen_level=None,
              comment=None, seen_comment=None) -> CellValue:
    """Sets the level (``level``) and/or the comment (``comment``) of one cell, if the cell still holds what the
    client saw (``seen_level``, ``seen_comment``). Returns the cell's new value; raises ``GridError`` (bad input)
    or ``CellConflict`` (someone else changed it), nothing written in either case."""
    learner_id, competency_id, criterion_id = check_cell(grid, learner_id, competency_id, criterion_id)
    if level is None and comment is None:
        raise GridError("Rien à enregistrer.", code="cell")
    new_level = parse_level(level) if level is not None else None
    seen = parse_level(seen_level) if seen_level not in (None, "") else Level.NE
    if comment is not None:
        comment = str(comment).strip()
        if len(comment) > COMMENT_MAX:
            raise GridError(f"Le commentaire dépasse {COMMENT_MAX} caractères.", code="comment")
        seen_comment = str(seen_comment or "").strip()
    with transaction.atomic():
        row = _cell_rows(grid, learner_id, competency_id, criterion_id).select_for_update().first()
        current = _value(row)
        if (new_level is not None and current.level != seen) or (
                comment is not None and current.comment != seen_comment):
            who = row.observer_name if row is not None and row.observer_name else "quelqu'un d'autre"
            raise CellConflict(current, CONFLICT_MESSAGE.format(who=who))
        wanted = CellValue(new_level if new_level is not None else current.level,
                           comment if comment is not None else current.comment)
        if wanted == current:
            return current
        if row is None:
            try:
                with transaction.atomic():
                    Observation.objects.create(
                        establishment_id=grid.establishment_id, learner_id=learner_id, competency_id=competency_id,
                        criterion_id=criterion_id, level=wanted.level, type=grid.type, date=grid.date,
                        observer=actor, observer_name=actor.get_full_name(), grid=grid,
                        source_label=source_label(grid), comment=wanted.comment)
            except IntegrityError:  # created by someone else between our read and our write
                row = _cell_rows(grid, learner_id, competency_id, criterion_id).first()
                raise CellConflict(_value(row), CONFLICT_MESSAGE.format(
                    who=(row.observer_name if row and row.observer_name else "quelqu'un d'autre"))) from None
        elif wanted.level == Level.NE and not wanted.comment:
            row.delete()
        else:
            Observation.objects.filter(pk=row.pk).update(
                level=wanted.level, comment=wanted.comment, observer=actor, observer_name=actor.get_full_name(),
                revision=F("revision") + 1, updated_at=timezone.now())
    return wanted


def save_note(grid: Grid, actor: User, *, learner_id, comment: str, seen_comment: str = "") -> str:
    """The comment on a learner of the grid, if it still holds what the client saw (else ``CellConflict``)."""
    learner_id = _int(learner_id, "Apprenant inconnu.")
    if not grid.learners.filter(pk=learner_id).exists():
        raise GridError("Cet apprenant n'est pas sur cette grille.", code="learner")
    comment, seen_comment = str(comment or "").strip(), str(seen_comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise GridError(f"Le commentaire dépasse {COMMENT_MAX} caractères.", code="comment")
    with transaction.atomic():
        note = GridNote.objects.filter(grid=grid, learner_id=learner_id).select_for_update().first()
        current = note.comment if note else ""
        if current != seen_comment:
            raise CellConflict(CellValue(comment=current), "Ce commentaire a été modifié par quelqu'un d'autre "
                               "depuis l'ouverture de la grille : le voici, votre saisie n'a pas été enregistrée.")
        if comment == current:
            return current
        if note is None:
            try:
                with transaction.atomic():
                    GridNote.objects.create(establishment_id=grid.establishment_id, grid=grid, learner_id=learner_id,
                                            comment=comment, source_label=source_label(grid))
            except IntegrityError:
                note = GridNote.objects.get(grid=grid, learner_id=learner_id)
                raise CellConflict(CellValue(comment=note.comment), "Ce commentaire vient d'être écrit par "
                                   "quelqu'un d'autre : le voici, votre saisie n'a pas été enregistrée.") from None
        else:
            GridNote.objects.filter(pk=note.pk).update(comment=comment, revision=F("revision") + 1,
                                                       updated_at=timezone.now())
    return comment


# Who may -------------------------------------------------------------------------------------------------------


def grid_rule(user, action: str, grid: Grid) -> bool:
    """See the module's docstring. One query at most (the learners a teacher does not see)."""
    if user.profile == Profile.TEACHER:
        if grid.created_by_id == user.pk:
            return True
        return not grid.learners.exclude(pk__in=access.visible_learners(user).values("pk")).exists()
    return action == access.VIEW and user.profile in (Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR)


def may_delete(user, grid: Grid) -> bool:
    return user.is_active and user.profile == Profile.TEACHER and grid.created_by_id == user.pk
