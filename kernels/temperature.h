/* temperature.h: what air temperature does to a car's consumption per km. */
#ifndef FLEET_TEMPERATURE_H
#define FLEET_TEMPERATURE_H

#include "params.h"

/* Multiplier of a car's mild-weather consumption at temperature_c: 1 + cold + heat, each
 * linear beyond its threshold ([consumption] in the scenario; PARAMETERS.md 2: about x1.25 at
 * 0 C from heating, +17 % at 35 C with air conditioning). */
double fleet_consumption_factor(const fleet_params_t *params, double temperature_c);

#endif
