/* merge.c: several result files of one study -> one (see merge.h).
 *
 * Why the output equals one run over the whole range: replica k draws the same numbers whichever
 * run computes it (streams addressed by seed, replica, year, ...), so the inputs' replica-years
 * are exactly the one run's. Re-writing them in order through the writer concatenates them along
 * the replica axis and recomputes the per-replica derived datasets (NPV, repaid) by the same
 * function from the same values, hence bit for bit; the run values (/runtime) combine by their
 * rows' merge rule (schema.h). What remains is the run info, which must be what the one run would
 * have had: see merged_scenario below. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "merge.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "h5_reader.h"
#include "h5_writer.h"
#include "sha256.h"

/* ---- the scenario text -------------------------------------------------------------------- */

enum { KEY_REPLICAS, KEY_FIRST_REPLICA, RANGE_KEYS };
static const char *const range_keys[RANGE_KEYS] = {"replicas", "first_replica"};

/* The value token of a line "  key: value  # unit" (the layout of fleet_scenario_format):
 * [*start, *end) of line. 0 if the line is not such a line for key. */
static int find_value(const char *line, size_t length, const char *key, size_t *start, size_t *end) {
  size_t key_length = strlen(key);
  if (length < key_length + 3 || strncmp(line, "  ", 2) != 0 || strncmp(line + 2, key, key_length) != 0 ||
      line[2 + key_length] != ':')
    return 0;
  size_t i = 3 + key_length;
  while (i < length && line[i] == ' ') i++;
  size_t j = i;
  while (j < length && line[j] != ' ' && line[j] != '#' && line[j] != '\n') j++;
  *start = i;
  *end = j;
  return 1;
}

char *fleet_scenario_text_with_range(const char *name, const char *text, int64_t replicas, int64_t first_replica,
                                     int64_t *old_replicas, int64_t *old_first_replica, fleet_error_t *err) {
  const int64_t values[RANGE_KEYS] = {replicas, first_replica};
  int64_t old[RANGE_KEYS] = {0, 0};
  int found[RANGE_KEYS] = {0, 0};
  size_t capacity = strlen(text) + RANGE_KEYS * 24 + 1, used = 0;
  char *out = malloc(capacity);
  if (!out) {
    fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory rewriting /scenario", name);
    return NULL;
  }
  int in_simulation = 0;
  for (const char *line = text; *line;) {
    const char *newline = strchr(line, '\n');
    size_t length = newline ? (size_t)(newline - line) + 1 : strlen(line);
    /* a top-level key starts a section; comments and blank lines do not end one */
    if (line[0] != ' ' && line[0] != '#' && line[0] != '\n') in_simulation = strncmp(line, "simulation:", 11) == 0;
    size_t start = 0, end = 0;
    int key = -1;
    for (int k = 0; in_simulation && key < 0 && k < RANGE_KEYS; k++)
      if (find_value(line, length, range_keys[k], &start, &end)) key = k;
    if (key < 0) {
      memcpy(out + used, line, length);
      used += length;
    } else {
      char token[32], *rest = NULL;
      size_t token_length = end - start < sizeof token ? end - start : sizeof token - 1;
      memcpy(token, line + start, token_length);
      token[token_length] = '\0';
      long long value = strtoll(token, &rest, 10);
      if (found[key]++ || token_length == 0 || *rest) {
        fleet_error_set(err, FLEET_ERR_INPUT, "%s: /scenario has %s simulation.%s with a whole-number value",
                        name, found[key] > 1 ? "more than one" : "no", range_keys[key]);
        free(out);
        return NULL;
      }
      old[key] = value;
      memcpy(out + used, line, start);
      used += start;
      used += (size_t)snprintf(out + used, capacity - used, "%" PRId64, values[key]);
      memcpy(out + used, line + end, length - end);
      used += length - end;
    }
    line += length;
  }
  out[used] = '\0';
  for (int k = 0; k < RANGE_KEYS; k++)
    if (!found[k]) {
      fleet_error_set(err, FLEET_ERR_INPUT, "%s: /scenario has no simulation.%s", name, range_keys[k]);
      free(out);
      return NULL;
    }
  if (old_replicas) *old_replicas = old[KEY_REPLICAS];
  if (old_first_replica) *old_first_replica = old[KEY_FIRST_REPLICA];
  return out;
}

/* The model hash of a scenario text, as run.c computes it from the params (fleet_model_sha256):
 * formatting with replicas 1 and first_replica 0 is, line for line, this rewrite of the text
 * formatted with any other range, since no other line depends on those two values. */
