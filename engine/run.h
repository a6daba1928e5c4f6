/* run.h: a whole run: the fleet, replicas x years, and the result file. */
#ifndef FLEET_RUN_H
#define FLEET_RUN_H

#include <signal.h>
#include <stdint.h>

#include "error.h"
#include "fleet_year.h"
#include "params.h"
#include "schema.h"
#include "year_totals.h"

typedef struct {
  const char *output_path;   /* final path of the HDF5 file */
  int overwrite;             /* 1: replace an existing result file there (--force) */
  const char *command_line;  /* as given, for the root attribute command_line */
  const char *scenario_file; /* as given, for the root attribute scenario_file */
  int threads;               /* OpenMP threads; 0 = OpenMP's default */
  fleet_kernel_t kernel;     /* --kernel: not part of the scenario, so not of model_sha256 */
  int progress;              /* 1: report progress on stderr */
  /* When not NULL and set (by a signal handler), the run stops after the replica-year in
   * progress, removes its temporary file and returns FLEET_ERR_INTERRUPTED. */
  const volatile sig_atomic_t *stop;
} fleet_run_options_t;

/* The fingerprint of the model a run draws from, independent of which replicas it computes: the
 * SHA-256 (64 lowercase hex digits) of fleet_scenario_format of params with simulation.replicas
 * = 1 and simulation.first_replica = 0. Files with equal fingerprints are parts of one study and
 * can be merged; stored as the root attribute model_sha256. */
fleet_status_t fleet_model_sha256(const fleet_params_t *params, char hex[65], fleet_error_t *err);

/* Runs the scenario and writes options->output_path; scenario_text is the resolved scenario
 * stored in the file. *values receives the run's time, vehicle-hours and threads (/runtime). */
fleet_status_t fleet_run(const fleet_params_t *params, const char *scenario_text, const fleet_run_options_t *options,
                         fleet_run_values_t *values, fleet_error_t *err);

#endif
