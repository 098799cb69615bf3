"""Layers between apps (issue 8): import-linter keeps them, a wrong import fails, and a new app plugs its menu
entry, home card, Paramètres tab and audit labels in without editing another app (tests/testapp/extension.py)."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from accounts.models import Profile
from establishments import audit, extensions

from .fixtures_users import admin_client_fixture, admin_fixture, media_root_fixture, text  # noqa: F401

ROOT = Path(settings.BASE_DIR)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=False)


def _layer_names() -> set[str]:
    names = set()
    for contract in CONFIG["contracts"]:
        for layer in contract.get("layers", []):
            names |= {name.strip().strip("()") for name in layer.replace(":", "|").split("|")}
    return names


def test_every_app_of_the_project_is_in_the_layers():
    local = {config.name.split(".")[0] for config in apps.get_app_configs()
             if (ROOT / config.name.split(".")[0]).is_dir() and config.name != "tests.testapp"}
    assert local - set(CONFIG["root_packages"]) == set(), "a new app must join root_packages in pyproject.toml"
    assert local - _layer_names() == set(), "a new app must join a layer in pyproject.toml"


def test_the_project_keeps_its_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_import_from_a_higher_layer_fails_even_inside_a_function(tmp_path):
    for package in CONFIG["root_packages"]:
        if (ROOT / package).is_dir():
            shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert lint_imports(tmp_path).returncode == 0  # the copy is as good as the project

    (tmp_path / "establishments" / "wrong.py").write_text(
        "def labels():\n    from pedagogy.models import ScenarioField\n\n    return ScenarioField.labels\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "establishments.wrong -> pedagogy.models" in result.stdout


# A new app's contributions -------------------------------------------------------------------------------------


def test_a_new_app_s_menu_entry_card_and_tab_show_for_the_profiles_it_chose(admin_client, establishment,
                                                                            make_user, login_as):
    extension_url = "/0750654D/essai-extension/"
    home = text(admin_client.get("/0750654D/"))
    assert f'<a href="{extension_url}">Carnet d\'essai</a>' in home  # the home card
    assert home.count(f'href="{extension_url}"') == 2  # and the menu entry
    page = admin_client.get(extension_url)
    assert page.status_code == 200
    assert "Onglet d'essai" in text(page) and "Masque de saisie" in text(page)  # its tab among the others
    assert "Onglet d'essai" in text(admin_client.get("/0750654D/parametres/"))

    teacher = login_as(make_user(establishment, Profile.TEACHER))
    assert extension_url not in text(teacher.get("/0750654D/"))
    assert teacher.get(extension_url).status_code == 403


def test_a_new_app_s_audit_label_is_shown_in_the_journal(admin_client, establishment, admin):
    audit.record(establishment, admin, "testapp.essai", "Essai")
    page = text(admin_client.get("/0750654D/journal/"))
    assert "Action de l'application d'essai" in page


def test_registering_the_same_key_twice_with_another_entry_is_refused():
    registry = extensions.LinkRegistry("essai")
    registry.register(extensions.Link("a", "A", "home"))
    registry.register(extensions.Link("a", "A", "home"))  # the same entry again (a module imported twice): fine
    with pytest.raises(ValueError, match="déjà enregistré"):
        registry.register(extensions.Link("a", "Autre", "home"))
    labels = extensions.LabelRegistry()
    labels.register({"x.y": "Libellé"})
    with pytest.raises(ValueError):
        labels.register({"x.y": "Autre libellé"})
