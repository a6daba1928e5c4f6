/* mobility.h: a vehicle-day's trip, drawn once per day for all lanes of a block.
 *
 * Each vehicle-day has its own stream (seed, replica, year, vehicle, day), and always takes the
 * same eleven draws in the same order whatever happens, so a parameter change moves the outcome
 * of a draw but never shifts which draw feeds what (common random numbers across a sweep).
 * Written branch-free over lanes so that gcc vectorises it (DESIGN.md, performance model). */
#ifndef FLEET_MOBILITY_H
#define FLEET_MOBILITY_H

#include "fastmath.h"
#include "lanes.h"
#include "params.h"
#include "rng.h"

/* Draw positions in a vehicle-day's stream; never reorder. */
enum {
  FLEET_DRAW_LONG_START, FLEET_DRAW_LONG_NIGHTS, FLEET_DRAW_LONG_KM, FLEET_DRAW_ABSENCE,
  FLEET_DRAW_TELEWORK,   FLEET_DRAW_ERRAND,      FLEET_DRAW_ERRAND_KM, FLEET_DRAW_ERRAND_HOUR,
  FLEET_DRAW_WEEKEND,    FLEET_DRAW_WEEKEND_KM,  FLEET_DRAW_WEEKEND_HOUR, FLEET_DRAWS_PER_DAY
};

/* Derives the per-day rates from the scenario. */
void fleet_plan_rates_init(const fleet_params_t *params, fleet_plan_rates_t *rates);

/* Is day_of_year a workday / a weekend day, given the weekday of day 0 of year 0. */
int fleet_weekday(const fleet_params_t *params, int64_t year, int day_of_year);

/* Expands one day of trips for the lanes of a block. trip_in is the long-trip state at the start
 * of the day, trip_out receives it at the end (they may not alias). Not forced inline: inlined
 * into the block loop, gcc 12 keeps the PCG state in memory and leaves the lane loop scalar
 * (x3 on the whole year); as its own function it vectorises (check -fopt-info-vec). */
static inline void fleet_plan_day(const fleet_plan_rates_t *restrict r, const fleet_plan_consts_t *restrict c,
                                  uint64_t stream_prefix, int day_of_year, float workday,
                                  float weekend_day, const fleet_trip_state_t *restrict trip_in,
                                  fleet_trip_state_t *restrict trip_out, fleet_day_plan_t *restrict plan) {
  const uint64_t purpose = FLEET_PURPOSE_MOBILITY_DAY + (uint64_t)day_of_year;
#pragma omp simd
  for (int l = 0; l < FLEET_LANES; l++) {
    fleet_pcg32_t rng = fleet_stream_at(stream_prefix, (uint64_t)c->vehicle_id[l], purpose);
    float u[FLEET_DRAWS_PER_DAY];
    for (int k = 0; k < FLEET_DRAWS_PER_DAY; k++) u[k] = fleet_u01_open(fleet_pcg32_next(&rng));

    float nights_left = trip_in->nights_left[l];
    float on_trip = nights_left > 0.5f ? 1.0f : 0.0f;
    float returning = nights_left > 0.5f && nights_left < 1.5f ? 1.0f : 0.0f;

    /* A long trip starts: nights away geometric (ratio q, mean q/(1-q)), round trip km_min plus
     * an exponential excess; half the distance out today, half on the way home. */
    float start_long = (1.0f - on_trip) * (u[FLEET_DRAW_LONG_START] < r->long_trip_day_probability ? 1.0f : 0.0f);
    float nights = (float)(int)(fleet_lnf(u[FLEET_DRAW_LONG_NIGHTS]) / r->long_trip_ln_q);
    nights = nights < 366.0f ? nights : 366.0f;
    float long_km = r->long_trip_km_min - r->long_trip_extra_km_mean * fleet_lnf(u[FLEET_DRAW_LONG_KM]);
    float same_day = nights < 0.5f ? 1.0f : 0.0f;

    /* An ordinary day: the commute (errand chained to the drive home), else a weekend trip,
     * else an errand, else nothing. */
    float present = u[FLEET_DRAW_ABSENCE] >= r->work_absence_probability ? 1.0f : 0.0f;
    float teleworks = c->teleworker[l] * (u[FLEET_DRAW_TELEWORK] < r->telework_day_probability ? 1.0f : 0.0f);
    float commute = c->employed[l] * workday * present * (1.0f - teleworks);
    float errand = u[FLEET_DRAW_ERRAND] < r->errand_day_probability ? 1.0f : 0.0f;
    float errand_km = -r->errand_km_mean * fleet_lnf(u[FLEET_DRAW_ERRAND_KM]);
    float errand_dep = r->errand_hour_min + (float)(int)(u[FLEET_DRAW_ERRAND_HOUR] * r->errand_hour_span);
    float weekend = (1.0f - commute) * weekend_day * (u[FLEET_DRAW_WEEKEND] < r->weekend_trip_probability ? 1.0f : 0.0f);
    float weekend_km = -r->weekend_trip_km_mean * fleet_lnf(u[FLEET_DRAW_WEEKEND_KM]);
    float weekend_dep = r->weekend_trip_hour_min + (float)(int)(u[FLEET_DRAW_WEEKEND_HOUR] * r->weekend_trip_hour_span);
    float lone_errand = (1.0f - commute) * (1.0f - weekend) * errand;
    float any = commute + weekend + lone_errand; /* 0 or 1: the three are exclusive */

    float ord_dep = commute * c->departure_hour[l] + weekend * weekend_dep + lone_errand * errand_dep +
                    (1.0f - any) * FLEET_NO_HOUR;
    float ord_ret = commute * c->return_hour[l] + weekend * (weekend_dep + r->weekend_trip_duration_hours) +
                    lone_errand * (errand_dep + r->errand_duration_hours) + (1.0f - any) * FLEET_NO_HOUR;
    float ord_out = commute * c->commute_km[l] + weekend * 0.5f * weekend_km + lone_errand * 0.5f * errand_km;
    float ord_back = commute * (c->commute_km[l] + errand * errand_km) + weekend * 0.5f * weekend_km +
                     lone_errand * 0.5f * errand_km;

    float ordinary = (1.0f - on_trip) * (1.0f - start_long);
    float long_ret = same_day * r->long_trip_return_hour + (1.0f - same_day) * FLEET_NO_HOUR;
    float cont_ret = returning * r->long_trip_return_hour + (1.0f - returning) * FLEET_NO_HOUR;

    plan->dep_hour[l] = ordinary * ord_dep + start_long * r->long_trip_departure_hour - on_trip;
    plan->ret_hour[l] = ordinary * ord_ret + start_long * long_ret + on_trip * cont_ret;
    plan->out_km[l] = c->active[l] * (ordinary * ord_out + start_long * 0.5f * long_km);
    plan->back_km[l] = c->active[l] * (ordinary * ord_back + start_long * same_day * 0.5f * long_km +
                                       returning * trip_in->back_km[l]);
    plan->need_km[l] = c->active[l] * (ordinary * (ord_out + ord_back) + start_long * long_km);
    plan->at_work[l] = ordinary * commute;
    trip_out->nights_left[l] = on_trip * (nights_left - 1.0f) + start_long * nights;
    trip_out->back_km[l] = (on_trip - returning) * trip_in->back_km[l] + start_long * (1.0f - same_day) * 0.5f * long_km;
  }
}

#endif
