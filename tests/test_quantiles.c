/* test_quantiles.c: the streaming quantiles of `fleetmc summary` against sorting. The radix
 * selection is exact, so the comparison is to the bit (the interpolation is the same formula). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quantiles.h"
#include "rng.h"

static int ascending(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* NumPy's linear rule on a sorted copy. */
static void sorted_quantiles(const double *values, size_t n, double out[FLEET_QUANTILE_LEVELS]) {
  double *v = malloc(n * sizeof *v);
  memcpy(v, values, n * sizeof *v);
  qsort(v, n, sizeof *v, ascending);
  for (int i = 0; i < FLEET_QUANTILE_LEVELS; i++) {
    const double h = (double)(n - 1) * fleet_quantile_levels[i];
    const size_t lo = (size_t)floor(h);
    const double hi = lo + 1 < n ? v[lo + 1] : v[lo];
    out[i] = v[lo] + (h - floor(h)) * (hi - v[lo]);
  }
  free(v);
}

static void streamed(const double *values, size_t n, double out[FLEET_QUANTILE_LEVELS], double *mean) {
  fleet_quantiles_t q;
  fleet_quantiles_init(&q);
  for (int pass = 0; pass < FLEET_QUANTILE_PASSES; pass++) {
    for (size_t i = 0; i < n; i++) fleet_quantiles_add(&q, values[i]);
    fleet_quantiles_end_pass(&q);
  }
  fleet_quantiles_result(&q, out, mean);
}

Test(quantiles, equal_to_sorting_to_the_bit) {
  const size_t sizes[] = {1, 2, 3, 20, 1001, 40000};
  fleet_pcg32_t rng;
  fleet_pcg32_seed(&rng, 11u, 5u);
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    const size_t n = sizes[s];
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
      /* signs, ties, zeros of both signs, tiny and huge magnitudes */
      const uint32_t kind = fleet_pcg32_bounded(&rng, 6);
      const double u = fleet_pcg32_double(&rng) - 0.5;
      v[i] = kind == 0 ? 0.0 : kind == 1 ? -0.0 : kind == 2 ? 3.0 : kind == 3 ? u * 1e-300 : kind == 4 ? u * 1e300 : u;
    }
    double want[FLEET_QUANTILE_LEVELS], got[FLEET_QUANTILE_LEVELS], mean;
    sorted_quantiles(v, n, want);
    streamed(v, n, got, &mean);
    for (int i = 0; i < FLEET_QUANTILE_LEVELS; i++)
      cr_assert(got[i] == want[i], "n = %zu, level %g: %.17g, sorting gives %.17g", n, fleet_quantile_levels[i], got[i],
                want[i]);
    free(v);
  }
}

Test(quantiles, nan_is_skipped_and_an_empty_stream_gives_nan) {
  const double values[] = {NAN, 2.0, NAN, 4.0};
  double got[FLEET_QUANTILE_LEVELS], mean;
  streamed(values, 4, got, &mean);
  cr_assert_eq(mean, 3.0);
  cr_assert_eq(got[1], 3.0); /* the median of {2, 4} */
  streamed(values, 1, got, &mean);
  cr_assert(isnan(mean) && isnan(got[0]) && isnan(got[1]) && isnan(got[2]));
}
