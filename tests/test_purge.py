"""RGPD purge: 12 months after deactivation a user is deleted with all their data and files, never before,
and never once reactivated."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction

from accounts.models import Profile, User
from establishments.scoping import scopes_disabled
from tests.testapp.factories import give_data, make_establishment, make_learner
from tests.testapp.models import Achievement, AchievementComment, Assessment, Lesson
from transfers import purge
from transfers.purge import purge_expired_users

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 3, 10, 4, 45, tzinfo=PARIS)
TWELVE_MONTHS_AGO = datetime.datetime(2025, 3, 10, 4, 45, tzinfo=PARIS)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def school(db):
    return make_establishment("0750654D")


def exists(user) -> bool:
    with scopes_disabled():
        return User.objects.filter(pk=user.pk).exists()


def rows_of(user) -> int:
    with scopes_disabled():
        return (Achievement.objects.filter(learner=user).count()
                + AchievementComment.objects.filter(achievement__learner=user).count()
                + Assessment.objects.filter(learner=user).count())


@pytest.mark.django_db
def test_a_user_deactivated_more_than_12_months_ago_is_deleted_with_data_and_files(
        now, school, media, django_capture_on_commit_callbacks):
    learner = make_learner(school, "parti", ine="1", active=False, deactivated_at=TWELVE_MONTHS_AGO - DAY)
    give_data(learner, with_file=True)
    with scopes_disabled():
        stored = Achievement.objects.get(learner=learner, title="Éclairage").attachment.path
    kept = make_learner(school, "present", ine="2")
    give_data(kept)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = purge_expired_users(now=now)

    assert not exists(learner)
    assert rows_of(learner) == 0
    assert exists(kept) and rows_of(kept) == 4
    assert result.users == 1 and result.by_establishment == {"0750654D": 1}
    assert result.rows == {"testapp.Achievement": 2, "testapp.AchievementComment": 1, "testapp.Assessment": 1}
    assert len(callbacks) == 1 and result.files == 1
    assert not (media / stored).exists()


@pytest.mark.django_db
def test_files_stay_when_the_purge_rolls_back(now, school, media, monkeypatch):
    learner = make_learner(school, "parti", ine="1", active=False, deactivated_at=TWELVE_MONTHS_AGO - DAY)
    give_data(learner, with_file=True)
    with scopes_disabled():
        stored = Achievement.objects.get(learner=learner, title="Éclairage").attachment.path

    original = purge._delete_where

    def crash_on_users(model, *args, **kwargs):  # the learner data are deleted, then deleting the user fails
        if model is User:
            raise RuntimeError("panne")
        return original(model, *args, **kwargs)

    monkeypatch.setattr(purge, "_delete_where", crash_on_users)
    with pytest.raises(RuntimeError):
        purge_expired_users(now=now)

    assert exists(learner) and rows_of(learner) == 4
    assert (media / stored).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("deactivated_at,purged", [
    (TWELVE_MONTHS_AGO + DAY, False),
    (TWELVE_MONTHS_AGO, False),
    (TWELVE_MONTHS_AGO - datetime.timedelta(minutes=1), True),
    (TWELVE_MONTHS_AGO - DAY, True),
], ids=["a-day-before-12-months", "exactly-12-months", "12-months-and-a-minute", "12-months-and-a-day"])
def test_twelve_month_boundary(now, school, deactivated_at, purged):
    learner = make_learner(school, "parti", ine="1", active=False, deactivated_at=deactivated_at)
    give_data(learner)

    purge_expired_users(now=now)

    assert exists(learner) is not purged
    assert rows_of(learner) == (0 if purged else 4)


@pytest.mark.django_db
def test_a_user_reactivated_by_an_import_keeps_everything(now, school):
    learner = make_learner(school, "revenu", ine="1", active=False, deactivated_at=TWELVE_MONTHS_AGO - 30 * DAY)
    give_data(learner)
    learner.reactivate()
    learner.save()

    assert purge_expired_users(now=now).users == 0
    assert exists(learner) and rows_of(learner) == 4


@pytest.mark.django_db
def test_a_reactivation_between_selection_and_deletion_wins(now, school, monkeypatch):
    learner = make_learner(school, "revenu", ine="1", active=False, deactivated_at=TWELVE_MONTHS_AGO - DAY)
    give_data(learner)
    original = purge._purge_batch

    def reactivated_meanwhile(ids, cutoff):
        with scopes_disabled():
            User.objects.filter(pk=learner.pk).update(is_active=True, deactivated_at=None)
        return original(ids, cutoff)

    monkeypatch.setattr(purge, "_purge_batch", reactivated_meanwhile)

    assert purge_expired_users(now=now).users == 0
    assert exists(learner) and rows_of(learner) == 4


@pytest.mark.django_db(transaction=True)
def test_a_purge_waiting_for_a_reactivation_lock_does_not_delete_the_user(now, school):
    """Real concurrency: an import holds the user's row (reactivating, not yet committed) while the purge runs."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises whole transactions")
    learner = make_learner(school, "revenu", ine="1", active=False, deactivated_at=TWELVE_MONTHS_AGO - DAY)
    give_data(learner)
    locked, release = threading.Event(), threading.Event()

    def import_reactivating():
        try:
            with transaction.atomic(), scopes_disabled():
                user = User.objects.select_for_update().get(pk=learner.pk)
                user.reactivate()
                user.save()
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    importer = threading.Thread(target=import_reactivating)
    importer.start()
    assert locked.wait(timeout=30)
    result = {}
    purger = threading.Thread(target=lambda: result.update(users=purge_expired_users(now=now).users)
                              or connections.close_all())
    purger.start()
    with connection.cursor() as cursor:  # wait until the purge is blocked on the importer's row lock
        for _ in range(300):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database()")
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.1)
        else:
            pytest.fail("la purge n'a jamais attendu le verrou")
    release.set()
    importer.join(timeout=30)
    purger.join(timeout=30)

    assert result == {"users": 0}
    assert exists(learner) and rows_of(learner) == 4


