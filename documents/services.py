"""Producing documents: in the request when small, as a private file built in the background when large.

``deliver(...)`` is what a view calls: it returns a ``File`` (send it with ``file.response()``) when the document
is small (``size`` at most ``DOCUMENTS_INLINE_MAX_ROWS``), otherwise a ``GeneratedDocument`` being built by a task
(send the user to « Mes documents »). Generated files are private: only their owner, in their establishment,
downloads them, until ``expires_at`` (``DOCUMENTS_EXPIRY_HOURS``); the daily task removes expired ones.
"""

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from establishments.models import Establishment
from establishments.scoping import scope

from . import producers
from .formats import File
from .models import GeneratedDocument

logger = logging.getLogger(__name__)

DEFAULT_INLINE_MAX_ROWS = 1000
DEFAULT_EXPIRY_HOURS = 72
FAILURE_MESSAGE = "La préparation du document a échoué. Réessayez ; si l'échec se répète, signalez-le."


def inline_max_rows() -> int:
    return getattr(settings, "DOCUMENTS_INLINE_MAX_ROWS", DEFAULT_INLINE_MAX_ROWS)


def expiry() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "DOCUMENTS_EXPIRY_HOURS", DEFAULT_EXPIRY_HOURS))


def produce(kind: str, *, establishment: Establishment, owner, params: dict) -> File:
    """Builds the document now (in the request or in the task)."""
    return producers.get(kind)(establishment, owner, params)


def deliver(kind: str, *, establishment: Establishment, owner, params: dict, size: int, title: str,
            expires_in: datetime.timedelta | None = None) -> File | GeneratedDocument:
    """A small document (``size`` rows or items, at most the inline limit) now; a large one in the background."""
    if size <= inline_max_rows():
        return produce(kind, establishment=establishment, owner=owner, params=params)
    return start(kind, establishment=establishment, owner=owner, params=params, title=title, expires_in=expires_in)


def start(kind: str, *, establishment: Establishment, owner, params: dict, title: str,
          expires_in: datetime.timedelta | None = None) -> GeneratedDocument:
    """Records the document to build and queues its task once the current transaction commits. ``expires_in``:
    shorter than the default for documents holding secrets (the login sheet's initial passwords)."""
    from establishments.tasks import send_after_commit

    from .tasks import build_document_task

    producers.get(kind)  # an unknown kind fails here, in the request, not later in a worker
    document = GeneratedDocument.objects.create(
        establishment=establishment, owner=owner, kind=kind, title=title[:200], params=params,
        expires_at=timezone.now() + min(expires_in or expiry(), expiry()),
    )
    send_after_commit(build_document_task, establishment, document.pk)
    return document


def build(document: GeneratedDocument) -> GeneratedDocument:
    """Builds a pending document and stores its file (run by the task, inside the establishment's scope).
    A document already built, or failed, is left alone (a task delivered twice does the work once)."""
    if document.status != GeneratedDocument.Status.PENDING:
        return document
    try:
        file = produce(document.kind, establishment=document.establishment, owner=document.owner,
                       params=document.params)
    except Exception:
        logger.exception("document %s (%s) failed", document.pk, document.kind)
        document.status = GeneratedDocument.Status.FAILED
        document.error = FAILURE_MESSAGE
        document.save(update_fields=["status", "error"])
        return document
    document.file.save(file.filename, ContentFile(file.content), save=False)
    document.filename = file.filename
    document.content_type = file.content_type
    document.size = len(file.content)
    document.status = GeneratedDocument.Status.READY
    document.save(update_fields=["file", "filename", "content_type", "size", "status"])
    return document


def owned_documents(establishment: Establishment, owner):
    """The user's documents that have not expired, newest first."""
    return GeneratedDocument.objects.filter(establishment=establishment, owner=owner,
                                            expires_at__gt=timezone.now())


def downloadable(establishment: Establishment, owner, pk: int) -> GeneratedDocument | None:
    """The document if ``owner`` may download it now: theirs, of this establishment, built and not expired."""
    return owned_documents(establishment, owner).filter(pk=pk, status=GeneratedDocument.Status.READY).first()


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete %s", name)


def remove_expired(now: datetime.datetime | None = None) -> int:
    """Deletes expired documents and their files, one establishment at a time; also files left without a record
    (an owner deleted with their documents) once they are older than the expiry. Returns the documents removed."""
    now = now or timezone.now()
    removed = 0
    establishments = Establishment.objects.filter(generateddocument__expires_at__lte=now).distinct()
    for establishment in establishments:
        with scope(establishment=establishment), transaction.atomic():
            expired = GeneratedDocument.objects.filter(establishment=establishment, expires_at__lte=now)
            names = [name for name in expired.values_list("file", flat=True) if name]
            removed += expired.delete()[1].get(GeneratedDocument._meta.label, 0)
            transaction.on_commit(lambda names=names: _delete_files(names))
    _remove_orphan_files(now)
    return removed


def _remove_orphan_files(now: datetime.datetime) -> None:
    root = Path(settings.MEDIA_ROOT) / "documents"
    if not root.is_dir():
        return
    cutoff = (now - expiry()).timestamp()
    for folder in root.iterdir():
        establishment = Establishment.objects.filter(uai=folder.name).first() if folder.is_dir() else None
        old = [path for path in folder.iterdir() if path.is_file() and path.stat().st_mtime < cutoff] \
            if folder.is_dir() else []
        if not old:
            continue
        known = set()
        if establishment is not None:
            with scope(establishment=establishment):
                known = set(GeneratedDocument.objects.filter(establishment=establishment)
                            .exclude(file="").values_list("file", flat=True))
        for path in old:
            if f"documents/{folder.name}/{path.name}" not in known:
                path.unlink(missing_ok=True)
