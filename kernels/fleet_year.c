#include "fleet_year.h"
#include "hour_sums.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mobility.h"
#include "rng.h"
#include "temperature.h"
#include "events_day.h"
#include "vehicle_step.h"

fleet_status_t fleet_state_create(int64_t slots, fleet_state_t *state, fleet_error_t *err) {
  memset(state, 0, sizeof *state);
  state->slots = slots;
  size_t n = slots > 0 ? (size_t)slots : 1;
  int ok = 1;
#define FLEET_STATE_ALLOCATE(name) ok = ok && (state->name = calloc(n, sizeof(float)));
  FLEET_STATE_FIELDS(FLEET_STATE_ALLOCATE)
#undef FLEET_STATE_ALLOCATE
  if (!ok) {
    fleet_state_free(state);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate the state of %lld vehicle slots", (long long)slots);
  }
  return FLEET_OK;
}

void fleet_state_reset(const fleet_params_t *params, const fleet_population_t *pop, fleet_state_t *state) {
  for (int64_t i = 0; i < state->slots; i++) {
    state->soc_kwh[i] = (float)params->initial_soc_fraction * pop->capacity_kwh[i];
    state->plugged[i] = 0.0f;
    state->away_prev[i] = 1.0f; /* so the first hour at home is an arrival and decides the plug */
    state->trip_nights_left[i] = 0.0f;
    state->trip_back_km[i] = 0.0f;
    state->garage_kwh[i] = pop->garage[i] * (float)(params->garage_initial_soc_fraction *
                                                    params->garage_battery_to_car_ratio) * pop->capacity_kwh[i];
    state->garage_pv_kwh[i] = 0.0f; /* the garage battery's first charge counts as grid energy */
    state->position_eur[i] = 0.0f;
    state->carry_start_h[i] = state->carry_end_h[i] = 0.0f;
    state->carry_demand_kwh[i] = state->carry_served_kwh[i] = 0.0f;
    state->carry_first_demand_kwh[i] = state->carry_first_served_kwh[i] = state->carry_car_at_start[i] = 0.0f;
    state->lease_active[i] = pop->active[i];
    state->soh[i] = 1.0f; /* the cars are new in year 0 */
  }
}

double fleet_soh_next(const fleet_params_t *params, double soh, double throughput_kwh, double nominal_kwh,
                      double bidirectional) {
  const double cycles = throughput_kwh / nominal_kwh + bidirectional * params->ageing_v2g_cycles_per_year;
  const double next = soh - params->ageing_calendar_fade_per_year - params->ageing_cycle_fade_per_efc * cycles;
  return next > 0.0 ? next : 0.0;
}

void fleet_state_free(fleet_state_t *state) {
#define FLEET_STATE_RELEASE(name) free(state->name);
  FLEET_STATE_FIELDS(FLEET_STATE_RELEASE)
#undef FLEET_STATE_RELEASE
  memset(state, 0, sizeof *state);
}

/* Is clock hour h inside the window [start, end), which may wrap past midnight? */
static int in_window(int64_t h, int64_t start, int64_t end) {
  if (start == end) return 0;
  return start < end ? (h >= start && h < end) : (h >= start || h < end);
}

void fleet_year_ctx_init(const fleet_params_t *params, const fleet_population_t *pop, int64_t replica,
                         int64_t year, fleet_year_ctx_t *ctx) {
  ctx->params = params;
  ctx->pop = pop;
  ctx->replica = replica;
  ctx->year = year;
  fleet_plan_rates_init(params, &ctx->rates);
  ctx->stream_prefix = fleet_stream_prefix(params->seed, (uint64_t)replica, (uint64_t)year, FLEET_ENTITY_VEHICLE);
  ctx->next_year_stream_prefix =
      fleet_stream_prefix(params->seed, (uint64_t)replica, (uint64_t)year + 1u, FLEET_ENTITY_VEHICLE);
  for (int d = 0; d <= FLEET_DAYS_PER_YEAR; d++) {
    int weekday = d < FLEET_DAYS_PER_YEAR ? fleet_weekday(params, year, d) : fleet_weekday(params, year + 1, 0);
    ctx->workday[d] = weekday < params->workdays_per_week ? 1.0f : 0.0f;
    ctx->weekend_day[d] = weekday >= 5 ? 1.0f : 0.0f; /* Saturday and Sunday */
  }
  fleet_weather_generate(params, replica, year, &ctx->weather);
  fleet_storms_generate(params, replica, year, &ctx->storms);
  /* each path whole, redrawn each year: a few microseconds a path */
  ctx->price_paths = params->price_paths_per_replica < 1                       ? 1
                     : params->price_paths_per_replica > FLEET_MAX_PRICE_PATHS ? FLEET_MAX_PRICE_PATHS
                                                                               : params->price_paths_per_replica;
  /* the paths past K hold 0 (year_totals.h); ctx comes from malloc */
  memset(ctx->path_prices_eur, 0, sizeof ctx->path_prices_eur);
  for (int64_t j = 0; j < ctx->price_paths; j++) {
    fleet_price_path_t path;
    fleet_prices_generate_path(params, replica, j, &path);
    for (int k = 0; k < FLEET_PRICE_COUNT; k++) ctx->path_prices_eur[j][k] = path.eur[year][k];
  }
  for (int k = 0; k < FLEET_PRICE_COUNT; k++) ctx->prices_eur[k] = ctx->path_prices_eur[0][k];
  double profile_sum = 0.0;
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) profile_sum += params->backup_load_profile[h];
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++)
    ctx->backup_load_kwh[h] = (float)(params->backup_dormant_load_kwh_per_day * params->backup_load_profile[h] / profile_sum);
  for (int r = 0; r < params->region_count; r++) {
    for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
      double day_sum = 0.0;
      for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
        int i = d * FLEET_HOURS_PER_DAY + h;
        double f = fleet_consumption_factor(params, ctx->weather.temperature_c[r][i]);
        ctx->hour_factor[r][i] = (float)f;
        day_sum += f;
      }
      ctx->day_factor[r][d] = (float)(day_sum / FLEET_HOURS_PER_DAY);
    }
  }
  double grid_g_co2[FLEET_MONTHS][FLEET_HOURS_PER_DAY];
  fleet_grid_co2_profile(params, grid_g_co2);
  for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++)
    for (int h = 0; h < FLEET_HOURS_PER_DAY; h++)
      ctx->grid_g_co2_per_kwh[d * FLEET_HOURS_PER_DAY + h] = (float)grid_g_co2[fleet_month_of_day(d)][h];
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++)
    ctx->topup_window[h] =
        in_window(h, params->garage_grid_topup_start_hour, params->garage_grid_topup_end_hour) ? 1.0f : 0.0f;
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++)
    ctx->off_peak_window[h] =
        in_window(h, params->off_peak_start_hour, params->off_peak_end_hour) ? 1.0f : 0.0f;
  int dc = params->garage_chain == FLEET_GARAGE_CHAIN_DC;
  ctx->solar.pv_to_battery_efficiency =
      (float)(dc ? params->garage_dc_pv_to_battery_efficiency : params->garage_ac_pv_to_battery_efficiency);
  ctx->solar.battery_to_car_efficiency =
      (float)(dc ? params->garage_dc_battery_to_car_efficiency : params->garage_ac_battery_to_car_efficiency);
  ctx->solar.grid_to_battery_efficiency = (float)params->garage_grid_to_battery_efficiency;
  ctx->solar.battery_to_grid_efficiency = (float)params->garage_battery_to_grid_efficiency;
  ctx->solar.garage_to_car_kwh = (float)params->garage_charge_power_kw;
  ctx->solar.garage_to_home_kwh = (float)params->garage_inverter_power_kw;
  ctx->solar.topup_kwh = (float)(params->garage_grid_topup_power_kw * params->garage_grid_to_battery_efficiency);
  ctx->solar.export_surplus = params->garage_export_surplus ? 1.0f : 0.0f;
  ctx->solar.carport_efficiency = (float)params->carport_pv_to_car_efficiency;
  ctx->solar.carport_to_car_kwh = (float)params->carport_charge_power_kw;
  ctx->discharge_efficiency = (float)params->discharge_efficiency;
  ctx->plug_every_arrival = params->plug_policy == FLEET_PLUG_EVERY_ARRIVAL ? 1.0f : 0.0f;
  ctx->outage_override = NULL;
  ctx->outage_override_count = 0;
  ctx->kernel = FLEET_KERNEL_HOURLY;
  ctx->whole_day = (fleet_day_phases_t){.count = 1, .start = {0}, .end = {FLEET_HOURS_PER_DAY}, .off_peak_window = {0.0f}};
  /* the window is one interval of the clock, so it cuts a day into at most three runs */
  fleet_day_phases_t *cut = &ctx->off_peak_phases;
  cut->count = 0;
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++)
    if (h == 0 || ctx->off_peak_window[h] != ctx->off_peak_window[h - 1]) {
      if (cut->count > 0) cut->end[cut->count - 1] = h;
      cut->start[cut->count] = h;
      cut->off_peak_window[cut->count] = ctx->off_peak_window[h];
      cut->count++;
    }
  cut->end[cut->count - 1] = FLEET_HOURS_PER_DAY;
}

