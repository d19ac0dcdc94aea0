"""The compiled scoring path gives the scikit-learn path's probabilities, for every head kind."""

from __future__ import annotations

import numpy as np
import pytest

from brandfit.config import HeadConfig, TrainConfig
from brandfit.data import load_labelled
from brandfit.heads.compiled import CompiledHeads
from brandfit.persistence.registry import LoadedModels, load_models
from brandfit.predict import Predictor
from tests.conftest import DATA, REPO

EDGE_TEXTS = ["", "   ", "🔥🔥🔥", "zzqx unseenword", "Das ist ein deutscher Satz über Fußball"]


def _texts() -> list[str]:
    texts = []
    for name in ("niche.jsonl", "alignment.jsonl", "sentiment.csv", "safety.parquet"):
        texts += load_labelled(DATA / name, require_target=name == "alignment.jsonl").texts
    return EDGE_TEXTS + texts


def _assert_same(models: LoadedModels, texts: list[str]) -> None:
    compiled = models.compiled
    for name, model in models.heads.items():
        head = compiled.heads.get(name)
        assert head is not None, f"{name} was not compiled"
        X = model.featurizer.transform(texts)
        rows, union_pos = compiled.lookup(X)
        if model.targets is None:
            fast = head.predict_proba(rows, union_pos, X.data, X.shape[0])
            slow = model.predict_proba(X)
            assert np.array_equal(
                head.known_from(rows, union_pos, X.shape[0]), model.known_counts(X)
            ), name
        else:
            ids = list(range(len(model.targets)))
            fast = head.predict_proba_targets(rows, union_pos, X.data, X.shape[0], ids)
            slow = np.stack(
                [model.predict_proba(X, [t] * X.shape[0]) for t in model.targets], axis=1
            )
        assert fast.shape == slow.shape, name
        assert np.allclose(fast, slow, atol=1e-5), f"{name}: max diff {np.abs(fast - slow).max()}"


def test_compiled_matches_scikit_learn_on_tiny_heads(tiny_heads) -> None:
    texts = _texts()
    models = LoadedModels(tiny_heads)
    _assert_same(models, texts)  # big batch: sparse product
    for text in texts[:8]:  # one post: dense one-hot product
        _assert_same(models, [text])


@pytest.mark.parametrize(
    ("classifier", "calibration", "block_norm"),
    [
        ("logreg", "sigmoid", True),
        ("nb_svc", "temperature", False),
        ("nb_logreg", "auto", True),
        ("linear_svc", "sigmoid", False),
    ],
)
def test_compiled_matches_for_each_classifier_and_calibration(
    classifier, calibration, block_norm
) -> None:
    from brandfit.train import fit_head

    config = TrainConfig(
        head=HeadConfig(
            min_df=1,
            calibration_cv=3,
            classifier=classifier,
            calibration=calibration,
            block_norm=block_norm,
        )
    )
    sentiment = load_labelled(DATA / "sentiment.csv")
    alignment = load_labelled(DATA / "alignment.jsonl", require_target=True)
    heads = {
        "sentiment": fit_head("sentiment", sentiment, config, val=sentiment),
        "alignment": fit_head("alignment", alignment, config),
    }
    _assert_same(LoadedModels(heads), _texts())


def test_heads_using_the_encoder_are_not_compiled(tiny_heads) -> None:
    """Encoder heads always take the scikit-learn path (the fused pass has no dense block)."""
    import copy

    hybrid = copy.copy(tiny_heads["sentiment"])
    hybrid.encoder_version = "some-encoder"
    compiled = CompiledHeads({"sentiment": hybrid, "niche": tiny_heads["niche"]})
    assert set(compiled.heads) == {"niche"}


def test_predictor_output_is_the_same_with_and_without_compiled_heads(tiny_heads) -> None:
    texts = _texts()[:40]
    fast = Predictor(LoadedModels(tiny_heads)).predict(texts)
    slow_models = LoadedModels(tiny_heads)
    slow_models.__dict__["compiled"] = CompiledHeads({})  # nothing compiled: every head falls back
    slow = Predictor(slow_models).predict(texts)
    for a, b in zip(fast, slow, strict=True):
        assert a.keys() == b.keys()
        assert a["flags"] == b["flags"]
        for head in ("niche", "safety", "sentiment"):
            assert a[head]["labels"] == b[head]["labels"]
            assert np.allclose(
                list(a[head]["scores"].values()), list(b[head]["scores"].values()), atol=2e-4
            )
        assert a["alignment"].keys() == b["alignment"].keys()
        for value in a["alignment"]:
            assert a["alignment"][value]["labels"] == b["alignment"][value]["labels"]


def test_unrecognised_heads_are_left_to_scikit_learn(tiny_heads) -> None:
    from sklearn.dummy import DummyClassifier
    from sklearn.pipeline import Pipeline

    from brandfit.heads.model import HeadModel

    odd = tiny_heads["sentiment"]
    dummy = HeadModel(
        name="odd",
        kind=odd.kind,
        labels=odd.labels,
        featurizer=odd.featurizer,
        estimator=Pipeline(
            [("select", odd.estimator.named_steps["select"]), ("clf", DummyClassifier())]
        ),
    )
    compiled = CompiledHeads({"sentiment": odd, "odd": dummy})
    assert set(compiled.heads) == {"sentiment"}


