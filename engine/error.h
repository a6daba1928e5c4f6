/* error.h: the one list of fleetmc status codes, their messages and exit codes.
 *
 * Functions return a fleet_status_t and fill a fleet_error_t with a message that names the file,
 * the key, the value and the rule; only main() turns a status into an exit code. */
#ifndef FLEET_ERROR_H
#define FLEET_ERROR_H

#include <stddef.h>

typedef enum {
  FLEET_OK = 0,
  FLEET_ERR_USAGE,    /* a bad command line: unknown option, malformed or out-of-range value */
  FLEET_ERR_SCENARIO, /* a bad scenario file or --set override */
  FLEET_ERR_IO,       /* a file that cannot be read, written or renamed */
  FLEET_ERR_HDF5,     /* the HDF5 library refused an operation */
  FLEET_ERR_NOMEM,    /* an allocation failed */
  FLEET_ERR_INPUT,    /* a result file given as input that is missing, not a fleetmc file of this format
                         version, or that does not fit with the other inputs (merge) */
  FLEET_ERR_INTERRUPTED, /* the user stopped the run (SIGINT, SIGTERM) */
  FLEET_STATUS_COUNT
} fleet_status_t;

enum { FLEET_ERROR_MESSAGE_MAX = 1024 };

typedef struct {
  fleet_status_t code;
  char message[FLEET_ERROR_MESSAGE_MAX];
} fleet_error_t;

/* Short name of a status ("scenario error", ...). */
const char *fleet_status_name(fleet_status_t code);

/* Process exit code for a status: 0 ok, 2 bad input (usage, scenario, input file), 1 anything else. */
int fleet_status_exit_code(fleet_status_t code);

/* Fills err (if not NULL) with code and a printf-style message; returns code. */
fleet_status_t fleet_error_set(fleet_error_t *err, fleet_status_t code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears err to FLEET_OK with an empty message. */
void fleet_error_clear(fleet_error_t *err);

#endif
