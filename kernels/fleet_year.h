/* fleet_year.h: one replica-year of the whole fleet, block by block, in parallel.
 *
 * Blocks of FLEET_LANES vehicles run their 8,760 hours vehicle-major (a block's state stays in
 * registers), OpenMP shares the blocks among threads, and every block adds its hourly sums into
 * fixed-point integer accumulators (1e-6 of a kWh, kW or km). Integer addition is associative,
 * so the totals are bit-identical whatever the thread count or schedule (DESIGN.md, "Sums
 * across vehicles are reduced in a fixed order"); the quantum bounds the rounding at 5e-7 per
 * block-hour, below 0.05 kWh per hour for a million vehicles. */
#ifndef FLEET_FLEET_YEAR_H
#define FLEET_FLEET_YEAR_H

#include <stdint.h>

#include "error.h"
#include "lanes.h"
#include "params.h"
#include "budget.h"
#include "outages.h"
#include "population.h"
#include <signal.h>

#include "events_day.h"
#include "weather.h"
#include "year_totals.h"

/* Which kernel steps the days that allow events (events_day.h); the hourly step
 * (vehicle_step.h) is the reference and steps every other day. A run option, not a scenario key:
 * both give the same results to the bound events_day.h states. */
typedef enum { FLEET_KERNEL_HOURLY = 0, FLEET_KERNEL_EVENTS = 1 } fleet_kernel_t;

/* A 128-bit integer for exact sums of squares (a GNU C extension that gcc and clang have). */
__extension__ typedef __int128 fleet_i128_t;

/* Fixed-point units of the accumulators: values x 1e6. */
#define FLEET_ACCUM_SCALE 1e6

typedef struct {
  int64_t storage_battery[FLEET_HOURS_PER_YEAR]; /* 1e-6 kWh, at the battery */
  int64_t storage_power[FLEET_HOURS_PER_YEAR];  /* 1e-6 kW */
  int64_t plugged[FLEET_HOURS_PER_YEAR];        /* vehicles */
  int64_t garage_battery[FLEET_HOURS_PER_YEAR]; /* 1e-6 kWh, at the battery */
  int64_t garage_power[FLEET_HOURS_PER_YEAR];   /* 1e-6 kW */
  int64_t km;                                   /* 1e-6 km */
  int64_t trips;                                /* one-way trips */
  int64_t weekday_trips;                        /* of them, on Monday..Friday */
  int64_t away[FLEET_HOURS_PER_YEAR];           /* vehicles away from home */
  int64_t commuters;                            /* active vehicles of employed drivers */
  int64_t commute_km;                           /* 1e-6 km, their one-way commutes summed */
  int64_t charging[FLEET_SOURCE_COUNT];         /* 1e-6 kWh entering the cars */
  int64_t solar[FLEET_SOLAR_FLOW_COUNT];        /* 1e-6 kWh */
  int64_t households_out[FLEET_HOURS_PER_YEAR]; /* 1e-6 households */
  int64_t outage_household_hours;               /* 1e-6 h */
  int64_t outage_demand, outage_served;         /* 1e-6 kWh */
  int64_t outage_count;
  /* claim C2 per duration band: counts, and the band's dormant load and service in 1e-6 kWh */
  int64_t outage_band_count[FLEET_OUTAGE_BANDS], outage_band_car_at_start[FLEET_OUTAGE_BANDS];
  int64_t outage_band_demand[FLEET_OUTAGE_BANDS], outage_band_served[FLEET_OUTAGE_BANDS];
  int64_t outage_band_first_served[FLEET_OUTAGE_BANDS], outage_band_fully_served[FLEET_OUTAGE_BANDS];
  int64_t outage_duration_histogram[FLEET_OUTAGE_DURATION_BINS];
  int64_t outage_covered_histogram[FLEET_COVERED_FRACTION_BINS];
  /* budget: exact integer sums (accounts in cents, squares in cents^2), so they merge exactly */
  int64_t household_count, household_worse_off, household_account_cents;
  fleet_i128_t household_account_cents2;
  int64_t household_account_histogram[FLEET_ACCOUNT_BINS];
  int64_t garage_household_count, garage_account_cents;
  int64_t position_count, position_worse_off, position_cents;
  fleet_i128_t position_cents2;
  int64_t position_histogram[FLEET_POSITION_BINS];
  /* the household account on price paths 1..K-1 (path 0: household_account_* above), the same
   * exact sums per path */
  int64_t path_account_cents[FLEET_MAX_PRICE_PATHS], path_worse_off[FLEET_MAX_PRICE_PATHS];
  fleet_i128_t path_account_cents2[FLEET_MAX_PRICE_PATHS];
  fleet_ledger_counts_t ledger;
  int64_t co2_combustion_avoided_g, co2_grid_g;
  int64_t state_of_health; /* 1e-6: the active cars' state of health at the year's end, summed */
  int64_t home_grid, home_grid_off_peak;   /* 1e-6 kWh from the grid at home (chargers, garage
                                              top-ups), and of it in the off-peak window */
  int overflow; /* 1: a value or a sum left the range of the integers (fleet_year.c, to_fixed) */
} fleet_accum_t;

