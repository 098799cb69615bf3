import datetime
import re

import pytest

from accounts.models import Profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_establishment_log_in_change_initial_password_and_log_out(page, establishment, make_user):
    make_user(establishment, Profile.LEARNER, login="ines.leroy", password=None, first_name="Inès",
              last_name="Leroy", birth_date=datetime.date(2009, 3, 14), must_change_password=True)

    page.goto("/")
    page.get_by_label("Code UAI ou nom de l'établissement").fill("Jaurès")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Lycée Jean Jaurès (0750654D)").click()

    page.get_by_label("Identifiant").fill("ines.leroy")
    page.get_by_label("Mot de passe").fill("14032009")
    page.get_by_role("button", name="Se connecter").click()

    # The initial password must be changed before anything else.
    page.get_by_role("heading", name="Changer de mot de passe").wait_for()
    page.goto("/0750654D/")
    page.get_by_role("heading", name="Changer de mot de passe").wait_for()
    page.get_by_label("Mot de passe actuel").fill("14032009")
    page.get_by_label(re.compile(r"^Nouveau mot de passe")).fill("Velo-Rouge-Matin-77")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("Velo-Rouge-Matin-77")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()

    page.get_by_role("heading", name="Bonjour Inès").wait_for()
    assert page.get_by_text("Votre mot de passe a été modifié.").is_visible()
    assert page.get_by_role("heading", name="Votre classe").is_visible()
    assert page.get_by_role("heading", name="Importations").count() == 0

    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_text("Vous êtes déconnecté.").wait_for()
    page.goto("/0750654D/")
    assert "/0750654D/connexion/" in page.url
