from __future__ import annotations

import json
from pathlib import Path

import pytest

from brandfit.errors import InvalidInputError
from brandfit.scoring.profile import (
    BrandProfile,
    CustomValue,
    load_brand,
    parse_brand,
    parse_influencer,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_profile_json_and_toml_examples_are_the_same_brand() -> None:
    assert load_brand(EXAMPLES / "brand.toml") == load_brand(EXAMPLES / "brand.json")


def test_profile_reads_custom_values_and_avoid_sensitivity() -> None:
    brand = load_brand(EXAMPLES / "brand.toml")
    assert any(isinstance(v, CustomValue) and "recycled" in v.terms for v in brand.values)
    assert brand.engagement.tiers["nano"] == 10_000


def test_profile_defaults_are_the_documented_ones() -> None:
    brand = BrandProfile(name="X")
    assert brand.engagement.formula == "per_follower"
    assert brand.engagement.tiers == {
        "nano": 10_000,
        "micro": 50_000,
        "mid": 500_000,
        "macro": 1_000_000,
    }
    assert brand.weights.combine == "geometric"
    assert brand.avoid is None


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"name": "X", "colour": "red"}, "colour"),
        (
            {
                "name": "X",
                "weights": {
                    "niche": 0,
                    "values": 0,
                    "safety": 0,
                    "brand_sentiment": 0,
                    "competitor_sentiment": 0,
                    "engagement": 0,
                    "audience": 0,
                },
            },
            "at least one",
        ),
        ({"name": "X", "weights": {"niche": -1}}, "weights.niche"),
        ({"name": "X", "engagement": {"tiers": {"a": 50, "b": 10}}}, "ascending"),
        ({"name": "X", "target_audience": {"country": {"US": 0.8, "GB": 0.5}}}, "more than 1"),
        ({"name": "X", "avoid": [{"flag": "hate", "sensitivity": "extreme"}]}, "avoid"),
        ({"name": ""}, "name"),
    ],
)
def test_profile_rejects_bad_brand_naming_the_field(data: dict, needle: str) -> None:
    with pytest.raises(InvalidInputError, match=needle):
        parse_brand(data)


def test_profile_rejects_duplicate_post_ids_and_negative_counts() -> None:
    with pytest.raises(InvalidInputError, match="duplicate post id"):
        parse_influencer(
            {
                "handle": "a",
                "followers": 1,
                "posts": [{"id": "p", "text": "x"}, {"id": "p", "text": "y"}],
            }
        )
    with pytest.raises(InvalidInputError, match=r"posts\.0\.likes"):
        parse_influencer(
            {"handle": "a", "followers": 1, "posts": [{"id": "p", "text": "x", "likes": -3}]}
        )


def test_profile_load_reports_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "b.toml"
    bad.write_text("name = ")
    with pytest.raises(InvalidInputError, match="not valid TOML"):
        load_brand(bad)
    yaml = tmp_path / "b.yaml"
    yaml.write_text("name: x")
    with pytest.raises(InvalidInputError, match=r"\.json or \.toml"):
        load_brand(yaml)
    with pytest.raises(InvalidInputError, match="cannot read"):
        load_brand(tmp_path / "missing.json")
    unknown = tmp_path / "u.json"
    unknown.write_text(json.dumps({"name": "X", "nichez": []}))
    with pytest.raises(InvalidInputError, match="nichez"):
        load_brand(unknown)