/* A block's outages in the year: each lane's intervals (a carried one first), and the load
 * demanded and served in each so far, in all and within its first FLEET_BACKUP_CLAIM_H hours. */
typedef struct {
  int count[FLEET_LANES];
  fleet_interval_t interval[FLEET_LANES][FLEET_MAX_OUTAGES + 1];
  double demand[FLEET_LANES][FLEET_MAX_OUTAGES + 1];
  double served[FLEET_LANES][FLEET_MAX_OUTAGES + 1];
  double first_demand[FLEET_LANES][FLEET_MAX_OUTAGES + 1];
  double first_served[FLEET_LANES][FLEET_MAX_OUTAGES + 1];
  /* 1: a bidirectional car was home and plugged in the clock hour the outage began */
  float car_at_start[FLEET_LANES][FLEET_MAX_OUTAGES + 1];
  unsigned char day_has[FLEET_DAYS_PER_YEAR]; /* 1: some lane is cut during the day */
} fleet_block_outages_t;

/* A thread's working memory: its accumulators and scratch for one block at a time. */
typedef struct {
  fleet_accum_t acc;
  fleet_block_outages_t outages;
  fleet_day_slots_t slots; /* the events kernel's, zero between days */
  int64_t event_days, hourly_days; /* block-days stepped by each kernel (diagnostics) */
  int64_t event_refusals;          /* of the hourly ones, block-days the events kernel refused */
} fleet_workspace_t;

/* What each vehicle carries from one year to the next, one float per slot each (structure of
 * arrays); listed once, expanded into the struct, its allocation and its release. An outage
 * still going on at the end of a year has its hours relative to the new year's start (start < 0
 * < end; end = 0: none), the load demanded and served so far (in all and in its first
 * FLEET_BACKUP_CLAIM_H hours), and whether a car could serve when it began: C2's measures are
 * recorded when the outage ends, so they must not lose last year's part. */
#define FLEET_STATE_FIELDS(X)                                                                     \
  X(soc_kwh)          /* state of charge */                                                       \
  X(plugged)          /* 1: plugged in at home */                                                 \
  X(away_prev)        /* 1: away in the previous hour */                                          \
  X(trip_nights_left) /* nights of a long trip still to come */                                   \
  X(trip_back_km)     /* the drive home of a long trip */                                         \
  X(garage_kwh)       /* the garage battery's charge */                                           \
  X(garage_pv_kwh)    /* of it, from its PV (the rest from the grid) */                           \
  X(position_eur)     /* the household's discounted accounts so far over the lease (C3, ii) */   \
  X(carry_start_h)                                                                                \
  X(carry_end_h)                                                                                  \
  X(carry_demand_kwh)                                                                             \
  X(carry_served_kwh)                                                                             \
  X(carry_first_demand_kwh)                                                                       \
  X(carry_first_served_kwh)                                                                       \
  X(carry_car_at_start)                                                                           \
  X(lease_active)     /* 1: the household's lease runs (0 after a default) */                     \
  X(soh)              /* battery state of health: capacity / nominal, for the year to come */

