/* test_scenario.c: loading, overriding, validating and printing scenario files.
 *
 * Error fixtures are built from configs/baseline.yaml by one text substitution each and written
 * to a temporary file, so every fixture differs from the baseline in exactly the way its test
 * names. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario.h"

#ifndef FLEET_SOURCE_DIR
#error "compile with -DFLEET_SOURCE_DIR=\"/path/to/the/source/tree\""
#endif

#define BASELINE FLEET_SOURCE_DIR "/configs/baseline.yaml"
#define BACKUP_15KWH FLEET_SOURCE_DIR "/configs/backup_15kwh.yaml"

static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)size + 1);
  cr_assert_not_null(text);
  cr_assert_eq(fread(text, 1, (size_t)size, f), (size_t)size);
  text[size] = '\0';
  fclose(f);
  return text;
}

/* text with the first occurrence of from replaced by to (from must occur). */
static char *replace(const char *text, const char *from, const char *to) {
  const char *at = strstr(text, from);
  cr_assert_not_null(at, "fixture: '%s' not in the baseline", from);
  size_t head = (size_t)(at - text), from_len = strlen(from), to_len = strlen(to);
  char *out = malloc(strlen(text) - from_len + to_len + 1);
  cr_assert_not_null(out);
  memcpy(out, text, head);
  memcpy(out + head, to, to_len);
  strcpy(out + head + to_len, at + from_len);
  return out;
}

/* 1-based line of the first occurrence of needle in text. */
static int line_of(const char *text, const char *needle) {
  const char *at = strstr(text, needle);
  cr_assert_not_null(at);
  int line = 1;
  for (const char *s = text; s < at; s++) line += *s == '\n';
  return line;
}

static char temp_path[64];

static void write_temp(const char *text) {
  strcpy(temp_path, "/tmp/fleet_scenario_XXXXXX");
  int fd = mkstemp(temp_path);
  cr_assert_geq(fd, 0);
  FILE *f = fdopen(fd, "wb");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
}

/* A temporary directory for scenarios that name base files; its files and subdirectories are
 * removed, last made first, when the test ends. */
enum { MAX_TEMP_FILES = 32 };
static char temp_dir[64];
static char *temp_files[MAX_TEMP_FILES];
static int temp_file_count;

static void make_temp_dir(void) {
  strcpy(temp_dir, "/tmp/fleet_bases_XXXXXX");
  cr_assert_not_null(mkdtemp(temp_dir));
}

/* Path of name inside the temporary directory (caller frees). */
static char *in_temp_dir(const char *name) {
  char *path = malloc(strlen(temp_dir) + strlen(name) + 2);
  cr_assert_not_null(path);
  sprintf(path, "%s/%s", temp_dir, name);
  return path;
}

static void track(char *path) {
  cr_assert_lt(temp_file_count, MAX_TEMP_FILES);
  temp_files[temp_file_count++] = path;
}

/* Writes text to name inside the temporary directory; returns its path (freed at the end). */
static const char *write_named(const char *name, const char *text) {
  char *path = in_temp_dir(name);
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f, "cannot write %s", path);
  fputs(text, f);
  fclose(f);
  track(path);
  return path;
}

static void make_sub_dir(const char *name) {
  char *path = in_temp_dir(name);
  cr_assert_eq(mkdir(path, 0700), 0);
  track(path);
}

static void remove_temp(void) {
  if (temp_path[0]) unlink(temp_path);
  temp_path[0] = '\0';
  while (temp_file_count > 0) {
    char *path = temp_files[--temp_file_count];
    remove(path);
    free(path);
  }
  if (temp_dir[0]) rmdir(temp_dir);
  temp_dir[0] = '\0';
}

static fleet_params_t params;
static fleet_error_t err;

static fleet_status_t load_baseline(const char *const *overrides, int count) {
  return fleet_scenario_load(BASELINE, overrides, count, &params, &err);
}

/* Loads the baseline with one substitution; the temp file stays for the test to name it. */
static fleet_status_t load_modified(const char *from, const char *to) {
  char *base = read_text(BASELINE);
  char *text = replace(base, from, to);
  write_temp(text);
  free(base);
  free(text);
  return fleet_scenario_load(temp_path, NULL, 0, &params, &err);
}

static void expect_error(fleet_status_t st, const char *a, const char *b, const char *c) {
  cr_assert_eq(st, FLEET_ERR_SCENARIO, "expected a scenario error, got %d: %s", st, err.message);
  cr_assert_eq(err.code, FLEET_ERR_SCENARIO);
  const char *parts[] = {a, b, c};
  for (int i = 0; i < 3; i++)
    if (parts[i])
      cr_assert_not_null(strstr(err.message, parts[i]), "message lacks '%s': %s", parts[i],
                         err.message);
}

TestSuite(scenario, .fini = remove_temp);

/* ---- the baseline ------------------------------------------------------------------------- */

Test(scenario, baseline_loads_with_its_values) {
  cr_assert_eq(load_baseline(NULL, 0), FLEET_OK, "%s", err.message);
  cr_assert_eq(err.code, FLEET_OK);
  cr_assert_eq(params.seed, UINT64_C(20261128));
  cr_assert_eq(params.replicas, 1);
  cr_assert_eq(params.years, 5);
  cr_assert_eq(params.first_weekday, 4);
  cr_assert_eq(params.redraw_fleet_per_replica, false);
  cr_assert_eq(params.vehicles, 1000000);
  cr_assert_eq(params.battery_kwh, 30.0);
  cr_assert_eq(params.soc_floor_fraction_min, 0.3);
  cr_assert_eq(params.consumption_kwh_per_km_max, 0.16);
  cr_assert_eq(params.cold_increase_per_c, 0.0167);
  cr_assert_eq(params.plug_policy, FLEET_PLUG_EVERY_ARRIVAL);
  cr_assert_eq(params.commute_km_log_sd, 0.862);
  cr_assert_eq(params.long_trip_return_hour, 18);
  cr_assert_eq(params.region_count, 12);
  cr_assert_str_eq(params.regions[0].name, "ile_de_france");
  cr_assert_str_eq(params.regions[2].name, "hauts_de_france");
  cr_assert_eq(params.regions[2].fleet_share, 0.092322);
  cr_assert_eq(params.regions[2].temperature_monthly_c[6], 17.1);
  cr_assert_str_eq(params.regions[11].name, "centre_val_de_loire");
  cr_assert_eq(params.regions[11].temperature_monthly_c[9], 12.0);
  cr_assert_eq(params.regions[0].latitude_deg, 48.86);
  cr_assert_eq(params.regions[6].pv_yield_kwh_per_kwp, 1400.0);
  cr_assert_eq(params.diurnal_half_range_c[0], 3.0);
  cr_assert_eq(params.diurnal_half_range_c[6], 6.5);
  cr_assert_eq(params.solar_noon_clock_hour, 12.85);
  cr_assert_eq(params.cloudy_to_cloudy_probability, 0.75);
  cr_assert_eq(params.garage_share, 0.2);
  cr_assert_eq(params.garage_chain, FLEET_GARAGE_CHAIN_DC);
  cr_assert_eq(params.garage_ac_battery_to_car_efficiency, 0.83);
  cr_assert_eq(params.garage_grid_topup_start_hour, 22);
  cr_assert_eq(params.garage_grid_topup_end_hour, 6);
  cr_assert_eq(params.garage_export_surplus, true);
  cr_assert_eq(params.carport_pv_kwp_per_space, 2.5);
  cr_assert_eq(params.carport_charge_power_kw, 7.4);
}

Test(scenario, baseline_outage_storm_backup_values) {
  cr_assert_eq(load_baseline(NULL, 0), FLEET_OK, "%s", err.message);
  cr_assert_str_eq(params.regions[0].name, "ile_de_france");
  cr_assert_eq(params.regions[0].longitude_deg, 2.35);
  cr_assert_eq(params.regions[0].storm_exposure, 1.0);
  cr_assert_str_eq(params.regions[8].name, "bretagne");
  cr_assert_eq(params.regions[8].longitude_deg, -4.49);
  cr_assert_eq(params.regions[8].storm_exposure, 3.0);
  cr_assert_str_eq(params.regions[6].name, "provence_alpes_cote_d_azur");
  cr_assert_eq(params.regions[6].storm_exposure, 0.5);
  cr_assert_eq(params.regions[9].longitude_deg, 1.10);
  cr_assert_eq(params.regions[11].longitude_deg, 1.91);
  cr_assert_eq(params.outage_rate_per_year, 1.9);
  cr_assert_eq(params.outage_duration_median_min, 18.7);
  cr_assert_eq(params.outage_duration_log_sd, 1.0);
  cr_assert_eq(params.outage_duration_max_h, 48.0);
  cr_assert_eq(params.storm_rate_per_year, 0.16);
  cr_assert_eq(params.storm_month_weights[0], 3.0);
  cr_assert_eq(params.storm_month_weights[5], 0.0);
  cr_assert_eq(params.storm_month_weights[9], 1.0);
  cr_assert_eq(params.storm_month_weights[11], 3.0);
  cr_assert_eq(params.storm_radius_km_mean, 140.0);
  cr_assert_eq(params.storm_cut_share, 0.25);
  cr_assert_eq(params.storm_extreme_probability, 0.25);
  cr_assert_eq(params.storm_extreme_radius_km, 600.0);
  cr_assert_eq(params.storm_extreme_cut_share, 0.13);
  const double days[FLEET_RESTORATION_KNOTS] = {0, 1, 5, 10, 12};
  const double cut[FLEET_RESTORATION_KNOTS] = {1.0, 0.436, 0.0675, 0.0067, 0.0};
  const double extreme_days[FLEET_RESTORATION_KNOTS] = {0, 1, 3, 6, 9};
  const double extreme_cut[FLEET_RESTORATION_KNOTS] = {1.0, 0.38, 0.09, 0.013, 0.0};
  for (int i = 0; i < FLEET_RESTORATION_KNOTS; i++) {
    cr_assert_eq(params.storm_restoration_days[i], days[i], "restoration_days[%d]", i);
    cr_assert_eq(params.storm_still_cut_fraction[i], cut[i], "still_cut_fraction[%d]", i);
    cr_assert_eq(params.storm_extreme_restoration_days[i], extreme_days[i], "extreme_restoration_days[%d]", i);
    cr_assert_eq(params.storm_extreme_still_cut_fraction[i], extreme_cut[i], "extreme_still_cut_fraction[%d]", i);
  }
  cr_assert_eq(params.backup_dormant_load_kwh_per_day, 2.3);
  cr_assert_eq(params.backup_load_profile[0], 1.0);
  cr_assert_eq(params.backup_load_profile[7], 1.5);
  cr_assert_eq(params.backup_load_profile[12], 1.2);
  cr_assert_eq(params.backup_load_profile[18], 2.5);
  cr_assert_eq(params.backup_load_profile[23], 1.0);
}

