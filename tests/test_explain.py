from __future__ import annotations

import pytest

from brandfit.explain import top_terms
from brandfit.heads.model import HeadModel


def test_explain_names_the_words_that_drove_a_label(tiny_heads: dict[str, HeadModel]) -> None:
    [terms] = top_terms(tiny_heads["niche"], ["leg day at the gym"], "fitness_&_health", k=3)
    assert terms, "a clearly on-topic post must have evidence"
    assert any("gym" in t or "leg" in t for t, _ in terms)
    assert all(w > 0 for _, w in terms)


def test_explain_works_for_multiclass_and_targets(tiny_heads: dict[str, HeadModel]) -> None:
    [neg] = top_terms(tiny_heads["sentiment"], ["worst experience ever"], "negative")
    assert any("worst" in t for t, _ in neg)
    [sup] = top_terms(
        tiny_heads["alignment"], ["we must cut emissions now"], "supports", targets=["climate"]
    )
    assert any("emissions" in t or "cut" in t for t, _ in sup)


def test_explain_empty_post_has_no_evidence(tiny_heads: dict[str, HeadModel]) -> None:
    assert top_terms(tiny_heads["niche"], [""], "gaming") == [[]]


def test_explain_unknown_label_is_refused(tiny_heads: dict[str, HeadModel]) -> None:
    with pytest.raises(ValueError, match="no label 'cooking'"):
        top_terms(tiny_heads["niche"], ["x"], "cooking")
