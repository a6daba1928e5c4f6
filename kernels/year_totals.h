/* year_totals.h: what one replica-year of the whole fleet adds up to (the rows of the output). */
#ifndef FLEET_YEAR_TOTALS_H
#define FLEET_YEAR_TOTALS_H

#define FLEET_DAYS_PER_YEAR 365
#define FLEET_HOURS_PER_DAY 24
#define FLEET_HOURS_PER_YEAR (FLEET_DAYS_PER_YEAR * FLEET_HOURS_PER_DAY)

#include "budget.h"
#include "params.h"

/* Where the energy entering the cars' batteries comes from, after every conversion loss (a
 * garage battery's output split between its PV and its grid top-up in the proportions it holds
 * them); the sources sum to the energy entering the cars. The order is the last axis of
 * /charging/energy_kwh. */
typedef enum {
  FLEET_SOURCE_HOME_SOCKET = 0,  /* grid, 230 V socket at home, AC */
  FLEET_SOURCE_HOME_WALLBOX = 1, /* grid, wallbox at home (plain or bidirectional), AC */
  FLEET_SOURCE_PUBLIC = 2,       /* grid, public fast charging, DC, on the road */
  FLEET_SOURCE_GARAGE_PV = 3,    /* garage roof PV, through the garage battery */
  FLEET_SOURCE_GARAGE_GRID = 4,  /* the garage battery's grid top-up, through it */
  FLEET_SOURCE_CARPORT_PV = 5,   /* workplace carport PV */
  FLEET_SOURCE_COUNT
} fleet_charge_source_t;

/* Solar energy flows per replica-year; the last axis of /solar/energy_kwh. */
typedef enum {
  FLEET_SOLAR_GARAGE_PRODUCED = 0, /* garage PV output (DC) */
  FLEET_SOLAR_GARAGE_STORED = 1,   /* PV energy that reached garage batteries (after losses) */
  FLEET_SOLAR_GARAGE_EXPORTED = 2, /* PV the batteries could not take, exported through the garage's
                                      inverter (after its losses, at most its power) when
                                      garage.export_surplus is true */
  FLEET_SOLAR_GARAGE_CURTAILED = 3,/* PV neither stored nor exported */
  FLEET_SOLAR_GARAGE_TO_CARS = 4,  /* into cars from garage batteries (after losses) */
  FLEET_SOLAR_GARAGE_LOSSES = 5,   /* conversion losses of the garage chain (PV, grid, to car, export) */
  FLEET_SOLAR_CARPORT_PRODUCED = 6,/* carport PV output over the parked cars' spaces */
  FLEET_SOLAR_CARPORT_TO_CARS = 7, /* into cars from carports (after losses) */
  FLEET_SOLAR_CARPORT_UNUSED = 8,  /* carport PV the cars did not take (left to the building) */
  FLEET_SOLAR_CARPORT_LOSSES = 9,  /* conversion losses of the carport chain */
  FLEET_SOLAR_FLOW_COUNT
} fleet_solar_flow_t;

/* Names written to the attribute `sources` of /charging/energy_kwh. */
extern const char *const fleet_charge_source_names[FLEET_SOURCE_COUNT];
/* Names written to the attribute `flows` of /solar/energy_kwh. */
extern const char *const fleet_solar_flow_names[FLEET_SOLAR_FLOW_COUNT];

/* Histogram bins of household outages (an outage: a maximal interval without supply). */
#define FLEET_OUTAGE_DURATION_BINS 13
extern const double fleet_outage_duration_edges_h[FLEET_OUTAGE_DURATION_BINS + 1]; /* last: +inf */
#define FLEET_COVERED_FRACTION_BINS 20 /* [0, 0.05), ..., [0.95, 1] */

/* Claim C2's reporting bands of outage duration, [edge_k, edge_k+1) hours: < 1 h, 1-4 h, 4-24 h,
 * >= 24 h (the fixed bands, not a scenario parameter). The proposal's sentence is about a
 * 24-hour outage: FLEET_BACKUP_CLAIM_H, the last band's lower edge, is also the window of "the
 * first 24 h fully served". */
#define FLEET_OUTAGE_BANDS 4
extern const double fleet_outage_band_edges_h[FLEET_OUTAGE_BANDS + 1]; /* last: +inf */
#define FLEET_BACKUP_CLAIM_H 24.0
/* The band of an outage lasting duration_h hours. */
int fleet_outage_band(double duration_h);

