/* test_h5_writer.c: the result file, written through the writer and read back twice: through the
 * plain HDF5 API, every dataset, attribute and coordinate against the tables of schema.h, value by
 * value; and through the reader, every replica-year bit for bit. Values are exactly representable
 * and compared with ==: the file stores doubles as IEEE doubles, so no tolerance is needed. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "build_info.h"
#include "derived.h"
#include "error.h"
#include "h5_reader.h"
#include "h5_writer.h"
#include "run.h"
#include "scenario.h"
#include "schema.h"
#include "sha256.h"
#include "version.h"
#include "year_totals.h"

enum { REPLICAS = 2, YEARS = 3, REGIONS = 3, FIRST_REPLICA = 7, PATHS = 3 };

static char dir[] = "/tmp/fleetmc_h5_XXXXXX";

/* The run behind a file: configs/baseline.yaml with the test's replicas, years, seed, rate, lease
 * and regions, resolved and hashed as a run does it, so that the file passes the reader's checks
 * of its root attributes and regions against /scenario. */
static fleet_params_t params;
static char *scenario_text; /* fleet_scenario_format(&params) */
static char scenario_sha256[65], model_sha256[65];
static const char *region_names[FLEET_MAX_REGIONS];

static void setup(void) { cr_assert_not_null(mkdtemp(dir), "mkdtemp failed"); }

static void teardown(void) {
  free(scenario_text);
  scenario_text = NULL;
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *entry;
  char path[512];
  while ((entry = readdir(d))) {
    if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
    snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
    remove(path);
  }
  closedir(d);
  rmdir(dir);
}

/* The baseline's regions, cycled (renamed region_NN when repeated), equal fleet shares. */
static void set_regions(int regions) {
  const int given = params.region_count;
  cr_assert_gt(given, 0);
  for (int g = regions - 1; g >= 0; g--) {
    params.regions[g] = params.regions[g % given];
    if (regions > given) snprintf(params.regions[g].name, sizeof params.regions[g].name, "region_%02d", g);
    params.regions[g].fleet_share = 1.0 / regions;
    region_names[g] = params.regions[g].name;
  }
  params.region_count = regions;
}

/* The caller's fleetmc_version, git_commit and created are not the writer's: the file must carry
 * the writer's own. */
static fleet_run_info_t test_info_regions(int regions) {
  fleet_error_t err;
  cr_assert_eq(fleet_scenario_load(FLEET_SOURCE_DIR "/configs/baseline.yaml", NULL, 0, &params, &err), FLEET_OK, "%s",
               err.message);
  params.seed = UINT64_C(0xfedcba9876543210); /* above INT64_MAX: checks unsigned */
  params.first_replica = FIRST_REPLICA;
  params.replicas = REPLICAS;
  params.years = YEARS;
  params.discount_rate = 0.25; /* 1.25^y is exact: NPVs by hand */
  params.lease_years = 2;
  params.price_paths_per_replica = PATHS;
  set_regions(regions);
  free(scenario_text);
  scenario_text = fleet_scenario_format(&params);
  cr_assert_not_null(scenario_text);
  fleet_sha256_hex(scenario_text, strlen(scenario_text), scenario_sha256);
  cr_assert_eq(fleet_model_sha256(&params, model_sha256, &err), FLEET_OK, "%s", err.message);
  return (fleet_run_info_t){.fleetmc_version = "9.9.9-caller",
                            .git_commit = "caller-commit",
                            .created = "1999-12-31T23:59:59Z",
                            .command_line = "fleetmc run --replicas 2 -o run.h5 r\xc3\xa9gions.yaml",
                            .scenario_file = "configs/r\xc3\xa9gions \xe2\x80\x93 \xc2\xb0" "C.yaml",
                            .model_sha256 = model_sha256,
                            .seed = params.seed,
                            .first_replica = params.first_replica,
                            .replicas = params.replicas,
                            .years = params.years,
                            .vehicles = params.vehicles,
                            .first_year = params.first_year,
                            .discount_rate = params.discount_rate,
                            .lease_years = params.lease_years,
                            .stopped_by = "target_error C1=0.01 met at 2 replicas (caller's)",
                            .price_paths = PATHS,
                            .scenario_text = scenario_text,
                            .scenario_sha256 = scenario_sha256,
                            .region_count = regions,
                            .region_names = region_names};
}

static fleet_run_info_t test_info(void) { return test_info_regions(REGIONS); }

/* ---- the values written ------------------------------------------------------------------ */

/* Value j of the row of dataset k for replica r, year y: distinct for every (k, r, y, j) with
 * r, y < 4 and j < 16384; a whole number in [1, 2^24) (exact in a double), so inside every value
 * domain the reader accepts (counts, positive prices); the ledger's net brings negative values. */
static double year_value(int k, int r, int y, int64_t j) {
  return (double)(((int64_t)(k * 4 + r) * 4 + y) * 16384 + j + 1);
}

/* The ledger's net per replica-year (EUR). With discount_rate 0.25 (1.25^y exact) and lease_years 2:
 * NPV r0 = -1000 + 600 / 1.25 + 500 / 1.5625 = -1000 + 480 + 320 = -200, r1 = -1000 + 800 - 32 =
 * -232; cumulative net at the end of year 1: r0 -400 (not repaid), r1 0 (repaid: >= 0). */
static const double net_values[REPLICAS][YEARS] = {{-1000, 600, 500}, {-1000, 1000, -50}};
static const fleet_replica_derived_t derived_by_hand[REPLICAS] = {{.npv_eur = -200, .repaid = 0},
                                                                  {.npv_eur = -232, .repaid = 1}};
static const fleet_run_values_t run_values = {.wall_seconds = 2.5, .vehicle_hours = 1e9, .threads = 4};

/* What the file must hold (static: a replica-year is about 420 kB). */
static fleet_year_totals_t expected[REPLICAS][YEARS];
static fleet_replica_derived_t expected_derived[REPLICAS];
static fleet_run_values_t expected_run;
static fleet_year_totals_t buffer; /* handed to the writer, filled by the reader */

static fleet_schema_dims_t dims_of(int regions) { return (fleet_schema_dims_t){REPLICAS, YEARS, regions, PATHS}; }

/* Every FLEET_FROM_YEAR row of the table (the regions' part only; beyond stays 0), then the net. */
static void fill_totals(fleet_year_totals_t *t, int r, int y, int regions) {
  memset(t, 0, sizeof *t);
  const fleet_schema_dims_t dims = dims_of(regions);
  for (int k = 0; k < FLEET_DS_COUNT; k++) {
    const fleet_dataset_spec_t *spec = &fleet_datasets[k];
    if (spec->source != FLEET_FROM_YEAR) continue;
    double *row = fleet_dataset_row(spec, t, NULL, NULL);
    const int64_t n = fleet_dataset_row_length(spec, &dims);
    cr_assert_lt(n, 16384, "%s: rows longer than year_value allows", spec->path);
    for (int64_t j = 0; j < n; j++) row[j] = year_value(k, r, y, j);
  }
  t->ledger_eur[FLEET_LEDGER_NET] = net_values[r][y];
}

/* NaN in every value a file of regions regions holds for a replica-year (beyond stays 0). */
static void nan_totals(fleet_year_totals_t *t, int regions) {
  memset(t, 0, sizeof *t);
  const fleet_schema_dims_t dims = dims_of(regions);
  for (int k = 0; k < FLEET_DS_COUNT; k++)
    if (fleet_datasets[k].source == FLEET_FROM_YEAR) {
      double *row = fleet_dataset_row(&fleet_datasets[k], t, NULL, NULL);
      for (int64_t j = 0; j < fleet_dataset_row_length(&fleet_datasets[k], &dims); j++) row[j] = NAN;
    }
}

static void fill_expected(int regions) {
  for (int r = 0; r < REPLICAS; r++)
    for (int y = 0; y < YEARS; y++) fill_totals(&expected[r][y], r, y, regions);
  memcpy(expected_derived, derived_by_hand, sizeof expected_derived);
  expected_run = run_values;
}

/* ---- files and writers ------------------------------------------------------------------- */

static void paths(const char *name, char *final_path, char *tmp_path) {
  snprintf(final_path, 256, "%s/%s", dir, name);
  snprintf(tmp_path, 300, "%s.tmp.%ld", final_path, (long)getpid());
}

static int exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

static void assert_no_open_hdf5_objects(void) {
  cr_assert_eq(H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL), 0, "HDF5 objects left open");
}

static void write_text_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f, "cannot create %s", path);
  fputs(text, f);
  cr_assert_eq(fclose(f), 0);
}

