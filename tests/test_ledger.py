"""The ledger of days in companies (issue 13): days planned, absences, catch-up and days done per learner and
period; weeks done over the cycle against the diploma's minimum (a setting per diploma); learners below it
flagged; the CSV export; a day count above the period's length refused with nothing saved."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile
from establishments.scoping import scopes_disabled
from periods.models import Placement, WeeksMinimum

from . import periods_factory as f


@pytest.fixture
def version(establishment):
    return f.melec(establishment)


@pytest.fixture
def people(establishment, version):
    return f.learners(establishment, f.cohort(establishment, version), 3)


@pytest.fixture
def ddfpt(establishment, make_user):
    return make_user(establishment, Profile.DDFPT)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def url(establishment, path=""):
    return f"/{establishment.uai}/pfmp/{path}"


def placements(period):
    with scopes_disabled():
        return {p.learner_id: p for p in Placement.objects.filter(period=period)}


def days_payload(period, rows):
    data = {}
    for placement_id, (planned, absent, caught) in rows.items():
        data.update({f"planned-{placement_id}": planned, f"absent-{placement_id}": absent,
                     f"caught-{placement_id}": caught})
    return data


def test_days_done_are_planned_minus_absences_plus_catch_up(establishment, version, people, ddfpt, login_as):
    period = f.period(establishment, version, people)  # 16 Nov – 4 Dec 2026: 19 days, 15 working days
    p = placements(period)
    client = login_as(ddfpt)
    page = text(client.get(url(establishment, f"periode/{period.pk}/jours/")))
    assert "19 jours calendaires, 15 jours ouvrés" in page
    response = client.post(url(establishment, f"periode/{period.pk}/jours/"), days_payload(period, {
        p[people[0].pk].pk: (15, 2, 1), p[people[1].pk].pk: (15, 0, 0), p[people[2].pk].pk: (10, 3, 0)}))
    assert response.status_code == 302
    after = placements(period)
    assert [after[u.pk].days_done for u in people] == [14, 15, 7]
    assert (after[people[0].pk].days_absent, after[people[0].pk].days_caught_up) == (2, 1)


@pytest.mark.parametrize("row,message", [
    ((20, 0, 0), "Les jours prévus (20) dépassent la durée de la période (19 jours)."),
    ((15, 16, 0), "Les jours d&#x27;absence (16) dépassent les jours prévus (15)."),
    ((19, 0, 3), "Les jours effectués (22) dépassent la durée de la période (19 jours)."),
    (("", 0, 0), "Indiquez des nombres de jours positifs ou nuls."),
    (("-2", 0, 0), "Indiquez des nombres de jours positifs ou nuls."),
])
def test_a_day_count_above_the_period_is_refused_and_nothing_is_saved(establishment, version, people, ddfpt,
                                                                      login_as, row, message):
    period = f.period(establishment, version, people)
    p = placements(period)
    response = login_as(ddfpt).post(url(establishment, f"periode/{period.pk}/jours/"), days_payload(period, {
        p[people[0].pk].pk: (15, 1, 0), p[people[1].pk].pk: row}))
    assert response.status_code == 400
    page = text(response)
    assert message in page and "Rien n&#x27;a été enregistré" in page
    after = placements(period)
    assert after[people[0].pk].days_done is None and after[people[0].pk].days_absent == 0


def test_a_teacher_enters_the_days_of_the_learners_they_teach_only(establishment, version, people, make_user,
                                                                   login_as):
    other_class = f.learners(establishment, f.cohort(establishment, version, "2MELEC2"), 1)
    period = f.period(establishment, version, people + other_class)
    teacher = make_user(establishment, Profile.TEACHER)
    with scopes_disabled():
        teacher.divisions_taught.add(people[0].division)
    p = placements(period)
    client = login_as(teacher)
    page = text(client.get(url(establishment, f"periode/{period.pk}/jours/")))
    assert "Nom2MELEC1000" in page and "Nom2MELEC2000" not in page
    client.post(url(establishment, f"periode/{period.pk}/jours/"), days_payload(period, {
        p[people[0].pk].pk: (15, 0, 0), p[other_class[0].pk].pk: (15, 0, 0)}))
    after = placements(period)
    assert after[people[0].pk].days_done == 15 and after[other_class[0].pk].days_done is None


def test_the_inspector_reads_the_days_but_cannot_change_them(establishment, version, people, make_user, login_as):
    period = f.period(establishment, version, people)
    client = login_as(make_user(establishment, Profile.INSPECTOR))
    assert client.get(url(establishment, f"periode/{period.pk}/jours/")).status_code == 200
    p = placements(period)
    assert client.post(url(establishment, f"periode/{period.pk}/jours/"), days_payload(period, {
        p[people[0].pk].pk: (15, 0, 0)})).status_code == 403
    assert placements(period)[people[0].pk].days_done is None


def test_weeks_over_the_cycle_against_the_diploma_minimum(establishment, version, people, ddfpt, login_as):
    """Bac Pro: 22 weeks. Two years of periods add up across school years; a learner below is flagged."""
    f.period(establishment, version, people[:2], days_done=50, start=datetime.date(2026, 9, 7),
             end=datetime.date(2026, 11, 13), title="PFMP 1 et 2")
    f.period(establishment, version, people[:1], days_done=60, start=datetime.date(2027, 1, 4),
             end=datetime.date(2027, 3, 26), title="PFMP 3 et 4")
    client = login_as(ddfpt)
    page = text(client.get(url(establishment, "jours/?diplome=MELEC")))
    assert "au moins <strong>22 semaines</strong>" in page
    assert 'data-testid="sous-minimum">2</strong> apprenant(s) sur 3 sous le minimum' in page
    # 110 days = 22 weeks: reached; 50 days = 10 weeks; nothing = 0.
    assert re.search(r"Nom2MELEC1000 Prénom0.*?110</td><td>22,0</td>.*?atteint", page)
    assert re.search(r"Nom2MELEC1001 Prénom1.*?50</td><td>10,0</td>.*?sous le minimum", page)
    below = text(client.get(url(establishment, "jours/?diplome=MELEC&sous_minimum=1")))
    assert "Nom2MELEC1000" not in below and "Nom2MELEC1001" in below and "Nom2MELEC1002" in below


def test_the_minimum_is_a_setting_per_diploma(establishment, version, people, ddfpt, login_as):
    f.period(establishment, version, people[:1], days_done=50)
    client = login_as(ddfpt)
    response = client.post(url(establishment, "jours/duree/MELEC/"), {"min_weeks": "10", "max_weeks": "16"})
    assert response.status_code == 302
    with scopes_disabled():
        assert WeeksMinimum.objects.get(establishment=establishment).min_weeks == 10
    page = text(client.get(url(establishment, "jours/?diplome=MELEC")))
    assert "au moins <strong>10 semaines</strong>, au plus 16" in page
    assert 'data-testid="sous-minimum">2</strong>' in page
    bad = client.post(url(establishment, "jours/duree/MELEC/"), {"min_weeks": "12", "max_weeks": "8"})
    assert bad.status_code == 400 and "Le maximum doit être supérieur ou égal au minimum." in text(bad)


def test_a_cap_defaults_to_12_weeks(establishment, make_user, login_as):
    from referentiels.models import Diploma

    version = f.melec(establishment, "CAPELEC")
    with scopes_disabled():
        Diploma.objects.filter(pk=version.diploma_id).update(kind="CAP")
    page = text(login_as(make_user(establishment, Profile.DDFPT)).get(url(establishment, "jours/?diplome=CAPELEC")))
    assert "au moins <strong>12 semaines</strong>, au plus 16" in page


def test_the_csv_gives_the_days_done_per_learner_and_period(establishment, version, people, ddfpt, login_as):
    f.period(establishment, version, people[:2], days_done=14, title="PFMP 1")
    response = login_as(ddfpt).get(url(establishment, "jours/export.csv?diplome=MELEC"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Nom", "Prénom", "INE", "Classe", "Période"]
    body = {(r[0], r[4]): r for r in rows[1:]}
    assert body[("Nom2MELEC1000", "PFMP 1")][5:11] == ["16/11/2026", "04/12/2026", "15", "0", "0", "14"]
    assert body[("Nom2MELEC1000", "PFMP 1")][11:] == ["14", "2,8", "22", "oui"]
    assert ("Nom2MELEC1002", "") in body  # a learner with no period still appears
    assert len(rows) == 4


def test_the_csv_never_starts_a_formula(establishment, version, ddfpt, login_as):
    division = f.cohort(establishment, version)
    [learner] = f.learners(establishment, division, 1)
    with scopes_disabled():
        learner.last_name = "=HYPERLINK(\"http://exemple.org\")"
        learner.save()
    f.period(establishment, version, [learner], title="+PFMP")
    content = login_as(ddfpt).get(url(establishment, "jours/export.csv?diplome=MELEC")).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in content and "'+PFMP" in content


def test_the_ledger_reads_a_constant_number_of_queries(establishment, version, ddfpt, login_as):
    client = login_as(ddfpt)
    counts = []
    for size, code in ((2, "2MELEC1"), (30, "2MELEC2")):
        people = f.learners(establishment, f.cohort(establishment, version, code), size)
        f.period(establishment, version, people, title=f"PFMP {code}", days_done=10)
        for path in ("jours/?diplome=MELEC", "jours/export.csv?diplome=MELEC"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url(establishment, path)).status_code == 200
            counts.append((path, len(queries)))
    assert counts[0] == counts[2] and counts[1] == counts[3]


def test_each_period_of_the_ledger_opens_its_days(establishment, version, people, ddfpt, login_as):
    """A period « non saisi » on the ledger leads to the page where its days are entered."""
    period = f.period(establishment, version, people[:1], title="PFMP 1")
    page = text(login_as(ddfpt).get(url(establishment, "jours/?diplome=MELEC")))
    assert f'<a href="{url(establishment, f"periode/{period.pk}/jours/")}">PFMP 1</a> (non saisi)' in page
