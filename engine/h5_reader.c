/* h5_reader.c: reading result files back, by the tables of schema.h.
 *
 * The reader trusts nothing it has not checked: a file handed to merge or summary may be anything,
 * so identity (filetype, format_version), every attribute's class and every dataset's type and
 * shape are checked when the file is opened, and a file that fails is bad input (FLEET_ERR_INPUT),
 * reported with the file, the object and what was expected. After that, a failing read is a
 * runtime failure (FLEET_ERR_INPUT). As in the writer, HDF5's own error printing is off during
 * each public call (h5_util.h). Serial HDF5 is not thread-safe: call these from one thread at a
 * time. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fork, strsignal */
#endif

#include "h5_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "file_util.h"
#include "h5_util.h"
#include "run.h"
#include "scenario.h"
#include "sha256.h"
#include "version.h"

struct fleet_h5_reader {
  char *path;
  hid_t file;
  hid_t dsets[FLEET_DS_COUNT];
  fleet_schema_dims_t dims;
  fleet_h5_file_info_t info;
  int64_t scenario_price_paths; /* budget.price_paths_per_replica of /scenario */
};

/* Where each root attribute goes in the info: the same names as the table's. */
static const size_t info_offsets[FLEET_ROOT_ATTR_COUNT] = {
#define FLEET_INFO_OFFSET(name, ...) offsetof(fleet_h5_file_info_t, name),
    FLEET_ROOT_ATTRS(FLEET_INFO_OFFSET)
#undef FLEET_INFO_OFFSET
};

/* ---- attributes --------------------------------------------------------------------------- */

/* 1 if the object at path exists, 0 if it (or a group above it) does not, < 0 on failure:
 * H5Lexists fails rather than answering 0 when a group on the way is missing. */
static htri_t object_exists(hid_t file, const char *path) {
  char prefix[256];
  size_t len = strlen(path);
  if (len >= sizeof prefix) return -1;
  for (size_t i = 1; i <= len; i++) {
    if (path[i] != '/' && path[i] != '\0') continue;
    memcpy(prefix, path, i);
    prefix[i] = '\0';
    htri_t found = H5Lexists(file, prefix, H5P_DEFAULT);
    if (found <= 0) return found;
  }
  return 1;
}

/* Opens attribute name of obj with its type and dataspace; FLEET_ERR_INPUT if there is none. */
static fleet_status_t open_attr(const char *file, hid_t obj, const char *obj_path, const char *name, hid_t *attr,
                                hid_t *type, hid_t *space, fleet_error_t *err) {
  *attr = *type = *space = -1;
  htri_t exists = H5Aexists(obj, name);
  if (exists < 0)
    return fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot look up attribute %s of %s", file, name, obj_path);
  if (exists == 0)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute %s of %s is missing (a fleetmc result file has it)",
                           file, name, obj_path);
  if ((*attr = H5Aopen(obj, name, H5P_DEFAULT)) < 0)
    return fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot open attribute %s of %s", file, name, obj_path);
  if ((*type = H5Aget_type(*attr)) < 0 || (*space = H5Aget_space(*attr)) < 0)
    return fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot read the type of attribute %s of %s", file, name,
                         obj_path);
  return FLEET_OK;
}

static fleet_status_t close_attr(const char *file, const char *obj_path, const char *name, hid_t attr, hid_t type,
                                 hid_t space, fleet_status_t status, fleet_error_t *err) {
  if (space >= 0 && H5Sclose(space) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot close the dataspace of attribute %s of %s", file, name,
                           obj_path);
  if (type >= 0 && H5Tclose(type) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot close the type of attribute %s of %s", file, name,
                           obj_path);
  if (attr >= 0 && H5Aclose(attr) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot close attribute %s of %s", file, name, obj_path);
  return status;
}

/* A scalar number: of class want (H5T_INTEGER or H5T_FLOAT), converted to mem_type. */
static fleet_status_t read_number_attr(const char *file, hid_t obj, const char *obj_path, const char *name,
                                       H5T_class_t want, hid_t mem_type, void *out, fleet_error_t *err) {
  hid_t attr, type, space;
  fleet_status_t status = open_attr(file, obj, obj_path, name, &attr, &type, &space, err);
  if (status == FLEET_OK) {
    H5T_class_t cls = H5Tget_class(type);
    hssize_t points = H5Sget_simple_extent_npoints(space);
    if (cls != want || points != 1) {
      status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute %s of %s is not a single %s", file, name,
                               obj_path, want == H5T_INTEGER ? "integer" : "floating-point number");
    } else if (H5Aread(attr, mem_type, out) < 0) {
      status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot read attribute %s of %s", file, name, obj_path);
    }
  }
  return close_attr(file, obj_path, name, attr, type, space, status, err);
}

/* A scalar string, fixed or variable length, into out[size] (truncated). */
static fleet_status_t read_string_attr(const char *file, hid_t obj, const char *obj_path, const char *name,
                                       char *out, size_t size, fleet_error_t *err) {
  out[0] = '\0';
  hid_t attr, type, space;
  fleet_status_t status = open_attr(file, obj, obj_path, name, &attr, &type, &space, err);
  if (status == FLEET_OK) {
    hssize_t points = H5Sget_simple_extent_npoints(space);
    htri_t variable = H5Tget_class(type) == H5T_STRING ? H5Tis_variable_str(type) : -1;
    if (variable < 0 || points != 1) {
      status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute %s of %s is not a single string", file, name,
                               obj_path);
    } else if (variable > 0) {
      char *value = NULL;
      if (H5Aread(attr, type, &value) < 0) {
        status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot read attribute %s of %s", file, name, obj_path);
      } else {
        snprintf(out, size, "%s", value ? value : "");
        if (value) H5free_memory(value);
      }
    } else {
      size_t length = H5Tget_size(type);
      char *value = length > 0 ? calloc(length + 1, 1) : NULL;
      if (!value) {
        status = fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory reading attribute %s of %s", file, name,
                                 obj_path);
      } else if (H5Aread(attr, type, value) < 0) {
        status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot read attribute %s of %s", file, name, obj_path);
      } else {
        snprintf(out, size, "%s", value);
      }
      free(value);
    }
  }
  return close_attr(file, obj_path, name, attr, type, space, status, err);
}



/* A scalar variable-length string attribute, copied to *out (malloc). */
static fleet_status_t read_string_attr_alloc(const char *file, hid_t obj, const char *obj_path, const char *name,
                                             char **out, fleet_error_t *err) {
  *out = NULL;
  hid_t attr, type, space;
  fleet_status_t status = open_attr(file, obj, obj_path, name, &attr, &type, &space, err);
  if (status == FLEET_OK) {
    char *value = NULL;
    if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) <= 0 || H5Sget_simple_extent_npoints(space) != 1)
      status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute %s of %s is not a single variable-length string",
                               file, name, obj_path);
    else if (H5Aread(attr, type, &value) < 0)
      status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot read attribute %s of %s", file, name, obj_path);
    else if (!(*out = strdup(value ? value : "")))
      status = fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory for attribute %s of %s", file, name, obj_path);
    if (value) H5free_memory(value);
  }
  return close_attr(file, obj_path, name, attr, type, space, status, err);
}

