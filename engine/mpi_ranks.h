/* mpi_ranks.h: the ranks of a run from MPI (built with FLEETMC_MPI; see ranks.h). */
#ifndef FLEET_MPI_RANKS_H
#define FLEET_MPI_RANKS_H

#include "ranks.h"

/* When the process was started by an MPI launcher (mpirun, mpiexec or srun: the variables they
 * set), initialises MPI and fills *ranks from MPI_COMM_WORLD; returns 1. Otherwise leaves MPI
 * alone, so that a plain `fleetmc run` of an MPI build starts no MPI runtime, and returns 0. */
int fleet_mpi_ranks_init(int *argc, char ***argv, fleet_ranks_t *ranks);

/* MPI_Finalize, after fleet_mpi_ranks_init returned 1. */
void fleet_mpi_ranks_finalize(void);

#endif
