/* population.h: the fleet's vehicles and households, structure-of-arrays, grouped by region.
 *
 * Vehicles are numbered 0..N-1 region by region (region counts by largest remainder of the
 * shares), and laid out in blocks of FLEET_LANES slots that never straddle two regions, so a
 * region's weather is one scalar for a whole block. Within a region the vehicles with a solar
 * garage or a workplace carport come first, so that almost every block is either all-solar or
 * solar-free and runs the matching variant of the hourly step. Slots past a region's last
 * vehicle are inactive padding. Every attribute comes from streams keyed on the vehicle id (and
 * on the replica only if simulation.redraw_fleet_per_replica is set), so the layout changes no
 * vehicle's numbers. */
#ifndef FLEET_POPULATION_H
#define FLEET_POPULATION_H

#include <stdint.h>

#include "error.h"
#include "params.h"

/* SIMD lanes per block: 16 floats fill one AVX-512 register. */
#define FLEET_LANES 16

/* Indexes of attribute streams (purpose FLEET_PURPOSE_ATTRIBUTES + index); never renumber. */
enum {
  FLEET_ATTR_EMPLOYED = 0,
  FLEET_ATTR_COMMUTE_KM = 1,
  FLEET_ATTR_TELEWORKER = 2,
  FLEET_ATTR_DEPARTURE_HOUR = 3,
  FLEET_ATTR_WORK_HOURS = 4,
  FLEET_ATTR_CONSUMPTION = 5,
  FLEET_ATTR_HOME_CHARGER = 6,
  FLEET_ATTR_BIDIRECTIONAL = 7,
  FLEET_ATTR_SOC_FLOOR = 8,
  FLEET_ATTR_GARAGE = 9,
  FLEET_ATTR_CARPORT = 10,
  FLEET_ATTR_DIESEL = 11,
  FLEET_ATTR_OFF_PEAK = 12,
};

/* Home charging equipment, stored as a float code in charger_source. */
enum { FLEET_CHARGER_NONE = -1 }; /* otherwise a fleet_charge_source_t (socket or wallbox) */

/* The attributes of each vehicle, one float per slot each (0/1 flags as floats so that lane code
 * stays branch-free); listed once, expanded into the struct, its allocation and its release. */
#define FLEET_POPULATION_FIELDS(X)                                                                \
  X(active)                                                                                       \
  X(employed)                                                                                     \
  X(commute_km)     /* one way; 0 when not employed */                                            \
  X(teleworker)                                                                                   \
  X(departure_hour) /* hour of the morning drive */                                               \
  X(return_hour)    /* hour of the drive home */                                                  \
  X(kwh_per_km)     /* at mild temperature */                                                     \
  X(charger_source) /* FLEET_SOURCE_HOME_SOCKET, _WALLBOX, or FLEET_CHARGER_NONE */               \
  X(charger_kw)     /* 0 without a home charging point */                                         \
  X(bidirectional)                                                                                \
  X(floor_kwh)      /* state of charge the owner keeps for himself */                             \
  X(capacity_kwh)                                                                                 \
  X(garage)         /* 1: a solar garage at home */                                               \
  X(carport)        /* 1: parks under a solar carport at work (commuters only) */                 \
  X(diesel)         /* 1: the replaced combustion car ran on diesel, 0: petrol */                 \
  X(off_peak)       /* 1: charges at home in the off-peak window only, on the peak/off-peak     \
                       tariff (households with a home charging point; 0: on arrival, base) */

typedef struct {
  int64_t vehicles;
  int64_t blocks;
  int64_t slots; /* blocks * FLEET_LANES */
  int region_count;
  int64_t region_vehicles[FLEET_MAX_REGIONS];
  /* per block */
  int32_t *block_region;
  int32_t *block_lanes;         /* active lanes, 1..FLEET_LANES */
  int32_t *block_solar;         /* 1: some lane has a solar garage or a carport */
  /* per slot */
  uint64_t *vehicle_id;
  /* per slot: FLEET_POPULATION_FIELDS */
#define FLEET_POPULATION_DECLARE(name) float *name;
  FLEET_POPULATION_FIELDS(FLEET_POPULATION_DECLARE)
#undef FLEET_POPULATION_DECLARE
} fleet_population_t;

/* Allocates and draws the fleet for a replica (the replica matters only when the scenario
 * redraws the fleet per replica). */
fleet_status_t fleet_population_create(const fleet_params_t *params, int64_t replica, fleet_population_t *pop,
                                       fleet_error_t *err);

/* Lays out and draws the attributes of an allocated fleet for a replica (fleet_population_create
 * calls it; call it again for another replica when the scenario redraws the fleet). */
void fleet_population_draw(const fleet_params_t *params, int64_t replica, fleet_population_t *pop);

void fleet_population_free(fleet_population_t *pop);

/* Vehicles per region by largest remainder of the shares (ties to the lower index); sums to
 * params->vehicles exactly. */
void fleet_region_counts(const fleet_params_t *params, int64_t counts[FLEET_MAX_REGIONS]);

/* The slots of the fleet of params: each region's vehicles rounded up to whole blocks of
 * FLEET_LANES (fleet_population_t.slots, without drawing the fleet). */
int64_t fleet_population_slots(const fleet_params_t *params);

#endif
