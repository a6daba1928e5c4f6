/* summary.c: the claims table of a result file (see summary.h).
 *
 * Monte Carlo error (mc_error.h): the replicas are the independent units, so while the file is
 * read each quantity is also reduced to one record per replica (its sum and weight, its own
 * P5 / P50 / P95); a mean's error is the ratio estimator's over those records, a quantile's the
 * order-statistic interval when there is one value per replica and sectioning when a replica
 * holds many (hours). This needs a few doubles per quantity and replica read, and one replica's
 * hourly values at a time.
 *
 * Quantiles are exact, over every value the file holds, interpolated linearly between order
 * statistics (NumPy's default), so a reader can reproduce them from the file with h5py; they are
 * found by reading the file several times (quantiles.h), in memory that does not grow with it. The household account is the exception: the file keeps
 * its distribution as histograms, so its quantiles come from their sum over the replica-years
 * (linear within the bin, fleet_account_quantile_eur). Every ratio, NPV and repayment comes from
 * derived.h, from the sums the file stores.
 *
 * With budget.price_paths_per_replica > 1 the rows c3_paths_* give C3 over every replica-year x
 * price path, each replica's paths pooled into its one record (replicas stay the independent
 * units). With /parameters, each claim's per-replica value is handed to fleet_sensitivity_rank
 * with the replicas' draws (sensitivity_section). */
/* open_memstream */
#define _POSIX_C_SOURCE 200809L

#include "summary.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "derived.h"
#include "h5_reader.h"
#include "mc_error.h"
#include "quantiles.h"
#include "scenario.h"
#include "sensitivity.h"
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
  S_PATH_ACCOUNT_EUR,    /* per replica-year and price path (only with more than one path): mean household account */
  S_PATH_WORSE_OFF_PCT,  /* per replica-year and price path: households worse off */
  SERIES
};

/* Pooled means and shares: per replica a part and a whole (the mean is sum part / sum whole). */
enum {
  R_HOURS_ABOVE, R_HOURS_DELIVERABLE_ABOVE,
  R_C2_CAR, R_C2_SERVED = R_C2_CAR + FLEET_OUTAGE_BANDS, R_C2_FIRST = R_C2_SERVED + FLEET_OUTAGE_BANDS,
  R_C2_FULLY, R_ACCOUNT = R_C2_FULLY + FLEET_OUTAGE_BANDS, R_WORSE_OFF, R_POSITION, R_POSITION_WORSE_OFF,
  R_GARAGE_ACCOUNT, R_PATH_ACCOUNT, R_PATH_WORSE_OFF, RATIOS
};
/* A measure is a series (part = the replica's sum, whole = its count, its quantiles from its
 * values) or a ratio (its quantiles from the replica's histograms, for the account and position). */
enum { MEASURES = SERIES + RATIOS, REC_PART = 0, REC_WHOLE, REC_Q, REC_STRIDE = REC_Q + 3 };

typedef struct {
  fleet_quantiles_t s[SERIES];
  /* sums over the file, in the first pass */
  double histogram[FLEET_ACCOUNT_BINS];
  double households, account_sum_eur, worse_off;
  double position_histogram[FLEET_POSITION_BINS];
  double positions, position_sum_eur, position_worse_off;
  double garage_households, garage_account_sum_eur;
  double path_households, path_account_sum_eur, path_worse_off; /* over replica-years x price paths */
  uint64_t hours_above, hours_deliverable_above, hours;
  double npv_count, npv_mean_eur, npv_m2_eur2; /* over the replicas, in the first pass */
  fleet_c2_band_t c2[FLEET_OUTAGE_BANDS];      /* over the file, in the first pass */
  /* per replica, in the first pass: the current replica's values of each series, then one
   * record of REC_STRIDE doubles per measure and replica */
  int first_pass;
  double *current[SERIES];
  int64_t current_count[SERIES], current_capacity[SERIES];
  double *record[MEASURES];
  int64_t records, record_capacity, values_per_replica[SERIES];
  double ratio[RATIOS][2]; /* the current replica's parts and wholes */
  double replica_histogram[FLEET_ACCOUNT_BINS], replica_position_histogram[FLEET_POSITION_BINS];
  int out_of_memory;
} table_t;

static double percent(double part, double whole) { return 100.0 * fleet_ratio(part, whole); }

/* The evening peak the grid would call the fleet for: 18:00 to 21:00 local standard time (the
 * file's clock), by meteorological season of the 365-day year (winter: December to February). */
enum { EVENING_FIRST_HOUR = 18, EVENING_HOURS = 3 };
static int season_of_day(int day) {
  if (day < 59 || day >= 334) return 0; /* 1 March is day 59, 1 December day 334 */
  return day < 151 ? 1 : day < 243 ? 2 : 3;
}

static void push(table_t *t, int k, double value) {
  fleet_quantiles_add(&t->s[k], value);
  if (!t->first_pass || isnan(value)) return;
  if (t->current_count[k] == t->current_capacity[k]) {
    const int64_t capacity = t->current_capacity[k] ? 2 * t->current_capacity[k] : 64;
    double *grown = realloc(t->current[k], (size_t)capacity * sizeof *grown);
    if (!grown) {
      t->out_of_memory = 1;
      return;
    }
    t->current[k] = grown;
    t->current_capacity[k] = capacity;
  }
  t->current[k][t->current_count[k]++] = value;
}

