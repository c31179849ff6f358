"""The baseline the issue compares against: what users write by hand to serve a model.

A FastAPI app wrapping onnxruntime, one uvicorn worker, speaking the same KServe v2 JSON infer
request as brisk serve (POST /v2/models/{name}/infer), so one load generator drives both. The
endpoint is a plain `def` (FastAPI runs it in its thread pool; onnxruntime releases the GIL while
it computes) — the idiomatic way to call blocking code from FastAPI.

    python3 bench/server/baseline_fastapi.py --model m.onnx --name mlp --port 9000
"""
import argparse

import numpy as np
import onnxruntime as ort
import uvicorn
from fastapi import FastAPI, HTTPException, Request

DTYPES = {"FP32": np.float32, "FP64": np.float64, "INT64": np.int64, "INT32": np.int32}
NAMES = {np.dtype(v): k for k, v in DTYPES.items()}


def make_app(model_path, name, threads):
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    app = FastAPI()

    @app.get("/v2/health/ready")
    def ready():
        return {"ready": True}

    @app.post("/v2/models/{model}/infer")
    async def infer_body(model: str, request: Request):
        # Parsing the body needs the event loop; the model call goes to the thread pool below.
        body = await request.json()
        return await run_in_pool(model, body)

    from starlette.concurrency import run_in_threadpool

    async def run_in_pool(model, body):
        return await run_in_threadpool(infer, model, body)

    def infer(model, body):
        if model != name:
            raise HTTPException(404, f"unknown model '{model}'")
        feeds = {}
        for item in body["inputs"]:
            feeds[item["name"]] = np.asarray(item["data"], DTYPES[item["datatype"]]).reshape(item["shape"])
        outputs = session.run(None, feeds)
        return {
            "model_name": name,
            "outputs": [
                {"name": meta.name, "datatype": NAMES[out.dtype], "shape": list(out.shape),
                 "data": out.ravel().tolist()}
                for meta, out in zip(session.get_outputs(), outputs)
            ],
        }

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--threads", type=int, default=0, help="onnxruntime intra-op threads")
    args = parser.parse_args()
    uvicorn.run(make_app(args.model, args.name, args.threads), host="127.0.0.1", port=args.port,
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
