"""Reads of Paramètres › Transferts."""

from django.db.models import Q

from accounts import access
from accounts.models import Profile, User
from establishments.models import Establishment

from .models import Direction, ManualTransferRequest, TransferRecord


def _learners(establishment: Establishment, viewer):
    """The establishment's learners; those ``viewer`` may see when given (accounts.access)."""
    learners = access.visible_learners(viewer) if viewer is not None else User.objects.filter(profile=Profile.LEARNER)
    return learners.filter(establishment=establishment)


def learners_without_ine(establishment: Establishment, viewer=None) -> list[User]:
    """Active learners without INE: the automatic transfer cannot follow them."""
    return list(
        _learners(establishment, viewer).filter(is_active=True)
        .filter(Q(ine__isnull=True) | Q(ine=""))
        .select_related("division").order_by("last_name", "first_name")
    )


def transfer_records(establishment: Establishment) -> dict[str, list[TransferRecord]]:
    """The automatic transfers recorded on this side, split into incoming and outgoing."""
    records = {Direction.INCOMING: [], Direction.OUTGOING: []}
    for record in TransferRecord.objects.filter(establishment=establishment).order_by("-attempted_at", "-pk"):
        records.setdefault(record.direction, []).append(record)
    return {"incoming": records[Direction.INCOMING], "outgoing": records[Direction.OUTGOING]}


def transferable_learners(establishment: Establishment, viewer=None) -> list[tuple[User, ManualTransferRequest | None]]:
    """Deactivated learners (their data can still be transferred by hand), each with their latest request."""
    learners = list(
        _learners(establishment, viewer).filter(is_active=False)
        .select_related("division").order_by("last_name", "first_name")
    )
    latest: dict[int, ManualTransferRequest] = {}
    requests = ManualTransferRequest.objects.filter(establishment=establishment, learner__is_active=False)
    for request in requests.order_by("requested_at", "pk"):
        latest[request.learner_id] = request
    return [(learner, latest.get(learner.pk)) for learner in learners]
