"""Gestion des accès apprenants: the list of learners' logins per class, printable, as ODT and as PDF."""

import datetime
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from odf import teletype
from odf.opendocument import load as load_odt
from odf.table import TableRow
from pypdf import PdfReader

from accounts.models import Profile
from documents.models import GeneratedDocument
from establishments.models import AuditEntry, Division
from establishments.scoping import scope, scopes_disabled

from .fixtures_users import PASSWORD, admin_client_fixture, admin_fixture, media_root_fixture, text  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/0750654D/utilisateurs/acces-apprenants/"


@pytest.fixture
def classes(establishment, other_establishment, make_user):
    with scopes_disabled():
        melec = Division.objects.create(establishment=establishment, code="2MELEC1", label="2nde MELEC")
        ciel = Division.objects.create(establishment=establishment, code="1CIEL")
        elsewhere = Division.objects.create(establishment=other_establishment, code="2AUTRE")
    learners = {
        "ines": make_user(establishment, Profile.LEARNER, login="ines.leroy", password=None, last_name="Leroy",
                          first_name="Inès", birth_date=datetime.date(2009, 3, 14), division=melec),
        "hugo": make_user(establishment, Profile.LEARNER, login="hugo.bon", last_name="Bon", first_name="Hugo",
                          birth_date=datetime.date(2009, 7, 2), division=melec),  # chose his own password
        "lea": make_user(establishment, Profile.LEARNER, login="lea.main", last_name="Main", first_name="Léa",
                         birth_date=datetime.date(2009, 1, 5), division=melec, created_by_hand=True,
                         must_change_password=True),  # temporary password sent by e-mail
        "gone": make_user(establishment, Profile.LEARNER, login="parti", password=None, last_name="Parti",
                          birth_date=datetime.date(2008, 1, 1), division=melec, is_active=False),
        "ciel": make_user(establishment, Profile.LEARNER, login="sam.ciel", password=None, last_name="Ciel",
                          birth_date=datetime.date(2008, 5, 6), division=ciel),
        "nowhere": make_user(establishment, Profile.LEARNER, login="sans.classe", password=None,
                             last_name="Sansclasse", birth_date=datetime.date(2008, 5, 7)),
    }
    return {"melec": melec, "ciel": ciel, "elsewhere": elsewhere, **learners}


def test_classes_are_offered_with_their_number_of_learners(admin_client, classes):
    page = text(admin_client.get(URL))
    assert "2MELEC1 — 2nde MELEC (3 apprenants)" in page and "1CIEL (1 apprenant)" in page
    assert "Apprenants sans classe (1)" in page
    assert "2AUTRE" not in page


def test_class_list_shows_login_and_initial_password_while_unchanged(admin_client, classes, settings):
    settings.SITE_URL = "https://cpro.example.fr"
    page = text(admin_client.get(URL + f"?classe={classes['melec'].pk}"))
    assert "https://cpro.example.fr/0750654D/connexion/" in page
    table = page.split('data-testid="learner-access"')[1].split("</table>")[0]
    assert "ines.leroy" in table and "14032009" in table
    assert "hugo.bon" in table and "modifié" in table and "02072009" not in table
    assert "lea.main" in table and "envoyé par e-mail" in table and "créé manuellement" in table
    assert "parti" not in table and "sam.ciel" not in table
    assert "Imprimer" in page and "data-cpro-print" in page
    assert f"/utilisateurs/acces-apprenants/{classes['melec'].pk}/identifiants.odt" in page
    assert f"/utilisateurs/acces-apprenants/{classes['melec'].pk}/identifiants.pdf" in page
    assert "Télécharger (PDF)" in page and "Télécharger (ODT)" in page


def test_learners_without_class_can_be_listed(admin_client, classes):
    page = text(admin_client.get(URL + "?classe=sans"))
    assert "sans.classe" in page and "07052008" in page and "ines.leroy" not in page


def test_another_establishment_s_class_is_not_shown(admin_client, classes):
    page = text(admin_client.get(URL + f"?classe={classes['elsewhere'].pk}"))
    assert "Cette classe n'existe pas dans l'établissement" in page
    assert admin_client.get(URL + f"{classes['elsewhere'].pk}/identifiants.odt").status_code == 404
    assert admin_client.get(URL + f"{classes['elsewhere'].pk}/identifiants.pdf").status_code == 404


