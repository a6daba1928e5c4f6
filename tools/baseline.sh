#!/usr/bin/env bash
# Set-up command 1: installs what is missing, builds, and runs the baseline scenario (the
# proposal as written: 1,000,000 vehicles, 5 years) to results/baseline.h5, printing a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
mkdir -p results
./build/fleetmc run configs/baseline.yaml -o results/baseline.h5 "$@"
