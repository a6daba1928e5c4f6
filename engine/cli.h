/* cli.h: the fleetmc command line (subcommands run, check, merge and summary). */
#ifndef FLEET_CLI_H
#define FLEET_CLI_H

#include "ranks.h"

/* Parses argv, runs the subcommand, prints messages; returns the process exit code
 * (0 success, 1 runtime failure, 2 bad command line or scenario). */
int fleet_cli_main(int argc, char **argv);

/* fleet_cli_main as one of several processes of an MPI run (main.c): `run` splits its replicas
 * over them (run.h), rank 0 alone prints and runs the other subcommands. */
int fleet_cli_main_ranks(int argc, char **argv, const fleet_ranks_t *ranks);

#endif
