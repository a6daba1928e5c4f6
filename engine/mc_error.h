/* mc_error.h: the Monte Carlo error of a figure estimated from independent replicas.
 *
 * Replicas are the independent units of a result file (each has its own streams; hours, days and
 * years within one replica are not independent: weather spells, batteries and outages carry on).
 * So a figure's error always comes from one value per replica: a quantity pooled over hours or
 * years is first reduced to each replica's own statistic (its sum and weight, its quantile), and
 * the error is taken across replicas. Every function here is 95 % two-sided. */
#ifndef FLEET_MC_ERROR_H
#define FLEET_MC_ERROR_H

#include <stdint.h>

/* Student's t quantile t_{0.975, df} (the 95 % two-sided critical value), df >= 1; for a
 * non-integer df (Welch) the one of floor(df), which is larger, so the interval is conservative. */
double fleet_t975(double df);

/* A mean's Monte Carlo error. n: the replicas it rests on; se, ci_low, ci_high are NaN when it
 * cannot be estimated (n < 2), never 0. */
typedef struct {
  int64_t n;
  double mean, se, ci_low, ci_high;
} fleet_mc_mean_t;

/* The mean of values[0, n) (NaN values left out: replicas without the quantity) with its standard
 * error sd / sqrt(n) (sd with n - 1) and the Student-t interval mean +- t975(n - 1) se. What
 * `--target-error` needs: the relative half-width is (ci_high - ci_low) / 2 / |mean|. */
void fleet_mc_mean(const double *values, int64_t n, fleet_mc_mean_t *out);

/* A ratio of sums over replicas, sum_r part[r] / sum_r whole[r] (a pooled mean or share: a
 * plain mean over hours is part = the replica's sum, whole = its count), with the ratio
 * estimator's standard error (Cochran, Sampling Techniques, 3rd ed. 1977, eq. 6.9: the sd of the
 * linearised values z_r = (part_r - ratio whole_r) / mean(whole), over sqrt(n)) and the t
 * interval. Replicas whose part or whole is NaN are left out; with equal wholes it is
 * fleet_mc_mean of part / whole. z (may be NULL) receives the z_r, NaN for those left out: the
 * paired difference of two ratios is the difference of their z (fleet_mc_paired). */
void fleet_mc_ratio(const double *part, const double *whole, int64_t n, fleet_mc_mean_t *out, double *z);

/* B - A from two estimates on the same replicas with common random numbers: point = b - a, the
 * error from the per-replica differences z_b[r] - z_a[r] of their linearised values (replicas
 * where either is NaN left out). */
void fleet_mc_paired(const fleet_mc_mean_t *a, const double *z_a, const fleet_mc_mean_t *b, const double *z_b,
                     int64_t n, fleet_mc_mean_t *out);

/* B - A from independent estimates (other seeds or replicas): se = sqrt(se_a^2 + se_b^2), df by
 * Welch-Satterthwaite. NaN error when either has none. */
void fleet_mc_unpaired(const fleet_mc_mean_t *a, const fleet_mc_mean_t *b, fleet_mc_mean_t *out);

/* The quantile at level p of sorted[0, n) (ascending, no NaN), linear between order statistics
 * (NumPy's default); NaN when n == 0. */
double fleet_mc_quantile_sorted(const double *sorted, int64_t n, double p);

/* The distribution-free 95 % interval for the level-p quantile of the distribution that n
 * independent values sorted[0, n) come from: [X_(l), X_(u)] with B ~ Binomial(n, p), l the largest
 * rank with P(B <= l - 1) <= 2.5 % and u the smallest with P(B >= u) <= 2.5 %, so its coverage is
 * at least 95 % (Conover, Practical Nonparametric Statistics, 3rd ed. 1999, section 3.2). An end
 * that no rank reaches (too few values: the P5's lower end needs 72) is NaN. */
void fleet_mc_quantile_ci_order(const double *sorted, int64_t n, double p, double *low, double *high);

/* The 95 % interval of a quantile estimated from pooled values (hours of all replicas) by
 * sectioning (Asmussen & Glynn, Stochastic Simulation, 2007, III.5a; the replicas are the
 * sections): pooled +- t975(n - 1) sd(per_replica) / sqrt(n), per_replica[r] the quantile of
 * replica r's own values (NaN left out). Sound when each replica holds many values (hours); with
 * a few (a short run's replica-years) it is a rough guide. NaN ends when n < 2. */
void fleet_mc_quantile_ci_sectioning(double pooled, const double *per_replica, int64_t n, double *low, double *high);

/* Everything `--target-error` and a reader need about one quantity from its per-replica values
 * values[0, n) (NaN left out): the mean with its error, and P5 / P50 / P95 across replicas with
 * their order-statistic intervals. */
typedef struct {
  fleet_mc_mean_t mean;
  double quantile[3], quantile_low[3], quantile_high[3]; /* at fleet_mc_levels */
} fleet_mc_summary_t;

extern const double fleet_mc_levels[3]; /* 0.05, 0.5, 0.95 */

/* Returns 0, or -1 when out of memory (a sorted copy is made). */
int fleet_mc_summarize(const double *values, int64_t n, fleet_mc_summary_t *out);

#endif