Test(scenario, baseline_prices_household_state_co2_values) {
  cr_assert_eq(load_baseline(NULL, 0), FLEET_OK, "%s", err.message);
  cr_assert_eq(params.diesel_eur_per_l, 1.654);
  cr_assert_eq(params.diesel_log_sd, 0.114);
  cr_assert_eq(params.petrol_log_drift, 0.031);
  cr_assert_eq(params.tariff_eur_per_kwh, 0.1952);
  cr_assert_eq(params.public_eur_per_kwh, 0.50);
  cr_assert_eq(params.public_log_sd, 0.10);
  cr_assert_eq(params.corr_diesel_petrol, 0.9);
  cr_assert_eq(params.corr_fuel_electricity, 0.3);
  cr_assert_eq(params.corr_tariff_public, 0.7);
  cr_assert_eq(params.diesel_share, 0.5);
  cr_assert_eq(params.petrol_l_per_100km, 7.31);
  cr_assert_eq(params.diesel_l_per_100km, 6.07);
  cr_assert_eq(params.maintenance_saving_eur_per_year, 250.0);
  cr_assert_eq(params.lease_eur_per_year, 1800.0);
  cr_assert_eq(params.garage_lease_eur_per_year, 3600.0);
  cr_assert_eq(params.vehicle_price_eur, 18900.0);
  cr_assert_eq(params.garage_price_eur, 18000.0);
  cr_assert_eq(params.carport_price_eur_per_space, 3750.0);
  cr_assert_eq(params.trade_in_value_eur, 3000.0);
  cr_assert_eq(params.lease_years, 5);
  cr_assert_eq(params.default_hazard_per_year, 0.02);
  cr_assert_eq(params.default_recovery_fraction, 0.7);
  cr_assert_eq(params.battery_warranty_years, 5);
  cr_assert_eq(params.battery_failure_hazard_per_year, 0.002);
  cr_assert_eq(params.battery_pack_eur_per_kwh, 106.0);
  cr_assert_eq(params.administration_eur_per_vehicle_year, 50.0);
  cr_assert_eq(params.discount_rate, 0.032);
  cr_assert_eq(params.petrol_kg_co2_per_l, 2.3);
  cr_assert_eq(params.diesel_kg_co2_per_l, 2.6);
  const double monthly[12] = {73, 67, 58, 43, 33, 32, 35, 35, 42, 50, 61, 72};
  for (int m = 0; m < 12; m++) cr_assert_eq(params.grid_g_co2_per_kwh_monthly[m], monthly[m], "month %d", m);
  cr_assert_eq(params.grid_hour_profile_winter[18], 1.28);
  cr_assert_eq(params.grid_hour_profile_summer[20], 1.30);
}

/* ---- overrides ---------------------------------------------------------------------------- */

Test(scenario, override_scalar) {
  const char *set[] = {"fleet.vehicles=1234", "simulation.redraw_fleet_per_replica=true",
                       "charging.plug_policy=below_threshold", "simulation.seed=18446744073709551615"};
  cr_assert_eq(load_baseline(set, 4), FLEET_OK, "%s", err.message);
  cr_assert_eq(params.vehicles, 1234);
  cr_assert_eq(params.redraw_fleet_per_replica, true);
  cr_assert_eq(params.plug_policy, FLEET_PLUG_BELOW_THRESHOLD);
  cr_assert_eq(params.seed, UINT64_MAX);
}

Test(scenario, override_new_sections) {
  const char *set[] = {"garage.chain=ac", "garage.export_surplus=false",
                       "weather.diurnal_half_range_c.11=2.5", "carport.charge_power_kw=11",
                       "regions.occitanie.latitude_deg=43.5"};
  cr_assert_eq(load_baseline(set, 5), FLEET_OK, "%s", err.message);
  cr_assert_eq(params.garage_chain, FLEET_GARAGE_CHAIN_AC);
  cr_assert_eq(params.garage_export_surplus, false);
  cr_assert_eq(params.diurnal_half_range_c[10], 3.5);
  cr_assert_eq(params.diurnal_half_range_c[11], 2.5);
  cr_assert_eq(params.carport_charge_power_kw, 11.0);
  cr_assert_eq(params.garage_charge_power_kw, 7.0);
  cr_assert_str_eq(params.regions[4].name, "occitanie");
  cr_assert_eq(params.regions[4].latitude_deg, 43.5);
}

Test(scenario, override_later_wins) {
  const char *set[] = {"fleet.battery_kwh=40", "fleet.battery_kwh=50.5"};
  cr_assert_eq(load_baseline(set, 2), FLEET_OK, "%s", err.message);
  cr_assert_eq(params.battery_kwh, 50.5);
}

Test(scenario, override_region_field) {
  const char *set[] = {"regions.bretagne.fleet_share=0.061854", "regions.normandie.fleet_share=0.041239"};
  cr_assert_eq(load_baseline(set, 2), FLEET_OK, "%s", err.message);
  cr_assert_eq(params.regions[8].fleet_share, 0.061854);
  cr_assert_eq(params.regions[9].fleet_share, 0.041239);
}

Test(scenario, override_array_element) {
  const char *set[] = {"regions.bretagne.temperature_monthly_c.0=6.5",
                       "regions.bretagne.temperature_monthly_c.11=-2"};
  cr_assert_eq(load_baseline(set, 2), FLEET_OK, "%s", err.message);
  cr_assert_str_eq(params.regions[8].name, "bretagne");
  cr_assert_eq(params.regions[8].temperature_monthly_c[0], 6.5);
  cr_assert_eq(params.regions[8].temperature_monthly_c[1], 6.7);
  cr_assert_eq(params.regions[8].temperature_monthly_c[11], -2.0);
}

Test(scenario, override_unknown_key) {
  const char *set[] = {"fleet.bogus=3"};
  expect_error(load_baseline(set, 1), "--set fleet.bogus=3", "key fleet.bogus", "unknown key");
}

Test(scenario, override_unknown_section) {
  const char *set[] = {"solar.kwp=3"};
  expect_error(load_baseline(set, 1), "--set solar.kwp=3", "key solar.kwp", "unknown key");
}

Test(scenario, override_index_past_the_end) {
  const char *set[] = {"regions.bretagne.temperature_monthly_c.12=1"};
  expect_error(load_baseline(set, 1), "--set regions.bretagne.temperature_monthly_c.12=1",
               "unknown key", NULL);
}

Test(scenario, override_non_scalar) {
  const char *set[] = {"regions=3"};
  expect_error(load_baseline(set, 1), "--set regions=3", "key regions", "unknown key");
  cr_assert_not_null(strstr(err.message, "mapping"), "%s", err.message);
}

Test(scenario, override_malformed) {
  const char *set[] = {"fleet.vehicles"};
  expect_error(load_baseline(set, 1), "--set fleet.vehicles", "malformed", "KEY=VALUE");
  const char *empty_key[] = {"=3"};
  expect_error(load_baseline(empty_key, 1), "--set =3", "malformed", NULL);
}

Test(scenario, override_wrong_type) {
  const char *set[] = {"fleet.vehicles=abc"};
  expect_error(load_baseline(set, 1), "--set fleet.vehicles=abc", "key fleet.vehicles",
               "value abc is not an integer");
}

Test(scenario, override_out_of_range) {
  const char *set[] = {"fleet.battery_kwh=-3"};
  expect_error(load_baseline(set, 1), "--set fleet.battery_kwh=-3", "key fleet.battery_kwh",
               "value -3 is out of range: must be in [1, 200] kWh");
}

/* ---- errors in the file ------------------------------------------------------------------- */

