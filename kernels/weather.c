/* weather.c: the stochastic weather of one replica-year (see weather.h for the model).
 *
 * Runs once per replica-year, outside the hourly loop; the only costly part is the clear-sky
 * irradiance (an exp per daylight sub-step), kept cheap by tabulating what does not depend on
 * the region (declination per day, cos of the hour angle per sub-step).
 *
 * Random draws, a fixed number per day and stream so that changing one parameter never shifts
 * the draws of another day or region (common random numbers across a parameter sweep):
 *   (NATION, 0, WEATHER_TEMPERATURE)  one standard normal per day (the national factor)
 *   (REGION, r, WEATHER_TEMPERATURE)  one standard normal per day (region r's own part)
 *   (NATION, 0, WEATHER_CLEARNESS)    one uniform per day (the national chain; day 0: its start)
 *   (REGION, r, WEATHER_CLEARNESS)    two uniforms per day: region r's own chain, then whether
 *                                     the region follows the national state that day
 *   (NATION or REGION, id, WEATHER_BOUNDARY, CLEARNESS_BOUNDARY)  one draw each: the state of
 *                                     the AR(1) anomaly and of the clearness chain on the day
 *                                     before the year (stationary draws)
 * Each year's streams are addressed by (seed, replica, year) alone, so a year is reproducible
 * without simulating the years before it; yet the anomaly and the clearness chains run on
 * through New Year: each year's path starts from its own boundary state and is conditioned to
 * end in the next year's (a bridge), which joins the years into one stationary process. */
#include "weather.h"

#include <math.h>
#include <string.h>

#include "rng.h"

static const double fleet_pi = 3.14159265358979323846;

/* Days per month of a 365-day year. */
static const int fleet_month_days[FLEET_MONTHS] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* ---- smooth daily normals ------------------------------------------------------------------- */

/* Day d covers [d, d+1) on a continuous time axis; month m's knot is its middle (January 15.5)
 * and a day's value is the curve at the day's middle. */
static void fleet_month_knots(double knot_day[FLEET_MONTHS], int first_day[FLEET_MONTHS + 1]) {
  int start = 0;
  for (int m = 0; m < FLEET_MONTHS; m++) {
    first_day[m] = start;
    knot_day[m] = start + 0.5 * fleet_month_days[m];
    start += fleet_month_days[m];
  }
  first_day[FLEET_MONTHS] = start;
}

/* Daily values of the periodic (period 365) cubic spline through (knot_day[m], y[m]): C2 and
 * without the corners of a linear interpolation. The second derivatives M solve the cyclic
 * tridiagonal system of the standard spline continuity conditions (e.g. Press et al., Numerical
 * Recipes, 3rd ed., section 3.3, with periodic end conditions); at 12 unknowns a dense
 * elimination is simplest, and the matrix is strictly diagonally dominant, so it needs no
 * pivoting. */
static void fleet_periodic_spline_daily(const double knot_day[FLEET_MONTHS], const double y[FLEET_MONTHS],
                                        double daily[FLEET_DAYS_PER_YEAR]) {
  enum { N = FLEET_MONTHS };
  double h[N]; /* h[i]: from knot i to knot i+1 (December to next January wraps) */
  for (int i = 0; i < N; i++) {
    double next = i + 1 < N ? knot_day[i + 1] : knot_day[0] + FLEET_DAYS_PER_YEAR;
    h[i] = next - knot_day[i];
  }
  double a[N][N + 1];
  memset(a, 0, sizeof a);
  for (int i = 0; i < N; i++) {
    int prev = (i + N - 1) % N, next = (i + 1) % N;
    a[i][prev] += h[prev];
    a[i][i] += 2.0 * (h[prev] + h[i]);
    a[i][next] += h[i];
    a[i][N] = 6.0 * ((y[next] - y[i]) / h[i] - (y[i] - y[prev]) / h[prev]);
  }
  for (int k = 0; k < N; k++) {
    for (int i = k + 1; i < N; i++) {
      double f = a[i][k] / a[k][k];
      for (int j = k; j <= N; j++) a[i][j] -= f * a[k][j];
    }
  }
  double m2[N];
  for (int i = N - 1; i >= 0; i--) {
    double s = a[i][N];
    for (int j = i + 1; j < N; j++) s -= a[i][j] * m2[j];
    m2[i] = s / a[i][i];
  }

  int seg = N - 1; /* the segment holding the day's middle: December's knot to January's */
  for (int day = 0; day < FLEET_DAYS_PER_YEAR; day++) {
    double t = day + 0.5;
    if (seg == N - 1 && t >= knot_day[0] && t < knot_day[N - 1]) seg = 0;
    while (seg + 1 < N && knot_day[seg + 1] <= t) seg++;
    double left = knot_day[seg];
    if (t < left) t += FLEET_DAYS_PER_YEAR; /* early January, on December's segment */
    int next = (seg + 1) % N;
    double hs = h[seg];
    double wb = (t - left) / hs, wa = 1.0 - wb;
    daily[day] = wa * y[seg] + wb * y[next] + ((wa * wa * wa - wa) * m2[seg] + (wb * wb * wb - wb) * m2[next]) * hs * hs / 6.0;
  }
}

