"""Manual transfers: the origin's administrator authorises moving a deactivated learner's data to an
establishment without SIECLE (CFA, GRETA); the platform staff carry it out and mark it done in their console.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import Profile, User
from establishments import audit
from establishments.validators import normalize_uai, validate_uai

from .models import ManualTransferRequest


class ManualTransferError(Exception):
    """A refused request; the message is shown to the administrator as is (French)."""


@transaction.atomic
def manual_transfer_request_create(*, establishment, actor: User, learner: User, destination_uai: str,
                                   consent: str) -> ManualTransferRequest:
    """Records the request with the consent given; one open request per learner at a time."""
    if learner.establishment_id != establishment.pk or learner.profile != Profile.LEARNER:
        raise ManualTransferError("Seuls les apprenants de l'établissement peuvent être transférés.")
    if learner.is_active:
        raise ManualTransferError(
            f"{learner.full_name} est encore actif dans l'établissement : seuls les apprenants désactivés peuvent "
            "être transférés à la main."
        )
    destination_uai = normalize_uai(destination_uai)
    validate_uai(destination_uai)
    if destination_uai == establishment.uai:
        raise ManualTransferError("L'établissement d'accueil doit être un autre établissement que le vôtre.")
    if consent not in ManualTransferRequest.Consent.values:
        raise ManualTransferError("Indiquez qui a donné son autorisation au transfert.")
    pending = (ManualTransferRequest.objects.select_for_update()
               .filter(establishment=establishment, learner=learner, done=False).first())
    if pending is not None:
        raise ManualTransferError(
            f"Une demande de transfert de {learner.full_name} vers {pending.destination_uai} est déjà en attente "
            "du service technique."
        )
    request = ManualTransferRequest.objects.create(
        establishment=establishment, learner=learner, destination_uai=destination_uai, consent=consent,
        requested_by=actor,
    )
    audit.record(establishment, actor, "transfer.manual.request", learner,
                 {"vers": destination_uai, "consentement": request.get_consent_display()})
    return request


@transaction.atomic
def manual_transfer_request_mark_done(*, request: ManualTransferRequest, actor: User | None) -> bool:
    """The platform staff carried the transfer out. Returns False when it was already marked done."""
    if request.done:
        return False
    request.done = True
    request.done_at = timezone.now()
    request.save(update_fields=["done", "done_at"])
    audit.record(request.establishment, actor, "transfer.manual.done", request.learner,
                 {"vers": request.destination_uai})
    return True
