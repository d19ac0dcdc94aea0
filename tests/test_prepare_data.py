"""``training/prepare_data.py``: data-set conventions rewritten before training."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "training"))

from prepare_data import sxsw_text

from brandfit.text.normalize import normalize_text


def test_sxsw_placeholders_become_the_conventions_the_normaliser_knows() -> None:
    raw = ".@mention RT @mention Google Circles {link} #SXSW"
    assert sxsw_text(raw) == ".@user RT @user Google Circles {{URL}} #SXSW"
    assert normalize_text(sxsw_text(raw)) == ".@user RT @user Google Circles httpurl #SXSW"


def test_sxsw_rewrite_leaves_real_handles_and_addresses_alone() -> None:
    raw = "@mentioned me at team@mention.com"
    assert sxsw_text(raw) == raw
