/* budget.c: prices, the household account, the State's ledger and CO2 (see budget.h).
 *
 * Claims tested (mission/PROPOSAL.md): C3, a household's running-cost account with the lease
 * paid; C4, the State's yearly cash flows and their net present value; C7, the CO2 of the
 * combustion car a household no longer drives.
 *
 * Prices (PARAMETERS.md 7): yearly log random walks from the last observed year (2025 averages
 * of the ministry's pump prices; the tarif bleu of August 2025; a public fast-charging price),
 * with drift and sd of the yearly log change estimated from the 2009-2025 series (diesel
 * +4.4 % +/- 11.4 %, E10 +3.1 % +/- 8.2 %). A log walk keeps prices positive and makes the
 * yearly change multiplicative, as the observed moves (+15 %, +10 %, +9 %, -14 % for the tariff
 * in 2023-25) are. The four yearly log changes are correlated (fuels with each other, fuels with
 * electricity, tariff with public charging) through the lower Cholesky factor L of their
 * correlation matrix C: with z independent standard normals, e = L z has covariance L L^T = C
 * (e.g. P. Glasserman, Monte Carlo Methods in Financial Engineering, Springer 2003, section 2.3).
 *
 * Random draws: one stream per replica and price path, (seed, replica, 0, NATION, path, PRICES),
 * path 0 the replica's own (budget.h, fleet_prices_generate_path). Year y uses
 * exactly FLEET_PRICE_WALKS normals (fleet_sample_normal: a fixed four 32-bit outputs each), so
 * year y always starts at output 16 y whatever the parameters, and changing one price's drift or
 * sd leaves every draw in place (common random numbers across a parameter sweep).
 *
 * Discounting (France Strategie, October 2021): the public discount rate is 1.2 % + beta x 2 %,
 * 3.2 % for beta = 1; year 0 is not discounted. */
#include "budget.h"

#include <math.h>

#include "rng.h"

const char *const fleet_price_names[FLEET_PRICE_COUNT] = {
    "diesel_eur_per_l",
    "petrol_eur_per_l",
    "tariff_eur_per_kwh",
    "public_eur_per_kwh",
    "off_peak_eur_per_kwh",
    "peak_eur_per_kwh",
};

const char *const fleet_ledger_names[FLEET_LEDGER_COUNT] = {
    "vehicles", "garages", "carports", "chargers", "trade_ins", "leases", "recoveries", "batteries", "administration", "net",
};

/* ---- prices --------------------------------------------------------------------------------- */

/* The correlation matrix of the yearly log changes, in the order of fleet_price_t. */
static void fleet_price_correlation(const fleet_params_t *params, double corr[FLEET_PRICE_WALKS][FLEET_PRICE_WALKS]) {
  const double fuels = params->corr_diesel_petrol;
  const double cross = params->corr_fuel_electricity;
  const double power = params->corr_tariff_public;
  for (int i = 0; i < FLEET_PRICE_WALKS; ++i) {
    for (int j = 0; j < FLEET_PRICE_WALKS; ++j) {
      corr[i][j] = i == j ? 1.0 : 0.0;
    }
  }
  corr[FLEET_PRICE_DIESEL][FLEET_PRICE_PETROL] = corr[FLEET_PRICE_PETROL][FLEET_PRICE_DIESEL] = fuels;
  corr[FLEET_PRICE_TARIFF][FLEET_PRICE_PUBLIC] = corr[FLEET_PRICE_PUBLIC][FLEET_PRICE_TARIFF] = power;
  const fleet_price_t fuel[2] = {FLEET_PRICE_DIESEL, FLEET_PRICE_PETROL};
  const fleet_price_t electricity[2] = {FLEET_PRICE_TARIFF, FLEET_PRICE_PUBLIC};
  for (int f = 0; f < 2; ++f) {
    for (int e = 0; e < 2; ++e) {
      corr[fuel[f]][electricity[e]] = corr[electricity[e]][fuel[f]] = cross;
    }
  }
}

