#include "run.h"

#include "parallel.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_year.h"
#include "h5_writer.h"
#include "population.h"
#include "scenario.h"
#include "sha256.h"

static void summary_add_year(fleet_run_summary_t *s, const fleet_year_totals_t *t) {
  for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++) {
    double e = t->storage_energy_kwh[h] + t->garage_energy_kwh[h]; /* cars + garage batteries */
    s->garage_energy_mean_kwh += t->garage_energy_kwh[h];
    s->storage_energy_mean_kwh += e;
    s->storage_power_mean_kw += t->storage_power_kw[h] + t->garage_power_kw[h];
    s->plugged_mean += t->plugged_vehicles[h];
    if (s->hours == 0 || e < s->storage_energy_min_kwh) s->storage_energy_min_kwh = e;
    if (s->hours == 0 || e > s->storage_energy_max_kwh) s->storage_energy_max_kwh = e;
    if (e >= s->nominal_storage_kwh) s->hours_above_nominal_share += 1.0;
    int bin = s->histogram_top_kwh > 0.0 ? (int)(e / s->histogram_top_kwh * FLEET_SUMMARY_BINS) : 0;
    if (bin >= FLEET_SUMMARY_BINS) bin = FLEET_SUMMARY_BINS - 1;
    if (bin < 0) bin = 0;
    s->energy_histogram[bin]++;
    s->hours++;
  }
  s->km_per_vehicle_year += t->km_driven;
  for (int k = 0; k < FLEET_SOURCE_COUNT; k++) s->charging_kwh_per_year[k] += t->charging_energy_kwh[k];
  for (int k = 0; k < FLEET_SOLAR_FLOW_COUNT; k++) s->solar_kwh_per_year[k] += t->solar_energy_kwh[k];
  s->outage_household_hours_per_year += t->outage_household_hours;
  s->outage_demand_kwh_per_year += t->outage_demand_kwh;
  s->outage_unserved_kwh_per_year += t->outage_unserved_kwh;
  s->outage_count += t->outage_count;
  s->household_count += t->household_count;
  s->household_account_sum_eur += t->household_account_sum_eur;
  s->household_worse_off += t->household_worse_off;
  for (int k = 0; k < FLEET_ACCOUNT_BINS; k++) s->household_histogram[k] += t->household_account_histogram[k];
  s->co2_avoided_t_per_year += t->co2_combustion_t - t->co2_grid_t;
  s->long_outage_count += t->long_outage_count;
  s->long_outage_covered_count += t->long_outage_covered_count;
  s->replica_years++;
}

static void summary_finish(fleet_run_summary_t *s, int64_t vehicles) {
  if (s->hours > 0) {
    s->storage_energy_mean_kwh /= (double)s->hours;
    s->storage_power_mean_kw /= (double)s->hours;
    s->garage_energy_mean_kwh /= (double)s->hours;
    s->plugged_mean /= (double)s->hours;
    s->hours_above_nominal_share /= (double)s->hours;
  }
  if (s->replica_years > 0) {
    s->km_per_vehicle_year /= (double)s->replica_years * (double)vehicles;
    for (int k = 0; k < FLEET_SOURCE_COUNT; k++) s->charging_kwh_per_year[k] /= (double)s->replica_years;
    for (int k = 0; k < FLEET_SOLAR_FLOW_COUNT; k++) s->solar_kwh_per_year[k] /= (double)s->replica_years;
    s->outage_household_hours_per_year /= (double)s->replica_years;
    s->outage_demand_kwh_per_year /= (double)s->replica_years;
    s->outage_unserved_kwh_per_year /= (double)s->replica_years;
    s->co2_avoided_t_per_year /= (double)s->replica_years;
  }
}

double fleet_summary_energy_quantile(const fleet_run_summary_t *s, double q) {
  if (s->hours == 0) return 0.0;
  double target = q * (double)s->hours;
  int64_t cumulative = 0;
  for (int b = 0; b < FLEET_SUMMARY_BINS; b++) {
    cumulative += s->energy_histogram[b];
    if ((double)cumulative >= target) return (b + 1) * s->histogram_top_kwh / FLEET_SUMMARY_BINS;
  }
  return s->histogram_top_kwh;
}

double fleet_summary_account_quantile(const fleet_run_summary_t *s, double q) {
  return fleet_account_quantile_eur(s->household_histogram, q);
}

static void report_progress(int64_t done, int64_t total, double vehicle_hours, double elapsed) {
  double rate = elapsed > 0.0 ? vehicle_hours / elapsed : 0.0;
  double left = done > 0 ? elapsed * (double)(total - done) / (double)done : 0.0;
  fprintf(stderr, "\rreplica-years %lld/%lld  %.3g vehicle-hours/s  %.0f s left   ", (long long)done,
          (long long)total, rate, left);
  if (done == total) fputc('\n', stderr);
  fflush(stderr);
}

