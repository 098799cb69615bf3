"""Périodes en entreprise in the browser (issue 13): the DDFPT opens the level's annexes, declares a PFMP from an
annex for the whole level — « Aucun » then « Tous » for one class, one activity unticked — chooses « Créer et aller
au portfolio », and lands on the period with its learners; the annex keeps its own activities."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Profile
from establishments.models import school_year_start
from establishments.scoping import scopes_disabled
from periods.models import PedagogicalAnnex, Placement, WorkPeriod
from tests import periods_factory as f
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school(make_establishment):
    return make_establishment(uai="0999999F", name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")


def log_in(page, login):
    page.goto("/0999999F/connexion/")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_the_ddfpt_declares_a_pfmp_for_a_level_from_an_annex(page, school, make_user):
    version = f.melec(school)
    first = f.learners(school, f.cohort(school, version, "2MELEC1"), 3)
    second = f.learners(school, f.cohort(school, version, "2MELEC2"), 2)
    annex = f.annex(school, version, title="PFMP 1 — Découverte", tasks=("T1.1", "T1.2"))
    make_user(school, Profile.DDFPT, login="nadia.benali", first_name="Nadia", last_name="Benali")
    year = school_year_start(timezone.localdate())
    start, end = datetime.date(year, 11, 16), datetime.date(year, 12, 4)

    log_in(page, "nadia.benali")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Périodes en entreprise").click()
    page.get_by_role("heading", name="Périodes de formation en entreprise").wait_for()
    page.get_by_label("Niveau de classe").select_option("2NDE")
    page.get_by_role("button", name="Afficher").click()
    row = page.get_by_test_id(f"annexe-{annex.pk}")
    assert "scolaires" in row.inner_text().lower()  # the word, besides the blue
    row.get_by_role("link", name="Déclarer une PFMP").click()

    page.get_by_role("heading", name="Déclarer une PFMP").wait_for()
    assert page.get_by_test_id("niveau").inner_text().count("Seconde") == 1
    assert page.get_by_label("Titre de la période").input_value() == "PFMP 1 — Découverte"
    page.get_by_label("Titre de la période").fill("PFMP 1 — Seconde")
    page.get_by_label("Date de début").fill(start.isoformat())
    page.get_by_label("Date de fin").fill(end.isoformat())
    boxes = page.locator('input[name="learners"]')
    assert boxes.count() == 5 and all(boxes.nth(i).is_checked() for i in range(5))
    page.locator("#apprenants > ul").get_by_role("button", name="Aucun").click()
    assert not any(boxes.nth(i).is_checked() for i in range(5))
    page.get_by_test_id("classe").filter(has_text="2MELEC1").get_by_role("button", name="Tous").click()
    assert [boxes.nth(i).is_checked() for i in range(5)] == [True, True, True, False, False]
    page.locator("label", has_text=second[0].last_name).click()  # one learner of the other class, by hand
    page.locator("label", has_text="T1.2 : Rechercher et expliquer les informations").click()  # unticked
    page.locator("label", has_text="se rendre dans le module portfolio").click()
    page.get_by_role("button", name="Créer la période").click()

    page.wait_for_url(lambda url: "/declarer/" not in url)
    with scopes_disabled():
        [period] = WorkPeriod.objects.filter(establishment=school)
        assert period.title == "PFMP 1 — Seconde" and (period.start_date, period.end_date) == (start, end)
        assert set(Placement.objects.filter(period=period).values_list("learner_id", flat=True)) == {
            u.pk for u in [*first, second[0]]}
        assert list(period.tasks.values_list("code", flat=True)) == ["T1.1"]
        assert sorted(PedagogicalAnnex.objects.get(pk=annex.pk).tasks.values_list("code", flat=True)) == [
            "T1.1", "T1.2"]
    if f"/pfmp/periode/{period.pk}/" in page.url:  # the portfolio is not there yet: the period's page
        page.get_by_role("heading", name="PFMP 1 — Seconde").wait_for()
        assert page.get_by_test_id("apprenants").locator("tbody tr").count() == 4
