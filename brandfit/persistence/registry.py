"""ModelRegistry: every head under one models directory, verified, swapped as a whole.

Only folders directly under the configured directory are loaded (joblib runs code on
load). ``reload()`` verifies a complete new set before swapping; if anything fails the
previous set keeps serving and the error says why.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from brandfit.errors import ModelLoadError, UnknownHeadError
from brandfit.heads.compiled import CompiledHeads
from brandfit.heads.model import HeadModel
from brandfit.persistence.artifact import load_head
from brandfit.persistence.manifest import MANIFEST_NAME


@dataclass(frozen=True)
class LoadedModels:
    """An immutable, verified set of heads and their manifests."""

    heads: Mapping[str, HeadModel]
    manifests: Mapping[str, dict[str, Any]] = field(default_factory=dict)

    @cached_property
    def compiled(self) -> CompiledHeads:
        """The heads as arrays for fast scoring (built once per loaded set)."""
        return CompiledHeads(self.heads)

    @cached_property
    def featurizer_keys(self) -> dict[str, tuple[Any, ...]]:
        """Per head, a key that is equal for heads whose featurizers give the same matrix."""
        return {name: model.featurizer_setting() for name, model in self.heads.items()}

    @property
    def versions(self) -> dict[str, str]:
        """Model version of each head."""
        return {
            name: str(self.manifests.get(name, {}).get("model_version", f"{name}-unsaved"))
            for name in self.heads
        }

    def head(self, name: str) -> HeadModel:
        """The head called ``name``, or :class:`UnknownHeadError`."""
        try:
            return self.heads[name]
        except KeyError:
            raise UnknownHeadError(
                f"no model loaded for head {name!r}; loaded: {', '.join(self.heads) or 'none'}"
            ) from None


def _inside(models_dir: Path, child: Path) -> Path:
    """``child`` if it resolves inside ``models_dir`` (the trust boundary), else ModelLoadError."""
    root = models_dir.resolve()
    if not child.resolve().is_relative_to(root) or child.resolve() == root:
        raise ModelLoadError(
            f"{child}: resolves outside the models directory {root}; refusing to load it"
        )
    return child


def head_folders(models_dir: Path) -> list[Path]:
    """Model folders directly under ``models_dir`` that resolve inside it."""
    folders = []
    for child in sorted(models_dir.iterdir()):
        if child.name.startswith(".") or not (child / MANIFEST_NAME).is_file():
            continue
        folders.append(_inside(models_dir, child))
    return folders


def head_folder(models_dir: str | Path, head: str) -> Path:
    """The folder of one head, ``models_dir/<head>``, checked like :func:`head_folders`.

    ``head`` must be a plain folder name (no ``/``, ``..`` or leading dot) and the folder
    must resolve inside ``models_dir``: a symlink to elsewhere is refused like on load.
    """
    models_dir = Path(models_dir)
    if not head or head != Path(head).name or head.startswith(".") or "\\" in head:
        raise ModelLoadError(
            f"{head!r} is not a head name (a folder directly under {models_dir}); "
            "paths are not accepted"
        )
    folder = models_dir / head
    if not (folder / MANIFEST_NAME).is_file():
        raise ModelLoadError(
            f"{folder}: no model folder for head {head!r} (needs a {MANIFEST_NAME})"
        )
    return _inside(models_dir, folder)


def load_models(models_dir: str | Path, heads: list[str] | None = None) -> LoadedModels:
    """Load and verify every head folder (or just ``heads``) under ``models_dir``."""
    models_dir = Path(models_dir)
    if not models_dir.is_dir():
        raise ModelLoadError(f"{models_dir}: models directory not found")
    loaded: dict[str, HeadModel] = {}
    manifests: dict[str, dict[str, Any]] = {}
    for folder in head_folders(models_dir):
        if heads is not None and folder.name not in heads:
            continue
        model, manifest = load_head(folder)
        loaded[model.name] = model
        manifests[model.name] = manifest
    if not loaded:
        raise ModelLoadError(f"{models_dir}: no model folders (each needs a {MANIFEST_NAME})")
    missing = sorted(set(heads or []) - set(loaded))
    if missing:
        raise ModelLoadError(f"{models_dir}: no model for head(s) {', '.join(missing)}")
    models = LoadedModels(loaded, manifests)
    _ = models.compiled  # build before the set is served, not on its first request
    return models


class ModelRegistry:
    """Holds the current :class:`LoadedModels` and swaps it atomically on reload."""

    def __init__(
        self, models_dir: str | Path | None = None, models: LoadedModels | None = None
    ) -> None:
        self.models_dir = Path(models_dir) if models_dir is not None else None
        self._models = models
        self._lock = threading.Lock()
        self.last_error: str | None = None

    @property
    def ready(self) -> bool:
        """True once a verified set of models is loaded."""
        return self._models is not None

    @property
    def models(self) -> LoadedModels:
        """The current verified set (raises if nothing is loaded yet)."""
        models = self._models
        if models is None:
            raise ModelLoadError("models are not loaded yet")
        return models

    def load(self) -> LoadedModels:
        """Load from ``models_dir`` (first load or reload); keep the old set on failure."""
        if self.models_dir is None:
            raise ModelLoadError(
                "this registry was given models directly and has no directory to load from"
            )
        with self._lock:
            try:
                fresh = load_models(self.models_dir)
            except ModelLoadError as exc:
                self.last_error = str(exc)
                raise
            self._models = fresh
            self.last_error = None
            return fresh

    reload = load