static int is_sha256_hex(const char *s) {
  for (int i = 0; i < 64; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
  return s[64] == '\0';
}

/* ---- opening ------------------------------------------------------------------------------ */

/* Before HDF5 sees the path: a missing file is the user's mistake (bad input), one that exists
 * but cannot be read is not. */
static fleet_status_t check_readable(const char *path, fleet_error_t *err) {
  int fd, error_number;
  const fleet_open_result_t opened = fleet_open_regular(path, 0, &fd, &error_number);
  if (opened == FLEET_OPEN_OK) {
    close(fd);
    return FLEET_OK;
  }
  return fleet_error_set(err, opened == FLEET_OPEN_FAILED ? FLEET_ERR_IO : FLEET_ERR_INPUT,
                         "%s: %s (a fleetmc result file was expected)", path,
                         fleet_open_result_text(opened, error_number));
}

/* Identity first, so that a file of another kind or version is refused with that reason rather
 * than with whatever of it happens to differ. */
static fleet_status_t read_identity(fleet_h5_reader_t *r, hid_t root, fleet_error_t *err) {
  const char *file = r->path;
  char filetype[64] = "";
  htri_t has = H5Aexists(root, "filetype");
  if (has < 0) return fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot look up attribute filetype of /", file);
  if (has == 0)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: not a fleetmc result file (attribute filetype is missing)",
                           file);
  hid_t attr = H5Aopen(root, "filetype", H5P_DEFAULT), type = attr >= 0 ? H5Aget_type(attr) : -1;
  const int is_string = type >= 0 && H5Tget_class(type) == H5T_STRING;
  if (type >= 0) H5Tclose(type);
  if (attr >= 0) H5Aclose(attr);
  if (attr >= 0 && type >= 0 && !is_string)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: not a fleetmc result file (attribute filetype is not a string)",
                           file);
  fleet_status_t status = read_string_attr(file, root, "/", "filetype", filetype, sizeof filetype, err);
  if (status != FLEET_OK) return status;
  if (strcmp(filetype, "fleetmc") != 0)
    return fleet_error_set(err, FLEET_ERR_INPUT,
                           "%s: not a fleetmc result file (attribute filetype is '%s', must be 'fleetmc')", file,
                           filetype);
  int32_t version = 0;
  status = read_number_attr(file, root, "/", "format_version", H5T_INTEGER, H5T_NATIVE_INT32, &version, err);
  if (status != FLEET_OK) return status;
  if (version != FLEETMC_FORMAT_VERSION)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: format_version %" PRId32 ", this fleetmc reads %d", file,
                           version, FLEETMC_FORMAT_VERSION);
  return FLEET_OK;
}


/* /scenario and its sha256, which must match: a hand-edited file would otherwise pass on the
 * scenario of another run. */
static fleet_status_t read_scenario(fleet_h5_reader_t *r, fleet_error_t *err) {
  const char *file = r->path, *path = "/scenario";
  htri_t exists = object_exists(r->file, path);
  if (exists < 0) return fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot look up dataset %s", file, path);
  if (exists == 0) return fleet_error_set(err, FLEET_ERR_INPUT, "%s: dataset %s is missing", file, path);
  fleet_status_t status = FLEET_OK;
  hid_t dset = -1, type = -1, space = -1;
  char *text = NULL;
  if ((dset = H5Dopen2(r->file, path, H5P_DEFAULT)) < 0 || (type = H5Dget_type(dset)) < 0 ||
      (space = H5Dget_space(dset)) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot open dataset %s", file, path);
    goto done;
  }
  if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) <= 0 || H5Sget_simple_extent_npoints(space) != 1) {
    status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: dataset %s is not a single variable-length string", file, path);
    goto done;
  }
  if (H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot read dataset %s", file, path);
    goto done;
  }
  if (!text || !(r->info.scenario_text = strdup(text))) {
    status = fleet_error_set(err, text ? FLEET_ERR_NOMEM : FLEET_ERR_INPUT, "%s: cannot %s dataset %s", file,
                             text ? "copy" : "read a NULL string from", path);
    goto done;
  }
  char stored[80], computed[65];
  if ((status = read_string_attr(file, dset, path, "sha256", stored, sizeof stored, err)) != FLEET_OK) goto done;
  fleet_sha256_hex(text, strlen(text), computed);
  memcpy(r->info.scenario_sha256, computed, sizeof computed);
  if (strcmp(stored, computed) != 0)
    status = fleet_error_set(err, FLEET_ERR_INPUT,
                             "%s: the text of %s hashes to %.12s..., its attribute sha256 says %.12s...: the file "
                             "was altered", file, path, computed, stored);
