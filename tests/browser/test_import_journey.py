"""The administrator imports STS-web, then the zipped SIECLE pair, reads the analysis, imports, downloads the
report, and a learner logs in with the printed credentials."""

import csv
import io
from pathlib import Path

import pytest

from accounts.models import Profile
from tests.conftest import PASSWORD
from tests.import_samples import SMALL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_admin_imports_sts_then_siecle_and_a_learner_logs_in(page, make_establishment, make_user):
    school = make_establishment(uai="0999999F", name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")
    make_user(school, Profile.ADMIN, login="admin.lycee", first_name="Claire", last_name="Martin")

    page.goto("/0999999F/connexion/")
    page.get_by_label("Identifiant").fill("admin.lycee")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Importations").click()

    # 1. The teachers' file first.
    page.get_by_label("Fichier sts_emp").set_input_files(str(SMALL / "sts_emp_0999999F_2026.xml"))
    page.get_by_role("button", name="Analyse du fichier", exact=True).click()
    page.get_by_role("heading", name="Analyse du fichier").wait_for()
    assert page.get_by_text("Classes à créer : 2MELEC1, 1MELEC1, TMELEC1, 1CAPPRO, 2CAPPRO, 3PM").is_visible()
    page.get_by_role("button", name="Importer les fichiers").click()
    page.get_by_role("heading", name="Rapport d'import").wait_for()
    assert page.get_by_role("heading", name="Enseignants créés (8)").is_visible()

    # 2. The learners and their guardians, both in one ZIP.
    page.get_by_role("link", name="Importations", exact=True).first.click()
    page.get_by_label("Fichier ZIP").set_input_files(str(SMALL / "Siecle_ElevesEtResponsables.zip"))
    page.get_by_role("button", name="Analyse du ou des fichiers").click()
    page.get_by_role("heading", name="Analyse du fichier").wait_for()
    assert page.get_by_text("Apprenants à créer (10)").is_visible()
    assert page.get_by_text("Responsables à créer (18)").is_visible()
    assert page.get_by_text("Apprenants sans INE (non transférables) : 1").is_visible()
    page.get_by_role("button", name="Importer les fichiers").click()
    page.get_by_role("heading", name="Rapport d'import").wait_for()
    assert page.get_by_role("heading", name="Apprenants créés (10)").is_visible()

    # 3. The report, downloaded.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le rapport (CSV)").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))[2:]
    kevin = next(row for row in rows if row[2] == "RICHARD" and row[3] == "Kévin")
    login, password = kevin[4], kevin[5]
    assert (login, password) == ("kevin.richard", "07032009")

    # 4. The history keeps both imports.
    page.get_by_role("link", name="Importations", exact=True).first.click()
    assert page.get_by_role("cell", name="Siecle_ElevesEtResponsables.zip").is_visible()

    # 5. The learner logs in with the printed credentials and must change the password.
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Changer de mot de passe").wait_for()
