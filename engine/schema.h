/* schema.h: the one description of a result file. Every dataset is a row of FLEET_DATASETS and
 * every axis a row of FLEET_AXES; the HDF5 writer and reader, merge, summary and `fleetmc schema`
 * (the README's table) are all driven by them. Adding an output quantity takes the kernel line,
 * the field of fleet_year_totals_t and one row here.
 *
 * Files hold what merges exactly: sums, counts and histograms per replica-year. Quantities derived
 * from them (means, shares, quantiles, NPV, repaid) are computed by the functions of derived.h
 * alone; the few a file also carries for convenience (source FLEET_FROM_REPLICA) are written by
 * those same functions, and nothing ever reads them back to invert them. */
#ifndef FLEET_SCHEMA_H
#define FLEET_SCHEMA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "derived.h"
#include "params.h"
#include "year_totals.h"

/* ---- root attributes ---------------------------------------------------------------------- */

/* Besides filetype ("fleetmc") and format_version (int32, FLEETMC_FORMAT_VERSION), which say what
 * the file is and are checked first. X(name, kind, description): the name is both the attribute's
 * and the field's in fleet_run_info_t and fleet_h5_file_info_t (h5_reader.h). The first three are
 * the writing program's own, whatever the caller gives. */
#define FLEET_ROOT_ATTRS(X)                                                                                           \
  X(fleetmc_version, FLEET_ATTR_STRING, "version of the fleetmc that wrote the file")                                 \
  X(git_commit, FLEET_ATTR_STRING,                                                                                    \
    "commit that fleetmc was built from, with -dirty when the tree had uncommitted changes")                          \
  X(created, FLEET_ATTR_STRING, "when the file was written, UTC, YYYY-MM-DDTHH:MM:SSZ")                               \
  X(command_line, FLEET_ATTR_STRING, "the command line that wrote the file, as given")                                \
  X(scenario_file, FLEET_ATTR_STRING, "the scenario file's name as given to run (merge: the parts')")                 \
  X(model_sha256, FLEET_ATTR_STRING,                                                                                  \
    "SHA-256 of /scenario formatted with simulation.replicas = 1 and first_replica = 0: files with equal values "     \
    "are parts of one study and can be merged")                                                                       \
  X(seed, FLEET_ATTR_U64, "master seed")                                                                              \
  X(first_replica, FLEET_ATTR_I64, "global index of the file's first replica")                                        \
  X(replicas, FLEET_ATTR_I64, "replicas in the file")                                                                 \
  X(years, FLEET_ATTR_I64, "years per replica")                                                                       \
  X(vehicles, FLEET_ATTR_I64, "vehicles in the fleet")                                                                \
  X(first_year, FLEET_ATTR_I64, "calendar year of year 0")                                                            \
  X(discount_rate, FLEET_ATTR_F64, "per year, of /budget/npv_eur (state.discount_rate)")                              \
  X(lease_years, FLEET_ATTR_I64, "lease term in years, of /budget/repaid (state.lease_years)")                         \
  X(stopped_by, FLEET_ATTR_STRING,                                                                                    \
    "why the file holds the replicas it does: empty for a run of simulation.replicas and for a merge; with "          \
    "--target-error, 'target_error C1=0.01 met at 12 replicas (...)' or 'replica limit 40 reached (...)'; "       \
    "files written before it lack it (read as empty)")

typedef enum { FLEET_ATTR_STRING, FLEET_ATTR_U64, FLEET_ATTR_I64, FLEET_ATTR_F64 } fleet_attr_kind_t;

/* stopped_by came after files of this format version were written: a file may lack it (the reader
 * takes ""), and an empty one adds no line to attributes_sha256, so that those files read and hash
 * as they did. */
#define FLEET_ROOT_ATTR_OPTIONAL(name) (strcmp((name), "stopped_by") == 0)

/* What a run or a merge tells the writer about the file. */
typedef struct {
  const char *fleetmc_version, *git_commit, *created; /* ignored by the writer: its own */
  const char *command_line, *scenario_file, *model_sha256;
  uint64_t seed;
  int64_t first_replica, replicas, years, vehicles, first_year;
  double discount_rate;
  int64_t lease_years;
  const char *stopped_by; /* NULL: "" */
  /* not root attributes */
  int64_t price_paths;         /* the path axis' length (budget.price_paths_per_replica) */
  const char *scenario_text;   /* resolved scenario (fleet_scenario_format) -> /scenario */
  const char *scenario_sha256; /* its SHA-256, 64 lowercase hex digits -> /scenario@sha256 */
  int region_count;            /* the region axis' coordinate values */
  const char *const *region_names;
} fleet_run_info_t;

/* The SHA-256 of the root attributes' values, one "name=value" line each in the table's order
 * (numbers in decimal, %.17g for doubles): the root attribute attributes_sha256. Their strings
 * live in HDF5's global heap, which has no checksum of its own. */
void fleet_root_attrs_sha256(const fleet_run_info_t *info, char hex[65]);

typedef struct {
  const char *name;
  fleet_attr_kind_t kind;
  size_t info_offset; /* in fleet_run_info_t */
  const char *description;
} fleet_root_attr_spec_t;

enum {
#define FLEET_ROOT_ATTR_COUNTER(name, ...) +1
  FLEET_ROOT_ATTR_COUNT = 0 FLEET_ROOT_ATTRS(FLEET_ROOT_ATTR_COUNTER)
#undef FLEET_ROOT_ATTR_COUNTER
};
extern const fleet_root_attr_spec_t fleet_root_attrs[FLEET_ROOT_ATTR_COUNT];

/* ---- axes --------------------------------------------------------------------------------- */

/* How an axis gets its coordinate values (an HDF5 dimension scale of the same name in each group
 * that uses it). */
