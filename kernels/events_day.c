/* events_day.c: the events kernel (events_day.h says what an event is and why the sums are
 * exact to the stated bound).
 *
 * Built with -fno-trapping-math (CMakeLists.txt), as ../shared/bench/floor_events.c: gcc may then
 * compute both sides of a lane's choice and pick one, so the lane loops vectorise. The values are
 * the same (the flag neither reorders nor fuses operations; it only stops keeping floating-point
 * exceptions, which nothing reads), which tests/test_kernels_agree.c checks bit for bit on the
 * state and the per-day sums. */
#include "events_day.h"

#include <math.h>
#include <string.h>

#include "vehicle_step.h"


/* The public charge of an hour in which the car drives `drive` kWh (0: an hour without a leg),
 * as the hourly step computes it; returns the charge after the hour's leg. */
static inline float fleet_events_public(float soc, float drive, float reserve, float public_target, float *pub) {
  float short_of = soc - drive < reserve ? 1.0f : 0.0f;
  float topped = fleet_maxf(public_target, reserve + drive);
  *pub = short_of * (topped - soc);
  return soc + *pub - drive;
}

/* v clamped to [lo, hi], branch-free (a kink's hour). */
static inline double fleet_clamp(double v, double lo, double hi) {
  const double above_lo = v < lo ? lo : v;
  return above_lo > hi ? hi : above_lo;
}

/* A lane's day as the events see it: its legs, its stretches at home and away, and what it
 * carries from one event to the next. */
typedef struct {
  float leg_hour[4][FLEET_LANES]; /* departure, return, evening departure, evening return */
  int leg[4][FLEET_LANES];        /* 1: the leg is driven today, at leg_hour (a same-hour
                                     return is driven with its departure) */
  int leg_at[4][FLEET_LANES];     /* its hour as an index, 0 where not driven */
  int away_start[2][FLEET_LANES], away_end[2][FLEET_LANES]; /* [start, end); 24: none */
  int home_start[3][FLEET_LANES], home_end[3][FLEET_LANES]; /* before, between, after */
  float keep[3][FLEET_LANES];     /* the reserve of each home stretch */
  double inv_rate[FLEET_LANES];   /* 1 / the home charger's kWh per hour (0 without one) */
  float soc[FLEET_LANES], plug[FLEET_LANES];
  float home_in[FLEET_LANES], home_co2[FLEET_LANES], home_off_peak[FLEET_LANES];
  float public_in[FLEET_LANES], public_co2[FLEET_LANES], drive[FLEET_LANES];
} fleet_events_lanes_t;

/* Sets up the lanes' day; returns the number of lanes whose hours do not fit the events (whole
 * hours, -1 for "left on an earlier day", slot 2 after slot 1 is back). */
