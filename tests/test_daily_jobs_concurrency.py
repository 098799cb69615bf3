"""Two runs of the same day's job started at the same time: one runs, the other does nothing (issue 9, item 8).

Each thread has its own database connection, as two ``run_daily_jobs`` processes would: the exclusion is the
database's (a PostgreSQL advisory lock), so this needs PostgreSQL.
"""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tests.testapp.factories import give_data, make_establishment, make_mover
from transfers import jobs
from transfers.models import DailyJob, DailyJobRun

PARIS = ZoneInfo("Europe/Paris")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("l'exclusion entre processus est un verrou consultatif de PostgreSQL ; SQLite (mode embarqué) "
                    "exécute les tâches dans un seul processus")


def in_thread(function, results, name):
    def target():
        try:
            results[name] = function()
        except Exception as error:
            results[name] = error
        finally:
            from django.db import connection as thread_connection

            thread_connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def test_two_runs_started_together_run_the_job_once(postgresql, monkeypatch):
    now = datetime.datetime.now(tz=PARIS)
    school_a, school_b = make_establishment("0750654D"), make_establishment("0999999F")
    origin, _ = make_mover(school_a, school_b, now=now)
    give_data(origin)
    monkeypatch.setattr(jobs, "CLAIM_WAIT_SECONDS", 0.5)
    real = jobs.SERVICES[DailyJob.TRANSFERS]
    inside, release, calls = threading.Event(), threading.Event(), []

    def slow(now):
        calls.append(now)
        inside.set()
        assert release.wait(30)
        return real(now)

    monkeypatch.setitem(jobs.SERVICES, DailyJob.TRANSFERS, slow)
    results = {}
    first = in_thread(lambda: jobs.run_daily_job(DailyJob.TRANSFERS), results, "first")
    assert inside.wait(30)
    second = in_thread(lambda: jobs.run_daily_job(DailyJob.TRANSFERS), results, "second")
    second.join(30)
    release.set()
    first.join(30)

    assert results["first"].ran and results["first"].summary["transferred"] == 1
    assert not results["second"].ran and results["second"].message == "Déjà en cours dans un autre passage."
    assert len(calls) == 1
    run = DailyJobRun.objects.get(job=DailyJob.TRANSFERS)
    assert run.attempts == 1 and run.finished_at is not None


def test_the_lock_is_released_when_the_run_ends(postgresql):
    day = datetime.date(2026, 3, 10)
    with jobs.claim(DailyJob.PURGE, day) as claimed:
        assert claimed
        results = {}
        in_thread(lambda: jobs.claim(DailyJob.PURGE, day, wait=0).__enter__(), results, "during").join(30)
        assert results["during"] is False
    results = {}

    def claim_after():
        with jobs.claim(DailyJob.PURGE, day, wait=0) as claimed:
            return claimed

    in_thread(claim_after, results, "after").join(30)
    assert results["after"] is True
