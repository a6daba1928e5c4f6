/* test_rng.c: PCG32 reference outputs, skip-ahead, uniform and bounded draws, stream addressing,
 * and the first two moments of every sampler.
 *
 * Statistical tolerances. Every statistical check uses a fixed seed, so the outcome is
 * deterministic; the tolerance is still derived from the sample size so that a correct sampler
 * would pass for essentially any seed: 5 standard errors, i.e. a two-sided normal tail
 * probability of 5.7e-7 per check. For n independent draws with variance sigma^2 and fourth
 * central moment mu4:
 *   standard error of the sample mean      = sigma / sqrt(n)
 *   standard error of the sample variance ~= sqrt((mu4 - sigma^4) / n)   (large-n, delta method)
 *   standard error of a frequency with probability p = sqrt(p (1 - p) / n).
 * A biased sampler is caught when its bias exceeds 5 SE; with n = 2e5 that is about 1% of sigma
 * for the mean. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "rng.h"

#define TOL_SE 5.0 /* tolerance in standard errors, see the header comment */

/* ---- (a) published reference ------------------------------------------------------------- */

/* pcg-c's pcg32-demo with seed 42 and sequence 54 (O'Neill, pcg-random.org) prints these. */
Test(pcg32, reference_outputs_seed_42_54) {
  static const uint32_t expected[6] = {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u,
                                       0x83d2f293u, 0xbfa4784bu, 0xcbed606eu};
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, 42u, 54u);
  cr_assert_eq(r.inc, (54u << 1) | 1u);
  for (int i = 0; i < 6; ++i) {
    uint32_t got = fleet_pcg32_next(&r);
    cr_assert_eq(got, expected[i], "output %d: got 0x%08x, want 0x%08x", i, got, expected[i]);
  }
}

/* ---- (b) skip-ahead ---------------------------------------------------------------------- */

Test(pcg32, advance_back_reproduces_outputs) {
  enum { N = 1000 };
  uint32_t first[N];
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, 0x853c49e6748fea9bULL, 0xda3e39cb94b95bdbULL);
  fleet_pcg32_t start = r;
  for (int i = 0; i < N; ++i) {
    first[i] = fleet_pcg32_next(&r);
  }
  fleet_pcg32_advance(&r, (uint64_t)0 - (uint64_t)N);
  cr_assert_eq(r.state, start.state);
  cr_assert_eq(r.inc, start.inc);
  for (int i = 0; i < N; ++i) {
    cr_assert_eq(fleet_pcg32_next(&r), first[i], "output %d after advance(-%d)", i, N);
  }
}

Test(pcg32, advance_forward_equals_repeated_next) {
  static const uint64_t steps[] = {0u, 1u, 2u, 3u, 7u, 8u, 63u, 64u, 65u, 1000u, 12345u};
  for (size_t s = 0; s < sizeof steps / sizeof steps[0]; ++s) {
    fleet_pcg32_t a, b;
    fleet_pcg32_seed(&a, 42u + s, 54u * s);
    b = a;
    for (uint64_t i = 0; i < steps[s]; ++i) {
      (void)fleet_pcg32_next(&a);
    }
    fleet_pcg32_advance(&b, steps[s]);
    cr_assert_eq(a.state, b.state, "advance(%llu)", (unsigned long long)steps[s]);
    cr_assert_eq(a.inc, b.inc);
    cr_assert_eq(fleet_pcg32_next(&a), fleet_pcg32_next(&b));
  }
}

