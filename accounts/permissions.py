"""The one mechanism that gates pages: which profiles may see a view.

Every view of an establishment's space is wrapped by ``profile_required(...)`` or marked ``public``; the
isolation sweep (tests/test_isolation_sweep.py) reads the attributes set here to test every URL.

Read-only profiles (the inspector) pass the same gate for reading, but any request that could write (anything
but GET, HEAD and OPTIONS) is refused with 403, except on views marked ``read_only_may_post`` (changing one's
own password). A time-limited access (``User.access_expires_at``) ends the session once it has expired.

This gate knows profiles, not objects: which learner, class or document a user may see or change on a page is
answered by ``accounts.access`` (``visible_learners``, ``can``, ``get_or_404``).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from establishments.routing import tenant_url

from .models import Profile

ALL_PROFILES = frozenset(Profile)
READ_ONLY_PROFILES = frozenset({Profile.INSPECTOR})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

READ_ONLY_REFUSAL = "Votre accès est en lecture seule : vous pouvez consulter, mais pas modifier."
EXPIRED_MESSAGE = ("Votre accès à l'espace CPro de l'établissement a expiré. Pour le prolonger, adressez-vous au "
                   "chef d'établissement ou au DDFPT.")


def tenant_login_url(request) -> str:
    return tenant_url(request.establishment, "login")


def profile_required(*profiles: Profile):
    """Anonymous users go to their establishment's login page; other profiles get 403."""
    allowed = frozenset(profiles) or ALL_PROFILES

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), tenant_login_url(request))
            if user.access_expired():
                logout(request)
                messages.error(request, EXPIRED_MESSAGE)
                return redirect(tenant_login_url(request))
            if user.profile not in allowed:
                raise PermissionDenied("Votre profil ne donne pas accès à cette page.")
            if (user.profile in READ_ONLY_PROFILES and request.method not in SAFE_METHODS
                    and not getattr(view, "cpro_read_only_may_post", False)):
                raise PermissionDenied(READ_ONLY_REFUSAL)
            return view(request, *args, **kwargs)

        wrapper.cpro_profiles = allowed
        return wrapper

    return decorator


def read_only_may_post(view):
    """Lets read-only profiles (inspector) post to this view: only for their own account (password change)."""
    view.cpro_read_only_may_post = True
    return view


def public(view):
    """A page of the establishment's space open to anyone (the login page)."""
    view.cpro_public = True
    return view


def for_profiles(*profiles: Profile):
    """A ``visible(user)`` predicate for the core's registries (menu, home cards, tabs): these profiles only."""
    allowed = frozenset(profiles)

    def visible(user) -> bool:
        return getattr(user, "profile", None) in allowed

    visible.profiles = allowed
    return visible


# Who opens Paramètres, who opens an inspector's access, who manages users.
SETTINGS_PROFILES = (Profile.ADMIN, Profile.HEAD)
INSPECTOR_PROFILES = (Profile.HEAD, Profile.DDFPT)
USER_MANAGER_PROFILES = (Profile.ADMIN, Profile.HEAD, Profile.DDFPT)
