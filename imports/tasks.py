"""Celery tasks of the imports, on the establishment task base (``establishments.tasks``): each gets the
establishment resolved and scoped, fetches the run by id and calls the service. Send them with
``send_after_commit`` (services.run_queue_analysis, services.run_confirm)."""

from establishments.tasks import establishment_task

from . import services
from .models import ImportRun


@establishment_task(acks_late=True)
def analyse_run_task(establishment, run_id: int) -> str:
    """Analyses an uploaded import (large files take a while: the page polls the run's state)."""
    run = ImportRun.objects.select_related("establishment").get(establishment=establishment, pk=run_id)
    try:
        services.run_analyse(run)
    except Exception:  # logged and recorded on the run (FAILED, with its cause) by the service
        return ImportRun.Status.FAILED
    return run.status


@establishment_task(acks_late=True)
def apply_run_task(establishment, run_id: int, actor_id: int | None) -> str:
    """Imports a confirmed run in one transaction (idempotent: only a run in "Import en cours" is worked on)."""
    from accounts.models import User

    run = ImportRun.objects.select_related("establishment").get(establishment=establishment, pk=run_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        services.run_apply(run, actor)
    except Exception:  # rolled back, logged and recorded on the run (FAILED, with its cause)
        return ImportRun.Status.FAILED
    return run.status
