"""Sanity check of the shipped alignment head on ten plain creator posts about brand values.

The posts (tests/data/value_posts.jsonl) were written for this check, not drawn from any
training set, and never used to choose settings. The issue's bar on similar posts is 8/10;
the shipped head gets 3/10 (it leans to ``opposes``/``neutral`` on brand-value posts), so
the bar is an expected failure and ``FLOOR`` guards against getting worse.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brandfit.heads.value_head import ValueStanceHead
from brandfit.persistence.artifact import load_head
from brandfit.settings import DEFAULT_MODELS_DIR

POSTS = Path(__file__).resolve().parent.parent / "data" / "value_posts.jsonl"
BAR = 8
FLOOR = 3


@pytest.fixture(scope="module")
def head() -> ValueStanceHead:
    model, _ = load_head(DEFAULT_MODELS_DIR / "alignment")
    assert isinstance(model, ValueStanceHead)
    return model


def _right(head: ValueStanceHead) -> int:
    rows = [json.loads(line) for line in POSTS.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 10
    P = head.predict_texts([r["text"] for r in rows], [r["value"] for r in rows])
    got = [head.labels[j] for j in P.argmax(axis=1)]
    return sum(g == r["expected"] for r, g in zip(rows, got, strict=True))


def test_shipped_head_is_no_worse_on_plain_value_posts(head: ValueStanceHead) -> None:
    assert _right(head) >= FLOOR


@pytest.mark.xfail(reason="issue 16 bar (8/10) not met: the shipped head gets 3/10", strict=True)
def test_shipped_head_meets_the_issue_bar_on_plain_value_posts(head: ValueStanceHead) -> None:
    assert _right(head) >= BAR


def test_off_topic_post_is_neutral_for_every_value(head: ValueStanceHead) -> None:
    text = "Finally beat the final boss tonight after three hours, my hands are shaking lol"
    values = ["climate", "hillary", "animal welfare", "body positivity", "clean energy"]
    P = head.predict_texts([text] * len(values), values)
    assert [head.labels[j] for j in P.argmax(axis=1)] == ["neutral"] * len(values)
