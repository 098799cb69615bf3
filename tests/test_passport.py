"""Passeport professionnel (issue 14): the PDF a learner leaves with, opened back with pypdf."""

import datetime
import io
import random

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image
from pypdf import PdfReader

from accounts.models import Profile
from establishments.scoping import scopes_disabled
from pedagogy import passport as service
from tests.conftest import PASSWORD

from .book_factory import add_achievement, add_evidence, make_world
from .fixtures_users import media_root_fixture, text  # noqa: F401

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def noisy_png(size=(1600, 1200)) -> bytes:
    """An image that compresses badly (random pixels): the worst case for the PDF's weight."""
    rng = random.Random(4)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(establishment, make_user):
    return add_evidence(establishment, make_world(establishment, make_user))


def test_the_passport_pdf_holds_the_establishment_the_learner_the_competencies_and_the_periods(
        establishment, world, login_as):
    add_achievement(establishment, world["learner"], "Mise en service d'une VMC", picked=True,
                    actions="J'ai raccordé et réglé la VMC.")
    add_achievement(establishment, world["learner"], "Brouillon non retenu")
    with scopes_disabled():
        establishment.address = "12 rue des Écoles\n75005 Paris"
        establishment.save()
    response = login_as(world["learner"]).get("/0750654D/passeport/passeport.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "passeport-leroy-ines.pdf" in response["Content-Disposition"]
    content = " ".join(pdf_text(response).split())
    assert "Lycée Jean Jaurès" in content and "UAI 0750654D" in content and "75005 Paris" in content
    assert "Inès LEROY" in content and "14 mars 2009" in content and "INE 123456789AB" in content
    assert "MELEC 2024" in content
    assert "C1 — Analyser les conditions de l'opération" in content and "Maîtrisé" in content
    assert "C7" in content and "Bien maîtrisé (proposé)" in content  # observed only: proposed, said so
    for number in (1, 2):
        assert f"PFMP {number}" in content and f"Électricité Martin {number}" in content
    assert "T2.3 — Raccorder les équipements électriques" in content
    assert "Mise en service d'une VMC" in content and "Brouillon non retenu" not in content
    assert PdfReader(io.BytesIO(response.content)).metadata.title == "LEROY Inès"


def test_the_retained_level_is_the_last_validated_bilan_s_and_a_draft_counts_for_nothing(establishment, world):
    from pedagogy.models import Bilan, BilanLine, Level

    learner, version = world["learner"], world["version"]
    c1 = version.competencies.get(code="C1")
    with scopes_disabled():
        later = Bilan.objects.create(establishment=establishment, learner=learner, period_label="Trimestre 2",
                                     period_start=datetime.date(2026, 12, 1), period_end=datetime.date(2027, 2, 28),
                                     version=version, status=Bilan.Status.VALIDATED)
        BilanLine.objects.create(establishment=establishment, bilan=later, competency=c1,
                                 retained_level=Level.WELL_MASTERED)
        draft = Bilan.objects.create(establishment=establishment, learner=learner, period_label="Trimestre 3",
                                     period_start=datetime.date(2027, 3, 1), period_end=datetime.date(2027, 5, 31),
                                     version=version)
        BilanLine.objects.create(establishment=establishment, bilan=draft, competency=c1,
                                 retained_level=Level.NOT_MASTERED)
        data = service.passport(learner, establishment, today=datetime.date(2027, 6, 1))
    rows = {row.code: row for row in data.competencies}
    assert (rows["C1"].level_label, rows["C1"].proposed) == ("Bien maîtrisé", False)
    assert (rows["C7"].level, rows["C7"].proposed) == (Level.WELL_MASTERED, True)


def test_the_pdf_stays_under_2_mo_with_a_logo_a_cachet_and_photos(establishment, world, login_as):
    from pedagogy import book

    with scopes_disabled():
        establishment.logo.save("logo.png", ContentFile(noisy_png()), save=False)
        establishment.stamp.save("cachet.png", ContentFile(noisy_png((1200, 1200))), save=False)
        establishment.save()
        for number in range(4):
            achievement = add_achievement(establishment, world["learner"], f"Réussite {number}", picked=True)
            book.add_file(achievement, ContentFile(noisy_png(), name=f"photo{number}.png"))
    response = login_as(world["learner"]).get("/0750654D/passeport/passeport.pdf")
    assert response.status_code == 200
    assert len(response.content) < 2 * 1024 * 1024, len(response.content)
    reader = PdfReader(io.BytesIO(response.content))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) >= 6  # the logo, the cachet and the four photos are all there


