"""Classifying processes on one machine share its cores (brandfit/batch/cores.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from brandfit.batch import cores
from brandfit.batch.engines import LocalEngine
from brandfit.batch.worker import TaskSpec
from brandfit.features.encoder_cache import encoder_threads, load_encoder
from brandfit.predict import Predictor
from brandfit.settings import DEFAULT_MODELS_DIR, get_settings

ENCODER_DIR = DEFAULT_MODELS_DIR / "encoder"


@pytest.fixture
def four_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cores.THREADS_VARIABLE, raising=False)
    monkeypatch.setattr(cores, "available_cores", lambda: 4)
    get_settings.cache_clear()


@pytest.mark.usefixtures("four_cores")
def test_each_process_gets_its_share_and_a_single_process_keeps_the_default() -> None:
    assert cores.threads_per_process(1) is None
    assert cores.threads_per_process(2) == 2
    assert cores.threads_per_process(3) == 1
    assert cores.threads_per_process(8) == 1  # never 0


@pytest.mark.usefixtures("four_cores")
def test_the_users_thread_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cores.THREADS_VARIABLE, "3")
    get_settings.cache_clear()
    assert cores.threads_per_process(2) is None


def _threads(encoder_dir: Path = ENCODER_DIR) -> int:
    return load_encoder(encoder_dir)._session.get_session_options().intra_op_num_threads


def test_encoder_threads_come_from_the_block_else_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(cores.THREADS_VARIABLE, raising=False)
    get_settings.cache_clear()
    assert _threads() == 0  # onnxruntime's default: one per physical core
    with encoder_threads(1):
        assert _threads() == 1
    monkeypatch.setenv(cores.THREADS_VARIABLE, "1")
    get_settings.cache_clear()
    assert _threads() == 1


@pytest.mark.usefixtures("four_cores")
def test_local_pool_processes_get_their_share(tiny_models_dir: Path) -> None:
    predictor = Predictor.from_dir(tiny_models_dir)
    spec = TaskSpec.for_predictor(predictor, tiny_models_dir, [])
    engine = LocalEngine(2, spec, predictor)
    try:
        assert engine._pool is not None
        assert engine._pool.submit(os.getenv, cores.THREADS_VARIABLE).result() == "2"
    finally:
        engine.close()


def test_dask_workers_get_their_hosts_share_unless_they_set_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    from brandfit.batch.dask_backend import DaskEngine

    monkeypatch.delenv(cores.THREADS_VARIABLE, raising=False)
    share = str(max(cores.available_cores() // 2, 1))  # the workers run on this machine
    engine = DaskEngine(None, workers=2)
    try:
        seen = engine.client.run(os.getenv, cores.THREADS_VARIABLE)
        assert sorted(seen.values()) == [share, share]
        engine.client.run(cores.use_encoder_threads, 7)  # as if set in the workers' environment
        again = cores.share_cores_among_workers(engine.client)
        assert sorted(again.values()) == ["7", "7"]
    finally:
        engine.close()
