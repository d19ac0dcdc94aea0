"""The manifest written beside every model artefact, and the checks made before loading it.

Format rule: ``FORMAT_VERSION`` changes only when an older loader could misread a
newer folder. A bump keeps the loader for every older version (see ``LOADERS`` in
``artifact.py``) with a test that loads a folder of each version.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy
import sklearn

from brandfit import __version__
from brandfit.errors import CorruptModelError, IncompatibleModelError
from brandfit.text.nlp import TOKENIZER_VERSION

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
CARD_NAME = "CARD.md"

#: Libraries whose version must match exactly: their objects are inside the pickle.
STRICT_LIBRARIES = ("scikit-learn", "spacy")
#: The package holding the polarity lexicon; must match for heads whose featurizer uses it.
LEXICON_PACKAGE = "vaderSentiment"


def _installed(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model depends on, as installed now."""
    return {
        "brandfit": __version__,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "spacy": metadata.version("spacy"),  # spaCy itself is imported only under brandfit/text/
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
        LEXICON_PACKAGE: _installed(LEXICON_PACKAGE),
    }


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint_data(
    texts: Iterable[str], labels: Iterable[Iterable[str]], extra: Iterable[str] = ()
) -> str:
    """Order-sensitive sha256 of training texts and labels (identifies the training data)."""
    digest = hashlib.sha256()
    for text, row in zip(texts, labels, strict=True):
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
        digest.update("|".join(row).encode("utf-8"))
        digest.update(b"\x1e")
    for item in extra:
        digest.update(item.encode("utf-8"))
    return digest.hexdigest()


def read_manifest(folder: Path) -> dict[str, Any]:
    """Read and minimally validate ``folder/manifest.json``."""
    path = folder / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CorruptModelError(
            f"{folder}: no {MANIFEST_NAME}; not a brandfit model folder"
        ) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptModelError(f"{path}: manifest is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        raise CorruptModelError(f"{path}: manifest must be a JSON object")
    for key in (
        "format_version",
        "head",
        "artifact",
        "library_versions",
        "tokenizer_version",
        "golden",
    ):
        if key not in manifest:
            raise CorruptModelError(f"{path}: manifest lacks {key!r}")
    golden = manifest["golden"]
    if not isinstance(golden, list) or not golden or not all(isinstance(g, dict) for g in golden):
        raise CorruptModelError(
            f"{path}: manifest 'golden' must be a non-empty list of recorded predictions"
        )
    return manifest


def check_compatible(manifest: dict[str, Any], folder: Path) -> None:
    """Refuse a manifest made by another format, tokenizer or strict library version."""
    fmt = manifest["format_version"]
    if fmt != FORMAT_VERSION:
        raise IncompatibleModelError(
            f"{folder}: model format {fmt} is not supported by this brandfit "
            f"(format {FORMAT_VERSION}); retrain the head or install a matching brandfit"
        )
    if manifest["tokenizer_version"] != TOKENIZER_VERSION:
        raise IncompatibleModelError(
            f"{folder}: model was made with tokenizer {manifest['tokenizer_version']!r}, "
            f"this brandfit has {TOKENIZER_VERSION!r}; retrain the head"
        )
    installed = library_versions()
    recorded = manifest["library_versions"]
    strict = list(STRICT_LIBRARIES)
    if manifest.get("config", {}).get("features", {}).get("lexicon"):
        strict.append(LEXICON_PACKAGE)  # the lexicon's words are features of this head
    for lib in strict:
        if recorded.get(lib) != installed[lib]:
            raise IncompatibleModelError(
                f"{folder}: model was saved with {lib} {recorded.get(lib)}, but {lib} "
                f"{installed[lib]} is installed; install {lib}=={recorded.get(lib)} or retrain"
            )


def check_artifact(manifest: dict[str, Any], folder: Path) -> Path:
    """Return the artefact path after checking it exists, stays inside ``folder`` and matches its sha256."""
    info = manifest["artifact"]
    name = info.get("file", "")
    path = (folder / name).resolve()
    if path.parent != folder.resolve() or not name:
        raise CorruptModelError(f"{folder}: artefact path {name!r} points outside the model folder")
    if not path.is_file():
        raise CorruptModelError(f"{folder}: artefact {name} is missing")
    actual = sha256_file(path)
    if actual != info.get("sha256"):
        raise CorruptModelError(
            f"{path}: sha256 {actual[:12]}… does not match the manifest ({str(info.get('sha256'))[:12]}…); "
            "the file is corrupt or was replaced; restore it or retrain"
        )
    return path