typedef struct {
  int64_t slots;
#define FLEET_STATE_DECLARE(name) float *name;
  FLEET_STATE_FIELDS(FLEET_STATE_DECLARE)
#undef FLEET_STATE_DECLARE
} fleet_state_t;

/* Per-lane totals of one block-year, for tests and diagnostics. */
typedef struct {
  double km[FLEET_LANES];
  double drive_kwh[FLEET_LANES];       /* taken from the battery by driving */
  double home_in_kwh[FLEET_LANES];     /* put into the battery by the home charger */
  double public_in_kwh[FLEET_LANES];   /* put into the battery by public chargers */
  double home_grid_kwh[FLEET_LANES];   /* drawn from the grid at home (before losses) */
  double home_grid_off_peak_kwh[FLEET_LANES]; /* of it, in the off-peak window's hours */
  double public_grid_kwh[FLEET_LANES]; /* drawn from the grid in public (before losses) */
  double soc_start_kwh[FLEET_LANES];
  double soc_end_kwh[FLEET_LANES];
  double garage_to_car_kwh[FLEET_LANES]; /* put into the car by the garage battery */
  double garage_pv_to_car_kwh[FLEET_LANES]; /* of it, from the garage's PV */
  double garage_exported_kwh[FLEET_LANES];  /* the garage's PV surplus exported */
  double carport_in_kwh[FLEET_LANES];    /* put into the car by a workplace carport */
  double garage_stored_kwh[FLEET_LANES]; /* put into the garage battery by its PV */
  double garage_topup_kwh[FLEET_LANES];  /* put into the garage battery by the grid */
  double garage_start_kwh[FLEET_LANES];
  double garage_end_kwh[FLEET_LANES];
  double backup_from_car_kwh[FLEET_LANES];    /* taken from the car's battery for the house */
  double backup_from_garage_kwh[FLEET_LANES]; /* taken from the garage battery for the house */
  double outage_demand_kwh[FLEET_LANES];
  double outage_served_kwh[FLEET_LANES];
  double co2_grid_g[FLEET_LANES];  /* the grid's CO2 of what it drew (home, public, garage top-up),
                                      each kWh at its hour's intensity */
  double account_eur[FLEET_LANES];            /* the household account (paying households) */
  fleet_account_terms_t account_terms[FLEET_LANES]; /* it as a function of the prices (budget.h) */
  double garage_account_eur[FLEET_LANES];     /* the garage account (paying garage households) */
  double position_eur[FLEET_LANES];           /* the full position, in the lease's last year */
  double soh_end[FLEET_LANES];                /* state of health after the year's fade */
  int paying[FLEET_LANES];
} fleet_lane_year_t;

