"""Logins as the product makes them: ``prenom.nom``, lowercase, without accents, unique with a number."""

import re
import unicodedata


def _ascii_slug(value: str) -> str:
    value = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode("ascii").lower()
    value = re.sub(r"[^a-z0-9]+", "-", value).strip("-")
    return value


def base_login(first_name: str, last_name: str) -> str:
    first = _ascii_slug((first_name or "").split(" ")[0]) if first_name else ""
    last = _ascii_slug(last_name)
    return ".".join(part for part in (first, last) if part) or "utilisateur"


def make_unique_login(first_name: str, last_name: str, taken: set[str]) -> str:
    """``taken`` holds the lowercase logins already used in the establishment; the new one is added to it."""
    base = base_login(first_name, last_name)[:140]
    login, number = base, 1
    while login in taken:
        number += 1
        login = f"{base}{number}"
    taken.add(login)
    return login


# One normalisation of logins, used at creation, at lookup and in the lockout key (accounts.backends). Logins are
# ASCII by construction; anything else is refused before any database lookup, so no database case folding
# (PostgreSQL's UPPER() turns "ſ" into "S" and "ı" into "I") can map a different string onto an account.
_LOGIN_ALLOWED = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces


def normalize_login(value: str | None) -> str | None:
    """The canonical form of a typed or stored login (trimmed, lower-case), or ``None`` if it cannot be one."""
    value = (value or "").strip()
    if not value or len(value) > 150 or not _LOGIN_ALLOWED.fullmatch(value):
        return None
    return value.lower()