/* The accumulators cannot overflow silently: a value outside +-2^62 in fixed point (4.6e12 kWh,
 * km, households or hours in one block's hour or year) is not converted, and every sum is a
 * checked addition; either sets *overflow, and fleet_simulate_year then refuses the year. With
 * the scenario ranges of engine/scenario.c neither happens for the hourly sums (at most 1e8 cars
 * x 200 kWh x 3 = 6e16 in 1e-6 kWh per hour); yearly sums of extreme scenarios can. */
static inline int64_t to_fixed(double value, int *overflow) {
  const double scaled = value * FLEET_ACCUM_SCALE + 0.5;
  if (!(fabs(scaled) < 0x1p62)) {
    *overflow = 1;
    return 0;
  }
  return (int64_t)scaled;
}

static inline void add_checked(int64_t *sum, int64_t value, int *overflow) {
  *overflow |= __builtin_add_overflow(*sum, value, sum);
}

/* acc->field += value in fixed point, checked. */
#define ADD_FIXED(acc, field, value) add_checked(&(acc)->field, to_fixed((value), &(acc)->overflow), &(acc)->overflow)

/* Whole cents (grams) of a value in EUR (kg) x scale, checked as to_fixed. */
static inline int64_t to_whole(double value, int *overflow) {
  if (!(fabs(value) < 0x1p62)) {
    *overflow = 1;
    return 0;
  }
  return (int64_t)llround(value);
}

/* One household's value (EUR) into a distribution kept as exact sums: count, count below 0, sum
 * and sum of squares in cents, and its histogram bin. */
static void add_to_distribution(double value_eur, int64_t *count, int64_t *below_zero, int64_t *cents_sum,
                                fleet_i128_t *cents2_sum, int64_t *bin, int *overflow) {
  const int64_t cents = to_whole(value_eur * 100.0, overflow);
  (*count)++;
  *below_zero += value_eur < 0.0;
  add_checked(cents_sum, cents, overflow);
  *overflow |= __builtin_add_overflow(*cents2_sum, (fleet_i128_t)cents * cents, cents2_sum);
  (*bin)++;
}

/* The block's paying households' accounts on price paths 1..K-1: each household's quantities of
 * this physical year (its terms) at each path's prices, into the same exact sums as path 0's
 * (add_to_distribution). Path by path, so each path's sums are touched once per block. */
static void add_price_paths(const fleet_year_ctx_t *ctx, const fleet_account_terms_t *terms, int households,
                            fleet_accum_t *acc) {
  if (households == 0) return;
  for (int64_t j = 1; j < ctx->price_paths; j++) {
    int64_t cents_sum = 0, below_zero = 0;
    fleet_i128_t cents2_sum = 0;
    for (int h = 0; h < households; h++) {
      const double account = fleet_account_at(&terms[h], ctx->path_prices_eur[j]);
      const int64_t cents = to_whole(account * 100.0, &acc->overflow);
      below_zero += account < 0.0;
      add_checked(&cents_sum, cents, &acc->overflow);
      acc->overflow |= __builtin_add_overflow(cents2_sum, (fleet_i128_t)cents * cents, &cents2_sum);
    }
    add_checked(&acc->path_account_cents[j], cents_sum, &acc->overflow);
    acc->path_worse_off[j] += below_zero;
    acc->overflow |= __builtin_add_overflow(acc->path_account_cents2[j], cents2_sum, &acc->path_account_cents2[j]);
  }
}

/* The lanes give their energy at the battery; what reaches the grid is that x the (scenario-wide)
 * discharge efficiency, applied to the fleet's exact sum in fleet_simulate_year. Each hour's
 * lane sum is a fixed pairwise tree (hour_sums.h), all hours at once. */
/* The day's plugged and away (0 or 1 per lane-hour, from either kernel): exact counts. */
static void add_day_counts(const fleet_day_sums_t *sums, int first, fleet_accum_t *acc) {
  float hour_sum[FLEET_HOURS_PER_DAY];
  fleet_hour_sums(sums->plugged, hour_sum);
  fleet_add_counts_hours(&acc->plugged[first], hour_sum);
  fleet_hour_sums(sums->away, hour_sum);
  fleet_add_counts_hours(&acc->away[first], hour_sum);
}

static void add_day(const fleet_day_sums_t *sums, int day, int solar, fleet_accum_t *acc) {
  const int first = day * FLEET_HOURS_PER_DAY;
  float hour_sum[FLEET_HOURS_PER_DAY];
  fleet_hour_sums(sums->energy_kwh, hour_sum);
  fleet_add_fixed_hours(&acc->storage_battery[first], hour_sum, &acc->overflow);
  fleet_hour_sums(sums->power_kw, hour_sum);
  fleet_add_fixed_hours(&acc->storage_power[first], hour_sum, &acc->overflow);
  add_day_counts(sums, first, acc);
  if (solar) {
    fleet_hour_sums(sums->garage_give_kwh, hour_sum);
    fleet_add_fixed_hours(&acc->garage_battery[first], hour_sum, &acc->overflow);
    fleet_hour_sums(sums->garage_power_kw, hour_sum);
    fleet_add_fixed_hours(&acc->garage_power[first], hour_sum, &acc->overflow);
  }
}

/* The events kernel's day (events_day.h): each hour's slots summed over their copies along a fixed
 * tree (the hours independent of each other), then over the hours, which is the day's prefix sum,
 * each hour's value in fixed point as add_day does; the hours' slots are left at zero. Plugged
 * and away come hour by hour in *sums, added as add_day adds them. */
static void add_events_day(fleet_day_slots_t *slots, const fleet_day_sums_t *sums, int day, fleet_accum_t *acc) {
  const int first = day * FLEET_HOURS_PER_DAY;
  double run[FLEET_SLOT_COUNT] = {0};
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
    double hour[FLEET_SLOT_COPIES][FLEET_SLOT_COUNT];
    memcpy(hour, slots->change[h], sizeof hour);
    memset(slots->change[h], 0, sizeof hour); /* zero for the next day (the unread rows may hold anything) */
    for (int width = FLEET_SLOT_COPIES / 2; width > 0; width /= 2)
      for (int c = 0; c < width; c++)
        for (int k = 0; k < FLEET_SLOT_COUNT; k++) hour[c][k] += hour[c + width][k];
    for (int k = 0; k < FLEET_SLOT_COUNT; k++) run[k] += hour[0][k];
    ADD_FIXED(acc, storage_battery[first + h], run[FLEET_SLOT_ENERGY_OFFSET] + h * run[FLEET_SLOT_ENERGY_SLOPE]);
    ADD_FIXED(acc, storage_power[first + h], run[FLEET_SLOT_POWER_OFFSET] + h * run[FLEET_SLOT_POWER_SLOPE]);
  }
  add_day_counts(sums, first, acc);
}