/* Everything a year's blocks share. */
typedef struct {
  const fleet_params_t *params;
  const fleet_population_t *pop;
  fleet_plan_rates_t rates;
  int64_t replica, year;
  uint64_t stream_prefix, next_year_stream_prefix;
  float workday[FLEET_DAYS_PER_YEAR + 1]; /* [365] is next year's first day */
  float weekend_day[FLEET_DAYS_PER_YEAR + 1];
  fleet_weather_t weather;                                  /* this replica-year's */
  fleet_storm_year_t storms;                                /* this replica-year's */
  float backup_load_kwh[FLEET_HOURS_PER_DAY];               /* dormant load per clock hour */
  double prices_eur[FLEET_PRICE_COUNT];                     /* this replica-year's */
  int64_t price_paths;                                      /* budget.price_paths_per_replica */
  double path_prices_eur[FLEET_MAX_PRICE_PATHS][FLEET_PRICE_COUNT]; /* this year's on each path;
                                                               [0] = prices_eur */
  float hour_factor[FLEET_MAX_REGIONS][FLEET_HOURS_PER_YEAR]; /* consumption x temperature */
  float day_factor[FLEET_MAX_REGIONS][FLEET_DAYS_PER_YEAR];   /* the day's mean of it */
  float topup_window[FLEET_HOURS_PER_DAY];
  float off_peak_window[FLEET_HOURS_PER_DAY]; /* 1 in charging.off_peak_start_hour..end_hour */
  float grid_g_co2_per_kwh[FLEET_HOURS_PER_YEAR];             /* the grid's intensity, hour by hour */
  fleet_solar_consts_t solar;
  float discharge_efficiency;
  float plug_every_arrival;
  fleet_kernel_t kernel;                 /* FLEET_KERNEL_HOURLY from fleet_year_ctx_init */
  fleet_day_phases_t whole_day;          /* one phase: blocks without off-peak lanes */
  fleet_day_phases_t off_peak_phases;    /* the day cut at the off-peak window's ends */
  /* Tests only (NULL from fleet_year_ctx_init): when set, every active household's outages of
   * the year are these outage_override_count sorted, disjoint intervals instead of the drawn ones
   * (a carried one still comes first). */
  const fleet_interval_t *outage_override;
  int outage_override_count;
} fleet_year_ctx_t;

/* Battery ageing (the scenario's [ageing]): the state of health after a year that began at soh,
 * in which throughput_kwh left the battery (driving, home backup), of a car whose nominal
 * capacity is nominal_kwh and that has a bidirectional wallbox (bidirectional 1) or not (0):
 *   soh - calendar_fade_per_year - cycle_fade_per_efc x (throughput_kwh / nominal_kwh
 *                                                         + bidirectional x v2g_cycles_per_year),
 * at least 0. Linear in time and in cycles: the field figures it is set from are yearly averages
 * over the first years of a pack's life (configs/baseline.yaml). */
double fleet_soh_next(const fleet_params_t *params, double soh, double throughput_kwh, double nominal_kwh,
                      double bidirectional);

fleet_status_t fleet_state_create(int64_t slots, fleet_state_t *state, fleet_error_t *err);
/* The state at the start of a replica: charged to initial_soc_fraction, at home, unplugged
 * until the first hour decides (as on an arrival). */
void fleet_state_reset(const fleet_params_t *params, const fleet_population_t *pop, fleet_state_t *state);
void fleet_state_free(fleet_state_t *state);

/* Fills ctx for a replica-year, drawing its weather (ctx is large: allocate it). */
void fleet_year_ctx_init(const fleet_params_t *params, const fleet_population_t *pop, int64_t replica,
                         int64_t year, fleet_year_ctx_t *ctx);

/* Runs one block through the year, adding into ws->acc; lanes (may be NULL) receives per-lane
 * totals. */
void fleet_block_year(const fleet_year_ctx_t *ctx, int64_t block, fleet_state_t *state, fleet_workspace_t *ws,
                      fleet_lane_year_t *lanes);

/* Runs every block of the fleet through one year with the current OpenMP thread count and
 * converts the accumulators into totals. */
fleet_status_t fleet_simulate_year(const fleet_params_t *params, const fleet_population_t *pop,
                                   fleet_state_t *state, int64_t replica, int64_t year,
                                   fleet_year_totals_t *totals, fleet_error_t *err);

/* fleet_simulate_year with the given kernel, that returns FLEET_ERR_INTERRUPTED, its totals and the state then unusable,
 * soon after *stop is set (by a signal handler; NULL: never). */
fleet_status_t fleet_simulate_year_stoppable(const fleet_params_t *params, const fleet_population_t *pop,
                                             fleet_state_t *state, int64_t replica, int64_t year,
                                             fleet_kernel_t kernel, const volatile sig_atomic_t *stop,
                                             fleet_year_totals_t *totals, fleet_error_t *err);

#endif
