"""Load test: brisk serve (dynamic batching on / off) vs FastAPI + onnxruntime, same model, same
single-sample KServe v2 JSON request, wrk as the load generator on loopback.

    python3 bench/server/run_server_bench.py [--duration 10] [--models digits,mlp]
        [--concurrency 1,8,32,128]

For every model, server variant and concurrency it runs `wrk -c C -d D --latency` (closed loop:
each connection sends its next request when the previous answer arrives) after a warm-up, and
records requests/s, p50/p90/p99 latency, non-2xx answers and socket errors, and the server's RSS
before and after. Results go to bench/results/<date>-server.{json,md}.

The machine has 2 cores shared by the server, the load generator and (for the baseline) Python:
absolute figures are low and noisy; compare the variants within one run.
"""
import argparse
import datetime
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
INPUTS = {"digits": ("image", [1, 1, 8, 8]), "mlp": ("x", [1, 256])}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, proc, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/health/ready", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server not ready in time")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def run_wrk(port, model, body_file, connections, seconds):
    threads = min(2, connections)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
           "-s", os.path.join(HERE, "post.lua"), f"http://127.0.0.1:{port}/v2/models/{model}/infer"]
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "BODY_FILE": body_file},
                         check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "90", "99"):
        result[f"p{pct}_ms"] = to_ms(re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non2xx"] = int(non2xx.group(1)) if non2xx else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["socket_errors"] = sum(int(g) for g in errors.groups()) if errors else 0
    result["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    return result


def start_brisk(brisk_bin, repo, port):
    return subprocess.Popen([brisk_bin, "serve", "--model-repository", repo, "--http-port", str(port),
                             "--grpc-port", "-1", "--host", "127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def start_fastapi(model_path, name, port):
    return subprocess.Popen([sys.executable, os.path.join(HERE, "baseline_fastapi.py"), "--model", model_path,
                             "--name", name, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--brisk-bin", default=os.path.join(ROOT, "build", "tools", "brisk", "brisk"))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--models", default="digits,mlp")
    parser.add_argument("--concurrency", default="1,8,32,128")
    parser.add_argument("--delay-us", type=int, default=0)
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    work = tempfile.mkdtemp(prefix="brisk-server-bench-")
    repo = os.path.join(work, "repo")
    subprocess.run([sys.executable, os.path.join(HERE, "make_models.py"), "--out", repo,
                    "--delay-us", str(args.delay_us)], check=True)
    rows = []
    for model in args.models.split(","):
        name, shape = INPUTS[model]
        data = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
        body_file = os.path.join(work, f"{model}.json")
        with open(body_file, "w") as f:
            json.dump({"inputs": [{"name": name, "shape": shape, "datatype": "FP32",
                                   "data": [round(float(v), 6) for v in data.ravel()]}]}, f)
        variants = [("brisk, batching", model, "brisk"), ("brisk, no batching", model + "_nobatch", "brisk"),
                    ("FastAPI + onnxruntime", model, "fastapi")]
        for label, served, kind in variants:
            port = free_port()
            proc = (start_brisk(args.brisk_bin, repo, port) if kind == "brisk" else
                    start_fastapi(os.path.join(repo, model, "1", "model.onnx"), model, port))
            try:
                wait_ready(port, proc)
                run_wrk(port, served, body_file, 8, args.warmup)
                rss_before = rss_mb(proc.pid)
                for c in levels:
                    r = run_wrk(port, served, body_file, c, args.duration)
                    r.update(model=model, server=label, concurrency=c)
                    rows.append(r)
                    print(f"{model:7s} {label:22s} c={c:4d} {r['rps']:9.1f} req/s  p50 {r['p50_ms']:7.2f} ms  "
                          f"p99 {r['p99_ms']:7.2f} ms  non2xx {r['non2xx']} errors {r['socket_errors']}", flush=True)
                rss_after = rss_mb(proc.pid)
                for r in rows:
                    if r["model"] == model and r["server"] == label:
                        r.update(rss_before_mb=rss_before, rss_after_mb=rss_after)
            finally:
                stop(proc)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    os.makedirs(args.out, exist_ok=True)
    meta = {"duration_s": args.duration, "cpus": os.cpu_count(), "delay_us": args.delay_us,
            "command": " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])}
    with open(os.path.join(args.out, f"{stamp}-server.json"), "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1)
    lines = [f"`python3 {meta['command']}` ({stamp}, {meta['cpus']} CPUs shared with wrk, "
             f"{args.duration} s per cell)", "",
             "| model | server | clients | req/s | p50 ms | p90 ms | p99 ms | non-2xx | RSS MB before → after |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['server']} | {r['concurrency']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | "
                     f"{r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['non2xx'] + r['socket_errors']} | "
                     f"{r['rss_before_mb']:.0f} → {r['rss_after_mb']:.0f} |")
    lines.append("")
    for model in args.models.split(","):
        for c in levels:
            b = next((r for r in rows if r["model"] == model and r["server"] == "brisk, batching"
                      and r["concurrency"] == c), None)
            f_ = next((r for r in rows if r["model"] == model and r["server"].startswith("FastAPI")
                       and r["concurrency"] == c), None)
            if b and f_:
                lines.append(f"- {model}, {c} clients: brisk (batching) / FastAPI throughput "
                             f"{b['rps'] / f_['rps']:.1f}x, p99 {b['p99_ms']:.2f} vs {f_['p99_ms']:.2f} ms")
    with open(os.path.join(args.out, f"{stamp}-server.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
