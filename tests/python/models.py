"""Plain-torch model definitions for the onnxruntime oracle tests (no torchvision).

Each entry of MODELS is a ModelSpec: how to build the model, how to make named inputs for a
batch size, the ONNX input/output names, which batch sizes to test and the tolerances.
`export_onnx` exports a spec to a file with the TorchScript exporter (dynamo=False: the
torch.export-based exporter needs onnxscript, which is not installed here).
"""
from __future__ import annotations

import dataclasses
import warnings
from typing import Callable

import numpy as np
import torch
from torch import nn

OPSET = 17
SEED = 0


def seed_everything(seed: int = SEED) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed)


# --------------------------------------------------------------------------------------------
# ResNet-18 (BasicBlock), as in He et al. 2015 / torchvision's resnet18, written out by hand.
# --------------------------------------------------------------------------------------------
class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet18(nn.Module):
    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layers, in_planes = [], 64
        for planes, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            layers.append(nn.Sequential(BasicBlock(in_planes, planes, stride),
                                        BasicBlock(planes, planes, 1)))
            in_planes = planes
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


# --------------------------------------------------------------------------------------------
# MobileNetV2 (Sandler et al. 2018): inverted residuals, depthwise convs, ReLU6.
# --------------------------------------------------------------------------------------------
def _make_divisible(v: float, divisor: int = 8) -> int:
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def conv_bn_relu6(inp: int, oup: int, kernel: int, stride: int, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(inp, oup, kernel, stride, (kernel - 1) // 2, groups=groups,
                                   bias=False),
                         nn.BatchNorm2d(oup), nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    def __init__(self, inp: int, oup: int, stride: int, expand_ratio: int):
        super().__init__()
        hidden = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(conv_bn_relu6(inp, hidden, 1, 1))
        layers += [conv_bn_relu6(hidden, hidden, 3, stride, groups=hidden),  # depthwise
                   nn.Conv2d(hidden, oup, 1, 1, 0, bias=False), nn.BatchNorm2d(oup)]  # linear
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self, num_classes: int = 1000, width_mult: float = 1.0):
        super().__init__()
        settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                    (6, 160, 3, 2), (6, 320, 1, 1)]  # t, c, n, s
        in_ch = _make_divisible(32 * width_mult)
        self.last_channel = _make_divisible(1280 * max(1.0, width_mult))
        features = [conv_bn_relu6(3, in_ch, 3, 2)]
        for t, c, n, s in settings:
            out_ch = _make_divisible(c * width_mult)
            for i in range(n):
                features.append(InvertedResidual(in_ch, out_ch, s if i == 0 else 1, t))
                in_ch = out_ch
        features.append(conv_bn_relu6(in_ch, self.last_channel, 1, 1))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(self.last_channel, num_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = nn.functional.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(torch.flatten(x, 1))


# --------------------------------------------------------------------------------------------
# Sequence models.
# --------------------------------------------------------------------------------------------
class TransformerEncoderModel(nn.Module):
    """Token embedding + learned positions + nn.TransformerEncoder (d_model 64, 2 layers) + head.

    With `use_mask`, a bool key-padding mask [N, S] (True = padding) is a second input.
    """

    def __init__(self, vocab: int = 100, d_model: int = 64, nhead: int = 4, layers: int = 2,
                 max_len: int = 32, use_mask: bool = True):
        super().__init__()
        self.use_mask = use_mask
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.randn(1, max_len, d_model) * 0.1)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=128, dropout=0.1,
                                           batch_first=True)
        # No nested tensors: they are an eval-time fast path that tracing cannot export.
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, 10)

    def forward(self, tokens, mask=None):
        x = self.embed(tokens) + self.pos[:, :tokens.shape[1]]
        x = self.encoder(x, src_key_padding_mask=mask if self.use_mask else None)
        return self.head(x)


class TransformerEncoderMasked(TransformerEncoderModel):
    def __init__(self):
        super().__init__(use_mask=True)


class TransformerEncoderNoMask(TransformerEncoderModel):
    def __init__(self):
        super().__init__(use_mask=False)


class LSTMModel(nn.Module):
    """2-layer bidirectional batch_first LSTM; returns the sequence output, h_n and c_n."""

    def __init__(self, input_size: int = 16, hidden: int = 32):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden, num_layers=2, bidirectional=True, batch_first=True)

    def forward(self, x):
        y, (h, c) = self.lstm(x)
        return y, h, c


class GRUModel(nn.Module):
    """2-layer batch_first GRU with a linear head on the last step; returns head output and h_n."""

    def __init__(self, input_size: int = 16, hidden: int = 32):
        super().__init__()
        self.gru = nn.GRU(input_size, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, 5)

    def forward(self, x):
        y, h = self.gru(x)
        return self.head(y[:, -1]), h


