"""Work periods and placements built directly in the tests (the declaration screens are another part)."""

import datetime

from establishments.models import SchoolYear
from establishments.scoping import scopes_disabled
from periods.models import Placement, WorkPeriod


def school_year(establishment, start_year=2026):
    with scopes_disabled():
        year, _ = SchoolYear.objects.get_or_create(
            establishment=establishment, start_year=start_year,
            defaults={"label": f"{start_year}-{start_year + 1}", "start_date": datetime.date(start_year, 9, 1),
                      "end_date": datetime.date(start_year + 1, 8, 31)})
    return year


def make_period(establishment, version, *, title="PFMP 1", level="2NDE", start=datetime.date(2027, 1, 4),
                end=datetime.date(2027, 1, 29)):
    with scopes_disabled():
        return WorkPeriod.objects.create(establishment=establishment, school_year=school_year(establishment),
                                         version=version, class_level=level, title=title, start_date=start,
                                         end_date=end)


def place(period, learner, **fields):
    with scopes_disabled():
        return Placement.objects.create(establishment_id=period.establishment_id, period=period, learner=learner,
                                        period_title=period.title, start_date=period.start_date,
                                        end_date=period.end_date, **fields)


class World:
    """One PFMP of a Seconde: two learners of 2MELEC1 (taught by ``teacher``), one of 2MELEC2 (``teacher2``)."""

    def __init__(self, establishment, make_user):
        from accounts.models import Profile
        from establishments.models import Division
        from tests.referentiel_factory import make_version

        self.establishment = establishment
        with scopes_disabled():
            self.class1 = Division.objects.create(establishment=establishment, code="2MELEC1")
            self.class2 = Division.objects.create(establishment=establishment, code="2MELEC2")
        self.version = make_version("MELEC", "2024")
        self.other_version = make_version("MELEC", "2016", tasks=[("T1-1", "Tâche de l'ancienne version", ["C1"],
                                                                    [])])
        self.learner = make_user(establishment, Profile.LEARNER, login="ines.leroy", first_name="Inès",
                                 last_name="Leroy", division=self.class1)
        self.classmate = make_user(establishment, Profile.LEARNER, login="hugo.petit", first_name="Hugo",
                                   last_name="Petit", division=self.class1)
        self.learner2 = make_user(establishment, Profile.LEARNER, login="lea.moreau", first_name="Léa",
                                  last_name="Moreau", division=self.class2)
        self.teacher = make_user(establishment, Profile.TEACHER, login="paul.bernard", first_name="Paul",
                                 last_name="Bernard", email="paul.bernard@example.org")
        self.teacher.divisions_taught.add(self.class1)
        self.colleague = make_user(establishment, Profile.TEACHER, login="marc.roux", first_name="Marc",
                                   last_name="Roux")
        self.colleague.divisions_taught.add(self.class1)
        self.teacher2 = make_user(establishment, Profile.TEACHER, login="anne.simon", first_name="Anne",
                                  last_name="Simon")
        self.teacher2.divisions_taught.add(self.class2)
        self.ddfpt = make_user(establishment, Profile.DDFPT, login="ddfpt", first_name="Sophie", last_name="Garnier")
        self.period = make_period(establishment, self.version)
        self.placement = place(self.period, self.learner, company_name="Électricité Martin",
                               tutor_name="Jean Martin", tutor_email="jean.martin@example.org")
        self.placement_classmate = place(self.period, self.classmate, company_name="Bâti Élec",
                                         tutor_name="Luc Blanc", tutor_email="luc.blanc@example.org")
        self.placement2 = place(self.period, self.learner2, company_name="Volt Services")
        with scopes_disabled():
            self.tasks = list(self.version.tasks.order_by("position"))
            self.competencies = list(self.version.competencies.order_by("position"))

    def select(self, placement=None, whole=True):
        """C1 whole and the criteria of C7 selected for the bilan entreprise."""
        placement = placement or self.placement
        with scopes_disabled():
            placement.assessed_competencies.set([self.competencies[0]])
            placement.assessed_criteria.set(list(self.competencies[1].criteria.all()))
        return placement
