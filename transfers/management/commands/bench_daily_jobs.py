"""``manage.py bench_daily_jobs``: builds a large population on the configured database, then times the daily jobs.

Not a test: it prints wall time, database queries and peak memory of each pass. Run it on a scratch database
(it refuses a database that already holds establishments), with the test app for learner data to move::

    createdb -h 127.0.0.1 -U postgres cpro_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpro_bench SECRET_KEY=x CPRO_TEST_APPS=1
    python manage.py migrate && python manage.py bench_daily_jobs --establishments 1000 --learners 1000 \\
        --candidates 10000 --purge 10000

The population, read as a national deployment on one day:
- ``--establishments`` establishments, all with the transfer switched on. Only ``--busy`` of them (default 100)
  have learners: the others have none, and the jobs' cost must not depend on them.
- ``--learners`` active learners (with an INE) in each busy establishment: the background the matching runs on.
- ``--candidates`` learners who changed establishment: each is a deactivated learner in one busy establishment
  and a learner created by an import in the next one, with the same INE. 85 % can be transferred, 10 % changed
  diploma, 5 % left more than 6 months ago.
- ``--purge`` users deactivated 13 months ago, to be deleted.
With the test app (``CPRO_TEST_APPS=1``) each leaver and each purged user owns 6 rows of learner data (3
achievements, 1 comment, 2 assessments) that the jobs move or delete; without it there is nothing registered yet
and only the matching and the records are measured.
"""

import datetime
import gc
import random
import re
import resource
import time
import tracemalloc
from contextlib import contextmanager

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.learner_data import entries
from accounts.models import Profile, User
from establishments.models import Establishment
from establishments.scoping import scopes_disabled
from transfers.jobs import run_daily_job
from transfers.models import DailyJob, DailyJobRun

BATCH = 5000
MEF_MELEC, MEF_MELEC_NEXT, MEF_CIEL = "24725509310", "24725509320", "24732006320"


class Counter:
    """Counts the statements and sums the time spent in each kind (verb and table)."""

    def __init__(self):
        self.count = 0
        self.time_by_kind: dict[str, float] = {}

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            table = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
            kind = f"{sql.split(None, 1)[0] if sql.strip() else ''} {table.group(1) if table else ''}".strip()
            self.time_by_kind[kind] = self.time_by_kind.get(kind, 0.0) + time.perf_counter() - start


@contextmanager
def measured(label: str, out, use_tracemalloc: bool):
    counter = Counter()
    gc.collect()
    if use_tracemalloc:
        tracemalloc.start()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        yield
    elapsed = time.perf_counter() - start
    memory = ""
    if use_tracemalloc:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        memory = f", pic Python (tracemalloc) {peak / 2**20:.1f} Mio"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write(f"{label} : {elapsed:.2f} s, {counter.count} requêtes, pic RSS du processus {rss:.0f} Mio{memory}")
    slowest = sorted(counter.time_by_kind.items(), key=lambda item: -item[1])[:6]
    out.write("  dont en base : " + ", ".join(f"{kind} {seconds:.2f} s" for kind, seconds in slowest))


