"""Bilans intermédiaires (issue 12): pre-fill with the proposed level, teacher's choices kept, frozen snapshot,
reopen by the author or the DDFPT (journaled), permissions per profile, double validate, stale edit, constant
queries, printable PDF."""

import datetime
import html
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from accounts.models import GuardianLink, Profile
from documents import services
from documents.models import GeneratedDocument
from establishments.models import AuditEntry
from establishments.scoping import scope, scopes_disabled
from pedagogy.evaluation_models import Bilan, BilanLine, EvaluationType

from .bilan_factory import START, make_bilan_world, observe
from .fixtures_users import media_root_fixture  # noqa: F401  (generated files go to a temporary folder)

NOV_30 = datetime.date(START, 11, 30)


@pytest.fixture
def world(establishment):
    return make_bilan_world(establishment)


def edit_url(world, learner=None, period=None) -> str:
    learner, period = learner or world.learner, period or world.t1
    return f"/{world.establishment.uai}/bilans/apprenant/{learner.pk}/periode/{period.pk}/"


def text(response) -> str:
    """The page as a user reads it: tags removed, spaces collapsed."""
    page = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"\s+", " ", page).replace(" ,", ",")


def selected(response, competency) -> str:
    """The level selected for ``competency`` in the bilan form."""
    html = response.content.decode()
    select = re.search(rf'<select name="niveau_{competency.pk}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="(\d)" selected>', select).group(1)


def payload(world, levels: dict, *, revision=0, action="enregistrer", appreciation="Bon trimestre.") -> dict:
    data = {"revision": revision, "action": action, "appreciation": appreciation}
    for competency in world.competencies:
        data[f"niveau_{competency.pk}"] = levels.get(competency.code, 0)
    return data


def bilan_of(world, learner=None, period=None) -> Bilan | None:
    with scopes_disabled():
        return Bilan.objects.filter(learner=learner or world.learner, period=period or world.t1).first()


def lines_of(bilan) -> dict:
    with scopes_disabled():
        return {line.competency.code: (line.retained_level, line.proposed_level)
                for line in BilanLine.objects.filter(bilan=bilan).select_related("competency")}


# Pre-fill ------------------------------------------------------------------------------------------------------


def test_the_form_is_prefilled_with_the_proposed_level_computed_by_hand(world, login_as):
    c1, c2, c3 = world.competencies
    observe(world, world.learner, c1, 3, datetime.date(START, 10, 1))  # 60 days before the end of T1
    observe(world, world.learner, c1, 1, datetime.date(START, 11, 29))  # 1 day before
    observe(world, world.learner, c2, 4, datetime.date(START, 11, 30), EvaluationType.CERTIFICATIVE)
    observe(world, world.learner, c2, 2, datetime.date(START, 11, 30))
    observe(world, world.learner, c3, 4, datetime.date(START, 12, 5))  # after the period: does not count
    # The README formula: w = type weight × 0.5 ** (age / 90); level = round(Σ w·level / Σ w), halves upwards.
    w1, w2 = 0.5 ** (60 / 90), 0.5 ** (1 / 90)
    c1_score = (3 * w1 + 1 * w2) / (w1 + w2)  # 1.78 → 2
    c2_score = (2 * 4 + 1 * 2) / 3  # 3.33 → 3
    assert round(c1_score) == 2 and round(c2_score) == 3
    response = login_as(world.teacher).get(edit_url(world))
    assert response.status_code == 200
    assert selected(response, c1) == "2"
    assert selected(response, c2) == "3"
    assert selected(response, c3) == "0"  # nothing counts: NE
    page = text(response)
    assert "Insuffisamment maîtrisé (2 observations)" in page
    assert "NE – aucune observation" in page


