from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brandfit.text.normalize import normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("check {{URL}} now", "check httpurl now"),
        ("check https://t.co/abc now", "check httpurl now"),
        ("hi {{USERNAME}} and @user", "hi @user and @user"),
        ("thanks {@Elon Musk@}!", "thanks @user Elon Musk!"),
        ("love @Nike shoes", "love @user Nike shoes"),
        ("RT @bob: big news", "RT @user bob: big news"),
        ("fish &amp;amp; chips", "fish & chips"),
        (r"Wisconsin\u2019s going red\u002c", "Wisconsin’s going red,"),
        ("  lots   of\tspace \n\n next ", "lots of space\nnext"),
        ("mail me at a@b.com", "mail me at a@b.com"),
        ("ｆｕｌｌ width", "full width"),
    ],
)
def test_normalize_makes_conventions_agree(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=120))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


pieces = st.lists(
    st.sampled_from(
        [
            "@user",
            "@Nike",
            "{{URL}}",
            "{{USERNAME}}",
            "{@A B@}",
            "RT @x: ",
            "&amp;",
            "&",
            "amp;",
            "\\u2019",
            "\\u005c",
            "u2019",
            "http://a.b/c",
            " ",
            "\n",
            "x",
            "#t",
            "😀",
        ]
    ),
    max_size=15,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(pieces)
def test_normalize_is_idempotent_on_social_conventions(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


def test_tokens_string_store_stops_growing_after_the_warm_budget(monkeypatch) -> None:
    from brandfit.text import tokens
    from brandfit.text.nlp import make_nlp

    monkeypatch.setattr(tokens, "_warm_left", 3)
    tokens.tokenize_posts(["zq1warm alpha", "zq1warm beta", "zq1warm gamma"])  # the warm budget
    strings = make_nlp().vocab.strings
    assert "zq1warm" in strings
    before = len(strings)
    out = tokens.tokenize_posts([f"zq2cold{i} unique{i}" for i in range(200)])
    assert len(strings) == before  # after the budget, new strings live only inside a zone
    assert out[5].tokens == ("zq2cold5", "unique5")
