"""Resources of a scenario (issue 11): links (http/https), files checked by content (PDF, ODT, DOCX, XLSX, PNG,
JPEG) under a size cap, stored privately, downloaded only by users of the establishment who may view the scenario,
removed with their record; copied with a duplicate."""

import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from accounts.models import Profile
from establishments.scoping import scopes_disabled
from pedagogy import resources
from pedagogy.models import Scenario, ScenarioResource

from .fixtures_users import jpeg_bytes, media_root_fixture, png_bytes  # noqa: F401
from .scenario_factory import make_scenario, melec_version

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def odt_bytes() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    document.text.addElement(P(text="Fiche élève"))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def docx_bytes() -> bytes:
    from docx import Document

    out = io.BytesIO()
    document = Document()
    document.add_paragraph("Fiche de câblage")
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    return zip_bytes({
        "[Content_Types].xml": b'<Types><Override PartName="/xl/workbook.xml" ContentType="application/'
                               b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        "xl/workbook.xml": b"<workbook/>",
    })


@pytest.fixture
def author(establishment, make_user):
    return make_user(establishment, Profile.TEACHER, login="paul.martin", first_name="Paul", last_name="Martin")


@pytest.fixture
def scenario(establishment, author):
    return make_scenario(establishment, melec_version(), authors=[author])


def _add_url(scenario):
    return reverse("tenant:scenario_resource_add", kwargs={"uai": scenario.establishment.uai, "pk": scenario.pk})


def _download_url(resource, uai=None):
    return reverse("tenant:scenario_resource_download", kwargs={
        "uai": uai or resource.establishment.uai, "pk": resource.scenario_id, "resource_pk": resource.pk})


