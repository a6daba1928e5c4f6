/* mobility.h: a vehicle-day's trips, drawn once per day for all lanes of a block.
 *
 * A day at home has a main outing and may have an evening one (lanes.h, fleet_day_plan_t):
 * - on a workday, the commute of an employed driver who is neither absent nor teleworking, with
 *   a stop (shopping, school, ...) chained to the drive home now and then, one trip more;
 * - else, on a Saturday or Sunday, an outing of a few hours now and then;
 * - else a daytime errand now and then;
 * - then, on any day, an evening outing (leisure, visits, errands) that leaves after the main
 *   outing is back, with its own probability on weekdays and on weekends.
 * Long trips (several days, over 80 km) replace the ordinary day. Trips are one-way, as the
 * national survey counts them (EMP 2019): an outing is two, a chained stop one more.
 *
 * Each vehicle-day has its own stream (seed, replica, year, vehicle, day), and always takes the
 * same FLEET_DRAWS_PER_DAY draws in the same order whatever happens, so a parameter change moves
 * the outcome of a draw but never shifts which draw feeds what (common random numbers across a
 * sweep). Written branch-free over lanes so that gcc vectorises it (DESIGN.md, performance
 * model). */
#ifndef FLEET_MOBILITY_H
#define FLEET_MOBILITY_H

#include "fastmath.h"
#include "lanes.h"
#include "params.h"
#include "rng.h"

