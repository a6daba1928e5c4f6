#!/usr/bin/env bash
# Load check (issue 9): the 1,000,000-vehicle baseline for 1 year at 2 and at 20 replicas, each
# through the whole program (run, HDF5 file, claims table), with the peak resident memory of each
# from GNU time. Memory must not grow with replicas: the ratio is printed, for bench/RESULTS.md.
#
# usage: bash bench/load.sh [VEHICLES] [REPLICAS]     (defaults 1000000 20)
set -euo pipefail
cd "$(dirname "$0")/.."
vehicles=${1:-1000000}
replicas=${2:-20}
bash tools/build.sh >/dev/null
command -v /usr/bin/time >/dev/null || { echo "load: /usr/bin/time (Debian package time) is needed" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "commit $(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
declare -A peak
for n in 2 "$replicas"; do
  /usr/bin/time -f '%M %e' -o "$out/time_$n" ./build/fleetmc run configs/baseline.yaml \
    --set fleet.vehicles="$vehicles" --years 1 --replicas "$n" --quiet -o "$out/r$n.h5" >/dev/null
  read -r kib seconds <"$out/time_$n"
  peak[$n]=$kib
  awk -v n="$n" -v v="$vehicles" -v k="$kib" -v s="$seconds" 'BEGIN {
    printf "%d replicas x 1 year of %d vehicles: %.1f s wall, peak %.1f MiB, %.3g ns per vehicle-hour\n",
           n, v, s, k / 1024, s * 1e9 / (n * v * 8760) }'
done
awk -v a="${peak[2]}" -v b="${peak[$replicas]}" -v r="$replicas" 'BEGIN {
  printf "peak memory %d replicas / 2 replicas = %.3f (must be within 1.10)\n", r, b / a; exit (b / a <= 1.10 ? 0 : 1) }'