Test(pcg32, large_jumps_restore_and_compose) {
  const uint64_t jump = (uint64_t)1 << 40;
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, 2024u, 7u);
  fleet_pcg32_t start = r;

  fleet_pcg32_advance(&r, jump);
  cr_assert_neq(r.state, start.state);
  fleet_pcg32_advance(&r, (uint64_t)0 - jump);
  cr_assert_eq(r.state, start.state, "2^40 forward then back");

  /* Two jumps of 2^40 equal one of 2^41; a full period (2^64 - 1 then 1) is the identity. */
  fleet_pcg32_t twice = start, once = start;
  fleet_pcg32_advance(&twice, jump);
  fleet_pcg32_advance(&twice, jump);
  fleet_pcg32_advance(&once, jump << 1);
  cr_assert_eq(twice.state, once.state);

  fleet_pcg32_t full = start;
  fleet_pcg32_advance(&full, UINT64_MAX);
  fleet_pcg32_advance(&full, 1u);
  cr_assert_eq(full.state, start.state);

  /* advance(a) then advance(b) = advance(a + b) for arbitrary 64-bit a, b (sum mod 2^64). */
  fleet_pcg32_t pick;
  fleet_pcg32_seed(&pick, 99u, 1u);
  for (int i = 0; i < 100; ++i) {
    uint64_t a = ((uint64_t)fleet_pcg32_next(&pick) << 32) | fleet_pcg32_next(&pick);
    uint64_t b = ((uint64_t)fleet_pcg32_next(&pick) << 32) | fleet_pcg32_next(&pick);
    fleet_pcg32_t x = start, y = start;
    fleet_pcg32_advance(&x, a);
    fleet_pcg32_advance(&x, b);
    fleet_pcg32_advance(&y, a + b);
    cr_assert_eq(x.state, y.state);
  }
}

/* The table of rng.h's jump-ahead, entry k = 1 + MULT + ... + MULT^(k-1): from state 0 with
 * increment 1, k steps land on exactly that sum, by the sequential steps and by advance(). */
Test(pcg32, geometric_table_is_k_steps_from_zero) {
  fleet_pcg32_t seq = {0u, 1u};
  for (int k = 0; k < 16; ++k) {
    fleet_pcg32_t jumped = {0u, 1u};
    fleet_pcg32_advance(&jumped, (uint64_t)k);
    cr_assert_eq(seq.state, FLEET_PCG32_GEOMETRIC[k], "entry %d against %d steps", k, k);
    cr_assert_eq(jumped.state, FLEET_PCG32_GEOMETRIC[k], "entry %d against advance(%d)", k, k);
    (void)fleet_pcg32_next(&seq);
  }
}

/* The closed form s_k = s_0 + GEOMETRIC[k] ((MULT - 1) s_0 + inc) against k sequential steps, for
 * every k < 16 and many streams (random ones and the extreme states and increments); and
 * fleet_pcg32_next16()'s outputs against 16 calls of fleet_pcg32_next(). */
Test(pcg32, next16_equals_sixteen_sequential_steps) {
  enum { RANDOM_STREAMS = 20000 };
  static const uint64_t extremes[] = {0u, 1u, 2u, 0x8000000000000000ULL, UINT64_MAX};
  enum { N_EXTREME = sizeof extremes / sizeof extremes[0] };
  fleet_pcg32_t pick;
  fleet_pcg32_seed(&pick, 314159u, 2718u);
  for (int i = 0; i < RANDOM_STREAMS + N_EXTREME * N_EXTREME; ++i) {
    fleet_pcg32_t r;
    if (i < RANDOM_STREAMS) {
      r.state = ((uint64_t)fleet_pcg32_next(&pick) << 32) | fleet_pcg32_next(&pick);
      r.inc = ((((uint64_t)fleet_pcg32_next(&pick) << 32) | fleet_pcg32_next(&pick)) << 1) | 1u;
    } else {
      r.state = extremes[(i - RANDOM_STREAMS) / N_EXTREME];
      r.inc = extremes[(i - RANDOM_STREAMS) % N_EXTREME] | 1u;
    }
    const fleet_pcg32_outputs16_t jumped = fleet_pcg32_next16(r);
    const uint64_t step = r.state * (FLEET_PCG32_MULT - 1u) + r.inc;
    fleet_pcg32_t seq = r;
    for (int k = 0; k < 16; ++k) {
      cr_assert_eq(r.state + FLEET_PCG32_GEOMETRIC[k] * step, seq.state, "stream %d, state %d", i, k);
      uint32_t want = fleet_pcg32_next(&seq);
      cr_assert_eq(jumped.out[k], want, "stream %d, output %d: 0x%08x, want 0x%08x", i, k, jumped.out[k], want);
    }
  }
}

/* ---- (c) uniform doubles ----------------------------------------------------------------- */

Test(pcg32, double_uses_two_outputs_high_first) {
  fleet_pcg32_t a, b;
  fleet_pcg32_seed(&a, 42u, 54u);
  b = a;
  uint64_t hi = fleet_pcg32_next(&b);
  uint64_t lo = fleet_pcg32_next(&b);
  double want = (double)(((hi << 32) | lo) >> 11) / 9007199254740992.0; /* 2^53 */
  cr_assert_eq(fleet_pcg32_double(&a), want);
  cr_assert_eq(a.state, b.state);
}

