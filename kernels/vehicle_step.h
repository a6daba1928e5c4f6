/* vehicle_step.h: the hourly step of a block's lanes through one day.
 *
 * Order within an hour: drive (a departure or return leg of one of the day's outings, at that
 * hour's temperature; a public charge first if the leg would leave less than the public
 * reserve); garage PV into the garage battery; plug in on arrival home; charge the car from the
 * garage battery, then from the home grid charger (a lane on the off-peak schedule only in the
 * off-peak window: plugged in on arrival, it holds what it arrived with until the window opens;
 * the garage battery's energy is the household's own and is not gated); top the garage battery
 * up from the grid in its window; charge a car parked at work under a carport from the carport's
 * PV; then count what the car (and the garage
 * battery) could give back, at the battery (energy above the reserve) and deliverable (after the
 * discharge losses, at most the charger's power). During an outage (a fraction f of the hour without supply) home
 * charging and the garage's grid top-up stop for that fraction, and the house's dormant load is
 * served by the garage battery (down to empty, at its inverter's power), then by the car if it
 * is home, plugged and bidirectional (down to its owner's floor, at its charger's power); the
 * rest is unserved (DESIGN.md, model 6). Within an hour that is partly cut, the charge of the
 * supplied part comes first. A car gives back only what lies above its owner's floor plus the
 * energy of its next trips (DESIGN.md, model 5; charging.reserve_rule keeps the earlier rule, the
 * larger of the two, for comparison), times the discharge efficiency, at most its charger's power
 * for the hour. Branch-free lane code: state stays in vector registers
 * across the 24 hours. `solar` and `outage` are compile-time constants at each call: blocks
 * without a garage or carport, and days without an outage in the block, run lean variants. */
#ifndef FLEET_VEHICLE_STEP_H
#define FLEET_VEHICLE_STEP_H

#include "lanes.h"

static inline float fleet_maxf(float a, float b) { return a > b ? a : b; }
static inline float fleet_minf(float a, float b) { return a < b ? a : b; }

/* Steps one day. Tomorrow's plan gives the need after today's last trip. soc_trace, when not
 * NULL, receives the car's state of charge at the end of each hour (tests). */
