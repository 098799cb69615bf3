from django.core.exceptions import ValidationError

from .models import Establishment
from .validators import normalize_uai


def create_establishment(uai: str, name: str = "", email: str = "", **fields) -> Establishment:
    """Creates an establishment after full validation (UAI format and check letter, e-mail)."""
    establishment = Establishment(uai=normalize_uai(uai), name=name, email=email, **fields)
    establishment.full_clean()
    establishment.save()
    return establishment


def update_establishment_identity(establishment: Establishment, **fields) -> Establishment:
    for name, value in fields.items():
        setattr(establishment, name, value)
    establishment.full_clean()
    establishment.save()
    return establishment


__all__ = ["ValidationError", "create_establishment", "update_establishment_identity"]
