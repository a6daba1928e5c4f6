/* lanes.h: the per-block data the hot loops work on: FLEET_LANES vehicles side by side. */
#ifndef FLEET_LANES_H
#define FLEET_LANES_H

#include <stdint.h>

#include "population.h"
#include "year_totals.h"

/* The hot per-day functions must be inlined where they are called: their `solar` and `outage`
 * flags are constants there, and only then does each variant compile to straight vector code. */
#define FLEET_HOT_INLINE static inline __attribute__((always_inline))

/* Marks "no such hour": a trip that does not start (or end) today. Hours compare as floats so
 * that lane code stays branch-free; -1 means "left on an earlier day". */
#define FLEET_NO_HOUR 99.0f

/* One day's trips of each lane, expanded once from that vehicle-day's draws. A day holds at most
 * two outings from home, in two slots: slot 1 is the day's main outing (the commute, with a stop
 * chained to the drive home; or a weekend outing; or a daytime errand; or a day of a long trip),
 * slot 2 an evening outing that leaves after slot 1 is back. A day whose only outing is an
 * evening one has it in slot 1, so that slot 2 is used only after slot 1. */
typedef struct {
  float dep_hour[FLEET_LANES]; /* slot 1's outbound drive; -1: left earlier; NO_HOUR: no trip */
  float ret_hour[FLEET_LANES]; /* slot 1's drive home; NO_HOUR: not back today */
  float out_km[FLEET_LANES];   /* driven in the departure hour */
  float back_km[FLEET_LANES];  /* driven in the return hour */
  float dep2_hour[FLEET_LANES]; /* slot 2 (evening): out; NO_HOUR: none */
  float ret2_hour[FLEET_LANES]; /* slot 2: home, the same day */
  float out2_km[FLEET_LANES];
  float back2_km[FLEET_LANES];
  float need_km[FLEET_LANES];  /* distance the car must hold energy for before it first leaves */
  float need2_km[FLEET_LANES]; /* of it, slot 2's: what it must hold between the two outings */
  float at_work[FLEET_LANES];  /* 1: slot 1 is the commute (parked at work in between) */
  float trips[FLEET_LANES];    /* one-way trips driven today (a stop on the way home counts one) */
} fleet_day_plan_t;

/* What a lane's battery and plug carry from one hour, day and year to the next. */
typedef struct {
  float soc_kwh[FLEET_LANES];
  float plugged[FLEET_LANES];   /* 1: plugged in at home */
  float away_prev[FLEET_LANES]; /* 1: away in the previous hour (arrival detection) */
  float garage_kwh[FLEET_LANES]; /* solar garage battery's state of charge (0 without one) */
  float garage_pv_kwh[FLEET_LANES]; /* of it, the energy that came from its PV (the rest from the
                                       grid): what leaves the battery takes both in proportion */
} fleet_lane_state_t;

/* A long trip in progress at the start of a day. */
typedef struct {
  float nights_left[FLEET_LANES]; /* nights away still ahead (0: not on a trip) */
  float back_km[FLEET_LANES];     /* the return leg, driven on the last day */
} fleet_trip_state_t;

/* Per-lane constants of the hourly step. */
typedef struct {
  float kwh_per_km[FLEET_LANES];        /* at mild temperature */
  float home_charge_kwh[FLEET_LANES];   /* into the battery per hour plugged: power x efficiency */
  float target_kwh[FLEET_LANES];        /* home charging stops here */
  float floor_kwh[FLEET_LANES];
  float plug_threshold_kwh[FLEET_LANES];
  float has_charger[FLEET_LANES];
  float storage_lane[FLEET_LANES];      /* 1: bidirectional (and active) */
  float discharge_kw[FLEET_LANES];
  float public_reserve_kwh[FLEET_LANES];
  float public_target_kwh[FLEET_LANES];
  float reserve_adds_floor[FLEET_LANES]; /* 1: keep floor + next trips' need; 0: the larger of the two */
  /* solar garage (zeros without one) and workplace carport */
  float garage_kwp[FLEET_LANES];
  float garage_capacity_kwh[FLEET_LANES];
  float garage_floor_kwh[FLEET_LANES];
  float garage_topup_target_kwh[FLEET_LANES];
  float carport_kwp[FLEET_LANES];          /* 0 without a carport at work */
  float off_peak[FLEET_LANES];             /* 1: the home grid charges only in the off-peak window */
} fleet_step_consts_t;

/* Scenario-wide numbers of the solar garage and carport chains (the garage chain's efficiencies
 * are those of the configured chain, DC or AC). */
typedef struct {
  float pv_to_battery_efficiency;
  float battery_to_car_efficiency;
  float grid_to_battery_efficiency;
  float battery_to_grid_efficiency;
  float garage_to_car_kwh;      /* per hour: the garage's charge power x 1 h, car side */
  float garage_to_home_kwh;     /* per hour: the garage inverter's power x 1 h (home backup and
                                   what the garage can give back in an hour) */
  float topup_kwh;              /* per hour into the garage battery from the grid */
  float export_surplus;         /* 1: PV the battery cannot take goes out through the inverter
                                   (garage.export_surplus); 0: it is curtailed */
  float carport_efficiency;
  float carport_to_car_kwh;     /* per hour: the space's charge power x 1 h */
} fleet_solar_consts_t;

