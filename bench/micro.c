/* fleetmc_micro: micro-benchmarks of the engine's kernels, each on real block-days of a scenario
 * (bench/micro_blocks.h: the baseline's fleet, year 0, the days without an outage).
 *
 * Each prints one line: its name, its figure, and a checksum of what it computed (17 significant
 * digits). The checksum comes from a first pass over the data, untimed; the timed passes then
 * repeat the same work, their results kept in memory (a compiler barrier after each call), so the
 * checksum depends on the size (--blocks) only, never on the timing or on --passes.
 *   draws    the day plan's counter-based draws (kernels/rng.h fleet_stream_at, fleet_pcg32_next16,
 *            fastmath.h fleet_u01_open): FLEET_DRAWS_PER_DAY per vehicle-day; draws per ns
 *   plan     fleet_plan_day (kernels/mobility.h), each block's 365 days chained; ns per vehicle-day
 *   events   fleet_events_day (kernels/events_day.h) on each block-day, from the state the hourly
 *            step reached that morning; ns per vehicle-day (refused days included: they are
 *            counted). Its first pass also checks the state it leaves against the hourly step's,
 *            bit for bit (events_day.h's promise)
 *   scatter  fleet_events_scatter (events_day.h): per vehicle-day 3 home pieces of 4 kinks, at the
 *            rows of that day's plan; ns per vehicle-day
 *   hourly   fleet_step_day (kernels/vehicle_step.h, no solar, no outage) on each block-day;
 *            ns per vehicle-hour
 *
 * usage: fleetmc_micro [--config FILE] [--small | --blocks N] [--passes N] [--only NAME]
 *                      [--expect FILE]
 *   default: 16 blocks (256 vehicles) x 365 days, each benchmark's passes set so that it runs
 *   about a second on the 2-core Xeon of bench/RESULTS.md; --small: 2 blocks, 1 timed pass (for
 *   the test: well under a second each). --expect FILE compares each checksum with FILE's
 *   ("name checksum" per line, # comments), of the --small size, and exits 1 on a mismatch. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events_day.h"
#include "fastmath.h"
#include "micro_blocks.h"
#include "mobility.h"
#include "rng.h"
#include "vehicle_step.h"

#ifndef FLEET_SOURCE_DIR
#define FLEET_SOURCE_DIR "."
#endif

#define MICRO_SMALL_BLOCKS 2
#define MICRO_DEFAULT_BLOCKS 16
#define MICRO_MAX_BLOCKS 4096

/* Keeps what p points to written and read as if by an unknown function, at no cost (the
 * "clobber memory" idiom of benchmark libraries): the timed passes' work cannot be dropped. */
#define MICRO_KEEP(p) __asm__ volatile("" : : "g"(p) : "memory")

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct {
  double checksum;
  double seconds; /* of the timed passes */
  double work;    /* units of the figure per pass (draws, vehicle-days, vehicle-hours) */
  long long refused;
  int ok;         /* 0: the benchmark's own check failed (it said why) */
} micro_run_t;

static double vehicle_days(const fleet_micro_blocks_t *m) {
  return (double)m->count * FLEET_DAYS_PER_YEAR * FLEET_LANES;
}

/* ---- draws ---------------------------------------------------------------------------------- */

static void draws_pass(const fleet_micro_blocks_t *m, double *restrict lane_sums) {
  const uint64_t prefix = m->ctx->stream_prefix;
  for (int b = 0; b < m->count; b++) {
    const uint32_t *restrict id = m->blocks[b].plan_consts.vehicle_id;
    for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
      const uint64_t purpose = FLEET_PURPOSE_MOBILITY_DAY + (uint64_t)d;
      float day[FLEET_LANES];
#pragma omp simd
      for (int l = 0; l < FLEET_LANES; l++) { /* as fleet_plan_day takes them */
        const fleet_pcg32_outputs16_t out = fleet_pcg32_next16(fleet_stream_at(prefix, (uint64_t)id[l], purpose));
        float sum = 0.0f;
        for (int k = 0; k < FLEET_DRAWS_PER_DAY; k++) sum += fleet_u01_open(out.out[k]);
        day[l] = sum;
      }
      for (int l = 0; l < FLEET_LANES; l++) lane_sums[l] += day[l];
    }
  }
}