def _upload(client, scenario, name, content, **extra):
    return client.post(_add_url(scenario), {"kind": "file", "file": SimpleUploadedFile(name, content), **extra})


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _stored(media_root) -> list[Path]:
    folder = Path(media_root) / "scenarios"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize("name,content,label", [
    ("cours.pdf", PDF_BYTES, "application/pdf"),
    ("fiche.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
    ("fiche.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("notes.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("schema.png", png_bytes(), "image/png"),
    ("photo.jpg", jpeg_bytes(), "image/jpeg"),
])
def test_accepted_files_are_stored_privately_and_downloaded_as_attachment(scenario, author, login_as, media_root,
                                                                          name, content, label):
    client = login_as(author)

    response = _upload(client, scenario, name, content)

    assert response.status_code == 302
    with scopes_disabled():
        resource = ScenarioResource.objects.get(scenario=scenario)
    assert resource.content_type == label and resource.title == name and resource.size == len(content)
    assert resource.file_path.startswith(f"scenarios/{scenario.establishment.uai}/")
    assert name not in resource.file_path  # a generated name, never the uploaded one
    assert (Path(media_root) / resource.file_path).read_bytes() == content
    download = client.get(_download_url(resource))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"] == f'attachment; filename="{name}"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == label
    # The media URL serves only the establishments' images: never this folder.
    assert client.get(f"/media/{resource.file_path}").status_code == 404


HOSTILE = [
    ("html renamed .pdf", "cours.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "page web (HTML)"),
    ("html without doctype", "cours.pdf", b"\xef\xbb\xbf  <html><body onload=alert(1)>", "page web (HTML)"),
    ("svg renamed .pdf", "cours.pdf", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
                                      b'onload="alert(1)"/>', "images SVG ne sont pas acceptées"),
    ("svg renamed .png", "schema.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
     "images SVG ne sont pas acceptées"),
    ("gif renamed .png", "anim.png", b"GIF89a" + b"\x00" * 40, "de type GIF, quel que soit son nom"),
    ("windows program", "fiche.pdf", b"MZ\x90\x00" + b"\x00" * 60, "de type programme Windows"),
    ("plain text", "notes.pdf", b"Bonjour, voici mes notes", "type de fichier n'est pas accepté"),
    ("truncated png", "schema.png", png_bytes()[:40], "PNG est endommagé"),
    ("zip archive", "fiche.docx", zip_bytes({"a.txt": b"x"}), "de type ZIP"),
    ("macro-enabled word", "fiche.docx", zip_bytes({
        "[Content_Types].xml": b"application/vnd.ms-word.document.macroEnabled.main+xml",
        "word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"}), "macros"),
    ("empty file", "vide.pdf", b"", "vide"),
]


@pytest.mark.parametrize("name,content,expected", [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_files_are_refused_with_a_french_message(scenario, author, login_as, media_root, name, content,
                                                         expected):
    response = _upload(login_as(author), scenario, name, content)

    assert response.status_code == 302
    messages = _messages(response)
    assert any(expected in m for m in messages), messages
    with scopes_disabled():
        assert not ScenarioResource.objects.filter(scenario=scenario).exists()
    assert _stored(media_root) == []


def test_file_over_the_cap_is_refused(scenario, author, login_as, settings, media_root):
    settings.SCENARIO_RESOURCE_MAX_BYTES = 1024 * 1024
    content = PDF_BYTES + b"0" * (1024 * 1024)

    response = _upload(login_as(author), scenario, "gros.pdf", content)

    assert any("la limite est de 1 Mo" in m for m in _messages(response)), _messages(response)
    with scopes_disabled():
        assert not ScenarioResource.objects.exists()
    assert _stored(media_root) == []


def test_a_lying_declared_size_does_not_pass_the_cap(settings):
    settings.SCENARIO_RESOURCE_MAX_BYTES = 1000
    upload = SimpleUploadedFile("gros.pdf", PDF_BYTES + b"0" * 2000)
    upload.size = 10

    with pytest.raises(resources.ResourceRefused, match="la limite"):
        resources.read_checked(upload)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://exemple.fr/a", "exemple.fr",
                                 "data:text/html,<script>"])
def test_links_must_be_http_or_https(scenario, author, login_as, url):
    response = login_as(author).post(_add_url(scenario), {"kind": "link", "url": url, "title": "Lien"})

    assert any("commençant par http:// ou https://" in m for m in _messages(response))
    with scopes_disabled():
        assert not ScenarioResource.objects.exists()


def test_a_link_is_added_with_its_title(scenario, author, login_as):
    login_as(author).post(_add_url(scenario), {"kind": "link", "url": "https://eduscol.education.fr/guide",
                                               "title": "  Guide   Éduscol "})

    with scopes_disabled():
        resource = ScenarioResource.objects.get()
    assert (resource.kind, resource.title, resource.url) == ("link", "Guide Éduscol",
                                                             "https://eduscol.education.fr/guide")


def test_only_users_of_the_establishment_who_may_view_download(scenario, author, establishment, other_establishment,
                                                              make_user, login_as):
    login_as(author).post(_add_url(scenario), {"kind": "file", "file": SimpleUploadedFile("c.pdf", PDF_BYTES)})
    with scopes_disabled():
        resource = ScenarioResource.objects.get()

    other_teacher = make_user(establishment, Profile.TEACHER, login="autre.enseignant")
    inspector = make_user(establishment, Profile.INSPECTOR, login="inspecteur.a")
    assert login_as(other_teacher).get(_download_url(resource)).status_code == 200
    assert login_as(inspector).get(_download_url(resource)).status_code == 200
    learner = make_user(establishment, Profile.LEARNER, login="ines.leroy")
    assert login_as(learner).get(_download_url(resource)).status_code == 403
    stranger = make_user(other_establishment, Profile.TEACHER, login="enseignant.b")
    assert login_as(stranger).get(_download_url(resource, uai=other_establishment.uai)).status_code == 404
    # Another teacher reads but does not add (only authors and co-authors change the scenario).
    assert login_as(other_teacher).post(_add_url(scenario), {"kind": "link", "url": "https://a.fr"}
                                        ).status_code == 404


def test_deleted_resource_loses_its_file_after_commit(scenario, author, login_as, media_root,
                                                     django_capture_on_commit_callbacks):
    client = login_as(author)
    _upload(client, scenario, "c.pdf", PDF_BYTES)
    with scopes_disabled():
        resource = ScenarioResource.objects.get()
    assert len(_stored(media_root)) == 1

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("tenant:scenario_resource_delete", kwargs={
            "uai": scenario.establishment.uai, "pk": scenario.pk, "resource_pk": resource.pk}))
    assert len(_stored(media_root)) == 1  # not before the commit
    for callback in callbacks:
        callback()

    assert response.status_code == 302
    with scopes_disabled():
        assert not ScenarioResource.objects.exists()
    assert _stored(media_root) == []


def test_files_of_a_deleted_scenario_are_removed_only_once_committed(scenario, author, login_as, media_root,
                                                                    django_capture_on_commit_callbacks):
    _upload(login_as(author), scenario, "c.pdf", PDF_BYTES)
    pk = scenario.pk

    with django_capture_on_commit_callbacks(execute=True), scopes_disabled(), pytest.raises(RuntimeError), \
            transaction.atomic():
        Scenario.objects.get(pk=pk).delete()
        raise RuntimeError("rolled back")
    assert len(_stored(media_root)) == 1  # the rollback kept the record: the file stays

    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        Scenario.objects.get(pk=pk).delete()
    assert _stored(media_root) == []


def test_copy_resources_gives_the_copy_its_own_files(scenario, establishment, author, login_as, media_root,
                                                    django_capture_on_commit_callbacks):
    client = login_as(author)
    _upload(client, scenario, "c.pdf", PDF_BYTES)
    client.post(_add_url(scenario), {"kind": "link", "url": "https://eduscol.education.fr/", "title": "Éduscol"})
    target = make_scenario(establishment, scenario.version, authors=[author], title="Copie", link=False)

    with scopes_disabled():
        assert resources.copy_resources(scenario, target) == 2
        copies = list(target.resources.order_by("position"))
        original = scenario.resources.get(kind="file")
    assert [(c.kind, c.title) for c in copies] == [("file", "c.pdf"), ("link", "Éduscol")]
    assert copies[0].file_path != original.file_path
    assert (Path(media_root) / copies[0].file_path).read_bytes() == PDF_BYTES
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        scenario.delete()  # the source's file goes; the copy's stays
    assert (Path(media_root) / copies[0].file_path).read_bytes() == PDF_BYTES


def test_duplicating_a_scenario_copies_its_files(scenario, author, login_as, media_root):
    from pedagogy.scenario_services import duplicate_scenario

    _upload(login_as(author), scenario, "c.pdf", PDF_BYTES)

    with scopes_disabled():
        copy, created = duplicate_scenario(scenario=scenario, actor=author, class_level="TLE")
        copied = copy.resources.get()
        original = scenario.resources.get()
    assert created and copied.title == "c.pdf" and copied.file_path != original.file_path
    assert (Path(media_root) / copied.file_path).read_bytes() == PDF_BYTES


def test_resources_partial_offers_downloads_to_readers_and_forms_to_authors(scenario, author, establishment,
                                                                           make_user, login_as, rf):
    from django.template.loader import render_to_string

    _upload(login_as(author), scenario, "c.pdf", PDF_BYTES)
    with scopes_disabled():
        resource = scenario.resources.get()
        request = rf.get("/")

        def render(may_change):
            return render_to_string("pedagogy/scenarios/_resources.html", {
                "scenario": scenario, "may_change": may_change, "establishment": establishment,
                "labels": {"resources": "Documents et liens"}}, request=request)

        as_reader, as_author = render(False), render(True)
    download = _download_url(resource)
    assert download in as_reader and "Documents et liens" in as_reader
    assert "Déposer le fichier" not in as_reader and "Supprimer" not in as_reader
    assert "Déposer le fichier" in as_author and 'enctype="multipart/form-data"' in as_author
    assert "10 Mo au plus" in as_author
    assert "Supprimer" in as_author


def test_a_shared_scenario_carries_its_files_to_the_receiver(scenario, author, establishment, other_establishment,
                                                             make_user, login_as, media_root,
                                                             django_capture_on_commit_callbacks):
    from establishments.models import AuditEntry
    from pedagogy.models import ScenarioShare
    from referentiels.services import subscribe

    client = login_as(author)
    _upload(client, scenario, "protocole.pdf", PDF_BYTES)
    with scopes_disabled():
        subscribe(other_establishment, scenario.version.diploma)
    share_url = reverse("tenant:scenario_share", kwargs={"uai": establishment.uai, "pk": scenario.pk})
    assert client.post(share_url, {"uai": other_establishment.uai}).status_code == 302

    with scopes_disabled():
        share = ScenarioShare.objects.get()
        sent = share.snapshot["resources"]
        original = scenario.resources.get()
    # The file was copied into the receiver's own folder: the receiver never reads the sender's files.
    assert [r["title"] for r in sent] == ["protocole.pdf"]
    assert sent[0]["file_path"].startswith(f"scenarios/{other_establishment.uai}/")
    assert (Path(media_root) / sent[0]["file_path"]).read_bytes() == PDF_BYTES

    receiver = make_user(other_establishment, Profile.TEACHER, login="julie.morel")
    receiving = login_as(receiver)
    import_url = reverse("tenant:scenario_received_import", kwargs={"uai": other_establishment.uai, "pk": share.pk})
    assert receiving.post(import_url).status_code == 302
    with scopes_disabled():
        copy = ScenarioResource.objects.get(establishment=other_establishment)
    assert copy.kind == "file" and copy.title == "protocole.pdf" and copy.file_path != original.file_path
    download = receiving.get(_download_url(copy))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    # The sender deleting its scenario leaves the receiver's copy whole.
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        scenario.delete()
    assert (Path(media_root) / copy.file_path).read_bytes() == PDF_BYTES
    with scopes_disabled():
        sender_log = set(AuditEntry.objects.filter(establishment=establishment).values_list("action", flat=True))
        receiver_log = set(AuditEntry.objects.filter(establishment=other_establishment)
                           .values_list("action", flat=True))
    assert {"scenario.resource.add", "scenario.share"} <= sender_log
    assert "scenario.import" in receiver_log


def test_a_received_scenario_deleted_before_its_import_takes_its_files(scenario, author, other_establishment,
                                                                       login_as, media_root,
                                                                       django_capture_on_commit_callbacks):
    from pedagogy.models import ScenarioShare
    from pedagogy.scenario_services import share_scenario
    from referentiels.services import subscribe

    _upload(login_as(author), scenario, "protocole.pdf", PDF_BYTES)
    with scopes_disabled():
        subscribe(other_establishment, scenario.version.diploma)
        share_scenario(scenario=scenario, actor=author, uai=other_establishment.uai)
        share = ScenarioShare.objects.get()
    copied = Path(media_root) / share.snapshot["resources"][0]["file_path"]
    assert copied.exists()
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        share.delete()
    assert not copied.exists()
