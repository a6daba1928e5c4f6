#!/usr/bin/env bash
# Validation report (issue 11, point 8): runs a scenario at a size that finishes within ten minutes
# on two cores and writes docs/VALIDATION.md, each model part against its published figure.
#
# usage: bash tools/validate.sh [SCENARIO] [--out PATH] [--vehicles N] [--years Y] [--replicas R]
#                               [--winter-vehicles N] [--winter-replicas R] [--outage-households N]
#                               [--outage-years Y] [--outage-replicas R] [--storm-households N]
#                               [--fleetmc PATH]
# SCENARIO defaults to configs/realistic.yaml; a missing scenario is an error (exit 2), never a
# silent fall-back to another one. The runs go to a temporary folder (no result file is touched);
# the report is written under a temporary name and renamed. tools/validate.py does the work;
# `bash tools/validate.sh --help` lists the options and their defaults.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# Debian's own python3, with h5py, numpy and yaml (tools/install-deps.sh), never the first on PATH.
PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
  echo "validate.sh: $PY not found: run tools/install-deps.sh (Debian's python3 with h5py)" >&2
  exit 2
fi
scenario=$ROOT/configs/realistic.yaml
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  scenario=$1
  shift
fi
help=0
for arg in "$@"; do
  case $arg in -h|--help) help=1 ;; esac
done
if [ $help = 0 ] && [ ! -f "$scenario" ]; then
  echo "validate.sh: scenario $scenario not found: give an existing scenario file as the first" \
       "argument (default configs/realistic.yaml)" >&2
  exit 2
fi
# Build fleetmc only when the caller gives none and build/ has none.
fleetmc_given=0
for arg in "$@"; do
  case $arg in --fleetmc|--fleetmc=*) fleetmc_given=1 ;; esac
done
if [ $fleetmc_given = 0 ] && [ $help = 0 ] && [ ! -x "$ROOT/build/fleetmc" ]; then
  bash "$ROOT/tools/build.sh" >&2
fi
exec "$PY" "$ROOT/tools/validate.py" "$scenario" "$@"
