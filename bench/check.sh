#!/usr/bin/env bash
# Performance regression check: the engine's ns per vehicle-hour over the floor kernel's
# (../shared/bench/floor.c), both measured in this run on one thread, must stay under a ratio.
#
# usage: bash bench/check.sh [MAX_RATIO]    (default 3.2; see bench/RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-3.2}
vehicles=200000
floor_src=../shared/bench/floor.c
[ -f "$floor_src" ] || { echo "check: $floor_src not found" >&2; exit 2; }
bash tools/build.sh >/dev/null
gcc -O3 -march=native -fopenmp "$floor_src" -o build/floor
# Best of three interleaved runs of each: a virtual machine's neighbours only ever slow a run.
e=1e9; f=1e9
for _ in 1 2 3; do
  engine=$(./build/fleetmc_bench configs/baseline.yaml --vehicles "$vehicles" --threads 1)
  floor=$(./build/floor "$vehicles" 1)
  e=$(awk -v a="$e" -v b="$(sed -n 's/.*ns_per_vehicle_hour_per_core \([0-9.]*\).*/\1/p' <<<"$engine")" 'BEGIN { print (b < a ? b : a) }')
  f=$(awk -v a="$f" -v b="$(sed -n 's/.*ns_per_vehicle_hour_per_core \([0-9.]*\).*/\1/p' <<<"$floor")" 'BEGIN { print (b < a ? b : a) }')
done
echo "engine $e ns/vh, floor $f ns/vh (best of 3 each)"
awk -v e="$e" -v f="$f" -v m="$max" 'BEGIN {
  r = e / f; printf "engine / floor = %.2f (limit %.2f): %s\n", r, m, r <= m ? "ok" : "REGRESSION";
  exit (r <= m ? 0 : 1) }'
