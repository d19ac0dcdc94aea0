from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from brandfit.batch import classify_frame, score_columns
from brandfit.batch.sources import empty_frame
from brandfit.batch.writers import to_arrow
from brandfit.errors import InvalidInputError, UnknownHeadError, UnknownLabelError
from brandfit.persistence.registry import load_models
from brandfit.predict import Predictor


@pytest.fixture(scope="module")
def predictor(tiny_models_dir: Path) -> Predictor:
    return Predictor(load_models(tiny_models_dir))


FRAME = pd.DataFrame(
    {
        "id": ["a", "b"],
        "text": ["leg day at the gym #fitness", "ranked matches all night"],
        "author": ["x", None],
    }
)


def test_frame_flattens_the_predictor_output_exactly(predictor: Predictor) -> None:
    out = classify_frame(FRAME, predictor)
    raw = predictor.predict(FRAME["text"].tolist(), ids=["a", "b"])
    assert list(out.columns) == ["id", "author", *score_columns(predictor)]
    for i, pred in enumerate(raw):
        row = out.iloc[i]
        assert row["niche__labels"] == pred["niche"]["labels"]
        for label, p in pred["safety"]["scores"].items():
            assert row[f"safety__{label}"] == p
        for value, stance in pred["alignment"].items():
            assert row[f"alignment__{value}__labels"] == stance["labels"]
            assert row[f"alignment__{value}__supports"] == stance["scores"]["supports"]
        assert row["flags"] == pred["flags"]
        assert row["model_version__niche"] == pred["model_versions"]["niche"]


def test_frame_empty_input_has_the_same_columns_and_arrow_schema(predictor: Predictor) -> None:
    full = classify_frame(empty_frame().pipe(lambda f: pd.concat([f, f])), predictor)
    rows = empty_frame()
    rows.loc[0] = ["a", "pasta tonight", "f.csv", 2, None, 1, None, None, None, 10, None]
    one = classify_frame(rows.astype(empty_frame().dtypes.to_dict()), predictor)
    assert len(full) == 0 and list(full.columns) == list(one.columns)
    assert to_arrow(full).schema.equals(to_arrow(one).schema)


def test_frame_heads_and_targets_narrow_the_columns(predictor: Predictor) -> None:
    out = classify_frame(
        FRAME, predictor, heads=["safety", "alignment"], targets=["climate_action"]
    )
    assert [c for c in out.columns if c.endswith("__labels")] == [
        "alignment__climate__labels",
        "safety__labels",
    ]
    assert "model_version__niche" not in out.columns


def test_frame_bad_arguments_raise_clear_errors(predictor: Predictor) -> None:
    with pytest.raises(InvalidInputError, match="no column 'body'"):
        classify_frame(FRAME, predictor, text_col="body")
    with pytest.raises(UnknownHeadError):
        classify_frame(FRAME, predictor, heads=["tone"])
    with pytest.raises(UnknownLabelError):
        classify_frame(FRAME, predictor, targets=["veganism-xyz"])
    with pytest.raises(InvalidInputError, match="clash"):
        classify_frame(FRAME.assign(flags=1), predictor)


def test_frame_results_do_not_depend_on_the_predict_batch_size(predictor: Predictor) -> None:
    texts = [
        "leg day at the gym #fitness",
        "pasta tonight",
        "",
        "ranked matches all night",
        "i hate this",
    ] * 3
    frame = pd.DataFrame({"id": [str(i) for i in range(len(texts))], "text": texts})
    whole = classify_frame(frame, predictor, batch_size=1000)
    pieces = classify_frame(frame, predictor, batch_size=2)
    assert to_arrow(whole).equals(to_arrow(pieces))
