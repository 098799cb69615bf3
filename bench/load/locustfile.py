"""A school's busiest hour, for locust (started by ``manage.py bench_load``; see README « Banc de charge »).

Every profile browses its main pages with realistic weights, 1 to 3 s between pages. The virtual users are
already logged in (``bench.load.school.open_sessions`` opened a session for each pooled account); on top of them
``Arrival`` users log in ``CPRO_BENCH_LOGINS`` times spread evenly over the first ``CPRO_BENCH_LOGIN_WINDOW``
seconds (120 in 2 minutes by default): new browser, login page, login POST, home page.

Every request is named « page [profil] » so the command prints each page's figures; anything but the expected
status (200, or the login's redirect) counts as a failure, a redirect to the login page included.

Each later module adds its own pages and actions here, on the profiles that use them, with realistic weights:
teachers at a grille de positionnement saving a cell every few seconds (``GridTeacher``), a company tutor filling
a bilan entreprise from its link (``CompanyTutor``), the passport's PDF downloaded now and then, the pilot console
of the DDFPT and the chef, bilans, PFMP and portfolios, the learners' book. The data they need is made by
``bench.load.school_modules``.

Configured by the environment (the command sets it): ``CPRO_BENCH_ACCOUNTS`` (JSON written by the command:
UAI, password, accounts and their sessions per profile, import run), ``CPRO_BENCH_LOGINS``,
``CPRO_BENCH_LOGIN_WINDOW``, ``CPRO_BENCH_ARRIVAL_USERS``.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import re
import time
from functools import cache
from http.cookiejar import Cookie

from locust import FastHttpUser, between, constant_pacing, task
from locust.exception import StopUser

LOGINS = int(os.environ.get("CPRO_BENCH_LOGINS", "120"))
LOGIN_WINDOW = float(os.environ.get("CPRO_BENCH_LOGIN_WINDOW", "120"))
ARRIVAL_USERS = max(1, int(os.environ.get("CPRO_BENCH_ARRIVAL_USERS", "4")))
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@cache
def bench_data() -> dict:
    """What the command wrote: read once per locust process, when the first user starts."""
    with open(os.environ["CPRO_BENCH_ACCOUNTS"], encoding="utf-8") as handle:
        return json.load(handle)


_pools: dict[str, itertools.cycle] = {}


def next_account(profile: str) -> dict:
    """The profile's pooled accounts in turn (one locust process: greenlets, no lock needed)."""
    if profile not in _pools:
        _pools[profile] = itertools.cycle(bench_data()["accounts"][profile])
    return next(_pools[profile])


def modules(kind: str) -> dict:
    """What ``bench.load.school_modules`` prepared: ``teachers`` / ``learners`` by account pk (as a string)."""
    return bench_data().get("modules", {}).get(kind, {})


def next_grid_teacher() -> dict:
    """The pooled teachers who have a grille de positionnement, in turn."""
    if "grille" not in _pools:
        grids = modules("teachers")
        _pools["grille"] = itertools.cycle([a for a in bench_data()["accounts"]["enseignant"]
                                            if (grids.get(str(a["pk"])) or {}).get("grid")])
    return next(_pools["grille"])


def _cookie(name: str, value: str, host: str) -> Cookie:
    return Cookie(version=0, name=name, value=value, port=None, port_specified=False, domain=host,
                  domain_specified=False, domain_initial_dot=False, path="/", path_specified=True, secure=False,
                  expires=None, discard=True, comment=None, comment_url=None, rest={})


