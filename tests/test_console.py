"""The pilot console (issue 14): set-up progress, bilans indicator, référentiel coverage, the book switch."""

import datetime
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.enrolments import school_year_of
from accounts.models import Profile, User
from console import coverage, indicators, progress
from console.selectors import classes_with_learners
from establishments.models import AuditEntry, Division
from establishments.scoping import scope, scopes_disabled
from pedagogy.models import Bilan, Observation, Scenario
from periods.models import OfficialPeriod, PedagogicalAnnex
from periods.official_periods import current_school_year
from referentiels.establishment_models import Cohort
from referentiels.models import Competency, Task
from referentiels.services import subscribe

from .conftest import PASSWORD
from .fixtures_users import text
from .referentiel_factory import make_version

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2026, 12, 10, 10, 0)
D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def four_competencies():
    return make_version(
        competencies=[(f"C{n}", f"Compétence {n}", [f"Critère {n}"], []) for n in range(1, 5)],
        tasks=[("T1", "Tâche jamais prévue", ["C1"], []), ("T2", "Tâche d'une annexe PFMP", [], []),
               ("T3", "Tâche évaluée", ["C3"], []), ("T4", "Tâche évaluée par la moitié", ["C4", "C1"], [])])


def make_class(establishment, version, code, level="2NDE", learners=4):
    with scope(establishment=establishment):
        division = Division.objects.create(establishment=establishment, code=code)
        Cohort.objects.create(establishment=establishment, division=division, version=version, class_level=level)
        people = [User.objects.create(establishment=establishment, login=f"{code.lower()}.{n}",
                                      profile=Profile.LEARNER, last_name=f"Élève{n}", first_name=code,
                                      division=division) for n in range(learners)]
    return division, people


def trimesters(establishment, diploma, level="2NDE"):
    with scope(establishment=establishment):
        year = current_school_year(establishment)
        return [OfficialPeriod.objects.create(establishment=establishment, school_year=year, diploma=diploma,
                                              class_level=level, kind="trimestre", label=label, start_date=start,
                                              end_date=end)
                for label, start, end in [("Trimestre 1", D(2026, 9, 1), D(2026, 11, 30)),
                                          ("Trimestre 2", D(2026, 12, 1), D(2027, 3, 15))]]


def validated_bilan(establishment, learner, period, status=Bilan.Status.VALIDATED):
    with scope(establishment=establishment):
        return Bilan.objects.create(
            establishment=establishment, learner=learner, period=period, period_label=period.label,
            period_start=period.start_date, period_end=period.end_date,
            version=learner.division.cohort.version, status=status)


def observe(establishment, learner, competency, level=3):
    with scope(establishment=establishment):
        Observation.objects.create(establishment=establishment, learner=learner, competency=competency,
                                   level=level, type="formative", date=D(2026, 10, 5))


def steps_of(establishment) -> dict[str, progress.SetupStep]:
    with scope(establishment=establishment):
        return {step.key: step for step in progress.setup_steps(establishment)}


# Set-up progress ------------------------------------------------------------------------------------------------

def test_each_step_moves_from_to_do_to_done_when_its_data_exists(establishment):
    steps = steps_of(establishment)
    assert [s.label for s in steps.values()] == [
        "Abonnement", "Importation des données", "Saisie des dates des périodes officielles",
        "Saisie des périodes LSL", "Saisie des dates limites de certification"]
    assert not any(s.done for s in steps.values())

    version = make_version()
    with scope(establishment=establishment):
        subscribe(establishment, version.diploma)
    assert steps_of(establishment)["subscription"].done
    assert "aucun apprenant" in steps_of(establishment)["import"].missing

    with scope(establishment=establishment):
        orphan = Division.objects.create(establishment=establishment, code="2ORPH")
        User.objects.create(establishment=establishment, login="x.y", profile=Profile.LEARNER, last_name="Y",
                            division=orphan)
    step = steps_of(establishment)["import"]
    assert (step.done, step.missing) == (False, "encore 1 classe à rattacher à un diplôme")
    with scope(establishment=establishment):
        Cohort.objects.create(establishment=establishment, division=orphan, version=version, class_level="2NDE")
    assert steps_of(establishment)["import"].done

    step = steps_of(establishment)["official_periods"]
    assert (step.done, step.missing) == (False, "encore 1 spécialité à configurer")
    trimesters(establishment, version.diploma)
    assert steps_of(establishment)["official_periods"].done

    with scope(establishment=establishment):
        year = current_school_year(establishment)
        assert steps_of(establishment)["lsl"].missing == "encore 1 spécialité à configurer"
        OfficialPeriod.objects.create(establishment=establishment, school_year=year, diploma=version.diploma,
                                      class_level="2NDE", kind="lsl", label="LSL", start_date=D(2027, 5, 18),
                                      end_date=D(2027, 6, 12))
        assert steps_of(establishment)["lsl"].done
        assert not steps_of(establishment)["certification"].done
        OfficialPeriod.objects.create(establishment=establishment, school_year=year, diploma=version.diploma,
                                      class_level="2NDE", kind="certification", label="Date limite",
                                      start_date=D(2027, 6, 5), end_date=D(2027, 6, 5))
    assert all(s.done for s in steps_of(establishment).values())


