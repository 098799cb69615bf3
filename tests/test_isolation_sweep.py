"""Every URL of an establishment's space, collected automatically, is sent GET and POST by every kind of visitor.

Establishment A has a class with a learner, their teacher and their guardian, and another class with its own
teacher, learner and guardian; establishment B has one user of every profile. For each URL (GET and POST alike):

- anonymous → the establishment's login page;
- a user of another establishment, of every profile the view admits → 404; platform staff → 404;
- a profile the view does not admit → 403;
- for a URL that takes an object (a learner, a user, a class, a run…): the teacher of another class and the
  guardian of another learner → 403 or 404 (a URL whose object every teacher shares is listed in
  ``SHARED_WITH_EVERY_TEACHER``); an admitted user of A pointing the URL at an object of B → 403 or 404;
- none of the above changes anything: every table of the project is compared before and after;
- a profile the view admits → 200 for a GET (or 405 for a POST-only action); its POST never fails with a 5xx.

A 405 (the view does not take the method) counts as refused; the table comparison still tells whether anything
was written.

A new URL is covered without editing this file; a URL with parameters needs an example object from
``URL_EXAMPLES`` (the test says so). ``test_the_sweep_catches_*`` run the same sweep on deliberately broken views
(tests/testapp/views_broken.py) to show that a defect on POST does not pass.
"""

from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import GuardianLink, Profile, User
from accounts.permissions import ALL_PROFILES
from establishments.models import Division
from establishments.scoping import scopes_disabled

from .conftest import PASSWORD
from .sweep_examples import SHARED_WITH_EVERY_TEACHER, URL_EXAMPLES

DENIED = (403, 404)
POST_DATA = {"name": "x", "title": "x", "email": "x@example.org", "code": "X", "label": "x", "confirm": "1"}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}:{p.name}" if namespace else p.name, p.callback


def tenant_views(urlconf=None):
    views = _walk(get_resolver(urlconf).url_patterns)
    return [(route, name, cb) for route, name, cb in views if route.startswith("<uai:uai>/")]


TENANT_VIEWS = tenant_views()
PROTECTED_VIEWS = [v for v in TENANT_VIEWS if not getattr(v[2], "cpro_public", False)]


def test_sweep_found_the_tenant_space():
    names = {name for _, name, _ in TENANT_VIEWS}
    assert {"tenant:home", "tenant:login", "tenant:logout", "tenant:password_change"} <= names


@pytest.mark.parametrize("route,name,callback", TENANT_VIEWS, ids=[n for _, n, _ in TENANT_VIEWS])
def test_every_tenant_view_declares_who_may_see_it(route, name, callback):
    assert getattr(callback, "cpro_public", False) or getattr(callback, "cpro_profiles", None), (
        f"{name} n'est ni public ni protégé par profile_required()"
    )


# The sweep -------------------------------------------------------------------------------------------------------


ROOT = Path(__file__).resolve().parent.parent
PROJECT_APPS = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"testapp"}


def _project_models():
    return [m for m in apps.get_models(include_auto_created=True)
            if m._meta.app_label in PROJECT_APPS and m._meta.managed and not m._meta.proxy]


def snapshot() -> dict:
    """Every row of every table of the project, all establishments (plain SQL: it runs around every visit)."""
    tables = {}
    with connection.cursor() as cursor:
        for model in _project_models():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)} ORDER BY 1")  # noqa: S608
            tables[model._meta.label] = cursor.fetchall()
    return tables


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in after if before.get(label) != after[label])


_HANDLER: dict = {}


class World:
    """Who visits: users of A around two classes, and a user of every profile in B."""

    def __init__(self, establishment, other_establishment, make_user):
        self.establishment, self.other_establishment = establishment, other_establishment
        self.users = {p: make_user(establishment, p, login=f"{p.value}.a") for p in Profile}
        self.strangers = {p: make_user(other_establishment, p, login=f"{p.value}.b") for p in Profile}
        with scopes_disabled():
            class1, _ = Division.objects.get_or_create(establishment=establishment, code="2MELEC1")
            class2, _ = Division.objects.get_or_create(establishment=establishment, code="2MELEC2")
        learner, teacher, guardian = (self.users[Profile.LEARNER], self.users[Profile.TEACHER],
                                      self.users[Profile.GUARDIAN])
        learner.division = class1
        learner.save(update_fields=["division"])
        teacher.divisions_taught.add(class1)
        self.other_teacher = make_user(establishment, Profile.TEACHER, login="enseignant.autre-classe")
        self.other_teacher.divisions_taught.add(class2)
        other_learner = make_user(establishment, Profile.LEARNER, login="apprenant.autre", division=class2)
        self.other_guardian = make_user(establishment, Profile.GUARDIAN, login="responsable.autre")
        with scopes_disabled():
            GuardianLink.objects.create(establishment=establishment, guardian=guardian, learner=learner)
            GuardianLink.objects.create(establishment=establishment, guardian=self.other_guardian,
                                        learner=other_learner)
        with scopes_disabled():
            self.platform_staff = User.objects.create_superuser("ops.plateforme", PASSWORD, last_name="Service")
        self._clients = {}

    @staticmethod
    def new_client() -> Client:
        """A test client sharing one request handler: the middleware (whitenoise's file index) loads once."""
        client = Client()
        client.handler = _HANDLER.setdefault("shared", client.handler)
        return client

    def client(self, user) -> Client:
        """A client signed in as ``user`` through the real login page (one per user)."""
        if user.pk not in self._clients:
            client = self.new_client()
            login_page = f"/{user.establishment.uai}/connexion/" if user.establishment else "/plateforme/login/"
            response = client.post(login_page, {"username": user.login, "password": PASSWORD})
            assert response.status_code == 302, response.content.decode()[:2000]
            self._clients[user.pk] = client
        return self._clients[user.pk]


