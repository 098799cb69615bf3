"""The documents layer: every format opens and holds its text, CSV cells never run as formulas, a PDF never
fetches a file, large documents are built in the background as private files of their owner, then expire."""

import datetime
import io
import os
import time
import zipfile

import pytest
from django.utils import timezone
from docx import Document as DocxDocument
from odf import teletype
from odf.opendocument import load as load_odt
from odf.table import TableCell
from pypdf import PdfReader

from accounts.models import Profile
from documents import formats, producers, services
from documents.formats import Sheet, Table
from documents.models import GeneratedDocument
from establishments.scoping import scope

from .fixtures_users import media_root_fixture, text  # noqa: F401

SHEET = Sheet(title="Liste — 2MELEC1", paragraphs=["Lycée Jean Jaurès (UAI 0750654D)"],
              tables=[Table(headers=("Nom", "Identifiant"), rows=[("Inès Leroy", "ines.leroy"),
                                                                   ("=HYPERLINK(1)", "@evil")],
                            monospace=frozenset({1}))])


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@producers.register("test.rows")
def _rows_producer(establishment, owner, params):
    if params.get("fail"):
        raise RuntimeError("boom")
    return formats.csv_file([["Établissement", establishment.uai], ["Pour", owner.login]], "lignes.csv")


# Formats -------------------------------------------------------------------------------------------------------


def test_odt_opens_and_holds_the_table():
    file = formats.odt(SHEET, "liste.odt")
    assert file.content_type == "application/vnd.oasis.opendocument.text"
    document = load_odt(io.BytesIO(file.content))
    cells = [teletype.extractText(cell) for cell in document.getElementsByType(TableCell)]
    assert cells == ["Nom", "Identifiant", "Inès Leroy", "ines.leroy", "=HYPERLINK(1)", "@evil"]
    assert "Liste — 2MELEC1" in teletype.extractText(document.text)


def test_docx_opens_and_holds_the_table():
    file = formats.docx(SHEET, "liste.docx")
    document = DocxDocument(io.BytesIO(file.content))
    assert document.paragraphs[0].text == "Liste — 2MELEC1"
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows == [["Nom", "Identifiant"], ["Inès Leroy", "ines.leroy"], ["=HYPERLINK(1)", "@evil"]]


def test_csv_cells_never_start_a_formula():
    content = formats.sheet_csv(SHEET, "liste.csv").content.decode("utf-8")
    assert content.startswith("\ufeff")
    lines = content.lstrip("\ufeff").splitlines()
    assert lines[2] == "Inès Leroy;ines.leroy"
    assert lines[3] == "'=HYPERLINK(1);'@evil"
    assert [formats.safe_cell(v) for v in ("-1", "+1", "\tx", None, 12)] == ["'-1", "'+1", "'\tx", "", "12"]


def test_import_report_uses_the_same_formula_safety():
    from imports import report

    assert report.safe_cell is formats.safe_cell


def test_pdf_holds_the_text_and_fetches_no_file(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text('body::after { content: "CONTENU-SECRET"; }')
    html = (f'<html><head><link rel="stylesheet" href="file://{secret}"><style>@import url("file://{secret}");'
            f'</style></head><body><h1>Identifiants</h1><p>ines.leroy 14032009</p>'
            f'<img src="file:///etc/hostname"></body></html>')
    file = formats.pdf_from_html(html, "x.pdf")
    assert file.content.startswith(b"%PDF")
    content = pdf_text(file.content)
    assert "Identifiants" in content and "ines.leroy 14032009" in content
    assert "CONTENU-SECRET" not in content


def test_a_file_is_sent_as_an_attachment():
    response = formats.csv_file([["a"]], "liste élèves.csv").response()
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


# Small in the request, large in the background -------------------------------------------------------------------


@pytest.fixture
def teacher(establishment, make_user):
    return make_user(establishment, Profile.TEACHER, login="paul.prof")


def test_a_small_document_comes_back_at_once(establishment, teacher, settings):
    settings.DOCUMENTS_INLINE_MAX_ROWS = 10
    with scope(establishment=establishment):
        result = services.deliver("test.rows", establishment=establishment, owner=teacher, params={}, size=10,
                                  title="Lignes")
        assert isinstance(result, formats.File) and b"0750654D" in result.content
        assert not GeneratedDocument.objects.exists()


def _start_large(establishment, owner, settings, django_capture_on_commit_callbacks, **params):
    settings.DOCUMENTS_INLINE_MAX_ROWS = 10
    with scope(establishment=establishment), django_capture_on_commit_callbacks(execute=True):
        result = services.deliver("test.rows", establishment=establishment, owner=owner, params=params, size=11,
                                  title="Lignes")
    assert isinstance(result, GeneratedDocument)
    with scope(establishment=establishment):
        result.refresh_from_db()
    return result


def test_a_large_document_becomes_a_private_file_of_its_owner(
        establishment, other_establishment, teacher, make_user, login_as, settings, media_root,
        django_capture_on_commit_callbacks):
    document = _start_large(establishment, teacher, settings, django_capture_on_commit_callbacks)
    assert document.status == GeneratedDocument.Status.READY
    assert document.file.name.startswith("documents/0750654D/") and document.file.name.endswith("-lignes.csv")
    assert (media_root / document.file.name).is_file()
    assert document.expires_at - timezone.now() > datetime.timedelta(hours=70)

    owner = login_as(teacher)
    page = text(owner.get("/0750654D/documents/"))
    assert "Lignes" in page and "Prêt" in page
    url = f"/0750654D/documents/{document.pk}/telecharger/"
    assert url in page
    response = owner.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="lignes.csv"'
    assert b"paul.prof" in b"".join(response.streaming_content)

    colleague = login_as(make_user(establishment, Profile.ADMIN, login="claire.admin"))
    assert colleague.get(url).status_code == 404
    assert "Lignes" not in text(colleague.get("/0750654D/documents/"))
    stranger = login_as(make_user(other_establishment, Profile.TEACHER, login="paul.prof"))
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"/0999999F/documents/{document.pk}/telecharger/").status_code == 404


