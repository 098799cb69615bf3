"""Authentication by (establishment, login, password), and the lockout key used by django-axes."""

from django.contrib.auth.backends import BaseBackend
from django.db.models.functions import Lower

from establishments.scoping import scopes_disabled

from .former_learners import has_former_learner_access
from .logins import normalize_login
from .models import User

# The lockout key of a login that cannot exist (not ASCII…): it never reaches an account, and no real login
# contains a space, so it never shares a counter with one.
REFUSED_LOGIN_KEY = "identifiant refusé"


def _find_user(establishment, login: str) -> User | None:
    """The account of ``login`` (normalised as everywhere: ``accounts.logins.normalize_login``), or ``None``.

    Compares ``Lower(login)`` with the normalised ASCII value: the same on SQLite and PostgreSQL, and what the
    unique constraint on ``Lower(login)`` indexes. A login that is not ASCII is refused without a query.
    """
    normalized = normalize_login(login)
    if normalized is None:
        return None
    establishment_filter = {"establishment__isnull": True} if establishment is None else {
        "establishment": establishment}
    with scopes_disabled():
        return (
            User.objects.select_related("establishment")
            .alias(login_lower=Lower("login"))
            .filter(login_lower=normalized, **establishment_filter)
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
    return lockout_key_for(establishment, login)


def lockout_key_for(establishment, login: str) -> str:
    """``<uai>:<normalised login>`` (``plateforme:<login>`` for the platform console), as django-axes stores it."""
    uai = establishment.uai if establishment is not None else "plateforme"
    return f"{uai}:{normalize_login(login) or REFUSED_LOGIN_KEY}"
