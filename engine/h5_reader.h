/* h5_reader.h: reading a result file back (schema in README.md, "Output"): what run made it, and
 * its replica-years as the totals the writer was given, for merge and summary. */
#ifndef FLEET_H5_READER_H
#define FLEET_H5_READER_H

#include <stdint.h>

#include "error.h"
#include "params.h"
#include "year_totals.h"

/* The root attributes and run-wide metadata of a result file. */
typedef struct {
  char *scenario_text;          /* /scenario (owned: fleet_h5_file_info_free) */
  char scenario_sha256[65];     /* /scenario@sha256, checked against the text */
  char model_sha256[65];        /* @model_sha256 */
  char fleetmc_version[64];     /* @fleetmc_version, @git_commit, @created; truncated if longer */
  char git_commit[64];
  char created[32];
  uint64_t seed;
  int64_t first_replica, replicas, years, vehicles, threads;
  int region_count;             /* from the shape of /weather/pv_yield_kwh_per_kwp */
  char region_names[FLEET_MAX_REGIONS][FLEET_REGION_NAME_MAX]; /* its attribute regions */
  double discount_rate;         /* /budget/npv_eur@discount_rate */
  int64_t lease_years;          /* /budget/repaid@lease_years */
  double wall_seconds, vehicle_hours; /* /runtime */
} fleet_h5_file_info_t;

/* The per-replica datasets, which the writer derives from a replica's years. */
typedef struct {
  double npv_eur;                         /* /budget/npv_eur */
  double repaid;                          /* /budget/repaid: 1, 0 (or NaN) */
  double long_outage_covered_probability; /* /outage/long_outage_covered_probability */
} fleet_replica_totals_t;

typedef struct fleet_h5_reader fleet_h5_reader_t;

/* Opens the result file at path and reads its info, checking that it is a fleetmc result file of
 * this format version (filetype, format_version) and that every dataset read has the shape the
 * root attributes give it. A file that is missing, not HDF5, not a fleetmc result, of another
 * format version or inconsistent gives FLEET_ERR_INPUT; one that exists but cannot be read
 * FLEET_ERR_IO or FLEET_ERR_HDF5. Messages start with the path. *out receives the reader. */
fleet_status_t fleet_h5_open(const char *path, fleet_h5_reader_t **out, fleet_error_t *err);

/* The info of an open file; valid until fleet_h5_close. */
const fleet_h5_file_info_t *fleet_h5_reader_info(const fleet_h5_reader_t *reader);

/* Reads replica offset replica_offset in [0, replicas), year in [0, years) into totals: every
 * field the writer takes. The derived datasets are not read back, except that the household
 * account's sum and the worse-off count are recovered from the stored mean and share so that
 * the writer, given these totals, writes those datasets again bit for bit. */
fleet_status_t fleet_h5_read_year(fleet_h5_reader_t *reader, int64_t replica_offset, int64_t year,
                                  fleet_year_totals_t *totals, fleet_error_t *err);

/* Reads the per-replica datasets of replica offset replica_offset. */
fleet_status_t fleet_h5_read_replica(fleet_h5_reader_t *reader, int64_t replica_offset,
                                     fleet_replica_totals_t *out, fleet_error_t *err);

/* Closes every handle and frees the reader (also when closing fails; err may be NULL then). */
fleet_status_t fleet_h5_close(fleet_h5_reader_t *reader, fleet_error_t *err);

/* Opens path, copies its info to *info (the caller frees it with fleet_h5_file_info_free) and
 * closes it: for callers that look at many files before reading any. */
fleet_status_t fleet_h5_read_info(const char *path, fleet_h5_file_info_t *info, fleet_error_t *err);

void fleet_h5_file_info_free(fleet_h5_file_info_t *info);

#endif