@pytest.mark.parametrize("months,allowed", [(11, True), (13, False)])
def test_a_former_learner_gets_the_passport_for_12_months(establishment, world, time_machine, months, allowed):
    learner = world["learner"]
    left = datetime.datetime(2027, 6, 30, 12, 0, tzinfo=datetime.UTC)
    time_machine.move_to(left, tick=False)
    learner.deactivate(by_import=True)
    learner.save()
    time_machine.move_to(left + datetime.timedelta(days=months * 30.5), tick=False)
    client = Client()
    login = client.post("/0750654D/connexion/", {"username": learner.login, "password": PASSWORD})
    if allowed:
        assert login.status_code == 302
        page = client.get("/0750654D/passeport/")
        assert page.status_code == 200 and "jusqu'au 30 juin 2028" in text(page)
        response = client.get("/0750654D/passeport/passeport.pdf")
        assert response.status_code == 200 and "Inès LEROY" in pdf_text(response)
        assert client.get("/0750654D/book/").status_code == 302  # the passport only
    else:
        assert login.status_code == 200 and "Identifiant ou mot de passe incorrect" in text(login)
        assert client.get("/0750654D/passeport/passeport.pdf").status_code == 302  # to the login page


@pytest.mark.parametrize("field,missing", [("email", "l'adresse e-mail"), ("name", "le nom")])
def test_the_export_is_refused_saying_what_the_establishment_must_fill_in(establishment, world, login_as, field,
                                                                          missing):
    with scopes_disabled():
        setattr(establishment, field, "")
        establishment.save()
    client = login_as(world["learner"])
    page = text(client.get("/0750654D/passeport/"))
    assert f"renseigner {missing} dans ses paramètres" in page and "Télécharger le passeport" not in page
    response = client.get("/0750654D/passeport/passeport.pdf")
    assert response.status_code == 409 and response["Content-Type"].startswith("text/html")
    assert f"renseigner {missing}" in text(response)


def test_another_learner_s_passport_is_a_404_a_guardian_is_refused(establishment, world, make_user, login_as):
    learner, other = world["learner"], world["other_learner"]
    client = login_as(other)
    assert client.get(f"/0750654D/passeport/apprenants/{learner.pk}/").status_code == 404
    assert client.get(f"/0750654D/passeport/apprenants/{learner.pk}/passeport.pdf").status_code == 404
    own = client.get(f"/0750654D/passeport/apprenants/{other.pk}/")
    assert own.status_code == 200 and "Mon passeport professionnel" in text(own)
    guardian = make_user(establishment, Profile.GUARDIAN, login="parent.leroy")
    from accounts.models import GuardianLink

    with scopes_disabled():
        GuardianLink.objects.create(establishment=establishment, guardian=guardian, learner=learner)
    parent = login_as(guardian)
    assert parent.get("/0750654D/passeport/").status_code == 403
    assert parent.get(f"/0750654D/passeport/apprenants/{learner.pk}/passeport.pdf").status_code == 403


def test_a_teacher_reads_the_passport_of_a_learner_they_teach_only(world, login_as):
    learner = world["learner"]
    page = login_as(world["teacher"]).get(f"/0750654D/passeport/apprenants/{learner.pk}/")
    assert page.status_code == 200 and "Passeport professionnel de LEROY Inès" in text(page)
    assert f'href="/0750654D/book/apprenants/{learner.pk}/">Book de LEROY Inès</a>' in text(page)  # the way back
    assert login_as(world["teacher"]).get(
        f"/0750654D/passeport/apprenants/{learner.pk}/passeport.pdf")["Content-Type"] == "application/pdf"
    assert login_as(world["other_teacher"]).get(f"/0750654D/passeport/apprenants/{learner.pk}/").status_code == 404


def test_the_passport_s_queries_do_not_grow_with_the_learner_s_history(establishment, make_user):
    small = add_evidence(establishment, make_world(establishment, make_user), periods=1)
    add_achievement(establishment, small["learner"], "Une", picked=True)

    def count(learner):
        with scopes_disabled(), CaptureQueriesContext(connection) as queries:
            service.passport(learner, establishment, images=False)
        return len(queries)

    first = count(small["learner"])
    with scopes_disabled():
        for number in range(2, 7):
            from periods.models import Placement, WorkPeriod

            period = WorkPeriod.objects.filter(establishment=establishment).first()
            extra = WorkPeriod.objects.create(
                establishment=establishment, school_year=period.school_year, version=period.version,
                class_level="2NDE", title=f"PFMP {number}", start_date=period.start_date,
                end_date=period.end_date)
            extra.tasks.set(small["version"].tasks.all())
            Placement.objects.create(establishment=establishment, period=extra, learner=small["learner"],
                                     period_title=extra.title, company_name="Autre")
    for number in range(8):
        add_achievement(establishment, small["learner"], f"Réussite {number}", picked=True)
    assert count(small["learner"]) == first


