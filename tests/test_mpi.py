"""A run over MPI ranks (issue 13, point 1): `mpirun -n 2 fleetmc run ...` writes one file whose
datasets equal, bit for bit, those of one process with the same seed; with --target-error the
ranks stop together, at the replica one process stops at; a run of 2 ranks cut by SIGTERM resumes
on 1 process (another rank count) to the same file.

usage: /usr/bin/python3 tests/test_mpi.py FLEETMC MPIEXEC
Registered when the build has MPI (FLEETMC_MPI). As root, Open MPI's mpirun needs
--allow-run-as-root; --oversubscribe lets 2 ranks run on a machine that Open MPI counts as fewer
slots. Each rank runs 1 thread (--threads 1), the ranks' share of the 2 cores.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleettest import CONFIGS, check, finish, run, same_datasets  # noqa: E402

SMALL = os.path.join(CONFIGS, "small.yaml")
UNCERTAIN = os.path.join(CONFIGS, "uncertain.yaml")


def main():
    fleetmc, mpiexec = os.path.abspath(sys.argv[1]), sys.argv[2]
    mpi = [mpiexec, "--allow-run-as-root", "--oversubscribe", "-n", "2"]
    tmp = tempfile.mkdtemp(prefix="fleetmc_mpi_")
    try:
        cases = [
            # 3 replicas over 2 ranks: shares of 2 and 1
            ("small", SMALL, ["--set", "fleet.vehicles=3000", "--replicas", "3", "--years", "2"]),
            # sampled assumptions: /parameters and the fleet redrawn per replica, from replica 5 on
            ("uncertain", UNCERTAIN, ["--set", "fleet.vehicles=1000", "--replicas", "4", "--first-replica", "5",
                                      "--years", "1"]),
            # one replica: rank 1 has nothing to do and must still take part
            ("one", SMALL, ["--set", "fleet.vehicles=2000", "--replicas", "1", "--years", "1"]),
        ]
        for name, config, args in cases:
            one = os.path.join(tmp, f"{name}_1.h5")
            two = os.path.join(tmp, f"{name}_2.h5")
            out = run(fleetmc, "run", config, *args, "--threads", "1", "-o", one, "--quiet")
            check(out.returncode == 0, f"{name}, 1 process: rc {out.returncode}, {out.stderr[-400:]!r}")
            out = run(mpi + [fleetmc], "run", config, *args, "--threads", "1", "-o", two, "--quiet")
            check(out.returncode == 0, f"{name}, 2 ranks: rc {out.returncode}, {out.stderr[-400:]!r}")
            # rank 0 alone prints the claims table
            check(out.stdout.count("C1") == run(fleetmc, "summary", two).stdout.count("C1"),
                  f"{name}, 2 ranks: the claims table is not printed once")
            if os.path.exists(one) and os.path.exists(two):
                same_datasets(one, two, f"{name}: 2 ranks against 1 process")
            check(not os.path.exists(two + ".ckpt"), f"{name}: the checkpoint folder is left")

        # --target-error: the ranks agree when to stop; an unreachable target runs to the limit
        # (8 then a batch of 2), a reachable one stops where one process stops.
        for target, limit in (("C1=1e-9", "10"), ("C1=0.5", "16")):
            args = ["--set", "fleet.vehicles=500", "--years", "1", "--replicas", limit, "--target-error", target,
                    "--threads", "1", "--quiet"]
            one = os.path.join(tmp, f"target_{limit}_1.h5")
            two = os.path.join(tmp, f"target_{limit}_2.h5")
            a = run(fleetmc, "run", SMALL, *args, "-o", one)
            b = run(mpi + [fleetmc], "run", SMALL, *args, "-o", two)
            check(a.returncode == 0 and b.returncode == 0,
                  f"target {target}: rc {a.returncode} and {b.returncode}: {a.stderr[-300:]!r} {b.stderr[-300:]!r}")
            stop_a = re.search(r"stopped_by: (.*)", a.stdout)
            stop_b = re.search(r"stopped_by: (.*)", b.stdout)
            check(stop_a and stop_b and stop_a.group(1).replace(one, "") == stop_b.group(1).replace(two, ""),
                  f"target {target}: stopped_by differs: {stop_a and stop_a.group(1)!r} vs {stop_b and stop_b.group(1)!r}")
            if os.path.exists(one) and os.path.exists(two):
                same_datasets(one, two, f"target {target}: 2 ranks against 1 process")

        # SIGTERM to mpirun (which passes it to the ranks), then --resume on one process.
        # (20,000 cars x 3 years: seconds left on each rank after the first replica-year, longer than
        # mpirun takes to pass the signal on)
        args = ["--set", "fleet.vehicles=20000", "--replicas", "4", "--years", "3", "--threads", "1"]
        ref = os.path.join(tmp, "cut_ref.h5")
        cut = os.path.join(tmp, "cut.h5")
        out = run(fleetmc, "run", SMALL, *args, "-o", ref, "--quiet")
        check(out.returncode == 0, f"cut reference: rc {out.returncode}")
        process = subprocess.Popen(mpi + [fleetmc, "run", SMALL, *args, "-o", cut], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        for line in process.stderr:
            if re.search(r"replica-years 1/\d+", line):  # rank 0's first replica-year saved
                process.send_signal(signal.SIGTERM)
                break
        process.stderr.read()
        rc = process.wait()
        check(rc != 0 and not os.path.exists(cut), f"2 ranks after SIGTERM: rc {rc}, output exists: {os.path.exists(cut)}")
        records = [f for f in os.listdir(cut + ".ckpt")] if os.path.isdir(cut + ".ckpt") else []
        check(any(f.startswith("replica-") for f in records), f"2 ranks after SIGTERM: no record kept: {records}")
        out = run(fleetmc, "run", SMALL, *args, "-o", cut, "--resume", "--quiet")
        check(out.returncode == 0, f"resume of a 2-rank run on 1 process: rc {out.returncode}, {out.stderr[-400:]!r}")
        if os.path.exists(cut):
            same_datasets(ref, cut, "2 ranks cut by SIGTERM, resumed on 1 process")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish("test_mpi")


if __name__ == "__main__":
    sys.exit(main())