static int compare_doubles(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The end of a replica in the first pass: one record per measure. */
static void end_replica(table_t *t) {
  if (t->records == t->record_capacity) {
    const int64_t capacity = t->record_capacity ? 2 * t->record_capacity : 16;
    for (int m = 0; m < MEASURES; m++) {
      double *grown = realloc(t->record[m], (size_t)(capacity * REC_STRIDE) * sizeof *grown);
      if (!grown) {
        t->out_of_memory = 1;
        return;
      }
      t->record[m] = grown;
    }
    t->record_capacity = capacity;
  }
  for (int m = 0; m < MEASURES; m++) {
    double *rec = t->record[m] + t->records * REC_STRIDE;
    if (m < SERIES) {
      const int64_t n = t->current_count[m];
      double sum = 0.0;
      for (int64_t i = 0; i < n; i++) sum += t->current[m][i];
      if (n > 0) qsort(t->current[m], (size_t)n, sizeof(double), compare_doubles); /* none yet: NULL */
      rec[REC_PART] = sum;
      rec[REC_WHOLE] = (double)n;
      for (int k = 0; k < 3; k++) rec[REC_Q + k] = fleet_mc_quantile_sorted(t->current[m], n, fleet_mc_levels[k]);
      if (n > t->values_per_replica[m]) t->values_per_replica[m] = n;
      t->current_count[m] = 0;
    } else {
      const int r = m - SERIES;
      rec[REC_PART] = t->ratio[r][0];
      rec[REC_WHOLE] = t->ratio[r][1];
      for (int k = 0; k < 3; k++) {
        rec[REC_Q + k] = NAN;
        if (r == R_ACCOUNT && t->ratio[r][1] > 0.0)
          rec[REC_Q + k] = fleet_account_quantile_eur(t->replica_histogram, fleet_mc_levels[k]);
        if (r == R_POSITION && t->ratio[r][1] > 0.0)
          rec[REC_Q + k] = fleet_histogram_quantile(t->replica_position_histogram, FLEET_POSITION_BINS,
                                                    FLEET_POSITION_MIN_EUR, FLEET_POSITION_BIN_EUR, fleet_mc_levels[k]);
      }
    }
  }
  t->records++;
  memset(t->ratio, 0, sizeof t->ratio);
  memset(t->replica_histogram, 0, sizeof t->replica_histogram);
  memset(t->replica_position_histogram, 0, sizeof t->replica_position_histogram);
}

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
  t->first_pass = first_pass;
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
      /* C3 over the price paths (README "Price paths per replica"): every path's mean account is a
       * value of the distribution; the replica's record pools its paths, so that its mean over them
       * is one value per replica, the independent unit (its paths share one physical history). */
      for (int64_t p = 0; info->price_paths > 1 && p < info->price_paths; p++) {
        push(t, S_PATH_ACCOUNT_EUR, fleet_ratio(y->path_account_sum_eur[p], y->household_count));
        push(t, S_PATH_WORSE_OFF_PCT, percent(y->path_worse_off[p], y->household_count));
        if (first_pass && y->household_count > 0.0) {
          t->ratio[R_PATH_ACCOUNT][0] += y->path_account_sum_eur[p];
          t->ratio[R_PATH_ACCOUNT][1] += y->household_count;
          t->ratio[R_PATH_WORSE_OFF][0] += y->path_worse_off[p];
          t->ratio[R_PATH_WORSE_OFF][1] += y->household_count;
          t->path_households += y->household_count;
          t->path_account_sum_eur += y->path_account_sum_eur[p];
          t->path_worse_off += y->path_worse_off[p];
        }
      }
      if (first_pass) {
        t->ratio[R_HOURS_ABOVE][0] += (double)above;
        t->ratio[R_HOURS_ABOVE][1] += FLEET_HOURS_PER_YEAR;
        t->ratio[R_HOURS_DELIVERABLE_ABOVE][0] += (double)deliverable_above;
        t->ratio[R_HOURS_DELIVERABLE_ABOVE][1] += FLEET_HOURS_PER_YEAR;
        t->ratio[R_GARAGE_ACCOUNT][0] += y->garage_account_sum_eur;
        t->ratio[R_GARAGE_ACCOUNT][1] += y->garage_household_count;
        if (y->position_count > 0.0) {
          for (int k = 0; k < FLEET_POSITION_BINS; k++) t->replica_position_histogram[k] += y->position_histogram[k];
          t->ratio[R_POSITION][0] += y->position_sum_eur;
          t->ratio[R_POSITION][1] += y->position_count;
          t->ratio[R_POSITION_WORSE_OFF][0] += y->position_worse_off;
          t->ratio[R_POSITION_WORSE_OFF][1] += y->position_count;
        }
        if (y->household_count > 0.0) {
          for (int k = 0; k < FLEET_ACCOUNT_BINS; k++) t->replica_histogram[k] += y->household_account_histogram[k];
          t->ratio[R_ACCOUNT][0] += y->household_account_sum_eur;
          t->ratio[R_ACCOUNT][1] += y->household_count;
          t->ratio[R_WORSE_OFF][0] += y->household_worse_off;
          t->ratio[R_WORSE_OFF][1] += y->household_count;
        }
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
    if (first_pass) {
      for (int b = 0; b < FLEET_OUTAGE_BANDS; b++) {
        const double parts[][2] = {{c2[b].car_at_start, c2[b].count}, {c2[b].served_kwh, c2[b].demand_kwh},
                                   {c2[b].fully_served, c2[b].count}};
        const int ratios[] = {R_C2_CAR + b, R_C2_SERVED + b, R_C2_FULLY + b};
        for (int k = 0; k < 3; k++) memcpy(t->ratio[ratios[k]], parts[k], sizeof parts[k]);
      }
      t->ratio[R_C2_FIRST][0] = last->first_served;
      t->ratio[R_C2_FIRST][1] = last->count;
      end_replica(t);
      if (t->out_of_memory) status = fleet_error_set(err, FLEET_ERR_NOMEM, "out of memory for the replicas' records");
    }
  }
  free(y);
  return status;
}

/* The proposal's own figures (mission/PROPOSAL.md), the one table of them: the row each applies
 * to (its mean), the side of the figure the claim needs, and where the figure comes from. Claims
 * C2, C5, C6 and C8 give no figure that a row of this table measures (C2's "a charged EV bridges
 * a 24 h outage" names no share of outages; C5's 20 % is a comparison of two scenarios, for
 * compare), so they get no verdict. */
static const struct {
  const char *id;
  double figure;   /* in the row's unit; per 1e6 vehicles when per_vehicles */
  int per_vehicles;
  const char *side; /* ">=" or ">" */
  const char *source;
} proposal_figures[] = {
    {"c1_cars_battery", FLEET_PROPOSAL_STORAGE_KWH_PER_VEHICLE, 1, ">=",
     "C1: 1,000,000 x 30 kWh x 0.7 = 21 GWh of storage, i.e. 21 kWh x vehicles"},
    {"c1_evening_battery_winter", FLEET_PROPOSAL_STORAGE_KWH_PER_VEHICLE, 1, ">=",
     "C1: 21 GWh (21 kWh x vehicles) at the winter evening peak, when the grid needs it"},
    {"c1_evening_battery_spring", FLEET_PROPOSAL_STORAGE_KWH_PER_VEHICLE, 1, ">=", "C1: 21 kWh x vehicles"},
    {"c1_evening_battery_summer", FLEET_PROPOSAL_STORAGE_KWH_PER_VEHICLE, 1, ">=", "C1: 21 kWh x vehicles"},
    {"c1_evening_battery_autumn", FLEET_PROPOSAL_STORAGE_KWH_PER_VEHICLE, 1, ">=", "C1: 21 kWh x vehicles"},
    {"c3_account", 0.0, 0, ">=",
     "C3: 1,800 EUR/yr equals the running-cost gap, so the household budget is unchanged (account >= 0)"},
    {"c3_paths_account", 0.0, 0, ">=", "C3: account >= 0, over the price paths of the physical replicas"},
    {"c4_npv", 0.0, 0, ">=", "C4: the 5 bn EUR bridge loan is repaid by the beneficiaries (the State's NPV >= 0)"},
    {"c7_co2", 0.0, 0, ">", "C7: fossil CO2 no longer released (CO2 avoided > 0)"},
};
/* The row whose verdict is the claim's. */
static const struct {
  const char *claim, *id;
} claim_verdict_rows[] = {{"C1", "c1_evening_battery_winter"}, {"C3", "c3_account"}, {"C4", "c4_npv"}, {"C7", "c7_co2"}};

const char *const fleet_stat_names[FLEET_STATS] = {"p5", "p50", "p95", "mean"};
const char *const fleet_verdict_names[4] = {"n/a", "holds", "fails", "undecided"};

int fleet_format_parse(const char *text, fleet_format_t *format) {
  static const char *const names[] = {"text", "csv", "json"};
  for (int k = 0; k < 3; k++)
    if (text && strcmp(text, names[k]) == 0) {
      *format = (fleet_format_t)k;
      return 0;
    }
  return -1;
}

/* Building the rows. */
typedef struct {
  fleet_summary_t *s;
  table_t *t;
  const fleet_h5_parameters_t *parameters; /* the file's sampled assumptions (count 0: none) */
  int capacity;
  int out_of_memory;
} builder_t;

enum { NO_QUANTILES = -1 };

static fleet_verdict_t verdict_of(double low, double high, double figure, const char *side) {
  if (isnan(low) || isnan(high) || isnan(figure)) return FLEET_VERDICT_NONE;
  const int strict = strcmp(side, ">") == 0;
  if (strict ? low > figure : low >= figure) return FLEET_VERDICT_HOLDS;
  if (strict ? high <= figure : high < figure) return FLEET_VERDICT_FAILS;
  return FLEET_VERDICT_UNDECIDED;
}

/* Adds a row: st holds its point values as the table has always shown them; its mean's error
 * comes from measure mean_measure (times scale: 100 for a share in %), its quantiles' intervals
 * from measure quantile_measure (NO_QUANTILES: only the mean). */
