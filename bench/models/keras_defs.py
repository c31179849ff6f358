"""Keras (tf-keras, i.e. Keras 2 on TensorFlow) versions of the benchmark's image models and MLP,
for the TensorFlow and TFLite peers. The image models are keras.applications' ResNet50,
MobileNetV2 and EfficientNetB0 with weights=None: the same architectures as torchvision's, not
the same graphs or weights (Keras' ResNet50 is v1, strided 1x1 convs, where torchvision's is v1.5;
Keras' EfficientNetB0 carries its own input rescaling/normalisation layers). The MLP has the same
layer sizes. Inputs are NHWC."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

import zoo  # noqa: E402


def build(name):
    keras.utils.set_random_seed(0)
    if name == "mlp":
        sizes = zoo.MLP_SIZES
        layers = [keras.Input((sizes[0],))]
        for i, width in enumerate(sizes[1:]):
            activation = "relu" if i + 2 < len(sizes) else None
            layers.append(keras.layers.Dense(width, activation=activation))
        return keras.Sequential(layers)
    apps = {"resnet50": keras.applications.ResNet50,
            "mobilenet_v2": keras.applications.MobileNetV2,
            "efficientnet_b0": keras.applications.EfficientNetB0}
    # Logits like torchvision's models (Keras applications end in a softmax by default).
    return apps[name](weights=None, input_shape=(224, 224, 3), classifier_activation=None)


def calibrate_batchnorm(model, batch=16, seed=1):
    """As torch_defs.calibrate_batchnorm: moving statistics := one random batch's statistics
    (momentum 0 in Keras' convention), so random-weight activations stay out of denormals."""
    bns = [l for l in model.layers if isinstance(l, keras.layers.BatchNormalization)]
    if not bns:
        return
    for bn in bns:
        bn.momentum = 0.0
    x = np.random.default_rng(seed).standard_normal((batch, 224, 224, 3)).astype(np.float32)
    model(x, training=True)
    for bn in bns:
        bn.momentum = 0.99


def nhwc(feeds):
    """The harness' NCHW image inputs as the NHWC array Keras models take (a transpose of the
    same data); other inputs unchanged."""
    x = next(iter(feeds.values()))
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1)) if x.ndim == 4 else x


def to_tflite(model, path):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)  # float32, no quantisation
    with open(path, "wb") as f:
        f.write(converter.convert())
