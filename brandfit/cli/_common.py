"""Shared CLI plumbing: one console, one way of turning library errors into messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from brandfit.errors import BrandfitError
from brandfit.persistence import registry
from brandfit.settings import get_settings

console = Console(stderr=True, log_path=False)
F = TypeVar("F", bound=Callable[..., Any])

ModelsOption = Annotated[
    Path | None,
    typer.Option(
        "--models", help="Models directory (default: BRANDFIT_MODELS_DIR or the shipped models/)."
    ),
]


def models_dir(option: Path | None) -> Path:
    """The models directory chosen by option, environment or default (where ``train`` writes)."""
    return option if option is not None else get_settings().models_dir


def model_layers(option: Path | None) -> tuple[Path, ...]:
    """Directories heads are read from: the chosen one, then the shipped ``models/`` fills in."""
    return registry.model_layers(models_dir(option))


def friendly_errors(func: F) -> F:
    """Print brandfit errors as one red line and exit 1 (no traceback)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BrandfitError as exc:
            console.print(
                f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def status(message: str) -> Iterator[Callable[[str], None]]:
    """A rich spinner whose text the caller can update; yields the updater."""
    with console.status(message) as spinner:

        def update(text: str) -> None:
            spinner.update(text)
            if console.is_terminal:
                console.log(text)
            else:  # logs and pipes get the step as a plain line
                console.print(text, highlight=False, markup=False, soft_wrap=True)

        yield update
