"""Paramètres › Masque de saisie: an establishment renames the fields of the scenario form, per diploma."""

from django.db import transaction

from establishments import audit
from establishments.models import Establishment

from .models import ScenarioField, ScenarioFieldLabel


@transaction.atomic
def scenario_field_labels_save(*, establishment: Establishment, actor, diploma_code: str,
                               labels: dict[str, str]) -> None:
    """Stores renamed labels; an empty one or the default removes the override."""
    existing = {row.field: row for row in ScenarioFieldLabel.objects.filter(
        establishment=establishment, diploma_code=diploma_code)}
    changes = {}
    for field in ScenarioField:
        label = (labels.get(field.value) or "").strip()
        row = existing.get(field.value)
        if not label or label == field.label:
            if row is not None:
                row.delete()
                changes[field.label] = field.label
            continue
        if row is None:
            ScenarioFieldLabel.objects.create(establishment=establishment, diploma_code=diploma_code,
                                              field=field.value, label=label)
            changes[field.label] = label
        elif row.label != label:
            row.label = label
            row.save(update_fields=["label"])
            changes[field.label] = label
    if changes:
        audit.record(establishment, actor, "establishment.scenario_labels", f"Diplôme {diploma_code}", changes)


@transaction.atomic
def scenario_field_labels_reset(*, establishment: Establishment, actor, diploma_code: str) -> int:
    """The reset arrow: every label of the diploma goes back to the default."""
    deleted, _ = ScenarioFieldLabel.objects.filter(establishment=establishment, diploma_code=diploma_code).delete()
    if deleted:
        audit.record(establishment, actor, "establishment.scenario_labels.reset", f"Diplôme {diploma_code}",
                     {"intitulés rétablis": deleted})
    return deleted
