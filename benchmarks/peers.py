"""The peer every throughput benchmark is compared with: fastText, trained in the same run."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path


def bench_fasttext(texts: list[str], shared: Path) -> float:
    try:
        import fasttext
    except ImportError as exc:  # pragma: no cover - benchmark only
        raise SystemExit('fastText is the peer here: pip install -e ".[bench]"') from exc
    folder = shared / "tweeteval" / "offensive"
    train = folder.joinpath("train_text.txt").read_text(encoding="utf-8").split("\n")
    labels = folder.joinpath("train_labels.txt").read_text(encoding="utf-8").split("\n")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        for text, label in zip(train, labels, strict=False):
            if text.strip() and label.strip():
                handle.write(f"__label__{label.strip()} {text.strip().lower()}\n")
    model = fasttext.train_supervised(handle.name, epoch=10, wordNgrams=2, verbose=0)
    Path(handle.name).unlink()
    cleaned = [re.sub(r"\s+", " ", t).strip().lower() for t in texts]
    start = time.perf_counter()
    model.predict(cleaned)
    return len(texts) / (time.perf_counter() - start)
