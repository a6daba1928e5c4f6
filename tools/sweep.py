#!/usr/bin/python3
"""Sweep a fleetmc scenario over a grid or a list of points: one result file per point, run locally
P at a time or as a Slurm job array, then one CSV table with a row per point (issue 13, point 5).

usage:
  tools/sweep.py CONFIG -o OUTDIR (--grid KEY=V1,V2,... ... | --points FILE)
                 [--set KEY=VALUE]... [--replicas N] [--years Y] [--seed S] [--threads T]
                 [--target-error CLAIM=X] [--jobs P] [--fleetmc PATH] [--table PATH] [--force]
                 [--slurm | --table-only]

POINTS
  --grid KEY=V1,V2,...  one axis; several --grid give the cartesian product of their values, the
                        first --grid varying slowest. Each value is one `--set KEY=VALUE` of fleetmc
                        (a scalar: no comma, no whitespace).
  --points FILE         one point per line: whitespace-separated KEY=VALUE pairs, the point's --set
                        values; '#' starts a comment; blank lines are skipped. Points may set
                        different keys (the table leaves a key's cell empty where a point has none).
  --set KEY=VALUE       applied to every point (not a swept key: a key both swept and --set is
                        refused, as is --replicas/--years/--seed with a swept simulation.* key).
  Every point is validated first by `fleetmc check CONFIG --set ...` (with --replicas, --years,
  --seed): a point fleetmc refuses stops the sweep before any run, naming the point (exit 2).

RUNS
  Point p runs `fleetmc run CONFIG --set ... [--replicas N --years Y --seed S] --threads T
  [--target-error CLAIM=X] [--resume] -o OUTDIR/<name>.h5 --quiet`, its output (stdout and stderr)
  appended to OUTDIR/logs/<name>.log. --resume is passed when this fleetmc has it (its --help
  names it): a point stopped by a signal continues from its checkpoint (<name>.h5.ckpt/) on rerun.
  --jobs P runs at most P points at a time (default: cores // T), each on --threads T (default 1).
  <name> is the point's KEY=VALUE pairs joined by '_', in the order given, e.g.
  fleet.vehicles=2000_charging.plug_policy=every_arrival; any character outside [A-Za-z0-9._=+-]
  becomes '-', and '-' plus 8 hex digits of the point's sha256 are appended when anything was
  replaced or the name is longer than 120 characters: stable, readable, distinct points apart.
  OUTDIR/points.csv maps each name to its file and values.
  A point is FINISHED when (1) OUTDIR/<name>.h5 exists, (2) `fleetmc summary FILE --format csv`
  reads it, and (3) its /scenario dataset (the resolved scenario fleetmc wrote) equals, comment
  lines aside, what `fleetmc check` resolves for the point now. (3) compares every key fleetmc
  resolved, not only the swept ones: an edit of CONFIG, of a --set or of --years makes the point
  stale, where a comparison of the swept values or of the command line would miss it or (paths,
  option order) flag a good file. With --target-error, simulation.replicas is the count the run
  stopped at, so that one line must be at most --replicas, and the file's command_line must carry
  the same --target-error. Finished points are skipped on a rerun. A file that exists but is not
  FINISHED (another scenario, unreadable) stops the sweep before any run (exit 2) naming the reason,
  unless --force, which deletes it so that the point runs again.
  A point that fails is reported with the last lines of its log; the others still run; the sweep
  exits 1 at the end and the table lists the finished points. SIGINT, SIGTERM or SIGHUP stops it:
  the running points get SIGINT (fleetmc saves what it completed), no new point starts, exit 130.

SLURM (--slurm)
  Runs nothing: writes OUTDIR/sweep.sbatch, an array job with one task per point not yet finished
  (task i runs point i of points.csv, 0-based), and prints the sbatch command that submits it and
  the --table-only command that builds the table once the tasks are done. The points are written
  into the script itself: Slurm keeps a copy of a batch script from its submission, so a later sweep
  writing into OUTDIR cannot change what a queued task runs. Each task runs its point with
  --threads $SLURM_CPUS_PER_TASK (default T) and --resume (when this fleetmc has it), without
  --quiet: fleetmc's progress lines go to OUTDIR/logs/<name>.log, the batch log's only news of a
  long run (Slurm's own output: OUTDIR/logs/slurm-<array job>_<task>.out); a point whose file
  exists is skipped.
  `#SBATCH --signal=B:USR1@120` warns the batch shell 120 s before the time limit; it passes USR1 to
  fleetmc, which saves its checkpoint and exits 130, and the task requeues itself
  (`scontrol requeue JOB_TASK`) to continue with --resume. Options given to sbatch (--time,
  --partition, --account, --cpus-per-task) override the script's #SBATCH lines. --jobs P, when
  given, limits the tasks running at once (--array=...%P). Slurm refuses indices of MaxArraySize and
  above (1001 by default): larger sweeps need several OUTDIRs or a cluster with a larger limit.
  To try a task without Slurm: SLURM_ARRAY_TASK_ID=i bash OUTDIR/sweep.sbatch.

TABLE (OUTDIR/sweep.csv, or --table PATH; --table-only builds it from the finished points alone)
  One row per finished point, in point order; CSV with a header, read directly by
  pandas.read_csv (use float_precision="round_trip" to get summary's exact values). Columns:
    name, file            the point's name and its result file (relative to the table's folder);
    <KEY>...              each swept key, the value as given (empty where a point does not set it);
    n_replicas            replicas in the file;
    then, for every row of `fleetmc summary FILE --format csv` (every quantity of every claim C1-C8
    and beyond, each statistic: p5, p50, p95, mean, and the sensitivity rows of scenarios with
    sampled assumptions), in summary's order, with S = <quantity_id>.<statistic>, or
    <quantity_id>.<statistic>[<assumption>] for a sensitivity row:
    S                     the statistic's value;
    S.se                  its standard error (summary gives it for the mean; empty otherwise);
    S.ci_low, S.ci_high   its 95 % confidence interval of Monte Carlo error (empty where summary
                          gives none: its no_ci_reason says why, e.g. too few replicas);
    S.verdict             for rows with a figure of the proposal: holds, fails or undecided.
  Values are summary's text, copied unchanged. Beside the table, <table>.columns.csv describes each
  column once: column, quantity_id, claim, quantity, unit, statistic, assumption, field.
  The table (and its column file) is replaced only where it is a table this script wrote, or with
  --force.

EXIT: 0 every point finished; 1 a point failed or (--table-only) is not finished; 2 bad input
(option, config, point, an existing file that is not the point's result); 130 stopped by a signal.
"""
import argparse
import concurrent.futures
import csv
import datetime
import hashlib
import io
import itertools
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