@pytest.fixture
def world(establishment, other_establishment, make_user):
    return World(establishment, other_establishment, make_user)


def _kwargs(route, name, establishment, users, uai) -> dict:
    kwargs = {"uai": uai}
    if route.count("<") > 1:  # parameters besides <uai:uai>
        assert name in URL_EXAMPLES, f"Ajoutez un exemple pour {name} dans tests/sweep_examples.py"
        kwargs.update(URL_EXAMPLES[name](establishment, users))
    return kwargs


def sweep(route, name, callback, world, urlconf=None) -> list[str]:
    """Sends GET and POST to one URL as every visitor; returns what went wrong (nothing, when isolated)."""
    uai = world.establishment.uai
    url = reverse(name, kwargs=_kwargs(route, name, world.establishment, world.users, uai), urlconf=urlconf)
    allowed = callback.cpro_profiles
    takes_object = route.count("<") > 1
    failures = []

    visitors = [("anonyme", world.new_client(), "login")]
    visitors += [(f"{p} d'un autre établissement", world.client(world.strangers[p]), (404,)) for p in sorted(allowed)]
    visitors.append(("l'équipe de la plateforme", world.client(world.platform_staff), (404,)))
    refused = sorted(ALL_PROFILES - allowed)
    if refused:
        visitors.append((f"{refused[0]} (profil non admis)", world.client(world.users[refused[0]]), (403,)))
    if takes_object:
        if name not in SHARED_WITH_EVERY_TEACHER:
            visitors.append(("enseignant d'une autre classe", world.client(world.other_teacher), DENIED))
        visitors.append(("responsable d'un autre apprenant", world.client(world.other_guardian), DENIED))

    # Everybody signed in above (the login itself writes the last login): from here on, nothing may change.
    before = snapshot()

    def check(who, method, response, expected):
        if expected == "login":
            ok = response.status_code == 302 and f"/{uai}/connexion/" in response["Location"]
        else:
            # 405: the view does not take this method at all (a POST-only action, a download); the snapshot
            # still shows whether anything was written.
            ok = response.status_code in expected or (expected is DENIED and response.status_code == 405)
        if not ok:
            failures.append(f"{name} {method} par {who} : {response.status_code} au lieu de {expected}")

    for who, client, expected in visitors:
        check(who, "GET", client.get(url), expected)
        check(who, "POST", client.post(url, POST_DATA), expected)
        after = snapshot()
        if changed := changed_tables(before, after):
            failures.append(f"{name} : GET/POST par {who} a modifié {', '.join(changed)}")
            before = after

    right = sorted(allowed)[0]
    right_client = world.client(world.users[right])
    if takes_object:
        # An admitted user of A pointing the URL at an object of B: the object does not exist for them.
        foreign = reverse(name, kwargs=_kwargs(route, name, world.other_establishment, world.strangers, uai),
                          urlconf=urlconf)
        before = snapshot()
        check(f"{right} avec un objet d'un autre établissement", "GET", right_client.get(foreign), DENIED)
        check(f"{right} avec un objet d'un autre établissement", "POST", right_client.post(foreign, POST_DATA),
              DENIED)
        if changed := changed_tables(before, snapshot()):
            failures.append(f"{name} : un objet d'un autre établissement a été modifié ({', '.join(changed)})")

    status = right_client.get(url).status_code
    if status not in (200, 405):
        failures.append(f"{name} GET par {right} : {status} au lieu de 200")
    status = right_client.post(url, POST_DATA).status_code
    if status >= 500:
        failures.append(f"{name} POST par {right} : erreur {status}")
    return failures


@pytest.mark.django_db
@pytest.mark.parametrize("route,name,callback", PROTECTED_VIEWS, ids=[n for _, n, _ in PROTECTED_VIEWS])
def test_isolation(route, name, callback, world):
    assert sweep(route, name, callback, world) == []


# The sweep catches what it is for ---------------------------------------------------------------------------


BROKEN_URLCONF = "tests.testapp.urls_broken"


def _broken(name):
    return next(v for v in tenant_views(BROKEN_URLCONF) if v[1] == name)


@pytest.mark.django_db
def test_the_sweep_catches_a_post_that_skips_the_object_check(world, settings):
    settings.ROOT_URLCONF = BROKEN_URLCONF
    failures = sweep(*_broken("essai:achievement_rename"), world, urlconf=BROKEN_URLCONF)
    assert any("POST par enseignant d'une autre classe" in f for f in failures), failures
    assert any("par enseignant d'une autre classe a modifié testapp.Achievement" in f for f in failures), failures
    assert not any("GET par" in f for f in failures), failures  # GET alone would have passed


@pytest.mark.django_db
def test_the_sweep_catches_a_post_that_crosses_establishments(world, settings):
    settings.ROOT_URLCONF = BROKEN_URLCONF
    failures = sweep(*_broken("essai:achievement_rename_unscoped"), world, urlconf=BROKEN_URLCONF)
    assert any("un objet d'un autre établissement a été modifié (testapp.Achievement)" in f
               for f in failures), failures
    assert not any("GET par" in f for f in failures), failures


@pytest.mark.django_db
def test_the_sweep_passes_the_same_view_done_right(world, settings):
    settings.ROOT_URLCONF = BROKEN_URLCONF
    assert sweep(*_broken("essai:achievement_rename_fixed"), world, urlconf=BROKEN_URLCONF) == []
