/* fuzz_scenario.c: libFuzzer harness for the scenario parser (scenario.h). The input is the text
 * of a scenario file, loaded with fleet_scenario_load and no overrides; a scenario that loads must
 * format and read back to the same text (fleet_fuzz_check_round_trip).
 *
 * The input is written to input.yaml in the process's scratch folder, beside copies of configs/,
 * so that "base: baseline.yaml" reaches the base-file code with a real base. A base may name any
 * path, though, and some paths block or destroy when read (a FIFO; /proc/kmsg, which is a
 * "regular file" that waits for kernel messages and consumes them: tests/fuzz/findings/). So
 * while the engine reads, this harness confines open and fopen (linked with -Wl,--wrap=open and
 * --wrap=fopen) to the scratch folder: a fuzzer that types "base: /proc/kmsg" must not hang on a
 * known finding again and again, nor build a corpus that depends on the machine's files. */
#define _GNU_SOURCE /* O_TMPFILE; realpath */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "scenario.h"

#ifndef FLEETMC_FUZZ_CONFIGS
#error "FLEETMC_FUZZ_CONFIGS (the configs/ folder, absolute) must be defined by the build"
#endif

int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
FILE *__real_fopen(const char *path, const char *mode);
FILE *__wrap_fopen(const char *path, const char *mode);

static bool confined;          /* set while the engine reads the fuzz input */
static char *scratch_real;     /* the scratch folder, symbolic links resolved */
static fleet_params_t *params; /* on the heap: too large to want on a fuzzer's stack */

static bool inside_scratch(const char *path) {
  char *real = realpath(path, NULL);
  if (!real) return false;
  size_t n = strlen(scratch_real);
  bool inside = strncmp(real, scratch_real, n) == 0 && real[n] == '/';
  free(real);
  return inside;
}

int __wrap_open(const char *path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list args;
    va_start(args, flags);
    mode = (mode_t)va_arg(args, int);
    va_end(args);
  }
  if (confined && !inside_scratch(path)) {
    errno = EACCES;
    return -1;
  }
  return __real_open(path, flags, mode);
}

FILE *__wrap_fopen(const char *path, const char *mode) {
  if (confined && !inside_scratch(path)) {
    errno = EACCES;
    return NULL;
  }
  return __real_fopen(path, mode);
}

/* The scenario files of configs/, copied into the scratch folder under their own names. */
static void copy_configs(void) {
  DIR *d = opendir(FLEETMC_FUZZ_CONFIGS);
  if (!d) fleet_fuzz_fail("cannot list %s: %s", FLEETMC_FUZZ_CONFIGS, strerror(errno));
  for (struct dirent *e; (e = readdir(d));) {
    size_t n = strlen(e->d_name);
    if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0) continue;
    char from[4096], to[4096];
    snprintf(from, sizeof from, "%s/%s", FLEETMC_FUZZ_CONFIGS, e->d_name);
    fleet_fuzz_path(to, sizeof to, e->d_name);
    fleet_fuzz_copy(from, to);
  }
  closedir(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  scratch_real = realpath(fleet_fuzz_dir(), NULL);
  params = malloc(sizeof *params);
  if (!scratch_real || !params) fleet_fuzz_fail("cannot set up the scratch folder");
  copy_configs();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[4096];
  fleet_fuzz_path(path, sizeof path, "input.yaml");
  fleet_fuzz_write(path, data, size);
  fleet_error_t err;
  confined = true;
  fleet_status_t status = fleet_scenario_load(path, NULL, 0, params, &err);
  confined = false;
  fleet_fuzz_check_error(status, &err);
  /* scenario.h: every failure of a scenario is FLEET_ERR_SCENARIO (NOMEM cannot happen here:
   * the sanitizer's allocator aborts rather than return NULL). */
  if (status != FLEET_OK && status != FLEET_ERR_SCENARIO)
    fleet_fuzz_fail("fleet_scenario_load returned %s: %s", fleet_status_name(status), err.message);
  if (status == FLEET_OK) fleet_fuzz_check_round_trip(params);
  return 0;
}