/* The whole file (caller frees). */
static char *read_bytes(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "cannot open %s", path);
  cr_assert_eq(fseek(f, 0, SEEK_END), 0);
  const long n = ftell(f);
  cr_assert_geq(n, 0);
  rewind(f);
  char *bytes = malloc((size_t)n + 1);
  cr_assert_not_null(bytes);
  cr_assert_eq(fread(bytes, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *size = (size_t)n;
  return bytes;
}

static fleet_h5_writer_t *create_writer(const char *path, const fleet_run_info_t *info, int overwrite) {
  fleet_h5_writer_t *w = NULL;
  fleet_error_t err;
  fleet_error_clear(&err);
  cr_assert_eq(fleet_h5_create(path, info, overwrite, &w, &err), FLEET_OK, "create %s: %s", path, err.message);
  cr_assert_not_null(w);
  return w;
}

/* Writes expected[r][y], with garbage in the region arrays beyond the file's regions: the writer
 * must not take it. */
static void write_expected_year(fleet_h5_writer_t *w, int r, int y, int regions) {
  buffer = expected[r][y];
  for (int g = regions; g < FLEET_MAX_REGIONS; g++)
    buffer.region_pv_yield_kwh_per_kwp[g] = buffer.region_mean_temperature_c[g] = -1e300;
  fleet_error_t err;
  fleet_error_clear(&err);
  cr_assert_eq(fleet_h5_write_year(w, r, y, &buffer, &err), FLEET_OK, "write %d, %d: %s", r, y, err.message);
}

static fleet_status_t commit(fleet_h5_writer_t *w, const fleet_run_values_t *run, fleet_error_t *err) {
  fleet_error_clear(err);
  return fleet_h5_commit(w, run, err);
}

/* Every replica-year of expected, committed with expected_run. */
static void write_full_file(const char *path, const fleet_run_info_t *info, int overwrite) {
  fleet_h5_writer_t *w = create_writer(path, info, overwrite);
  for (int r = 0; r < REPLICAS; r++)
    for (int y = 0; y < YEARS; y++) write_expected_year(w, r, y, info->region_count);
  fleet_error_t err;
  cr_assert_eq(commit(w, &expected_run, &err), FLEET_OK, "commit %s: %s", path, err.message);
}

/* ---- plain HDF5 reading ------------------------------------------------------------------ */

static char *read_string_attr(hid_t obj, const char *name) {
  hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
  cr_assert_geq(attr, 0, "attribute %s missing", name);
  hid_t type = H5Aget_type(attr), space = H5Aget_space(attr);
  cr_assert_eq(H5Tget_class(type), H5T_STRING, "attribute %s is not a string", name);
  cr_assert_gt(H5Tis_variable_str(type), 0, "attribute %s is not variable-length", name);
  cr_assert_eq(H5Tget_cset(type), H5T_CSET_UTF8, "attribute %s is not UTF-8", name);
  cr_assert_eq(H5Sget_simple_extent_type(space), H5S_SCALAR, "attribute %s is not scalar", name);
  char *value = NULL;
  cr_assert_geq(H5Aread(attr, type, &value), 0);
  char *copy = strdup(value);
  H5free_memory(value);
  H5Sclose(space);
  H5Tclose(type);
  H5Aclose(attr);
  return copy;
}

static void assert_string_attr(hid_t obj, const char *where, const char *name, const char *expected_value) {
  char *value = read_string_attr(obj, name);
  cr_assert_str_eq(value, expected_value, "%s: attribute %s = '%s', expected '%s'", where, name, value,
                   expected_value);
  free(value);
}

static void read_scalar_attr(hid_t obj, const char *name, hid_t file_type, hid_t mem_type, void *out) {
  hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
  cr_assert_geq(attr, 0, "attribute %s missing", name);
  hid_t type = H5Aget_type(attr), space = H5Aget_space(attr);
  cr_assert_gt(H5Tequal(type, file_type), 0, "attribute %s has the wrong on-disk type", name);
  cr_assert_eq(H5Sget_simple_extent_type(space), H5S_SCALAR, "attribute %s is not scalar", name);
  cr_assert_geq(H5Aread(attr, mem_type, out), 0);
  H5Sclose(space);
  H5Tclose(type);
  H5Aclose(attr);
}

/* op_data: a NULL-terminated list of the names allowed; stops (1) at the first other. */
static herr_t unknown_attr(hid_t obj, const char *name, const H5A_info_t *info, void *data) {
  (void)obj, (void)info;
  for (const char *const *known = data; *known; known++)
    if (!strcmp(name, *known)) return 0;
  cr_log_error("unexpected attribute %s", name);
  return 1;
}

/* Every attribute of obj is named in known (NULL-terminated). */
static void assert_attrs_known(hid_t obj, const char *where, const char *const *known) {
  cr_assert_eq(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, unknown_attr, (void *)known), 0,
               "%s: an attribute the layout does not have", where);
}

static hsize_t link_count(hid_t file, const char *group) {
  H5G_info_t info;
  cr_assert_geq(H5Gget_info_by_name(file, group, &info, H5P_DEFAULT), 0, "group %s missing", group);
  return info.nlinks;
}

/* Shape of an open dataset; returns its rank. */
static int dataset_shape(hid_t dset, hsize_t dims[H5S_MAX_RANK], hsize_t *points) {
  hid_t space = H5Dget_space(dset);
  cr_assert_geq(space, 0);
  const int rank = H5Sget_simple_extent_ndims(space);
  hsize_t maxdims[H5S_MAX_RANK];
  cr_assert_geq(H5Sget_simple_extent_dims(space, dims, maxdims), 0);
  for (int i = 0; i < rank; i++) cr_assert_eq(maxdims[i], dims[i], "a dataset is extensible");
  *points = (hsize_t)H5Sget_simple_extent_npoints(space);
  H5Sclose(space);
  return rank;
}

