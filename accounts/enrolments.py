"""Enrolments outside the imports: a learner created by hand is enrolled in their class from that day.

The imports keep enrolments in bulk (``imports.apply``); ``User.division`` / ``mef_code`` stay the current values.
"""

import datetime

from django.utils import timezone

from establishments.models import Establishment, SchoolYear, school_year_start

from .models import Enrolment, Profile, User


def school_year_of(establishment: Establishment, start_year: int) -> SchoolYear:
    """The establishment's school year starting in ``start_year``, created (1 Sept – 31 Aug) if needed."""
    year, _ = SchoolYear.objects.get_or_create(establishment=establishment, start_year=start_year,
                                               defaults=SchoolYear.default_values(start_year))
    return year


def enrol(learner: User, day: datetime.date | None = None) -> Enrolment | None:
    """Opens the enrolment of a new learner (not of other profiles) in their current class, from ``day``."""
    if learner.profile != Profile.LEARNER:
        return None
    day = day or timezone.localdate()
    year = school_year_of(learner.establishment, school_year_start(day))
    return Enrolment.objects.create(
        establishment=learner.establishment, learner=learner, school_year=year, division=learner.division,
        mef_code=learner.mef_code, mef_label=learner.mef_label, is_apprentice=learner.is_apprentice, start_date=day,
    )