class SchoolUser(FastHttpUser):
    """A member of the school, already logged in, going from page to page."""

    abstract = True
    profile = ""
    wait_time = between(1, 3)

    def on_start(self) -> None:
        data = bench_data()
        self.uai = data["uai"]
        self.account = next_account(self.profile)
        host = self.host.split("://", 1)[-1].split(":", 1)[0].split("/", 1)[0]
        self.client.cookiejar.set_cookie(_cookie("sessionid", self.account["session"], host))

    def page(self, path: str, label: str, *, params: str = "") -> None:
        """GET ``/<UAI>/<path>``: a failure unless 200 (a redirect means the session was lost)."""
        url = f"/{self.uai}/{path}" + (f"?{params}" if params else "")
        with self.client.get(url, name=f"{label} [{self.profile}]", allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} {response.headers.get('Location', '')}")

    @task(1)
    def documents(self) -> None:
        self.page("documents/", "mes documents")


PDF_SHARE = 0.05  # one passport page in 20 ends with the PDF's download


class Learner(SchoolUser):
    profile = "apprenant"
    weight = 60

    @task(6)
    def home(self) -> None:
        self.page("", "accueil")

    @task(2)
    def passport(self) -> None:
        self.page("passeport/", "passeport")
        if random.random() < PDF_SHARE:
            self.page("passeport/passeport.pdf", "passeport (PDF)")

    @task(1)
    def followup(self) -> None:  # their own follow-up (« Suivre les acquis »)
        self.page("suivi/", "suivi des acquis")

    @task(2)
    def book(self) -> None:
        self.page("book/", "mon book")

    @task(1)
    def bilans(self) -> None:  # their validated bilans intermédiaires
        self.page("bilans/", "mes bilans")


class Teacher(SchoolUser):
    """A teacher between two lessons: home, référentiels, follow-up, bilans of their classes, grids, PFMP. The
    pages of a class need one the school builder prepared (a MELEC class they teach): others skip them."""

    profile = "enseignant"
    weight = 20

    def on_start(self) -> None:
        super().on_start()
        self.mine = modules("teachers").get(str(self.account["pk"])) or {}

    @task(6)
    def home(self) -> None:
        self.page("", "accueil")

    @task(1)
    def referentiels(self) -> None:
        self.page("referentiels/", "référentiels")

    @task(1)
    def followup(self) -> None:  # their classes (« Suivre les acquis »)
        self.page("suivi/", "suivi des acquis")

    @task(1)
    def bilans(self) -> None:
        self.page("bilans/", "bilans")

    @task(2)
    def bilans_class(self) -> None:  # a class's overview for the current trimester
        if self.mine.get("current_period"):
            self.page(f"bilans/classe/{self.mine['division']}/periode/{self.mine['current_period']}/",
                      "bilans d'une classe")

    @task(2)
    def bilan_form(self) -> None:  # a learner's bilan, being written
        if self.mine.get("current_period"):
            self.page(f"bilans/apprenant/{self.mine['learner']}/periode/{self.mine['current_period']}/",
                      "bilan d'un apprenant")

    @task(1)
    def grids(self) -> None:
        self.page("grilles/", "grilles")

    @task(1)
    def pfmp(self) -> None:
        self.page("pfmp/", "PFMP")

    @task(1)
    def portfolio(self) -> None:  # the portfolios of their learners' PFMP
        if self.mine.get("pfmp_period"):
            self.page(f"portfolios/periode/{self.mine['pfmp_period']}/", "portfolios d'une PFMP")


GRID_CELL = re.compile(r'data-learner="(\d+)"|data-competency="(\d+)" data-criterion="(\d*)"[^>]*? data-saved="(\d)"')


