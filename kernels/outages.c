/* outages.c: storms of a replica-year and each household's outage intervals (see outages.h).
 *
 * Calibration (PARAMETERS.md 5): ordinary interruptions follow the CRE's figures for low-voltage
 * customers (1.91 interruptions per customer and year in 2022; "critere B" 56 to 73 min per year
 * in 2021-2023), so with a lognormal duration of median m and log-sd s the expected minutes per
 * customer-year are rate x m x exp(s^2 / 2). Storms follow the press accounts of 1999
 * (Lothar/Martin, ~3.5 M households; 91 % back after 3 days, all after ~9: the extreme curve),
 * 2009 (Klaus, all back after ~12 days: the ordinary curve's end) and Enedis's figures for
 * Ciaran in 2023 (1.2 M cut, 523,000 after 1 day, 81,000 after 5, 8,000 after 10: the ordinary
 * curve's knots). The storms' expected minutes per customer-year are rate x (share of households
 * cut per storm) x (mean restoration time = the area under the curve); docs/CALIBRATION_STORMS.md
 * sets them to the long-run share of the 1999-2023 events.
 *
 * Random draws: every sampler here inverts a distribution function from one uniform, so each
 * quantity costs a known number of outputs and its position in its stream never depends on the
 * values drawn before it nor on parameters of other quantities (common random numbers across a
 * parameter sweep; reproducible without the draws before it).
 *   (NATION, 0, STORMS), outputs counted in 32-bit steps:
 *     [0, 2)             the storm count (Poisson by inversion, capped at FLEET_MAX_STORMS)
 *     [2 + 10 i, 12 + 10 i)  storm i: month, time within the month, extreme or not, centre
 *                            region, ordinary radius (drawn for extreme storms too, unused)
 *   (VEHICLE, id, OUTAGES):
 *     [4 i, 4 i + 4)     storm i of the year: whether the household is cut, its restoration
 *                        time (made whether or not its region is hit)
 *     [64, 66)           the number of ordinary interruptions (64 = 4 x FLEET_MAX_STORMS, so
 *                        the storms of the year never shift them)
 *     [66 + 4 k, 70 + 4 k)  interruption k: its start, its duration */
#include "outages.h"

#include <math.h>
#include <string.h>

#include "rng.h"
#include "year_totals.h"

static const double fleet_earth_radius_km = 6371.0; /* mean radius (IUGG), the usual haversine sphere */
static const double fleet_pi = 3.14159265358979323846;
static const int fleet_month_days[FLEET_MONTHS] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* Outputs per double uniform, and the stream layout above. */
#define FLEET_OUTPUTS_PER_DOUBLE 2u
#define FLEET_HOUSEHOLD_STORM_DRAWS 2u /* doubles per storm in a household's stream */

/* Ordinary interruptions a household-year can hold before merging: the count is capped there. A
 * Poisson(1.9) count (the CRE figure) reaches it with probability ~1e-436; only a scenario rate
 * in the hundreds per year would feel the cap. */
#define FLEET_MAX_ORDINARY 256

/* ---- samplers by inversion ------------------------------------------------------------------ */

/* A uniform in (0, 1): the stream's [0, 1) double with the single value 0 moved to 2^-54, so
 * quantile functions never see 0 (the bias, 2^-53 of mass moved by 2^-54, is nil in practice). */
static double fleet_open_uniform(fleet_pcg32_t *rng) {
  double u = fleet_pcg32_double(rng);
  return u > 0.0 ? u : 0x1.0p-54;
}

/* Poisson(mean) by sequential search of the distribution function, one uniform (the inversion
 * method for discrete laws, L. Devroye, Non-Uniform Random Variate Generation, Springer 1986),
 * result at most cap. The search stops once the remaining terms cannot matter at double
 * precision (past the mode, the next term below 2^-60 of the sum), so a u that rounding leaves
 * above the computed sum cannot run on to the cap. */
static uint32_t fleet_poisson_by_inversion(double u, double mean, uint32_t cap) {
  if (!(mean > 0.0)) {
    return 0u;
  }
  double term = exp(-mean);
  double cdf = term;
  uint32_t k = 0u;
  while (u >= cdf && k < cap) {
    ++k;
    term *= mean / (double)k;
    cdf += term;
    if ((double)k > mean && term < 0x1.0p-60 * cdf) {
      break;
    }
  }
  return k;
}

