/* events_day.h: one day of a block's lanes stepped by events instead of by hours.
 *
 * The hourly step (vehicle_step.h) stays the reference; this file computes the same day for the
 * days that allow it: blocks without a solar garage or carport, and days without an outage in
 * the block (fleet_year.c chooses; the model has no closed-loop dispatch). On such a day a car's
 * state changes only at a few hours, and between them its contribution to the fleet's hourly
 * energy and power is piecewise linear in the hour.
 *
 * An event is an hour at which something in that piecewise-linear picture changes:
 * - a drive: the departure or return leg of one of the day's outings (with a public charge first
 *   when the leg would leave less than the public reserve), and the hour after it when the leg
 *   left the car a rounding below the reserve (the hourly step then charges publicly there);
 * - an arrival home, where the plug-in habit decides; a departure, where the car unplugs and the
 *   reserve changes to the energy of the trips still ahead;
 * - the opening and closing of the off-peak window, for a lane on the off-peak schedule;
 * - within a home stretch where the car charges: the first hour its energy above the reserve is
 *   positive, the hour its deliverable power reaches the charger's cap, and the hour it is full.
 * Each event adds changes of offset and slope to difference slots at its hour, so that the
 * block's energy at hour h is O(h) + h S(h), O and S being the prefix sums of the changes (the
 * power likewise). fleet_year.c (add_events_day) takes that one prefix sum per block-day and adds
 * each hour into the fixed-point accumulators, as the hourly path adds its lane sums: so the
 * totals stay bit-identical across threads, jobs and ranks. Plugged and away are written hour by
 * hour as the hourly step writes them (0 or 1 per lane) and summed as its are: a day's ten
 * changes of them per lane cost more as read-modify-writes of the slots than as 24 vector
 * compares (bench/RESULTS.md).
 *
 * A day runs as: the lanes' legs and stretches at home (fleet_events_plan); a public charge at
 * hour 0 if one is due; the morning at home; the outbound and return legs; the afternoon at
 * home; the evening outing's legs; the evening at home; then the slots of each home piece, and
 * plugged and away hour by hour.
 *
 * Exactness. The state the day leaves (state of charge, plug, away) and every per-day sum
 * (driving, home and public charging, their CO2 and off-peak parts) are bit-identical to the
 * hourly step's: the same float operations run in the same order, only the hours in which they
 * would change nothing are skipped (the charge in such an hour is +0, and x + 0 = x). So every
 * discrete decision (plug in on arrival, charge publicly) is the hourly step's, and the two
 * kernels never drift apart. Only the hourly energy and power of a charging stretch differ: the
 * events use the closed form min(s + k C, full), in double, from the exact charge at the start
 * of each piece, where the hourly step adds C k times in float.
 * Each of those k <= 24 additions rounds by at most half an ulp of a value below the battery's
 * capacity X, so a vehicle-hour's energy differs by at most 24 x 2^-24 X from this, plus the
 * hourly step's rounding of x - reserve (2^-24 X) and a kink hour placed one off only where the
 * ramp is within that rounding of its clamp; the slots are double (their own rounding, 2^-53 of
 * the values, is far below). Hence per
 * vehicle-hour |energy_events - energy_hourly| <= 27 x 2^-24 x capacity, and power the same x
 * the discharge efficiency (tests/test_kernels_agree.c turns this into its bound).
 *
 * A lane whose day does not fit this picture (hours that are not whole, outings out of order,
 * a public charge that would repeat) makes fleet_events_day return 0 before it has touched the
 * state or the slots; the caller then steps that block-day by the hour. */
#ifndef FLEET_EVENTS_DAY_H
#define FLEET_EVENTS_DAY_H

#include <string.h>

#include "lanes.h"

/* What each slot holds: changes of the energy's and the power's offset and slope at one hour. */
enum {
  FLEET_SLOT_ENERGY_OFFSET, FLEET_SLOT_ENERGY_SLOPE, FLEET_SLOT_POWER_OFFSET, FLEET_SLOT_POWER_SLOPE,
  FLEET_SLOT_COUNT
};

