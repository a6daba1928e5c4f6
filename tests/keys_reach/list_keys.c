/* list_keys: prints the scenario parser's table of keys (fleet_scenario_key_info), one JSON
 * object a line, for tests/test_keys_reach.py, which perturbs each key and checks it changes the
 * result file. Fields: section, name, kind, min, max, unit, enum_names (enum keys), count (real
 * arrays). Takes no arguments. */
#include "scenario.h"

#include <stdio.h>

static void print_string(const char *s) {
  putchar('"');
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\') putchar('\\');
    putchar(*s);
  }
  putchar('"');
}

int main(int argc, char **argv) {
  (void)argv;
  if (argc != 1) {
    fprintf(stderr, "usage: list_keys (no arguments)\n");
    return 2;
  }
  size_t n = fleet_scenario_key_count();
  for (size_t i = 0; i < n; i++) {
    fleet_scenario_key_info_t k;
    if (!fleet_scenario_key_info(i, &k)) return 1;
    printf("{\"section\": ");
    print_string(k.section);
    printf(", \"name\": ");
    print_string(k.name);
    printf(", \"kind\": ");
    print_string(k.kind);
    printf(", \"min\": %.17g, \"max\": %.17g, \"unit\": ", k.min, k.max);
    print_string(k.unit);
    printf(", \"count\": %zu, \"enum_names\": [", k.count);
    for (size_t e = 0; k.enum_names && k.enum_names[e]; e++) {
      if (e) printf(", ");
      print_string(k.enum_names[e]);
    }
    printf("]}\n");
  }
  return ferror(stdout) ? 1 : 0;
}