class GridTeacher(SchoolUser):
    """A teacher in class with a grille de positionnement open: each few seconds a cell saved (the JSON of
    ``static/pedagogy/grid.js``: the new level and the one last confirmed), the grid reloaded now and then."""

    profile = "enseignant"
    weight = 5
    wait_time = between(2, 6)

    def on_start(self) -> None:
        data = bench_data()
        self.uai = data["uai"]
        self.account = next_grid_teacher()
        host = self.host.split("://", 1)[-1].split(":", 1)[0].split("/", 1)[0]
        self.client.cookiejar.set_cookie(_cookie("sessionid", self.account["session"], host))
        self.grid = modules("teachers")[str(self.account["pk"])]["grid"]
        self.cells: list[dict] = []
        self.csrf = ""
        self.next_cell = 0
        self.open_grid()

    @task(1)
    def open_grid(self) -> None:
        """GET the grid; its cells (learner, competency, criterion, level saved) and the CSRF token."""
        url = f"/{self.uai}/grilles/{self.grid}/"
        with self.client.get(url, name="grille [enseignant]", allow_redirects=False, catch_response=True) as response:
            token = CSRF_INPUT.search(response.text or "")
            if response.status_code != 200 or token is None:
                response.failure(f"HTTP {response.status_code}, pas de grille modifiable")
                return
            self.csrf = token.group(1)
            cells, learner = [], None
            for found in GRID_CELL.finditer(response.text):
                if found.group(1):
                    learner = int(found.group(1))
                elif learner is not None:
                    cells.append({"learner": learner, "competency": int(found.group(2)),
                                  "criterion": int(found.group(3)) if found.group(3) else None,
                                  "saved": int(found.group(4))})
            if not cells:
                response.failure("grille sans case")
            self.cells = cells

    @task(12)
    def save_cell(self) -> None:
        if not self.cells or not self.csrf:
            self.open_grid()
            return
        cell = self.cells[self.next_cell % len(self.cells)]
        self.next_cell += 1 + random.randrange(3)
        level = 1 + cell["saved"] % 4
        payload = {"learner": cell["learner"], "competency": cell["competency"], "criterion": cell["criterion"],
                   "level": level, "seen": cell["saved"]}
        with self.client.post(f"/{self.uai}/grilles/{self.grid}/cellule/", data=json.dumps(payload),
                              headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf,
                                       "X-Requested-With": "fetch"},
                              name="grille › case (POST) [enseignant]", catch_response=True) as response:
            try:
                answer = response.json()
            except ValueError:
                answer = {}
            if response.status_code == 200 and answer.get("ok"):
                cell["saved"] = answer.get("level", level)
            else:
                if response.status_code == 409 and answer.get("current"):
                    cell["saved"] = answer["current"]["level"]
                response.failure(f"HTTP {response.status_code} {answer.get('error', '')}")


class Guardian(SchoolUser):
    profile = "responsable"
    weight = 6

    @task(4)
    def home(self) -> None:
        self.page("", "accueil")

    @task(1)
    def followup(self) -> None:  # their child's follow-up
        self.page("suivi/", "suivi des acquis")

    @task(1)
    def bilans(self) -> None:  # their child's validated bilans
        self.page("bilans/", "bilans")


class Tutor(SchoolUser):
    profile = "tuteur"
    fixed_count = 1

    @task(4)
    def home(self) -> None:
        self.page("", "accueil")


class Inspector(SchoolUser):
    profile = "inspecteur"
    fixed_count = 1

    @task(4)
    def home(self) -> None:
        self.page("", "accueil")

    @task(1)
    def referentiels(self) -> None:
        self.page("referentiels/", "référentiels")


