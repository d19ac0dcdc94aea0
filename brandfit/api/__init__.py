"""The HTTP API: ``create_app()`` builds a FastAPI app over a :class:`~brandfit.persistence.registry.ModelRegistry`."""

from __future__ import annotations

from brandfit.api.app import create_app

__all__ = ["create_app"]
