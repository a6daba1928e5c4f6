/* Battery ageing ([ageing], kernels/fleet_year.h fleet_soh_next): the state of health by hand, its
 * use by the next year's step (target, floor, storage above the reserve) and its fleet output. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_year.h"
#include "population.h"
#include "scenario.h"

#define BASELINE FLEET_SOURCE_DIR "/configs/baseline.yaml"

static void load(fleet_params_t *p, const char *vehicles, int years) {
  char years_set[64];
  snprintf(years_set, sizeof years_set, "simulation.years=%d", years);
  const char *overrides[] = {vehicles, years_set, "simulation.replicas=1"};
  fleet_error_t err;
  cr_assert_eq(fleet_scenario_load(BASELINE, overrides, 3, p, &err), FLEET_OK, "%s", err.message);
}

static void start(const fleet_params_t *p, fleet_population_t *pop, fleet_state_t *state) {
  fleet_error_t err;
  cr_assert_eq(fleet_population_create(p, 0, pop, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_state_create(pop->slots, state, &err), FLEET_OK, "%s", err.message);
  fleet_state_reset(p, pop, state);
}

/* By hand: a bidirectional 30 kWh car that gives 2,250 kWh a year out of its battery makes 75
 * cycles + 89 of V2G; with 1.5 %/yr and 0.004 % per cycle it loses 0.015 + 0.00004 x 164 = 0.02156
 * a year: 0.97844 after one year, 1 - 5 x 0.02156 = 0.8922 after five. The same car without a
 * bidirectional wallbox loses 0.015 + 0.003 = 0.018 a year. */
Test(ageing, state_of_health_by_hand) {
  fleet_params_t p;
  memset(&p, 0, sizeof p);
  p.ageing_calendar_fade_per_year = 0.015;
  p.ageing_cycle_fade_per_efc = 0.00004;
  p.ageing_v2g_cycles_per_year = 89.0;
  cr_assert_float_eq(fleet_soh_next(&p, 1.0, 2250.0, 30.0, 1.0), 0.97844, 1e-12);
  double soh = 1.0, plain = 1.0;
  for (int year = 0; year < 5; year++) {
    soh = fleet_soh_next(&p, soh, 2250.0, 30.0, 1.0);
    plain = fleet_soh_next(&p, plain, 2250.0, 30.0, 0.0);
  }
  cr_assert_float_eq(soh, 0.8922, 1e-12);
  cr_assert_float_eq(plain, 1.0 - 5 * 0.018, 1e-12);
  /* more cycling wears more: throughput and V2G each add */
  cr_assert_lt(fleet_soh_next(&p, 1.0, 3000.0, 30.0, 0.0), fleet_soh_next(&p, 1.0, 2250.0, 30.0, 0.0));
  p.ageing_v2g_cycles_per_year = 200.0;
  cr_assert_lt(fleet_soh_next(&p, 1.0, 2250.0, 30.0, 1.0), 0.97844);
  /* never below empty */
  cr_assert_eq(fleet_soh_next(&p, 0.01, 1e6, 30.0, 1.0), 0.0);
}

/* Through the engine: every active car's state of health after three years equals the formula
 * applied to the throughput (driving + home backup) that the block year reports for it each year.
 * The state is a float: 3 roundings of at most 2^-25 near 1 (6e-8) bound the difference. */
