/* h5_reader.c: reading result files back (schema in README.md, "Output").
 *
 * The reader trusts nothing it has not checked: a file handed to merge or summary may be anything,
 * so identity (filetype, format_version), every attribute's class and every dataset's shape are
 * checked when the file is opened, and a file that fails is bad input (FLEET_ERR_INPUT), reported
 * with the file, the object and what was expected. After that, a failing read is a runtime
 * failure (FLEET_ERR_HDF5). As in the writer, HDF5's own error printing is off during each public
 * call (h5_util.h). Serial HDF5 is not thread-safe: call these from one thread at a time. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
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
#include <unistd.h>

#include <hdf5.h>

#include "h5_util.h"
#include "sha256.h"
#include "version.h"

/* /budget/household_account_moments: count, mean_eur, m2_eur2. */
enum { MOMENT_COUNT = 0, MOMENT_MEAN, MOMENT_M2, MOMENTS };

/* What a dataset's axes after [replica, year] are; SHAPE_REPLICA: it is [replica] alone. */
typedef enum { SHAPE_YEAR, SHAPE_ROW, SHAPE_REGION, SHAPE_REPLICA } shape_t;

/* The datasets read. DERIVED: a row not copied into the totals as it is (see read_year). */
#define DERIVED ((size_t)-1)
typedef struct {
  const char *path;
  shape_t shape;
  hsize_t length; /* SHAPE_ROW: the length of the last axis */
  size_t offset;  /* in fleet_year_totals_t, or DERIVED */
} read_spec_t;

#define TOTAL(field) offsetof(fleet_year_totals_t, field)

enum {
  RD_STORAGE_ENERGY,
  RD_STORAGE_POWER,
  RD_STORAGE_PLUGGED,
  RD_STORAGE_GARAGE,
  RD_STORAGE_GARAGE_POWER,
  RD_KM_DRIVEN,
  RD_CHARGING,
  RD_SOLAR,
  RD_PV_YIELD, /* first of the region datasets: its shape gives the region count */
  RD_TEMPERATURE,
  RD_HOUSEHOLDS_OUT,
  RD_HOUSEHOLD_HOURS,
  RD_DEMAND,
  RD_SERVED,
  RD_UNSERVED,
  RD_OUTAGE_COUNT,
  RD_DURATION_HISTOGRAM,
  RD_COVERED_HISTOGRAM,
  RD_LONG,
  RD_LONG_COVERED,
  RD_PRICES,
  RD_ACCOUNT_HISTOGRAM,
  RD_ACCOUNT_MOMENTS,
  RD_WORSE_OFF_SHARE,
  RD_LEDGER,
  RD_CO2_COMBUSTION,
  RD_CO2_GRID,
  RD_LONG_PROBABILITY,
  RD_NPV,
  RD_REPAID,
  RD_COUNT
};

