#!/usr/bin/env bash
# The main job: set up (idempotent), build, and run the bundled digits model on its held-out
# test set, printing predictions and accuracy.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
./build/tools/brisk/brisk inspect models/digits/digits_cnn.onnx
./build/tools/brisk/brisk run models/digits/digits_cnn.onnx \
  --input image=models/digits/test_images.npy --labels models/digits/test_labels.npy --show 20