def test_a_difference_is_kept_as_the_teachers_choice_and_the_rest_follows_the_proposal(world, login_as):
    c1, c2, _c3 = world.competencies
    observe(world, world.learner, c1, 2, datetime.date(START, 11, 1))
    observe(world, world.learner, c2, 2, datetime.date(START, 11, 1))
    client = login_as(world.teacher)
    response = client.post(edit_url(world), payload(world, {"C1": 4, "C2": 2}))
    assert response.status_code == 302
    bilan = bilan_of(world)
    assert bilan.status == Bilan.Status.DRAFT
    assert lines_of(bilan)["C1"] == (4, 2)
    observe(world, world.learner, c1, 4, datetime.date(START, 11, 29))
    observe(world, world.learner, c2, 4, datetime.date(START, 11, 29))
    observe(world, world.learner, c2, 4, datetime.date(START, 11, 28))
    page = client.get(edit_url(world))
    assert selected(page, c1) == "4"  # the teacher's choice, kept
    assert selected(page, c2) == "3"  # was the proposal: follows the new one
    assert "choix de l'enseignant" in text(page)


# Validation: a frozen snapshot -------------------------------------------------------------------------------


def test_a_validated_bilan_is_unchanged_by_later_observations(world, login_as):
    c1, c2, c3 = world.competencies
    observe(world, world.learner, c1, 2, datetime.date(START, 11, 1))
    client = login_as(world.teacher)
    response = client.post(edit_url(world), payload(world, {"C1": 2, "C2": 3}, action="valider",
                                                    appreciation="Des progrès nets à l'atelier."), follow=True)
    assert "validé pour « Trimestre 1 »" in text(response)
    bilan = bilan_of(world)
    assert bilan.status == Bilan.Status.VALIDATED and bilan.validated_by == world.teacher
    before = lines_of(bilan)
    assert before == {"C1": (2, 2), "C2": (3, None), "C3": (0, None)}
    # Observations added afterwards, even dated inside the period, change nothing.
    for competency in (c1, c2, c3):
        observe(world, world.learner, competency, 4, datetime.date(START, 11, 20), EvaluationType.CERTIFICATIVE)
    assert lines_of(bilan) == before
    page = client.get(edit_url(world))
    assert 'name="niveau_' not in page.content.decode()  # no form any more
    body = text(page)
    assert "Validé" in body and "Des progrès nets à l'atelier." in body
    assert "NE – aucune observation" in body  # C3 as proposed at validation, not the later 4
    # A save posted against the validated bilan is refused; nothing changes.
    refused = client.post(edit_url(world), payload(world, {"C1": 4}, revision=bilan.revision), follow=True)
    assert "Ce bilan est validé" in text(refused)
    assert lines_of(bilan) == before


def test_validating_requires_an_appreciation(world, login_as):
    response = login_as(world.teacher).post(edit_url(world), payload(world, {}, action="valider", appreciation=" "))
    assert response.status_code == 400
    assert "Écrivez une appréciation avant de valider le bilan." in text(response)
    assert bilan_of(world) is None


def test_a_level_outside_the_scale_is_refused_on_its_field_and_nothing_is_saved(world, login_as):
    data = payload(world, {"C1": 3})
    data[f"niveau_{world.competencies[1].pk}"] = "7"
    response = login_as(world.teacher).post(edit_url(world), data)
    assert response.status_code == 400
    assert "Choisissez un niveau de l'échelle : NE, 1, 2, 3 ou 4." in text(response)
    assert bilan_of(world) is None


def test_double_validate_does_its_work_once(world, login_as):
    client = login_as(world.teacher)
    data = payload(world, {"C1": 3}, action="valider")
    first = client.post(edit_url(world), data)
    second = client.post(edit_url(world), data, follow=True)
    assert first.status_code == 302
    assert "Ce bilan était déjà validé : rien n'a changé." in text(second)
    bilan = bilan_of(world)
    assert bilan.revision == 1
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="bilan.validate").count() == 1


