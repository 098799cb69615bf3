"""Entering levels on a grid (issue 12): each cell saved as typed, two teachers merging cell by cell, comments,
the form without JavaScript, and bad input refused in French with nothing else changed."""

import pytest

from establishments.scoping import scopes_disabled
from pedagogy.models import GridNote, Observation

from .grid_fixtures import (
    build_world,
    cell_value,
    make_grid,
    observation_count,
    post_cell,
    text,
)
from .referentiel_factory import make_version


@pytest.fixture
def world(establishment, make_user):
    return build_world(establishment, make_user)


def test_a_cell_saved_as_typed_is_an_observation_of_the_grid(establishment, world, login_as):
    grid = make_grid(world, type="certificative")
    client = login_as(world.teacher)
    learner, competency = world.learners[1], world.competencies[1]
    response = post_cell(client, grid, learner=learner.pk, competency=competency.pk, level=3, seen=0)
    assert response.status_code == 200 and response.json() == {"ok": True, "level": 3, "comment": ""}
    with scopes_disabled():
        observation = Observation.objects.get()
        assert (observation.type, observation.date, observation.observer, observation.grid) == (
            "certificative", grid.date, world.teacher, grid)
        assert observation.source_label == f"Grille « Évaluation du tableau » du {grid.date:%d/%m/%Y}"
        assert observation.observer_name == "MARTIN Paul" and observation.criterion is None
    # A criterion cell (the grid detailed) is another observation.
    with scopes_disabled():
        criterion = competency.criteria.order_by("position").last()
    assert post_cell(client, grid, learner=learner.pk, competency=competency.pk, criterion=criterion.pk, level=2,
                     seen=0).status_code == 200
    assert cell_value(grid, learner, competency, criterion) == (2, "")
    # Back to NE: not evaluated, the cell has no row any more.
    assert post_cell(client, grid, learner=learner.pk, competency=competency.pk, level=0, seen=3).json()["level"] == 0
    assert cell_value(grid, learner, competency) is None and observation_count() == 1
    # The page shows what was saved.
    page = text(client.get(f"/{establishment.uai}/grilles/{grid.pk}/?criteres=1"))
    assert f'data-criterion="{criterion.pk}" data-code="C7.2" data-level="2"' in page


def test_two_teachers_filling_the_same_grid_merge_cell_by_cell(establishment, world, login_as):
    grid = make_grid(world)
    paul, lea = login_as(world.teacher), login_as(world.colleague)
    first, second = world.learners[0], world.learners[1]
    c1, c7 = world.competencies
    # Both opened the grid with every cell at NE.
    assert post_cell(paul, grid, learner=first.pk, competency=c1.pk, level=3, seen=0).status_code == 200
    assert post_cell(lea, grid, learner=second.pk, competency=c7.pk, level=4, seen=0).status_code == 200
    # Léa types on the cell Paul just filled: refused, she is shown Paul's value.
    conflict = post_cell(lea, grid, learner=first.pk, competency=c1.pk, level=1, seen=0)
    assert conflict.status_code == 409
    assert conflict.json()["current"] == {"level": 3, "comment": ""}
    assert "modifiée par MARTIN Paul" in conflict.json()["error"]
    assert cell_value(grid, first, c1) == (3, "")
    # Now that she has seen it she may change it; Paul's stale value is then refused in turn.
    assert post_cell(lea, grid, learner=first.pk, competency=c1.pk, level=2, seen=3).status_code == 200
    assert post_cell(paul, grid, learner=first.pk, competency=c1.pk, level=4, seen=3).status_code == 409
    # The same comment check holds for the comments of a cell and of a learner.
    assert post_cell(paul, grid, learner=first.pk, competency=c1.pk, comment="Bien", seen_comment="").status_code == 200
    assert post_cell(lea, grid, learner=first.pk, competency=c1.pk, comment="Moyen",
                     seen_comment="").json()["current"]["comment"] == "Bien"
    assert post_cell(paul, grid, learner=first.pk, note="Attentif", seen_note="").json()["note"] == "Attentif"
    stale_note = post_cell(lea, grid, learner=first.pk, note="Bavard", seen_note="")
    assert stale_note.status_code == 409 and stale_note.json()["note"] == "Attentif"
    assert cell_value(grid, first, c1) == (2, "Bien") and cell_value(grid, second, c7) == (4, "")
    with scopes_disabled():
        assert GridNote.objects.get().comment == "Attentif"