void fleet_weather_daily_normals_c(const double monthly_c[FLEET_MONTHS], double daily_c[FLEET_DAYS_PER_YEAR]) {
  /* A spline through the monthly means themselves misses them (a concave summer loses part of
   * its monthly mean, a convex winter gains some: up to 0.15 C for Paris), so the knot values are
   * corrected by each month's shortfall until the monthly means of the daily values match. The
   * month-mean operator of the spline has eigenvalues between ~2/pi (the mode alternating month
   * to month, averaged over a half period) and 1, so the error shrinks by at least ~0.36 an
   * iteration: ~20 iterations reach 1e-9. */
  double knot_day[FLEET_MONTHS];
  int first_day[FLEET_MONTHS + 1];
  fleet_month_knots(knot_day, first_day);
  double y[FLEET_MONTHS], size = 1.0;
  memcpy(y, monthly_c, sizeof y);
  for (int m = 0; m < FLEET_MONTHS; m++)
    if (fabs(monthly_c[m]) > size) size = fabs(monthly_c[m]);
  for (int iter = 0; iter < 200; iter++) {
    fleet_periodic_spline_daily(knot_day, y, daily_c);
    double worst = 0.0, shortfall[FLEET_MONTHS];
    for (int m = 0; m < FLEET_MONTHS; m++) {
      double sum = 0.0;
      for (int d = first_day[m]; d < first_day[m + 1]; d++) sum += daily_c[d];
      shortfall[m] = monthly_c[m] - sum / fleet_month_days[m];
      if (fabs(shortfall[m]) > worst) worst = fabs(shortfall[m]);
    }
    if (worst < 1e-9 * size) break;
    for (int m = 0; m < FLEET_MONTHS; m++) y[m] += shortfall[m];
  }
}

/* ---- anomaly sd through the year ------------------------------------------------------------ */

/* Stationary sd of the daily anomaly: winter value on day 15 (mid-January), summer value on day
 * 196 (mid-July), joined by half-cosines (181 days down, 184 back up), so both named days get
 * their value exactly and the curve is smooth (flat at both extremes). PARAMETERS.md section 4:
 * winter variance ~4x summer. */
static double fleet_anomaly_sd_c(const fleet_params_t *p, int day) {
  const double winter_day = 15.0, summer_day = 196.0;
  double t = day;
  if (t < winter_day) t += FLEET_DAYS_PER_YEAR;
  double to_winter; /* 0 at the summer day .. 1 at the winter day */
  if (t <= summer_day) {
    to_winter = 0.5 * (1.0 + cos(fleet_pi * (t - winter_day) / (summer_day - winter_day)));
  } else {
    double span = winter_day + FLEET_DAYS_PER_YEAR - summer_day;
    to_winter = 0.5 * (1.0 - cos(fleet_pi * (t - summer_day) / span));
  }
  return p->anomaly_sd_summer_c + (p->anomaly_sd_winter_c - p->anomaly_sd_summer_c) * to_winter;
}

/* ---- clear-sky irradiance ------------------------------------------------------------------- */

/* Sub-steps per clock hour for the hour's mean irradiance: the midpoint rule's error at noon is
 * (1/6 h)^2 / 24 x (15 deg/h)^2 ~ 1e-4 relative, far below the clearness model's. */
#define FLEET_GHI_SUBSTEPS 6
#define FLEET_GHI_STEPS_PER_DAY (FLEET_HOURS_PER_DAY * FLEET_GHI_SUBSTEPS)

