/* fuzz_util.h: what the libFuzzer harnesses (tests/fuzz/fuzz_*.c) share: a private scratch
 * folder per process, and the checks (oracles) applied to every result besides the sanitizers'.
 *
 * A failed check calls abort() after printing why, so that libFuzzer records the input as a
 * crash: the engine broke a promise of its headers, which is as much a bug as a bad read. */
#ifndef FLEET_FUZZ_UTIL_H
#define FLEET_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "params.h"

/* The process's scratch folder, created on first use as $TMPDIR/fleetmc-fuzz-XXXXXX (mkdtemp:
 * unique per process, so -jobs/-workers/-fork children never share inputs) and removed with its
 * files at exit. */
const char *fleet_fuzz_dir(void);

/* path = the scratch folder + "/" + name (aborts if it does not fit). */
void fleet_fuzz_path(char *path, size_t cap, const char *name);

/* Writes size bytes to path, replacing it; aborts if the disk refuses (a harness failure). */
void fleet_fuzz_write(const char *path, const void *data, size_t size);

/* Copies the file at from to to (both paths); aborts on failure. */
void fleet_fuzz_copy(const char *from, const char *to);

/* Aborts with "fuzz check failed: ..." on stderr. */
void fleet_fuzz_fail(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));

/* The promises error.h makes: the status is a known code and, on failure, err->code is that
 * status and the message is not empty and terminated within its buffer. */
void fleet_fuzz_check_error(fleet_status_t status, const fleet_error_t *err);

/* scenario.h's promise about fleet_scenario_format: loading its text gives params that format to
 * byte-identical text. The text goes to a file in the scratch folder. */
void fleet_fuzz_check_round_trip(const fleet_params_t *params);

#endif
