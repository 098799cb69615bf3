"""``python manage.py bench_load`` (``make bench-load``): a school's busiest hour under load, on this machine.

Not a test: a measurement, printed (README, « Banc de charge »). In order:

1. refuses a database URL that is not PostgreSQL on the loopback (127.0.0.1, ::1, localhost), creates the
   benchmark database if missing (default ``postgres://postgres@127.0.0.1:5432/cpro_bench``);
2. re-runs itself (``--inside``) connected to that database, in the production shape (``DEBUG`` off,
   ``LOCAL_HTTP_BENCHMARK=1`` for plain HTTP on 127.0.0.1 only), which refuses a database holding an
   establishment the benchmark did not create (``bench.load.school.BENCH_UAIS``) before writing anything;
3. migrates, collects the static files, builds the school once (≈1,470 learners imported through the real import
   code from the project's generator, staff of every profile, known passwords) and opens the virtual users'
   sessions;
4. starts gunicorn (``cpro/gunicorn.conf.py``) on 127.0.0.1, runs locust headless (``bench/load/locustfile.py``)
   at each ``--users`` count for ``--duration`` seconds with ``--logins`` logins per two minutes, and prints
   every page's requests, failures, median, p95, p99 and the CPU seconds of gunicorn's workers and PostgreSQL;
5. stops everything it started, also on an error or Ctrl-C.

The argon2id cost (``ARGON2_*``) and gunicorn's (``GUNICORN_WORKERS``, ``GUNICORN_THREADS``) come from the
environment like in production; ``--workers`` / ``--threads`` override the latter.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cpro_bench"
# Stages are bounded: so many seconds each, at most this long.
MAX_DURATION = 900


def _users_list(value: str) -> list[int]:
    try:
        counts = [int(part) for part in value.split(",") if part.strip()]
    except ValueError as error:
        raise CommandError(f"--users : une liste de nombres (50,200), pas « {value} ».") from error
    if not counts or any(n < 1 or n > 1000 for n in counts):
        raise CommandError("--users : entre 1 et 1000 utilisateurs par étape.")
    return counts


class Command(BaseCommand):
    help = ("Banc de charge : l'heure la plus chargée d'un lycée (gunicorn + PostgreSQL locaux, locust) ; "
            "affiche, par page, requêtes, échecs, médiane, p95, p99 et le CPU des workers et de PostgreSQL.")

    def add_arguments(self, parser):
        parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
                            help="base du banc, PostgreSQL sur 127.0.0.1 seulement (défaut : %(default)s)")
        parser.add_argument("--users", default="50,200", help="utilisateurs simultanés, étape par étape")
        parser.add_argument("--duration", type=int, default=60, help="durée de chaque étape, en secondes")
        parser.add_argument("--logins", type=int, default=120,
                            help="connexions par tranche de 2 minutes (réduites pour une étape plus courte)")
        parser.add_argument("--warmup", type=int, default=15, help="secondes d'échauffement non comptées (0 : aucun)")
        parser.add_argument("--arrival-users", type=int, default=4, help="utilisateurs locust qui se connectent")
        parser.add_argument("--workers", type=int, default=None, help="workers gunicorn (défaut : sa config)")
        parser.add_argument("--threads", type=int, default=None, help="threads par worker (gthread si > 1)")
        parser.add_argument("--port", type=int, default=0, help="port de gunicorn sur 127.0.0.1 (défaut : libre)")
        parser.add_argument("--json", dest="json_path", default="", help="écrit aussi les résultats dans ce fichier")
        parser.add_argument("--inside", action="store_true", help="(interne) étape connectée à la base du banc")

    def handle(self, *args, **options):
        users = _users_list(options["users"])
        if not 1 <= options["duration"] <= MAX_DURATION or not 0 <= options["warmup"] <= MAX_DURATION:
            raise CommandError(f"--duration, --warmup : entre 1 (0) et {MAX_DURATION} secondes.")
        if options["inside"]:
            return self._inside(users, options)
        from bench.load.runner import loopback_problem

        url = options["database_url"]
        problem = loopback_problem(url)
        if problem:
            raise CommandError(problem)
        from bench.load.runner import create_database

        try:
            create_database(url)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        return self._run_inside(url, options)

    # Outer process: the project's settings, whatever they are; only talks to PostgreSQL's maintenance base.
    def _run_inside(self, url: str, options: dict) -> None:
        from bench.load.school import random_secret_key

        port = options["port"] or _free_port()
        env = {key: value for key, value in os.environ.items()
               if key not in {"DEBUG", "REDIS_URL", "CELERY_BROKER_URL", "SITE_URL", "ALLOWED_HOSTS",
                              "CPRO_TEST_APPS", "EMAIL_URL"}}
        env.update({
            "DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": random_secret_key(), "LOCAL_HTTP_BENCHMARK": "1",
            "ALLOWED_HOSTS": "127.0.0.1", "SITE_URL": f"http://127.0.0.1:{port}", "LOG_LEVEL": "WARNING",
            "MEDIA_ROOT": str(Path(tempfile.gettempdir()) / "cpro_bench_media"), "EMAIL_URL": "dummymail://",
        })
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench_load", "--inside",
                   "--database-url", url, "--users", options["users"], "--duration", str(options["duration"]),
                   "--logins", str(options["logins"]), "--arrival-users", str(options["arrival_users"]),
                   "--port", str(port), "--warmup", str(options["warmup"])]
        for name in ("workers", "threads"):
            if options[name]:
                command += [f"--{name}", str(options[name])]
        if options["json_path"]:
            command += ["--json", str(Path(options["json_path"]).resolve())]
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)  # noqa: S603 - this same command
        try:
            code = process.wait()
        except KeyboardInterrupt:
            # Ctrl-C reached the inner process too: let it stop what it started, within a bound.
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            raise CommandError("banc de charge interrompu.") from None
        if code:
            raise CommandError(f"le banc de charge s'est arrêté en erreur (code {code}).")

    # Inner process: Django is connected to the benchmark database.
    def _inside(self, users: list[int], options: dict) -> None:
        from bench.load import runner
        from bench.load.school import BENCH_PASSWORD, build_school, open_sessions, ownership_problem

        problem = ownership_problem(connection)
        if problem:
            raise CommandError(problem)
        host = connection.settings_dict.get("HOST")
        if connection.vendor != "postgresql" or not runner.is_loopback(host):
            raise CommandError(f"le banc de charge ne s'exécute que sur le PostgreSQL local (127.0.0.1), "
                               f"pas sur {connection.vendor} « {host or ''} ».")
        # SIGTERM stops like Ctrl-C: the ``finally`` below stops gunicorn and locust.
        signal.signal(signal.SIGTERM, _interrupt)
        write = self.stdout.write
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        if not _static_up_to_date():
            write("Fichiers statiques (collectstatic)…")
            call_command("collectstatic", interactive=False, verbosity=0)
        school = build_school(log=write)
        school["accounts"] = open_sessions(school["accounts"])
        school["password"] = BENCH_PASSWORD
        hashing = _hash_cost()
        write(f"Établissement {school['uai']} prêt en {time.monotonic() - started:.0f} s ; argon2id "
              f"m={settings.ARGON2_MEMORY_KIB} Kio, t={settings.ARGON2_TIME_COST}, p={settings.ARGON2_PARALLELISM} :"
              f" un hachage {hashing['wall_ms']} ms, {hashing['cpu_ms']} ms de CPU.")

        port = options["port"]
        host_url = f"http://127.0.0.1:{port}"
        out_dir = Path(tempfile.mkdtemp(prefix="cpro_bench_load_"))
        accounts_path = out_dir / "accounts.json"
        accounts_path.write_text(json.dumps(school, ensure_ascii=False), encoding="utf-8")
        env = {**os.environ, "CPRO_BENCH_ACCOUNTS": str(accounts_path)}
        sampler = runner.CpuSampler(connection.settings_dict["NAME"]).start()
        gunicorn = None
        stages = []
        try:
            gunicorn = runner.start_gunicorn(env, port, out_dir / "gunicorn.log", workers=options["workers"],
                                             threads=options["threads"])
            sampler.gunicorn_pid = gunicorn.pid
            runner.wait_until_up(f"{host_url}/{school['uai']}/connexion/", gunicorn)
            shape = _gunicorn_shape(gunicorn.pid, options["threads"])
            write(f"gunicorn sur {host_url} : {shape}. Journaux et CSV de locust : {out_dir}")
            if options["warmup"]:
                # Every worker loads its templates and URL resolvers at its first requests: not measured.
                write(f"Échauffement ({options['warmup']} s, non compté)…")
                warmup = runner.Stage(users=10, duration=options["warmup"], logins=4, window=options["warmup"])
                runner.run_locust(warmup, host=host_url, env=env, out_dir=out_dir, arrival_users=1,
                                  sampler=sampler, name="echauffement")
            for count in users:
                logins, window = runner.logins_for(options["duration"], options["logins"])
                stage = runner.Stage(users=count, duration=options["duration"], logins=logins, window=window)
                write(f"Étape : {count} utilisateurs, {options['duration']} s…")
                runner.run_locust(stage, host=host_url, env=env, out_dir=out_dir,
                                  arrival_users=options["arrival_users"], sampler=sampler)
                stages.append(stage)
                write(runner.format_stage(stage))
        except KeyboardInterrupt:
            raise CommandError("interrompu : gunicorn et locust sont arrêtés.") from None
        finally:
            runner.stop_process(gunicorn)
            sampler.stop()
        result = {"gunicorn": shape, "argon2": {"memory_kib": settings.ARGON2_MEMORY_KIB,
                                                "time_cost": settings.ARGON2_TIME_COST,
                                                "parallelism": settings.ARGON2_PARALLELISM, **hashing},
                  "stages": [{"users": s.users, "duration": s.duration, "logins": s.logins, "window": s.window,
                              "wall": s.wall, "cpu_seconds": s.cpu, "total": s.total, "pages": s.rows,
                              "targets": [{"target": t, "ok": ok} for t, ok in runner.verdicts(s)]}
                             for s in stages]}
        (out_dir / "results.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        if options["json_path"]:
            Path(options["json_path"]).write_text(json.dumps(result, indent=2, ensure_ascii=False),
                                                  encoding="utf-8")
        write(f"\nRésultats : {out_dir / 'results.json'}")


def _static_up_to_date() -> bool:
    """The collected files' manifest is newer than every static source file (collectstatic takes minutes)."""
    from django.contrib.staticfiles.finders import get_finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    collected = manifest.stat().st_mtime
    for finder in get_finders():
        for path, storage in finder.list([]):
            if os.path.getmtime(storage.path(path)) > collected:
                return False
    return True


def _free_port() -> int:
    from bench.load.runner import free_port

    return free_port()


def _hash_cost() -> dict:
    """One password hash with the current settings: wall time and CPU time of this process (all its threads)."""
    from django.contrib.auth.hashers import make_password

    make_password("échauffement")
    wall, cpu = time.perf_counter(), time.process_time()
    make_password("banc de charge")
    return {"wall_ms": round((time.perf_counter() - wall) * 1000), "cpu_ms": round((time.process_time() - cpu) * 1000)}


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _gunicorn_shape(pid: int, threads: int | None) -> str:
    import psutil

    time.sleep(2)  # the workers boot after the first one answers
    try:
        workers = psutil.Process(pid).children()
    except psutil.Error:
        workers = []
    threads = threads or int(os.environ.get("GUNICORN_THREADS", "1"))
    return f"{len(workers)} workers {'gthread' if threads > 1 else 'sync'}, {threads} thread(s) chacun"