import h5py

TOOLS = os.path.dirname(os.path.abspath(__file__))
NAME_MAX = 120            # characters of a point's name, hash suffix included
LOG_TAIL_LINES = 12       # lines of a failed point's log shown in the report
SAFE_NAME = re.compile(r"[^A-Za-z0-9._=+-]")
KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$")
# run options whose scenario key a point must not also sweep
RUN_OPTION_KEYS = {"replicas": "simulation.replicas", "years": "simulation.years", "seed": "simulation.seed"}
TABLE_FIELDS = (("", "value"), (".se", "se"), (".ci_low", "ci_low"), (".ci_high", "ci_high"))
# the first characters of a table and of its column file as this script writes them
TABLE_SIGNATURE = "name,file,"
COLUMNS_SIGNATURE = "column,quantity_id,"


class BadInput(Exception):
    """A user's mistake: reported with exit code 2."""


class Point:
    def __init__(self, index, pairs):
        self.index = index
        self.pairs = pairs            # [(key, value)] in the order given
        self.name = point_name(pairs)
        self.resolved = None          # `fleetmc check` output for the point
        self.summary_rows = None      # summary's CSV rows once the point is finished

    def label(self):
        return " ".join(f"{k}={v}" for k, v in self.pairs)


def point_name(pairs):
    text = "_".join(f"{k}={v}" for k, v in pairs)
    name = SAFE_NAME.sub("-", text)
    if name != text or len(name) > NAME_MAX:
        digest = hashlib.sha256("\n".join(f"{k}={v}" for k, v in pairs).encode()).hexdigest()[:8]
        name = name[:NAME_MAX - 9] + "-" + digest
    return name


def parse_pair(text, what):
    """KEY=VALUE of --set, a points file or a grid value: both sides non-empty, a key's form."""
    key, sep, value = text.partition("=")
    if not sep:
        raise BadInput(f"{what} '{text}': expected KEY=VALUE (no '=')")
    if not KEY.match(key):
        raise BadInput(f"{what} '{text}': key '{key}' is not a scenario key (section.key, e.g. fleet.vehicles)")
    if value == "" or any(c.isspace() for c in value):
        raise BadInput(f"{what} '{text}': the value must be non-empty and without whitespace")
    return key, value


def grid_points(grids):
    axes = []
    for spec in grids:
        key, sep, values = spec.partition("=")
        if not sep:
            raise BadInput(f"--grid '{spec}': expected KEY=V1,V2,... (no '=')")
        if not values:
            raise BadInput(f"--grid '{spec}': the grid of {key} has no values (expected KEY=V1,V2,...)")
        if "" in values.split(","):
            raise BadInput(f"--grid '{spec}': an empty value (expected KEY=V1,V2,...)")
        pairs = [parse_pair(f"{key}={v}", "--grid") for v in values.split(",")]
        if len({v for _, v in pairs}) != len(pairs):
            raise BadInput(f"--grid '{spec}': a value is repeated")
        if any(key == k for k, _ in (a[0] for a in axes)):
            raise BadInput(f"--grid '{spec}': {key} has a grid already")
        axes.append(pairs)
    return [list(combo) for combo in itertools.product(*axes)]


