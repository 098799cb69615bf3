"""``python manage.py bench_bilans``: the bilan form of a learner with 80 competencies, and the class PDF.

Not a test: it prints JSON figures. Everything is built in a transaction rolled back at the end (a throwaway
establishment, a référentiel version of ``--competencies`` competencies, a class of ``--learners`` learners with
``--observations`` observations per learner and competency, a trimester, a validated bilan per learner), so the
database is left as it was. Measured, ``--runs`` times after one warm-up (median and worst):

- ``form``: GET of the bilan page of one learner (the whole request through the middleware, as a teacher of the
  class), with its number of queries;
- ``save``: POST of the draft of that learner (all competencies);
- ``class_pdf``: building the class's bilans as one PDF (what the background task does for a class of more than
  12 learners), and ``bilan_pdf``: one learner's bilan.
"""

import datetime
import json
import os
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from establishments.benchmarks import Rollback, free_uai
from establishments.scoping import scope


def build(competencies: int, learners: int, observations: int):
    from accounts.models import Profile, User
    from establishments.models import Division, Establishment, SchoolYear
    from pedagogy.evaluation_models import Bilan, BilanLine, EvaluationType, Observation
    from periods.models import OfficialPeriod
    from referentiels.establishment_models import Cohort
    from referentiels.models import Competency, Diploma, ReferentielVersion
    from referentiels.services import subscribe

    uai = free_uai()
    establishment = Establishment.objects.create(uai=uai, name="Lycée professionnel du Banc d'essai")
    diploma, _ = Diploma.objects.get_or_create(code=f"bench{uai.lower()}",
                                               defaults={"name": "Métiers de l'électricité", "kind": "BAC_PRO"})
    version = ReferentielVersion.objects.create(diploma=diploma, code="2024", label=f"bench {uai} 2024",
                                                source="Arrêté d'essai")
    comps = Competency.objects.bulk_create([Competency(
        version=version, code=f"C{n}", position=n,
        label=f"Compétence n° {n} : réaliser une installation électrique conforme aux règles de l'art")
        for n in range(1, competencies + 1)])
    with scope(establishment=establishment):
        subscribe(establishment, diploma)
        division = Division.objects.create(establishment=establishment, code="2BENCH1")
        Cohort.objects.create(establishment=establishment, division=division, version=version, class_level="2NDE")
        year = SchoolYear.objects.create(establishment=establishment, start_year=2026,
                                         **SchoolYear.default_values(2026))
        period = OfficialPeriod.objects.create(
            establishment=establishment, school_year=year, diploma=diploma, class_level="2NDE",
            kind=OfficialPeriod.Kind.TERM, label="Trimestre 1", start_date=datetime.date(2026, 9, 1),
            end_date=datetime.date(2026, 11, 30))
        teacher = User.objects.create_user(login=f"bench.{uai.lower()}", password=uai * 3, establishment=establishment,
                                           profile=Profile.TEACHER, first_name="Élise", last_name="Bérenger",
                                           must_change_password=False)
        teacher.divisions_taught.add(division)
        people = User.objects.bulk_create([User(
            login=f"bench.{uai.lower()}.{n}", establishment=establishment, profile=Profile.LEARNER,
            first_name=f"Prénom{n}", last_name=f"Nom{n:03d}", division=division) for n in range(learners)])
        Observation.objects.bulk_create([
            Observation(establishment=establishment, learner=learner, competency=competency,
                        level=1 + (i + k) % 4, type=EvaluationType.FORMATIVE,
                        date=datetime.date(2026, 9, 15) + datetime.timedelta(days=7 * k), observer=teacher)
            for learner in people for i, competency in enumerate(comps) for k in range(observations)],
            batch_size=2000)
        bilans = Bilan.objects.bulk_create([Bilan(
            establishment=establishment, learner=learner, period=period, period_label=period.label,
            period_start=period.start_date, period_end=period.end_date, version=version,
            status=Bilan.Status.VALIDATED, author=teacher, author_name=teacher.full_name,
            appreciation="Trimestre sérieux ; les mesures et essais restent à consolider. " * 3)
            for learner in people[1:]])
        BilanLine.objects.bulk_create([BilanLine(
            establishment=establishment, bilan=bilan, competency=competency, proposed_level=1 + i % 4,
            retained_level=1 + i % 4, observation_count=observations)
            for bilan in bilans for i, competency in enumerate(comps)], batch_size=2000)
    return establishment, teacher, people[0], division, period, comps


def _time(function, runs: int) -> list[float]:
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _figures(times, queries=None) -> dict:
    figures = {"median_ms": round(statistics.median(times), 1), "worst_ms": round(max(times), 1)}
    if queries is not None:
        figures["queries"] = queries
    return figures


class Command(BaseCommand):
    help = "Temps de la page de bilan d'un apprenant (80 compétences) et du PDF des bilans d'une classe."

    def add_arguments(self, parser):
        parser.add_argument("--competencies", type=int, default=80)
        parser.add_argument("--learners", type=int, default=35)
        parser.add_argument("--observations", type=int, default=4, help="par apprenant et par compétence")
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args, competencies: int, learners: int, observations: int, runs: int, **options):
        from pedagogy import bilan_documents

        figures = {"competencies": competencies, "learners": learners,
                   "observations": competencies * learners * observations}
        try:
            with transaction.atomic(), override_settings(SECURE_SSL_REDIRECT=False,
                                                         ALLOWED_HOSTS=["testserver"]):
                establishment, teacher, learner, division, period, comps = build(competencies, learners,
                                                                                observations)
                client = Client()
                client.force_login(teacher)
                url = f"/{establishment.uai}/bilans/apprenant/{learner.pk}/periode/{period.pk}/"

                def get():
                    response = client.get(url)
                    assert response.status_code == 200, (response.status_code, response.get("Location"))

                times = _time(get, runs)
                with CaptureQueriesContext(connection) as queries:
                    get()
                figures["form"] = _figures(times, len(queries))

                revision = [0]

                def post():
                    data = {"revision": revision[0], "action": "enregistrer", "appreciation": "Bien."}
                    data.update({f"niveau_{c.pk}": 3 for c in comps})
                    response = client.post(url, data)
                    assert response.status_code == 302, response.status_code
                    revision[0] += 1

                times = _time(post, runs)
                with CaptureQueriesContext(connection) as queries:
                    post()
                figures["save"] = _figures(times, len(queries))

                with scope(establishment=establishment):
                    params = {"division_id": division.pk, "period_id": period.pk}
                    times = _time(lambda: bilan_documents.class_bilans_pdf(establishment, teacher, params),
                                  max(1, runs // 5))
                    figures["class_pdf"] = _figures(times)
                    figures["class_pdf"]["bilans"] = learners
                    from pedagogy.evaluation_models import Bilan

                    one = Bilan.objects.filter(period=period).exclude(learner=learner).first()
                    times = _time(lambda: bilan_documents.bilan_pdf(establishment, teacher, {"bilan_id": one.pk}),
                                  runs)
                    figures["bilan_pdf"] = _figures(times)
                raise Rollback
        except Rollback:
            pass
        figures["load_average_1min"] = round(os.getloadavg()[0], 1)  # a busy machine slows every figure
        self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
