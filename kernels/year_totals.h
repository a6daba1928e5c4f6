/* year_totals.h: what one replica-year of the whole fleet adds up to (the rows of the output). */
#ifndef FLEET_YEAR_TOTALS_H
#define FLEET_YEAR_TOTALS_H

#define FLEET_DAYS_PER_YEAR 365
#define FLEET_HOURS_PER_DAY 24
#define FLEET_HOURS_PER_YEAR (FLEET_DAYS_PER_YEAR * FLEET_HOURS_PER_DAY)

/* Where charging energy comes from; the order is the last axis of /charging/energy_kwh. */
typedef enum {
  FLEET_SOURCE_HOME_SOCKET = 0,  /* 230 V socket at home, AC */
  FLEET_SOURCE_HOME_WALLBOX = 1, /* wallbox at home, AC */
  FLEET_SOURCE_PUBLIC = 2,       /* public fast charging, DC, on the road */
  FLEET_SOURCE_COUNT
} fleet_charge_source_t;

/* Names written to the attribute `sources` of /charging/energy_kwh. */
extern const char *const fleet_charge_source_names[FLEET_SOURCE_COUNT];

typedef struct {
  /* fleet totals per hour of the year */
  double storage_energy_kwh[FLEET_HOURS_PER_YEAR]; /* energy plugged-in bidirectional cars can give
                                                      back, after discharge losses */
  double storage_power_kw[FLEET_HOURS_PER_YEAR];   /* power they can give back, charger-capped */
  double plugged_vehicles[FLEET_HOURS_PER_YEAR];   /* cars plugged in at home */
  /* fleet totals per year */
  double km_driven;
  double charging_energy_kwh[FLEET_SOURCE_COUNT];  /* drawn from the grid, before losses */
} fleet_year_totals_t;

#endif