/* A day's slots: hours 0..23, then one row per kink of a piece (FLEET_EVENTS_KINKS) for the
 * changes that must go nowhere (at midnight, or of a lane that gives nothing), never read:
 * writing there costs less than a branch, and a row per kink keeps a lane's dead kinks from
 * waiting for each other. Lane l adds into copy l % FLEET_SLOT_COPIES of each row, so that the
 * additions of lanes to one hour wait only for the lane 8 before (4 copies left chains of
 * read-modify-writes through memory); the copies are summed once a day along a fixed tree (the
 * result depends neither on threads nor on the schedule). A slot is 4 doubles, an hour's copies
 * 256 bytes. Hours 0..23 are zero between days. */
#define FLEET_EVENTS_KINKS 4
#define FLEET_SLOT_COPIES 8
#define FLEET_SLOT_ROWS (FLEET_HOURS_PER_DAY + FLEET_EVENTS_KINKS)
typedef struct {
  double change[FLEET_SLOT_ROWS][FLEET_SLOT_COPIES][FLEET_SLOT_COUNT];
} fleet_day_slots_t;

/* The day cut where the off-peak window opens or closes: in each phase every lane either may
 * charge at home or may not. One phase [0, 24) for a block without off-peak lanes. */
#define FLEET_MAX_PHASES 3
typedef struct {
  int count;
  int start[FLEET_MAX_PHASES], end[FLEET_MAX_PHASES];
  float off_peak_window[FLEET_MAX_PHASES]; /* 1: the phase is in the off-peak window */
} fleet_day_phases_t;

/* Four doubles as one vector (a GNU C extension, as ../shared/bench/floor_events.c). */
typedef double fleet_v4d __attribute__((vector_size(32)));

/* The scatter of a piece's kinks into the day's slots, as fleet_events_day makes it (and
 * bench/micro.c times it): for each lane l in turn, for each kink k in turn, the four changes
 * change[k][0..3][l] (the slot's columns) are added to row at[k][l], copy l % FLEET_SLOT_COPIES;
 * a change that must go nowhere has kink k's unread row FLEET_HOURS_PER_DAY + k. One 4-wide
 * read-modify-write per change (a lane's kinks often share an hour: a narrower store then a wider
 * load would stall). The order is part of the result: a slot's sum rounds in it. */
static inline void fleet_events_scatter(const int at[FLEET_EVENTS_KINKS][FLEET_LANES],
                                        const double change[FLEET_EVENTS_KINKS][FLEET_SLOT_COUNT][FLEET_LANES],
                                        fleet_day_slots_t *restrict slots) {
  for (int l = 0; l < FLEET_LANES; l++) {
    const int copy = l % FLEET_SLOT_COPIES;
    for (int k = 0; k < FLEET_EVENTS_KINKS; k++) {
      const fleet_v4d add = {change[k][0][l], change[k][1][l], change[k][2][l], change[k][3][l]};
      fleet_v4d slot;
      memcpy(&slot, slots->change[at[k][l]][copy], sizeof slot);
      slot += add;
      memcpy(slots->change[at[k][l]][copy], &slot, sizeof slot);
    }
  }
}

/* Steps one day of the lanes by events; tomorrow's plan gives the reserve after the last trip.
 * Returns 1 and updates *s, the per-lane day totals of *out, its plugged and away (not its
 * other hourly arrays) and *slots;
 * returns 0 and changes nothing when some lane's day needs the hourly step. */
int fleet_events_day(const fleet_step_consts_t *restrict c, float discharge_efficiency, float plug_every_arrival,
                     const fleet_day_inputs_t *restrict in, const fleet_day_plan_t *restrict today,
                     const fleet_day_plan_t *restrict tomorrow, const fleet_day_phases_t *restrict phases,
                     fleet_lane_state_t *restrict s, fleet_day_sums_t *restrict out,
                     fleet_day_slots_t *restrict slots);

#endif
