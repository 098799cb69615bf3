"""Changes to an establishment's settings. Each takes the establishment and the acting user, runs in one
transaction, and writes the audit log (``establishments.audit``)."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from . import audit
from .images import normalise_image
from .models import Establishment
from .validators import normalize_uai

logger = logging.getLogger(__name__)

IMAGE_KINDS = {"logo": "le logo", "stamp": "le cachet"}
IDENTITY_FIELDS = ["name", "email", "address", "phone", "website"]


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


@transaction.atomic
def establishment_identity_update(*, establishment: Establishment, actor, data: dict) -> list[str]:
    """Onglet Établissement: saves name, e-mail, address, phone, website (never the UAI). Returns what changed."""
    # Compared with the stored row: a bound ModelForm has already written its values on the instance.
    stored = Establishment.objects.select_for_update().get(pk=establishment.pk)
    changed = {name: data[name] for name in IDENTITY_FIELDS if name in data and data[name] != getattr(stored, name)}
    if not changed:
        return []
    before = {name: getattr(stored, name) for name in changed}
    update_establishment_identity(establishment, **changed)
    audit.record(establishment, actor, "establishment.identity", establishment.display_name,
                 {name: {"avant": before[name], "après": value} for name, value in changed.items()})
    return list(changed)


def _delete_file_later(storage, name: str) -> None:
    def delete():
        try:
            storage.delete(name)
        except OSError:  # a missing file must not break the page; the row is what counts
            logger.warning("Could not delete image file %s", name)

    transaction.on_commit(delete)


def establishment_image_set(*, establishment: Establishment, actor, kind: str, upload) -> None:
    """Stores the logo or stamp after checks and re-encoding (``images.normalise_image``, raises ``ImageRefused``).

    The file gets a generated name; the previous one is deleted once the change is committed.
    """
    if kind not in IMAGE_KINDS:
        raise ValueError(kind)
    image = normalise_image(upload)
    field = getattr(establishment, kind)
    old_name = field.name
    field.save("image.png", image, save=False)  # upload_to generates the real name
    new_name = field.name
    try:
        with transaction.atomic():
            establishment.save(update_fields=[kind])
            audit.record(establishment, actor, "establishment.logo.set", IMAGE_KINDS[kind],
                         {"image": kind, "largeur": field.width, "hauteur": field.height})
            if old_name:
                _delete_file_later(field.storage, old_name)
    except Exception:
        field.storage.delete(new_name)  # nothing half-saved: no orphan file
        raise


@transaction.atomic
def establishment_image_delete(*, establishment: Establishment, actor, kind: str) -> bool:
    if kind not in IMAGE_KINDS:
        raise ValueError(kind)
    field = getattr(establishment, kind)
    if not field:
        return False
    old_name = field.name
    setattr(establishment, kind, "")
    establishment.save(update_fields=[kind])
    audit.record(establishment, actor, "establishment.logo.delete", IMAGE_KINDS[kind], {"image": kind})
    _delete_file_later(field.storage, old_name)
    return True


@transaction.atomic
def establishment_transfer_settings_update(*, establishment: Establishment, actor, enabled: bool,
                                           cnil_declaration: str) -> None:
    """Onglet Transferts: the switch (emission and reception of learners' data) and the CNIL number."""
    if enabled == establishment.transfer_enabled and cnil_declaration == establishment.cnil_declaration:
        return
    establishment.transfer_enabled = enabled
    establishment.cnil_declaration = cnil_declaration
    establishment.save(update_fields=["transfer_enabled", "cnil_declaration"])
    audit.record(establishment, actor, "establishment.transfer", establishment.display_name,
                 {"transfert activé": enabled, "déclaration CNIL": cnil_declaration})


__all__ = [
    "ValidationError",
    "create_establishment",
    "establishment_identity_update",
    "establishment_image_delete",
    "establishment_image_set",
    "establishment_transfer_settings_update",
    "update_establishment_identity",
]
