"""Writes the load test's model repository (Triton layout) for `brisk serve`.

Models (each also as `<name>_nobatch`, the same file with batching off):
  digits  the bundled 8x8 digits CNN (models/digits/digits_cnn.onnx), ~0.1 ms per sample
  mlp     x float32[N, 256] -> 1024 -> 1024 -> 10 (ReLU), ~1.3 M weights, dynamic batch
"""
import argparse
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BATCHING = """max_batch_size: 32
dynamic_batching {{ max_queue_delay_microseconds: {delay} default_queue_policy {{ max_queue_size: 4096 }} }}
"""
NO_BATCHING = "max_batch_size: 0\n"


def mlp_model():
    rng = np.random.default_rng(0)
    sizes = [256, 1024, 1024, 10]
    nodes, inits = [], []
    prev = "x"
    for i in range(3):
        w = (rng.standard_normal((sizes[i], sizes[i + 1])) / np.sqrt(sizes[i])).astype(np.float32)
        b = np.zeros(sizes[i + 1], np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        out = "y" if i == 2 else f"h{i}"
        gemm = f"g{i}" if i < 2 else out
        nodes.append(helper.make_node("Gemm", [prev, f"w{i}", f"b{i}"], [gemm]))
        if i < 2:
            nodes.append(helper.make_node("Relu", [gemm], [out]))
        prev = out
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 256])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write(repo, name, model_path_or_proto, config):
    os.makedirs(os.path.join(repo, name, "1"), exist_ok=True)
    target = os.path.join(repo, name, "1", "model.onnx")
    if isinstance(model_path_or_proto, str):
        shutil.copyfile(model_path_or_proto, target)
    else:
        onnx.save(model_path_or_proto, target)
    with open(os.path.join(repo, name, "config.pbtxt"), "w") as f:
        f.write(config)
    return target


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True, help="model repository folder to (re)create")
    parser.add_argument("--delay-us", type=int, default=0,
                        help="max_queue_delay_microseconds (0, Triton's default: batch what queued while the model ran)")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    digits = os.path.join(ROOT, "models", "digits", "digits_cnn.onnx")
    mlp = mlp_model()
    for name, model in (("digits", digits), ("mlp", mlp)):
        write(args.out, name, model, BATCHING.format(delay=args.delay_us))
        write(args.out, name + "_nobatch", model, NO_BATCHING)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
