/* Prices, household account, State ledger and CO2 (kernels/budget.c): deterministic cases worked
 * by hand to the cent, and the statistics of many simulated price paths against the configured
 * drifts, volatilities and correlations, each tolerance derived from the sample size (5 standard
 * errors: a false failure about once in 1.7 million per check). Parameters are built by hand with
 * the baseline figures of PARAMETERS.md section 7. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "budget.h"

static void test_params(fleet_params_t *p) {
  memset(p, 0, sizeof *p);
  p->seed = 20250817u;
  p->years = 5;
  p->battery_kwh = 30.0;
  /* [prices]: 2025 start values; drift and sd of the 2009-2025 yearly log changes */
  p->diesel_eur_per_l = 1.654;
  p->diesel_log_drift = 0.044;
  p->diesel_log_sd = 0.114;
  p->petrol_eur_per_l = 1.724;
  p->petrol_log_drift = 0.031;
  p->petrol_log_sd = 0.082;
  p->tariff_eur_per_kwh = 0.1952;
  p->tariff_log_drift = 0.0255;
  p->tariff_log_sd = 0.10;
  p->public_eur_per_kwh = 0.50;
  p->public_log_drift = 0.0255;
  p->public_log_sd = 0.10;
  p->corr_diesel_petrol = 0.9;
  p->corr_fuel_electricity = 0.3;
  p->corr_tariff_public = 0.7;
  p->off_peak_eur_per_kwh = 0.1579; /* TRVE option HP/HC, Feb 2026 */
  p->peak_eur_per_kwh = 0.2065;
  /* [household] */
  p->diesel_share = 0.5;
  p->petrol_l_per_100km = 7.31;
  p->diesel_l_per_100km = 6.07;
  p->maintenance_saving_eur_per_year = 250.0;
  p->lease_eur_per_year = 1800.0;
  p->garage_lease_eur_per_year = 3600.0;
  /* [state] */
  p->vehicle_price_eur = 18900.0;
  p->garage_price_eur = 18000.0;
  p->carport_price_eur_per_space = 3750.0;
  p->trade_in_value_eur = 3000.0;
  p->trade_in_fate = FLEET_TRADE_IN_RESOLD;
  p->trade_in_scrap_value_eur = 80.0;
  p->bidirectional_charger_price_eur = 4800.0;
  p->feed_in_eur_per_kwh = 0.04;
  p->household_discount_rate = 0.032;
  p->lease_years = 5;
  p->default_hazard_per_year = 0.02;
  p->vehicle_depreciation_per_year = 0.15;
  p->default_recovery_fraction = 0.7;
  p->battery_warranty_years = 5;
  p->battery_failure_hazard_per_year = 0.002;
  p->battery_pack_eur_per_kwh = 106.0;
  p->battery_replacement_labour_eur = 500.0;
  p->administration_eur_per_vehicle_year = 50.0;
  p->discount_rate = 0.032;
  /* [co2] */
  p->petrol_kg_co2_per_l = 2.3;
  p->diesel_kg_co2_per_l = 2.6;
  for (int m = 0; m < 12; m++) p->grid_g_co2_per_kwh_monthly[m] = 50.0;
  for (int h = 0; h < 24; h++) p->grid_hour_profile_winter[h] = p->grid_hour_profile_summer[h] = 1.0;
  p->battery_manufacturing_kg_co2_per_kwh = 84.0;
}

static void deterministic_params(fleet_params_t *p) {
  test_params(p);
  p->diesel_log_sd = p->petrol_log_sd = p->tariff_log_sd = p->public_log_sd = 0.0;
}

#define CENT 0.005 /* half a cent: "to the cent" */

static void assert_rel(double got, double want, double rel, const char *what) {
  cr_assert(fabs(got - want) <= rel * fabs(want), "%s: got %.17g, want %.17g", what, got, want);
}

Test(budget, names) {
  cr_assert_str_eq(fleet_price_names[FLEET_PRICE_DIESEL], "diesel_eur_per_l");
  cr_assert_str_eq(fleet_price_names[FLEET_PRICE_PETROL], "petrol_eur_per_l");
  cr_assert_str_eq(fleet_price_names[FLEET_PRICE_TARIFF], "tariff_eur_per_kwh");
  cr_assert_str_eq(fleet_price_names[FLEET_PRICE_PUBLIC], "public_eur_per_kwh");
  static const char *const ledger[FLEET_LEDGER_COUNT] = {"vehicles", "garages",   "carports", "chargers",
                                                         "trade_ins", "leases",   "recoveries",
                                                         "batteries", "administration", "net"};
  for (int i = 0; i < FLEET_LEDGER_COUNT; ++i) {
    cr_assert_str_eq(fleet_ledger_names[i], ledger[i]);
  }
}