/* Solar declination by Cooper (1969), "The absorption of radiation in solar stills", Solar
 * Energy 12: 23.45 deg x sin(2 pi (284 + n) / 365), n = 1 on 1 January. */
static double fleet_declination_rad(int day_of_year) {
  int n = day_of_year + 1;
  return 23.45 * fleet_pi / 180.0 * sin(2.0 * fleet_pi * (284.0 + n) / 365.0);
}

/* cos of the hour angle at the middle of sub-step k of the day (15 deg per hour from solar
 * noon; solar time = clock time - (solar_noon_clock_hour - 12), no equation of time). */
static double fleet_cos_hour_angle(int k, double solar_noon_clock_hour) {
  double clock_hour = (k + 0.5) / FLEET_GHI_SUBSTEPS;
  return cos(15.0 * fleet_pi / 180.0 * (clock_hour - solar_noon_clock_hour));
}

/* Mean over one hour of Haurwitz's clear-sky GHI, given cos Z = a + b cos(hour angle) with
 * a = sin(lat) sin(decl), b = cos(lat) cos(decl). Haurwitz (1945), as given in pvlib's
 * clearsky.haurwitz and Reno, Hansen & Stein, SAND2012-2389: GHI = 1098 cos Z exp(-0.059 / cos Z)
 * W/m2 while the sun is up. Sub-steps with the sun down add exactly 0, so a night hour is 0. */
static double fleet_ghi_hour_mean(double a, double b, const double cos_omega[FLEET_GHI_SUBSTEPS]) {
  double sum = 0.0;
  for (int k = 0; k < FLEET_GHI_SUBSTEPS; k++) {
    double cos_z = a + b * cos_omega[k];
    if (cos_z > 0.0) sum += 1098.0 * cos_z * exp(-0.059 / cos_z);
  }
  return sum / FLEET_GHI_SUBSTEPS;
}

double fleet_clear_sky_ghi_w_m2(double latitude_deg, int day_of_year, int hour, double solar_noon_clock_hour) {
  double lat = latitude_deg * fleet_pi / 180.0, decl = fleet_declination_rad(day_of_year);
  double cos_omega[FLEET_GHI_SUBSTEPS];
  for (int k = 0; k < FLEET_GHI_SUBSTEPS; k++)
    cos_omega[k] = fleet_cos_hour_angle(hour * FLEET_GHI_SUBSTEPS + k, solar_noon_clock_hour);
  return fleet_ghi_hour_mean(sin(lat) * sin(decl), cos(lat) * cos(decl), cos_omega);
}

/* The hour angles and declinations the whole year needs, shared by all regions. */
typedef struct {
  double cos_omega[FLEET_GHI_STEPS_PER_DAY];
  double sin_decl[FLEET_DAYS_PER_YEAR];
  double cos_decl[FLEET_DAYS_PER_YEAR];
} fleet_sun_tables_t;

static void fleet_sun_tables(double solar_noon_clock_hour, fleet_sun_tables_t *t) {
  for (int k = 0; k < FLEET_GHI_STEPS_PER_DAY; k++) t->cos_omega[k] = fleet_cos_hour_angle(k, solar_noon_clock_hour);
  for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
    double decl = fleet_declination_rad(d);
    t->sin_decl[d] = sin(decl);
    t->cos_decl[d] = cos(decl);
  }
}

/* A year of hourly clear-sky GHI at one latitude, W/m2; returns its sum (Wh/m2). Computes the
 * same values, in the same order, as fleet_clear_sky_ghi_w_m2 hour by hour. */
static double fleet_clear_sky_year(double latitude_deg, const fleet_sun_tables_t *t, double ghi[FLEET_HOURS_PER_YEAR]) {
  double lat = latitude_deg * fleet_pi / 180.0, sin_lat = sin(lat), cos_lat = cos(lat);
  double sum = 0.0;
  for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
    double a = sin_lat * t->sin_decl[d], b = cos_lat * t->cos_decl[d];
    for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
      double g = fleet_ghi_hour_mean(a, b, &t->cos_omega[h * FLEET_GHI_SUBSTEPS]);
      ghi[d * FLEET_HOURS_PER_DAY + h] = g;
      sum += g;
    }
  }
  return sum;
}

