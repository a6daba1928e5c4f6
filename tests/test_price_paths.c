/* Price paths per physical replica (budget.price_paths_per_replica; kernels/budget.h,
 * fleet_prices_generate_path; README "Price paths per replica"): path 0 is the replica's own, the
 * paths are addressed by (replica, path) alone, every household's path account is its own
 * quantities at the path's prices, and the spread over K paths of one replica matches the spread
 * over K separate physical replicas within Monte Carlo error.
 *
 * Tolerances: a mean is within 5 standard errors (a false failure about once in 1.7 million per
 * check); a variance by the log of the ratio of two sample variances, whose standard error is
 * about sqrt(2 / (n1 - 1) + 2 / (n2 - 1)) for near-normal samples (the log of a chi-square / df),
 * again 5 of them. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_year.h"
#include "population.h"
#include "scenario.h"

#define BASELINE FLEET_SOURCE_DIR "/configs/baseline.yaml"

static void load(fleet_params_t *p, int vehicles, int paths) {
  char fleet_set[64], paths_set[64];
  snprintf(fleet_set, sizeof fleet_set, "fleet.vehicles=%d", vehicles);
  snprintf(paths_set, sizeof paths_set, "budget.price_paths_per_replica=%d", paths);
  const char *overrides[] = {fleet_set, paths_set, "simulation.years=1", "simulation.replicas=1"};
  fleet_error_t err;
  cr_assert_eq(fleet_scenario_load(BASELINE, overrides, 4, p, &err), FLEET_OK, "%s", err.message);
}

/* The replica's physical year with its K paths; totals allocated by the caller. */
static void simulate(const fleet_params_t *p, int64_t replica, fleet_year_totals_t *totals) {
  fleet_population_t pop;
  fleet_state_t state;
  fleet_error_t err;
  cr_assert_eq(fleet_population_create(p, replica, &pop, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_state_create(pop.slots, &state, &err), FLEET_OK, "%s", err.message);
  fleet_state_reset(p, &pop, &state);
  cr_assert_eq(fleet_simulate_year(p, &pop, &state, replica, 0, totals, &err), FLEET_OK, "%s", err.message);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

/* Path 0 is the replica's own (fleet_prices_generate); a path does not depend on how many there
 * are; paths differ from one another. */
Test(price_paths, path_zero_is_the_replicas_own_and_paths_are_addressed) {
  fleet_params_t p;
  load(&p, 16, 1);
  p.years = 5;
  fleet_price_path_t own, zero, other;
  fleet_prices_generate(&p, 3, &own);
  fleet_prices_generate_path(&p, 3, 0, &zero);
  cr_assert_eq(memcmp(&own, &zero, sizeof own), 0);
  fleet_prices_generate_path(&p, 3, 1, &other);
  for (int y = 0; y < 5; y++)
    for (int k = 0; k < FLEET_PRICE_COUNT; k++) cr_assert_neq(own.eur[y][k], other.eur[y][k], "year %d, price %d", y, k);
  /* path 1 of replica 3 is not path 3 of replica 1 (nor replica 1's own) */
  fleet_price_path_t swapped;
  fleet_prices_generate_path(&p, 1, 3, &swapped);
  cr_assert_neq(swapped.eur[0][FLEET_PRICE_DIESEL], other.eur[0][FLEET_PRICE_DIESEL]);
}

/* fleet_household_account_eur is fleet_account_at of its terms, and the terms are the household's
 * quantities by hand: L of fuel = km x L/100 km, kWh with a minus sign, the lease and upkeep. */
Test(price_paths, account_terms_by_hand) {
  fleet_params_t p;
  load(&p, 16, 1);
  const double prices[FLEET_PRICE_COUNT] = {1.8, 1.9, 0.21, 0.55, 0.16, 0.22};
  const fleet_household_year_t base = {.km = 12000, .home_grid_kwh = 1500, .home_grid_off_peak_kwh = 1000,
                                       .off_peak = 0, .public_kwh = 200, .diesel = 1, .paying = 1};
  fleet_account_terms_t t;
  fleet_household_account_terms(&p, &base, &t);
  cr_assert_float_eq(t.eur_per_price[FLEET_PRICE_DIESEL], 12000 * p.diesel_l_per_100km / 100, 1e-9);
  cr_assert_eq(t.eur_per_price[FLEET_PRICE_PETROL], 0.0);
  cr_assert_eq(t.eur_per_price[FLEET_PRICE_TARIFF], -1500.0);
  cr_assert_eq(t.eur_per_price[FLEET_PRICE_PUBLIC], -200.0);
  cr_assert_eq(t.eur_per_price[FLEET_PRICE_OFF_PEAK], 0.0);
  cr_assert_eq(t.constant_eur, p.maintenance_saving_eur_per_year - p.lease_eur_per_year);
  const double by_hand = 12000 * p.diesel_l_per_100km / 100 * 1.8 + p.maintenance_saving_eur_per_year -
                         1500 * 0.21 - 200 * 0.55 - p.lease_eur_per_year;
  cr_assert_float_eq(fleet_household_account_eur(&p, prices, &base), by_hand, 1e-9);
  fleet_household_year_t hphc = base;
  hphc.off_peak = 1;
  hphc.diesel = 0;
  fleet_household_account_terms(&p, &hphc, &t);
  cr_assert_float_eq(t.eur_per_price[FLEET_PRICE_PETROL], 12000 * p.petrol_l_per_100km / 100, 1e-9);
  cr_assert_eq(t.eur_per_price[FLEET_PRICE_OFF_PEAK], -1000.0);
  cr_assert_eq(t.eur_per_price[FLEET_PRICE_PEAK], -500.0);
  cr_assert_eq(t.eur_per_price[FLEET_PRICE_TARIFF], 0.0);
}

/* Block by block: each paying household's path-0 account is its terms at the replica's prices,
 * its fuel term is its km by hand, and each path's exact sums in the accumulator are the
 * households' terms at that path's prices, to the cent. */
Test(price_paths, path_sums_are_the_households_at_the_path_prices) {
  enum { K = 40 };
  fleet_params_t p;
  load(&p, 300, K);
  fleet_population_t pop;
  fleet_state_t state;
  fleet_error_t err;
  cr_assert_eq(fleet_population_create(&p, 0, &pop, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_state_create(pop.slots, &state, &err), FLEET_OK, "%s", err.message);
  fleet_state_reset(&p, &pop, &state);
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
  fleet_workspace_t *ws = calloc(1, sizeof *ws);
  cr_assert(ctx && ws);
  fleet_year_ctx_init(&p, &pop, 0, 0, ctx);
  cr_assert_eq(ctx->price_paths, K);
  int64_t cents[K] = {0}, worse[K] = {0}, paying = 0;
  fleet_lane_year_t lanes;
  for (int64_t b = 0; b < pop.blocks; b++) {
    memset(&lanes, 0, sizeof lanes);
    fleet_block_year(ctx, b, &state, ws, &lanes);
    for (int l = 0; l < pop.block_lanes[b]; l++) {
      if (!lanes.paying[l]) continue;
      paying++;
      const fleet_account_terms_t *t = &lanes.account_terms[l];
      const int64_t i = b * FLEET_LANES + l;
      const double litres = lanes.km[l] * (pop.diesel[i] > 0.0f ? p.diesel_l_per_100km : p.petrol_l_per_100km) / 100;
      cr_assert_float_eq(t->eur_per_price[pop.diesel[i] > 0.0f ? FLEET_PRICE_DIESEL : FLEET_PRICE_PETROL], litres,
                         1e-9 * (1 + litres));
      cr_assert_eq(t->eur_per_price[FLEET_PRICE_PUBLIC], -lanes.public_grid_kwh[l]);
      cr_assert_eq(lanes.account_eur[l], fleet_account_at(t, ctx->prices_eur));
      for (int j = 0; j < K; j++) {
        const double a = fleet_account_at(t, ctx->path_prices_eur[j]);
        cents[j] += llround(a * 100.0);
        worse[j] += a < 0.0;
      }
    }
  }
  cr_assert_gt(paying, 250);
  cr_assert_eq(ws->acc.household_count, paying);
  cr_assert_eq(ws->acc.household_account_cents, cents[0]);
  for (int j = 1; j < K; j++) {
    cr_assert_eq(ws->acc.path_account_cents[j], cents[j], "path %d", j);
    cr_assert_eq(ws->acc.path_worse_off[j], worse[j], "path %d", j);
  }
  free(ws);
  free(ctx);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

/* The first paths of a run with K = 40 are those of a run with K = 5 (a path is addressed by
 * (replica, path), not by K), and path 0 is /budget's own account and prices. */
Test(price_paths, a_path_does_not_depend_on_how_many) {
  fleet_params_t p5, p40;
  load(&p5, 64, 5);
  load(&p40, 64, 40);
  fleet_year_totals_t *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
  cr_assert(a && b);
  simulate(&p5, 2, a);
  simulate(&p40, 2, b);
  for (int j = 0; j < 5; j++) {
    cr_assert_eq(a->path_account_sum_eur[j], b->path_account_sum_eur[j], "path %d", j);
    cr_assert_eq(a->path_account_m2_eur2[j], b->path_account_m2_eur2[j], "path %d", j);
    cr_assert_eq(a->path_prices_eur[FLEET_PRICE_DIESEL][j], b->path_prices_eur[FLEET_PRICE_DIESEL][j]);
  }
  cr_assert_eq(b->path_account_sum_eur[0], b->household_account_sum_eur);
  cr_assert_eq(b->path_account_m2_eur2[0], b->household_account_m2_eur2);
  cr_assert_eq(b->path_worse_off[0], b->household_worse_off);
  for (int k = 0; k < FLEET_PRICE_COUNT; k++) cr_assert_eq(b->path_prices_eur[k][0], b->prices_eur[k]);
  free(a);
  free(b);
}

static void mean_var(const double *x, int n, double *mean, double *var) {
  double s = 0.0, s2 = 0.0;
  for (int i = 0; i < n; i++) s += x[i];
  *mean = s / n;
  for (int i = 0; i < n; i++) s2 += (x[i] - *mean) * (x[i] - *mean);
  *var = s2 / (n - 1);
}

/* The check: the fleet's mean account for year 0 over K paths of one physical replica
 * against its value over K separate physical replicas (each on its own path 0), a small fleet so
 * that the physical spread between replicas (weather, trips, defaults) is small beside the
 * price spread: same mean and variance within Monte Carlo error. The paths' prices are also
 * independent of one another (neighbouring paths' diesel uncorrelated). */
Test(price_paths, paths_of_one_replica_match_separate_replicas, .timeout = 1200) {
  enum { K = 120 }; /* 120 physical replicas: about 3 min under the sanitizers (1.5 s a year there) */
  fleet_params_t paths, single;
  load(&paths, 48, K);
  load(&single, 48, 1);
  fleet_year_totals_t *t = calloc(1, sizeof *t);
  cr_assert(t);
  static double over_paths[K], over_replicas[K];
  simulate(&paths, 0, t);
  for (int j = 0; j < K; j++) over_paths[j] = t->path_account_sum_eur[j] / t->household_count;
  double lag = 0.0, d0 = 0.0, dm, dv;
  mean_var(t->path_prices_eur[FLEET_PRICE_DIESEL], K, &dm, &dv);
  for (int j = 0; j + 1 < K; j++) {
    lag += (t->path_prices_eur[FLEET_PRICE_DIESEL][j] - dm) * (t->path_prices_eur[FLEET_PRICE_DIESEL][j + 1] - dm);
    d0 += (t->path_prices_eur[FLEET_PRICE_DIESEL][j] - dm) * (t->path_prices_eur[FLEET_PRICE_DIESEL][j] - dm);
  }
  cr_assert_lt(fabs(lag / d0), 5.0 / sqrt(K), "lag-1 correlation of the paths' diesel %g", lag / d0);
  for (int r = 0; r < K; r++) {
    simulate(&single, r, t);
    over_replicas[r] = t->household_account_sum_eur / t->household_count;
  }
  double mp, vp, mr, vr;
  mean_var(over_paths, K, &mp, &vp);
  mean_var(over_replicas, K, &mr, &vr);
  cr_assert_gt(vp, 0.0);
  const double se_mean = sqrt(vp / K + vr / K);
  cr_assert_lt(fabs(mp - mr), 5.0 * se_mean, "mean account over paths %g, over replicas %g (se %g)", mp, mr, se_mean);
  const double se_log_var = sqrt(2.0 / (K - 1) + 2.0 / (K - 1));
  cr_assert_lt(fabs(log(vp / vr)), 5.0 * se_log_var, "variance over paths %g, over replicas %g", vp, vr);
  free(t);
}
