#define _POSIX_C_SOURCE 200809L

#include "file_util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

fleet_open_result_t fleet_open_regular(const char *path, int64_t max_bytes, int *fd, int *error_number) {
  *fd = -1;
  *error_number = 0;
  int f = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (f < 0) {
    *error_number = errno;
    return errno == ENOENT || errno == ENOTDIR ? FLEET_OPEN_MISSING : FLEET_OPEN_FAILED;
  }
  struct stat st;
  fleet_open_result_t result = FLEET_OPEN_OK;
  if (fstat(f, &st) != 0) {
    *error_number = errno;
    result = FLEET_OPEN_FAILED;
  } else if (!S_ISREG(st.st_mode)) {
    result = FLEET_OPEN_NOT_REGULAR;
  } else if (max_bytes > 0 && st.st_size > max_bytes) {
    result = FLEET_OPEN_TOO_BIG;
  }
  if (result != FLEET_OPEN_OK) {
    close(f);
    return result;
  }
  *fd = f;
  return FLEET_OPEN_OK;
}

const char *fleet_open_result_text(fleet_open_result_t result, int error_number) {
  switch (result) {
  case FLEET_OPEN_OK: return "opened";
  case FLEET_OPEN_MISSING: return strerror(error_number);
  case FLEET_OPEN_NOT_REGULAR: return "not a regular file (a FIFO, device, socket or folder)";
  case FLEET_OPEN_TOO_BIG: return "too large";
  case FLEET_OPEN_FAILED: return strerror(error_number);
  }
  return "cannot be opened";
}
