"""Oracle tests: PyTorch models exported to ONNX, run by the brisk CLI and by onnxruntime on the
same inputs; every output must agree within tight float32 tolerances (rtol 1e-4, atol 1e-5 unless
a spec in models.py says otherwise, with a reason).

Each model is exported once per session (TorchScript exporter, opset 17, batch axis "N" dynamic
for models tested at more than one batch size) and run at each of its batch sizes.
"""
from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
import torch

import models

# Onnxruntime vs torch is only a sanity check that the export itself is faithful, so that a
# brisk failure is not blamed on the exporter. Loose on purpose: it is not what is under test.
EXPORT_RTOL, EXPORT_ATOL = 1e-3, 1e-4

# Reference outputs smaller than this are skipped when reporting the max *relative* error
# (relative error of a value near 0 says nothing). The pass/fail check is assert_allclose.
REL_FLOOR = 1e-3

CASES = [pytest.param(spec.name, batch, id=f"{spec.name}-b{batch}")
         for spec in models.MODELS for batch in spec.batches]


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """exported(name) -> (spec, torch model, onnx path, onnxruntime session), built once."""
    cache = {}
    torch.set_num_threads(2)

    def get(name):
        if name not in cache:
            spec = models.MODELS_BY_NAME[name]
            model = models.build_model(spec)
            path = tmp_path_factory.mktemp("onnx") / f"{name}.onnx"
            models.export_onnx(spec, model, path)
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 2
            session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
            cache[name] = (spec, model, path, session)
        return cache[name]

    return get


def max_errors(actual: np.ndarray, expected: np.ndarray) -> tuple[float, float]:
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    diff = np.abs(a - e)
    big = np.abs(e) > REL_FLOOR
    rel = float((diff[big] / np.abs(e[big])).max()) if big.any() else 0.0
    return float(diff.max()) if diff.size else 0.0, rel


@pytest.mark.parametrize("name,batch", CASES)
def test_brisk_matches_onnxruntime(name, batch, exported, run_brisk, tmp_path, record_property):
    spec, model, path, session = exported(name)
    feeds = spec.make_inputs(batch, np.random.default_rng(1000 + batch))
    assert [i.name for i in session.get_inputs()] == list(feeds), "export changed input names"
    if spec.dynamic_batch:
        assert all(i.shape[0] == "N" for i in session.get_inputs()), "batch axis not dynamic"

    expected = session.run(spec.output_names, feeds)
    for out_name, ort_out, torch_out in zip(spec.output_names, expected,
                                            models.torch_reference(model, feeds)):
        np.testing.assert_allclose(ort_out, torch_out, rtol=EXPORT_RTOL, atol=EXPORT_ATOL,
                                   err_msg=f"{name}: onnxruntime vs torch, output {out_name} "
                                           f"(export problem, not brisk)")

    in_npz, out_npz = tmp_path / "inputs.npz", tmp_path / "out.npz"
    np.savez(in_npz, **feeds)
    proc = run_brisk("run", path, "--input", in_npz, "--output", out_npz)
    assert proc.returncode == 0, (
        f"brisk run failed on {name} (batch {batch}), exit {proc.returncode}:\n"
        f"{proc.stderr}\n{proc.stdout[-2000:]}")
    with np.load(out_npz) as npz:
        actual = {k: npz[k] for k in npz.files}
    assert sorted(actual) == sorted(spec.output_names), f"brisk outputs: {sorted(actual)}"

    errors, failures = {}, []
    for out_name, ref in zip(spec.output_names, expected):
        got = actual[out_name]
        assert got.dtype == ref.dtype, f"{out_name}: dtype {got.dtype}, onnxruntime {ref.dtype}"
        assert got.shape == ref.shape, f"{out_name}: shape {got.shape}, onnxruntime {ref.shape}"
        errors[out_name] = max_errors(got, ref)
        try:
            np.testing.assert_allclose(got, ref, rtol=spec.rtol, atol=spec.atol,
                                       err_msg=f"{name} batch {batch}: output {out_name}")
        except AssertionError as e:
            failures.append(str(e))
    record_property("errors", errors)
    assert not failures, "\n".join(failures)
