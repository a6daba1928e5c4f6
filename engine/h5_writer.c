/* h5_writer.c: the HDF5 result file (schema in README.md, "Output").
 *
 * On-disk types are fixed (little-endian IEEE doubles, little-endian integers, variable-length
 * UTF-8 strings) so a file reads the same on any machine; memory types are the native ones and
 * HDF5 converts.
 *
 * HDF5's automatic error printing is switched off for the duration of each public call and the
 * caller's handler is restored before the call returns (not once globally), so the library never
 * writes to stderr behind the caller's back and a program that installs its own handler keeps it.
 * Failures are reported through fleet_error_t instead, with the innermost HDF5 message appended,
 * which is where the library says what actually went wrong (e.g. the errno of a failed open).
 *
 * Serial HDF5 is not thread-safe: call these functions from one thread at a time. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "h5_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "h5_util.h"
#include "version.h"

/* The float64 datasets of the file, with axes [replica, year, ...] except those of AXIS_REPLICA,
 * [replica], which the writer computes itself from the years of a replica. */
enum {
  DS_STORAGE_ENERGY = 0,
  DS_STORAGE_POWER,
  DS_STORAGE_PLUGGED,
  DS_STORAGE_GARAGE,
  DS_STORAGE_TOTAL,
  DS_STORAGE_GARAGE_POWER,
  DS_STORAGE_TOTAL_POWER,
  DS_KM_DRIVEN,
  DS_CHARGING,
  DS_SOLAR,
  DS_PV_YIELD,
  DS_TEMPERATURE,
  DS_OUTAGE_HOUSEHOLDS_OUT,
  DS_OUTAGE_HOUSEHOLD_HOURS,
  DS_OUTAGE_DEMAND,
  DS_OUTAGE_SERVED,
  DS_OUTAGE_UNSERVED,
  DS_OUTAGE_COUNT,
  DS_OUTAGE_DURATION_HISTOGRAM,
  DS_OUTAGE_COVERED_HISTOGRAM,
  DS_OUTAGE_LONG,
  DS_OUTAGE_LONG_COVERED,
  DS_OUTAGE_LONG_COVERED_PROBABILITY, /* [replica]: written by fleet_h5_write_year itself */
  DS_BUDGET_PRICES,
  DS_BUDGET_ACCOUNT_HISTOGRAM,
  DS_BUDGET_ACCOUNT_MOMENTS,   /* computed by the writer: count, mean, m2 */
  DS_BUDGET_WORSE_OFF_SHARE,   /* computed by the writer */
  DS_BUDGET_ACCOUNT_QUANTILES, /* computed by the writer from the histogram */
  DS_BUDGET_LEDGER,
  DS_BUDGET_NPV,               /* [replica]: written by fleet_h5_write_year itself */
  DS_BUDGET_REPAID,            /* [replica]: likewise; attribute repaid_share at commit */
  DS_CO2_COMBUSTION,
  DS_CO2_GRID,
  DS_CO2_AVOIDED,              /* computed by the writer */
  DS_COUNT
};

/* The levels of /budget/household_account_quantiles_eur, its attribute quantiles. */
#define ACCOUNT_QUANTILE_COUNT 3
static const double account_quantile_levels[ACCOUNT_QUANTILE_COUNT] = {0.05, 0.5, 0.95};

/* The last axis of /budget/household_account_moments, its attribute moments. */
#define ACCOUNT_MOMENT_COUNT 3
static const char *const account_moment_names[ACCOUNT_MOMENT_COUNT] = {"count", "mean_eur", "m2_eur2"};

/* The axis after [replica, year], if any, and which names or bin edges label it; AXIS_REPLICA:
 * no year axis either, the dataset is [replica]. */
typedef enum {
  AXIS_NONE = 0,
  AXIS_HOUR,
  AXIS_SOURCE,
  AXIS_FLOW,
  AXIS_REGION,
  AXIS_DURATION_BIN, /* bins of outage duration, attribute bin_edges_h */
  AXIS_COVERED_BIN,  /* bins of the share of an outage's load served, attribute bin_edges */
  AXIS_PRICE,        /* fleet_price_t, attribute prices */
  AXIS_ACCOUNT_BIN,  /* bins of the household account, attribute bin_edges_eur */
  AXIS_MOMENT,       /* count, mean, m2 of the household account, attribute moments */
  AXIS_QUANTILE,     /* quantiles of the household account, attribute quantiles */
  AXIS_LEDGER,       /* fleet_ledger_item_t, attribute items */
  AXIS_REPLICA
} last_axis_t;

typedef struct {
  const char *path; /* absolute path of the dataset in the file */
  const char *units;
  const char *description;
  last_axis_t axis;
} dataset_spec_t;

