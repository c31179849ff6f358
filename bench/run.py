#!/usr/bin/env python3
"""The side-by-side benchmark: brisk vs onnxruntime, OpenVINO, PyTorch, TensorFlow and TFLite.

  bash bench/setup.sh                      # once: venvs, exported models (bench/.models)
  python3 bench/run.py                     # the full matrix (hours; see docs/PERFORMANCE.md)
  python3 bench/run.py --quick             # every cell with 2 runs each: a smoke test
  python3 bench/run.py --models resnet50,mlp --engines brisk,onnxruntime --threads 1

For every model x thread count (1, 2) x batch (1: latency p50/p99; 32: throughput) it runs each
engine in its own process (so peak RSS is that engine's own) on the same input data (the ONNX
engines get the same NPZ; TensorFlow/TFLite get its images transposed to NHWC), warm-up runs
first, then timed runs until at least --min-iters runs and --min-time seconds. Writes the raw
JSON lines to bench/results/<date>[-quick].json and a Markdown report (absolute numbers, ratios
brisk vs each peer, achieved GFLOP/s as a fraction of the CPU's FP32 peak) to stdout and
bench/results/<date>[-quick].md. Not a test: never run in CI.
"""
import argparse
import datetime
import json
import os
import re
import shlex
import subprocess
import sys
import time

import numpy as np

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, os.path.join(BENCH, "models"))
import zoo  # noqa: E402

VENV = os.path.join(BENCH, ".venv", "bin", "python")          # onnxruntime, OpenVINO, torch 2.13
VENV_TF = os.path.join(BENCH, ".venv-tf", "bin", "python")     # TensorFlow, TFLite
VENV_EXPORT = os.path.join(BENCH, ".venv-export", "bin", "python")  # torch 2.14.1 + torchvision
PEERS = os.path.join(BENCH, "peers")
ENGINES = ["brisk", "onnxruntime", "openvino", "pytorch", "tensorflow", "tflite"]
OPTIONAL_ENGINES = ["pytorch-jit"]  # torch.jit.trace + freeze; only when asked for (--engines)
# TensorFlow/TFLite run the Keras model of the same architecture (not the same graph/weights).
KERAS_ENGINES = {"tensorflow", "tflite"}


def engine_command(engine, model, npz, threads, args):
    timing = ["--warmup", str(args.warmup), "--min-iters", str(args.min_iters),
              "--min-time", str(args.min_time)]
    if engine == "brisk":
        return [args.brisk_bench, model.onnx, "--inputs", npz, "--threads", str(threads),
                "--label", model.name] + timing
    if engine in KERAS_ENGINES and not model.keras:
        return None
    script = {"onnxruntime": "ort_peer.py", "openvino": "openvino_peer.py",
              "pytorch": "torch_peer.py", "pytorch-jit": "torch_peer.py",
              "tensorflow": "tf_peer.py", "tflite": "tflite_peer.py"}
    python = VENV
    if engine in KERAS_ENGINES:
        python = VENV_TF
    elif engine.startswith("pytorch") and model.source == "torchvision":
        python = VENV_EXPORT  # torchvision imports only beside torch 2.14.1 here
    mode = ["--mode", "jit"] if engine == "pytorch-jit" else []
    return [python, os.path.join(PEERS, script[engine]), "--model", model.name, "--inputs", npz,
            "--threads", str(threads)] + mode + timing


