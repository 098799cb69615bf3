"""The import pages as the administrator uses them: upload, analysis, import, report, history, hors SIECLE."""

import csv
import datetime
import html
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Profile, User
from establishments.models import Division
from establishments.scoping import scope
from imports.models import ImportRun
from tests.conftest import PASSWORD
from tests.import_samples import SMALL, CommittingClient, generated_set

STS = SMALL / "sts_emp_0999999F_2026.xml"
SIECLE_ZIP = SMALL / "Siecle_ElevesEtResponsables.zip"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def school(make_establishment):
    return make_establishment(uai="0999999F", name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")


@pytest.fixture
def admin(school, make_user):
    return make_user(school, Profile.ADMIN, login="admin.lycee", last_name="Martin", first_name="Claire")


@pytest.fixture
def client(admin):
    """The administrator, through the real login page, on a client that commits like a real request."""
    client = CommittingClient()
    response = client.post("/0999999F/connexion/", {"username": admin.login, "password": PASSWORD})
    assert response.status_code == 302
    return client


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def post_sts(client, path=STS):
    return client.post("/0999999F/imports/analyse/", {"section": "sts", "sts-sts": upload(path)})


def post_siecle(client, **files):
    data = {"section": "siecle"}
    data.update({f"siecle-{name}": upload(path) for name, path in files.items()})
    return client.post("/0999999F/imports/analyse/", data)


def text(response) -> str:
    """The page as the user reads it (entities decoded)."""
    return html.unescape(response.content.decode())


def report_csv(client, run) -> str:
    """The report CSV as downloaded (the response is streamed)."""
    response = client.get(f"/0999999F/imports/{run.pk}/rapport.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content).decode("utf-8-sig")


def latest_run(school) -> ImportRun:
    with scope(establishment=school):
        return ImportRun.objects.filter(establishment=school).first()


def apply(client, run):
    return client.post(f"/0999999F/imports/{run.pk}/importer/", follow=True)


@pytest.mark.django_db
def test_import_page_offers_both_uploads_and_is_in_the_admin_menu(client):
    page = text(client.get("/0999999F/imports/"))
    assert "Import des personnels : enseignants et direction (STS-web)" in page
    assert "Analyse du fichier" in page and "Analyse du ou des fichiers" in page
    assert "Fichier ElevesSansAdresses" in page and "Fichier ZIP" in page
    assert 'href="/0999999F/imports/"' in text(client.get("/0999999F/"))


@pytest.mark.django_db
def test_analysis_shows_the_plan_and_writes_nothing_then_import_applies_it(client, school):
    response = post_sts(client)
    run = latest_run(school)
    assert response.status_code == 302 and response["Location"] == f"/0999999F/imports/{run.pk}/"

    page = text(client.get(response["Location"]))
    assert run.status == ImportRun.Status.ANALYSED
    assert "Analyse du fichier" in page and "Importer les fichiers" in page
    assert "Classes à créer : 2MELEC1, 1MELEC1" in page
    assert "chevalier" in page  # a login to create is listed
    with scope(establishment=school):
        assert User.objects.filter(profile=Profile.TEACHER).count() == 0
        assert Division.objects.count() == 0

    page = text(apply(client, run))

    assert "Rapport d'import" in page
    assert "Enseignants créés (8)" in page and "Chefs d'établissement créés (1)" in page
    assert "1965-10-19" in page  # initial password of a created teacher, as the product prints it
    with scope(establishment=school):
        assert User.objects.filter(profile=Profile.TEACHER).count() == 8


@pytest.mark.django_db
def test_learners_zip_before_sts_is_refused_with_the_products_message(client, school):
    post_siecle(client, archive=SIECLE_ZIP)
    run = latest_run(school)
    page = text(client.get(f"/0999999F/imports/{run.pk}/"))
    assert run.status == ImportRun.Status.REFUSED
    assert "Fichiers refusés : rien n'a été importé" in page
    assert "doit être importé en premier" in page
    with scope(establishment=school):
        assert not User.objects.filter(profile=Profile.LEARNER).exists()


@pytest.mark.django_db
def test_full_journey_report_download_and_history(client, school):
    post_sts(client)
    apply(client, latest_run(school))
    post_siecle(client, archive=SIECLE_ZIP)
    run = latest_run(school)
    page = text(client.get(f"/0999999F/imports/{run.pk}/"))
    assert "Apprenants à créer (10)" in page and "Responsables à créer (18)" in page
    assert "Apprenants sans INE (non transférables) : 1" in page

    page = text(apply(client, run))
    assert "Apprenants créés (10)" in page and "07032009" in page  # Kévin RICHARD, born 07/03/2009
    assert "RICHARD Kévin" in page  # a guardian's learner

    rows = list(csv.reader(io.StringIO(report_csv(client, run)), delimiter=";"))
    assert rows[1][:6] == ["Catégorie", "Opération", "Nom", "Prénom", "Identifiant", "Mot de passe initial"]
    kevin = next(row for row in rows[2:] if row[4] == "kevin.richard")
    assert kevin[5] == "07032009" and kevin[6] == "2MELEC1"

    history = text(client.get("/0999999F/imports/"))
    assert history.count("Importé") >= 2 and "Siecle_ElevesEtResponsables.zip" in history
    assert "Apprenants : 10 créés" in history


@pytest.mark.django_db
def test_import_is_refused_when_the_base_changed_since_the_analysis(client, school, make_user):
    post_sts(client)
    run = latest_run(school)
    # Meanwhile someone creates a user whose login the analysis had planned for a teacher.
    make_user(school, Profile.TEACHER, login="maelys.chevalier")

    page = text(apply(client, run))

    run.refresh_from_db()
    assert run.status == ImportRun.Status.STALE
    assert "La base a changé depuis l'analyse" in page and "Analyser de nouveau" in page
    with scope(establishment=school):
        assert User.objects.filter(profile=Profile.TEACHER).count() == 1

    client.post(f"/0999999F/imports/{run.pk}/analyser/")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ANALYSED
    apply(client, run)
    with scope(establishment=school):
        assert User.objects.filter(profile=Profile.TEACHER).count() == 9
        assert User.objects.filter(login="maelys.chevalier2").exists()


@pytest.mark.django_db
def test_report_csv_neutralises_formulas(client, school, tmp_path):
    sts = tmp_path / "sts_emp_0999999F_2026.xml"
    sts.write_bytes(STS.read_bytes().replace(b"<NOM_USAGE>CHEVALIER</NOM_USAGE>",
                                             b'<NOM_USAGE>=HYPERLINK("http://x")</NOM_USAGE>', 1))
    post_sts(client, sts)
    run = latest_run(school)
    apply(client, run)
    content = report_csv(client, run)
    assert "'=HYPERLINK" in content
    assert ';=HYPERLINK' not in content


def _report_queries(make_establishment, make_user, uai: str, paths: list[Path]) -> tuple[int, int, str, str]:
    """Imports ``paths`` into a new establishment, then counts the queries of its report page and CSV."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from imports.services import import_files

    school = make_establishment(uai=uai, name=f"Lycée {uai}", email=f"ce.{uai.lower()}@ac-paris.fr")
    admin = make_user(school, Profile.ADMIN, login=f"admin.{uai.lower()}")
    with scope(establishment=school):
        outcome = import_files(school, paths, today=datetime.date(2026, 11, 23))
    assert outcome.ok, outcome.as_json()["problems"][:3]
    client = CommittingClient()
    client.post(f"/{uai}/connexion/", {"username": admin.login, "password": PASSWORD})
    with CaptureQueriesContext(connection) as page_queries:
        page = client.get(f"/{uai}/imports/{outcome.run.pk}/")
    with CaptureQueriesContext(connection) as csv_queries:
        content = b"".join(client.get(f"/{uai}/imports/{outcome.run.pk}/rapport.csv").streaming_content)
    return len(page_queries), len(csv_queries), text(page), content.decode("utf-8-sig")


@pytest.mark.django_db
def test_report_page_and_csv_query_counts_do_not_grow_with_rows(make_establishment, make_user, tmp_path):
    small = _report_queries(make_establishment, make_user, "0999999F", [STS, SIECLE_ZIP])
    generated = generated_set(tmp_path, 450, uai="0750654D")
    large = _report_queries(make_establishment, make_user, "0750654D", list(generated.values()))

    small_page, small_csv, _page, _csv = small
    large_page, large_csv, page, content = large
    assert large_page == small_page <= 30
    assert large_csv == small_csv <= 30
    # The large report is paged on screen (100 lines a section) and whole in the CSV.
    assert "Lignes 1 à 100 sur 44" in page and 'href="?partie=learners-created&page=2#learners-created"' in page
    assert content.count("\r\nApprenants;Créés;") > 400


@pytest.mark.django_db
def test_status_endpoint_reports_progress(client, school):
    post_sts(client)
    run = latest_run(school)
    data = client.get(f"/0999999F/imports/{run.pk}/etat/").json()
    assert data == {"status": "analysed", "label": run.get_status_display(), "progress": 100, "stage": "",
                    "running": False, "interrupted": False}


@pytest.mark.django_db
def test_abandon_deletes_the_stored_files(client, school, settings):
    post_sts(client)
    run = latest_run(school)
    directory = Path(settings.MEDIA_ROOT) / "imports" / "0999999F" / run.token.hex
    assert directory.is_dir() and list(directory.iterdir())
    client.post(f"/0999999F/imports/{run.pk}/abandonner/")
    assert not directory.exists()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ABANDONED


@pytest.mark.django_db
def test_applied_import_leaves_no_uploaded_file(client, school, settings):
    post_sts(client)
    apply(client, latest_run(school))
    assert not any((Path(settings.MEDIA_ROOT) / "imports").rglob("*.bin"))


@pytest.mark.django_db
def test_empty_form_says_what_to_do(client):
    response = client.post("/0999999F/imports/analyse/", {"section": "siecle"})
    assert response.status_code == 400
    assert "Choisissez au moins un fichier." in text(response)


# --- Fichiers hors SIECLE -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_hors_siecle_class_and_learner_by_hand(client, school):
    client.post("/0999999F/imports/hors-siecle/", {"action": "division", "code": "CAP1", "label": "CAP 1re année"})
    with scope(establishment=school):
        division = Division.objects.get(code="CAP1")
        assert division.created_by_hand

    response = client.post("/0999999F/imports/hors-siecle/", {
        "action": "learner", "last_name": "Dupont", "first_name": "Marie", "birth_date": "14/03/2009",
        "ine": "", "division": division.pk}, follow=True)

    assert "identifiant « marie.dupont »" in text(response)
    with scope(establishment=school):
        marie = User.objects.get(login="marie.dupont")
        assert marie.created_by_hand and marie.division == division and marie.check_password("14032009")


@pytest.mark.django_db
def test_hors_siecle_csv_import_goes_through_analysis_and_report(client, school):
    content = ("nom;prenom;date_naissance;ine;classe;sexe;groupes\n"
               "DUPONT;Marie;14/03/2009;1234567890A;CAP1;F;CAP1-AT\n"
               "DUPONT;Marie;02/05/2010;;CAP1;F;\n"
               "=CMD;Léa;01/01/2009;;CAP2;F;\n").encode()
    response = client.post("/0999999F/imports/hors-siecle/", {
        "action": "csv", "csv": SimpleUploadedFile("apprenants.csv", content)})
    run = latest_run(school)
    assert response["Location"] == f"/0999999F/imports/{run.pk}/"
    assert run.status == ImportRun.Status.ANALYSED
    assert run.summary["counts"]["learners"]["created"] == 3
    assert run.summary["divisions"] == ["CAP1", "CAP2"]

    apply(client, run)
    with scope(establishment=school):
        assert User.objects.filter(profile=Profile.LEARNER, last_name="DUPONT").count() == 2  # homonyms: two
        assert User.objects.get(ine="1234567890A").teaching_groups.get().code == "CAP1-AT"
    csv_text = report_csv(client, run)
    assert "'=CMD" in csv_text

    # The same file again: everyone kept, nobody created twice.
    client.post("/0999999F/imports/hors-siecle/", {"action": "csv",
                                                   "csv": SimpleUploadedFile("apprenants.csv", content)})
    run = latest_run(school)
    assert run.summary["counts"]["learners"] == {"created": 0, "kept": 3, "deactivated": 0, "reactivated": 0}


@pytest.mark.django_db
def test_hors_siecle_csv_with_errors_is_refused_with_line_numbers(client, school):
    content = b"nom;prenom;date_naissance\nDUPONT;Marie;31/02/2009\n"
    client.post("/0999999F/imports/hors-siecle/", {"action": "csv",
                                                   "csv": SimpleUploadedFile("apprenants.csv", content)})
    run = latest_run(school)
    page = text(client.get(f"/0999999F/imports/{run.pk}/"))
    assert run.status == ImportRun.Status.REFUSED
    assert "date de naissance illisible" in page and "<td>2</td>" in page
    with scope(establishment=school):
        assert not User.objects.filter(profile=Profile.LEARNER).exists()


@pytest.mark.django_db
def test_analysis_of_a_large_upload_runs_as_a_task(client, school, monkeypatch):
    calls = []
    monkeypatch.setattr("imports.tasks.analyse_run_task.delay", lambda *args: calls.append(args))
    post_sts(client)
    run = latest_run(school)
    assert calls == [(school.pk, run.pk)]
    page = text(client.get(f"/0999999F/imports/{run.pk}/"))
    assert "En attente d'analyse" in page and "data-status-url" in page and 'nonce="' in page

    from imports.tasks import analyse_run_task

    assert analyse_run_task(school.pk, run.pk) == ImportRun.Status.ANALYSED
