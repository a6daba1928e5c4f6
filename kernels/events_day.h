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
 * Each event adds changes of offset and slope to per-lane difference slots at its hour, so that
 * a lane's energy at hour h is O(h) + h S(h), O and S being the prefix sums of the changes;
 * plugged and away are offsets only. fleet_year.c sums a block's lanes slot by slot and takes one
 * prefix sum over the day.
 *
 * Exactness. The state the day leaves (state of charge, plug, away) and every per-day sum
 * (driving, home and public charging, their CO2 and off-peak parts) are bit-identical to the
 * hourly step's: the same float operations run in the same order, only the hours in which they
 * would change nothing are skipped (the charge in such an hour is +0, and x + 0 = x). So every
 * discrete decision (plug in on arrival, charge publicly) is the hourly step's, and the two
 * kernels never drift apart. Only the hourly energy and power of a charging stretch differ: the
 * events use the closed form min(s + k C, full) where the hourly step adds C k times in float.
 * Each of those k <= 24 additions rounds by at most half an ulp of a value below the battery's
 * capacity X, so a vehicle-hour's energy differs by at most 24 x 2^-24 X from this, plus the
 * hourly step's rounding of x - reserve (2^-24 X) and a kink hour placed one off only where the
 * ramp is within that rounding of its clamp; the slots themselves are double. Hence per
 * vehicle-hour |energy_events - energy_hourly| <= 27 x 2^-24 x capacity, and power the same x
 * the discharge efficiency (tests/test_kernels_agree.c turns this into its bound).
 *
 * A lane whose day does not fit this picture (hours that are not whole, outings out of order,
 * a public charge that would repeat) makes fleet_events_day return 0 before it has touched the
 * state or the slots; the caller then steps that block-day by the hour. */
#ifndef FLEET_EVENTS_DAY_H
#define FLEET_EVENTS_DAY_H

#include <math.h>

#include "lanes.h"
#include "vehicle_step.h"

/* What each slot holds, per hour and lane: changes of the energy's and the power's offset and
 * slope, of plugged and of away. */
enum {
  FLEET_SLOT_ENERGY_OFFSET, FLEET_SLOT_ENERGY_SLOPE, FLEET_SLOT_POWER_OFFSET, FLEET_SLOT_POWER_SLOPE,
  FLEET_SLOT_PLUGGED, FLEET_SLOT_AWAY, FLEET_SLOT_COUNT
};

/* A day's slots: hours 0..23, and 24, a sink for the changes at midnight (never read). Zero
 * between days. */
typedef struct {
  double change[FLEET_SLOT_COUNT][FLEET_HOURS_PER_DAY + 1][FLEET_LANES];
} fleet_day_slots_t;

/* The day cut where the off-peak window opens or closes: in each phase every lane either may
 * charge at home or may not. One phase [0, 24) for a block without off-peak lanes. */
#define FLEET_MAX_PHASES 3
typedef struct {
  int count;
  int start[FLEET_MAX_PHASES], end[FLEET_MAX_PHASES];
  float off_peak_window[FLEET_MAX_PHASES]; /* 1: the phase is in the off-peak window */
} fleet_day_phases_t;

/* A day holds at most three home stretches (before slot 1, between the outings, after slot 2),
 * each cut into at most FLEET_MAX_PHASES pieces. */
#define FLEET_EVENT_PIECES (3 * FLEET_MAX_PHASES)

/* The public charge of an hour in which the car drives `drive` kWh (0: an hour without a leg),
 * as the hourly step computes it; returns the charge after the hour's leg. */
static inline float fleet_events_public(float soc, float drive, float reserve, float public_target, float *pub) {
  float short_of = soc - drive < reserve ? 1.0f : 0.0f;
  float topped = fleet_maxf(public_target, reserve + drive);
  *pub = short_of * (topped - soc);
  return soc + *pub - drive;
}