static fleet_summary_row_t *add_row(builder_t *b, const char *id, const char *claim, const char *quantity,
                                    const char *unit, stats_t st, const char *over, int mean_measure, double scale,
                                    int quantile_measure) {
  fleet_summary_t *s = b->s;
  table_t *t = b->t;
  if (s->row_count == b->capacity) {
    const int capacity = b->capacity ? 2 * b->capacity : 64;
    fleet_summary_row_t *grown = realloc(s->rows, (size_t)capacity * sizeof *grown);
    if (!grown) {
      b->out_of_memory = 1;
      return NULL;
    }
    s->rows = grown;
    b->capacity = capacity;
  }
  const int64_t n = t->records;
  fleet_summary_row_t *row = &s->rows[s->row_count];
  memset(row, 0, sizeof *row);
  double *part = malloc((size_t)(3 * n + 1) * sizeof *part), *whole = part ? part + n : NULL,
         *z = part ? part + 2 * n : NULL;
  if (!part) {
    b->out_of_memory = 1;
    return NULL;
  }
  s->row_count++;
  row->id = id;
  snprintf(row->claim, sizeof row->claim, "%s", claim);
  snprintf(row->quantity, sizeof row->quantity, "%s", quantity);
  snprintf(row->unit, sizeof row->unit, "%s", unit);
  snprintf(row->over, sizeof row->over, "%s", over);
  const double values[FLEET_STATS] = {st.p5, st.p50, st.p95, st.mean};
  for (int k = 0; k < FLEET_STATS; k++) {
    row->value[k] = values[k];
    row->low[k] = row->high[k] = NAN;
  }
  /* the mean */
  for (int64_t r = 0; r < n; r++) {
    part[r] = t->record[mean_measure][r * REC_STRIDE + REC_PART];
    whole[r] = t->record[mean_measure][r * REC_STRIDE + REC_WHOLE];
  }
  fleet_mc_ratio(part, whole, n, &row->mean, z);
  row->mean.mean *= scale;
  row->mean.se *= scale;
  row->mean.ci_low *= scale;
  row->mean.ci_high *= scale;
  for (int64_t r = 0; r < n; r++) z[r] *= scale;
  memmove(part, z, (size_t)n * sizeof *z); /* keep only z, at the start of the block */
  row->z = part;
  row->low[FLEET_STAT_MEAN] = row->mean.ci_low;
  row->high[FLEET_STAT_MEAN] = row->mean.ci_high;
  if (isnan(row->mean.se))
    row->why_none[FLEET_STAT_MEAN] = n < 2 ? "1 replica" : "fewer than 2 replicas with a value";
  /* the quantiles */
  row->has_quantiles = quantile_measure != NO_QUANTILES && !isnan(st.p50);
  if (!row->has_quantiles) {
    for (int k = 0; k < 3; k++) row->why_none[k] = "not reported for this quantity";
  } else {
    const double *rec = t->record[quantile_measure];
    const int one_per_replica = quantile_measure < SERIES && t->values_per_replica[quantile_measure] <= 1;
    row->quantile_method = one_per_replica ? "order statistics (binomial), one value per replica"
                                           : "sectioning: the spread of each replica's own quantile";
    double *values = whole; /* free space of n doubles */
    int64_t count = 0;
    for (int64_t r = 0; r < n; r++) {
      const double v = rec[r * REC_STRIDE + REC_PART], w = rec[r * REC_STRIDE + REC_WHOLE];
      if (one_per_replica && w > 0.0 && !isnan(v)) values[count++] = v;
    }
    if (one_per_replica) qsort(values, (size_t)count, sizeof *values, compare_doubles);
    for (int k = 0; k < 3; k++) {
      if (one_per_replica) {
        fleet_mc_quantile_ci_order(values, count, fleet_mc_levels[k], &row->low[k], &row->high[k]);
      } else {
        count = 0;
        for (int64_t r = 0; r < n; r++) values[count++] = rec[r * REC_STRIDE + REC_Q + k];
        fleet_mc_quantile_ci_sectioning(row->value[k], values, count, &row->low[k], &row->high[k]);
      }
      if (isnan(row->low[k]) || isnan(row->high[k])) {
        row->why_none[k] = n < 2 ? "1 replica" : one_per_replica ? "too few replicas for this level" : "fewer than 2 replicas with a value";
        row->low[k] = row->high[k] = NAN; /* a one-sided end alone is not a 95 % interval */
      }
    }
  }
  /* the proposal's figure */
  row->proposal_figure = NAN;
  row->verdict = FLEET_VERDICT_NONE;
  for (size_t f = 0; f < sizeof proposal_figures / sizeof proposal_figures[0]; f++) {
    if (strcmp(proposal_figures[f].id, id) != 0) continue;
    row->proposal_figure = proposal_figures[f].figure * (proposal_figures[f].per_vehicles ? (double)s->vehicles / 1e6 : 1.0);
    row->proposal_side = proposal_figures[f].side;
    row->proposal_source = proposal_figures[f].source;
    row->verdict = verdict_of(row->mean.ci_low, row->mean.ci_high, row->proposal_figure, row->proposal_side);
  }
  return row;
}

static void format_interval(char *out, size_t size, const fleet_summary_row_t *row, int k) {
  char lo[32], hi[32];
  if (row->why_none[k]) {
    snprintf(out, size, "n/a (%s)", row->why_none[k]);
    return;
  }
  format_number(lo, sizeof lo, row->low[k]);
  format_number(hi, sizeof hi, row->high[k]);
  snprintf(out, size, "[%s, %s]", lo, hi);
}

/* A row as text: the line the table has always had, then its intervals and verdict. */
static void print_text_row(FILE *out, const fleet_summary_row_t *row) {
  char v[FLEET_STATS][32];
  for (int k = 0; k < FLEET_STATS; k++) format_number(v[k], sizeof v[k], row->has_quantiles || k == FLEET_STAT_MEAN ? row->value[k] : NAN);
  fprintf(out, "%-6s %-50s %-15s %10s %10s %10s %10s  %s\n", row->claim, row->quantity, row->unit, v[0], v[1], v[2],
          v[3], row->over);
  char interval[FLEET_STATS][96], se[32];
  for (int k = 0; k < FLEET_STATS; k++) format_interval(interval[k], sizeof interval[k], row, k);
  format_number(se, sizeof se, row->mean.se);
  fprintf(out, "         95%% CI:");
  if (row->mean.n < 2) {
    fprintf(out, " n/a (1 replica)");
  } else {
    if (row->has_quantiles)
      fprintf(out, " P5 %s, P50 %s, P95 %s,", interval[0], interval[1], interval[2]);
    fprintf(out, " mean %s, se %s", interval[FLEET_STAT_MEAN], se);
  }
  if (!isnan(row->proposal_figure)) {
    char figure[32];
    format_number(figure, sizeof figure, row->proposal_figure);
    fprintf(out, "; proposal %s %s: %s", row->proposal_side, figure, fleet_verdict_names[row->verdict]);
  }
  fputc('\n', out);
}

/* Sensitivity (issue 12, point 3; sensitivity.h): each claim's deciding quantity, one value per
 * replica from the replicas' records (its mean over the replica's hours, years or outages, as the
 * row of that id pools them), against the replicas' draws of the sampled assumptions. */
static const struct {
  const char *id, *claim, *quantity, *unit;
  int measure;
  double scale;
} sensitivity_claims[] = {
    {"c1_evening_battery_winter", "C1", "cars at battery, 18:00-21:00, winter: replica mean", "GWh",
     S_EVENING_BATTERY_WINTER_GWH, 1.0},
    {"c2_b_24h_plus", "C2", "(b) >= 24 h outages: dormant-load kWh served / demanded", "% of kWh",
     SERIES + R_C2_SERVED + FLEET_OUTAGE_BANDS - 1, 100.0},
    {"c3_account", "C3", "(i) account: replica mean per household-year", "EUR/yr", SERIES + R_ACCOUNT, 1.0},
    {"c4_npv", "C4", "State NPV", "bn EUR", S_NPV_BN_EUR, 1.0},
    {"c7_co2", "C7", "CO2 avoided: replica mean", "Mt/yr", S_CO2_MT, 1.0},
};
enum { SENSITIVITY_MIN_REPLICAS = 4, SENSITIVITY_SHOWN = 5 }; /* fleet_sensitivity_rank needs n >= 4 */

