"""Helpers shared by the Python tests that drive fleetmc as a user would: run it, record
failures, compare result files dataset by dataset. Imported from the tests' own folder."""
import os
import subprocess

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = os.path.join(ROOT, "configs")
failures = []


def check(ok, message):
    """Records a failed property (the test goes on, to report every failure at once)."""
    if not ok:
        failures.append(message)
        print("FAIL:", message, flush=True)
    return ok


def run(command, *args, env=None):
    """Runs command (a path or a list) with args; its CompletedProcess, output as text."""
    argv = list(command) if isinstance(command, (list, tuple)) else [command]
    return subprocess.run(argv + [str(a) for a in args], capture_output=True, text=True, env=env)


def datasets(path):
    """Every dataset's bytes but /runtime's (times of the run), by path."""
    found = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and not name.startswith("runtime/"):
                data = obj[()]
                if isinstance(data, np.ndarray) and data.dtype.kind != "O":
                    found[name] = data.dtype.str.encode() + data.tobytes()
                else:  # strings (labels, /scenario): their values, not their pointers
                    found[name] = repr(data.tolist() if isinstance(data, np.ndarray) else data).encode()
        f.visititems(visit)
    return found


def same_datasets(a, b, what):
    """Checks that files a and b hold the same datasets, bit for bit (/runtime aside)."""
    da, db = datasets(a), datasets(b)
    ok = check(sorted(da) == sorted(db), f"{what}: dataset lists differ: {sorted(set(da) ^ set(db))}")
    differing = [name for name in da if name in db and da[name] != db[name]]
    ok = check(not differing, f"{what}: datasets differ: {differing[:8]}") and ok
    return check(len(da) > 50, f"{what}: only {len(da)} datasets compared") and ok


def finish(name):
    """Prints the outcome and returns the exit code for sys.exit."""
    if failures:
        print(f"{name}: {len(failures)} failure(s)")
        return 1
    print(f"{name}: all checks passed")
    return 0
