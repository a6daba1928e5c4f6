/* compare.c: the difference of two result files' claims tables (see compare.h). */
#include "compare.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h5_reader.h"
#include "mc_error.h"

/* Why two files cannot be compared, or NULL; *paired says how they can. */
static fleet_status_t check_comparable(const char *a, const char *b, const fleet_h5_file_info_t *x,
                                       const fleet_h5_file_info_t *y, int *paired, fleet_error_t *err) {
  const struct {
    const char *what;
    int64_t x, y;
  } same[] = {{"vehicles", x->vehicles, y->vehicles}, {"years", x->years, y->years},
              {"first_year", x->first_year, y->first_year}};
  for (size_t k = 0; k < sizeof same / sizeof same[0]; k++)
    if (same[k].x != same[k].y)
      return fleet_error_set(err, FLEET_ERR_INPUT,
                             "compare: %s has %s %" PRId64 " and %s has %" PRId64
                             ": their figures (fleet totals, yearly sums, calendars) are not comparable",
                             a, same[k].what, same[k].x, b, same[k].y);
  *paired = x->seed == y->seed && x->first_replica == y->first_replica && x->replicas == y->replicas;
  const int overlap = x->first_replica < y->first_replica + y->replicas && y->first_replica < x->first_replica + x->replicas;
  if (!*paired && x->seed == y->seed && overlap)
    return fleet_error_set(err, FLEET_ERR_INPUT,
                           "compare: %s holds replicas [%" PRId64 ", %" PRId64 ") and %s [%" PRId64 ", %" PRId64
                           ") of seed %" PRIu64 ": overlapping ranges share random numbers, so they can be neither "
                           "paired (give both the same range) nor taken as independent",
                           a, x->first_replica, x->first_replica + x->replicas, b, y->first_replica,
                           y->first_replica + y->replicas, x->seed);
  return FLEET_OK;
}

typedef struct {
  const fleet_summary_row_t *a, *b;
  fleet_mc_mean_t difference;
  const char *why_none;
} difference_t;

static void format_value(char *out, size_t size, double x) {
  if (isnan(x)) snprintf(out, size, "-");
  else snprintf(out, size, "%.4g", x);
}

static void print_text(FILE *out, const fleet_summary_t *a, const fleet_summary_t *b, int paired,
                       const difference_t *d, int count) {
  fprintf(out, "fleetmc compare: B - A, the difference of the means with its 95 %% confidence interval\n");
  fprintf(out, "  A: %s (seed %" PRIu64 ", replicas [%" PRId64 ", %" PRId64 "))\n", a->path, a->seed, a->first_replica,
          a->first_replica + a->replicas);
  fprintf(out, "  B: %s (seed %" PRIu64 ", replicas [%" PRId64 ", %" PRId64 "))\n", b->path, b->seed, b->first_replica,
          b->first_replica + b->replicas);
  fprintf(out, paired ? "  paired replica by replica: one seed and one replica range, so both share their weather, "
                        "outages, trips and prices\n  (common random numbers); the error comes from the per-replica "
                        "differences\n\n"
                      : "  unpaired: the files' replicas are independent (other seeds or replicas), so the error is "
                        "Welch's from each file's own;\n  two seeds also draw two fleets (unless "
                        "simulation.redraw_fleet_per_replica), a difference this error does not hold\n\n");
  fprintf(out, "%-6s %-50s %-15s %10s %10s %10s  %-26s %s\n", "claim", "quantity", "unit", "mean A", "mean B", "B - A",
          "95% CI of B - A", "verdicts A / B");
  for (int k = 0; k < count; k++) {
    char va[32], vb[32], vd[32], lo[32], hi[32], interval[96];
    format_value(va, sizeof va, d[k].a->value[FLEET_STAT_MEAN]);
    format_value(vb, sizeof vb, d[k].b->value[FLEET_STAT_MEAN]);
    format_value(vd, sizeof vd, d[k].difference.mean);
    format_value(lo, sizeof lo, d[k].difference.ci_low);
    format_value(hi, sizeof hi, d[k].difference.ci_high);
    if (d[k].why_none) snprintf(interval, sizeof interval, "n/a (%s)", d[k].why_none);
    else snprintf(interval, sizeof interval, "[%s, %s]", lo, hi);
    fprintf(out, "%-6s %-50s %-15s %10s %10s %10s  %-26s", d[k].a->claim, d[k].a->quantity, d[k].a->unit, va, vb, vd,
            interval);
    if (!isnan(d[k].a->proposal_figure))
      fprintf(out, " %s / %s (proposal %s %.4g)", fleet_verdict_names[d[k].a->verdict],
              fleet_verdict_names[d[k].b->verdict], d[k].a->proposal_side, d[k].a->proposal_figure);
    fputc('\n', out);
  }
}

