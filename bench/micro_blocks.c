/* micro_blocks.c: real block-days for the micro-benchmarks (micro_blocks.h). Set-up only: nothing
 * here is timed. */
#include "micro_blocks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mobility.h"
#include "scenario.h"
#include "vehicle_step.h"

/* The block's constants and its lanes at the start of the year, as block_year
 * (kernels/fleet_year.c) fills pc, sc, ls and trip_tomorrow. */
static void block_consts(const fleet_year_ctx_t *ctx, const fleet_state_t *state, int64_t block,
                         fleet_micro_block_t *mb, fleet_lane_state_t *ls) {
  const fleet_params_t *p = ctx->params;
  const fleet_population_t *pop = ctx->pop;
  fleet_plan_consts_t *pc = &mb->plan_consts;
  fleet_step_consts_t *sc = &mb->step_consts;
  int off_peak_lanes = 0;
  mb->block = block;
  mb->region = pop->block_region[block];
  for (int l = 0; l < FLEET_LANES; l++) {
    const int64_t i = block * FLEET_LANES + l;
    const float soh = state->soh[i], cap = pop->capacity_kwh[i] * soh;
    const float garage_capacity = pop->garage[i] * (float)p->garage_battery_to_car_ratio * pop->capacity_kwh[i];
    const int source = (int)pop->charger_source[i];
    const double home_efficiency = source == FLEET_SOURCE_HOME_SOCKET    ? p->socket_efficiency
                                   : source == FLEET_SOURCE_HOME_WALLBOX ? p->wallbox_efficiency
                                                                         : 1.0;
    pc->vehicle_id[l] = (uint32_t)pop->vehicle_id[i];
    pc->active[l] = pop->active[i];
    pc->employed[l] = pop->employed[i];
    pc->teleworker[l] = pop->teleworker[i];
    pc->commute_km[l] = pop->commute_km[i];
    pc->departure_hour[l] = pop->departure_hour[i];
    pc->return_hour[l] = pop->return_hour[i];
    sc->kwh_per_km[l] = pop->kwh_per_km[i];
    sc->home_charge_kwh[l] = pop->charger_kw[i] * (float)home_efficiency;
    sc->target_kwh[l] = (float)p->charge_target_fraction * cap;
    sc->floor_kwh[l] = pop->floor_kwh[i] * soh;
    sc->plug_threshold_kwh[l] = (float)p->plug_threshold_fraction * cap;
    sc->has_charger[l] = pop->charger_kw[i] > 0.0f || pop->garage[i] > 0.0f ? 1.0f : 0.0f;
    sc->storage_lane[l] = pop->bidirectional[i] * pop->active[i];
    sc->discharge_kw[l] = pop->charger_kw[i];
    sc->public_reserve_kwh[l] = (float)p->public_reserve_fraction * cap;
    sc->public_target_kwh[l] = (float)p->public_target_fraction * cap;
    sc->reserve_adds_floor[l] = p->reserve_rule == FLEET_RESERVE_FLOOR_PLUS_TRIPS ? 1.0f : 0.0f;
    sc->garage_kwp[l] = pop->garage[i] * (float)p->garage_pv_kwp;
    sc->garage_capacity_kwh[l] = garage_capacity;
    sc->garage_floor_kwh[l] = (float)p->garage_floor_fraction * garage_capacity;
    sc->garage_topup_target_kwh[l] = (float)p->garage_grid_topup_target_fraction * garage_capacity;
    sc->carport_kwp[l] = pop->carport[i] * (float)p->carport_pv_kwp_per_space;
    sc->off_peak[l] = pop->off_peak[i];
    off_peak_lanes |= sc->off_peak[l] > 0.0f;
    ls->soc_kwh[l] = state->soc_kwh[i];
    ls->plugged[l] = state->plugged[i];
    ls->away_prev[l] = state->away_prev[i];
    ls->garage_kwh[l] = state->garage_kwh[i];
    ls->garage_pv_kwh[l] = state->garage_pv_kwh[i];
    mb->trip_start.nights_left[l] = state->trip_nights_left[i];
    mb->trip_start.back_km[l] = state->trip_back_km[i];
  }
  mb->phases = off_peak_lanes ? &ctx->off_peak_phases : &ctx->whole_day;
}

