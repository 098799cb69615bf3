"""``python manage.py bench_console``: server time and queries of the pilot console of a large establishment.

Not a test: it prints JSON figures to compare with the target (issue 14: ≤ 30 queries and ≤ 500 ms). Everything is
built in a transaction rolled back at the end: a throwaway establishment subscribed to one diploma (a version of
20 competencies × 3 criteria and 10 tasks), 40 classes of 30 learners (1,200), three trimesters, an LSL period and
a certification deadline, 10 scenarios, validated bilans for half the learners in the first trimester and 100,000
observations (bulk-created). The console view (progress, bilans indicator, coverage, template) is called
``--runs`` times after one warm-up, as the DDFPT; the median and the worst are shown with the number of queries.
Run it on PostgreSQL (``DATABASE_URL``) for figures that mean something.
"""

import datetime
import json
import random
import statistics
import time

from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from establishments.benchmarks import Rollback, free_uai
from establishments.models import Establishment
from establishments.scoping import scope

TARGET_MS = 500
TARGET_QUERIES = 30


def build(classes: int, learners_per_class: int, observations: int):
    from accounts.models import Profile, User
    from establishments.models import Division
    from pedagogy.models import Bilan, Observation, Scenario
    from periods.models import OfficialPeriod
    from periods.official_periods import current_school_year
    from referentiels.establishment_models import Cohort, Subscription
    from referentiels.models import (
        Activity,
        Block,
        Competency,
        Criterion,
        Diploma,
        ReferentielVersion,
        Task,
        TaskCompetency,
    )

    rng = random.Random(14)  # noqa: S311 - test data, not a secret
    uai = free_uai()
    establishment = Establishment.objects.create(uai=uai, name="Lycée professionnel du Banc d'essai",
                                                 email="ce.bench@ac-paris.fr")
    diploma = Diploma.objects.create(code=f"bench{uai.lower()}", name="Métiers de l'électricité", kind="BAC_PRO")
    version = ReferentielVersion.objects.create(diploma=diploma, code="2024", label=f"bench {uai} 2024",
                                                source="Arrêté d'essai")
    block = Block.objects.create(version=version, code="B1", kind="bloc", label="Bloc", position=1)
    activity = Activity.objects.create(version=version, block=block, code="A1", label="Activité", position=1)
    competencies = Competency.objects.bulk_create([
        Competency(version=version, code=f"C{n}", position=n, label=f"Compétence n° {n}") for n in range(1, 21)])
    Criterion.objects.bulk_create([Criterion(competency=c, position=r, label=f"Critère {c.code}.{r}")
                                   for c in competencies for r in (1, 2, 3)])
    tasks = Task.objects.bulk_create([Task(version=version, activity=activity, code=f"T{n}", position=n,
                                           label=f"Tâche n° {n}") for n in range(1, 11)])
    TaskCompetency.objects.bulk_create([TaskCompetency(task=tasks[i % 10], competency=c)
                                        for i, c in enumerate(competencies)])
    levels = ["2NDE", "1RE", "TLE"]
    with scope(establishment=establishment):
        Subscription.objects.create(establishment=establishment, diploma=diploma)
        ddfpt = User.objects.create_user(login="ddfpt.bench", password=None, establishment=establishment,
                                         profile=Profile.DDFPT, last_name="Pilote", must_change_password=False)
        divisions = Division.objects.bulk_create([Division(establishment=establishment, code=f"C{n:02d}")
                                                  for n in range(classes)])
        Cohort.objects.bulk_create([Cohort(establishment=establishment, division=d, version=version,
                                           class_level=levels[i % 3]) for i, d in enumerate(divisions)])
        learners = User.objects.bulk_create([
            User(establishment=establishment, login=f"eleve.{d.code}.{n}", profile=Profile.LEARNER,
                 last_name=f"Élève {n}", first_name=d.code, division=d, password="!")  # noqa: S106
            for d in divisions for n in range(learners_per_class)], batch_size=2000)
        year = current_school_year(establishment)
        y = year.start_year
        periods = []
        for level in levels:
            for label, start, end in [("Trimestre 1", datetime.date(y, 9, 1), datetime.date(y, 11, 30)),
                                      ("Trimestre 2", datetime.date(y, 12, 1), datetime.date(y + 1, 3, 15)),
                                      ("Trimestre 3", datetime.date(y + 1, 3, 16), datetime.date(y + 1, 7, 4))]:
                periods.append(OfficialPeriod(establishment=establishment, school_year=year, diploma=diploma,
                                              class_level=level, kind="trimestre", label=label, start_date=start,
                                              end_date=end))
            periods.append(OfficialPeriod(establishment=establishment, school_year=year, diploma=diploma,
                                          class_level=level, kind="lsl", label="LSL",
                                          start_date=datetime.date(y + 1, 5, 18), end_date=datetime.date(y + 1, 6, 12)))
            periods.append(OfficialPeriod(establishment=establishment, school_year=year, diploma=diploma,
                                          class_level=level, kind="certification", label="Date limite",
                                          start_date=datetime.date(y + 1, 6, 5), end_date=datetime.date(y + 1, 6, 5)))
        periods = OfficialPeriod.objects.bulk_create(periods)
        first_trimester = {p.class_level: p for p in periods if p.label == "Trimestre 1"}
        level_of = {d.pk: levels[i % 3] for i, d in enumerate(divisions)}
        Bilan.objects.bulk_create([
            Bilan(establishment=establishment, learner=learner, period=first_trimester[level_of[learner.division_id]],
                  period_label="Trimestre 1", period_start=datetime.date(y, 9, 1), period_end=datetime.date(y, 11, 30),
                  version=version, status=Bilan.Status.VALIDATED, validated_at=timezone.now())
            for learner in learners[::2]], batch_size=2000)
        for n in range(10):
            scenario = Scenario.objects.create(establishment=establishment, version=version,
                                               class_level=levels[n % 3], title=f"Scénario {n}")
            scenario.competencies.set(competencies[n:n + 4])
            scenario.tasks.set(tasks[n:n + 2])
        day = datetime.date(y, 10, 1)
        batch = []
        for n in range(observations):
            batch.append(Observation(establishment=establishment, learner=learners[n % len(learners)],
                                     competency=competencies[rng.randrange(14)], level=rng.randrange(5),
                                     type="formative", date=day + datetime.timedelta(days=n % 60)))
            if len(batch) == 10000:
                Observation.objects.bulk_create(batch)
                batch = []
        Observation.objects.bulk_create(batch)
    return establishment, ddfpt


