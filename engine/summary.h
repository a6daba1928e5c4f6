/* summary.h: the claims table of a result file (mission/PROPOSAL.md, claims C1-C8), read back
 * from the file alone, so that it works on merged files and on files of other runs. */
#ifndef FLEET_SUMMARY_H
#define FLEET_SUMMARY_H

#include <stdio.h>

#include "error.h"

/* Prints the table for the result file at path to out: for each claim's quantities their P5,
 * P50, P95 (over the file's replica-years; hourly quantities over all their hours; per-replica
 * quantities over its replicas) and mean, each with its unit. Errors as fleet_h5_open's. */
fleet_status_t fleet_summary_file(const char *path, FILE *out, fleet_error_t *err);

#endif
