from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from brandfit.batch.sources import ColumnMap, check_columns, expand_inputs, iter_chunks, validate
from brandfit.errors import InvalidInputError

from .conftest import MAX_CHARS


def test_sources_every_record_is_scored_or_quarantined_with_the_expected_reason(
    inputs: Path, expected: dict[str, Any]
) -> None:
    chunks = list(iter_chunks(expand_inputs([inputs]), chunk_size=4, max_chars=MAX_CHARS))
    for name, want in expected.items():
        mine = [c for c in chunks if Path(c.source).name == name]
        scored = [i for c in mine for i in c.frame["id"]]
        quarantined = [[q["line"], q["reason"]] for c in mine for q in c.quarantine]
        assert scored == want["scored"], name
        assert quarantined == want["quarantined"], name
        assert sum(c.blank_lines for c in mine) == want["blank_lines"]
        for chunk in mine:
            assert chunk.rows_in == len(chunk.frame) + len(chunk.quarantine)
            assert all(
                set(q) >= {"source", "line", "reason"} and q["source"] == chunk.source
                for q in chunk.quarantine
            )


def test_sources_ids_are_unique_across_files_and_chunks(inputs: Path) -> None:
    copy = inputs / "z_again.csv"  # sorts after posts.csv
    copy.write_bytes((inputs / "posts.csv").read_bytes())
    chunks = list(iter_chunks(expand_inputs([inputs]), chunk_size=3, max_chars=MAX_CHARS))
    ids = [i for c in chunks for i in c.frame["id"]]
    assert len(ids) == len(set(ids))
    repeated = [
        q
        for c in chunks
        if c.source.endswith("z_again.csv")
        for q in c.quarantine
        if q["reason"] == "duplicate id"
    ]
    assert len(repeated) == 6  # the five scored ids of posts.csv, plus its own c1 repeat


def test_sources_chunk_names_are_deterministic_and_an_empty_file_gives_one_empty_chunk(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.csv").write_text("id,text\n" + "".join(f"{i},post {i}\n" for i in range(5)))
    (tmp_path / "b.csv").write_text("id,text\n")
    files = expand_inputs([tmp_path])
    first = [(c.name, c.rows_in) for c in iter_chunks(files, chunk_size=2)]
    assert first == [
        ("part-00000-000000", 2),
        ("part-00000-000001", 2),
        ("part-00000-000002", 1),
        ("part-00001-000000", 0),
    ]
    assert [(c.name, c.rows_in) for c in iter_chunks(files, chunk_size=2)] == first


def test_sources_a_full_last_chunk_gets_no_empty_follower(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("".join(f'{{"id": {i}, "text": "t"}}\n' for i in range(4)))
    chunks = list(iter_chunks([tmp_path / "a.jsonl"], chunk_size=2))
    assert [c.rows_in for c in chunks] == [2, 2]
    assert sum(c.nbytes for c in chunks) == (tmp_path / "a.jsonl").stat().st_size


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"id": None, "text": "x"}, "missing id"),
        ({"id": "  ", "text": "x"}, "missing id"),
        ({"id": 1.5, "text": "x"}, "invalid id"),
        ({"id": "a", "text": None}, "missing text"),
        ({"id": "a", "text": 3}, "invalid text"),
        ({"id": "a", "text": " \n"}, "empty text"),
        ({"id": "a", "text": "x" * 11}, "text too long"),
        ({"id": "a", "text": "x", "likes": "-1"}, "invalid likes"),
        ({"id": "a", "text": "x", "followers": "2.5"}, "invalid followers"),
        ({"id": "a", "text": "x", "views": True}, "invalid views"),
    ],
)
def test_sources_validate_names_the_problem(values: dict[str, Any], reason: str) -> None:
    row, problem = validate(values, ColumnMap(), max_chars=10)
    assert row is None and problem is not None and problem[0] == reason


def test_sources_validate_normalises_ids_and_counts() -> None:
    row, problem = validate(
        {"id": 7.0, "text": "x", "likes": "12", "shares": 3.0, "author": 42}, ColumnMap(), 10
    )
    assert problem is None and row is not None
    assert (row["id"], row["author"], row["likes"], row["shares"], row["views"]) == (
        "7",
        "42",
        12,
        3,
        None,
    )


def test_sources_column_map_reads_renamed_columns(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("post_id,caption,creator,hearts\nq1,hello there,zed,5\n")
    columns = ColumnMap(id="post_id", text="caption", author="creator", metrics={"likes": "hearts"})
    [chunk] = iter_chunks([tmp_path / "x.csv"], columns)
    assert chunk.frame[["id", "text", "author", "likes"]].values.tolist() == [
        ["q1", "hello there", "zed", 5]
    ]


def test_sources_check_columns_names_the_missing_column(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("id,body\n1,hi\n")
    with pytest.raises(InvalidInputError, match=r"no column 'text'.*--text-col"):
        check_columns(tmp_path / "x.csv", ColumnMap())
    with pytest.raises(InvalidInputError, match="'author'"):
        check_columns(tmp_path / "x.csv", ColumnMap(text="body"), require_author=True)


def test_sources_expand_inputs_takes_files_directories_and_globs(inputs: Path) -> None:
    (inputs / "notes.txt").write_text("not a table")
    (inputs / ".hidden.csv").write_text("id,text\n")
    everything = expand_inputs([inputs])
    assert [p.name for p in everything] == ["posts.csv", "posts.jsonl", "posts.parquet"]
    assert [p.name for p in expand_inputs([str(inputs / "*.jsonl"), inputs / "posts.jsonl"])] == [
        "posts.jsonl"
    ]
    with pytest.raises(InvalidInputError, match="no such file"):
        expand_inputs([inputs / "missing.csv"])
    with pytest.raises(InvalidInputError, match=r"no \.csv"):
        expand_inputs([str(inputs / "*.xml")])
