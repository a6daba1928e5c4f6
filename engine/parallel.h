/* parallel.h: the few OpenMP runtime calls the engine makes, with serial fallbacks so that a
 * build with FLEETMC_OPENMP=OFF still compiles and runs (on one thread). */
#ifndef FLEET_PARALLEL_H
#define FLEET_PARALLEL_H

#ifdef _OPENMP
#include <omp.h>
static inline void fleet_set_threads(int threads) { omp_set_num_threads(threads); }
static inline int fleet_max_threads(void) { return omp_get_max_threads(); }
static inline double fleet_wall_seconds(void) { return omp_get_wtime(); }
#else
#include <time.h>
static inline void fleet_set_threads(int threads) { (void)threads; }
static inline int fleet_max_threads(void) { return 1; }
static inline double fleet_wall_seconds(void) {
  struct timespec ts; /* C11's clock: -std=c17 hides POSIX clock_gettime */
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
#endif

#endif
