#!/usr/bin/env bash
# Draws the dashboard of a result file, or of two overlaid (tools/plot_results.py), with Debian's own python3, which is the one that
# has python3-h5py and python3-matplotlib (the python3 first on PATH may be another).
# usage: bash tools/plot.sh FILE [FILE2] [-o OUT.png] [--force]
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
if command -v dpkg-query >/dev/null; then
  for p in python3 python3-h5py python3-matplotlib python3-numpy; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
exec /usr/bin/python3 tools/plot_results.py "$@"