class Command(BaseCommand):
    help = "Temps serveur et requêtes de la console de pilotage (40 classes, 1 200 apprenants, 100 000 observations)."

    def add_arguments(self, parser):
        parser.add_argument("--classes", type=int, default=40)
        parser.add_argument("--learners-per-class", type=int, default=30)
        parser.add_argument("--observations", type=int, default=100_000)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, classes, learners_per_class, observations, runs, **options):
        from console.views import console_view

        figures = {}
        try:
            with transaction.atomic():
                started = time.perf_counter()
                establishment, ddfpt = build(classes, learners_per_class, observations)
                figures["build_s"] = round(time.perf_counter() - started, 1)
                if connection.vendor == "postgresql":
                    # The rows were just written in this transaction: give the planner the statistics autovacuum
                    # keeps on a live database, or it plans for empty tables.
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE")

                def call():
                    request = RequestFactory().get(f"/{establishment.uai}/console/")
                    request.user, request.establishment = ddfpt, establishment
                    request.session = SessionStore()
                    request._messages = FallbackStorage(request)
                    request.csp_nonce = "bench"
                    with scope(establishment=establishment):
                        response = console_view(request)
                    assert response.status_code == 200, response.status_code
                    return response

                call()  # warm-up
                times = []
                for _ in range(runs):
                    started = time.perf_counter()
                    call()
                    times.append((time.perf_counter() - started) * 1000)
                with CaptureQueriesContext(connection) as queries:
                    size = len(call().content)
                slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
                figures["slowest_queries_ms"] = [
                    {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:90]} for q in slowest]
                sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
                figures["sql_ms_of_last_call"] = round(sql_ms, 1)
                figures.update({
                    "database": connection.vendor, "classes": classes, "learners": classes * learners_per_class,
                    "observations": observations, "median_ms": round(statistics.median(times), 1),
                    "worst_ms": round(max(times), 1), "queries": len(queries), "bytes": size,
                    "target_ms": TARGET_MS, "target_queries": TARGET_QUERIES,
                    "ok": statistics.median(times) <= TARGET_MS and len(queries) <= TARGET_QUERIES,
                })
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
