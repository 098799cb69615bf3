"""Référentiels in the browser: after a SIECLE import the DDFPT finds each class tied to a diploma and changes one;
a teacher searches « raccorder » in MELEC 2024 and lands on the task."""

from pathlib import Path

import pytest

from accounts.models import Profile
from establishments.scoping import scope, scopes_disabled
from imports.services import import_files
from referentiels.loader import load_files
from referentiels.models import Diploma
from referentiels.services import subscribe
from referentiels.shipped import shipped_files
from tests.conftest import PASSWORD
from tests.import_samples import SMALL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def school(make_establishment):
    """An establishment subscribed to MELEC and CIEL, the shipped référentiels loaded, STS-web imported."""
    load_files(shipped_files())
    school = make_establishment(uai="0999999F", name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")
    with scopes_disabled():
        for code in ("MELEC", "CIEL"):
            subscribe(school, Diploma.objects.get(code=code))
    with scope(establishment=school):
        assert import_files(school, [Path(SMALL / "sts_emp_0999999F_2026.xml")]).ok
    return school


def log_in(page, login):
    page.goto("/0999999F/connexion/")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_the_ddfpt_finds_the_proposal_after_an_import_and_changes_a_class(page, school, make_user):
    make_user(school, Profile.ADMIN, login="admin.lycee", first_name="Claire", last_name="Martin")
    make_user(school, Profile.DDFPT, login="nadia.petit", first_name="Nadia", last_name="Petit")

    # The administrator imports SIECLE: the report says which class got which diploma.
    log_in(page, "admin.lycee")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Importations").click()
    page.get_by_label("Fichier ZIP").set_input_files(str(SMALL / "Siecle_ElevesEtResponsables.zip"))
    page.get_by_role("button", name="Analyse du ou des fichiers").click()
    page.get_by_role("heading", name="Analyse du fichier").wait_for()
    page.get_by_role("button", name="Importer les fichiers").click()
    page.get_by_role("heading", name="Rapport d'import").wait_for()
    page.get_by_role("heading", name="Classes et diplômes").wait_for()
    report = page.get_by_role("table", name="Diplôme proposé pour chaque classe d'après les codes MEF")
    assert report.get_by_role("row", name="2MELEC1 MELEC 2016 Seconde").is_visible()
    assert page.get_by_role("table", name="Codes MEF sans diplôme auquel l'établissement est abonné").get_by_role(
        "cell", name="50033411210").is_visible()
    page.get_by_role("button", name="Se déconnecter").click()

    # The DDFPT lands on the console, opens « Classes et diplômes » from the home page and moves 2MELEC1 to MELEC 2024.
    log_in(page, "nadia.petit")
    page.get_by_role("heading", name="Console de pilotage").wait_for()
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Accueil").click()
    page.get_by_role("link", name="Classes et diplômes").click()
    page.get_by_role("heading", name="Classes et diplômes").wait_for()
    row = page.locator("tr[data-classe='2MELEC1']")
    assert "MELEC 2016 — Seconde" in row.inner_text()
    assert "Proposé d'après les codes MEF" in row.inner_text()
    page.get_by_label("Diplôme de la classe 2MELEC1").select_option(label="MELEC — MELEC 2024")
    page.get_by_role("button", name="Enregistrer le diplôme de la classe 2MELEC1").click()
    page.get_by_text("La classe 2MELEC1 suit désormais MELEC 2024 (Seconde).").wait_for()
    row = page.locator("tr[data-classe='2MELEC1']")
    assert "MELEC 2024 — Seconde" in row.inner_text() and "Choisi" in row.inner_text()
    assert "MELEC 2016 — Première" in page.locator("tr[data-classe='1MELEC1']").inner_text()


def test_a_teacher_searches_raccorder_and_lands_on_the_task(page, school, make_user):
    make_user(school, Profile.TEACHER, login="julien.durand")

    log_in(page, "julien.durand")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Référentiels").click()
    page.get_by_role("link", name="MELEC 2024").click()
    page.get_by_role("heading", name="Référentiel MELEC 2024").wait_for()
    page.get_by_role("textbox", name="Rechercher (code ou libellé").fill("raccorder")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("heading", name="pour « raccorder »").wait_for()
    page.get_by_test_id("resultats").get_by_role("link", name="T2.3").click()

    page.wait_for_url("**/0999999F/referentiels/MELEC/2024/#T2.3")
    task = page.locator("[id='T2.3']")
    assert "raccorder les matériels électriques" in task.inner_text()
    assert task.is_visible()
    page.wait_for_load_state("load")
    top = page.evaluate("() => [document.getElementById('T2.3').getBoundingClientRect().top, window.innerHeight,"
                        " window.scrollY]")
    assert -2 <= top[0] < top[1] and top[2] > 0, top  # scrolled to the task (to a pixel)
    assert task.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"  # and outlined
    # The task names its competencies, each a link to its criteria.
    task.get_by_role("link", name="C4").click()
    page.wait_for_url("**#C4")
    assert page.locator("[id='C4']").get_by_text("Critères de réussite").is_visible()
