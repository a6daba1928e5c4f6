/* fuzz_set.c: libFuzzer harness for the --set parser (scenario.h's overrides). The input is cut
 * at its first three newlines into 1 to 4 override strings (the last keeps any further newlines,
 * so no byte is dropped) that are applied to configs/baseline.yaml; a scenario that loads must
 * format and read back to the same text (fleet_fuzz_check_round_trip). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "scenario.h"

#ifndef FLEETMC_FUZZ_BASELINE
#error "FLEETMC_FUZZ_BASELINE (configs/baseline.yaml, absolute) must be defined by the build"
#endif

enum { MAX_OVERRIDES = 4 };

static fleet_params_t *params; /* on the heap: too large to want on a fuzzer's stack */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  params = malloc(sizeof *params);
  if (!params) fleet_fuzz_fail("out of memory");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* A copy of exactly size + 1 bytes, so that ASan sees any read past an override's end. */
  char *text = malloc(size + 1);
  if (!text) fleet_fuzz_fail("out of memory");
  if (size) memcpy(text, data, size);
  text[size] = '\0';
  const char *overrides[MAX_OVERRIDES];
  int count = 0;
  overrides[count++] = text;
  for (char *p = text; count < MAX_OVERRIDES && (p = strchr(p, '\n')); p++) {
    *p = '\0';
    overrides[count++] = p + 1;
  }
  fleet_error_t err;
  fleet_status_t status = fleet_scenario_load(FLEETMC_FUZZ_BASELINE, overrides, count, params, &err);
  fleet_fuzz_check_error(status, &err);
  if (status != FLEET_OK && status != FLEET_ERR_SCENARIO)
    fleet_fuzz_fail("fleet_scenario_load returned %s: %s", fleet_status_name(status), err.message);
  if (status == FLEET_OK) fleet_fuzz_check_round_trip(params);
  free(text);
  return 0;
}
