/* Weather generator: analytic cases (clear-sky irradiance, normals, scale) and the statistics of
 * many simulated replica-years against the configured figures, each tolerance derived from the
 * sample size. Parameters are built by hand: the figures of PARAMETERS.md sections 3 and 4. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "weather.h"

static const double test_pi = 3.14159265358979323846;
static const int test_month_days[FLEET_MONTHS] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static const double paris_c[FLEET_MONTHS] = {3.4, 4.1, 7.6, 10.7, 14.3, 17.5, 19.1, 18.7, 16.0, 11.4, 7.1, 4.3};
/* Marseille-like: January 5.5 and July 23.3 (PARAMETERS.md section 4), months between shaped
 * like a Mediterranean climatology. */
static const double marseille_c[FLEET_MONTHS] = {5.5, 6.3, 9.4, 12.6, 16.6, 20.6, 23.3, 23.0, 19.4, 15.3, 10.0, 6.3};

static void test_params(fleet_params_t *p) {
  memset(p, 0, sizeof *p);
  p->seed = 20240611u;
  static const double half_range[FLEET_MONTHS] = {3, 3.5, 4.5, 5.5, 6, 6.5, 6.5, 6.5, 6, 5, 3.5, 3};
  memcpy(p->diurnal_half_range_c, half_range, sizeof half_range);
  p->temperature_peak_hour = 15.0;
  p->anomaly_persistence = 0.75;
  p->anomaly_sd_winter_c = 3.2;
  p->anomaly_sd_summer_c = 1.6;
  p->anomaly_national_weight = 0.7;
  p->solar_noon_clock_hour = 12.85;
  p->clear_to_clear_probability = 0.65;
  p->cloudy_to_cloudy_probability = 0.75;
  p->regional_agreement = 0.7;
  p->clear_day_clearness = 0.95;
  p->cloudy_day_clearness = 0.35;
  p->region_count = 2;
  strcpy(p->regions[0].name, "paris");
  memcpy(p->regions[0].temperature_monthly_c, paris_c, sizeof paris_c);
  p->regions[0].latitude_deg = 48.86;
  p->regions[0].pv_yield_kwh_per_kwp = 1000.0;
  p->regions[0].fleet_share = 0.5;
  strcpy(p->regions[1].name, "marseille");
  memcpy(p->regions[1].temperature_monthly_c, marseille_c, sizeof marseille_c);
  p->regions[1].latitude_deg = 43.3;
  p->regions[1].pv_yield_kwh_per_kwp = 1400.0;
  p->regions[1].fleet_share = 0.5;
}

static fleet_weather_t *test_alloc(void) {
  fleet_weather_t *w = malloc(sizeof *w);
  cr_assert_not_null(w);
  memset(w, 0xab, sizeof *w); /* garbage: the generator must write every byte that matters */
  return w;
}

/* ---- many replica-years, summarised ------------------------------------------------------- */

#define TEST_YEARS 200
#define TEST_REGIONS 2

typedef struct {
  double yield_kwh_per_kwp[TEST_REGIONS][TEST_YEARS];
  double month_mean_c[TEST_REGIONS][TEST_YEARS][FLEET_MONTHS];
  double *anomaly_c[TEST_REGIONS]; /* daily mean minus daily normal, [year * 365 + day] */
} test_sample_t;