static micro_run_t bench_draws(const fleet_micro_blocks_t *m, int passes) {
  micro_run_t r = {.ok = 1, .work = vehicle_days(m) * FLEET_DRAWS_PER_DAY};
  double lane_sums[FLEET_LANES] = {0};
  draws_pass(m, lane_sums);
  for (int l = 0; l < FLEET_LANES; l++) r.checksum += lane_sums[l];
  const double t0 = now_s();
  for (int p = 0; p < passes; p++) {
    draws_pass(m, lane_sums);
    MICRO_KEEP(lane_sums);
  }
  r.seconds = now_s() - t0;
  return r;
}

/* ---- plan ----------------------------------------------------------------------------------- */

/* Each block's year of plans, chained as block_year draws them; plan d into plans[d & 1]. With
 * a checksum, every plan's fields are added into it. */
static void plan_pass(const fleet_micro_blocks_t *m, fleet_day_plan_t plans[2], double *checksum) {
  const fleet_year_ctx_t *ctx = m->ctx;
  for (int b = 0; b < m->count; b++) {
    const fleet_micro_block_t *mb = &m->blocks[b];
    fleet_trip_state_t trip = mb->trip_start, after;
    for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
      fleet_plan_day(&ctx->rates, &mb->plan_consts, ctx->stream_prefix, d, ctx->workday[d], ctx->weekend_day[d],
                     &trip, &after, &plans[d & 1]);
      trip = after;
      MICRO_KEEP(plans);
      if (checksum) {
        const fleet_day_plan_t *q = &plans[d & 1];
        for (int l = 0; l < FLEET_LANES; l++)
          *checksum += (double)q->dep_hour[l] + q->ret_hour[l] + q->out_km[l] + q->back_km[l] + q->dep2_hour[l] +
                       q->ret2_hour[l] + q->out2_km[l] + q->back2_km[l] + q->need_km[l] + q->need2_km[l] +
                       q->at_work[l] + q->trips[l];
      }
    }
  }
}

static micro_run_t bench_plan(const fleet_micro_blocks_t *m, int passes) {
  micro_run_t r = {.ok = 1, .work = vehicle_days(m)};
  fleet_day_plan_t *plans = malloc(2 * sizeof *plans);
  if (!plans) return (micro_run_t){.ok = 0};
  plan_pass(m, plans, &r.checksum);
  /* the plans of the micro blocks' set-up were drawn by the same calls: they must agree */
  for (int b = 0; b < m->count && r.ok; b++) {
    fleet_trip_state_t trip = m->blocks[b].trip_start, after;
    for (int d = 0; d < FLEET_DAYS_PER_YEAR && r.ok; d++) {
      fleet_plan_day(&m->ctx->rates, &m->blocks[b].plan_consts, m->ctx->stream_prefix, d, m->ctx->workday[d],
                     m->ctx->weekend_day[d], &trip, &after, plans);
      trip = after;
      r.ok = memcmp(plans, &m->blocks[b].plan[d], sizeof *plans) == 0;
      if (!r.ok) fprintf(stderr, "fleetmc_micro: plan: block %d day %d differs from the set-up's plan\n", b, d);
    }
  }
  const double t0 = now_s();
  for (int p = 0; p < passes; p++) plan_pass(m, plans, NULL);
  r.seconds = now_s() - t0;
  free(plans);
  return r;
}

/* ---- events --------------------------------------------------------------------------------- */

/* The slots' hours, summed over copies (columns as events_day.h lists them), into *checksum;
 * then zeroed, as fleet_year.c's add_events_day leaves them. */
static void fold_slots(fleet_day_slots_t *slots, double *checksum) {
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
    for (int c = 0; c < FLEET_SLOT_COPIES; c++)
      for (int k = 0; k < FLEET_SLOT_COUNT; k++) *checksum += slots->change[h][c][k] * (double)(k + 1);
    memset(slots->change[h], 0, sizeof slots->change[h]);
  }
}

