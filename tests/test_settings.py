"""A malformed BRANDFIT_* variable is refused in one line naming it (brandfit/settings.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from brandfit.cli import app
from brandfit.errors import InvalidInputError
from brandfit.settings import get_settings


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("BRANDFIT_ENCODER_THREADS", "0", "greater than or equal to 1"),
        ("BRANDFIT_MAX_INFLIGHT", "abc", "valid integer"),
    ],
)
def test_a_bad_setting_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    with pytest.raises(InvalidInputError, match=rf"{variable}='{value}': .*{says}"):
        get_settings()


def test_the_cli_prints_one_line_and_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRANDFIT_ENCODER_THREADS", "-2")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["predict", "hello"])
    assert result.exit_code == 1
    assert "error: bad setting: BRANDFIT_ENCODER_THREADS='-2'" in result.output
    assert "Traceback" not in result.output
