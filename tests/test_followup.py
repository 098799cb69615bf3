"""Suivi des acquis (issue 12): who sees which follow-up, what the pages show (proposed and retained levels,
observations, « en entreprise » included), the SVG chart, constant queries, and Paramètres › Évaluation."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import GuardianLink, Profile
from establishments.audit import AuditEntry
from establishments.models import Division
from establishments.scoping import scope, scopes_disabled
from pedagogy import followup
from pedagogy.evaluation_models import Bilan, BilanLine, EvaluationSettings, EvaluationType, Observation
from referentiels.establishment_models import Cohort
from referentiels.models import Block, BlockCompetency
from referentiels.services import subscribe

from .referentiel_factory import make_version

TODAY = date.today()


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode()).replace("&#x27;", "'")


@pytest.fixture
def world(establishment, make_user):
    """A class 2MELEC1 on MELEC 2024 (C1, C7; C7 also in unit U2), its teacher, a learner and their guardian;
    another class with its own teacher, learner and guardian; the establishment's DDFPT, chef and inspector."""
    with scopes_disabled():
        version = make_version()
        subscribe(establishment, version.diploma)
        unit = Block.objects.create(version=version, code="U2", kind="unite", label="Étude", position=2)
        c1, c7 = version.competencies.get(code="C1"), version.competencies.get(code="C7")
        BlockCompetency.objects.create(block=unit, competency=c7)
        class1 = Division.objects.create(establishment=establishment, code="2MELEC1")
        class2 = Division.objects.create(establishment=establishment, code="2MELEC2")
        Cohort.objects.create(establishment=establishment, division=class1, version=version, class_level="1RE")
    users = {
        "teacher": make_user(establishment, Profile.TEACHER, login="paul.martin", last_name="Martin"),
        "other_teacher": make_user(establishment, Profile.TEACHER, login="lea.roux", last_name="Roux"),
        "learner": make_user(establishment, Profile.LEARNER, login="ines.leroy", first_name="Inès",
                             last_name="Leroy", division=class1),
        "classmate": make_user(establishment, Profile.LEARNER, login="amine.bernard", first_name="Amine",
                               last_name="Bernard", division=class1),
        "other_learner": make_user(establishment, Profile.LEARNER, login="zoe.petit", first_name="Zoé",
                                   last_name="Petit", division=class2),
        "guardian": make_user(establishment, Profile.GUARDIAN, login="marc.leroy", last_name="Leroy"),
        "other_guardian": make_user(establishment, Profile.GUARDIAN, login="anne.petit", last_name="Petit"),
        "ddfpt": make_user(establishment, Profile.DDFPT, login="ddfpt"),
        "head": make_user(establishment, Profile.HEAD, login="chef"),
        "inspector": make_user(establishment, Profile.INSPECTOR, login="inspecteur"),
        "admin": make_user(establishment, Profile.ADMIN, login="admin"),
    }
    with scopes_disabled():
        users["teacher"].divisions_taught.add(class1)
        users["other_teacher"].divisions_taught.add(class2)
        GuardianLink.objects.create(establishment=establishment, guardian=users["guardian"], learner=users["learner"])
        GuardianLink.objects.create(establishment=establishment, guardian=users["other_guardian"],
                                    learner=users["other_learner"])
    return {"version": version, "c1": c1, "c7": c7, "unit": unit, "class1": class1, "class2": class2,
            "establishment": establishment, **users}


def observe(world, learner, competency, level, kind=EvaluationType.FORMATIVE, days_ago=0, **fields):
    with scopes_disabled():
        return Observation.objects.create(
            establishment=world["establishment"], learner=learner, competency=competency, level=level, type=kind,
            date=TODAY - timedelta(days=days_ago), observer=world["teacher"], observer_name="Paul Martin", **fields)


def learner_url(world, learner=None):
    return f"/{world['establishment'].uai}/suivi/apprenant/{(learner or world['learner']).pk}/"


def class_url(world, division=None):
    return f"/{world['establishment'].uai}/suivi/classe/{(division or world['class1']).pk}/"


# Permissions -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["teacher", "ddfpt", "head", "inspector", "learner", "guardian"])
def test_who_sees_the_learners_follow_up(world, login_as, who):
    observe(world, world["learner"], world["c1"], 3)
    response = login_as(world[who]).get(learner_url(world))
    assert response.status_code == 200
    page = text(response)
    assert "Suivi des acquis — Inès LEROY" in page
    assert "proposé</span> 3 — Maîtrisé" in page