/* Cholesky-Banachiewicz, row by row: L[i][j] = (C[i][j] - sum_{k<j} L[i][k] L[j][k]) / L[j][j]
 * below the diagonal, L[i][i] = sqrt(C[i][i] - sum_{k<i} L[i][k]^2) on it (G. H. Golub and
 * C. F. Van Loan, Matrix Computations, 4th ed., algorithm 4.2.1). The matrix is positive definite
 * iff every pivot C[i][i] - sum is > 0; a pivot <= 0, or NaN from a NaN correlation, rejects it. */
int fleet_price_cholesky(const fleet_params_t *params, double lower[FLEET_PRICE_WALKS][FLEET_PRICE_WALKS]) {
  double corr[FLEET_PRICE_WALKS][FLEET_PRICE_WALKS];
  fleet_price_correlation(params, corr);
  for (int i = 0; i < FLEET_PRICE_WALKS; ++i) {
    for (int j = 0; j < FLEET_PRICE_WALKS; ++j) {
      lower[i][j] = 0.0;
    }
  }
  for (int i = 0; i < FLEET_PRICE_WALKS; ++i) {
    for (int j = 0; j < i; ++j) {
      double s = corr[i][j];
      for (int k = 0; k < j; ++k) {
        s -= lower[i][k] * lower[j][k];
      }
      lower[i][j] = s / lower[j][j];
    }
    double pivot = corr[i][i];
    for (int k = 0; k < i; ++k) {
      pivot -= lower[i][k] * lower[i][k];
    }
    if (!(pivot > 0.0)) {
      return 0;
    }
    lower[i][i] = sqrt(pivot);
  }
  return 1;
}

void fleet_prices_generate(const fleet_params_t *params, int64_t replica, fleet_price_path_t *path) {
  fleet_prices_generate_path(params, replica, 0, path);
}

void fleet_prices_generate_path(const fleet_params_t *params, int64_t replica, int64_t path_index,
                                fleet_price_path_t *path) {
  /* params->years is validated to 1..100 by the scenario; clamped here so the path's array can
   * never overflow whatever a caller passes. */
  int years = params->years < 0 ? 0 : params->years > FLEET_MAX_YEARS ? FLEET_MAX_YEARS : (int)params->years;
  path->years = years;

  double lower[FLEET_PRICE_WALKS][FLEET_PRICE_WALKS];
  if (!fleet_price_cholesky(params, lower)) {
    /* An invalid correlation set is refused by the scenario's validation; should one reach here,
     * the changes are drawn uncorrelated rather than from a half-built factor. */
    for (int i = 0; i < FLEET_PRICE_WALKS; ++i) {
      for (int j = 0; j < FLEET_PRICE_WALKS; ++j) {
        lower[i][j] = i == j ? 1.0 : 0.0;
      }
    }
  }

  const double start[FLEET_PRICE_WALKS] = {params->diesel_eur_per_l, params->petrol_eur_per_l,
                                           params->tariff_eur_per_kwh, params->public_eur_per_kwh};
  const double drift[FLEET_PRICE_WALKS] = {params->diesel_log_drift, params->petrol_log_drift,
                                           params->tariff_log_drift, params->public_log_drift};
  const double sd[FLEET_PRICE_WALKS] = {params->diesel_log_sd, params->petrol_log_sd, params->tariff_log_sd,
                                        params->public_log_sd};
  const double shock[FLEET_PRICE_WALKS] = {params->diesel_shock_log_change, params->petrol_shock_log_change,
                                           params->tariff_shock_log_change, params->public_shock_log_change};

  double log_price[FLEET_PRICE_WALKS];
  for (int k = 0; k < FLEET_PRICE_WALKS; ++k) {
    log_price[k] = log(start[k]);
  }

  fleet_pcg32_t rng =
      fleet_stream(params->seed, (uint64_t)replica, 0u, FLEET_ENTITY_NATION, (uint64_t)path_index, FLEET_PURPOSE_PRICES);
  for (int y = 0; y < years; ++y) {
    /* All four normals are drawn before any is used: the count per year never varies. */
    double z[FLEET_PRICE_WALKS];
    for (int k = 0; k < FLEET_PRICE_WALKS; ++k) {
      z[k] = fleet_sample_normal(&rng, 0.0, 1.0);
    }
    for (int i = 0; i < FLEET_PRICE_WALKS; ++i) {
      double e = 0.0;
      for (int k = 0; k <= i; ++k) {
        e += lower[i][k] * z[k];
      }
      /* a one-off jump (prices.shock_year) shifts the walk's level from that year on; the draws
       * are the same with or without it (common random numbers) */
      log_price[i] += drift[i] + sd[i] * e + (y == params->shock_year ? shock[i] : 0.0);
      path->eur[y][i] = exp(log_price[i]);
    }
    /* The peak/off-peak tariff's two prices: their start values x the tariff's change since its
     * start, exp(the tariff's summed log changes, shock included) (budget.h, fleet_price_t). */
    const double tariff_ratio = exp(log_price[FLEET_PRICE_TARIFF] - log(start[FLEET_PRICE_TARIFF]));
    path->eur[y][FLEET_PRICE_OFF_PEAK] = params->off_peak_eur_per_kwh * tariff_ratio;
    path->eur[y][FLEET_PRICE_PEAK] = params->peak_eur_per_kwh * tariff_ratio;
  }
}