def test_odt_download_holds_the_class_list(admin_client, establishment, classes):
    response = admin_client.get(URL + f"{classes['melec'].pk}/identifiants.odt")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.text"
    assert response["Content-Disposition"] == 'attachment; filename="identifiants-2melec1.odt"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as odt:
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    document = load_odt(io.BytesIO(response.content))
    content = teletype.extractText(document.text)
    assert "Identifiants des apprenants — classe 2MELEC1" in content
    assert "Lycée Jean Jaurès (UAI 0750654D)" in content
    rows = [[teletype.extractText(cell) for cell in row.childNodes] for row in document.getElementsByType(TableRow)]
    assert rows[0] == ["Apprenant", "Identifiant", "Mot de passe initial"]
    assert [row[1:] for row in rows[1:]] == [["hugo.bon", "modifié"], ["ines.leroy", "14032009"],
                                             ["lea.main", "envoyé par e-mail"]]
    assert [row[0] for row in rows[1:]] == [classes[key].full_name for key in ("hugo", "ines", "lea")]
    with scope(establishment=establishment):
        entry = AuditEntry.objects.get()
    assert entry.action == "learner_access.download" and "14032009" not in str(entry.details)
    assert entry.details["format"] == "ODT"


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_download_holds_the_same_list_as_the_page(admin_client, establishment, classes, settings):
    settings.SITE_URL = "https://cpro.example.fr"
    response = admin_client.get(URL + f"{classes['melec'].pk}/identifiants.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="identifiants-2melec1.pdf"'
    content = _pdf_text(response.content)
    assert "Identifiants des apprenants — classe 2MELEC1" in content
    assert "Lycée Jean Jaurès (UAI 0750654D)" in content
    assert "https://cpro.example.fr/0750654D/connexion/" in content
    assert "ines.leroy" in content and "14032009" in content
    assert "hugo.bon" in content and "02072009" not in content
    assert "lea.main" in content and "envoyé par e-mail" in content
    assert "parti" not in content and "sam.ciel" not in content
    assert "Imprimer" not in content and "Réinitialiser" not in content  # the page's buttons stay on the page
    with scope(establishment=establishment):
        entry = AuditEntry.objects.get()
    assert entry.details == {"classe": "2MELEC1", "apprenants": 3, "format": "PDF"}


def test_a_very_large_class_is_prepared_in_the_background(admin_client, admin, establishment, classes, settings,
                                                          media_root, django_capture_on_commit_callbacks):
    settings.DOCUMENTS_INLINE_MAX_ROWS = 2  # the class has 3 learners
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued once the request commits
        response = admin_client.get(URL + f"{classes['melec'].pk}/identifiants.pdf")
    assert response.status_code == 302 and response["Location"] == "/0750654D/documents/"
    page = text(admin_client.get(response["Location"]))
    assert "Identifiants des apprenants — classe 2MELEC1 (PDF)" in page and "Prêt" in page
    with scope(establishment=establishment):
        document = GeneratedDocument.objects.get()
    assert document.owner == admin and document.file.name.startswith("documents/0750654D/")
    assert document.expires_at <= timezone.now() + datetime.timedelta(hours=24)  # it holds initial passwords
    download = admin_client.get(f"/0750654D/documents/{document.pk}/telecharger/")
    assert download["Content-Disposition"] == 'attachment; filename="identifiants-2melec1.pdf"'
    assert "ines.leroy" in _pdf_text(b"".join(download.streaming_content))


def test_reset_from_the_list_brings_the_initial_password_back(admin_client, classes):
    hugo = classes["hugo"]
    back = URL + f"?classe={classes['melec'].pk}"
    response = admin_client.post(f"/0750654D/utilisateurs/{hugo.pk}/mot-de-passe/", {"next": back})
    assert response["Location"] == back
    page = text(admin_client.get(back))
    assert "est revenu au mot de passe initial" in page
    assert "02072009" in page.split('data-testid="learner-access"')[1]
    hugo.refresh_from_db()
    assert hugo.has_initial_password and not hugo.check_password(PASSWORD)


def test_reset_does_not_redirect_outside_the_establishment(admin_client, classes):
    response = admin_client.post(f"/0750654D/utilisateurs/{classes['hugo'].pk}/mot-de-passe/",
                                 {"next": "https://evil.example/"})
    assert response["Location"] == f"/0750654D/utilisateurs/{classes['hugo'].pk}/"


def test_list_runs_a_constant_number_of_queries(admin_client, establishment, classes, make_user):
    url = URL + f"?classe={classes['melec'].pk}"

    def count_queries():
        admin_client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            page = text(admin_client.get(url))
        return len(ctx.captured_queries), page

    with_3, _ = count_queries()
    with scopes_disabled():
        for i in range(40):
            make_user(establishment, Profile.LEARNER, login=f"more{i}", password=None, last_name=f"More{i}",
                      birth_date=datetime.date(2009, 1, 1), division=classes["melec"])
    with_43, page = count_queries()
    assert "43 apprenants" in page
    assert with_3 == with_43 <= 10


def test_teachers_and_learners_cannot_see_the_logins(establishment, make_user, login_as, classes):
    for profile in (Profile.TEACHER, Profile.LEARNER, Profile.INSPECTOR):
        client = login_as(make_user(establishment, profile, login=f"x.{profile.value}"))
        assert client.get(URL).status_code == 403
        assert client.get(URL + f"{classes['melec'].pk}/identifiants.odt").status_code == 403
        assert client.get(URL + f"{classes['melec'].pk}/identifiants.pdf").status_code == 403