def test_bad_cell_input_is_refused_in_french_and_nothing_changes(establishment, world, login_as):
    grid = make_grid(world, learners=world.learners[:2])
    client = login_as(world.teacher)
    learner, competency = world.learners[0], world.competencies[0]
    post_cell(client, grid, learner=learner.pk, competency=competency.pk, level=2, seen=0)
    with scopes_disabled():
        other_version = make_version("CIEL", "2023")
        foreign = other_version.competencies.first()
        foreign_criterion = world.competencies[1].criteria.first()
    cases = [
        ({"learner": learner.pk, "competency": competency.pk, "level": 7, "seen": 2}, "hors de l'échelle"),
        ({"learner": learner.pk, "competency": competency.pk, "level": "abc", "seen": 2}, "hors de l'échelle"),
        ({"learner": world.learners[2].pk, "competency": competency.pk, "level": 3, "seen": 0},
         "n'est pas sur cette grille"),
        ({"learner": world.other_learner.pk, "competency": competency.pk, "level": 3, "seen": 0},
         "n'est pas sur cette grille"),
        ({"learner": learner.pk, "competency": foreign.pk, "level": 3, "seen": 0},
         "n'appartient pas à la version du référentiel de la grille"),
        ({"learner": learner.pk, "competency": competency.pk, "criterion": foreign_criterion.pk, "level": 3, "seen": 0},
         "n'appartient pas à la compétence"),
    ]
    for payload, message in cases:
        response = post_cell(client, grid, **payload)
        assert response.status_code == 400 and message in response.json()["error"], (payload, response.content)
    # Input Python reads as digits or numbers but int() refuses: a superscript, an infinite JSON number.
    assert "hors de l'échelle" in post_cell(client, grid, learner=learner.pk, competency=competency.pk, level="²",
                                            seen=2).json()["error"]
    infinite = post_cell(client, grid, learner=float("inf"), competency=competency.pk, level=3, seen=2)
    assert infinite.status_code == 400 and infinite.json()["error"]
    assert client.post(f"/{establishment.uai}/grilles/{grid.pk}/cellule/", "pas du JSON",
                       content_type="application/json").status_code == 400
    assert cell_value(grid, learner, competency) == (2, "") and observation_count() == 1
    # A save after the grid was deleted: a clear message, nothing written.
    pk = grid.pk
    with scopes_disabled():
        grid.delete()
    grid.pk = pk  # the same address as before
    gone = post_cell(client, grid, learner=learner.pk, competency=competency.pk, level=3, seen=2)
    assert gone.status_code == 404 and gone.json()["error"] == (
        "Cette grille a été supprimée : la saisie n'a pas été enregistrée.")
    assert observation_count() == 0


def form_url(grid, learner):
    return f"/{grid.establishment.uai}/grilles/{grid.pk}/apprenant/{learner.pk}/"


def test_without_javascript_a_plain_form_per_learner(establishment, world, login_as):
    grid = make_grid(world)
    client = login_as(world.teacher)
    learner = world.learners[0]
    c1, c7 = world.competencies
    with scopes_disabled():
        criterion = c7.criteria.order_by("position").first()
    page = text(client.get(form_url(grid, learner)))
    assert "Apprenant suivant" in page and f'name="level_{c7.pk}-{criterion.pk}"' in page
    data = {f"level_{c1.pk}-0": "3", f"seen_level_{c1.pk}-0": "0", f"comment_{c1.pk}-0": "Soigné",
            f"seen_comment_{c1.pk}-0": "", f"level_{c7.pk}-{criterion.pk}": "1",
            f"seen_level_{c7.pk}-{criterion.pk}": "0", f"level_{c7.pk}-0": "0", f"seen_level_{c7.pk}-0": "0",
            "note": "Doit relire le schéma", "seen_note": ""}
    response = client.post(form_url(grid, learner), data)
    assert response.status_code == 302
    assert cell_value(grid, learner, c1) == (3, "Soigné") and cell_value(grid, learner, c7, criterion) == (1, "")
    assert cell_value(grid, learner, c7) is None
    with scopes_disabled():
        assert GridNote.objects.get(grid=grid, learner=learner).comment == "Doit relire le schéma"
    # A level outside the scale: nothing saved at all, the message says which cell.
    bad = client.post(form_url(grid, learner), {f"level_{c1.pk}-0": "9", f"seen_level_{c1.pk}-0": "3",
                                                f"level_{c7.pk}-0": "4", f"seen_level_{c7.pk}-0": "0"})
    assert bad.status_code == 400 and "C1 : Niveau « 9 » hors de l&#x27;échelle" in text(bad)
    assert cell_value(grid, learner, c7) is None and cell_value(grid, learner, c1) == (3, "Soigné")
    # Someone changed C1 meanwhile: C1 is refused and shown, C7 is saved.
    post_cell(login_as(world.colleague), grid, learner=learner.pk, competency=c1.pk, level=4, seen=3)
    stale = client.post(form_url(grid, learner), {f"level_{c1.pk}-0": "2", f"seen_level_{c1.pk}-0": "3",
                                                  f"level_{c7.pk}-0": "4", f"seen_level_{c7.pk}-0": "0"})
    assert stale.status_code == 409 and "C1 : Cette case a été modifiée par ROUX Léa" in text(stale)
    assert cell_value(grid, learner, c1) == (4, "Soigné") and cell_value(grid, learner, c7) == (4, "")
    # A learner not on the grid has no form.
    assert client.get(form_url(grid, world.other_learner)).status_code == 404


@pytest.mark.parametrize("level", ["-1", "5", "NE4"])
def test_the_scale_is_ne_and_one_to_four(establishment, world, login_as, level):
    grid = make_grid(world)
    response = post_cell(login_as(world.teacher), grid, learner=world.learners[0].pk,
                         competency=world.competencies[0].pk, level=level, seen=0)
    assert response.status_code == 400 and observation_count() == 0
