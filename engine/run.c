/* run.c: a run from its scenario to its result file (see run.h). */
#include "run.h"

#include "parallel.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpoint.h"
#include "fleet_year.h"
#include "h5_writer.h"
#include "population.h"
#include "scenario.h"
#include "sha256.h"

char *fleet_model_text(const fleet_params_t *params) {
  /* a copy on the heap: the params are large, and the caller's must not change */
  fleet_params_t *model = malloc(sizeof *model);
  if (!model) return NULL;
  *model = *params;
  model->replicas = 1;
  model->first_replica = 0;
  char *text = fleet_scenario_format(model);
  free(model);
  return text;
}

fleet_status_t fleet_model_sha256(const fleet_params_t *params, char hex[65], fleet_error_t *err) {
  char *text = fleet_model_text(params);
  if (!text) return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot format the scenario");
  fleet_sha256_hex(text, strlen(text), hex);
  free(text);
  return FLEET_OK;
}

struct fleet_study {
  const fleet_params_t *params;
  fleet_run_options_t options;
  const fleet_ranks_t *ranks;
  fleet_checkpoint_t *ckpt;
  int opened; /* fleet_study_open succeeded: a failure from here on may leave records to resume */
  fleet_population_t pop;
  int64_t pop_replica; /* the replica the fleet was drawn for; -1: none yet */
  int pop_made, state_made;
  fleet_state_t state;
  fleet_year_totals_t *totals;
  fleet_params_t *replica_params; /* sampled scenarios: the replica's own draws */
  fleet_replica_record_t record;
  /* progress of this rank */
  double start;
  int64_t years_total, years_done, years_resumed;
  double vehicle_hours;
};

int fleet_study_rank(const fleet_study_t *study) { return study->ranks->rank; }
const char *fleet_study_checkpoint(const fleet_study_t *study) { return fleet_checkpoint_path(study->ckpt); }

/* ---- progress ----------------------------------------------------------------------------- */

static void report_progress(const fleet_study_t *s) {
  if (s->ranks->rank != 0 || s->options.progress == FLEET_PROGRESS_NONE) return;
  const double elapsed = fleet_wall_seconds() - s->start;
  const int64_t computed = s->years_done - s->years_resumed;
  const double rate = elapsed > 0.0 ? s->vehicle_hours / elapsed : 0.0;
  const double left = computed > 0 ? elapsed * (double)(s->years_total - s->years_done) / (double)computed : 0.0;
  char share[48] = "", resumed[48] = "";
  if (s->ranks->size > 1) snprintf(share, sizeof share, " (rank 0 of %d, its share)", s->ranks->size);
  if (s->years_resumed) snprintf(resumed, sizeof resumed, ", %lld from the checkpoint", (long long)s->years_resumed);
  if (s->options.progress == FLEET_PROGRESS_TERMINAL) {
    fprintf(stderr, "\rreplica-years %lld/%lld%s  %.3g vehicle-hours/s  %.0f s left   ", (long long)s->years_done,
            (long long)s->years_total, share, rate, left);
    if (s->years_done == s->years_total) fputc('\n', stderr);
  } else {
    /* a batch log: whole lines with the time, readable by grep and by people */
    char stamp[32];
    time_t now = time(NULL);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(stderr, "fleetmc: %s replica-years %lld/%lld (%.0f %%)%s%s, %.3g vehicle-hours/s, %.0f s elapsed, %.0f s "
            "left\n", stamp, (long long)s->years_done, (long long)s->years_total,
            100.0 * (double)s->years_done / (double)(s->years_total ? s->years_total : 1), share, resumed, rate, elapsed,
            left);
  }
  fflush(stderr);
}

/* ---- the study ---------------------------------------------------------------------------- */

