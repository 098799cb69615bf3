"""The bilans indicator of the pilot console: per class and official period (trimester or semester) of the current
school year, how many of the class's learners have a validated bilan intermédiaire.

A class is behind when a finished period lacks bilans; behind classes come first. Four queries whatever the number
of classes, learners or bilans.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from establishments.models import Division, Establishment, SchoolYear
from pedagogy.models import Bilan
from periods.models import OfficialPeriod


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

    @property
    def behind(self) -> bool:
        return any(cell.late for cell in self.cells)

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
    rows = []
    for division in divisions:
        cohort = division.cohort
        row = ClassBilans(division, learners.get(division.pk, 0))
        for period in periods:
            if period.class_level == cohort.class_level and period.diploma_id == cohort.version.diploma_id:
                row.cells.append(PeriodCell(period, validated.get((division.pk, period.pk), 0), row.learners,
                                            period.end_date < today))
        rows.append(row)
    rows.sort(key=lambda r: (not r.behind, -r.missing_in_finished, r.division.code))
    return rows


def learners_without_bilan(learners, division: Division, period: OfficialPeriod):
    """The learners (of the queryset ``learners``, those the user may see) of the class with no validated bilan
    for the period."""
    done = Bilan.objects.filter(period=period, status=Bilan.Status.VALIDATED).values("learner_id")
    return (learners.filter(division=division, is_active=True).exclude(pk__in=done)
            .order_by("last_name", "first_name"))