/* exp(mu + sigma Z) with Z standard normal conditioned on Z < z_max, by inversion of u in (0, 1):
 * the same distribution as drawing again above the cap, without a variable number of draws.
 * upper_tail = Q(z_max) = 1 - Phi(z_max). Both p = Phi(Z) and q = 1 - p are formed without
 * cancellation. */
static double fleet_truncated_lognormal(double u, double mu, double sigma, double upper_tail) {
  double p = u * (1.0 - upper_tail);
  double q = (1.0 - u) + u * upper_tail;
  return exp(mu + sigma * fleet_normal_quantile_pq(p, q));
}

/* Index drawn with probability proportional to weights[i] (negative weights count as 0) from u in
 * [0, 1); -1 if no weight is positive. */
static int fleet_choose_weighted(const double *weights, int n, double u) {
  double total = 0.0;
  int last = -1;
  for (int i = 0; i < n; i++) {
    if (weights[i] > 0.0) {
      total += weights[i];
      last = i;
    }
  }
  if (last < 0) {
    return -1;
  }
  double target = u * total;
  double cum = 0.0;
  for (int i = 0; i < n; i++) {
    if (weights[i] > 0.0) {
      cum += weights[i];
      if (target < cum) {
        return i;
      }
    }
  }
  return last; /* rounding left target at the total */
}

/* ---- storms ---------------------------------------------------------------------------------- */

/* Haversine: well conditioned at short distances, unlike the spherical law of cosines, and the
 * sphere's error (< 0.5 %) is far below the footprint model's. */
static double distance_km(double lat_a_deg, double lon_a_deg, double lat_b_deg, double lon_b_deg) {
  const double deg = fleet_pi / 180.0;
  double lat_a = lat_a_deg * deg, lat_b = lat_b_deg * deg;
  double dlat = lat_b - lat_a;
  double dlon = (lon_b_deg - lon_a_deg) * deg;
  double s_lat = sin(0.5 * dlat), s_lon = sin(0.5 * dlon);
  double h = s_lat * s_lat + cos(lat_a) * cos(lat_b) * s_lon * s_lon;
  if (h > 1.0) {
    h = 1.0; /* rounding near antipodes */
  }
  return 2.0 * fleet_earth_radius_km * asin(sqrt(h));
}

double fleet_region_distance_km(const fleet_params_t *params, int a, int b) {
  return distance_km(params->regions[a].latitude_deg, params->regions[a].longitude_deg, params->regions[b].latitude_deg,
                     params->regions[b].longitude_deg);
}

