"""Resolves the establishment from the URL (``/<UAI>/…``) and runs the request inside its scope."""

from django.http import Http404
from django.urls import Resolver404, resolve

from .models import Establishment
from .scoping import scope, scopes_disabled


class EstablishmentScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.establishment = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)

        if match.app_names[:1] == ["admin"]:
            # The platform staff console works across establishments; only superusers reach it.
            with scopes_disabled():
                return self.get_response(request)

        uai = match.kwargs.get("uai")
        if uai is None:
            return self.get_response(request)
        establishment = _users_establishment(request, uai)
        if establishment is None:
            establishment = Establishment.objects.filter(uai=uai, is_active=True).first()
        if establishment is None:
            raise Http404("Établissement inconnu.")
        request.establishment = establishment
        with scope(establishment=establishment):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.establishment is None:
            return None
        view_kwargs.pop("uai", None)
        user = request.user
        is_public = getattr(view_func, "cpro_public", False)
        if not is_public and user.is_authenticated and user.establishment_id != request.establishment.pk:
            # Another establishment's space does not exist for this user.
            raise Http404
        return None


def _users_establishment(request, uai: str):
    """The logged-in user's own establishment when it is the URL's: the authentication backend loaded it with
    the user (``select_related``), so the page needs no second query for it. ``None`` otherwise."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    establishment = getattr(user, "establishment", None)
    if establishment is not None and establishment.uai == uai and establishment.is_active:
        return establishment
    return None