/* 200 replica-years: replicas 0..49 x years 0..3, so both addresses vary. */
static test_sample_t *test_simulate(void) {
  fleet_params_t p;
  test_params(&p);
  test_sample_t *s = calloc(1, sizeof *s);
  cr_assert_not_null(s);
  double normal_c[TEST_REGIONS][FLEET_DAYS_PER_YEAR];
  for (int r = 0; r < TEST_REGIONS; r++) {
    s->anomaly_c[r] = malloc(sizeof(double) * TEST_YEARS * FLEET_DAYS_PER_YEAR);
    cr_assert_not_null(s->anomaly_c[r]);
    fleet_weather_daily_normals_c(p.regions[r].temperature_monthly_c, normal_c[r]);
  }
  fleet_weather_t *w = test_alloc();
  for (int y = 0; y < TEST_YEARS; y++) {
    fleet_weather_generate(&p, y / 4, y % 4, w);
    for (int r = 0; r < TEST_REGIONS; r++) {
      double yield = 0.0;
      for (int i = 0; i < FLEET_HOURS_PER_YEAR; i++) yield += w->pv_kw_per_kwp[r][i];
      s->yield_kwh_per_kwp[r][y] = yield;
      int day = 0;
      for (int m = 0; m < FLEET_MONTHS; m++) {
        double sum = 0.0;
        for (int d = 0; d < test_month_days[m]; d++, day++) {
          double daily = 0.0;
          for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) daily += w->temperature_c[r][day * FLEET_HOURS_PER_DAY + h];
          daily /= FLEET_HOURS_PER_DAY;
          sum += daily;
          s->anomaly_c[r][y * FLEET_DAYS_PER_YEAR + day] = daily - normal_c[r][day];
        }
        s->month_mean_c[r][y][m] = sum / test_month_days[m];
      }
    }
  }
  free(w);
  return s;
}

static void test_free(test_sample_t *s) {
  for (int r = 0; r < TEST_REGIONS; r++) free(s->anomaly_c[r]);
  free(s);
}

/* ---- (g) clear-sky irradiance: analytic case ---------------------------------------------- */

static double test_haurwitz(double cos_z) { return cos_z > 0.0 ? 1098.0 * cos_z * exp(-0.059 / cos_z) : 0.0; }

Test(weather, haurwitz_at_the_equator_on_the_equinox_at_solar_noon) {
  /* Cooper's declination is 0 when 284 + n = 365, i.e. n = 81, day_of_year 80. With solar noon
   * at 12:30 clock, clock hour 12 spans hour angles -7.5..+7.5 deg, and at latitude 0 cos Z is
   * the cos of the hour angle. */
  double ghi = fleet_clear_sky_ghi_w_m2(0.0, 80, 12, 12.5);
  /* The hour's exact mean by a fine midpoint rule (error ~1e-12 relative). */
  const int steps = 100000;
  double exact = 0.0;
  for (int i = 0; i < steps; i++) {
    double omega = (-7.5 + 15.0 * (i + 0.5) / steps) * test_pi / 180.0;
    exact += test_haurwitz(cos(omega));
  }
  exact /= steps;
  cr_assert_lt(fabs(ghi / exact - 1.0), 1e-3, "hour mean %.6f vs integral %.6f", ghi, exact);
  /* And it lies between the values at the hour's edges and at noon: 1098 exp(-0.059) at noon,
   * lower by under 1 % at 7.5 deg (cos 7.5 deg = 0.9914). */
  double noon = 1098.0 * exp(-0.059);
  cr_assert_lt(ghi, noon);
  cr_assert_gt(ghi, test_haurwitz(cos(7.5 * test_pi / 180.0)));
  cr_assert_lt(fabs(ghi / noon - 1.0), 0.01);
  /* The sun is down all of the hours far from noon. */
  cr_assert_eq(fleet_clear_sky_ghi_w_m2(0.0, 80, 0, 12.5), 0.0);
  cr_assert_eq(fleet_clear_sky_ghi_w_m2(0.0, 80, 23, 12.5), 0.0);
}

Test(weather, haurwitz_at_solar_noon_follows_the_latitude_on_the_equinox) {
  /* On the equinox at solar noon Z = latitude: at 60 N, cos Z = 1/2. Averaged over the hour
   * (+-7.5 deg of hour angle) the value is within 1 % of the noon value and below it. */
  double ghi = fleet_clear_sky_ghi_w_m2(60.0, 80, 12, 12.5);
  double noon = test_haurwitz(0.5);
  cr_assert_lt(ghi, noon);
  cr_assert_gt(ghi, 0.99 * noon);
}

