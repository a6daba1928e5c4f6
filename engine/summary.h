/* summary.h: the claims table of a result file (mission/PROPOSAL.md, claims C1-C8), read back
 * from the file alone, so that it works on merged files and on files of other runs; each figure
 * with its Monte Carlo error (mc_error.h) and, where the proposal gives one, the proposal's own
 * figure and a verdict. */
#ifndef FLEET_SUMMARY_H
#define FLEET_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "mc_error.h"
#include "params.h" /* FLEET_MAX_SAMPLED, FLEET_SAMPLED_KEY_MAX */
#include "sensitivity.h"

typedef enum { FLEET_FORMAT_TEXT, FLEET_FORMAT_CSV, FLEET_FORMAT_JSON } fleet_format_t;

/* "text", "csv" or "json"; -1 for anything else. */
int fleet_format_parse(const char *text, fleet_format_t *format);

/* The statistics of a row: P5, P50, P95 and the mean. */
enum { FLEET_STAT_P5, FLEET_STAT_P50, FLEET_STAT_P95, FLEET_STAT_MEAN, FLEET_STATS };
extern const char *const fleet_stat_names[FLEET_STATS]; /* "p5", "p50", "p95", "mean" */

/* The verdict of a figure against the proposal's: its whole 95 % interval on the proposal's side
 * (holds), wholly on the other (fails), across it (undecided), or none (no interval: n/a). */
typedef enum { FLEET_VERDICT_NONE, FLEET_VERDICT_HOLDS, FLEET_VERDICT_FAILS, FLEET_VERDICT_UNDECIDED } fleet_verdict_t;
extern const char *const fleet_verdict_names[4]; /* "n/a", "holds", "fails", "undecided" */

/* One quantity of the table. */
typedef struct {
  const char *id; /* stable across scenarios, e.g. "c1_evening_battery_winter": what compare pairs */
  char claim[8], quantity[112], unit[24], over[112];
  double value[FLEET_STATS], low[FLEET_STATS], high[FLEET_STATS]; /* NaN: none */
  const char *why_none[FLEET_STATS]; /* why an interval is missing (NULL when there is one) */
  const char *quantile_method;       /* how the quantiles' intervals were found */
  fleet_mc_mean_t mean;              /* the mean with its standard error */
  double *z;                         /* per replica: the mean's linearised values (fleet_mc_ratio) */
  int has_quantiles;                 /* 0: only the mean says anything (a 0/1 per replica, a pooled share) */
  /* the proposal's figure (NaN: none), which side of it the claim needs, and the verdict */
  double proposal_figure;
  const char *proposal_side, *proposal_source;
  fleet_verdict_t verdict;
} fleet_summary_row_t;

/* Which sampled assumption decides a claim (issue 12, point 3): the claim's deciding quantity, one
 * value per replica (its mean over the replica's hours or years), against the file's /parameters,
 * ranked by fleet_sensitivity_rank. */
typedef struct {
  const char *id; /* the claim's row whose per-replica values are ranked, e.g. "c1_evening_battery_winter" */
  char claim[8], quantity[112], unit[24];
  int64_t n;      /* replicas with a value of the quantity (those without one left out) */
  int count;      /* assumptions ranked, in ranked[0, count); 0 when why_none */
  fleet_sensitivity_t ranked[FLEET_MAX_SAMPLED];
  double spearman_low[FLEET_MAX_SAMPLED], spearman_high[FLEET_MAX_SAMPLED]; /* 95 %, by rank; NaN: none */
  const char *why_none; /* why nothing is ranked (too few replicas, a constant quantity); NULL when ranked */
} fleet_summary_sensitivity_t;

/* A file's table. */
typedef struct {
  char *path;
  uint64_t seed;
  int64_t first_replica, replicas, years, first_year, vehicles;
  char model_sha256[65];
  int row_count;
  fleet_summary_row_t *rows;
  char *text; /* the table as text, header and notes included */
  /* the sampled assumptions (/parameters; 0: none) and, when there are any, each claim's ranking */
  int assumption_count;
  char assumption_key[FLEET_MAX_SAMPLED][FLEET_SAMPLED_KEY_MAX];
  char assumption_units[FLEET_MAX_SAMPLED][128];
  int sensitivity_count;
  fleet_summary_sensitivity_t sensitivity[8];
} fleet_summary_t;

/* Reads the result file at path into *out (fleet_summary_free). Errors as fleet_h5_open's. */
fleet_status_t fleet_summary_read(const char *path, fleet_summary_t **out, fleet_error_t *err);
void fleet_summary_free(fleet_summary_t *summary);

/* Prints a table read by fleet_summary_read: text (for each quantity its P5, P50, P95 (over the
 * file's replica-years; hourly quantities over all their hours; per-replica quantities over its
 * replicas) and mean with its unit, then their 95 % intervals and the verdict; then the
 * sensitivity section), CSV (one row per quantity and statistic; the sensitivity's statistics
 * spearman and first_order_index one row per claim and assumption) or JSON. */
void fleet_summary_print(const fleet_summary_t *summary, fleet_format_t format, FILE *out);

/* fleet_summary_read then fleet_summary_print. */
fleet_status_t fleet_summary_file(const char *path, fleet_format_t format, FILE *out, fleet_error_t *err);

/* The id of the row whose mean decides claim ("C1" -> "c1_evening_battery_winter"; the claims
 * with a figure in the proposal: C1, C3, C4, C7), or NULL for any other name: what
 * `run --target-error CLAIM=X` tests. */
const char *fleet_summary_claim_row(const char *claim);

/* Output helpers shared with compare: a CSV field quoted, a JSON string, a JSON number (NaN: null). */
void fleet_csv_string(FILE *out, const char *text);
void fleet_json_string(FILE *out, const char *text);
void fleet_json_number(FILE *out, double x);

#endif
