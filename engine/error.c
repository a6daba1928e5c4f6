#include "error.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const status_names[FLEET_STATUS_COUNT] = {
    [FLEET_OK] = "ok",
    [FLEET_ERR_USAGE] = "usage error",
    [FLEET_ERR_SCENARIO] = "scenario error",
    [FLEET_ERR_IO] = "i/o error",
    [FLEET_ERR_HDF5] = "hdf5 error",
    [FLEET_ERR_NOMEM] = "out of memory",
    [FLEET_ERR_INPUT] = "input error",
    [FLEET_ERR_INTERRUPTED] = "interrupted",
};

const char *fleet_status_name(fleet_status_t code) {
  if ((int)code < 0 || code >= FLEET_STATUS_COUNT) return "unknown error";
  return status_names[code];
}

int fleet_status_exit_code(fleet_status_t code) {
  switch (code) {
    case FLEET_OK: return 0;
    case FLEET_ERR_USAGE:
    case FLEET_ERR_SCENARIO:
    case FLEET_ERR_INPUT: return 2;
    case FLEET_ERR_INTERRUPTED: return 130;
    default: return 1;
  }
}

fleet_status_t fleet_error_set(fleet_error_t *err, fleet_status_t code, const char *format, ...) {
  if (err) {
    err->code = code;
    va_list args;
    va_start(args, format);
    vsnprintf(err->message, sizeof err->message, format, args);
    va_end(args);
  }
  return code;
}

void fleet_error_clear(fleet_error_t *err) {
  if (!err) return;
  err->code = FLEET_OK;
  err->message[0] = '\0';
}
