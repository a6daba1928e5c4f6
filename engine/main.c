/* main.c: the fleetmc program; everything else lives in the library. With FLEETMC_MPI the program
 * (not the library) links MPI, and joins the other ranks when an MPI launcher started it. */
#include "cli.h"

#ifdef FLEETMC_MPI
#include "mpi_ranks.h"
#endif

int main(int argc, char **argv) {
#ifdef FLEETMC_MPI
  fleet_ranks_t ranks = fleet_ranks_single;
  if (fleet_mpi_ranks_init(&argc, &argv, &ranks)) {
    const int rc = fleet_cli_main_ranks(argc, argv, &ranks);
    fleet_mpi_ranks_finalize();
    return rc;
  }
#endif
  return fleet_cli_main(argc, argv);
}