/* ---- clearness chain ------------------------------------------------------------------------ */

/* Stationary probability of a clear day: pi_clear = (1 - p_dd) / ((1 - p_cc) + (1 - p_dd)).
 * Both probabilities 1 (refused by the scenario's validation) leave it undefined: 1/2. */
static double fleet_clear_stationary(const fleet_params_t *p) {
  double leave_clear = 1.0 - p->clear_to_clear_probability;
  double leave_cloudy = 1.0 - p->cloudy_to_cloudy_probability;
  double total = leave_clear + leave_cloudy;
  return total > 0.0 ? leave_cloudy / total : 0.5;
}

/* The clearness states of a year: the chain starts from `start` (the state on the day before
 * day 0) and is conditioned to be in `end` on day 364, by sampling each day from
 * P(s_d | s_d-1, s_364 = end) = P[s_d-1][s_d] P^(364-d)[s_d][end] / P^(365-d)[s_d-1][end]
 * (a Markov-chain bridge), with one uniform per day as the unconditioned chain takes. The
 * boundary states are stationary draws, so the years join into one stationary chain. */
static void fleet_clear_bridge(const fleet_params_t *p, int start, int end, const double u[FLEET_DAYS_PER_YEAR],
                               unsigned char states[FLEET_DAYS_PER_YEAR]) {
  double step[2][2] = {{p->cloudy_to_cloudy_probability, 1.0 - p->cloudy_to_cloudy_probability},
                       {1.0 - p->clear_to_clear_probability, p->clear_to_clear_probability}};
  /* reach[k][j]: probability of being in `end` k days after being in j. */
  double reach[FLEET_DAYS_PER_YEAR][2];
  reach[0][0] = end == 0;
  reach[0][1] = end == 1;
  for (int k = 1; k < FLEET_DAYS_PER_YEAR; k++)
    for (int j = 0; j < 2; j++) reach[k][j] = step[j][0] * reach[k - 1][0] + step[j][1] * reach[k - 1][1];
  int previous = start;
  for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
    int left = FLEET_DAYS_PER_YEAR - 1 - d;
    double to_clear = step[previous][1] * reach[left][1], to_cloudy = step[previous][0] * reach[left][0];
    double total = to_clear + to_cloudy;
    /* total = 0 only if `end` cannot be reached (a chain that never leaves a state): then the
     * unconditioned step. */
    double p_clear = total > 0.0 ? to_clear / total : step[previous][1];
    previous = u[d] < p_clear;
    states[d] = (unsigned char)previous;
  }
}

static int fleet_clear_boundary(const fleet_params_t *p, uint64_t year, uint64_t replica, uint64_t kind, uint64_t id) {
  fleet_pcg32_t rng = fleet_stream(p->seed, replica, year, kind, id, FLEET_PURPOSE_CLEARNESS_BOUNDARY);
  return fleet_pcg32_double(&rng) < fleet_clear_stationary(p);
}

/* Scale so that sum over the year of GHI/1000 x E[clearness] x scale = the region's yield. Every
 * region's daily state has the stationary marginal (a mixture of two stationary chains), so
 * E[clearness] = pi_clear c_clear + (1 - pi_clear) c_cloudy exactly, on every day. */
static double fleet_pv_scale_from_sum(const fleet_params_t *p, int region, double ghi_sum_wh_m2) {
  double pi_clear = fleet_clear_stationary(p);
  double mean_clearness = pi_clear * p->clear_day_clearness + (1.0 - pi_clear) * p->cloudy_day_clearness;
  double expected = ghi_sum_wh_m2 / 1000.0 * mean_clearness;
  return expected > 0.0 ? p->regions[region].pv_yield_kwh_per_kwp / expected : 0.0;
}

double fleet_pv_scale(const fleet_params_t *params, int region) {
  fleet_sun_tables_t tables;
  double ghi[FLEET_HOURS_PER_YEAR];
  fleet_sun_tables(params->solar_noon_clock_hour, &tables);
  double sum = fleet_clear_sky_year(params->regions[region].latitude_deg, &tables, ghi);
  return fleet_pv_scale_from_sum(params, region, sum);
}

/* ---- the year ------------------------------------------------------------------------------- */

