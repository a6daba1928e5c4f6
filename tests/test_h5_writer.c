/* test_h5_writer.c: the result file read back through the plain HDF5 API, value by value. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "error.h"
#include "h5_writer.h"
#include "version.h"
#include "year_totals.h"

enum { REPLICAS = 2, YEARS = 3, REGIONS = 3 };

static const char *const region_names[REGIONS] = {"bretagne", "provence", "\xc3\xaele_de_france"};

static const char scenario_text[] =
    "simulation:\n  seed: 42 # 1\nregions:\n  bretagne:\n    fleet_share: 1 # 1, \xc2\xb0" "C \xe2\x80\x93 ok\n";
static const char scenario_sha256[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char model_sha256[] = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

static char dir[] = "/tmp/fleetmc_h5_XXXXXX";

static void setup(void) {
  cr_assert_not_null(mkdtemp(dir), "mkdtemp failed");
}

static void teardown(void) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *entry;
  char path[512];
  while ((entry = readdir(d))) {
    if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
    snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
    unlink(path);
  }
  closedir(d);
  rmdir(dir);
}

static fleet_run_info_t test_info(void) {
  return (fleet_run_info_t){.scenario_text = scenario_text,
                            .scenario_sha256 = scenario_sha256,
                            .model_sha256 = model_sha256,
                            .seed = UINT64_C(0xfedcba9876543210), /* above INT64_MAX: checks unsigned */
                            .first_replica = 7,
                            .replicas = REPLICAS,
                            .years = YEARS,
                            .vehicles = 123456,
                            .threads = 4,
                            .region_count = REGIONS,
                            .region_names = region_names,
                            .discount_rate = 0.25, /* 1.25^y is exact: NPVs by hand */
                            .lease_years = 2};
}

/* Distinct, exactly representable values for every element; k: 0 energy, 1 power, 2 plugged,
 * 3 garage energy, 4 households out. */
static double hourly_value(int k, int r, int y, int h) { return r * 1e6 + y * 1e4 + h + 0.25 * (k + 1); }
static double km_value(int r, int y) { return r * 100.0 + y + 0.125; }
static double charging_value(int r, int y, int s) { return r * 1000.0 + y * 10.0 + s + 0.375; }
static double solar_value(int r, int y, int f) { return r * 2000.0 + y * 100.0 + f + 0.625; }
static double pv_yield_value(int r, int y, int g) { return 900.0 + r * 50.0 + y * 5.0 + g * 0.5 + 0.0625; }
static double temperature_value(int r, int y, int g) { return -3.0 + r * 2.0 + y * 0.5 + g * 0.25 + 0.03125; }
/* i: 0 household-hours, 1 demand, 2 served, 3 unserved, 4 count */
static double outage_value(int i, int r, int y) { return r * 3000.0 + y * 300.0 + i * 10.0 + 0.1875; }
static double duration_bin_value(int r, int y, int b) { return r * 500.0 + y * 50.0 + b; }
static double covered_bin_value(int r, int y, int b) { return 10000.0 + r * 700.0 + y * 70.0 + b; }
/* Outages of 24 h or more and the fully covered ones: replica 0 has some in years 0 and 2 (so the
 * probability 5 / 8 differs from the mean of the yearly shares), replica 1 none (NaN). */
static const double long_values[REPLICAS][YEARS] = {{3, 0, 5}, {0, 0, 0}};
static const double long_covered_values[REPLICAS][YEARS] = {{1, 0, 4}, {0, 0, 0}};
static const double long_probability[REPLICAS] = {5.0 / 8.0, NAN};

/* Budget and CO2, exactly representable. Prices, CO2 and ledger items differ per element. */
static double price_value(int r, int y, int p) { return 1.5 + r * 0.25 + y * 0.0625 + p * 0.125; }
static double co2_combustion_value(int r, int y) { return 100.5 + r * 10.0 + y; }
static double co2_grid_value(int r, int y) { return 20.0 + r + y * 0.25; }
/* The State's net cash flow per replica-year (EUR) and the other items: outlays negative, receipts
 * positive, administration chosen so that the eight items add up to net. With discount_rate 0.25
 * and lease_years 2: NPV r0 = -1000 + 600 / 1.25 + 500 / 1.5625 = -200, r1 = -1000 + 800 - 32 =
 * -232; cumulative net at the end of year 1: r0 -400 (not repaid), r1 0 (repaid); share 1/2. */
static const double net_values[REPLICAS][YEARS] = {{-1000, 600, 500}, {-1000, 1000, -50}};
static const double npv_expected[REPLICAS] = {-200, -232};
static const double repaid_expected[REPLICAS] = {0, 1};
static double ledger_item_value(int r, int y, int i) {
  const double magnitude = 100.0 * (i + 1) + 10.0 * r + y;
  return i == FLEET_LEDGER_TRADE_INS || i == FLEET_LEDGER_LEASES || i == FLEET_LEDGER_RECOVERIES ? magnitude
                                                                                                  : -magnitude;
}
static void ledger_values(int r, int y, double ledger[FLEET_LEDGER_COUNT]) {
  double others = 0.0;
  for (int i = 0; i < FLEET_LEDGER_ADMINISTRATION; i++) others += ledger[i] = ledger_item_value(r, y, i);
  const double net = r < REPLICAS && y < YEARS ? net_values[r][y] : 0.0;
  ledger[FLEET_LEDGER_ADMINISTRATION] = net - others;
  ledger[FLEET_LEDGER_NET] = net;
}
/* Household accounts of replica-year (r, y), shifted by s = 10 r + y bins: 2 households in bin
 * 400 + s ([-2000, -1980) + 20 s EUR), 8 in bin 500 + s, 10 in bin 510 + s; n = 20. Quantiles by
 * hand: 0.05: q n = 1, half of the first bin: -1990 + 20 s; 0.5: q n = 10, all 8 of bin 500 + s
 * (2 below): its top edge, 20 + 20 s; 0.95: q n = 19, 9 of the 10 of bin 510 + s (10 below):
 * 200 + 18 + 20 s. */
static int account_shift(int r, int y) { return 10 * r + y; }
static double account_quantile_expected(int r, int y, int q) {
  const double base[3] = {-1990.0, 20.0, 218.0};
  return base[q] + 20.0 * account_shift(r, y);
}
static const char *const price_names[FLEET_PRICE_COUNT] = {"diesel_eur_per_l", "petrol_eur_per_l",
                                                           "tariff_eur_per_kwh", "public_eur_per_kwh"};
static const char *const ledger_names[FLEET_LEDGER_COUNT] = {
    "vehicles", "garages", "carports", "trade_ins", "leases", "recoveries", "batteries", "administration", "net"};
static const char *const moment_names[3] = {"count", "mean_eur", "m2_eur2"};
static const double quantile_levels[3] = {0.05, 0.5, 0.95};

static const double expected_duration_edges[FLEET_OUTAGE_DURATION_BINS + 1] = {
    0, 0.25, 0.5, 1, 2, 4, 8, 12, 24, 48, 72, 120, 240, INFINITY};

static void fill_totals(fleet_year_totals_t *t, int r, int y) {
  for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++) {
    t->storage_energy_kwh[h] = hourly_value(0, r, y, h);
    t->storage_power_kw[h] = hourly_value(1, r, y, h);
    t->plugged_vehicles[h] = hourly_value(2, r, y, h);
    t->garage_energy_kwh[h] = hourly_value(3, r, y, h);
    t->households_out[h] = hourly_value(4, r, y, h);
    t->garage_power_kw[h] = hourly_value(5, r, y, h);
  }
  t->outage_household_hours = outage_value(0, r, y);
  t->outage_demand_kwh = outage_value(1, r, y);
  t->outage_served_kwh = outage_value(2, r, y);
  t->outage_unserved_kwh = outage_value(3, r, y);
  t->outage_count = outage_value(4, r, y);
  for (int b = 0; b < FLEET_OUTAGE_DURATION_BINS; b++) t->outage_duration_histogram[b] = duration_bin_value(r, y, b);
  for (int b = 0; b < FLEET_COVERED_FRACTION_BINS; b++) t->outage_covered_histogram[b] = covered_bin_value(r, y, b);
  t->long_outage_count = r < REPLICAS && y < YEARS ? long_values[r][y] : 0;
  t->long_outage_covered_count = r < REPLICAS && y < YEARS ? long_covered_values[r][y] : 0;
  t->km_driven = km_value(r, y);
  for (int s = 0; s < FLEET_SOURCE_COUNT; s++) t->charging_energy_kwh[s] = charging_value(r, y, s);
  for (int f = 0; f < FLEET_SOLAR_FLOW_COUNT; f++) t->solar_energy_kwh[f] = solar_value(r, y, f);
  for (int p = 0; p < FLEET_PRICE_COUNT; p++) t->prices_eur[p] = price_value(r, y, p);
  const int s = account_shift(r, y);
  for (int b = 0; b < FLEET_ACCOUNT_BINS; b++) t->household_account_histogram[b] = 0.0;
  t->household_account_histogram[400 + s] = 2;
  t->household_account_histogram[500 + s] = 8;
  t->household_account_histogram[510 + s] = 10;
  t->household_count = 20;
  t->household_account_sum_eur = 20.0 * (50 + s); /* mean 50 + s */
  t->household_account_m2_eur2 = 1000.5 + s;
  t->household_worse_off = 2; /* share 0.1 */
  ledger_values(r, y, t->ledger_eur);
  t->co2_combustion_t = co2_combustion_value(r, y);
  t->co2_grid_t = co2_grid_value(r, y);
  /* beyond the file's regions: garbage that must not be written anywhere */
  for (int g = 0; g < FLEET_MAX_REGIONS; g++) {
    t->region_pv_yield_kwh_per_kwp[g] = g < REGIONS ? pv_yield_value(r, y, g) : -1e300;
    t->region_mean_temperature_c[g] = g < REGIONS ? temperature_value(r, y, g) : -1e300;
  }
}

