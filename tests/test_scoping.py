"""Tenant scoping cannot be forgotten: these tests fail when a model or a module escapes it."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps
from django_scopes import ScopeError

from establishments.models import Establishment
from establishments.scoping import (
    GLOBAL_MODELS,
    M2M_TABLES,
    SCOPES_DISABLED_ALLOWED,
    UNSCOPED_SQL_ALLOWED,
    EstablishmentOwned,
    scope,
)
from tests.testapp import scoping_examples

ROOT = Path(__file__).resolve().parent.parent
PROJECT_APPS = {p.parent.name for p in ROOT.glob("*/apps.py")}


def project_models(include_auto_created=False):
    return [m for m in apps.get_models(include_auto_created=include_auto_created)
            if m._meta.app_label in PROJECT_APPS]


def _in_repository(model) -> bool:
    path = Path(apps.get_app_config(model._meta.app_label).path)
    return path.is_relative_to(ROOT) and ".venv" not in path.parts


def _contained(model) -> bool:
    """Establishment-owned, global, or outside the project (Django's permission models)."""
    return issubclass(model, EstablishmentOwned) or model._meta.label in GLOBAL_MODELS or not _in_repository(model)


def unscoped_models(models) -> list[str]:
    """Models neither global nor establishment-owned; an auto-created many-to-many table passes only when it is
    listed in ``M2M_TABLES`` and both its ends are contained."""
    offenders = []
    for model in models:
        label = model._meta.label
        if model._meta.auto_created:
            ends = [f.related_model for f in model._meta.concrete_fields if f.is_relation]
            if label not in M2M_TABLES or not all(_contained(end) for end in ends):
                offenders.append(label)
        elif label not in GLOBAL_MODELS and not issubclass(model, EstablishmentOwned):
            offenders.append(label)
    return offenders


def test_every_project_model_is_global_or_establishment_owned():
    offenders = unscoped_models(project_models(include_auto_created=True))
    assert offenders == [], (f"Modèles ni globaux ni rattachés à un établissement (tables plusieurs-à-plusieurs : "
                             f"M2M_TABLES) : {offenders}")
    assert {"accounts.User_teaching_groups", "establishments.TeachingGroup_divisions"} <= {
        m._meta.label for m in project_models(include_auto_created=True)}


@isolate_apps("tests.testapp")
def test_the_model_check_fails_on_a_bad_case():
    class Notebook(models.Model):  # noqa: DJ008 - forgot EstablishmentOwned
        class Meta:
            app_label = "testapp"

    class Skill(EstablishmentOwned):
        class Meta:
            app_label = "testapp"

    class Sheet(EstablishmentOwned):
        skills = models.ManyToManyField(Skill, related_name="+")  # an auto-created table nobody listed

        class Meta:
            app_label = "testapp"

    class Tag(EstablishmentOwned):
        notebooks = models.ManyToManyField(Notebook, related_name="+")

        class Meta:
            app_label = "testapp"

    assert unscoped_models([Notebook, Skill, Sheet, Sheet.skills.through]) == ["testapp.Notebook",
                                                                              "testapp.Sheet_skills"]
    M2M_TABLES["testapp.Sheet_skills"] = M2M_TABLES["testapp.Tag_notebooks"] = "exemple"
    try:
        assert unscoped_models([Sheet.skills.through, Tag.notebooks.through]) == ["testapp.Tag_notebooks"]
    finally:
        del M2M_TABLES["testapp.Sheet_skills"], M2M_TABLES["testapp.Tag_notebooks"]


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


# Every way around the scoped manager: the base or default manager, an auto-created many-to-many table reached
# directly (``.through``), raw SQL (a cursor, ``.raw()``, ``RawSQL``, ``.extra()``).
BYPASS = re.compile(r"\b_base_manager\b|\b_default_manager\b|\.through\b|\.cursor\(\)|\.raw\(|\bRawSQL\b|\.extra\(")
SCOPES_DISABLED = re.compile(r"\bscopes_disabled\b")


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
    offenders = sorted(_modules_matching(BYPASS) - UNSCOPED_SQL_ALLOWED)
    assert offenders == [], f"Accès aux données sans le gestionnaire restreint, hors liste autorisée : {offenders}"


def test_scoping_is_disabled_only_in_allow_listed_modules():
    offenders = sorted(_modules_matching(SCOPES_DISABLED) - SCOPES_DISABLED_ALLOWED)
    assert offenders == [], f"scopes_disabled() hors de la liste autorisée : {offenders}"


@pytest.mark.parametrize("name", sorted(scoping_examples.BYPASSES))
def test_the_bypass_check_fails_on_each_bad_case(name):
    assert BYPASS.search(scoping_examples.BYPASSES[name]), name


@pytest.mark.parametrize("source", scoping_examples.SCOPED)
def test_the_bypass_check_passes_scoped_code(source):
    assert not BYPASS.search(source) and not SCOPES_DISABLED.search(source)


def test_the_scopes_disabled_check_fails_on_a_bad_case():
    assert SCOPES_DISABLED.search(scoping_examples.SCOPES_DISABLED)