def test_a_second_diploma_without_periods_is_one_more_speciality_to_configure(establishment):
    melec, ciel = make_version(), make_version("CIEL", name="Cybersécurité")
    with scope(establishment=establishment):
        subscribe(establishment, melec.diploma)
        subscribe(establishment, ciel.diploma)
    make_class(establishment, melec, "2MELEC1")
    trimesters(establishment, melec.diploma)
    assert steps_of(establishment)["official_periods"].missing == "encore 1 spécialité à configurer"


def test_the_console_shows_the_progress_with_links_where_each_step_is_done(establishment, make_user, login_as):
    client = login_as(make_user(establishment, Profile.DDFPT))
    page = text(client.get("/0750654D/console/"))
    assert "Mise en service : 0 étape faite sur 5" in page
    # each period step opens the form with its kind chosen
    assert 'href="/0750654D/console/periodes/#period-add">Saisie des dates des périodes officielles</a>' in page
    assert 'href="/0750654D/console/periodes/?type=lsl#period-add">Saisie des périodes LSL</a>' in page
    assert ('href="/0750654D/console/periodes/?type=certification#period-add">Saisie des dates limites de '
            'certification</a>') in page
    assert 'href="/0750654D/referentiels/">Abonnement</a>' in page


def test_the_platform_console_shows_each_establishments_progress(establishment, other_establishment):
    with scope(establishment=establishment):
        subscribe(establishment, make_version().diploma)
    with scopes_disabled():
        User.objects.create_superuser("ops", PASSWORD, last_name="Service technique")
    client = Client()
    client.post("/plateforme/login/", {"username": "ops", "password": PASSWORD, "next": "/plateforme/"})
    page = text(client.get("/plateforme/establishments/establishment/"))
    assert "Mise en service" in page
    assert "1/5 — à faire : Importation des données" in page  # 0750654D
    assert "0/5 — à faire : Abonnement" in page  # 0999999F
    detail = text(client.get(f"/plateforme/establishments/establishment/{establishment.pk}/change/"))
    assert "<li>Abonnement : fait</li>" in detail
    assert "<li>Saisie des périodes LSL : à faire (encore 1 spécialité à configurer)</li>" in detail


# Landing and permissions ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("profile", [Profile.DDFPT, Profile.HEAD])
def test_ddfpt_and_chef_land_on_the_console(establishment, make_user, profile):
    make_user(establishment, profile, login="pilote")
    response = Client().post("/0750654D/connexion/", {"username": "pilote", "password": PASSWORD})
    assert response["Location"] == "/0750654D/console/"


def test_a_teacher_lands_on_home_and_is_refused_the_console(establishment, make_user):
    make_user(establishment, Profile.TEACHER, login="prof")
    client = Client()
    assert client.post("/0750654D/connexion/", {"username": "prof", "password": PASSWORD})["Location"] == "/0750654D/"
    assert client.get("/0750654D/console/").status_code == 403
    assert "Console de pilotage" not in text(client.get("/0750654D/"))


# Bilans indicator -----------------------------------------------------------------------------------------------

