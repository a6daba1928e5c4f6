/* scenario.c: scenario files (YAML, read with libyaml) -> fleet_params_t, with --set overrides.
 *
 * Four passes, so each check lives in one place:
 *   1. libyaml events -> a small tree (mapping order kept, file and line of every key and value
 *      kept, duplicate keys and aliases refused);
 *   2. base files (below) are read the same way and the including file's values are laid over
 *      the base's tree;
 *   3. each override "a.b.c=value" replaces the text of an existing scalar of that tree;
 *   4. one walk checks the tree against param_table (the single list of keys, types, ranges,
 *      array lengths and units), then the rules that tie keys together run on the filled struct.
 * No defaults live here: a key missing from the file (and from its base files) is an error.
 *
 * Base files. A scenario may name another scenario it starts from with a top-level key
 *     base: baseline.yaml
 * The path is relative to the directory of the file that names it (an absolute path is used as
 * is). The base is read first (it may itself name a base: at most 8 base files in a chain, and a
 * file that names itself, directly or through others, is refused with the chain in the message).
 * Then every other key of the including file replaces the base's value at the same path:
 *   - a key that the base does not have is an error ("unknown key: not in base FILE"), as for an
 *     unknown --set: a variant changes values, it cannot add keys, sections or regions, and it
 *     cannot remove any;
 *   - a mapping descends into the base's mapping (only the keys given change);
 *   - a scalar or a sequence replaces the base's value wholesale (a sequence must be given in
 *     full, with the length the key requires: the normal validation checks it).
 * The --set overrides apply to the result, then the whole scenario is validated as if it had been
 * one file: a message about a value names the file and line it came from (the including file for
 * a value it gives, the base for the rest). The resolved scenario (fleet_scenario_format) is the
 * full scenario and has no base key. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* realpath, to recognise a base file named twice in a chain */
#endif

#include "scenario.h"

#include "distributions.h"
#include "file_util.h"

#include "budget.h" /* fleet_price_cholesky: the price correlation rule */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

/* ---------------------------------------------------------------------------------------------
 * The parameter table: every key of a scenario, in the order fleet_scenario_format prints them.
 * ------------------------------------------------------------------------------------------- */

typedef enum { PT_REAL, PT_INT, PT_UINT64, PT_BOOL, PT_ENUM, PT_REAL_ARRAY } param_type_t;

typedef struct {
  const char *section; /* top-level key; "regions" marks a field of each region */
  const char *name;    /* key inside the section (inside each region for "regions") */
  param_type_t type;
  size_t offset;       /* into fleet_params_t, or into fleet_region_t for "regions" */
  double min, max;     /* inclusive range for REAL, INT and each REAL_ARRAY element */
  const char *unit;
  const char *const *enum_names; /* PT_ENUM: names in enum value order, NULL-terminated */
  size_t count;                  /* PT_REAL_ARRAY: the number of elements, from the field */
  const char *elements;          /* PT_REAL_ARRAY: what the elements are, for messages */
} param_desc_t;

#define REGIONS_SECTION "regions"
#define BASE_KEY "base"
/* The largest scenario file read: the baseline with its comments is about 20 kB. */
#define FLEET_SCENARIO_MAX_BYTES (4 * 1024 * 1024)

static const char *const plug_policy_names[] = {"every_arrival", "below_threshold", NULL};
static const char *const reserve_rule_names[] = {"floor_plus_trips", "larger_of_floor_and_trips", NULL};
_Static_assert(sizeof(fleet_reserve_rule_t) == sizeof(int), "enums are stored as int");
static const char *const garage_chain_names[] = {"dc", "ac", NULL};
static const char *const trade_in_fate_names[] = {"scrapped", "resold", NULL};
static const char *const forced_storm_names[] = {"none", "ordinary", "extreme", NULL};
_Static_assert(sizeof(fleet_forced_storm_t) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(fleet_trade_in_fate_t) == sizeof(int), "enums are stored as int");

_Static_assert(sizeof(fleet_plug_policy_t) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(fleet_garage_chain_t) == sizeof(int), "enums are stored as int");

/* Elements of a double array field of a struct. */
#define FIELD_COUNT(type, field) (sizeof(((type *)0)->field) / sizeof(double))