static void block_outages_init(const fleet_year_ctx_t *ctx, int64_t base, int region, const fleet_state_t *state,
                               fleet_block_outages_t *bo) {
  memset(bo->day_has, 0, sizeof bo->day_has);
  for (int l = 0; l < FLEET_LANES; l++) {
    int64_t i = base + l;
    int n = 0;
    if (state->carry_end_h[i] > 0.0f) { /* an outage that began last year */
      bo->interval[l][0].start_hour = state->carry_start_h[i];
      bo->interval[l][0].end_hour = state->carry_end_h[i];
      bo->demand[l][0] = state->carry_demand_kwh[i];
      bo->served[l][0] = state->carry_served_kwh[i];
      bo->first_demand[l][0] = state->carry_first_demand_kwh[i];
      bo->first_served[l][0] = state->carry_first_served_kwh[i];
      bo->car_at_start[l][0] = state->carry_car_at_start[i];
      n = 1;
    }
    if (ctx->pop->active[i] > 0.0f) {
      fleet_interval_t drawn[FLEET_MAX_OUTAGES];
      int m = 0;
      if (ctx->outage_override)
        for (; m < ctx->outage_override_count && m < FLEET_MAX_OUTAGES; m++) drawn[m] = ctx->outage_override[m];
      else
        m = fleet_household_outages(ctx->params, &ctx->storms, ctx->stream_prefix, ctx->pop->vehicle_id[i], region,
                                    drawn);
      for (int k = 0; k < m; k++) {
        if (n > 0 && drawn[k].start_hour <= bo->interval[l][n - 1].end_hour) { /* overlaps the carried one */
          if (drawn[k].end_hour > bo->interval[l][n - 1].end_hour) bo->interval[l][n - 1].end_hour = drawn[k].end_hour;
          continue;
        }
        bo->interval[l][n] = drawn[k];
        bo->demand[l][n] = bo->served[l][n] = bo->first_demand[l][n] = bo->first_served[l][n] = 0.0;
        bo->car_at_start[l][n] = 0.0f; /* set on the day it begins (outage_day_done) */
        n++;
      }
    }
    bo->count[l] = n;
    for (int k = 0; k < n; k++) {
      double first = bo->interval[l][k].start_hour > 0.0 ? bo->interval[l][k].start_hour : 0.0;
      double last = bo->interval[l][k].end_hour < FLEET_HOURS_PER_YEAR ? bo->interval[l][k].end_hour : FLEET_HOURS_PER_YEAR;
      for (int d = (int)(first / FLEET_HOURS_PER_DAY); d < FLEET_DAYS_PER_YEAR && d * FLEET_HOURS_PER_DAY < last; d++)
        bo->day_has[d] = 1;
    }
  }
}

/* Overlap, in hours, of [a, b) with clock hour [t, t + 1). */
static inline double hour_overlap(double a, double b, double t) {
  double lo = a > t ? a : t, hi = b < t + 1.0 ? b : t + 1.0;
  return hi > lo ? hi - lo : 0.0;
}

static void outage_fractions(const fleet_block_outages_t *bo, int day, fleet_day_inputs_t *in) {
  const double t0 = (double)day * FLEET_HOURS_PER_DAY;
  memset(in->outage_fraction, 0, sizeof in->outage_fraction);
  for (int l = 0; l < FLEET_LANES; l++)
    for (int k = 0; k < bo->count[l]; k++) {
      const fleet_interval_t *iv = &bo->interval[l][k];
      if (iv->end_hour <= t0 || iv->start_hour >= t0 + FLEET_HOURS_PER_DAY) continue;
      for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
        float f = in->outage_fraction[h][l] + (float)hour_overlap(iv->start_hour, iv->end_hour, t0 + h);
        in->outage_fraction[h][l] = f < 1.0f ? f : 1.0f;
      }
    }
}

/* Served never exceeds demand; "fully" allows the float rounding of the hourly sums. */
static inline int fully_served(double demand, double served) { return demand - served <= 1e-6 * (1.0 + demand); }

/* An outage that ended: its whole length's histograms, and claim C2's counts and sums in its band. */
static void record_outage(const fleet_block_outages_t *bo, int l, int k, fleet_accum_t *acc) {
  const double duration_h = bo->interval[l][k].end_hour - bo->interval[l][k].start_hour;
  const double demand = bo->demand[l][k], served = bo->served[l][k];
  int bin = 0;
  while (bin < FLEET_OUTAGE_DURATION_BINS - 1 && duration_h >= fleet_outage_duration_edges_h[bin + 1]) bin++;
  acc->outage_duration_histogram[bin]++;
  double covered = demand > 0.0 ? served / demand : 1.0;
  int cbin = (int)(covered * FLEET_COVERED_FRACTION_BINS);
  acc->outage_covered_histogram[cbin < FLEET_COVERED_FRACTION_BINS ? cbin : FLEET_COVERED_FRACTION_BINS - 1]++;
  acc->outage_count++;
  const int band = fleet_outage_band(duration_h);
  acc->outage_band_count[band]++;
  acc->outage_band_car_at_start[band] += bo->car_at_start[l][k] > 0.5f;
  ADD_FIXED(acc, outage_band_demand[band], demand);
  ADD_FIXED(acc, outage_band_served[band], served);
  /* an outage shorter than the window is its own first FLEET_BACKUP_CLAIM_H hours */
  acc->outage_band_first_served[band] += fully_served(bo->first_demand[l][k], bo->first_served[l][k]);
  acc->outage_band_fully_served[band] += fully_served(demand, served);
}

/* After an outage day: notes whether a car could serve in the hour each outage began (the step's
 * plugged is home x plug; times storage_lane, a bidirectional car), shares each hour's load and
 * service among the lane's intervals by their overlap, and within each interval between its
 * first FLEET_BACKUP_CLAIM_H hours and the rest the same way; adds the hourly households out, and
 * records the outages that ended today. */
static void outage_day_done(fleet_block_outages_t *bo, int day, const fleet_day_inputs_t *in, const fleet_day_sums_t *sums,
                            const float storage_lane[FLEET_LANES], fleet_accum_t *acc, double lane_demand[FLEET_LANES],
                            double lane_served[FLEET_LANES]) {
  const double t0 = (double)day * FLEET_HOURS_PER_DAY;
  float out[FLEET_HOURS_PER_DAY], demand[FLEET_HOURS_PER_DAY], served[FLEET_HOURS_PER_DAY];
  fleet_hour_sums(in->outage_fraction, out);
  fleet_hour_sums(sums->backup_demand_kwh, demand);
  fleet_hour_sums(sums->backup_served_kwh, served);
  fleet_add_fixed_hours(&acc->households_out[day * FLEET_HOURS_PER_DAY], out, &acc->overflow);
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
    ADD_FIXED(acc, outage_household_hours, out[h]);
    ADD_FIXED(acc, outage_demand, demand[h]);
    ADD_FIXED(acc, outage_served, served[h]);
  }
  for (int l = 0; l < FLEET_LANES; l++) {
    int cut_today = 0; /* else its fractions are all 0, and no outage starts or ends today */
    for (int k = 0; k < bo->count[l]; k++)
      cut_today |= bo->interval[l][k].end_hour > t0 && bo->interval[l][k].start_hour < t0 + FLEET_HOURS_PER_DAY;
    if (!cut_today) continue;
    for (int k = 0; k < bo->count[l]; k++) {
      const double start = bo->interval[l][k].start_hour;
      if (start >= t0 && start < t0 + FLEET_HOURS_PER_DAY)
        bo->car_at_start[l][k] = sums->plugged[(int)(start - t0)][l] * storage_lane[l];
    }
    for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
      double frac = in->outage_fraction[h][l];
      if (frac <= 0.0) continue;
      double total = 0.0;
      for (int k = 0; k < bo->count[l]; k++) total += hour_overlap(bo->interval[l][k].start_hour, bo->interval[l][k].end_hour, t0 + h);
      for (int k = 0; k < bo->count[l] && total > 0.0; k++) {
        const fleet_interval_t *iv = &bo->interval[l][k];
        double share = hour_overlap(iv->start_hour, iv->end_hour, t0 + h) / total;
        double window_end = iv->start_hour + FLEET_BACKUP_CLAIM_H;
        double first_share = hour_overlap(iv->start_hour, iv->end_hour < window_end ? iv->end_hour : window_end, t0 + h) / total;
        bo->demand[l][k] += share * sums->backup_demand_kwh[h][l];
        bo->served[l][k] += share * sums->backup_served_kwh[h][l];
        bo->first_demand[l][k] += first_share * sums->backup_demand_kwh[h][l];
        bo->first_served[l][k] += first_share * sums->backup_served_kwh[h][l];
      }
      lane_demand[l] += sums->backup_demand_kwh[h][l];
      lane_served[l] += sums->backup_served_kwh[h][l];
    }
    for (int k = 0; k < bo->count[l]; k++) {
      const fleet_interval_t *iv = &bo->interval[l][k];
      if (iv->end_hour > t0 && iv->end_hour <= t0 + FLEET_HOURS_PER_DAY) record_outage(bo, l, k, acc);
    }
  }
}

