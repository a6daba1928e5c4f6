/* Analytic cases for each model component of the kernels: hand-computed expectations.
 * Tolerances: the lanes compute in float32, whose spacing is 1.9e-6 kWh at 30 kWh; a state of
 * charge that went through up to a few dozen rounded operations is compared to 1e-5 or 1e-4 kWh
 * (the looser one where a whole day of hourly steps accumulates), exact values with 0. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "fastmath.h"
#include "hour_sums.h"
#include "mobility.h"
#include "population.h"
#include "temperature.h"
#include "vehicle_step.h"

/* ---- fast logarithm ------------------------------------------------------------------------- */

Test(fastmath, ln_matches_libm_over_the_unit_interval) {
  /* Every open-interval uniform the generator can produce (2^24 of them): the series' truncation
   * error is < 7e-10, so what is left is float rounding of a handful of operations: a few ulp,
   * i.e. a relative error under 3e-7 (float epsilon is 1.19e-7). */
  double worst = 0.0;
  for (uint32_t i = 0; i < (1u << 24); i++) {
    float u = fleet_u01_open(i << 8);
    double exact = log((double)u);
    double rel = fabs((double)fleet_lnf(u) - exact) / fabs(exact);
    if (rel > worst) worst = rel;
  }
  cr_assert_lt(worst, 3e-7, "worst relative error %g", worst);
  cr_assert_float_eq(fleet_lnf(1.0f), 0.0f, 1e-9);
  cr_assert_float_eq(fleet_lnf(1e6f), (float)log(1e6), 2e-6);
}

/* ---- temperature ---------------------------------------------------------------------------- */

Test(temperature, consumption_factor_is_piecewise_linear) {
  fleet_params_t p;
  memset(&p, 0, sizeof p);
  p.cold_threshold_c = 15.0;
  p.cold_increase_per_c = 0.0167;
  p.heat_threshold_c = 25.0;
  p.heat_increase_per_c = 0.0205;
  cr_assert_float_eq(fleet_consumption_factor(&p, 20.0), 1.0, 1e-15);
  cr_assert_float_eq(fleet_consumption_factor(&p, 0.0), 1.0 + 15.0 * 0.0167, 1e-15); /* x1.25 */
  cr_assert_float_eq(fleet_consumption_factor(&p, 35.0), 1.0 + 10.0 * 0.0205, 1e-15);
  cr_assert_float_eq(fleet_consumption_factor(&p, -10.0), 1.0 + 25.0 * 0.0167, 1e-15);
}

/* ---- regions -------------------------------------------------------------------------------- */

Test(population, region_counts_by_largest_remainder) {
  fleet_params_t p;
  memset(&p, 0, sizeof p);
  p.region_count = 3;
  p.regions[0].fleet_share = 0.5;
  p.regions[1].fleet_share = 0.3;
  p.regions[2].fleet_share = 0.2;
  p.vehicles = 7; /* exact 3.5, 2.1, 1.4: floors 3, 2, 1; the one left goes to the largest .5 */
  int64_t counts[FLEET_MAX_REGIONS];
  fleet_region_counts(&p, counts);
  cr_assert_eq(counts[0], 4);
  cr_assert_eq(counts[1], 2);
  cr_assert_eq(counts[2], 1);
  p.vehicles = 1000003;
  fleet_region_counts(&p, counts);
  cr_assert_eq(counts[0] + counts[1] + counts[2], 1000003);
}

/* ---- the hourly step ------------------------------------------------------------------------ */

/* One active lane (lane 0) with a socket charger, a 30 kWh battery, 0.2 kWh/km; the other
 * lanes are inert. */
static void one_lane(fleet_step_consts_t *c, fleet_lane_state_t *s, float soc) {
  memset(c, 0, sizeof *c);
  memset(s, 0, sizeof *s);
  c->kwh_per_km[0] = 0.2f;
  c->home_charge_kwh[0] = 2.3f * 0.85f; /* 1.955 kWh per hour */
  c->target_kwh[0] = 30.0f;
  c->floor_kwh[0] = 9.0f;
  c->plug_threshold_kwh[0] = 15.0f;
  c->has_charger[0] = 1.0f;
  c->storage_lane[0] = 1.0f;
  c->discharge_kw[0] = 2.3f;
  c->public_reserve_kwh[0] = 3.0f;
  c->public_target_kwh[0] = 24.0f;
  s->soc_kwh[0] = soc;
  s->plugged[0] = 1.0f;
  s->away_prev[0] = 0.0f;
}

/* Steps a day with no sun, no garage top-up and a constant consumption factor. */
static void step(const fleet_step_consts_t *c, fleet_lane_state_t *s, const fleet_day_plan_t *today,
                 const fleet_day_plan_t *tomorrow, float factor, float plug_every, fleet_day_sums_t *sums,
                 float (*trace)[FLEET_LANES]) {
  fleet_day_inputs_t in;
  fleet_solar_consts_t sol;
  memset(&in, 0, sizeof in);
  memset(&sol, 0, sizeof sol);
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) in.consumption_factor[h] = factor;
  in.day_factor = factor;
  fleet_step_day(c, &sol, 0.9f, plug_every, &in, today, tomorrow, s, sums, trace, 0, 0);
}

static void no_trip(fleet_day_plan_t *p) {
  for (int l = 0; l < FLEET_LANES; l++) {
    p->dep_hour[l] = p->ret_hour[l] = p->dep2_hour[l] = p->ret2_hour[l] = FLEET_NO_HOUR;
    p->out_km[l] = p->back_km[l] = p->need_km[l] = p->at_work[l] = 0.0f;
    p->out2_km[l] = p->back2_km[l] = p->need2_km[l] = p->trips[l] = 0.0f;
  }
}

static void commute(fleet_day_plan_t *p, float dep, float ret, float km_each_way) {
  no_trip(p);
  p->dep_hour[0] = dep;
  p->ret_hour[0] = ret;
  p->out_km[0] = p->back_km[0] = km_each_way;
  p->need_km[0] = 2.0f * km_each_way;
  p->at_work[0] = 1.0f;
}

Test(vehicle_step, commute_day_by_hand) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  float trace[FLEET_HOURS_PER_DAY][FLEET_LANES];
  one_lane(&c, &s, 20.0f);
  commute(&today, 7.0f, 17.0f, 10.0f); /* 2 kWh each way */
  commute(&tomorrow, 7.0f, 17.0f, 25.0f); /* needs 50 km = 10 kWh */
  step(&c, &s, &today, &tomorrow, 1.0f, 1.0f, &sums, trace);
  /* Charged 1.955 kWh an hour from 20 until the 30 kWh target, leave at 7 (-2), drive home at 17
   * (-2), plug in at 18 and charge back to 30. */
  const double expected[24] = {21.955, 23.91, 25.865, 27.82, 29.775, 30, 30, 28, 28, 28, 28, 28,
                               28,     28,    28,     28,    28,     26, 27.955, 29.91, 30, 30, 30, 30};
  for (int h = 0; h < 24; h++) cr_assert_float_eq(trace[h][0], expected[h], 1e-4, "hour %d", h);
  for (int h = 0; h < 24; h++) {
    int home = h < 7 || h > 17;
    /* Before leaving, keep max(floor 9, today's trip 4) = 9; after, max(9, tomorrow's 10) = 10. */
    double keep = h < 7 ? 9.0 : 10.0;
    /* energy_kwh is at the battery; the power, deliverable, is after the 0.9 discharge efficiency */
    double above = home ? expected[h] - keep : 0.0;
    cr_assert_float_eq(sums.energy_kwh[h][0], above, 1e-4, "hour %d", h);
    cr_assert_float_eq(sums.power_kw[h][0], fmin(above * 0.9, 2.3), 1e-4, "hour %d", h);
    cr_assert_float_eq(sums.plugged[h][0], (float)home, 0.0, "hour %d", h);
    for (int l = 1; l < FLEET_LANES; l++) cr_assert_eq(sums.energy_kwh[h][l], 0.0f);
  }
  cr_assert_float_eq(sums.home_in_kwh[0], 14.0, 1e-4); /* 10 before leaving, 4 after */
  cr_assert_float_eq(sums.drive_kwh[0], 4.0, 1e-6);
  cr_assert_float_eq(sums.public_in_kwh[0], 0.0, 0.0);
  cr_assert_float_eq(s.soc_kwh[0], 30.0, 1e-5);
  cr_assert_float_eq(s.plugged[0], 1.0, 0.0);
}

