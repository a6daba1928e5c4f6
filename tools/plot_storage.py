"""Plots claim C1 from a fleetmc result file: the storage energy the cars can give back by hour
of day for each season, median and 5-95 % band over every replica-year's days, against the
proposal's 21 GWh (scaled to the file's fleet size), with the median of cars + solar garage
batteries beside it.

usage: tools/plot.sh RESULT.h5 [OUT.png]     (runs this with Debian's python3, h5py, matplotlib)
"""
import sys

import h5py
import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

# Months of each season in a 365-day year (day-of-year ranges, 0-based, end exclusive).
SEASONS = {
    "winter (Dec-Feb)": [(334, 365), (0, 59)],
    "spring (Mar-May)": [(59, 151)],
    "summer (Jun-Aug)": [(151, 243)],
    "autumn (Sep-Nov)": [(243, 334)],
}


def main(path, out):
    with h5py.File(path, "r") as f:
        if f.attrs.get("filetype") not in ("fleetmc", b"fleetmc"):
            sys.exit(f"{path}: not a fleetmc result file")
        cars = f["storage/energy_kwh"][...]  # [replica, year, time]
        garages = f["storage/garage_energy_kwh"][...]
        vehicles = int(f.attrs["vehicles"])
    days = cars.reshape(cars.shape[0], cars.shape[1], 365, 24) / 1e6  # GWh
    days_all = (cars + garages).reshape(days.shape) / 1e6
    nominal = 21.0 * vehicles / 1e6  # the proposal's 1,000,000 x 30 kWh x 0.7, scaled
    fig, axes = plt.subplots(1, 4, figsize=(16, 4), sharey=True)
    hours = np.arange(24)
    for ax, (name, ranges) in zip(axes, SEASONS.items()):
        chosen = np.concatenate([days[:, :, a:b, :] for a, b in ranges], axis=2).reshape(-1, 24)
        chosen_all = np.concatenate([days_all[:, :, a:b, :] for a, b in ranges], axis=2).reshape(-1, 24)
        p5, p50, p95 = np.percentile(chosen, [5, 50, 95], axis=0)
        ax.fill_between(hours, p5, p95, alpha=0.3, label="cars, 5-95 %")
        ax.plot(hours, p50, label="cars, median")
        ax.plot(hours, np.median(chosen_all, axis=0), linestyle=":", label="with garage batteries, median")
        ax.axhline(nominal, color="k", linestyle="--", label=f"proposal: {nominal:.3g} GWh")
        ax.set_title(name)
        ax.set_xlabel("hour of day")
        ax.set_xticks(range(0, 24, 6))
    axes[0].set_ylabel("energy the fleet can give back, GWh")
    axes[0].legend(loc="lower left", fontsize=8)
    fig.suptitle(f"{path}: {cars.shape[0]} replica(s) x {cars.shape[1]} year(s)")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(out)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else sys.argv[1].rsplit(".", 1)[0] + "_storage.png")
