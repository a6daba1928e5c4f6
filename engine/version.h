/* version.h: the engine's version and the commit it was built from (set by CMake). */
#ifndef FLEET_VERSION_H
#define FLEET_VERSION_H

#ifndef FLEETMC_VERSION
#define FLEETMC_VERSION "0.1.0"
#endif
#ifndef FLEETMC_GIT_COMMIT
#define FLEETMC_GIT_COMMIT "unknown"
#endif

/* Version of the layout of result files; bump on any change a reader must know about. */
#define FLEETMC_FORMAT_VERSION 1

#endif
