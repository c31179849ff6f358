#!/usr/bin/env python3
"""Exports torchvision's ResNet-50, MobileNetV2 and EfficientNet-B0 (random weights) to ONNX.
Needs torchvision, so it runs in the export venv (torch 2.14.1 + torchvision 0.29.1; PyPI's
torchvision does not import beside the project's torch 2.13.0):

  bench/.venv-export/bin/python bench/models/export_torchvision.py [--models ...] [--force]

BatchNorm statistics are re-estimated with one train-mode pass on random images first (see
torch_defs.calibrate_batchnorm): with fresh statistics these random-weight networks output
denormals, which would time the CPU's denormal microcode instead of the engines. The state dict
is saved too, for the PyTorch peer.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402

import torch_defs  # noqa: E402
import zoo  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default="resnet50,mobilenet_v2,efficientnet_b0")
    p.add_argument("--force", action="store_true")
    args = p.parse_args()
    for name in args.models.split(","):
        model = zoo.BY_NAME[name]
        if os.path.exists(model.onnx) and not args.force:
            print(f"{model.onnx} exists", flush=True)
            continue
        torch.manual_seed(0)
        module = torch_defs.build(name)
        torch_defs.calibrate_batchnorm(module)
        with torch.no_grad():
            out = module(torch.from_numpy(model.make_inputs(2)["image"]))
        print(f"{name}: output mean |x| {out.abs().mean().item():.3g} (not denormal)", flush=True)
        os.makedirs(zoo.CACHE, exist_ok=True)
        torch.save(module.state_dict(), model.state_dict)
        torch_defs.export_onnx(name, module)


if __name__ == "__main__":
    main()
