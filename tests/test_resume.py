"""Checkpoint and resume (issue 13, points 2 and 3): a run cut by SIGKILL or stopped by SIGTERM
(or SIGUSR1, Slurm's warning before the time limit) and then resumed with --resume ends with the
file an uncut run writes, bit for bit in every dataset; a checkpoint of another scenario, seed or
build is refused, saying which; progress lines go to a log that is not a terminal.

usage: /usr/bin/python3 tests/test_resume.py FLEETMC
Runs of 3,000 vehicles x 3 replicas x 2 years of configs/small.yaml (about 0.05 s a replica-year
here). A run is cut after its k-th progress line (replica-year k saved), so the cut always falls
inside the run, whatever the machine's speed.
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
ARGS = ["--set", "fleet.vehicles=3000", "--replicas", "3", "--years", "2", "--threads", "2"]
LINE = re.compile(r"^fleetmc: \S+Z replica-years (\d+)/(\d+) \(\d+ %\)(, \d+ from the checkpoint)?, \S+ "
                  r"vehicle-hours/s, \d+ s elapsed, \d+ s left$")


def cut(fleetmc, output, after_lines, sig, extra=()):
    """Starts the run, sends sig after its after_lines-th progress line; (exit code, stderr)."""
    process = subprocess.Popen([fleetmc, "run", SMALL, *ARGS, "-o", output, *extra], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    lines = []
    for line in process.stderr:
        lines.append(line)
        if LINE.match(line.rstrip("\n")) and sum(bool(LINE.match(x.rstrip("\n"))) for x in lines) == after_lines:
            process.send_signal(sig)
            break
    rest = process.stderr.read()
    return process.wait(), "".join(lines) + rest


def folder_files(path):
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def main():
    fleetmc = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="fleetmc_resume_")
    try:
        ref = os.path.join(tmp, "ref.h5")
        out = run(fleetmc, "run", SMALL, *ARGS, "-o", ref, "--quiet")
        check(out.returncode == 0 and out.stderr == "", f"plain run: rc {out.returncode}, stderr {out.stderr!r}")
        check(not os.path.exists(ref + ".ckpt"), "a finished run leaves its checkpoint folder")

        # Progress in a log (stderr a pipe): one line per replica-year, the last 6/6.
        log = os.path.join(tmp, "log.h5")
        out = run(fleetmc, "run", SMALL, *ARGS, "-o", log)
        lines = out.stderr.splitlines()
        check(len(lines) == 6 and all(LINE.match(x) for x in lines),
              f"progress lines in a log: expected 6 of the documented form, got {lines}")
        check(lines and LINE.match(lines[-1]) and LINE.match(lines[-1]).group(1) == "6", "last progress line not 6/6")

        # 1. SIGKILL after replica-year 3: nothing can run on the way out.
        killed = os.path.join(tmp, "killed.h5")
        rc, err = cut(fleetmc, killed, 3, signal.SIGKILL)
        check(rc == -signal.SIGKILL, f"SIGKILL: rc {rc}")
        files = folder_files(killed + ".ckpt")
        check(not os.path.exists(killed), "SIGKILL: an output was written")
        check("replica-00000000.done" in files and "replica-00000001.part" in files and "manifest" in files,
              f"SIGKILL: the checkpoint lacks replica 0's record, replica 1's year or its manifest: {files}")
        # the same command without --resume refuses to start over it
        out = run(fleetmc, "run", SMALL, *ARGS, "-o", killed, "--quiet")
        check(out.returncode == 2 and "--resume" in out.stderr and "--force" in out.stderr,
              f"run over a checkpoint without --resume: rc {out.returncode}, {out.stderr!r}")
        out = run(fleetmc, "run", SMALL, *ARGS, "-o", killed, "--resume")
        check(out.returncode == 0, f"resume after SIGKILL: rc {out.returncode}, {out.stderr[-500:]!r}")
        resumed_lines = [x for x in out.stderr.splitlines() if LINE.match(x)]
        check(resumed_lines and "from the checkpoint" in resumed_lines[0],
              f"resume: its progress does not say what came from the checkpoint: {resumed_lines[:2]}")
        check(len(resumed_lines) <= 4, f"resume after 3 saved replica-years recomputed too much: {resumed_lines}")
        if os.path.exists(killed):
            same_datasets(ref, killed, "SIGKILL then --resume")
        check(not os.path.exists(killed + ".ckpt"), "resume: the checkpoint folder is left after success")

        # 2. SIGTERM (and SIGUSR1, Slurm's --signal) after replica-year 1: a clean stop, exit 130,
        # replica 0 half done (its first year and the fleet's state after it saved).
        for name, sig in (("SIGTERM", signal.SIGTERM), ("SIGUSR1", signal.SIGUSR1)):
            stopped = os.path.join(tmp, f"stopped_{name}.h5")
            rc, err = cut(fleetmc, stopped, 1, sig)
            check(rc == 130, f"{name}: rc {rc} (expected 130), {err[-300:]!r}")
            check("--resume" in err and stopped + ".ckpt" in err, f"{name}: the message does not say how to resume: "
                  f"{err.splitlines()[-1:]!r}")
            files = folder_files(stopped + ".ckpt")
            check("replica-00000000.part" in files and not any(".tmp." in f for f in files),
                  f"{name}: the checkpoint after a clean stop: {files}")
            out = run(fleetmc, "run", SMALL, *ARGS, "-o", stopped, "--resume", "--quiet")
            check(out.returncode == 0 and out.stderr == "", f"resume after {name}: rc {out.returncode}, {out.stderr!r}")
            if os.path.exists(stopped):
                same_datasets(ref, stopped, f"{name} then --resume")

        # 3. A checkpoint of another run is refused, saying what differs.
        other = os.path.join(tmp, "other.h5")
        rc, err = cut(fleetmc, other, 2, signal.SIGTERM)
        check(rc == 130, f"SIGTERM for the refusals: rc {rc}")
        cases = [
            (["--seed", "7"], "seed"),
            (["--set", "fleet.bidirectional_share=0.5"], "fleet.bidirectional_share"),
            (["--years", "3"], "simulation.years"),
        ]
        for extra, named in cases:
            out = run(fleetmc, "run", SMALL, *ARGS, *extra, "-o", other, "--resume", "--quiet")
            check(out.returncode == 2 and named in out.stderr and "another" in out.stderr,
                  f"resume with {extra}: expected exit 2 naming {named}: rc {out.returncode}, {out.stderr!r}")
        out = run(fleetmc, "run", SMALL, *ARGS, "--kernel", "events", "-o", other, "--resume", "--quiet")
        check(out.returncode == 2 and "--kernel hourly" in out.stderr,
              f"resume with another kernel: rc {out.returncode}, {out.stderr!r}")
        manifest = os.path.join(other + ".ckpt", "manifest")
        with open(manifest) as f:
            text = f.read()
        with open(manifest, "w") as f:
            f.write(re.sub(r"git_commit: .*", "git_commit: 0123456789abcdef0123456789abcdef01234567", text))
        out = run(fleetmc, "run", SMALL, *ARGS, "-o", other, "--resume", "--quiet")
        check(out.returncode == 2 and "0123456789ab" in out.stderr and "build" in out.stderr,
              f"resume with another build's checkpoint: rc {out.returncode}, {out.stderr!r}")
        with open(manifest, "w") as f:
            f.write(text)
        # a damaged record (truncated) is refused with its name, never used
        record = os.path.join(other + ".ckpt", "replica-00000000.done")
        size = os.path.getsize(record)
        with open(record, "r+b") as f:
            f.truncate(size - 8)
        out = run(fleetmc, "run", SMALL, *ARGS, "-o", other, "--resume", "--quiet")
        check(out.returncode == 2 and "replica-00000000.done" in out.stderr and "damaged" in out.stderr,
              f"resume with a truncated record: rc {out.returncode}, {out.stderr!r}")
        check(not os.path.exists(other), "a refused resume wrote an output")
        # --force without --resume discards the checkpoint and starts over
        out = run(fleetmc, "run", SMALL, *ARGS, "-o", other, "--force", "--quiet")
        check(out.returncode == 0, f"--force over a checkpoint: rc {out.returncode}, {out.stderr!r}")
        if os.path.exists(other):
            same_datasets(ref, other, "--force over a checkpoint")

        # 4. --resume with no checkpoint starts from the beginning; --quiet silences progress.
        fresh = os.path.join(tmp, "fresh.h5")
        out = run(fleetmc, "run", SMALL, *ARGS, "-o", fresh, "--resume", "--quiet")
        check(out.returncode == 0 and out.stderr == "", f"--resume without a checkpoint: {out.returncode}, {out.stderr!r}")
        if os.path.exists(fresh):
            same_datasets(ref, fresh, "--resume without a checkpoint")
        check(sorted(os.listdir(tmp)) == sorted(["ref.h5", "log.h5", "killed.h5", "stopped_SIGTERM.h5",
                                                  "stopped_SIGUSR1.h5", "other.h5", "fresh.h5"]),
              f"files left in the output folder: {sorted(os.listdir(tmp))}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish("test_resume")


if __name__ == "__main__":
    sys.exit(main())
