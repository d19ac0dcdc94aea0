"""Per-token activation quantisation for a model made by ``quantize_dynamic``.

``quantize_dynamic`` inserts ``DynamicQuantizeLinear`` before each int8 ``MatMulInteger``:
one scale and zero point for the whole activation tensor, i.e. for every token of every
post in the batch. A post's embedding then depends on the other posts (and the padding)
in its batch: on real posts the same text alone vs in a batch of 64 gave cosines down to
0.965. This rewrite computes the scale and zero point per row (per token) with plain
ONNX ops, so each post is quantised on its own; the weights stay exactly as
``quantize_dynamic`` made them. ``MatMulInteger`` only takes a scalar or per-row 1-D
activation zero point, so the zero point is applied afterwards:
``sum_k (q_k - zp)(w_kn - wzp_n) = MatMulInteger(q, w, 0, wzp)_n - zp * sum_k (w_kn - wzp_n)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def per_token_activations(src: Path, dst: Path) -> int:
    """Rewrite every ``DynamicQuantizeLinear`` of ``src`` to per-row quantisation; return the count."""
    model = onnx.load(str(src))
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    nodes: list[onnx.NodeProto] = []
    constants: list[onnx.TensorProto] = []
    rewritten = 0

    def const(name: str, value: np.ndarray | float, dtype: type = np.float32) -> str:
        constants.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    for node in graph.node:
        if node.op_type == "DynamicQuantizeLinear":
            x = node.input[0]
            q, scale, zp = node.output
            p = node.name or q
            zero, top, eps = (
                const(p + "/zero", 0.0),
                const(p + "/255", 255.0),
                const(p + "/eps", 1e-8),
            )
            nodes += [  # DynamicQuantizeLinear's formula, reduced over the last axis only
                helper.make_node("ReduceMin", [x], [p + "/min"], axes=[-1], keepdims=1),
                helper.make_node("ReduceMax", [x], [p + "/max"], axes=[-1], keepdims=1),
                helper.make_node("Min", [p + "/min", zero], [p + "/min0"]),
                helper.make_node("Max", [p + "/max", zero], [p + "/max0"]),
                helper.make_node("Sub", [p + "/max0", p + "/min0"], [p + "/range"]),
                helper.make_node("Div", [p + "/range", top], [p + "/scale0"]),
                helper.make_node("Max", [p + "/scale0", eps], [scale]),
                helper.make_node("Div", [p + "/min0", scale], [p + "/min_s"]),
                helper.make_node("Neg", [p + "/min_s"], [p + "/neg_min_s"]),
                helper.make_node("Round", [p + "/neg_min_s"], [p + "/zp_round"]),
                helper.make_node("Clip", [p + "/zp_round", zero, top], [p + "/zp_f"]),
                helper.make_node("Div", [x, scale], [p + "/x_s"]),
                helper.make_node("Round", [p + "/x_s"], [p + "/x_round"]),
                helper.make_node("Add", [p + "/x_round", p + "/zp_f"], [p + "/x_zp"]),
                helper.make_node("Clip", [p + "/x_zp", zero, top], [p + "/x_clip"]),
                helper.make_node("Cast", [p + "/x_clip"], [q], to=TensorProto.UINT8),
                helper.make_node("Cast", [p + "/zp_f"], [zp + "/int32"], to=TensorProto.INT32),
            ]
            rewritten += 1
        elif node.op_type == "MatMulInteger":
            a, b, a_zp, b_zp = (*node.input, "", "")[:4]
            if b not in inits or not a_zp:
                raise SystemExit(
                    f"{node.name}: expected a weight initializer and an activation zero point"
                )
            w = numpy_helper.to_array(inits[b]).astype(np.int32)
            wz = (
                numpy_helper.to_array(inits[b_zp]).astype(np.int32)
                if b_zp
                else np.zeros(w.shape[-1], np.int32)
            )
            colsum = const(node.name + "/colsum", (w - wz).sum(axis=0), np.int32)
            out = node.output[0]
            nodes += [
                helper.make_node(
                    "MatMulInteger",
                    [a, b, "", b_zp] if b_zp else [a, b],
                    [out + "/raw"],
                    name=node.name,
                ),
                helper.make_node("Mul", [a_zp + "/int32", colsum], [out + "/zp_term"]),
                helper.make_node("Sub", [out + "/raw", out + "/zp_term"], [out]),
            ]
        else:
            nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    graph.initializer.extend(constants)
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))
    return rewritten