/* ---- (f) daily normals --------------------------------------------------------------------- */

Test(weather, daily_normals_keep_monthly_means_and_are_smooth) {
  double daily[FLEET_DAYS_PER_YEAR];
  fleet_weather_daily_normals_c(paris_c, daily);
  int day = 0;
  for (int m = 0; m < FLEET_MONTHS; m++) {
    double sum = 0.0;
    for (int d = 0; d < test_month_days[m]; d++) sum += daily[day++];
    cr_assert_lt(fabs(sum / test_month_days[m] - paris_c[m]), 0.01, "month %d: %.4f vs %.4f", m,
                 sum / test_month_days[m], paris_c[m]);
  }
  /* Continuous, the year's end included (the normals repeat every year). Paris's steepest
   * month-to-month change is 4.6 C over ~30 days, ~0.15 C a day; 0.5 C would be a step. */
  for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
    double step = fabs(daily[(d + 1) % FLEET_DAYS_PER_YEAR] - daily[d]);
    cr_assert_lt(step, 0.5, "day %d: step %.3f C", d, step);
  }
  /* Smooth, not piecewise linear: second differences stay small. Linear interpolation between
   * mid-months has kinks for these normals of up to 0.076 C/day/day (mid-August: -0.01 then
   * -0.09 C/day); the spline spreads its curvature, its largest is under 0.01. */
  for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
    double second = daily[(d + 2) % FLEET_DAYS_PER_YEAR] - 2.0 * daily[(d + 1) % FLEET_DAYS_PER_YEAR] + daily[d];
    cr_assert_lt(fabs(second), 0.02, "day %d: second difference %.4f", d, second);
  }
  /* Analytic case: constant normals give a constant year. */
  double flat[FLEET_MONTHS];
  for (int m = 0; m < FLEET_MONTHS; m++) flat[m] = 12.97;
  fleet_weather_daily_normals_c(flat, daily);
  for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) cr_assert_float_eq(daily[d], 12.97, 1e-9);
}

/* ---- PV scale: analytic ---------------------------------------------------------------------- */

Test(weather, pv_scale_makes_the_expected_yield_exact) {
  /* E[yield] = sum of clear-sky GHI/1000 x E[clearness] x scale, with E[clearness] from the
   * stationary chain: pi_clear = 0.25 / (0.35 + 0.25), E = pi 0.95 + (1 - pi) 0.35 = 0.6. */
  fleet_params_t p;
  test_params(&p);
  double pi_clear = 0.25 / 0.60, mean_clearness = pi_clear * 0.95 + (1.0 - pi_clear) * 0.35;
  cr_assert_float_eq(mean_clearness, 0.6, 1e-12);
  for (int r = 0; r < p.region_count; r++) {
    double sum = 0.0;
    for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++)
      for (int h = 0; h < FLEET_HOURS_PER_DAY; h++)
        sum += fleet_clear_sky_ghi_w_m2(p.regions[r].latitude_deg, d, h, p.solar_noon_clock_hour);
    double expected = sum / 1000.0 * mean_clearness * fleet_pv_scale(&p, r);
    cr_assert_float_eq(expected, p.regions[r].pv_yield_kwh_per_kwp, 1e-9 * p.regions[r].pv_yield_kwh_per_kwp);
    /* Haurwitz clear sky at these latitudes is 1,500-2,100 kWh/m2/yr, so with E = 0.6 the scale
     * (kWh/kWp per kWh/m2 of mean GHI) is of order 1, as for a real south-facing array. */
    double scale = fleet_pv_scale(&p, r);
    cr_assert(scale > 0.7 && scale < 1.5, "region %d: scale %.3f", r, scale);
  }
}

/* ---- (c) night and noon ---------------------------------------------------------------------- */