done:
  if (text) H5free_memory(text);
  if (space >= 0 && H5Sclose(space) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot close the dataspace of dataset %s", file, path);
  if (type >= 0 && H5Tclose(type) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot close the type of dataset %s", file, path);
  if (dset >= 0 && H5Dclose(dset) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot close dataset %s", file, path);
  return status;
}


static void format_dims(char *out, size_t size, int rank, const hsize_t *dims) {
  size_t used = (size_t)snprintf(out, size, "[");
  for (int i = 0; i < rank && used < size; i++)
    used += (size_t)snprintf(out + used, size - used, "%s%llu", i ? ", " : "", (unsigned long long)dims[i]);
  if (used < size) snprintf(out + used, size - used, "]");
}


/* The root attributes of the table, each of its kind, with the ranges the writer keeps. */
static fleet_status_t read_root(fleet_h5_reader_t *r, hid_t root, fleet_error_t *err) {
  const char *file = r->path;
  fleet_h5_file_info_t *info = &r->info;
  fleet_status_t status = read_identity(r, root, err);
  for (int k = 0; k < FLEET_ROOT_ATTR_COUNT && status == FLEET_OK; k++) {
    const fleet_root_attr_spec_t *a = &fleet_root_attrs[k];
    void *field = (char *)info + info_offsets[k];
    switch (a->kind) {
    case FLEET_ATTR_STRING:
      if (FLEET_ROOT_ATTR_OPTIONAL(a->name) && H5Aexists(root, a->name) == 0)
        status = (*(char **)field = strdup("")) ? FLEET_OK
                                                : fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory", file);
      else
        status = read_string_attr_alloc(file, root, "/", a->name, (char **)field, err);
      break;
    case FLEET_ATTR_U64:
      status = read_number_attr(file, root, "/", a->name, H5T_INTEGER, H5T_NATIVE_UINT64, field, err);
      break;
    case FLEET_ATTR_I64:
      status = read_number_attr(file, root, "/", a->name, H5T_INTEGER, H5T_NATIVE_INT64, field, err);
      break;
    case FLEET_ATTR_F64:
      status = read_number_attr(file, root, "/", a->name, H5T_FLOAT, H5T_NATIVE_DOUBLE, field, err);
      break;
    }
  }
  if (status != FLEET_OK) return status;
  fleet_run_info_t as_written = {0};
#define FLEET_COPY_ATTR(name, ...) as_written.name = info->name;
  FLEET_ROOT_ATTRS(FLEET_COPY_ATTR)
#undef FLEET_COPY_ATTR
  char stored[80], computed[65];
  if ((status = read_string_attr(file, root, "/", "attributes_sha256", stored, sizeof stored, err)) != FLEET_OK)
    return status;
  fleet_root_attrs_sha256(&as_written, computed);
  if (strcmp(stored, computed) != 0)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: the root attributes hash to %.12s..., attribute "
                           "attributes_sha256 says %.12s...: the file is damaged or was altered", file, computed, stored);
  if (!is_sha256_hex(info->model_sha256))
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute model_sha256 of / is '%.80s', must be 64 lowercase "
                           "hex digits", file, info->model_sha256);
  const struct {
    const char *name;
    int64_t value, min, max;
  } ints[] = {{"first_replica", info->first_replica, 0, INT64_MAX},
              {"replicas", info->replicas, 1, INT64_MAX},
              {"years", info->years, 1, FLEET_MAX_YEARS},
              {"vehicles", info->vehicles, 1, INT64_MAX},
              {"first_year", info->first_year, 1, 9999},
              {"lease_years", info->lease_years, 1, INT64_MAX}};
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
    if (ints[i].value < ints[i].min || ints[i].value > ints[i].max)
      return fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute %s of / is %" PRId64 ", must be in [%" PRId64 ", %"
                             PRId64 "]", file, ints[i].name, ints[i].value, ints[i].min, ints[i].max);
  if (info->first_replica > INT64_MAX - info->replicas)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: first_replica + replicas = %" PRId64 " + %" PRId64
                           " overflows", file, info->first_replica, info->replicas);
  if (!isfinite(info->discount_rate) || !(info->discount_rate > -1.0))
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute discount_rate of / is %g, must be finite and > -1",
                           file, info->discount_rate);
  r->dims.replicas = info->replicas;
  r->dims.years = info->years;
  return FLEET_OK;
}

/* The region names: the region coordinate of the first group whose datasets use it; its length
 * is the files' region count. */
static fleet_status_t read_regions(fleet_h5_reader_t *r, fleet_error_t *err) {
  const char *group = NULL;
  for (int k = 0; k < FLEET_DS_COUNT && !group; k++)
    for (int i = 0; i < fleet_datasets[k].rank; i++)
      if (fleet_datasets[k].axes[i] == FLEET_AXIS_REGION) group = fleet_datasets[k].group;
  if (!group) return FLEET_OK;
  char path[96];
  snprintf(path, sizeof path, "/%s/%s", group, fleet_axes[FLEET_AXIS_REGION].name);
  const char *file = r->path;
  htri_t exists = object_exists(r->file, path);
  if (exists < 0) return fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot look up dataset %s", file, path);
  if (exists == 0) return fleet_error_set(err, FLEET_ERR_INPUT, "%s: coordinate %s is missing", file, path);
  fleet_h5_check_t c = {err, FLEET_OK};
  hid_t dset = -1, type = -1, space = -1;
  char *names[FLEET_MAX_REGIONS] = {NULL};
  hssize_t n = -1;
  if (fleet_h5_check(&c, dset = H5Dopen2(r->file, path, H5P_DEFAULT), FLEET_ERR_INPUT, "%s: cannot open %s", file, path) &&
      fleet_h5_check(&c, type = H5Dget_type(dset), FLEET_ERR_INPUT, "%s: cannot read the type of %s", file, path) &&
      fleet_h5_check(&c, space = H5Dget_space(dset), FLEET_ERR_INPUT, "%s: cannot read the shape of %s", file, path) &&
      fleet_h5_check(&c, n = H5Sget_simple_extent_npoints(space), FLEET_ERR_INPUT, "%s: cannot count %s", file, path)) {
    if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) <= 0 || H5Sget_simple_extent_ndims(space) != 1 ||
        n < 1 || n > FLEET_MAX_REGIONS)
      c.status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: coordinate %s is not 1 to %d variable-length strings", file,
                                 path, FLEET_MAX_REGIONS);
    else if (fleet_h5_check(&c, H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, names), FLEET_ERR_INPUT,
                            "%s: cannot read %s", file, path))
      for (int i = 0; i < n; i++) {
        if (c.status == FLEET_OK && (!names[i] || !names[i][0] || strlen(names[i]) >= FLEET_REGION_NAME_MAX))
          c.status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: %s: region name %d is empty or longer than %d bytes",
                                     file, path, i, FLEET_REGION_NAME_MAX - 1);
        else if (c.status == FLEET_OK)
          snprintf(r->info.region_names[i], FLEET_REGION_NAME_MAX, "%s", names[i]);
        if (names[i]) H5free_memory(names[i]);
      }
  }
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  if (dset >= 0) H5Dclose(dset);
  if (c.status == FLEET_OK) r->info.region_count = r->dims.regions = (int)n;
  return c.status;
}

/* The price paths per replica: the length of the path coordinate, which must be /scenario's
 * budget.price_paths_per_replica (its values are checked with the other coordinates'). */
static fleet_status_t read_paths(fleet_h5_reader_t *r, fleet_error_t *err) {
  const char *group = NULL;
  for (int k = 0; k < FLEET_DS_COUNT && !group; k++)
    for (int i = 0; i < fleet_datasets[k].rank; i++)
      if (fleet_datasets[k].axes[i] == FLEET_AXIS_PATH) group = fleet_datasets[k].group;
  if (!group) return FLEET_OK;
  char path[96];
  snprintf(path, sizeof path, "/%s/%s", group, fleet_axes[FLEET_AXIS_PATH].name);
  const char *file = r->path;
  htri_t exists = object_exists(r->file, path);
  if (exists < 0) return fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot look up dataset %s", file, path);
  if (exists == 0) return fleet_error_set(err, FLEET_ERR_INPUT, "%s: coordinate %s is missing", file, path);
  fleet_h5_check_t c = {err, FLEET_OK};
  hid_t dset = -1, space = -1;
  hssize_t n = -1;
  if (fleet_h5_check(&c, dset = H5Dopen2(r->file, path, H5P_DEFAULT), FLEET_ERR_INPUT, "%s: cannot open %s", file, path) &&
      fleet_h5_check(&c, space = H5Dget_space(dset), FLEET_ERR_INPUT, "%s: cannot read the shape of %s", file, path) &&
      fleet_h5_check(&c, n = H5Sget_simple_extent_npoints(space), FLEET_ERR_INPUT, "%s: cannot count %s", file, path) &&
      (H5Sget_simple_extent_ndims(space) != 1 || n < 1 || n > FLEET_MAX_PRICE_PATHS))
    c.status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: coordinate %s does not hold 1 to %d values", file, path,
                               FLEET_MAX_PRICE_PATHS);
  else if (c.status == FLEET_OK && n != r->scenario_price_paths)
    c.status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: coordinate %s has %lld values but /scenario says "
                               "budget.price_paths_per_replica: %lld: the file was altered", file, path, (long long)n,
                               (long long)r->scenario_price_paths);
  if (space >= 0) H5Sclose(space);
  if (dset >= 0) H5Dclose(dset);
  if (c.status == FLEET_OK) r->info.price_paths = r->dims.paths = (int64_t)n;
  return c.status;
}

