/* summary.c: the claims table of a result file (see summary.h).
 *
 * Quantiles are exact, over every value the file holds, interpolated linearly between order
 * statistics (NumPy's default), so a reader can reproduce them from the file with h5py; they are
 * found by reading the file several times (quantiles.h), in memory that does not grow with it. The household account is the exception: the file keeps
 * its distribution as histograms, so its quantiles come from their sum over the replica-years
 * (linear within the bin, fleet_account_quantile_eur). Every ratio, NPV and repayment comes from
 * derived.h, from the sums the file stores. */
#include "summary.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "derived.h"
#include "h5_reader.h"
#include "quantiles.h"
#include "scenario.h"
#include "year_totals.h"

/* Claim C2's sums of one duration band (the /outage/band_* datasets). */
typedef struct {
  double count, car_at_start, demand_kwh, served_kwh, first_served, fully_served;
} fleet_c2_band_t;

static void c2_add(fleet_c2_band_t *sum, const fleet_year_totals_t *y, int band) {
  sum->count += y->outage_band_count[band];
  sum->car_at_start += y->outage_band_car_at_start[band];
  sum->demand_kwh += y->outage_band_demand_kwh[band];
  sum->served_kwh += y->outage_band_served_kwh[band];
  sum->first_served += y->outage_band_first_served[band];
  sum->fully_served += y->outage_band_fully_served[band];
}

typedef struct {
  double p5, p50, p95, mean;
  uint64_t count; /* values that are not NaN */
} stats_t;

static stats_t stats_of(const fleet_quantiles_t *q) {
  double levels[FLEET_QUANTILE_LEVELS], mean;
  fleet_quantiles_result(q, levels, &mean);
  return (stats_t){levels[0], levels[1], levels[2], mean, q->count};
}

static void format_number(char *out, size_t size, double x) {
  if (isnan(x)) snprintf(out, size, "-");
  else snprintf(out, size, "%.4g", x);
}

static void print_row(FILE *out, const char *claim, const char *quantity, const char *unit, stats_t st,
                      const char *over) {
  char v[4][32];
  format_number(v[0], sizeof v[0], st.p5);
  format_number(v[1], sizeof v[1], st.p50);
  format_number(v[2], sizeof v[2], st.p95);
  format_number(v[3], sizeof v[3], st.mean);
  fprintf(out, "%-6s %-50s %-15s %10s %10s %10s %10s  %s\n", claim, quantity, unit, v[0], v[1], v[2], v[3], over);
}

/* Everything the table needs, one value per hour, replica-year or replica. */
enum {
  S_CAR_BATTERY_GWH,     /* hourly, at the battery */
  S_CAR_ENERGY_GWH,      /* hourly, deliverable */
  S_CAR_POWER_GW,        /* hourly */
  S_ALL_BATTERY_GWH,     /* hourly, cars + garage batteries, at the battery */
  S_ALL_ENERGY_GWH,      /* hourly, cars + garage batteries, deliverable */
  S_EVENING_WINTER_GWH,  /* the cars', deliverable, hours 18, 19, 20 of each day of the season */
  S_EVENING_SPRING_GWH,
  S_EVENING_SUMMER_GWH,
  S_EVENING_AUTUMN_GWH,
  S_EVENING_BATTERY_WINTER_GWH, /* the same at the battery */
  S_EVENING_BATTERY_SPRING_GWH,
  S_EVENING_BATTERY_SUMMER_GWH,
  S_EVENING_BATTERY_AUTUMN_GWH,
  S_HOURS_ABOVE_PCT,     /* per replica-year, at the battery: C1's verdict */
  S_HOURS_DELIVERABLE_ABOVE_PCT, /* per replica-year, deliverable */
  S_GARAGE_ACCOUNT_EUR,  /* per replica-year, mean per paying garage household */
  S_EXPORTED_GWH,        /* per replica-year */
  S_CURTAILED_GWH,       /* per replica-year */
  S_CO2_BATTERY_MT,      /* per replica, over its years */
  S_CO2_NET_MT,          /* per replica, over its years: avoided - grid - battery manufacturing */
  S_UNSERVED_KWH,        /* per household-year, per replica-year */
  S_WORSE_OFF_PCT,       /* per replica-year */
  S_GARAGE_PV_PCT,       /* per replica-year */
  S_CARPORT_PV_PCT,      /* per replica-year */
  S_CO2_MT,              /* per replica-year */
  S_CARPORT_GWH,         /* per replica-year */
  S_C2_CAR_PCT,          /* per replica, FLEET_OUTAGE_BANDS of them: (a) by band */
  S_C2_SERVED_PCT = S_C2_CAR_PCT + FLEET_OUTAGE_BANDS,  /* (b) by band */
  S_C2_FIRST_PCT = S_C2_SERVED_PCT + FLEET_OUTAGE_BANDS, /* (c), the last band only */
  S_C2_FULLY_PCT,                                        /* (d) by band */
  S_NPV_BN_EUR = S_C2_FULLY_PCT + FLEET_OUTAGE_BANDS, /* per replica */
  S_REPAID_PCT,          /* per replica */
  S_SOH_LAST_PCT,        /* per replica: the fleet's mean battery state of health at its last year's end */
  SERIES
};

