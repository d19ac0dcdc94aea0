from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
import zstandard

from brandfit.batch.readers import BLANK, Position, file_format, read_records
from brandfit.errors import InvalidInputError

COLUMNS = ["id", "text", "author", "likes"]


def _records(path: Path) -> list[tuple[int, str | None, str | None]]:
    return [
        (r.line, r.values["id"] if r.values else None, r.error) for r in read_records(path, COLUMNS)
    ]


def test_readers_csv_gives_every_record_its_physical_line(batch_dir: Path) -> None:
    got = _records(batch_dir / "posts.csv")
    assert got[:4] == [(2, "c1", None), (3, "c2", None), (4, "c3", None), (5, "c3b", None)]
    assert (7, None, "unparseable CSV row") in got
    assert (11, None, BLANK) in got
    assert (18, "c12", None) in got


def test_readers_csv_quarantines_the_rows_an_unterminated_quote_merges(batch_dir: Path) -> None:
    # c5 opens a quote that c7 closes: pandas' python engine drops c5..c7 without calling
    # on_bad_lines, and pyarrow keeps them as one "valid" merged row. Strict quoting
    # rejects the merge, and the raw text of all three rows is kept.
    merged = [r for r in read_records(batch_dir / "posts.csv", COLUMNS) if r.line == 8]
    assert len(merged) == 1
    assert merged[0].values is None and merged[0].error == "unparseable CSV row"
    assert merged[0].raw is not None
    for post_id in ("c5,", "c6,", "c7,"):
        assert post_id in merged[0].raw
    ids = {r.values["id"] for r in read_records(batch_dir / "posts.csv", COLUMNS) if r.values}
    assert not ids & {"c5", "c6", "c7"}


def test_readers_csv_pandas_python_engine_loses_the_merged_rows_silently(batch_dir: Path) -> None:
    # Why the fixture exists: if this stops failing for pandas, the hazard is gone, not our check.
    reported: list[list[str]] = []
    frame = pd.read_csv(
        batch_dir / "posts.csv",
        dtype=str,
        engine="python",
        encoding_errors="replace",
        on_bad_lines=reported.append,
    )
    assert "c6" not in set(frame["id"].dropna())
    assert all("c6" not in row for row in reported)


def test_readers_csv_keeps_multiline_quoted_text(batch_dir: Path) -> None:
    record = next(
        r
        for r in read_records(batch_dir / "posts.csv", COLUMNS)
        if r.values and r.values["id"] == "c3b"
    )
    assert record.values is not None
    assert record.values["text"] == "a quoted text\nthat spans two lines, fine"


def test_readers_csv_invalid_utf8_rejects_one_row_with_escaped_raw(batch_dir: Path) -> None:
    record = next(r for r in read_records(batch_dir / "posts.csv", COLUMNS) if r.line == 12)
    assert record.error == "invalid UTF-8"
    assert record.raw is not None and "caf\\xe9" in record.raw


def test_readers_jsonl_reports_broken_lines_objects_and_encoding(batch_dir: Path) -> None:
    got = _records(batch_dir / "posts.jsonl")
    assert got[0] == (1, "j1", None)
    assert (2, None, "broken JSON line") in got
    assert (3, None, "not a JSON object") in got
    assert (4, None, "invalid UTF-8") in got
    assert (6, None, BLANK) in got
    assert (7, 5, None) in got  # integer ids are read as given; sources turn them into "5"


def test_readers_parquet_numbers_rows_and_fills_absent_columns(batch_dir: Path) -> None:
    records = list(read_records(batch_dir / "posts.parquet", [*COLUMNS, "views"]))
    assert [r.line for r in records] == [1, 2, 3, 4, 5]
    assert records[0].values == {
        "id": "p1",
        "text": "hiit session with the crew",
        "author": "gus",
        "likes": 10,
        "views": None,
    }


@pytest.mark.parametrize("name", ["posts.csv", "posts.jsonl", "posts.parquet"])
@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_readers_read_gzip_and_zstd_transparently(
    batch_dir: Path, tmp_path: Path, name: str, suffix: str
) -> None:
    data = (batch_dir / name).read_bytes()
    packed = gzip.compress(data) if suffix == ".gz" else zstandard.ZstdCompressor().compress(data)
    target = tmp_path / (name + suffix)
    target.write_bytes(packed)
    assert _records(target) == _records(batch_dir / name)


def test_readers_track_bytes_read_for_progress(batch_dir: Path) -> None:
    position = Position()
    list(read_records(batch_dir / "posts.csv", COLUMNS, position))
    assert 0 <= position.done <= (batch_dir / "posts.csv").stat().st_size


def test_readers_refuse_unknown_file_types(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="unsupported file type"):
        file_format(tmp_path / "posts.xlsx")
    assert file_format(Path("a.csv.zst")) == ("csv", "zstd")
    assert file_format(Path("a.JSONL.GZ")) == ("jsonl", "gzip")


def test_readers_csv_runaway_quote_stops_at_the_field_limit_and_parsing_resumes(
    tmp_path: Path,
) -> None:
    body = "".join(f"r{i},filler line {i} {'x' * 90}\n" for i in range(2000))  # ~200k characters
    path = tmp_path / "runaway.csv"
    path.write_text(
        'id,text\nok1,fine\nbad,"this quote never closes\n' + body + "ok2,after the damage\n"
    )
    records = list(read_records(path, ["id", "text"]))
    assert records[0].values == {"id": "ok1", "text": "fine"}
    assert (
        records[1].values is None
        and records[1].line == 3
        and records[1].error == "unparseable CSV row"
    )
    assert records[-1].values == {"id": "ok2", "text": "after the damage"}
    raw_lines = sum((r.raw or "").count("\n") + 1 for r in records[1:] if r.values is None)
    parsed = sum(1 for r in records[1:] if r.values is not None)
    assert raw_lines + parsed == 2002  # every physical line after ok1 is in a raw text or a record
