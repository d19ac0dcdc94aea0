from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brandfit.text.nlp import make_nlp


def tokens(text: str) -> list[str]:
    return [t.text for t in make_nlp().tokenizer(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#ad!", ["#ad", "!"]),
        ("(@brand)", ["(", "@brand", ")"]),
        ("#tag😀", ["#tag", "😀"]),
        ("buy $TSLA now", ["buy", "$TSLA", "now"]),
        ("see https://x.co/a?b=1 now", ["see", "https://x.co/a?b=1", "now"]),
        ("coding 👩🏽‍💻 all day", ["coding", "👩🏽\u200d💻", "all", "day"]),
        ("thumbs 👍🏼👍🏼", ["thumbs", "👍🏼", "👍🏼"]),
        ("flags 🇺🇸🇬🇧", ["flags", "🇺🇸", "🇬🇧"]),
        ("keycap 1️⃣ ok", ["keycap", "1️⃣", "ok"]),
        ("family 👨‍👩‍👧‍👦!", ["family", "👨\u200d👩\u200d👧\u200d👦", "!"]),
        ("word😀word", ["word", "😀", "word"]),
        ("hi :) <3", ["hi", ":)", "<3"]),
        ("@user's post", ["@user", "'s", "post"]),
        ("#MeToo.", ["#MeToo", "."]),
    ],
)
def test_tokenizer_keeps_social_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_tokenizer_never_loses_characters(text: str) -> None:
    doc = make_nlp().tokenizer(text)
    assert "".join(t.text_with_ws for t in doc) == text


social = st.lists(
    st.sampled_from(
        [
            "#ad",
            "@brand",
            "$TSLA",
            "😀",
            "👩🏽‍💻",
            "🇺🇸",
            "https://x.co/a",
            "word",
            "!",
            "(",
            ")",
            " ",
            "  ",
            "\n",
            "é",
            "1️⃣",
        ]
    ),
    max_size=20,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(social)
def test_tokenizer_never_loses_characters_on_social_text(text: str) -> None:
    doc = make_nlp().tokenizer(text)
    assert "".join(t.text_with_ws for t in doc) == text
