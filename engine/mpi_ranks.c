/* mpi_ranks.c: fleet_ranks_t over MPI_COMM_WORLD. Only the program links it (ranks.h says why). */
#include "mpi_ranks.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The variables each launcher sets in its processes: Open MPI's mpirun (OMPI_COMM_WORLD_SIZE),
 * PMIx-based launchers, Slurm's srun among them (PMIX_RANK), and PMI-1/2 launchers, MPICH's
 * Hydra and srun --mpi=pmi2 (PMI_RANK, PMI_SIZE). */
static int launched_by_mpi(void) {
  static const char *const names[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (getenv(names[i])) return 1;
  return 0;
}

static fleet_status_t mpi_agree(const fleet_ranks_t *ranks, fleet_status_t status, fleet_error_t *err) {
  /* the lowest failing rank, or size when none failed */
  int mine = status == FLEET_OK ? ranks->size : ranks->rank, failing = ranks->size;
  MPI_Allreduce(&mine, &failing, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (failing == ranks->size) {
    if (err) fleet_error_clear(err);
    return FLEET_OK;
  }
  int code = (int)status;
  char message[FLEET_ERROR_MESSAGE_MAX] = "";
  if (ranks->rank == failing && err) {
    if (failing == 0) snprintf(message, sizeof message, "%s", err->message);
    else snprintf(message, sizeof message, "rank %d: %.*s", failing, FLEET_ERROR_MESSAGE_MAX - 32, err->message);
  }
  MPI_Bcast(&code, 1, MPI_INT, failing, MPI_COMM_WORLD);
  MPI_Bcast(message, (int)sizeof message, MPI_CHAR, failing, MPI_COMM_WORLD);
  if (err) {
    err->code = (fleet_status_t)code;
    memcpy(err->message, message, sizeof message);
  }
  return (fleet_status_t)code;
}

static void mpi_broadcast(const fleet_ranks_t *ranks, int64_t *values, int n) {
  (void)ranks;
  MPI_Bcast(values, n, MPI_INT64_T, 0, MPI_COMM_WORLD);
}

int fleet_mpi_ranks_init(int *argc, char ***argv, fleet_ranks_t *ranks) {
  if (!launched_by_mpi()) return 0;
  /* FUNNELED: only the main thread calls MPI, the OpenMP threads compute between the calls */
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &ranks->rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks->size);
  ranks->agree = mpi_agree;
  ranks->broadcast = mpi_broadcast;
  return 1;
}

void fleet_mpi_ranks_finalize(void) { MPI_Finalize(); }