class MLP(nn.Module):
    def __init__(self, sizes=(32, 128, 64, 10)):
        super().__init__()
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers += [nn.LayerNorm(sizes[i + 1]), nn.GELU()]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


# --------------------------------------------------------------------------------------------
# Specs.
# --------------------------------------------------------------------------------------------
@dataclasses.dataclass
class ModelSpec:
    name: str
    build: Callable[[], nn.Module]
    make_inputs: Callable[[int, np.random.Generator], dict[str, np.ndarray]]
    input_names: list[str]
    output_names: list[str]
    batches: tuple[int, ...] = (1, 3)  # batch sizes to test; >1 entry means a dynamic batch axis
    rtol: float = 1e-4
    atol: float = 1e-5
    # Extra dynamic axes besides the batch axis, {name: {axis: symbol}}.
    extra_dynamic_axes: dict = dataclasses.field(default_factory=dict)

    @property
    def dynamic_batch(self) -> bool:
        return len(self.batches) > 1


def _image(size: int):
    def make(n, rng):
        return {"image": rng.standard_normal((n, 3, size, size), dtype=np.float32)}
    return make


def _sequence(steps: int, features: int):
    def make(n, rng):
        return {"x": rng.standard_normal((n, steps, features), dtype=np.float32)}
    return make


def _tokens(seq: int, with_mask: bool):
    def make(n, rng):
        feeds = {"tokens": rng.integers(0, 100, size=(n, seq), dtype=np.int64)}
        if with_mask:
            # Pad the tail of every row (so even batch 1 exercises the mask), by varying amounts;
            # never a fully padded row (softmax over nothing gives NaN in every runtime).
            lengths = rng.integers(seq // 2, seq, size=n)
            feeds["mask"] = np.arange(seq)[None, :] >= lengths[:, None]
        return feeds
    return make


MODELS = [
    ModelSpec("mlp", MLP, lambda n, rng: {"x": rng.standard_normal((n, 32), dtype=np.float32)},
              ["x"], ["logits"]),
    # 224x224, batch 1 only: brisk's reference conv kernels are not optimised yet.
    ModelSpec("resnet18", ResNet18, _image(224), ["image"], ["logits"], batches=(1,)),
    # 128x128 keeps the runtime down; every block and stride still runs (final map 4x4).
    ModelSpec("mobilenet_v2", MobileNetV2, _image(128), ["image"], ["logits"]),
    ModelSpec("transformer_masked", TransformerEncoderMasked, _tokens(12, True),
              ["tokens", "mask"], ["logits"]),
    ModelSpec("transformer_nomask", TransformerEncoderNoMask, _tokens(12, False),
              ["tokens"], ["logits"]),
    ModelSpec("lstm_bidir", LSTMModel, _sequence(10, 16), ["x"], ["y", "h_n", "c_n"],
              extra_dynamic_axes={"h_n": {1: "N"}, "c_n": {1: "N"}}),
    ModelSpec("gru", GRUModel, _sequence(10, 16), ["x"], ["out", "h_n"],
              extra_dynamic_axes={"h_n": {1: "N"}}),
]
MODELS_BY_NAME = {m.name: m for m in MODELS}


def calibrate_batchnorm(model: nn.Module, example: dict[str, np.ndarray]) -> None:
    """Gives BatchNorm layers real running statistics: one train-mode pass with momentum=None
    (cumulative average, so after one batch the running stats are exactly that batch's stats).
    Random-init stats (mean 0, var 1) blow activations up or down to denormals over many layers."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None
    model.train()
    with torch.no_grad():
        model(*[torch.from_numpy(v) for v in example.values()])
    model.eval()


def build_model(spec: ModelSpec) -> nn.Module:
    seed_everything()
    model = spec.build()
    calibrate_batchnorm(model, spec.make_inputs(4, np.random.default_rng(SEED + 1)))
    return model.eval()


def export_onnx(spec: ModelSpec, model: nn.Module, path) -> None:
    example = spec.make_inputs(max(spec.batches), np.random.default_rng(SEED + 2))
    args = tuple(torch.from_numpy(v) for v in example.values())
    dynamic_axes = None
    if spec.dynamic_batch:
        dynamic_axes = {name: {0: "N"} for name in spec.input_names + spec.output_names}
        for name, axes in spec.extra_dynamic_axes.items():
            dynamic_axes[name] = axes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        torch.onnx.export(model, args, str(path), dynamo=False, opset_version=OPSET,
                          input_names=spec.input_names, output_names=spec.output_names,
                          dynamic_axes=dynamic_axes, do_constant_folding=True)


def torch_reference(model: nn.Module, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    with torch.no_grad():
        out = model(*[torch.from_numpy(v) for v in feeds.values()])
    if isinstance(out, torch.Tensor):
        out = (out,)
    return [o.numpy() for o in out]
