"""Resources of a scenario: links (http/https) and files, checked by their content, stored privately.

Accepted files (``SCENARIO_RESOURCE_MAX_BYTES``, 10 Mio by default): PDF, ODT, DOCX, XLSX, PNG and JPEG, each
recognised from its content, never from its name — magic bytes; for the ZIP-based formats the ``mimetype`` member
(ODT) or ``[Content_Types].xml`` (DOCX, XLSX); images are read by Pillow. An HTML page or an SVG image renamed
``.pdf`` is refused, as are macro-enabled documents. Files are stored under ``MEDIA_ROOT/scenarios/<UAI>/`` with a
generated name (the media URL never serves that folder), downloaded only through
``pedagogy.views_resources`` (users of the establishment who may view the scenario, as an attachment, nosniff).
A resource deleted — alone or with its scenario — loses its file once the transaction commits.

Scenarios and their resources are teachers' work, not learner data: the RGPD purge has nothing to declare here.
"""

import logging
import uuid
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.db.models.signals import post_delete
from django.dispatch import receiver

from documents.uploads import (  # noqa: F401  (re-exported: the scenario forms and views use them)
    ACCEPTED_TEXT,
    BY_CONTENT_TYPE,
    FILE_GONE,
    MAX_TITLE,
    NO_FILE,
    FileType,
    ResourceRefused,
    attachment_response,
    clean_title,
    clean_url,
    download_title,
    kind_label,
    max_bytes,
    read_checked,
    size_text,
)
from establishments import audit

from . import scenario_services
from .models import Scenario, ScenarioResource, ScenarioShare

logger = logging.getLogger(__name__)

def _next_position(scenario: Scenario) -> int:
    return (scenario.resources.aggregate(m=Max("position"))["m"] or 0) + 1


def storage_name(establishment, file_type: FileType) -> str:
    return f"scenarios/{establishment.uai}/{uuid.uuid4().hex}.{file_type.extension}"


@transaction.atomic
def add_link(scenario: Scenario, *, url: str, title: str = "", actor=None) -> ScenarioResource:
    url = clean_url(url)
    resource = ScenarioResource.objects.create(
        establishment=scenario.establishment, scenario=scenario, kind=ScenarioResource.Kind.LINK,
        url=url, title=clean_title(title) or urlsplit(url).netloc or url[:MAX_TITLE],
        position=_next_position(scenario))
    audit.record(scenario.establishment, actor, "scenario.resource.add", scenario.title,
                 {"ressource": resource.title, "adresse": url})
    return resource


def add_file(scenario: Scenario, *, upload, title: str = "", actor=None) -> ScenarioResource:
    """Checks then stores the file privately; the record is created once the file is written (and the file is
    removed again if the record cannot be)."""
    data, file_type = read_checked(upload)
    name = default_storage.save(storage_name(scenario.establishment, file_type), ContentFile(data))
    try:
        with transaction.atomic():
            resource = ScenarioResource.objects.create(
                establishment=scenario.establishment, scenario=scenario, kind=ScenarioResource.Kind.FILE,
                title=clean_title(title) or download_title(getattr(upload, "name", "")) or
                f"Fichier {file_type.label}",
                file_path=name, size=len(data), content_type=file_type.content_type,
                position=_next_position(scenario))
            audit.record(scenario.establishment, actor, "scenario.resource.add", scenario.title,
                         {"ressource": resource.title, "fichier": f"{file_type.label}, {size_text(len(data))}"})
    except Exception:
        default_storage.delete(name)
        raise
    return resource


@transaction.atomic
def delete_resource(resource: ScenarioResource, actor=None) -> None:
    """Deletes the resource; its file goes once the transaction commits (the ``post_delete`` receiver)."""
    audit.record(resource.establishment, actor, "scenario.resource.delete", resource.scenario.title,
                 {"ressource": resource.title})
    resource.delete()


def _remove_file(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("could not delete %s", name)


@receiver(post_delete, sender=ScenarioResource, dispatch_uid="pedagogy.resource_file_removed")
def _file_removed_after_commit(sender, instance: ScenarioResource, **kwargs) -> None:
    """Also runs for the resources deleted with their scenario (cascade): no file is left behind."""
    if instance.file_path:
        transaction.on_commit(lambda name=instance.file_path: _remove_file(name))


def copy_file_resource(resource: ScenarioResource, target: Scenario, position: int | None = None
                       ) -> ScenarioResource | None:
    """A copy of one resource in ``target``; a file becomes a new private file in the target's establishment
    folder (never shared between two records). A file whose content is gone is skipped (``None``)."""
    fields = {"establishment": target.establishment, "scenario": target, "kind": resource.kind,
              "title": resource.title, "url": resource.url, "size": resource.size,
              "content_type": resource.content_type,
              "position": _next_position(target) if position is None else position}
    if resource.kind == ScenarioResource.Kind.FILE:
        file_type = BY_CONTENT_TYPE.get(resource.content_type)
        try:
            with default_storage.open(resource.file_path, "rb") as handle:
                data = handle.read()
        except (OSError, ValueError):
            logger.warning("resource %s: file %s missing, not copied", resource.pk, resource.file_path)
            return None
        if file_type is None:
            return None
        fields["file_path"] = default_storage.save(storage_name(target.establishment, file_type), ContentFile(data))
    return ScenarioResource.objects.create(**fields)


# Duplicating a scenario or importing a received one copies its file resources through this function.
scenario_services.register_file_resource_copier(copy_file_resource)


@scenario_services.register_share_file_copier
def copy_file_for_share(resource: ScenarioResource, recipient) -> dict | None:
    """A file resource sent to another establishment: a new private file in the *receiver's* folder, described for
    the share's snapshot (the import takes it over). ``None`` when the sender's file is gone."""
    file_type = BY_CONTENT_TYPE.get(resource.content_type)
    if resource.kind != ScenarioResource.Kind.FILE or file_type is None:
        return None
    try:
        with default_storage.open(resource.file_path, "rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        logger.warning("resource %s: file %s missing, not sent", resource.pk, resource.file_path)
        return None
    name = default_storage.save(storage_name(recipient, file_type), ContentFile(data))
    return {"title": resource.title, "file_path": name, "content_type": resource.content_type, "size": len(data)}


@receiver(post_delete, sender=ScenarioShare, dispatch_uid="pedagogy.share_files_removed")
def _share_files_removed(sender, instance: ScenarioShare, **kwargs) -> None:
    """A received scenario deleted before its import takes its copied files with it (after an import, the files
    belong to the imported scenario's resources)."""
    if instance.status != ScenarioShare.Status.PENDING:
        return
    for resource in (instance.snapshot or {}).get("resources", []):
        if resource.get("file_path"):
            transaction.on_commit(lambda name=resource["file_path"]: _remove_file(name))


def copy_resources(source: Scenario, target: Scenario) -> int:
    """Copies every resource of ``source`` into ``target`` (duplicate, import of a shared scenario): links as they
    are, files as new private files. Returns the number of resources copied."""
    position = _next_position(target)
    copied = 0
    for resource in ScenarioResource.objects.filter(scenario=source).order_by("position", "id"):
        if copy_file_resource(resource, target, position) is not None:
            copied += 1
            position += 1
    return copied


def download_response(resource: ScenarioResource):
    """The file as an attachment (never shown inside the site), or ``None`` when its file is gone."""
    return attachment_response(resource.file_path, resource.content_type, resource.title)

