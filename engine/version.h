/* version.h: the engine's version (set by CMake) and the version of the result-file layout. The
 * commit the engine was built from is in build_info.h. */
#ifndef FLEET_VERSION_H
#define FLEET_VERSION_H

#ifndef FLEETMC_VERSION
#define FLEETMC_VERSION "0.1.0"
#endif

/* Version of the layout of result files; bump on any change a reader must know about. */
#define FLEETMC_FORMAT_VERSION 3

#endif