/* The day's plugged and away per hour (0 or 1 per lane), into *checksum. */
static void fold_counts(const fleet_day_sums_t *sums, double *checksum) {
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++)
    for (int l = 0; l < FLEET_LANES; l++) *checksum += (double)sums->plugged[h][l] + 2.0 * sums->away[h][l];
}

static void fold_state(const fleet_lane_state_t *s, double *checksum) {
  for (int l = 0; l < FLEET_LANES; l++) *checksum += (double)s->soc_kwh[l] + s->plugged[l] + 2.0 * s->away_prev[l];
}

static micro_run_t bench_events(const fleet_micro_blocks_t *m, int passes) {
  micro_run_t r = {.ok = 1, .work = vehicle_days(m)};
  const fleet_year_ctx_t *ctx = m->ctx;
  fleet_day_slots_t *slots = calloc(1, sizeof *slots);
  fleet_day_sums_t *sums = malloc(sizeof *sums);
  fleet_lane_state_t *s = malloc(sizeof *s);
  if (!slots || !sums || !s) {
    free(slots), free(sums), free(s);
    return (micro_run_t){.ok = 0};
  }
  for (int p = 0; p <= passes; p++) {
    const int first = p == 0; /* the untimed pass: checksum and check */
    const double t0 = now_s();
    for (int b = 0; b < m->count; b++) {
      const fleet_micro_block_t *mb = &m->blocks[b];
      const fleet_day_inputs_t *in = m->inputs[mb->region];
      for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
        *s = mb->start[d];
        const int stepped = fleet_events_day(&mb->step_consts, ctx->discharge_efficiency, ctx->plug_every_arrival,
                                             &in[d], &mb->plan[d], &mb->plan[d + 1], mb->phases, s, sums, slots);
        MICRO_KEEP(slots);
        MICRO_KEEP(s);
        MICRO_KEEP(sums);
        if (!first) continue;
        r.refused += !stepped;
        if (!stepped) continue;
        fold_state(s, &r.checksum);
        for (int l = 0; l < FLEET_LANES; l++)
          r.checksum += (double)sums->home_in_kwh[l] + sums->public_in_kwh[l] + sums->drive_kwh[l] +
                        1e-3 * ((double)sums->home_in_co2_g[l] + sums->public_in_co2_g[l]) +
                        sums->home_in_off_peak_kwh[l];
        fold_slots(slots, &r.checksum);
        fold_counts(sums, &r.checksum);
        /* the state the day leaves is the hourly step's (events_day.h, "Exactness") */
        if (d + 1 < FLEET_DAYS_PER_YEAR && memcmp(s, &mb->start[d + 1], sizeof *s) != 0) {
          fprintf(stderr, "fleetmc_micro: events: block %d day %d leaves another state than the hourly step\n", b, d);
          r.ok = 0;
        }
      }
    }
    if (!first) r.seconds += now_s() - t0;
  }
  free(slots), free(sums), free(s);
  return r;
}

/* ---- scatter -------------------------------------------------------------------------------- */

/* A block-day's changes for the scatter: its rows, from the day's plan, as fleet_events_day places
 * them: for the kinks of each of the 3 home stretches (one phase), the stretch's start (the
 * charge above the reserve), 3 hours on (full, after a few hours of charging; the cap's kink
 * merged into it, so into its unread row), and its end, for a bidirectional lane (the others
 * give nothing: their unread rows). The changes' values are the lane's, fixed per block (the
 * scatter's cost does not depend on them). */
typedef struct {
  int kink_row[3][4][FLEET_LANES];
} micro_scatter_day_t;

typedef struct {
  double kink[3][4][4][FLEET_LANES];
} micro_scatter_values_t;

/* Kink j's row at `hour`: the hour, or kink j's unread row (events_day.h). */
static int row_of(int hour, int j) { return hour < FLEET_HOURS_PER_DAY ? hour : FLEET_HOURS_PER_DAY + j; }

