"""A one-page PNG dashboard of a fleetmc result file, or of two overlaid (issue 12, point 8).

usage: tools/plot.sh FILE [FILE2] [-o OUT.png]    (runs this with Debian's python3)

Panels, each across the file's replicas (the independent units of the Monte Carlo):
  - C1: the energy the cars can give back (deliverable) by hour of day in each season, a fan
    chart: each replica's mean over the season's days, median and 5-95 % band across replicas;
    the same for the solar garages' batteries, apart;
  - C1: the exceedance curve of the 18:00-21:00 storage (every evening hour of every replica-
    year), against the proposal's 21 GWh scaled to the file's fleet;
  - C5/C6: the energy entering the cars by source, GWh a year;
  - C2: the four outage measures by duration band;
  - C3: the household account in both framings (a year's account; the full position over the
    lease), as densities of households;
  - C4: the State's NPV per replica;
  - sensitivity: the Spearman rank correlation of each sampled assumption (/parameters) with
    the evening-peak storage and the State's NPV across replicas.
Axes of quantities that cannot be negative start at zero, both files share each panel's scale,
and the title names the scenarios.
"""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

# Day-of-year ranges of each season in the model's 365-day year (0-based, end exclusive).
SEASONS = {
    "winter (Dec-Feb)": [(334, 365), (0, 59)],
    "spring (Mar-May)": [(59, 151)],
    "summer (Jun-Aug)": [(151, 243)],
    "autumn (Sep-Nov)": [(243, 334)],
}
EVENING_HOURS = [18, 19, 20]  # the 18:00-21:00 peak, as the summary's C1 lines
PROPOSAL_GWH_PER_MILLION = 21.0  # 1,000,000 cars x 30 kWh x 0.7 (PROPOSAL.md, C1)
BAND_LABELS = ["< 1 h", "1-4 h", "4-24 h", ">= 24 h"]
COLOURS = ["tab:blue", "tab:orange"]


def fail(message):
    print(f"plot_results: {message}", file=sys.stderr)
    sys.exit(2)


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


class Result:
    """What the dashboard needs from one file, read once."""

    def __init__(self, path):
        try:
            f = h5py.File(path, "r")
        except OSError as e:
            fail(f"{path}: cannot be opened as HDF5 ({e})")
        with f:
            if text(f.attrs.get("filetype", "")) != "fleetmc":
                fail(f"{path}: not a fleetmc result file (root attribute filetype is not 'fleetmc')")
            self.name = os.path.basename(text(f.attrs["scenario_file"]))
            self.vehicles = int(f.attrs["vehicles"])
            self.cars = f["storage/energy_kwh"][...] / 1e6  # GWh [replica, year, time]
            self.garages = f["storage/garage_energy_kwh"][...] / 1e6
            self.sources = [text(s) for s in f["charging/source"][...]]
            self.charging = f["charging/energy_kwh"][...] / 1e6  # GWh [replica, year, source]
            self.band = {k: f["outage/" + k][...].sum(axis=(0, 1)) for k in (
                "band_count", "band_car_at_start", "band_demand_kwh", "band_served_kwh",
                "band_first_24h_fully_served", "band_fully_served")}
            self.account_bins = f["budget/account_bin_bounds"][...]
            self.account = f["budget/household_account_histogram"][...].sum(axis=(0, 1))
            self.position_bins = f["budget/position_bin_bounds"][...]
            self.position = f["budget/position_histogram"][...].sum(axis=(0, 1))
            self.npv = f["budget/npv_eur"][...] / 1e9  # bn EUR [replica]
            self.parameters = {}
            if "parameters" in f:  # the sampled keys, listed by the group's "keys" attribute
                group = f["parameters"]
                for key in (text(k) for k in group.attrs.get("keys", [])):
                    self.parameters[key] = group[key][...].astype(float)
        self.replicas = self.cars.shape[0]
        self.days = self.cars.reshape(self.replicas, self.cars.shape[1], 365, 24)
        self.garage_days = self.garages.reshape(self.days.shape)

    def season_profile(self, days, ranges):
        """Each replica's mean over the season's days (and years) of each hour: [replica, 24]."""
        chosen = np.concatenate([days[:, :, a:b, :] for a, b in ranges], axis=2)
        return chosen.mean(axis=(1, 2))

    def evening_hours(self):
        return self.days[:, :, :, EVENING_HOURS].ravel()

    def evening_mean_per_replica(self):
        return self.days[:, :, :, EVENING_HOURS].mean(axis=(1, 2, 3))


def fan(ax, profiles, colour, label):
    hours = np.arange(24)
    p5, p50, p95 = np.percentile(profiles, [5, 50, 95], axis=0)
    if profiles.shape[0] > 1:
        ax.fill_between(hours, p5, p95, color=colour, alpha=0.25, label=f"{label}: 5-95 % of replicas")
    ax.plot(hours, p50, color=colour, label=f"{label}: median")


def ranks(x):
    """Ranks 1..n, ties given their average rank (for Spearman's correlation)."""
    order = np.argsort(x, kind="mergesort")
    r = np.empty(len(x))
    r[order] = np.arange(1, len(x) + 1)
    for value in np.unique(x):
        tied = x == value
        if tied.sum() > 1:
            r[tied] = r[tied].mean()
    return r


