#!/usr/bin/env python3
"""TensorFlow peer: the Keras model (bench/models/keras_defs.py, same architecture as the ONNX
model, not the same graph) called through a tf.function with a fixed input signature, inter-op
threads 1, intra-op threads = --threads. TensorFlow's oneDNN ops are on (its Linux default).
Images are the same data as the ONNX engines get, transposed to NHWC."""
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import common  # noqa: E402
import keras_defs  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402


def main():
    args = common.parse_args(__doc__)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    x = tf.constant(keras_defs.nhwc(common.load_inputs(args)))
    start = time.perf_counter()
    model = keras.models.load_model(common.zoo.BY_NAME[args.model].keras_path("keras"),
                                    compile=False)
    call = tf.function(lambda t: model(t, training=False),
                       input_signature=[tf.TensorSpec(x.shape, x.dtype)])
    call.get_concrete_function()  # trace now: part of creation, as compiling is for the others
    creation_ms = (time.perf_counter() - start) * 1e3
    common.measure(args, "tensorflow", f"tensorflow {tf.__version__} tf.function",
                   lambda: call(x).numpy(), creation_ms)


if __name__ == "__main__":
    main()
