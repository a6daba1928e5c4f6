/* distributions.h: the distributions an uncertain assumption may be given as (README, "Uncertain
 * assumptions"), their draws per replica, moments and text.
 *
 * Every draw is an inversion of one uniform from the replica's stream for the key
 * (FLEET_PURPOSE_PARAMETERS, addressed by seed, replica and the hash of the key's name), so
 * replica k's value is the same whichever run, job or thread computes it, and a draw is a
 * monotone function of its uniform. Normal and lognormal are truncated to [min, max] by
 * conditioning (the inverse of the truncated distribution function), never clamped: no mass
 * piles up at a bound. */
#ifndef FLEET_DISTRIBUTIONS_H
#define FLEET_DISTRIBUTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "params.h"

#define FLEET_DIST_KINDS 6
/* The distribution's name in a scenario (dist: NAME); NULL for an unknown kind. */
const char *fleet_dist_name(fleet_dist_kind_t kind);
/* The kind named name; false if none. */
bool fleet_dist_kind_from_name(const char *name, fleet_dist_kind_t *kind);

/* The parameters a kind takes besides dist, NULL-terminated, in the order printed. */
const char *const *fleet_dist_param_names(fleet_dist_kind_t kind);
/* Whether the parameter may be left out: min and max of normal, lognormal and beta (they default
 * to the key's range), the weights of discrete (equal). */
bool fleet_dist_param_optional(fleet_dist_kind_t kind, const char *name);
/* The field holding a numeric parameter (not values or weights); NULL if the kind has none so named. */
double *fleet_dist_param(fleet_distribution_t *d, const char *name);

/* NULL if d's parameters are coherent, else the rule they break (for messages): min < max, the
 * mode within them, sd, log_sd, alpha, beta > 0, a lognormal's min >= 0 and median > 0, discrete
 * weights >= 0 summing to 1 within 1e-9, a truncated normal or lognormal keeping at least 1e-9 of
 * its mass within [min, max]. Discrete: sets min and max to the smallest and largest value. */
const char *fleet_distribution_check(fleet_distribution_t *d);

/* The value at probability u in [0, 1] (the inverse distribution function of the distribution as
 * truncated to [min, max]); always within [min, max]. */
double fleet_distribution_quantile(const fleet_distribution_t *d, double u);

/* Replica replica's draw for the key named key (its dotted name) under master seed seed. */
double fleet_distribution_draw(const fleet_distribution_t *d, uint64_t seed, int64_t replica, const char *key);

/* The stream address of a key: FNV-1a 64 of its dotted name, so that the address does not move
 * when keys are added to the table, and two scenarios that sample one key share its draws. */
uint64_t fleet_key_hash(const char *key);

/* Mean and variance of d as truncated to [min, max] (analytic; for the nominal value and tests). */
void fleet_distribution_moments(const fleet_distribution_t *d, double *mean, double *variance);

/* "triangular(min 0.2, mode 0.5, max 0.8)" (yaml false) or the flow mapping a scenario gives,
 * "{dist: triangular, min: 0.2, mode: 0.5, max: 0.8}" (yaml true), numbers in their shortest
 * exact form; truncated at cap. */
void fleet_distribution_format(const fleet_distribution_t *d, bool yaml, char *buf, size_t cap);

/* Shortest "%.*g" text that strtod reads back to the same double; whole numbers below 1e15 in
 * plain digits. */
void fleet_format_double(double v, char *buf, size_t cap);

#endif
