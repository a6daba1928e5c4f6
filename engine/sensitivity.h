/* sensitivity.h: which sampled assumption decides a claim, from the replicas alone (issue 12,
 * point 3; README, "Uncertain assumptions").
 *
 * Given R replicas' values of m sampled assumptions (the file's /parameters) and of one claim
 * quantity Y (one value per replica), each assumption X_i gets
 *   - its Spearman rank correlation with Y (average ranks for ties): the sign and strength of a
 *     monotone dependence;
 *   - a first-order sensitivity index S_i ~ Var(E[Y | X_i]) / Var(Y), the share of Y's variance
 *     across replicas that X_i alone explains, estimated by binning: the replicas sorted by X_i
 *     fall into B = round(sqrt(R)) bins of equal count (sizes differing by at most one; tied X
 *     values never split), and S_i = (SSB - (B - 1) MSW) / SST, the between-bin sum of squares
 *     of Y less its expectation under no dependence ((B - 1) times the within-bin mean square,
 *     as in ANOVA's omega-squared), over the total sum of squares; clipped to [0, 1]. Without the
 *     correction an assumption that does nothing would get about (B - 1) / R; the binning itself
 *     loses the variance of E[Y | X_i] within a bin, O(1 / B^2) of it for a smooth dependence.
 * The assumptions are then ranked by S_i (larger first), ties by |Spearman|, then by index.
 *
 * For the summary: fleet_sensitivity_rank is the one call; summary.c may give it the columns of
 * /parameters (fleet_h5_read_parameters) and a claim's per-replica values. */
#ifndef FLEET_SENSITIVITY_H
#define FLEET_SENSITIVITY_H

#include <stdint.h>

#include "error.h"

typedef struct {
  int index;          /* of the assumption (the column of x) */
  double spearman;    /* in [-1, 1]; NaN if X_i or Y is constant */
  double first_order; /* in [0, 1]; NaN if Y is constant */
  int bins;           /* B used */
} fleet_sensitivity_t;

/* Spearman's rho of x and y (n values each): Pearson's correlation of their average ranks; NaN if
 * n < 2 or either is constant. */
double fleet_spearman(const double *x, const double *y, int64_t n);

/* The binned first-order index of x for y (above), with bins bins (0: round(sqrt(n))); NaN if
 * n < 4 or y is constant. *bins_used (may be NULL) receives B. */
double fleet_first_order_index(const double *x, const double *y, int64_t n, int bins, int *bins_used);

/* Fills out[0 .. m-1] with every assumption's indices, ranked (above). x[i] points to the n values
 * of assumption i. FLEET_ERR_USAGE for NULL pointers, m < 1 or n < 4; FLEET_ERR_NOMEM. */
fleet_status_t fleet_sensitivity_rank(const double *const *x, int m, const double *y, int64_t n,
                                      fleet_sensitivity_t *out, fleet_error_t *err);

#endif
