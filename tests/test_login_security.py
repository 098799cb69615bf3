"""Issue 9 items 1, 2 and 4: one normalisation of logins (creation, lookup, lockout key), the platform console's
lockout page, and the lockout lifted by an administrator's password reset."""

import re

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.backends import EstablishmentLoginBackend, lockout_key
from accounts.models import Profile, User
from establishments.scoping import scopes_disabled

from .conftest import PASSWORD
from .fixtures_users import admin_client_fixture, admin_fixture, media_root_fixture, text  # noqa: F401

pytestmark = pytest.mark.django_db
LOGIN = "/0750654D/connexion/"
# Letters that PostgreSQL's UPPER() folds onto ASCII ones: "ſ" → "S", "ı" → "I", "K" (Kelvin) → "k".
LOOKALIKES = ["demo.enſeignant", "demo.enseıgnant", "demo.enseignant\u212a", "Demo.Enſeignant"]


def _lock(client, url, login, limit):
    for _ in range(limit):
        client.post(url, {"username": login, "password": "mauvais"})


def test_a_non_ascii_login_is_refused_without_looking_up_any_account(establishment, make_user):
    make_user(establishment, Profile.TEACHER, login="demo.enseignant")
    backend = EstablishmentLoginBackend()
    for login in LOOKALIKES:
        with CaptureQueriesContext(connection) as ctx:
            assert backend.authenticate(None, username=login, password=PASSWORD, establishment=establishment) is None
        assert not [q for q in ctx.captured_queries if "accounts_user" in q["sql"]], login


def _key(establishment, login):
    return lockout_key(None, {"establishment": establishment, "username": login})


def test_lookup_and_lockout_key_agree_on_case_and_spaces(establishment, make_user):
    teacher = make_user(establishment, Profile.TEACHER, login="demo.enseignant")
    backend = EstablishmentLoginBackend()
    for typed in ("demo.enseignant", "Demo.Enseignant", "  DEMO.ENSEIGNANT "):
        assert backend.authenticate(None, username=typed, password=PASSWORD, establishment=establishment) == teacher
        assert _key(establishment, typed) == "0750654D:demo.enseignant"
    for login in LOOKALIKES:
        assert _key(establishment, login) != "0750654D:demo.enseignant"


def test_a_locked_login_cannot_be_reached_through_a_lookalike_letter(establishment, make_user, client, settings):
    make_user(establishment, Profile.TEACHER, login="demo.enseignant")
    _lock(client, LOGIN, "demo.enseignant", settings.AXES_FAILURE_LIMIT)
    for login in LOOKALIKES:
        response = client.post(LOGIN, {"username": login, "password": PASSWORD})
        assert "_auth_user_id" not in client.session, login
        assert response.status_code in (200, 429)
    # The same login typed in capitals is the same lockout.
    assert client.post(LOGIN, {"username": "DEMO.Enseignant", "password": PASSWORD}).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_login_stored_in_mixed_case_is_found_and_locked_under_one_key(establishment, make_user, client, settings):
    teacher = make_user(establishment, Profile.TEACHER, login="anne.roux")
    with scopes_disabled():
        User.objects.filter(pk=teacher.pk).update(login="Anne.Roux")  # as an older import may have stored it
    assert client.post(LOGIN, {"username": "anne.roux", "password": PASSWORD}).status_code == 302
    client.logout()
    _lock(client, LOGIN, "ANNE.ROUX", settings.AXES_FAILURE_LIMIT)
    assert client.post(LOGIN, {"username": "anne.roux", "password": PASSWORD}).status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"0750654D:anne.roux"}


def test_logins_are_stored_normalised_and_non_ascii_ones_are_refused(establishment):
    with scopes_disabled():
        user = User.objects.create_user(" Marc.Petit ", PASSWORD, establishment=establishment, last_name="Petit")
        assert user.login == "marc.petit"
        with pytest.raises(ValueError, match="identifiant"):
            User.objects.create_user("marc.pétit", PASSWORD, establishment=establishment, last_name="Petit")


def test_the_platform_superuser_login_has_no_lookalike_and_its_lockout_is_a_page(establishment, settings):
    with scopes_disabled():
        User.objects.create_superuser("admin", PASSWORD, last_name="Service technique")
    client = Client()
    url = "/plateforme/login/?next=/plateforme/"
    _lock(client, url, "admin", settings.AXES_FAILURE_LIMIT)
    for login in ("admın", "AdMıN", "ADMIN", "admin"):
        response = client.post(url, {"username": login, "password": PASSWORD})
        assert "_auth_user_id" not in client.session, login
        assert response.status_code in (200, 429), login
    locked = client.post(url, {"username": "admin", "password": PASSWORD})
    assert locked.status_code == 429
    page = text(locked)
    assert "Trop de tentatives de connexion ont échoué" in page and 'name="password"' in page


def test_the_platform_natural_key_is_the_normalised_login(establishment, make_user):
    make_user(establishment, Profile.TEACHER, login="ops")  # an establishment's "ops" is not the platform's
    with scopes_disabled():
        ops = User.objects.create_superuser("ops", PASSWORD, last_name="Service technique")
        assert User.objects.get_by_natural_key("OPS") == ops
        with pytest.raises(User.DoesNotExist):
            User.objects.get_by_natural_key("opſ")


def test_a_password_reset_by_the_administrator_lifts_the_lockout(admin_client, establishment, make_user,
                                                                  mailoutbox, settings):
    teacher = make_user(establishment, Profile.TEACHER, login="anne.roux", email="anne.roux@example.org")
    learner = make_user(establishment, Profile.LEARNER, login="ines.leroy", birth_date="2009-03-14")
    other = Client()
    for login in ("anne.roux", "ines.leroy"):
        _lock(other, LOGIN, login, settings.AXES_FAILURE_LIMIT)
        assert other.post(LOGIN, {"username": login, "password": PASSWORD}).status_code == 429

    admin_client.post(f"/0750654D/utilisateurs/{teacher.pk}/mot-de-passe/")
    password = re.search(r"Mot de passe temporaire : (\S+)", mailoutbox[-1].body).group(1)
    assert other.post(LOGIN, {"username": "anne.roux", "password": password}).status_code == 302
    other.logout()

    admin_client.post(f"/0750654D/utilisateurs/{learner.pk}/mot-de-passe/")
    assert other.post(LOGIN, {"username": "ines.leroy", "password": "14032009"}).status_code == 302
