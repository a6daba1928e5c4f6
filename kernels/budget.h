/* budget.h: prices, the household's running-cost account, the State's ledger and CO2.
 *
 * Prices follow yearly log random walks per replica (diesel, petrol, residential tariff, public
 * fast charging), correlated through a Cholesky factor of their correlation matrix, drawn from
 * (seed, replica, 0, NATION, path, PRICES), path 0 the replica's own (price paths below). The
 * household account of a year: the combustion running
 * cost it avoids (its km x the replaced car's L/100 km x fuel price, + the maintenance saving)
 * minus its charging cost (grid kWh at home, the garage's grid top-up included, x the tariff the
 * household is on: base, or peak/off-peak by the hour drawn; public kWh x public price; its own
 * PV free) minus its lease payments (claim C3). The State's ledger
 * of a year: purchases and trade-in sales in year 0, lease receipts, defaults with a partial
 * recovery of the car's depreciated value, battery replacements under warranty, administration;
 * its net present value (claim C4). CO2 avoided: combustion emissions of the km driven minus
 * the emissions of the grid electricity charged (claim C7). */
#ifndef FLEET_BUDGET_H
#define FLEET_BUDGET_H

#include <stdint.h>

#include "params.h"

#define FLEET_MAX_YEARS 100

/* The first FLEET_PRICE_WALKS prices follow their own correlated walks. The two prices of the
 * peak/off-peak tariff (TRVE option HP/HC) follow the base tariff's: each is its start value x the
 * tariff path's ratio to the tariff's start, i.e. the same yearly log changes, the shock included
 * (the regulated tariff's options move together: one CRE deliberation sets them all). Deriving
 * them adds no draw, so the walks' draws stay where they are (common random numbers). */
typedef enum {
  FLEET_PRICE_DIESEL,
  FLEET_PRICE_PETROL,
  FLEET_PRICE_TARIFF,   /* base tariff, every hour */
  FLEET_PRICE_PUBLIC,
  FLEET_PRICE_OFF_PEAK, /* peak/off-peak tariff, in the off-peak window */
  FLEET_PRICE_PEAK,     /* peak/off-peak tariff, outside it */
  FLEET_PRICE_COUNT
} fleet_price_t;
enum { FLEET_PRICE_WALKS = FLEET_PRICE_OFF_PEAK }; /* prices with a walk of their own */
extern const char *const fleet_price_names[FLEET_PRICE_COUNT]; /* "diesel_eur_per_l", ... */

typedef struct {
  int years;
  double eur[FLEET_MAX_YEARS][FLEET_PRICE_COUNT]; /* price in each programme year */
} fleet_price_path_t;

/* Lower Cholesky factor of the 4 x 4 correlation matrix of the yearly log changes of the walked
 * prices (order of fleet_price_t; fuels correlate with each other by corr_diesel_petrol, with both electricity
 * prices by corr_fuel_electricity; tariff and public by corr_tariff_public). Returns 1, or 0 if
 * the matrix is not positive definite (then the scenario is invalid). */
int fleet_price_cholesky(const fleet_params_t *params, double lower[FLEET_PRICE_WALKS][FLEET_PRICE_WALKS]);

/* Draws a replica's price paths over params->years years: its own, path 0 of the paths below. */
void fleet_prices_generate(const fleet_params_t *params, int64_t replica, fleet_price_path_t *path);

/* Price paths per replica (budget.price_paths_per_replica, README "Price paths per replica").
 * Path k of replica r is the walk above drawn from stream (seed, r, 0, NATION, k, PRICES): path 0
 * is the replica's own (the one its physical run and /budget see), paths 1..K-1 are further
 * independent draws of the same walk. Each is addressed by (replica, path) alone, so it is the
 * same in any split and whatever K is (path k of a run with K = 10 is path k of one with 1000).
 * Every household's account is evaluated at each path's prices with the household's quantities of
 * the physical run (km, kWh by source and hour): conditioned on the replica's physical history
 * (fleet, weather, trips, outages, defaults), the K paths are independent draws of prices. */
