#!/usr/bin/env bash
# Performance regression check: the engine's ns per vehicle-hour over the floor kernel's
# (../shared/bench/floor.c) and over the events floor's (../shared/bench/floor_events.c, the same
# model stepped by events: issue 14's aim), all measured in this run on one thread, must each
# stay under a ratio.
#
# usage: bash bench/check.sh [MAX_RATIO_FLOOR] [MAX_RATIO_FLOOR_EVENTS]
#   Defaults: the larger ratio of two runs of this script on the quiet 2-core Xeon when they were
#   set (commit acc158d, after this session's speed-ups: engine 3.31 and 3.38 ns/vh; floor 1.28
#   and 1.31, ratios 2.58 and 2.58; floor_events 0.37 and 0.39, ratios 9.03 and 8.61) x 1.15
#   headroom, rounded: 3.0 and 10.4. The usual spread between runs does not fail them, while a
#   slowdown of the engine by a sixth does. The second is much larger than the first:
#   floor_events.c runs about 3x faster than floor.c and the engine does not yet (bench/RESULTS.md,
#   issue 14). On a loaded machine every ratio drifts; run it alone.
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-3.0}
max_events=${2:-10.4}
vehicles=200000
floor_src=../shared/bench/floor.c
floor_events_src=../shared/bench/floor_events.c
for src in "$floor_src" "$floor_events_src"; do
  [ -f "$src" ] || { echo "check: $src not found" >&2; exit 2; }
done
for limit in "$max" "$max_events"; do
  [[ "$limit" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "check: limit '$limit' must be a positive number" >&2; exit 2; }
done
bash tools/build.sh >/dev/null
gcc -O3 -march=native -fopenmp "$floor_src" -o build/floor
gcc -O3 -march=native -fopenmp "$floor_events_src" -o build/floor_events -lm
per_core() { sed -n 's/.*ns_per_vehicle_hour_per_core \([0-9.]*\).*/\1/p' <<<"$1"; }
lower() { awk -v a="$1" -v b="$2" 'BEGIN { print (b < a ? b : a) }'; }
# Best of three interleaved runs of each: a virtual machine's neighbours only ever slow a run.
e=1e9; f=1e9; fe=1e9
for _ in 1 2 3; do
  e=$(lower "$e" "$(per_core "$(./build/fleetmc_bench configs/baseline.yaml --vehicles "$vehicles" --threads 1)")")
  f=$(lower "$f" "$(per_core "$(./build/floor "$vehicles" 1)")")
  fe=$(lower "$fe" "$(per_core "$(./build/floor_events "$vehicles" 1)")")
done
echo "commit $(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
echo "engine $e ns/vh, floor $f ns/vh, floor_events $fe ns/vh (best of 3 each)"
awk -v e="$e" -v f="$f" -v fe="$fe" -v m="$max" -v me="$max_events" 'BEGIN {
  r = e / f; re = e / fe
  printf "engine / floor = %.2f (limit %.2f): %s\n", r, m, r <= m ? "ok" : "REGRESSION"
  printf "engine / floor_events = %.2f (limit %.2f): %s\n", re, me, re <= me ? "ok" : "REGRESSION"
  exit (r <= m && re <= me ? 0 : 1) }'