/* At the year's end: an outage still going on is carried into next year's state. */
static void outage_carry(const fleet_block_outages_t *bo, int64_t base, fleet_state_t *state) {
  for (int l = 0; l < FLEET_LANES; l++) {
    int64_t i = base + l;
    state->carry_start_h[i] = state->carry_end_h[i] = 0.0f;
    state->carry_demand_kwh[i] = state->carry_served_kwh[i] = 0.0f;
    state->carry_first_demand_kwh[i] = state->carry_first_served_kwh[i] = state->carry_car_at_start[i] = 0.0f;
    for (int k = 0; k < bo->count[l]; k++)
      if (bo->interval[l][k].end_hour > FLEET_HOURS_PER_YEAR) {
        state->carry_start_h[i] = (float)(bo->interval[l][k].start_hour - FLEET_HOURS_PER_YEAR);
        state->carry_end_h[i] = (float)(bo->interval[l][k].end_hour - FLEET_HOURS_PER_YEAR);
        state->carry_demand_kwh[i] = (float)bo->demand[l][k];
        state->carry_served_kwh[i] = (float)bo->served[l][k];
        state->carry_first_demand_kwh[i] = (float)bo->first_demand[l][k];
        state->carry_first_served_kwh[i] = (float)bo->first_served[l][k];
        state->carry_car_at_start[i] = bo->car_at_start[l][k];
      }
  }
}

/* backup.keep_car_home: a household whose house has been cut for keep_car_home_after_h hours keeps
 * the car at home while the cut lasts, so that it can back the house up. An outing of today's
 * plan that would depart at a time t in [start + after, end) of one of the lane's outages is
 * cancelled for the day (no drive, no km, parked at home as it stands, plugged or not by the plug
 * habit); the other outing of the day stays as drawn (a cancelled slot 1 hands its place to slot
 * 2). A cancelled slot 1 includes the start of a long trip: its nights are then never begun
 * (trip_after, the state after today, is set back to "not on a trip"), so tomorrow's plan, drawn
 * next from that state, is an ordinary day. A car already away (dep_hour -1, a long trip under
 * way) is not called back and returns as planned. The plan was drawn before: the vehicle-day's
 * draws are the same in number and use whatever is cancelled, so scenarios with and without the
 * key keep common random numbers. */
static int held_home(const fleet_block_outages_t *bo, int l, double t0, float dep, double after_h) {
  if (!(dep >= 0.0f && dep < (float)FLEET_HOURS_PER_DAY)) return 0; /* no departure today */
  const double t = t0 + dep;
  int held = 0;
  for (int k = 0; k < bo->count[l]; k++)
    held |= t >= bo->interval[l][k].start_hour + after_h && t < bo->interval[l][k].end_hour;
  return held;
}

static void keep_cars_home(const fleet_block_outages_t *bo, int day, double after_h, fleet_day_plan_t *plan,
                           fleet_trip_state_t *trip_after) {
  const double t0 = (double)day * FLEET_HOURS_PER_DAY;
  for (int l = 0; l < FLEET_LANES; l++) {
    if (held_home(bo, l, t0, plan->dep2_hour[l], after_h)) { /* the evening outing */
      plan->need_km[l] -= plan->need2_km[l];
      plan->trips[l] -= 2.0f;
      plan->dep2_hour[l] = plan->ret2_hour[l] = FLEET_NO_HOUR;
      plan->out2_km[l] = plan->back2_km[l] = plan->need2_km[l] = 0.0f;
    }
    if (!held_home(bo, l, t0, plan->dep_hour[l], after_h)) continue;
    /* slot 1 is cancelled; slot 2, if any, takes its place */
    const float second = plan->dep2_hour[l] != FLEET_NO_HOUR ? 1.0f : 0.0f;
    plan->dep_hour[l] = plan->dep2_hour[l];
    plan->ret_hour[l] = plan->ret2_hour[l];
    plan->out_km[l] = plan->out2_km[l];
    plan->back_km[l] = plan->back2_km[l];
    plan->need_km[l] = plan->need2_km[l];
    plan->trips[l] = 2.0f * second;
    plan->at_work[l] = 0.0f;
    plan->dep2_hour[l] = plan->ret2_hour[l] = FLEET_NO_HOUR;
    plan->out2_km[l] = plan->back2_km[l] = plan->need2_km[l] = 0.0f;
    /* it left home today, so it was not on a trip this morning: the state after today is that of
     * a long trip begun today, or already "none" */
    trip_after->nights_left[l] = trip_after->back_km[l] = 0.0f;
  }
}