def test_a_stale_edit_is_refused_and_changes_nothing(world, login_as, make_user):
    colleague = make_user(world.establishment, Profile.TEACHER, login="lea.roux", first_name="Léa", last_name="Roux")
    colleague.divisions_taught.add(world.division)
    mine, theirs = login_as(world.teacher), login_as(colleague)
    assert mine.post(edit_url(world), payload(world, {"C1": 1}, appreciation="v1")).status_code == 302
    # Both open revision 1; the colleague saves first.
    assert theirs.post(edit_url(world), payload(world, {"C1": 2}, revision=1, appreciation="v2")).status_code == 302
    stale = mine.post(edit_url(world), payload(world, {"C1": 4}, revision=1, appreciation="v3"))
    assert stale.status_code == 409
    assert "Ce bilan a été modifié depuis que vous l'avez ouvert" in text(stale)
    bilan = bilan_of(world)
    assert bilan.appreciation == "v2" and lines_of(bilan)["C1"][0] == 2
    # A second creation from a form loaded before the bilan existed is stale too.
    assert mine.post(edit_url(world), payload(world, {"C1": 4}, revision=0)).status_code == 409


# Reopen ------------------------------------------------------------------------------------------------------


@pytest.fixture
def validated(world, login_as):
    login_as(world.teacher).post(edit_url(world), payload(world, {"C1": 3}, action="valider"))
    bilan = bilan_of(world)
    assert bilan.status == Bilan.Status.VALIDATED
    return bilan


def reopen(client, world, bilan):
    return client.post(f"/{world.establishment.uai}/bilans/{bilan.pk}/rouvrir/", {"revision": bilan.revision})


def test_only_the_author_or_the_ddfpt_reopens_and_the_journal_records_it(world, validated, login_as, make_user):
    colleague = make_user(world.establishment, Profile.TEACHER, login="lea.roux", first_name="Léa", last_name="Roux")
    colleague.divisions_taught.add(world.division)
    head = make_user(world.establishment, Profile.HEAD, login="chef")
    ddfpt = make_user(world.establishment, Profile.DDFPT, login="ddfpt", first_name="Nadia", last_name="Petit")
    assert reopen(login_as(colleague), world, validated).status_code == 403
    assert reopen(login_as(head), world, validated).status_code == 403
    assert bilan_of(world).status == Bilan.Status.VALIDATED
    response = reopen(login_as(ddfpt), world, validated)
    assert response.status_code == 302
    assert bilan_of(world).status == Bilan.Status.DRAFT
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="bilan.reopen")
    assert "PETIT Nadia" in entry.actor_name and "Trimestre 1" in entry.target
    # Twice: nothing more (already a draft).
    assert reopen(login_as(ddfpt), world, validated).status_code == 302
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="bilan.reopen").count() == 1
    # The author reopens their own bilan once validated again.
    client = login_as(world.teacher)
    bilan = bilan_of(world)
    client.post(edit_url(world), payload(world, {"C1": 3}, revision=bilan.revision, action="valider"))
    assert reopen(client, world, bilan_of(world)).status_code == 302
    assert bilan_of(world).status == Bilan.Status.DRAFT


# Permissions ---------------------------------------------------------------------------------------------------