@pytest.fixture
def population(establishment):
    """2MELEC1 (4 learners): 3 validated bilans in T1; 2MELEC2 (4 learners): 1 validated, 1 draft in T1; a learner
    who left 2MELEC2 has a validated one (not counted)."""
    version = four_competencies()
    with scope(establishment=establishment):
        subscribe(establishment, version.diploma)
    t1, t2 = trimesters(establishment, version.diploma)
    first, first_learners = make_class(establishment, version, "2MELEC1")
    second, second_learners = make_class(establishment, version, "2MELEC2")
    for learner in first_learners[:3]:
        validated_bilan(establishment, learner, t1)
    validated_bilan(establishment, first_learners[0], t2)
    validated_bilan(establishment, second_learners[0], t1)
    validated_bilan(establishment, second_learners[1], t1, status=Bilan.Status.DRAFT)
    with scope(establishment=establishment):
        gone = User.objects.create(establishment=establishment, login="gone", profile=Profile.LEARNER,
                                   last_name="Parti", division=second, is_active=False)
    validated_bilan(establishment, gone, t1)
    return {"version": version, "t1": t1, "t2": t2, "first": first, "second": second,
            "first_learners": first_learners, "second_learners": second_learners}


def test_the_indicator_counts_validated_bilans_per_class_and_period_behind_first(establishment, population):
    with scope(establishment=establishment):
        divisions, members = classes_with_learners(establishment)
        rows = indicators.class_bilans(establishment, current_school_year(establishment), divisions=divisions,
                                       learners=Counter(members.values()))
    assert [r.division.code for r in rows] == ["2MELEC2", "2MELEC1"]  # the class further behind first
    counts = {r.division.code: [(c.period.label, c.validated, c.learners, c.late) for c in r.cells] for r in rows}
    assert counts == {"2MELEC2": [("Trimestre 1", 1, 4, True), ("Trimestre 2", 0, 4, False)],
                      "2MELEC1": [("Trimestre 1", 3, 4, True), ("Trimestre 2", 1, 4, False)]}


def test_a_click_lists_the_learners_without_a_validated_bilan(establishment, population, make_user, login_as):
    client = login_as(make_user(establishment, Profile.DDFPT))
    page = text(client.get("/0750654D/console/"))
    url = f"/0750654D/console/bilans/{population['second'].pk}/{population['t1'].pk}/"
    assert f'href="{url}"' in page and "En retard" in page
    listing = text(client.get(url))
    assert "ÉLÈVE1 2MELEC2" in listing and "ÉLÈVE3 2MELEC2" in listing  # the draft does not count
    assert "ÉLÈVE0 2MELEC2" not in listing and "PARTI" not in listing


def test_the_missing_bilans_page_leads_to_the_class_bilans_and_the_period_dates(establishment, population,
                                                                              make_user, login_as):
    client = login_as(make_user(establishment, Profile.DDFPT))
    division, period = population["second"], population["t1"]
    console = text(client.get("/0750654D/console/"))
    assert "(période terminée : des bilans manquent)" in console
    assert 'href="/0750654D/console/periodes/"' in console.split('id="console-bilans"', 1)[1]
    listing = text(client.get(f"/0750654D/console/bilans/{division.pk}/{period.pk}/"))
    class_bilans = f"/0750654D/bilans/classe/{division.pk}/periode/{period.pk}/"
    assert f'href="{class_bilans}"' in listing
    assert f'href="/0750654D/console/periodes/{period.pk}/"' in listing
    assert client.get(class_bilans).status_code == 200


def test_the_indicator_moves_when_a_bilan_is_validated(establishment, population, make_user, login_as):
    client = login_as(make_user(establishment, Profile.DDFPT))
    assert "1/4" in text(client.get("/0750654D/console/")).split("2MELEC2", 1)[1].split("</tr>")[0]
    validated_bilan(establishment, population["second_learners"][2], population["t1"])
    assert "2/4" in text(client.get("/0750654D/console/")).split("2MELEC2", 1)[1].split("</tr>")[0]


# Coverage ---------------------------------------------------------------------------------------------------------

