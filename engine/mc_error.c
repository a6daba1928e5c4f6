/* mc_error.c: Monte Carlo error across replicas (see mc_error.h). */
#include "mc_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const double fleet_mc_levels[3] = {0.05, 0.5, 0.95};

/* P(|T| <= t) for Student's t with an integer df, by the finite sums of Abramowitz & Stegun
 * 26.7.3 (odd df) and 26.7.4 (even df), theta = atan(t / sqrt(df)). Exact up to rounding. */
static double t_central_probability(double t, int64_t df) {
  const double theta = atan(t / sqrt((double)df)), c2 = cos(theta) * cos(theta), s = sin(theta);
  if (df % 2 == 0) {
    double term = 1.0, sum = 0.0;
    for (int64_t j = 0; j < df / 2; j++) {
      sum += term;
      term *= c2 * (2.0 * (double)j + 1.0) / (2.0 * (double)j + 2.0);
    }
    return s * sum;
  }
  double term = cos(theta), sum = 0.0;
  for (int64_t j = 1; j <= (df - 1) / 2; j++) {
    sum += term;
    term *= c2 * (2.0 * (double)j) / (2.0 * (double)j + 1.0);
  }
  return 2.0 / 3.14159265358979323846 * (theta + s * sum);
}

double fleet_t975(double df_real) {
  if (!(df_real >= 1.0)) return NAN;
  const int64_t df = (int64_t)floor(df_real);
  if (df > 300) {
    /* Cornish-Fisher expansion about the normal quantile (A&S 26.7.5), error below 1e-9 here */
    const double z = 1.959963984540054, z2 = z * z, v = (double)df;
    const double g1 = (z2 + 1.0) * z / 4.0;
    const double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    const double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    const double g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    return z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v);
  }
  /* bisection of the exact central probability: 0.95 is reached between 1.96 and 12.71 */
  double lo = 1.9, hi = 13.0;
  for (int i = 0; i < 100; i++) {
    const double mid = 0.5 * (lo + hi);
    if (t_central_probability(mid, df) < 0.95) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

static void set_interval(fleet_mc_mean_t *out, double sd) {
  if (out->n < 2 || isnan(sd)) {
    out->se = out->ci_low = out->ci_high = NAN;
    return;
  }
  out->se = sd / sqrt((double)out->n);
  const double half = fleet_t975((double)(out->n - 1)) * out->se;
  out->ci_low = out->mean - half;
  out->ci_high = out->mean + half;
}

/* mean and sd (n - 1) of the finite values, two passes for accuracy */
static void moments(const double *values, int64_t n, int64_t *count, double *mean, double *sd) {
  double sum = 0.0;
  int64_t c = 0;
  for (int64_t i = 0; i < n; i++)
    if (!isnan(values[i])) sum += values[i], c++;
  *count = c;
  *mean = c ? sum / (double)c : NAN;
  double m2 = 0.0;
  for (int64_t i = 0; i < n; i++)
    if (!isnan(values[i])) m2 += (values[i] - *mean) * (values[i] - *mean);
  *sd = c > 1 ? sqrt(m2 / (double)(c - 1)) : NAN;
}

void fleet_mc_mean(const double *values, int64_t n, fleet_mc_mean_t *out) {
  double sd;
  moments(values, n, &out->n, &out->mean, &sd);
  set_interval(out, sd);
}

void fleet_mc_ratio(const double *part, const double *whole, int64_t n, fleet_mc_mean_t *out, double *z) {
  double sum_part = 0.0, sum_whole = 0.0;
  int64_t count = 0;
  for (int64_t r = 0; r < n; r++)
    if (!isnan(part[r]) && !isnan(whole[r])) sum_part += part[r], sum_whole += whole[r], count++;
  out->n = count;
  out->mean = sum_whole > 0.0 ? sum_part / sum_whole : NAN;
  const double whole_mean = sum_whole / (double)count;
  double m2 = 0.0;
  for (int64_t r = 0; r < n; r++) {
    const int used = !isnan(part[r]) && !isnan(whole[r]) && !isnan(out->mean);
    /* z has mean 0: its sd is the ratio's per-replica spread */
    const double zr = used ? (part[r] - out->mean * whole[r]) / whole_mean : NAN;
    if (z) z[r] = zr;
    if (used) m2 += zr * zr;
  }
  set_interval(out, count > 1 && !isnan(out->mean) ? sqrt(m2 / (double)(count - 1)) : NAN);
}

void fleet_mc_paired(const fleet_mc_mean_t *a, const double *z_a, const fleet_mc_mean_t *b, const double *z_b,
                     int64_t n, fleet_mc_mean_t *out) {
  double *d = malloc((size_t)(n > 0 ? n : 1) * sizeof *d);
  double sd = NAN;
  int64_t count = 0;
  if (d) {
    for (int64_t r = 0; r < n; r++) d[r] = z_b[r] - z_a[r];
    double mean;
    moments(d, n, &count, &mean, &sd);
    free(d);
  }
  out->n = count;
  out->mean = b->mean - a->mean;
  set_interval(out, sd);
}

void fleet_mc_unpaired(const fleet_mc_mean_t *a, const fleet_mc_mean_t *b, fleet_mc_mean_t *out) {
  out->n = a->n < b->n ? a->n : b->n;
  out->mean = b->mean - a->mean;
  out->se = sqrt(a->se * a->se + b->se * b->se);
  if (isnan(out->se) || a->n < 2 || b->n < 2) {
    out->se = out->ci_low = out->ci_high = NAN;
    return;
  }
  const double va = a->se * a->se, vb = b->se * b->se;
  /* Welch-Satterthwaite; both errors 0 (no spread at all) leave df at its smallest, harmless */
  const double df = va + vb > 0.0 ? (va + vb) * (va + vb) / (va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1))
                                  : 1.0;
  const double half = fleet_t975(df) * out->se;
  out->ci_low = out->mean - half;
  out->ci_high = out->mean + half;
}

