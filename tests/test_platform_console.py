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


# Issue 9 item 20: the first administrator of a new establishment (command and console) -------------------------

import re  # noqa: E402

from django.core.management import CommandError, call_command  # noqa: E402

from establishments.models import Establishment  # noqa: E402


def _password_in(body):
    return re.search(r"Mot de passe temporaire : (\S+)", body).group(1)


@pytest.fixture
def ops_client(db):
    with scopes_disabled():
        User.objects.create_superuser("ops", PASSWORD, last_name="Service technique")
    client = Client()
    client.post("/plateforme/login/", {"username": "ops", "password": PASSWORD})
    return client


@pytest.mark.django_db
def test_create_establishment_command_e_mails_the_first_administrator(mailoutbox, settings, capsys):
    settings.SITE_URL = "https://cpro.example.fr"
    call_command("create_establishment", "0750654D", "--name", "Lycée Jean Jaurès", "--email", "ce@ac-paris.fr",
                 "--admin-email", "claire.martin@ac-paris.fr", "--admin-first-name", "Claire",
                 "--admin-last-name", "Martin")
    out = capsys.readouterr().out
    assert "identifiant « claire.martin »" in out and "envoyé à claire.martin@ac-paris.fr" in out
    mail = mailoutbox[0]
    assert mail.to == ["claire.martin@ac-paris.fr"]
    assert "premier administrateur" in mail.body and "https://cpro.example.fr/0750654D/connexion/" in mail.body
    password = _password_in(mail.body)
    assert password not in out
    client = Client()
    response = client.post("/0750654D/connexion/", {"username": "claire.martin", "password": password})
    assert response.status_code == 302
    assert client.get("/0750654D/")["Location"] == "/0750654D/mot-de-passe/"  # a temporary password
    with scopes_disabled():
        admin = User.objects.get(login="claire.martin")
    assert admin.profile == Profile.ADMIN and admin.establishment.uai == "0750654D"


@pytest.mark.django_db
def test_create_establishment_command_can_print_the_password_once_instead(mailoutbox, capsys):
    call_command("create_establishment", "0750654D", "--print-password")
    out = capsys.readouterr().out
    password = re.search(r"connexion\) : (\S+)", out).group(1)
    assert "identifiant « administrateur »" in out and mailoutbox == []
    assert Client().post("/0750654D/connexion/", {"username": "administrateur", "password": password}
                         ).status_code == 302


@pytest.mark.django_db
def test_create_establishment_command_creates_nothing_without_a_way_to_give_the_password(settings):
    with pytest.raises(CommandError, match="--admin-email"):
        call_command("create_establishment", "0750654D")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    with pytest.raises(CommandError, match="Rien n'a été créé"):
        call_command("create_establishment", "0750654D", "--admin-email", "claire.martin@ac-paris.fr")
    assert not Establishment.objects.exists()
    with scopes_disabled():
        assert not User.objects.exists()


ADD = "/plateforme/establishments/establishment/add/"


def _add_form(**fields):
    data = {"uai": "0750654D", "name": "Lycée Jean Jaurès", "email": "ce.0750654d@ac-paris.fr",
            "admin_email": "claire.martin@ac-paris.fr", "admin_first_name": "Claire", "admin_last_name": "Martin",
            "is_active": "on"}
    data.update(fields)
    return data


def _fill_required(client, data):
    """The add form's other fields, as the console's page sends them by default."""
    page = client.get(ADD).content.decode()
    assert "E-mail du premier administrateur" in page
    for name, value in re.findall(r'<input type="(?:text|number|email|url)" name="(\w+)" value="([^"]*)"', page):
        data.setdefault(name, value)
    return data


@pytest.mark.django_db
def test_the_console_s_add_form_creates_the_first_administrator(ops_client, mailoutbox, settings):
    settings.SITE_URL = "https://cpro.example.fr"
    response = ops_client.post(ADD, _fill_required(ops_client, _add_form()), follow=True)
    page = response.content.decode()
    assert "Premier administrateur créé : identifiant « claire.martin »" in page, page[:3000]
    password = _password_in(mailoutbox[0].body)
    assert Client().post("/0750654D/connexion/", {"username": "claire.martin", "password": password}
                         ).status_code == 302


@pytest.mark.django_db
def test_the_console_creates_no_establishment_when_the_e_mail_fails(ops_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    response = ops_client.post(ADD, _fill_required(ops_client, _add_form()), follow=True)
    assert "L&#x27;établissement n&#x27;a pas été créé." in response.content.decode()
    assert not Establishment.objects.exists()
    with scopes_disabled():
        assert not User.objects.filter(establishment__isnull=False).exists()


@pytest.mark.django_db
def test_the_console_sends_a_chef_a_new_password_and_lifts_the_lockout(ops_client, establishment, make_user,
                                                                       mailoutbox, settings):
    chef = make_user(establishment, Profile.HEAD, login="chef", email="chef@ac-paris.fr")
    other = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        other.post("/0750654D/connexion/", {"username": "chef", "password": "mauvais"})
    response = ops_client.post("/plateforme/accounts/user/", {
        "action": "send_temporary_password", "_selected_action": [chef.pk]}, follow=True)
    assert "Nouveau mot de passe temporaire envoyé" in response.content.decode()
    password = _password_in(mailoutbox[0].body)
    assert other.post("/0750654D/connexion/", {"username": "chef", "password": password}).status_code == 302


def test_a_login_typed_in_the_console_is_normalised_or_refused():
    from django.core.exceptions import ValidationError
    from django.forms import modelform_factory

    from accounts.admin import UserAdminForm

    form = modelform_factory(User, form=UserAdminForm, fields=["login"])()  # as the console builds it
    form.cleaned_data = {"login": " Claire.Martin "}
    assert form.clean_login() == "claire.martin"
    form.cleaned_data = {"login": "claire.martın"}
    with pytest.raises(ValidationError):
        form.clean_login()
