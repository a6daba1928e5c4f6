"""Every scenario key reaches the model: perturbed alone, it changes the result file.

usage: /usr/bin/python3 tests/test_keys_reach.py FLEETMC LIST_KEYS [--jobs N] [--only KEY]... [--verbose]

LIST_KEYS is the keys_reach_list program (tests/keys_reach/list_keys.c), which prints the
parser's table of keys (engine/scenario.c param_table). Each key is expanded into what --set can
address: a scalar, each element of an array, and each region's field (regions.NAME.field and
regions.NAME.field.I). For each, fleetmc runs the variants of tests/keys_reach/ (all_features.yaml
first: every feature on, rare events frequent, a small fleet) with that one key perturbed
(--set KEY=VALUE), and every dataset of the result is compared with the unperturbed run's. A key
passes when some value differs; it fails when no accepted perturbation, on any variant, changes
anything, or when the loader refuses every perturbation (exit 2). tests/keys_reach/README.md says
how the perturbations are chosen and which keys are handled apart (and why).
"""
import concurrent.futures
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time

import h5py
import numpy as np
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.join(ROOT, "tests", "keys_reach")
# The variants, in the order tried: a key that changes nothing on the first is tried on the next.
VARIANTS = ["all_features.yaml", "all_features_ac.yaml"]

# Result datasets that are not the model's outputs: the resolved scenario (it echoes every key) and
# the run's own timing. Root attributes are never compared (provenance, or echoes of keys).
IGNORED_DATASETS = {"scenario", "runtime/wall_seconds"}

# Array elements that the loader pins to one value (engine/scenario.c check_outage_rules): no
# perturbation of them can be accepted, so they carry no information. The test checks that the
# loader does refuse every perturbation of them; the day it accepts one, they are tested as any key.
PINNED = {
    "storm.restoration_days.0": "must be 0: the restoration curve starts on the day of the storm",
    "storm.still_cut_fraction.0": "must be 1: every household a storm cuts is cut on its day",
    "storm.still_cut_fraction.LAST": "must be 0: every household is back by the curve's last point",
    "storm.extreme_restoration_days.0": "must be 0: the restoration curve starts on the day of the storm",
    "storm.extreme_still_cut_fraction.0": "must be 1: every household a storm cuts is cut on its day",
    "storm.extreme_still_cut_fraction.LAST": "must be 0: every household is back by the curve's last point",
}


def weekday_of_1_january(year):
    return datetime.date(year, 1, 1).weekday()  # 0 = Monday, as simulation.first_weekday


def text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def lookup(tree, key, kind):
    """The value of key in the resolved scenario (read as plain strings), as a Python value."""
    node = tree
    for part in key.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    if kind in ("real", "real_array"):
        return float(node)
    if kind in ("int", "uint64"):
        return int(node)
    if kind == "bool":
        return {"true": True, "false": False}[node]
    return node


def expand(table, resolved):
    """(key, desc, value) for every address --set accepts, in the table's order."""
    out = []
    for desc in table:
        if desc["section"] == "regions":
            prefixes = [f"regions.{name}.{desc['name']}" for name in resolved["regions"]]
        else:
            prefixes = [f"{desc['section']}.{desc['name']}"]
        for prefix in prefixes:
            if desc["kind"] == "real_array":
                for i in range(desc["count"]):
                    out.append((f"{prefix}.{i}", desc, lookup(resolved, f"{prefix}.{i}", desc["kind"])))
            else:
                out.append((prefix, desc, lookup(resolved, prefix, desc["kind"])))
    return out


def short(x):
    """x rounded to 6 significant digits (readable values on the command line)."""
    return float(f"{x:.6g}")


def real_candidates(v, lo, hi):
    """+-20 %, then halfway to the middle of [lo, hi], then +-20 % of the range, then the bounds."""
    mid = (lo + hi) / 2
    raw = []
    if v != 0:
        raw += [v * 1.2, v * 0.8]
    raw += [v + (mid - v) / 2, v + 0.2 * (hi - lo), v - 0.2 * (hi - lo), mid, lo, hi]
    out = []
    for x in raw:
        x = short(x)
        if lo <= x <= hi and x != v and x not in out:
            out.append(x)
    return out


