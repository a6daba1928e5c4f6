/* rng.c: the out-of-line parts of rng.h: seeding, skip-ahead, uniform doubles and bounded
 * integers, full-address streams, and the double-precision samplers used by set-up code.
 *
 * Sources: M. E. O'Neill, "PCG: A Family of Simple Fast Space-Efficient Statistically Good
 * Algorithms for Random Number Generation", HMC-CS-2014-0905 (2014), and the semantics of the
 * pcg-c reference functions pcg32_srandom_r / pcg32_advance_r / pcg32_boundedrand_r;
 * F. B. Brown, "Random number generation with arbitrary strides", Trans. Am. Nucl. Soc. 71
 * (1994) 202; W. Hormann, "The transformed rejection method for generating Poisson random
 * variables", Insurance: Mathematics and Economics 12 (1993) 39-45. */
#include "rng.h"

#include <math.h>

/* ---- the generator ------------------------------------------------------------------------ */

void fleet_pcg32_seed(fleet_pcg32_t *rng, uint64_t initstate, uint64_t initseq) {
  /* pcg32_srandom_r: the two steps make the first output depend on both initstate and the stream,
   * so that seeds differing only in low bits do not start with near-identical outputs. */
  rng->state = 0u;
  rng->inc = (initseq << 1u) | 1u;
  (void)fleet_pcg32_next(rng);
  rng->state += initstate;
  (void)fleet_pcg32_next(rng);
}

void fleet_pcg32_advance(fleet_pcg32_t *rng, uint64_t delta) {
  /* Brown (1994): delta steps of s -> M s + C compose to s -> M^delta s + C (M^delta - 1)/(M - 1).
   * Square-and-multiply builds both terms from the binary digits of delta in O(log delta) steps
   * without a division (M - 1 is not invertible mod 2^64). The LCG has period 2^64, so moving
   * back by n is moving forward by 2^64 - n, i.e. delta = (uint64_t)-n. */
  uint64_t cur_mult = FLEET_PCG32_MULT;
  uint64_t cur_plus = rng->inc;
  uint64_t acc_mult = 1u;
  uint64_t acc_plus = 0u;
  while (delta > 0u) {
    if (delta & 1u) {
      acc_mult *= cur_mult;
      acc_plus = acc_plus * cur_mult + cur_plus;
    }
    /* Doubling the stride: applying (cur_mult, cur_plus) twice. */
    cur_plus = (cur_mult + 1u) * cur_plus;
    cur_mult *= cur_mult;
    delta >>= 1u;
  }
  rng->state = acc_mult * rng->state + acc_plus;
}

double fleet_pcg32_double(fleet_pcg32_t *rng) {
  /* The first output supplies the high bits; the top 53 of the 64 bits are scaled by 2^-53, so
   * every result is a multiple of 2^-53 in [0, 1 - 2^-53] and exactly representable. */
  uint64_t hi = fleet_pcg32_next(rng);
  uint64_t lo = fleet_pcg32_next(rng);
  uint64_t bits = ((hi << 32u) | lo) >> 11u;
  return (double)bits * 0x1.0p-53;
}

uint32_t fleet_pcg32_bounded(fleet_pcg32_t *rng, uint32_t bound) {
  /* As pcg32_boundedrand_r: 2^32 mod bound = (2^32 - bound) mod bound outputs are surplus;
   * rejecting the lowest that many leaves a multiple of bound equally likely values, so r % bound
   * is exactly uniform. At most half of the outputs are rejected (bound just above 2^31), so the
   * expected number of draws is below 2.
   * bound == 0 is outside the contract (bound >= 1); it is read as 2^32 rather than dividing by
   * zero: any 32-bit output is in range. */
  if (bound == 0u) {
    return fleet_pcg32_next(rng);
  }
  uint32_t threshold = (uint32_t)(0u - bound) % bound;
  for (;;) {
    uint32_t r = fleet_pcg32_next(rng);
    if (r >= threshold) {
      return r % bound;
    }
  }
}

/* ---- addressing --------------------------------------------------------------------------- */

fleet_pcg32_t fleet_stream(uint64_t master_seed, uint64_t replica, uint64_t year, uint64_t kind,
                           uint64_t entity_id, uint64_t purpose) {
  return fleet_stream_at(fleet_stream_prefix(master_seed, replica, year, kind), entity_id,
                         purpose);
}

/* ---- samplers ----------------------------------------------------------------------------- */

/* Box-Muller (G. E. P. Box, M. E. Muller, Ann. Math. Statist. 29 (1958) 610), cosine branch only.
 * Chosen over Marsaglia's polar method because it consumes a fixed four outputs per draw (no
 * rejection loop), so the position of every later draw in a stream is known in advance, and the
 * generator struct has no room to cache the second (sine) variate. 1 - u1 lies in (0, 1], so the
 * logarithm is finite; with 53-bit uniforms |z| <= sqrt(2 * 53 ln 2) ~ 8.6. */
