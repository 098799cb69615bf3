import pytest
from django.test import Client

from accounts.models import Profile, User
from establishments.scoping import scopes_disabled

from .conftest import PASSWORD


@pytest.mark.django_db
def test_platform_staff_reach_the_console_across_establishments(establishment, other_establishment, make_user):
    make_user(establishment, Profile.TEACHER, login="julien.durand")
    with scopes_disabled():
        User.objects.create_superuser("ops", PASSWORD, last_name="Service technique")
    client = Client()
    response = client.post("/plateforme/login/", {"username": "ops", "password": PASSWORD, "next": "/plateforme/"})
    assert response.status_code == 302
    users = client.get("/plateforme/accounts/user/").content.decode()
    assert "julien.durand" in users
    assert "0999999F" in client.get("/plateforme/establishments/establishment/").content.decode()


@pytest.mark.django_db
def test_an_establishment_administrator_is_not_platform_staff(establishment, make_user, login_as):
    admin = make_user(establishment, Profile.ADMIN, login="claire.martin")
    client = login_as(admin)
    assert client.get("/plateforme/")["Location"].startswith("/plateforme/login/")
    # The console's login does not accept establishment accounts either.
    response = Client().post("/plateforme/login/", {"username": "claire.martin", "password": PASSWORD})
    assert response.status_code == 200


@pytest.mark.django_db
def test_session_ends_after_idle_timeout(establishment, make_user, login_as, settings, time_machine):
    time_machine.move_to("2026-11-23 09:00:00+01:00", tick=False)
    client = login_as(make_user(establishment, Profile.TEACHER))
    time_machine.shift(settings.SESSION_COOKIE_AGE - 60)
    assert client.get("/0750654D/").status_code == 200  # activity renews the session
    time_machine.shift(settings.SESSION_COOKIE_AGE + 1)
    assert client.get("/0750654D/")["Location"].startswith("/0750654D/connexion/")
