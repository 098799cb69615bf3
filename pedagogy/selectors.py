from establishments.models import Establishment

from .models import ScenarioField, ScenarioFieldLabel


def scenario_field_labels(establishment: Establishment, diploma_code: str) -> dict[str, str]:
    """Every renamable label of the scenario form for ``diploma_code``: the establishment's, or the default.

    Keys are ``ScenarioField`` values (``"title"``, ``"context"``…). One query.
    """
    renamed = dict(
        ScenarioFieldLabel.objects.filter(establishment=establishment, diploma_code=diploma_code)
        .values_list("field", "label")
    )
    return {field.value: renamed.get(field.value, field.label) for field in ScenarioField}


def scenario_field_label(establishment: Establishment, diploma_code: str, field: str) -> str:
    """The label of one field of the scenario form, for one diploma, in this establishment."""
    field = ScenarioField(field)
    row = (ScenarioFieldLabel.objects.filter(establishment=establishment, diploma_code=diploma_code,
                                             field=field.value).values_list("label", flat=True).first())
    return row or field.label
