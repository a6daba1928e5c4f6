#!/usr/bin/env bash
# Installs the Debian 12 packages fleetmc needs to build, run and test, if any is missing.
# Runs as root (or through sudo when present); does nothing when all are there or when the
# system has no dpkg. Usage: bash tools/install-deps.sh [fuzz] [mpi]
set -euo pipefail
# python3 and its modules: the tests that read result files run Debian's /usr/bin/python3.
packages=(cmake make gcc g++ pkg-config git libhdf5-dev hdf5-tools libyaml-dev libcriterion-dev libpcg-cpp-dev
          python3 python3-h5py python3-numpy python3-xarray python3-h5netcdf python3-netcdf4 python3-pandas
          time)  # GNU time: the peak memory of bench/load.sh and bench/end_to_end.sh
# Groups apart, so that a plain build (the quick start) needs neither clang nor MPI:
# "fuzz" (tools/fuzz.sh) adds clang and libFuzzer: libFuzzer and the sanitizers' runtimes are in
# libclang-rt-14-dev, which clang-14 only recommends (and recommends are not installed here);
# llvm-14 has llvm-symbolizer, for stacks with names.
# "mpi" (tools/test.sh, clusters) adds Open MPI, its compiler wrappers and mpirun: the program then
# splits runs over MPI ranks (README, "Running on a cluster").
for group in "$@"; do
  case "$group" in
    fuzz) packages+=(clang-14 libclang-rt-14-dev llvm-14) ;;
    mpi) packages+=(openmpi-bin libopenmpi-dev) ;;
    *) echo "install-deps: unknown group '$group'; usage: bash tools/install-deps.sh [fuzz] [mpi]" >&2; exit 2 ;;
  esac
done
if ! command -v dpkg-query >/dev/null; then
  # Not Debian: the names above are Debian's, so the build finds (or misses) their equivalents itself.
  echo "install-deps: no dpkg here, skipping package installation; needed: ${packages[*]}"
  exit 0
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