static fleet_status_t text_model_sha256(const char *name, const char *text, char hex[65], int64_t *replicas,
                                        int64_t *first_replica, fleet_error_t *err) {
  char *model = fleet_scenario_text_with_range(name, text, 1, 0, replicas, first_replica, err);
  if (!model) return err ? err->code : FLEET_ERR_INPUT;
  fleet_sha256_hex(model, strlen(model), hex);
  free(model);
  return FLEET_OK;
}

void fleet_scenario_describe_difference(const char *a, const char *b, const char *name_a, const char *name_b,
                                        char *out, size_t size) {
  snprintf(out, size, "their scenarios differ");
  char *ma = fleet_scenario_text_with_range(name_a, a, 1, 0, NULL, NULL, NULL);
  char *mb = fleet_scenario_text_with_range(name_b, b, 1, 0, NULL, NULL, NULL);
  char section[64] = "", subsection[64] = "";
  for (const char *la = ma, *lb = mb; la && lb && *la && *lb;) {
    size_t na = strcspn(la, "\n"), nb = strcspn(lb, "\n");
    if (na != nb || strncmp(la, lb, na) != 0) {
      size_t indent = strspn(la, " "), colon = strcspn(la, ":");
      int same_key = colon < na && strncmp(la, lb, colon + 1) == 0;
      if (!same_key) {
        snprintf(out, size, "line '%.*s' in %s vs '%.*s' in %s", (int)(na < 120 ? na : 120), la, name_a,
                 (int)(nb < 120 ? nb : 120), lb, name_b);
        break;
      }
      /* the values: after "key:", up to the unit comment */
      const char *va = la + colon + 1, *vb = lb + colon + 1;
      va += strspn(va, " ");
      vb += strspn(vb, " ");
      size_t lva = strcspn(va, "#\n"), lvb = strcspn(vb, "#\n");
      while (lva > 0 && va[lva - 1] == ' ') lva--;
      while (lvb > 0 && vb[lvb - 1] == ' ') lvb--;
      snprintf(out, size, "%s%s%s%s%.*s is %.*s in %s and %.*s in %s", section, indent > 0 ? "." : "",
               indent > 2 ? subsection : "", indent > 2 ? "." : "", (int)(colon - indent), la + indent,
               (int)(lva < 80 ? lva : 80), va, name_a, (int)(lvb < 80 ? lvb : 80), vb, name_b);
      break;
    }
    /* headers: "section:" at indent 0, "region:" at indent 2 (the regions' mapping keys) */
    size_t indent = strspn(la, " ");
    int header = na > 0 && la[na - 1] == ':';
    if (header && indent == 0) snprintf(section, sizeof section, "%.*s", (int)(na - 1), la);
    if (header && indent == 2) snprintf(subsection, sizeof subsection, "%.*s", (int)(na - 3), la + 2);
    la += na + (la[na] == '\n');
    lb += nb + (lb[nb] == '\n');
  }
  free(ma);
  free(mb);
}

/* ---- merging ------------------------------------------------------------------------------ */

typedef struct {
  const char *path;
  fleet_h5_file_info_t info;
} input_t;

static int by_first_replica(const void *a, const void *b) {
  const input_t *x = a, *y = b;
  return (x->info.first_replica > y->info.first_replica) - (x->info.first_replica < y->info.first_replica);
}

static const char rule[] = "the inputs must be parts of one study, run from one scenario that differs only in "
                           "simulation.replicas and simulation.first_replica";

/* Each input on its own: its /scenario must give its model_sha256 and its replica range, or the
 * checks between inputs below would compare a file's claims rather than its contents. */
static fleet_status_t check_input(const input_t *in, fleet_error_t *err) {
  char hex[65];
  int64_t replicas = 0, first = 0;
  fleet_status_t status = text_model_sha256(in->path, in->info.scenario_text, hex, &replicas, &first, err);
  if (status != FLEET_OK) return status;
  if (strcmp(hex, in->info.model_sha256) != 0)
    return fleet_error_set(err, FLEET_ERR_INPUT,
                           "merge: %s: its /scenario, with replicas 1 and first_replica 0, hashes to %.12s..., but "
                           "its attribute model_sha256 is %.12s...: the file is inconsistent", in->path, hex,
                           in->info.model_sha256);
  if (replicas != in->info.replicas || first != in->info.first_replica)
    return fleet_error_set(err, FLEET_ERR_INPUT,
                           "merge: %s: its /scenario says simulation.replicas = %" PRId64 " and first_replica = %"
                           PRId64 ", its root attributes replicas = %" PRId64 " and first_replica = %" PRId64
                           ": the file is inconsistent", in->path, replicas, first, in->info.replicas,
                           in->info.first_replica);
  return FLEET_OK;
}

