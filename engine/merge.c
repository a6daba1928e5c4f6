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

#include <errno.h>
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
  int index;        /* its place among the inputs on the command line */
  int has_info;     /* info was read (and must be freed) */
  int usable;       /* readable, consistent, and of the study the merge would write */
  int outside;      /* usable, but holding replicas outside the expected range */
  const char *kind; /* a dry run's: why it is not usable ("unreadable", ...) */
  char *problem;    /* a dry run's: the merge's message about it */
  fleet_h5_file_info_t info;
} input_t;

/* Usable inputs first, by first replica; then the others in command-line order. */
static int by_first_replica(const void *a, const void *b) {
  const input_t *x = a, *y = b;
  if (x->usable != y->usable) return y->usable - x->usable;
  if (x->usable && x->info.first_replica != y->info.first_replica)
    return (x->info.first_replica > y->info.first_replica) - (x->info.first_replica < y->info.first_replica);
  return x->index - y->index;
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

/* ---- the checks before writing, shared by the merge and its dry run ------------------------- */

/* One problem of the usable inputs' replica ranges: replicas [first, end) held by both inputs a
 * and b (OVERLAP), in no input (GAP between a and b; BEFORE the first input b or AFTER the last
 * input a, within the expected range; NONE: no input in it at all), or input a holding replicas
 * [first, end) OUTSIDE the expected range. */
typedef enum { RANGE_OVERLAP, RANGE_GAP, RANGE_BEFORE, RANGE_AFTER, RANGE_NONE, RANGE_OUTSIDE } range_kind_t;

typedef struct {
  range_kind_t kind;
  int64_t first, end;
  int a, b; /* indices into the sorted inputs; -1: none */
} range_problem_t;

/* What the checks found. A merge stops at the first problem; a dry run records each one (in the
 * inputs, output_problem and ranges) and goes on. */
typedef struct {
  input_t *in;              /* n inputs, sorted by by_first_replica once the checks are done */
  int n;
  int usable;               /* in[0, usable) are usable */
  char *output_problem;     /* the merge's message refusing out_path, or NULL */
  range_problem_t *ranges;  /* range_count of them, by replica; at most n + 1 */
  int range_count;
  int problems;             /* inputs not usable, output refused and range problems */
} survey_t;

static void survey_free(survey_t *s) {
  for (int i = 0; s->in && i < s->n; i++) {
    if (s->in[i].has_info) fleet_h5_file_info_free(&s->in[i].info);
    free(s->in[i].problem);
  }
  free(s->in);
  free(s->output_problem);
  free(s->ranges);
}

/* A problem found by a check (status, message in found): a merge's error (returned as is); a
 * dry run's finding, whose message is kept in *where (FLEET_OK returned, unless out of memory). */
static fleet_status_t record(survey_t *s, int keep_going, fleet_status_t status, const fleet_error_t *found,
                             char **where, fleet_error_t *err) {
  if (!keep_going) return status;
  if (status == FLEET_ERR_NOMEM) {
    if (err) *err = *found;
    return status;
  }
  if (!(*where = strdup(found->message)))
    return fleet_error_set(err, FLEET_ERR_NOMEM, "merge: out of memory listing the problems");
  s->problems++;
  return FLEET_OK;
}

/* The input the others are checked against: one of the model_sha256 that most inputs share (a
 * stray file among many slices is then the one named), the first on the command line among them
 * (among two inputs that differ, the first). */
static int reference_input(const input_t *in, int n) {
  int best = -1, best_count = 0;
  for (int i = 0; i < n; i++) {
    if (!in[i].usable) continue;
    int count = 0, earlier = 0;
    for (int j = 0; j < n && !earlier; j++) {
      if (!in[j].usable || strcmp(in[i].info.model_sha256, in[j].info.model_sha256) != 0) continue;
      earlier = j < i; /* counted already, as i's first */
      count++;
    }
    if (!earlier && count > best_count) {
      best = i;
      best_count = count;
    }
  }
  return best;
}

static void add_range(survey_t *s, range_kind_t kind, int64_t first, int64_t end, int a, int b) {
  s->ranges[s->range_count++] = (range_problem_t){kind, first, end, a, b};
  s->problems++;
}

/* The usable inputs' ranges (sorted by first replica) against each other and against the
 * expected range [K, K + N) when options give N: every overlap, every gap, the missing ends and
 * the inputs outside it (set aside, marked outside: they are not in the coverage). */
static void check_ranges(survey_t *s, const fleet_merge_options_t *options) {
  input_t *in = s->in;
  const int expected = options->replicas > 0;
  const int64_t study_first = options->first_replica, study_end = options->first_replica + options->replicas;
  int last = -1;       /* the input reaching furthest so far */
  int64_t covered = 0; /* where it ends: every replica before is in an input, from the first one on */
  for (int i = 0; i < s->usable; i++) {
    const int64_t first = in[i].info.first_replica, end = first + in[i].info.replicas;
    if (expected && (first < study_first || end > study_end)) {
      in[i].outside = 1;
      add_range(s, RANGE_OUTSIDE, first, end, i, -1);
      continue;
    }
    if (last < 0 && expected && first > study_first) add_range(s, RANGE_BEFORE, study_first, first, -1, i);
    if (last >= 0 && first > covered) add_range(s, RANGE_GAP, covered, first, last, i);
    if (last >= 0 && first < covered) add_range(s, RANGE_OVERLAP, first, end < covered ? end : covered, last, i);
    if (last < 0 || end > covered) {
      covered = end;
      last = i;
    }
  }
  if (expected && last < 0) add_range(s, RANGE_NONE, study_first, study_end, -1, -1);
  if (expected && last >= 0 && covered < study_end) add_range(s, RANGE_AFTER, covered, study_end, last, -1);
}

/* A range problem as the merge says it (without the leading "merge: "). */
static void range_message(const range_problem_t *r, const input_t *in, const fleet_merge_options_t *options,
                          char *out, size_t size) {
  const input_t *a = r->a >= 0 ? &in[r->a] : NULL, *b = r->b >= 0 ? &in[r->b] : NULL;
  char study[160];
  snprintf(study, sizeof study, "the study [%" PRId64 ", %" PRId64 ") (--first-replica %" PRId64 " --replicas %" PRId64
           ")", options->first_replica, options->first_replica + options->replicas, options->first_replica,
           options->replicas);
#define RANGE_OF(x) (x)->info.first_replica, (x)->info.first_replica + (x)->info.replicas
  switch (r->kind) {
  case RANGE_OVERLAP:
    snprintf(out, size, "%s holds replicas [%" PRId64 ", %" PRId64 ") and %s holds [%" PRId64 ", %" PRId64
             "): the ranges overlap; each replica must come from exactly one input", a->path, RANGE_OF(a), b->path,
             RANGE_OF(b));
    break;
  case RANGE_GAP:
    snprintf(out, size, "%s holds replicas [%" PRId64 ", %" PRId64 ") and %s holds [%" PRId64 ", %" PRId64
             "): replicas [%" PRId64 ", %" PRId64 ") are in no input; the ranges must be contiguous", a->path,
             RANGE_OF(a), b->path, RANGE_OF(b), r->first, r->end);
    break;
  case RANGE_BEFORE:
  case RANGE_AFTER:
    snprintf(out, size, "replicas [%" PRId64 ", %" PRId64 ") of %s are in no input: its %s input, %s, %s at replica %"
             PRId64, r->first, r->end, study, r->kind == RANGE_BEFORE ? "first" : "last",
             (r->kind == RANGE_BEFORE ? b : a)->path, r->kind == RANGE_BEFORE ? "starts" : "ends",
             r->kind == RANGE_BEFORE ? r->end : r->first);
    break;
  case RANGE_NONE:
    snprintf(out, size, "replicas [%" PRId64 ", %" PRId64 ") of %s are in no input: no input holds any of them",
             r->first, r->end, study);
    break;
  case RANGE_OUTSIDE:
    snprintf(out, size, "%s holds replicas [%" PRId64 ", %" PRId64 "), outside %s", a->path, r->first, r->end, study);
    break;
  }
#undef RANGE_OF
}

/* A merge's refusal for its range problems: all of them, as many as the message holds. */
static fleet_status_t range_error(const survey_t *s, const fleet_merge_options_t *options, fleet_error_t *err) {
  char message[FLEET_ERROR_MESSAGE_MAX], one[FLEET_ERROR_MESSAGE_MAX];
  static const char more[] = "; and %d more (fleetmc merge --check lists them all)";
  size_t used = (size_t)snprintf(message, sizeof message, "merge: ");
  for (int i = 0; i < s->range_count; i++) {
    range_message(&s->ranges[i], s->in, options, one, sizeof one);
    if (i > 0 && used + 2 + strlen(one) + sizeof more + 8 > sizeof message) {
      snprintf(message + used, sizeof message - used, more, s->range_count - i);
      break;
    }
    used += (size_t)snprintf(message + used, sizeof message - used, "%s%s", i ? "; " : "", one);
    if (used >= sizeof message) used = sizeof message - 1;
  }
  return fleet_error_set(err, FLEET_ERR_INPUT, "%s", message);
}

/* Every check a merge makes before it writes, in its order: each input read and consistent, the
 * output allowed, the inputs of one study, their ranges. keep_going 0 (a merge): the first problem
 * ends the survey, returned with its message in err. keep_going 1 (a dry run): each problem is
 * recorded in *s and the checks go on; FLEET_OK unless the survey itself fails (memory). *s is
 * filled in either case, for survey_free. */
static fleet_status_t survey(const char *out_path, const char *const *inputs, int n,
                             const fleet_merge_options_t *options, int keep_going, survey_t *s, fleet_error_t *err) {
  memset(s, 0, sizeof *s);
  s->n = n;
  s->in = calloc((size_t)n, sizeof *s->in);
  s->ranges = calloc((size_t)n + 1, sizeof *s->ranges);
  if (!s->in || !s->ranges) return fleet_error_set(err, FLEET_ERR_NOMEM, "merge: out of memory for %d inputs", n);
  fleet_error_t found;
  fleet_error_t *e = keep_going ? &found : err;
  input_t *in = s->in;
  fleet_status_t status = FLEET_OK;
  for (int i = 0; i < n && status == FLEET_OK; i++) {
    in[i].path = inputs[i];
    in[i].index = i;
    in[i].kind = "unreadable";
    status = fleet_h5_read_info(inputs[i], &in[i].info, e);
    in[i].has_info = status == FLEET_OK;
    if (status == FLEET_OK) {
      in[i].kind = "inconsistent";
      status = check_input(&in[i], e);
    }
    in[i].usable = status == FLEET_OK;
    if (status != FLEET_OK) status = record(s, keep_going, status, e, &in[i].problem, err);
  }
  if (status == FLEET_OK && (status = fleet_output_check(out_path, options->overwrite, inputs, n, e)) != FLEET_OK)
    status = record(s, keep_going, status, e, &s->output_problem, err);
  const int reference = reference_input(in, n);
  for (int i = 0; i < n && status == FLEET_OK; i++) {
    if (!in[i].usable || i == reference) continue;
    if ((status = check_same_study(&in[reference], &in[i], e)) == FLEET_OK) continue;
    in[i].usable = 0;
    in[i].kind = "other-study";
    status = record(s, keep_going, status, e, &in[i].problem, err);
  }
  if (status != FLEET_OK) return status;
  qsort(in, (size_t)n, sizeof *in, by_first_replica);
  while (s->usable < n && in[s->usable].usable) s->usable++;
  check_ranges(s, options);
  if (!keep_going && s->range_count) return range_error(s, options, err);
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
  const fleet_merge_options_t options = {.command_line = command_line, .overwrite = overwrite, .stop = stop};
  return fleet_merge_with(out_path, inputs, n, &options, err);
}

fleet_status_t fleet_merge_stopped_by(const char *out_path, const char *const *inputs, int n, const char *command_line,
                                      const char *stopped_by, int overwrite, const volatile sig_atomic_t *stop,
                                      fleet_error_t *err) {
  const fleet_merge_options_t options = {.command_line = command_line, .stopped_by = stopped_by,
                                         .overwrite = overwrite, .stop = stop};
  return fleet_merge_with(out_path, inputs, n, &options, err);
}

fleet_status_t fleet_merge_with(const char *out_path, const char *const *inputs, int n,
                                const fleet_merge_options_t *options, fleet_error_t *err) {
  if (!out_path || !out_path[0] || !inputs || n < 1)
    return fleet_error_set(err, FLEET_ERR_USAGE, "merge: needs an output path and at least one input file");
  survey_t checked;
  fleet_status_t status = survey(out_path, inputs, n, options, 0, &checked, err);
  const input_t *in = checked.in; /* every one usable, by first replica */

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
    const fleet_run_info_t info = {.command_line = options->command_line,
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
                                   .stopped_by = options->stopped_by ? options->stopped_by : "",
                                   .price_paths = first->price_paths,
                                   .scenario_text = scenario,
                                   .scenario_sha256 = sha,
                                   .region_count = first->region_count,
                                   .region_names = region_names};
    status = fleet_h5_create(out_path, &info, options->overwrite, &writer, err);
  }
  if (status == FLEET_OK)
    status = copy_years(writer, in, n, in[0].info.first_replica, options->stop, out_path, err);
  if (status == FLEET_OK) {
    status = fleet_h5_commit(writer, &run_values, err); /* frees the writer either way */
  } else if (writer) {
    fleet_h5_discard(writer);
  }
  free(scenario);
  survey_free(&checked);
  return status;
}

