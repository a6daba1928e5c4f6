"""tools/sweep.py (issue 13, point 5): a grid or a list of points, one file per point, run P at a time or
as a Slurm array, then one CSV row per point with every quantity of `summary --format csv`.

usage: /usr/bin/python3 tests/test_sweep.py FLEETMC
Tiny points (configs/small.yaml at 300 vehicles, 1 year, 2 replicas: a fraction of a second each).
Checks:
(1) a 2-point grid over fleet.bidirectional_share (0.2, 0.8) with --jobs 2: the table has 2 rows whose
    every cell of every quantity equals, as text, the point's own `fleetmc summary --format csv` row;
    pandas reads it; C1's means are higher at 0.8 with disjoint confidence intervals (4 times the
    V2G cars: the effect is far outside the Monte Carlo error); points.csv and the logs are there;
(2) the same sweep again skips both points (files untouched) and writes the same table;
(3) bad input exits 2 with a message naming the option or the point, before anything is written:
    options, grids, keys, a missing config, P < 1, and a point fleetmc check refuses;
(4) --slurm with --points FILE (the same two points): the script is an array of both, with
    --signal=B:USR1@120 and --resume where fleetmc has it; each task run with bash and
    SLURM_ARRAY_TASK_ID writes its point, a bad task index exits 2, and the printed --table-only
    command builds a table equal to (1)'s;
(5) with a stand-in fleetmc that fails one point or waits for a signal on another: a failed point is
    reported with its log's last lines, the others finish, exit 1, the table lists the finished
    ones; USR1 to the array script reaches fleetmc, and exit 130 requeues the task through scontrol
    as ARRAYJOB_TASK; SIGINT to a local sweep reaches the running point, exit 130, no table;
(6) a file that is not the point's result (here: 2 replicas where the point asks for 3) is refused,
    exit 2, naming the key that differs; --force replaces it;
(7) where fleetmc has --resume: the real fleetmc under the array script, USR1 once its first replica
    is in the checkpoint: exit 130, checkpoint kept, task requeued; the task run again (as the
    requeue would) resumes, and its table equals an uninterrupted sweep's of the same point.
"""
import csv
import io
import os
import shlex
import signal
import stat
import subprocess
import sys
import tempfile
import time

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWEEP = os.path.join(ROOT, "tools", "sweep.py")
CONFIG = os.path.join(ROOT, "configs", "small.yaml")
SMALL = ["--set", "fleet.vehicles=300", "--years", "1", "--replicas", "2"]
GRID = ["--grid", "fleet.bidirectional_share=0.2,0.8"]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleettest import check, finish  # noqa: E402
NAMES = ["fleet.bidirectional_share=0.2", "fleet.bidirectional_share=0.8"]




def sweep(*args, env=None):
    return subprocess.run([sys.executable, SWEEP, *args], capture_output=True, text=True, env=env)


