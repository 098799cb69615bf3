"""Who uses a scenario: later apps (evaluations, grids…) register a counter here, without pedagogy importing them.

``register_scenario_use(label, count)``: ``label`` names the use in French, plural-ready (« évaluation(s) »);
``count(scenario_ids) → {scenario id: number}`` answers for many scenarios in one query. The scenario list shows
the counts, and deleting a scenario is refused while any count is above zero.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

Counter = Callable[[set[int]], dict[int, int]]


@dataclass(frozen=True)
class ScenarioUse:
    key: str
    label: str  # « évaluation(s) »
    count: Counter


_uses: dict[str, ScenarioUse] = {}


def register_scenario_use(key: str, label: str, count: Counter) -> Counter:
    _uses[key] = ScenarioUse(key=key, label=label, count=count)
    return count


def unregister_scenario_use(key: str) -> None:
    _uses.pop(key, None)


def uses_of(scenario_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{scenario id: {key: number}}`` for every registered use (one query per use, whatever the number)."""
    ids = set(scenario_ids)
    result: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    if not ids:
        return result
    for use in _uses.values():
        for pk, number in use.count(ids).items():
            if number:
                result.setdefault(pk, {})[use.key] = number
    return result


def evaluations_count(uses: dict[str, int]) -> int:
    return uses.get("evaluations", 0)


def describe(uses: dict[str, int]) -> str:
    """« 2 évaluation(s), 1 grille(s) » — empty when the scenario is not used."""
    return ", ".join(f"{number} {_uses[key].label}" for key, number in uses.items() if key in _uses)