@pytest.mark.parametrize("who", ["other_teacher", "other_guardian", "classmate", "other_learner"])
def test_others_do_not_see_it(world, login_as, who):
    observe(world, world["learner"], world["c1"], 3)
    assert login_as(world[who]).get(learner_url(world)).status_code == 404


def test_admin_has_no_follow_up(world, login_as):
    assert login_as(world["admin"]).get(learner_url(world)).status_code == 403


def test_class_heatmap_for_its_teacher_and_the_establishment_staff(world, login_as):
    for who in ("teacher", "ddfpt", "head", "inspector"):
        assert login_as(world[who]).get(class_url(world)).status_code == 200, who
    assert login_as(world["other_teacher"]).get(class_url(world)).status_code == 404
    for who in ("learner", "guardian"):
        assert login_as(world[who]).get(class_url(world)).status_code == 403, who


def test_the_inspector_only_reads(world, login_as):
    client = login_as(world["inspector"])
    assert client.post(learner_url(world)).status_code == 403
    assert client.post(f"/{world['establishment'].uai}/parametres/evaluation/", {"half_life_days": 10}
                       ).status_code == 403


def test_a_learner_lands_on_their_own_page_and_a_guardian_on_their_child(world, login_as):
    index = f"/{world['establishment'].uai}/suivi/"
    for who in ("learner", "guardian"):
        response = login_as(world[who]).get(index)
        assert response.status_code == 200
        assert "Suivi des acquis — Inès LEROY" in text(response)


def test_teacher_index_lists_only_their_classes(world, login_as):
    page = text(login_as(world["teacher"]).get(f"/{world['establishment'].uai}/suivi/"))
    assert "2MELEC1" in page and "2MELEC2" not in page
    assert "MELEC 2024" in page


def test_learner_page_is_read_only_and_has_no_neighbours(world, login_as):
    page = text(login_as(world["learner"]).get(learner_url(world)))
    assert "consultation seule" in page
    assert "Précédent" not in page and "Suivant" not in page
    assert 'method="post"' not in page.split("<main", 1)[-1]


def test_previous_and_next_learner_of_the_class(world, login_as):
    page = text(login_as(world["teacher"]).get(learner_url(world)))  # Bernard, Leroy
    assert "Précédent : BERNARD Amine" in page
    assert "Suivant" not in page


# What the learner's page shows -----------------------------------------------------------------------------------


def test_proposed_level_observations_count_and_retained_level(world, login_as):
    learner = world["learner"]
    observe(world, learner, world["c7"], 2, days_ago=90, source_label="Grille « Câblage » du 01/01")
    observe(world, learner, world["c7"], 4, EvaluationType.COMPANY, source_label="Bilan entreprise PFMP 1",
            comment="Très autonome sur le chantier")
    with scopes_disabled():
        bilan = Bilan.objects.create(establishment=world["establishment"], learner=learner, period_label="Semestre 1",
                                     period_start=TODAY - timedelta(days=120), period_end=TODAY - timedelta(days=30),
                                     version=world["version"], status=Bilan.Status.VALIDATED)
        BilanLine.objects.create(establishment=world["establishment"], bilan=bilan, competency=world["c7"],
                                 retained_level=2, proposed_level=2)
        draft = Bilan.objects.create(establishment=world["establishment"], learner=learner, period_label="Semestre 2",
                                     period_start=TODAY - timedelta(days=29), period_end=TODAY + timedelta(days=30),
                                     version=world["version"])
        BilanLine.objects.create(establishment=world["establishment"], bilan=draft, competency=world["c7"],
                                 retained_level=4)
    page = text(login_as(world["teacher"]).get(learner_url(world)))
    # (0.5 × 2 + 1 × 4) / 1.5 = 3.33 → 3, shown as « proposé »
    row = page.split("<strong>C7</strong>", 1)[1].split("</tr>", 1)[0]
    assert "proposé</span> 3 — Maîtrisé" in row
    assert "2 — Insuffisamment maîtrisé" in row and "bilan Semestre 1" in row  # the validated bilan, not the draft
    assert "En entreprise" in row and "Bilan entreprise PFMP 1" in row and "Très autonome sur le chantier" in row
    assert "Formative" in row
    c1_row = page.split("<strong>C1</strong>", 1)[1].split("</tr>", 1)[0]
    assert "NE" in c1_row and "aucun bilan validé" in c1_row


