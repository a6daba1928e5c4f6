#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/) in build-fuzz/ with clang and runs each for
# SECONDS_EACH seconds (default 60): the scenario parser, the --set parser, the result-file reader.
# Usage: bash tools/fuzz.sh [SECONDS_EACH]
#
# Each harness fuzzes a working corpus, build-fuzz/fuzz/NAME/corpus, that starts as a copy of
# tests/fuzz/NAME/corpus and keeps what it finds across runs (the committed seeds are never
# written to), with its dictionary tests/fuzz/NAME.dict. Reproducers land in
# build-fuzz/fuzz/NAME/artifacts/, logs in build-fuzz/fuzz/NAME.log.
#
# Exit status 1 when the scenario or --set harness finds anything (crash, sanitizer report,
# leak, timeout, out-of-memory, a failed check of the harness), or when the reader harness finds
# something whose first frame outside the sanitizers and the C library is fleetmc's code. The
# reader runs with -fork=1 so that it goes on after a crash: libhdf5 is not instrumented and
# trusts much of a file's metadata, so a hostile file can crash inside it; such crashes (first
# frame in libhdf5) and reports without a stack are listed as known, not failures
# (tests/fuzz/findings/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: bash tools/fuzz.sh [SECONDS_EACH] (a whole number of seconds, default 60)" >&2
  exit 2
fi

bash tools/install-deps.sh fuzz
# The build is its own: every target in it is instrumented (CMakeLists.txt, FLEETMC_FUZZ). No
# OpenMP (the harnesses never run the simulation, and clang's libomp would be one more runtime)
# and no -march=native (a corpus found here must replay on any machine).
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLEETMC_FUZZ=ON \
  -DFLEETMC_TESTS=OFF -DFLEETMC_BENCH=OFF -DFLEETMC_NATIVE=OFF -DFLEETMC_OPENMP=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)"

work=$PWD/build-fuzz/fuzz
mkdir -p "$work"
# The harnesses' scratch folders go under here, so that those a crash leaves behind are removed.
export TMPDIR=$work/tmp
rm -rf "$TMPDIR"
mkdir -p "$TMPDIR"
session=""
cleanup() {
  if [ -n "$session" ]; then
    kill -KILL -- "-$session" 2>/dev/null || true
  fi
  rm -rf "$TMPDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Readable stacks (llvm-14's symbolizer), and a stack with every UBSan report.
symbolizer=/usr/lib/llvm-14/bin/llvm-symbolizer
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x "$symbolizer" ]; then
  export ASAN_SYMBOLIZER_PATH=$symbolizer
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# The first stack frame of a report that is not the sanitizers', libFuzzer's or the C library's:
# where the fault is. Frames of the harness binary without a source line are the runtimes' (their
# interceptors: memcpy, read); fleetmc's own code has its file and line. Empty when the report has
# no stack (an RSS limit).
fault_frame() {
  grep -E '^ +#[0-9]+ ' "$1" |
    grep -v -E ' in ((__interceptor_|___interceptor_|__asan|__sanitizer|__ubsan|__lsan|fuzzer::)[^ ]*|malloc|calloc|realloc|free|abort|raise|_start) |\(/[^ ]*/fleetmc_fuzz_[a-z]+\+0x[0-9a-f]+\)|/lib/x86_64-linux-gnu/lib(c|stdc\+\+)\.so|compiler-rt/lib|/nptl/|/sysdeps/|/stdlib/|/csu/' |
    head -n 1 || true
}

# Runs a command in a session of its own and, when it ends, kills what is left of that session:
# fleet_h5_open reads a file in a child process first, and a child that libhdf5 sent into a loop
# outlives a harness stopped for a timeout. (The session also keeps Ctrl-C from the terminal
# away from it: cleanup kills it when this script is interrupted.)
in_session() {
  local rc=0
  setsid "$@" &
  session=$!
  wait "$session" || rc=$?
  kill -KILL -- "-$session" 2>/dev/null || true
  session=""
  return "$rc"
}

# Replays an artifact alone, its report (stderr and stdout) to a file.
replay() {
  local bin=$1 artifact=$2 out=$3
  in_session timeout 60 "$bin" -rss_limit_mb=2048 -timeout=10 "$artifact" >"$out" 2>&1 || true
}

failed=0

