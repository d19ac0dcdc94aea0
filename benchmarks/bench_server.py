"""HTTP server load figures, measured from a second process over loopback.

Usage:
    python benchmarks/bench_server.py [--models models] [--duration 20] [--rates 100,200,400]
                                      [--overload-clients 256] [--soak 60] [--uvicorn-workers 1]
                                      [--shared ../shared/data] [--tool auto|wrk|python]

Starts ``uvicorn serve:app`` (one worker, the shipped setup) on 127.0.0.1 as a
subprocess with ``BRANDFIT_MODELS_DIR`` set, waits for ``/readyz``, then drives it
with ``wrk`` (``apt-get install -y wrk``) or, if wrk is absent, with an httpx load
generator in this process (the server is always a separate process). Prints:

* ``/v1/predict`` with 1 post, 1 client, one request at a time (the unloaded latency);
* ``/v1/predict`` with 1 post, 16 concurrent clients as fast as they can (closed loop, the
  server saturated): p50, p99, requests/s;
* the same 16 clients paced to each of ``--rates`` requests/s in all: each pauses between its
  requests for a random, exponentially distributed time with mean ``16 / rate`` s minus a
  small allowance (fixed pauses would keep the clients in lockstep, firing in bursts of
  16): p50, p99 and the rate reached (bar: p99 <= 10 ms at >= 400 req/s); at the highest
  rate, ``GET /livez`` paced the same way (no model work: the floor the HTTP stack sets);
* ``/v1/predict`` with 1 post, ``--overload-clients`` (256) clients, far past saturation,
  each 503 pausing a client for its ``Retry-After`` (wrk's Lua state is per thread, so a
  503 pauses the thread's next request, whichever connection it is on): requests/s
  answered, requests/s shed with 503 (``BRANDFIT_MAX_INFLIGHT``), latency of all answers
  and socket errors/timeouts;
* ``/v1/predict`` with 100 posts per request, 4 clients: posts/s;
* ``/v1/score`` for an influencer with 50 posts, 1 client: p50, p99 (bar: p99 <= 50 ms);
* server RSS after all default models are loaded and after the load (bar: <= 300 MB);
* a ``--soak`` (60 s) of 1-20 new real posts per request, 16 clients: RSS after each
  quarter (flat once the bounded caches are full) and the errors (should be 0);
* non-2xx responses in every run (should be 0 except the shed 503s).

Every request carries other posts: real texts sampled from ../shared/data (TweetEval
train splits and Instagram captions, as in the other benchmarks) or, without it, ten
captions written for this script (then every post is a repeat and caches flatter the
figures; the output says which).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from texts import sample_texts  # benchmarks/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parent.parent

CAPTIONS = [
    "Leg day at the gym again, new PR on squats 💪 #fitness #legday",
    "Homemade pasta with fresh basil and a glass of red tonight 😋",
    "Finally beat the final boss after three hours, co-op with the squad later",
    "Climate action cannot wait. Switched my whole wardrobe to recycled fabrics ♻️",
    "Thanks @loopathletics for the new leggings! #ad #sponsored",
    "Sunset run along the river, 10k done in 52 minutes #running",
    "What a pathetic excuse for customer service, never ordering again",
    "New episode of the podcast is out, link in bio 🎙️",
    "Trying the viral protein pancakes recipe, verdict: 8/10",
    "Packing for Lisbon ✈️ any food tips? #travel",
]
BRAND = {
    "name": "Loop Athletics",
    "aliases": ["LoopAthletics", "@loopathletics", "#loopfit"],
    "competitors": {"Strive": ["@strivewear"]},
    "values": [{"name": "sustainability", "terms": ["recycled", "zero waste", "thrifted"]}],
    "target_audience": {"country": {"US": 0.6, "CA": 0.2, "GB": 0.2}},
}


class Texts:
    """An endless supply of post texts: real ones when the shared data is there."""

    def __init__(self, shared: Path, rows: int = 30_000) -> None:
        if (shared / "tweeteval").is_dir():
            self.pool = sample_texts(shared, rows)
            self.source = f"{rows:,} real posts sampled from {shared}"
        else:
            self.pool = list(CAPTIONS)
            self.source = f"{len(CAPTIONS)} fixed captions ({shared} not found)"
        self._next = 0

    def take(self, n: int) -> list[dict[str, Any]]:
        """The next ``n`` posts as request items."""
        out = []
        for _ in range(n):
            i = self._next
            self._next += 1
            out.append({"id": f"p{i}", "text": self.pool[i % len(self.pool)]})
        return out

    def influencer(self, n: int) -> dict[str, Any]:
        """An influencer with ``n`` posts and engagement figures."""
        items = self.take(n)
        return {
            "handle": "@bench",
            "platform": "instagram",
            "followers": 42_000,
            "audience": {"country": {"US": 0.5, "GB": 0.2}},
            "posts": [dict(p, likes=900 + i, comments=40, shares=5) for i, p in enumerate(items)],
        }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status_mb(pid: int) -> tuple[float, float]:
    fields = dict(
        line.split(":", 1)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def rss_mb(pid: int) -> tuple[float, float]:
    """Current and peak resident set size in MB of ``pid`` and its children, summed."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.is_file():  # uvicorn --workers N: a supervisor and N worker processes
        pids += [int(c) for c in children.read_text().split()]
    readings = [_status_mb(p) for p in pids if Path(f"/proc/{p}/status").is_file()]
    return sum(r[0] for r in readings), sum(r[1] for r in readings)


