from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brandfit.scoring.disclosure import FOLD_CHARS, check_post, disclosure_phrases, summarize
from brandfit.text.lexicons import Lexicon

LEXICON = Lexicon(disclosure_phrases(["@loopathletics"]))


def verdict(text: str) -> str:
    [hits] = LEXICON.match([text])
    return check_post("p", text, hits).status


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("#ad New leggings from @loopathletics, love them", "clear"),
        ("Paid partnership with @loopathletics: new leggings", "clear"),
        ("Sponsored by Loop. New leggings today", "clear"),
        ("x" * FOLD_CHARS + " #ad", "buried"),
        ("New leggings! #fitness #gym #ad #motivation #legday", "buried"),
        ("New leggings! #sp", "ambiguous"),
        ("New leggings #collab", "ambiguous"),
        ("thanks @loopathletics for the new leggings", "ambiguous"),
        ("New leggings from @loopathletics", "likely_undisclosed"),
        ("New leggings, use code MIA20 at checkout", "likely_undisclosed"),
        ("Get yours: amzn.to/3xYz12", "likely_undisclosed"),
        ("20% off this weekend only", "likely_undisclosed"),
        ("leg day at the gym again #fitness", "none"),
        ("I wrote some code today", "none"),
        ("", "none"),
    ],
)
def test_disclosure_status(text: str, status: str) -> None:
    assert verdict(text) == status


def test_disclosure_reports_terms_and_signals() -> None:
    text = "thanks @loopathletics, use code LOOP15"
    [hits] = LEXICON.match([text])
    check = check_post("p1", text, hits)
    assert check.disclosures == ["thanks @loopathletics"]
    assert "discount code LOOP15" in check.signals
    assert "brand handle @loopathletics" in check.signals


def test_disclosure_summary_counts_every_status() -> None:
    texts = ["#ad x", "x #sp", "x", "use code AB12"]
    checks = [
        check_post(i, t, h)
        for i, (t, h) in enumerate(zip(texts, LEXICON.match(texts), strict=True))
    ]
    summary = summarize(checks)
    assert summary["counts"] == {
        "clear": 1,
        "buried": 0,
        "ambiguous": 1,
        "likely_undisclosed": 1,
        "none": 1,
    }
    assert summary["sponsored_posts"] == 3
    assert [c.post_id for c in summary["posts"]] == [0, 1, 3]


def test_disclosure_brand_handle_in_a_complaint_is_not_an_ad() -> None:
    text = "@loopathletics worst service ever"
    [hits] = LEXICON.match([text])
    assert check_post("p", text, hits, negative=True).status == "none"
    assert check_post("p", text, hits, negative=False).status == "likely_undisclosed"
    coded = "@loopathletics awful, but use code LOOP15"
    [hits] = LEXICON.match([coded])
    assert check_post("p", coded, hits, negative=True).status == "likely_undisclosed"


_SIGNAL_PIECES = st.sampled_from(
    [
        "code",
        "CODE",
        "Code:",
        "promo",
        " MIA20",
        " x",
        "20",
        "%",
        " off",
        "amzn.to/3x",
        "AMAZON.com/dp?tag=a",
        "rſtyle.me/a",
        "liKetk.it/b",
        "?ref=",
        "&aff=1",
        "https://",
        "www.",
        "shop",
        "=",
        " ",
        "\n",
        "é",
        "🔥",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SIGNAL_PIECES, max_size=10).map("".join) | st.text(max_size=60))
def test_disclosure_signal_prefilters_never_hide_a_signal(text: str) -> None:
    """The literal checks before each regex only skip texts the regex cannot match."""
    from brandfit.scoring import disclosure

    codes = [m.group(1) for m in disclosure._CODE.finditer(text)]
    expected = [f"discount code {c}" for c in codes if any(x.isdigit() or x.isupper() for x in c)]
    expected += [f"discount {m.group(0)}" for m in disclosure._PERCENT_OFF.finditer(text)]
    expected += [f"affiliate link {m.group(0)[:60]}" for m in disclosure._AFFILIATE.finditer(text)]
    assert check_post("p", text, []).signals == list(dict.fromkeys(expected))
