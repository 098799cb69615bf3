"""Runs the busiest hour: gunicorn on 127.0.0.1, locust headless stage after stage, CPU sampled, figures printed.

Used by ``manage.py bench_load`` in its inner process (Django connected to the benchmark database). Everything
started here is stopped in ``finally`` (errors and Ctrl-C included); every wait is bounded in time.
"""

from __future__ import annotations

import contextlib
import csv
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
BIN = Path(sys.executable).parent
LOOPBACK_NAMES = {"localhost"}
LOGINS_PER_TWO_MINUTES = 120
LOGIN_PAGES = ("connexion (POST)", "connexion (page)")
MIN_SAMPLES = 20  # per-page percentiles are judged from this many requests of the page


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def loopback_problem(database_url: str) -> str | None:
    """Why this database URL is refused (not PostgreSQL, or not on this machine's loopback), or ``None``."""
    parts = urlsplit(database_url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        return f"le banc de charge utilise PostgreSQL (postgres://…), pas « {parts.scheme or database_url} »."
    if not is_loopback(parts.hostname):
        return (f"le banc de charge ne s'exécute que sur le PostgreSQL local (127.0.0.1), pas sur "
                f"« {parts.hostname or 'un socket'} ».")
    if not parts.path.strip("/"):
        return "précisez le nom de la base du banc (…/cpro_bench)."
    return None


def logins_for(duration: float, per_two_minutes: int = LOGINS_PER_TWO_MINUTES) -> tuple[int, float]:
    """``per_two_minutes`` logins over the first two minutes, scaled down for a shorter stage."""
    window = min(float(duration), 120.0)
    return max(1, round(per_two_minutes * window / 120.0)), window


def create_database(url: str) -> None:
    """Creates the benchmark database on the local server if it does not exist (nothing else is touched)."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.strip("/")
    try:
        server = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                                  password=parts.password or None, dbname="postgres", connect_timeout=10)
    except psycopg2.Error as error:
        raise RuntimeError(f"PostgreSQL injoignable sur {parts.hostname}:{parts.port or 5432} : {error}") from error
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        server.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- CPU sampling --------------------------------------------------------------------------------------------


class CpuSampler:
    """Samples, every ``interval`` s, the CPU seconds (user + system) of gunicorn's workers, of the PostgreSQL
    backends serving ``dbname`` and of locust; keeps the last figure of every process it has seen."""

    def __init__(self, dbname: str, interval: float = 0.5) -> None:
        self.dbname = dbname
        self.interval = interval
        self.gunicorn_pid: int | None = None
        self.locust_pid: int | None = None
        self.seen: dict[str, dict[int, float]] = {"gunicorn": {}, "postgres": {}, "locust": {}}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> CpuSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    @staticmethod
    def _cpu(process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    def _tree(self, pid: int | None) -> list[psutil.Process]:
        if pid is None:
            return []
        try:
            parent = psutil.Process(pid)
            return [parent, *parent.children(recursive=True)]
        except psutil.Error:
            return []

    def sample(self) -> None:
        found: dict[str, dict[int, float]] = {"gunicorn": {}, "postgres": {}, "locust": {}}
        for kind, pid in (("gunicorn", self.gunicorn_pid), ("locust", self.locust_pid)):
            for process in self._tree(pid):
                with contextlib.suppress(psutil.Error):
                    found[kind][process.pid] = self._cpu(process)
        marker = f" {self.dbname} "
        for process in psutil.process_iter(["name", "cmdline"]):
            try:
                title = " ".join(process.info["cmdline"] or [])
                if title.startswith("postgres:") and marker in f"{title} ":
                    found["postgres"][process.pid] = self._cpu(process)
            except psutil.Error:
                pass
        with self._lock:
            for kind, figures in found.items():
                self.seen[kind].update(figures)

    def snapshot(self) -> dict[str, dict[int, float]]:
        self.sample()
        with self._lock:
            return {kind: dict(figures) for kind, figures in self.seen.items()}

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()


def cpu_between(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds used between two snapshots, per kind (a process born in between counts from zero)."""
    return {kind: round(sum(seconds - before.get(kind, {}).get(pid, 0.0)
                            for pid, seconds in after[kind].items()), 2) for kind in after}


# --- processes -----------------------------------------------------------------------------------------------


def stop_process(process: subprocess.Popen | None, *, grace: float = 15.0) -> None:
    """SIGTERM to the process group it leads, then SIGKILL after ``grace`` seconds."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)
    except ProcessLookupError:
        pass


def start_gunicorn(env: dict, port: int, log_path: Path, *, workers: int | None, threads: int | None
                   ) -> subprocess.Popen:
    """gunicorn in the production shape (``cpro/gunicorn.conf.py``) on 127.0.0.1:``port``."""
    command = [str(BIN / "gunicorn"), "cpro.wsgi", "--config", str(ROOT / "cpro" / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}"]
    env = dict(env)
    if workers:
        env["GUNICORN_WORKERS"] = str(workers)
    if threads:
        env["GUNICORN_THREADS"] = str(threads)
    with open(log_path, "ab") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,  # noqa: S603
                                start_new_session=True)


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn s'est arrêté (code {process.returncode}) : voir son journal.")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own 127.0.0.1 URL
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn ne répond pas sur {url} après {timeout:.0f} s.")


@dataclass
class Stage:
    users: int
    duration: int
    logins: int
    window: float
    rows: list[dict] = field(default_factory=list)
    total: dict = field(default_factory=dict)
    cpu: dict = field(default_factory=dict)
    wall: float = 0.0


def run_locust(stage: Stage, *, host: str, env: dict, out_dir: Path, arrival_users: int,
               sampler: CpuSampler, name: str = "") -> Stage:
    """One headless locust run of ``stage.users`` browsing users (+ the arrivals) for ``stage.duration`` s."""
    name = name or str(stage.users)
    prefix = out_dir / f"stage_{name}"
    total_users = stage.users + arrival_users
    spawn_rate = max(5.0, total_users / 10.0)  # everybody connected within ~10 s
    command = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--only-summary",
               "-u", str(total_users), "-r", f"{spawn_rate:g}", "-t", f"{stage.duration}s", "--host", host,
               "--csv", str(prefix), "--stop-timeout", "5", "--exit-code-on-error", "0", "--loglevel", "WARNING"]
    env = {**env, "CPRO_BENCH_LOGINS": str(stage.logins), "CPRO_BENCH_LOGIN_WINDOW": f"{stage.window:g}",
           "CPRO_BENCH_ARRIVAL_USERS": str(arrival_users), "PYTHONPATH": str(ROOT)}
    with open(out_dir / f"locust_{name}.log", "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,  # noqa: S603 - our own command
                                   stderr=subprocess.STDOUT, start_new_session=True)
        sampler.locust_pid = process.pid
        before = sampler.snapshot()
        started = time.monotonic()
        try:
            process.wait(timeout=stage.duration + 60)
        finally:
            stop_process(process)
        stage.wall = round(time.monotonic() - started, 1)
        stage.cpu = cpu_between(before, sampler.snapshot())
    stage.rows, stage.total = read_stats(Path(f"{prefix}_stats.csv"))
    return stage


def read_stats(path: Path) -> tuple[list[dict], dict]:
    """locust's ``_stats.csv``: one row per request name, and the aggregated row."""
    rows, total = [], {}
    if not path.exists():
        raise RuntimeError(f"locust n'a pas écrit {path} : voir son journal à côté.")
    with open(path, newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            row = {"name": record["Name"], "method": record["Type"],
                   "requests": int(record["Request Count"]), "failures": int(record["Failure Count"]),
                   "median_ms": _number(record["Median Response Time"]), "p95_ms": _number(record["95%"]),
                   "p99_ms": _number(record["99%"]), "rps": round(float(record["Requests/s"] or 0), 1),
                   "percentiles": {q: _number(record.get(f"{q:g}%", "")) for q in PERCENTILE_POINTS}}
            if record["Name"] == "Aggregated":
                total = row
            else:
                rows.append(row)
    return sorted(rows, key=lambda r: -r["requests"]), total


PERCENTILE_POINTS = (50, 66, 75, 80, 90, 95, 98, 99, 99.9, 100)


def pooled_percentile(rows: list[dict], quantile: float = 95) -> float:
    """The ``quantile`` of all the requests of ``rows`` together, from each page's percentile points (locust
    writes percentiles per page only): each page's share of requests under x read at its highest point not above
    x (a step, so never an underestimate), weighted by its number of requests; the smallest point where the pooled
    share reaches ``quantile``."""
    rows = [r for r in rows if r["requests"] and r.get("percentiles")]
    total = sum(r["requests"] for r in rows)
    if not total:
        return 0.0

    def below(row, x):  # share of the page's requests at or under x ms
        points = [(0.0, 0.0), *sorted((v, q / 100) for q, v in row["percentiles"].items())]
        share = 0.0
        for value, q in points:
            if value <= x:
                share = q
            else:
                break
        return share

    candidates = sorted({v for r in rows for v in r["percentiles"].values()})
    for x in candidates:
        if sum(r["requests"] * below(r, x) for r in rows) / total >= quantile / 100:
            return x
    return candidates[-1] if candidates else 0.0


def _number(value: str) -> float:
    try:
        return round(float(value), 1)
    except (TypeError, ValueError):
        return 0.0


# --- report --------------------------------------------------------------------------------------------------


def browsing(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["name"] not in LOGIN_PAGES]


def _worst(rows: list[dict], key: str) -> tuple[float, str]:
    row = max(rows, key=lambda r: r[key], default=None)
    return (row[key], row["name"]) if row else (0, "—")


def verdicts(stage: Stage) -> list[tuple[str, bool]]:
    """The issue's targets for this stage (2-core machine). Per-page targets are judged on the pages with at least
    ``MIN_SAMPLES`` requests (a percentile of 3 requests is their maximum); the rarer pages are listed apart."""
    pages = [r for r in browsing(stage.rows) if r["requests"] >= MIN_SAMPLES]
    failures = stage.total.get("failures", 0)
    checks = [(f"0 échec ({failures})", failures == 0)]
    if stage.users <= 50:
        worst, name = _worst(pages, "p95_ms")
        checks.append((f"p95 ≤ 150 ms sur chaque page hors connexion (pire : {worst:g} ms, {name})", worst <= 150))
        ordinary = [r for r in pages if "CSV" not in r["name"] and "PDF" not in r["name"]]
        slowest, name = _worst(ordinary, "median_ms")
        checks.append((f"médiane ≤ 30 ms par page ordinaire, hors CSV et PDF (pire : {slowest:g} ms, {name})",
                       slowest <= 30))
        if stage.logins:
            pooled = pooled_percentile(browsing(stage.rows))
            checks.append((f"avec {stage.logins} connexions en {stage.window:g} s, p95 de la navigation (toutes "
                           f"pages hors connexion) ≤ 300 ms : {pooled:g} ms (pire page : {worst:g} ms)",
                           pooled <= 300))
    else:
        rps = stage.total.get("rps", 0)
        p95 = stage.total.get("p95_ms", 0)
        checks.append((f"≥ 60 requêtes/s ({rps:g})", rps >= 60))
        checks.append((f"p95 ≤ 1 s ({p95:g} ms)", p95 <= 1000))
    return checks


def rare_pages(stage: Stage) -> list[dict]:
    return [r for r in browsing(stage.rows) if r["requests"] < MIN_SAMPLES]


def format_stage(stage: Stage) -> str:
    lines = [f"\n=== {stage.users} utilisateurs + {stage.logins} connexions en {stage.window:g} s, "
             f"{stage.duration} s (mesuré {stage.wall} s) ===",
             f"{'page [profil]':<52} {'req.':>6} {'échecs':>6} {'médiane':>8} {'p95':>7} {'p99':>7}  (ms)"]
    for row in [*stage.rows, stage.total]:
        if not row:
            continue
        name = row["name"] if row["name"] != "Aggregated" else "TOTAL"
        name = f"{row['method']} {name}" if row["method"] and row["method"] != "GET" else name
        lines.append(f"{name[:52]:<52} {row['requests']:>6} {row['failures']:>6} {row['median_ms']:>8g} "
                     f"{row['p95_ms']:>7g} {row['p99_ms']:>7g}")
    cpu = stage.cpu
    lines.append(f"débit : {stage.total.get('rps', 0):g} requêtes/s ; CPU (s) : workers gunicorn "
                 f"{cpu.get('gunicorn', 0):g}, PostgreSQL {cpu.get('postgres', 0):g}, locust "
                 f"{cpu.get('locust', 0):g} (sur {stage.wall:g} s × {psutil.cpu_count()} cœurs)")
    for text, ok in verdicts(stage):
        lines.append(f"  [{'OK' if ok else 'NON'}] {text}")
    rare = rare_pages(stage)
    if rare:
        worst, name = _worst(rare, "p95_ms")
        lines.append(f"  (pages de moins de {MIN_SAMPLES} requêtes, hors objectifs par page : {len(rare)}, "
                     f"pire p95 {worst:g} ms, {name})")
    return "\n".join(lines)