def start_server(
    models: Path, port: int, log: Path, access_log: bool, workers: int = 1
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BRANDFIT_MODELS_DIR": str(models),
        "BRANDFIT_ACCESS_LOG": "true" if access_log else "false",
    }
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "serve:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        *(["--workers", str(workers)] if workers > 1 else []),
    ]
    sink = log.open("wb")
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT)


def wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"server not ready after {timeout} s:\n{log.read_text()[-3000:]}")


# -- wrk ---------------------------------------------------------------------------


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


WRK_SCRIPT = """
local bodies = {}
for line in io.lines("%(path)s") do
  bodies[#bodies + 1] = wrk.format("POST", nil, {["Content-Type"] = "application/json"}, line)
end
local threads = 0
function setup(thread)
  thread:set("first", threads)
  threads = threads + 1
end
local n = nil
function request()
  if n == nil then
    n = first * math.floor(#bodies / 2)
    math.randomseed(first + 1)
  end
  n = n %% #bodies + 1
  return bodies[n]
end
%(delay)s
"""


def run_wrk(
    url: str,
    bodies: list[dict[str, Any]],
    clients: int,
    seconds: int,
    workdir: Path,
    think_ms: float = 0.0,
    honour_retry_after: bool = False,
) -> dict[str, float]:
    payload = workdir / "bodies.jsonl"
    payload.write_text("".join(json.dumps(b, ensure_ascii=False) + "\n" for b in bodies))
    script = workdir / "post.lua"  # no bodies: wrk's default GET of ``url``
    # exponential pauses (mean think_ms): clients with equal fixed pauses fire in lockstep
    pause = f"-{think_ms:.3f} * math.log(1 - math.random())" if think_ms > 0 else "0"
    if honour_retry_after:  # a 503's Retry-After delays this thread's next request
        delay = (
            "local backoff = 0\n"
            "function response(status, headers, body)\n"
            "  if status == 503 then\n"
            "    backoff = 1000 * tonumber(headers['retry-after'] or headers['Retry-After'] or '1')\n"
            "  end\n"
            "end\n"
            f"function delay() local d = backoff; backoff = 0; return d + {pause} end"
        )
    elif think_ms > 0:
        delay = f"function delay() return {pause} end"
    else:
        delay = ""
    script.write_text(WRK_SCRIPT % {"path": payload, "delay": delay} if bodies else delay)
    threads = min(2, clients)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)\s*$", out, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "p50_ms": _ms(percentiles["50"]),
        "p99_ms": _ms(percentiles["99"]),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "non_2xx": float(non_2xx.group(1)) if non_2xx else 0.0,
        "socket_errors": float(sum(int(x) for x in errors.groups())) if errors else 0.0,
    }