fleet_status_t fleet_study_open(const fleet_params_t *params, const fleet_run_options_t *options,
                                fleet_study_t **out, fleet_error_t *err) {
  *out = NULL;
  const fleet_ranks_t *ranks = options->ranks ? options->ranks : &fleet_ranks_single;
  fleet_study_t *s = calloc(1, sizeof *s);
  fleet_status_t status = s ? FLEET_OK : fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate the run");
  if (s) {
    s->params = params;
    s->options = *options;
    s->ranks = ranks;
    s->pop_replica = -1;
    s->start = fleet_wall_seconds();
    if (options->threads > 0) fleet_set_threads(options->threads);
    if (!(s->totals = malloc(sizeof *s->totals)))
      status = fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate the year's totals");
    if (status == FLEET_OK && params->sampled_count && !(s->replica_params = malloc(sizeof *s->replica_params)))
      status = fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate a replica's parameters");
  }
  const char *kernel = options->kernel == FLEET_KERNEL_EVENTS ? "events" : "hourly";
  /* rank 0 checks and prepares the folder before any other rank writes in it */
  if (status == FLEET_OK && ranks->rank == 0) {
    const fleet_checkpoint_options_t ckpt = {options->output_path, options->resume, options->overwrite, 1, kernel};
    status = fleet_checkpoint_open(params, &ckpt, &s->ckpt, err);
  }
  status = ranks->agree(ranks, status, err);
  if (status == FLEET_OK && ranks->rank != 0) {
    const fleet_checkpoint_options_t ckpt = {options->output_path, options->resume, options->overwrite, 0, kernel};
    status = fleet_checkpoint_open(params, &ckpt, &s->ckpt, err);
  }
  if (status == FLEET_OK) status = fleet_replica_record_alloc(s->ckpt, 0, &s->record, err);
  if (status == FLEET_OK && (status = fleet_population_create(params, params->first_replica, &s->pop, err)) == FLEET_OK)
    s->pop_made = 1;
  if (status == FLEET_OK && (status = fleet_state_create(s->pop.slots, &s->state, err)) == FLEET_OK) s->state_made = 1;
  status = ranks->agree(ranks, status, err);
  if (status != FLEET_OK) {
    fleet_study_close(s, status, err);
    return status;
  }
  s->opened = 1;
  s->pop_replica = params->first_replica;
  *out = s;
  return FLEET_OK;
}

void fleet_study_close(fleet_study_t *s, fleet_status_t status, fleet_error_t *err) {
  if (!s) return;
  if (s->state_made) fleet_state_free(&s->state);
  if (s->pop_made) fleet_population_free(&s->pop);
  fleet_replica_record_free(&s->record);
  char folder[4200] = "";
  if (s->ckpt) snprintf(folder, sizeof folder, "%s", fleet_checkpoint_path(s->ckpt));
  const int kept = fleet_checkpoint_close(s->ckpt, status == FLEET_OK);
  /* what the user can do about a run that did not finish (rank 0 says it) */
  if (s->opened && status != FLEET_OK && err && s->ranks->rank == 0) {
    const size_t used = strlen(err->message);
    if (kept)
      snprintf(err->message + used, sizeof err->message - used, "; what was completed is kept in %s: run the same "
               "command with --resume to continue%s", folder,
               status == FLEET_ERR_INTERRUPTED ? "" : " once the cause is removed");
    else if (status == FLEET_ERR_INTERRUPTED)
      snprintf(err->message + used, sizeof err->message - used, "; no replica-year was completed, nothing is kept");
  }
  free(s->replica_params);
  free(s->totals);
  free(s);
}

/* The scenario of replica (its own draws when some keys are sampled, into drawn), with the fleet
 * drawn for it when the fleet depends on the replica. */
static const fleet_params_t *replica_scenario(fleet_study_t *s, int64_t replica, double *drawn) {
  const fleet_params_t *p = s->params;
  if (p->sampled_count) {
    fleet_scenario_sample(p, replica, s->replica_params, drawn);
    p = s->replica_params;
  }
  /* Uncertain assumptions: the fleet is drawn again for every replica from its draws, since many
   * of them (bidirectional_share, the floors, the equipment shares) are the fleet's attributes;
   * its random numbers stay those simulation.redraw_fleet_per_replica names (false: the same
   * households for every replica, so that only the assumptions move them). */
  if (s->params->sampled_count || (s->params->redraw_fleet_per_replica && s->pop_replica != replica)) {
    fleet_population_draw(p, replica, &s->pop);
    s->pop_replica = replica;
  }
  return p;
}

