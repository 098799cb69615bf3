"""The official periods of the school year (« périodes officielles »), set by the DDFPT on the pilot console.

Per subscribed diploma and class level: trimesters or semesters (as in Pronote), PFMP periods, LSL periods and
certification deadlines (a deadline is one day: ``start_date == end_date``). A period lies inside its school year,
ends after it starts, and does not overlap a sibling of the same kind (same diploma, level and kind).

``expected_levels`` says which levels of each subscribed diploma need periods: the levels of the establishment's
classes tied to the diploma (« Classes et diplômes »), or every level of the diploma when no class is tied yet.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.enrolments import school_year_of
from establishments import audit
from establishments.models import Establishment, SchoolYear, school_year_start
from referentiels.establishment_models import Cohort, Subscription
from referentiels.models import ClassLevel, Diploma

from .models import OfficialPeriod

Kind = OfficialPeriod.Kind
LEVEL_LABELS = dict(ClassLevel.choices)
DEFAULT_LEVELS = {
    Diploma.Kind.BAC_PRO: [ClassLevel.SECONDE, ClassLevel.PREMIERE, ClassLevel.TERMINALE],
    Diploma.Kind.FAMILLE: [ClassLevel.SECONDE],
    Diploma.Kind.CAP: [ClassLevel.ANNEE_1, ClassLevel.ANNEE_2],
    Diploma.Kind.BTS: [ClassLevel.ANNEE_1, ClassLevel.ANNEE_2],
    Diploma.Kind.MC: [ClassLevel.ANNEE_1],
}
PFMP_OFFSETS = {ClassLevel.PREMIERE: 2, ClassLevel.TERMINALE: 4, ClassLevel.ANNEE_2: 2}
LEVEL_ORDER = [value for value, _label in ClassLevel.choices]


def current_school_year(establishment: Establishment, day: datetime.date | None = None) -> SchoolYear:
    """The school year of ``day`` (today), created (1 Sept – 31 Aug) if the imports have not made it yet."""
    return school_year_of(establishment, school_year_start(day or timezone.localdate()))


def subscribed_diplomas(establishment: Establishment) -> list[Diploma]:
    return [s.diploma for s in Subscription.objects.filter(establishment=establishment).select_related("diploma")]


def expected_levels(establishment: Establishment, diplomas: list[Diploma] | None = None) -> dict[Diploma, list[str]]:
    """Each subscribed diploma → the class levels that need official periods. Two queries."""
    diplomas = subscribed_diplomas(establishment) if diplomas is None else diplomas
    by_diploma: dict[int, set[str]] = {}
    for diploma_id, level in (Cohort.objects.filter(establishment=establishment).exclude(class_level="")
                              .values_list("version__diploma_id", "class_level").distinct()):
        by_diploma.setdefault(diploma_id, set()).add(level)
    result = {}
    for diploma in diplomas:
        levels = by_diploma.get(diploma.pk) or set(DEFAULT_LEVELS.get(diploma.kind, [ClassLevel.ANNEE_1]))
        result[diploma] = sorted(levels, key=LEVEL_ORDER.index)
    return result


def periods_of_year(establishment: Establishment, school_year: SchoolYear):
    return (OfficialPeriod.objects.filter(establishment=establishment, school_year=school_year)
            .select_related("diploma").order_by("diploma__code", "class_level", "start_date", "kind", "id"))


@dataclass
class LevelCalendar:
    diploma: Diploma
    level: str
    level_label: str
    periods: list


def calendar(establishment: Establishment, school_year: SchoolYear) -> list[LevelCalendar]:
    """Every (subscribed diploma, expected level) with its periods of the year, plus levels that have periods
    without being expected (a class since moved). Three queries."""
    periods = list(periods_of_year(establishment, school_year))
    expected = expected_levels(establishment)
    keys = [(d, level) for d, levels in expected.items() for level in levels]
    known = {(d.pk, level) for d, level in keys}
    for p in periods:
        if (p.diploma_id, p.class_level) not in known:
            known.add((p.diploma_id, p.class_level))
            keys.append((p.diploma, p.class_level))
    rows = []
    for diploma, level in sorted(keys, key=lambda k: (k[0].code, LEVEL_ORDER.index(k[1]))):
        rows.append(LevelCalendar(diploma, level, LEVEL_LABELS.get(level, level),
                                  [p for p in periods if p.diploma_id == diploma.pk and p.class_level == level]))
    return rows


def _siblings(establishment, school_year, diploma, level, kind, exclude_pk=None):
    siblings = OfficialPeriod.objects.filter(establishment=establishment, school_year=school_year, diploma=diploma,
                                             class_level=level, kind=kind)
    return siblings.exclude(pk=exclude_pk) if exclude_pk else siblings


def check_period(establishment: Establishment, school_year: SchoolYear, *, diploma: Diploma, class_level: str,
                 kind: str, label: str, start_date: datetime.date, end_date: datetime.date,
                 exclude_pk: int | None = None) -> dict[str, list[str]]:
    """The French messages (per field) that refuse this period; empty when it may be saved."""
    errors: dict[str, list[str]] = {}
    if end_date < start_date:
        errors.setdefault("end_date", []).append("La date de fin précède la date de début.")
    if start_date < school_year.start_date or end_date > school_year.end_date:
        errors.setdefault("start_date", []).append(
            f"La période doit être comprise dans l'année scolaire {school_year.label} "
            f"(du {school_year.start_date:%d/%m/%Y} au {school_year.end_date:%d/%m/%Y}).")
    siblings = list(_siblings(establishment, school_year, diploma, class_level, kind, exclude_pk))
    if any(s.label.casefold() == label.casefold() for s in siblings):
        errors.setdefault("label", []).append(
            f"Une période « {label} » existe déjà pour ce diplôme et ce niveau.")
    if kind != Kind.CERTIFICATION and end_date >= start_date:
        for sibling in siblings:
            if sibling.start_date <= end_date and start_date <= sibling.end_date:
                errors.setdefault("start_date", []).append(
                    f"Cette période chevauche « {sibling.label} » (du {sibling.start_date:%d/%m/%Y} au "
                    f"{sibling.end_date:%d/%m/%Y}).")
                break
    return errors


def default_label(establishment, school_year, diploma, class_level, kind) -> str:
    count = _siblings(establishment, school_year, diploma, class_level, kind).count()
    names = {Kind.TERM: "Trimestre", Kind.SEMESTER: "Semestre", Kind.PFMP: "PFMP", Kind.LSL: "Période LSL",
             Kind.CERTIFICATION: "Date limite de certification"}
    # PFMP are numbered over the cycle: PFMP 1 and 2 in seconde, 3 and 4 in première, 5 and 6 in terminale.
    offset = PFMP_OFFSETS.get(class_level, 0) if kind == Kind.PFMP else 0
    return f"{names.get(kind, kind)} {offset + count + 1}"


def _details(period: OfficialPeriod) -> dict:
    return {"diplôme": period.diploma.code, "niveau": period.class_level, "type": period.get_kind_display(),
            "intitulé": period.label, "début": period.start_date.isoformat(), "fin": period.end_date.isoformat()}


@transaction.atomic
def save_period(establishment: Establishment, actor, school_year: SchoolYear, *, diploma: Diploma, class_level: str,
                kind: str, label: str = "", start_date: datetime.date, end_date: datetime.date | None = None,
                period: OfficialPeriod | None = None) -> OfficialPeriod:
    """Creates (``period`` None) or changes an official period; raises ``ValidationError`` (per field) and saves
    nothing when refused. The same creation posted twice (double click) finds the first one."""
    if kind == Kind.CERTIFICATION or end_date is None:
        end_date = start_date
    label = (label or "").strip()
    if period is None and label:
        twin = _siblings(establishment, school_year, diploma, class_level, kind).filter(
            label=label, start_date=start_date, end_date=end_date).first()
        if twin is not None:
            return twin
    if not label:
        label = default_label(establishment, school_year, diploma, class_level, kind)
    errors = check_period(establishment, school_year, diploma=diploma, class_level=class_level, kind=kind,
                          label=label, start_date=start_date, end_date=end_date,
                          exclude_pk=period.pk if period else None)
    if errors:
        raise ValidationError(errors)
    created = period is None
    if created:
        period = OfficialPeriod(establishment=establishment, school_year=school_year)
    period.diploma, period.class_level, period.kind = diploma, class_level, kind
    period.label, period.start_date, period.end_date = label, start_date, end_date
    period.save()
    audit.record(establishment, actor, "official_period.create" if created else "official_period.update",
                 period.label, _details(period))
    return period


@transaction.atomic
def delete_period(establishment: Establishment, actor, period: OfficialPeriod) -> bool:
    """Deletes a period no bilan was made for; returns False (nothing deleted) otherwise."""
    if period.bilans.exists():
        return False
    details = _details(period)
    period.delete()
    audit.record(establishment, actor, "official_period.delete", details["intitulé"], details)
    return True