/* ---- the dry run -------------------------------------------------------------------------- */

/* The slice size S when the study's inputs (usable, in the expected range) are slices of S
 * replicas starting at first_replica + t S, the one ending the study possibly shorter (the last
 * array task of a study that S does not divide); 0 if they are not. */
static int64_t slice_size(const survey_t *s, const fleet_merge_options_t *options) {
  int64_t size = 0, study_end = options->first_replica + options->replicas;
  for (int i = 0; i < s->usable; i++) {
    if (s->in[i].outside) continue;
    const fleet_h5_file_info_t *x = &s->in[i].info;
    if (x->replicas > size) size = x->replicas;
    if (!options->replicas && x->first_replica + x->replicas > study_end) study_end = x->first_replica + x->replicas;
  }
  for (int i = 0; i < s->usable && size > 0; i++) {
    const fleet_h5_file_info_t *x = &s->in[i].info;
    if (s->in[i].outside) continue;
    if ((x->first_replica - options->first_replica) % size != 0 ||
        (x->replicas != size && x->first_replica + x->replicas != study_end))
      return 0;
  }
  return size;
}

/* "tasks LIST (...)": the array task ids whose slices hold the missing replicas, when they can be
 * said (slice_size); nothing when none is missing. */
static void print_missing_tasks(const survey_t *s, const fleet_merge_options_t *options, FILE *report) {
  const int64_t size = slice_size(s, options), first = options->first_replica;
  int missing = 0;
  for (int i = 0; i < s->range_count; i++) {
    const range_problem_t *r = &s->ranges[i];
    if (r->kind == RANGE_OVERLAP || r->kind == RANGE_OUTSIDE) continue;
    missing++;
    /* a missing range ends where an input starts, or at the study's end (with --replicas) */
    const int64_t study_end = first + options->replicas;
    if (size == 0 || (r->first - first) % size != 0 || ((r->end - first) % size != 0 && r->end != study_end)) return;
  }
  if (!missing) return;
  fputs("tasks ", report);
  for (int i = 0, listed = 0; i < s->range_count; i++) {
    const range_problem_t *r = &s->ranges[i];
    if (r->kind == RANGE_OVERLAP || r->kind == RANGE_OUTSIDE) continue;
    const int64_t t0 = (r->first - first) / size, t1 = (r->end - first + size - 1) / size - 1;
    fprintf(report, "%s%" PRId64, listed++ ? "," : "", t0);
    if (t1 > t0) fprintf(report, "%s%" PRId64, t1 > t0 + 1 ? "-" : ",", t1);
  }
  fprintf(report, " (slice size %" PRId64 ", from replica %" PRId64 ")\n", size, first);
}

