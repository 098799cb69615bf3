"""What one request of each profile's main pages costs the database (bench/load/pages.py, issue 15).

The busiest hour is many small requests: a statement more on a page every user opens is thousands more a minute.
The main pages of every profile keep the same number of SQL statements whatever the school's size, within the
budget below (raise it only with a reason), and a page read does not rewrite the session (cpro/sessions.py).
"""

import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Profile, User
from bench.load.pages import PAGES, measure
from bench.load.school_modules import build_modules, measured_users_and_context
from establishments.scoping import scope, scopes_disabled
from imports.models import ImportRun
from imports.parsing.synthetic import generate_synthetic_exports
from imports.services import import_files

TODAY = datetime.date(2026, 11, 23)
# Statements of one request of each page (session, user, the page's own), measured when this test was written
# (the CSV streams its sections: four statements per section of the report, sections are bounded). Since the
# school has the later modules' data (bench.load.school_modules: a subscribed diploma, observations, bilans, a
# book), the learner's passport (9 → 16: achievements, tasks, bilans, observations, placements, a fixed set of
# queries), the follow-up of a learner (4 → 10) and of a guardian (5 → 11) and the masque de saisie (3 → 4) show
# what they show in a real school.
BUDGET = {
    "apprenant": {"accueil": 3, "passeport": 16, "mes documents": 3, "suivi des acquis": 10, "mon book": 6,
                  "mes bilans": 3, "passeport (PDF)": 16},
    "enseignant": {"accueil": 4, "référentiels": 4, "mes documents": 3, "suivi des acquis": 4, "bilans": 4,
                   "bilans d'une classe": 7, "bilan d'un apprenant": 9, "grilles": 3, "grille": 8,
                   "grille › case (POST)": 9, "PFMP": 6, "portfolios d'une PFMP": 5},
    "responsable": {"accueil": 3, "mes documents": 3, "suivi des acquis": 11, "bilans": 3},
    "tuteur": {"accueil": 2, "mes documents": 3},
    "inspecteur": {"accueil": 2, "référentiels": 3},
    "administrateur": {"accueil": 2, "utilisateurs": 5, "utilisateurs (recherche)": 5, "fiche utilisateur": 4,
                       "accès apprenants": 4, "importations": 3, "rapport d'import": 17,
                       "rapport d'import (CSV)": 22, "paramètres": 2},
    "chef": {"accueil": 2, "paramètres": 2, "paramètres › transferts": 6, "paramètres › masque de saisie": 4,
             "journal des actions": 4, "utilisateurs": 5, "accès inspecteur": 3, "classes et diplômes": 5,
             "console de pilotage": 23, "console › périodes officielles": 13},
    "ddfpt": {"accueil": 2, "utilisateurs": 5, "accès inspecteur": 3, "classes et diplômes": 5,
              "console de pilotage": 23, "console › périodes officielles": 13, "PFMP": 5,
              "portfolios d'une PFMP": 5},
}
STAFF = [Profile.ADMIN, Profile.HEAD, Profile.DDFPT, Profile.INSPECTOR, Profile.TUTOR]


def build_school(school, make_user, tmp_path: Path, learners: int) -> tuple[dict, dict]:
    """An imported school of ``learners`` learners (their guardians, teachers, classes) and one account of every
    profile; returns (profile -> user, the pages' path values)."""
    files = generate_synthetic_exports(learners, learners * 5 // 3, max(learners // 6, 3), 4, school.uai, 2026,
                                       tmp_path / school.uai, seed=5)
    with scope(establishment=school):
        outcome = import_files(school, [files["sts"], files["learners"], files["guardians"]], today=TODAY)
        assert outcome.ok, outcome.as_json()["problems"]
        User.objects.filter(establishment=school).update(must_change_password=False)
    for profile in STAFF:
        make_user(school, profile, login=f"{profile.value}.banc", email=f"{profile.value}@example.org",
                  access_expires_at=(timezone.now() + timedelta(days=30) if profile == Profile.INSPECTOR else None))
    with scopes_disabled():
        users = {}
        for profile in PAGES:
            candidates = User.objects.filter(establishment=school, profile=profile, is_active=True)
            if profile == Profile.GUARDIAN:
                candidates = candidates.filter(learner_links__isnull=False)
            elif profile == Profile.TEACHER:
                candidates = candidates.filter(divisions_taught__isnull=False)
            users[profile] = candidates.order_by("pk").first()
        context = {"learner": User.objects.filter(establishment=school, profile=Profile.LEARNER).first().pk,
                   "import_run": ImportRun.objects.get(establishment=school).pk}
        # The later modules' data (référentiel, cohorts, periods, grids, bilans, PFMP, book), as the benchmark has it.
        with scope(establishment=school):
            pooled = {p: list(User.objects.filter(establishment=school, profile=p).order_by("pk")
                              .values_list("pk", flat=True)) for p in (Profile.TEACHER, Profile.LEARNER)}
            build_modules(school, pooled, links=False, log=lambda *a: None)
            module_users, module_context = measured_users_and_context(school)
        users.update(module_users)
        context.update(module_context)
    assert all(users.values()), users
    return users, context