static const dataset_spec_t specs[DS_COUNT] = {
    [DS_STORAGE_ENERGY] = {"/storage/energy_kwh", "kWh",
                           "fleet total per hour: energy that plugged-in bidirectional cars can give back "
                           "after discharge losses, above the larger of each owner's floor and the next "
                           "trip's need; axes [replica, year, hour of the year]",
                           AXIS_HOUR},
    [DS_STORAGE_POWER] = {"/storage/power_kw", "kW",
                          "fleet total per hour: power that plugged-in bidirectional cars can give back, "
                          "each car capped by its charger; axes [replica, year, hour of the year]",
                          AXIS_HOUR},
    [DS_STORAGE_PLUGGED] = {"/storage/plugged_vehicles", "vehicles",
                            "fleet total per hour: cars plugged in at home; "
                            "axes [replica, year, hour of the year]",
                            AXIS_HOUR},
    [DS_STORAGE_GARAGE] = {"/storage/garage_energy_kwh", "kWh",
                           "fleet total per hour: energy that the batteries of the solar garages can give "
                           "back after discharge losses, above their floor; "
                           "axes [replica, year, hour of the year]",
                           AXIS_HOUR},
    [DS_STORAGE_TOTAL] = {"/storage/total_energy_kwh", "kWh",
                          "fleet total per hour: energy that cars and garage batteries together can give "
                          "back, computed by the writer when it writes a year as /storage/energy_kwh + "
                          "/storage/garage_energy_kwh; axes [replica, year, hour of the year]",
                          AXIS_HOUR},
    [DS_STORAGE_GARAGE_POWER] = {"/storage/garage_power_kw", "kW",
                                 "fleet total per hour: power that the batteries of the solar garages can give "
                                 "back in the hour, each capped by its inverter; "
                                 "axes [replica, year, hour of the year]",
                                 AXIS_HOUR},
    [DS_STORAGE_TOTAL_POWER] = {"/storage/total_power_kw", "kW",
                                "fleet total per hour: power that cars and garage batteries together can give "
                                "back, computed by the writer when it writes a year as /storage/power_kw + "
                                "/storage/garage_power_kw; axes [replica, year, hour of the year]",
                                AXIS_HOUR},
    [DS_KM_DRIVEN] = {"/mobility/km_driven", "km", "fleet total per year: distance driven; axes [replica, year]",
                      AXIS_NONE},
    [DS_CHARGING] = {"/charging/energy_kwh", "kWh",
                     "fleet total per year: energy entering each household's car-and-garage system from "
                     "outside, before conversion losses, by source (home_socket, home_wallbox: grid at "
                     "home, AC; public: grid, public fast charging, DC; garage_pv: garage roof PV into the "
                     "garage battery; garage_grid: grid top-up of the garage battery; carport_pv: "
                     "workplace carport PV into the car); axes [replica, year, source], the sources named "
                     "in the attribute sources",
                     AXIS_SOURCE},
    [DS_SOLAR] = {"/solar/energy_kwh", "kWh",
                  "fleet total per year: solar energy flows; axes [replica, year, flow], the flows named "
                  "in the attribute flows: garage_produced: garage PV output (DC); garage_stored: PV "
                  "energy that reached garage batteries after losses; garage_surplus: PV the batteries "
                  "could not take, exported or curtailed as scenario key garage.export_surplus says; "
                  "garage_to_cars: into cars from garage batteries after losses; garage_losses: "
                  "conversion losses of the garage chain (PV, grid top-up, to car); carport_produced: "
                  "carport PV output over the spaces of parked cars; carport_to_cars: into cars from "
                  "carports after losses; carport_unused: carport PV the cars did not take; "
                  "carport_losses: conversion losses of the carport chain",
                  AXIS_FLOW},
    [DS_PV_YIELD] = {"/weather/pv_yield_kwh_per_kwp", "kWh/kWp",
                     "per region and year: PV yield of the region's weather in that replica-year, energy "
                     "per kWp of installed PV; axes [replica, year, region], the regions named in the "
                     "attribute regions",
                     AXIS_REGION},
    [DS_TEMPERATURE] = {"/weather/mean_temperature_c", "C",
                        "per region and year: mean air temperature of the region's weather in that "
                        "replica-year; axes [replica, year, region], the regions named in the attribute "
                        "regions",
                        AXIS_REGION},
    [DS_OUTAGE_HOUSEHOLDS_OUT] = {"/outage/households_out", "households",
                                  "fleet total per hour: households without supply in that hour, each "
                                  "weighted by the fraction of the hour it is out, so that the sum over the "
                                  "hours is household-hours; axes [replica, year, hour of the year]",
                                  AXIS_HOUR},
    [DS_OUTAGE_HOUSEHOLD_HOURS] = {"/outage/household_hours", "h",
                                   "fleet total per year: household-hours without supply, the sum over the "
                                   "year of /outage/households_out; axes [replica, year]",
                                   AXIS_NONE},
    [DS_OUTAGE_DEMAND] = {"/outage/demand_kwh", "kWh",
                          "fleet total per year: the houses' dormant load (the load kept up during an "
                          "outage) over the hours without supply; = /outage/served_kwh + "
                          "/outage/unserved_kwh; axes [replica, year]",
                          AXIS_NONE},
    [DS_OUTAGE_SERVED] = {"/outage/served_kwh", "kWh",
                          "fleet total per year: of /outage/demand_kwh, the energy served by the garage "
                          "battery and the car; axes [replica, year]",
                          AXIS_NONE},
    [DS_OUTAGE_UNSERVED] = {"/outage/unserved_kwh", "kWh",
                            "fleet total per year: of /outage/demand_kwh, the energy not served; "
                            "axes [replica, year]",
                            AXIS_NONE},
    [DS_OUTAGE_COUNT] = {"/outage/count", "outages",
                         "fleet total per year: household outages (maximal intervals in which a household "
                         "has no supply) that ended in the year; axes [replica, year]",
                         AXIS_NONE},
    [DS_OUTAGE_DURATION_HISTOGRAM] = {"/outage/duration_histogram", "outages",
                                      "fleet total per year: counts of household outages that ended in the "
                                      "year by duration, bin k holding durations in [edge_k, edge_k+1) hours "
                                      "with the edges in the attribute bin_edges_h (the last +inf); "
                                      "axes [replica, year, bin]",
                                      AXIS_DURATION_BIN},
    [DS_OUTAGE_COVERED_HISTOGRAM] = {"/outage/covered_fraction_histogram", "outages",
                                     "fleet total per year: counts of household outages that ended in the "
                                     "year by the share of the outage's dormant load that was served "
                                     "(served / demand), bin k holding shares in [k/20, (k+1)/20), the last "
                                     "bin including 1; edges in the attribute bin_edges; "
                                     "axes [replica, year, bin]",
                                     AXIS_COVERED_BIN},
    [DS_OUTAGE_LONG] = {"/outage/long_outages", "outages",
                        "fleet total per year: household outages of 24 h or more that ended in the year; "
                        "axes [replica, year]",
                        AXIS_NONE},
    [DS_OUTAGE_LONG_COVERED] = {"/outage/long_outages_fully_covered", "outages",
                                "fleet total per year: of /outage/long_outages, those whose dormant load "
                                "was fully served; axes [replica, year]",
                                AXIS_NONE},
    [DS_OUTAGE_LONG_COVERED_PROBABILITY] = {
        "/outage/long_outage_covered_probability", "1",
        "per replica: probability that a household outage of 24 h or more is fully covered, = the sum "
        "over the replica's years of /outage/long_outages_fully_covered / the sum of "
        "/outage/long_outages, NaN when the replica had no such outage; computed by the writer from the "
        "years of the replica written so far and written when the replica's last year (year = years - 1) "
        "is written, so it stays NaN if that year is never written; axes [replica]",
        AXIS_REPLICA},
    [DS_BUDGET_PRICES] = {"/budget/prices_eur", "EUR/L or EUR/kWh",
                          "per year: the replica's prices that year, by price, named in the attribute "
                          "prices: diesel_eur_per_l and petrol_eur_per_l in EUR/L, tariff_eur_per_kwh "
                          "(residential grid tariff) and public_eur_per_kwh (public fast charging) in "
                          "EUR/kWh; axes [replica, year, price]",
                          AXIS_PRICE},
    [DS_BUDGET_ACCOUNT_HISTOGRAM] = {
        "/budget/household_account_histogram", "households",
        "per year: households paying their lease that year, by their account = combustion running cost "
        "avoided - charging cost - lease payments, EUR (the avoided cost: fuel and maintenance of the "
        "replaced car for the km driven; positive: better off than with the combustion car); bin k holds "
        "accounts in [edge_k, edge_k+1) EUR, edges -10000 + 20 k in the attribute bin_edges_eur; the first "
        "and last bins also hold values beyond the range (below -10000, at or above 10000); "
        "axes [replica, year, bin]",
        AXIS_ACCOUNT_BIN},
    [DS_BUDGET_ACCOUNT_MOMENTS] = {
        "/budget/household_account_moments", "count: households; mean_eur: EUR; m2_eur2: EUR^2",
        "per year: moments of the account of the households in /budget/household_account_histogram, "
        "named in the attribute moments: count (households), mean_eur = their sum / count (NaN when count "
        "is 0), m2_eur2 = the exact sum of squared deviations from that mean (variance = m2 / count, or "
        "m2 / (count - 1) for the sample variance); rows merge exactly with Chan et al.'s formula: "
        "n = n_a + n_b, mean = mean_a + (mean_b - mean_a) n_b / n, m2 = m2_a + m2_b + (mean_b - mean_a)^2 "
        "n_a n_b / n, skipping rows with count 0; axes [replica, year, moment]",
        AXIS_MOMENT},
    [DS_BUDGET_WORSE_OFF_SHARE] = {
        "/budget/household_worse_off_share", "1",
        "per year: share of the households in /budget/household_account_histogram whose account was "
        "below 0 (worse off than with the combustion car), = their number / count, NaN when count is 0; "
        "axes [replica, year]",
        AXIS_NONE},
    [DS_BUDGET_ACCOUNT_QUANTILES] = {
        "/budget/household_account_quantiles_eur", "EUR",
        "per year: quantiles of the household account at the levels in the attribute quantiles, computed "
        "by the writer from /budget/household_account_histogram: with n = the histogram's total (the "
        "moments' count), the quantile q lies in the first bin k where the cumulative count reaches q n "
        "and is edge_k + (q n - count below bin k) / count in bin k x 20 EUR (linear interpolation within "
        "the bin); NaN when n is 0; it cannot leave [-10000, 10000] since the end bins hold the values "
        "beyond; axes [replica, year, quantile]",
        AXIS_QUANTILE},
    [DS_BUDGET_LEDGER] = {
        "/budget/ledger_eur", "EUR",
        "per year: the State's cash flows by item, named in the attribute items; receipts positive, "
        "outlays negative: vehicles (- purchase of the cars, year 0), garages (- purchase of the solar "
        "garages, year 0), carports (- purchase of the carport spaces, year 0), trade_ins (+ sale of the "
        "replaced cars, year 0), leases (+ lease payments, car and garage), recoveries (+ sale of cars "
        "taken back on default), batteries (- battery replacements under warranty), administration (- "
        "running the programme), net (the year's net cash flow, the sum of the other eight); "
        "axes [replica, year, item]",
        AXIS_LEDGER},
    [DS_BUDGET_NPV] = {
        "/budget/npv_eur", "EUR",
        "per replica: net present value of the State's net cash flows, the sum over the replica's years "
        "y = 0, ..., years - 1 of /budget/ledger_eur net / (1 + discount_rate)^y (year 0 undiscounted), "
        "discount_rate in the attribute discount_rate; computed by the writer and written when the "
        "replica's last year (year = years - 1) is written, NaN if by then not all of its years were "
        "written (so it stays NaN if that year is never written); axes [replica]",
        AXIS_REPLICA},
    [DS_BUDGET_REPAID] = {
        "/budget/repaid", "1",
        "per replica: 1 if the State's cumulative net cash flow (sum of /budget/ledger_eur net) is >= 0 "
        "at the end of year min(lease_years, years) - 1, lease_years in the attribute lease_years, else 0; "
        "computed by the writer and written with /budget/npv_eur, NaN where that is NaN; the attribute "
        "repaid_share, written when the file is committed, is the mean over the replicas written (not "
        "NaN), NaN if there are none",
        AXIS_REPLICA},
    [DS_CO2_COMBUSTION] = {"/co2/combustion_t", "t",
                           "per year: CO2 the replaced combustion cars would have emitted for the km "
                           "driven; axes [replica, year]",
                           AXIS_NONE},
    [DS_CO2_GRID] = {"/co2/grid_t", "t",
                     "per year: CO2 emitted for the grid electricity charged (at home, the garages' grid "
                     "top-up and public charging); axes [replica, year]",
                     AXIS_NONE},
    [DS_CO2_AVOIDED] = {"/co2/avoided_t", "t",
                        "per year: CO2 avoided, computed by the writer as /co2/combustion_t - /co2/grid_t; "
                        "axes [replica, year]",
                        AXIS_NONE},
};

