"""Value specs and (post, value) pair columns."""

from __future__ import annotations

import numpy as np
import pytest

from brandfit.errors import InvalidInputError
from brandfit.features.value_pairs import (
    ValueSpec,
    lexical_cross,
    pair_columns,
    polarity,
    value_matches,
    value_vector,
)


def test_plain_string_and_mapping_parse_to_specs():
    assert ValueSpec.parse("animal welfare") == ValueSpec("animal welfare")
    spec = ValueSpec.parse(
        {
            "name": "Pride",
            "description": "LGBTQ+ inclusion",
            "examples": ["Love is love"],
            "terms": ["#pride"],
        }
    )
    assert spec.wording() == "Pride: LGBTQ+ inclusion"
    assert spec.examples == ("Love is love",) and spec.terms == ("#pride",)


@pytest.mark.parametrize(
    "raw",
    [
        {"description": "x"},
        {"name": ""},
        {"name": "x", "colour": "red"},
        {"name": "x", "examples": "one"},
        3,
    ],
)
def test_bad_values_raise_one_clear_error(raw):
    with pytest.raises(InvalidInputError):
        ValueSpec.parse(raw)


def test_tweeteval_targets_and_aliases_embed_by_their_full_wording():
    assert ValueSpec.parse("climate").wording() == "Climate change is a real concern"
    assert ValueSpec.parse("climate change").known_target == "climate"
    assert ValueSpec.parse("Feminism").known_target == "feminist"
    assert ValueSpec.parse("nuclear power").known_target is None


def test_lexical_cross_sees_words_hashtags_and_terms():
    specs = [ValueSpec("animal welfare", terms=("fur",)), ValueSpec("clean energy")]
    out = lexical_cross(
        ["Animals deserve welfare laws #AnimalWelfare no fur", "gaming tonight"], specs
    )
    assert out[0].tolist() == [1.0, 1.0, 1.0]
    assert out[1].tolist() == [0.0, 0.0, 0.0]
    assert value_matches("Animals deserve welfare #animalwelfare", specs[0]) == [
        "animal",
        "welfare",
        "#animalwelfare",
    ]


def test_polarity_signs():
    out = polarity(["I love this wonderful idea", "this is awful and disgusting", ""])
    assert out[0, 2] > 0 > out[1, 2] and out[2].tolist() == [0.0, 0.0, 0.0]


def test_value_vector_moves_toward_examples_and_stays_unit():
    wording = np.array([1.0, 0.0], dtype=np.float32)
    examples = np.array([[0.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    vec = value_vector(wording, examples)
    assert np.isclose(np.linalg.norm(vec), 1.0) and vec[1] > 0.5
    assert value_vector(wording).tolist() == [1.0, 0.0]


def test_pair_columns_widths_follow_blocks():
    rng = np.random.default_rng(0)
    P, V = rng.normal(size=(4, 8)), rng.normal(size=(4, 8))
    lex, pol = np.zeros((4, 3)), np.zeros((4, 3))
    assert pair_columns(P, V, lex, pol, ("prod", "cos")).shape == (4, 10)
    assert pair_columns(
        P, V, lex, pol, ("prod", "absdiff", "cos", "post", "lex", "polar")
    ).shape == (
        4,
        8 * 3 + 2 + 3 + 6,
    )
    with pytest.raises(ValueError, match="unknown pair block"):
        pair_columns(P, V, lex, pol, ("nope",))


def test_value_name_is_the_exact_text_given():
    from brandfit.features.value_pairs import value_name

    assert value_name("Animal Welfare ") == "Animal Welfare "
    assert value_name(ValueSpec("Pride", description="LGBTQ+")) == "Pride"
    assert value_name({"name": "Pride"}) == "Pride"
