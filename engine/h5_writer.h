/* h5_writer.h: the HDF5 result file of a run, written under a temporary name and renamed when
 * complete (schema in README.md, "Output"). */
#ifndef FLEET_H5_WRITER_H
#define FLEET_H5_WRITER_H

#include <stdint.h>

#include "error.h"
#include "year_totals.h"

typedef struct {
  const char *scenario_text;   /* resolved scenario (fleet_scenario_format) -> /scenario */
  const char *scenario_sha256; /* its SHA-256, 64 lowercase hex digits -> /scenario@sha256 */
  const char *model_sha256;    /* SHA-256 of the scenario text with simulation.replicas = 1 and
                                  simulation.first_replica = 0: equal in files that are parts of one
                                  study, so merge can tell; 64 lowercase hex digits -> @model_sha256 */
  uint64_t seed;
  int64_t first_replica; /* global index of the file's first replica */
  int64_t replicas;      /* replicas in this file */
  int64_t years;
  int64_t vehicles;
  int64_t threads;
  int region_count;                 /* names of the regions, for the `regions` attribute of */
  const char *const *region_names;  /* the /weather datasets */
  double discount_rate; /* per year, > -1: /budget/npv_eur (and its attribute discount_rate) */
  int64_t lease_years;  /* >= 1: /budget/repaid looks at the end of year min(lease_years, years) - 1 */
} fleet_run_info_t;

typedef struct fleet_h5_writer fleet_h5_writer_t;

/* Creates "<path>.tmp.<pid>" with the root attributes, /scenario and every dataset at its full
 * size; *out receives the writer. */
fleet_status_t fleet_h5_create(const char *path, const fleet_run_info_t *info, fleet_h5_writer_t **out,
                               fleet_error_t *err);

/* Writes one replica-year: replica_offset in [0, replicas), year in [0, years). */
fleet_status_t fleet_h5_write_year(fleet_h5_writer_t *writer, int64_t replica_offset, int64_t year,
                                   const fleet_year_totals_t *totals, fleet_error_t *err);

/* Writes /runtime, closes the file, renames it to its final path and frees the writer (also on
 * failure, when the temporary file is removed). */
fleet_status_t fleet_h5_commit(fleet_h5_writer_t *writer, double wall_seconds, double vehicle_hours,
                               fleet_error_t *err);

/* Closes and removes the temporary file and frees the writer; for runs that fail. */
void fleet_h5_discard(fleet_h5_writer_t *writer);

#endif
