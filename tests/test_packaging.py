"""What gets installed is pinned, and the compose file runs the production shape safely.

The locks must pin (with hashes) every dependency pyproject.toml declares: a dependency added without `make lock`
would be missing from `make run`, CI and the image. The compose file cannot run here; it is read as YAML.
"""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    pins = {}
    for block in re.split(r"\n(?=\S)", text):
        match = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", block)
        if match:
            assert "--hash=sha256:" in block, f"{lock}: {match[1]} est épinglé sans empreinte"
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


@pytest.mark.parametrize("lock,groups", [("requirements.lock", ["runtime"]),
                                         ("requirements-test.lock", ["runtime", "test"])])
def test_every_declared_dependency_is_locked_with_hashes(lock, groups):
    declared = set()
    for group in groups:
        requirements = PROJECT["dependencies"] if group == "runtime" else PROJECT["optional-dependencies"][group]
        declared |= {_name(r) for r in requirements}
    missing = sorted(declared - set(_pins(lock)))
    assert missing == [], f"{lock} ne contient pas {missing} : lancez « make lock »"


def test_runtime_and_test_locks_agree_on_shared_versions():
    runtime, test = _pins("requirements.lock"), _pins("requirements-test.lock")
    differ = {name: (version, test[name]) for name, version in runtime.items() if test.get(name, version) != version}
    assert differ == {}


def test_installs_use_the_locks():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements.lock" in makefile
    assert "--require-hashes -r requirements-test.lock" in makefile
    assert "pip install --quiet -e ." not in makefile  # never resolve afresh
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "pip install --no-deps -e ." in dockerfile


COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_images_are_pinned_to_a_minor_version():
    assert re.fullmatch(r"postgres:\d+\.\d+(-\S+)?", SERVICES["db"]["image"])
    assert re.fullmatch(r"redis:\d+\.\d+(\.\d+)?(-\S+)?", SERVICES["redis"]["image"])
    base = re.search(r"^FROM (\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)[1]
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\S+)?", base)


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_the_site_and_the_jobs_start_after_the_migrations(service):
    assert SERVICES[service]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert "migrate" not in SERVICES[service]["command"]


def test_migrations_run_once_before_everything():
    migrate = SERVICES["migrate"]
    assert migrate["command"] == "python manage.py migrate --noinput"
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"] == {"condition": "service_healthy"}


def test_media_is_a_volume_owned_by_the_runtime_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "chown cpro:cpro /data/media" in dockerfile
    assert re.search(r"^USER cpro$", dockerfile, re.MULTILINE)
    for service in ("web", "worker", "beat"):
        assert "media:/data/media" in SERVICES[service]["volumes"]


def test_nothing_local_is_copied_into_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".venv", "db.sqlite3", "media", ".git", ".env", "**/__pycache__"} <= ignored