def test_coverage_statuses_of_tasks_and_competencies(establishment, population, make_user, login_as):
    version, learners = population["version"], population["first_learners"]
    c = {x.code: x for x in Competency.objects.filter(version=version)}
    t = {x.code: x for x in Task.objects.filter(version=version)}
    with scope(establishment=establishment):
        scenario = Scenario.objects.create(establishment=establishment, version=version, class_level="2NDE",
                                           title="Câblage")
        scenario.competencies.add(c["C2"])
        annex = PedagogicalAnnex.objects.create(establishment=establishment, version=version, class_level="2NDE",
                                                title="Annexe PFMP 1")
        annex.tasks.add(t["T2"])
    observe(establishment, learners[0], c["C3"])
    observe(establishment, learners[0], c["C4"])
    observe(establishment, learners[1], c["C4"])
    observe(establishment, learners[2], c["C1"], level=0)  # NE: not an evaluation
    observe(establishment, population["second_learners"][0], c["C1"])  # another class

    client = login_as(make_user(establishment, Profile.HEAD))
    response = client.get(f"/0750654D/console/couverture/{population['first'].pk}/")
    page = text(response)
    row = response.context["row"]
    assert {i.code: i.status for i in row.competencies} == {
        "C1": coverage.Status.NEVER, "C2": coverage.Status.PLANNED, "C3": coverage.Status.EVALUATED,
        "C4": coverage.Status.HALF}
    assert {i.code: i.status for i in row.tasks} == {
        "T1": coverage.Status.NEVER, "T2": coverage.Status.PLANNED, "T3": coverage.Status.EVALUATED,
        "T4": coverage.Status.HALF}
    assert "Évaluée par la moitié de la classe" in page and "2/4" in page
    # The console's summary counts the competencies per status: one of each.
    console = client.get("/0750654D/console/")
    summary = {r.division.code: r.competency_counts for r in console.context["coverage"]}
    assert summary["2MELEC1"] == [1, 1, 1, 1]
    assert summary["2MELEC2"] == [2, 1, 1, 0]  # C1 evaluated there, C2 planned, C3 and C4 never


# Book switch --------------------------------------------------------------------------------------------------

def test_the_ddfpt_activates_the_book_once_however_many_clicks(establishment, make_user, login_as):
    client = login_as(make_user(establishment, Profile.DDFPT))
    assert "Activer le book des apprenants" in text(client.get("/0750654D/console/"))
    client.post("/0750654D/console/book/", {"book": "1"})
    client.post("/0750654D/console/book/", {"book": "1"})
    establishment.refresh_from_db()
    assert establishment.book_enabled
    with scope(establishment=establishment):
        assert AuditEntry.objects.filter(action="book.enable").count() == 1
    assert "Désactiver le book des apprenants" in text(client.get("/0750654D/console/"))
    client.post("/0750654D/console/book/", {"book": "0"})
    establishment.refresh_from_db()
    assert not establishment.book_enabled


def test_a_teacher_cannot_switch_the_book(establishment, make_user, login_as):
    client = login_as(make_user(establishment, Profile.TEACHER))
    assert client.post("/0750654D/console/book/", {"book": "1"}).status_code == 403
    establishment.refresh_from_db()
    assert not establishment.book_enabled


# Queries -----------------------------------------------------------------------------------------------------

def _console_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/0750654D/console/").status_code == 200
    return len(queries)


def test_the_console_queries_do_not_grow_with_classes_learners_and_evidence(establishment, make_user, login_as):
    version = four_competencies()
    with scope(establishment=establishment):
        subscribe(establishment, version.diploma)
    t1, _t2 = trimesters(establishment, version.diploma)
    client = login_as(make_user(establishment, Profile.DDFPT))
    competency = Competency.objects.filter(version=version).first()
    _division, learners = make_class(establishment, version, "2A", learners=2)
    validated_bilan(establishment, learners[0], t1)
    observe(establishment, learners[0], competency)
    small = _console_queries(client)
    for n in range(3):
        _division, learners = make_class(establishment, version, f"2B{n}", learners=5)
        for learner in learners:
            validated_bilan(establishment, learner, t1)
            observe(establishment, learner, competency)
    assert _console_queries(client) == small
    assert small <= 30, small



def test_the_book_switch_is_read_by_the_other_apps(establishment, make_user, login_as):
    from establishments.selectors import book_enabled

    assert not book_enabled(establishment)
    login_as(make_user(establishment, Profile.HEAD)).post("/0750654D/console/book/", {"book": "1"})
    establishment.refresh_from_db()
    assert book_enabled(establishment)
    assert not book_enabled(None)


