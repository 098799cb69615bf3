"""What other apps keep on a work period, counted for the period's deletion confirmation.

The periods layer knows no app above it: an app that stores data on a period (pedagogy's bilans entreprise and
observations) registers ``register_period_use(label, count_fn)`` with ``count_fn(period) -> int``;
``period_content_counts(period)`` lists ``(label, count)`` for every registered use.
"""

from collections.abc import Callable

_USES: dict[str, Callable] = {}


def register_period_use(label: str, count_fn: Callable) -> Callable:
    _USES[label] = count_fn
    return count_fn


def period_content_counts(period) -> list[tuple[str, int]]:
    return [(label, count_fn(period)) for label, count_fn in _USES.items()]
