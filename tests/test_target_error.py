"""run --target-error CLAIM=X (issue 12, point 6): replicas are added until the claim's relative
95 % half-width is below X, or until --replicas; the root attribute stopped_by says which.

usage: /usr/bin/python3 tests/test_target_error.py FLEETMC
Tiny fleets (300 vehicles, 1 year). Plain runs of 8, 12, 16 and 20 replicas give, through
`summary --format json`, the relative half-width of C1's deciding row at each point where the
target is tested (8 replicas, then every 4); a target is then picked between two of them, so the
replica count the run must stop at is known whatever the model's numbers are. Checks:
(1) that target stops before the limit, at that count, and stopped_by says so with the
    half-width the summary gives; every dataset of the file equals the plain run's of that many
    replicas bit for bit;
(2) an impossible target (1e-9) runs to --replicas (10: a last batch of 2) and stopped_by says the
    limit was reached; datasets equal the plain 10-replica run's; --replicas 5 (< 8) says it was
    never tested; a scenario with sampled assumptions (configs/uncertain.yaml) keeps its
    /parameters equal too;
a file without the attribute (written before it) still reads, one with it altered does not;
(3) bad values exit 2 naming the option and the value, writing nothing; check refuses the option;
(4) no temporary file is left beside the output after a run; after SIGINT in the middle of one,
    its checkpoint folder alone, which --resume (with another --replicas) ends as the plain run.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleettest import check, finish, run, datasets, same_datasets as assert_same_datasets  # noqa: E402
BASE = os.path.join(ROOT, "configs", "baseline.yaml")
SMALL = ["--set", "fleet.vehicles=300", "--years", "1", "--quiet"]
ROW = "c1_evening_battery_winter"  # the row whose mean decides C1 (summary's claim_verdict_rows)








def relative_half_width(fleetmc, path):
    out = run(fleetmc, "summary", path, "--format", "json")
    assert out.returncode == 0, out.stderr
    row = next(r for r in json.loads(out.stdout)["rows"] if r["id"] == ROW)
    mean = row["statistics"]["mean"]
    return (mean["ci_high"] - mean["ci_low"]) / 2 / abs(mean["value"])








def attr(path, name):
    with h5py.File(path, "r") as f:
        value = f.attrs[name]
    return value.decode() if isinstance(value, bytes) else value


def main():
    fleetmc = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        def path(name):
            return os.path.join(tmp, name)

        # the plain runs, and the half-width at each test point
        width = {}
        for n in (8, 10, 12, 16, 20):
            out = run(fleetmc, "run", BASE, *SMALL, "--replicas", str(n), "-o", path(f"plain{n}.h5"))
            assert out.returncode == 0, out.stderr
            check(attr(path(f"plain{n}.h5"), "stopped_by") == "", f"a plain run's stopped_by is not empty")
            width[n] = relative_half_width(fleetmc, path(f"plain{n}.h5"))
        print("relative half-widths:", width)

        # (1) a target between the smallest half-width so far and the first test point that beats it
        tested = [8, 12, 16, 20]
        stop_at = next((n for i, n in enumerate(tested) if i and width[n] < min(width[m] for m in tested[:i])), None)
        check(stop_at is not None, f"no test point improves on the ones before it: {width}")
        if stop_at is not None:
            target = (width[stop_at] + min(width[m] for m in tested if m < stop_at)) / 2
            spec = f"C1={target:.6g}"
            out = run(fleetmc, "run", BASE, *SMALL, "--replicas", "20", "--target-error", spec, "-o", path("t1.h5"))
            check(out.returncode == 0, f"target {spec}: exit {out.returncode}: {out.stderr}")
            if out.returncode == 0:
                stopped = attr(path("t1.h5"), "stopped_by")
                check(stopped.startswith(f"target_error {spec} met at {stop_at} replicas"),
                      f"target {spec}: expected to stop at {stop_at} replicas, stopped_by '{stopped}'")
                check(attr(path("t1.h5"), "replicas") == stop_at, f"target {spec}: file holds "
                      f"{attr(path('t1.h5'), 'replicas')} replicas, expected {stop_at}")
                # the half-width recorded (%.3g) is the one summary computes from the file
                check(f"relative 95 % half-width {width[stop_at]:.3g} of {ROW}" in stopped,
                      f"stopped_by '{stopped}' does not carry summary's half-width {width[stop_at]:.3g}")
                check(f"stopped_by: {stopped}" in out.stdout, "run does not print stopped_by")
                assert_same_datasets(path("t1.h5"), path(f"plain{stop_at}.h5"), f"target {spec}")
                check(attr(path("t1.h5"), "command_line").find("--target-error") >= 0,
                      "command_line does not hold --target-error")

        # (2) an impossible target runs to the limit
        out = run(fleetmc, "run", BASE, *SMALL, "--replicas", "10", "--target-error", "C1=1e-9", "-o", path("t2.h5"))
        check(out.returncode == 0, f"target 1e-9: exit {out.returncode}: {out.stderr}")
        if out.returncode == 0:
            stopped = attr(path("t2.h5"), "stopped_by")
            check(stopped.startswith("replica limit 10 reached (target_error C1=1e-09 not met"),
                  f"target 1e-9: stopped_by '{stopped}'")
            check(f"half-width {width[10]:.3g} of {ROW}" in stopped, f"'{stopped}': not summary's {width[10]:.3g}")
            assert_same_datasets(path("t2.h5"), path("plain10.h5"), "target 1e-9, 10 replicas")
        # sampled assumptions: /parameters of batches 8 + 1 equal the plain run's
        uncertain = os.path.join(ROOT, "configs", "uncertain.yaml")
        out = run(fleetmc, "run", uncertain, *SMALL, "--replicas", "9", "-o", path("plain_u9.h5"))
        assert out.returncode == 0, out.stderr
        out = run(fleetmc, "run", uncertain, *SMALL, "--replicas", "9", "--target-error", "C3=1e-9", "-o", path("tu.h5"))
        check(out.returncode == 0, f"uncertain.yaml: exit {out.returncode}: {out.stderr}")
        if out.returncode == 0:
            check(any(name.startswith("parameters/") for name in datasets(path("tu.h5"))), "uncertain: no /parameters")
            assert_same_datasets(path("tu.h5"), path("plain_u9.h5"), "uncertain.yaml, 9 replicas")
            check(attr(path("tu.h5"), "stopped_by").startswith("replica limit 9 reached (target_error C3=1e-09"),
                  f"uncertain: stopped_by '{attr(path('tu.h5'), 'stopped_by')}'")
        out = run(fleetmc, "run", BASE, *SMALL, "--replicas", "5", "--target-error", "C4=0.5", "-o", path("t3.h5"))
        check(out.returncode == 0, f"--replicas 5: exit {out.returncode}: {out.stderr}")
        if out.returncode == 0:
            stopped = attr(path("t3.h5"), "stopped_by")
            check(stopped.startswith("replica limit 5 reached (target_error C4=0.5 not met, never tested below 8")
                  and "c4_npv" in stopped, f"--replicas 5: stopped_by '{stopped}'")

        # a file written before stopped_by existed (no attribute) still reads; an altered one does not
        shutil.copy(path("plain8.h5"), path("old.h5"))
        with h5py.File(path("old.h5"), "r+") as f:
            del f.attrs["stopped_by"]
        out = run(fleetmc, "summary", path("old.h5"))
        check(out.returncode == 0, f"a file without stopped_by: exit {out.returncode}: {out.stderr}")
        shutil.copy(path("t2.h5"), path("altered.h5"))
        with h5py.File(path("altered.h5"), "r+") as f:
            f.attrs.modify("stopped_by", "target_error C1=1e-09 met at 10 replicas")
        out = run(fleetmc, "summary", path("altered.h5"))
        check(out.returncode == 2 and "attributes_sha256" in out.stderr, f"an altered stopped_by: {out.stderr!r}")
        for name in ("old.h5", "altered.h5"):
            os.remove(path(name))

        # (4) nothing but the outputs in the folder
        left = sorted(f for f in os.listdir(tmp) if ".target." in f or ".tmp." in f)
        check(not left, f"temporary files left: {left}")

        # (3) bad values
        for value in ["C9=0.01", "C2=0.01", "C1=0", "C1=-0.01", "C1=abc", "C1=", "C1", "=0.01", "C1=nan", "C1=inf",
                      "C1=0.01x", "c1=0.01"]:
            out = run(fleetmc, "run", BASE, *SMALL, "--target-error", value, "-o", path("bad.h5"))
            check(out.returncode == 2, f"--target-error {value}: exit {out.returncode}, expected 2")
            check("--target-error" in out.stderr and f"'{value}'" in out.stderr,
                  f"--target-error {value}: message does not name the option and value: {out.stderr!r}")
            check(not os.path.exists(path("bad.h5")), f"--target-error {value}: a file was written")
        out = run(fleetmc, "run", BASE, *SMALL, "--target-error")
        check(out.returncode == 2 and "needs a value" in out.stderr, f"--target-error alone: {out.stderr!r}")
        out = run(fleetmc, "check", BASE, "--target-error", "C1=0.01")
        check(out.returncode == 2, f"check --target-error: exit {out.returncode}")

        # (4) SIGINT once the first batch and a replica of the second are saved: exit 130, the
        # checkpoint folder kept, whole (no temporary file); the same command with --resume, here
        # with --replicas 10 (the replica count is not part of the model), then ends as the
        # uninterrupted 10-replica run t2 did: its batches are decided again from the same records.
        stop_dir = path("stop")
        os.mkdir(stop_dir)
        out_path = os.path.join(stop_dir, "out.h5")
        ckpt = out_path + ".ckpt"
        proc = subprocess.Popen([fleetmc, "run", BASE, *SMALL, "--replicas", "100000", "--target-error", "C1=1e-9",
                                 "-o", out_path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def records():
            return sum(f.endswith(".done") for f in os.listdir(ckpt)) if os.path.isdir(ckpt) else 0
        # the poll waits for the program, not for a time: it ends when the records show
        while proc.poll() is None and records() < 9:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate()
        check(proc.returncode == 130, f"SIGINT: exit {proc.returncode}: {err}")
        check("--resume" in err and ckpt in err, f"SIGINT: message {err!r}")
        check(os.listdir(stop_dir) == ["out.h5.ckpt"], f"SIGINT: files beside the output: {os.listdir(stop_dir)}")
        check(not any(".tmp." in f for f in os.listdir(ckpt)), f"SIGINT: temporaries kept: {os.listdir(ckpt)}")
        out = run(fleetmc, "run", BASE, *SMALL, "--replicas", "10", "--target-error", "C1=1e-9", "-o", out_path,
                  "--resume")
        check(out.returncode == 0, f"resume: exit {out.returncode}: {out.stderr[-300:]!r}")
        if out.returncode == 0:
            check(attr(out_path, "stopped_by") == attr(path("t2.h5"), "stopped_by"),
                  f"resume: stopped_by {attr(out_path, 'stopped_by')!r}, uninterrupted {attr(path('t2.h5'), 'stopped_by')!r}")
            assert_same_datasets(out_path, path("t2.h5"), "target run stopped by SIGINT and resumed")
        check(os.listdir(stop_dir) == ["out.h5"], f"resume: files beside the output: {os.listdir(stop_dir)}")

    return finish("test_target_error")


if __name__ == "__main__":
    sys.exit(main())
