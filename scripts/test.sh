#!/usr/bin/env bash
# Sets up (idempotent), builds, and runs every test suite:
#   1. unit + kernel tests (GoogleTest via ctest), Release build
#   2. ONNX conformance: fails if a test in tests/conformance/expected_passing.txt stops passing
#   3. Python tests: oracle tests against onnxruntime and CLI tests (pytest)
#   4. unit + kernel tests again under AddressSanitizer + UBSan   (skip: BRISK_SKIP_SANITIZERS=1)
#   5. libFuzzer on the model loader and the NPY parser, bounded  (skip: BRISK_SKIP_FUZZ=1;
#      seconds per target: BRISK_FUZZ_SECONDS, default 30)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step() { printf '\n==== %s ====\n' "$*"; }

step "set-up and build"
scripts/setup.sh

step "unit and kernel tests"
ctest --test-dir build -j "$(nproc)" --output-on-failure --timeout 300

step "ONNX conformance"
scripts/conformance.sh

step "Python tests"
BRISK_BIN="$root/build/tools/brisk/brisk" PYTHONPATH="$root/build/python" \
  python3 -m pytest tests/python -q

if [[ "${BRISK_SKIP_SANITIZERS:-0}" != "1" ]]; then
  step "unit and kernel tests under ASan + UBSan"
  scripts/build.sh --sanitize
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan -j "$(nproc)" --output-on-failure --timeout 600
fi

if [[ "${BRISK_SKIP_FUZZ:-0}" != "1" && -x scripts/fuzz.sh ]]; then
  step "fuzzing (bounded)"
  scripts/fuzz.sh "${BRISK_FUZZ_SECONDS:-30}"
fi
step "all test suites passed"
