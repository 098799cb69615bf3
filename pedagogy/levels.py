"""The proposed level of a competency: computed from its observations, recent ones weighing more.

The formula (README « Niveau proposé »), for one learner, one competency and a reference date ``on``:

- the observations counted are those dated on or before ``on`` with a level from 1 to 4 (NE is « not evaluated »
  and never counts); an observation of a criterion counts for its competency, like one of the whole competency;
- each observation weighs ``w = t × 0.5 ** (age / h)``: ``age`` is the number of days between its date and ``on``,
  ``h`` the establishment's half-life (``EvaluationSettings.half_life_days``, 90 days by default), ``t`` the
  weight of its type (formative 1, certificative 2, en entreprise 1 by default); an observation whose type weighs
  0 does not count at all (nor in the number of observations);
- the score is the weighted mean ``Σ w × level / Σ w``; the proposed level is the score rounded to the nearest
  degree, halves upwards (2.5 → 3), with a tolerance of 1e-9 so that a half computed in floating point (2.4999…)
  still goes up. No counted observation: no proposed level (shown as NE).

The weights are computed relative to the most recent counted observation (``0.5 ** ((age − youngest age) / h)``):
the same ratios, hence the same mean, but old observations never underflow to a zero weight.

The proposed level is only ever shown as « proposé »: a teacher retains levels in a bilan; nothing is validated
automatically. Pure functions, no query: callers load the observations once (``pedagogy.selectors``).
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .evaluation_models import EvaluationType


@dataclass(frozen=True)
class Parameters:
    half_life_days: int = 90
    type_weights: dict = field(default_factory=lambda: {
        EvaluationType.FORMATIVE: 1.0, EvaluationType.CERTIFICATIVE: 2.0, EvaluationType.COMPANY: 1.0})

    @classmethod
    def of(cls, settings) -> "Parameters":
        """From an ``EvaluationSettings`` row (``None``: the defaults)."""
        if settings is None:
            return cls()
        return cls(half_life_days=max(1, settings.half_life_days or 1), type_weights={
            EvaluationType.FORMATIVE: float(settings.formative_weight),
            EvaluationType.CERTIFICATIVE: float(settings.certificative_weight),
            EvaluationType.COMPANY: float(settings.company_weight)})


@dataclass
class Proposal:
    level: int | None  # 1–4, or None when nothing counts
    score: float | None
    count: int  # observations counted
    observation_ids: list[int]


TOLERANCE = 1e-9


def type_weight(observation, parameters: Parameters) -> float:
    return float(parameters.type_weights.get(observation.type, 1.0))


def weight(observation, on: date, parameters: Parameters) -> float:
    """``t × 0.5 ** (age / h)`` (the absolute weight, as documented; ``propose`` uses relative ones)."""
    age = max(0, (on - observation.date).days)
    return type_weight(observation, parameters) * 0.5 ** (age / parameters.half_life_days)


def round_level(score: float) -> int:
    """Nearest degree, halves upwards: 2.5 → 3, 2.49 → 2; 2.4999999999 (a half in floating point) → 3."""
    return min(4, max(1, math.floor(score + 0.5 + TOLERANCE)))


def counted(observation, on: date, parameters: Parameters) -> bool:
    return (bool(observation.level) and observation.date <= on
            and type_weight(observation, parameters) > 0)


def propose(observations: Iterable, on: date, parameters: Parameters | None = None) -> Proposal:
    """The proposed level from the observations of one learner on one competency (any order)."""
    parameters = parameters or Parameters()
    rows = [o for o in observations if counted(o, on, parameters)]
    if not rows:
        return Proposal(level=None, score=None, count=0, observation_ids=[])
    youngest = min(max(0, (on - o.date).days) for o in rows)
    total = weighted = 0.0
    for observation in rows:
        age = max(0, (on - observation.date).days) - youngest
        w = type_weight(observation, parameters) * 0.5 ** (age / parameters.half_life_days)
        total += w
        weighted += w * observation.level
    if total <= 0:  # cannot happen (the youngest weighs its type weight > 0); kept as a guard
        return Proposal(level=None, score=None, count=0, observation_ids=[])
    score = weighted / total
    return Proposal(level=round_level(score), score=score, count=len(rows), observation_ids=[o.pk for o in rows])


def propose_many(observations: Iterable, on: date, parameters: Parameters | None = None) -> dict:
    """``{(learner_id, competency_id): Proposal}`` for observations of many learners and competencies."""
    grouped: dict[tuple[int, int], list] = {}
    for observation in observations:
        grouped.setdefault((observation.learner_id, observation.competency_id), []).append(observation)
    return {key: propose(rows, on, parameters) for key, rows in grouped.items()}


def as_decimal(score: float | None) -> Decimal | None:
    return None if score is None else Decimal(str(round(score, 2)))
