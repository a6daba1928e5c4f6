/* outages.h: when each household is without supply in a replica-year.
 *
 * Two sources (DESIGN.md, model 6; PARAMETERS.md 5): ordinary interruptions, a Poisson process
 * per household with lognormal durations, calibrated to the CRE's ~1.9 interruptions and
 * ~60-75 minutes per customer per year; and storms, drawn nationally per year (Poisson count,
 * month by weights, a centre region by exposure, a footprint radius: every region whose centre
 * lies within it is hit, so neighbours go down together), which cut a share of each hit region's
 * households and restore each one after a time drawn from the restoration curve (piecewise
 * linear still-cut fraction through the configured knots: after the 2023 storm Ciaran, ending by
 * Klaus 2009's 12 days); a share of storms have the 1999 scale, with 1999's own, faster curve.
 * The calibration to the published minutes per customer-year is in docs/CALIBRATION_STORMS.md.
 * A household's intervals are merged and sorted.
 * Streams: storms from (seed, replica, year, NATION, 0, STORMS); a household's draws from
 * (seed, replica, year, VEHICLE, id, OUTAGES), a fixed number per storm, so they never shift. */
#ifndef FLEET_OUTAGES_H
#define FLEET_OUTAGES_H

#include <stdint.h>

#include "params.h"

#define FLEET_MAX_STORMS 16            /* per year; more draws are dropped (Poisson(0.2) never gets there) */
#define FLEET_MAX_OUTAGES 32           /* intervals per household-year after merging */

typedef struct {
  double start_hour;                   /* hour of the year, fractional */
  int extreme;                         /* 1: 1999-scale */
  double cut_share;                    /* of each hit region's households */
  int hit[FLEET_MAX_REGIONS];          /* 1: the region is in the footprint */
} fleet_storm_t;

typedef struct {
  int count;
  fleet_storm_t storms[FLEET_MAX_STORMS];
} fleet_storm_year_t;

typedef struct {
  double start_hour, end_hour; /* hours of the year; end may pass 8760 (goes on next year) */
} fleet_interval_t;

/* Draws the year's storms. */
void fleet_storms_generate(const fleet_params_t *params, int64_t replica, int64_t year, fleet_storm_year_t *storms);

/* Great-circle distance between two regions' centres, km. */
double fleet_region_distance_km(const fleet_params_t *params, int a, int b);

/* Restoration time in days of a household cut by a storm, for a uniform u in [0, 1): the
 * inverse of the piecewise-linear still-cut curve, the extreme storm's (storm.extreme_*) when
 * extreme is 1, else the ordinary one's. */
double fleet_storm_restoration_days(const fleet_params_t *params, int extreme, double u);

/* The household's outage intervals of the replica-year (ordinary + storms of its region), merged
 * and sorted; returns their count (at most FLEET_MAX_OUTAGES: later ones are merged into the
 * last, never dropped silently). stream_prefix = fleet_stream_prefix(seed, replica, year, VEHICLE). */
int fleet_household_outages(const fleet_params_t *params, const fleet_storm_year_t *storms, uint64_t stream_prefix,
                            uint64_t vehicle_id, int region, fleet_interval_t out[FLEET_MAX_OUTAGES]);

#endif