class Administrator(SchoolUser):
    """Users and imports, the import report included (its sections paged, its CSV now and then)."""

    profile = "administrateur"
    fixed_count = 2

    @task(1)
    def home(self) -> None:
        self.page("", "accueil")

    @task(4)
    def users(self) -> None:
        self.page("utilisateurs/", "utilisateurs")

    @task(3)
    def users_search(self) -> None:
        params = ["profil=apprenant&q=mar", "profil=enseignant", "q=dupont", "profil=apprenant&page=7",
                  "statut=inactifs"]
        self.page("utilisateurs/", "utilisateurs (recherche)", params=params[int(time.monotonic()) % len(params)])

    @task(2)
    def user_detail(self) -> None:
        learner = next_account("apprenant")
        self.page(f"utilisateurs/{learner['pk']}/", "fiche utilisateur")

    @task(1)
    def learner_access(self) -> None:
        self.page("utilisateurs/acces-apprenants/", "accès apprenants")

    @task(3)
    def imports(self) -> None:
        self.page("imports/", "importations")

    @task(2)
    def import_report(self) -> None:
        self.page(f"imports/{bench_data()['import_run']}/", "rapport d'import")

    @task(1)
    def import_report_section(self) -> None:
        sections = [s for s in bench_data()["report_sections"] if s["pages"] > 1]
        if sections:
            section = sections[int(time.monotonic()) % len(sections)]
            self.page(f"imports/{bench_data()['import_run']}/", "rapport d'import (partie, page)",
                      params=f"partie={section['slug']}&page={section['pages'] // 2 + 1}")

    @task(1)
    def import_report_csv(self) -> None:
        self.page(f"imports/{bench_data()['import_run']}/rapport.csv", "rapport d'import (CSV)")

    @task(1)
    def settings(self) -> None:
        self.page("parametres/", "paramètres")


class Head(SchoolUser):
    """Chef d'établissement: the pilot console, Paramètres, users, inspector access, classes and diplomas."""

    profile = "chef"
    fixed_count = 1

    @task(2)
    def home(self) -> None:
        self.page("", "accueil")

    @task(3)
    def console(self) -> None:
        self.page("console/", "console de pilotage")

    @task(1)
    def official_periods(self) -> None:
        self.page("console/periodes/", "console › périodes officielles")

    @task(2)
    def settings(self) -> None:
        self.page("parametres/", "paramètres")

    @task(1)
    def transfers(self) -> None:
        self.page("parametres/transferts/", "paramètres › transferts")

    @task(1)
    def masks(self) -> None:
        self.page("parametres/masque-de-saisie/", "paramètres › masque de saisie")

    @task(1)
    def audit_log(self) -> None:
        self.page("journal/", "journal des actions")

    @task(2)
    def users(self) -> None:
        self.page("utilisateurs/", "utilisateurs")

    @task(1)
    def inspector_access(self) -> None:
        self.page("acces-inspecteur/", "accès inspecteur")

    @task(2)
    def classes(self) -> None:
        self.page("referentiels/classes/", "classes et diplômes")

    @task(1)
    def referentiels(self) -> None:
        self.page("referentiels/", "référentiels")


class Ddfpt(SchoolUser):
    """DDFPT: the pilot console, PFMP, users, inspector access, classes and diplomas (Paramètres is the
    administrator's and the chef's)."""

    profile = "ddfpt"
    fixed_count = 1

    @task(2)
    def home(self) -> None:
        self.page("", "accueil")

    @task(3)
    def console(self) -> None:
        self.page("console/", "console de pilotage")

    @task(1)
    def official_periods(self) -> None:
        self.page("console/periodes/", "console › périodes officielles")

    @task(2)
    def pfmp(self) -> None:
        self.page("pfmp/", "PFMP")

    @task(1)
    def portfolio(self) -> None:
        period = bench_data().get("modules", {}).get("pfmp_period")
        if period:
            self.page(f"portfolios/periode/{period}/", "portfolios d'une PFMP")

    @task(2)
    def users(self) -> None:
        self.page("utilisateurs/", "utilisateurs")

    @task(1)
    def inspector_access(self) -> None:
        self.page("acces-inspecteur/", "accès inspecteur")

    @task(2)
    def classes(self) -> None:
        self.page("referentiels/classes/", "classes et diplômes")

    @task(1)
    def referentiels(self) -> None:
        self.page("referentiels/", "référentiels")


