/* run.h: a whole run: the fleet, replicas x years, the checkpoint and the result file. */
#ifndef FLEET_RUN_H
#define FLEET_RUN_H

#include <signal.h>
#include <stdint.h>

#include "error.h"
#include "fleet_year.h"
#include "params.h"
#include "ranks.h"
#include "schema.h"
#include "year_totals.h"

typedef enum {
  FLEET_PROGRESS_NONE = 0,
  FLEET_PROGRESS_TERMINAL, /* one line on stderr, rewritten in place (stderr is a terminal) */
  FLEET_PROGRESS_LINES,    /* one line per completed replica-year (a batch job's log) */
} fleet_progress_t;

typedef struct {
  const char *output_path;   /* final path of the HDF5 file */
  int overwrite;             /* 1: replace an existing result file there, and discard an unfinished
                                run's checkpoint folder unless resume (--force) */
  int resume;                /* 1: continue from the checkpoint folder if there is one (--resume) */
  const char *command_line;  /* as given, for the root attribute command_line */
  const char *scenario_file; /* as given, for the root attribute scenario_file */
  int threads;               /* OpenMP threads; 0 = OpenMP's default */
  fleet_kernel_t kernel;     /* --kernel: not part of the scenario, so not of model_sha256 */
  fleet_progress_t progress; /* on stderr, rank 0 only */
  const fleet_ranks_t *ranks; /* the processes sharing the run; NULL: this one alone */
  /* When not NULL and set (by a signal handler), the run stops after saving the replica-years
   * completed, keeps its checkpoint folder and returns FLEET_ERR_INTERRUPTED. */
  const volatile sig_atomic_t *stop;
} fleet_run_options_t;

/* The model a run draws from, independent of which replicas it computes: the resolved scenario
 * (fleet_scenario_format) with simulation.replicas = 1 and simulation.first_replica = 0. NULL if
 * out of memory; free() it. */
char *fleet_model_text(const fleet_params_t *params);

/* The fingerprint of that model: the SHA-256 (64 lowercase hex digits) of fleet_model_text. Files
 * with equal fingerprints are parts of one study and can be merged; stored as the root attribute
 * model_sha256. */
fleet_status_t fleet_model_sha256(const fleet_params_t *params, char hex[65], fleet_error_t *err);

/* Runs the scenario and writes options->output_path; scenario_text is the resolved scenario
 * stored in the file. *values receives the run's time, vehicle-hours and threads (/runtime).
 *
 * How: every replica-year computed is saved in the checkpoint folder (checkpoint.h) as it
 * completes, by whichever rank computes it (each rank a contiguous share of the replicas); when
 * all are done, rank 0 writes the output from the saved rows, replica by replica, and removes the
 * folder. So the file is the same, bit for bit in every dataset, whatever the ranks, the threads,
 * and the stops and resumptions on the way. A collective when options->ranks has several. */
fleet_status_t fleet_run(const fleet_params_t *params, const char *scenario_text, const fleet_run_options_t *options,
                         fleet_run_values_t *values, fleet_error_t *err);

/* The steps of fleet_run, for runs whose replica count is decided on the way (target_error.h).
 * Each is a collective: every rank calls it with the same arguments. */
typedef struct fleet_study fleet_study_t;
/* Opens (or resumes) the checkpoint folder and allocates the fleet. */
fleet_status_t fleet_study_open(const fleet_params_t *params, const fleet_run_options_t *options,
                                fleet_study_t **out, fleet_error_t *err);
/* Computes replicas [first, first + count) not yet complete in the folder, each rank its share. */
fleet_status_t fleet_study_compute(fleet_study_t *study, int64_t first, int64_t count, fleet_error_t *err);
/* Rank 0 writes replicas [first, first + count) from the folder to path (a result file equal to a
 * run of that range, with the root attribute stopped_by) and fills *values (rank 0 only). */
fleet_status_t fleet_study_write(fleet_study_t *study, int64_t first, int64_t count, const char *path,
                                 const char *stopped_by, int overwrite, fleet_run_values_t *values,
                                 fleet_error_t *err);
/* Frees the study. status FLEET_OK (the output is written): the checkpoint folder is removed.
 * Otherwise it stays if it holds records, and rank 0 appends to err's message where they are and
 * how to resume (or that nothing was completed). */
void fleet_study_close(fleet_study_t *study, fleet_status_t status, fleet_error_t *err);
/* This process's rank, and the folder (for messages). */
int fleet_study_rank(const fleet_study_t *study);
const char *fleet_study_checkpoint(const fleet_study_t *study);

#endif