static inline int fleet_events_plan(const fleet_step_consts_t *restrict c, const fleet_day_inputs_t *restrict in,
                                    const fleet_day_plan_t *restrict today, const fleet_day_plan_t *restrict tomorrow,
                                    const fleet_lane_state_t *restrict s, fleet_events_lanes_t *restrict e) {
  const float none = FLEET_NO_HOUR;
  int misfits = 0;
#pragma omp simd reduction(+ : misfits)
  for (int l = 0; l < FLEET_LANES; l++) {
    const float dep = today->dep_hour[l], ret = today->ret_hour[l];
    const float dep2 = today->dep2_hour[l], ret2 = today->ret2_hour[l];
    const int whole = (dep == (float)(int)dep) & (ret == (float)(int)ret) & (dep2 == (float)(int)dep2) &
                      (ret2 == (float)(int)ret2);
    const int dep_in = (dep >= 0.0f) & (dep <= 23.0f), ret_in = (ret >= 0.0f) & (ret <= 23.0f);
    const int dep2_in = (dep2 >= 0.0f) & (dep2 <= 23.0f), ret2_in = (ret2 >= 0.0f) & (ret2 <= 23.0f);
    const int no_dep = dep == none, no_ret = ret == none, no_dep2 = dep2 == none, no_ret2 = ret2 == none;
    const int first = ((dep == -1.0f) | no_dep | dep_in) & (no_ret | (ret_in & (ret >= dep))) & (~no_dep | no_ret);
    const int second = (no_dep2 & no_ret2) | (dep2_in & ret2_in & (ret2 >= dep2) & ~no_ret & (dep2 > ret));
    const int fits = whole & first & second & (~no_dep | no_dep2) & 1;
    misfits += !fits;
    e->leg_hour[0][l] = dep, e->leg_hour[1][l] = ret, e->leg_hour[2][l] = dep2, e->leg_hour[3][l] = ret2;
    e->leg[0][l] = dep_in;
    e->leg[1][l] = ret_in & (ret != dep);
    e->leg[2][l] = dep2_in;
    e->leg[3][l] = ret2_in & (ret2 != dep2);
    /* hours as ints only where they fit (the others are never used) */
    const int dep_any = (int)dep, ret_any = (int)ret, dep2_any = (int)dep2, ret2_any = (int)ret2;
    const int dep_h = fits & dep_in ? dep_any : 0, ret_h = fits & ret_in ? ret_any : 0;
    const int dep2_h = fits & dep2_in ? dep2_any : 0, ret2_h = fits & ret2_in ? ret2_any : 0;
    e->leg_at[0][l] = e->leg[0][l] ? dep_h : 0, e->leg_at[1][l] = e->leg[1][l] ? ret_h : 0;
    e->leg_at[2][l] = e->leg[2][l] ? dep2_h : 0, e->leg_at[3][l] = e->leg[3][l] ? ret2_h : 0;
    e->away_start[0][l] = no_dep ? 24 : dep_in ? dep_h : 0;
    e->away_end[0][l] = no_ret ? 24 : ret_h + 1;
    e->away_start[1][l] = no_dep2 ? 24 : dep2_h;
    e->away_end[1][l] = no_dep2 ? 24 : ret2_h + 1;
    e->home_start[0][l] = 0, e->home_end[0][l] = e->away_start[0][l];
    e->home_start[1][l] = e->away_end[0][l], e->home_end[1][l] = e->away_start[1][l];
    e->home_start[2][l] = e->away_end[1][l], e->home_end[2][l] = 24;
    /* the reserve of each home stretch, as the hourly step computes it (vehicle_step.h) */
    float kwh_per_km = c->kwh_per_km[l] * in->day_factor;
    float need_after = tomorrow->need_km[l] * kwh_per_km;
    float no_trip = dep == FLEET_NO_HOUR ? 1.0f : 0.0f;
    float no_second = dep2 == FLEET_NO_HOUR ? 1.0f : 0.0f;
    float need_before = no_trip * need_after + (1.0f - no_trip) * today->need_km[l] * kwh_per_km;
    float need_between = no_second * need_after + (1.0f - no_second) * today->need2_km[l] * kwh_per_km;
    const float floor_kwh = c->floor_kwh[l], adds = c->reserve_adds_floor[l];
    e->keep[0][l] = fleet_maxf(floor_kwh, need_before) + adds * fleet_minf(floor_kwh, need_before);
    e->keep[1][l] = fleet_maxf(floor_kwh, need_between) + adds * fleet_minf(floor_kwh, need_between);
    e->keep[2][l] = fleet_maxf(floor_kwh, need_after) + adds * fleet_minf(floor_kwh, need_after);
    const double rate = c->home_charge_kwh[l], inv_rate = 1.0 / (rate > 0.0 ? rate : 1.0);
    e->inv_rate[l] = rate > 0.0 ? inv_rate : 0.0;
    e->soc[l] = s->soc_kwh[l];
    e->plug[l] = s->plugged[l];
    e->home_in[l] = e->home_co2[l] = e->home_off_peak[l] = 0.0f;
    e->public_in[l] = e->public_co2[l] = e->drive[l] = 0.0f;
  }
  return misfits;
}

/* A public charge in an hour without a leg, hour[l] (outside 0..23: none): the hourly step makes
 * one whenever an hour starts below the reserve, which happens only after a leg that the public
 * charge brought to the reserve, the rounding of (reserve + drive) - drive leaving it a hair
 * below. Returns the lanes still below the reserve after it (the hourly step would charge again
 * the next hour: the day is left to it). */