static void csv_number(FILE *out, double x) {
  fputc(',', out);
  if (!isnan(x) && !isinf(x)) fprintf(out, "%.17g", x);
}

static void print_csv(FILE *out, const fleet_summary_t *a, const fleet_summary_t *b, int paired,
                      const difference_t *d, int count) {
  fputs("file_a,file_b,claim,quantity_id,quantity,unit,statistic,value_a,value_b,difference,se,ci_low,ci_high,"
        "method,no_ci_reason,proposal_figure,proposal_side,verdict_a,verdict_b,n_replicas\n", out);
  for (int k = 0; k < count; k++) {
    const fleet_summary_row_t *ra = d[k].a, *rb = d[k].b;
    const int figure = !isnan(ra->proposal_figure);
    fleet_csv_string(out, a->path);
    fputc(',', out);
    fleet_csv_string(out, b->path);
    fputc(',', out);
    fleet_csv_string(out, ra->claim);
    fprintf(out, ",%s,", ra->id);
    fleet_csv_string(out, ra->quantity);
    fputc(',', out);
    fleet_csv_string(out, ra->unit);
    fputs(",mean_difference", out);
    csv_number(out, ra->value[FLEET_STAT_MEAN]);
    csv_number(out, rb->value[FLEET_STAT_MEAN]);
    csv_number(out, d[k].difference.mean);
    csv_number(out, d[k].difference.se);
    csv_number(out, d[k].difference.ci_low);
    csv_number(out, d[k].difference.ci_high);
    fputc(',', out);
    fleet_csv_string(out, paired ? "paired" : "welch");
    fputc(',', out);
    fleet_csv_string(out, d[k].why_none);
    csv_number(out, figure ? ra->proposal_figure : NAN);
    fputc(',', out);
    fleet_csv_string(out, figure ? ra->proposal_side : "");
    fputc(',', out);
    fleet_csv_string(out, figure ? fleet_verdict_names[ra->verdict] : "");
    fputc(',', out);
    fleet_csv_string(out, figure ? fleet_verdict_names[rb->verdict] : "");
    fprintf(out, ",%" PRId64 "\n", d[k].difference.n);
  }
}

static void json_verdict(FILE *out, const fleet_summary_row_t *row) {
  fleet_json_string(out, isnan(row->proposal_figure) || row->verdict == FLEET_VERDICT_NONE ? NULL
                                                                                          : fleet_verdict_names[row->verdict]);
}