/* ---- (a) deterministic prices, accounts and ledger ----------------------------------------- */

Test(budget, deterministic_prices_are_the_drift) {
  fleet_params_t p;
  deterministic_params(&p);
  fleet_price_path_t path;
  fleet_prices_generate(&p, 3, &path);
  cr_assert_eq(path.years, 5);
  const double start[FLEET_PRICE_WALKS] = {1.654, 1.724, 0.1952, 0.50};
  const double drift[FLEET_PRICE_WALKS] = {0.044, 0.031, 0.0255, 0.0255};
  for (int y = 0; y < path.years; ++y) {
    for (int k = 0; k < FLEET_PRICE_WALKS; ++k) {
      /* year y is y + 1 steps from the start value */
      assert_rel(path.eur[y][k], start[k] * exp(drift[k] * (y + 1)), 1e-12, fleet_price_names[k]);
    }
  }
}

/* Year-0 prices of the deterministic case (exp to 16 digits):
 *   diesel 1.654  x exp(0.044)  = 1.654  x 1.044982354888444 = 1.728400814985486 EUR/L
 *   petrol 1.724  x exp(0.031)  = 1.724  x 1.031485503886523 = 1.778281008700365 EUR/L
 *   tariff 0.1952 x exp(0.0255) = 0.1952 x 1.025827906270445 = 0.2002416073039908 EUR/kWh
 *   public 0.50   x exp(0.0255)                               = 0.5129139531352223 EUR/kWh */
static const double year0[FLEET_PRICE_WALKS] = {1.728400814985486, 1.778281008700365, 0.2002416073039908,
                                                0.5129139531352223};

Test(budget, household_account_by_hand) {
  fleet_params_t p;
  deterministic_params(&p);
  fleet_price_path_t path;
  fleet_prices_generate(&p, 0, &path);
  for (int k = 0; k < FLEET_PRICE_WALKS; ++k) {
    assert_rel(path.eur[0][k], year0[k], 1e-12, fleet_price_names[k]);
  }

  /* Diesel household, 15,000 km, 1,900 kWh from the grid at home, 300 kWh public, paying, no garage:
   *   avoided  = 15,000 x 6.07 / 100 = 910.5 L x 1.728400815 = 1,573.708942 + 250 = 1,823.708942
   *   charging = 1,900 x 0.2002416073 = 380.459054 + 300 x 0.5129139531 = 153.874186 -> 534.333240
   *   lease    = 1,800
   *   account  = 1,823.708942 - 534.333240 - 1,800 = -510.624298 EUR  (-510.62) */
  fleet_household_year_t diesel = {.km = 15000.0, .home_grid_kwh = 1900.0, .public_kwh = 300.0,
                                   .diesel = 1, .paying = 1};
  double account = fleet_household_account_eur(&p, path.eur[0], &diesel);
  cr_assert(fabs(account - -510.62) <= CENT, "diesel household: %.6f", account);

  /* The same household once its lease has ended: the 1,800 no longer paid, 1,289.375702 EUR. */
  diesel.paying = 0;
  account = fleet_household_account_eur(&p, path.eur[0], &diesel);
  cr_assert(fabs(account - 1289.38) <= CENT, "diesel household, lease ended: %.6f", account);

  /* Petrol household with a solar garage, 12,000 km, 800 kWh grid at home (its garage's top-up
   * included), 100 kWh public, paying both leases; the car's account carries the car's lease only:
   *   avoided  = 12,000 x 7.31 / 100 = 877.2 L x 1.778281009 = 1,559.908101 + 250 = 1,809.908101
   *   charging = 800 x 0.2002416073 = 160.193286 + 100 x 0.5129139531 = 51.291395 -> 211.484681
   *   lease    = 1,800
   *   account  = 1,809.908101 - 211.484681 - 1,800 = -201.576580 EUR  (-201.58) */
  fleet_household_year_t garage = {.km = 12000.0, .home_grid_kwh = 800.0, .public_kwh = 100.0,
                                   .diesel = 0, .paying = 1};
  account = fleet_household_account_eur(&p, path.eur[0], &garage);
  cr_assert(fabs(account - -201.58) <= CENT, "garage household: %.6f", account);
  /* Its garage account: 1,500 kWh of surplus exported at 0.04 = 60 - 3,600 = -3,540 EUR; once the
   * lease has ended, the 60 EUR alone. */
  cr_assert(fabs(fleet_garage_account_eur(&p, 1500.0, 1) - -3540.0) <= CENT);
  cr_assert(fabs(fleet_garage_account_eur(&p, 1500.0, 0) - 60.0) <= CENT);
}