static void paths(const char *name, char *final_path, char *tmp_path) {
  snprintf(final_path, 256, "%s/%s", dir, name);
  snprintf(tmp_path, 300, "%s.tmp.%ld", final_path, (long)getpid());
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static void assert_no_open_hdf5_objects(void) {
  cr_assert_eq(H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL), 0, "HDF5 objects left open");
}

static fleet_year_totals_t totals; /* about 360 kB: static, not on the stack */

static void write_full_file(const char *final_path, const char *tmp_path, int final_exists_before) {
  fleet_run_info_t info = test_info();
  fleet_h5_writer_t *w = NULL;
  fleet_error_t err;
  fleet_error_clear(&err);
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_OK, "%s", err.message);
  cr_assert_not_null(w);
  cr_assert(exists(tmp_path), "temporary file %s missing while writing", tmp_path);
  cr_assert_eq(exists(final_path), final_exists_before, "final file changed before commit");
  for (int r = 0; r < REPLICAS; r++)
    for (int y = 0; y < YEARS; y++) {
      fill_totals(&totals, r, y);
      cr_assert_eq(fleet_h5_write_year(w, r, y, &totals, &err), FLEET_OK, "%s", err.message);
    }
  cr_assert_eq(fleet_h5_commit(w, 2.5, 1e9, &err), FLEET_OK, "%s", err.message);
}

/* ---- readers ---------------------------------------------------------------------------- */

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

static void assert_string_attr(hid_t obj, const char *name, const char *expected) {
  char *value = read_string_attr(obj, name);
  cr_assert_str_eq(value, expected, "attribute %s", name);
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

static int64_t read_i64_attr(hid_t obj, const char *name) {
  int64_t v;
  read_scalar_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
  return v;
}

static double read_f64_attr(hid_t obj, const char *name) {
  double v;
  read_scalar_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
  return v;
}

static void assert_units(hid_t obj, const char *expected_units) {
  assert_string_attr(obj, "units", expected_units);
  char *description = read_string_attr(obj, "description");
  cr_assert_gt(strlen(description), 10, "description too short: '%s'", description);
  free(description);
}

/* A 1-D attribute of variable-length UTF-8 strings equal to expected[0..count). */
static void assert_string_array_attr(hid_t obj, const char *name, size_t count, const char *const *expected) {
  hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
  cr_assert_geq(attr, 0, "attribute %s missing", name);
  hid_t type = H5Aget_type(attr), space = H5Aget_space(attr);
  cr_assert_eq(H5Tget_class(type), H5T_STRING, "attribute %s is not a string", name);
  cr_assert_gt(H5Tis_variable_str(type), 0, "attribute %s is not variable-length", name);
  cr_assert_eq(H5Tget_cset(type), H5T_CSET_UTF8, "attribute %s is not UTF-8", name);
  cr_assert_eq(H5Sget_simple_extent_ndims(space), 1, "attribute %s is not 1-D", name);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, NULL);
  cr_assert_eq(n, count, "attribute %s has %llu elements, expected %zu", name, (unsigned long long)n, count);
  char **values = calloc(count, sizeof *values);
  cr_assert_not_null(values);
  cr_assert_geq(H5Aread(attr, type, values), 0);
  for (size_t i = 0; i < count; i++)
    cr_assert_str_eq(values[i], expected[i], "attribute %s[%zu]", name, i);
  cr_assert_geq(H5Dvlen_reclaim(type, space, H5P_DEFAULT, values), 0);
  free(values);
  H5Sclose(space);
  H5Tclose(type);
  H5Aclose(attr);
}

/* A 1-D float64 attribute equal to expected[0..count) (inf == inf). */
static void assert_f64_array_attr(hid_t obj, const char *name, size_t count, const double *expected) {
  hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
  cr_assert_geq(attr, 0, "attribute %s missing", name);
  hid_t type = H5Aget_type(attr), space = H5Aget_space(attr);
  cr_assert_gt(H5Tequal(type, H5T_IEEE_F64LE), 0, "attribute %s is not H5T_IEEE_F64LE", name);
  cr_assert_eq(H5Sget_simple_extent_ndims(space), 1, "attribute %s is not 1-D", name);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, NULL);
  cr_assert_eq(n, count, "attribute %s has %llu elements, expected %zu", name, (unsigned long long)n, count);
  double *values = calloc(count, sizeof *values);
  cr_assert_not_null(values);
  cr_assert_geq(H5Aread(attr, H5T_NATIVE_DOUBLE, values), 0);
  for (size_t i = 0; i < count; i++)
    cr_assert_eq(values[i], expected[i], "attribute %s[%zu] = %g, expected %g", name, i, values[i], expected[i]);
  free(values);
  H5Sclose(space);
  H5Tclose(type);
  H5Aclose(attr);
}