def test_an_expired_document_cannot_be_downloaded(establishment, teacher, login_as, settings,
                                                  django_capture_on_commit_callbacks):
    document = _start_large(establishment, teacher, settings, django_capture_on_commit_callbacks)
    with scope(establishment=establishment):
        GeneratedDocument.objects.filter(pk=document.pk).update(expires_at=timezone.now())
    assert login_as(teacher).get(f"/0750654D/documents/{document.pk}/telecharger/").status_code == 404


def test_a_failed_document_says_so(establishment, teacher, login_as, settings, django_capture_on_commit_callbacks):
    document = _start_large(establishment, teacher, settings, django_capture_on_commit_callbacks, fail=True)
    assert document.status == GeneratedDocument.Status.FAILED and not document.file
    page = text(login_as(teacher).get("/0750654D/documents/"))
    assert "Échec" in page and "La préparation du document a échoué" in page
    assert f"/documents/{document.pk}/telecharger/" not in page


def test_a_task_delivered_twice_builds_once(establishment, teacher, settings, django_capture_on_commit_callbacks):
    from documents.tasks import build_document_task

    document = _start_large(establishment, teacher, settings, django_capture_on_commit_callbacks)
    first = document.file.name
    assert build_document_task(establishment.pk, document.pk) == GeneratedDocument.Status.READY
    with scope(establishment=establishment):
        document.refresh_from_db()
    assert document.file.name == first


def test_the_daily_task_removes_expired_documents_and_files_left_without_record(
        establishment, teacher, settings, media_root, django_capture_on_commit_callbacks):
    from documents.tasks import remove_expired_documents_task

    old = _start_large(establishment, teacher, settings, django_capture_on_commit_callbacks)
    fresh = _start_large(establishment, teacher, settings, django_capture_on_commit_callbacks)
    with scope(establishment=establishment):
        GeneratedDocument.objects.filter(pk=old.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    orphan = media_root / "documents" / "0750654D" / "0123-orphelin.pdf"
    orphan.write_bytes(b"%PDF")
    week_ago = time.time() - 7 * 24 * 3600
    os.utime(orphan, (week_ago, week_ago))
    recent_orphan = media_root / "documents" / "0750654D" / "4567-en-cours.pdf"
    recent_orphan.write_bytes(b"%PDF")

    with django_capture_on_commit_callbacks(execute=True):
        assert remove_expired_documents_task() == 1

    with scope(establishment=establishment):
        assert list(GeneratedDocument.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not (media_root / old.file.name).exists()
    assert (media_root / fresh.file.name).exists()
    assert not orphan.exists() and recent_orphan.exists()


def test_expired_documents_are_removed_every_day():
    from cpro.celery import app

    assert "documents.remove_expired_documents" in {entry["task"] for entry in app.conf.beat_schedule.values()}


def test_an_unknown_kind_is_refused_in_the_request(establishment, teacher):
    with scope(establishment=establishment), pytest.raises(LookupError):
        services.start("nothing.here", establishment=establishment, owner=teacher, params={}, title="x")


def test_odt_is_a_valid_package():
    with zipfile.ZipFile(io.BytesIO(formats.odt(SHEET, "x.odt").content)) as odt:
        assert odt.namelist()[0] == "mimetype"
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"


pytestmark = pytest.mark.django_db


def test_user_managers_find_their_documents_in_the_menu(establishment, make_user, login_as):
    manager = login_as(make_user(establishment, Profile.ADMIN, login="claire.admin"))
    assert 'href="/0750654D/documents/"' in manager.get("/0750654D/").content.decode()
    learner = login_as(make_user(establishment, Profile.LEARNER, login="ines.leroy"))
    assert 'href="/0750654D/documents/"' not in learner.get("/0750654D/").content.decode()
