"""A learner who left keeps the passport export for 12 months, and nothing else; other users who left, nothing."""

import datetime

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from accounts.former_learners import FormerLearnerGateMiddleware, open_to_former_learners
from accounts.models import Profile
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def former_learner(establishment, make_user, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC), tick=False)
    user = make_user(establishment, Profile.LEARNER, login="lea.martin", first_name="Léa", last_name="Martin")
    user.deactivate(by_import=True)
    user.save()
    return user


def log_in(user, password=PASSWORD):
    client = Client()
    response = client.post(f"/{user.establishment.uai}/connexion/", {"username": user.login, "password": password})
    return client, response


def test_a_former_learner_logs_in_and_lands_on_the_passport(former_learner):
    client, response = log_in(former_learner)
    assert response.status_code == 302
    home = client.get(response["Location"])  # the home page is not open to them
    assert home.status_code == 302 and home["Location"] == "/0750654D/passeport/"
    page = client.get("/0750654D/passeport/")
    assert page.status_code == 200
    assert "Mon passeport professionnel" in page.content.decode()
    assert "jusqu'au 10 mars 2027" in page.content.decode()


def test_a_former_learner_reaches_nothing_else_but_may_change_password_and_log_out(former_learner):
    client, _ = log_in(former_learner)
    assert client.get("/0750654D/").status_code == 302
    assert client.get("/0750654D/mot-de-passe/").status_code == 200
    assert client.post("/0750654D/deconnexion/").status_code == 302
    assert client.get("/0750654D/passeport/").status_code == 302  # logged out: back to the login page


def test_access_ends_twelve_months_after_leaving(former_learner, time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 10, 11, 59, tzinfo=datetime.UTC), tick=False)
    client, _ = log_in(former_learner)
    assert client.get("/0750654D/passeport/").status_code == 200
    time_machine.move_to(datetime.datetime(2027, 3, 10, 12, 1, tzinfo=datetime.UTC), tick=False)
    page = client.get("/0750654D/passeport/")  # the open session is no longer valid
    assert page.status_code == 302 and "/connexion/" in page["Location"]
    _, response = log_in(former_learner)
    assert response.status_code == 200 and "Identifiant ou mot de passe incorrect" in response.content.decode()


@pytest.mark.parametrize("profile", [Profile.TEACHER, Profile.GUARDIAN, Profile.ADMIN])
def test_other_users_who_left_cannot_log_in(establishment, make_user, profile):
    user = make_user(establishment, profile, login="parti")
    user.deactivate(by_import=True)
    user.save()
    _, response = log_in(user)
    assert response.status_code == 200 and "Identifiant ou mot de passe incorrect" in response.content.decode()


def test_an_active_learner_sees_the_passport_page_and_the_rest(establishment, make_user):
    learner = make_user(establishment, Profile.LEARNER, login="present")
    client, _ = log_in(learner)
    assert client.get("/0750654D/").status_code == 200
    page = client.get("/0750654D/passeport/")
    assert page.status_code == 200
    assert "former-learner-notice" not in page.content.decode()


def test_the_gate_lets_former_learners_through_marked_pages_only(former_learner, establishment):
    middleware = FormerLearnerGateMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/0750654D/quelque-part/")
    request.user, request.establishment, request.resolver_match = former_learner, establishment, None

    def page(request):
        return HttpResponse()

    refused = middleware.process_view(request, page, (), {})
    assert refused.status_code == 302 and refused["Location"] == "/0750654D/passeport/"
    assert middleware.process_view(request, open_to_former_learners(page), (), {}) is None


def test_the_passport_page_shows_the_learner_s_schooling(establishment, make_user):
    from accounts.enrolments import enrol
    from establishments.models import Division
    from establishments.scoping import scope

    with scope(establishment=establishment):
        division = Division.objects.create(establishment=establishment, code="1MELEC2")
        learner = make_user(establishment, Profile.LEARNER, login="suivi", division=division,
                            mef_label="1ERE PRO METIERS ELECTRICITE")
        enrol(learner, datetime.date(2026, 9, 1))
    client, _ = log_in(learner)
    page = client.get("/0750654D/passeport/").content.decode()
    assert "1MELEC2" in page and "1ERE PRO METIERS ELECTRICITE" in page and "2026-2027" in page
    assert "bientôt" not in page
