"""The product's French error pages, with DEBUG on as well as off (issue 9, item 19).

With DEBUG on, Django answers an unknown address, an unknown establishment or another establishment's space with
its English technical page, which lists every URL pattern of the site, and a refused request (400) or an
uncaught exception (500) with a traceback and the settings. A user of ``make run`` must see the same French pages
as in production: this middleware replaces Django's technical pages by the project's handlers (templates/400.html,
404.html, 500.html). The traceback is still logged on the console by ``django.request``. 403 needs nothing: Django
renders 403.html in both modes.
"""

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.urls import get_resolver

from establishments.scoping import scope

# Django's technical pages (django/views/templates/technical_404.html and technical_500.html) carry this tag;
# the project's pages never do.
TECHNICAL_PAGE_MARK = b'<meta name="robots" content="NONE,NOARCHIVE">'


def is_technical_page(response) -> bool:
    return (
        response.status_code in (400, 404, 500)
        and not getattr(response, "streaming", False)
        and response.get("Content-Type", "").startswith("text/html")
        and TECHNICAL_PAGE_MARK in response.content[:2000]
    )


def error_page(request, status: int):
    """The response of the project's handler for ``status``, as Django would render it with DEBUG off."""
    handler = get_resolver().resolve_error_handler(status)
    if status == 500:
        return handler(request)
    if status == 400:
        return handler(request, SuspiciousOperation())
    establishment = getattr(request, "establishment", None)
    if establishment is None:
        return handler(request, Http404())
    with scope(establishment=establishment):  # the page's menu reads the establishment's data
        return handler(request, Http404())


class FrenchErrorPagesMiddleware:
    """Never shows Django's technical 400/404/500 pages; placed before the establishment middleware so that it also
    sees the 404 of an unknown establishment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and is_technical_page(response):
            return error_page(request, response.status_code)
        return response
