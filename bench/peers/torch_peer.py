#!/usr/bin/env python3
"""PyTorch peer: the module the ONNX file was exported from, with the same weights
(bench/models/torch_defs.py), eval(), torch.inference_mode(), torch.set_num_threads(--threads).
--mode eager (default) or jit (torch.jit.trace + torch.jit.freeze). The torchvision models need
torchvision, so bench/run.py runs them with the export venv's torch 2.14.1; the others with the
project's torch 2.13.0 (the JSON's version field says which)."""
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import common  # noqa: E402  (puts bench/models on sys.path)
import torch  # noqa: E402

import torch_defs  # noqa: E402


def main():
    args = common.parse_args(__doc__, lambda p: p.add_argument("--mode", default="eager",
                                                               choices=["eager", "jit"]))
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    feeds = common.load_inputs(args)
    tensors = [torch.from_numpy(v) for v in feeds.values()]
    source = common.zoo.BY_NAME[args.model].source
    if source in ("torchvision", "transformers"):
        __import__(source)  # the library import is not part of creating the model
    start = time.perf_counter()
    module = torch_defs.load_model(args.model)
    if args.mode == "jit":
        with torch.inference_mode(False), torch.no_grad():
            module = torch.jit.freeze(torch.jit.trace(module, tuple(tensors), strict=False))
    creation_ms = (time.perf_counter() - start) * 1e3

    def run():
        with torch.inference_mode():
            module(*tensors)

    common.measure(args, "pytorch" if args.mode == "eager" else "pytorch-jit",
                   f"torch {torch.__version__} {args.mode}", run, creation_ms)


if __name__ == "__main__":
    main()