/* The value of a unit AR(1) on the last day before year `year`: one standard normal. */
static double fleet_boundary_draw(uint64_t seed, uint64_t replica, uint64_t year, uint64_t kind, uint64_t id) {
  fleet_pcg32_t rng = fleet_stream(seed, replica, year, kind, id, FLEET_PURPOSE_WEATHER_BOUNDARY);
  return fleet_sample_normal(&rng, 0.0, 1.0);
}

/* A unit-variance AR(1) over the year's days from `start` (the day before day 0), driven by the
 * standard normals z, then conditioned to end (day 364) at `end`: with T = 365 steps and t = d + 1,
 * x'(d) = x(d) + phi^(T - t) (1 - phi^(2t)) / (1 - phi^(2T)) (end - x(364)), the regression of
 * x(d) on x(364) given the start, which makes x' exactly the AR(1) conditioned on both ends. */
static void fleet_ar1_bridge(double phi, double innovation_sd, const double z[FLEET_DAYS_PER_YEAR], double start,
                             double end, double path[FLEET_DAYS_PER_YEAR]) {
  const int steps = FLEET_DAYS_PER_YEAR;
  double x = start;
  for (int d = 0; d < steps; d++) {
    x = phi * x + innovation_sd * z[d];
    path[d] = x;
  }
  double miss = end - path[steps - 1];
  double denominator = 1.0 - pow(phi, 2.0 * steps);
  for (int d = 0; d < steps; d++) {
    int t = d + 1;
    path[d] += pow(phi, steps - t) * (1.0 - pow(phi, 2.0 * t)) / denominator * miss;
  }
}