def spearman(x, y):
    rx, ry = ranks(np.asarray(x)), ranks(np.asarray(y))
    if rx.std() == 0 or ry.std() == 0:
        return 0.0
    return float(np.corrcoef(rx, ry)[0, 1])


def draw(results, out):
    fig = plt.figure(figsize=(20, 17), constrained_layout=True)
    grid = fig.add_gridspec(4, 4)
    names = " vs ".join(r.name for r in results)
    sizes = ", ".join(f"{r.name}: {r.vehicles:,} vehicles, {r.replicas} replica(s) x {r.cars.shape[1]} year(s)"
                      for r in results)
    fig.suptitle(f"fleetmc dashboard: {names}\n{sizes}", fontsize=14)
    nominal = PROPOSAL_GWH_PER_MILLION * results[0].vehicles / 1e6

    # rows 1-2: C1 fan charts, cars then garages, one scale per row for both files
    for row, (attr, what) in enumerate([("days", "cars"), ("garage_days", "garage batteries")]):
        axes = [fig.add_subplot(grid[row, k]) for k in range(4)]
        top = 0.0
        for ax, (season, ranges) in zip(axes, SEASONS.items()):
            for r, colour in zip(results, COLOURS):
                profiles = r.season_profile(getattr(r, attr), ranges)
                fan(ax, profiles, colour, r.name)
                top = max(top, profiles.max())
            ax.set_title(f"C1 {what}, {season}")
            ax.set_xlabel("hour of day")
            ax.set_xticks(range(0, 25, 6))
        for ax in axes:
            if row == 0:
                ax.axhline(nominal, color="k", linestyle="--", label=f"proposal: {nominal:.3g} GWh")
            ax.set_ylim(0, max(top, nominal if row == 0 else 0.0) * 1.05 or 1.0)
        axes[0].set_ylabel(f"{what}: energy deliverable to the grid, GWh")
        axes[0].legend(fontsize=7, loc="lower left")

    # row 3: exceedance, charging by source, C2 bands, State NPV
    ax = fig.add_subplot(grid[2, 0])
    for r, colour in zip(results, COLOURS):
        values = np.sort(r.evening_hours())
        share = 1.0 - np.arange(len(values)) / len(values)
        ax.plot(values, 100.0 * share, color=colour, label=r.name)
    ax.axvline(nominal, color="k", linestyle="--", label=f"proposal: {nominal:.3g} GWh")
    ax.set_xlim(0, None)
    ax.set_ylim(0, 100)
    ax.set_xlabel("cars' deliverable storage, 18:00-21:00, GWh")
    ax.set_ylabel("% of evening hours at or above")
    ax.set_title("C1 exceedance of the evening peak")
    ax.legend(fontsize=7)

    ax = fig.add_subplot(grid[2, 1])
    width = 0.8 / len(results)
    for k, (r, colour) in enumerate(zip(results, COLOURS)):
        per_year = r.charging.mean(axis=(0, 1))
        ax.bar(np.arange(len(r.sources)) + k * width, per_year, width, color=colour, label=r.name)
    ax.set_xticks(np.arange(len(results[0].sources)) + 0.4 - width / 2)
    ax.set_xticklabels(results[0].sources, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, None)
    ax.set_ylabel("GWh a year, mean over replica-years")
    ax.set_title("C5/C6 energy entering the cars by source")
    ax.legend(fontsize=7)

    ax = fig.add_subplot(grid[2, 2])
    measures = [("(a) car home at start", "band_car_at_start", "band_count"),
                ("(b) kWh served", "band_served_kwh", "band_demand_kwh"),
                ("(c) first 24 h served", "band_first_24h_fully_served", "band_count"),
                ("(d) fully served", "band_fully_served", "band_count")]
    width = 0.8 / (len(measures) * len(results))
    for k, (r, colour) in enumerate(zip(results, COLOURS)):
        for m, (label, numerator, denominator) in enumerate(measures):
            with np.errstate(invalid="ignore", divide="ignore"):
                share = 100.0 * r.band[numerator] / r.band[denominator]
            if m == 2:  # (c) is defined for outages of 24 h or more only
                share[:3] = np.nan
            ax.bar(np.arange(4) + (k * len(measures) + m) * width, np.nan_to_num(share), width, color=colour,
                   alpha=0.4 + 0.15 * m, label=f"{r.name} {label}")
    ax.set_xticks(np.arange(4) + 0.4 - width / 2)
    ax.set_xticklabels(BAND_LABELS)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of outages (of kWh for b), pooled")
    ax.set_title("C2 backup by outage duration band")
    ax.legend(fontsize=6, ncol=1)

    ax = fig.add_subplot(grid[2, 3])
    for r, colour in zip(results, COLOURS):
        ax.plot(np.arange(r.replicas), r.npv, "o", color=colour, label=f"{r.name}: median {np.median(r.npv):.3g}")
    ax.axhline(0.0, color="k", linewidth=0.8)
    low = min(0.0, min(r.npv.min() for r in results))
    high = max(0.0, max(r.npv.max() for r in results))
    ax.set_ylim(low * 1.1 - 1e-9, high * 1.1 + 1e-9)  # zero always in view
    ax.set_xlabel("replica")
    ax.set_ylabel("bn EUR")
    ax.set_title("C4 State NPV per replica")
    ax.legend(fontsize=7)

    # row 4: household account in both framings, sensitivity
    for col, (title, bins_attr, counts_attr) in enumerate([
            ("C3 (i) a year's account", "account_bins", "account"),
            ("C3 (ii) full position over the lease", "position_bins", "position")]):
        ax = fig.add_subplot(grid[3, 2 * col:2 * col + 1])
        ax.set_title(title)
        if all(getattr(r, counts_attr).sum() == 0 for r in results):
            ax.axis("off")
            ax.text(0.5, 0.5, f"{title}:\nno household in the file(s) has one\n(a lease completes only in a run of "
                    "the lease's years)", ha="center", va="center", transform=ax.transAxes)
            continue
        top = 0.0
        for r, colour in zip(results, COLOURS):
            bounds, counts = getattr(r, bins_attr), getattr(r, counts_attr)
            total = counts.sum()
            if total == 0:
                continue
            widths = bounds[:, 1] - bounds[:, 0]
            density = counts / total / widths * 1000.0
            ax.step(bounds[:, 0], density, where="post", color=colour, label=f"{r.name} ({int(total):,} households)")
            used = np.nonzero(counts)[0]
            ax.set_xlim(bounds[used[0], 0], bounds[used[-1], 1])
            top = max(top, density.max())
        ax.axvline(0.0, color="k", linewidth=0.8)
        ax.set_ylim(0, top * 1.05 or 1.0)
        ax.set_xlabel("EUR (< 0: worse off)")
        ax.set_ylabel("share of households per 1,000 EUR")
        ax.legend(fontsize=7)

    ax = fig.add_subplot(grid[3, 1])
    ax2 = fig.add_subplot(grid[3, 3])
    sensitivity(ax, ax2, results)
    fig.savefig(out, dpi=80)