/* Uniform[0,1): mean 1/2, variance 1/12, mu4 = 1/80, so mu4 - sigma^4 = 1/80 - 1/144 = 1/180.
 * n = 10^6: SE(mean) = sqrt(1/12/n) = 2.9e-4, SE(var) = sqrt(1/180/n) = 7.5e-5. */
Test(pcg32, double_range_and_moments) {
  enum { N = 1000000 };
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, 12345u, 678u);
  double sum = 0.0, sum_sq = 0.0, lo = 1.0, hi = 0.0;
  for (int i = 0; i < N; ++i) {
    double u = fleet_pcg32_double(&r);
    cr_assert(u >= 0.0 && u < 1.0, "draw %d = %.17g outside [0,1)", i, u);
    sum += u;
    sum_sq += (u - 0.5) * (u - 0.5);
    lo = u < lo ? u : lo;
    hi = u > hi ? u : hi;
  }
  double mean = sum / N;
  /* Variance about the known mean 1/2; the correction (mean - 1/2)^2 is ~1e-7, far below SE. */
  double var = sum_sq / N - (mean - 0.5) * (mean - 0.5);
  double se_mean = sqrt(1.0 / 12.0 / N);
  double se_var = sqrt(1.0 / 180.0 / N);
  cr_assert(fabs(mean - 0.5) < TOL_SE * se_mean, "mean %.6f", mean);
  cr_assert(fabs(var - 1.0 / 12.0) < TOL_SE * se_var, "variance %.6f", var);
  /* The extremes of 10^6 uniforms lie within ~1e-5 of 0 and 1 (P(min > 2e-5) = e^-20). */
  cr_assert(lo < 2e-5 && hi > 1.0 - 2e-5, "min %.3g max %.9f", lo, hi);
}

/* ---- (d) bounded integers ---------------------------------------------------------------- */

Test(pcg32, bounded_in_range) {
  static const uint32_t bounds[] = {1u,          2u,           3u,         7u,          1000u,
                                    0x80000000u, 0x80000001u, 0xC0000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, 31337u, 5u);
  for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; ++b) {
    uint32_t max_seen = 0u;
    for (int i = 0; i < 20000; ++i) {
      uint32_t v = fleet_pcg32_bounded(&r, bounds[b]);
      cr_assert_lt(v, bounds[b], "bound %u gave %u", bounds[b], v);
      max_seen = v > max_seen ? v : max_seen;
    }
    if (bounds[b] == 1u) {
      cr_assert_eq(max_seen, 0u);
    }
  }
}

/* bound = 3 * 2^30: 2^32 mod bound = 2^30, so plain r % bound would map two 2^30-wide blocks of
 * outputs onto [0, 2^30) and give P(v < 2^30) = 1/2 instead of 1/3. n = 3e5:
 * SE = sqrt((1/3)(2/3)/n) = 8.6e-4, tolerance 5 SE = 0.0043, far below the bias of 1/6. */
Test(pcg32, bounded_no_modulo_bias) {
  enum { N = 300000 };
  const uint32_t bound = 0xC0000000u;
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, 8675309u, 11u);
  int low = 0;
  for (int i = 0; i < N; ++i) {
    low += fleet_pcg32_bounded(&r, bound) < 0x40000000u;
  }
  double f = (double)low / N;
  double p = 1.0 / 3.0;
  double se = sqrt(p * (1.0 - p) / N);
  cr_assert(fabs(f - p) < TOL_SE * se, "P(v < 2^30) = %.5f, want 1/3 +- %.5f", f, TOL_SE * se);

  /* bound = 3: each residue has probability 1/3 (same SE formula). */
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < N; ++i) {
    counts[fleet_pcg32_bounded(&r, 3u)]++;
  }
  for (int k = 0; k < 3; ++k) {
    double fk = (double)counts[k] / N;
    cr_assert(fabs(fk - p) < TOL_SE * se, "P(v = %d) = %.5f", k, fk);
  }
}

/* ---- (e) stream addressing --------------------------------------------------------------- */

typedef struct {
  uint64_t seed, replica, year, kind, id, purpose;
} address_t;