static void scatter_day(const fleet_micro_block_t *mb, int d, micro_scatter_day_t *day) {
  const fleet_day_plan_t *q = &mb->plan[d];
  for (int l = 0; l < FLEET_LANES; l++) {
    /* fleet_events_plan's stretches, for the whole hours the plans hold */
    const float dep = q->dep_hour[l], ret = q->ret_hour[l], dep2 = q->dep2_hour[l], ret2 = q->ret2_hour[l];
    const int no_dep = dep == FLEET_NO_HOUR, no_ret = ret == FLEET_NO_HOUR, no_dep2 = dep2 == FLEET_NO_HOUR;
    const int dep_in = dep >= 0.0f && dep <= 23.0f;
    const int away_start[2] = {no_dep ? 24 : dep_in ? (int)dep : 0, no_dep2 ? 24 : (int)dep2};
    const int away_end[2] = {no_ret ? 24 : (int)ret + 1, no_dep2 ? 24 : (int)ret2 + 1};
    const int home_start[3] = {0, away_end[0], away_end[1]};
    const int home_end[3] = {away_start[0], away_start[1], 24};
    const int gives = mb->step_consts.storage_lane[l] > 0.0f;
    for (int k = 0; k < 3; k++) {
      const int a = home_start[k], b = home_end[k] > a ? home_end[k] : a, mid = a + 3 < b ? a + 3 : b;
      const int rows[4] = {a, mid, FLEET_HOURS_PER_DAY, b}; /* the cap's kink merged with full's */
      for (int j = 0; j < 4; j++) day->kink_row[k][j][l] = row_of(gives ? rows[j] : FLEET_HOURS_PER_DAY, j);
    }
  }
}

static void scatter_values(const fleet_micro_block_t *mb, micro_scatter_values_t *v) {
  for (int l = 0; l < FLEET_LANES; l++) {
    const double soc = mb->start[0].soc_kwh[l];
    for (int k = 0; k < 3; k++)
      for (int j = 0; j < 4; j++)
        for (int c = 0; c < 4; c++) v->kink[k][j][c][l] = (j & 1 ? -1.0 : 1.0) * soc * (double)(1 + c + 4 * k) / 16.0;
  }
}

static micro_run_t bench_scatter(const fleet_micro_blocks_t *m, int passes) {
  micro_run_t r = {.ok = 1, .work = vehicle_days(m)};
  const size_t days = (size_t)m->count * FLEET_DAYS_PER_YEAR;
  micro_scatter_day_t *rows = malloc(days * sizeof *rows);
  micro_scatter_values_t *values = malloc((size_t)m->count * sizeof *values);
  fleet_day_slots_t *slots = calloc(1, sizeof *slots);
  if (!rows || !values || !slots) {
    free(rows), free(values), free(slots);
    return (micro_run_t){.ok = 0};
  }
  for (int b = 0; b < m->count; b++) {
    scatter_values(&m->blocks[b], &values[b]);
    for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) scatter_day(&m->blocks[b], d, &rows[(size_t)b * FLEET_DAYS_PER_YEAR + d]);
  }
  for (int p = 0; p <= passes; p++) {
    const double t0 = now_s();
    for (int b = 0; b < m->count; b++) {
      const micro_scatter_values_t *v = &values[b];
      for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
        const micro_scatter_day_t *day = &rows[(size_t)b * FLEET_DAYS_PER_YEAR + d];
        for (int k = 0; k < 3; k++) fleet_events_scatter(day->kink_row[k], v->kink[k], slots);
        MICRO_KEEP(slots);
        if (p == 0) fold_slots(slots, &r.checksum);
      }
    }
    if (p > 0) r.seconds += now_s() - t0;
  }
  free(rows), free(values), free(slots);
  return r;
}

/* ---- hourly --------------------------------------------------------------------------------- */

