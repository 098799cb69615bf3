from django.db.models import Q

from accounts.models import Profile, User
from transfers.models import Direction, ManualTransferRequest, TransferRecord

from .models import Establishment, ScenarioField, ScenarioFieldLabel
from .validators import normalize_uai


def search_establishments(query: str, limit: int = 20) -> list[Establishment]:
    query = query.strip()
    if len(query) < 2:
        return []
    return list(
        Establishment.objects.filter(is_active=True)
        .filter(Q(uai=normalize_uai(query)) | Q(name__icontains=query) | Q(uai__istartswith=query))
        .order_by("name")[:limit]
    )


# Masque de saisie ---------------------------------------------------------------------------------------------


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


# Transferts ---------------------------------------------------------------------------------------------------


def learners_without_ine(establishment: Establishment) -> list[User]:
    """Active learners without INE: the automatic transfer cannot follow them."""
    return list(
        User.objects.filter(establishment=establishment, profile=Profile.LEARNER, is_active=True)
        .filter(Q(ine__isnull=True) | Q(ine=""))
        .select_related("division").order_by("last_name", "first_name")
    )


def transfer_records(establishment: Establishment) -> dict[str, list[TransferRecord]]:
    """The automatic transfers recorded on this side, split into incoming and outgoing."""
    records = {Direction.INCOMING: [], Direction.OUTGOING: []}
    for record in TransferRecord.objects.filter(establishment=establishment).order_by("-attempted_at", "-pk"):
        records.setdefault(record.direction, []).append(record)
    return {"incoming": records[Direction.INCOMING], "outgoing": records[Direction.OUTGOING]}


def transferable_learners(establishment: Establishment) -> list[tuple[User, ManualTransferRequest | None]]:
    """Deactivated learners (their data can still be transferred by hand), each with their latest request."""
    learners = list(
        User.objects.filter(establishment=establishment, profile=Profile.LEARNER, is_active=False)
        .select_related("division").order_by("last_name", "first_name")
    )
    latest: dict[int, ManualTransferRequest] = {}
    requests = ManualTransferRequest.objects.filter(establishment=establishment, learner__is_active=False)
    for request in requests.order_by("requested_at", "pk"):
        latest[request.learner_id] = request
    return [(learner, latest.get(learner.pk)) for learner in learners]
