#!/usr/bin/env bash
# Configures and builds fleetmc in build/ (Release, OpenMP, native tuning, tests, benchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$(nproc)"
