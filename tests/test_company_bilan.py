"""Bilan entreprise (issue 13): the referent teacher's levels and appreciation on the competencies selected in the
portfolio, the signed paper version typed in, the validation that writes observations « en entreprise » in the
learner's follow-up — once, however many clicks."""

import pytest
from django.urls import reverse

from establishments.routing import tenant_url
from establishments.scoping import scopes_disabled
from pedagogy.evaluation_models import EvaluationType, Level, Observation
from pedagogy.models import CompanyBilan, CompanyBilanLine

from .fixtures_users import media_root_fixture, text  # noqa: F401
from .pfmp_factory import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(establishment, make_user):
    world = World(establishment, make_user)
    world.select()
    with scopes_disabled():
        c1, c7 = world.competencies
        world.keys = [f"level-{c1.pk}-0"] + [f"level-{c7.pk}-{cr.pk}" for cr in c7.criteria.order_by("position")]
    return world


def bilan_url(world, name="company_bilan"):
    return tenant_url(world.establishment, name, pk=world.placement.pk)


def levels(world, *values):
    return dict(zip(world.keys, [str(v) for v in values], strict=True))


def observations(placement):
    with scopes_disabled():
        return list(Observation.objects.filter(placement=placement).order_by("competency__position", "criterion_id"))


def test_paper_version_typed_in_then_validated_becomes_observations_en_entreprise(world, login_as):
    teacher = login_as(world.teacher)
    page = text(teacher.get(bilan_url(world)))
    assert "Analyser les conditions de l'opération" in page and "Le matériel est mis en œuvre" in page
    # Validating before the tutor signed: refused.
    response = teacher.post(bilan_url(world, "company_bilan_validate"), follow=True)
    assert "doit d'abord être signé par le tuteur" in text(response)
    assert observations(world.placement) == []
    response = teacher.post(bilan_url(world), {
        **levels(world, 3, 4, 0), "appreciation": "Sérieux et curieux.", "paper": "1", "signer": "Jean Martin",
        "signed_on": "2027-01-29", "revision": ""})
    assert response.status_code == 302
    with scopes_disabled():
        bilan = CompanyBilan.objects.get(placement=world.placement)
    assert bilan.status == CompanyBilan.Status.SIGNED and bilan.from_paper and bilan.tutor_signed_name == "Jean Martin"
    assert observations(world.placement) == []  # nothing counts before the validation
    for _ in range(2):  # a double click validates once
        teacher.post(bilan_url(world, "company_bilan_validate"), {"revision": bilan.revision})
    rows = observations(world.placement)
    c1, c7 = world.competencies
    assert [(o.competency_id, o.criterion_id is None, o.level) for o in rows] == [
        (c1.pk, True, Level.MASTERED), (c7.pk, False, Level.WELL_MASTERED)]  # NE is not written
    assert {o.type for o in rows} == {EvaluationType.COMPANY}
    assert rows[0].get_type_display() == "En entreprise" and rows[0].learner == world.learner
    assert "Bilan entreprise « PFMP 1 »" in rows[0].source_label
    with scopes_disabled():
        bilan.refresh_from_db()
    assert bilan.status == CompanyBilan.Status.VALIDATED and bilan.validated_by == world.teacher
    # Validated: frozen.
    response = teacher.post(bilan_url(world), {**levels(world, 1, 1, 1), "revision": bilan.revision})
    assert "ne peut plus être modifié" in text(response)
    assert [o.level for o in observations(world.placement)] == [Level.MASTERED, Level.WELL_MASTERED]
    assert "Validé" in text(login_as(world.learner).get(
        tenant_url(world.establishment, "portfolio_detail", pk=world.placement.pk)))


def test_bad_level_and_stale_revision_write_nothing(world, login_as):
    teacher = login_as(world.teacher)
    response = teacher.post(bilan_url(world), {**levels(world, 3, 9, 0), "revision": ""})
    assert "hors de l'échelle" in text(response)
    superscript = dict.fromkeys(levels(world, 3, 3, 3), "²")  # reads as a digit, is not a number
    response = teacher.post(bilan_url(world), {**superscript, "revision": "²"})
    assert response.status_code == 200 and "hors de l'échelle" in text(response)
    with scopes_disabled():
        assert not CompanyBilan.objects.exists()
    teacher.post(bilan_url(world), {**levels(world, 2, 2, 2), "appreciation": "Première saisie", "revision": ""})
    with scopes_disabled():
        bilan = CompanyBilan.objects.get()
    response = teacher.post(bilan_url(world), {**levels(world, 4, 4, 4), "revision": bilan.revision - 1})
    assert "modifié entre-temps" in text(response)
    with scopes_disabled():
        assert set(CompanyBilanLine.objects.values_list("level", flat=True)) == {2}


def test_nothing_selected_says_so(world, login_as):
    with scopes_disabled():
        world.placement.assessed_competencies.clear()
        world.placement.assessed_criteria.clear()
    response = login_as(world.teacher).get(bilan_url(world))
    assert "Aucune compétence n'est retenue" in text(response)


