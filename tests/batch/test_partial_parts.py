"""Readers never see a partial part file: after a SIGKILL, and when the writer fails inside."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from brandfit.batch import writers
from brandfit.batch.writers import count_rows, read_part, write_part

from .test_kill import CHUNK, CLI, _archive


def test_visible_parts_are_complete_right_after_sigkill(
    tmp_path: Path, tiny_models_dir: Path
) -> None:
    ids = set(_archive(tmp_path / "big.csv"))
    out = tmp_path / "out"
    command = [sys.executable, "-c", CLI, "classify", str(tmp_path / "big.csv")]
    command += ["--out", str(out), "--models", str(tiny_models_dir)]
    command += ["--chunk-size", str(CHUNK), "--quiet", "--format", "jsonl"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    posts = out / "posts"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if posts.is_dir() and len(list(posts.glob("part-*"))) >= 3:
            break
        time.sleep(0.005)
    assert process.poll() is None, "the job ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(30)
    visible = sorted(p for p in posts.iterdir() if not p.name.startswith("."))
    assert visible
    for part in visible:  # exactly what a reader globbing the folder would open
        frame = read_part(part, "jsonl")
        assert len(frame) == count_rows(part, "jsonl") > 0
        assert part.read_bytes().endswith(b"\n")  # no cut-off last line
        assert set(frame["id"]) <= ids
        assert frame["flags"].map(lambda v: isinstance(v, list)).all()


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "flags": [[], ["empty_text"], []],
            "niche__labels": [["gaming"], [], ["food_&_dining"]],
            "niche__score__gaming": [0.9, 0.1, 0.2],
        }
    )


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_failure_inside_the_part_writer_leaves_nothing_visible(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    final = tmp_path / f"part-00001.{fmt}"

    def half_then_fail(*args: Any, **kwargs: Any) -> None:
        target = next(a for a in (*args, *kwargs.values()) if isinstance(a, (Path, str)))
        Path(target).write_bytes(b"id,flags\na,")  # a partial file at the temporary path
        raise OSError("disk full")

    def half_jsonl(handle: Any, rows: list[dict[str, Any]]) -> None:
        handle.write('{"id": "a", "fla')
        raise OSError("disk full")

    if fmt == "parquet":
        monkeypatch.setattr(
            writers.pq, "write_table", lambda table, path, **kw: half_then_fail(path)
        )
    elif fmt == "jsonl":
        monkeypatch.setattr(writers, "write_jsonl", half_jsonl)
    else:
        monkeypatch.setattr(pd.DataFrame, "to_csv", lambda self, path, **kw: half_then_fail(path))
    with pytest.raises(OSError, match="disk full"):
        write_part(_frame(), final, fmt)
    assert list(tmp_path.iterdir()) == []  # no final file, no temporary left behind


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_failed_rewrite_keeps_the_previous_complete_part(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    final = tmp_path / f"part-00001.{fmt}"
    assert write_part(_frame(), final, fmt) == 3
    before = final.read_bytes()

    def no_fsync(fd: int) -> None:
        raise OSError("I/O error at fsync")

    monkeypatch.setattr(writers.os, "fsync", no_fsync)
    with pytest.raises(OSError, match="fsync"):
        write_part(_frame().iloc[:1], final, fmt)
    assert final.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [final.name]
    assert len(read_part(final, fmt)) == 3
