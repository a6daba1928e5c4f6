"""summary and compare as an analyst scripts them (issue 12, points 1, 5 and 7).

usage: /usr/bin/python3 tests/test_stats_cli.py FLEETMC
Small runs of the baseline and of configs/no-garage.yaml with one seed, and checks: the CSV reads
in pandas and the JSON in json.load, with units, the proposal's figure and a verdict; the mean's
standard error is numpy's sd / sqrt(R) of the per-replica values the file stores; one replica
gives no error (null and a reason, never 0); compare of a file with itself is exactly 0 with the
interval [0, 0]; removing the garages lowers the storage of cars + garages (paired); a pair of
files of other fleet sizes is refused with exit 2 and the reason; a bad --format exits 2.
"""
import io
import json
import math
import os
import sys
import tempfile

import h5py
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleettest import check, finish, run  # noqa: E402








def main():
    fleetmc = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        small = ["--set", "fleet.vehicles=300", "--years", "1", "--quiet"]
        files = {"a": ("baseline.yaml", ["--replicas", "6"]), "b": ("no-garage.yaml", ["--replicas", "6"]),
                 "one": ("baseline.yaml", ["--replicas", "1"]),
                 "v400": ("baseline.yaml", ["--replicas", "6", "--set", "fleet.vehicles=400"])}
        paths = {}
        for name, (config, extra) in files.items():
            paths[name] = os.path.join(tmp, name + ".h5")
            r = run(fleetmc, "run", os.path.join(ROOT, "configs", config), *small, *extra, "-o", paths[name])
            check(r.returncode == 0, f"run {name}: {r.stderr}")

        # CSV: one row per quantity and statistic, read by pandas
        r = run(fleetmc, "summary", paths["a"], "--format", "csv")
        check(r.returncode == 0, f"summary --format csv: {r.stderr}")
        csv = pd.read_csv(io.StringIO(r.stdout))
        for column in ("claim", "quantity_id", "quantity", "unit", "statistic", "value", "se", "ci_low", "ci_high",
                       "proposal_figure", "verdict", "n_replicas"):
            check(column in csv.columns, f"csv has no column {column}")
        check(not csv.duplicated(["quantity_id", "statistic"]).any(), "csv: a (quantity, statistic) twice")
        check(set(csv["statistic"]) == {"p5", "p50", "p95", "mean"}, f"csv statistics {set(csv['statistic'])}")
        means = csv[csv["statistic"] == "mean"].set_index("quantity_id")
        check((means["n_replicas"] == 6).all(), "csv: n_replicas is 6")
        # every interval holds its value
        has_ci = csv.dropna(subset=["ci_low", "ci_high"])
        check(((has_ci["ci_low"] <= has_ci["value"] + 1e-12) & (has_ci["value"] <= has_ci["ci_high"] + 1e-12)).all(),
              "csv: a value outside its interval")
        # the proposal's 21 GWh x vehicles / 1e6 on the C1 rows, with a verdict
        c1 = means.loc["c1_evening_battery_winter"]
        check(abs(c1["proposal_figure"] - 21.0 * 300 / 1e6) < 1e-12, f"C1 figure {c1['proposal_figure']}")
        check(c1["verdict"] in ("holds", "fails", "undecided"), f"C1 verdict {c1['verdict']}")
        check(c1["unit"] == "GWh", "C1 unit")

        # JSON: units, figure, verdicts; the NPV's standard error is numpy's over the file's replicas
        r = run(fleetmc, "summary", paths["a"], "--format", "json")
        check(r.returncode == 0, f"summary --format json: {r.stderr}")
        doc = json.loads(r.stdout)
        rows = {row["id"]: row for row in doc["rows"]}
        check(all(row["unit"] for row in doc["rows"]), "json: a row without unit")
        check({c["claim"] for c in doc["claims"]} == {"C1", "C3", "C4", "C7"}, f"json claims {doc['claims']}")
        with h5py.File(paths["a"], "r") as f:
            npv = f["/budget/npv_eur"][:] / 1e9
        npv_mean = rows["c4_npv"]["statistics"]["mean"]
        want = npv.std(ddof=1) / math.sqrt(len(npv))
        check(abs(npv_mean["se"] - want) <= 1e-9 * abs(want) + 1e-15, f"NPV se {npv_mean['se']}, numpy {want}")
        # t(5) = 2.5705818366147395 (scipy.stats.t.ppf(0.975, 5))
        half = (npv_mean["ci_high"] - npv_mean["ci_low"]) / 2
        check(abs(half - 2.5705818366147395 * want) <= 1e-8 * abs(want) + 1e-15, f"NPV half-width {half}")
        check(rows["c4_npv"]["proposal"]["verdict"] in ("holds", "fails", "undecided"), "NPV verdict")

        # one replica: no error, said so
        r = run(fleetmc, "summary", paths["one"], "--format", "json")
        one = {row["id"]: row for row in json.loads(r.stdout)["rows"]}
        m = one["c1_cars_battery"]["statistics"]["mean"]
        check(m["se"] is None and m["ci_low"] is None and m["no_ci_reason"] == "1 replica", f"one replica: {m}")
        check(one["c1_cars_battery"]["proposal"]["verdict"] is None, "one replica: a verdict")
        text = run(fleetmc, "summary", paths["one"]).stdout
        check("n/a (1 replica)" in text, "one replica: text says n/a (1 replica)")

        # compare: a file with itself is exactly 0, interval [0, 0], paired
        r = run(fleetmc, "compare", paths["a"], paths["a"], "--format", "json")
        check(r.returncode == 0, f"compare a a: {r.stderr}")
        same = json.loads(r.stdout)
        check(same["paired"] is True, "compare a a: paired")
        for row in same["rows"]:
            if row["mean_a"] is None:
                continue
            check(row["difference"] == 0 and row["ci_low"] == 0 and row["ci_high"] == 0,
                  f"compare a a: {row['id']} {row['difference']} [{row['ci_low']}, {row['ci_high']}]")
        # the evening peak by season is among the compared rows
        ids = {row["id"] for row in same["rows"]}
        check({"c1_evening_battery_" + s for s in ("winter", "spring", "summer", "autumn")} <= ids, "evening rows")

        # no garage vs baseline, one seed: cars + garages' storage falls, its interval wholly below 0
        r = run(fleetmc, "compare", paths["a"], paths["b"], "--format", "csv")
        check(r.returncode == 0, f"compare a b: {r.stderr}")
        diff = pd.read_csv(io.StringIO(r.stdout)).set_index("quantity_id")
        row = diff.loc["c1_all_battery"]
        check(row["method"] == "paired", "compare a b: paired")
        check(row["difference"] < 0 and row["ci_high"] < 0, f"no garage: cars + garages {row['difference']}, "
              f"[{row['ci_low']}, {row['ci_high']}]")
        check(row["unit"] == "GWh", "compare csv carries units")

        # refused: other fleet sizes, exit 2 naming the files and the reason
        r = run(fleetmc, "compare", paths["a"], paths["v400"])
        check(r.returncode == 2 and "vehicles" in r.stderr and "v400.h5" in r.stderr, f"refused pair: {r.returncode} {r.stderr}")
        check(r.stdout == "", "a refused pair prints no table")
        r = run(fleetmc, "compare", paths["a"], paths["b"], "--format", "xml")
        check(r.returncode == 2 and "--format" in r.stderr and "xml" in r.stderr, f"--format xml: {r.stderr}")
    sys.exit(finish("test_stats_cli"))


if __name__ == "__main__":
    main()