def test_filters_by_type_and_block(world, login_as):
    learner = world["learner"]
    observe(world, learner, world["c1"], 1, EvaluationType.FORMATIVE)
    observe(world, learner, world["c1"], 4, EvaluationType.COMPANY)
    client = login_as(world["teacher"])
    page = text(client.get(learner_url(world) + "?type=entreprise"))
    assert "proposé</span> 4 — Bien maîtrisé" in page
    assert "évaluations de type « en entreprise »" in page
    page = text(client.get(learner_url(world) + f"?bloc={world['unit'].pk}"))
    assert "<strong>C7</strong>" in page and "<strong>C1</strong>" not in page
    page = text(client.get(learner_url(world) + "?bloc=999999&type=nimporte"))  # unknown: ignored
    assert "<strong>C7</strong>" in page and "<strong>C1</strong>" in page


def test_empty_state_without_observations(world, login_as):
    response = login_as(world["learner"]).get(learner_url(world))
    page = text(response)
    assert 'data-testid="followup-empty"' in page
    assert "Aucune observation pour le moment" in page
    assert "Aucune observation pour le moment</text>" in page  # the chart says it too


def test_learner_without_a_diploma(world, login_as):
    page = text(login_as(world["other_teacher"]).get(learner_url(world, world["other_learner"])))
    assert "n'est rattachée à aucun diplôme" in page


# The chart -------------------------------------------------------------------------------------------------------


def test_chart_has_one_point_per_dated_level(world, login_as):
    learner = world["learner"]
    observe(world, learner, world["c1"], 2, days_ago=60)
    observe(world, learner, world["c7"], 3, days_ago=60)  # same date: one point
    observe(world, learner, world["c1"], 3, days_ago=20)
    observe(world, learner, world["c7"], 4, EvaluationType.CERTIFICATIVE, days_ago=5)
    page = login_as(world["teacher"]).get(learner_url(world)).content.decode()
    svg = page.split('<figure class="cpro-chart-figure"', 1)[1].split("</figure>", 1)[0]
    assert "<svg" in svg and 'role="img"' in svg
    points = re.findall(r'data-point="([\d-]+)"', svg)
    assert points == [(TODAY - timedelta(days=d)).isoformat() for d in (60, 20, 5)]
    # first point: mean of C1 = 2 and C7 = 3 → 2.50; the levels are named on the axis (no colour needed)
    assert "2.50 (M)" in svg
    assert ">NM<" in svg and ">BM<" in svg


def test_chart_of_one_competency_marks_each_observation_by_its_type(world, login_as):
    learner = world["learner"]
    observe(world, learner, world["c7"], 2, days_ago=30)
    observe(world, learner, world["c7"], 3, EvaluationType.CERTIFICATIVE, days_ago=10)
    observe(world, learner, world["c7"], 4, EvaluationType.COMPANY, days_ago=10)
    page = login_as(world["teacher"]).get(learner_url(world) + f"?competence={world['c7'].pk}").content.decode()
    svg = page.split('<figure class="cpro-chart-figure"', 1)[1].split("</figure>", 1)[0]
    assert "Évolution du niveau proposé — C7" in page
    assert len(re.findall(r"data-point=", svg)) == 2  # two dates
    shapes = re.findall(r'<(circle|rect|polygon) class="cpro-chart-obs" data-type="(\w+)"', svg)
    assert sorted(shapes) == [("circle", "formative"), ("polygon", "entreprise"), ("rect", "certificative")]


# Class heat-map --------------------------------------------------------------------------------------------------


def test_heatmap_shows_levels_never_evaluated_cells_and_counts(world, login_as):
    observe(world, world["learner"], world["c7"], 4)
    page = text(login_as(world["teacher"]).get(class_url(world)))
    table = page.split('data-testid="heatmap"', 1)[1].split("</table>", 1)[0]
    leroy = table.split("LEROY Inès", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'cpro-heat cpro-heat--(\d)">(\w+)<', leroy) == [("0", "NE"), ("4", "4")]
    bernard = table.split("BERNARD Amine", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'cpro-heat cpro-heat--(\d)">(\w+)<', bernard) == [("0", "NE"), ("0", "NE")]
    assert "PETIT" not in table  # another class's learner is not there
    footer = table.split("<tfoot>", 1)[1]
    assert re.search(r"NE – non évalué</th><td class=\"cpro-heat-count\">2</td><td class=\"cpro-heat-count\">1</td>"
                     r"<td class=\"cpro-heat-count cpro-heat-sep\" colspan=\"5\">3 cases", footer)


