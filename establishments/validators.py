"""The UAI (ex-RNE): seven digits and a check letter, the digits modulo 23 in a 23-letter alphabet."""

import re

from django.core.exceptions import ValidationError

UAI_RE = re.compile(r"^\d{7}[A-Z]$")
UAI_CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q


def uai_check_letter(digits: str) -> str:
    return UAI_CHECK_LETTERS[int(digits) % 23]


def is_valid_uai(value: str) -> bool:
    return bool(UAI_RE.match(value or "")) and uai_check_letter(value[:7]) == value[7]


def normalize_uai(value: str) -> str:
    return (value or "").strip().upper()


def validate_uai(value: str) -> None:
    if not UAI_RE.match(value or ""):
        raise ValidationError(
            "Le code UAI « %(value)s » doit comporter 7 chiffres suivis d'une lettre (exemple : 0750654D).",
            code="uai_format",
            params={"value": value},
        )
    expected = uai_check_letter(value[:7])
    if value[7] != expected:
        raise ValidationError(
            "Le code UAI « %(value)s » est invalide : la lettre de contrôle devrait être %(expected)s.",
            code="uai_check_letter",
            params={"value": value, "expected": expected},
        )