/* A commute (7:00-17:00, 2 kWh each way) then an evening outing (19:00-21:00, 3 kWh each way),
 * tomorrow's commute 10 kWh; the reserve is the floor plus the trips ahead: both outings before
 * 7:00, the evening's between the two, tomorrow's after 19:00. By hand, hour by hour. */
Test(vehicle_step, two_outings_a_day_by_hand) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  float trace[FLEET_HOURS_PER_DAY][FLEET_LANES];
  one_lane(&c, &s, 30.0f);
  c.reserve_adds_floor[0] = 1.0f;
  commute(&today, 7.0f, 17.0f, 10.0f);
  today.dep2_hour[0] = 19.0f;
  today.ret2_hour[0] = 21.0f;
  today.out2_km[0] = today.back2_km[0] = 15.0f;
  today.need2_km[0] = 30.0f;
  today.need_km[0] = 20.0f + 30.0f;
  commute(&tomorrow, 7.0f, 17.0f, 25.0f);
  step(&c, &s, &today, &tomorrow, 1.0f, 1.0f, &sums, trace);
  const double expected[24] = {30, 30, 30, 30, 30, 30, 30, 28, 28, 28, 28, 28,
                               28, 28, 28, 28, 28, 26, 27.955, 24.955, 24.955, 21.955, 23.91, 25.865};
  for (int h = 0; h < 24; h++) {
    cr_assert_float_eq(trace[h][0], expected[h], 1e-4, "hour %d", h);
    const int away = (h >= 7 && h <= 17) || (h >= 19 && h <= 21);
    cr_assert_eq(sums.away[h][0], (float)away, "hour %d", h);
    const double keep = h < 7 ? 9.0 + 10.0 : h < 19 ? 9.0 + 6.0 : 9.0 + 10.0;
    cr_assert_float_eq(sums.energy_kwh[h][0], away ? 0.0 : expected[h] - keep, 1e-4, "hour %d", h);
  }
  cr_assert_float_eq(sums.drive_kwh[0], 10.0, 1e-5);
  cr_assert_float_eq(sums.home_in_kwh[0], 3.0 * 1.955, 1e-4);
}

Test(vehicle_step, cold_day_scales_consumption) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  one_lane(&c, &s, 30.0f);
  commute(&today, 7.0f, 17.0f, 10.0f);
  no_trip(&tomorrow);
  step(&c, &s, &today, &tomorrow, 1.25f, 1.0f, &sums, NULL);
  cr_assert_float_eq(sums.drive_kwh[0], 2.0 * 10.0 * 0.2 * 1.25, 1e-5);
}

Test(vehicle_step, public_charge_when_a_leg_would_leave_less_than_the_reserve) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  float trace[FLEET_HOURS_PER_DAY][FLEET_LANES];
  one_lane(&c, &s, 5.0f);
  c.has_charger[0] = 0.0f; /* no home charging point */
  s.plugged[0] = 0.0f;
  commute(&today, 8.0f, 20.0f, 30.0f); /* 6 kWh out at 8; back 6 kWh at 20 */
  no_trip(&tomorrow);
  step(&c, &s, &today, &tomorrow, 1.0f, 1.0f, &sums, trace);
  /* At 8: 5 - 6 < 3, so charge to max(24, 3 + 6) = 24 first: +19, then drive: 18. At 20:
   * 18 - 6 = 12 >= 3, no charge. */
  cr_assert_float_eq(trace[7][0], 5.0, 1e-6);
  cr_assert_float_eq(trace[8][0], 18.0, 1e-5);
  cr_assert_float_eq(trace[23][0], 12.0, 1e-5);
  cr_assert_float_eq(sums.public_in_kwh[0], 19.0, 1e-5);
  cr_assert_float_eq(sums.home_in_kwh[0], 0.0, 0.0);
  for (int h = 0; h < 24; h++) cr_assert_eq(sums.plugged[h][0], 0.0f);
  /* A 200 km leg (40 kWh) from 5 kWh: charged to 3 + 40 on the way, arrives with the reserve. */
  one_lane(&c, &s, 5.0f);
  c.has_charger[0] = 0.0f;
  s.plugged[0] = 0.0f;
  commute(&today, 8.0f, 20.0f, 200.0f);
  step(&c, &s, &today, &tomorrow, 1.0f, 1.0f, &sums, trace);
  cr_assert_float_eq(trace[8][0], 3.0, 1e-5);
  cr_assert_float_eq(sums.public_in_kwh[0], 38.0 + 40.0, 1e-4); /* 38 going, 40 coming back */
}

/* The grid's CO2 is each hour's kWh into the battery x that hour's intensity, summed: home
 * charging at night and after the evening return, public charging before a leg. Whole kWh and
 * whole grams, so the float sums are exact. */
Test(vehicle_step, grid_co2_is_each_hours_kwh_times_that_hours_intensity) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  fleet_day_inputs_t in;
  fleet_solar_consts_t sol;
  memset(&in, 0, sizeof in);
  memset(&sol, 0, sizeof sol);
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
    in.consumption_factor[h] = 1.0f;
    in.grid_g_co2_per_kwh[h] = (float)(30 + 2 * h); /* 30 g at midnight .. 76 g at 23:00 */
  }
  in.day_factor = 1.0f;
  one_lane(&c, &s, 20.0f);
  c.home_charge_kwh[0] = 2.0f;
  c.kwh_per_km[0] = 0.25f;            /* exact in binary, so every kWh below is */
  commute(&today, 7.0f, 17.0f, 8.0f); /* 2 kWh each way */
  no_trip(&tomorrow);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, NULL, 0, 0);
  /* 2 kWh an hour at 0-4 (20 -> 30), then at 18 and 19 after the two legs (26 -> 30). */
  cr_assert_eq(sums.home_in_kwh[0], 14.0f);
  cr_assert_eq(sums.home_in_co2_g[0], 2.0f * (30 + 32 + 34 + 36 + 38) + 2.0f * (66 + 68));
  cr_assert_eq(sums.public_in_co2_g[0], 0.0f);
  cr_assert_eq(sums.garage_topup_co2_g[0], 0.0f);
  for (int l = 1; l < FLEET_LANES; l++) cr_assert_eq(sums.home_in_co2_g[l], 0.0f);
  /* A car without a charging point: 5 kWh, a 6 kWh leg at 8 charges 19 kWh in public at 8. */
  one_lane(&c, &s, 5.0f);
  c.kwh_per_km[0] = 0.25f;
  c.has_charger[0] = 0.0f;
  s.plugged[0] = 0.0f;
  commute(&today, 8.0f, 20.0f, 24.0f);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, NULL, 0, 0);
  cr_assert_eq(sums.public_in_kwh[0], 19.0f);
  cr_assert_eq(sums.public_in_co2_g[0], 19.0f * 46);
  cr_assert_eq(sums.home_in_co2_g[0], 0.0f);
}

