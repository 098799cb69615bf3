"""The account e-mail goes through a real SMTP conversation (a local aiosmtpd sink), and its content works."""

import email
import email.policy
import re
import socket

import pytest
from django.test import Client

from accounts.models import User
from establishments.scoping import scope

from .fixtures_users import admin_client_fixture, admin_fixture, media_root_fixture  # noqa: F401

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

pytestmark = pytest.mark.django_db


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    sink = Sink()
    controller = aiosmtpd_controller.Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "CPro <ne-pas-repondre@cpro.example.fr>"
    settings.SITE_URL = "https://cpro.example.fr"
    yield sink
    controller.stop()


def test_account_e_mail_through_smtp_lets_the_new_user_log_in(admin_client, establishment, smtp_sink):
    response = admin_client.post("/0750654D/utilisateurs/nouveau/", {
        "civility": "Mme", "last_name": "Lefèvre", "first_name": "Anaïs", "birth_date": "1990-02-01",
        "email": "anais.lefevre@example.org", "profile": "ddfpt"})
    assert response.status_code == 302

    assert len(smtp_sink.messages) == 1
    mail_from, recipients, raw = smtp_sink.messages[0]
    assert mail_from == "ne-pas-repondre@cpro.example.fr" and recipients == ["anais.lefevre@example.org"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "Votre compte CPro — Lycée Jean Jaurès"
    assert message["Reply-To"] == "ce.0750654d@ac-paris.fr"
    body = message.get_content()
    assert body.startswith("Bonjour Mme Anaïs Lefèvre,")
    assert "Adresse du site de l'établissement : https://cpro.example.fr/0750654D/connexion/" in body
    assert "Identifiant : anais.lefevre" in body
    password = re.search(r"Mot de passe temporaire : (\S+)", body).group(1)

    # The new user logs in with what the e-mail says, and must choose a password first.
    client = Client()
    login = client.post("/0750654D/connexion/", {"username": "anais.lefevre", "password": password})
    assert login.status_code == 302
    assert client.get("/0750654D/")["Location"] == "/0750654D/mot-de-passe/"
    with scope(establishment=establishment):
        assert User.objects.get(login="anais.lefevre").created_by_hand
