"""Celery tasks of the daily jobs: thin wrappers around ``transfers.jobs`` (scheduled in ``cpro/celery.py``).

Acknowledged late and requeued if the worker dies (the jobs resume safely, see ``transfers.jobs``); retried
with backoff on transient database errors only. Business refusals are recorded by the services, never retried.
"""

import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .jobs import run_daily_job
from .models import DailyJob

DAILY_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


def _day(run_date: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(run_date) if run_date else None


@shared_task(name="transfers.run_daily_transfers", **DAILY_TASK_OPTIONS)
def run_daily_transfers_task(run_date: str | None = None) -> dict:
    """Automatic INE transfers of the day (``run_date`` as ``YYYY-MM-DD``, today by default)."""
    return run_daily_job(DailyJob.TRANSFERS, run_date=_day(run_date)).summary


@shared_task(name="transfers.run_daily_purge", **DAILY_TASK_OPTIONS)
def run_daily_purge_task(run_date: str | None = None) -> dict:
    """RGPD purge of the day (``run_date`` as ``YYYY-MM-DD``, today by default)."""
    return run_daily_job(DailyJob.PURGE, run_date=_day(run_date)).summary
