"""URLs of an establishment's space: one way to build them, one way to trust a ``next`` that points into it."""

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def tenant_url(establishment, name: str, **kwargs) -> str:
    """``reverse("tenant:<name>")`` in ``establishment``'s space."""
    return reverse(f"tenant:{name}", kwargs={"uai": establishment.uai, **kwargs})


def safe_next_url(request, url: str | None) -> str | None:
    """``url`` when it stays inside the request's establishment space on this site, else ``None``."""
    if url and url.startswith(f"/{request.establishment.uai}/") and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}):
        return url
    return None
