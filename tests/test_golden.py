"""The model's own numbers against golden hashes (tests/golden/README.md).

usage: /usr/bin/python3 tests/test_golden.py FLEETMC [--update]
Runs FLEETMC on each scenario of tests/golden/model_outputs.json into a temporary folder and
compares every dataset listed there bit for bit (by SHA-256 of its little-endian float64 bytes).
The runs use --kernel hourly, the reference: the events kernel agrees with it to the float bound
that tests/test_kernels_agree.c checks, not bit for bit.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "golden", "model_outputs.json")


def digest(values):
    return hashlib.sha256(np.ascontiguousarray(values, dtype="<f8").tobytes()).hexdigest()


def main():
    fleetmc, update = sys.argv[1], "--update" in sys.argv[2:]
    golden = json.load(open(GOLDEN))
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in sorted(golden["runs"].items()):
            out = os.path.join(tmp, name + ".h5")
            subprocess.run([fleetmc, "run", os.path.join(ROOT, run["config"]), *run["args"], "--kernel", "hourly", "--quiet",
                            "-o", out],
                           check=True, stdout=subprocess.DEVNULL)
            with h5py.File(out, "r") as f:
                for path, expected in sorted(run["sha256"].items()):
                    got = digest(f[path][...])
                    if update:
                        run["sha256"][path] = got
                    elif got != expected:
                        failures.append(f"{name}: /{path} differs from the golden output")
                for quotient, expected in sorted(run["quotients"].items()):
                    numerator, denominator = quotient.split("/budget/")
                    numerator_values = f[numerator][...].ravel()
                    denominator_values = f["budget/" + denominator][...].ravel()
                    with np.errstate(invalid="ignore", divide="ignore"):
                        got = [float(x).hex() for x in numerator_values / denominator_values]
                    if update:
                        run["quotients"][quotient] = got
                    elif got != expected:
                        failures.append(f"{name}: {quotient} = {got}, golden {expected}")
            print(f"{name}: {len(run['sha256'])} datasets and {len(run['quotients'])} quotients compared")
    if update:
        with open(GOLDEN, "w") as f:
            json.dump(golden, f, indent=1, sort_keys=True)
        print(f"updated {GOLDEN}")
        return 0
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
