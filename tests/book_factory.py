"""A learner with evidence for the book and passport tests: a class following MELEC 2024, a validated bilan, an
observation, two work periods and achievements (issue 14)."""

import datetime

from accounts.models import Profile
from establishments.models import Division, SchoolYear
from establishments.scoping import scopes_disabled
from pedagogy.models import Achievement, Bilan, BilanLine, EvaluationType, Level, Observation
from periods.models import OfficialPeriod, Placement, WorkPeriod
from referentiels.establishment_models import Cohort
from referentiels.services import subscribe

from .referentiel_factory import make_version


def make_world(establishment, make_user, *, version=None, book=True):
    """``{"version", "division", "learner", "teacher", "other_teacher", "other_learner", "periods"}``."""
    with scopes_disabled():
        version = version or make_version()
        subscribe(establishment, version.diploma)
        if book and hasattr(establishment, "book_enabled"):
            establishment.book_enabled = True
            establishment.save(update_fields=["book_enabled"])
        division, _ = Division.objects.get_or_create(establishment=establishment, code="2MELEC1")
        other_division, _ = Division.objects.get_or_create(establishment=establishment, code="2MELEC2")
        Cohort.objects.get_or_create(establishment=establishment, division=division,
                                     defaults={"version": version, "class_level": "2NDE"})
    learner = make_user(establishment, Profile.LEARNER, login="ines.leroy", first_name="Inès", last_name="Leroy",
                        birth_date=datetime.date(2009, 3, 14), ine="123456789AB", division=division)
    teacher = make_user(establishment, Profile.TEACHER, login="paul.durand", first_name="Paul", last_name="Durand")
    teacher.divisions_taught.add(division)
    other_teacher = make_user(establishment, Profile.TEACHER, login="autre.prof", last_name="Autre")
    other_teacher.divisions_taught.add(other_division)
    other_learner = make_user(establishment, Profile.LEARNER, login="autre.eleve", last_name="Autre",
                              division=other_division)
    return {"version": version, "division": division, "learner": learner, "teacher": teacher,
            "other_teacher": other_teacher, "other_learner": other_learner}


def add_evidence(establishment, world, *, periods=2):
    """C1 retained « Maîtrisé » in a validated bilan; C7 only observed (proposed); ``periods`` work periods."""
    learner, version = world["learner"], world["version"]
    c1, c7 = (version.competencies.get(code="C1"), version.competencies.get(code="C7"))
    with scopes_disabled():
        year, _ = SchoolYear.objects.get_or_create(establishment=establishment, start_year=2026,
                                                   defaults=SchoolYear.default_values(2026))
        official = OfficialPeriod.objects.create(
            establishment=establishment, school_year=year, diploma=version.diploma, class_level="2NDE",
            kind=OfficialPeriod.Kind.TERM, label="Trimestre 1", start_date=datetime.date(2026, 9, 1),
            end_date=datetime.date(2026, 11, 30))
        bilan = Bilan.objects.create(
            establishment=establishment, learner=learner, period=official, period_label="Trimestre 1",
            period_start=official.start_date, period_end=official.end_date, version=version,
            status=Bilan.Status.VALIDATED)
        BilanLine.objects.create(establishment=establishment, bilan=bilan, competency=c1,
                                 retained_level=Level.MASTERED)
        Observation.objects.create(establishment=establishment, learner=learner, competency=c7,
                                   level=Level.WELL_MASTERED, type=EvaluationType.FORMATIVE,
                                   date=datetime.date(2026, 10, 5))
        created = []
        for number in range(1, periods + 1):
            start = datetime.date(2026, 12, 1) + datetime.timedelta(days=40 * (number - 1))
            period = WorkPeriod.objects.create(
                establishment=establishment, school_year=year, version=version, class_level="2NDE",
                title=f"PFMP {number}", start_date=start, end_date=start + datetime.timedelta(days=27))
            period.tasks.set(version.tasks.all())
            Placement.objects.create(establishment=establishment, period=period, learner=learner,
                                     period_title=period.title, start_date=period.start_date,
                                     end_date=period.end_date, company_name=f"Électricité Martin {number}",
                                     tutor_name="Jean Martin")
            created.append(period)
    world["periods"] = created
    return world


def add_achievement(establishment, learner, title="Tableau de répartition", picked=False, **fields):
    with scopes_disabled():
        return Achievement.objects.create(establishment=establishment, learner=learner, title=title,
                                          date=fields.pop("date", datetime.date(2026, 10, 1)),
                                          for_passport=picked, **fields)
