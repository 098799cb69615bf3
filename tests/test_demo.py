"""``manage.py demo``: the demo accounts land on a home page that shows something true (issue 9 item 16)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.management.commands.demo import DEMO_PASSWORD
from establishments import extensions

from .fixtures_users import text

pytestmark = pytest.mark.django_db


def demo_client(login: str) -> Client:
    client = Client()
    assert client.post("/0750654D/connexion/", {"username": login, "password": DEMO_PASSWORD}).status_code == 302
    return client


def test_demo_teacher_guardian_and_learner_see_their_class_and_other_apps_add_their_content():
    seen = []
    hook = extensions.demo_content.register(lambda establishment, people: seen.append(
        (establishment.uai, sorted(people))))
    try:
        out = StringIO()
        call_command("demo", "--json", stdout=out)
        call_command("demo", "--json", stdout=StringIO())  # idempotent
    finally:
        extensions.demo_content.unregister(hook)
    logins = {u["profile"]: u["login"] for u in json.loads(out.getvalue())["establishments"][0]["users"]}
    assert seen[0][0] == "0750654D" and "enseignant" in seen[0][1]

    assert "2MELEC1 — 2nde pro. MELEC 1" in text(demo_client(logins["enseignant"]).get("/0750654D/"))
    assert "Inès LEROY — classe 2MELEC1" in text(demo_client(logins["responsable"]).get("/0750654D/"))
    assert "Vous êtes en classe 2MELEC1" in text(demo_client(logins["apprenant"]).get("/0750654D/"))
    passport = text(demo_client(logins["apprenant"]).get("/0750654D/passeport/"))
    assert "2MELEC1" in passport and "Aucune inscription" not in passport  # one enrolment, even loaded twice
