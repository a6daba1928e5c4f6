/* h5_writer.h: the HDF5 result file of a run (schema.h), written under a temporary name and
 * renamed when complete. */
#ifndef FLEET_H5_WRITER_H
#define FLEET_H5_WRITER_H

#include <stdint.h>

#include "error.h"
#include "schema.h"
#include "year_totals.h"

typedef struct fleet_h5_writer fleet_h5_writer_t;

/* Creates "<path>.tmp.<pid>" with the root attributes, /scenario, every axis' coordinates and
 * every dataset at its full size; *out receives the writer. overwrite: 0 and a file at path
 * make the commit fail (FLEET_ERR_INPUT) rather than replace it; a path that exists and is not a
 * regular file is refused either way. */
fleet_status_t fleet_h5_create(const char *path, const fleet_run_info_t *info, int overwrite, fleet_h5_writer_t **out,
                               fleet_error_t *err);

/* Writes one replica-year: replica_offset in [0, replicas), year in [0, years). When it completes
 * its replica's years, written one after another without another replica's in between, also
 * the replica's derived datasets (derived.h); otherwise they stay NaN. */
fleet_status_t fleet_h5_write_year(fleet_h5_writer_t *writer, int64_t replica_offset, int64_t year,
                                   const fleet_year_totals_t *totals, fleet_error_t *err);

/* Writes /runtime, closes the file, renames it to its final path and frees the writer (also on
 * failure, when the temporary file is removed). */
fleet_status_t fleet_h5_commit(fleet_h5_writer_t *writer, const fleet_run_values_t *run, fleet_error_t *err);

/* /parameters (README, "Uncertain assumptions"): one float64 dataset per sampled key, named by
 * the key ("fleet.bidirectional_share"), of shape [replica] on the group's own replica
 * coordinate, with attributes units, long_name and distribution (as `check` prints it); the
 * group's attribute keys lists them in the scenario's order. */
typedef struct {
  const char *key, *units, *distribution;
} fleet_h5_parameter_t;
/* Adds /parameters with count keys (1 to FLEET_MAX_SAMPLED), unwritten (NaN); once per writer. */
fleet_status_t fleet_h5_add_parameters(fleet_h5_writer_t *writer, int count, const fleet_h5_parameter_t *keys,
                                       fleet_error_t *err);
/* Writes replica replica_offset's drawn values, one per key in the order added (finite). */
fleet_status_t fleet_h5_write_parameters(fleet_h5_writer_t *writer, int64_t replica_offset, const double *values,
                                         fleet_error_t *err);

/* Closes and removes the temporary file and frees the writer; for runs that fail. */
void fleet_h5_discard(fleet_h5_writer_t *writer);

/* Whether path may be written: FLEET_ERR_INPUT naming it if it exists and overwrite is 0, or if it
 * exists and is not a regular file (a device, a directory), or if it is the same file as any of
 * the n files at keep (a run's own scenario, a merge's inputs); FLEET_OK otherwise. */
fleet_status_t fleet_output_check(const char *path, int overwrite, const char *const *keep, int n,
                                  fleet_error_t *err);

#endif