static const read_spec_t specs[RD_COUNT] = {
    [RD_STORAGE_ENERGY] = {"/storage/energy_kwh", SHAPE_ROW, FLEET_HOURS_PER_YEAR, TOTAL(storage_energy_kwh)},
    [RD_STORAGE_POWER] = {"/storage/power_kw", SHAPE_ROW, FLEET_HOURS_PER_YEAR, TOTAL(storage_power_kw)},
    [RD_STORAGE_PLUGGED] = {"/storage/plugged_vehicles", SHAPE_ROW, FLEET_HOURS_PER_YEAR, TOTAL(plugged_vehicles)},
    [RD_STORAGE_GARAGE] = {"/storage/garage_energy_kwh", SHAPE_ROW, FLEET_HOURS_PER_YEAR, TOTAL(garage_energy_kwh)},
    [RD_STORAGE_GARAGE_POWER] = {"/storage/garage_power_kw", SHAPE_ROW, FLEET_HOURS_PER_YEAR, TOTAL(garage_power_kw)},
    [RD_KM_DRIVEN] = {"/mobility/km_driven", SHAPE_YEAR, 0, TOTAL(km_driven)},
    [RD_CHARGING] = {"/charging/energy_kwh", SHAPE_ROW, FLEET_SOURCE_COUNT, TOTAL(charging_energy_kwh)},
    [RD_SOLAR] = {"/solar/energy_kwh", SHAPE_ROW, FLEET_SOLAR_FLOW_COUNT, TOTAL(solar_energy_kwh)},
    [RD_PV_YIELD] = {"/weather/pv_yield_kwh_per_kwp", SHAPE_REGION, 0, TOTAL(region_pv_yield_kwh_per_kwp)},
    [RD_TEMPERATURE] = {"/weather/mean_temperature_c", SHAPE_REGION, 0, TOTAL(region_mean_temperature_c)},
    [RD_HOUSEHOLDS_OUT] = {"/outage/households_out", SHAPE_ROW, FLEET_HOURS_PER_YEAR, TOTAL(households_out)},
    [RD_HOUSEHOLD_HOURS] = {"/outage/household_hours", SHAPE_YEAR, 0, TOTAL(outage_household_hours)},
    [RD_DEMAND] = {"/outage/demand_kwh", SHAPE_YEAR, 0, TOTAL(outage_demand_kwh)},
    [RD_SERVED] = {"/outage/served_kwh", SHAPE_YEAR, 0, TOTAL(outage_served_kwh)},
    [RD_UNSERVED] = {"/outage/unserved_kwh", SHAPE_YEAR, 0, TOTAL(outage_unserved_kwh)},
    [RD_OUTAGE_COUNT] = {"/outage/count", SHAPE_YEAR, 0, TOTAL(outage_count)},
    [RD_DURATION_HISTOGRAM] = {"/outage/duration_histogram", SHAPE_ROW, FLEET_OUTAGE_DURATION_BINS,
                               TOTAL(outage_duration_histogram)},
    [RD_COVERED_HISTOGRAM] = {"/outage/covered_fraction_histogram", SHAPE_ROW, FLEET_COVERED_FRACTION_BINS,
                              TOTAL(outage_covered_histogram)},
    [RD_LONG] = {"/outage/long_outages", SHAPE_YEAR, 0, TOTAL(long_outage_count)},
    [RD_LONG_COVERED] = {"/outage/long_outages_fully_covered", SHAPE_YEAR, 0, TOTAL(long_outage_covered_count)},
    [RD_PRICES] = {"/budget/prices_eur", SHAPE_ROW, FLEET_PRICE_COUNT, TOTAL(prices_eur)},
    [RD_ACCOUNT_HISTOGRAM] = {"/budget/household_account_histogram", SHAPE_ROW, FLEET_ACCOUNT_BINS,
                              TOTAL(household_account_histogram)},
    [RD_ACCOUNT_MOMENTS] = {"/budget/household_account_moments", SHAPE_ROW, MOMENTS, DERIVED},
    [RD_WORSE_OFF_SHARE] = {"/budget/household_worse_off_share", SHAPE_YEAR, 0, DERIVED},
    [RD_LEDGER] = {"/budget/ledger_eur", SHAPE_ROW, FLEET_LEDGER_COUNT, TOTAL(ledger_eur)},
    [RD_CO2_COMBUSTION] = {"/co2/combustion_t", SHAPE_YEAR, 0, TOTAL(co2_combustion_t)},
    [RD_CO2_GRID] = {"/co2/grid_t", SHAPE_YEAR, 0, TOTAL(co2_grid_t)},
    [RD_LONG_PROBABILITY] = {"/outage/long_outage_covered_probability", SHAPE_REPLICA, 0, DERIVED},
    [RD_NPV] = {"/budget/npv_eur", SHAPE_REPLICA, 0, DERIVED},
    [RD_REPAID] = {"/budget/repaid", SHAPE_REPLICA, 0, DERIVED},
};

