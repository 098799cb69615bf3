"""The task base for establishment work: resolved by id, run in the establishment's scope, sent after commit."""

import pytest
from django.db import transaction

from accounts.models import User
from establishments.tasks import establishment_task, send_after_commit

seen = []


@establishment_task
def record_users(establishment, label: str) -> int:
    """A task of the base: counts the establishment's users through the scoped manager."""
    count = User.objects.count()  # a ScopeError outside the establishment's scope
    seen.append((establishment.uai, label, count))
    return count


@pytest.fixture(autouse=True)
def _clear():
    seen.clear()


@pytest.mark.django_db
def test_the_task_runs_in_the_scope_of_the_establishment_given_by_id(establishment, other_establishment, make_user):
    make_user(establishment)
    make_user(other_establishment, login="autre.prof")
    make_user(other_establishment, login="autre.prof2")

    assert record_users.apply(args=(other_establishment.pk, "ici")).get() == 2
    assert seen == [("0999999F", "ici", 2)]


@pytest.mark.django_db
def test_a_task_is_sent_only_when_the_transaction_commits(establishment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            send_after_commit(record_users, establishment, "après")
            assert seen == []
        assert seen == []  # still inside the test's transaction: nothing sent
    assert len(callbacks) == 1
    callbacks[0]()
    assert seen == [("0750654D", "après", 0)]


@pytest.mark.django_db
def test_a_rolled_back_transaction_sends_nothing(establishment, django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        send_after_commit(record_users, establishment, "annulé")
        raise RuntimeError
    assert callbacks == [] and seen == []


@pytest.mark.django_db
def test_an_inactive_establishment_gets_nothing_done(establishment):
    establishment.is_active = False
    establishment.save(update_fields=["is_active"])

    assert record_users.apply(args=(establishment.pk, "inactif")).get() is None
    assert seen == []
