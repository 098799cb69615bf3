"""The bilans indicator of the pilot console: per class and official period (trimester or semester) of the current
school year, how many of the class's learners have a validated bilan intermédiaire.

A class is behind when a finished period lacks bilans, or when over the cycle its learners have fewer validated
bilans than one per finished period (this year's and, in the two previous years, those of its earlier levels); behind
classes come first. Six queries whatever the number of classes, learners or bilans.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from establishments.models import Division, Establishment, SchoolYear
from pedagogy.models import Bilan
from periods.models import OfficialPeriod
from periods.official_periods import DEFAULT_LEVELS


@dataclass
class PeriodCell:
    period: OfficialPeriod
    validated: int
    learners: int
    finished: bool

    @property
    def missing(self) -> int:
        return max(self.learners - self.validated, 0)

    @property
    def late(self) -> bool:
        return self.finished and self.missing > 0


@dataclass
class ClassBilans:
    division: Division
    learners: int
    cells: list[PeriodCell] = field(default_factory=list)
    # Over the cycle: the validated bilans of the class's learners in every school year, and the finished bilan
    # periods the class has gone through (this year's and its earlier levels' in the previous years).
    cycle_validated: int = 0
    cycle_periods: int = 0

    @property
    def cycle_expected(self) -> int:
        return self.learners * self.cycle_periods

    @property
    def behind(self) -> bool:
        return any(cell.late for cell in self.cells) or self.cycle_validated < self.cycle_expected

    @property
    def missing_in_finished(self) -> int:
        return sum(cell.missing for cell in self.cells if cell.finished)


def bilan_periods(establishment: Establishment, school_year: SchoolYear) -> list[OfficialPeriod]:
    return list(OfficialPeriod.objects.filter(establishment=establishment, school_year=school_year,
                                              kind__in=OfficialPeriod.BILAN_KINDS).order_by("start_date", "label"))


def class_bilans(establishment: Establishment, school_year: SchoolYear, *, divisions: list[Division],
                 learners: dict[int, int], today: datetime.date | None = None) -> list[ClassBilans]:
    """The classes (tied to a diploma, ``cohort__version`` selected; ``learners``: class id → active learners),
    each with its periods' counts; behind classes first."""
    today = today or timezone.localdate()
    periods = bilan_periods(establishment, school_year)
    validated = {(division_id, period_id): n for division_id, period_id, n in (
        Bilan.objects.filter(establishment=establishment, status=Bilan.Status.VALIDATED,
                             period__in=[p.pk for p in periods], learner__is_active=True,
                             learner__division__isnull=False)
        .values_list("learner__division_id", "period_id").annotate(n=Count("learner_id", distinct=True))
        .order_by())}
    earlier = _earlier_periods(establishment, school_year, divisions)
    cycle = dict(Bilan.objects.filter(establishment=establishment, status=Bilan.Status.VALIDATED,
                                      learner__is_active=True, learner__division__in=[d.pk for d in divisions])
                 .values_list("learner__division_id").annotate(n=Count("pk")).order_by())
    rows = []
    for division in divisions:
        cohort = division.cohort
        row = ClassBilans(division, learners.get(division.pk, 0), cycle_validated=cycle.get(division.pk, 0))
        for period in periods:
            if period.class_level == cohort.class_level and period.diploma_id == cohort.version.diploma_id:
                row.cells.append(PeriodCell(period, validated.get((division.pk, period.pk), 0), row.learners,
                                            period.end_date < today))
        row.cycle_periods = sum(cell.finished for cell in row.cells) + sum(
            earlier.get((cohort.version.diploma_id, level, school_year.start_year - back), 0)
            for back, level in enumerate(reversed(_levels_before(cohort)), 1))
        rows.append(row)
    rows.sort(key=lambda r: (not r.behind, -r.missing_in_finished, r.cycle_validated - r.cycle_expected,
                             r.division.code))
    return rows


def _levels_before(cohort) -> list[str]:
    """The levels a class went through before its own (seconde then première for a terminale)."""
    levels = DEFAULT_LEVELS.get(cohort.version.diploma.kind, [])
    return levels[:levels.index(cohort.class_level)] if cohort.class_level in levels else []


def _earlier_periods(establishment, school_year, divisions) -> dict[tuple[int, str, int], int]:
    """(diploma, level, school year's first year) → its bilan periods, for the two previous school years. One query."""
    years = [school_year.start_year - 1, school_year.start_year - 2]
    return {(diploma_id, level, year): n for diploma_id, level, year, n in (
        OfficialPeriod.objects.filter(establishment=establishment, kind__in=OfficialPeriod.BILAN_KINDS,
                                      school_year__start_year__in=years,
                                      diploma__in={d.cohort.version.diploma_id for d in divisions})
        .values_list("diploma_id", "class_level", "school_year__start_year").annotate(n=Count("pk")).order_by())}


def learners_without_bilan(learners, division: Division, period: OfficialPeriod):
    """The learners (of the queryset ``learners``, those the user may see) of the class with no validated bilan
    for the period."""
    done = Bilan.objects.filter(period=period, status=Bilan.Status.VALIDATED).values("learner_id")
    return (learners.filter(division=division, is_active=True).exclude(pk__in=done)
            .order_by("last_name", "first_name"))