/* A region's day inputs, as block_year fills `in` for a day without an outage. */
static void day_inputs(const fleet_year_ctx_t *ctx, int region, int d, fleet_day_inputs_t *in) {
  memset(in, 0, sizeof *in);
  memcpy(in->topup_window, ctx->topup_window, sizeof in->topup_window);
  memcpy(in->off_peak_window, ctx->off_peak_window, sizeof in->off_peak_window);
  memcpy(in->backup_load_kwh, ctx->backup_load_kwh, sizeof in->backup_load_kwh);
  memcpy(in->consumption_factor, &ctx->hour_factor[region][d * FLEET_HOURS_PER_DAY], sizeof in->consumption_factor);
  memcpy(in->pv_kw_per_kwp, &ctx->weather.pv_kw_per_kwp[region][d * FLEET_HOURS_PER_DAY], sizeof in->pv_kw_per_kwp);
  in->day_factor = ctx->day_factor[region][d];
  memcpy(in->grid_g_co2_per_kwh, &ctx->grid_g_co2_per_kwh[d * FLEET_HOURS_PER_DAY], sizeof in->grid_g_co2_per_kwh);
}

/* The block's year: plans as block_year draws them (tomorrow's before today is stepped), each
 * day stepped by the hourly step; then the same block through fleet_block_year, which must end
 * the same. Returns 0 on a mismatch (*what names it). */
static int block_year_checked(fleet_micro_blocks_t *m, fleet_micro_block_t *mb, fleet_workspace_t *ws,
                              fleet_lane_year_t *lanes, const char **what) {
  const fleet_year_ctx_t *ctx = m->ctx;
  fleet_lane_state_t ls;
  block_consts(ctx, &m->state, mb->block, mb, &ls);
  fleet_trip_state_t trip = mb->trip_start, after;
  fleet_plan_day(&ctx->rates, &mb->plan_consts, ctx->stream_prefix, 0, ctx->workday[0], ctx->weekend_day[0], &trip,
                 &after, &mb->plan[0]);
  trip = after;
  double drive[FLEET_LANES] = {0}, home_in[FLEET_LANES] = {0}, public_in[FLEET_LANES] = {0};
  fleet_day_sums_t *sums = malloc(sizeof *sums);
  if (!sums) {
    *what = "memory";
    return 0;
  }
  for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
    const int last = d == FLEET_DAYS_PER_YEAR - 1;
    fleet_plan_day(&ctx->rates, &mb->plan_consts, last ? ctx->next_year_stream_prefix : ctx->stream_prefix,
                   last ? 0 : d + 1, ctx->workday[d + 1], ctx->weekend_day[d + 1], &trip, &after, &mb->plan[d + 1]);
    if (!last) trip = after;
    mb->start[d] = ls;
    fleet_step_day(&mb->step_consts, &ctx->solar, ctx->discharge_efficiency, ctx->plug_every_arrival,
                   &m->inputs[mb->region][d], &mb->plan[d], &mb->plan[d + 1], &ls, sums, NULL, 0, 0);
    for (int l = 0; l < FLEET_LANES; l++) {
      drive[l] += sums->drive_kwh[l];
      home_in[l] += sums->home_in_kwh[l];
      public_in[l] += sums->public_in_kwh[l];
    }
  }
  free(sums);
  /* the library's own year of the block (it moves the block's state on: nothing reads it after) */
  fleet_block_year(ctx, mb->block, &m->state, ws, lanes);
  *what = NULL;
  for (int l = 0; l < FLEET_LANES && !*what; l++) {
    if (lanes->soc_end_kwh[l] != (double)ls.soc_kwh[l]) *what = "the state of charge at the year's end";
    else if (lanes->drive_kwh[l] != drive[l]) *what = "the energy driven";
    else if (lanes->home_in_kwh[l] != home_in[l]) *what = "the energy charged at home";
    else if (lanes->public_in_kwh[l] != public_in[l]) *what = "the energy charged in public";
  }
  return *what == NULL;
}