static inline int fleet_events_stray_public(const fleet_step_consts_t *restrict c,
                                            const fleet_day_inputs_t *restrict in,
                                            const fleet_day_plan_t *restrict today, const int *restrict hour,
                                            fleet_events_lanes_t *restrict e) {
  int below = 0; /* almost always none: then nothing to do */
#pragma omp simd reduction(| : below)
  for (int l = 0; l < FLEET_LANES; l++) below |= e->soc[l] < c->public_reserve_kwh[l];
  if (!below) return 0;
  int repeats = 0;
#pragma omp simd reduction(+ : repeats)
  for (int l = 0; l < FLEET_LANES; l++) {
    const int h = hour[l];
    const float hf = (float)h;
    const int legs_there = (hf == today->dep_hour[l]) | (hf == today->ret_hour[l]) | (hf == today->dep2_hour[l]) |
                           (hf == today->ret2_hour[l]);
    const float reserve = c->public_reserve_kwh[l];
    const int stray = (h >= 0) & (h <= 23) & !legs_there & (e->soc[l] < reserve);
    float pub;
    const float x = fleet_events_public(e->soc[l], 0.0f, reserve, c->public_target_kwh[l], &pub);
    const float pub_co2 = pub * in->grid_g_co2_per_kwh[h * stray]; /* [0] where none */
    const float on = (float)stray; /* x 1 or x 0, as in fleet_events_leg */
    e->soc[l] = stray ? x : e->soc[l];
    e->public_in[l] += on * pub;
    e->public_co2[l] += on * pub_co2;
    repeats += stray & (e->soc[l] < reserve);
  }
  return repeats;
}

/* Leg j of the lanes that drive it, at its hour: the hourly step's drive and public charge (both
 * legs of an outing when they share the hour). Then the stray public charge of the next hour. */
static inline int fleet_events_leg(const fleet_step_consts_t *restrict c, const fleet_day_inputs_t *restrict in,
                                   const fleet_day_plan_t *restrict today, int j, fleet_events_lanes_t *restrict e) {
  int next[FLEET_LANES];
  const int *restrict leg = e->leg[j];
  const float *restrict leg_hour = e->leg_hour[j];
  const int *restrict leg_at = e->leg_at[j];
#pragma omp simd
  for (int l = 0; l < FLEET_LANES; l++) {
    const int driven = leg[l];
    const float hour = leg_hour[l];
    const int h = leg_at[l]; /* 0 where not driven */
    const float km = (hour == today->dep_hour[l] ? today->out_km[l] : 0.0f) +
                     (hour == today->ret_hour[l] ? today->back_km[l] : 0.0f) +
                     (hour == today->dep2_hour[l] ? today->out2_km[l] : 0.0f) +
                     (hour == today->ret2_hour[l] ? today->back2_km[l] : 0.0f);
    const float drive = km * c->kwh_per_km[l] * in->consumption_factor[h];
    float pub;
    const float x = fleet_events_public(e->soc[l], drive, c->public_reserve_kwh[l], c->public_target_kwh[l], &pub);
    const float pub_co2 = pub * in->grid_g_co2_per_kwh[h];
    /* x 1 or x 0, not a choice: gcc would make the gathers above conditional, and leave the loop
     * scalar; + 0 leaves a sum unchanged, as in the hourly step's hours without a leg */
    const float on = (float)driven;
    e->soc[l] = driven ? x : e->soc[l];
    e->public_in[l] += on * pub;
    e->public_co2[l] += on * pub_co2;
    e->drive[l] += on * drive;
    next[l] = driven ? h + 1 : -1;
  }
  return fleet_events_stray_public(c, in, today, next, e);
}

/* The pieces of a home stretch cut by the phases, each recorded for the slots: where it starts
 * and ends, the charge it starts with, and whether the car charges in it. */
typedef struct {
  int start[FLEET_LANES], end[FLEET_LANES];
  float soc[FLEET_LANES], plug[FLEET_LANES], charging[FLEET_LANES];
  int stretch;
} fleet_events_piece_t;