typedef struct {
  /* fleet totals per hour of the year */
  double storage_energy_kwh[FLEET_HOURS_PER_YEAR]; /* energy plugged-in bidirectional cars can give
                                                      back, after discharge losses (deliverable) */
  double storage_battery_kwh[FLEET_HOURS_PER_YEAR]; /* the same at the battery: energy above the
                                                       reserve, before discharge losses */
  double storage_power_kw[FLEET_HOURS_PER_YEAR];   /* power they can give back, charger-capped */
  double plugged_vehicles[FLEET_HOURS_PER_YEAR];   /* cars plugged in at home */
  double vehicles_away[FLEET_HOURS_PER_YEAR];      /* cars away from home, driving or parked */
  double garage_energy_kwh[FLEET_HOURS_PER_YEAR];  /* energy garage batteries can give back,
                                                      above their floor, after losses */
  double garage_battery_kwh[FLEET_HOURS_PER_YEAR]; /* the same at the battery, before losses */
  double garage_power_kw[FLEET_HOURS_PER_YEAR];    /* power they can give back, inverter-capped */
  /* fleet totals per year */
  double km_driven;
  double trips;                /* one-way car trips */
  double weekday_trips;        /* of them, driven Monday..Friday */
  double commuters;            /* cars of employed drivers */
  double commute_km_sum;       /* their one-way commute distances, summed */
  double state_of_health_sum;  /* the cars' battery state of health at the year's end, summed */
  double charging_energy_kwh[FLEET_SOURCE_COUNT];  /* entering the cars, after losses, by source */
  double home_grid_kwh;           /* drawn from the grid at home (chargers and garage top-ups),
                                     before losses */
  double home_grid_off_peak_kwh;  /* of it, in the off-peak window's hours */
  double solar_energy_kwh[FLEET_SOLAR_FLOW_COUNT];
  /* outages and home backup */
  double households_out[FLEET_HOURS_PER_YEAR]; /* households without supply in the hour, each
                                                  weighted by the fraction of the hour */
  double outage_household_hours;      /* sum of the above */
  double outage_demand_kwh;           /* dormant load during outages */
  double outage_served_kwh;           /* of it, served by garage batteries and cars */
  double outage_unserved_kwh;
  double outage_count;                /* household outages that ended this year */
  double outage_duration_histogram[FLEET_OUTAGE_DURATION_BINS];
  double outage_covered_histogram[FLEET_COVERED_FRACTION_BINS]; /* served / demand */
  /* claim C2 by duration band (fleet_outage_band_edges_h), over the outages that ended this year */
  double outage_band_count[FLEET_OUTAGE_BANDS];
  double outage_band_car_at_start[FLEET_OUTAGE_BANDS];  /* began with a bidirectional car home, plugged */
  double outage_band_demand_kwh[FLEET_OUTAGE_BANDS];    /* their dormant load, whole outages */
  double outage_band_served_kwh[FLEET_OUTAGE_BANDS];    /* of it, served */
  double outage_band_first_served[FLEET_OUTAGE_BANDS];  /* first FLEET_BACKUP_CLAIM_H fully served */
  double outage_band_fully_served[FLEET_OUTAGE_BANDS];  /* fully served over their whole length */
  /* budget (claims C3, C4) and CO2 (C7) */
  double prices_eur[FLEET_PRICE_COUNT];     /* the year's prices, order of fleet_price_t */
  double household_count;                   /* paying households with an account this year */
  double household_account_sum_eur;
  double household_account_m2_eur2;         /* sum of squared deviations from the mean */
  double household_worse_off;               /* of them, with an account below 0 */
  double household_account_histogram[FLEET_ACCOUNT_BINS];
  double garage_household_count;            /* paying households that lease a garage too */
  double garage_account_sum_eur;            /* their garage accounts: export revenue - garage lease */
  double position_count;                    /* households completing their lease this year */
  double position_sum_eur;                  /* their full positions over the lease (C3, framing ii) */
  double position_m2_eur2;                  /* sum of squared deviations from the mean */
  double position_worse_off;                /* of them, with a position below 0 */
  double position_histogram[FLEET_POSITION_BINS];
  /* C3 on each price path (budget.h, fleet_prices_generate_path), the same households and
   * quantities as above: path 0 is the replica's own (= household_account_sum_eur, _m2_eur2,
   * household_worse_off, prices_eur); paths from budget.price_paths_per_replica on hold 0 */
  double path_prices_eur[FLEET_PRICE_COUNT][FLEET_MAX_PRICE_PATHS]; /* order of fleet_price_t */
  double path_account_sum_eur[FLEET_MAX_PRICE_PATHS];
  double path_account_m2_eur2[FLEET_MAX_PRICE_PATHS]; /* sum of squared deviations from the path's mean */
  double path_worse_off[FLEET_MAX_PRICE_PATHS];       /* households with an account below 0 */
  double ledger_eur[FLEET_LEDGER_COUNT];    /* order of fleet_ledger_item_t */
  double co2_combustion_avoided_t;          /* the replaced cars' emissions for the km, if scrapped */
  double co2_grid_t;                        /* emitted: grid electricity charged */
  double co2_battery_t;                     /* emitted: making the packs (new cars, warranty packs) */
  /* weather per region and year */
  double region_pv_yield_kwh_per_kwp[FLEET_MAX_REGIONS];
  double region_mean_temperature_c[FLEET_MAX_REGIONS];
} fleet_year_totals_t;

#endif
