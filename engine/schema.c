#include "schema.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "version.h"

/* The fuel and tariff axes split fleet_price_t so that each dataset has one unit. */
_Static_assert(FLEET_PRICE_DIESEL == 0 && FLEET_PRICE_PETROL == 1 && FLEET_PRICE_TARIFF == 2 &&
                   FLEET_PRICE_PUBLIC == 3 && FLEET_PRICE_OFF_PEAK == 4 && FLEET_PRICE_PEAK == 5 &&
                   FLEET_PRICE_COUNT == FLEET_FUEL_COUNT + FLEET_TARIFF_COUNT,
               "fleet_price_t: fuels first, then electricity");
const char *const fleet_fuel_names[FLEET_FUEL_COUNT] = {"diesel", "petrol"};
const char *const fleet_tariff_names[FLEET_TARIFF_COUNT] = {"home_tariff", "public_fast_charging",
                                                            "home_off_peak", "home_peak"};

double fleet_duration_edge_h(int k) { return fleet_outage_duration_edges_h[k]; }
double fleet_covered_edge(int k) { return (double)k / FLEET_COVERED_FRACTION_BINS; }
double fleet_outage_band_edge_h(int k) { return fleet_outage_band_edges_h[k]; }
double fleet_account_edge_eur(int k) { return FLEET_ACCOUNT_MIN_EUR + FLEET_ACCOUNT_BIN_EUR * k; }
double fleet_position_edge_eur(int k) { return FLEET_POSITION_MIN_EUR + FLEET_POSITION_BIN_EUR * k; }

