"""``python manage.py bench_company``: the portfolio list of a PFMP with 150 learners — queries and time.

Not a test: it prints JSON figures (issue 13: the portfolio list of a period of 150 learners in a constant number
of queries). Everything is built in a transaction rolled back at the end (a throwaway establishment, a référentiel
version, a PFMP, learners each with a company, two fiches and a bilan entreprise), so the database is left as it
was. The page is requested through the whole site (middleware, login, templates) as the DDFPT, for 10 and for
``--learners`` learners: the number of queries must be the same; the median and the worst of ``--runs`` requests
are shown.
"""

import datetime
import json
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from establishments.benchmarks import Rollback, free_uai
from establishments.routing import tenant_url
from establishments.scoping import scope


def build(learners: int):
    from accounts.models import Profile, User
    from establishments.models import Division, Establishment, SchoolYear
    from pedagogy.models import CompanyBilan
    from periods.models import ActivityFiche, Placement, WorkPeriod
    from referentiels.models import Activity, Block, Competency, Diploma, ReferentielVersion, Task

    uai = free_uai()
    establishment = Establishment.objects.create(uai=uai, name="Lycée professionnel du Banc d'essai",
                                                 email="bench@example.org")
    diploma, _ = Diploma.objects.get_or_create(code=f"bench{uai.lower()}", defaults={"name": "MELEC",
                                                                                     "kind": "BAC_PRO"})
    version = ReferentielVersion.objects.create(diploma=diploma, code="2024", label=f"bench {uai} 2024",
                                                source="Arrêté d'essai")
    block = Block.objects.create(version=version, code="B1", kind="bloc", label="Bloc", position=1)
    activity = Activity.objects.create(version=version, block=block, code="A1", label="Activité", position=1)
    task = Task.objects.create(version=version, activity=activity, code="T1.1", label="Tâche", position=1)
    Competency.objects.create(version=version, code="C1", label="Compétence", position=1)
    with scope(establishment=establishment):
        year = SchoolYear.objects.create(establishment=establishment, start_year=2026, label="2026-2027",
                                         start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2027, 8, 31))
        ddfpt = User.objects.create_user(login="bench.ddfpt", password=None, establishment=establishment,
                                         profile=Profile.DDFPT, first_name="Nadia", last_name="Petit")
        User.objects.filter(pk=ddfpt.pk).update(must_change_password=False)
        periods = []
        for size in (10, learners):
            period = WorkPeriod.objects.create(establishment=establishment, school_year=year, version=version,
                                               class_level="2NDE", title=f"PFMP de {size}",
                                               start_date=datetime.date(2027, 1, 4),
                                               end_date=datetime.date(2027, 1, 29))
            divisions = [Division.objects.create(establishment=establishment, code=f"2B{size}{n}") for n in range(5)]
            people = User.objects.bulk_create([
                User(establishment=establishment, login=f"bench.{size}.{n}", profile=Profile.LEARNER,
                     first_name="Apprenant", last_name=f"N{n:03d}", division=divisions[n % 5]) for n in range(size)])
            placements = Placement.objects.bulk_create([
                Placement(establishment=establishment, period=period, learner=person, period_title=period.title,
                          company_name=f"Entreprise {person.last_name}", tutor_name="Tuteur", referent=ddfpt)
                for person in people])
            fiches = ActivityFiche.objects.bulk_create([
                ActivityFiche(establishment=establishment, placement=placement, title=f"Fiche {k}",
                              description="…") for placement in placements for k in range(2)])
            for fiche in fiches:
                fiche.tasks.add(task)
            CompanyBilan.objects.bulk_create([CompanyBilan(establishment=establishment, placement=placement)
                                              for placement in placements])
            periods.append(period)
    return establishment, ddfpt, periods


class Command(BaseCommand):
    help = "Liste des portfolios d'une PFMP de 150 apprenants : nombre de requêtes (constant) et temps."

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=150)
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args, learners: int, runs: int, **options):
        figures = {}
        try:
            with transaction.atomic(), override_settings(SECURE_SSL_REDIRECT=False, ALLOWED_HOSTS=["*"]):
                establishment, ddfpt, periods = build(learners)
                sizes = [10, learners]
                client = Client()
                client.force_login(ddfpt)
                for size, period in zip(sizes, periods, strict=True):
                    url = tenant_url(establishment, "portfolio_period", period_pk=period.pk)
                    first = client.get(url)
                    if first.status_code != 200:
                        raise RuntimeError(f"{url} : {first.status_code} {first.get('Location', '')}")
                    connection.queries_log.clear()  # a full log (maxlen) would count nothing
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(url)
                    times = []
                    for _ in range(runs):
                        started = time.perf_counter()
                        client.get(url)
                        times.append((time.perf_counter() - started) * 1000)
                    figures[f"{size} apprenants"] = {
                        "queries": len(queries), "median_ms": round(statistics.median(times), 1),
                        "worst_ms": round(max(times), 1), "status": response.status_code}
                counts = {f["queries"] for f in figures.values()}
                figures["constant_queries"] = len(counts) == 1
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
