"""Portfolio des activités en entreprise (issue 13): the company and the tutor, the fiches activités (tasks of the
period's référentiel version only, files checked like scenario resources), the referent teacher's review and
selection of competencies for the bilan entreprise; who sees and changes what; the list of a period in a constant
number of queries; the new models in the learner-data registry."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import learner_data
from accounts.models import Profile
from establishments.routing import tenant_url
from establishments.scoping import scopes_disabled
from periods import portfolio
from periods.models import ActivityFiche, FicheAttachment, Placement
from periods.uses import uses_of

from .fixtures_users import media_root_fixture, text  # noqa: F401
from .pfmp_factory import World, place

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def world(establishment, make_user):
    return World(establishment, make_user)


def url(world, name, **kwargs):
    return tenant_url(world.establishment, name, **kwargs)


def fiches(placement):
    with scopes_disabled():
        return list(ActivityFiche.objects.filter(placement=placement))


def test_learner_writes_a_fiche_with_tasks_and_a_file(world, login_as):
    client = login_as(world.learner)
    response = client.post(url(world, "fiche_create", pk=world.placement.pk), {
        "token": "abc", "title": "Pose de prises", "date": "2027-01-06",
        "description": "J'ai posé six prises dans une cuisine.", "tasks": [world.tasks[0].pk, world.tasks[1].pk],
        "upload": SimpleUploadedFile("photo.pdf", PDF_BYTES, content_type="application/pdf")})
    assert response.status_code == 302
    # The same form posted again (double click) gives the same fiche.
    client.post(url(world, "fiche_create", pk=world.placement.pk), {
        "token": "abc", "title": "Pose de prises", "description": "J'ai posé six prises.",
        "tasks": [world.tasks[0].pk]})
    [fiche] = fiches(world.placement)
    with scopes_disabled():
        assert {t.code for t in fiche.tasks.all()} == {"T1.1", "T2.3"}
        attachment = fiche.attachments.get()
    assert default_storage.exists(attachment.file.name)
    page = text(client.get(url(world, "portfolio_detail", pk=world.placement.pk)))
    assert "Pose de prises" in page and "T1.1, T2.3" in page and "À relire" in page
    # The teacher finds the file on the fiche they review, and downloads it, as an attachment.
    file_url = url(world, "fiche_attachment", pk=world.placement.pk, attachment_pk=attachment.pk)
    review = text(login_as(world.teacher).get(url(world, "fiche_review", pk=world.placement.pk, fiche_pk=fiche.pk)))
    assert f'href="{file_url}">{attachment.title}</a>' in review
    download = login_as(world.teacher).get(url(world, "fiche_attachment", pk=world.placement.pk,
                                               attachment_pk=attachment.pk))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]


def test_a_task_of_another_version_is_refused_and_nothing_is_written(world, login_as):
    with scopes_disabled():
        foreign_task = world.other_version.tasks.get()
    response = login_as(world.learner).post(url(world, "fiche_create", pk=world.placement.pk), {
        "title": "Pose de prises", "description": "Six prises.", "tasks": [world.tasks[0].pk, foreign_task.pk]})
    assert response.status_code == 200
    assert "n'appartient pas au référentiel de la période (MELEC 2024)" in text(response)
    assert fiches(world.placement) == []


@pytest.mark.parametrize("name,content,message", [
    ("rapport.pdf", b"<html><script>alert(1)</script></html>", "page web (HTML)"),
    ("image.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>", "SVG"),
    ("outil.pdf", b"MZ\x90\x00programme", "programme Windows"),
])
def test_a_hostile_upload_is_refused_and_nothing_is_written(world, login_as, media_root, name, content, message):
    response = login_as(world.learner).post(url(world, "fiche_create", pk=world.placement.pk), {
        "title": "Pose de prises", "description": "Six prises.", "tasks": [world.tasks[0].pk],
        "upload": SimpleUploadedFile(name, content, content_type="application/pdf")})
    assert response.status_code == 200 and message in text(response)
    assert fiches(world.placement) == []
    assert not list((media_root / "portfolios").rglob("*")) if (media_root / "portfolios").exists() else True


def test_company_and_tutor_with_a_checked_siret(world, login_as):
    client = login_as(world.learner)
    data = {"company_name": "Électricité Dupuis", "company_siret": "732 829 320 00074",
            "company_address": "3 rue des Lilas, Lyon", "tutor_name": "Marie Dupuis",
            "tutor_email": "marie.dupuis@example.org", "tutor_phone": "06 12 34 56 78"}
    response = client.post(url(world, "portfolio_company", pk=world.placement.pk),
                           {**data, "company_siret": "73282932000075"})
    assert "clé de contrôle" in text(response)
    assert client.post(url(world, "portfolio_company", pk=world.placement.pk), data).status_code == 302
    with scopes_disabled():
        placement = Placement.objects.get(pk=world.placement.pk)
    assert placement.company_siret == "73282932000074" and placement.tutor_name == "Marie Dupuis"
    assert portfolio.clean_siret("") == ""


def test_who_sees_and_changes_a_portfolio(world, login_as):
    detail = url(world, "portfolio_detail", pk=world.placement.pk)
    learner = login_as(world.learner)
    assert learner.get(detail).status_code == 200
    assert learner.get(url(world, "portfolio_detail", pk=world.placement_classmate.pk)).status_code == 404
    assert learner.get(url(world, "fiche_create", pk=world.placement_classmate.pk)).status_code == 404
    # The list of the period shows a learner their own row only.
    rows = text(learner.get(url(world, "portfolio_period", period_pk=world.period.pk)))
    assert "LEROY Inès" in rows and "PETIT Hugo" not in rows
    # Teachers: their classes only; the other class's teacher gets 404.
    assert login_as(world.teacher2).get(detail).status_code == 404
    teacher = login_as(world.teacher)
    page = text(teacher.get(url(world, "portfolio_period", period_pk=world.period.pk)))
    assert "LEROY Inès" in page and "PETIT Hugo" in page and "MOREAU Léa" not in page
    assert teacher.get(url(world, "fiche_create", pk=world.placement.pk)).status_code == 403  # learners write
    # DDFPT reads everything, changes nothing.
    ddfpt = login_as(world.ddfpt)
    assert ddfpt.get(detail).status_code == 200
    assert "MOREAU Léa" in text(ddfpt.get(url(world, "portfolio_period", period_pk=world.period.pk)))
    assert ddfpt.get(url(world, "portfolio_company", pk=world.placement.pk)).status_code == 403
    assert ddfpt.post(url(world, "portfolio_selection", pk=world.placement.pk),
                      {"competencies": [world.competencies[0].pk]}).status_code == 403
    # Once a referent is set, only the referent reviews.
    with scopes_disabled():
        Placement.objects.filter(pk=world.placement.pk).update(referent=world.colleague)
        fiche = ActivityFiche.objects.create(establishment=world.establishment, placement=world.placement,
                                             title="Câblage", description="Câblage d'un tableau")
    review = url(world, "fiche_review", pk=world.placement.pk, fiche_pk=fiche.pk)
    assert teacher.get(review).status_code == 403
    assert login_as(world.colleague).get(review).status_code == 200


def test_referent_reviews_adjusts_tasks_and_selects_competencies(world, login_as):
    with scopes_disabled():
        fiche = ActivityFiche.objects.create(establishment=world.establishment, placement=world.placement,
                                             title="Câblage", description="Câblage d'un tableau")
        fiche.tasks.set([world.tasks[0]])
    teacher = login_as(world.teacher)
    response = teacher.post(url(world, "fiche_review", pk=world.placement.pk, fiche_pk=fiche.pk),
                            {"comment": "Bien décrit.", "tasks": [world.tasks[1].pk]})
    assert response.status_code == 302
    with scopes_disabled():
        fiche.refresh_from_db()
        assert [t.code for t in fiche.tasks.all()] == ["T2.3"]
    assert fiche.reviewed_by == world.teacher and fiche.teacher_comment == "Bien décrit."
    page = text(teacher.get(url(world, "portfolio_detail", pk=world.placement.pk)))
    assert "Relue</span> par BERNARD Paul" in page and "T2.3</strong> (1 fiche)" in page
    c1, c7 = world.competencies
    with scopes_disabled():
        c7_criteria = list(c7.criteria.all())
        c1_criterion = c1.criteria.get()
    # A criterion of a competency selected whole is covered by it.
    teacher.post(url(world, "portfolio_selection", pk=world.placement.pk),
                 {"competencies": [c1.pk], "criteria": [c1_criterion.pk, c7_criteria[0].pk]})
    with scopes_disabled():
        placement = Placement.objects.get(pk=world.placement.pk)
        assert list(placement.assessed_competencies.all()) == [c1]
        assert list(placement.assessed_criteria.all()) == [c7_criteria[0]]
        foreign = world.other_version.competencies.first()
    response = teacher.post(url(world, "portfolio_selection", pk=world.placement.pk),
                            {"competencies": [foreign.pk]}, follow=True)
    assert "n'appartient pas au référentiel de la période" in text(response)
    with scopes_disabled():
        assert list(placement.assessed_competencies.all()) == [c1]


def test_period_list_in_a_constant_number_of_queries(world, login_as, make_user):
    client = login_as(world.ddfpt)
    list_url = url(world, "portfolio_period", period_pk=world.period.pk)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(list_url).status_code == 200
        return len(queries)

    small = count()
    for n in range(15):
        learner = make_user(world.establishment, Profile.LEARNER, login=f"apprenant.{n}", division=world.class1)
        placement = place(world.period, learner, company_name=f"Entreprise {n}")
        with scopes_disabled():
            ActivityFiche.objects.create(establishment=world.establishment, placement=placement, title="Fiche",
                                         description="…")
    assert count() == small


def test_counts_of_what_a_period_holds(world):
    with scopes_disabled():
        ActivityFiche.objects.create(establishment=world.establishment, placement=world.placement, title="F",
                                     description="…")
        from pedagogy.models import CompanyBilan

        CompanyBilan.objects.create(establishment=world.establishment, placement=world.placement)
        counts = uses_of([world.period.pk])[world.period.pk]
    assert counts["fiches"] == 1 and counts["company_bilans"] == 1
    assert "company_observations" not in counts  # none yet


def test_the_registry_covers_the_portfolio_and_the_bilan_entreprise():
    declared = {entry.label for entry in learner_data.entries()}
    assert {"periods.ActivityFiche", "periods.FicheAttachment", "pedagogy.CompanyBilan",
            "pedagogy.CompanyBilanLine", "pedagogy.TutorLink"} <= declared
    assert learner_data.entry("periods.FicheAttachment").file_fields() == ["file"]


@pytest.mark.django_db(transaction=True)
def test_purge_deletes_a_learners_portfolio_bilan_and_files(world, login_as):
    import datetime

    from django.utils import timezone

    from pedagogy.models import CompanyBilan
    from transfers.purge import purge_expired_users

    login_as(world.learner).post(url(world, "fiche_create", pk=world.placement.pk), {
        "title": "Pose", "description": "…", "upload": SimpleUploadedFile("a.pdf", PDF_BYTES)})
    with scopes_disabled():
        name = FicheAttachment.objects.get().file.name
        CompanyBilan.objects.create(establishment=world.establishment, placement=world.placement)
    assert default_storage.exists(name)
    now = timezone.now()
    with scopes_disabled():
        type(world.learner).objects.filter(pk=world.learner.pk).update(
            is_active=False, deactivated_at=now - datetime.timedelta(days=400))
        purge_expired_users(now=now)
        assert not ActivityFiche.objects.filter(placement__learner_id=world.learner.pk).exists()
        assert not CompanyBilan.objects.filter(placement_id=world.placement.pk).exists()
        assert ActivityFiche.objects.count() == 0 and Placement.objects.filter(learner=world.classmate).exists()
    assert not default_storage.exists(name)


@pytest.mark.django_db(transaction=True)
def test_deleting_a_fiche_or_its_period_removes_the_files(world, login_as):
    from periods.models import WorkPeriod

    client = login_as(world.learner)
    for n in range(2):
        client.post(url(world, "fiche_create", pk=world.placement.pk), {
            "title": f"Fiche {n}", "description": "…", "upload": SimpleUploadedFile(f"{n}.pdf", PDF_BYTES)})
    with scopes_disabled():
        first, second = [a.file.name for a in FicheAttachment.objects.order_by("id")]
        fiche = ActivityFiche.objects.get(title="Fiche 0")
    page = text(client.get(url(world, "fiche_delete", pk=world.placement.pk, fiche_pk=fiche.pk)))
    assert "seront supprimés définitivement" in page
    client.post(url(world, "fiche_delete", pk=world.placement.pk, fiche_pk=fiche.pk))
    assert not default_storage.exists(first) and default_storage.exists(second)
    with scopes_disabled():
        WorkPeriod.objects.filter(pk=world.period.pk).delete()
        assert not ActivityFiche.objects.exists()
    assert not default_storage.exists(second)


def test_an_empty_period_opens_for_the_ddfpt_not_for_a_teacher(world, login_as):
    from .pfmp_factory import make_period

    empty = make_period(world.establishment, world.version, title="PFMP 2")
    page_url = url(world, "portfolio_period", period_pk=empty.pk)
    assert "Aucun apprenant n'est affecté à cette période" in text(login_as(world.ddfpt).get(page_url))
    assert login_as(world.teacher).get(page_url).status_code == 404


def test_selected_criteria_show_without_opening_their_competency(world, login_as):
    """The criteria chosen of a competency are open and counted on its line."""
    teacher = login_as(world.teacher)
    _c1, c7 = world.competencies
    with scopes_disabled():
        c7_criteria = list(c7.criteria.all())
    teacher.post(url(world, "portfolio_selection", pk=world.placement.pk), {"criteria": [c7_criteria[0].pk]})
    page = teacher.get(url(world, "portfolio_detail", pk=world.placement.pk)).content.decode()
    assert "<details open><summary class=\"fr-text--sm\">1 critère retenu</summary>" in page
    assert page.count("<details open>") == 1 and "Choisir des critères" in page  # C1 stays closed


def test_the_portfolio_links_to_its_period_and_shows_the_days(world, login_as):
    with scopes_disabled():
        Placement.objects.filter(pk=world.placement.pk).update(days_planned=15, days_done=14)
    page = text(login_as(world.teacher).get(url(world, "portfolio_detail", pk=world.placement.pk)))
    assert "Jours prévus : 15 — jours effectués : 14" in page
    assert "Décrivez ce que vous faites" not in page  # the teacher does not write fiches
    assert url(world, "period_detail", pk=world.period.pk) in page
    page = text(login_as(world.learner).get(url(world, "portfolio_detail", pk=world.placement.pk)))
    assert url(world, "my_periods") in page and "Mes périodes en entreprise" in page
    assert "Aucune fiche activité pour l'instant. Décrivez ce que vous faites en entreprise" in page
    assert url(world, "period_detail", pk=world.period.pk) not in page
    # The list of the period's portfolios leads to the period too (the DDFPT's days, dates and activities).
    page = text(login_as(world.ddfpt).get(url(world, "portfolio_period", period_pk=world.period.pk)))
    assert f'href="{url(world, "period_detail", pk=world.period.pk)}">La période' in page


def test_the_breadcrumb_shows_on_a_phone(world, login_as):
    """No DSFR collapse without its button: the way back must stay visible on a small screen."""
    page = login_as(world.teacher).get(url(world, "portfolio_detail", pk=world.placement.pk)).content.decode()
    assert 'class="fr-breadcrumb"' in page and "fr-collapse" not in page


def test_a_learner_without_a_period_is_told_what_will_come(world, login_as, make_user):
    """Not « Aucune période … ne concerne vos apprenants »."""
    newcomer = make_user(world.establishment, Profile.LEARNER, login="nouveau", division=world.class1)
    empty = text(login_as(newcomer).get(url(world, "portfolios")))
    assert "Vous n'avez pas encore de période en entreprise" in empty and "vos apprenants" not in empty