/* Opens a float64 dataset, checks its type, shape, units, and reads it whole (caller frees). */
static double *read_f64_dataset(hid_t file, const char *path, int rank, const hsize_t *dims,
                                const char *units, hid_t *out_dset) {
  hid_t dset = H5Dopen2(file, path, H5P_DEFAULT);
  cr_assert_geq(dset, 0, "dataset %s missing", path);
  hid_t type = H5Dget_type(dset), space = H5Dget_space(dset);
  cr_assert_gt(H5Tequal(type, H5T_IEEE_F64LE), 0, "%s is not H5T_IEEE_F64LE", path);
  cr_assert_eq(H5Sget_simple_extent_ndims(space), rank, "%s rank", path);
  hsize_t got[3] = {0}, maxdims[3] = {0};
  H5Sget_simple_extent_dims(space, got, maxdims);
  size_t n = 1;
  for (int i = 0; i < rank; i++) {
    cr_assert_eq(got[i], dims[i], "%s dimension %d: %llu, expected %llu", path, i,
                 (unsigned long long)got[i], (unsigned long long)dims[i]);
    cr_assert_eq(maxdims[i], dims[i], "%s max dimension %d", path, i);
    n *= dims[i];
  }
  assert_units(dset, units);
  double *data = malloc(n * sizeof *data);
  cr_assert_not_null(data);
  cr_assert_geq(H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
  H5Sclose(space);
  H5Tclose(type);
  if (out_dset) {
    *out_dset = dset;
  } else {
    H5Dclose(dset);
  }
  return data;
}

/* ---- tests ------------------------------------------------------------------------------ */

TestSuite(h5_writer, .init = setup, .fini = teardown);

Test(h5_writer, round_trip) {
  char final_path[256], tmp_path[300];
  paths("run.h5", final_path, tmp_path);
  char before[32], after[32];
  time_t t0 = time(NULL);
  strftime(before, sizeof before, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t0));
  write_full_file(final_path, tmp_path, 0);
  time_t t1 = time(NULL);
  strftime(after, sizeof after, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t1));
  assert_no_open_hdf5_objects();
  cr_assert(!exists(tmp_path), "temporary file %s left after commit", tmp_path);
  cr_assert(exists(final_path), "final file %s missing after commit", final_path);

  hid_t file = H5Fopen(final_path, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert_geq(file, 0);

  /* root attributes */
  assert_string_attr(file, "filetype", "fleetmc");
  int32_t format_version = 0;
  read_scalar_attr(file, "format_version", H5T_STD_I32LE, H5T_NATIVE_INT32, &format_version);
  cr_assert_eq(format_version, FLEETMC_FORMAT_VERSION);
  assert_string_attr(file, "fleetmc_version", FLEETMC_VERSION);
  assert_string_attr(file, "git_commit", FLEETMC_GIT_COMMIT);
  assert_string_attr(file, "model_sha256", model_sha256);
  char *created = read_string_attr(file, "created");
  cr_assert_eq(strlen(created), 20, "created = '%s'", created);
  cr_assert(strcmp(created, before) >= 0 && strcmp(created, after) <= 0, "created = '%s' not in [%s, %s]",
            created, before, after);
  free(created);
  uint64_t seed = 0;
  read_scalar_attr(file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed);
  cr_assert_eq(seed, UINT64_C(0xfedcba9876543210));
  cr_assert_eq(read_i64_attr(file, "first_replica"), 7);
  cr_assert_eq(read_i64_attr(file, "replicas"), REPLICAS);
  cr_assert_eq(read_i64_attr(file, "years"), YEARS);
  cr_assert_eq(read_i64_attr(file, "vehicles"), 123456);
  cr_assert_eq(read_i64_attr(file, "threads"), 4);

  /* /scenario */
  hid_t scenario = H5Dopen2(file, "/scenario", H5P_DEFAULT);
  cr_assert_geq(scenario, 0);
  hid_t stype = H5Dget_type(scenario), sspace = H5Dget_space(scenario);
  cr_assert_gt(H5Tis_variable_str(stype), 0);
  cr_assert_eq(H5Tget_cset(stype), H5T_CSET_UTF8);
  cr_assert_eq(H5Sget_simple_extent_type(sspace), H5S_SCALAR);
  char *text = NULL;
  cr_assert_geq(H5Dread(scenario, stype, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), 0);
  cr_assert_str_eq(text, scenario_text);
  H5free_memory(text);
  assert_string_attr(scenario, "sha256", scenario_sha256);
  assert_string_attr(scenario, "units", "");
  char *description = read_string_attr(scenario, "description");
  cr_assert_gt(strlen(description), 0);
  free(description);
  H5Sclose(sspace);
  H5Tclose(stype);
  H5Dclose(scenario);

  /* /storage: shape, chunking, every value */
  const char *storage_paths[5] = {"/storage/energy_kwh", "/storage/power_kw", "/storage/plugged_vehicles",
                                  "/storage/garage_energy_kwh", "/storage/total_energy_kwh"};
  const char *storage_units[5] = {"kWh", "kW", "vehicles", "kWh", "kWh"};
  const hsize_t hourly_dims[3] = {REPLICAS, YEARS, FLEET_HOURS_PER_YEAR};
  for (int k = 0; k < 5; k++) {
    hid_t dset;
    double *data = read_f64_dataset(file, storage_paths[k], 3, hourly_dims, storage_units[k], &dset);
    hid_t dcpl = H5Dget_create_plist(dset);
    cr_assert_eq(H5Pget_layout(dcpl), H5D_CHUNKED, "%s is not chunked", storage_paths[k]);
    hsize_t chunk[3] = {0};
    cr_assert_eq(H5Pget_chunk(dcpl, 3, chunk), 3);
    cr_assert(chunk[0] == 1 && chunk[1] == 1 && chunk[2] == FLEET_HOURS_PER_YEAR, "%s chunk", storage_paths[k]);
    H5Pclose(dcpl);
    H5Dclose(dset);
    size_t i = 0;
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++)
        for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++, i++) {
          /* total = cars + garage batteries, the same double sum the writer computes */
          const double expected =
              k < 4 ? hourly_value(k, r, y, h) : hourly_value(0, r, y, h) + hourly_value(3, r, y, h);
          cr_assert_eq(data[i], expected, "%s[%d,%d,%d] = %.17g", storage_paths[k], r, y, h, data[i]);
        }
    free(data);
  }
  /* the garages' power and the total power = cars + garages, the writer's double sum */
  {
    double *garage_power = read_f64_dataset(file, "/storage/garage_power_kw", 3, hourly_dims, "kW", NULL);
    double *total_power = read_f64_dataset(file, "/storage/total_power_kw", 3, hourly_dims, "kW", NULL);
    size_t i = 0;
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++)
        for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++, i++) {
          cr_assert_eq(garage_power[i], hourly_value(5, r, y, h));
          cr_assert_eq(total_power[i], hourly_value(1, r, y, h) + hourly_value(5, r, y, h));
        }
    free(garage_power);
    free(total_power);
  }
  /* total_energy_kwh == energy_kwh + garage_energy_kwh, element by element, read from the file */
  {
    double *energy = read_f64_dataset(file, "/storage/energy_kwh", 3, hourly_dims, "kWh", NULL);
    double *garage = read_f64_dataset(file, "/storage/garage_energy_kwh", 3, hourly_dims, "kWh", NULL);
    double *total = read_f64_dataset(file, "/storage/total_energy_kwh", 3, hourly_dims, "kWh", NULL);
    for (size_t i = 0; i < (size_t)REPLICAS * YEARS * FLEET_HOURS_PER_YEAR; i++)
      cr_assert_eq(total[i], energy[i] + garage[i], "total_energy_kwh[%zu]", i);
    hid_t dset = H5Dopen2(file, "/storage/total_energy_kwh", H5P_DEFAULT);
    char *total_description = read_string_attr(dset, "description");
    cr_assert(strstr(total_description, "/storage/energy_kwh + /storage/garage_energy_kwh") &&
                  strstr(total_description, "writer"),
              "total description '%s'", total_description);
    free(total_description);
    H5Dclose(dset);
    free(energy);
    free(garage);
    free(total);
  }

  /* /mobility/km_driven */
  const hsize_t km_dims[2] = {REPLICAS, YEARS};
  double *km = read_f64_dataset(file, "/mobility/km_driven", 2, km_dims, "km", NULL);
  for (int r = 0; r < REPLICAS; r++)
    for (int y = 0; y < YEARS; y++) cr_assert_eq(km[r * YEARS + y], km_value(r, y), "km_driven[%d,%d]", r, y);
  free(km);

  /* /charging/energy_kwh and its sources */
  const hsize_t charging_dims[3] = {REPLICAS, YEARS, FLEET_SOURCE_COUNT};
  hid_t charging_dset;
  double *charging =
      read_f64_dataset(file, "/charging/energy_kwh", 3, charging_dims, "kWh", &charging_dset);
  for (int r = 0; r < REPLICAS; r++)
    for (int y = 0; y < YEARS; y++)
      for (int s = 0; s < FLEET_SOURCE_COUNT; s++)
        cr_assert_eq(charging[(r * YEARS + y) * FLEET_SOURCE_COUNT + s], charging_value(r, y, s),
                     "charging[%d,%d,%d]", r, y, s);
  free(charging);
  const char *const expected_sources[FLEET_SOURCE_COUNT] = {"home_socket", "home_wallbox", "public",
                                                             "garage_pv",   "garage_grid",  "carport_pv"};
  assert_string_array_attr(charging_dset, "sources", FLEET_SOURCE_COUNT, expected_sources);
  assert_string_array_attr(charging_dset, "sources", FLEET_SOURCE_COUNT, fleet_charge_source_names);
  H5Dclose(charging_dset);

  /* /solar/energy_kwh and its flows */
  const hsize_t solar_dims[3] = {REPLICAS, YEARS, FLEET_SOLAR_FLOW_COUNT};
  hid_t solar_dset;
  double *solar = read_f64_dataset(file, "/solar/energy_kwh", 3, solar_dims, "kWh", &solar_dset);
  for (int r = 0; r < REPLICAS; r++)
    for (int y = 0; y < YEARS; y++)
      for (int f = 0; f < FLEET_SOLAR_FLOW_COUNT; f++)
        cr_assert_eq(solar[(r * YEARS + y) * FLEET_SOLAR_FLOW_COUNT + f], solar_value(r, y, f),
                     "solar[%d,%d,%d]", r, y, f);
  free(solar);
  const char *const expected_flows[FLEET_SOLAR_FLOW_COUNT] = {
      "garage_produced",  "garage_stored",   "garage_surplus", "garage_to_cars", "garage_losses",
      "carport_produced", "carport_to_cars", "carport_unused", "carport_losses"};
  assert_string_array_attr(solar_dset, "flows", FLEET_SOLAR_FLOW_COUNT, expected_flows);
  assert_string_array_attr(solar_dset, "flows", FLEET_SOLAR_FLOW_COUNT, fleet_solar_flow_names);
  char *solar_description = read_string_attr(solar_dset, "description");
  for (int f = 0; f < FLEET_SOLAR_FLOW_COUNT; f++)
    cr_assert_not_null(strstr(solar_description, expected_flows[f]), "flow %s not defined in '%s'",
                       expected_flows[f], solar_description);
  cr_assert_not_null(strstr(solar_description, "garage.export_surplus"));
  free(solar_description);
  H5Dclose(solar_dset);

  /* /weather: per region, only the file's regions */
  const hsize_t weather_dims[3] = {REPLICAS, YEARS, REGIONS};
  const char *weather_paths[2] = {"/weather/pv_yield_kwh_per_kwp", "/weather/mean_temperature_c"};
  const char *weather_units[2] = {"kWh/kWp", "C"};
  for (int k = 0; k < 2; k++) {
    hid_t dset;
    double *data = read_f64_dataset(file, weather_paths[k], 3, weather_dims, weather_units[k], &dset);
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++)
        for (int g = 0; g < REGIONS; g++)
          cr_assert_eq(data[(r * YEARS + y) * REGIONS + g],
                       k == 0 ? pv_yield_value(r, y, g) : temperature_value(r, y, g), "%s[%d,%d,%d]",
                       weather_paths[k], r, y, g);
    free(data);
    assert_string_array_attr(dset, "regions", REGIONS, region_names);
    H5Dclose(dset);
  }

  /* /outage/households_out: shape, chunking, every value */
  {
    hid_t dset;
    double *data = read_f64_dataset(file, "/outage/households_out", 3, hourly_dims, "households", &dset);
    hid_t dcpl = H5Dget_create_plist(dset);
    cr_assert_eq(H5Pget_layout(dcpl), H5D_CHUNKED, "/outage/households_out is not chunked");
    hsize_t chunk[3] = {0};
    cr_assert_eq(H5Pget_chunk(dcpl, 3, chunk), 3);
    cr_assert(chunk[0] == 1 && chunk[1] == 1 && chunk[2] == FLEET_HOURS_PER_YEAR, "households_out chunk");
    H5Pclose(dcpl);
    H5Dclose(dset);
    size_t i = 0;
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++)
        for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++, i++)
          cr_assert_eq(data[i], hourly_value(4, r, y, h), "households_out[%d,%d,%d] = %.17g", r, y, h, data[i]);
    free(data);
  }

  /* /outage per replica-year */
  {
    const char *paths2[5] = {"/outage/household_hours", "/outage/demand_kwh", "/outage/served_kwh",
                             "/outage/unserved_kwh", "/outage/count"};
    const char *units2[5] = {"h", "kWh", "kWh", "kWh", "outages"};
    const hsize_t dims2[2] = {REPLICAS, YEARS};
    for (int i = 0; i < 5; i++) {
      double *data = read_f64_dataset(file, paths2[i], 2, dims2, units2[i], NULL);
      for (int r = 0; r < REPLICAS; r++)
        for (int y = 0; y < YEARS; y++)
          cr_assert_eq(data[r * YEARS + y], outage_value(i, r, y), "%s[%d,%d]", paths2[i], r, y);
      free(data);
    }
    double *lng = read_f64_dataset(file, "/outage/long_outages", 2, dims2, "outages", NULL);
    double *cov = read_f64_dataset(file, "/outage/long_outages_fully_covered", 2, dims2, "outages", NULL);
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++) {
        cr_assert_eq(lng[r * YEARS + y], long_values[r][y], "long_outages[%d,%d]", r, y);
        cr_assert_eq(cov[r * YEARS + y], long_covered_values[r][y], "long_outages_fully_covered[%d,%d]", r, y);
      }
    free(lng);
    free(cov);
  }

  /* /outage histograms and their bin edges */
  {
    const hsize_t ddims[3] = {REPLICAS, YEARS, FLEET_OUTAGE_DURATION_BINS};
    hid_t dset;
    double *data = read_f64_dataset(file, "/outage/duration_histogram", 3, ddims, "outages", &dset);
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++)
        for (int b = 0; b < FLEET_OUTAGE_DURATION_BINS; b++)
          cr_assert_eq(data[(r * YEARS + y) * FLEET_OUTAGE_DURATION_BINS + b], duration_bin_value(r, y, b),
                       "duration_histogram[%d,%d,%d]", r, y, b);
    free(data);
    assert_f64_array_attr(dset, "bin_edges_h", FLEET_OUTAGE_DURATION_BINS + 1, expected_duration_edges);
    assert_f64_array_attr(dset, "bin_edges_h", FLEET_OUTAGE_DURATION_BINS + 1, fleet_outage_duration_edges_h);
    cr_assert(isinf(fleet_outage_duration_edges_h[FLEET_OUTAGE_DURATION_BINS]) &&
              fleet_outage_duration_edges_h[FLEET_OUTAGE_DURATION_BINS] > 0);
    H5Dclose(dset);

    const hsize_t cdims[3] = {REPLICAS, YEARS, FLEET_COVERED_FRACTION_BINS};
    data = read_f64_dataset(file, "/outage/covered_fraction_histogram", 3, cdims, "outages", &dset);
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++)
        for (int b = 0; b < FLEET_COVERED_FRACTION_BINS; b++)
          cr_assert_eq(data[(r * YEARS + y) * FLEET_COVERED_FRACTION_BINS + b], covered_bin_value(r, y, b),
                       "covered_fraction_histogram[%d,%d,%d]", r, y, b);
    free(data);
    double covered_edges[FLEET_COVERED_FRACTION_BINS + 1];
    for (int k = 0; k <= FLEET_COVERED_FRACTION_BINS; k++) covered_edges[k] = k / 20.0;
    cr_assert(covered_edges[1] == 0.05 && covered_edges[19] == 0.95 && covered_edges[20] == 1.0);
    assert_f64_array_attr(dset, "bin_edges", FLEET_COVERED_FRACTION_BINS + 1, covered_edges);
    H5Dclose(dset);
  }

  /* /outage/long_outage_covered_probability: sum ratio per replica, NaN without long outages */
  {
    const hsize_t pdims[1] = {REPLICAS};
    hid_t dset;
    double *p = read_f64_dataset(file, "/outage/long_outage_covered_probability", 1, pdims, "1", &dset);
    cr_assert_eq(p[0], long_probability[0], "probability[0] = %.17g", p[0]);
    cr_assert_eq(p[0], 0.625);
    cr_assert(isnan(p[1]), "probability[1] = %g, expected NaN (no long outages)", p[1]);
    char *pdescription = read_string_attr(dset, "description");
    cr_assert(strstr(pdescription, "years - 1") && strstr(pdescription, "written"), "description '%s'",
              pdescription);
    free(pdescription);
    free(p);
    H5Dclose(dset);
  }

  /* /budget: prices, household accounts, ledger, NPV, repaid */
  {
    const hsize_t pdims[3] = {REPLICAS, YEARS, FLEET_PRICE_COUNT};
    hid_t dset;
    double *data = read_f64_dataset(file, "/budget/prices_eur", 3, pdims, "EUR/L or EUR/kWh", &dset);
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++)
        for (int p = 0; p < FLEET_PRICE_COUNT; p++)
          cr_assert_eq(data[(r * YEARS + y) * FLEET_PRICE_COUNT + p], price_value(r, y, p), "prices[%d,%d,%d]", r,
                       y, p);
    free(data);
    assert_string_array_attr(dset, "prices", FLEET_PRICE_COUNT, price_names);
    H5Dclose(dset);

    const hsize_t hdims[3] = {REPLICAS, YEARS, FLEET_ACCOUNT_BINS};
    data = read_f64_dataset(file, "/budget/household_account_histogram", 3, hdims, "households", &dset);
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++) {
        const int s = account_shift(r, y);
        for (int b = 0; b < FLEET_ACCOUNT_BINS; b++) {
          const double expected = b == 400 + s ? 2 : b == 500 + s ? 8 : b == 510 + s ? 10 : 0;
          cr_assert_eq(data[(r * YEARS + y) * FLEET_ACCOUNT_BINS + b], expected, "histogram[%d,%d,%d]", r, y, b);
        }
      }
    free(data);
    double edges[FLEET_ACCOUNT_BINS + 1];
    for (int k = 0; k <= FLEET_ACCOUNT_BINS; k++) edges[k] = -10000.0 + 20.0 * k;
    cr_assert(edges[0] == -10000.0 && edges[500] == 0.0 && edges[FLEET_ACCOUNT_BINS] == 10000.0);
    assert_f64_array_attr(dset, "bin_edges_eur", FLEET_ACCOUNT_BINS + 1, edges);
    hid_t dcpl = H5Dget_create_plist(dset);
    hsize_t chunk[3] = {0};
    cr_assert_eq(H5Pget_layout(dcpl), H5D_CHUNKED, "histogram not chunked");
    cr_assert_eq(H5Pget_chunk(dcpl, 3, chunk), 3);
    cr_assert(chunk[0] == 1 && chunk[1] == 1 && chunk[2] == FLEET_ACCOUNT_BINS, "histogram chunk");
    H5Pclose(dcpl);
    char *description = read_string_attr(dset, "description");
    cr_assert(strstr(description, "combustion running cost avoided - charging cost - lease payments") &&
                  strstr(description, "beyond the range"),
              "histogram description '%s'", description);
    free(description);
    H5Dclose(dset);

    const hsize_t mdims[3] = {REPLICAS, YEARS, 3};
    data = read_f64_dataset(file, "/budget/household_account_moments", 3, mdims,
                            "count: households; mean_eur: EUR; m2_eur2: EUR^2", &dset);
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++) {
        const double *m = data + (r * YEARS + y) * 3;
        const int s = account_shift(r, y);
        cr_assert(m[0] == 20 && m[1] == 50 + s && m[2] == 1000.5 + s, "moments[%d,%d] = %g %g %g", r, y, m[0],
                  m[1], m[2]);
      }
    free(data);
    assert_string_array_attr(dset, "moments", 3, moment_names);
    description = read_string_attr(dset, "description");
    cr_assert(strstr(description, "Chan"), "moments description '%s'", description);
    free(description);
    H5Dclose(dset);

    const hsize_t dims2[2] = {REPLICAS, YEARS};
    data = read_f64_dataset(file, "/budget/household_worse_off_share", 2, dims2, "1", NULL);
    for (int i = 0; i < REPLICAS * YEARS; i++) cr_assert_eq(data[i], 2.0 / 20.0, "worse_off_share[%d]", i);
    free(data);

    const hsize_t qdims[3] = {REPLICAS, YEARS, 3};
    data = read_f64_dataset(file, "/budget/household_account_quantiles_eur", 3, qdims, "EUR", &dset);
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++)
        for (int q = 0; q < 3; q++) {
          const double x = data[(r * YEARS + y) * 3 + q], expected = account_quantile_expected(r, y, q);
          cr_assert(fabs(x - expected) < 1e-9, "quantile[%d,%d,%d] = %.17g, expected %g", r, y, q, x, expected);
        }
    free(data);
    assert_f64_array_attr(dset, "quantiles", 3, quantile_levels);
    description = read_string_attr(dset, "description");
    cr_assert(strstr(description, "linear interpolation"), "quantiles description '%s'", description);
    free(description);
    H5Dclose(dset);

    const hsize_t ldims[3] = {REPLICAS, YEARS, FLEET_LEDGER_COUNT};
    data = read_f64_dataset(file, "/budget/ledger_eur", 3, ldims, "EUR", &dset);
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++) {
        double expected[FLEET_LEDGER_COUNT], sum = 0.0;
        ledger_values(r, y, expected);
        const double *row = data + (r * YEARS + y) * FLEET_LEDGER_COUNT;
        for (int i = 0; i < FLEET_LEDGER_COUNT; i++)
          cr_assert_eq(row[i], expected[i], "ledger[%d,%d,%d] = %g", r, y, i, row[i]);
        for (int i = 0; i < FLEET_LEDGER_NET; i++) sum += row[i];
        cr_assert_eq(row[FLEET_LEDGER_NET], sum, "net is not the sum of the items");
        cr_assert_eq(row[FLEET_LEDGER_NET], net_values[r][y]);
        cr_assert(row[FLEET_LEDGER_VEHICLES] < 0 && row[FLEET_LEDGER_LEASES] > 0);
      }
    free(data);
    assert_string_array_attr(dset, "items", FLEET_LEDGER_COUNT, ledger_names);
    assert_string_array_attr(dset, "items", FLEET_LEDGER_COUNT, fleet_ledger_names);
    description = read_string_attr(dset, "description");
    cr_assert(strstr(description, "receipts positive") && strstr(description, "outlays negative") &&
                  strstr(description, "sum of the other eight"),
              "ledger description '%s'", description);
    free(description);
    H5Dclose(dset);

    const hsize_t rdims[1] = {REPLICAS};
    data = read_f64_dataset(file, "/budget/npv_eur", 1, rdims, "EUR", &dset);
    for (int r = 0; r < REPLICAS; r++) cr_assert_eq(data[r], npv_expected[r], "npv[%d] = %.17g", r, data[r]);
    cr_assert_eq(read_f64_attr(dset, "discount_rate"), 0.25);
    free(data);
    H5Dclose(dset);
    data = read_f64_dataset(file, "/budget/repaid", 1, rdims, "1", &dset);
    for (int r = 0; r < REPLICAS; r++) cr_assert_eq(data[r], repaid_expected[r], "repaid[%d] = %g", r, data[r]);
    cr_assert_eq(read_f64_attr(dset, "repaid_share"), 0.5);
    cr_assert_eq(read_i64_attr(dset, "lease_years"), 2);
    free(data);
    H5Dclose(dset);
  }

  /* /co2 */
  {
    const hsize_t dims2[2] = {REPLICAS, YEARS};
    double *comb = read_f64_dataset(file, "/co2/combustion_t", 2, dims2, "t", NULL);
    double *grid = read_f64_dataset(file, "/co2/grid_t", 2, dims2, "t", NULL);
    double *avoided = read_f64_dataset(file, "/co2/avoided_t", 2, dims2, "t", NULL);
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++) {
        const int i = r * YEARS + y;
        cr_assert_eq(comb[i], co2_combustion_value(r, y), "combustion[%d,%d]", r, y);
        cr_assert_eq(grid[i], co2_grid_value(r, y), "grid[%d,%d]", r, y);
        cr_assert_eq(avoided[i], co2_combustion_value(r, y) - co2_grid_value(r, y), "avoided[%d,%d]", r, y);
        cr_assert_eq(avoided[i], 80.5 + 9.0 * r + 0.75 * y, "avoided[%d,%d] by hand", r, y);
      }
    free(comb);
    free(grid);
    free(avoided);
  }

  /* /runtime */
  hid_t runtime = H5Gopen2(file, "/runtime", H5P_DEFAULT);
  cr_assert_geq(runtime, 0);
  cr_assert_eq(read_f64_attr(runtime, "wall_seconds"), 2.5);
  cr_assert_eq(read_f64_attr(runtime, "vehicle_hours"), 1e9);
  cr_assert_eq(read_f64_attr(runtime, "ns_per_vehicle_hour"), 2.5);
  char *runtime_units = read_string_attr(runtime, "units");
  cr_assert(strstr(runtime_units, "wall_seconds") && strstr(runtime_units, "ns_per_vehicle_hour"),
            "runtime units '%s'", runtime_units);
  free(runtime_units);
  char *runtime_description = read_string_attr(runtime, "description");
  cr_assert_gt(strlen(runtime_description), 10);
  free(runtime_description);
  H5Gclose(runtime);

  H5Fclose(file);
  assert_no_open_hdf5_objects();
}

