#include "mobility.h"

#include <math.h>

void fleet_plan_rates_init(const fleet_params_t *p, fleet_plan_rates_t *r) {
  /* A long trip can only start on a day at home; days at home are 365 less the nights away of
   * the trips themselves, so the per-day probability is rate / (365 - rate x mean nights) for
   * the yearly count to come out at the configured rate. */
  double days_at_home = FLEET_DAYS_PER_YEAR - p->long_trips_per_year * p->long_trip_nights_mean;
  double start = days_at_home > p->long_trips_per_year ? p->long_trips_per_year / days_at_home : 1.0;
  r->long_trip_day_probability = (float)start;
  /* Geometric nights N with P(N = k) = (1 - q) q^k has mean q / (1 - q). */
  double q = p->long_trip_nights_mean / (1.0 + p->long_trip_nights_mean);
  r->long_trip_ln_q = q > 0.0 ? (float)log(q) : -INFINITY;
  r->long_trip_km_min = (float)p->long_trip_km_min;
  r->long_trip_extra_km_mean = (float)p->long_trip_extra_km_mean;
  r->long_trip_departure_hour = (float)p->long_trip_departure_hour;
  r->long_trip_return_hour = (float)p->long_trip_return_hour;
  r->work_absence_probability = (float)p->work_absence_probability;
  r->telework_day_probability = (float)p->telework_day_probability;
  r->commute_stop_probability = (float)p->commute_stop_probability;
  r->commute_stop_km_mean = (float)p->commute_stop_km_mean;
  r->errand_day_probability = (float)p->errand_day_probability;
  r->errand_km_mean = (float)p->errand_km_mean;
  r->errand_hour_min = (float)p->errand_hour_min;
  r->errand_hour_span = (float)(p->errand_hour_max - p->errand_hour_min + 1);
  r->errand_duration_hours = (float)p->errand_duration_hours;
  r->weekend_trip_probability = (float)p->weekend_trip_probability;
  r->weekend_trip_km_mean = (float)p->weekend_trip_km_mean;
  r->weekend_trip_hour_min = (float)p->weekend_trip_hour_min;
  r->weekend_trip_hour_span = (float)(p->weekend_trip_hour_max - p->weekend_trip_hour_min + 1);
  r->weekend_trip_duration_hours = (float)p->weekend_trip_duration_hours;
  r->evening_trip_probability_weekday = (float)p->evening_trip_probability_weekday;
  r->evening_trip_probability_weekend = (float)p->evening_trip_probability_weekend;
  r->evening_trip_km_mean = (float)p->evening_trip_km_mean;
  r->evening_trip_hour_min = (float)p->evening_trip_hour_min;
  r->evening_trip_hour_span = (float)(p->evening_trip_hour_max - p->evening_trip_hour_min + 1);
  r->evening_trip_duration_hours = (float)p->evening_trip_duration_hours;
}

int fleet_weekday(const fleet_params_t *params, int64_t year, int day_of_year) {
  return (int)((params->first_weekday + year * FLEET_DAYS_PER_YEAR + day_of_year) % 7);
}
