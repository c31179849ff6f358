"""Helpers for the `brisk serve` tests: model repositories in a temp folder, a server subprocess
on free ports, plain HTTP calls, the server's RSS."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO_ROOT = Path(__file__).resolve().parents[2]
DIGITS = REPO_ROOT / "models" / "digits" / "digits_cnn.onnx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def save(model: onnx.ModelProto, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def _model(nodes, inputs, outputs, inits=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def add_model(scale: float = 1.0) -> onnx.ModelProto:
    """z = (x + y) * scale for x, y float32[N, 4]."""
    return _model(
        [helper.make_node("Add", ["x", "y"], ["s"]), helper.make_node("Mul", ["s", "k"], ["z"]),
         helper.make_node("Identity", ["s"], ["sum"])],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4]),
         helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["N", 4]),
         helper.make_tensor_value_info("sum", TensorProto.FLOAT, ["N", 4])],
        [numpy_helper.from_array(np.array([scale], np.float32), "k")])


def slow_model(size: int = 768, layers: int = 12) -> onnx.ModelProto:
    """y = relu(...relu(x W)...) for x float32[N, size]: a few ms per run, for overload tests."""
    rng = np.random.default_rng(0)
    nodes, inits, prev = [], [], "x"
    for i in range(layers):
        w = (rng.standard_normal((size, size)) / np.sqrt(size)).astype(np.float32)
        inits.append(numpy_helper.from_array(w, f"w{i}"))
        nodes += [helper.make_node("MatMul", [prev, f"w{i}"], [f"m{i}"]),
                  helper.make_node("Relu", [f"m{i}"], ["y" if i == layers - 1 else f"r{i}"])]
        prev = f"r{i}"
    return _model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", size])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", size])], inits)


def write_config(repo: Path, name: str, text: str) -> None:
    (repo / name).mkdir(parents=True, exist_ok=True)
    (repo / name / "config.pbtxt").write_text(text)


class Server:
    """`brisk serve` on free ports; stop() sends SIGTERM and returns (exit code, stderr)."""

    def __init__(self, brisk_bin: Path, repo: Path, *extra: str):
        self.http_port, self.grpc_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.proc = subprocess.Popen(
            [str(brisk_bin), "serve", "--model-repository", str(repo), "--host", "127.0.0.1",
             "--http-port", str(self.http_port), "--grpc-port", str(self.grpc_port), *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"brisk serve exited ({self.proc.returncode}): "
                                   f"{self.proc.stderr.read()}")
            status, _ = self.get("/v2/health/ready")
            if status == 200:
                return
            time.sleep(0.1)
        self.proc.kill()
        raise RuntimeError("brisk serve was not ready within 60 s")

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None, timeout: float = 30):
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except OSError as e:
            return 0, str(e).encode()

    def get(self, path: str):
        return self.request("GET", path)

    def post_json(self, path: str, payload) -> tuple[int, dict]:
        status, body = self.request("POST", path, json.dumps(payload).encode(),
                                    {"Content-Type": "application/json"})
        return status, json.loads(body) if body else {}

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def metrics(self) -> str:
        return self.get("/metrics")[1].decode()

    def stop(self, timeout: float = 60) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode, self.proc.stderr.read()


def check_clean_exit(server: Server) -> None:
    code, stderr = server.stop()
    assert code == 0, stderr
    for bad in ("AddressSanitizer", "terminate called", "Segmentation", "runtime error"):
        assert bad not in stderr, stderr


def infer_json(name: str, array: np.ndarray, datatype: str = "FP32") -> dict:
    return {"inputs": [{"name": name, "shape": list(array.shape), "datatype": datatype,
                        "data": array.ravel().tolist()}]}


def metric_value(text: str, name: str, **labels) -> float:
    """Sum of the samples of metric `name` whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, value = line.rsplit(" ", 1)
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total