static inline double fleet_clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Steps one day of the lanes by events; tomorrow's plan gives the reserve after the last trip.
 * Returns 1 and updates *s, the per-lane day totals of *out (not its hourly arrays) and *slots;
 * returns 0 and changes nothing when some lane's day needs the hourly step. */
static inline int fleet_events_day(const fleet_step_consts_t *restrict c, float discharge_efficiency,
                                   float plug_every_arrival, const fleet_day_inputs_t *restrict in,
                                   const fleet_day_plan_t *restrict today, const fleet_day_plan_t *restrict tomorrow,
                                   const fleet_day_phases_t *restrict phases, fleet_lane_state_t *restrict s,
                                   fleet_day_sums_t *restrict out, fleet_day_slots_t *restrict slots) {
  enum { L = FLEET_LANES };
  /* the legs' hours (0..23, else no leg today) in the order they happen, and the away stretches */
  float leg_hour[4][L];
  int leg[4][L], away_start[2][L], away_end[2][L];
  int home_start[3][L], home_end[3][L];
  float keep[3][L];
  float x[L], plug[L], reserve[L];
  float home_in[L], home_co2[L], home_off_peak[L], public_in[L], public_co2[L], drive_sum[L];
  int ok = 1;
  for (int l = 0; l < L; l++) {
    const float dep = today->dep_hour[l], ret = today->ret_hour[l];
    const float dep2 = today->dep2_hour[l], ret2 = today->ret2_hour[l];
    const float none = FLEET_NO_HOUR;
    /* whole hours, -1 (left on an earlier day) or none; slot 2 after slot 1 is back */
    int whole = dep == floorf(dep) && ret == floorf(ret) && dep2 == floorf(dep2) && ret2 == floorf(ret2);
    int in_range = (dep == -1.0f || dep == none || (dep >= 0.0f && dep <= 23.0f)) &&
                   (ret == none || (ret >= 0.0f && ret <= 23.0f && ret >= dep)) &&
                   (dep2 == none || (dep2 >= 0.0f && dep2 <= 23.0f && ret2 >= dep2 && ret2 <= 23.0f && ret != none &&
                                     dep2 > ret)) &&
                   (dep2 != none || ret2 == none) && (dep != none || (ret == none && dep2 == none));
    ok &= whole && in_range;
    if (!(whole && in_range)) continue;
    leg_hour[0][l] = dep, leg_hour[1][l] = ret, leg_hour[2][l] = dep2, leg_hour[3][l] = ret2;
    leg[0][l] = dep >= 0.0f && dep <= 23.0f;
    leg[1][l] = ret <= 23.0f && ret != dep; /* a same-hour return is driven with the departure */
    leg[2][l] = dep2 <= 23.0f;
    leg[3][l] = ret2 <= 23.0f && ret2 != dep2;
    away_start[0][l] = dep == none ? 24 : dep < 0.0f ? 0 : (int)dep;
    away_end[0][l] = ret == none ? 24 : (int)ret + 1;
    away_start[1][l] = dep2 == none ? 24 : (int)dep2;
    away_end[1][l] = dep2 == none ? 24 : (int)ret2 + 1;
    home_start[0][l] = 0, home_end[0][l] = away_start[0][l];
    home_start[1][l] = away_end[0][l], home_end[1][l] = away_start[1][l];
    home_start[2][l] = away_end[1][l], home_end[2][l] = 24;
    /* the reserve of each home stretch, as the hourly step computes it (vehicle_step.h) */
    float kwh_per_km = c->kwh_per_km[l] * in->day_factor;
    float need_after = tomorrow->need_km[l] * kwh_per_km;
    float no_trip = dep == FLEET_NO_HOUR ? 1.0f : 0.0f;
    float no_second = dep2 == FLEET_NO_HOUR ? 1.0f : 0.0f;
    float need[3] = {no_trip * need_after + (1.0f - no_trip) * today->need_km[l] * kwh_per_km,
                     no_second * need_after + (1.0f - no_second) * today->need2_km[l] * kwh_per_km, need_after};
    for (int k = 0; k < 3; k++)
      keep[k][l] = fleet_maxf(c->floor_kwh[l], need[k]) + c->reserve_adds_floor[l] * fleet_minf(c->floor_kwh[l], need[k]);
    reserve[l] = c->public_reserve_kwh[l];
    x[l] = s->soc_kwh[l];
    plug[l] = s->plugged[l];
    home_in[l] = home_co2[l] = home_off_peak[l] = public_in[l] = public_co2[l] = drive_sum[l] = 0.0f;
  }
  if (!ok) return 0;

  /* The pieces of home stretches, recorded for the slots once every lane is known to fit. */
  int piece_start[FLEET_EVENT_PIECES][L], piece_end[FLEET_EVENT_PIECES][L];
  float piece_soc[FLEET_EVENT_PIECES][L], piece_charging[FLEET_EVENT_PIECES][L], piece_plug[FLEET_EVENT_PIECES][L];
  int piece_stretch[FLEET_EVENT_PIECES];
  int pieces = 0;

  /* A public charge in an hour without a leg: the hourly step makes one whenever the hour starts
   * below the reserve, which happens only after a leg that the public charge brought to the
   * reserve and the rounding of (reserve + drive) - drive left a hair below it. */
#define FLEET_EVENTS_STRAY_PUBLIC(hour_of_lane)                                                     \
  for (int l = 0; l < L; l++) {                                                                     \
    int h = (hour_of_lane);                                                                         \
    float hf = (float)h;                                                                            \
    int legs_there = hf == today->dep_hour[l] || hf == today->ret_hour[l] || hf == today->dep2_hour[l] || \
                     hf == today->ret2_hour[l];                                                      \
    if (h < 0 || h > 23 || legs_there || !(x[l] < reserve[l])) continue;                            \
    float pub;                                                                                      \
    x[l] = fleet_events_public(x[l], 0.0f, reserve[l], c->public_target_kwh[l], &pub);             \
    public_in[l] += pub;                                                                            \
    public_co2[l] += pub * in->grid_g_co2_per_kwh[h];                                               \
    ok &= !(x[l] < reserve[l]); /* a second one in a row: leave the day to the hourly step */      \
  }

  /* A home stretch: the plug decision on arrival, then the charge hour by hour in each phase
   * where the lane may charge, until the phase ends or the car is full. */
#define FLEET_EVENTS_HOME(k)                                                                        \
  for (int l = 0; l < L; l++) {                                                                     \
    if (home_start[k][l] >= home_end[k][l]) continue;                                               \
    float arrived = (k) == 0 ? s->away_prev[l] : 1.0f;                                              \
    float wants = fleet_maxf(plug_every_arrival, x[l] < c->plug_threshold_kwh[l] ? 1.0f : 0.0f);    \
    plug[l] = arrived * c->has_charger[l] * wants + (1.0f - arrived) * plug[l];                     \
  }                                                                                                 \
  for (int f = 0; f < phases->count; f++, pieces++) {                                               \
    int hours[L], longest = 0;                                                                      \
    piece_stretch[pieces] = (k);                                                                    \
    for (int l = 0; l < L; l++) {                                                                   \
      int a = home_start[k][l] > phases->start[f] ? home_start[k][l] : phases->start[f];            \
      int b = home_end[k][l] < phases->end[f] ? home_end[k][l] : phases->end[f];                    \
      float open = 1.0f + c->off_peak[l] * (phases->off_peak_window[f] - 1.0f);                     \
      piece_start[pieces][l] = a, piece_end[pieces][l] = b > a ? b : a;                            \
      piece_soc[pieces][l] = x[l];                                                                  \
      piece_plug[pieces][l] = plug[l];                                                              \
      piece_charging[pieces][l] = plug[l] * open;                                                   \
      hours[l] = plug[l] * open > 0.0f && b > a ? b - a : 0;                                        \
      longest = hours[l] > longest ? hours[l] : longest;                                            \
    }                                                                                               \
    for (int i = 0; i < longest; i++) {                                                             \
      int charging = 0;                                                                             \
      for (int l = 0; l < L; l++) {                                                                 \
        if (i >= hours[l]) continue;                                                                \
        int h = piece_start[pieces][l] + i;                                                         \
        float charge = fleet_maxf(fleet_minf(c->home_charge_kwh[l], c->target_kwh[l] - x[l]), 0.0f); \
        x[l] += charge;                                                                             \
        home_in[l] += charge;                                                                       \
        home_co2[l] += charge * in->grid_g_co2_per_kwh[h];                                          \
        home_off_peak[l] += charge * in->off_peak_window[h];                                        \
        charging |= i + 1 < hours[l] && x[l] < c->target_kwh[l];                                    \
      }                                                                                             \
      if (!charging) break; /* full: the hours left would each add +0 */                           \
    }                                                                                               \
  }

  /* A leg, at its hour: the hourly step's drive and public charge (both legs when they share it). */
#define FLEET_EVENTS_LEG(j)                                                                         \
  for (int l = 0; l < L; l++) {                                                                     \
    if (!leg[j][l]) continue;                                                                       \
    float hour = leg_hour[j][l];                                                                    \
    float km = (hour == today->dep_hour[l] ? today->out_km[l] : 0.0f) +                             \
               (hour == today->ret_hour[l] ? today->back_km[l] : 0.0f) +                            \
               (hour == today->dep2_hour[l] ? today->out2_km[l] : 0.0f) +                           \
               (hour == today->ret2_hour[l] ? today->back2_km[l] : 0.0f);                           \
    float drive = km * c->kwh_per_km[l] * in->consumption_factor[(int)hour];                        \
    float pub;                                                                                      \
    x[l] = fleet_events_public(x[l], drive, reserve[l], c->public_target_kwh[l], &pub);            \
    public_in[l] += pub;                                                                            \
    public_co2[l] += pub * in->grid_g_co2_per_kwh[(int)hour];                                       \
    drive_sum[l] += drive;                                                                          \
  }                                                                                                 \
  FLEET_EVENTS_STRAY_PUBLIC(leg[j][l] ? (int)leg_hour[j][l] + 1 : -1)

  FLEET_EVENTS_STRAY_PUBLIC(0)
  FLEET_EVENTS_HOME(0)
  FLEET_EVENTS_LEG(0)
  FLEET_EVENTS_LEG(1)
  FLEET_EVENTS_HOME(1)
  FLEET_EVENTS_LEG(2)
  FLEET_EVENTS_LEG(3)
  FLEET_EVENTS_HOME(2)
#undef FLEET_EVENTS_LEG
#undef FLEET_EVENTS_HOME
#undef FLEET_EVENTS_STRAY_PUBLIC
  if (!ok) return 0;

  /* The slots. A home piece [p, q) entered with charge x0, charging C per hour up to u = max(x0,
   * full) (C = 0 where it may not charge): its energy above the reserve K is g (x0 - K + (h - p +
   * 1) C), g = plugged x bidirectional, from the first hour ha where that is positive to the hour
   * hb it is full, then H = g max(u - K, 0); the power is eff times the same line up to the hour hp
   * it reaches the charger's cap, then Hp = min(eff H, cap). p <= ha <= hp <= hb <= q. */
  const double eff = discharge_efficiency;
  for (int k = 0; k < pieces; k++)
    for (int l = 0; l < L; l++) {
      const int p = piece_start[k][l], q = piece_end[k][l];
      const double x0 = piece_soc[k][l], reserve_kwh = keep[piece_stretch[k]][l];
      const double cap_kw = c->discharge_kw[l], full = c->target_kwh[l];
      const double rate = piece_charging[k][l] > 0.0f ? c->home_charge_kwh[l] : 0.0;
      const double g = q > p ? (double)(piece_plug[k][l] * c->storage_lane[l]) : 0.0;
      const double u = rate > 0.0 ? fmax(x0, full) : x0;
      const double flat = g * fmax(u - reserve_kwh, 0.0), flat_power = fmin(eff * flat, cap_kw);
      double ha = p, hb = p, hp = p, line = flat, slope = 0.0, line_power = flat_power, slope_power = 0.0;
      if (rate > 0.0) {
        ha = fleet_clamp(p + floor(fleet_clamp((reserve_kwh - x0) / rate, -48.0, 48.0)), p, q);
        hb = fleet_clamp(p + ceil(fleet_clamp((u - x0) / rate, -48.0, 48.0)) - 1.0, ha, q);
        hp = fleet_clamp(p + ceil(fleet_clamp((reserve_kwh + cap_kw / eff - x0) / rate, -48.0, 48.0)) - 1.0, ha, hb);
        line = g * (x0 - reserve_kwh + (1.0 - p) * rate);
        slope = g * rate;
        line_power = eff * line;
        slope_power = eff * slope;
      }
      double(*v)[FLEET_HOURS_PER_DAY + 1][L] = slots->change;
      v[FLEET_SLOT_ENERGY_OFFSET][(int)ha][l] += line;
      v[FLEET_SLOT_ENERGY_SLOPE][(int)ha][l] += slope;
      v[FLEET_SLOT_POWER_OFFSET][(int)ha][l] += line_power;
      v[FLEET_SLOT_POWER_SLOPE][(int)ha][l] += slope_power;
      v[FLEET_SLOT_ENERGY_OFFSET][(int)hb][l] += flat - line;
      v[FLEET_SLOT_ENERGY_SLOPE][(int)hb][l] -= slope;
      v[FLEET_SLOT_POWER_OFFSET][(int)hp][l] += flat_power - line_power;
      v[FLEET_SLOT_POWER_SLOPE][(int)hp][l] -= slope_power;
      v[FLEET_SLOT_ENERGY_OFFSET][q][l] -= flat;
      v[FLEET_SLOT_POWER_OFFSET][q][l] -= flat_power;
    }
  for (int l = 0; l < L; l++) {
    for (int k = 0; k < 3; k++) {
      /* plugged over each home stretch: the plug of its first piece */
      const int p = home_start[k][l], q = home_end[k][l];
      if (p >= q) continue;
      float stretch_plug = 0.0f;
      for (int i = 0; i < pieces; i++)
        if (piece_stretch[i] == k) {
          stretch_plug = piece_plug[i][l];
          break;
        }
      slots->change[FLEET_SLOT_PLUGGED][p][l] += stretch_plug;
      slots->change[FLEET_SLOT_PLUGGED][q][l] -= stretch_plug;
    }
    for (int k = 0; k < 2; k++) {
      slots->change[FLEET_SLOT_AWAY][away_start[k][l]][l] += 1.0;
      slots->change[FLEET_SLOT_AWAY][away_end[k][l]][l] -= 1.0;
    }
  }

  /* The state the day leaves: hour 23 at home (in the last non-empty stretch) or away. */
  for (int l = 0; l < L; l++) {
    int away_at_end = away_end[0][l] == 24 && away_start[0][l] < 24 ? 1 : away_end[1][l] == 24 && away_start[1][l] < 24;
    s->soc_kwh[l] = x[l];
    s->plugged[l] = away_at_end ? 0.0f : plug[l];
    s->away_prev[l] = away_at_end ? 1.0f : 0.0f;
    out->home_in_kwh[l] = home_in[l];
    out->public_in_kwh[l] = public_in[l];
    out->drive_kwh[l] = drive_sum[l];
    out->home_in_co2_g[l] = home_co2[l];
    out->public_in_co2_g[l] = public_co2[l];
    out->home_in_off_peak_kwh[l] = home_off_peak[l];
  }
  return 1;
}

#endif
