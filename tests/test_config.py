from __future__ import annotations

from pathlib import Path

import pytest

from brandfit.config import load_train_config
from brandfit.errors import InvalidInputError


def test_config_accepts_the_vader_lexicon_and_a_threshold_floor(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[features]\nlexicon = "vader"\n[head]\nthreshold_floor = 0.15\n')
    config = load_train_config(path)
    assert config.features.lexicon == "vader"
    assert config.head.threshold_floor == 0.15


@pytest.mark.parametrize(
    ("toml", "field"),
    [
        ('[features]\nlexicon = "afinn"\n', "lexicon"),
        ("[head]\nthreshold_floor = 1.0\n", "threshold_floor"),
        ("[head]\nthreshold_floor = -0.1\n", "threshold_floor"),
    ],
)
def test_config_refuses_an_unknown_lexicon_or_a_floor_out_of_range(
    tmp_path: Path, toml: str, field: str
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(toml)
    with pytest.raises(
        InvalidInputError, match=rf"c\.toml: invalid training config:(.|\n)*{field}"
    ):
        load_train_config(path)
