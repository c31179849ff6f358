"""Session.predict over arrays and datasets: same results as a loop of run(), order kept, the
tail batch, bad input, the progress bar, Ctrl-C between batches."""
from __future__ import annotations

import io
import signal

import numpy as np
import pytest

from brisk_testing import affine_model, gather_model, require_brisk, slow_model

brisk = require_brisk()
import brisk.data as bd  # noqa: E402
from brisk._progress import ProgressBar, progress_for  # noqa: E402


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    return brisk.Session(affine_model(tmp_path_factory.mktemp("m") / "affine.onnx"), threads=1)


def loop_of_runs(session, x, batch):
    parts = [session.run({"x": x[i:i + batch]}) for i in range(0, len(x), batch)]
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


@pytest.mark.parametrize("rows,batch", [(1, 32), (64, 32), (100, 32), (7, 3), (5, 100)])
def test_predict_array_equals_a_loop_of_runs(session, rows, batch):
    x = np.random.default_rng(rows).standard_normal((rows, 16)).astype(np.float32)
    got = session.predict(x, batch_size=batch, verbose=0)
    want = loop_of_runs(session, x, batch)
    assert set(got) == {"y", "z"}
    np.testing.assert_array_equal(got["y"], want["y"])
    np.testing.assert_array_equal(got["z"], want["z"])


def test_predict_one_output_returns_the_array(tmp_path):
    s = brisk.Session(gather_model(tmp_path / "g.onnx"), threads=1)
    ids = np.array([3, 1, 4, 1, 5, 9, 2, 6], np.int64)
    y = s.predict({"ids": ids}, batch_size=3, verbose=0)
    np.testing.assert_array_equal(y, s.run({"ids": ids})["y"])


def test_predict_bad_input_names_what_is_wrong(session, tmp_path):
    with pytest.raises(brisk.InvalidArgumentError, match="0 rows"):
        session.predict(np.zeros((0, 16), np.float32), verbose=0)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        session.predict(np.zeros((4, 16), np.float32), batch_size=0, verbose=0)
    with pytest.raises(brisk.InvalidArgumentError, match="expected dtype float32"):
        session.predict(np.zeros((4, 16)), verbose=0)
    s = brisk.Session(gather_model(tmp_path / "g.onnx"), threads=1)
    with pytest.raises(brisk.Error, match="Gather"):
        s.predict({"ids": np.array([0, 1, 2, 50], np.int64)}, batch_size=2, verbose=0)


def test_predict_dataset_keeps_order_and_ignores_labels(session):
    x = np.random.default_rng(5).standard_normal((70, 16)).astype(np.float32)
    labels = np.arange(70)
    ds = bd.from_tensor_slices({"x": x, "label": labels}).batch(16)
    got, stats = session.predict(ds, return_stats=True, verbose=0)
    want = session.predict(x, batch_size=16, verbose=0)
    np.testing.assert_array_equal(got["y"], want["y"])
    assert stats.consumer_items == 70
    assert stats.consumer_compute_seconds > 0
    assert isinstance(stats.verdict, str) and stats.verdict
    assert "prefetch" in stats.report()


def test_predict_dataset_of_single_samples_adds_the_batch_dim(session):
    x = np.random.default_rng(6).standard_normal((5, 16)).astype(np.float32)
    got = session.predict(bd.from_tensor_slices(x), verbose=0)  # rows of rank 1, component 'x'
    np.testing.assert_array_equal(got["y"], session.run({"x": x})["y"])


def test_predict_dataset_missing_input_names_the_element(session):
    ds = bd.from_tensor_slices({"a": np.zeros((4, 16), np.float32),
                                "b": np.zeros((4, 16), np.float32)}).batch(2)
    with pytest.raises(brisk.InvalidArgumentError, match=r"no component 'x'.*'a', 'b'"):
        session.predict(ds, verbose=0)


def test_progress_bar_draws_items_rate_and_eta():
    stream = io.StringIO()
    bar = ProgressBar(stream, interval=0)
    for done in (32, 64, 100):
        bar(done, 100)
    bar.close()
    text = stream.getvalue()
    assert "100/100" in text and "items/s" in text and "ETA" in text and text.endswith("\n")
    assert ProgressBar(io.StringIO()).line(10, -1, 1e9).startswith("10 items")


def test_progress_bar_only_on_a_terminal():
    tty = io.StringIO()
    tty.isatty = lambda: True  # type: ignore[method-assign]
    with progress_for("auto", tty) as bar:
        assert bar is not None
    with progress_for("auto", io.StringIO()) as bar:
        assert bar is None
    with progress_for(0, tty) as bar:
        assert bar is None
    with pytest.raises(ValueError, match="verbose"):
        with progress_for("loud", tty):
            pass


def test_predict_calls_the_progress_bar(session, monkeypatch):
    calls = []
    monkeypatch.setattr(ProgressBar, "__call__", lambda self, done, total: calls.append((done, total)))
    session.predict(np.zeros((10, 16), np.float32), batch_size=4, verbose=1)
    assert calls == [(4, 10), (8, 10), (10, 10)]


def test_ctrl_c_stops_predict_between_batches(tmp_path):
    s = brisk.Session(slow_model(tmp_path / "slow.onnx"), threads=1)
    x = np.ones((4000, 512), np.float32)  # 4000 single-row batches: seconds of work

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(KeyboardInterrupt):
            s.predict(x, batch_size=1, verbose=0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert s.run({"x": x[:2]})["y"].shape == (2, 512)  # still usable
