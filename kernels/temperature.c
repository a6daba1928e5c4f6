#include "temperature.h"

double fleet_consumption_factor(const fleet_params_t *params, double temperature_c) {
  double cold = params->cold_threshold_c - temperature_c;
  double heat = temperature_c - params->heat_threshold_c;
  return 1.0 + (cold > 0.0 ? cold * params->cold_increase_per_c : 0.0) +
         (heat > 0.0 ? heat * params->heat_increase_per_c : 0.0);
}
