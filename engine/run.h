/* run.h: a whole run: the fleet, replicas x years, the result file and the summary. */
#ifndef FLEET_RUN_H
#define FLEET_RUN_H

#include <signal.h>
#include <stdint.h>

#include "error.h"
#include "params.h"
#include "year_totals.h"

typedef struct {
  const char *output_path; /* final path of the HDF5 file */
  int threads;             /* OpenMP threads; 0 = OpenMP's default */
  int progress;            /* 1: report progress on stderr */
  /* When not NULL and set (by a signal handler), the run stops after the replica-year in
   * progress, removes its temporary file and returns FLEET_ERR_INTERRUPTED. */
  const volatile sig_atomic_t *stop;
} fleet_run_options_t;

/* Bins of the histogram of hourly fleet storage energy, cars + garages (for quantiles that do
 * not need every hour kept in memory). */
#define FLEET_SUMMARY_BINS 4096

typedef struct {
  double wall_seconds;
  double vehicle_hours;
  int threads;
  int64_t replica_years;
  double km_per_vehicle_year;              /* mean over vehicles and replica-years */
  double charging_kwh_per_year[FLEET_SOURCE_COUNT];   /* fleet, mean per replica-year */
  double solar_kwh_per_year[FLEET_SOLAR_FLOW_COUNT];  /* fleet, mean per replica-year */
  double storage_energy_mean_kwh;          /* cars + garage batteries, over all hours */
  double garage_energy_mean_kwh;           /* of which garage batteries */
  double storage_energy_min_kwh, storage_energy_max_kwh;
  double storage_power_mean_kw;             /* cars + garage batteries */
  double plugged_mean;
  double outage_household_hours_per_year;  /* fleet, mean per replica-year */
  double outage_demand_kwh_per_year, outage_unserved_kwh_per_year;
  double outage_count, long_outage_count, long_outage_covered_count; /* totals over the run */
  /* budget and CO2 */
  double household_count, household_account_sum_eur, household_worse_off;
  double household_histogram[FLEET_ACCOUNT_BINS];
  double npv_sum_eur;             /* over replicas */
  double repaid_replicas;         /* replicas whose cumulative net is >= 0 by the end of the lease */
  double year0_net_sum_eur;       /* the first year's net cash flow, summed over replicas */
  double co2_avoided_t_per_year;  /* mean per replica-year */
  double nominal_storage_kwh;              /* the proposal's reading: N x battery x (target - floor) */
  double hours_above_nominal_share;
  double histogram_top_kwh;                /* upper edge of the histogram: N x battery */
  int64_t energy_histogram[FLEET_SUMMARY_BINS];
  int64_t hours;
} fleet_run_summary_t;

/* The fingerprint of the model a run draws from, independent of which replicas it computes: the
 * SHA-256 (64 lowercase hex digits) of fleet_scenario_format of params with simulation.replicas
 * = 1 and simulation.first_replica = 0. Files with equal fingerprints are parts of one study and
 * can be merged; stored as the root attribute model_sha256. */
fleet_status_t fleet_model_sha256(const fleet_params_t *params, char hex[65], fleet_error_t *err);

/* Runs the scenario and writes options->output_path; scenario_text is the resolved scenario
 * stored in the file. */
fleet_status_t fleet_run(const fleet_params_t *params, const char *scenario_text, const fleet_run_options_t *options,
                         fleet_run_summary_t *summary, fleet_error_t *err);

/* Quantile q in [0,1] of the households' yearly account, EUR, from the summary's histogram
 * (linear within the bin). */
double fleet_summary_account_quantile(const fleet_run_summary_t *summary, double q);

/* Quantile q in [0,1] of hourly fleet storage energy from the summary's histogram (kWh; the
 * upper edge of the bin where the cumulative count reaches q). */
double fleet_summary_energy_quantile(const fleet_run_summary_t *summary, double q);

#endif
