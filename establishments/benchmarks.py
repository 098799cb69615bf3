"""What the benchmark commands (``bench_*``) share: a free UAI for the throwaway establishment each builds, and the
exception that rolls their transaction back once the figures are taken, so the database is left as it was."""

from .models import Establishment
from .validators import uai_check_letter


class Rollback(Exception):
    """Raised inside a benchmark's ``transaction.atomic()`` to undo everything it built."""


def free_uai(first: int = 9970000) -> str:
    """A valid UAI (digits and check letter) no establishment uses, counting up from ``first``: the 99… range of
    fake département numbers, so it never collides with a real school."""
    for number in range(first, 9999999):
        digits = f"{number:07d}"
        uai = digits + uai_check_letter(digits)
        if not Establishment.objects.filter(uai=uai).exists():
            return uai
    raise RuntimeError("aucun UAI libre pour l'établissement du banc d'essai")