def file_points(path):
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise BadInput(f"--points {path}: cannot read it: {e.strerror}")
    except UnicodeDecodeError:
        raise BadInput(f"--points {path}: not UTF-8 text")
    points = []
    for number, line in enumerate(lines, 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        pairs = [parse_pair(f, f"{path}:{number}:") for f in fields]
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            raise BadInput(f"{path}:{number}: a key is set twice in one point")
        points.append(pairs)
    if not points:
        raise BadInput(f"--points {path}: no point in it (one per line: KEY=VALUE KEY=VALUE ...)")
    return points


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="sweep.py", description=__doc__, allow_abbrev=False,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     usage=argparse.SUPPRESS)
    parser.add_argument("config", metavar="CONFIG", help="the scenario file (YAML)")
    parser.add_argument("-o", "--outdir", required=True, metavar="OUTDIR",
                        help="folder of the result files, logs and table (created if missing)")
    parser.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,...",
                        help="one axis of the grid (repeatable: their product); see POINTS")
    parser.add_argument("--points", metavar="FILE", help="the points, one a line; see POINTS")
    parser.add_argument("--set", action="append", default=[], dest="sets", metavar="KEY=VALUE",
                        help="applied to every point (repeatable)")
    for option, metavar in (("replicas", "N"), ("years", "Y"), ("seed", "S")):
        parser.add_argument(f"--{option}", metavar=metavar, help="passed to fleetmc check and run")
    parser.add_argument("--threads", type=int, default=1, metavar="T", help="fleetmc run --threads (default 1)")
    parser.add_argument("--target-error", metavar="CLAIM=X", help="passed to fleetmc run")
    parser.add_argument("--jobs", type=int, metavar="P", help="points at a time (default cores // T)")
    parser.add_argument("--fleetmc", metavar="PATH",
                        help="fleetmc program (default: build/fleetmc beside tools/, else fleetmc on PATH)")
    parser.add_argument("--table", metavar="PATH", help="the table (default OUTDIR/sweep.csv)")
    parser.add_argument("--force", action="store_true",
                        help="delete an existing output that is not the point's result, replace a table")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--slurm", action="store_true", help="write OUTDIR/sweep.sbatch instead of running")
    mode.add_argument("--table-only", action="store_true", help="run nothing: the table of the finished points")
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs {args.jobs}: must be at least 1")
    if args.threads < 1:
        parser.error(f"--threads {args.threads}: must be at least 1")
    if bool(args.grid) == bool(args.points):
        parser.error("give either --grid KEY=V1,V2,... (repeatable) or --points FILE")
    return args


def find_fleetmc(given):
    if given:
        path = given
    else:
        beside = os.path.join(os.path.dirname(TOOLS), "build", "fleetmc")
        path = beside if os.path.exists(beside) else (shutil.which("fleetmc") or "")
        if not path:
            raise BadInput(f"no fleetmc: none at {beside} and none on PATH (build it, or give --fleetmc PATH)")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise BadInput(f"--fleetmc {path}: not an executable file")
    return os.path.abspath(path)


