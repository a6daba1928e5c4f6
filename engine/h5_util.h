/* h5_util.h: what the HDF5 writer and reader share: silencing the library's own error printing
 * and turning its error stack into a fleet_error_t message. Private to engine/. */
#ifndef FLEET_H5_UTIL_H
#define FLEET_H5_UTIL_H

#include <hdf5.h>

#include "error.h"

/* The chunk cache per open dataset, bytes: room for a year's hourly row (8760 doubles, 70 kB)
 * and the next; HDF5's default of 1 MiB per dataset, over some 40 datasets, would grow with the
 * file until full. */
#define FLEET_H5_CHUNK_CACHE_BYTES (160 * 1024)

/* HDF5's metadata cache grows with the objects it meets (to 32 MiB by default): the chunk
 * indexes of a file of many replicas. Capped at FLEET_H5_METADATA_CACHE_BYTES; < 0 on failure. */
#define FLEET_H5_METADATA_CACHE_BYTES (2 * 1024 * 1024)
herr_t fleet_h5_bound_metadata_cache(hid_t fapl);

/* The caller's automatic error handler, saved by fleet_h5_quiet_begin. */
typedef struct {
  H5E_auto2_t func;
  void *data;
  int saved;
} fleet_h5_quiet_t;

/* HDF5 prints its error stack to stderr by default; a public call of the writer or reader switches
 * that off on entry and restores the caller's handler on return (not once globally), so a
 * program that installs its own handler keeps it. */
void fleet_h5_quiet_begin(fleet_h5_quiet_t *quiet);
void fleet_h5_quiet_end(const fleet_h5_quiet_t *quiet);

/* Fills err with code and the message, followed by the innermost message of HDF5's error stack
 * (where the library says what actually went wrong, e.g. the errno of a failed open). Every
 * HDF5 call clears the stack on entry, so this must run right after the failed call, before
 * any cleanup. */
fleet_status_t fleet_h5_fail(fleet_error_t *err, fleet_status_t code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* A sticky status for a sequence of HDF5 calls (SUNDIALS' check-call idea): the first failure is
 * kept, with HDF5's innermost message, and later checks report nothing more, so a function can
 * make its calls one after another and clean up at the end. */
typedef struct {
  fleet_error_t *err;
  fleet_status_t status;
} fleet_h5_check_t;

/* result < 0 (a failed HDF5 call): records code with the message (file and object in it) if
 * nothing failed before. Returns 1 when result >= 0 and nothing failed before, else 0. */
int fleet_h5_check(fleet_h5_check_t *c, int64_t result, fleet_status_t code, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/* Variable-length, NUL-terminated UTF-8: the one string type of result files; < 0 on failure. */
hid_t fleet_h5_string_type(void);

#endif
