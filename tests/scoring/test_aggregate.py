from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brandfit.scoring.aggregate import FLOOR, combine
from brandfit.scoring.profile import COMPONENTS, Weights
from brandfit.scoring.results import Component


def comps(**values: float | None) -> dict[str, Component]:
    return {
        c: Component(values.get(c), "ok" if values.get(c) is not None else "no_evidence")
        for c in COMPONENTS
    }


def test_aggregate_geometric_is_the_documented_weighted_product() -> None:
    score, used = combine(comps(niche=0.9, safety=0.5), Weights(niche=3, safety=1))
    assert used["niche"] == 0.75 and used["safety"] == 0.25 and used["values"] == 0.0
    assert score == pytest.approx(100 * 0.9**0.75 * 0.5**0.25, abs=0.01)


def test_aggregate_arithmetic_is_the_weighted_mean() -> None:
    score, _ = combine(
        comps(niche=0.9, safety=0.5), Weights(niche=3, safety=1, combine="arithmetic")
    )
    assert score == pytest.approx(100 * (0.75 * 0.9 + 0.25 * 0.5), abs=0.01)


def test_aggregate_components_without_evidence_are_left_out_not_zeroed() -> None:
    with_none, used = combine(comps(niche=0.8, brand_sentiment=None), Weights())
    alone, _ = combine(comps(niche=0.8), Weights())
    assert with_none == alone == 80.0
    assert used["brand_sentiment"] == 0.0


def test_aggregate_one_zero_component_sinks_the_geometric_score() -> None:
    score, _ = combine(comps(niche=1.0, values=1.0, safety=0.0, engagement=1.0), Weights())
    assert score == pytest.approx(100 * FLOOR ** (3 / 10), abs=0.01)
    assert score < 30


def test_aggregate_nothing_to_go_on_scores_zero() -> None:
    score, used = combine(comps(), Weights())
    assert score == 0.0 and set(used.values()) == {0.0}


@given(
    st.lists(st.floats(0, 1), min_size=len(COMPONENTS), max_size=len(COMPONENTS)),
    st.sampled_from(["geometric", "arithmetic"]),
)
def test_aggregate_score_is_bounded_and_monotone(values: list[float], how: str) -> None:
    weights = Weights(combine=how)  # type: ignore[arg-type]
    base = dict(zip(COMPONENTS, values, strict=True))
    score, used = combine(comps(**base), weights)
    assert 0.0 <= score <= 100.0
    assert math.isclose(sum(used.values()), 1.0, abs_tol=1e-3)
    better = dict(base, niche=min(1.0, base["niche"] + 0.2))
    assert combine(comps(**better), weights)[0] >= score
