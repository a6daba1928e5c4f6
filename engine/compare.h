/* compare.h: `fleetmc compare A.h5 B.h5`: for every quantity of the claims table (summary.h), the
 * evening peak by season among them, the difference of the means B - A with its 95 % interval. */
#ifndef FLEET_COMPARE_H
#define FLEET_COMPARE_H

#include <stdio.h>

#include "error.h"
#include "summary.h"

/* Paired replica by replica (common random numbers: the error from the per-replica differences)
 * when both files hold the same seed and replica range; unpaired (Welch) when their replicas are
 * independent (other seeds, or one seed and disjoint ranges). Refuses, with FLEET_ERR_INPUT and
 * a message naming both files and the reason, files of other vehicles counts, years or first
 * year, or of one seed with overlapping but different ranges; a file that summary refuses
 * (another format_version) is refused as there. */
fleet_status_t fleet_compare_files(const char *path_a, const char *path_b, fleet_format_t format, FILE *out,
                                   fleet_error_t *err);

#endif
