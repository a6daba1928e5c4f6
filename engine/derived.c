#include "derived.h"

#include <math.h>

double fleet_ratio(double part, double whole) { return whole > 0.0 ? part / whole : NAN; }

void fleet_replica_derive(const double *net_eur, int64_t years, double discount_rate, int64_t lease_years,
                          fleet_replica_derived_t *out) {
  const int64_t lease_end = lease_years < years ? lease_years : years;
  double npv = 0.0, lease_net = 0.0;
  for (int64_t y = 0; y < years; y++) {
    npv += net_eur[y] / pow(1.0 + discount_rate, (double)y);
    if (y < lease_end) lease_net += net_eur[y];
  }
  out->npv_eur = npv;
  out->repaid = isnan(npv) || isnan(lease_net) ? NAN : lease_net >= 0.0 ? 1.0 : 0.0;
}

void fleet_moments_add(double *count, double *mean, double *m2, double count_b, double sum_b, double m2_b) {
  if (!(count_b > 0.0)) return;
  const double mean_b = sum_b / count_b, n = *count + count_b, delta = mean_b - *mean;
  *mean += delta * count_b / n;
  *m2 += m2_b + delta * delta * *count * count_b / n;
  *count = n;
}
