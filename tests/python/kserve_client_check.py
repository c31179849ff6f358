"""Run by test_server_kserve_client.py in a process of its own: the kserve package and
tritonclient register the same protobuf names ('inference.ServerLiveRequest', ...) and cannot be
imported into one interpreter.

    python3 kserve_client_check.py HTTP_PORT GRPC_PORT MODEL.onnx IMAGES.npy
Exits 0 when both KServe clients get onnxruntime's results, else prints why and exits 1."""
import asyncio
import sys

import kserve
import numpy as np
import onnxruntime as ort


def request(x):
    inp = kserve.InferInput(name="image", shape=list(x.shape), datatype="FP32")
    inp.set_data_from_numpy(x)
    return kserve.InferRequest(model_name="digits", infer_inputs=[inp], request_id="k1")


async def rest(port, x):
    client = kserve.InferenceRESTClient(kserve.RESTConfig(protocol="v2"))
    base = f"http://127.0.0.1:{port}"
    assert await client.is_server_ready(base)
    assert await client.is_model_ready(base, "digits")
    response = await client.infer(base, request(x), model_name="digits")
    await client.close()
    return response


async def grpc(port, x):
    client = kserve.InferenceGRPCClient(f"127.0.0.1:{port}")
    assert await client.is_server_ready()
    response = await client.infer(request(x))
    await client.close()
    return response


def main():
    http_port, grpc_port, model, images = sys.argv[1:5]
    x = np.load(images)[:3].astype(np.float32)
    reference = ort.InferenceSession(model).run(None, {"image": x})[0]
    for name, response in (("rest", asyncio.run(rest(http_port, x))),
                           ("grpc", asyncio.run(grpc(grpc_port, x)))):
        assert response.model_name == "digits", (name, response.model_name)
        np.testing.assert_allclose(response.outputs[0].as_numpy(), reference, atol=1e-5,
                                   err_msg=name)
        print(name, "ok")


if __name__ == "__main__":
    main()