Test(h5_writer, unwritten_replica_years_read_as_nan) {
  char final_path[256], tmp_path[300];
  paths("partial.h5", final_path, tmp_path);
  fleet_run_info_t info = test_info();
  fleet_h5_writer_t *w = NULL;
  fleet_error_t err;
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_OK, "%s", err.message);
  fill_totals(&totals, 1, 2);
  cr_assert_eq(fleet_h5_write_year(w, 1, 2, &totals, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_h5_commit(w, 1.0, 0.0, &err), FLEET_OK, "%s", err.message);

  hid_t file = H5Fopen(final_path, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert_geq(file, 0);
  const hsize_t dims[3] = {REPLICAS, YEARS, FLEET_HOURS_PER_YEAR};
  double *data = read_f64_dataset(file, "/storage/energy_kwh", 3, dims, "kWh", NULL);
  for (int r = 0; r < REPLICAS; r++)
    for (int y = 0; y < YEARS; y++) {
      const double *row = data + ((size_t)r * YEARS + y) * FLEET_HOURS_PER_YEAR;
      if (r == 1 && y == 2) {
        cr_assert_eq(row[100], hourly_value(0, 1, 2, 100));
      } else {
        cr_assert(isnan(row[0]) && isnan(row[FLEET_HOURS_PER_YEAR - 1]), "[%d,%d] not NaN", r, y);
      }
    }
  free(data);
  const struct {
    const char *path, *units;
    hsize_t last;
  } others[] = {{"/storage/garage_energy_kwh", "kWh", FLEET_HOURS_PER_YEAR},
                {"/storage/total_energy_kwh", "kWh", FLEET_HOURS_PER_YEAR},
                {"/charging/energy_kwh", "kWh", FLEET_SOURCE_COUNT},
                {"/solar/energy_kwh", "kWh", FLEET_SOLAR_FLOW_COUNT},
                {"/weather/pv_yield_kwh_per_kwp", "kWh/kWp", REGIONS},
                {"/weather/mean_temperature_c", "C", REGIONS},
                {"/outage/households_out", "households", FLEET_HOURS_PER_YEAR},
                {"/outage/duration_histogram", "outages", FLEET_OUTAGE_DURATION_BINS},
                {"/outage/covered_fraction_histogram", "outages", FLEET_COVERED_FRACTION_BINS},
                {"/budget/prices_eur", "EUR/L or EUR/kWh", FLEET_PRICE_COUNT},
                {"/budget/household_account_histogram", "households", FLEET_ACCOUNT_BINS},
                {"/budget/household_account_moments", "count: households; mean_eur: EUR; m2_eur2: EUR^2", 3},
                {"/budget/household_account_quantiles_eur", "EUR", 3},
                {"/budget/ledger_eur", "EUR", FLEET_LEDGER_COUNT}};
  for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
    const hsize_t odims[3] = {REPLICAS, YEARS, others[k].last};
    double *v = read_f64_dataset(file, others[k].path, 3, odims, others[k].units, NULL);
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++)
        for (hsize_t j = 0; j < others[k].last; j++) {
          const double x = v[((size_t)r * YEARS + y) * others[k].last + j];
          cr_assert_eq(isnan(x), !(r == 1 && y == 2), "%s[%d,%d,%llu] = %g", others[k].path, r, y,
                       (unsigned long long)j, x);
        }
    free(v);
  }
  const char *per_year[] = {"/mobility/km_driven",   "/outage/household_hours", "/outage/demand_kwh",
                            "/outage/served_kwh",    "/outage/unserved_kwh",    "/outage/count",
                            "/outage/long_outages",  "/outage/long_outages_fully_covered",
                            "/budget/household_worse_off_share", "/co2/combustion_t", "/co2/grid_t",
                            "/co2/avoided_t"};
  const char *per_year_units[] = {"km", "h", "kWh", "kWh", "kWh", "outages", "outages", "outages",
                                  "1", "t", "t", "t"};
  const hsize_t dims2[2] = {REPLICAS, YEARS};
  for (size_t k = 0; k < sizeof per_year / sizeof per_year[0]; k++) {
    double *v = read_f64_dataset(file, per_year[k], 2, dims2, per_year_units[k], NULL);
    for (int r = 0; r < REPLICAS; r++)
      for (int y = 0; y < YEARS; y++)
        cr_assert_eq(isnan(v[r * YEARS + y]), !(r == 1 && y == 2), "%s[%d,%d]", per_year[k], r, y);
    free(v);
  }
  /* replica 0's last year never written: its probability stays NaN; replica 1 (no long outages) NaN */
  const hsize_t pdims[1] = {REPLICAS};
  double *p = read_f64_dataset(file, "/outage/long_outage_covered_probability", 1, pdims, "1", NULL);
  cr_assert(isnan(p[0]) && isnan(p[1]), "probability %g %g", p[0], p[1]);
  free(p);
  /* replica 1's last year was written but not its first two: NPV and repaid NaN, no share */
  hid_t repaid_dset;
  double *npv = read_f64_dataset(file, "/budget/npv_eur", 1, pdims, "EUR", NULL);
  double *repaid = read_f64_dataset(file, "/budget/repaid", 1, pdims, "1", &repaid_dset);
  cr_assert(isnan(npv[0]) && isnan(npv[1]) && isnan(repaid[0]) && isnan(repaid[1]), "npv %g %g repaid %g %g",
            npv[0], npv[1], repaid[0], repaid[1]);
  cr_assert(isnan(read_f64_attr(repaid_dset, "repaid_share")), "repaid_share of no replica not NaN");
  H5Dclose(repaid_dset);
  free(npv);
  free(repaid);
  hid_t runtime = H5Gopen2(file, "/runtime", H5P_DEFAULT);
  cr_assert(isnan(read_f64_attr(runtime, "ns_per_vehicle_hour")), "0 vehicle-hours gives NaN");
  H5Gclose(runtime);
  H5Fclose(file);
  assert_no_open_hdf5_objects();
}

