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
  uint32_t r = fleet_pcg32_next(rng);
  /* Bounded: each try is rejected with probability below 1/2, so reaching the last one has
   * probability below 2^-63; the modulo it then keeps is off by at most that much. */
  for (int tries = 1; r < threshold && tries < FLEET_REJECTION_TRIES; tries++) r = fleet_pcg32_next(rng);
  return r % bound;
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

double fleet_normal_cdf(double z) { return 0.5 * erfc(-z * 0.70710678118654752440); }

/* Polynomial sum c[0] + c[1] x + ... + c[7] x^7 (Horner). */
static double fleet_poly7(const double c[8], double x) {
  double v = c[7];
  for (int i = 6; i >= 0; i--) {
    v = v * x + c[i];
  }
  return v;
}

/* Standard normal quantile Phi^-1(p), given p and q = 1 - p both (so that the caller can form the
 * smaller one without cancellation). M. J. Wichura, "Algorithm AS 241: The percentage points of
 * the normal distribution", Applied Statistics 37 (1988) 477-484, PPND16: rational minimax
 * approximations in three ranges, relative error about 1e-16, with the coefficients published
 * there. Chosen over a rough start refined by Newton steps on erfc: no erfc or exp, about half
 * the cost of the whole call per interruption. */
double fleet_normal_quantile_pq(double p, double q) {
  static const double a[8] = {3.3871328727963666080e0, 1.3314166789178437745e+2, 1.9715909503065514427e+3,
                              1.3731693765509461125e+4, 4.5921953931549871457e+4, 6.7265770927008700853e+4,
                              3.3430575583588128105e+4, 2.5090809287301226727e+3};
  static const double b[8] = {1.0, 4.2313330701600911252e+1, 6.8718700749205790830e+2, 5.3941960214247511077e+3,
                              2.1213794301586595867e+4, 3.9307895800092710610e+4, 2.8729085735721942674e+4,
                              5.2264952788528545610e+3};
  static const double c[8] = {1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0,
                              3.64784832476320460504e0, 1.27045825245236838258e0, 2.41780725177450611770e-1,
                              2.27238449892691845833e-2, 7.74545014278341407640e-4};
  static const double d[8] = {1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
                              1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4,
                              1.05075007164441684324e-9};
  static const double e[8] = {6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0,
                              2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
                              2.71155556874348757815e-5, 2.01033439929228813265e-7};
  static const double f[8] = {1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
                              7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7,
                              2.04426310338993978564e-15};
  double centred = p - 0.5;
  if (fabs(centred) <= 0.425) {
    double r = 0.180625 - centred * centred;
    return centred * fleet_poly7(a, r) / fleet_poly7(b, r);
  }
  double r = sqrt(-log(centred < 0.0 ? p : q));
  double x = r <= 5.0 ? fleet_poly7(c, r - 1.6) / fleet_poly7(d, r - 1.6)
                       : fleet_poly7(e, r - 5.0) / fleet_poly7(f, r - 5.0); /* p or q below e^-25 */
  return centred < 0.0 ? -x : x;
}

double fleet_normal_quantile(double p) {
  if (!(p > 0.0)) return p == 0.0 ? -INFINITY : NAN;
  if (!(p < 1.0)) return p == 1.0 ? INFINITY : NAN;
  return fleet_normal_quantile_pq(p, 1.0 - p);
}

/* Plain draws first, so that wherever the cap is not binding often the draws are those of an
 * untruncated lognormal redrawn above the cap (each accepted draw is exactly of the truncated
 * law). After FLEET_REJECTION_TRIES rejections (a cap far in the lower tail, or sigma = 0 with the
 * median at the cap, where exp(log(x)) may exceed x by an ulp), one inversion: also exactly of
 * the truncated law, so the mixture of the two branches is too. */
double fleet_sample_lognormal_below(fleet_pcg32_t *rng, double mu, double sigma, double max) {
  for (int tries = 0; tries < FLEET_REJECTION_TRIES; tries++) {
    const double x = fleet_sample_lognormal(rng, mu, sigma);
    if (x <= max) return x;
  }
  const double z_max = (log(max) - mu) / sigma;
  if (!(sigma > 0.0) || !isfinite(z_max)) return fmin(exp(mu), max); /* no spread, or no room */
  const double top = fleet_normal_cdf(z_max);
  if (!(top > 0.0)) return max; /* the cap lies beyond double range in the lower tail: the law sits at it */
  const double x = exp(mu + sigma * fleet_normal_quantile(top * fleet_pcg32_double(rng)));
  return fmin(x, max);
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
    /* Bounded: P(k >= 1000) for a mean below 30 is below 1e-900, so the cap never binds. */
    double limit = exp(-mean);
    double product = fleet_pcg32_double(rng);
    uint32_t k = 0u;
    while (product > limit && k < 1000u) {
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
  /* Bounded: each try accepts with probability above 0.86 (Hormann's table), so 64 rejections in
   * a row have probability below 1e-54; the mean, rounded, is then returned. */
  for (int tries = 0; tries < FLEET_REJECTION_TRIES; tries++) {
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
  return mean >= 4294967295.0 ? UINT32_MAX : (uint32_t)nearbyint(mean);
}
