from __future__ import annotations

import json
import random
from typing import Any

import pytest

from brandfit.errors import InvalidInputError, UnknownLabelError
from brandfit.predict import Predictor
from brandfit.scoring import Ranking, ScoreCard, rank_influencers, score_influencer
from brandfit.scoring.resolve import UnknownNameError
from tests.scoring.conftest import FIT, HOSTILE, OFF_NICHE, UNSAFE, creator


def test_rank_fitting_creator_beats_off_niche_unsafe_and_brand_hostile(
    predictor: Predictor, brand: dict[str, Any]
) -> None:
    candidates = [
        creator("@off", OFF_NICHE),
        creator("@unsafe", UNSAFE),
        creator("@hostile", HOSTILE),
        creator("@fit", FIT),
    ]
    ranking = rank_influencers(candidates, brand, predictor)
    by_handle = {card.handle: card for card in ranking}
    assert ranking[0].handle == "@fit"
    assert [card.rank for card in ranking] == [1, 2, 3, 4]
    fit = by_handle["@fit"].score
    for handle in ("@off", "@unsafe", "@hostile"):
        assert by_handle[handle].score < fit - 10, (handle, by_handle[handle].score, fit)
    # each loses on the component that makes it a bad fit
    assert by_handle["@off"].components["niche"].value < 0.3
    assert by_handle["@unsafe"].components["safety"].value < 0.3
    assert by_handle["@hostile"].components["brand_sentiment"].value < 0.2
    assert by_handle["@hostile"].components["brand_sentiment"].detail["stance"] == "detractor"
    assert by_handle["@fit"].components["brand_sentiment"].detail["stance"] == "advocate"


def test_rank_evidence_names_the_posts_and_terms_that_drove_each_component(
    predictor: Predictor, brand: dict[str, Any]
) -> None:
    card = score_influencer(creator("@unsafe", UNSAFE), brand, predictor)
    safety = card.components["safety"]
    flagged = {item["post_id"] for item in safety.detail["flagged"] if item["avoided"]}
    assert {"@unsafe-1", "@unsafe-2", "@unsafe-3"} <= flagged
    assert all(
        item["garm_category"] and item["risk"] in {"low", "medium", "high", "floor"}
        for item in safety.detail["flagged"]
    )
    assert safety.evidence and all(e.post_id in flagged and e.terms for e in safety.evidence)
    fit = score_influencer(creator("@fit", FIT), brand, predictor)
    niche = fit.components["niche"]
    assert niche.evidence[0].label == "fitness_&_health"
    assert any("#fitness" in e.terms or "fitness" in e.terms for e in niche.evidence)
    values = fit.components["values"]
    custom = [e for e in values.evidence if e.label == "supports:sustainability"]
    assert custom and custom[0].terms == ["recycled"] and custom[0].post_id == "@fit-2"


def test_rank_custom_values_count_supporting_mentions(predictor: Predictor) -> None:
    brand = {
        "name": "Thrift Co",
        "values": [{"name": "circular", "terms": ["thrifted", "second hand"]}],
    }
    none = score_influencer(creator("@a", ["leg day at the gym"]), brand, predictor)
    some = score_influencer(
        creator("@b", ["thrifted this jacket", "Second hand is best hand"]), brand, predictor
    )
    assert none.components["values"].value == 0.5
    assert some.components["values"].value > 0.7
    assert some.components["values"].detail["per_value"]["circular"]["source"] == "terms"


def test_rank_competitor_praise_costs_and_is_reported(
    predictor: Predictor, brand: dict[str, Any]
) -> None:
    card = score_influencer(
        creator("@c", ["love this so much @strivewear", "leg day at the gym #fitness"]),
        brand,
        predictor,
    )
    component = card.components["competitor_sentiment"]
    assert component.value is not None and component.value < 0.5
    assert component.detail["per_competitor"] == {"Strive": 1}
    assert card.coverage.competitor_mentions == 1


def test_rank_weak_signal_posts_are_counted_and_down_weighted(
    predictor: Predictor, brand: dict[str, Any]
) -> None:
    card = score_influencer(creator("@w", [*FIT, "", "😀😀😀"]), brand, predictor)
    assert card.coverage.posts == card.coverage.posts_scored == 7
    assert card.coverage.weak_signal_posts >= 2
    assert card.coverage.weak_signal_flags.get("empty_text") == 1


