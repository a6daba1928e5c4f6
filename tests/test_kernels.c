/* Analytic cases for each model component of the kernels: hand-computed expectations. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "fastmath.h"
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

Test(temperature, daily_normals_hit_monthly_means_at_mid_month_and_interpolate_linearly) {
  double monthly[FLEET_MONTHS], daily[FLEET_DAYS_PER_YEAR];
  for (int m = 0; m < FLEET_MONTHS; m++) monthly[m] = 10.0 * m; /* 0, 10, ..., 110 */
  fleet_daily_normals_c(monthly, daily);
  /* Day 15 spans 15.0..16.0; its middle 15.5 is January's mid-point exactly. */
  cr_assert_float_eq(daily[15], 0.0, 1e-12);
  /* Day 30 (middle 30.5) lies between Jan 15.5 and Feb 45.0: 10 x 15 / 29.5. */
  cr_assert_float_eq(daily[30], 10.0 * 15.0 / 29.5, 1e-12);
  /* Day 0 (middle 0.5) lies between Dec 349.5 and Jan 15.5 + 365: weight 16 / 31 towards Jan. */
  cr_assert_float_eq(daily[0], 110.0 * (1.0 - 16.0 / 31.0), 1e-12);
}

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

static void no_trip(fleet_day_plan_t *p) {
  for (int l = 0; l < FLEET_LANES; l++) {
    p->dep_hour[l] = p->ret_hour[l] = FLEET_NO_HOUR;
    p->out_km[l] = p->back_km[l] = p->need_km[l] = 0.0f;
  }
}

static void commute(fleet_day_plan_t *p, float dep, float ret, float km_each_way) {
  no_trip(p);
  p->dep_hour[0] = dep;
  p->ret_hour[0] = ret;
  p->out_km[0] = p->back_km[0] = km_each_way;
  p->need_km[0] = 2.0f * km_each_way;
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
  fleet_step_day(&c, 0.9f, 1.0f, &today, &tomorrow, 1.0f, &s, &sums, trace);
  /* Charged 1.955 kWh an hour from 20 until the 30 kWh target, leave at 7 (-2), drive home at 17
   * (-2), plug in at 18 and charge back to 30. */
  const double expected[24] = {21.955, 23.91, 25.865, 27.82, 29.775, 30, 30, 28, 28, 28, 28, 28,
                               28,     28,    28,     28,    28,     26, 27.955, 29.91, 30, 30, 30, 30};
  for (int h = 0; h < 24; h++) cr_assert_float_eq(trace[h][0], expected[h], 1e-4, "hour %d", h);
  for (int h = 0; h < 24; h++) {
    int home = h < 7 || h > 17;
    /* Before leaving, keep max(floor 9, today's trip 4) = 9; after, max(9, tomorrow's 10) = 10. */
    double keep = h < 7 ? 9.0 : 10.0;
    double give = home ? (expected[h] - keep) * 0.9 : 0.0;
    cr_assert_float_eq(sums.energy_kwh[h][0], give, 1e-4, "hour %d", h);
    cr_assert_float_eq(sums.power_kw[h][0], fmin(give, 2.3), 1e-4, "hour %d", h);
    cr_assert_float_eq(sums.plugged[h][0], (float)home, 0.0, "hour %d", h);
    for (int l = 1; l < FLEET_LANES; l++) cr_assert_eq(sums.energy_kwh[h][l], 0.0f);
  }
  cr_assert_float_eq(sums.home_in_kwh[0], 14.0, 1e-4); /* 10 before leaving, 4 after */
  cr_assert_float_eq(sums.drive_kwh[0], 4.0, 1e-6);
  cr_assert_float_eq(sums.public_in_kwh[0], 0.0, 0.0);
  cr_assert_float_eq(s.soc_kwh[0], 30.0, 1e-5);
  cr_assert_float_eq(s.plugged[0], 1.0, 0.0);
}

Test(vehicle_step, cold_day_scales_consumption) {
  fleet_step_consts_t c;
  fleet_lane_state_t s;
  fleet_day_plan_t today, tomorrow;
  fleet_day_sums_t sums;
  one_lane(&c, &s, 30.0f);
  commute(&today, 7.0f, 17.0f, 10.0f);
  no_trip(&tomorrow);
  fleet_step_day(&c, 0.9f, 1.0f, &today, &tomorrow, 1.25f, &s, &sums, NULL);
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
  fleet_step_day(&c, 0.9f, 1.0f, &today, &tomorrow, 1.0f, &s, &sums, trace);
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
  fleet_step_day(&c, 0.9f, 1.0f, &today, &tomorrow, 1.0f, &s, &sums, trace);
  cr_assert_float_eq(trace[8][0], 3.0, 1e-5);
  cr_assert_float_eq(sums.public_in_kwh[0], 38.0 + 40.0, 1e-4); /* 38 going, 40 coming back */
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
  fleet_step_day(&c, 0.9f, 0.0f, &today, &tomorrow, 1.0f, &s, &sums, trace);
  cr_assert_float_eq(trace[23][0], 16.0, 1e-5);
  cr_assert_float_eq(sums.home_in_kwh[0], 0.0, 0.0);
  for (int h = 0; h < 24; h++) cr_assert_eq(sums.energy_kwh[h][0], 0.0f);
  /* Arrives with 12 kWh (< 15): plugs in and charges from hour 18. */
  one_lane(&c, &s, 16.0f);
  s.plugged[0] = 0.0f;
  fleet_step_day(&c, 0.9f, 0.0f, &today, &tomorrow, 1.0f, &s, &sums, trace);
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
  fleet_step_day(&c, 0.9f, 1.0f, &today, &tomorrow, 1.0f, &s, &sums, NULL);
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
  fleet_step_day(&c, 0.9f, 1.0f, &today, &tomorrow, 1.0f, &s, &sums, NULL);
  for (int h = 0; h < 24; h++) cr_assert_float_eq(sums.energy_kwh[h][0], (30.0 - 24.0) * 0.9, 1e-5);
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
}

