#include "run.h"

#include "parallel.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "distributions.h"
#include "fleet_year.h"
#include "h5_writer.h"
#include "population.h"
#include "scenario.h"
#include "sha256.h"

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

/* One file of simulation.replicas replicas. `run --target-error` (target_error.c) calls this once
 * per batch (8 replicas, then 4 at a time) and merges the batches, so that its file equals, dataset
 * for dataset, one call over the replicas it ended with. */
fleet_status_t fleet_run(const fleet_params_t *params, const char *scenario_text, const fleet_run_options_t *options,
                         fleet_run_values_t *values, fleet_error_t *err) {
  memset(values, 0, sizeof *values);
  if (options->threads > 0) fleet_set_threads(options->threads);
  values->threads = fleet_max_threads();

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
  status = fleet_model_sha256(params, model_sha, err);
  const char *region_names[FLEET_MAX_REGIONS];
  for (int r = 0; r < params->region_count; r++) region_names[r] = params->regions[r].name;
  const fleet_run_info_t info = {.command_line = options->command_line ? options->command_line : "",
                                 .scenario_file = options->scenario_file ? options->scenario_file : "",
                                 .model_sha256 = model_sha,
                                 .seed = params->seed,
                                 .first_replica = params->first_replica,
                                 .replicas = params->replicas,
                                 .years = params->years,
                                 .vehicles = params->vehicles,
                                 .first_year = params->first_year,
                                 .discount_rate = params->discount_rate,
                                 .lease_years = params->lease_years,
                                 .price_paths = params->price_paths_per_replica,
                                 .scenario_text = scenario_text,
                                 .scenario_sha256 = sha,
                                 .region_count = params->region_count,
                                 .region_names = region_names};
  fleet_h5_writer_t *writer = NULL;
  if (status == FLEET_OK) status = fleet_h5_create(options->output_path, &info, options->overwrite, &writer, err);
  /* Uncertain assumptions: each replica runs on its own draws (replica_params), which /parameters
   * records. The fleet is then drawn again for every replica from them, since many of them
   * (bidirectional_share, the floors, the equipment shares) are the fleet's attributes; its
   * random numbers stay those simulation.redraw_fleet_per_replica names (false: the same
   * households for every replica, so that only the assumptions move them). */
  const int sampled = params->sampled_count;
  fleet_params_t *replica_params = sampled ? malloc(sizeof *replica_params) : NULL;
  double drawn[FLEET_MAX_SAMPLED];
  if (status == FLEET_OK && sampled && !replica_params)
    status = fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate a replica's parameters");
  if (status == FLEET_OK && sampled) {
    fleet_h5_parameter_t keys[FLEET_MAX_SAMPLED];
    char texts[FLEET_MAX_SAMPLED][512];
    for (int i = 0; i < sampled; i++) {
      fleet_scenario_sampled_format(params, i, texts[i], sizeof texts[i]);
      keys[i] = (fleet_h5_parameter_t){params->sampled[i].key, fleet_scenario_sampled_unit(params, i), texts[i]};
    }
    status = fleet_h5_add_parameters(writer, sampled, keys, err);
  }

  const int64_t total = params->replicas * params->years;
  const double vehicle_hours_per_year = (double)params->vehicles * FLEET_HOURS_PER_YEAR;
  for (int64_t r = 0; status == FLEET_OK && r < params->replicas; r++) {
    int64_t replica = params->first_replica + r;
    const fleet_params_t *p = params;
    if (sampled) {
      fleet_scenario_sample(params, replica, replica_params, drawn);
      p = replica_params;
      fleet_population_draw(p, replica, &pop);
      status = fleet_h5_write_parameters(writer, r, drawn, err);
    } else if (params->redraw_fleet_per_replica && r > 0) {
      fleet_population_draw(params, replica, &pop);
    }
    fleet_state_reset(p, &pop, &state);
    for (int64_t y = 0; status == FLEET_OK && y < params->years; y++) {
      if (options->stop && *options->stop) {
        status = fleet_error_set(err, FLEET_ERR_INTERRUPTED,
                                 "stopped after %lld of %lld replica-years; %s not written",
                                 (long long)(r * params->years + y), (long long)total, options->output_path);
        break;
      }
      status = fleet_simulate_year_stoppable(p, &pop, &state, replica, y, options->kernel, options->stop, totals, err);
      if (status == FLEET_ERR_INTERRUPTED)
        status = fleet_error_set(err, FLEET_ERR_INTERRUPTED, "stopped during replica-year %lld of %lld; %s not written",
                                 (long long)(r * params->years + y + 1), (long long)total, options->output_path);
      if (status == FLEET_OK) status = fleet_h5_write_year(writer, r, y, totals, err);
      if (status == FLEET_OK) {
        values->vehicle_hours += vehicle_hours_per_year;
        if (options->progress)
          report_progress(r * params->years + y + 1, total, values->vehicle_hours, fleet_wall_seconds() - start);
      }
    }
  }
  values->wall_seconds = fleet_wall_seconds() - start;
  if (status == FLEET_OK) {
    status = fleet_h5_commit(writer, values, err);
  } else if (writer) {
    fleet_h5_discard(writer);
  }
  fleet_state_free(&state);
  fleet_population_free(&pop);
  free(replica_params);
  free(totals);
  return status;
}
