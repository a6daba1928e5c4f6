/* test_distributions.c: uncertain assumptions (engine/distributions.c, the sampled keys of
 * engine/scenario.c) and the sensitivity ranking (engine/sensitivity.c). */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "distributions.h"
#include "rng.h"
#include "scenario.h"
#include "sensitivity.h"

enum { DRAWS = 20000 };

/* Draws of replicas 0 .. DRAWS-1 (the path a run takes) against the analytic moments. The sample
 * mean's standard error is sqrt(var / N); the sample variance's is sd((x - mean)^2) / sqrt(N),
 * estimated from the sample itself. Both must lie within 5 standard errors (a false failure has
 * probability below 1e-6 per check; the seed is fixed anyway). */
static void check_moments(fleet_distribution_t d, const char *key) {
  cr_assert_null(fleet_distribution_check(&d), "%s: %s", key, fleet_distribution_check(&d));
  double mean, variance;
  fleet_distribution_moments(&d, &mean, &variance);
  double *x = malloc(DRAWS * sizeof *x);
  double sum = 0;
  for (int k = 0; k < DRAWS; k++) {
    x[k] = fleet_distribution_draw(&d, 20240917u, k, key);
    cr_assert(x[k] >= d.min && x[k] <= d.max, "%s: draw %d = %g outside [%g, %g]", key, k, x[k], d.min, d.max);
    sum += x[k];
  }
  const double m = sum / DRAWS;
  double s2 = 0, s4 = 0;
  for (int k = 0; k < DRAWS; k++) s2 += (x[k] - m) * (x[k] - m);
  const double v = s2 / (DRAWS - 1);
  for (int k = 0; k < DRAWS; k++) s4 += ((x[k] - m) * (x[k] - m) - v) * ((x[k] - m) * (x[k] - m) - v);
  const double se_mean = sqrt(variance / DRAWS), se_var = sqrt(s4 / (DRAWS - 1) / DRAWS);
  cr_assert(fabs(m - mean) <= 5 * se_mean, "%s: mean %g, expected %g +/- %g", key, m, mean, 5 * se_mean);
  cr_assert(fabs(v - variance) <= 5 * se_var, "%s: variance %g, expected %g +/- %g", key, v, variance, 5 * se_var);
  free(x);
}

Test(distributions, uniform_moments) {
  check_moments((fleet_distribution_t){.kind = FLEET_DIST_UNIFORM, .min = 0.2, .max = 0.8}, "fleet.a");
}
Test(distributions, triangular_moments) {
  check_moments((fleet_distribution_t){.kind = FLEET_DIST_TRIANGULAR, .p1 = 0.3, .min = 0.2, .max = 0.8}, "fleet.b");
}
Test(distributions, truncated_normal_moments) {
  /* truncated near one side, so that the truncation moves the mean and the variance */
  check_moments((fleet_distribution_t){.kind = FLEET_DIST_NORMAL, .p1 = 0.5, .p2 = 0.2, .min = 0.4, .max = 1.2},
                "charging.c");
}
Test(distributions, normal_far_in_the_upper_tail) {
  /* [5, 6] sd above the mean: the mirrored inversion keeps the draws inside and spread */
  check_moments((fleet_distribution_t){.kind = FLEET_DIST_NORMAL, .p1 = 0, .p2 = 1, .min = 5, .max = 6}, "x.tail");
}
Test(distributions, truncated_lognormal_moments) {
  check_moments((fleet_distribution_t){.kind = FLEET_DIST_LOGNORMAL, .p1 = 0.25, .p2 = 0.4, .min = 0.1, .max = 0.5},
                "prices.d");
}
Test(distributions, beta_moments) {
  check_moments((fleet_distribution_t){.kind = FLEET_DIST_BETA, .p1 = 8, .p2 = 17, .min = 0, .max = 1}, "charging.e");
  check_moments((fleet_distribution_t){.kind = FLEET_DIST_BETA, .p1 = 0.5, .p2 = 0.5, .min = 2, .max = 4}, "x.f");
}
Test(distributions, discrete_moments) {
  fleet_distribution_t d = {.kind = FLEET_DIST_DISCRETE, .value_count = 3,
                            .values = {0.015, 0.018, 0.023}, .weights = {0.5, 0.25, 0.25}};
  check_moments(d, "ageing.g");
}

