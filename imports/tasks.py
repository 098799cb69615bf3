"""Celery tasks of the imports: fetch the run by id inside its establishment's scope, call the service."""

from celery import shared_task

from establishments.models import Establishment
from establishments.scoping import scope

from . import services
from .models import ImportRun


@shared_task(acks_late=True)
def analyse_run_task(establishment_id: int, run_id: int) -> str:
    """Analyses an uploaded import (large files take a while: the page polls the run's state)."""
    establishment = Establishment.objects.get(pk=establishment_id)
    with scope(establishment=establishment):
        run = ImportRun.objects.select_related("establishment").get(pk=run_id)
        if run.status == ImportRun.Status.PENDING:
            try:
                services.run_analyse(run)
            except Exception:  # logged and recorded on the run (FAILED, with its cause) by the service
                return ImportRun.Status.FAILED
        return run.status


@shared_task(acks_late=True)
def apply_run_task(establishment_id: int, run_id: int, actor_id: int | None) -> str:
    """Imports an analysed run in one transaction (idempotent: a run already applied is left alone)."""
    from accounts.models import User

    establishment = Establishment.objects.get(pk=establishment_id)
    with scope(establishment=establishment):
        run = ImportRun.objects.select_related("establishment").get(pk=run_id)
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        try:
            services.run_apply(run, actor)
        except Exception:  # rolled back, logged and recorded on the run (FAILED, with its cause)
            return ImportRun.Status.FAILED
        return run.status