fleet_status_t fleet_merge_check(const char *out_path, const char *const *inputs, int n,
                                 const fleet_merge_options_t *options, FILE *report, fleet_error_t *err) {
  if (!out_path || !out_path[0] || !inputs || n < 1)
    return fleet_error_set(err, FLEET_ERR_USAGE, "merge: needs an output path and at least one input file");
  survey_t s;
  fleet_status_t status = survey(out_path, inputs, n, options, 1, &s, err);
  if (status == FLEET_OK) {
    const input_t *in = s.in;
    if (options->replicas)
      fprintf(report, "study [%" PRId64 ",%" PRId64 ")\n", options->first_replica,
              options->first_replica + options->replicas);
    int64_t replicas = 0;
    for (int i = 0; i < s.usable; i++) {
      fprintf(report, "%s [%" PRId64 ",%" PRId64 ") %s\n", in[i].outside ? "outside" : "input",
              in[i].info.first_replica, in[i].info.first_replica + in[i].info.replicas, in[i].path);
      replicas += in[i].info.replicas;
    }
    for (int i = s.usable; i < n; i++) fprintf(report, "%s %s: %s\n", in[i].kind, in[i].path, in[i].problem);
    if (s.output_problem) fprintf(report, "output %s: %s\n", out_path, s.output_problem);
    for (int i = 0; i < s.range_count; i++) {
      const range_problem_t *r = &s.ranges[i];
      if (r->kind == RANGE_OVERLAP)
        fprintf(report, "overlap [%" PRId64 ",%" PRId64 ") %s %s\n", r->first, r->end, in[r->a].path, in[r->b].path);
      else if (r->kind != RANGE_OUTSIDE)
        fprintf(report, "missing [%" PRId64 ",%" PRId64 ")\n", r->first, r->end);
    }
    print_missing_tasks(&s, options, report);
    if (s.problems == 0)
      fprintf(report, "ok: merge would write %s: replicas [%" PRId64 ",%" PRId64 ") from %d input(s)\n", out_path,
              in[0].info.first_replica, in[0].info.first_replica + replicas, n);
    else
      fprintf(report, "refused: %d problem(s); merge would write nothing\n", s.problems);
    if (fflush(report) != 0 || ferror(report))
      status = fleet_error_set(err, FLEET_ERR_IO, "merge --check: cannot write the report: %s", strerror(errno));
    else if (s.problems)
      status = fleet_error_set(err, FLEET_ERR_INPUT, "merge --check: %d problem(s), listed on standard output; %s not "
                               "written", s.problems, out_path);
  }
  survey_free(&s);
  return status;
}
