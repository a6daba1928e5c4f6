/* hour_sums.h: a block-day's hourly values summed over its 16 lanes, all 24 hours at once, and
 * those sums added into the fixed-point accumulators (fleet_year.h).
 *
 * Each hour's sum keeps one fixed order, a pairwise tree: x[i] + x[i + 8], then + the partial
 * 4 further on, then 2, then 1. That order is what makes the sums the same whatever the thread
 * count (fleet_year.h), and a sum hour by hour along it needs 3 shuffles and 4 adds per hour
 * and value, with a horizontal dependency chain. Here each level of the tree runs for several
 * hours in one vector operation: two vectors of 16 values (two hours' lanes, or the partial sums
 * of several hours) are split into their low and high halves at that level's distance, and the
 * halves added. Every addition is the same pair of floats as in the hour-by-hour tree, so the
 * results are bit-identical to it (float addition is commutative; only the grouping matters,
 * and the grouping is unchanged). 24 hours take 23 vector adds and 46 shuffles instead of 96
 * and 72 (tests/test_kernels.c compares the two on random values bit for bit).
 *
 * GNU C vector extensions (gcc and clang): the compiler lowers them to AVX-512, AVX2 or SSE,
 * whichever the build has. */
#ifndef FLEET_HOUR_SUMS_H
#define FLEET_HOUR_SUMS_H

#include <string.h>

#include "fleet_year.h"
#include "lanes.h"

_Static_assert(FLEET_LANES == 16, "hour_sums.h's shuffles are written for 16 lanes");
_Static_assert(FLEET_HOURS_PER_DAY == 24, "hour_sums.h's levels are written for 24 hours");

typedef float fleet_v16f __attribute__((vector_size(64)));

/* One tree level for two vectors a and b: the low and high halves at this level's distance,
 * added. lo and hi list, for each output element, which of a's (0..15) or b's (16..31) elements
 * it takes: constants, as __builtin_shufflevector (gcc >= 12 and clang) wants them. A macro: a
 * function taking 64-byte vectors by value has another ABI on builds without AVX-512, which gcc
 * warns about (-Wpsabi). */
#define FLEET_TREE_LEVEL(a, b, lo, hi) (__builtin_shufflevector((a), (b), lo) + __builtin_shufflevector((a), (b), hi))

/* Level 1: hours A (a) and B (b) of 16 lanes -> [A's x[i] + x[i+8] for i < 8, then B's]. */
#define FLEET_TREE_LO1 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23
#define FLEET_TREE_HI1 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31
/* Level 2: [A(8) B(8)] and [C(8) D(8)] -> [A(4) B(4) C(4) D(4)], a[i] + a[i+4] for i < 4. */
#define FLEET_TREE_LO2 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27
#define FLEET_TREE_HI2 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31
/* Level 3: [A..D](4 each) and [E..H](4 each) -> [A..H](2 each), a[i] + a[i+2] for i < 2. */
#define FLEET_TREE_LO3 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29
#define FLEET_TREE_HI3 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31
/* Level 4: 8 hours x 2 and 8 more x 2 -> 16 hours, a[0] + a[1]. */
#define FLEET_TREE_LO4 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
#define FLEET_TREE_HI4 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31

/* out[h] = the 16 lanes of x[h] summed along the tree, for the 24 hours of a day. */
static inline __attribute__((always_inline)) void fleet_hour_sums(const float x[FLEET_HOURS_PER_DAY][FLEET_LANES],
                                                                   float out[FLEET_HOURS_PER_DAY]) {
  fleet_v16f l1[12], l2[6], l3[3];
  for (int j = 0; j < 12; j++) {
    fleet_v16f a, b; /* loaded hour by hour: one copy of the whole day becomes a slow rep movs */
    memcpy(&a, x[2 * j], sizeof a);
    memcpy(&b, x[2 * j + 1], sizeof b);
    l1[j] = FLEET_TREE_LEVEL(a, b, FLEET_TREE_LO1, FLEET_TREE_HI1);
  }
  for (int j = 0; j < 6; j++) l2[j] = FLEET_TREE_LEVEL(l1[2 * j], l1[2 * j + 1], FLEET_TREE_LO2, FLEET_TREE_HI2);
  for (int j = 0; j < 3; j++) l3[j] = FLEET_TREE_LEVEL(l2[2 * j], l2[2 * j + 1], FLEET_TREE_LO3, FLEET_TREE_HI3);
  /* l3[j] holds hours 8j..8j+7, two partials each */
  const fleet_v16f first16 = FLEET_TREE_LEVEL(l3[0], l3[1], FLEET_TREE_LO4, FLEET_TREE_HI4);
  const fleet_v16f last8 = FLEET_TREE_LEVEL(l3[2], l3[2], FLEET_TREE_LO4, FLEET_TREE_HI4); /* hours 16..23, twice */
  memcpy(out, &first16, 16 * sizeof(float));
  memcpy(out + 16, &last8, 8 * sizeof(float));
}

/* Eight doubles, eight int64 and eight floats as vectors (GNU C). */
typedef double fleet_v8d __attribute__((vector_size(64)));
typedef long long fleet_v8l __attribute__((vector_size(64)));
typedef unsigned long long fleet_v8u __attribute__((vector_size(64)));
typedef float fleet_v8f __attribute__((vector_size(32)));

/* sum[h] += value[h] in fixed point for the 24 hours of a day, as fleet_year.c's ADD_FIXED does hour
 * by hour (the same conversion, the same range check and the same checked addition), 8 hours at a time:
 * gcc leaves the plain loop half scalar. */
static inline void fleet_add_fixed_hours(int64_t *restrict sum, const float value[FLEET_HOURS_PER_DAY], int *overflow) {
  fleet_v8l bad = {0};
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h += 8) {
    fleet_v8f v;
    fleet_v8l old;
    memcpy(&v, value + h, sizeof v);
    memcpy(&old, sum + h, sizeof old);
    const fleet_v8d scaled = __builtin_convertvector(v, fleet_v8d) * FLEET_ACCUM_SCALE + 0.5;
    const fleet_v8l in_range = (scaled < 0x1p62) & (scaled > -0x1p62); /* -1 or 0; 0 for a NaN */
    const fleet_v8d safe = (fleet_v8d)((fleet_v8l)scaled & in_range); /* 0 where out of range */
    const fleet_v8l fixed = __builtin_convertvector(safe, fleet_v8l);
    const fleet_v8l total = (fleet_v8l)((fleet_v8u)old + (fleet_v8u)fixed); /* wraps; checked below */
    bad |= ~in_range | ((old ^ total) & (fixed ^ total)); /* sign bit: signed overflow */
    memcpy(sum + h, &total, sizeof total);
  }
  for (int k = 0; k < 8; k++) *overflow |= bad[k] < 0;
}

/* count[h] += value[h] for sums of 0s and 1s over the lanes (exact small integers). */
static inline void fleet_add_counts_hours(int64_t *restrict count, const float value[FLEET_HOURS_PER_DAY]) {
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h += 8) {
    fleet_v8f v;
    fleet_v8l old;
    memcpy(&v, value + h, sizeof v);
    memcpy(&old, count + h, sizeof old);
    old += __builtin_convertvector(v, fleet_v8l);
    memcpy(count + h, &old, sizeof old);
  }
}

#endif
