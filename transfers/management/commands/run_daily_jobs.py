"""``manage.py run_daily_jobs [--date YYYY-MM-DD] [--json]``: the daily jobs, run by hand.

The same code as Celery beat's (``transfers.jobs``): a job that already ran that day does nothing.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from transfers.jobs import JobReport, run_daily_job
from transfers.models import DailyJob


class Command(BaseCommand):
    help = "Exécute les tâches quotidiennes : transferts automatiques (INE) puis purge RGPD."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="jour de l'exécution (AAAA-MM-JJ), aujourd'hui par défaut")
        parser.add_argument("--json", action="store_true", help="résultat en JSON")

    def handle(self, *args, **options):
        date = options["date"]
        try:
            run_date = datetime.date.fromisoformat(date) if date else None
        except ValueError as error:
            raise CommandError(f"Date invalide : {date} (format attendu AAAA-MM-JJ)") from error
        reports = [run_daily_job(DailyJob.TRANSFERS, run_date=run_date),
                   run_daily_job(DailyJob.PURGE, run_date=run_date)]
        if options["json"]:
            self.stdout.write(_json_dumps([r.as_dict() for r in reports]))
            return
        for report in reports:
            self._print(report)

    def _print(self, report: JobReport) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"{report.job.label} du {report.run_date:%d/%m/%Y}"))
        if not report.ran:
            self.stdout.write(f"  {report.message} Résultat enregistré : {_json_dumps(report.summary)}")
            return
        details = report.details
        if report.job == DailyJob.TRANSFERS:
            self.stdout.write(f"  Transferts effectués : {details['transferred']}")
            for item in details["transferred_list"]:
                moved = sum(item["moved"].values())
                self.stdout.write(f"    - {item['learner_name']} (INE {item['ine']}) "
                                  f"{item['origin_uai']} → {item['destination_uai']} : {moved} élément(s)")
            self.stdout.write(f"  Transferts refusés : {details['refused']}")
            for item in details["refused_list"]:
                self.stdout.write(f"    - {item['learner_name']} (INE {item['ine']}) "
                                  f"{item['origin_uai']} → {item['destination_uai']} : {item['cause']}")
        else:
            self.stdout.write(f"  Utilisateurs supprimés : {details['users']}")
            for uai, count in sorted(details["by_establishment"].items()):
                self.stdout.write(f"    - {uai} : {count}")
            for label, count in sorted(details["rows"].items()):
                self.stdout.write(f"    données {label} : {count}")
            self.stdout.write(f"  Fichiers supprimés : {details['files']}")
            if details["failed_ids"]:
                self.stdout.write(self.style.WARNING(
                    f"  Non supprimés (données protégées) : {len(details['failed_ids'])}"))


def _json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
