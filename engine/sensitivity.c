/* sensitivity.c: see sensitivity.h. */
#include "sensitivity.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
  double value;
  int64_t at;
} keyed_t;

static int by_value(const void *a, const void *b) {
  const keyed_t *p = a, *q = b;
  if (p->value != q->value) return p->value < q->value ? -1 : 1;
  return p->at < q->at ? -1 : p->at > q->at; /* stable: the order is the same on every machine */
}

/* The order of x (ascending), as indices; NULL if out of memory. */
static keyed_t *sorted(const double *x, int64_t n) {
  keyed_t *k = malloc((size_t)(n > 0 ? n : 1) * sizeof *k);
  if (!k) return NULL;
  for (int64_t i = 0; i < n; i++) k[i] = (keyed_t){x[i], i};
  qsort(k, (size_t)n, sizeof *k, by_value);
  return k;
}

/* Average ranks (1-based) of x into rank; false if out of memory. */
static int average_ranks(const double *x, int64_t n, double *rank) {
  keyed_t *k = sorted(x, n);
  if (!k) return 0;
  for (int64_t i = 0; i < n;) {
    int64_t j = i;
    while (j + 1 < n && k[j + 1].value == k[i].value) j++;
    const double r = 0.5 * (double)(i + j) + 1.0;
    for (int64_t t = i; t <= j; t++) rank[k[t].at] = r;
    i = j + 1;
  }
  free(k);
  return 1;
}

static double pearson(const double *a, const double *b, int64_t n) {
  double ma = 0, mb = 0;
  for (int64_t i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= (double)n;
  mb /= (double)n;
  double sab = 0, saa = 0, sbb = 0;
  for (int64_t i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  if (!(saa > 0 && sbb > 0)) return NAN;
  const double r = sab / sqrt(saa * sbb);
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

double fleet_spearman(const double *x, const double *y, int64_t n) {
  if (!x || !y || n < 2) return NAN;
  double *rx = malloc((size_t)n * sizeof *rx), *ry = malloc((size_t)n * sizeof *ry);
  double rho = NAN;
  if (rx && ry && average_ranks(x, n, rx) && average_ranks(y, n, ry)) rho = pearson(rx, ry, n);
  free(rx);
  free(ry);
  return rho;
}

double fleet_first_order_index(const double *x, const double *y, int64_t n, int bins, int *bins_used) {
  if (bins_used) *bins_used = 0;
  if (!x || !y || n < 4) return NAN;
  int64_t b = bins > 0 ? bins : (int64_t)llround(sqrt((double)n));
  if (b < 2) b = 2;
  if (b > n / 2) b = n / 2; /* at least two replicas a bin, so that the within mean square exists */
  keyed_t *k = sorted(x, n);
  if (!k) return NAN;
  double mean = 0;
  for (int64_t i = 0; i < n; i++) mean += y[i];
  mean /= (double)n;
  double sst = 0;
  for (int64_t i = 0; i < n; i++) sst += (y[i] - mean) * (y[i] - mean);
  double ssb = 0, ssw = 0;
  int64_t groups = 0;
  for (int64_t start = 0, g = 0; start < n; g++) {
    int64_t end = (g + 1) * n / b; /* equal counts, differing by at most one */
    if (end <= start) end = start + 1;
    while (end < n && k[end].value == k[end - 1].value) end++; /* a tie is never split */
    double bin_mean = 0;
    for (int64_t i = start; i < end; i++) bin_mean += y[k[i].at];
    bin_mean /= (double)(end - start);
    for (int64_t i = start; i < end; i++) ssw += (y[k[i].at] - bin_mean) * (y[k[i].at] - bin_mean);
    ssb += (double)(end - start) * (bin_mean - mean) * (bin_mean - mean);
    groups++;
    start = end;
  }
  free(k);
  if (bins_used) *bins_used = (int)groups;
  if (!(sst > 0)) return NAN;
  if (groups < 2) return 0; /* x constant: it explains nothing */
  const double msw = n > groups ? ssw / (double)(n - groups) : 0;
  const double s = (ssb - (double)(groups - 1) * msw) / sst;
  return s < 0 ? 0 : s > 1 ? 1 : s;
}

static int by_rank(const void *a, const void *b) {
  const fleet_sensitivity_t *p = a, *q = b;
  const double sp = isnan(p->first_order) ? -1 : p->first_order, sq = isnan(q->first_order) ? -1 : q->first_order;
  if (sp != sq) return sp > sq ? -1 : 1;
  const double rp = isnan(p->spearman) ? -1 : fabs(p->spearman), rq = isnan(q->spearman) ? -1 : fabs(q->spearman);
  if (rp != rq) return rp > rq ? -1 : 1;
  return p->index - q->index;
}

fleet_status_t fleet_sensitivity_rank(const double *const *x, int m, const double *y, int64_t n,
                                      fleet_sensitivity_t *out, fleet_error_t *err) {
  if (!x || !y || !out || m < 1)
    return fleet_error_set(err, FLEET_ERR_USAGE, "sensitivity: give at least one assumption, the claim and room for "
                           "the result");
  if (n < 4)
    return fleet_error_set(err, FLEET_ERR_USAGE, "sensitivity: %lld replicas: at least 4 are needed to rank the "
                           "assumptions", (long long)n);
  for (int i = 0; i < m; i++) {
    if (!x[i]) return fleet_error_set(err, FLEET_ERR_USAGE, "sensitivity: assumption %d has no values", i);
    out[i].index = i;
    out[i].spearman = fleet_spearman(x[i], y, n);
    out[i].first_order = fleet_first_order_index(x[i], y, n, 0, &out[i].bins);
  }
  qsort(out, (size_t)m, sizeof *out, by_rank);
  return FLEET_OK;
}