/* The 95 % interval of a Spearman correlation rho from n pairs: Fisher's z = atanh(rho) with
 * variance 1.06 / (n - 3) (Fieller, Hartley & Pearson, Biometrika 44, 1957, 470-481), back
 * through tanh. NaN ends for n <= 3, a NaN rho, or |rho| = 1, where z is infinite and the
 * approximation says nothing (it would give [rho, rho]). */
static const char spearman_no_interval[] = "none at |rho| = 1 or n <= 3 (Fisher z undefined)";
static void spearman_interval(double rho, int64_t n, double *low, double *high) {
  *low = *high = NAN;
  if (n <= 3 || isnan(rho) || fabs(rho) >= 1.0) return;
  const double z = atanh(rho), half = 1.959963984540054 * sqrt(1.06 / (double)(n - 3));
  *low = tanh(z - half);
  *high = tanh(z + half);
}

/* Ranks the sampled assumptions for each claim of sensitivity_claims into s->sensitivity and
 * prints the text section. */
static void sensitivity_section(builder_t *b, FILE *out) {
  fleet_summary_t *s = b->s;
  const table_t *t = b->t;
  const fleet_h5_parameters_t *par = b->parameters;
  fprintf(out, "\n  sensitivity: which assumption decides each claim\n");
  if (!par || par->count == 0) {
    fprintf(out, "    no sampled assumption in this file (no /parameters: every scenario key is a number)\n");
    return;
  }
  const int m = par->count;
  const int64_t n = t->records;
  s->assumption_count = m;
  for (int i = 0; i < m; i++) {
    snprintf(s->assumption_key[i], sizeof s->assumption_key[i], "%s", par->key[i]);
    snprintf(s->assumption_units[i], sizeof s->assumption_units[i], "%s", par->units[i]);
  }
  fprintf(out, "    %d sampled assumption(s) (/parameters) against each claim's value per replica (replicas without "
               "one left out).\n    S_i: first-order index, the share of the claim's variance across replicas that "
               "the assumption alone\n    explains (binned, bias-corrected); Spearman: rank correlation, its 95 %% "
               "interval by Fisher's z (variance 1.06 / (n - 3))\n", m);
  double *x = par->replicas == n ? malloc((size_t)(m + 1) * (size_t)(n > 0 ? n : 1) * sizeof *x) : NULL;
  if (!x) {
    if (par->replicas == n) b->out_of_memory = 1;
    else fprintf(out, "    /parameters holds %" PRId64 " replicas, the file %" PRId64 ": not ranked\n", par->replicas, n);
    return;
  }
  double *y = x + (size_t)m * (size_t)n;
  const double *columns[FLEET_MAX_SAMPLED];
  for (int i = 0; i < m; i++) columns[i] = x + (size_t)i * (size_t)n;
  for (size_t c = 0; c < sizeof sensitivity_claims / sizeof sensitivity_claims[0]; c++) {
    fleet_summary_sensitivity_t *row = &s->sensitivity[s->sensitivity_count++];
    memset(row, 0, sizeof *row);
    row->id = sensitivity_claims[c].id;
    snprintf(row->claim, sizeof row->claim, "%s", sensitivity_claims[c].claim);
    snprintf(row->quantity, sizeof row->quantity, "%s", sensitivity_claims[c].quantity);
    snprintf(row->unit, sizeof row->unit, "%s", sensitivity_claims[c].unit);
    const double *rec = t->record[sensitivity_claims[c].measure];
    int64_t count = 0;
    for (int64_t r = 0; r < n; r++) {
      const double value = sensitivity_claims[c].scale * fleet_ratio(rec[r * REC_STRIDE + REC_PART],
                                                                     rec[r * REC_STRIDE + REC_WHOLE]);
      if (isnan(value)) continue;
      y[count] = value;
      for (int i = 0; i < m; i++) x[(size_t)i * (size_t)n + (size_t)count] = par->values[r * m + i];
      count++;
    }
    row->n = count;
    fprintf(out, "    %-3s %s (%s), %" PRId64 " replica(s)", row->claim, row->quantity, row->unit, count);
    if (count < SENSITIVITY_MIN_REPLICAS) {
      row->why_none = "too few replicas with a value (n < 4)";
    } else {
      fleet_error_t err;
      if (fleet_sensitivity_rank(columns, m, y, count, row->ranked, &err) != FLEET_OK) {
        b->out_of_memory = 1; /* the arguments are right, so only memory can fail */
        break;
      }
      if (isnan(row->ranked[0].first_order)) row->why_none = "the claim's value is the same in every replica";
      else row->count = m;
    }
    if (row->why_none) {
      fprintf(out, ": not ranked, %s\n", row->why_none);
      continue;
    }
    fprintf(out, ", %d bins:\n", row->ranked[0].bins);
    for (int k = 0; k < m; k++) {
      spearman_interval(row->ranked[k].spearman, count, &row->spearman_low[k], &row->spearman_high[k]);
      if (k >= SENSITIVITY_SHOWN) continue;
      char index[32], rho[32], low[32], high[32];
      snprintf(index, sizeof index, "%.2f", row->ranked[k].first_order);
      snprintf(rho, sizeof rho, "%+.2f", row->ranked[k].spearman);
      snprintf(low, sizeof low, "%+.2f", row->spearman_low[k]);
      snprintf(high, sizeof high, "%+.2f", row->spearman_high[k]);
      fprintf(out, "        %d. %-40s S_i %-8s Spearman %s [%s, %s]\n", k + 1, s->assumption_key[row->ranked[k].index],
              index, isnan(row->ranked[k].spearman) ? "-" : rho, isnan(row->spearman_low[k]) ? "-" : low,
              isnan(row->spearman_high[k]) ? "-" : high);
    }
    if (m > SENSITIVITY_SHOWN)
      fprintf(out, "        and %d more (--format csv or json lists every one)\n", m - SENSITIVITY_SHOWN);
  }
  if (n >= SENSITIVITY_MIN_REPLICAS && n < 25) /* B = round(sqrt(n)) < 5 bins: E[Y | X_i] seen in a few steps */
    fprintf(out, "    with %" PRId64 " replicas S_i is rough (B = round(sqrt(n)) bins); Spearman's interval says how "
                 "far the ranks can be trusted\n", n);
  free(x);
}

#define ROW(...) \
  do { \
    const fleet_summary_row_t *added_ = add_row(builder, __VA_ARGS__); \
    if (added_) print_text_row(out, added_); \
  } while (0)

