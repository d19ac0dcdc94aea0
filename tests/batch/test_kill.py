"""A hard kill (SIGKILL) of a running ``brandfit classify`` followed by ``--resume``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from brandfit.batch.sources import DEFAULT_MAX_TEXT_CHARS

from .conftest import job, posts, quarantine

ROWS = 3000
CHUNK = 40
CLI = "from brandfit.cli import app; app()"


def _archive(path: Path) -> list[str]:
    ids = [f"k{i}" for i in range(ROWS)]
    lines = ["id,author,text"]
    for i, post_id in enumerate(ids):
        text = [
            "leg day at the gym #fitness",
            "baking sourdough tonight",
            "ranked matches all night",
        ][i % 3]
        lines.append(f"{post_id},a{i % 7},{text} {i}")
    lines[500] = "k499,a1,broken,row,with,extra,fields"  # one bad row, quarantined on both runs
    path.write_text("\n".join(lines) + "\n")
    return ids


def test_kill_sigkill_mid_run_then_resume_yields_every_id_exactly_once(
    tmp_path: Path, tiny_models_dir: Path
) -> None:
    ids = _archive(tmp_path / "big.csv")
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-c",
        CLI,
        "classify",
        str(tmp_path / "big.csv"),
        "--out",
        str(out),
        "--models",
        str(tiny_models_dir),
        "--chunk-size",
        str(CHUNK),
        "--quiet",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    checkpoint = out / "checkpoint.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if checkpoint.exists() and checkpoint.read_text().count("\n") >= 5:
            break
        time.sleep(0.01)
    assert process.poll() is None, (
        f"the job ended before it could be killed: {process.stderr.read() if process.stderr else ''}"
    )
    os.kill(process.pid, signal.SIGKILL)
    process.wait(30)
    if process.stderr is not None:
        process.stderr.close()
    parts_before = len(list((out / "posts").glob("part-*")))
    assert not (out / "summary.json").exists()
    assert 0 < parts_before < ROWS // CHUNK

    summary = job(
        out,
        [tmp_path / "big.csv"],
        tiny_models_dir,
        chunk_size=CHUNK,
        resume=True,
        max_text_chars=DEFAULT_MAX_TEXT_CHARS,
    )
    assert (
        summary["timings"]["parts_resumed"] >= parts_before - 1
    )  # a part renamed but not yet checkpointed is redone
    assert summary["timings"]["parts_computed"] >= 1
    scored = posts(out)["id"].tolist()
    rejected = quarantine(out)
    assert [q["line"] for q in rejected] == [501]
    assert len(scored) == len(set(scored)) == ROWS - 1
    assert sorted([*scored, "k499"]) == sorted(ids)
    assert summary["rows_in"] == ROWS == summary["scored"] + summary["quarantined"]
    assert not [p for p in out.rglob("*") if ".tmp-" in p.name]