Test(weather, pv_is_zero_at_night_and_positive_at_noon) {
  fleet_params_t p;
  test_params(&p);
  fleet_weather_t *w = test_alloc();
  for (int year = 0; year < 2; year++) {
    fleet_weather_generate(&p, 7, year, w);
    for (int r = 0; r < p.region_count; r++) {
      for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
        for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
          float pv = w->pv_kw_per_kwp[r][d * FLEET_HOURS_PER_DAY + h];
          double ghi = fleet_clear_sky_ghi_w_m2(p.regions[r].latitude_deg, d, h, p.solar_noon_clock_hour);
          if (h <= 3 || h >= 22) cr_assert_eq(ghi, 0.0, "region %d day %d hour %d: sun up", r, d, h);
          if (ghi == 0.0) cr_assert_eq(pv, 0.0f, "region %d day %d hour %d: %g at night", r, d, h, pv);
          cr_assert(pv >= 0.0f);
        }
        cr_assert_gt(w->pv_kw_per_kwp[r][d * FLEET_HOURS_PER_DAY + 12], 0.0f, "region %d day %d noon", r, d);
        /* Clearness 0.95 x scale < 1.5 x GHI < 1.1 kW/m2: a kWp never gives 2 kW. */
        cr_assert_lt(w->pv_kw_per_kwp[r][d * FLEET_HOURS_PER_DAY + 12], 2.0f);
      }
    }
  }
  free(w);
}

/* ---- (e) reproducibility --------------------------------------------------------------------- */

Test(weather, same_address_same_year_other_address_other_year) {
  fleet_params_t p;
  test_params(&p);
  fleet_weather_t *a = test_alloc(), *b = test_alloc();
  memset(b, 0x5c, sizeof *b); /* other garbage: the unused rows must be written too */
  fleet_weather_generate(&p, 3, 2, a);
  fleet_weather_generate(&p, 3, 2, b);
  cr_assert_eq(a->region_count, 2);
  cr_assert_eq(memcmp(a, b, sizeof *a), 0, "same (seed, replica, year), different arrays");

  fleet_weather_generate(&p, 3, 3, b);
  cr_assert_neq(memcmp(a->temperature_c, b->temperature_c, sizeof a->temperature_c), 0, "other year, same temperature");
  cr_assert_neq(memcmp(a->pv_kw_per_kwp, b->pv_kw_per_kwp, sizeof a->pv_kw_per_kwp), 0, "other year, same PV");
  fleet_weather_generate(&p, 4, 2, b);
  cr_assert_neq(memcmp(a->temperature_c, b->temperature_c, sizeof a->temperature_c), 0, "other replica, same temperature");
  cr_assert_neq(memcmp(a->pv_kw_per_kwp, b->pv_kw_per_kwp, sizeof a->pv_kw_per_kwp), 0, "other replica, same PV");
  p.seed += 1;
  fleet_weather_generate(&p, 3, 2, b);
  cr_assert_neq(memcmp(a->temperature_c, b->temperature_c, sizeof a->temperature_c), 0, "other seed, same temperature");

  /* Each region draws from its own streams (and the national ones): adding a region leaves the
   * others' weather bit for bit unchanged. */
  p.seed -= 1;
  p.region_count = 3;
  p.regions[2] = p.regions[0];
  p.regions[2].latitude_deg = 50.6;
  fleet_weather_generate(&p, 3, 2, b);
  cr_assert_eq(memcmp(a->temperature_c[0], b->temperature_c[0], 2 * sizeof a->temperature_c[0]), 0);
  cr_assert_eq(memcmp(a->pv_kw_per_kwp[0], b->pv_kw_per_kwp[0], 2 * sizeof a->pv_kw_per_kwp[0]), 0);
  free(a);
  free(b);
}

/* ---- (a) annual PV yield --------------------------------------------------------------------- */