/* The rows, each printed to out as text as it is added; then the notes. */
static void build_table(builder_t *builder, FILE *out, const char *path, const fleet_h5_file_info_t *info,
                        const fleet_params_t *params) {
  table_t *t = builder->t;
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
               "statistics);\n  below each, the 95 %% confidence intervals of its Monte Carlo error across the %" PRId64
               " replica(s)\n  (mean: Student t on the replicas' values; quantiles: order statistics when there is one "
               "value per replica,\n  else sectioning over the replicas) and the verdict against the proposal's "
               "figure where it gives one\n\n", info->replicas);
  fprintf(out, "%-6s %-50s %-15s %10s %10s %10s %10s  %s\n", "claim", "quantity", "unit", "P5", "P50", "P95", "mean",
          "over");

  char hours[64], years[64], replicas[64], label[96], over[96];
  snprintf(hours, sizeof hours, "%" PRIu64 " hours", t->hours);
  snprintf(years, sizeof years, "%" PRId64 " replica-years", replica_years);
  snprintf(replicas, sizeof replicas, "%" PRId64 " replicas", info->replicas);

  /* C1: the proposal's 21 GWh counts battery energy (30 kWh x 0.7 per car), so its verdict is at
   * the battery; what the grid would receive, after the discharge losses, follows. */
  const double threshold_gwh = FLEET_PROPOSAL_STORAGE_KWH_PER_VEHICLE * (double)info->vehicles / 1e6;
  ROW("c1_cars_battery", "C1", "cars, at the battery (above the reserve), hourly", "GWh",
      stats_of(&t->s[S_CAR_BATTERY_GWH]), hours, S_CAR_BATTERY_GWH, 1.0, S_CAR_BATTERY_GWH);
  snprintf(label, sizeof label, "hours cars at battery >= 21 kWh x N = %.4g GWh", threshold_gwh);
  stats_t above = stats_of(&t->s[S_HOURS_ABOVE_PCT]);
  above.mean = percent((double)t->hours_above, (double)t->hours);
  ROW("c1_hours_battery_above", "C1", label, "% of hours", above, years, SERIES + R_HOURS_ABOVE, 100.0, S_HOURS_ABOVE_PCT);
  ROW("c1_cars_deliverable", "C1", "cars, deliverable to the grid after losses, hourly", "GWh",
      stats_of(&t->s[S_CAR_ENERGY_GWH]), hours, S_CAR_ENERGY_GWH, 1.0, S_CAR_ENERGY_GWH);
  snprintf(label, sizeof label, "hours cars deliverable >= %.4g GWh", threshold_gwh);
  stats_t deliverable_above = stats_of(&t->s[S_HOURS_DELIVERABLE_ABOVE_PCT]);
  deliverable_above.mean = percent((double)t->hours_deliverable_above, (double)t->hours);
  ROW("c1_hours_deliverable_above", "C1", label, "% of hours", deliverable_above, years,
      SERIES + R_HOURS_DELIVERABLE_ABOVE, 100.0, S_HOURS_DELIVERABLE_ABOVE_PCT);
  ROW("c1_cars_power", "C1", "cars, deliverable power (charger-capped), hourly", "GW", stats_of(&t->s[S_CAR_POWER_GW]),
      hours, S_CAR_POWER_GW, 1.0, S_CAR_POWER_GW);
  ROW("c1_all_battery", "C1", "with garage batteries: cars + garages, at battery", "GWh",
      stats_of(&t->s[S_ALL_BATTERY_GWH]), hours, S_ALL_BATTERY_GWH, 1.0, S_ALL_BATTERY_GWH);
  ROW("c1_all_deliverable", "C1", "with garage batteries: cars + garages, deliverable", "GWh",
      stats_of(&t->s[S_ALL_ENERGY_GWH]), hours, S_ALL_ENERGY_GWH, 1.0, S_ALL_ENERGY_GWH);
  const char *seasons[] = {"winter (Dec-Feb)", "spring (Mar-May)", "summer (Jun-Aug)", "autumn (Sep-Nov)"};
  static const char *const battery_ids[] = {"c1_evening_battery_winter", "c1_evening_battery_spring",
                                            "c1_evening_battery_summer", "c1_evening_battery_autumn"};
  static const char *const deliverable_ids[] = {"c1_evening_deliverable_winter", "c1_evening_deliverable_spring",
                                                "c1_evening_deliverable_summer", "c1_evening_deliverable_autumn"};
  for (int k = 0; k < 4; k++) {
    const stats_t evening = stats_of(&t->s[S_EVENING_BATTERY_WINTER_GWH + k]);
    snprintf(label, sizeof label, "cars at battery, 18:00-21:00, %s", seasons[k]);
    snprintf(over, sizeof over, "%" PRIu64 " hours", evening.count);
    ROW(battery_ids[k], "C1", label, "GWh", evening, over, S_EVENING_BATTERY_WINTER_GWH + k, 1.0,
        S_EVENING_BATTERY_WINTER_GWH + k);
  }
  for (int k = 0; k < 4; k++) {
    const stats_t evening = stats_of(&t->s[S_EVENING_WINTER_GWH + k]);
    snprintf(label, sizeof label, "cars deliverable, 18:00-21:00, %s", seasons[k]);
    snprintf(over, sizeof over, "%" PRIu64 " hours", evening.count);
    ROW(deliverable_ids[k], "C1", label, "GWh", evening, over, S_EVENING_WINTER_GWH + k, 1.0, S_EVENING_WINTER_GWH + k);
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
    static const char *const ids[FLEET_OUTAGE_BANDS][4] = {
        {"c2_a_under_1h", "c2_b_under_1h", "c2_c_under_1h", "c2_d_under_1h"},
        {"c2_a_1_4h", "c2_b_1_4h", "c2_c_1_4h", "c2_d_1_4h"},
        {"c2_a_4_24h", "c2_b_4_24h", "c2_c_4_24h", "c2_d_4_24h"},
        {"c2_a_24h_plus", "c2_b_24h_plus", "c2_c_24h_plus", "c2_d_24h_plus"}};
    struct {
      int series, ratio;
      const char *what, *unit;
      double part, whole;
    } rows[] = {{S_C2_CAR_PCT + b, R_C2_CAR + b, "(a) %s: began with bidir. car home, plugged", "% of outages",
                 sum->car_at_start, sum->count},
                {S_C2_SERVED_PCT + b, R_C2_SERVED + b, "(b) %s: dormant-load kWh served / demanded", "% of kWh",
                 sum->served_kwh, sum->demand_kwh},
                {S_C2_FIRST_PCT, R_C2_FIRST, "(c) %s: first 24 h fully served", "% of outages", sum->first_served,
                 sum->count},
                {S_C2_FULLY_PCT + b, R_C2_FULLY + b, "(d) %s: fully served over whole outage", "% of outages",
                 sum->fully_served, sum->count}};
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
      if (rows[r].series == S_C2_FIRST_PCT && b != FLEET_OUTAGE_BANDS - 1) continue; /* (c): >= 24 h only */
      stats_t st = stats_of(&t->s[rows[r].series]);
      st.mean = percent(rows[r].part, rows[r].whole);
      snprintf(label, sizeof label, rows[r].what, band);
      snprintf(over, sizeof over, "%.0f outages; %" PRIu64 " of %" PRId64 " replicas", sum->count, st.count,
               info->replicas);
      ROW(ids[b][r], "C2", label, rows[r].unit, st, over, SERIES + rows[r].ratio, 100.0, rows[r].series);
    }
  }
  ROW("c2_unserved", "C2", "unserved outage energy per household-year", "kWh", stats_of(&t->s[S_UNSERVED_KWH]),
      years, S_UNSERVED_KWH, 1.0, S_UNSERVED_KWH);

  const stats_t account = {fleet_account_quantile_eur(t->histogram, 0.05),
                           fleet_account_quantile_eur(t->histogram, 0.5),
                           fleet_account_quantile_eur(t->histogram, 0.95),
                           fleet_ratio(t->account_sum_eur, t->households), 0};
  snprintf(over, sizeof over, "%.0f household-years (summed histograms)", t->households);
  ROW("c3_account", "C3", "(i) account: fuel+upkeep saved - charging - lease", "EUR/yr", account, over,
      SERIES + R_ACCOUNT, 1.0, SERIES + R_ACCOUNT);
  stats_t worse = stats_of(&t->s[S_WORSE_OFF_PCT]);
  worse.mean = percent(t->worse_off, t->households); /* over all household-years, not of the yearly shares */
  ROW("c3_worse_off", "C3", "(i) households worse off (account < 0)", "% of hh", worse, years, SERIES + R_WORSE_OFF,
      100.0, S_WORSE_OFF_PCT);
  if (info->price_paths > 1) { /* budget.price_paths_per_replica: C3 over every replica-year x path */
    snprintf(over, sizeof over, "%" PRId64 " replica-years x %" PRId64 " price paths, given the replicas", replica_years,
             info->price_paths);
    stats_t paths = stats_of(&t->s[S_PATH_ACCOUNT_EUR]);
    paths.mean = fleet_ratio(t->path_account_sum_eur, t->path_households);
    ROW("c3_paths_account", "C3", "(i) account over price paths, mean per hh-year", "EUR/yr", paths, over,
        SERIES + R_PATH_ACCOUNT, 1.0, S_PATH_ACCOUNT_EUR);
    stats_t paths_worse = stats_of(&t->s[S_PATH_WORSE_OFF_PCT]);
    paths_worse.mean = percent(t->path_worse_off, t->path_households);
    ROW("c3_paths_worse_off", "C3", "(i) households worse off over price paths", "% of hh", paths_worse, over,
        SERIES + R_PATH_WORSE_OFF, 100.0, S_PATH_WORSE_OFF_PCT);
  }
  const stats_t position = {
      fleet_histogram_quantile(t->position_histogram, FLEET_POSITION_BINS, FLEET_POSITION_MIN_EUR, FLEET_POSITION_BIN_EUR, 0.05),
      fleet_histogram_quantile(t->position_histogram, FLEET_POSITION_BINS, FLEET_POSITION_MIN_EUR, FLEET_POSITION_BIN_EUR, 0.5),
      fleet_histogram_quantile(t->position_histogram, FLEET_POSITION_BINS, FLEET_POSITION_MIN_EUR, FLEET_POSITION_BIN_EUR, 0.95),
      fleet_ratio(t->position_sum_eur, t->positions), 0};
  snprintf(over, sizeof over, "%.0f households completing the lease", t->positions);
  snprintf(label, sizeof label, "(ii) full position over the lease at %.3g %%/yr", 100.0 * params->household_discount_rate);
  ROW("c3_position", "C3", label, "EUR", position, over, SERIES + R_POSITION, 1.0, SERIES + R_POSITION);
  const stats_t position_worse = {NAN, NAN, NAN, percent(t->position_worse_off, t->positions), 0};
  ROW("c3_position_worse_off", "C3", "(ii) households worse off over the lease", "% of hh", position_worse, over,
      SERIES + R_POSITION_WORSE_OFF, 100.0, NO_QUANTILES);
  stats_t garage_account = stats_of(&t->s[S_GARAGE_ACCOUNT_EUR]);
  garage_account.mean = fleet_ratio(t->garage_account_sum_eur, t->garage_households);
  snprintf(over, sizeof over, "%.0f garage household-years", t->garage_households);
  ROW("c3_garage_account", "C3", "garage account: surplus sold - garage lease (EST)", "EUR/yr", garage_account, over,
      SERIES + R_GARAGE_ACCOUNT, 1.0, S_GARAGE_ACCOUNT_EUR);

  snprintf(label, sizeof label, "State NPV at %.3g %%/yr over %" PRId64 " year(s), per replica",
           100.0 * info->discount_rate, info->years);
  ROW("c4_npv", "C4", label, "bn EUR", stats_of(&t->s[S_NPV_BN_EUR]), replicas, S_NPV_BN_EUR, 1.0, S_NPV_BN_EUR);
  stats_t repaid = stats_of(&t->s[S_REPAID_PCT]);
  repaid.p5 = repaid.p50 = repaid.p95 = NAN; /* a 0/1 per replica: only its mean says anything */
  snprintf(label, sizeof label, "repaid by the end of year %" PRId64,
           info->lease_years < info->years ? info->lease_years : info->years);
  ROW("c4_repaid", "C4", label, "% of replicas", repaid, replicas, S_REPAID_PCT, 1.0, NO_QUANTILES);

  ROW("c5_garage_pv_share", "C5/C6", "garage PV, of the energy entering the cars", "%",
      stats_of(&t->s[S_GARAGE_PV_PCT]), years, S_GARAGE_PV_PCT, 1.0, S_GARAGE_PV_PCT);
  ROW("c5_garage_exported", "C5/C6",
      params->garage_export_surplus ? "garage PV surplus exported (feed-in)" : "garage PV surplus exported (off: curtailed)",
      "GWh/yr", stats_of(&t->s[S_EXPORTED_GWH]), years, S_EXPORTED_GWH, 1.0, S_EXPORTED_GWH);
  ROW("c5_garage_curtailed", "C5/C6", "garage PV curtailed", "GWh/yr", stats_of(&t->s[S_CURTAILED_GWH]), years,
      S_CURTAILED_GWH, 1.0, S_CURTAILED_GWH);
  ROW("c6_carport_pv_share", "C6/C8", "carport PV, of the energy entering the cars", "%",
      stats_of(&t->s[S_CARPORT_PV_PCT]), years, S_CARPORT_PV_PCT, 1.0, S_CARPORT_PV_PCT);
  const int scrapped = params->trade_in_fate == FLEET_TRADE_IN_SCRAPPED;
  ROW("c7_co2", "C7", scrapped ? "CO2 avoided, trade-ins scrapped: combustion - grid"
                                : "CO2 avoided, trade-ins resold: - grid only",
      "Mt/yr", stats_of(&t->s[S_CO2_MT]), years, S_CO2_MT, 1.0, S_CO2_MT);
  snprintf(label, sizeof label, "life cycle: battery packs made, %" PRId64 " year(s)", info->years);
  ROW("c7_co2_packs", "C7", label, "Mt", stats_of(&t->s[S_CO2_BATTERY_MT]), replicas, S_CO2_BATTERY_MT, 1.0,
      S_CO2_BATTERY_MT);
  snprintf(label, sizeof label, "net of the packs over %" PRId64 " year(s)", info->years);
  ROW("c7_co2_net", "C7", label, "Mt", stats_of(&t->s[S_CO2_NET_MT]), replicas, S_CO2_NET_MT, 1.0, S_CO2_NET_MT);
  ROW("c8_carport", "C8", "carport PV into cars", "GWh/yr", stats_of(&t->s[S_CARPORT_GWH]), years, S_CARPORT_GWH, 1.0,
      S_CARPORT_GWH);
  snprintf(label, sizeof label, "battery state of health, fleet mean, end of %" PRId64,
           info->first_year + info->years - 1);
  ROW("ageing_soh", "ageing", label, "% of nominal", stats_of(&t->s[S_SOH_LAST_PCT]), replicas, S_SOH_LAST_PCT, 1.0,
      S_SOH_LAST_PCT);
  /* the claims' verdicts, from the rows named in claim_verdict_rows */
  fprintf(out, "\n  verdicts at this Monte Carlo error (the mean's 95 %% interval against the proposal's figure):\n");
  for (size_t c = 0; c < sizeof claim_verdict_rows / sizeof claim_verdict_rows[0]; c++)
    for (int r = 0; r < builder->s->row_count; r++) {
      const fleet_summary_row_t *row = &builder->s->rows[r];
      if (strcmp(row->id, claim_verdict_rows[c].id) != 0) continue;
      char figure[32], interval[96];
      format_number(figure, sizeof figure, row->proposal_figure);
      format_interval(interval, sizeof interval, row, FLEET_STAT_MEAN);
      fprintf(out, "    %-3s %-10s %s: mean %s %s vs %s %s (%s)\n", claim_verdict_rows[c].claim,
              fleet_verdict_names[row->verdict], row->id, interval, row->unit, row->proposal_side, figure,
              row->proposal_source);
    }
  fprintf(out, "    C2, C5, C6, C8: no figure in the proposal that a row measures (C5's 20 %% is a comparison: "
               "fleetmc compare)\n");
  fprintf(out, "\n  C2 by outage band: P5 / P50 / P95 over the replicas' shares (replicas without an outage of the "
               "band left out), mean over all the file's outages of the band; an outage counts in the year it ends\n");
  if (info->price_paths > 1)
    fprintf(out, "\n  C3 over price paths (%" PRId64 " per replica): P5 / P50 / P95 over every replica-year x path's "
                 "mean account\n  (share worse off), i.e. over price paths given the physical replicas: a replica's "
                 "paths share its km and kWh\n  by source, so they are not independent of each other; the Monte Carlo "
                 "error of the mean counts replicas as the\n  independent units (each replica's mean over its paths), "
                 "the quantiles' intervals come from sectioning over the replicas\n",
            info->price_paths);
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
  sensitivity_section(builder, out);
  const fleet_run_values_t *run = &info->runtime;
  fprintf(out, "\n  run: %.1f s of simulation on %.0f thread(s), %.3g vehicle-hours, %.3g ns per vehicle-hour\n",
          run->wall_seconds, run->threads, run->vehicle_hours, 1e9 * fleet_ratio(run->wall_seconds, run->vehicle_hours));
}

