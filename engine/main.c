/* main.c: the fleetmc program; everything else lives in the library. */
#include "cli.h"

int main(int argc, char **argv) { return fleet_cli_main(argc, argv); }