#define FLEET_MAX_PRICE_PATHS 4096
void fleet_prices_generate_path(const fleet_params_t *params, int64_t replica, int64_t path_index,
                                fleet_price_path_t *path);

/* One household-year, as the engine measured it. */
typedef struct {
  double km;
  double home_grid_kwh;   /* from the grid at home: socket or wallbox, and the garage's top-up */
  double home_grid_off_peak_kwh; /* of it, drawn in the off-peak window's hours */
  int off_peak;           /* 1: on the peak/off-peak tariff (charging.off_peak_share), 0: base */
  double public_kwh;      /* from public chargers */
  int diesel;             /* 1: the replaced car ran on diesel, 0: petrol */
  int paying;             /* 1: its lease is running and paid this year */
} fleet_household_year_t;

/* The household's account as an affine function of the year's prices: constant_eur + sum over k
 * of eur_per_price[k] x prices[k] (fleet_account_at, k in the order of fleet_price_t). The one
 * formula of the account below, so that it can be evaluated on many price paths at the cost of a
 * dot product. */
typedef struct {
  double constant_eur;                    /* maintenance saving - lease payment */
  double eur_per_price[FLEET_PRICE_COUNT]; /* litres or kWh, signed: + avoided fuel, - charging */
} fleet_account_terms_t;
void fleet_household_account_terms(const fleet_params_t *params, const fleet_household_year_t *household,
                                   fleet_account_terms_t *terms);
static inline double fleet_account_at(const fleet_account_terms_t *terms, const double prices[FLEET_PRICE_COUNT]) {
  double account = terms->constant_eur;
  for (int k = 0; k < FLEET_PRICE_COUNT; k++) account += terms->eur_per_price[k] * prices[k];
  return account;
}

/* The household's account in EUR for a year at prices[FLEET_PRICE_COUNT], the proposal's
 * running-cost framing (C3, i): avoided combustion cost - charging cost - the car's lease payment
 * (positive: better off than with the combustion car). Home grid kWh cost the base tariff, or for
 * a household on the peak/off-peak tariff the off-peak price in the window and the peak price
 * outside it. The garage has its own account. */
double fleet_household_account_eur(const fleet_params_t *params, const double prices[FLEET_PRICE_COUNT],
                                   const fleet_household_year_t *household);

/* A garage-leasing household's garage account for a year: its exported PV surplus at the feed-in
 * tariff - the garage's lease payment (the PV it puts into the car shows as a lower charging cost
 * in the account above). */
double fleet_garage_account_eur(const fleet_params_t *params, double exported_kwh, int paying);

/* The household's full position over the lease (C3, ii), discounted to year 0 at
 * household.discount_rate: weight of year y's account, and what closes the lease in its last year
 * (the car owned at the end, worth the price depreciated over the lease, discounted; minus the
 * trade-in car handed over at the start). */
double fleet_position_weight(const fleet_params_t *params, int64_t year);
double fleet_position_closing_eur(const fleet_params_t *params);

/* Combustion CO2 of km in the replaced car, kg. */
double fleet_combustion_kg_co2(const fleet_params_t *params, double km, int diesel);

/* The grid's carbon intensity by month and clock hour, g CO2 per kWh drawn:
 *   g[m][h] = co2.grid_g_co2_per_kwh_monthly[m] x (w_m W[h] + (1 - w_m) S[h]),
 * W and S the winter and summer hour profiles each divided by its mean (so that every day of
 * month m averages the month's figure), w_m = (1 + cos(2 pi m / 12)) / 2 the winter weight
 * (1 in January, 1/2 in April and October, 0 in July). Every day of a month has its month's 24
 * values. */
void fleet_grid_co2_profile(const fleet_params_t *params, double g_per_kwh[FLEET_MONTHS][24]);

/* The month (0 = January) of day d of a 365-day year. */
int fleet_month_of_day(int day);