fleet_status_t fleet_summary_read(const char *path, fleet_summary_t **out, fleet_error_t *err) {
  *out = NULL;
  fleet_h5_reader_t *reader = NULL;
  fleet_status_t status = fleet_h5_open(path, &reader, err);
  if (status != FLEET_OK) return status;
  const fleet_h5_file_info_t *info = fleet_h5_reader_info(reader);
  table_t *t = calloc(1, sizeof *t);
  fleet_summary_t *s = calloc(1, sizeof *s);
  if (!t || !s || !(s->path = strdup(path))) status = fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory", path);
  for (int k = 0; t && k < SERIES; k++) fleet_quantiles_init(&t->s[k]);
  for (int pass = 0; status == FLEET_OK && pass < FLEET_QUANTILE_PASSES; pass++) {
    status = collect(reader, t, pass == 0, err);
    for (int k = 0; k < SERIES; k++) fleet_quantiles_end_pass(&t->s[k]);
  }
  fleet_params_t *params = status == FLEET_OK ? malloc(sizeof *params) : NULL;
  if (status == FLEET_OK && !params) status = fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory", path);
  /* the reader has checked /scenario already; parsed again for the settings the table names */
  if (status == FLEET_OK) status = fleet_scenario_parse_text(path, info->scenario_text, params, err);
  fleet_h5_parameters_t parameters = {0};
  if (status == FLEET_OK) status = fleet_h5_read_parameters(reader, &parameters, err);
  if (status == FLEET_OK) {
    s->seed = info->seed;
    s->first_replica = info->first_replica;
    s->replicas = info->replicas;
    s->years = info->years;
    s->first_year = info->first_year;
    s->vehicles = info->vehicles;
    snprintf(s->model_sha256, sizeof s->model_sha256, "%s", info->model_sha256);
    size_t size = 0;
    FILE *text = open_memstream(&s->text, &size);
    builder_t b = {.s = s, .t = t, .parameters = &parameters};
    if (text) {
      build_table(&b, text, path, info, params);
      if (fclose(text) != 0) b.out_of_memory = 1;
    }
    if (!text || b.out_of_memory) status = fleet_error_set(err, FLEET_ERR_NOMEM, "%s: out of memory", path);
  }
  free(params);
  fleet_h5_parameters_free(&parameters);
  fleet_status_t closed = fleet_h5_close(reader, status == FLEET_OK ? err : NULL);
  if (status == FLEET_OK) status = closed;
  if (t) {
    for (int k = 0; k < SERIES; k++) free(t->current[k]);
    for (int m = 0; m < MEASURES; m++) free(t->record[m]);
  }
  free(t);
  if (status != FLEET_OK) fleet_summary_free(s);
  else *out = s;
  return status;
}