Test(distributions, quantile_is_monotone_and_hits_the_bounds) {
  const fleet_distribution_t all[] = {
      {.kind = FLEET_DIST_UNIFORM, .min = -1, .max = 2},
      {.kind = FLEET_DIST_TRIANGULAR, .p1 = 2, .min = -1, .max = 2},
      {.kind = FLEET_DIST_NORMAL, .p1 = 0.5, .p2 = 0.1, .min = 0.2, .max = 0.8},
      {.kind = FLEET_DIST_LOGNORMAL, .p1 = 1, .p2 = 1, .min = 0, .max = 10},
      {.kind = FLEET_DIST_BETA, .p1 = 2, .p2 = 5, .min = 0, .max = 1},
  };
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    double last = -INFINITY;
    for (int k = 0; k <= 1000; k++) {
      const double x = fleet_distribution_quantile(&all[i], k / 1000.0);
      cr_assert(x >= last && x >= all[i].min && x <= all[i].max, "kind %d at u = %g: %g", all[i].kind, k / 1000.0, x);
      last = x;
    }
    cr_assert_float_eq(fleet_distribution_quantile(&all[i], 0), all[i].min, 1e-9 * (1 + fabs(all[i].min)));
    cr_assert_float_eq(fleet_distribution_quantile(&all[i], 1), all[i].max, 1e-9 * (1 + fabs(all[i].max)));
  }
  /* the beta(2, 5)'s median, 0.26445 (its I_x solved to 5 digits by hand tables; Abramowitz-Stegun 26.5) */
  cr_assert_float_eq(fleet_distribution_quantile(&all[4], 0.5), 0.26445, 1e-4);
  /* the truncated normal is symmetric about its mean on a symmetric interval */
  cr_assert_float_eq(fleet_distribution_quantile(&all[2], 0.5), 0.5, 1e-12);
}

Test(distributions, bad_parameters_are_refused) {
  fleet_distribution_t d = {.kind = FLEET_DIST_UNIFORM, .min = 1, .max = 1};
  cr_assert_not_null(fleet_distribution_check(&d));
  d = (fleet_distribution_t){.kind = FLEET_DIST_TRIANGULAR, .p1 = 2, .min = 0, .max = 1};
  cr_assert_not_null(fleet_distribution_check(&d));
  d = (fleet_distribution_t){.kind = FLEET_DIST_NORMAL, .p1 = 0, .p2 = 0, .min = 0, .max = 1};
  cr_assert_not_null(fleet_distribution_check(&d));
  d = (fleet_distribution_t){.kind = FLEET_DIST_NORMAL, .p1 = 0, .p2 = 1, .min = 40, .max = 41};
  cr_assert_not_null(fleet_distribution_check(&d)); /* no mass left between the bounds */
  d = (fleet_distribution_t){.kind = FLEET_DIST_DISCRETE, .value_count = 2, .values = {1, 2}, .weights = {0.5, 0.6}};
  cr_assert_not_null(fleet_distribution_check(&d));
}

/* ---- scenarios ------------------------------------------------------------------------------ */

static fleet_params_t *load(const char *path, const char *const *overrides, int n) {
  fleet_params_t *p = malloc(sizeof *p);
  fleet_error_t err;
  cr_assert_eq(fleet_scenario_load(path, overrides, n, p, &err), FLEET_OK, "%s", err.message);
  return p;
}

