"""Small value helpers: text cleaning, dates, school years, encoding sanity."""

from __future__ import annotations

import re
from datetime import date

_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# UTF-8 bytes read as ISO-8859-1/15: "é" becomes "Ã©", "è" "Ã¨", ... ("Ã" + a character of 0x80-0xBF).
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u20ac\u0160\u0161\u017d\u017e\u0152\u0153\u0178]")


def clean(value: str | None) -> str | None:
    """Strip; empty or absent → None."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def parse_date(value: str) -> date:
    """Parse jj/mm/aaaa (SIECLE, CSV) or aaaa-mm-jj (STS-web, CSV); raise ValueError otherwise."""
    value = value.strip()
    match = _FR_DATE.match(value)
    if match:
        day, month, year = (int(x) for x in match.groups())
        return date(year, month, day)
    match = _ISO_DATE.match(value)
    if match:
        year, month, day = (int(x) for x in match.groups())
        return date(year, month, day)
    raise ValueError(value)


def expected_school_year(today: date) -> int:
    """First calendar year of the current school year (as SIECLE `ANNEE_SCOLAIRE`): from August, this year.

    SIECLE and STS-web switch to the new year during the summer (FORMATS.md §1, SACoche's `month > 7` rule).
    """
    return today.year if today.month >= 8 else today.year - 1


def school_year_label(year: int) -> str:
    return f"{year}-{year + 1}"


def looks_mis_encoded(text: str | None) -> bool:
    """True when a name looks like UTF-8 read as ISO-8859 (a file re-saved in UTF-8 with its old prolog)."""
    return bool(text) and bool(_MOJIBAKE.search(text or ""))


def normalise_uai(value: str | None) -> str | None:
    value = clean(value)
    return value.upper() if value else None
