#!/usr/bin/env python3
"""OpenVINO peer: reads the same ONNX file, reshapes it to the static input shapes (how OpenVINO
is deployed; brisk also compiles one plan per shape), compiles for CPU with FP32 inference
precision, INFERENCE_NUM_THREADS = --threads, one stream and the LATENCY hint: every cell of the
harness is one synchronous request at a time, so the THROUGHPUT hint's parallel streams would
sit idle (--hint THROUGHPUT is there to check)."""
import time

import openvino as ov

import common


def main():
    args = common.parse_args(__doc__, lambda p: p.add_argument("--hint", default="LATENCY",
                                                               choices=["LATENCY", "THROUGHPUT"]))
    feeds = common.load_inputs(args)
    start = time.perf_counter()
    core = ov.Core()
    model = core.read_model(common.zoo.BY_NAME[args.model].onnx)
    names = {port.get_any_name() for port in model.inputs}
    feeds = {k: v for k, v in feeds.items() if k in names}
    model.reshape({k: ov.PartialShape(list(v.shape)) for k, v in feeds.items()})
    config = {"INFERENCE_NUM_THREADS": args.threads, "PERFORMANCE_HINT": args.hint,
              "INFERENCE_PRECISION_HINT": "f32"}
    if args.hint == "LATENCY":
        config["NUM_STREAMS"] = 1
    compiled = core.compile_model(model, "CPU", config)
    request = compiled.create_infer_request()
    creation_ms = (time.perf_counter() - start) * 1e3
    common.measure(args, "openvino", f"openvino {ov.get_version()} hint={args.hint}",
                   lambda: request.infer(feeds), creation_ms)


if __name__ == "__main__":
    main()
