"""The daily jobs: run by hand or by Celery beat, once per day, retried on transient database errors only."""

import datetime
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command
from django.db import OperationalError

from cpro.celery import app
from establishments.scoping import scopes_disabled
from tests.testapp.factories import CIEL_2, data_of, give_data, make_establishment, make_learner, make_mover
from transfers import jobs, tasks
from transfers.models import DailyJob, DailyJobRun, TransferRecord

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 3, 10, 4, 30, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def population(now):
    """One learner to transfer, one refused (diploma change), one to purge."""
    school_a, school_b = make_establishment("0750654D"), make_establishment("0999999F")
    mover, arrived = make_mover(school_a, school_b, now=now)
    give_data(mover)
    make_mover(school_a, school_b, now=now, login="paul.bernard", ine="070803070BB", destination_mef=CIEL_2)
    gone = make_learner(school_a, "ancien", ine="1", active=False,
                        deactivated_at=now - datetime.timedelta(days=400))
    return {"mover": mover, "arrived": arrived, "gone": gone, "school_b": school_b}


def run_command(*args) -> str:
    out = StringIO()
    call_command("run_daily_jobs", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_what_was_transferred_refused_and_purged(population):
    output = run_command()

    assert "Transferts effectués : 1" in output
    assert "MARTIN Lea (INE 070803070AA) 0750654D → 0999999F : 4 élément(s)" in output
    assert "Transferts refusés : 1" in output
    assert "BERNARD Paul (INE 070803070BB) 0750654D → 0999999F : Changement de diplôme" in output
    assert "Utilisateurs supprimés : 1" in output
    assert data_of(population["arrived"])["achievements"] == [population["school_b"].pk] * 2


def test_the_same_days_jobs_run_twice_do_nothing_the_second_time(population):
    run_command()
    second = run_command()

    assert second.count("Déjà exécutée le 10/03/2026 à 04:30.") == 2
    with scopes_disabled():
        assert TransferRecord.objects.filter(done=True).count() == 2
    assert DailyJobRun.objects.count() == 2


def test_json_output(population):
    reports = json.loads(run_command("--json"))

    transfers, purge = reports
    assert transfers["job"] == "transferts" and transfers["ran"] is True
    assert transfers["summary"] == {"transferred": 1, "refused": 1, "causes": {"Changement de diplôme": 1},
                                    "records_written": 4}
    assert transfers["details"]["transferred_list"][0]["destination_uai"] == "0999999F"
    assert purge["summary"]["users"] == 1 and purge["summary"]["by_establishment"] == {"0750654D": 1}


def test_a_given_date_is_run_as_at_its_scheduled_time(population):
    # Eight months later, the same learner is past the 6 months: refused, not transferred.
    reports = json.loads(run_command("--date", "2026-11-10", "--json"))
    assert reports[0]["run_date"] == "2026-11-10"
    assert reports[0]["summary"]["transferred"] == 0
    assert reports[0]["summary"]["causes"] == {"Délai dépassé : apprenant désactivé depuis plus de 6 mois": 2}


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        run_command("--date", "10/03/2026")


def test_a_run_that_never_finished_is_resumed_then_abandoned_after_five_attempts(population):
    DailyJobRun.objects.create(job=DailyJob.TRANSFERS, run_date=NOW.date(), started_at=NOW)  # a crashed worker
    report = jobs.run_daily_job(DailyJob.TRANSFERS)
    assert report.ran and report.summary["transferred"] == 1
    assert DailyJobRun.objects.get(job=DailyJob.TRANSFERS).attempts == 2

    DailyJobRun.objects.create(job=DailyJob.PURGE, run_date=NOW.date(), started_at=NOW, attempts=5)
    report = jobs.run_daily_job(DailyJob.PURGE)
    assert not report.ran and "Abandonnée après 5 passages" in report.message


def test_the_tasks_call_the_jobs_and_keep_their_result(population):
    assert tasks.run_daily_transfers_task.delay().get() == {
        "transferred": 1, "refused": 1, "causes": {"Changement de diplôme": 1}, "records_written": 4}
    assert tasks.run_daily_purge_task.delay("2026-03-10").get()["users"] == 1
    assert DailyJobRun.objects.get(job=DailyJob.TRANSFERS).result["transferred"] == 1


def test_a_transient_database_error_is_retried(population, monkeypatch):
    calls = []
    real = jobs.SERVICES[DailyJob.TRANSFERS]

    def flaky(now):
        calls.append(now)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(now)

    monkeypatch.setitem(jobs.SERVICES, DailyJob.TRANSFERS, flaky)
    result = tasks.run_daily_transfers_task.apply(throw=False)  # eager: the retry runs at once

    assert result.successful() and result.get()["transferred"] == 1
    assert len(calls) == 2


def test_any_other_error_is_not_retried(population, monkeypatch):
    calls = []

    def broken(now):
        calls.append(now)
        raise ValueError("bug")

    monkeypatch.setitem(jobs.SERVICES, DailyJob.TRANSFERS, broken)
    result = tasks.run_daily_transfers_task.apply(throw=False)

    assert result.failed() and isinstance(result.result, ValueError)
    assert len(calls) == 1


def test_tasks_survive_a_worker_crash():
    for task in (tasks.run_daily_transfers_task, tasks.run_daily_purge_task):
        assert task.acks_late and task.reject_on_worker_lost
        assert task.autoretry_for == (OperationalError, tasks.InterfaceError)


def test_beat_runs_both_jobs_daily_in_paris_time_outside_the_dst_gap():
    schedule = [entry for entry in app.conf.beat_schedule.values() if entry["task"].startswith("transfers.")]
    assert {entry["task"] for entry in schedule} == {"transfers.run_daily_transfers", "transfers.run_daily_purge"}
    for entry in schedule:
        assert isinstance(entry["schedule"], crontab)
        assert entry["schedule"].hour == {4}  # after 03:00: never skipped nor repeated by a DST change
    assert app.conf.timezone == "Europe/Paris"
    assert set(app.tasks) >= {"transfers.run_daily_transfers", "transfers.run_daily_purge"}


def test_a_days_job_is_not_taken_while_it_runs(population, monkeypatch):
    """The claim: a second call for the same job and day while the first runs does nothing; another job or
    another day is free; once the first is over, the day is done."""
    monkeypatch.setattr(jobs, "CLAIM_WAIT_SECONDS", 0.2)
    real = jobs.SERVICES[DailyJob.TRANSFERS]
    during = {}

    def service(now):
        during["same"] = jobs.run_daily_job(DailyJob.TRANSFERS)
        with jobs.claim(DailyJob.TRANSFERS, NOW.date() + datetime.timedelta(days=1)) as other_day:
            during["other day"] = other_day
        with jobs.claim(DailyJob.PURGE, NOW.date()) as other_job:
            during["other job"] = other_job
        return real(now)

    monkeypatch.setitem(jobs.SERVICES, DailyJob.TRANSFERS, service)
    first = jobs.run_daily_job(DailyJob.TRANSFERS)

    assert first.ran and first.summary["transferred"] == 1
    assert not during["same"].ran and during["same"].message == "Déjà en cours dans un autre passage."
    assert during["other day"] and during["other job"]
    assert DailyJobRun.objects.get(job=DailyJob.TRANSFERS).attempts == 1
    assert jobs.run_daily_job(DailyJob.TRANSFERS).message.startswith("Déjà exécutée")


def test_a_run_that_failed_lets_the_next_one_take_the_day(population, monkeypatch):
    monkeypatch.setattr(jobs, "CLAIM_WAIT_SECONDS", 0.2)
    real = jobs.SERVICES[DailyJob.TRANSFERS]
    monkeypatch.setitem(jobs.SERVICES, DailyJob.TRANSFERS, lambda now: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        jobs.run_daily_job(DailyJob.TRANSFERS)

    monkeypatch.setitem(jobs.SERVICES, DailyJob.TRANSFERS, real)
    report = jobs.run_daily_job(DailyJob.TRANSFERS)

    assert report.ran and report.summary["transferred"] == 1
    assert DailyJobRun.objects.get(job=DailyJob.TRANSFERS).attempts == 2
