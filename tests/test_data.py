from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from brandfit.data import indicator_matrix, load_labelled
from brandfit.errors import InvalidInputError


def test_data_reads_each_format(data_dir: Path) -> None:
    assert load_labelled(data_dir / "sentiment.csv").multilabel is False
    niche = load_labelled(data_dir / "niche.jsonl")
    assert niche.multilabel and "gaming" in niche.label_set
    assert load_labelled(data_dir / "safety.parquet").multilabel
    assert load_labelled(data_dir / "alignment.jsonl", require_target=True).targets is not None


def test_data_csv_labels_are_pipe_joined(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    pd.DataFrame({"text": ["a b", "c d"], "labels": ["music|sports", ""]}).to_csv(path, index=False)
    data = load_labelled(path)
    assert data.labels == [["music", "sports"], []]


def test_data_missing_text_names_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nfine post,positive\n,negative\n")
    with pytest.raises(
        InvalidInputError, match=r"bad\.csv: row 2 \(line 3\), column 'text': missing or empty text"
    ):
        load_labelled(path)


def test_data_unknown_label_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"text": "x", "sentiment": "positive"}) + "\n")
    with pytest.raises(
        InvalidInputError, match=r"bad\.jsonl: unknown label column 'label'.*'sentiment'"
    ):
        load_labelled(path)


def test_data_single_class_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(
        "".join(json.dumps({"text": f"t{i}", "label": "positive"}) + "\n" for i in range(3))
    )
    with pytest.raises(
        InvalidInputError, match=r"one\.jsonl, column 'label': a single class \('positive'\)"
    ):
        load_labelled(path)


def test_data_broken_json_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"text": "ok", "label": "a"}\n{"text": "no end\n')
    with pytest.raises(InvalidInputError, match=r"broken\.jsonl: line 2: not valid JSON"):
        load_labelled(path)


def test_data_missing_target_for_alignment(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps({"text": "x", "label": "supports"})
        + "\n"
        + json.dumps({"text": "y", "label": "opposes"})
        + "\n"
    )
    with pytest.raises(InvalidInputError, match="no target column 'target'"):
        load_labelled(path, require_target=True)


def test_data_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_text("nope")
    with pytest.raises(InvalidInputError, match=r"unsupported file type \.xlsx"):
        load_labelled(path)


def test_data_indicator_matrix_marks_unjudged_labels(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    rows = [
        {"text": "a", "labels": ["offensive"], "known_labels": ["offensive"]},
        {"text": "b", "labels": [], "known_labels": ["hate"]},
        {"text": "c", "labels": ["hate"]},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    Y = indicator_matrix(load_labelled(path), ["offensive", "hate"])
    assert Y.tolist() == [[1, -1], [-1, 0], [0, 1]]


def test_data_jsonl_line_separator_inside_a_string_stays_one_record(tmp_path: Path) -> None:
    from brandfit.data import read_jsonl_records

    path = tmp_path / "posts.jsonl"
    path.write_text(
        json.dumps({"id": "a", "text": "one\u2028two"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    assert read_jsonl_records(path) == [{"id": "a", "text": "one\u2028two"}]


def test_data_jsonl_invalid_utf8_is_named(tmp_path: Path) -> None:
    from brandfit.data import read_jsonl_records

    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"text": "caf\xe9"}\n')
    with pytest.raises(InvalidInputError, match=r"bad\.jsonl: not valid UTF-8"):
        read_jsonl_records(path)


def test_take_keeps_every_column_of_the_chosen_rows() -> None:
    import numpy as np

    from brandfit.data import LabelledPosts

    data = LabelledPosts(
        texts=["a", "b", "c"],
        labels=[["x"], [], ["y"]],
        multilabel=True,
        targets=["t1", "t2", "t3"],
        weights=np.array([1.0, 0.5, 0.25]),
        known_labels=[None, ["x"], ["x", "y"]],
        source="s",
    )
    part = data.take(np.array([2, 0]))
    assert part.texts == ["c", "a"]
    assert part.labels == [["y"], ["x"]]
    assert part.targets == ["t3", "t1"]
    assert part.weights.tolist() == [0.25, 1.0]
    assert part.known_labels == [["x", "y"], None]
    assert part.multilabel and part.source == "s"
