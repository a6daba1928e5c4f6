#include "population.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "year_totals.h"

void fleet_region_counts(const fleet_params_t *params, int64_t counts[FLEET_MAX_REGIONS]) {
  double remainder[FLEET_MAX_REGIONS];
  int64_t assigned = 0;
  for (int r = 0; r < params->region_count; r++) {
    double exact = params->regions[r].fleet_share * (double)params->vehicles;
    counts[r] = (int64_t)floor(exact);
    remainder[r] = exact - (double)counts[r];
    assigned += counts[r];
  }
  /* Shares sum to 1 within 1e-6 (scenario rule), so the deficit is at most region_count, but a
   * sum slightly above 1 could over-assign: take the excess back from the largest counts. */
  while (assigned > params->vehicles) {
    int largest = 0;
    for (int r = 1; r < params->region_count; r++)
      if (counts[r] > counts[largest]) largest = r;
    counts[largest]--;
    assigned--;
  }
  while (assigned < params->vehicles) {
    int best = 0;
    for (int r = 1; r < params->region_count; r++)
      if (remainder[r] > remainder[best]) best = r;
    counts[best]++;
    remainder[best] = -1.0;
    assigned++;
  }
}

static void *alloc_array(size_t count, size_t size) { return calloc(count ? count : 1, size); }

int64_t fleet_population_slots(const fleet_params_t *params) {
  int64_t counts[FLEET_MAX_REGIONS], blocks = 0;
  fleet_region_counts(params, counts);
  for (int r = 0; r < params->region_count; r++) blocks += (counts[r] + FLEET_LANES - 1) / FLEET_LANES;
  return blocks * FLEET_LANES;
}

fleet_status_t fleet_population_create(const fleet_params_t *params, int64_t replica, fleet_population_t *pop,
                                       fleet_error_t *err) {
  memset(pop, 0, sizeof *pop);
  pop->vehicles = params->vehicles;
  pop->region_count = params->region_count;
  fleet_region_counts(params, pop->region_vehicles);
  pop->slots = fleet_population_slots(params);
  pop->blocks = pop->slots / FLEET_LANES;
  size_t blocks = (size_t)pop->blocks, slots = (size_t)pop->slots;
  pop->block_region = alloc_array(blocks, sizeof *pop->block_region);
  pop->block_lanes = alloc_array(blocks, sizeof *pop->block_lanes);
  pop->block_solar = alloc_array(blocks, sizeof *pop->block_solar);
  pop->vehicle_id = alloc_array(slots, sizeof *pop->vehicle_id);
  int ok = pop->block_region && pop->block_lanes && pop->block_solar && pop->vehicle_id;
#define FLEET_POPULATION_ALLOCATE(name) ok = ok && (pop->name = alloc_array(slots, sizeof(float)));
  FLEET_POPULATION_FIELDS(FLEET_POPULATION_ALLOCATE)
#undef FLEET_POPULATION_ALLOCATE
  if (!ok) {
    fleet_population_free(pop);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate the attributes of %lld vehicles",
                           (long long)params->vehicles);
  }
  int64_t block = 0;
  for (int r = 0; r < params->region_count; r++) {
    for (int64_t done = 0; done < pop->region_vehicles[r]; done += FLEET_LANES, block++) {
      int64_t lanes = pop->region_vehicles[r] - done;
      pop->block_region[block] = r;
      pop->block_lanes[block] = (int32_t)(lanes < FLEET_LANES ? lanes : FLEET_LANES);
    }
  }
  fleet_population_draw(params, replica, pop);
  return FLEET_OK;
}