@pytest.mark.django_db
def test_the_purge_goes_through_batches_and_every_profile(now, school, make_user):
    old = TWELVE_MONTHS_AGO - 60 * DAY
    learners = [make_learner(school, f"parti.{n}", ine=f"{n:011d}", active=False, deactivated_at=old)
                for n in range(7)]
    for learner in learners:
        give_data(learner)
    teacher = make_user(school, Profile.TEACHER, login="prof.partie", is_active=False, deactivated_at=old)
    other = make_establishment("0999999F")
    make_learner(other, "parti.ailleurs", ine="x", active=False, deactivated_at=old)

    result = purge_expired_users(now=now, batch_size=3)

    assert result.users == 9
    assert result.by_establishment == {"0750654D": 8, "0999999F": 1}
    assert not exists(teacher)
    with scopes_disabled():
        assert not Achievement.objects.exists()


@pytest.mark.django_db
def test_a_user_whose_data_another_module_protects_is_kept_and_reported(now, school, make_user):
    old = TWELVE_MONTHS_AGO - 60 * DAY
    author = make_user(school, Profile.TEACHER, login="prof.auteur", is_active=False, deactivated_at=old)
    with scopes_disabled():
        Lesson.objects.create(establishment=school, author=author, title="Schémas électriques")
    learner = make_learner(school, "parti", ine="1", active=False, deactivated_at=old)

    result = purge_expired_users(now=now)

    assert result.failed == [author.pk]
    assert exists(author) and not exists(learner)
    assert result.users == 1


@pytest.mark.django_db
def test_each_establishment_journal_counts_the_purged_accounts_without_names(now, school, media, make_user,
                                                                            login_as):
    from establishments.models import AuditEntry

    for login in ("parti1", "parti2"):
        make_learner(school, login, ine=login, active=False, deactivated_at=TWELVE_MONTHS_AGO - DAY)
    other = make_establishment("0999999F")
    make_learner(other, "ailleurs", ine="x", active=False, deactivated_at=TWELVE_MONTHS_AGO - DAY)

    purge_expired_users()

    with scopes_disabled():
        entries = {e.establishment_id: e for e in AuditEntry.objects.filter(action="rgpd.purge")}
    assert entries[school.pk].details == {"comptes": 2} and entries[other.pk].details == {"comptes": 1}
    admin = make_user(school, Profile.ADMIN, login="claire.martin")
    page = login_as(admin).get("/0750654D/journal/").content.decode()
    assert "Suppression RGPD des comptes désactivés depuis plus de 12 mois" in page
    assert "2 compte(s)" in page and "parti1" not in page