Test(vehicle_step, below_threshold_policy_plugs_only_low_cars) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  float trace[FLEET_HOURS_PER_DAY][FLEET_LANES];
  /* Arrives at 18 with 20 - 4 = 16 kWh, above the 15 kWh threshold: stays unplugged. */
  one_lane(&c, &s, 20.0f);
  s.plugged[0] = 0.0f;
  commute(&today, 7.0f, 17.0f, 10.0f);
  no_trip(&tomorrow);
  step(&c, &s, &today, &tomorrow, 1.0f, 0.0f, &sums, trace);
  cr_assert_float_eq(trace[23][0], 16.0, 1e-5);
  cr_assert_float_eq(sums.home_in_kwh[0], 0.0, 0.0);
  for (int h = 0; h < 24; h++) cr_assert_eq(sums.energy_kwh[h][0], 0.0f);
  /* Arrives with 12 kWh (< 15): plugs in and charges from hour 18. */
  one_lane(&c, &s, 16.0f);
  s.plugged[0] = 0.0f;
  step(&c, &s, &today, &tomorrow, 1.0f, 0.0f, &sums, trace);
  cr_assert_float_eq(trace[17][0], 12.0, 1e-5);
  cr_assert_float_eq(trace[18][0], 12.0 + 1.955, 1e-5);
  cr_assert_eq(sums.plugged[18][0], 1.0f);
}

Test(vehicle_step, a_car_without_bidirectional_equipment_gives_nothing) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  one_lane(&c, &s, 25.0f);
  c.storage_lane[0] = 0.0f;
  no_trip(&today);
  no_trip(&tomorrow);
  step(&c, &s, &today, &tomorrow, 1.0f, 1.0f, &sums, NULL);
  for (int h = 0; h < 24; h++) {
    cr_assert_eq(sums.energy_kwh[h][0], 0.0f);
    cr_assert_eq(sums.plugged[h][0], 1.0f); /* still plugged and charging */
  }
  cr_assert_float_eq(sums.home_in_kwh[0], 5.0, 1e-5);
}

Test(vehicle_step, next_trip_need_above_the_floor_is_kept) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  one_lane(&c, &s, 30.0f);
  no_trip(&today);
  commute(&tomorrow, 7.0f, 17.0f, 60.0f); /* tomorrow needs 120 km = 24 kWh > floor 9 */
  step(&c, &s, &today, &tomorrow, 1.0f, 1.0f, &sums, NULL);
  for (int h = 0; h < 24; h++) cr_assert_float_eq(sums.energy_kwh[h][0], 30.0 - 24.0, 1e-5); /* at the battery */
}

/* By hand, a full car (30 kWh, target reached, so no charging) parked all day with tomorrow's
 * commute of 2 x 25 km = 50 km x 0.2 kWh/km = 10 kWh and a floor of 9 kWh. The rule of DESIGN.md
 * model 5 keeps floor + trips = 19 kWh: it gives back (30 - 19) x 0.9 = 9.9 kWh. The earlier rule
 * kept only the larger, 10 kWh: (30 - 10) x 0.9 = 18 kWh, letting V2G leave the car at 10 kWh,
 * which the commute then takes down to 0, below the owner's floor. */
Test(vehicle_step, the_reserve_is_the_floor_plus_the_next_trips) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  const float rules[2] = {1.0f, 0.0f}; /* floor_plus_trips, larger_of_floor_and_trips */
  const double given[2] = {30.0 - 19.0, 30.0 - 10.0}; /* at the battery; x 0.9 deliverable */
  for (int rule = 0; rule < 2; rule++) {
    one_lane(&c, &s, 30.0f);
    c.reserve_adds_floor[0] = rules[rule];
    no_trip(&today);
    commute(&tomorrow, 7.0f, 17.0f, 25.0f);
    step(&c, &s, &today, &tomorrow, 1.0f, 1.0f, &sums, NULL);
    for (int h = 0; h < 24; h++)
      cr_assert_float_eq(sums.energy_kwh[h][0], given[rule], 1e-5, "rule %d, hour %d: %g", rule, h,
                         sums.energy_kwh[h][0]);
  }
}

/* The charging schedule (charging.off_peak_share) by hand. Lanes 0 and 1 are the same car (the
 * one_lane socket: 1.955 kWh an hour, target 30, floor 9, the floor-plus-trips reserve), 20 kWh
 * at midnight, commuting 25 km each way (5 kWh a leg at 0.2 kWh/km): out at 7, the drive home in
 * hour 17, home from 18:00. Lane 0 charges on arrival, lane 1 only in the off-peak window
 * 22:00-06:00. Both charge 0-4 h (the window) to the target: 21.955 ... 29.775, 30 at 5; 25 after
 * leaving, 20 after the drive home. Then lane 0 charges from 18:00: 21.955, 23.91, 25.865, 27.82,
 * 29.775, 30 at 23; lane 1 holds its 20 kWh until 22:00: 21.955 at 22, 23.91 at 23. The reserve
 * is the floor 9 + tomorrow's commute 10 = 19 kWh, so at 19:00 lane 1 gives at the battery what
 * it arrived with minus the reserve, 20 - 19 = 1 kWh, and lane 0 23.91 - 19 = 4.91 kWh. */
Test(vehicle_step, an_off_peak_car_waits_for_the_window_and_an_on_arrival_car_does_not) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  float trace[FLEET_HOURS_PER_DAY][FLEET_LANES];
  one_lane(&c, &s, 20.0f);
  c.reserve_adds_floor[0] = 1.0f;
  /* lane 1: lane 0's car on the off-peak schedule */
  c.kwh_per_km[1] = c.kwh_per_km[0];
  c.home_charge_kwh[1] = c.home_charge_kwh[0];
  c.target_kwh[1] = c.target_kwh[0];
  c.floor_kwh[1] = c.floor_kwh[0];
  c.plug_threshold_kwh[1] = c.plug_threshold_kwh[0];
  c.has_charger[1] = c.storage_lane[1] = 1.0f;
  c.discharge_kw[1] = c.discharge_kw[0];
  c.public_reserve_kwh[1] = c.public_reserve_kwh[0];
  c.public_target_kwh[1] = c.public_target_kwh[0];
  c.reserve_adds_floor[1] = 1.0f;
  c.off_peak[1] = 1.0f;
  s.soc_kwh[1] = 20.0f;
  s.plugged[1] = 1.0f;
  commute(&today, 7.0f, 17.0f, 25.0f);
  commute(&tomorrow, 7.0f, 17.0f, 25.0f);
  for (int l = 1; l < 2; l++) {
    today.dep_hour[l] = tomorrow.dep_hour[l] = 7.0f;
    today.ret_hour[l] = tomorrow.ret_hour[l] = 17.0f;
    today.out_km[l] = today.back_km[l] = tomorrow.out_km[l] = tomorrow.back_km[l] = 25.0f;
    today.need_km[l] = tomorrow.need_km[l] = 50.0f;
  }
  fleet_day_inputs_t in;
  fleet_solar_consts_t sol;
  memset(&in, 0, sizeof in);
  memset(&sol, 0, sizeof sol);
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
    in.consumption_factor[h] = 1.0f;
    in.off_peak_window[h] = h >= 22 || h < 6 ? 1.0f : 0.0f;
  }
  in.day_factor = 1.0f;
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, trace, 0, 0);
  const double on_arrival[24] = {21.955, 23.91, 25.865, 27.82, 29.775, 30, 30, 25, 25, 25, 25, 25,
                                 25,     25,    25,     25,    25,     20, 21.955, 23.91, 25.865, 27.82, 29.775, 30};
  const double off_peak[24] = {21.955, 23.91, 25.865, 27.82, 29.775, 30, 30, 25, 25, 25, 25, 25,
                               25,     25,    25,     25,    25,     20, 20, 20, 20, 20, 21.955, 23.91};
  for (int h = 0; h < 24; h++) {
    cr_assert_float_eq(trace[h][0], on_arrival[h], 1e-4, "on arrival, hour %d: %g", h, trace[h][0]);
    cr_assert_float_eq(trace[h][1], off_peak[h], 1e-4, "off-peak, hour %d: %g", h, trace[h][1]);
    /* plugged in alike: the off-peak car waits plugged in */
    cr_assert_eq(sums.plugged[h][1], sums.plugged[h][0], "hour %d", h);
  }
  /* 18:00: the on-arrival car charges at its power, the off-peak one not at all; 22:00: it does */
  cr_assert_float_eq(trace[18][0] - trace[17][0], 1.955, 1e-4);
  cr_assert_eq(trace[18][1], trace[17][1]);
  cr_assert_eq(trace[21][1], trace[17][1]);
  cr_assert_float_eq(trace[22][1] - trace[21][1], 1.955, 1e-4);
  /* 19:00 at the battery: arrived with 20, reserve 9 + 10 */
  cr_assert_float_eq(sums.energy_kwh[19][1], 20.0 - 19.0, 1e-5, "%g", sums.energy_kwh[19][1]);
  cr_assert_float_eq(sums.energy_kwh[19][0], 23.91 - 19.0, 1e-4, "%g", sums.energy_kwh[19][0]);
  /* what went in during the window: all of the off-peak car's 10 + 3.91 kWh; of the on-arrival
   * car's 10 + 10, the morning's 10 and 22-23 h's 1.955 + 0.225 */
  cr_assert_float_eq(sums.home_in_kwh[1], 13.91, 1e-4);
  cr_assert_eq(sums.home_in_off_peak_kwh[1], sums.home_in_kwh[1]);
  cr_assert_float_eq(sums.home_in_kwh[0], 20.0, 1e-4);
  cr_assert_float_eq(sums.home_in_off_peak_kwh[0], 12.18, 1e-4);
}