/* ---- the household (claim C3) ---------------------------------------------------------------- */

/* The running cost the household no longer pays (fuel for its km in the replaced car, and the
 * maintenance an EV saves: UFC-Que Choisir 2018, 2021, PARAMETERS.md 7) minus what the EV costs it
 * (grid kWh at home at the residential tariff the household is on; public kWh at the public price; its own PV free)
 * minus the lease payments of the year, the garage's included when it leases one. The proposal
 * claims the 1,800 EUR lease equals the gap, i.e. an account near 0. */
void fleet_household_account_terms(const fleet_params_t *params, const fleet_household_year_t *household,
                                   fleet_account_terms_t *terms) {
  for (int k = 0; k < FLEET_PRICE_COUNT; k++) terms->eur_per_price[k] = 0.0;
  /* the fuel its km would have burnt in the replaced car, litres */
  if (household->diesel)
    terms->eur_per_price[FLEET_PRICE_DIESEL] = household->km * params->diesel_l_per_100km / 100.0;
  else
    terms->eur_per_price[FLEET_PRICE_PETROL] = household->km * params->petrol_l_per_100km / 100.0;
  /* A household on the peak/off-peak tariff (TRVE option HP/HC; PARAMETERS.md 7, CRE deliberation
   * of Feb 2026 via econostrum) pays each home kWh at the price of the hour it was drawn: its car
   * waits for the window, but a garage top-up outside it pays the peak price. */
  if (household->off_peak) {
    terms->eur_per_price[FLEET_PRICE_OFF_PEAK] = -household->home_grid_off_peak_kwh;
    terms->eur_per_price[FLEET_PRICE_PEAK] = -(household->home_grid_kwh - household->home_grid_off_peak_kwh);
  } else {
    terms->eur_per_price[FLEET_PRICE_TARIFF] = -household->home_grid_kwh;
  }
  terms->eur_per_price[FLEET_PRICE_PUBLIC] = -household->public_kwh;
  terms->constant_eur =
      params->maintenance_saving_eur_per_year - (household->paying ? params->lease_eur_per_year : 0.0);
}

double fleet_household_account_eur(const fleet_params_t *params, const double prices[FLEET_PRICE_COUNT],
                                   const fleet_household_year_t *household) {
  fleet_account_terms_t terms;
  fleet_household_account_terms(params, household, &terms);
  return fleet_account_at(&terms, prices);
}

/* The surplus is sold under the 20-year purchase contract at a fixed price (prices.feed_in_eur_per_kwh);
 * the garage lease is an estimate (the proposal gives no figure), hence an account of its own. */
double fleet_garage_account_eur(const fleet_params_t *params, double exported_kwh, int paying) {
  return exported_kwh * params->feed_in_eur_per_kwh - (paying ? params->garage_lease_eur_per_year : 0.0);
}

double fleet_position_weight(const fleet_params_t *params, int64_t year) {
  return pow(1.0 + params->household_discount_rate, -(double)year);
}

