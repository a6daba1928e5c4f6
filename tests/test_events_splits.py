"""The events kernel (issue 14, point 2): its results do not depend on how the work is shared.
One run of 3 replicas x 2 years with --kernel events on 2 threads is the reference; the same on
1 and on 4 threads, the replicas run as two jobs (--first-replica) and merged, and (when an MPI
launcher is given) the same over 2 ranks must hold the same datasets bit for bit. The hourly kernel has these
tests in test_run, test_merge and test_mpi; tests/test_kernels_agree.c checks threads inside the
library, this checks the program.

usage: /usr/bin/python3 tests/test_events_splits.py FLEETMC [MPIEXEC]
"""
import os
import shutil
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleettest import CONFIGS, check, finish, run, same_datasets  # noqa: E402

SMALL = os.path.join(CONFIGS, "small.yaml")
# 2,000 cars: 125 blocks, so each thread and rank has many, with solar and outage days
# (which the events kernel leaves to the hourly step) among them
ARGS = ["--set", "fleet.vehicles=2000", "--years", "2", "--kernel", "events", "--quiet"]


def main():
    fleetmc = os.path.abspath(sys.argv[1])
    mpiexec = sys.argv[2] if len(sys.argv) > 2 else None
    tmp = tempfile.mkdtemp(prefix="fleetmc_events_splits_")
    try:
        def fleet_run(name, *extra, launcher=None):
            path = os.path.join(tmp, name + ".h5")
            out = run((launcher or []) + [fleetmc], "run", SMALL, *ARGS, *extra, "-o", path)
            check(out.returncode == 0, f"{name}: rc {out.returncode}, {out.stderr[-400:]!r}")
            return path

        whole = fleet_run("whole", "--replicas", "3", "--threads", "2")
        one_thread = fleet_run("one_thread", "--replicas", "3", "--threads", "1")
        same_datasets(whole, one_thread, "events, 1 thread against 2")
        four_threads = fleet_run("four_threads", "--replicas", "3", "--threads", "4")
        same_datasets(whole, four_threads, "events, 4 threads against 2")

        first = fleet_run("first", "--replicas", "2", "--threads", "2")
        last = fleet_run("last", "--first-replica", "2", "--replicas", "1", "--threads", "2")
        merged = os.path.join(tmp, "merged.h5")
        out = run(fleetmc, "merge", merged, last, first)
        check(out.returncode == 0, f"merge: rc {out.returncode}, {out.stderr[-400:]!r}")
        same_datasets(whole, merged, "events, two jobs merged against one run")

        hourly = os.path.join(tmp, "hourly.h5")
        out = run(fleetmc, "run", SMALL, *[a if a != "events" else "hourly" for a in ARGS], "--replicas", "3",
                  "--threads", "2", "-o", hourly)
        check(out.returncode == 0, f"hourly: rc {out.returncode}")
        # the comparisons above have teeth: the hourly kernel's storage energy differs in its last bits
        with h5py.File(whole, "r") as a, h5py.File(hourly, "r") as b:
            differing = int(np.count_nonzero(a["storage/energy_kwh"][()] != b["storage/energy_kwh"][()]))
        check(differing > 0, "the events and hourly files do not differ at all: this test would not see a run"
              " that ignored --kernel")

        if mpiexec:
            mpi = [mpiexec, "--allow-run-as-root", "--oversubscribe", "-n", "2"]
            ranks = fleet_run("ranks", "--replicas", "3", "--threads", "1", launcher=mpi)
            same_datasets(whole, ranks, "events, 2 ranks against 1 process")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish("test_events_splits")


if __name__ == "__main__":
    sys.exit(main())
