"""Refuses passwords built from what others know of the user: birth date (any format), login, UAI."""

import re

from django.core.exceptions import ValidationError


def _squash(value: str) -> str:
    return re.sub(r"[^0-9a-z]", "", value.lower())


def birth_date_forms(birth_date) -> set[str]:
    d, m, y = f"{birth_date.day:02d}", f"{birth_date.month:02d}", f"{birth_date.year:04d}"
    yy = y[2:]
    return {d + m + y, y + m + d, d + m + yy, m + d + y, y + d + m, yy + m + d, d + m, m + y}


class PersonalDataValidator:
    """Birth date in any format (jjmmaaaa, aaaa-mm-jj, jj/mm/aa…), the login and the UAI are refused."""

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        squashed = _squash(password)
        birth_date = getattr(user, "birth_date", None)
        if birth_date:
            forms = birth_date_forms(birth_date)
            long_forms = {f for f in forms if len(f) >= 6}
            if any(f in squashed for f in long_forms):
                raise ValidationError(
                    "Le mot de passe ne doit pas contenir votre date de naissance.", code="password_birth_date"
                )
        login = _squash(getattr(user, "login", "") or "")
        if len(login) >= 3 and login in squashed:
            raise ValidationError("Le mot de passe ne doit pas contenir votre identifiant.", code="password_login")
        establishment = getattr(user, "establishment", None)
        if establishment is not None and _squash(establishment.uai) in squashed:
            raise ValidationError(
                "Le mot de passe ne doit pas contenir le code UAI de l'établissement.", code="password_uai"
            )

    def get_help_text(self) -> str:
        return "Votre mot de passe ne doit contenir ni votre date de naissance, ni votre identifiant, ni l'UAI."
