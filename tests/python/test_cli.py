"""End-to-end tests of the brisk CLI (`brisk inspect`, `brisk run`) on small exported models,
including how it fails: bad model files and bad inputs must give a non-zero exit and an error
message naming the culprit — never a crash (signal), abort or stack trace."""
from __future__ import annotations

import re
import warnings

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper
from torch import nn

import models

# Signs of a crash rather than a handled error.
CRASH_MARKERS = ("Traceback", "terminate called", "Segmentation fault", "Aborted", "core dumped",
                 "AddressSanitizer", "std::", "what():")


class TinyNet(nn.Module):
    """Linear(8,16)-ReLU-Linear(16,4): 8*16+16 + 16*4+4 = 212 parameters, all initializers."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(8, 16), nn.Linear(16, 4)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


TINY_PARAMS = 212


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """TinyNet exported with input 'features' [N, 8] and output 'scores' [N, 4]."""
    models.seed_everything()
    net = TinyNet().eval()
    assert sum(p.numel() for p in net.parameters()) == TINY_PARAMS
    path = tmp_path_factory.mktemp("cli") / "tiny.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(net, (torch.randn(2, 8),), str(path), dynamo=False,
                          opset_version=models.OPSET, input_names=["features"],
                          output_names=["scores"],
                          dynamic_axes={"features": {0: "N"}, "scores": {0: "N"}})
    return path, net


def assert_handled_failure(proc, *must_mention):
    """Non-zero exit by return (not by signal), an error message naming each of `must_mention`."""
    out = proc.stdout + proc.stderr
    assert proc.returncode > 0, f"expected a clean non-zero exit, got {proc.returncode}:\n{out}"
    assert proc.stderr.strip(), f"no error message on stderr:\n{out}"
    for marker in CRASH_MARKERS:
        assert marker not in out, f"looks like a crash ({marker!r}):\n{out}"
    for text in must_mention:
        assert str(text) in proc.stderr, f"error message does not mention {text!r}:\n{proc.stderr}"


# ------------------------------------------------------------------------------------ inspect
def test_inspect_reports_io_ops_and_parameters(tiny_model, run_brisk):
    path, _ = tiny_model
    proc = run_brisk("inspect", path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    inputs = out.split("inputs:")[1].split("outputs:")[0]
    outputs = out.split("outputs:")[1].split("ops")[0]
    assert re.search(r"features: float32\[N, 8\]", inputs), out
    assert re.search(r"scores: float32\[N, 4\]", outputs), out
    # Op histogram: two Gemm (the Linears) and one Relu.
    assert re.search(r"^\s+Gemm\s+2\b", out, re.M), out
    assert re.search(r"^\s+Relu\s+1\b", out, re.M), out
    assert re.search(rf"^parameters: {TINY_PARAMS}\b", out, re.M), out


def test_inspect_exported_mlp(run_brisk, tmp_path):
    """The oracle suite's MLP (LayerNorm, GELU as Erf): histogram, symbolic batch and a parameter
    count equal to the exported initializers' element count."""
    spec = models.MODELS_BY_NAME["mlp"]
    model = models.build_model(spec)
    path = tmp_path / "mlp.onnx"
    models.export_onnx(spec, model, path)
    graph = onnx.load(str(path)).graph
    initializer_params = sum(int(np.prod(t.dims)) for t in graph.initializer)
    # GELU's scalars (sqrt 2, 1, 0.5) are Constant nodes; brisk's importer turns Constant nodes
    # into initializers, so it may count them too (13514 weights + 6 scalars here). Either is fine.
    constant_elems = sum(int(np.prod(a.t.dims)) for n in graph.node if n.op_type == "Constant"
                         for a in n.attribute if a.name == "value")
    proc = run_brisk("inspect", path)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"x: float32\[N, 32\]", proc.stdout), proc.stdout
    assert re.search(r"logits: float32\[N, 10\]", proc.stdout), proc.stdout
    assert re.search(r"^\s+LayerNormalization\s+2\b", proc.stdout, re.M), proc.stdout
    assert re.search(r"^\s+Gemm\s+3\b", proc.stdout, re.M), proc.stdout
    params = int(re.search(r"^parameters: (\d+)", proc.stdout, re.M).group(1))
    assert initializer_params == sum(p.numel() for p in model.parameters())
    assert initializer_params <= params <= initializer_params + constant_elems, proc.stdout