/* Home stretch k: the plug decision on arrival, then, phase by phase, the hourly step's charge
 * hour by hour until the phase ends or the car is full (the hours left would each add +0).
 * Records a piece per phase from pieces[0]. */
static inline void fleet_events_home(const fleet_step_consts_t *restrict c, float plug_every_arrival,
                                     const fleet_day_inputs_t *restrict in, const fleet_lane_state_t *restrict s,
                                     const fleet_day_phases_t *restrict phases, int k,
                                     fleet_events_lanes_t *restrict e, fleet_events_piece_t *restrict pieces) {
#pragma omp simd
  for (int l = 0; l < FLEET_LANES; l++) {
    const float arrived = k == 0 ? s->away_prev[l] : 1.0f;
    const float wants = fleet_maxf(plug_every_arrival, e->soc[l] < c->plug_threshold_kwh[l] ? 1.0f : 0.0f);
    const float plug = arrived * c->has_charger[l] * wants + (1.0f - arrived) * e->plug[l];
    e->plug[l] = e->home_start[k][l] < e->home_end[k][l] ? plug : e->plug[l];
  }
  for (int f = 0; f < phases->count; f++) {
    fleet_events_piece_t *piece = &pieces[f];
    int stop[FLEET_LANES], first = FLEET_HOURS_PER_DAY, last = 0; /* lane l charges in [start, stop) */
    piece->stretch = k;
#pragma omp simd reduction(min : first) reduction(max : last)
    for (int l = 0; l < FLEET_LANES; l++) {
      const int a = e->home_start[k][l] > phases->start[f] ? e->home_start[k][l] : phases->start[f];
      const int b = e->home_end[k][l] < phases->end[f] ? e->home_end[k][l] : phases->end[f];
      const float open = 1.0f + c->off_peak[l] * (phases->off_peak_window[f] - 1.0f);
      const int charges = (e->plug[l] * open > 0.0f) & (b > a);
      piece->start[l] = a;
      piece->end[l] = b > a ? b : a;
      piece->soc[l] = e->soc[l];
      piece->plug[l] = e->plug[l];
      piece->charging[l] = e->plug[l] * open;
      stop[l] = charges ? b : a;
      first = charges & (a < first) ? a : first;
      last = stop[l] > last ? stop[l] : last;
    }
    /* hour by hour over the lanes, so that each hour's intensity is one value for all of them */
    for (int h = first; h < last; h++) {
      const float grid_g_co2 = in->grid_g_co2_per_kwh[h], off_peak_hour = in->off_peak_window[h];
      int charging = 0;
#pragma omp simd reduction(| : charging)
      for (int l = 0; l < FLEET_LANES; l++) {
        const int on = (h >= piece->start[l]) & (h < stop[l]);
        const float full = c->target_kwh[l];
        const float step = fleet_maxf(fleet_minf(c->home_charge_kwh[l], full - e->soc[l]), 0.0f);
        const float charge = on ? step : 0.0f;
        e->soc[l] += charge;
        e->home_in[l] += charge;
        e->home_co2[l] += charge * grid_g_co2;
        e->home_off_peak[l] += charge * off_peak_hour;
        charging |= (h + 1 < stop[l]) & (e->soc[l] < full);
      }
      if (!charging) break;
    }
  }
}

/* The slots of a piece [p, q), entered with charge x0, charging C per hour up to u = max(x0,
 * full) (C = 0 where it may not charge: u = x0): its energy above the reserve K is g (x0 - K +
 * (h - p + 1) C), g = plugged x bidirectional, from the first hour ha where that is positive to
 * the hour hb it is full, then H = g max(u - K, 0); the power is eff times the same line up to
 * the hour hp it reaches the charger's cap, then Hp = min(eff H, cap). p <= ha <= hp <= hb <= q. */