Test(scenario, unknown_key_in_file) {
  cr_assert_eq(load_modified("fleet:\n", "fleet:\n  bogus_key: 3\n"), FLEET_ERR_SCENARIO);
  char *text = read_text(temp_path);
  char expect[128];
  snprintf(expect, sizeof expect, "%s:%d: key fleet.bogus_key: unknown key", temp_path,
           line_of(text, "bogus_key"));
  free(text);
  expect_error(FLEET_ERR_SCENARIO, expect, NULL, NULL);
}

Test(scenario, unknown_section_in_file) {
  expect_error(load_modified("fleet:\n", "solar:\n  kwp: 3\nfleet:\n"), temp_path, "key solar",
               "unknown key");
}

Test(scenario, unknown_key_in_region) {
  expect_error(load_modified("    fleet_share: 0.051854\n",
                             "    fleet_share: 0.051854\n    altitude_m: 100\n"),
               temp_path, "key regions.bretagne.altitude_m", "unknown key");
}

Test(scenario, wrong_type_real) {
  expect_error(load_modified("battery_kwh: 30 ", "battery_kwh: abc "), temp_path,
               "key fleet.battery_kwh", "value abc is not a real number");
}

Test(scenario, wrong_type_real_with_trailing_text) {
  expect_error(load_modified("battery_kwh: 30 ", "battery_kwh: 30kWh "), temp_path,
               "key fleet.battery_kwh", "value 30kWh");
}

Test(scenario, wrong_type_real_not_finite) {
  expect_error(load_modified("battery_kwh: 30 ", "battery_kwh: inf "), temp_path,
               "key fleet.battery_kwh", "value inf");
}

Test(scenario, wrong_type_integer) {
  expect_error(load_modified("years: 5 ", "years: 1.5 "), temp_path, "key simulation.years",
               "value 1.5 is not an integer");
}

Test(scenario, wrong_type_bool) {
  expect_error(load_modified("redraw_fleet_per_replica: false", "redraw_fleet_per_replica: yes"),
               temp_path, "key simulation.redraw_fleet_per_replica",
               "value yes is not a boolean");
}

Test(scenario, wrong_type_seed) {
  expect_error(load_modified("seed: 20261128", "seed: -1"), temp_path, "key simulation.seed",
               "value -1 is not a non-negative integer");
}

Test(scenario, wrong_type_mapping_for_scalar) {
  expect_error(load_modified("years: 5 ", "years: {a: 1} "), temp_path, "key simulation.years",
               "mapping");
}

Test(scenario, out_of_range_with_line) {
  cr_assert_eq(load_modified("battery_kwh: 30 ", "battery_kwh: -3 "), FLEET_ERR_SCENARIO);
  char *text = read_text(temp_path);
  char expect[160];
  snprintf(expect, sizeof expect,
           "%s:%d: key fleet.battery_kwh: value -3 is out of range: must be in [1, 200] kWh",
           temp_path, line_of(text, "battery_kwh"));
  free(text);
  expect_error(FLEET_ERR_SCENARIO, expect, NULL, NULL);
}

Test(scenario, out_of_range_integer) {
  expect_error(load_modified("vehicles: 1000000", "vehicles: 0"), temp_path, "key fleet.vehicles",
               "value 0 is out of range: must be in [1, 100000000]");
}

Test(scenario, out_of_range_array_element) {
  expect_error(load_modified("[3.4, 4.1,", "[3.4, 99,"), temp_path,
               "key regions.ile_de_france.temperature_monthly_c.1", "value 99 is out of range");
}

Test(scenario, array_wrong_length) {
  expect_error(load_modified("[3.4, 4.1,", "[4.1,"), temp_path,
               "key regions.ile_de_france.temperature_monthly_c", "exactly 12");
}

Test(scenario, missing_key) {
  expect_error(load_modified("  employed_share:", "  #employed_share:"), temp_path,
               "key fleet.employed_share", "missing");
}

Test(scenario, missing_section) {
  expect_error(load_modified("consumption:\n", "unused_consumption:\n"), temp_path,
               "unused_consumption", "unknown key");
  remove_temp();
  char *base = read_text(BASELINE);
  char *from = strstr(base, "\nconsumption:\n"), *to = strstr(base, "\ncharging:\n");
  cr_assert(from && to && from < to);
  memmove(from, to, strlen(to) + 1);
  write_temp(base);
  free(base);
  expect_error(fleet_scenario_load(temp_path, NULL, 0, &params, &err), temp_path,
               "key consumption.cold_threshold_c", "missing: section consumption is absent");
}

Test(scenario, missing_region_field) {
  expect_error(load_modified("    fleet_share: 0.189568\n", ""), temp_path,
               "key regions.ile_de_france.fleet_share", "missing");
}

Test(scenario, duplicate_key) {
  cr_assert_eq(load_modified("  years: 5 ", "  years: 5\n  years: 6 "), FLEET_ERR_SCENARIO);
  char *text = read_text(temp_path);
  char expect[128];
  snprintf(expect, sizeof expect, "%s:%d: key simulation.years: duplicate key (first given at line %d)",
           temp_path, line_of(text, "years: 6"), line_of(text, "years: 5"));
  free(text);
  expect_error(FLEET_ERR_SCENARIO, expect, NULL, NULL);
}

Test(scenario, duplicate_region) {
  expect_error(load_modified("  normandie:", "  bretagne:"), temp_path, "key regions.bretagne",
               "duplicate key");
}

Test(scenario, bad_region_name) {
  expect_error(load_modified("  normandie:", "  Normandie:"), temp_path, "key regions.Normandie",
               "[a-z][a-z0-9_]*");
}

Test(scenario, yaml_syntax_error) {
  cr_assert_eq(load_modified("  years: 5 ", "  years: [5 "), FLEET_ERR_SCENARIO);
  expect_error(FLEET_ERR_SCENARIO, temp_path, "YAML syntax error", NULL);
  const char *at = strstr(err.message, temp_path) + strlen(temp_path);
  cr_assert(at[0] == ':' && at[1] >= '1' && at[1] <= '9', "no line number: %s", err.message);
}

Test(scenario, yaml_bad_indentation) {
  expect_error(load_modified("  years: 5 ", "  years: 5\n    extra: 1\n "), temp_path,
               "YAML syntax error", NULL);
}

Test(scenario, file_not_found) {
  cr_assert_eq(fleet_scenario_load("/nonexistent/dir/none.yaml", NULL, 0, &params, &err),
               FLEET_ERR_SCENARIO);
  expect_error(FLEET_ERR_SCENARIO, "/nonexistent/dir/none.yaml", "cannot open",
               "No such file");
}

Test(scenario, top_level_not_a_mapping) {
  write_temp("- 1\n- 2\n");
  expect_error(fleet_scenario_load(temp_path, NULL, 0, &params, &err), temp_path,
               "top level must be a mapping", "sequence");
}

Test(scenario, empty_file) {
  write_temp("# only a comment\n");
  expect_error(fleet_scenario_load(temp_path, NULL, 0, &params, &err), temp_path, "empty", NULL);
}

Test(scenario, shares_not_summing_to_one) {
  expect_error(load_modified("fleet_share: 0.189568", "fleet_share: 0.2"), temp_path,
               "key regions.*.fleet_share", "values sum to 1.010432");
  cr_assert_not_null(strstr(err.message, "within 1e-6"), "%s", err.message);
}

Test(scenario, shares_not_summing_from_override) {
  const char *set[] = {"regions.bretagne.fleet_share=0.06"};
  expect_error(load_baseline(set, 1), BASELINE, "fleet_share", "sum to");
}

Test(scenario, enum_not_in_list) {
  expect_error(load_modified("plug_policy: every_arrival", "plug_policy: sometimes"), temp_path,
               "key charging.plug_policy", "value sometimes");
  cr_assert_not_null(strstr(err.message, "every_arrival, below_threshold"), "%s", err.message);
}

Test(scenario, enum_garage_chain_not_in_list) {
  expect_error(load_modified("chain: dc", "chain: hybrid"), temp_path, "key garage.chain",
               "value hybrid is not allowed");
  cr_assert_not_null(strstr(err.message, "dc, ac"), "%s", err.message);
}

Test(scenario, out_of_range_new_keys) {
  const char *yield[] = {"regions.bretagne.pv_yield_kwh_per_kwp=50"};
  expect_error(load_baseline(yield, 1), "--set regions.bretagne.pv_yield_kwh_per_kwp=50",
               "key regions.bretagne.pv_yield_kwh_per_kwp",
               "must be in [100, 3000] kWh/kWp/year");
  expect_error(load_modified("anomaly_persistence: 0.75", "anomaly_persistence: 1"), temp_path,
               "key weather.anomaly_persistence", "value 1 is out of range: must be in [0, 0.99]");
  remove_temp();
  const char *hour[] = {"garage.grid_topup_end_hour=24"};
  expect_error(load_baseline(hour, 1), "key garage.grid_topup_end_hour", "value 24",
               "[0, 23] hour of day");
  expect_error(load_modified("[3.0, 3.5,", "[3.0, -0.5,"), temp_path,
               "key weather.diurnal_half_range_c.1", "value -0.5 is out of range");
}

Test(scenario, missing_new_keys) {
  expect_error(load_modified("  export_surplus:", "  #export_surplus:"), temp_path,
               "key garage.export_surplus", "missing");
  remove_temp();
  expect_error(load_modified("    latitude_deg: 48.86\n", ""), temp_path,
               "key regions.ile_de_france.latitude_deg", "missing");
}