/* Lease-to-own: after lease_years the car is the household's, worth its price after lease_years of
 * geometric depreciation (the ledger's rule for cars taken back), at the end of the last year;
 * the combustion car (trade_in_value_eur) was handed over at the start, undiscounted. */
double fleet_position_closing_eur(const fleet_params_t *params) {
  const double years = (double)params->lease_years;
  const double residual = params->vehicle_price_eur * pow(1.0 - params->vehicle_depreciation_per_year, years);
  return residual * pow(1.0 + params->household_discount_rate, -years) - params->trade_in_value_eur;
}

/* Tank-to-wheel CO2 of the fuel burnt: ~2.3 kg per litre of petrol, ~2.6 of diesel (the standard
 * combustion factors, PARAMETERS.md 7). */
double fleet_combustion_kg_co2(const fleet_params_t *params, double km, int diesel) {
  return diesel ? km * params->diesel_l_per_100km / 100.0 * params->diesel_kg_co2_per_l
                : km * params->petrol_l_per_100km / 100.0 * params->petrol_kg_co2_per_l;
}

/* Monthly means (PARAMETERS.md 7; configs/baseline.yaml gives the sources) times a daily shape:
 * winter days peak in the morning and evening, when gas plants and imports close the balance;
 * summer days dip at midday with solar and peak after sunset. Blending the two by month is the
 * simplest shape that moves the peak between them; the monthly figure keeps its mean. */
void fleet_grid_co2_profile(const fleet_params_t *params, double g_per_kwh[FLEET_MONTHS][24]) {
  double winter_sum = 0.0, summer_sum = 0.0;
  for (int h = 0; h < 24; h++) {
    winter_sum += params->grid_hour_profile_winter[h];
    summer_sum += params->grid_hour_profile_summer[h];
  }
  for (int m = 0; m < FLEET_MONTHS; m++) {
    const double w = 0.5 * (1.0 + cos(2.0 * 3.14159265358979323846 * m / FLEET_MONTHS));
    for (int h = 0; h < 24; h++)
      g_per_kwh[m][h] = params->grid_g_co2_per_kwh_monthly[m] *
                        (w * params->grid_hour_profile_winter[h] * 24.0 / winter_sum +
                         (1.0 - w) * params->grid_hour_profile_summer[h] * 24.0 / summer_sum);
  }
}

int fleet_month_of_day(int day) {
  static const int month_days[FLEET_MONTHS] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int m = 0;
  for (int first = 0; m < FLEET_MONTHS - 1 && day >= first + month_days[m]; m++) first += month_days[m];
  return m;
}

/* ---- the State (claim C4) -------------------------------------------------------------------- */

/* The proposal's bridge loan: the State buys the cars, garages and carports and sells the replaced
 * cars in year 0 (trade-in >= 3,000 EUR by the proposal's rule), then receives the leases. A car
 * taken back on default in year y has depreciated for y + 1 years at a constant yearly rate
 * (geometric depreciation) and is resold for a fraction of that value. A battery that fails
 * under warranty costs a new pack at the pack price per kWh plus the labour. */
