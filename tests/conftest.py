"""Shared fixtures: two establishments, a user of every profile in each, a client logged in as any of them."""

import datetime

import pytest
from django.test import Client

from accounts.models import Profile, User
from establishments.models import Establishment
from establishments.scoping import scopes_disabled

PASSWORD = "Un-mot-de-passe-solide-42"


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path):
    """Files any test writes (uploads, the demo's logo and cachet, built documents) go to its temporary folder, never
    into the repository's media/ (the same folder as the ``media_root`` fixture of tests/fixtures_users.py)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Production settings redirect to HTTPS; the test client speaks plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
    # Hashing is not under test here: a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Production's manifest storage needs `collectstatic`; the pages under test do not.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def make_establishment(db):
    def make(uai="0750654D", name="Lycée Jean Jaurès", email="ce.0750654d@ac-paris.fr", **fields):
        return Establishment.objects.create(uai=uai, name=name, email=email, **fields)

    return make


@pytest.fixture
def establishment(make_establishment):
    return make_establishment()


@pytest.fixture
def other_establishment(make_establishment):
    return make_establishment(uai="0999999F", name="Lycée Marie Curie", email="ce.0999999f@ac-lyon.fr")


@pytest.fixture
def make_user(db):
    def make(establishment, profile=Profile.TEACHER, login=None, password=PASSWORD, **fields):
        fields.setdefault("last_name", "Durand")
        fields.setdefault("first_name", "Julien")
        fields.setdefault("must_change_password", False)
        with scopes_disabled():
            return User.objects.create_user(
                login=login or f"{profile.value}.{establishment.uai.lower() if establishment else 'staff'}",
                password=password,
                establishment=establishment,
                profile=profile,
                **fields,
            )

    return make


@pytest.fixture
def learner_with_initial_password(establishment, make_user):
    return make_user(establishment, Profile.LEARNER, login="ines.leroy", password=None,
                     first_name="Inès", last_name="Leroy", birth_date=datetime.date(2009, 3, 14),
                     must_change_password=True)


@pytest.fixture
def login_as():
    """A test client logged in as ``user`` (through the real login page)."""

    def login(user, password=PASSWORD):
        client = Client()
        uai = user.establishment.uai
        response = client.post(f"/{uai}/connexion/", {"username": user.login, "password": password})
        assert response.status_code == 302, response.content.decode()[:2000]
        return client

    return login
