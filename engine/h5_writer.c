/* h5_writer.c: the HDF5 result file, laid out by the tables of schema.h.
 *
 * Layout for netCDF-4 and xarray: each group holds a dimension scale (H5DSset_scale) per axis its
 * datasets use, named after the axis and holding its coordinate values, and every dataset axis is
 * attached to one (H5DSattach_scale); so `xarray.open_dataset(f, group=G)` works with the h5netcdf
 * and netCDF4 engines and shows named dimensions and coordinates, never phony_dim. Histogram axes
 * carry their bins' lower edges and a CF bounds variable.
 *
 * On-disk types are fixed (little-endian IEEE doubles and integers, variable-length UTF-8
 * strings) so a file reads the same on any machine. Unwritten float values read as NaN, declared
 * as _FillValue, so a replica-year never written cannot pass for 0.
 *
 * HDF5's automatic error printing is off for the duration of each public call (h5_util.h);
 * failures come back through fleet_error_t with HDF5's innermost message. Serial HDF5 is not
 * thread-safe: call these functions from one thread at a time. */
#define _GNU_SOURCE /* renameat2 and RENAME_NOREPLACE */

#include "h5_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "build_info.h"
#include "h5_util.h"
#include "params.h"
#include "version.h"

struct fleet_h5_writer {
  char *path;     /* final path */
  char *tmp_path; /* "<path>.tmp.<pid>", written until commit */
  int overwrite;
  hid_t file;
  hid_t dsets[FLEET_DS_COUNT];
  int param_count;                    /* /parameters' datasets, open for the writes */
  hid_t param_dsets[FLEET_MAX_SAMPLED];
  int64_t first_replica;
  fleet_schema_dims_t dims;
  double discount_rate;
  int64_t lease_years;
  /* The replica whose years are being written, for its derived datasets: memory does not grow
   * with the replicas (a merge of files that claim billions of them included). */
  int64_t replica_in_progress;          /* -1: none */
  int64_t years_written;                /* of it */
  unsigned char written[FLEET_MAX_YEARS]; /* its years written */
  double net_eur[FLEET_MAX_YEARS];      /* its ledger net by year */
};

/* ---- attributes --------------------------------------------------------------------------- */

/* count 0: a scalar attribute; otherwise a 1-D one of count elements. */
static void write_attr(fleet_h5_check_t *c, const char *file, hid_t obj, const char *obj_path, const char *name,
                       hid_t file_type, hid_t mem_type, hsize_t count, const void *buf) {
  hid_t space = -1, attr = -1;
  if (fleet_h5_check(c, space = count ? H5Screate_simple(1, &count, NULL) : H5Screate(H5S_SCALAR), FLEET_ERR_HDF5,
                     "cannot create the dataspace of attribute %s of %s in %s", name, obj_path, file) &&
      fleet_h5_check(c, attr = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT), FLEET_ERR_HDF5,
                     "cannot create attribute %s of %s in %s", name, obj_path, file))
    fleet_h5_check(c, H5Awrite(attr, mem_type, buf), FLEET_ERR_HDF5, "cannot write attribute %s of %s in %s", name,
                   obj_path, file);
  if (attr >= 0)
    fleet_h5_check(c, H5Aclose(attr), FLEET_ERR_HDF5, "cannot close attribute %s of %s in %s", name, obj_path, file);
  if (space >= 0)
    fleet_h5_check(c, H5Sclose(space), FLEET_ERR_HDF5, "cannot close a dataspace of %s in %s", obj_path, file);
}

static void write_attr_strings(fleet_h5_check_t *c, const char *file, hid_t obj, const char *obj_path,
                               const char *name, hsize_t count, const char *const *values) {
  hid_t type = fleet_h5_string_type();
  if (fleet_h5_check(c, type, FLEET_ERR_HDF5, "cannot create the string type of %s in %s", obj_path, file))
    write_attr(c, file, obj, obj_path, name, type, type, count, values);
  if (type >= 0) H5Tclose(type);
}

static void write_attr_string(fleet_h5_check_t *c, const char *file, hid_t obj, const char *obj_path,
                              const char *name, const char *value) {
  write_attr_strings(c, file, obj, obj_path, name, 0, &value);
}

/* ---- datasets ----------------------------------------------------------------------------- */

/* A dataset at its full size. Numeric datasets of rank >= 1 are chunked (chunk NULL: one chunk
 * of the whole) and carry HDF5's Fletcher32 checksum, which every read verifies, so altered or
 * damaged data bytes are refused rather than summarised; float ones are filled with NaN.
 * Strings and scalars cannot take the filter: their text or value is hashed instead (/scenario's
 * and /runtime's sha256 attributes). */
static hid_t create_dataset(fleet_h5_check_t *c, const char *file, hid_t loc, const char *path, hid_t type,
                            int rank, const hsize_t *dims, const hsize_t *chunk) {
  hid_t space = -1, dcpl = -1, dset = -1;
  const double fill = NAN;
  const H5T_class_t cls = H5Tget_class(type);
  const int is_float = cls == H5T_FLOAT, checksummed = rank > 0 && (cls == H5T_FLOAT || cls == H5T_INTEGER);
  int empty = 0;
  for (int i = 0; i < rank; i++) empty |= dims[i] == 0;
  if (fleet_h5_check(c, space = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR), FLEET_ERR_HDF5,
                     "cannot create the dataspace of %s in %s", path, file) &&
      fleet_h5_check(c, dcpl = H5Pcreate(H5P_DATASET_CREATE), FLEET_ERR_HDF5,
                     "cannot create the properties of %s in %s", path, file) &&
      fleet_h5_check(c, checksummed && !empty ? H5Pset_chunk(dcpl, rank, chunk ? chunk : dims) : 0, FLEET_ERR_HDF5,
                     "cannot chunk %s in %s", path, file) &&
      fleet_h5_check(c, checksummed && !empty ? H5Pset_fletcher32(dcpl) : 0, FLEET_ERR_HDF5,
                     "cannot add a checksum to %s in %s", path, file) &&
      fleet_h5_check(c, is_float ? H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &fill) : 0, FLEET_ERR_HDF5,
                     "cannot set the fill value of %s in %s", path, file))
    fleet_h5_check(c, dset = H5Dcreate2(loc, path, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), FLEET_ERR_HDF5,
                   "cannot create dataset %s in %s", path, file);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (space >= 0) H5Sclose(space);
  return dset;
}

