#!/usr/bin/env bash
# Regenerates the reader harness's seed corpus (tests/fuzz/reader/corpus/): one small result file
# written by fleetmc (16 vehicles, 1 year: about 1.1 MB, the smallest a run writes, since its
# eight hourly series keep 8760 values each) and variants of it, truncated, with bytes flipped, or edited with
# Debian's h5py so that each of the reader's checks has a file that fails it. Run it after a
# change of the file format (format_version): seeds of an older format only reach the version
# check; tools/fuzz.sh also runs it at every fuzzing run, with the program it just built, so that
# the fuzzer starts from files of the format being tested even when the committed seeds are older.
# Usage: tests/fuzz/reader/make_corpus.sh [FLEETMC_PROGRAM [OUT]] (default build/fleetmc and
# tests/fuzz/reader/corpus); the .h5 files of OUT are replaced. Needs /usr/bin/python3 with h5py.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
fleetmc=$(realpath -m "${1:-$root/build/fleetmc}")
out=$(realpath -m "${2:-$root/tests/fuzz/reader/corpus}")
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$fleetmc" run configs/baseline.yaml --set fleet.vehicles=16 --years 1 --quiet -o "$work/valid.h5" >/dev/null
mkdir -p "$out"
find "$out" -maxdepth 1 -name '*.h5' -delete
/usr/bin/python3 - "$work/valid.h5" "$out" <<'PY'
import os, shutil, sys
import h5py
import numpy as np

valid, out = sys.argv[1], sys.argv[2]
data = open(valid, "rb").read()

def write(name, content):
    with open(os.path.join(out, name), "wb") as f:
        f.write(content)

write("valid.h5", data)
write("empty.h5", b"")
write("text.h5", b"simulation:\n  seed: 1\n")
write("signature_only.h5", data[:8])
for size in (512, 2048, 4096, 65536, len(data) // 2, len(data) - 1):
    write(f"truncated_{size}.h5", data[:size])
# Flipped bytes in the superblock and in early metadata (object headers, heaps, B-trees), at
# fixed offsets so that the corpus is reproducible.
for offset in (8, 9, 13, 16, 24, 40, 48, 64, 96, 200, 400, 800, 1200, 1600, 2400, 3200, 4000):
    b = bytearray(data)
    b[offset] ^= 0xFF
    write(f"flipped_{offset}.h5", bytes(b))

def edited(name, edit):
    path = os.path.join(out, name)
    shutil.copyfile(valid, path)
    with h5py.File(path, "r+") as f:
        edit(f)

def set_attr(key, value):
    def edit(f):
        del f.attrs[key]
        f.attrs[key] = value
    return edit

edited("attr_format_version_1.h5", set_attr("format_version", np.int64(1)))
edited("attr_filetype_other.h5", set_attr("filetype", "netcdf"))
edited("attr_replicas_2.h5", set_attr("replicas", np.int64(2)))
edited("attr_years_0.h5", set_attr("years", np.int64(0)))
edited("attr_years_string.h5", set_attr("years", "1"))
edited("attr_years_float.h5", set_attr("years", np.float64(1.0)))
edited("attr_first_replica_max.h5", set_attr("first_replica", np.int64(2**63 - 1)))
edited("attr_lease_years_0.h5", set_attr("lease_years", np.int64(0)))
edited("attr_discount_nan.h5", set_attr("discount_rate", np.float64("nan")))
edited("attr_model_sha_short.h5", set_attr("model_sha256", "b5488e46"))
edited("attr_seed_negative.h5", set_attr("seed", np.int64(-1)))

def remove(path):
    def edit(f):
        del f[path]
    return edit

def replace(path, make):
    def edit(f):
        old = f[path][()]
        attrs = dict(f[path].attrs)
        del f[path]
        f[path] = make(old)
        for k, v in attrs.items():
            f[path].attrs[k] = v
    return edit

edited("missing_dataset.h5", remove("/co2/grid_t"))
edited("missing_group.h5", remove("/runtime"))
edited("missing_scenario.h5", remove("/scenario"))
edited("wrong_dtype.h5", replace("/mobility/km_driven", lambda v: v.astype(np.int32)))
edited("wrong_rank.h5", replace("/co2/grid_t", lambda v: v.reshape(-1)))
edited("wrong_length.h5", replace("/storage/energy_kwh", lambda v: v[:, :, :100]))
edited("scenario_edited.h5", replace("/scenario", lambda v: (v.decode() if isinstance(v, bytes) else v)
                                     .replace("vehicles: 16", "vehicles: 17")))
edited("scenario_not_string.h5", replace("/scenario", lambda v: np.arange(4)))
edited("region_names_short.h5", replace("/weather/region", lambda v: v[:11]))
edited("region_names_long.h5", replace("/weather/region", lambda v: np.array(["x" * 300] * len(v), dtype=object)))
edited("region_names_duplicate.h5", replace("/weather/region", lambda v: np.array([v[0]] * len(v), dtype=object)))

def nan_values(f):
    f["/storage/energy_kwh"][...] = np.nan
    f["/budget/npv_eur"][...] = np.inf
    f["/budget/household_account_histogram"][...] = -1.0
    f["/runtime/threads"][...] = -5
edited("nan_values.h5", nan_values)

with h5py.File(os.path.join(out, "not_fleetmc.h5"), "w") as f:
    f["x"] = np.arange(10.0)
    f.attrs["filetype"] = "fleetmc"
PY
# A seed that crashes libhdf5 itself (h5dump dies on it: a flipped byte in a global heap, say)
# would only find that crash again in every run: left out, named (tests/fuzz/findings/ keeps such).
for seed in "$out"/*.h5; do
  rc=0
  timeout 10 h5dump -A "$seed" >/dev/null 2>&1 || rc=$?
  if [ "$rc" -gt 1 ]; then
    echo "make_corpus: left out $(basename "$seed"): h5dump -A ends with status $rc on it (libhdf5)"
    rm -f "$seed"
  fi
done
# Each seed must stay small (libFuzzer mutates whole inputs): refuse one of 2 MB or more.
large=$(find "$out" -type f -size +2047k)
if [ -n "$large" ]; then
  echo "make_corpus: seeds of 2 MB or more: $large" >&2
  exit 1
fi
echo "make_corpus: $(find "$out" -type f | wc -l) seeds in $out ($(du -sh "$out" | cut -f1))"