/* Computes one replica from where its record stands, saving it after every year. */
static fleet_status_t compute_replica(fleet_study_t *s, int64_t replica, fleet_error_t *err) {
  const fleet_params_t *params = s->params;
  fleet_replica_record_t *record = &s->record;
  int found = 0;
  fleet_status_t status = fleet_checkpoint_load(s->ckpt, replica, record, &s->state, &found, err);
  if (status != FLEET_OK || found == 2) return status;
  double drawn[FLEET_MAX_SAMPLED];
  const fleet_params_t *p = replica_scenario(s, replica, drawn);
  if (found == 0) fleet_state_reset(p, &s->pop, &s->state); /* else the state after its last saved year */
  s->years_done += record->years_done;
  s->years_resumed += record->years_done;
  const double vehicle_hours_per_year = (double)params->vehicles * FLEET_HOURS_PER_YEAR;
  const int64_t row = fleet_checkpoint_row_doubles(s->ckpt);
  for (int64_t y = record->years_done; status == FLEET_OK && y < params->years; y++) {
    if (s->options.stop && *s->options.stop) return fleet_error_set(err, FLEET_ERR_INTERRUPTED, "stopped");
    const double year_start = fleet_wall_seconds();
    status = fleet_simulate_year_stoppable(p, &s->pop, &s->state, replica, y, s->options.kernel, s->options.stop,
                                           s->totals, err);
    if (status != FLEET_OK) return status;
    fleet_checkpoint_pack(s->ckpt, s->totals, record->rows + y * row);
    record->years_done = y + 1;
    const int64_t threads = fleet_max_threads();
    if (threads > record->threads) record->threads = threads;
    record->wall_seconds += fleet_wall_seconds() - year_start;
    status = fleet_checkpoint_save(s->ckpt, record, &s->state, err);
    if (status == FLEET_OK) {
      s->years_done++;
      s->vehicle_hours += vehicle_hours_per_year;
      report_progress(s);
    }
  }
  return status;
}

fleet_status_t fleet_study_compute(fleet_study_t *s, int64_t first, int64_t count, fleet_error_t *err) {
  int64_t begin, end;
  fleet_ranks_share(first, count, s->ranks->rank, s->ranks->size, &begin, &end);
  /* progress counts this call's share, finished replicas included */
  s->years_total += (end - begin) * s->params->years;
  fleet_status_t status = FLEET_OK;
  for (int64_t replica = begin; replica < end && status == FLEET_OK; replica++) {
    if (fleet_checkpoint_has_done(s->ckpt, replica)) {
      s->years_done += s->params->years;
      s->years_resumed += s->params->years;
      continue;
    }
    status = compute_replica(s, replica, err);
  }
  if (status == FLEET_OK && s->years_done == s->years_total && s->years_resumed == s->years_total && end > begin)
    report_progress(s); /* all from the checkpoint: say so once */
  if (status == FLEET_ERR_INTERRUPTED)
    fleet_error_set(err, FLEET_ERR_INTERRUPTED, "stopped by a signal after %lld of %lld replica-years%s; %s not written",
                    (long long)s->years_done, (long long)s->years_total, s->ranks->size > 1 ? " of its share" : "",
                    s->options.output_path);
  return s->ranks->agree(s->ranks, status, err);
}

