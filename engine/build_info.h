/* build_info.h: what the build recorded about itself (generated/build_info.c, written at every
 * build by cmake/build_info.cmake). */
#ifndef FLEET_BUILD_INFO_H
#define FLEET_BUILD_INFO_H

/* The git commit the library was built from (40 hex digits), "-dirty" appended when tracked
 * files differed from it, or "unknown" when built outside a git checkout or without git. */
extern const char fleet_build_git_commit[];

#endif
