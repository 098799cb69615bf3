"""``python manage.py load_referentiel FILE… [--check] [--timing]``; no FILE: the files of referentiels/data."""

from django.core.management.base import BaseCommand, CommandError

from referentiels.loader import ReferentielError, load_files
from referentiels.shipped import shipped_files


class Command(BaseCommand):
    help = (
        "Charge des fichiers de référentiel (format cpro-referentiel/1) : tout ou rien, sans rien écrire si un "
        "fichier est refusé. Sans fichier : les référentiels livrés avec CPro."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="fichiers JSON (par défaut : referentiels/data/*.json)")
        parser.add_argument("--check", action="store_true", help="vérifier et comparer sans rien écrire")
        parser.add_argument("--timing", action="store_true", help="afficher la durée du chargement")

    def handle(self, *args, files, check, timing, **options):
        paths = files or shipped_files()
        try:
            result = load_files(paths, check=check)
        except ReferentielError as exc:
            raise CommandError(
                "Fichier refusé, rien n'a été écrit :\n" + "\n".join(f"- {m}" for m in exc.messages)
            ) from None
        for version in result.versions:
            if version.created:
                state = "à créer" if check else "créée"
            elif version.changes:
                state = ("à modifier : " if check else "modifiée : ") + "; ".join(version.changes)
            else:
                state = "inchangée"
            self.stdout.write(f"{version.label} : {state}")
        if check:
            self.stdout.write("Vérification seule : rien n'a été écrit.")
        if timing:
            self.stdout.write(f"Durée : {result.seconds:.2f} s pour {len(result.versions)} fichier(s).")
