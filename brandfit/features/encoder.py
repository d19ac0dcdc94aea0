"""The shipped sentence encoder: all-MiniLM-L6-v2 as int8 ONNX, run with onnxruntime + tokenizers.

``models/encoder/`` is built once by ``training/export_encoder.py``. At run time only
``onnxruntime`` and ``tokenizers`` are needed (no torch): posts are tokenised once,
sorted by token length so each batch carries little padding, run through the ONNX
graph (output ``last_hidden_state``), mean-pooled over the attention mask and
L2-normalised here in NumPy. Rows come back in input order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from brandfit.errors import CorruptModelError, IncompatibleModelError, InvalidInputError
from brandfit.persistence.manifest import MANIFEST_NAME, sha256_file

#: ``kind`` written in the encoder's manifest (head manifests have none).
ENCODER_KIND = "sentence-encoder"
#: Encoder manifest layout this loader reads.
ENCODER_FORMAT_VERSION = 1
#: Tag of the encoder's numerics, kept with cached embeddings: vectors made before the
#: int8 GEMM was exact on every CPU (``session.x64quantprecision``) are never reused.
EXACT_INT8_GEMM: Final = "x64quantprecision-1"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
#: Inputs and output of the exported graph.
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "last_hidden_state"


def _read_encoder_manifest(folder: Path) -> dict[str, Any]:
    """The encoder's manifest, after checking its kind, format and required keys."""
    path = folder / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CorruptModelError(f"{folder}: no {MANIFEST_NAME}; not an encoder folder") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptModelError(f"{path}: manifest is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("kind") != ENCODER_KIND:
        raise CorruptModelError(
            f"{path}: not a sentence-encoder manifest (kind != {ENCODER_KIND!r})"
        )
    if manifest.get("format_version") != ENCODER_FORMAT_VERSION:
        raise IncompatibleModelError(
            f"{path}: encoder format {manifest.get('format_version')!r} is not supported "
            f"(this brandfit reads format {ENCODER_FORMAT_VERSION})"
        )
    for key in ("files", "embedding_dim", "max_length", "pooling", "normalized"):
        if key not in manifest:
            raise CorruptModelError(f"{path}: manifest lacks {key!r}")
    if manifest["pooling"] != "mean" or manifest["normalized"] is not True:
        raise IncompatibleModelError(
            f"{path}: only mean pooling with normalised output is supported, manifest says "
            f"pooling={manifest['pooling']!r}, normalized={manifest['normalized']!r}"
        )
    files = manifest["files"]
    if not isinstance(files, dict) or not {MODEL_FILE, TOKENIZER_FILE} <= set(files):
        raise CorruptModelError(f"{path}: manifest must list {MODEL_FILE} and {TOKENIZER_FILE}")
    return manifest


def verify_encoder_files(folder: Path, manifest: dict[str, Any]) -> dict[str, str]:
    """Check every file listed in the manifest: inside ``folder``, present, sha256 equal.

    Returns the verified sha256 of each file; raises :class:`CorruptModelError` otherwise.
    """
    root = folder.resolve()
    digests: dict[str, str] = {}
    for name, info in manifest["files"].items():
        path = (folder / name).resolve()
        if not name or not path.is_relative_to(root) or path == root:
            raise CorruptModelError(f"{folder}: file {name!r} points outside the encoder folder")
        if not path.is_file():
            raise CorruptModelError(f"{folder}: {name} is missing; restore the encoder folder")
        expected = info.get("sha256") if isinstance(info, dict) else None
        actual = sha256_file(path)
        if actual != expected:
            raise CorruptModelError(
                f"{path}: sha256 {actual[:12]}… does not match the manifest "
                f"({str(expected)[:12]}…); the file is corrupt or was replaced; restore it"
            )
        digests[name] = actual
    return digests


class SentenceEncoder:
    """Mean-pooled, L2-normalised sentence embeddings from a verified ONNX encoder folder."""

    def __init__(
        self,
        session: ort.InferenceSession,
        tokenizer: Tokenizer,
        *,
        dim: int,
        version: str,
        manifest: dict[str, Any],
    ) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self.dim = dim
        self.version = version
        self.manifest = manifest
        self._input_names = {i.name for i in session.get_inputs()}

    @classmethod
    def load(cls, path: str | Path, *, threads: int | None = None) -> SentenceEncoder:
        """Verify ``path`` against its manifest, then open the ONNX session and tokenizer.

        ``threads`` sets onnxruntime's intra-op threads (``None`` = onnxruntime's default).
        """
        folder = Path(path)
        if not folder.is_dir():
            raise CorruptModelError(f"{folder}: encoder folder not found")
        if threads is not None and threads < 1:
            raise InvalidInputError(f"threads must be at least 1, got {threads}")
        manifest = _read_encoder_manifest(folder)
        digests = verify_encoder_files(folder, manifest)
        max_length = int(manifest["max_length"])
        try:
            tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        except Exception as exc:  # tokenizers raises a bare Exception on a bad file
            raise CorruptModelError(f"{folder / TOKENIZER_FILE}: cannot load ({exc})") from exc
        tokenizer.no_padding()  # batches are padded here, after sorting by length
        tokenizer.enable_truncation(max_length)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Exact int8 products on every x86 CPU: without VNNI, onnxruntime's default int8
        # GEMM saturates int16 sums, and the same post got another vector on AVX2 (the
        # shipped heads' golden checks failed there). See EXACT_INT8_GEMM.
        options.add_session_config_entry("session.x64quantprecision", "1")
        if threads is not None:
            options.intra_op_num_threads = threads
        try:
            session = ort.InferenceSession(
                str(folder / MODEL_FILE), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph classes
            raise CorruptModelError(f"{folder / MODEL_FILE}: cannot load ({exc})") from exc
        names = {i.name for i in session.get_inputs()}
        outputs = [o.name for o in session.get_outputs()]
        if not {"input_ids", "attention_mask"} <= names or OUTPUT_NAME not in outputs:
            raise CorruptModelError(
                f"{folder / MODEL_FILE}: expected inputs input_ids/attention_mask and output "
                f"{OUTPUT_NAME}, found {sorted(names)} -> {outputs}"
            )
        version = manifest.get("version") or f"encoder-{digests[MODEL_FILE][:12]}"
        return cls(
            session,
            tokenizer,
            dim=int(manifest["embedding_dim"]),
            version=str(version),
            manifest=manifest,
        )

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        """Pooled, normalised vectors of one batch of token id lists (any order)."""
        width = max(len(row) for row in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        (hidden,) = self._session.run([OUTPUT_NAME], feeds)
        weights = mask.astype(np.float32)
        summed = np.einsum("bld,bl->bd", hidden, weights)
        pooled = summed / np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, max_tokens: int = 1024
    ) -> np.ndarray:
        """Float32 array ``(len(texts), dim)`` of unit-norm rows, in the order of ``texts``.

        Posts are sorted by token length and run in batches of at most ``batch_size`` posts
        and ``max_tokens`` padded tokens (a long post runs alone). With per-token activation
        quantisation a post's vector does not depend on its batch; the budget only keeps
        onnxruntime's buffers small: on real posts it was 25% faster than fixed batches of
        64 (docs/encoder.md). Empty or whitespace-only texts still get a valid vector (that
        of ``[CLS] [SEP]``).
        """
        if isinstance(texts, str):
            raise InvalidInputError("encode() takes a sequence of texts, not a single string")
        if batch_size < 1 or max_tokens < 1:
            raise InvalidInputError(
                f"batch_size and max_tokens must be at least 1, got {batch_size}, {max_tokens}"
            )
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise InvalidInputError(f"text {i} is {type(text).__name__}, not str")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=True)
        ids = [e.ids for e in encodings]
        for rows in token_batches([len(row) for row in ids], batch_size, max_tokens):
            out[rows] = self._run([ids[i] for i in rows])
        return out


def token_batches(lengths: Sequence[int], batch_size: int, max_tokens: int) -> list[np.ndarray]:
    """Positions grouped into batches by ascending length, each within both limits.

    A batch is padded to its longest post, so it holds at most ``max_tokens // length``
    posts (at least one) and at most ``batch_size``.
    """
    order = np.argsort(np.asarray(lengths), kind="stable")
    batches: list[np.ndarray] = []
    start = 0
    while start < len(order):
        end = start + 1
        while (
            end < len(order)
            and end - start < batch_size
            and (end - start + 1) * lengths[order[end]] <= max_tokens
        ):
            end += 1
        batches.append(order[start:end])
        start = end
    return batches
