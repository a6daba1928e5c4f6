/* The events kernel (kernels/events_day.h) against the hourly step, the reference, on every
 * scenario in configs/ at 1,000 vehicles over two years (the second starts from the state the
 * first left, so a state that drifted would show).
 *
 * The bound, from the float arithmetic (events_day.h, "Exactness"):
 * - Everything but the hourly energy and power is bit-identical: the events kernel runs the
 *   hourly step's float operations in the same order, skipping only hours whose operations would
 *   add +0. So plugged and away per hour and every per-year total must be equal, not close.
 * - A vehicle-hour's energy above the reserve differs by at most 27 x 2^-24 x X, X the battery's
 *   capacity: the hourly step's charge is k <= 24 float additions of C, each rounding by at most
 *   half an ulp of a value below X (12 ulp, 24 x 2^-24 X), the events kernel's is the exact
 *   min(s + k C, full) in double; the hourly step rounds x - reserve once more (2^-24 X); and a
 *   kink hour computed one off moves the value by less than its rounding (2^-24 X). Only
 *   plugged-in cars contribute, so an hour's fleet sum differs by at most
 *   27 x 2^-24 x X_max x plugged(h).
 * - The hourly step sums a block's 16 lanes in float, a pairwise tree of depth 4: at most
 *   4 x 2^-24 x the block's value more.
 * - Each kernel rounds each block-hour to the 1e-6 fixed point once: 1e-6 per block.
 * So for energy E(h): |E_events - E_hourly| <= 2^-24 (27 X_max plugged(h) + 4 E(h)) + 1e-6 blocks,
 * i.e. a relative bound of 27 x 2^-24 = 1.6e-6 of the plugged-in capacity plus 2.4e-7 of the
 * value; power the same with the discharge efficiency on the capacity term, deliverable energy
 * the same x the efficiency.
 * The events kernel is also checked bit-identical across 1, 2 and 4 threads. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_year.h"
#include "parallel.h"
#include "population.h"
#include "scenario.h"

#define CONFIGS FLEET_SOURCE_DIR "/configs"
#define YEARS 2

/* Runs YEARS years of replica 0 of the scenario at `path` (with up to 5 more overrides, NULL
 * ended) with `kernel` on `threads` threads. */