FLEET_HOT_INLINE void fleet_step_day(const fleet_step_consts_t *restrict c, const fleet_solar_consts_t *restrict sol,
                                  float discharge_efficiency, float plug_every_arrival,
                                  const fleet_day_inputs_t *restrict in, const fleet_day_plan_t *restrict today,
                                  const fleet_day_plan_t *restrict tomorrow, fleet_lane_state_t *restrict s,
                                  fleet_day_sums_t *restrict out, float (*restrict soc_trace)[FLEET_LANES],
                                  const int solar, const int outage) {
  float dep[FLEET_LANES], ret[FLEET_LANES], out_km[FLEET_LANES], back_km[FLEET_LANES], at_work[FLEET_LANES];
  float dep2[FLEET_LANES], ret2[FLEET_LANES], out2_km[FLEET_LANES], back2_km[FLEET_LANES];
  float need_before[FLEET_LANES], need_between[FLEET_LANES], need_after[FLEET_LANES];
  float soc[FLEET_LANES], plugged[FLEET_LANES], away_prev[FLEET_LANES], garage[FLEET_LANES], garage_pv[FLEET_LANES];
  float home_in[FLEET_LANES], public_in[FLEET_LANES], drive_sum[FLEET_LANES];
  float home_co2[FLEET_LANES], public_co2[FLEET_LANES], g_topup_co2[FLEET_LANES];
  float home_off_peak[FLEET_LANES], g_topup_off_peak[FLEET_LANES];
  float g_pv[FLEET_LANES], g_stored[FLEET_LANES], g_topup[FLEET_LANES], g_to_car[FLEET_LANES], g_pv_to_car[FLEET_LANES];
  float cp_pv[FLEET_LANES], cp_in[FLEET_LANES], bk_car[FLEET_LANES], bk_garage[FLEET_LANES], g_curtail[FLEET_LANES];
  /* a multiply where the hour's step would divide by an efficiency */
  const float inv_pv_to_battery_efficiency = 1.0f / sol->pv_to_battery_efficiency;
  const float inv_battery_to_car_efficiency = 1.0f / sol->battery_to_car_efficiency;
  const float inv_battery_to_grid_efficiency = 1.0f / sol->battery_to_grid_efficiency;
#pragma omp simd
  for (int l = 0; l < FLEET_LANES; l++) {
    /* The owner estimates trips at the day's mean consumption. */
    float kwh_per_km = c->kwh_per_km[l] * in->day_factor;
    dep[l] = today->dep_hour[l];
    ret[l] = today->ret_hour[l];
    out_km[l] = today->out_km[l];
    back_km[l] = today->back_km[l];
    dep2[l] = today->dep2_hour[l];
    ret2[l] = today->ret2_hour[l];
    out2_km[l] = today->out2_km[l];
    back2_km[l] = today->back2_km[l];
    at_work[l] = today->at_work[l] * c->carport_kwp[l];
    /* The reserve holds the energy of the trips still ahead: before slot 1 leaves, the whole
     * day's; between the two outings, the evening one's; after the last, tomorrow's. */
    need_after[l] = tomorrow->need_km[l] * kwh_per_km;
    float no_trip = dep[l] == FLEET_NO_HOUR ? 1.0f : 0.0f;
    float no_second = dep2[l] == FLEET_NO_HOUR ? 1.0f : 0.0f;
    need_before[l] = no_trip * need_after[l] + (1.0f - no_trip) * today->need_km[l] * kwh_per_km;
    need_between[l] = no_second * need_after[l] + (1.0f - no_second) * today->need2_km[l] * kwh_per_km;
    soc[l] = s->soc_kwh[l];
    plugged[l] = s->plugged[l];
    away_prev[l] = s->away_prev[l];
    garage[l] = s->garage_kwh[l];
    garage_pv[l] = s->garage_pv_kwh[l];
    home_in[l] = public_in[l] = drive_sum[l] = 0.0f;
    home_co2[l] = public_co2[l] = g_topup_co2[l] = 0.0f;
    home_off_peak[l] = g_topup_off_peak[l] = 0.0f;
    g_pv[l] = g_stored[l] = g_topup[l] = g_to_car[l] = g_pv_to_car[l] = g_curtail[l] = cp_pv[l] = cp_in[l] = bk_car[l] = bk_garage[l] = 0.0f;
  }
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
    const float hour = (float)h;
    const float factor = in->consumption_factor[h];
    const float pv = in->pv_kw_per_kwp[h];
    const float topup_open = in->topup_window[h];
    const float off_peak_hour = in->off_peak_window[h];
    const float load = in->backup_load_kwh[h];
    const float grid_g_co2 = in->grid_g_co2_per_kwh[h]; /* charged at the hour it is drawn */
#pragma omp simd
    for (int l = 0; l < FLEET_LANES; l++) {
      float km = (hour == dep[l] ? out_km[l] : 0.0f) + (hour == ret[l] ? back_km[l] : 0.0f) +
                 (hour == dep2[l] ? out2_km[l] : 0.0f) + (hour == ret2[l] ? back2_km[l] : 0.0f);
      float drive = km * c->kwh_per_km[l] * factor;
      /* the two outings never overlap: slot 2 leaves after slot 1's return hour */
      float away = (hour >= dep[l] ? 1.0f : 0.0f) * (hour <= ret[l] ? 1.0f : 0.0f) +
                   (hour >= dep2[l] ? 1.0f : 0.0f) * (hour <= ret2[l] ? 1.0f : 0.0f);
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
      float g = garage[l];
      float gpv = garage_pv[l];
      float supplied = 1.0f; /* the share of the hour the house has supply */
      if (outage) supplied = 1.0f - in->outage_fraction[h][l];
      if (solar) {
        /* The roof's PV fills the garage battery; what it cannot take is surplus. */
        float produced = c->garage_kwp[l] * pv;
        float stored = fleet_minf(produced * sol->pv_to_battery_efficiency, c->garage_capacity_kwh[l] - g);
        g += stored;
        gpv += stored;
        /* The surplus goes out through the garage's inverter, at most its power, or is curtailed:
         * all of it, or what the inverter's power cuts off (DC), exactly 0 below it. What is
         * exported is the rest, summed by the block at the year's end (one accumulator less here). */
        float surplus = fleet_maxf(produced - stored * inv_pv_to_battery_efficiency, 0.0f);
        float over_cap = fleet_maxf(surplus - sol->garage_to_home_kwh * inv_battery_to_grid_efficiency, 0.0f);
        g_curtail[l] += surplus + sol->export_surplus * (over_cap - surplus);
        /* The garage battery charges the car in the garage (home, plugged) down to its floor; what
         * leaves it is PV and grid energy in the battery's proportions. */
        float room = plug * fleet_maxf(c->target_kwh[l] - x, 0.0f);
        float from_garage = fleet_minf(fleet_minf(room, sol->garage_to_car_kwh),
                                       fleet_maxf(g - c->garage_floor_kwh[l], 0.0f) * sol->battery_to_car_efficiency);
        float pv_part = g > 0.0f ? fleet_minf(gpv / g, 1.0f) : 0.0f;
        float drawn = from_garage * inv_battery_to_car_efficiency;
        g -= drawn;
        gpv = fleet_maxf(gpv - pv_part * drawn, 0.0f);
        x += from_garage;
        g_pv[l] += produced;
        g_stored[l] += stored;
        g_to_car[l] += from_garage;
        g_pv_to_car[l] += pv_part * from_garage;
      }
      /* The schedule: 1 for a lane that charges on arrival, the window's 0/1 for an off-peak one. */
      float open = 1.0f + c->off_peak[l] * (off_peak_hour - 1.0f);
      float charge = plug * fleet_maxf(fleet_minf(c->home_charge_kwh[l] * supplied * open, c->target_kwh[l] - x), 0.0f);
      x += charge;
      if (solar) {
        float topup = topup_open *
                      fleet_maxf(fleet_minf(sol->topup_kwh * supplied, c->garage_topup_target_kwh[l] - g), 0.0f);
        g += topup;
        g_topup[l] += topup;
        g_topup_co2[l] += topup * grid_g_co2;
        g_topup_off_peak[l] += topup * off_peak_hour;
        /* Parked at work (between the drives) under a carport: its PV charges the car. */
        float parked = at_work[l] * (hour > dep[l] ? 1.0f : 0.0f) * (hour < ret[l] ? 1.0f : 0.0f);
        float carport_pv = parked * pv; /* at_work carries the space's kWp */
        float taken = fleet_minf(fleet_minf(carport_pv * sol->carport_efficiency, sol->carport_to_car_kwh),
                                 fleet_maxf(c->target_kwh[l] - x, 0.0f));
        x += taken;
        cp_pv[l] += carport_pv;
        cp_in[l] += taken;
      }
      if (outage) {
        float cut = 1.0f - supplied;
        float demand = cut * load;
        float from_garage = 0.0f;
        if (solar) {
          from_garage = fleet_minf(demand, fleet_minf(g * sol->battery_to_grid_efficiency, sol->garage_to_home_kwh * cut));
          float pv_part = g > 0.0f ? fleet_minf(gpv / g, 1.0f) : 0.0f;
          float drawn = from_garage * inv_battery_to_grid_efficiency;
          g -= drawn;
          gpv = fleet_maxf(gpv - pv_part * drawn, 0.0f);
          bk_garage[l] += drawn;
        }
        float car_serves = home * plug * c->storage_lane[l];
        float from_car = car_serves * fleet_minf(demand - from_garage,
                                                 fleet_minf(fleet_maxf(x - c->floor_kwh[l], 0.0f) * discharge_efficiency,
                                                            c->discharge_kw[l] * cut));
        x -= from_car / discharge_efficiency;
        bk_car[l] += from_car / discharge_efficiency;
        out->backup_demand_kwh[h][l] = demand;
        out->backup_served_kwh[h][l] = from_garage + from_car;
      }
      if (solar) {
        float garage_above = fleet_maxf(g - c->garage_floor_kwh[l], 0.0f);
        out->garage_give_kwh[h][l] = garage_above;
        out->garage_power_kw[h][l] = /* 0 without a garage */
            fleet_minf(garage_above * sol->battery_to_grid_efficiency, sol->garage_to_home_kwh);
        garage[l] = g;
        garage_pv[l] = fleet_minf(gpv, g);
      }
      float need = hour < dep[l] ? need_before[l] : hour < dep2[l] ? need_between[l] : need_after[l];
      /* floor + need = max + min: the sum, or with reserve_adds_floor 0 the larger, branch-free */
      float keep = fleet_maxf(c->floor_kwh[l], need) + c->reserve_adds_floor[l] * fleet_minf(c->floor_kwh[l], need);
      float above_kwh = plug * c->storage_lane[l] * fleet_maxf(x - keep, 0.0f);
      out->energy_kwh[h][l] = above_kwh; /* at the battery; x discharge_efficiency when summed */
      out->power_kw[h][l] = fleet_minf(above_kwh * discharge_efficiency, c->discharge_kw[l]);
      out->plugged[h][l] = plug;
      out->away[h][l] = away;
      soc[l] = x;
      plugged[l] = plug;
      away_prev[l] = away;
      home_in[l] += charge;
      public_in[l] += pub;
      home_co2[l] += charge * grid_g_co2;
      home_off_peak[l] += charge * off_peak_hour;
      public_co2[l] += pub * grid_g_co2;
      drive_sum[l] += drive;
    }
    if (soc_trace)
      for (int l = 0; l < FLEET_LANES; l++) soc_trace[h][l] = soc[l];
  }
