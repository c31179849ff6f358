"""brisk serve with the clients people already use: tritonclient (HTTP and gRPC), TF Serving REST
calls, plain HTTP. Every result is compared with onnxruntime on the same model and input."""
from __future__ import annotations

import json
import shutil

import numpy as np
import onnxruntime as ort
import pytest

from server_fixtures import DIGITS, Server, add_model, check_clean_exit, infer_json, save, write_config

httpclient = pytest.importorskip("tritonclient.http")
grpcclient = pytest.importorskip("tritonclient.grpc")


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("repo")
    (repo / "digits" / "1").mkdir(parents=True)
    shutil.copyfile(DIGITS, repo / "digits" / "1" / "model.onnx")  # no config: defaults
    save(add_model(1.0), repo / "add" / "1" / "model.onnx")
    save(add_model(2.0), repo / "add" / "2" / "model.onnx")
    write_config(repo, "add", "max_batch_size: 8\nversion_policy { all { } }\n")
    return repo


@pytest.fixture(scope="module")
def server(brisk_bin, repo):
    s = Server(brisk_bin, repo)
    yield s
    check_clean_exit(s)


@pytest.fixture(scope="module")
def digits_input():
    return np.load(DIGITS.parent / "test_images.npy")[:5].astype(np.float32)


@pytest.fixture(scope="module")
def digits_reference(digits_input):
    return ort.InferenceSession(str(DIGITS)).run(None, {"image": digits_input})[0]


def clients(server):
    return [(httpclient, httpclient.InferenceServerClient(f"127.0.0.1:{server.http_port}")),
            (grpcclient, grpcclient.InferenceServerClient(f"127.0.0.1:{server.grpc_port}"))]


def test_health_and_metadata(server):
    for module, client in clients(server):
        assert client.is_server_live() and client.is_server_ready()
        assert client.is_model_ready("digits")
        assert not client.is_model_ready("nope")
        meta = client.get_model_metadata("add")
        if module is grpcclient:
            meta = {"versions": list(meta.versions),
                    "inputs": [{"name": i.name, "datatype": i.datatype, "shape": list(i.shape)}
                               for i in meta.inputs]}
        assert meta["versions"] == ["1", "2"]
        assert meta["inputs"][0] == {"name": "x", "datatype": "FP32", "shape": [-1, 4]}


@pytest.mark.parametrize("binary", [True, False])
def test_infer_matches_onnxruntime(server, digits_input, digits_reference, binary):
    for module, client in clients(server):
        inp = module.InferInput("image", list(digits_input.shape), "FP32")
        if module is httpclient:
            inp.set_data_from_numpy(digits_input, binary_data=binary)
            out = module.InferRequestedOutput("logits", binary_data=binary)
        else:
            inp.set_data_from_numpy(digits_input)
            out = module.InferRequestedOutput("logits")
        result = client.infer("digits", [inp], outputs=[out])
        np.testing.assert_allclose(result.as_numpy("logits"), digits_reference, atol=1e-5)


def test_versions_multi_input_and_output_subset(server):
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    y = np.ones((2, 4), np.float32)
    for module, client in clients(server):
        inputs = [module.InferInput("x", [2, 4], "FP32"), module.InferInput("y", [2, 4], "FP32")]
        inputs[0].set_data_from_numpy(x)
        inputs[1].set_data_from_numpy(y)
        newest = client.infer("add", inputs)
        np.testing.assert_array_equal(newest.as_numpy("z"), (x + y) * 2)
        np.testing.assert_array_equal(newest.as_numpy("sum"), x + y)
        v1 = client.infer("add", inputs, model_version="1",
                          outputs=[module.InferRequestedOutput("z")])
        np.testing.assert_array_equal(v1.as_numpy("z"), x + y)
        assert v1.as_numpy("sum") is None  # not asked for


def test_tf_serving_rest(server, digits_input, digits_reference):
    status, body = server.post_json("/v1/models/digits:predict",
                                    {"instances": digits_input.tolist()})
    assert status == 200, body
    np.testing.assert_allclose(np.array(body["predictions"]), digits_reference, atol=1e-5)
    status, body = server.post_json("/v1/models/add/versions/1:predict",
                                    {"inputs": {"x": [[1, 2, 3, 4]], "y": [[1, 1, 1, 1]]}})
    assert status == 200, body
    assert body["outputs"]["z"] == [[2, 3, 4, 5]]
    status, body = server.post_json("/v1/models/add:predict",
                                    {"instances": [{"x": [1, 2, 3, 4], "y": [0, 0, 0, 0]}]})
    assert status == 200, body
    assert body["predictions"][0]["z"] == [2, 4, 6, 8]
    status, raw = server.get("/v1/models/add")
    assert status == 200
    states = json.loads(raw)["model_version_status"]
    assert [s["version"] for s in states] == ["1", "2"]
    assert all(s["state"] == "AVAILABLE" for s in states)
    status, raw = server.get("/v1/models/digits/metadata")
    assert status == 200
    assert "image" in json.loads(raw)["metadata"]["signature_def"]["signature_def"][
        "serving_default"]["inputs"]


def test_plain_http_json(server, digits_input, digits_reference):
    status, body = server.post_json("/v2/models/digits/versions/1/infer",
                                    {**infer_json("image", digits_input[:1]), "id": "abc"})
    assert status == 200, body
    assert body["id"] == "abc" and body["model_version"] == "1"
    np.testing.assert_allclose(body["outputs"][0]["data"], digits_reference[0], atol=1e-5)


def test_repository_unload_and_load(server, digits_input):
    client = httpclient.InferenceServerClient(f"127.0.0.1:{server.http_port}")
    index = {m["name"]: m["state"] for m in client.get_model_repository_index()}
    assert index == {"add": "READY", "digits": "READY"}
    client.unload_model("digits")
    assert not client.is_model_ready("digits")
    status, body = server.post_json("/v2/models/digits/infer", infer_json("image", digits_input))
    assert status == 404 and "digits" in body["error"]
    client.load_model("digits")
    assert client.is_model_ready("digits")
