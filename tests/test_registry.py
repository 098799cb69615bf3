"""The registry of learner data cannot be forgotten: a model linked to users declares itself or says why not."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps

from establishments.scoping import EstablishmentOwned
from transfers import registry

ROOT = Path(__file__).resolve().parent.parent


def project_models():
    """Every model defined in this repository (the test app included), not in third-party packages."""
    return [
        model for model in apps.get_models()
        if Path(apps.get_app_config(model._meta.app_label).path).is_relative_to(ROOT)
        and ".venv" not in Path(apps.get_app_config(model._meta.app_label).path).parts
    ]


def test_every_model_linked_to_users_is_declared_or_excluded():
    undeclared = registry.undeclared_user_links(project_models())
    assert undeclared == {}, (
        "Modèles liés aux utilisateurs ni déclarés (@learner_data) ni exclus (@not_learner_data / "
        f"transfers.registry.NOT_LEARNER_DATA) : {undeclared}"
    )


@isolate_apps("tests.testapp")
def test_a_new_model_with_a_learner_link_is_caught():
    class Portfolio(EstablishmentOwned):
        learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "testapp"

    class Follows(EstablishmentOwned):
        learners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")

        class Meta:
            app_label = "testapp"

    assert registry.undeclared_user_links([Portfolio, Follows]) == {
        "testapp.Portfolio": ["learner"], "testapp.Follows": ["learners"],
    }


def test_the_test_models_are_declared_children_first():
    labels = [entry.label for entry in registry.entries()]
    assert {"testapp.Achievement", "testapp.AchievementComment", "testapp.Assessment"} <= set(labels)
    assert labels.index("testapp.AchievementComment") < labels.index("testapp.Achievement")
    assert registry.NOT_LEARNER_DATA["testapp.Lesson"]


@pytest.mark.parametrize("entry", registry.entries(), ids=lambda e: e.label)
def test_declared_data_belong_to_an_establishment_and_reach_a_user(entry):
    assert issubclass(entry.model, EstablishmentOwned), "les données déplacées changent d'établissement"
    model = entry.model
    for part in entry.learner.split("__"):
        model = model._meta.get_field(part).related_model
    assert model._meta.label == settings.AUTH_USER_MODEL


def test_a_model_cannot_be_both_declared_and_excluded():
    from tests.testapp.models import Achievement, Lesson

    with pytest.raises(ValueError, match="à la fois"):
        registry.not_learner_data("raison")(Achievement)
    with pytest.raises(ValueError, match="à la fois"):
        registry.learner_data()(Lesson)
    with pytest.raises(ValueError, match="pourquoi"):
        registry.not_learner_data("  ")
