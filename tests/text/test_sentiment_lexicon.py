from __future__ import annotations

import pytest

from brandfit.text.sentiment_lexicon import lexicon_units, polarity_unit, vader_ratings


def test_vader_ratings_come_from_the_installed_package() -> None:
    ratings = vader_ratings()
    assert len(ratings) > 7000
    assert ratings["good"] > 0 > ratings["hate"]
    assert ratings[":)"] > 0  # emoticons are rated too


@pytest.mark.parametrize(
    ("rating", "unit"),
    [
        (0.0, None),
        (0.4, None),
        (-0.4, None),
        (0.5, "[lex:pos]"),
        (1.9, "[lex:pos]"),
        (2.0, "[lex:pos+]"),
        (-1.0, "[lex:neg]"),
        (-3.2, "[lex:neg+]"),
    ],
)
def test_polarity_unit_by_sign_and_strength(rating: float, unit: str | None) -> None:
    assert polarity_unit(rating) == unit


def test_lexicon_units_map_rated_words_only() -> None:
    units = lexicon_units("vader")
    assert units["good"] == "[lex:pos]"
    assert units["awesome"] == "[lex:pos+]"
    assert units["hate"] == "[lex:neg+]"
    assert "the" not in units and "table" not in units


def test_unknown_lexicon_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown lexicon 'afinn'"):
        lexicon_units("afinn")