typedef struct {
  fleet_quantiles_t s[SERIES];
  /* sums over the file, in the first pass */
  double histogram[FLEET_ACCOUNT_BINS];
  double households, account_sum_eur, worse_off;
  double position_histogram[FLEET_POSITION_BINS];
  double positions, position_sum_eur, position_worse_off;
  double garage_households, garage_account_sum_eur;
  uint64_t hours_above, hours_deliverable_above, hours;
  double npv_count, npv_mean_eur, npv_m2_eur2; /* over the replicas, in the first pass */
  fleet_c2_band_t c2[FLEET_OUTAGE_BANDS];      /* over the file, in the first pass */
} table_t;

static double percent(double part, double whole) { return 100.0 * fleet_ratio(part, whole); }

/* The evening peak the grid would call the fleet for: 18:00 to 21:00 local standard time (the
 * file's clock), by meteorological season of the 365-day year (winter: December to February). */
enum { EVENING_FIRST_HOUR = 18, EVENING_HOURS = 3 };
static int season_of_day(int day) {
  if (day < 59 || day >= 334) return 0; /* 1 March is day 59, 1 December day 334 */
  return day < 151 ? 1 : day < 243 ? 2 : 3;
}

static void push(table_t *t, int k, double value) { fleet_quantiles_add(&t->s[k], value); }

/* One pass over the file's replica-years: every series gets its values again (fleet_quantiles_t
 * needs FLEET_QUANTILE_PASSES of them), the sums only in the first. Memory does not depend on the
 * file's size. */