#define P_REAL(sec, field, lo, hi, unit) \
  {#sec, #field, PT_REAL, offsetof(fleet_params_t, field), lo, hi, unit, NULL, 0, NULL}
#define P_INT(sec, field, lo, hi, unit) \
  {#sec, #field, PT_INT, offsetof(fleet_params_t, field), lo, hi, unit, NULL, 0, NULL}
#define P_UINT64(sec, field, unit) \
  {#sec, #field, PT_UINT64, offsetof(fleet_params_t, field), 0, 0, unit, NULL, 0, NULL}
#define P_BOOL(sec, field) \
  {#sec, #field, PT_BOOL, offsetof(fleet_params_t, field), 0, 0, "true | false", NULL, 0, NULL}
#define P_ENUM(sec, field, names, unit) \
  {#sec, #field, PT_ENUM, offsetof(fleet_params_t, field), 0, 0, unit, names, 0, NULL}
#define P_ARRAY(sec, field, lo, hi, unit, elements)                                      \
  {#sec, #field, PT_REAL_ARRAY, offsetof(fleet_params_t, field), lo, hi, unit, NULL,     \
   FIELD_COUNT(fleet_params_t, field), elements}
/* Keys whose field carries the section as a prefix: [garage.share] is garage_share. */
#define S_REAL(sec, name, lo, hi, unit) \
  {#sec, #name, PT_REAL, offsetof(fleet_params_t, sec##_##name), lo, hi, unit, NULL, 0, NULL}
#define S_INT(sec, name, lo, hi, unit) \
  {#sec, #name, PT_INT, offsetof(fleet_params_t, sec##_##name), lo, hi, unit, NULL, 0, NULL}
#define S_BOOL(sec, name) \
  {#sec, #name, PT_BOOL, offsetof(fleet_params_t, sec##_##name), 0, 0, "true | false", NULL, 0, NULL}
#define S_ENUM(sec, name, names, unit) \
  {#sec, #name, PT_ENUM, offsetof(fleet_params_t, sec##_##name), 0, 0, unit, names, 0, NULL}
#define S_ARRAY(sec, name, lo, hi, unit, elements)                                           \
  {#sec, #name, PT_REAL_ARRAY, offsetof(fleet_params_t, sec##_##name), lo, hi, unit, NULL,   \
   FIELD_COUNT(fleet_params_t, sec##_##name), elements}
#define R_REAL(field, lo, hi, unit) \
  {REGIONS_SECTION, #field, PT_REAL, offsetof(fleet_region_t, field), lo, hi, unit, NULL, 0, NULL}
#define R_ARRAY(field, lo, hi, unit, elements)                                                \
  {REGIONS_SECTION, #field, PT_REAL_ARRAY, offsetof(fleet_region_t, field), lo, hi, unit, NULL, \
   FIELD_COUNT(fleet_region_t, field), elements}

#define MONTHS_TEXT "January to December"

/* Ranges are the physically meaningful span of each quantity, not a plausibility band: the point
 * of the tool is to let a user move a figure far from the published one. Hours of day are
 * 0..23 because the engine steps hourly within one day. */
static const param_desc_t param_table[] = {
    P_UINT64(simulation, seed, "unsigned 64-bit integer"),
    P_INT(simulation, replicas, 1, 1000000, "replicas"),
    P_INT(simulation, first_replica, 0, 1e12, "replica index"),
    P_INT(simulation, years, 1, 100, "years"),
    P_INT(simulation, first_year, 1900, 2200, "calendar year"),
    P_INT(simulation, first_weekday, 0, 6, "weekday, 0 = Monday"),
    P_BOOL(simulation, redraw_fleet_per_replica),

    P_INT(fleet, vehicles, 1, 100000000, "vehicles"),
    P_REAL(fleet, battery_kwh, 1, 200, "kWh"),
    P_REAL(fleet, initial_soc_fraction, 0, 1, "fraction of capacity"),
    P_REAL(fleet, charge_target_fraction, 0, 1, "fraction of capacity"),
    P_REAL(fleet, soc_floor_fraction_min, 0, 1, "fraction of capacity"),
    P_REAL(fleet, soc_floor_fraction_max, 0, 1, "fraction of capacity"),
    P_REAL(fleet, consumption_kwh_per_km_min, 0.01, 1, "kWh/km"),
    P_REAL(fleet, consumption_kwh_per_km_max, 0.01, 1, "kWh/km"),
    P_REAL(fleet, bidirectional_share, 0, 1, "fraction of vehicles"),
    P_REAL(fleet, home_socket_share, 0, 1, "fraction of vehicles"),
    P_REAL(fleet, home_wallbox_share, 0, 1, "fraction of vehicles"),
    P_REAL(fleet, employed_share, 0, 1, "fraction of households"),

    S_REAL(ageing, calendar_fade_per_year, 0, 0.5, "fraction of nominal capacity per year"),
    S_REAL(ageing, cycle_fade_per_efc, 0, 0.01, "fraction of nominal capacity per equivalent full cycle"),
    S_REAL(ageing, v2g_cycles_per_year, 0, 1000, "equivalent full cycles per year"),

    P_REAL(consumption, cold_threshold_c, -50, 50, "C"),
    P_REAL(consumption, cold_increase_per_c, 0, 1, "1/C"),
    P_REAL(consumption, heat_threshold_c, -50, 50, "C"),
    P_REAL(consumption, heat_increase_per_c, 0, 1, "1/C"),

    P_REAL(charging, socket_power_kw, 0.1, 22, "kW"),
    P_REAL(charging, wallbox_power_kw, 0.1, 22, "kW"),
    P_REAL(charging, socket_efficiency, 0.01, 1, "fraction"),
    P_REAL(charging, wallbox_efficiency, 0.01, 1, "fraction"),
    P_REAL(charging, discharge_efficiency, 0.01, 1, "fraction"),
    P_REAL(charging, bidirectional_charger_power_kw, 0.1, 50, "kW"),
    P_ENUM(charging, plug_policy, plug_policy_names, "every_arrival | below_threshold"),
    P_ENUM(charging, reserve_rule, reserve_rule_names, "floor_plus_trips | larger_of_floor_and_trips"),
    P_REAL(charging, plug_threshold_fraction, 0, 1, "fraction of capacity"),
    P_REAL(charging, public_reserve_fraction, 0, 1, "fraction of capacity"),
    P_REAL(charging, public_target_fraction, 0, 1, "fraction of capacity"),
    P_REAL(charging, public_efficiency, 0.01, 1, "fraction"),
    P_REAL(charging, off_peak_share, 0, 1, "fraction of households with a home charging point"),
    P_INT(charging, off_peak_start_hour, 0, 23, "hour of day"),
    P_INT(charging, off_peak_end_hour, 0, 23, "hour of day"),

    P_REAL(mobility, commute_km_median, 0.1, 1000, "km"),
    P_REAL(mobility, commute_km_log_sd, 0, 5, "ln(km)"),
    P_REAL(mobility, commute_km_max, 0.1, 2000, "km"),
    P_INT(mobility, workdays_per_week, 0, 7, "days/week"),
    P_REAL(mobility, work_absence_probability, 0, 1, "probability"),
    P_REAL(mobility, telework_worker_share, 0, 1, "fraction of workers"),
    P_REAL(mobility, telework_day_probability, 0, 1, "probability"),
    P_REAL(mobility, departure_hour_mean, 0, 23, "hour of day"),
    P_REAL(mobility, departure_hour_sd, 0, 24, "h"),
    P_INT(mobility, departure_hour_min, 0, 23, "hour of day"),
    P_INT(mobility, departure_hour_max, 0, 23, "hour of day"),
    P_REAL(mobility, work_hours_mean, 0, 23, "h"),
    P_REAL(mobility, work_hours_sd, 0, 24, "h"),
    P_INT(mobility, work_hours_min, 0, 23, "h"),
    P_INT(mobility, work_hours_max, 0, 23, "h"),
    P_REAL(mobility, commute_stop_probability, 0, 1, "probability"),
    P_REAL(mobility, commute_stop_km_mean, 0, 1000, "km"),
    P_REAL(mobility, errand_day_probability, 0, 1, "probability"),
    P_REAL(mobility, errand_km_mean, 0, 1000, "km"),
    P_INT(mobility, errand_hour_min, 0, 23, "hour of day"),
    P_INT(mobility, errand_hour_max, 0, 23, "hour of day"),
    P_INT(mobility, errand_duration_hours, 0, 23, "h"),
    P_REAL(mobility, weekend_trip_probability, 0, 1, "probability"),
    P_REAL(mobility, weekend_trip_km_mean, 0, 2000, "km"),
    P_INT(mobility, weekend_trip_hour_min, 0, 23, "hour of day"),
    P_INT(mobility, weekend_trip_hour_max, 0, 23, "hour of day"),
    P_INT(mobility, weekend_trip_duration_hours, 0, 23, "h"),
    P_REAL(mobility, evening_trip_probability_weekday, 0, 1, "probability"),
    P_REAL(mobility, evening_trip_probability_weekend, 0, 1, "probability"),
    P_REAL(mobility, evening_trip_km_mean, 0, 1000, "km"),
    P_INT(mobility, evening_trip_hour_min, 0, 23, "hour of day"),
    P_INT(mobility, evening_trip_hour_max, 0, 23, "hour of day"),
    P_INT(mobility, evening_trip_duration_hours, 0, 23, "h"),
    P_REAL(mobility, long_trips_per_year, 0, 365, "trips/year"),
    P_REAL(mobility, long_trip_km_min, 0, 5000, "km"),
    P_REAL(mobility, long_trip_extra_km_mean, 0, 10000, "km"),
    P_REAL(mobility, long_trip_nights_mean, 0, 365, "nights"),
    P_INT(mobility, long_trip_departure_hour, 0, 23, "hour of day"),
    P_INT(mobility, long_trip_return_hour, 0, 23, "hour of day"),

    P_ARRAY(weather, diurnal_half_range_c, 0, 20, "C", MONTHS_TEXT),
    P_REAL(weather, temperature_peak_hour, 0, 23.99, "hour of day"),
    P_REAL(weather, anomaly_persistence, 0, 0.99, "AR(1) coefficient per day"),
    P_REAL(weather, anomaly_sd_winter_c, 0, 15, "C"),
    P_REAL(weather, anomaly_sd_summer_c, 0, 15, "C"),
    P_REAL(weather, anomaly_national_weight, 0, 1, "fraction of anomaly variance"),
    P_REAL(weather, solar_noon_clock_hour, 9, 15, "hour of day"),
    P_REAL(weather, clear_to_clear_probability, 0, 1, "probability per day"),
    P_REAL(weather, cloudy_to_cloudy_probability, 0, 1, "probability per day"),
    P_REAL(weather, regional_agreement, 0, 1, "probability per day"),
    P_REAL(weather, clear_day_clearness, 0, 1, "fraction of clear-sky irradiance"),
    P_REAL(weather, cloudy_day_clearness, 0, 1, "fraction of clear-sky irradiance"),

    S_REAL(garage, share, 0, 1, "fraction of households"),
    S_REAL(garage, pv_kwp, 0, 1000, "kWp"),
    S_REAL(garage, battery_to_car_ratio, 0, 10, "garage battery / car battery"),
    S_ENUM(garage, chain, garage_chain_names, "dc | ac"),
    S_REAL(garage, dc_pv_to_battery_efficiency, 0.01, 1, "fraction"),
    S_REAL(garage, dc_battery_to_car_efficiency, 0.01, 1, "fraction"),
    S_REAL(garage, ac_pv_to_battery_efficiency, 0.01, 1, "fraction"),
    S_REAL(garage, ac_battery_to_car_efficiency, 0.01, 1, "fraction"),
    S_REAL(garage, grid_to_battery_efficiency, 0.01, 1, "fraction"),
    S_REAL(garage, battery_to_grid_efficiency, 0.01, 1, "fraction"),
    S_REAL(garage, charge_power_kw, 0, 50, "kW"),
    S_REAL(garage, inverter_power_kw, 0, 50, "kW"),
    S_REAL(garage, floor_fraction, 0, 1, "fraction of the garage battery"),
    S_REAL(garage, initial_soc_fraction, 0, 1, "fraction of the garage battery"),
    S_INT(garage, grid_topup_start_hour, 0, 23, "hour of day"),
    S_INT(garage, grid_topup_end_hour, 0, 23, "hour of day"),
    S_REAL(garage, grid_topup_target_fraction, 0, 1, "fraction of the garage battery"),
    S_REAL(garage, grid_topup_power_kw, 0, 50, "kW"),
    S_BOOL(garage, export_surplus),

    S_REAL(carport, worker_share, 0, 1, "fraction of commuters"),
    S_REAL(carport, pv_kwp_per_space, 0, 1000, "kWp per parking space"),
    S_REAL(carport, pv_to_car_efficiency, 0.01, 1, "fraction"),
    S_REAL(carport, charge_power_kw, 0, 50, "kW"),

    S_REAL(outage, rate_per_year, 0, 1000, "outages/year per household"),
    S_REAL(outage, duration_median_min, 0.1, 10000, "min"),
    S_REAL(outage, duration_log_sd, 0, 5, "ln(min)"),
    S_REAL(outage, duration_max_h, 0.1, 8760, "h"),

    S_REAL(storm, rate_per_year, 0, 100, "storms/year"),
    S_ARRAY(storm, month_weights, 0, 1000, "relative weight", MONTHS_TEXT),
    S_REAL(storm, radius_km_mean, 0, 5000, "km"),
    S_REAL(storm, cut_share, 0, 1, "fraction of households"),
    S_REAL(storm, extreme_probability, 0, 1, "probability per storm"),
    S_REAL(storm, extreme_radius_km, 0, 5000, "km"),
    S_REAL(storm, extreme_cut_share, 0, 1, "fraction of households"),
    S_ARRAY(storm, restoration_days, 0, 365, "days after the storm",
            "the points of the restoration curve"),
    S_ARRAY(storm, still_cut_fraction, 0, 1, "fraction of the households cut",
            "the points of the restoration curve"),
    S_ARRAY(storm, extreme_restoration_days, 0, 365, "days after the storm",
            "the points of the extreme storm's restoration curve"),
    S_ARRAY(storm, extreme_still_cut_fraction, 0, 1, "fraction of the households cut",
            "the points of the extreme storm's restoration curve"),
    S_ENUM(storm, forced, forced_storm_names, "none | ordinary | extreme"),
    S_INT(storm, forced_year, 0, 99, "programme year"),
    S_REAL(storm, forced_day, 0, 364.99, "day of the year"),
    S_REAL(storm, forced_latitude_deg, -90, 90, "degrees north"),
    S_REAL(storm, forced_longitude_deg, -180, 180, "degrees east"),
    S_REAL(storm, forced_extreme_cut_share, 0, 1, "fraction"),

    S_REAL(backup, dormant_load_kwh_per_day, 0, 200, "kWh/day"),
    S_ARRAY(backup, load_profile, 0, 1000, "relative weight per clock hour",
            "clock hours 0 to 23"),
    S_BOOL(backup, keep_car_home),
    S_REAL(backup, keep_car_home_after_h, 0, 8760, "h"),

    P_REAL(prices, diesel_eur_per_l, 0.01, 20, "EUR/L"),
    P_REAL(prices, diesel_log_drift, -1, 1, "mean yearly change of ln(EUR/L)"),
    P_REAL(prices, diesel_log_sd, 0, 2, "sd of the yearly change of ln(EUR/L)"),
    P_REAL(prices, petrol_eur_per_l, 0.01, 20, "EUR/L"),
    P_REAL(prices, petrol_log_drift, -1, 1, "mean yearly change of ln(EUR/L)"),
    P_REAL(prices, petrol_log_sd, 0, 2, "sd of the yearly change of ln(EUR/L)"),
    P_REAL(prices, tariff_eur_per_kwh, 0.001, 10, "EUR/kWh"),
    P_REAL(prices, tariff_log_drift, -1, 1, "mean yearly change of ln(EUR/kWh)"),
    P_REAL(prices, tariff_log_sd, 0, 2, "sd of the yearly change of ln(EUR/kWh)"),
    P_REAL(prices, public_eur_per_kwh, 0.001, 10, "EUR/kWh"),
    P_REAL(prices, public_log_drift, -1, 1, "mean yearly change of ln(EUR/kWh)"),
    P_REAL(prices, public_log_sd, 0, 2, "sd of the yearly change of ln(EUR/kWh)"),
    P_REAL(prices, corr_diesel_petrol, -1, 1, "correlation of the yearly log changes"),
    P_REAL(prices, corr_fuel_electricity, -1, 1, "correlation of the yearly log changes"),
    P_REAL(prices, corr_tariff_public, -1, 1, "correlation of the yearly log changes"),
    P_INT(prices, shock_year, 0, 99, "programme year"),
    P_REAL(prices, diesel_shock_log_change, -2, 2, "change of ln(EUR/L)"),
    P_REAL(prices, petrol_shock_log_change, -2, 2, "change of ln(EUR/L)"),
    P_REAL(prices, tariff_shock_log_change, -2, 2, "change of ln(EUR/kWh)"),
    P_REAL(prices, public_shock_log_change, -2, 2, "change of ln(EUR/kWh)"),
    P_REAL(prices, feed_in_eur_per_kwh, 0, 10, "EUR/kWh"),
    P_REAL(prices, off_peak_eur_per_kwh, 0.001, 10, "EUR/kWh"),
    P_REAL(prices, peak_eur_per_kwh, 0.001, 10, "EUR/kWh"),

    P_REAL(household, diesel_share, 0, 1, "fraction of the replaced cars"),
    P_REAL(household, petrol_l_per_100km, 0, 50, "L/100 km"),
    P_REAL(household, diesel_l_per_100km, 0, 50, "L/100 km"),
    P_REAL(household, maintenance_saving_eur_per_year, -10000, 10000, "EUR/year"),
    P_REAL(household, lease_eur_per_year, 0, 100000, "EUR/year"),
    P_REAL(household, garage_lease_eur_per_year, 0, 100000, "EUR/year"),
    {"household", "discount_rate", PT_REAL, offsetof(fleet_params_t, household_discount_rate), -0.5, 1, "per year",
     NULL, 0, NULL},

    P_INT(budget, price_paths_per_replica, 1, FLEET_MAX_PRICE_PATHS, "paths"),

    P_REAL(state, vehicle_price_eur, 0, 1e6, "EUR per vehicle"),
    P_REAL(state, garage_price_eur, 0, 1e6, "EUR per garage"),
    P_REAL(state, carport_price_eur_per_space, 0, 1e6, "EUR per parking space"),
    P_REAL(state, trade_in_value_eur, 0, 1e6, "EUR per replaced car"),
    P_ENUM(state, trade_in_fate, trade_in_fate_names, "scrapped | resold"),
    P_REAL(state, trade_in_scrap_value_eur, 0, 1e6, "EUR per replaced car"),
    P_REAL(state, bidirectional_charger_price_eur, 0, 1e6, "EUR per charger"),
    P_INT(state, lease_years, 1, 100, "years"),
    P_REAL(state, default_hazard_per_year, 0, 1, "probability per year"),
    P_REAL(state, vehicle_depreciation_per_year, 0, 1, "fraction of the value per year"),
    P_REAL(state, default_recovery_fraction, 0, 1, "fraction of the value left"),
    P_INT(state, battery_warranty_years, 0, 100, "years"),
    P_REAL(state, battery_failure_hazard_per_year, 0, 1, "probability per year"),
    P_REAL(state, battery_pack_eur_per_kwh, 0, 10000, "EUR/kWh"),
    P_REAL(state, battery_replacement_labour_eur, 0, 1e5, "EUR per replacement"),
    P_REAL(state, administration_eur_per_vehicle_year, 0, 1e5, "EUR per vehicle-year"),
    P_REAL(state, discount_rate, -0.5, 1, "per year"),

    P_REAL(co2, petrol_kg_co2_per_l, 0, 10, "kg CO2/L"),
    P_REAL(co2, diesel_kg_co2_per_l, 0, 10, "kg CO2/L"),
    P_ARRAY(co2, grid_g_co2_per_kwh_monthly, 0, 2000, "g CO2/kWh", MONTHS_TEXT),
    P_ARRAY(co2, grid_hour_profile_winter, 0, 1000, "relative weight per clock hour", "clock hours 0 to 23"),
    P_ARRAY(co2, grid_hour_profile_summer, 0, 1000, "relative weight per clock hour", "clock hours 0 to 23"),
    P_REAL(co2, battery_manufacturing_kg_co2_per_kwh, 0, 1000, "kg CO2/kWh"),

    R_REAL(fleet_share, 0, 1, "fraction of vehicles"),
    R_ARRAY(temperature_monthly_c, -60, 60, "C", MONTHS_TEXT),
    R_REAL(latitude_deg, -90, 90, "degrees north"),
    R_REAL(pv_yield_kwh_per_kwp, 100, 3000, "kWh/kWp/year"),
    R_REAL(longitude_deg, -180, 180, "degrees east"),
    R_REAL(storm_exposure, 0, 1000, "relative weight of being a storm's centre"),
};

enum { PARAM_COUNT = sizeof param_table / sizeof param_table[0] };

static bool is_region_desc(const param_desc_t *d) { return strcmp(d->section, REGIONS_SECTION) == 0; }

static bool section_known(const char *name) {
  for (size_t i = 0; i < PARAM_COUNT; i++)
    if (strcmp(param_table[i].section, name) == 0) return true;
  return false;
}

/* Index of a key of the table, "section.name" (for region fields: "regions.name"); -1 if none. */
static int desc_index(const char *section, const char *name) {
  for (size_t i = 0; i < PARAM_COUNT; i++)
    if (strcmp(param_table[i].section, section) == 0 && strcmp(param_table[i].name, name) == 0)
      return (int)i;
  return -1;
}

/* "a, b, c and d": the sections (regions last) or, with region true, the fields of a region,
 * in table order. */
static void list_keys(bool region, char *buf, size_t cap) {
  const char *names[PARAM_COUNT + 1];
  size_t n = 0;
  for (size_t i = 0; i < PARAM_COUNT; i++) {
    const param_desc_t *d = &param_table[i];
    if (region != is_region_desc(d)) continue;
    const char *name = region ? d->name : d->section;
    if (n > 0 && !region && strcmp(names[n - 1], name) == 0) continue;
    names[n++] = name;
  }
  if (!region) names[n++] = REGIONS_SECTION;
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n && len < cap; i++)
    len += (size_t)snprintf(buf + len, cap - len, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
                            names[i]);
}

/* ---------------------------------------------------------------------------------------------
 * The tree
 * ------------------------------------------------------------------------------------------- */

typedef enum { NODE_SCALAR, NODE_SEQUENCE, NODE_MAPPING } node_kind_t;

typedef struct node node_t;

typedef struct {
  char *key;
  const char *file; /* the file the key was read from (owned by the loader) */
  int line;         /* of the key */
  node_t *value;
} entry_t;

struct node {
  node_kind_t kind;
  const char *file;     /* the file the node was read from (owned by the loader) */
  int line;             /* 1-based line where the node starts */
  char *text;           /* NODE_SCALAR: the scalar, NUL-terminated */
  size_t len;           /* NODE_SCALAR: its length (the scalar may hold a NUL) */
  const char *override; /* NODE_SCALAR: the --set text that replaced it, or NULL */
  entry_t *entries;     /* NODE_MAPPING, in file order */
  node_t **items;       /* NODE_SEQUENCE */
  size_t count, cap;
};

static void node_free(node_t *n) {
  if (!n) return;
  free(n->text);
  for (size_t i = 0; n->entries && i < n->count; i++) {
    free(n->entries[i].key);
    node_free(n->entries[i].value);
  }
  for (size_t i = 0; n->items && i < n->count; i++) node_free(n->items[i]);
  free(n->entries);
  free(n->items);
  free(n);
}

static char *copy_text(const char *s, size_t len) {
  char *c = malloc(len + 1);
  if (!c) return NULL;
  memcpy(c, s, len);
  c[len] = '\0';
  return c;
}

static const char *kind_name(node_kind_t kind) {
  switch (kind) {
    case NODE_SCALAR: return "a scalar";
    case NODE_SEQUENCE: return "a sequence";
    case NODE_MAPPING: return "a mapping";
  }
  return "a node";
}

/* A mapping that gives a key as a distribution: it has a "dist" entry (README, "Uncertain
 * assumptions"). */
static bool is_distribution(const node_t *n) {
  if (!n || n->kind != NODE_MAPPING) return false;
  for (size_t i = 0; i < n->count; i++)
    if (strcmp(n->entries[i].key, "dist") == 0) return true;
  return false;
}

/* ---------------------------------------------------------------------------------------------
 * Messages
 * ------------------------------------------------------------------------------------------- */

typedef struct {
  const char *path; /* the file being read; while validating, the file given to load */
  fleet_error_t *err;
  bool has_bases;   /* the scenario was laid over base files */
} ctx_t;

/* Where a value came from: "--set text", "file:line" or "file" (line unknown). The file is the
 * given one, else the node's, else the context's. */
static void where(const ctx_t *c, const char *file, const node_t *n, int line, char *buf,
                  size_t cap) {
  if (!file) file = n && n->file ? n->file : c->path;
  if (n && n->override)
    snprintf(buf, cap, "--set %s", n->override);
  else if (line > 0)
    snprintf(buf, cap, "%s:%d", file, line);
  else
    snprintf(buf, cap, "%s", file);
}

static fleet_status_t vfail(const ctx_t *c, const char *file, const node_t *n, int line,
                            const char *format, va_list args) {
  char prefix[FLEET_ERROR_MESSAGE_MAX];
  char body[FLEET_ERROR_MESSAGE_MAX];
  where(c, file, n, line, prefix, sizeof prefix);
  vsnprintf(body, sizeof body, format, args);
  return fleet_error_set(c->err, FLEET_ERR_SCENARIO, "%s: %s", prefix, body);
}

/* A message about node n (its file, or --set if an override gave it) at line; n may be NULL:
 * then the file is the context's. */
static fleet_status_t fail(const ctx_t *c, const node_t *n, int line, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static fleet_status_t fail(const ctx_t *c, const node_t *n, int line, const char *format, ...) {
  va_list args;
  va_start(args, format);
  fleet_status_t st = vfail(c, NULL, n, line, format, args);
  va_end(args);
  return st;
}

/* A message about a key: the file and line where the key is written. */
static fleet_status_t fail_entry(const ctx_t *c, const entry_t *e, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static fleet_status_t fail_entry(const ctx_t *c, const entry_t *e, const char *format, ...) {
  va_list args;
  va_start(args, format);
  fleet_status_t st = vfail(c, e->file, NULL, e->line, format, args);
  va_end(args);
  return st;
}

/* A scalar as shown in messages: an empty one as "". */
/* A value as messages show it: whole up to 60 bytes, else its start and its length, so that the
 * rule after it survives the message's 1024 bytes. Four rotating buffers: a message may show
 * several values (loading is single-threaded). */
static const char *shown(const node_t *n) {
  if (n->kind == NODE_MAPPING) return "(a distribution)";
  if (!n->len) return "\"\"";
  if (n->len <= 60) return n->text;
  static char buffers[4][96];
  static int next;
  char *b = buffers[next++ % 4];
  snprintf(b, sizeof buffers[0], "%.40s... (%zu characters)", n->text, n->len);
  return b;
}

static fleet_status_t nomem(const ctx_t *c) {
  return fleet_error_set(c->err, FLEET_ERR_NOMEM, "%s: out of memory while reading the scenario",
                         c->path);
}

/* The most keys of one mapping or values of one sequence read. */
enum { MAX_MAPPING_KEYS = 1024 };

/* Dotted key paths, truncated (never overflowing) at the buffer size. */
enum { KEY_MAX = 256 };

static size_t path_push(char *path, size_t len, const char *component) {
  size_t at = len;
  if (at > 0 && at + 1 < KEY_MAX) path[at++] = '.';
  size_t n = strlen(component);
  if (at + n >= KEY_MAX) n = KEY_MAX - 1 - at;
  memcpy(path + at, component, n);
  path[at + n] = '\0';
  return at + n;
}

/* ---------------------------------------------------------------------------------------------
 * Pass 1: libyaml events -> tree
 * ------------------------------------------------------------------------------------------- */

enum { MAX_DEPTH = 32 };

static fleet_status_t next_event(const ctx_t *c, yaml_parser_t *p, yaml_event_t *ev) {
  if (yaml_parser_parse(p, ev)) return FLEET_OK;
  if (p->error == YAML_MEMORY_ERROR) return nomem(c);
  if (p->error == YAML_READER_ERROR)
    return fail(c, NULL, 0, "cannot read the file as YAML text: %s",
                p->problem ? p->problem : "input error");
  int line = (int)p->problem_mark.line + 1;
  if (p->context)
    return fail(c, NULL, line, "YAML syntax error: %s (%s, line %d)",
                p->problem ? p->problem : "unknown problem", p->context,
                (int)p->context_mark.line + 1);
  return fail(c, NULL, line, "YAML syntax error: %s", p->problem ? p->problem : "unknown problem");
}

static fleet_status_t grow(const ctx_t *c, node_t *n) {
  if (n->count < n->cap) return FLEET_OK;
  size_t cap = n->cap ? 2 * n->cap : 8;
  if (n->kind == NODE_MAPPING) {
    entry_t *e = realloc(n->entries, cap * sizeof *e);
    if (!e) return nomem(c);
    n->entries = e;
  } else {
    node_t **items = realloc(n->items, cap * sizeof *items);
    if (!items) return nomem(c);
    n->items = items;
  }
  n->cap = cap;
  return FLEET_OK;
}

/* Builds the node that starts with *ev (consumed here) and everything below it. */
static fleet_status_t parse_node(const ctx_t *c, yaml_parser_t *p, yaml_event_t *ev, char *path,
                                 size_t path_len, int depth, node_t **out) {
  *out = NULL;
  int line = (int)ev->start_mark.line + 1;
  yaml_event_type_t type = ev->type;
  node_t *n = calloc(1, sizeof *n);
  if (!n) {
    yaml_event_delete(ev);
    return nomem(c);
  }
  n->file = c->path;
  n->line = line;
  fleet_status_t st = FLEET_OK;

  if (type == YAML_SCALAR_EVENT) {
    n->kind = NODE_SCALAR;
    n->len = ev->data.scalar.length;
    n->text = copy_text((const char *)ev->data.scalar.value, n->len);
    yaml_event_delete(ev);
    if (!n->text) st = nomem(c);
  } else if (type == YAML_ALIAS_EVENT) {
    yaml_event_delete(ev);
    st = fail(c, NULL, line, "key %s: YAML aliases (*name) are not supported: write the value out",
              path_len ? path : "(top level)");
  } else if (type != YAML_SEQUENCE_START_EVENT && type != YAML_MAPPING_START_EVENT) {
    yaml_event_delete(ev);
    st = fail(c, NULL, line, "unexpected YAML structure");
  } else if (depth >= MAX_DEPTH) {
    yaml_event_delete(ev);
    st = fail(c, NULL, line, "key %s: nested deeper than %d levels", path, MAX_DEPTH);
  } else if (type == YAML_SEQUENCE_START_EVENT) {
    n->kind = NODE_SEQUENCE;
    yaml_event_delete(ev);
    for (;;) {
      yaml_event_t item;
      if ((st = next_event(c, p, &item)) != FLEET_OK) break;
      if (item.type == YAML_SEQUENCE_END_EVENT) {
        yaml_event_delete(&item);
        break;
      }
      if (n->count >= MAX_MAPPING_KEYS) {
        yaml_event_delete(&item);
        st = fail(c, NULL, line, "key %s: more than %d values in one sequence (the longest of a scenario has "
                  "24)", path_len ? path : "(top level)", MAX_MAPPING_KEYS);
        break;
      }
      if ((st = grow(c, n)) != FLEET_OK) {
        yaml_event_delete(&item);
        break;
      }
      char index[32];
      snprintf(index, sizeof index, "%zu", n->count);
      size_t len = path_push(path, path_len, index);
      node_t *child;
      st = parse_node(c, p, &item, path, len, depth + 1, &child);
      path[path_len] = '\0';
      if (st != FLEET_OK) break;
      n->items[n->count++] = child;
    }
  } else {
    n->kind = NODE_MAPPING;
    yaml_event_delete(ev);
    for (;;) {
      yaml_event_t key;
      if ((st = next_event(c, p, &key)) != FLEET_OK) break;
      if (key.type == YAML_MAPPING_END_EVENT) {
        yaml_event_delete(&key);
        break;
      }
      int key_line = (int)key.start_mark.line + 1;
      if (key.type != YAML_SCALAR_EVENT) {
        yaml_event_delete(&key);
        st = fail(c, NULL, key_line, "key %s: a mapping key must be a plain name, not %s",
                  path_len ? path : "(top level)",
                  key.type == YAML_MAPPING_START_EVENT ? "a mapping" : "a sequence or alias");
        break;
      }
      char *name = copy_text((const char *)key.data.scalar.value, key.data.scalar.length);
      yaml_event_delete(&key);
      if (!name) {
        st = nomem(c);
        break;
      }
      size_t len = path_push(path, path_len, name);
      /* bounded: the duplicate check below is quadratic in the keys of a mapping */
      if (n->count >= MAX_MAPPING_KEYS) {
        st = fail(c, NULL, key_line, "key %s: more than %d keys in one mapping (a section of a scenario has "
                  "fewer than 100, the regions at most %d)", path_len ? path : "(top level)", MAX_MAPPING_KEYS,
                  FLEET_MAX_REGIONS);
        free(name);
        break;
      }
      for (size_t i = 0; i < n->count; i++) {
        if (strcmp(n->entries[i].key, name) == 0) {
          st = fail(c, NULL, key_line, "key %s: duplicate key (first given at line %d)", path,
                    n->entries[i].line);
          break;
        }
      }
      if (st == FLEET_OK) st = grow(c, n);
      yaml_event_t value;
      if (st == FLEET_OK) st = next_event(c, p, &value);
      node_t *child = NULL;
      if (st == FLEET_OK) st = parse_node(c, p, &value, path, len, depth + 1, &child);
      path[path_len] = '\0';
      if (st != FLEET_OK) {
        free(name);
        break;
      }
      n->entries[n->count++] = (entry_t){.key = name, .file = c->path, .line = key_line, .value = child};
    }
  }

  if (st != FLEET_OK) {
    node_free(n);
    return st;
  }
  *out = n;
  return FLEET_OK;
}

static fleet_status_t parse_stream(const ctx_t *c, yaml_parser_t *p, node_t **root) {
  yaml_event_t ev;
  fleet_status_t st = next_event(c, p, &ev); /* stream start */
  if (st != FLEET_OK) return st;
  yaml_event_delete(&ev);
  if ((st = next_event(c, p, &ev)) != FLEET_OK) return st;
  if (ev.type != YAML_DOCUMENT_START_EVENT) {
    yaml_event_delete(&ev);
    return fail(c, NULL, 0,
                "the file is empty: expected a mapping of sections (simulation, fleet, ...)");
  }
  yaml_event_delete(&ev);
  if ((st = next_event(c, p, &ev)) != FLEET_OK) return st;
  char path[KEY_MAX] = "";
  if ((st = parse_node(c, p, &ev, path, 0, 0, root)) != FLEET_OK) return st;
  if ((*root)->kind != NODE_MAPPING)
    return fail(c, NULL, (*root)->line,
                "the top level must be a mapping of sections (simulation, fleet, ...), not %s",
                kind_name((*root)->kind));
  if ((st = next_event(c, p, &ev)) != FLEET_OK) return st; /* document end */
  yaml_event_delete(&ev);
  if ((st = next_event(c, p, &ev)) != FLEET_OK) return st;
  bool more = ev.type != YAML_STREAM_END_EVENT;
  int line = (int)ev.start_mark.line + 1;
  yaml_event_delete(&ev);
  if (more) return fail(c, NULL, line, "a second YAML document: a scenario is one document");
  return FLEET_OK;
}

/* The tree of a scenario held as text (a result file's /scenario). */
static fleet_status_t read_tree_text(const ctx_t *c, const char *text, node_t **root) {
  *root = NULL;
  yaml_parser_t p;
  if (!yaml_parser_initialize(&p)) return nomem(c);
  yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
  fleet_status_t st = parse_stream(c, &p, root);
  yaml_parser_delete(&p);
  if (st != FLEET_OK) {
    node_free(*root);
    *root = NULL;
  }
  return st;
}

/* libyaml's input from a file descriptor, counting the bytes: a file that reports a size of 0
 * (procfs) or grows while read cannot make it read without bound. */
typedef struct {
  int fd;
  size_t total;
  int too_big, error_number;
} capped_input_t;

static int capped_read(void *data, unsigned char *buffer, size_t size, size_t *size_read) {
  capped_input_t *in = data;
  ssize_t n;
  do n = read(in->fd, buffer, size);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    in->error_number = errno;
    return 0;
  }
  in->total += (size_t)n;
  if (in->total > FLEET_SCENARIO_MAX_BYTES) {
    in->too_big = 1;
    return 0;
  }
  *size_read = (size_t)n;
  return 1;
}

static fleet_status_t read_tree(const ctx_t *c, node_t **root) {
  *root = NULL;
  /* never blocks (a FIFO), never reads without bound (/dev/zero, a huge file) */
  int fd, error_number;
  const fleet_open_result_t opened = fleet_open_regular(c->path, FLEET_SCENARIO_MAX_BYTES, &fd, &error_number);
  if (opened == FLEET_OPEN_TOO_BIG)
    return fail(c, NULL, 0, "the scenario file is larger than %d bytes: a scenario is a short YAML text",
                FLEET_SCENARIO_MAX_BYTES);
  if (opened != FLEET_OPEN_OK)
    return fail(c, NULL, 0, "cannot open the scenario file: %s", fleet_open_result_text(opened, error_number));
  yaml_parser_t p;
  if (!yaml_parser_initialize(&p)) {
    close(fd);
    return nomem(c);
  }
  capped_input_t input = {.fd = fd};
  yaml_parser_set_input(&p, capped_read, &input);
  fleet_status_t st = parse_stream(c, &p, root);
  yaml_parser_delete(&p);
  close(fd);
  if (st != FLEET_OK && input.too_big)
    st = fail(c, NULL, 0, "the scenario file is larger than %d bytes: a scenario is a short YAML text",
              FLEET_SCENARIO_MAX_BYTES);
  else if (st != FLEET_OK && input.error_number)
    st = fail(c, NULL, 0, "cannot read the scenario file: %s", strerror(input.error_number));
  if (st != FLEET_OK) {
    node_free(*root);
    *root = NULL;
  }
  return st;
}

/* ---------------------------------------------------------------------------------------------
 * Pass 2: base files
 * ------------------------------------------------------------------------------------------- */

enum { MAX_BASE_DEPTH = 8 }; /* base files in one chain, the file given not counted */

typedef struct {
  fleet_error_t *err;
  int count;                          /* files read so far: the chain, the file given first */
  char *files[MAX_BASE_DEPTH + 1];    /* each as named (the base's path joined to the directory
                                         of the file that names it); nodes point into these */
  char *real[MAX_BASE_DEPTH + 1];     /* canonical path of each, NULL if unknown */
} loader_t;

_Static_assert(MAX_BASE_DEPTH + 1 <= FLEET_SCENARIO_MAX_FILES, "fleet_scenario_files_t holds a whole chain");

static void loader_free(loader_t *L) {
  for (int i = 0; i < L->count; i++) {
    free(L->files[i]);
    free(L->real[i]);
  }
  L->count = 0;
}

/* The base's path: as written if absolute, else joined to the directory of the file naming it. */
static char *base_path(const char *including, const char *base) {
  const char *slash = strrchr(including, '/');
  if (base[0] == '/' || !slash) return copy_text(base, strlen(base));
  size_t dir = (size_t)(slash - including) + 1, len = strlen(base);
  char *out = malloc(dir + len + 1);
  if (!out) return NULL;
  memcpy(out, including, dir);
  memcpy(out + dir, base, len + 1);
  return out;
}

/* "a -> b -> c": the files of the chain from index first, then next. */
static void chain_text(const loader_t *L, int first, const char *next, char *buf, size_t cap) {
  size_t len = 0;
  buf[0] = '\0';
  for (int i = first; i < L->count && len < cap; i++)
    len += (size_t)snprintf(buf + len, cap - len, "%s -> ", L->files[i]);
  if (len < cap) snprintf(buf + len, cap - len, "%s", next);
}

/* Lays the including file's mapping incl over the base's mapping base (both at key path). Values
 * taken from incl are moved into base. */
static fleet_status_t merge(const ctx_t *c, node_t *base, node_t *incl, char *key, size_t key_len,
                            const char *base_name) {
  for (size_t i = 0; i < incl->count; i++) {
    entry_t *e = &incl->entries[i];
    if (key_len == 0 && strcmp(e->key, BASE_KEY) == 0) continue;
    size_t len = path_push(key, key_len, e->key);
    entry_t *b = NULL;
    for (size_t j = 0; j < base->count && !b; j++)
      if (strcmp(base->entries[j].key, e->key) == 0) b = &base->entries[j];
    if (!b)
      return fail_entry(c, e, "key %s: unknown key: not in base %s (a scenario with a base changes "
                        "the base's values; it cannot add keys)", key, base_name);
    /* a distribution (with its dist entry) replaces the base's value, number or distribution,
     * wholesale; a mapping without one changes some parameters of the base's distribution */
    if (b->value->kind == NODE_MAPPING && e->value->kind == NODE_MAPPING && !is_distribution(e->value)) {
      fleet_status_t st = merge(c, b->value, e->value, key, len, base_name);
      if (st != FLEET_OK) return st;
    } else {
      node_free(b->value);
      b->value = e->value;
      e->value = NULL;
      b->file = e->file;
      b->line = e->line;
    }
    key[key_len] = '\0';
  }
  return FLEET_OK;
}

/* Reads the file path (named by entry by_entry of the file read with by, or NULL for the file
 * given), then its base files, and returns in *out its tree laid over theirs. */
static fleet_status_t load_tree(loader_t *L, const char *path, const ctx_t *by,
                                const entry_t *by_entry, node_t **out) {
  *out = NULL;
  char *real = NULL;
  if (by) {
    real = realpath(path, NULL);
    if (!real)
      return fail_entry(by, by_entry, "key %s: cannot open the base file %s: %s", BASE_KEY, path,
                        strerror(errno));
    char chain[FLEET_ERROR_MESSAGE_MAX / 2];
    for (int i = 0; i < L->count; i++) {
      if (!L->real[i] || strcmp(L->real[i], real) != 0) continue;
      free(real);
      chain_text(L, i, path, chain, sizeof chain);
      return fail_entry(by, by_entry, "key %s: base files form a cycle: %s (a scenario cannot be "
                        "its own base)", BASE_KEY, chain);
    }
    if (L->count > MAX_BASE_DEPTH) {
      free(real);
      chain_text(L, 0, path, chain, sizeof chain);
      return fail_entry(by, by_entry, "key %s: base files nested too deep: %s: at most %d base "
                        "files in a chain", BASE_KEY, chain, MAX_BASE_DEPTH);
    }
  }
  char *name = copy_text(path, strlen(path));
  if (!name) {
    free(real);
    return fleet_error_set(L->err, FLEET_ERR_NOMEM, "%s: out of memory while reading the scenario",
                           path);
  }
  int index = L->count++;
  L->files[index] = name;
  L->real[index] = real;
  ctx_t c = {.path = name, .err = L->err};
  if (by) { /* a base that cannot be read is the naming file's error: say where it is named */
    int fd, error_number;
    const fleet_open_result_t opened = fleet_open_regular(name, FLEET_SCENARIO_MAX_BYTES, &fd, &error_number);
    if (opened != FLEET_OPEN_OK)
      return fail_entry(by, by_entry, "key %s: cannot open the base file %s: %s", BASE_KEY, name,
                        opened == FLEET_OPEN_TOO_BIG ? "larger than a scenario may be"
                                                     : fleet_open_result_text(opened, error_number));
    close(fd);
  }
  node_t *root;
  fleet_status_t st = read_tree(&c, &root);
  if (st != FLEET_OK) return st;
  if (!by) L->real[index] = realpath(name, NULL); /* NULL (no cycle check) if that fails */

  const entry_t *base_entry = NULL;
  for (size_t i = 0; i < root->count && !base_entry; i++)
    if (strcmp(root->entries[i].key, BASE_KEY) == 0) base_entry = &root->entries[i];
  if (!base_entry) {
    *out = root;
    return FLEET_OK;
  }
  const node_t *v = base_entry->value;
  node_t *base = NULL;
  if (v->kind != NODE_SCALAR || v->len == 0 || strlen(v->text) != v->len) {
    st = fail_entry(&c, base_entry, "key %s: value %s: expected the path of a scenario file, "
                    "relative to the directory of %s", BASE_KEY,
                    v->kind == NODE_SCALAR ? shown(v) : kind_name(v->kind), name);
  } else {
    char *joined = base_path(name, v->text);
    if (!joined)
      st = nomem(&c);
    else
      st = load_tree(L, joined, &c, base_entry, &base);
    free(joined);
  }
  if (st == FLEET_OK) {
    char key[KEY_MAX] = "";
    st = merge(&c, base, root, key, 0, L->files[index + 1]);
  }
  node_free(root);
  if (st != FLEET_OK) {
    node_free(base);
    return st;
  }
  *out = base;
  return FLEET_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Pass 3: overrides
 * ------------------------------------------------------------------------------------------- */

static bool all_digits(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!isdigit((unsigned char)*s)) return false;
  return true;
}

/* The longest override: a key path and a value are far shorter; a longer one is refused with its
 * start, so that the message keeps its rule. */
enum { OVERRIDE_MAX = 512 };

static fleet_status_t apply_override(const ctx_t *c, node_t *root, const char *text) {
  const size_t text_len = strlen(text);
  if (text_len > OVERRIDE_MAX)
    return fleet_error_set(c->err, FLEET_ERR_SCENARIO,
                           "--set %.40s... (%zu characters): too long: an override KEY=VALUE is at most %d characters",
                           text, text_len, OVERRIDE_MAX);
  const char *eq = strchr(text, '=');
  if (!eq || eq == text)
    return fleet_error_set(c->err, FLEET_ERR_SCENARIO,
                           "--set %s: malformed override: expected KEY=VALUE with a dotted key, "
                           "e.g. fleet.vehicles=1000",
                           text);
  char *key = copy_text(text, (size_t)(eq - text));
  if (!key) return nomem(c);
  fleet_status_t st = FLEET_OK;
  node_t *n = root;
  char *component = key;
  for (;;) {
    char *dot = strchr(component, '.');
    if (dot) *dot = '\0';
    node_t *next = NULL;
    if (n->kind == NODE_MAPPING) {
      for (size_t i = 0; i < n->count && !next; i++)
        if (strcmp(n->entries[i].key, component) == 0) next = n->entries[i].value;
    } else if (n->kind == NODE_SEQUENCE && all_digits(component)) {
      errno = 0;
      unsigned long long index = strtoull(component, NULL, 10);
      if (errno == 0 && index < n->count) next = n->items[index];
    }
    if (dot) *dot = '.';
    if (!next) {
      const char *hint = n->kind == NODE_SEQUENCE ? " (a sequence element is named by its index, "
                                                    "from 0)"
                                                  : "";
      st = fleet_error_set(c->err, FLEET_ERR_SCENARIO,
                           "--set %s: key %.*s: unknown key: the scenario file %s%s has no such "
                           "key%s",
                           text, (int)(eq - text), text, c->path,
                           c->has_bases ? " (with its base files)" : "", hint);
      break;
    }
    n = next;
    if (!dot) break;
    component = dot + 1;
  }
  if (st == FLEET_OK && is_distribution(n)) { /* a number overrides a distribution */
    for (size_t i = 0; i < n->count; i++) {
      free(n->entries[i].key);
      node_free(n->entries[i].value);
    }
    free(n->entries);
    n->entries = NULL;
    n->count = n->cap = 0;
    n->kind = NODE_SCALAR;
  }
  if (st == FLEET_OK && n->kind != NODE_SCALAR)
    st = fleet_error_set(c->err, FLEET_ERR_SCENARIO,
                         "--set %s: key %s: unknown key: it names %s (line %d of %s); an override "
                         "must name a single value or a sequence element by its index",
                         text, key, kind_name(n->kind), n->line, n->file ? n->file : c->path);
  free(key);
  if (st != FLEET_OK) return st;
  size_t len = strlen(eq + 1);
  char *value = copy_text(eq + 1, len);
  if (!value) return nomem(c);
  free(n->text);
  n->text = value;
  n->len = len;
  n->override = text;
  return FLEET_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Pass 4: the walk against param_table
 * ------------------------------------------------------------------------------------------- */

/* A decimal number only: strtod alone would also take hexadecimal (0x10), inf and nan. Values
 * out of double range (1e400, or 1e-400 flushed to 0) are refused; -0 is read as 0, so that
 * two scenarios that mean the same model format, and hash, the same. */
static bool parse_real(const node_t *n, double *out) {
  if (n->len == 0 || strspn(n->text, "0123456789+-.eE") != n->len || !strpbrk(n->text, "0123456789")) return false;
  char *end;
  errno = 0;
  double v = strtod(n->text, &end);
  if (end != n->text + n->len || !isfinite(v) || errno == ERANGE) return false;
  *out = v == 0.0 ? 0.0 : v;
  return true;
}

static bool parse_int(const node_t *n, int64_t *out) {
  if (n->len == 0 || isspace((unsigned char)n->text[0])) return false;
  char *end;
  errno = 0;
  long long v = strtoll(n->text, &end, 10);
  if (end != n->text + n->len || errno == ERANGE) return false;
  *out = (int64_t)v;
  return true;
}

static bool parse_uint64(const node_t *n, uint64_t *out) {
  if (strlen(n->text) != n->len || !all_digits(n->text)) return false;
  errno = 0;
  unsigned long long v = strtoull(n->text, NULL, 10);
  if (errno == ERANGE) return false;
  *out = (uint64_t)v;
  return true;
}

static fleet_status_t range_error(const ctx_t *c, const param_desc_t *d, const node_t *n,
                                  const char *key) {
  char lo[40], hi[40];
  fleet_format_double(d->min, lo, sizeof lo);
  fleet_format_double(d->max, hi, sizeof hi);
  return fail(c, n, n->line, "key %s: value %s is out of range: must be in [%s, %s] %s", key, shown(n),
              lo, hi, d->unit);
}

static fleet_status_t real_value(const ctx_t *c, const param_desc_t *d, const node_t *n,
                                 const char *key, double *out) {
  if (n->kind != NODE_SCALAR)
    return fail(c, n, n->line, "key %s: value is %s: expected a real number (%s)", key,
                kind_name(n->kind), d->unit);
  if (!parse_real(n, out))
    return fail(c, n, n->line, "key %s: value %s is not a real number: expected a finite decimal "
                "number such as 0.5 or 1e-3 (%s)", key, shown(n), d->unit);
  if (!(*out >= d->min && *out <= d->max)) return range_error(c, d, n, key);
  return FLEET_OK;
}

static fleet_status_t scalar_value(const ctx_t *c, const param_desc_t *d, const node_t *n, const char *key,
                                   void *dst);

/* Converts node n for descriptor d into the field at base + d->offset. */
static fleet_status_t set_value(const ctx_t *c, const param_desc_t *d, const node_t *n,
                                const char *key, void *base) {
  void *dst = (char *)base + d->offset;
  if (d->type == PT_REAL_ARRAY) {
    if (n->kind != NODE_SEQUENCE)
      return fail(c, n, n->line, "key %s: value %s%s: expected a sequence of %zu numbers (%s), "
                  "e.g. [3.4, 4.1, ...]", key, n->kind == NODE_SCALAR ? shown(n) : "is ",
                  n->kind == NODE_SCALAR ? " is a single value" : kind_name(n->kind), d->count,
                  d->unit);
    if (n->count != d->count)
      return fail(c, n, n->line, "key %s: value is a sequence of %zu numbers: must have exactly "
                  "%zu, %s", key, n->count, d->count, d->elements);
    for (size_t i = 0; i < n->count; i++) {
      char element[KEY_MAX + 32];
      snprintf(element, sizeof element, "%s.%zu", key, i);
      fleet_status_t st = real_value(c, d, n->items[i], element, (double *)dst + i);
      if (st != FLEET_OK) return st;
    }
    return FLEET_OK;
  }
  if (n->kind != NODE_SCALAR)
    return fail(c, n, n->line, "key %s: value is %s: expected a single value (%s)", key,
                kind_name(n->kind), d->unit);
  return scalar_value(c, d, n, key, dst);
}

/* Converts scalar node n for the scalar descriptor d into *dst, a field of d's type. */
static fleet_status_t scalar_value(const ctx_t *c, const param_desc_t *d, const node_t *n, const char *key,
                                   void *dst) {
  switch (d->type) {
    case PT_REAL: return real_value(c, d, n, key, (double *)dst);
    case PT_INT: {
      int64_t v;
      if (!parse_int(n, &v))
        return fail(c, n, n->line, "key %s: value %s is not an integer: expected a whole number "
                    "(%s)", key, shown(n), d->unit);
      if ((double)v < d->min || (double)v > d->max) return range_error(c, d, n, key);
      *(int64_t *)dst = v;
      return FLEET_OK;
    }
    case PT_UINT64: {
      if (!parse_uint64(n, (uint64_t *)dst))
        return fail(c, n, n->line, "key %s: value %s is not a non-negative integer: expected "
                    "decimal digits only, at most 18446744073709551615", key, shown(n));
      return FLEET_OK;
    }
    case PT_BOOL: {
      if (strcmp(n->text, "true") == 0 && n->len == 4)
        *(bool *)dst = true;
      else if (strcmp(n->text, "false") == 0 && n->len == 5)
        *(bool *)dst = false;
      else
        return fail(c, n, n->line, "key %s: value %s is not a boolean: expected true or false",
                    key, shown(n));
      return FLEET_OK;
    }
    case PT_ENUM: {
      for (int i = 0; d->enum_names[i]; i++) {
        if (strcmp(n->text, d->enum_names[i]) == 0 && strlen(d->enum_names[i]) == n->len) {
          *(int *)dst = i;
          return FLEET_OK;
        }
      }
      char allowed[256] = "";
      size_t len = 0;
      for (int i = 0; d->enum_names[i]; i++)
        len += (size_t)snprintf(allowed + len, len < sizeof allowed ? sizeof allowed - len : 0,
                                "%s%s", i ? ", " : "", d->enum_names[i]);
      return fail(c, n, n->line, "key %s: value %s is not allowed: must be one of %s", key,
                  shown(n), allowed);
    }
    case PT_REAL_ARRAY: break;
  }
  return fail(c, n, n->line, "key %s: internal error: unknown parameter type", key);
}

/* ---------------------------------------------------------------------------------------------
 * Distributions: a scalar key given as {dist: KIND, parameters...} (README, "Uncertain assumptions")
 * ------------------------------------------------------------------------------------------- */

/* Keys a replica cannot draw for itself, and why: state.discount_rate and state.lease_years are
 * the file's (root attributes the derived NPV and lease figures are computed with, by run and
 * merge alike); the others size the run or the file, or address its random numbers. */
static const struct {
  const char *key, *why;
} unsampled_keys[] = {
    {"state.discount_rate", "this key is the result file's, one for all replicas (the NPV's discount rate)"},
    {"state.lease_years", "this key is the result file's, one for all replicas (root attribute lease_years)"},
    {"simulation.replicas", "this key sizes the run and the file"},
    {"simulation.first_replica", "this key addresses the run's replicas"},
    {"simulation.years", "this key sizes the run and the file (its year axis)"},
    {"simulation.first_year", "this key dates the file's year axis, one for all replicas"},
    {"simulation.first_weekday", "this key dates the file's year axis, one for all replicas"},
    {"simulation.seed", "this key addresses every random number, the draws included"},
    {"simulation.redraw_fleet_per_replica", "this key decides how the replicas' fleets are drawn"},
    {"fleet.vehicles", "this key sizes the run and the file"},
    {"budget.price_paths_per_replica", "this key sizes the run and the file (its price-path axis)"},
};

static void param_list(fleet_dist_kind_t kind, char *buf, size_t cap) {
  const char *const *names = fleet_dist_param_names(kind);
  size_t len = 0;
  buf[0] = '\0';
  for (int i = 0; names[i] && len < cap; i++)
    len += (size_t)snprintf(buf + len, cap - len, "%s%s%s", i ? ", " : "", names[i],
                            fleet_dist_param_optional(kind, names[i]) ? " (optional)" : "");
}

/* A sequence of 1 to FLEET_DISCRETE_MAX real numbers into v; its length in *count. */
static fleet_status_t real_list(const ctx_t *c, const node_t *n, const char *key, double *v, int *count) {
  if (n->kind != NODE_SEQUENCE || n->count < 1 || n->count > FLEET_DISCRETE_MAX)
    return fail(c, n, n->line, "key %s: value %s: expected a sequence of 1 to %d numbers, e.g. [0.2, 0.5]", key,
                n->kind == NODE_SCALAR ? shown(n) : kind_name(n->kind), FLEET_DISCRETE_MAX);
  for (size_t i = 0; i < n->count; i++) {
    const node_t *item = n->items[i];
    if (item->kind != NODE_SCALAR || !parse_real(item, &v[i]))
      return fail(c, item, item->line, "key %s.%zu: value %s is not a real number", key, i,
                  item->kind == NODE_SCALAR ? shown(item) : kind_name(item->kind));
  }
  *count = (int)n->count;
  return FLEET_OK;
}

/* A typed (integer, boolean, enum) key's values: 1 to FLEET_DISCRETE_MAX scalars, each read as a
 * single value of the key is (its range, true/false, its names), stored as the integer, 0/1 or the
 * name's index in the enum's order. */
static fleet_status_t typed_list(const ctx_t *c, const param_desc_t *desc, const node_t *n, const char *key,
                                 double *v, int *count) {
  if (n->kind != NODE_SEQUENCE || n->count < 1 || n->count > FLEET_DISCRETE_MAX)
    return fail(c, n, n->line, "key %s: value %s: expected a sequence of 1 to %d values (%s)", key,
                n->kind == NODE_SCALAR ? shown(n) : kind_name(n->kind), FLEET_DISCRETE_MAX, desc->unit);
  for (size_t i = 0; i < n->count; i++) {
    const node_t *item = n->items[i];
    char element[KEY_MAX + 64 + 24]; /* key is sample_key's sub, KEY_MAX + 64 */
    snprintf(element, sizeof element, "%s.%zu", key, i);
    if (item->kind != NODE_SCALAR)
      return fail(c, item, item->line, "key %s: value is %s: expected a single value (%s)", element,
                  kind_name(item->kind), desc->unit);
    union {
      int64_t i64;
      bool b;
      int e;
    } x = {0};
    fleet_status_t st = scalar_value(c, desc, item, element, &x);
    if (st != FLEET_OK) return st;
    v[i] = desc->type == PT_INT ? (double)x.i64 : desc->type == PT_BOOL ? (x.b ? 1.0 : 0.0) : (double)x.e;
  }
  *count = (int)n->count;
  return FLEET_OK;
}

/* A typed key's value v (the integer, 0/1, the enum's index) as a scenario writes it. */
static void typed_text(const param_desc_t *desc, double v, char *buf, size_t cap) {
  if (desc->type == PT_BOOL) {
    snprintf(buf, cap, "%s", v != 0 ? "true" : "false");
  } else if (desc->type == PT_ENUM) {
    int count = 0;
    while (desc->enum_names[count]) count++;
    snprintf(buf, cap, "%s", v >= 0 && v < count ? desc->enum_names[(int)v] : "invalid");
  } else {
    fleet_format_double(v, buf, cap);
  }
}

/* fleet_distribution_format, with a boolean or enum key's values written as true/false or names. */
static void format_dist(const param_desc_t *desc, const fleet_distribution_t *d, bool yaml, char *buf, size_t cap) {
  if ((desc->type != PT_BOOL && desc->type != PT_ENUM) || d->kind != FLEET_DIST_DISCRETE) {
    fleet_distribution_format(d, yaml, buf, cap);
    return;
  }
  size_t len = (size_t)snprintf(buf, cap, yaml ? "{dist: discrete, values: [" : "discrete(values [");
  for (int i = 0; i < d->value_count && len < cap; i++) {
    char t[64];
    typed_text(desc, d->values[i], t, sizeof t);
    len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", t);
  }
  if (len < cap) len += (size_t)snprintf(buf + len, cap - len, yaml ? "], weights: [" : "], weights [");
  for (int i = 0; i < d->value_count && len < cap; i++) {
    char t[40];
    fleet_format_double(d->weights[i], t, sizeof t);
    len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", t);
  }
  if (len < cap) snprintf(buf + len, cap - len, yaml ? "]}" : "])");
}

/* The value the rules and a run without draws see for a sampled key: a real key's mean (within
 * its bounds); an integer, boolean or enum key's most probable value (the first listed among
 * equals), since the mean of an integer, of true/false or of names need not be one of them. */
static double nominal_value(const fleet_sampled_key_t *s) {
  const fleet_distribution_t *d = &s->dist;
  if (param_table[s->table_index].type != PT_REAL) {
    int best = 0;
    for (int i = 1; i < d->value_count; i++)
      if (d->weights[i] > d->weights[best]) best = i;
    return d->values[best];
  }
  double mean;
  fleet_distribution_moments(d, &mean, NULL);
  return mean < d->min ? d->min : mean > d->max ? d->max : mean;
}

/* A sampled key's field, read or set as its type: a double for a real key, an int64_t for an
 * integer, a bool, or an enum (an int, as the table's _Static_asserts hold). */
static void *sampled_field(fleet_params_t *p, const fleet_sampled_key_t *s) {
  void *base = s->region >= 0 ? (void *)&p->regions[s->region] : (void *)p;
  return (char *)base + param_table[s->table_index].offset;
}

static void set_sampled(fleet_params_t *p, const fleet_sampled_key_t *s, double v) {
  void *f = sampled_field(p, s);
  switch (param_table[s->table_index].type) {
    case PT_INT: *(int64_t *)f = (int64_t)llround(v); break;
    case PT_BOOL: *(bool *)f = v != 0; break;
    case PT_ENUM: *(int *)f = (int)lround(v); break;
    default: *(double *)f = v; break;
  }
}

static double get_sampled(fleet_params_t *p, const fleet_sampled_key_t *s) {
  void *f = sampled_field(p, s);
  switch (param_table[s->table_index].type) {
    case PT_INT: return (double)*(int64_t *)f;
    case PT_BOOL: return *(bool *)f ? 1.0 : 0.0;
    case PT_ENUM: return (double)*(int *)f;
    default: return *(double *)f;
  }
}

/* Reads the distribution n gives key (row d of the table; region or -1) into a new entry of
 * params->sampled, and sets the field at base to its mean, the value the rules see. */
static fleet_status_t sample_key(const ctx_t *c, size_t d, const node_t *n, const char *key, int region,
                                 fleet_params_t *params, void *base) {
  const param_desc_t *desc = &param_table[d];
  for (size_t i = 0; i < sizeof unsampled_keys / sizeof unsampled_keys[0]; i++)
    if (strcmp(key, unsampled_keys[i].key) == 0)
      return fail(c, n, n->line, "key %s: value is a distribution: %s, it cannot vary per replica: give a "
                  "single value", key, unsampled_keys[i].why);
  const bool typed = desc->type == PT_INT || desc->type == PT_BOOL || desc->type == PT_ENUM;
  if (desc->type != PT_REAL && !typed)
    return fail(c, n, n->line, "key %s: value is a distribution: only a real, integer, boolean or enum key may "
                "be given as one (%s)", key, desc->unit);
  if (params->sampled_count >= FLEET_MAX_SAMPLED)
    return fail(c, n, n->line, "key %s: value is a distribution: at most %d keys of a scenario may be", key,
                FLEET_MAX_SAMPLED);
  fleet_distribution_t dist = {0};
  const node_t *kind_node = NULL;
  for (size_t i = 0; i < n->count; i++)
    if (strcmp(n->entries[i].key, "dist") == 0) kind_node = n->entries[i].value;
  if (kind_node->kind != NODE_SCALAR || !fleet_dist_kind_from_name(kind_node->text, &dist.kind))
    return fail(c, kind_node, kind_node->line, "key %s.dist: value %s is not a known distribution: must be one of "
                "uniform, triangular, normal, lognormal, beta, discrete", key,
                kind_node->kind == NODE_SCALAR ? shown(kind_node) : kind_name(kind_node->kind));
  const char *kind = fleet_dist_name(dist.kind);
  if (typed && dist.kind != FLEET_DIST_DISCRETE)
    return fail(c, kind_node, kind_node->line, "key %s.dist: value %s: %s is %s key (%s): it may only be given "
                "as a discrete distribution, {dist: discrete, values: [...], weights: [...]}", key, kind, key,
                desc->type == PT_INT ? "an integer" : desc->type == PT_BOOL ? "a boolean" : "an enum", desc->unit);
  char takes[160];
  param_list(dist.kind, takes, sizeof takes);
  bool has_min = false, has_max = false, has_weights = false;
  int weight_count = 0;
  const char *const *names = fleet_dist_param_names(dist.kind);
  bool given[8] = {false};
  for (size_t i = 0; i < n->count; i++) {
    const entry_t *e = &n->entries[i];
    if (strcmp(e->key, "dist") == 0) continue;
    char sub[KEY_MAX + 64];
    snprintf(sub, sizeof sub, "%s.%s", key, e->key);
    int which = -1;
    for (int k = 0; names[k]; k++)
      if (strcmp(names[k], e->key) == 0) which = k;
    if (which < 0)
      return fail_entry(c, e, "key %s: unknown parameter of a %s distribution (it takes %s)", sub, kind, takes);
    given[which] = true;
    fleet_status_t st = FLEET_OK;
    if (strcmp(e->key, "values") == 0) {
      st = typed ? typed_list(c, desc, e->value, sub, dist.values, &dist.value_count)
                 : real_list(c, e->value, sub, dist.values, &dist.value_count);
    } else if (strcmp(e->key, "weights") == 0) {
      st = real_list(c, e->value, sub, dist.weights, &weight_count);
      has_weights = true;
    } else {
      const node_t *v = e->value;
      if (v->kind != NODE_SCALAR || !parse_real(v, fleet_dist_param(&dist, e->key)))
        return fail(c, v, v->line, "key %s: value %s is not a real number: expected a finite decimal number", sub,
                    v->kind == NODE_SCALAR ? shown(v) : kind_name(v->kind));
      has_min |= strcmp(e->key, "min") == 0;
      has_max |= strcmp(e->key, "max") == 0;
    }
    if (st != FLEET_OK) return st;
  }
  for (int k = 0; names[k]; k++)
    if (!given[k] && !fleet_dist_param_optional(dist.kind, names[k]))
      return fail(c, n, n->line, "key %s: a %s distribution needs %s (it takes %s)", key, kind, names[k], takes);
  /* the defaults: the key's range, cut at 0 for a lognormal; equal weights */
  if (!has_min) dist.min = dist.kind == FLEET_DIST_LOGNORMAL && desc->min < 0 ? 0 : desc->min;
  if (!has_max) dist.max = desc->max;
  if (dist.kind == FLEET_DIST_DISCRETE && !has_weights)
    for (int i = 0; i < dist.value_count; i++) dist.weights[i] = 1.0 / dist.value_count;
  if (has_weights && weight_count != dist.value_count)
    return fail(c, n, n->line, "key %s: a discrete distribution with %d values and %d weights: give one weight per "
                "value", key, dist.value_count, weight_count);
  char text[512];
  const char *rule = fleet_distribution_check(&dist);
  format_dist(desc, &dist, false, text, sizeof text);
  if (rule) return fail(c, n, n->line, "key %s: value %s: %s", key, text, rule);
  /* a typed key's values were each checked against its range (or names) by typed_list */
  if (!typed && !(dist.min >= desc->min && dist.max <= desc->max)) {
    char lo[40], hi[40], a[40], b[40];
    fleet_format_double(desc->min, lo, sizeof lo);
    fleet_format_double(desc->max, hi, sizeof hi);
    fleet_format_double(dist.min, a, sizeof a);
    fleet_format_double(dist.max, b, sizeof b);
    return fail(c, n, n->line, "key %s: value %s can draw [%s, %s], out of range: every draw must be in [%s, %s] %s",
                key, text, a, b, lo, hi, desc->unit);
  }
  fleet_sampled_key_t *s = &params->sampled[params->sampled_count++];
  snprintf(s->key, sizeof s->key, "%s", key);
  s->table_index = (int)d;
  s->region = region;
  s->dist = dist;
  (void)base;
  set_sampled(params, s, nominal_value(s));
  return FLEET_OK;
}

typedef struct {
  const node_t *src[PARAM_COUNT];        /* the node that gave each non-region key */
  const entry_t *section[PARAM_COUNT];   /* the section of each key, if present */
  const entry_t *regions;                /* the regions section, if present */
} walk_t;

static bool region_name_ok(const char *name) {
  size_t len = strlen(name);
  if (len == 0 || len >= FLEET_REGION_NAME_MAX || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (size_t i = 1; i < len; i++) {
    char ch = name[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  }
  return true;
}

static fleet_status_t walk_regions(const ctx_t *c, const entry_t *section, fleet_params_t *params,
                                   walk_t *w) {
  const node_t *map = section->value;
  w->regions = section;
  char fields[512];
  list_keys(true, fields, sizeof fields);
  if (map->kind != NODE_MAPPING)
    return fail(c, map, map->line, "key regions: value is %s: expected a mapping from region "
                "name to its fields", kind_name(map->kind));
  if (map->count < 1 || map->count > FLEET_MAX_REGIONS)
    return fail_entry(c, section, "key regions: %zu regions given: must be 1 to %d", map->count,
                      FLEET_MAX_REGIONS);
  params->region_count = (int)map->count;
  for (size_t r = 0; r < map->count; r++) {
    const entry_t *e = &map->entries[r];
    char key[KEY_MAX] = "";
    size_t key_len = path_push(key, path_push(key, 0, REGIONS_SECTION), e->key);
    if (!region_name_ok(e->key))
      return fail_entry(c, e, "key %s: region name %s is not allowed: must match "
                        "[a-z][a-z0-9_]* and be at most %d characters", key, e->key,
                        FLEET_REGION_NAME_MAX - 1);
    if (e->value->kind != NODE_MAPPING)
      return fail(c, e->value, e->value->line, "key %s: value is %s: expected a mapping with %s",
                  key, kind_name(e->value->kind), fields);
    fleet_region_t *region = &params->regions[r];
    memcpy(region->name, e->key, strlen(e->key) + 1);
    bool seen[PARAM_COUNT] = {false};
    for (size_t i = 0; i < e->value->count; i++) {
      const entry_t *f = &e->value->entries[i];
      path_push(key, key_len, f->key);
      int d = desc_index(REGIONS_SECTION, f->key);
      if (d < 0) return fail_entry(c, f, "key %s: unknown key (a region has %s)", key, fields);
      fleet_status_t st = is_distribution(f->value) ? sample_key(c, (size_t)d, f->value, key, (int)r, params, region)
                                                    : set_value(c, &param_table[d], f->value, key, region);
      if (st != FLEET_OK) return st;
      seen[d] = true;
    }
    for (size_t d = 0; d < PARAM_COUNT; d++) {
      if (!is_region_desc(&param_table[d]) || seen[d]) continue;
      path_push(key, key_len, param_table[d].name);
      return fail_entry(c, e, "key %s: missing: every key must be given (%s)", key,
                        param_table[d].unit);
    }
  }
  return FLEET_OK;
}

static fleet_status_t walk(const ctx_t *c, const node_t *root, fleet_params_t *params, walk_t *w) {
  for (size_t s = 0; s < root->count; s++) {
    const entry_t *section = &root->entries[s];
    if (!section_known(section->key)) {
      char sections[512];
      list_keys(false, sections, sizeof sections);
      return fail_entry(c, section, "key %s: unknown key (the sections are %s; a top-level "
                        "%s: FILE names a base file)", section->key, sections, BASE_KEY);
    }
    if (strcmp(section->key, REGIONS_SECTION) == 0) {
      fleet_status_t st = walk_regions(c, section, params, w);
      if (st != FLEET_OK) return st;
      continue;
    }
    const node_t *map = section->value;
    if (map->kind != NODE_MAPPING)
      return fail(c, map, map->line, "key %s: value is %s: expected a mapping of keys",
                  section->key, kind_name(map->kind));
    for (size_t d = 0; d < PARAM_COUNT; d++)
      if (strcmp(param_table[d].section, section->key) == 0) w->section[d] = section;
    for (size_t i = 0; i < map->count; i++) {
      const entry_t *e = &map->entries[i];
      char key[KEY_MAX] = "";
      path_push(key, path_push(key, 0, section->key), e->key);
      int d = desc_index(section->key, e->key);
      if (d < 0) return fail_entry(c, e, "key %s: unknown key", key);
      fleet_status_t st = is_distribution(e->value) ? sample_key(c, (size_t)d, e->value, key, -1, params, params)
                                                    : set_value(c, &param_table[d], e->value, key, params);
      if (st != FLEET_OK) return st;
      w->src[d] = e->value;
    }
  }
  for (size_t d = 0; d < PARAM_COUNT; d++) {
    const param_desc_t *desc = &param_table[d];
    if (is_region_desc(desc) || w->src[d]) continue;
    if (w->section[d])
      return fail_entry(c, w->section[d], "key %s.%s: missing: every key must be given, there "
                        "are no defaults (%s)", desc->section, desc->name, desc->unit);
    return fail(c, NULL, 0, "key %s.%s: missing: section %s is absent and every key must be "
                "given, there are no defaults (%s)", desc->section, desc->name, desc->section,
                desc->unit);
  }
  if (!w->regions)
    return fail(c, NULL, 0, "key regions: missing: at least one region must be given");
  return FLEET_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Rules that tie keys together
 * ------------------------------------------------------------------------------------------- */

static const node_t *src_of(const walk_t *w, const char *key) {
  for (size_t d = 0; d < PARAM_COUNT; d++) {
    char name[KEY_MAX] = "";
    path_push(name, path_push(name, 0, param_table[d].section), param_table[d].name);
    if (strcmp(name, key) == 0) return w->src[d];
  }
  return NULL;
}

/* Where node b came from, said next to a message about node a: "--set text", "line N" when it is
 * in the file a message about a names, else "file:N". */
static void origin(const ctx_t *c, const node_t *a, const node_t *b, char *buf, size_t cap) {
  const char *file_b = b->file ? b->file : c->path;
  const char *file_a = a && a->file ? a->file : c->path;
  if (b->override)
    snprintf(buf, cap, "--set %s", b->override);
  else if (a && !a->override && strcmp(file_a, file_b) == 0)
    snprintf(buf, cap, "line %d", b->line);
  else
    snprintf(buf, cap, "%s:%d", file_b, b->line);
}

static fleet_status_t rule_error(const ctx_t *c, const walk_t *w, const char *key_a,
                                 const char *key_b, const char *rule) {
  const node_t *na = src_of(w, key_a), *nb = src_of(w, key_b);
  if (!na || !nb) return fail(c, NULL, 0, "internal error: rule on unknown keys %s, %s", key_a, key_b);
  char where_b[FLEET_ERROR_MESSAGE_MAX];
  origin(c, na, nb, where_b, sizeof where_b);
  return fail(c, na, na->line, "keys %s = %s and %s = %s (%s): %s", key_a, shown(na), key_b,
              shown(nb), where_b, rule);
}

#define RULE(cond, a, b, rule) \
  do {                         \
    if (!(cond)) return rule_error(c, w, a, b, rule); \
  } while (0)

/* Rules on the elements of a real array (validated: a sequence of desc->count scalars). */
static fleet_status_t element_error(const ctx_t *c, const walk_t *w, const char *key, size_t i,
                                    const char *rule) {
  const node_t *seq = src_of(w, key);
  if (!seq || seq->kind != NODE_SEQUENCE || i >= seq->count)
    return fail(c, NULL, 0, "internal error: rule on unknown key %s", key);
  const node_t *n = seq->items[i];
  return fail(c, n, n->line, "key %s.%zu: value %s: %s", key, i, shown(n), rule);
}

static fleet_status_t order_error(const ctx_t *c, const walk_t *w, const char *key, size_t i,
                                  const char *rule) {
  const node_t *seq = src_of(w, key);
  if (!seq || seq->kind != NODE_SEQUENCE || i == 0 || i >= seq->count)
    return fail(c, NULL, 0, "internal error: rule on unknown key %s", key);
  const node_t *n = seq->items[i], *prev = seq->items[i - 1];
  char where_prev[FLEET_ERROR_MESSAGE_MAX];
  origin(c, n, prev, where_prev, sizeof where_prev);
  return fail(c, n, n->line, "keys %s.%zu = %s and %s.%zu = %s (%s): %s", key, i, shown(n), key,
              i - 1, shown(prev), where_prev, rule);
}

/* The sum of an array must be > 0, when the condition (on key_if) holds. */
static fleet_status_t sum_error(const ctx_t *c, const walk_t *w, const char *key,
                                const char *key_if, const char *rule) {
  const node_t *seq = src_of(w, key);
  if (!seq) return fail(c, NULL, 0, "internal error: rule on unknown key %s", key);
  if (!key_if) return fail(c, seq, seq->line, "key %s: values sum to 0: %s", key, rule);
  const node_t *n_if = src_of(w, key_if);
  if (!n_if) return fail(c, NULL, 0, "internal error: rule on unknown key %s", key_if);
  char where_if[FLEET_ERROR_MESSAGE_MAX];
  origin(c, seq, n_if, where_if, sizeof where_if);
  return fail(c, seq, seq->line, "key %s: values sum to 0 while %s = %s (%s): %s", key, key_if,
              shown(n_if), where_if, rule);
}

static double array_sum(const double *v, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += v[i];
  return sum;
}

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The rules of a restoration curve (kernels/outages.c inverts it): the day of the storm first,
 * everyone cut then, nobody after the last point, and a still-cut share that never rises. */
static fleet_status_t check_restoration_curve(const ctx_t *c, const walk_t *w, const char *days, const char *cut,
                                              const double t[FLEET_RESTORATION_KNOTS],
                                              const double s[FLEET_RESTORATION_KNOTS]) {
  const size_t knots = FLEET_RESTORATION_KNOTS;
  if (t[0] != 0)
    return element_error(c, w, days, 0, "must be 0: the restoration curve starts on the day of "
                         "the storm");
  for (size_t i = 1; i < knots; i++)
    if (!(t[i] > t[i - 1]))
      return order_error(c, w, days, i, "restoration_days must be strictly increasing");
  if (s[0] != 1)
    return element_error(c, w, cut, 0, "must be 1: every household a storm cuts is cut on the "
                         "day of the storm");
  for (size_t i = 1; i < knots; i++)
    if (!(s[i] <= s[i - 1]))
      return order_error(c, w, cut, i, "still_cut_fraction must not increase (a household once "
                         "reconnected stays so)");
  if (s[knots - 1] != 0)
    return element_error(c, w, cut, knots - 1, "must be 0: every household is reconnected by the "
                         "last point of the restoration curve");
  return FLEET_OK;
}

/* The rules of [outage], [storm], [backup] and the regions' storm_exposure. */
static fleet_status_t check_outage_rules(const ctx_t *c, const walk_t *w, const fleet_params_t *p) {
  /* Draws above the maximum are redrawn: with the median above it, half or more of the draws
   * would be (all of them with duration_log_sd 0). */
  RULE(p->outage_duration_median_min <= 60 * p->outage_duration_max_h,
       "outage.duration_median_min", "outage.duration_max_h",
       "duration_median_min must be <= 60 x duration_max_h (draws above the maximum are "
       "redrawn)");
  if (p->storm_rate_per_year > 0 &&
      !(array_sum(p->storm_month_weights, COUNT_OF(p->storm_month_weights)) > 0))
    return sum_error(c, w, "storm.month_weights", "storm.rate_per_year",
                     "the month weights must sum to more than 0 when storms occur (they are "
                     "relative: a storm's month is drawn in proportion to them)");
  fleet_status_t st = check_restoration_curve(c, w, "storm.restoration_days", "storm.still_cut_fraction",
                                              p->storm_restoration_days, p->storm_still_cut_fraction);
  if (st != FLEET_OK) return st;
  st = check_restoration_curve(c, w, "storm.extreme_restoration_days", "storm.extreme_still_cut_fraction",
                               p->storm_extreme_restoration_days, p->storm_extreme_still_cut_fraction);
  if (st != FLEET_OK) return st;
  if (!(array_sum(p->backup_load_profile, COUNT_OF(p->backup_load_profile)) > 0))
    return sum_error(c, w, "backup.load_profile", NULL,
                     "at least one hour must have a weight above 0 (the weights are relative: "
                     "the engine divides them by their sum)");
  if (p->storm_rate_per_year > 0) {
    bool exposed = false;
    for (int r = 0; r < p->region_count; r++) exposed = exposed || p->regions[r].storm_exposure > 0;
    if (!exposed) {
      const node_t *rate = src_of(w, "storm.rate_per_year");
      char where_rate[FLEET_ERROR_MESSAGE_MAX];
      if (!rate || !w->regions) return fail(c, NULL, 0, "internal error: storm_exposure rule");
      origin(c, NULL, rate, where_rate, sizeof where_rate);
      return fail_entry(c, w->regions, "key regions.*.storm_exposure: 0 in all %d regions while "
                        "storm.rate_per_year = %s (%s): at least one region must have a "
                        "storm_exposure above 0 when storms occur (a storm's centre is drawn in "
                        "proportion to it)", p->region_count, shown(rate), where_rate);
    }
  }
  return FLEET_OK;
}

/* The rule of [prices]: the yearly log changes of the four prices are drawn through the Cholesky
 * factor of their correlation matrix, built from the three correlation keys (budget.h), which
 * therefore must be positive definite. Each key alone may lie anywhere in [-1, 1]; together they
 * may not (corr_diesel_petrol = 1 makes diesel and petrol the same price: singular). */
static fleet_status_t check_price_rules(const ctx_t *c, const walk_t *w, const fleet_params_t *p) {
  double lower[FLEET_PRICE_WALKS][FLEET_PRICE_WALKS];
  if (fleet_price_cholesky(p, lower)) return FLEET_OK;
  const char *keys[] = {"prices.corr_diesel_petrol", "prices.corr_fuel_electricity",
                        "prices.corr_tariff_public"};
  const node_t *n[3];
  for (int i = 0; i < 3; i++)
    if (!(n[i] = src_of(w, keys[i])))
      return fail(c, NULL, 0, "internal error: rule on unknown key %s", keys[i]);
  char where_1[FLEET_ERROR_MESSAGE_MAX], where_2[FLEET_ERROR_MESSAGE_MAX];
  origin(c, n[0], n[1], where_1, sizeof where_1);
  origin(c, n[0], n[2], where_2, sizeof where_2);
  return fail(c, n[0], n[0]->line,
              "keys %s = %s, %s = %s (%s) and %s = %s (%s): the correlation matrix of the "
              "yearly log changes of the diesel, petrol, tariff and public prices must be "
              "positive definite (the prices are drawn through its Cholesky factor; e.g. a "
              "correlation of exactly 1 or -1 is refused)",
              keys[0], shown(n[0]), keys[1], shown(n[1]), where_1, keys[2], shown(n[2]), where_2);
}

/* 0 = Monday .. 6 = Sunday. */
static int64_t gregorian_weekday_of_1_january(int64_t year) {
  const int64_t y = year - 1; /* January counts in the previous year */
  const int64_t sunday_based = (y + y / 4 - y / 100 + y / 400 + 1) % 7; /* 0 = Sunday */
  return (sunday_based + 6) % 7;
}

static fleet_status_t check_rules(const ctx_t *c, const walk_t *w, const fleet_params_t *p) {
  double share_sum = 0;
  for (int r = 0; r < p->region_count; r++) share_sum += p->regions[r].fleet_share;
  if (!(fabs(share_sum - 1.0) <= 1e-6)) {
    char sum[40];
    fleet_format_double(share_sum, sum, sizeof sum);
    return fail_entry(c, w->regions, "key regions.*.fleet_share: values sum to %s over %d "
                      "regions: the shares must sum to 1 within 1e-6", sum, p->region_count);
  }
  /* Day 0 is 1 January of first_year (the result files' time and year coordinates say so), so its
   * weekday is that date's in the Gregorian calendar (Sakamoto's method). */
  RULE(p->first_weekday == gregorian_weekday_of_1_january(p->first_year), "simulation.first_weekday",
       "simulation.first_year", "first_weekday must be the weekday of 1 January of first_year");
  /* The two shares split the same vehicles; the rest has no home charging point. A small slack
   * lets 0.3 + 0.7 through despite rounding. */
  RULE(p->home_socket_share + p->home_wallbox_share <= 1 + 1e-9, "fleet.home_socket_share",
       "fleet.home_wallbox_share", "home_socket_share + home_wallbox_share must be <= 1");
  RULE(p->soc_floor_fraction_min <= p->soc_floor_fraction_max, "fleet.soc_floor_fraction_min",
       "fleet.soc_floor_fraction_max", "soc_floor_fraction_min must be <= soc_floor_fraction_max");
  RULE(p->soc_floor_fraction_max < p->charge_target_fraction, "fleet.soc_floor_fraction_max",
       "fleet.charge_target_fraction",
       "soc_floor_fraction_max must be < charge_target_fraction (home charging must lift a car "
       "above its owner's floor)");
  RULE(p->consumption_kwh_per_km_min <= p->consumption_kwh_per_km_max,
       "fleet.consumption_kwh_per_km_min", "fleet.consumption_kwh_per_km_max",
       "consumption_kwh_per_km_min must be <= consumption_kwh_per_km_max");
  RULE(p->cold_threshold_c <= p->heat_threshold_c, "consumption.cold_threshold_c",
       "consumption.heat_threshold_c",
       "cold_threshold_c must be <= heat_threshold_c (no temperature is both cold and hot)");
  RULE(p->public_reserve_fraction < p->public_target_fraction, "charging.public_reserve_fraction",
       "charging.public_target_fraction",
       "public_reserve_fraction must be < public_target_fraction");
  /* An empty window would leave the off-peak households' cars never charging at home: refused,
   * rather than read as "none" as the garage top-up's window is. */
  RULE(p->off_peak_start_hour != p->off_peak_end_hour, "charging.off_peak_start_hour",
       "charging.off_peak_end_hour",
       "off_peak_start_hour must differ from off_peak_end_hour (the off-peak window [start, end) "
       "may wrap past midnight but must not be empty)");
  RULE(p->commute_km_median <= p->commute_km_max, "mobility.commute_km_median",
       "mobility.commute_km_max",
       "commute_km_median must be <= commute_km_max (draws above the maximum are redrawn)");
  RULE(p->departure_hour_min <= p->departure_hour_max, "mobility.departure_hour_min",
       "mobility.departure_hour_max", "departure_hour_min must be <= departure_hour_max");
  RULE(p->work_hours_min <= p->work_hours_max, "mobility.work_hours_min", "mobility.work_hours_max",
       "work_hours_min must be <= work_hours_max");
  RULE(p->errand_hour_min <= p->errand_hour_max, "mobility.errand_hour_min",
       "mobility.errand_hour_max", "errand_hour_min must be <= errand_hour_max");
  RULE(p->weekend_trip_hour_min <= p->weekend_trip_hour_max, "mobility.weekend_trip_hour_min",
       "mobility.weekend_trip_hour_max", "weekend_trip_hour_min must be <= weekend_trip_hour_max");
  RULE(p->evening_trip_hour_min <= p->evening_trip_hour_max, "mobility.evening_trip_hour_min",
       "mobility.evening_trip_hour_max", "evening_trip_hour_min must be <= evening_trip_hour_max");
  RULE(p->evening_trip_hour_max + p->evening_trip_duration_hours <= 23, "mobility.evening_trip_hour_max",
       "mobility.evening_trip_duration_hours",
       "evening_trip_hour_max + evening_trip_duration_hours must be <= 23 (back home the same day)");
  RULE(p->departure_hour_max + p->work_hours_max <= 23, "mobility.departure_hour_max",
       "mobility.work_hours_max",
       "departure_hour_max + work_hours_max must be <= 23 (the drive home happens the same day)");
  RULE(p->errand_hour_max + p->errand_duration_hours <= 23, "mobility.errand_hour_max",
       "mobility.errand_duration_hours",
       "errand_hour_max + errand_duration_hours must be <= 23 (back home the same day)");
  RULE(p->weekend_trip_hour_max + p->weekend_trip_duration_hours <= 23,
       "mobility.weekend_trip_hour_max", "mobility.weekend_trip_duration_hours",
       "weekend_trip_hour_max + weekend_trip_duration_hours must be <= 23 (back home the same "
       "day)");
  RULE(p->long_trip_departure_hour < p->long_trip_return_hour, "mobility.long_trip_departure_hour",
       "mobility.long_trip_return_hour",
       "long_trip_departure_hour must be < long_trip_return_hour (a trip with 0 nights leaves and "
       "comes back the same day)");
  /* Both probabilities are in [0, 1], so the sum is below 2 unless both are 1; tested that way
   * to stay exact. */
  RULE(p->clear_to_clear_probability < 1 || p->cloudy_to_cloudy_probability < 1,
       "weather.clear_to_clear_probability", "weather.cloudy_to_cloudy_probability",
       "clear_to_clear_probability + cloudy_to_cloudy_probability must be < 2 (with both 1 the "
       "chain never leaves its first state)");
  RULE(p->cloudy_day_clearness <= p->clear_day_clearness, "weather.cloudy_day_clearness",
       "weather.clear_day_clearness", "cloudy_day_clearness must be <= clear_day_clearness");
  RULE(p->garage_floor_fraction <= p->garage_grid_topup_target_fraction, "garage.floor_fraction",
       "garage.grid_topup_target_fraction",
       "floor_fraction must be <= grid_topup_target_fraction (a top-up stops at the target, "
       "which must not lie below the kept floor)");
  /* The grid's hour profiles are relative: the engine divides each by its mean. */
  if (!(array_sum(p->grid_hour_profile_winter, COUNT_OF(p->grid_hour_profile_winter)) > 0))
    return sum_error(c, w, "co2.grid_hour_profile_winter", NULL,
                     "at least one hour must have a weight above 0 (the weights are relative: "
                     "the engine divides them by their mean)");
  if (!(array_sum(p->grid_hour_profile_summer, COUNT_OF(p->grid_hour_profile_summer)) > 0))
    return sum_error(c, w, "co2.grid_hour_profile_summer", NULL,
                     "at least one hour must have a weight above 0 (the weights are relative: "
                     "the engine divides them by their mean)");
  fleet_status_t st = check_outage_rules(c, w, p);
  if (st != FLEET_OK) return st;
  return check_price_rules(c, w, p);
}

/* The rules must hold for every value the distributions can draw. Each rule above reads at most
 * three keys and is convex in them (linear inequalities; a correlation matrix positive definite
 * at the corners of a box is so inside it, being affine in the correlations), so it holds on the
 * whole box of the bounds if it holds at its corners: every corner of every three sampled keys is
 * checked, the others at their nominal values. A discrete key can only draw its listed values,
 * and an enum's index or a boolean has no "inside" a rule could be convex in, so a discrete key
 * is checked at each listed value instead of its two bounds (at most 16). Loading, not a replica,
 * refuses a scenario. */
static int by_table_order(const void *a, const void *b) {
  const fleet_sampled_key_t *x = a, *y = b;
  if (x->table_index != y->table_index) return x->table_index < y->table_index ? -1 : 1;
  return (x->region > y->region) - (x->region < y->region);
}

/* The values key s is checked at: its listed values if discrete, else its bounds. */
static int check_points(const fleet_sampled_key_t *s) {
  return s->dist.kind == FLEET_DIST_DISCRETE ? s->dist.value_count : 2;
}

static double check_point(const fleet_sampled_key_t *s, int i) {
  if (s->dist.kind == FLEET_DIST_DISCRETE) return s->dist.values[i];
  return i ? s->dist.max : s->dist.min;
}

static fleet_status_t check_sampled_rules(const ctx_t *c, const walk_t *w, fleet_params_t *p) {
  const int m = p->sampled_count;
  /* the order of fleet_scenario_format, so that a file and its resolved /scenario list the
   * sampled keys alike, whatever order the file gave them in */
  qsort(p->sampled, (size_t)m, sizeof p->sampled[0], by_table_order);
  for (int i = 0; i < m; i++)
    for (int j = i; j < m; j++)
      for (int k = j; k < m; k++) {
        const int keys[3] = {i, j, k};
        /* a key repeated in the triple (i == j) is set once, by its first place */
        int count[3], total = 1;
        for (int t = 0; t < 3; t++) {
          count[t] = t && keys[t] == keys[t - 1] ? 1 : check_points(&p->sampled[keys[t]]);
          total *= count[t];
        }
        for (int combo = 0; combo < total; combo++) {
          double saved[3];
          for (int t = 0; t < 3; t++) saved[t] = get_sampled(p, &p->sampled[keys[t]]);
          for (int t = 0, rest = combo; t < 3; rest /= count[t], t++)
            if (!(t && keys[t] == keys[t - 1]))
              set_sampled(p, &p->sampled[keys[t]], check_point(&p->sampled[keys[t]], rest % count[t]));
          fleet_status_t st = check_rules(c, w, p);
          char at[3 * (FLEET_SAMPLED_KEY_MAX + 48)] = "";
          size_t len = 0;
          for (int t = 0; t < 3 && st != FLEET_OK; t++) {
            if (t && keys[t] == keys[t - 1]) continue;
            const fleet_sampled_key_t *s = &p->sampled[keys[t]];
            char v[64];
            typed_text(&param_table[s->table_index], get_sampled(p, s), v, sizeof v);
            len += (size_t)snprintf(at + len, len < sizeof at ? sizeof at - len : 0, "%s%s = %s", t ? ", " : "",
                                    s->key, v);
          }
          for (int t = 2; t >= 0; t--) set_sampled(p, &p->sampled[keys[t]], saved[t]);
          if (st != FLEET_OK) {
            char inner[FLEET_ERROR_MESSAGE_MAX];
            snprintf(inner, sizeof inner, "%s", c->err->message);
            return fleet_error_set(c->err, FLEET_ERR_SCENARIO, "%s (a rule must hold for every value the "
                                   "distributions can draw: it fails at the bounds or listed values %s)", inner, at);
          }
        }
      }
  return FLEET_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Public functions
 * ------------------------------------------------------------------------------------------- */

fleet_status_t fleet_scenario_load(const char *path, const char *const *overrides, int override_count,
                                   fleet_params_t *params, fleet_error_t *err) {
  return fleet_scenario_load_files(path, overrides, override_count, params, NULL, err);
}

void fleet_scenario_files_free(fleet_scenario_files_t *files) {
  if (!files) return;
  for (int i = 0; i < files->count; i++) free(files->paths[i]);
  files->count = 0;
}

fleet_status_t fleet_scenario_load_files(const char *path, const char *const *overrides, int override_count,
                                         fleet_params_t *params, fleet_scenario_files_t *files, fleet_error_t *err) {
  fleet_error_clear(err);
  if (files) files->count = 0;
  ctx_t c = {.path = path ? path : "(null)", .err = err};
  if (!path || !params)
    return fleet_error_set(err, FLEET_ERR_SCENARIO, "no scenario file or no parameters given");
  if (!path[0]) return fleet_error_set(err, FLEET_ERR_SCENARIO, "the scenario file's path is empty");
  memset(params, 0, sizeof *params);
  loader_t loader = {.err = err};
  node_t *root;
  fleet_status_t st = load_tree(&loader, path, NULL, NULL, &root);
  if (st != FLEET_OK) {
    loader_free(&loader);
    return st;
  }
  c.has_bases = loader.count > 1;
  for (int i = 0; i < override_count && st == FLEET_OK; i++) {
    if (!overrides || !overrides[i])
      st = fleet_error_set(err, FLEET_ERR_SCENARIO, "--set: override %d is missing", i);
    else
      st = apply_override(&c, root, overrides[i]);
  }
  walk_t *w = NULL;
  if (st == FLEET_OK) {
    w = calloc(1, sizeof *w);
    if (!w) st = nomem(&c);
  }
  if (st == FLEET_OK) st = walk(&c, root, params, w);
  if (st == FLEET_OK) st = check_rules(&c, w, params);
  if (st == FLEET_OK) st = check_sampled_rules(&c, w, params);
  free(w);
  node_free(root);
  for (int i = 0; files && i < loader.count && i < FLEET_SCENARIO_MAX_FILES; i++) {
    files->paths[i] = loader.files[i];
    loader.files[i] = NULL; /* moved */
    files->count = i + 1;
  }
  loader_free(&loader); /* after the last message: nodes point into its file names */
  return st;
}

fleet_status_t fleet_scenario_parse_text(const char *name, const char *text, fleet_params_t *params,
                                         fleet_error_t *err) {
  fleet_error_clear(err);
  ctx_t c = {.path = name ? name : "(null)", .err = err};
  if (!text || !params) return fleet_error_set(err, FLEET_ERR_SCENARIO, "%s: no scenario text given", c.path);
  memset(params, 0, sizeof *params);
  node_t *root;
  fleet_status_t st = read_tree_text(&c, text, &root);
  if (st != FLEET_OK) return st;
  for (size_t i = 0; i < root->count && st == FLEET_OK; i++)
    if (strcmp(root->entries[i].key, BASE_KEY) == 0)
      st = fail_entry(&c, &root->entries[i], "key %s: a resolved scenario names no base file", BASE_KEY);
  walk_t *w = NULL;
  if (st == FLEET_OK && !(w = calloc(1, sizeof *w))) st = nomem(&c);
  if (st == FLEET_OK) st = walk(&c, root, params, w);
  if (st == FLEET_OK) st = check_rules(&c, w, params);
  if (st == FLEET_OK) st = check_sampled_rules(&c, w, params);
  free(w);
  node_free(root);
  return st;
}

typedef struct {
  char *data;
  size_t len, cap;
  bool failed;
} strbuf_t;

static void sb_printf(strbuf_t *sb, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(strbuf_t *sb, const char *format, ...) {
  if (sb->failed) return;
  for (;;) {
    va_list args;
    va_start(args, format);
    int n = vsnprintf(sb->data ? sb->data + sb->len : NULL, sb->data ? sb->cap - sb->len : 0,
                      format, args);
    va_end(args);
    if (n < 0) {
      sb->failed = true;
      return;
    }
    if (sb->data && sb->len + (size_t)n < sb->cap) {
      sb->len += (size_t)n;
      return;
    }
    size_t cap = sb->cap ? sb->cap : 4096;
    while (cap <= sb->len + (size_t)n) cap *= 2;
    char *data = realloc(sb->data, cap);
    if (!data) {
      sb->failed = true;
      return;
    }
    sb->data = data;
    sb->cap = cap;
  }
}

static void format_value(strbuf_t *sb, const param_desc_t *d, const void *base) {
  const void *src = (const char *)base + d->offset;
  char buf[40];
  switch (d->type) {
    case PT_REAL:
      fleet_format_double(*(const double *)src, buf, sizeof buf);
      sb_printf(sb, "%s", buf);
      break;
    case PT_INT: sb_printf(sb, "%" PRId64, *(const int64_t *)src); break;
    case PT_UINT64: sb_printf(sb, "%" PRIu64, *(const uint64_t *)src); break;
    case PT_BOOL: sb_printf(sb, "%s", *(const bool *)src ? "true" : "false"); break;
    case PT_ENUM: {
      int v = *(const int *)src, count = 0;
      while (d->enum_names[count]) count++;
      sb_printf(sb, "%s", v >= 0 && v < count ? d->enum_names[v] : "invalid");
      break;
    }
    case PT_REAL_ARRAY:
      sb_printf(sb, "[");
      for (size_t i = 0; i < d->count; i++) {
        fleet_format_double(((const double *)src)[i], buf, sizeof buf);
        sb_printf(sb, "%s%s", i ? ", " : "", buf);
      }
      sb_printf(sb, "]");
      break;
  }
}

/* A key's value, or its distribution as the flow mapping a scenario gives. */
static void format_field(strbuf_t *sb, const fleet_params_t *params, size_t d, int region, const void *base) {
  for (int i = 0; i < params->sampled_count && i < FLEET_MAX_SAMPLED; i++) {
    const fleet_sampled_key_t *s = &params->sampled[i];
    if (s->table_index != (int)d || s->region != region) continue;
    char text[1024];
    format_dist(&param_table[d], &s->dist, true, text, sizeof text);
    sb_printf(sb, "%s", text);
    return;
  }
  format_value(sb, &param_table[d], base);
}

char *fleet_scenario_format(const fleet_params_t *params) {
  strbuf_t sb = {0};
  sb_printf(&sb, "# fleetmc scenario, resolved: every key in a fixed order, with its unit\n");
  const char *section = NULL;
  for (size_t d = 0; d < PARAM_COUNT; d++) {
    const param_desc_t *desc = &param_table[d];
    if (is_region_desc(desc)) continue;
    if (!section || strcmp(section, desc->section) != 0) {
      section = desc->section;
      sb_printf(&sb, "%s:\n", section);
    }
    sb_printf(&sb, "  %s: ", desc->name);
    format_field(&sb, params, d, -1, params);
    sb_printf(&sb, "  # %s\n", desc->unit);
  }
  sb_printf(&sb, "%s:\n", REGIONS_SECTION);
  int count = params->region_count;
  if (count < 0) count = 0;
  if (count > FLEET_MAX_REGIONS) count = FLEET_MAX_REGIONS;
  for (int r = 0; r < count; r++) {
    const fleet_region_t *region = &params->regions[r];
    sb_printf(&sb, "  %.*s:\n", FLEET_REGION_NAME_MAX - 1, region->name);
    for (size_t d = 0; d < PARAM_COUNT; d++) {
      const param_desc_t *desc = &param_table[d];
      if (!is_region_desc(desc)) continue;
      sb_printf(&sb, "    %s: ", desc->name);
      format_field(&sb, params, d, r, region);
      sb_printf(&sb, "  # %s\n", desc->unit);
    }
  }
  if (sb.failed) {
    free(sb.data);
    return NULL;
  }
  return sb.data;
}

/* ---------------------------------------------------------------------------------------------
 * The table, for tools and tests that enumerate the keys (tests/keys_reach)
 * ------------------------------------------------------------------------------------------- */

size_t fleet_scenario_key_count(void) { return PARAM_COUNT; }

bool fleet_scenario_key_info(size_t index, fleet_scenario_key_info_t *info) {
  if (index >= PARAM_COUNT || !info) return false;
  static const char *const kinds[] = {[PT_REAL] = "real", [PT_INT] = "int", [PT_UINT64] = "uint64",
                                      [PT_BOOL] = "bool", [PT_ENUM] = "enum",
                                      [PT_REAL_ARRAY] = "real_array"};
  const param_desc_t *d = &param_table[index];
  *info = (fleet_scenario_key_info_t){.section = d->section, .name = d->name, .kind = kinds[d->type],
                                      .min = d->min, .max = d->max, .unit = d->unit,
                                      .enum_names = d->enum_names, .count = d->count};
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Uncertain assumptions: a replica's draws
 * ------------------------------------------------------------------------------------------- */

void fleet_scenario_sample(const fleet_params_t *params, int64_t replica, fleet_params_t *out, double *values) {
  if (out != params) *out = *params;
  for (int i = 0; i < params->sampled_count; i++) {
    const fleet_sampled_key_t *s = &params->sampled[i];
    const double v = fleet_distribution_draw(&s->dist, params->seed, replica, s->key);
    set_sampled(out, s, v);
    if (values) values[i] = v;
  }
}

const char *fleet_scenario_sampled_unit(const fleet_params_t *params, int i) {
  if (i < 0 || i >= params->sampled_count) return NULL;
  return param_table[params->sampled[i].table_index].unit;
}

void fleet_scenario_print_sampled(const fleet_params_t *params, FILE *out) {
  if (params->sampled_count == 0) return;
  fprintf(out, "# sampled per replica (%d key%s):\n", params->sampled_count, params->sampled_count > 1 ? "s" : "");
  for (int i = 0; i < params->sampled_count; i++) {
    char text[1024];
    format_dist(&param_table[params->sampled[i].table_index], &params->sampled[i].dist, false, text, sizeof text);
    fprintf(out, "#   %s = %s  # %s\n", params->sampled[i].key, text,
            param_table[params->sampled[i].table_index].unit);
  }
}

void fleet_scenario_sampled_format(const fleet_params_t *params, int i, char *buf, size_t cap) {
  if (!cap) return;
  buf[0] = '\0';
  if (i < 0 || i >= params->sampled_count) return;
  const fleet_sampled_key_t *s = &params->sampled[i];
  const param_desc_t *desc = &param_table[s->table_index];
  format_dist(desc, &s->dist, false, buf, cap);
  size_t len = strlen(buf);
  if (desc->type == PT_ENUM)
    snprintf(buf + len, cap - len, "; stored as the index of the value in the enum's order (%s), from 0", desc->unit);
  else if (desc->type == PT_BOOL)
    snprintf(buf + len, cap - len, "; stored as 0 (false) or 1 (true)");
}
