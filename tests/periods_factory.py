"""Work periods built in the tests (issue 13): a MELEC version subscribed by the establishment, two classes of
seconde tied to it (a period is declared for the whole level), learners, the school year, an annex."""

import datetime

from accounts.models import Profile, User
from establishments.models import Division, SchoolYear
from establishments.scoping import scopes_disabled
from periods.models import PedagogicalAnnex, Placement, WorkPeriod
from referentiels.establishment_models import Cohort
from referentiels.services import subscribe

from .referentiel_factory import make_version

YEAR = 2026  # school year 2026-2027: 1 September 2026 to 31 August 2027


def melec(establishment, diploma_code="MELEC"):
    with scopes_disabled():
        version = make_version(diploma_code, tasks=[
            ("T1.1", "Prendre connaissance du dossier", ["C1"], []),
            ("T1.2", "Rechercher et expliquer les informations", ["C1"], []),
            ("T2.3", "Raccorder les équipements électriques", ["C7"], ["1RE"]),
        ])
        subscribe(establishment, version.diploma)
    return version


def school_year(establishment, start_year=YEAR):
    with scopes_disabled():
        year, _ = SchoolYear.objects.get_or_create(establishment=establishment, start_year=start_year,
                                                   defaults=SchoolYear.default_values(start_year))
    return year


def cohort(establishment, version, code="2MELEC1", level="2NDE"):
    with scopes_disabled():
        division, _ = Division.objects.get_or_create(establishment=establishment, code=code)
        Cohort.objects.get_or_create(establishment=establishment, division=division,
                                     defaults={"version": version, "class_level": level})
    return division


def learners(establishment, division, count, prefix="a", **fields):
    with scopes_disabled():
        return [User.objects.create_user(
            login=f"{prefix}.{division.code.lower()}.{n}", password=None, establishment=establishment,
            profile=Profile.LEARNER, division=division, first_name=f"Prénom{n}", last_name=f"Nom{division.code}{n:03d}",
            must_change_password=False, **fields) for n in range(count)]


def annex(establishment, version, level="2NDE", title="PFMP 1 — Découverte", apprentices=False, tasks=("T1.1",)):
    with scopes_disabled():
        row = PedagogicalAnnex.objects.create(establishment=establishment, version=version, class_level=level,
                                              title=title, for_apprentices=apprentices,
                                              objectives="Découvrir l'entreprise.")
        row.tasks.set(version.tasks.filter(code__in=tasks))
    return row


def period(establishment, version, people, *, start=datetime.date(2026, 11, 16), end=datetime.date(2026, 12, 4),
           title="PFMP 1", level="2NDE", the_annex=None, days_done=None):
    """A period with a placement for each of ``people`` (directly in the database)."""
    year = school_year(establishment)
    with scopes_disabled():
        row = WorkPeriod.objects.create(establishment=establishment, annex=the_annex, school_year=year,
                                        version=version, class_level=level, title=title, start_date=start,
                                        end_date=end)
        for learner in people:
            Placement.objects.create(establishment=establishment, period=row, learner=learner, period_title=title,
                                     start_date=start, end_date=end, days_planned=15, days_done=days_done)
    return row