static fleet_pcg32_t stream_of(address_t a) {
  return fleet_stream(a.seed, a.replica, a.year, a.kind, a.id, a.purpose);
}

static const address_t base_address = {12345u, 0u, 2030u, FLEET_ENTITY_VEHICLE, 77u,
                                       FLEET_PURPOSE_ATTRIBUTES};

Test(streams, each_field_changes_the_stream) {
  fleet_pcg32_t base = stream_of(base_address);
  uint32_t base_first = fleet_pcg32_next(&base);
  address_t changed[6];
  for (int f = 0; f < 6; ++f) {
    changed[f] = base_address;
  }
  changed[0].seed += 1u;
  changed[1].replica += 1u;
  changed[2].year += 1u;
  changed[3].kind = FLEET_ENTITY_REGION;
  changed[4].id += 1u;
  changed[5].purpose = FLEET_PURPOSE_MOBILITY_DAY + 0u;
  for (int f = 0; f < 6; ++f) {
    fleet_pcg32_t s = stream_of(changed[f]);
    cr_assert_neq(s.inc, base.inc, "field %d: same stream selector", f);
    cr_assert_neq(fleet_pcg32_next(&s), base_first, "field %d: same first output", f);
  }
  /* Neighbouring days of the per-day purpose are distinct streams too. */
  fleet_pcg32_t d0 = fleet_stream(1u, 0u, 2030u, FLEET_ENTITY_VEHICLE, 5u,
                                  FLEET_PURPOSE_MOBILITY_DAY + 0u);
  fleet_pcg32_t d1 = fleet_stream(1u, 0u, 2030u, FLEET_ENTITY_VEHICLE, 5u,
                                  FLEET_PURPOSE_MOBILITY_DAY + 1u);
  cr_assert_neq(fleet_pcg32_next(&d0), fleet_pcg32_next(&d1));
}

Test(streams, same_address_same_sequence) {
  fleet_pcg32_t a = stream_of(base_address);
  fleet_pcg32_t b = stream_of(base_address);
  for (int i = 0; i < 1000; ++i) {
    cr_assert_eq(fleet_pcg32_next(&a), fleet_pcg32_next(&b), "output %d", i);
  }
}

Test(streams, full_address_equals_prefix_then_at) {
  address_t a = base_address;
  for (uint64_t id = 0; id < 50; ++id) {
    a.id = id * 1000003u;
    fleet_pcg32_t full = stream_of(a);
    fleet_pcg32_t split =
        fleet_stream_at(fleet_stream_prefix(a.seed, a.replica, a.year, a.kind), a.id, a.purpose);
    cr_assert_eq(full.state, split.state);
    cr_assert_eq(full.inc, split.inc);
  }
}

/* fleet_stream_at is documented as fleet_pcg32_seed(initstate, initseq) with both derived from
 * the hash; re-derive them here exactly as the header does and seed the slow way. */
Test(streams, stream_at_equals_seed) {
  uint64_t prefix = fleet_stream_prefix(base_address.seed, base_address.replica,
                                        base_address.year, base_address.kind);
  for (uint64_t id = 0; id < 20; ++id) {
    for (uint64_t purpose = 1; purpose < 0x1000u + 365u; purpose += 97u) {
      uint64_t h = fleet_mix64(prefix ^ fleet_mix64(id + 0x510e527fade682d1ULL));
      h = fleet_mix64(h ^ (purpose * 0x9e3779b97f4a7c15ULL));
      uint64_t initstate = fleet_mix64(h ^ 0x1f83d9abfb41bd6bULL);
      uint64_t initseq = h;
      fleet_pcg32_t seeded;
      fleet_pcg32_seed(&seeded, initstate, initseq);
      fleet_pcg32_t fast = fleet_stream_at(prefix, id, purpose);
      cr_assert_eq(fast.state, seeded.state, "id %llu purpose %llu", (unsigned long long)id,
                   (unsigned long long)purpose);
      cr_assert_eq(fast.inc, seeded.inc);
    }
  }
}

/* ---- (f) samplers: mean and variance ------------------------------------------------------ */

typedef struct {
  double mean, var;
} moments_t;

/* Welford's running mean and variance (n - 1 denominator). */
typedef struct {
  long n;
  double mean, m2;
} welford_t;

