"""Scénarios pédagogiques in the browser: a teacher creates a scenario for MELEC 2024 in Première, links tasks by
searching the référentiel in the editor, adds a resource, exports it as DOCX, then duplicates it for Terminale."""

import io

import docx
import pytest

from accounts.models import Profile
from establishments.scoping import scopes_disabled
from pedagogy.models import Scenario
from referentiels.loader import load_files
from referentiels.models import Diploma
from referentiels.services import subscribe
from referentiels.shipped import shipped_files
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school(make_establishment):
    load_files(shipped_files())
    school = make_establishment(uai="0999999F", name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")
    with scopes_disabled():
        subscribe(school, Diploma.objects.get(code="MELEC"))
    return school


def log_in(page, login):
    page.goto("/0999999F/connexion/")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_a_teacher_creates_links_adds_a_resource_exports_and_duplicates(page, school, make_user):
    make_user(school, Profile.TEACHER, login="paul.martin", first_name="Paul", last_name="Martin")
    log_in(page, "paul.martin")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Gérer et évaluer les activités de formation").click()
    page.get_by_role("heading", name="Scénarios pédagogiques").wait_for()
    page.get_by_label("Diplôme", exact=True).select_option("MELEC")
    page.get_by_label("Niveau de classe").select_option("1RE")
    page.get_by_role("button", name="Afficher les scénarios").click()
    page.get_by_label("Version du référentiel").select_option(label="MELEC 2024")
    page.get_by_role("button", name="Nouveau scénario").click()

    page.get_by_label("Titre du scénario").fill("Dépannage d'un éclairage de parking")
    page.get_by_label("Situation professionnelle, problématique et missions").fill(
        "L'éclairage du parking ne s'allume plus : diagnostiquer et remplacer le matériel défectueux.")
    search = page.get_by_label("Rechercher une tâche, une compétence ou un critère (code ou mots)")
    search.fill("depannage")  # accents ignored
    dépannage = page.get_by_label("T4.2 — Réaliser une opération de dépannage")
    assert dépannage.is_visible()
    assert not page.get_by_label("T2.3 — Câbler, raccorder les matériels électriques").is_visible()
    page.locator("label", has_text="T4.2 — Réaliser une opération de dépannage").click()  # DSFR: the label
    assert dépannage.is_checked()
    search.fill("C8")
    page.locator("label", has_text="C8 — Diagnostiquer un dysfonctionnement").click()
    assert page.get_by_test_id("compteurs").inner_text().startswith("1 tâche(s), 1 compétence(s)")
    page.get_by_role("button", name="Créer le scénario").click()

    page.get_by_role("heading", name="Dépannage d'un éclairage de parking").wait_for()
    assert "T4.2" in page.get_by_test_id("taches").inner_text()
    assert "C8" in page.get_by_test_id("competences").inner_text()

    page.get_by_label("Fichier PDF, ODT").set_input_files(files=[{
        "name": "fiche-securite.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"}])
    page.get_by_role("button", name="Déposer le fichier").click()
    page.get_by_test_id("resource-list").get_by_role("link", name="fiche-securite.pdf").wait_for()

    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter en DOCX").click()
    exported = docx.Document(io.BytesIO(download.value.path().read_bytes()))
    text = "\n".join(p.text for p in exported.paragraphs) + "\n".join(
        cell.text for table in exported.tables for row in table.rows for cell in row.cells)
    assert "Dépannage d'un éclairage de parking" in text.replace("\u2019", "'")
    assert "T4.2" in text and "C8" in text and "fiche-securite.pdf" in text

    page.get_by_label("Niveau de la copie").select_option("TLE")
    page.get_by_role("button", name="Dupliquer").click()
    page.get_by_role("heading", name="Modifier « Dépannage d'un éclairage de parking (copie) »").wait_for()
    assert page.get_by_label("T4.2 — Réaliser une opération de dépannage").is_checked()
    with scopes_disabled():
        copy = Scenario.objects.get(class_level="TLE")
        assert copy.version.label == "MELEC 2024" and list(copy.tasks.values_list("code", flat=True)) == ["T4.2"]
