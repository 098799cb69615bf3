"""Celery tasks of the documents layer: build one document; every day, remove the expired ones."""

from celery import shared_task

from establishments.tasks import establishment_task

from . import services
from .models import GeneratedDocument


@establishment_task(acks_late=True, name="documents.build_document")
def build_document_task(establishment, document_id: int) -> str | None:
    document = (GeneratedDocument.objects.select_related("establishment", "owner")
                .filter(establishment=establishment, pk=document_id).first())
    if document is None:  # deleted (expired, owner gone) before the worker got to it
        return None
    return services.build(document).status


@shared_task(name="documents.remove_expired_documents")
def remove_expired_documents_task() -> int:
    return services.remove_expired()
