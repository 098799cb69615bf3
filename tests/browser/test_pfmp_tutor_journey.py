"""PFMP in the browser: a learner writes a fiche activité, the referent teacher selects the competencies of the
bilan entreprise and sends the tutor's link, the tutor (no account) fills and signs it on a phone, the teacher
validates it and the levels become observations « en entreprise »."""

import re

import pytest
from django.core import mail

from accounts.models import Profile
from establishments.models import Division
from establishments.scoping import scopes_disabled
from pedagogy.models import CompanyBilan, Observation
from tests.conftest import PASSWORD
from tests.pfmp_factory import make_period, place
from tests.referentiel_factory import make_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, login):
    page.goto("/0999999F/connexion/")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def log_out(page):
    page.context.clear_cookies()


def test_fiche_selection_tutor_on_a_phone_and_validation(page, browser, live_server, make_establishment, make_user):
    school = make_establishment(uai="0999999F", name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")
    version = make_version("MELEC", "2024")
    with scopes_disabled():
        division = Division.objects.create(establishment=school, code="2MELEC1")
    learner = make_user(school, Profile.LEARNER, login="ines.leroy", first_name="Inès", last_name="Leroy",
                        division=division)
    teacher = make_user(school, Profile.TEACHER, login="paul.martin", first_name="Paul", last_name="Martin",
                        email="paul.martin@example.org")
    teacher.divisions_taught.add(division)
    period = make_period(school, version, title="PFMP 1")
    placement = place(period, learner, company_name="Électricité Martin", tutor_name="Jean Martin",
                      tutor_email="jean.martin@example.org")

    # The learner writes a fiche.
    log_in(page, "ines.leroy")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Portfolios PFMP").click()
    page.get_by_role("link", name="PFMP 1").click()
    page.get_by_role("link", name="LEROY Inès").click()
    page.get_by_role("link", name="Nouvelle fiche activité").click()
    page.get_by_label("Titre de l'activité").fill("Pose de prises dans une cuisine")
    page.get_by_label("Ce que j'ai fait").fill("J'ai posé et raccordé six prises avec mon tuteur.")
    page.locator("label", has_text="T1.1 — Prendre connaissance du dossier").click()
    page.get_by_role("button", name="Enregistrer la fiche").click()
    assert "Pose de prises dans une cuisine" in page.get_by_test_id("fiche").inner_text()
    log_out(page)

    # The teacher selects C1 and sends the link to the tutor.
    log_in(page, "paul.martin")
    page.goto(f"/0999999F/portfolios/{placement.pk}/")
    assert "T1.1" in page.get_by_test_id("fiche").inner_text()
    page.locator("label", has_text="Toute la compétence C1").click()
    page.get_by_role("button", name="Enregistrer les compétences du bilan entreprise").click()
    page.get_by_text("1 compétence(s) ou critère(s) retenu(s)").wait_for()
    page.get_by_role("link", name="Bilan entreprise").click()
    assert page.get_by_label("E-mail du tuteur").input_value() == "jean.martin@example.org"
    page.get_by_role("button", name="Envoyer le lien au tuteur").click()
    page.get_by_text("Le lien a été envoyé à jean.martin@example.org").wait_for()
    [message] = mail.outbox
    url = re.search(r"https?://\S+/entreprise/tuteur/\d+/\S+/", message.body).group(0)

    # The tutor, without an account, on a phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True,
                                has_touch=True)
    tutor = phone.new_page()
    tutor.goto(url.replace("http://testserver", live_server.url))
    tutor.get_by_role("heading", name="Bilan entreprise de Inès Leroy").wait_for()
    assert tutor.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # nothing wider than the phone
    tutor.get_by_label(re.compile(r"^C1 Analyser")).select_option(label="Maîtrisé")
    tutor.get_by_label("Appréciation").fill("Sérieuse et soigneuse.")
    assert tutor.get_by_label("Votre nom").input_value() == "Jean Martin"
    tutor.get_by_role("button", name="Signer et envoyer le bilan").click()
    tutor.get_by_role("heading", name="Merci, le bilan est signé et envoyé").wait_for()
    phone.close()

    # The teacher validates: the level counts in the follow-up.
    page.reload()
    assert "Signé par Jean Martin" in page.get_by_test_id("bilan-status").inner_text()
    page.get_by_role("button", name="Valider le bilan entreprise").click()
    page.get_by_text("Le bilan entreprise est validé").wait_for()
    with scopes_disabled():
        assert CompanyBilan.objects.get(placement=placement).status == CompanyBilan.Status.VALIDATED
        [observation] = Observation.objects.filter(learner=learner)
    assert observation.get_type_display() == "En entreprise" and observation.level == 3