Test(sampled_keys, uncertain_config_reads_formats_and_reads_back) {
  fleet_params_t *p = load(FLEET_SOURCE_DIR "/configs/uncertain.yaml", NULL, 0);
  cr_assert_eq(p->sampled_count, 10);
  /* the field holds the mean: triangular(0.2, 0.5, 0.8) */
  cr_assert_float_eq(p->bidirectional_share, 0.5, 1e-15);
  char *text = fleet_scenario_format(p);
  cr_assert(strstr(text, "bidirectional_share: {dist: triangular, min: 0.2, mode: 0.5, max: 0.8}"), "%s", text);
  fleet_params_t *q = malloc(sizeof *q);
  fleet_error_t err;
  cr_assert_eq(fleet_scenario_parse_text("resolved", text, q, &err), FLEET_OK, "%s", err.message);
  char *again = fleet_scenario_format(q);
  cr_assert_str_eq(text, again);
  cr_assert_eq(memcmp(p->sampled, q->sampled, sizeof p->sampled), 0);
  free(text), free(again), free(p), free(q);
}

Test(sampled_keys, a_number_overrides_a_distribution) {
  const char *set[] = {"fleet.bidirectional_share=0.3", "charging.plug_threshold_fraction.max=0.6"};
  fleet_params_t *p = load(FLEET_SOURCE_DIR "/configs/uncertain.yaml", set, 2);
  cr_assert_eq(p->sampled_count, 9);
  cr_assert_eq(p->bidirectional_share, 0.3);
  for (int i = 0; i < p->sampled_count; i++)
    if (strcmp(p->sampled[i].key, "charging.plug_threshold_fraction") == 0) cr_assert_eq(p->sampled[i].dist.max, 0.6);
  free(p);
}

Test(sampled_keys, replica_draws_depend_on_the_replica_only) {
  fleet_params_t *p = load(FLEET_SOURCE_DIR "/configs/uncertain.yaml", NULL, 0);
  fleet_params_t *a = malloc(sizeof *a), *b = malloc(sizeof *b);
  double va[FLEET_MAX_SAMPLED], vb[FLEET_MAX_SAMPLED];
  fleet_scenario_sample(p, 7, a, va);
  p->first_replica = 5; /* which run computes replica 7 does not matter */
  p->replicas = 40;
  fleet_scenario_sample(p, 7, b, vb);
  cr_assert_eq(memcmp(va, vb, p->sampled_count * sizeof va[0]), 0);
  cr_assert_eq(a->bidirectional_share, va[2]); /* table order: charge target, floor max, bidirectional */
  cr_assert_str_eq(p->sampled[2].key, "fleet.bidirectional_share");
  fleet_scenario_sample(p, 8, b, vb);
  cr_assert_neq(va[2], vb[2]);
  free(p), free(a), free(b);
}

/* An integer, a boolean and an enum key given as discrete distributions. Each replica draws one
 * value index; over N = DRAWS replicas the count of value i is binomial(N, w_i), so its frequency
 * has standard error sqrt(w_i (1 - w_i) / N) (at most 0.0035 here): 5 of them bound a false
 * failure below 1e-6 per value (the seed is fixed anyway). The typed field must hold the draw. */