void fleet_summary_free(fleet_summary_t *summary) {
  if (!summary) return;
  for (int r = 0; r < summary->row_count; r++) free(summary->rows[r].z);
  free(summary->rows);
  free(summary->text);
  free(summary->path);
  free(summary);
}

void fleet_csv_string(FILE *out, const char *text) {
  fputc('"', out);
  for (const char *p = text ? text : ""; *p; p++) {
    if (*p == '"') fputc('"', out);
    fputc(*p, out);
  }
  fputc('"', out);
}

void fleet_json_string(FILE *out, const char *text) {
  if (!text) {
    fputs("null", out);
    return;
  }
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
    else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
    else fputc(*p, out);
  }
  fputc('"', out);
}

void fleet_json_number(FILE *out, double x) {
  if (isnan(x) || isinf(x)) fputs("null", out);
  else fprintf(out, "%.17g", x);
}

static void csv_number(FILE *out, double x) {
  if (!isnan(x) && !isinf(x)) fprintf(out, "%.17g", x); /* empty: none (pandas reads NaN) */
}

/* The sensitivity in CSV: per claim and assumption a row spearman (with its Fisher-z interval)
 * and a row first_order_index, the assumption's key and rank in the last two columns; a claim
 * not ranked gets one row first_order_index without a value, the reason in no_ci_reason. */
static void print_csv_sensitivity(const fleet_summary_t *s, FILE *out) {
  for (int c = 0; c < s->sensitivity_count; c++) {
    const fleet_summary_sensitivity_t *row = &s->sensitivity[c];
    for (int k = 0; k < (row->count ? row->count : 1); k++)
      for (int spearman = row->count ? 1 : 0; spearman >= 0; spearman--) {
        fleet_csv_string(out, s->path);
        fputc(',', out);
        fleet_csv_string(out, row->claim);
        fprintf(out, ",%s,", row->id);
        fleet_csv_string(out, row->quantity);
        fprintf(out, ",\"1\",%s,", spearman ? "spearman" : "first_order_index");
        if (row->count) csv_number(out, spearman ? row->ranked[k].spearman : row->ranked[k].first_order);
        fputc(',', out); /* no standard error */
        fputc(',', out);
        if (spearman) csv_number(out, row->spearman_low[k]);
        fputc(',', out);
        if (spearman) csv_number(out, row->spearman_high[k]);
        fputc(',', out);
        char method[96] = "";
        if (spearman) snprintf(method, sizeof method, "Fisher z, variance 1.06 / (n - 3)");
        else if (row->count) snprintf(method, sizeof method, "binned, %d bins, bias-corrected", row->ranked[k].bins);
        fleet_csv_string(out, method);
        fputc(',', out);
        const char *why = row->why_none                ? row->why_none
                          : !spearman                  ? "no interval for a binned index"
                          : isnan(row->spearman_low[k]) ? spearman_no_interval
                                                       : NULL;
        fleet_csv_string(out, why);
        fprintf(out, ",,,,%" PRId64 ",", row->n);
        if (row->count) {
          fleet_csv_string(out, s->assumption_key[row->ranked[k].index]);
          fprintf(out, ",%d", k + 1);
        } else {
          fputc(',', out);
        }
        fputc('\n', out);
      }
  }
}

static void print_csv(const fleet_summary_t *s, FILE *out) {
  fputs("file,claim,quantity_id,quantity,unit,statistic,value,se,ci_low,ci_high,ci_method,no_ci_reason,"
        "proposal_figure,proposal_side,verdict,n_replicas,assumption,rank\n", out);
  for (int r = 0; r < s->row_count; r++) {
    const fleet_summary_row_t *row = &s->rows[r];
    for (int k = 0; k < FLEET_STATS; k++) {
      if (k != FLEET_STAT_MEAN && !row->has_quantiles) continue;
      const int mean = k == FLEET_STAT_MEAN;
      fleet_csv_string(out, s->path);
      fputc(',', out);
      fleet_csv_string(out, row->claim);
      fprintf(out, ",%s,", row->id);
      fleet_csv_string(out, row->quantity);
      fputc(',', out);
      fleet_csv_string(out, row->unit);
      fprintf(out, ",%s,", fleet_stat_names[k]);
      csv_number(out, row->value[k]);
      fputc(',', out);
      csv_number(out, mean ? row->mean.se : NAN);
      fputc(',', out);
      csv_number(out, row->low[k]);
      fputc(',', out);
      csv_number(out, row->high[k]);
      fputc(',', out);
      fleet_csv_string(out, mean ? "student t" : row->quantile_method);
      fputc(',', out);
      fleet_csv_string(out, row->why_none[k]);
      fputc(',', out);
      csv_number(out, mean ? row->proposal_figure : NAN);
      fputc(',', out);
      fleet_csv_string(out, mean && !isnan(row->proposal_figure) ? row->proposal_side : "");
      fputc(',', out);
      fleet_csv_string(out, mean && !isnan(row->proposal_figure) ? fleet_verdict_names[row->verdict] : "");
      fprintf(out, ",%" PRId64 ",,\n", row->mean.n);
    }
  }
  print_csv_sensitivity(s, out);
}

