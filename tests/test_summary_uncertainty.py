"""summary's sensitivity ranking and C3 over price paths (issue 12, points 3 and 4).

usage: /usr/bin/python3 tests/test_summary_uncertainty.py FLEETMC

Sensitivity, a case whose answer is known by construction: the baseline on a tiny fleet with two
sampled keys, fleet.bidirectional_share uniform 0.1-0.9 (only a bidirectional car gives its
battery to the grid, so C1's winter evening storage grows with it almost in proportion) and
prices.feed_in_eur_per_kwh uniform (what a garage's surplus sells for: it moves money, never a
kWh in a car's battery). Over 16 replicas the first must rank first for C1 with Spearman > 0.8;
the Spearman the summary prints is numpy's on the file's own /parameters and per-replica winter
evening storage; CSV and JSON carry the rows. Fewer than 4 replicas, and a file without
/parameters, say so.

Price paths: with budget.price_paths_per_replica = 50 the rows c3_paths_* hold numpy's P5 / P50 /
P95 (linear interpolation, numpy's default, the summary's definition) of the mean account of every
replica-year x path and its pooled mean, whose standard error is the ratio estimator's over the
replicas (each replica's paths pooled into one record: replicas are the independent units); with
K = 1 no such row appears.
"""
import io
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleettest import check, finish  # noqa: E402
DRIVER, INERT = "fleet.bidirectional_share", "prices.feed_in_eur_per_kwh"





def run(fleetmc, *args):
    r = subprocess.run([fleetmc, *args], capture_output=True, text=True)
    check(r.returncode == 0, f"{' '.join(args[:2])}: exit {r.returncode}: {r.stderr}")
    return r.stdout


def summary(fleetmc, path):
    text = run(fleetmc, "summary", path)
    csv = pd.read_csv(io.StringIO(run(fleetmc, "summary", path, "--format", "csv")))
    document = json.loads(run(fleetmc, "summary", path, "--format", "json"))
    return text, csv, document


def winter_evening_means(path):
    """Each replica's mean cars' storage at the battery over 18:00-21:00 of December to February
    (days < 59 or >= 334 of the 365-day year), in GWh: C1's deciding quantity."""
    with h5py.File(path) as f:
        hourly = f["storage/energy_at_battery_kwh"][:]  # [replica, year, hour]
    hour = np.arange(hourly.shape[2])
    day = hour // 24
    mask = ((hour % 24) >= 18) & ((hour % 24) < 21) & ((day < 59) | (day >= 334))
    return hourly[:, :, mask].mean(axis=(1, 2)) / 1e6


def sensitivity(fleetmc, tmp):
    scenario = os.path.join(tmp, "two.yaml")
    with open(scenario, "w") as f:
        f.write(f"base: {ROOT}/configs/baseline.yaml\n"
                "fleet:\n  bidirectional_share: {dist: uniform, min: 0.1, max: 0.9}\n"
                "prices:\n  feed_in_eur_per_kwh: {dist: uniform, min: 0.02, max: 0.12}\n")
    small = ["--set", "fleet.vehicles=300", "--years", "1", "--quiet"]
    path = os.path.join(tmp, "two.h5")
    run(fleetmc, "run", scenario, "-o", path, "--replicas", "16", *small)
    text, csv, document = summary(fleetmc, path)

    check("sensitivity: which assumption decides each claim" in text, "text: no sensitivity section")
    lines = text.splitlines()
    c1 = [i for i, line in enumerate(lines) if line.strip().startswith("C1  cars at battery, 18:00-21:00, winter")]
    check(len(c1) == 1 and "16 replica(s)" in lines[c1[0]], "text: the C1 sensitivity line with its 16 replicas")
    check(c1 and lines[c1[0] + 1].split()[:2] == ["1.", DRIVER], f"text: {DRIVER} is not ranked first for C1")

    rows = csv[csv["statistic"].isin(["spearman", "first_order_index"])]
    c1_rows = rows[rows["quantity_id"] == "c1_evening_battery_winter"]
    check(len(c1_rows) == 4, f"csv: 2 assumptions x 2 statistics for C1, got {len(c1_rows)}")
    first = c1_rows[(c1_rows["rank"] == 1) & (c1_rows["statistic"] == "spearman")]
    check(len(first) == 1 and first["assumption"].iloc[0] == DRIVER, "csv: C1's rank 1 is not " + DRIVER)
    rho = first["value"].iloc[0] if len(first) else float("nan")
    check(rho > 0.8, f"csv: C1's Spearman with {DRIVER} is {rho}, not > 0.8")
    check((c1_rows["n_replicas"] == 16).all(), "csv: n_replicas of the sensitivity rows is 16")
    check(len(first) == 1 and (first["ci_low"].iloc[0] <= rho <= first["ci_high"].iloc[0] if abs(rho) < 1 else
                            first["ci_low"].isna().all() and "Fisher z" in first["no_ci_reason"].iloc[0]),
          "csv: the Spearman interval holds it (none at |rho| = 1, with the reason)")
    # numpy's Spearman (Pearson's correlation of the ranks) on the file's own values
    with h5py.File(path) as f:
        x = {key: f["parameters"][key][:] for key in (DRIVER, INERT)}
    y = winter_evening_means(path)
    for key in (DRIVER, INERT):
        expected = np.corrcoef(pd.Series(x[key]).rank(), pd.Series(y).rank())[0, 1]
        got = c1_rows[(c1_rows["assumption"] == key) & (c1_rows["statistic"] == "spearman")]["value"]
        check(len(got) == 1 and abs(got.iloc[0] - expected) < 1e-9,
              f"csv: Spearman of {key} for C1 {list(got)} != numpy's {expected}")
    index = c1_rows[c1_rows["statistic"] == "first_order_index"].set_index("assumption")["value"]
    check(index.get(DRIVER, 0) > index.get(INERT, 1), f"csv: S_i of {DRIVER} not above {INERT}: {dict(index)}")
    check(set(rows["quantity_id"]) == {"c1_evening_battery_winter", "c2_b_24h_plus", "c3_account", "c4_npv",
                                       "c7_co2"}, f"csv: the claims ranked {set(rows['quantity_id'])}")
    check(not rows.duplicated(["quantity_id", "statistic", "assumption"]).any(), "csv: a sensitivity row twice")

    block = document.get("sensitivity", {})
    check([a["key"] for a in block.get("assumptions", [])] == [DRIVER, INERT], "json: the sampled assumptions")
    claims = {c["quantity_id"]: c for c in block.get("claims", [])}
    ranking = claims.get("c1_evening_battery_winter", {}).get("ranking", [])
    check(len(ranking) == 2 and ranking[0]["assumption"] == DRIVER and abs(ranking[0]["spearman"] - rho) < 1e-12,
          "json: C1's ranking")
    check(claims.get("c1_evening_battery_winter", {}).get("n_replicas") == 16, "json: C1's n_replicas")

    # fewer than 4 replicas: nothing ranked, and said so
    few = os.path.join(tmp, "few.h5")
    run(fleetmc, "run", scenario, "-o", few, "--replicas", "3", *small)
    text, csv, document = summary(fleetmc, few)
    check("not ranked, too few replicas with a value (n < 4)" in text, "text: 3 replicas are not said to be too few")
    rows = csv[csv["statistic"] == "first_order_index"]
    check(len(rows) == 5 and rows["value"].isna().all() and rows["no_ci_reason"].str.contains("n < 4").all(),
          "csv: 3 replicas give one reasoned row per claim without a value")
    check(all(c["ranking"] == [] and "n < 4" in c["not_ranked_reason"] for c in document["sensitivity"]["claims"]),
          "json: 3 replicas give no ranking, with the reason")
    return path