/* 1 if the dataset's data carry HDF5's Fletcher32 checksum (which H5Dread then verifies). */
static int has_checksum(hid_t dset) {
  hid_t dcpl = H5Dget_create_plist(dset);
  if (dcpl < 0) return 0;
  unsigned flags = 0, config = 0;
  size_t elements = 0;
  const int found = H5Pget_filter_by_id2(dcpl, H5Z_FILTER_FLETCHER32, &flags, &elements, NULL, 0, NULL, &config) >= 0;
  H5Pclose(dcpl);
  return found;
}

/* Opens dataset k and checks that it holds values of its type and the shape the root attributes
 * and the region coordinate give. */
static fleet_status_t open_dataset(fleet_h5_reader_t *r, int k, fleet_error_t *err) {
  const fleet_dataset_spec_t *spec = &fleet_datasets[k];
  const char *file = r->path, *path = spec->path;
  htri_t exists = object_exists(r->file, path);
  if (exists < 0) return fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot look up dataset %s", file, path);
  if (exists == 0) return fleet_error_set(err, FLEET_ERR_INPUT, "%s: dataset %s is missing", file, path);
  fleet_h5_check_t c = {err, FLEET_OK};
  hid_t type = -1, space = -1;
  hsize_t dims[H5S_MAX_RANK], want[3];
  int rank = -1;
  for (int i = 0; i < spec->rank; i++) want[i] = (hsize_t)fleet_axis_length(spec->axes[i], &r->dims);
  if (fleet_h5_check(&c, r->dsets[k] = H5Dopen2(r->file, path, H5P_DEFAULT), FLEET_ERR_INPUT, "%s: cannot open dataset %s",
                     file, path) &&
      fleet_h5_check(&c, type = H5Dget_type(r->dsets[k]), FLEET_ERR_INPUT, "%s: cannot read the type of %s", file, path) &&
      fleet_h5_check(&c, space = H5Dget_space(r->dsets[k]), FLEET_ERR_INPUT, "%s: cannot read the shape of %s", file,
                     path) &&
      fleet_h5_check(&c, rank = H5Sget_simple_extent_ndims(space), FLEET_ERR_INPUT, "%s: cannot read the rank of %s", file,
                     path) &&
      fleet_h5_check(&c, H5Sget_simple_extent_dims(space, dims, NULL), FLEET_ERR_INPUT, "%s: cannot read the shape of %s",
                     file, path)) {
    const H5T_class_t want_class = spec->type == FLEET_TYPE_F64 ? H5T_FLOAT : H5T_INTEGER;
    int same = rank == spec->rank;
    for (int i = 0; same && i < rank; i++) same = dims[i] == want[i];
    if (H5Tget_class(type) != want_class) {
      c.status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: dataset %s does not hold %s numbers", file, path,
                                 spec->type == FLEET_TYPE_F64 ? "floating-point" : "integer");
    } else if (spec->rank > 0 && !has_checksum(r->dsets[k])) {
      c.status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: dataset %s has no Fletcher32 checksum (fleetmc writes "
                                 "one on every dataset): the file was altered", file, path);
    } else if (!same) {
      char got[96], expected[96];
      format_dims(got, sizeof got, rank, dims);
      format_dims(expected, sizeof expected, spec->rank, want);
      c.status = fleet_error_set(err, FLEET_ERR_INPUT,
                                 "%s: dataset %s has shape %s, must be %s to match the root attributes replicas = %"
                                 PRId64 " and years = %" PRId64 " and the %d regions", file, path, got, expected,
                                 r->info.replicas, r->info.years, r->info.region_count);
    }
  }
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  /* the descriptive attributes are the table's own words: any other text is damage */
  const struct {
    const char *name, *expected;
  } texts[] = {{"units", spec->units}, {"long_name", spec->long_name}, {"description", spec->description}};
  for (size_t i = 0; i < sizeof texts / sizeof texts[0] && c.status == FLEET_OK; i++) {
    char *value = NULL;
    c.status = read_string_attr_alloc(file, r->dsets[k], path, texts[i].name, &value, err);
    if (c.status == FLEET_OK && strcmp(value, texts[i].expected) != 0)
      c.status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute %s of %s is not fleetmc's: the file is damaged or "
                                 "was altered", file, texts[i].name, path);
    free(value);
  }
  return c.status;
}

enum { COORDINATE_BLOCK = 4096 }; /* values of a coordinate read at a time */

/* The coordinate of axis a in group: its values must be those the writer gives it for this
 * file's root attributes (schema.h), since xarray and pandas label every value by them. */