def test_the_demo_learner_has_a_book_and_a_passport():
    import json
    from io import StringIO

    from django.core.management import call_command

    from accounts.management.commands.demo import DEMO_PASSWORD
    from referentiels.loader import load_files
    from referentiels.shipped import shipped_files

    load_files(shipped_files())
    out = StringIO()
    call_command("demo", "--json", stdout=out)
    call_command("demo", "--json", stdout=StringIO())  # loading twice adds nothing
    logins = {u["profile"]: u["login"] for u in json.loads(out.getvalue())["establishments"][0]["users"]}
    client = Client()
    assert client.post("/0750654D/connexion/", {"username": logins["apprenant"],
                                                "password": DEMO_PASSWORD}).status_code == 302
    book_page = text(client.get("/0750654D/book/"))
    assert "3 réussites" in book_page and book_page.count("Retenue") == 2
    assert "Câblage d'un va-et-vient" in book_page and "T2.2" in book_page  # linked to MELEC 2024's tasks
    response = client.get("/0750654D/passeport/passeport.pdf")
    assert response.status_code == 200
    content = " ".join(pdf_text(response).split())
    assert "Inès LEROY" in content and "Remplacement d'un tableau de répartition" in content
    # The demo establishment has an address, a logo and a cachet, the learner an INE: the identity block is whole.
    assert "75011 Paris" in content and "INE 123456789AB" in content
    reader = PdfReader(io.BytesIO(response.content))
    assert sum(len(page.images) for page in reader.pages) >= 2  # the logo and the cachet
    assert "Mesures d'isolement" not in content  # not retained
    teacher = Client()
    assert teacher.post("/0750654D/connexion/", {"username": logins["enseignant"],
                                                 "password": DEMO_PASSWORD}).status_code == 302
    assert "LEROY Inès" in text(teacher.get("/0750654D/book/"))


def test_a_period_lists_the_tasks_of_the_learners_fiches_and_otherwise_the_planned_ones(establishment, world):
    from periods.models import ActivityFiche, Placement

    version = world["version"]
    tasks = list(version.tasks.order_by("position", "id"))
    assert len(tasks) >= 2, "the world's version needs two tasks to tell done from planned"
    first, second = world["periods"]
    with scopes_disabled():
        placement = Placement.objects.get(period=first, learner=world["learner"])
        fiche = ActivityFiche.objects.create(establishment=establishment, placement=placement,
                                             title="Tableau de chantier", description="Câblage")
        fiche.tasks.set([tasks[1]])
        rows = service.work_periods(world["learner"])
    by_title = {row.title: row for row in rows}
    assert [task.code for task in by_title[first.title].tasks] == [tasks[1].code]
    assert by_title[first.title].tasks_done
    assert [task.code for task in by_title[second.title].tasks] == [task.code for task in tasks]
    assert not by_title[second.title].tasks_done


def test_every_page_of_the_passport_pdf_names_the_learner_and_its_page(establishment, world, login_as):
    for n in range(6):
        add_achievement(establishment, world["learner"], f"Réalisation {n}", picked=True,
                        actions="J'ai raccordé et réglé l'installation.\n" * 8)
    reader = PdfReader(io.BytesIO(login_as(world["learner"]).get("/0750654D/passeport/passeport.pdf").content))
    assert len(reader.pages) > 1
    for number, page in enumerate(reader.pages, start=1):
        footer = " ".join(page.extract_text().split())
        assert "Passeport professionnel — Inès LEROY" in footer and f"Page {number} / {len(reader.pages)}" in footer


def test_on_the_screen_each_period_cell_names_its_column_for_the_phone(establishment, world, login_as):
    page = text(login_as(world["learner"]).get("/0750654D/passeport/"))
    assert '<td data-label="Entreprise">' in page and '<td data-label="Activités">' in page


def test_a_pfmp_titled_pfmp_is_not_followed_by_its_kind_again(establishment, world, login_as):
    page = " ".join(text(login_as(world["learner"]).get("/0750654D/passeport/")).split())
    assert "<strong>PFMP 1</strong><br>du 01/12/2026" in page and "(PFMP)" not in page


def test_the_competencies_section_does_not_call_acquired_what_is_not_mastered(establishment, world, login_as):
    page = text(login_as(world["learner"]).get("/0750654D/passeport/"))
    assert "<h2>Compétences évaluées</h2>" in page and "Compétences acquises" not in page
