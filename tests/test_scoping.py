"""Tenant scoping cannot be forgotten: these tests fail when a model or a module escapes it."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django_scopes import ScopeError

from establishments.models import Establishment
from establishments.scoping import (
    GLOBAL_MODELS,
    SCOPES_DISABLED_ALLOWED,
    UNSCOPED_SQL_ALLOWED,
    EstablishmentOwned,
    scope,
)

ROOT = Path(__file__).resolve().parent.parent
PROJECT_APPS = {p.parent.name for p in ROOT.glob("*/apps.py")}


def project_models():
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def test_every_project_model_is_global_or_establishment_owned():
    offenders = [
        m._meta.label for m in project_models()
        if m._meta.label not in GLOBAL_MODELS and not issubclass(m, EstablishmentOwned)
    ]
    assert offenders == [], f"Modèles ni globaux ni rattachés à un établissement : {offenders}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", [m for m in project_models() if issubclass(m, EstablishmentOwned)],
                         ids=lambda m: m._meta.label)
def test_establishment_data_cannot_be_queried_outside_a_scope(model):
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()
    establishment = Establishment.objects.create(uai="0750654D", name="A")
    with scope(establishment=establishment):
        list(model.objects.all())


@pytest.mark.django_db
def test_scope_only_shows_its_own_establishment(establishment, other_establishment, make_user):
    from accounts.models import User

    mine = make_user(establishment, login="a")
    make_user(other_establishment, login="b")
    with scope(establishment=establishment):
        assert list(User.objects.all()) == [mine]


def _modules_matching(pattern: re.Pattern) -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/", "bench/")) or "/migrations/" in rel:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            found.add(rel)
    return found


def test_scoped_manager_is_bypassed_only_in_allow_listed_modules():
    bypass = re.compile(r"\b_base_manager\b|\.cursor\(\)|\.raw\(")
    offenders = sorted(_modules_matching(bypass) - UNSCOPED_SQL_ALLOWED)
    assert offenders == [], f"Accès aux données sans le gestionnaire restreint, hors liste autorisée : {offenders}"


def test_scoping_is_disabled_only_in_allow_listed_modules():
    offenders = sorted(_modules_matching(re.compile(r"\bscopes_disabled\b")) - SCOPES_DISABLED_ALLOWED)
    assert offenders == [], f"scopes_disabled() hors de la liste autorisée : {offenders}"