static void run_years(const char *path, const char *const *more, fleet_kernel_t kernel, int threads,
                      fleet_year_totals_t totals[YEARS], double *capacity_max, int64_t *blocks,
                      double *discharge_efficiency) {
  static fleet_params_t loaded, sampled;
  const char *overrides[10] = {"fleet.vehicles=1000", "simulation.replicas=1", "simulation.first_replica=0",
                               "simulation.years=2"};
  int count = 4;
  for (; more && more[count - 4]; count++) overrides[count] = more[count - 4];
  fleet_error_t err;
  cr_assert_eq(fleet_scenario_load(path, overrides, count, &loaded, &err), FLEET_OK, "%s: %s", path, err.message);
  const fleet_params_t *p = &loaded;
  if (loaded.sampled_count > 0) { /* the replica's own draws, as fleet_run makes them */
    double drawn[FLEET_MAX_SAMPLED];
    fleet_scenario_sample(&loaded, 0, &sampled, drawn);
    p = &sampled;
  }
  fleet_population_t pop;
  fleet_state_t state;
  cr_assert_eq(fleet_population_create(p, 0, &pop, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_state_create(pop.slots, &state, &err), FLEET_OK, "%s", err.message);
  fleet_state_reset(p, &pop, &state);
  fleet_set_threads(threads);
  for (int y = 0; y < YEARS; y++)
    cr_assert_eq(fleet_simulate_year_stoppable(p, &pop, &state, 0, y, kernel, NULL, &totals[y], &err), FLEET_OK,
                 "%s: %s", path, err.message);
  *capacity_max = 0.0;
  for (int64_t i = 0; i < pop.slots; i++) *capacity_max = fmax(*capacity_max, pop.capacity_kwh[i]);
  *blocks = pop.blocks;
  *discharge_efficiency = p->discharge_efficiency;
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

/* The totals as a flat array of doubles (fleet_year_totals_t holds nothing else). */
#define TOTAL_VALUES (sizeof(fleet_year_totals_t) / sizeof(double))
_Static_assert(sizeof(fleet_year_totals_t) % sizeof(double) == 0, "fleet_year_totals_t holds only doubles");

static int in_series(size_t i, size_t offset) {
  return i >= offset / sizeof(double) && i < offset / sizeof(double) + FLEET_HOURS_PER_YEAR;
}

static void compare_scenario(const char *path, const char *const *more) {
  static fleet_year_totals_t hourly[YEARS], events[YEARS], threaded[YEARS];
  double capacity_max, efficiency;
  int64_t blocks;
  run_years(path, more, FLEET_KERNEL_HOURLY, 1, hourly, &capacity_max, &blocks, &efficiency);
  run_years(path, more, FLEET_KERNEL_EVENTS, 1, events, &capacity_max, &blocks, &efficiency);
  const double u = 0x1p-24, quantum = 1e-6 * (double)blocks;
  double worst_ratio = 0.0;
  for (int y = 0; y < YEARS; y++) {
    const double *a = (const double *)&hourly[y], *b = (const double *)&events[y];
    for (size_t i = 0; i < TOTAL_VALUES; i++) {
      const int energy = in_series(i, offsetof(fleet_year_totals_t, storage_battery_kwh));
      const int deliverable = in_series(i, offsetof(fleet_year_totals_t, storage_energy_kwh));
      const int power = in_series(i, offsetof(fleet_year_totals_t, storage_power_kw));
      if (!energy && !deliverable && !power) {
        cr_assert(a[i] == b[i] || (isnan(a[i]) && isnan(b[i])),
                  "%s, year %d, value %zu of fleet_year_totals_t: hourly %.17g, events %.17g (must be equal)", path, y,
                  i, a[i], b[i]);
        continue;
      }
      const size_t series = energy ? offsetof(fleet_year_totals_t, storage_battery_kwh)
                            : deliverable ? offsetof(fleet_year_totals_t, storage_energy_kwh)
                                          : offsetof(fleet_year_totals_t, storage_power_kw);
      const int h = (int)(i - series / sizeof(double));
      const double plugged = hourly[y].plugged_vehicles[h];
      const double capacity_term = 27.0 * capacity_max * plugged * (energy ? 1.0 : efficiency);
      const double bound = (u * (capacity_term + 4.0 * fabs(a[i])) + quantum) * (deliverable ? efficiency : 1.0);
      const double diff = fabs(a[i] - b[i]);
      worst_ratio = fmax(worst_ratio, diff / bound);
      cr_assert(diff <= bound, "%s, year %d, hour %d of %s: hourly %.17g, events %.17g, |diff| %.3g > bound %.3g",
                path, y, h, energy ? "storage_battery_kwh" : deliverable ? "storage_energy_kwh" : "storage_power_kw",
                a[i], b[i], diff, bound);
    }
  }
  cr_log_info("%s%s%s: largest |events - hourly| / bound %.3g", path, more ? " with " : "", more ? more[0] : "",
              worst_ratio);
  for (int threads = 2; threads <= 4; threads *= 2) {
    run_years(path, more, FLEET_KERNEL_EVENTS, threads, threaded, &capacity_max, &blocks, &efficiency);
    for (int y = 0; y < YEARS; y++)
      cr_assert(memcmp(&threaded[y], &events[y], sizeof threaded[y]) == 0,
                "%s, year %d: the events kernel on %d threads differs from 1 thread", path, y, threads);
  }
}

Test(kernels_agree, every_config, .timeout = 0) {
  DIR *dir = opendir(CONFIGS);
  cr_assert_not_null(dir, "cannot open %s", CONFIGS);
  struct dirent *entry;
  int scenarios = 0;
  while ((entry = readdir(dir))) {
    const size_t n = strlen(entry->d_name);
    if (n < 6 || strcmp(entry->d_name + n - 5, ".yaml") != 0) continue;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", CONFIGS, entry->d_name);
    compare_scenario(path, NULL);
    scenarios++;
  }
  closedir(dir);
  cr_assert_geq(scenarios, 10, "only %d scenarios in %s", scenarios, CONFIGS);
}

/* The baseline with what its configs leave out: every car below the public reserve at the start
 * (a public charge in an hour without a leg), trips within one hour, a charge target below the
 * public target (cars above full), an off-peak window inside the day and one across midnight with
 * all households on it, home charging from sockets, wallboxes and none, the plug-in habit and the
 * older reserve rule. */
Test(kernels_agree, baseline_variants, .timeout = 0) {
  static const char *const variants[][6] = {
      {"fleet.initial_soc_fraction=0.05", "mobility.errand_duration_hours=0", "fleet.charge_target_fraction=0.7"},
      {"charging.off_peak_share=1", "charging.off_peak_start_hour=1", "charging.off_peak_end_hour=5",
       "fleet.home_wallbox_share=0.5", "fleet.home_socket_share=0.3"},
      {"charging.off_peak_share=1", "charging.plug_policy=below_threshold",
       "charging.reserve_rule=larger_of_floor_and_trips", "fleet.bidirectional_share=0.5"},
  };
  for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) compare_scenario(CONFIGS "/baseline.yaml", variants[v]);
}

/* A lane whose hours are not whole is left to the hourly step: fleet_events_day returns 0 and
 * changes neither the state nor the slots; with whole hours the same day is stepped. */
Test(kernels_agree, refuses_a_day_it_cannot_step) {
  static fleet_step_consts_t c;
  static fleet_day_inputs_t in;
  static fleet_day_plan_t today, tomorrow;
  static fleet_lane_state_t state, before;
  static fleet_day_sums_t sums;
  static fleet_day_slots_t slots, slots_before;
  const fleet_day_phases_t whole_day = {.count = 1, .start = {0}, .end = {FLEET_HOURS_PER_DAY}};
  for (int l = 0; l < FLEET_LANES; l++) {
    c.kwh_per_km[l] = 0.15f, c.home_charge_kwh[l] = 2.0f, c.target_kwh[l] = 30.0f, c.floor_kwh[l] = 9.0f;
    c.has_charger[l] = c.storage_lane[l] = 1.0f, c.discharge_kw[l] = 11.0f;
    c.public_reserve_kwh[l] = 3.0f, c.public_target_kwh[l] = 24.0f, c.reserve_adds_floor[l] = 1.0f;
    today.dep_hour[l] = 8.0f, today.ret_hour[l] = 18.0f, today.out_km[l] = today.back_km[l] = 20.0f;
    today.dep2_hour[l] = today.ret2_hour[l] = tomorrow.dep2_hour[l] = tomorrow.ret2_hour[l] = FLEET_NO_HOUR;
    today.need_km[l] = 40.0f;
    state.soc_kwh[l] = 20.0f, state.away_prev[l] = 1.0f;
  }
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) in.consumption_factor[h] = 1.0f, in.grid_g_co2_per_kwh[h] = 50.0f;
  in.day_factor = 1.0f;
  today.ret_hour[5] = 17.5f;
  before = state, slots_before = slots;
  cr_assert_eq(fleet_events_day(&c, 0.9f, 1.0f, &in, &today, &tomorrow, &whole_day, &state, &sums, &slots), 0);
  cr_assert(memcmp(&state, &before, sizeof state) == 0, "a refused day changed the state");
  cr_assert(memcmp(&slots, &slots_before, sizeof slots) == 0, "a refused day changed the slots");
  today.ret_hour[5] = 17.0f;
  cr_assert_eq(fleet_events_day(&c, 0.9f, 1.0f, &in, &today, &tomorrow, &whole_day, &state, &sums, &slots), 1);
  cr_assert_neq(state.soc_kwh[0], before.soc_kwh[0], "a stepped day left the charge as it was");
}

