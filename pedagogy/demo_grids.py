"""Demo grilles de positionnement (``manage.py demo``, through ``extensions.demo_content``, after the scenarios).

The demo class 2MELEC1 gets a few more learners next to the demo learner, and the demo teacher evaluates them
on the Seconde scenarios over the autumn: three filled grids (the second detailed by criteria) with a realistic
progression, a few comments, and one grid created but not filled yet. Idempotent (by grid title); nothing is done
when the scenarios were not loaded (MELEC 2024 missing or not subscribed).
"""

import datetime

from django.utils import timezone

from accounts.models import Profile, User
from establishments.models import Division, Establishment, school_year_start
from referentiels.models import Criterion

from .evaluation_models import EvaluationType, Grid, Observation
from .grid_models import GridNote
from .grids import source_label
from .models import Scenario

DEMO_LEARNERS = [("Benali", "Yanis"), ("Martin", "Lucas"), ("Nguyen", "Léa"), ("Traoré", "Moussa"),
                 ("Dubois", "Emma"), ("Fernandes", "Hugo"), ("Lambert", "Chloé")]

# title, scenario, (month, day), type, detailed by criteria, filled
DEMO_GRIDS = [
    ("Sécurité à l'atelier — positionnement de rentrée", "Découverte de l'atelier et des règles de sécurité "
     "électrique", (9, 18), EvaluationType.FORMATIVE, False, True),
    ("Va-et-vient — évaluation formative", "Câblage d'un va-et-vient dans un logement", (10, 9),
     EvaluationType.FORMATIVE, True, True),
    ("Tableau de répartition — évaluation", "Tableau de répartition d'un studio", (11, 20),
     EvaluationType.CERTIFICATIVE, False, True),
    ("Mesures et essais — à évaluer", "Mesures et essais avant mise en service", (12, 4),
     EvaluationType.FORMATIVE, False, False),
]

COMMENTS = {1: "Consignes de sécurité à revoir avant toute intervention.", 2: "Progrès, encore des hésitations.",
            4: "Travail soigné et autonome."}


def _demo_learners(establishment: Establishment, people: dict) -> list[User]:
    division = Division.objects.filter(establishment=establishment, code="2MELEC1").first()
    learners = [people["apprenant"]] if people.get("apprenant") else []
    if division is None:
        return learners
    for number, (last_name, first_name) in enumerate(DEMO_LEARNERS, start=2):
        login = f"demo.apprenant{number}"
        user = User.objects.filter(establishment=establishment, login=login).first()
        if user is None:
            user = User.objects.create_user(
                login=login, password=None, establishment=establishment, profile=Profile.LEARNER,
                last_name=last_name, first_name=first_name, division=division,
                birth_date=datetime.date(2010, 1 + number, 3 + number), must_change_password=True)
        learners.append(user)
    return learners


def _level(learner_index: int, column_index: int, grid_index: int) -> int:
    """A deterministic, plausible level: each learner has a starting level and progresses over the autumn."""
    ability = (1, 2, 2, 3, 1, 2, 3, 2)[learner_index % 8]
    wobble = (learner_index * 7 + column_index * 3 + grid_index) % 5
    level = ability + grid_index // 2 + (1 if wobble == 4 else 0) - (1 if wobble == 0 else 0)
    return max(1, min(4, level))


def load_demo_grids(establishment: Establishment, users: dict) -> None:
    """Runs inside the demo command's transaction, scopes disabled."""
    teacher = users.get("enseignant")
    if teacher is None:
        return
    scenarios = {s.title: s for s in Scenario.objects.filter(establishment=establishment).prefetch_related(
        "competencies", "criteria")}
    if not any(scenario_title in scenarios for _t, scenario_title, *_rest in DEMO_GRIDS):
        return
    learners = _demo_learners(establishment, users)
    today = timezone.localdate()
    start_year = school_year_start(today)
    existing = set(Grid.objects.filter(establishment=establishment).values_list("title", flat=True))
    for grid_index, (title, scenario_title, (month, day), kind, detailed, filled) in enumerate(DEMO_GRIDS):
        scenario = scenarios.get(scenario_title)
        if scenario is None or title in existing:
            continue
        on = min(datetime.date(start_year if month >= 9 else start_year + 1, month, day), today)
        grid = Grid.objects.create(establishment=establishment, scenario=scenario, title=title, type=kind, date=on,
                                   created_by=teacher)
        grid.learners.set(learners)
        if not filled:
            continue
        competencies = sorted(scenario.competencies.all(), key=lambda c: c.position)
        columns = [(c, None) for c in competencies]
        if detailed:
            criteria = Criterion.objects.filter(competency__in=competencies).order_by("competency_id", "position")
            columns += [(criterion.competency, criterion) for criterion in criteria]
        rows = []
        for learner_index, learner in enumerate(learners):
            for column_index, (competency, criterion) in enumerate(columns):
                if (learner_index + column_index + grid_index) % 11 == 10:
                    continue  # absent that day: the cell stays NE
                level = _level(learner_index, column_index, grid_index)
                comment = COMMENTS.get(level, "") if column_index == 0 and learner_index % 3 == 0 else ""
                rows.append(Observation(
                    establishment=establishment, learner=learner, competency=competency, criterion=criterion,
                    level=level, type=kind, date=on, observer=teacher, observer_name=teacher.get_full_name(),
                    grid=grid, source_label=source_label(grid), comment=comment))
        Observation.objects.bulk_create(rows)
        GridNote.objects.create(establishment=establishment, grid=grid, learner=learners[-1],
                                comment="Absent(e) une partie de la séance : à revoir à la prochaine évaluation.",
                                source_label=source_label(grid))
