/* file_util.h: opening an input file without ever blocking on it. */
#ifndef FLEET_FILE_UTIL_H
#define FLEET_FILE_UTIL_H

#include <stdint.h>

typedef enum {
  FLEET_OPEN_OK = 0,
  FLEET_OPEN_MISSING,     /* no such file (or a folder on the way is missing) */
  FLEET_OPEN_NOT_REGULAR, /* a FIFO, a device, a folder, a socket */
  FLEET_OPEN_TOO_BIG,     /* larger than the caller's limit */
  FLEET_OPEN_FAILED,      /* open or fstat failed otherwise (permissions, I/O): *error_number */
} fleet_open_result_t;

/* Opens path read-only as a regular file of at most max_bytes (0: no limit; st_size, which procfs
 * reports as 0, so a reader must also count what it reads) into *fd. The file is opened with
 * O_NONBLOCK and checked with fstat before anything is read, so a FIFO given as a scenario or a
 * result file is refused at once instead of waiting for a writer that never comes; O_NONBLOCK
 * stays set, which changes nothing for a real file and makes a "regular" kernel file that would
 * block (/proc/kmsg) fail instead. On failure *fd is -1 and nothing stays open. */
fleet_open_result_t fleet_open_regular(const char *path, int64_t max_bytes, int *fd, int *error_number);

/* The reason as words, for messages ("is not a regular file (a FIFO, device or folder)"). */
const char *fleet_open_result_text(fleet_open_result_t result, int error_number);

#endif