double fleet_mc_quantile_sorted(const double *sorted, int64_t n, double p) {
  if (n <= 0) return NAN;
  const double h = (double)(n - 1) * p;
  const int64_t lo = (int64_t)floor(h), hi = lo + 1 < n ? lo + 1 : lo;
  return sorted[lo] + (h - floor(h)) * (sorted[hi] - sorted[lo]);
}

void fleet_mc_quantile_ci_order(const double *sorted, int64_t n, double p, double *low, double *high) {
  *low = *high = NAN;
  if (n <= 0) return;
  /* cdf[k] = P(B <= k), from the log pmf (lgamma: no overflow for any n) */
  const double log_p = log(p), log_q = log1p(-p), log_n1 = lgamma((double)n + 1.0);
  double cdf = 0.0;
  int64_t l = 0; /* the largest rank (1-based) with P(B <= l - 1) <= 0.025; 0: none */
  int64_t u = 0; /* the smallest rank with P(B >= u) <= 0.025 */
  for (int64_t k = 0; k < n; k++) {
    cdf += exp(log_n1 - lgamma((double)k + 1.0) - lgamma((double)(n - k) + 1.0) + (double)k * log_p +
               (double)(n - k) * log_q);
    if (cdf <= 0.025) l = k + 1; /* P(B <= k) <= 0.025: rank k + 1 qualifies */
    if (!u && 1.0 - cdf <= 0.025) u = k + 1; /* P(B >= k + 1) <= 0.025 */
  }
  if (l >= 1) *low = sorted[l - 1];
  if (u >= 1 && u <= n) *high = sorted[u - 1];
}

void fleet_mc_quantile_ci_sectioning(double pooled, const double *per_replica, int64_t n, double *low, double *high) {
  fleet_mc_mean_t m;
  fleet_mc_mean(per_replica, n, &m);
  if (isnan(m.se) || isnan(pooled)) {
    *low = *high = NAN;
    return;
  }
  const double half = fleet_t975((double)(m.n - 1)) * m.se;
  *low = pooled - half;
  *high = pooled + half;
}

static int compare_doubles(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int fleet_mc_summarize(const double *values, int64_t n, fleet_mc_summary_t *out) {
  fleet_mc_mean(values, n, &out->mean);
  double *sorted = malloc((size_t)(n > 0 ? n : 1) * sizeof *sorted);
  if (!sorted) return -1;
  int64_t count = 0;
  for (int64_t i = 0; i < n; i++)
    if (!isnan(values[i])) sorted[count++] = values[i];
  qsort(sorted, (size_t)count, sizeof *sorted, compare_doubles);
  for (int k = 0; k < 3; k++) {
    out->quantile[k] = fleet_mc_quantile_sorted(sorted, count, fleet_mc_levels[k]);
    fleet_mc_quantile_ci_order(sorted, count, fleet_mc_levels[k], &out->quantile_low[k], &out->quantile_high[k]);
  }
  free(sorted);
  return 0;
}
