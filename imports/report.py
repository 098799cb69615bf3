"""The downloadable import report (CSV for spreadsheets), safe against formula injection."""

import csv
import io
from collections.abc import Iterator

from django.utils import timezone

from documents.formats import safe_cell  # the one formula-safe cell of every CSV CPro writes

from .models import Action, ImportRun, Kind
from .selectors import iter_report_lines

HEADER = ["Catégorie", "Opération", "Nom", "Prénom", "Identifiant", "Mot de passe initial", "Classe",
          "Groupes", "Classes enseignées", "Apprenant(s) lié(s)", "Modifications"]


def initial_password_cell(user) -> str:
    password = user.initial_password()
    return password if password else "(modifié par l'utilisateur)"


def report_rows(run: ImportRun) -> Iterator[list[str]]:
    """The report's rows, read a chunk of users at a time (selectors.iter_report_lines)."""
    for entry in iter_report_lines(run):
        user = entry.user
        password = initial_password_cell(user) if entry.action != Action.DEACTIVATED and user.is_active else ""
        yield [
            Kind(entry.kind).label, Action(entry.action).label, user.last_name, user.first_name, user.login,
            password, user.division.code if user.division else "",
            ", ".join(sorted(g.code for g in user.report_groups)),
            ", ".join(sorted(d.code for d in user.report_divisions)),
            ", ".join(user.report_links),
            entry.changes or ("créé sans classe" if entry.kind == Kind.LEARNERS and entry.action == Action.CREATED
                              and not user.division_id else ""),
        ]
    # Learners of the file left out because their exit date was past: named too (issue 9.12).
    for leaver in run.summary.get("leavers", []):
        yield [Kind.LEARNERS.label, "Sortis, non créés", leaver.get("last_name", leaver["name"]),
               leaver.get("first_name", ""), "", "", "", "", "", "",
               f"sorti le {leaver['exit_date']} (identifiant SIECLE {leaver['id']})"]


def report_csv_chunks(run: ImportRun, rows_per_chunk: int = 500) -> Iterator[str]:
    """The report CSV, piece by piece, for a streamed response: the first bytes leave at once and memory
    stays bounded whatever the size of the import."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")  # BOM: spreadsheets open UTF-8 with accents right
    when = timezone.localtime(run.applied_at or run.created_at)
    writer.writerow([safe_cell(f"Import du {when:%d/%m/%Y %H:%M} par {run.created_by_name} — {run.file_names}")])
    writer.writerow(HEADER)
    for count, row in enumerate(report_rows(run), 1):
        writer.writerow([safe_cell(cell) for cell in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def report_csv(run: ImportRun) -> str:
    return "".join(report_csv_chunks(run))