/* Per replica: sum of the fully covered long outages over the sum of long outages, written with
 * the replica's last year; NaN without long outages or when the last year is never written. */
Test(h5_writer, long_outage_covered_probability_per_replica) {
  enum { PR = 5 };
  char final_path[256], tmp_path[300];
  paths("probability.h5", final_path, tmp_path);
  fleet_run_info_t info = test_info();
  info.replicas = PR;
  fleet_h5_writer_t *w = NULL;
  fleet_error_t err;
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_OK, "%s", err.message);
  /* long outages and fully covered ones per replica and year; years_written: the first n years */
  const double lng[PR][YEARS] = {{2, 4, 6}, {0, 0, 0}, {1, 0, 2}, {7, 7, 0}, {0, 0, 3}};
  const double cov[PR][YEARS] = {{2, 1, 3}, {0, 0, 0}, {1, 0, 2}, {7, 7, 0}, {0, 0, 0}};
  const int years_written[PR] = {YEARS, YEARS, YEARS, 2, YEARS};
  for (int y = 0; y < YEARS; y++) /* year-major, as a run with several replicas in flight might */
    for (int r = 0; r < PR; r++) {
      if (y >= years_written[r]) continue;
      fill_totals(&totals, 0, y);
      totals.long_outage_count = lng[r][y];
      totals.long_outage_covered_count = cov[r][y];
      cr_assert_eq(fleet_h5_write_year(w, r, y, &totals, &err), FLEET_OK, "%s", err.message);
    }
  cr_assert_eq(fleet_h5_commit(w, 1.0, 1.0, &err), FLEET_OK, "%s", err.message);

  hid_t file = H5Fopen(final_path, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert_geq(file, 0);
  const hsize_t pdims[1] = {PR};
  double *p = read_f64_dataset(file, "/outage/long_outage_covered_probability", 1, pdims, "1", NULL);
  cr_assert_eq(p[0], 0.5, "probability[0] = %.17g, expected 6 / 12", p[0]);
  cr_assert(isnan(p[1]), "probability[1] = %g, expected NaN (no long outages)", p[1]);
  cr_assert_eq(p[2], 1.0, "probability[2] = %.17g, expected 1 (all covered)", p[2]);
  cr_assert(isnan(p[3]), "probability[3] = %g, expected NaN (last year never written)", p[3]);
  cr_assert_eq(p[4], 0.0, "probability[4] = %.17g, expected 0 (none covered)", p[4]);
  free(p);
  const hsize_t dims2[2] = {PR, YEARS};
  double *l = read_f64_dataset(file, "/outage/long_outages", 2, dims2, "outages", NULL);
  double *c = read_f64_dataset(file, "/outage/long_outages_fully_covered", 2, dims2, "outages", NULL);
  for (int r = 0; r < PR; r++)
    for (int y = 0; y < YEARS; y++) {
      if (y >= years_written[r]) {
        cr_assert(isnan(l[r * YEARS + y]) && isnan(c[r * YEARS + y]), "[%d,%d] not NaN", r, y);
        continue;
      }
      cr_assert_eq(l[r * YEARS + y], lng[r][y], "long_outages[%d,%d]", r, y);
      cr_assert_eq(c[r * YEARS + y], cov[r][y], "long_outages_fully_covered[%d,%d]", r, y);
    }
  free(l);
  free(c);
  H5Fclose(file);
  assert_no_open_hdf5_objects();
}