static micro_run_t bench_hourly(const fleet_micro_blocks_t *m, int passes) {
  micro_run_t r = {.ok = 1, .work = vehicle_days(m) * FLEET_HOURS_PER_DAY};
  const fleet_year_ctx_t *ctx = m->ctx;
  fleet_day_sums_t *sums = malloc(sizeof *sums);
  fleet_lane_state_t *s = malloc(sizeof *s);
  if (!sums || !s) {
    free(sums), free(s);
    return (micro_run_t){.ok = 0};
  }
  for (int p = 0; p <= passes; p++) {
    const double t0 = now_s();
    for (int b = 0; b < m->count; b++) {
      const fleet_micro_block_t *mb = &m->blocks[b];
      const fleet_day_inputs_t *in = m->inputs[mb->region];
      for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++) {
        *s = mb->start[d];
        fleet_step_day(&mb->step_consts, &ctx->solar, ctx->discharge_efficiency, ctx->plug_every_arrival, &in[d],
                       &mb->plan[d], &mb->plan[d + 1], s, sums, NULL, 0, 0);
        MICRO_KEEP(s);
        MICRO_KEEP(sums);
        if (p > 0) continue;
        fold_state(s, &r.checksum);
        for (int h = 0; h < FLEET_HOURS_PER_DAY; h++)
          for (int l = 0; l < FLEET_LANES; l++)
            r.checksum += (double)sums->energy_kwh[h][l] + 2.0 * sums->power_kw[h][l] + 3.0 * sums->plugged[h][l] +
                          4.0 * sums->away[h][l];
        for (int l = 0; l < FLEET_LANES; l++)
          r.checksum += (double)sums->home_in_kwh[l] + sums->public_in_kwh[l] + sums->drive_kwh[l];
      }
    }
    if (p > 0) r.seconds += now_s() - t0;
  }
  free(sums), free(s);
  return r;
}

/* ---- driver --------------------------------------------------------------------------------- */

typedef struct {
  const char *name, *figure;
  int per_ns;               /* 1: the figure is work per ns; 0: ns per unit of work */
  int default_passes;       /* ~1 s each at 16 blocks on bench/RESULTS.md's machine */
  micro_run_t (*run)(const fleet_micro_blocks_t *m, int passes);
} micro_bench_t;

static const micro_bench_t benches[] = {
    {"draws", "draws_per_ns", 1, 800, bench_draws},
    {"plan", "ns_per_vehicle_day", 0, 450, bench_plan},
    {"events", "ns_per_vehicle_day", 0, 120, bench_events},
    {"scatter", "ns_per_vehicle_day", 0, 250, bench_scatter},
    {"hourly", "ns_per_vehicle_hour", 0, 250, bench_hourly},
};
#define MICRO_BENCH_COUNT (int)(sizeof benches / sizeof benches[0])

/* A positive integer option value, at most max; else the message and 0. */
static long positive(const char *option, const char *value, long max) {
  char *end;
  errno = 0;
  long v = strtol(value, &end, 10);
  if (errno || end == value || *end || v < 1 || v > max) {
    fprintf(stderr, "fleetmc_micro: %s '%s': must be a whole number from 1 to %ld\n", option, value, max);
    return 0;
  }
  return v;
}

/* The stored checksum of name in path (lines "name checksum", # comments); NULL when absent.
 * Returns -1 after a message when the file cannot be read or a line is malformed. */
static int expected_of(const char *path, const char *name, char *out, size_t out_size) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "fleetmc_micro: --expect %s: %s\n", path, strerror(errno));
    return -1;
  }
  char line[256];
  int found = 0, number = 0;
  while (fgets(line, sizeof line, f)) {
    number++;
    char key[64], value[64], extra;
    if (line[0] == '#' || strspn(line, " \t\r\n") == strlen(line)) continue;
    if (sscanf(line, "%63s %63s %c", key, value, &extra) != 2) {
      fprintf(stderr, "fleetmc_micro: --expect %s:%d: '%s' is not 'name checksum'\n", path, number,
              strtok(line, "\r\n"));
      fclose(f);
      return -1;
    }
    if (strcmp(key, name) == 0) {
      snprintf(out, out_size, "%s", value);
      found = 1;
    }
  }
  fclose(f);
  return found;
}