/* The tariff each household is on, by hand (deterministic year 0: every electricity price is its
 * start x exp(0.0255) = x 1.025827906270445, the peak/off-peak prices following the base tariff's
 * change):
 *   off-peak 0.1579 x 1.025827906270445 = 0.1619782264001033 EUR/kWh
 *   peak     0.2065 x 1.025827906270445 = 0.2118334626448469 EUR/kWh
 * Petrol household, 10,000 km, no public charging, paying: avoided = 10,000 x 7.31 / 100 =
 * 731 L x 1.778281008700365 = 1,299.923417 + 250 = 1,549.923417 EUR; lease 1,800.
 *   base tariff, 2,000 kWh at home: 2,000 x 0.2002416073 = 400.483215 -> account -650.559797
 *   off-peak schedule, 2,000 kWh of which 1,800 in the window (200 of a garage top-up outside it):
 *     1,800 x 0.1619782264 = 291.560808 + 200 x 0.2118334626 = 42.366693 -> 333.927501
 *     -> account -584.004083
 *   off-peak schedule, all 2,000 in the window: 323.956453 -> account -574.033035 */
Test(budget, households_pay_the_tariff_they_are_on_by_hand) {
  fleet_params_t p;
  deterministic_params(&p);
  fleet_price_path_t path;
  fleet_prices_generate(&p, 0, &path);
  assert_rel(path.eur[0][FLEET_PRICE_OFF_PEAK], 0.1619782264001033, 1e-12, "off-peak");
  assert_rel(path.eur[0][FLEET_PRICE_PEAK], 0.2118334626448469, 1e-12, "peak");
  fleet_household_year_t base = {.km = 10000.0, .home_grid_kwh = 2000.0, .home_grid_off_peak_kwh = 1800.0,
                                 .off_peak = 0, .diesel = 0, .paying = 1};
  double account = fleet_household_account_eur(&p, path.eur[0], &base);
  cr_assert(fabs(account - -650.559797) <= 1e-5, "base tariff: %.6f", account);
  fleet_household_year_t hphc = base;
  hphc.off_peak = 1;
  account = fleet_household_account_eur(&p, path.eur[0], &hphc);
  cr_assert(fabs(account - -584.004083) <= 1e-5, "off-peak schedule: %.6f", account);
  hphc.home_grid_off_peak_kwh = 2000.0;
  account = fleet_household_account_eur(&p, path.eur[0], &hphc);
  cr_assert(fabs(account - -574.033035) <= 1e-5, "off-peak schedule, all in the window: %.6f", account);
}

/* The peak/off-peak prices move exactly as the base tariff (the same log changes, the shock
 * included): their ratio to the tariff stays their start ratio in every year of random paths. */
Test(budget, off_peak_and_peak_prices_follow_the_tariff) {
  fleet_params_t p;
  test_params(&p);
  p.shock_year = 2;
  p.tariff_shock_log_change = 0.0392;
  for (int64_t r = 0; r < 20; r++) {
    fleet_price_path_t path;
    fleet_prices_generate(&p, r, &path);
    for (int y = 0; y < path.years; y++) {
      const double ratio = path.eur[y][FLEET_PRICE_TARIFF] / p.tariff_eur_per_kwh;
      assert_rel(path.eur[y][FLEET_PRICE_OFF_PEAK], p.off_peak_eur_per_kwh * ratio, 1e-12, "off-peak");
      assert_rel(path.eur[y][FLEET_PRICE_PEAK], p.peak_eur_per_kwh * ratio, 1e-12, "peak");
    }
  }
  cr_assert_str_eq(fleet_price_names[FLEET_PRICE_OFF_PEAK], "off_peak_eur_per_kwh");
  cr_assert_str_eq(fleet_price_names[FLEET_PRICE_PEAK], "peak_eur_per_kwh");
}

/* C3 (ii) by hand: 5 years of -500 EUR discounted at 3.2 %:
 *   -500 x (1 + 1/1.032 + 1/1.032^2 + 1/1.032^3 + 1/1.032^4)
 *   = -500 x (1 + 0.968992248 + 0.938946752 + 0.909832426 + 0.881620568) = -500 x 4.699389145 = -2,349.694573
 *   closing: the car owned at the end, 18,900 x 0.85^5 = 18,900 x 0.4437053125 = 8,386.030406,
 *   discounted x 1/1.032^5 = x 0.854282507 -> 7,164.04; minus the 3,000 trade-in -> 4,164.04 */
