"""The peer for the whole-process speed bar: a bare onnxruntime pass of the shipped encoder.

Usage:
    python benchmarks/bare_encoder.py POSTS.jsonl [--encoder models/encoder] [--threads 2]
                                      [--saturating]

Reads the ``text`` of every JSONL row, tokenises with ``tokenizers`` (truncated to the
manifest's ``max_length``), sorts by token length, runs the int8 ONNX model with
onnxruntime in batches of 64 on ``--threads`` intra-op threads, mean-pools and
normalises. Like brandfit, it asks onnxruntime for exact int8 products
(``session.x64quantprecision``); ``--saturating`` runs the default kernel instead, which
on CPUs without VNNI gives other vectors. No brandfit import: this is the least any
product built on this encoder could do. Prints the seconds of the pass alone (after loading) as ``pass_s=...``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

REPO = Path(__file__).resolve().parent.parent
BATCH = 64


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("posts", type=Path)
    parser.add_argument("--encoder", type=Path, default=REPO / "models" / "encoder")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--saturating", action="store_true", help="onnxruntime's default int8 GEMM")
    args = parser.parse_args()
    manifest = json.loads((args.encoder / "manifest.json").read_text())
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    if not args.saturating:
        options.add_session_config_entry("session.x64quantprecision", "1")
    session = ort.InferenceSession(
        str(args.encoder / "model.onnx"), sess_options=options, providers=["CPUExecutionProvider"]
    )
    tokenizer = Tokenizer.from_file(str(args.encoder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(int(manifest["max_length"]))
    names = {i.name for i in session.get_inputs()}
    output = session.get_outputs()[0].name
    started = time.perf_counter()
    with args.posts.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines if line.strip()]
    ids = [e.ids for e in tokenizer.encode_batch(texts)]
    order = np.argsort([len(row) for row in ids], kind="stable")
    vectors = np.empty((len(texts), 384), dtype=np.float32)
    for start in range(0, len(order), BATCH):
        rows = order[start : start + BATCH]
        width = max(len(ids[i]) for i in rows)
        input_ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros_like(input_ids)
        for j, i in enumerate(rows):
            input_ids[j, : len(ids[i])] = ids[i]
            mask[j, : len(ids[i])] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in names:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        hidden = session.run([output], feeds)[0]
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        vectors[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    print(f"pass_s={time.perf_counter() - started:.3f} posts={len(texts)}")


if __name__ == "__main__":
    main()