static const dataset_spec_t scenario_spec = {
    "/scenario", "",
    "resolved scenario (YAML) of the run; the attribute sha256 is the SHA-256 of this text", AXIS_NONE};

static const char *const group_paths[] = {"/storage", "/mobility", "/charging", "/solar", "/weather",
                                          "/outage",  "/budget",   "/co2"};

static const char runtime_units[] = "wall_seconds: s; vehicle_hours: h; ns_per_vehicle_hour: ns/h";
static const char runtime_description[] =
    "speed of the run: wall_seconds is the wall-clock time of the simulation, vehicle_hours the "
    "vehicle-hours simulated (vehicles x replicas x years x 8760), ns_per_vehicle_hour = "
    "wall_seconds x 1e9 / vehicle_hours (NaN when vehicle_hours is 0)";

/* Per replica, over the years written so far, for the [replica] datasets. */
typedef struct {
  double long_outages;         /* sum of /outage/long_outages */
  double long_outages_covered; /* sum of /outage/long_outages_fully_covered */
  double npv_eur;              /* sum of net / (1 + discount_rate)^year */
  double lease_net_eur;        /* sum of net over the years < lease_end */
  int64_t years_written;
  double repaid;               /* as written to /budget/repaid; NaN until then */
} replica_sums_t;

struct fleet_h5_writer {
  char *path;     /* final path */
  char *tmp_path; /* "<path>.tmp.<pid>", written until commit */
  hid_t file;
  hid_t dsets[DS_COUNT];
  int64_t replicas;
  int64_t years;
  int region_count;
  double discount_rate;
  int64_t lease_end;  /* min(lease_years, years): /budget/repaid sums the net of years < lease_end */
  double total_energy_kwh[FLEET_HOURS_PER_YEAR]; /* /storage/total_energy_kwh of the year written */
  double total_power_kw[FLEET_HOURS_PER_YEAR];   /* /storage/total_power_kw of the year written */
  replica_sums_t *replica; /* [replicas] */
};

/* ---- attributes --------------------------------------------------------------------------- */

/* count 0: a scalar attribute; otherwise a 1-D one of count elements. */
static fleet_status_t write_attr(fleet_error_t *err, const char *file, hid_t obj, const char *obj_path,
                                 const char *name, hid_t file_type, hid_t mem_type, hsize_t count,
                                 const void *buf) {
  hid_t space = count ? H5Screate_simple(1, &count, NULL) : H5Screate(H5S_SCALAR);
  if (space < 0)
    return fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot create dataspace of attribute %s of %s in %s", name,
                   obj_path, file);
  fleet_status_t status = FLEET_OK;
  hid_t attr = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot create attribute %s of %s in %s", name, obj_path, file);
  } else if (H5Awrite(attr, mem_type, buf) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot write attribute %s of %s in %s", name, obj_path, file);
  }
  if (attr >= 0 && H5Aclose(attr) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close attribute %s of %s in %s", name, obj_path, file);
  if (H5Sclose(space) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close dataspace of attribute %s of %s in %s", name,
                     obj_path, file);
  return status;
}

