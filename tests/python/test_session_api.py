"""brisk.Session from Python: outputs against onnxruntime, zero-copy inputs, errors as Python
exceptions, thread safety, the GIL released while the engine runs, output lifetime."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from brisk_testing import affine_model, gather_model, require_brisk, slow_model

brisk = require_brisk()
REPO = Path(__file__).resolve().parents[2]
DIGITS = REPO / "models" / "digits" / "digits_cnn.onnx"


@pytest.fixture(scope="module")
def affine(tmp_path_factory) -> Path:
    return affine_model(tmp_path_factory.mktemp("models") / "affine.onnx")


def test_imports_beside_torch_onnx_and_onnxruntime():
    # Each bundles or links its own protobuf/OpenMP; brisk keeps its symbols private.
    code = ("import torch, onnx, onnxruntime, numpy as np, brisk\n"
            f"s = brisk.Session({str(DIGITS)!r}, threads=1)\n"
            "x = np.load(%r)[:2]\n"
            "print(s.run({'image': x})['logits'].shape)\n" % str(DIGITS.parent / "test_images.npy"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(2, 10)"


def test_metadata(affine):
    s = brisk.Session(affine, threads=1)
    assert [(i.name, i.dtype, i.shape) for i in s.inputs] == [("x", np.float32, ("N", 16))]
    assert [(o.name, o.shape) for o in s.outputs] == [("y", ("N", 8)), ("z", ("N",))]
    assert s.intra_op_threads == 1
    assert "x: float32[N, 16]" in repr(s)


def test_outputs_match_onnxruntime():
    x = np.load(DIGITS.parent / "test_images.npy")[:64]
    got = brisk.Session(DIGITS, threads=2).run({"image": x})["logits"]
    want = ort.InferenceSession(str(DIGITS), providers=["CPUExecutionProvider"]).run(
        None, {"image": x})[0]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_feeds_as_dict_list_or_single_array(affine):
    s = brisk.Session(affine, threads=1)
    x = np.random.default_rng(0).standard_normal((5, 16)).astype(np.float32)
    by_name = s.run({"x": x})
    np.testing.assert_array_equal(s.run([x])["y"], by_name["y"])
    np.testing.assert_array_equal(s.run(x)["z"], by_name["z"])
    np.testing.assert_allclose(by_name["z"], by_name["y"].sum(axis=1), rtol=1e-5)


def test_contiguous_inputs_are_not_copied_and_strided_ones_are(affine):
    s = brisk.Session(affine, threads=1)
    x = np.random.default_rng(0).standard_normal((64, 32)).astype(np.float32)
    dense = np.ascontiguousarray(x[:, :16])
    before = brisk._brisk._input_copies()
    want = s.run({"x": dense})["y"]
    # The page-end rule may copy a dense array whose tail is within 64 bytes of a page end.
    tail = (dense.ctypes.data + dense.nbytes - 1)
    near_page_end = tail // 4096 != (tail + 64) // 4096
    assert brisk._brisk._input_copies() - before == int(near_page_end)
    before = brisk._brisk._input_copies()
    got = s.run({"x": x[:, :16]})["y"]  # a strided view: copied once, same result
    assert brisk._brisk._input_copies() - before == 1
    np.testing.assert_array_equal(got, want)


def test_outputs_are_writable_arrays_that_outlive_the_session(affine):
    s = brisk.Session(affine, threads=1)
    y = s.run({"x": np.ones((3, 16), np.float32)})["y"]
    expected = y.copy()
    del s
    import gc
    gc.collect()
    np.testing.assert_array_equal(y, expected)
    y += 1  # the engine handed the buffer over; the array owns it now
    assert y.flags.writeable


def test_errors_are_python_exceptions_with_the_engine_message(affine, tmp_path):
    s = brisk.Session(affine, threads=1)
    with pytest.raises(brisk.InvalidArgumentError, match="expected dtype float32, got float64"):
        s.run({"x": np.ones((2, 16))})
    with pytest.raises(ValueError, match=r"dimension 1 must be 16"):
        s.run({"x": np.ones((2, 15), np.float32)})
    with pytest.raises(ValueError, match=r"unknown input 'nope'; the model's inputs are 'x'"):
        s.run({"nope": np.ones((2, 16), np.float32)})
    with pytest.raises(brisk.InvalidArgumentError, match="missing|not fed|'x'"):
        s.run({})
    with pytest.raises(brisk.InvalidArgumentError, match="takes 1 inputs, got 2"):
        s.run([np.ones((2, 16), np.float32)] * 2)
    with pytest.raises(FileNotFoundError):
        brisk.Session(tmp_path / "missing.onnx")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"this is not a model")
    with pytest.raises(brisk.Error, match="bad.onnx"):
        brisk.Session(bad)
    with pytest.raises(ValueError, match="optimization level"):
        brisk.Session(affine, optimization="fastest")


def test_a_failing_run_raises_and_the_session_keeps_working(tmp_path):
    s = brisk.Session(gather_model(tmp_path / "g.onnx"), threads=1)
    with pytest.raises(brisk.Error, match="Gather"):
        s.run({"ids": np.array([1, 99], np.int64)})
    np.testing.assert_array_equal(s.run({"ids": np.array([2], np.int64)})["y"],
                                  [[8, 9, 10, 11]])


def test_concurrent_runs_from_many_threads_get_their_own_results(affine):
    s = brisk.Session(affine, threads=1)
    rng = np.random.default_rng(3)
    xs = [rng.standard_normal((int(rng.integers(1, 9)), 16)).astype(np.float32)
          for _ in range(64)]
    want = [s.run({"x": x})["y"] for x in xs]
    got = [None] * len(xs)

    def work(first):
        for i in range(first, len(xs), 8):
            got[i] = s.run({"x": xs[i]})["y"]

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_the_gil_is_released_while_the_model_runs(tmp_path):
    s = brisk.Session(slow_model(tmp_path / "slow.onnx"), threads=1)
    x = np.ones((256, 512), np.float32)  # ~3 GFLOP a run: tens of ms
    s.run({"x": x})  # compile the plan first
    started = threading.Event()
    runs_done = []

    def runner():
        started.set()
        for _ in range(8):
            s.run({"x": x})
        runs_done.append(True)

    t = threading.Thread(target=runner)
    t.start()
    started.wait()
    # Python-level work in this thread while the other one is inside the engine: with the GIL
    # held by run(), this loop could not advance until the runs finished.
    ticks = 0
    while t.is_alive():
        ticks += 1
        time.sleep(0.001)
    t.join()
    assert runs_done
    # Released: one tick a millisecond for the whole time (hundreds). Held: a few ticks between
    # runs at most.
    assert ticks >= 50, f"main thread advanced only {ticks} times during 8 runs"