Test(budget, full_position_over_the_lease_by_hand) {
  fleet_params_t p;
  test_params(&p);
  double weights = 0.0;
  for (int64_t y = 0; y < p.lease_years; y++) weights += fleet_position_weight(&p, y);
  cr_assert(fabs(weights - 4.699389145) < 1e-8, "%.10f", weights);
  const double residual = 18900.0 * 0.4437053125;           /* 0.85^5 */
  const double discount5 = 1.0 / (1.032 * 1.032 * 1.032 * 1.032 * 1.032);
  cr_assert(fabs(discount5 - 0.8542825) < 1e-7, "%.9f", discount5);
  const double closing = residual * discount5 - 3000.0;
  cr_assert(fabs(fleet_position_closing_eur(&p) - closing) < 1e-6, "%.6f vs %.6f", fleet_position_closing_eur(&p), closing);
  cr_assert(fabs(closing - 4164.04) < 0.01, "%.4f", closing);
  /* A household 500 EUR worse off each year ends 4,164.04 - 2,349.69 = +1,814.34 EUR ahead. */
  cr_assert(fabs(-500.0 * weights + closing - 1814.34) < 0.01);
}

/* Life cycle: 1,000 cars x 30 kWh x 84 kg/kWh = 2,520 t in year 0, with 2 warranty packs 2,525.04 t;
 * year 3, 3 packs: 7.56 t. */
Test(budget, battery_manufacturing_by_hand) {
  fleet_params_t p;
  test_params(&p);
  fleet_ledger_counts_t counts = {.vehicles = 1000, .battery_failures = 2};
  cr_assert(fabs(fleet_battery_manufacturing_t(&p, 0, &counts) - 2525.04) < 1e-9);
  counts.battery_failures = 3;
  cr_assert(fabs(fleet_battery_manufacturing_t(&p, 3, &counts) - 7.56) < 1e-9);
}

static const fleet_ledger_counts_t counts_year0 = {.vehicles = 1000, .garages = 200, .carport_spaces = 50,
                                                   .bidirectional_chargers = 600,
                                                   .paying_leases = 990, .paying_garage_leases = 198,
                                                   .defaults = 10, .battery_failures = 2};
static const fleet_ledger_counts_t counts_year3 = {.vehicles = 1000, .garages = 200, .carport_spaces = 50,
                                                   .paying_leases = 950, .paying_garage_leases = 190,
                                                   .defaults = 12, .battery_failures = 3};

static void assert_ledger(const double got[FLEET_LEDGER_COUNT], const double want[FLEET_LEDGER_COUNT]) {
  for (int i = 0; i < FLEET_LEDGER_COUNT; ++i) {
    cr_assert(fabs(got[i] - want[i]) <= CENT, "%s: got %.6f, want %.6f", fleet_ledger_names[i], got[i], want[i]);
  }
}

Test(budget, ledger_by_hand) {
  fleet_params_t p;
  test_params(&p);
  double ledger[FLEET_LEDGER_COUNT];

  /* Year 0: 1,000 cars, 200 garages, 50 carport spaces; 990 car and 198 garage leases paid;
   * 10 defaults; 2 batteries replaced.
   *   vehicles   = -1,000 x 18,900                         = -18,900,000
   *   garages    = -200 x 18,000                           =  -3,600,000
   *   carports   = -50 x 3,750                             =    -187,500
   *   chargers   = -600 x 4,800                            =  -2,880,000
   *   trade_ins  = +1,000 x 3,000 (resold)                 =  +3,000,000
   *   leases     = 990 x 1,800 + 198 x 3,600 = 1,782,000 + 712,800 = +2,494,800
   *   recoveries = 10 x 18,900 x 0.85^1 x 0.7 = 10 x 11,245.5 =     +112,455
   *   batteries  = -2 x (30 x 106 + 500) = -2 x 3,680      =      -7,360
   *   admin      = -1,000 x 50                             =     -50,000
   *   net        =                                          -20,017,605 */
  fleet_ledger_year(&p, 0, &counts_year0, ledger);
  const double want0[FLEET_LEDGER_COUNT] = {-18900000.0, -3600000.0, -187500.0, -2880000.0, 3000000.0, 2494800.0,
                                            112455.0,    -7360.0,    -50000.0,  -20017605.0};
  assert_ledger(ledger, want0);
  /* Scrapped instead: 1,000 x 80 = +80,000, the net 2,920,000 lower. */
  p.trade_in_fate = FLEET_TRADE_IN_SCRAPPED;
  fleet_ledger_year(&p, 0, &counts_year0, ledger);
  cr_assert(fabs(ledger[FLEET_LEDGER_TRADE_INS] - 80000.0) <= CENT);
  cr_assert(fabs(ledger[FLEET_LEDGER_NET] - -22937605.0) <= CENT);

  /* Year 3: no purchase nor trade-in; 950 and 190 leases paid; 12 defaults; 3 batteries.
   *   leases     = 950 x 1,800 + 190 x 3,600 = 1,710,000 + 684,000 = +2,394,000
   *   recoveries = 12 x 18,900 x 0.85^4 x 0.7; 0.85^4 = 0.52200625;
   *                18,900 x 0.52200625 = 9,865.918125; x 0.7 = 6,906.1426875; x 12 = +82,873.71225
   *   batteries  = -3 x 3,680 = -11,040
   *   admin      = -1,000 x 50 = -50,000
   *   net        = 2,394,000 + 82,873.71225 - 11,040 - 50,000 = 2,415,833.71225 */
  fleet_ledger_year(&p, 3, &counts_year3, ledger);
  const double want3[FLEET_LEDGER_COUNT] = {0.0, 0.0, 0.0, 0.0, 0.0, 2394000.0, 82873.71225, -11040.0, -50000.0,
                                            2415833.71225};
  assert_ledger(ledger, want3);
  /* Year 5, after the 5-year leases: no administration any more (nor leases: none pay). */
  fleet_ledger_counts_t after = counts_year3;
  after.paying_leases = after.paying_garage_leases = after.defaults = 0;
  after.battery_failures = 0;
  fleet_ledger_year(&p, 5, &after, ledger);
  const double want5[FLEET_LEDGER_COUNT] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  assert_ledger(ledger, want5);
}

