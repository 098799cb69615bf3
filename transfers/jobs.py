"""The daily jobs (automatic transfers, RGPD purge) with their run record: Celery beat and
``manage.py run_daily_jobs`` both come through here.

A job runs at most once per day to completion, and never twice at the same time. Taking a day's job is
exclusive (``claim``): on PostgreSQL a session-level advisory lock per job and day, which the server releases
by itself if the process holding it dies; in the process itself (and on SQLite, the embedded mode, where jobs
run in-process) a registry of the days being run. A second call while the first runs waits a few seconds, then
does nothing ("déjà en cours"). Once the job is held, ``DailyJobRun`` (unique job + day) is read or created; if
that day's run already finished, the call does nothing. A run that never finished (a worker killed mid-way)
is taken over by the next call, which is safe because both services work from the database state: a learner
already transferred is no longer a candidate, a purged user is gone. After ``MAX_ATTEMPTS`` passes the same
day, the job gives up until the next day (a job that kills its worker every time must not loop forever on
redelivery).
"""

import datetime
import logging
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, connections, router
from django.db.models import F
from django.utils import timezone

from .models import DailyJob, DailyJobRun
from .purge import purge_expired_users
from .services import run_transfers

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# When a day is given explicitly (a past day run by hand), the rules are applied as at the scheduled time.
SCHEDULED_TIME = datetime.time(4, 30)

# How long a second call waits for the day's job before giving up (the first one may be a process that just
# died, whose lock the server is about to release).
CLAIM_WAIT_SECONDS = 5.0
_ADVISORY_NAMESPACE = 0x4350_524F  # "CPRO": the first key of the advisory locks of the daily jobs

_held: set[tuple[str, str]] = set()  # the (job, day) pairs this process is running (see ``_held_registry``)
_held_guard = threading.Lock()
_thread = threading.local()

SERVICES = {
    DailyJob.TRANSFERS: lambda now: run_transfers(now=now),
    DailyJob.PURGE: lambda now: purge_expired_users(now=now),
}


@dataclass
class JobReport:
    job: DailyJob
    run_date: datetime.date
    ran: bool
    summary: dict
    details: dict | None = None
    message: str = ""

    def as_dict(self) -> dict:
        return {"job": self.job.value, "run_date": self.run_date.isoformat(), "ran": self.ran,
                "message": self.message, "summary": self.summary, "details": self.details}


def reference_instant(run_date: datetime.date | None) -> datetime.datetime:
    """Now for today's run; the scheduled time of that day for another day."""
    now = timezone.now()
    if run_date is None or run_date == timezone.localdate(now):
        return now
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime.combine(run_date, SCHEDULED_TIME, tzinfo=zone)


def _advisory_key(job: DailyJob, run_date: datetime.date) -> int:
    # A signed 32-bit key for the job and day (PostgreSQL's two-key advisory locks take two int4).
    return zlib.crc32(f"{job.value}:{run_date.isoformat()}".encode()) - 2**31


def _try_database_lock(connection, key: int) -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite (embedded mode): one process runs the jobs; the in-process registry suffices
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_ADVISORY_NAMESPACE, key])
        return cursor.fetchone()[0]


def _release_database_lock(connection, key: int) -> None:
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_ADVISORY_NAMESPACE, key])
    except DatabaseError:  # the connection was lost: the server released the lock with it
        logger.warning("Verrou de la tâche quotidienne non libéré (connexion perdue)", exc_info=True)


def _held_registry(connection) -> set[tuple[str, str]]:
    """Where this run notes the days it holds: on PostgreSQL, per thread (a session may take its advisory lock
    twice: this catches a nested call; other threads and processes meet the lock itself); elsewhere, for the
    whole process (the embedded mode runs its jobs in-process)."""
    if connection.vendor != "postgresql":
        return _held
    if not hasattr(_thread, "held"):
        _thread.held = set()
    return _thread.held


@contextmanager
def claim(job: DailyJob, run_date: datetime.date, *, wait: float | None = None) -> Iterator[bool]:
    """Holds ``job`` for ``run_date`` exclusively while the block runs; yields ``False`` if another run holds it
    (in this process or, on PostgreSQL, in any other) after waiting ``wait`` seconds (``CLAIM_WAIT_SECONDS``)."""
    deadline = time.monotonic() + (CLAIM_WAIT_SECONDS if wait is None else wait)
    connection = connections[router.db_for_write(DailyJobRun)]
    registry = _held_registry(connection)
    held = (job.value, run_date.isoformat())
    key = _advisory_key(job, run_date)
    while True:
        with _held_guard:
            mine = held not in registry
            if mine:
                registry.add(held)
        if mine:
            if _try_database_lock(connection, key):
                break
            with _held_guard:
                registry.discard(held)
        if time.monotonic() >= deadline:
            yield False
            return
        time.sleep(0.1)
    try:
        yield True
    finally:
        try:
            _release_database_lock(connection, key)
        finally:
            with _held_guard:
                registry.discard(held)


def run_daily_job(job: DailyJob, *, run_date: datetime.date | None = None) -> JobReport:
    """Runs ``job`` for ``run_date`` (today by default) unless that day's run already finished or is running."""
    now = reference_instant(run_date)
    run_date = run_date or timezone.localdate(now)
    with claim(job, run_date) as claimed:
        if not claimed:
            logger.warning("%s du %s : déjà en cours dans un autre passage", job.label, run_date)
            return JobReport(job, run_date, ran=False, summary={}, message="Déjà en cours dans un autre passage.")
        return _run_claimed(job, run_date, now)


def _run_claimed(job: DailyJob, run_date: datetime.date, now: datetime.datetime) -> JobReport:
    run, created = DailyJobRun.objects.get_or_create(job=job, run_date=run_date,
                                                     defaults={"started_at": timezone.now()})
    if run.finished_at is not None:
        return JobReport(job, run_date, ran=False, summary=run.result,
                         message=f"Déjà exécutée le {timezone.localtime(run.finished_at):%d/%m/%Y à %H:%M}.")
    if not created:
        if run.attempts >= MAX_ATTEMPTS:
            logger.error("%s : abandon après %s passages inachevés", run, run.attempts)
            return JobReport(job, run_date, ran=False, summary=run.result,
                             message=f"Abandonnée après {run.attempts} passages inachevés.")
        DailyJobRun.objects.filter(pk=run.pk).update(attempts=F("attempts") + 1)
    outcome = SERVICES[job](now)
    run.result = outcome.summary()
    run.finished_at = timezone.now()
    run.save(update_fields=["result", "finished_at"])
    return JobReport(job, run_date, ran=True, summary=run.result, details=outcome.as_dict())