/* Writes a whole dataset from buf (memory type mem_type) and its attributes, and closes it. */
static void write_whole(fleet_h5_check_t *c, const char *file, hid_t dset, const char *path, hid_t mem_type,
                        const void *buf) {
  if (dset < 0) return;
  fleet_h5_check(c, H5Dwrite(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), FLEET_ERR_HDF5,
                 "cannot write dataset %s in %s", path, file);
}

static void close_dataset(fleet_h5_check_t *c, const char *file, hid_t dset, const char *path) {
  if (dset >= 0) fleet_h5_check(c, H5Dclose(dset), FLEET_ERR_HDF5, "cannot close dataset %s in %s", path, file);
}

/* The time axis' units: CF's "hours since" the first year's 1 January, in the model's clock. */
static void time_units(int64_t first_year, char *out, size_t size) {
  snprintf(out, size, "hours since %04" PRId64 "-01-01 00:00:00", first_year);
}

/* Creates the coordinate dataset (a dimension scale) of axis a in group, at path, and writes
 * its values. Returns it open (the caller attaches it and closes it), or -1. */
static hid_t create_scale(fleet_h5_check_t *c, const char *file, hid_t group, const char *group_path,
                          fleet_axis_t a, const fleet_run_info_t *info, const fleet_schema_dims_t *dims) {
  const fleet_axis_spec_t *axis = &fleet_axes[a];
  const hsize_t n = (hsize_t)fleet_axis_length(a, dims);
  char path[128];
  snprintf(path, sizeof path, "%s/%s", group_path, axis->name);
  const int strings = axis->kind == FLEET_AXIS_KIND_REGION || axis->kind == FLEET_AXIS_KIND_LABELS;
  const int floats = axis->kind == FLEET_AXIS_KIND_BINS;
  hid_t string_type = strings ? fleet_h5_string_type() : -1;
  if (strings && !fleet_h5_check(c, string_type, FLEET_ERR_HDF5, "cannot create a string type in %s", file))
    return -1;
  hid_t type = strings ? string_type : floats ? H5T_IEEE_F64LE : H5T_STD_I64LE;
  hid_t dset = create_dataset(c, file, group, axis->name, type, 1, &n, NULL);
  int64_t *ints = !strings && !floats ? malloc(n * sizeof *ints) : NULL;
  double *edges = floats ? malloc(n * sizeof *edges) : NULL;
  if (dset >= 0 && ((!strings && !floats && !ints) || (floats && !edges)) && c->status == FLEET_OK)
    c->status = fleet_error_set(c->err, FLEET_ERR_NOMEM, "out of memory for the coordinates of %s in %s", path, file);
  for (hsize_t i = 0; ints && i < n; i++)
    ints[i] = axis->kind == FLEET_AXIS_KIND_REPLICA ? info->first_replica + (int64_t)i
              : axis->kind == FLEET_AXIS_KIND_YEAR  ? info->first_year + (int64_t)i
                                                    : (int64_t)i;
  for (hsize_t i = 0; edges && i < n; i++) edges[i] = axis->edge((int)i);
  if (c->status == FLEET_OK) {
    if (strings) write_whole(c, file, dset, path, string_type,
                             axis->kind == FLEET_AXIS_KIND_REGION ? (const void *)info->region_names : axis->labels);
    else if (floats) write_whole(c, file, dset, path, H5T_NATIVE_DOUBLE, edges);
    else write_whole(c, file, dset, path, H5T_NATIVE_INT64, ints);
  }
  free(ints);
  free(edges);
  if (string_type >= 0) H5Tclose(string_type);
  if (dset < 0 || c->status != FLEET_OK) {
    if (dset >= 0) H5Dclose(dset);
    return -1;
  }
  fleet_h5_check(c, H5DSset_scale(dset, axis->name), FLEET_ERR_HDF5, "cannot make %s a dimension scale in %s", path,
                 file);
  write_attr_string(c, file, dset, path, "long_name", axis->long_name);
  if (axis->kind == FLEET_AXIS_KIND_TIME) {
    char units[64];
    time_units(info->first_year, units, sizeof units);
    write_attr_string(c, file, dset, path, "units", units);
    write_attr_string(c, file, dset, path, "calendar", "noleap"); /* the model's years have 365 days */
    write_attr_string(c, file, dset, path, "standard_name", "time");
    write_attr_string(c, file, dset, path, "clock", "local standard time, UTC+1, no daylight saving");
  } else if (axis->units) {
    write_attr_string(c, file, dset, path, "units", axis->units);
  }
  if (axis->kind == FLEET_AXIS_KIND_BINS) {
    char bounds[96];
    snprintf(bounds, sizeof bounds, "%s_bounds", axis->name);
    write_attr_string(c, file, dset, path, "bounds", bounds);
  }
  if (c->status != FLEET_OK) {
    H5Dclose(dset);
    return -1;
  }
  return dset;
}

static void attach(fleet_h5_check_t *c, const char *file, hid_t dset, const char *path, hid_t scale, unsigned axis) {
  fleet_h5_check(c, H5DSattach_scale(dset, scale, axis), FLEET_ERR_HDF5,
                 "cannot attach a dimension scale to axis %u of %s in %s", axis, path, file);
}

