"""Small ONNX models built with onnx.helper for the Python API tests, and the brisk import.

The brisk package is imported from the build tree (PYTHONPATH=build/python, set by
scripts/test.sh) or an installed copy; when neither exists the API tests are skipped with the
command that builds it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

try:
    import brisk  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the environment
    brisk = None
    _IMPORT_ERROR = error


def require_brisk():
    if brisk is None:
        pytest.skip(f"brisk Python package not importable ({_IMPORT_ERROR}); build it with "
                    "scripts/build.sh and set PYTHONPATH=build/python")
    return brisk


def _save(graph: onnx.GraphProto, path: Path, opset: int = 17) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def affine_model(path: Path, features: int = 16, outputs: int = 8, seed: int = 0) -> Path:
    """y = relu(x @ W + b), z = sum(y, axis=1): x float32[N, features]; outputs y and z."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((features, outputs)).astype(np.float32)
    b = rng.standard_normal(outputs).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["xw"]),
         helper.make_node("Add", ["xw", "b"], ["pre"]),
         helper.make_node("Relu", ["pre"], ["y"]),
         helper.make_node("ReduceSum", ["y", "axes"], ["z"], keepdims=0)],
        "affine",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", features])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", outputs]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, ["N"])],
        [helper.make_tensor("W", TensorProto.FLOAT, w.shape, w.flatten()),
         helper.make_tensor("b", TensorProto.FLOAT, b.shape, b),
         helper.make_tensor("axes", TensorProto.INT64, [1], [1])])
    return _save(graph, path)


def gather_model(path: Path, rows: int = 10, width: int = 4) -> Path:
    """y = table[ids]: ids int64[N], table float32[rows, width] -> y float32[N, width].
    An id outside [-rows, rows) makes the run fail (a bad request)."""
    table = np.arange(rows * width, dtype=np.float32).reshape(rows, width)
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "ids"], ["y"], axis=0)],
        "gather",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["N"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", width])],
        [helper.make_tensor("table", TensorProto.FLOAT, table.shape, table.flatten())])
    return _save(graph, path)


def slow_model(path: Path, size: int = 512, layers: int = 24) -> Path:
    """A chain of `layers` size x size MatMuls + Tanh on x float32[N, size]: slow enough per row
    (tens of ms at N=16) to observe a run in progress."""
    rng = np.random.default_rng(1)
    nodes, inits = [], []
    current = "x"
    for i in range(layers):
        w = (rng.standard_normal((size, size)) / np.sqrt(size)).astype(np.float32)
        inits.append(helper.make_tensor(f"W{i}", TensorProto.FLOAT, w.shape, w.flatten()))
        nodes.append(helper.make_node("MatMul", [current, f"W{i}"], [f"m{i}"]))
        nodes.append(helper.make_node("Tanh", [f"m{i}"], [f"t{i}"]))
        current = f"t{i}"
    nodes.append(helper.make_node("Identity", [current], ["y"]))
    graph = helper.make_graph(
        nodes, "slow",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", size])], inits)
    return _save(graph, path)


def write_png(path: Path, pixels: np.ndarray) -> Path:
    """Writes uint8[H, W, 3] as an 8-bit RGB PNG with the standard library only (no Pillow)."""
    import struct
    import zlib

    height, width, _ = pixels.shape
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(height))  # filter type 0

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
                     chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path
