#!/usr/bin/env python3
"""TFLite peer: the float32 TFLite conversion of the Keras model (same architecture as the ONNX
model), tf.lite.Interpreter with num_threads = --threads (XNNPACK delegate, TFLite's default),
input resized to the batch. Images are the ONNX engines' data transposed to NHWC."""
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import common  # noqa: E402
import keras_defs  # noqa: E402
import tensorflow as tf  # noqa: E402


def main():
    args = common.parse_args(__doc__)
    x = keras_defs.nhwc(common.load_inputs(args))
    start = time.perf_counter()
    interpreter = tf.lite.Interpreter(common.zoo.BY_NAME[args.model].keras_path("tflite"),
                                      num_threads=args.threads)
    index = interpreter.get_input_details()[0]["index"]
    interpreter.resize_tensor_input(index, list(x.shape))
    interpreter.allocate_tensors()
    creation_ms = (time.perf_counter() - start) * 1e3
    output = interpreter.get_output_details()[0]["index"]

    def run():
        interpreter.set_tensor(index, x)
        interpreter.invoke()
        interpreter.get_tensor(output)

    common.measure(args, "tflite", f"tflite (tensorflow {tf.__version__})", run, creation_ms)


if __name__ == "__main__":
    main()
