"""brisk.data from Python: iteration, Python map functions and generator sources under the GIL,
errors that name the source and the item, ignore_errors, clean shutdown (breaking out of a loop,
exiting the interpreter with a pipeline running), the file sources and the built-in ops."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

from brisk_testing import require_brisk, write_png

brisk = require_brisk()
import brisk.data as bd  # noqa: E402


def test_iteration_yields_dicts_of_arrays_in_order():
    x = np.arange(10, dtype=np.float32).reshape(5, 2)
    ds = bd.from_tensor_slices({"x": x, "i": np.arange(5)}).batch(2)
    got = list(ds)
    assert [e["i"].tolist() for e in got] == [[0, 1], [2, 3], [4]]
    np.testing.assert_array_equal(np.concatenate([e["x"] for e in got]), x)
    assert len(list(ds)) == 3  # a dataset can be iterated again


def test_python_map_in_parallel_keeps_order():
    ds = (bd.from_tensor_slices({"v": np.arange(200, dtype=np.int64)})
            .map(lambda e: {"v": e["v"] * 2, "sq": e["v"] ** 2}, num_parallel_calls=4))
    got = list(ds)
    assert [int(e["v"]) for e in got] == [2 * i for i in range(200)]
    assert [int(e["sq"]) for e in got] == [i * i for i in range(200)]


def test_unordered_map_yields_every_element_once():
    ds = bd.from_tensor_slices(np.arange(300, dtype=np.int64)).map(
        lambda e: e, num_parallel_calls=3, deterministic=False)
    assert sorted(int(e["x"]) for e in ds) == list(range(300))


def test_generator_source_runs_each_pass():
    def rows():
        for i in range(7):
            yield {"a": np.full(3, i, np.float32), "label": i % 2}

    ds = bd.from_generator(rows, name="rows").batch(4)
    for _ in range(2):  # the callable is called again for every pass
        got = list(ds)
        assert [e["a"].shape for e in got] == [(4, 3), (3, 3)]
        assert got[1]["label"].tolist() == [0, 1, 0]


def test_a_raising_generator_names_the_source_and_the_item():
    def bad():
        yield np.zeros(2, np.float32)
        yield np.zeros(2, np.float32)
        raise RuntimeError("disk on fire")

    with pytest.raises(brisk.Error, match=r"generator 'sensor' item 2: RuntimeError: disk on fire"):
        list(bd.from_generator(bad, name="sensor"))


def test_a_raising_map_function_names_the_stage_and_the_element():
    def check(e):
        if int(e["x"]) == 3:
            raise ValueError("bad row")
        return e

    ds = bd.from_tensor_slices(np.arange(6, dtype=np.int64)).map(check, name="check")
    with pytest.raises(brisk.Error, match=r"map\(check\).*slice 3.*ValueError: bad row"):
        list(ds)
    kept = list(ds.ignore_errors())
    assert [int(e["x"]) for e in kept] == [0, 1, 2, 4, 5]


def test_breaking_out_of_a_loop_stops_the_pipeline():
    slow = bd.from_tensor_slices(np.arange(10_000, dtype=np.int64)).map(
        lambda e: e, num_parallel_calls=4).prefetch(8)
    before = threading.active_count()
    for _ in range(20):
        it = iter(slow)
        next(it)
        it.close()
        del it
    assert threading.active_count() == before  # C++ threads are not Python threads, but no leak
    for i, _ in enumerate(slow):
        if i == 5:
            break


def test_exit_with_a_running_pipeline_does_not_hang():
    code = textwrap.dedent("""
        import numpy as np, brisk.data as bd
        ds = bd.from_tensor_slices(np.arange(10**6)).map(lambda e: e, num_parallel_calls=4)
        it = iter(ds.prefetch(16))
        next(it)
        print("started", flush=True)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "started"


def test_stats_report_names_each_stage():
    it = iter(bd.from_tensor_slices(np.arange(50)).map(lambda e: e, name="ident").batch(10)
              .prefetch(2))
    n = sum(1 for _ in it)
    assert n == 5
    stats = it.stats()
    names = [s.name for s in stats.stages]
    assert any("ident" in name for name in names) and any("batch" in n for n in names)
    assert stats.stages[-1].items_out == 5
    assert "verdict" in stats.report().lower() or stats.verdict in stats.report()


