"""Bad requests to brisk serve: each gets the right status and a JSON error naming the problem,
over HTTP and gRPC; the server keeps answering and its memory stays bounded."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from server_fixtures import DIGITS, Server, check_clean_exit, infer_json

grpcclient = pytest.importorskip("tritonclient.grpc")
from tritonclient.utils import InferenceServerException  # noqa: E402

GOOD = infer_json("image", np.zeros((1, 1, 8, 8), np.float32))


def body(**override):
    b = json.loads(json.dumps(GOOD))
    b["inputs"][0].update(override)
    return json.dumps(b).encode()


# (path, body, headers, status, words the error must contain)
CASES = [
    ("/v2/models/nope/infer", json.dumps(GOOD).encode(), {}, 404, ["nope"]),
    ("/v2/models/digits/versions/3/infer", json.dumps(GOOD).encode(), {}, 404, ["version", "3"]),
    ("/v2/models/digits/infer", b'{"inputs": [', {}, 400, ["malformed JSON"]),
    ("/v2/models/digits/infer", b"[1, 2]", {}, 400, ["JSON object"]),
    ("/v2/models/digits/infer", body(datatype="INT64"), {}, 400, ["image", "int64"]),
    ("/v2/models/digits/infer", body(datatype="FLOAT"), {}, 400, ["image", "FLOAT"]),
    ("/v2/models/digits/infer", body(shape=[1, 1, 8, 9], data=[0.0] * 72), {}, 400, ["image"]),
    ("/v2/models/digits/infer", body(data=[0.0] * 63), {}, 400, ["image", "63"]),
    ("/v2/models/digits/infer", body(data=["a"] * 64), {}, 400, ["image", "not a number"]),
    ("/v2/models/digits/infer", body(name="img"), {}, 400, ["img"]),
    ("/v2/models/digits/infer", json.dumps({"inputs": []}).encode(), {}, 400, ["inputs"]),
    ("/v2/models/digits/infer", json.dumps({**GOOD, "outputs": [{"name": "probs"}]}).encode(), {},
     400, ["probs"]),
    ("/v2/models/digits/infer", json.dumps(GOOD).encode(),
     {"Inference-Header-Content-Length": "100000"}, 400, ["Inference-Header-Content-Length"]),
    ("/v2/models/digits/infer", json.dumps(GOOD).encode(),
     {"Inference-Header-Content-Length": "abc"}, 400, ["not a number"]),
    ("/v2/models/digits/infer", body(parameters={"binary_data_size": 256}), {}, 400,
     ["image", "binary_data_size"]),
    ("/v2/models/digits/infer", b"x" * 300_000, {}, 413, ["limit"]),
    ("/v1/models/digits:predict", b'{"instances": [[1, 2], [3]]}', {}, 400, ["ragged"]),
    ("/v1/models/digits:predict", b'{"instances": [], "inputs": []}', {}, 400, ["instances"]),
    ("/v1/models/digits:regress", b"{}", {}, 404, ["predict"]),
    ("/nowhere", b"", {}, 404, ["no route"]),
]


@pytest.fixture(scope="module")
def server(brisk_bin, tmp_path_factory):
    repo = tmp_path_factory.mktemp("repo")
    (repo / "digits" / "1").mkdir(parents=True)
    shutil.copyfile(DIGITS, repo / "digits" / "1" / "model.onnx")
    s = Server(brisk_bin, repo, "--max-body-bytes", "200000")
    yield s
    check_clean_exit(s)


@pytest.mark.parametrize("path,payload,headers,status,words", CASES,
                         ids=[f"{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_http_error(server, path, payload, headers, status, words):
    got, raw = server.request("POST", path, payload, {"Content-Type": "application/json", **headers})
    assert got == status, raw
    error = json.loads(raw)["error"]
    for word in words:
        assert word in error, error


def test_grpc_errors_name_the_problem(server):
    client = grpcclient.InferenceServerClient(f"127.0.0.1:{server.grpc_port}")
    good = grpcclient.InferInput("image", [1, 1, 8, 8], "FP32")
    good.set_data_from_numpy(np.zeros((1, 1, 8, 8), np.float32))
    with pytest.raises(InferenceServerException, match="nope") as e:
        client.infer("nope", [good])
    assert "NOT_FOUND" in str(e.value.status())
    wrong = grpcclient.InferInput("image", [1, 1, 8, 8], "INT64")
    wrong.set_data_from_numpy(np.zeros((1, 1, 8, 8), np.int64))
    with pytest.raises(InferenceServerException, match="image") as e:
        client.infer("digits", [wrong])
    assert "INVALID_ARGUMENT" in str(e.value.status())
    missing = grpcclient.InferInput("img", [1, 1, 8, 8], "FP32")
    missing.set_data_from_numpy(np.zeros((1, 1, 8, 8), np.float32))
    with pytest.raises(InferenceServerException, match="img"):
        client.infer("digits", [missing])
    assert client.infer("digits", [good]).as_numpy("logits").shape == (1, 10)


def test_bad_requests_leak_nothing_and_the_server_keeps_answering(server):
    def storm():
        for path, payload, headers, _, _ in CASES:
            server.request("POST", path, payload, {"Content-Type": "application/json", **headers})

    for _ in range(3):  # warm up allocator pools and caches
        storm()
    before = server.rss_mb()
    for _ in range(30):
        storm()
    after = server.rss_mb()
    assert after - before < 30, f"RSS grew from {before:.1f} MB to {after:.1f} MB"
    status, body = server.post_json("/v2/models/digits/infer", GOOD)
    assert status == 200, body