def run_cell(cmd, timeout, extra_env=None):
    """One engine process; returns its JSON result or {"error": ...}."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="2", **(extra_env or {}))
    start = time.time()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}, time.time() - start
    wall = time.time() - start
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            result = json.loads(line)
            result["wall_s"] = round(wall, 1)
            return result, wall
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"exit {proc.returncode}: {tail[:300]}"}, wall


def inputs_npz(model, batch):
    """The same random inputs for every engine: one NPZ per model and batch, made once."""
    path = os.path.join(zoo.CACHE, "inputs", f"{model.name}_b{batch}.npz")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        np.savez(path, **model.make_inputs(batch, seed=0))
    return path


_UNITS = {"FLOP": 1, "KFLOP": 1e3, "MFLOP": 1e6, "GFLOP": 1e9, "TFLOP": 1e12}


def flops_per_sample(model, brisk_cli):
    """FLOPs per sample from `brisk inspect`, on a copy whose sequence dim is fixed (inspect binds
    symbolic dims to 1)."""
    import onnx
    path = model.onnx
    if any(len(shape) == 1 and name != "x" for name, (_, shape) in model.inputs.items()):
        path = os.path.join(zoo.CACHE, "inputs", f"{model.name}_seq{zoo.SEQ}.onnx")
        if not os.path.exists(path):
            proto = onnx.load(model.onnx)
            for value in list(proto.graph.input) + list(proto.graph.output):
                for dim in value.type.tensor_type.shape.dim:
                    if dim.dim_param == "seq":
                        dim.Clear()
                        dim.dim_value = zoo.SEQ
            os.makedirs(os.path.dirname(path), exist_ok=True)
            onnx.save(proto, path, save_as_external_data=False)
    try:
        out = subprocess.run([brisk_cli, "inspect", path], capture_output=True, text=True,
                             timeout=300).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"FLOPs per sample: ([0-9.]+) (\w+)", out)
    return float(m.group(1)) * _UNITS.get(m.group(2), 1) if m else None


def cpu_info(args):
    info = {"model": "?", "cores": os.cpu_count(), "cpuinfo_mhz": None}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        m = re.search(r"Model name:\s*(.+)", lscpu)
        info["model"] = m.group(1).strip() if m else "?"
        cores = re.search(r"Core\(s\) per socket:\s*(\d+)", lscpu)
        sockets = re.search(r"Socket\(s\):\s*(\d+)", lscpu)
        if cores and sockets:
            info["cores"] = int(cores.group(1)) * int(sockets.group(1))
    except OSError:
        pass
    with open("/proc/cpuinfo") as f:
        text = f.read()
    m = re.search(r"cpu MHz\s*:\s*([0-9.]+)", text)
    info["cpuinfo_mhz"] = float(m.group(1)) if m else None
    family, model = (re.search(rf"^{k}\s*:\s*(\d+)", text, re.M) for k in ("cpu family", "model"))
    if family and model:  # the VM's model name can be generic ("AMD EPYC"); 25/17 is Zen 4
        info["model"] += f" (family {family.group(1)}, model {model.group(1)})"
    # The VM hides turbo: measure the clock (dependent adds) and 512-bit FMAs per cycle.
    exe = "/tmp/bench_fma_peak"
    try:
        subprocess.run(["c++", "-O2", "-mavx512f", "-mfma", "-o", exe,
                        os.path.join(BENCH, "fma_peak.cc")], check=True, capture_output=True)
        info.update(json.loads(subprocess.run([exe], capture_output=True, text=True).stdout))
        info["clock_source"] = "measured (bench/fma_peak.cc)"
        info["fma_units"] = max(1, round(info["fma_per_cycle"]))
    except (OSError, subprocess.CalledProcessError, ValueError, KeyError):
        info.update(clock_ghz=(info["cpuinfo_mhz"] or 0) / 1e3, fma_units=2,
                    clock_source="/proc/cpuinfo (fma_peak failed)")
    # cores x GHz x FMA units x 16 FP32 lanes (AVX-512) x 2 flops per FMA
    info["peak_gflops_per_core"] = info["clock_ghz"] * info["fma_units"] * 16 * 2
    return info


def fmt(v, digits=2):
    if v is None:
        return "—"
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.{digits}f}"


def report(results, meta, engines, models, threads_list, batches):
    cpu = meta["cpu"]
    lines = [f"Command: `{meta['command']}`", "",
             f"Date: {meta['date']}; brisk commit {meta['commit']}; CPU: {cpu['model']}, "
             f"{cpu['cores']} cores; /proc/cpuinfo {cpu['cpuinfo_mhz']} MHz. Clock "
             f"{fmt(cpu['clock_ghz'])} GHz and {cpu.get('fma_per_cycle', '?')} 512-bit FMAs per "
             f"cycle per core ({cpu['clock_source']}); one core's FMA loop "
             f"{fmt(cpu.get('fma_gflops_1core'))} GFLOP/s. Peak FP32 = cores x "
             f"{fmt(cpu['clock_ghz'])} GHz x {cpu['fma_units']} FMA x 16 lanes x 2 flops = "
             f"{fmt(cpu['peak_gflops_per_core'])} GFLOP/s per core, "
             f"{fmt(cpu['peak_gflops_per_core'] * cpu['cores'])} in all.",
             "", "Versions: " + "; ".join(sorted({r["version"] for r in results
                                                  if "version" in r})),
             ""]
    by_key = {(r["model_name"], r["engine_name"], r["threads_asked"], r["batch_asked"]): r
              for r in results}

    def cell(model, engine, threads, batch):
        r = by_key.get((model, engine, threads, batch))
        if r is None:
            return None
        return r

    lat_batch, tput_batch = batches[0], batches[-1]
    for threads in threads_list:
        lines += [f"### {threads} thread{'s' if threads > 1 else ''}: batch {lat_batch} latency "
                  f"p50 (p99) ms, batch {tput_batch} throughput samples/s", "",
                  "| model | " + " | ".join(engines) + " |",
                  "|---|" + "---|" * len(engines)]
        for model in models:
            for batch in (lat_batch, tput_batch) if lat_batch != tput_batch else (lat_batch,):
                row = [f"{model.label}, batch {batch}"]
                for engine in engines:
                    r = cell(model.name, engine, threads, batch)
                    if r is None:
                        row.append("n/a")
                    elif "error" in r:
                        row.append("error")
                    elif batch == lat_batch:
                        row.append(f"{fmt(r['p50_ms'])} ({fmt(r['p99_ms'])})")
                    else:
                        row.append(fmt(r["throughput"]))
                lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    peers = [e for e in engines if e != "brisk"]
    if "brisk" in engines and peers:
        lines += ["### brisk vs each peer (> 1 = brisk faster): batch "
                  f"{lat_batch} p50 latency ratio peer/brisk, batch {tput_batch} throughput ratio "
                  "brisk/peer", "", "| model | threads | batch | " + " | ".join(peers) + " |",
                  "|---|---|---|" + "---|" * len(peers)]
        for model in models:
            for threads in threads_list:
                for batch in sorted(set((lat_batch, tput_batch))):
                    b = cell(model.name, "brisk", threads, batch)
                    row = [model.label, str(threads), str(batch)]
                    for peer in peers:
                        p = cell(model.name, peer, threads, batch)
                        if not b or not p or "error" in b or "error" in p:
                            row.append("—")
                        elif batch == lat_batch:
                            row.append(f"{p['p50_ms'] / b['p50_ms']:.2f}")
                        else:
                            row.append(f"{b['throughput'] / p['throughput']:.2f}")
                    lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    lines += [f"### Achieved GFLOP/s at batch {tput_batch} "
              "(% of the FP32 peak of the threads used)",
              "", "| model | GFLOP/sample | threads | " + " | ".join(engines) + " |",
              "|---|---|---|" + "---|" * len(engines)]
    for model in models:
        flops = meta["flops"].get(model.name)
        for threads in threads_list:
            row = [model.label, fmt(flops / 1e9, 3) if flops else "?", str(threads)]
            peak = cpu["peak_gflops_per_core"] * threads
            for engine in engines:
                r = cell(model.name, engine, threads, tput_batch)
                if not flops or not r or "error" in r:
                    row.append("—")
                else:
                    gflops = flops * r["throughput"] / 1e9
                    share = f" ({100 * gflops / peak:.0f}%)" if peak else ""
                    row.append(fmt(gflops) + share)
            lines.append("| " + " | ".join(row) + " |")
    lines += ["", f"### Session creation ms / peak RSS MB (batch {lat_batch}, "
              f"{threads_list[0]} thread)", "", "| model | " + " | ".join(engines) + " |",
              "|---|" + "---|" * len(engines)]
    for model in models:
        row = [model.label]
        for engine in engines:
            r = cell(model.name, engine, threads_list[0], lat_batch)
            row.append("—" if not r or "error" in r else
                       f"{fmt(r['creation_ms'])} / {fmt(r['peak_rss_mb'])}")
        lines.append("| " + " | ".join(row) + " |")
    errors = [r for r in results if "error" in r]
    if errors:
        lines += ["", "Failed cells:", ""]
        lines += [f"- {r['model_name']} {r['engine_name']} threads {r['threads_asked']} batch "
                  f"{r['batch_asked']}: {r['error']}" for r in errors]
    lines += ["", "TensorFlow and TFLite rows run Keras' ResNet50/MobileNetV2/EfficientNetB0 "
              "(same architecture, not the same graph or weights) and a Keras MLP of the same "
              "sizes; every other engine runs the same ONNX graph (PyTorch: the module it was "
              "exported from, same weights)."]
    return "\n".join(lines) + "\n"


def estimate_full_run(results, min_iters=10, min_time=3.0, warmup=3):
    """Seconds a full run of the same cells would take, from these (quick) results: per cell the
    process overhead seen here + the first run + the rest of the warm-up + the timed runs.
    Returns (brisk's share, the peers' share)."""
    totals = {"brisk": 0.0, "peers": 0.0}
    for r in results:
        if "mean_ms" not in r:
            continue
        mean = r["mean_ms"] / 1e3
        overhead = max(0.0, r["wall_s"] - r["first_run_ms"] / 1e3 - r["iters"] * mean)
        runs = warmup - 1 + max(min_iters, int(np.ceil(min_time / max(mean, 1e-9))))
        totals["brisk" if r["engine_name"] == "brisk" else "peers"] += (
            overhead + r["first_run_ms"] / 1e3 + runs * mean)
    return totals["brisk"], totals["peers"]


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=",".join(m.name for m in zoo.MODELS))
    p.add_argument("--engines", default=",".join(ENGINES),
                   help=f"default all but {OPTIONAL_ENGINES}")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--batches", default="1,32", help="first: latency batch; last: throughput")
    p.add_argument("--quick", action="store_true",
                   help="1 warm-up + 1 timed run per cell: a smoke test")
    p.add_argument("--min-iters", type=int, default=10)
    p.add_argument("--min-time", type=float, default=3.0)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--timeout", type=float, default=3600, help="seconds per cell")
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                   help="environment for every engine process, e.g. OMP_WAIT_POLICY=PASSIVE "
                        "(OpenMP engines' 2-thread cells collapse on a busy machine without it)")
    p.add_argument("--brisk-bench",
                   default=os.path.join(REPO, "build-bench", "bench", "brisk_bench"))
    p.add_argument("--brisk-cli", default=None, help="brisk CLI for FLOPs (default: a build's)")
    p.add_argument("--out", default=os.path.join(BENCH, "results"))
    args = p.parse_args()
    if args.quick:
        args.min_iters, args.min_time, args.warmup = 1, 0.0, 1
    if args.brisk_cli is None:
        for build in ("build", "build-bench"):
            candidate = os.path.join(REPO, build, "tools", "brisk", "brisk")
            if os.path.exists(candidate):
                args.brisk_cli = candidate
                break
    engines = [e for e in args.engines.split(",") if e]
    unknown = set(engines) - set(ENGINES + OPTIONAL_ENGINES)
    if unknown:
        p.error(f"unknown engines {sorted(unknown)}; known: {ENGINES + OPTIONAL_ENGINES}")
    models = [zoo.BY_NAME[name] for name in args.models.split(",")]
    threads_list = [int(t) for t in args.threads.split(",")]
    batches = [int(b) for b in args.batches.split(",")]
    missing = [m.onnx for m in models if not os.path.exists(m.onnx)]
    if missing or ("brisk" in engines and not os.path.exists(args.brisk_bench)):
        sys.exit(f"missing {missing or args.brisk_bench}: run bash bench/setup.sh first")

    now = datetime.datetime.now(datetime.timezone.utc)
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no",
                            "--", "src", "include"], capture_output=True, text=True).stdout.strip()
    if dirty:  # brisk_bench may have been built from a tree with uncommitted engine changes
        commit += " + uncommitted changes in src/ or include/"
    meta = {"command": "python3 bench/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
            "date": now.strftime("%Y-%m-%d %H:%M UTC"), "commit": commit, "cpu": cpu_info(args),
            "flops": {m.name: flops_per_sample(m, args.brisk_cli) if args.brisk_cli else None
                      for m in models}}
    print(f"cpu: {json.dumps(meta['cpu'])}", file=sys.stderr, flush=True)
    extra_env = dict(item.split("=", 1) for item in args.env)
    meta["env"] = extra_env
    results = []
    cells = [(m, t, b, e) for m in models for t in threads_list for b in batches for e in engines]
    total_start = time.time()
    for i, (model, threads, batch, engine) in enumerate(cells, 1):
        cmd = engine_command(engine, model, inputs_npz(model, batch), threads, args)
        if cmd is None:
            continue
        result, wall = run_cell(cmd, args.timeout, extra_env)
        result.update(model_name=model.name, engine_name=engine, threads_asked=threads,
                      batch_asked=batch)
        if engine == "brisk" and "version" in result:
            result["version"] = f"brisk {commit} ({result['version']})"
        results.append(result)
        summary = result.get("error") or (f"p50 {result['p50_ms']:.2f} ms, "
                                          f"{result['throughput']:.1f}/s, "
                                          f"rss {result['peak_rss_mb']:.0f} MB")
        print(f"[{i}/{len(cells)} {time.time() - total_start:.0f}s] {model.name} {engine} "
              f"threads={threads} batch={batch}: {summary} ({wall:.1f}s)", file=sys.stderr,
              flush=True)
    meta["wall_s"] = round(time.time() - total_start, 1)
    markdown = report(results, meta, engines, models, threads_list, batches)
    if args.quick:
        brisk_s, peers_s = estimate_full_run(results)
        def span(s):
            return f"{s / 3600:.1f} h" if s >= 3600 else f"{s / 60:.0f} min"
        markdown += (f"\nA full run of these cells (10 runs, 3 s, 3 warm-up each) would take about "
                     f"{span(brisk_s + peers_s)}: {span(brisk_s)} of brisk at its current speed, "
                     f"{span(peers_s)} of the peers.\n")
    os.makedirs(args.out, exist_ok=True)
    stem = os.path.join(args.out, now.strftime("%Y-%m-%d-%H%M") + ("-quick" if args.quick else ""))
    with open(stem + ".json", "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    with open(stem + ".md", "w") as f:
        f.write(markdown)
    print(markdown)
    print(f"wrote {stem}.json and {stem}.md ({meta['wall_s']:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