struct fleet_h5_reader {
  char *path;
  hid_t file;
  hid_t dsets[RD_COUNT];
  fleet_h5_file_info_t info;
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
    return fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot look up attribute %s of %s", file, name, obj_path);
  if (exists == 0)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute %s of %s is missing (a fleetmc result file has it)",
                           file, name, obj_path);
  if ((*attr = H5Aopen(obj, name, H5P_DEFAULT)) < 0)
    return fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot open attribute %s of %s", file, name, obj_path);
  if ((*type = H5Aget_type(*attr)) < 0 || (*space = H5Aget_space(*attr)) < 0)
    return fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot read the type of attribute %s of %s", file, name,
                         obj_path);
  return FLEET_OK;
}

static fleet_status_t close_attr(const char *file, const char *obj_path, const char *name, hid_t attr, hid_t type,
                                 hid_t space, fleet_status_t status, fleet_error_t *err) {
  if (space >= 0 && H5Sclose(space) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close the dataspace of attribute %s of %s", file, name,
                           obj_path);
  if (type >= 0 && H5Tclose(type) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close the type of attribute %s of %s", file, name,
                           obj_path);
  if (attr >= 0 && H5Aclose(attr) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close attribute %s of %s", file, name, obj_path);
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
      status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot read attribute %s of %s", file, name, obj_path);
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
        status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot read attribute %s of %s", file, name, obj_path);
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
        status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot read attribute %s of %s", file, name, obj_path);
      } else {
        snprintf(out, size, "%s", value);
      }
      free(value);
    }
  }
  return close_attr(file, obj_path, name, attr, type, space, status, err);
}

/* The names of the regions: the attribute regions of /weather/pv_yield_kwh_per_kwp, one variable-
 * length string per region. */
static fleet_status_t read_region_names(fleet_h5_reader_t *r, fleet_error_t *err) {
  const char *file = r->path, *obj_path = specs[RD_PV_YIELD].path, *name = "regions";
  hid_t attr, type, space;
  fleet_status_t status = open_attr(file, r->dsets[RD_PV_YIELD], obj_path, name, &attr, &type, &space, err);
  char *names[FLEET_MAX_REGIONS] = {NULL};
  if (status == FLEET_OK) {
    hssize_t points = H5Sget_simple_extent_npoints(space);
    if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) <= 0 || points != r->info.region_count) {
      status = fleet_error_set(err, FLEET_ERR_INPUT,
                               "%s: attribute %s of %s is not %d variable-length strings (one per region)", file,
                               name, obj_path, r->info.region_count);
    } else if (H5Aread(attr, type, names) < 0) {
      status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot read attribute %s of %s", file, name, obj_path);
    } else {
      for (int i = 0; i < r->info.region_count; i++) {
        if (status == FLEET_OK && (!names[i] || !names[i][0] || strlen(names[i]) >= FLEET_REGION_NAME_MAX))
          status = fleet_error_set(err, FLEET_ERR_INPUT,
                                   "%s: attribute %s of %s: region name %d is empty or longer than %d bytes", file,
                                   name, obj_path, i, FLEET_REGION_NAME_MAX - 1);
        else if (status == FLEET_OK)
          snprintf(r->info.region_names[i], FLEET_REGION_NAME_MAX, "%s", names[i]);
        if (names[i]) H5free_memory(names[i]);
      }
    }
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
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return fleet_error_set(err, FLEET_ERR_INPUT, "%s: no such file (a fleetmc result file was expected)", path);
    return fleet_error_set(err, FLEET_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  }
  struct stat st;
  int stat_failed = fstat(fd, &st) != 0, e = errno;
  if (close(fd) != 0 && !stat_failed)
    return fleet_error_set(err, FLEET_ERR_IO, "%s: cannot close: %s", path, strerror(errno));
  if (stat_failed) return fleet_error_set(err, FLEET_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
  if (!S_ISREG(st.st_mode))
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: not a regular file (a fleetmc result file was expected)", path);
  return FLEET_OK;
}

/* Identity first, so that a file of another kind or version is refused with that reason rather
 * than with whatever of it happens to differ. */
