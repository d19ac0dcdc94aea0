from __future__ import annotations

import builtins
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from brandfit.batch import classify_dask_frame, classify_frame
from brandfit.batch import runner as runner_module
from brandfit.batch.dask_backend import INSTALL_HINT, DaskEngine, import_dask
from brandfit.batch.worker import TaskSpec
from brandfit.batch.writers import to_arrow
from brandfit.errors import MissingDependencyError
from brandfit.persistence.registry import load_models
from brandfit.predict import Predictor

from .conftest import job, snapshot

OUTPUTS = ("posts/", "quarantine.jsonl", "authors.parquet")


def _same_outputs(a: Path, b: Path) -> None:
    left, right = snapshot(a), snapshot(b)
    compared = [name for name in left if name.startswith(OUTPUTS)]
    assert compared and [n for n in right if n.startswith(OUTPUTS)] == compared
    for name in compared:
        assert left[name] == right[name], name


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        yield cluster.scheduler_address


@pytest.mark.dask
def test_dask_engine_output_is_identical_to_local(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path, scheduler: str
) -> None:
    local = job(tmp_path / "local", [inputs], tiny_models_dir, chunk_size=2, by_author=True)
    remote = job(
        tmp_path / "dask",
        [inputs],
        tiny_models_dir,
        chunk_size=2,
        by_author=True,
        engine="dask",
        scheduler=scheduler,
    )
    assert remote["engine"].startswith("dask")
    empty = [p for p in (tmp_path / "dask" / "posts").iterdir() if pd.read_parquet(p).empty]
    assert empty, (
        "the fixture should give at least one empty partition (a chunk of rejected rows only)"
    )
    _same_outputs(tmp_path / "local", tmp_path / "dask")
    drop = ("engine", "timings")
    assert {k: v for k, v in local.items() if k not in drop} == {
        k: v for k, v in remote.items() if k not in drop
    }


@pytest.mark.dask
def test_dask_job_resumes_a_local_job(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path, scheduler: str
) -> None:
    job(tmp_path / "local", [inputs], tiny_models_dir, chunk_size=2)
    out = tmp_path / "mixed"
    job(out, [inputs], tiny_models_dir, chunk_size=2)
    (out / "summary.json").unlink()
    for part in sorted((out / "posts").glob("part-*"))[::2]:
        part.unlink()
    summary = job(
        out,
        [inputs],
        tiny_models_dir,
        chunk_size=2,
        engine="dask",
        scheduler=scheduler,
        resume=True,
    )
    assert summary["timings"]["parts_computed"] > 0
    _same_outputs(tmp_path / "local", out)


@pytest.mark.dask
def test_dask_map_partitions_matches_classify_frame_with_an_empty_partition(
    tiny_models_dir: Path, scheduler: str
) -> None:
    dd, distributed = import_dask()
    frames = [
        pd.DataFrame(
            {
                "id": ["a", "b"],
                "text": ["leg day at the gym", "pasta tonight"],
                "author": ["x", "y"],
            }
        ),
        pd.DataFrame(
            {
                "id": pd.Series([], dtype=object),
                "text": pd.Series([], dtype=object),
                "author": pd.Series([], dtype=object),
            }
        ),
        pd.DataFrame({"id": ["c"], "text": ["ranked matches all night"], "author": [None]}),
    ]
    ddf = dd.from_map(lambda i: frames[i], range(3), meta=frames[1])
    with distributed.Client(scheduler):
        got = classify_dask_frame(ddf, tiny_models_dir).compute()
    predictor = Predictor(load_models(tiny_models_dir))
    want = classify_frame(pd.concat(frames, ignore_index=True), predictor)
    # dask turns object columns into Arrow strings; compare what would be written
    assert to_arrow(got.reset_index(drop=True)).equals(to_arrow(want))


@pytest.mark.dask
def test_dask_worker_killed_mid_partition_loses_and_duplicates_nothing(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from . import dask_helpers

    marker = tmp_path / "killed-worker-pid"

    class KillingEngine(DaskEngine):
        def submit(self, frame: pd.DataFrame, spec: TaskSpec, key: str) -> Any:
            return self.client.submit(
                dask_helpers.die_once_then_classify, frame, spec, str(marker), key=key, pure=False
            )

    # one worker process: the nanny restarts it and the scheduler reruns the task there
    monkeypatch.setattr(
        runner_module, "_engine", lambda opts, spec, predictor: KillingEngine(None, 1)
    )
    job(tmp_path / "local", [inputs / "posts.csv"], tiny_models_dir, chunk_size=5)
    summary = job(
        tmp_path / "dask", [inputs / "posts.csv"], tiny_models_dir, chunk_size=5, engine="dask"
    )
    assert marker.exists(), "a worker process should have been killed mid-partition"
    assert summary["exactly_once"] is True
    _same_outputs(tmp_path / "local", tmp_path / "dask")


def test_dask_missing_extra_gives_the_pip_command(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def blocked(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] in {"dask", "distributed"}:
            raise ImportError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", blocked)
    with pytest.raises(MissingDependencyError, match='pip install "brandfit\\[dask\\]"') as info:
        import_dask()
    assert INSTALL_HINT in str(info.value)
    with pytest.raises(MissingDependencyError):
        job(tmp_path / "out", [inputs], tiny_models_dir, engine="dask")
    assert not (tmp_path / "out").exists()