/* ---- the daily trip draws ------------------------------------------------------------------- */

static void quiet_rates(fleet_plan_rates_t *r) {
  memset(r, 0, sizeof *r);
  r->long_trip_ln_q = -INFINITY; /* no nights away */
  r->long_trip_km_min = 160.0f;
  r->long_trip_departure_hour = 8.0f;
  r->long_trip_return_hour = 18.0f;
  r->errand_hour_span = 1.0f;
  r->weekend_trip_hour_span = 1.0f;
  r->evening_trip_hour_span = 1.0f;
}

static void worker(fleet_plan_consts_t *c, uint64_t first_vehicle) {
  memset(c, 0, sizeof *c);
  for (int l = 0; l < FLEET_LANES; l++) {
    c->vehicle_id[l] = (uint32_t)(first_vehicle + (uint64_t)l);
    c->active[l] = 1.0f;
    c->employed[l] = 1.0f;
    c->commute_km[l] = 12.5f;
    c->departure_hour[l] = 7.0f;
    c->return_hour[l] = 17.0f;
  }
}

Test(mobility, a_worker_commutes_on_workdays_only) {
  fleet_plan_rates_t r;
  fleet_plan_consts_t c;
  fleet_trip_state_t in, out;
  fleet_day_plan_t plan;
  quiet_rates(&r);
  worker(&c, 0);
  memset(&in, 0, sizeof in);
  fleet_plan_day(&r, &c, 1234u, 10, 1.0f, 0.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], 7.0f);
    cr_assert_eq(plan.ret_hour[l], 17.0f);
    cr_assert_eq(plan.out_km[l], 12.5f);
    cr_assert_eq(plan.back_km[l], 12.5f);
    cr_assert_eq(plan.need_km[l], 25.0f);
    cr_assert_eq(plan.at_work[l], 1.0f);
    cr_assert_eq(out.nights_left[l], 0.0f);
  }
  fleet_plan_day(&r, &c, 1234u, 11, 0.0f, 1.0f, &in, &out, &plan); /* a Saturday, nothing else */
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], FLEET_NO_HOUR);
    cr_assert_eq(plan.out_km[l] + plan.back_km[l], 0.0f);
  }
  /* Everyone absent: no commute. */
  r.work_absence_probability = 1.0f;
  fleet_plan_day(&r, &c, 1234u, 12, 1.0f, 0.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) cr_assert_eq(plan.dep_hour[l], FLEET_NO_HOUR);
}

Test(mobility, weekend_trip_and_errand_legs) {
  fleet_plan_rates_t r;
  fleet_plan_consts_t c;
  fleet_trip_state_t in, out;
  fleet_day_plan_t plan;
  quiet_rates(&r);
  worker(&c, 0);
  memset(&in, 0, sizeof in);
  r.weekend_trip_probability = 1.0f;
  r.weekend_trip_km_mean = 80.0f;
  r.weekend_trip_hour_min = 10.0f;
  r.weekend_trip_duration_hours = 5.0f;
  fleet_plan_day(&r, &c, 99u, 40, 0.0f, 1.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], 10.0f);
    cr_assert_eq(plan.ret_hour[l], 15.0f);
    cr_assert_eq(plan.out_km[l], plan.back_km[l]);
    cr_assert_gt(plan.out_km[l], 0.0f);
  }
  /* On a workday a stop rides along with the drive home: one trip more. */
  r.commute_stop_probability = 1.0f;
  r.commute_stop_km_mean = 5.0f;
  fleet_plan_day(&r, &c, 99u, 41, 1.0f, 0.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], 7.0f);
    cr_assert_eq(plan.out_km[l], 12.5f);
    cr_assert_gt(plan.back_km[l], 12.5f);
    cr_assert_float_eq(plan.need_km[l], plan.out_km[l] + plan.back_km[l], 1e-6);
    cr_assert_eq(plan.trips[l], 3.0f);
    cr_assert_eq(plan.dep2_hour[l], FLEET_NO_HOUR);
  }
}

Test(mobility, an_evening_outing_follows_the_main_one_or_stands_alone) {
  fleet_plan_rates_t r;
  fleet_plan_consts_t c;
  fleet_trip_state_t in, out;
  fleet_day_plan_t plan;
  quiet_rates(&r);
  worker(&c, 0);
  memset(&in, 0, sizeof in);
  r.evening_trip_probability_weekday = 1.0f;
  r.evening_trip_probability_weekend = 1.0f;
  r.evening_trip_km_mean = 10.0f;
  r.evening_trip_hour_min = 19.0f;
  r.evening_trip_duration_hours = 2.0f;
  /* After the commute (7:00-17:00): slot 2 leaves at 19, back at 21; the reserve before the
   * commute holds both outings, between them the evening's. */
  fleet_plan_day(&r, &c, 42u, 50, 1.0f, 0.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], 7.0f);
    cr_assert_eq(plan.ret_hour[l], 17.0f);
    cr_assert_eq(plan.dep2_hour[l], 19.0f);
    cr_assert_eq(plan.ret2_hour[l], 21.0f);
    cr_assert_gt(plan.out2_km[l], 0.0f);
    cr_assert_eq(plan.out2_km[l], plan.back2_km[l]);
    cr_assert_float_eq(plan.need2_km[l], plan.out2_km[l] + plan.back2_km[l], 1e-6);
    cr_assert_float_eq(plan.need_km[l], 25.0f + plan.need2_km[l], 1e-5);
    cr_assert_eq(plan.trips[l], 4.0f);
  }
  /* A Saturday without a main outing: the evening outing is slot 1, slot 2 is empty. */
  fleet_plan_day(&r, &c, 42u, 51, 0.0f, 1.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], 19.0f);
    cr_assert_eq(plan.ret_hour[l], 21.0f);
    cr_assert_eq(plan.dep2_hour[l], FLEET_NO_HOUR);
    cr_assert_eq(plan.at_work[l], 0.0f);
    cr_assert_eq(plan.trips[l], 2.0f);
  }
  /* Home from work only at 19:00: no evening outing leaving at 19 that day. */
  for (int l = 0; l < FLEET_LANES; l++) c.return_hour[l] = 19.0f;
  fleet_plan_day(&r, &c, 42u, 52, 1.0f, 0.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep2_hour[l], FLEET_NO_HOUR);
    cr_assert_eq(plan.trips[l], 2.0f);
    cr_assert_eq(plan.need_km[l], 25.0f);
  }
}

