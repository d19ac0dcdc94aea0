"""Share this machine's cores among the processes that classify on it.

Each classifying process runs its own sentence-encoder session, and onnxruntime gives every
session one thread per core. With ``--workers 2`` on 2 cores that is 4 busy threads on 2
cores: about 28% slower than one thread per process (``docs/batch.md``, Engines). A job
with N classifying processes on one machine gives each ``cores // N`` encoder threads
(Dask workers: per host), unless the user set ``BRANDFIT_ENCODER_THREADS``.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

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


def take_core_share(processes: int) -> str:
    """Run in a Dask worker: use this host's cores // ``processes`` encoder threads.

    Left alone (returns the value found) when the worker's environment sets
    ``BRANDFIT_ENCODER_THREADS``; returns the value now in force.
    """
    if os.environ.get(THREADS_VARIABLE):
        return os.environ[THREADS_VARIABLE]
    use_encoder_threads(max(available_cores() // max(processes, 1), 1))
    return os.environ[THREADS_VARIABLE]


def share_cores_among_workers(client: Any) -> dict[str, str]:
    """Give every worker of ``client`` its host's share of cores; returns each worker's threads.

    Workers load the models on their first task, so this runs before any task. Workers
    that join the cluster later keep onnxruntime's default.
    """
    from distributed.comm import get_address_host  # the dask extra; only Dask jobs get here

    by_host: dict[str, list[str]] = defaultdict(list)
    for address in client.scheduler_info()["workers"]:
        by_host[get_address_host(address)].append(address)
    threads: dict[str, str] = {}
    for addresses in by_host.values():
        threads.update(client.run(take_core_share, len(addresses), workers=addresses))
    return threads