def fleetmc_text(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def check_point(fleetmc, config, common_check, point):
    sets = [a for k, v in point.pairs for a in ("--set", f"{k}={v}")]
    return fleetmc_text([fleetmc, "check", config, *common_check, *sets])


def scenario_lines(text):
    """The resolved scenario without its comment lines (check adds '# CONFIG: valid' at the end)."""
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def simulation_replicas_line(lines):
    section = None
    for i, line in enumerate(lines):
        if not line.startswith(" "):
            section = line.rstrip(":")
        elif section == "simulation" and re.match(r"^  replicas: \d+\b", line):
            return i
    return None


def qualified(lines, k):
    """Line k of a resolved scenario as 'section.key: value', its parents found by indentation."""
    text = lines[k].strip()
    depth = len(lines[k]) - len(lines[k].lstrip())
    for line in reversed(lines[:k]):
        indent = len(line) - len(line.lstrip())
        if indent < depth and line.rstrip().endswith(":"):
            text = line.strip().rstrip(":") + ("." if not line.strip().startswith("-") else "") + text
            depth = indent
    return "'" + text.split("  #")[0].strip() + "'"


def stale_reason(path, point, target_error):
    """None when the file holds this point's scenario, else why not."""
    try:
        with h5py.File(path, "r") as f:
            scenario = f["scenario"][()]
            command_line = f.attrs.get("command_line", b"")
    except (OSError, KeyError) as e:
        return f"cannot read its /scenario: {e}"
    scenario = scenario.decode() if isinstance(scenario, bytes) else str(scenario)
    command_line = command_line.decode() if isinstance(command_line, bytes) else str(command_line)
    have, want = scenario_lines(scenario), scenario_lines(point.resolved)
    if target_error is not None:
        words = command_line.split()
        if not any(a == "--target-error" and b == target_error for a, b in zip(words, words[1:])):
            return f"it was not run with --target-error {target_error} (command_line: {command_line})"
        i, j = simulation_replicas_line(have), simulation_replicas_line(want)
        if i is None or j is None:
            return "no simulation.replicas line in its /scenario"
        ran, limit = int(have[i].split()[1]), int(want[j].split()[1])
        if ran > limit:
            return f"it holds {ran} replicas, more than the limit {limit}"
        have, want = have[:i] + have[i + 1:], want[:j] + want[j + 1:]
    if have == want:
        return None
    for k, (a, b) in enumerate(zip(have, want)):
        if a != b:
            return f"its /scenario has {qualified(have, k)} where the point resolves to {qualified(want, k)}"
    return f"its /scenario has {len(have)} lines, the point's {len(want)}"


def summary_rows(fleetmc, path):
    """(rows, None) when summary reads the file, else (None, why)."""
    out = fleetmc_text([fleetmc, "summary", path, "--format", "csv"])
    if out.returncode != 0:
        return None, f"fleetmc summary refuses it (exit {out.returncode}): {out.stderr.strip()}"
    return list(csv.DictReader(io.StringIO(out.stdout))), None


def point_state(fleetmc, outdir, point, target_error):
    """('finished', None), ('missing', None) or ('stale', why); fills point.summary_rows."""
    path = os.path.join(outdir, point.name + ".h5")
    if not os.path.lexists(path):
        return "missing", None
    if not os.path.isfile(path):
        return "stale", "it is not a regular file"
    rows, why = summary_rows(fleetmc, path)
    if rows is None:
        return "stale", why
    why = stale_reason(path, point, target_error)
    if why:
        return "stale", why
    point.summary_rows = rows
    return "finished", None


def write_atomic(path, text):
    tmp = f"{path}.tmp.{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def csv_text(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def swept_keys(points):
    keys = []
    for point in points:
        keys += [k for k, _ in point.pairs if k not in keys]
    return keys


def write_points_csv(outdir, points):
    keys = swept_keys(points)
    rows = [[p.name, p.name + ".h5"] + [dict(p.pairs).get(k, "") for k in keys] for p in points]
    write_atomic(os.path.join(outdir, "points.csv"), csv_text(["name", "file"] + keys, rows))


def log_tail(path, offset):
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            lines = f.read().decode(errors="replace").splitlines()
    except OSError as e:
        return [f"(no log: {e.strerror})"]
    return lines[-LOG_TAIL_LINES:] or ["(the log is empty)"]


class Runner:
    """At most `jobs` fleetmc runs at a time; each in its own session, so that a terminal's ^C
    reaches the sweep alone and each run gets exactly one SIGINT from it."""

    def __init__(self, jobs):
        self.jobs = jobs
        self.running = {}     # Popen -> (point, started, log path, log offset)
        self.stopping = False

    def on_signal(self, signum, frame):
        if not self.stopping:
            print(f"sweep: {signal.Signals(signum).name}: stopping the {len(self.running)} running point(s), "
                  "starting no other", flush=True)
        self.stopping = True
        for proc in list(self.running):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)

    def run(self, todo, command_of, outdir, on_done):
        pending = list(todo)
        previous = {s: signal.signal(s, self.on_signal) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            while (pending and not self.stopping) or self.running:
                while pending and not self.stopping and len(self.running) < self.jobs:
                    point = pending.pop(0)
                    cmd = command_of(point)
                    log = os.path.join(outdir, "logs", point.name + ".log")
                    with open(log, "a", encoding="utf-8") as f:
                        offset = f.tell()
                        f.write(f"# sweep.py {datetime.datetime.now().isoformat(timespec='seconds')}: "
                                f"{shlex.join(cmd)}\n")
                    with open(log, "ab") as f:
                        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                start_new_session=True)
                    self.running[proc] = (point, time.monotonic(), log, offset)
                    if self.stopping:  # the signal came between Popen and the line above
                        proc.send_signal(signal.SIGINT)
                # a short poll: the runs last seconds to days, so 50 ms costs nothing
                time.sleep(0.05)
                for proc in [p for p in self.running if p.poll() is not None]:
                    point, started, log, offset = self.running.pop(proc)
                    on_done(point, proc.returncode, time.monotonic() - started, log, offset)
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
        return pending


