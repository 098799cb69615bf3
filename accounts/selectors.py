"""Reads of accounts for the management pages. Each list runs a fixed number of queries, whatever its size."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from establishments.models import AuditEntry, Division

from . import access
from .models import Profile, User


class Status:
    ACTIVE = "actifs"
    INACTIVE = "desactives"
    ALL = "tous"
    CHOICES = [(ACTIVE, "Actifs"), (INACTIVE, "Désactivés"), (ALL, "Tous")]


def _search(queryset: QuerySet, query: str) -> QuerySet:
    for word in query.split()[:5]:
        queryset = queryset.filter(
            Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(login__icontains=word)
            | Q(email__icontains=word)
        )
    return queryset


def user_list(establishment, *, profile: str = "", query: str = "", status: str = Status.ACTIVE) -> QuerySet:
    """The establishment's accounts, filtered; the class is fetched in the same query."""
    users = User.objects.filter(establishment=establishment).select_related("division")
    if status == Status.ACTIVE:
        users = users.filter(is_active=True)
    elif status == Status.INACTIVE:
        users = users.filter(is_active=False)
    users = _search(users, query.strip())
    if profile:
        users = users.filter(profile=profile)
    return users.order_by("last_name", "first_name", "login")


def profile_counts(establishment, *, query: str = "", status: str = Status.ACTIVE) -> dict[str, int]:
    """How many accounts of each profile the current search finds (one query)."""
    users = user_list(establishment, query=query, status=status).order_by()
    counts = dict(users.values_list("profile").annotate(n=Count("pk")).values_list("profile", "n"))
    return {p.value: counts.get(p.value, 0) for p in Profile}


@dataclass(frozen=True)
class LearnerAccess:
    user: User
    login: str
    initial_password: str | None
    state: str  # "initial", "sent" (temporary password sent by e-mail), "changed"

    @property
    def password_display(self) -> str:
        if self.state == "initial":
            return self.initial_password
        if self.state == "sent":
            return "envoyé par e-mail"
        return "modifié"


def _learners(establishment, viewer):
    """Learner accounts of the establishment; only those ``viewer`` may see when given (accounts.access)."""
    learners = access.visible_learners(viewer) if viewer is not None else User.objects.filter(profile=Profile.LEARNER)
    return learners.filter(establishment=establishment)


def divisions_with_learners(establishment, viewer=None) -> list[Division]:
    """Classes (those ``viewer`` may open) with their number of active learners (``learner_count``), one query."""
    divisions = access.visible_divisions(viewer) if viewer is not None else Division.objects.all()
    return list(
        divisions.filter(establishment=establishment)
        .annotate(learner_count=Count("learners", filter=Q(learners__is_active=True,
                                                            learners__profile=Profile.LEARNER)))
        .order_by("code")
    )


def learner_access_rows(establishment, division: Division | None, viewer=None) -> list[LearnerAccess]:
    """The active learners of ``division`` (``None``: learners without a class) with what to hand them out."""
    learners = _learners(establishment, viewer).filter(is_active=True, division=division).order_by(
        "last_name", "first_name", "login")
    rows = []
    for learner in learners:
        learner.establishment = establishment  # the initial password needs it: no query per learner
        password = learner.initial_password()
        if password is not None:
            state = "initial"
        elif learner.created_by_hand and learner.must_change_password:
            state = "sent"
        else:
            state = "changed"
        rows.append(LearnerAccess(user=learner, login=learner.login, initial_password=password, state=state))
    return rows


def learners_without_division_count(establishment, viewer=None) -> int:
    return _learners(establishment, viewer).filter(is_active=True, division__isnull=True).count()


def audit_entries(establishment, *, query: str = "") -> QuerySet:
    entries = AuditEntry.objects.filter(establishment=establishment)
    for word in query.split()[:5]:
        entries = entries.filter(Q(actor_name__icontains=word) | Q(target__icontains=word)
                                 | Q(action__icontains=word))
    return entries.order_by("-created_at", "-pk")


def inspectors(establishment) -> QuerySet:
    return User.objects.filter(establishment=establishment, profile=Profile.INSPECTOR).order_by(
        "-is_active", "last_name", "first_name")