Test(sampled_keys, discrete_integer_boolean_and_enum_keys) {
  char path[] = "/tmp/fleetmc_intkeysXXXXXX";
  const int fd = mkstemp(path);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fprintf(f, "base: %s/configs/baseline.yaml\n"
             "mobility:\n  workdays_per_week: {dist: discrete, values: [4, 5, 6], weights: [0.2, 0.5, 0.3]}\n"
             "garage:\n  export_surplus: {dist: discrete, values: [true, false], weights: [0.3, 0.7]}\n"
             "charging:\n  plug_policy: {dist: discrete, values: [below_threshold, every_arrival], "
             "weights: [0.4, 0.6]}\n",
          FLEET_SOURCE_DIR);
  fclose(f);
  fleet_params_t *p = load(path, NULL, 0);
  remove(path);
  cr_assert_eq(p->sampled_count, 3);
  /* the nominal value the rules see: the most probable one */
  cr_assert_eq(p->workdays_per_week, 5);
  cr_assert_eq(p->garage_export_surplus, false);
  cr_assert_eq(p->plug_policy, FLEET_PLUG_EVERY_ARRIVAL);
  /* the resolved scenario writes names and reads back to the same distributions */
  char *text = fleet_scenario_format(p);
  cr_assert(strstr(text, "plug_policy: {dist: discrete, values: [below_threshold, every_arrival], weights: [0.4, 0.6]}"),
            "%s", text);
  cr_assert(strstr(text, "export_surplus: {dist: discrete, values: [true, false], weights: [0.3, 0.7]}"), "%s", text);
  fleet_params_t *q = malloc(sizeof *q);
  fleet_error_t err;
  cr_assert_eq(fleet_scenario_parse_text("resolved", text, q, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(memcmp(p->sampled, q->sampled, sizeof p->sampled), 0);
  free(text), free(q);
  /* table order: charging (plug_policy), mobility (workdays_per_week), garage (export_surplus) */
  int iw = -1, ig = -1, ip = -1;
  for (int i = 0; i < p->sampled_count; i++) {
    if (strcmp(p->sampled[i].key, "mobility.workdays_per_week") == 0) iw = i;
    if (strcmp(p->sampled[i].key, "garage.export_surplus") == 0) ig = i;
    if (strcmp(p->sampled[i].key, "charging.plug_policy") == 0) ip = i;
  }
  cr_assert(iw >= 0 && ig >= 0 && ip >= 0);
  fleet_params_t *r = malloc(sizeof *r);
  double v[FLEET_MAX_SAMPLED];
  int workdays[3] = {0}, exports = 0, below = 0;
  for (int k = 0; k < DRAWS; k++) {
    fleet_scenario_sample(p, k, r, v);
    cr_assert(r->workdays_per_week >= 4 && r->workdays_per_week <= 6, "%lld", (long long)r->workdays_per_week);
    cr_assert_eq((double)r->workdays_per_week, v[iw]);
    cr_assert_eq(r->garage_export_surplus ? 1.0 : 0.0, v[ig]);
    cr_assert(r->plug_policy == FLEET_PLUG_EVERY_ARRIVAL || r->plug_policy == FLEET_PLUG_BELOW_THRESHOLD);
    cr_assert_eq((double)r->plug_policy, v[ip]); /* the enum's index, in the enum's order */
    workdays[r->workdays_per_week - 4]++;
    exports += r->garage_export_surplus;
    below += r->plug_policy == FLEET_PLUG_BELOW_THRESHOLD;
  }
  const double w_workdays[3] = {0.2, 0.5, 0.3};
  const double observed[5] = {(double)workdays[0] / DRAWS, (double)workdays[1] / DRAWS,
                              (double)workdays[2] / DRAWS, (double)exports / DRAWS, (double)below / DRAWS};
  const double expected[5] = {w_workdays[0], w_workdays[1], w_workdays[2], 0.3, 0.4};
  for (int i = 0; i < 5; i++) {
    const double se = sqrt(expected[i] * (1 - expected[i]) / DRAWS);
    cr_assert(fabs(observed[i] - expected[i]) <= 5 * se, "value %d: frequency %g, expected %g +/- %g", i,
              observed[i], expected[i], 5 * se);
  }
  free(p), free(r);
}

/* ---- sensitivity ---------------------------------------------------------------------------- */

Test(sensitivity, linear_case_known_by_construction) {
  /* Y = 3 X1 + 0.1 X2, X1, X2 independent uniforms on [0, 1]: Var = (9 + 0.01) / 12, so
   * S1 = 9 / 9.01 = 0.99889 and S2 = 0.01 / 9.01 = 0.00111. Tolerances: binning into B = 100 bins
   * loses 9 / (12 B^2) / Var = 1.1e-4 of S1; the estimate's noise under the correction is about
   * sqrt(2 (B - 1)) / R = 1.4e-3 of Var (a chi-square with B - 1 degrees of freedom): 5 of those. */
  enum { R = 10000 };
  double *x1 = malloc(R * sizeof *x1), *x2 = malloc(R * sizeof *x2), *y = malloc(R * sizeof *y);
  fleet_pcg32_t rng = fleet_stream(1, 0, 0, FLEET_ENTITY_NATION, 0, 99);
  for (int r = 0; r < R; r++) {
    x1[r] = fleet_pcg32_double(&rng);
    x2[r] = fleet_pcg32_double(&rng);
    y[r] = 3 * x1[r] + 0.1 * x2[r];
  }
  const double *x[2] = {x1, x2};
  fleet_sensitivity_t out[2];
  fleet_error_t err;
  cr_assert_eq(fleet_sensitivity_rank(x, 2, y, R, out, &err), FLEET_OK);
  cr_assert_eq(out[0].index, 0);
  cr_assert_eq(out[1].index, 1);
  cr_assert_eq(out[0].bins, 100);
  const double tol = 5 * sqrt(2.0 * 99) / R;
  cr_assert(fabs(out[0].first_order - 9 / 9.01) <= tol + 1.2e-4, "S1 = %g", out[0].first_order);
  cr_assert(fabs(out[1].first_order - 0.01 / 9.01) <= tol, "S2 = %g", out[1].first_order);
  /* Spearman of X1: rho of Y with a variable that decides 99.9 % of it, close to 1 */
  cr_assert(out[0].spearman > 0.99 && out[1].spearman < 0.1, "%g %g", out[0].spearman, out[1].spearman);
  free(x1), free(x2), free(y);
}

Test(sensitivity, spearman_of_monotone_functions_and_ties) {
  double x[50], y[50], z[50];
  for (int i = 0; i < 50; i++) {
    x[i] = (i * 37) % 50 - 10.0;
    y[i] = exp(x[i] / 7);
    z[i] = -x[i] * x[i] * x[i];
  }
  cr_assert_float_eq(fleet_spearman(x, y, 50), 1.0, 1e-15);
  cr_assert_float_eq(fleet_spearman(x, z, 50), -1.0, 1e-15);
  /* ties by average ranks: x = [1, 2, 2, 3] has ranks [1, 2.5, 2.5, 4]; against y = [1, 2, 3, 4],
   * rho = Pearson of the ranks = 0.9486833 (= 3 / sqrt(10)) */
  const double a[4] = {1, 2, 2, 3}, b[4] = {1, 2, 3, 4};
  cr_assert_float_eq(fleet_spearman(a, b, 4), 3 / sqrt(10), 1e-12);
  const double c[4] = {5, 5, 5, 5};
  cr_assert(isnan(fleet_spearman(a, c, 4)));
}

Test(sensitivity, an_assumption_that_does_nothing_explains_nothing) {
  /* Y independent of X: the corrected index is 0 within its noise, sqrt(2 (B - 1)) / R, x 5 */
  enum { R = 4096 };
  double *x = malloc(R * sizeof *x), *y = malloc(R * sizeof *y);
  fleet_pcg32_t rng = fleet_stream(2, 0, 0, FLEET_ENTITY_NATION, 0, 99);
  for (int r = 0; r < R; r++) {
    x[r] = fleet_pcg32_double(&rng);
    y[r] = fleet_sample_normal(&rng, 0, 1);
  }
  int bins;
  const double s = fleet_first_order_index(x, y, R, 0, &bins);
  cr_assert_eq(bins, 64);
  cr_assert(s >= 0 && s <= 5 * sqrt(2.0 * 63) / R, "S = %g", s);
  free(x), free(y);
}
