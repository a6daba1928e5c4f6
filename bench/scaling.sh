#!/usr/bin/env bash
# Scaling of whole runs on this machine (issue 13, point 7): replicas per hour of `fleetmc run`
# of the baseline (VEHICLES cars, 1 year per replica, REPLICAS replicas, the HDF5 file and the
# checkpoint included) at 1 rank x 1 thread, 2 MPI ranks x 1 thread and 1 rank x 2 threads, with
# the peak memory of the largest process; then the cost of writing the result file from the
# checkpoint's records, per replica-year, from a merge of many small replica-years (the same
# writer, reading rows instead of simulating them). Figures go to bench/RESULTS.md by hand.
#
# usage: bash bench/scaling.sh [VEHICLES] [REPLICAS]    (default 1000000 2)
set -euo pipefail
cd "$(dirname "$0")/.."
vehicles=${1:-1000000}
replicas=${2:-2}
bash tools/install-deps.sh mpi >/dev/null
bash tools/build.sh -DFLEETMC_MPI=ON >/dev/null
fleetmc=$PWD/build/fleetmc
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fleetmc_scaling.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "commit $(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
run_case() { # label, then the launcher words before fleetmc (none for one process), then --threads T
  local label=$1 threads=$2
  shift 2
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$tmp/mem" "$@" "$fleetmc" run configs/baseline.yaml --set "fleet.vehicles=$vehicles" \
    --replicas "$replicas" --years 1 --threads "$threads" --quiet -o "$tmp/$label.h5" >/dev/null
  end=$(date +%s.%N)
  awk -v l="$label" -v s="$start" -v e="$end" -v r="$replicas" -v m="$(cat "$tmp/mem")" -v v="$vehicles" 'BEGIN {
    w = e - s
    printf "%-22s %7.1f s  %7.1f replicas/h  %6.3g ns per vehicle-hour  peak %.0f MiB (largest process)\n",
           l, w, 3600 * r / w, 1e9 * w / (v * 8760 * r), m / 1024 }'
}
echo "${replicas} replicas x 1 year of ${vehicles} vehicles (configs/baseline.yaml), wall-clock end to end:"
run_case 1rank_x_1thread 1
# mpirun's own process is /usr/bin/time's child; the peak is the largest of the tree's processes
run_case 2ranks_x_1thread 1 mpirun --allow-run-as-root --oversubscribe --bind-to core -n 2
run_case 1rank_x_2threads 2
# the writer's cost per replica-year: 200 replica-years of 50 cars in 2 files, merged
"$fleetmc" run configs/baseline.yaml --set fleet.vehicles=50 --replicas 100 --years 2 --quiet -o "$tmp/a.h5" >/dev/null
"$fleetmc" run configs/baseline.yaml --set fleet.vehicles=50 --replicas 100 --years 2 --first-replica 100 --quiet \
  -o "$tmp/b.h5" >/dev/null
start=$(date +%s.%N)
"$fleetmc" merge "$tmp/m.h5" "$tmp/a.h5" "$tmp/b.h5" >/dev/null
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "writing the file: %.1f ms per replica-year (merge of 400 replica-years)\n",
                                       1000 * (e - s) / 400 }'
ls -l "$tmp/m.h5" | awk '{ printf "file size: %.0f kB per replica-year\n", $5 / 400 / 1024 }'