Test(weather, mean_annual_pv_yield_matches_the_configured_figure) {
  fleet_params_t p;
  test_params(&p);
  test_sample_t *s = test_simulate();
  for (int r = 0; r < TEST_REGIONS; r++) {
    double sum = 0.0, sum_sq = 0.0;
    for (int y = 0; y < TEST_YEARS; y++) {
      sum += s->yield_kwh_per_kwp[r][y];
      sum_sq += s->yield_kwh_per_kwp[r][y] * s->yield_kwh_per_kwp[r][y];
    }
    double mean = sum / TEST_YEARS;
    double sd = sqrt((sum_sq - sum * mean) / (TEST_YEARS - 1));
    double target = p.regions[r].pv_yield_kwh_per_kwp;
    /* A year's yield varies through its daily clearness (sd 0.29 about a mean 0.6 per day, lag-k
     * correlation ~0.58 x 0.4^k once regional noise is mixed in, so ~200 independent days'
     * worth): a CV of roughly 4 %. Over 200 independent years the mean's standard error is then
     * ~0.3 %; the 3 % tolerance must be at least 3 standard errors, checked on the sample. */
    cr_assert_lt(sd / sqrt(TEST_YEARS), 0.01 * target, "region %d: standard error %.2f", r, sd / sqrt(TEST_YEARS));
    cr_assert_gt(sd, 0.0);
    cr_assert_lt(fabs(mean / target - 1.0), 0.03, "region %d: mean yield %.1f vs %.1f (sd %.1f)", r, mean, target, sd);
  }
  test_free(s);
}

/* ---- (b) monthly mean temperatures ---------------------------------------------------------- */

Test(weather, monthly_mean_temperatures_match_the_normals) {
  fleet_params_t p;
  test_params(&p);
  test_sample_t *s = test_simulate();
  for (int r = 0; r < TEST_REGIONS; r++) {
    for (int m = 0; m < FLEET_MONTHS; m++) {
      double sum = 0.0, sum_sq = 0.0;
      for (int y = 0; y < TEST_YEARS; y++) {
        sum += s->month_mean_c[r][y][m];
        sum_sq += s->month_mean_c[r][y][m] * s->month_mean_c[r][y][m];
      }
      double mean = sum / TEST_YEARS, sd = sqrt((sum_sq - sum * mean) / (TEST_YEARS - 1));
      /* A month's mean anomaly has variance ~ s^2 (1 + phi) / ((1 - phi) n) with n ~ 30 days:
       * at most 3.2^2 x 7 / 28 -> sd 1.6 C in winter; over 200 years the standard error is
       * ~0.11 C, so 0.5 C is over 4 standard errors: checked on the sample. */
      cr_assert_lt(sd / sqrt(TEST_YEARS), 0.125, "region %d month %d: standard error %.3f", r, m, sd / sqrt(TEST_YEARS));
      double normal = p.regions[r].temperature_monthly_c[m];
      cr_assert_lt(fabs(mean - normal), 0.5, "region %d month %d: %.3f vs %.3f", r, m, mean, normal);
    }
  }
  test_free(s);
}

/* ---- (d) correlation across regions and in time --------------------------------------------- */