def test_who_may_fill_and_validate(world, login_as):
    ddfpt = login_as(world.ddfpt)
    assert ddfpt.get(bilan_url(world)).status_code == 200
    assert ddfpt.post(bilan_url(world), {**levels(world, 3, 3, 3)}).status_code == 403
    assert ddfpt.post(bilan_url(world, "company_bilan_validate")).status_code == 403
    assert login_as(world.teacher2).get(bilan_url(world)).status_code == 404
    assert login_as(world.learner).get(bilan_url(world)).status_code == 403
    with scopes_disabled():
        assert not CompanyBilan.objects.exists()


def test_printable_paper_version_lists_the_selected_competencies(world, login_as):
    page = text(login_as(world.teacher).get(bilan_url(world, "company_bilan_print")))
    assert "LEROY Inès" in page and "Électricité Martin" in page
    assert page.count("☐") == 3 * 5  # three lines, NE and four levels
    assert reverse("tenant:company_bilan_print", kwargs={"uai": world.establishment.uai, "pk": 1})


def test_demo_has_a_followed_and_evaluated_pfmp(db):
    from accounts.management.commands.demo import load_demo
    from pedagogy.models import TutorLink
    from periods.models import ActivityFiche, Placement

    from .referentiel_factory import make_version

    make_version("MELEC", "2024")
    load_demo()
    load_demo()  # idempotent
    with scopes_disabled():
        placements = Placement.objects.filter(establishment__uai="0750654D", period__isnull=False)
        # The PFMP of the demo's Seconde holds every learner of the class, once (loaded twice).
        assert placements.filter(learner__login__in=["demo.apprenant", "demo.apprenant.pfmp"]).count() == 2
        assert placements.count() == placements.values("learner").distinct().count() >= 2
        assert ActivityFiche.objects.filter(placement__in=placements).count() == 4
        bilans = {b.placement.learner.login: b for b in CompanyBilan.objects.filter(placement__in=placements)}
        assert bilans["demo.apprenant"].status == CompanyBilan.Status.VALIDATED
        assert Observation.objects.filter(learner__login="demo.apprenant", type=EvaluationType.COMPANY,
                                          establishment__uai="0750654D").exists()
        assert bilans["demo.apprenant.pfmp"].status == CompanyBilan.Status.DRAFT
        assert TutorLink.objects.filter(bilan=bilans["demo.apprenant.pfmp"], revoked_at__isnull=True).count() == 1


def test_the_follow_up_shows_the_bilan_entreprise(world, login_as):
    from django.urls import NoReverseMatch

    try:
        followup = tenant_url(world.establishment, "followup_learner", pk=world.learner.pk)
    except NoReverseMatch:
        pytest.skip("le suivi des acquis (issue 12) n'est pas encore là")
    from referentiels.establishment_models import Cohort

    with scopes_disabled():
        Cohort.objects.create(establishment=world.establishment, division=world.class1, version=world.version,
                              class_level="2NDE")
    teacher = login_as(world.teacher)
    teacher.post(bilan_url(world), {**levels(world, 3, 4, 0), "appreciation": "Bien.", "paper": "1",
                                    "signer": "Jean Martin", "signed_on": "2027-01-29", "revision": ""})
    teacher.post(bilan_url(world, "company_bilan_validate"))
    page = text(teacher.get(followup))
    assert "En entreprise" in page or "en entreprise" in page
    assert "Bilan entreprise « PFMP 1 »" in page


def test_a_validated_bilan_leads_to_the_learners_follow_up_en_entreprise(world, login_as):
    teacher = login_as(world.teacher)
    follow_up = tenant_url(world.establishment, "followup_learner", pk=world.learner.pk) + "?type=entreprise"
    assert follow_up not in teacher.get(bilan_url(world)).content.decode()  # nothing counts yet
    own = tenant_url(world.establishment, "portfolio_detail", pk=world.placement.pk)
    assert follow_up not in login_as(world.learner).get(own).content.decode()
    teacher = login_as(world.teacher)
    teacher.post(bilan_url(world), {**levels(world, 3, 4, 0), "paper": "1", "signer": "Jean Martin",
                                    "signed_on": "2027-01-29", "revision": ""})
    with scopes_disabled():
        bilan = CompanyBilan.objects.get(placement=world.placement)
    teacher.post(bilan_url(world, "company_bilan_validate"), {"revision": bilan.revision})
    page = teacher.get(bilan_url(world)).content.decode()
    assert f'href="{follow_up}"' in page and "fr-collapse" not in page  # the breadcrumb shows on a phone too
    assert teacher.get(follow_up).status_code == 200
    # The learner finds their levels from their portfolio.
    learner = login_as(world.learner)
    portfolio_page = learner.get(tenant_url(world.establishment, "portfolio_detail", pk=world.placement.pk))
    assert f'href="{follow_up}"' in portfolio_page.content.decode()
    assert learner.get(follow_up).status_code == 200
