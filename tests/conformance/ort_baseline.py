#!/usr/bin/env python3
"""Runs the ONNX backend node tests through onnxruntime, to measure brisk against.

Writes JSON {test_dir_path: "PASS" | "FAIL" | "UNSUPPORTED"} for every test under the given
folders, comparing outputs with the ONNX backend defaults (rtol 1e-3, atol 1e-7).
"""
import argparse
import glob
import json
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import onnxruntime as ort


def load_pb(path, type_proto):
    """Reads test data of the kind the model declares: tensor, sequence or optional."""
    data = open(path, "rb").read()
    kind = type_proto.WhichOneof("value") if type_proto is not None else "tensor_type"
    if kind == "sequence_type":
        seq = onnx.SequenceProto()
        seq.ParseFromString(data)
        return onnx.numpy_helper.to_list(seq)
    if kind == "optional_type":
        opt = onnx.OptionalProto()
        opt.ParseFromString(data)
        return onnx.numpy_helper.to_optional(opt)
    t = onnx.TensorProto()
    t.ParseFromString(data)
    return onnx.numpy_helper.to_array(t)


def close(actual, expected):
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            close(a, e) for a, e in zip(actual, expected))
    if expected is None:
        return actual is None
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        return False
    if expected.dtype.kind in "OUS":
        return actual.tolist() == expected.tolist()
    if expected.dtype.kind in "fc":
        return np.allclose(actual.astype(np.float64), expected.astype(np.float64),
                           rtol=1e-3, atol=1e-7, equal_nan=True)
    return np.array_equal(actual, expected)


def run_test(test_dir):
    try:
        opts = ort.SessionOptions()
        opts.log_severity_level = 4
        sess = ort.InferenceSession(os.path.join(test_dir, "model.onnx"), opts,
                                    providers=["CPUExecutionProvider"])
    except Exception:  # noqa: BLE001 - any load failure means onnxruntime cannot run it
        return "UNSUPPORTED"
    inputs = [i.name for i in sess.get_inputs()]
    outputs = [o.name for o in sess.get_outputs()]
    graph = onnx.load(os.path.join(test_dir, "model.onnx"), load_external_data=False).graph
    initializers = {i.name for i in graph.initializer}
    in_types = [i.type for i in graph.input if i.name not in initializers]
    out_types = [o.type for o in graph.output]
    for data_set in sorted(glob.glob(os.path.join(test_dir, "test_data_set_*"))):
        feeds = {}
        for i, pb in enumerate(sorted(glob.glob(os.path.join(data_set, "input_*.pb")),
                                      key=lambda p: int(p.rsplit("_", 1)[1][:-3]))):
            feeds[inputs[i]] = load_pb(pb, in_types[i] if i < len(in_types) else None)
        out_pbs = sorted(glob.glob(os.path.join(data_set, "output_*.pb")),
                         key=lambda p: int(p.rsplit("_", 1)[1][:-3]))
        expected = [load_pb(pb, out_types[i] if i < len(out_types) else None)
                    for i, pb in enumerate(out_pbs)]
        try:
            got = sess.run(outputs, feeds)
        except Exception:  # noqa: BLE001
            return "FAIL"
        if len(got) != len(expected) or not all(close(a, e) for a, e in zip(got, expected)):
            return "FAIL"
    return "PASS"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", action="append", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    results = {}
    for root in args.data_dir:
        for test_dir in sorted(glob.glob(os.path.join(root, "test_*"))):
            results[test_dir] = run_test(test_dir)
    json.dump(results, open(args.out, "w"), indent=1, sort_keys=True)
    counts = {}
    for v in results.values():
        counts[v] = counts.get(v, 0) + 1
    print("onnxruntime", ort.__version__, counts, file=sys.stderr)


if __name__ == "__main__":
    main()
