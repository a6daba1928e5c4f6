# shellcheck shell=bash
# lib.sh: helpers for the setup, command and post snippets of cases.tsv (sourced by run.sh into
# the shell that runs each snippet, in the case's own temporary folder).
#
# Set by run.sh: FLEETMC (the program), SRC (the source tree), HERE (tests/bad_inputs), FILES
# (tests/bad_inputs/files), FIX (fixtures made once per run: r.h5, a small fresh result file, and
# the merge parts), BASE (configs/baseline.yaml), PY (/usr/bin/python3), TMP (the case's folder,
# also the working directory), STDOUT_FILE and STDERR_FILE (in post snippets: what the command
# printed).

# Debian's python3 with h5py and numpy, never the first python3 on PATH.
h5edit() { "$PY" "$HERE/h5edit.py" "$@"; }

# variant FILE SECTION KEY VALUE: FILE = "base: baseline.yaml" + that one key, with a copy of
# configs/baseline.yaml beside it (so messages name FILE, and baseline.yaml for the rest).
variant() {
  local dir
  dir=$(dirname "$1")
  [ -f "$dir/baseline.yaml" ] || cp "$BASE" "$dir/baseline.yaml"
  printf 'base: baseline.yaml\n%s:\n  %s: %s\n' "$2" "$3" "$4" >"$1"
}

# region_variant FILE REGION KEY VALUE: as variant, for a field of one region.
region_variant() {
  local dir
  dir=$(dirname "$1")
  [ -f "$dir/baseline.yaml" ] || cp "$BASE" "$dir/baseline.yaml"
  printf 'base: baseline.yaml\nregions:\n  %s:\n    %s: %s\n' "$2" "$3" "$4" >"$1"
}

# full FILE: a complete copy of configs/baseline.yaml (no base:), to cut lines from with sed.
full() { cp "$BASE" "$1"; }

# sig SIGNALS DELAY COMMAND...: runs COMMAND in the background with the default dispositions of
# SIGINT and SIGQUIT (job control on: a non-interactive shell's background commands otherwise
# ignore them), sends it SIGNALS (one name, or several separated by commas, 0.1 s apart) after
# DELAY seconds and returns its exit status. If COMMAND ended before a signal could be sent, says
# so on stderr (the case then fails on its exit code). If the shell is itself stopped (the
# runner's 20 s timeout), COMMAND, in its own process group, is killed too.
sig() {
  local signals=$1 delay=$2 pid signal first=1
  shift 2
  set -m
  "$@" &
  pid=$!
  set +m
  trap 'kill -KILL "$pid" 2>/dev/null' TERM INT HUP
  sleep "$delay"
  for signal in ${signals//,/ }; do
    [ $first = 1 ] || sleep 0.1
    first=0
    if ! kill -s "$signal" "$pid" 2>/dev/null; then
      echo "sig: $1 ended before SIG$signal could be sent after $delay s" >&2
      break
    fi
  done
  wait "$pid"
}

# as_user COMMAND...: runs COMMAND as nobody when run as root (root writes into any folder,
# whatever its mode), else as is.
as_user() {
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
  else
    "$@"
  fi
}

# unchanged FILE COPY: FILE exists, is a regular file and has the bytes of COPY.
unchanged() {
  if [ ! -f "$1" ] || ! cmp -s "$1" "$2"; then
    echo "post: $1 was changed or removed" >&2
    return 1
  fi
}

# stdout_has TEXT / stdout_lacks TEXT: what the command printed on stdout.
stdout_has() {
  grep -qF -- "$1" "$STDOUT_FILE" || { echo "post: stdout lacks '$1'" >&2; return 1; }
}
stdout_lacks() {
  if grep -qF -- "$1" "$STDOUT_FILE"; then
    echo "post: stdout has '$1': $(grep -F -- "$1" "$STDOUT_FILE" | head -n 2)" >&2
    return 1
  fi
}

# h5attr FILE NAME: prints a root attribute of a result file.
h5attr() { "$PY" -c 'import h5py, sys; print(h5py.File(sys.argv[1], "r").attrs[sys.argv[2]])' "$1" "$2"; }

# big_parts: hard links b0.h5 ... b5.h5 in the case's folder to six parts of one study, each of
# 100 replica-years (1 vehicle, 43 MB each: merging them takes seconds), which run.sh makes in
# $FIX/big before the cases when a selected case uses them.
big_parts() {
  local i
  for i in 0 1 2 3 4 5; do ln "$FIX/big/b$i.h5" "b$i.h5" || return 1; done
}
