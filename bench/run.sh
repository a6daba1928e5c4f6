#!/usr/bin/env bash
# Benchmarks one replica-year of the baseline fleet (1,000,000 vehicles) at 1 thread and at all
# cores, and the stripped floor kernels (../shared/bench/floor.c, and floor_events.c: the same
# stepped by events) in the same run, so that the ratios engine / floor are measured on one
# machine at one time; then the kernels' micro-benchmarks (build/fleetmc_micro) and the whole
# program end to end against the issue's targets (bench/end_to_end.sh). Figures go to
# bench/RESULTS.md by hand, with the machine and the commit printed here.
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
source bench/probes.sh
ns_per_vh() { sed -n 's/.*ns_per_vehicle_hour_per_core \([0-9.]*\).*/\1/p' <<<"$1"; }
for threads in 1 "$cores"; do
  engine=$(./build/fleetmc_bench configs/baseline.yaml --vehicles "$vehicles" --threads "$threads")
  echo "engine: $engine"
  for probe in "${probes[@]}"; do
    line=$("./build/$probe" "$vehicles" "$threads")
    echo "$probe: $line"
    awk -v e="$(ns_per_vh "$engine")" -v f="$(ns_per_vh "$line")" -v t="$threads" -v p="$probe" \
      'BEGIN { printf "ratio engine / %s at %d thread(s): %.2f\n", p, t, e / f }'
  done
  [ "$cores" -eq 1 ] && break
done
echo "micro-benchmarks (one thread):"
./build/fleetmc_micro
echo "end to end (fleetmc run, the HDF5 file included; bench/end_to_end.sh):"
bash bench/end_to_end.sh "$vehicles"