def compact_ranges(indices):
    """[0,1,2,5,7,8] -> '0-2,5,7-8' (sbatch --array's list form)."""
    parts = []
    for _, group in itertools.groupby(enumerate(indices), lambda t: t[1] - t[0]):
        run = [i for _, i in group]
        parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ",".join(parts)


SBATCH_TEMPLATE = r"""#!/bin/bash
# A Slurm job array of fleetmc runs: task i runs point i of the sweep (OUTDIR/points.csv gives each
# point's values), written by tools/sweep.py on {date}.
#   submit: {submit}
#           (options given to sbatch, e.g. --time=12:00:00 --partition=P --account=A, override the
#           #SBATCH lines below)
#   then:   {table}
# Sources: sbatch(1), https://slurm.schedmd.com/sbatch.html: --array (with %N, at most N tasks at
# once), --signal=B:USR1@120 (USR1 to the batch shell alone, 120 s before the time limit),
# --requeue, and the --output patterns %A (array job id) and %a (task index); job arrays,
# https://slurm.schedmd.com/job_array.html: SLURM_ARRAY_TASK_ID and SLURM_ARRAY_JOB_ID; one task of
# an array is named JOBID_TASKID (slurm_requeue2(3)), the form scontrol requeue takes for it.
#SBATCH --job-name=fleetmc-sweep
#SBATCH --array={array}
#SBATCH --ntasks=1
#SBATCH --cpus-per-task={threads}
#SBATCH --output={outdir}/logs/slurm-%A_%a.out
#SBATCH --signal=B:USR1@120
#SBATCH --requeue
set -u
fleetmc={fleetmc}
config={config}
outdir={outdir_quoted}
common=({common})
resume=({resume})
# one point per line: its name, then its KEY=VALUE pairs
points=(
{points}
)

task=${{SLURM_ARRAY_TASK_ID:-}}
case $task in
  '' | *[!0-9]*)
    echo "sweep.sbatch: SLURM_ARRAY_TASK_ID is '$task': expected a point index, 0 to $((${{#points[@]}} - 1))" \
         "(submit with sbatch, or set it to try one point)" >&2
    exit 2 ;;
esac
if [ "$task" -ge "${{#points[@]}}" ]; then
  echo "sweep.sbatch: SLURM_ARRAY_TASK_ID $task: the sweep has points 0 to $((${{#points[@]}} - 1))" >&2
  exit 2
fi
read -r -a fields <<< "${{points[$task]}}"
name=${{fields[0]}}
sets=()
for pair in "${{fields[@]:1}}"; do sets+=(--set "$pair"); done
out=$outdir/$name.h5
log=$outdir/logs/$name.log
mkdir -p "$outdir/logs"
if [ -e "$out" ]; then
  echo "sweep.sbatch: point $task ($name): $out exists, nothing to run (the table step checks it)"
  exit 0
fi
# ${{a[@]+"${{a[@]}}"}}: an empty array under set -u, which bash before 4.4 calls unbound
cmd=("$fleetmc" run "$config" ${{common[@]+"${{common[@]}}"}} ${{sets[@]+"${{sets[@]}}"}} \
     --threads "${{SLURM_CPUS_PER_TASK:-{threads}}}" ${{resume[@]+"${{resume[@]}}"}} -o "$out")
echo "# task $task, job ${{SLURM_JOB_ID:-none}}, restart ${{SLURM_RESTART_COUNT:-0}}, $(date -u +%FT%TZ): ${{cmd[*]}}" >> "$log"
echo "sweep.sbatch: point $task ($name): running, log $log"

# Slurm's warning reaches this shell alone (--signal=B:); it is passed on to fleetmc, which saves its
# checkpoint and exits 130. bash runs a trap only once a foreground child has ended, hence the run in
# the background and the wait, and wait again when a trap cut the wait short. TERM and INT (scancel,
# the time limit itself) are passed on too, without requeueing.
pid=
warned=0
signals=0
last=
# shellcheck disable=SC2317  # called by the traps
forward() {{ signals=$((signals + 1)); last=$1; [ -n "$pid" ] && kill "-$1" "$pid" 2>/dev/null; }}
trap 'warned=1; forward USR1' USR1
trap 'forward TERM' TERM
trap 'forward INT' INT
"${{cmd[@]}}" >> "$log" 2>&1 &
pid=$!
[ -n "$last" ] && kill "-$last" "$pid" 2>/dev/null  # a signal that came before $pid was known
rc=
while :; do
  seen=$signals
  wait "$pid"
  status=$?
  [ "$status" = 127 ] && [ -n "$rc" ] && break  # an older bash: the status was collected already
  rc=$status
  if [ "$signals" = "$seen" ] || [ "$status" -le 128 ]; then break; fi
done
echo "# exit $rc" >> "$log"
if [ "$rc" = 130 ] && [ "$warned" = 1 ]; then
  job=${{SLURM_ARRAY_JOB_ID:-}}_${{SLURM_ARRAY_TASK_ID:-}}
  if command -v scontrol > /dev/null; then
    echo "sweep.sbatch: point $task ($name): stopped before the time limit, checkpoint kept; requeueing $job" | tee -a "$log"
    scontrol requeue "$job"
  else
    echo "sweep.sbatch: point $task ($name): stopped, checkpoint kept; no scontrol to requeue $job:" \
         "submit task $task again to continue it" | tee -a "$log"
  fi
elif [ "$rc" != 0 ]; then
  echo "sweep.sbatch: point $task ($name): fleetmc exited $rc; last lines of $log:" >&2
  tail -n {tail} "$log" >&2
fi
exit "$rc"
"""


