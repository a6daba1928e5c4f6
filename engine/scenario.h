/* scenario.h: reading, overriding, validating and printing scenario files (YAML). */
#ifndef FLEET_SCENARIO_H
#define FLEET_SCENARIO_H

#include "error.h"
#include "params.h"

/* A scenario may name a base file it starts from, "base: FILE" (rules at the top of scenario.c). */
/* Reads the YAML file at path, applies the overrides ("a.b.c=value", in order; each must name
 * an existing scalar key, a sequence element by its index, e.g.
 * "regions.bretagne.temperature_monthly_c.0=6.5"), checks every key, type, range and the rules
 * that tie keys together, and fills params. On failure returns FLEET_ERR_SCENARIO with a message
 * naming the file (or the override), the key, the line where known, the value and the rule;
 * params is then unspecified. */
fleet_status_t fleet_scenario_load(const char *path, const char *const *overrides, int override_count,
                                   fleet_params_t *params, fleet_error_t *err);

/* Reads a resolved scenario held as text (a result file's /scenario; no base file), named name in
 * messages, with every check of fleet_scenario_load. */
fleet_status_t fleet_scenario_parse_text(const char *name, const char *text, fleet_params_t *params,
                                         fleet_error_t *err);

/* The files a scenario was read from: the file given, then its base files in the order read
 * (paths as the loader named them: each base joined to its naming file's folder). */
#define FLEET_SCENARIO_MAX_FILES 16
typedef struct {
  int count;
  char *paths[FLEET_SCENARIO_MAX_FILES];
} fleet_scenario_files_t;

/* fleet_scenario_load, also filling *files (when not NULL; free with fleet_scenario_files_free),
 * so that a run can refuse to write its output over any of them. */
fleet_status_t fleet_scenario_load_files(const char *path, const char *const *overrides, int override_count,
                                         fleet_params_t *params, fleet_scenario_files_t *files, fleet_error_t *err);
void fleet_scenario_files_free(fleet_scenario_files_t *files);

/* The resolved scenario as YAML text: every key in a fixed order with its value (shortest text
 * that reads back to the same double: "%.17g" trimmed) and its unit as a comment. Loading this
 * text gives the same params; equal params give byte-identical text. Caller frees; NULL if out
 * of memory. */
char *fleet_scenario_format(const fleet_params_t *params);

/* The keys a scenario must give, in fleet_scenario_format's order: for tools and tests that
 * enumerate them (tests/keys_reach). section is "regions" for a field of every region. min and
 * max: the inclusive range of a real, an int and each element of a real array (0 otherwise). */
#include <stdbool.h>
#include <stddef.h>
typedef struct {
  const char *section, *name;
  const char *kind;              /* "real", "int", "uint64", "bool", "enum" or "real_array" */
  double min, max;
  const char *unit;
  const char *const *enum_names; /* "enum": the values, NULL-terminated; NULL otherwise */
  size_t count;                  /* "real_array": the number of elements; 0 otherwise */
} fleet_scenario_key_info_t;
size_t fleet_scenario_key_count(void);
/* Fills *info for key index (0 .. fleet_scenario_key_count() - 1); false if out of range. */
bool fleet_scenario_key_info(size_t index, fleet_scenario_key_info_t *info);

/* Uncertain assumptions (README, "Uncertain assumptions"): params->sampled lists the keys a
 * scenario gives as distributions; their fields hold the nominal values (a real key's mean; an
 * integer, boolean or enum key's most probable value). */
#include <stdint.h>
#include <stdio.h>
/* Copies params to *out (out may be params) with each sampled key set to replica's draw
 * (fleet_distribution_draw), and stores the draws in values[i] for params->sampled[i] (values may
 * be NULL). Replica k's draws depend on the seed, k and the keys' names only. */
void fleet_scenario_sample(const fleet_params_t *params, int64_t replica, fleet_params_t *out, double *values);
/* The unit of params->sampled[i]; NULL if out of range. */
const char *fleet_scenario_sampled_unit(const fleet_params_t *params, int i);
/* params->sampled[i]'s distribution as text, "triangular(min 0.2, mode 0.5, max 0.8)"; a boolean
 * or enum key's values by name, then how /parameters stores them ("; stored as the index of the
 * value in the enum's order (every_arrival | below_threshold), from 0"); "" if i is out of range. */
void fleet_scenario_sampled_format(const fleet_params_t *params, int i, char *buf, size_t cap);
/* For `check`: "# sampled per replica", then one "#   key = triangular(min 0.2, mode 0.5, max 0.8)  # unit"
 * line per sampled key; nothing when there is none. */
void fleet_scenario_print_sampled(const fleet_params_t *params, FILE *out);

#endif