static fleet_status_t collect(fleet_h5_reader_t *reader, table_t *t, int first_pass, fleet_error_t *err) {
  const fleet_h5_file_info_t *info = fleet_h5_reader_info(reader);
  const double threshold_kwh = FLEET_PROPOSAL_STORAGE_KWH_PER_VEHICLE * (double)info->vehicles;
  fleet_year_totals_t *y = malloc(sizeof *y);
  double net[FLEET_MAX_YEARS];
  if (!y) return fleet_error_set(err, FLEET_ERR_NOMEM, "out of memory for a year's totals");
  fleet_status_t status = FLEET_OK;
  for (int64_t r = 0; r < info->replicas && status == FLEET_OK; r++) {
    double co2_battery_t = 0.0, co2_net_t = 0.0, soh_last_sum = 0.0;
    fleet_c2_band_t c2[FLEET_OUTAGE_BANDS] = {{0}};
    for (int64_t year = 0; year < info->years && status == FLEET_OK; year++) {
      if ((status = fleet_h5_read_year(reader, r, year, y, err)) != FLEET_OK) break;
      uint64_t above = 0, deliverable_above = 0;
      for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++) {
        above += y->storage_battery_kwh[h] >= threshold_kwh;
        deliverable_above += y->storage_energy_kwh[h] >= threshold_kwh;
        push(t, S_CAR_BATTERY_GWH, y->storage_battery_kwh[h] / 1e6);
        push(t, S_CAR_ENERGY_GWH, y->storage_energy_kwh[h] / 1e6);
        push(t, S_CAR_POWER_GW, y->storage_power_kw[h] / 1e6);
        push(t, S_ALL_BATTERY_GWH, (y->storage_battery_kwh[h] + y->garage_battery_kwh[h]) / 1e6);
        push(t, S_ALL_ENERGY_GWH, (y->storage_energy_kwh[h] + y->garage_energy_kwh[h]) / 1e6);
        const int hour = h % FLEET_HOURS_PER_DAY;
        if (hour >= EVENING_FIRST_HOUR && hour < EVENING_FIRST_HOUR + EVENING_HOURS) {
          const int season = season_of_day(h / FLEET_HOURS_PER_DAY);
          push(t, S_EVENING_WINTER_GWH + season, y->storage_energy_kwh[h] / 1e6);
          push(t, S_EVENING_BATTERY_WINTER_GWH + season, y->storage_battery_kwh[h] / 1e6);
        }
      }
      double charged = 0.0;
      for (int k = 0; k < FLEET_SOURCE_COUNT; k++) charged += y->charging_energy_kwh[k];
      push(t, S_HOURS_ABOVE_PCT, 100.0 * (double)above / FLEET_HOURS_PER_YEAR);
      push(t, S_HOURS_DELIVERABLE_ABOVE_PCT, 100.0 * (double)deliverable_above / FLEET_HOURS_PER_YEAR);
      push(t, S_GARAGE_ACCOUNT_EUR, fleet_ratio(y->garage_account_sum_eur, y->garage_household_count));
      push(t, S_EXPORTED_GWH, y->solar_energy_kwh[FLEET_SOLAR_GARAGE_EXPORTED] / 1e6);
      push(t, S_CURTAILED_GWH, y->solar_energy_kwh[FLEET_SOLAR_GARAGE_CURTAILED] / 1e6);
      co2_battery_t += y->co2_battery_t;
      co2_net_t += y->co2_combustion_avoided_t - y->co2_grid_t - y->co2_battery_t;
      push(t, S_UNSERVED_KWH, y->outage_unserved_kwh / (double)info->vehicles);
      push(t, S_WORSE_OFF_PCT, percent(y->household_worse_off, y->household_count));
      push(t, S_GARAGE_PV_PCT, percent(y->charging_energy_kwh[FLEET_SOURCE_GARAGE_PV], charged));
      push(t, S_CARPORT_PV_PCT, percent(y->charging_energy_kwh[FLEET_SOURCE_CARPORT_PV], charged));
      push(t, S_CO2_MT, (y->co2_combustion_avoided_t - y->co2_grid_t) / 1e6);
      push(t, S_CARPORT_GWH, y->solar_energy_kwh[FLEET_SOLAR_CARPORT_TO_CARS] / 1e6);
      if (first_pass) {
        t->hours_above += above;
        t->hours_deliverable_above += deliverable_above;
        if (y->position_count > 0.0) {
          for (int k = 0; k < FLEET_POSITION_BINS; k++) t->position_histogram[k] += y->position_histogram[k];
          t->positions += y->position_count;
          t->position_sum_eur += y->position_sum_eur;
          t->position_worse_off += y->position_worse_off;
        }
        t->garage_households += y->garage_household_count;
        t->garage_account_sum_eur += y->garage_account_sum_eur;
        t->hours += FLEET_HOURS_PER_YEAR;
        if (y->household_count > 0.0) {
          for (int k = 0; k < FLEET_ACCOUNT_BINS; k++) t->histogram[k] += y->household_account_histogram[k];
          t->households += y->household_count;
          t->account_sum_eur += y->household_account_sum_eur;
          t->worse_off += y->household_worse_off;
        }
      }
      for (int b = 0; b < FLEET_OUTAGE_BANDS; b++) {
        c2_add(&c2[b], y, b);
        if (first_pass) c2_add(&t->c2[b], y, b);
      }
      net[year] = y->ledger_eur[FLEET_LEDGER_NET];
      soh_last_sum = y->state_of_health_sum;
    }
    if (status != FLEET_OK) break;
    fleet_replica_derived_t derived;
    fleet_replica_derive(net, info->years, info->discount_rate, info->lease_years, &derived);
    for (int b = 0; b < FLEET_OUTAGE_BANDS; b++) {
      push(t, S_C2_CAR_PCT + b, percent(c2[b].car_at_start, c2[b].count));
      push(t, S_C2_SERVED_PCT + b, percent(c2[b].served_kwh, c2[b].demand_kwh));
      push(t, S_C2_FULLY_PCT + b, percent(c2[b].fully_served, c2[b].count));
    }
    const fleet_c2_band_t *last = &c2[FLEET_OUTAGE_BANDS - 1];
    push(t, S_C2_FIRST_PCT, percent(last->first_served, last->count));
    push(t, S_NPV_BN_EUR, derived.npv_eur / 1e9);
    if (first_pass) fleet_moments_add(&t->npv_count, &t->npv_mean_eur, &t->npv_m2_eur2, 1.0, derived.npv_eur, 0.0);
    push(t, S_REPAID_PCT, 100.0 * derived.repaid);
    push(t, S_CO2_BATTERY_MT, co2_battery_t / 1e6);
    push(t, S_CO2_NET_MT, co2_net_t / 1e6);
    push(t, S_SOH_LAST_PCT, percent(soh_last_sum, (double)info->vehicles));
  }
  free(y);
  return status;
}

