"""ModelRegistry: every head under the models directories, verified, swapped as a whole.

Models come in layers: a chosen directory (``--models DIR`` / ``BRANDFIT_MODELS_DIR``)
overrides the shipped ``models/`` head by head, and the shipped set fills in the heads
the chosen one lacks (:func:`model_layers`). Trust boundary: only folders directly under
one of those directories, resolving inside it, are loaded (joblib runs code on load);
:func:`head_folders` and :func:`find_head` are the one place that checks it.
``reload()`` verifies a complete new set before swapping; if anything fails the previous
set keeps serving and the error says why.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from brandfit.errors import ModelLoadError, UnknownHeadError
from brandfit.heads.compiled import CompiledHeads
from brandfit.heads.model import HeadModel
from brandfit.persistence.artifact import load_head
from brandfit.persistence.manifest import MANIFEST_NAME
from brandfit.settings import DEFAULT_MODELS_DIR, ENCODER_DIRNAME

#: One models directory, or layers of them (first wins for each head).
ModelsLocation = str | Path | Sequence[str | Path]


@dataclass(frozen=True)
class LoadedModels:
    """An immutable, verified set of heads and their manifests."""

    heads: Mapping[str, HeadModel]
    manifests: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    #: The folder each head was loaded from (empty for sets built in memory).
    sources: Mapping[str, Path] = field(default_factory=dict)

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
            raise UnknownHeadError(unknown_head_message(name, self.heads)) from None


def unknown_head_message(name: str, known: Sequence[str] | Mapping[str, Any]) -> str:
    """The one-line error for a head name that no layer holds."""
    names = ", ".join(sorted(known)) or "none"
    return f"unknown head {name!r}; known heads: {names}"


def model_layers(models_dir: str | Path | None = None) -> tuple[Path, ...]:
    """The directories heads are loaded from, first wins: ``models_dir``, then the shipped set.

    ``None`` means the shipped ``models/`` alone. The shipped set is added only when it
    exists and is not ``models_dir`` itself.
    """
    if models_dir is None:
        return (DEFAULT_MODELS_DIR,)
    chosen = Path(models_dir)
    layers = [chosen]
    if DEFAULT_MODELS_DIR.is_dir() and (
        not chosen.exists() or chosen.resolve() != DEFAULT_MODELS_DIR.resolve()
    ):
        layers.append(DEFAULT_MODELS_DIR)
    return tuple(layers)


def _as_layers(location: ModelsLocation) -> tuple[Path, ...]:
    if isinstance(location, str | Path):
        return (Path(location),)
    return tuple(Path(p) for p in location)


def available_heads(location: ModelsLocation) -> dict[str, Path]:
    """Head name -> folder it would be loaded from (first layer holding it wins)."""
    found: dict[str, Path] = {}
    for layer in _as_layers(location):
        if not layer.is_dir():
            continue
        for folder in head_folders(layer):
            found.setdefault(folder.name, folder)
    return found


def find_head(location: ModelsLocation, name: str) -> Path:
    """The folder of head ``name`` (checked to lie inside its layer), or :class:`UnknownHeadError`."""
    layers = _as_layers(location)
    if not layers or not layers[0].is_dir():
        raise ModelLoadError(f"{layers[0] if layers else '(none)'}: models directory not found")
    _check_head_name(name, layers[0])
    found = available_heads(layers)
    if name not in found:
        raise UnknownHeadError(unknown_head_message(name, found))
    return found[name]


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
        if child.name == ENCODER_DIRNAME:  # the shared sentence encoder, not a head
            continue
        folders.append(_inside(models_dir, child))
    return folders


def _check_head_name(head: str, models_dir: Path) -> None:
    """A head name is a plain folder name: no ``/``, ``..`` or leading dot."""
    if not head or head != Path(head).name or head.startswith(".") or "\\" in head:
        raise ModelLoadError(
            f"{head!r} is not a head name (a folder directly under {models_dir}); "
            "paths are not accepted"
        )


def load_models(models_dir: ModelsLocation, heads: list[str] | None = None) -> LoadedModels:
    """Load and verify every head folder (or just ``heads``) under ``models_dir``.

    ``models_dir`` may be a sequence of directories (see :func:`model_layers`): each
    head comes from the first directory that holds it. The first directory must exist.
    """
    layers = _as_layers(models_dir)
    if not layers or not layers[0].is_dir():
        raise ModelLoadError(f"{layers[0] if layers else '(none)'}: models directory not found")
    found = available_heads(layers)
    if not found:
        raise ModelLoadError(f"{layers[0]}: no model folders (each needs a {MANIFEST_NAME})")
    missing = sorted(set(heads or []) - set(found))
    if missing:
        raise UnknownHeadError(
            unknown_head_message(missing[0], found)
            if len(missing) == 1
            else f"unknown heads {', '.join(map(repr, missing))}; known heads: "
            + ", ".join(sorted(found))
        )
    loaded: dict[str, HeadModel] = {}
    manifests: dict[str, dict[str, Any]] = {}
    sources: dict[str, Path] = {}
    for name, folder in sorted(found.items()):  # same order whichever layer a head is in
        if heads is not None and name not in heads:
            continue
        model, manifest = load_head(folder)
        loaded[model.name] = model
        manifests[model.name] = manifest
        sources[model.name] = folder
    models = LoadedModels(loaded, manifests, sources)
    _ = models.compiled  # build before the set is served, not on its first request
    return models


class ModelRegistry:
    """Holds the current :class:`LoadedModels` and swaps it atomically on reload."""

    def __init__(
        self,
        models_dir: str | Path | None = None,
        models: LoadedModels | None = None,
        layered: bool = False,
    ) -> None:
        self.models_dir = Path(models_dir) if models_dir is not None else None
        #: load ``models_dir`` over the shipped models (see :func:`model_layers`)
        self.layered = layered
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
                where = model_layers(self.models_dir) if self.layered else self.models_dir
                fresh = load_models(where)
            except ModelLoadError as exc:
                self.last_error = str(exc)
                raise
            self._models = fresh
            self.last_error = None
            return fresh

    reload = load