/* b against a (the first input): everything but the replica range must be equal. */
static fleet_status_t check_same_study(const input_t *a, const input_t *b, fleet_error_t *err) {
  const fleet_h5_file_info_t *x = &a->info, *y = &b->info;
  if (x->seed != y->seed)
    return fleet_error_set(err, FLEET_ERR_INPUT, "merge: %s has attribute seed %" PRIu64 ", %s has %" PRIu64 ": %s",
                           b->path, y->seed, a->path, x->seed, rule);
  const struct {
    const char *name;
    int64_t x, y;
  } ints[] = {{"years", x->years, y->years}, {"vehicles", x->vehicles, y->vehicles}};
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
    if (ints[i].x != ints[i].y)
      return fleet_error_set(err, FLEET_ERR_INPUT, "merge: %s has attribute %s %" PRId64 ", %s has %" PRId64 ": %s",
                             b->path, ints[i].name, ints[i].y, a->path, ints[i].x, rule);
  if (x->first_year != y->first_year)
    return fleet_error_set(err, FLEET_ERR_INPUT, "merge: %s has attribute first_year %" PRId64 ", %s has %" PRId64
                           ": %s", b->path, y->first_year, a->path, x->first_year, rule);
  int regions_differ = x->region_count != y->region_count;
  for (int r = 0; !regions_differ && r < x->region_count; r++)
    regions_differ = strcmp(x->region_names[r], y->region_names[r]) != 0;
  if (regions_differ)
    return fleet_error_set(err, FLEET_ERR_INPUT,
                           "merge: %s and %s have different regions (coordinate /weather/region): %s", b->path,
                           a->path, rule);
  if (strcmp(x->model_sha256, y->model_sha256) != 0) {
    char difference[400];
    fleet_scenario_describe_difference(x->scenario_text, y->scenario_text, a->path, b->path, difference, sizeof difference);
    return fleet_error_set(err, FLEET_ERR_INPUT,
                           "merge: %s and %s have different attribute model_sha256 (%.12s... vs %.12s...): %s; %s",
                           b->path, a->path, y->model_sha256, x->model_sha256, difference, rule);
  }
  /* implied by the model hash (both are scenario keys), checked since the writer takes them as given */
  if (x->discount_rate != y->discount_rate || x->lease_years != y->lease_years || x->price_paths != y->price_paths)
    return fleet_error_set(err, FLEET_ERR_INPUT,
                           "merge: %s and %s differ in root attribute discount_rate or lease_years, or in price paths: %s", b->path,
                           a->path, rule);
  return FLEET_OK;
}

/* Sorted by first replica, each range must start where the previous one ends. */
static fleet_status_t check_ranges(const input_t *in, int n, fleet_error_t *err) {
  for (int i = 1; i < n; i++) {
    const fleet_h5_file_info_t *p = &in[i - 1].info, *q = &in[i].info;
    const int64_t end = p->first_replica + p->replicas;
    if (q->first_replica == end) continue;
    if (q->first_replica < end)
      return fleet_error_set(err, FLEET_ERR_INPUT,
                             "merge: %s holds replicas [%" PRId64 ", %" PRId64 ") and %s holds [%" PRId64 ", %"
                             PRId64 "): the ranges overlap; each replica must come from exactly one input",
                             in[i - 1].path, p->first_replica, end, in[i].path, q->first_replica,
                             q->first_replica + q->replicas);
    return fleet_error_set(err, FLEET_ERR_INPUT,
                           "merge: %s holds replicas [%" PRId64 ", %" PRId64 ") and %s holds [%" PRId64 ", %" PRId64
                           "): replicas [%" PRId64 ", %" PRId64 ") are in no input; the ranges must be contiguous",
                           in[i - 1].path, p->first_replica, end, in[i].path, q->first_replica,
                           q->first_replica + q->replicas, end, q->first_replica);
  }
  return FLEET_OK;
}

/* The scenario text of one run over [first_replica, first_replica + replicas). It cannot be
 * formatted from params, since a text cannot be parsed back without a file (fleet_scenario_load
 * reads paths, and base: references would be relative to a file that is not there); so the two
 * range lines of the first input's text are rewritten, which is what formatting the params with
 * that range would give (text_model_sha256), and the result is checked to hash to the inputs'
 * model_sha256, so that a text of another layout cannot slip through altered. */