/* One block's year; `solar` is a constant at each call site so the step is specialised. */
static inline void block_year(const fleet_year_ctx_t *ctx, int64_t block, fleet_state_t *state,
                              fleet_workspace_t *ws, fleet_lane_year_t *lanes, const int solar) {
  fleet_accum_t *acc = &ws->acc;
  fleet_block_outages_t *bo = &ws->outages;
  const fleet_params_t *p = ctx->params;
  const fleet_population_t *pop = ctx->pop;
  const int64_t base = block * FLEET_LANES;
  const int region = pop->block_region[block];

  fleet_plan_consts_t pc;
  fleet_step_consts_t sc;
  fleet_lane_state_t ls;
  fleet_trip_state_t trip_tomorrow;
  double home_efficiency[FLEET_LANES];
  int source[FLEET_LANES];
  for (int l = 0; l < FLEET_LANES; l++) {
    int64_t i = base + l;
    /* the faded capacity: range, storage, the floor and the reserves shrink with it; the garage
     * battery is sized on the nominal one and does not age */
    const float soh = state->soh[i];
    float cap = pop->capacity_kwh[i] * soh;
    float garage_capacity = pop->garage[i] * (float)p->garage_battery_to_car_ratio * pop->capacity_kwh[i];
    pc.vehicle_id[l] = (uint32_t)pop->vehicle_id[i];
    pc.active[l] = pop->active[i];
    pc.employed[l] = pop->employed[i];
    pc.teleworker[l] = pop->teleworker[i];
    pc.commute_km[l] = pop->commute_km[i];
    pc.departure_hour[l] = pop->departure_hour[i];
    pc.return_hour[l] = pop->return_hour[i];
    source[l] = (int)pop->charger_source[i];
    home_efficiency[l] = source[l] == FLEET_SOURCE_HOME_SOCKET    ? p->socket_efficiency
                         : source[l] == FLEET_SOURCE_HOME_WALLBOX ? p->wallbox_efficiency
                                                                  : 1.0;
    sc.kwh_per_km[l] = pop->kwh_per_km[i];
    sc.home_charge_kwh[l] = pop->charger_kw[i] * (float)home_efficiency[l];
    sc.target_kwh[l] = (float)p->charge_target_fraction * cap;
    sc.floor_kwh[l] = pop->floor_kwh[i] * soh; /* the owner's fraction of the faded capacity */
    sc.plug_threshold_kwh[l] = (float)p->plug_threshold_fraction * cap;
    /* A garage's DC link counts as a charging point at home. */
    sc.has_charger[l] = pop->charger_kw[i] > 0.0f || pop->garage[i] > 0.0f ? 1.0f : 0.0f;
    sc.storage_lane[l] = pop->bidirectional[i] * pop->active[i];
    sc.discharge_kw[l] = pop->charger_kw[i];
    sc.public_reserve_kwh[l] = (float)p->public_reserve_fraction * cap;
    sc.public_target_kwh[l] = (float)p->public_target_fraction * cap;
    sc.reserve_adds_floor[l] = p->reserve_rule == FLEET_RESERVE_FLOOR_PLUS_TRIPS ? 1.0f : 0.0f;
    sc.garage_kwp[l] = pop->garage[i] * (float)p->garage_pv_kwp;
    sc.garage_capacity_kwh[l] = garage_capacity;
    sc.garage_floor_kwh[l] = (float)p->garage_floor_fraction * garage_capacity;
    sc.garage_topup_target_kwh[l] = (float)p->garage_grid_topup_target_fraction * garage_capacity;
    sc.carport_kwp[l] = pop->carport[i] * (float)p->carport_pv_kwp_per_space;
    sc.off_peak[l] = pop->off_peak[i];
    ls.soc_kwh[l] = state->soc_kwh[i];
    ls.plugged[l] = state->plugged[i];
    ls.away_prev[l] = state->away_prev[i];
    ls.garage_kwh[l] = state->garage_kwh[i];
    ls.garage_pv_kwh[l] = state->garage_pv_kwh[i];
    trip_tomorrow.nights_left[l] = state->trip_nights_left[i];
    trip_tomorrow.back_km[l] = state->trip_back_km[i];
  }

  float trips[FLEET_LANES] = {0}, weekday_trips[FLEET_LANES] = {0};
  double km[FLEET_LANES] = {0}, drive[FLEET_LANES] = {0}, home_in[FLEET_LANES] = {0}, public_in[FLEET_LANES] = {0};
  double g_pv[FLEET_LANES] = {0}, g_stored[FLEET_LANES] = {0}, g_topup[FLEET_LANES] = {0};
  double g_to_car[FLEET_LANES] = {0}, cp_pv[FLEET_LANES] = {0}, cp_in[FLEET_LANES] = {0};
  double g_pv_to_car[FLEET_LANES] = {0}, g_export[FLEET_LANES] = {0}, g_curtail[FLEET_LANES] = {0};
  double home_co2[FLEET_LANES] = {0}, public_co2[FLEET_LANES] = {0}, g_topup_co2[FLEET_LANES] = {0};
  double home_in_off_peak[FLEET_LANES] = {0}, g_topup_off_peak[FLEET_LANES] = {0};
  float soc_start[FLEET_LANES], garage_start[FLEET_LANES];
  memcpy(soc_start, ls.soc_kwh, sizeof soc_start);
  memcpy(garage_start, ls.garage_kwh, sizeof garage_start);

  double bk_car[FLEET_LANES] = {0}, bk_garage[FLEET_LANES] = {0}, bk_demand[FLEET_LANES] = {0},
         bk_served[FLEET_LANES] = {0};
  block_outages_init(ctx, base, region, state, bo);
  int off_peak_lanes = 0;
  for (int l = 0; l < FLEET_LANES; l++) off_peak_lanes |= sc.off_peak[l] > 0.0f;
  const fleet_day_phases_t *phases = off_peak_lanes ? &ctx->off_peak_phases : &ctx->whole_day;

  fleet_day_plan_t plans[2];
  fleet_day_sums_t sums;
  fleet_day_inputs_t in;
  memcpy(in.topup_window, ctx->topup_window, sizeof in.topup_window);
  memcpy(in.off_peak_window, ctx->off_peak_window, sizeof in.off_peak_window);
  memcpy(in.backup_load_kwh, ctx->backup_load_kwh, sizeof in.backup_load_kwh);
  /* trip_tomorrow always holds the state before the day planned next. */
  fleet_trip_state_t after;
  fleet_plan_day(&ctx->rates, &pc, ctx->stream_prefix, 0, ctx->workday[0], ctx->weekend_day[0], &trip_tomorrow,
                 &after, &plans[0]);
  trip_tomorrow = after;
  for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
    /* trip_tomorrow is the state after today here, before tomorrow is planned from it */
    if (p->backup_keep_car_home && bo->day_has[d])
      keep_cars_home(bo, d, p->backup_keep_car_home_after_h, &plans[d & 1], &trip_tomorrow);
    const fleet_day_plan_t *today = &plans[d & 1];
    fleet_day_plan_t *tomorrow = &plans[(d + 1) & 1];
    int last = d == FLEET_DAYS_PER_YEAR - 1;
    fleet_plan_day(&ctx->rates, &pc, last ? ctx->next_year_stream_prefix : ctx->stream_prefix, last ? 0 : d + 1,
                   ctx->workday[d + 1], ctx->weekend_day[d + 1], &trip_tomorrow, &after, tomorrow);
    if (!last) trip_tomorrow = after; /* at the year's end keep the state before next year's day 0 */
    memcpy(in.consumption_factor, &ctx->hour_factor[region][d * FLEET_HOURS_PER_DAY], sizeof in.consumption_factor);
    memcpy(in.pv_kw_per_kwp, &ctx->weather.pv_kw_per_kwp[region][d * FLEET_HOURS_PER_DAY], sizeof in.pv_kw_per_kwp);
    in.day_factor = ctx->day_factor[region][d];
    memcpy(in.grid_g_co2_per_kwh, &ctx->grid_g_co2_per_kwh[d * FLEET_HOURS_PER_DAY], sizeof in.grid_g_co2_per_kwh);
    if (bo->day_has[d]) {
      outage_fractions(bo, d, &in);
      fleet_step_day(&sc, &ctx->solar, ctx->discharge_efficiency, ctx->plug_every_arrival, &in, today, tomorrow,
                     &ls, &sums, NULL, solar, 1);
      outage_day_done(bo, d, &in, &sums, sc.storage_lane, acc, bk_demand, bk_served);
      for (int l = 0; l < FLEET_LANES; l++) {
        bk_car[l] += sums.backup_from_car_kwh[l];
        bk_garage[l] += sums.backup_from_garage_kwh[l];
      }
      add_day(&sums, d, solar, acc);
      ws->hourly_days++;
    } else if (!solar && ctx->kernel == FLEET_KERNEL_EVENTS &&
               fleet_events_day(&sc, ctx->discharge_efficiency, ctx->plug_every_arrival, &in, today, tomorrow,
                                phases, &ls, &sums, &ws->slots)) {
      add_events_day(&ws->slots, &sums, d, acc);
      ws->event_days++;
    } else {
      ws->event_refusals += !solar && ctx->kernel == FLEET_KERNEL_EVENTS;
      fleet_step_day(&sc, &ctx->solar, ctx->discharge_efficiency, ctx->plug_every_arrival, &in, today, tomorrow,
                     &ls, &sums, NULL, solar, 0);
      add_day(&sums, d, solar, acc);
      ws->hourly_days++;
    }
    for (int l = 0; l < FLEET_LANES; l++) {
      km[l] += (double)today->out_km[l] + (double)today->back_km[l] + (double)today->out2_km[l] +
               (double)today->back2_km[l];
      trips[l] += today->trips[l]; /* small integers: exact in a float up to 2^24 */
      weekday_trips[l] += (1.0f - ctx->weekend_day[d]) * today->trips[l];
      drive[l] += sums.drive_kwh[l];
      home_in[l] += sums.home_in_kwh[l];
      public_in[l] += sums.public_in_kwh[l];
      home_co2[l] += sums.home_in_co2_g[l];
      home_in_off_peak[l] += sums.home_in_off_peak_kwh[l];
      public_co2[l] += sums.public_in_co2_g[l];
    }
    if (solar)
      for (int l = 0; l < FLEET_LANES; l++) {
        g_pv[l] += sums.garage_pv_kwh[l];
        g_stored[l] += sums.garage_stored_kwh[l];
        g_topup[l] += sums.garage_topup_kwh[l];
        g_topup_co2[l] += sums.garage_topup_co2_g[l];
        g_topup_off_peak[l] += sums.garage_topup_off_peak_kwh[l];
        g_to_car[l] += sums.garage_to_car_kwh[l];
        g_pv_to_car[l] += sums.garage_pv_to_car_kwh[l];
        g_curtail[l] += sums.garage_curtailed_kwh[l];
        cp_pv[l] += sums.carport_pv_kwh[l];
        cp_in[l] += sums.carport_in_kwh[l];
      }
  }

  outage_carry(bo, base, state);

  const fleet_solar_consts_t *sol = &ctx->solar;
  /* The garage's surplus (DC) that was not curtailed went out through its inverter. */
  if (solar)
    for (int l = 0; l < FLEET_LANES; l++) {
      const double surplus = g_pv[l] - g_stored[l] / sol->pv_to_battery_efficiency;
      g_export[l] = p->garage_export_surplus ? fmax(surplus - g_curtail[l], 0.0) * p->garage_battery_to_grid_efficiency : 0.0;
    }
  double co2_combustion_kg = 0.0, co2_grid_g = 0.0;
  double km_sum = 0.0, source_kwh[FLEET_SOURCE_COUNT] = {0}, flow[FLEET_SOLAR_FLOW_COUNT] = {0};
  double soh_sum = 0.0, commute_km_sum = 0.0, home_grid_sum = 0.0, home_grid_off_peak_sum = 0.0;
  /* C3 (ii): this year's discount weight, and what closes a lease in its last year */
  const double position_weight = fleet_position_weight(p, ctx->year);
  const double position_closing_eur = fleet_position_closing_eur(p);
  fleet_account_terms_t paying_terms[FLEET_LANES]; /* of the paying households, for the price paths */
  int paying_lanes = 0;
  for (int l = 0; l < FLEET_LANES; l++) {
    int64_t i = base + l;
    state->soc_kwh[i] = ls.soc_kwh[l];
    state->plugged[i] = ls.plugged[l];
    state->away_prev[i] = ls.away_prev[l];
    state->garage_kwh[i] = ls.garage_kwh[l];
    state->garage_pv_kwh[i] = ls.garage_pv_kwh[l];
    state->trip_nights_left[i] = trip_tomorrow.nights_left[l];
    state->trip_back_km[i] = trip_tomorrow.back_km[l];
    if (pop->active[i] > 0.0f) { /* the year's fade; a charge above the faded capacity is lost */
      state->soh[i] = (float)fleet_soh_next(p, state->soh[i], drive[l] + bk_car[l], pop->capacity_kwh[i],
                                            pop->bidirectional[i]);
      state->soc_kwh[i] = fminf(state->soc_kwh[i], pop->capacity_kwh[i] * state->soh[i]);
      soh_sum += state->soh[i];
    }
    if (lanes) lanes->soh_end[l] = state->soh[i];
    double home_grid = home_in[l] / home_efficiency[l];
    double public_grid = public_in[l] / p->public_efficiency;
    double topup_grid = g_topup[l] / sol->grid_to_battery_efficiency;
    double home_grid_off_peak = home_in_off_peak[l] / home_efficiency[l];
    /* what the household's tariff prices by the hour: charger and garage top-up, grid side */
    double household_grid_off_peak = home_grid_off_peak + g_topup_off_peak[l] / sol->grid_to_battery_efficiency;
    home_grid_sum += home_grid + topup_grid;
    home_grid_off_peak_sum += household_grid_off_peak;
    double carport_used = cp_in[l] / sol->carport_efficiency;
    double garage_drawn = g_to_car[l] / sol->battery_to_car_efficiency;
    /* each kWh at the intensity of the hour it was drawn, grid side (the charger's losses too) */
    double lane_co2_grid_g = home_co2[l] / home_efficiency[l] + public_co2[l] / p->public_efficiency +
                             g_topup_co2[l] / sol->grid_to_battery_efficiency;
    km_sum += km[l];
    acc->trips += (int64_t)trips[l];
    acc->weekday_trips += (int64_t)weekday_trips[l];
    if (pop->active[i] > 0.0f && pop->employed[i] > 0.0f) { /* the fleet's commuters and their distance */
      acc->commuters++;
      commute_km_sum += pop->commute_km[i];
    }
    if (pop->active[i] > 0.0f) {
      /* The lease: a default stops the payments from this year on and the car is taken back;
       * a battery that fails within the warranty is replaced at the State's cost. Two draws
       * from the household's stream for the year, always made. */
      fleet_pcg32_t rng = fleet_stream_at(ctx->stream_prefix, pop->vehicle_id[i], FLEET_PURPOSE_LEASE);
      double u_default = fleet_pcg32_double(&rng), u_failure = fleet_pcg32_double(&rng);
      int paying = state->lease_active[i] > 0.0f && ctx->year < p->lease_years;
      if (paying && u_default < p->default_hazard_per_year) {
        paying = 0;
        state->lease_active[i] = 0.0f;
        acc->ledger.defaults++;
      }
      if (ctx->year < p->battery_warranty_years && u_failure < p->battery_failure_hazard_per_year)
        acc->ledger.battery_failures++;
      int garage = pop->garage[i] > 0.0f;
      acc->ledger.vehicles++;
      acc->ledger.bidirectional_chargers += pop->bidirectional[i] > 0.0f;
      acc->ledger.garages += garage;
      acc->ledger.carport_spaces += pop->carport[i] > 0.0f;
      acc->ledger.paying_leases += paying;
      acc->ledger.paying_garage_leases += paying && garage;
      fleet_household_year_t household = {.km = km[l],
                                          .home_grid_kwh = home_grid + topup_grid,
                                          .home_grid_off_peak_kwh = household_grid_off_peak,
                                          .off_peak = pop->off_peak[i] > 0.0f,
                                          .public_kwh = public_grid,
                                          .diesel = pop->diesel[i] > 0.0f,
                                          .paying = paying};
      fleet_account_terms_t terms;
      fleet_household_account_terms(p, &household, &terms);
      double account = fleet_account_at(&terms, ctx->prices_eur);
      if (paying) { /* the account of C3 is that of a household paying its lease */
        paying_terms[paying_lanes++] = terms;
        add_to_distribution(account, &acc->household_count, &acc->household_worse_off, &acc->household_account_cents,
                            &acc->household_account_cents2, &acc->household_account_histogram[fleet_account_bin(account)],
                            &acc->overflow);
        /* C3 (ii): the discounted accounts add up over the lease; a household that pays its last
         * year closes it with the car it now owns, minus the one it handed over. A defaulted
         * household never closes (its car is taken back). */
        state->position_eur[i] += (float)(account * position_weight);
        if (ctx->year == p->lease_years - 1) {
          double position = (double)state->position_eur[i] + position_closing_eur;
          add_to_distribution(position, &acc->position_count, &acc->position_worse_off, &acc->position_cents,
                              &acc->position_cents2, &acc->position_histogram[fleet_position_bin(position)],
                              &acc->overflow);
          if (lanes) lanes->position_eur[l] = position;
        }
        if (garage) {
          double garage_account = fleet_garage_account_eur(p, g_export[l], paying);
          acc->garage_household_count++;
          add_checked(&acc->garage_account_cents, to_whole(garage_account * 100.0, &acc->overflow), &acc->overflow);
          if (lanes) lanes->garage_account_eur[l] = garage_account;
        }
      }
      /* Scrapped, the replaced car's emissions for these km end; resold, it keeps running elsewhere
       * and nothing is avoided (state.trade_in_fate, the ledger's trade-in line). */
      if (p->trade_in_fate == FLEET_TRADE_IN_SCRAPPED)
        co2_combustion_kg += fleet_combustion_kg_co2(p, km[l], household.diesel);
      co2_grid_g += lane_co2_grid_g;
      if (lanes) {
        lanes->account_eur[l] = account;
        lanes->account_terms[l] = terms;
        lanes->paying[l] = paying;
      }
    }
    /* The sources: energy entering the car's battery, after losses. */
    if (source[l] >= 0) source_kwh[source[l]] += home_in[l];
    source_kwh[FLEET_SOURCE_PUBLIC] += public_in[l];
    if (solar) {
      source_kwh[FLEET_SOURCE_GARAGE_PV] += g_pv_to_car[l];
      source_kwh[FLEET_SOURCE_GARAGE_GRID] += g_to_car[l] - g_pv_to_car[l];
      source_kwh[FLEET_SOURCE_CARPORT_PV] += cp_in[l];
      const double exported_dc = g_export[l] / p->garage_battery_to_grid_efficiency;
      flow[FLEET_SOLAR_GARAGE_PRODUCED] += g_pv[l];
      flow[FLEET_SOLAR_GARAGE_STORED] += g_stored[l];
      flow[FLEET_SOLAR_GARAGE_EXPORTED] += g_export[l];
      flow[FLEET_SOLAR_GARAGE_CURTAILED] += g_curtail[l];
      flow[FLEET_SOLAR_GARAGE_TO_CARS] += g_to_car[l];
      flow[FLEET_SOLAR_GARAGE_LOSSES] += (g_stored[l] / sol->pv_to_battery_efficiency - g_stored[l]) +
                                         (topup_grid - g_topup[l]) + (garage_drawn - g_to_car[l]) +
                                         (exported_dc - g_export[l]);
      flow[FLEET_SOLAR_CARPORT_PRODUCED] += cp_pv[l];
      flow[FLEET_SOLAR_CARPORT_TO_CARS] += cp_in[l];
      flow[FLEET_SOLAR_CARPORT_UNUSED] += cp_pv[l] - carport_used;
      flow[FLEET_SOLAR_CARPORT_LOSSES] += carport_used - cp_in[l];
    }
    if (lanes) {
      lanes->km[l] = km[l];
      lanes->drive_kwh[l] = drive[l];
      lanes->home_in_kwh[l] = home_in[l];
      lanes->public_in_kwh[l] = public_in[l];
      lanes->home_grid_kwh[l] = home_grid;
      lanes->home_grid_off_peak_kwh[l] = home_grid_off_peak;
      lanes->public_grid_kwh[l] = public_grid;
      lanes->soc_start_kwh[l] = soc_start[l];
      lanes->soc_end_kwh[l] = ls.soc_kwh[l];
      lanes->garage_to_car_kwh[l] = g_to_car[l];
      lanes->garage_pv_to_car_kwh[l] = g_pv_to_car[l];
      lanes->garage_exported_kwh[l] = g_export[l];
      lanes->carport_in_kwh[l] = cp_in[l];
      lanes->garage_stored_kwh[l] = g_stored[l];
      lanes->garage_topup_kwh[l] = g_topup[l];
      lanes->garage_start_kwh[l] = garage_start[l];
      lanes->garage_end_kwh[l] = ls.garage_kwh[l];
      lanes->backup_from_car_kwh[l] = bk_car[l];
      lanes->backup_from_garage_kwh[l] = bk_garage[l];
      lanes->outage_demand_kwh[l] = bk_demand[l];
      lanes->outage_served_kwh[l] = bk_served[l];
      lanes->co2_grid_g[l] = lane_co2_grid_g;
    }
  }
  add_price_paths(ctx, paying_terms, paying_lanes, acc);
  ADD_FIXED(acc, state_of_health, soh_sum);
  ADD_FIXED(acc, km, km_sum);
  ADD_FIXED(acc, commute_km, commute_km_sum);
  ADD_FIXED(acc, home_grid, home_grid_sum);
  ADD_FIXED(acc, home_grid_off_peak, home_grid_off_peak_sum);
  add_checked(&acc->co2_combustion_avoided_g, to_whole(co2_combustion_kg * 1000.0, &acc->overflow), &acc->overflow);
  add_checked(&acc->co2_grid_g, to_whole(co2_grid_g, &acc->overflow), &acc->overflow);
  for (int k = 0; k < FLEET_SOURCE_COUNT; k++) ADD_FIXED(acc, charging[k], source_kwh[k]);
  for (int k = 0; k < FLEET_SOLAR_FLOW_COUNT; k++) ADD_FIXED(acc, solar[k], flow[k]);
}