static void welford_add(welford_t *w, double x) {
  w->n++;
  double d = x - w->mean;
  w->mean += d / (double)w->n;
  w->m2 += d * (x - w->mean);
}

/* Checks sample mean and variance against the true mean, variance sigma^2 and fourth central
 * moment mu4, each within TOL_SE standard errors (formulas in the header comment). */
static void check_moments(const char *what, welford_t w, double mean, double var, double mu4) {
  double n = (double)w.n;
  double sample_var = w.m2 / (n - 1.0);
  double se_mean = sqrt(var / n);
  double se_var = sqrt((mu4 - var * var) / n);
  cr_assert(fabs(w.mean - mean) < TOL_SE * se_mean, "%s: mean %.6g, want %.6g +- %.3g", what,
            w.mean, mean, TOL_SE * se_mean);
  cr_assert(fabs(sample_var - var) < TOL_SE * se_var, "%s: variance %.6g, want %.6g +- %.3g",
            what, sample_var, var, TOL_SE * se_var);
}

enum { N_SAMPLES = 200000 };

/* Normal(m, s): mu4 = 3 s^4. */
Test(samplers, normal_moments) {
  const double m = 2.0, s = 3.0;
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, 101u, 1u);
  welford_t w = {0, 0.0, 0.0};
  for (int i = 0; i < N_SAMPLES; ++i) {
    welford_add(&w, fleet_sample_normal(&r, m, s));
  }
  check_moments("normal(2,3)", w, m, s * s, 3.0 * s * s * s * s);
}

/* Lognormal exp(N(mu, sigma)): raw moments E[X^k] = exp(k mu + k^2 sigma^2 / 2); the central ones
 * follow as var = E2 - E1^2 and mu4 = E4 - 4 E3 E1 + 6 E2 E1^2 - 3 E1^4. sigma = 0.5 keeps the
 * tail light enough for the large-n formula for SE(variance). */
Test(samplers, lognormal_moments) {
  const double mu = 0.3, sigma = 0.5;
  double e[5];
  for (int k = 1; k <= 4; ++k) {
    e[k] = exp(k * mu + 0.5 * k * k * sigma * sigma);
  }
  double var = e[2] - e[1] * e[1];
  double mu4 = e[4] - 4.0 * e[3] * e[1] + 6.0 * e[2] * e[1] * e[1] - 3.0 * pow(e[1], 4.0);
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, 102u, 2u);
  welford_t w = {0, 0.0, 0.0};
  for (int i = 0; i < N_SAMPLES; ++i) {
    double x = fleet_sample_lognormal(&r, mu, sigma);
    cr_assert(x > 0.0);
    welford_add(&w, x);
  }
  check_moments("lognormal(0.3,0.5)", w, e[1], var, mu4);
}

/* Exponential with mean m: variance m^2, mu4 = 9 m^4. */
Test(samplers, exponential_moments) {
  const double m = 2.5;
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, 103u, 3u);
  welford_t w = {0, 0.0, 0.0};
  for (int i = 0; i < N_SAMPLES; ++i) {
    double x = fleet_sample_exponential(&r, m);
    cr_assert(x >= 0.0 && isfinite(x));
    welford_add(&w, x);
  }
  check_moments("exponential(2.5)", w, m, m * m, 9.0 * m * m * m * m);
}

/* Bernoulli(p), q = 1 - p: variance pq, mu4 = pq (1 - 3pq). p = 0.3 rather than 1/2, where
 * mu4 - sigma^4 = pq (1 - 4pq) vanishes and the variance check would have zero tolerance. */
Test(samplers, bernoulli_moments) {
  const double p = 0.3, pq = p * (1.0 - p);
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, 104u, 4u);
  welford_t w = {0, 0.0, 0.0};
  for (int i = 0; i < N_SAMPLES; ++i) {
    int x = fleet_sample_bernoulli(&r, p);
    cr_assert(x == 0 || x == 1);
    welford_add(&w, (double)x);
  }
  check_moments("bernoulli(0.3)", w, p, pq, pq * (1.0 - 3.0 * pq));
  for (int i = 0; i < 1000; ++i) {
    cr_assert_eq(fleet_sample_bernoulli(&r, 0.0), 0);
    cr_assert_eq(fleet_sample_bernoulli(&r, 1.0), 1);
  }
}

