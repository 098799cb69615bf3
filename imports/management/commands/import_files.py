"""``python manage.py import_files <UAI> FILE [FILE…] [--analyse] [--json]``: the import service from a shell."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from establishments.models import Establishment
from establishments.scoping import scope
from imports.models import Action, Kind
from imports.services import import_files


class Command(BaseCommand):
    help = (
        "Importe les fichiers STS-web et SIECLE d'un établissement (XML ou ZIP, reconnus par leur contenu ; "
        "le fichier STS-web est appliqué en premier). --analyse : montre ce que l'import ferait, sans rien "
        "écrire. --json : un objet JSON sur la sortie standard. Code de sortie 1 si les fichiers sont refusés."
    )

    def add_arguments(self, parser):
        parser.add_argument("uai")
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--analyse", action="store_true", help="analyser seulement, sans rien importer")
        parser.add_argument("--json", action="store_true", help="résultat en JSON")

    def handle(self, *args, **options):
        uai, files, analyse = options["uai"], options["files"], options["analyse"]
        establishment = Establishment.objects.filter(uai=uai.upper()).first()
        if establishment is None:
            raise CommandError(f"Établissement inconnu : {uai}.")
        missing = [str(path) for path in files if not path.is_file()]
        if missing:
            raise CommandError(f"Fichier introuvable : {', '.join(missing)}.")
        with scope(establishment=establishment):
            outcome = import_files(establishment, files, analyse_only=analyse)
        if options["json"]:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
        else:
            self._print(outcome, analyse)
        if not outcome.ok:
            raise SystemExit(1)

    def _print(self, outcome, analyse: bool) -> None:
        for problem in outcome.plan.problems:
            label = "ERREUR" if problem.is_error else "attention"
            self.stdout.write(f"{label} — {problem.text}")
        if not outcome.ok:
            self.stderr.write("Fichiers refusés : rien n'a été importé.")
            return
        verb = "L'import ferait" if analyse else "Import terminé"
        self.stdout.write(self.style.SUCCESS(f"{verb} :"))
        counts = outcome.plan.counts
        for kind in Kind:
            figures = ", ".join(f"{counts[kind][action]} {action.label.lower()}" for action in Action
                                if counts[kind][action])
            self.stdout.write(f"  {kind.label} : {figures or 'rien'}")
        self.stdout.write(f"  Apprenants sans INE : {outcome.plan.learners_without_ine}")
