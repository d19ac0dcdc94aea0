"""README.md documents every CLI command and every HTTP route, and its first screen has the two commands."""

from __future__ import annotations

import re

from brandfit.cli import app
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_docs_every_cli_command_is_in_the_readme() -> None:
    names = [command.name for command in app.registered_commands]
    assert names, "no commands registered"
    missing = [name for name in names if f"brandfit {name}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_docs_every_http_route_is_in_the_readme() -> None:
    from brandfit.api.app import create_app

    routes = set(create_app().openapi()["paths"]) | {"/docs", "/metrics"}
    assert "/v1/predict" in routes
    missing = sorted(r for r in routes if f"`{r}`" not in README and f"{r} " not in README)
    assert not missing, f"routes missing from README.md: {missing}"


def test_docs_first_screen_has_install_run_and_test_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:30])
    assert re.search(r"pip install -e \.\s*&&.*brandfit predict", first_screen)
    assert ".venv/bin/python -m pytest -q" in first_screen


def test_docs_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert '.venv/bin/python -m pip install --quiet -e ".[dev]"' in ci
    assert "\n.venv/bin/python -m pytest -q\n" in ci