/* ---- (b) net present value ------------------------------------------------------------------- */

Test(budget, npv_at_zero_is_the_sum) {
  fleet_params_t p;
  test_params(&p);
  double net[5];
  for (int64_t y = 0; y < 5; ++y) {
    double ledger[FLEET_LEDGER_COUNT];
    fleet_ledger_year(&p, y, y == 0 ? &counts_year0 : &counts_year3, ledger);
    net[y] = ledger[FLEET_LEDGER_NET];
  }
  double sum = 0.0;
  for (int y = 0; y < 5; ++y) {
    sum += net[y];
  }
  cr_assert_eq(fleet_npv_eur(net, 5, 0.0), sum, "NPV at rate 0 %.17g vs sum %.17g", fleet_npv_eur(net, 5, 0.0), sum);
  cr_assert_eq(fleet_npv_eur(net, 0, 0.032), 0.0);
}

Test(budget, npv_by_hand) {
  /* -1,000 in year 0, then +300 for four years at 3.2 %:
   *   -1,000 + 300/1.032 + 300/1.032^2 + 300/1.032^3 + 300/1.032^4
   *   = -1,000 + 290.697674419 + 281.683793041 + 272.949411862 + 264.485864207 = 109.816743529 */
  const double net[5] = {-1000.0, 300.0, 300.0, 300.0, 300.0};
  double npv = fleet_npv_eur(net, 5, 0.032);
  cr_assert(fabs(npv - 109.816743529) <= 1e-8, "NPV %.12f", npv);
}

/* ---- (c) moments of the price paths ------------------------------------------------------------ */

#define MOMENT_REPLICAS 20000

