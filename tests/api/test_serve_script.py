"""``python serve.py`` runs the server (it used to exit silently); ``serve:app`` stays importable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.api.test_server import REPO, free_port, wait_ready


@pytest.mark.server
def test_serve_script_serves_on_the_given_port(tiny_models_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "BRANDFIT_MODELS_DIR": str(tiny_models_dir)}
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "serve.py", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, proc, log)
        assert httpx.get(f"{base}/livez").json() == {"status": "alive"}
        assert httpx.get(f"{base}/").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert f"brandfit API on http://127.0.0.1:{port}" in log.read_text()


def test_serve_script_refuses_a_bad_port_in_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "serve.py", "--port", "70000"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "BRANDFIT_MODELS_DIR": "/nonexistent"},
    )
    assert result.returncode == 2
    assert "--port must be in 1..65535" in result.stderr
    assert "Traceback" not in result.stderr