static fleet_status_t write_attr_strings(fleet_error_t *err, const char *file, hid_t obj,
                                         const char *obj_path, const char *name, hsize_t count,
                                         const char *const *values) {
  hid_t type = fleet_h5_string_type();
  if (type < 0)
    return fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot create string type of attribute %s of %s in %s", name,
                   obj_path, file);
  fleet_status_t status = write_attr(err, file, obj, obj_path, name, type, type, count, values);
  if (H5Tclose(type) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close string type of attribute %s of %s in %s", name,
                     obj_path, file);
  return status;
}

static fleet_status_t write_attr_string(fleet_error_t *err, const char *file, hid_t obj,
                                        const char *obj_path, const char *name, const char *value) {
  return write_attr_strings(err, file, obj, obj_path, name, 0, &value);
}

static fleet_status_t write_units(fleet_error_t *err, const char *file, hid_t obj,
                                  const dataset_spec_t *spec) {
  fleet_status_t status = write_attr_string(err, file, obj, spec->path, "units", spec->units);
  if (status != FLEET_OK) return status;
  return write_attr_string(err, file, obj, spec->path, "description", spec->description);
}

/* ---- datasets ----------------------------------------------------------------------------- */

/* A float64 dataset at its full size, with units and description; chunk NULL: contiguous.
 * Unwritten elements read as NaN, so a replica-year that was never written cannot pass for 0. */