static fleet_status_t check_coordinate(fleet_h5_reader_t *r, const char *group, fleet_axis_t a, fleet_error_t *err) {
  const fleet_axis_spec_t *axis = &fleet_axes[a];
  char path[128];
  snprintf(path, sizeof path, "/%s/%s", group, axis->name);
  const char *file = r->path;
  htri_t exists = object_exists(r->file, path);
  if (exists <= 0) return fleet_error_set(err, FLEET_ERR_INPUT, "%s: coordinate %s is missing", file, path);
  const int64_t n = fleet_axis_length(a, &r->dims);
  const int strings = axis->kind == FLEET_AXIS_KIND_REGION || axis->kind == FLEET_AXIS_KIND_LABELS;
  fleet_h5_check_t c = {err, FLEET_OK};
  hid_t dset = -1, type = -1, space = -1;
  void *values = NULL;
  if (fleet_h5_check(&c, dset = H5Dopen2(r->file, path, H5P_DEFAULT), FLEET_ERR_INPUT, "%s: cannot open %s", file,
                     path) &&
      fleet_h5_check(&c, type = H5Dget_type(dset), FLEET_ERR_INPUT, "%s: cannot read the type of %s", file, path) &&
      fleet_h5_check(&c, space = H5Dget_space(dset), FLEET_ERR_INPUT, "%s: cannot read the shape of %s", file, path)) {
    const H5T_class_t want = strings ? H5T_STRING : axis->kind == FLEET_AXIS_KIND_BINS ? H5T_FLOAT : H5T_INTEGER;
    if (H5Tget_class(type) != want || (strings && H5Tis_variable_str(type) <= 0) ||
        H5Sget_simple_extent_ndims(space) != 1 || H5Sget_simple_extent_npoints(space) != n)
      c.status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: coordinate %s has not the type and length %lld of axis %s",
                                 file, path, (long long)n, axis->name);
    else if (!(values = calloc(COORDINATE_BLOCK, 8)))
      c.status = fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory for %s", file, path);
    /* by blocks, so that a file claiming billions of replicas costs time, not memory */
    const hid_t mem_type = strings ? type : axis->kind == FLEET_AXIS_KIND_BINS ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
    for (int64_t first = 0; first < n && c.status == FLEET_OK; first += COORDINATE_BLOCK) {
      const hsize_t start = (hsize_t)first, count = (hsize_t)(n - first < COORDINATE_BLOCK ? n - first : COORDINATE_BLOCK);
      hid_t mem_space = -1;
      if (fleet_h5_check(&c, H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &count, NULL), FLEET_ERR_INPUT,
                         "%s: cannot select in %s", file, path) &&
          fleet_h5_check(&c, mem_space = H5Screate_simple(1, &count, NULL), FLEET_ERR_INPUT,
                         "%s: cannot create a dataspace for %s", file, path) &&
          fleet_h5_check(&c, H5Dread(dset, mem_type, mem_space, space, H5P_DEFAULT, values), FLEET_ERR_INPUT,
                         "%s: cannot read %s", file, path)) {
        for (int64_t j = 0; j < (int64_t)count && c.status == FLEET_OK; j++) {
          const int64_t i = first + j;
          int same;
          if (strings) {
            const char *got = ((char **)values)[j];
            const char *expected = axis->kind == FLEET_AXIS_KIND_REGION ? r->info.region_names[i] : axis->labels[i];
            same = got && strcmp(got, expected) == 0;
          } else if (axis->kind == FLEET_AXIS_KIND_BINS) {
            const double got = ((double *)values)[j], expected = axis->edge((int)i);
            same = memcmp(&got, &expected, sizeof got) == 0;
          } else {
            const int64_t got = ((int64_t *)values)[j];
            same = got == (axis->kind == FLEET_AXIS_KIND_REPLICA ? r->info.first_replica + i
                           : axis->kind == FLEET_AXIS_KIND_YEAR  ? r->info.first_year + i
                                                                 : i);
          }
          if (!same)
            c.status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: coordinate %s: value %lld is not the one the root "
                                       "attributes give: the file is damaged or was altered", file, path, (long long)i);
        }
        if (strings) H5Dvlen_reclaim(type, mem_space, H5P_DEFAULT, values);
      }
      if (mem_space >= 0) H5Sclose(mem_space);
    }
  }
  free(values);
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  if (dset >= 0) H5Dclose(dset);
  return c.status;
}

/* Every coordinate of every group. */
static fleet_status_t check_coordinates(fleet_h5_reader_t *r, fleet_error_t *err) {
  const char *groups[FLEET_GROUP_MAX];
  const int group_count = fleet_schema_groups(groups);
  fleet_status_t status = FLEET_OK;
  for (int g = 0; g < group_count && status == FLEET_OK; g++) {
    int used[FLEET_AXIS_COUNT] = {0};
    for (int k = 0; k < FLEET_DS_COUNT; k++)
      if (strcmp(fleet_datasets[k].group, groups[g]) == 0)
        for (int i = 0; i < fleet_datasets[k].rank; i++) used[fleet_datasets[k].axes[i]] = 1;
    for (int a = 0; a < FLEET_AXIS_COUNT && status == FLEET_OK; a++)
      if (used[a]) status = check_coordinate(r, groups[g], a, err);
  }
  return status;
}

/* Reads the values of dataset k at [replica, year, ...] (only as many leading indices as it has)
 * into out, as doubles. */
static fleet_status_t read_row(fleet_h5_reader_t *r, int k, int64_t replica, int64_t year, double *out,
                               fleet_error_t *err) {
  const fleet_dataset_spec_t *spec = &fleet_datasets[k];
  hsize_t start[3] = {0, 0, 0}, count[3], n = 1;
  for (int i = 0; i < spec->rank; i++) {
    const fleet_axis_t a = spec->axes[i];
    start[i] = a == FLEET_AXIS_REPLICA ? (hsize_t)replica : a == FLEET_AXIS_YEAR ? (hsize_t)year : 0;
    count[i] = a == FLEET_AXIS_REPLICA || a == FLEET_AXIS_YEAR ? 1 : (hsize_t)fleet_axis_length(a, &r->dims);
    n *= count[i];
  }
  fleet_h5_check_t c = {err, FLEET_OK};
  hid_t file_space = -1, mem_space = -1;
  if (fleet_h5_check(&c, file_space = H5Dget_space(r->dsets[k]), FLEET_ERR_INPUT, "%s: cannot read the shape of %s",
                     r->path, spec->path) &&
      fleet_h5_check(&c, spec->rank ? H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL) : 0,
                     FLEET_ERR_INPUT, "%s: cannot select replica offset %" PRId64 ", year %" PRId64 " of %s", r->path,
                     replica, year, spec->path) &&
      fleet_h5_check(&c, mem_space = spec->rank ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR),
                     FLEET_ERR_INPUT, "%s: cannot create a dataspace for %s", r->path, spec->path))
    /* a failing read of a file that opened is a damaged one (a Fletcher32 mismatch among others) */
    fleet_h5_check(&c, H5Dread(r->dsets[k], H5T_NATIVE_DOUBLE, mem_space, file_space, H5P_DEFAULT, out),
                   FLEET_ERR_INPUT, "%s: cannot read replica offset %" PRId64 ", year %" PRId64 " of %s", r->path, replica, year, spec->path);
  if (mem_space >= 0) H5Sclose(mem_space);
  if (file_space >= 0) H5Sclose(file_space);
  return c.status;
}

/* Every value of a row read must lie in its dataset's domain (schema.h): a NaN in a sum is a
 * replica-year never written, a negative count or an infinite distance a damaged or doctored
 * file, and either would pass into merged files and claims. */
static fleet_status_t check_domain(const fleet_h5_reader_t *r, int k, int64_t replica, int64_t year,
                                   const double *row, fleet_error_t *err) {
  const fleet_dataset_spec_t *spec = &fleet_datasets[k];
  const int64_t n = fleet_dataset_row_length(spec, &r->dims);
  for (int64_t i = 0; i < n; i++)
    if (!fleet_domain_holds(spec->domain, row[i])) {
      if (isnan(row[i]))
        return fleet_error_set(err, FLEET_ERR_INPUT,
                               "%s: %s holds NaN at replica offset %" PRId64 ", year %" PRId64 " (element %" PRId64
                               "): that replica-year was never written (an interrupted or damaged file)", r->path,
                               spec->path, replica, year, i);
      return fleet_error_set(err, FLEET_ERR_INPUT,
                             "%s: %s holds %g at replica offset %" PRId64 ", year %" PRId64 " (element %" PRId64
                             "), must be %s: the file is damaged or was altered", r->path, spec->path, row[i], replica,
                             year, i, fleet_domain_names[spec->domain]);
    }
  return FLEET_OK;
}

