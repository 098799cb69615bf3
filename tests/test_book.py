"""Book des apprenants (issue 14): the learner records achievements, picks some for the passport, exports the book;
the teachers of their class read and comment; nothing of it exists until the book is activated."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from accounts import learner_data
from establishments.scoping import scopes_disabled
from pedagogy import book
from pedagogy.models import Achievement, AchievementComment, AchievementFile

from .book_factory import add_achievement, make_world
from .fixtures_users import media_root_fixture, png_bytes, text  # noqa: F401
from .referentiel_factory import make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(establishment, make_user):
    return make_world(establishment, make_user)


def achievements_of(learner):
    with scopes_disabled():
        return list(Achievement.objects.filter(learner=learner))


def form(version, **fields):
    task = version.tasks.get(code="T2.3")
    return {"title": "Tableau de répartition d'un studio", "date": "2026-10-12", "setting": "etablissement",
            "context": "Atelier, cellule habitat", "actions": "J'ai câblé le tableau.", "tasks": [task.pk],
            "token": "jeton-1", **fields}


def test_the_learner_records_an_achievement_once_even_posted_twice(world, login_as, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
    client = login_as(world["learner"])
    assert "Mon book" in text(client.get("/0750654D/"))  # the menu entry and the home card
    assert "Ajouter une réussite" in text(client.get("/0750654D/book/"))
    page = client.get("/0750654D/book/nouvelle/")
    assert "T2.3 — Raccorder les équipements électriques" in text(page)  # the tasks of the learner's référentiel
    first = client.post("/0750654D/book/nouvelle/", form(world["version"]))
    second = client.post("/0750654D/book/nouvelle/", form(world["version"]))
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    [achievement] = achievements_of(world["learner"])
    assert achievement.version == world["version"] and [t.code for t in achievement.tasks.all()] == ["T2.3"]
    detail = text(client.get(first["Location"]))
    assert "Tableau de répartition d'un studio" in detail and "J'ai câblé le tableau." in detail
    listing = text(client.get("/0750654D/book/"))
    assert "1 réussite" in listing and "T2.3" in listing


def test_bad_input_gets_a_message_on_its_field_and_nothing_is_saved(world, login_as, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
    client = login_as(world["learner"])
    with scopes_disabled():
        foreign = make_version("MMV", "2020").tasks.first()
    for data, message in [
        ({"title": ""}, "Donnez un titre à votre réussite."),
        ({"date": "2027-01-01"}, "La date ne peut pas être dans le futur."),
        ({"date": "31/02/2026"}, "Saisissez une date valide"),
        ({"tasks": [foreign.pk]}, "Choisissez les tâches parmi celles de votre référentiel."),
    ]:
        response = client.post("/0750654D/book/nouvelle/", form(world["version"], **data))
        assert response.status_code == 200 and message in text(response), data
    assert achievements_of(world["learner"]) == []


def test_an_upload_of_a_refused_type_is_refused_and_an_image_is_kept(establishment, world, login_as):
    achievement = add_achievement(establishment, world["learner"])
    client = login_as(world["learner"])
    url = f"/0750654D/book/{achievement.pk}/fichiers/"
    html = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = client.post(url, {"file": html})
    assert response.status_code == 400 and "Ce fichier est une page web (HTML)" in text(response)
    exe = SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    assert "programme Windows" in text(client.post(url, {"file": exe}))
    with scopes_disabled():
        assert not AchievementFile.objects.exists()
    for _ in range(2):  # a double click stores the file once
        ok = client.post(url, {"file": SimpleUploadedFile("atelier.png", png_bytes()), "title": "Mon tableau"})
        assert ok.status_code == 302
    with scopes_disabled():
        row = AchievementFile.objects.get()
    assert row.content_type == "image/png" and row.file.name.startswith("book/0750654D/")
    download = login_as(world["teacher"]).get(f"/0750654D/book/{achievement.pk}/fichiers/{row.pk}/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == png_bytes()
    other = login_as(world["other_teacher"]).get(f"/0750654D/book/{achievement.pk}/fichiers/{row.pk}/")
    assert other.status_code == 404


def test_the_photos_of_an_achievement_are_shown_on_its_page(establishment, world, login_as):
    achievement = add_achievement(establishment, world["learner"])
    with scopes_disabled():
        photo = book.add_file(achievement, SimpleUploadedFile("atelier.png", png_bytes()), title="Mon tableau")
    url = f"/0750654D/book/{achievement.pk}/"
    for client in (login_as(world["learner"]), login_as(world["teacher"])):
        page = text(client.get(url))
        assert f'<img src="{url}fichiers/{photo.pk}/" alt="Photo : Mon tableau"' in page


def test_picking_for_the_passport_sets_the_choice_asked(establishment, world, login_as):
    achievement = add_achievement(establishment, world["learner"])
    client = login_as(world["learner"])
    url = f"/0750654D/book/{achievement.pk}/passeport/"
    for _ in range(2):  # a double click keeps the achievement retained
        assert client.post(url, {"retenue": "1"}).status_code == 302
    achievement.refresh_from_db()
    assert achievement.for_passport
    assert "Tableau de répartition" in text(client.get("/0750654D/passeport/"))
    client.post(url, {"retenue": "0"})
    achievement.refresh_from_db()
    assert not achievement.for_passport
    assert client.get(url).status_code == 405


def test_a_teacher_of_the_class_reads_and_comments_others_cannot(establishment, world, login_as):
    achievement = add_achievement(establishment, world["learner"], actions="J'ai posé les goulottes.")
    teacher = login_as(world["teacher"])
    assert "Book des apprenants" in text(teacher.get("/0750654D/"))
    books = text(teacher.get("/0750654D/book/"))
    assert "LEROY Inès" in books and "AUTRE" not in books
    assert "Tableau de répartition" in text(teacher.get(f"/0750654D/book/apprenants/{world['learner'].pk}/"))
    assert "Commenter" in text(teacher.get(f"/0750654D/book/{achievement.pk}/"))
    for _ in range(2):  # a double click writes one comment
        response = teacher.post(f"/0750654D/book/{achievement.pk}/commentaires/", {"text": "Travail soigné, bravo."})
        assert response.status_code == 302
    empty = teacher.post(f"/0750654D/book/{achievement.pk}/commentaires/", {"text": "  "})
    assert empty.status_code == 400 and "Écrivez votre commentaire." in text(empty)
    learner_page = text(login_as(world["learner"]).get(f"/0750654D/book/{achievement.pk}/"))
    assert "DURAND Paul" in learner_page and "Travail soigné, bravo." in learner_page

    other = login_as(world["other_teacher"])
    assert other.get(f"/0750654D/book/{achievement.pk}/").status_code == 404
    assert other.post(f"/0750654D/book/{achievement.pk}/commentaires/", {"text": "Intrus"}).status_code == 404
    assert other.get(f"/0750654D/book/apprenants/{world['learner'].pk}/").status_code == 404
    assert login_as(world["learner"]).post(f"/0750654D/book/{achievement.pk}/commentaires/",
                                           {"text": "Moi"}).status_code == 403
    # A teacher reads, but never changes the learner's achievement.
    assert teacher.post(f"/0750654D/book/{achievement.pk}/modifier/", form(world["version"])).status_code == 403
    with scopes_disabled():
        assert list(AchievementComment.objects.values_list("text", flat=True)) == ["Travail soigné, bravo."]


def test_another_learner_reaches_nothing_of_the_book(establishment, world, login_as):
    achievement = add_achievement(establishment, world["learner"])
    other = login_as(world["other_learner"])
    for url in (f"/0750654D/book/{achievement.pk}/", f"/0750654D/book/{achievement.pk}/modifier/",
                f"/0750654D/book/{achievement.pk}/supprimer/"):
        assert other.get(url).status_code == 404
    assert other.post(f"/0750654D/book/{achievement.pk}/supprimer/").status_code == 404
    assert "Tableau de répartition" not in text(other.get("/0750654D/book/"))
    assert achievements_of(world["learner"]) == [achievement]


def test_the_learner_deletes_an_achievement_with_its_files(establishment, world, login_as,
                                                           django_capture_on_commit_callbacks):
    achievement = add_achievement(establishment, world["learner"])
    with scopes_disabled():
        row = book.add_file(achievement, SimpleUploadedFile("a.png", png_bytes()))
    storage, name = row.file.storage, row.file.name
    assert storage.exists(name)
    client = login_as(world["learner"])
    assert "avec 1 fichier" in text(client.get(f"/0750654D/book/{achievement.pk}/supprimer/"))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/0750654D/book/{achievement.pk}/supprimer/").status_code == 302
    assert achievements_of(world["learner"]) == [] and not storage.exists(name)


def test_the_book_exports_one_page_per_achievement(establishment, world, login_as):
    for number in range(3):
        achievement = add_achievement(establishment, world["learner"], f"Réussite numéro {number}",
                                      actions="Ce que j'ai fait " * 20)
    with scopes_disabled():
        book.add_file(achievement, SimpleUploadedFile("a.png", png_bytes((800, 600))), title="Le tableau posé")
    response = login_as(world["learner"]).get("/0750654D/book/export.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3 and reader.metadata.title == "LEROY Inès"
    for number, page in enumerate(reversed(reader.pages)):  # newest first: the book's order
        assert f"Réussite numéro {number}" in page.extract_text()
    assert len(reader.pages[0].images) == 1
    assert "Le tableau posé" in reader.pages[0].extract_text()  # each photo with its title under it


def test_when_the_book_is_off_its_pages_say_so_and_write_nothing(establishment, world, login_as):
    achievement = add_achievement(establishment, world["learner"])
    with scopes_disabled():
        establishment.book_enabled = False
        establishment.save()
    assert not book.book_enabled(establishment)
    client = login_as(world["learner"])
    page = client.get("/0750654D/book/")
    assert page.status_code == 200 and "n'est pas activé" in text(page) and "Ajouter une réussite" not in text(page)
    assert "Mon book" not in text(client.get("/0750654D/"))  # no menu entry, no card
    assert client.post("/0750654D/book/nouvelle/", form(world["version"])).status_code == 403
    assert client.post(f"/0750654D/book/{achievement.pk}/supprimer/").status_code == 403
    assert "n'est pas activé" in text(client.get(f"/0750654D/book/{achievement.pk}/"))
    assert "n'est pas activé" in text(client.get("/0750654D/book/export.pdf"))
    teacher = login_as(world["teacher"])
    assert teacher.post(f"/0750654D/book/{achievement.pk}/commentaires/", {"text": "x"}).status_code == 403
    assert achievements_of(world["learner"]) == [achievement]
    with scopes_disabled():
        assert not AchievementComment.objects.exists()


def test_the_book_reads_the_consoles_switch(establishment):
    """One switch, the establishment's (set on the pilot console): pedagogy reads the same function as every app."""
    from establishments import selectors

    assert book.book_enabled is selectors.book_enabled
    establishment.book_enabled = True
    assert book.book_enabled(establishment) is True
    establishment.book_enabled = False
    assert book.book_enabled(establishment) is False


def test_the_book_is_learner_data_moved_and_purged_with_the_learner():
    labels = {entry.label for entry in learner_data.entries()}
    assert {"pedagogy.Achievement", "pedagogy.AchievementFile", "pedagogy.AchievementComment"} <= labels
    assert learner_data.entry("pedagogy.AchievementFile").file_fields() == ["file"]


def test_the_book_pages_queries_do_not_grow_with_the_achievements(establishment, world, login_as):
    client = login_as(world["learner"])
    teacher = login_as(world["teacher"])

    def count(client, url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add_achievement(establishment, world["learner"], "Une")
    small = (count(client, "/0750654D/book/"), count(teacher, f"/0750654D/book/apprenants/{world['learner'].pk}/"),
             count(teacher, "/0750654D/book/"))
    with scopes_disabled():
        tasks = list(world["version"].tasks.all())
    for number in range(6):
        achievement = add_achievement(establishment, world["learner"], f"Réussite {number}")
        achievement.tasks.set(tasks)
    add_achievement(establishment, world["other_learner"], "Autre")
    assert (count(client, "/0750654D/book/"), count(teacher, f"/0750654D/book/apprenants/{world['learner'].pk}/"),
            count(teacher, "/0750654D/book/")) == small
