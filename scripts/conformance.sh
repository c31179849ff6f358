#!/usr/bin/env bash
# Runs the ONNX node tests through brisk.
#   scripts/conformance.sh           check: fail if a test in expected_passing.txt fails
#   scripts/conformance.sh --update  also run onnxruntime on them, rewrite docs/CONFORMANCE.md
#                                    and tests/conformance/expected_passing.txt
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BRISK_BUILD_DIR:-$root/build}"
out="$build/conformance"
mkdir -p "$out"
"$build/tests/conformance/conformance_runner" --quiet --json "$out/brisk.json" > "$out/brisk.txt"
tail -n 1 "$out/brisk.txt"
if [[ "${1:-}" == "--update" ]]; then
  pip_dir=$(python3 -c "import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), 'backend/test/data/node'))")
  python3 "$root/tests/conformance/ort_baseline.py" --data-dir "$pip_dir" \
    --data-dir /usr/share/libonnx-testdata/data/node --out "$out/ort.json"
  python3 "$root/tests/conformance/report.py" --brisk "$out/brisk.json" --ort "$out/ort.json" \
    --write-docs "$root/docs/CONFORMANCE.md" --update-expected
  echo "wrote docs/CONFORMANCE.md and tests/conformance/expected_passing.txt"
else
  python3 "$root/tests/conformance/report.py" --brisk "$out/brisk.json" --check
fi
