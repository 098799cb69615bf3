"""Every URL of an establishment's space, collected automatically, is tried as four kinds of visitor.

anonymous → the establishment's login page; a user of another establishment → 404; a profile the view does
not admit → 403; a profile it admits → 200 (or 405 for a POST-only action). A new URL is covered without
editing this file; a URL with parameters needs an example object from ``URL_EXAMPLES`` (the test says so).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Profile
from accounts.permissions import ALL_PROFILES

from .sweep_examples import URL_EXAMPLES


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}:{p.name}" if namespace else p.name, p.callback


def tenant_views():
    views = _walk(get_resolver().url_patterns)
    return [(route, name, cb) for route, name, cb in views if route.startswith("<uai:uai>/")]


TENANT_VIEWS = tenant_views()


def test_sweep_found_the_tenant_space():
    names = {name for _, name, _ in TENANT_VIEWS}
    assert {"tenant:home", "tenant:login", "tenant:logout", "tenant:password_change"} <= names


@pytest.mark.parametrize("route,name,callback", TENANT_VIEWS, ids=[n for _, n, _ in TENANT_VIEWS])
def test_every_tenant_view_declares_who_may_see_it(route, name, callback):
    assert getattr(callback, "cpro_public", False) or getattr(callback, "cpro_profiles", None), (
        f"{name} n'est ni public ni protégé par profile_required()"
    )


def _url(route, name, establishment, users):
    params = route.count("<") - 1  # minus <uai:uai>
    kwargs = {"uai": establishment.uai}
    if params:
        assert name in URL_EXAMPLES, f"Ajoutez un exemple pour {name} dans tests/sweep_examples.py"
        kwargs.update(URL_EXAMPLES[name](establishment, users))
    from django.urls import reverse

    return reverse(name, kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route,name,callback",
    [v for v in TENANT_VIEWS if not getattr(v[2], "cpro_public", False)],
    ids=[n for _, n, cb in TENANT_VIEWS if not getattr(cb, "cpro_public", False)],
)
def test_isolation(route, name, callback, establishment, other_establishment, make_user, login_as):
    users = {p: make_user(establishment, p, login=f"{p.value}.a") for p in Profile}
    stranger_users = {p: make_user(other_establishment, p, login=f"{p.value}.b") for p in Profile}
    url = _url(route, name, establishment, users)
    allowed = callback.cpro_profiles

    from django.test import Client

    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and f"/{establishment.uai}/connexion/" in anonymous["Location"]

    for profile in allowed:
        stranger = login_as(stranger_users[profile])
        assert stranger.get(url).status_code == 404, f"{name}: {profile} d'un autre établissement"

    refused = sorted(ALL_PROFILES - allowed)
    if refused:
        assert login_as(users[refused[0]]).get(url).status_code == 403

    right = sorted(allowed)[0]
    assert login_as(users[right]).get(url).status_code in (200, 405)