static void print_table(FILE *out, const char *path, const fleet_h5_file_info_t *info, const fleet_params_t *params,
                        table_t *t) {
  const int64_t replica_years = info->replicas * info->years;
  fprintf(out, "fleetmc summary of %s\n", path);
  fprintf(out, "  %" PRId64 " vehicles, replicas [%" PRId64 ", %" PRId64 ") x %" PRId64 " year(s) from %" PRId64
               " = %" PRId64 " replica-years, seed %" PRIu64 "\n",
          info->vehicles, info->first_replica, info->first_replica + info->replicas, info->years, info->first_year,
          replica_years, info->seed);
  fprintf(out, "  written by fleetmc %s (commit %s) on %s: %s\n", info->fleetmc_version, info->git_commit,
          info->created, info->command_line);
  fprintf(out, "  model_sha256 %s\n", info->model_sha256);
  fprintf(out, "  P5 / P50 / P95 / mean over the values in the last column (quantiles linear between order "
               "statistics)\n\n");
  fprintf(out, "%-6s %-50s %-15s %10s %10s %10s %10s  %s\n", "claim", "quantity", "unit", "P5", "P50", "P95", "mean",
          "over");

  char hours[64], years[64], replicas[64], label[96], over[96];
  snprintf(hours, sizeof hours, "%" PRIu64 " hours", t->hours);
  snprintf(years, sizeof years, "%" PRId64 " replica-years", replica_years);
  snprintf(replicas, sizeof replicas, "%" PRId64 " replicas", info->replicas);

  /* C1: the proposal's 21 GWh counts battery energy (30 kWh x 0.7 per car), so its verdict is at
   * the battery; what the grid would receive, after the discharge losses, follows. */
  const double threshold_gwh = FLEET_PROPOSAL_STORAGE_KWH_PER_VEHICLE * (double)info->vehicles / 1e6;
  print_row(out, "C1", "cars, at the battery (above the reserve), hourly", "GWh", stats_of(&t->s[S_CAR_BATTERY_GWH]),
            hours);
  snprintf(label, sizeof label, "hours cars at battery >= 21 kWh x N = %.4g GWh", threshold_gwh);
  stats_t above = stats_of(&t->s[S_HOURS_ABOVE_PCT]);
  above.mean = percent((double)t->hours_above, (double)t->hours);
  print_row(out, "C1", label, "% of hours", above, years);
  print_row(out, "C1", "cars, deliverable to the grid after losses, hourly", "GWh",
            stats_of(&t->s[S_CAR_ENERGY_GWH]), hours);
  snprintf(label, sizeof label, "hours cars deliverable >= %.4g GWh", threshold_gwh);
  stats_t deliverable_above = stats_of(&t->s[S_HOURS_DELIVERABLE_ABOVE_PCT]);
  deliverable_above.mean = percent((double)t->hours_deliverable_above, (double)t->hours);
  print_row(out, "C1", label, "% of hours", deliverable_above, years);
  print_row(out, "C1", "cars, deliverable power (charger-capped), hourly", "GW", stats_of(&t->s[S_CAR_POWER_GW]),
            hours);
  print_row(out, "C1", "with garage batteries: cars + garages, at battery", "GWh",
            stats_of(&t->s[S_ALL_BATTERY_GWH]), hours);
  print_row(out, "C1", "with garage batteries: cars + garages, deliverable", "GWh",
            stats_of(&t->s[S_ALL_ENERGY_GWH]), hours);
  const char *seasons[] = {"winter (Dec-Feb)", "spring (Mar-May)", "summer (Jun-Aug)", "autumn (Sep-Nov)"};
  for (int k = 0; k < 4; k++) {
    const stats_t evening = stats_of(&t->s[S_EVENING_BATTERY_WINTER_GWH + k]);
    snprintf(label, sizeof label, "cars at battery, 18:00-21:00, %s", seasons[k]);
    snprintf(over, sizeof over, "%" PRIu64 " hours", evening.count);
    print_row(out, "C1", label, "GWh", evening, over);
  }
  for (int k = 0; k < 4; k++) {
    const stats_t evening = stats_of(&t->s[S_EVENING_WINTER_GWH + k]);
    snprintf(label, sizeof label, "cars deliverable, 18:00-21:00, %s", seasons[k]);
    snprintf(over, sizeof over, "%" PRIu64 " hours", evening.count);
    print_row(out, "C1", label, "GWh", evening, over);
  }

  /* C2 by duration band: P5 / P50 / P95 over the replicas' shares (a replica without an outage of
   * the band has none), mean = the share over all the file's outages of the band (pooled). */
  for (int b = 0; b < FLEET_OUTAGE_BANDS; b++) {
    const fleet_c2_band_t *sum = &t->c2[b];
    char band[32];
    const double lo = fleet_outage_band_edges_h[b], hi = fleet_outage_band_edges_h[b + 1];
    if (b == 0) snprintf(band, sizeof band, "< %g h", hi);
    else if (b == FLEET_OUTAGE_BANDS - 1) snprintf(band, sizeof band, ">= %g h", lo);
    else snprintf(band, sizeof band, "%g-%g h", lo, hi);
    struct {
      int series;
      const char *what, *unit;
      double part, whole;
    } rows[] = {{S_C2_CAR_PCT + b, "(a) %s: began with bidir. car home, plugged", "% of outages", sum->car_at_start,
                 sum->count},
                {S_C2_SERVED_PCT + b, "(b) %s: dormant-load kWh served / demanded", "% of kWh", sum->served_kwh,
                 sum->demand_kwh},
                {S_C2_FIRST_PCT, "(c) %s: first 24 h fully served", "% of outages", sum->first_served, sum->count},
                {S_C2_FULLY_PCT + b, "(d) %s: fully served over whole outage", "% of outages", sum->fully_served,
                 sum->count}};
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
      if (rows[r].series == S_C2_FIRST_PCT && b != FLEET_OUTAGE_BANDS - 1) continue; /* (c): >= 24 h only */
      stats_t st = stats_of(&t->s[rows[r].series]);
      st.mean = percent(rows[r].part, rows[r].whole);
      snprintf(label, sizeof label, rows[r].what, band);
      snprintf(over, sizeof over, "%.0f outages; %" PRIu64 " of %" PRId64 " replicas", sum->count, st.count,
               info->replicas);
      print_row(out, "C2", label, rows[r].unit, st, over);
    }
  }
  print_row(out, "C2", "unserved outage energy per household-year", "kWh", stats_of(&t->s[S_UNSERVED_KWH]),
            years);

  const stats_t account = {fleet_account_quantile_eur(t->histogram, 0.05),
                           fleet_account_quantile_eur(t->histogram, 0.5),
                           fleet_account_quantile_eur(t->histogram, 0.95),
                           fleet_ratio(t->account_sum_eur, t->households), 0};
  snprintf(over, sizeof over, "%.0f household-years (summed histograms)", t->households);
  print_row(out, "C3", "(i) account: fuel+upkeep saved - charging - lease", "EUR/yr", account, over);
  stats_t worse = stats_of(&t->s[S_WORSE_OFF_PCT]);
  worse.mean = percent(t->worse_off, t->households); /* over all household-years, not of the yearly shares */
  print_row(out, "C3", "(i) households worse off (account < 0)", "% of hh", worse, years);
  const stats_t position = {
      fleet_histogram_quantile(t->position_histogram, FLEET_POSITION_BINS, FLEET_POSITION_MIN_EUR, FLEET_POSITION_BIN_EUR, 0.05),
      fleet_histogram_quantile(t->position_histogram, FLEET_POSITION_BINS, FLEET_POSITION_MIN_EUR, FLEET_POSITION_BIN_EUR, 0.5),
      fleet_histogram_quantile(t->position_histogram, FLEET_POSITION_BINS, FLEET_POSITION_MIN_EUR, FLEET_POSITION_BIN_EUR, 0.95),
      fleet_ratio(t->position_sum_eur, t->positions), 0};
  snprintf(over, sizeof over, "%.0f households completing the lease", t->positions);
  snprintf(label, sizeof label, "(ii) full position over the lease at %.3g %%/yr", 100.0 * params->household_discount_rate);
  print_row(out, "C3", label, "EUR", position, over);
  const stats_t position_worse = {NAN, NAN, NAN, percent(t->position_worse_off, t->positions), 0};
  print_row(out, "C3", "(ii) households worse off over the lease", "% of hh", position_worse, over);
  stats_t garage_account = stats_of(&t->s[S_GARAGE_ACCOUNT_EUR]);
  garage_account.mean = fleet_ratio(t->garage_account_sum_eur, t->garage_households);
  snprintf(over, sizeof over, "%.0f garage household-years", t->garage_households);
  print_row(out, "C3", "garage account: surplus sold - garage lease (EST)", "EUR/yr", garage_account, over);

  snprintf(label, sizeof label, "State NPV at %.3g %%/yr over %" PRId64 " year(s), per replica",
           100.0 * info->discount_rate, info->years);
  print_row(out, "C4", label, "bn EUR", stats_of(&t->s[S_NPV_BN_EUR]), replicas);
  stats_t repaid = stats_of(&t->s[S_REPAID_PCT]);
  repaid.p5 = repaid.p50 = repaid.p95 = NAN; /* a 0/1 per replica: only its mean says anything */
  snprintf(label, sizeof label, "repaid by the end of year %" PRId64,
           info->lease_years < info->years ? info->lease_years : info->years);
  print_row(out, "C4", label, "% of replicas", repaid, replicas);

  print_row(out, "C5/C6", "garage PV, of the energy entering the cars", "%", stats_of(&t->s[S_GARAGE_PV_PCT]),
            years);
  print_row(out, "C5/C6", params->garage_export_surplus ? "garage PV surplus exported (feed-in)"
                                                         : "garage PV surplus exported (off: curtailed)",
            "GWh/yr", stats_of(&t->s[S_EXPORTED_GWH]), years);
  print_row(out, "C5/C6", "garage PV curtailed", "GWh/yr", stats_of(&t->s[S_CURTAILED_GWH]), years);
  print_row(out, "C6/C8", "carport PV, of the energy entering the cars", "%", stats_of(&t->s[S_CARPORT_PV_PCT]),
            years);
  const int scrapped = params->trade_in_fate == FLEET_TRADE_IN_SCRAPPED;
  print_row(out, "C7", scrapped ? "CO2 avoided, trade-ins scrapped: combustion - grid"
                                : "CO2 avoided, trade-ins resold: - grid only",
            "Mt/yr", stats_of(&t->s[S_CO2_MT]), years);
  snprintf(label, sizeof label, "life cycle: battery packs made, %" PRId64 " year(s)", info->years);
  print_row(out, "C7", label, "Mt", stats_of(&t->s[S_CO2_BATTERY_MT]), replicas);
  snprintf(label, sizeof label, "net of the packs over %" PRId64 " year(s)", info->years);
  print_row(out, "C7", label, "Mt", stats_of(&t->s[S_CO2_NET_MT]), replicas);
  print_row(out, "C8", "carport PV into cars", "GWh/yr", stats_of(&t->s[S_CARPORT_GWH]), years);
  snprintf(label, sizeof label, "battery state of health, fleet mean, end of %" PRId64,
           info->first_year + info->years - 1);
  print_row(out, "ageing", label, "% of nominal", stats_of(&t->s[S_SOH_LAST_PCT]), replicas);
  fprintf(out, "\n  C2 by outage band: P5 / P50 / P95 over the replicas' shares (replicas without an outage of the "
               "band left out), mean over all the file's outages of the band; an outage counts in the year it ends\n");
  /* what the figures above cannot say */
  if (info->years < info->lease_years)
    fprintf(out, "\n  warning: the run covers %" PRId64 " of the lease's %" PRId64 " years: the NPV and the "
                 "repayment (C4) cover only part of the programme\n", info->years, info->lease_years);
  if (info->replicas < 2)
    fprintf(out, "%s  warning: one replica: households' and the State's outcomes (C3, C4) vary mostly with the "
                 "price path, of which one replica draws one; their spread and Monte Carlo error need many\n",
            info->years < info->lease_years ? "" : "\n");
  /* The State's NPV varies with the price path, one per replica: how far its P50 can move. The
   * median's standard error is about sqrt(pi/2) sd / sqrt(n) for a near-normal spread (Kendall &
   * Stuart), so n >= (1.2533 sd / (0.01 |P50|))^2 replicas keep it within 1 % of the P50. */
  const stats_t npv = stats_of(&t->s[S_NPV_BN_EUR]);
  if (t->npv_count >= 2 && npv.p50 != 0.0) {
    const double sd = sqrt(t->npv_m2_eur2 / (t->npv_count - 1.0)) / 1e9;
    const double relative = 1.2533141373155 * sd / sqrt(t->npv_count) / fabs(npv.p50);
    const double needed = ceil(pow(1.2533141373155 * sd / (0.01 * fabs(npv.p50)), 2.0));
    fprintf(out,
            "\n  C4: the NPV's P50 has a standard error of about %.2g %% with %.0f replicas; about %.0f "
            "replica(s) keep it within 1 %%\n",
            100.0 * relative, t->npv_count, needed);
  }
  const fleet_run_values_t *run = &info->runtime;
  fprintf(out, "\n  run: %.1f s wall on %.0f thread(s), %.3g vehicle-hours, %.3g ns per vehicle-hour\n",
          run->wall_seconds, run->threads, run->vehicle_hours, 1e9 * fleet_ratio(run->wall_seconds, run->vehicle_hours));
}

