/* test_mc_error.c: the Monte Carlo error functions (mc_error.h) against known values and known
 * distributions: the t quantile against tables, the standard error and its interval's coverage
 * on normal samples, the order-statistic interval's coverage against its binomial formula, the
 * ratio, paired and Welch differences by hand. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "mc_error.h"

/* A standard normal by Box-Muller on splitmix64: the test's own stream, independent of the engine's. */
static uint64_t state = 0x9e3779b97f4a7c15u;
static double uniform01(void) {
  uint64_t z = (state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  z ^= z >> 31;
  return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(void) { return sqrt(-2.0 * log(uniform01())) * cos(2.0 * 3.14159265358979323846 * uniform01()); }

Test(mc_error, t975_matches_the_tables) {
  /* scipy.stats.t.ppf(0.975, df); the exact sums for df <= 300, Cornish-Fisher above */
  const struct {
    double df, t;
  } table[] = {{1, 12.706204736432095}, {2, 4.302652729911275}, {3, 3.182446305284263}, {5, 2.5705818366147395},
               {10, 2.2281388519649385}, {13, 2.1603686564610127}, {30, 2.0422724563012373},
               {100, 1.9839715184496334}, {300, 1.9679030112607843}, {301, 1.9678765312853974},
               {1000, 1.9623390808264074}};
  for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
    cr_assert_float_eq(fleet_t975(table[k].df), table[k].t, 1e-8, "df %g: %.12g", table[k].df, fleet_t975(table[k].df));
  cr_assert_float_eq(fleet_t975(13.9), fleet_t975(13.0), 0.0, "a non-integer df takes its floor");
  cr_assert(isnan(fleet_t975(0.5)));
}

Test(mc_error, mean_and_interval_by_hand) {
  const double v[] = {1, 2, 3, 4, 5, NAN};
  fleet_mc_mean_t m;
  fleet_mc_mean(v, 6, &m);
  cr_assert_eq(m.n, 5);
  cr_assert_float_eq(m.mean, 3.0, 1e-15);
  cr_assert_float_eq(m.se, sqrt(2.5 / 5.0), 1e-15); /* sd^2 = 10 / 4 */
  cr_assert_float_eq(m.ci_high - m.mean, 2.776445105197793 * sqrt(0.5), 1e-8);
  fleet_mc_mean(v, 1, &m);
  cr_assert(m.n == 1 && m.mean == 1.0 && isnan(m.se) && isnan(m.ci_low) && isnan(m.ci_high), "one replica: no error");
}

/* Samples of n normals (mean 0, sd 2), M times: E[se^2] = sigma^2 / n exactly (s^2 is unbiased),
 * and the t interval covers 0 in 95 % of them. Tolerances: 4 standard errors of the Monte Carlo
 * average, var(s^2) = 2 sigma^4 / (n - 1) and var(coverage) = 0.95 x 0.05 / M. */
Test(mc_error, standard_error_and_coverage_on_normal_samples) {
  enum { N = 12, M = 4000 };
  const double sigma = 2.0;
  double values[N], se2_sum = 0.0;
  int covered = 0;
  for (int m = 0; m < M; m++) {
    for (int i = 0; i < N; i++) values[i] = sigma * normal();
    fleet_mc_mean_t r;
    fleet_mc_mean(values, N, &r);
    se2_sum += r.se * r.se;
    covered += r.ci_low <= 0.0 && 0.0 <= r.ci_high;
  }
  const double se2_want = sigma * sigma / N, se2_tol = 4.0 * sqrt(2.0 * pow(sigma, 4) / (N - 1)) / N / sqrt(M);
  cr_assert_float_eq(se2_sum / M, se2_want, se2_tol, "mean se^2 %g, want %g", se2_sum / M, se2_want);
  const double coverage = (double)covered / M;
  cr_assert_float_eq(coverage, 0.95, 4.0 * sqrt(0.95 * 0.05 / M), "coverage %g", coverage);
}

static int compare_doubles(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The order-statistic interval of the median of 20 normals covers the true median 0 with the
 * probability P(l <= B <= u - 1), B ~ Binomial(20, 1/2): ranks 6 and 15 here (P(B <= 5) =
 * 0.0207, P(B >= 15) = 0.0207), so 1 - 2 x 21700 / 2^20 = 0.95861. */
Test(mc_error, order_statistic_interval_coverage) {
  enum { N = 20, M = 4000 };
  double v[N];
  int covered = 0;
  for (int m = 0; m < M; m++) {
    for (int i = 0; i < N; i++) v[i] = normal();
    qsort(v, N, sizeof v[0], compare_doubles);
    double lo, hi;
    fleet_mc_quantile_ci_order(v, N, 0.5, &lo, &hi);
    cr_assert(lo == v[5] && hi == v[14], "ranks 6 and 15");
    covered += lo <= 0.0 && 0.0 <= hi;
  }
  const double want = 1.0 - 2.0 * 21700.0 / 1048576.0;
  cr_assert_float_eq((double)covered / M, want, 4.0 * sqrt(want * (1.0 - want) / M), "coverage %g", (double)covered / M);
  /* too few values for the P5: 0.95^n > 0.025 up to n = 71 */
  double x[72];
  for (int i = 0; i < 72; i++) x[i] = i;
  double lo, hi;
  fleet_mc_quantile_ci_order(x, 71, 0.05, &lo, &hi);
  cr_assert(isnan(lo));
  fleet_mc_quantile_ci_order(x, 72, 0.05, &lo, &hi);
  cr_assert_eq(lo, 0.0);
}

Test(mc_error, ratio_paired_and_welch) {
  /* equal wholes: the ratio's error is the plain mean's of part / whole */
  const double part[] = {2, 4, 9, 5}, whole[] = {2, 2, 2, 2}, q[] = {1, 2, 4.5, 2.5};
  fleet_mc_mean_t r, m, d;
  double z[4];
  fleet_mc_ratio(part, whole, 4, &r, z);
  fleet_mc_mean(q, 4, &m);
  cr_assert_float_eq(r.mean, m.mean, 1e-15);
  cr_assert_float_eq(r.se, m.se, 1e-15);
  /* a file against itself: exactly 0, interval [0, 0] */
  fleet_mc_paired(&r, z, &r, z, 4, &d);
  cr_assert(d.mean == 0.0 && d.se == 0.0 && d.ci_low == 0.0 && d.ci_high == 0.0);
  /* B = A + 1 in every replica: difference 1 with no spread */
  double z_b[4];
  const double part_b[] = {4, 6, 11, 7};
  fleet_mc_mean_t rb;
  fleet_mc_ratio(part_b, whole, 4, &rb, z_b);
  fleet_mc_paired(&r, z, &rb, z_b, 4, &d);
  cr_assert_float_eq(d.mean, 1.0, 1e-15);
  cr_assert_float_eq(d.se, 0.0, 1e-15);
  /* Welch: se sqrt(0.01 + 0.04), df = 0.05^2 / (0.01^2 / 9 + 0.04^2 / 9) = 13.2 -> t(13) */
  const fleet_mc_mean_t a = {10, 1.0, 0.1, NAN, NAN}, b = {10, 2.0, 0.2, NAN, NAN};
  fleet_mc_unpaired(&a, &b, &d);
  cr_assert_float_eq(d.se, sqrt(0.05), 1e-15);
  cr_assert_float_eq(d.ci_high - d.mean, 2.1603686564610127 * sqrt(0.05), 1e-8);
}

Test(mc_error, summarize_one_value_per_replica) {
  double v[100];
  for (int i = 0; i < 100; i++) v[i] = 99 - i;
  fleet_mc_summary_t s;
  cr_assert_eq(fleet_mc_summarize(v, 100, &s), 0);
  cr_assert_float_eq(s.quantile[1], 49.5, 1e-12);
  cr_assert_float_eq(s.mean.mean, 49.5, 1e-12);
  /* Binomial(100, 1/2): P(B <= 39) = 0.0176 and P(B <= 40) = 0.0284, so ranks 40 and 61 */
  cr_assert(s.quantile_low[1] == 39.0 && s.quantile_high[1] == 60.0, "[%g, %g]", s.quantile_low[1], s.quantile_high[1]);
}
