"""The local engine: chunks classified in this process and, with ``workers > 1``, a process pool.

The driver process is itself one of the ``workers``: it already holds the loaded
Predictor, so ``workers=N`` starts only ``N - 1`` pool processes (``forkserver``; each
loads the models once, see :mod:`brandfit.batch.worker`). The pool is kept fed with up
to two tasks per process; any other chunk runs in the driver at once. A pool process
that dies fails the job (the Dask engine retries instead); ``--resume`` then redoes
only the parts that were not written.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

import pandas as pd

from brandfit.batch.cores import threads_per_process, use_encoder_threads
from brandfit.batch.worker import TaskSpec, classify_partition, remember
from brandfit.predict import Predictor


class LocalEngine:
    """Chunk tasks in the driver plus ``workers - 1`` pool processes."""

    def __init__(self, workers: int, spec: TaskSpec, predictor: Predictor) -> None:
        self.workers = max(workers, 1)
        remember(spec, predictor)
        self._pool: ProcessPoolExecutor | None = None
        self._queued: set[Future[pd.DataFrame]] = set()
        if self.workers > 1:
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(
                self.workers - 1,
                mp_context=context,
                initializer=use_encoder_threads,
                initargs=(threads_per_process(self.workers),),
            )
        self.window = 2 * self.workers
        plural = "es" if self.workers > 1 else ""
        self.description = f"local ({self.workers} process{plural})"

    def submit(self, frame: pd.DataFrame, spec: TaskSpec, key: str) -> Future[pd.DataFrame]:
        """Queue the chunk in the pool if it has room, else classify it here and now."""
        self._queued = {f for f in self._queued if not f.done()}
        if self._pool is not None and len(self._queued) < 2 * (self.workers - 1):
            queued = self._pool.submit(classify_partition, frame, spec)
            self._queued.add(queued)
            return queued
        future: Future[pd.DataFrame] = Future()
        try:
            future.set_result(classify_partition(frame, spec))
        except Exception as exc:  # re-raised by future.result() in the runner
            future.set_exception(exc)
        return future

    def wait_first(self, futures: list[Any]) -> set[Any]:
        """Wait for at least one future; return the finished ones."""
        done, _ = wait(futures, return_when=FIRST_COMPLETED)
        return set(done)

    def close(self) -> None:
        """Stop the pool (queued tasks are cancelled)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