/* The events kernel must actually step most days of the baseline (else the comparison above
 * says little): count the block-days each kernel stepped in one year. */
Test(kernels_agree, events_step_most_baseline_days) {
  static fleet_params_t p;
  const char *overrides[] = {"fleet.vehicles=2000", "simulation.years=1", "simulation.replicas=1"};
  fleet_error_t err;
  cr_assert_eq(fleet_scenario_load(CONFIGS "/baseline.yaml", overrides, 3, &p, &err), FLEET_OK, "%s", err.message);
  fleet_population_t pop;
  fleet_state_t state;
  cr_assert_eq(fleet_population_create(&p, 0, &pop, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_state_create(pop.slots, &state, &err), FLEET_OK, "%s", err.message);
  fleet_state_reset(&p, &pop, &state);
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
  fleet_workspace_t *ws = calloc(1, sizeof *ws);
  cr_assert(ctx && ws);
  fleet_year_ctx_init(&p, &pop, 0, 0, ctx);
  ctx->kernel = FLEET_KERNEL_EVENTS; /* the default is the hourly reference */
  int64_t solar_blocks = 0;
  for (int64_t b = 0; b < pop.blocks; b++) {
    fleet_block_year(ctx, b, &state, ws, NULL);
    solar_blocks += pop.block_solar[b];
  }
  const int64_t days = pop.blocks * FLEET_DAYS_PER_YEAR;
  cr_assert_eq(ws->event_days + ws->hourly_days, days);
  /* every block-day of a block without garage or carport and without an outage is eligible;
   * at most a few in a hundred of those may fall back (a stray public charge repeating) */
  cr_assert_gt(ws->event_days, 0.5 * (double)((pop.blocks - solar_blocks) * FLEET_DAYS_PER_YEAR),
               "events stepped %lld of %lld block-days (%lld blocks with solar)", (long long)ws->event_days,
               (long long)days, (long long)solar_blocks);
  free(ctx);
  free(ws);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}
