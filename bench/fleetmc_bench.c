/* fleetmc_bench: one replica-year of a scenario's fleet (the baseline's 1,000,000 vehicles by
 * default), timed without file output.
 *
 * Prints the set-up time (drawing the fleet), the year's wall time, ns per vehicle-hour (wall and
 * per core), vehicle-hours per second, peak resident memory, the time of the year's weather
 * (drawn inside the year; timed again alone) and its share of the year, and a checksum of the
 * year's totals that must not change unless the model does (XSBench-style verification).
 *
 * usage: fleetmc_bench [CONFIG] [--vehicles N] [--threads T] [--kernel events|hourly]
 *                      [--expect-checksum C] [--count-days]
 *        (CONFIG: configs/baseline.yaml; with --expect-checksum, exits 1 when the checksum,
 *        printed with 17 significant digits, is not C; --count-days then runs the year again,
 *        untimed, and prints how many block-days each kernel stepped) */
#include "parallel.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "fleet_year.h"
#include "population.h"
#include "scenario.h"

static double peak_rss_mib(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (double)usage.ru_maxrss / 1024.0; /* Linux reports KiB */
}

int main(int argc, char **argv) {
  const char *config = "configs/baseline.yaml";
  const char *overrides[4] = {"simulation.replicas=1", "simulation.years=1", NULL, NULL};
  int override_count = 2, threads = 0, count_days = 0;
  fleet_kernel_t kernel = FLEET_KERNEL_HOURLY;
  const char *expected_checksum = NULL;
  char vehicles_override[64];
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--vehicles") == 0 && i + 1 < argc) {
      snprintf(vehicles_override, sizeof vehicles_override, "fleet.vehicles=%s", argv[++i]);
      overrides[override_count++] = vehicles_override;
    } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      threads = atoi(argv[++i]);
      if (threads < 1) {
        fprintf(stderr, "fleetmc_bench: --threads must be >= 1\n");
        return 2;
      }
    } else if (strcmp(argv[i], "--kernel") == 0 && i + 1 < argc) {
      const char *k = argv[++i];
      if (strcmp(k, "events") != 0 && strcmp(k, "hourly") != 0) {
        fprintf(stderr, "fleetmc_bench: --kernel must be events or hourly, not '%s'\n", k);
        return 2;
      }
      kernel = strcmp(k, "hourly") == 0 ? FLEET_KERNEL_HOURLY : FLEET_KERNEL_EVENTS;
    } else if (strcmp(argv[i], "--count-days") == 0) {
      count_days = 1;
    } else if (strcmp(argv[i], "--expect-checksum") == 0 && i + 1 < argc) {
      expected_checksum = argv[++i];
    } else if (argv[i][0] != '-') {
      config = argv[i];
    } else {
      fprintf(stderr, "usage: fleetmc_bench [CONFIG] [--vehicles N] [--threads T] [--kernel events|hourly] "
                      "[--expect-checksum C] [--count-days]\n");
      return 2;
    }
  }
  if (threads > 0) fleet_set_threads(threads);
  threads = fleet_max_threads();

  fleet_error_t err;
  fleet_params_t *params = malloc(sizeof *params);
  fleet_year_totals_t *totals = malloc(sizeof *totals);
  if (!params || !totals) return 1;
  if (fleet_scenario_load(config, overrides, override_count, params, &err) != FLEET_OK) {
    fprintf(stderr, "fleetmc_bench: %s\n", err.message);
    return 2;
  }
  fleet_population_t pop;
  fleet_state_t state;
  double t0 = fleet_wall_seconds();
  if (fleet_population_create(params, params->first_replica, &pop, &err) != FLEET_OK ||
      fleet_state_create(pop.slots, &state, &err) != FLEET_OK) {
    fprintf(stderr, "fleetmc_bench: %s\n", err.message);
    return 1;
  }
  fleet_state_reset(params, &pop, &state);
  double t1 = fleet_wall_seconds();
  if (fleet_simulate_year_stoppable(params, &pop, &state, params->first_replica, 0, kernel, NULL, totals, &err) !=
      FLEET_OK) {
    fprintf(stderr, "fleetmc_bench: %s\n", err.message);
    return 1;
  }
  double t2 = fleet_wall_seconds();
  /* The weather's share: the year's set-up (weather draws, hourly consumption factors) timed
   * alone, as fleet_simulate_year does it once per replica-year. */
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
  if (!ctx) return 1;
  double t3 = fleet_wall_seconds();
  fleet_year_ctx_init(params, &pop, params->first_replica, 0, ctx);
  double weather_s = fleet_wall_seconds() - t3;
  if (count_days) { /* the same year again from the same start, block by block, on one thread */
    fleet_workspace_t *ws = calloc(1, sizeof *ws);
    if (!ws) return 1;
    ctx->kernel = kernel;
    fleet_state_reset(params, &pop, &state);
    for (int64_t b = 0; b < pop.blocks; b++) fleet_block_year(ctx, b, &state, ws, NULL);
    int64_t solar_blocks = 0;
    for (int64_t b = 0; b < pop.blocks; b++) solar_blocks += pop.block_solar[b];
    printf("block_days events %lld hourly %lld events_share %.4f solar_block_days %lld refused_by_events %lld\n",
           (long long)ws->event_days, (long long)ws->hourly_days,
           (double)ws->event_days / (double)(ws->event_days + ws->hourly_days),
           (long long)(solar_blocks * FLEET_DAYS_PER_YEAR), (long long)ws->event_refusals);
    free(ws);
  }
  free(ctx);

  double checksum = totals->km_driven;
  for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++)
    checksum += totals->storage_energy_kwh[h] + totals->storage_power_kw[h] + totals->plugged_vehicles[h];
  for (int k = 0; k < FLEET_SOURCE_COUNT; k++) checksum += totals->charging_energy_kwh[k];
  double vehicle_hours = (double)params->vehicles * FLEET_HOURS_PER_YEAR;
  double wall = t2 - t1;
  printf("vehicles %lld threads %d setup_s %.3f year_s %.3f ns_per_vehicle_hour %.3f "
         "ns_per_vehicle_hour_per_core %.3f vehicle_hours_per_s %.4g peak_rss_mib %.1f weather_s %.4f "
         "weather_share %.4f checksum %.17g\n",
         (long long)params->vehicles, threads, t1 - t0, wall, wall * 1e9 / vehicle_hours,
         wall * 1e9 * threads / vehicle_hours, vehicle_hours / wall, peak_rss_mib(), weather_s,
         weather_s / wall, checksum);
  char printed[64];
  snprintf(printed, sizeof printed, "%.17g", checksum);
  int mismatch = expected_checksum && strcmp(printed, expected_checksum) != 0;
  if (mismatch) fprintf(stderr, "fleetmc_bench: checksum %s, expected %s: the model's numbers changed\n", printed,
                        expected_checksum);
  fleet_state_free(&state);
  fleet_population_free(&pop);
  free(params);
  free(totals);
  return mismatch ? 1 : 0;
}
