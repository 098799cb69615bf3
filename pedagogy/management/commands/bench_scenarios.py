"""``python manage.py bench_scenarios``: time of the ODT and DOCX export of a scenario linking 40 criteria.

Not a test: it prints JSON figures to compare with the target (issue 11: ODT and DOCX each ≤ 200 ms). Everything
is built in a transaction rolled back at the end (a throwaway establishment with a logo, a référentiel version of
20 competencies × 2 criteria and 8 tasks, a scenario linking all of them, long texts, 5 resources), so the database
is left as it was. Each format is exported ``--runs`` times after one warm-up; the median and the worst are shown,
with the number of queries of one export.
"""

import io
import json
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from establishments.benchmarks import Rollback, free_uai
from establishments.models import Establishment
from establishments.scoping import scope

TARGET_MS = 200


def _logo() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (600, 300), (0, 0, 145)).save(out, "PNG")
    return out.getvalue()


def build_bench_scenario(criteria: int = 40):
    """A scenario linking ``criteria`` criteria (two per competency), in a new establishment (call it inside a
    transaction you roll back)."""
    from django.core.files.base import ContentFile

    from accounts.models import Profile, User
    from pedagogy.models import Scenario, ScenarioResource
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

    uai = free_uai(9980000)
    establishment = Establishment.objects.create(uai=uai, name="Lycée professionnel du Banc d'essai")
    establishment.logo.save("logo.png", ContentFile(_logo()), save=True)
    diploma, _ = Diploma.objects.get_or_create(code=f"bench{uai.lower()}",
                                               defaults={"name": "Métiers de l'électricité", "kind": "BAC_PRO"})
    version = ReferentielVersion.objects.create(diploma=diploma, code="2024", label=f"bench {uai} 2024",
                                                source="Arrêté d'essai")
    block = Block.objects.create(version=version, code="B1", kind="bloc", label="Bloc", position=1)
    activity = Activity.objects.create(version=version, block=block, code="A1", label="Activité", position=1)
    competencies = [Competency.objects.create(
        version=version, code=f"C{n}", position=n,
        label=f"Compétence n° {n} : réaliser une installation électrique conforme aux règles de l'art") for n in
        range(1, criteria // 2 + 1)]
    for competency in competencies:
        for rank in (1, 2):
            Criterion.objects.create(competency=competency, position=rank, label=(
                f"Critère {competency.code}.{rank} : les règles de sécurité sont respectées, le matériel est mis "
                "en œuvre selon les prescriptions du fabricant et la zone de travail est balisée."))
    tasks = [Task.objects.create(version=version, activity=activity, code=f"T{n}.1", position=n,
                                 label=f"Tâche n° {n} : préparer, réaliser et contrôler l'opération") for n in
             range(1, 9)]
    for index, competency in enumerate(competencies):
        TaskCompetency.objects.create(task=tasks[index % len(tasks)], competency=competency)
        TaskCompetency.objects.create(task=tasks[(index + 1) % len(tasks)], competency=competency)
    with scope(establishment=establishment):
        author = User.objects.create_user(login=f"bench.{uai.lower()}", password=None, establishment=establishment,
                                          profile=Profile.TEACHER, first_name="Élise", last_name="Bérenger")
        long_text = ("La situation professionnelle décrit un chantier de rénovation : le client souhaite « une "
                     "installation conforme » ; l'équipe intervient en site occupé.\n") * 30
        scenario = Scenario.objects.create(establishment=establishment, version=version, class_level="1RE",
                                           title="Rénovation de l'installation électrique d'un logement",
                                           situation=long_text, equipment=long_text[:2000],
                                           training_spaces="Plateau technique, salle de cours")
        scenario.authors.set([author])
        scenario.tasks.set(tasks)
        scenario.competencies.set(competencies)
        scenario.criteria.set(Criterion.objects.filter(competency__version=version))
        for n in range(5):
            ScenarioResource.objects.create(establishment=establishment, scenario=scenario, kind="link",
                                            title=f"Ressource {n}", url=f"https://eduscol.education.fr/{n}",
                                            position=n)
    return establishment, scenario


def _time(function, runs: int) -> list[float]:
    function()  # warm-up (imports, templates of python-docx)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


class Command(BaseCommand):
    help = "Temps d'export ODT et DOCX d'un scénario liant 40 critères (cible : 200 ms chacun)."

    def add_arguments(self, parser):
        parser.add_argument("--criteria", type=int, default=40)
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args, criteria: int, runs: int, **options):
        from pedagogy import exports

        figures = {}
        try:
            with transaction.atomic():
                establishment, scenario = build_bench_scenario(criteria)
                with scope(establishment=establishment):
                    for extension in exports.FORMATS:
                        times = _time(lambda ext=extension: exports.export(scenario, ext), runs)
                        with CaptureQueriesContext(connection) as queries:
                            size = len(exports.export(scenario, extension).content)
                        figures[extension] = {
                            "median_ms": round(statistics.median(times), 1), "worst_ms": round(max(times), 1),
                            "queries": len(queries), "bytes": size,
                            "target_ms": TARGET_MS, "ok": statistics.median(times) <= TARGET_MS,
                        }
                    figures["criteria"] = scenario.criteria.count()
                # Files written while building (the logo) go with the rollback.
                if establishment.logo:
                    establishment.logo.delete(save=False)
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