/* The root attributes and the region coordinate that the scenario determines must say what
 * /scenario (whose text its sha256 attribute already vouches for) says: otherwise merge and
 * summary would trust edited attributes over the hashed text. The text must also be fleetmc's
 * resolved form of itself, and model_sha256 its hash with the replica range 1, 0. */
static fleet_status_t check_against_scenario(fleet_h5_reader_t *r, fleet_error_t *err) {
  const fleet_h5_file_info_t *info = &r->info;
  fleet_params_t *p = malloc(sizeof *p);
  if (!p) return fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory for its scenario", r->path);
  fleet_error_t why;
  char name[512];
  snprintf(name, sizeof name, "%s: /scenario", r->path);
  fleet_status_t status = fleet_scenario_parse_text(name, info->scenario_text, p, &why);
  if (status != FLEET_OK) {
    free(p);
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s", why.message);
  }
  char *formatted = fleet_scenario_format(p);
  char model[65];
  if (!formatted || fleet_model_sha256(p, model, err) != FLEET_OK) {
    free(formatted);
    free(p);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory formatting its scenario", r->path);
  }
  const struct {
    const char *attribute, *key;
    double stored, scenario;
  } pairs[] = {{"seed", "simulation.seed", (double)info->seed, (double)p->seed},
               {"first_replica", "simulation.first_replica", (double)info->first_replica, (double)p->first_replica},
               {"replicas", "simulation.replicas", (double)info->replicas, (double)p->replicas},
               {"years", "simulation.years", (double)info->years, (double)p->years},
               {"first_year", "simulation.first_year", (double)info->first_year, (double)p->first_year},
               {"vehicles", "fleet.vehicles", (double)info->vehicles, (double)p->vehicles},
               {"discount_rate", "state.discount_rate", info->discount_rate, p->discount_rate},
               {"lease_years", "state.lease_years", (double)info->lease_years, (double)p->lease_years},
               {"region count", "regions", (double)info->region_count, (double)p->region_count}};
  r->scenario_price_paths = p->price_paths_per_replica;
  if (strcmp(formatted, info->scenario_text) != 0)
    status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: /scenario is not in the form fleetmc writes: the file was "
                             "altered", r->path);
  else if (info->seed != p->seed)
    status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: root attribute seed is %" PRIu64 " but /scenario says "
                             "simulation.seed: %" PRIu64 ": the file was altered", r->path, info->seed, p->seed);
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0] && status == FLEET_OK; i++)
    if (pairs[i].stored != pairs[i].scenario)
      status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: root attribute %s is %.17g but /scenario says %s: %.17g: the "
                               "file was altered", r->path, pairs[i].attribute, pairs[i].stored, pairs[i].key,
                               pairs[i].scenario);
  for (int g = 0; g < info->region_count && status == FLEET_OK; g++)
    if (strcmp(info->region_names[g], p->regions[g].name) != 0)
      status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: region %d of the region coordinate is '%s' but /scenario "
                               "names '%s': the file was altered", r->path, g, info->region_names[g], p->regions[g].name);
  if (status == FLEET_OK && strcmp(model, info->model_sha256) != 0)
    status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: root attribute model_sha256 is %.12s... but /scenario hashes "
                             "to %.12s...: the file was altered", r->path, info->model_sha256, model);
  free(formatted);
  free(p);
  return status;
}

static fleet_status_t read_file(fleet_h5_reader_t *r, fleet_error_t *err) {
  hid_t root = H5Gopen2(r->file, "/", H5P_DEFAULT);
  if (root < 0) return fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot open group /", r->path);
  fleet_status_t status = read_root(r, root, err);
  if (H5Gclose(root) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot close group /", r->path);
  if (status == FLEET_OK) status = read_scenario(r, err);
  if (status == FLEET_OK) status = read_regions(r, err);
  if (status == FLEET_OK) status = check_against_scenario(r, err);
  if (status == FLEET_OK) status = read_paths(r, err);
  for (int k = 0; k < FLEET_DS_COUNT && status == FLEET_OK; k++) status = open_dataset(r, k, err);
  if (status == FLEET_OK) status = check_coordinates(r, err);
  /* the run's values, which merge combines by the table's rule */
  for (int k = 0; k < FLEET_DS_COUNT && status == FLEET_OK; k++)
    if (fleet_datasets[k].source == FLEET_FROM_RUN) {
      double *value = fleet_dataset_row(&fleet_datasets[k], NULL, NULL, &r->info.runtime);
      status = read_row(r, k, 0, 0, value, err);
      if (status == FLEET_OK && !fleet_domain_holds(fleet_datasets[k].domain, *value))
        status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: %s is %g, must be %s", r->path, fleet_datasets[k].path,
                                 *value, fleet_domain_names[fleet_datasets[k].domain]);
      char stored[80], computed[65];
      if (status == FLEET_OK)
        status = read_string_attr(r->path, r->dsets[k], fleet_datasets[k].path, "sha256", stored, sizeof stored, err);
      fleet_scalar_sha256(fleet_datasets[k].type, *value, computed);
      if (status == FLEET_OK && strcmp(stored, computed) != 0)
        status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: %s = %g does not match its sha256 attribute: the file was "
                                 "altered", r->path, fleet_datasets[k].path, *value);
    }
  return status;
}

void fleet_h5_file_info_free(fleet_h5_file_info_t *info) {
  if (!info) return;
  for (int k = 0; k < FLEET_ROOT_ATTR_COUNT; k++)
    if (fleet_root_attrs[k].kind == FLEET_ATTR_STRING) {
      char **field = (char **)((char *)info + info_offsets[k]);
      free(*field);
      *field = NULL;
    }
  free(info->scenario_text);
  info->scenario_text = NULL;
}

