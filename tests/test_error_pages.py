"""The product's French error pages show with DEBUG on (``make run``) as well as off (issue 9, item 19)."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import include, path

from accounts.models import Profile

from .conftest import PASSWORD


def boom(request):
    raise RuntimeError("panne simulée")


def refused(request):
    raise SuspiciousOperation("en-tête piégé")


# The site's URLconf plus a failing view and a refusing one (used through settings.ROOT_URLCONF).
urlpatterns = [path("panne/", boom), path("refus/", refused), path("", include("cpro.urls"))]


def assert_french_404(response):
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in body
    # Never Django's English technical page with the list of the site's URL patterns.
    assert "URLconf" not in body and "Page not found" not in body and "plateforme/" not in body
    assert 'lang="fr"' in body


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.django_db
def test_unknown_address_shows_the_french_404(debug, client):
    assert_french_404(client.get("/nimporte/quoi/"))


@pytest.mark.django_db
def test_unknown_establishment_shows_the_french_404(debug, establishment, client):
    assert_french_404(client.get("/0999999F/connexion/"))


@pytest.mark.django_db
def test_another_establishments_space_shows_the_french_404_with_a_way_home(
        debug, establishment, other_establishment, make_user):
    user = make_user(establishment, Profile.ADMIN, login="claire.martin")
    client = Client()
    client.post(f"/{establishment.uai}/connexion/", {"username": user.login, "password": PASSWORD})
    response = client.get(f"/{other_establishment.uai}/utilisateurs/")
    assert_french_404(response)
    # The way back leads to the user's own space.
    assert f'href="/{establishment.uai}/"' in response.content.decode()


@pytest.mark.django_db
def test_refused_profile_shows_the_french_403(debug, establishment, make_user):
    user = make_user(establishment, Profile.TEACHER, login="julien.durand")
    client = Client()
    client.post(f"/{establishment.uai}/connexion/", {"username": user.login, "password": PASSWORD})
    response = client.get(f"/{establishment.uai}/utilisateurs/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


@pytest.mark.django_db
def test_server_error_shows_the_french_500_without_traceback(debug, settings):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/panne/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Une erreur est survenue" in body
    assert "panne simulée" not in body and "Traceback" not in body


@pytest.mark.django_db
def test_refused_request_shows_the_french_400_without_details(debug, settings):
    settings.ROOT_URLCONF = __name__
    response = Client().get("/refus/")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Requête refusée" in body
    assert "en-tête piégé" not in body and "SECRET_KEY" not in body