Test(scenario, new_keys_override) {
  const char *set[] = {"storm.restoration_days.4=20", "backup.load_profile.23=0.5",
                       "regions.bretagne.storm_exposure=4", "outage.duration_max_h=72"};
  cr_assert_eq(load_baseline(set, 4), FLEET_OK, "%s", err.message);
  cr_assert_eq(params.storm_restoration_days[4], 20.0);
  cr_assert_eq(params.backup_load_profile[23], 0.5);
  cr_assert_eq(params.backup_load_profile[22], 1.5);
  cr_assert_eq(params.regions[8].storm_exposure, 4.0);
  cr_assert_eq(params.outage_duration_max_h, 72.0);
}

Test(scenario, new_keys_out_of_range) {
  const char *lon[] = {"regions.bretagne.longitude_deg=-181"};
  expect_error(load_baseline(lon, 1), "key regions.bretagne.longitude_deg", "value -181",
               "must be in [-180, 180] degrees east");
  const char *exposure[] = {"regions.normandie.storm_exposure=-1"};
  expect_error(load_baseline(exposure, 1), "key regions.normandie.storm_exposure", "value -1",
               "must be in [0, 1000]");
  const char *rate[] = {"outage.rate_per_year=1001"};
  expect_error(load_baseline(rate, 1), "key outage.rate_per_year", "value 1001",
               "must be in [0, 1000]");
  const char *median[] = {"outage.duration_median_min=0.05"};
  expect_error(load_baseline(median, 1), "key outage.duration_median_min", "value 0.05",
               "must be in [0.1, 10000] min");
  const char *sd[] = {"outage.duration_log_sd=6"};
  expect_error(load_baseline(sd, 1), "key outage.duration_log_sd", "must be in [0, 5]", NULL);
  const char *max_h[] = {"outage.duration_max_h=8761"};
  expect_error(load_baseline(max_h, 1), "key outage.duration_max_h", "must be in [0.1, 8760] h",
               NULL);
  const char *storms[] = {"storm.rate_per_year=101"};
  expect_error(load_baseline(storms, 1), "key storm.rate_per_year", "must be in [0, 100]", NULL);
  const char *radius[] = {"storm.extreme_radius_km=5001"};
  expect_error(load_baseline(radius, 1), "key storm.extreme_radius_km",
               "must be in [0, 5000] km", NULL);
  const char *share[] = {"storm.cut_share=1.5"};
  expect_error(load_baseline(share, 1), "key storm.cut_share", "must be in [0, 1]", NULL);
  const char *prob[] = {"storm.extreme_probability=-0.1"};
  expect_error(load_baseline(prob, 1), "key storm.extreme_probability", "must be in [0, 1]", NULL);
  const char *day[] = {"storm.restoration_days.4=366"};
  expect_error(load_baseline(day, 1), "key storm.restoration_days.4", "value 366",
               "must be in [0, 365]");
  const char *load[] = {"backup.dormant_load_kwh_per_day=201"};
  expect_error(load_baseline(load, 1), "key backup.dormant_load_kwh_per_day",
               "must be in [0, 200] kWh/day", NULL);
  expect_error(load_modified("[3, 2, 1, 0,", "[3, 2, 1001, 0,"), temp_path,
               "key storm.month_weights.2", "value 1001 is out of range");
  remove_temp();
  expect_error(load_modified("0.436, 0.0675", "0.436, 1.0675"), temp_path,
               "key storm.still_cut_fraction.2", "value 1.0675 is out of range");
  remove_temp();
  expect_error(load_modified("[1, 1, 1, 1, 1, 1, 1, 1.5,", "[1, 1, 1, 1, 1, 1, -1, 1.5,"),
               temp_path, "key backup.load_profile.6", "value -1 is out of range");
}

Test(scenario, new_arrays_wrong_length) {
  cr_assert_eq(load_modified("[0, 1, 5, 10, 12]", "[0, 1, 5, 10]"), FLEET_ERR_SCENARIO);
  char *text = read_text(temp_path);
  char expect[256];
  snprintf(expect, sizeof expect, "%s:%d: key storm.restoration_days: value is a sequence of 4 "
           "numbers: must have exactly 5", temp_path, line_of(text, "restoration_days:"));
  free(text);
  expect_error(FLEET_ERR_SCENARIO, expect, NULL, NULL);
  remove_temp();
  expect_error(load_modified("2.5, 2, 1.5, 1]", "2.5, 2, 1.5, 1, 1]"), temp_path,
               "key backup.load_profile", "sequence of 25 numbers: must have exactly 24");
  remove_temp();
  expect_error(load_modified("[3, 2, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3]", "3"), temp_path,
               "key storm.month_weights", "expected a sequence of 12 numbers");
  remove_temp();
  expect_error(load_modified("[1.0, 0.436, 0.0675, 0.0067, 0.0]", "[]"), temp_path,
               "key storm.still_cut_fraction", "sequence of 0 numbers: must have exactly 5");
}

Test(scenario, new_keys_missing) {
  expect_error(load_modified("  extreme_cut_share:", "  #extreme_cut_share:"), temp_path,
               "key storm.extreme_cut_share", "missing");
  remove_temp();
  expect_error(load_modified("    storm_exposure: 3\n", ""), temp_path,
               "key regions.bretagne.storm_exposure", "missing");
  remove_temp();
  char *base = read_text(BASELINE);
  char *from = strstr(base, "\nbackup:\n"), *to = strstr(base, "\n# Prices:");
  cr_assert(from && to && from < to);
  memmove(from, to, strlen(to) + 1);
  write_temp(base);
  free(base);
  expect_error(fleet_scenario_load(temp_path, NULL, 0, &params, &err), temp_path,
               "key backup.dormant_load_kwh_per_day", "missing: section backup is absent");
}

Test(scenario, budget_keys_override) {
  const char *set[] = {"prices.diesel_eur_per_l=2.1", "household.diesel_share=0",
                       "state.lease_years=7", "state.discount_rate=-0.01",
                       "household.maintenance_saving_eur_per_year=-100", "co2.grid_g_co2_per_kwh_monthly.6=0"};
  cr_assert_eq(load_baseline(set, 6), FLEET_OK, "%s", err.message);
  cr_assert_eq(params.diesel_eur_per_l, 2.1);
  cr_assert_eq(params.petrol_eur_per_l, 1.724);
  cr_assert_eq(params.diesel_share, 0.0);
  cr_assert_eq(params.lease_years, 7);
  cr_assert_eq(params.discount_rate, -0.01);
  cr_assert_eq(params.maintenance_saving_eur_per_year, -100.0);
  cr_assert_eq(params.grid_g_co2_per_kwh_monthly[6], 0.0);
  cr_assert_eq(params.grid_g_co2_per_kwh_monthly[5], 32.0);
}

Test(scenario, budget_keys_out_of_range) {
  cr_assert_eq(load_modified("diesel_eur_per_l: 1.654", "diesel_eur_per_l: 0.005"),
               FLEET_ERR_SCENARIO);
  char *text = read_text(temp_path);
  char expect[256];
  snprintf(expect, sizeof expect, "%s:%d: key prices.diesel_eur_per_l: value 0.005 is out of "
           "range: must be in [0.01, 20] EUR/L", temp_path, line_of(text, "diesel_eur_per_l:"));
  free(text);
  expect_error(FLEET_ERR_SCENARIO, expect, NULL, NULL);
  remove_temp();
  const char *tariff[] = {"prices.tariff_eur_per_kwh=11"};
  expect_error(load_baseline(tariff, 1), "key prices.tariff_eur_per_kwh", "value 11",
               "must be in [0.001, 10] EUR/kWh");
  const char *corr[] = {"prices.corr_tariff_public=1.01"};
  expect_error(load_baseline(corr, 1), "key prices.corr_tariff_public", "must be in [-1, 1]", NULL);
  const char *sd[] = {"prices.petrol_log_sd=-0.1"};
  expect_error(load_baseline(sd, 1), "key prices.petrol_log_sd", "must be in [0, 2]", NULL);
  const char *litres[] = {"household.petrol_l_per_100km=51"};
  expect_error(load_baseline(litres, 1), "key household.petrol_l_per_100km",
               "must be in [0, 50] L/100 km", NULL);
  const char *price[] = {"state.vehicle_price_eur=1000001"};
  expect_error(load_baseline(price, 1), "key state.vehicle_price_eur", "must be in [0, 1000000]",
               NULL);
  const char *years[] = {"state.lease_years=0"};
  expect_error(load_baseline(years, 1), "key state.lease_years", "value 0",
               "must be in [1, 100] years");
  const char *whole[] = {"state.battery_warranty_years=2.5"};
  expect_error(load_baseline(whole, 1), "key state.battery_warranty_years", "not an integer", NULL);
  const char *hazard[] = {"state.default_hazard_per_year=1.5"};
  expect_error(load_baseline(hazard, 1), "key state.default_hazard_per_year", "must be in [0, 1]",
               NULL);
  const char *rate[] = {"state.discount_rate=-0.6"};
  expect_error(load_baseline(rate, 1), "key state.discount_rate", "must be in [-0.5, 1]", NULL);
  const char *grid[] = {"co2.grid_g_co2_per_kwh_monthly.0=2001"};
  expect_error(load_baseline(grid, 1), "key co2.grid_g_co2_per_kwh_monthly", "must be in [0, 2000]", NULL);
  const char *hour[] = {"co2.grid_hour_profile_winter.3=-1"};
  expect_error(load_baseline(hour, 1), "key co2.grid_hour_profile_winter", "must be in [0, 1000]", NULL);
}

