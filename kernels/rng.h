/* rng.h: PCG32 random streams, addressed by what they are for, and the samplers built on them.
 *
 * Generator: PCG32 = PCG-XSH-RR with 64-bit state and a 63-bit stream selector (M. E. O'Neill,
 * "PCG: A Family of Simple Fast Space-Efficient Statistically Good Algorithms for Random Number
 * Generation", HMC-CS-2014-0905). Skip-ahead in O(log n) follows F. B. Brown, "Random number
 * generation with arbitrary strides", Trans. Am. Nucl. Soc. 71 (1994).
 *
 * Addressing: a stream is named by (master seed, replica, year, entity kind, entity id, purpose);
 * the address is hashed into PCG's initial state and stream selector, so the numbers an entity
 * gets never depend on which thread, process or job computes it (DESIGN.md, "Random streams").
 * The hot inline functions below are written so that loops over SIMD lanes vectorise. */
#ifndef FLEET_RNG_H
#define FLEET_RNG_H

#include <stdint.h>

typedef struct {
  uint64_t state;
  uint64_t inc; /* always odd: (stream << 1) | 1 */
} fleet_pcg32_t;

#define FLEET_PCG32_MULT 6364136223846793005ULL

/* Kinds of entity a stream belongs to. Values are part of the file format of results: never
 * renumber, only append. */
typedef enum {
  FLEET_ENTITY_VEHICLE = 1, /* one leased car and its household */
  FLEET_ENTITY_REGION = 2,
  FLEET_ENTITY_NATION = 3,
} fleet_entity_kind_t;

/* Purposes; never renumber, only append. A family of streams uses BASE + an index: each fixed
 * attribute of a vehicle has its own stream, so changing how one attribute is drawn (a parameter
 * sweep) leaves the others' draws untouched (common random numbers). */
typedef enum {
  FLEET_PURPOSE_ATTRIBUTES = 1,        /* + attribute index (0..254): a vehicle's fixed attributes */
  FLEET_PURPOSE_MOBILITY_DAY = 0x1000, /* + day of year (0..364): that day's trip draws */
  /* 0x1000..0x116c are taken by the days above: give every new purpose an explicit value from
   * 0x2000 on, leaving room for its own family. */
  FLEET_PURPOSE_WEATHER_TEMPERATURE = 0x2000, /* a year's daily temperature anomalies */
  FLEET_PURPOSE_WEATHER_CLEARNESS = 0x2001,   /* a year's daily clearness states */
  FLEET_PURPOSE_STORMS = 0x2002,              /* a year's storms (nation) */
  FLEET_PURPOSE_OUTAGES = 0x2003,             /* a household's outages in a year */
  FLEET_PURPOSE_PRICES = 0x2004,              /* a replica's price paths (nation, year 0) */
  FLEET_PURPOSE_LEASE = 0x2005,               /* a household's default and battery failure in a year */
  FLEET_PURPOSE_WEATHER_BOUNDARY = 0x2006,    /* the temperature anomaly at the start of a year */
  FLEET_PURPOSE_CLEARNESS_BOUNDARY = 0x2007,  /* the clearness state at the start of a year */
  FLEET_PURPOSE_PARAMETERS = 0x2008,          /* a replica's draw of one uncertain assumption (nation, year 0,
                                                 entity id = hash of the key's name) */
} fleet_purpose_t;

/* ---- the generator ------------------------------------------------------------------------ */

/* pcg32_srandom_r: state 0, select the stream, step, add initstate, step. */
void fleet_pcg32_seed(fleet_pcg32_t *rng, uint64_t initstate, uint64_t initseq);

