/* target_error.c: a run that stops at a target Monte Carlo error (see target_error.h).
 *
 * Why batches of files and merges: the writer sizes every dataset to the file's replicas when it
 * creates it, and the number is not known in advance here. Replica k draws the same numbers
 * whichever run computes it, so batches [F, F+8), [F+8, F+12), ... merged give, in every dataset,
 * the file of one run of F..F+N-1 (merge.h); that file is also the one the target is tested on,
 * read by summary's own code, so the half-width recorded is the one `fleetmc summary` shows. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "target_error.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "merge.h"
#include "scenario.h"
#include "summary.h"

int fleet_target_error_parse(const char *text, fleet_target_error_t *out, char *why, size_t size) {
  memset(out, 0, sizeof *out);
  char known[64] = "";
  for (int c = 1; c <= 8; c++) {
    char name[8];
    snprintf(name, sizeof name, "C%d", c);
    if (fleet_summary_claim_row(name))
      snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", known[0] ? ", " : "", name);
  }
  const char *equals = text ? strchr(text, '=') : NULL;
  if (!equals) {
    snprintf(why, size, "must be CLAIM=RELATIVE_ERROR, e.g. C1=0.01 (CLAIM one of %s)", known);
    return -1;
  }
  const size_t length = (size_t)(equals - text);
  if (length == 0 || length >= sizeof out->claim) {
    snprintf(why, size, "names no claim before '=': CLAIM must be one of %s", known);
    return -1;
  }
  memcpy(out->claim, text, length);
  out->claim[length] = '\0';
  out->row_id = fleet_summary_claim_row(out->claim);
  if (!out->row_id) {
    snprintf(why, size, "claim '%s' has no figure in the proposal that a row measures: CLAIM must be one of %s",
             out->claim, known);
    return -1;
  }
  const char *number = equals + 1;
  char *end = NULL;
  errno = 0;
  out->relative = strtod(number, &end);
  if (!*number || *end || errno || !isfinite(out->relative) || !(out->relative > 0.0)) {
    snprintf(why, size, "the target '%s' must be a finite number > 0 (the 95 %% half-width over |mean|, e.g. 0.01)",
             number);
    return -1;
  }
  return 0;
}

/* The relative 95 % half-width of the target's row in the file at path, and the row's mean. */
static fleet_status_t half_width_of(const char *path, const fleet_target_error_t *target, double *relative,
                                    fleet_mc_mean_t *mean, char *unit, size_t unit_size, fleet_error_t *err) {
  fleet_summary_t *summary = NULL;
  fleet_status_t status = fleet_summary_read(path, &summary, err);
  if (status != FLEET_OK) return status;
  status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: no row %s in its summary", path, target->row_id);
  for (int r = 0; r < summary->row_count; r++) {
    const fleet_summary_row_t *row = &summary->rows[r];
    if (strcmp(row->id, target->row_id) != 0) continue;
    *mean = row->mean;
    /* NaN when it cannot be estimated (fewer than 2 replicas, a mean of 0): never below the target */
    *relative = (row->mean.ci_high - row->mean.ci_low) / 2.0 / fabs(row->mean.mean);
    snprintf(unit, unit_size, "%s", row->unit);
    fleet_error_clear(err);
    status = FLEET_OK;
  }
  fleet_summary_free(summary);
  return status;
}

/* The temporary files of the run so far: <output>.target.<pid>.<n>.h5. */
typedef struct {
  char done[4096]; /* the replicas run so far, merged ("" none yet) */
  char batch[4096];
} temporaries_t;

static void remove_temporaries(temporaries_t *t) {
  if (t->done[0]) unlink(t->done);
  if (t->batch[0]) unlink(t->batch);
  t->done[0] = t->batch[0] = '\0';
}

static fleet_status_t temporary_name(char *out, size_t size, const char *output, int n, fleet_error_t *err) {
  if (snprintf(out, size, "%s.target.%ld.%d.h5", output, (long)getpid(), n) >= (int)size)
    return fleet_error_set(err, FLEET_ERR_USAGE, "output %s: the path is too long", output);
  return FLEET_OK;
}