static void worker(fleet_plan_consts_t *c) {
  memset(c, 0, sizeof *c);
  for (int l = 0; l < FLEET_LANES; l++) {
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
  worker(&c);
  memset(&in, 0, sizeof in);
  fleet_plan_day(&r, &c, 1234u, 0, 10, 1.0f, 0.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], 7.0f);
    cr_assert_eq(plan.ret_hour[l], 17.0f);
    cr_assert_eq(plan.out_km[l], 12.5f);
    cr_assert_eq(plan.back_km[l], 12.5f);
    cr_assert_eq(plan.need_km[l], 25.0f);
    cr_assert_eq(out.nights_left[l], 0.0f);
  }
  fleet_plan_day(&r, &c, 1234u, 0, 11, 0.0f, 1.0f, &in, &out, &plan); /* a Saturday, nothing else */
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], FLEET_NO_HOUR);
    cr_assert_eq(plan.out_km[l] + plan.back_km[l], 0.0f);
  }
  /* Everyone absent: no commute. */
  r.work_absence_probability = 1.0f;
  fleet_plan_day(&r, &c, 1234u, 0, 12, 1.0f, 0.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) cr_assert_eq(plan.dep_hour[l], FLEET_NO_HOUR);
}

Test(mobility, weekend_trip_and_errand_legs) {
  fleet_plan_rates_t r;
  fleet_plan_consts_t c;
  fleet_trip_state_t in, out;
  fleet_day_plan_t plan;
  quiet_rates(&r);
  worker(&c);
  memset(&in, 0, sizeof in);
  r.weekend_trip_probability = 1.0f;
  r.weekend_trip_km_mean = 80.0f;
  r.weekend_trip_hour_min = 10.0f;
  r.weekend_trip_duration_hours = 5.0f;
  fleet_plan_day(&r, &c, 99u, 0, 40, 0.0f, 1.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], 10.0f);
    cr_assert_eq(plan.ret_hour[l], 15.0f);
    cr_assert_eq(plan.out_km[l], plan.back_km[l]);
    cr_assert_gt(plan.out_km[l], 0.0f);
  }
  /* On a workday the errand rides along with the drive home. */
  r.errand_day_probability = 1.0f;
  r.errand_km_mean = 20.0f;
  fleet_plan_day(&r, &c, 99u, 0, 41, 1.0f, 0.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], 7.0f);
    cr_assert_eq(plan.out_km[l], 12.5f);
    cr_assert_gt(plan.back_km[l], 12.5f);
    cr_assert_float_eq(plan.need_km[l], plan.out_km[l] + plan.back_km[l], 1e-6);
  }
}

Test(mobility, a_long_trip_spans_days_and_returns) {
  fleet_plan_rates_t r;
  fleet_plan_consts_t c;
  fleet_trip_state_t in, out;
  fleet_day_plan_t plan;
  quiet_rates(&r);
  worker(&c);
  /* Same-day long trip when nights are 0: leaves at 8, back at 18, half the distance each way. */
  memset(&in, 0, sizeof in);
  r.long_trip_day_probability = 1.0f;
  fleet_plan_day(&r, &c, 7u, 0, 100, 1.0f, 0.0f, &in, &out, &plan);
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
  fleet_plan_day(&r, &c, 7u, 0, 101, 1.0f, 0.0f, &in, &out, &plan);
  for (int l = 0; l < FLEET_LANES; l++) {
    cr_assert_eq(plan.dep_hour[l], -1.0f);
    cr_assert_eq(plan.ret_hour[l], FLEET_NO_HOUR);
    cr_assert_eq(plan.out_km[l] + plan.back_km[l], 0.0f);
    cr_assert_eq(out.nights_left[l], 1.0f);
    cr_assert_eq(out.back_km[l], 150.0f);
  }
  in = out;
  fleet_plan_day(&r, &c, 7u, 0, 102, 1.0f, 0.0f, &in, &out, &plan);
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
  worker(&c);
  memset(&in, 0, sizeof in);
  r.errand_day_probability = 0.5f;
  r.errand_km_mean = 20.0f;
  /* Vehicle 16 + l as lane l of block 1 equals vehicle 16 + l computed as lane l of another
   * call: the same (prefix, vehicle, day) gives the same trip. */
  fleet_plan_day(&r, &c, 555u, 16, 3, 0.0f, 0.0f, &in, &out, &a);
  fleet_plan_day(&r, &c, 555u, 16, 3, 0.0f, 0.0f, &in, &out, &b);
  cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
  fleet_plan_day(&r, &c, 556u, 16, 3, 0.0f, 0.0f, &in, &out, &b);
  cr_assert_neq(memcmp(&a, &b, sizeof a), 0);
}