static char *merged_scenario(const input_t *first_input, int64_t replicas, int64_t first_replica,
                             fleet_error_t *err) {
  char *text = fleet_scenario_text_with_range(first_input->path, first_input->info.scenario_text, replicas,
                                              first_replica, NULL, NULL, err);
  if (!text) return NULL;
  char hex[65];
  if (text_model_sha256(first_input->path, text, hex, NULL, NULL, err) != FLEET_OK) {
    free(text);
    return NULL;
  }
  if (strcmp(hex, first_input->info.model_sha256) != 0) {
    fleet_error_set(err, FLEET_ERR_INPUT, "merge: %s: the merged /scenario does not keep model_sha256 %.12s...",
                    first_input->path, first_input->info.model_sha256);
    free(text);
    return NULL;
  }
  return text;
}

/* Copies every replica-year of each input, in order of replica, into the writer. */
static fleet_status_t copy_years(fleet_h5_writer_t *writer, const input_t *in, int n, int64_t first_replica,
                                 const volatile sig_atomic_t *stop, const char *out_path, fleet_error_t *err) {
  fleet_year_totals_t *totals = malloc(sizeof *totals);
  if (!totals) return fleet_error_set(err, FLEET_ERR_NOMEM, "merge: cannot allocate a year's totals");
  fleet_status_t status = FLEET_OK;
  char first_keys[FLEET_MAX_SAMPLED][FLEET_SAMPLED_KEY_MAX]; /* the first input's /parameters keys */
  int key_count = 0;
  for (int i = 0; i < n && status == FLEET_OK; i++) {
    fleet_h5_reader_t *reader = NULL;
    if ((status = fleet_h5_open(in[i].path, &reader, err)) != FLEET_OK) break;
    /* the file read now must be the one checked (it could have been replaced in between) */
    const fleet_h5_file_info_t *now = fleet_h5_reader_info(reader);
    if (strcmp(now->model_sha256, in[i].info.model_sha256) != 0 || now->first_replica != in[i].info.first_replica ||
        now->replicas != in[i].info.replicas)
      status = fleet_error_set(err, FLEET_ERR_INPUT, "merge: %s changed while it was being merged", in[i].path);
    const int64_t offset = in[i].info.first_replica - first_replica;
    /* /parameters: concatenated along the replica axis like every per-replica dataset; the inputs
     * share model_sha256, hence the sampled keys, and the first input's list is the output's */
    fleet_h5_parameters_t parameters = {0};
    if (status == FLEET_OK) status = fleet_h5_read_parameters(reader, &parameters, err);
    if (status == FLEET_OK && i == 0 && parameters.count) {
      fleet_h5_parameter_t keys[FLEET_MAX_SAMPLED];
      for (int k = 0; k < parameters.count; k++)
        keys[k] = (fleet_h5_parameter_t){parameters.key[k], parameters.units[k], parameters.distribution[k]};
      status = fleet_h5_add_parameters(writer, parameters.count, keys, err);
      for (int k = 0; k < parameters.count; k++) snprintf(first_keys[k], sizeof first_keys[k], "%s", parameters.key[k]);
      key_count = parameters.count;
    }
    for (int k = 0; status == FLEET_OK && (k < parameters.count || k < key_count); k++)
      if (parameters.count != key_count || strcmp(parameters.key[k], first_keys[k]) != 0)
        status = fleet_error_set(err, FLEET_ERR_INPUT, "merge: %s and %s sample different keys in /parameters (%d and "
                                 "%d keys): damaged or not of one study", in[0].path, in[i].path, key_count,
                                 parameters.count);
    for (int64_t r = 0; r < in[i].info.replicas && status == FLEET_OK && key_count; r++)
      status = fleet_h5_write_parameters(writer, offset + r, &parameters.values[r * key_count], err);
    fleet_h5_parameters_free(&parameters);
    for (int64_t r = 0; r < in[i].info.replicas && status == FLEET_OK; r++)
      for (int64_t y = 0; y < in[i].info.years && status == FLEET_OK; y++) {
        if (stop && *stop) {
          status = fleet_error_set(err, FLEET_ERR_INTERRUPTED, "merge stopped by a signal; %s not written", out_path);
          break;
        }
        status = fleet_h5_read_year(reader, r, y, totals, err);
        if (status == FLEET_OK) status = fleet_h5_write_year(writer, offset + r, y, totals, err);
      }
    fleet_status_t closed = fleet_h5_close(reader, status == FLEET_OK ? err : NULL);
    if (status == FLEET_OK) status = closed;
  }
  free(totals);
  return status;
}