Test(budget, price_moments_and_correlations) {
  fleet_params_t p;
  test_params(&p);
  const double start[FLEET_PRICE_WALKS] = {p.diesel_eur_per_l, p.petrol_eur_per_l, p.tariff_eur_per_kwh,
                                           p.public_eur_per_kwh};
  const double drift[FLEET_PRICE_WALKS] = {p.diesel_log_drift, p.petrol_log_drift, p.tariff_log_drift,
                                           p.public_log_drift};
  const double sd[FLEET_PRICE_WALKS] = {p.diesel_log_sd, p.petrol_log_sd, p.tariff_log_sd, p.public_log_sd};
  const double corr[FLEET_PRICE_WALKS][FLEET_PRICE_WALKS] = {
      {1.0, 0.9, 0.3, 0.3}, {0.9, 1.0, 0.3, 0.3}, {0.3, 0.3, 1.0, 0.7}, {0.3, 0.3, 0.7, 1.0}};

  /* Sums of the year-0 log changes x, of their products, and of the diesel change of year 1 with
   * that of year 0 (independent across years: lag correlation 0). */
  double sx[FLEET_PRICE_WALKS] = {0}, sxx[FLEET_PRICE_WALKS][FLEET_PRICE_WALKS] = {{0}};
  double s1 = 0.0, s11 = 0.0, s01 = 0.0;
  for (int64_t r = 0; r < MOMENT_REPLICAS; ++r) {
    fleet_price_path_t path;
    fleet_prices_generate(&p, r, &path);
    double x[FLEET_PRICE_WALKS];
    for (int k = 0; k < FLEET_PRICE_WALKS; ++k) {
      x[k] = log(path.eur[0][k] / start[k]);
      sx[k] += x[k];
    }
    for (int i = 0; i < FLEET_PRICE_WALKS; ++i) {
      for (int j = 0; j < FLEET_PRICE_WALKS; ++j) {
        sxx[i][j] += x[i] * x[j];
      }
    }
    double x1 = log(path.eur[1][FLEET_PRICE_DIESEL] / path.eur[0][FLEET_PRICE_DIESEL]);
    s1 += x1;
    s11 += x1 * x1;
    s01 += x[FLEET_PRICE_DIESEL] * x1;
  }

  const double n = MOMENT_REPLICAS;
  double mean[FLEET_PRICE_WALKS], cov[FLEET_PRICE_WALKS][FLEET_PRICE_WALKS];
  for (int k = 0; k < FLEET_PRICE_WALKS; ++k) {
    mean[k] = sx[k] / n;
  }
  for (int i = 0; i < FLEET_PRICE_WALKS; ++i) {
    for (int j = 0; j < FLEET_PRICE_WALKS; ++j) {
      cov[i][j] = (sxx[i][j] - n * mean[i] * mean[j]) / (n - 1.0);
    }
  }
  for (int k = 0; k < FLEET_PRICE_WALKS; ++k) {
    /* mean: standard error sd / sqrt(n); sample sd of normal data: standard error
     * ~ sd / sqrt(2 (n - 1)). With n = 20,000 and sd 0.114, 5 SE = 0.0040 and 0.0029. */
    double mean_tol = 5.0 * sd[k] / sqrt(n);
    double sd_tol = 5.0 * sd[k] / sqrt(2.0 * (n - 1.0));
    double sample_sd = sqrt(cov[k][k]);
    cr_assert(fabs(mean[k] - drift[k]) <= mean_tol, "%s: mean log change %.6f, drift %.6f, tol %.6f",
              fleet_price_names[k], mean[k], drift[k], mean_tol);
    cr_assert(fabs(sample_sd - sd[k]) <= sd_tol, "%s: sd of log change %.6f, want %.6f, tol %.6f",
              fleet_price_names[k], sample_sd, sd[k], sd_tol);
  }
  /* Correlations by Fisher's z: atanh(r) is close to normal with mean atanh(rho) and sd
   * 1 / sqrt(n - 3) (R. A. Fisher, Biometrika 10, 1915); 5 / sqrt(19,997) = 0.0354 in z. */
  const double z_tol = 5.0 / sqrt(n - 3.0);
  for (int i = 0; i < FLEET_PRICE_WALKS; ++i) {
    for (int j = i + 1; j < FLEET_PRICE_WALKS; ++j) {
      double r = cov[i][j] / sqrt(cov[i][i] * cov[j][j]);
      cr_assert(fabs(atanh(r) - atanh(corr[i][j])) <= z_tol, "corr(%s, %s) = %.4f, want %.2f",
                fleet_price_names[i], fleet_price_names[j], r, corr[i][j]);
    }
  }
  double m0 = mean[FLEET_PRICE_DIESEL], m1 = s1 / n;
  double lag = (s01 - n * m0 * m1) / sqrt((sxx[0][0] - n * m0 * m0) * (s11 - n * m1 * m1));
  cr_assert(fabs(atanh(lag)) <= z_tol, "diesel year-0 vs year-1 change correlation %.4f, want 0", lag);
}

/* ---- (d) the Cholesky factor ----------------------------------------------------------------- */

Test(budget, cholesky_reproduces_the_matrix) {
  fleet_params_t p;
  test_params(&p);
  double lower[FLEET_PRICE_WALKS][FLEET_PRICE_WALKS];
  cr_assert_eq(fleet_price_cholesky(&p, lower), 1);
  const double corr[FLEET_PRICE_WALKS][FLEET_PRICE_WALKS] = {
      {1.0, 0.9, 0.3, 0.3}, {0.9, 1.0, 0.3, 0.3}, {0.3, 0.3, 1.0, 0.7}, {0.3, 0.3, 0.7, 1.0}};
  for (int i = 0; i < FLEET_PRICE_WALKS; ++i) {
    cr_assert_gt(lower[i][i], 0.0);
    for (int j = 0; j < FLEET_PRICE_WALKS; ++j) {
      if (j > i) {
        cr_assert_eq(lower[i][j], 0.0, "upper triangle [%d][%d] = %g", i, j, lower[i][j]);
      }
      double s = 0.0;
      for (int k = 0; k < FLEET_PRICE_WALKS; ++k) {
        s += lower[i][k] * lower[j][k];
      }
      cr_assert(fabs(s - corr[i][j]) <= 1e-12, "(L L^T)[%d][%d] = %.17g, want %g", i, j, s, corr[i][j]);
    }
  }
}

