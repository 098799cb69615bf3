"""Sample files of the import tests, all held by the project: the small SIECLE / STS-web set in
``tests/data/siecle-small`` and larger sets built by the project's generator (``imports.parsing.synthetic``).

The shared samples outside the repository (``SHARED``) only serve extra checks, skipped when absent.
"""

from pathlib import Path

import pytest
from django.test import Client, TestCase

from imports.parsing.synthetic import generate_synthetic_exports

SMALL = Path(__file__).parent / "data" / "siecle-small"
SHARED = Path("/work/shared/siecle-samples")
SHARED_MISSING = "the shared samples (/work/shared/siecle-samples) are not on this machine"


def shared(*parts: str) -> Path:
    """A shared sample, or skip the test that needs it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(SHARED_MISSING)
    return path


def generated_set(out_dir: Path, learners: int = 2000, *, uai: str = "0999999F", zipped: bool = True) -> dict:
    """A synthetic SIECLE + STS-web set of about ``learners`` learners (5/3 as many guardians)."""
    return generate_synthetic_exports(learners, learners * 5 // 3, max(learners // 12, 2), 6, uai, 2026, out_dir,
                                      zipped=zipped)


class CommittingClient(Client):
    """A test client whose every request ends like a real one, by committing: what the view sent with
    ``transaction.on_commit`` (the import tasks, run in-process in tests) runs before the response returns."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)
