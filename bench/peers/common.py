"""What every Python peer shares: the command line, the timing loop and the JSON line, so their
numbers mean exactly what brisk_bench's do (bench/brisk_bench.cc documents the fields)."""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "models"))
import zoo  # noqa: E402,F401  (re-exported for the peers)


def parse_args(description, extra=None):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--model", required=True, choices=sorted(zoo.BY_NAME))
    p.add_argument("--inputs", help="NPZ with the model's inputs (default: zoo random, --batch)")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--min-iters", type=int, default=10)
    p.add_argument("--min-time", type=float, default=3.0)
    p.add_argument("--max-iters", type=int, default=1000000)
    if extra:
        extra(p)
    return p.parse_args()


def load_inputs(args):
    """Inputs by name (the ONNX input names; peers with other layouts convert them)."""
    model = zoo.BY_NAME[args.model]
    if args.inputs:
        with np.load(args.inputs) as npz:
            feeds = {k: npz[k] for k in npz.files}
    else:
        feeds = model.make_inputs(args.batch)
    args.batch = next(iter(feeds.values())).shape[0]
    return feeds


def peak_rss_mb():
    """VmHWM: the peak resident set of this process's memory since exec. (getrusage's ru_maxrss
    would also count the parent's resident set at fork: Linux carries it across fork + exec.)"""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure(args, engine, version, run, creation_ms, **extra):
    """Warm-up (the first run reported on its own), then timed runs until both --min-iters and
    --min-time are reached; prints the JSON line."""
    start = time.perf_counter()
    run()
    first_run_ms = (time.perf_counter() - start) * 1e3
    for _ in range(args.warmup - 1):
        run()
    times = []
    timed_start = time.perf_counter()
    while len(times) < args.max_iters and (
            len(times) < args.min_iters or time.perf_counter() - timed_start < args.min_time):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1e3)
    total_ms = (time.perf_counter() - timed_start) * 1e3
    ordered = sorted(times)

    def percentile(q):  # nearest rank, as brisk_bench
        rank = int(np.ceil(q * len(ordered)))
        return ordered[min(len(ordered) - 1, max(rank, 1) - 1)]

    result = {"engine": engine, "model": args.model, "threads": args.threads, "batch": args.batch,
              "creation_ms": round(creation_ms, 3), "first_run_ms": round(first_run_ms, 3),
              "iters": len(times), "p50_ms": round(percentile(0.5), 4),
              "p99_ms": round(percentile(0.99), 4), "mean_ms": round(sum(times) / len(times), 4),
              "min_ms": round(ordered[0], 4),
              "throughput": round(args.batch * len(times) * 1e3 / total_ms, 3),
              "peak_rss_mb": round(peak_rss_mb(), 1), "version": version}
    result.update(extra)
    print(json.dumps(result), flush=True)
