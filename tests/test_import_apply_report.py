"""The import report names the learners it left out and those it created without a class (issue 9.12).

The analysis said « 2 apprenants sortis, non créés » but the report did not; a learner created without a class was
mentioned nowhere but the login sheet. Files come from the project's generator: its learner 2 left on 5 July,
its learner 3 has no class.
"""

import csv
import datetime
import io
import re

import pytest

from accounts.models import Profile, User
from establishments.scoping import scope
from imports.parsing.synthetic import _learner_id, generate_synthetic_exports
from imports.services import import_files

UAI = "0999999F"
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def school(make_establishment):
    return make_establishment(uai=UAI, name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")


@pytest.fixture
def run(school, tmp_path):
    files = generate_synthetic_exports(10, 15, 4, 5, UAI, 2026, tmp_path, seed=3)
    with scope(establishment=school):
        outcome = import_files(school, [files["sts"], files["learners"]], today=TODAY)
    assert outcome.ok, outcome.as_json()["problems"]
    return outcome.run


@pytest.fixture
def admin_client(school, make_user, login_as):
    return login_as(make_user(school, Profile.ADMIN, login="admin.lycee", last_name="Martin", first_name="Claire"))


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db
def test_the_report_page_counts_and_names_the_leavers_and_the_learners_without_a_class(school, run,
                                                                                      admin_client):
    leaver = run.summary["leavers"][0]
    with scope(establishment=school):
        classless = User.objects.get(siecle_id=_learner_id(3))
    assert classless.division is None

    response = admin_client.get(f"/{UAI}/imports/{run.pk}/")

    page = plain(response.content.decode())
    assert "Apprenants sortis, non créés (1)" in page
    assert f"{leaver['name']} {_learner_id(2)} 05/07/2026" in page
    assert "Apprenants créés sans classe (1)" in page
    assert f"{classless.full_name} {classless.login} {_learner_id(3)}" in page


@pytest.mark.django_db
def test_the_downloaded_report_lists_them_too(school, run, admin_client):
    with scope(establishment=school):
        classless = User.objects.get(siecle_id=_learner_id(3))

    response = admin_client.get(f"/{UAI}/imports/{run.pk}/rapport.csv")

    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    by_login = {row[4]: row for row in rows[2:] if row[4]}
    assert by_login[classless.login][6] == "" and by_login[classless.login][10] == "créé sans classe"
    leavers = [row for row in rows[1:] if row[1] == "Sortis, non créés"]
    assert len(leavers) == 1
    assert leavers[0][0] == "Apprenants"
    assert leavers[0][10] == f"sorti le 05/07/2026 (identifiant SIECLE {_learner_id(2)})"
    assert f"{leavers[0][2].upper()} {leavers[0][3]}" == run.summary["leavers"][0]["name"]