static void print_json(FILE *out, const fleet_summary_t *a, const fleet_summary_t *b, int paired,
                       const difference_t *d, int count) {
  fputs("{\"file_a\": ", out);
  fleet_json_string(out, a->path);
  fputs(", \"file_b\": ", out);
  fleet_json_string(out, b->path);
  fprintf(out, ", \"paired\": %s, \"method\": \"%s\", \"confidence\": 0.95,\n \"rows\": [", paired ? "true" : "false",
          paired ? "paired replica by replica (common random numbers)" : "welch (independent replicas)");
  for (int k = 0; k < count; k++) {
    const fleet_summary_row_t *ra = d[k].a, *rb = d[k].b;
    fprintf(out, "%s\n  {\"id\": \"%s\", \"claim\": ", k ? "," : "", ra->id);
    fleet_json_string(out, ra->claim);
    fputs(", \"quantity\": ", out);
    fleet_json_string(out, ra->quantity);
    fputs(", \"unit\": ", out);
    fleet_json_string(out, ra->unit);
    fputs(", \"mean_a\": ", out);
    fleet_json_number(out, ra->value[FLEET_STAT_MEAN]);
    fputs(", \"mean_b\": ", out);
    fleet_json_number(out, rb->value[FLEET_STAT_MEAN]);
    fputs(", \"difference\": ", out);
    fleet_json_number(out, d[k].difference.mean);
    fputs(", \"se\": ", out);
    fleet_json_number(out, d[k].difference.se);
    fputs(", \"ci_low\": ", out);
    fleet_json_number(out, d[k].difference.ci_low);
    fputs(", \"ci_high\": ", out);
    fleet_json_number(out, d[k].difference.ci_high);
    fputs(", \"no_ci_reason\": ", out);
    fleet_json_string(out, d[k].why_none);
    fprintf(out, ", \"n_replicas\": %" PRId64 ", \"proposal\": ", d[k].difference.n);
    if (isnan(ra->proposal_figure)) {
      fputs("null", out);
    } else {
      fputs("{\"figure\": ", out);
      fleet_json_number(out, ra->proposal_figure);
      fputs(", \"side\": ", out);
      fleet_json_string(out, ra->proposal_side);
      fputs(", \"verdict_a\": ", out);
      json_verdict(out, ra);
      fputs(", \"verdict_b\": ", out);
      json_verdict(out, rb);
      fputc('}', out);
    }
    fputc('}', out);
  }
  fputs("\n ]}\n", out);
}

fleet_status_t fleet_compare_files(const char *path_a, const char *path_b, fleet_format_t format, FILE *out,
                                   fleet_error_t *err) {
  fleet_h5_file_info_t info_a, info_b;
  fleet_status_t status = fleet_h5_read_info(path_a, &info_a, err);
  if (status != FLEET_OK) return status;
  status = fleet_h5_read_info(path_b, &info_b, err);
  if (status != FLEET_OK) {
    fleet_h5_file_info_free(&info_a);
    return status;
  }
  int paired = 0;
  status = check_comparable(path_a, path_b, &info_a, &info_b, &paired, err);
  fleet_h5_file_info_free(&info_a);
  fleet_h5_file_info_free(&info_b);
  if (status != FLEET_OK) return status;
  fleet_summary_t *a = NULL, *b = NULL;
  status = fleet_summary_read(path_a, &a, err);
  if (status == FLEET_OK) status = fleet_summary_read(path_b, &b, err);
  difference_t *d = status == FLEET_OK ? calloc((size_t)a->row_count + 1, sizeof *d) : NULL;
  if (status == FLEET_OK && !d) status = fleet_error_set(err, FLEET_ERR_NOMEM, "compare: out of memory");
  int count = 0;
  for (int i = 0; status == FLEET_OK && i < a->row_count; i++) {
    const fleet_summary_row_t *ra = &a->rows[i], *rb = NULL;
    for (int j = 0; j < b->row_count && !rb; j++)
      if (strcmp(b->rows[j].id, ra->id) == 0) rb = &b->rows[j];
    if (!rb) continue; /* both files come from one table: every row is in both */
    difference_t *x = &d[count++];
    x->a = ra;
    x->b = rb;
    if (paired) fleet_mc_paired(&ra->mean, ra->z, &rb->mean, rb->z, a->replicas, &x->difference);
    else fleet_mc_unpaired(&ra->mean, &rb->mean, &x->difference);
    if (isnan(x->difference.se))
      x->why_none = isnan(x->difference.mean) ? "no value in a file" : x->difference.n < 2 ? "1 replica" : "no error in a file";
  }
  if (status == FLEET_OK) {
    if (format == FLEET_FORMAT_CSV) print_csv(out, a, b, paired, d, count);
    else if (format == FLEET_FORMAT_JSON) print_json(out, a, b, paired, d, count);
    else print_text(out, a, b, paired, d, count);
  }
  free(d);
  fleet_summary_free(a);
  fleet_summary_free(b);
  return status;
}
