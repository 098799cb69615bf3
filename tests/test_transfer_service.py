"""Automatic INE transfer: what moves, when it may, what both establishments see, and that it happens once."""

import dataclasses
import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts import learner_data
from accounts.models import Profile, User
from establishments.scoping import scope, scopes_disabled
from tests.testapp.factories import (
    CIEL_2,
    MELEC_2,
    data_of,
    give_data,
    make_establishment,
    make_learner,
    make_mover,
)
from tests.testapp.models import Achievement, AchievementComment, Assessment
from transfers.models import Direction, TransferRecord
from transfers.services import (
    Cause,
    diploma_part,
    refusal_cause,
    run_transfers,
    transfer_batch,
    transfer_cutoff,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 3, 10, 4, 30, tzinfo=PARIS)
SIX_MONTHS_AGO = datetime.datetime(2025, 9, 10, 4, 30, tzinfo=PARIS)
MINUTE = datetime.timedelta(minutes=1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def school_a(db):
    return make_establishment("0750654D")


@pytest.fixture
def school_b(db):
    return make_establishment("0999999F")


def records(establishment):
    with scope(establishment=establishment):
        return list(TransferRecord.objects.order_by("pk").values("direction", "learner_name", "ine", "other_uai",
                                                                   "done", "cause"))


def test_the_next_run_moves_the_learners_data_and_both_schools_see_it(now, school_a, school_b):
    origin, destination = make_mover(school_a, school_b, now=now)
    give_data(origin)

    result = run_transfers(now=now)

    assert [o.learner_name for o in result.transferred] == ["MARTIN Lea"]
    assert data_of(origin) == {"achievements": [], "comments": [], "assessments": []}
    assert data_of(destination) == {"achievements": [school_b.pk] * 2, "comments": [school_b.pk],
                                    "assessments": [school_b.pk]}
    with scope(establishment=school_b):
        assert Achievement.objects.filter(learner=destination).count() == 2
    with scope(establishment=school_a):
        assert not Achievement.objects.exists()
    assert records(school_a) == [{"direction": Direction.OUTGOING, "learner_name": "MARTIN Lea",
                                  "ine": "070803070AA", "other_uai": "0999999F", "done": True, "cause": ""}]
    assert records(school_b) == [{"direction": Direction.INCOMING, "learner_name": "MARTIN Lea",
                                  "ine": "070803070AA", "other_uai": "0750654D", "done": True, "cause": ""}]
    with scopes_disabled():
        assert TransferRecord.objects.get(establishment=school_a).attempted_at == now


def test_a_custom_move_drops_what_belongs_to_the_old_school(now, school_a, school_b, make_user):
    teacher = make_user(school_a, Profile.TEACHER, login="prof")
    origin, destination = make_mover(school_a, school_b, now=now)
    give_data(origin, teacher)

    run_transfers(now=now)

    with scope(establishment=school_b):
        assessment = Assessment.objects.get(learner=destination)
    assert assessment.teacher is None
    assert assessment.teacher_name == "DURAND Julien"


def test_a_transfer_is_done_once_however_often_the_job_runs(now, school_a, school_b):
    origin, destination = make_mover(school_a, school_b, now=now)
    give_data(origin)

    run_transfers(now=now)
    second = run_transfers(now=now + datetime.timedelta(days=1))

    assert second.transferred == [] and second.refused == []
    assert data_of(destination)["achievements"] == [school_b.pk] * 2
    assert len(records(school_a)) == 1 and len(records(school_b)) == 1


def test_the_database_refuses_a_second_done_transfer(now, school_a, school_b):
    origin, _ = make_mover(school_a, school_b, now=now)
    run_transfers(now=now)
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        TransferRecord.objects.create(establishment=school_a, direction=Direction.OUTGOING, learner=origin,
                                      learner_name="x", ine=origin.ine, other_uai="0999999F", done=True)


def test_a_failure_leaves_both_schools_as_they_were_and_the_next_run_completes(now, school_a, school_b,
                                                                             monkeypatch):
    origin, destination = make_mover(school_a, school_b, now=now)
    give_data(origin)
    before = (data_of(origin), data_of(destination))
    entry = learner_data._REGISTRY["testapp.Assessment"]

    def broken(queryset, moves):
        raise RuntimeError("disque plein")

    monkeypatch.setitem(learner_data._REGISTRY, "testapp.Assessment", dataclasses.replace(entry, move=broken))

    result = run_transfers(now=now)

    assert (data_of(origin), data_of(destination)) == before  # the achievements moved first, then rolled back
    assert [o.cause for o in result.refused] == [Cause.TECHNICAL_ERROR]
    assert [(r["done"], r["cause"]) for r in records(school_a) + records(school_b)] == [
        (False, Cause.TECHNICAL_ERROR), (False, Cause.TECHNICAL_ERROR)]

    monkeypatch.setitem(learner_data._REGISTRY, "testapp.Assessment", entry)
    result = run_transfers(now=now + datetime.timedelta(days=1))

    assert len(result.transferred) == 1
    assert data_of(destination)["assessments"] == [school_b.pk]
    assert [r["done"] for r in records(school_b)] == [False, True]


@pytest.mark.parametrize("left_at,expected", [
    (SIX_MONTHS_AGO + MINUTE, None),
    (SIX_MONTHS_AGO, Cause.ORIGIN_TOO_OLD),
    (SIX_MONTHS_AGO - datetime.timedelta(days=1), Cause.ORIGIN_TOO_OLD),
    (SIX_MONTHS_AGO + datetime.timedelta(days=1), None),
], ids=["6-months-minus-a-minute", "exactly-6-months", "6-months-and-a-day", "a-day-inside"])
def test_origin_side_six_month_boundary(now, school_a, school_b, left_at, expected):
    origin, destination = make_mover(school_a, school_b, now=now, left=now - left_at)
    assert refusal_cause(origin, destination, now) == expected
    result = run_transfers(now=now)
    assert len(result.transferred) == (0 if expected else 1)
    assert [o.cause for o in result.refused] == ([expected] if expected else [])


@pytest.mark.parametrize("joined_at,expected", [
    (SIX_MONTHS_AGO + MINUTE, None),
    (SIX_MONTHS_AGO, Cause.DESTINATION_TOO_OLD),
    (SIX_MONTHS_AGO - datetime.timedelta(days=1), Cause.DESTINATION_TOO_OLD),
], ids=["6-months-minus-a-minute", "exactly-6-months", "6-months-and-a-day"])
def test_destination_side_six_month_boundary(now, school_a, school_b, joined_at, expected):
    origin, destination = make_mover(school_a, school_b, now=now, joined=now - joined_at,
                                     left=datetime.timedelta(days=3))
    assert refusal_cause(origin, destination, now) == expected
    result = run_transfers(now=now)
    assert len(result.transferred) == (0 if expected else 1)


def test_the_window_is_counted_in_calendar_months_of_paris_time():
    august_31 = datetime.datetime(2026, 8, 31, 10, 0, tzinfo=PARIS)
    assert transfer_cutoff(august_31) == datetime.datetime(2026, 2, 28, 10, 0, tzinfo=PARIS)
    july = datetime.datetime(2026, 7, 15, 10, 0, tzinfo=PARIS)  # summer time → winter time, same wall clock
    assert transfer_cutoff(july) == datetime.datetime(2026, 1, 15, 10, 0, tzinfo=PARIS)
    assert transfer_cutoff(july).utcoffset() == datetime.timedelta(hours=1)
    utc_evening = datetime.datetime(2026, 3, 31, 22, 30, tzinfo=datetime.UTC)  # already 1 April in Paris
    assert transfer_cutoff(utc_evening) == datetime.datetime(2025, 10, 1, 0, 30, tzinfo=PARIS)


def test_a_learner_who_left_on_the_31st_stays_transferable_until_the_end_of_february(time_machine, school_a,
                                                                                    school_b):
    left = datetime.datetime(2025, 8, 31, 12, 0, tzinfo=PARIS)
    end_of_february = datetime.datetime(2026, 2, 28, 11, 0, tzinfo=PARIS)
    time_machine.move_to(end_of_february, tick=False)
    origin, destination = make_mover(school_a, school_b, now=end_of_february, left=end_of_february - left)
    assert refusal_cause(origin, destination, end_of_february) is None
    assert refusal_cause(origin, destination, datetime.datetime(2026, 3, 1, 11, 0, tzinfo=PARIS)) == \
        Cause.ORIGIN_TOO_OLD


@pytest.mark.parametrize("setup,cause", [
    ({"origin_switch": False}, Cause.ORIGIN_DISABLED),
    ({"destination_switch": False}, Cause.DESTINATION_DISABLED),
    ({"deactivated_by_import": False}, Cause.NOT_DEACTIVATED_BY_IMPORT),
    ({"created_by_hand": True}, Cause.NOT_CREATED_BY_IMPORT),
    ({"destination_mef": CIEL_2}, Cause.DIPLOMA_CHANGED),
], ids=["transfer-off-at-origin", "transfer-off-at-destination", "deactivated-by-hand", "created-by-hand",
        "diploma-change"])
def test_a_refused_transfer_says_why_on_both_sides(now, setup, cause):
    school_a = make_establishment("0750654D", transfer=setup.get("origin_switch", True))
    school_b = make_establishment("0999999F", transfer=setup.get("destination_switch", True))
    origin, destination = make_mover(school_a, school_b, now=now,
                                     destination_mef=setup.get("destination_mef", MELEC_2),
                                     deactivated_by_import=setup.get("deactivated_by_import", True))
    give_data(origin)
    if setup.get("created_by_hand"):
        with scopes_disabled():
            User.objects.filter(pk=destination.pk).update(imported_at=None, created_by_hand=True)

    result = run_transfers(now=now)

    assert [o.cause for o in result.refused] == [cause]
    assert data_of(origin)["achievements"] == [school_a.pk] * 2
    assert [(r["direction"], r["done"], r["cause"]) for r in records(school_a)] == [
        (Direction.OUTGOING, False, cause)]
    assert [(r["direction"], r["done"], r["cause"]) for r in records(school_b)] == [
        (Direction.INCOMING, False, cause)]


@pytest.mark.parametrize("origin_mef,destination_mef,changed", [
    ("24725509310", "24725509320", False),  # same bac pro, next year
    ("24725509310", "24725509310", False),
    ("24725509310", "24732006320", True),  # another speciality
    ("24725509310", "", False),  # unknown on one side: not a change
    ("", "", False),
])
def test_diploma_change_compares_the_diploma_part_of_the_mef_code(now, school_a, school_b, origin_mef,
                                                                  destination_mef, changed):
    origin, destination = make_mover(school_a, school_b, now=now, origin_mef=origin_mef,
                                     destination_mef=destination_mef)
    assert diploma_part("24725509310") == "24725509"
    assert refusal_cause(origin, destination, now) == (Cause.DIPLOMA_CHANGED if changed else None)


def test_a_refusal_is_recorded_once_then_the_transfer_happens_when_the_school_switches_on(now, school_a):
    school_b = make_establishment("0999999F", transfer=False)
    origin, _ = make_mover(school_a, school_b, now=now)
    give_data(origin)

    run_transfers(now=now)
    run_transfers(now=now + datetime.timedelta(days=1))
    assert [(r["done"], r["cause"]) for r in records(school_b)] == [(False, Cause.DESTINATION_DISABLED)]

    school_b.transfer_enabled = True
    school_b.save()
    result = run_transfers(now=now + datetime.timedelta(days=2))

    assert len(result.transferred) == 1
    assert [(r["done"], r["cause"]) for r in records(school_b)] == [(False, Cause.DESTINATION_DISABLED),
                                                                    (True, "")]


def test_learners_without_ine_or_still_active_are_never_paired(now, school_a, school_b):
    make_learner(school_a, "sans.ine", ine=None, active=False, deactivated_at=now - datetime.timedelta(days=5))
    make_learner(school_b, "sans.ine", ine=None, imported_at=now)
    make_learner(school_a, "toujours.la", ine="11111111111", imported_at=now)
    make_learner(school_b, "toujours.la", ine="11111111111", imported_at=now)

    result = run_transfers(now=now)

    assert result.transferred == [] and result.refused == []
    assert records(school_a) == [] and records(school_b) == []


def test_a_learner_received_from_one_school_cannot_receive_from_another(now, school_a, school_b):
    school_c = make_establishment("0130001A")
    origin, destination = make_mover(school_a, school_b, now=now, left=datetime.timedelta(days=5))
    other_origin = make_learner(school_c, "lea.martin", ine=origin.ine, active=False, imported_at=now,
                                deactivated_at=now - datetime.timedelta(days=9))
    give_data(origin)
    give_data(other_origin)

    result = run_transfers(now=now)

    assert [o.origin_uai for o in result.transferred] == ["0750654D"]
    assert [(o.origin_uai, o.cause) for o in result.refused] == [("0130001A", Cause.ALREADY_RECEIVED)]
    assert data_of(other_origin)["achievements"] == [school_c.pk] * 2
    assert data_of(destination)["achievements"] == [school_b.pk] * 2


def test_the_number_of_queries_does_not_grow_with_schools_without_candidates(now, school_a, school_b):
    origin, _ = make_mover(school_a, school_b, now=now)
    give_data(origin)

    def queries_of_a_run(extra_schools):
        for n in range(extra_schools):
            school = make_establishment(f"07{n:05d}X")
            make_learner(school, "actif", ine=f"9{n:010d}", imported_at=now)
            make_learner(school, "parti", ine=f"8{n:010d}", active=False, deactivated_at=now)
        with scopes_disabled():
            TransferRecord.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            run_transfers(now=now)
        return len(queries)

    with scopes_disabled():
        first = queries_of_a_run(0)
        # Put the data back in A so the second run has the same work to do.
        for model in (Achievement, Assessment):
            model.objects.update(establishment=school_a, learner=origin)
        AchievementComment.objects.update(establishment=school_a)
    assert queries_of_a_run(10) == first


def statements_of_a_batch(pairs, now) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        outcomes = transfer_batch([(o.pk, d.pk) for o, d in pairs], now=now)
    assert all(outcome.done for outcome in outcomes) and len(outcomes) == len(pairs)
    return [q["sql"] for q in queries.captured_queries  # savepoints: the test runs inside a transaction
            if q["sql"] not in {"BEGIN", "COMMIT"} and "SAVEPOINT" not in q["sql"]]


def test_a_batch_sends_the_same_statements_for_one_learner_or_many(now, school_a, school_b):
    """The lock, one statement per registered model (plus a count before it where the database cannot return
    the moved rows, or for a custom move), one insert of every record: whatever the number of learners."""
    single = make_mover(school_a, school_b, now=now)
    give_data(single[0])
    many = [make_mover(school_a, school_b, now=now, login=f"eleve.{n}", ine=f"07080307{n}BB") for n in range(5)]
    for origin, _ in many:
        give_data(origin)

    one = statements_of_a_batch([single], now)
    five = statements_of_a_batch(many, now)

    assert len(one) == len(five)
    if connection.vendor == "postgresql":
        assert 'FOR UPDATE OF "accounts_user"' in five[0]  # the users only, never their establishment
    assert five[-1].startswith('INSERT INTO "transfers_transferrecord"')
    for table in ("testapp_achievementcomment", "testapp_achievement", "testapp_assessment"):
        assert sum(sql.startswith(f'UPDATE "{table}" ') for sql in five) == 1
    for origin, destination in many:
        assert data_of(origin) == {"achievements": [], "comments": [], "assessments": []}
        assert data_of(destination) == {"achievements": [school_b.pk] * 2, "comments": [school_b.pk],
                                        "assessments": [school_b.pk]}


def test_each_learner_of_a_batch_gets_their_own_counts(now, school_a, school_b):
    first = make_mover(school_a, school_b, now=now)
    second = make_mover(school_a, school_b, now=now, login="paul.bernard", ine="070803070BB")
    give_data(first[0])

    outcomes = transfer_batch([(o.pk, d.pk) for o, d in (first, second)], now=now)

    test_models = ("testapp.AchievementComment", "testapp.Achievement", "testapp.Assessment")
    assert [{label: o.moved[label] for label in test_models} for o in outcomes] == [
        {"testapp.AchievementComment": 1, "testapp.Achievement": 2, "testapp.Assessment": 1},
        {"testapp.AchievementComment": 0, "testapp.Achievement": 0, "testapp.Assessment": 0},
    ]


def test_in_a_batch_a_destination_receives_from_one_school_only(now, school_a, school_b):
    """Two leavers with the same INE in one batch: the first transfers, the second is refused, as one by one."""
    school_c = make_establishment("0130001A")
    origin, destination = make_mover(school_a, school_b, now=now)
    other = make_learner(school_c, "lea.martin", ine=origin.ine, active=False, imported_at=now,
                         deactivated_at=now - datetime.timedelta(days=9))
    give_data(origin)
    give_data(other)

    outcomes = transfer_batch([(origin.pk, destination.pk), (other.pk, destination.pk)], now=now)

    assert [(o.origin_uai, o.done, o.cause) for o in outcomes] == [
        ("0750654D", True, ""), ("0130001A", False, Cause.ALREADY_RECEIVED)]
    assert data_of(other)["achievements"] == [school_c.pk] * 2


def test_a_failing_batch_is_done_again_learner_by_learner(now, school_a, school_b, monkeypatch):
    """Only the learner whose data cannot move is held back; the others of the batch are transferred."""
    movers = [make_mover(school_a, school_b, now=now, login=f"eleve.{n}", ine=f"07080307{n}BB") for n in range(3)]
    for origin, _ in movers:
        give_data(origin)
    bad_origin = movers[1][0]
    entry = learner_data._REGISTRY["testapp.Assessment"]

    def fails_for_one(queryset, moves):
        if bad_origin.pk in moves.origin_ids:
            raise RuntimeError("disque plein")
        return entry.move(queryset, moves)

    monkeypatch.setitem(learner_data._REGISTRY, "testapp.Assessment", dataclasses.replace(entry, move=fails_for_one))

    result = run_transfers(now=now)

    assert sorted(o.learner_name for o in result.transferred) == ["0 Eleve", "2 Eleve"]
    assert [o.cause for o in result.refused] == [Cause.TECHNICAL_ERROR]
    assert data_of(bad_origin)["achievements"] == [school_a.pk] * 2
    assert data_of(movers[2][1])["achievements"] == [school_b.pk] * 2