void fleet_block_year(const fleet_year_ctx_t *ctx, int64_t block, fleet_state_t *state, fleet_workspace_t *ws,
                      fleet_lane_year_t *lanes) {
  if (ctx->pop->block_solar[block])
    block_year(ctx, block, state, ws, lanes, 1);
  else
    block_year(ctx, block, state, ws, lanes, 0);
}

/* total += acc, field by field. */
static void accum_add(fleet_accum_t *total, const fleet_accum_t *acc) {
  total->overflow |= acc->overflow;
  for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++) {
    add_checked(&total->storage_battery[h], acc->storage_battery[h], &total->overflow);
    add_checked(&total->garage_battery[h], acc->garage_battery[h], &total->overflow);
    add_checked(&total->storage_power[h], acc->storage_power[h], &total->overflow);
    add_checked(&total->plugged[h], acc->plugged[h], &total->overflow);
    add_checked(&total->away[h], acc->away[h], &total->overflow);
    add_checked(&total->garage_power[h], acc->garage_power[h], &total->overflow);
  }
  add_checked(&total->km, acc->km, &total->overflow);
  add_checked(&total->trips, acc->trips, &total->overflow);
  add_checked(&total->weekday_trips, acc->weekday_trips, &total->overflow);
  add_checked(&total->commuters, acc->commuters, &total->overflow);
  add_checked(&total->commute_km, acc->commute_km, &total->overflow);
  add_checked(&total->state_of_health, acc->state_of_health, &total->overflow);
  add_checked(&total->home_grid, acc->home_grid, &total->overflow);
  add_checked(&total->home_grid_off_peak, acc->home_grid_off_peak, &total->overflow);
  for (int k = 0; k < FLEET_SOURCE_COUNT; k++) add_checked(&total->charging[k], acc->charging[k], &total->overflow);
  for (int k = 0; k < FLEET_SOLAR_FLOW_COUNT; k++) add_checked(&total->solar[k], acc->solar[k], &total->overflow);
  for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++) add_checked(&total->households_out[h], acc->households_out[h], &total->overflow);
  add_checked(&total->outage_household_hours, acc->outage_household_hours, &total->overflow);
  add_checked(&total->outage_demand, acc->outage_demand, &total->overflow);
  add_checked(&total->outage_served, acc->outage_served, &total->overflow);
  add_checked(&total->outage_count, acc->outage_count, &total->overflow);
  for (int k = 0; k < FLEET_OUTAGE_BANDS; k++) {
    add_checked(&total->outage_band_count[k], acc->outage_band_count[k], &total->overflow);
    add_checked(&total->outage_band_car_at_start[k], acc->outage_band_car_at_start[k], &total->overflow);
    add_checked(&total->outage_band_demand[k], acc->outage_band_demand[k], &total->overflow);
    add_checked(&total->outage_band_served[k], acc->outage_band_served[k], &total->overflow);
    add_checked(&total->outage_band_first_served[k], acc->outage_band_first_served[k], &total->overflow);
    add_checked(&total->outage_band_fully_served[k], acc->outage_band_fully_served[k], &total->overflow);
  }
  for (int k = 0; k < FLEET_OUTAGE_DURATION_BINS; k++)
    add_checked(&total->outage_duration_histogram[k], acc->outage_duration_histogram[k], &total->overflow);
  for (int k = 0; k < FLEET_COVERED_FRACTION_BINS; k++)
    add_checked(&total->outage_covered_histogram[k], acc->outage_covered_histogram[k], &total->overflow);
  add_checked(&total->household_count, acc->household_count, &total->overflow);
  add_checked(&total->household_worse_off, acc->household_worse_off, &total->overflow);
  add_checked(&total->household_account_cents, acc->household_account_cents, &total->overflow);
  total->overflow |= __builtin_add_overflow(total->household_account_cents2, acc->household_account_cents2, &total->household_account_cents2);
  for (int k = 0; k < FLEET_ACCOUNT_BINS; k++)
    add_checked(&total->household_account_histogram[k], acc->household_account_histogram[k], &total->overflow);
  add_checked(&total->garage_household_count, acc->garage_household_count, &total->overflow);
  add_checked(&total->garage_account_cents, acc->garage_account_cents, &total->overflow);
  add_checked(&total->position_count, acc->position_count, &total->overflow);
  add_checked(&total->position_worse_off, acc->position_worse_off, &total->overflow);
  add_checked(&total->position_cents, acc->position_cents, &total->overflow);
  total->overflow |= __builtin_add_overflow(total->position_cents2, acc->position_cents2, &total->position_cents2);
  for (int k = 0; k < FLEET_POSITION_BINS; k++)
    add_checked(&total->position_histogram[k], acc->position_histogram[k], &total->overflow);
  for (int k = 0; k < FLEET_MAX_PRICE_PATHS; k++) {
    add_checked(&total->path_account_cents[k], acc->path_account_cents[k], &total->overflow);
    add_checked(&total->path_worse_off[k], acc->path_worse_off[k], &total->overflow);
    total->overflow |= __builtin_add_overflow(total->path_account_cents2[k], acc->path_account_cents2[k],
                                              &total->path_account_cents2[k]);
  }
  add_checked(&total->ledger.vehicles, acc->ledger.vehicles, &total->overflow);
  add_checked(&total->ledger.bidirectional_chargers, acc->ledger.bidirectional_chargers, &total->overflow);
  add_checked(&total->ledger.garages, acc->ledger.garages, &total->overflow);
  add_checked(&total->ledger.carport_spaces, acc->ledger.carport_spaces, &total->overflow);
  add_checked(&total->ledger.paying_leases, acc->ledger.paying_leases, &total->overflow);
  add_checked(&total->ledger.paying_garage_leases, acc->ledger.paying_garage_leases, &total->overflow);
  add_checked(&total->ledger.defaults, acc->ledger.defaults, &total->overflow);
  add_checked(&total->ledger.battery_failures, acc->ledger.battery_failures, &total->overflow);
  add_checked(&total->co2_combustion_avoided_g, acc->co2_combustion_avoided_g, &total->overflow);
  add_checked(&total->co2_grid_g, acc->co2_grid_g, &total->overflow);
}

