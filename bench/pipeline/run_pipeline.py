#!/usr/bin/env python3
"""The image job, written the slow way and the fast ways, side by side on the same data and model.

A folder of JPEGs (gen_jpegs.py) is decoded, resized to 224x224 (bilinear), scaled to [-1, 1]
and classified by MobileNetV2. Variants, each in its own process:
  per_sample      PIL decode + resize per image, brisk Session.run on one image at a time
  batched         the same Python preprocessing, Session.run on batches of 32
  brisk_pipeline  brisk.data: image_folder -> map(decode, resize, normalize, hwc_to_chw,
                  parallel AUTOTUNE) -> batch(32) -> prefetch -> Session.predict
  batcher         32 Python threads each preprocessing its images with PIL and calling
                  brisk.Batcher.run with one image (max batch 32)
  keras_per_sample  the code users start from (shared/background): per image, TF decode +
                  resize, then Keras model.predict(np.expand_dims(x, 0))
  tf_data         TensorFlow's recommended way: tf.data (map(num_parallel_calls=AUTOTUNE),
                  batch(32), prefetch(AUTOTUNE)) + Keras model.predict
  brisk_input / tf_input   the two input pipelines alone, no model
brisk runs the torchvision MobileNetV2 export (NCHW) with 2 intra-op threads; TensorFlow runs
the Keras MobileNetV2 (NHWC, the same architecture) with its default threads on the same cores.
Every variant gets a warm-up pass over the first 64 images, then is timed over all of them;
the best of --repeats passes counts. Results: bench/results/<date>-pipeline.{json,md}.

    bash bench/setup.sh --no-build                        # venvs + models (once)
    bench/.venv/bin/python bench/pipeline/gen_jpegs.py --images 3000
    python3 bench/pipeline/run_pipeline.py --images 3000 --repeats 3
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1]
REPO = BENCH.parent
MODELS = Path(os.environ.get("BRISK_BENCH_MODELS", BENCH / ".models"))
ONNX_MODEL = MODELS / "mobilenet_v2.onnx"
KERAS_MODEL = MODELS / "keras_mobilenet_v2.keras"
DATA = BENCH / ".data" / "jpegs"
VENV = BENCH / ".venv" / "bin" / "python"
VENV_TF = BENCH / ".venv-tf" / "bin" / "python"
BATCH = 32
SIZE = 224
VARIANTS = ("keras_per_sample", "per_sample", "batched", "brisk_pipeline", "batcher", "tf_data",
            "brisk_input", "tf_input")
TF_VARIANTS = ("keras_per_sample", "tf_data", "tf_input")


def image_paths(count: int) -> list[str]:
    paths = sorted(str(p) for p in DATA.glob("*/*.jpg"))
    if len(paths) < count:
        sys.exit(f"only {len(paths)} JPEGs in {DATA}; run bench/pipeline/gen_jpegs.py "
                 f"--images {count}")
    return paths[:count]


# ---------------------------------------------------------------- brisk variants (bench/.venv)

def pil_preprocess(path: str):
    import numpy as np
    from PIL import Image
    with Image.open(path) as im:
        rgb = im.convert("RGB").resize((SIZE, SIZE), Image.BILINEAR)
    x = np.asarray(rgb, dtype=np.float32) / 127.5 - 1.0
    return x.transpose(2, 0, 1)  # NCHW for the ONNX model


def brisk_session(threads: int):
    import brisk
    return brisk.Session(ONNX_MODEL, threads=threads)


def run_per_sample(paths, threads):
    import numpy as np
    s = brisk_session(threads)

    def job(ps):
        for p in ps:
            s.run({"image": pil_preprocess(p)[np.newaxis]})
    return job


def run_batched(paths, threads):
    import numpy as np
    s = brisk_session(threads)

    def job(ps):
        for i in range(0, len(ps), BATCH):
            s.run({"image": np.stack([pil_preprocess(p) for p in ps[i:i + BATCH]])})
    return job


def brisk_dataset(folder: str, limit: int):
    import brisk.data as bd
    ops = bd.ops
    return (bd.image_folder(folder)
            .take(limit)
            .map([ops.decode_image("image"), ops.resize("image", SIZE, SIZE),
                  ops.normalize("image", mean=[127.5], std=[127.5]), ops.hwc_to_chw("image")],
                 num_parallel_calls=bd.AUTOTUNE)
            .batch(BATCH)
            .prefetch(bd.AUTOTUNE))


def run_brisk_pipeline(paths, threads):
    s = brisk_session(threads)
    stats_box = {}

    def job(ps):
        out, stats = s.predict(brisk_dataset(str(DATA), len(ps)), verbose=0, return_stats=True)
        assert out.shape[0] == len(ps)
        stats_box["verdict"] = stats.verdict
        stats_box["report"] = stats.report()
    job.extra = stats_box
    return job


def run_brisk_input(paths, threads):
    def job(ps):
        n = sum(len(e["label"]) for e in brisk_dataset(str(DATA), len(ps)))
        assert n == len(ps)
    return job


def run_batcher(paths, threads):
    import brisk
    s = brisk_session(threads)
    b = brisk.Batcher(s, max_batch_size=BATCH, max_delay_us=2000)

    def job(ps):
        def caller(t):
            for p in ps[t::32]:
                b.run({"image": pil_preprocess(p)[None]})
        workers = [threading.Thread(target=caller, args=(t,)) for t in range(32)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    job.extra = {}
    job.after = lambda: job.extra.update(batch_sizes=b.stats()["batch_sizes"])
    return job


# ---------------------------------------------------------------- TensorFlow (bench/.venv-tf)

def tf_dataset(paths):
    import tensorflow as tf

    def load(path):
        image = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
        image = tf.image.resize(image, (SIZE, SIZE), method="bilinear")
        return image / 127.5 - 1.0

    return (tf.data.Dataset.from_tensor_slices(paths)
            .map(load, num_parallel_calls=tf.data.AUTOTUNE)
            .batch(BATCH)
            .prefetch(tf.data.AUTOTUNE))


def run_tf_data(paths, threads):
    import tf_keras as keras
    model = keras.models.load_model(KERAS_MODEL, compile=False)

    def job(ps):
        out = model.predict(tf_dataset(ps), verbose=0)
        assert out.shape[0] == len(ps)
    return job


def run_keras_per_sample(paths, threads):
    import numpy as np
    import tensorflow as tf
    import tf_keras as keras
    model = keras.models.load_model(KERAS_MODEL, compile=False)

    def job(ps):
        for p in ps:
            image = tf.io.decode_jpeg(tf.io.read_file(p), channels=3)
            x = tf.image.resize(image, (SIZE, SIZE), method="bilinear") / 127.5 - 1.0
            model.predict(np.expand_dims(x.numpy(), axis=0), verbose=0)
    return job


def run_tf_input(paths, threads):
    def job(ps):
        n = sum(int(b.shape[0]) for b in tf_dataset(ps))
        assert n == len(ps)
    return job


# ---------------------------------------------------------------- driver

# Keras' per-call predict() takes tens of ms: the slowest variant runs on fewer images (the rate
# is per image either way).
MAX_IMAGES = {"keras_per_sample": 600}


def worker(variant: str, count: int, repeats: int, threads: int) -> dict:
    count = min(count, MAX_IMAGES.get(variant, count))
    paths = image_paths(count)
    job = globals()[f"run_{variant}"](paths, threads)
    job(paths[:64])  # warm-up: compiles plans, starts threads, loads files into the page cache
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        job(paths)
        times.append(time.perf_counter() - start)
    if hasattr(job, "after"):
        job.after()
    result = {"variant": variant, "images": count, "seconds": min(times),
              "images_per_second": count / min(times), "all_seconds": times}
    result.update(getattr(job, "extra", {}))
    return result


def run_variant(variant: str, args) -> dict:
    python = VENV_TF if variant in TF_VARIANTS else VENV
    env = dict(os.environ, PYTHONPATH=str(REPO / "build" / "python"), TF_CPP_MIN_LOG_LEVEL="2")
    env.update(item.split("=", 1) for item in args.env)
    cmd = [str(python), __file__, "--worker", variant, "--images", str(args.images),
           "--repeats", str(args.repeats), "--threads", str(args.threads)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"variant": variant, "error": f"timed out after {args.timeout} s"}
    if done.returncode != 0:
        return {"variant": variant, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: list[dict]) -> str:
    by = {r["variant"]: r for r in results}
    rate = {v: r.get("images_per_second") for v, r in by.items()}
    lines = ["| variant | images/s | seconds |", "|---|---:|---:|"]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['variant']} | error: {r['error']} | |")
        else:
            lines.append(f"| {r['variant']} | {r['images_per_second']:.1f} | {r['seconds']:.2f} |")

    def ratio(a, b):
        return f"{rate[a] / rate[b]:.2f}x" if rate.get(a) and rate.get(b) else "n/a"
    lines += ["", "| ratio | value | target |", "|---|---:|---:|",
              f"| brisk pipeline / per-sample loop (brisk Session.run) | {ratio('brisk_pipeline', 'per_sample')} | >= 3x |",
              f"| brisk pipeline / per-sample loop (Keras predict) | {ratio('brisk_pipeline', 'keras_per_sample')} | >= 3x |",
              f"| brisk pipeline / tf.data + Keras predict | {ratio('brisk_pipeline', 'tf_data')} | >= 1.5x |",
              f"| batcher (32 callers) / batched calls | {ratio('batcher', 'batched')} | >= 0.7x |",
              f"| brisk input pipeline / tf.data input (no model) | {ratio('brisk_input', 'tf_input')} | |"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="brisk intra-op threads")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="environment for the variants' processes (e.g. OMP_WAIT_POLICY=passive)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.images, args.repeats, args.threads)))
        return
    results = []
    for variant in args.variants.split(","):
        result = run_variant(variant, args)
        results.append(result)
        print(json.dumps({k: v for k, v in result.items() if k != "report"}), flush=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    out = BENCH / "results" / f"{stamp}-pipeline"
    meta = {"command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:]),
            "commit": subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                     capture_output=True, text=True).stdout.strip(),
            "cpus": os.cpu_count(), "env": args.env}
    out.with_suffix(".json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    md = table(results)
    report = next((r.get("report") for r in results if r.get("report")), None)
    if report:
        md += "\n\nbrisk pipeline statistics (last pass):\n\n```\n" + report + "```\n"
    out.with_suffix(".md").write_text(md + "\n")
    print(md)
    print(f"written: {out}.json, {out}.md")


if __name__ == "__main__":
    main()