/* A whole dataset converted to mem_type (8-byte elements; caller frees). */
static void *read_all(hid_t dset, hid_t mem_type, hsize_t points) {
  void *data = malloc((size_t)points * 8);
  cr_assert_not_null(data);
  cr_assert_geq(H5Dread(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
  return data;
}

/* A 1-D dataset of variable-length UTF-8 strings equal to want[0, n). */
static void assert_strings(hid_t dset, const char *path, hsize_t n, const char *const *want) {
  hid_t type = H5Dget_type(dset);
  cr_assert_eq(H5Tget_class(type), H5T_STRING, "%s does not hold strings", path);
  cr_assert_gt(H5Tis_variable_str(type), 0, "%s: strings not variable-length", path);
  cr_assert_eq(H5Tget_cset(type), H5T_CSET_UTF8, "%s: strings not UTF-8", path);
  char **values = calloc((size_t)n, sizeof *values);
  cr_assert_not_null(values);
  cr_assert_geq(H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), 0);
  for (hsize_t i = 0; i < n; i++)
    cr_assert_str_eq(values[i], want[i], "%s[%llu] = '%s', expected '%s'", path, (unsigned long long)i, values[i],
                     want[i]);
  for (hsize_t i = 0; i < n; i++) H5free_memory(values[i]);
  free(values);
  H5Tclose(type);
}

typedef struct {
  int count;
  char name[64], path[160];
} scale_seen_t;

static herr_t visit_scale(hid_t dset, unsigned dim, hid_t scale, void *data) {
  (void)dset, (void)dim;
  scale_seen_t *seen = data;
  seen->count++;
  if (H5DSget_scale_name(scale, seen->name, sizeof seen->name) <= 0) seen->name[0] = '\0';
  if (H5Iget_name(scale, seen->path, sizeof seen->path) <= 0) seen->path[0] = '\0';
  return 0;
}

/* Axis dim of dset has exactly one dimension scale: axis a's, in the dataset's group. */
static void assert_scale(hid_t dset, const char *path, unsigned dim, const char *group, fleet_axis_t a) {
  scale_seen_t seen = {0};
  cr_assert_geq(H5DSiterate_scales(dset, dim, NULL, visit_scale, &seen), 0, "%s: axis %u has no scale", path, dim);
  cr_assert_eq(seen.count, 1, "%s: axis %u has %d dimension scales, expected 1", path, dim, seen.count);
  cr_assert_str_eq(seen.name, fleet_axes[a].name, "%s: axis %u's scale is named '%s', expected '%s'", path, dim,
                   seen.name, fleet_axes[a].name);
  char want[160];
  snprintf(want, sizeof want, "/%s/%s", group, fleet_axes[a].name);
  cr_assert_str_eq(seen.path, want, "%s: axis %u's scale is %s, expected %s", path, dim, seen.path, want);
}

/* ---- the file against the tables --------------------------------------------------------- */

/* YYYY-MM-DDTHH:MM:SSZ with fields in range (not compared with the clock). */
static void assert_utc_timestamp(const char *s) {
  static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
  cr_assert_eq(strlen(s), strlen(form), "created = '%s'", s);
  for (size_t i = 0; form[i]; i++)
    cr_assert(form[i] == 'd' ? isdigit((unsigned char)s[i]) != 0 : s[i] == form[i], "created = '%s'", s);
  int year, month, day, hour, minute, second;
  cr_assert_eq(sscanf(s, "%d-%d-%dT%d:%d:%d", &year, &month, &day, &hour, &minute, &second), 6);
  cr_assert(year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 &&
                second <= 60,
            "created = '%s'", s);
}

/* The root attribute strings the file must hold: the writer's own for the first three. */
static const char *root_string(const fleet_root_attr_spec_t *a, const fleet_run_info_t *info) {
  if (!strcmp(a->name, "fleetmc_version")) return FLEETMC_VERSION;
  if (!strcmp(a->name, "git_commit")) return fleet_build_git_commit;
  if (!strcmp(a->name, "created")) return NULL; /* the clock's: its form is checked */
  return *(const char *const *)((const char *)info + a->info_offset);
}

static void check_root_attrs(hid_t file, const fleet_run_info_t *info) {
  assert_string_attr(file, "/", "filetype", "fleetmc");
  int32_t format_version = 0;
  read_scalar_attr(file, "format_version", H5T_STD_I32LE, H5T_NATIVE_INT32, &format_version);
  cr_assert_eq(format_version, FLEETMC_FORMAT_VERSION);
  for (int k = 0; k < FLEET_ROOT_ATTR_COUNT; k++) {
    const fleet_root_attr_spec_t *a = &fleet_root_attrs[k];
    const void *given = (const char *)info + a->info_offset;
    if (a->kind == FLEET_ATTR_STRING) {
      char *value = read_string_attr(file, a->name);
      const char *want = root_string(a, info);
      if (want) cr_assert_str_eq(value, want, "attribute %s = '%s', expected '%s'", a->name, value, want);
      else assert_utc_timestamp(value);
      free(value);
    } else if (a->kind == FLEET_ATTR_U64) {
      uint64_t v = 0;
      read_scalar_attr(file, a->name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
      cr_assert_eq(v, *(const uint64_t *)given, "attribute %s", a->name);
    } else if (a->kind == FLEET_ATTR_I64) {
      int64_t v = 0;
      read_scalar_attr(file, a->name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
      cr_assert_eq(v, *(const int64_t *)given, "attribute %s = %lld", a->name, (long long)v);
    } else {
      double v = 0;
      read_scalar_attr(file, a->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
      cr_assert_eq(v, *(const double *)given, "attribute %s = %.17g", a->name, v);
    }
  }
  /* nothing beyond the table's (the old layout's threads is gone), identity and their checksum */
  const char *known[FLEET_ROOT_ATTR_COUNT + 4] = {"filetype", "format_version", "attributes_sha256"};
  for (int k = 0; k < FLEET_ROOT_ATTR_COUNT; k++) known[3 + k] = fleet_root_attrs[k].name;
  known[FLEET_ROOT_ATTR_COUNT + 3] = NULL;
  assert_attrs_known(file, "/", known);
}

static void check_scenario(hid_t file, const fleet_run_info_t *info) {
  hid_t dset = H5Dopen2(file, "/scenario", H5P_DEFAULT);
  cr_assert_geq(dset, 0, "/scenario missing");
  hid_t type = H5Dget_type(dset), space = H5Dget_space(dset);
  cr_assert_gt(H5Tis_variable_str(type), 0);
  cr_assert_eq(H5Tget_cset(type), H5T_CSET_UTF8);
  cr_assert_eq(H5Sget_simple_extent_type(space), H5S_SCALAR);
  char *text = NULL;
  cr_assert_geq(H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), 0);
  cr_assert_str_eq(text, info->scenario_text);
  H5free_memory(text);
  assert_string_attr(dset, "/scenario", "sha256", info->scenario_sha256);
  H5Sclose(space);
  H5Tclose(type);
  H5Dclose(dset);
}

/* The row of the expected values holding the dataset's values number i * row length on. */
static const double *expected_row(const fleet_dataset_spec_t *spec, int64_t i) {
  switch (spec->source) {
  case FLEET_FROM_YEAR: return fleet_dataset_row(spec, &expected[i / YEARS][i % YEARS], NULL, NULL);
  case FLEET_FROM_REPLICA: return fleet_dataset_row(spec, NULL, &expected_derived[i], NULL);
  case FLEET_FROM_RUN: return fleet_dataset_row(spec, NULL, NULL, &expected_run);
  }
  return NULL;
}

static int same(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

/* Type, shape, attributes and dimension scales of dataset k. */
static void check_dataset_form(hid_t dset, const fleet_dataset_spec_t *spec, const fleet_schema_dims_t *dims) {
  const char *path = spec->path;
  hid_t type = H5Dget_type(dset);
  cr_assert_gt(H5Tequal(type, spec->type == FLEET_TYPE_F64 ? H5T_IEEE_F64LE : H5T_STD_I64LE), 0,
               "%s: wrong on-disk type", path);
  H5Tclose(type);
  hsize_t shape[H5S_MAX_RANK], points;
  cr_assert_eq(dataset_shape(dset, shape, &points), spec->rank, "%s: rank", path);
  for (int i = 0; i < spec->rank; i++)
    cr_assert_eq(shape[i], (hsize_t)fleet_axis_length(spec->axes[i], dims), "%s: length of axis %d (%s) = %llu",
                 path, i, fleet_axes[spec->axes[i]].name, (unsigned long long)shape[i]);
  assert_string_attr(dset, path, "units", spec->units);
  assert_string_attr(dset, path, "long_name", spec->long_name);
  assert_string_attr(dset, path, "description", spec->description);
  if (spec->type == FLEET_TYPE_F64) {
    double fill = 0.0;
    read_scalar_attr(dset, "_FillValue", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &fill);
    cr_assert(isnan(fill), "%s: _FillValue = %g, expected NaN", path, fill);
  } else {
    cr_assert_eq(H5Aexists(dset, "_FillValue"), 0, "%s: an integer dataset has _FillValue", path);
  }
  /* nothing beyond these (the old layout's sources, regions, bin_edges... are gone): the table's three,
   * _FillValue, HDF5's DIMENSION_LIST, and a scalar's checksum */
  static const char *const known[] = {"units", "long_name", "description", "_FillValue", "DIMENSION_LIST", "sha256",
                                      NULL};
  assert_attrs_known(dset, path, known);
  for (int i = 0; i < spec->rank; i++) assert_scale(dset, path, (unsigned)i, spec->group, spec->axes[i]);
  /* the long rows (hours, account bins) are chunked one replica-year row at a time */
  if (spec->rank == 3 && shape[2] >= 1000) {
    hid_t dcpl = H5Dget_create_plist(dset);
    hsize_t chunk[3] = {0};
    cr_assert_eq(H5Pget_layout(dcpl), H5D_CHUNKED, "%s is not chunked", path);
    cr_assert_eq(H5Pget_chunk(dcpl, 3, chunk), 3);
    cr_assert(chunk[0] == 1 && chunk[1] == 1 && chunk[2] == shape[2], "%s: chunk", path);
    H5Pclose(dcpl);
  }
}

/* Every value of dataset k equals the expected one of its row (NaN: NaN). */
static void check_dataset_values(hid_t dset, const fleet_dataset_spec_t *spec, const fleet_schema_dims_t *dims) {
  hsize_t shape[H5S_MAX_RANK], points;
  dataset_shape(dset, shape, &points);
  const int64_t rows = spec->source == FLEET_FROM_YEAR      ? REPLICAS * YEARS
                       : spec->source == FLEET_FROM_REPLICA ? REPLICAS
                                                            : 1;
  const int64_t n = fleet_dataset_row_length(spec, dims);
  cr_assert_eq((int64_t)points, rows * n, "%s: %llu values", spec->path, (unsigned long long)points);
  double *data = read_all(dset, H5T_NATIVE_DOUBLE, points);
  for (int64_t i = 0; i < rows; i++) {
    const double *want = expected_row(spec, i);
    for (int64_t j = 0; j < n; j++)
      cr_assert(same(data[i * n + j], want[j]), "%s: row %lld, value %lld = %.17g, expected %.17g", spec->path,
                (long long)i, (long long)j, data[i * n + j], want[j]);
  }
  free(data);
}

static void check_dataset(hid_t file, int k, const fleet_schema_dims_t *dims) {
  const fleet_dataset_spec_t *spec = &fleet_datasets[k];
  hid_t dset = H5Dopen2(file, spec->path, H5P_DEFAULT);
  cr_assert_geq(dset, 0, "dataset %s missing", spec->path);
  check_dataset_form(dset, spec, dims);
  check_dataset_values(dset, spec, dims);
  H5Dclose(dset);
}

/* The coordinate values of an integer axis. */
static int64_t int_coordinate(const fleet_axis_spec_t *axis, const fleet_run_info_t *info, int64_t i) {
  return axis->kind == FLEET_AXIS_KIND_REPLICA ? info->first_replica + i
         : axis->kind == FLEET_AXIS_KIND_YEAR  ? info->first_year + i
                                               : i; /* time: hours from 0; bound: 0, 1 */
}

static void check_axis_values(hid_t dset, const char *path, fleet_axis_t a, const fleet_run_info_t *info,
                              hsize_t n) {
  const fleet_axis_spec_t *axis = &fleet_axes[a];
  if (axis->kind == FLEET_AXIS_KIND_REGION || axis->kind == FLEET_AXIS_KIND_LABELS) {
    assert_strings(dset, path, n, axis->kind == FLEET_AXIS_KIND_REGION ? info->region_names : axis->labels);
    return;
  }
  hid_t type = H5Dget_type(dset);
  const int bins = axis->kind == FLEET_AXIS_KIND_BINS;
  cr_assert_gt(H5Tequal(type, bins ? H5T_IEEE_F64LE : H5T_STD_I64LE), 0, "%s: wrong on-disk type", path);
  H5Tclose(type);
  if (bins) {
    double *v = read_all(dset, H5T_NATIVE_DOUBLE, n);
    for (hsize_t i = 0; i < n; i++)
      cr_assert_eq(v[i], axis->edge((int)i), "%s[%llu] = %.17g", path, (unsigned long long)i, v[i]);
    free(v);
  } else {
    int64_t *v = read_all(dset, H5T_NATIVE_INT64, n);
    for (hsize_t i = 0; i < n; i++)
      cr_assert_eq(v[i], int_coordinate(axis, info, (int64_t)i), "%s[%llu] = %lld", path, (unsigned long long)i,
                   (long long)v[i]);
    free(v);
  }
}

/* The attributes of the coordinate of axis a. */
static void check_axis_attrs(hid_t dset, const char *path, fleet_axis_t a, const fleet_run_info_t *info) {
  const fleet_axis_spec_t *axis = &fleet_axes[a];
  assert_string_attr(dset, path, "long_name", axis->long_name);
  if (axis->kind == FLEET_AXIS_KIND_TIME) {
    char units[64];
    snprintf(units, sizeof units, "hours since %lld-01-01 00:00:00", (long long)info->first_year);
    assert_string_attr(dset, path, "units", units);
    assert_string_attr(dset, path, "calendar", "noleap");
    assert_string_attr(dset, path, "standard_name", "time");
  } else if (axis->units) {
    assert_string_attr(dset, path, "units", axis->units);
  } else {
    cr_assert_eq(H5Aexists(dset, "units"), 0, "%s: units without the table's", path);
  }
  if (axis->kind == FLEET_AXIS_KIND_BINS) {
    char bounds[96];
    snprintf(bounds, sizeof bounds, "%s_bounds", axis->name);
    assert_string_attr(dset, path, "bounds", bounds);
  }
}

/* /group/NAME: a dimension scale named NAME with the axis' values and attributes. */
static void check_axis(hid_t file, const char *group, fleet_axis_t a, const fleet_run_info_t *info,
                       const fleet_schema_dims_t *dims) {
  char path[160], name[64];
  snprintf(path, sizeof path, "/%s/%s", group, fleet_axes[a].name);
  hid_t dset = H5Dopen2(file, path, H5P_DEFAULT);
  cr_assert_geq(dset, 0, "coordinate %s missing", path);
  cr_assert_gt(H5DSis_scale(dset), 0, "%s is not a dimension scale", path);
  cr_assert_gt(H5DSget_scale_name(dset, name, sizeof name), 0, "%s has no scale name", path);
  cr_assert_str_eq(name, fleet_axes[a].name, "%s: scale name '%s'", path, name);
  hsize_t shape[H5S_MAX_RANK], points;
  cr_assert_eq(dataset_shape(dset, shape, &points), 1, "%s is not 1-D", path);
  cr_assert_eq(shape[0], (hsize_t)fleet_axis_length(a, dims), "%s: length %llu", path, (unsigned long long)shape[0]);
  check_axis_values(dset, path, a, info, shape[0]);
  check_axis_attrs(dset, path, a, info);
  H5Dclose(dset);
}

/* /group/NAME_bounds of a bin axis: [bins, bound] = [edge k, edge k + 1]. */
static void check_bounds(hid_t file, const char *group, fleet_axis_t a) {
  const fleet_axis_spec_t *axis = &fleet_axes[a];
  char path[160];
  snprintf(path, sizeof path, "/%s/%s_bounds", group, axis->name);
  hid_t dset = H5Dopen2(file, path, H5P_DEFAULT);
  cr_assert_geq(dset, 0, "bounds %s missing", path);
  hid_t type = H5Dget_type(dset);
  cr_assert_gt(H5Tequal(type, H5T_IEEE_F64LE), 0, "%s: wrong on-disk type", path);
  H5Tclose(type);
  hsize_t shape[H5S_MAX_RANK], points;
  cr_assert_eq(dataset_shape(dset, shape, &points), 2, "%s is not 2-D", path);
  cr_assert(shape[0] == (hsize_t)axis->length && shape[1] == 2, "%s: shape [%llu, %llu]", path,
            (unsigned long long)shape[0], (unsigned long long)shape[1]);
  double *v = read_all(dset, H5T_NATIVE_DOUBLE, points);
  for (int k = 0; k < axis->length; k++)
    cr_assert(v[2 * k] == axis->edge(k) && v[2 * k + 1] == axis->edge(k + 1), "%s[%d] = [%g, %g]", path, k,
              v[2 * k], v[2 * k + 1]);
  free(v);
  if (axis->units) assert_string_attr(dset, path, "units", axis->units);
  assert_scale(dset, path, 0, group, a);
  assert_scale(dset, path, 1, group, FLEET_AXIS_BOUND);
  H5Dclose(dset);
}

/* Every axis the group's datasets use has its coordinate (bins: and bounds) in the group, and the
 * group holds nothing else. */
static void check_group_coordinates(hid_t file, const char *group, const fleet_run_info_t *info,
                                    const fleet_schema_dims_t *dims) {
  int used[FLEET_AXIS_COUNT] = {0};
  hsize_t objects = 0;
  for (int k = 0; k < FLEET_DS_COUNT; k++)
    if (!strcmp(fleet_datasets[k].group, group)) {
      objects++;
      for (int i = 0; i < fleet_datasets[k].rank; i++) used[fleet_datasets[k].axes[i]] = 1;
    }
  for (int a = 0; a < FLEET_AXIS_COUNT; a++)
    if (used[a] && fleet_axes[a].kind == FLEET_AXIS_KIND_BINS) used[FLEET_AXIS_BOUND] = 1;
  for (int a = 0; a < FLEET_AXIS_COUNT; a++) {
    if (!used[a]) continue;
    objects++;
    check_axis(file, group, (fleet_axis_t)a, info, dims);
    if (fleet_axes[a].kind != FLEET_AXIS_KIND_BINS) continue;
    objects++;
    check_bounds(file, group, (fleet_axis_t)a);
  }
  char path[64];
  snprintf(path, sizeof path, "/%s", group);
  cr_assert_eq(link_count(file, path), objects, "%s holds %llu objects, expected %llu", path,
               (unsigned long long)link_count(file, path), (unsigned long long)objects);
}

/* The whole file through the plain HDF5 API against the tables, info and the expected values. */
static void check_file(const char *path, const fleet_run_info_t *info) {
  const fleet_schema_dims_t dims = dims_of(info->region_count);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert_geq(file, 0, "cannot open %s", path);
  check_root_attrs(file, info);
  check_scenario(file, info);
  for (int k = 0; k < FLEET_DS_COUNT; k++) check_dataset(file, k, &dims);
  const char *groups[FLEET_GROUP_MAX];
  const int group_count = fleet_schema_groups(groups);
  for (int g = 0; g < group_count; g++) check_group_coordinates(file, groups[g], info, &dims);
  cr_assert_eq(link_count(file, "/"), (hsize_t)group_count + 1, "/ holds more than the groups and /scenario");
  H5Fclose(file);
  assert_no_open_hdf5_objects();
}

/* ---- the file through the reader --------------------------------------------------------- */

/* got == want value by value (NaN == NaN), naming the dataset of the first difference; then bit
 * for bit, the region arrays beyond the file's regions included (0). */
static void assert_totals_same(const fleet_year_totals_t *got, const fleet_year_totals_t *want, int r, int y) {
  const fleet_schema_dims_t all = dims_of(FLEET_MAX_REGIONS);
  for (int k = 0; k < FLEET_DS_COUNT; k++) {
    const fleet_dataset_spec_t *spec = &fleet_datasets[k];
    if (spec->source != FLEET_FROM_YEAR) continue;
    const double *g = fleet_dataset_row(spec, (fleet_year_totals_t *)got, NULL, NULL);
    const double *w = fleet_dataset_row(spec, (fleet_year_totals_t *)want, NULL, NULL);
    for (int64_t j = 0; j < fleet_dataset_row_length(spec, &all); j++)
      cr_assert(same(g[j], w[j]), "read back %s[%d, %d, %lld] = %.17g, written %.17g", spec->path, r, y,
                (long long)j, g[j], w[j]);
  }
  cr_assert_eq(memcmp(got, want, sizeof *got), 0, "replica %d, year %d: not bit for bit", r, y);
}

#define CHECK_INFO_STRING(name) cr_assert_str_eq(got->name, want.name, "reader: " #name " = '%s'", got->name)
#define CHECK_INFO_NUMBER(name) cr_assert(got->name == want.name, "reader: " #name)
#define CHECK_INFO_FLEET_ATTR_STRING CHECK_INFO_STRING
#define CHECK_INFO_FLEET_ATTR_U64 CHECK_INFO_NUMBER
#define CHECK_INFO_FLEET_ATTR_I64 CHECK_INFO_NUMBER
#define CHECK_INFO_FLEET_ATTR_F64 CHECK_INFO_NUMBER
#define CHECK_INFO_ROW(name, kind, description) CHECK_INFO_##kind(name);

/* The reader's info: every root attribute, /scenario, the regions and /runtime. */
static void check_reader_info(const fleet_h5_file_info_t *got, const fleet_run_info_t *given,
                              const fleet_run_values_t *run) {
  fleet_run_info_t want = *given;
  want.fleetmc_version = FLEETMC_VERSION;
  want.git_commit = fleet_build_git_commit;
  want.created = got->created;
  assert_utc_timestamp(got->created);
  FLEET_ROOT_ATTRS(CHECK_INFO_ROW)
  cr_assert_str_eq(got->scenario_text, given->scenario_text);
  cr_assert_str_eq(got->scenario_sha256, given->scenario_sha256);
  cr_assert_eq(got->region_count, given->region_count);
  for (int g = 0; g < given->region_count; g++)
    cr_assert_str_eq(got->region_names[g], given->region_names[g], "reader: region %d", g);
  cr_assert(got->runtime.wall_seconds == run->wall_seconds && got->runtime.vehicle_hours == run->vehicle_hours &&
                got->runtime.threads == run->threads,
            "reader: runtime %g %g %g", got->runtime.wall_seconds, got->runtime.vehicle_hours, got->runtime.threads);
}

/* Opens path with the reader: its info, every replica-year against expected, and the range
 * checks of fleet_h5_read_year. */
static void check_reader(const char *path, const fleet_run_info_t *given) {
  fleet_h5_reader_t *reader = NULL;
  fleet_error_t err;
  fleet_error_clear(&err);
  cr_assert_eq(fleet_h5_open(path, &reader, &err), FLEET_OK, "%s", err.message);
  check_reader_info(fleet_h5_reader_info(reader), given, &expected_run);
  for (int r = 0; r < REPLICAS; r++)
    for (int y = 0; y < YEARS; y++) {
      memset(&buffer, 0xa5, sizeof buffer); /* the reader must set every byte */
      cr_assert_eq(fleet_h5_read_year(reader, r, y, &buffer, &err), FLEET_OK, "%s", err.message);
      assert_totals_same(&buffer, &expected[r][y], r, y);
    }
  const int64_t bad[][2] = {{-1, 0}, {REPLICAS, 0}, {0, -1}, {0, YEARS}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_assert_eq(fleet_h5_read_year(reader, bad[i][0], bad[i][1], &buffer, &err), FLEET_ERR_USAGE,
                 "read of replica %lld, year %lld accepted", (long long)bad[i][0], (long long)bad[i][1]);
  cr_assert_eq(fleet_h5_close(reader, &err), FLEET_OK, "%s", err.message);
  assert_no_open_hdf5_objects();
}

/* ---- tests ------------------------------------------------------------------------------- */

TestSuite(h5_writer, .init = setup, .fini = teardown);

Test(h5_writer, round_trip) {
  char final_path[256], tmp_path[300];
  paths("run.h5", final_path, tmp_path);
  const fleet_run_info_t info = test_info();
  fill_expected(REGIONS);
  fleet_h5_writer_t *w = create_writer(final_path, &info, 0);
  cr_assert(exists(tmp_path), "temporary file %s missing while writing", tmp_path);
  for (int r = 0; r < REPLICAS; r++)
    for (int y = 0; y < YEARS; y++) write_expected_year(w, r, y, REGIONS);
  cr_assert(!exists(final_path), "final file before commit");
  fleet_error_t err;
  cr_assert_eq(commit(w, &expected_run, &err), FLEET_OK, "%s", err.message);
  assert_no_open_hdf5_objects();
  cr_assert(!exists(tmp_path), "temporary file %s left after commit", tmp_path);
  check_file(final_path, &info);
  check_reader(final_path, &info);
}

/* Replica 0 complete, replica 1 only its last year: everything never written is NaN in the file
 * (_FillValue), replica 1's NPV and repaid stay NaN, and the reader refuses the file (a NaN in a
 * sum is a replica-year never written: an interrupted run), naming it. */
Test(h5_writer, unwritten_replica_years_read_as_nan) {
  char final_path[256], tmp_path[300];
  paths("partial.h5", final_path, tmp_path);
  const fleet_run_info_t info = test_info();
  fill_expected(REGIONS);
  fleet_h5_writer_t *w = create_writer(final_path, &info, 0);
  for (int y = 0; y < YEARS; y++) write_expected_year(w, 0, y, REGIONS);
  write_expected_year(w, 1, YEARS - 1, REGIONS);
  write_expected_year(w, 1, YEARS - 1, REGIONS); /* twice: still one year of three */
  fleet_error_t err;
  cr_assert_eq(commit(w, &expected_run, &err), FLEET_OK, "%s", err.message);
  for (int y = 0; y < YEARS - 1; y++) nan_totals(&expected[1][y], REGIONS);
  expected_derived[1] = (fleet_replica_derived_t){NAN, NAN};
  check_file(final_path, &info);
  fleet_h5_reader_t *reader = NULL;
  cr_assert_eq(fleet_h5_open(final_path, &reader, &err), FLEET_ERR_INPUT, "a file with unwritten years opened");
  cr_assert_null(reader);
  cr_assert(strstr(err.message, final_path) && strstr(err.message, "NaN"), "message '%s'", err.message);
  assert_no_open_hdf5_objects();
}

/* NPV and repaid by hand, for lease_years shorter than, equal to and beyond the run. A replica's
 * years are written one after another (a year rewritten: the last write counts, once); a replica
 * missing a year, or whose years another replica's interrupted, keeps NaN in both (h5_writer.h). */
Test(h5_writer, npv_and_repaid_by_hand) {
  enum { PR = 5 };
  /* net cash flows; replica 3 misses year 1, replica 4 is interrupted by replica 2 */
  const double net[PR][YEARS] = {
      {-1000, 600, 500}, {-1000, 1000, -50}, {-500, 625, 0}, {-1000, 2000, 3000}, {100, 100, 100}};
  const struct {
    int r, y;
    double net;
  } writes[] = {{0, 0, 7777}, {0, 0, -1000}, {0, 1, 600},  {0, 2, 500}, {1, 0, -1000}, {1, 1, 1000},
                {1, 2, -50},  {4, 0, 100},   {2, 0, -500}, {2, 1, 625}, {2, 2, 0},     {4, 1, 100},
                {4, 2, 100},  {3, 0, -1000}, {3, 2, 3000}};
  /* at 0.25: -1000 + 480 + 320; -1000 + 800 - 32; -500 + 500 + 0 (all exact) */
  const double npv_by_hand[PR] = {-200, -232, 0, NAN, NAN};
  /* at 0: plain sums */
  const double sum_by_hand[PR] = {100, -50, 125, NAN, NAN};
  const struct {
    int64_t lease_years;
    double rate;
    double repaid[PR]; /* cumulative net at the end of year min(lease_years, 3) - 1 >= 0 */
  } cases[] = {{1, 0.25, {0, 0, 0, NAN, NAN}},   /* -1000, -1000, -500 */
               {2, 0.25, {0, 1, 1, NAN, NAN}},   /* -400, 0, 125 */
               {3, 0.0, {1, 0, 1, NAN, NAN}},    /* 100, -50, 125 */
               {10, 0.25, {1, 0, 1, NAN, NAN}}}; /* the run ends first: as 3 */
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    char final_path[256], tmp_path[300], name[32];
    snprintf(name, sizeof name, "npv_%zu.h5", c);
    paths(name, final_path, tmp_path);
    fleet_run_info_t info = test_info();
    info.replicas = PR;
    info.lease_years = cases[c].lease_years;
    info.discount_rate = cases[c].rate;
    fleet_h5_writer_t *w = create_writer(final_path, &info, 0);
    fleet_error_t err;
    fill_totals(&buffer, 0, 0, REGIONS); /* values the writer accepts; only the net matters here */
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
      cr_assert(writes[i].net == net[writes[i].r][writes[i].y] || writes[i].net == 7777, "writes[%zu]", i);
      buffer.ledger_eur[FLEET_LEDGER_NET] = writes[i].net;
      cr_assert_eq(fleet_h5_write_year(w, writes[i].r, writes[i].y, &buffer, &err), FLEET_OK, "%s", err.message);
    }
    cr_assert_eq(commit(w, &run_values, &err), FLEET_OK, "%s", err.message);

    hid_t file = H5Fopen(final_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(file, 0);
    double rate = 0;
    int64_t lease_years = 0;
    read_scalar_attr(file, "discount_rate", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &rate);
    read_scalar_attr(file, "lease_years", H5T_STD_I64LE, H5T_NATIVE_INT64, &lease_years);
    cr_assert(rate == cases[c].rate && lease_years == cases[c].lease_years, "case %zu: root attributes", c);
    const hid_t npv_dset = H5Dopen2(file, fleet_datasets[FLEET_DS_NPV].path, H5P_DEFAULT);
    const hid_t repaid_dset = H5Dopen2(file, fleet_datasets[FLEET_DS_REPAID].path, H5P_DEFAULT);
    cr_assert(npv_dset >= 0 && repaid_dset >= 0, "npv or repaid missing");
    hsize_t shape[H5S_MAX_RANK], points;
    cr_assert(dataset_shape(npv_dset, shape, &points) == 1 && shape[0] == PR, "npv shape");
    cr_assert(dataset_shape(repaid_dset, shape, &points) == 1 && shape[0] == PR, "repaid shape");
    double *npv = read_all(npv_dset, H5T_NATIVE_DOUBLE, PR), *repaid = read_all(repaid_dset, H5T_NATIVE_DOUBLE, PR);
    for (int r = 0; r < PR; r++) {
      const double want = cases[c].rate == 0.0 ? sum_by_hand[r] : npv_by_hand[r];
      cr_assert(same(npv[r], want), "case %zu npv[%d] = %.17g, expected %g", c, r, npv[r], want);
      cr_assert(same(repaid[r], cases[c].repaid[r]), "case %zu repaid[%d] = %g, expected %g", c, r, repaid[r],
                cases[c].repaid[r]);
    }
    free(npv);
    free(repaid);
    H5Dclose(npv_dset);
    H5Dclose(repaid_dset);
    H5Fclose(file);
    assert_no_open_hdf5_objects();
  }
}

Test(h5_writer, discard_leaves_no_file) {
  char final_path[256], tmp_path[300];
  paths("discarded.h5", final_path, tmp_path);
  const fleet_run_info_t info = test_info();
  fill_expected(REGIONS);
  fleet_h5_writer_t *w = create_writer(final_path, &info, 0);
  write_expected_year(w, 0, 0, REGIONS);
  cr_assert(exists(tmp_path));
  fleet_h5_discard(w);
  cr_assert(!exists(tmp_path), "temporary file left after discard");
  cr_assert(!exists(final_path), "final file created by discard");
  assert_no_open_hdf5_objects();
  fleet_h5_discard(NULL); /* harmless */
}

Test(h5_writer, missing_directory_fails_naming_the_path) {
  char final_path[256];
  snprintf(final_path, sizeof final_path, "%s/no/such/dir/run.h5", dir);
  const fleet_run_info_t info = test_info();
  fleet_error_t err;
  fleet_error_clear(&err);
  fleet_h5_writer_t *w = (fleet_h5_writer_t *)&err; /* must be reset to NULL */
  const fleet_status_t status = fleet_h5_create(final_path, &info, 1, &w, &err);
  cr_assert(status == FLEET_ERR_IO || status == FLEET_ERR_HDF5, "status %d", status);
  cr_assert_eq(err.code, status);
  cr_assert_null(w);
  cr_assert_not_null(strstr(err.message, final_path), "message '%s' does not name %s", err.message, final_path);
  assert_no_open_hdf5_objects();
}

Test(h5_writer, out_of_range_replica_or_year_rejected) {
  char final_path[256], tmp_path[300];
  paths("range.h5", final_path, tmp_path);
  const fleet_run_info_t info = test_info();
  fill_expected(REGIONS);
  fleet_h5_writer_t *w = create_writer(final_path, &info, 0);
  buffer = expected[0][0];
  const int64_t bad[][2] = {{-1, 0}, {REPLICAS, 0}, {0, -1}, {0, YEARS}, {INT64_MAX, INT64_MIN}};
  fleet_error_t err;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    fleet_error_clear(&err);
    cr_assert_eq(fleet_h5_write_year(w, bad[i][0], bad[i][1], &buffer, &err), FLEET_ERR_USAGE,
                 "replica %lld year %lld accepted", (long long)bad[i][0], (long long)bad[i][1]);
    cr_assert(strstr(err.message, tmp_path) && strstr(err.message, "the file holds [0, 2) x [0, 3)"),
              "message '%s'", err.message);
  }
  cr_assert_eq(fleet_h5_write_year(w, 0, 0, NULL, &err), FLEET_ERR_USAGE, "NULL totals accepted");
  cr_assert_eq(fleet_h5_write_year(NULL, 0, 0, &buffer, &err), FLEET_ERR_USAGE, "NULL writer accepted");
  /* the writer is still usable */
  write_expected_year(w, REPLICAS - 1, YEARS - 1, REGIONS);
  fleet_h5_discard(w);
  cr_assert(!exists(tmp_path));
  assert_no_open_hdf5_objects();
}

/* Spoils field i of info; returns what the message must name, NULL past the last case. */
static const char *spoil_info(fleet_run_info_t *info, int i) {
  static const char *const null_region[REGIONS] = {"bretagne", NULL, "provence"};
  switch (i) {
  case 0: info->scenario_sha256 = "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"; return "sha256";
  case 1: info->scenario_sha256 = "0123456789abcdef"; return "sha256";
  case 2: info->scenario_sha256 = NULL; return "sha256";
  case 3: info->model_sha256 = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba987654321g"; return "sha256";
  case 4: info->model_sha256 = NULL; return "model_sha256";
  case 5: info->scenario_text = NULL; return "scenario text";
  case 6: info->command_line = NULL; return "command line";
  case 7: info->scenario_file = NULL; return "scenario file";
  case 8: info->replicas = 0; return "replicas = 0";
  case 9: info->years = 0; return "years = 0";
  case 10: info->years = FLEET_MAX_YEARS + 1; return "years = 101";
  case 11: info->first_year = 0; return "first_year = 0";
  case 12: info->lease_years = 0; return "lease_years = 0";
  case 13: info->lease_years = INT64_MIN; return "lease_years";
  case 14: info->discount_rate = -1.0; return "discount_rate";
  case 15: info->discount_rate = NAN; return "discount_rate";
  case 16: info->discount_rate = INFINITY; return "discount_rate";
  case 17: info->region_count = 0; return "region_count = 0";
  case 18: info->region_count = FLEET_MAX_REGIONS + 1; return "region_count = 33";
  case 19: info->region_names = NULL; return "region_count";
  case 20: info->region_names = null_region; return "region name 1";
  case 21: info->first_replica = -1; return "first_replica = -1";
  case 22: info->vehicles = 0; return "vehicles = 0";
  default: return NULL;
  }
}

Test(h5_writer, invalid_run_info_rejected) {
  char final_path[256], tmp_path[300];
  paths("info.h5", final_path, tmp_path);
  fleet_error_t err;
  int cases = 0;
  for (int i = 0;; i++, cases++) {
    fleet_run_info_t info = test_info();
    const char *field = spoil_info(&info, i);
    if (!field) break;
    fleet_h5_writer_t *w = (fleet_h5_writer_t *)&info; /* must be reset to NULL */
    fleet_error_clear(&err);
    cr_assert_eq(fleet_h5_create(final_path, &info, 1, &w, &err), FLEET_ERR_USAGE, "case %d (%s) accepted", i,
                 field);
    cr_assert_null(w, "case %d", i);
    cr_assert(strstr(err.message, field) && strstr(err.message, final_path), "case %d: message '%s' names not '%s'",
              i, err.message, field);
    cr_assert(!exists(tmp_path) && !exists(final_path), "case %d left a file", i);
  }
  cr_assert_eq(cases, 23);
  const fleet_run_info_t info = test_info();
  fleet_h5_writer_t *w = NULL;
  cr_assert_eq(fleet_h5_create(final_path, NULL, 0, &w, &err), FLEET_ERR_USAGE, "NULL info accepted");
  cr_assert_eq(fleet_h5_create("", &info, 0, &w, &err), FLEET_ERR_USAGE, "empty path accepted");
  cr_assert_eq(fleet_h5_create(final_path, &info, 0, NULL, &err), FLEET_ERR_USAGE, "NULL out accepted");
  cr_assert(!exists(tmp_path) && !exists(final_path));
  assert_no_open_hdf5_objects();
}

/* Region names are whatever the caller gives (the writer does not parse /scenario): UTF-8 ones are
 * stored as UTF-8 strings, as are the command line and the scenario file's name. */
Test(h5_writer, utf8_region_names_stored) {
  char final_path[256], tmp_path[300];
  paths("utf8.h5", final_path, tmp_path);
  static const char *const utf8_names[REGIONS] = {"bretagne", "\xc3\xaele_de_france", "r\xc3\xa9union \xe2\x80\x93 974"};
  fleet_run_info_t info = test_info();
  info.region_names = utf8_names;
  fill_expected(REGIONS);
  write_full_file(final_path, &info, 0);
  check_file(final_path, &info);
}

/* The region axis at its two ends: the whole file checked, and read back. */
Test(h5_writer, one_and_max_regions_written) {
  const int counts[2] = {1, FLEET_MAX_REGIONS};
  for (int c = 0; c < 2; c++) {
    char final_path[256], tmp_path[300], name[32];
    snprintf(name, sizeof name, "regions_%d.h5", counts[c]);
    paths(name, final_path, tmp_path);
    const fleet_run_info_t info = test_info_regions(counts[c]);
    fill_expected(counts[c]);
    write_full_file(final_path, &info, 0);
    check_file(final_path, &info);
    check_reader(final_path, &info);
  }
}

Test(h5_writer, bad_runtime_fails_commit_and_removes_temp) {
  char final_path[256], tmp_path[300];
  paths("runtime.h5", final_path, tmp_path);
  const fleet_run_info_t info = test_info();
  fill_expected(REGIONS);
  const fleet_run_values_t bad[] = {{NAN, 1, 1},       {INFINITY, 1, 1}, {-1, 1, 1}, {1, -1, 1},
                                    {1, NAN, 1},       {1, 1, 0},        {1, 1, NAN}, {1, 1, 0.5}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    fleet_h5_writer_t *w = create_writer(final_path, &info, 0);
    write_expected_year(w, 0, 0, REGIONS);
    fleet_error_t err;
    cr_assert_eq(commit(w, &bad[i], &err), FLEET_ERR_USAGE, "case %zu: %g %g %g accepted", i, bad[i].wall_seconds,
                 bad[i].vehicle_hours, bad[i].threads);
    cr_assert_not_null(strstr(err.message, tmp_path), "case %zu: message '%s'", i, err.message);
    cr_assert(!exists(tmp_path) && !exists(final_path), "case %zu left a file", i);
    assert_no_open_hdf5_objects();
  }
  fleet_error_t err;
  cr_assert_eq(commit(NULL, &run_values, &err), FLEET_ERR_USAGE, "NULL writer accepted");
  cr_assert(!exists(tmp_path) && !exists(final_path));
  assert_no_open_hdf5_objects();
}

Test(h5_writer, stale_temp_file_of_our_pid_replaced) {
  char final_path[256], tmp_path[300];
  paths("again.h5", final_path, tmp_path);
  write_text_file(tmp_path, "stale");
  const fleet_run_info_t info = test_info();
  fill_expected(REGIONS);
  write_full_file(final_path, &info, 0);
  cr_assert(!exists(tmp_path), "temporary file left after commit");
  check_reader(final_path, &info);
}

/* Without overwrite a file at the path makes the commit fail and stays as it was; with it, the
 * file is replaced. */
Test(h5_writer, existing_file_kept_without_overwrite_replaced_with_it) {
  char final_path[256], tmp_path[300];
  paths("existing.h5", final_path, tmp_path);
  static const char old[] = "old result, not HDF5";
  write_text_file(final_path, old);
  const fleet_run_info_t info = test_info();
  fill_expected(REGIONS);
  fleet_h5_writer_t *w = create_writer(final_path, &info, 0);
  for (int r = 0; r < REPLICAS; r++)
    for (int y = 0; y < YEARS; y++) write_expected_year(w, r, y, REGIONS);
  fleet_error_t err;
  cr_assert_eq(commit(w, &expected_run, &err), FLEET_ERR_INPUT, "an existing file was replaced without overwrite");
  cr_assert_not_null(strstr(err.message, final_path), "message '%s'", err.message);
  size_t size = 0;
  char *bytes = read_bytes(final_path, &size);
  cr_assert(size == strlen(old) && memcmp(bytes, old, size) == 0, "the existing file was changed");
  free(bytes);
  cr_assert(!exists(tmp_path), "temporary file left after a refused commit");
  assert_no_open_hdf5_objects();

  write_full_file(final_path, &info, 1);
  cr_assert(!exists(tmp_path));
  check_reader(final_path, &info);
  /* a result file is replaced by a result file just the same */
  write_full_file(final_path, &info, 1);
  check_reader(final_path, &info);
}

/* A path that is not a regular file is refused even with overwrite, at the commit, untouched. */
Test(h5_writer, directory_output_refused_even_with_overwrite) {
  char final_path[256], tmp_path[300];
  paths("adir", final_path, tmp_path);
  cr_assert_eq(mkdir(final_path, 0700), 0);
  const fleet_run_info_t info = test_info();
  fill_expected(REGIONS);
  fleet_h5_writer_t *w = create_writer(final_path, &info, 1);
  fleet_error_t err;
  cr_assert_eq(commit(w, &expected_run, &err), FLEET_ERR_INPUT, "a directory was replaced");
  cr_assert_not_null(strstr(err.message, final_path), "message '%s'", err.message);
  struct stat st;
  cr_assert(stat(final_path, &st) == 0 && S_ISDIR(st.st_mode), "the directory is gone");
  cr_assert(!exists(tmp_path), "temporary file left");
  assert_no_open_hdf5_objects();
}

static void assert_output_refused(const char *path, int overwrite, const char *const *keep, int n,
                                  const char *named) {
  fleet_error_t err;
  fleet_error_clear(&err);
  cr_assert_eq(fleet_output_check(path, overwrite, keep, n, &err), FLEET_ERR_INPUT, "%s accepted (overwrite %d)",
               path, overwrite);
  cr_assert(strstr(err.message, path) && strstr(err.message, named), "message '%s' names not %s and %s",
            err.message, path, named);
}

Test(h5_writer, output_check_rules) {
  char subdir[256], file[256], hard_link[256], other[256], missing[256];
  snprintf(subdir, sizeof subdir, "%s/adir", dir);
  snprintf(file, sizeof file, "%s/scenario.yaml", dir);
  snprintf(hard_link, sizeof hard_link, "%s/link.h5", dir);
  snprintf(other, sizeof other, "%s/other.yaml", dir);
  snprintf(missing, sizeof missing, "%s/missing.h5", dir);
  cr_assert_eq(mkdir(subdir, 0700), 0);
  write_text_file(file, "kept");
  write_text_file(other, "other");
  cr_assert_eq(link(file, hard_link), 0);
  for (int overwrite = 0; overwrite < 2; overwrite++) {
    assert_output_refused(subdir, overwrite, NULL, 0, "not a regular file");
    assert_output_refused("/dev/null", overwrite, NULL, 0, "not a regular file");
  }
  const char *const keep[3] = {other, NULL, file};
  assert_output_refused(file, 1, keep, 3, file);      /* the same path */
  assert_output_refused(hard_link, 1, keep, 3, file); /* another name of the same file */
  assert_output_refused(other, 0, NULL, 0, "exists");
  fleet_error_t err;
  fleet_error_clear(&err);
  cr_assert_eq(fleet_output_check(other, 1, keep + 2, 1, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_output_check(missing, 0, keep, 3, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_output_check(missing, 1, NULL, 0, &err), FLEET_OK, "%s", err.message);
}

static herr_t marking_handler(hid_t stack, void *data) {
  (void)stack;
  ++*(int *)data;
  fputs("HDF5 automatic error handler ran\n", stderr);
  return 0;
}

/* stderr to path until restore_stderr (the reader's checking child inherits it). */
static int redirect_stderr(const char *path) {
  fflush(stderr);
  const int saved = dup(STDERR_FILENO), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  cr_assert(saved >= 0 && fd >= 0 && dup2(fd, STDERR_FILENO) >= 0 && close(fd) == 0, "cannot redirect stderr");
  return saved;
}

static void restore_stderr(int saved) {
  fflush(stderr);
  cr_assert(dup2(saved, STDERR_FILENO) >= 0 && close(saved) == 0, "cannot restore stderr");
}

/* The writer and the reader switch HDF5's error printing off during their calls (in the reader's
 * checking child too) and give the caller's handler back. */
Test(h5_writer, hdf5_error_printing_silenced_and_restored) {
  char final_path[256], tmp_path[300], truncated[256], log[256], missing_dir[256];
  paths("whole.h5", final_path, tmp_path);
  snprintf(truncated, sizeof truncated, "%s/truncated.h5", dir);
  snprintf(log, sizeof log, "%s/stderr.txt", dir);
  snprintf(missing_dir, sizeof missing_dir, "%s/missing/run.h5", dir);
  const fleet_run_info_t info = test_info();
  fill_expected(REGIONS);
  write_full_file(final_path, &info, 0);
  size_t size = 0;
  char *bytes = read_bytes(final_path, &size);
  FILE *f = fopen(truncated, "wb");
  cr_assert(f && size > 4096 && fwrite(bytes, 1, 4096, f) == 4096 && fclose(f) == 0);
  free(bytes);
  /* a whole file whose /scenario is a group: HDF5 fails inside the reader's checks, after the open */
  hid_t file = H5Fopen(final_path, H5F_ACC_RDWR, H5P_DEFAULT);
  cr_assert_geq(file, 0);
  cr_assert_geq(H5Ldelete(file, "/scenario", H5P_DEFAULT), 0);
  hid_t group = H5Gcreate2(file, "/scenario", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert(group >= 0 && H5Gclose(group) >= 0 && H5Fclose(file) >= 0);

  int calls = 0;
  cr_assert_geq(H5Eset_auto2(H5E_DEFAULT, marking_handler, &calls), 0);
  const int saved = redirect_stderr(log);
  fleet_h5_writer_t *w = NULL;
  fleet_h5_reader_t *reader = NULL;
  fleet_error_t err[3];
  const fleet_status_t created = fleet_h5_create(missing_dir, &info, 0, &w, &err[0]);
  const fleet_status_t opened_truncated = fleet_h5_open(truncated, &reader, &err[1]);
  const fleet_status_t opened_altered = fleet_h5_open(final_path, &reader, &err[2]);
  restore_stderr(saved);
  cr_assert_neq(created, FLEET_OK);
  cr_assert_eq(opened_truncated, FLEET_ERR_INPUT, "a truncated file opened: %s", err[1].message);
  cr_assert_not_null(strstr(err[1].message, truncated), "message '%s'", err[1].message);
  cr_assert_neq(opened_altered, FLEET_OK, "/scenario as a group accepted");
  cr_assert(strstr(err[2].message, final_path) && strstr(err[2].message, "/scenario"), "message '%s'",
            err[2].message);
  char *printed = read_bytes(log, &size);
  cr_assert_eq(size, 0, "printed on stderr during the calls: '%.*s'", (int)size, printed);
  free(printed);
  cr_assert_eq(calls, 0, "HDF5's automatic error handler ran inside the writer or reader");
  H5E_auto2_t func = NULL;
  void *data = NULL;
  cr_assert_geq(H5Eget_auto2(H5E_DEFAULT, &func, &data), 0);
  cr_assert(func == marking_handler && data == &calls, "caller's handler not restored");
  /* and the handler does run for a failure outside them: the checks above can fail */
  const int saved_again = redirect_stderr(log);
  const hid_t failed = H5Fopen(truncated, H5F_ACC_RDONLY, H5P_DEFAULT);
  restore_stderr(saved_again);
  cr_assert_lt(failed, 0);
  cr_assert_gt(calls, 0, "the marking handler never ran");
  printed = read_bytes(log, &size);
  cr_assert_gt(size, 0, "the marking handler printed nothing");
  free(printed);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  assert_no_open_hdf5_objects();
}

/* ---- the schema's own consistency -------------------------------------------------------- */

/* The rows of source together tile the struct of size bytes, no value in two rows and none in
 * none, with the region axis at FLEET_MAX_REGIONS: a field added to the struct but not to the
 * table (or one in two rows) fails here. */
static void assert_rows_tile(fleet_source_t source, size_t size, const char *struct_name) {
  enum { SLOTS = sizeof(fleet_year_totals_t) / sizeof(double) };
  static int owner[SLOTS];
  const size_t slots = size / sizeof(double);
  cr_assert(size % sizeof(double) == 0 && slots <= SLOTS, "%s is not made of doubles", struct_name);
  for (size_t s = 0; s < slots; s++) owner[s] = -1;
  const fleet_schema_dims_t dims = {1, 1, FLEET_MAX_REGIONS, FLEET_MAX_PRICE_PATHS};
  for (int k = 0; k < FLEET_DS_COUNT; k++) {
    const fleet_dataset_spec_t *spec = &fleet_datasets[k];
    if (spec->source != source) continue;
    const int64_t n = fleet_dataset_row_length(spec, &dims);
    const size_t first = spec->offset / sizeof(double);
    cr_assert(spec->offset % sizeof(double) == 0 && n > 0 && first + (size_t)n <= slots,
              "%s: values [%zu, %zu) not inside %s (%zu doubles)", spec->path, first, first + (size_t)n, struct_name,
              slots);
    for (size_t s = first; s < first + (size_t)n; s++) {
      cr_assert_eq(owner[s], -1, "%s and %s share double %zu of %s", spec->path,
                   owner[s] >= 0 ? fleet_datasets[owner[s]].path : "", s, struct_name);
      owner[s] = k;
    }
  }
  for (size_t s = 0; s < slots; s++)
    cr_assert_geq(owner[s], 0, "double %zu (byte %zu) of %s is in no dataset: a field missing from FLEET_DATASETS",
                  s, s * sizeof(double), struct_name);
}

Test(schema, rows_tile_their_structs) {
  assert_rows_tile(FLEET_FROM_YEAR, sizeof(fleet_year_totals_t), "fleet_year_totals_t");
  assert_rows_tile(FLEET_FROM_REPLICA, sizeof(fleet_replica_derived_t), "fleet_replica_derived_t");
  assert_rows_tile(FLEET_FROM_RUN, sizeof(fleet_run_values_t), "fleet_run_values_t");
}

/* Leading axes by source (the writer, the reader and this test's row arithmetic rely on them),
 * distinct axes, non-empty metadata, path = /group/name. */
Test(schema, dataset_rows_well_formed) {
  for (int k = 0; k < FLEET_DS_COUNT; k++) {
    const fleet_dataset_spec_t *d = &fleet_datasets[k];
    const int leading = d->source == FLEET_FROM_YEAR ? 2 : d->source == FLEET_FROM_REPLICA ? 1 : 0;
    cr_assert(d->rank >= leading && d->rank <= 3, "%s: rank %d", d->path, d->rank);
    cr_assert(leading < 1 || d->axes[0] == FLEET_AXIS_REPLICA, "%s: first axis not replica", d->path);
    cr_assert(leading < 2 || d->axes[1] == FLEET_AXIS_YEAR, "%s: second axis not year", d->path);
    for (int i = leading; i < d->rank; i++)
      cr_assert(d->axes[i] != FLEET_AXIS_REPLICA && d->axes[i] != FLEET_AXIS_YEAR && d->axes[i] < FLEET_AXIS_COUNT,
                "%s: axis %d", d->path, i);
    for (int i = 0; i < d->rank; i++)
      for (int j = 0; j < i; j++) cr_assert_neq(d->axes[i], d->axes[j], "%s: axis used twice", d->path);
    cr_assert(d->group[0] && !strchr(d->group, '/') && d->name[0] && !strchr(d->name, '/'), "%s: names", d->path);
    char path[160];
    snprintf(path, sizeof path, "/%s/%s", d->group, d->name);
    cr_assert_str_eq(d->path, path);
    cr_assert(d->units && d->units[0] && d->long_name[0] && strlen(d->description) > 10, "%s: metadata", d->path);
    for (int j = 0; j < k; j++) cr_assert_str_neq(d->path, fleet_datasets[j].path, "%s twice", d->path);
  }
}

/* In a group, datasets, coordinates and bounds share one namespace. */
static void assert_group_names_unique(const char *group) {
  const char *names[FLEET_DS_COUNT + 2 * FLEET_AXIS_COUNT];
  static char bounds[FLEET_AXIS_COUNT][96];
  int n = 0, used[FLEET_AXIS_COUNT] = {0};
  for (int k = 0; k < FLEET_DS_COUNT; k++)
    if (!strcmp(fleet_datasets[k].group, group)) {
      names[n++] = fleet_datasets[k].name;
      for (int i = 0; i < fleet_datasets[k].rank; i++) used[fleet_datasets[k].axes[i]] = 1;
    }
  for (int a = 0; a < FLEET_AXIS_COUNT; a++)
    if (used[a] && fleet_axes[a].kind == FLEET_AXIS_KIND_BINS) used[FLEET_AXIS_BOUND] = 1;
  for (int a = 0; a < FLEET_AXIS_COUNT; a++) {
    if (!used[a]) continue;
    names[n++] = fleet_axes[a].name;
    if (fleet_axes[a].kind != FLEET_AXIS_KIND_BINS) continue;
    snprintf(bounds[a], sizeof bounds[a], "%s_bounds", fleet_axes[a].name);
    names[n++] = bounds[a];
  }
  for (int i = 0; i < n; i++)
    for (int j = 0; j < i; j++) cr_assert_str_neq(names[i], names[j], "/%s/%s named twice", group, names[i]);
}

Test(schema, names_unique) {
  for (int a = 0; a < FLEET_AXIS_COUNT; a++)
    for (int b = 0; b < a; b++) cr_assert_str_neq(fleet_axes[a].name, fleet_axes[b].name);
  const char *groups[FLEET_GROUP_MAX];
  const int n = fleet_schema_groups(groups);
  for (int g = 0; g < n; g++) {
    cr_assert_str_neq(groups[g], "scenario", "a group named like /scenario");
    for (int h = 0; h < g; h++) cr_assert_str_neq(groups[g], groups[h]);
    assert_group_names_unique(groups[g]);
  }
  for (int k = 0; k < FLEET_DS_COUNT; k++) { /* no group dropped at FLEET_GROUP_MAX */
    int found = 0;
    for (int g = 0; g < n; g++) found |= !strcmp(groups[g], fleet_datasets[k].group);
    cr_assert(found, "group of %s not listed", fleet_datasets[k].path);
  }
}

/* Axis rows, and the coordinate values they give, by hand. */
Test(schema, axes_by_hand) {
  for (int a = 0; a < FLEET_AXIS_COUNT; a++) {
    const fleet_axis_spec_t *x = &fleet_axes[a];
    const int by_run = x->kind == FLEET_AXIS_KIND_REPLICA || x->kind == FLEET_AXIS_KIND_YEAR ||
                       x->kind == FLEET_AXIS_KIND_REGION || x->kind == FLEET_AXIS_KIND_INDEX;
    cr_assert(by_run ? x->length == 0 : x->length > 0, "%s: length %d", x->name, x->length);
    cr_assert(x->name[0] && x->long_name && x->long_name[0], "axis %d: names", a);
    cr_assert_eq(x->labels != NULL, x->kind == FLEET_AXIS_KIND_LABELS, "%s: labels", x->name);
    cr_assert_eq(x->edge != NULL, x->kind == FLEET_AXIS_KIND_BINS, "%s: edges", x->name);
    for (int i = 0; x->labels && i < x->length; i++) cr_assert(x->labels[i] && x->labels[i][0], "%s[%d]", x->name, i);
    for (int i = 0; x->edge && i < x->length; i++)
      cr_assert_lt(x->edge(i), x->edge(i + 1), "%s: edges %d, %d not increasing", x->name, i, i + 1);
  }
  cr_assert_eq(fleet_axes[FLEET_AXIS_TIME].length, 8760);
  cr_assert_eq(fleet_axes[FLEET_AXIS_BOUND].length, 2);
  const double duration[] = {0, 0.25, 0.5, 1, 2, 4, 8, 12, 24, 48, 72, 120, 240, INFINITY};
  cr_assert_eq(fleet_axes[FLEET_AXIS_DURATION_BIN].length + 1, (int)(sizeof duration / sizeof duration[0]));
  for (int k = 0; k <= fleet_axes[FLEET_AXIS_DURATION_BIN].length; k++)
    cr_assert_eq(fleet_axes[FLEET_AXIS_DURATION_BIN].edge(k), duration[k], "duration edge %d", k);
  const double bands[] = {0, 1, 4, 24, INFINITY}; /* claim C2's reporting bands, h */
  const fleet_axis_spec_t *band = &fleet_axes[FLEET_AXIS_OUTAGE_BAND];
  cr_assert(band->length == 4 && !strcmp(band->units, "h") && !strcmp(band->name, "outage_band"), "outage_band");
  for (int k = 0; k <= band->length; k++) cr_assert_eq(band->edge(k), bands[k], "band edge %d", k);
  const fleet_axis_spec_t *covered = &fleet_axes[FLEET_AXIS_COVERED_BIN];
  const fleet_axis_spec_t *account = &fleet_axes[FLEET_AXIS_ACCOUNT_BIN];
  cr_assert(covered->length == 20 && covered->edge(0) == 0 && covered->edge(1) == 0.05 && covered->edge(19) == 0.95 &&
                covered->edge(20) == 1,
            "covered edges");
  cr_assert(account->length == 1000 && account->edge(0) == -10000 && account->edge(1) == -9980 &&
                account->edge(500) == 0 && account->edge(1000) == 10000,
            "account edges");
  const fleet_axis_spec_t *position = &fleet_axes[FLEET_AXIS_POSITION_BIN];
  cr_assert(position->length == 1000 && position->edge(0) == -25000 && position->edge(1) == -24950 &&
                position->edge(500) == 0 && position->edge(1000) == 25000,
            "position edges");
  const char *const sources[] = {"home_socket", "home_wallbox", "public", "garage_pv", "garage_grid", "carport_pv"};
  const char *const flows[] = {"garage_produced",  "garage_stored",   "garage_exported", "garage_curtailed", "garage_to_cars",
                               "garage_losses",    "carport_produced", "carport_to_cars", "carport_unused",
                               "carport_losses"};
  const char *const items[] = {"vehicles", "garages",   "carports", "chargers", "trade_ins", "leases",
                               "recoveries", "batteries", "administration", "net"};
  const char *const fuels[] = {"diesel", "petrol"}, *const tariffs[] = {"home_tariff", "public_fast_charging",
                                                                          "home_off_peak", "home_peak"};
  const struct {
    fleet_axis_t axis;
    int n;
    const char *const *labels;
  } label_axes[] = {{FLEET_AXIS_SOURCE, 6, sources}, {FLEET_AXIS_FLOW, 10, flows}, {FLEET_AXIS_ITEM, 10, items},
                    {FLEET_AXIS_FUEL, 2, fuels},     {FLEET_AXIS_TARIFF, 4, tariffs}};
  for (size_t i = 0; i < sizeof label_axes / sizeof label_axes[0]; i++) {
    const fleet_axis_spec_t *x = &fleet_axes[label_axes[i].axis];
    cr_assert_eq(x->length, label_axes[i].n, "%s: length", x->name);
    for (int j = 0; j < x->length; j++)
      cr_assert_str_eq(x->labels[j], label_axes[i].labels[j], "%s[%d]", x->name, j);
  }
}

/* Spot checks of the table against the fields by name: a row pointing at the wrong field of the
 * same size passes every other test, as writer and reader share the table. */
Test(schema, rows_point_at_their_fields) {
#define YEAR_ROW(path, field) {path, FLEET_FROM_YEAR, offsetof(fleet_year_totals_t, field)}
  const struct {
    const char *path;
    fleet_source_t source;
    size_t offset;
  } rows[] = {YEAR_ROW("/storage/energy_kwh", storage_energy_kwh),
              YEAR_ROW("/storage/power_kw", storage_power_kw),
              YEAR_ROW("/storage/plugged_vehicles", plugged_vehicles),
              YEAR_ROW("/storage/garage_energy_kwh", garage_energy_kwh),
              YEAR_ROW("/storage/garage_power_kw", garage_power_kw),
              YEAR_ROW("/mobility/km_driven", km_driven),
              YEAR_ROW("/mobility/trips", trips),
              YEAR_ROW("/mobility/weekday_trips", weekday_trips),
              YEAR_ROW("/mobility/vehicles_away", vehicles_away),
              YEAR_ROW("/mobility/commuters", commuters),
              YEAR_ROW("/mobility/commute_km_sum", commute_km_sum),
              YEAR_ROW("/battery/state_of_health_sum", state_of_health_sum),
              YEAR_ROW("/charging/energy_kwh", charging_energy_kwh),
              YEAR_ROW("/charging/home_grid_kwh", home_grid_kwh),
              YEAR_ROW("/charging/home_grid_off_peak_kwh", home_grid_off_peak_kwh),
              YEAR_ROW("/solar/energy_kwh", solar_energy_kwh),
              YEAR_ROW("/weather/pv_yield_kwh_per_kwp", region_pv_yield_kwh_per_kwp),
              YEAR_ROW("/weather/mean_temperature_c", region_mean_temperature_c),
              YEAR_ROW("/outage/households_out", households_out),
              YEAR_ROW("/outage/household_hours", outage_household_hours),
              YEAR_ROW("/outage/demand_kwh", outage_demand_kwh),
              YEAR_ROW("/outage/served_kwh", outage_served_kwh),
              YEAR_ROW("/outage/unserved_kwh", outage_unserved_kwh),
              YEAR_ROW("/outage/count", outage_count),
              YEAR_ROW("/outage/duration_histogram", outage_duration_histogram),
              YEAR_ROW("/outage/covered_fraction_histogram", outage_covered_histogram),
              YEAR_ROW("/outage/band_count", outage_band_count),
              YEAR_ROW("/outage/band_car_at_start", outage_band_car_at_start),
              YEAR_ROW("/outage/band_demand_kwh", outage_band_demand_kwh),
              YEAR_ROW("/outage/band_served_kwh", outage_band_served_kwh),
              YEAR_ROW("/outage/band_first_24h_fully_served", outage_band_first_served),
              YEAR_ROW("/outage/band_fully_served", outage_band_fully_served),
              YEAR_ROW("/budget/fuel_price_eur_per_l", prices_eur[FLEET_PRICE_DIESEL]),
              YEAR_ROW("/budget/electricity_price_eur_per_kwh", prices_eur[FLEET_PRICE_TARIFF]),
              YEAR_ROW("/budget/household_count", household_count),
              YEAR_ROW("/budget/household_account_sum_eur", household_account_sum_eur),
              YEAR_ROW("/budget/household_account_m2_eur2", household_account_m2_eur2),
              YEAR_ROW("/budget/household_worse_off", household_worse_off),
              YEAR_ROW("/budget/household_account_histogram", household_account_histogram),
              YEAR_ROW("/budget/ledger_eur", ledger_eur),
              YEAR_ROW("/co2/combustion_avoided_t", co2_combustion_avoided_t),
              YEAR_ROW("/co2/battery_manufacturing_t", co2_battery_t),
              YEAR_ROW("/storage/energy_at_battery_kwh", storage_battery_kwh),
              YEAR_ROW("/storage/garage_energy_at_battery_kwh", garage_battery_kwh),
              YEAR_ROW("/budget/garage_household_count", garage_household_count),
              YEAR_ROW("/budget/garage_account_sum_eur", garage_account_sum_eur),
              YEAR_ROW("/budget/position_count", position_count),
              YEAR_ROW("/budget/position_sum_eur", position_sum_eur),
              YEAR_ROW("/budget/position_m2_eur2", position_m2_eur2),
              YEAR_ROW("/budget/position_worse_off", position_worse_off),
              YEAR_ROW("/budget/position_histogram", position_histogram),
              YEAR_ROW("/price_paths/household_account_sum_eur", path_account_sum_eur),
              YEAR_ROW("/price_paths/household_account_m2_eur2", path_account_m2_eur2),
              YEAR_ROW("/price_paths/household_worse_off", path_worse_off),
              YEAR_ROW("/price_paths/diesel_eur_per_l", path_prices_eur[FLEET_PRICE_DIESEL]),
              YEAR_ROW("/price_paths/petrol_eur_per_l", path_prices_eur[FLEET_PRICE_PETROL]),
              YEAR_ROW("/price_paths/tariff_eur_per_kwh", path_prices_eur[FLEET_PRICE_TARIFF]),
              YEAR_ROW("/price_paths/public_eur_per_kwh", path_prices_eur[FLEET_PRICE_PUBLIC]),
              YEAR_ROW("/price_paths/off_peak_eur_per_kwh", path_prices_eur[FLEET_PRICE_OFF_PEAK]),
              YEAR_ROW("/price_paths/peak_eur_per_kwh", path_prices_eur[FLEET_PRICE_PEAK]),
              YEAR_ROW("/co2/grid_t", co2_grid_t),
              {"/budget/npv_eur", FLEET_FROM_REPLICA, offsetof(fleet_replica_derived_t, npv_eur)},
              {"/budget/repaid", FLEET_FROM_REPLICA, offsetof(fleet_replica_derived_t, repaid)},
              {"/runtime/wall_seconds", FLEET_FROM_RUN, offsetof(fleet_run_values_t, wall_seconds)},
              {"/runtime/vehicle_hours", FLEET_FROM_RUN, offsetof(fleet_run_values_t, vehicle_hours)},
              {"/runtime/threads", FLEET_FROM_RUN, offsetof(fleet_run_values_t, threads)}};
#undef YEAR_ROW
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    int k = 0;
    while (k < FLEET_DS_COUNT && strcmp(fleet_datasets[k].path, rows[i].path)) k++;
    cr_assert_lt(k, FLEET_DS_COUNT, "%s not in the table", rows[i].path);
    cr_assert(fleet_datasets[k].source == rows[i].source && fleet_datasets[k].offset == rows[i].offset,
              "%s does not point at its field", rows[i].path);
  }
}

/* A value the reader would refuse (NaN in a sum, a negative count) is refused when written, so
 * that a long run cannot end in a file that merge and summary reject. */
Test(h5_writer, values_outside_their_domain_are_refused_when_written) {
  char final_path[256], tmp_path[300];
  paths("domain.h5", final_path, tmp_path);
  fleet_run_info_t info = test_info();
  fleet_h5_writer_t *w = create_writer(final_path, &info, 0);
  fleet_error_t err;
  fill_totals(&buffer, 0, 0, REGIONS);
  buffer.km_driven = NAN;
  cr_assert_eq(fleet_h5_write_year(w, 0, 0, &buffer, &err), FLEET_ERR_USAGE);
  cr_assert_not_null(strstr(err.message, "/mobility/km_driven"), "%s", err.message);
  fill_totals(&buffer, 0, 0, REGIONS);
  buffer.outage_duration_histogram[2] = -1.0;
  cr_assert_eq(fleet_h5_write_year(w, 0, 0, &buffer, &err), FLEET_ERR_USAGE);
  cr_assert_not_null(strstr(err.message, "/outage/duration_histogram element 2"), "%s", err.message);
  fill_totals(&buffer, 0, 0, REGIONS);
  cr_assert_eq(fleet_h5_write_year(w, 0, 0, &buffer, &err), FLEET_OK, "%s", err.message);
  fleet_h5_discard(w);
  cr_assert(!exists(final_path) && !exists(tmp_path));
}
