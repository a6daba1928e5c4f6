#include "h5_util.h"

#include <stdarg.h>
#include <stdio.h>

void fleet_h5_quiet_begin(fleet_h5_quiet_t *quiet) {
  quiet->saved = H5Eget_auto2(H5E_DEFAULT, &quiet->func, &quiet->data) >= 0;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void fleet_h5_quiet_end(const fleet_h5_quiet_t *quiet) {
  if (quiet->saved) H5Eset_auto2(H5E_DEFAULT, quiet->func, quiet->data);
}

typedef struct {
  char *text;
  size_t size;
} h5_detail_t;

static herr_t detail_walk(unsigned n, const H5E_error2_t *entry, void *data) {
  h5_detail_t *detail = data;
  if (n == 0 && entry->desc) snprintf(detail->text, detail->size, "%s", entry->desc);
  return 0;
}

fleet_status_t fleet_h5_fail(fleet_error_t *err, fleet_status_t code, const char *format, ...) {
  char text[400] = "";
  h5_detail_t detail = {text, sizeof text};
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, detail_walk, &detail); /* innermost entry first */
  char message[FLEET_ERROR_MESSAGE_MAX];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  for (char *c = text; *c; c++)
    if (*c == '\n') *c = ' '; /* one message, one line */
  /* the reader's failures are its input's: a file HDF5 cannot parse is a damaged one */
  return fleet_error_set(err, code, "%s%s%s%s", message, code == FLEET_ERR_INPUT ? ": the file is damaged" : "",
                         text[0] ? ": HDF5: " : "", text);
}

hid_t fleet_h5_string_type(void) {
  hid_t type = H5Tcopy(H5T_C_S1);
  if (type < 0) return type;
  if (H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0 ||
      H5Tset_strpad(type, H5T_STR_NULLTERM) < 0) {
    H5Tclose(type);
    return -1;
  }
  return type;
}

int fleet_h5_check(fleet_h5_check_t *c, int64_t result, fleet_status_t code, const char *format, ...) {
  if (c->status != FLEET_OK) return 0;
  if (result >= 0) return 1;
  char message[FLEET_ERROR_MESSAGE_MAX];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  c->status = fleet_h5_fail(c->err, code, "%s", message);
  return 0;
}

herr_t fleet_h5_bound_metadata_cache(hid_t fapl) {
  H5AC_cache_config_t config;
  config.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  if (H5Pget_mdc_config(fapl, &config) < 0) return -1;
  config.set_initial_size = 1;
  config.initial_size = FLEET_H5_METADATA_CACHE_BYTES / 2;
  config.max_size = FLEET_H5_METADATA_CACHE_BYTES;
  if (config.min_size > config.max_size) config.min_size = config.max_size;
  return H5Pset_mdc_config(fapl, &config);
}
