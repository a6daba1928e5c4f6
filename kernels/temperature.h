/* temperature.h: daily air temperature from monthly normals, and what it does to consumption.
 *
 * Until the stochastic weather generator lands, a region's temperature on a day is its monthly
 * normal interpolated linearly between mid-months, so the seasonal cycle has no steps. */
#ifndef FLEET_TEMPERATURE_H
#define FLEET_TEMPERATURE_H

#include "params.h"
#include "year_totals.h"

/* Day of year (0..364) at the middle of each month of a 365-day year. */
extern const double fleet_mid_month_day[FLEET_MONTHS];

/* Temperature in C on each day of the year from twelve monthly means. */
void fleet_daily_normals_c(const double monthly_c[FLEET_MONTHS], double daily_c[FLEET_DAYS_PER_YEAR]);

/* Multiplier of a car's mild-weather consumption at temperature_c: 1 + cold + heat, each
 * linear beyond its threshold ([consumption] in the scenario). */
double fleet_consumption_factor(const fleet_params_t *params, double temperature_c);

#endif
