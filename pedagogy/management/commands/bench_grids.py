"""``python manage.py bench_grids``: opening a grille de positionnement and saving one of its cells.

Not a test: it prints JSON figures to compare with the targets of issue 12 — a grid of 35 learners × 30
competencies opens in ≤ 20 queries and ≤ 150 ms server time; saving a cell ≤ 30 ms. ``open_detailed`` (every
criterion shown: 35 × 90 cells here) has no time target, only the query bound; ``save_cell_service`` is the save
alone, without the request's session and middleware. Everything is built in a
transaction rolled back at the end (a throwaway establishment, a référentiel version of 30 competencies × 2
criteria, a class of 35 learners and its teacher, a scenario linking every competency, a grid with every cell
filled), so the database is left as it was. The pages are requested in-process through Django's test client
(middleware, session, view, template: the server's whole work, without the network); each measure is repeated
``--runs`` times after one warm-up, median and worst shown, with the number of queries of one request.
"""

import json
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from establishments.benchmarks import Rollback, free_uai
from establishments.scoping import scope

TARGETS = {"open": (150, 20), "open_detailed": (None, 20), "save_cell": (30, None),
           "save_cell_service": (30, None)}


def build_bench_grid(learners: int = 35, competencies: int = 30):
    """A filled grid of ``learners`` × ``competencies`` in a new establishment (call it inside a transaction you
    roll back). Returns the teacher, the grid and its learners and competencies."""
    import datetime

    from django.utils import timezone

    from accounts.models import Profile, User
    from establishments.models import Division, Establishment
    from pedagogy.models import Grid, Observation, Scenario
    from referentiels.models import Block, Competency, Criterion, Diploma, ReferentielVersion

    uai = free_uai()
    establishment = Establishment.objects.create(uai=uai, name="Lycée professionnel du Banc d'essai")
    diploma, _ = Diploma.objects.get_or_create(code=f"bench{uai.lower()}",
                                               defaults={"name": "Métiers de l'électricité", "kind": "BAC_PRO"})
    version = ReferentielVersion.objects.create(diploma=diploma, code="2024", label=f"bench {uai} 2024",
                                                source="Arrêté d'essai")
    Block.objects.create(version=version, code="B1", kind="bloc", label="Bloc", position=1)
    rows = [Competency.objects.create(version=version, code=f"C{n}", position=n, label=(
        f"Compétence n° {n} : réaliser une installation électrique conforme aux règles de l'art"))
        for n in range(1, competencies + 1)]
    Criterion.objects.bulk_create([Criterion(competency=c, position=rank, label=f"Critère {c.code}.{rank} : les "
                                             "règles de sécurité sont respectées") for c in rows for rank in (1, 2)])
    today = timezone.localdate()
    with scope(establishment=establishment):
        division = Division.objects.create(establishment=establishment, code="1BENCH1")
        teacher = User.objects.create_user(login=f"bench.{uai.lower()}", password=None, establishment=establishment,
                                           profile=Profile.TEACHER, first_name="Élise", last_name="Bérenger")
        teacher.must_change_password = False
        teacher.save(update_fields=["must_change_password"])
        teacher.divisions_taught.add(division)
        pupils = [User.objects.create_user(
            login=f"eleve{n}.{uai.lower()}", password=None, establishment=establishment, profile=Profile.LEARNER,
            first_name=f"Prénom{n}", last_name=f"Nom{n:02d}", division=division,
            birth_date=datetime.date(2009, 1, 1)) for n in range(learners)]
        scenario = Scenario.objects.create(establishment=establishment, version=version, class_level="1RE",
                                           title="Rénovation de l'installation électrique d'un logement")
        scenario.authors.set([teacher])
        scenario.competencies.set(rows)
        grid = Grid.objects.create(establishment=establishment, scenario=scenario, title="Grille du banc d'essai",
                                   date=today, created_by=teacher)
        grid.learners.set(pupils)
        Observation.objects.bulk_create([
            Observation(establishment=establishment, learner=pupil, competency=competency,
                        level=1 + (i + j) % 4, type="formative", date=today, grid=grid, observer=teacher,
                        observer_name=teacher.full_name, comment="Bien" if (i + j) % 9 == 0 else "")
            for i, pupil in enumerate(pupils) for j, competency in enumerate(rows)])
    return establishment, teacher, grid, pupils, rows


def _measure(function, runs: int) -> tuple[list[float], int]:
    function()  # warm-up (templates, first queries)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        function()
    return times, len(queries)


class Command(BaseCommand):
    help = ("Temps d'ouverture d'une grille de 35 apprenants × 30 compétences (cible : 150 ms, 20 requêtes) et "
            "d'enregistrement d'une case (cible : 30 ms).")

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=35)
        parser.add_argument("--competencies", type=int, default=30)
        parser.add_argument("--runs", type=int, default=20)

    def handle(self, *args, learners: int, competencies: int, runs: int, **options):
        figures = {"learners": learners, "competencies": competencies}
        try:
            with transaction.atomic():
                establishment, teacher, grid, pupils, rows = build_bench_grid(learners, competencies)
                client = Client(SERVER_NAME="localhost")
                client.force_login(teacher, backend="accounts.backends.EstablishmentLoginBackend")
                url = f"/{establishment.uai}/grilles/{grid.pk}/"

                def open_grid(suffix=""):
                    response = client.get(url + suffix, secure=True)
                    assert response.status_code == 200, (response.status_code, response.get("Location"))

                cell = {"seen": 1 + (len(pupils) - 1) % 4}  # the value bulk-created above

                def save_cell():
                    level = cell["seen"] % 4 + 1  # always a change
                    response = client.post(url + "cellule/", json.dumps({
                        "learner": pupils[-1].pk, "competency": rows[0].pk, "level": level, "seen": cell["seen"]}),
                        content_type="application/json", secure=True)
                    assert response.status_code == 200, response.content
                    cell["seen"] = level

                def save_cell_service():  # the service alone, without the request (session, middleware)
                    from pedagogy import grids

                    level = cell["seen"] % 4 + 1
                    with scope(establishment=establishment):
                        grids.save_cell(grid, teacher, learner_id=pupils[-1].pk, competency_id=rows[0].pk,
                                        level=level, seen_level=cell["seen"])
                    cell["seen"] = level

                for name, function in (("open", open_grid), ("open_detailed", lambda: open_grid("?criteres=1")),
                                       ("save_cell", save_cell), ("save_cell_service", save_cell_service)):
                    times, queries = _measure(function, runs)
                    target_ms, target_queries = TARGETS[name]
                    figures[name] = {
                        "median_ms": round(statistics.median(times), 1), "worst_ms": round(max(times), 1),
                        "queries": queries, "target_ms": target_ms,
                        "ok": (target_ms is None or statistics.median(times) <= target_ms) and (
                            target_queries is None or queries <= target_queries),
                    }
                    if target_queries is not None:
                        figures[name]["target_queries"] = target_queries
                if options.get("verbosity", 1) > 1:
                    with CaptureQueriesContext(connection) as queries:
                        save_cell()
                    for query in queries:
                        self.stdout.write(query["sql"][:200])
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
