/* main.c: a program that uses an installed fleetmc (tests/consumer/run.sh builds it through
 * find_package and through pkg-config). It loads a scenario through the library and checks what
 * it read, so that a missing header, symbol or dependency, or a library that links but does not
 * work, fails the test. It also runs the command line's --version: the command line reaches every
 * part of the library, so the link needs every dependency (HDF5, OpenMP, libyaml), which loading a
 * scenario alone does not.
 * usage: fleetmc_consumer CONFIGS/baseline.yaml */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_info.h"
#include "cli.h"
#include "error.h"
#include "params.h"
#include "scenario.h"

/* fleet.vehicles in configs/baseline.yaml: the proposal's one million cars. */
enum { BASELINE_VEHICLES = 1000000 };

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s BASELINE.yaml\n", argv[0]);
    return 2;
  }
  /* On the heap: the params hold every region's tables. */
  fleet_params_t *params = malloc(sizeof *params);
  if (!params) {
    fprintf(stderr, "consumer: out of memory\n");
    return 1;
  }
  fleet_error_t err;
  fleet_status_t status = fleet_scenario_load(argv[1], NULL, 0, params, &err);
  if (status != FLEET_OK) {
    fprintf(stderr, "consumer: %s: %s\n", fleet_status_name(status), err.message);
    free(params);
    return 1;
  }
  long long vehicles = (long long)params->vehicles;
  free(params);
  printf("vehicles %lld\n", vehicles);
  printf("status name of FLEET_ERR_INPUT: %s\n", fleet_status_name(FLEET_ERR_INPUT));
  printf("built from commit %s\n", fleet_build_git_commit);

  int failures = 0;
  if (vehicles != BASELINE_VEHICLES) {
    fprintf(stderr, "consumer: fleet.vehicles is %lld, expected %d\n", vehicles, BASELINE_VEHICLES);
    failures++;
  }
  if (strcmp(fleet_status_name(FLEET_ERR_INPUT), "input error") != 0) {
    fprintf(stderr, "consumer: fleet_status_name(FLEET_ERR_INPUT) is '%s', expected 'input error'\n",
            fleet_status_name(FLEET_ERR_INPUT));
    failures++;
  }
  char *version_argv[] = {"fleetmc", "--version", NULL};
  int version_exit = fleet_cli_main(2, version_argv);
  if (version_exit != 0) {
    fprintf(stderr, "consumer: fleet_cli_main(fleetmc --version) returned %d, expected 0\n", version_exit);
    failures++;
  }
  if (fleet_build_git_commit[0] == '\0') {
    fprintf(stderr, "consumer: fleet_build_git_commit is empty\n");
    failures++;
  }
  return failures == 0 ? 0 : 1;
}