def test_shipped_heads_hold_one_copy_of_their_weights() -> None:
    from brandfit.heads.compiled import _linear_part

    models = load_models(REPO / "models")
    for name, head in models.compiled.heads.items():
        _, _, _, sources = _linear_part(models.heads[name].estimator.named_steps["clf"])
        for owner, attribute, _ in sources:
            assert np.shares_memory(getattr(owner, attribute), head.weights), name


def test_shipped_union_positions_list_each_kept_column_once() -> None:
    models = load_models(REPO / "models")
    compiled = models.compiled
    kept = sum(head.idf.size for head in compiled.heads.values())
    assert compiled.segment_kept.size == compiled.segment_piece.size == kept
    assert compiled.indptr[-1] == kept and compiled.indptr.size == compiled.union.size + 1
    pairs = set(zip(compiled.segment_piece.tolist(), compiled.segment_kept.tolist(), strict=True))
    assert len(pairs) == kept


def test_fused_sums_do_not_depend_on_the_chunk_size(tiny_heads, monkeypatch) -> None:
    import brandfit.heads.compiled as compiled_module

    models = LoadedModels(tiny_heads)
    compiled = models.compiled
    featurizer = next(iter(tiny_heads.values())).featurizer
    texts = _texts()
    posts = featurizer.tokenize(texts)
    entries = compiled.lookup_entries(*featurizer.hashed_entries(posts))
    whole = compiled.accumulate(*entries, len(texts))
    monkeypatch.setattr(compiled_module, "CHUNK_CELLS", 7)
    chunked = compiled.accumulate(*entries, len(texts))
    assert np.allclose(whole, chunked, rtol=1e-6, atol=1e-9)


def test_entries_give_the_same_sums_as_the_count_matrix(tiny_heads) -> None:
    models = LoadedModels(tiny_heads)
    compiled = models.compiled
    featurizer = next(iter(tiny_heads.values())).featurizer
    texts = _texts()
    posts = featurizer.tokenize(texts)
    X = featurizer.transform_tokenized(posts)
    rows, union_pos = compiled.lookup(X)
    from_matrix = compiled.accumulate(rows, union_pos, X.data, X.shape[0])
    entries = compiled.lookup_entries(*featurizer.hashed_entries(posts))
    assert np.allclose(compiled.accumulate(*entries, len(texts)), from_matrix, atol=1e-9)
    hit = union_pos >= 0
    from_csr = zip(rows[hit].tolist(), union_pos[hit].tolist(), X.data[hit].tolist(), strict=True)
    assert sorted(from_csr) == sorted(zip(*(a.tolist() for a in entries), strict=True))


def test_native_kernel_and_numpy_give_the_same_sums(tiny_heads, monkeypatch) -> None:
    import brandfit.heads.compiled as compiled_module

    if compiled_module._native is None:
        pytest.skip("brandfit._native was not built (no C compiler at install); NumPy path only")
    models = LoadedModels(tiny_heads)
    compiled = models.compiled
    featurizer = next(iter(tiny_heads.values())).featurizer
    texts = _texts()
    entries = compiled.lookup_entries(*featurizer.hashed_entries(featurizer.tokenize(texts)))
    native = compiled.accumulate(*entries, len(texts))
    monkeypatch.setattr(compiled_module, "_native", None)
    numpy_sums = compiled.accumulate(*entries, len(texts))
    assert np.allclose(native, numpy_sums, rtol=1e-6, atol=1e-9), np.abs(native - numpy_sums).max()


def test_native_kernel_refuses_out_of_range_indices(tiny_heads) -> None:
    import brandfit.heads.compiled as compiled_module

    native = compiled_module._native
    if native is None:
        pytest.skip("brandfit._native was not built (no C compiler at install)")
    compiled = LoadedModels(tiny_heads).compiled
    out = np.zeros((1, compiled.n_fused))
    tables = (compiled.indptr, compiled.segment_piece, compiled.segment_kept)
    pieces = compiled.kernel_pieces
    one = np.ones(1, dtype=np.float32)
    with pytest.raises(ValueError, match="out of range"):
        native.fused_sums(out, np.array([1]), np.array([0]), one, *tables, pieces)  # row 1 of 1
    with pytest.raises(ValueError, match="out of range"):
        end = np.array([compiled.union.size])
        native.fused_sums(out, np.array([0]), end, one, *tables, pieces)
    with pytest.raises(ValueError, match="one item per entry"):
        native.fused_sums(out, np.array([0, 0]), np.array([0]), one, *tables, pieces)
    bad_piece = np.full_like(compiled.segment_piece, len(pieces))
    start = int(np.flatnonzero(np.diff(compiled.indptr) > 0)[0])  # a position with segments
    with pytest.raises(ValueError, match="segment out of range"):
        native.fused_sums(
            out, np.array([0]), np.array([start]), one, tables[0], bad_piece, tables[2], pieces
        )
    with pytest.raises(ValueError, match="do not fit together"):
        weights, idf, blocks, *rest = pieces[0]
        native.fused_sums(
            out, np.array([0]), np.array([0]), one, *tables, [(weights[:1], idf, blocks, *rest)]
        )


def test_the_installed_package_has_the_native_kernel() -> None:
    """CI builds from source with a compiler, so the fast path is what it tests."""
    import os

    import brandfit.heads.compiled as compiled_module

    if os.environ.get("CI") != "true":
        pytest.skip("only required where the install had a C compiler (CI)")
    assert compiled_module._native is not None
