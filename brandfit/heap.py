"""Keep long-lived objects (models, libraries) out of the garbage collector's way."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc


def settle_heap() -> None:
    """Collect once, then move every live object out of the garbage collector's reach.

    Loaded models, spaCy and the libraries make ~200k long-lived tracked objects; a full
    collection over them takes ~100 ms, which showed up as the server's p99 latency.
    Frozen objects are still freed by reference counting when a reload drops a model
    set; this runs again after each reload. Free heap pages go back to the OS (glibc).
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    libc_name = ctypes.util.find_library("c")
    if libc_name:
        with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
            ctypes.CDLL(libc_name).malloc_trim(0)


#: glibc's ``mallopt`` parameters: number of malloc arenas, size served by ``mmap``.
_M_ARENA_MAX = -8
_M_MMAP_THRESHOLD = -3

#: Allocations from this size up get their own mapping, returned to the OS when freed.
MMAP_THRESHOLD = 1 << 20


def limit_malloc_arenas(arenas: int = 2, mmap_threshold: int = MMAP_THRESHOLD) -> None:
    """Cap glibc's per-thread malloc arenas and fix its ``mmap`` threshold.

    Without the cap a threaded server holds ~13 MB more. Without a fixed threshold glibc
    raises it (up to 32 MB) each time a large block is freed, so large temporaries land
    inside an arena and stay resident after they are freed. With the encoder heads, this
    and :func:`settle_heap` together: server RSS 492 vs 545 MB after the load runs of
    ``benchmarks/bench_server.py`` and 44 vs 35 req/s closed loop (one run each, AVX2
    machine, 2026-12-07; docs/experiments.md). Call before worker threads start
    allocating; a no-op where glibc is absent.
    """
    libc_name = ctypes.util.find_library("c")
    if libc_name:
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(libc_name)
            libc.mallopt(_M_ARENA_MAX, arenas)
            libc.mallopt(_M_MMAP_THRESHOLD, mmap_threshold)