def test_heatmap_empty_state(world, login_as):
    page = text(login_as(world["teacher"]).get(class_url(world)))
    assert 'data-testid="followup-empty"' in page


# Queries do not grow with rows -----------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_learner_page_queries_are_constant(world, login_as):
    client = login_as(world["teacher"])
    observe(world, world["learner"], world["c1"], 2)
    small = _count(client, learner_url(world))
    for day in range(60):
        observe(world, world["learner"], world["c1" if day % 2 else "c7"], 1 + day % 4, days_ago=day,
                kind=[EvaluationType.FORMATIVE, EvaluationType.CERTIFICATIVE, EvaluationType.COMPANY][day % 3])
    assert _count(client, learner_url(world)) == small
    assert _count(client, learner_url(world) + f"?competence={world['c7'].pk}") == small


def test_heatmap_queries_are_constant(world, login_as, make_user):
    client = login_as(world["teacher"])
    observe(world, world["learner"], world["c1"], 2)
    small = _count(client, class_url(world))
    for i in range(8):
        learner = make_user(world["establishment"], Profile.LEARNER, login=f"apprenant.{i}", last_name=f"Nom{i}",
                            division=world["class1"])
        for day in range(5):
            observe(world, learner, world["c7"], 1 + (i + day) % 4, days_ago=day * 7)
    assert _count(client, class_url(world)) == small


def test_proposals_for_other_modules(world, django_assert_num_queries):
    observe(world, world["learner"], world["c1"], 1, days_ago=90)
    observe(world, world["learner"], world["c1"], 4)
    observe(world, world["learner"], world["c7"], 3, days_ago=10)
    with scope(establishment=world["establishment"]):
        with django_assert_num_queries(2):
            proposals = followup.proposals_for(world["learner"], [world["c1"], world["c7"].pk])
        assert proposals[world["c1"].pk].level == 3  # (0.5 × 1 + 4) / 1.5 = 3.0
        assert proposals[world["c7"].pk].level == 3
        earlier = followup.proposals_for(world["learner"], [world["c1"], world["c7"]], at=TODAY - timedelta(days=20))
        assert earlier[world["c1"].pk].level == 1 and earlier[world["c7"].pk].level is None


# Paramètres › Évaluation -----------------------------------------------------------------------------------------


def settings_url(world):
    return f"/{world['establishment'].uai}/parametres/evaluation/"


def test_ddfpt_changes_the_parameters_and_the_journal_says_so(world, login_as):
    client = login_as(world["ddfpt"])
    page = text(client.get(settings_url(world)))
    assert "Demi-vie d'une observation (jours)" in page and 'value="90"' in page
    response = client.post(settings_url(world), {"half_life_days": "30", "formative_weight": "1",
                                                 "certificative_weight": "1,5", "company_weight": "0"})
    assert response.status_code == 302
    with scopes_disabled():
        row = EvaluationSettings.objects.get(establishment=world["establishment"])
        assert (row.half_life_days, float(row.certificative_weight), float(row.company_weight)) == (30, 1.5, 0)
        assert AuditEntry.objects.filter(action="establishment.evaluation_settings").count() == 1
    # the company observation no longer counts
    observe(world, world["learner"], world["c1"], 1, EvaluationType.COMPANY)
    observe(world, world["learner"], world["c1"], 3)
    page = text(client.get(learner_url(world)))
    assert "proposé</span> 3 — Maîtrisé" in page
    assert "non compté (type de poids 0)" in page and "poids 100 %" in page


@pytest.mark.parametrize("data,message", [
    ({"half_life_days": "0"}, "La demi-vie est d'au moins 1 jour."),
    ({"half_life_days": "abc"}, "Indiquez un nombre entier de jours."),
    ({"formative_weight": "-1"}, "Le poids est compris entre 0 et 10."),
    ({"certificative_weight": "1,234"}, "Le poids a au plus deux décimales."),
    ({"formative_weight": "0", "certificative_weight": "0", "company_weight": "0"},
     "Au moins un type d'évaluation doit compter"),
])
def test_bad_parameters_are_refused_with_a_french_message(world, login_as, data, message):
    payload = {"half_life_days": "90", "formative_weight": "1", "certificative_weight": "2", "company_weight": "1",
               **data}
    response = login_as(world["head"]).post(settings_url(world), payload)
    assert response.status_code == 400
    assert message in text(response)
    with scopes_disabled():
        assert not EvaluationSettings.objects.exists()


def test_teachers_do_not_change_the_parameters(world, login_as):
    assert login_as(world["teacher"]).get(settings_url(world)).status_code == 403


