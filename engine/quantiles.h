/* quantiles.h: exact quantiles of a stream of doubles in fixed memory, by radix selection over
 * several passes of the same stream (a result file read again), so that `fleetmc summary` needs
 * the same memory for a file of 5 replica-years as for one of 5 million, or one that only claims
 * to be that large. */
#ifndef FLEET_QUANTILES_H
#define FLEET_QUANTILES_H

#include <stdint.h>

/* The levels reported: P5, P50, P95. */
#define FLEET_QUANTILE_LEVELS 3
extern const double fleet_quantile_levels[FLEET_QUANTILE_LEVELS];

/* Passes over the stream: one to count, then one per byte of the 64-bit key. */
#define FLEET_QUANTILE_PASSES 9

typedef struct {
  int pass;
  uint64_t count; /* values that are not NaN */
  double sum;
  /* order statistics sought: for each level, ranks floor(h) and floor(h) + 1, h = (count - 1) q */
  uint64_t rank[2 * FLEET_QUANTILE_LEVELS];
  uint64_t prefix[2 * FLEET_QUANTILE_LEVELS]; /* their keys' bytes found so far */
  uint64_t histogram[2 * FLEET_QUANTILE_LEVELS][256];
} fleet_quantiles_t;

void fleet_quantiles_init(fleet_quantiles_t *q);

/* Feeds one value of the stream in the current pass (NaN: skipped). Every pass must feed the
 * same values. */
void fleet_quantiles_add(fleet_quantiles_t *q, double x);

/* Ends the current pass; call it FLEET_QUANTILE_PASSES times. */
void fleet_quantiles_end_pass(fleet_quantiles_t *q);

/* After the last pass: the quantiles at fleet_quantile_levels, linear between order statistics
 * (NumPy's default), and the mean; NaN for an empty stream. */
void fleet_quantiles_result(const fleet_quantiles_t *q, double out[FLEET_QUANTILE_LEVELS], double *mean);

#endif
