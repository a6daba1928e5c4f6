#!/usr/bin/env bash
# run.sh FLEETMC [ID_PATTERN]...: runs the catalogue of bad inputs (cases.tsv) against FLEETMC.
#
# Each case runs in a fresh temporary folder (its working directory): the setup snippet, then the
# command, each under `timeout 20` (a case that runs longer is a hang, and fails), then the checks:
#   - the exit code is the expected one (a crash, 128 + signal, or a hang never is);
#   - stderr contains the fragment (literal, or an extended regex after "re:") and each of the
#     names (";"-separated literal strings: the file, key, option or value the message must name);
#   - when the expected exit code is not 0: no regular file of the folder was created, changed or
#     removed (no output, and an existing output untouched), but a signal case's checkpoint folder
#     OUTPUT.ckpt/ (kept by design for --resume: it must then be whole and the message say so);
#   - never a *.tmp.* file left anywhere in the folder;
#   - the post snippet, if any, exits 0.
# One line per case, PASS or FAIL with the reasons, then a summary by class; the exit status is 1
# if any case failed, 2 if the catalogue itself is malformed. ID_PATTERNs (shell globs) select
# cases. KEEP=1 keeps the temporary folders.
#
# cases.tsv: one case per line, 8 tab-separated columns, "-" for an empty one; lines starting with
# "#" and blank lines are ignored:
#   id  class  setup  command  exit  stderr  names  post
# Placeholders in every column: {FLEETMC} {SRC} {HERE} {FILES} {FIX} {BASE} {TMP} and {SMALL}
# (--set fleet.vehicles=50 --years 1: a run of well under a second). The snippets run in bash
# with lib.sh's helpers and the same names as variables ($FLEETMC, $TMP, ...).
set -u
export LC_ALL=C
shopt -u patsub_replacement 2>/dev/null || true

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
  echo "usage: run.sh FLEETMC [ID_PATTERN]..." >&2
  exit 2
fi
FLEETMC=$(realpath "$1")
shift
PATTERNS=("$@")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
FILES=$HERE/files
BASE=$SRC/configs/baseline.yaml
PY=/usr/bin/python3
SMALL="--set fleet.vehicles=50 --years 1"
CASE_TIMEOUT=20
export FLEETMC HERE SRC FILES BASE PY SMALL
ulimit -c 0 # a crash must not leave a core file among the case's files

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fleetmc_bad_inputs.XXXXXX") || exit 1
chmod 755 "$WORK" # as_user runs some commands as nobody
# A copy of the program: a rebuild while the cases run (another build in the same tree) must not
# swap the program under them. Its RUNPATH is absolute, so the copy finds the same libraries.
mkdir -p "$WORK/bin"
cp "$FLEETMC" "$WORK/bin/fleetmc" || exit 1
FLEETMC=$WORK/bin/fleetmc
chmod 755 "$WORK/bin" "$FLEETMC"
FIX=$WORK/fixtures
export FIX
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$EPOCHREALTIME

# ---- the catalogue --------------------------------------------------------------------------
TSV=$HERE/cases.tsv
if ! awk -F'\t' '
  /^#/ || /^[[:space:]]*$/ { next }
  NF != 8 { printf "cases.tsv:%d: %d columns, expected 8 (id class setup command exit stderr names post)\n", NR, NF; bad = 1; next }
  { for (i = 1; i <= 8; i++) if ($i == "") { printf "cases.tsv:%d: column %d is empty (write -)\n", NR, i; bad = 1 } }
  $5 !~ /^[0-9]+$/ { printf "cases.tsv:%d: exit code %s is not a number\n", NR, $5; bad = 1 }
  seen[$1]++ { printf "cases.tsv:%d: id %s given twice\n", NR, $1; bad = 1 }
  END { exit bad }' "$TSV" >&2; then
  echo "run.sh: $TSV is malformed" >&2
  exit 2
fi