def test_permissions_per_profile(world, validated, login_as, make_user):
    establishment = world.establishment
    detail = f"/{establishment.uai}/bilans/{validated.pk}/"
    other = make_bilan_world(establishment, code="2MELEC2", diploma_code="MELEC2", teacher_login="autre.prof")
    other_teacher = other.teacher
    ddfpt = make_user(establishment, Profile.DDFPT, login="ddfpt")
    head = make_user(establishment, Profile.HEAD, login="chef")
    inspector = make_user(establishment, Profile.INSPECTOR, login="inspecteur")
    guardian = make_user(establishment, Profile.GUARDIAN, login="parent")
    other_guardian = make_user(establishment, Profile.GUARDIAN, login="autre.parent")
    with scopes_disabled():
        GuardianLink.objects.create(establishment=establishment, guardian=guardian, learner=world.learner)
        GuardianLink.objects.create(establishment=establishment, guardian=other_guardian, learner=other.learner)
    # Teacher of another class: the learner does not exist for them.
    assert login_as(other_teacher).get(edit_url(world)).status_code == 404
    assert login_as(other_teacher).get(detail).status_code == 404
    # DDFPT, chef, inspector read; none of them writes.
    for reader in (ddfpt, head, inspector):
        client = login_as(reader)
        page = client.get(edit_url(world))
        assert page.status_code == 200 and 'name="niveau_' not in page.content.decode()
        assert client.get(detail).status_code == 200
        assert client.post(edit_url(world, period=world.t2), payload(world, {})).status_code == 403
    assert bilan_of(world, period=world.t2) is None
    # The learner sees their own validated bilan (read-only), not a draft, not the form.
    learner = login_as(world.learner)
    assert "Trimestre 1" in text(learner.get(f"/{establishment.uai}/bilans/"))
    assert learner.get(detail).status_code == 200
    assert learner.get(edit_url(world)).status_code == 403
    login_as(world.teacher).post(edit_url(world, period=world.t2), payload(world, {}))
    draft = bilan_of(world, period=world.t2)
    assert learner.get(f"/{establishment.uai}/bilans/{draft.pk}/").status_code == 404
    assert "Trimestre 2" not in text(learner.get(f"/{establishment.uai}/bilans/"))
    other_learner = login_as(other.learner)
    assert other_learner.get(detail).status_code == 404
    # The guardian: their child's validated bilans only.
    assert login_as(guardian).get(detail).status_code == 200
    assert login_as(other_guardian).get(detail).status_code == 404
    assert login_as(other_guardian).get(f"/{establishment.uai}/bilans/{validated.pk}/bilan.pdf").status_code == 404


def test_the_class_page_shows_who_has_a_bilan(establishment, login_as):
    world = make_bilan_world(establishment, learners=3)
    client = login_as(world.teacher)
    client.post(edit_url(world, world.learners[0]), payload(world, {"C1": 3}, action="valider"))
    client.post(edit_url(world, world.learners[1]), payload(world, {"C1": 3}))
    page = text(client.get(f"/{establishment.uai}/bilans/classe/{world.division.pk}/periode/{world.t1.pk}/"))
    assert "1 validé, 1 brouillon, 1 sans bilan." in page
    assert "NOM003 Prénom3" in page and "Rédiger le bilan" in page and "Continuer le bilan" in page
    home = text(client.get(f"/{establishment.uai}/bilans/"))
    assert "2MELEC1" in home and "Trimestre 1" in home


# Queries ---------------------------------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_competencies_observations_or_learners(make_establishment, login_as):
    small = make_bilan_world(make_establishment(uai="0750001A"), competencies=2, learners=1)
    large = make_bilan_world(make_establishment(uai="0750002B"), competencies=30, learners=12, code="2MELEC9",
                             diploma_code="MELEC9")
    for w, per in ((small, 1), (large, 5)):
        for competency in w.competencies:
            for k in range(per):
                observe(w, w.learner, competency, 1 + k % 4, datetime.date(START, 10, 1 + k))
    counts = []
    for w in (small, large):
        client = login_as(w.teacher)
        client.post(edit_url(w), payload(w, {"C1": 3}))  # a draft: lines are read too
        for other in w.learners[1:]:
            client.post(edit_url(w, other), payload(w, {"C1": 2}, action="valider"))
        counts.append((_count(client, edit_url(w)),
                       _count(client, f"/{w.establishment.uai}/bilans/classe/{w.division.pk}/periode/{w.t1.pk}/"),
                       _count(client, f"/{w.establishment.uai}/bilans/{bilan_of(w).pk}/")))
    assert counts[0] == counts[1]