typedef enum {
  FLEET_AXIS_KIND_REPLICA, /* int64: first_replica + offset, the global replica index */
  FLEET_AXIS_KIND_YEAR,    /* int64: the calendar year, first_year + offset */
  FLEET_AXIS_KIND_TIME,    /* int64: hour of the year, units "hours since FIRST_YEAR-01-01 00:00:00" */
  FLEET_AXIS_KIND_REGION,  /* strings: the scenario's region names */
  FLEET_AXIS_KIND_LABELS,  /* strings: a fixed list */
  FLEET_AXIS_KIND_BINS,    /* float64: each bin's lower edge, with a bounds variable NAME_bounds */
  FLEET_AXIS_KIND_BOUND,   /* int64 0, 1: the second axis of the bounds variables */
  FLEET_AXIS_KIND_INDEX,   /* int64 0, 1, ..., length - 1 */
} fleet_axis_kind_t;

/* X(ID, name, kind, length (0: set by the run), labels or NULL, edge function or NULL, units or
 * NULL, long_name) */
#define FLEET_AXES(X)                                                                                                 \
  X(REPLICA, "replica", FLEET_AXIS_KIND_REPLICA, 0, NULL, NULL, "1", "Monte Carlo replica (global index)")            \
  X(YEAR, "year", FLEET_AXIS_KIND_YEAR, 0, NULL, NULL, NULL, "calendar year of the programme")                        \
  X(TIME, "time", FLEET_AXIS_KIND_TIME, FLEET_HOURS_PER_YEAR, NULL, NULL, NULL,                                       \
    "hour of the year (the same hours in every year of the year axis)")                                               \
  X(REGION, "region", FLEET_AXIS_KIND_REGION, 0, NULL, NULL, NULL, "region of the scenario")                          \
  X(SOURCE, "source", FLEET_AXIS_KIND_LABELS, FLEET_SOURCE_COUNT, fleet_charge_source_names, NULL, NULL,              \
    "where the energy entering the cars came from")                                             \
  X(FLOW, "flow", FLEET_AXIS_KIND_LABELS, FLEET_SOLAR_FLOW_COUNT, fleet_solar_flow_names, NULL, NULL,                 \
    "solar energy flow")                                                                                              \
  X(FUEL, "fuel", FLEET_AXIS_KIND_LABELS, FLEET_FUEL_COUNT, fleet_fuel_names, NULL, NULL, "motor fuel")               \
  X(TARIFF, "tariff", FLEET_AXIS_KIND_LABELS, FLEET_TARIFF_COUNT, fleet_tariff_names, NULL, NULL,                     \
    "electricity price")                                                                                              \
  X(ITEM, "item", FLEET_AXIS_KIND_LABELS, FLEET_LEDGER_COUNT, fleet_ledger_names, NULL, NULL,                         \
    "item of the State's ledger")                                                                                     \
  X(DURATION_BIN, "duration_bin", FLEET_AXIS_KIND_BINS, FLEET_OUTAGE_DURATION_BINS, NULL, fleet_duration_edge_h,      \
    "h", "outage duration, lower edge of the bin")                                                                    \
  X(COVERED_BIN, "covered_bin", FLEET_AXIS_KIND_BINS, FLEET_COVERED_FRACTION_BINS, NULL, fleet_covered_edge, "1",     \
    "share of the outage's dormant load served, lower edge of the bin (the last bin includes 1)")                     \
  X(OUTAGE_BAND, "outage_band", FLEET_AXIS_KIND_BINS, FLEET_OUTAGE_BANDS, NULL, fleet_outage_band_edge_h, "h",      \
    "claim C2's band of outage duration (< 1 h, 1-4 h, 4-24 h, >= 24 h), lower edge of the band")                    \
  X(ACCOUNT_BIN, "account_bin", FLEET_AXIS_KIND_BINS, FLEET_ACCOUNT_BINS, NULL, fleet_account_edge_eur, "EUR",        \
    "household account for the year, lower edge of the bin (the end bins also hold the values beyond)")               \
  X(POSITION_BIN, "position_bin", FLEET_AXIS_KIND_BINS, FLEET_POSITION_BINS, NULL, fleet_position_edge_eur, "EUR",   \
    "household's full position over the lease, lower edge of the bin (the end bins also hold the values beyond)")    \
  X(BOUND, "bound", FLEET_AXIS_KIND_BOUND, 2, NULL, NULL, "1", "0: lower, 1: upper bound of a bin")                  \
  X(PATH, "path", FLEET_AXIS_KIND_INDEX, 0, NULL, NULL, "1",                                                          \
    "price path of the replica (0: its own, the one /budget holds; budget.price_paths_per_replica)")

typedef enum {
#define FLEET_AXIS_ENUM(id, ...) FLEET_AXIS_##id,
  FLEET_AXES(FLEET_AXIS_ENUM)
#undef FLEET_AXIS_ENUM
  FLEET_AXIS_COUNT
} fleet_axis_t;

typedef struct {
  const char *name;
  fleet_axis_kind_t kind;
  int length; /* 0: replicas, years or regions of the run */
  const char *const *labels;
  double (*edge)(int k); /* FLEET_AXIS_KIND_BINS: edge k of length + 1 */
  const char *units;     /* NULL: none (labels, year) or made per file (time) */
  const char *long_name;
} fleet_axis_spec_t;

extern const fleet_axis_spec_t fleet_axes[FLEET_AXIS_COUNT];

/* The labels of the fuel and tariff axes, in the order of fleet_price_t. */
enum { FLEET_FUEL_COUNT = 2, FLEET_TARIFF_COUNT = 4 };
extern const char *const fleet_fuel_names[FLEET_FUEL_COUNT];
extern const char *const fleet_tariff_names[FLEET_TARIFF_COUNT];

