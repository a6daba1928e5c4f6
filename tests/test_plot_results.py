"""tools/plot_results.py as a user runs it: a dashboard of one file and of two overlaid is a PNG,
an existing PNG is kept unless --force, and files it cannot draw are refused with exit 2.
usage: /usr/bin/python3 tests/test_plot_results.py FLEETMC
"""
import os
import subprocess
import sys
import tempfile

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLOT = os.path.join(ROOT, "tools", "plot_results.py")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def plot(*args):
    return subprocess.run([sys.executable, PLOT, *args], capture_output=True, text=True)


def main():
    fleetmc = sys.argv[1]
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)

    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for config in ("baseline.yaml", "no-garage.yaml"):
            out = os.path.join(tmp, config.replace(".yaml", ".h5"))
            subprocess.run([fleetmc, "run", os.path.join(ROOT, "configs", config), "--set", "fleet.vehicles=320",
                            "--years", "1", "--replicas", "3", "--quiet", "-o", out], check=True,
                           stdout=subprocess.DEVNULL)
            files.append(out)
        one, two = os.path.join(tmp, "one.png"), os.path.join(tmp, "two.png")
        for args, png in (([files[0]], one), (files, two)):
            run = plot(*args, "-o", png)
            check(run.returncode == 0, f"{args}: exit {run.returncode}: {run.stderr}")
            with open(png, "rb") as f:
                head = f.read(8)
            check(head == PNG_SIGNATURE, f"{png} is not a PNG")
            check(os.path.getsize(png) > 20000, f"{png} is only {os.path.getsize(png)} bytes")
        # sampled assumptions (/parameters): the sensitivity panel ranks them
        sampled = os.path.join(tmp, "uncertain.h5")
        subprocess.run([fleetmc, "run", os.path.join(ROOT, "configs", "uncertain.yaml"), "--set", "fleet.vehicles=160",
                        "--years", "1", "--replicas", "4", "--quiet", "-o", sampled], check=True, stdout=subprocess.DEVNULL)
        run = plot(sampled, "-o", os.path.join(tmp, "sampled.png"))
        check(run.returncode == 0, f"uncertain.yaml's file: exit {run.returncode}: {run.stderr}")
        check(not any(name.endswith(".partial.png") for name in os.listdir(tmp)), "a partial PNG was left behind")
        # an existing PNG is not replaced without --force
        before = os.path.getmtime(one), os.path.getsize(one)
        run = plot(files[1], "-o", one)
        check(run.returncode == 2 and "--force" in run.stderr, f"existing output: exit {run.returncode}, {run.stderr}")
        check((os.path.getmtime(one), os.path.getsize(one)) == before, "the existing PNG was touched")
        check(plot(files[1], "-o", one, "--force").returncode == 0, "--force did not replace the PNG")
        # files it cannot draw
        foreign = os.path.join(tmp, "foreign.h5")
        with h5py.File(foreign, "w") as f:
            f["x"] = [1.0]
        for args, why in (([foreign], "not a fleetmc result file"), ([os.path.join(tmp, "missing.h5")], "cannot be opened"),
                          ([files[0], files[1], files[0]], "at most two files"), ([files[0], "-o", os.path.join(tmp, "x.jpg")],
                                                                                  "must end in .png")):
            run = plot(*args)
            check(run.returncode == 2 and why in run.stderr, f"{args}: exit {run.returncode}, stderr {run.stderr!r}")
    for failure in failures:
        print("FAIL", failure)
    print(f"plot_results: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