def price_paths(fleetmc, tmp, plain):
    path = os.path.join(tmp, "paths.h5")
    run(fleetmc, "run", os.path.join(ROOT, "configs", "baseline.yaml"), "-o", path, "--set", "fleet.vehicles=300",
        "--set", "budget.price_paths_per_replica=50", "--years", "2", "--replicas", "6", "--quiet")
    text, csv, document = summary(fleetmc, path)
    with h5py.File(path) as f:
        account = f["price_paths/household_account_sum_eur"][:]  # [replica, year, path]
        worse = f["price_paths/household_worse_off"][:]
        households = f["budget/household_count"][:]              # [replica, year]
    check(account.shape[2] == 50, f"the file has {account.shape[2]} price paths")
    rows = csv.set_index(["quantity_id", "statistic"])
    for quantity, values in (("c3_paths_account", account / households[:, :, None]),
                             ("c3_paths_worse_off", 100.0 * worse / households[:, :, None])):
        for statistic, level in (("p5", 0.05), ("p50", 0.5), ("p95", 0.95)):
            expected = np.quantile(values, level)  # linear, numpy's default: the summary's definition
            got = rows["value"].get((quantity, statistic), float("nan"))
            check(abs(got - expected) <= 1e-9 * max(1.0, abs(expected)), f"{quantity} {statistic}: {got} != {expected}")
    # the mean pools every household-year and path; its error treats the replicas as the units
    # (Cochran 6.9 over each replica's pooled paths: z_r = (part_r - mean whole_r) / mean(whole))
    part, whole = account.sum(axis=(1, 2)), households.sum(axis=1) * account.shape[2]
    mean = part.sum() / whole.sum()
    z = (part - mean * whole) / whole.mean()
    se = z.std(ddof=1) / np.sqrt(len(z))
    got = rows.loc[("c3_paths_account", "mean")]
    check(abs(got["value"] - mean) < 1e-9 * abs(mean), f"c3_paths_account mean {got['value']} != {mean}")
    check(abs(got["se"] - se) < 1e-9 * se, f"c3_paths_account se {got['se']} != replicas' ratio estimator {se}")
    check(got["n_replicas"] == 6, "c3_paths_account rests on the 6 replicas, not on replicas x paths")
    check("over price paths given the physical replicas" in text and "counts replicas as the" in text,
          "text: what the price-path rows are conditioned on is not said")
    check(any(r["id"] == "c3_paths_account" and "50 price paths" in r["over"] for r in document["rows"]),
          "json: the row c3_paths_account over 50 price paths")

    # K = 1 (the baseline): no such row
    text, csv, document = summary(fleetmc, plain)
    check(not csv["quantity_id"].str.startswith("c3_paths").any(), "K = 1: a c3_paths row in the csv")
    check("over price paths" not in text, "K = 1: the text has price-path rows")
    check("no sampled assumption" in text and document["sensitivity"]["assumptions"] == [] and
          not csv["statistic"].isin(["spearman", "first_order_index"]).any(),
          "a file without /parameters: no sensitivity rows, and said so")


def main():
    fleetmc = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        sensitivity(fleetmc, tmp)
        plain = os.path.join(tmp, "plain.h5")
        run(fleetmc, "run", os.path.join(ROOT, "configs", "baseline.yaml"), "-o", plain, "--set", "fleet.vehicles=300",
            "--years", "1", "--replicas", "4", "--quiet")
        price_paths(fleetmc, tmp, plain)
    return finish("test_summary_uncertainty")


if __name__ == "__main__":
    sys.exit(main())