def costs_of(school, make_user, tmp_path, learners: int) -> dict:
    users, context = build_school(school, make_user, tmp_path, learners)
    costs = measure(school.uai, users, context, repeats=2)
    assert [(c.profile, c.label) for c in costs if c.status != 200] == []
    return {(c.profile, c.label): c for c in costs}


@pytest.mark.django_db(transaction=False)
def test_main_pages_cost_the_same_statements_at_two_school_sizes(establishment, other_establishment, make_user,
                                                                   tmp_path):
    small = costs_of(establishment, make_user, tmp_path, 12)
    large = costs_of(other_establishment, make_user, tmp_path, 40)
    assert set(small) == set(large) == {(p, label) for p, pages in PAGES.items() for label, _ in pages}
    grown = {key: (small[key].queries, large[key].queries) for key in small if small[key].queries != large[key].queries}
    assert grown == {}
    over = {key: (cost.queries, BUDGET[key[0]][key[1]]) for key, cost in large.items()
            if cost.queries > BUDGET[key[0]][key[1]]}
    assert over == {}
    # Reading pages never rewrote a session (the second and later requests of each page).
    assert sum(cost.session_writes for cost in large.values()) == 0


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_a_page_read_does_not_rewrite_the_session_but_the_idle_timeout_still_slides(establishment, make_user,
                                                                                   login_as, settings):
    user = make_user(establishment, Profile.HEAD)
    client = login_as(user)
    client.get(f"/{establishment.uai}/")
    before = _session_row(client).expire_date
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/{establishment.uai}/").status_code == 200
    writes = [q["sql"] for q in captured.captured_queries
              if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert _session_row(client).expire_date == before

    # More than SESSION_REFRESH_SECONDS after its last write, a page pushes the idle timeout back.
    Session.objects.filter(pk=_session_row(client).pk).update(
        expire_date=timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 120))
    assert client.get(f"/{establishment.uai}/").status_code == 200
    refreshed = _session_row(client).expire_date
    assert refreshed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 10)

    # And a session idle past its timeout is over: the page sends back to the login.
    Session.objects.filter(pk=_session_row(client).pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/{establishment.uai}/utilisateurs/")
    assert response.status_code == 302
    assert "/connexion/" in response["Location"]


def test_a_change_of_the_session_data_is_saved_at_once(establishment, make_user, login_as):
    user = make_user(establishment, Profile.HEAD)
    client = login_as(user)
    session = client.session
    session["marque"] = "vue"
    session.save()
    assert _session_row(client).get_decoded()["marque"] == "vue"


def test_bench_pages_prints_every_profile_page(establishment, make_user, tmp_path, capsys):
    build_school(establishment, make_user, tmp_path, 12)
    call_command("bench_pages", "--uai", establishment.uai, "--repeats", "1")
    out = capsys.readouterr().out
    for profile, pages in PAGES.items():
        for label, _ in pages:
            line = next((row for row in out.splitlines() if row.startswith(f"{label} [{profile}]")), None)
            assert line is not None, (profile, label, out)
            assert line.split()[-4] == "200", line
    assert "écritures de session pendant les mesures : 0" in out


def test_bench_pages_refuses_an_unknown_establishment(db):
    with pytest.raises(CommandError) as refused:
        call_command("bench_pages", "--uai", "0000000A")
    assert "aucun établissement" in str(refused.value)


def test_static_urls_are_looked_up_in_the_manifest_once_per_name(tmp_path, settings, monkeypatch):
    import json

    from whitenoise.storage import CompressedManifestStaticFilesStorage

    from cpro.storage import CachedUrlManifestStaticFilesStorage

    settings.DEBUG = False
    (tmp_path / "staticfiles.json").write_text(json.dumps(
        {"version": "1.1", "paths": {"css/site.css": "css/site.0123abcd.css"}}), encoding="utf-8")
    lookups = []
    original = CompressedManifestStaticFilesStorage.url

    def counted(self, name, force=False):
        lookups.append(name)
        return original(self, name, force)

    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", counted)
    storage = CachedUrlManifestStaticFilesStorage(location=str(tmp_path), base_url="/static/")
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    assert lookups == ["css/site.css"]
    with pytest.raises(ValueError):
        storage.url("css/absent.css")  # a file missing from the manifest still fails, every time
