"""Outage minutes per customer-year through the engine, with and without storms.

usage: /usr/bin/python3 tools/storm_minutes.py FLEETMC [CONFIG] [--vehicles N] [--replicas R] [--years Y]

Runs CONFIG (default configs/baseline.yaml) twice on the same seed, as configured and with
storm.rate_per_year=0, and reads /outage/household_hours [replica, year]. Storms never shift the
other draws (kernels/outages.c), so the two runs have the same ordinary interruptions and the
difference per replica-year is the storms' own minutes (less the rare overlaps that merging
removes). Each replica-year is one draw of the national storm year, independent of the others, so
the standard error of a mean is the sample sd of the replica-year figures / sqrt(R x Y). An outage
still going on at the end of the last year is cut there (its tail would fall in a year not run).
docs/CALIBRATION_STORMS.md gives the figures of the committed baseline.
"""
import argparse
import math
import os
import subprocess
import tempfile

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_fleetmc(fleetmc, config, sets, vehicles, replicas, years, out):
    """Runs CONFIG with the given size and --set overrides into OUT (replaced: a scratch path).
    Shared with tools/validate.py, whose runs are made the same way."""
    cmd = [fleetmc, "run", config, "-o", out, "--force", "--quiet", "--replicas", str(replicas),
           "--years", str(years), "--set", f"fleet.vehicles={vehicles}"]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def minutes_per_household_year(fleetmc, config, sets, vehicles, replicas, years, out):
    run_fleetmc(fleetmc, config, sets, vehicles, replicas, years, out)
    with h5py.File(out, "r") as f:
        return 60.0 * np.asarray(f["outage/household_hours"][:], dtype=float).ravel() / vehicles


def mean_se(x):
    """Mean and standard error of independent draws (the replica-years): sample sd / sqrt(n)."""
    x = np.asarray(x, dtype=float).ravel()
    return x.mean(), (x.std(ddof=1) / math.sqrt(x.size) if x.size > 1 else float("nan"))


def line(name, x):
    _, se = mean_se(x)
    print(f"{name:34s} {x.mean():8.3f} min   se {se:6.3f}   ({x.size} replica-years)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fleetmc")
    ap.add_argument("config", nargs="?", default=os.path.join(ROOT, "configs", "baseline.yaml"))
    ap.add_argument("--vehicles", type=int, default=320)
    ap.add_argument("--replicas", type=int, default=200)
    ap.add_argument("--years", type=int, default=10)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        args = (a.vehicles, a.replicas, a.years)
        with_storms = minutes_per_household_year(a.fleetmc, a.config, [], *args, os.path.join(tmp, "with.h5"))
        without = minutes_per_household_year(a.fleetmc, a.config, ["storm.rate_per_year=0"], *args,
                                             os.path.join(tmp, "without.h5"))
    print(f"{a.config}: {a.vehicles} households, {a.replicas} replicas x {a.years} years")
    line("without storms (ordinary)", without)
    line("with storms", with_storms)
    line("storms (paired difference)", with_storms - without)


if __name__ == "__main__":
    main()
