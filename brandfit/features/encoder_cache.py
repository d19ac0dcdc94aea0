"""The shipped sentence encoder, loaded once per process, and a memo for training runs."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

import numpy as np

from brandfit.errors import InvalidInputError
from brandfit.features.encoder import EXACT_INT8_GEMM, SentenceEncoder
from brandfit.settings import DEFAULT_MODELS_DIR, ENCODER_DIRNAME, get_settings

#: Name of the encoder's folder in a models directory (no head may take this name).
ENCODER_DIR_NAME = ENCODER_DIRNAME


#: Intra-op threads for encoders loaded inside :func:`encoder_threads` (None: the setting).
_THREADS: ContextVar[int | None] = ContextVar("brandfit_encoder_threads", default=None)


def load_encoder(path: str | Path) -> SentenceEncoder:
    """The verified encoder in ``path`` (one session per folder, thread count and process).

    Threads: those of an enclosing :func:`encoder_threads`, else ``BRANDFIT_ENCODER_THREADS``,
    else onnxruntime's default (one per physical core).
    """
    return _load_encoder(Path(path), _THREADS.get() or get_settings().encoder_threads)


@contextmanager
def encoder_threads(threads: int | None) -> Iterator[None]:
    """Encoders loaded in this block run ``threads`` intra-op threads (None: the default)."""
    token = _THREADS.set(threads)
    try:
        yield
    finally:
        _THREADS.reset(token)


@lru_cache(maxsize=4)
def _load_encoder(path: Path, threads: int | None) -> SentenceEncoder:
    return SentenceEncoder.load(path, threads=threads)


def encoder_dir_for(models_dir: str | Path) -> Path:
    """The encoder folder a models directory uses: its own, else the shipped one."""
    own = Path(models_dir) / ENCODER_DIR_NAME
    return own if own.is_dir() else DEFAULT_MODELS_DIR / ENCODER_DIR_NAME


class MemoEncoder:
    """An encoder that embeds each distinct text once (training re-reads the same rows).

    With ``path`` the memo is also kept on disk (an ``.npz`` of text digests and vectors,
    tied to the encoder's version and numerics), so repeated training runs on the same posts skip the
    encoder. The file is rewritten atomically after each batch of new texts.
    """

    def __init__(self, encoder: SentenceEncoder, path: str | Path | None = None) -> None:
        self.encoder = encoder
        self.version = encoder.version
        self.dim = encoder.dim
        self.path = Path(path) if path is not None else None
        self._stored: dict[bytes, np.ndarray] = {}
        if self.path is not None and self.path.is_file():
            try:
                with np.load(self.path, allow_pickle=False) as saved:
                    numerics = str(saved["numerics"]) if "numerics" in saved.files else None
                    if str(saved["version"]) == self.version and numerics == EXACT_INT8_GEMM:
                        digests, vectors = saved["digests"].tolist(), saved["vectors"]
                        self._stored = dict(zip(digests, vectors, strict=True))
            except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
                raise InvalidInputError(
                    f"{self.path}: not an embedding cache written by brandfit ({exc}); "
                    "delete it or pass another --embedding-cache file"
                ) from exc

    @staticmethod
    def _digest(text: str) -> bytes:
        return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Rows of :meth:`SentenceEncoder.encode`, computed once per distinct text."""
        keys = [self._digest(t) for t in texts]
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._stored}
        if missing:
            rows = self.encoder.encode(list(missing.values()))
            self._stored.update(zip(missing, rows, strict=True))
            self._save()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._stored[k] for k in keys])

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_name(self.path.name + ".tmp.npz")
        digests = np.array(list(self._stored), dtype="S20")
        vectors = np.stack(list(self._stored.values())).astype(np.float32)
        np.savez(
            scratch,
            version=np.array(self.version),
            numerics=np.array(EXACT_INT8_GEMM),
            digests=digests,
            vectors=vectors,
        )
        scratch.replace(self.path)
