"""One error hierarchy for brandfit.

Every error also subclasses the matching builtin so callers can catch either.
The CLI turns these into one-line messages; the API turns them into 4xx/503.
"""

from __future__ import annotations


class BrandfitError(Exception):
    """Base class of every error brandfit raises on purpose."""


class InvalidInputError(BrandfitError, ValueError):
    """Input data (a file, a row, a request) is malformed or inconsistent."""


class UnknownHeadError(BrandfitError, KeyError):
    """A head name that brandfit does not know or that has no model loaded."""

    def __str__(self) -> str:  # KeyError quotes its message; we do not want that
        return str(self.args[0]) if self.args else ""


class UnknownLabelError(InvalidInputError):
    """A label, value or flag name that the loaded models do not know."""


class ModelLoadError(BrandfitError, RuntimeError):
    """A model folder could not be loaded."""


class CorruptModelError(ModelLoadError):
    """The artefact does not match its manifest (checksum, golden outputs, missing file)."""


class IncompatibleModelError(ModelLoadError):
    """The model was saved by another format, library or tokenizer version."""


class MissingDependencyError(BrandfitError, ImportError):
    """An optional dependency is needed; the message names the pip command."""
