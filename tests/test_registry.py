"""The registry of learner data cannot be forgotten: a model linked to users declares itself or says why not."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps, override_settings

from accounts import learner_data as registry
from establishments.scoping import EstablishmentOwned

ROOT = Path(__file__).resolve().parent.parent


def project_models():
    """Every model defined in this repository (the test app included), not in third-party packages."""
    return [
        model for model in apps.get_models(include_auto_created=True)  # the many-to-many tables too
        if Path(apps.get_app_config(model._meta.app_label).path).is_relative_to(ROOT)
        and ".venv" not in Path(apps.get_app_config(model._meta.app_label).path).parts
    ]


def test_every_model_linked_to_users_is_declared_or_excluded():
    undeclared = registry.undeclared_user_links(project_models())
    assert undeclared == {}, (
        "Modèles liés aux utilisateurs ni déclarés (@learner_data) ni exclus (@not_learner_data / "
        f"accounts.learner_data.NOT_LEARNER_DATA) : {undeclared}"
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


@isolate_apps("tests.testapp")
def test_a_model_reaching_the_learner_through_a_parent_is_caught():
    """An evaluation's cells: no user column, but each row belongs to the learner of its evaluation."""
    from tests.testapp.models import Achievement

    class Evaluation(EstablishmentOwned):
        learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "testapp"

    class EvaluationCell(EstablishmentOwned):
        evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "testapp"

    class CellNote(EstablishmentOwned):  # two levels down
        cell = models.OneToOneField(EvaluationCell, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "testapp"

    class Reaction(EstablishmentOwned):  # the child of an already declared model
        achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "testapp"

    assert registry.undeclared_user_links([Evaluation, EvaluationCell, CellNote, Reaction]) == {
        "testapp.Evaluation": ["learner"], "testapp.EvaluationCell": ["evaluation"], "testapp.CellNote": ["cell"],
        "testapp.Reaction": ["achievement"],
    }
    registry.not_learner_data("exemple")(Evaluation)
    try:  # excluding the parent does not excuse its children: they say so themselves
        assert set(registry.undeclared_user_links([Evaluation, EvaluationCell, CellNote])) == {
            "testapp.EvaluationCell", "testapp.CellNote"}
    finally:
        del registry.NOT_LEARNER_DATA["testapp.Evaluation"]


@isolate_apps("tests.testapp")
def test_an_auto_created_many_to_many_table_with_a_user_column_is_caught():
    """Like ``User.teaching_groups``: the field is on the user model, the table holds the learner's rows."""
    from django.contrib.auth.base_user import AbstractBaseUser

    class Club(EstablishmentOwned):
        class Meta:
            app_label = "testapp"

    class Member(AbstractBaseUser):  # stands in for the user model
        clubs = models.ManyToManyField(Club, related_name="+")
        USERNAME_FIELD = "id"

        class Meta:
            app_label = "testapp"

    through = Member.clubs.through
    with override_settings(AUTH_USER_MODEL="testapp.Member"):
        assert registry.undeclared_user_links([Club, Member, through]) == {"testapp.Member_clubs": ["member"]}

    assert "accounts.User_teaching_groups" in {m._meta.label for m in project_models()}


@isolate_apps("tests.testapp")
def test_the_many_to_many_table_of_a_decided_model_follows_its_decision():
    from tests.testapp.models import Lesson

    class Follows(EstablishmentOwned):
        learners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")

        class Meta:
            app_label = "testapp"

    through = Follows.learners.through
    assert set(registry.undeclared_user_links([Follows, through])) == {"testapp.Follows", "testapp.Follows_learners"}
    registry.not_learner_data("exemple")(Follows)
    try:
        assert registry.undeclared_user_links([Follows, through, Lesson]) == {}
    finally:
        del registry.NOT_LEARNER_DATA["testapp.Follows"]


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
