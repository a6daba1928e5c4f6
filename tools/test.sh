#!/usr/bin/env bash
# Set-up command 2: installs what is missing, builds, and runs the whole test suite (ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
# MPI too: the suite runs a run over 2 ranks against one process (test_mpi)
bash tools/install-deps.sh mpi
bash tools/build.sh -DFLEETMC_WERROR=ON -DFLEETMC_MPI=ON
cd build
ctest --output-on-failure -j "$(nproc)"