int main(int argc, char **argv) {
  const char *config = FLEET_SOURCE_DIR "/configs/baseline.yaml", *expect = NULL, *only = NULL;
  long blocks = MICRO_DEFAULT_BLOCKS, passes = 0;
  int small = 0, blocks_given = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--small") == 0) {
      small = 1;
    } else if (v && strcmp(a, "--blocks") == 0) {
      if (!(blocks = positive(a, v, MICRO_MAX_BLOCKS))) return 2;
      blocks_given = 1, i++;
    } else if (v && strcmp(a, "--passes") == 0) {
      if (!(passes = positive(a, v, 1000000))) return 2;
      i++;
    } else if (v && strcmp(a, "--config") == 0) {
      config = v, i++;
    } else if (v && strcmp(a, "--expect") == 0) {
      expect = v, i++;
    } else if (v && strcmp(a, "--only") == 0) {
      only = v, i++;
      int known = 0;
      for (int k = 0; k < MICRO_BENCH_COUNT; k++) known |= strcmp(only, benches[k].name) == 0;
      if (!known) {
        fprintf(stderr, "fleetmc_micro: --only '%s': must be draws, plan, events, scatter or hourly\n", only);
        return 2;
      }
    } else {
      fprintf(stderr, "fleetmc_micro: unknown or incomplete option '%s'\nusage: fleetmc_micro [--config FILE] "
                      "[--small | --blocks N] [--passes N] [--only NAME] [--expect FILE]\n", a);
      return 2;
    }
  }
  if (small && blocks_given) {
    fprintf(stderr, "fleetmc_micro: --small and --blocks: give one (--small is --blocks %d --passes 1)\n",
            MICRO_SMALL_BLOCKS);
    return 2;
  }
  if (small) blocks = MICRO_SMALL_BLOCKS, passes = passes ? passes : 1;
  if (expect && blocks != MICRO_SMALL_BLOCKS) {
    fprintf(stderr, "fleetmc_micro: --expect %s: the stored checksums are of the --small size (%d blocks), "
                    "not %ld blocks\n", expect, MICRO_SMALL_BLOCKS, blocks);
    return 2;
  }
  char unused[64];
  if (expect && expected_of(expect, "", unused, sizeof unused) < 0) return 2; /* read and parse it first */

  fleet_micro_blocks_t m;
  fleet_error_t err;
  /* enough vehicles that the fleet holds the blocks without a solar garage or carport asked for */
  const int64_t vehicles = blocks * FLEET_LANES * 8 > 20000 ? blocks * FLEET_LANES * 8 : 20000;
  fleet_status_t st = fleet_micro_blocks_create(config, vehicles, (int)blocks, &m, &err);
  if (st != FLEET_OK) {
    fprintf(stderr, "fleetmc_micro: %s\n", err.message);
    return st == FLEET_ERR_NOMEM ? 1 : 2;
  }
  printf("# fleetmc_micro: %s, %ld blocks x %d days (%.0f vehicle-days), one thread\n", config, blocks,
         FLEET_DAYS_PER_YEAR, vehicle_days(&m));
  int failed = 0;
  for (int k = 0; k < MICRO_BENCH_COUNT; k++) {
    const micro_bench_t *bench = &benches[k];
    if (only && strcmp(only, bench->name) != 0) continue;
    const int bench_passes = passes ? (int)passes : bench->default_passes;
    const micro_run_t r = bench->run(&m, bench_passes);
    if (!r.ok) {
      fprintf(stderr, "fleetmc_micro: %s failed\n", bench->name);
      failed = 1;
      continue;
    }
    const double ns = r.seconds * 1e9, work = r.work * bench_passes;
    char checksum[64];
    snprintf(checksum, sizeof checksum, "%.17g", r.checksum);
    printf("%-8s %s %.4g checksum %s passes %d", bench->name, bench->figure, bench->per_ns ? work / ns : ns / work,
           checksum, bench_passes);
    if (strcmp(bench->name, "events") == 0) printf(" refused_block_days %lld", r.refused);
    printf("\n");
    if (expect) {
      char stored[64];
      const int found = expected_of(expect, bench->name, stored, sizeof stored);
      if (found < 0) return 2;
      if (!found) {
        fprintf(stderr, "fleetmc_micro: %s: no stored checksum in %s: add the line '%s %s'\n", bench->name, expect,
                bench->name, checksum);
        failed = 1;
      } else if (strcmp(stored, checksum) != 0) {
        fprintf(stderr, "fleetmc_micro: %s: checksum expected %s, got %s: the model changed without the stored "
                        "value being updated: update %s\n", bench->name, stored, checksum, expect);
        failed = 1;
      }
    }
  }
  fleet_micro_blocks_free(&m);
  return failed;
}
