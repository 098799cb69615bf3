"""What is entered on a work period: apps register a counter per kind of content, without periods importing them.

``register_period_use(key, label, count)``: ``label`` names the content in French, plural-ready (« fiche(s)
activité(s) »); ``count(period_ids) → {period id: number}`` answers for many periods in one query. Deleting a
period deletes what was entered on it: the confirmation page lists these counts and the journal records them.

The periods app registers its own: the learners placed on the period and the days done entered for them
(``periods.registrations``); the portfolio (fiches activités) and the bilan entreprise (observations) register
theirs in their own app.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

Counter = Callable[[set[int]], dict[int, int]]


@dataclass(frozen=True)
class PeriodUse:
    key: str
    label: str
    count: Counter


_uses: dict[str, PeriodUse] = {}


def register_period_use(key: str, label: str, count: Counter) -> Counter:
    _uses[key] = PeriodUse(key=key, label=label, count=count)
    return count


def unregister_period_use(key: str) -> None:
    _uses.pop(key, None)


def uses_of(period_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{period id: {key: number}}`` for every registered use with a number above zero (one query per use)."""
    ids = set(period_ids)
    result: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    if not ids:
        return result
    for use in _uses.values():
        for pk, number in use.count(ids).items():
            if number and pk in result:
                result[pk][use.key] = number
    return result


def lines(uses: dict[str, int]) -> list[str]:
    """« 24 apprenant(s) affecté(s) », « 310 jour(s) effectué(s) saisi(s) »… in registration order."""
    return [f"{uses[key]} {use.label}" for key, use in _uses.items() if uses.get(key)]


def describe(uses: dict[str, int]) -> str:
    return ", ".join(lines(uses))