Test(weather, anomalies_correlate_across_regions_and_persist) {
  fleet_params_t p;
  test_params(&p);
  test_sample_t *s = test_simulate();
  const double *a0 = s->anomaly_c[0], *a1 = s->anomaly_c[1];
  const int n = TEST_YEARS * FLEET_DAYS_PER_YEAR;
  double phi = p.anomaly_persistence, w = p.anomaly_national_weight;

  /* Cross-correlation; the anomalies have mean 0 by construction, so the products are taken
   * about 0. Fisher z has standard error 1/sqrt(n - 3) for independent pairs; two AR(1) series
   * with the same phi inflate the variance by (1 + phi^2) / (1 - phi^2) = 3.57 (Bartlett 1946),
   * and the seasonal sd weights days unequally, which cuts the effective n by
   * (E s^2)^2 / E s^4 = 0.83 for sd 3.2 / 1.6 (0.8 used). Tolerance: 4 such standard errors
   * (0.031 in z, 0.016 in r at n = 73,000). */
  double s01 = 0.0, s00 = 0.0, s11 = 0.0;
  for (int i = 0; i < n; i++) {
    s01 += a0[i] * a1[i];
    s00 += a0[i] * a0[i];
    s11 += a1[i] * a1[i];
  }
  double corr = s01 / sqrt(s00 * s11);
  double inflation = (1.0 + phi * phi) / (1.0 - phi * phi);
  double z_tol = 4.0 * sqrt(inflation / (0.8 * (n - 3)));
  cr_assert_lt(fabs(atanh(corr) - atanh(w)), z_tol, "cross-correlation %.4f vs %.2f (z tolerance %.4f)", corr, w, z_tol);

  /* Lag-1 autocorrelation, pairs within a year (years are independent). Its variance for an
   * AR(1) is (1 - phi^2) / n (Bartlett), with the same 0.8 for the seasonal weighting; the
   * drift of s(d) between adjacent days biases it by < 1e-4. Tolerance: 4 standard errors. */
  for (int r = 0; r < TEST_REGIONS; r++) {
    const double *a = s->anomaly_c[r];
    double lag = 0.0, head = 0.0, tail = 0.0;
    int pairs = 0;
    for (int y = 0; y < TEST_YEARS; y++) {
      for (int d = 0; d + 1 < FLEET_DAYS_PER_YEAR; d++) {
        int i = y * FLEET_DAYS_PER_YEAR + d;
        lag += a[i] * a[i + 1];
        head += a[i] * a[i];
        tail += a[i + 1] * a[i + 1];
        pairs++;
      }
    }
    double rho1 = lag / sqrt(head * tail);
    double tol = 4.0 * sqrt((1.0 - phi * phi) / (0.8 * pairs));
    cr_assert_lt(fabs(rho1 - phi), tol, "region %d: lag-1 autocorrelation %.4f vs %.2f (tolerance %.4f)", r, rho1, phi, tol);
  }
  test_free(s);
}

/* ---- (h) seasonal anomaly sd ----------------------------------------------------------------- */

Test(weather, winter_anomaly_sd_is_twice_the_summer_one) {
  fleet_params_t p;
  test_params(&p);
  test_sample_t *s = test_simulate();
  /* RMS anomaly over +-15 days around mid-January (day 15) and mid-July (day 196). The sd
   * curve is flat at both: its RMS over the windows is 3.19 and 1.61 (ratio 1.98).
   * The relative standard error of an RMS over n = 200 x 31 days of an AR(1) is
   * 0.5 sqrt(2 (1 + phi^2) / ((1 - phi^2) n)) = 1.7 %, 2.4 % for the ratio: tolerance 4 of
   * those plus the window's 0.03, i.e. 0.13 on the ratio and 8 % on each sd. */
  for (int r = 0; r < TEST_REGIONS; r++) {
    double winter = 0.0, summer = 0.0;
    int count = 0;
    for (int y = 0; y < TEST_YEARS; y++) {
      for (int k = -15; k <= 15; k++) {
        double aw = s->anomaly_c[r][y * FLEET_DAYS_PER_YEAR + 15 + k];
        double as = s->anomaly_c[r][y * FLEET_DAYS_PER_YEAR + 196 + k];
        winter += aw * aw;
        summer += as * as;
        count++;
      }
    }
    winter = sqrt(winter / count);
    summer = sqrt(summer / count);
    cr_assert_lt(fabs(winter / p.anomaly_sd_winter_c - 1.0), 0.08, "region %d: winter sd %.3f", r, winter);
    cr_assert_lt(fabs(summer / p.anomaly_sd_summer_c - 1.0), 0.08, "region %d: summer sd %.3f", r, summer);
    cr_assert_lt(fabs(winter / summer - 2.0), 0.13, "region %d: winter/summer sd %.3f", r, winter / summer);
  }
  test_free(s);
}

