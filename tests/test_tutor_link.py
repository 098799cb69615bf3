"""The tutor's link (issue 13): sent by e-mail by the referent teacher, opens without an account only the bilan of
that learner for that period, until a date, once; tampered, expired, revoked, reused, validated or pointed at
another learner's bilan → a clear page, nothing written."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from establishments.routing import tenant_url
from establishments.scoping import scopes_disabled
from pedagogy.models import CompanyBilan, CompanyBilanLine, Observation, TutorLink

from .fixtures_users import media_root_fixture, text  # noqa: F401
from .pfmp_factory import World

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/\S+/entreprise/tuteur/(\d+)/(\S+)/)")


@pytest.fixture
def world(establishment, make_user):
    world = World(establishment, make_user)
    world.select()
    world.select(world.placement_classmate)
    return world


def send(world, login_as, placement=None, email="jean.martin@example.org", days=20):
    placement = placement or world.placement
    teacher = login_as(world.teacher)
    response = teacher.post(tenant_url(world.establishment, "company_bilan_link", pk=placement.pk), {
        "email": email, "expires_on": (timezone.localdate() + datetime.timedelta(days=days)).isoformat()},
        follow=True)
    assert "Le lien a été envoyé" in text(response), text(response)
    path, bilan_pk, token = LINK.search(mail.outbox[-1].body).groups()
    return path, int(bilan_pk), token


def keys(world, placement=None):
    placement = placement or world.placement
    with scopes_disabled():
        c1, c7 = world.competencies
        return [f"level-{c1.pk}-0"] + [f"level-{c7.pk}-{cr.pk}" for cr in c7.criteria.order_by("position")]


def fill(world, placement=None, values=(3, 4, 2), signer="Jean Martin"):
    return {**dict(zip(keys(world, placement), map(str, values), strict=True)), "appreciation": "Très bien.",
            "signer": signer, "signed_on": timezone.localdate().isoformat()}


def snapshot():
    with scopes_disabled():
        return (list(CompanyBilan.objects.values()), list(CompanyBilanLine.objects.values()),
                list(TutorLink.objects.values()), Observation.objects.count())


def refused(response, title):
    page = text(response)
    assert response.status_code == 403, page[:500]
    assert title in page and "Rien n'a été enregistré" in page
    assert "LEROY" not in page and "Inès" not in page and "PETIT" not in page


def test_the_tutor_fills_and_signs_on_a_phone_without_account_then_the_teacher_validates(world, login_as, client):
    path, bilan_pk, token = send(world, login_as)
    message = mail.outbox[-1]
    assert message.to == ["jean.martin@example.org"] and "valable jusqu'au" in message.body
    with scopes_disabled():
        link = TutorLink.objects.get()
    assert token not in link.token_hash and len(link.token_hash) == 64  # only its hash is stored
    page = client.get(path)  # anonymous: no login page
    assert page.status_code == 200
    body = text(page)
    assert "Bilan entreprise de Inès Leroy" in body and "Hugo" not in body and "Petit" not in body
    assert 'name="viewport"' in body
    assert "Laissez « NE – non évalué » ce que vous n'avez pas pu observer" in body  # the scale explained
    response = client.post(path, fill(world))
    assert "Merci, le bilan est signé et envoyé" in text(response)
    with scopes_disabled():
        bilan = CompanyBilan.objects.get(pk=bilan_pk)
        assert sorted(CompanyBilanLine.objects.filter(bilan=bilan).values_list("level", flat=True)) == [2, 3, 4]
    assert bilan.status == CompanyBilan.Status.SIGNED and bilan.tutor_signed_name == "Jean Martin"
    with scopes_disabled():
        assert not Observation.objects.filter(placement=world.placement).exists()  # counts once validated
    login_as(world.teacher).post(tenant_url(world.establishment, "company_bilan_validate", pk=world.placement.pk))
    with scopes_disabled():
        assert Observation.objects.filter(placement=world.placement, type="entreprise").count() == 3
        assert TutorLink.objects.get().revoked_at is not None  # revoked on validation
    refused(client.get(path), "Bilan déjà validé")


def test_a_tampered_token_opens_nothing(world, login_as, client):
    path, _bilan_pk, token = send(world, login_as)
    before = snapshot()
    tampered = path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    refused(client.get(tampered), "Lien invalide")
    refused(client.post(tampered, fill(world)), "Lien invalide")
    refused(client.post(path.replace(token, "x"), fill(world)), "Lien invalide")
    assert snapshot() == before


def test_a_link_never_opens_another_learners_bilan(world, login_as, client):
    _, other_bilan_pk, _ = send(world, login_as, world.placement_classmate, "luc.blanc@example.org")
    path, bilan_pk, _token = send(world, login_as)
    before = snapshot()
    other = path.replace(f"/tuteur/{bilan_pk}/", f"/tuteur/{other_bilan_pk}/")
    refused(client.get(other), "Lien invalide")
    refused(client.post(other, fill(world, world.placement_classmate)), "Lien invalide")
    assert snapshot() == before
    # Nor in another establishment's space.
    elsewhere = path.replace(f"/{world.establishment.uai}/", "/0999999F/")
    from establishments.models import Establishment
    Establishment.objects.create(uai="0999999F", name="Lycée Marie Curie", email="ce.0999999f@ac-lyon.fr")
    refused(client.get(elsewhere), "Lien invalide")
    assert snapshot() == before


def test_an_expired_link_opens_nothing(world, login_as, client):
    path, _, _ = send(world, login_as)
    with scopes_disabled():
        TutorLink.objects.update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    before = snapshot()
    refused(client.get(path), "Lien expiré")
    refused(client.post(path, fill(world)), "Lien expiré")
    assert snapshot() == before


def test_a_link_revoked_by_the_teacher_or_replaced_opens_nothing(world, login_as, client):
    first, _, _ = send(world, login_as)
    second, _, _ = send(world, login_as)  # a new link revokes the previous one
    refused(client.get(first), "Lien révoqué")
    login_as(world.teacher).post(tenant_url(world.establishment, "company_bilan_revoke", pk=world.placement.pk))
    before = snapshot()
    refused(client.get(second), "Lien révoqué")
    refused(client.post(second, fill(world)), "Lien révoqué")
    assert snapshot() == before


def test_a_link_serves_once(world, login_as, client):
    path, _, _ = send(world, login_as)
    client.post(path, fill(world))
    before = snapshot()
    refused(client.get(path), "Lien déjà utilisé")
    refused(client.post(path, fill(world, values=(1, 1, 1), signer="Quelqu'un d'autre")), "Lien déjà utilisé")
    assert snapshot() == before


def test_the_tutor_must_sign_and_stay_on_the_scale(world, login_as, client):
    path, _, _ = send(world, login_as)
    before = snapshot()
    response = client.post(path, fill(world, signer=""))
    assert "Indiquez votre nom et la date de signature" in text(response)  # spoken to the tutor
    response = client.post(path, fill(world, values=(3, 7, 2)))
    assert "hors de l'échelle" in text(response)
    assert snapshot() == before
    assert client.post(path, fill(world)).status_code == 200  # the link still works after a mistake
    with scopes_disabled():
        assert CompanyBilan.objects.get(placement=world.placement).status == CompanyBilan.Status.SIGNED


def test_sending_refuses_a_bad_address_or_date(world, login_as):
    teacher = login_as(world.teacher)
    link_url = tenant_url(world.establishment, "company_bilan_link", pk=world.placement.pk)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert "date de fin de validité est passée" in text(teacher.post(
        link_url, {"email": "jean.martin@example.org", "expires_on": yesterday}, follow=True))
    assert "adresse e-mail du tuteur" in text(teacher.post(
        link_url, {"email": "pas-une-adresse", "expires_on": "2099-01-01"}, follow=True))
    assert mail.outbox == [] and snapshot()[2] == []
    # Only the referent teacher sends links; the DDFPT reads.
    assert login_as(world.ddfpt).post(link_url, {"email": "jean.martin@example.org",
                                                 "expires_on": "2030-01-01"}).status_code == 403


def test_a_failed_email_leaves_no_link(world, login_as, monkeypatch):
    def broken(self, fail_silently=False):
        raise OSError("SMTP indisponible")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    response = login_as(world.teacher).post(
        tenant_url(world.establishment, "company_bilan_link", pk=world.placement.pk),
        {"email": "jean.martin@example.org", "expires_on": (timezone.localdate() + datetime.timedelta(days=5))
         .isoformat()}, follow=True)
    assert "n'a pas pu être envoyé" in text(response)
    with scopes_disabled():
        assert not TutorLink.objects.exists()


def test_the_tutor_page_is_public_and_the_others_are_not():
    from django.urls import resolve

    assert getattr(resolve("/0750654D/entreprise/tuteur/1/abc/").func, "cpro_public", False)
    assert not getattr(resolve("/0750654D/entreprise/bilans/1/").func, "cpro_public", False)


def test_a_transfer_moves_the_portfolio_and_the_bilan_and_revokes_the_link(world, login_as, other_establishment,
                                                                           make_user):
    from accounts.models import Profile, User
    from periods.models import ActivityFiche, Placement
    from transfers.registry import move_learner_data
    from transfers.services import LEARNER_FIELDS, _learners

    send(world, login_as)
    with scopes_disabled():
        ActivityFiche.objects.create(establishment=world.establishment, placement=world.placement, title="F",
                                     description="…", reviewed_by=world.teacher)
    destination = make_user(other_establishment, Profile.LEARNER, login="ines.leroy.b")
    with scopes_disabled():
        [origin] = _learners(User.objects.filter(pk=world.learner.pk).values_list(*LEARNER_FIELDS))
        [target] = _learners(User.objects.filter(pk=destination.pk).values_list(*LEARNER_FIELDS))
        move_learner_data([(origin, target)])
        placement = Placement.objects.get(pk=world.placement.pk)
        assert placement.learner_id == destination.pk and placement.period_id is None
        assert placement.establishment_id == other_establishment.pk
        fiche = ActivityFiche.objects.get(placement=placement)
        assert fiche.establishment_id == other_establishment.pk and fiche.reviewed_by is None
        link = TutorLink.objects.get()
        assert link.establishment_id == other_establishment.pk and link.revoked_at is not None
        assert CompanyBilan.objects.get(placement=placement).establishment_id == other_establishment.pk


def test_the_tutors_email_is_plain_text_without_html_entities(world, login_as):
    """« Découverte de l'entreprise » must not reach the tutor as « l&#x27;entreprise »."""
    from periods.models import WorkPeriod

    with scopes_disabled():
        WorkPeriod.objects.filter(pk=world.period.pk).update(title="PFMP 1 — découverte de l'entreprise & co")
    send(world, login_as)
    body = mail.outbox[-1].body
    assert "« PFMP 1 — découverte de l'entreprise & co »" in body
    assert "&#x27;" not in body and "&amp;" not in body


def test_the_tutors_page_without_a_company_name_has_no_dangling_dot(world, login_as, client):
    from periods.models import Placement

    with scopes_disabled():
        Placement.objects.filter(pk=world.placement.pk).update(company_name="")
    path, _, _ = send(world, login_as)
    page = text(client.get(path))
    assert "au 29/01/2027</p>" in page and "29/01/2027 ·" not in page