fleet_status_t fleet_model_sha256(const fleet_params_t *params, char hex[65], fleet_error_t *err) {
  /* a copy on the heap: the params are large, and the caller's must not change */
  fleet_params_t *model = malloc(sizeof *model);
  if (!model) return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate a copy of the scenario");
  *model = *params;
  model->replicas = 1;
  model->first_replica = 0;
  char *text = fleet_scenario_format(model);
  free(model);
  if (!text) return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot format the scenario");
  fleet_sha256_hex(text, strlen(text), hex);
  free(text);
  return FLEET_OK;
}

fleet_status_t fleet_run(const fleet_params_t *params, const char *scenario_text, const fleet_run_options_t *options,
                         fleet_run_summary_t *summary, fleet_error_t *err) {
  memset(summary, 0, sizeof *summary);
  if (options->threads > 0) fleet_set_threads(options->threads);
  summary->threads = fleet_max_threads();
  double target_minus_floor = params->charge_target_fraction -
                              0.5 * (params->soc_floor_fraction_min + params->soc_floor_fraction_max);
  summary->nominal_storage_kwh = (double)params->vehicles * params->battery_kwh * target_minus_floor;
  /* Every car full and every garage battery full: nothing can exceed it. */
  summary->histogram_top_kwh =
      (double)params->vehicles * params->battery_kwh * (1.0 + params->garage_battery_to_car_ratio);

  double start = fleet_wall_seconds();
  fleet_population_t pop;
  fleet_state_t state;
  fleet_year_totals_t *totals = malloc(sizeof *totals);
  if (!totals) return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate the year's totals");
  fleet_status_t status = fleet_population_create(params, params->first_replica, &pop, err);
  if (status != FLEET_OK) {
    free(totals);
    return status;
  }
  status = fleet_state_create(pop.slots, &state, err);
  if (status != FLEET_OK) {
    fleet_population_free(&pop);
    free(totals);
    return status;
  }
  char sha[65], model_sha[65];
  fleet_sha256_hex(scenario_text, strlen(scenario_text), sha);
  if ((status = fleet_model_sha256(params, model_sha, err)) != FLEET_OK) {
    fleet_state_free(&state);
    fleet_population_free(&pop);
    free(totals);
    return status;
  }
  const char *region_names[FLEET_MAX_REGIONS];
  for (int r = 0; r < params->region_count; r++) region_names[r] = params->regions[r].name;
  fleet_run_info_t info = {.scenario_text = scenario_text,
                           .region_count = params->region_count,
                           .discount_rate = params->discount_rate,
                           .lease_years = params->lease_years,
                           .region_names = region_names,
                           .scenario_sha256 = sha,
                           .model_sha256 = model_sha,
                           .seed = params->seed,
                           .first_replica = params->first_replica,
                           .replicas = params->replicas,
                           .years = params->years,
                           .vehicles = params->vehicles,
                           .threads = summary->threads};
  fleet_h5_writer_t *writer = NULL;
  status = fleet_h5_create(options->output_path, &info, &writer, err);

  const int64_t total = params->replicas * params->years;
  const double vehicle_hours_per_year = (double)params->vehicles * FLEET_HOURS_PER_YEAR;
  for (int64_t r = 0; status == FLEET_OK && r < params->replicas; r++) {
    int64_t replica = params->first_replica + r;
    if (params->redraw_fleet_per_replica && r > 0) fleet_population_draw(params, replica, &pop);
    fleet_state_reset(params, &pop, &state);
    double npv = 0.0, cumulative = 0.0, at_lease_end = 0.0;
    int64_t lease_end = (params->lease_years < params->years ? params->lease_years : params->years) - 1;
    for (int64_t y = 0; status == FLEET_OK && y < params->years; y++) {
      if (options->stop && *options->stop) {
        status = fleet_error_set(err, FLEET_ERR_INTERRUPTED,
                                 "stopped after %lld of %lld replica-years; %s not written",
                                 (long long)(r * params->years + y), (long long)total, options->output_path);
        break;
      }
      status = fleet_simulate_year(params, &pop, &state, replica, y, totals, err);
      if (status == FLEET_OK) status = fleet_h5_write_year(writer, r, y, totals, err);
      if (status == FLEET_OK) {
        double net = totals->ledger_eur[FLEET_LEDGER_NET];
        npv += net / pow(1.0 + params->discount_rate, (double)y);
        cumulative += net;
        if (y == lease_end) at_lease_end = cumulative;
        if (y == 0) summary->year0_net_sum_eur += net;
        if (y == params->years - 1) {
          summary->npv_sum_eur += npv;
          summary->repaid_replicas += at_lease_end >= 0.0;
        }
        summary_add_year(summary, totals);
        summary->vehicle_hours += vehicle_hours_per_year;
        if (options->progress)
          report_progress(r * params->years + y + 1, total, summary->vehicle_hours, fleet_wall_seconds() - start);
      }
    }
  }
  summary->wall_seconds = fleet_wall_seconds() - start;
  if (status == FLEET_OK) {
    status = fleet_h5_commit(writer, summary->wall_seconds, summary->vehicle_hours, err);
  } else if (writer) {
    fleet_h5_discard(writer);
  }
  summary_finish(summary, params->vehicles);
  fleet_state_free(&state);
  fleet_population_free(&pop);
  free(totals);
  return status;
}