def sensitivity(ax, ax_text, results):
    """Spearman's rank correlation of each sampled assumption with two claims, across replicas."""
    r = results[0]
    ax_text.axis("off")
    claims = {"C1 evening peak": r.evening_mean_per_replica(), "C4 NPV": r.npv}
    if not r.parameters or r.replicas < 3:
        ax.axis("off")
        reason = ("no sampled assumptions (/parameters) in this file" if not r.parameters
                  else f"{r.replicas} replicas: too few to rank assumptions")
        ax.text(0.5, 0.5, f"sensitivity ranking:\n{reason}", ha="center", va="center", transform=ax.transAxes)
        return
    keys = sorted(r.parameters)
    rho = {c: [spearman(r.parameters[k], y) for k in keys] for c, y in claims.items()}
    order = np.argsort([-abs(v) for v in rho["C1 evening peak"]])
    y = np.arange(len(keys))
    for k, (claim, values) in enumerate(rho.items()):
        ax.barh(y + 0.4 * k, np.array(values)[order], 0.4, label=claim)
    ax.set_yticks(y + 0.2)
    ax.set_yticklabels([keys[i] for i in order], fontsize=7)
    ax.set_xlim(-1, 1)
    ax.axvline(0.0, color="k", linewidth=0.8)
    ax.set_xlabel(f"Spearman rank correlation over {r.replicas} replicas ({r.name})")
    ax.set_title("sensitivity: which assumption decides")
    ax.legend(fontsize=7)
    ax_text.text(0.0, 1.0, "\n".join(f"{keys[i]}: rho = {rho['C1 evening peak'][i]:+.2f} (C1), "
                                     f"{rho['C4 NPV'][i]:+.2f} (C4)" for i in order[:12]),
                 va="top", fontsize=8, family="monospace", transform=ax_text.transAxes)


def main(argv):
    parser = argparse.ArgumentParser(description="PNG dashboard of one fleetmc result file or two overlaid")
    parser.add_argument("files", nargs="+", help="FILE [FILE2]")
    parser.add_argument("-o", "--out", help="PNG to write (default: FILE with .png); refused if it exists, unless --force")
    parser.add_argument("--force", action="store_true", help="replace an existing PNG")
    args = parser.parse_args(argv)
    if len(args.files) > 2:
        fail(f"at most two files, got {len(args.files)}")
    out = args.out or os.path.splitext(args.files[0])[0] + ".png"
    if not out.endswith(".png"):
        fail(f"-o {out}: the dashboard is a PNG; the name must end in .png")
    if os.path.exists(out) and not args.force:
        fail(f"{out} exists; give --force to replace it")
    results = [Result(path) for path in args.files]
    if len(results) == 2 and results[0].vehicles != results[1].vehicles:
        fail(f"{args.files[0]} has {results[0].vehicles} vehicles and {args.files[1]} {results[1].vehicles}: "
             "one scale cannot serve both")
    temporary = out + ".partial.png"
    draw(results, temporary)
    os.replace(temporary, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
