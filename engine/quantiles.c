#include "quantiles.h"

#include <math.h>
#include <string.h>

const double fleet_quantile_levels[FLEET_QUANTILE_LEVELS] = {0.05, 0.5, 0.95};

/* An unsigned key in the order of the doubles (IEEE 754 bits: flip all of a negative, the sign
 * of a positive), and back. */
static uint64_t key_of(double x) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  return bits >> 63 ? ~bits : bits | 0x8000000000000000u;
}

static double value_of(uint64_t key) {
  const uint64_t bits = key >> 63 ? key & 0x7fffffffffffffffu : ~key;
  double x;
  memcpy(&x, &bits, sizeof x);
  return x;
}

void fleet_quantiles_init(fleet_quantiles_t *q) { memset(q, 0, sizeof *q); }

void fleet_quantiles_add(fleet_quantiles_t *q, double x) {
  if (isnan(x)) return;
  if (q->pass == 0) {
    q->count++;
    q->sum += x;
    return;
  }
  const int shift = 64 - 8 * q->pass; /* this pass's byte: bits [shift, shift + 8) */
  const uint64_t key = key_of(x);
  for (int t = 0; t < 2 * FLEET_QUANTILE_LEVELS; t++)
    if (q->pass == 1 || (key >> (shift + 8)) == (q->prefix[t] >> (shift + 8)))
      q->histogram[t][(key >> shift) & 0xffu]++;
}

void fleet_quantiles_end_pass(fleet_quantiles_t *q) {
  if (q->pass == 0) {
    for (int i = 0; i < FLEET_QUANTILE_LEVELS; i++) {
      const uint64_t lo = q->count ? (uint64_t)floor((double)(q->count - 1) * fleet_quantile_levels[i]) : 0;
      q->rank[2 * i] = lo;
      q->rank[2 * i + 1] = lo + 1 < q->count ? lo + 1 : lo;
    }
  } else if (q->pass <= 8 && q->count > 0) {
    /* the byte under which each sought rank falls, and its rank among the values that share the
     * bytes found so far */
    const int shift = 64 - 8 * q->pass;
    for (int t = 0; t < 2 * FLEET_QUANTILE_LEVELS; t++) {
      uint64_t below = 0;
      int digit = 255;
      for (int d = 0; d < 256; d++) {
        if (below + q->histogram[t][d] > q->rank[t]) {
          digit = d;
          break;
        }
        below += q->histogram[t][d];
      }
      q->rank[t] -= below;
      q->prefix[t] |= (uint64_t)digit << shift;
      memset(q->histogram[t], 0, sizeof q->histogram[t]);
    }
  }
  q->pass++;
}

void fleet_quantiles_result(const fleet_quantiles_t *q, double out[FLEET_QUANTILE_LEVELS], double *mean) {
  *mean = q->count ? q->sum / (double)q->count : NAN;
  for (int i = 0; i < FLEET_QUANTILE_LEVELS; i++) {
    if (q->count == 0 || q->pass < FLEET_QUANTILE_PASSES) {
      out[i] = NAN;
      continue;
    }
    const double h = (double)(q->count - 1) * fleet_quantile_levels[i];
    const double lo = value_of(q->prefix[2 * i]), hi = value_of(q->prefix[2 * i + 1]);
    out[i] = lo + (h - floor(h)) * (hi - lo);
  }
}