/* M2 = (n sum x^2 - (sum x)^2) / n in cents^2, exact in 128 bits unless that overflows too; in EUR^2. */
static double m2_eur2(int64_t n, int64_t cents_sum, fleet_i128_t cents2_sum, int *overflow) {
  fleet_i128_t sum = cents_sum, n_sum2 = 0, numerator = 0;
  *overflow |= __builtin_mul_overflow((fleet_i128_t)n, cents2_sum, &n_sum2) ||
               __builtin_sub_overflow(n_sum2, sum * sum, &numerator);
  return n > 0 ? (double)numerator / (double)n / 1e4 : 0.0;
}

fleet_status_t fleet_simulate_year(const fleet_params_t *params, const fleet_population_t *pop,
                                   fleet_state_t *state, int64_t replica, int64_t year,
                                   fleet_year_totals_t *totals, fleet_error_t *err) {
  return fleet_simulate_year_stoppable(params, pop, state, replica, year, FLEET_KERNEL_HOURLY, NULL, totals, err);
}

fleet_status_t fleet_simulate_year_stoppable(const fleet_params_t *params, const fleet_population_t *pop,
                                             fleet_state_t *state, int64_t replica, int64_t year,
                                             fleet_kernel_t kernel, const volatile sig_atomic_t *stop,
                                             fleet_year_totals_t *totals, fleet_error_t *err) {
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
  fleet_accum_t *total = calloc(1, sizeof *total);
  if (!ctx || !total) {
    free(ctx);
    free(total);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate the year's accumulators");
  }
  fleet_year_ctx_init(params, pop, replica, year, ctx);
  ctx->kernel = kernel;
  int failed = 0;
  const int64_t blocks = pop->blocks;
#pragma omp parallel default(none) shared(ctx, state, total, failed, blocks, stop)
  {
    fleet_workspace_t *ws = calloc(1, sizeof *ws);
    fleet_accum_t *acc = ws ? &ws->acc : NULL;
    if (!ws) {
#pragma omp atomic write
      failed = 1;
    }
    /* a stop request skips the blocks left (a block is a few milliseconds): the year is then
     * incomplete and refused below, so a signal never waits for a whole fleet-year. Blocks cost
     * unequal times (a solar block about 1.7 x a lean one, and they come first in each region;
     * outages hit regions unequally), so threads take 16 blocks at a time as they free up: with
     * equal static shares one thread idled 6.5 % of a 2-thread year (bench/RESULTS.md). The sums
     * are integers, so which thread steps a block changes no result. */
#pragma omp for schedule(dynamic, 16)
    for (int64_t b = 0; b < blocks; b++)
      if (ws && !(stop && *stop)) fleet_block_year(ctx, b, state, ws, NULL);
    if (ws) {
#pragma omp critical(fleet_accum_merge)
      accum_add(total, acc); /* integer sums: the merge order does not matter */
      free(ws);
    }
  }
  if (failed) {
    free(ctx);
    free(total);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate a thread's accumulators");
  }
  if (stop && *stop) {
    free(ctx);
    free(total);
    return fleet_error_set(err, FLEET_ERR_INTERRUPTED, "stopped by a signal during replica %lld, year %lld",
                           (long long)replica, (long long)year);
  }
  const double account_m2 = m2_eur2(total->household_count, total->household_account_cents,
                                    total->household_account_cents2, &total->overflow);
  const double position_m2 = m2_eur2(total->position_count, total->position_cents, total->position_cents2,
                                     &total->overflow);
  /* path 0 is the replica's own: the sums above; the paths past K stay 0 */
  total->path_account_cents[0] = total->household_account_cents;
  total->path_account_cents2[0] = total->household_account_cents2;
  total->path_worse_off[0] = total->household_worse_off;
  for (int64_t j = 0; j < FLEET_MAX_PRICE_PATHS; j++)
    totals->path_account_m2_eur2[j] = j < ctx->price_paths ? m2_eur2(total->household_count, total->path_account_cents[j],
                                                                   total->path_account_cents2[j], &total->overflow)
                                                         : 0.0;
  if (total->overflow) {
    free(ctx);
    free(total);
    return fleet_error_set(err, FLEET_ERR_SCENARIO,
                           "replica %lld, year %lld: a fleet total left the range of the exact integer sums (+-9.2e12 "
                           "kWh, km, h or households, +-9.2e16 EUR, +-9.2e15 t of CO2): the scenario's values are too "
                           "extreme to be summed exactly, so the run stops",
                           (long long)replica, (long long)year);
  }
  for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++) {
    totals->storage_battery_kwh[h] = (double)total->storage_battery[h] / FLEET_ACCUM_SCALE;
    totals->storage_energy_kwh[h] = totals->storage_battery_kwh[h] * params->discharge_efficiency;
    totals->garage_battery_kwh[h] = (double)total->garage_battery[h] / FLEET_ACCUM_SCALE;
    totals->garage_energy_kwh[h] = totals->garage_battery_kwh[h] * params->garage_battery_to_grid_efficiency;
    totals->storage_power_kw[h] = (double)total->storage_power[h] / FLEET_ACCUM_SCALE;
    totals->plugged_vehicles[h] = (double)total->plugged[h];
    totals->vehicles_away[h] = (double)total->away[h];
    totals->garage_power_kw[h] = (double)total->garage_power[h] / FLEET_ACCUM_SCALE;
  }
  totals->km_driven = (double)total->km / FLEET_ACCUM_SCALE;
  totals->trips = (double)total->trips;
  totals->weekday_trips = (double)total->weekday_trips;
  totals->commuters = (double)total->commuters;
  totals->commute_km_sum = (double)total->commute_km / FLEET_ACCUM_SCALE;
  totals->state_of_health_sum = (double)total->state_of_health / FLEET_ACCUM_SCALE;
  totals->home_grid_kwh = (double)total->home_grid / FLEET_ACCUM_SCALE;
  totals->home_grid_off_peak_kwh = (double)total->home_grid_off_peak / FLEET_ACCUM_SCALE;
  for (int k = 0; k < FLEET_SOURCE_COUNT; k++)
    totals->charging_energy_kwh[k] = (double)total->charging[k] / FLEET_ACCUM_SCALE;
  for (int k = 0; k < FLEET_SOLAR_FLOW_COUNT; k++) totals->solar_energy_kwh[k] = (double)total->solar[k] / FLEET_ACCUM_SCALE;
  for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++)
    totals->households_out[h] = (double)total->households_out[h] / FLEET_ACCUM_SCALE;
  totals->outage_household_hours = (double)total->outage_household_hours / FLEET_ACCUM_SCALE;
  totals->outage_demand_kwh = (double)total->outage_demand / FLEET_ACCUM_SCALE;
  totals->outage_served_kwh = (double)total->outage_served / FLEET_ACCUM_SCALE;
  totals->outage_unserved_kwh = (double)(total->outage_demand - total->outage_served) / FLEET_ACCUM_SCALE;
  totals->outage_count = (double)total->outage_count;
  for (int k = 0; k < FLEET_OUTAGE_BANDS; k++) {
    totals->outage_band_count[k] = (double)total->outage_band_count[k];
    totals->outage_band_car_at_start[k] = (double)total->outage_band_car_at_start[k];
    totals->outage_band_demand_kwh[k] = (double)total->outage_band_demand[k] / FLEET_ACCUM_SCALE;
    totals->outage_band_served_kwh[k] = (double)total->outage_band_served[k] / FLEET_ACCUM_SCALE;
    totals->outage_band_first_served[k] = (double)total->outage_band_first_served[k];
    totals->outage_band_fully_served[k] = (double)total->outage_band_fully_served[k];
  }
  for (int k = 0; k < FLEET_OUTAGE_DURATION_BINS; k++)
    totals->outage_duration_histogram[k] = (double)total->outage_duration_histogram[k];
  for (int k = 0; k < FLEET_COVERED_FRACTION_BINS; k++)
    totals->outage_covered_histogram[k] = (double)total->outage_covered_histogram[k];
  for (int k = 0; k < FLEET_PRICE_COUNT; k++) totals->prices_eur[k] = ctx->prices_eur[k];
  totals->household_count = (double)total->household_count;
  totals->household_worse_off = (double)total->household_worse_off;
  totals->household_account_sum_eur = (double)total->household_account_cents / 100.0;
  totals->household_account_m2_eur2 = account_m2;
  for (int k = 0; k < FLEET_ACCOUNT_BINS; k++)
    totals->household_account_histogram[k] = (double)total->household_account_histogram[k];
  totals->garage_household_count = (double)total->garage_household_count;
  totals->garage_account_sum_eur = (double)total->garage_account_cents / 100.0;
  totals->position_count = (double)total->position_count;
  totals->position_worse_off = (double)total->position_worse_off;
  totals->position_sum_eur = (double)total->position_cents / 100.0;
  totals->position_m2_eur2 = position_m2;
  for (int k = 0; k < FLEET_POSITION_BINS; k++) totals->position_histogram[k] = (double)total->position_histogram[k];
  for (int64_t j = 0; j < FLEET_MAX_PRICE_PATHS; j++) {
    totals->path_account_sum_eur[j] = (double)total->path_account_cents[j] / 100.0;
    totals->path_worse_off[j] = (double)total->path_worse_off[j];
    for (int k = 0; k < FLEET_PRICE_COUNT; k++) totals->path_prices_eur[k][j] = ctx->path_prices_eur[j][k];
  }
  fleet_ledger_year(params, year, &total->ledger, totals->ledger_eur);
  totals->co2_combustion_avoided_t = (double)total->co2_combustion_avoided_g / 1e6;
  totals->co2_grid_t = (double)total->co2_grid_g / 1e6;
  totals->co2_battery_t = fleet_battery_manufacturing_t(params, year, &total->ledger);
  for (int r = 0; r < FLEET_MAX_REGIONS; r++) {
    double pv = 0.0, t = 0.0;
    if (r < params->region_count)
      for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++) {
        pv += ctx->weather.pv_kw_per_kwp[r][h];
        t += ctx->weather.temperature_c[r][h];
      }
    totals->region_pv_yield_kwh_per_kwp[r] = pv;
    totals->region_mean_temperature_c[r] = t / FLEET_HOURS_PER_YEAR;
  }
  free(ctx);
  free(total);
  return FLEET_OK;
}
