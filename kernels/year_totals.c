#include "year_totals.h"

#include <math.h>


/* Designated initialisers keep each name tied to its enum value if the order ever changes. */
const char *const fleet_charge_source_names[FLEET_SOURCE_COUNT] = {
    [FLEET_SOURCE_HOME_SOCKET] = "home_socket",
    [FLEET_SOURCE_HOME_WALLBOX] = "home_wallbox",
    [FLEET_SOURCE_PUBLIC] = "public",
    [FLEET_SOURCE_GARAGE_PV] = "garage_pv",
    [FLEET_SOURCE_GARAGE_GRID] = "garage_grid",
    [FLEET_SOURCE_CARPORT_PV] = "carport_pv",
};

const char *const fleet_solar_flow_names[FLEET_SOLAR_FLOW_COUNT] = {
    [FLEET_SOLAR_GARAGE_PRODUCED] = "garage_produced",
    [FLEET_SOLAR_GARAGE_STORED] = "garage_stored",
    [FLEET_SOLAR_GARAGE_EXPORTED] = "garage_exported",
    [FLEET_SOLAR_GARAGE_CURTAILED] = "garage_curtailed",
    [FLEET_SOLAR_GARAGE_TO_CARS] = "garage_to_cars",
    [FLEET_SOLAR_GARAGE_LOSSES] = "garage_losses",
    [FLEET_SOLAR_CARPORT_PRODUCED] = "carport_produced",
    [FLEET_SOLAR_CARPORT_TO_CARS] = "carport_to_cars",
    [FLEET_SOLAR_CARPORT_UNUSED] = "carport_unused",
    [FLEET_SOLAR_CARPORT_LOSSES] = "carport_losses",
};

/* Bin k of /outage/duration_histogram holds outages lasting [edge_k, edge_k+1) hours. */
const double fleet_outage_duration_edges_h[FLEET_OUTAGE_DURATION_BINS + 1] = {
    0, 0.25, 0.5, 1, 2, 4, 8, 12, 24, 48, 72, 120, 240, INFINITY};

/* Band k of claim C2 holds outages lasting [edge_k, edge_k+1) hours; defined here once, written
 * as the outage_band axis' coordinate. */
const double fleet_outage_band_edges_h[FLEET_OUTAGE_BANDS + 1] = {0, 1, 4, FLEET_BACKUP_CLAIM_H, INFINITY};

int fleet_outage_band(double duration_h) {
  int band = 0;
  while (band < FLEET_OUTAGE_BANDS - 1 && duration_h >= fleet_outage_band_edges_h[band + 1]) band++;
  return band;
}
