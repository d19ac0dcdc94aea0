"""The Dask engine: the same task as the local engine, run on a LocalCluster or a real cluster.

Dask is optional (``pip install "brandfit[dask]"``) and imported only here, lazily.
The driver still reads, validates and de-duplicates the input (cheap and sequential,
so quarantine and duplicate decisions are identical to the local engine); workers
run :func:`~brandfit.batch.worker.classify_partition` on chunks and return the
frames; the driver writes each part exactly once. If a worker dies mid-task the
scheduler reruns the task elsewhere, and since only the driver writes, no row is
lost or duplicated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from brandfit.batch.cores import share_cores_among_workers
from brandfit.batch.frame import classify_frame
from brandfit.batch.sources import empty_frame
from brandfit.batch.worker import TaskSpec, classify_partition
from brandfit.errors import InvalidInputError, MissingDependencyError
from brandfit.persistence.registry import ModelsLocation
from brandfit.predict import Predictor

INSTALL_HINT = 'the Dask engine needs the dask extra: pip install "brandfit[dask]"'


def import_dask() -> tuple[Any, Any]:
    """``(dask.dataframe, distributed)``, or :class:`MissingDependencyError` with the pip command."""
    try:
        import dask.dataframe as dd
        import distributed
    except ImportError as exc:
        raise MissingDependencyError(
            f"{INSTALL_HINT} ({exc.name or exc} is not installed)"
        ) from exc
    return dd, distributed


class DaskEngine:
    """Runs chunk tasks on Dask: a fresh LocalCluster, or the cluster at ``scheduler``."""

    def __init__(
        self, scheduler: str | None = None, workers: int = 2, timeout: float = 30.0
    ) -> None:
        _, distributed = import_dask()
        self._distributed = distributed
        self._cluster: Any = None
        try:
            if scheduler:
                self.client = distributed.Client(scheduler, timeout=timeout)
            else:
                self._cluster = distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
                )
                self.client = distributed.Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            raise InvalidInputError(
                f"cannot reach the Dask scheduler at {scheduler}: {exc}"
            ) from exc
        share_cores_among_workers(self.client)
        threads = sum(self.client.nthreads().values()) or workers
        self.window = 2 * threads
        self.description = f"dask ({scheduler or 'LocalCluster'}, {threads} worker threads)"

    def submit(self, frame: pd.DataFrame, spec: TaskSpec, key: str) -> Any:
        """Start one chunk task; returns a Dask future."""
        return self.client.submit(classify_partition, frame, spec, key=key, pure=False)

    def wait_first(self, futures: Sequence[Any]) -> set[Any]:
        """Wait for at least one future; return the finished ones."""
        done, _ = self._distributed.wait(list(futures), return_when="FIRST_COMPLETED")
        return set(done)

    def close(self) -> None:
        """Disconnect; shut the LocalCluster down if we started it."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def classify_dask_frame(
    ddf: Any,
    models_dir: ModelsLocation,
    heads: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
) -> Any:
    """``classify_frame`` over every partition of a Dask DataFrame (lazy; call ``.compute()``).

    ``ddf`` needs ``id`` and ``text`` columns; the other columns pass through. Each
    worker loads the models from ``models_dir`` once (so they must exist there on
    every worker) and checks their versions match the ones loaded here.
    """
    import_dask()
    predictor = Predictor.from_dir(models_dir, list(heads) if heads else None)
    values = predictor.resolve_targets(targets) if "alignment" in predictor.models.heads else []
    spec = TaskSpec.for_predictor(predictor, models_dir, values)
    sample = ddf._meta if hasattr(ddf, "_meta") else empty_frame()
    meta = classify_frame(sample.iloc[:0], predictor, heads=list(spec.heads), targets=values)
    return ddf.map_partitions(classify_partition, spec, meta=meta)
