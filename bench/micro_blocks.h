/* micro_blocks.h: real block-days of a scenario for the micro-benchmarks (bench/micro.c).
 *
 * A block's constants, its day plans and its lanes' state at the start of each day of the year,
 * set up as kernels/fleet_year.c (block_year) sets them up, the days stepped by the hourly step
 * (the reference). block_year is static there, so its lane set-up is written again here; it is
 * checked, not trusted: fleet_micro_blocks_create runs each block through the library's own
 * fleet_block_year as well and refuses a block whose year ends differently (state of charge,
 * energy driven, charged at home and in public, bit for bit). That comparison needs years without
 * outages (an outage day is stepped by the outage variant), so the scenario is loaded with
 * outage.rate_per_year=0 and storm.rate_per_year=0: the micro-benchmarks time the kernels of the
 * days without an outage, which are the days the events kernel takes. */
#ifndef FLEET_MICRO_BLOCKS_H
#define FLEET_MICRO_BLOCKS_H

#include "error.h"
#include "fleet_year.h"
#include "lanes.h"
#include "params.h"
#include "population.h"

/* One block's year. */
typedef struct {
  int64_t block;
  int region;
  fleet_plan_consts_t plan_consts;
  fleet_step_consts_t step_consts;
  fleet_trip_state_t trip_start;                   /* the long trips under way on day 0 */
  const fleet_day_phases_t *phases;                /* the events kernel's day cut (fleet_year.c) */
  fleet_lane_state_t start[FLEET_DAYS_PER_YEAR];   /* the lanes at the start of each day */
  fleet_day_plan_t plan[FLEET_DAYS_PER_YEAR + 1];  /* [365]: next year's day 0 */
} fleet_micro_block_t;

/* The first `count` blocks of the fleet without a solar garage or carport (the blocks the events
 * kernel steps), year 0 of replica 0, and the inputs of each of their regions' days. */
typedef struct {
  fleet_params_t *params;
  fleet_population_t pop;
  fleet_state_t state;
  fleet_year_ctx_t *ctx;
  int count;
  fleet_micro_block_t *blocks;
  fleet_day_inputs_t *inputs[FLEET_MAX_REGIONS]; /* [day], for the regions of the blocks; else NULL */
} fleet_micro_blocks_t;

/* Loads the scenario at config with the overrides above and `vehicles` vehicles, and sets up
 * `count` blocks. FLEET_ERR_SCENARIO when the fleet has fewer such blocks, or when a block's year
 * does not match fleet_block_year's (the set-up here has drifted from block_year's). */
fleet_status_t fleet_micro_blocks_create(const char *config, int64_t vehicles, int count, fleet_micro_blocks_t *m,
                                         fleet_error_t *err);
void fleet_micro_blocks_free(fleet_micro_blocks_t *m);

#endif