fleet_status_t fleet_h5_close(fleet_h5_reader_t *reader, fleet_error_t *err) {
  if (!reader) return FLEET_OK;
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  fleet_status_t status = FLEET_OK;
  for (int k = 0; k < FLEET_DS_COUNT; k++)
    if (reader->dsets[k] >= 0 && H5Dclose(reader->dsets[k]) < 0 && status == FLEET_OK)
      status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot close dataset %s", reader->path, fleet_datasets[k].path);
  if (reader->file >= 0 && H5Fclose(reader->file) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot close the file", reader->path);
  fleet_h5_quiet_end(&quiet);
  fleet_h5_file_info_free(&reader->info);
  free(reader->path);
  free(reader);
  return status;
}

/* Opens and checks the file in this process (fleet_h5_open first reads it all in a child). */
static fleet_status_t open_here(const char *path, fleet_h5_reader_t **out, fleet_error_t *err) {
  *out = NULL;
  fleet_status_t status = check_readable(path, err);
  if (status != FLEET_OK) return status;
  fleet_h5_reader_t *r = calloc(1, sizeof *r);
  if (!r || !(r->path = strdup(path))) {
    free(r);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory opening it", path);
  }
  r->file = -1;
  for (int k = 0; k < FLEET_DS_COUNT; k++) r->dsets[k] = -1;

  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  htri_t is_hdf5 = H5Fis_hdf5(path);
  hid_t fapl = -1;
  if (is_hdf5 < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_IO, "%s: cannot read", path);
  } else if (is_hdf5 == 0) {
    status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: not an HDF5 file, so not a fleetmc result file", path);
  } else if ((fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0 ||
             /* each chunk is read once a pass: a small cache per dataset, so that memory does not
              * grow with the file (HDF5's default, 1 MiB per dataset, fills with larger files) */
             H5Pset_cache(fapl, 0, 101, FLEET_H5_CHUNK_CACHE_BYTES, 1.0) < 0 || fleet_h5_bound_metadata_cache(fapl) < 0) {
    /* STRONG: closing the file closes whatever a failure path left open in it */
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot set file access properties", path);
  } else if ((r->file = H5Fopen(path, H5F_ACC_RDONLY, fapl)) < 0) {
    /* it has the HDF5 signature but its structure cannot be read: a damaged or truncated file */
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: corrupt HDF5 file, cannot be opened", path);
  }
  if (fapl >= 0 && H5Pclose(fapl) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot close file access properties", path);
  if (status == FLEET_OK) status = read_file(r, err);
  fleet_h5_quiet_end(&quiet);
  if (status != FLEET_OK) {
    fleet_h5_close(r, NULL);
    return status;
  }
  *out = r;
  return FLEET_OK;
}

/* What the child of read_isolated tells its parent: a heartbeat byte after the open and after
 * each replica-year, then REPORT_MARK and the report. */
typedef struct {
  fleet_status_t status;
  char message[FLEET_ERROR_MESSAGE_MAX];
} child_report_t;
enum { HEARTBEAT = '.', REPORT_MARK = 'R' };

static void write_all(int fd, const void *data, size_t size) {
  for (size_t done = 0; done < size;) {
    const ssize_t n = write(fd, (const char *)data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += (size_t)n;
  }
}

/* The child: open, read every replica-year with every check, report. */
static void isolated_child(const char *path, int fd) {
  child_report_t report;
  memset(&report, 0, sizeof report);
  fleet_error_t child_err;
  fleet_error_clear(&child_err);
  fleet_h5_reader_t *r = NULL;
  fleet_year_totals_t *totals = malloc(sizeof *totals);
  const char beat = HEARTBEAT;
  report.status = totals ? open_here(path, &r, &child_err)
                         : fleet_error_set(&child_err, FLEET_ERR_NOMEM, "%s: out of memory checking it", path);
  write_all(fd, &beat, 1);
  for (int64_t k = 0; r && report.status == FLEET_OK && k < r->info.replicas; k++)
    for (int64_t y = 0; report.status == FLEET_OK && y < r->info.years; y++) {
      report.status = fleet_h5_read_year(r, k, y, totals, &child_err);
      write_all(fd, &beat, 1);
    }
  if (r && report.status == FLEET_OK) report.status = fleet_h5_close(r, &child_err);
  snprintf(report.message, sizeof report.message, "%s", child_err.message);
  const char mark = REPORT_MARK;
  write_all(fd, &mark, 1);
  write_all(fd, &report, sizeof report);
}

/* Seconds the child may go without a heartbeat before it is taken to loop in libhdf5: an open
 * or a replica-year's read takes milliseconds, and a loop on damaged metadata never ends. The
 * environment variable FLEETMC_READ_STALL_SECONDS (1 to 3600) sets another limit, for slow
 * network filesystems or for tests. */
static int stall_limit_ms(void) {
  const char *text = getenv("FLEETMC_READ_STALL_SECONDS");
  char *end = NULL;
  const long seconds = text ? strtol(text, &end, 10) : 0;
  return text && end && !*end && seconds >= 1 && seconds <= 3600 ? (int)seconds * 1000 : 30 * 1000;
}

/* Opens the file and reads every replica-year of it, with every check, in a child process, and
 * returns what that gave. libhdf5 trusts a file's metadata: crafted or damaged metadata can make
 * it crash or loop forever in its own code, where no check of ours can stand. In a child such a
 * crash costs the child, and a loop is ended when the child stops reporting progress; the parent
 * reports the file as damaged (exit 2) and never touches it. A file the child read to the end
 * without failing, the parent can read too. The child leaves with _exit: HDF5's exit-time
 * clean-up of a half-open damaged file is one of those crashes. */
static fleet_status_t read_isolated(const char *path, fleet_error_t *err) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0)
    return fleet_error_set(err, FLEET_ERR_IO, "%s: cannot create a pipe to check it: %s", path, strerror(errno));
  fflush(NULL); /* nothing buffered twice */
  const pid_t child = fork();
  if (child < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return fleet_error_set(err, FLEET_ERR_IO, "%s: cannot fork to check it: %s", path, strerror(errno));
  }
  if (child == 0) {
    close(pipe_fds[0]);
    /* what the child meets is told through the report; a sanitizer's account of a libhdf5
     * crash would only bury the one line that matters */
    const int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, STDERR_FILENO);
    isolated_child(path, pipe_fds[1]);
    _exit(0);
  }
  close(pipe_fds[1]);
  const int limit_ms = stall_limit_ms();
  child_report_t report;
  size_t got = 0;
  int reporting = 0, stalled = 0;
  while (!reporting || got < sizeof report) {
    struct pollfd waiting = {.fd = pipe_fds[0], .events = POLLIN};
    const int ready = poll(&waiting, 1, limit_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      stalled = 1;
      break;
    }
    char buffer[256];
    const ssize_t n = ready > 0 ? read(pipe_fds[0], reporting ? (char *)&report + got : buffer,
                                       reporting ? sizeof report - got : 1)
                                : -1;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; /* the child is gone */
    if (reporting) got += (size_t)n;
    else if (buffer[0] == REPORT_MARK) reporting = 1;
  }
  close(pipe_fds[0]);
  if (stalled) kill(child, SIGKILL);
  int wstatus = 0;
  while (waitpid(child, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (stalled)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: damaged beyond reading: libhdf5 made no progress on it for %d s "
                           "(FLEETMC_READ_STALL_SECONDS)", path, limit_ms / 1000);
  if (WIFSIGNALED(wstatus))
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: damaged beyond reading: libhdf5 crashed on it (signal %d, %s)",
                           path, WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
  if (got != sizeof report)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: damaged beyond reading: checking it ended without a report",
                           path);
  if (report.status != FLEET_OK) {
    report.message[sizeof report.message - 1] = '\0';
    return fleet_error_set(err, report.status, "%s", report.message);
  }
  return FLEET_OK;
}

fleet_status_t fleet_h5_open(const char *path, fleet_h5_reader_t **out, fleet_error_t *err) {
  if (!out || !path) return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_open: path and out must not be NULL");
  *out = NULL;
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  /* the fuzzer must see the reading's coverage, which would die with a child process */
  return open_here(path, out, err);
#else
  fleet_status_t status = read_isolated(path, err);
  return status == FLEET_OK ? open_here(path, out, err) : status;
#endif
}