static fleet_status_t create_f64_dataset(fleet_error_t *err, const char *file, hid_t loc,
                                         const dataset_spec_t *spec, int rank, const hsize_t *dims,
                                         const hsize_t *chunk, hid_t *out) {
  *out = -1;
  fleet_status_t status = FLEET_OK;
  hid_t space = -1, dcpl = -1, dset = -1;
  const double fill = NAN;
  if ((space = H5Screate_simple(rank, dims, NULL)) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot create dataspace of dataset %s in %s", spec->path, file);
    goto done;
  }
  if ((dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 || (chunk && H5Pset_chunk(dcpl, rank, chunk) < 0) ||
      H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &fill) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot set creation properties of dataset %s in %s",
                     spec->path, file);
    goto done;
  }
  if ((dset = H5Dcreate2(loc, spec->path, H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot create dataset %s in %s", spec->path, file);
    goto done;
  }
  status = write_units(err, file, dset, spec);
done:
  if (dcpl >= 0 && H5Pclose(dcpl) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close creation properties of dataset %s in %s",
                     spec->path, file);
  if (space >= 0 && H5Sclose(space) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close dataspace of dataset %s in %s", spec->path, file);
  if (status == FLEET_OK) {
    *out = dset;
  } else if (dset >= 0) {
    H5Dclose(dset);
  }
  return status;
}

static fleet_status_t write_scenario(fleet_error_t *err, const char *file, hid_t loc,
                                     const fleet_run_info_t *info) {
  fleet_status_t status = FLEET_OK;
  hid_t type = -1, space = -1, dset = -1;
  const char *path = scenario_spec.path;
  if ((type = fleet_h5_string_type()) < 0 || (space = H5Screate(H5S_SCALAR)) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot create type or dataspace of dataset %s in %s", path, file);
    goto done;
  }
  if ((dset = H5Dcreate2(loc, path, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot create dataset %s in %s", path, file);
    goto done;
  }
  if (H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &info->scenario_text) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot write dataset %s in %s", path, file);
    goto done;
  }
  if ((status = write_attr_string(err, file, dset, path, "sha256", info->scenario_sha256)) != FLEET_OK)
    goto done;
  status = write_units(err, file, dset, &scenario_spec);
done:
  if (dset >= 0 && H5Dclose(dset) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close dataset %s in %s", path, file);
  if (space >= 0 && H5Sclose(space) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close dataspace of dataset %s in %s", path, file);
  if (type >= 0 && H5Tclose(type) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close string type of dataset %s in %s", path, file);
  return status;
}

static fleet_status_t create_group(fleet_error_t *err, const char *file, hid_t loc, const char *path,
                                   hid_t *out) {
  *out = H5Gcreate2(loc, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (*out < 0) return fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot create group %s in %s", path, file);
  return FLEET_OK;
}

static fleet_status_t close_group(fleet_error_t *err, const char *file, hid_t group, const char *path) {
  if (H5Gclose(group) < 0) return fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close group %s in %s", path, file);
  return FLEET_OK;
}

/* Writes count (row-major, rank dims) doubles at start. */
static fleet_status_t write_block(fleet_error_t *err, const fleet_h5_writer_t *writer, hid_t dset,
                                  const char *path, int rank, const hsize_t *start, const hsize_t *count,
                                  const double *data) {
  fleet_status_t status = FLEET_OK;
  hid_t file_space = -1, mem_space = -1;
  hsize_t n = 1;
  for (int i = 0; i < rank; i++) n *= count[i];
  if ((file_space = H5Dget_space(dset)) < 0 ||
      H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
      (mem_space = H5Screate_simple(1, &n, NULL)) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5,
                     "cannot select replica offset %llu, year %llu of dataset %s in %s",
                     (unsigned long long)start[0], (unsigned long long)start[1], path, writer->tmp_path);
    goto done;
  }
  if (H5Dwrite(dset, H5T_NATIVE_DOUBLE, mem_space, file_space, H5P_DEFAULT, data) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot write replica offset %llu, year %llu of dataset %s in %s",
                     (unsigned long long)start[0], (unsigned long long)start[1], path, writer->tmp_path);
    goto done;
  }
done:
  if (mem_space >= 0 && H5Sclose(mem_space) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close memory dataspace of dataset %s in %s", path,
                     writer->tmp_path);
  if (file_space >= 0 && H5Sclose(file_space) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close dataspace of dataset %s in %s", path,
                     writer->tmp_path);
  return status;
}

/* ---- writer lifetime ---------------------------------------------------------------------- */

/* Closes the datasets; reports the first failure (if err) but closes them all. */
static fleet_status_t close_datasets(fleet_h5_writer_t *writer, fleet_error_t *err) {
  fleet_status_t status = FLEET_OK;
  for (int k = 0; k < DS_COUNT; k++) {
    if (writer->dsets[k] < 0) continue;
    if (H5Dclose(writer->dsets[k]) < 0 && status == FLEET_OK)
      status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close dataset %s in %s", specs[k].path, writer->tmp_path);
    writer->dsets[k] = -1;
  }
  return status;
}

/* Closes whatever is open, removes the temporary file and frees the writer; errors ignored. */
static void destroy(fleet_h5_writer_t *writer) {
  if (!writer) return;
  close_datasets(writer, NULL);
  if (writer->file >= 0) H5Fclose(writer->file); /* H5F_CLOSE_STRONG: closes any leftover too */
  if (writer->tmp_path) unlink(writer->tmp_path);
  free(writer->tmp_path);
  free(writer->path);
  free(writer->replica);
  free(writer);
}

static int is_sha256_hex(const char *s) {
  if (!s) return 0;
  for (int i = 0; i < 64; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
  return s[64] == '\0';
}

static fleet_status_t check_info(const char *path, const fleet_run_info_t *info, fleet_error_t *err) {
  if (!path || !path[0])
    return fleet_error_set(err, FLEET_ERR_USAGE, "cannot create result file: the path is empty");
  if (!info)
    return fleet_error_set(err, FLEET_ERR_USAGE, "cannot create result file %s: no run info given", path);
  if (!info->scenario_text)
    return fleet_error_set(err, FLEET_ERR_USAGE, "cannot create result file %s: no scenario text given",
                           path);
  if (!is_sha256_hex(info->scenario_sha256))
    return fleet_error_set(err, FLEET_ERR_USAGE,
                           "cannot create result file %s: scenario sha256 must be 64 lowercase hex digits",
                           path);
  if (!is_sha256_hex(info->model_sha256))
    return fleet_error_set(err, FLEET_ERR_USAGE,
                           "cannot create result file %s: model_sha256 must be 64 lowercase hex digits", path);
  const struct {
    const char *name;
    int64_t value, min;
  } ranges[] = {{"first_replica", info->first_replica, 0},
                {"replicas", info->replicas, 1},
                {"years", info->years, 1},
                {"vehicles", info->vehicles, 1},
                {"threads", info->threads, 1},
                {"lease_years", info->lease_years, 1}};
  for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
    if (ranges[i].value < ranges[i].min)
      return fleet_error_set(err, FLEET_ERR_USAGE, "cannot create result file %s: %s = %" PRId64
                             " must be >= %" PRId64, path, ranges[i].name, ranges[i].value, ranges[i].min);
  if (!isfinite(info->discount_rate) || !(info->discount_rate > -1.0))
    return fleet_error_set(err, FLEET_ERR_USAGE,
                           "cannot create result file %s: discount_rate = %g must be finite and > -1", path,
                           info->discount_rate);
  if (info->first_replica > INT64_MAX - info->replicas)
    return fleet_error_set(err, FLEET_ERR_USAGE,
                           "cannot create result file %s: first_replica + replicas = %" PRId64 " + %" PRId64
                           " overflows int64", path, info->first_replica, info->replicas);
  if (info->region_count < 1 || info->region_count > FLEET_MAX_REGIONS)
    return fleet_error_set(err, FLEET_ERR_USAGE,
                           "cannot create result file %s: region_count = %d must be in [1, %d]", path,
                           info->region_count, FLEET_MAX_REGIONS);
  if (!info->region_names)
    return fleet_error_set(err, FLEET_ERR_USAGE, "cannot create result file %s: no region names given",
                           path);
  for (int i = 0; i < info->region_count; i++)
    if (!info->region_names[i])
      return fleet_error_set(err, FLEET_ERR_USAGE, "cannot create result file %s: region name %d is NULL",
                             path, i);
  return FLEET_OK;
}

static fleet_status_t write_root_attrs(fleet_error_t *err, const char *file, hid_t root,
                                       const fleet_run_info_t *info) {
  char created[32];
  time_t now = time(NULL);
  struct tm utc;
  if (now == (time_t)-1 || !gmtime_r(&now, &utc) ||
      strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
    return fleet_error_set(err, FLEET_ERR_IO, "cannot read the clock for attribute created of / in %s",
                           file);
  const struct {
    const char *name, *value;
  } strings[] = {{"filetype", "fleetmc"},
                 {"fleetmc_version", FLEETMC_VERSION},
                 {"git_commit", FLEETMC_GIT_COMMIT},
                 {"created", created},
                 {"model_sha256", info->model_sha256}};
  fleet_status_t status;
  for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
    if ((status = write_attr_string(err, file, root, "/", strings[i].name, strings[i].value)) != FLEET_OK)
      return status;
  const int32_t format_version = FLEETMC_FORMAT_VERSION;
  if ((status = write_attr(err, file, root, "/", "format_version", H5T_STD_I32LE, H5T_NATIVE_INT32, 0,
                           &format_version)) != FLEET_OK)
    return status;
  if ((status = write_attr(err, file, root, "/", "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0,
                           &info->seed)) != FLEET_OK)
    return status;
  const struct {
    const char *name;
    const int64_t *value;
  } ints[] = {{"first_replica", &info->first_replica},
              {"replicas", &info->replicas},
              {"years", &info->years},
              {"vehicles", &info->vehicles},
              {"threads", &info->threads}};
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
    if ((status = write_attr(err, file, root, "/", ints[i].name, H5T_STD_I64LE, H5T_NATIVE_INT64, 0,
                             ints[i].value)) != FLEET_OK)
      return status;
  return FLEET_OK;
}

/* The rank of a dataset; for rank 3 also the length of its last axis and, where that axis is
 * labelled by names, the attribute naming its elements (else NULL). */
static int dataset_shape(const dataset_spec_t *spec, int region_count, const char *const *region_names,
                         hsize_t *last,
                         const char **label_attr, const char *const **labels) {
  *last = 0;
  *label_attr = NULL;
  *labels = NULL;
  switch (spec->axis) {
  case AXIS_NONE:
    return 2;
  case AXIS_HOUR:
    *last = FLEET_HOURS_PER_YEAR;
    return 3;
  case AXIS_SOURCE:
    *last = FLEET_SOURCE_COUNT;
    *label_attr = "sources";
    *labels = fleet_charge_source_names;
    return 3;
  case AXIS_FLOW:
    *last = FLEET_SOLAR_FLOW_COUNT;
    *label_attr = "flows";
    *labels = fleet_solar_flow_names;
    return 3;
  case AXIS_REGION:
    *last = (hsize_t)region_count;
    *label_attr = "regions";
    *labels = region_names;
    return 3;
  case AXIS_DURATION_BIN:
    *last = FLEET_OUTAGE_DURATION_BINS;
    return 3;
  case AXIS_COVERED_BIN:
    *last = FLEET_COVERED_FRACTION_BINS;
    return 3;
  case AXIS_PRICE:
    *last = FLEET_PRICE_COUNT;
    *label_attr = "prices";
    *labels = fleet_price_names;
    return 3;
  case AXIS_ACCOUNT_BIN:
    *last = FLEET_ACCOUNT_BINS;
    return 3;
  case AXIS_MOMENT:
    *last = ACCOUNT_MOMENT_COUNT;
    *label_attr = "moments";
    *labels = account_moment_names;
    return 3;
  case AXIS_QUANTILE:
    *last = ACCOUNT_QUANTILE_COUNT;
    return 3;
  case AXIS_LEDGER:
    *last = FLEET_LEDGER_COUNT;
    *label_attr = "items";
    *labels = fleet_ledger_names;
    return 3;
  case AXIS_REPLICA:
    return 1;
  }
  return 2;
}

/* Room for the values of any numeric axis attribute. */
#define AXIS_VALUES_MAX (FLEET_ACCOUNT_BINS + 1)
_Static_assert(FLEET_OUTAGE_DURATION_BINS + 1 <= AXIS_VALUES_MAX && FLEET_COVERED_FRACTION_BINS + 1 <= AXIS_VALUES_MAX &&
                   ACCOUNT_QUANTILE_COUNT <= AXIS_VALUES_MAX,
               "AXIS_VALUES_MAX too small");

/* Lower edge of bin k of /budget/household_account_histogram (k = FLEET_ACCOUNT_BINS: the top). */
static double account_bin_edge(int k) { return FLEET_ACCOUNT_MIN_EUR + FLEET_ACCOUNT_BIN_EUR * k; }

/* Where the last axis is labelled by numbers (histogram bin edges, quantile levels): the name of
 * the float64 attribute holding them, which it copies to edges (room for AXIS_VALUES_MAX), and
 * their count; else 0. */
static hsize_t dataset_axis_values(const dataset_spec_t *spec, const char **name, double *edges) {
  switch (spec->axis) {
  case AXIS_DURATION_BIN:
    *name = "bin_edges_h";
    for (int k = 0; k <= FLEET_OUTAGE_DURATION_BINS; k++) edges[k] = fleet_outage_duration_edges_h[k];
    return FLEET_OUTAGE_DURATION_BINS + 1;
  case AXIS_COVERED_BIN:
    *name = "bin_edges";
    for (int k = 0; k <= FLEET_COVERED_FRACTION_BINS; k++) edges[k] = (double)k / FLEET_COVERED_FRACTION_BINS;
    return FLEET_COVERED_FRACTION_BINS + 1;
  case AXIS_ACCOUNT_BIN:
    *name = "bin_edges_eur";
    for (int k = 0; k <= FLEET_ACCOUNT_BINS; k++) edges[k] = account_bin_edge(k);
    return FLEET_ACCOUNT_BINS + 1;
  case AXIS_QUANTILE:
    *name = "quantiles";
    for (int k = 0; k < ACCOUNT_QUANTILE_COUNT; k++) edges[k] = account_quantile_levels[k];
    return ACCOUNT_QUANTILE_COUNT;
  default:
    *name = NULL;
    return 0;
  }
}

static fleet_status_t build_file(fleet_h5_writer_t *w, const fleet_run_info_t *info, fleet_error_t *err) {
  const char *file = w->tmp_path;
  fleet_status_t status;
  hid_t root = H5Gopen2(w->file, "/", H5P_DEFAULT);
  if (root < 0) return fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot open group / in %s", file);
  status = write_root_attrs(err, file, root, info);
  if (H5Gclose(root) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close group / in %s", file);
  if (status != FLEET_OK) return status;

  if ((status = write_scenario(err, file, w->file, info)) != FLEET_OK) return status;

  for (size_t i = 0; i < sizeof group_paths / sizeof group_paths[0]; i++) {
    hid_t group;
    if ((status = create_group(err, file, w->file, group_paths[i], &group)) != FLEET_OK) return status;
    if ((status = close_group(err, file, group, group_paths[i])) != FLEET_OK) return status;
  }

  const hsize_t replicas = (hsize_t)info->replicas, years = (hsize_t)info->years;
  for (int k = 0; k < DS_COUNT; k++) {
    const dataset_spec_t *spec = &specs[k];
    hsize_t dims[3] = {replicas, years, 0};
    const char *label_attr = NULL;
    const char *const *labels = NULL;
    const int rank = dataset_shape(spec, info->region_count, info->region_names, &dims[2], &label_attr,
                                   &labels);
    /* the long rows (hours, account bins): one write_year row per chunk, so that HDF5 fills and
     * writes only the rows written rather than the whole dataset */
    const hsize_t row_chunk[3] = {1, 1, dims[2]};
    const hsize_t *chunk = spec->axis == AXIS_HOUR || spec->axis == AXIS_ACCOUNT_BIN ? row_chunk : NULL;
    if ((status = create_f64_dataset(err, file, w->file, spec, rank, dims, chunk, &w->dsets[k])) != FLEET_OK)
      return status;
    if (label_attr && (status = write_attr_strings(err, file, w->dsets[k], spec->path, label_attr, dims[2],
                                                   labels)) != FLEET_OK)
      return status;
    const char *edges_attr;
    double edges[AXIS_VALUES_MAX];
    const hsize_t edge_count = dataset_axis_values(spec, &edges_attr, edges);
    if (edge_count && (status = write_attr(err, file, w->dsets[k], spec->path, edges_attr, H5T_IEEE_F64LE,
                                           H5T_NATIVE_DOUBLE, edge_count, edges)) != FLEET_OK)
      return status;
  }
  if ((status = write_attr(err, file, w->dsets[DS_BUDGET_NPV], specs[DS_BUDGET_NPV].path, "discount_rate",
                           H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &info->discount_rate)) != FLEET_OK)
    return status;
  return write_attr(err, file, w->dsets[DS_BUDGET_REPAID], specs[DS_BUDGET_REPAID].path, "lease_years",
                    H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &info->lease_years);
}

fleet_status_t fleet_h5_create(const char *path, const fleet_run_info_t *info, fleet_h5_writer_t **out,
                               fleet_error_t *err) {
  if (!out) return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_create: out must not be NULL");
  *out = NULL;
  fleet_status_t status = check_info(path, info, err);
  if (status != FLEET_OK) return status;

  fleet_h5_writer_t *w = calloc(1, sizeof *w);
  if (!w) return fleet_error_set(err, FLEET_ERR_NOMEM, "out of memory creating result file %s", path);
  w->file = -1;
  for (int k = 0; k < DS_COUNT; k++) w->dsets[k] = -1;
  w->replicas = info->replicas;
  w->years = info->years;
  w->region_count = info->region_count;
  w->discount_rate = info->discount_rate;
  w->lease_end = info->lease_years < info->years ? info->lease_years : info->years;
  if ((uint64_t)info->replicas > SIZE_MAX / sizeof(replica_sums_t) ||
      !(w->replica = calloc((size_t)info->replicas, sizeof(replica_sums_t)))) {
    free(w);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "out of memory creating result file %s", path);
  }
  for (int64_t r = 0; r < info->replicas; r++) w->replica[r].repaid = NAN;
  size_t tmp_size = strlen(path) + sizeof ".tmp." + 20;
  w->path = malloc(strlen(path) + 1);
  w->tmp_path = malloc(tmp_size);
  if (!w->path || !w->tmp_path) {
    free(w->path);
    free(w->tmp_path);
    free(w->replica);
    free(w);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "out of memory creating result file %s", path);
  }
  strcpy(w->path, path);
  snprintf(w->tmp_path, tmp_size, "%s.tmp.%ld", path, (long)getpid());

  /* A leftover of an earlier process with our pid, which cannot still be writing it. */
  if (unlink(w->tmp_path) != 0 && errno != ENOENT) {
    status = fleet_error_set(err, FLEET_ERR_IO, "cannot remove stale temporary file %s: %s", w->tmp_path,
                             strerror(errno));
    free(w->tmp_path);
    w->tmp_path = NULL; /* not ours: leave it */
    destroy(w);
    return status;
  }

  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  /* STRONG: closing the file also closes anything still open in it, so a failure path cannot
   * leave the file open; commit checks separately that nothing was left open. */
  if (fapl < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot set access properties of %s", w->tmp_path);
    if (fapl >= 0) H5Pclose(fapl);
    free(w->tmp_path);
    w->tmp_path = NULL;
    goto fail;
  }
  w->file = H5Fcreate(w->tmp_path, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
  if (w->file < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_IO, "cannot create file %s", w->tmp_path);
    H5Pclose(fapl);
    free(w->tmp_path); /* nothing of ours on disk (EXCL): leave whatever is there */
    w->tmp_path = NULL;
    goto fail;
  }
  if (H5Pclose(fapl) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close access properties of %s", w->tmp_path);
    goto fail;
  }
  if ((status = build_file(w, info, err)) != FLEET_OK) goto fail;
  fleet_h5_quiet_end(&quiet);
  *out = w;
  return FLEET_OK;
fail:
  destroy(w);
  fleet_h5_quiet_end(&quiet);
  return status;
}

/* The quantiles at account_quantile_levels of a histogram of household accounts (see the description
 * of /budget/household_account_quantiles_eur); NaN when it holds no household. */
static void account_quantiles(const double histogram[FLEET_ACCOUNT_BINS], double out[ACCOUNT_QUANTILE_COUNT]) {
  for (int i = 0; i < ACCOUNT_QUANTILE_COUNT; i++)
    out[i] = fleet_account_quantile_eur(histogram, account_quantile_levels[i]);
}

fleet_status_t fleet_h5_write_year(fleet_h5_writer_t *writer, int64_t replica_offset, int64_t year,
                                   const fleet_year_totals_t *totals, fleet_error_t *err) {
  if (!writer || !totals)
    return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_write_year: writer and totals must not be NULL");
  if (replica_offset < 0 || replica_offset >= writer->replicas)
    return fleet_error_set(err, FLEET_ERR_USAGE,
                           "cannot write replica offset %" PRId64 ", year %" PRId64 " to %s: the replica "
                           "offset must be in [0, %" PRId64 ")",
                           replica_offset, year, writer->tmp_path, writer->replicas);
  if (year < 0 || year >= writer->years)
    return fleet_error_set(err, FLEET_ERR_USAGE,
                           "cannot write replica offset %" PRId64 ", year %" PRId64 " to %s: the year "
                           "must be in [0, %" PRId64 ")",
                           replica_offset, year, writer->tmp_path, writer->years);

  for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++) {
    writer->total_energy_kwh[h] = totals->storage_energy_kwh[h] + totals->garage_energy_kwh[h];
    writer->total_power_kw[h] = totals->storage_power_kw[h] + totals->garage_power_kw[h];
  }
  const double households = totals->household_count;
  const double moments[ACCOUNT_MOMENT_COUNT] = {
      households, households > 0 ? totals->household_account_sum_eur / households : NAN,
      totals->household_account_m2_eur2};
  const double worse_off_share = households > 0 ? totals->household_worse_off / households : NAN;
  double quantiles[ACCOUNT_QUANTILE_COUNT];
  account_quantiles(totals->household_account_histogram, quantiles);
  const double co2_avoided = totals->co2_combustion_t - totals->co2_grid_t;
  const double *data[DS_COUNT] = {
      [DS_STORAGE_ENERGY] = totals->storage_energy_kwh,
      [DS_STORAGE_POWER] = totals->storage_power_kw,
      [DS_STORAGE_PLUGGED] = totals->plugged_vehicles,
      [DS_STORAGE_GARAGE] = totals->garage_energy_kwh,
      [DS_STORAGE_TOTAL] = writer->total_energy_kwh,
      [DS_STORAGE_GARAGE_POWER] = totals->garage_power_kw,
      [DS_STORAGE_TOTAL_POWER] = writer->total_power_kw,
      [DS_KM_DRIVEN] = &totals->km_driven,
      [DS_CHARGING] = totals->charging_energy_kwh,
      [DS_SOLAR] = totals->solar_energy_kwh,
      [DS_PV_YIELD] = totals->region_pv_yield_kwh_per_kwp,
      [DS_TEMPERATURE] = totals->region_mean_temperature_c,
      [DS_OUTAGE_HOUSEHOLDS_OUT] = totals->households_out,
      [DS_OUTAGE_HOUSEHOLD_HOURS] = &totals->outage_household_hours,
      [DS_OUTAGE_DEMAND] = &totals->outage_demand_kwh,
      [DS_OUTAGE_SERVED] = &totals->outage_served_kwh,
      [DS_OUTAGE_UNSERVED] = &totals->outage_unserved_kwh,
      [DS_OUTAGE_COUNT] = &totals->outage_count,
      [DS_OUTAGE_DURATION_HISTOGRAM] = totals->outage_duration_histogram,
      [DS_OUTAGE_COVERED_HISTOGRAM] = totals->outage_covered_histogram,
      [DS_OUTAGE_LONG] = &totals->long_outage_count,
      [DS_OUTAGE_LONG_COVERED] = &totals->long_outage_covered_count,
      [DS_OUTAGE_LONG_COVERED_PROBABILITY] = NULL, /* below */
      [DS_BUDGET_PRICES] = totals->prices_eur,
      [DS_BUDGET_ACCOUNT_HISTOGRAM] = totals->household_account_histogram,
      [DS_BUDGET_ACCOUNT_MOMENTS] = moments,
      [DS_BUDGET_WORSE_OFF_SHARE] = &worse_off_share,
      [DS_BUDGET_ACCOUNT_QUANTILES] = quantiles,
      [DS_BUDGET_LEDGER] = totals->ledger_eur,
      [DS_BUDGET_NPV] = NULL,    /* below */
      [DS_BUDGET_REPAID] = NULL, /* below */
      [DS_CO2_COMBUSTION] = &totals->co2_combustion_t,
      [DS_CO2_GRID] = &totals->co2_grid_t,
      [DS_CO2_AVOIDED] = &co2_avoided,
  };
  const hsize_t start[3] = {(hsize_t)replica_offset, (hsize_t)year, 0};
  fleet_status_t status = FLEET_OK;
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  for (int k = 0; k < DS_COUNT && status == FLEET_OK; k++) {
    if (!data[k]) continue;
    hsize_t count[3] = {1, 1, 0};
    const char *label_attr;
    const char *const *labels;
    const int rank = dataset_shape(&specs[k], writer->region_count, NULL, &count[2], &label_attr, &labels);
    status = write_block(err, writer, writer->dsets[k], specs[k].path, rank, start, count, data[k]);
  }
  /* The replica's sums are kept only once everything of the year is in the file, so a failed
   * call adds nothing. */
  replica_sums_t sums = writer->replica[replica_offset];
  const double net = totals->ledger_eur[FLEET_LEDGER_NET];
  sums.long_outages += totals->long_outage_count;
  sums.long_outages_covered += totals->long_outage_covered_count;
  sums.npv_eur += net / pow(1.0 + writer->discount_rate, (double)year);
  if (year < writer->lease_end) sums.lease_net_eur += net;
  sums.years_written++;
  if (status == FLEET_OK && year == writer->years - 1) {
    const hsize_t count[1] = {1};
    const double probability = sums.long_outages > 0 ? sums.long_outages_covered / sums.long_outages : NAN;
    int k = DS_OUTAGE_LONG_COVERED_PROBABILITY;
    status = write_block(err, writer, writer->dsets[k], specs[k].path, 1, start, count, &probability);
    /* a cash flow missing from the sums would make them wrong, not just less precise: NaN */
    const int complete = sums.years_written == writer->years;
    const double npv = complete ? sums.npv_eur : NAN;
    sums.repaid = !complete || isnan(sums.lease_net_eur) ? NAN : sums.lease_net_eur >= 0.0 ? 1.0 : 0.0;
    k = DS_BUDGET_NPV;
    if (status == FLEET_OK)
      status = write_block(err, writer, writer->dsets[k], specs[k].path, 1, start, count, &npv);
    k = DS_BUDGET_REPAID;
    if (status == FLEET_OK)
      status = write_block(err, writer, writer->dsets[k], specs[k].path, 1, start, count, &sums.repaid);
  }
  if (status == FLEET_OK) writer->replica[replica_offset] = sums;
  fleet_h5_quiet_end(&quiet);
  return status;
}

/* The attribute repaid_share of /budget/repaid: the mean over the replicas written. */
static fleet_status_t write_repaid_share(fleet_h5_writer_t *w, fleet_error_t *err) {
  double repaid = 0.0, written = 0.0;
  for (int64_t r = 0; r < w->replicas; r++)
    if (!isnan(w->replica[r].repaid)) {
      repaid += w->replica[r].repaid;
      written += 1.0;
    }
  const double share = written > 0 ? repaid / written : NAN;
  return write_attr(err, w->tmp_path, w->dsets[DS_BUDGET_REPAID], specs[DS_BUDGET_REPAID].path, "repaid_share",
                    H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &share);
}

static fleet_status_t write_runtime(fleet_h5_writer_t *w, double wall_seconds, double vehicle_hours,
                                    fleet_error_t *err) {
  const char *file = w->tmp_path, *path = "/runtime";
  const double ns_per_vehicle_hour = vehicle_hours > 0 ? wall_seconds * 1e9 / vehicle_hours : NAN;
  const struct {
    const char *name;
    const double *value;
  } values[] = {{"wall_seconds", &wall_seconds},
                {"vehicle_hours", &vehicle_hours},
                {"ns_per_vehicle_hour", &ns_per_vehicle_hour}};
  hid_t group;
  fleet_status_t status = create_group(err, file, w->file, path, &group);
  if (status != FLEET_OK) return status;
  for (size_t i = 0; i < sizeof values / sizeof values[0] && status == FLEET_OK; i++)
    status = write_attr(err, file, group, path, values[i].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0,
                        values[i].value);
  if (status == FLEET_OK) status = write_attr_string(err, file, group, path, "units", runtime_units);
  if (status == FLEET_OK)
    status = write_attr_string(err, file, group, path, "description", runtime_description);
  fleet_status_t closed = close_group(err, file, group, path);
  return status != FLEET_OK ? status : closed;
}

/* So that after a crash the final name never points at a file whose data is not yet on disk. */
static fleet_status_t sync_file(const char *path, fleet_error_t *err) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return fleet_error_set(err, FLEET_ERR_IO, "cannot open %s to sync it: %s", path, strerror(errno));
  if (fsync(fd) != 0) {
    int e = errno;
    close(fd);
    return fleet_error_set(err, FLEET_ERR_IO, "cannot sync %s: %s", path, strerror(e));
  }
  if (close(fd) != 0) return fleet_error_set(err, FLEET_ERR_IO, "cannot close %s: %s", path, strerror(errno));
  return FLEET_OK;
}

fleet_status_t fleet_h5_commit(fleet_h5_writer_t *writer, double wall_seconds, double vehicle_hours,
                               fleet_error_t *err) {
  if (!writer) return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_commit: writer must not be NULL");
  fleet_status_t status = FLEET_OK;
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  if (!isfinite(wall_seconds) || wall_seconds < 0 || !isfinite(vehicle_hours) || vehicle_hours < 0) {
    status = fleet_error_set(err, FLEET_ERR_USAGE,
                             "cannot commit %s: wall_seconds = %g and vehicle_hours = %g must be finite "
                             "and >= 0", writer->tmp_path, wall_seconds, vehicle_hours);
    goto fail;
  }
  if ((status = write_runtime(writer, wall_seconds, vehicle_hours, err)) != FLEET_OK) goto fail;
  if ((status = write_repaid_share(writer, err)) != FLEET_OK) goto fail;
  if ((status = close_datasets(writer, err)) != FLEET_OK) goto fail;

  ssize_t open_objects = H5Fget_obj_count(writer->file, H5F_OBJ_ALL);
  if (open_objects < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot count open objects in %s", writer->tmp_path);
    goto fail;
  }
  if (open_objects != 1) { /* the file itself */
    status = fleet_error_set(err, FLEET_ERR_HDF5, "cannot commit %s: %zd HDF5 objects besides the file are "
                             "still open", writer->tmp_path, open_objects - 1);
    goto fail;
  }
  if (H5Fclose(writer->file) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "cannot close %s", writer->tmp_path);
    goto fail;
  }
  writer->file = -1;
  if ((status = sync_file(writer->tmp_path, err)) != FLEET_OK) goto fail;
  if (rename(writer->tmp_path, writer->path) != 0) {
    status = fleet_error_set(err, FLEET_ERR_IO, "cannot rename %s to %s: %s", writer->tmp_path, writer->path,
                             strerror(errno));
    goto fail;
  }
  free(writer->tmp_path);
  writer->tmp_path = NULL; /* renamed: nothing left to remove */
  destroy(writer);
  fleet_h5_quiet_end(&quiet);
  return FLEET_OK;
fail:
  destroy(writer);
  fleet_h5_quiet_end(&quiet);
  return status;
}

void fleet_h5_discard(fleet_h5_writer_t *writer) {
  if (!writer) return;
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  destroy(writer);
  fleet_h5_quiet_end(&quiet);
}
