"""Suivre les acquis in a real browser: a teacher goes from the menu to their class's heat-map, opens a learner's
follow-up, sees the chart and where a proposed level comes from; the learner sees their own, read-only."""

import os
import re
from datetime import date, timedelta

import pytest

from accounts.models import Profile
from establishments.models import Division
from establishments.scoping import scopes_disabled
from pedagogy.evaluation_models import EvaluationType, Observation
from referentiels.establishment_models import Cohort
from referentiels.services import subscribe
from tests.referentiel_factory import make_version

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Un-mot-de-passe-solide-42"


def log_in(page, login):
    page.goto("/0750654D/connexion/")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_teacher_and_learner_follow_the_progress(page, browser, live_server, establishment, make_user):
    with scopes_disabled():
        version = make_version()
        subscribe(establishment, version.diploma)
        division = Division.objects.create(establishment=establishment, code="2MELEC1")
        Cohort.objects.create(establishment=establishment, division=division, version=version, class_level="1RE")
    teacher = make_user(establishment, Profile.TEACHER, login="paul.martin", first_name="Paul", last_name="Martin")
    learner = make_user(establishment, Profile.LEARNER, login="ines.leroy", first_name="Inès", last_name="Leroy",
                        division=division)
    make_user(establishment, Profile.LEARNER, login="amine.bernard", first_name="Amine", last_name="Bernard",
              division=division)
    with scopes_disabled():
        teacher.divisions_taught.add(division)
        c7 = version.competencies.get(code="C7")
        today = date.today()
        for days_ago, level, kind in [(60, 2, EvaluationType.FORMATIVE), (30, 3, EvaluationType.CERTIFICATIVE),
                                      (5, 4, EvaluationType.COMPANY)]:
            Observation.objects.create(establishment=establishment, learner=learner, competency=c7, level=level,
                                       type=kind, date=today - timedelta(days=days_ago), observer=teacher,
                                       observer_name="Paul Martin", source_label=f"Évaluation {kind}")

    log_in(page, "paul.martin")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Suivre les acquis").click()
    page.get_by_role("link", name="2MELEC1").click()
    heatmap = page.get_by_test_id("heatmap")
    heatmap.wait_for()
    row = heatmap.get_by_role("row").filter(has_text="LEROY Inès")
    assert re.sub(r"\s+", " ", row.inner_text()).startswith("LEROY Inès NE 3")
    row.get_by_role("link", name="LEROY Inès").click()

    page.get_by_role("heading", name="Suivi des acquis — Inès LEROY").wait_for()
    chart = page.get_by_test_id("progress-chart").locator("svg")
    assert chart.is_visible()
    assert chart.locator("[data-point]").count() == 3
    assert page.get_by_role("link", name=re.compile("Précédent : BERNARD Amine")).is_visible()
    c7_row = page.get_by_test_id("followup-competencies").get_by_role("row").filter(has_text="C7")
    assert "proposé 3 — maîtrisé" in c7_row.inner_text().lower()
    c7_row.get_by_text("d'où vient ce niveau").click()
    c7_row.get_by_text("En entreprise").wait_for()
    c7_row.get_by_role("link", name="graphique").click()
    page.get_by_role("heading", name="Évolution du niveau proposé — C7").wait_for()
    assert page.get_by_test_id("progress-chart").locator("svg .cpro-chart-obs").count() == 3

    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    own = context.new_page()
    own.set_default_timeout(10_000)
    log_in(own, "ines.leroy")
    own.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Suivre les acquis").click()
    own.get_by_role("heading", name="Suivi des acquis — Inès LEROY").wait_for()
    assert own.get_by_test_id("progress-chart").locator("svg [data-point]").count() == 3
    assert own.get_by_text("consultation seule").is_visible()
    assert own.get_by_role("link", name=re.compile("Précédent|Suivant")).count() == 0
    context.close()