# PDF -----------------------------------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_printable_bilan_holds_the_learner_and_every_competency(world, validated, login_as):
    response = login_as(world.learner).get(f"/{world.establishment.uai}/bilans/{validated.pk}/bilan.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)
    assert "NOM001 Prénom1" in content
    for competency in world.competencies:
        assert competency.code in content
    assert "Maîtrisé" in content


def test_the_class_pdf_has_one_page_per_learner_and_is_built_in_the_background_when_large(establishment,
                                                                                          login_as):
    world = make_bilan_world(establishment, learners=14)
    client = login_as(world.teacher)
    for learner in world.learners[:2]:
        client.post(edit_url(world, learner), payload(world, {"C2": 4}, action="valider"))
    url = f"/{establishment.uai}/bilans/classe/{world.division.pk}/periode/{world.t1.pk}/bilans.pdf"
    response = client.get(url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 2
    assert "Nom001" in reader.pages[0].extract_text() or "NOM001" in reader.pages[0].extract_text()
    for learner in world.learners[2:]:
        client.post(edit_url(world, learner), payload(world, {}))
    queued = client.get(url)
    assert queued.status_code == 302 and queued["Location"].endswith("/documents/")
    with scopes_disabled():
        document = GeneratedDocument.objects.get(owner=world.teacher)
    assert document.kind == "bilans.class.pdf"
    # What the background task does (the test's transaction never commits, so it is run here).
    with scope(establishment=establishment):
        built = services.build(document)
    assert built.status == GeneratedDocument.Status.READY
    with built.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    assert len(reader.pages) == 14
    assert "NOM014" in reader.pages[13].extract_text()



# Demo ------------------------------------------------------------------------------------------------------------


def test_the_demo_writes_trimesters_observations_validated_and_draft_bilans(establishment, make_user):
    from pedagogy.demo_bilans import load_demo_bilans
    from pedagogy.evaluation_models import Observation
    from periods.models import OfficialPeriod

    world = make_bilan_world(establishment, learners=3)
    with scopes_disabled():
        OfficialPeriod.objects.all().delete()
        load_demo_bilans(establishment, {"enseignant": world.teacher})
        load_demo_bilans(establishment, {"enseignant": world.teacher})  # idempotent
        labels = list(OfficialPeriod.objects.order_by("start_date").values_list("label", flat=True))
        bilans = list(Bilan.objects.order_by("period_start", "learner__last_name")
                      .values_list("period_label", "learner__last_name", "status"))
        observed = Observation.objects.filter(learner=world.learner).count()
    assert labels == ["Trimestre 1", "Trimestre 2", "Trimestre 3"]
    assert bilans == [("Trimestre 1", "Nom001", "valide"), ("Trimestre 1", "Nom002", "valide"),
                      ("Trimestre 2", "Nom001", "brouillon")]
    assert observed > 0


def test_the_access_rule_answers_like_the_pages(world, validated, make_user):
    from accounts import access

    colleague_elsewhere = make_user(world.establishment, Profile.TEACHER, login="autre.prof")
    inspector = make_user(world.establishment, Profile.INSPECTOR, login="inspecteur")
    with scopes_disabled():
        bilan = Bilan.objects.get(pk=validated.pk)
        assert access.can(world.teacher, access.VIEW, bilan)
        assert not access.can(world.teacher, access.CHANGE, bilan)  # validated: frozen
        assert not access.can(colleague_elsewhere, access.VIEW, bilan)
        assert access.can(inspector, access.VIEW, bilan) and not access.can(inspector, access.CHANGE, bilan)
        assert access.can(world.learner, access.VIEW, bilan)
        bilan.status = Bilan.Status.DRAFT
        assert access.can(world.teacher, access.CHANGE, bilan)
        assert not access.can(world.learner, access.VIEW, bilan)  # a draft is not the learner's to read


# Between the bilans and « Suivre les acquis » --------------------------------------------------------------------


def test_the_learners_follow_up_and_their_bilans_link_to_each_other(world, validated, login_as):
    uai, learner = world.establishment.uai, world.learner
    followup_url = f"/{uai}/suivi/apprenant/{learner.pk}/"
    teacher = login_as(world.teacher)
    follow = teacher.get(followup_url).content.decode()
    # each bilan period of the class opens the learner's bilan; the retained level opens the bilan it comes from
    assert f'href="{edit_url(world)}"' in follow and f'href="{edit_url(world, period=world.t2)}"' in follow
    assert f'href="/{uai}/bilans/{validated.pk}/">bilan Trimestre 1</a>' in follow
    for url in (edit_url(world), f"/{uai}/bilans/{validated.pk}/"):
        assert f'href="{followup_url}"' in teacher.get(url).content.decode()
    # the learner: from their follow-up to « Mes bilans », from their bilan back to « Mon suivi des acquis »
    own = login_as(learner)
    assert f'href="/{uai}/bilans/"' in own.get(followup_url).content.decode()
    detail = own.get(f"/{uai}/bilans/{validated.pk}/")
    assert f'href="{followup_url}"' in detail.content.decode() and "Mon suivi des acquis" in text(detail)


def test_a_retained_ne_reads_ne_not_zero(world, validated, login_as):
    page = text(login_as(world.teacher).get(f"/{world.establishment.uai}/suivi/apprenant/{world.learner.pk}/"))
    assert "0 — NE" not in page and "NE – non évalué bilan Trimestre 1" in page


def test_on_a_phone_the_retained_level_stays_beside_the_proposed_one(world, validated, login_as):
    page = login_as(world.teacher).get(f"/{world.establishment.uai}/bilans/{validated.pk}/").content.decode()
    assert "pedagogy/bilans.css" in page and 'class="cpro-bilan-lines"' in page
    assert 'data-label="Niveau retenu"' in page and ">Code</th>" not in page


def test_the_class_heatmap_and_the_class_bilans_link_to_each_other(world, login_as):
    uai, division = world.establishment.uai, world.division
    client = login_as(world.teacher)
    heatmap = client.get(f"/{uai}/suivi/classe/{division.pk}/").content.decode()
    for period in (world.t1, world.t2):
        assert f'href="/{uai}/bilans/classe/{division.pk}/periode/{period.pk}/"' in heatmap
    overview = client.get(f"/{uai}/bilans/classe/{division.pk}/periode/{world.t1.pk}/").content.decode()
    assert f'href="/{uai}/suivi/classe/{division.pk}/"' in overview


def test_a_teacher_without_a_class_is_told_where_classes_come_from(establishment, make_user, login_as):
    teacher = make_user(establishment, Profile.TEACHER, login="sans.classe")
    page = text(login_as(teacher).get(f"/{establishment.uai}/bilans/"))
    assert "Aucune de vos classes n'est rattachée à un diplôme : l'import STS-web" in page


def test_a_learner_without_a_validated_bilan_is_told_when_it_comes(world, login_as):
    page = login_as(world.learner).get(f"/{world.establishment.uai}/bilans/")
    assert "vos bilans apparaîtront ici dès que l'enseignant les aura validés" in text(page)
    assert f'href="/{world.establishment.uai}/suivi/"' in page.content.decode()


def test_on_the_class_page_the_learners_name_opens_their_bilan_and_periods_are_separated(world, login_as):
    uai, division = world.establishment.uai, world.division
    response = login_as(world.teacher).get(f"/{uai}/bilans/classe/{division.pk}/periode/{world.t1.pk}/")
    page = response.content.decode()
    assert f'<a href="{edit_url(world)}" data-testid="bilan-apprenant">' in page  # the first column, seen on a phone
    assert "Autres périodes : Trimestre 2" in text(response) and "Trimestre 1 2026" not in text(response).split(
        "Autres périodes", 1)[1].split("validé", 1)[0]
