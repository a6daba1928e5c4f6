/* merge.h: joining the result files of one study, each holding a range of its replicas (job
 * arrays, `--first-replica K --replicas N`), into one file equal to a single run over the whole
 * range. */
#ifndef FLEET_MERGE_H
#define FLEET_MERGE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* What a merge is asked for besides its files (the command line's options). */
typedef struct {
  const char *command_line; /* the output's root attribute command_line */
  const char *stopped_by;   /* its root attribute stopped_by; NULL: "" */
  int overwrite;            /* --force */
  /* --replicas N --first-replica K: the inputs must cover exactly [K, K + N), the whole study, or
   * the merge is refused naming every missing range (gaps and ends) and every input outside it.
   * replicas 0: the study's size is not known; its ends are not checked (gaps and overlaps are). */
  int64_t replicas, first_replica;
  const volatile sig_atomic_t *stop; /* as fleet_merge's */
} fleet_merge_options_t;

/* fleet_merge with every option. */
fleet_status_t fleet_merge_with(const char *out_path, const char *const *inputs, int n,
                                const fleet_merge_options_t *options, fleet_error_t *err);

/* The dry run of fleet_merge_with (`merge --check`): the same checks, on the inputs' root
 * attributes and /scenario (fleet_h5_read_info; not their data, which only the merge reads),
 * and on out_path's refusal rules; nothing is written. Instead of stopping at the first problem it
 * lists them all on report, one line each, the first word saying what the line is:
 *   study [K,E)            the expected range (with options->replicas)
 *   input [F,E) PATH       an input of the study and its replicas, by first replica; [F,E) is
 *                          replicas F to E - 1
 *   outside [F,E) PATH     an input of the study holding replicas outside [K, K + N)
 *   unreadable PATH: MSG   an input the merge cannot read as a fleetmc result (MSG: the merge's
 *                          own message: missing, not HDF5, not fleetmc, another format version)
 *   inconsistent PATH: MSG an input whose /scenario does not match its root attributes
 *   other-study PATH: MSG  an input of another study than most inputs (seed, scenario, size)
 *   output PATH: MSG       out_path would be refused (exists without --force, is an input, ...)
 *   overlap [F,E) A B      replicas held by both A and B
 *   missing [F,E)          replicas in no input: a gap, or with options->replicas an end
 *   tasks LIST (...)       when the inputs of the study are slices of one size S aligned on
 *                          K = options->first_replica (the last one, ending the study, may be
 *                          shorter): the array task ids t (slice [K + t S, K + (t + 1) S)) holding
 *                          missing replicas, as sbatch --array takes them (1,4,7-9)
 *   ok: ...  or  refused: N problem(s) ...   the verdict, always the last line.
 * Returns FLEET_OK when the merge would succeed, FLEET_ERR_INPUT when it would be refused (err
 * says how many problems were listed), other codes when the check itself failed (memory). */
fleet_status_t fleet_merge_check(const char *out_path, const char *const *inputs, int n,
                                 const fleet_merge_options_t *options, FILE *report, fleet_error_t *err);

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
