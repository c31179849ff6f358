#!/usr/bin/env bash
# Idempotent set-up: Debian packages (apt), Python packages (pip), then the build.
# Usage: scripts/setup.sh [--no-build] [--build-type Release|Debug|Asan]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

apt_packages=(
  build-essential ninja-build ccache pkg-config git
  libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata
  libdnnl-dev libcli11-dev nlohmann-json3-dev zlib1g-dev libzip-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcsv-dev libturbojpeg0-dev libpng-dev libsqlite3-dev
  clang libclang-rt-14-dev
  libboost-dev libgrpc++-dev protobuf-compiler-grpc wrk
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python3 -m pip install -q --disable-pip-version-check -r "$root/requirements-dev.txt"

if [[ "${1:-}" != "--no-build" ]]; then
  "$root/scripts/build.sh" "$@"
fi