def int_candidates(v, lo, hi):
    raw = [v + 1, v - 1, (int(lo) + int(hi)) // 2, int(lo), int(hi)]
    out = []
    for x in raw:
        if lo <= x <= hi and x != v and x not in out:
            out.append(x)
    return out


def perturbations(key, desc, value, resolved):
    """Lists of overrides to try, in order; each list is one run. Most are one override; a key tied
    to another by an equality rule of the loader moves with a companion (README.md)."""
    kind = desc["kind"]
    if kind == "bool":
        return [[(key, not value)]]
    if kind == "enum":
        return [[(key, name)] for name in desc["enum_names"] if name != value]
    if kind == "uint64":
        return [[(key, x)] for x in (value + 1, value - 1) if 0 <= x < 2**64]
    if kind == "int":
        if key == "simulation.first_year" or key == "simulation.first_weekday":
            # first_weekday must be the weekday of 1 January of first_year: the two move together.
            year = int(resolved["simulation"]["first_year"])
            return [[("simulation.first_year", y), ("simulation.first_weekday", weekday_of_1_january(y))]
                    for y in (year + 1, year - 1)]
        return [[(key, x)] for x in int_candidates(value, desc["min"], desc["max"])]
    candidates = real_candidates(value, desc["min"], desc["max"])
    if desc["section"] == "regions" and desc["name"] == "fleet_share":
        # The shares must sum to 1 within 1e-6: the next region (in file order) gives or takes
        # what this one takes or gives.
        names = list(resolved["regions"])
        this = key.split(".")[1]
        other = names[(names.index(this) + 1) % len(names)]
        other_value = float(resolved["regions"][other]["fleet_share"])
        runs = []
        for x in candidates:
            y = short(other_value - (x - value))
            if 0 <= y <= 1 and abs((x - value) + (y - other_value)) <= 1e-9:
                runs.append([(key, x), (f"regions.{other}.fleet_share", y)])
        return runs
    return [[(key, x)] for x in candidates]


class Runner:
    def __init__(self, fleetmc, tmp):
        self.fleetmc, self.tmp, self.count, self.seconds = fleetmc, tmp, 0, 0.0
        self.lock = threading.Lock()

    def run(self, variant, overrides, tag):
        """Runs fleetmc; (exit status, output path, first line of stderr)."""
        out = os.path.join(self.tmp, tag + ".h5")
        args = [self.fleetmc, "run", os.path.join(HERE, variant), "--threads", "1", "--quiet", "--force", "-o", out]
        for k, v in overrides:
            args += ["--set", f"{k}={text(v)}"]
        start = time.monotonic()
        p = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        with self.lock:
            self.seconds += time.monotonic() - start
            self.count += 1
        return p.returncode, out, (p.stderr.strip().splitlines() or [""])[0]


def datasets(path):
    values = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and name not in IGNORED_DATASETS:
                values[name] = obj[()]
        f.visititems(visit)
    return values


def differences(base, path):
    """Names of the datasets of path that differ from base (added or missing ones included)."""
    other = datasets(path)
    names = []
    for name in sorted(set(base) | set(other)):
        a, b = base.get(name), other.get(name)
        if a is None or b is None:
            names.append(name)
            continue
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            names.append(name)
        elif a.dtype.kind == "f" and b.dtype.kind == "f":
            if not np.array_equal(a, b, equal_nan=True):
                names.append(name)
        elif not np.array_equal(a, b):
            names.append(name)
    return names


def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def show(overrides):
    return " ".join(f"--set {k}={text(v)}" for k, v in overrides)


def check_key(runner, bases, key, desc, values, resolved, index):
    """(status, detail): status 'reaches', 'pinned', 'dead', 'refused' or 'error'."""
    tried, refused = [], []
    for variant in VARIANTS:
        for n, overrides in enumerate(perturbations(key, desc, values[variant], resolved[variant])):
            rc, out, message = runner.run(variant, overrides, f"k{index}_{n}_{variant[:-5]}")
            if rc == 2:
                refused.append(f"{variant}: {show(overrides)}: {message}")
                continue
            if rc != 0:
                return "error", f"{variant}: {show(overrides)}: exit {rc}: {message}"
            changed = differences(bases[variant], out)
            os.remove(out)
            if changed:
                return "reaches", (f"{variant}: {show(overrides)}: {len(changed)} datasets differ, e.g. /{changed[0]}"
                                   + (f" ({len(refused)} refused, {len(tried)} without effect before)"
                                      if refused or tried else ""))
            tried.append(f"{variant}: {show(overrides)}")
    if tried:
        return "dead", "no dataset changed with " + "; ".join(tried)
    return "refused", "every perturbation was refused by the loader: " + " | ".join(refused)


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    fleetmc, list_keys = args[0], args[1]
    jobs, only, verbose = 2, [], False
    i = 2
    while i < len(args):
        if args[i] == "--verbose":
            verbose, i = True, i + 1
        elif args[i] == "--jobs":
            jobs, i = int(args[i + 1]), i + 2
        elif args[i] == "--only":
            only.append(args[i + 1])
            i += 2
        else:
            print(f"unknown argument {args[i]}")
            return 2
    start = time.monotonic()
    table = [json.loads(line) for line in subprocess.run([list_keys], check=True, capture_output=True,
                                                           text=True).stdout.splitlines()]
    resolved = {}
    for variant in VARIANTS:
        p = subprocess.run([fleetmc, "check", os.path.join(HERE, variant)], check=True, capture_output=True, text=True)
        # BaseLoader: every scalar a string (a region named "no" stays a name), converted by kind.
        resolved[variant] = yaml.load(p.stdout, Loader=yaml.BaseLoader)
    entries = {}  # key -> (desc, {variant: value})
    for variant in VARIANTS:
        for key, desc, value in expand(table, resolved[variant]):
            entries.setdefault(key, (desc, {}))[1][variant] = value
    unknown = [k for k in only if k not in entries]
    if unknown:
        print(f"FAIL --only names no address of the scenario: {', '.join(unknown)}")
        return 2
    keys = [k for k in entries if not only or k in only]
    if not keys:
        print(f"FAIL {list_keys} printed no keys")
        return 1
    failures = []
    # fleetmc syncs each result file to disk before renaming it into place: in memory (tmpfs) that
    # costs nothing, on a disk it can double a run's time.
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="test_keys_reach_", dir=shm) as tmp:
        runner = Runner(fleetmc, tmp)
        # The unperturbed runs; the first one twice, to show the outputs compared are deterministic.
        bases = {}
        for variant in VARIANTS:
            rc, out, message = runner.run(variant, [], "base_" + variant[:-5])
            if rc != 0:
                print(f"FAIL the unperturbed {variant} does not run: exit {rc}: {message}")
                return 1
            bases[variant] = datasets(out)
        rc, out, message = runner.run(VARIANTS[0], [], "base_again")
        again = differences(bases[VARIANTS[0]], out) if rc == 0 else [f"exit {rc}: {message}"]
        if again:
            print(f"FAIL two unperturbed runs of {VARIANTS[0]} differ: {', '.join(again)}")
            return 1

        def task(index_key):
            index, key = index_key
            desc, values = entries[key]
            pinned = PINNED.get(key)
            if desc["kind"] == "real_array" and key.endswith(f".{desc['count'] - 1}"):
                pinned = pinned or PINNED.get(key.rsplit(".", 1)[0] + ".LAST")
            status, detail = check_key(runner, bases, key, desc, values, resolved, index)
            if pinned and status == "refused":
                status, detail = "pinned", pinned
            return key, status, detail

        counts = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            for key, status, detail in pool.map(task, enumerate(keys)):
                counts[status] = counts.get(status, 0) + 1
                if status in ("dead", "refused", "error"):
                    failures.append((key, status, detail))
                elif status == "pinned":
                    print(f"pinned  {key}: {detail} (the loader refuses every other value)")
                elif verbose:
                    print(f"{status} {key}: {detail}")
    for key, status, detail in failures:
        print(f"FAIL {key}: {'reaches nothing' if status == 'dead' else status}: {detail}")
    print(f"{len(keys)} keys: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) +
          f"; {runner.count} runs of fleetmc ({runner.seconds:.0f} s of runs) in {time.monotonic() - start:.0f} s"
          f" with {jobs} jobs; CPU: fleetmc {cpu(resource.RUSAGE_CHILDREN):.0f} s, this script {cpu(resource.RUSAGE_SELF):.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
