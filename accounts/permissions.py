"""The one mechanism that gates pages: which profiles may see a view.

Every view of an establishment's space is wrapped by ``profile_required(...)`` or marked ``public``; the
isolation sweep (tests/test_isolation_sweep.py) reads the attributes set here to test every URL.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from .models import Profile

ALL_PROFILES = frozenset(Profile)


def tenant_login_url(request) -> str:
    return reverse("tenant:login", kwargs={"uai": request.establishment.uai})


def profile_required(*profiles: Profile):
    """Anonymous users go to their establishment's login page; other profiles get 403."""
    allowed = frozenset(profiles) or ALL_PROFILES

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), tenant_login_url(request))
            if user.profile not in allowed:
                raise PermissionDenied("Votre profil ne donne pas accès à cette page.")
            return view(request, *args, **kwargs)

        wrapper.cpro_profiles = allowed
        return wrapper

    return decorator


def public(view):
    """A page of the establishment's space open to anyone (the login page)."""
    view.cpro_public = True
    return view