/* Runs replicas [first, first + count) of params into path. */
static fleet_status_t run_batch(const fleet_params_t *params, int64_t first, int64_t count, const char *path,
                                const fleet_run_options_t *options, fleet_error_t *err) {
  fleet_params_t *batch = malloc(sizeof *batch);
  if (!batch) return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate a batch's scenario");
  *batch = *params;
  batch->first_replica = first;
  batch->replicas = count;
  char *text = fleet_scenario_format(batch);
  fleet_status_t status = text ? FLEET_OK : fleet_error_set(err, FLEET_ERR_NOMEM, "cannot format the scenario");
  fleet_run_options_t batch_options = *options;
  batch_options.output_path = path;
  batch_options.overwrite = 0;
  fleet_run_values_t values;
  if (status == FLEET_OK) status = fleet_run(batch, text, &batch_options, &values, err);
  free(text);
  free(batch);
  return status;
}

fleet_status_t fleet_run_to_target(const fleet_params_t *params, const fleet_run_options_t *options,
                                   const fleet_target_error_t *target, char *stopped_by, size_t size,
                                   fleet_error_t *err) {
  const int64_t limit = params->replicas;
  temporaries_t t = {.done = "", .batch = ""};
  fleet_status_t status = FLEET_OK;
  int64_t done = 0;
  int files = 0, met = 0;
  double relative = NAN;
  fleet_mc_mean_t mean = {0};
  char unit[24] = "";
  while (status == FLEET_OK && done < limit && !met) {
    const int64_t step = done == 0 ? FLEET_TARGET_MIN_REPLICAS : FLEET_TARGET_BATCH_REPLICAS;
    const int64_t count = step < limit - done ? step : limit - done;
    status = temporary_name(t.batch, sizeof t.batch, options->output_path, files++, err);
    if (status == FLEET_OK) status = run_batch(params, params->first_replica + done, count, t.batch, options, err);
    if (status != FLEET_OK) {
      t.batch[0] = '\0'; /* fleet_run leaves nothing behind */
      break;
    }
    done += count;
    if (!t.done[0]) {
      memcpy(t.done, t.batch, sizeof t.done);
    } else {
      char merged[sizeof t.done];
      const char *parts[2] = {t.done, t.batch};
      status = temporary_name(merged, sizeof merged, options->output_path, files++, err);
      if (status == FLEET_OK)
        status = fleet_merge(merged, parts, 2, options->command_line, 0, options->stop, err);
      if (status != FLEET_OK) break;
      remove_temporaries(&t);
      memcpy(t.done, merged, sizeof t.done);
    }
    t.batch[0] = '\0';
    status = half_width_of(t.done, target, &relative, &mean, unit, sizeof unit, err);
    met = status == FLEET_OK && done >= FLEET_TARGET_MIN_REPLICAS && relative < target->relative;
  }
  if (status == FLEET_OK) {
    char detail[256];
    snprintf(detail, sizeof detail, "relative 95 %% half-width %.3g of %s, mean %.6g %s, 95 %% CI [%.6g, %.6g]",
             relative, target->row_id, mean.mean, unit, mean.ci_low, mean.ci_high);
    char untested[48] = "";
    if (done < FLEET_TARGET_MIN_REPLICAS)
      snprintf(untested, sizeof untested, ", never tested below %d replicas", FLEET_TARGET_MIN_REPLICAS);
    if (met)
      snprintf(stopped_by, size, "target_error %s=%g met at %lld replicas (%s)", target->claim, target->relative,
               (long long)done, detail);
    else
      snprintf(stopped_by, size, "replica limit %lld reached (target_error %s=%g not met%s: %s)", (long long)limit,
               target->claim, target->relative, untested, detail);
    const char *parts[1] = {t.done};
    status = fleet_merge_stopped_by(options->output_path, parts, 1, options->command_line, stopped_by,
                                    options->overwrite, options->stop, err);
  }
  if (status == FLEET_ERR_INTERRUPTED)
    fleet_error_set(err, FLEET_ERR_INTERRUPTED, "stopped after %lld replicas of at most %lld; %s not written",
                    (long long)done, (long long)limit, options->output_path);
  remove_temporaries(&t);
  return status;
}
