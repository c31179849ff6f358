#!/usr/bin/env bash
# Sets up (idempotent), builds, and serves the bundled model repository (models/repository:
# the digits classifier) with `brisk serve`: KServe v2 REST and TF Serving REST on port 8000,
# KServe v2 gRPC on 8001, Prometheus metrics on :8000/metrics. Extra arguments go to
# `brisk serve` (e.g. --http-port 9000 --access-log -). Ctrl-C stops it gracefully.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
exec ./build/tools/brisk/brisk serve --model-repository models/repository "$@"
