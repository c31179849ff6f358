"""brisk.Batcher from Python: 32 threads calling run() with one row each get their own rows back,
merged into batched runs; a bad request fails alone; a full queue refuses at once."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from brisk_testing import affine_model, gather_model, require_brisk

brisk = require_brisk()


def test_concurrent_single_rows_get_their_own_results(tmp_path):
    s = brisk.Session(affine_model(tmp_path / "a.onnx"), threads=1)
    b = brisk.Batcher(s, max_batch_size=16, max_delay_us=2000)
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((32, 20, 1, 16)).astype(np.float32)  # thread, call, row
    want = s.run({"x": xs.reshape(-1, 16)})["y"].reshape(32, 20, 1, 8)
    got = np.zeros_like(want)
    errors = []

    def caller(t):
        try:
            for i in range(20):
                got[t, i] = b.run({"x": xs[t, i]})["y"]
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=caller, args=(t,)) for t in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    stats = b.stats()
    assert stats["requests"] == 640 and stats["rows"] == 640
    assert stats["batches"] < 640  # merged
    assert max(stats["batch_sizes"]) <= 16
    b.close()
    with pytest.raises(brisk.CancelledError):
        b.run({"x": xs[0, 0]})


def test_a_bad_request_fails_alone(tmp_path):
    s = brisk.Session(gather_model(tmp_path / "g.onnx"), threads=1)
    b = brisk.Batcher(s, max_batch_size=8, max_delay_us=100_000)
    results = [None] * 8

    def caller(i):
        try:
            results[i] = b.run({"ids": np.array([99 if i == 3 else i], np.int64)})["y"]
        except brisk.Error as e:
            results[i] = e

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert isinstance(results[3], brisk.Error) and "Gather" in str(results[3])
    for i in (0, 1, 2, 4, 5, 6, 7):
        np.testing.assert_array_equal(results[i], [[4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3]])
    assert b.stats()["failed"] == 1


def test_invalid_requests_and_options(tmp_path):
    s = brisk.Session(affine_model(tmp_path / "a.onnx"), threads=1)
    b = brisk.Batcher(s)
    with pytest.raises(ValueError, match="expected dtype float32"):
        b.run({"x": np.zeros((1, 16))})
    with pytest.raises(ValueError, match="between 1 and 32 rows"):
        b.run({"x": np.zeros((40, 16), np.float32)})
    with pytest.raises(ValueError, match="ascending"):
        brisk.Batcher(s, allowed_batch_sizes=[8, 4])
