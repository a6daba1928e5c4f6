#!/usr/bin/env bash
# Benchmarks one replica-year of the baseline fleet (1,000,000 vehicles) at 1 thread and at all
# cores, and the stripped floor kernel (../shared/bench/floor.c) in the same run, so that the
# ratio engine / floor is measured on one machine at one time. Figures go to bench/RESULTS.md
# by hand, with the machine and the commit printed here.
#
# usage: bash bench/run.sh [VEHICLES]     (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
vehicles=${1:-1000000}
bash tools/build.sh >/dev/null
cores=$(nproc)
echo "commit $(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), ${cores} cores," \
     "$(grep -o -m1 'avx512f' /proc/cpuinfo || echo 'no avx512'), gcc $(gcc -dumpfullversion)"
floor_src=../shared/bench/floor.c
floor_bin=build/floor
if [ -f "$floor_src" ]; then
  gcc -O3 -march=native -fopenmp "$floor_src" -o "$floor_bin"
fi
for threads in 1 "$cores"; do
  engine=$(./build/fleetmc_bench configs/baseline.yaml --vehicles "$vehicles" --threads "$threads")
  echo "engine: $engine"
  if [ -x "$floor_bin" ]; then
    floor=$("$floor_bin" "$vehicles" "$threads")
    echo "floor:  $floor"
    e=$(sed -n 's/.*ns_per_vehicle_hour_per_core \([0-9.]*\).*/\1/p' <<<"$engine")
    f=$(sed -n 's/.*ns_per_vehicle_hour_per_core \([0-9.]*\).*/\1/p' <<<"$floor")
    awk -v e="$e" -v f="$f" -v t="$threads" 'BEGIN { printf "ratio engine / floor at %d thread(s): %.2f\n", t, e / f }'
  fi
  [ "$cores" -eq 1 ] && break
done
