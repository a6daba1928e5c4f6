/* merge.h: joining the result files of one study, each holding a range of its replicas (job
 * arrays, `--first-replica K --replicas N`), into one file equal to a single run over the whole
 * range. */
#ifndef FLEET_MERGE_H
#define FLEET_MERGE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Writes out_path from the n result files at inputs (in any order). They must be parts of one
 * study: the same model_sha256, seed, years, vehicles and regions; their replica ranges, sorted,
 * must follow each other without gap or overlap. The output then equals a run over the whole
 * range in every dataset and coordinate, and in every root attribute but created, git_commit,
 * fleetmc_version and command_line (the merge's) and /runtime (combined by the schema's merge
 * rules: times summed, threads the most). Inputs that do not fit give FLEET_ERR_INPUT with a
 * message naming the file(s), the attribute and the rule; out_path is then not created (nor left
 * behind on any other failure). An existing out_path is refused unless overwrite, and never
 * replaced when it is one of the inputs or not a regular file (fleet_output_check). */
/* stop: when not NULL and set (by a signal handler), the merge stops after the replica-year in
 * progress, leaves no output and returns FLEET_ERR_INTERRUPTED. */
fleet_status_t fleet_merge(const char *out_path, const char *const *inputs, int n, const char *command_line,
                           int overwrite, const volatile sig_atomic_t *stop, fleet_error_t *err);

/* fleet_merge with the root attribute stopped_by of the output given (fleet_merge's is "": a merge
 * joins what its parts ran): `run --target-error` joins its batches with the outcome. */
fleet_status_t fleet_merge_stopped_by(const char *out_path, const char *const *inputs, int n, const char *command_line,
                                      const char *stopped_by, int overwrite, const volatile sig_atomic_t *stop,
                                      fleet_error_t *err);

/* A copy of the resolved scenario text (fleet_scenario_format) with the values of
 * simulation.replicas and simulation.first_replica replaced, and their previous values in
 * *old_replicas, *old_first_replica (either may be NULL). NULL if the text does not have each of
 * those keys exactly once under `simulation:` with a whole-number value (err: FLEET_ERR_INPUT,
 * naming `name`), or if out of memory. */
char *fleet_scenario_text_with_range(const char *name, const char *text, int64_t replicas, int64_t first_replica,
                                     int64_t *old_replicas, int64_t *old_first_replica, fleet_error_t *err);

/* Where two scenario texts (fleet_scenario_format's layout) first differ, replica ranges aside, as
 * "KEY is A in NAME_A and B in NAME_B" (KEY the dotted path of the line), or the two lines
 * themselves if they are not the same key; "their scenarios differ" if neither can be told. */
void fleet_scenario_describe_difference(const char *a, const char *b, const char *name_a, const char *name_b,
                                        char *out, size_t size);

#endif