const fleet_root_attr_spec_t fleet_root_attrs[FLEET_ROOT_ATTR_COUNT] = {
#define FLEET_ROOT_ATTR_ROW(name_, kind_, description_)                                                             \
  {.name = #name_, .kind = kind_, .info_offset = offsetof(fleet_run_info_t, name_), .description = description_},
    FLEET_ROOT_ATTRS(FLEET_ROOT_ATTR_ROW)
#undef FLEET_ROOT_ATTR_ROW
};

const fleet_axis_spec_t fleet_axes[FLEET_AXIS_COUNT] = {
#define FLEET_AXIS_ROW(id, name_, kind_, length_, labels_, edge_, units_, long_name_)                               \
  [FLEET_AXIS_##id] = {.name = name_,                                                                               \
                       .kind = kind_,                                                                               \
                       .length = length_,                                                                           \
                       .labels = labels_,                                                                           \
                       .edge = edge_,                                                                               \
                       .units = units_,                                                                             \
                       .long_name = long_name_},
    FLEET_AXES(FLEET_AXIS_ROW)
#undef FLEET_AXIS_ROW
};

/* The struct each source's offsets are into. */
#define FLEET_SOURCE_STRUCT_FLEET_FROM_YEAR fleet_year_totals_t
#define FLEET_SOURCE_STRUCT_FLEET_FROM_REPLICA fleet_replica_derived_t
#define FLEET_SOURCE_STRUCT_FLEET_FROM_RUN fleet_run_values_t

const fleet_dataset_spec_t fleet_datasets[FLEET_DS_COUNT] = {
/* A shape argument is "rank, {axes}": split after its expansion. */
#define FLEET_ROW_SHAPE(...) FLEET_ROW_SHAPE_(__VA_ARGS__)
#define FLEET_ROW_SHAPE_(rank_, ...) .rank = rank_, .axes = __VA_ARGS__
#define FLEET_DATASET_ROW(id, group_, name_, type_, units_, long_name_, description_, shape_, source_, field_,      \
                          merge_, domain_)                                                                          \
  [FLEET_DS_##id] = {.group = group_,                                                                               \
                     .name = name_,                                                                                 \
                     .path = "/" group_ "/" name_,                                                                  \
                     .type = type_,                                                                                 \
                     .units = units_,                                                                               \
                     .long_name = long_name_,                                                                       \
                     .description = description_,                                                                   \
                     FLEET_ROW_SHAPE(shape_),                                                                       \
                     .source = source_,                                                                             \
                     .offset = offsetof(FLEET_SOURCE_STRUCT_##source_, field_),                                     \
                     .merge = merge_,                                                                               \
                     .domain = domain_},
    FLEET_DATASETS(FLEET_DATASET_ROW)
#undef FLEET_DATASET_ROW
};

const char *const fleet_domain_names[] = {[FLEET_DOMAIN_FINITE] = "a finite number",
                                          [FLEET_DOMAIN_NONNEG] = "a finite number >= 0",
                                          [FLEET_DOMAIN_POSITIVE] = "a finite number > 0",
                                          [FLEET_DOMAIN_COUNT] = "a whole number >= 0"};

int fleet_domain_holds(fleet_domain_t domain, double value) {
  switch (domain) {
  case FLEET_DOMAIN_FINITE: return isfinite(value);
  case FLEET_DOMAIN_NONNEG: return isfinite(value) && value >= 0.0;
  case FLEET_DOMAIN_POSITIVE: return isfinite(value) && value > 0.0;
  case FLEET_DOMAIN_COUNT: return value >= 0.0 && value <= 0x1p53 && value == floor(value);
  }
  return 0;
}

int fleet_schema_groups(const char *groups[FLEET_GROUP_MAX]) {
  int n = 0;
  for (int k = 0; k < FLEET_DS_COUNT; k++) {
    int seen = 0;
    for (int g = 0; g < n && !seen; g++) seen = strcmp(groups[g], fleet_datasets[k].group) == 0;
    if (!seen && n < FLEET_GROUP_MAX) groups[n++] = fleet_datasets[k].group;
  }
  return n;
}

int64_t fleet_axis_length(fleet_axis_t axis, const fleet_schema_dims_t *dims) {
  switch (axis) {
  case FLEET_AXIS_REPLICA: return dims->replicas;
  case FLEET_AXIS_YEAR: return dims->years;
  case FLEET_AXIS_REGION: return dims->regions;
  case FLEET_AXIS_PATH: return dims->paths;
  default: return fleet_axes[axis].length;
  }
}

int64_t fleet_dataset_row_length(const fleet_dataset_spec_t *spec, const fleet_schema_dims_t *dims) {
  int64_t n = 1;
  for (int i = 0; i < spec->rank; i++)
    if (spec->axes[i] != FLEET_AXIS_REPLICA && spec->axes[i] != FLEET_AXIS_YEAR)
      n *= fleet_axis_length(spec->axes[i], dims);
  return n;
}

double *fleet_dataset_row(const fleet_dataset_spec_t *spec, fleet_year_totals_t *year,
                          fleet_replica_derived_t *replica, fleet_run_values_t *run) {
  char *base = spec->source == FLEET_FROM_YEAR      ? (char *)year
               : spec->source == FLEET_FROM_REPLICA ? (char *)replica
                                                    : (char *)run;
  return base ? (double *)(base + spec->offset) : NULL;
}

void fleet_root_attrs_sha256(const fleet_run_info_t *info, char hex[65]) {
  char numbers[FLEET_ROOT_ATTR_COUNT][40];
  const char *values[FLEET_ROOT_ATTR_COUNT];
  size_t size = 1;
  for (int k = 0; k < FLEET_ROOT_ATTR_COUNT; k++) {
    const fleet_root_attr_spec_t *a = &fleet_root_attrs[k];
    const void *field = (const char *)info + a->info_offset;
    numbers[k][0] = '\0';
    values[k] = numbers[k];
    switch (a->kind) {
    case FLEET_ATTR_STRING: values[k] = *(const char *const *)field ? *(const char *const *)field : ""; break;
    case FLEET_ATTR_U64: snprintf(numbers[k], 40, "%llu", (unsigned long long)*(const uint64_t *)field); break;
    case FLEET_ATTR_I64: snprintf(numbers[k], 40, "%lld", (long long)*(const int64_t *)field); break;
    case FLEET_ATTR_F64: snprintf(numbers[k], 40, "%.17g", *(const double *)field); break;
    }
    size += strlen(a->name) + strlen(values[k]) + 2;
  }
  char *text = malloc(size);
  if (!text) { /* no digest that could match: the reader then refuses the file, naming the attribute */
    memset(hex, '0', 64);
    hex[64] = '\0';
    return;
  }
  size_t used = 0;
  for (int k = 0; k < FLEET_ROOT_ATTR_COUNT; k++)
    if (!FLEET_ROOT_ATTR_OPTIONAL(fleet_root_attrs[k].name) || values[k][0])
      used += (size_t)snprintf(text + used, size - used, "%s=%s\n", fleet_root_attrs[k].name, values[k]);
  fleet_sha256_hex(text, used, hex);
  free(text);
}

void fleet_scalar_sha256(fleet_type_t type, double value, char hex[65]) {
  uint64_t bits;
  if (type == FLEET_TYPE_I64) {
    const int64_t whole = (int64_t)value;
    memcpy(&bits, &whole, sizeof bits);
  } else {
    memcpy(&bits, &value, sizeof bits);
  }
  unsigned char bytes[8];
  for (int i = 0; i < 8; i++) bytes[i] = (unsigned char)(bits >> (8 * i));
  fleet_sha256_hex(bytes, sizeof bytes, hex);
}

/* ---- the README's tables ------------------------------------------------------------------ */

static const char *const merge_names[] = {
    [FLEET_MERGE_CONCAT] = "concatenate", [FLEET_MERGE_SUM] = "sum", [FLEET_MERGE_MAX] = "max"};
static const char *const type_names[] = {[FLEET_TYPE_F64] = "float64", [FLEET_TYPE_I64] = "int64"};

static void print_axis_values(FILE *out, const fleet_axis_spec_t *a) {
  switch (a->kind) {
  case FLEET_AXIS_KIND_REPLICA: fputs("`first_replica` + 0, 1, ...", out); break;
  case FLEET_AXIS_KIND_YEAR: fputs("`first_year` + 0, 1, ...", out); break;
  case FLEET_AXIS_KIND_TIME:
    fputs("0 to 8759, `units` = `hours since FIRST_YEAR-01-01 00:00:00`, `calendar` = `noleap`, `clock` = local "
          "standard time (UTC+1, no daylight saving)",
          out);
    break;
  case FLEET_AXIS_KIND_REGION: fputs("the scenario's region names", out); break;
  case FLEET_AXIS_KIND_LABELS:
    for (int i = 0; i < a->length; i++) fprintf(out, "%s`%s`", i ? ", " : "", a->labels[i]);
    break;
  case FLEET_AXIS_KIND_BINS:
    fprintf(out, "lower edges %g, %g, ..., %g; `%s_bounds` [%s, bound] = [lower, upper), last upper %g", a->edge(0),
            a->edge(1), a->edge(a->length - 1), a->name, a->name, a->edge(a->length));
    break;
  case FLEET_AXIS_KIND_BOUND: fputs("0, 1", out); break;
  case FLEET_AXIS_KIND_INDEX: fputs("0, 1, ...", out); break;
  }
}

void fleet_schema_print_markdown(FILE *out) {
  static const char *const kind_names[] = {[FLEET_ATTR_STRING] = "string", [FLEET_ATTR_U64] = "uint64",
                                           [FLEET_ATTR_I64] = "int64", [FLEET_ATTR_F64] = "float64"};
  fputs("| root attribute | type | value |\n|---|---|---|\n", out);
  fputs("| `filetype` | string | `fleetmc` |\n", out);
  fprintf(out, "| `format_version` | int32 | %d |\n", FLEETMC_FORMAT_VERSION);
  for (int k = 0; k < FLEET_ROOT_ATTR_COUNT; k++)
    fprintf(out, "| `%s` | %s | %s |\n", fleet_root_attrs[k].name, kind_names[fleet_root_attrs[k].kind],
            fleet_root_attrs[k].description);
  fputs("\n", out);
  fputs("| axis | type | length | units | coordinate values | long_name |\n|---|---|---|---|---|---|\n", out);
  for (int k = 0; k < FLEET_AXIS_COUNT; k++) {
    const fleet_axis_spec_t *a = &fleet_axes[k];
    const char *type = a->kind == FLEET_AXIS_KIND_REGION || a->kind == FLEET_AXIS_KIND_LABELS ? "string"
                       : a->kind == FLEET_AXIS_KIND_BINS                                      ? "float64"
                                                                                              : "int64";
    fprintf(out, "| `%s` | %s | ", a->name, type);
    if (a->length) fprintf(out, "%d", a->length);
    else fputs(a->kind == FLEET_AXIS_KIND_REPLICA  ? "replicas"
               : a->kind == FLEET_AXIS_KIND_YEAR   ? "years"
               : a->kind == FLEET_AXIS_KIND_REGION ? "regions"
                                                   : "price_paths",
               out);
    fprintf(out, " | %s | ", a->units ? a->units : "");
    print_axis_values(out, a);
    fprintf(out, " | %s |\n", a->long_name);
  }
  fputs("\n| path | type | axes | units | merge | values | long_name: description |\n|---|---|---|---|---|---|---|\n", out);
  for (int k = 0; k < FLEET_DS_COUNT; k++) {
    const fleet_dataset_spec_t *d = &fleet_datasets[k];
    fprintf(out, "| `%s` | %s | [", d->path, type_names[d->type]);
    for (int i = 0; i < d->rank; i++) fprintf(out, "%s%s", i ? ", " : "", fleet_axes[d->axes[i]].name);
    fprintf(out, "] | %s | %s | %s | %s: %s |\n", d->units, merge_names[d->merge], fleet_domain_names[d->domain],
            d->long_name, d->description);
  }
}
