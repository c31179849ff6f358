#!/usr/bin/env python3
"""Builds the Keras models (bench/models/keras_defs.py) with random weights and recalibrated
BatchNorm, saves them (.keras) and their float32 TFLite conversions (.tflite) into zoo.CACHE:

  bench/.venv-tf/bin/python bench/models/export_keras.py [--models ...] [--force]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_defs  # noqa: E402
import zoo  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=",".join(m.name for m in zoo.MODELS if m.keras))
    p.add_argument("--force", action="store_true")
    args = p.parse_args()
    os.makedirs(zoo.CACHE, exist_ok=True)
    for name in args.models.split(","):
        model = zoo.BY_NAME[name]
        keras_path, tflite_path = model.keras_path("keras"), model.keras_path("tflite")
        if os.path.exists(keras_path) and os.path.exists(tflite_path) and not args.force:
            print(f"{keras_path} exists", flush=True)
            continue
        net = keras_defs.build(name)
        keras_defs.calibrate_batchnorm(net)
        out = net(keras_defs.nhwc(model.make_inputs(2)), training=False)
        print(f"keras {name}: output mean |x| {float(abs(out.numpy()).mean()):.3g}", flush=True)
        net.save(keras_path)
        keras_defs.to_tflite(net, tflite_path)
        print(f"wrote {keras_path}, {tflite_path}", flush=True)


if __name__ == "__main__":
    main()