/* Daily mean temperature anomaly (daily mean minus the smooth normal) of region 0 on one day. */
static double test_day_anomaly(const fleet_params_t *p, const fleet_weather_t *w, int day) {
  double normal_c[FLEET_DAYS_PER_YEAR], mean = 0.0;
  fleet_weather_daily_normals_c(p->regions[0].temperature_monthly_c, normal_c);
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) mean += w->temperature_c[0][day * FLEET_HOURS_PER_DAY + h];
  return mean / FLEET_HOURS_PER_DAY - normal_c[day];
}

Test(weather, anomalies_persist_across_new_year) {
  /* Over n replicas, the anomalies of 31 December (year 0) and 1 January (year 1) must correlate
   * like any two consecutive days, about phi x s(364) / s(0) ~ phi (the two sds are nearly
   * equal), not 0 as with years drawn apart. Tolerance on Fisher's z: 5 / sqrt(n - 3) = 0.16 for
   * n = 1,000 replicas, against atanh(0.75) = 0.97 (independent years would give 0). */
  fleet_params_t p;
  test_params(&p);
  fleet_weather_t *w = test_alloc();
  enum { N = 1000 };
  static double december[N], january[N];
  for (int k = 0; k < N; k++) {
    fleet_weather_generate(&p, k, 0, w);
    december[k] = test_day_anomaly(&p, w, FLEET_DAYS_PER_YEAR - 1);
    fleet_weather_generate(&p, k, 1, w);
    january[k] = test_day_anomaly(&p, w, 0);
  }
  double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
  for (int k = 0; k < N; k++) {
    mx += december[k] / N;
    my += january[k] / N;
  }
  for (int k = 0; k < N; k++) {
    sxx += (december[k] - mx) * (december[k] - mx);
    syy += (january[k] - my) * (january[k] - my);
    sxy += (december[k] - mx) * (january[k] - my);
  }
  double r = sxy / sqrt(sxx * syy);
  cr_assert(fabs(atanh(r) - atanh(p.anomaly_persistence)) < 5.0 / sqrt(N - 3.0), "correlation across New Year %.3f", r);
  free(w);
}

/* Clearness of region 0 at noon on a day, from its PV: pv = GHI / 1000 x clearness x scale. */
static double test_noon_clearness(const fleet_params_t *p, const fleet_weather_t *w, int day) {
  double ghi = fleet_clear_sky_ghi_w_m2(p->regions[0].latitude_deg, day, 12, p->solar_noon_clock_hour);
  return w->pv_kw_per_kwp[0][day * FLEET_HOURS_PER_DAY + 12] * 1000.0 / (ghi * fleet_pv_scale(p, 0));
}

Test(weather, clear_spells_persist_across_new_year) {
  /* With every region following the national chain, P(clear on 1 January | clear on 31
   * December) must be the chain's clear_to_clear_probability (0.65), not the stationary share
   * (0.25 / 0.6 = 0.417) of years drawn apart. Over n = 2,000 replicas about 830 start clear:
   * binomial sd sqrt(0.65 x 0.35 / 830) = 0.017, 5 of them = 0.083, half the gap to 0.417. */
  fleet_params_t p;
  test_params(&p);
  p.regional_agreement = 1.0;
  fleet_weather_t *w = test_alloc();
  enum { N = 2000 };
  int clear_dec = 0, clear_both = 0;
  for (int k = 0; k < N; k++) {
    fleet_weather_generate(&p, k, 0, w);
    int dec = test_noon_clearness(&p, w, FLEET_DAYS_PER_YEAR - 1) > 0.65;
    fleet_weather_generate(&p, k, 1, w);
    int jan = test_noon_clearness(&p, w, 0) > 0.65;
    clear_dec += dec;
    clear_both += dec && jan;
  }
  double stay = (double)clear_both / clear_dec;
  double sd = sqrt(p.clear_to_clear_probability * (1.0 - p.clear_to_clear_probability) / clear_dec);
  cr_assert(fabs(stay - p.clear_to_clear_probability) < 5.0 * sd, "P(clear 1 Jan | clear 31 Dec) = %.3f", stay);
  free(w);
}