/* The CF bounds variable of a bin axis: [bins, bound] = [edge k, edge k + 1). */
static void write_bounds(fleet_h5_check_t *c, const char *file, hid_t group, const char *group_path, fleet_axis_t a,
                         hid_t scale, hid_t bound_scale) {
  const fleet_axis_spec_t *axis = &fleet_axes[a];
  char name[96], path[160];
  snprintf(name, sizeof name, "%s_bounds", axis->name);
  snprintf(path, sizeof path, "%s/%s", group_path, name);
  const hsize_t dims[2] = {(hsize_t)axis->length, 2};
  double *values = malloc((size_t)axis->length * 2 * sizeof *values);
  if (!values) {
    if (c->status == FLEET_OK)
      c->status = fleet_error_set(c->err, FLEET_ERR_NOMEM, "out of memory for %s in %s", path, file);
    return;
  }
  for (int k = 0; k < axis->length; k++) {
    values[2 * k] = axis->edge(k);
    values[2 * k + 1] = axis->edge(k + 1);
  }
  hid_t dset = create_dataset(c, file, group, name, H5T_IEEE_F64LE, 2, dims, NULL);
  write_whole(c, file, dset, path, H5T_NATIVE_DOUBLE, values);
  free(values);
  if (dset < 0) return;
  if (axis->units) write_attr_string(c, file, dset, path, "units", axis->units);
  write_attr_string(c, file, dset, path, "long_name", "lower and upper bounds of each bin");
  attach(c, file, dset, path, scale, 0);
  attach(c, file, dset, path, bound_scale, 1);
  close_dataset(c, file, dset, path);
}

/* One group: its coordinates, then its datasets (left open in w->dsets for the writes). */
static void build_group(fleet_h5_check_t *c, fleet_h5_writer_t *w, const char *group_name,
                        const fleet_run_info_t *info) {
  const char *file = w->tmp_path;
  char group_path[64];
  snprintf(group_path, sizeof group_path, "/%s", group_name);
  hid_t group = -1;
  if (!fleet_h5_check(c, group = H5Gcreate2(w->file, group_path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                      FLEET_ERR_HDF5, "cannot create group %s in %s", group_path, file))
    return;
  int used[FLEET_AXIS_COUNT] = {0};
  for (int k = 0; k < FLEET_DS_COUNT; k++)
    if (strcmp(fleet_datasets[k].group, group_name) == 0)
      for (int i = 0; i < fleet_datasets[k].rank; i++) {
        used[fleet_datasets[k].axes[i]] = 1;
        if (fleet_axes[fleet_datasets[k].axes[i]].kind == FLEET_AXIS_KIND_BINS) used[FLEET_AXIS_BOUND] = 1;
      }
  hid_t scales[FLEET_AXIS_COUNT];
  for (int a = 0; a < FLEET_AXIS_COUNT; a++)
    scales[a] = used[a] && c->status == FLEET_OK ? create_scale(c, file, group, group_path, a, info, &w->dims) : -1;
  for (int a = 0; a < FLEET_AXIS_COUNT; a++)
    if (used[a] && fleet_axes[a].kind == FLEET_AXIS_KIND_BINS && c->status == FLEET_OK)
      write_bounds(c, file, group, group_path, a, scales[a], scales[FLEET_AXIS_BOUND]);

  for (int k = 0; k < FLEET_DS_COUNT && c->status == FLEET_OK; k++) {
    const fleet_dataset_spec_t *spec = &fleet_datasets[k];
    if (strcmp(spec->group, group_name) != 0) continue;
    hsize_t dims[3], chunk[3];
    for (int i = 0; i < spec->rank; i++) {
      dims[i] = (hsize_t)fleet_axis_length(spec->axes[i], &w->dims);
      chunk[i] = spec->axes[i] == FLEET_AXIS_REPLICA || spec->axes[i] == FLEET_AXIS_YEAR ? 1 : dims[i];
    }
    /* a chunk per replica-year for the long rows (hours, account bins), so that HDF5 fills and
     * writes only the rows written; a chunk per replica for the short ones */
    const int long_rows = spec->rank == 3 && dims[2] >= 1000;
    if (!long_rows && spec->rank >= 2) chunk[1] = dims[1];
    const hid_t type = spec->type == FLEET_TYPE_F64 ? H5T_IEEE_F64LE : H5T_STD_I64LE;
    hid_t dset = w->dsets[k] = create_dataset(c, file, group, spec->name, type, spec->rank, dims, chunk);
    if (dset < 0) break;
    write_attr_string(c, file, dset, spec->path, "units", spec->units);
    write_attr_string(c, file, dset, spec->path, "long_name", spec->long_name);
    write_attr_string(c, file, dset, spec->path, "description", spec->description);
    if (spec->type == FLEET_TYPE_F64) {
      const double fill = NAN; /* netCDF's name for the HDF5 fill value: "no value written" */
      write_attr(c, file, dset, spec->path, "_FillValue", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &fill);
    }
    for (int i = 0; i < spec->rank; i++) attach(c, file, dset, spec->path, scales[spec->axes[i]], (unsigned)i);
  }
  for (int a = 0; a < FLEET_AXIS_COUNT; a++) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", group_path, fleet_axes[a].name);
    close_dataset(c, file, scales[a], path);
  }
  fleet_h5_check(c, H5Gclose(group), FLEET_ERR_HDF5, "cannot close group %s in %s", group_path, file);
}

static void write_scenario(fleet_h5_check_t *c, const char *file, hid_t loc, const fleet_run_info_t *info) {
  const char *path = "/scenario";
  hid_t type = fleet_h5_string_type();
  if (!fleet_h5_check(c, type, FLEET_ERR_HDF5, "cannot create a string type in %s", file)) return;
  hid_t dset = create_dataset(c, file, loc, path, type, 0, NULL, NULL);
  write_whole(c, file, dset, path, type, &info->scenario_text);
  if (dset >= 0) {
    write_attr_string(c, file, dset, path, "sha256", info->scenario_sha256);
    write_attr_string(c, file, dset, path, "long_name", "resolved scenario");
    write_attr_string(c, file, dset, path, "description",
                      "the run's scenario as YAML, every key resolved; the attribute sha256 is the SHA-256 of "
                      "this text");
  }
  close_dataset(c, file, dset, path);
  H5Tclose(type);
}

