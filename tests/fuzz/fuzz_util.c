/* fuzz_util.c: scratch folder and oracles shared by the fuzz harnesses (fuzz_util.h). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include "fuzz_util.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"

static char scratch[4096];
static pid_t scratch_owner;

void fleet_fuzz_fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("fuzz check failed: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  abort();
}

/* The folder holds only files the harness wrote, so one level of unlink suffices. Only the
 * process that made it removes it (a child that inherited the atexit handler must not). */
static void remove_scratch(void) {
  if (!scratch[0] || getpid() != scratch_owner) return;
  DIR *d = opendir(scratch);
  if (d) {
    char path[sizeof scratch + 256];
    for (struct dirent *e; (e = readdir(d));) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      snprintf(path, sizeof path, "%s/%s", scratch, e->d_name);
      unlink(path);
    }
    closedir(d);
  }
  rmdir(scratch);
}

const char *fleet_fuzz_dir(void) {
  if (scratch[0]) return scratch;
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp) tmp = "/tmp";
  int n = snprintf(scratch, sizeof scratch, "%s/fleetmc-fuzz-XXXXXX", tmp);
  if (n < 0 || (size_t)n >= sizeof scratch) fleet_fuzz_fail("TMPDIR is too long: %s", tmp);
  if (!mkdtemp(scratch)) fleet_fuzz_fail("cannot create a scratch folder in %s: %s", tmp, strerror(errno));
  scratch_owner = getpid();
  atexit(remove_scratch);
  return scratch;
}

void fleet_fuzz_path(char *path, size_t cap, const char *name) {
  int n = snprintf(path, cap, "%s/%s", fleet_fuzz_dir(), name);
  if (n < 0 || (size_t)n >= cap) fleet_fuzz_fail("scratch path too long for %s", name);
}

void fleet_fuzz_write(const char *path, const void *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f) fleet_fuzz_fail("cannot write %s: %s", path, strerror(errno));
  size_t written = size ? fwrite(data, 1, size, f) : 0;
  if (fclose(f) != 0 || written != size) fleet_fuzz_fail("cannot write %s: %s", path, strerror(errno));
}

void fleet_fuzz_copy(const char *from, const char *to) {
  FILE *f = fopen(from, "rb");
  if (!f) fleet_fuzz_fail("cannot read %s: %s", from, strerror(errno));
  char *data = NULL;
  size_t size = 0, cap = 0;
  for (;;) {
    if (size == cap) {
      cap = cap ? 2 * cap : 65536;
      char *grown = realloc(data, cap);
      if (!grown) fleet_fuzz_fail("out of memory copying %s", from);
      data = grown;
    }
    size_t got = fread(data + size, 1, cap - size, f);
    size += got;
    if (got == 0) break;
  }
  int failed = ferror(f);
  fclose(f);
  if (failed) fleet_fuzz_fail("cannot read %s", from);
  fleet_fuzz_write(to, data, size);
  free(data);
}

void fleet_fuzz_check_error(fleet_status_t status, const fleet_error_t *err) {
  if ((int)status < 0 || status >= FLEET_STATUS_COUNT) fleet_fuzz_fail("unknown status %d", (int)status);
  if (status == FLEET_OK) return; /* err is only promised on failure (a success may leave it as it was) */
  if (err->code != status)
    fleet_fuzz_fail("err.code %d differs from the status returned, %d", (int)err->code, (int)status);
  const char *end = memchr(err->message, '\0', sizeof err->message);
  if (!end) fleet_fuzz_fail("err.message is not terminated within its %zu bytes", sizeof err->message);
  if (end == err->message) fleet_fuzz_fail("%s without a message", fleet_status_name(status));
}

void fleet_fuzz_check_round_trip(const fleet_params_t *params) {
  char *text = fleet_scenario_format(params);
  if (!text) fleet_fuzz_fail("fleet_scenario_format returned NULL");
  char path[sizeof scratch + 64];
  fleet_fuzz_path(path, sizeof path, "resolved.yaml");
  fleet_fuzz_write(path, text, strlen(text));
  fleet_params_t *again = malloc(sizeof *again);
  if (!again) fleet_fuzz_fail("out of memory");
  fleet_error_t err;
  fleet_status_t status = fleet_scenario_load(path, NULL, 0, again, &err);
  if (status != FLEET_OK)
    fleet_fuzz_fail("the resolved scenario does not load back: %s\n--- resolved scenario:\n%s", err.message, text);
  char *text_again = fleet_scenario_format(again);
  if (!text_again) fleet_fuzz_fail("fleet_scenario_format returned NULL");
  if (strcmp(text, text_again) != 0)
    fleet_fuzz_fail("the resolved scenario formats differently once loaded back:\n--- first:\n%s\n--- then:\n%s",
                    text, text_again);
  free(text_again);
  free(again);
  free(text);
  unlink(path);
}