const fleet_h5_file_info_t *fleet_h5_reader_info(const fleet_h5_reader_t *reader) { return &reader->info; }

fleet_status_t fleet_h5_read_year(fleet_h5_reader_t *reader, int64_t replica_offset, int64_t year,
                                  fleet_year_totals_t *totals, fleet_error_t *err) {
  if (!reader || !totals)
    return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_read_year: reader and totals must not be NULL");
  if (replica_offset < 0 || replica_offset >= reader->info.replicas || year < 0 || year >= reader->info.years)
    return fleet_error_set(err, FLEET_ERR_USAGE, "%s: cannot read replica offset %" PRId64 ", year %" PRId64
                           ": the file holds [0, %" PRId64 ") x [0, %" PRId64 ")", reader->path, replica_offset, year,
                           reader->info.replicas, reader->info.years);
  memset(totals, 0, sizeof *totals);
  fleet_status_t status = FLEET_OK;
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  for (int k = 0; k < FLEET_DS_COUNT && status == FLEET_OK; k++)
    if (fleet_datasets[k].source == FLEET_FROM_YEAR) {
      double *row = fleet_dataset_row(&fleet_datasets[k], totals, NULL, NULL);
      status = read_row(reader, k, replica_offset, year, row, err);
      if (status == FLEET_OK) status = check_domain(reader, k, replica_offset, year, row, err);
    }
  fleet_h5_quiet_end(&quiet);
  return status;
}

fleet_status_t fleet_h5_read_info(const char *path, fleet_h5_file_info_t *info, fleet_error_t *err) {
  memset(info, 0, sizeof *info);
  fleet_h5_reader_t *r = NULL;
  fleet_status_t status = fleet_h5_open(path, &r, err);
  if (status != FLEET_OK) return status;
  *info = r->info;
  memset(&r->info, 0, sizeof r->info); /* ownership of the strings moves to info */
  status = fleet_h5_close(r, err);
  if (status != FLEET_OK) fleet_h5_file_info_free(info);
  return status;
}

/* ---- /parameters -------------------------------------------------------------------------- */

void fleet_h5_parameters_free(fleet_h5_parameters_t *parameters) {
  if (!parameters) return;
  free(parameters->values);
  parameters->values = NULL;
  parameters->count = 0;
}

/* The group's attribute keys: a 1-D list of 1 to FLEET_MAX_SAMPLED variable-length strings. */
static fleet_status_t read_parameter_keys(const char *file, hid_t group, fleet_h5_parameters_t *out,
                                          fleet_error_t *err) {
  hid_t attr, type, space;
  fleet_status_t status = open_attr(file, group, "/parameters", "keys", &attr, &type, &space, err);
  if (status != FLEET_OK) return status;
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  char *names[FLEET_MAX_SAMPLED] = {NULL};
  if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) <= 0 || n < 1 || n > FLEET_MAX_SAMPLED ||
      H5Sget_simple_extent_ndims(space) != 1)
    status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute keys of /parameters is not a list of 1 to %d "
                             "strings", file, FLEET_MAX_SAMPLED);
  else if (H5Aread(attr, type, names) < 0)
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot read attribute keys of /parameters", file);
  for (hssize_t i = 0; status == FLEET_OK && i < n; i++) {
    if (!names[i] || !names[i][0] || strlen(names[i]) >= FLEET_SAMPLED_KEY_MAX || strchr(names[i], '/'))
      status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: /parameters lists a key that no scenario has", file);
    else
      snprintf(out->key[i], sizeof out->key[i], "%s", names[i]);
  }
  if (status == FLEET_OK) out->count = (int)n;
  for (hssize_t i = 0; i < n && i < FLEET_MAX_SAMPLED; i++)
    if (names[i]) H5free_memory(names[i]);
  return close_attr(file, "/parameters", "keys", attr, type, space, status, err);
}

fleet_status_t fleet_h5_read_parameters(fleet_h5_reader_t *reader, fleet_h5_parameters_t *out, fleet_error_t *err) {
  memset(out, 0, sizeof *out);
  if (!reader) return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_read_parameters: no reader");
  const char *file = reader->path;
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  fleet_status_t status = FLEET_OK;
  const htri_t exists = H5Lexists(reader->file, "parameters", H5P_DEFAULT);
  hid_t group = -1;
  if (exists < 0)
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot look for /parameters", file);
  else if (exists > 0 && (group = H5Gopen2(reader->file, "parameters", H5P_DEFAULT)) < 0)
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: /parameters is not a group", file);
  if (status == FLEET_OK && group >= 0) status = read_parameter_keys(file, group, out, err);
  const int64_t replicas = reader->info.replicas;
  out->replicas = replicas;
  double *column = NULL;
  if (status == FLEET_OK && out->count) {
    out->values = malloc((size_t)replicas * (size_t)out->count * sizeof *out->values);
    column = malloc((size_t)replicas * sizeof *column);
    if (!out->values || !column)
      status = fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory for /parameters", file);
  }
  for (int i = 0; status == FLEET_OK && i < out->count; i++) {
    char path[FLEET_SAMPLED_KEY_MAX + 16];
    snprintf(path, sizeof path, "/parameters/%s", out->key[i]);
    hid_t dset = H5Dopen2(group, out->key[i], H5P_DEFAULT), space = -1, type = -1;
    hsize_t dims[2] = {0, 0};
    if (dset < 0) {
      status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: %s is missing", file, path);
    } else if ((space = H5Dget_space(dset)) < 0 || (type = H5Dget_type(dset)) < 0 ||
               H5Sget_simple_extent_ndims(space) != 1 || H5Sget_simple_extent_dims(space, dims, NULL) != 1 ||
               dims[0] != (hsize_t)replicas || H5Tget_class(type) != H5T_FLOAT) {
      status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: %s is not a float dataset of shape [%" PRId64 "]", file,
                               path, replicas);
    } else if (H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, column) < 0) {
      status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: cannot read %s (damaged?)", file, path);
    }
    if (status == FLEET_OK) status = read_string_attr(file, dset, path, "units", out->units[i], sizeof out->units[i], err);
    if (status == FLEET_OK)
      status = read_string_attr(file, dset, path, "distribution", out->distribution[i], sizeof out->distribution[i], err);
    for (int64_t r = 0; status == FLEET_OK && r < replicas; r++) {
      if (!isfinite(column[r]))
        status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: %s element %" PRId64 " is %g, must be finite", file, path,
                                 r, column[r]);
      else
        out->values[r * out->count + i] = column[r];
    }
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    if (dset >= 0) H5Dclose(dset);
  }
  free(column);
  if (group >= 0) H5Gclose(group);
  fleet_h5_quiet_end(&quiet);
  if (status != FLEET_OK) fleet_h5_parameters_free(out);
  return status;
}
