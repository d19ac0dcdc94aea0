"""Warm-up runs every head and takes the long-lived objects out of garbage collection."""

from __future__ import annotations

from brandfit.persistence.registry import LoadedModels


def test_warm_up_leaves_the_model_objects_out_of_garbage_collection(
    tiny_loaded: LoadedModels,
) -> None:
    import gc

    from brandfit.api.warmup import warm_up

    try:
        warm_up(tiny_loaded)
        assert gc.get_freeze_count() > 0
        assert not any(obj is tiny_loaded for obj in gc.get_objects())  # frozen: not scanned
    finally:
        gc.unfreeze()