static double clamp(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

#define STREAM(attr) fleet_stream_at(prefix, (uint64_t)id, FLEET_PURPOSE_ATTRIBUTES + (attr))

static int draw_employed(const fleet_params_t *p, uint64_t prefix, int64_t id) {
  fleet_pcg32_t rng = STREAM(FLEET_ATTR_EMPLOYED);
  return fleet_sample_bernoulli(&rng, p->employed_share);
}
static int draw_garage(const fleet_params_t *p, uint64_t prefix, int64_t id) {
  fleet_pcg32_t rng = STREAM(FLEET_ATTR_GARAGE);
  return fleet_sample_bernoulli(&rng, p->garage_share);
}
/* Only commuters park at work; the draw is made for everyone so that it never shifts. */
static int draw_carport(const fleet_params_t *p, uint64_t prefix, int64_t id) {
  fleet_pcg32_t rng = STREAM(FLEET_ATTR_CARPORT);
  int under = fleet_sample_bernoulli(&rng, p->carport_worker_share);
  return under && draw_employed(p, prefix, id);
}

/* Draws one vehicle's attributes into slot; each attribute from its own stream. */
static void draw_vehicle(const fleet_params_t *p, uint64_t prefix, int64_t id, fleet_population_t *pop,
                         int64_t slot) {
  int employed = draw_employed(p, prefix, id);

  /* Lognormal one-way distance truncated at the cap. */
  fleet_pcg32_t rng = STREAM(FLEET_ATTR_COMMUTE_KM);
  double km = fleet_sample_lognormal_below(&rng, log(p->commute_km_median), p->commute_km_log_sd, p->commute_km_max);

  rng = STREAM(FLEET_ATTR_TELEWORKER);
  int teleworker = fleet_sample_bernoulli(&rng, p->telework_worker_share);
  rng = STREAM(FLEET_ATTR_DEPARTURE_HOUR);
  double departure = clamp(nearbyint(fleet_sample_normal(&rng, p->departure_hour_mean, p->departure_hour_sd)),
                           (double)p->departure_hour_min, (double)p->departure_hour_max);
  rng = STREAM(FLEET_ATTR_WORK_HOURS);
  double work = clamp(nearbyint(fleet_sample_normal(&rng, p->work_hours_mean, p->work_hours_sd)),
                      (double)p->work_hours_min, (double)p->work_hours_max);
  rng = STREAM(FLEET_ATTR_CONSUMPTION);
  double kwh_per_km = p->consumption_kwh_per_km_min +
                      (p->consumption_kwh_per_km_max - p->consumption_kwh_per_km_min) * fleet_pcg32_double(&rng);
  rng = STREAM(FLEET_ATTR_HOME_CHARGER);
  double u = fleet_pcg32_double(&rng);
  int source = u < p->home_socket_share                           ? FLEET_SOURCE_HOME_SOCKET
               : u < p->home_socket_share + p->home_wallbox_share ? FLEET_SOURCE_HOME_WALLBOX
                                                                  : FLEET_CHARGER_NONE;
  rng = STREAM(FLEET_ATTR_BIDIRECTIONAL);
  int bidirectional = fleet_sample_bernoulli(&rng, p->bidirectional_share);
  rng = STREAM(FLEET_ATTR_SOC_FLOOR);
  double floor_fraction = p->soc_floor_fraction_min +
                          (p->soc_floor_fraction_max - p->soc_floor_fraction_min) * fleet_pcg32_double(&rng);

  pop->vehicle_id[slot] = (uint64_t)id;
  pop->active[slot] = 1.0f;
  pop->employed[slot] = (float)employed;
  pop->commute_km[slot] = employed ? (float)km : 0.0f;
  pop->teleworker[slot] = (float)teleworker;
  pop->departure_hour[slot] = (float)departure;
  pop->return_hour[slot] = (float)(departure + work);
  pop->kwh_per_km[slot] = (float)kwh_per_km;
  /* A car gives energy back only through a bidirectional wallbox (a plain socket gives none), and
   * such a wallbox needs a home charging point (off-street parking). So a bidirectional car whose
   * household has one gets the wallbox, bought by the State (its ledger's "chargers"), which
   * replaces the socket or plain wallbox and charges at its rating with a wallbox's efficiency;
   * without one the car cannot give back. The draw is made either way (common random numbers). */
  bidirectional = bidirectional && source != FLEET_CHARGER_NONE;
  if (bidirectional) source = FLEET_SOURCE_HOME_WALLBOX;
  pop->charger_source[slot] = (float)source;
  pop->charger_kw[slot] = bidirectional                         ? (float)p->bidirectional_charger_power_kw
                          : source == FLEET_SOURCE_HOME_SOCKET    ? (float)p->socket_power_kw
                          : source == FLEET_SOURCE_HOME_WALLBOX ? (float)p->wallbox_power_kw
                                                                : 0.0f;
  pop->bidirectional[slot] = (float)bidirectional;
  pop->capacity_kwh[slot] = (float)p->battery_kwh;
  pop->floor_kwh[slot] = (float)(floor_fraction * p->battery_kwh);
  pop->garage[slot] = (float)draw_garage(p, prefix, id);
  pop->carport[slot] = (float)draw_carport(p, prefix, id);
  rng = STREAM(FLEET_ATTR_DIESEL);
  pop->diesel[slot] = (float)fleet_sample_bernoulli(&rng, p->diesel_share);
  /* The charging schedule (charging.off_peak_share) means something only with a charging point at
   * home (a socket, a wallbox or a garage's DC link: the grid energy a household draws at home);
   * the draw is made for everyone, whatever the share, so that it never shifts (common random
   * numbers across scenarios). */
  rng = STREAM(FLEET_ATTR_OFF_PEAK);
  int off_peak = fleet_sample_bernoulli(&rng, p->off_peak_share);
  pop->off_peak[slot] = (float)(off_peak && (pop->charger_kw[slot] > 0.0f || pop->garage[slot] > 0.0f));
}
#undef STREAM

void fleet_population_draw(const fleet_params_t *params, int64_t replica, fleet_population_t *pop) {
  uint64_t prefix = fleet_stream_prefix(params->seed, params->redraw_fleet_per_replica ? (uint64_t)replica : 0u,
                                        0u, FLEET_ENTITY_VEHICLE);
  /* Slot order within each region: solar vehicles (garage or carport) first, each group in id
   * order. Written into vehicle_id; the other fields follow from the id. One pass: solar ids
   * fill the region's slots from the front, the others from the back (then reversed). */
  int64_t first_id = 0, first_slot = 0;
  for (int r = 0; r < pop->region_count; r++) {
    int64_t n = pop->region_vehicles[r], front = first_slot, back = first_slot + n - 1;
    for (int64_t id = first_id; id < first_id + n; id++) {
      int solar = draw_garage(params, prefix, id) || draw_carport(params, prefix, id);
      pop->vehicle_id[solar ? front++ : back--] = (uint64_t)id;
    }
    for (int64_t lo = front, hi = first_slot + n - 1; lo < hi; lo++, hi--) {
      uint64_t t = pop->vehicle_id[lo];
      pop->vehicle_id[lo] = pop->vehicle_id[hi];
      pop->vehicle_id[hi] = t;
    }
    first_id += n;
    first_slot += (n + FLEET_LANES - 1) / FLEET_LANES * FLEET_LANES;
  }
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < pop->blocks; b++) {
    int solar = 0;
    for (int l = 0; l < FLEET_LANES; l++) {
      int64_t slot = b * FLEET_LANES + l;
      if (l < pop->block_lanes[b]) {
        draw_vehicle(params, prefix, (int64_t)pop->vehicle_id[slot], pop, slot);
        solar |= pop->garage[slot] > 0.0f || pop->carport[slot] > 0.0f;
      } else { /* padding: inert, and safe to divide by */
        pop->vehicle_id[slot] = 0;
        pop->active[slot] = pop->employed[slot] = pop->commute_km[slot] = pop->teleworker[slot] = 0.0f;
        pop->departure_hour[slot] = pop->return_hour[slot] = 0.0f;
        pop->kwh_per_km[slot] = pop->charger_kw[slot] = pop->bidirectional[slot] = pop->floor_kwh[slot] = 0.0f;
        pop->charger_source[slot] = (float)FLEET_CHARGER_NONE;
        pop->capacity_kwh[slot] = (float)params->battery_kwh;
        pop->garage[slot] = pop->carport[slot] = pop->diesel[slot] = pop->off_peak[slot] = 0.0f;
      }
    }
    pop->block_solar[b] = solar;
  }
}

void fleet_population_free(fleet_population_t *pop) {
  free(pop->block_region);
  free(pop->block_lanes);
  free(pop->block_solar);
  free(pop->vehicle_id);
#define FLEET_POPULATION_RELEASE(name) free(pop->name);
  FLEET_POPULATION_FIELDS(FLEET_POPULATION_RELEASE)
#undef FLEET_POPULATION_RELEASE
  memset(pop, 0, sizeof *pop);
}