/* The draws per vehicle-day are fixed: changing the evening outings' and the stop's parameters
 * leaves every lane-day's main outing as it was (common random numbers across scenarios). */
Test(mobility, other_outings_keys_leave_the_main_outing_alone) {
  fleet_plan_rates_t r;
  fleet_plan_consts_t c;
  fleet_trip_state_t in, out;
  fleet_day_plan_t a, b;
  quiet_rates(&r);
  worker(&c, 32);
  memset(&in, 0, sizeof in);
  r.errand_day_probability = 0.5f;
  r.errand_km_mean = 30.0f;
  r.errand_hour_min = 9.0f;
  r.errand_hour_span = 8.0f;
  r.work_absence_probability = 0.3f;
  for (int d = 0; d < 60; d++) {
    fleet_plan_rates_t r2 = r;
    r2.evening_trip_probability_weekday = 0.9f;
    r2.evening_trip_km_mean = 40.0f;
    r2.evening_trip_hour_min = 19.0f;
    r2.commute_stop_probability = 0.7f;
    r2.commute_stop_km_mean = 9.0f;
    fleet_plan_day(&r, &c, 77u, d, d % 7 < 5 ? 1.0f : 0.0f, 0.0f, &in, &out, &a);
    fleet_plan_day(&r2, &c, 77u, d, d % 7 < 5 ? 1.0f : 0.0f, 0.0f, &in, &out, &b);
    for (int l = 0; l < FLEET_LANES; l++) {
      cr_assert_eq(a.at_work[l], b.at_work[l]);
      cr_assert_eq(a.out_km[l], a.dep_hour[l] == b.dep_hour[l] ? b.out_km[l] : a.out_km[l]);
      if (a.dep_hour[l] != FLEET_NO_HOUR) { /* b may have gained an evening outing in slot 1 */
        cr_assert_eq(a.dep_hour[l], b.dep_hour[l]);
        cr_assert_eq(a.ret_hour[l], b.ret_hour[l]);
        cr_assert_eq(a.out_km[l], b.out_km[l]);
      }
    }
  }
}

/* Trips per car-day, the share of cars away at 19:00 and the annual km of a year of draws
 * against their expectations from the rates, weekdays and weekends apart. 4,000 vehicles: a
 * quarter not employed, the rest commuting 12.5 km each way 7:00-17:00 when present; errands
 * back by 18:00, weekend outings 10:00-15:00, evening outings 19:00-21:00, so that every evening
 * outing drawn is made and at 19:00 exactly the evening outings are away; no long trips (their
 * own test above). Each mean is tested within 4 standard errors, the standard error being the
 * sample standard deviation / sqrt(n) over n independent units (vehicle-days for trips and the
 * 19:00 share, a binomial; vehicles for annual km): a false alarm about once in 16,000 runs. */
Test(mobility, trips_away_at_19_and_annual_km_match_their_expectations) {
  enum { BLOCKS = 250, DAYS = 365 };
  fleet_plan_rates_t r;
  quiet_rates(&r);
  r.work_absence_probability = 0.1f;
  r.commute_stop_probability = 0.3f;
  r.commute_stop_km_mean = 5.0f;
  r.errand_day_probability = 0.5f;
  r.errand_km_mean = 30.0f;
  r.errand_hour_min = 9.0f;
  r.errand_hour_span = 8.0f; /* 9..16, back by 18 */
  r.errand_duration_hours = 2.0f;
  r.weekend_trip_probability = 0.5f;
  r.weekend_trip_km_mean = 80.0f;
  r.weekend_trip_hour_min = 10.0f;
  r.weekend_trip_duration_hours = 5.0f;
  r.evening_trip_probability_weekday = 0.3f;
  r.evening_trip_probability_weekend = 0.45f;
  r.evening_trip_km_mean = 25.0f;
  r.evening_trip_hour_min = 19.0f;
  r.evening_trip_duration_hours = 2.0f;
  const double e = 0.75, present = 0.9, s = 0.3, p_err = 0.5, p_we = 0.5;
  const double ev_wd = 0.3, ev_we = 0.45;
  const double trips_wd = e * (present * (2 + s) + (1 - present) * 2 * p_err) + (1 - e) * 2 * p_err + 2 * ev_wd;
  const double trips_we = 2 * p_we + (1 - p_we) * 2 * p_err + 2 * ev_we;
  const double km_wd = e * (present * (25.0 + s * 5.0) + (1 - present) * p_err * 30.0) + (1 - e) * p_err * 30.0 + ev_wd * 25.0;
  const double km_we = p_we * 80.0 + (1 - p_we) * p_err * 30.0 + ev_we * 25.0;
  double sum[2] = {0}, sum2[2] = {0}, away[2] = {0}, n[2] = {0};
  double km_sum = 0.0, km_sum2 = 0.0;
  static double km_vehicle[BLOCKS * FLEET_LANES];
  memset(km_vehicle, 0, sizeof km_vehicle);
  for (int b = 0; b < BLOCKS; b++) {
    fleet_plan_consts_t c;
    worker(&c, (uint64_t)b * FLEET_LANES);
    for (int l = 0; l < FLEET_LANES; l++) c.employed[l] = l % 4 == 0 ? 0.0f : 1.0f;
    fleet_trip_state_t in, out;
    memset(&in, 0, sizeof in);
    for (int d = 0; d < DAYS; d++) {
      const int weekend = d % 7 >= 5; /* day 0 a Monday: 261 weekdays, 104 weekend days */
      fleet_day_plan_t plan;
      fleet_plan_day(&r, &c, 2026u, d, weekend ? 0.0f : 1.0f, weekend ? 1.0f : 0.0f, &in, &out, &plan);
      for (int l = 0; l < FLEET_LANES; l++) {
        const double t = plan.trips[l];
        sum[weekend] += t;
        sum2[weekend] += t * t;
        n[weekend] += 1;
        const int away19 = (19.0f >= plan.dep_hour[l] && 19.0f <= plan.ret_hour[l]) ||
                           (19.0f >= plan.dep2_hour[l] && 19.0f <= plan.ret2_hour[l]);
        away[weekend] += away19;
        km_vehicle[b * FLEET_LANES + l] += plan.out_km[l] + plan.back_km[l] + plan.out2_km[l] + plan.back2_km[l];
      }
    }
  }
  const double expect_trips[2] = {trips_wd, trips_we}, expect_away[2] = {ev_wd, ev_we};
  for (int w = 0; w < 2; w++) {
    const double mean = sum[w] / n[w], sd = sqrt(sum2[w] / n[w] - mean * mean);
    cr_assert(fabs(mean - expect_trips[w]) < 4.0 * sd / sqrt(n[w]), "%s trips per car-day %.4f, expected %.4f +- %.4f",
              w ? "weekend" : "weekday", mean, expect_trips[w], 4.0 * sd / sqrt(n[w]));
    const double share = away[w] / n[w], se = sqrt(expect_away[w] * (1 - expect_away[w]) / n[w]);
    cr_assert(fabs(share - expect_away[w]) < 4.0 * se, "%s share away at 19:00 %.4f, expected %.4f +- %.4f",
              w ? "weekend" : "weekday", share, expect_away[w], 4.0 * se);
  }
  const double vehicles = BLOCKS * FLEET_LANES;
  for (int i = 0; i < BLOCKS * FLEET_LANES; i++) {
    km_sum += km_vehicle[i];
    km_sum2 += km_vehicle[i] * km_vehicle[i];
  }
  const double km_mean = km_sum / vehicles, km_sd = sqrt(km_sum2 / vehicles - km_mean * km_mean);
  const double km_expect = 261.0 * km_wd + 104.0 * km_we;
  cr_assert(fabs(km_mean - km_expect) < 4.0 * km_sd / sqrt(vehicles), "annual km %.1f, expected %.1f +- %.1f", km_mean,
            km_expect, 4.0 * km_sd / sqrt(vehicles));
}

