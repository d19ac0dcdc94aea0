from __future__ import annotations

import pytest

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
