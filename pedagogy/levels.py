"""The proposed level of a competency: computed from its observations, recent ones weighing more.

The formula (README « Niveau proposé »), for one learner, one competency and a reference date ``on``:

- the observations counted are those dated on or before ``on`` with a level from 1 to 4 (NE is « not evaluated »
  and never counts); an observation of a criterion counts for its competency, like one of the whole competency;
- each observation weighs ``w = t × 0.5 ** (age / h)``: ``age`` is the number of days between its date and ``on``,
  ``h`` the establishment's half-life (``EvaluationSettings.half_life_days``, 90 days by default), ``t`` the
  weight of its type (formative 1, certificative 2, en entreprise 1 by default);
- the score is the weighted mean ``Σ w × level / Σ w``; the proposed level is the score rounded to the nearest
  degree, halves upwards (2.5 → 3). No counted observation: no proposed level (shown as NE).

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
        return cls(half_life_days=max(1, settings.half_life_days), type_weights={
            EvaluationType.FORMATIVE: float(settings.formative_weight),
            EvaluationType.CERTIFICATIVE: float(settings.certificative_weight),
            EvaluationType.COMPANY: float(settings.company_weight)})


@dataclass
class Proposal:
    level: int | None  # 1–4, or None when nothing counts
    score: float | None
    count: int  # observations counted
    observation_ids: list[int]


def weight(observation, on: date, parameters: Parameters) -> float:
    age = max(0, (on - observation.date).days)
    return float(parameters.type_weights.get(observation.type, 1.0)) * 0.5 ** (age / parameters.half_life_days)


def round_level(score: float) -> int:
    """Nearest degree, halves upwards: 2.5 → 3, 2.49 → 2."""
    return min(4, max(1, math.floor(score + 0.5)))


def propose(observations: Iterable, on: date, parameters: Parameters | None = None) -> Proposal:
    """The proposed level from the observations of one learner on one competency (any order)."""
    parameters = parameters or Parameters()
    total = weighted = 0.0
    ids = []
    for observation in observations:
        if not observation.level or observation.date > on:
            continue
        w = weight(observation, on, parameters)
        total += w
        weighted += w * observation.level
        ids.append(observation.pk)
    if not ids or total <= 0:
        return Proposal(level=None, score=None, count=0, observation_ids=[])
    score = weighted / total
    return Proposal(level=round_level(score), score=score, count=len(ids), observation_ids=ids)


def propose_many(observations: Iterable, on: date, parameters: Parameters | None = None) -> dict:
    """``{(learner_id, competency_id): Proposal}`` for observations of many learners and competencies."""
    grouped: dict[tuple[int, int], list] = {}
    for observation in observations:
        grouped.setdefault((observation.learner_id, observation.competency_id), []).append(observation)
    return {key: propose(rows, on, parameters) for key, rows in grouped.items()}


def as_decimal(score: float | None) -> Decimal | None:
    return None if score is None else Decimal(str(round(score, 2)))
