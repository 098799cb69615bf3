"""Wording of the interface (issue 9, item 17; README « Glossaire de l'interface »)."""

import pytest

from accounts.models import Profile
from establishments.french import preceded_by_a

from .conftest import PASSWORD


@pytest.mark.parametrize(("name", "expected"), [
    ("Lycée professionnel Jean Jaurès", "au lycée professionnel Jean Jaurès"),
    ("Lycée des métiers Marie Curie", "au lycée des métiers Marie Curie"),
    ("École de production de Lyon", "à l'école de production de Lyon"),
    ("Institut Saint-Luc", "à l'institut Saint-Luc"),
    ("Maison familiale rurale de Sologne", "à la maison familiale rurale de Sologne"),
    ("CFA du bâtiment", "au CFA du bâtiment"),
    ("EREA Jean Monnet", "à l'EREA Jean Monnet"),
    ("MFR de Sologne", "à la MFR de Sologne"),
    ("Le Corbusier", "au Corbusier"),
    ("Les Lilas", "aux Lilas"),
    ("La Martinière Duchère", "à la Martinière Duchère"),
    ("L'Oiselet", "à l'Oiselet"),
    ("Saint-Joseph", "à Saint-Joseph"),
])
def test_a_plus_name_contracts_and_elides(name, expected):
    assert preceded_by_a(name) == expected


@pytest.mark.django_db
def test_login_page_says_au_lycee(make_establishment, client):
    make_establishment(uai="0750654D", name="Lycée professionnel Jean Jaurès")
    page = client.get("/0750654D/connexion/").content.decode()
    assert "Connexion au lycée professionnel Jean Jaurès" in page
    assert "Connexion à Lycée" not in page


@pytest.mark.django_db
def test_home_names_the_profile_as_written(establishment, make_user):
    from django.test import Client

    user = make_user(establishment, Profile.DDFPT, login="nadia.petit")
    client = Client()
    client.post(f"/{establishment.uai}/connexion/", {"username": user.login, "password": PASSWORD})
    page = client.get(f"/{establishment.uai}/").content.decode()
    assert "Espace ddfpt" not in page
    assert "profil DDFPT" in page


@pytest.mark.django_db
def test_inspector_access_same_layout_for_chef_and_ddfpt(establishment, make_user):
    from django.test import Client

    pages = []
    for profile, login in ((Profile.HEAD, "philippe.bernard"), (Profile.DDFPT, "nadia.petit")):
        user = make_user(establishment, profile, login=login)
        client = Client()
        client.post(f"/{establishment.uai}/connexion/", {"username": user.login, "password": PASSWORD})
        page = client.get(f"/{establishment.uai}/acces-inspecteur/").content.decode()
        main = page.split("<main", 1)[1]
        pages.append(main)
        assert main.count("<h1>Accès inspecteur</h1>") == 1
        assert "<h2>Accès inspecteur</h2>" not in main
        assert "Onglets des paramètres" not in main
    assert pages[0].count("<h2") == pages[1].count("<h2")