Test(scenario, budget_keys_missing) {
  expect_error(load_modified("  grid_g_co2_per_kwh_monthly:", "  #grid_g_co2_per_kwh_monthly:"), temp_path,
               "key co2.grid_g_co2_per_kwh_monthly", "missing");
  remove_temp();
  char *base = read_text(BASELINE);
  char *from = strstr(base, "\nstate:\n"), *to = strstr(base, "\nco2:\n");
  cr_assert(from && to && from < to);
  memmove(from, to, strlen(to) + 1);
  write_temp(base);
  free(base);
  expect_error(fleet_scenario_load(temp_path, NULL, 0, &params, &err), temp_path,
               "key state.vehicle_price_eur", "missing: section state is absent");
}

/* ---- rules between keys ------------------------------------------------------------------- */

Test(scenario, rule_soc_floor_min_above_max) {
  const char *set[] = {"fleet.soc_floor_fraction_min=0.5"};
  expect_error(load_baseline(set, 1), "--set fleet.soc_floor_fraction_min=0.5",
               "fleet.soc_floor_fraction_max = 0.3", "soc_floor_fraction_min must be <=");
}

Test(scenario, rule_floor_below_target) {
  const char *set[] = {"fleet.charge_target_fraction=0.3"};
  expect_error(load_baseline(set, 1), "fleet.soc_floor_fraction_max = 0.3",
               "--set fleet.charge_target_fraction=0.3", "must be < charge_target_fraction");
}

Test(scenario, rule_home_shares) {
  const char *set[] = {"fleet.home_wallbox_share=0.2"};
  expect_error(load_baseline(set, 1), "fleet.home_wallbox_share = 0.2",
               "fleet.home_socket_share = 1.0", "<= 1");
  const char *split[] = {"fleet.home_socket_share=0.3", "fleet.home_wallbox_share=0.7"};
  cr_assert_eq(load_baseline(split, 2), FLEET_OK, "%s", err.message);
}

Test(scenario, rule_public_reserve_below_target) {
  expect_error(load_modified("public_reserve_fraction: 0.1", "public_reserve_fraction: 0.8"),
               temp_path, "charging.public_reserve_fraction = 0.8",
               "public_reserve_fraction must be < public_target_fraction");
}

Test(scenario, rule_work_day_ends_same_day) {
  const char *set[] = {"mobility.work_hours_max=14"};
  expect_error(load_baseline(set, 1), "mobility.departure_hour_max = 10",
               "--set mobility.work_hours_max=14", "<= 23");
}

Test(scenario, rule_min_max_hours) {
  const char *set[] = {"mobility.errand_hour_min=19"};
  expect_error(load_baseline(set, 1), "mobility.errand_hour_min = 19", "errand_hour_max = 17",
               "errand_hour_min must be <= errand_hour_max");
}

Test(scenario, rule_weekend_trip_same_day) {
  const char *set[] = {"mobility.weekend_trip_duration_hours=9"};
  expect_error(load_baseline(set, 1), "weekend_trip_hour_max = 15",
               "weekend_trip_duration_hours = 9", "<= 23");
}

Test(scenario, rule_long_trip_hours) {
  const char *set[] = {"mobility.long_trip_return_hour=8"};
  expect_error(load_baseline(set, 1), "long_trip_departure_hour = 8", "long_trip_return_hour = 8",
               "must be < long_trip_return_hour");
}

Test(scenario, rule_consumption_min_max) {
  const char *set[] = {"fleet.consumption_kwh_per_km_min=0.2"};
  expect_error(load_baseline(set, 1), "consumption_kwh_per_km_min = 0.2",
               "consumption_kwh_per_km_max = 0.16", "must be <=");
}

Test(scenario, rule_weather_chain_mixes) {
  const char *set[] = {"weather.clear_to_clear_probability=1",
                       "weather.cloudy_to_cloudy_probability=1"};
  expect_error(load_baseline(set, 2), "--set weather.clear_to_clear_probability=1",
               "weather.cloudy_to_cloudy_probability = 1 (--set", "must be < 2");
  const char *one[] = {"weather.clear_to_clear_probability=1"};
  cr_assert_eq(load_baseline(one, 1), FLEET_OK, "%s", err.message);
}

Test(scenario, rule_clearness_order) {
  const char *set[] = {"weather.cloudy_day_clearness=0.96"};
  expect_error(load_baseline(set, 1), "weather.cloudy_day_clearness = 0.96",
               "weather.clear_day_clearness = 0.95",
               "cloudy_day_clearness must be <= clear_day_clearness");
  const char *equal[] = {"weather.cloudy_day_clearness=0.95"};
  cr_assert_eq(load_baseline(equal, 1), FLEET_OK, "%s", err.message);
}

Test(scenario, rule_garage_floor_below_topup_target) {
  expect_error(load_modified("  floor_fraction: 0.1 ", "  floor_fraction: 0.6 "), temp_path,
               "garage.floor_fraction = 0.6", "garage.grid_topup_target_fraction = 0.5");
  cr_assert_not_null(strstr(err.message, "floor_fraction must be <= grid_topup_target_fraction"),
                     "%s", err.message);
  const char *equal[] = {"garage.floor_fraction=0.5"};
  cr_assert_eq(load_baseline(equal, 1), FLEET_OK, "%s", err.message);
}

#define ZERO_MONTHS "[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]"

Test(scenario, rule_month_weights_sum) {
  cr_assert_eq(load_modified("[3, 2, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3]", ZERO_MONTHS),
               FLEET_ERR_SCENARIO);
  char *text = read_text(temp_path);
  char expect[256];
  snprintf(expect, sizeof expect, "%s:%d: key storm.month_weights: values sum to 0 while "
           "storm.rate_per_year = 0.16 (line %d)", temp_path, line_of(text, "month_weights:"),
           line_of(text, "  rate_per_year: 0.16"));
  free(text);
  expect_error(FLEET_ERR_SCENARIO, expect, "must sum to more than 0", NULL);
  /* No storms: the weights are unused and may all be 0. */
  const char *none[] = {"storm.rate_per_year=0"};
  cr_assert_eq(fleet_scenario_load(temp_path, none, 1, &params, &err), FLEET_OK, "%s",
               err.message);
}

Test(scenario, rule_restoration_days_start_at_zero) {
  const char *set[] = {"storm.restoration_days.0=0.5"};
  expect_error(load_baseline(set, 1), "--set storm.restoration_days.0=0.5",
               "key storm.restoration_days.0: value 0.5", "must be 0");
}

Test(scenario, rule_restoration_days_increase) {
  const char *set[] = {"storm.restoration_days.3=5"};
  expect_error(load_baseline(set, 1), "--set storm.restoration_days.3=5",
               "keys storm.restoration_days.3 = 5 and storm.restoration_days.2 = 5 (" BASELINE ":",
               "strictly increasing");
  expect_error(load_modified("[0, 1, 5, 10, 12]", "[0, 1, 5, 12, 10]"), temp_path,
               "storm.restoration_days.4 = 10 and storm.restoration_days.3 = 12",
               "strictly increasing");
}

/* The extreme storm's curve follows the same rules as the ordinary one, each message naming it. */
Test(scenario, rule_extreme_restoration_curve) {
  const char *start[] = {"storm.extreme_restoration_days.0=0.5"};
  expect_error(load_baseline(start, 1), "--set storm.extreme_restoration_days.0=0.5",
               "key storm.extreme_restoration_days.0: value 0.5", "must be 0");
  const char *order[] = {"storm.extreme_restoration_days.3=3"};
  expect_error(load_baseline(order, 1), "storm.extreme_restoration_days.3 = 3",
               "storm.extreme_restoration_days.2 = 3", "strictly increasing");
  const char *one[] = {"storm.extreme_still_cut_fraction.0=0.9"};
  expect_error(load_baseline(one, 1), "--set storm.extreme_still_cut_fraction.0=0.9",
               "key storm.extreme_still_cut_fraction.0: value 0.9", "must be 1");
  const char *rise[] = {"storm.extreme_still_cut_fraction.2=0.5"};
  expect_error(load_baseline(rise, 1), "storm.extreme_still_cut_fraction.2 = 0.5",
               "storm.extreme_still_cut_fraction.1 = 0.38", "must not increase");
  const char *end[] = {"storm.extreme_still_cut_fraction.4=0.001"};
  expect_error(load_baseline(end, 1), "--set storm.extreme_still_cut_fraction.4=0.001",
               "key storm.extreme_still_cut_fraction.4: value 0.001", "must be 0");
  const char *fine[] = {"storm.extreme_restoration_days.4=12", "storm.extreme_still_cut_fraction.1=0.5"};
  cr_assert_eq(load_baseline(fine, 2), FLEET_OK, "%s", err.message);
  cr_assert_eq(params.storm_extreme_restoration_days[4], 12.0);
  cr_assert_eq(params.storm_restoration_days[4], 12.0); /* the ordinary curve untouched */
  cr_assert_eq(params.storm_still_cut_fraction[1], 0.436);
}

Test(scenario, rule_still_cut_starts_at_one) {
  expect_error(load_modified("[1.0, 0.436,", "[0.9, 0.436,"), temp_path,
               "key storm.still_cut_fraction.0: value 0.9", "must be 1");
}