static void write_root_attrs(fleet_h5_check_t *c, const char *file, hid_t root, const fleet_run_info_t *given) {
  char created[32];
  time_t now = time(NULL);
  struct tm utc;
  if (now == (time_t)-1 || !gmtime_r(&now, &utc) ||
      strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0) {
    c->status = fleet_error_set(c->err, FLEET_ERR_IO, "cannot read the clock for attribute created of / in %s", file);
    return;
  }
  fleet_run_info_t info = *given;
  info.fleetmc_version = FLEETMC_VERSION;
  info.git_commit = fleet_build_git_commit;
  info.created = created;
  if (!info.stopped_by) info.stopped_by = "";
  write_attr_string(c, file, root, "/", "filetype", "fleetmc");
  const int32_t format_version = FLEETMC_FORMAT_VERSION;
  write_attr(c, file, root, "/", "format_version", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, &format_version);
  char digest[65];
  fleet_root_attrs_sha256(&info, digest);
  write_attr_string(c, file, root, "/", "attributes_sha256", digest);
  for (int k = 0; k < FLEET_ROOT_ATTR_COUNT; k++) {
    const fleet_root_attr_spec_t *a = &fleet_root_attrs[k];
    const void *field = (const char *)&info + a->info_offset;
    switch (a->kind) {
    case FLEET_ATTR_STRING: write_attr_string(c, file, root, "/", a->name, *(const char *const *)field); break;
    case FLEET_ATTR_U64: write_attr(c, file, root, "/", a->name, H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, field); break;
    case FLEET_ATTR_I64: write_attr(c, file, root, "/", a->name, H5T_STD_I64LE, H5T_NATIVE_INT64, 0, field); break;
    case FLEET_ATTR_F64: write_attr(c, file, root, "/", a->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, field); break;
    }
  }
}

/* Writes n doubles at start (rank values) of a dataset, as its on-disk type. */
static void write_row(fleet_h5_check_t *c, const fleet_h5_writer_t *w, int k, const hsize_t *start,
                      const double *data) {
  const fleet_dataset_spec_t *spec = &fleet_datasets[k];
  const char *file = w->tmp_path;
  hsize_t count[3], n = 1;
  for (int i = 0; i < spec->rank; i++) {
    const int leading = spec->axes[i] == FLEET_AXIS_REPLICA || spec->axes[i] == FLEET_AXIS_YEAR;
    count[i] = leading ? 1 : (hsize_t)fleet_axis_length(spec->axes[i], &w->dims);
    n *= count[i];
  }
  hid_t file_space = -1, mem_space = -1;
  if (fleet_h5_check(c, file_space = H5Dget_space(w->dsets[k]), FLEET_ERR_HDF5, "cannot get the dataspace of %s in %s",
                     spec->path, file) &&
      fleet_h5_check(c, spec->rank ? H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL) : 0,
                     FLEET_ERR_HDF5, "cannot select replica offset %llu of %s in %s",
                     (unsigned long long)(spec->rank ? start[0] : 0), spec->path, file) &&
      fleet_h5_check(c, mem_space = spec->rank ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR),
                     FLEET_ERR_HDF5, "cannot create a dataspace for %s in %s", spec->path, file))
    fleet_h5_check(c, H5Dwrite(w->dsets[k], H5T_NATIVE_DOUBLE, mem_space, file_space, H5P_DEFAULT, data),
                   FLEET_ERR_HDF5, "cannot write replica offset %llu of %s in %s",
                   (unsigned long long)(spec->rank ? start[0] : 0), spec->path, file);
  if (mem_space >= 0) H5Sclose(mem_space);
  if (file_space >= 0) H5Sclose(file_space);
}

/* ---- writer lifetime ---------------------------------------------------------------------- */

static void close_datasets(fleet_h5_check_t *c, fleet_h5_writer_t *w) {
  for (int k = 0; k < FLEET_DS_COUNT; k++) {
    if (w->dsets[k] >= 0 && H5Dclose(w->dsets[k]) < 0 && c)
      fleet_h5_check(c, -1, FLEET_ERR_HDF5, "cannot close dataset %s in %s", fleet_datasets[k].path, w->tmp_path);
    w->dsets[k] = -1;
  }
  for (int i = 0; i < w->param_count; i++) {
    if (w->param_dsets[i] >= 0 && H5Dclose(w->param_dsets[i]) < 0 && c)
      fleet_h5_check(c, -1, FLEET_ERR_HDF5, "cannot close a dataset of /parameters in %s", w->tmp_path);
    w->param_dsets[i] = -1;
  }
}

/* Closes whatever is open, removes the temporary file and frees the writer; errors ignored. */
static void destroy(fleet_h5_writer_t *w) {
  if (!w) return;
  close_datasets(NULL, w);
  if (w->file >= 0) H5Fclose(w->file); /* H5F_CLOSE_STRONG: closes any leftover too */
  if (w->tmp_path) unlink(w->tmp_path);
  free(w->tmp_path);
  free(w->path);
  free(w);
}

