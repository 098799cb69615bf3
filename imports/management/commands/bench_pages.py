"""``python manage.py bench_pages``: SQL statements and server time of every profile's main pages, one request at
a time (``bench/load/pages.py``; README « Banc de charge »).

Runs on the configured database, in an establishment that already has its school: by default the load
benchmark's (UAI ``0990420U``, built by ``make bench-load``), or ``--uai`` (the demo's ``0750654D``…). Reads only
(the sessions it opens aside, and one grid cell it changes at each request of « grille › case (POST) »); prints
one line per page: HTTP status, statements, median and worst server time.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from bench.load.pages import PAGES, format_costs, measure
from bench.load.school import BENCH_UAI
from bench.load.school_modules import measured_users_and_context


class Command(BaseCommand):
    help = ("Coût des pages principales de chaque profil : requêtes SQL et temps serveur (médiane de N "
            "requêtes), dans un établissement existant.")

    def add_arguments(self, parser):
        parser.add_argument("--uai", default=BENCH_UAI, help="établissement mesuré (défaut : celui du banc)")
        parser.add_argument("--repeats", type=int, default=5, help="requêtes mesurées par page (1 à 100)")
        parser.add_argument("--profile", action="append", default=[], choices=sorted(PAGES),
                            help="seulement ce profil (répétable)")
        parser.add_argument("--json", dest="json_path", default="", help="écrit aussi les résultats dans ce fichier")

    def handle(self, *args, **options):
        from accounts.models import Profile, User
        from establishments.models import Establishment
        from establishments.scoping import scope
        from imports.models import ImportRun

        if not 1 <= options["repeats"] <= 100:
            raise CommandError("--repeats : entre 1 et 100.")
        establishment = Establishment.objects.filter(uai=options["uai"], is_active=True).first()
        if establishment is None:
            raise CommandError(f"aucun établissement actif « {options['uai']} » dans cette base "
                               f"(make bench-load construit celui du banc, {BENCH_UAI}).")
        with scope(establishment=establishment):
            active = User.objects.filter(establishment=establishment, is_active=True, must_change_password=False)
            users = {}
            for profile in PAGES:
                user = active.filter(profile=profile).order_by("pk").first()
                if user is not None:
                    users[profile] = user
            context = {}
            learner = (User.objects.filter(establishment=establishment, profile=Profile.LEARNER)
                       .order_by("pk").first())
            if learner is not None:
                context["learner"] = learner.pk
            # The later modules' pages: the accounts and values bench.load.school_modules prepared, if it ran.
            module_users, module_context = measured_users_and_context(establishment)
            users.update(module_users)
            context.update(module_context)
            run = (ImportRun.objects.filter(establishment=establishment, status=ImportRun.Status.APPLIED)
                   .order_by("-applied_at").first())
            if run is not None:
                context["import_run"] = run.pk
        missing = sorted(set(PAGES) - set(users))
        costs = measure(establishment.uai, users, context, repeats=options["repeats"],
                        profiles=set(options["profile"]) or None)
        self.stdout.write(f"Établissement {establishment.uai}, {options['repeats']} requêtes par page "
                          f"(après une requête d'échauffement) :")
        self.stdout.write(format_costs(costs))
        if missing:
            self.stdout.write(f"(aucun compte actif pour : {', '.join(missing)})")
        if options["json_path"]:
            with open(options["json_path"], "w", encoding="utf-8") as handle:
                json.dump([cost.__dict__ for cost in costs], handle, indent=2, ensure_ascii=False)