/* Moments, worse-off share and quantiles of household accounts, by hand: end bins holding values
 * beyond the range, a year without households, one bin only, and two years whose moments merge
 * by Chan et al.'s formula into those of the pooled accounts. */
Test(h5_writer, household_account_statistics_by_hand) {
  char final_path[256], tmp_path[300];
  paths("accounts.h5", final_path, tmp_path);
  fleet_run_info_t info = test_info();
  fleet_h5_writer_t *w = NULL;
  fleet_error_t err;
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_OK, "%s", err.message);
  for (int r = 0; r < REPLICAS; r++)
    for (int y = 0; y < YEARS; y++) {
      fill_totals(&totals, r, y);
      for (int b = 0; b < FLEET_ACCOUNT_BINS; b++) totals.household_account_histogram[b] = 0.0;
      double *h = totals.household_account_histogram;
      if (r == 0 && y == 0) { /* one below -10000, two in [0, 20), one at or above 10000 */
        h[0] = 1;
        h[500] = 2;
        h[FLEET_ACCOUNT_BINS - 1] = 1;
        totals.household_count = 4;
        totals.household_account_sum_eur = -30000;
        totals.household_account_m2_eur2 = 123;
        totals.household_worse_off = 1;
      } else if (r == 0 && y == 1) { /* nobody paying */
        totals.household_count = 0;
        totals.household_account_sum_eur = 0;
        totals.household_account_m2_eur2 = 0;
        totals.household_worse_off = 0;
      } else if (r == 0 && y == 2) { /* 7 in [-7540, -7520) */
        h[123] = 7;
        totals.household_count = 7;
        totals.household_account_sum_eur = -7 * 7530.0;
        totals.household_account_m2_eur2 = 0.5;
        totals.household_worse_off = 7;
      } else if (r == 1 && y == 0) { /* accounts -100, 50, 200 */
        h[495] = h[502] = h[510] = 1;
        totals.household_count = 3;
        totals.household_account_sum_eur = 150;
        totals.household_account_m2_eur2 = 150.0 * 150.0 + 0.0 + 150.0 * 150.0;
        totals.household_worse_off = 1;
      } else if (r == 1 && y == 1) { /* accounts 300, 500 */
        h[515] = h[525] = 1;
        totals.household_count = 2;
        totals.household_account_sum_eur = 800;
        totals.household_account_m2_eur2 = 100.0 * 100.0 * 2;
        totals.household_worse_off = 0;
      }
      cr_assert_eq(fleet_h5_write_year(w, r, y, &totals, &err), FLEET_OK, "%s", err.message);
    }
  cr_assert_eq(fleet_h5_commit(w, 1.0, 1.0, &err), FLEET_OK, "%s", err.message);

  hid_t file = H5Fopen(final_path, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert_geq(file, 0);
  const hsize_t dims3[3] = {REPLICAS, YEARS, 3}, dims2[2] = {REPLICAS, YEARS};
  double *m = read_f64_dataset(file, "/budget/household_account_moments", 3, dims3,
                               "count: households; mean_eur: EUR; m2_eur2: EUR^2", NULL);
  double *share = read_f64_dataset(file, "/budget/household_worse_off_share", 2, dims2, "1", NULL);
  double *q = read_f64_dataset(file, "/budget/household_account_quantiles_eur", 3, dims3, "EUR", NULL);
#define NEAR(x, e) cr_assert(fabs((x) - (e)) < 1e-9, "%s = %.17g, expected %.17g", #x, (double)(x), (double)(e))
  /* replica 0, year 0: n = 4; 0.05: q n = 0.2 of the 1 in bin 0: -10000 + 0.2 x 20 = -9996; 0.5: q n
   * = 2, 1 below, 1 of the 2 in bin 500: 0 + 10; 0.95: q n = 3.8, 3 below, 0.8 of bin 999: 9980 + 16 */
  cr_assert(m[0] == 4 && m[1] == -7500 && m[2] == 123, "moments[0,0] %g %g %g", m[0], m[1], m[2]);
  cr_assert_eq(share[0], 0.25);
  NEAR(q[0], -9996.0);
  NEAR(q[1], 10.0);
  NEAR(q[2], 9996.0);
  /* year 1: no household: count 0, everything else NaN but m2 as given */
  cr_assert(m[3] == 0 && isnan(m[4]) && m[5] == 0, "moments[0,1] %g %g %g", m[3], m[4], m[5]);
  cr_assert(isnan(share[1]) && isnan(q[3]) && isnan(q[4]) && isnan(q[5]), "year without households");
  /* year 2: 7 in bin 123 ([-7540, -7520)): q x 7 / 7 x 20 into the bin: -7539, -7530, -7521 */
  cr_assert(m[6] == 7 && m[7] == -7530 && m[8] == 0.5, "moments[0,2] %g %g %g", m[6], m[7], m[8]);
  cr_assert_eq(share[2], 1.0);
  NEAR(q[6], -7539.0);
  NEAR(q[7], -7530.0);
  NEAR(q[8], -7521.0);
  /* replica 1, years 0 and 1 merged by Chan et al.: pooled -100, 50, 200, 300, 500: n 5, mean 190,
   * m2 = 290^2 + 140^2 + 10^2 + 110^2 + 310^2 = 212000 */
  const double *a = m + 9, *b = m + 12;
  cr_assert(a[0] == 3 && a[1] == 50 && a[2] == 45000 && b[0] == 2 && b[1] == 400 && b[2] == 20000,
            "moments[1,0..1]");
  const double n = a[0] + b[0], delta = b[1] - a[1];
  cr_assert_eq(a[1] + delta * b[0] / n, 190.0);
  cr_assert_eq(a[2] + b[2] + delta * delta * a[0] * b[0] / n, 212000.0);
  cr_assert_eq(share[3], 1.0 / 3.0);
  cr_assert_eq(share[4], 0.0);
  /* replica 1, year 0: n 3; 0.05: 0.15 of bin 495 ([-100, -80)): -97; 0.5: 1.5, 1 below, half of
   * bin 502 ([40, 60)): 50; 0.95: 2.85, 2 below, 0.85 of bin 510 ([200, 220)): 217 */
  NEAR(q[9], -97.0);
  NEAR(q[10], 50.0);
  NEAR(q[11], 217.0);
#undef NEAR
  free(m);
  free(share);
  free(q);
  H5Fclose(file);
  assert_no_open_hdf5_objects();
}

