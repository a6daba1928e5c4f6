/* cli.h: the fleetmc command line (subcommands run, check, merge and summary). */
#ifndef FLEET_CLI_H
#define FLEET_CLI_H

/* Parses argv, runs the subcommand, prints messages; returns the process exit code
 * (0 success, 1 runtime failure, 2 bad command line or scenario). */
int fleet_cli_main(int argc, char **argv);

#endif
