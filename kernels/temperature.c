#include "temperature.h"

/* Cumulative days at month starts of a 365-day year plus half the month's length. */
const double fleet_mid_month_day[FLEET_MONTHS] = {15.5,  45.0,  74.5,  105.0, 135.5, 166.0,
                                                  196.5, 227.5, 258.0, 288.5, 319.0, 349.5};

void fleet_daily_normals_c(const double monthly_c[FLEET_MONTHS], double daily_c[FLEET_DAYS_PER_YEAR]) {
  for (int day = 0; day < FLEET_DAYS_PER_YEAR; day++) {
    double t = day + 0.5; /* the middle of the day */
    /* Month whose mid-point is the last at or before t, cyclically (December before January). */
    int before = FLEET_MONTHS - 1;
    for (int m = 0; m < FLEET_MONTHS; m++)
      if (fleet_mid_month_day[m] <= t) before = m;
    int after = (before + 1) % FLEET_MONTHS;
    double start = fleet_mid_month_day[before];
    double end = fleet_mid_month_day[after];
    if (end <= start) end += FLEET_DAYS_PER_YEAR;
    if (t < start) t += FLEET_DAYS_PER_YEAR;
    double w = (t - start) / (end - start);
    daily_c[day] = (1.0 - w) * monthly_c[before] + w * monthly_c[after];
  }
}

double fleet_consumption_factor(const fleet_params_t *params, double temperature_c) {
  double cold = params->cold_threshold_c - temperature_c;
  double heat = temperature_c - params->heat_threshold_c;
  return 1.0 + (cold > 0.0 ? cold * params->cold_increase_per_c : 0.0) +
         (heat > 0.0 ? heat * params->heat_increase_per_c : 0.0);
}