/* NPV and repaid by hand, for lease_years shorter than, equal to and beyond the run, with the
 * replicas' years written year-major; a replica missing a year gets NaN and no part in the share. */
Test(h5_writer, npv_and_repaid_by_hand) {
  enum { PR = 4 };
  /* net cash flows; replica 3 misses year 1 */
  const double net[PR][YEARS] = {{-1000, 600, 500}, {-1000, 1000, -50}, {-500, 625, 0}, {-1000, 2000, 3000}};
  /* at 0.25: -1000 + 480 + 320; -1000 + 800 - 32; -500 + 500 + 0 */
  const double npv_by_hand[PR] = {-200, -232, 0, NAN};
  /* at 0: plain sums */
  const double sum_by_hand[PR] = {100, -50, 125, NAN};
  const struct {
    int64_t lease_years;
    double rate;
    double repaid[PR]; /* cumulative net at the end of year min(lease_years, 3) - 1 >= 0 */
    double share;
  } cases[] = {{1, 0.25, {0, 0, 0, NAN}, 0.0},              /* -1000, -1000, -500 */
               {2, 0.25, {0, 1, 1, NAN}, 2.0 / 3.0},        /* -400, 0, 125 */
               {3, 0.0, {1, 0, 1, NAN}, 2.0 / 3.0},         /* 100, -50, 125 */
               {10, 0.25, {1, 0, 1, NAN}, 2.0 / 3.0}};      /* the run ends first: as 3 */
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    char final_path[256], tmp_path[300], name[32];
    snprintf(name, sizeof name, "npv_%zu.h5", c);
    paths(name, final_path, tmp_path);
    fleet_run_info_t info = test_info();
    info.replicas = PR;
    info.lease_years = cases[c].lease_years;
    info.discount_rate = cases[c].rate;
    fleet_h5_writer_t *w = NULL;
    fleet_error_t err;
    cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_OK, "%s", err.message);
    for (int y = 0; y < YEARS; y++)
      for (int r = 0; r < PR; r++) {
        if (r == 3 && y == 1) continue;
        fill_totals(&totals, 0, y);
        totals.ledger_eur[FLEET_LEDGER_NET] = net[r][y];
        cr_assert_eq(fleet_h5_write_year(w, r, y, &totals, &err), FLEET_OK, "%s", err.message);
      }
    cr_assert_eq(fleet_h5_commit(w, 1.0, 1.0, &err), FLEET_OK, "%s", err.message);

    hid_t file = H5Fopen(final_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(file, 0);
    const hsize_t dims[1] = {PR};
    hid_t npv_dset, repaid_dset;
    double *npv = read_f64_dataset(file, "/budget/npv_eur", 1, dims, "EUR", &npv_dset);
    double *repaid = read_f64_dataset(file, "/budget/repaid", 1, dims, "1", &repaid_dset);
    for (int r = 0; r < PR; r++) {
      const double expected = cases[c].rate == 0.0 ? sum_by_hand[r] : npv_by_hand[r];
      cr_assert(isnan(expected) ? isnan(npv[r]) : npv[r] == expected, "case %zu npv[%d] = %.17g, expected %g", c,
                r, npv[r], expected);
      cr_assert(isnan(cases[c].repaid[r]) ? isnan(repaid[r]) : repaid[r] == cases[c].repaid[r],
                "case %zu repaid[%d] = %g, expected %g", c, r, repaid[r], cases[c].repaid[r]);
    }
    cr_assert_eq(read_f64_attr(npv_dset, "discount_rate"), cases[c].rate);
    cr_assert_eq(read_i64_attr(repaid_dset, "lease_years"), cases[c].lease_years);
    const double share = read_f64_attr(repaid_dset, "repaid_share");
    cr_assert_eq(share, cases[c].share, "case %zu repaid_share = %.17g", c, share);
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
  fleet_run_info_t info = test_info();
  fleet_h5_writer_t *w = NULL;
  fleet_error_t err;
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_OK, "%s", err.message);
  fill_totals(&totals, 0, 0);
  cr_assert_eq(fleet_h5_write_year(w, 0, 0, &totals, &err), FLEET_OK, "%s", err.message);
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
  fleet_run_info_t info = test_info();
  fleet_h5_writer_t *w = (fleet_h5_writer_t *)&info; /* must be reset to NULL */
  fleet_error_t err;
  fleet_error_clear(&err);
  fleet_status_t status = fleet_h5_create(final_path, &info, &w, &err);
  cr_assert(status == FLEET_ERR_IO || status == FLEET_ERR_HDF5, "status %d", status);
  cr_assert_eq(err.code, status);
  cr_assert_null(w);
  cr_assert_not_null(strstr(err.message, final_path), "message '%s' does not name %s", err.message,
                     final_path);
  assert_no_open_hdf5_objects();
}

Test(h5_writer, out_of_range_replica_or_year_rejected) {
  char final_path[256], tmp_path[300];
  paths("range.h5", final_path, tmp_path);
  fleet_run_info_t info = test_info();
  fleet_h5_writer_t *w = NULL;
  fleet_error_t err;
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_OK, "%s", err.message);
  fill_totals(&totals, 0, 0);
  const int64_t bad[][2] = {{-1, 0}, {REPLICAS, 0}, {0, -1}, {0, YEARS}, {INT64_MAX, INT64_MIN}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    fleet_error_clear(&err);
    fleet_status_t status = fleet_h5_write_year(w, bad[i][0], bad[i][1], &totals, &err);
    cr_assert_eq(status, FLEET_ERR_USAGE, "replica %lld year %lld accepted", (long long)bad[i][0],
                 (long long)bad[i][1]);
    cr_assert(strstr(err.message, bad[i][0] < 0 || bad[i][0] >= REPLICAS ? "replica offset must be"
                                                                          : "year must be"),
              "message '%s'", err.message);
    cr_assert_not_null(strstr(err.message, tmp_path), "message '%s'", err.message);
  }
  /* the writer is still usable */
  cr_assert_eq(fleet_h5_write_year(w, REPLICAS - 1, YEARS - 1, &totals, &err), FLEET_OK, "%s", err.message);
  fleet_h5_discard(w);
  cr_assert(!exists(tmp_path));
  assert_no_open_hdf5_objects();
}