# run_fuzzer NAME FORK: fuzzes NAME for $seconds; FORK=1 keeps going after crashes.
run_fuzzer() {
  local name=$1 fork=$2
  local bin=build-fuzz/fleetmc_fuzz_$name dir=$work/$name
  local corpus=$dir/corpus artifacts=$dir/artifacts log=$work/$name.log
  mkdir -p "$corpus"
  rm -rf "$artifacts"
  mkdir -p "$artifacts"
  cp -R tests/fuzz/"$name"/corpus/. "$corpus"/
  local extra=()
  if [ "$name" = reader ]; then
    # Seeds of the format being tested, written by the program just built (make_corpus.sh says why).
    mkdir -p "$dir/fresh"
    if ! bash tests/fuzz/reader/make_corpus.sh build-fuzz/fleetmc "$dir/fresh" >"$dir/fresh.log" 2>&1; then
      echo "  warning: no fresh seeds (see $dir/fresh.log); fuzzing from the committed ones"
    fi
    extra=("$dir/fresh" -max_len=2097152)
  fi
  if [ "$fork" = 1 ]; then
    extra+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  fi
  echo "fuzz: $name for ${seconds} s (log: $log)"
  local rc=0
  in_session "$bin" "$corpus" "${extra[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -dict=tests/fuzz/"$name".dict -artifact_prefix="$artifacts"/ -print_final_stats=1 >"$log" 2>&1 || rc=$?
  { grep -E '(DONE|^#[0-9]+: cov)' "$log" | tail -n 1; grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log"; } |
    sed 's/^/  /' || true

  # -fork finds the same crash again and again: each artifact is replayed (within a time budget)
  # and each kind of report is listed once, with how many artifacts gave it and one of them.
  local found=0 known=0 skipped=0 artifact deadline=$((SECONDS + (seconds > 120 ? seconds : 120)))
  local report frame kind error where signature
  local -A count=() example=()
  for artifact in "$artifacts"/*; do
    [ -e "$artifact" ] || continue
    if [ "$SECONDS" -ge "$deadline" ]; then
      skipped=$((skipped + 1))
      continue
    fi
    report=$artifact.report
    replay "$bin" "$artifact" "$report"
    frame=$(fault_frame "$report")
    if [ "$name" = reader ] && [ -z "$frame" ]; then
      kind="known: no stack (outside fleetmc's instrumented code, or an RSS limit)"
      known=$((known + 1))
    elif [ "$name" = reader ] && [[ $frame == *libhdf5* ]]; then
      kind="known: inside libhdf5"
      known=$((known + 1))
    else
      kind="FINDING"
      found=$((found + 1))
    fi
    error=$({ grep -m 1 -E 'ERROR|runtime error|fuzz check failed|ALARM' "$report" || true; } |
      sed -E 's/==[0-9]+== ?//; s/0x[0-9a-f]+/0x.../g')
    where=$(sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ in //; s/ \(BuildId: [0-9a-f]+\)//' <<<"$frame")
    signature=$kind$'\t'$error$'\t'$where
    count[$signature]=$((${count[$signature]:-0} + 1))
    [ -n "${example[$signature]:-}" ] || example[$signature]=$artifact
  done
  for signature in "${!count[@]}"; do
    IFS=$'\t' read -r kind error where <<<"$signature"
    echo "  $kind: ${count[$signature]} reproducer(s), e.g. ${example[$signature]} (report beside it, .report)"
    [ -z "$error" ] || echo "    $error"
    [ -z "$where" ] || echo "    at $where"
  done
  # A run that stopped with a failure status but left nothing to replay (the harness could not
  # start, or libFuzzer refused an option) is a failure too.
  if [ "$rc" -ne 0 ] && [ "$found" -eq 0 ] && [ "$known" -eq 0 ] && [ "$skipped" -eq 0 ]; then
    echo "  FAILED: exit status $rc without a reproducer; the end of $log:"
    tail -n 20 "$log" | sed 's/^/    /'
    found=1
  fi
  if [ "$found" -gt 0 ]; then
    failed=1
  fi
  echo "  $name: $found finding(s), $known known libhdf5 one(s), $skipped not replayed (time budget)"
}

run_fuzzer scenario 0
run_fuzzer set 0
run_fuzzer reader 1
if [ "$failed" -ne 0 ]; then
  echo "fuzz: FAILED: reproducers and reports in $work/*/artifacts/ (replay one: build-fuzz/fleetmc_fuzz_NAME FILE)"
  exit 1
fi
echo "fuzz: no finding in fleetmc's code"
