from __future__ import annotations

from pathlib import Path
from typing import Any

from brandfit.batch import iter_classified
from brandfit.batch.writers import to_arrow

from .conftest import MAX_CHARS, job, posts


def test_stream_chunks_account_for_every_row_and_match_the_job(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path, expected: dict[str, Any]
) -> None:
    chunks = list(
        iter_classified(
            [inputs], models_dir=tiny_models_dir, chunk_size=4, max_text_chars=MAX_CHARS
        )
    )
    for chunk in chunks:
        assert chunk.rows_in == len(chunk.posts) + len(chunk.quarantine)
    streamed = [i for c in chunks for i in c.posts["id"]]
    assert streamed == [i for name in sorted(expected) for i in expected[name]["scored"]]
    job(tmp_path / "out", [inputs], tiny_models_dir, chunk_size=4)
    written = posts(tmp_path / "out")
    import pandas as pd

    together = pd.concat([c.posts for c in chunks], ignore_index=True)
    assert to_arrow(together).equals(to_arrow(written))