fleet_status_t fleet_summary_file(const char *path, FILE *out, fleet_error_t *err) {
  fleet_h5_reader_t *reader = NULL;
  fleet_status_t status = fleet_h5_open(path, &reader, err);
  if (status != FLEET_OK) return status;
  const fleet_h5_file_info_t *info = fleet_h5_reader_info(reader);
  table_t *t = calloc(1, sizeof *t);
  if (!t) status = fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory", path);
  for (int k = 0; t && k < SERIES; k++) fleet_quantiles_init(&t->s[k]);
  for (int pass = 0; status == FLEET_OK && pass < FLEET_QUANTILE_PASSES; pass++) {
    status = collect(reader, t, pass == 0, err);
    for (int k = 0; k < SERIES; k++) fleet_quantiles_end_pass(&t->s[k]);
  }
  fleet_params_t *params = status == FLEET_OK ? malloc(sizeof *params) : NULL;
  if (status == FLEET_OK && !params) status = fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory", path);
  /* the reader has checked /scenario already; parsed again for the settings the table names */
  if (status == FLEET_OK) status = fleet_scenario_parse_text(path, info->scenario_text, params, err);
  if (status == FLEET_OK) print_table(out, path, info, params, t);
  free(params);
  fleet_status_t closed = fleet_h5_close(reader, status == FLEET_OK ? err : NULL);
  if (status == FLEET_OK) status = closed;
  free(t);
  return status;
}
