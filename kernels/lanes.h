/* lanes.h: the per-block data the hot loops work on: FLEET_LANES vehicles side by side. */
#ifndef FLEET_LANES_H
#define FLEET_LANES_H

#include "population.h"
#include "year_totals.h"

/* Marks "no such hour": a trip that does not start (or end) today. Hours compare as floats so
 * that lane code stays branch-free; -1 means "left on an earlier day". */
#define FLEET_NO_HOUR 99.0f

/* One day's trip of each lane, expanded once from that vehicle-day's draws (at most one trip a
 * day: the commute, with any errand chained to the drive home; or a weekend trip; or an errand;
 * or a day of a long trip). */
typedef struct {
  float dep_hour[FLEET_LANES]; /* hour of the outbound drive; -1: left earlier; NO_HOUR: no trip */
  float ret_hour[FLEET_LANES]; /* hour of the drive home; NO_HOUR: not back today */
  float out_km[FLEET_LANES];   /* driven in the departure hour */
  float back_km[FLEET_LANES];  /* driven in the return hour */
  float need_km[FLEET_LANES];  /* distance the car must hold energy for before it leaves */
} fleet_day_plan_t;

/* What a lane's battery and plug carry from one hour, day and year to the next. */
typedef struct {
  float soc_kwh[FLEET_LANES];
  float plugged[FLEET_LANES];   /* 1: plugged in at home */
  float away_prev[FLEET_LANES]; /* 1: away in the previous hour (arrival detection) */
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
} fleet_step_consts_t;

/* Per-lane constants of the daily trip draws. */
typedef struct {
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
  float errand_day_probability, errand_km_mean;
  float errand_hour_min, errand_hour_span, errand_duration_hours;
  float weekend_trip_probability, weekend_trip_km_mean;
  float weekend_trip_hour_min, weekend_trip_hour_span, weekend_trip_duration_hours;
} fleet_plan_rates_t;

/* What a day adds up to, per hour and lane, before the block's sums. */
typedef struct {
  float energy_kwh[FLEET_HOURS_PER_DAY][FLEET_LANES];
  float power_kw[FLEET_HOURS_PER_DAY][FLEET_LANES];
  float plugged[FLEET_HOURS_PER_DAY][FLEET_LANES];
  float home_in_kwh[FLEET_LANES];   /* into the battery from the home charger */
  float public_in_kwh[FLEET_LANES]; /* into the battery from public chargers */
  float drive_kwh[FLEET_LANES];
} fleet_day_sums_t;

#endif