void fleet_storms_generate(const fleet_params_t *params, int64_t replica, int64_t year, fleet_storm_year_t *storms) {
  memset(storms, 0, sizeof *storms);
  fleet_pcg32_t rng = fleet_stream(params->seed, (uint64_t)replica, (uint64_t)year, FLEET_ENTITY_NATION, 0u,
                                   FLEET_PURPOSE_STORMS);
  int region_count = params->region_count;
  if (region_count <= 0) {
    return;
  }
  if (region_count > FLEET_MAX_REGIONS) {
    region_count = FLEET_MAX_REGIONS;
  }
  /* Capped count: P(N >= 16) for the 0.1-0.2 storms a year of the press record is below 1e-24. */
  int count = (int)fleet_poisson_by_inversion(fleet_pcg32_double(&rng), params->storm_rate_per_year,
                                              FLEET_MAX_STORMS);

  /* Months without any weight (an invalid scenario) fall back to a uniform date in the year. */
  double month_weights[FLEET_MONTHS];
  int weighted = 0;
  for (int m = 0; m < FLEET_MONTHS; m++) {
    weighted |= params->storm_month_weights[m] > 0.0;
  }
  for (int m = 0; m < FLEET_MONTHS; m++) {
    month_weights[m] = weighted ? params->storm_month_weights[m] : fleet_month_days[m];
  }
  int first_day[FLEET_MONTHS];
  for (int m = 0, d = 0; m < FLEET_MONTHS; m++) {
    first_day[m] = d;
    d += fleet_month_days[m];
  }
  double exposure[FLEET_MAX_REGIONS];
  for (int r = 0; r < region_count; r++) {
    exposure[r] = params->regions[r].storm_exposure;
  }

  for (int i = 0; i < count; i++) {
    double u_month = fleet_pcg32_double(&rng);
    double u_time = fleet_pcg32_double(&rng);
    double u_extreme = fleet_pcg32_double(&rng);
    double u_centre = fleet_pcg32_double(&rng);
    double radius_ordinary_km = fleet_sample_exponential(&rng, params->storm_radius_km_mean);

    int month = fleet_choose_weighted(month_weights, FLEET_MONTHS, u_month);
    /* Day and hour uniform within the month: one uniform on the month's continuous span. */
    double day = first_day[month] + u_time * fleet_month_days[month];
    int centre = fleet_choose_weighted(exposure, region_count, u_centre);
    if (centre < 0) {
      centre = (int)(u_centre * region_count); /* no exposure given: any region alike */
    }

    fleet_storm_t *s = &storms->storms[i];
    s->start_hour = day * FLEET_HOURS_PER_DAY;
    s->extreme = u_extreme < params->storm_extreme_probability;
    double radius_km = s->extreme ? params->storm_extreme_radius_km : radius_ordinary_km;
    s->cut_share = s->extreme ? params->storm_extreme_cut_share : params->storm_cut_share;
    for (int r = 0; r < region_count; r++) {
      s->hit[r] = r == centre || fleet_region_distance_km(params, centre, r) <= radius_km;
    }
  }
  storms->count = count;

  /* A forced storm (storm.forced) joins the drawn ones in its year without taking a draw, so the
   * drawn storms, households and restorations stay those of the same seed without it. Its
   * footprint: the regions whose centre lies within the radius of its centre point. */
  if (params->storm_forced != FLEET_FORCED_STORM_NONE && year == params->storm_forced_year) {
    const int extreme = params->storm_forced == FLEET_FORCED_STORM_EXTREME;
    const double radius_km = extreme ? params->storm_extreme_radius_km : params->storm_radius_km_mean;
    fleet_storm_t *s = &storms->storms[count < FLEET_MAX_STORMS ? count : FLEET_MAX_STORMS - 1];
    s->start_hour = params->storm_forced_day * FLEET_HOURS_PER_DAY;
    s->extreme = extreme;
    /* an extreme one has its own share: the drawn extreme storms' is calibrated on the footprint of
     * a random centre (77 % of households), the forced one's on its own fixed centre (about all) */
    s->cut_share = extreme ? params->storm_forced_extreme_cut_share : params->storm_cut_share;
    for (int r = 0; r < FLEET_MAX_REGIONS; r++) {
      s->hit[r] = r < region_count && distance_km(params->storm_forced_latitude_deg, params->storm_forced_longitude_deg,
                                                  params->regions[r].latitude_deg,
                                                  params->regions[r].longitude_deg) <= radius_km;
    }
    if (count < FLEET_MAX_STORMS) storms->count = count + 1;
  }
}

double fleet_storm_restoration_days(const fleet_params_t *params, int extreme, double u) {
  /* A cut household is still cut after t days with probability S(t), piecewise linear through the
   * knots; its restoration time is T = inf { t : S(t) <= 1 - u }, so P(T > t) = S(t) and T rises
   * with u. A flat stretch of S carries no probability: T jumps over it (to its left end). */
  const double *t = extreme ? params->storm_extreme_restoration_days : params->storm_restoration_days;
  const double *s = extreme ? params->storm_extreme_still_cut_fraction : params->storm_still_cut_fraction;
  double target = 1.0 - u;
  for (int k = 0; k + 1 < FLEET_RESTORATION_KNOTS; k++) {
    if (s[k + 1] <= target) {
      if (s[k] <= target) {
        return t[k];
      }
      return t[k] + (t[k + 1] - t[k]) * (s[k] - target) / (s[k] - s[k + 1]);
    }
  }
  return t[FLEET_RESTORATION_KNOTS - 1]; /* a curve that does not reach 0: ends at its last knot */
}

