"""``python manage.py bench_followup``: server time and queries of the « Suivre les acquis » pages.

Not a test: it prints JSON figures to compare with the targets of issue 12 — the class heat-map of 35 learners ×
80 criteria with 20,000 observations in ≤ 25 queries and ≤ 300 ms; the learner page constant in queries whatever
the number of observations. Everything is built in a transaction rolled back at the end (a throwaway
establishment, a référentiel version of 20 competencies × 4 criteria, one class of ``--learners`` learners and its
teacher, ``--observations`` observations spread over a school year, of the three types), so the database is left as
it was. Each page is requested ``--runs`` times through Django's full stack (middleware, session, templates) after
one warm-up; the median and the worst are shown with the number of queries of one request.
"""

import json
import random
import statistics
import time
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client

from establishments.benchmarks import Rollback, free_uai
from establishments.models import Establishment
from establishments.scoping import scope

TARGETS = {"heatmap_queries": 25, "heatmap_ms": 300}


def build_population(learners: int = 35, competencies: int = 20, criteria_per_competency: int = 4,
                     observations: int = 20000, seed: int = 12):
    """A class on a version of ``competencies`` × ``criteria_per_competency`` criteria with ``observations``
    observations (call it inside a transaction you roll back). Returns (establishment, division, teacher, learners)."""
    from accounts.models import Profile, User
    from establishments.models import Division
    from pedagogy.evaluation_models import EvaluationType, Observation
    from referentiels.establishment_models import Cohort
    from referentiels.models import Block, BlockCompetency, Competency, Criterion, Diploma, ReferentielVersion

    rng = random.Random(seed)  # noqa: S311 (synthetic data)
    uai = free_uai()
    establishment = Establishment.objects.create(uai=uai, name="Lycée professionnel du Banc d'essai")
    diploma, _ = Diploma.objects.get_or_create(code=f"bench{uai.lower()}",
                                               defaults={"name": "Métiers de l'électricité", "kind": "BAC_PRO"})
    version = ReferentielVersion.objects.create(diploma=diploma, code="2024", label=f"bench {uai} 2024",
                                                source="Arrêté d'essai")
    blocks = [Block.objects.create(version=version, code=f"B{n}", kind="bloc", label=f"Bloc {n}", position=n)
              for n in range(1, 4)]
    comps = Competency.objects.bulk_create([
        Competency(version=version, code=f"C{n}", position=n, label=f"Compétence n° {n} : réaliser une installation")
        for n in range(1, competencies + 1)])
    BlockCompetency.objects.bulk_create([BlockCompetency(block=blocks[i % 3], competency=c)
                                         for i, c in enumerate(comps)])
    Criterion.objects.bulk_create([Criterion(competency=c, position=r, label=f"Critère {c.code}.{r}")
                                   for c in comps for r in range(1, criteria_per_competency + 1)])
    criteria = list(Criterion.objects.filter(competency__version=version).values_list("pk", "competency_id"))
    with scope(establishment=establishment):
        division = Division.objects.create(establishment=establishment, code="1MELEC1")
        Cohort.objects.create(establishment=establishment, division=division, version=version, class_level="1RE")
        teacher = User.objects.create_user(login=f"bench.{uai.lower()}", password=None, establishment=establishment,
                                           profile=Profile.TEACHER, first_name="Élise", last_name="Bérenger",
                                           must_change_password=False)
        User.objects.filter(pk=teacher.pk).update(must_change_password=False)
        teacher.must_change_password = False
        teacher.divisions_taught.add(division)
        people = User.objects.bulk_create([
            User(login=f"apprenant{n}.{uai.lower()}", establishment=establishment, profile=Profile.LEARNER,
                 first_name=f"Prénom{n}", last_name=f"Nom{n:02d}", division=division, password="!")  # noqa: S106 (unusable)
            for n in range(learners)])
        start = date.today() - timedelta(days=300)
        types = [EvaluationType.FORMATIVE] * 6 + [EvaluationType.CERTIFICATIVE] * 2 + [EvaluationType.COMPANY] * 2
        rows = []
        for n in range(observations):
            criterion_id, competency_id = rng.choice(criteria)
            rows.append(Observation(
                establishment=establishment, learner=people[n % learners], competency_id=competency_id,
                criterion_id=criterion_id if n % 5 else None, level=rng.randint(0, 4), type=rng.choice(types),
                date=start + timedelta(days=rng.randint(0, 300)), observer=teacher, observer_name="Élise Bérenger",
                source_label="Grille du banc d'essai"))
        Observation.objects.bulk_create(rows, batch_size=2000)
    return establishment, division, teacher, people


def _measure(client: Client, url: str, runs: int) -> dict:
    response = client.get(url, secure=True)  # warm-up
    assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    queries = []  # not CaptureQueriesContext: each request resets connection.queries when it starts

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url, secure=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
    return {"queries": len(queries), "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1)}


class Command(BaseCommand):
    help = ("Temps serveur et requêtes des pages « Suivre les acquis » (cible : carte de chaleur 35 × 80 critères, "
            "20 000 observations, ≤ 25 requêtes et ≤ 300 ms).")

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=35)
        parser.add_argument("--observations", type=int, default=20000)
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args, learners: int, observations: int, runs: int, **options):
        from pedagogy import followup

        figures = {"database": connection.vendor, "learners": learners, "criteria": 80,
                   "observations": observations}
        try:
            with transaction.atomic():
                started = time.perf_counter()
                establishment, division, teacher, people = build_population(learners=learners,
                                                                            observations=observations)
                figures["build_s"] = round(time.perf_counter() - started, 1)
                client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["127.0.0.1"])[0])
                client.force_login(teacher, backend="accounts.backends.EstablishmentLoginBackend")
                base = f"/{establishment.uai}/suivi/"
                figures["heatmap_by_criterion"] = _measure(client, f"{base}classe/{division.pk}/?detail=criteres",
                                                           runs)
                figures["heatmap_by_competency"] = _measure(client, f"{base}classe/{division.pk}/", runs)
                with scope(establishment=establishment):
                    started = time.perf_counter()
                    for _ in range(runs):
                        followup.class_heatmap(division, teacher, by_criterion=True)
                    figures["heatmap_selector_ms"] = round((time.perf_counter() - started) * 1000 / runs, 1)
                    # The learner page at two sizes: one learner's ≈ 570 observations, then only 10 of them.
                    busy = people[0]
                    from pedagogy.evaluation_models import Observation

                    figures["learner_observations"] = Observation.objects.filter(learner=busy).count()
                figures["learner_page"] = _measure(client, f"{base}apprenant/{busy.pk}/", runs)
                with scope(establishment=establishment):
                    keep = list(Observation.objects.filter(learner=busy).values_list("pk", flat=True)[:10])
                    Observation.objects.filter(learner=busy).exclude(pk__in=keep).delete()
                figures["learner_page_10_observations"] = _measure(client, f"{base}apprenant/{busy.pk}/", runs)
                raise Rollback
        except Rollback:
            pass
        heat = figures["heatmap_by_criterion"]
        figures["targets"] = {
            "heatmap_queries_le_25": heat["queries"] <= TARGETS["heatmap_queries"],
            "heatmap_median_le_300_ms": heat["median_ms"] <= TARGETS["heatmap_ms"],
            "learner_page_constant_queries":
                figures["learner_page"]["queries"] == figures["learner_page_10_observations"]["queries"],
        }
        self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
