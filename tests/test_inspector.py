"""Accès inspecteur: opened and closed by the chef d'établissement or the DDFPT; read-only; time-limited."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Profile, User
from establishments.models import AuditEntry
from establishments.scoping import scope

from .fixtures_users import admin_fixture, media_root_fixture, text  # noqa: F401
from .sweep_examples import URL_EXAMPLES
from .test_isolation_sweep import TENANT_VIEWS

pytestmark = pytest.mark.django_db
URL = "/0750654D/acces-inspecteur/"


@pytest.fixture
def head_client(establishment, make_user, login_as):
    return login_as(make_user(establishment, Profile.HEAD, login="chef", last_name="Bernard",
                              first_name="Philippe"))


def open_access(client, **fields):
    data = {"civility": "M.", "last_name": "Fournier", "first_name": "Alain", "email": "alain.fournier@ac-paris.fr",
            "expires_on": (datetime.date.today() + datetime.timedelta(days=30)).isoformat()}
    data.update(fields)
    return client.post(URL, data, follow=True)


def password_from(mail) -> str:
    return re.search(r"Mot de passe temporaire : (\S+)", mail.body).group(1)


def inspector_client(password: str) -> Client:
    client = Client()
    assert client.post("/0750654D/connexion/", {"username": "alain.fournier", "password": password}).status_code == 302
    client.post("/0750654D/mot-de-passe/", {"old_password": password, "new_password1": "Lecture-Seule-2026!",
                                            "new_password2": "Lecture-Seule-2026!"})
    return client


def test_head_opens_an_access_and_the_inspector_receives_it(head_client, establishment, mailoutbox, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC))
    response = open_access(head_client, expires_on="2026-12-31")
    page = text(response)
    assert "L'accès de FOURNIER Alain est ouvert jusqu'au 31/12/2026 inclus, en lecture seule." in page
    assert "ouvert" in page.split('data-testid="inspectors"')[1]

    with scope(establishment=establishment):
        inspector = User.objects.get(profile=Profile.INSPECTOR)
    assert inspector.login == "alain.fournier" and inspector.created_by_hand
    assert inspector.access_expires_at == datetime.datetime(2026, 12, 31, 23, 0, tzinfo=datetime.UTC)  # Paris midnight

    mail = mailoutbox[0]
    assert mail.subject == "Votre accès inspecteur à CPro — Lycée Jean Jaurès"
    assert "accès en lecture seule (inspecteur) à son espace CPro, jusqu'au 31/12/2026 inclus." in mail.body
    assert "Identifiant : alain.fournier" in mail.body
    with scope(establishment=establishment):
        assert AuditEntry.objects.get().action == "inspector.open"


def test_ddfpt_opens_too_but_not_the_administrator(establishment, make_user, login_as, mailoutbox):
    ddfpt = login_as(make_user(establishment, Profile.DDFPT, login="ddfpt"))
    assert "est ouvert jusqu'au" in text(open_access(ddfpt))
    admin_client = login_as(make_user(establishment, Profile.ADMIN, login="adm"))
    assert admin_client.get(URL).status_code == 403
    assert admin_client.post(URL, {}).status_code == 403


@pytest.mark.parametrize("days,error", [
    (-1, "La date de fin d'accès est passée"),
    (400, "Un accès inspecteur dure au plus un an"),
])
def test_expiry_date_must_be_within_a_year(head_client, establishment, days, error, mailoutbox):
    response = open_access(head_client, expires_on=(datetime.date.today() + datetime.timedelta(days=days)).isoformat())
    assert error in text(response)
    with scope(establishment=establishment):
        assert not User.objects.filter(profile=Profile.INSPECTOR).exists()
    assert mailoutbox == []


def test_inspector_reads_but_every_write_is_refused(head_client, establishment, make_user, mailoutbox):
    open_access(head_client)
    inspector = inspector_client(password_from(mailoutbox[0]))
    assert inspector.get("/0750654D/").status_code == 200

    # Objects the URLs point to (the same examples as the isolation sweep).
    users = {p: make_user(establishment, p, login=f"{p.value}.exemple") for p in Profile}
    refused = []
    for route, name, callback in TENANT_VIEWS:
        if getattr(callback, "cpro_public", False) or name == "tenant:password_change":
            continue
        kwargs = {"uai": establishment.uai}
        if route.count("<") > 1:
            kwargs.update(URL_EXAMPLES[name](establishment, users))
        response = inspector.post(reverse(name, kwargs=kwargs), {"name": "x", "email": "x@example.org"})
        if response.status_code != 403:
            refused.append((name, response.status_code))
    assert refused == [], f"Écritures acceptées pour un inspecteur : {refused}"
    establishment.refresh_from_db()
    assert establishment.name == "Lycée Jean Jaurès"


def test_inspector_may_change_their_own_password_only(head_client, mailoutbox):
    open_access(head_client)
    password = password_from(mailoutbox[0])
    client = Client()
    client.post("/0750654D/connexion/", {"username": "alain.fournier", "password": password})
    response = client.post("/0750654D/mot-de-passe/", {"old_password": password, "new_password1": "Lecture-Seule-2026!",
                                                       "new_password2": "Lecture-Seule-2026!"})
    assert response.status_code == 302 and response["Location"] == "/0750654D/"
    assert client.post("/0750654D/", {}).status_code == 403
    assert client.get("/0750654D/").status_code == 200


def test_access_ends_at_the_expiry_date(head_client, establishment, mailoutbox, time_machine, settings):
    settings.SESSION_COOKIE_AGE = 60 * 24 * 3600  # the idle timeout is not what is tested here
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC), tick=False)
    open_access(head_client, expires_on="2026-11-30")
    password = password_from(mailoutbox[0])
    inspector = inspector_client(password)

    time_machine.move_to(datetime.datetime(2026, 11, 30, 22, 59, tzinfo=datetime.UTC), tick=False)  # 23:59 Paris
    assert inspector.get("/0750654D/").status_code == 200

    time_machine.move_to(datetime.datetime(2026, 11, 30, 23, 1, tzinfo=datetime.UTC), tick=False)  # 1st Dec.
    response = inspector.get("/0750654D/", follow=True)
    assert "Votre accès à l'espace CPro de l'établissement a expiré." in text(response)
    assert "_auth_user_id" not in inspector.session

    again = Client().post("/0750654D/connexion/", {"username": "alain.fournier", "password": "Lecture-Seule-2026!"})
    assert again.status_code == 200
    assert "Votre accès à l'espace CPro de l'établissement a expiré." in text(again)

    page = text(head_client.get(URL))
    assert "expiré" in page.split('data-testid="inspectors"')[1]


def test_closing_the_access_logs_the_inspector_out(head_client, establishment, mailoutbox):
    open_access(head_client)
    inspector = inspector_client(password_from(mailoutbox[0]))
    with scope(establishment=establishment):
        account = User.objects.get(profile=Profile.INSPECTOR)
    response = head_client.post(URL + f"{account.pk}/fermer/", follow=True)
    assert "L'accès de FOURNIER Alain est fermé." in text(response)
    assert inspector.get("/0750654D/").status_code == 302
    refused = Client().post("/0750654D/connexion/", {"username": "alain.fournier", "password": "Lecture-Seule-2026!"})
    assert "_auth_user_id" not in refused.wsgi_request.session

    # Opening again with the same e-mail gives the same account back, with a new temporary password.
    open_access(head_client)
    account.refresh_from_db()
    assert account.is_active and account.must_change_password
    assert account.check_password(password_from(mailoutbox[-1]))
    with scope(establishment=establishment):
        assert User.objects.filter(profile=Profile.INSPECTOR).count() == 1
        assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
            "inspector.open", "inspector.close", "inspector.open"]


def test_only_an_inspector_account_can_be_closed(head_client, establishment, make_user):
    teacher = make_user(establishment, Profile.TEACHER, login="prof")
    assert head_client.post(URL + f"{teacher.pk}/fermer/").status_code == 404
    teacher.refresh_from_db()
    assert teacher.is_active
