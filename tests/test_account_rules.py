"""Issue 9 item 3 (who may change whose e-mail and reset whose password, notice to the old address), item 18
(the site's address in e-mails and printed sheets) and the logout page."""

import re

import pytest

from accounts import services
from accounts.models import Profile

from .conftest import PASSWORD
from .fixtures_users import text

pytestmark = pytest.mark.django_db
USERS = "/0750654D/utilisateurs/"


@pytest.fixture
def staff(establishment, make_user):
    """One account of each managing profile, two of each rank, all with an e-mail address."""
    people = {}
    for key, profile in [("chef", Profile.HEAD), ("chef2", Profile.HEAD), ("admin", Profile.ADMIN),
                         ("admin2", Profile.ADMIN), ("ddfpt", Profile.DDFPT), ("ddfpt2", Profile.DDFPT),
                         ("prof", Profile.TEACHER)]:
        people[key] = make_user(establishment, profile, login=key, email=f"{key}@example.org")
    return people


# (actor, target): may the actor change the target's e-mail and reset their password?
ALLOWED = {("chef", "admin"), ("chef", "admin2"), ("chef", "ddfpt"), ("chef", "ddfpt2"), ("chef", "prof"),
           ("admin", "prof"), ("ddfpt", "prof")}


def test_credentials_go_strictly_down_the_ranks(staff):
    for actor in ("chef", "admin", "ddfpt"):
        for target in staff:
            expected = (actor, target) in ALLOWED
            assert services.may_change_credentials(staff[actor], staff[target]) is expected, (actor, target)


@pytest.mark.parametrize(("actor", "target"), [("chef", "chef2"), ("ddfpt", "ddfpt2"), ("ddfpt", "admin"),
                                               ("admin", "admin2"), ("admin", "ddfpt"), ("admin", "chef")])
def test_a_peer_or_a_higher_rank_cannot_take_an_account_over(staff, login_as, mailoutbox, actor, target):
    client = login_as(staff[actor])
    victim = staff[target]
    assert client.post(USERS + f"{victim.pk}/e-mail/", {"email": "pirate@example.org"}).status_code == 403
    assert client.post(USERS + f"{victim.pk}/mot-de-passe/").status_code == 403
    victim.refresh_from_db()
    assert victim.email == f"{target}@example.org" and victim.check_password(PASSWORD)
    assert mailoutbox == []
    if client.get(USERS + f"{victim.pk}/").status_code == 200:  # a page they may see shows no such action
        page = text(client.get(USERS + f"{victim.pk}/"))
        assert "Réinitialiser le mot de passe" not in page and "Enregistrer l'adresse" not in page


def test_a_platform_staff_account_is_never_changed_from_an_establishment(staff):
    staff["prof"].is_staff = True
    assert not services.may_change_credentials(staff["chef"], staff["prof"])


def test_the_old_address_is_told_when_an_e_mail_changes(staff, login_as, mailoutbox):
    client = login_as(staff["chef"])
    admin = staff["admin"]
    response = client.post(USERS + f"{admin.pk}/e-mail/", {"email": "nouvelle@example.org"}, follow=True)
    page = text(response)
    assert "est maintenant nouvelle@example.org" in page
    assert "Un message l'en informe à son ancienne adresse (admin@example.org)." in page
    assert len(mailoutbox) == 1
    notice = mailoutbox[0]
    assert notice.to == ["admin@example.org"]
    assert notice.subject == "Votre adresse e-mail CPro a été modifiée — Lycée Jean Jaurès"
    assert "Nouvelle adresse : nouvelle@example.org" in notice.body and "signalez-le" in notice.body
    assert PASSWORD not in notice.body


def test_an_e_mail_set_for_the_first_time_sends_no_notice(establishment, make_user, staff, login_as, mailoutbox):
    teacher = make_user(establishment, Profile.TEACHER, login="anne.roux")
    client = login_as(staff["admin"])
    client.post(USERS + f"{teacher.pk}/e-mail/", {"email": "anne.roux@example.org"})
    teacher.refresh_from_db()
    assert teacher.email == "anne.roux@example.org" and mailoutbox == []


# Item 18: the site's address ----------------------------------------------------------------------------------


def test_without_site_url_e_mails_use_the_address_the_site_was_reached_at(staff, login_as, mailoutbox,
                                                                                     settings):
    settings.SITE_URL, settings.ALLOWED_HOSTS = "", ["testserver", "127.0.0.1"]
    client = login_as(staff["admin"])
    client.post(USERS + f"{staff['prof'].pk}/mot-de-passe/", HTTP_HOST="127.0.0.1:8123")
    assert "Adresse du site de l'établissement : http://127.0.0.1:8123/0750654D/connexion/" in mailoutbox[0].body


def test_site_url_wins_when_set(staff, login_as, mailoutbox, settings):
    settings.SITE_URL, settings.ALLOWED_HOSTS = "https://cpro.example.fr/", ["testserver", "127.0.0.1"]
    login_as(staff["admin"]).post(USERS + f"{staff['prof'].pk}/mot-de-passe/", HTTP_HOST="127.0.0.1:8123")
    assert re.search(r"Adresse du site de l'établissement : https://cpro\.example\.fr/0750654D/connexion/\n",
                     mailoutbox[0].body)


# Logout --------------------------------------------------------------------------------------------------------


def test_a_get_on_the_logout_address_shows_the_logout_button(staff, login_as, client):
    user_client = login_as(staff["prof"])
    page = user_client.get("/0750654D/deconnexion/")
    assert page.status_code == 200
    content = text(page)
    assert "Se déconnecter</button>" in content and 'action="/0750654D/deconnexion/"' in content
    assert user_client.get("/0750654D/").status_code == 200  # still logged in until the button is pressed
    assert user_client.post("/0750654D/deconnexion/")["Location"] == "/0750654D/connexion/"
    assert client.get("/0750654D/deconnexion/")["Location"] == "/0750654D/connexion/"