static inline void fleet_events_piece_slots(const fleet_step_consts_t *restrict c, double eff,
                                            const fleet_events_lanes_t *restrict e,
                                            const fleet_events_piece_t *restrict piece,
                                            fleet_day_slots_t *restrict slots) {
  int at[FLEET_EVENTS_KINKS][FLEET_LANES];                          /* ha, hb, hp, q */
  double change[FLEET_EVENTS_KINKS][FLEET_SLOT_COUNT][FLEET_LANES]; /* energy offset and slope, power's */
  double live[FLEET_EVENTS_KINKS][FLEET_LANES];                     /* 1: the kink is added to the slots */
  const double inv_eff = 1.0 / eff;     /* (the cap's hour only: a multiply is close enough) */
#pragma omp simd
  for (int l = 0; l < FLEET_LANES; l++) {
    const int p = piece->start[l], q = piece->end[l];
    const double x0 = piece->soc[l], keep = e->keep[piece->stretch][l];
    const double cap_kw = c->discharge_kw[l], full = c->target_kwh[l];
    const int charges = piece->charging[l] > 0.0f;
    /* products with 0 or 1 rather than choices, which gcc would turn into branches */
    const double rate = (double)c->home_charge_kwh[l] * (double)charges, inv_rate = e->inv_rate[l];
    const double g = (double)(piece->plug[l] * c->storage_lane[l]) * (double)(q > p);
    const double to_top = full - x0; /* exact: a difference of two floats */
    const double u = x0 + (double)charges * (to_top > 0.0 ? to_top : 0.0);
    const double above = u > keep ? u - keep : 0.0;
    const double flat = g * above, flat_eff = eff * flat, flat_power = flat_eff < cap_kw ? flat_eff : cap_kw;
    /* the kinks: with inv_rate the lines' hours, clamped into the piece; all p where it does not charge */
    const double to_reserve = fleet_clamp((keep - x0) * inv_rate, -48.0, 48.0);
    const double to_full = fleet_clamp((u - x0) * inv_rate, -48.0, 48.0);
    const double to_cap = fleet_clamp((keep + cap_kw * inv_eff - x0) * inv_rate, -48.0, 48.0);
    const double ha_line = fleet_clamp(p + floor(to_reserve), p, q);
    const double hb_line = fleet_clamp(p - floor(-to_full) - 1.0, ha_line, q);
    const double hp_line = fleet_clamp(p - floor(-to_cap) - 1.0, ha_line, hb_line);
    const double on = charges, off = 1.0 - on; /* exact blends: one term is 0 */
    const double ha = on * ha_line + off * p, hb = on * hb_line + off * p, hp = on * hp_line + off * p;
    const double ramp = g * (x0 - keep + (1.0 - p) * rate), ramp_power = eff * ramp;
    const double line = on * ramp + off * flat, slope = g * rate;
    const double line_power = on * ramp_power + off * flat_power, slope_power = eff * slope;
    at[0][l] = (int)ha, at[1][l] = (int)hb, at[2][l] = (int)hp, at[3][l] = q;
    /* Kinks at one hour add up before they reach the slots (one read-modify-write, not three):
     * the full hour's change into ha's when they coincide, the cap's into ha's or hb's. */
    const double merge_full = hb == ha ? 1.0 : 0.0, merge_cap = hp == ha ? 1.0 : 0.0;
    const double cap_into_full = (hp == hb ? 1.0 : 0.0) * (1.0 - merge_cap);
    change[0][0][l] = line + merge_full * (flat - line), change[0][1][l] = slope - merge_full * slope;
    change[0][2][l] = line_power + merge_cap * (flat_power - line_power);
    change[0][3][l] = slope_power - merge_cap * slope_power;
    change[1][0][l] = flat - line, change[1][1][l] = -slope;
    change[1][2][l] = cap_into_full * (flat_power - line_power), change[1][3][l] = -cap_into_full * slope_power;
    change[2][0][l] = change[2][1][l] = 0.0;                                   /* power only */
    change[2][2][l] = flat_power - line_power, change[2][3][l] = -slope_power;
    change[3][0][l] = -flat, change[3][2][l] = -flat_power;                   /* offsets only */
    change[3][1][l] = change[3][3][l] = 0.0;
    /* nothing is added for a lane that gives nothing here, nor at midnight (the kink's unread row) */
    const double gives = g != 0.0 ? 1.0 : 0.0, day = FLEET_HOURS_PER_DAY;
    live[0][l] = gives * (ha < day ? 1.0 : 0.0);
    live[1][l] = gives * (1.0 - merge_full) * (hb < day ? 1.0 : 0.0);
    live[2][l] = gives * (1.0 - merge_cap - cap_into_full) * (hp < day ? 1.0 : 0.0);
    live[3][l] = gives * (q < FLEET_HOURS_PER_DAY ? 1.0 : 0.0);
    for (int k = 0; k < FLEET_EVENTS_KINKS; k++) at[k][l] = live[k][l] != 0.0 ? at[k][l] : FLEET_HOURS_PER_DAY + k;
  }
  fleet_events_scatter(at, change, slots);
}

