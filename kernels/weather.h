/* weather.h: hourly temperature and PV output per region, drawn per replica-year.
 *
 * Temperature = the region's monthly normals, interpolated smoothly so that each month's mean is
 * kept, + a diurnal cycle (half-range per month, peak at a set hour) + an AR(1) daily anomaly
 * whose stationary sd moves between a winter and a summer value, correlated across regions
 * through a national factor (cold spells and heat waves emerge from its persistence).
 * PV output per kWp = Haurwitz clear-sky irradiance from solar geometry (latitude, day, hour)
 * x a daily clearness from a two-state Markov chain (a national chain; each region follows it or
 * runs its own), scaled so that the long-run annual yield equals the region's kWh/kWp.
 * Drawn from streams addressed by (seed, replica, year, NATION or REGION, id, purpose): the same
 * for all of a region's vehicles and reproducible from the seed alone. */
#ifndef FLEET_WEATHER_H
#define FLEET_WEATHER_H

#include <stdint.h>

#include "params.h"
#include "year_totals.h"

typedef struct {
  int region_count;
  float temperature_c[FLEET_MAX_REGIONS][FLEET_HOURS_PER_YEAR];
  float pv_kw_per_kwp[FLEET_MAX_REGIONS][FLEET_HOURS_PER_YEAR]; /* mean DC output in the hour,
                                                                  i.e. kWh per kWp */
} fleet_weather_t;

/* Draws the weather of one replica-year into w (a large struct: allocate it, ~2.2 MB). */
void fleet_weather_generate(const fleet_params_t *params, int64_t replica, int64_t year, fleet_weather_t *w);

/* Smooth daily normals whose monthly means equal monthly_c (within 0.01 C). */
void fleet_weather_daily_normals_c(const double monthly_c[FLEET_MONTHS], double daily_c[FLEET_DAYS_PER_YEAR]);

/* Haurwitz clear-sky global horizontal irradiance, W/m2, averaged over clock hour `hour` of day
 * `day_of_year`, at latitude_deg; 0 when the sun is down all hour. */
double fleet_clear_sky_ghi_w_m2(double latitude_deg, int day_of_year, int hour, double solar_noon_clock_hour);

/* The factor that turns clear-sky GHI x clearness into kW per kWp so that the expected annual
 * yield is the region's kWh/kWp (expectation over the stationary clearness chain). */
double fleet_pv_scale(const fleet_params_t *params, int region);

#endif