Test(scenario, rule_still_cut_does_not_increase) {
  const char *set[] = {"storm.still_cut_fraction.2=0.5"};
  expect_error(load_baseline(set, 1), "storm.still_cut_fraction.2 = 0.5",
               "storm.still_cut_fraction.1 = 0.436", "must not increase");
  const char *equal[] = {"storm.still_cut_fraction.2=0.436"};
  cr_assert_eq(load_baseline(equal, 1), FLEET_OK, "%s", err.message);
}

Test(scenario, rule_still_cut_ends_at_zero) {
  const char *set[] = {"storm.still_cut_fraction.4=0.001"};
  expect_error(load_baseline(set, 1), "--set storm.still_cut_fraction.4=0.001",
               "key storm.still_cut_fraction.4: value 0.001", "must be 0");
}

Test(scenario, rule_load_profile_sum) {
  char zeros[128] = "[0";
  for (int i = 1; i < FLEET_LOAD_HOURS; i++) strcat(zeros, ", 0");
  strcat(zeros, "]");
  expect_error(load_modified("[1, 1, 1, 1, 1, 1, 1, 1.5, 1.5, 1, 1, 1, 1.2, 1.2, 1, 1, 1, 1.5, "
                             "2.5, 2.5, 2.5, 2, 1.5, 1]", zeros),
               temp_path, "key backup.load_profile: values sum to 0",
               "at least one hour must have a weight above 0");
  remove_temp();
  char one[128] = "[0";
  for (int i = 1; i < FLEET_LOAD_HOURS; i++) strcat(one, i == 19 ? ", 2" : ", 0");
  strcat(one, "]");
  cr_assert_eq(load_modified("[1, 1, 1, 1, 1, 1, 1, 1.5, 1.5, 1, 1, 1, 1.2, 1.2, 1, 1, 1, 1.5, "
                             "2.5, 2.5, 2.5, 2, 1.5, 1]", one),
               FLEET_OK, "%s", err.message);
  cr_assert_eq(params.backup_load_profile[19], 2.0);
}

static const char *const no_exposure[] = {
    "regions.ile_de_france.storm_exposure=0",      "regions.auvergne_rhone_alpes.storm_exposure=0",
    "regions.hauts_de_france.storm_exposure=0",    "regions.nouvelle_aquitaine.storm_exposure=0",
    "regions.occitanie.storm_exposure=0",          "regions.grand_est.storm_exposure=0",
    "regions.provence_alpes_cote_d_azur.storm_exposure=0",
    "regions.pays_de_la_loire.storm_exposure=0",   "regions.bretagne.storm_exposure=0",
    "regions.normandie.storm_exposure=0",          "regions.bourgogne_franche_comte.storm_exposure=0",
    "regions.centre_val_de_loire.storm_exposure=0", "storm.rate_per_year=0"};

Test(scenario, rule_some_region_exposed_to_storms) {
  expect_error(load_baseline(no_exposure, 12), BASELINE, "key regions.*.storm_exposure",
               "0 in all 12 regions while storm.rate_per_year = 0.16");
  cr_assert_not_null(strstr(err.message, "at least one region"), "%s", err.message);
  cr_assert_eq(load_baseline(no_exposure, 13), FLEET_OK, "%s", err.message);
  cr_assert_eq(params.storm_rate_per_year, 0.0);
}

Test(scenario, rule_outage_median_below_max) {
  const char *set[] = {"outage.duration_max_h=0.25"};
  expect_error(load_baseline(set, 1), "outage.duration_median_min = 18.7",
               "--set outage.duration_max_h=0.25", "duration_median_min must be <= 60 x");
  const char *equal[] = {"outage.duration_max_h=0.5", "outage.duration_median_min=30"};
  cr_assert_eq(load_baseline(equal, 2), FLEET_OK, "%s", err.message);
}

/* With corr_diesel_petrol a and corr_tariff_public c, the matrix is positive definite iff |a| < 1,
 * |c| < 1 and corr_fuel_electricity^2 < (1 + a)(1 + c) / 4: for the baseline's 0.9 and 0.7,
 * |corr_fuel_electricity| < 0.8986. */
Test(scenario, rule_price_correlations_positive_definite) {
  cr_assert_eq(load_modified("corr_fuel_electricity: 0.3", "corr_fuel_electricity: 0.9"),
               FLEET_ERR_SCENARIO);
  char *text = read_text(temp_path);
  char expect[512];
  snprintf(expect, sizeof expect, "%s:%d: keys prices.corr_diesel_petrol = 0.9, "
           "prices.corr_fuel_electricity = 0.9 (line %d) and prices.corr_tariff_public = 0.7 "
           "(line %d): the correlation matrix", temp_path, line_of(text, "corr_diesel_petrol:"),
           line_of(text, "corr_fuel_electricity:"), line_of(text, "corr_tariff_public:"));
  free(text);
  expect_error(FLEET_ERR_SCENARIO, expect, "must be positive definite", NULL);
  remove_temp();
  const char *negative[] = {"prices.corr_fuel_electricity=-0.9"};
  expect_error(load_baseline(negative, 1), "prices.corr_fuel_electricity = -0.9 (--set "
               "prices.corr_fuel_electricity=-0.9)", "prices.corr_tariff_public = 0.7",
               "must be positive definite");
  const char *same_fuel[] = {"prices.corr_diesel_petrol=1"};
  expect_error(load_baseline(same_fuel, 1), "--set prices.corr_diesel_petrol=1",
               "prices.corr_diesel_petrol = 1,", "must be positive definite");
  const char *opposite[] = {"prices.corr_tariff_public=-1", "prices.corr_fuel_electricity=0"};
  expect_error(load_baseline(opposite, 2), "prices.corr_tariff_public = -1 (--set",
               "must be positive definite", NULL);
  /* just inside the boundary */
  const char *inside[] = {"prices.corr_fuel_electricity=0.89"};
  cr_assert_eq(load_baseline(inside, 1), FLEET_OK, "%s", err.message);
  const char *inside_negative[] = {"prices.corr_fuel_electricity=-0.89"};
  cr_assert_eq(load_baseline(inside_negative, 1), FLEET_OK, "%s", err.message);
  const char *near_one[] = {"prices.corr_diesel_petrol=0.999", "prices.corr_tariff_public=0.999",
                            "prices.corr_fuel_electricity=0.99"};
  cr_assert_eq(load_baseline(near_one, 3), FLEET_OK, "%s", err.message);
  const char *independent[] = {"prices.corr_diesel_petrol=0", "prices.corr_tariff_public=0",
                               "prices.corr_fuel_electricity=0"};
  cr_assert_eq(load_baseline(independent, 3), FLEET_OK, "%s", err.message);
  const char *anti[] = {"prices.corr_diesel_petrol=-0.99", "prices.corr_tariff_public=-0.99",
                        "prices.corr_fuel_electricity=0"};
  cr_assert_eq(load_baseline(anti, 3), FLEET_OK, "%s", err.message);
}

/* ---- base files --------------------------------------------------------------------------- */

Test(scenario, base_variant_equals_baseline_but_its_key) {
  cr_assert_eq(load_baseline(NULL, 0), FLEET_OK, "%s", err.message);
  fleet_params_t baseline = params;
  cr_assert_eq(fleet_scenario_load(BACKUP_15KWH, NULL, 0, &params, &err), FLEET_OK, "%s",
               err.message);
  cr_assert_eq(params.backup_dormant_load_kwh_per_day, 15.0);
  params.backup_dormant_load_kwh_per_day = baseline.backup_dormant_load_kwh_per_day;
  cr_assert_eq(memcmp(&params, &baseline, sizeof params), 0,
               "the variant differs from the baseline in more than its one key");
}

Test(scenario, base_set_applies_on_top) {
  const char *set[] = {"backup.dormant_load_kwh_per_day=3.5", "fleet.vehicles=20000",
                       "storm.month_weights.6=1"};
  cr_assert_eq(fleet_scenario_load(BACKUP_15KWH, set, 3, &params, &err), FLEET_OK, "%s",
               err.message);
  cr_assert_eq(params.backup_dormant_load_kwh_per_day, 3.5);
  cr_assert_eq(params.vehicles, 20000);
  cr_assert_eq(params.storm_month_weights[6], 1.0);
  const char *bad[] = {"backup.dormant_load_kwh_per_day=-1"};
  expect_error(fleet_scenario_load(BACKUP_15KWH, bad, 1, &params, &err),
               "--set backup.dormant_load_kwh_per_day=-1", "value -1 is out of range", NULL);
  const char *unknown[] = {"backup.bogus=1"};
  expect_error(fleet_scenario_load(BACKUP_15KWH, unknown, 1, &params, &err), "--set backup.bogus=1",
               "unknown key", "with its base files");
}

