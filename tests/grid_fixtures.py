"""The world of the grid tests (issue 12): a MELEC class in Première with its teacher, a co-teacher and learners,
another class with its own teacher, a scenario of the Première level, and helpers to post grid cells."""

import datetime
import json
import re
from types import SimpleNamespace

from django.utils import timezone

from accounts.models import Profile
from establishments.models import Division
from establishments.scoping import scopes_disabled
from pedagogy import grids
from pedagogy.models import Grid, Observation
from referentiels.establishment_models import Cohort
from referentiels.services import subscribe

from .referentiel_factory import make_version
from .scenario_factory import make_scenario


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def build_world(establishment, make_user, learners: int = 3):
    with scopes_disabled():
        version = make_version()
        subscribe(establishment, version.diploma)
        division = Division.objects.create(establishment=establishment, code="1MELEC1")
        other_division = Division.objects.create(establishment=establishment, code="2MELEC2")
        Cohort.objects.create(establishment=establishment, division=division, version=version, class_level="1RE")
        Cohort.objects.create(establishment=establishment, division=other_division, version=version,
                              class_level="2ND")
    teacher = make_user(establishment, Profile.TEACHER, login="paul.martin", first_name="Paul", last_name="Martin")
    colleague = make_user(establishment, Profile.TEACHER, login="lea.roux", first_name="Léa", last_name="Roux")
    stranger = make_user(establishment, Profile.TEACHER, login="marc.blanc", first_name="Marc", last_name="Blanc")
    class_learners = [make_user(establishment, Profile.LEARNER, login=f"eleve{n}", first_name=f"Élève{n:02d}",
                                last_name=f"Nom{n:02d}", division=division) for n in range(learners)]
    other_learner = make_user(establishment, Profile.LEARNER, login="autre.eleve", first_name="Autre",
                              last_name="Élève", division=other_division)
    with scopes_disabled():
        teacher.divisions_taught.add(division, other_division)
        colleague.divisions_taught.add(division)
        stranger.divisions_taught.add(other_division)
    scenario = make_scenario(establishment, version, authors=[teacher])
    with scopes_disabled():
        competencies = list(version.competencies.order_by("position"))
    return SimpleNamespace(version=version, division=division, other_division=other_division, teacher=teacher,
                           colleague=colleague, stranger=stranger, learners=class_learners,
                           other_learner=other_learner, scenario=scenario, competencies=competencies)


def make_grid(world, learners=None, **fields):
    fields.setdefault("title", "Évaluation du tableau")
    fields.setdefault("date", timezone.localdate())
    with scopes_disabled():
        grid = Grid.objects.create(establishment=world.scenario.establishment, scenario=world.scenario,
                                   created_by=world.teacher, **fields)
        grid.learners.set(learners if learners is not None else world.learners)
    return grid


def cell_url(grid) -> str:
    return f"/{grid.establishment.uai}/grilles/{grid.pk}/cellule/"


def post_cell(client, grid, **payload):
    return client.post(cell_url(grid), json.dumps(payload), content_type="application/json")


def cell_value(grid, learner, competency, criterion=None):
    with scopes_disabled():
        row = grids._cell_rows(grid, learner.pk, competency.pk, criterion.pk if criterion else None).first()
    return (row.level, row.comment) if row else None


def observation_count():
    with scopes_disabled():
        return Observation.objects.count()


def school_day() -> datetime.date:
    return timezone.localdate()
