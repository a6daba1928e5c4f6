#include "fleet_year.h"

#include <stdlib.h>
#include <string.h>

#include "mobility.h"
#include "rng.h"
#include "temperature.h"
#include "vehicle_step.h"

fleet_status_t fleet_state_create(int64_t slots, fleet_state_t *state, fleet_error_t *err) {
  memset(state, 0, sizeof *state);
  state->slots = slots;
  size_t n = slots > 0 ? (size_t)slots : 1;
  state->soc_kwh = calloc(n, sizeof(float));
  state->plugged = calloc(n, sizeof(float));
  state->away_prev = calloc(n, sizeof(float));
  state->trip_nights_left = calloc(n, sizeof(float));
  state->trip_back_km = calloc(n, sizeof(float));
  if (!state->soc_kwh || !state->plugged || !state->away_prev || !state->trip_nights_left || !state->trip_back_km) {
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
  }
}

void fleet_state_free(fleet_state_t *state) {
  free(state->soc_kwh);
  free(state->plugged);
  free(state->away_prev);
  free(state->trip_nights_left);
  free(state->trip_back_km);
  memset(state, 0, sizeof *state);
}

void fleet_year_ctx_init(const fleet_params_t *params, const fleet_population_t *pop, int64_t replica,
                         int64_t year, fleet_year_ctx_t *ctx) {
  memset(ctx, 0, sizeof *ctx);
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
  for (int r = 0; r < params->region_count; r++) {
    double daily_c[FLEET_DAYS_PER_YEAR];
    fleet_daily_normals_c(params->regions[r].temperature_monthly_c, daily_c);
    for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++)
      ctx->day_factor[r][d] = (float)fleet_consumption_factor(params, daily_c[d]);
  }
  ctx->discharge_efficiency = (float)params->discharge_efficiency;
  ctx->plug_every_arrival = params->plug_policy == FLEET_PLUG_EVERY_ARRIVAL ? 1.0f : 0.0f;
}

/* Sum of 16 lanes as a fixed pairwise tree: the same order every time, and short dependency
 * chains (a sequential sum would cost 16 dependent adds per hour and value). */
static inline float lane_sum(const float x[FLEET_LANES]) {
  float a[FLEET_LANES / 2];
  for (int i = 0; i < 8; i++) a[i] = x[i] + x[i + 8];
  for (int i = 0; i < 4; i++) a[i] += a[i + 4];
  for (int i = 0; i < 2; i++) a[i] += a[i + 2];
  return a[0] + a[1];
}

static inline int64_t to_fixed(double value) { return (int64_t)(value * FLEET_ACCUM_SCALE + 0.5); }

static void add_day(const fleet_day_sums_t *sums, int day, fleet_accum_t *acc) {
  int64_t *energy = acc->storage_energy + day * FLEET_HOURS_PER_DAY;
  int64_t *power = acc->storage_power + day * FLEET_HOURS_PER_DAY;
  int64_t *plugged = acc->plugged + day * FLEET_HOURS_PER_DAY;
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
    energy[h] += to_fixed(lane_sum(sums->energy_kwh[h]));
    power[h] += to_fixed(lane_sum(sums->power_kw[h]));
    plugged[h] += (int64_t)lane_sum(sums->plugged[h]); /* small integers: exact in float */
  }
}

