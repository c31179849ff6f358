#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and runs each for a
# bounded time.
#
#   scripts/fuzz.sh [seconds per target]      (default 60)
#   FUZZ_FORK=2 scripts/fuzz.sh 300           (2 worker processes that keep going after a crash,
#                                              to collect every distinct crash in one run)
#
# Seed corpora are made at run time in a temp dir: the model loader gets every small model.onnx
# of the ONNX node tests (/usr/share/libonnx-testdata), the NPY and CSV targets a few hand-made
# files, the image decoder the small JPEGs/PNGs in tests/fuzz/seeds/image_decode.
# Corpora grown by the run and crash reproducers are kept under build-fuzz/fuzz-out/. Inputs that
# once crashed are committed under tests/fuzz/regressions/<target>/ and replayed first.
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build-fuzz}"
OUT="$BUILD/fuzz-out"
ONNX_TESTDATA="${ONNX_TESTDATA:-/usr/share/libonnx-testdata/data/node}"

CC=clang CXX=clang++ cmake -G Ninja -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBRISK_FUZZ=ON -DBRISK_TESTS=OFF > "$BUILD.configure.log" 2>&1 ||
  { cat "$BUILD.configure.log"; exit 1; }
ninja -C "$BUILD" -j "${NINJA_JOBS:-2}" model_loader_fuzz npy_fuzz csv_fuzz image_decode_fuzz \
  cache_file_fuzz rest_request_fuzz model_config_fuzz

SEEDS="$(mktemp -d)"
trap 'rm -rf "$SEEDS"' EXIT
mkdir -p "$SEEDS/model" "$SEEDS/npy" "$SEEDS/csv" "$SEEDS/image" "$SEEDS/cache" "$SEEDS/rest" \
  "$SEEDS/config"
if [[ -d "$ONNX_TESTDATA" ]]; then
  # Small models only: the fuzzer mutates better from short inputs.
  find "$ONNX_TESTDATA" -name model.onnx -size -4k | while read -r f; do
    cp "$f" "$SEEDS/model/$(basename "$(dirname "$f")").onnx"
  done
else
  echo "warning: $ONNX_TESTDATA not found; the model loader starts from an empty corpus" >&2
fi
# And a real trained model: the bundled digits CNN.
cp "$ROOT/models/digits/digits_cnn.onnx" "$SEEDS/model/digits_cnn.onnx"
python3 - "$SEEDS/npy" <<'PY' || echo "warning: no python3; npy starts from an empty corpus" >&2
import struct, sys
def npy(descr, shape, data):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data
seeds = {
    "f4_2x3": npy("<f4", "(2, 3)", bytes(24)),
    "i8_scalar": npy("<i8", "()", bytes(8)),
    "b1_4": npy("|b1", "(4,)", b"\x00\x01\x02\x00"),
    "u1_empty": npy("|u1", "(0, 5)", b""),
    "f2_1": npy("<f2", "(1,)", b"\x00\x3c"),
}
for name, data in seeds.items():
    open(f"{sys.argv[1]}/{name}.npy", "wb").write(data)
PY

# CSV: quoting, quoted newlines, CRLF, empty fields, typed values; images: small JPEGs (gray,
# 4:2:0, progressive) and PNGs (RGB, RGBA, gray) committed under tests/fuzz/seeds/.
printf 'a,b,c,d\n1,2.5,true,x\n-3,,0,"y ""q"""\n' > "$SEEDS/csv/typed.csv"
printf 'id,text\r\n1,"two\nlines"\r\n\r\n2,plain\r\n' > "$SEEDS/csv/quoted.csv"
printf 'x;y\n7;8\n9\n' > "$SEEDS/csv/semicolon.csv"
cp "$ROOT"/tests/fuzz/seeds/image_decode/* "$SEEDS/image/"
# A cache seed: element count byte, then one record (origin "s", one int64 scalar "v" = 7).
python3 - "$SEEDS/cache/one.bin" <<'PY' || true
import struct, sys
u = lambda v: struct.pack("<Q", v)
record = u(1) + b"s" + u(1) + u(1) + b"v" + u(11) + u(0) + struct.pack("<q", 7)
open(sys.argv[1], "wb").write(b"\x01" + record)
PY

# REST bodies (first byte: mode; odd = binary split) and model configs.
printf '\x00{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}],"outputs":[{"name":"y","parameters":{"binary_data":true}}]}' > "$SEEDS/rest/kserve.json"
printf '\x00{"instances":[[1,2,3],[4,5,6]]}' > "$SEEDS/rest/rows.json"
printf '\x00{"inputs":{"x":[[1,2,3]],"ids":[7]}}' > "$SEEDS/rest/columns.json"
printf '\x41{"inputs":[{"name":"x","shape":[1,1],"datatype":"FP32","parameters":{"binary_data_size":4}}]}\x00\x00\x80\x3f' > "$SEEDS/rest/binary.bin"
cp "$ROOT/models/repository/digits/config.pbtxt" "$SEEDS/config/digits.pbtxt"
printf 'max_batch_size: 0\nversion_policy { specific { versions: [1, 3] } }\nparameters { key: "intra_op_thread_count" value { string_value: "2" } }\n' > "$SEEDS/config/policy.pbtxt"

mkdir -p "$OUT"
status=0
run() {
  local target="$1" seeds="$2"
  local corpus="$OUT/$target-corpus" artifacts="$OUT/$target-artifacts/"
  mkdir -p "$corpus" "$artifacts"
  echo "== $target: ${SECONDS_PER_TARGET}s, seeds from $seeds, log in $OUT/$target.log"
  local rc=0
  # Inputs that crashed earlier versions must still load cleanly (libFuzzer runs files once).
  local regressions="$ROOT/tests/fuzz/regressions/${target%_fuzz}"
  if [[ -d "$regressions" ]] && ls "$regressions" | grep -q .; then
    if ! "$BUILD/tests/fuzz/$target" "$regressions"/* > "$OUT/$target.regressions.log" 2>&1; then
      echo "!! $target: a committed regression input crashes again; see $OUT/$target.regressions.log" >&2
      status=1
    fi
  fi
  local before
  before=$(ls "$artifacts" | wc -l)
  "$BUILD/tests/fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" -timeout=20 \
    -rss_limit_mb=4096 -malloc_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
    ${FUZZ_FORK:+-fork="$FUZZ_FORK" -ignore_crashes=1} \
    -artifact_prefix="$artifacts" "$corpus" "$seeds" > "$OUT/$target.log" 2>&1 || rc=$?
  grep -aE "^(#[0-9]+ *(INITED|DONE)|==[0-9]+==ERROR|SUMMARY|stat::number_of_executed_units)" \
    "$OUT/$target.log" || true
  # Only reproducers written by this run count (earlier runs' stay for inspection).
  if [[ $rc -ne 0 ]] || [[ $(ls "$artifacts" | wc -l) -gt $before ]]; then
    echo "!! $target failed (exit $rc); reproducers in $artifacts" >&2
    status=1
  fi
}
run model_loader_fuzz "$SEEDS/model"
run npy_fuzz "$SEEDS/npy"
run csv_fuzz "$SEEDS/csv"
run image_decode_fuzz "$SEEDS/image"
run cache_file_fuzz "$SEEDS/cache"
run rest_request_fuzz "$SEEDS/rest"
run model_config_fuzz "$SEEDS/config"
exit $status