Test(mobility, a_long_trip_spans_days_and_returns) {
  fleet_plan_rates_t r;
  fleet_plan_consts_t c;
  fleet_trip_state_t in, out;
  fleet_day_plan_t plan;
  quiet_rates(&r);
  worker(&c, 0);
  /* Same-day long trip when nights are 0: leaves at 8, back at 18, half the distance each way. */
  memset(&in, 0, sizeof in);
  r.long_trip_day_probability = 1.0f;
  fleet_plan_day(&r, &c, 7u, 100, 1.0f, 0.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], 8.0f);
    cr_assert_eq(plan.ret_hour[l], 18.0f);
    cr_assert_eq(plan.out_km[l], plan.back_km[l]);
    cr_assert_geq(plan.out_km[l] + plan.back_km[l], 160.0f);
    cr_assert_eq(out.nights_left[l], 0.0f);
  }
  /* Two nights left: away all day (left earlier, not back), nothing driven; one night left:
   * back at 18 with the return leg. */
  for (int l = 0; l < FLEET_LANES; l++) {
    in.nights_left[l] = 2.0f;
    in.back_km[l] = 150.0f;
  }
  fleet_plan_day(&r, &c, 7u, 101, 1.0f, 0.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], -1.0f);
    cr_assert_eq(plan.ret_hour[l], FLEET_NO_HOUR);
    cr_assert_eq(plan.out_km[l] + plan.back_km[l], 0.0f);
    cr_assert_eq(out.nights_left[l], 1.0f);
    cr_assert_eq(out.back_km[l], 150.0f);
  }
  in = out;
  fleet_plan_day(&r, &c, 7u, 102, 1.0f, 0.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], -1.0f);
    cr_assert_eq(plan.ret_hour[l], 18.0f);
    cr_assert_eq(plan.back_km[l], 150.0f);
    cr_assert_eq(out.nights_left[l], 0.0f);
    cr_assert_eq(out.back_km[l], 0.0f);
  }
}

Test(mobility, draws_depend_on_the_address_only) {
  fleet_plan_rates_t r;
  fleet_plan_consts_t c;
  fleet_trip_state_t in, out;
  fleet_day_plan_t a, b;
  quiet_rates(&r);
  worker(&c, 16);
  memset(&in, 0, sizeof in);
  r.errand_day_probability = 0.5f;
  r.errand_km_mean = 20.0f;
  /* The same (prefix, vehicle, day) gives the same trip, whatever else is computed around it. */
  fleet_plan_day(&r, &c, 555u, 3, 0.0f, 0.0f, &in, &out, &a);
  fleet_plan_day(&r, &c, 555u, 3, 0.0f, 0.0f, &in, &out, &b);
  cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
  fleet_plan_day(&r, &c, 556u, 3, 0.0f, 0.0f, &in, &out, &b);
  cr_assert_neq(memcmp(&a, &b, sizeof a), 0);
}

/* ---- solar garage and workplace carport ----------------------------------------------------- */

/* Lane 0 as in one_lane() plus a solar garage: 3 kWp, a 60 kWh battery (2 x 30) with a 6 kWh
 * floor, a 30 kWh grid top-up target; no home grid charger. */
static void garage_lane(fleet_step_consts_t *c, fleet_lane_state_t *s, float soc, float garage) {
  one_lane(c, s, soc);
  c->home_charge_kwh[0] = 0.0f;
  c->garage_kwp[0] = 3.0f;
  c->garage_capacity_kwh[0] = 60.0f;
  c->garage_floor_kwh[0] = 6.0f;
  c->garage_topup_target_kwh[0] = 30.0f;
  s->garage_kwh[0] = garage;
}

static void dc_chain(fleet_solar_consts_t *sol) {
  memset(sol, 0, sizeof *sol);
  sol->pv_to_battery_efficiency = 0.97f;
  sol->battery_to_car_efficiency = 0.95f;
  sol->grid_to_battery_efficiency = 0.95f;
  sol->battery_to_grid_efficiency = 0.95f;
  sol->garage_to_car_kwh = 7.0f;
  sol->topup_kwh = 3.0f * 0.95f;
  sol->carport_efficiency = 0.83f;
  sol->carport_to_car_kwh = 7.4f;
}

/* A clear day: 0.5 kW per kWp from 9:00 to 16:00, nothing else. */
static void clear_day(fleet_day_inputs_t *in) {
  memset(in, 0, sizeof *in);
  for (int h = 0; h < 24; h++) in->consumption_factor[h] = 1.0f;
  for (int h = 9; h < 16; h++) in->pv_kw_per_kwp[h] = 0.5f;
  in->day_factor = 1.0f;
}

Test(garage, clear_day_fills_the_battery_by_hand) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_solar_consts_t sol;
  fleet_day_inputs_t in;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  garage_lane(&c, &s, 30.0f, 10.0f); /* the car is full: everything stays in the garage */
  dc_chain(&sol);
  sol.garage_to_home_kwh = 5.0f; /* a 5 kW inverter */
  clear_day(&in);
  no_trip(&today);
  no_trip(&tomorrow);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, NULL, 1, 0);
  /* 7 hours x 3 kWp x 0.5 = 10.5 kWh produced; x 0.97 = 10.185 kWh stored. */
  cr_assert_float_eq(sums.garage_pv_kwh[0], 10.5, 1e-5);
  cr_assert_float_eq(sums.garage_stored_kwh[0], 10.185, 1e-5);
  cr_assert_float_eq(s.garage_kwh[0], 20.185, 1e-5);
  cr_assert_float_eq(sums.garage_to_car_kwh[0], 0.0, 0.0);
  /* The garage can give back what lies above its floor (at the battery; x 0.95 after the
   * inverter): at 8:00 (10 kWh) and at 23:00 (20.185 kWh). */
  cr_assert_float_eq(sums.garage_give_kwh[8][0], 10.0 - 6.0, 1e-5);
  cr_assert_float_eq(sums.garage_give_kwh[23][0], 20.185 - 6.0, 1e-5);
  /* Its power for the hour: that energy, at most the inverter's 5 kW. */
  cr_assert_float_eq(sums.garage_power_kw[8][0], (10.0 - 6.0) * 0.95, 1e-5);
  cr_assert_float_eq(sums.garage_power_kw[23][0], 5.0, 0.0);
  /* Nearly full: the first sunny hour stores only the 1 kWh of room; the rest is surplus. */
  garage_lane(&c, &s, 30.0f, 59.0f);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, NULL, 1, 0);
  cr_assert_float_eq(sums.garage_stored_kwh[0], 1.0, 1e-5);
  cr_assert_float_eq(s.garage_kwh[0], 60.0, 1e-5);
}

Test(garage, battery_charges_the_car_at_the_link_power_down_to_the_floor) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_solar_consts_t sol;
  fleet_day_inputs_t in;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  float trace[FLEET_HOURS_PER_DAY][FLEET_LANES];
  garage_lane(&c, &s, 20.0f, 40.0f);
  dc_chain(&sol);
  memset(&in, 0, sizeof in); /* a night: no sun, top-up window closed */
  no_trip(&today);
  no_trip(&tomorrow);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, trace, 1, 0);
  /* Hour 0: 7 kWh into the car (the link's limit), 7 / 0.95 out of the garage; hour 1: the
   * last 3 kWh, 3 / 0.95 out. */
  cr_assert_float_eq(trace[0][0], 27.0, 1e-5);
  cr_assert_float_eq(trace[1][0], 30.0, 1e-5);
  cr_assert_float_eq(sums.garage_to_car_kwh[0], 10.0, 1e-5);
  cr_assert_float_eq(s.garage_kwh[0], 40.0 - 10.0 / 0.95, 1e-4);
  /* A garage at 8 kWh can give the car only (8 - 6) x 0.95 = 1.9 kWh. */
  garage_lane(&c, &s, 20.0f, 8.0f);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, trace, 1, 0);
  cr_assert_float_eq(sums.garage_to_car_kwh[0], 1.9, 1e-5);
  cr_assert_float_eq(s.garage_kwh[0], 6.0, 1e-5);
}