def write_sbatch(args, outdir, fleetmc, config, points, todo, common_run, resume, table_command):
    if any(c.isspace() or c == "%" for c in outdir):
        raise BadInput(f"-o {outdir}: the folder's path holds whitespace or '%', which an #SBATCH --output line "
                       "cannot (sbatch splits at whitespace and reads % as a pattern)")
    path = os.path.join(outdir, "sweep.sbatch")
    array = compact_ranges([p.index for p in todo]) + (f"%{args.jobs}" if args.jobs else "")
    submit = f"sbatch {shlex.quote(path)}"
    text = SBATCH_TEMPLATE.format(
        date=datetime.datetime.now().isoformat(timespec="seconds"), submit=submit, table=table_command,
        array=array, threads=args.threads, outdir=outdir, fleetmc=shlex.quote(fleetmc), config=shlex.quote(config),
        outdir_quoted=shlex.quote(outdir), common=" ".join(shlex.quote(a) for a in common_run),
        resume="--resume" if resume else "", tail=LOG_TAIL_LINES,
        points="\n".join("  " + shlex.quote(" ".join([p.name] + [f"{k}={v}" for k, v in p.pairs])) for p in points))
    write_atomic(path, text)
    os.chmod(path, 0o755)
    return path, submit


def table_columns(points):
    """The quantity columns, in summary's order (first seen over the points), with their meaning."""
    columns = {}          # (quantity_id, statistic, assumption) -> description row
    verdict = set()
    for point in points:
        seen = set()
        for row in point.summary_rows:
            key = (row["quantity_id"], row["statistic"], row.get("assumption") or "")
            if key in seen:
                raise RuntimeError(f"{point.name}.h5: summary has two rows {key}: the table would lose one")
            seen.add(key)
            columns.setdefault(key, row)
            if row.get("proposal_figure"):
                verdict.add(key)
    return columns, verdict


def column_stem(key):
    qid, statistic, assumption = key
    return f"{qid}.{statistic}" + (f"[{assumption}]" if assumption else "")


def table_paths(path, force):
    """The table and its column file; refused (before anything runs) where one exists and is not
    what this script writes, unless --force."""
    columns_path = os.path.splitext(path)[0] + ".columns.csv"
    for p, signature in ((path, TABLE_SIGNATURE), (columns_path, COLUMNS_SIGNATURE)):
        if force or not os.path.exists(p):
            continue
        try:
            with open(p, encoding="utf-8") as f:
                ours = f.read(len(signature)) == signature
        except (OSError, UnicodeDecodeError):
            ours = False
        if not ours:
            raise BadInput(f"--table {path}: {p} exists and is not written by tools/sweep.py; add --force to replace it")
    return path, columns_path


def write_table(path, columns_path, outdir, points):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    finished = [p for p in points if p.summary_rows is not None]
    keys = swept_keys(points)
    columns, verdict = table_columns(finished)
    header = ["name", "file"] + keys + ["n_replicas"]
    described = [["name", "", "", "the point's name", "", "", "", ""],
                 ["file", "", "", "the point's result file, relative to the table's folder", "", "", "", ""]]
    described += [[k, "", "", "swept scenario key, the value as given", "", "", "", ""] for k in keys]
    described.append(["n_replicas", "", "", "replicas in the file", "", "", "", ""])
    for key, row in columns.items():
        fields = TABLE_FIELDS + (((".verdict", "verdict"),) if key in verdict else ())
        for suffix, field in fields:
            header.append(column_stem(key) + suffix)
            described.append([column_stem(key) + suffix, key[0], row["claim"], row["quantity"], row["unit"], key[1],
                              key[2], field])
    rows = []
    for point in finished:
        by_key = {(r["quantity_id"], r["statistic"], r.get("assumption") or ""): r for r in point.summary_rows}
        replicas = {r["n_replicas"] for r in point.summary_rows}
        cells = [point.name, os.path.relpath(os.path.join(outdir, point.name + ".h5"), os.path.dirname(path))]
        cells += [dict(point.pairs).get(k, "") for k in keys]
        cells.append(replicas.pop() if len(replicas) == 1 else "")
        for key in columns:
            fields = TABLE_FIELDS + (((".verdict", "verdict"),) if key in verdict else ())
            row = by_key.get(key, {})
            cells += [row.get(field, "") for _, field in fields]
        rows.append(cells)
    write_atomic(path, csv_text(header, rows))
    write_atomic(columns_path, csv_text(["column", "quantity_id", "claim", "quantity", "unit", "statistic",
                                         "assumption", "field"], described))
    return len(rows), len(header)


