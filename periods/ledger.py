"""The ledger of days in companies: per learner and period, the days planned and the days done (absences,
catch-up days); per learner, the weeks done over the cycle against the diploma's minimum (Bac Pro 22 weeks, CAP
12 to 16: ``WeeksMinimum``, else the national default); a CSV of the days done per learner and period (what the
schools send for the PFMP allocation).

Days done = days planned − days of absence + days caught up. A count above the period's length (in calendar
days), absences above the days planned, or a negative number are refused with a French message, nothing saved.
Every read here is a constant number of queries whatever the number of learners.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import Profile, User
from documents.formats import csv_text
from establishments import audit
from establishments.models import Establishment
from referentiels.models import Diploma

from .models import Placement, WorkPeriod
from .pfmp_models import DAYS_PER_WEEK, WeeksMinimum, default_weeks


class DaysError(Exception):
    def __init__(self, errors: dict[int, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors  # placement id → message


def days_done(planned: int, absent: int, caught_up: int) -> int:
    return max(planned - absent + caught_up, 0)


def check_days(period: WorkPeriod, planned, absent, caught_up) -> str | None:
    """The French message refusing these numbers for ``period``, or ``None``."""
    length = period.length_days
    if any(value is None or value < 0 for value in (planned, absent, caught_up)):
        return "Indiquez des nombres de jours positifs ou nuls."
    if planned > length:
        return f"Les jours prévus ({planned}) dépassent la durée de la période ({length} jours)."
    if absent > planned:
        return f"Les jours d'absence ({absent}) dépassent les jours prévus ({planned})."
    done = days_done(planned, absent, caught_up)
    if done > length:
        return f"Les jours effectués ({done}) dépassent la durée de la période ({length} jours)."
    return None


@transaction.atomic
def record_days(*, period: WorkPeriod, actor: User, rows: dict[int, tuple], placements: QuerySet) -> int:
    """``rows``: ``{placement id: (planned, absent, caught_up)}`` for placements of ``placements`` (the ones the
    actor may change). Everything is checked first: one bad row and nothing is saved (``DaysError``). Returns the
    number of placements changed."""
    by_id = {p.pk: p for p in placements.filter(period=period, pk__in=list(rows))}
    errors = {}
    changed = []
    for pk, (planned, absent, caught_up) in rows.items():
        placement = by_id.get(pk)
        if placement is None:
            continue
        message = check_days(period, planned, absent, caught_up)
        if message:
            errors[pk] = message
            continue
        done = days_done(planned, absent, caught_up)
        if (placement.days_planned, placement.days_absent, placement.days_caught_up, placement.days_done) != (
                planned, absent, caught_up, done):
            placement.days_planned, placement.days_absent, placement.days_caught_up = planned, absent, caught_up
            placement.days_done = done
            changed.append(placement)
    if errors:
        raise DaysError(errors)
    Placement.objects.bulk_update(changed, ["days_planned", "days_absent", "days_caught_up", "days_done"],
                                  batch_size=500)
    if changed:
        audit.record(period.establishment, actor, "period.days", period.title, {"apprenants": len(changed)})
    return len(changed)


def weeks_minimum(establishment: Establishment, diploma: Diploma) -> tuple[int, int | None]:
    """(minimum, maximum) weeks over the cycle for ``diploma``: the establishment's setting, else the default."""
    row = WeeksMinimum.objects.filter(establishment=establishment, diploma=diploma).first()
    if row:
        return row.min_weeks, row.max_weeks
    low, high = default_weeks(diploma.kind)
    return low, high


@dataclass
class LedgerRow:
    learner: User
    placements: list[Placement] = field(default_factory=list)

    @property
    def days_planned(self) -> int:
        return sum(p.days_planned or 0 for p in self.placements)

    @property
    def days_absent(self) -> int:
        return sum(p.days_absent or 0 for p in self.placements)

    @property
    def days_caught_up(self) -> int:
        return sum(p.days_caught_up or 0 for p in self.placements)

    @property
    def days_done(self) -> int:
        return sum(p.days_done or 0 for p in self.placements)

    @property
    def weeks_done(self) -> float:
        return round(self.days_done / DAYS_PER_WEEK, 1)


@dataclass
class Ledger:
    diploma: Diploma
    min_weeks: int
    max_weeks: int | None
    rows: list[LedgerRow]

    @property
    def below(self) -> list[LedgerRow]:
        return [row for row in self.rows if row.weeks_done < self.min_weeks]


def ledger(establishment: Establishment, diploma: Diploma, learners: QuerySet) -> Ledger:
    """The active learners of ``diploma``'s classes among ``learners`` (what the user may see), each with every
    placement of their cycle (all school years). Three queries whatever the number of learners."""
    rows = {learner.pk: LedgerRow(learner=learner) for learner in (
        learners.filter(profile=Profile.LEARNER, is_active=True, division__cohort__version__diploma=diploma)
        .select_related("division").order_by("division__code", "last_name", "first_name", "id"))}
    for placement in (Placement.objects.filter(establishment=establishment, learner_id__in=list(rows))
                      .order_by("start_date", "id")):
        rows[placement.learner_id].placements.append(placement)
    low, high = weeks_minimum(establishment, diploma)
    return Ledger(diploma=diploma, min_weeks=low, max_weeks=high, rows=list(rows.values()))


CSV_HEADER = ["Nom", "Prénom", "INE", "Classe", "Période", "Début", "Fin", "Jours prévus", "Jours d'absence",
              "Jours rattrapés", "Jours effectués", "Total jours effectués sur le cycle",
              "Semaines effectuées sur le cycle", "Minimum (semaines)", "En dessous du minimum"]


def empty_csv() -> str:
    return csv_text([CSV_HEADER])


def ledger_csv(book: Ledger) -> str:
    """One line per learner and period (a learner with no period: one line without period). Semicolon-separated,
    with a BOM so a spreadsheet opens the accents right, and no cell that a spreadsheet would run as a formula."""
    rows: list[list] = [CSV_HEADER]
    for row in book.rows:
        learner = row.learner
        common = [learner.last_name, learner.first_name, learner.ine or "",
                  learner.division.code if learner.division else ""]
        totals = [row.days_done, str(row.weeks_done).replace(".", ","), book.min_weeks,
                  "oui" if row.weeks_done < book.min_weeks else "non"]
        for p in row.placements or [None]:
            if p is None:
                rows.append([*common, "", "", "", "", "", "", "", *totals])
                continue
            rows.append([*common, p.period_title, f"{p.start_date:%d/%m/%Y}" if p.start_date else "",
                         f"{p.end_date:%d/%m/%Y}" if p.end_date else "", p.days_planned or 0, p.days_absent,
                         p.days_caught_up, p.days_done if p.days_done is not None else "", *totals])
    return csv_text(rows)


@transaction.atomic
def set_weeks_minimum(*, establishment: Establishment, actor: User, diploma: Diploma, min_weeks: int,
                      max_weeks: int | None) -> WeeksMinimum:
    if min_weeks is None or min_weeks < 0 or min_weeks > 104:
        raise ValueError("Indiquez un nombre de semaines entre 0 et 104.")
    if max_weeks is not None and max_weeks < min_weeks:
        raise ValueError("Le maximum doit être supérieur ou égal au minimum.")
    row, _ = WeeksMinimum.objects.update_or_create(establishment=establishment, diploma=diploma,
                                                   defaults={"min_weeks": min_weeks, "max_weeks": max_weeks})
    audit.record(establishment, actor, "period.weeks_minimum", diploma.code,
                 {"minimum": min_weeks, "maximum": max_weeks if max_weeks is not None else "—"})
    return row