/* Steps one day of the lanes by events (events_day.h). */

int fleet_events_day(const fleet_step_consts_t *restrict c, float discharge_efficiency, float plug_every_arrival,
                     const fleet_day_inputs_t *restrict in, const fleet_day_plan_t *restrict today,
                     const fleet_day_plan_t *restrict tomorrow, const fleet_day_phases_t *restrict phases,
                     fleet_lane_state_t *restrict s, fleet_day_sums_t *restrict out,
                     fleet_day_slots_t *restrict slots) {
  fleet_events_lanes_t e;
  fleet_events_piece_t pieces[3][FLEET_MAX_PHASES];
  if (fleet_events_plan(c, in, today, tomorrow, s, &e)) return 0;
  static const int day_start[FLEET_LANES] = {0};
  int repeats = fleet_events_stray_public(c, in, today, day_start, &e);
  fleet_events_home(c, plug_every_arrival, in, s, phases, 0, &e, pieces[0]);
  repeats += fleet_events_leg(c, in, today, 0, &e);
  repeats += fleet_events_leg(c, in, today, 1, &e);
  fleet_events_home(c, plug_every_arrival, in, s, phases, 1, &e, pieces[1]);
  repeats += fleet_events_leg(c, in, today, 2, &e);
  repeats += fleet_events_leg(c, in, today, 3, &e);
  fleet_events_home(c, plug_every_arrival, in, s, phases, 2, &e, pieces[2]);
  if (repeats) return 0;

  for (int k = 0; k < 3; k++)
    for (int f = 0; f < phases->count; f++) fleet_events_piece_slots(c, discharge_efficiency, &e, &pieces[k][f], slots);
  /* plugged and away hour by hour, as the hourly step writes them (0 or 1): the stretch's plug at
   * home (0 over an empty stretch), 1 on an outing; fleet_year.c sums them as it sums the hourly
   * step's, so the two kernels' counts are the same integers */
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
#pragma omp simd
    for (int l = 0; l < FLEET_LANES; l++) {
      float plugged = 0.0f;
      for (int k = 0; k < 3; k++)
        plugged = (h >= e.home_start[k][l]) & (h < e.home_end[k][l]) ? pieces[k][0].plug[l] : plugged;
      const int away = ((h >= e.away_start[0][l]) & (h < e.away_end[0][l])) |
                       ((h >= e.away_start[1][l]) & (h < e.away_end[1][l]));
      out->plugged[h][l] = plugged;
      out->away[h][l] = away ? 1.0f : 0.0f;
    }
  }

  /* The state the day leaves: at home in hour 23 (in the last stretch), or away. */
#pragma omp simd
  for (int l = 0; l < FLEET_LANES; l++) {
    const int away_at_end = (e.away_end[0][l] == 24 && e.away_start[0][l] < 24) ||
                            (e.away_end[1][l] == 24 && e.away_start[1][l] < 24);
    s->soc_kwh[l] = e.soc[l];
    s->plugged[l] = away_at_end ? 0.0f : e.plug[l];
    s->away_prev[l] = away_at_end ? 1.0f : 0.0f;
    out->home_in_kwh[l] = e.home_in[l];
    out->public_in_kwh[l] = e.public_in[l];
    out->drive_kwh[l] = e.drive[l];
    out->home_in_co2_g[l] = e.home_co2[l];
    out->public_in_co2_g[l] = e.public_co2[l];
    out->home_in_off_peak_kwh[l] = e.home_off_peak[l];
  }
  return 1;
}