Test(scenario, base_key_not_in_base) {
  make_temp_dir();
  const char *variant = write_named("variant.yaml", "base: " BASELINE "\n"
                                                    "storm:\n"
                                                    "  cut_share: 0.3\n"
                                                    "  bogus_share: 0.5\n");
  char expect[512];
  snprintf(expect, sizeof expect, "%s:4: key storm.bogus_share: unknown key: not in base %s",
           variant, BASELINE);
  expect_error(fleet_scenario_load(variant, NULL, 0, &params, &err), expect, NULL, NULL);
  const char *section = write_named("section.yaml", "base: " BASELINE "\nsolar:\n  kwp: 3\n");
  expect_error(fleet_scenario_load(section, NULL, 0, &params, &err), section, "key solar",
               "not in base " BASELINE);
  const char *region = write_named("region.yaml", "base: " BASELINE "\nregions:\n  corse:\n"
                                                  "    fleet_share: 0.1\n");
  expect_error(fleet_scenario_load(region, NULL, 0, &params, &err), region,
               "key regions.corse: unknown key", "not in base " BASELINE);
}

Test(scenario, base_relative_to_the_naming_file) {
  make_temp_dir();
  make_sub_dir("sub");
  char *baseline = read_text(BASELINE);
  write_named("root.yaml", baseline);
  free(baseline);
  write_named("sub/mid.yaml", "# the middle of the chain\n"
                              "base: ../root.yaml\n"
                              "fleet:\n"
                              "  vehicles: 5000\n"
                              "  battery_kwh: 40\n"
                              "storm:\n"
                              "  restoration_days: [0, 2, 4, 8, 16]\n");
  const char *top = write_named("top.yaml", "fleet:\n"
                                            "  battery_kwh: 50\n"
                                            "base: sub/mid.yaml\n"
                                            "regions:\n"
                                            "  bretagne:\n"
                                            "    storm_exposure: 7\n");
  cr_assert_eq(fleet_scenario_load(top, NULL, 0, &params, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(params.vehicles, 5000);          /* from the middle */
  cr_assert_eq(params.battery_kwh, 50.0);       /* the top wins over the middle */
  cr_assert_eq(params.storm_restoration_days[1], 2.0);
  cr_assert_eq(params.storm_restoration_days[4], 16.0);
  cr_assert_eq(params.regions[8].storm_exposure, 7.0);
  cr_assert_eq(params.regions[8].fleet_share, 0.051854); /* the rest of the region is kept */
  cr_assert_eq(params.regions[9].storm_exposure, 2.0);
  cr_assert_eq(params.storm_cut_share, 0.25);   /* from the root */
  cr_assert_eq(params.region_count, 12);
  fleet_params_t three = params;
  cr_assert_eq(load_baseline(NULL, 0), FLEET_OK, "%s", err.message);
  params.vehicles = 5000;
  params.battery_kwh = 50;
  memcpy(params.storm_restoration_days, three.storm_restoration_days,
         sizeof params.storm_restoration_days);
  params.regions[8].storm_exposure = 7;
  cr_assert_eq(memcmp(&params, &three, sizeof params), 0);
}

Test(scenario, base_bad_value_names_the_including_file) {
  make_temp_dir();
  const char *variant = write_named("variant.yaml", "base: " BASELINE "\n"
                                                    "\n"
                                                    "fleet:\n"
                                                    "  battery_kwh: -3\n");
  char expect[512];
  snprintf(expect, sizeof expect, "%s:4: key fleet.battery_kwh: value -3 is out of range", variant);
  expect_error(fleet_scenario_load(variant, NULL, 0, &params, &err), expect, NULL, NULL);
  /* A sequence replaces the base's whole: it must have the full length. */
  const char *short_seq = write_named("short.yaml", "base: " BASELINE "\n"
                                                    "storm:\n"
                                                    "  still_cut_fraction: [1, 0]\n");
  snprintf(expect, sizeof expect, "%s:3: key storm.still_cut_fraction: value is a sequence of 2 "
           "numbers: must have exactly 5", short_seq);
  expect_error(fleet_scenario_load(short_seq, NULL, 0, &params, &err), expect, NULL, NULL);
  /* A rule between a value of the variant and one of the base names both files. */
  const char *rule = write_named("rule.yaml", "base: " BASELINE "\n"
                                              "fleet:\n"
                                              "  soc_floor_fraction_min: 0.5\n");
  snprintf(expect, sizeof expect, "%s:3: keys fleet.soc_floor_fraction_min = 0.5 and "
           "fleet.soc_floor_fraction_max = 0.3 (%s:", rule, BASELINE);
  expect_error(fleet_scenario_load(rule, NULL, 0, &params, &err), expect, NULL, NULL);
  /* A mapping given for a value is refused by the normal validation. */
  const char *shape = write_named("shape.yaml", "base: " BASELINE "\n"
                                                "fleet:\n"
                                                "  vehicles: {a: 1}\n");
  expect_error(fleet_scenario_load(shape, NULL, 0, &params, &err), shape,
               "key fleet.vehicles: value is a mapping", NULL);
}

Test(scenario, base_cycle) {
  make_temp_dir();
  const char *a = write_named("a.yaml", "base: b.yaml\nfleet:\n  vehicles: 10\n");
  const char *b = write_named("b.yaml", "base: a.yaml\nfleet:\n  vehicles: 20\n");
  expect_error(fleet_scenario_load(a, NULL, 0, &params, &err), "cycle", a, b);
  char chain[512];
  snprintf(chain, sizeof chain, "%s -> %s -> %s", a, b, a);
  cr_assert_not_null(strstr(err.message, chain), "%s", err.message);
  const char *self = write_named("self.yaml", "base: ./self.yaml\n");
  expect_error(fleet_scenario_load(self, NULL, 0, &params, &err), self, "cycle", NULL);
}

Test(scenario, base_missing_file) {
  make_temp_dir();
  const char *variant = write_named("variant.yaml", "# a variant\nbase: no_such_base.yaml\n");
  char *missing = in_temp_dir("no_such_base.yaml");
  char expect[512];
  snprintf(expect, sizeof expect, "%s:2: key base: cannot open the base file %s", variant, missing);
  free(missing);
  expect_error(fleet_scenario_load(variant, NULL, 0, &params, &err), expect,
               "No such file or directory", NULL);
  const char *empty = write_named("empty.yaml", "base: \"\"\n");
  expect_error(fleet_scenario_load(empty, NULL, 0, &params, &err), empty, "key base",
               "expected the path of a scenario file");
  const char *list = write_named("list.yaml", "base: [a.yaml, b.yaml]\n");
  expect_error(fleet_scenario_load(list, NULL, 0, &params, &err), list, "key base",
               "expected the path of a scenario file");
}

Test(scenario, base_errors_in_the_base_name_the_base) {
  make_temp_dir();
  char *baseline = read_text(BASELINE);
  char *broken = replace(baseline, "battery_kwh: 30 ", "battery_kwh: 300 ");
  const char *base = write_named("broken.yaml", broken);
  int line = line_of(broken, "battery_kwh:");
  free(baseline);
  free(broken);
  const char *variant = write_named("variant.yaml", "base: broken.yaml\nfleet:\n  vehicles: 7\n");
  char expect[512];
  snprintf(expect, sizeof expect, "%s:%d: key fleet.battery_kwh: value 300 is out of range", base,
           line);
  expect_error(fleet_scenario_load(variant, NULL, 0, &params, &err), expect, NULL, NULL);
  const char *syntax = write_named("syntax.yaml", "fleet: [1\n");
  const char *on_syntax = write_named("on_syntax.yaml", "base: syntax.yaml\n");
  expect_error(fleet_scenario_load(on_syntax, NULL, 0, &params, &err), syntax, "YAML syntax error",
               NULL);
}

Test(scenario, base_chain_depth_limit) {
  make_temp_dir();
  char name[32], text[64];
  /* f0 -> f1 -> ... -> f8 -> baseline: 9 bases, one too many; f1 -> ... -> baseline is 8. */
  for (int i = 0; i <= 8; i++) {
    snprintf(name, sizeof name, "f%d.yaml", i);
    if (i < 8)
      snprintf(text, sizeof text, "base: f%d.yaml\n", i + 1);
    else
      snprintf(text, sizeof text, "base: root.yaml\n");
    write_named(name, text);
  }
  char *baseline = read_text(BASELINE);
  write_named("root.yaml", baseline);
  free(baseline);
  char *f0 = in_temp_dir("f0.yaml"), *f1 = in_temp_dir("f1.yaml");
  expect_error(fleet_scenario_load(f0, NULL, 0, &params, &err), "nested too deep", "at most 8",
               NULL);
  cr_assert_eq(fleet_scenario_load(f1, NULL, 0, &params, &err), FLEET_OK, "%s", err.message);
  free(f0);
  free(f1);
}

/* ---- printing ----------------------------------------------------------------------------- */

static void expect_round_trip(void) {
  fleet_params_t first = params;
  char *text = fleet_scenario_format(&first);
  cr_assert_not_null(text);
  write_temp(text);
  fleet_params_t second;
  fleet_status_t st = fleet_scenario_load(temp_path, NULL, 0, &second, &err);
  cr_assert_eq(st, FLEET_OK, "%s\n%s", err.message, text);
  cr_assert_eq(memcmp(&first, &second, sizeof first), 0, "params differ after a round trip");
  char *again = fleet_scenario_format(&second);
  cr_assert_not_null(again);
  cr_assert_str_eq(text, again);
  free(text);
  free(again);
}

Test(scenario, format_round_trip_baseline) {
  cr_assert_eq(load_baseline(NULL, 0), FLEET_OK, "%s", err.message);
  expect_round_trip();
}

Test(scenario, format_round_trip_awkward_doubles) {
  const char *set[] = {"fleet.initial_soc_fraction=0.30000000000000004",
                       "consumption.cold_increase_per_c=1e-300",
                       "regions.bretagne.temperature_monthly_c.3=-0.1",
                       "regions.bretagne.temperature_monthly_c.4=12.345678901234567",
                       "charging.plug_policy=below_threshold",
                       "simulation.redraw_fleet_per_replica=true",
                       "simulation.seed=18446744073709551615",
                       "garage.chain=ac",
                       "garage.export_surplus=false",
                       "weather.diurnal_half_range_c.2=0.1",
                       "regions.grand_est.latitude_deg=-33.333333333333336",
                       "prices.corr_fuel_electricity=0.1234567890123456",
                       "state.discount_rate=-0.49999999999999994",
                       "state.lease_years=100"};
  cr_assert_eq(load_baseline(set, 14), FLEET_OK, "%s", err.message);
  expect_round_trip();
}

Test(scenario, format_is_deterministic_and_shortest) {
  cr_assert_eq(load_baseline(NULL, 0), FLEET_OK, "%s", err.message);
  fleet_params_t copy = params;
  char *a = fleet_scenario_format(&params);
  char *b = fleet_scenario_format(&copy);
  cr_assert_not_null(a);
  cr_assert_not_null(b);
  cr_assert_str_eq(a, b);
  cr_assert_not_null(strstr(a, "\n  battery_kwh: 30  # kWh\n"), "%s", a);
  cr_assert_not_null(strstr(a, "\n  cold_increase_per_c: 0.0167  # 1/C\n"), "%s", a);
  cr_assert_not_null(strstr(a, "\n  seed: 20261128  # "), "%s", a);
  cr_assert_not_null(strstr(a, "\n  plug_policy: every_arrival  # "), "%s", a);
  cr_assert_not_null(strstr(a, "\n  redraw_fleet_per_replica: false  # "), "%s", a);
  cr_assert_not_null(strstr(a, "\n  bretagne:\n    fleet_share: 0.051854  # "), "%s", a);
  cr_assert_not_null(strstr(a, "temperature_monthly_c: [6.1, 6.7, 8.5, 10.8, 13.2, 15, 15.6, 15, "
                               "13.2, 10.8, 8.5, 6.7]  # C\n"), "%s", a);
  cr_assert_not_null(strstr(a, "\n  chain: dc  # dc | ac\n"), "%s", a);
  cr_assert_not_null(strstr(a, "\n  diurnal_half_range_c: [3, 3.5, 4.5, 5.5, 6, 6.5, 6.5, 6.5, "
                               "6, 5, 3.5, 3]  # C\n"), "%s", a);
  cr_assert_not_null(strstr(a, "\n    latitude_deg: 48.86  # degrees north\n"), "%s", a);
  cr_assert_not_null(strstr(a, "\n  month_weights: [3, 2, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3]  # "),
                     "%s", a);
  cr_assert_not_null(strstr(a, "\n  restoration_days: [0, 1, 5, 10, 12]  # days after the storm\n"),
                     "%s", a);
  cr_assert_not_null(strstr(a, "\n  extreme_still_cut_fraction: [1, 0.38, 0.09, 0.013, 0]  # "), "%s", a);
  cr_assert_not_null(strstr(a, "\n  still_cut_fraction: [1, 0.436, 0.0675, 0.0067, 0]  # "), "%s",
                     a);
  cr_assert_not_null(strstr(a, "\n  load_profile: [1, 1, 1, 1, 1, 1, 1, 1.5, 1.5, 1, 1, 1, 1.2, "
                               "1.2, 1, 1, 1, 1.5, 2.5, 2.5, 2.5, 2, 1.5, 1]  # "), "%s", a);
  cr_assert_not_null(strstr(a, "\n  bretagne:\n    fleet_share: 0.051854  # fraction of vehicles\n"
                               "    temperature_monthly_c: [6.1, 6.7, 8.5, 10.8, 13.2, 15, 15.6, 15, "
                               "13.2, 10.8, 8.5, 6.7]  # C\n"
                               "    latitude_deg: 48.39  # degrees north\n"
                               "    pv_yield_kwh_per_kwp: 1050  # kWh/kWp/year\n"
                               "    longitude_deg: -4.49  # degrees east\n"
                               "    storm_exposure: 3  # "), "%s", a);
  cr_assert_not_null(strstr(a, "\nprices:\n  diesel_eur_per_l: 1.654  # EUR/L\n"), "%s", a);
  cr_assert_not_null(strstr(a, "\n  tariff_eur_per_kwh: 0.1952  # EUR/kWh\n"), "%s", a);
  cr_assert_not_null(strstr(a, "\n  public_log_sd: 0.1  # "), "%s", a);
  cr_assert_not_null(strstr(a, "\n  lease_years: 5  # years\n"), "%s", a);
  cr_assert_not_null(strstr(a, "\n  vehicle_price_eur: 18900  # EUR per vehicle\n"), "%s", a);
  cr_assert_not_null(strstr(a, "\nco2:\n  petrol_kg_co2_per_l: 2.3  # kg CO2/L\n"), "%s", a);
  const char *order[] = {"\nsimulation:\n", "\nfleet:\n",     "\nconsumption:\n", "\ncharging:\n",
                         "\nmobility:\n",   "\nweather:\n",   "\ngarage:\n",      "\ncarport:\n",
                         "\noutage:\n",     "\nstorm:\n",     "\nbackup:\n",      "\nprices:\n",
                         "\nhousehold:\n",  "\nstate:\n",     "\nco2:\n",         "\nregions:\n"};
  for (int i = 1; i < 16; i++)
    cr_assert_lt(strstr(a, order[i - 1]), strstr(a, order[i]), "section order at %s", order[i]);
  free(a);
  free(b);
}

Test(scenario, base_format_has_no_base_key_and_round_trips) {
  cr_assert_eq(fleet_scenario_load(BACKUP_15KWH, NULL, 0, &params, &err), FLEET_OK, "%s",
               err.message);
  char *text = fleet_scenario_format(&params);
  cr_assert_not_null(text);
  cr_assert_null(strstr(text, "\nbase:"), "%s", text);
  cr_assert_neq(strncmp(text, "base:", 5), 0);
  cr_assert_not_null(strstr(text, "\n  dormant_load_kwh_per_day: 15  # kWh/day\n"), "%s", text);
  cr_assert_not_null(strstr(text, "\n  rate_per_year: 0.16  # storms/year\n"), "%s", text);
  free(text);
  expect_round_trip();
}

/* Inputs that are not regular files are refused at once: a FIFO would block a plain open() until
 * a writer came, and /dev/zero would be read without end. */
Test(scenario, special_files_are_refused_without_blocking) {
  char fifo[] = "/tmp/fleetmc_fifo_XXXXXX";
  cr_assert_not_null(mkdtemp(fifo));
  char path[64], base[64];
  snprintf(path, sizeof path, "%s/f.yaml", fifo);
  cr_assert_eq(mkfifo(path, 0600), 0);
  cr_assert_eq(fleet_scenario_load(path, NULL, 0, &params, &err), FLEET_ERR_SCENARIO);
  expect_error(FLEET_ERR_SCENARIO, path, "not a regular file", "FIFO");
  snprintf(base, sizeof base, "%s/b.yaml", fifo);
  FILE *f = fopen(base, "w");
  fprintf(f, "base: f.yaml\n");
  fclose(f);
  cr_assert_eq(fleet_scenario_load(base, NULL, 0, &params, &err), FLEET_ERR_SCENARIO);
  expect_error(FLEET_ERR_SCENARIO, "f.yaml", "not a regular file", "FIFO");
  cr_assert_eq(fleet_scenario_load("/dev/zero", NULL, 0, &params, &err), FLEET_ERR_SCENARIO);
  expect_error(FLEET_ERR_SCENARIO, "/dev/zero", "not a regular file", "device");
  unlink(path);
  unlink(base);
  rmdir(fifo);
}

/* Real numbers are decimal: hexadecimal, inf and nan are refused with the rule; -0 is 0, so the
 * formatted scenario (and the model hash) do not tell them apart. */
Test(scenario, real_numbers_are_decimal_and_minus_zero_is_zero) {
  const char *bad[] = {"fleet.battery_kwh=0x10", "fleet.battery_kwh=inf", "fleet.battery_kwh=nan",
                       "fleet.battery_kwh=1e999", "fleet.battery_kwh=0x1p4", "fleet.battery_kwh=."};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cr_assert_eq(fleet_scenario_load(BASELINE, &bad[i], 1, &params, &err), FLEET_ERR_SCENARIO, "%s", bad[i]);
    expect_error(FLEET_ERR_SCENARIO, "fleet.battery_kwh", "not a real number", "decimal");
  }
  const char *minus_zero = "fleet.initial_soc_fraction=-0", *zero = "fleet.initial_soc_fraction=0";
  cr_assert_eq(fleet_scenario_load(BASELINE, &minus_zero, 1, &params, &err), FLEET_OK, "%s", err.message);
  char *a = fleet_scenario_format(&params);
  cr_assert_eq(fleet_scenario_load(BASELINE, &zero, 1, &params, &err), FLEET_OK, "%s", err.message);
  char *b = fleet_scenario_format(&params);
  cr_assert_str_eq(a, b);
  cr_assert_eq(signbit(params.initial_soc_fraction), 0);
  free(a);
  free(b);
}
