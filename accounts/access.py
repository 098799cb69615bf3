"""Per-object access rules, in one place: who may see or change what, and which learners a user may see.

The profile gate (``accounts.permissions.profile_required``) decides which *pages* a profile may open; this module
decides which *objects* a user may reach on them. Views ask it and never test profiles against objects themselves:

- ``visible_learners(user)``, ``visible_divisions(user)``, ``visible_groups(user)``: querysets (lazy, one query
  when evaluated, whatever their size). Lists filter with them; a page about one object looks the object up in
  them, so an object the user may not see is a 404, exactly like another establishment's.
- ``can(user, action, obj)`` with ``action`` ``"view"`` or ``"change"``: at most one query, never one per row;
  ``get_or_404(user, action, Model_or_queryset, pk=…)`` for a view: the object, or 404 when it is not allowed.
- ``visible_rows(user, queryset, learner_field)``: rows of learner data (evaluations, book entries…) restricted to
  the learners the user may see.

Who sees which learners:

============================  ============================================================  =================
profile                       learners                                                      may change
============================  ============================================================  =================
administrateur, chef, DDFPT   the whole establishment                                       yes
enseignant                    learners of the classes (``divisions_taught``) and groups     yes
                              (``teaching_groups``) STS says they teach
apprenant                     themself                                                      their own data
responsable                   the learners linked to them (``GuardianLink``)                no
tuteur                        the learners of their work periods (filled by the periods     yes
                              app through ``register_learner_source``; nobody until then)
inspecteur                    the whole establishment                                       never (read-only)
============================  ============================================================  =================

Platform staff (no establishment), deactivated accounts and expired accesses see nothing in an establishment's
space; a learner who left keeps sight of themself (their passport). Learners are returned active and deactivated
alike: a list of current learners filters ``is_active`` itself.

Higher apps plug in without this module importing them (the accounts layer never imports a higher one):

- ``register_learner_source(profile, source)``: ``source(user) → Q`` over learners, OR-ed into what ``profile``
  sees (the periods app declares a tutor's learners this way).
- ``register_rule(Model)(rule)``: ``rule(user, action, obj) → bool`` for the app's own objects, called once the
  common checks passed (same establishment, active account, read-only profiles never change). Two ready-made
  rules: ``learner_owned("learner")`` (the object belongs to a learner: allowed when that learner is visible) and
  ``establishment_wide(view=…, change=…)`` (e.g. scenarios, shared by all the establishment's teachers).

Account management (deactivate, reset a password, change an e-mail) is a matter of rank, decided by
``accounts.services.can_manage``; it comes on top of ``can(user, "view", account)``.
"""

from collections.abc import Callable, Iterable

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from establishments.models import Division, TeachingGroup

from .models import Profile, User

VIEW = "view"
CHANGE = "change"
ACTIONS = frozenset({VIEW, CHANGE})

# Profiles that see the whole establishment.
ESTABLISHMENT_WIDE = frozenset({Profile.ADMIN, Profile.HEAD, Profile.DDFPT, Profile.INSPECTOR})
# Profiles that may change what they see (a learner: only their own data). The inspector and guardians only read.
MAY_CHANGE = frozenset({Profile.ADMIN, Profile.HEAD, Profile.DDFPT, Profile.TEACHER, Profile.LEARNER,
                        Profile.TUTOR})
# Profiles that run the establishment: they change classes, groups and other accounts' data.
MANAGERS = frozenset({Profile.ADMIN, Profile.HEAD, Profile.DDFPT})

LearnerSource = Callable[[User], Q]
Rule = Callable[[User, str, Model], bool]

_learner_sources: dict[str, list[LearnerSource]] = {}
_rules: dict[type, Rule] = {}


# Registration (for higher apps) ----------------------------------------------------------------------------------


def register_learner_source(profile: str, source: LearnerSource) -> LearnerSource:
    """Adds the learners ``source(user)`` (a ``Q`` over learner accounts) to what users of ``profile`` see.

    Example (periods app): ``register_learner_source(Profile.TUTOR, lambda user: Q(work_periods__tutor=user))``.
    """
    sources = _learner_sources.setdefault(str(profile), [])
    if source not in sources:
        sources.append(source)
    return source


def register_rule(model: type[Model]) -> Callable[[Rule], Rule]:
    """Decorator: ``rule(user, action, obj) → bool`` answers ``can()`` for objects of ``model``."""

    def decorator(rule: Rule) -> Rule:
        _rules[model] = rule
        return rule

    return decorator


def learner_owned(learner_field: str = "learner") -> Rule:
    """A rule for learner data: visible when its learner is; changed by the profiles that may change."""

    def rule(user: User, action: str, obj: Model) -> bool:
        if action == CHANGE and user.profile == Profile.GUARDIAN:
            return False
        if user.profile in ESTABLISHMENT_WIDE:
            return True
        if learner_field == "learner" and user.profile == Profile.LEARNER:
            return getattr(obj, "learner_id", None) == user.pk
        return type(obj).objects.filter(
            pk=obj.pk, **{f"{learner_field}__in": visible_learners(user).values("pk")}).exists()

    return rule


def establishment_wide(view: Iterable[str], change: Iterable[str] = ()) -> Rule:
    """A rule for establishment resources: every user of a ``view`` profile sees them all, and so on."""
    view, change = frozenset(view), frozenset(change)

    def rule(user: User, action: str, obj: Model) -> bool:
        return user.is_active and user.profile in (change if action == CHANGE else view | change)

    return rule


# Querysets ----------------------------------------------------------------------------------------------------


def _in_space(user) -> bool:
    """A user of an establishment, able to act in it (not platform staff, anonymous, nor an expired access)."""
    return (bool(getattr(user, "is_authenticated", False)) and getattr(user, "establishment_id", None) is not None
            and not user.access_expired())


