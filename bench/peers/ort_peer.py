#!/usr/bin/env python3
"""onnxruntime peer: the same ONNX file and inputs as brisk; CPU provider, ORT_ENABLE_ALL,
intra_op_num_threads = --threads, sequential execution (inter-op 1)."""
import time

import onnxruntime as ort

import common


def main():
    args = common.parse_args(__doc__)
    feeds = common.load_inputs(args)
    start = time.perf_counter()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(common.zoo.BY_NAME[args.model].onnx, opts,
                                providers=["CPUExecutionProvider"])
    creation_ms = (time.perf_counter() - start) * 1e3
    names = {i.name for i in sess.get_inputs()}
    feeds = {k: v for k, v in feeds.items() if k in names}
    common.measure(args, "onnxruntime", f"onnxruntime {ort.__version__}",
                   lambda: sess.run(None, feeds), creation_ms)


if __name__ == "__main__":
    main()
