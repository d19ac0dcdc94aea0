from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from brandfit.batch.idset import IdSet, hash_ids


def test_idset_flags_repeats_within_and_across_batches() -> None:
    seen = IdSet()
    assert seen.add(["a", "b", "a"]).tolist() == [False, False, True]
    assert seen.add(["c", "b"]).tolist() == [False, True]
    assert len(seen) == 3


@given(st.lists(st.lists(st.text(max_size=4), max_size=30), max_size=20))
def test_idset_agrees_with_a_python_set(batches: list[list[str]]) -> None:
    seen, reference = IdSet(), set()
    for batch in batches:
        want = []
        for item in batch:
            want.append(item in reference)
            reference.add(item)
        assert seen.add(batch).tolist() == want
    assert len(seen) == len(reference)


def test_idset_merges_levels_without_losing_ids() -> None:
    rng = random.Random(0)
    seen = IdSet()
    ids = [f"id{i}" for i in range(5000)]
    for start in range(0, 5000, 37):
        seen.add(ids[start : start + 37])
    assert not seen.add([f"new{i}" for i in range(100)]).any()
    assert seen.add(rng.sample(ids, 200)).all()


def test_idset_hashes_are_stable_across_runs() -> None:
    assert hash_ids(["post-1"]).tolist() == hash_ids(["post-1"]).tolist()
    assert hash_ids(["post-1"])[0] != hash_ids(["post-2"])[0]


def test_idset_ids_that_differ_after_a_nul_or_by_escapes_stay_distinct() -> None:
    ids = ["", "\x00", "a", "a\x00", "a\x00b", "a\x00c", "a\\0", "a\\\x00", "\\"]
    assert len(set(hash_ids(ids).tolist())) == len(ids)
    assert not IdSet().add(ids).any()
