#!/usr/bin/env bash
# The engine end to end against the probes, in one run (issue 14, point 3): `fleetmc run` of
# the baseline scenario (the fleet's draw, the weather, outages, budget, writing the HDF5 file:
# everything a user waits for) at VEHICLES x 1 year, at 1 thread and at all cores; the realistic
# scenario the same; the baseline over 2 years x 2 replicas for its peak memory; and
# ../shared/bench/floor.c and floor_events.c at the same size and thread counts. Prints each
# run's wall time, ns per vehicle-hour per core (wall x threads / vehicle-hours) and peak
# resident memory (GNU time's maximum RSS), then the ratios the issue sets targets for, each
# with its target. A report, not a test: bench/check.sh is the guard.
#
# usage: bash bench/end_to_end.sh [VEHICLES] [KERNEL]    (default 1000000 hourly)
set -euo pipefail
cd "$(dirname "$0")/.."
vehicles=${1:-1000000}
kernel=${2:-hourly}
case $vehicles in '' | *[!0-9]*) echo "end_to_end: VEHICLES must be a whole number, not '$vehicles'" >&2; exit 2 ;; esac
case $kernel in hourly | events) ;; *) echo "end_to_end: KERNEL must be hourly or events, not '$kernel'" >&2; exit 2 ;; esac
[ -x /usr/bin/time ] || { echo "end_to_end: /usr/bin/time (Debian package time) is needed for peak memory" >&2; exit 2; }
bash tools/build.sh >/dev/null
cores=$(nproc)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source bench/probes.sh
echo "commit $(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')," \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), ${cores} cores, kernel ${kernel}"

# run NAME THREADS YEARS REPLICAS CONFIG: prints and records "wall_s ns_per_vh_core peak_mib"
declare -A wall ns peak
run() {
  local name=$1 threads=$2 years=$3 replicas=$4 config=$5
  /usr/bin/time -f '%e %M' -o "$tmp/time" ./build/fleetmc run "$config" --set "fleet.vehicles=$vehicles" \
    --years "$years" --replicas "$replicas" --threads "$threads" --kernel "$kernel" --quiet \
    -o "$tmp/$name.h5" >/dev/null
  read -r w kib <"$tmp/time"
  wall[$name]=$w
  ns[$name]=$(awk -v w="$w" -v t="$threads" -v n="$vehicles" -v y="$years" -v r="$replicas" \
    'BEGIN { printf "%.3f", w * t / (n * 8760.0 * y * r) * 1e9 }')
  peak[$name]=$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')
  printf '%-28s %2d thread(s) %d yr x %d rep: %8.2f s  %6.3f ns/vh/core  peak %7.1f MiB\n' \
    "$name" "$threads" "$years" "$replicas" "$w" "${ns[$name]}" "${peak[$name]}"
}
probe() {
  local name=$1 threads=$2 line
  line=$("./build/$name" "$vehicles" "$threads")
  ns[$name@$threads]=$(sed -n 's/.*ns_per_vehicle_hour_per_core \([0-9.]*\).*/\1/p' <<<"$line")
  printf '%-28s %2d thread(s): %6.3f ns/vh/core\n' "$name" "$threads" "${ns[$name@$threads]}"
}

run baseline_1 1 1 1 configs/baseline.yaml
run baseline_all "$cores" 1 1 configs/baseline.yaml
run realistic_all "$cores" 1 1 configs/realistic.yaml
run baseline_2x2_all "$cores" 2 2 configs/baseline.yaml
for p in "${probes[@]}"; do
  probe "$p" 1
  probe "$p" "$cores"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "--- against the targets of issue 14"
if [[ " ${probes[*]} " == *" floor "* ]]; then
  echo "engine / floor.c, 1 thread: $(ratio "${ns[baseline_1]}" "${ns[floor@1]}") (target <= 0.70, aim 0.45)"
  echo "engine / floor.c, $cores threads: $(ratio "${ns[baseline_all]}" "${ns[floor@$cores]}")"
fi
if [[ " ${probes[*]} " == *" floor_events "* ]]; then
  echo "engine / floor_events.c, 1 thread: $(ratio "${ns[baseline_1]}" "${ns[floor_events@1]}")"
fi
echo "$cores threads faster than 1 by: $(ratio "${wall[baseline_1]}" "${wall[baseline_all]}") x (target >= 1.9 on 2 cores)"
echo "realistic / baseline time: $(ratio "${wall[realistic_all]}" "${wall[baseline_all]}") (target <= 1.3)"
echo "peak memory: ${peak[baseline_all]} MiB for 1 yr x 1 rep, ${peak[baseline_2x2_all]} MiB for 2 yr x 2 rep" \
     "(x $(ratio "${peak[baseline_2x2_all]}" "${peak[baseline_all]}"); target <= 256 MiB, flat)"
