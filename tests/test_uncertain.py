"""test_uncertain.py: uncertain assumptions end to end (README, "Uncertain assumptions").

- a replica's draws and outputs are the same run alone (--first-replica K --replicas 1) as in a
  run of several, and merge of the single-replica files equals the one run, /parameters included;
- a sampled key reaches the model: replica K with the distribution equals, dataset for dataset,
  replica K run with the key set (--set) to the number it drew, and differs from it set to another;
- check prints each distribution;
- an enum key (charging.plug_policy) given as a discrete distribution: /parameters stores the
  drawn name's index, and each replica equals, dataset for dataset, that replica run with the key
  set (--set) to the name it drew.
usage: python3 tests/test_uncertain.py FLEETMC
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

FLEETMC = sys.argv[1]
SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = ["--set", "fleet.vehicles=600", "--years", "1", "--quiet"]
KEY = "fleet.bidirectional_share"


def run(*args):
    subprocess.run([FLEETMC, *args], check=True, stdout=subprocess.DEVNULL)


def replica_rows(path, k):
    """Every dataset whose first axis is the replica axis, at replica offset k (not /parameters)."""
    rows = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset) or name.startswith("parameters") or obj.ndim == 0:
                return
            scales = obj.dims[0].keys()
            if scales and obj.dims[0][0].name.endswith("/replica") and not name.endswith("/replica"):
                rows[name] = obj[k]
        f.visititems(visit)
    return rows


def same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[n], b[n], equal_nan=True) for n in a)


def scenario_checked(tmp, name, body):
    """A scenario on the baseline with body added, and what check prints for it."""
    scenario = os.path.join(tmp, name)
    with open(scenario, "w") as f:
        f.write(f"base: {SOURCE}/configs/baseline.yaml\n" + body)
    return scenario, subprocess.run([FLEETMC, "check", scenario], check=True, capture_output=True, text=True).stdout


def enum_key_case(tmp, failures):
    """charging.plug_policy drawn per replica among both its names, on a tiny fleet."""
    key = "charging.plug_policy"
    names = ["every_arrival", "below_threshold"]  # the enum's order: index 0, 1
    scenario, check = scenario_checked(tmp, "plug.yaml", "charging:\n  plug_policy: {dist: discrete, values: "
                                       "[below_threshold, every_arrival], weights: [0.5, 0.5]}\n")
    if f"#   {key} = discrete(values [below_threshold, every_arrival], weights [0.5, 0.5])" not in check:
        failures.append("check does not print the names of " + key)
    tiny = ["--set", "fleet.vehicles=200", "--years", "1", "--quiet"]
    whole = os.path.join(tmp, "plug.h5")
    run("run", scenario, "-o", whole, "--replicas", "6", *tiny)
    with h5py.File(whole) as w:
        drawn = w["parameters"][key][...]
        text = w["parameters"][key].attrs["distribution"]
        text = text.decode() if isinstance(text, bytes) else str(text)
    if "stored as the index" not in text or "every_arrival | below_threshold" not in text:
        failures.append(f"/parameters/{key} distribution attribute does not say how names are stored: {text}")
    if not set(drawn) <= {0.0, 1.0} or len(set(drawn)) != 2:
        failures.append(f"/parameters/{key} = {list(drawn)}: expected both indices 0 and 1 over 6 replicas")
        return
    for k, index in enumerate(drawn):
        alone = os.path.join(tmp, f"plug{k}.h5")
        run("run", scenario, "-o", alone, "--set", f"{key}={names[int(index)]}", "--first-replica", str(k),
            "--replicas", "1", *tiny)
        if not same(replica_rows(whole, k), replica_rows(alone, 0)):
            failures.append(f"replica {k} ({key} = {names[int(index)]}) differs from a run with {key} set to it")
    # and the name reaches the model: replica 0 with the other name gives other outputs
    other = os.path.join(tmp, "plug_other.h5")
    run("run", scenario, "-o", other, "--set", f"{key}={names[1 - int(drawn[0])]}", "--replicas", "1", *tiny)
    if same(replica_rows(whole, 0), replica_rows(other, 0)):
        failures.append(f"{key}: both names give replica 0 the same outputs: the draw does not reach the model")


def main():
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        scenario, check = scenario_checked(
            tmp, "u.yaml", "fleet:\n  bidirectional_share: {dist: uniform, min: 0.05, max: 0.95}\n"
            "charging:\n  plug_threshold_fraction: {dist: normal, mean: 0.5, sd: 0.1, min: 0.2, max: 0.8}\n")
        if f"#   {KEY} = uniform(min 0.05, max 0.95)" not in check:
            failures.append("check does not print the distribution of " + KEY)

        whole = os.path.join(tmp, "whole.h5")
        run("run", scenario, "-o", whole, "--replicas", "3", *SMALL)
        parts = []
        for k in range(3):
            parts.append(os.path.join(tmp, f"r{k}.h5"))
            run("run", scenario, "-o", parts[-1], "--first-replica", str(k), "--replicas", "1", *SMALL)
        merged = os.path.join(tmp, "merged.h5")
        run("merge", merged, parts[2], parts[0], parts[1])
        with h5py.File(whole) as w, h5py.File(merged) as m, h5py.File(parts[1]) as one:
            keys = list(w["parameters"].attrs["keys"])
            if keys != ["fleet.bidirectional_share", "charging.plug_threshold_fraction"]:
                failures.append(f"/parameters keys {keys}")
            for key in keys:
                if not np.array_equal(w["parameters"][key][...], m["parameters"][key][...]):
                    failures.append(f"merge changes /parameters/{key}")
                if w["parameters"][key][1] != one["parameters"][key][0]:
                    failures.append(f"replica 1 alone draws another {key}")
            if list(m["parameters/replica"][...]) != [0, 1, 2]:
                failures.append("merged /parameters/replica coordinate")
            drawn = w["parameters"][KEY][...]
            threshold = w["parameters"]["charging.plug_threshold_fraction"][1]
            if w["parameters"][KEY].attrs["units"] != "fraction of vehicles":
                failures.append("units of /parameters/" + KEY)
        if not same(replica_rows(whole, 1), replica_rows(parts[1], 0)):
            failures.append("replica 1 alone differs from replica 1 in a run of 3")
        if not same(replica_rows(whole, 2), replica_rows(merged, 2)):
            failures.append("merge differs from the one run")

        # the drawn value reaches the model: the same as the number given by --set, and not another
        fixed = os.path.join(tmp, "fixed.h5")
        other = os.path.join(tmp, "other.h5")
        sets = ["--set", f"charging.plug_threshold_fraction={threshold!r}", "--first-replica", "1", "--replicas", "1"]
        run("run", scenario, "-o", fixed, "--set", f"{KEY}={drawn[1]!r}", *sets, *SMALL)
        run("run", scenario, "-o", other, "--set", f"{KEY}={drawn[0]!r}", *sets, *SMALL)
        if not same(replica_rows(whole, 1), replica_rows(fixed, 0)):
            failures.append(f"replica 1 ({KEY} = {drawn[1]}) differs from a run with {KEY} set to it")
        if same(replica_rows(fixed, 0), replica_rows(other, 0)):
            failures.append(f"{KEY} = {drawn[1]} and {drawn[0]} give the same outputs: the key does not reach the model")
        enum_key_case(tmp, failures)
    for f in failures:
        print("FAIL", f)
    print(f"test_uncertain: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
