#!/usr/bin/env bash
# Set-up command 2: installs what is missing, builds, and runs the whole test suite (ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh -DFLEETMC_WERROR=ON
cd build
ctest --output-on-failure -j "$(nproc)"