def test_a_class_with_fewer_bilans_than_periods_over_the_cycle_is_behind(establishment):
    """A première whose seconde had two trimesters last year: its learners' bilans of this year are complete, but
    one bilan per learner is missing over the cycle."""
    version = four_competencies()
    with scope(establishment=establishment):
        subscribe(establishment, version.diploma)
        last_year = school_year_of(establishment, 2025)
        for label, start, end in [("T1", D(2025, 9, 1), D(2025, 12, 31)), ("T2", D(2026, 1, 1), D(2026, 6, 30))]:
            OfficialPeriod.objects.create(establishment=establishment, school_year=last_year, diploma=version.diploma,
                                          class_level="2NDE", kind="semestre", label=label, start_date=start,
                                          end_date=end)
    t1, _t2 = trimesters(establishment, version.diploma, level="1RE")
    _premiere, learners = make_class(establishment, version, "1MELEC1", level="1RE", learners=2)
    _seconde, seconde_learners = make_class(establishment, version, "2MELEC1", learners=2)
    trimesters(establishment, version.diploma)
    with scope(establishment=establishment):
        seconde_t1 = OfficialPeriod.objects.get(class_level="2NDE", label="Trimestre 1")
        last_t1 = OfficialPeriod.objects.get(label="T1")
    for learner in learners:
        validated_bilan(establishment, learner, t1)
        validated_bilan(establishment, learner, last_t1)  # last year's T2 is missing
    for learner in seconde_learners:
        validated_bilan(establishment, learner, seconde_t1)
    with scope(establishment=establishment):
        divisions, members = classes_with_learners(establishment)
        rows = indicators.class_bilans(establishment, current_school_year(establishment), divisions=divisions,
                                       learners=Counter(members.values()))
    by_code = {r.division.code: r for r in rows}
    assert (by_code["1MELEC1"].cycle_validated, by_code["1MELEC1"].cycle_expected) == (4, 6)
    assert by_code["1MELEC1"].behind and not by_code["2MELEC1"].behind
    assert [r.division.code for r in rows] == ["1MELEC1", "2MELEC1"]


def test_coverage_follows_the_whole_version_when_none_of_it_is_tagged_for_the_class_level(
        establishment, make_user, login_as):
    """MELEC 2024 tags its competencies for Première and Terminale only: a Seconde class on it is not shown empty."""
    version = make_version(
        competencies=[("C1", "Analyser", ["Critère 1"], ["1RE", "TLE"]), ("C2", "Réaliser", ["Critère 1"], ["TLE"])],
        tasks=[("T1", "Câbler", ["C2"], ["1RE"])])
    with scopes_disabled():
        subscribe(establishment, version.diploma)
    seconde, _ = make_class(establishment, version, "2MELEC9", level="2NDE", learners=2)
    premiere, _ = make_class(establishment, version, "1MELEC9", level="1RE", learners=2)
    client = login_as(make_user(establishment, Profile.DDFPT))
    row = client.get(f"/0750654D/console/couverture/{seconde.pk}/").context["row"]
    assert [i.code for i in row.competencies] == ["C1", "C2"] and [i.code for i in row.tasks] == ["T1"]
    row = client.get(f"/0750654D/console/couverture/{premiere.pk}/").context["row"]
    assert [i.code for i in row.competencies] == ["C1"]  # tagged for its level: the level's competencies only


def test_a_period_and_its_count_stay_on_one_line_on_a_phone(establishment, population, make_user, login_as):
    page = text(login_as(make_user(establishment, Profile.DDFPT)).get("/0750654D/console/"))
    assert 'href="/static/console/console.css"' in page
    assert '<li class="cpro-console-period" data-period="Trimestre 1">' in page


def test_without_classes_tied_to_a_diploma_the_console_says_where_to_tie_them(establishment, make_user, login_as):
    page = text(login_as(make_user(establishment, Profile.DDFPT)).get("/0750654D/console/"))
    assert page.count("Aucune classe n'est rattachée à un diplôme : rattachez-les dans « "
                      '<a href="/0750654D/referentiels/classes/">Classes et diplômes</a> ».') == 2
