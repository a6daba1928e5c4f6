/* test_scenario.c: loading, overriding, validating and printing scenario files.
 *
 * Error fixtures are built from configs/baseline.yaml by one text substitution each and written
 * to a temporary file, so every fixture differs from the baseline in exactly the way its test
 * names. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"

#ifndef FLEET_SOURCE_DIR
#error "compile with -DFLEET_SOURCE_DIR=\"/path/to/the/source/tree\""
#endif

#define BASELINE FLEET_SOURCE_DIR "/configs/baseline.yaml"

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

static void remove_temp(void) {
  if (temp_path[0]) unlink(temp_path);
  temp_path[0] = '\0';
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
  expect_error(load_baseline(set, 1), "mobility.errand_hour_min = 19", "errand_hour_max = 18",
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
                       "regions.grand_est.latitude_deg=-33.333333333333336"};
  cr_assert_eq(load_baseline(set, 11), FLEET_OK, "%s", err.message);
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
  const char *order[] = {"\nsimulation:\n", "\nfleet:\n", "\nconsumption:\n", "\ncharging:\n",
                         "\nmobility:\n", "\nweather:\n",  "\ngarage:\n",     "\ncarport:\n",
                         "\nregions:\n"};
  for (int i = 1; i < 9; i++)
    cr_assert_lt(strstr(a, order[i - 1]), strstr(a, order[i]), "section order at %s", order[i]);
  free(a);
  free(b);
}
