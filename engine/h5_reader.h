/* h5_reader.h: reading a result file back (schema.h): what run made it, and its replica-years as
 * the totals the writer was given, for merge and summary. */
#ifndef FLEET_H5_READER_H
#define FLEET_H5_READER_H

#include <stdint.h>

#include "error.h"
#include "params.h"
#include "schema.h"
#include "year_totals.h"

/* The root attributes (named as in FLEET_ROOT_ATTRS; strings owned: fleet_h5_file_info_free) and
 * run-wide contents of a result file. */
typedef struct {
  char *fleetmc_version, *git_commit, *created, *command_line, *scenario_file, *model_sha256;
  uint64_t seed;
  int64_t first_replica, replicas, years, vehicles, first_year;
  double discount_rate;
  int64_t lease_years;
  char *stopped_by;
  char *scenario_text;      /* /scenario */
  char scenario_sha256[65]; /* /scenario@sha256, checked against the text */
  int region_count;         /* the region coordinate's values */
  char region_names[FLEET_MAX_REGIONS][FLEET_REGION_NAME_MAX];
  int64_t price_paths;      /* the path coordinate's length */
  fleet_run_values_t runtime; /* /runtime */
} fleet_h5_file_info_t;

typedef struct fleet_h5_reader fleet_h5_reader_t;

/* Opens the result file at path and reads its info, checking that it is a fleetmc result file of
 * this format version (filetype, format_version) and that every dataset of the schema is there
 * with the type and shape the root attributes give it. A file that is missing, not HDF5, not a
 * fleetmc result, of another format version or inconsistent gives FLEET_ERR_INPUT; one that
 * exists but cannot be read FLEET_ERR_IO or FLEET_ERR_HDF5. Messages start with the path. */
fleet_status_t fleet_h5_open(const char *path, fleet_h5_reader_t **out, fleet_error_t *err);

/* The info of an open file; valid until fleet_h5_close. */
const fleet_h5_file_info_t *fleet_h5_reader_info(const fleet_h5_reader_t *reader);

/* Reads replica offset replica_offset in [0, replicas), year in [0, years) into totals: every
 * field the writer takes (the FLEET_FROM_YEAR datasets). */
fleet_status_t fleet_h5_read_year(fleet_h5_reader_t *reader, int64_t replica_offset, int64_t year,
                                  fleet_year_totals_t *totals, fleet_error_t *err);

/* /parameters (h5_writer.h): the keys sampled per replica and each replica's draws. */
typedef struct {
  int count;                                      /* 0: the file has no /parameters */
  int64_t replicas;
  char key[FLEET_MAX_SAMPLED][FLEET_SAMPLED_KEY_MAX];
  char units[FLEET_MAX_SAMPLED][128];
  char distribution[FLEET_MAX_SAMPLED][512];
  double *values;                                 /* [replica][key]: values[r * count + i]; malloc */
} fleet_h5_parameters_t;
/* Reads /parameters of an open file into *out (count 0 when it has none); free with
 * fleet_h5_parameters_free. A /parameters that is not as the writer makes it (keys listed, each a
 * float64 [replicas] dataset) gives FLEET_ERR_INPUT naming the file and the object. */
fleet_status_t fleet_h5_read_parameters(fleet_h5_reader_t *reader, fleet_h5_parameters_t *out, fleet_error_t *err);
void fleet_h5_parameters_free(fleet_h5_parameters_t *parameters);

/* Closes every handle and frees the reader (also when closing fails; err may be NULL then). */
fleet_status_t fleet_h5_close(fleet_h5_reader_t *reader, fleet_error_t *err);

/* Opens path, moves its info to *info (the caller frees it with fleet_h5_file_info_free) and
 * closes it: for callers that look at many files before reading any. */
fleet_status_t fleet_h5_read_info(const char *path, fleet_h5_file_info_t *info, fleet_error_t *err);

void fleet_h5_file_info_free(fleet_h5_file_info_t *info);

#endif
