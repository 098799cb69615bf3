"""Bilans intermédiaires in the browser: a teacher opens « Éditer les bilans », picks the class and the trimester,
finds the form pre-filled with the proposed levels, changes one level, writes an appreciation and validates."""

import datetime

import pytest

from establishments.scoping import scopes_disabled
from pedagogy.evaluation_models import Bilan
from tests.bilan_factory import START, make_bilan_world, observe
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_writes_and_validates_a_bilan(page, make_establishment):
    school = make_establishment(uai="0999999F", name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")
    world = make_bilan_world(school, learners=2)
    c1, c2, _c3 = world.competencies
    observe(world, world.learner, c1, 3, datetime.date(START, 11, 2))
    observe(world, world.learner, c2, 2, datetime.date(START, 11, 2))

    page.goto("/0999999F/connexion/")
    page.get_by_label("Identifiant").fill(world.teacher.login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Éditer les bilans").click()
    page.get_by_role("heading", name="Bilans intermédiaires").wait_for()
    page.get_by_role("link", name="Trimestre 1 2026-2027").click()
    page.get_by_role("heading", name="Bilans Trimestre 1 — classe 2MELEC1").wait_for()
    assert "0 validé, 0 brouillon, 2 sans bilan." in page.get_by_test_id("compteurs-bilans").inner_text()
    page.get_by_role("row", name="NOM001 Prénom1").get_by_role("link", name="Rédiger le bilan").click()

    page.get_by_role("heading", name="Bilan intermédiaire — NOM001 Prénom1").wait_for()
    c1_level = page.get_by_label("Compétence n° 1 : réaliser une installation électrique conforme")
    c2_level = page.get_by_label("Compétence n° 2 : réaliser une installation électrique conforme")
    assert c1_level.input_value() == "3"  # pre-filled with the proposed level
    assert c2_level.input_value() == "2"
    c2_level.select_option(label="Maîtrisé")
    page.get_by_label("Appréciation").fill("Des progrès nets à l'atelier ; continuer ainsi.")
    page.get_by_role("button", name="Valider le bilan").click()

    page.get_by_text("Bilan de NOM001 Prénom1 validé pour « Trimestre 1 ».").wait_for()
    assert "validé le" in page.get_by_test_id("bilan-etat").inner_text().lower()
    assert page.get_by_role("button", name="Rouvrir le bilan").is_visible()
    levels = page.get_by_test_id("bilan-niveaux").inner_text()
    assert "choix de l'enseignant" in levels
    with scopes_disabled():
        bilan = Bilan.objects.get(learner=world.learner, period=world.t1)
    assert bilan.status == Bilan.Status.VALIDATED and bilan.appreciation.startswith("Des progrès nets")
