#!/usr/bin/env bash
# The test suite in an AddressSanitizer + UndefinedBehaviorSanitizer build (Debug, in
# build-asan/), every undefined behaviour fatal (-fno-sanitize-recover=all). CI runs it after the
# README's test command. The benchmark checksum (a 200,000-vehicle year) is left to the optimised
# build: the sanitizers make it minutes long and it checks numbers, not memory. So is
# test_keys_reach (about 490 small runs of fleetmc, each about 4 s of CPU in this build instead of
# 0.15 s: a quarter of an hour on 2 cores): it checks which scenario keys reach the outputs, not
# memory. So are test_slurm_scripts and test_sweep (13 min here): they test the job scripts and the
# sweep driver, whose fleetmc commands (run, --resume, merge, summary) test_resume, test_merge and
# test_stats_cli run under the sanitizers.
# Without MPI: this is also the suite of the build without MPI (the quick start's on a machine
# without Open MPI), and Open MPI's runtime keeps allocations to its exit that LeakSanitizer would
# report as the test's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DFLEETMC_SANITIZERS=ON -DFLEETMC_WERROR=ON -DFLEETMC_NATIVE=OFF \
  -DFLEETMC_MPI=OFF >/dev/null
cmake --build build-asan -j "$(nproc)"
cd build-asan
# halt_on_error: the first report fails the test; detect_leaks: LeakSanitizer on (the default).
ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --output-on-failure -j "$(nproc)" -E 'test_bench_checksum|test_keys_reach|test_slurm_scripts|test_sweep'
