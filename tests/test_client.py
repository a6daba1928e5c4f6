"""A result file as an analyst opens it: xarray (h5netcdf and netCDF4 engines) and pandas.

usage: /usr/bin/python3 tests/test_client.py FLEETMC
Writes a small run (2 replicas from replica 3, 2 years) and checks, for every group of the
schema (`fleetmc schema`), that each engine opens it in one call with the schema's named
dimensions and no phony_dim, the coordinate values and units the schema gives, every data
variable's units and long_name, NaN declared as _FillValue, a labelled hourly series in pandas,
and the README's recipes.
"""
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import pandas as pd
import xarray as xr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def schema_tables(fleetmc):
    """The axes and datasets of `fleetmc schema`, as {name: row} dicts of the markdown cells."""
    text = subprocess.run([fleetmc, "schema"], check=True, capture_output=True, text=True).stdout
    axes, datasets = {}, {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and cells[0].startswith("`") and cells[1] in ("string", "float64", "int64"):
            if cells[0].startswith("`/") and len(cells) == 7:
                datasets[cells[0].strip("`")] = cells
            elif len(cells) == 6:
                axes[cells[0].strip("`")] = cells
    return axes, datasets


def main():
    fleetmc = sys.argv[1]
    axes, datasets = schema_tables(fleetmc)
    assert len(axes) >= 10 and len(datasets) >= 30, (len(axes), len(datasets))
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "r.h5")
        subprocess.run([fleetmc, "run", os.path.join(ROOT, "configs", "baseline.yaml"), "--set", "fleet.vehicles=300",
                        "--first-replica", "3", "--replicas", "2", "--years", "2", "--quiet", "-o", path],
                       check=True, stdout=subprocess.DEVNULL)
        groups = sorted({p.split("/")[1] for p in datasets})
        for group in groups:
            wanted = {p.split("/")[2]: cells for p, cells in datasets.items() if p.split("/")[1] == group}
            for engine in ("h5netcdf", "netcdf4"):
                where = f"{engine}, group {group}"
                with xr.open_dataset(path, engine=engine, group=group) as ds:
                    check(not any("phony" in d for d in ds.dims), f"{where}: dims {list(ds.dims)}")
                    for name, cells in wanted.items():
                        check(name in ds.data_vars, f"{where}: no variable {name}")
                        if name not in ds.data_vars:
                            continue
                        var = ds[name]
                        dims = [d.strip() for d in cells[2].strip("[]").split(",") if d.strip()]
                        check(list(var.dims) == dims, f"{where}: {name} dims {var.dims}, schema {dims}")
                        check(var.attrs.get("units") == cells[3], f"{where}: {name} units {var.attrs.get('units')}")
                        check(bool(var.attrs.get("long_name")), f"{where}: {name} has no long_name")
                        if cells[1] == "float64":
                            check(np.isnan(var.encoding.get("_FillValue", 0.0)),
                                  f"{where}: {name} _FillValue {var.encoding.get('_FillValue')}")
                    for dim in ds.dims:
                        check(dim in axes, f"{where}: dimension {dim} is not an axis of the schema")
                        check(dim in ds.coords, f"{where}: dimension {dim} has no coordinate")
                        units = axes[dim][3] if dim in axes else ""
                        if units and dim in ds.coords:
                            check(ds[dim].attrs.get("units") == units,
                                  f"{where}: {dim} units {ds[dim].attrs.get('units')}, schema {units}")
                    if "replica" in ds.dims:
                        check(list(ds.replica.values) == [3, 4], f"{where}: replica {ds.replica.values}")
                    if "year" in ds.dims:
                        check(list(ds.year.values) == [2027, 2028], f"{where}: year {ds.year.values}")
                    if "time" in ds.dims:
                        check(ds.time.encoding.get("units") == "hours since 2027-01-01 00:00:00",
                              f"{where}: time units {ds.time.encoding.get('units')}")
                        check(ds.time.encoding.get("calendar") == "noleap", f"{where}: calendar")
                        check(ds.time.size == 8760 and str(ds.time.values[25])[:19] == "2027-01-02 01:00:00",
                              f"{where}: time[25] = {ds.time.values[25]}")
                    if "region" in ds.dims:
                        check("ile_de_france" in list(ds.region.values), f"{where}: regions {ds.region.values}")
                    if "source" in ds.dims:
                        check(list(ds.source.values)[:2] == ["home_socket", "home_wallbox"], f"{where}: source")
                    if "item" in ds.dims:
                        check(list(ds.item.values)[-1] == "net", f"{where}: item {ds.item.values}")
                    if "duration_bin" in ds.dims:
                        bounds = ds["duration_bin_bounds"].values
                        check(bounds[0, 0] == 0 and np.isinf(bounds[-1, 1]) and
                              (bounds[1:, 0] == bounds[:-1, 1]).all(), f"{where}: duration_bin_bounds {bounds}")
                        check(ds.duration_bin.attrs.get("bounds") == "duration_bin_bounds", f"{where}: bounds attr")
                    if "outage_band" in ds.dims:  # claim C2's bands: < 1 h, 1-4 h, 4-24 h, >= 24 h
                        bounds = ds["outage_band_bounds"].values
                        check(list(ds.outage_band.values) == [0, 1, 4, 24] and np.isinf(bounds[-1, 1]) and
                              (bounds[1:, 0] == bounds[:-1, 1]).all(), f"{where}: outage_band {bounds}")

        # the README's recipes: one call to a labelled hourly series, and a table of a year axis
        storage = xr.open_dataset(path, engine="h5netcdf", group="storage")
        series = storage["energy_kwh"].sel(replica=3).to_series()
        check(isinstance(series, pd.Series) and len(series) == 2 * 8760, f"series of {len(series)}")
        check(series.index.names == ["year", "time"], f"series index {series.index.names}")
        evening = storage["energy_kwh"].sel(replica=3, year=2027).to_series()
        check(evening.index[18].hour == 18, f"hour 18 labelled {evening.index[18]}")
        frame = xr.open_dataset(path, engine="netcdf4", group="charging")["energy_kwh"].to_dataframe()
        check(frame.index.names == ["replica", "year", "source"], f"frame index {frame.index.names}")
        storage.close()

        # the summary's evening peak by season is numpy's percentiles of hours 18-20 of the season's days
        summary = subprocess.run([fleetmc, "summary", path], check=True, capture_output=True, text=True).stdout
        seasons = {"winter (Dec-Feb)": [(334, 365), (0, 59)], "summer (Jun-Aug)": [(151, 243)]}
        storage = xr.open_dataset(path, engine="h5netcdf", group="storage")
        for dataset, label in (("energy_kwh", "cars deliverable"), ("energy_at_battery_kwh", "cars at battery")):
            energy = (storage[dataset].values / 1e6).reshape(2, 2, 365, 24)
            for season, ranges in seasons.items():
                values = np.concatenate([energy[:, :, a:b, 18:21] for a, b in ranges], axis=2).ravel()
                row = [line for line in summary.splitlines() if f"{label}, 18:00-21:00, {season}" in line]
                check(len(row) == 1, f"summary has no {label} evening row for {season}")
                if row:
                    p5, p50, p95, mean = (float(x) for x in row[0].split("GWh")[1].split()[:4])
                    want = np.percentile(values, [5, 50, 95])
                    # the table prints 4 significant digits
                    check(all(abs(g - w) <= 5e-4 * abs(w) for g, w in zip((p5, p50, p95), want)),
                          f"{label}, {season}: summary {p5, p50, p95}, numpy {want}")
        # deliverable = at the battery x the discharge efficiency (0.9 in the baseline), to the sums' rounding
        at_battery, deliverable = storage["energy_at_battery_kwh"].values, storage["energy_kwh"].values
        check(np.allclose(deliverable, 0.9 * at_battery, rtol=1e-9, atol=1e-5), "deliverable != 0.9 x at the battery")
        check(at_battery.max() > 0, "no storage at the battery")
        storage.close()
        # the replicas the NPV's P50 needs, by the summary's formula from the file's per-replica NPV
        npv = xr.open_dataset(path, engine="h5netcdf", group="budget")["npv_eur"].values / 1e9
        median, sd = np.percentile(npv, 50), npv.std(ddof=1)
        needed = int(np.ceil((1.2533141373155 * sd / (0.01 * abs(median))) ** 2))
        line = [x for x in summary.splitlines() if "the NPV's P50 has a standard error" in x]
        check(len(line) == 1 and f"about {needed} replica(s)" in line[0], f"NPV line {line}, expected {needed}")
        # C2 by band: each line's mean is the pooled share of the file's sums, and says how many outages
        outage = xr.open_dataset(path, engine="h5netcdf", group="outage")
        totals = {name: outage[name].sum(dim=["replica", "year"]).values for name in
                  ("band_count", "band_car_at_start", "band_demand_kwh", "band_served_kwh",
                   "band_first_24h_fully_served", "band_fully_served")}
        outage.close()
        for b, band in enumerate(["< 1 h", "1-4 h", "4-24 h", ">= 24 h"]):
            count = totals["band_count"][b]
            shares = {"(a)": ("began with bidir. car home, plugged", "band_car_at_start", "band_count"),
                      "(b)": ("dormant-load kWh served / demanded", "band_served_kwh", "band_demand_kwh"),
                      "(d)": ("fully served over whole outage", "band_fully_served", "band_count")}
            if b == 3:
                shares["(c)"] = ("first 24 h fully served", "band_first_24h_fully_served", "band_count")
            for tag, (what, part, whole) in shares.items():
                row = [x for x in summary.splitlines() if x.startswith("C2") and f"{tag} {band}: {what}" in x]
                check(len(row) == 1, f"summary has no C2 row {tag} {band}")
                if not row:
                    continue
                check(f"{count:.0f} outages;" in row[0], f"C2 {tag} {band}: {row[0]} (want {count:.0f} outages)")
                mean = row[0].split("%")[1].split()[5]  # after the unit ("of outages", "of kWh"): P5, P50, P95, mean
                if totals[whole][b] > 0:
                    want = 100.0 * totals[part][b] / totals[whole][b]
                    check(abs(float(mean) - want) <= 5e-4 * abs(want), f"C2 {tag} {band}: mean {mean}, file {want}")
                else:
                    check(mean == "-", f"C2 {tag} {band}: mean {mean} without outages")
        # ageing: the fleet's mean state of health at the last year's end, per replica = the file's sum / vehicles
        with h5py.File(path, "r") as f:
            soh = 100.0 * f["battery/state_of_health_sum"][:, -1] / f.attrs["vehicles"]
        row = [x for x in summary.splitlines() if x.startswith("ageing") and "state of health" in x]
        check(len(row) == 1, "summary has no ageing row")
        if row:
            p5, p50, p95, mean = (float(x) for x in row[0].split("% of nominal")[1].split()[:4])
            want = list(np.percentile(soh, [5, 50, 95])) + [soh.mean()]
            check(all(abs(g - w) <= 5e-4 * abs(w) for g, w in zip((p5, p50, p95, mean), want)),
                  f"ageing row {p5, p50, p95, mean}, file {want}")
            check(80.0 < mean < 100.0, f"mean state of health {mean} %")
        # the recipes name results/baseline.h5: a run from replica 0, as the baseline is
        baseline = os.path.join(tmp, "baseline.h5")
        subprocess.run([fleetmc, "run", os.path.join(ROOT, "configs", "baseline.yaml"), "--set", "fleet.vehicles=100",
                        "--years", "1", "--quiet", "-o", baseline], check=True, stdout=subprocess.DEVNULL)
        readme = open(os.path.join(ROOT, "README.md")).read()
        recipes = re.findall(r"```python\n(.*?)```", readme, re.S)
        check(recipes, "README has no ```python recipe")
        for recipe in recipes:
            scope = {}
            try:
                exec(recipe.replace("results/baseline.h5", baseline), scope)
            except Exception as e:  # a recipe that does not run is a failure of the README
                failures.append(f"README recipe failed: {type(e).__name__}: {e}\n{recipe}")

    for failure in failures:
        print("FAIL", failure)
    print(f"{len(groups)} groups x 2 engines checked, {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