static fleet_status_t read_identity(fleet_h5_reader_t *r, hid_t root, fleet_error_t *err) {
  const char *file = r->path;
  char filetype[64] = "";
  htri_t has = H5Aexists(root, "filetype");
  if (has < 0) return fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot look up attribute filetype of /", file);
  if (has == 0)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: not a fleetmc result file (attribute filetype is missing)",
                           file);
  fleet_status_t status = read_string_attr(file, root, "/", "filetype", filetype, sizeof filetype, err);
  if (status == FLEET_ERR_INPUT)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: not a fleetmc result file (attribute filetype is not a string)",
                           file);
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

static fleet_status_t read_root(fleet_h5_reader_t *r, hid_t root, fleet_error_t *err) {
  const char *file = r->path;
  fleet_h5_file_info_t *info = &r->info;
  fleet_status_t status = read_identity(r, root, err);
  char model[80];
  const struct {
    const char *name;
    char *out;
    size_t size;
  } strings[] = {{"fleetmc_version", info->fleetmc_version, sizeof info->fleetmc_version},
                 {"git_commit", info->git_commit, sizeof info->git_commit},
                 {"created", info->created, sizeof info->created},
                 {"model_sha256", model, sizeof model}};
  for (size_t i = 0; i < sizeof strings / sizeof strings[0] && status == FLEET_OK; i++)
    status = read_string_attr(file, root, "/", strings[i].name, strings[i].out, strings[i].size, err);
  if (status != FLEET_OK) return status;
  if (!is_sha256_hex(model))
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute model_sha256 of / is '%s', must be 64 lowercase hex "
                           "digits", file, model);
  memcpy(info->model_sha256, model, sizeof info->model_sha256);
  if ((status = read_number_attr(file, root, "/", "seed", H5T_INTEGER, H5T_NATIVE_UINT64, &info->seed, err)) !=
      FLEET_OK)
    return status;
  const struct {
    const char *name;
    int64_t *out, min;
  } ints[] = {{"first_replica", &info->first_replica, 0},
              {"replicas", &info->replicas, 1},
              {"years", &info->years, 1},
              {"vehicles", &info->vehicles, 1},
              {"threads", &info->threads, 1}};
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    status = read_number_attr(file, root, "/", ints[i].name, H5T_INTEGER, H5T_NATIVE_INT64, ints[i].out, err);
    if (status != FLEET_OK) return status;
    if (*ints[i].out < ints[i].min)
      return fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute %s of / is %" PRId64 ", must be >= %" PRId64, file,
                             ints[i].name, *ints[i].out, ints[i].min);
  }
  if (info->first_replica > INT64_MAX - info->replicas)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: first_replica + replicas = %" PRId64 " + %" PRId64
                           " overflows", file, info->first_replica, info->replicas);
  return FLEET_OK;
}

/* /scenario and its sha256, which must match: a hand-edited file would otherwise pass on the
 * scenario of another run. */
