# Sourced by bench/run.sh and bench/end_to_end.sh: builds the probes of ../shared/bench/ that are
# there (floor.c, the brute-force hourly floor; floor_events.c, the same stepped by events) into
# build/, and lists their names in the array `probes`.
probes=()
for probe in floor floor_events; do
  if [ -f "../shared/bench/$probe.c" ]; then
    gcc -O3 -march=native -fopenmp "../shared/bench/$probe.c" -o "build/$probe" -lm
    probes+=("$probe")
  fi
done
