"""Readiness a client can see: 503 while warming up, and 503 during a real shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from brandfit.api import app as app_module
from brandfit.api.app import create_app
from brandfit.persistence.registry import LoadedModels, ModelRegistry
from tests.api.conftest import make_settings
from tests.api.test_server import REPO, free_port, wait_ready


def test_readyz_is_503_when_loaded_but_not_warm(
    tiny_models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warming, release = threading.Event(), threading.Event()
    real = app_module.warm_up

    def slow_warm_up(models: LoadedModels) -> None:
        warming.set()
        assert release.wait(30)
        real(models)

    monkeypatch.setattr(app_module, "warm_up", slow_warm_up)
    registry = ModelRegistry(models_dir=tiny_models_dir)
    with TestClient(create_app(make_settings(models_dir=tiny_models_dir), registry)) as client:
        try:
            assert warming.wait(30)
            assert registry.ready  # loaded and verified ...
            response = client.get("/readyz")  # ... but not warm yet
            assert response.status_code == 503
            assert response.json()["status"] == "warming"
            assert response.headers["retry-after"] == "1"
        finally:
            release.set()
        for _ in range(200):
            if client.get("/readyz").status_code == 200:
                break
            time.sleep(0.05)
        assert client.get("/readyz").status_code == 200


def _slow_body(started: threading.Event, finish: threading.Event) -> Iterator[bytes]:
    """A /v1/predict body sent in two parts: the request stays in flight until ``finish``."""
    yield b'{"posts": [{"text": "leg day then '
    started.set()
    assert finish.wait(60)
    yield b'pasta"}]}'


@pytest.mark.server
def test_sigterm_flips_readyz_while_listener_is_open(tiny_models_dir: Path, tmp_path: Path) -> None:
    """Real uvicorn: after SIGTERM, new connections still get /readyz 503 (not refused)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "BRANDFIT_MODELS_DIR": str(tiny_models_dir),
        "BRANDFIT_SHUTDOWN_GRACE_S": "2",
    }
    cmd = [sys.executable, "-m", "uvicorn", "serve:app", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--no-access-log"]
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            wait_ready(base, proc, log)
            started, finish = threading.Event(), threading.Event()
            slow: dict[str, httpx.Response] = {}

            def send_slow() -> None:
                headers = {"content-type": "application/json"}
                slow["response"] = httpx.post(
                    f"{base}/v1/predict",
                    content=_slow_body(started, finish),
                    headers=headers,
                    timeout=60,
                )

            sender = threading.Thread(target=send_slow)
            sender.start()
            assert started.wait(30)
            proc.send_signal(signal.SIGTERM)
            seen: list[int] = []
            deadline = time.monotonic() + 1.5  # inside the 2 s grace
            while time.monotonic() < deadline:
                response = httpx.get(f"{base}/readyz", timeout=1)
                seen.append(response.status_code)
                if response.status_code == 503:
                    assert response.json()["status"] == "shutting_down"
                    break
                time.sleep(0.02)
            assert seen and seen[-1] == 503, seen
            assert httpx.get(f"{base}/livez", timeout=1).status_code == 200  # still serving
            finish.set()
            sender.join(30)
            assert slow["response"].status_code == 200  # the in-flight request completed
            # uvicorn re-raises the captured SIGTERM after a clean shutdown
            assert proc.wait(timeout=30) in (0, -signal.SIGTERM)
            text = log.read_text()
            assert "Shutting down" in text and "Traceback" not in text
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
