"""`brisk export` writes ONNX that onnxruntime loads and that computes the same outputs, with
brisk's inferred shapes (symbolic batch dim included) recorded as value_info."""
import numpy as np
import onnx
import onnxruntime as ort
import pytest

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DIGITS = REPO_ROOT / "models" / "digits" / "digits_cnn.onnx"


@pytest.fixture(scope="module")
def exported(run_brisk, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "digits_typed.onnx"
    proc = run_brisk("export", DIGITS, "-o", out)
    assert proc.returncode == 0, proc.stderr
    return out


def test_exported_model_is_valid_onnx(exported):
    onnx.checker.check_model(onnx.load(str(exported)), full_check=False)


def test_onnxruntime_runs_exported_model_with_same_outputs(exported):
    x = np.load(REPO_ROOT / "models" / "digits" / "test_images.npy")[:16]
    original = ort.InferenceSession(str(DIGITS)).run(None, {"image": x})[0]
    roundtrip = ort.InferenceSession(str(exported)).run(None, {"image": x})[0]
    np.testing.assert_allclose(roundtrip, original, rtol=0, atol=0)


def test_inferred_symbolic_shapes_are_written_as_value_info(exported):
    graph = onnx.load(str(exported)).graph
    shapes = {}
    for vi in graph.value_info:
        dims = vi.type.tensor_type.shape.dim
        shapes[vi.name] = [d.dim_param or d.dim_value for d in dims]
    assert shapes, "no value_info written"
    # Every intermediate value keeps the symbolic batch dim N in front.
    assert all(s and s[0] == "N" for s in shapes.values()), shapes


def test_export_of_corrupt_model_fails_cleanly(run_brisk, tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07garbage")
    proc = run_brisk("export", bad, "-o", tmp_path / "out.onnx")
    assert proc.returncode == 1
    assert str(bad) in proc.stderr
    assert not (tmp_path / "out.onnx").exists()