class CompanyTutor(FastHttpUser):
    """A company tutor with the public link of a bilan entreprise (no account): opens the form, fills it in a
    while, signs. Each link serves once: the next tutor has the next link (the builder makes new ones each run,
    ``TUTOR_LINKS`` of them; when they are all used, no more tutor)."""

    fixed_count = 1
    wait_time = between(10, 20)

    def on_start(self) -> None:
        # The warm-up and each stage are separate locust runs: a link opened by an earlier one is not taken again.
        self.claimed = f"{os.environ['CPRO_BENCH_ACCOUNTS']}.liens-tuteur"
        try:
            with open(self.claimed, encoding="utf-8") as handle:
                taken = set(handle.read().split())
        except FileNotFoundError:
            taken = set()
        self.links = [link for link in bench_data().get("modules", {}).get("tutor_links", [])
                      if link["token"] not in taken]
        self.link = None
        self.csrf = ""

    @task
    def fill(self) -> None:
        uai = bench_data()["uai"]
        if self.link is None:  # a new tutor opens the link of their e-mail
            if not self.links:
                raise StopUser()
            self.link = self.links.pop(0)
            with open(self.claimed, "a", encoding="utf-8") as handle:
                handle.write(self.link["token"] + "\n")
            self.client.cookiejar.clear()
            url = f"/{uai}/entreprise/tuteur/{self.link['bilan']}/{self.link['token']}/"
            with self.client.get(url, name="bilan entreprise (tuteur)", catch_response=True) as response:
                token = CSRF_INPUT.search(response.text or "")
                if response.status_code != 200 or token is None:
                    response.failure(f"HTTP {response.status_code}, pas de formulaire")
                    self.link = None
                    return
                self.csrf = token.group(1)
            return
        form = {"csrfmiddlewaretoken": self.csrf, "signer": "Tuteur du banc", "appreciation": "Sérieux et ponctuel.",
                "signed_on": datetime.date.today().isoformat(), **dict.fromkeys(self.link["lines"], "3")}
        url = f"/{uai}/entreprise/tuteur/{self.link['bilan']}/{self.link['token']}/"
        with self.client.post(url, data=form, name="bilan entreprise (tuteur, POST)", catch_response=True) as response:
            if response.status_code != 200 or "tutor-form" in (response.text or ""):
                response.failure(f"HTTP {response.status_code} : bilan non signé")
        self.link = None


# Who arrives during the login window: mostly learners and teachers, as at the start of a school day.
ARRIVING_PROFILES = ["apprenant"] * 6 + ["enseignant"] * 3 + ["responsable"]
_arrivals = {"done": 0, "profiles": itertools.cycle(ARRIVING_PROFILES)}


class Arrival(FastHttpUser):
    """Somebody arriving: a fresh browser, the login page, the login POST, the home page. ``ARRIVAL_USERS``
    of them share ``LOGINS`` logins evenly over ``LOGIN_WINDOW`` seconds, then stop."""

    fixed_count = ARRIVAL_USERS
    wait_time = constant_pacing(ARRIVAL_USERS * LOGIN_WINDOW / max(LOGINS, 1))

    @task
    def arrive(self) -> None:
        if _arrivals["done"] >= LOGINS:
            raise StopUser()
        _arrivals["done"] += 1
        profile = next(_arrivals["profiles"])
        account = next_account(profile)
        uai = bench_data()["uai"]
        self.client.cookiejar.clear()
        with self.client.get(f"/{uai}/connexion/", name="connexion (page)", catch_response=True) as response:
            token = CSRF_INPUT.search(response.text or "")
            if response.status_code != 200 or token is None:
                response.failure(f"HTTP {response.status_code}, pas de jeton CSRF")
                return
        form = {"csrfmiddlewaretoken": token.group(1), "username": account["login"],
                "password": bench_data()["password"], "next": ""}
        with self.client.post(f"/{uai}/connexion/", data=form, name="connexion (POST)", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code} : connexion refusée")
                return
        with self.client.get(f"/{uai}/", name=f"accueil [{profile}]", allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} après la connexion")


# Every profile's virtual user (the fast test checks each profile is here).
PROFILE_USERS = {cls.profile: cls for cls in (Learner, Teacher, Guardian, Tutor, Inspector, Administrator, Head,
                                              Ddfpt)}