/* Poisson(lambda): variance lambda, mu4 = lambda (1 + 3 lambda). */
static void check_poisson(double lambda, uint64_t seed) {
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, seed, 5u);
  welford_t w = {0, 0.0, 0.0};
  for (int i = 0; i < N_SAMPLES; ++i) {
    welford_add(&w, (double)fleet_sample_poisson(&r, lambda));
  }
  char what[64];
  snprintf(what, sizeof what, "poisson(%g)", lambda);
  check_moments(what, w, lambda, lambda, lambda * (1.0 + 3.0 * lambda));
}

Test(samplers, poisson_small_mean_moments) { check_poisson(3.5, 105u); }
Test(samplers, poisson_large_mean_moments) { check_poisson(120.0, 106u); }
/* Either side of the switch from Knuth's method to PTRS. */
Test(samplers, poisson_switch_moments) {
  check_poisson(29.9, 107u);
  check_poisson(30.0, 108u);
}

/* Mean and variance can survive a mis-shaped rejection hat or squeeze (a PTRS constant off by a
 * little moves the mean by well under one standard error), so also test the whole distribution:
 * Pearson's chi-square over the values k with expected count n p_k >= 20, the two tails lumped
 * into one bin each. Under the null it is chi-square with df = bins - 1; the limit is its upper
 * 5.7e-7 quantile (the 5-SE tail, as above) by the Wilson-Hilferty cube-root approximation,
 * df (1 - 2/(9 df) + 5 sqrt(2/(9 df)))^3, which unlike df + 5 sqrt(2 df) respects the heavier
 * right tail. n is largest just above the switch to PTRS, where its hat is least tight. */
static void check_poisson_chi_square(double lambda, int n, uint64_t seed) {
  enum { KMAX = 512 };
  static double counts[KMAX + 1]; /* counts[KMAX]: values >= KMAX */
  for (int k = 0; k <= KMAX; ++k) {
    counts[k] = 0.0;
  }
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, seed, 6u);
  for (int i = 0; i < n; ++i) {
    uint32_t x = fleet_sample_poisson(&r, lambda);
    counts[x < KMAX ? x : KMAX] += 1.0;
  }
  cr_assert(lambda + 10.0 * sqrt(lambda) < KMAX, "test set-up: KMAX too small");

  double chi2 = 0.0, low_expected = 0.0, high_expected = 1.0;
  double low_observed = 0.0, high_observed = n;
  int bins = 0;
  for (int k = 0; k < KMAX; ++k) {
    double expected = n * exp(-lambda + k * log(lambda) - lgamma(k + 1.0));
    if (expected < 20.0 && k < lambda) { /* lower tail */
      low_expected += expected;
      low_observed += counts[k];
    } else if (expected >= 20.0) {
      chi2 += (counts[k] - expected) * (counts[k] - expected) / expected;
      ++bins;
    } else {
      break; /* upper tail: what is left over */
    }
    high_expected -= expected / n;
    high_observed -= counts[k];
  }
  high_expected *= n;
  if (low_expected > 0.0) {
    chi2 += (low_observed - low_expected) * (low_observed - low_expected) / low_expected;
    ++bins;
  }
  chi2 += (high_observed - high_expected) * (high_observed - high_expected) / high_expected;
  ++bins;

  double df = bins - 1.0;
  double c = 2.0 / (9.0 * df);
  double limit = df * pow(1.0 - c + TOL_SE * sqrt(c), 3.0);
  cr_assert(chi2 < limit, "poisson(%g): chi-square %.1f on %.0f df, limit %.1f", lambda, chi2, df,
            limit);
}

Test(samplers, poisson_chi_square) {
  check_poisson_chi_square(3.5, 200000, 109u);
  check_poisson_chi_square(30.0, 3000000, 110u);
  check_poisson_chi_square(120.0, 1000000, 111u);
}

Test(samplers, poisson_degenerate_mean) {
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, 111u, 7u);
  cr_assert_eq(fleet_sample_poisson(&r, 0.0), 0u);
  cr_assert_eq(fleet_sample_poisson(&r, -1.0), 0u);
  cr_assert_eq(fleet_sample_poisson(&r, NAN), 0u);
}

/* ---- bounded samplers ---------------------------------------------------------------------- */