def test_csv_source_and_its_errors(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("age,income,city\n31,1000.5,Oslo\n45,2000,\"Bergen\"\n")
    rows = list(bd.from_csv(str(good), columns=[("age", np.int64), ("income", np.float32),
                                                ("city", str)]))
    assert [int(r["age"]) for r in rows] == [31, 45]
    assert rows[1]["city"] == "Bergen" or rows[1]["city"].item() == "Bergen"
    bad = tmp_path / "bad.csv"
    bad.write_text("age,income\n31,1000\n45,lots\n")
    with pytest.raises(brisk.InvalidArgumentError, match=r"bad.csv:3.*income.*lots"):
        list(bd.from_csv(str(bad), columns=[("age", np.int64), ("income", np.float32)]))


def test_sqlite_source_streams_rows_and_reports_sql_errors(tmp_path):
    db = tmp_path / "d.db"
    with sqlite3.connect(db) as c:
        c.execute("create table t (id integer, score real, name text)")
        c.executemany("insert into t values (?, ?, ?)", [(i, i / 2, f"n{i}") for i in range(100)])
    ds = bd.from_sqlite(str(db), "select id, score from t order by id").batch(32)
    got = list(ds)
    assert [len(e["id"]) for e in got] == [32, 32, 32, 4]
    np.testing.assert_allclose(np.concatenate([e["score"] for e in got]), np.arange(100) / 2)
    with pytest.raises(brisk.Error, match=r"d\.db.*no such table"):
        list(bd.from_sqlite(str(db), "select * from missing"))


def test_npy_source(tmp_path):
    np.save(tmp_path / "a.npy", np.arange(12, dtype=np.float32).reshape(6, 2))
    got = list(bd.from_npy(str(tmp_path / "a.npy"), component="feat").batch(4))
    assert [e["feat"].shape for e in got] == [(4, 2), (2, 2)]


def test_image_folder_decode_resize_normalize(tmp_path):
    rng = np.random.default_rng(0)
    for cls in ("cat", "dog"):
        (tmp_path / cls).mkdir()
        for i in range(3):
            pixels = rng.integers(0, 255, (20 + i, 30, 3), dtype=np.uint8)
            write_png(tmp_path / cls / f"{i}.png", pixels)
    (tmp_path / "dog" / "broken.png").write_bytes(b"not an image")
    ds = bd.image_folder(str(tmp_path)).map(
        [bd.ops.decode_image("image"), bd.ops.resize("image", 8, 8),
         bd.ops.normalize("image", mean=[127.5], std=[127.5])], num_parallel_calls=2)
    with pytest.raises(brisk.Error, match=r"broken\.png"):
        list(ds)
    got = list(ds.ignore_errors().batch(10))
    assert got[0]["image"].shape == (6, 8, 8, 3)
    assert got[0]["label"].tolist() == [0, 0, 0, 1, 1, 1]
    assert np.abs(got[0]["image"]).max() <= 1.0
    assert bd.image_folder_class_names(str(tmp_path)) == ["cat", "dog"]


def test_padded_batch_shuffle_and_file_cache_from_python(tmp_path):
    def rows():
        for n in range(1, 6):
            yield {"tokens": np.arange(n, dtype=np.int64), "n": n}

    padded = list(bd.from_generator(rows).padded_batch(
        2, padding_values=[("tokens", -1)]))
    assert padded[0]["tokens"].tolist() == [[0, -1], [0, 1]]
    assert padded[2]["tokens"].shape == (1, 5)

    ds = bd.from_tensor_slices(np.arange(50)).shuffle(20, seed=7)
    first = [int(e["x"]) for e in ds]
    assert sorted(first) == list(range(50)) and first != list(range(50))

    calls = []

    def counted(e):
        calls.append(1)
        return e

    cache = tmp_path / "cache.bin"
    cached = bd.from_tensor_slices(np.arange(10)).map(counted).cache(str(cache))
    assert [int(e["x"]) for e in cached] == list(range(10))
    assert [int(e["x"]) for e in cached] == list(range(10))
    assert len(calls) == 10  # the second pass read the file, not the map
    assert cache.exists() and (tmp_path / "cache.bin.index").exists()


def test_tokenize_and_npz(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("[PAD]\n[UNK]\nhello\nworld\n")
    ds = bd.from_tensor_slices({"text": np.array(["Hello world", "hello there"])}).map(
        bd.ops.tokenize("text", str(vocab), max_length=4))
    assert [e["text"].tolist() for e in ds] == [[2, 3, 0, 0], [2, 1, 0, 0]]
    np.savez(tmp_path / "d.npz", a=np.ones((3, 2), np.float32), b=np.arange(3))
    got = list(bd.from_npz(str(tmp_path / "d.npz")).batch(3))
    assert got[0]["a"].shape == (3, 2) and got[0]["b"].tolist() == [0, 1, 2]