void fleet_block_year(const fleet_year_ctx_t *ctx, int64_t block, fleet_state_t *state, fleet_accum_t *acc,
                      fleet_lane_year_t *lanes) {
  const fleet_params_t *p = ctx->params;
  const fleet_population_t *pop = ctx->pop;
  const int64_t base = block * FLEET_LANES;
  const int64_t first_vehicle = pop->block_first_vehicle[block];
  const float *day_factor = ctx->day_factor[pop->block_region[block]];

  fleet_plan_consts_t pc;
  fleet_step_consts_t sc;
  fleet_lane_state_t ls;
  fleet_trip_state_t trip_today, trip_tomorrow;
  double home_efficiency[FLEET_LANES];
  int source[FLEET_LANES];
  for (int l = 0; l < FLEET_LANES; l++) {
    int64_t i = base + l;
    float cap = pop->capacity_kwh[i];
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
    sc.floor_kwh[l] = pop->floor_kwh[i];
    sc.plug_threshold_kwh[l] = (float)p->plug_threshold_fraction * cap;
    sc.has_charger[l] = pop->charger_kw[i] > 0.0f ? 1.0f : 0.0f;
    sc.storage_lane[l] = pop->bidirectional[i] * pop->active[i];
    sc.discharge_kw[l] = pop->charger_kw[i];
    sc.public_reserve_kwh[l] = (float)p->public_reserve_fraction * cap;
    sc.public_target_kwh[l] = (float)p->public_target_fraction * cap;
    ls.soc_kwh[l] = state->soc_kwh[i];
    ls.plugged[l] = state->plugged[i];
    ls.away_prev[l] = state->away_prev[i];
    trip_today.nights_left[l] = state->trip_nights_left[i];
    trip_today.back_km[l] = state->trip_back_km[i];
  }

  double km[FLEET_LANES] = {0}, drive[FLEET_LANES] = {0}, home_in[FLEET_LANES] = {0}, public_in[FLEET_LANES] = {0};
  float soc_start[FLEET_LANES];
  memcpy(soc_start, ls.soc_kwh, sizeof soc_start);

  fleet_day_plan_t plans[2];
  fleet_day_sums_t sums;
  fleet_plan_day(&ctx->rates, &pc, ctx->stream_prefix, first_vehicle, 0, ctx->workday[0], ctx->weekend_day[0],
                 &trip_today, &trip_tomorrow, &plans[0]);
  for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
    const fleet_day_plan_t *today = &plans[d & 1];
    fleet_day_plan_t *tomorrow = &plans[(d + 1) & 1];
    /* trip_tomorrow holds the state after today = before tomorrow. */
    fleet_trip_state_t after_tomorrow;
    int last = d == FLEET_DAYS_PER_YEAR - 1;
    fleet_plan_day(&ctx->rates, &pc, last ? ctx->next_year_stream_prefix : ctx->stream_prefix, first_vehicle,
                   last ? 0 : d + 1, ctx->workday[d + 1], ctx->weekend_day[d + 1], &trip_tomorrow,
                   &after_tomorrow, tomorrow);
    fleet_step_day(&sc, ctx->discharge_efficiency, ctx->plug_every_arrival, today, tomorrow, day_factor[d], &ls,
                   &sums, NULL);
    add_day(&sums, d, acc);
    for (int l = 0; l < FLEET_LANES; l++) {
      km[l] += (double)today->out_km[l] + (double)today->back_km[l];
      drive[l] += sums.drive_kwh[l];
      home_in[l] += sums.home_in_kwh[l];
      public_in[l] += sums.public_in_kwh[l];
    }
    if (!last) trip_tomorrow = after_tomorrow;
  }
  /* trip_tomorrow is now the state after the year's last day: the start of next year. */

  double km_sum = 0.0, grid[FLEET_SOURCE_COUNT] = {0};
  for (int l = 0; l < FLEET_LANES; l++) {
    int64_t i = base + l;
    state->soc_kwh[i] = ls.soc_kwh[l];
    state->plugged[i] = ls.plugged[l];
    state->away_prev[i] = ls.away_prev[l];
    state->trip_nights_left[i] = trip_tomorrow.nights_left[l];
    state->trip_back_km[i] = trip_tomorrow.back_km[l];
    double home_grid = home_in[l] / home_efficiency[l];
    double public_grid = public_in[l] / p->public_efficiency;
    km_sum += km[l];
    if (source[l] >= 0) grid[source[l]] += home_grid;
    grid[FLEET_SOURCE_PUBLIC] += public_grid;
    if (lanes) {
      lanes->km[l] = km[l];
      lanes->drive_kwh[l] = drive[l];
      lanes->home_in_kwh[l] = home_in[l];
      lanes->public_in_kwh[l] = public_in[l];
      lanes->home_grid_kwh[l] = home_grid;
      lanes->public_grid_kwh[l] = public_grid;
      lanes->soc_start_kwh[l] = soc_start[l];
      lanes->soc_end_kwh[l] = ls.soc_kwh[l];
    }
  }
  acc->km += to_fixed(km_sum);
  for (int k = 0; k < FLEET_SOURCE_COUNT; k++) acc->charging[k] += to_fixed(grid[k]);
}

fleet_status_t fleet_simulate_year(const fleet_params_t *params, const fleet_population_t *pop,
                                   fleet_state_t *state, int64_t replica, int64_t year,
                                   fleet_year_totals_t *totals, fleet_error_t *err) {
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
  fleet_accum_t *total = calloc(1, sizeof *total);
  if (!ctx || !total) {
    free(ctx);
    free(total);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate the year's accumulators");
  }
  fleet_year_ctx_init(params, pop, replica, year, ctx);
  int failed = 0;
  const int64_t blocks = pop->blocks;
#pragma omp parallel default(none) shared(ctx, state, total, failed, blocks)
  {
    fleet_accum_t *acc = calloc(1, sizeof *acc);
    if (!acc) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(static)
    for (int64_t b = 0; b < blocks; b++)
      if (acc) fleet_block_year(ctx, b, state, acc, NULL);
    if (acc) {
#pragma omp critical(fleet_accum_merge)
      { /* integer sums: the merge order does not matter */
        for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++) {
          total->storage_energy[h] += acc->storage_energy[h];
          total->storage_power[h] += acc->storage_power[h];
          total->plugged[h] += acc->plugged[h];
        }
        total->km += acc->km;
        for (int k = 0; k < FLEET_SOURCE_COUNT; k++) total->charging[k] += acc->charging[k];
      }
      free(acc);
    }
  }
  if (failed) {
    free(ctx);
    free(total);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate a thread's accumulators");
  }
  for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++) {
    totals->storage_energy_kwh[h] = (double)total->storage_energy[h] / FLEET_ACCUM_SCALE;
    totals->storage_power_kw[h] = (double)total->storage_power[h] / FLEET_ACCUM_SCALE;
    totals->plugged_vehicles[h] = (double)total->plugged[h];
  }
  totals->km_driven = (double)total->km / FLEET_ACCUM_SCALE;
  for (int k = 0; k < FLEET_SOURCE_COUNT; k++)
    totals->charging_energy_kwh[k] = (double)total->charging[k] / FLEET_ACCUM_SCALE;
  free(ctx);
  free(total);
  return FLEET_OK;
}