class Command(BaseCommand):
    help = "Mesure les tâches quotidiennes (transferts, purge) sur une population construite pour l'occasion."

    def add_arguments(self, parser):
        parser.add_argument("--establishments", type=int, default=1000)
        parser.add_argument("--busy", type=int, default=100, help="établissements qui ont des apprenants")
        parser.add_argument("--learners", type=int, default=1000, help="apprenants actifs par établissement occupé")
        parser.add_argument("--candidates", type=int, default=10000, help="apprenants ayant changé d'établissement")
        parser.add_argument("--purge", type=int, default=10000, help="utilisateurs désactivés depuis 13 mois")
        parser.add_argument("--tracemalloc", action="store_true", help="mesure aussi le pic d'allocation Python")
        parser.add_argument("--seed", type=int, default=5)
        parser.add_argument("--build-only", action="store_true", help="construit la population sans rien mesurer")
        parser.add_argument("--existing", action="store_true",
                            help="mesure sur une population déjà construite (copie d'une base faite avec --build-only)")
        parser.add_argument("--purge-only", action="store_true", help="ne mesure que la purge RGPD")

    def handle(self, *args, **options):
        if options["existing"]:
            self.stdout.write(f"Base : {connection.vendor} {connection.settings_dict['NAME']} (population existante)")
            self.measure(options)
            return
        if Establishment.objects.exists():
            raise CommandError("La base contient déjà des établissements : utilisez une base jetable (createdb).")
        busy = min(options["busy"], options["establishments"])
        if busy < 2:
            raise CommandError("Il faut au moins deux établissements occupés.")
        self.random = random.Random(options["seed"])  # noqa: S311 - reproducible test data
        self.now = timezone.now()
        self.stdout.write(f"Base : {connection.vendor} {connection.settings_dict['NAME']}")
        self.stdout.write(f"Données d'apprenants déclarées : {[e.label for e in entries()] or 'aucune'}")

        start = time.perf_counter()
        with scopes_disabled():
            self.build(options["establishments"], busy, options["learners"], options["candidates"],
                       options["purge"])
        self.stdout.write(f"Population construite en {time.perf_counter() - start:.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        if options["build_only"]:
            return
        self.measure(options)

    def measure(self, options) -> None:
        DailyJobRun.objects.all().delete()
        if not options["purge_only"]:
            with measured("Transferts", self.stdout, options["tracemalloc"]):
                transfers = run_daily_job(DailyJob.TRANSFERS)
            self.stdout.write(f"  {transfers.summary}")
        with measured("Purge RGPD", self.stdout, options["tracemalloc"]):
            purge = run_daily_job(DailyJob.PURGE)
        summary = {k: v for k, v in purge.summary.items() if k != "by_establishment"}
        self.stdout.write(f"  {summary}")

    # Population -----------------------------------------------------------------------------------------

    def build(self, total: int, busy: int, learners: int, candidates: int, purge: int) -> None:
        with transaction.atomic():
            schools = Establishment.objects.bulk_create(
                [Establishment(uai=f"{n:07d}B", name=f"Lycée banc d'essai {n}", transfer_enabled=True)
                 for n in range(total)], batch_size=BATCH)
        busy_schools = schools[:busy]
        day = datetime.timedelta(days=1)
        serial = iter(range(10**9))

        def learner(school, *, active=True, left_days=None, joined_days=400, mef=MEF_MELEC, ine=None, profile=None):
            n = next(serial)
            user = User(establishment=school, login=f"apprenant.{n}", last_name=f"Nom{n}", first_name="Prénom",
                        profile=profile or Profile.LEARNER, ine=ine or f"{n:010d}X", mef_code=mef,
                        password="!bench", must_change_password=False,  # noqa: S106 - unusable marker
                        imported_at=self.now - joined_days * day, date_joined=self.now - joined_days * day)
            if not active:
                user.deactivate(when=self.now - left_days * day, by_import=True)
            return user

        users = [learner(school) for school in busy_schools for _ in range(learners)]
        owners = []
        for n in range(candidates):
            origin_school, destination_school = busy_schools[n % busy], busy_schools[(n + 1) % busy]
            kind = self.random.random()
            left = 200 if kind >= 0.95 else self.random.randint(1, 150)
            mef = MEF_CIEL if 0.85 <= kind < 0.95 else MEF_MELEC_NEXT
            ine = f"{n:010d}C"
            origin = learner(origin_school, active=False, left_days=left, ine=ine)
            users += [origin, learner(destination_school, joined_days=self.random.randint(1, 150), mef=mef, ine=ine)]
            owners.append(origin)
        for n in range(purge):
            user = learner(busy_schools[n % busy], active=False, left_days=400,
                           profile=Profile.TEACHER if n % 10 == 0 else Profile.LEARNER)
            users.append(user)
            owners.append(user)
        for start in range(0, len(users), BATCH):
            with transaction.atomic():
                User.objects.bulk_create(users[start:start + BATCH])
        self.stdout.write(f"{len(schools)} établissements, {len(users)} utilisateurs")
        if apps.is_installed("tests.testapp"):
            self.give_data(owners)

    def give_data(self, owners: list[User]) -> None:
        from tests.testapp.models import Achievement, AchievementComment, Assessment

        for start in range(0, len(owners), BATCH):
            chunk = owners[start:start + BATCH]
            with transaction.atomic():
                achievements = Achievement.objects.bulk_create([
                    Achievement(establishment_id=u.establishment_id, learner=u, title=f"Réalisation {i}")
                    for u in chunk for i in range(3)])
                AchievementComment.objects.bulk_create([
                    AchievementComment(establishment_id=a.establishment_id, achievement=a, text="Bien")
                    for a in achievements[::3]])
                Assessment.objects.bulk_create([
                    Assessment(establishment_id=u.establishment_id, learner=u, level=i) for u in chunk for i in (2, 3)])
        self.stdout.write(f"{len(owners) * 6} lignes de données d'apprenants")
