"""The import's bulk insert of new users (COPY on PostgreSQL) writes what the ORM would write, or lets the ORM do it.

A database default (``db_default``), a callable default, a JSON or UUID column must never be written as the text
of a Python object or as one value repeated for every row (issue 8, part 4, last bullet).
"""

import datetime
import itertools
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.expressions import DatabaseDefault

from accounts.models import Enrolment, Profile, User
from establishments.scoping import scope
from imports.apply import _copy_columns, _insert
from imports.models import ImportRun
from imports.parsing.synthetic import generate_synthetic_exports
from imports.services import import_files

UAI = "0999999F"
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def school(make_establishment):
    return make_establishment(uai=UAI, name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")


def import_learners(school, tmp_path: Path):
    files = generate_synthetic_exports(10, 15, 4, 5, UAI, 2026, tmp_path, seed=3)
    with scope(establishment=school):
        outcome = import_files(school, [files["sts"], files["learners"]], today=TODAY)
    assert outcome.ok, outcome.as_json()["problems"]


def give_db_default(monkeypatch, field, value: str) -> None:
    """As if the model declared ``db_default=value`` (and its migration had set the column's default)."""
    expression = Value(value)
    monkeypatch.setattr(field, "db_default", expression)
    monkeypatch.setitem(field.__dict__, "_db_default_expression", expression)
    monkeypatch.setitem(field.__dict__, "_get_default", lambda: DatabaseDefault(expression, output_field=field))
    if connection.vendor == "postgresql":  # transactional DDL: undone with the test's transaction
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE accounts_user ALTER COLUMN {field.column} SET DEFAULT %s", [value])


def give_default(monkeypatch, field, default) -> None:
    monkeypatch.setattr(field, "default", default)
    monkeypatch.setitem(field.__dict__, "_get_default", default if callable(default) else lambda: default)


@pytest.mark.django_db
def test_a_column_with_a_database_default_gets_that_default_not_the_text_of_an_expression(school, tmp_path,
                                                                                       monkeypatch):
    give_db_default(monkeypatch, User._meta.get_field("phone"), "non communiqué")

    import_learners(school, tmp_path)  # learners are created without a phone number

    with scope(establishment=school):
        phones = set(User.objects.filter(profile=Profile.LEARNER).values_list("phone", flat=True))
    assert phones == {"non communiqué"}


@pytest.mark.django_db
def test_a_callable_default_is_called_for_each_new_user(school, tmp_path, monkeypatch):
    counter = itertools.count(1)
    give_default(monkeypatch, User._meta.get_field("address"), lambda: f"adresse n° {next(counter)}")

    import_learners(school, tmp_path)

    with scope(establishment=school):
        addresses = list(User.objects.filter(profile=Profile.LEARNER).values_list("address", flat=True))
    assert len(addresses) == 9
    assert len(set(addresses)) == 9  # never one value repeated for every row


@pytest.mark.django_db
def test_json_and_uuid_columns_are_stored_as_the_orm_stores_them(school):
    files = [{"name": "Élèves\t2026.xml", "size": 3, "note": 'avec "guillemets"\net retour'}]
    rows = [{"establishment_id": school.pk, "today": TODAY, "files": files, "summary": {"leavers": []}},
            {"establishment_id": school.pk, "today": TODAY, "kinds": ["learners"]}]

    with scope(establishment=school):
        ids = _insert(ImportRun, rows)
        first, second = (ImportRun.objects.get(pk=pk) for pk in ids)

    assert first.files == files and first.summary == {"leavers": []} and first.kinds == []
    assert second.kinds == ["learners"] and second.files == []
    assert first.token != second.token


@pytest.mark.django_db
def test_plain_columns_keep_the_fast_copy_and_the_others_do_not(monkeypatch):
    fields = [f for f in Enrolment._meta.concrete_fields if not f.primary_key]
    row = {"establishment_id": 1, "learner_id": 2, "school_year_id": 3, "division_id": None, "mef_code": "2\t4",
           "mef_label": "", "is_apprentice": True, "start_date": TODAY}
    assert _copy_columns(fields, [row]) is not None

    assert _copy_columns(fields, [{**row, "start_date": datetime.datetime(2026, 9, 1, 8)}]) is None  # not a date
    assert _copy_columns(fields, [{**row, "mef_code": 24725510310}]) is None  # not a string
    give_db_default(monkeypatch, User._meta.get_field("phone"), "non communiqué")
    user_fields = [f for f in User._meta.concrete_fields if not f.primary_key]
    assert _copy_columns(user_fields, [{"login": "a", "last_name": "A"}]) is None
