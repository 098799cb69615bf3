"""Book des apprenants and passeport professionnel in the browser: a learner of a class following MELEC 2024 adds
an achievement linked to a task, attaches a photo, retains it for the passport, then downloads the passport PDF."""

import io
import os
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from accounts.models import Profile
from establishments.models import Division
from establishments.scoping import scopes_disabled
from referentiels.establishment_models import Cohort
from referentiels.loader import load_files
from referentiels.models import Diploma, ReferentielVersion
from referentiels.services import subscribe
from referentiels.shipped import shipped_files
from tests.conftest import PASSWORD
from tests.fixtures_users import png_bytes

from .test_interface import INVISIBLE_FIELDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(os.getenv("CPRO_SCREENSHOTS", tempfile.gettempdir()))


@pytest.fixture
def school(make_establishment, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_files(shipped_files())
    school = make_establishment(uai="0999999F", name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr",
                                book_enabled=True)
    with scopes_disabled():
        subscribe(school, Diploma.objects.get(code="MELEC"))
        division = Division.objects.create(establishment=school, code="2MELEC1")
        Cohort.objects.create(establishment=school, division=division, class_level="2NDE",
                              version=ReferentielVersion.objects.get(diploma__code="MELEC", code="2024"))
    return school, division


def test_a_learner_adds_an_achievement_and_downloads_the_passport(page, school, make_user):
    establishment, division = school
    make_user(establishment, Profile.LEARNER, login="ines.leroy", first_name="Inès", last_name="Leroy",
              division=division)
    page.goto("/0999999F/connexion/")
    page.get_by_label("Identifiant").fill("ines.leroy")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Mon book").click()
    page.get_by_role("heading", name="Mon book").wait_for()
    page.get_by_role("link", name="Ajouter une réussite").click()
    fields = page.evaluate(INVISIBLE_FIELDS)
    assert fields["count"] >= 4 and fields["invisible"] == []
    page.screenshot(path=str(SCREENSHOTS / "book-nouvelle-reussite.png"), full_page=True)
    page.get_by_label("Titre de la réussite").fill("Câblage d'un tableau de répartition")
    page.get_by_label("Date").fill("2026-10-12")
    page.locator("label", has_text="En entreprise").click()
    page.get_by_label("Contexte").fill("PFMP chez Électricité Martin, rénovation d'un studio.")
    page.get_by_label("Ce que j'ai fait").fill("J'ai posé et raccordé le tableau, puis fait les essais.")
    page.locator("label", has_text="T2.3").first.click()
    page.get_by_role("button", name="Enregistrer").click()

    page.get_by_role("heading", name="Câblage d'un tableau de répartition").wait_for()
    assert "T2.3" in page.get_by_test_id("taches").inner_text()
    page.get_by_label("Photo ou document").set_input_files(files=[{
        "name": "tableau.png", "mimeType": "image/png", "buffer": png_bytes((640, 480))}])
    page.get_by_role("button", name="Ajouter le fichier").click()
    page.get_by_test_id("fichiers").get_by_role("link", name="tableau.png").wait_for()
    page.get_by_role("button", name="Retenir pour le passeport").click()
    page.get_by_test_id("retenue").wait_for()

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Passeport professionnel").click()
    page.get_by_role("heading", name="Mon passeport professionnel").wait_for()
    assert "Câblage d'un tableau de répartition" in page.get_by_test_id("realisations").inner_text()
    button = page.get_by_test_id("telecharger-passeport")
    assert button.bounding_box()["width"] > 150  # the whole label shows, not an icon alone
    with page.expect_download() as download:
        page.get_by_test_id("telecharger-passeport").click()
    reader = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    content = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Lycée Synthétique" in content and "Inès LEROY" in content
    assert "Câblage d'un tableau de répartition" in content and "MELEC 2024" in content
    assert reader.metadata.title == "LEROY Inès"
    page.screenshot(path=str(SCREENSHOTS / "passeport.png"), full_page=True)
