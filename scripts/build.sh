#!/usr/bin/env bash
# Configures and builds brisk.
#   scripts/build.sh              Release build in build/ (warnings are errors), with the Python
#                                 extension in build/python (import it with PYTHONPATH=build/python)
#   scripts/build.sh --sanitize   ASan + UBSan build of the tests in build-asan/
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${BRISK_JOBS:-$(nproc)}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_BASEDIR="$root"

if [[ "${1:-}" == "--sanitize" ]]; then
  cmake -G Ninja -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DBRISK_SANITIZE=ON -DBRISK_WERROR=ON -DBRISK_SHARED_LIBRARY=ON > /dev/null
  cmake --build "$root/build-asan" -j "$jobs"
else
  cmake -G Ninja -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DBRISK_WERROR=ON \
    -DBRISK_PYTHON=ON > /dev/null
  cmake --build "$root/build" -j "$jobs"
fi
