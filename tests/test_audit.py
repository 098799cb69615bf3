"""The audit log: who did what and when, per establishment, readable by the administrator, never a password."""

import datetime
import re

import pytest
from django.test import Client

from accounts.models import Profile, User
from establishments import audit
from establishments.models import AuditEntry
from establishments.scoping import scope

from .fixtures_users import admin_client_fixture, admin_fixture, media_root_fixture, text  # noqa: F401

pytestmark = pytest.mark.django_db
LOG = "/0750654D/journal/"


def test_record_keeps_who_what_and_drops_secrets(establishment, admin):
    with scope(establishment=establishment):
        entry = audit.record(establishment, admin, "user.create", "DURAND Julien", {
            "identifiant": "julien.durand", "password": "s3cret", "nouveau_mot_de_passe": "s3cret",
            "nested": {"Mot de passe": "s3cret", "token": "abc", "profil": "Enseignant"}, "when": admin.date_joined,
        })
        entry.refresh_from_db()
    assert entry.actor == admin and entry.actor_name == "MARTIN Claire (claire.martin)"
    assert entry.establishment == establishment and entry.created_at is not None
    assert entry.details["identifiant"] == "julien.durand"
    assert entry.details["nested"] == {"profil": "Enseignant"}
    assert "s3cret" not in str(entry.details) and "abc" not in str(entry.details)
    assert isinstance(entry.details["when"], str)


def test_system_actions_have_no_actor_and_need_no_scope(establishment):
    entry = audit.record(establishment, None, "transfer.automatic", "LEROY Inès")  # e.g. from a daily job
    assert entry.actor_name == "Système" and audit.action_label("transfer.automatic") == "transfer.automatic"


def test_no_password_ever_reaches_the_log(admin_client, establishment, make_user, mailoutbox):
    admin_client.post("/0750654D/utilisateurs/nouveau/", {
        "civility": "Mme", "last_name": "Roux", "first_name": "Anne", "email": "anne.roux@example.org",
        "profile": "enseignant"})
    with scope(establishment=establishment):
        created = User.objects.get(login="anne.roux")
    admin_client.post(f"/0750654D/utilisateurs/{created.pk}/mot-de-passe/")
    learner = make_user(establishment, Profile.LEARNER, login="ines.leroy", birth_date=datetime.date(2009, 3, 14))
    admin_client.post(f"/0750654D/utilisateurs/{learner.pk}/mot-de-passe/")
    passwords = [re.search(r"Mot de passe temporaire : (\S+)", m.body).group(1) for m in mailoutbox]
    assert len(passwords) == 2
    secrets = [*passwords, "14032009", "2009-03-14"]

    with scope(establishment=establishment):
        rows = list(AuditEntry.objects.values_list("actor_name", "action", "target", "details"))
    assert [r[1] for r in rows] == ["user.password_reset", "user.password_reset", "user.create"]
    assert not [s for s in secrets if s in str(rows)]
    page = text(admin_client.get(LOG))
    assert "Réinitialisation du mot de passe" in page and "Création d'un utilisateur" in page
    assert not [s for s in secrets if s in page]


def test_log_page_shows_the_establishment_s_entries(admin_client, establishment, other_establishment, admin):
    with scope(establishment=establishment):
        audit.record(establishment, admin, "user.deactivate", "ROUX Anne", {"identifiant": "anne.roux"})
    with scope(establishment=other_establishment):
        audit.record(other_establishment, None, "user.deactivate", "AILLEURS Paul", {})
    page = text(admin_client.get(LOG))
    table = page.split('data-testid="audit-log"')[1]
    assert "Désactivation d'un utilisateur" in table and "ROUX Anne" in table
    assert "MARTIN Claire (claire.martin)" in table and "identifiant : anne.roux" in table
    assert "AILLEURS" not in page

    assert "ROUX" not in text(admin_client.get(LOG + "?q=ailleurs")).split("Journal des actions</h2>")[1]


def test_settings_changes_are_logged_with_before_and_after(admin_client, establishment):
    admin_client.post("/0750654D/parametres/", {"name": "Lycée Jean Jaurès", "email": "nouveau@ac-paris.fr"})
    page = text(admin_client.get(LOG))
    assert "Modification des informations de l'établissement" in page
    assert "avant « ce.0750654d@ac-paris.fr », après « nouveau@ac-paris.fr »" in page


def test_only_the_administrator_and_the_head_read_the_log(establishment, make_user, login_as):
    assert login_as(make_user(establishment, Profile.HEAD, login="chef")).get(LOG).status_code == 200
    for profile in (Profile.DDFPT, Profile.TEACHER, Profile.INSPECTOR, Profile.LEARNER):
        assert login_as(make_user(establishment, profile, login=profile.value)).get(LOG).status_code == 403


def test_platform_staff_read_every_log_in_their_console(establishment, admin, make_user):
    with scope(establishment=establishment):
        audit.record(establishment, admin, "user.deactivate", "ROUX Anne", {"identifiant": "anne.roux"})
    staff = make_user(None, Profile.ADMIN, login="staff", is_staff=True, is_superuser=True)
    console = Client()
    console.force_login(staff)
    page = text(console.get("/plateforme/establishments/auditentry/"))
    assert "ROUX Anne" in page and "0750654D" in page
