"""``python manage.py bench_periods``: time and queries of declaring a PFMP for a level of 150 learners in one
request (issue 13: ≤ 1 s, a constant number of queries).

Not a test: it prints JSON figures. Everything is built in a transaction rolled back at the end (a throwaway
establishment, a référentiel version of 20 tasks, five classes of seconde of 30 learners, an annex), so the
database is left as it was. The declaration goes through the real page (the test client, logged in as the DDFPT):
``--runs`` declarations of the whole level on successive weeks; the median and the worst are shown, with the
number of queries for 150 learners and for 30 (they must be equal).
"""

import datetime
import json
import statistics
import time
import uuid

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from establishments.benchmarks import Rollback, free_uai
from establishments.models import Establishment
from establishments.scoping import scope

TARGET_MS = 1000
PASSWORD = "Banc-d-essai-PFMP-2026"  # noqa: S105  (a throwaway account, rolled back)


def build(classes: int = 5, per_class: int = 30):
    from accounts.models import Profile, User
    from establishments.models import Division, SchoolYear
    from periods.models import PedagogicalAnnex
    from referentiels.establishment_models import Cohort
    from referentiels.models import Activity, Block, Diploma, ReferentielVersion, Task
    from referentiels.services import subscribe

    uai = free_uai()
    establishment = Establishment.objects.create(uai=uai, name="Lycée professionnel du Banc d'essai")
    diploma, _ = Diploma.objects.get_or_create(code=f"bench{uai.lower()}",
                                               defaults={"name": "Métiers de l'électricité", "kind": "BAC_PRO"})
    version = ReferentielVersion.objects.create(diploma=diploma, code="2024", label=f"bench {uai} 2024",
                                                source="Arrêté d'essai")
    block = Block.objects.create(version=version, code="B1", kind="bloc", label="Bloc", position=1)
    activities = [Activity.objects.create(version=version, block=block, code=f"A{n}", label=f"Activité {n}",
                                          position=n) for n in range(1, 6)]
    tasks = [Task.objects.create(version=version, activity=activities[n % 5], code=f"T{n % 5 + 1}.{n // 5 + 1}",
                                 position=n, label=f"Tâche n° {n} : préparer, réaliser et contrôler l'opération")
             for n in range(20)]
    with scope(establishment=establishment):
        subscribe(establishment, diploma)
        year = SchoolYear.objects.create(establishment=establishment, start_year=2026,
                                         **SchoolYear.default_values(2026))
        ddfpt = User.objects.create_user(login=f"ddfpt.{uai.lower()}", password=PASSWORD, establishment=establishment,
                                         profile=Profile.DDFPT, first_name="Nadia", last_name="Benali",
                                         must_change_password=False)
        groups = []
        for c in range(classes):
            division = Division.objects.create(establishment=establishment, code=f"2BENCH{c + 1}")
            Cohort.objects.create(establishment=establishment, division=division, version=version, class_level="2NDE")
            User.objects.bulk_create([User(
                establishment=establishment, profile=Profile.LEARNER, division=division,
                login=f"a{c}.{n}.{uai.lower()}", first_name=f"Prénom{n}", last_name=f"Nom{c}{n:03d}",
                password="!", must_change_password=False)  # noqa: S106 (unusable)
                for n in range(per_class)])
            groups.append(list(User.objects.filter(division=division).values_list("pk", flat=True)))
        annex = PedagogicalAnnex.objects.create(establishment=establishment, version=version, class_level="2NDE",
                                                title="PFMP 1 — Découverte de l'entreprise",
                                                objectives="Découvrir l'entreprise et ses règles de sécurité.")
        annex.tasks.set(tasks[:8])
    return establishment, year, ddfpt, annex, groups, [t.pk for t in tasks[:10]]


class Command(BaseCommand):
    help = "Temps et requêtes de la déclaration d'une PFMP pour un niveau de 150 apprenants (cible : 1 s)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, runs: int = 5, **options):
        figures = {}
        try:
            with transaction.atomic():
                establishment, year, ddfpt, annex, groups, task_ids = build()
                client = Client()
                assert client.post(f"/{establishment.uai}/connexion/", {
                    "username": ddfpt.login, "password": PASSWORD}).status_code == 302
                url = f"/{establishment.uai}/pfmp/annexe/{annex.pk}/declarer/"
                everyone = [pk for group in groups for pk in group]
                client.get(url)  # warm-up (templates)

                def declare(learners, week: int):
                    start = datetime.date(2026, 9, 7) + datetime.timedelta(weeks=week)
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        response = client.post(url, {
                            "school_year": year.pk, "title": f"PFMP semaine {week}", "start_date": start.isoformat(),
                            "end_date": (start + datetime.timedelta(days=4)).isoformat(),
                            "objectives": "Découvrir", "learners": learners, "tasks": task_ids,
                            "token": uuid.uuid4().hex, "then": "quitter"})
                        elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 302:
                        raise RuntimeError(f"déclaration refusée : {response.status_code}")
                    return elapsed, len(queries)

                times, queries_150 = [], None
                for run in range(runs):
                    elapsed, queries_150 = declare(everyone, run)
                    times.append(elapsed)
                _elapsed, queries_30 = declare(groups[0], runs + 1)
                page_started = time.perf_counter()
                with CaptureQueriesContext(connection) as page_queries:
                    client.get(url)
                page_ms = (time.perf_counter() - page_started) * 1000
                figures = {
                    "declare_150_learners_ms_median": round(statistics.median(times), 1),
                    "declare_150_learners_ms_worst": round(max(times), 1),
                    "target_ms": TARGET_MS,
                    "queries_150_learners": queries_150, "queries_30_learners": queries_30,
                    "queries_constant": queries_150 == queries_30,
                    "declare_form_150_learners_ms": round(page_ms, 1),
                    "declare_form_queries": len(page_queries),
                    "runs": runs, "database": connection.vendor,
                }
                raise Rollback
        except Rollback:
            pass
        figures["within_target"] = figures["declare_150_learners_ms_worst"] <= TARGET_MS
        self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