/* The sensitivity in JSON: the sampled assumptions with their units, and per claim its ranking. */
static void print_json_sensitivity(const fleet_summary_t *s, FILE *out) {
  fputs("{\"assumptions\": [", out);
  for (int i = 0; i < s->assumption_count; i++) {
    fprintf(out, "%s{\"key\": ", i ? ", " : "");
    fleet_json_string(out, s->assumption_key[i]);
    fputs(", \"units\": ", out);
    fleet_json_string(out, s->assumption_units[i]);
    fputc('}', out);
  }
  fputs("], \"not_ranked_reason\": ", out);
  fleet_json_string(out, s->assumption_count ? NULL : "no sampled assumption (no /parameters)");
  fputs(", \"spearman_ci_method\": \"Fisher z, variance 1.06 / (n - 3)\", \"claims\": [", out);
  for (int c = 0; c < s->sensitivity_count; c++) {
    const fleet_summary_sensitivity_t *row = &s->sensitivity[c];
    fprintf(out, "%s\n  {\"claim\": ", c ? "," : "");
    fleet_json_string(out, row->claim);
    fprintf(out, ", \"quantity_id\": \"%s\", \"quantity\": ", row->id);
    fleet_json_string(out, row->quantity);
    fputs(", \"unit\": ", out);
    fleet_json_string(out, row->unit);
    fprintf(out, ", \"n_replicas\": %" PRId64 ", \"not_ranked_reason\": ", row->n);
    fleet_json_string(out, row->why_none);
    fputs(", \"ranking\": [", out);
    for (int k = 0; k < row->count; k++) {
      fprintf(out, "%s\n   {\"rank\": %d, \"assumption\": ", k ? "," : "", k + 1);
      fleet_json_string(out, s->assumption_key[row->ranked[k].index]);
      fputs(", \"first_order_index\": ", out);
      fleet_json_number(out, row->ranked[k].first_order);
      fprintf(out, ", \"bins\": %d, \"spearman\": ", row->ranked[k].bins);
      fleet_json_number(out, row->ranked[k].spearman);
      fputs(", \"spearman_ci_low\": ", out);
      fleet_json_number(out, row->spearman_low[k]);
      fputs(", \"spearman_ci_high\": ", out);
      fleet_json_number(out, row->spearman_high[k]);
      fputc('}', out);
    }
    fputs("]}", out);
  }
  fputs("\n ]}", out);
}

static void print_json(const fleet_summary_t *s, FILE *out) {
  fputs("{\"file\": ", out);
  fleet_json_string(out, s->path);
  fprintf(out, ", \"seed\": %" PRIu64 ", \"first_replica\": %" PRId64 ", \"replicas\": %" PRId64 ", \"years\": %" PRId64
               ", \"first_year\": %" PRId64 ", \"vehicles\": %" PRId64 ", \"confidence\": 0.95,\n \"rows\": [",
          s->seed, s->first_replica, s->replicas, s->years, s->first_year, s->vehicles);
  for (int r = 0; r < s->row_count; r++) {
    const fleet_summary_row_t *row = &s->rows[r];
    fprintf(out, "%s\n  {\"id\": \"%s\", \"claim\": ", r ? "," : "", row->id);
    fleet_json_string(out, row->claim);
    fputs(", \"quantity\": ", out);
    fleet_json_string(out, row->quantity);
    fputs(", \"unit\": ", out);
    fleet_json_string(out, row->unit);
    fputs(", \"over\": ", out);
    fleet_json_string(out, row->over);
    fprintf(out, ", \"n_replicas\": %" PRId64 ", \"quantile_ci_method\": ", row->mean.n);
    fleet_json_string(out, row->has_quantiles ? row->quantile_method : NULL);
    fputs(", \"statistics\": {", out);
    int first = 1;
    for (int k = 0; k < FLEET_STATS; k++) {
      if (k != FLEET_STAT_MEAN && !row->has_quantiles) continue;
      fprintf(out, "%s\"%s\": {\"value\": ", first ? "" : ", ", fleet_stat_names[k]);
      first = 0;
      fleet_json_number(out, row->value[k]);
      if (k == FLEET_STAT_MEAN) {
        fputs(", \"se\": ", out);
        fleet_json_number(out, row->mean.se);
      }
      fputs(", \"ci_low\": ", out);
      fleet_json_number(out, row->low[k]);
      fputs(", \"ci_high\": ", out);
      fleet_json_number(out, row->high[k]);
      fputs(", \"no_ci_reason\": ", out);
      fleet_json_string(out, row->why_none[k]);
      fputc('}', out);
    }
    fputs("}, \"proposal\": ", out);
    if (isnan(row->proposal_figure)) {
      fputs("null", out);
    } else {
      fputs("{\"figure\": ", out);
      fleet_json_number(out, row->proposal_figure);
      fputs(", \"side\": ", out);
      fleet_json_string(out, row->proposal_side);
      fputs(", \"source\": ", out);
      fleet_json_string(out, row->proposal_source);
      fputs(", \"verdict\": ", out);
      fleet_json_string(out, row->verdict == FLEET_VERDICT_NONE ? NULL : fleet_verdict_names[row->verdict]);
      fputs(", \"verdict_reason\": ", out);
      fleet_json_string(out, row->verdict == FLEET_VERDICT_NONE ? row->why_none[FLEET_STAT_MEAN] : NULL);
      fputc('}', out);
    }
    fputc('}', out);
  }
  fputs("\n ],\n \"claims\": [", out);
  for (size_t c = 0; c < sizeof claim_verdict_rows / sizeof claim_verdict_rows[0]; c++)
    for (int r = 0; r < s->row_count; r++) {
      const fleet_summary_row_t *row = &s->rows[r];
      if (strcmp(row->id, claim_verdict_rows[c].id) != 0) continue;
      fprintf(out, "%s\n  {\"claim\": \"%s\", \"row\": \"%s\", \"verdict\": ", c ? "," : "", claim_verdict_rows[c].claim,
              row->id);
      fleet_json_string(out, row->verdict == FLEET_VERDICT_NONE ? NULL : fleet_verdict_names[row->verdict]);
      fputs(", \"verdict_reason\": ", out);
      fleet_json_string(out, row->verdict == FLEET_VERDICT_NONE ? row->why_none[FLEET_STAT_MEAN] : NULL);
      fputc('}', out);
    }
  fputs("\n ],\n \"sensitivity\": ", out);
  print_json_sensitivity(s, out);
  fputs("}\n", out);
}

void fleet_summary_print(const fleet_summary_t *summary, fleet_format_t format, FILE *out) {
  if (format == FLEET_FORMAT_CSV) print_csv(summary, out);
  else if (format == FLEET_FORMAT_JSON) print_json(summary, out);
  else fputs(summary->text, out);
}

fleet_status_t fleet_summary_file(const char *path, fleet_format_t format, FILE *out, fleet_error_t *err) {
  fleet_summary_t *summary = NULL;
  fleet_status_t status = fleet_summary_read(path, &summary, err);
  if (status != FLEET_OK) return status;
  fleet_summary_print(summary, format, out);
  fleet_summary_free(summary);
  return FLEET_OK;
}

const char *fleet_summary_claim_row(const char *claim) {
  for (size_t c = 0; claim && c < sizeof claim_verdict_rows / sizeof claim_verdict_rows[0]; c++)
    if (strcmp(claim_verdict_rows[c].claim, claim) == 0) return claim_verdict_rows[c].id;
  return NULL;
}