selected() {
  [ ${#PATTERNS[@]} -eq 0 ] && return 0
  local p
  for p in "${PATTERNS[@]}"; do
    # shellcheck disable=SC2053
    [[ $1 == $p ]] && return 0
  done
  return 1
}

# ---- fixtures: small fresh runs, made once ---------------------------------------------------
mkdir -p "$FIX"
chmod 755 "$FIX"
# A fixture that cannot be made is reported here; the cases that copy it then fail at their setup.
fixture() { # fixture NAME ARGS...: $FIX/NAME.h5 from a run of the baseline with ARGS
  local name=$1
  shift
  # shellcheck disable=SC2086 # SMALL is a list of arguments
  if ! (cd "$FIX" && timeout -k 5 30 "$FLEETMC" run "$BASE" $SMALL --quiet "$@" -o "$name.h5") >"$FIX/$name.log" 2>&1; then
    echo "run.sh: cannot make fixture $name: fleetmc run $BASE $SMALL --quiet $* -o $name.h5:" >&2
    sed 's/^/  /' "$FIX/$name.log" >&2
    rm -f "$FIX/$name.h5"
  fi
}
fixture r                                  # the small result file most result-file cases damage
fixture p0 --replicas 1 --first-replica 0  # parts of one study, for merge
fixture p1 --replicas 1 --first-replica 1
fixture p2 --replicas 1 --first-replica 2
fixture p01 --replicas 2 --first-replica 0
fixture p12 --replicas 2 --first-replica 1
fixture seed7_p1 --replicas 1 --first-replica 1 --seed 7   # parts of other studies
fixture kwh40_p1 --replicas 1 --first-replica 1 --set fleet.battery_kwh=40
fixture years2_p1 --replicas 1 --first-replica 1 --years 2
fixture veh60_p1 --replicas 1 --first-replica 1 --set fleet.vehicles=60
fixture y2028_p1 --replicas 1 --first-replica 1 --set simulation.first_year=2028 --set simulation.first_weekday=5
# Six large parts of one study for the cases that stop a merge with a signal (lib.sh big_parts):
# real runs, three at a time on one thread each, made only when a selected case uses them.
big_parts_wanted() {
  local id class setup rest
  while IFS=$'\t' read -r id class setup rest; do
    case $id in '#'* | '') continue ;; esac
    [[ $setup == *big_parts* ]] && selected "$id" && return 0
  done <"$TSV"
  return 1
}
if big_parts_wanted; then
  mkdir -p "$FIX/big"
  pids=()
  for i in 0 1 2 3 4 5; do
    timeout -k 5 120 "$FLEETMC" run "$BASE" --set fleet.vehicles=1 --replicas 1 --first-replica $i --years 100 \
      --threads 1 --quiet -o "$FIX/big/b$i.h5" >"$FIX/big/b$i.log" 2>&1 &
    pids+=($!)
    if [ ${#pids[@]} = 3 ] || [ $i = 5 ]; then
      for pid in "${pids[@]}"; do
        wait "$pid" || { echo "run.sh: cannot make the large merge parts:" >&2; cat "$FIX"/big/*.log >&2; }
      done
      pids=()
    fi
  done
fi
chmod -R a+rX "$FIX"

# ---- the cases ------------------------------------------------------------------------------
expand() { # expand TEXT TMP: the placeholders replaced
  local s=$1
  s=${s//'{FLEETMC}'/$FLEETMC}
  s=${s//'{SRC}'/$SRC}
  s=${s//'{HERE}'/$HERE}
  s=${s//'{FILES}'/$FILES}
  s=${s//'{FIX}'/$FIX}
  s=${s//'{BASE}'/$BASE}
  s=${s//'{TMP}'/$2}
  s=${s//'{SMALL}'/$SMALL}
  printf '%s' "$s"
}

# run_snippet DIR SNIPPET: runs SNIPPET in DIR in a bash with lib.sh's helpers and TMP=DIR, under
# the timeout, stdin from /dev/null. The subshell's stderr is the caller's, so that the report of
# a crash (printed by the shell that waited for the process) lands with the case's stderr.
run_snippet() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  (cd "$1" && TMP=$1 CASE_SNIPPET=$2 timeout -k 5 "$CASE_TIMEOUT" bash -c '. "$HERE/lib.sh"; eval "$CASE_SNIPPET"') </dev/null
}

# Regular files under a folder with size, modification time and inode: what a failed command
# must leave as it was.
snapshot() { (cd "$1" && find . -type f -printf '%P\t%s\t%T@\t%i\n' 2>/dev/null | LC_ALL=C sort); }

excerpt() { # excerpt FILE: its first 400 bytes on one line
  head -c 400 "$1" | tr '\n\t' '  ' | tr -cd '[:print:]'
  [ "$(wc -c <"$1")" -gt 400 ] && printf ' [...]'
}


mkdir -p "$WORK/cases" "$WORK/logs"
chmod 755 "$WORK/cases"
total=0
passed=0
failed_ids=()
declare -A class_total class_passed

while IFS=$'\t' read -r id class setup command want fragment names post; do
  case $id in '#'* | '') continue ;; esac
  selected "$id" || continue
  total=$((total + 1))
  class_total[$class]=$((${class_total[$class]:-0} + 1))
  dir=$WORK/cases/$id
  mkdir -p "$dir"
  chmod 755 "$dir"
  out=$WORK/logs/$id.out
  err=$WORK/logs/$id.err
  : >"$out"
  : >"$err"
  [ "$setup" = - ] && setup=
  [ "$post" = - ] && post=
  setup=$(expand "$setup" "$dir")
  command=$(expand "$command" "$dir")
  fragment=$(expand "$fragment" "$dir")
  names=$(expand "$names" "$dir")
  post=$(expand "$post" "$dir")
  reasons=()

  setup_ok=1
  if [ -n "$setup" ]; then
    run_snippet "$dir" "$setup" >"$WORK/logs/$id.setup" 2>&1
    setup_rc=$?
    if [ $setup_rc != 0 ]; then
      setup_ok=0
      reasons+=("setup failed (exit $setup_rc$([ $setup_rc = 124 ] && echo ", timed out")): $(excerpt "$WORK/logs/$id.setup")")
    fi
  fi

  rc=-
  seconds=0
  if [ $setup_ok = 1 ]; then
    before=$(snapshot "$dir")
    t0=$EPOCHREALTIME
    run_snippet "$dir" "$command" >"$out" 2>"$err"
    rc=$?
    seconds=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
    after=$(snapshot "$dir")

    if [ "$rc" != "$want" ]; then
      if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        reasons+=("hang: still running after ${CASE_TIMEOUT} s (killed; exit $rc), expected exit $want")
      elif [ "$rc" -gt 128 ] && [ "$want" -le 128 ]; then
        reasons+=("crash: killed by signal $((rc - 128)) (exit $rc), expected exit $want")
      else
        reasons+=("exit $rc, expected $want")
      fi
    fi
    if [ "$fragment" != - ]; then
      if [[ $fragment == re:* ]]; then
        grep -qE -- "${fragment#re:}" "$err" || reasons+=("stderr does not match /${fragment#re:}/")
      else
        grep -qF -- "$fragment" "$err" || reasons+=("stderr lacks '$fragment'")
      fi
    fi
    if [ "$names" != - ]; then
      IFS=';' read -r -a name_list <<<"$names"
      for name in "${name_list[@]}"; do
        [ -z "$name" ] && continue
        grep -qF -- "$name" "$err" || reasons+=("stderr does not name '$name'")
      done
    fi
    # A run stopped by a signal keeps what it completed in OUTPUT.ckpt/, by design (`run --resume`
    # continues it): those files are not the case's leftovers, but then the folder must be a whole
    # checkpoint (its manifest there, no temporary) and the message must say how to resume.
    if [ "$class" = signal ]; then
      kept=$(cd "$dir" && find . -type d -name '*.ckpt' | head -n 1)
      if [ -n "$kept" ]; then
        [ -f "$dir/$kept/manifest" ] || reasons+=("checkpoint $kept kept without its manifest")
        grep -qF -- "--resume" "$err" || reasons+=("checkpoint $kept kept, but stderr does not say --resume")
      fi
      before=$(printf '%s\n' "$before" | grep -v '\.ckpt/')
      after=$(printf '%s\n' "$after" | grep -v '\.ckpt/')
    fi
    if [ "$want" != 0 ] && [ "$before" != "$after" ]; then
      changes=$(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | grep '^[<>]' |
                awk -F'\t' '{ sub(/^> /, "+", $1); sub(/^< /, "-", $1); print $1 }' | sort -u -k1.2 | head -n 6 |
                tr '\n' ' ')
      reasons+=("files created, changed or removed by a failing command: $changes")
    fi
    leftovers=$(cd "$dir" && find . -name '*.tmp.*' 2>/dev/null | head -n 5 | tr '\n' ' ')
    [ -n "$leftovers" ] && reasons+=("temporary files left: $leftovers")
    if [ -n "$post" ]; then
      export STDOUT_FILE=$out STDERR_FILE=$err
      if ! run_snippet "$dir" "$post" >"$WORK/logs/$id.post" 2>&1; then
        reasons+=("post check failed: $(excerpt "$WORK/logs/$id.post")")
      fi
    fi
  fi

  if [ ${#reasons[@]} -eq 0 ]; then
    passed=$((passed + 1))
    class_passed[$class]=$((${class_passed[$class]:-0} + 1))
    printf 'PASS  %-28s %-9s %6.2fs\n' "$id" "$class" "$seconds"
  else
    failed_ids+=("$id")
    printf 'FAIL  %-28s %-9s %6.2fs  %s\n' "$id" "$class" "$seconds" "${reasons[0]}"
    for reason in "${reasons[@]:1}"; do printf '      %s\n' "$reason"; done
    printf '      command: %s\n' "$(printf '%s' "$command" | tr '\n' ' ' | cut -c1-300)"
    printf '      stderr:  %s\n' "$(excerpt "$err")"
  fi
  [ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
done <"$TSV"

elapsed=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
echo
echo "by class:"
for class in $(printf '%s\n' "${!class_total[@]}" | sort); do
  printf '  %-9s %3d of %3d passed\n' "$class" "${class_passed[$class]:-0}" "${class_total[$class]}"
done
printf 'bad inputs: %d cases, %d passed, %d failed, in %.0f s\n' "$total" "$passed" "$((total - passed))" "$elapsed"
if [ ${#failed_ids[@]} -gt 0 ]; then
  echo "failed: ${failed_ids[*]}"
  exit 1
fi
[ "$total" -gt 0 ] || { echo "run.sh: no case selected" >&2; exit 2; }
exit 0
