"""Which référentiel versions are used by learners' evidence (and so are immutable).

The référentiels sit below the modules that hold evidence (scénarios, grids, bilans, PFMP…), so they cannot
query them. Each of those modules registers a check at start-up (in its ``AppConfig.ready``)::

    from referentiels.usage import register_usage_check

    register_usage_check(lambda version_ids: set(Evaluation.objects.filter(...).values_list("version_id", flat=True)))

A check receives a set of version ids and returns the subset that its evidence points at (one query per check,
however many versions). The checks run with scopes disabled (``scopes_disabled()``, here): the evidence of every
establishment counts, and a check needs no scoping of its own.
A version is also used when the platform staff froze it by hand (``ReferentielVersion.frozen``).
"""

from collections.abc import Callable, Iterable

from establishments.scoping import scopes_disabled

UsageCheck = Callable[[set[int]], Iterable[int]]

_checks: list[UsageCheck] = []


def register_usage_check(check: UsageCheck) -> UsageCheck:
    """Declare a check (usable as a decorator); registering the same function twice keeps one."""
    if check not in _checks:
        _checks.append(check)
    return check


def unregister_usage_check(check: UsageCheck) -> None:
    if check in _checks:
        _checks.remove(check)


def used_version_ids(version_ids: Iterable[int]) -> set[int]:
    """The ids among ``version_ids`` that are frozen or that some registered evidence points at."""
    from referentiels.models import ReferentielVersion

    wanted = {v for v in version_ids if v is not None}
    if not wanted:
        return set()
    used = set(ReferentielVersion.objects.filter(pk__in=wanted, frozen=True).values_list("pk", flat=True))
    with scopes_disabled():  # evidence of every establishment freezes a version
        for check in list(_checks):
            remaining = wanted - used
            if not remaining:
                break
            used |= set(check(remaining)) & remaining
    return used


def is_version_used(version) -> bool:
    return version.pk in used_version_ids([version.pk])