static int is_sha256_hex(const char *s) {
  if (!s) return 0;
  for (int i = 0; i < 64; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
  return s[64] == '\0';
}

static fleet_status_t check_info(const char *path, const fleet_run_info_t *info, fleet_error_t *err) {
  if (!path || !path[0]) return fleet_error_set(err, FLEET_ERR_USAGE, "cannot create result file: the path is empty");
  if (!info) return fleet_error_set(err, FLEET_ERR_USAGE, "cannot create result file %s: no run info given", path);
  if (!info->scenario_text || !info->command_line || !info->scenario_file)
    return fleet_error_set(err, FLEET_ERR_USAGE,
                           "cannot create result file %s: scenario text, command line and scenario file must be given",
                           path);
  if (!is_sha256_hex(info->scenario_sha256) || !is_sha256_hex(info->model_sha256))
    return fleet_error_set(err, FLEET_ERR_USAGE,
                           "cannot create result file %s: scenario sha256 and model_sha256 must be 64 lowercase hex "
                           "digits", path);
  const struct {
    const char *name;
    int64_t value, min, max;
  } ranges[] = {{"replicas", info->replicas, 1, INT64_MAX},
                {"first_replica", info->first_replica, 0, info->replicas >= 1 ? INT64_MAX - info->replicas : INT64_MAX},
                {"years", info->years, 1, FLEET_MAX_YEARS},
                {"vehicles", info->vehicles, 1, INT64_MAX},
                {"first_year", info->first_year, 1, 9999},
                {"lease_years", info->lease_years, 1, INT64_MAX},
                {"price_paths", info->price_paths, 1, FLEET_MAX_PRICE_PATHS}};
  for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
    if (ranges[i].value < ranges[i].min || ranges[i].value > ranges[i].max)
      return fleet_error_set(err, FLEET_ERR_USAGE,
                             "cannot create result file %s: %s = %" PRId64 " must be in [%" PRId64 ", %" PRId64 "]",
                             path, ranges[i].name, ranges[i].value, ranges[i].min, ranges[i].max);
  if (!isfinite(info->discount_rate) || !(info->discount_rate > -1.0))
    return fleet_error_set(err, FLEET_ERR_USAGE, "cannot create result file %s: discount_rate = %g must be finite and > -1",
                           path, info->discount_rate);
  if (info->region_count < 1 || info->region_count > FLEET_MAX_REGIONS || !info->region_names)
    return fleet_error_set(err, FLEET_ERR_USAGE, "cannot create result file %s: region_count = %d must be in [1, %d], "
                           "with names", path, info->region_count, FLEET_MAX_REGIONS);
  for (int i = 0; i < info->region_count; i++)
    if (!info->region_names[i])
      return fleet_error_set(err, FLEET_ERR_USAGE, "cannot create result file %s: region name %d is NULL", path, i);
  return FLEET_OK;
}

/* The folder the output goes to must exist and take new files (the temporary one, then the
 * rename): said before any work rather than after a run. */
static fleet_status_t check_output_folder(const char *path, fleet_error_t *err) {
  char folder[4096];
  const char *slash = strrchr(path, '/');
  if (!slash) snprintf(folder, sizeof folder, ".");
  else if (slash == path) snprintf(folder, sizeof folder, "/");
  else snprintf(folder, sizeof folder, "%.*s", (int)(slash - path), path);
  struct stat st;
  if (stat(folder, &st) == 0 && !S_ISDIR(st.st_mode))
    return fleet_error_set(err, FLEET_ERR_IO, "output %s: %s is not a folder", path, folder);
  if (access(folder, W_OK | X_OK) == 0) return FLEET_OK;
  if (errno == ENOENT) return fleet_error_set(err, FLEET_ERR_IO, "output %s: its folder %s does not exist", path, folder);
  if (errno == ENOTDIR)
    return fleet_error_set(err, FLEET_ERR_IO, "output %s: a part of the path of its folder %s is not a folder", path,
                           folder);
  return fleet_error_set(err, FLEET_ERR_IO, "output %s: cannot write in its folder %s: %s", path, folder,
                         strerror(errno));
}

fleet_status_t fleet_output_check(const char *path, int overwrite, const char *const *keep, int n,
                                  fleet_error_t *err) {
  if (!path || !path[0]) return fleet_error_set(err, FLEET_ERR_USAGE, "output: the path is empty");
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return check_output_folder(path, err);
    return fleet_error_set(err, FLEET_ERR_IO, "output %s: cannot stat: %s", path, strerror(errno));
  }
  /* the rename would replace the link itself, not what it points to: say so rather than guess */
  if (S_ISLNK(st.st_mode))
    return fleet_error_set(err, FLEET_ERR_INPUT,
                           "output %s is a symbolic link: refused, even with --force (give the path it points to)", path);
  if (!S_ISREG(st.st_mode))
    return fleet_error_set(err, FLEET_ERR_INPUT,
                           "output %s exists and is not a regular file: refused, even with --force (a result file "
                           "replaces only a result file)", path);
  for (int i = 0; i < n; i++) {
    struct stat kept;
    if (keep[i] && stat(keep[i], &kept) == 0 && kept.st_dev == st.st_dev && kept.st_ino == st.st_ino)
      return fleet_error_set(err, FLEET_ERR_INPUT,
                             "output %s is the same file as input %s: refused, even with --force", path, keep[i]);
  }
  if (!overwrite)
    return fleet_error_set(err, FLEET_ERR_INPUT, "output %s exists: refused; give --force to replace it", path);
  return check_output_folder(path, err);
}

