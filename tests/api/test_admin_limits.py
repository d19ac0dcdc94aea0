"""Admin reload: its own one-at-a-time limit; readiness text without absolute paths."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from brandfit.api.app import create_app
from brandfit.api.redact import redact_paths
from brandfit.cli.serve import is_loopback, open_bind_warning
from brandfit.persistence import registry as registry_module
from brandfit.persistence.registry import ModelRegistry
from tests.api.conftest import make_settings


@pytest.fixture
def models_copy(tmp_path: Path, tiny_models_dir: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(tiny_models_dir, target)
    return target


@pytest.fixture
def live(models_copy: Path) -> Iterator[TestClient]:
    registry = ModelRegistry(models_dir=models_copy)
    registry.load()
    with TestClient(create_app(make_settings(models_dir=models_copy), registry)) as client:
        yield client


def test_concurrent_reload_gets_429_with_a_reason(
    live: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    real = registry_module.load_models

    def slow_load(*args: object, **kwargs: object) -> object:
        entered.set()
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(registry_module, "load_models", slow_load)
    first: dict[str, int] = {}
    worker = threading.Thread(
        target=lambda: first.update(status=live.post("/v1/admin/reload").status_code)
    )
    worker.start()
    try:
        assert entered.wait(30)
        second = live.post("/v1/admin/reload")
        assert second.status_code == 429
        assert "already running" in second.json()["detail"]
        assert second.headers["retry-after"]
    finally:
        release.set()
        worker.join(30)
    assert first["status"] == 200
    assert live.post("/v1/admin/reload").status_code == 200  # the gate was released
    assert 'reason="reload_busy"' in live.get("/metrics").text


def test_readyz_reason_has_no_absolute_paths(models_copy: Path) -> None:
    manifest = models_copy / "niche" / "manifest.json"
    manifest.write_text("{not json")
    registry = ModelRegistry(models_dir=models_copy)
    with TestClient(create_app(make_settings(models_dir=models_copy), registry)) as client:
        for _ in range(200):
            body = client.get("/readyz").json()
            if body["status"] == "failed":
                break
            time.sleep(0.05)
        assert body["status"] == "failed"
        reason = body["reason"]
        assert "manifest is not valid JSON" in reason
        assert str(models_copy) not in reason and str(models_copy.parent) not in reason
        assert "<models>/niche/manifest.json" in reason
        assert str(models_copy) in (registry.last_error or "")  # operators keep the full path


def test_redact_paths_cuts_other_absolute_paths() -> None:
    text = "/opt/x/models/niche: resolves outside the models directory /data/models"
    assert redact_paths(text, Path("/data/models")) == (
        "…/niche: resolves outside the models directory <models>"
    )
    assert redact_paths("ratio 1/2 and a/b stay", None) == "ratio 1/2 and a/b stay"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False), ("::", False)],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_open_bind_warning_only_beyond_loopback_without_keys() -> None:
    assert open_bind_warning("127.0.0.1", make_settings()) is None
    assert open_bind_warning("0.0.0.0", make_settings(api_key="k", admin_key="a")) is None
    warning = open_bind_warning("0.0.0.0", make_settings())
    assert warning is not None and "no API keys" in warning


def test_serve_warns_when_binding_beyond_loopback_without_keys(
    monkeypatch: pytest.MonkeyPatch, tiny_models_dir: Path
) -> None:
    import importlib

    from typer.testing import CliRunner

    from brandfit.cli import app

    serve_module = importlib.import_module("brandfit.cli.serve")

    def no_exec(path: str, argv: list[str]) -> None:
        raise SystemExit(0)

    for name in ("BRANDFIT_API_KEY", "BRANDFIT_ADMIN_KEY"):
        monkeypatch.delenv(name, raising=False)
    serve_module.get_settings.cache_clear()
    monkeypatch.setattr(serve_module.os, "execv", no_exec)
    monkeypatch.setenv("BRANDFIT_MODELS_DIR", str(tiny_models_dir))  # execv is not reached
    runner = CliRunner()
    wide = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--models", str(tiny_models_dir)])
    assert "warning:" in wide.output and "no API keys" in wide.output.replace("\n", " ")
    local = runner.invoke(app, ["serve", "--models", str(tiny_models_dir)])
    assert "warning:" not in local.output