Test(h5_writer, invalid_run_info_rejected) {
  char final_path[256], tmp_path[300];
  paths("info.h5", final_path, tmp_path);
  fleet_h5_writer_t *w = NULL;
  fleet_error_t err;
  fleet_run_info_t info = test_info();
  info.replicas = 0;
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_ERR_USAGE);
  cr_assert_not_null(strstr(err.message, "replicas"), "%s", err.message);
  info = test_info();
  info.years = -3;
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_ERR_USAGE);
  info = test_info();
  info.first_replica = -1;
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_ERR_USAGE);
  info = test_info();
  info.scenario_sha256 = "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef";
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_ERR_USAGE);
  cr_assert_not_null(strstr(err.message, "sha256"), "%s", err.message);
  info = test_info();
  info.model_sha256 = NULL;
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_ERR_USAGE);
  cr_assert_not_null(strstr(err.message, "model_sha256"), "%s", err.message);
  info = test_info();
  info.scenario_text = NULL;
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_ERR_USAGE);
  const double bad_rates[] = {-1.0, -2.0, NAN, INFINITY, -INFINITY};
  for (size_t i = 0; i < sizeof bad_rates / sizeof bad_rates[0]; i++) {
    info = test_info();
    info.discount_rate = bad_rates[i];
    cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_ERR_USAGE, "discount_rate %g accepted",
                 bad_rates[i]);
    cr_assert_not_null(strstr(err.message, "discount_rate"), "%s", err.message);
  }
  const int64_t bad_leases[] = {0, -1, INT64_MIN};
  for (size_t i = 0; i < sizeof bad_leases / sizeof bad_leases[0]; i++) {
    info = test_info();
    info.lease_years = bad_leases[i];
    cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_ERR_USAGE, "lease_years %lld accepted",
                 (long long)bad_leases[i]);
    cr_assert_not_null(strstr(err.message, "lease_years"), "%s", err.message);
  }
  cr_assert_null(w);
  cr_assert(!exists(tmp_path) && !exists(final_path));
}

Test(h5_writer, invalid_regions_rejected) {
  char final_path[256], tmp_path[300];
  paths("regions.h5", final_path, tmp_path);
  fleet_h5_writer_t *w = NULL;
  fleet_error_t err;
  const int bad_counts[] = {0, -1, FLEET_MAX_REGIONS + 1, INT32_MIN};
  for (size_t i = 0; i < sizeof bad_counts / sizeof bad_counts[0]; i++) {
    fleet_run_info_t info = test_info();
    info.region_count = bad_counts[i];
    fleet_error_clear(&err);
    cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_ERR_USAGE, "region_count %d accepted",
                 bad_counts[i]);
    cr_assert_not_null(strstr(err.message, "region_count"), "%s", err.message);
    cr_assert_null(w);
  }
  fleet_run_info_t info = test_info();
  info.region_names = NULL;
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_ERR_USAGE);
  cr_assert_not_null(strstr(err.message, "region names"), "%s", err.message);
  const char *const with_null[REGIONS] = {"bretagne", NULL, "provence"};
  info = test_info();
  info.region_names = with_null;
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_ERR_USAGE);
  cr_assert_not_null(strstr(err.message, "region name 1"), "%s", err.message);
  cr_assert_null(w);
  cr_assert(!exists(tmp_path) && !exists(final_path));
  assert_no_open_hdf5_objects();
}

Test(h5_writer, one_and_max_regions_written) {
  static char names_buf[FLEET_MAX_REGIONS][24];
  const char *names[FLEET_MAX_REGIONS];
  for (int g = 0; g < FLEET_MAX_REGIONS; g++) {
    snprintf(names_buf[g], sizeof names_buf[g], "region_%02d", g);
    names[g] = names_buf[g];
  }
  const int counts[2] = {1, FLEET_MAX_REGIONS};
  for (int c = 0; c < 2; c++) {
    char final_path[256], tmp_path[300], name[32];
    snprintf(name, sizeof name, "regions_%d.h5", counts[c]);
    paths(name, final_path, tmp_path);
    fleet_run_info_t info = test_info();
    info.region_count = counts[c];
    info.region_names = names;
    fleet_h5_writer_t *w = NULL;
    fleet_error_t err;
    cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_OK, "%s", err.message);
    fill_totals(&totals, 0, 1);
    for (int g = 0; g < FLEET_MAX_REGIONS; g++) {
      totals.region_pv_yield_kwh_per_kwp[g] = 1000.0 + g;
      totals.region_mean_temperature_c[g] = 10.0 + 0.5 * g;
    }
    cr_assert_eq(fleet_h5_write_year(w, 0, 1, &totals, &err), FLEET_OK, "%s", err.message);
    cr_assert_eq(fleet_h5_commit(w, 1.0, 1.0, &err), FLEET_OK, "%s", err.message);

    hid_t file = H5Fopen(final_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(file, 0);
    const hsize_t dims[3] = {REPLICAS, YEARS, (hsize_t)counts[c]};
    hid_t pv_dset, t_dset;
    double *pv = read_f64_dataset(file, "/weather/pv_yield_kwh_per_kwp", 3, dims, "kWh/kWp", &pv_dset);
    double *t = read_f64_dataset(file, "/weather/mean_temperature_c", 3, dims, "C", &t_dset);
    for (int g = 0; g < counts[c]; g++) {
      cr_assert_eq(pv[(0 * YEARS + 1) * counts[c] + g], 1000.0 + g, "pv_yield[0,1,%d]", g);
      cr_assert_eq(t[(0 * YEARS + 1) * counts[c] + g], 10.0 + 0.5 * g, "mean_temperature[0,1,%d]", g);
      cr_assert(isnan(pv[(1 * YEARS + 1) * counts[c] + g]) && isnan(t[g]), "unwritten not NaN");
    }
    assert_string_array_attr(pv_dset, "regions", (size_t)counts[c], names);
    assert_string_array_attr(t_dset, "regions", (size_t)counts[c], names);
    free(pv);
    free(t);
    H5Dclose(pv_dset);
    H5Dclose(t_dset);
    H5Fclose(file);
    assert_no_open_hdf5_objects();
  }
}

Test(h5_writer, bad_runtime_fails_commit_and_removes_temp) {
  char final_path[256], tmp_path[300];
  paths("runtime.h5", final_path, tmp_path);
  fleet_run_info_t info = test_info();
  fleet_h5_writer_t *w = NULL;
  fleet_error_t err;
  cr_assert_eq(fleet_h5_create(final_path, &info, &w, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_h5_commit(w, NAN, 10.0, &err), FLEET_ERR_USAGE);
  cr_assert(!exists(tmp_path) && !exists(final_path));
  assert_no_open_hdf5_objects();
}

Test(h5_writer, stale_temp_file_replaced_and_final_overwritten) {
  char final_path[256], tmp_path[300];
  paths("again.h5", final_path, tmp_path);
  FILE *f = fopen(tmp_path, "w");
  cr_assert_not_null(f);
  fputs("stale", f);
  fclose(f);
  f = fopen(final_path, "w");
  cr_assert_not_null(f);
  fputs("old result", f);
  fclose(f);
  write_full_file(final_path, tmp_path, 1);
  cr_assert(!exists(tmp_path));
  cr_assert_gt(H5Fis_hdf5(final_path), 0, "final file is not the new HDF5 file");
  assert_no_open_hdf5_objects();
}

static herr_t counting_handler(hid_t stack, void *data) {
  (void)stack;
  ++*(int *)data;
  return 0;
}

Test(h5_writer, hdf5_error_printing_silenced_and_restored) {
  int calls = 0;
  cr_assert_geq(H5Eset_auto2(H5E_DEFAULT, counting_handler, &calls), 0);
  char final_path[256];
  snprintf(final_path, sizeof final_path, "%s/missing/run.h5", dir);
  fleet_run_info_t info = test_info();
  fleet_h5_writer_t *w = NULL;
  fleet_error_t err;
  cr_assert_neq(fleet_h5_create(final_path, &info, &w, &err), FLEET_OK);
  cr_assert_eq(calls, 0, "HDF5's automatic error handler ran inside the writer");
  H5E_auto2_t func = NULL;
  void *data = NULL;
  cr_assert_geq(H5Eget_auto2(H5E_DEFAULT, &func, &data), 0);
  cr_assert(func == counting_handler && data == &calls, "caller's handler not restored");
}