/* The XSH-RR output function: the 32-bit output for a state. */
static inline uint32_t fleet_pcg32_output(uint64_t state) {
  uint32_t xorshifted = (uint32_t)(((state >> 18u) ^ state) >> 27u);
  uint32_t rot = (uint32_t)(state >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

/* Next 32-bit output (the output function on the old state, then the LCG step). */
static inline uint32_t fleet_pcg32_next(fleet_pcg32_t *rng) {
  uint64_t old = rng->state;
  rng->state = old * FLEET_PCG32_MULT + rng->inc;
  return fleet_pcg32_output(old);
}

/* Jump-ahead without a chain, for fleet_pcg32_next16(). k steps of s -> MULT s + inc give
 *   s_k = MULT^k s_0 + inc (1 + MULT + ... + MULT^(k-1))   (mod 2^64; Brown 1994).
 * Each step multiplies the difference of consecutive states by MULT (s_{j+2} - s_{j+1} =
 * MULT (s_{j+1} - s_j)), so around the first difference t = s_1 - s_0 = (MULT - 1) s_0 + inc
 * the same states are
 *   s_k = s_0 + t (1 + MULT + ... + MULT^(k-1)) = s_0 + FLEET_PCG32_GEOMETRIC[k] t   (mod 2^64):
 * one multiply per state, as the sequential steps take, but all independent of each other
 * instead of a chain of 64-bit multiplies (15 cycles' latency each on AVX-512's vpmullq).
 * Entry k is the sum of MULT^j for j < k, mod 2^64 (entry 0 = 0, entry k + 1 = entry k x MULT +
 * 1); test_rng checks every entry against k steps and against fleet_pcg32_advance(). */
static const uint64_t FLEET_PCG32_GEOMETRIC[16] = {
    0x0000000000000000ULL, 0x0000000000000001ULL, 0x5851f42d4c957f2eULL, 0xc0b18ccf4e252d17ULL,
    0xcbb5f646404a560cULL, 0xc7033129d2bd141dULL, 0x30705b042917ec1aULL, 0x20fd5db43a776693ULL,
    0x9a8b7f78da6ef4d8ULL, 0x502959d812b031f9ULL, 0xab894868b3b04fc6ULL, 0x6c0356a743cf3fcfULL,
    0x88cdb7ff5390e864ULL, 0xb477d43f85f67595ULL, 0x70a3a52b7c609632ULL, 0xa8e4baf10a9734cbULL};

/* The next 16 outputs of a stream. Returned by value: written through a pointer into an array of
 * the caller's, gcc 12 no longer vectorises fleet_plan_day's lane loop ("bad data references"). */
typedef struct {
  uint32_t out[16];
} fleet_pcg32_outputs16_t;

/* The next 16 outputs, the same as 16 calls of fleet_pcg32_next() (the stream itself is not
 * moved: fleet_pcg32_advance(rng, 16) does that). Sequential steps are a chain of 15 dependent
 * 64-bit multiplies; the closed form above takes as many, 2 deep (the difference, then each
 * state). Branch-free and fully unrolled, so a loop over lanes that calls it vectorises. */
static inline fleet_pcg32_outputs16_t fleet_pcg32_next16(fleet_pcg32_t rng) {
  const uint64_t step = rng.state * (FLEET_PCG32_MULT - 1u) + rng.inc; /* s_1 - s_0 */
  fleet_pcg32_outputs16_t r;
  for (int k = 0; k < 16; k++) r.out[k] = fleet_pcg32_output(rng.state + FLEET_PCG32_GEOMETRIC[k] * step);
  return r;
}

/* Moves the stream delta steps; a negative delta (as two's complement) goes backwards. */
void fleet_pcg32_advance(fleet_pcg32_t *rng, uint64_t delta);

/* Uniform double in [0, 1) with 53 random bits (two outputs). */
double fleet_pcg32_double(fleet_pcg32_t *rng);

/* Uniform integer in [0, bound) without modulo bias (rejection of the low 2^32 mod bound
 * values); bound 0 stands for 2^32 (any output). */
uint32_t fleet_pcg32_bounded(fleet_pcg32_t *rng, uint32_t bound);

/* ---- addressing --------------------------------------------------------------------------- */

/* SplitMix64 finaliser (Steele, Lea, Flood, OOPSLA 2014): a bijective 64-bit mixer. */
static inline uint64_t fleet_mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Hash of the address fields that do not change inside a hot loop (seed, replica, year, kind);
 * combine with fleet_stream_at() for the entity id and purpose. */
static inline uint64_t fleet_stream_prefix(uint64_t master_seed, uint64_t replica, uint64_t year,
                                           uint64_t kind) {
  uint64_t h = fleet_mix64(master_seed ^ 0x6a09e667f3bcc908ULL);
  h = fleet_mix64(h ^ replica);
  h = fleet_mix64(h ^ (year + 0x3c6ef372fe94f82bULL));
  return fleet_mix64(h ^ (kind + 0xa54ff53a5f1d36f1ULL));
}

/* The stream for (prefix, entity id, purpose), seeded as fleet_pcg32_seed() would be with
 * initstate and initseq derived from the hash; inline and branch-free so it vectorises. */
static inline fleet_pcg32_t fleet_stream_at(uint64_t prefix, uint64_t entity_id, uint64_t purpose) {
  uint64_t h = fleet_mix64(prefix ^ fleet_mix64(entity_id + 0x510e527fade682d1ULL));
  h = fleet_mix64(h ^ (purpose * 0x9e3779b97f4a7c15ULL));
  uint64_t initstate = fleet_mix64(h ^ 0x1f83d9abfb41bd6bULL);
  uint64_t initseq = h;
  fleet_pcg32_t rng;
  rng.inc = (initseq << 1u) | 1u;
  rng.state = rng.inc; /* = 0 * MULT + inc: the first step from state 0 */
  rng.state += initstate;
  rng.state = rng.state * FLEET_PCG32_MULT + rng.inc;
  return rng;
}

/* The stream for a full address. */
fleet_pcg32_t fleet_stream(uint64_t master_seed, uint64_t replica, uint64_t year, uint64_t kind,
                           uint64_t entity_id, uint64_t purpose);

/* Uniform float in [0, 1) from the top 24 bits of a 32-bit output (exactly representable). */
static inline float fleet_u01f(uint32_t x) { return (float)(x >> 8) * (1.0f / 16777216.0f); }

/* ---- samplers (double precision, for set-up code; not for the hourly loop) ---------------- */

double fleet_sample_normal(fleet_pcg32_t *rng, double mean, double sd);
double fleet_sample_lognormal(fleet_pcg32_t *rng, double mu, double sigma); /* exp(N(mu,sigma)) */
/* exp(N(mu, sigma)) conditioned on being <= max (a lognormal truncated above). Bounded: at most
 * FLEET_REJECTION_TRIES plain draws, then one exact inversion (fleet_normal_quantile), so it
 * ends whatever the parameters (sigma = 0 included). */
double fleet_sample_lognormal_below(fleet_pcg32_t *rng, double mu, double sigma, double max);
double fleet_sample_exponential(fleet_pcg32_t *rng, double mean);
int fleet_sample_bernoulli(fleet_pcg32_t *rng, double p); /* 1 with probability p */
uint32_t fleet_sample_poisson(fleet_pcg32_t *rng, double mean); /* 0 for mean <= 0 or NaN */

/* Every rejection loop of the samplers gives up after this many tries and falls back on a
 * bounded method, so no parameter can make a draw run forever. */
#define FLEET_REJECTION_TRIES 64

/* The standard normal distribution function and its inverse (p in (0, 1); 0 -> -inf, 1 -> inf);
 * the _pq form takes p and q = 1 - p both, so that a caller can form the smaller one without
 * cancellation (AS 241, rng.c). */
double fleet_normal_cdf(double z);
double fleet_normal_quantile(double p);
double fleet_normal_quantile_pq(double p, double q);

#endif
