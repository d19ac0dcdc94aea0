"""Batch classification: throughput, peak memory, Dask vs local, and fastText as the peer.

Usage:
    python benchmarks/bench_batch.py [--rows 1000000] [--models models] [--shared ../shared/data]
                                     [--workers 2] [--dask-rows 100000] [--skip-dask]

Builds two archives by sampling real post texts from ../shared/data (TweetEval train
splits and Instagram influencer captions) with synthetic authors and metrics:
``--rows / 10`` and ``--rows`` posts (100k and 1M by default), as CSV under
benchmarks/out/ (git-ignored). Then, in this one run on this machine:

1. ``brandfit classify`` with all four heads, local engine, ``--workers`` processes, on
   both archives: posts/s and the peak summed RSS (and PSS) of the whole process tree (driver +
   workers, sampled every 50 ms), so 100k vs 1M shows whether memory stays flat;
2. the Dask engine (LocalCluster with ``--workers`` workers) on the ``--dask-rows``
   archive vs the local run on the same archive: both speeds and a byte-for-byte
   comparison of every output part and the quarantine;
3. fastText (``fasttext-wheel``), trained here on TweetEval offensive train, predicting
   one head on the same posts: posts/s, the peer to beat.

Needs the ``bench`` and ``dask`` extras: ``pip install -e ".[bench,dask]"``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
from peers import bench_fasttext  # benchmarks/ is on sys.path when run as a script
from texts import text_pool

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out"
CLI = "from brandfit.cli import app; app()"


def build_archive(pool: list[str], rows: int, path: Path, seed: int = 0) -> Path:
    if path.exists():
        return path
    rng = random.Random(seed)
    authors = max(rows // 200, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    for start in range(0, rows, 100_000):
        n = min(100_000, rows - start)
        frame = pd.DataFrame(
            {
                "id": [f"p{start + i}" for i in range(n)],
                "author": [f"creator{rng.randrange(authors)}" for _ in range(n)],
                "text": [rng.choice(pool) for _ in range(n)],
                "likes": [rng.randrange(5_000) for _ in range(n)],
                "comments": [rng.randrange(300) for _ in range(n)],
                "followers": [rng.randrange(1_000, 2_000_000) for _ in range(n)],
            }
        )
        frame.to_csv(tmp, mode="a" if start else "w", header=not start, index=False)
    tmp.replace(path)
    return path


class TreeRSS:
    """Peaks of the summed RSS and PSS of a process and its descendants, sampled in a thread.

    Summed RSS counts pages shared between the processes (libraries, the forkserver's
    imports) once per process; PSS splits each shared page between its sharers.
    """

    def __init__(self, pid: int, every: float = 0.05) -> None:
        import psutil

        self._root = psutil.Process(pid)
        self._every = every
        self.peak = 0
        self.peak_pss = 0
        self.samples: list[int] = []  # summed RSS at every sample, in order
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self._root, *self._root.children(recursive=True)]
                total = shared_split = 0
                for proc in procs:
                    with contextlib.suppress(psutil.Error):
                        info = proc.memory_full_info()
                        total += info.rss
                        shared_split += info.pss
                self.peak = max(self.peak, total)
                self.samples.append(total)
                self.peak_pss = max(self.peak_pss, shared_split)
            except psutil.Error:
                return
            time.sleep(self._every)

    def quarters_mb(self) -> list[float]:
        """Peak summed RSS (MB) in each quarter of the run: flat memory gives equal figures."""
        n = len(self.samples)
        cuts = [n * k // 4 for k in range(5)]
        return [max(self.samples[a:b], default=0) / 2**20 for a, b in itertools.pairwise(cuts)]

    def stop(self) -> tuple[int, int]:
        """Stop sampling; return the peaks (summed RSS, summed PSS) in bytes."""
        self._stop.set()
        self._thread.join()
        return self.peak, self.peak_pss


def classify(
    archive: Path, out: Path, models: Path, workers: int, engine: str = "local"
) -> tuple[dict, float, tuple[int, int]]:
    shutil.rmtree(out, ignore_errors=True)
    command = [
        sys.executable,
        "-c",
        CLI,
        "classify",
        str(archive),
        "--out",
        str(out),
        "--models",
        str(models),
    ]
    command += ["--engine", engine, "--workers", str(workers), "--quiet"]
    start = time.perf_counter()
    process = subprocess.Popen(command)
    rss = TreeRSS(process.pid)
    code = process.wait()
    peak = rss.stop()
    quarters = " / ".join(f"{q:,.0f}" for q in rss.quarters_mb())
    print(f"  summed RSS peak per quarter of the run: {quarters} MB")
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"brandfit classify failed with exit code {code}: {' '.join(command)}")
    return json.loads((out / "summary.json").read_text()), elapsed, peak


def same_outputs(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in (a / "posts").iterdir())
    if names != sorted(p.relative_to(b) for p in (b / "posts").iterdir()):
        return False
    files = [*names, Path("quarantine.jsonl")]
    return all((a / n).read_bytes() == (b / n).read_bytes() for n in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="largest archive (the small one is rows/10)"
    )
    parser.add_argument(
        "--dask-rows", type=int, default=None, help="archive for Dask vs local (default: rows/10)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--models", type=Path, default=REPO / "models")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument(
        "--skip-small", action="store_true", help="only the --rows archive (not rows/10 first)"
    )
    args = parser.parse_args()

    pool = text_pool(args.shared)
    sizes = [args.rows] if args.skip_small else sorted({max(args.rows // 10, 1), args.rows})
    archives = {n: build_archive(pool, n, OUT / f"archive-{n}.csv") for n in sizes}
    print(f"models: {args.models}   workers: {args.workers}   text pool: {len(pool):,} real posts")
    results = {}
    for n in sizes:
        summary, elapsed, peak = classify(
            archives[n], OUT / f"job-local-{n}", args.models, args.workers
        )
        results[n] = (summary, elapsed)
        rate = summary["timings"]["rows_per_s"]
        print(
            f"local engine, {n:>9,} posts, 4 heads: {rate:>8,.0f} posts/s "
            f"(job {summary['timings']['elapsed_s']:.1f} s, wall incl. start-up {elapsed:.1f} s), "
            f"peak RSS (driver + workers, summed) {peak[0] / 2**20:,.0f} MB "
            f"(summed PSS {peak[1] / 2**20:,.0f} MB), "
            f"scored {summary['scored']:,} quarantined {summary['quarantined']:,}"
        )

    if not args.skip_dask:
        n = args.dask_rows or sizes[0]
        archive = archives.get(n) or build_archive(pool, n, OUT / f"archive-{n}.csv")
        if n not in results:
            results[n] = classify(archive, OUT / f"job-local-{n}", args.models, args.workers)[:2]
        dask_summary, dask_elapsed, dask_peak = classify(
            archive, OUT / f"job-dask-{n}", args.models, args.workers, "dask"
        )
        local_rate = results[n][0]["timings"]["rows_per_s"]
        dask_rate = dask_summary["timings"]["rows_per_s"]
        identical = same_outputs(OUT / f"job-local-{n}", OUT / f"job-dask-{n}")
        print(
            f"dask LocalCluster ({args.workers} workers), {n:,} posts: {dask_rate:,.0f} posts/s "
            f"(wall incl. cluster start {dask_elapsed:.1f} s, peak RSS {dask_peak[0] / 2**20:,.0f} MB, PSS {dask_peak[1] / 2**20:,.0f} MB) "
            f"vs local {local_rate:,.0f} posts/s; identical output: {identical}"
        )

    texts = pd.read_csv(archives[sizes[-1]], usecols=["text"], dtype=str, keep_default_na=False)[
        "text"
    ].tolist()
    peer = bench_fasttext(texts, args.shared)
    ours = results[sizes[-1]][0]["timings"]["rows_per_s"]
    print(f"fastText, 1 head (offensive), {len(texts):,} posts, 1 thread: {peer:,.0f} posts/s")
    print(
        f"ratio brandfit batch (4 heads, {args.workers} workers) / fastText (1 head): {ours / peer:.3f}"
    )


if __name__ == "__main__":
    main()
