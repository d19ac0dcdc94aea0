"""The shipped sentence encoder: verified load, unit vectors, order, meaning, no torch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from brandfit.errors import CorruptModelError, InvalidInputError
from brandfit.features.encoder import SentenceEncoder, token_batches
from brandfit.features.encoder_cache import load_encoder
from brandfit.persistence.registry import head_folders
from brandfit.settings import DEFAULT_MODELS_DIR

ENCODER_DIR = DEFAULT_MODELS_DIR / "encoder"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.load(ENCODER_DIR, threads=1)


def test_vectors_are_unit_norm_float32_of_dim_384(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(["I love pizza", "the stock market fell today", "ok"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert encoder.dim == 384
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_version_names_the_model_and_its_sha(encoder: SentenceEncoder) -> None:
    manifest = json.loads((ENCODER_DIR / "manifest.json").read_text())
    sha = manifest["files"]["model.onnx"]["sha256"]
    assert encoder.version == f"minilm-l6-v2-int8-{sha[:12]}"


def test_order_is_kept_although_batches_are_sorted_by_length(encoder: SentenceEncoder) -> None:
    texts = [
        "a much longer post about running a marathon in the rain and eating pasta after it #fit",
        "hi",
        "new lipstick shade just dropped 💄",
        "",
        "the chicken strip basket is not worth 10.99",
        "travel diaries: two weeks in Lisbon, Porto and the Algarve coast with friends",
    ]
    together = encoder.encode(texts, batch_size=4)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    cosines = np.sum(together * alone, axis=1)
    assert cosines.min() > 0.999, cosines


def test_paraphrases_are_closer_than_unrelated_texts(encoder: SentenceEncoder) -> None:
    pizza, favourite, stocks = encoder.encode(
        ["I love pizza", "pizza is my favourite food", "the stock market fell"]
    )
    assert pizza @ favourite > pizza @ stocks + 0.3
    assert pizza @ favourite > favourite @ stocks + 0.3


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "🔥🔥🔥", "🙏🏽✨"])
def test_empty_whitespace_and_emoji_only_texts_get_valid_vectors(
    encoder: SentenceEncoder, text: str
) -> None:
    vectors = encoder.encode([text, "a normal post"])
    assert np.isfinite(vectors).all()
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)


def test_empty_input_gives_an_empty_matrix(encoder: SentenceEncoder) -> None:
    assert encoder.encode([]).shape == (0, 384)


def test_bad_arguments_are_refused(encoder: SentenceEncoder) -> None:
    with pytest.raises(InvalidInputError, match="not a single string"):
        encoder.encode("one string")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="text 1 is int"):
        encoder.encode(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match="batch_size"):
        encoder.encode(["ok"], batch_size=0)


def test_long_posts_are_truncated_not_refused(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(["word " * 2000])
    assert vectors.shape == (1, 384) and np.isfinite(vectors).all()


@pytest.mark.parametrize("name", ["model.onnx", "tokenizer.json", "CARD.md"])
def test_a_flipped_byte_is_refused(tmp_path: Path, name: str) -> None:
    folder = shutil.copytree(ENCODER_DIR, tmp_path / "encoder")
    path = folder / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptModelError, match=f"{name}: sha256 .* does not match"):
        SentenceEncoder.load(folder)


def test_a_missing_file_or_manifest_is_refused(tmp_path: Path) -> None:
    folder = shutil.copytree(ENCODER_DIR, tmp_path / "encoder")
    (folder / "tokenizer.json").unlink()
    with pytest.raises(CorruptModelError, match=r"tokenizer\.json is missing"):
        SentenceEncoder.load(folder)
    (folder / "manifest.json").unlink()
    with pytest.raises(CorruptModelError, match=r"no manifest\.json"):
        SentenceEncoder.load(folder)


def test_a_manifest_path_outside_the_folder_is_refused(tmp_path: Path) -> None:
    folder = shutil.copytree(ENCODER_DIR, tmp_path / "encoder")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["../outside"] = {"sha256": "0" * 64}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CorruptModelError, match="outside the encoder folder"):
        SentenceEncoder.load(folder)


def test_manifest_records_provenance_licence_and_parity() -> None:
    manifest = json.loads((ENCODER_DIR / "manifest.json").read_text())
    assert manifest["upstream"]["licence"] == "Apache-2.0"
    assert manifest["upstream"]["safetensors_sha256"] == (
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    )
    assert manifest["embedding_dim"] == 384 and manifest["max_length"] == 256
    assert manifest["export"]["opset"] >= 14
    assert manifest["parity"]["int8_vs_fp32"]["mean"] >= 0.98
    assert {"model.onnx", "tokenizer.json", "LICENSE", "NOTICE", "CARD.md"} <= set(
        manifest["files"]
    )
    total = sum(p.stat().st_size for p in ENCODER_DIR.iterdir())
    assert total < 25_000_000


def test_the_encoder_folder_is_not_taken_for_a_head() -> None:
    assert "encoder" not in [f.name for f in head_folders(DEFAULT_MODELS_DIR)]


def test_the_shipped_loader_is_cached() -> None:
    assert load_encoder(ENCODER_DIR) is load_encoder(ENCODER_DIR)


def test_encoding_imports_no_torch_or_transformers() -> None:
    code = (
        "import sys\n"
        "from brandfit.features.encoder_cache import load_encoder\n"
        "from brandfit.settings import DEFAULT_MODELS_DIR\n"
        "v = load_encoder(DEFAULT_MODELS_DIR / 'encoder').encode(['hello there', ''])\n"
        "assert v.shape == (2, 384)\n"
        "bad = sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert result.stdout.strip() == ""


def test_token_batches_keep_both_limits_and_every_position_once() -> None:
    lengths = [5, 300, 40, 40, 3, 120, 7, 7, 7, 60]
    batches = token_batches(lengths, batch_size=3, max_tokens=100)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)  # ascending length
    for batch in batches:
        width = max(lengths[i] for i in batch)
        assert len(batch) <= 3
        assert len(batch) == 1 or len(batch) * width <= 100  # a long post runs alone
    assert [lengths[i] for i in batches[-1]] == [300]


def test_vectors_do_not_depend_on_the_batch_budget(encoder: SentenceEncoder) -> None:
    texts = [f"post number {i} about {'cooking ' * (i % 9)}dinner tonight" for i in range(40)]
    budgeted = encoder.encode(texts)
    fixed = encoder.encode(texts, batch_size=64, max_tokens=64 * 256)
    assert np.sum(budgeted * fixed, axis=1).min() > 0.9999


def test_vectors_are_the_same_on_every_cpu(encoder: SentenceEncoder) -> None:
    # Reference values as VNNI CPUs compute them (the shipped heads were trained there).
    # onnxruntime's default int8 GEMM saturates on AVX2-only CPUs: there these rows moved
    # by up to 0.045 (cosine 0.967) until the encoder asked for exact int8 products.
    texts = [
        "Just finished a 10k run and a protein smoothie 💪 #fitness #health",
        "the chicken strip basket is not worth 10.99",
        "@user you are a fucking idiot",
    ]
    expected = np.array(
        [
            [-0.057116, -0.029169, 0.058598, 0.068573, -0.019193, -0.004373],
            [-0.002489, -0.001846, -0.018176, -0.013031, 0.041563, -0.016174],
            [0.000404, 0.049879, -0.003651, -0.006212, 0.011152, 0.018328],
        ]
    )
    assert np.allclose(encoder.encode(texts)[:, :6], expected, atol=1e-4)


def test_cached_embeddings_from_other_numerics_are_embedded_again(
    encoder: SentenceEncoder, tmp_path: Path
) -> None:
    from brandfit.features.encoder_cache import MemoEncoder

    cache = tmp_path / "embeddings.npz"
    right = MemoEncoder(encoder, cache).encode(["a post about cake"])
    with np.load(cache) as saved:
        digests = saved["digests"]
    np.savez(  # a cache from before the numerics tag: same version, other vectors
        cache, version=np.array(encoder.version), digests=digests, vectors=np.zeros_like(right)
    )
    again = MemoEncoder(encoder, cache).encode(["a post about cake"])
    assert np.allclose(again, right)
    with np.load(cache) as saved:
        assert "numerics" in saved.files