def test_heatmap_by_criterion(world, login_as):
    with scopes_disabled():
        criterion = world["c7"].criteria.get(position=2)
    observe(world, world["learner"], world["c7"], 2, criterion=criterion)
    observe(world, world["learner"], world["c7"], 4)  # whole competency: not a criterion's
    page = text(login_as(world["teacher"]).get(class_url(world) + "?detail=criteres"))
    table = page.split('data-testid="heatmap"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r"<span>(C\d\.\d)</span>", table) == ["C1.1", "C7.1", "C7.2"]
    leroy = table.split("LEROY Inès", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'cpro-heat--(\d)">', leroy) == ["0", "0", "2"]


def test_the_database_computes_the_same_levels_as_the_formula(world, make_user):
    """The heat-map's grouped query (``levels_in_database``) against ``levels.propose`` on the same rows."""
    import random

    from pedagogy.levels import Parameters, propose

    rng = random.Random(7)
    learners = [world["learner"], world["classmate"]]
    kinds = list(EvaluationType)
    for n in range(120):
        observe(world, learners[n % 2], world["c1" if n % 3 else "c7"], rng.randint(0, 4), kinds[n % 3],
                days_ago=rng.randint(-5, 400))
    for parameters in (Parameters(), Parameters(half_life_days=7, type_weights={kinds[0]: 1.0, kinds[1]: 0.3,
                                                                              kinds[2]: 0.0})):
        with scope(establishment=world["establishment"]):
            queryset = Observation.objects.filter(learner__in=learners)
            in_database = followup.levels_in_database(queryset, "competency_id", TODAY, parameters)
            for learner in learners:
                for competency in (world["c1"], world["c7"]):
                    rows = list(queryset.filter(learner=learner, competency=competency))
                    expected = propose(rows, TODAY, parameters)
                    assert in_database.get((learner.pk, competency.pk), (0, 0)) == (expected.level or 0,
                                                                                     expected.count)


def test_chart_points_equal_the_formula_at_each_date(world):
    """The chart's one-pass computation against ``levels.propose`` at every date (mean over competencies)."""
    import random

    from pedagogy.levels import Parameters, propose

    rng = random.Random(3)
    kinds = list(EvaluationType)
    for n in range(80):
        observe(world, world["learner"], world["c1" if n % 2 else "c7"], rng.randint(0, 4), kinds[n % 3],
                days_ago=rng.randint(0, 300))
    parameters = Parameters(half_life_days=30)
    with scope(establishment=world["establishment"]):
        rows = list(Observation.objects.filter(learner=world["learner"]))
    grouped = {cid: [o for o in rows if o.competency_id == cid] for cid in (world["c1"].pk, world["c7"].pk)}
    points = followup.progress_points(grouped, parameters)
    assert len(points) == len({o.date for o in rows if o.level})
    for point in points:
        scores = [p.score for p in (propose(r, point.date, parameters) for r in grouped.values()) if p.level]
        assert point.score == pytest.approx(sum(scores) / len(scores))
        assert point.evaluated == len(scores)


def test_a_guardian_of_two_learners_chooses_one(world, login_as):
    with scopes_disabled():
        GuardianLink.objects.create(establishment=world["establishment"], guardian=world["guardian"],
                                    learner=world["classmate"])
    page = text(login_as(world["guardian"]).get(f"/{world['establishment'].uai}/suivi/"))
    assert "Choisissez l'apprenant" in page
    assert learner_url(world) in page and learner_url(world, world["classmate"]) in page
    assert learner_url(world, world["other_learner"]) not in page


def test_the_evaluation_tab_is_in_parametres_and_the_ddfpt_finds_it(world, login_as):
    page = text(login_as(world["head"]).get(f"/{world['establishment'].uai}/parametres/"))
    assert f"/{world['establishment'].uai}/parametres/evaluation/" in page
    page = text(login_as(world["ddfpt"]).get(f"/{world['establishment'].uai}/suivi/"))
    assert "Paramètres du niveau proposé" in page
    page = text(login_as(world["teacher"]).get(f"/{world['establishment'].uai}/suivi/"))
    assert "Paramètres du niveau proposé" not in page


def test_demo_accounts_find_a_useful_follow_up(db):
    """The demo (no observations of its own here): each profile reaches its follow-up, with the empty state."""
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.test import Client

    from accounts.management.commands.demo import DEMO_PASSWORD

    out = StringIO()
    call_command("load_referentiel", stdout=StringIO())
    call_command("demo", "--json", stdout=out)
    logins = {u["profile"]: u["login"] for u in json.loads(out.getvalue())["establishments"][0]["users"]}

    def client(profile):
        c = Client()
        assert c.post("/0750654D/connexion/", {"username": logins[profile], "password": DEMO_PASSWORD}
                      ).status_code == 302
        return c

    teacher = client("enseignant")
    index = text(teacher.get("/0750654D/suivi/"))
    assert "2MELEC1" in index and "MELEC 2024" in index
    division_url = re.search(r'href="(/0750654D/suivi/classe/\d+/)">2MELEC1<', index).group(1)
    heat = text(teacher.get(division_url))
    assert 'data-testid="heatmap"' in heat and "LEROY Inès" in heat
    with scopes_disabled():
        has_observations = Observation.objects.exists()
    if not has_observations:
        assert "Aucune observation pour le moment" in heat
    for profile in ("apprenant", "responsable"):
        page = text(client(profile).get("/0750654D/suivi/"))
        assert "Suivi des acquis — Inès LEROY" in page
        assert 'data-testid="followup-competencies"' in page


# A teaching group's heat-map -------------------------------------------------------------------------------------


@pytest.fixture
def group(world):
    """« 2MELEC1-ATELIER »: the class's learner and a learner of the other class; taught by ``other_teacher``."""
    from establishments.models import TeachingGroup

    with scopes_disabled():
        atelier = TeachingGroup.objects.create(establishment=world["establishment"], code="2MELEC1-ATELIER",
                                               label="Atelier électricité")
        atelier.divisions.add(world["class1"])
        for member in (world["learner"], world["other_learner"], world["other_teacher"]):
            member.teaching_groups.add(atelier)
    return atelier


def group_url(world, group):
    return f"/{world['establishment'].uai}/suivi/groupe/{group.pk}/"


def test_a_group_teacher_finds_the_heatmap_of_their_group(world, group, login_as):
    observe(world, world["learner"], world["c7"], 3)
    client = login_as(world["other_teacher"])
    index = client.get(f"/{world['establishment'].uai}/suivi/").content.decode()
    assert f'href="{group_url(world, group)}">2MELEC1-ATELIER</a>' in index
    page = text(client.get(group_url(world, group)))
    assert "Suivi des acquis — 2MELEC1-ATELIER" in page and 'data-testid="heatmap"' in page
    assert "LEROY Inès" in page
    assert "Bernard" not in page  # the classmate is not in the group
    # the member whose class is on no diploma is not mixed into the MELEC heat-map, and the page says so
    assert "PETIT" not in page and "1 apprenant du groupe, inscrit sur un autre diplôme ou niveau" in page


def test_a_group_is_not_open_to_a_teacher_outside_it_nor_to_learners(world, group, login_as):
    assert login_as(world["teacher"]).get(group_url(world, group)).status_code == 404
    for who in ("learner", "guardian"):
        assert login_as(world[who]).get(group_url(world, group)).status_code == 403, who
    for who in ("ddfpt", "head", "inspector"):
        assert login_as(world[who]).get(group_url(world, group)).status_code == 200, who


def test_group_heatmap_queries_are_constant(world, group, login_as, make_user):
    client = login_as(world["other_teacher"])
    observe(world, world["learner"], world["c1"], 2)
    small = _count(client, group_url(world, group))
    for i in range(6):
        learner = make_user(world["establishment"], Profile.LEARNER, login=f"atelier.{i}", last_name=f"Atelier{i}",
                            division=world["class1"])
        with scopes_disabled():
            learner.teaching_groups.add(group)
        for day in range(4):
            observe(world, learner, world["c7"], 1 + (i + day) % 4, days_ago=day * 7)
    assert _count(client, group_url(world, group)) == small


def test_on_a_phone_each_competency_names_its_columns(world, login_as):
    """The phone layout stacks each row (followup.css); each cell carries the heading it shows above itself."""
    observe(world, world["learner"], world["c7"], 3)
    page = login_as(world["teacher"]).get(learner_url(world)).content.decode()
    for label in ("Niveau proposé", "Dernier niveau retenu", "Observations"):
        assert f'data-label="{label}"' in page


def test_a_filter_that_is_not_a_number_is_ignored(world, login_as):
    client = login_as(world["teacher"])
    for query in ("?bloc=²", "?competence=²", "?bloc=abc"):
        assert client.get(learner_url(world) + query).status_code == 200, query
