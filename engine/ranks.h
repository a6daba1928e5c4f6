/* ranks.h: the processes of one run, as the run driver (run.c) sees them.
 *
 * A run is split over P ranks (MPI processes launched by mpirun or srun), each computing a
 * contiguous share of the replicas with its own OpenMP threads. The library itself does not link
 * MPI: the driver talks to the other ranks through this small table of operations, which the
 * program fills from MPI (mpi_ranks.c, built with FLEETMC_MPI) when it was launched by an MPI
 * launcher, and which is the single process (fleet_ranks_single) otherwise. So the quick start's
 * build, the installed library and its users never need MPI. */
#ifndef FLEET_RANKS_H
#define FLEET_RANKS_H

#include <stdint.h>

#include "error.h"

typedef struct fleet_ranks {
  int rank, size; /* this process and the number of processes, size >= 1 */
  /* Every rank calls it with its status and error; every rank returns the same status, and err
   * then holds the message of the lowest-numbered rank that failed (prefixed by its rank when
   * size > 1), or is cleared when all succeeded. A collective: all ranks must call it. */
  fleet_status_t (*agree)(const struct fleet_ranks *ranks, fleet_status_t status, fleet_error_t *err);
  /* Rank 0's n int64 values reach every rank. A collective. */
  void (*broadcast)(const struct fleet_ranks *ranks, int64_t *values, int n);
} fleet_ranks_t;

/* The one-process table: agree returns its argument, broadcast does nothing. */
extern const fleet_ranks_t fleet_ranks_single;

/* The contiguous share of rank of `count` items starting at `first` split as evenly as possible
 * over size ranks (the first count % size ranks take one more): [*begin, *end). */
void fleet_ranks_share(int64_t first, int64_t count, int rank, int size, int64_t *begin, int64_t *end);

#endif