def visible_learners(user) -> QuerySet:
    """The learner accounts ``user`` may see (a lazy queryset: one query when evaluated)."""
    if not _in_space(user):
        return User.objects.none()
    learners = User.objects.filter(establishment_id=user.establishment_id, profile=Profile.LEARNER)
    if not user.is_active:
        # A learner who left keeps their passport for a while; nobody else sees anything.
        return learners.filter(pk=user.pk) if user.profile == Profile.LEARNER else learners.none()
    if user.profile in ESTABLISHMENT_WIDE:
        return learners
    if user.profile == Profile.LEARNER:
        rule = Q(pk=user.pk)
    elif user.profile == Profile.TEACHER:
        rule = Q(division__teachers=user) | Q(teaching_groups__members=user)
    elif user.profile == Profile.GUARDIAN:
        rule = Q(guardian_links__guardian=user)
    else:
        rule = None  # nobody, unless a source says otherwise (tutors: their work periods)
    for source in _learner_sources.get(str(user.profile), ()):
        rule = source(user) if rule is None else rule | source(user)
    if rule is None:
        return learners.none()
    # The joins may repeat a learner: the rule goes into a subquery so each learner comes once.
    return learners.filter(pk__in=User.objects.filter(rule).values("pk"))


def visible_divisions(user) -> QuerySet:
    """The classes whose list ``user`` may open: all of them for the establishment's staff, the classes a
    teacher teaches; none for the others (they see learners, not classes)."""
    if not _in_space(user) or not user.is_active:
        return Division.objects.none()
    divisions = Division.objects.filter(establishment_id=user.establishment_id)
    if user.profile in ESTABLISHMENT_WIDE:
        return divisions
    if user.profile == Profile.TEACHER:
        return divisions.filter(teachers=user)
    return divisions.none()


def visible_groups(user) -> QuerySet:
    """The teaching groups ``user`` may open: all for the establishment's staff, a teacher's own groups."""
    if not _in_space(user) or not user.is_active:
        return TeachingGroup.objects.none()
    groups = TeachingGroup.objects.filter(establishment_id=user.establishment_id)
    if user.profile in ESTABLISHMENT_WIDE:
        return groups
    if user.profile == Profile.TEACHER:
        return groups.filter(members=user)
    return groups.none()


def visible_rows(user, queryset: QuerySet, learner_field: str = "learner") -> QuerySet:
    """Rows of learner data (``queryset``) whose learner ``user`` may see, in the same single query."""
    return queryset.filter(**{f"{learner_field}__in": visible_learners(user).values("pk")})


# One object -------------------------------------------------------------------------------------------------


def get_or_404(user, action: str, queryset, **lookup) -> Model:
    """The object of ``queryset`` (a model or a queryset, read in the current establishment's scope) matching
    ``lookup``, if ``user`` may do ``action`` to it; else 404, as for an object that does not exist.

    A view's one line: ``learner = access.get_or_404(request.user, "change", User, pk=pk)``. For a POST,
    ask for ``"change"`` before writing anything.
    """
    obj = get_object_or_404(queryset, **lookup)
    if not can(user, action, obj):
        raise Http404("Vous n'avez pas accès à cet objet.")
    return obj



def _can_user(user: User, action: str, account: User) -> bool:
    if account.pk == user.pk:
        return action == VIEW or user.is_active
    if not user.is_active or user.profile == Profile.LEARNER:
        return False  # a learner sees no other account
    if account.profile == Profile.LEARNER:
        if action == CHANGE and user.profile == Profile.GUARDIAN:
            return False
        if user.profile in ESTABLISHMENT_WIDE:
            return True
        return visible_learners(user).filter(pk=account.pk).exists()
    # Other accounts (staff, guardians, tutors): the establishment's staff only.
    return user.profile in (MANAGERS if action == CHANGE else ESTABLISHMENT_WIDE)


def _can_division(user: User, action: str, division: Division) -> bool:
    if action == CHANGE:
        return user.profile in MANAGERS
    if user.profile in ESTABLISHMENT_WIDE:
        return True
    return user.profile == Profile.TEACHER and visible_divisions(user).filter(pk=division.pk).exists()


def _can_group(user: User, action: str, group: TeachingGroup) -> bool:
    if action == CHANGE:
        return user.profile in MANAGERS
    if user.profile in ESTABLISHMENT_WIDE:
        return True
    return user.profile == Profile.TEACHER and visible_groups(user).filter(pk=group.pk).exists()


_BUILT_IN: dict[type, Rule] = {User: _can_user, Division: _can_division, TeachingGroup: _can_group}


def can(user, action: str, obj: Model) -> bool:
    """May ``user`` do ``action`` (``"view"`` or ``"change"``) to ``obj``? At most one query.

    Objects of another establishment, platform staff, anonymous users: never. The read-only inspector: never
    ``"change"``. An object of a model with no rule raises ``LookupError``: each app declares its rules.
    """
    if action not in ACTIONS:
        raise ValueError(f"Action inconnue : {action!r} (attendu : {sorted(ACTIONS)})")
    rule = _BUILT_IN.get(type(obj)) or _rules.get(type(obj))
    if rule is None:
        raise LookupError(f"Aucune règle d'accès pour {type(obj).__name__} : déclarez-la avec register_rule().")
    if not _in_space(user) or getattr(obj, "establishment_id", None) != user.establishment_id:
        return False
    if action == CHANGE and user.profile not in MAY_CHANGE:
        return False
    if not user.is_active and not (user.profile == Profile.LEARNER and action == VIEW):
        # A learner who left may still read their own data (the passport); other deactivated accounts nothing.
        return False
    return rule(user, action, obj)
