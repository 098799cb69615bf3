"""Issue 9 housekeeping and item 18: settings that operations rely on (logging once, SITE_URL, ignored files)."""

import subprocess
import sys

from .test_deploy import ROOT, _manage

LOG_SCRIPT = """
import logging
from django.conf import settings
from django.utils.log import configure_logging
configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
logging.getLogger("django.request").warning("ligne-django")
logging.getLogger("accounts.services").warning("ligne-appli")
"""


def test_every_log_line_is_printed_once():
    env = {"DJANGO_SETTINGS_MODULE": "cpro.settings", "DEBUG": "1", "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", LOG_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("ligne-django") == 1, result.stderr
    assert result.stderr.count("ligne-appli") == 1, result.stderr


def test_production_refuses_to_start_without_site_url(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", "SECRET_KEY": "k" * 50,
           "ALLOWED_HOSTS": "cpro.example.fr"}
    result = _manage("check", env=env)
    assert result.returncode != 0 and "SITE_URL est obligatoire" in result.stderr
    assert _manage("check", env={**env, "SITE_URL": "https://cpro.example.fr"}).returncode == 0


def test_build_artefacts_are_ignored():
    result = subprocess.run(["git", "check-ignore", "-q", "cpro.egg-info/PKG-INFO"], cwd=ROOT)
    assert result.returncode == 0
