"""Authentication by (establishment, login, password), and the lockout key used by django-axes."""

from django.contrib.auth.backends import BaseBackend

from establishments.scoping import scopes_disabled

from .former_learners import has_former_learner_access
from .models import User


def _find_user(establishment, login: str) -> User | None:
    with scopes_disabled():
        return (
            User.objects.select_related("establishment")
            .filter(establishment=establishment, login__iexact=login.strip())
            .first()
        )


class EstablishmentLoginBackend(BaseBackend):
    """``authenticate(request, establishment=…, username=…, password=…)``.

    ``establishment=None`` is the platform staff (Django admin). Unknown users and initial passwords cost one
    password hash like the others, so response times do not tell which logins exist.
    """

    def authenticate(self, request, username=None, password=None, establishment=None, **kwargs):
        if not username or password is None:
            return None
        user = _find_user(establishment, username)
        if user is None or user.has_initial_password:
            User().set_password(password)  # same cost as a real check
        if user is None:
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user: User) -> bool:
        # A learner who left keeps a passport-only access for 12 months (accounts.former_learners).
        if not user.is_active and not has_former_learner_access(user):
            return False
        return user.establishment is None or user.establishment.is_active

    def get_user(self, user_id):
        with scopes_disabled():
            user = User.objects.select_related("establishment").filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        return user


def lockout_key(request, credentials: dict | None) -> str:
    """Failures are counted per establishment + login (never per IP alone: a school shares one address)."""
    if credentials is None:
        establishment = getattr(request, "establishment", None)
        login = request.POST.get("username", "") if request is not None else ""
    else:
        establishment = credentials.get("establishment")
        login = credentials.get("username") or ""
    uai = establishment.uai if establishment is not None else "plateforme"
    login = login.strip().lower()
    return f"{uai}:{login}"
