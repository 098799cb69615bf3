"""Grilles de positionnement (issue 12): creating a grid from a scenario, who sees and fills which grid, the list,
the printable grid, deletion, the scenario's count of evaluations, constant queries, the demo."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile
from establishments.scoping import scopes_disabled
from pedagogy import grids as grid_services
from pedagogy.models import Grid, Observation, Scenario

from .grid_fixtures import (
    build_world,
    cell_value,
    make_grid,
    post_cell,
    school_day,
    text,
)


@pytest.fixture
def world(establishment, make_user):
    return build_world(establishment, make_user)


def grids_url(establishment, rest=""):
    return f"/{establishment.uai}/grilles/{rest}"


def create(client, world, **data):
    payload = {"scenario": world.scenario.pk, "title": "Positionnement C1/C7", "type": "formative",
               "date": school_day().isoformat(), "token": "", "learners": [u.pk for u in world.learners], **data}
    return client.post(grids_url(world.scenario.establishment, "nouvelle/"), payload)


def test_a_teacher_creates_a_grid_from_a_scenario_for_the_learners_of_its_level(establishment, world, login_as):
    client = login_as(world.teacher)
    detail = text(client.get(f"/{establishment.uai}/scenarios/{world.scenario.pk}/"))
    assert "Créer une grille de positionnement" in detail
    page = client.get(grids_url(establishment, f"nouvelle/?scenario={world.scenario.pk}"))
    body = text(page)
    assert page.status_code == 200
    # The scenario is for Première: the 1MELEC1 learners are checked, the Seconde learner is offered unchecked.
    for learner in world.learners:
        assert f'value="{learner.pk}" checked' in body
    assert f'value="{world.other_learner.pk}">' in body
    # « Choisir la classe » checks a whole class instead.
    by_class = text(client.get(grids_url(establishment, f"nouvelle/?scenario={world.scenario.pk}"
                                                        f"&classe={world.other_division.pk}")))
    assert f'value="{world.other_learner.pk}" checked' in by_class
    assert f'value="{world.learners[0].pk}" checked' not in by_class

    response = create(client, world, token="jeton-1")
    again = create(client, world, token="jeton-1")  # double click: the same grid
    assert response.status_code == 302 and again["Location"] == response["Location"]
    with scopes_disabled():
        grid = Grid.objects.get()
        assert sorted(grid.learners.values_list("pk", flat=True)) == sorted(u.pk for u in world.learners)
        assert (grid.title, grid.type, grid.created_by) == ("Positionnement C1/C7", "formative", world.teacher)
    grid_page = text(client.get(response["Location"]))
    assert "Positionnement C1/C7" in grid_page and "NOM00 Élève00" in grid_page
    assert '<abbr title="Analyser les conditions de l&#x27;opération">C1</abbr>' in grid_page
    # Expandable to the criteria of the scenario's competencies.
    detailed = text(client.get(response["Location"] + "?criteres=1"))
    assert "C7.2" in detailed and "C7.2" not in grid_page
    # The scenario page counts the grid, and the scenario can no longer be deleted.
    assert "Utilisé par 1 grille(s) de positionnement" in text(client.get(
        f"/{establishment.uai}/scenarios/{world.scenario.pk}/"))
    client.post(f"/{establishment.uai}/scenarios/{world.scenario.pk}/supprimer/")
    with scopes_disabled():
        assert Scenario.objects.filter(pk=world.scenario.pk).exists()


@pytest.mark.parametrize("data,message", [
    ({"date": "2020-01-15"}, "La date doit être dans l&#x27;année scolaire en cours"),
    ({"learners": []}, "Choisissez au moins un apprenant."),
    ({"type": "entreprise"}, "Choisissez le type d&#x27;évaluation dans la liste"),
    ({"date": "32/13/2026"}, "Saisissez une date valide"),
])
def test_bad_creation_input_is_refused_in_french_and_nothing_is_created(establishment, world, login_as, data,
                                                                        message):
    response = create(login_as(world.teacher), world, **data)
    assert response.status_code == 400 and message in response.content.decode()
    with scopes_disabled():
        assert not Grid.objects.exists()


def test_a_learner_the_teacher_does_not_teach_cannot_be_put_on_a_grid(establishment, world, login_as):
    response = create(login_as(world.colleague), world,
                      learners=[world.learners[0].pk, world.other_learner.pk])  # the colleague teaches 1MELEC1 only
    assert response.status_code == 400 and "n&#x27;est pas l&#x27;un de vos apprenants" in response.content.decode()
    with scopes_disabled():
        assert not Grid.objects.exists()


def test_who_reads_and_fills_a_grid(establishment, world, make_user, login_as):
    """Author and co-teacher (who teaches every learner on it) read and fill; a teacher of other classes does not
    find it; the DDFPT, the chef and the inspector read only; learners and guardians have no grid page."""
    grid = make_grid(world)
    learner, competency = world.learners[0], world.competencies[0]
    detail = grids_url(establishment, f"{grid.pk}/")
    for seen, user in enumerate((world.teacher, world.colleague)):
        client = login_as(user)
        assert client.get(detail).status_code == 200 and 'data-editable="1"' in text(client.get(detail))
        response = post_cell(client, grid, learner=learner.pk, competency=competency.pk, level=seen + 1, seen=seen)
        assert response.status_code == 200, response.content
    assert cell_value(grid, learner, competency) == (2, "")

    stranger = login_as(world.stranger)
    assert stranger.get(detail).status_code == 404
    assert post_cell(stranger, grid, learner=learner.pk, competency=competency.pk, level=4, seen=2).status_code == 404
    assert "Évaluation du tableau" not in text(stranger.get(grids_url(establishment)))

    for profile in (Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR):
        client = login_as(make_user(establishment, profile))
        page = client.get(detail)
        assert page.status_code == 200 and 'data-editable="1"' not in text(page) and "Saisir" not in text(page)
        assert "Évaluation du tableau" in text(client.get(grids_url(establishment)))
        assert post_cell(client, grid, learner=learner.pk, competency=competency.pk, level=4,
                         seen=2).status_code == 403
        assert client.post(grids_url(establishment, f"{grid.pk}/apprenant/{learner.pk}/"),
                           {f"level_{competency.pk}-0": "4", f"seen_level_{competency.pk}-0": "2"}).status_code in (
            403, 404)
    for profile in (Profile.LEARNER, Profile.GUARDIAN):
        client = login_as(make_user(establishment, profile, login=f"x.{profile.value}"))
        assert client.get(detail).status_code == 403
        assert client.get(grids_url(establishment)).status_code == 403
    assert cell_value(grid, learner, competency) == (2, "")


def test_the_list_shows_my_grids_and_my_colleagues_grids_on_my_learners(establishment, world, login_as):
    make_grid(world, title="Grille de Paul")
    make_grid(world, learners=[world.other_learner], title="Grille de seconde")
    colleague = text(login_as(world.colleague).get(grids_url(establishment)))
    assert "Grille de Paul" in colleague and "Grille de seconde" not in colleague  # 2MELEC2 is not theirs
    teacher = text(login_as(world.teacher).get(grids_url(establishment)))
    assert "Mes grilles" in teacher and "Grille de Paul" in teacher and "Grille de seconde" in teacher


def test_only_the_author_deletes_a_grid_and_its_cells(establishment, world, login_as):
    grid = make_grid(world)
    post_cell(login_as(world.teacher), grid, learner=world.learners[0].pk, competency=world.competencies[0].pk,
              level=3, seen=0)
    url = grids_url(establishment, f"{grid.pk}/supprimer/")
    assert login_as(world.colleague).post(url).status_code == 404
    client = login_as(world.teacher)
    assert "1 case saisie" in text(client.get(url))
    assert client.post(url).status_code == 302
    with scopes_disabled():
        assert not Grid.objects.exists() and not Observation.objects.exists()
    # Deleting the scenario is possible again.
    client.post(f"/{establishment.uai}/scenarios/{world.scenario.pk}/supprimer/")
    with scopes_disabled():
        assert not Scenario.objects.filter(pk=world.scenario.pk).exists()


def test_the_printable_grid_blank_or_filled(establishment, world, login_as):
    grid = make_grid(world)
    client = login_as(world.teacher)
    post_cell(client, grid, learner=world.learners[0].pk, competency=world.competencies[1].pk, level=4, seen=0,
              )
    post_cell(client, grid, learner=world.learners[0].pk, competency=world.competencies[1].pk,
              comment="Très bon câblage", seen_comment="")
    filled = text(client.get(grids_url(establishment, f"{grid.pk}/imprimer/")))
    assert "<td>4*</td>" in filled and "Très bon câblage" in filled and "NOM00 Élève00" in filled
    blank = text(client.get(grids_url(establishment, f"{grid.pk}/imprimer/?vierge=1")))
    assert "NOM00 Élève00" in blank and "<td>4*</td>" not in blank and "Très bon câblage" not in blank
    assert "<td></td>" in blank
    detailed = text(client.get(grids_url(establishment, f"{grid.pk}/imprimer/?criteres=1")))
    assert "C7.1" in detailed


def _queries(client, grid, learners, competencies):
    for learner in learners:
        for competency in competencies:
            post_cell(client, grid, learner=learner.pk, competency=competency.pk, level=2, seen=0)
    uai = grid.establishment.uai
    with CaptureQueriesContext(connection) as opened:
        assert client.get(f"/{uai}/grilles/{grid.pk}/?criteres=1").status_code == 200
    with CaptureQueriesContext(connection) as saved:
        assert post_cell(client, grid, learner=learners[-1].pk, competency=competencies[0].pk, level=3,
                         seen=2).status_code == 200
    return len(opened), len(saved)


def test_queries_do_not_grow_with_the_grid(establishment, make_user, login_as):
    world = build_world(establishment, make_user, learners=12)
    client = login_as(world.teacher)
    small = _queries(client, make_grid(world, learners=world.learners[:2]), world.learners[:2], world.competencies)
    large = _queries(client, make_grid(world), world.learners, world.competencies)
    assert small == large
    assert large[0] <= 20


def test_the_grid_list_queries_do_not_grow_with_the_grids(establishment, world, login_as):
    client = login_as(world.colleague)

    def queries_for(number: int) -> int:
        with scopes_disabled():
            existing = Grid.objects.count()
        for n in range(existing, number):
            make_grid(world, title=f"Grille n° {n}")
        with CaptureQueriesContext(connection) as queries:
            page = client.get(grids_url(establishment))
        assert text(page).count("Grille n° ") == number
        return len(queries)

    assert queries_for(1) == queries_for(8)


def test_the_demo_has_grids_filled_over_the_autumn(db):
    from accounts.management.commands.demo import load_demo
    from referentiels.loader import load_files
    from referentiels.shipped import shipped_files

    load_files(shipped_files())
    load_demo()
    load_demo()  # idempotent
    with scopes_disabled():
        grids = list(Grid.objects.filter(establishment__uai="0750654D").order_by("date"))
        assert len(grids) == 4
        assert len({g.date.month for g in grids}) >= 3
        filled = [g for g in grids if g.observations.exists()]
        assert len(filled) == 3 and filled[0].learners.count() >= 6
        levels = set(Observation.objects.filter(grid__in=filled).values_list("level", flat=True))
        assert levels >= {1, 2, 3, 4}
        assert Observation.objects.filter(grid=filled[1], criterion__isnull=False).exists()
        assert all(o.source_label.startswith("Grille « ") for o in Observation.objects.filter(grid__in=filled))
    from django.test import Client

    from accounts.management.commands.demo import DEMO_PASSWORD
    client = Client()
    client.post("/0750654D/connexion/", {"username": "demo.enseignant", "password": DEMO_PASSWORD})
    listing = text(client.get("/0750654D/grilles/"))
    assert "Va-et-vient — évaluation formative" in listing
    assert datetime.date.today() >= grids[-1].date


def test_the_author_changes_the_date_and_learners_and_the_cells_follow(establishment, world, login_as):
    grid = make_grid(world)
    client = login_as(world.teacher)
    first, second = world.learners[0], world.learners[1]
    for learner in (first, second):
        post_cell(client, grid, learner=learner.pk, competency=world.competencies[0].pk, level=3, seen=0)
    post_cell(client, grid, learner=second.pk, note="Absent", seen_note="")
    url = grids_url(establishment, f"{grid.pk}/modifier/")
    assert login_as(world.colleague).get(url).status_code == 404  # the co-teacher fills, only the author changes
    page = text(client.get(url))
    assert f'value="{second.pk}" checked' in page and "Enregistrer la grille" in page
    with scopes_disabled():
        new_date = grid_services.school_year_bounds(establishment)[0]  # the first day of the school year
    payload = {"title": "Tableau (rattrapage)", "type": "certificative", "date": new_date.isoformat(),
               "learners": [first.pk, world.learners[2].pk, world.other_learner.pk]}
    assert client.post(url, {**payload, "date": "2019-09-02"}).status_code == 400
    assert client.post(url, payload).status_code == 302
    with scopes_disabled():
        grid.refresh_from_db()
        assert (grid.title, grid.type, grid.date) == ("Tableau (rattrapage)", "certificative", new_date)
        assert set(grid.learners.values_list("pk", flat=True)) == {first.pk, world.learners[2].pk,
                                                                  world.other_learner.pk}
        kept = Observation.objects.get(grid=grid)
        assert (kept.learner, kept.type, kept.date) == (first, "certificative", new_date)
        assert kept.source_label == f"Grille « Tableau (rattrapage) » du {new_date:%d/%m/%Y}"
        assert not grid.notes.exists()  # the learner taken off lost their cells and comment on it
    # The colleague (who does not teach 2MELEC2) no longer sees the grid.
    assert login_as(world.colleague).get(grids_url(establishment, f"{grid.pk}/")).status_code == 404


def test_the_grid_leads_to_the_follow_up_of_its_classes_and_learners(establishment, world, login_as):
    grid = make_grid(world, learners=[*world.learners, world.other_learner])
    uai = establishment.uai
    page = login_as(world.teacher).get(grids_url(establishment, f"{grid.pk}/")).content.decode()
    assert f'href="/{uai}/suivi/classe/{world.division.pk}/">Suivi des acquis — 1MELEC1</a>' in page
    assert f'href="/{uai}/suivi/classe/{world.other_division.pk}/">Suivi des acquis — 2MELEC2</a>' in page
    learner = world.learners[0]
    one = login_as(world.teacher).get(grids_url(establishment, f"{grid.pk}/apprenant/{learner.pk}/"))
    assert f'href="/{uai}/suivi/apprenant/{learner.pk}/"' in one.content.decode()


def test_the_follow_up_link_names_only_classes_the_reader_may_open(establishment, world, login_as):
    grid = make_grid(world)
    page = login_as(world.colleague).get(grids_url(establishment, f"{grid.pk}/")).content.decode()
    assert "Suivi des acquis — 1MELEC1" in page and "2MELEC2" not in page


def test_the_group_choice_starts_empty_and_shows_what_was_chosen(establishment, world, login_as):
    from establishments.models import TeachingGroup

    with scopes_disabled():
        group = TeachingGroup.objects.create(establishment=establishment, code="1MELEC1-ATELIER")
        group.divisions.add(world.division)
        world.teacher.teaching_groups.add(group)
        world.learners[0].teaching_groups.add(group)
    client = login_as(world.teacher)
    url = grids_url(establishment, f"nouvelle/?scenario={world.scenario.pk}")
    page = client.get(url).content.decode()
    select = page.split('id="id_groupe"', 1)[1].split("</select>", 1)[0]
    assert select.split("<option", 2)[1].startswith(' value="">—') and " selected" not in select
    chosen = client.get(url + f"&groupe={group.pk}").content.decode()
    assert f'<option value="{group.pk}" selected>1MELEC1-ATELIER' in chosen
    by_class = client.get(url + f"&classe={world.division.pk}").content.decode()
    assert f'<option value="{world.division.pk}" selected>1MELEC1</option>' in by_class
