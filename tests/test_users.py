"""Gestion des utilisateurs: the list, "Nouvel utilisateur" and the actions on an account."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.logins import make_unique_login
from accounts.models import Profile, User
from establishments.models import AuditEntry, Division, Establishment
from establishments.scoping import scope, scopes_disabled

from .fixtures_users import PASSWORD, admin_client_fixture, admin_fixture, media_root_fixture, text  # noqa: F401

pytestmark = pytest.mark.django_db
USERS = "/0750654D/utilisateurs/"
NEW = USERS + "nouveau/"


def new_user_form(**fields):
    data = {"civility": "M.", "last_name": "Durand", "first_name": "Julien", "birth_date": "1985-04-12",
            "email": "julien.durand@example.org", "profile": "enseignant", "division": ""}
    data.update(fields)
    return data


def people(establishment, count, **fields):
    with scopes_disabled():
        division = Division.objects.get_or_create(establishment=establishment, code="1MELEC")[0]
        User.objects.bulk_create([
            User(establishment=establishment, login=f"eleve{i}", last_name=f"Nom{i:04d}", first_name="Prénom",
                 profile=Profile.LEARNER if i % 3 else Profile.TEACHER, division=division,
                 created_by_hand=i % 5 == 0, password="!", **fields)
            for i in range(count)
        ])


# The list ------------------------------------------------------------------------------------------------------


def test_list_by_profile_with_search(admin_client, establishment, other_establishment, make_user):
    make_user(establishment, Profile.TEACHER, login="anne.roux", last_name="Roux", first_name="Anne")
    make_user(establishment, Profile.LEARNER, login="ines.leroy", last_name="Leroy", first_name="Inès")
    make_user(establishment, Profile.LEARNER, login="old.one", last_name="Ancien", is_active=False)
    make_user(other_establishment, Profile.TEACHER, login="autre.prof", last_name="Ailleurs")

    page = text(admin_client.get(USERS))
    assert "ROUX Anne" in page and "LEROY Inès" in page and "MARTIN Claire" in page
    assert "ANCIEN" not in page and "AILLEURS" not in page
    assert "Apprenant (1)" in page and "Enseignant (1)" in page and "Tous (3)" in page

    learners = text(admin_client.get(USERS + "?profil=apprenant"))
    assert "LEROY Inès" in learners and "ROUX Anne" not in learners

    found = text(admin_client.get(USERS + "?q=rou"))
    assert "ROUX Anne" in found and "LEROY" not in found

    inactive = text(admin_client.get(USERS + "?statut=desactives"))
    assert "ANCIEN" in inactive and "ROUX" not in inactive


def test_list_is_paged(admin_client, establishment):
    people(establishment, 120)
    first = text(admin_client.get(USERS))
    assert "121 utilisateurs" in first and "1 / 3" in first
    third = text(admin_client.get(USERS + "?page=3"))
    assert "NOM0119" in third and "NOM0000" not in third


def test_list_runs_a_constant_number_of_queries(admin_client, establishment, other_establishment):
    def queries_for_list():
        admin_client.get(USERS)  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get(USERS + "?statut=tous")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    people(establishment, 10)
    with_10 = queries_for_list()
    people(other_establishment, 10)
    with scopes_disabled():
        User.objects.filter(establishment=establishment, login__startswith="eleve").delete()
    people(establishment, 200)
    with_200 = queries_for_list()
    assert with_10 == with_200 <= 10, (with_10, with_200)
    print(f"users list: {with_10} queries with 10 users, {with_200} with 200")


def test_created_by_hand_users_are_red_with_a_badge(admin_client, establishment, make_user):
    make_user(establishment, Profile.TEACHER, login="imported", last_name="Importe")
    make_user(establishment, Profile.TEACHER, login="byhand", last_name="Manuel", created_by_hand=True)
    page = text(admin_client.get(USERS))
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*MANUEL(?:(?!</tr>).)*</tr>", page, re.S).group(0)
    assert 'class="cpro-created-by-hand"' in row and "créé manuellement" in row
    imported = re.search(r"<tr[^>]*>(?:(?!</tr>).)*IMPORTE(?:(?!</tr>).)*</tr>", page, re.S).group(0)
    assert "cpro-created-by-hand" not in imported and "créé manuellement" not in imported


def test_users_module_is_for_admin_head_and_ddfpt(establishment, make_user, login_as):
    for profile in (Profile.ADMIN, Profile.HEAD, Profile.DDFPT):
        assert login_as(make_user(establishment, profile, login=profile.value)).get(USERS).status_code == 200
    for profile in (Profile.TEACHER, Profile.LEARNER, Profile.INSPECTOR, Profile.TUTOR):
        assert login_as(make_user(establishment, profile, login=profile.value)).get(USERS).status_code == 403


# Nouvel utilisateur --------------------------------------------------------------------------------------------


def test_new_user_is_created_with_a_unique_login_and_an_e_mail(admin_client, establishment, make_user, mailoutbox,
                                                               settings):
    settings.SITE_URL = "https://cpro.example.fr"
    make_user(establishment, Profile.TEACHER, login="julien.durand")
    response = admin_client.post(NEW, new_user_form(first_name="Julien", last_name="Durand"), follow=True)
    page = text(response)
    assert "a été créé avec l'identifiant « julien.durand2 »" in page

    with scope(establishment=establishment):
        user = User.objects.get(login="julien.durand2")
    assert user.created_by_hand and user.must_change_password and not user.has_initial_password
    assert (user.profile, user.civility, user.birth_date) == (Profile.TEACHER, "M.", datetime.date(1985, 4, 12))

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["julien.durand@example.org"]
    assert mail.subject == "Votre compte CPro — Lycée Jean Jaurès"
    assert mail.reply_to == ["ce.0750654d@ac-paris.fr"]
    assert "https://cpro.example.fr/0750654D/connexion/" in mail.body
    assert "Identifiant : julien.durand2" in mail.body
    password = re.search(r"Mot de passe temporaire : (\S+)", mail.body).group(1)
    assert len(password) == 14 and user.check_password(password)

    # The password was never shown to the administrator nor written to the log.
    assert password not in page
    with scope(establishment=establishment):
        entry = AuditEntry.objects.get()
    assert entry.action == "user.create" and password not in str(entry.details)


def test_login_is_made_without_accents_and_numbered():
    assert make_unique_login("Élodie", "Le Gall", set()) == "elodie.le-gall"
    assert make_unique_login("Élodie", "Le Gall", {"elodie.le-gall", "elodie.le-gall2"}) == "elodie.le-gall3"


def test_new_user_errors_keep_what_was_typed_and_create_nothing(admin_client, establishment, mailoutbox):
    response = admin_client.post(NEW, new_user_form(email="pas-une-adresse", profile="", last_name="Dupont-Aïgner"))
    assert response.status_code == 400
    page = text(response)
    assert "Saisissez une adresse e-mail valide (exemple" in page
    assert "Le champ « Profil » est obligatoire." in page
    assert 'value="Dupont-Aïgner"' in page
    with scope(establishment=establishment):
        assert not User.objects.filter(last_name="Dupont-Aïgner").exists()
    assert mailoutbox == []


def test_a_learner_created_by_hand_needs_a_birth_date(admin_client, establishment):
    response = admin_client.post(NEW, new_user_form(profile="apprenant", birth_date=""))
    assert "La date de naissance d'un apprenant est obligatoire" in text(response)


def test_new_user_button_needs_the_establishment_name_and_e_mail(admin_client, establishment, mailoutbox):
    Establishment.objects.filter(pk=establishment.pk).update(email="")
    page = text(admin_client.get(USERS))
    assert "Nouvel utilisateur</a>" not in page
    assert "Pour créer un utilisateur, renseignez d'abord l'adresse e-mail de l'établissement" in page
    assert 'href="/0750654D/parametres/"' in page

    response = admin_client.post(NEW, new_user_form())
    assert "renseignez d'abord l'adresse e-mail" in text(response)
    with scope(establishment=establishment):
        assert not User.objects.filter(last_name="Durand").exists()
    assert mailoutbox == []


def test_an_e_mail_that_cannot_be_sent_creates_nothing(admin_client, establishment, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    response = admin_client.post(NEW, new_user_form())
    assert response.status_code == 400
    assert ("L'e-mail n'a pas pu être envoyé à julien.durand@example.org : le compte n'a pas été créé."
            in text(response))
    with scope(establishment=establishment):
        assert not User.objects.filter(last_name="Durand").exists()
        assert not AuditEntry.objects.exists()


def test_ddfpt_cannot_create_an_administrator(establishment, make_user, login_as):
    ddfpt = login_as(make_user(establishment, Profile.DDFPT, login="ddfpt"))
    page = text(ddfpt.get(NEW))
    assert 'value="ddfpt"' in page and 'value="administrateur"' not in page and 'value="chef"' not in page
    response = ddfpt.post(NEW, new_user_form(profile="administrateur"))
    assert "Sélectionnez un choix valide." in text(response)


# Actions on an account -----------------------------------------------------------------------------------------


def test_deactivate_and_reactivate(admin_client, establishment, make_user, login_as):
    teacher = make_user(establishment, Profile.TEACHER, login="anne.roux", last_name="Roux")
    teacher_client = login_as(teacher)
    response = admin_client.post(USERS + f"{teacher.pk}/desactiver/", follow=True)
    assert "Le compte de ROUX Julien est désactivé" in text(response)
    teacher.refresh_from_db()
    assert not teacher.is_active and teacher.deactivated_at is not None
    assert teacher_client.get("/0750654D/").status_code == 302  # logged out at once

    response = admin_client.post(USERS + f"{teacher.pk}/reactiver/", follow=True)
    assert "Le compte de ROUX Julien est réactivé." in text(response)
    teacher.refresh_from_db()
    assert teacher.is_active
    with scope(establishment=establishment):
        assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
            "user.deactivate", "user.reactivate"]


def test_nobody_deactivates_their_own_account(admin_client, admin):
    response = admin_client.post(USERS + f"{admin.pk}/desactiver/", follow=True)
    assert "Vous ne pouvez pas désactiver votre propre compte." in text(response)
    admin.refresh_from_db()
    assert admin.is_active


def test_staff_password_reset_sends_a_new_temporary_password(admin_client, establishment, make_user, mailoutbox):
    teacher = make_user(establishment, Profile.TEACHER, login="anne.roux", email="anne.roux@example.org")
    response = admin_client.post(USERS + f"{teacher.pk}/mot-de-passe/", follow=True)
    assert "Un nouveau mot de passe temporaire a été envoyé à DURAND Julien (anne.roux@example.org)" in text(response)
    mail = mailoutbox[0]
    assert mail.subject == "Votre nouveau mot de passe CPro — Lycée Jean Jaurès"
    password = re.search(r"Mot de passe temporaire : (\S+)", mail.body).group(1)
    teacher.refresh_from_db()
    assert teacher.check_password(password) and not teacher.check_password(PASSWORD)
    assert teacher.must_change_password


def test_staff_without_e_mail_cannot_get_a_new_password(admin_client, establishment, make_user):
    teacher = make_user(establishment, Profile.TEACHER, login="anne.roux")
    response = admin_client.post(USERS + f"{teacher.pk}/mot-de-passe/", follow=True)
    assert "n'a pas d'adresse e-mail : renseignez-la d'abord" in text(response)
    teacher.refresh_from_db()
    assert teacher.check_password(PASSWORD)


def test_learner_password_reset_goes_back_to_the_birth_date(admin_client, establishment, make_user, mailoutbox):
    learner = make_user(establishment, Profile.LEARNER, login="ines.leroy", birth_date=datetime.date(2009, 3, 14))
    response = admin_client.post(USERS + f"{learner.pk}/mot-de-passe/", follow=True)
    assert "est revenu au mot de passe initial" in text(response)
    learner.refresh_from_db()
    assert learner.check_password("14032009") and learner.must_change_password
    assert mailoutbox == []


def test_change_e_mail(admin_client, establishment, make_user):
    teacher = make_user(establishment, Profile.TEACHER, login="anne.roux", email="old@example.org")
    bad = admin_client.post(USERS + f"{teacher.pk}/e-mail/", {"email": "nope"})
    assert bad.status_code == 400 and "Saisissez une adresse e-mail valide (exemple" in text(bad)
    teacher.refresh_from_db()
    assert teacher.email == "old@example.org"
    response = admin_client.post(USERS + f"{teacher.pk}/e-mail/", {"email": "new@example.org"}, follow=True)
    assert "L'adresse e-mail de DURAND Julien est maintenant new@example.org." in text(response)
    teacher.refresh_from_db()
    assert teacher.email == "new@example.org"


def test_ddfpt_cannot_act_on_an_administrator_or_the_head(establishment, make_user, login_as, admin):
    ddfpt = login_as(make_user(establishment, Profile.DDFPT, login="ddfpt"))
    head = make_user(establishment, Profile.HEAD, login="chef")
    for target in (admin, head):
        assert ddfpt.get(USERS + f"{target.pk}/").status_code == 403
        assert ddfpt.post(USERS + f"{target.pk}/desactiver/").status_code == 403
    admin.refresh_from_db()
    assert admin.is_active


def test_another_establishment_s_user_is_not_found(admin_client, other_establishment, make_user):
    stranger = make_user(other_establishment, Profile.TEACHER, login="autre")
    assert admin_client.get(USERS + f"{stranger.pk}/").status_code == 404
    assert admin_client.post(USERS + f"{stranger.pk}/desactiver/").status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active