# -- python fallback -----------------------------------------------------------------


def run_python(
    url: str,
    bodies: list[dict[str, Any]],
    clients: int,
    seconds: int,
    _workdir: Path,
    think_ms: float = 0.0,
    honour_retry_after: bool = False,
) -> dict[str, float]:
    latencies: list[float] = []
    bad = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    contents = [json.dumps(b).encode() for b in bodies]

    def worker(first: int) -> None:
        nonlocal bad
        n = first
        with httpx.Client(headers={"content-type": "application/json"}, timeout=30) as client:
            while time.monotonic() < stop:
                n += 1
                start = time.perf_counter()
                if contents:
                    answer = client.post(url, content=contents[n % len(contents)])
                else:
                    answer = client.get(url)
                status = answer.status_code
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    latencies.append(elapsed)
                    bad += status >= 300
                if honour_retry_after and status == 503:
                    time.sleep(float(answer.headers.get("retry-after", "1")))
                if think_ms:
                    time.sleep(random.expovariate(1000 / think_ms))

    step = max(len(contents) // clients, 1) if contents else 0
    threads = [threading.Thread(target=worker, args=(i * step,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return {
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "rps": len(latencies) / wall,
        "non_2xx": float(bad),
        "socket_errors": 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--models",
        type=Path,
        default=REPO / "models",
        help="models directory (default: the repo's models/)",
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds per load run")
    parser.add_argument(
        "--rates",
        default="100,200,400",
        help="comma-separated request rates (in all) for the paced 1-post runs",
    )
    parser.add_argument(
        "--shared",
        type=Path,
        default=REPO.parent / "shared" / "data",
        help="data sets to sample real post texts from",
    )
    parser.add_argument(
        "--uvicorn-workers",
        type=int,
        default=1,
        help="server processes (uvicorn --workers); RSS is then summed over them",
    )
    parser.add_argument(
        "--soak",
        type=int,
        default=60,
        help="seconds of mixed traffic at the end, RSS read every quarter (0 = skip)",
    )
    parser.add_argument(
        "--overload-clients",
        type=int,
        default=256,
        help="clients for the past-saturation run (0 = skip it)",
    )
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--no-access-log",
        action="store_true",
        help="turn the JSON access log off (default: on, as in production)",
    )
    args = parser.parse_args()
    tool = (
        "wrk" if args.tool == "wrk" or (args.tool == "auto" and shutil.which("wrk")) else "python"
    )
    load = run_wrk if tool == "wrk" else run_python
    texts = Texts(args.shared)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        log = workdir / "server.log"
        proc = start_server(
            args.models.resolve(),
            port,
            log,
            access_log=not args.no_access_log,
            workers=args.uvicorn_workers,
        )
        try:
            wait_ready(base, proc, log)
            for _ in range(20 * (args.uvicorn_workers - 1)):  # every worker, not just one
                wait_ready(base, proc, log)
            versions = httpx.get(f"{base}/v1/models").json()["model_versions"]
            rss_loaded, _ = rss_mb(proc.pid)
            print(f"server pid {proc.pid}; models {args.models}; versions {versions}")
            print(
                f"load tool: {tool}; {args.duration} s per run; access log {'off' if args.no_access_log else 'on'}"
            )
            print(f"RSS after load + warm-up: {rss_loaded:.0f} MB")
            print(f"post texts: {texts.source}")
            for _ in range(50):  # warm the HTTP path
                httpx.post(f"{base}/v1/predict", json={"posts": texts.take(1)})
            singles = [{"posts": texts.take(1)} for _ in range(20_000)]
            alone = load(f"{base}/v1/predict", singles, 1, args.duration, workdir)
            print(
                f"/v1/predict 1 post, 1 client, one request at a time: p50 {alone['p50_ms']:.2f} ms, p99 {alone['p99_ms']:.2f} ms, {alone['rps']:.0f} req/s, non-2xx {alone['non_2xx']:.0f}"
            )
            one = load(f"{base}/v1/predict", singles, 16, args.duration, workdir)
            print(
                f"/v1/predict 1 post, 16 clients, closed loop: p50 {one['p50_ms']:.2f} ms, p99 {one['p99_ms']:.2f} ms, {one['rps']:.0f} req/s, non-2xx {one['non_2xx']:.0f}, socket errors {one['socket_errors']:.0f}"
            )
            rates = [float(r) for r in args.rates.split(",") if r.strip()]
            for rate in rates:
                # pauses so that 16 clients offer about `rate` requests/s; the allowance
                # for the response time itself is one closed-loop median, capped
                think = max(16 / rate * 1000 - min(one["p50_ms"], 5.0), 0.0)
                paced = load(f"{base}/v1/predict", singles, 16, args.duration, workdir, think)
                print(
                    f"/v1/predict 1 post, 16 clients paced to {rate:.0f} req/s (random pauses, mean {think:.1f} ms): p50 {paced['p50_ms']:.2f} ms, p99 {paced['p99_ms']:.2f} ms, {paced['rps']:.0f} req/s reached, non-2xx {paced['non_2xx']:.0f}, socket errors {paced['socket_errors']:.0f}  (bar: p99 <= 10 ms at >= 400 req/s)"
                )
                if rate == max(rates):
                    floor = load(f"{base}/livez", [], 16, args.duration, workdir, think)
                    print(
                        f"GET /livez (no model work: the HTTP stack alone), 16 clients paced the same way: p50 {floor['p50_ms']:.2f} ms, p99 {floor['p99_ms']:.2f} ms, {floor['rps']:.0f} req/s reached"
                    )
            if args.overload_clients:
                over = load(
                    f"{base}/v1/predict",
                    singles,
                    args.overload_clients,
                    args.duration,
                    workdir,
                    honour_retry_after=True,
                )
                served = over["rps"] - over["non_2xx"] / args.duration
                print(
                    f"/v1/predict 1 post, {args.overload_clients} clients past saturation, each 503 delaying a client by its Retry-After: {served:.0f} req/s answered 200, {over['non_2xx'] / args.duration:.0f} req/s shed with 503, p50 {over['p50_ms']:.2f} ms, p99 {over['p99_ms']:.2f} ms (all answers), socket errors incl. timeouts {over['socket_errors']:.0f}"
                )
            hundreds = [{"posts": texts.take(100)} for _ in range(300)]
            hundred = load(f"{base}/v1/predict", hundreds, 4, args.duration, workdir)
            print(
                f"/v1/predict 100 posts, 4 clients: {hundred['rps'] * 100:.0f} posts/s (p50 {hundred['p50_ms']:.1f} ms, p99 {hundred['p99_ms']:.1f} ms), non-2xx {hundred['non_2xx']:.0f}"
            )
            cards = [{"brand": BRAND, "influencer": texts.influencer(50)} for _ in range(100)]
            score = load(f"{base}/v1/score", cards, 1, args.duration, workdir)
            print(
                f"/v1/score 50 posts, 1 client: p50 {score['p50_ms']:.1f} ms, p99 {score['p99_ms']:.1f} ms, {score['rps']:.1f} req/s, non-2xx {score['non_2xx']:.0f}  (bar: p99 <= 50 ms)"
            )
            rss_now, rss_peak = rss_mb(proc.pid)
            print(
                f"RSS after the runs: {rss_now:.0f} MB (peak {rss_peak:.0f} MB)  (bar: <= 300 MB)"
            )
            if args.soak:
                segment = max(args.soak // 4, 1)
                readings = []
                errors = 0.0
                for _ in range(4):  # fresh posts every segment: nothing repeats from before
                    mixed = [{"posts": texts.take(1 + i % 20)} for i in range(5_000)]
                    run = load(f"{base}/v1/predict", mixed, 16, segment, workdir)
                    errors += run["non_2xx"] + run["socket_errors"]
                    readings.append(rss_mb(proc.pid)[0])
                print(
                    f"soak: /v1/predict with 1-20 new posts per request, 16 clients, {4 * segment} s: "
                    f"RSS after each quarter {' / '.join(f'{r:.0f}' for r in readings)} MB, "
                    f"non-2xx + socket errors {errors:.0f}"
                )
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
