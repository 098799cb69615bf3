"""The load benchmark's tooling (``manage.py bench_load``, ``bench/load/``): fast checks, no load run."""

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.core.management import CommandError, call_command

from accounts.models import Profile
from bench.load import runner
from bench.load.school import BENCH_UAI, ownership_problem
from establishments.models import Establishment

ROOT = Path(__file__).resolve().parent.parent
CONFIGURABLE = ["accounts.hashers.ConfigurableArgon2PasswordHasher"]


def test_locustfile_imports_and_has_a_user_for_every_profile():
    # locust patches the standard library (gevent) when imported: done in a separate interpreter.
    script = (
        "import json; from bench.load import locustfile as f\n"
        "users = {p: {'abstract': c.abstract, 'tasks': len(c.tasks)} for p, c in f.PROFILE_USERS.items()}\n"
        "print(json.dumps({'users': users, 'arrival_tasks': len(f.Arrival.tasks)}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(found["users"]) == set(Profile.values)
    assert all(not user["abstract"] and user["tasks"] >= 1 for user in found["users"].values()), found
    assert found["arrival_tasks"] == 1  # the logins of the busiest hour


@pytest.mark.parametrize("url", [
    "postgres://postgres@10.0.0.7:5432/cpro_bench",
    "postgres://cpro:cpro@db:5432/cpro",
    "postgres://postgres@cpro.example.fr/cpro_bench",
    "postgres://postgres@/cpro_bench",
    "sqlite:////tmp/bench.sqlite3",
])
def test_command_refuses_a_database_off_the_loopback(url, monkeypatch):
    def must_not_connect(*args, **kwargs):
        raise AssertionError("no database may be reached before the host is checked")

    monkeypatch.setattr(runner, "create_database", must_not_connect)
    with pytest.raises(CommandError) as refused:
        call_command("bench_load", "--database-url", url)
    assert "PostgreSQL" in str(refused.value)


def test_loopback_addresses_are_accepted():
    for url in ("postgres://postgres@127.0.0.1:5432/cpro_bench", "postgres://postgres@localhost/cpro_bench",
                "postgresql://postgres@[::1]:5432/cpro_bench"):
        assert runner.loopback_problem(url) is None, url


@pytest.mark.django_db
def test_command_refuses_a_database_holding_establishments_it_did_not_create():
    Establishment.objects.create(uai="0750654D", name="Lycée Jean Jaurès")
    with pytest.raises(CommandError, match="n'a pas créé"):
        call_command("bench_load", "--inside", "--port", "1")
    assert list(Establishment.objects.values_list("uai", flat=True)) == ["0750654D"]  # nothing written


@pytest.mark.django_db
def test_the_benchmark_own_establishment_is_accepted():
    from django.db import connection

    Establishment.objects.create(uai=BENCH_UAI, name="Banc")
    assert ownership_problem(connection) is None
    Establishment.objects.create(uai="0999999F", name="Démo")
    assert "0999999F" in ownership_problem(connection)


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _postgres_reachable(), reason="PostgreSQL local absent")
def test_full_command_leaves_a_foreign_postgresql_database_untouched():
    """End to end through both processes: the database holds another establishment, nothing is migrated."""
    import psycopg2

    name = f"h9_bench_refusal_{uuid.uuid4().hex[:8]}"
    server = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        target = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=name)
        with target, target.cursor() as cursor:
            cursor.execute("CREATE TABLE establishments_establishment (id serial PRIMARY KEY, uai varchar(8))")
            cursor.execute("INSERT INTO establishments_establishment (uai) VALUES ('0750654D')")
        with pytest.raises(CommandError):
            call_command("bench_load", "--database-url", f"postgres://postgres@127.0.0.1:5432/{name}",
                         "--users", "1", "--duration", "1")
        with target, target.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            assert [row[0] for row in cursor.fetchall()] == ["establishments_establishment"]
        target.close()
    finally:
        with server.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.close()


def test_logins_are_spread_over_the_first_two_minutes_scaled_to_a_shorter_stage():
    assert runner.logins_for(300) == (120, 120.0)
    assert runner.logins_for(120) == (120, 120.0)
    assert runner.logins_for(60) == (60, 60.0)


def test_argon2_cost_comes_from_the_settings(settings):
    settings.PASSWORD_HASHERS = CONFIGURABLE
    settings.ARGON2_MEMORY_KIB, settings.ARGON2_TIME_COST, settings.ARGON2_PARALLELISM = 19456, 1, 1
    encoded = make_password("un mot de passe solide")
    assert encoded.startswith("argon2$argon2id$") and "m=19456,t=1,p=1" in encoded
    assert check_password("un mot de passe solide", encoded)
    # A hash made with Django's former parameters is still accepted, and marked for re-hashing at login.
    settings.ARGON2_MEMORY_KIB, settings.ARGON2_PARALLELISM = 20480, 2
    older = make_password("un mot de passe solide")
    settings.ARGON2_MEMORY_KIB, settings.ARGON2_PARALLELISM = 19456, 1
    assert check_password("un mot de passe solide", older)
    assert identify_hasher(older).must_update(older)
    assert not identify_hasher(encoded).must_update(encoded)


def _check_deploy(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
                "SECRET_KEY": "k7#Qp2!vX9@mZ4$wR8^tY1&uI6*oP3(aS5)dF0_gH-jK+lL=zX",
                "ALLOWED_HOSTS": "cpro.example.fr", "SITE_URL": "https://cpro.example.fr", **extra})
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_local_http_benchmark_setting_makes_check_deploy_warn(tmp_path):
    result = _check_deploy(tmp_path, LOCAL_HTTP_BENCHMARK="1")
    output = result.stdout + result.stderr
    assert "cpro.W001" in output and "LOCAL_HTTP_BENCHMARK" in output
    # And it really is plain HTTP: no redirect, cookies without the Secure flag.
    script = ("import django; django.setup(); from django.conf import settings as s; "
              "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)")
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG"}}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", "SECRET_KEY": "x" * 50,
                "SITE_URL": "http://127.0.0.1:8000", "LOCAL_HTTP_BENCHMARK": "1",
                "DJANGO_SETTINGS_MODULE": "cpro.settings", "PYTHONPATH": str(ROOT)})
    shown = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120)
    assert shown.stdout.split() == ["False", "False", "False", "0"], shown.stderr


@pytest.mark.parametrize("cost", [{"ARGON2_MEMORY_KIB": "4096", "ARGON2_TIME_COST": "10"},
                                  {"ARGON2_MEMORY_KIB": "19456", "ARGON2_TIME_COST": "1"}])
def test_a_weak_argon2_cost_makes_check_deploy_warn(tmp_path, cost):
    result = _check_deploy(tmp_path, **cost)
    assert "cpro.W002" in result.stdout + result.stderr


def test_the_browsing_p95_pools_every_page_by_its_requests():
    def page(requests, ms):
        return {"requests": requests, "percentiles": dict.fromkeys(runner.PERCENTILE_POINTS, ms)}

    # 95 fast requests and 5 slow ones: the 95th percentile is still fast, the 96th is slow.
    assert runner.pooled_percentile([page(95, 10), page(5, 1000)]) == 10
    assert runner.pooled_percentile([page(95, 10), page(5, 1000)], 96) == 1000
    # One slow page of many requests drags the pooled p95 up.
    assert runner.pooled_percentile([page(50, 10), page(50, 400)]) == 400
    assert runner.pooled_percentile([]) == 0
