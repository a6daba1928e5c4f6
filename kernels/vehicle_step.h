/* vehicle_step.h: the hourly step of a block's lanes through one day.
 *
 * Order within an hour: drive (the departure or return leg; a public charge first if the leg
 * would leave less than the public reserve), plug in on arrival home, charge at home, then count
 * what the car could give back. A car gives back only what lies above the larger of its owner's
 * floor and the energy of its next trip (DESIGN.md, model 5), times the discharge efficiency, at
 * most its charger's power for the hour. Branch-free lane code: state stays in vector registers
 * across the 24 hours. */
#ifndef FLEET_VEHICLE_STEP_H
#define FLEET_VEHICLE_STEP_H

#include "lanes.h"

static inline float fleet_maxf(float a, float b) { return a > b ? a : b; }
static inline float fleet_minf(float a, float b) { return a < b ? a : b; }

/* Steps one day. day_factor scales every lane's kWh/km (temperature); tomorrow's plan gives the
 * need after today's last trip. soc_trace, when not NULL, receives the state of charge at the end
 * of each hour (tests). */
static inline void fleet_step_day(const fleet_step_consts_t *restrict c, float discharge_efficiency,
                                  float plug_every_arrival, const fleet_day_plan_t *restrict today,
                                  const fleet_day_plan_t *restrict tomorrow, float day_factor,
                                  fleet_lane_state_t *restrict s, fleet_day_sums_t *restrict out,
                                  float (*restrict soc_trace)[FLEET_LANES]) {
  float dep[FLEET_LANES], ret[FLEET_LANES], out_kwh[FLEET_LANES], back_kwh[FLEET_LANES];
  float need_before[FLEET_LANES], need_after[FLEET_LANES];
  float soc[FLEET_LANES], plugged[FLEET_LANES], away_prev[FLEET_LANES];
  float home_in[FLEET_LANES], public_in[FLEET_LANES];
#pragma omp simd
  for (int l = 0; l < FLEET_LANES; l++) {
    float kwh_per_km = c->kwh_per_km[l] * day_factor;
    dep[l] = today->dep_hour[l];
    ret[l] = today->ret_hour[l];
    out_kwh[l] = today->out_km[l] * kwh_per_km;
    back_kwh[l] = today->back_km[l] * kwh_per_km;
    /* The owner estimates tomorrow's trip at today's consumption. */
    need_after[l] = tomorrow->need_km[l] * kwh_per_km;
    float no_trip = dep[l] == FLEET_NO_HOUR ? 1.0f : 0.0f;
    need_before[l] = no_trip * need_after[l] + (1.0f - no_trip) * today->need_km[l] * kwh_per_km;
    soc[l] = s->soc_kwh[l];
    plugged[l] = s->plugged[l];
    away_prev[l] = s->away_prev[l];
    home_in[l] = 0.0f;
    public_in[l] = 0.0f;
  }
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
    const float hour = (float)h;
#pragma omp simd
    for (int l = 0; l < FLEET_LANES; l++) {
      float drive = (hour == dep[l] ? out_kwh[l] : 0.0f) + (hour == ret[l] ? back_kwh[l] : 0.0f);
      float away = (hour >= dep[l] ? 1.0f : 0.0f) * (hour <= ret[l] ? 1.0f : 0.0f);
      /* Public charge before a leg that would leave less than the reserve: up to the public
       * target, or to what the leg needs plus the reserve (several stops on a long leg). */
      float reserve = c->public_reserve_kwh[l];
      float short_of = soc[l] - drive < reserve ? 1.0f : 0.0f;
      float topped = fleet_maxf(c->public_target_kwh[l], reserve + drive);
      float pub = short_of * (topped - soc[l]);
      float x = soc[l] + pub - drive;
      /* Plug in on the first hour home; the plug-in habit decides (DESIGN.md, model 5). */
      float home = 1.0f - away;
      float arrived = home * away_prev[l];
      float wants = fleet_maxf(plug_every_arrival, x < c->plug_threshold_kwh[l] ? 1.0f : 0.0f);
      float plug = home * (arrived * c->has_charger[l] * wants + (1.0f - arrived) * plugged[l]);
      float charge = plug * fleet_maxf(fleet_minf(c->home_charge_kwh[l], c->target_kwh[l] - x), 0.0f);
      x += charge;
      float need = hour < dep[l] ? need_before[l] : need_after[l];
      float keep = fleet_maxf(c->floor_kwh[l], need);
      float give_kwh = plug * c->storage_lane[l] * fleet_maxf(x - keep, 0.0f) * discharge_efficiency;
      out->energy_kwh[h][l] = give_kwh;
      out->power_kw[h][l] = fleet_minf(give_kwh, c->discharge_kw[l]);
      out->plugged[h][l] = plug;
      soc[l] = x;
      plugged[l] = plug;
      away_prev[l] = away;
      home_in[l] += charge;
      public_in[l] += pub;
    }
    if (soc_trace)
      for (int l = 0; l < FLEET_LANES; l++) soc_trace[h][l] = soc[l];
  }
#pragma omp simd
  for (int l = 0; l < FLEET_LANES; l++) {
    s->soc_kwh[l] = soc[l];
    s->plugged[l] = plugged[l];
    s->away_prev[l] = away_prev[l];
    out->home_in_kwh[l] = home_in[l];
    out->public_in_kwh[l] = public_in[l];
    out->drive_kwh[l] = out_kwh[l] + back_kwh[l]; /* plans carry no distance on hours not driven */
  }
}

#endif