/* ---- a household's intervals ----------------------------------------------------------------- */

int fleet_household_outages(const fleet_params_t *params, const fleet_storm_year_t *storms, uint64_t stream_prefix,
                            uint64_t vehicle_id, int region, fleet_interval_t out[FLEET_MAX_OUTAGES]) {
  fleet_interval_t all[FLEET_MAX_STORMS + FLEET_MAX_ORDINARY];
  int n = 0;
  fleet_pcg32_t rng = fleet_stream_at(stream_prefix, vehicle_id, FLEET_PURPOSE_OUTAGES);

  int storm_count = storms->count < 0 ? 0 : storms->count > FLEET_MAX_STORMS ? FLEET_MAX_STORMS : storms->count;
  int in_range = region >= 0 && region < FLEET_MAX_REGIONS;
  for (int i = 0; i < storm_count; i++) {
    const fleet_storm_t *s = &storms->storms[i];
    double u_cut = fleet_pcg32_double(&rng);
    double u_restore = fleet_pcg32_double(&rng);
    if (in_range && s->hit[region] && u_cut < s->cut_share) {
      double days = fleet_storm_restoration_days(params, s->extreme, u_restore);
      all[n].start_hour = s->start_hour;
      all[n].end_hour = s->start_hour + FLEET_HOURS_PER_DAY * days;
      n += all[n].end_hour > all[n].start_hour; /* restored at once (u = 0): no outage */
    }
  }
  fleet_pcg32_advance(&rng, (uint64_t)(FLEET_MAX_STORMS - storm_count) * FLEET_HOUSEHOLD_STORM_DRAWS *
                                FLEET_OUTPUTS_PER_DOUBLE);

  int ordinary = (int)fleet_poisson_by_inversion(fleet_pcg32_double(&rng), params->outage_rate_per_year,
                                                 FLEET_MAX_ORDINARY);
  if (ordinary > 0) {
    double mu = log(params->outage_duration_median_min);
    double sigma = params->outage_duration_log_sd > 0.0 ? params->outage_duration_log_sd : 0.0;
    double max_min = 60.0 * params->outage_duration_max_h;
    /* Q(z_max): the share of the untruncated lognormal above the cap (0: no cap). */
    double upper_tail = 0.0;
    if (sigma > 0.0 && max_min > 0.0 && isfinite(max_min)) {
      upper_tail = 0.5 * erfc((log(max_min) - mu) / sigma * 0.70710678118654752440);
    }
    for (int k = 0; k < ordinary; k++) {
      double start = fleet_pcg32_double(&rng) * FLEET_HOURS_PER_YEAR;
      double u = fleet_open_uniform(&rng);
      double minutes = sigma > 0.0 ? fleet_truncated_lognormal(u, mu, sigma, upper_tail)
                                   : params->outage_duration_median_min;
      all[n].start_hour = start;
      all[n].end_hour = start + minutes / 60.0;
      n += all[n].end_hour > start;
    }
  }

  /* Sort by start (insertion sort: n is ~2 on average), then merge intervals that overlap or
   * touch: the household sees one outage until supply returns. */
  for (int i = 1; i < n; i++) {
    fleet_interval_t x = all[i];
    int j = i - 1;
    while (j >= 0 && all[j].start_hour > x.start_hour) {
      all[j + 1] = all[j];
      --j;
    }
    all[j + 1] = x;
  }
  int m = 0;
  for (int i = 0; i < n; i++) {
    if (m > 0 && all[i].start_hour <= out[m - 1].end_hour) {
      if (all[i].end_hour > out[m - 1].end_hour) {
        out[m - 1].end_hour = all[i].end_hour;
      }
    } else if (m < FLEET_MAX_OUTAGES) {
      out[m++] = all[i];
    } else {
      /* More than FLEET_MAX_OUTAGES separate outages (Poisson(1.9) gets 32 with probability
       * ~1e-28): the excess joins the last interval, gaps included, so no outage time is lost;
       * the supplied time in those gaps is counted as outage. */
      if (all[i].end_hour > out[m - 1].end_hour) {
        out[m - 1].end_hour = all[i].end_hour;
      }
    }
  }
  return m;
}