Test(budget, cholesky_rejects_non_positive_definite) {
  fleet_params_t p;
  test_params(&p);
  double lower[FLEET_PRICE_WALKS][FLEET_PRICE_WALKS];
  /* v = (1, 1, -1, -1): v^T C v = 4 + 2 x 0.9 - 8 x 0.95 + 2 x (-0.9) = -3.6 < 0 */
  p.corr_diesel_petrol = 0.9;
  p.corr_fuel_electricity = 0.95;
  p.corr_tariff_public = -0.9;
  cr_assert_eq(fleet_price_cholesky(&p, lower), 0);
  /* Fuels perfectly correlated: singular, the second pivot is exactly 0. */
  test_params(&p);
  p.corr_diesel_petrol = 1.0;
  cr_assert_eq(fleet_price_cholesky(&p, lower), 0);
  /* A NaN correlation never passes. */
  test_params(&p);
  p.corr_tariff_public = NAN;
  cr_assert_eq(fleet_price_cholesky(&p, lower), 0);
}

/* ---- (e) reproducibility --------------------------------------------------------------------- */

Test(budget, paths_are_reproducible_per_replica) {
  fleet_params_t p;
  test_params(&p);
  fleet_price_path_t a, b, c;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  fleet_prices_generate(&p, 17, &a);
  fleet_prices_generate(&p, 17, &b);
  cr_assert_eq(memcmp(&a, &b, sizeof a), 0, "same replica, different paths");
  fleet_prices_generate(&p, 18, &c);
  for (int y = 0; y < p.years; ++y) {
    for (int k = 0; k < FLEET_PRICE_WALKS; ++k) {
      cr_assert_neq(a.eur[y][k], c.eur[y][k], "replicas 17 and 18 agree in year %d, %s", y, fleet_price_names[k]);
    }
  }
}

Test(budget, draws_do_not_depend_on_other_parameters) {
  /* A fixed count of draws per year: a shorter run is a prefix of a longer one, and the diesel
   * path (the first row of L) ignores the other prices' volatilities. */
  fleet_params_t p;
  test_params(&p);
  fleet_price_path_t full, shorter, sweep;
  fleet_prices_generate(&p, 5, &full);
  p.years = 3;
  fleet_prices_generate(&p, 5, &shorter);
  cr_assert_eq(shorter.years, 3);
  cr_assert_eq(memcmp(shorter.eur, full.eur, 3 * sizeof full.eur[0]), 0);
  test_params(&p);
  p.petrol_log_sd = 0.2;
  p.tariff_log_sd = 0.0;
  fleet_prices_generate(&p, 5, &sweep);
  for (int y = 0; y < p.years; ++y) {
    cr_assert_eq(sweep.eur[y][FLEET_PRICE_DIESEL], full.eur[y][FLEET_PRICE_DIESEL]);
  }
}

/* ---- (f) histogram bins and CO2 -------------------------------------------------------------- */

Test(budget, account_bin_edges) {
  const double min = FLEET_ACCOUNT_MIN_EUR, bin = FLEET_ACCOUNT_BIN_EUR;
  cr_assert_eq(fleet_account_bin(min), 0);
  cr_assert_eq(fleet_account_bin(nextafter(min + bin, -INFINITY)), 0);
  cr_assert_eq(fleet_account_bin(min + bin), 1);
  cr_assert_eq(fleet_account_bin(0.0), 500); /* (0 + 10,000) / 20 */
  cr_assert_eq(fleet_account_bin(-510.62), 474); /* floor(9,489.38 / 20) */
  cr_assert_eq(fleet_account_bin(min + bin * (FLEET_ACCOUNT_BINS - 1)), FLEET_ACCOUNT_BINS - 1);
  /* 1e-9 below the last bin's edge, not one ulp: 9,980 - ulp minus MIN rounds back to 19,980
   * exactly (a half-ulp tie), which the bin rightly puts in the last bin. */
  cr_assert_eq(fleet_account_bin(min + bin * (FLEET_ACCOUNT_BINS - 1) - 1e-9), FLEET_ACCOUNT_BINS - 2);
  cr_assert_eq(fleet_account_bin(1e9), FLEET_ACCOUNT_BINS - 1);
  cr_assert_eq(fleet_account_bin(INFINITY), FLEET_ACCOUNT_BINS - 1);
  cr_assert_eq(fleet_account_bin(nextafter(min, -INFINITY)), 0);
  cr_assert_eq(fleet_account_bin(-1e9), 0);
  cr_assert_eq(fleet_account_bin(-INFINITY), 0);
  cr_assert_eq(fleet_account_bin(NAN), 0);
}