Test(garage, grid_top_up_in_its_window_up_to_the_target) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_solar_consts_t sol;
  fleet_day_inputs_t in;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  garage_lane(&c, &s, 30.0f, 6.0f);
  dc_chain(&sol);
  memset(&in, 0, sizeof in);
  for (int h = 0; h < 6; h++) in.topup_window[h] = 1.0f; /* 22:00-06:00 */
  in.topup_window[22] = in.topup_window[23] = 1.0f;
  for (int h = 0; h < 24; h++) in.grid_g_co2_per_kwh[h] = h < 12 ? 40.0f : 80.0f;
  no_trip(&today);
  no_trip(&tomorrow);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, NULL, 1, 0);
  /* 8 open hours x 3 kW x 0.95 = 22.8 kWh, below the 30 - 6 = 24 kWh of room. */
  cr_assert_float_eq(sums.garage_topup_kwh[0], 22.8, 1e-4);
  /* each hour's 2.85 kWh at its hour's intensity: 6 at 40 g, 2 at 80 g */
  cr_assert_float_eq(sums.garage_topup_co2_g[0], 2.85 * (6 * 40 + 2 * 80), 1e-3);
  cr_assert_float_eq(s.garage_kwh[0], 28.8, 1e-4);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, NULL, 1, 0);
  cr_assert_float_eq(s.garage_kwh[0], 30.0, 1e-4); /* stops at the target */
}

/* PV through the garage into a car with room: every stored kWh goes on to the car in the hour,
 * so the car receives produced x (PV -> battery) x (battery -> car). */
static double garage_day_to_car(float pv_to_battery, float battery_to_car, fleet_day_sums_t *sums,
                                 fleet_lane_state_t *s) {
  fleet_step_consts_t c;
  fleet_solar_consts_t sol;
  fleet_day_inputs_t in;
  fleet_day_plan_t today, tomorrow;
  garage_lane(&c, s, 10.0f, 6.0f);
  dc_chain(&sol);
  sol.pv_to_battery_efficiency = pv_to_battery;
  sol.battery_to_car_efficiency = battery_to_car;
  clear_day(&in);
  no_trip(&today);
  no_trip(&tomorrow);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, s, sums, NULL, 1, 0);
  return sums->garage_to_car_kwh[0];
}

Test(garage, dc_and_ac_chains_balance_and_compare) {
  fleet_day_sums_t sums;
  fleet_lane_state_t s;
  double dc = garage_day_to_car(0.97f, 0.95f, &sums, &s);
  /* Energy balance of the garage battery: start 6 + stored - drawn for the car = end. */
  cr_assert_float_eq(6.0 + sums.garage_stored_kwh[0] - sums.garage_to_car_kwh[0] / 0.95, s.garage_kwh[0], 1e-4);
  cr_assert_float_eq(dc, 10.5 * 0.97 * 0.95, 1e-4);
  double ac = garage_day_to_car(0.91f, 0.83f, &sums, &s);
  cr_assert_float_eq(6.0 + sums.garage_stored_kwh[0] - sums.garage_to_car_kwh[0] / 0.83, s.garage_kwh[0], 1e-4);
  cr_assert_float_eq(ac, 10.5 * 0.91 * 0.83, 1e-4);
  /* With the baseline's stage efficiencies the DC chain delivers 22 % more (claim C5: +20 %). */
  cr_assert_float_eq(dc / ac, (0.97 * 0.95) / (0.91 * 0.83), 1e-5);
}

Test(carport, a_parked_car_takes_exactly_its_missing_energy) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_solar_consts_t sol;
  fleet_day_inputs_t in;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  float trace[FLEET_HOURS_PER_DAY][FLEET_LANES];
  one_lane(&c, &s, 30.0f);
  c.carport_kwp[0] = 2.5f;
  dc_chain(&sol);
  memset(&in, 0, sizeof in);
  for (int h = 0; h < 24; h++) in.consumption_factor[h] = 1.0f;
  for (int h = 8; h < 17; h++) in.pv_kw_per_kwp[h] = 0.6f; /* 1.5 kWh per space-hour */
  in.day_factor = 1.0f;
  commute(&today, 7.0f, 17.0f, 15.0f); /* 3 kWh each way: arrives at work with 27 */
  no_trip(&tomorrow);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, trace, 1, 0);
  /* 8:00 +1.245 (1.5 x 0.83), 9:00 +1.245, 10:00 the last 0.51: exactly the 3 kWh missing. */
  cr_assert_float_eq(trace[8][0], 28.245, 1e-5);
  cr_assert_float_eq(trace[9][0], 29.49, 1e-5);
  cr_assert_float_eq(trace[10][0], 30.0, 1e-5);
  cr_assert_float_eq(sums.carport_in_kwh[0], 3.0, 1e-5);
  /* Carport PV over the space while parked (8:00-16:00, 9 hours) counts as produced. */
  cr_assert_float_eq(sums.carport_pv_kwh[0], 9 * 1.5, 1e-5);
  /* Without a carport (kWp 0) or on a non-commute day, nothing. */
  one_lane(&c, &s, 30.0f);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, trace, 1, 0);
  cr_assert_float_eq(sums.carport_in_kwh[0], 0.0, 0.0);
}

/* ---- home backup during an outage ----------------------------------------------------------- */

/* A flat dormant load of 0.5 kWh an hour and an outage over hours [0, 10 + 1/3). */
static void outage_day(fleet_day_inputs_t *in) {
  memset(in, 0, sizeof *in);
  for (int h = 0; h < 24; h++) {
    in->consumption_factor[h] = 1.0f;
    in->backup_load_kwh[h] = 0.5f;
  }
  in->day_factor = 1.0f;
  for (int h = 0; h < 10; h++)
    for (int l = 0; l < FLEET_LANES; l++) in->outage_fraction[h][l] = 1.0f;
  for (int l = 0; l < FLEET_LANES; l++) in->outage_fraction[10][l] = 1.0f / 3.0f; /* a 20-minute tail */
}

