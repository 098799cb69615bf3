"""``python manage.py bench_import --learners 3000``: time and memory of the import on synthetic exports.

Not a test: it prints JSON figures to compare with the targets (README, « Importations »). Three passes into a
fresh establishment, each in a fresh interpreter: first import, unchanged re-import, re-import with 5 % leavers
and 5 % arrivals; and, for the ratio, a bare lxml parse of the same files.

Each pass times ``services.import_files`` (the ``import_files`` command): read the files, load the base, build the
plan, write it, in one transaction. The web path does the same work in two tasks: ``run_analyse`` (read + plan)
then ``run_apply``, which reads and plans again under the lock to check the base has not changed, then writes;
its total is about one extra read + plan (the pass time minus the writes). ``queries`` counts the statements
sent through Django's cursor; the COPY of new rows goes to the driver directly and is not counted.

The bare parse (``bare_lxml_parse_seconds``, the ratios' denominator) is a plain ``iterparse(tag=records)`` over
the same plain files that reads every record's attributes and children's text and frees the record: no checks,
no records built. ``etree_parse_whole_files_seconds`` (``etree.parse`` of whole files, no field read; the
denominator before) is shown for reference.

``report`` times, once the passes are done, what the administrator opens next: the report page of the first
import (best of three GETs through the whole Django stack, with its query count) and the download of its CSV
(streamed, read to the end). Targets for 3,000 learners: page ≤ 300 ms, CSV ≤ 2 s.
"""

import json
import multiprocessing
import os
import secrets
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection
from lxml import etree

from establishments.benchmarks import free_uai
from establishments.models import Establishment
from establishments.scoping import scope

# The record elements of each file: what the import reads, field by field.
_RECORDS = {
    "STS_EDT": ("MATIERE", "MEF", "CIVILITE", "INDIVIDU", "DIVISION", "GROUPE"),
    "BEE_ELEVES": ("ELEVE", "STRUCTURES_ELEVE"),
    "BEE_RESPONSABLES": ("PERSONNE", "RESPONSABLE_ELEVE", "ADRESSE"),
}


def _bare_read(path: Path) -> int:
    """A plain lxml streaming read of one file: each record's attributes and children's text into a dict,
    then the record freed. No checks, no records built: the floor any streaming import pays."""
    with open(path, "rb") as handle:
        root_tag = next(etree.iterparse(handle, events=("start",)))[1].tag
    fields = 0
    for _event, element in etree.iterparse(str(path), events=("end",), tag=_RECORDS[root_tag],
                                           resolve_entities=False, no_network=True):
        values = dict(element.attrib)
        for child in element:
            values.setdefault(child.tag, child.text)
        fields += len(values)
        element.clear(keep_tail=True)
        while element.getprevious() is not None:
            del element.getparent()[0]
    return fields


def _bare_parse(files: list[Path]) -> float:
    """Best of three bare streaming reads of the same (plain, decompressed) files."""
    best = None
    for _ in range(3):
        started = time.perf_counter()
        for path in files:
            _bare_read(path)
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return round(best, 3)


def _tree_parse(files: list[Path]) -> float:
    """Best of three etree.parse of the whole files (whole tree in memory, no field read), for reference."""
    best = None
    for _ in range(3):
        started = time.perf_counter()
        for path in files:
            etree.parse(str(path))
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return round(best, 3)