def test_rank_card_records_settings_versions_and_disclosure(
    predictor: Predictor, brand: dict[str, Any]
) -> None:
    card = score_influencer(creator("@fit", FIT), brand, predictor)
    assert isinstance(card, ScoreCard)
    assert (
        card.engagement_settings["tiers"]["macro"] == 1_000_000
        and card.engagement_settings["formula"] == "per_follower"
    )
    assert card.model_versions == predictor.versions
    assert card.disclosure["counts"]["clear"] == 1
    data = json.loads(json.dumps(card.to_dict()))
    assert set(data["components"]) == {
        "niche",
        "values",
        "safety",
        "brand_sentiment",
        "competitor_sentiment",
        "engagement",
        "audience",
    }
    assert all(c["value"] is None or 0.0 <= c["value"] <= 1.0 for c in data["components"].values())


def test_rank_unknown_names_raise_with_field_path(
    predictor: Predictor, brand: dict[str, Any]
) -> None:
    for field, bad, loc in (
        ("niches", ["fashion"], ("brand", "niches", 0)),
        ("values", ["veganism"], ("brand", "values", 0)),
        ("avoid", ["nudity"], ("brand", "avoid", 0)),
    ):
        with pytest.raises(UnknownNameError) as info:
            score_influencer(creator("@a", FIT), dict(brand, **{field: bad}), predictor)
        assert info.value.loc == loc
        assert repr(bad[0]) in str(info.value)
        assert isinstance(info.value, UnknownLabelError)


def test_rank_value_aliases_resolve_to_the_known_value(predictor: Predictor) -> None:
    card = score_influencer(
        creator("@a", FIT), {"name": "B", "values": ["climate_action"]}, predictor
    )
    assert list(card.components["values"].detail["per_value"]) == ["climate"]


def test_rank_rejects_duplicate_handles_and_bad_influencers(
    predictor: Predictor, brand: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError, match="duplicate influencer handle"):
        rank_influencers([creator("@a", FIT), creator("@a", FIT)], brand, predictor)
    with pytest.raises(InvalidInputError, match=r"influencers\[1\].*followers"):
        rank_influencers([creator("@a", FIT), {"handle": "@b", "posts": []}], brand, predictor)


def test_rank_is_independent_of_input_order(predictor: Predictor, brand: dict[str, Any]) -> None:
    candidates = [
        creator("@off", OFF_NICHE),
        creator("@unsafe", UNSAFE),
        creator("@hostile", HOSTILE),
        creator("@fit", FIT),
    ]
    first = rank_influencers(candidates, brand, predictor).to_frame()
    random.Random(0).shuffle(candidates)
    again = rank_influencers(candidates, brand, predictor).to_frame()
    assert first.equals(again)


def test_rank_to_frame_is_one_flat_row_per_creator(
    predictor: Predictor, brand: dict[str, Any]
) -> None:
    ranking = rank_influencers(
        [creator("@fit", FIT), creator("@off", OFF_NICHE)], brand, predictor, top=1
    )
    assert isinstance(ranking, Ranking) and len(ranking) == 1
    frame = ranking.to_frame()
    assert list(frame["handle"]) == ["@fit"]
    assert {
        "rank",
        "score",
        "niche",
        "safety",
        "engagement_rate",
        "tier",
        "likely_undisclosed",
        "model_versions",
    } <= set(frame.columns)


def test_rank_creator_without_posts_scores_on_numbers_only(
    predictor: Predictor, brand: dict[str, Any]
) -> None:
    card = score_influencer({"handle": "@empty", "followers": 10}, brand, predictor)
    assert card.components["niche"].status == "no_posts"
    assert card.coverage.posts == 0
    assert 0.0 <= card.score <= 100.0


def test_rank_silenced_posts_are_never_flagged_unsafe(
    predictor: Predictor, brand: dict[str, Any]
) -> None:
    card = score_influencer(creator("@quiet", ["", "   ", "😀😀"]), brand, predictor)
    assert card.components["safety"].detail["flagged"] == []
    assert card.components["safety"].value == 1.0
