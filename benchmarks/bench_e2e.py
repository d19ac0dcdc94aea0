"""Whole-process speed of brandfit against a bare pass of its own encoder (issue 15's bar).

Usage:
    python benchmarks/bench_e2e.py [--rows 5000] [--rounds 3] [--models models]
                                   [--lexical-models DIR] [--shared ../shared/data]

Writes ``--rows`` real posts (TweetEval train texts and Instagram captions, as the other
benchmarks) to a JSONL file, then, alternating per round so machine noise hits all alike:

* the peer: ``benchmarks/bare_encoder.py`` (onnxruntime + tokenizers only, batches of 64
  sorted by length, 2 threads), as a whole process and its pass alone;
* ``brandfit predict --input`` with every head (stdout to /dev/null), whole process;
* ``brandfit classify`` of the same file, whole process, one local worker;
* with ``--lexical-models DIR``: predict and classify again on those models (e.g. the
  last lexical-only shipped models: ``git archive e6e75a4 models | tar -x -C /tmp/lex``).

Prints the median wall seconds, posts/s, peak RSS of each, and the bar: predict's whole
process must take at most 1/0.7 of the peer's time (ratio peer/predict >= 0.70), judged
against both the peer's whole process and, stricter, its pass alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from texts import sample_texts  # benchmarks/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parent.parent
CLI = "from brandfit.cli import app; app()"


def timed(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and stdout's last line of one whole process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read().decode() if process.stderr else ""
        if process.returncode != 0:
            raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr}")
        out.seek(0)
        lines = out.read().decode().strip().splitlines()
    return elapsed, usage.ru_maxrss / 1024, lines[-1] if lines else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", type=Path, default=REPO / "models")
    parser.add_argument("--lexical-models", type=Path, default=None)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args(argv)
    texts = sample_texts(args.shared, args.rows)
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        posts = Path(tmp) / "posts.jsonl"
        with posts.open("w", encoding="utf-8") as handle:
            for i, text in enumerate(texts):
                handle.write(json.dumps({"id": f"p{i}", "text": text}) + "\n")
        runs: dict[str, list[str]] = {
            "bare onnxruntime encoder (peer)": [
                py,
                str(REPO / "benchmarks" / "bare_encoder.py"),
                str(posts),
            ],
        }
        settings = {"shipped": args.models}
        if args.lexical_models:
            settings["lexical-only"] = args.lexical_models
        for name, models in settings.items():
            runs[f"predict --input, {name}"] = [
                py,
                "-c",
                CLI,
                "predict",
                "--input",
                str(posts),
                "--models",
                str(models),
            ]
            runs[f"classify, {name}"] = [
                py,
                "-c",
                CLI,
                "classify",
                str(posts),
                "--out",
                str(Path(tmp) / f"job-{name}"),
                "--models",
                str(models),
                "--quiet",
            ]
        walls: dict[str, list[float]] = {name: [] for name in runs}
        rss: dict[str, float] = {}
        passes: list[float] = []
        for _ in range(args.rounds):
            for name, command in runs.items():
                if command[-1] == "--quiet":
                    subprocess.run(["rm", "-rf", command[command.index("--out") + 1]], check=True)
                wall, peak, last = timed(command)
                walls[name].append(wall)
                rss[name] = max(rss.get(name, 0.0), peak)
                if last.startswith("pass_s="):
                    passes.append(float(last.split()[0].split("=")[1]))
    print(f"{args.rows:,} real posts, {args.rounds} rounds (median), models {args.models}")
    medians = {name: statistics.median(values) for name, values in walls.items()}
    for name, median in medians.items():
        print(
            f"{name:<40} {median:7.2f} s  {args.rows / median:7,.0f} posts/s  peak RSS {rss[name]:5.0f} MB"
        )
    peer_pass = statistics.median(passes)
    print(
        f"{'  its encoder pass alone':<40} {peer_pass:7.2f} s  {args.rows / peer_pass:7,.0f} posts/s"
    )
    predict = medians["predict --input, shipped"]
    peer = medians["bare onnxruntime encoder (peer)"]
    for label, reference in (("peer whole process", peer), ("peer pass alone", peer_pass)):
        ratio = reference / predict
        print(
            f"bar: {label} / predict whole process = {ratio:.2f} (>= 0.70: {'met' if ratio >= 0.7 else 'NOT met'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