static fleet_status_t read_scenario(fleet_h5_reader_t *r, fleet_error_t *err) {
  const char *file = r->path, *path = "/scenario";
  htri_t exists = object_exists(r->file, path);
  if (exists < 0) return fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot look up dataset %s", file, path);
  if (exists == 0) return fleet_error_set(err, FLEET_ERR_INPUT, "%s: dataset %s is missing", file, path);
  fleet_status_t status = FLEET_OK;
  hid_t dset = -1, type = -1, space = -1;
  char *text = NULL;
  if ((dset = H5Dopen2(r->file, path, H5P_DEFAULT)) < 0 || (type = H5Dget_type(dset)) < 0 ||
      (space = H5Dget_space(dset)) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot open dataset %s", file, path);
    goto done;
  }
  if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) <= 0 || H5Sget_simple_extent_npoints(space) != 1) {
    status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: dataset %s is not a single variable-length string", file, path);
    goto done;
  }
  if (H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot read dataset %s", file, path);
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
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close the dataspace of dataset %s", file, path);
  if (type >= 0 && H5Tclose(type) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close the type of dataset %s", file, path);
  if (dset >= 0 && H5Dclose(dset) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close dataset %s", file, path);
  return status;
}

static void format_dims(char *out, size_t size, int rank, const hsize_t *dims) {
  size_t used = (size_t)snprintf(out, size, "[");
  for (int i = 0; i < rank && used < size; i++)
    used += (size_t)snprintf(out + used, size - used, "%s%llu", i ? ", " : "", (unsigned long long)dims[i]);
  if (used < size) snprintf(out + used, size - used, "]");
}

/* Opens dataset k and checks that it holds float64 values of the shape the root attributes give;
 * for the region datasets a last axis of 0 in r->info.region_count means "any", and sets it. */
static fleet_status_t open_dataset(fleet_h5_reader_t *r, int k, fleet_error_t *err) {
  const char *file = r->path, *path = specs[k].path;
  htri_t exists = object_exists(r->file, path);
  if (exists < 0) return fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot look up dataset %s", file, path);
  if (exists == 0) return fleet_error_set(err, FLEET_ERR_INPUT, "%s: dataset %s is missing", file, path);
  if ((r->dsets[k] = H5Dopen2(r->file, path, H5P_DEFAULT)) < 0)
    return fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot open dataset %s", file, path);
  hsize_t want[3] = {(hsize_t)r->info.replicas, (hsize_t)r->info.years, specs[k].length};
  int want_rank = 3;
  switch (specs[k].shape) {
  case SHAPE_YEAR: want_rank = 2; break;
  case SHAPE_REPLICA: want_rank = 1; break;
  case SHAPE_REGION: want[2] = (hsize_t)r->info.region_count; break;
  case SHAPE_ROW: break;
  }
  fleet_status_t status = FLEET_OK;
  hid_t type = -1, space = -1;
  hsize_t dims[H5S_MAX_RANK];
  int rank = -1;
  if ((type = H5Dget_type(r->dsets[k])) < 0 || (space = H5Dget_space(r->dsets[k])) < 0 ||
      (rank = H5Sget_simple_extent_ndims(space)) < 0 || H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot read the type and shape of dataset %s", file, path);
  } else if (H5Tget_class(type) != H5T_FLOAT) {
    status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: dataset %s does not hold floating-point numbers", file, path);
  } else {
    if (specs[k].shape == SHAPE_REGION && want[2] == 0 && rank == 3) {
      if (dims[2] < 1 || dims[2] > FLEET_MAX_REGIONS)
        status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: dataset %s has %llu regions, must have 1 to %d", file,
                                 path, (unsigned long long)dims[2], FLEET_MAX_REGIONS);
      else {
        want[2] = dims[2];
        r->info.region_count = (int)dims[2];
      }
    }
    int same = rank == want_rank;
    for (int i = 0; same && i < rank; i++) same = dims[i] == want[i];
    if (status == FLEET_OK && !same) {
      char got[96], expected[96];
      format_dims(got, sizeof got, rank, dims);
      format_dims(expected, sizeof expected, want_rank, want);
      status = fleet_error_set(err, FLEET_ERR_INPUT,
                               "%s: dataset %s has shape %s, must be %s to match the root attributes replicas = "
                               "%" PRId64 " and years = %" PRId64, file, path, got, expected, r->info.replicas,
                               r->info.years);
    }
  }
  if (space >= 0 && H5Sclose(space) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close the dataspace of dataset %s", file, path);
  if (type >= 0 && H5Tclose(type) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close the type of dataset %s", file, path);
  return status;
}

static fleet_status_t read_runtime(fleet_h5_reader_t *r, fleet_error_t *err) {
  const char *file = r->path, *path = "/runtime";
  htri_t exists = object_exists(r->file, path);
  if (exists < 0) return fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot look up group %s", file, path);
  if (exists == 0)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: group %s is missing (it is written when a run completes)",
                           file, path);
  hid_t group = H5Gopen2(r->file, path, H5P_DEFAULT);
  if (group < 0) return fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot open group %s", file, path);
  const struct {
    const char *name;
    double *out;
  } values[] = {{"wall_seconds", &r->info.wall_seconds}, {"vehicle_hours", &r->info.vehicle_hours}};
  fleet_status_t status = FLEET_OK;
  for (size_t i = 0; i < sizeof values / sizeof values[0] && status == FLEET_OK; i++) {
    status = read_number_attr(file, group, path, values[i].name, H5T_FLOAT, H5T_NATIVE_DOUBLE, values[i].out, err);
    if (status == FLEET_OK && !(isfinite(*values[i].out) && *values[i].out >= 0.0))
      status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute %s of %s is %g, must be finite and >= 0", file,
                               values[i].name, path, *values[i].out);
  }
  if (H5Gclose(group) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close group %s", file, path);
  return status;
}

static fleet_status_t read_budget_attrs(fleet_h5_reader_t *r, fleet_error_t *err) {
  const char *file = r->path;
  fleet_h5_file_info_t *info = &r->info;
  fleet_status_t status = read_number_attr(file, r->dsets[RD_NPV], specs[RD_NPV].path, "discount_rate", H5T_FLOAT,
                                           H5T_NATIVE_DOUBLE, &info->discount_rate, err);
  if (status != FLEET_OK) return status;
  if (!isfinite(info->discount_rate) || !(info->discount_rate > -1.0))
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute discount_rate of %s is %g, must be finite and > -1",
                           file, specs[RD_NPV].path, info->discount_rate);
  status = read_number_attr(file, r->dsets[RD_REPAID], specs[RD_REPAID].path, "lease_years", H5T_INTEGER,
                            H5T_NATIVE_INT64, &info->lease_years, err);
  if (status != FLEET_OK) return status;
  if (info->lease_years < 1)
    return fleet_error_set(err, FLEET_ERR_INPUT, "%s: attribute lease_years of %s is %" PRId64 ", must be >= 1", file,
                           specs[RD_REPAID].path, info->lease_years);
  return FLEET_OK;
}

static fleet_status_t read_file(fleet_h5_reader_t *r, fleet_error_t *err) {
  hid_t root = H5Gopen2(r->file, "/", H5P_DEFAULT);
  if (root < 0) return fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot open group /", r->path);
  fleet_status_t status = read_root(r, root, err);
  if (H5Gclose(root) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close group /", r->path);
  if (status != FLEET_OK) return status;
  if ((status = read_scenario(r, err)) != FLEET_OK) return status;
  for (int k = 0; k < RD_COUNT; k++) /* RD_PV_YIELD comes before RD_TEMPERATURE: it sets the regions */
    if ((status = open_dataset(r, k, err)) != FLEET_OK) return status;
  if ((status = read_region_names(r, err)) != FLEET_OK) return status;
  if ((status = read_budget_attrs(r, err)) != FLEET_OK) return status;
  return read_runtime(r, err);
}

static void free_reader(fleet_h5_reader_t *r) {
  free(r->info.scenario_text);
  free(r->path);
  free(r);
}

fleet_status_t fleet_h5_close(fleet_h5_reader_t *reader, fleet_error_t *err) {
  if (!reader) return FLEET_OK;
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  fleet_status_t status = FLEET_OK;
  for (int k = 0; k < RD_COUNT; k++)
    if (reader->dsets[k] >= 0 && H5Dclose(reader->dsets[k]) < 0 && status == FLEET_OK)
      status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close dataset %s", reader->path, specs[k].path);
  if (reader->file >= 0 && H5Fclose(reader->file) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close the file", reader->path);
  fleet_h5_quiet_end(&quiet);
  free_reader(reader);
  return status;
}

fleet_status_t fleet_h5_open(const char *path, fleet_h5_reader_t **out, fleet_error_t *err) {
  if (!out || !path) return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_open: path and out must not be NULL");
  *out = NULL;
  fleet_status_t status = check_readable(path, err);
  if (status != FLEET_OK) return status;
  fleet_h5_reader_t *r = calloc(1, sizeof *r);
  if (!r || !(r->path = strdup(path))) {
    free(r);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory opening it", path);
  }
  r->file = -1;
  for (int k = 0; k < RD_COUNT; k++) r->dsets[k] = -1;

  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  htri_t is_hdf5 = H5Fis_hdf5(path);
  hid_t fapl = -1;
  if (is_hdf5 < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_IO, "%s: cannot read", path);
  } else if (is_hdf5 == 0) {
    status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: not an HDF5 file, so not a fleetmc result file", path);
  } else if ((fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0) {
    /* STRONG: closing the file closes whatever a failure path left open in it */
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot set file access properties", path);
  } else if ((r->file = H5Fopen(path, H5F_ACC_RDONLY, fapl)) < 0) {
    /* it has the HDF5 signature but its structure cannot be read: a damaged or truncated file */
    status = fleet_h5_fail(err, FLEET_ERR_INPUT, "%s: corrupt HDF5 file, cannot be opened", path);
  }
  if (fapl >= 0 && H5Pclose(fapl) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close file access properties", path);
  if (status == FLEET_OK) status = read_file(r, err);
  fleet_h5_quiet_end(&quiet);
  if (status != FLEET_OK) {
    fleet_h5_close(r, NULL);
    return status;
  }
  *out = r;
  return FLEET_OK;
}

const fleet_h5_file_info_t *fleet_h5_reader_info(const fleet_h5_reader_t *reader) { return &reader->info; }

/* ---- data --------------------------------------------------------------------------------- */

/* Reads the n values of dataset k at [replica, year, ...] (year ignored for SHAPE_REPLICA). */
static fleet_status_t read_row(fleet_h5_reader_t *r, int k, int64_t replica, int64_t year, hsize_t n, double *out,
                               fleet_error_t *err) {
  const hsize_t start[3] = {(hsize_t)replica, (hsize_t)year, 0};
  const hsize_t count[3] = {1, 1, n}; /* HDF5 uses the first rank elements: the dataset's own */
  fleet_status_t status = FLEET_OK;
  hid_t file_space = -1, mem_space = -1;
  if ((file_space = H5Dget_space(r->dsets[k])) < 0 ||
      H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
      (mem_space = H5Screate_simple(1, &n, NULL)) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot select replica offset %" PRId64 ", year %" PRId64
                           " of dataset %s", r->path, replica, year, specs[k].path);
  } else if (H5Dread(r->dsets[k], H5T_NATIVE_DOUBLE, mem_space, file_space, H5P_DEFAULT, out) < 0) {
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot read replica offset %" PRId64 ", year %" PRId64
                           " of dataset %s", r->path, replica, year, specs[k].path);
  }
  if (mem_space >= 0 && H5Sclose(mem_space) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close a memory dataspace for dataset %s", r->path,
                           specs[k].path);
  if (file_space >= 0 && H5Sclose(file_space) < 0 && status == FLEET_OK)
    status = fleet_h5_fail(err, FLEET_ERR_HDF5, "%s: cannot close the dataspace of dataset %s", r->path,
                           specs[k].path);
  return status;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* The writer stores quotients (mean = sum / count, share = worse_off / count); given the stored
 * q and d, returns an x with x / d == q bit for bit, so that writing these totals again gives the
 * same file. The original numerator is one such x and lies within a few ulps of q d (two
 * roundings), so a short search around q d finds one; whole (counts of households) first, since
 * the worse-off numerator is one. */
static double numerator_for(double q, double d, int whole) {
  if (!(d > 0.0) || isnan(q)) return 0.0; /* the writer stores NaN whatever the numerator */
  const double x = q * d;
  if (whole && same_bits(nearbyint(x) / d, q)) return nearbyint(x);
  double up = x, down = x;
  for (int step = 0; step < 32; step++) {
    if (same_bits(up / d, q)) return up;
    if (same_bits(down / d, q)) return down;
    up = nextafter(up, INFINITY);
    down = nextafter(down, -INFINITY);
  }
  return x;
}

static fleet_status_t check_offsets(const fleet_h5_reader_t *r, int64_t replica, int64_t year, int check_year,
                                    fleet_error_t *err) {
  if (replica < 0 || replica >= r->info.replicas || (check_year && (year < 0 || year >= r->info.years)))
    return fleet_error_set(err, FLEET_ERR_USAGE, "%s: cannot read replica offset %" PRId64 ", year %" PRId64
                           ": the file holds [0, %" PRId64 ") x [0, %" PRId64 ")", r->path, replica, year,
                           r->info.replicas, r->info.years);
  return FLEET_OK;
}

fleet_status_t fleet_h5_read_year(fleet_h5_reader_t *reader, int64_t replica_offset, int64_t year,
                                  fleet_year_totals_t *totals, fleet_error_t *err) {
  if (!reader || !totals)
    return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_read_year: reader and totals must not be NULL");
  fleet_status_t status = check_offsets(reader, replica_offset, year, 1, err);
  if (status != FLEET_OK) return status;
  memset(totals, 0, sizeof *totals);
  double moments[MOMENTS], worse_off_share = NAN;
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  for (int k = 0; k < RD_COUNT && status == FLEET_OK; k++) {
    const read_spec_t *spec = &specs[k];
    if (spec->shape == SHAPE_REPLICA) continue;
    hsize_t n = spec->shape == SHAPE_YEAR ? 1 : spec->shape == SHAPE_REGION ? (hsize_t)reader->info.region_count
                                                                             : spec->length;
    double *out = k == RD_ACCOUNT_MOMENTS   ? moments
                  : k == RD_WORSE_OFF_SHARE ? &worse_off_share
                                            : (double *)((char *)totals + spec->offset);
    status = read_row(reader, k, replica_offset, year, n, out, err);
  }
  fleet_h5_quiet_end(&quiet);
  if (status != FLEET_OK) return status;
  const double count = moments[MOMENT_COUNT];
  totals->household_count = count;
  totals->household_account_sum_eur = numerator_for(moments[MOMENT_MEAN], count, 0);
  totals->household_account_m2_eur2 = moments[MOMENT_M2];
  totals->household_worse_off = numerator_for(worse_off_share, count, 1);
  return FLEET_OK;
}

fleet_status_t fleet_h5_read_replica(fleet_h5_reader_t *reader, int64_t replica_offset, fleet_replica_totals_t *out,
                                     fleet_error_t *err) {
  if (!reader || !out)
    return fleet_error_set(err, FLEET_ERR_USAGE, "fleet_h5_read_replica: reader and out must not be NULL");
  fleet_status_t status = check_offsets(reader, replica_offset, 0, 0, err);
  if (status != FLEET_OK) return status;
  fleet_h5_quiet_t quiet;
  fleet_h5_quiet_begin(&quiet);
  status = read_row(reader, RD_NPV, replica_offset, 0, 1, &out->npv_eur, err);
  if (status == FLEET_OK) status = read_row(reader, RD_REPAID, replica_offset, 0, 1, &out->repaid, err);
  if (status == FLEET_OK)
    status = read_row(reader, RD_LONG_PROBABILITY, replica_offset, 0, 1, &out->long_outage_covered_probability, err);
  fleet_h5_quiet_end(&quiet);
  return status;
}

fleet_status_t fleet_h5_read_info(const char *path, fleet_h5_file_info_t *info, fleet_error_t *err) {
  memset(info, 0, sizeof *info);
  fleet_h5_reader_t *r = NULL;
  fleet_status_t status = fleet_h5_open(path, &r, err);
  if (status != FLEET_OK) return status;
  *info = r->info;
  r->info.scenario_text = NULL; /* ownership moves to info */
  status = fleet_h5_close(r, err);
  if (status != FLEET_OK) fleet_h5_file_info_free(info);
  return status;
}

void fleet_h5_file_info_free(fleet_h5_file_info_t *info) {
  if (!info) return;
  free(info->scenario_text);
  info->scenario_text = NULL;
}
