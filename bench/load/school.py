"""The benchmark's school, built in the benchmark database through the project's own code.

Runs inside Django, connected to the benchmark database (``manage.py bench_load`` re-runs itself with the
benchmark's ``DATABASE_URL``). ``ownership_problem`` is checked before anything is written (the migrations
included): the database may only hold establishments whose UAI is in ``BENCH_UAIS``.

``build_school`` imports synthetic SIECLE / STS-web exports (``imports.parsing.synthetic``) with
``imports.services.import_files``, the code behind the web import, once; it then adds staff of every profile
and gives a known password to a pool of accounts of every profile (``accounts_for_locust``); then
``bench.load.school_modules.build_modules`` gives the later modules' pages their data (référentiel, cohorts,
official periods, scenarios, grids, bilans, PFMP, book, tutor links).
"""

from __future__ import annotations

import secrets
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.load.school_modules import build_modules

# The benchmark's own establishment (valid UAI: 7 digits + check letter). A database holding any other
# establishment is not the benchmark's: the command refuses it.
BENCH_UAI = "0990420U"
BENCH_UAIS = frozenset({BENCH_UAI})
BENCH_NAME = "Lycée professionnel du banc de charge"
# Known password of every benchmark account (the benchmark database only ever holds fake data).
BENCH_PASSWORD = "banc-CPro-2026!"  # noqa: S105 - fake accounts of a local benchmark database

# A school of the busiest hour: ≈1,470 learners, their legal guardians, ≈120 teachers, 55 classes.
SCHOOL = {"learners": 1470, "guardians": 2450, "teachers": 120, "divisions": 55, "year": 2026}
# How many accounts of each profile get the known password (the virtual users share them out).
POOL = {"apprenant": 400, "enseignant": 120, "responsable": 60, "administrateur": 3, "chef": 2, "ddfpt": 3,
        "inspecteur": 2, "tuteur": 6}
# Staff the exports do not hold, created by hand: (login prefix, profile, how many).
EXTRA_STAFF = [("banc.admin", "administrateur", 3), ("banc.chef", "chef", 2), ("banc.ddfpt", "ddfpt", 3),
               ("banc.inspecteur", "inspecteur", 2), ("banc.tuteur", "tuteur", 6)]


def ownership_problem(connection) -> str | None:
    """Why the benchmark must not touch this database, or ``None``.

    Refused: any establishment whose UAI is not the benchmark's (a real or a test database). An empty
    database (no tables yet, or no establishment) is the benchmark's to fill. Reads with a plain cursor, so it
    runs before the migrations.
    """
    if "establishments_establishment" not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT uai FROM establishments_establishment")
        foreign = sorted(uai for (uai,) in cursor.fetchall() if uai not in BENCH_UAIS)
    if not foreign:
        return None
    shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
    return (f"la base « {connection.settings_dict.get('NAME')} » contient {len(foreign)} établissement(s) que le "
            f"banc de charge n'a pas créé(s) ({shown}) : il refuse d'y toucher. Donnez-lui sa propre base "
            f"(--database-url postgres://postgres@127.0.0.1:5432/cpro_bench).")


def build_school(log=print) -> dict:
    """Creates the school once (import of synthetic exports), then refreshes the benchmark accounts."""
    from django.utils import timezone

    from accounts.models import Profile, User
    from establishments.models import Establishment
    from establishments.scoping import scope, scopes_disabled
    from imports.models import ImportRun
    from imports.parsing.synthetic import generate_synthetic_exports
    from imports.services import import_files

    with scopes_disabled():
        establishment, created = Establishment.objects.get_or_create(
            uai=BENCH_UAI, defaults={"name": BENCH_NAME, "email": "ce.0990420u@ac-banc.fr"})
    with scope(establishment=establishment):
        run = (ImportRun.objects.filter(establishment=establishment, status=ImportRun.Status.APPLIED)
               .order_by("applied_at").first())
        if run is None:
            log(f"Import d'un établissement de {SCHOOL['learners']} apprenants (générateur du projet)…")
            with tempfile.TemporaryDirectory() as tmp:
                paths = generate_synthetic_exports(SCHOOL["learners"], SCHOOL["guardians"], SCHOOL["teachers"],
                                                   SCHOOL["divisions"], BENCH_UAI, SCHOOL["year"], Path(tmp))
                outcome = import_files(establishment, [paths["sts"], paths["learners"], paths["guardians"]])
            if not outcome.ok:
                raise RuntimeError(f"l'import du banc a été refusé : {outcome.as_json()}")
            run = outcome.run
            _analyze()
        for prefix, profile, count in EXTRA_STAFF:
            for number in range(1, count + 1):
                login = f"{prefix}{number}"
                if not User.objects.filter(establishment=establishment, login=login).exists():
                    User.objects.create_user(
                        login=login, password=BENCH_PASSWORD, establishment=establishment, profile=profile,
                        last_name=f"Banc {profile}", first_name=str(number), must_change_password=False,
                        email=f"{login}@ac-banc.fr",
                        access_expires_at=(timezone.now() + timedelta(days=365)
                                           if profile == Profile.INSPECTOR else None))
        accounts = _known_passwords(establishment)
        sections = _report_sections(run)
        started = time.monotonic()
        modules = build_modules(establishment, {p: [a["pk"] for a in pool] for p, pool in accounts.items()})
        log(f"Données des modules (grilles, bilans, PFMP, book, liens tuteur) prêtes en "
            f"{time.monotonic() - started:.1f} s.")
    return {"uai": BENCH_UAI, "import_run": run.pk, "accounts": accounts, "report_sections": sections,
            "created": created, "modules": modules}


def _analyze() -> None:
    """Fresh planner statistics after the bulk import, as autovacuum would give them a few minutes later: the
    benchmark measures the pages of a school in its steady state, not the plans of tables seen empty."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _known_passwords(establishment) -> dict[str, list[dict]]:
    """Gives ``BENCH_PASSWORD`` (hashed once, with the current hasher settings) to a pool of each profile."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    encoded = make_password(BENCH_PASSWORD)
    accounts: dict[str, list[dict]] = {}
    for profile, size in POOL.items():
        users = list(User.objects.filter(establishment=establishment, profile=profile, is_active=True)
                     .order_by("pk")[:size])
        User.objects.filter(pk__in=[u.pk for u in users]).update(password=encoded, must_change_password=False)
        accounts[profile] = [{"login": u.login, "pk": u.pk} for u in users]
    return accounts


def _report_sections(run) -> list[dict]:
    from imports import selectors

    size = selectors.REPORT_PAGE_SIZE
    return [{"slug": s["slug"], "pages": (s["count"] + size - 1) // size}
            for s in selectors.report_section_counts(run)]


def open_sessions(accounts: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """A logged-in session for every pooled account, as a login would leave it: the virtual users of the
    busiest hour are mostly already connected; the scenario's logins are the arrivals on top of them."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session

    from accounts.models import User
    from establishments.scoping import scopes_disabled

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    Session.objects.all().delete()  # the benchmark database's own sessions, from an earlier run
    with scopes_disabled():
        users = {u.pk: u for u in User.objects.filter(pk__in=[a["pk"] for pool in accounts.values() for a in pool])}
    opened: dict[str, list[dict]] = {}
    for profile, pool in accounts.items():
        opened[profile] = []
        for account in pool:
            user = users[account["pk"]]
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "accounts.backends.EstablishmentLoginBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            opened[profile].append({**account, "session": session.session_key})
    return opened


def random_secret_key() -> str:
    return secrets.token_urlsafe(50)
