"""The production shape: `check --deploy` is clean, and the embedded default needs no environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, env):
    unset = {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True,
                          text=True, timeout=120)


def test_production_settings_pass_check_deploy_without_warning(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env={
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "SECRET_KEY": "k7#Qp2!vX9@mZ4$wR8^tY1&uI6*oP3(aS5)dF0_gH-jK+lL=zX",
        "ALLOWED_HOSTS": "cpro.example.fr", "SITE_URL": "https://cpro.example.fr",
    })
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = _manage("check", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}"})
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


def test_demo_json_lists_two_establishments_with_every_profile(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "SECRET_KEY": "x" * 50, "DEBUG": "1"}
    assert _manage("migrate", "--noinput", env=env).returncode == 0
    import json

    first = _manage("demo", "--json", env=env)
    second = _manage("demo", "--json", env=env)  # idempotent
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    data = json.loads(second.stdout)
    assert json.loads(first.stdout) == data
    assert len(data["establishments"]) == 2
    for est in data["establishments"]:
        assert {u["profile"] for u in est["users"]} == {
            "administrateur", "chef", "ddfpt", "enseignant", "apprenant", "responsable", "tuteur", "inspecteur"}
        assert all(u["login"] and u["password"] for u in est["users"])


def test_create_establishment_command_validates_the_uai(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'ops.sqlite3'}", "SECRET_KEY": "x" * 50, "DEBUG": "1"}
    _manage("migrate", "--noinput", env=env)
    bad = _manage("create_establishment", "0750654A", "--name", "Lycée", env=env)
    assert bad.returncode != 0 and "lettre de contrôle devrait être D" in bad.stderr
    good = _manage("create_establishment", "0750654D", "--name", "Lycée Jean Jaurès", "--email", "ce@ac.fr",
                   "--print-password", env=env)
    assert good.returncode == 0 and "/0750654D/" in good.stdout and "Mot de passe temporaire" in good.stdout
