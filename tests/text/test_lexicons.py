from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brandfit.text.lexicons import Lexicon, brand_lexicon, expand_alias
from brandfit.text.tokens import tokenize_posts


def keys(lexicon: Lexicon, text: str) -> list[str]:
    return [h.key for h in lexicon.match([text])[0]]


def test_lexicons_alias_matches_case_insensitively_and_as_handle_and_hashtag() -> None:
    lexicon = brand_lexicon({"nike": ["Nike"]})
    hits = lexicon.match(
        ["NIKE drop today", "thanks @nike!", "#Nike gang", "nikefan here", "@nikefan hi"]
    )
    assert [[h.phrase for h in row] for row in hits] == [["nike"], ["@nike"], ["#nike"], [], []]


def test_lexicons_matches_raw_handles_that_the_normaliser_would_split() -> None:
    # normalize_text turns "@loopathletics" into "@user loopathletics"; lexicons see the raw handle
    lexicon = brand_lexicon({"brand": ["@loopathletics"]})
    assert keys(lexicon, "new kit from @LoopAthletics today") == ["brand"]
    assert keys(lexicon, "new kit from loopathletics today") == []


def test_lexicons_multi_word_phrases_and_offsets() -> None:
    lexicon = Lexicon({"v": ["zero waste"], "w": ["recycled"]})
    [hits] = lexicon.match(["Going Zero  Waste with recycled bottles"])
    assert [(h.key, h.phrase) for h in hits] == [("v", "zero waste"), ("w", "recycled")]
    assert hits[0].start_char == 6


def test_lexicons_flags_hits_inside_a_run_of_hashtags() -> None:
    lexicon = Lexicon({"ad": ["#ad"]})
    [[buried]] = lexicon.match(["great day #fitness #gym #ad #motivation"])
    [[alone]] = lexicon.match(["#ad great day #fitness"])
    assert buried.in_hashtag_run and not alone.in_hashtag_run


@pytest.mark.parametrize("text", [None, "", "   ", "😀😀"])
def test_lexicons_empty_or_emoji_text_has_no_hits(text: str | None) -> None:
    assert brand_lexicon({"b": ["Nike"]}).match([text]) == [[]]


def test_lexicons_empty_lexicon_is_falsy_and_matches_nothing() -> None:
    lexicon = Lexicon({"a": ["  "]})
    assert not lexicon
    assert lexicon.match(["anything"]) == [[]]


def test_lexicons_expand_alias_only_for_one_word_names() -> None:
    assert expand_alias("Nike") == ["Nike", "@Nike", "#Nike"]
    assert expand_alias("Loop Athletics") == ["Loop Athletics"]
    assert expand_alias("@loop") == ["@loop"]


def test_lexicons_and_tokenizer_are_safe_across_threads() -> None:
    # spaCy memory zones share one StringStore; without the lock this fails with E018
    texts = [f"Leg day {i} at the gym with @friend{i} #tag{i} rareword{i}" for i in range(40)]
    lexicon = brand_lexicon({"b": ["@friend1", "gym"]})
    expected_hits = lexicon.match(texts)
    expected_tokens = [p.tokens for p in tokenize_posts(texts)]
    errors: list[str] = []

    def work(k: int) -> None:
        try:
            for j in range(20):
                suffix = f" extra{k}x{j}"
                tokens = [p.tokens for p in tokenize_posts([t + suffix for t in texts])]
                assert [t[:-1] for t in tokens] == expected_tokens
                assert lexicon.match(texts) == expected_hits
                Lexicon({"fresh": [f"new{k}x{j} phrase"]})
        except Exception as exc:  # collected and asserted below
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


_PHRASES = {
    "brand": [
        form for alias in ("Nike", "Loop Athletics", "ẞtrasse") for form in expand_alias(alias)
    ],
    "disclosure": ["#ad", "ad:", "paid partnership with", "ty @nike", "İstanbul"],
}
_PIECES = st.sampled_from(
    [
        "nike",
        "NIKE",
        "@Nike",
        "#nikefan",
        "loop",
        "athletics",
        "AD",
        "ad",
        ":",
        "#Ad",
        "ty",
        "@nike",
        "paid",
        "partnership",
        "with",
        "STRASSE",
        "ßtrasse",
        "i̇stanbul",
        "İSTANBUL",
        "gonna",
        "x",
        "🔥",
        " ",
        "\n",
        "-",
        ".",
        "https://t.co/ad:x",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join) | st.text(max_size=40))
def test_lexicons_prefilter_never_hides_a_match(text: str) -> None:
    lexicon = Lexicon(_PHRASES)
    expected = Lexicon(_PHRASES)
    expected._may_match = lambda _text: True  # no prefilter: every text is tokenised
    assert lexicon.match([text]) == expected.match([text])


def test_lexicons_prefilter_skips_posts_without_any_phrase() -> None:
    lexicon = Lexicon(_PHRASES)
    assert not lexicon._may_match("leg day at the gym, new PR")
    assert lexicon._may_match("Thanks, ty @NIKE!")