/* Rank 0: the output from the saved records. */
static fleet_status_t write_output(fleet_study_t *s, int64_t first, int64_t count, const char *path,
                                   const char *stopped_by, int overwrite, fleet_run_values_t *values,
                                   fleet_error_t *err) {
  const fleet_params_t *params = s->params;
  fleet_params_t *range = malloc(sizeof *range);
  if (!range) return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate the scenario");
  *range = *params;
  range->first_replica = first;
  range->replicas = count;
  char *text = fleet_scenario_format(range);
  free(range);
  if (!text) return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot format the scenario");
  char sha[65], model_sha[65];
  fleet_sha256_hex(text, strlen(text), sha);
  fleet_status_t status = fleet_model_sha256(params, model_sha, err);
  const char *region_names[FLEET_MAX_REGIONS];
  for (int r = 0; r < params->region_count; r++) region_names[r] = params->regions[r].name;
  const fleet_run_info_t info = {.command_line = s->options.command_line ? s->options.command_line : "",
                                 .scenario_file = s->options.scenario_file ? s->options.scenario_file : "",
                                 .model_sha256 = model_sha,
                                 .seed = params->seed,
                                 .first_replica = first,
                                 .replicas = count,
                                 .years = params->years,
                                 .vehicles = params->vehicles,
                                 .first_year = params->first_year,
                                 .discount_rate = params->discount_rate,
                                 .lease_years = params->lease_years,
                                 .stopped_by = stopped_by,
                                 .price_paths = params->price_paths_per_replica,
                                 .scenario_text = text,
                                 .scenario_sha256 = sha,
                                 .region_count = params->region_count,
                                 .region_names = region_names};
  fleet_h5_writer_t *writer = NULL;
  if (status == FLEET_OK) status = fleet_h5_create(path, &info, overwrite, &writer, err);
  const int sampled = params->sampled_count;
  if (status == FLEET_OK && sampled) {
    fleet_h5_parameter_t keys[FLEET_MAX_SAMPLED];
    char texts[FLEET_MAX_SAMPLED][512];
    for (int i = 0; i < sampled; i++) {
      fleet_scenario_sampled_format(params, i, texts[i], sizeof texts[i]);
      keys[i] = (fleet_h5_parameter_t){params->sampled[i].key, fleet_scenario_sampled_unit(params, i), texts[i]};
    }
    status = fleet_h5_add_parameters(writer, sampled, keys, err);
  }
  memset(values, 0, sizeof *values);
  const int64_t row = fleet_checkpoint_row_doubles(s->ckpt);
  for (int64_t r = 0; r < count && status == FLEET_OK; r++) {
    if (s->options.stop && *s->options.stop) {
      status = fleet_error_set(err, FLEET_ERR_INTERRUPTED, "stopped by a signal while writing %s: not written",
                               path);
      break;
    }
    const int64_t replica = first + r;
    int found = 0;
    status = fleet_checkpoint_load(s->ckpt, replica, &s->record, NULL, &found, err);
    if (status == FLEET_OK && found != 2)
      status = fleet_error_set(err, FLEET_ERR_IO, "replica %lld is not complete in %s: with several ranks, do they "
                               "share this folder's filesystem?", (long long)replica, fleet_checkpoint_path(s->ckpt));
    if (status == FLEET_OK && sampled) {
      double drawn[FLEET_MAX_SAMPLED];
      fleet_scenario_sample(params, replica, s->replica_params, drawn);
      status = fleet_h5_write_parameters(writer, r, drawn, err);
    }
    for (int64_t y = 0; y < params->years && status == FLEET_OK; y++) {
      fleet_checkpoint_unpack(s->ckpt, s->record.rows + y * row, s->totals);
      status = fleet_h5_write_year(writer, r, y, s->totals, err);
    }
    values->wall_seconds += s->record.wall_seconds;
    values->vehicle_hours += (double)params->vehicles * FLEET_HOURS_PER_YEAR * (double)params->years;
    if ((double)s->record.threads > values->threads) values->threads = (double)s->record.threads;
  }
  if (status == FLEET_OK) status = fleet_h5_commit(writer, values, err);
  else if (writer) fleet_h5_discard(writer);
  free(text);
  return status;
}

fleet_status_t fleet_study_write(fleet_study_t *s, int64_t first, int64_t count, const char *path,
                                 const char *stopped_by, int overwrite, fleet_run_values_t *values,
                                 fleet_error_t *err) {
  fleet_status_t status = FLEET_OK;
  if (s->ranks->rank == 0) status = write_output(s, first, count, path, stopped_by, overwrite, values, err);
  return s->ranks->agree(s->ranks, status, err);
}

fleet_status_t fleet_run(const fleet_params_t *params, const char *scenario_text, const fleet_run_options_t *options,
                         fleet_run_values_t *values, fleet_error_t *err) {
  (void)scenario_text; /* the output's is formatted from params, as a merge's is rewritten: the same text */
  memset(values, 0, sizeof *values);
  fleet_study_t *study = NULL;
  fleet_status_t status = fleet_study_open(params, options, &study, err);
  if (status != FLEET_OK) return status;
  status = fleet_study_compute(study, params->first_replica, params->replicas, err);
  if (status == FLEET_OK)
    status = fleet_study_write(study, params->first_replica, params->replicas, options->output_path, "",
                               options->overwrite, values, err);
  fleet_study_close(study, status, err);
  return status;
}