fleet_status_t fleet_micro_blocks_create(const char *config, int64_t vehicles, int count, fleet_micro_blocks_t *m,
                                         fleet_error_t *err) {
  memset(m, 0, sizeof *m);
  char vehicles_override[64];
  snprintf(vehicles_override, sizeof vehicles_override, "fleet.vehicles=%lld", (long long)vehicles);
  const char *overrides[] = {"simulation.replicas=1", "simulation.years=1", "outage.rate_per_year=0",
                             "storm.rate_per_year=0", vehicles_override};
  m->params = malloc(sizeof *m->params);
  m->ctx = malloc(sizeof *m->ctx);
  m->blocks = calloc((size_t)(count > 0 ? count : 1), sizeof *m->blocks);
  if (!m->params || !m->ctx || !m->blocks) {
    fleet_micro_blocks_free(m);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate %d benchmark blocks", count);
  }
  fleet_status_t st = fleet_scenario_load(config, overrides, 5, m->params, err);
  if (st == FLEET_OK) st = fleet_population_create(m->params, m->params->first_replica, &m->pop, err);
  if (st == FLEET_OK) st = fleet_state_create(m->pop.slots, &m->state, err);
  if (st != FLEET_OK) {
    fleet_micro_blocks_free(m);
    return st;
  }
  fleet_state_reset(m->params, &m->pop, &m->state);
  fleet_year_ctx_init(m->params, &m->pop, m->params->first_replica, 0, m->ctx);
  fleet_workspace_t *ws = calloc(1, sizeof *ws);
  fleet_lane_year_t *lanes = calloc(1, sizeof *lanes);
  if (!ws || !lanes) {
    free(ws);
    free(lanes);
    fleet_micro_blocks_free(m);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate a workspace");
  }
  int64_t b = 0;
  while (m->count < count && b < m->pop.blocks) {
    if (m->pop.block_solar[b]) {
      b++;
      continue;
    }
    const int region = m->pop.block_region[b];
    if (!m->inputs[region]) {
      m->inputs[region] = malloc(FLEET_DAYS_PER_YEAR * sizeof *m->inputs[region]);
      if (!m->inputs[region]) {
        st = fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate a region's day inputs");
        break;
      }
      for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) day_inputs(m->ctx, region, d, &m->inputs[region][d]);
    }
    fleet_micro_block_t *mb = &m->blocks[m->count];
    mb->block = b;
    const char *what;
    if (!block_year_checked(m, mb, ws, lanes, &what)) {
      st = fleet_error_set(err, FLEET_ERR_SCENARIO,
                           "block %lld of %s: %s over the year differs from fleet_block_year's: "
                           "bench/micro_blocks.c no longer sets a block up as kernels/fleet_year.c does",
                           (long long)b, config, what);
      break;
    }
    m->count++;
    b++;
  }
  free(ws);
  free(lanes);
  if (st == FLEET_OK && m->count < count)
    st = fleet_error_set(err, FLEET_ERR_SCENARIO,
                         "%s with %lld vehicles has %d blocks without a solar garage or carport, fewer than the %d "
                         "asked for",
                         config, (long long)vehicles, m->count, count);
  if (st != FLEET_OK) fleet_micro_blocks_free(m);
  return st;
}

void fleet_micro_blocks_free(fleet_micro_blocks_t *m) {
  for (int r = 0; r < FLEET_MAX_REGIONS; r++) free(m->inputs[r]);
  if (m->state.slots > 0) fleet_state_free(&m->state);
  if (m->pop.slots > 0) fleet_population_free(&m->pop);
  free(m->blocks);
  free(m->ctx);
  free(m->params);
  memset(m, 0, sizeof *m);
}
