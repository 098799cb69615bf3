"""The proposed level (README « Niveau proposé »), on examples worked by hand from the documented formula:

    w = t × 0.5 ** (age / h);  score = Σ w × level / Σ w;  level = score rounded to the nearest degree, halves up.

Defaults: h = 90 days, t = 1 (formative), 2 (certificative), 1 (en entreprise). NE, observations after the
reference date and observations of a type weighing 0 do not count.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from pedagogy.evaluation_models import EvaluationType
from pedagogy.levels import Parameters, propose, round_level

F, C, E = EvaluationType.FORMATIVE, EvaluationType.CERTIFICATIVE, EvaluationType.COMPANY
ON = date(2027, 3, 31)


@dataclass
class Obs:
    pk: int
    level: int
    type: str
    date: date


def obs(*rows):
    """(level, type, days before ON) → observations."""
    return [Obs(pk=i, level=level, type=kind, date=ON - timedelta(days=age)) for i, (level, kind, age) in
            enumerate(rows, 1)]


def params(h=90, f=1.0, c=2.0, e=1.0):
    return Parameters(half_life_days=h, type_weights={F: f, C: c, E: e})


def test_one_observation_is_its_own_level():
    proposal = propose(obs((3, F, 0)), ON)
    assert (proposal.level, proposal.score, proposal.count) == (3, 3.0, 1)


def test_certificative_weighs_twice_a_formative_of_the_same_day():
    # (1 × 2 + 2 × 4) / (1 + 2) = 10 / 3 = 3.33 → 3
    proposal = propose(obs((2, F, 0), (4, C, 0)), ON)
    assert proposal.score == pytest.approx(10 / 3)
    assert proposal.level == 3


def test_an_observation_one_half_life_old_weighs_half():
    # level 1 aged 90 days: w = 0.5; level 4 today: w = 1 → (0.5 × 1 + 1 × 4) / 1.5 = 3.0
    proposal = propose(obs((1, F, 90), (4, F, 0)), ON)
    assert proposal.score == pytest.approx(3.0)
    assert proposal.level == 3


def test_recent_progress_outweighs_old_failures():
    # three level-1 formatives 180 days old (w = 0.25 each) and one level-3 certificative today (w = 2):
    # (0.75 × 1 + 2 × 3) / 2.75 = 6.75 / 2.75 = 2.4545… → 2
    proposal = propose(obs((1, F, 180), (1, F, 180), (1, F, 180), (3, C, 0)), ON)
    assert proposal.score == pytest.approx(6.75 / 2.75)
    assert proposal.level == 2


def test_halves_round_up():
    assert propose(obs((2, F, 0), (3, F, 0)), ON).level == 3  # 2.5 → 3
    assert propose(obs((1, F, 0), (2, F, 0)), ON).level == 2  # 1.5 → 2
    assert round_level(2.49) == 2


def test_a_half_computed_in_floating_point_still_rounds_up():
    # formative weighs 0.1, certificative 0.3, same day: (0.1 × 1 + 0.3 × 3) / 0.4 = 2.5 exactly,
    # which floating point computes as 2.4999999999999996.
    proposal = propose(obs((1, F, 0), (3, C, 0)), ON, params(f=0.1, c=0.3))
    assert proposal.score == pytest.approx(2.5)
    assert proposal.level == 3
    # 0.3 and 0.3: (0.3 × 3 + 0.3 × 4) / 0.6 = 3.5 → 4
    assert propose(obs((3, F, 0), (4, C, 0)), ON, params(f=0.3, c=0.3)).level == 4


def test_ne_and_later_observations_do_not_count():
    proposal = propose(obs((0, F, 0), (4, F, 10), (1, F, -5)), ON)  # NE today, 4 ten days ago, 1 after ON
    assert (proposal.level, proposal.count) == (4, 1)
    assert proposal.observation_ids == [2]


def test_no_counted_observation_gives_no_level():
    proposal = propose(obs((0, F, 0)), ON)
    assert (proposal.level, proposal.score, proposal.count, proposal.observation_ids) == (None, None, 0, [])
    assert propose([], ON).level is None


def test_a_type_weighing_zero_is_excluded_not_counted():
    # en entreprise weighs 0: the level-1 company observation is left out; the formative 3 alone gives 3.
    proposal = propose(obs((1, E, 0), (3, F, 30)), ON, params(e=0))
    assert (proposal.level, proposal.count, proposal.observation_ids) == (3, 1, [2])
    assert propose(obs((1, E, 0)), ON, params(e=0)).level is None


def test_the_half_life_is_the_establishments():
    # h = 30: level 4 certificative aged 30 days (w = 2 × 0.5 = 1) and level 1 formative today (w = 1) → 2.5 → 3
    assert propose(obs((4, C, 30), (1, F, 0)), ON, params(h=30)).score == pytest.approx(2.5)
    # h = 30: level 2 certificative aged 60 days (w = 2 × 0.25 = 0.5), level 4 formative today (w = 1):
    # (0.5 × 2 + 1 × 4) / 1.5 = 3.33 → 3
    proposal = propose(obs((2, C, 60), (4, F, 0)), ON, params(h=30))
    assert proposal.score == pytest.approx(5 / 1.5)
    assert proposal.level == 3


def test_very_old_observations_keep_their_relative_weights():
    # h = 1 day, observations 2000 and 2001 days old: their absolute weights underflow to 0 in floating point;
    # the ratios stay (2001 days: half of 2000 days): (1 × 2 + 0.5 × 4) / 1.5 = 2.67 → 3.
    proposal = propose(obs((2, F, 2000), (4, F, 2001)), ON, params(h=1))
    assert proposal.score == pytest.approx(4 / 1.5)
    assert proposal.level == 3


def test_parameters_come_from_the_establishment_settings(db, establishment):
    from establishments.scoping import scope
    from pedagogy.evaluation_models import EvaluationSettings
    from pedagogy.evaluation_settings import parameters_for

    with scope(establishment=establishment):
        assert parameters_for(establishment) == Parameters()
        EvaluationSettings.objects.create(establishment=establishment, half_life_days=30, formative_weight=1,
                                          certificative_weight=3, company_weight=0)
        loaded = parameters_for(establishment)
    assert loaded.half_life_days == 30
    assert loaded.type_weights == {F: 1.0, C: 3.0, E: 0.0}