fleet_status_t fleet_h5_create(const char *path, const fleet_run_info_t *info, int overwrite, fleet_h5_writer_t **out,
                               fleet_error_t *err) {
  if (!out) return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_create: out must not be NULL");
  *out = NULL;
  fleet_status_t status = check_info(path, info, err);
  if (status != FLEET_OK) return status;

  fleet_h5_writer_t *w = calloc(1, sizeof *w);
  if (!w) return fleet_error_set(err, FLEET_ERR_NOMEM, "out of memory creating result file %s", path);
  w->file = -1;
  for (int k = 0; k < FLEET_DS_COUNT; k++) w->dsets[k] = -1;
  w->overwrite = overwrite;
  w->dims = (fleet_schema_dims_t){info->replicas, info->years, info->region_count, info->price_paths};
  w->first_replica = info->first_replica;
  w->discount_rate = info->discount_rate;
  w->lease_years = info->lease_years;
  const size_t tmp_size = strlen(path) + sizeof ".tmp." + 20;
  w->replica_in_progress = -1;
  if (!(w->path = strdup(path)) || !(w->tmp_path = malloc(tmp_size))) {
    destroy(w);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "out of memory creating result file %s", path);
  }
  snprintf(w->tmp_path, tmp_size, "%s.tmp.%ld", path, (long)getpid());

  /* A leftover of an earlier process with our pid, which cannot still be writing it. */
  if (unlink(w->tmp_path) != 0 && errno != ENOENT) {
    status = errno == EACCES || errno == EROFS || errno == EPERM
                 ? fleet_error_set(err, FLEET_ERR_IO, "cannot write in the folder of %s: %s", path, strerror(errno))
                 : fleet_error_set(err, FLEET_ERR_IO, "cannot remove stale temporary file %s: %s", w->tmp_path,
                                   strerror(errno));
    free(w->tmp_path);
    w->tmp_path = NULL; /* not ours: leave it */
    destroy(w);
    return status;
  }

  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  fleet_h5_check_t c = {err, FLEET_OK};
  hid_t fapl = -1, root = -1;
  /* STRONG: closing the file also closes anything still open in it, so a failure path cannot
   * leave the file open; commit checks separately that nothing was left open. */
  if (fleet_h5_check(&c, fapl = H5Pcreate(H5P_FILE_ACCESS), FLEET_ERR_HDF5, "cannot create access properties") &&
      fleet_h5_check(&c, H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG), FLEET_ERR_HDF5,
                     "cannot set access properties of %s", w->tmp_path) &&
      /* the file format of HDF5 1.8 on: its superblock and object headers carry checksums, so
       * damaged metadata is detected when read (the data carry Fletcher32, create_dataset) */
      fleet_h5_check(&c, H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST), FLEET_ERR_HDF5,
                     "cannot set the format bounds of %s", w->tmp_path) &&
      /* rows are written once each: a small chunk cache, memory independent of the replicas */
      fleet_h5_check(&c, H5Pset_cache(fapl, 0, 101, FLEET_H5_CHUNK_CACHE_BYTES, 1.0), FLEET_ERR_HDF5,
                     "cannot set the chunk cache of %s", w->tmp_path) &&
      fleet_h5_check(&c, fleet_h5_bound_metadata_cache(fapl), FLEET_ERR_HDF5, "cannot set the metadata cache of %s",
                     w->tmp_path) &&
      !fleet_h5_check(&c, w->file = H5Fcreate(w->tmp_path, H5F_ACC_EXCL, H5P_DEFAULT, fapl), FLEET_ERR_IO,
                      "cannot create file %s", w->tmp_path)) {
    free(w->tmp_path); /* nothing of ours on disk (EXCL): leave whatever is there */
    w->tmp_path = NULL;
  }
  if (fapl >= 0) H5Pclose(fapl);
  if (fleet_h5_check(&c, root = H5Gopen2(w->file, "/", H5P_DEFAULT), FLEET_ERR_HDF5, "cannot open / in %s",
                     w->tmp_path)) {
    write_root_attrs(&c, w->tmp_path, root, info);
    H5Gclose(root);
  }
  if (c.status == FLEET_OK) write_scenario(&c, w->tmp_path, w->file, info);
  const char *groups[FLEET_GROUP_MAX];
  const int group_count = fleet_schema_groups(groups);
  for (int g = 0; g < group_count && c.status == FLEET_OK; g++) build_group(&c, w, groups[g], info);
  fleet_h5_quiet_end(&quiet);
  if (c.status != FLEET_OK) {
    destroy(w);
    return c.status;
  }
  *out = w;
  return FLEET_OK;
}

fleet_status_t fleet_h5_write_year(fleet_h5_writer_t *writer, int64_t replica_offset, int64_t year,
                                   const fleet_year_totals_t *totals, fleet_error_t *err) {
  if (!writer || !totals)
    return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_write_year: writer and totals must not be NULL");
  if (replica_offset < 0 || replica_offset >= writer->dims.replicas || year < 0 || year >= writer->dims.years)
    return fleet_error_set(err, FLEET_ERR_USAGE,
                           "cannot write replica offset %" PRId64 ", year %" PRId64 " to %s: the file holds [0, %"
                           PRId64 ") x [0, %" PRId64 ")",
                           replica_offset, year, writer->tmp_path, writer->dims.replicas, writer->dims.years);
  fleet_h5_check_t c = {err, FLEET_OK};
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  fleet_year_totals_t *row_source = (fleet_year_totals_t *)totals; /* read only: fleet_dataset_row is generic */
  const hsize_t start[3] = {(hsize_t)replica_offset, (hsize_t)year, 0};
  /* a value the reader would refuse is refused here, before a long run ends in a file that merge
   * and summary cannot take */
  for (int k = 0; k < FLEET_DS_COUNT && c.status == FLEET_OK; k++) {
    const fleet_dataset_spec_t *spec = &fleet_datasets[k];
    if (spec->source != FLEET_FROM_YEAR) continue;
    const double *row = fleet_dataset_row(spec, row_source, NULL, NULL);
    const int64_t n = fleet_dataset_row_length(spec, &writer->dims);
    for (int64_t i = 0; i < n && c.status == FLEET_OK; i++)
      if (!fleet_domain_holds(spec->domain, row[i]))
        c.status = fleet_error_set(err, FLEET_ERR_USAGE,
                                   "cannot write replica offset %" PRId64 ", year %" PRId64 " to %s: %s element %" PRId64
                                   " is %g, must be %s", replica_offset, year, writer->tmp_path, spec->path, i, row[i],
                                   fleet_domain_names[spec->domain]);
  }
  for (int k = 0; k < FLEET_DS_COUNT && c.status == FLEET_OK; k++)
    if (fleet_datasets[k].source == FLEET_FROM_YEAR)
      write_row(&c, writer, k, start, fleet_dataset_row(&fleet_datasets[k], row_source, NULL, NULL));
  /* The replica's derived datasets, once all its years are in the file; a failed call counts
   * nothing. Another replica's year starts the count afresh (run and merge write a replica's
   * years one after another). */
  double *net = writer->net_eur;
  if (c.status == FLEET_OK) {
    if (writer->replica_in_progress != replica_offset) {
      writer->replica_in_progress = replica_offset;
      writer->years_written = 0;
      memset(writer->written, 0, sizeof writer->written);
    }
    if (!writer->written[year]) writer->years_written++;
    writer->written[year] = 1;
    net[year] = totals->ledger_eur[FLEET_LEDGER_NET];
  }
  if (c.status == FLEET_OK && writer->years_written == writer->dims.years) {
    fleet_replica_derived_t derived;
    fleet_replica_derive(net, writer->dims.years, writer->discount_rate, writer->lease_years, &derived);
    for (int k = 0; k < FLEET_DS_COUNT && c.status == FLEET_OK; k++)
      if (fleet_datasets[k].source == FLEET_FROM_REPLICA)
        write_row(&c, writer, k, start, fleet_dataset_row(&fleet_datasets[k], NULL, &derived, NULL));
  }
  fleet_h5_quiet_end(&quiet);
  return c.status;
}