double fleet_duration_edge_h(int k);
double fleet_covered_edge(int k);
double fleet_outage_band_edge_h(int k);
double fleet_account_edge_eur(int k);
double fleet_position_edge_eur(int k);

/* ---- datasets ----------------------------------------------------------------------------- */

/* Where a dataset's values come from. */
typedef enum {
  FLEET_FROM_YEAR,    /* a field of fleet_year_totals_t, one row per replica-year */
  FLEET_FROM_REPLICA, /* a field of fleet_replica_derived_t (derived.h), one value per replica */
  FLEET_FROM_RUN,     /* a field of fleet_run_values_t, one scalar per file */
} fleet_source_t;

/* How the datasets of files holding consecutive replica ranges combine into one file. */
typedef enum {
  FLEET_MERGE_CONCAT, /* concatenated along the replica axis */
  FLEET_MERGE_SUM,
  FLEET_MERGE_MAX,
} fleet_merge_t;

/* What a stored value may be; the reader refuses any other, naming the file, the dataset, the
 * replica-year and the value (a NaN in a sum means a replica-year never written). */
typedef enum {
  FLEET_DOMAIN_FINITE,   /* any finite number */
  FLEET_DOMAIN_NONNEG,   /* finite and >= 0 */
  FLEET_DOMAIN_POSITIVE, /* finite and > 0 */
  FLEET_DOMAIN_COUNT,    /* a whole number >= 0, at most 2^53 */
} fleet_domain_t;

/* The on-disk type (little-endian); in memory every value is a double. */
typedef enum { FLEET_TYPE_F64, FLEET_TYPE_I64 } fleet_type_t;

/* What a run adds up to as a whole: the /runtime group. */
typedef struct {
  double wall_seconds;  /* of the simulation */
  double vehicle_hours; /* simulated */
  double threads;       /* OpenMP threads (the most of any part, in a merged file) */
} fleet_run_values_t;

/* Axis lists after the leading ones. */
#define FLEET_SHAPE_RY 2, {FLEET_AXIS_REPLICA, FLEET_AXIS_YEAR, 0}
#define FLEET_SHAPE_RYX(axis) 3, {FLEET_AXIS_REPLICA, FLEET_AXIS_YEAR, FLEET_AXIS_##axis}
#define FLEET_SHAPE_R 1, {FLEET_AXIS_REPLICA, 0, 0}
#define FLEET_SHAPE_SCALAR 0, {0, 0, 0}

/* X(ID, group, name, type, units, long_name, description, shape, source, field, merge).
 * Units are UDUNITS strings ("1": a count or a ratio), EUR aside. */