Test(backup, a_ten_hour_outage_served_by_the_car_down_to_its_floor) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_solar_consts_t sol;
  fleet_day_inputs_t in;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  float trace[FLEET_HOURS_PER_DAY][FLEET_LANES];
  one_lane(&c, &s, 12.0f); /* home, plugged, bidirectional; 3 kWh above the 9 kWh floor */
  dc_chain(&sol);
  outage_day(&in);
  no_trip(&today);
  no_trip(&tomorrow);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, trace, 0, 1);
  /* The car can give (12 - 9) x 0.9 = 2.7 kWh: hours 0-4 in full (0.5 each, 0.5 / 0.9 from the
   * battery), 0.2 kWh in hour 5, then nothing: 5.4 of the 10 1/3 hours covered. No charging
   * while the supply is cut; in hour 10 the supply is back for 2/3 of the hour: the step charges
   * the car 2/3 x 1.955 kWh first, then serves the house's 0.5 / 3 kWh from it (within an hour
   * the order of charge and outage is not resolved). */
  for (int h = 0; h < 5; h++) {
    cr_assert_float_eq(sums.backup_served_kwh[h][0], 0.5, 1e-6, "hour %d", h);
    cr_assert_float_eq(trace[h][0], 12.0 - (h + 1) * 0.5 / 0.9, 1e-5, "hour %d", h);
  }
  cr_assert_float_eq(sums.backup_served_kwh[5][0], 0.2, 1e-5);
  cr_assert_float_eq(trace[5][0], 9.0, 1e-5);
  for (int h = 6; h < 10; h++) cr_assert_float_eq(sums.backup_served_kwh[h][0], 0.0, 1e-6, "hour %d", h);
  cr_assert_float_eq(sums.backup_demand_kwh[10][0], 0.5 / 3.0, 1e-6);
  cr_assert_float_eq(sums.backup_served_kwh[10][0], 0.5 / 3.0, 1e-6);
  cr_assert_float_eq(trace[10][0], 9.0 + 2.0 / 3.0 * 1.955 - 0.5 / 3.0 / 0.9, 1e-5);
  double demand = 0.0, served = 0.0;
  for (int h = 0; h < 24; h++) {
    demand += sums.backup_demand_kwh[h][0];
    served += sums.backup_served_kwh[h][0];
  }
  cr_assert_float_eq(demand, 10.0 * 0.5 + 0.5 / 3.0, 1e-5);
  cr_assert_float_eq(served, 2.7 + 0.5 / 3.0, 1e-5);
  cr_assert_float_eq(sums.backup_from_car_kwh[0], (2.7 + 0.5 / 3.0) / 0.9, 1e-5);
}

Test(backup, garage_first_then_car_and_nothing_from_a_car_away) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_solar_consts_t sol;
  fleet_day_inputs_t in;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  /* Garage at 2 kWh: gives 2 x 0.95 = 1.9 kWh (down to empty), then the car 2.7. */
  garage_lane(&c, &s, 12.0f, 2.0f);
  c.garage_topup_target_kwh[0] = 0.0f;
  dc_chain(&sol);
  sol.garage_to_car_kwh = 0.0f; /* keep the garage for the house in this case */
  sol.garage_to_home_kwh = 5.0f;
  outage_day(&in);
  no_trip(&today);
  no_trip(&tomorrow);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, NULL, 1, 1);
  double served = 0.0;
  for (int h = 0; h < 24; h++) served += sums.backup_served_kwh[h][0];
  cr_assert_float_eq(served, 1.9 + 2.7, 1e-5);
  cr_assert_float_eq(sums.backup_from_garage_kwh[0], 2.0, 1e-5);
  cr_assert_float_eq(s.garage_kwh[0], 0.0, 1e-5);
  /* The same car away (0:00-17:00) all through the outage serves nothing. */
  one_lane(&c, &s, 12.0f);
  commute(&today, 0.0f, 17.0f, 1.0f);
  outage_day(&in);
  fleet_step_day(&c, &sol, 0.9f, 1.0f, &in, &today, &tomorrow, &s, &sums, NULL, 0, 1);
  served = 0.0;
  for (int h = 0; h < 24; h++) served += sums.backup_served_kwh[h][0];
  cr_assert_float_eq(served, 0.0, 0.0);
}

/* hour_sums.h against the sums it replaces, written out hour by hour: each hour's 16 lanes along
 * the pairwise tree (x[i] + x[i+8], then 4, 2, 1 apart), bit for bit, on values of every
 * magnitude and sign (a different grouping would round differently on most of them). */
static float tree_sum(const float x[FLEET_LANES]) {
  float a[8];
  for (int i = 0; i < 8; i++) a[i] = x[i] + x[i + 8];
  for (int i = 0; i < 4; i++) a[i] += a[i + 4];
  for (int i = 0; i < 2; i++) a[i] += a[i + 2];
  return a[0] + a[1];
}

static uint64_t lcg_state = 0x9E3779B97F4A7C15ULL;
static double lcg_u01(void) {
  lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(lcg_state >> 11) * 0x1p-53;
}

Test(hour_sums, tree_sums_of_all_hours_equal_the_hour_by_hour_tree_bit_for_bit) {
  float x[FLEET_HOURS_PER_DAY][FLEET_LANES], got[FLEET_HOURS_PER_DAY];
  int differing_groupings = 0;
  for (int trial = 0; trial < 200; trial++) {
    for (int h = 0; h < FLEET_HOURS_PER_DAY; h++)
      for (int l = 0; l < FLEET_LANES; l++)
        x[h][l] = (float)((lcg_u01() - 0.3) * pow(10.0, 6.0 * lcg_u01() - 2.0));
    fleet_hour_sums(x, got);
    for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
      const float want = tree_sum(x[h]);
      cr_assert(memcmp(&got[h], &want, sizeof want) == 0, "trial %d hour %d: %.9g, the tree gives %.9g", trial, h,
                got[h], want);
      float sequential = 0.0f;
      for (int l = 0; l < FLEET_LANES; l++) sequential += x[h][l];
      differing_groupings += sequential != want;
    }
  }
  /* the check has teeth: another order of the same additions differs on these values */
  cr_assert_gt(differing_groupings, 1000);
}

/* The fixed-point addition of a day's hours against ADD_FIXED's rule hour by hour: value x 1e6 +
 * 0.5 truncated, 0 and overflow set outside +-2^62 (and for NaN), a checked addition. */
static void fixed_reference(int64_t *sum, float value, int *overflow) {
  const double scaled = (double)value * 1e6 + 0.5;
  int64_t fixed = 0;
  if (!(fabs(scaled) < 0x1p62)) *overflow = 1;
  else fixed = (int64_t)scaled;
  *overflow |= __builtin_add_overflow(*sum, fixed, sum);
}

Test(hour_sums, fixed_point_hours_equal_the_scalar_rule_including_overflow) {
  int overflows = 0;
  for (int trial = 0; trial < 400; trial++) {
    float value[FLEET_HOURS_PER_DAY];
    int64_t got[FLEET_HOURS_PER_DAY], want[FLEET_HOURS_PER_DAY];
    for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
      const double kind = lcg_u01();
      value[h] = kind < 0.9 ? (float)((lcg_u01() - 0.5) * pow(10.0, 10.0 * lcg_u01() - 4.0))
                 : kind < 0.93 ? (float)((lcg_u01() - 0.5) * 1e14) /* beyond 2^62 / 1e6 */
                 : kind < 0.95 ? NAN : kind < 0.97 ? INFINITY : 0.0f;
      /* sums anywhere, some next to the ends of the integers */
      const double at = lcg_u01();
      got[h] = want[h] = at < 0.8 ? (int64_t)((lcg_u01() - 0.5) * 1e15)
                         : at < 0.9 ? INT64_MAX - (int64_t)(lcg_u01() * 1e12) : INT64_MIN + (int64_t)(lcg_u01() * 1e12);
    }
    int got_overflow = 0, want_overflow = 0;
    fleet_add_fixed_hours(got, value, &got_overflow);
    for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) fixed_reference(&want[h], value[h], &want_overflow);
    for (int h = 0; h < FLEET_HOURS_PER_DAY; h++)
      cr_assert_eq(got[h], want[h], "trial %d hour %d: value %.9g", trial, h, value[h]);
    cr_assert_eq(got_overflow, want_overflow, "trial %d", trial);
    overflows += want_overflow;
  }
  cr_assert_gt(overflows, 50);  /* both outcomes were tried */
  cr_assert_lt(overflows, 400);

  int64_t count[FLEET_HOURS_PER_DAY], expect[FLEET_HOURS_PER_DAY];
  float lanes_plugged[FLEET_HOURS_PER_DAY];
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
    lanes_plugged[h] = (float)(h % 17);
    count[h] = expect[h] = 1000 * h;
    expect[h] += h % 17;
  }
  fleet_add_counts_hours(count, lanes_plugged);
  cr_assert_arr_eq(count, expect, sizeof count);
}