/* So that after a crash the final name never points at a file whose data is not yet on disk. */
static fleet_status_t sync_file(const char *path, fleet_error_t *err) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return fleet_error_set(err, FLEET_ERR_IO, "cannot open %s to sync it: %s", path, strerror(errno));
  if (fsync(fd) != 0) {
    int e = errno;
    close(fd);
    return fleet_error_set(err, FLEET_ERR_IO, "cannot sync %s: %s", path, strerror(e));
  }
  if (close(fd) != 0) return fleet_error_set(err, FLEET_ERR_IO, "cannot close %s: %s", path, strerror(errno));
  return FLEET_OK;
}

/* The temporary file to its final name: atomically, and without replacing a file that appeared
 * meanwhile unless overwrite (RENAME_NOREPLACE; link + unlink where the filesystem lacks it). */
static fleet_status_t move_into_place(const fleet_h5_writer_t *w, fleet_error_t *err) {
  fleet_status_t status = fleet_output_check(w->path, w->overwrite, NULL, 0, err);
  if (status != FLEET_OK) return status;
  if (w->overwrite) {
    if (rename(w->tmp_path, w->path) == 0) return FLEET_OK;
  } else {
    if (renameat2(AT_FDCWD, w->tmp_path, AT_FDCWD, w->path, RENAME_NOREPLACE) == 0) return FLEET_OK;
    if (errno == EINVAL || errno == ENOSYS) {
      if (link(w->tmp_path, w->path) == 0) return unlink(w->tmp_path) == 0 ? FLEET_OK
                                                  : fleet_error_set(err, FLEET_ERR_IO, "cannot remove %s: %s",
                                                                    w->tmp_path, strerror(errno));
    }
    if (errno == EEXIST)
      return fleet_error_set(err, FLEET_ERR_INPUT, "output %s appeared while it was written: not replaced; give "
                             "--force to replace it", w->path);
  }
  return fleet_error_set(err, FLEET_ERR_IO, "cannot rename %s to %s: %s", w->tmp_path, w->path, strerror(errno));
}

fleet_status_t fleet_h5_commit(fleet_h5_writer_t *writer, const fleet_run_values_t *run, fleet_error_t *err) {
  if (!writer) return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_commit: writer must not be NULL");
  if (!run) {
    fleet_h5_discard(writer);
    return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_commit: run values must not be NULL");
  }
  fleet_h5_check_t c = {err, FLEET_OK};
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  fleet_run_values_t values = *run;
  for (int k = 0; k < FLEET_DS_COUNT && c.status == FLEET_OK; k++) {
    const fleet_dataset_spec_t *spec = &fleet_datasets[k];
    if (spec->source != FLEET_FROM_RUN) continue;
    const double value = *fleet_dataset_row(spec, NULL, NULL, &values);
    if (!fleet_domain_holds(spec->domain, value) || (k == FLEET_DS_THREADS && value < 1.0))
      c.status = fleet_error_set(err, FLEET_ERR_USAGE, "cannot commit %s: %s = %g must be %s%s", writer->tmp_path,
                                 spec->path, value, fleet_domain_names[spec->domain], k == FLEET_DS_THREADS ? ", >= 1" : "");
  }
  const hsize_t start[3] = {0, 0, 0};
  for (int k = 0; k < FLEET_DS_COUNT && c.status == FLEET_OK; k++)
    if (fleet_datasets[k].source == FLEET_FROM_RUN) {
      const double *value = fleet_dataset_row(&fleet_datasets[k], NULL, NULL, &values);
      write_row(&c, writer, k, start, value);
      char hex[65];
      fleet_scalar_sha256(fleet_datasets[k].type, *value, hex);
      write_attr_string(&c, writer->tmp_path, writer->dsets[k], fleet_datasets[k].path, "sha256", hex);
    }
  if (c.status == FLEET_OK) close_datasets(&c, writer);
  if (c.status == FLEET_OK) {
    ssize_t open_objects = H5Fget_obj_count(writer->file, H5F_OBJ_ALL);
    if (fleet_h5_check(&c, open_objects, FLEET_ERR_HDF5, "cannot count open objects in %s", writer->tmp_path) &&
        open_objects != 1) /* the file itself */
      c.status = fleet_error_set(err, FLEET_ERR_HDF5, "cannot commit %s: %zd HDF5 objects besides the file are still "
                                 "open", writer->tmp_path, open_objects - 1);
  }
  if (c.status == FLEET_OK && fleet_h5_check(&c, H5Fclose(writer->file), FLEET_ERR_HDF5, "cannot close %s",
                                             writer->tmp_path))
    writer->file = -1;
  if (c.status == FLEET_OK) c.status = sync_file(writer->tmp_path, err);
  if (c.status == FLEET_OK) c.status = move_into_place(writer, err);
  if (c.status == FLEET_OK) {
    free(writer->tmp_path);
    writer->tmp_path = NULL; /* renamed: nothing left to remove */
  }
  destroy(writer);
  fleet_h5_quiet_end(&quiet);
  return c.status;
}

