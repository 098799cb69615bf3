"""The home page of each profile (issue 9 item 16): only real links, and what is true today for the profile."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import GuardianLink, Profile
from establishments.models import Division, TeachingGroup
from establishments.scoping import scopes_disabled

from .fixtures_users import admin_client_fixture, admin_fixture, media_root_fixture, text  # noqa: F401

pytestmark = pytest.mark.django_db
HOME = "/0750654D/"


@pytest.fixture
def classes(establishment):
    with scopes_disabled():
        return {
            "melec": Division.objects.create(establishment=establishment, code="2MELEC1", label="2nde MELEC 1"),
            "ciel": Division.objects.create(establishment=establishment, code="1CIEL2", label="1ère CIEL 2"),
            "other": Division.objects.create(establishment=establishment, code="TMEE", label="Term. MEE"),
            "group": TeachingGroup.objects.create(establishment=establishment, code="G-ANG", label="Anglais gr. 1"),
        }


def links_of(page: str) -> list[str]:
    main = page.split('id="contenu"', 1)[-1] if 'id="contenu"' in page else page
    return re.findall(r'<a[^>]*href="(/0750654D/[^"]*)"', main)


@pytest.mark.parametrize("profile", list(Profile))
def test_no_profile_sees_a_coming_soon_card_and_every_link_opens(profile, establishment, make_user, login_as):
    client = login_as(make_user(establishment, profile))
    page = text(client.get(HOME))
    assert "Bientôt" not in page and "bientôt" not in page
    for url in set(links_of(page)):
        if url.rstrip("/") in (HOME.rstrip("/"), "/0750654D/deconnexion"):
            continue
        assert client.get(url).status_code == 200, url


def test_a_teacher_sees_the_classes_and_groups_sts_says_they_teach(establishment, make_user, login_as, classes):
    teacher = make_user(establishment, Profile.TEACHER)
    with scopes_disabled():
        teacher.divisions_taught.set([classes["melec"], classes["ciel"]])
        teacher.teaching_groups.set([classes["group"]])
    page = text(login_as(teacher).get(HOME))
    assert "Vos classes et vos groupes" in page
    assert "2MELEC1 — 2nde MELEC 1" in page and "1CIEL2 — 1ère CIEL 2" in page
    assert "G-ANG — Anglais gr. 1" in page
    assert "TMEE" not in page


def test_a_teacher_without_classes_is_told_when_they_will_appear(establishment, make_user, login_as):
    page = text(login_as(make_user(establishment, Profile.TEACHER)).get(HOME))
    assert "Aucune classe ni aucun groupe ne vous est attribué dans STS-web" in page


def test_a_guardian_sees_their_linked_learners_only(establishment, make_user, login_as, classes):
    guardian = make_user(establishment, Profile.GUARDIAN, login="karim.leroy")
    ines = make_user(establishment, Profile.LEARNER, login="ines.leroy", first_name="Inès", last_name="Leroy",
                     division=classes["melec"])
    make_user(establishment, Profile.LEARNER, login="paul.roux", first_name="Paul", last_name="Roux",
              division=classes["ciel"])
    with scopes_disabled():
        GuardianLink.objects.create(establishment=establishment, guardian=guardian, learner=ines)
    page = text(login_as(guardian).get(HOME))
    assert "Inès LEROY — classe 2MELEC1" in page
    assert "Roux" not in page and "ROUX" not in page


def test_a_learner_sees_their_class(establishment, make_user, login_as, classes):
    learner = make_user(establishment, Profile.LEARNER, login="ines.leroy", division=classes["melec"],
                        mef_label="BAC PRO MELEC")
    page = text(login_as(learner).get(HOME))
    assert "Vous êtes en classe 2MELEC1 (BAC PRO MELEC)." in page
    assert "Passeport professionnel" in page


def test_a_tutor_and_an_inspector_read_what_their_account_gives_them(establishment, make_user, login_as):
    tutor_page = text(login_as(make_user(establishment, Profile.TUTOR)).get(HOME))
    assert "Votre compte de tuteur est ouvert" in tutor_page
    until = timezone.now() + datetime.timedelta(days=10)
    inspector = make_user(establishment, Profile.INSPECTOR, access_expires_at=until)
    page = text(login_as(inspector).get(HOME))
    assert "ouvert en lecture seule jusqu'au" in page and "inclus" in page


def test_an_administrator_s_cards_are_the_registered_modules(admin_client):
    page = text(admin_client.get(HOME))
    for label in ("Paramètres", "Importations", "Utilisateurs"):
        assert re.search(rf'<a href="/0750654D/[^"]*">{label}</a>', page), label
    assert "Console de pilotage" not in page and "Scénarios pédagogiques" not in page
