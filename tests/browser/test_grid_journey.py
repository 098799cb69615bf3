"""Grilles de positionnement in the browser: a teacher creates a grid from a scenario, fills 10 cells with the
keyboard only (digits, Tab, arrows), reloads the page and finds them; a click cycles a cell."""

import pytest

from accounts.models import Profile
from establishments.models import Division
from establishments.scoping import scopes_disabled
from pedagogy.models import Grid, Observation
from referentiels.establishment_models import Cohort
from referentiels.services import subscribe
from tests.conftest import PASSWORD
from tests.referentiel_factory import make_version
from tests.scenario_factory import make_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school(make_establishment, make_user):
    school = make_establishment(uai="0999999F", name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")
    teacher = make_user(school, Profile.TEACHER, login="paul.martin", first_name="Paul", last_name="Martin")
    with scopes_disabled():
        version = make_version()
        subscribe(school, version.diploma)
        division = Division.objects.create(establishment=school, code="1MELEC1")
        Cohort.objects.create(establishment=school, division=division, version=version, class_level="1RE")
        teacher.divisions_taught.add(division)
    for n, (last, first) in enumerate([("Benali", "Yanis"), ("Dubois", "Emma"), ("Nguyen", "Léa")]):
        make_user(school, Profile.LEARNER, login=f"eleve{n}", first_name=first, last_name=last, division=division)
    make_scenario(school, version, authors=[teacher], title="Câblage d'un tableau électrique")
    return school


def test_a_teacher_creates_a_grid_and_fills_it_with_the_keyboard(page, school):
    page.goto("/0999999F/connexion/")
    page.get_by_label("Identifiant").fill("paul.martin")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Gérer et évaluer les activités de formation").click()
    page.get_by_label("Niveau de classe").select_option("1RE")
    page.get_by_role("button", name="Afficher les scénarios").click()
    page.get_by_role("link", name="Câblage d'un tableau électrique").click()
    page.get_by_role("link", name="Créer une grille de positionnement").click()

    # The learners of the scenario's level are chosen by default.
    assert page.locator("label", has_text="BENALI Yanis").count() == 1
    assert page.locator("#learners input[type=checkbox]:checked").count() == 3
    page.get_by_label("Titre de la grille").fill("Tableau — positionnement")
    page.get_by_role("button", name="Créer la grille").click()
    page.get_by_role("heading", name="Tableau — positionnement").wait_for()
    page.get_by_role("link", name="Détailler par critères").click()
    status = page.get_by_test_id("grid-status")
    status.get_by_text("Toutes les saisies sont enregistrées.").wait_for()

    # Keyboard only: the first cell takes the focus, then digits and Tab (5 columns: C1, C1.1, C7, C7.1, C7.2).
    cells = page.locator("#grid td.grid-cell")
    assert cells.count() == 15
    cells.first.focus()
    typed = ["3", "4", "2", "1", "3", "2", "2", "4", "3", "1"]
    for key in typed:
        page.keyboard.press(key)
        page.keyboard.press("Tab")
    # Arrows and Enter move too: back up to the first row's last cell, then 0 sets it back to NE.
    page.keyboard.press("ArrowUp")
    page.keyboard.press("End")
    page.keyboard.press("0")
    page.keyboard.press("Enter")
    page.keyboard.press("3")
    status.get_by_text("Toutes les saisies sont enregistrées.").wait_for()

    page.reload()
    shown = [cells.nth(i).inner_text() for i in range(15)]
    assert shown == typed[:9] + ["NE"] + ["NE"] * 4 + ["3"]
    with scopes_disabled():
        grid = Grid.objects.get()
        assert Observation.objects.filter(grid=grid, observer__login="paul.martin").count() == 10

    # A click cycles NE → 1; the comment of the cell is saved from the panel under the grid.
    cells.nth(12).click()
    page.get_by_label("Commentaire de la case").fill("Absent au début de la séance")
    page.get_by_role("button", name="Enregistrer le commentaire de la case").click()
    status.get_by_text("Toutes les saisies sont enregistrées.").wait_for()
    page.reload()
    assert cells.nth(12).inner_text().startswith("1")
    assert cells.nth(12).get_attribute("data-comment") == "Absent au début de la séance"