void fleet_h5_discard(fleet_h5_writer_t *writer) {
  if (!writer) return;
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  destroy(writer);
  fleet_h5_quiet_end(&quiet);
}

/* ---- /parameters -------------------------------------------------------------------------- */

fleet_status_t fleet_h5_add_parameters(fleet_h5_writer_t *writer, int count, const fleet_h5_parameter_t *keys,
                                       fleet_error_t *err) {
  if (!writer || !keys || count < 1 || count > FLEET_MAX_SAMPLED || writer->param_count)
    return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_add_parameters: 1 to %d keys, once per file",
                           FLEET_MAX_SAMPLED);
  const char *file = writer->tmp_path, *group_path = "/parameters";
  fleet_h5_check_t c = {err, FLEET_OK};
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  hid_t group = -1;
  if (fleet_h5_check(&c, group = H5Gcreate2(writer->file, group_path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                     FLEET_ERR_HDF5, "cannot create group %s in %s", group_path, file)) {
    const char *names[FLEET_MAX_SAMPLED];
    for (int i = 0; i < count; i++) names[i] = keys[i].key;
    write_attr_strings(&c, file, group, group_path, "keys", (hsize_t)count, names);
    write_attr_string(&c, file, group, group_path, "description",
                      "the value each replica drew for each key the scenario gives as a distribution");
    const fleet_run_info_t replica_axis = {.first_replica = writer->first_replica};
    hid_t scale = c.status == FLEET_OK
                      ? create_scale(&c, file, group, group_path, FLEET_AXIS_REPLICA, &replica_axis, &writer->dims)
                      : -1;
    const hsize_t n = (hsize_t)writer->dims.replicas, chunk = n < 4096 ? n : 4096;
    for (int i = 0; i < count && c.status == FLEET_OK; i++) {
      char path[FLEET_SAMPLED_KEY_MAX + 16], long_name[FLEET_SAMPLED_KEY_MAX + 32];
      snprintf(path, sizeof path, "%s/%s", group_path, keys[i].key);
      snprintf(long_name, sizeof long_name, "drawn value of %s", keys[i].key);
      hid_t dset = writer->param_dsets[i] = create_dataset(&c, file, group, keys[i].key, H5T_IEEE_F64LE, 1, &n, &chunk);
      writer->param_count = i + 1;
      if (dset < 0) break;
      write_attr_string(&c, file, dset, path, "units", keys[i].units ? keys[i].units : "");
      write_attr_string(&c, file, dset, path, "long_name", long_name);
      write_attr_string(&c, file, dset, path, "distribution", keys[i].distribution ? keys[i].distribution : "");
      const double fill = NAN;
      write_attr(&c, file, dset, path, "_FillValue", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &fill);
      if (scale >= 0) attach(&c, file, dset, path, scale, 0);
    }
    close_dataset(&c, file, scale, "/parameters/replica");
    fleet_h5_check(&c, H5Gclose(group), FLEET_ERR_HDF5, "cannot close group %s in %s", group_path, file);
  }
  fleet_h5_quiet_end(&quiet);
  return c.status;
}

fleet_status_t fleet_h5_write_parameters(fleet_h5_writer_t *writer, int64_t replica_offset, const double *values,
                                         fleet_error_t *err) {
  if (!writer || !values || !writer->param_count)
    return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_write_parameters: a writer with /parameters and values");
  if (replica_offset < 0 || replica_offset >= writer->dims.replicas)
    return fleet_error_set(err, FLEET_ERR_USAGE, "cannot write the parameters of replica offset %" PRId64 " to %s: "
                           "the file holds [0, %" PRId64 ")", replica_offset, writer->tmp_path, writer->dims.replicas);
  for (int i = 0; i < writer->param_count; i++)
    if (!isfinite(values[i]))
      return fleet_error_set(err, FLEET_ERR_USAGE, "cannot write the parameters of replica offset %" PRId64
                             " to %s: value %d is %g, must be finite", replica_offset, writer->tmp_path, i, values[i]);
  fleet_h5_check_t c = {err, FLEET_OK};
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  const hsize_t start = (hsize_t)replica_offset, one = 1;
  for (int i = 0; i < writer->param_count && c.status == FLEET_OK; i++) {
    hid_t file_space = -1, mem_space = -1;
    if (fleet_h5_check(&c, file_space = H5Dget_space(writer->param_dsets[i]), FLEET_ERR_HDF5,
                       "cannot get the dataspace of a dataset of /parameters in %s", writer->tmp_path) &&
        fleet_h5_check(&c, H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &start, NULL, &one, NULL), FLEET_ERR_HDF5,
                       "cannot select a replica of /parameters in %s", writer->tmp_path) &&
        fleet_h5_check(&c, mem_space = H5Screate_simple(1, &one, NULL), FLEET_ERR_HDF5,
                       "cannot create a dataspace for /parameters in %s", writer->tmp_path))
      fleet_h5_check(&c, H5Dwrite(writer->param_dsets[i], H5T_NATIVE_DOUBLE, mem_space, file_space, H5P_DEFAULT,
                                  &values[i]),
                     FLEET_ERR_HDF5, "cannot write replica offset %" PRId64 " of /parameters in %s", replica_offset,
                     writer->tmp_path);
    if (mem_space >= 0) H5Sclose(mem_space);
    if (file_space >= 0) H5Sclose(file_space);
  }
  fleet_h5_quiet_end(&quiet);
  return c.status;
}
