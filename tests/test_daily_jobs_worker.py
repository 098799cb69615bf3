"""The daily jobs on a real Celery worker (a subprocess) over the local Redis, against the test database.

Needs PostgreSQL (the worker must reach the test database: the in-memory SQLite of the suite is invisible to
another process) and Redis on 127.0.0.1:6379 (database 5, flushed before and after). The crash tests make the
transfer sleep inside its transaction (hook in tests/testapp/models.py) and SIGKILL the process running it.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.db import connection
from django.utils import timezone

from establishments.scoping import scopes_disabled
from tests.testapp.factories import data_of, give_data, make_establishment, make_learner, make_mover
from transfers.models import DailyJob, DailyJobRun, TransferRecord

ROOT = Path(__file__).resolve().parent.parent
BROKER = "redis://127.0.0.1:6379/5"
TIMEOUT = 90  # seconds: a bound on waiting for the worker, not a performance assertion

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"Attente dépassée : {what}")


def database_url() -> str:
    s = connection.settings_dict
    credentials = quote(s["USER"] or "")
    if s["PASSWORD"]:
        credentials += ":" + quote(s["PASSWORD"])
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{quote(s['NAME'])}"


@pytest.fixture
def broker():
    if connection.vendor != "postgresql":
        pytest.skip("le worker doit voir la base de test : lancer avec DATABASE_URL=postgres://… (SQLite en "
                    "mémoire n'est visible que du processus de pytest)")
    client = redis.Redis.from_url(BROKER)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis injoignable sur 127.0.0.1:6379")
    client.flushdb()
    sender = Celery("tests", broker=BROKER)
    yield sender
    sender.close()
    client.flushdb()
    client.close()


class Worker:
    def __init__(self, log: Path, pool: str, extra_env: dict):
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "CELERY_BROKER_URL": BROKER,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CPRO_TEST_APPS": "1",
            "DJANGO_SETTINGS_MODULE": "cpro.settings",
            **extra_env,
        }
        self.log = log
        options = ["--pool=solo"] if pool == "solo" else ["--pool=prefork", "--concurrency=1"]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cpro", "worker", *options, "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"test-{uuid.uuid4().hex[:8]}@%h"],
            cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )
        wait_for(lambda: " ready." in self.output() or self.process.poll() is not None, "démarrage du worker")
        assert self.process.poll() is None, self.output()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start_worker(broker, tmp_path):
    workers = []

    def start(pool: str = "solo", **extra_env) -> Worker:
        worker = Worker(tmp_path / f"worker-{len(workers)}.log", pool, extra_env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def finished(job: DailyJob):
    return DailyJobRun.objects.filter(job=job, run_date=timezone.localdate(), finished_at__isnull=False).first()


def done_records():
    with scopes_disabled():
        return sorted(TransferRecord.objects.filter(done=True).values_list("establishment__uai", "direction"))


@pytest.fixture
def mover():
    now = timezone.now()
    school_a, school_b = make_establishment("0750654D"), make_establishment("0999999F")
    origin, destination = make_mover(school_a, school_b, now=now)
    give_data(origin)
    return {"origin": origin, "destination": destination, "a": school_a.pk, "b": school_b.pk,
            "before": (data_of(origin), data_of(destination))}


def assert_transferred_once(mover):
    assert data_of(mover["origin"]) == {"achievements": [], "comments": [], "assessments": []}
    assert data_of(mover["destination"]) == {"achievements": [mover["b"]] * 2, "comments": [mover["b"]],
                                             "assessments": [mover["b"]]}
    assert done_records() == [("0750654D", "sortant"), ("0999999F", "entrant")]


def test_a_worker_runs_the_daily_transfer_and_purge(broker, start_worker, mover):
    gone = make_learner(make_establishment("0130001A"), "ancien", ine="1", active=False,
                        deactivated_at=timezone.now() - datetime.timedelta(days=400))
    start_worker()

    broker.send_task("transfers.run_daily_transfers")
    broker.send_task("transfers.run_daily_purge")

    run = wait_for(lambda: finished(DailyJob.TRANSFERS), "fin des transferts")
    assert run.result["transferred"] == 1
    assert_transferred_once(mover)
    assert wait_for(lambda: finished(DailyJob.PURGE), "fin de la purge").result["users"] == 1
    with scopes_disabled():
        from accounts.models import User

        assert not User.objects.filter(pk=gone.pk).exists()


def test_a_worker_killed_mid_transfer_leaves_nothing_half_done_and_the_next_run_completes_once(
        broker, start_worker, mover, tmp_path):
    pause = tmp_path / "pause"
    pause.write_text("")
    first = start_worker(CPRO_TESTAPP_PAUSE_FILE=str(pause))
    broker.send_task("transfers.run_daily_transfers")

    paused = Path(f"{pause}.paused")
    wait_for(paused.exists, "transfert en pause dans sa transaction")
    assert int(paused.read_text()) == first.process.pid
    first.kill()

    # Nothing half-done: A still has everything, B nothing, no transfer recorded, the run is unfinished.
    assert (data_of(mover["origin"]), data_of(mover["destination"])) == mover["before"]
    with scopes_disabled():
        assert not TransferRecord.objects.exists()
    run = DailyJobRun.objects.get(job=DailyJob.TRANSFERS)
    assert run.finished_at is None

    second = start_worker()
    broker.send_task("transfers.run_daily_transfers")
    run = wait_for(lambda: finished(DailyJob.TRANSFERS), "fin des transferts après la reprise")
    assert run.attempts == 2 and run.result["transferred"] == 1
    assert_transferred_once(mover)

    # The same day's job sent once more does nothing.
    broker.send_task("transfers.run_daily_transfers")
    wait_for(lambda: second.output().count("succeeded in") >= 2, "second envoi traité")
    assert_transferred_once(mover)


def test_a_killed_pool_process_is_replaced_and_the_message_redelivered(broker, start_worker, mover, tmp_path):
    """acks_late + reject_on_worker_lost: the worker requeues the job of the process it lost; nothing resent."""
    pause = tmp_path / "pause"
    pause.write_text("")
    worker = start_worker("prefork", CPRO_TESTAPP_PAUSE_FILE=str(pause))
    broker.send_task("transfers.run_daily_transfers")

    paused = Path(f"{pause}.paused")
    wait_for(paused.exists, "transfert en pause dans sa transaction")
    child = int(paused.read_text())
    assert child != worker.process.pid
    os.kill(child, signal.SIGKILL)

    run = wait_for(lambda: finished(DailyJob.TRANSFERS), "fin des transferts après redélivrance")
    assert run.attempts == 2
    assert_transferred_once(mover)
    assert "WorkerLostError" in worker.output()
