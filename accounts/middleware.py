from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from establishments.routing import tenant_url

# Pages a user who must change their password may still reach.
_ALLOWED_WHILE_CHANGING = {"password_change", "logout", "login"}


class ForcePasswordChangeMiddleware:
    """After the first login or a reset, every page of the establishment leads to the password change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        establishment = getattr(request, "establishment", None)
        user = request.user
        if establishment is None or not user.is_authenticated or not user.must_change_password:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in _ALLOWED_WHILE_CHANGING:
            return None
        if user.establishment_id != establishment.pk:
            return None  # the establishment middleware answers 404
        return redirect(tenant_url(establishment, "password_change"))


class NoStoreForAuthenticatedMiddleware:
    """Nothing a logged-in user saw stays in the cache of a shared school computer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response
