"""Share this machine's cores among the processes that classify on it.

Each classifying process runs its own sentence-encoder session, and onnxruntime gives every
session one thread per core. With ``--workers 2`` on 2 cores that is 4 busy threads on 2
cores: about 28% slower than one thread per process (``docs/batch.md``, Engines). A job
with N processes on one machine gives each ``cores // N`` encoder threads, unless the user
set ``BRANDFIT_ENCODER_THREADS``.
"""

from __future__ import annotations

import os

from brandfit.settings import get_settings

#: The variable a worker process reads its encoder thread count from (see Settings).
THREADS_VARIABLE = "BRANDFIT_ENCODER_THREADS"


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1


def threads_per_process(processes: int) -> int | None:
    """Encoder threads for each of ``processes`` on this machine (None: leave the default).

    None when one process classifies (it may use every core) or when the user set
    ``BRANDFIT_ENCODER_THREADS`` (their choice wins).
    """
    if processes <= 1 or get_settings().encoder_threads is not None:
        return None
    return max(available_cores() // processes, 1)


def use_encoder_threads(threads: int | None) -> None:
    """Pool-process initializer: encoders this process loads run ``threads`` threads."""
    if threads is not None:
        os.environ[THREADS_VARIABLE] = str(threads)
        get_settings.cache_clear()


def worker_environment(threads: int | None) -> dict[str, str]:
    """Environment for Dask worker processes started here (empty: nothing to set)."""
    return {} if threads is None else {THREADS_VARIABLE: str(threads)}
