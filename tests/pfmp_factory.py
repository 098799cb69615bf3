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
