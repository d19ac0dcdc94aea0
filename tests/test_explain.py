from __future__ import annotations

import pytest

from brandfit.explain import top_terms
from brandfit.heads.model import HeadModel
from brandfit.text.stopwords import is_stop_term


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


def test_explain_never_gives_stop_words_alone(
    tiny_heads: dict[str, HeadModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    import brandfit.explain as explain

    texts = ["we must cut emissions and it is not too late", "the gym is where I am at"]
    cases = [
        ("alignment", "supports", ["climate", "climate"]),
        ("niche", "fitness_&_health", None),
        ("sentiment", "positive", None),
        ("sentiment", "neutral", None),
    ]

    def terms_of(k: int) -> set[str]:
        found: set[str] = set()
        for head, label, targets in cases:
            for row in top_terms(tiny_heads[head], texts, label, targets=targets, k=k):
                found.update(term for term, _ in row)
        return found

    filtered = terms_of(50)
    assert filtered and not any(is_stop_term(t) for t in filtered)
    monkeypatch.setattr(explain, "is_stop_term", lambda term: False)
    unfiltered = terms_of(50)
    assert any(is_stop_term(t) for t in unfiltered), (
        "the texts must have stop-word evidence to drop"
    )
