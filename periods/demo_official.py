"""Demo content (``manage.py demo``, through ``extensions.demo_content``): the official periods of the current
school year for each level of the demo classes — three trimesters (if the level has none yet), an LSL period and a
certification deadline — so the pilot console opens on a calendar already set."""

import datetime

from establishments.models import Establishment

from .models import OfficialPeriod
from .official_periods import current_school_year, expected_levels

Kind = OfficialPeriod.Kind


def _trimesters(start_year: int) -> list[tuple[str, datetime.date, datetime.date]]:
    return [("Trimestre 1", datetime.date(start_year, 9, 1), datetime.date(start_year, 11, 30)),
            ("Trimestre 2", datetime.date(start_year, 12, 1), datetime.date(start_year + 1, 3, 15)),
            ("Trimestre 3", datetime.date(start_year + 1, 3, 16), datetime.date(start_year + 1, 7, 4))]


def load_demo_official_periods(establishment: Establishment, users: dict) -> None:
    """Runs inside the demo command's transaction, scopes disabled. Adds only what is missing."""
    year = current_school_year(establishment)
    y = year.start_year
    for diploma, levels in expected_levels(establishment).items():
        for level in levels:
            existing = OfficialPeriod.objects.filter(establishment=establishment, school_year=year,
                                                     diploma=diploma, class_level=level)
            rows = []
            if not existing.filter(kind__in=OfficialPeriod.BILAN_KINDS).exists():
                rows += [(Kind.TERM, label, start, end) for label, start, end in _trimesters(y)]
            if not existing.filter(kind=Kind.LSL).exists():
                rows.append((Kind.LSL, "Période LSL", datetime.date(y + 1, 5, 18), datetime.date(y + 1, 6, 12)))
            if not existing.filter(kind=Kind.CERTIFICATION).exists():
                deadline = datetime.date(y + 1, 6, 5)
                rows.append((Kind.CERTIFICATION, "Date limite de certification", deadline, deadline))
            OfficialPeriod.objects.bulk_create([
                OfficialPeriod(establishment=establishment, school_year=year, diploma=diploma, class_level=level,
                               kind=kind, label=label, start_date=start, end_date=end)
                for kind, label, start, end in rows])