Test(samplers, normal_quantile_inverts_the_cdf) {
  /* Published values (Abramowitz & Stegun 26.2): z(0.975) = 1.959963984540054, z(0.5) = 0. */
  cr_assert_float_eq(fleet_normal_quantile(0.975), 1.959963984540054, 1e-13);
  cr_assert_eq(fleet_normal_quantile(0.5), 0.0);
  cr_assert(isinf(fleet_normal_quantile(0.0)) && fleet_normal_quantile(0.0) < 0);
  cr_assert(isinf(fleet_normal_quantile(1.0)) && fleet_normal_quantile(1.0) > 0);
  /* F(F^-1(p)) = p through both tails, within what a few ulps of z make of p: dF/F = z dz in the
   * tail, so 4 ulps of z (4 x 2.2e-16 |z|) give a relative error of 8.9e-16 z^2, plus AS 241's own
   * 1e-16 and erfc's few ulps: tolerance 1e-15 (1 + z^2). */
  const double ps[] = {1e-300, 1e-100, 1e-20, 1e-9, 0.001, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97575, 0.999, 1 - 1e-9};
  for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
    const double z = fleet_normal_quantile(ps[i]), back = fleet_normal_cdf(z);
    cr_assert(fabs(back - ps[i]) <= 1e-15 * (1.0 + z * z) * ps[i], "p = %g: F(F^-1(p)) = %.17g", ps[i], back);
  }
}

/* E[X | X <= c] for X = exp(N(mu, sigma)): e^(mu + sigma^2/2) Phi((ln c - mu - sigma^2)/sigma) /
 * Phi((ln c - mu)/sigma), and E[X^2 | X <= c] likewise with 2 mu + 2 sigma^2 and 2 sigma^2. */
static double truncated_lognormal_moment(int k, double mu, double sigma, double c) {
  const double z = (log(c) - mu) / sigma;
  return exp(k * mu + 0.5 * k * k * sigma * sigma) * fleet_normal_cdf(z - k * sigma) / fleet_normal_cdf(z);
}

/* Caps that the plain draws rarely meet (the 5 % and 0.1 % points): most samples come from the
 * inversion after 64 rejections, and the mixture must still be the truncated law. The mean is
 * tested at 5 standard errors (sd from the exact second moment over sqrt(N)). */
Test(samplers, lognormal_below_is_the_truncated_law_when_the_cap_binds) {
  const double mu = log(13.3), sigma = 0.8;
  const double caps[] = {13.3 * exp(sigma * -1.6448536269514722), 13.3 * exp(sigma * -3.090232306167813), 40.0};
  for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
    fleet_pcg32_t r;
    fleet_pcg32_seed(&r, 300u + i, 3u);
    double sum = 0.0;
    for (int n = 0; n < 20000; n++) {
      const double x = fleet_sample_lognormal_below(&r, mu, sigma, caps[i]);
      cr_assert(x > 0.0 && x <= caps[i], "cap %g: draw %g", caps[i], x);
      sum += x;
    }
    const double mean = truncated_lognormal_moment(1, mu, sigma, caps[i]);
    const double sd = sqrt(truncated_lognormal_moment(2, mu, sigma, caps[i]) - mean * mean);
    cr_assert(fabs(sum / 20000 - mean) < 5.0 * sd / sqrt(20000.0), "cap %g: mean %g, expected %g", caps[i],
              sum / 20000, mean);
  }
}

/* Parameters that made the old rejection loop run forever: no spread with the median at the cap,
 * and a cap far below the median (beyond double range of the normal tail). */
Test(samplers, lognormal_below_ends_whatever_the_parameters) {
  fleet_pcg32_t r;
  fleet_pcg32_seed(&r, 7u, 1u);
  cr_assert_eq(fleet_sample_lognormal_below(&r, log(10.0), 0.0, 10.0), fmin(exp(log(10.0)), 10.0));
  cr_assert_eq(fleet_sample_lognormal_below(&r, log(10.0), 0.0, 5.0), 5.0);
  cr_assert_eq(fleet_sample_lognormal_below(&r, log(1e6), 0.01, 1.0), 1.0);
  const double x = fleet_sample_lognormal_below(&r, log(1e3), 2.0, 1e-3); /* z = -6.9: inversion */
  cr_assert(x > 0.0 && x <= 1e-3, "%g", x);
}