double fleet_sample_normal(fleet_pcg32_t *rng, double mean, double sd) {
  static const double two_pi = 6.283185307179586476925286766559;
  double u1 = fleet_pcg32_double(rng);
  double u2 = fleet_pcg32_double(rng);
  double radius = sqrt(-2.0 * log1p(-u1));
  return mean + sd * radius * cos(two_pi * u2);
}

double fleet_sample_lognormal(fleet_pcg32_t *rng, double mu, double sigma) {
  return exp(fleet_sample_normal(rng, mu, sigma));
}

/* Inversion: F^-1(u) = -mean ln(1 - u). u is in [0, 1), so 1 - u is in (0, 1] and u = 0 gives 0
 * rather than ln 0; log1p keeps full relative precision for small u. */
double fleet_sample_exponential(fleet_pcg32_t *rng, double mean) {
  return -mean * log1p(-fleet_pcg32_double(rng));
}

/* u < p with u uniform on the 2^-53 grid: P = p up to that grid; p <= 0 (or NaN) never, p >= 1
 * always. One double (two outputs) is drawn in every case, so stream positions do not depend on p. */
int fleet_sample_bernoulli(fleet_pcg32_t *rng, double p) {
  return fleet_pcg32_double(rng) < p;
}

/* ln k!, without lgamma(): glibc's lgamma writes the global signgam and is marked MT-unsafe, and
 * samplers may run on several threads. Exact sums for k < 16; above, Stirling's series with terms
 * through k^-7, whose truncation error is below the next term 1/(1188 k^9) < 1.4e-14 at k = 16
 * (Abramowitz & Stegun 6.1.41), far below the double rounding of the acceptance test. */
static double fleet_log_factorial(double k) {
  static const double half_log_two_pi = 0.91893853320467274178032973640562;
  if (k < 16.0) {
    double s = 0.0;
    for (double j = 2.0; j <= k; j += 1.0) {
      s += log(j);
    }
    return s;
  }
  double r = 1.0 / k;
  double r2 = r * r;
  double series = r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 / 1680.0)));
  return (k + 0.5) * log(k) - k + half_log_two_pi + series;
}

/* Poisson(mean).
 * mean < 30: Knuth's multiplication method (TAOCP vol. 2, 3.4.1): the count of uniforms whose
 * running product stays above e^-mean. Exact; costs mean + 1 uniforms on average, and
 * e^-30 ~ 9e-14 is far from double underflow.
 * mean >= 30: PTRS, transformed rejection with squeeze (Hormann 1993, algorithm PTRS, valid for
 * mean >= 10): a hat of the form (2a/(1/2-|U|) + b) U + mean + 0.43 fitted to the Poisson mass,
 * fast acceptance in the box us >= 0.07, V <= v_r, otherwise the exact test against
 * ln p(k) = k ln mean - mean - ln k!. Exact; about 1.15 iterations per draw on average.
 * mean <= 0 or NaN gives 0; a draw above UINT32_MAX (only for mean near 2^32) is clamped. */
uint32_t fleet_sample_poisson(fleet_pcg32_t *rng, double mean) {
  if (!(mean > 0.0)) {
    return 0u;
  }
  if (mean < 30.0) {
    double limit = exp(-mean);
    double product = fleet_pcg32_double(rng);
    uint32_t k = 0u;
    while (product > limit) {
      product *= fleet_pcg32_double(rng);
      ++k;
    }
    return k;
  }

  /* Constants of PTRS as given by Hormann (1993), table of the algorithm. */
  double sqrt_mean = sqrt(mean);
  double log_mean = log(mean);
  double b = 0.931 + 2.53 * sqrt_mean;
  double a = -0.059 + 0.02483 * b;
  double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  double v_r = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    double u = fleet_pcg32_double(rng) - 0.5;
    double v = fleet_pcg32_double(rng);
    double us = 0.5 - fabs(u);
    if (us <= 0.0) {
      continue; /* u = -1/2 exactly: the hat is unbounded there, draw again */
    }
    double k = floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= v_r) {
      return k >= 4294967295.0 ? UINT32_MAX : (uint32_t)k;
    }
    if (k < 0.0 || (us < 0.013 && v > us)) {
      continue;
    }
    double log_hat = log(v * inv_alpha / (a / (us * us) + b));
    if (log_hat <= -mean + k * log_mean - fleet_log_factorial(k)) {
      return k >= 4294967295.0 ? UINT32_MAX : (uint32_t)k;
    }
  }
}
