"""Real uvicorn on 127.0.0.1: ``uvicorn serve:app`` and ``brandfit serve`` both come up and answer."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("server did not become ready in 60 s")


@pytest.fixture(params=["uvicorn", "brandfit"])
def server_process(
    request: pytest.FixtureRequest, tiny_models_dir: Path, tmp_path: Path
) -> Iterator[tuple[str, int]]:
    """(base URL, pid) of a real server started one of the two documented ways."""
    port = free_port()
    env = {**os.environ, "BRANDFIT_MODELS_DIR": str(tiny_models_dir)}
    if request.param == "uvicorn":
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
        ]
    else:
        cmd = [
            sys.executable,
            "-c",
            "from brandfit.cli import app; app()",
            "serve",
            "--port",
            str(port),
            "--models",
            str(tiny_models_dir),
        ]
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, proc, log)
            yield base, proc.pid
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.fixture
def server(server_process: tuple[str, int]) -> str:
    return server_process[0]


def test_server_livez_and_predict_over_loopback(server: str) -> None:
    assert httpx.get(f"{server}/livez").json() == {"status": "alive"}
    response = httpx.post(
        f"{server}/v1/predict",
        json={"posts": [{"id": "p1", "text": "leg day at the gym #fitness"}]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["predictions"][0]["id"] == "p1"
    assert "fitness_&_health" in body["predictions"][0]["niche"]["labels"]
    assert response.headers["x-request-id"]


def test_server_process_runs_without_pyarrow_and_still_ranks(
    server_process: tuple[str, int], brand: dict, candidates: list[dict]
) -> None:
    base, pid = server_process
    maps = Path(f"/proc/{pid}/maps")
    if not maps.exists():
        pytest.skip("needs /proc to read the server's loaded libraries")
    # brandfit.serving keeps pyarrow's shared libraries (~60 MB RSS) out of the server
    assert "libarrow" not in maps.read_text()
    response = httpx.post(f"{base}/v1/rank", json={"brand": brand, "influencers": candidates})
    assert response.status_code == 200, response.text
    ranking = response.json()["ranking"]
    assert [card["rank"] for card in ranking] == list(range(1, len(ranking) + 1))
    score = httpx.post(f"{base}/v1/score", json={"brand": brand, "influencer": candidates[0]})
    assert score.status_code == 200, score.text