def table_only_command(args, fleetmc, config, outdir, table):
    """This sweep's command with --table-only, every path absolute: it runs from any folder."""
    words = [os.path.abspath(sys.argv[0]), config, "-o", outdir]
    words += [w for g in args.grid for w in ("--grid", g)]
    words += ["--points", os.path.abspath(args.points)] if args.points else []
    words += [w for s in args.sets for w in ("--set", s)]
    for option in ("replicas", "years", "seed", "target_error"):
        if getattr(args, option) is not None:
            words += ["--" + option.replace("_", "-"), getattr(args, option)]
    words += ["--threads", str(args.threads), "--fleetmc", fleetmc, "--table", table, "--table-only"]
    return shlex.join(words)


class Sweep:
    """One sweep: its paths, the options every point shares, and its points."""

    def __init__(self, args):
        self.args = args
        self.fleetmc = find_fleetmc(args.fleetmc)
        self.config = os.path.abspath(args.config)
        if not os.path.isfile(self.config):
            raise BadInput(f"CONFIG {args.config}: no such file")
        self.outdir = os.path.abspath(args.outdir)
        if os.path.exists(self.outdir) and not os.path.isdir(self.outdir):
            raise BadInput(f"-o {args.outdir}: exists and is not a folder")
        extras = [parse_pair(s, "--set") for s in args.sets]
        if len({k for k, _ in extras}) != len(extras):
            raise BadInput("--set: a key is set twice")
        self.points = [Point(i, pairs) for i, pairs in
                       enumerate(grid_points(args.grid) if args.grid else file_points(args.points))]
        self.refuse_overlaps([k for k, _ in extras])
        self.common_check = [a for k, v in extras for a in ("--set", f"{k}={v}")]
        for option in RUN_OPTION_KEYS:
            if getattr(args, option) is not None:
                self.common_check += [f"--{option}", getattr(args, option)]
        self.common_run = self.common_check + (["--target-error", args.target_error] if args.target_error else [])
        self.resume = "--resume" in fleetmc_text([self.fleetmc, "--help"]).stdout
        self.jobs = args.jobs or max(1, (os.cpu_count() or 1) // args.threads)
        self.table, self.columns_path = table_paths(
            os.path.abspath(args.table) if args.table else os.path.join(self.outdir, "sweep.csv"), args.force)
        self.states = {}

    def path(self, point):
        return os.path.join(self.outdir, point.name + ".h5")

    def refuse_overlaps(self, extra_keys):
        seen = {}
        for point in self.points:
            for key, _ in point.pairs:
                if key in extra_keys:
                    raise BadInput(f"point {point.label()}: {key} is swept and also given by --set")
                for option, scenario_key in RUN_OPTION_KEYS.items():
                    if key == scenario_key and getattr(self.args, option) is not None:
                        raise BadInput(f"point {point.label()}: {key} is swept and also given by --{option}")
            same = seen.get(frozenset(point.pairs)) or seen.get(point.name)
            if same is not None:
                raise BadInput(f"points {same.index} and {point.index} are the same point ({point.label()})")
            seen[frozenset(point.pairs)] = seen[point.name] = point

    def check_points(self):
        """Every point through `fleetmc check` before anything runs; False when one is refused."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(self.jobs, 8)) as pool:
            checks = list(pool.map(lambda p: check_point(self.fleetmc, self.config, self.common_check, p),
                                   self.points))
        for point, out in zip(self.points, checks):
            if out.returncode != 0:
                print(f"sweep.py: point {point.index} ({point.label()}): fleetmc check refuses it "
                      f"(exit {out.returncode}):\n  {out.stderr.strip()}", file=sys.stderr)
            point.resolved = out.stdout
        return all(out.returncode == 0 for out in checks)

    def settle_existing(self):
        """The points to run; None when an existing file is not its point's result and no --force."""
        os.makedirs(os.path.join(self.outdir, "logs"), exist_ok=True)
        self.states = {p.name: point_state(self.fleetmc, self.outdir, p, self.args.target_error) for p in self.points}
        stale = [(p, self.states[p.name][1]) for p in self.points if self.states[p.name][0] == "stale"]
        if stale and not self.args.table_only:
            for point, why in stale:
                print(f"sweep.py: {self.path(point)} is not the result of point {point.index} ({point.label()}): "
                      f"{why}" + ("; deleted (--force), the point runs again" if self.args.force else ""),
                      file=sys.stderr)
            if not self.args.force:
                print("sweep.py: add --force to delete it and run the point again, or choose another -o",
                      file=sys.stderr)
                return None
            for point, _ in stale:
                os.remove(self.path(point))
        todo = [p for p in self.points if self.states[p.name][0] != "finished"]
        write_points_csv(self.outdir, self.points)
        resumed = sum(os.path.isdir(self.path(p) + ".ckpt") for p in todo) if self.resume else 0
        print(f"sweep: {len(self.points)} point(s) over {', '.join(swept_keys(self.points))}; "
              f"{len(self.points) - len(todo)} finished, {len(todo)} to run" +
              (f" ({resumed} resumed from a checkpoint)" if resumed else ""), flush=True)
        return todo

    def write_array_script(self, todo):
        table_command = table_only_command(self.args, self.fleetmc, self.config, self.outdir, self.table)
        path, submit = write_sbatch(self.args, self.outdir, self.fleetmc, self.config, self.points, todo,
                                    self.common_run, self.resume, table_command)
        print(f"sweep: wrote {path}: an array of {len(todo)} task(s)\n"
              f"  submit:                {submit}\n"
              f"  then, to the table:    {table_command}")

    def report_unfinished(self, todo):
        for point in todo:
            state, why = self.states[point.name]
            print(f"sweep: point {point.index} ({point.name}): " +
                  ("no result yet" if state == "missing" else f"not its result: {why}"), file=sys.stderr)
        return todo

    def command(self, point):
        return [self.fleetmc, "run", self.config, *self.common_run,
                *[a for k, v in point.pairs for a in ("--set", f"{k}={v}")], "--threads", str(self.args.threads),
                *(["--resume"] if self.resume else []), "-o", self.path(point), "--quiet"]

    def run_local(self, todo):
        """Runs the points; returns those that did not finish, or None when stopped by a signal."""
        failed = []
        done = 0

        def on_done(point, rc, seconds, log, offset):
            nonlocal done
            done += 1
            state, why = ("failed", f"fleetmc exited {rc}") if rc != 0 else \
                point_state(self.fleetmc, self.outdir, point, self.args.target_error)
            if state == "finished":
                print(f"sweep: [{done}/{len(todo)}] {point.name}: done in {seconds:.1f} s", flush=True)
                return
            failed.append(point)
            verdict = "STOPPED" if rc == 130 else "FAILED"
            if rc == 130:
                why += " (stopped by a signal: rerun the sweep to continue it" + \
                    (" from its checkpoint)" if self.resume else ")")
            print(f"sweep: [{done}/{len(todo)}] {point.name}: {verdict}: {why}; last lines of {log}:\n" +
                  "\n".join("    " + line for line in log_tail(log, offset)), flush=True)

        print(f"sweep: running {len(todo)} point(s), {min(self.jobs, len(todo))} at a time x "
              f"{self.args.threads} thread(s), logs in {os.path.join(self.outdir, 'logs')}", flush=True)
        runner = Runner(self.jobs)
        not_started = runner.run(todo, self.command, self.outdir, on_done)
        if runner.stopping:
            print(f"sweep: stopped; {len(not_started)} point(s) not started, {len(failed)} stopped or failed; "
                  "no table written: rerun the same command to continue", file=sys.stderr)
            return None
        return failed

    def write_table(self):
        rows, ncolumns = write_table(self.table, self.columns_path, self.outdir, self.points)
        print(f"sweep: wrote {self.table} ({rows} row(s), {ncolumns} columns; described in {self.columns_path})")


def main(argv):
    args = parse_args(argv)
    sweep = Sweep(args)
    if not sweep.check_points():
        return 2
    todo = sweep.settle_existing()
    if todo is None:
        return 2
    if args.slurm and todo:
        sweep.write_array_script(todo)
        return 0
    if args.slurm:
        print("sweep: every point is finished: no array to submit")
    failed = sweep.report_unfinished(todo) if args.table_only else sweep.run_local(todo) if todo else []
    if failed is None:
        return 130
    sweep.write_table()
    if failed:
        print(f"sweep: {len(failed)} of {len(sweep.points)} point(s) not finished: "
              f"{', '.join(p.name for p in failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BadInput as e:
        print(f"sweep.py: {e}", file=sys.stderr)
        sys.exit(2)
    except (OSError, RuntimeError) as e:
        print(f"sweep.py: {e}", file=sys.stderr)
        sys.exit(1)