/* A day's hourly inputs shared by a block (its region's weather, the calendar). */
typedef struct {
  float consumption_factor[FLEET_HOURS_PER_DAY]; /* x kWh/km at each hour's temperature */
  float pv_kw_per_kwp[FLEET_HOURS_PER_DAY];
  float topup_window[FLEET_HOURS_PER_DAY];       /* 1 in the garage grid top-up hours */
  float off_peak_window[FLEET_HOURS_PER_DAY];    /* 1 in the peak/off-peak tariff's off-peak hours */
  float day_factor;                              /* the day's mean consumption factor */
  float backup_load_kwh[FLEET_HOURS_PER_DAY];    /* the dormant house's load in each hour */
  float grid_g_co2_per_kwh[FLEET_HOURS_PER_DAY]; /* the grid's carbon intensity in each hour */
  /* per lane: the fraction of each hour its house is without supply (read only on outage days) */
  float outage_fraction[FLEET_HOURS_PER_DAY][FLEET_LANES];
} fleet_day_inputs_t;

/* Per-lane constants of the daily trip draws. */
typedef struct {
  uint32_t vehicle_id[FLEET_LANES]; /* addresses the lane's daily streams (fleet.vehicles <= 1e8) */
  float active[FLEET_LANES];
  float employed[FLEET_LANES];
  float teleworker[FLEET_LANES];
  float commute_km[FLEET_LANES];
  float departure_hour[FLEET_LANES];
  float return_hour[FLEET_LANES];
} fleet_plan_consts_t;

/* Scenario-wide numbers of the daily trip draws, derived once per run. */
typedef struct {
  float long_trip_day_probability; /* of starting a long trip on a day at home */
  float long_trip_ln_q;            /* ln of the geometric ratio of nights away */
  float long_trip_km_min, long_trip_extra_km_mean;
  float long_trip_departure_hour, long_trip_return_hour;
  float work_absence_probability, telework_day_probability;
  float commute_stop_probability, commute_stop_km_mean;
  float errand_day_probability, errand_km_mean;
  float errand_hour_min, errand_hour_span, errand_duration_hours;
  float weekend_trip_probability, weekend_trip_km_mean;
  float weekend_trip_hour_min, weekend_trip_hour_span, weekend_trip_duration_hours;
  float evening_trip_probability_weekday, evening_trip_probability_weekend, evening_trip_km_mean;
  float evening_trip_hour_min, evening_trip_hour_span, evening_trip_duration_hours;
} fleet_plan_rates_t;

/* What a day adds up to, per hour and lane, before the block's sums. */
typedef struct {
  float energy_kwh[FLEET_HOURS_PER_DAY][FLEET_LANES]; /* at the battery: above the reserve */
  float power_kw[FLEET_HOURS_PER_DAY][FLEET_LANES];   /* deliverable, charger-capped */
  float plugged[FLEET_HOURS_PER_DAY][FLEET_LANES];
  float away[FLEET_HOURS_PER_DAY][FLEET_LANES];      /* 1: away from home (driving or parked) */
  float garage_give_kwh[FLEET_HOURS_PER_DAY][FLEET_LANES]; /* at the battery: above its floor */
  float garage_power_kw[FLEET_HOURS_PER_DAY][FLEET_LANES];
  float home_in_kwh[FLEET_LANES];   /* into the battery from the home charger */
  float public_in_kwh[FLEET_LANES]; /* into the battery from public chargers */
  float drive_kwh[FLEET_LANES];
  float garage_pv_kwh[FLEET_LANES];     /* garage PV produced (DC) */
  float garage_stored_kwh[FLEET_LANES]; /* of it, into the garage battery after losses */
  float garage_topup_kwh[FLEET_LANES];  /* into the garage battery from the grid after losses */
  float garage_to_car_kwh[FLEET_LANES]; /* into the car from the garage battery after losses */
  float garage_pv_to_car_kwh[FLEET_LANES]; /* of it, the share that came from the garage's PV */
  float garage_curtailed_kwh[FLEET_LANES]; /* PV neither stored nor exported */
  float carport_pv_kwh[FLEET_LANES];    /* carport PV over the car's space while parked */
  float carport_in_kwh[FLEET_LANES];    /* into the car from the carport after losses */
  /* what went into the battery (home, public, garage top-up) x the grid's intensity at the hour
   * it was drawn, g/kWh: / the charger's efficiency, the grid's CO2 */
  float home_in_co2_g[FLEET_LANES];
  float public_in_co2_g[FLEET_LANES];
  float garage_topup_co2_g[FLEET_LANES];
  /* of home_in_kwh and garage_topup_kwh, what went in during the off-peak window's hours */
  float home_in_off_peak_kwh[FLEET_LANES];
  float garage_topup_off_peak_kwh[FLEET_LANES];
  /* outage days only: the dormant load and what the garage and the car served of it */
  float backup_demand_kwh[FLEET_HOURS_PER_DAY][FLEET_LANES];
  float backup_served_kwh[FLEET_HOURS_PER_DAY][FLEET_LANES];
  float backup_from_car_kwh[FLEET_LANES];    /* taken from the car's battery (before losses) */
  float backup_from_garage_kwh[FLEET_LANES]; /* taken from the garage battery (before losses) */
} fleet_day_sums_t;

#endif
