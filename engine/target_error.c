/* target_error.c: a run that stops at a target Monte Carlo error (see target_error.h).
 *
 * Why batches: the writer sizes every dataset to the file's replicas when it creates it, and the
 * number is not known in advance here. The replicas computed are kept in the run's checkpoint
 * folder (run.h), and replica k draws the same numbers whichever run computes it, so after each
 * batch [F, F+8), [F+8, F+12), ... the file of replicas F..F+N-1 written from the folder is, in
 * every dataset, that of one run of them; it is also the file the target is tested on, read by
 * summary's own code, so the half-width recorded is the one `fleetmc summary` shows. */
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

fleet_status_t fleet_run_to_target(const fleet_params_t *params, const fleet_run_options_t *options,
                                   const fleet_target_error_t *target, char *stopped_by, size_t size,
                                   fleet_error_t *err) {
  stopped_by[0] = '\0';
  const int64_t limit = params->replicas, first = params->first_replica;
  fleet_study_t *study = NULL;
  fleet_status_t status = fleet_study_open(params, options, &study, err);
  if (status != FLEET_OK) return status;
  const fleet_ranks_t *ranks = options->ranks ? options->ranks : &fleet_ranks_single;
  const int rank0 = fleet_study_rank(study) == 0;
  int64_t done = 0;
  int met = 0;
  double relative = NAN;
  fleet_mc_mean_t mean = {0};
  char unit[24] = "";
  /* The batches are the same whatever the ranks (each batch split among them), so that the run
   * stops at the same replica, and its file is the same, on any number of ranks. */
  while (status == FLEET_OK && done < limit && !met) {
    const int64_t step = done == 0 ? FLEET_TARGET_MIN_REPLICAS : FLEET_TARGET_BATCH_REPLICAS;
    const int64_t count = step < limit - done ? step : limit - done;
    status = fleet_study_compute(study, first + done, count, err);
    if (status != FLEET_OK) break;
    done += count;
    /* fleet_study_write inside is the collective; rank 0 alone reads the file back */
    char path[4200];
    snprintf(path, sizeof path, "%s/evaluation.h5", fleet_study_checkpoint(study));
    fleet_run_values_t values;
    status = fleet_study_write(study, first, done, path, "", 1, &values, err);
    if (status == FLEET_OK && rank0) {
      status = half_width_of(path, target, &relative, &mean, unit, sizeof unit, err);
      unlink(path);
    }
    status = ranks->agree(ranks, status, err);
    int64_t decision = status == FLEET_OK && done >= FLEET_TARGET_MIN_REPLICAS && relative < target->relative;
    ranks->broadcast(ranks, &decision, 1);
    met = (int)decision;
  }
  if (status == FLEET_OK) {
    if (rank0) {
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
    }
    fleet_run_values_t values;
    status = fleet_study_write(study, first, done, options->output_path, stopped_by, options->overwrite, &values, err);
  }
  fleet_study_close(study, status, err);
  return status;
}