#pragma omp simd
  for (int l = 0; l < FLEET_LANES; l++) {
    s->soc_kwh[l] = soc[l];
    s->plugged[l] = plugged[l];
    s->away_prev[l] = away_prev[l];
    s->garage_kwh[l] = garage[l];
    s->garage_pv_kwh[l] = garage_pv[l];
    out->home_in_kwh[l] = home_in[l];
    out->public_in_kwh[l] = public_in[l];
    out->drive_kwh[l] = drive_sum[l];
    out->garage_pv_kwh[l] = g_pv[l];
    out->garage_stored_kwh[l] = g_stored[l];
    out->garage_topup_kwh[l] = g_topup[l];
    out->garage_to_car_kwh[l] = g_to_car[l];
    out->garage_pv_to_car_kwh[l] = g_pv_to_car[l];
    out->garage_curtailed_kwh[l] = g_curtail[l];
    out->carport_pv_kwh[l] = cp_pv[l];
    out->carport_in_kwh[l] = cp_in[l];
    out->home_in_co2_g[l] = home_co2[l];
    out->public_in_co2_g[l] = public_co2[l];
    out->garage_topup_co2_g[l] = g_topup_co2[l];
    out->home_in_off_peak_kwh[l] = home_off_peak[l];
    out->garage_topup_off_peak_kwh[l] = g_topup_off_peak[l];
    out->backup_from_car_kwh[l] = bk_car[l];
    out->backup_from_garage_kwh[l] = bk_garage[l];
  }
}

#endif
