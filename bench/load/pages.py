"""Server time and database queries of the main pages of every profile, measured in-process.

The load benchmark (``bench_load``) says how the site holds under many users; this says where one request's time
goes: for each profile's main pages (the pages of ``bench/load/locustfile.py``), the number of SQL statements and
the median server time of ``repeats`` requests (Django's test client, the full middleware stack, no network).
Used by ``manage.py bench_pages`` (figures printed) and by ``tests/test_request_cost.py`` (query counts that must
not grow). A module that adds pages to the locustfile adds them here too. Only GETs, but for one write: the grid's
cell save (« grille › case (POST) »), the busiest hour's most frequent one.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from functools import partial

# profile -> (label, path under /<UAI>/). ``{learner}``: a learner's id, ``{import_run}``: an applied import; the
# modules' values (``{grid}``, ``{division}``, ``{current_period}``, ``{bilan_learner}``, ``{pfmp_period}``) come
# from ``bench.load.school_modules.measured_users_and_context``. A label ending in « (POST) » is the grid's cell
# save (``POST_ACTIONS``), the one write measured: each request changes the cell ``{grid_cell}``.
PAGES: dict[str, list[tuple[str, str]]] = {
    "apprenant": [("accueil", ""), ("passeport", "passeport/"), ("mes documents", "documents/"),
                  ("suivi des acquis", "suivi/"), ("mon book", "book/"), ("mes bilans", "bilans/"),
                  ("passeport (PDF)", "passeport/passeport.pdf")],
    "enseignant": [("accueil", ""), ("référentiels", "referentiels/"), ("mes documents", "documents/"),
                   ("suivi des acquis", "suivi/"), ("bilans", "bilans/"),
                   ("bilans d'une classe", "bilans/classe/{division}/periode/{current_period}/"),
                   ("bilan d'un apprenant", "bilans/apprenant/{bilan_learner}/periode/{current_period}/"),
                   ("grilles", "grilles/"), ("grille", "grilles/{grid}/"),
                   ("grille › case (POST)", "grilles/{grid}/cellule/"), ("PFMP", "pfmp/"),
                   ("portfolios d'une PFMP", "portfolios/periode/{pfmp_period}/")],
    "responsable": [("accueil", ""), ("mes documents", "documents/"), ("suivi des acquis", "suivi/"),
                    ("bilans", "bilans/")],
    "tuteur": [("accueil", ""), ("mes documents", "documents/")],
    "inspecteur": [("accueil", ""), ("référentiels", "referentiels/")],
    "administrateur": [
        ("accueil", ""), ("utilisateurs", "utilisateurs/"),
        ("utilisateurs (recherche)", "utilisateurs/?profil=apprenant&q=mar"),
        ("fiche utilisateur", "utilisateurs/{learner}/"), ("accès apprenants", "utilisateurs/acces-apprenants/"),
        ("importations", "imports/"), ("rapport d'import", "imports/{import_run}/"),
        ("rapport d'import (CSV)", "imports/{import_run}/rapport.csv"), ("paramètres", "parametres/"),
    ],
    "chef": [
        ("accueil", ""), ("paramètres", "parametres/"), ("paramètres › transferts", "parametres/transferts/"),
        ("paramètres › masque de saisie", "parametres/masque-de-saisie/"), ("journal des actions", "journal/"),
        ("utilisateurs", "utilisateurs/"), ("accès inspecteur", "acces-inspecteur/"),
        ("classes et diplômes", "referentiels/classes/"), ("console de pilotage", "console/"),
        ("console › périodes officielles", "console/periodes/"),
    ],
    "ddfpt": [
        ("accueil", ""), ("utilisateurs", "utilisateurs/"), ("accès inspecteur", "acces-inspecteur/"),
        ("classes et diplômes", "referentiels/classes/"), ("console de pilotage", "console/"),
        ("console › périodes officielles", "console/periodes/"), ("PFMP", "pfmp/"),
        ("portfolios d'une PFMP", "portfolios/periode/{pfmp_period}/"),
    ],
}


@dataclass
class PageCost:
    profile: str
    label: str
    path: str
    status: int
    queries: int
    median_ms: float
    max_ms: float
    session_writes: int  # statements writing django_session during the measured requests (after the first)


def _is_session_write(sql: str) -> bool:
    head = sql.lstrip().upper()
    return "DJANGO_SESSION" in head and head.startswith(("UPDATE", "INSERT", "DELETE"))


def _host() -> str:
    """A host name the site accepts (ALLOWED_HOSTS), for requests made in-process."""
    from django.conf import settings

    return next((host for host in settings.ALLOWED_HOSTS if host and host != "*" and not host.startswith(".")),
                "testserver")


def measure(uai: str, users: dict, context: dict, *, repeats: int = 5, profiles=None) -> list[PageCost]:
    """``users``: profile -> a user of the establishment ``uai``; ``context``: the ``{…}`` values of the paths.
    Each page is requested once to warm up (not counted), then ``repeats`` times."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    costs = []
    for profile, pages in PAGES.items():
        if (profiles and profile not in profiles) or profile not in users:
            continue
        client = Client(HTTP_HOST=_host())
        client.force_login(users[profile])
        for label, path in pages:
            try:
                url = f"/{uai}/" + path.format(**context)
            except KeyError:
                continue  # nothing to show (no import yet…)
            request = _cell_save(client, url, context) if label.endswith("(POST)") else partial(client.get, url)
            response = request()
            times, queries, writes = [], 0, 0
            for _ in range(max(1, repeats)):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = request()
                    if response.streaming:  # the body is made while it is sent: it is part of the page's cost
                        b"".join(response.streaming_content)
                    times.append((time.perf_counter() - started) * 1000)
                queries = len(captured.captured_queries)
                writes += sum(_is_session_write(q["sql"]) for q in captured.captured_queries)
            costs.append(PageCost(profile, label, path, response.status_code, queries,
                                  round(statistics.median(times), 1), round(max(times), 1), writes))
    return costs


def _cell_save(client, url: str, context: dict):
    """The grid's JSON save (``static/pedagogy/grid.js``): the cell ``context["grid_cell"]`` to its next level,
    with the level last confirmed, as the page sends it."""
    import json

    cell = dict(context["grid_cell"])

    def post():
        level = 1 + cell["saved"] % 4
        response = client.post(url, data=json.dumps({
            "learner": cell["learner"], "competency": cell["competency"], "criterion": cell["criterion"],
            "level": level, "seen": cell["saved"]}), content_type="application/json")
        if response.status_code == 200:
            cell["saved"] = response.json()["level"]
        return response

    return post


def format_costs(costs: list[PageCost]) -> str:
    lines = [f"{'page [profil]':<48} {'HTTP':>4} {'requêtes SQL':>12} {'médiane':>8} {'max':>7}  (ms)"]
    for cost in costs:
        name = f"{cost.label} [{cost.profile}]"
        lines.append(f"{name[:48]:<48} {cost.status:>4} {cost.queries:>12} {cost.median_ms:>8g} {cost.max_ms:>7g}")
    if costs:
        ordinary = [c.median_ms for c in costs if "CSV" not in c.label and "PDF" not in c.label]
        lines.append(f"pages : {len(costs)} ; médiane des médianes {statistics.median(ordinary):g} ms ; pire "
                     f"médiane {max(ordinary):g} ms ; écritures de session pendant les mesures : "
                     f"{sum(c.session_writes for c in costs)}")
    return "\n".join(lines)