Test(ageing, each_cars_state_of_health_follows_its_throughput) {
  static fleet_params_t p;
  load(&p, "fleet.vehicles=500", 3);
  p.home_socket_share = 0.6; /* some cars without a bidirectional wallbox: no V2G wear */
  p.bidirectional_share = 0.7;
  fleet_population_t pop;
  fleet_state_t state;
  start(&p, &pop, &state);
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
  fleet_workspace_t *ws = calloc(1, sizeof *ws);
  double *expected = malloc((size_t)pop.slots * sizeof *expected);
  cr_assert(ctx && ws && expected);
  for (int64_t i = 0; i < pop.slots; i++) expected[i] = 1.0;
  fleet_lane_year_t lanes;
  int with_v2g = 0, without = 0;
  for (int64_t year = 0; year < 3; year++) {
    fleet_year_ctx_init(&p, &pop, 0, year, ctx);
    for (int64_t b = 0; b < pop.blocks; b++) {
      fleet_block_year(ctx, b, &state, ws, &lanes);
      for (int l = 0; l < pop.block_lanes[b]; l++) {
        const int64_t i = b * FLEET_LANES + l;
        const double throughput = lanes.drive_kwh[l] + lanes.backup_from_car_kwh[l];
        cr_assert_gt(throughput, 0.0);
        expected[i] -= p.ageing_calendar_fade_per_year +
                       p.ageing_cycle_fade_per_efc * (throughput / p.battery_kwh +
                                                      pop.bidirectional[i] * p.ageing_v2g_cycles_per_year);
        cr_assert_float_eq(lanes.soh_end[l], expected[i], 2e-7, "vehicle %lld, year %lld: %.9g, expected %.9g",
                           (long long)i, (long long)year, lanes.soh_end[l], expected[i]);
        cr_assert_eq((float)lanes.soh_end[l], state.soh[i]);
        if (year == 0) {
          with_v2g += pop.bidirectional[i] > 0.0f;
          without += pop.bidirectional[i] == 0.0f;
        }
      }
    }
  }
  cr_assert_gt(with_v2g, 0);
  cr_assert_gt(without, 0);
  free(expected);
  free(ws);
  free(ctx);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

/* A year run on a faded battery: with no trip and no outage every car charges to its target and
 * stays home all year, so at the year's last hour a bidirectional car holds target - floor =
 * soh x 30 x (1 - 0.3) above its reserve: 21 kWh new, 16.8 kWh at 0.8. Scaling only the target
 * would give 24 - 9 = 15 kWh; scaling neither, 21. The charge never exceeds the faded target. */
Test(ageing, a_faded_battery_shrinks_the_target_the_floor_and_the_storage) {
  static fleet_params_t p;
  load(&p, "fleet.vehicles=64", 1);
  p.garage_share = 0.0;
  p.carport_worker_share = 0.0;
  p.employed_share = 0.0;
  p.errand_day_probability = 0.0;
  p.weekend_trip_probability = 0.0;
  p.evening_trip_probability_weekday = p.evening_trip_probability_weekend = 0.0;
  p.long_trips_per_year = 0.0;
  const double sohs[2] = {1.0, 0.8};
  for (int k = 0; k < 2; k++) {
    fleet_population_t pop;
    fleet_state_t state;
    start(&p, &pop, &state);
    double bidirectional = 0.0;
    for (int64_t i = 0; i < pop.slots; i++) {
      state.soh[i] = (float)sohs[k];
      bidirectional += pop.bidirectional[i] * pop.active[i];
    }
    cr_assert_gt(bidirectional, 0.0);
    fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
    fleet_workspace_t *ws = calloc(1, sizeof *ws);
    cr_assert(ctx && ws);
    fleet_year_ctx_init(&p, &pop, 0, 0, ctx);
    const fleet_interval_t none = {0.0, 0.0};
    ctx->outage_override = &none; /* every household: no outage */
    ctx->outage_override_count = 0;
    const double target = sohs[k] * p.battery_kwh * p.charge_target_fraction;
    fleet_lane_year_t lanes;
    for (int64_t b = 0; b < pop.blocks; b++) {
      fleet_block_year(ctx, b, &state, ws, &lanes);
      for (int l = 0; l < pop.block_lanes[b]; l++) {
        cr_assert_eq(lanes.drive_kwh[l], 0.0);
        cr_assert_float_eq(lanes.soc_end_kwh[l], target, 1e-4, "soh %g: %g kWh", sohs[k], lanes.soc_end_kwh[l]);
        /* no throughput: the calendar and V2G terms only */
        const double fade = p.ageing_calendar_fade_per_year +
                            p.ageing_cycle_fade_per_efc * pop.bidirectional[b * FLEET_LANES + l] *
                                p.ageing_v2g_cycles_per_year;
        cr_assert_float_eq(lanes.soh_end[l], sohs[k] - fade, 1e-7);
      }
    }
    const double above_kwh = (double)ws->acc.storage_battery[FLEET_HOURS_PER_YEAR - 1] / FLEET_ACCUM_SCALE;
    const double per_car = sohs[k] * p.battery_kwh * (p.charge_target_fraction - p.soc_floor_fraction_min);
    cr_assert_eq(p.soc_floor_fraction_min, p.soc_floor_fraction_max);
    cr_assert_float_eq(above_kwh, bidirectional * per_car, 1e-3, "soh %g: %g kWh, expected %g", sohs[k], above_kwh,
                       bidirectional * per_car);
    free(ws);
    free(ctx);
    fleet_state_free(&state);
    fleet_population_free(&pop);
  }
}

/* The fleet output: the year's state-of-health sum over the active cars. V2G does not change a
 * year's trips or charging, so raising v2g_cycles_per_year from 0 to 200 lowers the sum by exactly
 * bidirectional cars x 0.00004 x 200 (up to the float state: 2^-25 per car); driving more (a 50 %
 * higher consumption) lowers it too. */
Test(ageing, the_fleet_sum_falls_with_v2g_and_with_driving) {
  static fleet_params_t p;
  load(&p, "fleet.vehicles=2000", 1);
  const double v2g[3] = {0.0, 200.0, 0.0};
  const double consumption[3] = {1.0, 1.0, 1.5};
  double sum[3], bidirectional = 0.0;
  const double kwh_min = p.consumption_kwh_per_km_min, kwh_max = p.consumption_kwh_per_km_max;
  for (int k = 0; k < 3; k++) {
    p.ageing_v2g_cycles_per_year = v2g[k];
    p.consumption_kwh_per_km_min = kwh_min * consumption[k];
    p.consumption_kwh_per_km_max = kwh_max * consumption[k];
    fleet_population_t pop;
    fleet_state_t state;
    start(&p, &pop, &state);
    if (k == 0)
      for (int64_t i = 0; i < pop.slots; i++) bidirectional += pop.bidirectional[i] * pop.active[i];
    static fleet_year_totals_t totals;
    fleet_error_t err;
    cr_assert_eq(fleet_simulate_year(&p, &pop, &state, 0, 0, &totals, &err), FLEET_OK, "%s", err.message);
    sum[k] = totals.state_of_health_sum;
    cr_assert_gt(sum[k], 0.9 * (double)p.vehicles);
    cr_assert_lt(sum[k], (double)p.vehicles);
    fleet_state_free(&state);
    fleet_population_free(&pop);
  }
  cr_assert_gt(bidirectional, 1000.0);
  cr_assert_float_eq(sum[0] - sum[1], bidirectional * p.ageing_cycle_fade_per_efc * 200.0, 2000 * 6e-8 + 1e-5);
  cr_assert_lt(sum[2], sum[0]);
}
