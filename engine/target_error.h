/* target_error.h: `fleetmc run --target-error CLAIM=X`, a run that adds replicas until the Monte
 * Carlo error of a claim is small enough, or until simulation.replicas of them have run. */
#ifndef FLEET_TARGET_ERROR_H
#define FLEET_TARGET_ERROR_H

#include <stddef.h>

#include "error.h"
#include "params.h"
#include "run.h"

/* The first test comes after this many replicas. The interval's width rests on the replicas'
 * standard deviation, whose own 95 % range (chi-square with n - 1 degrees of freedom) is 0.52 to
 * 6.3 times the true one with n = 3 and 0.66 to 2.0 with n = 8: a target met on 2 or 3 replicas
 * would often be met by chance. */
enum { FLEET_TARGET_MIN_REPLICAS = 8 };
/* Replicas added between two tests after the first. A batch costs one merge and one read of the
 * file so far, small beside a replica's simulation; so the run overshoots the replicas it needs
 * by at most 3. */
enum { FLEET_TARGET_BATCH_REPLICAS = 4 };

typedef struct {
  char claim[8];      /* "C1" */
  const char *row_id; /* the summary row whose mean decides the claim (fleet_summary_claim_row) */
  double relative;    /* the target: 95 % half-width / |mean| */
} fleet_target_error_t;

/* Parses "CLAIM=RELATIVE" (e.g. "C1=0.01"): the claim one of those with a deciding row, the target
 * a finite number > 0. 0, or -1 with the rule broken in why. */
int fleet_target_error_parse(const char *text, fleet_target_error_t *out, char *why, size_t size);

/* fleet_run of params (simulation.replicas the limit) in batches from simulation.first_replica:
 * FLEET_TARGET_MIN_REPLICAS, then FLEET_TARGET_BATCH_REPLICAS at a time, each kept in the run's
 * checkpoint folder (run.h) and split among the ranks; after each batch, from
 * FLEET_TARGET_MIN_REPLICAS on, the replicas so far are written to a file of the folder and the
 * target's row read back from it as `fleetmc summary` reads it (rank 0, which tells the others),
 * and the run stops when its mean's relative 95 % half-width is below the target. The replicas
 * run are then written to options->output_path (equal, in every dataset, to a plain run of that
 * many replicas) with the root attribute stopped_by saying which of the two ended the run, also
 * copied to stopped_by (rank 0). Stopped by a signal, it keeps its folder and resumes as a plain
 * run does, reaching the same decisions. /runtime: the replicas' times summed. */
fleet_status_t fleet_run_to_target(const fleet_params_t *params, const fleet_run_options_t *options,
                                   const fleet_target_error_t *target, char *stopped_by, size_t size,
                                   fleet_error_t *err);

#endif