/* Draw positions in a vehicle-day's stream; never reorder, append only. */
enum {
  FLEET_DRAW_LONG_START, FLEET_DRAW_LONG_NIGHTS, FLEET_DRAW_LONG_KM, FLEET_DRAW_ABSENCE,
  FLEET_DRAW_TELEWORK,   FLEET_DRAW_ERRAND,      FLEET_DRAW_ERRAND_KM, FLEET_DRAW_ERRAND_HOUR,
  FLEET_DRAW_WEEKEND,    FLEET_DRAW_WEEKEND_KM,  FLEET_DRAW_WEEKEND_HOUR, FLEET_DRAW_STOP,
  FLEET_DRAW_STOP_KM,    FLEET_DRAW_EVENING,     FLEET_DRAW_EVENING_KM,   FLEET_DRAW_EVENING_HOUR,
  FLEET_DRAWS_PER_DAY
};
/* The day's draws come from fleet_pcg32_next16(): a 17th draw needs another way to take them. */
_Static_assert(FLEET_DRAWS_PER_DAY == 16, "fleet_plan_day takes its draws 16 at a time");

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
    const fleet_pcg32_outputs16_t draws = fleet_pcg32_next16(rng);
    float u[FLEET_DRAWS_PER_DAY];
    for (int k = 0; k < FLEET_DRAWS_PER_DAY; k++) u[k] = fleet_u01_open(draws.out[k]);

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

    /* An ordinary day's main outing: the commute (a stop chained to the drive home), else a
     * weekend outing, else an errand, else nothing. */
    float present = u[FLEET_DRAW_ABSENCE] >= r->work_absence_probability ? 1.0f : 0.0f;
    float teleworks = c->teleworker[l] * (u[FLEET_DRAW_TELEWORK] < r->telework_day_probability ? 1.0f : 0.0f);
    float commute = c->employed[l] * workday * present * (1.0f - teleworks);
    float stop = commute * (u[FLEET_DRAW_STOP] < r->commute_stop_probability ? 1.0f : 0.0f);
    float stop_km = -r->commute_stop_km_mean * fleet_lnf(u[FLEET_DRAW_STOP_KM]);
    float errand = u[FLEET_DRAW_ERRAND] < r->errand_day_probability ? 1.0f : 0.0f;
    float errand_km = -r->errand_km_mean * fleet_lnf(u[FLEET_DRAW_ERRAND_KM]);
    float errand_dep = r->errand_hour_min + (float)(int)(u[FLEET_DRAW_ERRAND_HOUR] * r->errand_hour_span);
    float weekend = (1.0f - commute) * weekend_day * (u[FLEET_DRAW_WEEKEND] < r->weekend_trip_probability ? 1.0f : 0.0f);
    float weekend_km = -r->weekend_trip_km_mean * fleet_lnf(u[FLEET_DRAW_WEEKEND_KM]);
    float weekend_dep = r->weekend_trip_hour_min + (float)(int)(u[FLEET_DRAW_WEEKEND_HOUR] * r->weekend_trip_hour_span);
    float lone_errand = (1.0f - commute) * (1.0f - weekend) * errand;
    float any = commute + weekend + lone_errand; /* 0 or 1: the three are exclusive */

    float main_dep = commute * c->departure_hour[l] + weekend * weekend_dep + lone_errand * errand_dep +
                     (1.0f - any) * FLEET_NO_HOUR;
    float main_ret = commute * c->return_hour[l] + weekend * (weekend_dep + r->weekend_trip_duration_hours) +
                     lone_errand * (errand_dep + r->errand_duration_hours) + (1.0f - any) * FLEET_NO_HOUR;
    float main_out = commute * c->commute_km[l] + weekend * 0.5f * weekend_km + lone_errand * 0.5f * errand_km;
    float main_back = commute * (c->commute_km[l] + stop * stop_km) + weekend * 0.5f * weekend_km +
                      lone_errand * 0.5f * errand_km;
    float main_trips = 2.0f * any + stop;

    /* The evening outing: it leaves strictly after the main outing's return hour (else it is
     * not made that day; the draws are taken all the same). */
    float evening_probability = weekend_day * r->evening_trip_probability_weekend +
                                (1.0f - weekend_day) * r->evening_trip_probability_weekday;
    float evening_dep = r->evening_trip_hour_min + (float)(int)(u[FLEET_DRAW_EVENING_HOUR] * r->evening_trip_hour_span);
    float evening_km = -r->evening_trip_km_mean * fleet_lnf(u[FLEET_DRAW_EVENING_KM]);
    float after_main = any == 0.0f || evening_dep > main_ret ? 1.0f : 0.0f;
    float evening = (u[FLEET_DRAW_EVENING] < evening_probability ? 1.0f : 0.0f) * after_main;
    float evening_ret = evening_dep + r->evening_trip_duration_hours;

    /* Slot 1 is the main outing, or the evening one on a day without a main outing. */
    float alone = (1.0f - any) * evening, second = any * evening, neither = (1.0f - any) * (1.0f - evening);
    float ord_dep = any * main_dep + alone * evening_dep + neither * FLEET_NO_HOUR;
    float ord_ret = any * main_ret + alone * evening_ret + neither * FLEET_NO_HOUR;
    float ord_out = main_out + alone * 0.5f * evening_km;
    float ord_back = main_back + alone * 0.5f * evening_km;

    float ordinary = (1.0f - on_trip) * (1.0f - start_long);
    float long_ret = same_day * r->long_trip_return_hour + (1.0f - same_day) * FLEET_NO_HOUR;
    float cont_ret = returning * r->long_trip_return_hour + (1.0f - returning) * FLEET_NO_HOUR;
    float slot2 = ordinary * second;

    plan->dep_hour[l] = ordinary * ord_dep + start_long * r->long_trip_departure_hour - on_trip;
    plan->ret_hour[l] = ordinary * ord_ret + start_long * long_ret + on_trip * cont_ret;
    plan->out_km[l] = c->active[l] * (ordinary * ord_out + start_long * 0.5f * long_km);
    plan->back_km[l] = c->active[l] * (ordinary * ord_back + start_long * same_day * 0.5f * long_km +
                                       returning * trip_in->back_km[l]);
    plan->dep2_hour[l] = slot2 * evening_dep + (1.0f - slot2) * FLEET_NO_HOUR;
    plan->ret2_hour[l] = slot2 * evening_ret + (1.0f - slot2) * FLEET_NO_HOUR;
    plan->out2_km[l] = c->active[l] * slot2 * 0.5f * evening_km;
    plan->back2_km[l] = plan->out2_km[l];
    plan->need2_km[l] = c->active[l] * slot2 * evening_km;
    plan->need_km[l] = c->active[l] * (ordinary * (ord_out + ord_back) + start_long * long_km) + plan->need2_km[l];
    plan->at_work[l] = ordinary * commute;
    plan->trips[l] = c->active[l] * (ordinary * (main_trips + 2.0f * evening) + start_long * (1.0f + same_day) + returning);
    trip_out->nights_left[l] = on_trip * (nights_left - 1.0f) + start_long * nights;
    trip_out->back_km[l] = (on_trip - returning) * trip_in->back_km[l] + start_long * (1.0f - same_day) * 0.5f * long_km;
  }
}

#endif