def _time_report(establishment: Establishment) -> dict:
    """Times the first import's report page and CSV as an administrator gets them (test client, full stack)."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from accounts.models import Profile, User
    from imports.models import ImportRun

    with scope(establishment=establishment):
        run = ImportRun.objects.filter(status=ImportRun.Status.APPLIED).order_by("applied_at").first()
        admin = User.objects.create_user(login="banc.admin", password=secrets.token_urlsafe(24),
                                         establishment=establishment,
                                         profile=Profile.ADMIN, last_name="Banc", first_name="Admin",
                                         must_change_password=False)
    client = Client(HTTP_HOST="bench.localhost")  # an in-process client: no host of the site's is needed
    client.force_login(admin)
    base = f"/{establishment.uai}/imports/{run.pk}/"
    # Static file names as without ``collectstatic`` (production's manifest needs it): same page otherwise.
    storages = {**settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=storages, ALLOWED_HOSTS=["bench.localhost"]):
        return _measure(client, base)


def _measure(client, base: str) -> dict:
    """Best of three: the report page (with its query count), then its CSV read to the end."""
    page_times, csv_times = [], []
    for _ in range(3):
        queries = []  # counted around the cursor: a request resets connection.queries

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            response = client.get(base, secure=True)
            page_times.append(time.perf_counter() - started)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        page_bytes = len(response.content)
        started = time.perf_counter()
        response = client.get(f"{base}rapport.csv", secure=True)
        size = sum(len(chunk) for chunk in response.streaming_content)
        csv_times.append(time.perf_counter() - started)
    return {"page_seconds": round(min(page_times), 3), "page_queries": len(queries),
            "page_bytes": page_bytes,
            "csv_seconds": round(min(csv_times), 3), "csv_bytes": size,
            "targets": "page <= 0.3 s, CSV <= 2 s (3,000 learners)"}


class Command(BaseCommand):
    help = "Mesure l'import (temps, mémoire, requêtes) sur des exports synthétiques ; affiche du JSON."

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=3000)
        parser.add_argument("--guardians", type=int, default=None, help="par défaut 5/3 du nombre d'élèves")
        parser.add_argument("--teachers", type=int, default=250)
        parser.add_argument("--divisions", type=int, default=40)
        parser.add_argument("--keep", action="store_true", help="garder l'établissement créé pour la mesure")

    def handle(self, *args, **options):
        from bench.import_pass import measure_pass
        from bench.synthetic_exports import generate, with_turnover

        learners = options["learners"]
        guardians = options["guardians"] or learners * 5 // 3
        uai = free_uai(9990000)
        establishment = Establishment.objects.create(uai=uai, name="Banc d'essai des imports")
        result = {"learners": learners, "guardians": guardians, "teachers": options["teachers"],
                  "database": connection.vendor, "uai": uai,
                  "counts_legend": "created/kept/deactivated/reactivated", "passes": {}}
        try:
            with tempfile.TemporaryDirectory() as tmp:
                base = Path(tmp)
                paths = generate(base / "v1", learners=learners, guardians=guardians, teachers=options["teachers"],
                                 divisions=options["divisions"], uai=uai, year=2026)
                files = [paths["sts"], paths["learners"], paths["guardians"]]
                result["file_sizes_mb"] = {p.name: round(p.stat().st_size / 2**20, 2) for p in files}
                result["bare_lxml_parse_seconds"] = _bare_parse(files)
                result["bare_parse_legend"] = ("lxml iterparse(tag=records) reading each record's fields, best of 3; "
                                               "passes time import_files (read + analyse + write, one transaction)")
                result["etree_parse_whole_files_seconds"] = _tree_parse(files)
                turnover = with_turnover(paths["learners"], paths["guardians"], base / "v2")
                passes = {
                    "first_import": files,
                    "unchanged_reimport": files,
                    "reimport_5pc_leavers_5pc_arrivals": [paths["sts"], turnover["learners"],
                                                          turnover["guardians"]],
                }
                # Each pass runs in a fresh interpreter: its peak memory is that of a process doing one import.
                context = multiprocessing.get_context("spawn")
                for name, pass_files in passes.items():
                    with context.Pool(1) as pool:
                        result["passes"][name] = pool.apply(measure_pass, (establishment.pk, pass_files))
            result["report"] = _time_report(establishment)
            result["load_average"] = [round(x, 2) for x in os.getloadavg()]
            first = result["passes"]["first_import"]["seconds"]
            result["ratio_first_import_to_bare_parse"] = round(first / result["bare_lxml_parse_seconds"], 2)
            unchanged = result["passes"]["unchanged_reimport"]["seconds"]
            result["ratio_unchanged_reimport_to_bare_parse"] = round(unchanged / result["bare_lxml_parse_seconds"], 2)
        finally:
            if not options["keep"]:
                with scope(establishment=establishment):
                    establishment.delete()
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
