/* derived.h: every quantity derived from what a result file stores (sums, counts, histograms),
 * computed here and nowhere else: the writer, summary and any test use these functions, so that
 * a figure in the file and in the claims table cannot disagree. */
#ifndef FLEET_DERIVED_H
#define FLEET_DERIVED_H

#include <stdint.h>

/* The proposal's storage figure (mission/PROPOSAL.md, claim C1): 1,000,000 cars x 30 kWh x 0.7 =
 * 21 GWh, i.e. 21 kWh per car. Claim C1's threshold for a fleet of N cars is N x this, whatever a
 * scenario's battery, charge target or floor: a smaller battery must not lower its own bar. */
#define FLEET_PROPOSAL_STORAGE_KWH_PER_VEHICLE 21.0

/* part / whole; NaN when whole is not > 0 (no such event: a mean of nothing, a share of none). */
double fleet_ratio(double part, double whole);

/* What a file carries per replica for convenience, derived from its years' ledger. */
typedef struct {
  double npv_eur; /* sum over years y of net_y / (1 + discount_rate)^y */
  double repaid;  /* 1 if the cumulative net is >= 0 at the end of year min(lease_years, years) - 1 */
} fleet_replica_derived_t;

/* From a replica's net cash flows net_eur[0, years): NaN in both when any of them is NaN (a year
 * not written: a missing cash flow would make them wrong, not just less precise). */
void fleet_replica_derive(const double *net_eur, int64_t years, double discount_rate, int64_t lease_years,
                          fleet_replica_derived_t *out);

/* Chan et al. (1979)'s pairwise update of (count, mean, M2): folds (count_b, sum_b, m2_b) of one
 * replica-year into the running (count, mean, m2), exactly as one pass over both would (up to
 * rounding). */
void fleet_moments_add(double *count, double *mean, double *m2, double count_b, double sum_b, double m2_b);

#endif