/* The run values of the output from the inputs', each by its dataset's merge rule. */
static void merge_run_values(const input_t *in, int n, fleet_run_values_t *out) {
  for (int k = 0; k < FLEET_DS_COUNT; k++) {
    const fleet_dataset_spec_t *spec = &fleet_datasets[k];
    if (spec->source != FLEET_FROM_RUN) continue;
    double *merged = fleet_dataset_row(spec, NULL, NULL, out);
    for (int i = 0; i < n; i++) {
      const double value = *fleet_dataset_row(spec, NULL, NULL, (fleet_run_values_t *)&in[i].info.runtime);
      if (i == 0 || spec->merge == FLEET_MERGE_CONCAT) *merged = value;
      else if (spec->merge == FLEET_MERGE_SUM) *merged += value;
      else if (value > *merged) *merged = value;
    }
  }
}

fleet_status_t fleet_merge(const char *out_path, const char *const *inputs, int n, const char *command_line,
                           int overwrite, const volatile sig_atomic_t *stop, fleet_error_t *err) {
  return fleet_merge_stopped_by(out_path, inputs, n, command_line, "", overwrite, stop, err);
}

fleet_status_t fleet_merge_stopped_by(const char *out_path, const char *const *inputs, int n, const char *command_line,
                                      const char *stopped_by, int overwrite, const volatile sig_atomic_t *stop,
                                      fleet_error_t *err) {
  if (!out_path || !out_path[0] || !inputs || n < 1)
    return fleet_error_set(err, FLEET_ERR_USAGE, "merge: needs an output path and at least one input file");
  input_t *in = calloc((size_t)n, sizeof *in);
  if (!in) return fleet_error_set(err, FLEET_ERR_NOMEM, "merge: out of memory for %d inputs", n);
  fleet_status_t status = FLEET_OK;
  int infos = 0; /* inputs whose info was read (and must be freed) */
  for (; infos < n && status == FLEET_OK; infos++) {
    in[infos].path = inputs[infos];
    status = fleet_h5_read_info(inputs[infos], &in[infos].info, err);
    if (status == FLEET_OK) status = check_input(&in[infos], err);
  }
  if (status == FLEET_OK) status = fleet_output_check(out_path, overwrite, inputs, n, err);
  for (int i = 1; i < n && status == FLEET_OK; i++) status = check_same_study(&in[0], &in[i], err);
  if (status == FLEET_OK) {
    qsort(in, (size_t)n, sizeof *in, by_first_replica);
    status = check_ranges(in, n, err);
  }

  char *scenario = NULL;
  fleet_h5_writer_t *writer = NULL;
  int64_t replicas = 0;
  fleet_run_values_t run_values;
  if (status == FLEET_OK) {
    for (int i = 0; i < n; i++) replicas += in[i].info.replicas;
    merge_run_values(in, n, &run_values);
    scenario = merged_scenario(&in[0], replicas, in[0].info.first_replica, err);
    if (!scenario) status = err ? err->code : FLEET_ERR_INPUT;
  }
  if (status == FLEET_OK) {
    const fleet_h5_file_info_t *first = &in[0].info;
    char sha[65];
    fleet_sha256_hex(scenario, strlen(scenario), sha);
    const char *region_names[FLEET_MAX_REGIONS];
    for (int r = 0; r < first->region_count; r++) region_names[r] = first->region_names[r];
    const fleet_run_info_t info = {.command_line = command_line,
                                   .scenario_file = first->scenario_file,
                                   .model_sha256 = first->model_sha256,
                                   .seed = first->seed,
                                   .first_replica = first->first_replica,
                                   .replicas = replicas,
                                   .years = first->years,
                                   .vehicles = first->vehicles,
                                   .first_year = first->first_year,
                                   .discount_rate = first->discount_rate,
                                   .lease_years = first->lease_years,
                                   .stopped_by = stopped_by,
                                   .price_paths = first->price_paths,
                                   .scenario_text = scenario,
                                   .scenario_sha256 = sha,
                                   .region_count = first->region_count,
                                   .region_names = region_names};
    status = fleet_h5_create(out_path, &info, overwrite, &writer, err);
  }
  if (status == FLEET_OK) status = copy_years(writer, in, n, in[0].info.first_replica, stop, out_path, err);
  if (status == FLEET_OK) {
    status = fleet_h5_commit(writer, &run_values, err); /* frees the writer either way */
  } else if (writer) {
    fleet_h5_discard(writer);
  }
  free(scenario);
  for (int i = 0; i < infos; i++) fleet_h5_file_info_free(&in[i].info);
  free(in);
  return status;
}