Test(budget, combustion_co2_by_hand) {
  fleet_params_t p;
  test_params(&p);
  /* 15,000 km diesel: 15,000 x 6.07 / 100 = 910.5 L x 2.6 kg/L = 2,367.3 kg */
  cr_assert(fabs(fleet_combustion_kg_co2(&p, 15000.0, 1) - 2367.3) <= 1e-9);
  /* 12,000 km petrol: 12,000 x 7.31 / 100 = 877.2 L x 2.3 kg/L = 2,017.56 kg */
  cr_assert(fabs(fleet_combustion_kg_co2(&p, 12000.0, 0) - 2017.56) <= 1e-9);
  cr_assert_eq(fleet_combustion_kg_co2(&p, 0.0, 1), 0.0);
}

/* A one-off jump (prices.shock_year) shifts ln(price) by its change from that year on and moves
 * no draw: with and without it the paths differ by exactly exp(change) from the shock's year, and
 * not at all before it. */
Test(budget, a_price_shock_shifts_the_level_from_its_year_and_keeps_the_draws) {
  fleet_params_t p;
  test_params(&p);
  p.years = 5;
  fleet_price_path_t plain, shocked;
  fleet_prices_generate(&p, 7, &plain);
  p.shock_year = 2;
  p.diesel_shock_log_change = 0.2566;
  p.petrol_shock_log_change = 0.1443;
  p.tariff_shock_log_change = 0.0392;
  p.public_shock_log_change = -0.1;
  fleet_prices_generate(&p, 7, &shocked);
  const double change[FLEET_PRICE_WALKS] = {0.2566, 0.1443, 0.0392, -0.1};
  for (int y = 0; y < 5; y++)
    for (int k = 0; k < FLEET_PRICE_WALKS; k++) {
      const double want = plain.eur[y][k] * (y >= 2 ? exp(change[k]) : 1.0);
      cr_assert(fabs(shocked.eur[y][k] - want) <= 1e-12 * want, "year %d, %s: %.15g vs %.15g", y, fleet_price_names[k],
                shocked.eur[y][k], want);
    }
  /* 2022's diesel: 1.4301 x exp(0.2566) = 1.8484 EUR/L, the yearly average the change came from */
  cr_assert(fabs(1.4301 * exp(0.2566) - 1.8484) < 1e-4);
}

/* The grid's intensity by month and hour: January is the winter profile, July the summer one,
 * April and October half of each; every month's 24 hours average its figure; relative profiles
 * are divided by their mean. */
Test(budget, grid_co2_profile_by_hand) {
  fleet_params_t p;
  test_params(&p);
  for (int m = 0; m < 12; m++) p.grid_g_co2_per_kwh_monthly[m] = 10.0 * (m + 1);
  for (int h = 0; h < 24; h++) {
    p.grid_hour_profile_winter[h] = h >= 18 && h < 21 ? 5.0 : 1.0; /* mean 1.5: evenings x 10/3 */
    p.grid_hour_profile_summer[h] = h < 12 ? 1.0 : 3.0;              /* mean 2: 0.5 then 1.5 */
  }
  double g[12][24];
  fleet_grid_co2_profile(&p, g);
  cr_assert(fabs(g[0][19] - 10.0 * 5.0 / 1.5) <= 1e-12);  /* January: winter only */
  cr_assert(fabs(g[0][3] - 10.0 / 1.5) <= 1e-12);
  cr_assert(fabs(g[6][3] - 70.0 * 0.5) <= 1e-12);         /* July: summer only */
  cr_assert(fabs(g[6][19] - 70.0 * 1.5) <= 1e-12);
  cr_assert(fabs(g[3][19] - 40.0 * (0.5 * 5.0 / 1.5 + 0.5 * 1.5)) <= 1e-12); /* April: half of each */
  cr_assert(fabs(g[9][3] - 100.0 * (0.5 / 1.5 + 0.5 * 0.5)) <= 1e-12);      /* October */
  for (int m = 0; m < 12; m++) {
    double sum = 0.0;
    for (int h = 0; h < 24; h++) sum += g[m][h];
    cr_assert(fabs(sum / 24.0 - 10.0 * (m + 1)) <= 1e-12, "month %d", m);
  }
  /* A flat profile is the monthly figure at every hour. */
  for (int h = 0; h < 24; h++) p.grid_hour_profile_winter[h] = p.grid_hour_profile_summer[h] = 0.25;
  fleet_grid_co2_profile(&p, g);
  for (int m = 0; m < 12; m++)
    for (int h = 0; h < 24; h++) cr_assert(fabs(g[m][h] - 10.0 * (m + 1)) <= 1e-12);
}

Test(budget, month_of_day_edges) {
  const int first[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};
  for (int m = 0; m < 12; m++) {
    cr_assert_eq(fleet_month_of_day(first[m]), m);
    cr_assert_eq(fleet_month_of_day(first[m + 1] - 1), m);
  }
}
