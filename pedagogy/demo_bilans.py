"""Demo bilans (``manage.py demo``, through ``extensions.demo_content``, registered after the scenarios).

For the demo class 2MELEC1 (its cohort is set by the référentiels' demo): the three trimesters of the current
school year when the class level has no bilan period yet; a few observations per learner when they have none (so
proposed levels are realistic); validated Trimestre 1 bilans for the class's learners (all but one when there are
several: the class page then shows a learner without a bilan) and a draft Trimestre 2 bilan for the first learner.
Idempotent: existing periods, observations and bilans are left alone.
"""

import datetime

from accounts.models import Profile, User
from establishments.models import Division, Establishment, SchoolYear, school_year_start
from periods.models import OfficialPeriod

from . import bilan_selectors as selectors
from . import bilans
from .evaluation_models import Bilan, EvaluationType, Level, Observation

DEMO_CLASS = "2MELEC1"
APPRECIATIONS = [
    "Trimestre sérieux : les consignes de sécurité sont acquises, le câblage gagne en précision. Continuer à "
    "soigner la préparation du poste.",
    "Bon investissement à l'atelier. Les mesures et essais doivent encore être consolidés.",
]


def _terms(establishment, cohort, today) -> list[OfficialPeriod]:
    start = school_year_start(today)
    school_year, _ = SchoolYear.objects.get_or_create(establishment=establishment, start_year=start,
                                                      defaults=SchoolYear.default_values(start))
    existing = list(OfficialPeriod.objects.filter(
        establishment=establishment, school_year=school_year, diploma=cohort.version.diploma,
        class_level=cohort.class_level, kind__in=OfficialPeriod.BILAN_KINDS).order_by("start_date"))
    if existing:
        return existing
    dates = [("Trimestre 1", datetime.date(start, 9, 1), datetime.date(start, 11, 30)),
             ("Trimestre 2", datetime.date(start, 12, 1), datetime.date(start + 1, 2, 28)),
             ("Trimestre 3", datetime.date(start + 1, 3, 1), datetime.date(start + 1, 6, 30))]
    return [OfficialPeriod.objects.create(
        establishment=establishment, school_year=school_year, diploma=cohort.version.diploma,
        class_level=cohort.class_level, kind=OfficialPeriod.Kind.TERM, label=label, start_date=first, end_date=last)
        for label, first, last in dates]


def _observations(establishment, learner, teacher, competencies, start: int, index: int) -> None:
    if Observation.objects.filter(establishment=establishment, learner=learner).exists():
        return
    days = [datetime.date(start, 9, 22), datetime.date(start, 10, 13), datetime.date(start, 11, 17)]
    rows = []
    for n, competency in enumerate(competencies):
        for k, day in enumerate(days):
            level = 1 + (n + k + index) % 4  # varied, deterministic
            if (n + index) % 5 == 4 and k == 0:
                continue  # some competencies observed less often
            rows.append(Observation(
                establishment=establishment, learner=learner, competency=competency, level=level,
                type=EvaluationType.CERTIFICATIVE if k == 2 and n % 3 == 0 else EvaluationType.FORMATIVE,
                date=day, observer=teacher, observer_name=teacher.full_name if teacher else "",
                source_label="Démonstration : évaluation en atelier"))
    Observation.objects.bulk_create(rows)


def load_demo_bilans(establishment: Establishment, users: dict) -> None:
    """Runs inside the demo command's transaction, scopes disabled."""
    teacher = users.get(Profile.TEACHER.value)
    division = Division.objects.filter(establishment=establishment, code=DEMO_CLASS).select_related(
        "cohort__version__diploma").first()
    cohort = getattr(division, "cohort", None) if division else None
    if teacher is None or cohort is None or not cohort.class_level:
        return
    today = datetime.date.today()
    terms = _terms(establishment, cohort, today)
    learners = list(User.objects.filter(establishment=establishment, profile=Profile.LEARNER, division=division,
                                        is_active=True).select_related("division__cohort__version__diploma")
                    .order_by("last_name", "first_name", "pk"))
    competencies = selectors.competencies_for(cohort.version, cohort.class_level)
    if not learners or not competencies:
        return
    for index, learner in enumerate(learners):
        _observations(establishment, learner, teacher, competencies, school_year_start(today), index)
    validated = learners if len(learners) == 1 else learners[:-1]
    for index, learner in enumerate(validated):
        _write(establishment, learner, terms[0], teacher, APPRECIATIONS[index % len(APPRECIATIONS)], validate=True)
    if len(terms) > 1:
        _write(establishment, learners[0], terms[1], teacher, "Brouillon en cours de rédaction.", validate=False)


def _write(establishment, learner, period, teacher, appreciation: str, *, validate: bool) -> None:
    if Bilan.objects.filter(establishment=establishment, period=period, learner=learner).exists():
        return
    sheet = selectors.sheet(establishment, learner, period, load_bilan=False)
    levels = {row.competency.pk: row.retained for row in sheet.rows}
    if validate and sheet.rows:  # one teacher's choice, different from the proposal
        first = sheet.rows[0]
        levels[first.competency.pk] = Level.MASTERED if first.retained != Level.MASTERED else Level.WELL_MASTERED
    bilans.save(sheet, actor=teacher, levels=levels, appreciation=appreciation, revision=0, validate=validate)