/* The State's ledger, by item; the last axis of /budget/ledger_eur. Signs: receipts positive. */
typedef enum {
  FLEET_LEDGER_VEHICLES,       /* - purchase of the cars (year 0) */
  FLEET_LEDGER_GARAGES,        /* - purchase of the solar garages (year 0) */
  FLEET_LEDGER_CARPORTS,       /* - purchase of the carport spaces (year 0) */
  FLEET_LEDGER_CHARGERS,       /* - purchase of the bidirectional wallboxes (year 0) */
  FLEET_LEDGER_TRADE_INS,      /* + the replaced cars, scrapped or resold (state.trade_in_fate, year 0) */
  FLEET_LEDGER_LEASES,         /* + lease payments (car and garage) */
  FLEET_LEDGER_RECOVERIES,     /* + sale of cars taken back on default */
  FLEET_LEDGER_BATTERIES,      /* - battery replacements under warranty */
  FLEET_LEDGER_ADMINISTRATION, /* - running the programme, while the leases run */
  FLEET_LEDGER_NET,            /* the year's net cash flow */
  FLEET_LEDGER_COUNT
} fleet_ledger_item_t;
extern const char *const fleet_ledger_names[FLEET_LEDGER_COUNT];

/* What the engine counts in a replica-year for the ledger. */
typedef struct {
  int64_t vehicles, garages, carport_spaces; /* in the programme (bought in year 0) */
  int64_t bidirectional_chargers;            /* bidirectional wallboxes (bought in year 0) */
  int64_t paying_leases;                     /* cars whose lease was paid this year */
  int64_t paying_garage_leases;              /* garages whose lease was paid this year */
  int64_t defaults;                          /* leases that defaulted this year (car recovered) */
  int64_t battery_failures;                  /* replaced under warranty this year */
} fleet_ledger_counts_t;

/* The year's ledger in EUR (year counts from 0; the car taken back in year y has lost y + 1
 * years of depreciation). */
void fleet_ledger_year(const fleet_params_t *params, int64_t year, const fleet_ledger_counts_t *counts,
                       double ledger_eur[FLEET_LEDGER_COUNT]);

/* CO2 of making the year's battery packs, t: every car's in year 0, the warranty replacements'
 * each year (co2.battery_manufacturing_kg_co2_per_kwh). */
double fleet_battery_manufacturing_t(const fleet_params_t *params, int64_t year, const fleet_ledger_counts_t *counts);

/* Net present value of yearly net cash flows (year 0 undiscounted) at rate. */
double fleet_npv_eur(const double *net_eur, int64_t years, double rate);

/* Histogram of household accounts: FLEET_ACCOUNT_BINS bins of FLEET_ACCOUNT_BIN_EUR from
 * FLEET_ACCOUNT_MIN_EUR; values outside go to the first or last bin. */
#define FLEET_ACCOUNT_BINS 1000
#define FLEET_ACCOUNT_MIN_EUR (-10000.0)
#define FLEET_ACCOUNT_BIN_EUR 20.0
int fleet_account_bin(double account_eur);

/* Histogram of full positions over the lease (C3, ii): FLEET_POSITION_BINS bins of
 * FLEET_POSITION_BIN_EUR from FLEET_POSITION_MIN_EUR, the end bins holding the values beyond. */
#define FLEET_POSITION_BINS 1000
#define FLEET_POSITION_MIN_EUR (-25000.0)
#define FLEET_POSITION_BIN_EUR 50.0
int fleet_position_bin(double position_eur);

/* Quantile q in [0, 1] of a histogram of `bins` bins of `width` from `min`: in the first bin where
 * the cumulative count reaches q x the total, linear within that bin; NaN for an empty histogram.
 * The one rule for the writer, the run's summary and `fleetmc summary`. */
double fleet_histogram_quantile(const double *histogram, int bins, double min, double width, double q);
double fleet_account_quantile_eur(const double histogram[FLEET_ACCOUNT_BINS], double q);

#endif
