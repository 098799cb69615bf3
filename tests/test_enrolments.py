"""School years and enrolments: the imports keep each learner's class history (issue 8, part 3).

Files are built with the project's own generator (``imports.parsing.synthetic``): no sample outside the repository.
"""

import datetime
import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from lxml import etree

from accounts.models import Enrolment, Profile, User
from establishments.models import Division, SchoolYear
from establishments.scoping import scope, scopes_disabled
from imports.parsing.synthetic import _learner_id, generate_synthetic_exports
from imports.services import import_files
from transfers.registry import move_learner_data

UAI = "0999999F"
NOVEMBER_2026 = datetime.date(2026, 11, 23)
SEPTEMBER_2027 = datetime.date(2027, 9, 15)


@pytest.fixture
def school(make_establishment):
    return make_establishment(uai=UAI, name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")


def exports(tmp_path: Path, year: int, n_learners: int = 10) -> dict[str, Path]:
    return generate_synthetic_exports(n_learners, 15, 4, 5, UAI, year, tmp_path / str(year), seed=3)


def run_import(school, *paths, today):
    with scope(establishment=school):
        outcome = import_files(school, [Path(p) for p in paths], today=today)
    assert outcome.ok, outcome.as_json()["problems"]
    return outcome


def move_learner(source: Path, out: Path, eleve_id: str, division: str) -> Path:
    """A copy of the learners' file where one learner is in another class."""
    tree = etree.parse(str(source))
    for structures in tree.getroot().iter("STRUCTURES_ELEVE"):
        if structures.get("ELEVE_ID") == eleve_id:
            for structure in structures.iter("STRUCTURE"):
                if structure.findtext("TYPE_STRUCTURE") == "D":
                    structure.find("CODE_STRUCTURE").text = division
    tree.write(str(out), encoding="ISO-8859-15", xml_declaration=True)
    return out


def history(school, eleve_id: str) -> list[tuple]:
    """A learner's enrolments as a bilan would show them: year, class, from, to."""
    with scope(establishment=school):
        learner = User.objects.get(siecle_id=eleve_id)
        return [(e.school_year.label, e.division.code if e.division else None, e.start_date, e.end_date)
                for e in Enrolment.objects.filter(learner=learner).select_related("school_year", "division")
                .order_by("start_date", "pk")]


@pytest.mark.django_db
def test_first_import_enrols_every_created_learner_in_the_files_school_year(school, tmp_path):
    files = exports(tmp_path, 2026)
    run_import(school, files["sts"], files["learners"], today=NOVEMBER_2026)

    with scope(establishment=school):
        year = SchoolYear.objects.get()
        assert (year.label, year.start_date, year.end_date) == (
            "2026-2027", datetime.date(2026, 9, 1), datetime.date(2027, 8, 31))
        learners = User.objects.filter(profile=Profile.LEARNER)
        assert learners.count() == 9  # the generator's learner 2 left in July: not created
        for learner in learners:
            enrolment = Enrolment.objects.get(learner=learner)
            assert enrolment.school_year == year
            assert (enrolment.division_id, enrolment.mef_code, enrolment.is_apprentice) == (
                learner.division_id, learner.mef_code, learner.is_apprentice)
            assert enrolment.start_date == datetime.date(2026, 9, 2)  # DATE_ENTREE, within the year
            assert enrolment.end_date is None
        assert Enrolment.objects.get(learner__siecle_id=_learner_id(7)).is_apprentice


@pytest.mark.django_db
def test_reimporting_the_same_files_writes_no_new_enrolment(school, tmp_path):
    files = exports(tmp_path, 2026)
    run_import(school, files["sts"], files["learners"], today=NOVEMBER_2026)
    with scope(establishment=school):
        before = sorted(Enrolment.objects.values_list("pk", "division_id", "start_date", "end_date"))

    run_import(school, files["sts"], files["learners"], today=NOVEMBER_2026 + datetime.timedelta(days=5))

    with scope(establishment=school):
        assert sorted(Enrolment.objects.values_list("pk", "division_id", "start_date", "end_date")) == before


@pytest.mark.django_db
def test_a_class_change_within_the_year_closes_the_enrolment_and_opens_another(school, tmp_path):
    files = exports(tmp_path, 2026)
    run_import(school, files["sts"], files["learners"], today=NOVEMBER_2026)
    eleve_id = _learner_id(0)
    before = history(school, eleve_id)
    assert len(before) == 1
    old_class = before[0][1]
    new_class = next(code for code in ("2MELEC1", "1MELEC1", "TMELEC1") if code != old_class)

    moved = move_learner(files["learners"], tmp_path / "moved.xml", eleve_id, new_class)
    run_import(school, moved, today=datetime.date(2027, 1, 10))

    assert history(school, eleve_id) == [
        ("2026-2027", old_class, datetime.date(2026, 9, 2), datetime.date(2027, 1, 9)),
        ("2026-2027", new_class, datetime.date(2027, 1, 10), None),
    ]
    with scope(establishment=school):
        # The current class stays on the account (denormalised), equal to the open enrolment's.
        assert User.objects.get(siecle_id=eleve_id).division.code == new_class
    assert len(history(school, _learner_id(1))) == 1  # the others did not move


@pytest.mark.django_db
def test_a_new_school_year_closes_last_years_enrolments_and_opens_new_ones(school, tmp_path):
    run_import(school, *exports(tmp_path, 2026).values(), today=NOVEMBER_2026)
    files_2027 = exports(tmp_path, 2027)

    run_import(school, files_2027["sts"], files_2027["learners"], today=SEPTEMBER_2027)

    eleve_id = _learner_id(0)
    (old_label, old_class, old_start, old_end), (label, division, start, end) = history(school, eleve_id)
    assert (old_label, old_start, old_end) == ("2026-2027", datetime.date(2026, 9, 2), datetime.date(2027, 8, 31))
    assert (label, start, end) == ("2027-2028", datetime.date(2027, 9, 2), None)
    assert division == old_class  # same class code in the generator's next year
    with scope(establishment=school):
        assert sorted(SchoolYear.objects.values_list("label", flat=True)) == ["2026-2027", "2027-2028"]
        open_enrolments = Enrolment.objects.filter(end_date__isnull=True)
        assert set(open_enrolments.values_list("school_year__start_year", flat=True)) == {2027}
        assert open_enrolments.count() == User.objects.filter(profile=Profile.LEARNER, is_active=True).count()


@pytest.mark.django_db
def test_a_learner_who_leaves_has_the_enrolment_closed_on_the_exit_date(school, tmp_path):
    files = exports(tmp_path, 2026, n_learners=60)
    run_import(school, files["sts"], files["learners"], today=datetime.date(2026, 10, 1))
    eleve_id = _learner_id(52)  # the generator has them leave on 20/10
    assert history(school, eleve_id)[0][3] is None

    run_import(school, files["learners"], today=datetime.date(2026, 11, 2))

    assert history(school, eleve_id)[0][2:] == (datetime.date(2026, 9, 2), datetime.date(2026, 10, 20))
    with scope(establishment=school):
        assert not User.objects.get(siecle_id=eleve_id).is_active


@pytest.mark.django_db
def test_an_older_file_imported_again_leaves_the_new_years_enrolments_alone(school, tmp_path):
    files_2026 = exports(tmp_path, 2026)
    run_import(school, *files_2026.values(), today=NOVEMBER_2026)
    files_2027 = exports(tmp_path, 2027)
    run_import(school, files_2027["sts"], files_2027["learners"], today=SEPTEMBER_2027)
    with scope(establishment=school):
        before = sorted(Enrolment.objects.values_list("pk", "school_year_id", "division_id", "end_date"))

    run_import(school, files_2026["learners"], today=SEPTEMBER_2027)

    with scope(establishment=school):
        assert sorted(Enrolment.objects.values_list("pk", "school_year_id", "division_id", "end_date")) == before


@pytest.mark.django_db
def test_the_migration_enrols_the_learners_already_in_the_base(establishment, make_user):
    with scopes_disabled():
        division = Division.objects.create(establishment=establishment, code="2MELEC1")
    learner = make_user(establishment, Profile.LEARNER, login="lea.roux", division=division, mef_code="24725510310",
                        mef_label="2NDPRO MELEC", is_apprentice=True)
    make_user(establishment, Profile.LEARNER, login="parti", is_active=False)
    make_user(establishment, Profile.TEACHER, login="prof")
    migration = importlib.import_module("accounts.migrations.0004_enrolments")

    migration.enrol_current_learners(apps, SimpleNamespace(connection=connection))

    with scopes_disabled():
        enrolment = Enrolment.objects.get()
        assert (enrolment.learner, enrolment.division, enrolment.mef_code, enrolment.is_apprentice) == (
            learner, division, "24725510310", True)
        assert enrolment.end_date is None
        assert enrolment.school_year.start_date <= enrolment.start_date
        assert enrolment.school_year.establishment == establishment


@pytest.mark.django_db
def test_a_transfer_moves_the_enrolments_as_history_into_the_new_school(establishment, other_establishment,
                                                                       make_user):
    with scopes_disabled():
        year = SchoolYear.objects.create(establishment=establishment, start_year=2026,
                                         **SchoolYear.default_values(2026))
        division = Division.objects.create(establishment=establishment, code="2MELEC1")
    origin = make_user(establishment, Profile.LEARNER, login="lea.roux", ine="1234567890A", is_active=False)
    destination = make_user(other_establishment, Profile.LEARNER, login="lea.roux", ine="1234567890A")
    with scopes_disabled():
        Enrolment.objects.create(establishment=establishment, learner=origin, school_year=year, division=division,
                                 mef_code="24725510310", start_date=datetime.date(2026, 9, 2))

        moved = move_learner_data([(origin, destination)])

        assert moved[origin.pk]["accounts.Enrolment"] == 1

        moved = Enrolment.objects.get()
        assert (moved.establishment, moved.learner, moved.division, moved.mef_code) == (
            other_establishment, destination, None, "24725510310")
        assert moved.school_year.establishment == other_establishment
        assert moved.school_year.start_year == 2026
        assert moved.end_date is not None  # history: never the new school's open enrolment


@pytest.mark.django_db
def test_a_new_status_within_the_year_corrects_the_open_enrolment_in_place(school, tmp_path):
    files = exports(tmp_path, 2026)
    run_import(school, files["sts"], files["learners"], today=NOVEMBER_2026)
    eleve_id = _learner_id(0)
    with scope(establishment=school):
        before = Enrolment.objects.get(learner__siecle_id=eleve_id)
    assert not before.is_apprentice
    tree = etree.parse(str(files["learners"]))
    for eleve in tree.getroot().iter("ELEVE"):
        if eleve.get("ELEVE_ID") == eleve_id:
            eleve.find("CODE_STATUT").text = "AP"
    tree.write(str(tmp_path / "apprenti.xml"), encoding="ISO-8859-15", xml_declaration=True)

    run_import(school, tmp_path / "apprenti.xml", today=datetime.date(2027, 2, 1))

    with scope(establishment=school):
        after = Enrolment.objects.get(learner__siecle_id=eleve_id)
    assert (after.pk, after.is_apprentice, after.start_date, after.end_date) == (
        before.pk, True, before.start_date, None)


@pytest.mark.django_db
def test_learners_created_by_hand_are_enrolled_in_their_class_from_that_day(establishment, make_user):
    from accounts.services import user_create_by_hand
    from imports.services import learner_create_by_hand

    admin = make_user(establishment, Profile.ADMIN, login="admin")
    with scope(establishment=establishment):
        division = Division.objects.create(establishment=establishment, code="CAP1")
        by_import_page = learner_create_by_hand(establishment, admin, last_name="Roux", first_name="Léa",
                                                birth_date=datetime.date(2010, 5, 4), division=division)
        by_users_page = user_create_by_hand(
            establishment=establishment, actor=admin, civility="", last_name="Petit", first_name="Hugo",
            birth_date=datetime.date(2010, 1, 2), email="hugo.petit@example.org", profile=Profile.LEARNER,
            division=division)
        teacher = user_create_by_hand(
            establishment=establishment, actor=admin, civility="M.", last_name="Blanc", first_name="Marc",
            birth_date=None, email="marc.blanc@example.org", profile=Profile.TEACHER)

        today = timezone.localdate()
        for learner in (by_import_page, by_users_page):
            enrolment = Enrolment.objects.get(learner=learner)
            assert (enrolment.division, enrolment.start_date, enrolment.end_date) == (division, today, None)
            assert enrolment.school_year.start_date <= today <= enrolment.school_year.end_date
        assert not Enrolment.objects.filter(learner=teacher).exists()
