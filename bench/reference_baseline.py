#!/usr/bin/env python3
"""Baseline before any optimisation: brisk's reference kernels vs onnxruntime on the same
machine, same inputs, same run, one thread each. Issue #3 (graph passes, fast kernels, the
side-by-side harness with every peer) starts from these numbers.

  python3 bench/reference_baseline.py [--brisk build/tools/brisk/brisk] [--repeat 5]

Prints a Markdown table: median Session::Run latency per engine and the ratio.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "python"))
import models  # noqa: E402  (the oracle tests' plain-torch model definitions)

# (label, model spec name or None for the bundled digits model, batch)
CASES = [("digits_cnn", None, 32), ("mlp", "mlp", 32), ("resnet18 224x224", "resnet18", 1),
         ("mobilenet_v2 128x128", "mobilenet_v2", 1), ("transformer encoder", "transformer_nomask", 3),
         ("lstm bidirectional", "lstm_bidir", 3)]


def prepare(spec_name, batch, tmp):
    if spec_name is None:
        path = os.path.join(REPO, "models", "digits", "digits_cnn.onnx")
        x = np.load(os.path.join(REPO, "models", "digits", "test_images.npy"))[:batch]
        return path, {"image": x}
    spec = models.MODELS_BY_NAME[spec_name]
    path = os.path.join(tmp, spec_name + ".onnx")
    models.export_onnx(spec, models.build_model(spec), path)
    return path, spec.make_inputs(batch, np.random.default_rng(0))


def time_ort(path, feeds, repeat):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    sess.run(None, feeds)  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        sess.run(None, feeds)
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def time_brisk(brisk, path, feeds, repeat, tmp):
    npz = os.path.join(tmp, "inputs.npz")
    np.savez(npz, **feeds)
    # `brisk run --repeat` times Session::Run alone; its median includes the first (compiling)
    # run only as one sample of repeat + 1.
    proc = subprocess.run([brisk, "run", path, "-i", npz, "--repeat", str(repeat + 1)],
                          capture_output=True, text=True, check=True)
    median = re.search(r"([0-9.]+) ms \(median", proc.stdout)
    if not median:
        raise RuntimeError(proc.stdout + proc.stderr)
    return float(median.group(1))


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--brisk", default=os.path.join(REPO, "build", "tools", "brisk", "brisk"))
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    print(f"onnxruntime {ort.__version__}, 1 thread each, median of {args.repeat} runs\n")
    print("| model | batch | brisk (reference kernels) ms | onnxruntime ms | brisk / onnxruntime |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for label, spec_name, batch in CASES:
            path, feeds = prepare(spec_name, batch, tmp)
            o = time_ort(path, feeds, args.repeat)
            b = time_brisk(args.brisk, path, feeds, args.repeat, tmp)
            print(f"| {label} | {batch} | {b:.2f} | {o:.2f} | {b / o:.1f}x |", flush=True)


if __name__ == "__main__":
    main()