def test_inspect_corrupt_file(run_brisk, tmp_path):
    bad = tmp_path / "garbage.onnx"
    bad.write_bytes(np.random.default_rng(0).bytes(4096))
    assert_handled_failure(run_brisk("inspect", bad), bad)


# ------------------------------------------------------------------------------------ run
def test_run_random_inputs(tiny_model, run_brisk, tmp_path):
    path, _ = tiny_model
    out = tmp_path / "out.npz"
    proc = run_brisk("run", path, "--batch", 3, "--seed", 7, "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert "input features: random float32[3, 8]" in proc.stdout, proc.stdout
    assert "output scores: float32[3, 4]" in proc.stdout, proc.stdout
    with np.load(out) as npz:
        assert npz.files == ["scores"]
        scores = npz["scores"]
    assert scores.shape == (3, 4) and scores.dtype == np.float32
    assert np.isfinite(scores).all()
    # Same seed, same random inputs, same outputs.
    out2 = tmp_path / "out2.npz"
    assert run_brisk("run", path, "--batch", 3, "--seed", 7, "--output", out2).returncode == 0
    with np.load(out2) as npz:
        np.testing.assert_array_equal(npz["scores"], scores)


def test_run_given_inputs_match_torch(tiny_model, run_brisk, tmp_path):
    path, net = tiny_model
    x = np.random.default_rng(3).standard_normal((5, 8), dtype=np.float32)
    np.savez(tmp_path / "in.npz", features=x)
    proc = run_brisk("run", path, "--input", tmp_path / "in.npz", "--output", tmp_path / "out.npz")
    assert proc.returncode == 0, proc.stderr
    with np.load(tmp_path / "out.npz") as npz:
        got = npz["scores"]
    with torch.no_grad():
        ref = net(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", ["garbage", "truncated", "empty", "text"])
def test_run_corrupt_model_file(kind, tiny_model, run_brisk, tmp_path):
    path, _ = tiny_model
    good = path.read_bytes()
    bad = tmp_path / f"{kind}_model.onnx"
    if kind == "garbage":
        bad.write_bytes(np.random.default_rng(1).bytes(2048))
    elif kind == "truncated":
        bad.write_bytes(good[: len(good) // 2])
    elif kind == "empty":
        bad.write_bytes(b"")
    else:
        bad.write_text("this is not an ONNX model\n" * 20)
    assert_handled_failure(run_brisk("run", bad), bad)


def test_run_missing_model_file(run_brisk, tmp_path):
    missing = tmp_path / "does_not_exist.onnx"
    assert_handled_failure(run_brisk("run", missing), missing)


def test_run_invalid_graph(run_brisk, tmp_path):
    """Parses as ONNX, but a node reads a value nothing defines."""
    graph = helper.make_graph([helper.make_node("Relu", ["undefined_value"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    path = tmp_path / "dangling.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    assert_handled_failure(run_brisk("run", path), path, "undefined_value")


@pytest.mark.parametrize("shape", [(2, 7), (2, 8, 1), (8,)], ids=["wrong_dim", "extra_rank", "rank1"])
def test_run_wrong_shaped_input(shape, tiny_model, run_brisk, tmp_path):
    path, _ = tiny_model
    inputs = tmp_path / "bad_inputs.npz"
    np.savez(inputs, features=np.zeros(shape, np.float32))
    assert_handled_failure(run_brisk("run", path, "--input", inputs, "--output",
                                     tmp_path / "out.npz"), "features")
    assert not (tmp_path / "out.npz").exists()


def test_run_wrong_dtype_input(tiny_model, run_brisk, tmp_path):
    path, _ = tiny_model
    inputs = tmp_path / "inputs.npz"
    np.savez(inputs, features=np.zeros((2, 8), np.float64))
    assert_handled_failure(run_brisk("run", path, "--input", inputs), "features")


def test_run_unknown_input_name(tiny_model, run_brisk, tmp_path):
    path, _ = tiny_model
    inputs = tmp_path / "inputs.npz"
    np.savez(inputs, not_an_input=np.zeros((2, 8), np.float32))
    assert_handled_failure(run_brisk("run", path, "--input", inputs), "not_an_input")


def test_run_corrupt_inputs_file(tiny_model, run_brisk, tmp_path):
    path, _ = tiny_model
    inputs = tmp_path / "broken_inputs.npz"
    inputs.write_bytes(np.random.default_rng(2).bytes(300))
    assert_handled_failure(run_brisk("run", path, "--input", inputs), inputs)
