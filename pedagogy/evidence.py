"""Writing observations: the one way modules other than the grids add evidence to a learner's follow-up.

Grids write their cells themselves (``pedagogy.grids``: one cell at a time, with concurrency checks). A module
that evaluates in one go (the bilan entreprise of a PFMP, later the certification) calls
``replace_placement_observations``: the observations it wrote before for the same source are replaced, so
validating twice never counts twice.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from referentiels.models import Competency, Criterion

from .evaluation_models import EvaluationType, Level, Observation


@dataclass(frozen=True)
class Entry:
    competency_id: int
    level: int
    criterion_id: int | None = None
    comment: str = ""


def _check(entries: list[Entry], version_id: int) -> None:
    for entry in entries:
        if entry.level not in Level.values:
            raise ValidationError(f"Niveau « {entry.level} » hors de l'échelle (NE, 1 à 4).")
    competency_ids = {entry.competency_id for entry in entries}
    known = set(Competency.objects.filter(pk__in=competency_ids, version_id=version_id).values_list("pk", flat=True))
    if competency_ids - known:
        raise ValidationError("Une compétence n'appartient pas à la version du référentiel de l'apprenant.")
    criterion_pairs = {(entry.criterion_id, entry.competency_id) for entry in entries if entry.criterion_id}
    if criterion_pairs:
        found = set(Criterion.objects.filter(pk__in={c for c, _ in criterion_pairs})
                    .values_list("pk", "competency_id"))
        if criterion_pairs - found:
            raise ValidationError("Un critère n'appartient pas à la compétence indiquée.")


@transaction.atomic
def replace_placement_observations(placement, entries: Iterable[Entry], *, version_id: int, on: date, observer,
                                   source_label: str) -> int:
    """The bilan entreprise of ``placement`` becomes these observations (type « en entreprise »); returns how many.

    Entries at NE are not written (NE means « not evaluated »).
    """
    entries = list(entries)
    _check(entries, version_id)
    Observation.objects.filter(placement=placement).delete()
    rows = [
        Observation(establishment_id=placement.establishment_id, learner_id=placement.learner_id,
                    competency_id=entry.competency_id, criterion_id=entry.criterion_id, level=entry.level,
                    type=EvaluationType.COMPANY, date=on, observer=observer,
                    observer_name=observer.get_full_name() if observer else "", placement=placement,
                    source_label=source_label, comment=entry.comment)
        for entry in entries if entry.level != Level.NE
    ]
    Observation.objects.bulk_create(rows)
    return len(rows)