void fleet_ledger_year(const fleet_params_t *params, int64_t year, const fleet_ledger_counts_t *counts,
                       double ledger_eur[FLEET_LEDGER_COUNT]) {
  for (int i = 0; i < FLEET_LEDGER_COUNT; ++i) {
    ledger_eur[i] = 0.0;
  }
  if (year == 0) {
    ledger_eur[FLEET_LEDGER_VEHICLES] = -(double)counts->vehicles * params->vehicle_price_eur;
    ledger_eur[FLEET_LEDGER_GARAGES] = -(double)counts->garages * params->garage_price_eur;
    ledger_eur[FLEET_LEDGER_CARPORTS] = -(double)counts->carport_spaces * params->carport_price_eur_per_space;
    ledger_eur[FLEET_LEDGER_CHARGERS] =
        -(double)counts->bidirectional_chargers * params->bidirectional_charger_price_eur;
    /* Scrapped, a car brings its scrap value and leaves the road (C7 counts its emissions as
     * avoided); resold, it brings its worth and keeps running elsewhere (C7 does not). */
    ledger_eur[FLEET_LEDGER_TRADE_INS] =
        (double)counts->vehicles * (params->trade_in_fate == FLEET_TRADE_IN_RESOLD ? params->trade_in_value_eur
                                                                                  : params->trade_in_scrap_value_eur);
  }
  ledger_eur[FLEET_LEDGER_LEASES] = (double)counts->paying_leases * params->lease_eur_per_year +
                                    (double)counts->paying_garage_leases * params->garage_lease_eur_per_year;
  const double value_left =
      params->vehicle_price_eur * pow(1.0 - params->vehicle_depreciation_per_year, (double)(year + 1));
  ledger_eur[FLEET_LEDGER_RECOVERIES] = (double)counts->defaults * value_left * params->default_recovery_fraction;
  ledger_eur[FLEET_LEDGER_BATTERIES] =
      -(double)counts->battery_failures *
      (params->battery_kwh * params->battery_pack_eur_per_kwh + params->battery_replacement_labour_eur);
  /* The programme runs the leases; once they are over the cars belong to the households. */
  ledger_eur[FLEET_LEDGER_ADMINISTRATION] =
      year < params->lease_years ? -(double)counts->vehicles * params->administration_eur_per_vehicle_year : 0.0;

  double net = 0.0;
  for (int i = 0; i < FLEET_LEDGER_NET; ++i) {
    net += ledger_eur[i];
  }
  ledger_eur[FLEET_LEDGER_NET] = net;
}

double fleet_battery_manufacturing_t(const fleet_params_t *params, int64_t year, const fleet_ledger_counts_t *counts) {
  const double packs = (double)counts->battery_failures + (year == 0 ? (double)counts->vehicles : 0.0);
  return packs * params->battery_kwh * params->battery_manufacturing_kg_co2_per_kwh / 1000.0;
}

/* NPV = sum_y net_y / (1 + rate)^y, year 0 undiscounted (end-of-year flows counted from the
 * purchase year). */
double fleet_npv_eur(const double *net_eur, int64_t years, double rate) {
  double npv = 0.0;
  for (int64_t y = 0; y < years; ++y) {
    npv += net_eur[y] / pow(1.0 + rate, (double)y);
  }
  return npv;
}

/* ---- the histogram of accounts ---------------------------------------------------------------- */

/* Clamped in double before the conversion to int (converting an out-of-range double is undefined
 * behaviour); NaN, which no bin holds, goes to the first bin with the very negative values. */
static int histogram_bin(double value, int bins, double min, double width) {
  const double index = floor((value - min) / width);
  if (!(index > 0.0)) {
    return 0;
  }
  if (index >= (double)(bins - 1)) {
    return bins - 1;
  }
  return (int)index;
}

int fleet_account_bin(double account_eur) {
  return histogram_bin(account_eur, FLEET_ACCOUNT_BINS, FLEET_ACCOUNT_MIN_EUR, FLEET_ACCOUNT_BIN_EUR);
}

int fleet_position_bin(double position_eur) {
  return histogram_bin(position_eur, FLEET_POSITION_BINS, FLEET_POSITION_MIN_EUR, FLEET_POSITION_BIN_EUR);
}

double fleet_histogram_quantile(const double *histogram, int bins, double min, double width, double q) {
  double n = 0.0;
  for (int k = 0; k < bins; k++) n += histogram[k];
  if (!(n > 0.0)) return NAN; /* also NaN counts */
  const double target = q * n;
  double below = 0.0; /* values in the bins before k; < target throughout */
  for (int k = 0; k < bins; k++) {
    const double h = histogram[k];
    if (!(h > 0.0)) continue;
    if (below + h >= target) return min + width * (k + (target - below) / h);
    below += h;
  }
  return min + width * bins; /* rounding kept the sum short */
}

double fleet_account_quantile_eur(const double histogram[FLEET_ACCOUNT_BINS], double q) {
  return fleet_histogram_quantile(histogram, FLEET_ACCOUNT_BINS, FLEET_ACCOUNT_MIN_EUR, FLEET_ACCOUNT_BIN_EUR, q);
}