def read_csv_text(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def summary_rows(fleetmc, path):
    out = subprocess.run([fleetmc, "summary", path, "--format", "csv"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return list(csv.DictReader(io.StringIO(out.stdout)))


def mtimes(folder):
    return {n: os.stat(os.path.join(folder, n)).st_mtime_ns for n in os.listdir(folder) if n.endswith(".h5")}


def write_executable(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


def wait_for(proc, path):
    """Until the stand-in has started (it writes `path`) or the process has ended: no time limit."""
    while proc.poll() is None and not os.path.exists(path):
        time.sleep(0.02)


def check_table_against_summaries(fleetmc, outdir, table_path, what):
    rows = read_csv_text(table_path)
    check([r["name"] for r in rows] == NAMES, f"{what}: table rows {[r['name'] for r in rows]}, expected {NAMES}")
    for row in rows:
        path = os.path.join(os.path.dirname(table_path), row["file"])
        check(os.path.abspath(path) == os.path.join(outdir, row["name"] + ".h5"), f"{what}: file column {row['file']}")
        summary = summary_rows(fleetmc, path)
        check(len(summary) > 100, f"{what}: only {len(summary)} summary rows")
        check(row["n_replicas"] == "2", f"{what}: n_replicas {row['n_replicas']}")
        check(row["fleet.bidirectional_share"] == row["name"].split("=")[1], f"{what}: key column of {row['name']}")
        differing = []
        for s in summary:
            stem = f"{s['quantity_id']}.{s['statistic']}" + (f"[{s['assumption']}]" if s["assumption"] else "")
            for suffix, field in (("", "value"), (".se", "se"), (".ci_low", "ci_low"), (".ci_high", "ci_high")):
                if row.get(stem + suffix) != s[field]:
                    differing.append((stem + suffix, row.get(stem + suffix), s[field]))
            if s["proposal_figure"] and row.get(stem + ".verdict") != s["verdict"]:
                differing.append((stem + ".verdict", row.get(stem + ".verdict"), s["verdict"]))
        check(not differing, f"{what}: {row['name']}: cells differ from its summary: {differing[:5]}")
        # no column the summary does not have (4 fields per row, plus verdicts, plus name, file, key, n_replicas)
        verdicts = sum(1 for s in summary if s["proposal_figure"])
        check(len(row) == 4 * len(summary) + verdicts + 4, f"{what}: {len(row)} columns for {len(summary)} rows")
    return rows


def main():
    fleetmc = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        base = ["--fleetmc", fleetmc, CONFIG, *SMALL]

        # (1) a 2-point grid, 2 at a time
        out1 = os.path.join(tmp, "grid")
        res = sweep(*base, *GRID, "-o", out1, "--jobs", "2")
        check(res.returncode == 0, f"grid sweep: exit {res.returncode}: {res.stdout}{res.stderr}")
        table1 = os.path.join(out1, "sweep.csv")
        check_table_against_summaries(fleetmc, out1, table1, "grid sweep")
        frame = pd.read_csv(table1, float_precision="round_trip")
        check(frame.shape[0] == 2 and frame["c1_evening_battery_winter.mean"].dtype.kind == "f",
              f"pandas reads {frame.shape}, dtype {frame['c1_evening_battery_winter.mean'].dtype}")
        low, high = frame.set_index("fleet.bidirectional_share").loc[0.2], frame.set_index(
            "fleet.bidirectional_share").loc[0.8]
        for q in ("c1_evening_battery_winter.mean", "c1_cars_battery.mean", "c1_cars_deliverable.mean"):
            check(high[q + ".ci_low"] > low[q + ".ci_high"],
                  f"{q}: 0.8's interval [{high[q + '.ci_low']}, ...] not above 0.2's [..., {low[q + '.ci_high']}]")
        points = read_csv_text(os.path.join(out1, "points.csv"))
        check([(p["name"], p["file"], p["fleet.bidirectional_share"]) for p in points] ==
              [(n, n + ".h5", n.split("=")[1]) for n in NAMES], f"points.csv: {points}")
        check(sorted(os.listdir(os.path.join(out1, "logs"))) == [n + ".log" for n in NAMES],
              f"logs: {os.listdir(os.path.join(out1, 'logs'))}")
        columns = read_csv_text(os.path.join(out1, "sweep.columns.csv"))
        check([c["column"] for c in columns] == list(frame.columns), "sweep.columns.csv does not list the columns")
        described = {c["column"]: c for c in columns}
        check(described["c1_cars_battery.mean.ci_low"]["unit"] == "GWh", "columns file: unit of c1_cars_battery")

        # (2) again: both points skipped, files untouched, the same table
        before = mtimes(out1)
        with open(table1, "rb") as f:
            first_table = f.read()
        res = sweep(*base, *GRID, "-o", out1, "--jobs", "2")
        check(res.returncode == 0 and "2 finished, 0 to run" in res.stdout,
              f"rerun: exit {res.returncode}: {res.stdout}{res.stderr}")
        check(mtimes(out1) == before, "rerun: a finished point's file was written again")
        with open(table1, "rb") as f:
            check(f.read() == first_table, "rerun: the table differs")

        # (3) bad input: exit 2, a message naming what is wrong, nothing written
        bad = os.path.join(tmp, "bad")
        cases = [
            (["--grid", "fleet.vehicles="], "has no values"),
            (["--grid", "fleet.vehicles"], "no '='"),
            (["--grid", "fleet.vehicles=300,,400"], "an empty value"),
            (["--grid", "fleet.vehicles=300,300"], "repeated"),
            (["--grid", "fleet.vehicles=300", "--set", "fleet.employed_share"], "--set 'fleet.employed_share'"),
            (["--grid", "fleet.vehicles=300", "--jobs", "0"], "--jobs 0"),
            (["--grid", "fleet.vehicles=300", "--bogus"], "--bogus"),
            ([], "either --grid"),
            (["--grid", "fleet.vehicles=300", "--points", os.path.join(tmp, "none.txt")], "either --grid"),
            (["--points", os.path.join(tmp, "none.txt")], "none.txt"),
            (["--grid", "simulation.years=1,2"], "also given by --years"),
            (["--grid", "fleet.bidirectional_share=0.2,1.5"], "point 1 (fleet.bidirectional_share=1.5)"),
        ]
        for args, expected in cases:
            res = sweep(*base, "-o", bad, *args)
            check(res.returncode == 2, f"{args}: exit {res.returncode}, expected 2: {res.stderr}")
            check(expected in res.stderr, f"{args}: message {res.stderr!r} does not say {expected!r}")
        res = sweep("--fleetmc", fleetmc, os.path.join(tmp, "missing.yaml"), *SMALL, *GRID, "-o", bad)
        check(res.returncode == 2 and "missing.yaml" in res.stderr, f"missing config: {res.returncode} {res.stderr!r}")
        check(not os.path.exists(bad), f"bad input wrote {bad}")

        # (4) the same two points as a Slurm array, from a points file
        points_file = os.path.join(tmp, "points.txt")
        with open(points_file, "w") as f:
            f.write("# the two shares of (1)\nfleet.bidirectional_share=0.2   # low\n\nfleet.bidirectional_share=0.8\n")
        out2 = os.path.join(tmp, "slurm")
        res = sweep(*base, "--points", points_file, "-o", out2, "--slurm")
        check(res.returncode == 0, f"--slurm: exit {res.returncode}: {res.stdout}{res.stderr}")
        script = os.path.join(out2, "sweep.sbatch")
        with open(script) as f:
            text = f.read()
        has_resume = "--resume" in subprocess.run([fleetmc, "--help"], capture_output=True, text=True).stdout
        for line in ("#SBATCH --array=0-1\n", "#SBATCH --signal=B:USR1@120\n", "#SBATCH --requeue\n",
                     "resume=(--resume)\n" if has_resume else "resume=()\n"):
            check(line in text, f"sweep.sbatch lacks {line!r}")
        check(f"sbatch {script}" in res.stdout, f"--slurm does not print the sbatch command: {res.stdout}")
        check(not any(n.endswith(".h5") for n in os.listdir(out2)), "--slurm ran a point")
        env = dict(os.environ, SLURM_ARRAY_JOB_ID="77")
        for task in ("0", "1"):
            run = subprocess.run(["bash", script], capture_output=True, text=True, cwd=tmp,
                                 env=dict(env, SLURM_ARRAY_TASK_ID=task))
            check(run.returncode == 0, f"task {task}: exit {run.returncode}: {run.stdout}{run.stderr}")
        for task in ("2", "x", ""):
            run = subprocess.run(["bash", script], capture_output=True, text=True, env=dict(env, SLURM_ARRAY_TASK_ID=task))
            check(run.returncode == 2 and "SLURM_ARRAY_TASK_ID" in run.stderr, f"task '{task}': {run.returncode} {run.stderr!r}")
        again = sweep(*base, "--points", points_file, "-o", out2, "--slurm")
        check(again.returncode == 0 and "no array to submit" in again.stdout, f"--slurm when all finished: {again.stdout}")
        table_line = next((line for line in res.stdout.splitlines() if "--table-only" in line), None)
        check(table_line is not None, "--slurm does not print the --table-only command")
        if table_line:
            res = subprocess.run(shlex.split(table_line.split(":", 1)[1]), capture_output=True, text=True, cwd="/")
            check(res.returncode == 0, f"--table-only: exit {res.returncode}: {res.stdout}{res.stderr}")
            check_table_against_summaries(fleetmc, out2, os.path.join(out2, "sweep.csv"), "slurm sweep")
            a = pd.read_csv(table1, float_precision="round_trip").drop(columns="file")
            b = pd.read_csv(os.path.join(out2, "sweep.csv"), float_precision="round_trip").drop(columns="file")
            check(a.equals(b), "the Slurm tasks' table differs from the local sweep's")

        # (5) a stand-in fleetmc: share 0.5 fails, share 0.6 waits for a signal; the rest is fleetmc
        fake = os.path.join(tmp, "fake-fleetmc")
        started, received = os.path.join(tmp, "started"), os.path.join(tmp, "received")
        write_executable(fake, f"""#!/bin/bash
if [ "$1" = run ]; then
  case " $* " in
    *fleet.bidirectional_share=0.5*) echo "fake: this point breaks" >&2; exit 1 ;;
    *fleet.bidirectional_share=0.6*)
      sleep 120 & s=$!  # a bound on a failing test only: a signal ends it
      for sig in USR1 INT TERM; do trap "kill $s; echo $sig >> {received}; exit 130" $sig; done
      echo run > {started}
      wait $s
      exit 0 ;;
  esac
fi
exec {shlex.quote(fleetmc)} "$@"
""")
        res = sweep("--fleetmc", fake, CONFIG, *SMALL, "--grid", "fleet.bidirectional_share=0.2,0.5,0.8", "-o", out1)
        check(res.returncode == 1, f"a failing point: exit {res.returncode}, expected 1: {res.stderr}")
        check("2 finished, 1 to run" in res.stdout, f"a failing point: (1)'s points not reused: {res.stdout}")
        check("FAILED" in res.stdout and "fake: this point breaks" in res.stdout,
              f"the failure and its log's last lines are not reported: {res.stdout}")
        check("fleet.bidirectional_share=0.5" in res.stderr, f"the failed point is not named at the end: {res.stderr}")
        check([r["name"] for r in read_csv_text(table1)] == NAMES, "a failing point: the table lacks the finished ones")

        # USR1 to the array script (Slurm's warning) reaches fleetmc; exit 130 requeues the task
        out3 = os.path.join(tmp, "signal")
        bin_dir = os.path.join(tmp, "bin")
        os.mkdir(bin_dir)
        requeued = os.path.join(tmp, "scontrol.args")
        write_executable(os.path.join(bin_dir, "scontrol"), f'#!/bin/bash\necho "$@" >> {requeued}\n')
        res = sweep("--fleetmc", fake, CONFIG, *SMALL, "--grid", "fleet.bidirectional_share=0.2,0.6", "-o", out3,
                    "--slurm")
        check(res.returncode == 0, f"--slurm with the stand-in: {res.returncode} {res.stderr}")
        proc = subprocess.Popen(["bash", os.path.join(out3, "sweep.sbatch")], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                env=dict(env, SLURM_ARRAY_TASK_ID="1", PATH=bin_dir + ":" + os.environ["PATH"]))
        wait_for(proc, started)
        proc.send_signal(signal.SIGUSR1)
        output, _ = proc.communicate()
        check(proc.returncode == 130, f"USR1: the task exits {proc.returncode}, expected 130: {output}")
        check(read_or_none(received) == "USR1\n", f"USR1 did not reach fleetmc: {read_or_none(received)!r}")
        check(read_or_none(requeued) == "requeue 77_1\n", f"scontrol got {read_or_none(requeued)!r}, expected requeue 77_1")

        # SIGINT to a local sweep reaches the running point; exit 130, no table
        os.remove(started)
        os.remove(received)
        out4 = os.path.join(tmp, "interrupted")
        proc = subprocess.Popen([sys.executable, SWEEP, "--fleetmc", fake, CONFIG, *SMALL, "--grid",
                                 "fleet.bidirectional_share=0.6", "-o", out4], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        wait_for(proc, started)
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate()
        check(proc.returncode == 130, f"SIGINT: the sweep exits {proc.returncode}, expected 130: {output}")
        check(read_or_none(received) == "INT\n", f"SIGINT did not reach the point: {read_or_none(received)!r}")
        check(not os.path.exists(os.path.join(out4, "sweep.csv")), "SIGINT: a table was written")

        # (7) the real fleetmc under the array script, where it has --resume: USR1 once the first
        # replica is on disk stops it (checkpoint kept, task requeued), the rerun (what the requeue
        # does) resumes, and the table equals an uninterrupted local sweep's
        if has_resume:
            longer = ["--set", "fleet.vehicles=1000", "--years", "1", "--replicas", "30"]
            out5, out6 = os.path.join(tmp, "resumed"), os.path.join(tmp, "straight")
            res = sweep("--fleetmc", fleetmc, CONFIG, *longer, "--grid", "fleet.bidirectional_share=0.2", "-o", out5,
                        "--slurm")
            check(res.returncode == 0, f"--slurm, 30 replicas: {res.returncode} {res.stderr}")
            table_line = next((line for line in res.stdout.splitlines() if "--table-only" in line), "")
            checkpoint = os.path.join(out5, NAMES[0] + ".h5.ckpt")
            os.remove(requeued)
            task_env = dict(env, SLURM_ARRAY_TASK_ID="0", PATH=bin_dir + ":" + os.environ["PATH"])
            proc = subprocess.Popen(["bash", os.path.join(out5, "sweep.sbatch")], stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, env=task_env)
            while proc.poll() is None and not (os.path.isdir(checkpoint) and
                                               any(n.endswith(".done") for n in os.listdir(checkpoint))):
                time.sleep(0.02)
            proc.send_signal(signal.SIGUSR1)
            output, _ = proc.communicate()
            check(proc.returncode == 130, f"real fleetmc, USR1: exit {proc.returncode}, expected 130: {output}")
            check(read_or_none(requeued) == "requeue 77_0\n", f"real fleetmc: scontrol got {read_or_none(requeued)!r}")
            check(os.path.isdir(checkpoint) and not os.path.exists(os.path.join(out5, NAMES[0] + ".h5")),
                  "real fleetmc, USR1: no checkpoint kept, or a file written")
            run = subprocess.run(["bash", os.path.join(out5, "sweep.sbatch")], capture_output=True, text=True,
                                 env=dict(task_env, SLURM_RESTART_COUNT="1"))
            check(run.returncode == 0, f"the requeued task: exit {run.returncode}: {run.stdout}{run.stderr}")
            check(not os.path.exists(checkpoint), "the requeued task left its checkpoint")
            res = subprocess.run(shlex.split(table_line.split(":", 1)[1]), capture_output=True, text=True)
            check(res.returncode == 0, f"--table-only after the resume: {res.returncode} {res.stderr}")
            res = sweep("--fleetmc", fleetmc, CONFIG, *longer, "--grid", "fleet.bidirectional_share=0.2", "-o", out6)
            check(res.returncode == 0, f"the straight sweep: {res.returncode} {res.stderr}")
            if res.returncode == 0 and os.path.exists(os.path.join(out5, "sweep.csv")):
                a = pd.read_csv(os.path.join(out5, "sweep.csv"), float_precision="round_trip")
                b = pd.read_csv(os.path.join(out6, "sweep.csv"), float_precision="round_trip")
                check(a.equals(b), "the stopped and resumed point's row differs from the straight run's")

        # (6) files of another scenario: refused, then replaced with --force
        before = mtimes(out1)
        three = ["--set", "fleet.vehicles=300", "--years", "1", "--replicas", "3"]
        res = sweep("--fleetmc", fleetmc, CONFIG, *three, *GRID, "-o", out1)
        check(res.returncode == 2 and "simulation.replicas: 2" in res.stderr and "--force" in res.stderr,
              f"another scenario's file: exit {res.returncode}: {res.stderr!r}")
        check(mtimes(out1) == before, "a refused sweep touched a file")
        res = sweep("--fleetmc", fleetmc, CONFIG, *three, *GRID, "-o", out1, "--force")
        check(res.returncode == 0, f"--force: exit {res.returncode}: {res.stdout}{res.stderr}")
        check([r["n_replicas"] for r in read_csv_text(table1)] == ["3", "3"], "--force: the points were not rerun")

    return finish("test_sweep")


def read_or_none(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


if __name__ == "__main__":
    sys.exit(main())