void fleet_weather_generate(const fleet_params_t *params, int64_t replica, int64_t year, fleet_weather_t *w) {
  const fleet_params_t *p = params;
  int regions = p->region_count < 0 ? 0 : p->region_count > FLEET_MAX_REGIONS ? FLEET_MAX_REGIONS : p->region_count;
  w->region_count = regions;
  /* Rows past the last region are zeroed so that the whole struct is a function of the inputs. */
  for (int r = regions; r < FLEET_MAX_REGIONS; r++) {
    memset(w->temperature_c[r], 0, sizeof w->temperature_c[r]);
    memset(w->pv_kw_per_kwp[r], 0, sizeof w->pv_kw_per_kwp[r]);
  }
  uint64_t seed = p->seed, rep = (uint64_t)replica, yr = (uint64_t)year;

  /* What every region shares: diurnal shape, anomaly sd, national draws, sun geometry. */
  double half_range_c[FLEET_DAYS_PER_YEAR];
  fleet_weather_daily_normals_c(p->diurnal_half_range_c, half_range_c);
  double diurnal[FLEET_HOURS_PER_DAY]; /* cos(2 pi (h + 0.5 - peak) / 24): sums to 0 over a day,
                                          so the diurnal cycle leaves daily and monthly means */
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++)
    diurnal[h] = cos(2.0 * fleet_pi * (h + 0.5 - p->temperature_peak_hour) / FLEET_HOURS_PER_DAY);
  double sd_c[FLEET_DAYS_PER_YEAR];
  for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
    sd_c[d] = fleet_anomaly_sd_c(p, d);
    if (half_range_c[d] < 0.0) half_range_c[d] = 0.0; /* a spline overshoot must not flip the cycle */
  }

  double z_nation[FLEET_DAYS_PER_YEAR];
  fleet_pcg32_t rng = fleet_stream(seed, rep, yr, FLEET_ENTITY_NATION, 0, FLEET_PURPOSE_WEATHER_TEMPERATURE);
  for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) z_nation[d] = fleet_sample_normal(&rng, 0.0, 1.0);

  unsigned char clear_nation[FLEET_DAYS_PER_YEAR];
  double u_nation[FLEET_DAYS_PER_YEAR];
  rng = fleet_stream(seed, rep, yr, FLEET_ENTITY_NATION, 0, FLEET_PURPOSE_WEATHER_CLEARNESS);
  for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) u_nation[d] = fleet_pcg32_double(&rng);
  fleet_clear_bridge(p, fleet_clear_boundary(p, yr, rep, FLEET_ENTITY_NATION, 0),
                     fleet_clear_boundary(p, yr + 1u, rep, FLEET_ENTITY_NATION, 0), u_nation, clear_nation);

  fleet_sun_tables_t sun;
  fleet_sun_tables(p->solar_noon_clock_hour, &sun);

  /* The anomaly is a(d) = s(d) x(d) with x = sqrt(w) N + sqrt(1 - w) R, N (national) and R (the
   * region's) independent unit-variance AR(1) processes: so a(d) has sd s(d) exactly, and two
   * regions' x have correlation w on every day. So that one AR(1) runs through all the years of a
   * replica while each year still comes from its own streams, the value of each process on the
   * last day before year y is drawn from (seed, replica, y, ..., WEATHER_BOUNDARY), the year's
   * path runs from it, and is then pinned to the next year's boundary value by the exact
   * conditional law of a Gaussian AR(1) given its end point (an AR(1) bridge; its correction
   * decays as phi^(days to the year's end), so it only shapes the last weeks). Cold spells then
   * carry over New Year as they would in an unbroken series. */
  double phi = p->anomaly_persistence;
  double innovation_sd = sqrt(1.0 - phi * phi);
  double w_nation = sqrt(p->anomaly_national_weight), w_region = sqrt(1.0 - p->anomaly_national_weight);
  double nation_path[FLEET_DAYS_PER_YEAR];
  fleet_ar1_bridge(phi, innovation_sd, z_nation,
                   fleet_boundary_draw(seed, rep, yr, FLEET_ENTITY_NATION, 0),
                   fleet_boundary_draw(seed, rep, yr + 1u, FLEET_ENTITY_NATION, 0), nation_path);

  for (int r = 0; r < regions; r++) {
    const fleet_region_t *region = &p->regions[r];
    float *temperature = w->temperature_c[r];
    float *pv = w->pv_kw_per_kwp[r];

    double normal_c[FLEET_DAYS_PER_YEAR];
    fleet_weather_daily_normals_c(region->temperature_monthly_c, normal_c);
    rng = fleet_stream(seed, rep, yr, FLEET_ENTITY_REGION, (uint64_t)r, FLEET_PURPOSE_WEATHER_TEMPERATURE);
    double z_region[FLEET_DAYS_PER_YEAR], region_path[FLEET_DAYS_PER_YEAR];
    for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) z_region[d] = fleet_sample_normal(&rng, 0.0, 1.0);
    fleet_ar1_bridge(phi, innovation_sd, z_region, fleet_boundary_draw(seed, rep, yr, FLEET_ENTITY_REGION, (uint64_t)r),
                     fleet_boundary_draw(seed, rep, yr + 1u, FLEET_ENTITY_REGION, (uint64_t)r), region_path);
    for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
      double x = w_nation * nation_path[d] + w_region * region_path[d];
      double daily_mean_c = normal_c[d] + sd_c[d] * x;
      for (int h = 0; h < FLEET_HOURS_PER_DAY; h++)
        temperature[d * FLEET_HOURS_PER_DAY + h] = (float)(daily_mean_c + half_range_c[d] * diurnal[h]);
    }

    double ghi[FLEET_HOURS_PER_YEAR];
    double scale = fleet_pv_scale_from_sum(p, r, fleet_clear_sky_year(region->latitude_deg, &sun, ghi)) / 1000.0;
    rng = fleet_stream(seed, rep, yr, FLEET_ENTITY_REGION, (uint64_t)r, FLEET_PURPOSE_WEATHER_CLEARNESS);
    double u_own[FLEET_DAYS_PER_YEAR], u_follow[FLEET_DAYS_PER_YEAR];
    for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
      u_own[d] = fleet_pcg32_double(&rng);
      u_follow[d] = fleet_pcg32_double(&rng);
    }
    unsigned char own[FLEET_DAYS_PER_YEAR];
    fleet_clear_bridge(p, fleet_clear_boundary(p, yr, rep, FLEET_ENTITY_REGION, (uint64_t)r),
                       fleet_clear_boundary(p, yr + 1u, rep, FLEET_ENTITY_REGION, (uint64_t)r), u_own, own);
    for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
      int follows = u_follow[d] < p->regional_agreement;
      int clear = follows ? clear_nation[d] : own[d];
      double k = (clear ? p->clear_day_clearness : p->cloudy_day_clearness) * scale;
      for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
        int i = d * FLEET_HOURS_PER_DAY + h;
        pv[i] = (float)(ghi[i] * k);
      }
    }
  }
}
