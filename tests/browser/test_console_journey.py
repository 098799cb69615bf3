"""The DDFPT steers the year from the pilot console: lands on it after logging in, fills the official periods (an
overlapping one is refused), sees the bilans indicator move once a bilan is validated, activates the book."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Profile, User
from establishments.models import Division, school_year_start
from establishments.scoping import scopes_disabled
from pedagogy.models import Bilan
from periods.models import OfficialPeriod
from referentiels.establishment_models import Cohort
from referentiels.services import subscribe
from tests.conftest import PASSWORD
from tests.referentiel_factory import make_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school(make_establishment):
    school = make_establishment(uai="0999999F", name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")
    version = make_version()
    with scopes_disabled():
        subscribe(school, version.diploma)
        division = Division.objects.create(establishment=school, code="2MELEC1")
        Cohort.objects.create(establishment=school, division=division, version=version, class_level="2NDE")
        User.objects.create(establishment=school, login="ines.leroy", profile=Profile.LEARNER, last_name="Leroy",
                            first_name="Inès", division=division)
    return school


def test_the_ddfpt_fills_the_periods_follows_the_bilans_and_activates_the_book(page, school, make_user):
    make_user(school, Profile.DDFPT, login="paul.pilote", first_name="Paul", last_name="Pilote")
    start = school_year_start(timezone.localdate())
    today = timezone.localdate()
    first_end = max(today - datetime.timedelta(days=1), datetime.date(start, 9, 2))

    page.goto("/0999999F/connexion/")
    page.get_by_label("Identifiant").fill("paul.pilote")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_role("heading", name="Console de pilotage").wait_for()  # the DDFPT's first page
    step = page.locator("[data-step=official_periods]")
    assert step.get_attribute("data-done") == "0"
    assert "À FAIRE" in step.inner_text().upper() and "encore 1 spécialité à configurer" in step.inner_text()
    step.get_by_role("link", name="Saisie des dates des périodes officielles").click()

    page.get_by_role("heading", name=f"Dates des périodes officielles — {start}-{start + 1}").wait_for()
    page.get_by_label("Niveau").select_option("2NDE")
    page.get_by_label("Type de période").select_option("trimestre")
    page.get_by_label("Intitulé").fill("Trimestre 1")
    page.get_by_label("Début (ou date limite)").fill(f"{start}-09-01")
    page.locator("#id_end_date").fill(first_end.isoformat())
    page.get_by_role("button", name="Enregistrer la période").click()
    page.get_by_text("Période « Trimestre 1 » enregistrée.").wait_for()

    # An overlapping trimester is refused with a message; nothing typed is lost.
    page.get_by_label("Niveau").select_option("2NDE")
    page.get_by_label("Intitulé").fill("Trimestre 2")
    page.get_by_label("Début (ou date limite)").fill(f"{start}-09-15")
    page.locator("#id_end_date").fill(f"{start + 1}-03-15")
    page.get_by_role("button", name="Enregistrer la période").click()
    page.get_by_text("Cette période chevauche « Trimestre 1 »").wait_for()
    assert page.get_by_label("Intitulé").input_value() == "Trimestre 2"
    assert page.locator("[data-step=official_periods]").get_attribute("data-done") == "1"

    page.get_by_role("link", name="Console de pilotage").first.click()
    bilans = page.get_by_test_id("bilans")
    assert "Trimestre 1 :" in bilans.inner_text() and "0/1" in bilans.inner_text()

    # A teacher validates Inès's bilan for the trimester (made here through the model): the indicator moves.
    with scopes_disabled():
        period = OfficialPeriod.objects.get(establishment=school, label="Trimestre 1")
        learner = User.objects.get(login="ines.leroy")
        Bilan.objects.create(establishment=school, learner=learner, period=period, period_label=period.label,
                             period_start=period.start_date, period_end=period.end_date,
                             version=learner.division.cohort.version, status=Bilan.Status.VALIDATED)
    page.reload()
    assert "1/1" in page.get_by_test_id("bilans").inner_text()

    page.get_by_role("button", name="Activer le book des apprenants").click()
    page.get_by_text("Le book des apprenants est activé").first.wait_for()
    assert page.get_by_role("button", name="Désactiver le book des apprenants").is_visible()
    school.refresh_from_db()
    assert school.book_enabled
