"""A class ready for bilans intermédiaires: a référentiel version, a cohort, trimesters, a teacher, learners."""

import datetime
from dataclasses import dataclass, field

from accounts.models import Profile, User
from establishments.models import Division, SchoolYear
from establishments.scoping import scopes_disabled
from pedagogy.evaluation_models import EvaluationType, Observation
from periods.models import OfficialPeriod
from referentiels.establishment_models import Cohort
from referentiels.services import subscribe

from .conftest import PASSWORD
from .referentiel_factory import make_version

START = 2026


@dataclass
class BilanWorld:
    establishment: object
    version: object
    division: Division
    teacher: User
    learners: list
    periods: list
    competencies: list = field(default_factory=list)

    @property
    def learner(self):
        return self.learners[0]

    @property
    def t1(self):
        return self.periods[0]

    @property
    def t2(self):
        return self.periods[1]


def make_bilan_world(establishment, *, competencies: int = 3, learners: int = 1, code: str = "2MELEC1",
                     diploma_code: str = "MELEC", teacher_login: str | None = None) -> BilanWorld:
    rows = [(f"C{n}", f"Compétence n° {n} : réaliser une installation électrique conforme", [f"Critère {n}.1"], [])
            for n in range(1, competencies + 1)]
    with scopes_disabled():
        version = make_version(diploma_code=diploma_code, competencies=rows,
                               tasks=[("T1.1", "Prendre connaissance du dossier", ["C1"], [])])
        subscribe(establishment, version.diploma)
        division = Division.objects.create(establishment=establishment, code=code)
        Cohort.objects.create(establishment=establishment, division=division, version=version, class_level="2NDE")
        school_year, _ = SchoolYear.objects.get_or_create(establishment=establishment, start_year=START,
                                                          defaults=SchoolYear.default_values(START))
        periods = [OfficialPeriod.objects.create(
            establishment=establishment, school_year=school_year, diploma=version.diploma, class_level="2NDE",
            kind=OfficialPeriod.Kind.TERM, label=label, start_date=first, end_date=last)
            for label, first, last in [
                ("Trimestre 1", datetime.date(START, 9, 1), datetime.date(START, 11, 30)),
                ("Trimestre 2", datetime.date(START, 12, 1), datetime.date(START + 1, 2, 28))]]
        teacher = User.objects.create_user(
            login=teacher_login or f"prof.{code.lower()}.{establishment.uai.lower()}", password=PASSWORD,
            establishment=establishment, profile=Profile.TEACHER, first_name="Paul", last_name="Martin",
            must_change_password=False)
        teacher.divisions_taught.add(division)
        people = [User.objects.create_user(
            login=f"apprenant{n}.{code.lower()}.{establishment.uai.lower()}", password=PASSWORD,
            establishment=establishment, profile=Profile.LEARNER, first_name=f"Prénom{n}", last_name=f"Nom{n:03d}",
            division=division, must_change_password=False) for n in range(1, learners + 1)]
        competency_list = list(version.competencies.order_by("position"))
    return BilanWorld(establishment, version, division, teacher, people, periods, competency_list)


def observe(world: BilanWorld, learner, competency, level: int, day: datetime.date,
            kind: str = EvaluationType.FORMATIVE) -> Observation:
    with scopes_disabled():
        return Observation.objects.create(establishment=world.establishment, learner=learner, competency=competency,
                                          level=level, type=kind, date=day, observer=world.teacher,
                                          observer_name=world.teacher.full_name)
