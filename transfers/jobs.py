"""The daily jobs (automatic transfers, RGPD purge) with their run record: Celery beat and
``manage.py run_daily_jobs`` both come through here.

A job runs at most once per day to completion: ``DailyJobRun`` (unique job + day) is taken first; if that
day's run already finished, a second call does nothing. A run that never finished (a worker killed mid-way)
is taken over by the next call, which is safe because both services work from the database state: a learner
already transferred is no longer a candidate, a purged user is gone. After ``MAX_ATTEMPTS`` passes the same
day, the job gives up until the next day (a job that kills its worker every time must not loop forever on
redelivery).
"""

import datetime
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import DailyJob, DailyJobRun
from .purge import purge_expired_users
from .services import run_transfers

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# When a day is given explicitly (a past day run by hand), the rules are applied as at the scheduled time.
SCHEDULED_TIME = datetime.time(4, 30)

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


def run_daily_job(job: DailyJob, *, run_date: datetime.date | None = None) -> JobReport:
    """Runs ``job`` for ``run_date`` (today by default) unless that day's run already finished."""
    now = reference_instant(run_date)
    run_date = run_date or timezone.localdate(now)
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