#define FLEET_DATASETS(X)                                                                                             \
  X(STORAGE_ENERGY, "storage", "energy_kwh", FLEET_TYPE_F64, "kWh", "storage energy the cars can give back",          \
    "fleet total per hour, deliverable to the grid: energy that plugged-in cars with a bidirectional wallbox can "    \
    "give back after discharge losses, above each owner's floor plus the next trips' energy (charging.reserve_rule)", \
    FLEET_SHAPE_RYX(TIME), FLEET_FROM_YEAR, storage_energy_kwh, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)              \
  X(STORAGE_BATTERY, "storage", "energy_at_battery_kwh", FLEET_TYPE_F64, "kWh",                                       \
    "storage energy above the cars' reserve, at the battery",                                                         \
    "fleet total per hour, at the battery: the energy of energy_kwh before discharge losses (energy_kwh = this x "    \
    "charging.discharge_efficiency); the proposal's 21 GWh counts battery energy",                                    \
    FLEET_SHAPE_RYX(TIME), FLEET_FROM_YEAR, storage_battery_kwh, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)             \
  X(STORAGE_POWER, "storage", "power_kw", FLEET_TYPE_F64, "kW", "storage power the cars can give back",               \
    "fleet total per hour: power that plugged-in bidirectional cars can give back, each capped by its charger",       \
    FLEET_SHAPE_RYX(TIME), FLEET_FROM_YEAR, storage_power_kw, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                \
  X(STORAGE_PLUGGED, "storage", "plugged_vehicles", FLEET_TYPE_F64, "1", "cars plugged in at home",                   \
    "fleet total per hour: cars plugged in at home", FLEET_SHAPE_RYX(TIME), FLEET_FROM_YEAR, plugged_vehicles,        \
    FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)                                                                           \
  X(STORAGE_GARAGE_ENERGY, "storage", "garage_energy_kwh", FLEET_TYPE_F64, "kWh",                                     \
    "storage energy the garage batteries can give back",                                                              \
    "fleet total per hour: energy that the solar garages' batteries can give back after discharge losses, above "     \
    "their floor",                                                                                                    \
    FLEET_SHAPE_RYX(TIME), FLEET_FROM_YEAR, garage_energy_kwh, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)               \
  X(STORAGE_GARAGE_BATTERY, "storage", "garage_energy_at_battery_kwh", FLEET_TYPE_F64, "kWh",                         \
    "storage energy above the garage batteries' floor, at the battery",                                               \
    "fleet total per hour, at the battery: the energy of garage_energy_kwh before discharge losses "                  \
    "(garage_energy_kwh = this x garage.battery_to_grid_efficiency)",                                                 \
    FLEET_SHAPE_RYX(TIME), FLEET_FROM_YEAR, garage_battery_kwh, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)              \
  X(STORAGE_GARAGE_POWER, "storage", "garage_power_kw", FLEET_TYPE_F64, "kW",                                         \
    "storage power the garage batteries can give back",                                                               \
    "fleet total per hour: power that the solar garages' batteries can give back, each capped by its inverter",       \
    FLEET_SHAPE_RYX(TIME), FLEET_FROM_YEAR, garage_power_kw, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                 \
  X(KM_DRIVEN, "mobility", "km_driven", FLEET_TYPE_F64, "km", "distance driven", "fleet total per year",              \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, km_driven, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                              \
  X(TRIPS, "mobility", "trips", FLEET_TYPE_F64, "1", "one-way car trips",                                             \
    "fleet total per year: one-way trips driven (an outing from home and back is two, a stop chained to the "     \
    "drive home one more; the first and last day of a long trip one each), as the national survey EMP 2019 "        \
    "counts them",                                                                                                    \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, trips, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)                                    \
  X(WEEKDAY_TRIPS, "mobility", "weekday_trips", FLEET_TYPE_F64, "1", "one-way car trips on weekdays",                \
    "fleet total per year: of /mobility/trips, those driven Monday to Friday (the survey's weekday figure)",         \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, weekday_trips, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)                           \
  X(VEHICLES_AWAY, "mobility", "vehicles_away", FLEET_TYPE_F64, "1", "cars away from home",                           \
    "fleet total per hour: cars away from home, driving or parked elsewhere, at any time of the hour",               \
    FLEET_SHAPE_RYX(TIME), FLEET_FROM_YEAR, vehicles_away, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)                    \
  X(COMMUTERS, "mobility", "commuters", FLEET_TYPE_F64, "1", "cars of employed drivers",                               \
    "fleet total per year: cars whose driver is employed and commutes by car on the days at work",                  \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, commuters, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)                               \
  X(COMMUTE_KM_SUM, "mobility", "commute_km_sum", FLEET_TYPE_F64, "km", "one-way commute distances, summed",         \
    "fleet total per year: the one-way home-work distances of the commuters' cars, summed (/ commuters: the mean)",  \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, commute_km_sum, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                         \
  X(STATE_OF_HEALTH_SUM, "battery", "state_of_health_sum", FLEET_TYPE_F64, "1",                                       \
    "the cars' battery state of health at the year's end, summed",                                                    \
    "fleet total per year: sum over the fleet's cars of their battery's state of health (capacity / "                 \
    "fleet.battery_kwh, 1 when new) after the year's calendar and throughput fade ([ageing]); the mean = this / the " \
    "root attribute vehicles; the next year runs on the faded capacities",                                            \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, state_of_health_sum, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                    \
  X(CHARGING_ENERGY, "charging", "energy_kwh", FLEET_TYPE_F64, "kWh", "energy entering the cars by source",           \
    "fleet total per year: energy entering the cars' batteries, after every conversion loss, by where it came "       \
    "from: home_socket, home_wallbox (grid at home, AC; a bidirectional wallbox counts here), public (public fast "   \
    "charging, DC), garage_pv and garage_grid (out of the garage batteries, split in the proportions of roof PV and " \
    "grid top-up they hold), carport_pv (workplace carport PV); the sources sum to the energy entering the cars",     \
    FLEET_SHAPE_RYX(SOURCE), FLEET_FROM_YEAR, charging_energy_kwh, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)           \
  X(HOME_GRID, "charging", "home_grid_kwh", FLEET_TYPE_F64, "kWh", "grid energy drawn at home",                       \
    "fleet total per year: energy drawn from the grid at home, before losses: home sockets and wallboxes, and the "   \
    "solar garages' grid top-ups",                                                                                    \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, home_grid_kwh, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                          \
  X(HOME_GRID_OFF_PEAK, "charging", "home_grid_off_peak_kwh", FLEET_TYPE_F64, "kWh",                                  \
    "grid energy drawn at home in off-peak hours",                                                                    \
    "fleet total per year: of home_grid_kwh, what was drawn in the off-peak window (charging.off_peak_start_hour to " \
    "off_peak_end_hour), by every household whatever its tariff; the households on the off-peak schedule "           \
    "(charging.off_peak_share) charge their cars only then",                                                          \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, home_grid_off_peak_kwh, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                 \
  X(SOLAR_ENERGY, "solar", "energy_kwh", FLEET_TYPE_F64, "kWh", "solar energy flows",                                 \
    "fleet total per year: garage_produced (garage PV output, DC), garage_stored (reached garage batteries after "    \
    "losses), garage_exported (PV surplus sold through the garage inverter, after its losses and at most its "       \
    "power, when garage.export_surplus is true), garage_curtailed (PV neither stored nor exported), garage_to_cars (into cars from "     \
    "garage batteries after losses), garage_losses (PV, grid top-up, battery-to-car and export conversion), "                 \
    "carport_produced (over the parked cars' spaces), carport_to_cars (after losses), carport_unused, "               \
    "carport_losses",                                                                                                 \
    FLEET_SHAPE_RYX(FLOW), FLEET_FROM_YEAR, solar_energy_kwh, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                \
  X(PV_YIELD, "weather", "pv_yield_kwh_per_kwp", FLEET_TYPE_F64, "kWh/kW", "PV yield per kW peak",                    \
    "per region and year: energy per kW peak of installed PV under the region's weather",                             \
    FLEET_SHAPE_RYX(REGION), FLEET_FROM_YEAR, region_pv_yield_kwh_per_kwp, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)   \
  X(MEAN_TEMPERATURE, "weather", "mean_temperature_c", FLEET_TYPE_F64, "degC", "mean air temperature",                \
    "per region and year: mean of the region's hourly air temperature", FLEET_SHAPE_RYX(REGION), FLEET_FROM_YEAR,     \
    region_mean_temperature_c, FLEET_MERGE_CONCAT, FLEET_DOMAIN_FINITE)                                               \
  X(HOUSEHOLDS_OUT, "outage", "households_out", FLEET_TYPE_F64, "1", "households without supply",                     \
    "fleet total per hour: households without supply, each weighted by the fraction of the hour it is out (the "      \
    "sum over hours is household_hours)",                                                                             \
    FLEET_SHAPE_RYX(TIME), FLEET_FROM_YEAR, households_out, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                  \
  X(HOUSEHOLD_HOURS, "outage", "household_hours", FLEET_TYPE_F64, "h", "household-hours without supply",              \
    "fleet total per year: the sum over the year of households_out", FLEET_SHAPE_RY, FLEET_FROM_YEAR,                 \
    outage_household_hours, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                                                  \
  X(OUTAGE_DEMAND, "outage", "demand_kwh", FLEET_TYPE_F64, "kWh", "dormant load during outages",                      \
    "fleet total per year: the houses' dormant load (kept up during an outage) over the hours without supply; "       \
    "= served_kwh + unserved_kwh",                                                                                    \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, outage_demand_kwh, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                      \
  X(OUTAGE_SERVED, "outage", "served_kwh", FLEET_TYPE_F64, "kWh", "dormant load served",                              \
    "fleet total per year: of demand_kwh, served by the garage battery and the car", FLEET_SHAPE_RY,                  \
    FLEET_FROM_YEAR, outage_served_kwh, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                                      \
  X(OUTAGE_UNSERVED, "outage", "unserved_kwh", FLEET_TYPE_F64, "kWh", "dormant load not served",                      \
    "fleet total per year: of demand_kwh, not served", FLEET_SHAPE_RY, FLEET_FROM_YEAR, outage_unserved_kwh,          \
    FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                                                                          \
  X(OUTAGE_COUNT, "outage", "count", FLEET_TYPE_F64, "1", "household outages",                                        \
    "fleet total per year: household outages (maximal intervals without supply) that ended in the year",              \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, outage_count, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)                            \
  X(DURATION_HISTOGRAM, "outage", "duration_histogram", FLEET_TYPE_F64, "1", "household outages by duration",         \
    "fleet total per year: outages that ended in the year, by duration in [lower, upper) h (duration_bin_bounds)",    \
    FLEET_SHAPE_RYX(DURATION_BIN), FLEET_FROM_YEAR, outage_duration_histogram, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT) \
  X(COVERED_HISTOGRAM, "outage", "covered_fraction_histogram", FLEET_TYPE_F64, "1",                                   \
    "household outages by share of load served",                                                                      \
    "fleet total per year: outages that ended in the year, by the share of their dormant load served (served / "      \
    "demand), in [lower, upper), the last bin including 1",                                                           \
    FLEET_SHAPE_RYX(COVERED_BIN), FLEET_FROM_YEAR, outage_covered_histogram, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)  \
  X(BAND_COUNT, "outage", "band_count", FLEET_TYPE_F64, "1", "household outages by duration band",                    \
    "fleet total per year: household outages that ended in the year, by duration in [lower, upper) h "               \
    "(outage_band_bounds: < 1 h, 1-4 h, 4-24 h, >= 24 h); the denominator of claim C2's shares",                       \
    FLEET_SHAPE_RYX(OUTAGE_BAND), FLEET_FROM_YEAR, outage_band_count, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)          \
  X(BAND_CAR_AT_START, "outage", "band_car_at_start", FLEET_TYPE_F64, "1",                                            \
    "outages beginning with a bidirectional car home and plugged",                                                    \
    "fleet total per year, by duration band: of band_count, the outages in whose first clock hour a bidirectional "  \
    "car was at home and plugged in (a car that can serve the house); C2 (a) = band_car_at_start / band_count",       \
    FLEET_SHAPE_RYX(OUTAGE_BAND), FLEET_FROM_YEAR, outage_band_car_at_start, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)   \
  X(BAND_DEMAND, "outage", "band_demand_kwh", FLEET_TYPE_F64, "kWh", "dormant load of the outages by duration band",  \
    "fleet total per year, by duration band: the dormant load over the whole length of the outages of band_count "   \
    "(hours of an earlier year included), so the bands do not sum to demand_kwh, which counts the year's hours",      \
    FLEET_SHAPE_RYX(OUTAGE_BAND), FLEET_FROM_YEAR, outage_band_demand_kwh, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)    \
  X(BAND_SERVED, "outage", "band_served_kwh", FLEET_TYPE_F64, "kWh", "dormant load served by duration band",          \
    "fleet total per year, by duration band: of band_demand_kwh, served by the garage battery and the car; C2 (b) = " \
    "band_served_kwh / band_demand_kwh",                                                                              \
    FLEET_SHAPE_RYX(OUTAGE_BAND), FLEET_FROM_YEAR, outage_band_served_kwh, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)    \
  X(BAND_FIRST_SERVED, "outage", "band_first_24h_fully_served", FLEET_TYPE_F64, "1",                                  \
    "outages whose first 24 h were fully served",                                                                     \
    "fleet total per year, by duration band: of band_count, the outages whose dormant load in their first 24 h "      \
    "(the whole outage when shorter) was fully served; C2 (c) = its >= 24 h element / band_count's",                  \
    FLEET_SHAPE_RYX(OUTAGE_BAND), FLEET_FROM_YEAR, outage_band_first_served, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)   \
  X(BAND_FULLY_SERVED, "outage", "band_fully_served", FLEET_TYPE_F64, "1", "outages fully served",                    \
    "fleet total per year, by duration band: of band_count, the outages whose dormant load was fully served over "    \
    "their whole length; C2 (d) = band_fully_served / band_count",                                                    \
    FLEET_SHAPE_RYX(OUTAGE_BAND), FLEET_FROM_YEAR, outage_band_fully_served, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)   \
  X(FUEL_PRICE, "budget", "fuel_price_eur_per_l", FLEET_TYPE_F64, "EUR/L", "motor fuel price",                        \
    "per year: the replica's pump prices of diesel and petrol", FLEET_SHAPE_RYX(FUEL), FLEET_FROM_YEAR,               \
    prices_eur[FLEET_PRICE_DIESEL], FLEET_MERGE_CONCAT, FLEET_DOMAIN_POSITIVE)                                        \
  X(ELECTRICITY_PRICE, "budget", "electricity_price_eur_per_kwh", FLEET_TYPE_F64, "EUR/kWh", "electricity price",     \
    "per year: the replica's residential grid tariff (home_tariff, base option), public fast-charging price, and "    \
    "the peak/off-peak option's off-peak (home_off_peak) and peak (home_peak) prices, which follow home_tariff's "    \
    "yearly changes",                                                                                                 \
    FLEET_SHAPE_RYX(TARIFF), FLEET_FROM_YEAR, prices_eur[FLEET_PRICE_TARIFF], FLEET_MERGE_CONCAT, FLEET_DOMAIN_POSITIVE) \
  X(HOUSEHOLD_COUNT, "budget", "household_count", FLEET_TYPE_F64, "1", "households paying their lease",               \
    "per year: households paying their lease that year, each with an account", FLEET_SHAPE_RY, FLEET_FROM_YEAR,       \
    household_count, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)                                                          \
  X(ACCOUNT_SUM, "budget", "household_account_sum_eur", FLEET_TYPE_F64, "EUR", "sum of the households' accounts",     \
    "per year: sum over the paying households of their account, the proposal's running-cost framing (C3, i) = "     \
    "combustion running cost avoided - charging cost - the car's lease payment (positive: better off than with the "  \
    "combustion car; the garage lease is in garage_account_sum_eur)",                                                 \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, household_account_sum_eur, FLEET_MERGE_CONCAT, FLEET_DOMAIN_FINITE)              \
  X(ACCOUNT_M2, "budget", "household_account_m2_eur2", FLEET_TYPE_F64, "EUR2",                                        \
    "sum of squared deviations of the accounts",                                                                      \
    "per year: sum over the paying households of (account - sum / count)^2; variance = m2 / count; rows combine "     \
    "by Chan et al.'s formula",                                                                                       \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, household_account_m2_eur2, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)              \
  X(WORSE_OFF, "budget", "household_worse_off", FLEET_TYPE_F64, "1", "households worse off",                          \
    "per year: paying households whose account is below 0", FLEET_SHAPE_RY, FLEET_FROM_YEAR, household_worse_off,     \
    FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)                                                                           \
  X(ACCOUNT_HISTOGRAM, "budget", "household_account_histogram", FLEET_TYPE_F64, "1", "households by account",         \
    "per year: paying households by their account in [lower, upper) EUR (account_bin_bounds); the first and last "    \
    "bins also hold the values beyond the range",                                                                     \
    FLEET_SHAPE_RYX(ACCOUNT_BIN), FLEET_FROM_YEAR, household_account_histogram, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT) \
  X(GARAGE_HOUSEHOLDS, "budget", "garage_household_count", FLEET_TYPE_F64, "1",                                      \
    "households paying a garage lease", "per year: paying households that lease a solar garage too",                 \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, garage_household_count, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)                  \
  X(GARAGE_ACCOUNT_SUM, "budget", "garage_account_sum_eur", FLEET_TYPE_F64, "EUR", "sum of the garage accounts",      \
    "per year: sum over the paying garage households of their garage account = PV surplus exported x "               \
    "prices.feed_in_eur_per_kwh - the garage lease (the PV put into the car lowers the household account's "          \
    "charging cost instead)",                                                                                         \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, garage_account_sum_eur, FLEET_MERGE_CONCAT, FLEET_DOMAIN_FINITE)                 \
  X(POSITION_COUNT, "budget", "position_count", FLEET_TYPE_F64, "1", "households completing the lease",               \
    "per year: households paying the lease's last year (state.lease_years - 1), whose full position is counted",     \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, position_count, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)                          \
  X(POSITION_SUM, "budget", "position_sum_eur", FLEET_TYPE_F64, "EUR", "sum of the full positions over the lease",     \
    "per year: sum over the households completing the lease of their full position = their yearly accounts "         \
    "discounted to year 0 at household.discount_rate + the car they own at the end (state.vehicle_price_eur "         \
    "depreciated over the lease, discounted) - the trade-in car handed over (state.trade_in_value_eur)",              \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, position_sum_eur, FLEET_MERGE_CONCAT, FLEET_DOMAIN_FINITE)                       \
  X(POSITION_M2, "budget", "position_m2_eur2", FLEET_TYPE_F64, "EUR2", "sum of squared deviations of the positions",    \
    "per year: sum over the households completing the lease of (position - sum / count)^2",                          \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, position_m2_eur2, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                       \
  X(POSITION_WORSE_OFF, "budget", "position_worse_off", FLEET_TYPE_F64, "1", "households worse off over the lease",   \
    "per year: households completing the lease whose full position is below 0", FLEET_SHAPE_RY, FLEET_FROM_YEAR,      \
    position_worse_off, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)                                                       \
  X(POSITION_HISTOGRAM, "budget", "position_histogram", FLEET_TYPE_F64, "1", "households by full position",            \
    "per year: households completing the lease by their full position in [lower, upper) EUR "                       \
    "(position_bin_bounds); the first and last bins also hold the values beyond the range",                           \
    FLEET_SHAPE_RYX(POSITION_BIN), FLEET_FROM_YEAR, position_histogram, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)        \
  X(LEDGER, "budget", "ledger_eur", FLEET_TYPE_F64, "EUR", "the State's cash flows",                                  \
    "per year, receipts positive: vehicles, garages, carports, chargers (- purchases, year 0; chargers: the "         \
    "bidirectional wallboxes), trade_ins (+ the replaced cars' scrap or resale value per state.trade_in_fate, year "  \
    "0), leases (+), recoveries (+ sale of cars taken back on default), batteries (- "            \
    "warranty replacements), administration (-), net (the sum of the other nine)",                                   \
    FLEET_SHAPE_RYX(ITEM), FLEET_FROM_YEAR, ledger_eur, FLEET_MERGE_CONCAT, FLEET_DOMAIN_FINITE)                      \
  X(NPV, "budget", "npv_eur", FLEET_TYPE_F64, "EUR", "net present value of the State's cash flows",                   \
    "per replica, derived: sum over its years y of ledger_eur net / (1 + discount_rate)^y (root attribute "           \
    "discount_rate); NaN unless all its years were written",                                                          \
    FLEET_SHAPE_R, FLEET_FROM_REPLICA, npv_eur, FLEET_MERGE_CONCAT, FLEET_DOMAIN_FINITE)                              \
  X(REPAID, "budget", "repaid", FLEET_TYPE_F64, "1", "bridge loan repaid by the end of the lease",                    \
    "per replica, derived: 1 if the cumulative ledger_eur net is >= 0 at the end of year min(lease_years, years) "    \
    "- 1 (root attribute lease_years), else 0; NaN unless all its years were written",                                \
    FLEET_SHAPE_R, FLEET_FROM_REPLICA, repaid, FLEET_MERGE_CONCAT, FLEET_DOMAIN_FINITE)                               \
  X(PATH_ACCOUNT_SUM, "price_paths", "household_account_sum_eur", FLEET_TYPE_F64, "EUR",                            \
    "sum of the household accounts on each price path",                                                               \
    "per year and price path: /budget/household_account_sum_eur with the same households' km and kWh of the "       \
    "replica's physical year priced at the path's prices (path 0: the replica's own, equal to it); over the paths, " \
    "the spread of C3 (i) given the replica's physical history (README \"Price paths per replica\"); "               \
    "/ /budget/household_count: the mean account",                                                                   \
    FLEET_SHAPE_RYX(PATH), FLEET_FROM_YEAR, path_account_sum_eur, FLEET_MERGE_CONCAT, FLEET_DOMAIN_FINITE)            \
  X(PATH_ACCOUNT_M2, "price_paths", "household_account_m2_eur2", FLEET_TYPE_F64, "EUR2",                             \
    "sum of squared deviations of the household accounts on each price path",                                         \
    "per year and price path: sum over the paying households of (account - the path's mean)^2",                      \
    FLEET_SHAPE_RYX(PATH), FLEET_FROM_YEAR, path_account_m2_eur2, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)            \
  X(PATH_WORSE_OFF, "price_paths", "household_worse_off", FLEET_TYPE_F64, "1",                                       \
    "households worse off on each price path",                                                                        \
    "per year and price path: paying households whose account at the path's prices is below 0 (/ "                  \
    "/budget/household_count: C3's share worse off on that path)",                                                   \
    FLEET_SHAPE_RYX(PATH), FLEET_FROM_YEAR, path_worse_off, FLEET_MERGE_CONCAT, FLEET_DOMAIN_COUNT)                   \
  X(PATH_PRICE_DIESEL, "price_paths", "diesel_eur_per_l", FLEET_TYPE_F64, "EUR/L", "diesel pump price on each price path",   \
    "per year and price path: the path's price (path 0: the replica's own, as in /budget)",                           \
    FLEET_SHAPE_RYX(PATH), FLEET_FROM_YEAR, path_prices_eur[FLEET_PRICE_DIESEL], FLEET_MERGE_CONCAT,                   \
    FLEET_DOMAIN_POSITIVE)                                                                                            \
  X(PATH_PRICE_PETROL, "price_paths", "petrol_eur_per_l", FLEET_TYPE_F64, "EUR/L", "petrol pump price on each price path",   \
    "per year and price path: the path's price (path 0: the replica's own, as in /budget)",                           \
    FLEET_SHAPE_RYX(PATH), FLEET_FROM_YEAR, path_prices_eur[FLEET_PRICE_PETROL], FLEET_MERGE_CONCAT,                   \
    FLEET_DOMAIN_POSITIVE)                                                                                            \
  X(PATH_PRICE_TARIFF, "price_paths", "tariff_eur_per_kwh", FLEET_TYPE_F64, "EUR/kWh", "residential tariff, base option on each price path",   \
    "per year and price path: the path's price (path 0: the replica's own, as in /budget)",                           \
    FLEET_SHAPE_RYX(PATH), FLEET_FROM_YEAR, path_prices_eur[FLEET_PRICE_TARIFF], FLEET_MERGE_CONCAT,                   \
    FLEET_DOMAIN_POSITIVE)                                                                                            \
  X(PATH_PRICE_PUBLIC, "price_paths", "public_eur_per_kwh", FLEET_TYPE_F64, "EUR/kWh", "public fast-charging price on each price path",   \
    "per year and price path: the path's price (path 0: the replica's own, as in /budget)",                           \
    FLEET_SHAPE_RYX(PATH), FLEET_FROM_YEAR, path_prices_eur[FLEET_PRICE_PUBLIC], FLEET_MERGE_CONCAT,                   \
    FLEET_DOMAIN_POSITIVE)                                                                                            \
  X(PATH_PRICE_OFF_PEAK, "price_paths", "off_peak_eur_per_kwh", FLEET_TYPE_F64, "EUR/kWh", "peak/off-peak tariff, off-peak hours on each price path",   \
    "per year and price path: the path's price (path 0: the replica's own, as in /budget)",                           \
    FLEET_SHAPE_RYX(PATH), FLEET_FROM_YEAR, path_prices_eur[FLEET_PRICE_OFF_PEAK], FLEET_MERGE_CONCAT,                   \
    FLEET_DOMAIN_POSITIVE)                                                                                            \
  X(PATH_PRICE_PEAK, "price_paths", "peak_eur_per_kwh", FLEET_TYPE_F64, "EUR/kWh", "peak/off-peak tariff, peak hours on each price path",   \
    "per year and price path: the path's price (path 0: the replica's own, as in /budget)",                           \
    FLEET_SHAPE_RYX(PATH), FLEET_FROM_YEAR, path_prices_eur[FLEET_PRICE_PEAK], FLEET_MERGE_CONCAT,                   \
    FLEET_DOMAIN_POSITIVE)                                                                                            \
  X(CO2_COMBUSTION, "co2", "combustion_avoided_t", FLEET_TYPE_F64, "t", "combustion CO2 avoided",                     \
    "per year: CO2 the replaced cars would have emitted for the km driven if state.trade_in_fate is scrapped; 0 if "  \
    "resold (they keep running elsewhere)",                                                                           \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, co2_combustion_avoided_t, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)               \
  X(CO2_GRID, "co2", "grid_t", FLEET_TYPE_F64, "t", "CO2 of the grid electricity charged",                            \
    "per year: each kWh drawn from the grid (at home, the garages' top-up, public charging; losses included) x "      \
    "the grid's intensity in the hour it was drawn (co2.grid_g_co2_per_kwh_monthly x the hour profiles)",             \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, co2_grid_t, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                             \
  X(CO2_BATTERY, "co2", "battery_manufacturing_t", FLEET_TYPE_F64, "t", "CO2 of making battery packs",                \
    "per year, life cycle: packs made x fleet.battery_kwh x co2.battery_manufacturing_kg_co2_per_kwh; every car's "  \
    "in year 0, the warranty replacements' each year",                                                                \
    FLEET_SHAPE_RY, FLEET_FROM_YEAR, co2_battery_t, FLEET_MERGE_CONCAT, FLEET_DOMAIN_NONNEG)                          \
  X(WALL_SECONDS, "runtime", "wall_seconds", FLEET_TYPE_F64, "s", "time spent simulating (wall clock)",                \
    "its replica-years', summed (over the ranks of an MPI run, the parts of a resumed or merged one)", FLEET_SHAPE_SCALAR, FLEET_FROM_RUN, wall_seconds,          \
    FLEET_MERGE_SUM, FLEET_DOMAIN_NONNEG)                                                                             \
  X(VEHICLE_HOURS, "runtime", "vehicle_hours", FLEET_TYPE_F64, "h", "vehicle-hours simulated",                        \
    "vehicles x replicas x years x 8760", FLEET_SHAPE_SCALAR, FLEET_FROM_RUN, vehicle_hours, FLEET_MERGE_SUM, FLEET_DOMAIN_NONNEG) \
  X(THREADS, "runtime", "threads", FLEET_TYPE_I64, "1", "OpenMP threads",                                             \
    "threads of the run (in a merged file, the most of its parts')", FLEET_SHAPE_SCALAR, FLEET_FROM_RUN, threads,     \
    FLEET_MERGE_MAX, FLEET_DOMAIN_COUNT)

typedef enum {
#define FLEET_DATASET_ENUM(id, ...) FLEET_DS_##id,
  FLEET_DATASETS(FLEET_DATASET_ENUM)
#undef FLEET_DATASET_ENUM
  FLEET_DS_COUNT
} fleet_dataset_t;

typedef struct {
  const char *group; /* under the root */
  const char *name;
  const char *path;  /* "/group/name" */
  fleet_type_t type;
  const char *units, *long_name, *description;
  int rank;                /* 0 to 3 */
  fleet_axis_t axes[3];
  fleet_source_t source;
  size_t offset;           /* of the first value in the source struct */
  fleet_merge_t merge;
  fleet_domain_t domain;
} fleet_dataset_spec_t;

/* 1 if value lies in the domain. */
int fleet_domain_holds(fleet_domain_t domain, double value);
extern const char *const fleet_domain_names[]; /* "a finite number", ... for messages */

extern const fleet_dataset_spec_t fleet_datasets[FLEET_DS_COUNT];

/* The groups, in order of first use by the table. */
enum { FLEET_GROUP_MAX = 16 };
int fleet_schema_groups(const char *groups[FLEET_GROUP_MAX]);

/* The run-dependent lengths of the axes. */
typedef struct {
  int64_t replicas, years;
  int regions;
  int64_t paths; /* price paths per replica */
} fleet_schema_dims_t;

/* The length of an axis in a file of those dims. */
int64_t fleet_axis_length(fleet_axis_t axis, const fleet_schema_dims_t *dims);

/* Values of one replica-year (FLEET_FROM_YEAR), one replica or the run after its leading replica
 * and year axes: the product of the lengths of the other axes. */
int64_t fleet_dataset_row_length(const fleet_dataset_spec_t *spec, const fleet_schema_dims_t *dims);

/* The first value of a dataset's row in its source struct. */
double *fleet_dataset_row(const fleet_dataset_spec_t *spec, fleet_year_totals_t *year,
                          fleet_replica_derived_t *replica, fleet_run_values_t *run);

/* The SHA-256 (64 lowercase hex digits) of a scalar dataset's value as its 8 little-endian bytes
 * of the on-disk type: the checksum of the datasets that HDF5's Fletcher32 cannot take. */
void fleet_scalar_sha256(fleet_type_t type, double value, char hex[65]);

/* Prints the schema as the README's markdown tables (axes, then datasets). */
void fleet_schema_print_markdown(FILE *out);

#endif
