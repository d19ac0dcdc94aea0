"""Contracts of the shipped alignment head for any value text (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brandfit.errors import InvalidInputError
from brandfit.predict import Predictor
from brandfit.scoring.rank import score_influencer
from brandfit.settings import DEFAULT_MODELS_DIR


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    return Predictor.from_dir(DEFAULT_MODELS_DIR)


def test_any_value_text_is_scored_and_keyed_exactly_as_given(predictor: Predictor) -> None:
    values = ["Animal Welfare", "The COVID-19 vaccines are safe", "climate change"]
    rows = predictor.predict(["Fur farms are cruel. #furfree"], targets=values)
    assert list(rows[0]["alignment"]) == values
    for entry in rows[0]["alignment"].values():
        assert set(entry["scores"]) == {"supports", "neutral", "opposes"}


def test_default_values_are_the_five_tweeteval_targets(predictor: Predictor) -> None:
    rows = predictor.predict(["hello"])
    assert list(rows[0]["alignment"]) == ["abortion", "atheism", "climate", "feminist", "hillary"]


def test_a_row_may_carry_its_own_value(predictor: Predictor) -> None:
    rows = predictor.predict(
        ["Adopt, don't shop!", "nice weather"],
        targets=["climate"],
        row_targets=["pet adoption", None],
    )
    assert list(rows[0]["alignment"]) == ["climate", "pet adoption"]
    assert list(rows[1]["alignment"]) == ["climate"]


def test_empty_value_fails_clearly(predictor: Predictor) -> None:
    with pytest.raises(InvalidInputError):
        predictor.predict(["x"], targets=["  "])


def test_score_card_judges_described_values_with_evidence(predictor: Predictor) -> None:
    brand = {
        "name": "Loop",
        "values": [
            "animal welfare",
            {
                "name": "secondhand fashion",
                "description": "thrifting and reuse",
                "terms": ["thrift"],
            },
        ],
    }
    posts = [
        "Thrift haul! Secondhand is the best way to shop, fast fashion can keep its landfill.",
        "Fur coats are cruel, no animal should die for fashion #furfree",
        "Leg day done",
    ]
    creator = {
        "handle": "@a",
        "platform": "instagram",
        "followers": 10_000,
        "posts": [{"id": f"p{i}", "text": t} for i, t in enumerate(posts)],
    }
    card = score_influencer(creator, brand, predictor)
    per_value = card.components["values"].detail["per_value"]
    assert list(per_value) == ["animal welfare", "secondhand fashion"]
    assert all(v["source"] == "alignment" for v in per_value.values())
    assert any(e.terms for e in card.components["values"].evidence)


def test_predict_cli_reads_a_target_column(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from brandfit.cli import app

    path = tmp_path / "posts.csv"
    path.write_text(
        "id,text,target\na,Adopt don't shop,pet adoption\nb,nice day,\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        app,
        [
            "predict",
            "--input",
            str(path),
            "--target",
            "climate",
            "--models",
            str(DEFAULT_MODELS_DIR),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("{")]
    rows = [json.loads(line) for line in lines]
    assert list(rows[0]["alignment"]) == ["climate", "pet adoption"]
    assert list(rows[1]["alignment"]) == ["climate"]


def test_classify_frame_judges_each_row_against_its_own_target(predictor: Predictor) -> None:
    import math

    import pandas as pd

    from brandfit.batch import classify_frame

    texts = ["Adopt, don't shop! #adoptdontshop", "Fur is cruel #furfree", "nice weather"]
    own = ["pet adoption", "animal welfare", None]
    frame = pd.DataFrame({"id": ["a", "b", "c"], "text": texts, "target": own})
    out = classify_frame(frame, predictor, targets=["climate"], batch_size=2)
    expected = predictor.predict(texts, targets=["climate"], row_targets=own)
    assert list(out["target"]) == own  # the value itself passes through
    for i in (0, 1):
        stance = expected[i]["alignment"][own[i]]
        assert out.loc[i, "alignment__row_target__labels"] == stance["labels"]
        for label, p in stance["scores"].items():
            assert out.loc[i, f"alignment__row_target__{label}"] == p
    assert out.loc[2, "alignment__row_target__labels"] == []
    assert math.isnan(out.loc[2, "alignment__row_target__supports"])
    assert out.loc[2, "alignment__climate__labels"] == expected[2]["alignment"]["climate"]["labels"]


def test_classify_job_reads_a_target_column_and_quarantines_a_bad_one(tmp_path: Path) -> None:
    import pandas as pd
    from typer.testing import CliRunner

    from brandfit.cli import app

    path = tmp_path / "posts.jsonl"
    rows = [
        {"id": "a", "text": "Thrifted this whole outfit", "target": "secondhand fashion"},
        {"id": "b", "text": "new running shoes", "target": 7},
        {"id": "c", "text": "coffee first"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "job"
    result = CliRunner().invoke(
        app,
        ["classify", str(path), "--out", str(out), "--models", str(DEFAULT_MODELS_DIR), "-q"],
    )
    assert result.exit_code == 0, result.output
    posts = pd.concat(pd.read_parquet(p) for p in sorted((out / "posts").glob("*.parquet")))
    posts = posts.set_index("id")
    assert list(posts.index) == ["a", "c"]
    assert len(posts.loc["a", "alignment__row_target__labels"]) == 1
    assert posts.loc["a", "target"] == "secondhand fashion"
    assert len(posts.loc["c", "alignment__row_target__labels"]) == 0
    quarantined = [json.loads(line) for line in (out / "quarantine.jsonl").read_text().splitlines()]
    assert [(q["line"], q["reason"]) for q in quarantined] == [(2, "invalid target")]


def test_named_target_heads_refuse_rows_with_their_own_target(tiny_models_dir: Path) -> None:
    import pandas as pd

    from brandfit.batch import classify_frame

    tiny = Predictor.from_dir(tiny_models_dir)
    frame = pd.DataFrame({"id": ["a"], "text": ["pasta"], "target": ["pet adoption"]})
    with pytest.raises(InvalidInputError, match="named targets only"):
        classify_frame(frame, tiny)
    assert (
        "alignment__row_target__labels" not in classify_frame(frame, tiny, heads=["niche"]).columns
    )
