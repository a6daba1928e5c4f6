#define _POSIX_C_SOURCE 200809L /* mkdtemp */
/* Whole-engine tests on small fleets from the baseline scenario: energy balance, calibration,
 * thread-count independence, the result file against the in-memory totals, the command line. */
#include <criterion/criterion.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fleet_year.h"
#include "population.h"
#include "run.h"
#include "scenario.h"
#include "schema.h"
#include "temperature.h"

#define BASELINE FLEET_SOURCE_DIR "/configs/baseline.yaml"

static void load_baseline(fleet_params_t *p, const char *vehicles_override) {
  const char *overrides[] = {vehicles_override, "simulation.years=1", "simulation.replicas=1"};
  fleet_error_t err;
  fleet_status_t status = fleet_scenario_load(BASELINE, overrides, 3, p, &err);
  cr_assert_eq(status, FLEET_OK, "%s", err.message);
}

/* The fleet of replica 0 at the start of its first year. */
static void start_fleet(const fleet_params_t *p, fleet_population_t *pop, fleet_state_t *state) {
  fleet_error_t err;
  cr_assert_eq(fleet_population_create(p, 0, pop, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_state_create(pop->slots, state, &err), FLEET_OK, "%s", err.message);
  fleet_state_reset(p, pop, state);
}

static char tmpdir[64];
static void make_tmpdir(void) {
  strcpy(tmpdir, "/tmp/fleetmc-test-XXXXXX");
  cr_assert_not_null(mkdtemp(tmpdir));
}

Test(run, energy_balance_per_vehicle_year) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=4000");
  /* Some cars without a home charger and with a wallbox, so every source is exercised. */
  p.home_socket_share = 0.5;
  p.home_wallbox_share = 0.3;
  fleet_population_t pop;
  fleet_state_t state;
  start_fleet(&p, &pop, &state);
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx); /* ~5 MB: off the stack */
  static fleet_workspace_t ws;
  fleet_lane_year_t lanes;
  double worst = 0.0, public_total = 0.0, home_total = 0.0, garage_total = 0.0, carport_total = 0.0,
         backup_total = 0.0;
  for (int64_t year = 0; year < 2; year++) {
    fleet_year_ctx_init(&p, &pop, 0, year, ctx);
    for (int64_t b = 0; b < pop.blocks; b++) {
      fleet_block_year(ctx, b, &state, &ws, &lanes);
      for (int l = 0; l < pop.block_lanes[b]; l++) {
        int64_t i = b * FLEET_LANES + l;
        int source = (int)pop.charger_source[i];
        double home_eff = source == 0 ? p.socket_efficiency : source == 1 ? p.wallbox_efficiency : 1.0;
        /* grid energy x efficiency + garage and carport energy - driven = change of state of charge */
        double charged = lanes.home_grid_kwh[l] * home_eff + lanes.public_grid_kwh[l] * p.public_efficiency +
                         lanes.garage_to_car_kwh[l] + lanes.carport_in_kwh[l];
        double imbalance = charged - lanes.drive_kwh[l] - lanes.backup_from_car_kwh[l] -
                           (lanes.soc_end_kwh[l] - lanes.soc_start_kwh[l]);
        if (fabs(imbalance) > worst) worst = fabs(imbalance);
        /* the garage battery: PV and grid in, what the car took / the link's efficiency out */
        double garage_imbalance = lanes.garage_stored_kwh[l] + lanes.garage_topup_kwh[l] -
                                  lanes.garage_to_car_kwh[l] / p.garage_dc_battery_to_car_efficiency -
                                  lanes.backup_from_garage_kwh[l] -
                                  (lanes.garage_end_kwh[l] - lanes.garage_start_kwh[l]);
        if (fabs(garage_imbalance) > worst) worst = fabs(garage_imbalance);
        garage_total += lanes.garage_to_car_kwh[l];
        backup_total += lanes.backup_from_car_kwh[l] + lanes.backup_from_garage_kwh[l];
        cr_assert_leq(lanes.outage_served_kwh[l], lanes.outage_demand_kwh[l] + 1e-9);
        carport_total += lanes.carport_in_kwh[l];
        cr_assert_geq(lanes.soc_end_kwh[l], 0.0);
        cr_assert_leq(lanes.soc_end_kwh[l], p.battery_kwh * p.charge_target_fraction + 1e-4);
        public_total += lanes.public_grid_kwh[l];
        home_total += lanes.home_grid_kwh[l];
      }
    }
  }
  /* Tolerance from the arithmetic: a state of charge is a float (ulp <= 2^-18 kWh below
   * 64 kWh, the garage's size) changed by at most 5 rounded operations an hour:
   * 8,760 x 5 x 2^-19 = 0.084 kWh; the daily float sums (<= 24 terms below 256 kWh, ulp 2^-16)
   * add at most 365 x 24 x 2^-17 = 0.067 kWh. Their sum, 0.15 kWh, is 0.006 % of a year's
   * ~2,500 kWh of throughput; a missing term (a day's charge) would be several kWh. */
  cr_assert_lt(worst, 0.15, "worst imbalance %g kWh", worst);
  cr_assert_gt(public_total, 0.0);
  cr_assert_gt(home_total, 0.0);
  cr_assert_gt(garage_total, 0.0);
  cr_assert_gt(carport_total, 0.0);
  cr_assert_gt(backup_total, 0.0);
  free(ctx);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

Test(run, calibration_annual_km_and_commute_distance) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=20000");
  fleet_population_t pop;
  fleet_state_t state;
  fleet_error_t err;
  start_fleet(&p, &pop, &state);
  double commute_sum = 0.0;
  int64_t workers = 0;
  for (int64_t i = 0; i < pop.slots; i++)
    if (pop.employed[i] > 0.0f) {
      commute_sum += pop.commute_km[i];
      workers++;
    }
  static fleet_year_totals_t totals;
  cr_assert_eq(fleet_simulate_year(&p, &pop, &state, 0, 0, &totals, &err), FLEET_OK);
  double km_per_car = totals.km_driven / (double)p.vehicles;
  double commute_mean = commute_sum / (double)workers;
  /* The annual km are calibrated to the central 14,600 km of README "Trips and mileage"
   * (PARAMETERS.md 1: owners' average 14,580 km, DAT 2018; cars 1-6 years old, half diesel:
   * (18,220 + 11,033) / 2 = 14,627 km, L'argus 2018), within 1 % by the calibration of the
   * outings' mean distances, plus 4 standard errors of this sample (sd ~6,000 km over 20,000
   * cars: 42 km each). One-way home-work distance: mean 11.2 km (2008) to 13.3 km (2019),
   * medians 13 to 14.6 km; the standard error of the mean commute is 13.3 x
   * sqrt(exp(0.862^2) - 1) / sqrt(14,000) = 0.11 km, far inside that range. */
  cr_assert(fabs(km_per_car - 14600.0) <= 0.01 * 14600.0 + 4.0 * 42.0, "km per car %.0f", km_per_car);
  cr_assert(commute_mean >= 11.2 && commute_mean <= 14.6, "mean commute %.2f km", commute_mean);
  /* Employment share 0.7 within 5 standard errors sqrt(0.21 / 20,000) = 0.0032. */
  cr_assert_float_eq((double)workers / (double)p.vehicles, p.employed_share, 5 * 0.0032);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

/* Reads a whole float64 dataset. */
static double *read_dataset(const char *path, const char *name, size_t *count) {
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert_geq(file, 0, "%s", path);
  hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  cr_assert_geq(ds, 0, "%s", name);
  hid_t space = H5Dget_space(ds);
  hssize_t n = H5Sget_simple_extent_npoints(space);
  double *data = malloc((size_t)n * sizeof *data);
  cr_assert_geq(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(file);
  *count = (size_t)n;
  return data;
}

static void run_to(const fleet_params_t *p, int threads, const char *path) {
  char *text = fleet_scenario_format(p);
  fleet_run_options_t options = {.output_path = path, .threads = threads, .command_line = "test_run",
                                 .scenario_file = BASELINE};
  fleet_run_values_t values;
  fleet_error_t err;
  cr_assert_eq(fleet_run(p, text, &options, &values, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(values.vehicle_hours, (double)p->vehicles * p->replicas * p->years * FLEET_HOURS_PER_YEAR);
  free(text);
}

Test(run, results_are_bit_identical_for_1_2_and_4_threads) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=3001"); /* not a multiple of 16: padded blocks too */
  p.years = 2;
  p.replicas = 2;
  p.first_replica = 5;
  make_tmpdir();
  /* every output of the model: the schema's datasets but /runtime */
  const char *names[FLEET_DS_COUNT];
  int NAMES = 0;
  for (int k = 0; k < FLEET_DS_COUNT; k++)
    if (fleet_datasets[k].source != FLEET_FROM_RUN) names[NAMES++] = fleet_datasets[k].path;
  double *reference[FLEET_DS_COUNT];
  size_t reference_count[FLEET_DS_COUNT];
  for (int t = 0; t < 3; t++) {
    int threads = 1 << t;
    char path[128];
    snprintf(path, sizeof path, "%s/t%d.h5", tmpdir, threads);
    run_to(&p, threads, path);
    for (int k = 0; k < NAMES; k++) {
      size_t count;
      double *data = read_dataset(path, names[k], &count);
      if (t == 0) {
        reference[k] = data;
        reference_count[k] = count;
      } else {
        cr_assert_eq(count, reference_count[k]);
        cr_assert_eq(memcmp(data, reference[k], count * sizeof *data), 0, "%s differs at %d threads", names[k],
                     threads);
        free(data);
      }
    }
    remove(path);
  }
  for (int k = 0; k < NAMES; k++) free(reference[k]);
  rmdir(tmpdir);
}

Test(run, result_file_holds_the_simulated_totals) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=500");
  p.years = 2;
  make_tmpdir();
  char path[128];
  snprintf(path, sizeof path, "%s/r.h5", tmpdir);
  run_to(&p, 2, path);
  /* The same years computed in memory. */
  fleet_population_t pop;
  fleet_state_t state;
  fleet_error_t err;
  start_fleet(&p, &pop, &state);
  static fleet_year_totals_t totals[2];
  for (int y = 0; y < 2; y++) cr_assert_eq(fleet_simulate_year(&p, &pop, &state, 0, y, &totals[y], &err), FLEET_OK);
  size_t count;
  double *energy = read_dataset(path, "/storage/energy_kwh", &count);
  cr_assert_eq(count, 2u * FLEET_HOURS_PER_YEAR);
  cr_assert_eq(memcmp(energy, totals[0].storage_energy_kwh, sizeof totals[0].storage_energy_kwh), 0);
  cr_assert_eq(memcmp(energy + FLEET_HOURS_PER_YEAR, totals[1].storage_energy_kwh, sizeof totals[1].storage_energy_kwh), 0);
  double *km = read_dataset(path, "/mobility/km_driven", &count);
  cr_assert_eq(count, 2u);
  cr_assert_eq(km[0], totals[0].km_driven);
  cr_assert_eq(km[1], totals[1].km_driven);
  double *charging = read_dataset(path, "/charging/energy_kwh", &count);
  cr_assert_eq(count, 2u * FLEET_SOURCE_COUNT);
  for (int k = 0; k < FLEET_SOURCE_COUNT; k++) cr_assert_eq(charging[FLEET_SOURCE_COUNT + k], totals[1].charging_energy_kwh[k]);
  free(energy);
  free(km);
  free(charging);
  fleet_state_free(&state);
  fleet_population_free(&pop);
  remove(path);
  rmdir(tmpdir);
}

/* ---- the command line ----------------------------------------------------------------------- */

/* Runs a shell command; returns its exit status and what it wrote to stderr (in err_out). */
static int shell(const char *command, char *err_out, size_t err_size) {
  char line[2400];
  snprintf(line, sizeof line, "%s 2>%s/stderr.txt >/dev/null", command, tmpdir);
  int status = system(line);
  char path[128];
  snprintf(path, sizeof path, "%s/stderr.txt", tmpdir);
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(err_out, 1, err_size - 1, f) : 0;
  err_out[n] = '\0';
  if (f) fclose(f);
  remove(path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

Test(cli, run_writes_the_file_and_bad_input_exits_2_leaving_nothing) {
  make_tmpdir();
  char err[4096], command[1024], out[160];
  snprintf(out, sizeof out, "%s/ok.h5", tmpdir);
  snprintf(command, sizeof command, "%s run %s --set fleet.vehicles=300 --years 1 --threads 2 --quiet -o %s",
           FLEETMC_EXE, BASELINE, out);
  cr_assert_eq(shell(command, err, sizeof err), 0, "%s", err);
  cr_assert(exists(out));
  remove(out);

  snprintf(out, sizeof out, "%s/bad.h5", tmpdir);
  const char *bad[][2] = {
      {"--set fleet.vehicles=abc", "fleet.vehicles"},
      {"--set fleet.battery_kwh=-3", "fleet.battery_kwh"},
      {"--set fleet.no_such_key=1", "fleet.no_such_key"},
      {"--replicas 0", "simulation.replicas"},
      {"--threads 0", "--threads"},
      {"--years x", "--years"},
      {"--bogus", "--bogus"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(command, sizeof command, "%s run %s %s -o %s", FLEETMC_EXE, BASELINE, bad[i][0], out);
    cr_assert_eq(shell(command, err, sizeof err), 2, "%s: %s", bad[i][0], err);
    cr_assert_not_null(strstr(err, bad[i][1]), "%s: message '%s' does not name %s", bad[i][0], err, bad[i][1]);
    cr_assert(!exists(out), "%s left %s", bad[i][0], out);
  }
  snprintf(command, sizeof command, "%s check %s/missing.yaml", FLEETMC_EXE, tmpdir);
  cr_assert_eq(shell(command, err, sizeof err), 2);
  cr_assert_not_null(strstr(err, "missing.yaml"), "%s", err);
  /* An output directory that does not exist: a runtime failure (1), nothing written. */
  snprintf(command, sizeof command, "%s run %s --set fleet.vehicles=50 --years 1 -o %s/no/dir/x.h5", FLEETMC_EXE,
           BASELINE, tmpdir);
  cr_assert_eq(shell(command, err, sizeof err), 1, "%s", err);
  snprintf(command, sizeof command, "%s check %s", FLEETMC_EXE, BASELINE);
  cr_assert_eq(shell(command, err, sizeof err), 0, "%s", err);
  /* Interrupted (SIGINT after 1 s of a run that needs far longer): exit 130, and neither the
   * file nor its temporary is left. timeout(1) sends the signal twice (to the process, then to
   * its group): the second copy must not kill the run half-way. */
  snprintf(out, sizeof out, "%s/interrupted.h5", tmpdir);
  /* the same for every signal that stops a process by default and that users and schedulers send
   * (a closed terminal: HUP; Slurm before its time limit: USR1) */
  const char *signals[] = {"INT", "TERM", "HUP", "USR1", "USR2"};
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
    snprintf(command, sizeof command,
             "timeout --preserve-status -s %s 1 %s run %s --set fleet.vehicles=20000 --years 100 --quiet --force -o %s",
             signals[i], FLEETMC_EXE, BASELINE, out);
    cr_assert_eq(shell(command, err, sizeof err), 130, "SIG%s: %s", signals[i], err);
    cr_assert_not_null(strstr(err, "interrupted"), "%s", err);
    cr_assert(!exists(out));
    char listing[256];
    snprintf(listing, sizeof listing, "ls %s | grep -q tmp", tmpdir);
    cr_assert_neq(system(listing), 0, "SIG%s: a temporary file was left in %s", signals[i], tmpdir);
    /* what was completed is kept for --resume (test_resume.py resumes it); --force above
     * discards the previous signal's */
    char folder_ckpt[4200];
    snprintf(folder_ckpt, sizeof folder_ckpt, "%s.ckpt", out);
    if (exists(folder_ckpt)) cr_assert_not_null(strstr(err, "--resume"), "SIG%s: %s", signals[i], err);
  }
  snprintf(command, sizeof command, "rm -rf %s.ckpt", out);
  cr_assert_eq(system(command), 0);
  rmdir(tmpdir);
}

/* Runs a shell command; returns its exit status, with what it wrote to stdout in out (NULL:
 * discarded) and to stderr in err_out. */
static int shell_capture(const char *command, char *out, size_t out_size, char *err_out, size_t err_size) {
  char line[2000], out_path[160];
  snprintf(out_path, sizeof out_path, "%s/stdout.txt", tmpdir);
  snprintf(line, sizeof line, "(%.1800s >%.150s)", command, out_path); /* shell() sends its own stdout away */
  int status = shell(line, err_out, err_size);
  FILE *f = fopen(out_path, "r");
  size_t n = f && out ? fread(out, 1, out_size - 1, f) : 0;
  if (out) out[n] = '\0';
  if (f) fclose(f);
  remove(out_path);
  return status;
}

static char *read_root_string(const char *path, const char *name) {
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert_geq(file, 0, "%s", path);
  hid_t attr = H5Aopen(file, name, H5P_DEFAULT);
  cr_assert_geq(attr, 0, "%s: %s", path, name);
  hid_t type = H5Aget_type(attr);
  char *value = NULL;
  cr_assert_geq(H5Aread(attr, type, &value), 0);
  char *copy = strdup(value);
  H5free_memory(value);
  H5Tclose(type);
  H5Aclose(attr);
  H5Fclose(file);
  return copy;
}

Test(cli, outputs_are_never_replaced_by_surprise_and_record_how_they_were_made) {
  make_tmpdir();
  static char err[8192], run_out[16384], summary_out[16384];
  char command[2048], out[160];
  const char *quick = "--set fleet.vehicles=200 --years 1 --quiet";
  /* the default output folder (results/ under the working directory) is created when missing */
  snprintf(command, sizeof command, "cd %s && %s run %s %s", tmpdir, FLEETMC_EXE, BASELINE, quick);
  cr_assert_eq(shell_capture(command, run_out, sizeof run_out, err, sizeof err), 0, "%s", err);
  snprintf(out, sizeof out, "%s/results/baseline.h5", tmpdir);
  cr_assert(exists(out), "%s was not written", out);

  /* run ends by printing what summary prints for the file it wrote, line for line */
  snprintf(command, sizeof command, "cd %s && %s summary results/baseline.h5", tmpdir, FLEETMC_EXE);
  cr_assert_eq(shell_capture(command, summary_out, sizeof summary_out, err, sizeof err), 0, "%s", err);
  const char *table = strstr(run_out, "fleetmc summary of ");
  cr_assert_not_null(table, "%s", run_out);
  cr_assert_str_eq(table, summary_out);
  cr_assert_not_null(strstr(summary_out, "hours cars at battery >= 21 kWh x N = 0.0042 GWh"), "%s", summary_out);

  /* provenance: the command line and the scenario file as given, the commit built */
  char *line = read_root_string(out, "command_line"), *scenario = read_root_string(out, "scenario_file");
  char *commit = read_root_string(out, "git_commit");
  char expected[1024];
  snprintf(expected, sizeof expected, "%s run %s %s", FLEETMC_EXE, BASELINE, quick);
  cr_assert_str_eq(line, expected);
  cr_assert_str_eq(scenario, BASELINE);
  cr_assert(strlen(commit) >= 40 || strcmp(commit, "unknown") == 0, "%s", commit);
  free(line);
  free(scenario);
  free(commit);

  /* an existing output: refused, named, untouched; replaced with --force */
  struct stat before, after;
  cr_assert_eq(stat(out, &before), 0);
  snprintf(command, sizeof command, "cd %s && %s run %s %s", tmpdir, FLEETMC_EXE, BASELINE, quick);
  cr_assert_eq(shell_capture(command, NULL, 0, err, sizeof err), 2, "%s", err);
  cr_assert_not_null(strstr(err, "results/baseline.h5"), "%s", err);
  cr_assert_not_null(strstr(err, "--force"), "%s", err);
  cr_assert_eq(stat(out, &after), 0);
  cr_assert(before.st_ino == after.st_ino && before.st_size == after.st_size && before.st_mtime == after.st_mtime);
  snprintf(command, sizeof command, "cd %s && %s run %s %s --force", tmpdir, FLEETMC_EXE, BASELINE, quick);
  cr_assert_eq(shell_capture(command, NULL, 0, err, sizeof err), 0, "%s", err);
  cr_assert_eq(stat(out, &after), 0);
  cr_assert_neq(before.st_ino, after.st_ino, "--force did not replace %s", out);

  /* never its own scenario, nor a device, even with --force */
  char config[160];
  snprintf(config, sizeof config, "%s/s.yaml", tmpdir);
  snprintf(command, sizeof command, "cp %s %s", BASELINE, config);
  cr_assert_eq(system(command), 0);
  cr_assert_eq(stat(config, &before), 0);
  const char *targets[] = {config, "/dev/null"};
  for (int i = 0; i < 2; i++) {
    snprintf(command, sizeof command, "%s run %s %s --force -o %s", FLEETMC_EXE, config, quick, targets[i]);
    cr_assert_eq(shell_capture(command, NULL, 0, err, sizeof err), 2, "%s: %s", targets[i], err);
    cr_assert_not_null(strstr(err, targets[i]), "%s", err);
  }
  cr_assert_eq(stat(config, &after), 0);
  cr_assert(before.st_ino == after.st_ino && before.st_size == after.st_size);
  cr_assert_eq(stat("/dev/null", &after), 0);
  cr_assert(S_ISCHR(after.st_mode), "/dev/null is no longer a device");
  snprintf(command, sizeof command, "rm -rf %s", tmpdir);
  cr_assert_eq(system(command), 0);
}

Test(run, blocks_never_straddle_regions_so_a_regions_weather_reaches_all_its_vehicles) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=3001");
  fleet_population_t pop;
  fleet_state_t state;
  start_fleet(&p, &pop, &state);
  int64_t first_id[FLEET_MAX_REGIONS + 1] = {0};
  for (int r = 0; r < p.region_count; r++) first_id[r + 1] = first_id[r] + pop.region_vehicles[r];
  int64_t seen = 0;
  for (int64_t b = 0; b < pop.blocks; b++) {
    int r = pop.block_region[b];
    for (int l = 0; l < pop.block_lanes[b]; l++) {
      uint64_t id = pop.vehicle_id[b * FLEET_LANES + l];
      cr_assert((int64_t)id >= first_id[r] && (int64_t)id < first_id[r + 1], "vehicle %llu in a block of region %d",
                (unsigned long long)id, r);
      seen++;
    }
  }
  cr_assert_eq(seen, p.vehicles); /* every vehicle exactly once (ids are distinct by the ranges) */
  /* The kernels read one consumption factor per region and hour, from that region's weather. */
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
  fleet_year_ctx_init(&p, &pop, 3, 1, ctx);
  for (int r = 0; r < p.region_count; r++)
    for (int h = 0; h < FLEET_HOURS_PER_YEAR; h += 7)
      cr_assert_eq(ctx->hour_factor[r][h], (float)fleet_consumption_factor(&p, ctx->weather.temperature_c[r][h]));
  free(ctx);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

Test(run, outage_minutes_per_household_year_through_the_engine) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=20000");
  p.storm_rate_per_year = 0.0; /* ordinary interruptions only */
  fleet_population_t pop;
  fleet_state_t state;
  fleet_error_t err;
  start_fleet(&p, &pop, &state);
  static fleet_year_totals_t totals;
  cr_assert_eq(fleet_simulate_year(&p, &pop, &state, 0, 0, &totals, &err), FLEET_OK);
  double minutes = 60.0 * totals.outage_household_hours / (double)p.vehicles;
  double expected = p.outage_rate_per_year * p.outage_duration_median_min *
                    exp(0.5 * p.outage_duration_log_sd * p.outage_duration_log_sd);
  /* Compound Poisson: the variance of a household-year's minutes is rate x E[D^2] =
   * 1.9 x (30.8 min)^2 x exp(1) = 4,900 min^2 (sd 70 min), so the mean over 20,000 households
   * has a standard error of 0.5 min; 5 of them allow 2.5 min. The hourly fractions must add up
   * to the drawn durations for this to hold. */
  double se = sqrt(p.outage_rate_per_year * pow(expected / p.outage_rate_per_year, 2.0) *
                   exp(p.outage_duration_log_sd * p.outage_duration_log_sd) / (double)p.vehicles);
  cr_assert(fabs(minutes - expected) < 5.0 * se, "%.2f min per household-year, expected %.2f +- %.2f", minutes,
            expected, 5.0 * se);
  /* PARAMETERS.md 5: 56-73 minutes per customer-year (CRE 2021-2023). */
  cr_assert(minutes > 50.0 && minutes < 73.0, "%.2f", minutes);
  double hourly = 0.0;
  for (int h = 0; h < FLEET_HOURS_PER_YEAR; h++) hourly += totals.households_out[h];
  cr_assert_float_eq(hourly, totals.outage_household_hours, 1e-3);
  cr_assert_float_eq(totals.outage_demand_kwh, totals.outage_served_kwh + totals.outage_unserved_kwh, 1e-6);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

Test(run, household_accounts_and_ledger_by_hand_in_a_deterministic_year) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=2000");
  p.diesel_log_sd = p.petrol_log_sd = p.tariff_log_sd = p.public_log_sd = 0.0;
  p.default_hazard_per_year = 0.0;
  p.battery_failure_hazard_per_year = 0.0;
  fleet_population_t pop;
  fleet_state_t state;
  start_fleet(&p, &pop, &state);
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
  static fleet_workspace_t ws;
  memset(&ws, 0, sizeof ws);
  fleet_lane_year_t lanes;
  fleet_year_ctx_init(&p, &pop, 0, 0, ctx);
  /* Year 0 is one step of the drift from the start prices. */
  double diesel = p.diesel_eur_per_l * exp(p.diesel_log_drift), petrol = p.petrol_eur_per_l * exp(p.petrol_log_drift);
  double tariff = p.tariff_eur_per_kwh * exp(p.tariff_log_drift), public = p.public_eur_per_kwh * exp(p.public_log_drift);
  cr_assert_float_eq(ctx->prices_eur[FLEET_PRICE_DIESEL], diesel, 1e-12);
  int64_t paying = 0, garages = 0, spaces = 0, chargers = 0;
  for (int64_t b = 0; b < pop.blocks; b++) {
    fleet_block_year(ctx, b, &state, &ws, &lanes);
    for (int l = 0; l < pop.block_lanes[b]; l++) {
      int64_t i = b * FLEET_LANES + l;
      int is_diesel = pop.diesel[i] > 0.0f, garage = pop.garage[i] > 0.0f;
      double home_grid = lanes.home_grid_kwh[l] + lanes.garage_topup_kwh[l] / p.garage_grid_to_battery_efficiency;
      double by_hand = lanes.km[l] * (is_diesel ? p.diesel_l_per_100km * diesel : p.petrol_l_per_100km * petrol) / 100.0 +
                       p.maintenance_saving_eur_per_year - home_grid * tariff - lanes.public_grid_kwh[l] * public -
                       p.lease_eur_per_year;
      cr_assert(lanes.paying[l]);
      cr_assert(fabs(lanes.account_eur[l] - by_hand) < 0.005, "vehicle slot %lld: %.4f vs %.4f", (long long)i,
                lanes.account_eur[l], by_hand);
      if (garage) { /* the garage's own account: the surplus sold - the garage lease */
        double garage_by_hand = lanes.garage_exported_kwh[l] * p.feed_in_eur_per_kwh - p.garage_lease_eur_per_year;
        cr_assert(fabs(lanes.garage_account_eur[l] - garage_by_hand) < 0.005, "slot %lld: garage %.4f vs %.4f",
                  (long long)i, lanes.garage_account_eur[l], garage_by_hand);
      }
      paying++;
      garages += garage;
      spaces += pop.carport[i] > 0.0f;
      chargers += pop.bidirectional[i] > 0.0f;
    }
  }
  /* The ledger of year 0 from these counts, to the cent. */
  double ledger[FLEET_LEDGER_COUNT];
  fleet_ledger_year(&p, 0, &ws.acc.ledger, ledger);
  cr_assert_eq(p.trade_in_fate, FLEET_TRADE_IN_SCRAPPED, "the baseline scraps the traded-in cars");
  double net = -p.vehicles * p.vehicle_price_eur - garages * p.garage_price_eur - spaces * p.carport_price_eur_per_space -
               chargers * p.bidirectional_charger_price_eur + p.vehicles * p.trade_in_scrap_value_eur +
               paying * p.lease_eur_per_year + garages * p.garage_lease_eur_per_year -
               p.vehicles * p.administration_eur_per_vehicle_year;
  cr_assert_eq(ws.acc.ledger.paying_leases, paying);
  cr_assert_eq(ws.acc.ledger.defaults, 0);
  cr_assert(fabs(ledger[FLEET_LEDGER_NET] - net) < 0.005, "%.2f vs %.2f", ledger[FLEET_LEDGER_NET], net);
  free(ctx);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

Test(run, defaults_and_battery_failures_follow_their_hazards) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=20000");
  p.default_hazard_per_year = 0.05;
  p.battery_failure_hazard_per_year = 0.01;
  fleet_population_t pop;
  fleet_state_t state;
  fleet_error_t err;
  start_fleet(&p, &pop, &state);
  static fleet_year_totals_t totals;
  double defaults = 0.0, expected_defaults = 0.0, failures = 0.0, active = (double)p.vehicles;
  for (int64_t y = 0; y < 3; y++) {
    cr_assert_eq(fleet_simulate_year(&p, &pop, &state, 0, y, &totals, &err), FLEET_OK);
    double d = totals.ledger_eur[FLEET_LEDGER_RECOVERIES] /
               (p.vehicle_price_eur * pow(1.0 - p.vehicle_depreciation_per_year, (double)(y + 1)) *
                p.default_recovery_fraction);
    defaults += d;
    expected_defaults += active * p.default_hazard_per_year;
    active -= d;
    failures += -totals.ledger_eur[FLEET_LEDGER_BATTERIES] /
                (p.battery_kwh * p.battery_pack_eur_per_kwh + p.battery_replacement_labour_eur);
  }
  /* Binomial counts: sd sqrt(n p (1 - p)); 5 of them. Defaults: n ~ 57,000 lease-years at 5 %
   * -> sd 52; failures: 60,000 vehicle-years at 1 % -> sd 24. */
  double sd_defaults = sqrt(expected_defaults * (1.0 - p.default_hazard_per_year));
  cr_assert(fabs(defaults - expected_defaults) < 5.0 * sd_defaults, "%.0f defaults, expected %.0f", defaults,
            expected_defaults);
  double expected_failures = 3.0 * p.vehicles * p.battery_failure_hazard_per_year;
  cr_assert(fabs(failures - expected_failures) < 5.0 * sqrt(expected_failures), "%.0f failures, expected %.0f",
            failures, expected_failures);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

Test(run, a_replica_is_the_same_numbers_whichever_job_computes_it) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=700");
  p.years = 2;
  make_tmpdir();
  char both[128], second[128];
  snprintf(both, sizeof both, "%s/both.h5", tmpdir);
  snprintf(second, sizeof second, "%s/second.h5", tmpdir);
  p.first_replica = 4;
  p.replicas = 2;
  run_to(&p, 2, both); /* replicas 4 and 5 in one job */
  p.first_replica = 5;
  p.replicas = 1;
  run_to(&p, 1, second); /* replica 5 alone, on one thread */
  /* every output of the model: the schema's datasets but /runtime */
  const char *names[FLEET_DS_COUNT];
  size_t name_count = 0;
  for (int k = 0; k < FLEET_DS_COUNT; k++)
    if (fleet_datasets[k].source != FLEET_FROM_RUN) names[name_count++] = fleet_datasets[k].path;
  for (size_t k = 0; k < name_count; k++) {
    size_t n_both, n_second;
    double *a = read_dataset(both, names[k], &n_both);
    double *b = read_dataset(second, names[k], &n_second);
    cr_assert_eq(n_both, 2 * n_second, "%s", names[k]);
    /* replica 5 is the second half of the two-replica file */
    cr_assert_eq(memcmp(a + n_second, b, n_second * sizeof *b), 0, "%s: replica 5 differs between jobs", names[k]);
    free(a);
    free(b);
  }
  remove(both);
  remove(second);
  rmdir(tmpdir);
}

/* A commute with no spread and its median at the cap used to loop forever redrawing values an
 * ulp above the cap; the draws now end (bounded rejection, then inversion) at the cap. */
Test(run, a_degenerate_commute_distribution_is_drawn_without_hanging) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=500");
  p.commute_km_median = 10.0;
  p.commute_km_max = 10.0;
  p.commute_km_log_sd = 0.0;
  fleet_population_t pop;
  fleet_error_t err;
  cr_assert_eq(fleet_population_create(&p, 0, &pop, &err), FLEET_OK, "%s", err.message);
  int commuters = 0;
  for (int64_t i = 0; i < pop.slots; i++)
    if (pop.commute_km[i] > 0.0f) {
      cr_assert_float_eq(pop.commute_km[i], 10.0f, 1e-5f);
      commuters++;
    }
  cr_assert_gt(commuters, 100);
  fleet_population_free(&pop);
}

/* Prices growing e-fold every year for 60 years of leases: household accounts reach 1e26 EUR,
 * beyond the exact integer sums. The year is refused with a message (exit 2), not summed wrong. */
Test(cli, sums_beyond_the_integer_range_are_refused_not_wrapped) {
  make_tmpdir();
  char err[4096], command[1024], out[160];
  snprintf(out, sizeof out, "%s/overflow.h5", tmpdir);
  snprintf(command, sizeof command,
           "%s run %s --set fleet.vehicles=50 --set prices.diesel_log_drift=1 --set prices.petrol_log_drift=1 "
           "--set state.lease_years=60 --years 60 --quiet -o %s", FLEETMC_EXE, BASELINE, out);
  cr_assert_eq(shell(command, err, sizeof err), 2, "%s", err);
  cr_assert_not_null(strstr(err, "exact integer sums"), "%s", err);
  cr_assert_not_null(strstr(err, "year 27"), "%s", err);
  cr_assert(!exists(out));
  char listing[256];
  snprintf(listing, sizeof listing, "ls %s | grep -q tmp", tmpdir);
  cr_assert_neq(system(listing), 0, "a temporary file was left in %s", tmpdir);
  rmdir(tmpdir);
}

/* --seed takes every seed that simulation.seed takes, [0, 2^64), and refuses 2^64 with the
 * scenario's rule. */
Test(cli, seed_shorthand_takes_the_whole_unsigned_range) {
  make_tmpdir();
  char err[4096], command[1024];
  snprintf(command, sizeof command, "%s check %s --seed 9223372036854775808 --seed 18446744073709551615",
           FLEETMC_EXE, BASELINE);
  cr_assert_eq(shell(command, err, sizeof err), 0, "%s", err);
  snprintf(command, sizeof command, "%s check %s --seed 18446744073709551616", FLEETMC_EXE, BASELINE);
  cr_assert_eq(shell(command, err, sizeof err), 2, "%s", err);
  cr_assert_not_null(strstr(err, "simulation.seed"), "%s", err);
  cr_assert_not_null(strstr(err, "18446744073709551615"), "%s", err);
  rmdir(tmpdir);
}

/* A full disk: the write fails, the run says so (exit 1) without crashing in HDF5's exit-time
 * clean-up, and leaves nothing behind. Needs a small tmpfs, so root: skipped otherwise. */
Test(cli, a_full_disk_fails_cleanly) {
  make_tmpdir();
  char command[1024], err[4096], folder[160];
  snprintf(folder, sizeof folder, "%s/full", tmpdir);
  cr_assert_eq(mkdir(folder, 0700), 0);
  snprintf(command, sizeof command, "mount -t tmpfs -o size=600k tmpfs %s 2>/dev/null", folder);
  if (system(command) != 0) {
    rmdir(folder);
    rmdir(tmpdir);
    cr_skip_test("cannot mount a tmpfs here (not root)");
  }
  const char *runs[] = {"run " BASELINE " --set fleet.vehicles=100 --years 2 --quiet -o %s/a.h5",
                        "run " BASELINE " --set fleet.vehicles=100 --replicas 3 --quiet -o %s/b.h5"};
  for (int i = 0; i < 2; i++) {
    char args[512];
    snprintf(args, sizeof args, runs[i], folder);
    snprintf(command, sizeof command, "%s %s", FLEETMC_EXE, args);
    cr_assert_eq(shell(command, err, sizeof err), 1, "%s: %s", command, err);
    cr_assert_not_null(strstr(err, "No space left on device"), "%s", err);
    snprintf(command, sizeof command, "test -z \"$(ls -A %s)\"", folder);
    cr_assert_eq(system(command), 0, "files left in the full folder");
  }
  snprintf(command, sizeof command, "umount %s", folder);
  cr_assert_eq(system(command), 0);
  rmdir(folder);
  rmdir(tmpdir);
}

/* C6: /charging/energy_kwh counts the energy entering the cars, after losses, so its sources sum to
 * what the lanes put into their batteries (home charger, public, garage battery, carport), and the
 * garage's share is the PV part of what its battery gave the car, not the PV it produced. The
 * garage's solar flows close: produced = stored/eff + exported/eff + curtailed (DC). Checked with
 * the surplus exported and curtailed. */
static void sources_sum_to_the_energy_entering_the_cars(int export_surplus) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=3000");
  p.garage_export_surplus = export_surplus;
  fleet_population_t pop;
  fleet_state_t state;
  start_fleet(&p, &pop, &state);
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
  static fleet_workspace_t ws;
  memset(&ws, 0, sizeof ws);
  fleet_lane_year_t lanes;
  fleet_year_ctx_init(&p, &pop, 0, 0, ctx);
  double entering = 0.0, garage_pv_in = 0.0, garage_in = 0.0, exported = 0.0, produced = 0.0, stored = 0.0;
  for (int64_t b = 0; b < pop.blocks; b++) {
    fleet_block_year(ctx, b, &state, &ws, &lanes);
    for (int l = 0; l < pop.block_lanes[b]; l++) {
      entering += lanes.home_in_kwh[l] + lanes.public_in_kwh[l] + lanes.garage_to_car_kwh[l] + lanes.carport_in_kwh[l];
      garage_pv_in += lanes.garage_pv_to_car_kwh[l];
      garage_in += lanes.garage_to_car_kwh[l];
      exported += lanes.garage_exported_kwh[l];
      stored += lanes.garage_stored_kwh[l];
      cr_assert(lanes.garage_pv_to_car_kwh[l] <= lanes.garage_to_car_kwh[l] * (1.0 + 1e-6) + 1e-9);
    }
  }
  double sources = 0.0;
  for (int k = 0; k < FLEET_SOURCE_COUNT; k++) sources += (double)ws.acc.charging[k] / FLEET_ACCUM_SCALE;
  /* the lanes' doubles and the blocks' fixed-point sums differ by rounding only (1e-6 kWh x sums) */
  cr_assert(fabs(sources - entering) <= 1e-6 * entering, "sources %.6f kWh, entering the cars %.6f kWh", sources,
            entering);
  const double garage_pv_source = (double)ws.acc.charging[FLEET_SOURCE_GARAGE_PV] / FLEET_ACCUM_SCALE;
  const double garage_grid_source = (double)ws.acc.charging[FLEET_SOURCE_GARAGE_GRID] / FLEET_ACCUM_SCALE;
  cr_assert(garage_pv_in > 0.0 && garage_pv_in < garage_in, "%.3f of %.3f", garage_pv_in, garage_in);
  cr_assert(fabs(garage_pv_source - garage_pv_in) <= 1e-6 * garage_in + 1e-3);
  cr_assert(fabs(garage_pv_source + garage_grid_source - garage_in) <= 1e-6 * garage_in + 1e-3);
  produced = (double)ws.acc.solar[FLEET_SOLAR_GARAGE_PRODUCED] / FLEET_ACCUM_SCALE;
  /* the PV reaching cars is well below the PV produced: what the old source counted */
  cr_assert(garage_pv_source < 0.9 * produced, "%.1f of %.1f kWh produced", garage_pv_source, produced);
  const double curtailed = (double)ws.acc.solar[FLEET_SOLAR_GARAGE_CURTAILED] / FLEET_ACCUM_SCALE;
  const double exported_flow = (double)ws.acc.solar[FLEET_SOLAR_GARAGE_EXPORTED] / FLEET_ACCUM_SCALE;
  cr_assert(fabs(exported_flow - exported) <= 1e-6 * produced + 1e-3);
  const double closing = stored / ctx->solar.pv_to_battery_efficiency +
                         exported / ctx->solar.battery_to_grid_efficiency + curtailed;
  cr_assert(fabs(closing - produced) <= 1e-5 * produced, "stored + exported + curtailed %.3f, produced %.3f",
            closing, produced);
  if (export_surplus)
    cr_assert(exported > 0.0 && curtailed < 0.05 * produced, "exported %.1f, curtailed %.1f", exported, curtailed);
  else
    cr_assert(exported == 0.0 && curtailed > 0.0, "exported %.1f, curtailed %.1f", exported, curtailed);
  free(ctx);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

Test(run, charging_sources_sum_to_the_energy_entering_the_cars_surplus_exported) {
  sources_sum_to_the_energy_entering_the_cars(1);
}

Test(run, charging_sources_sum_to_the_energy_entering_the_cars_surplus_curtailed) {
  sources_sum_to_the_energy_entering_the_cars(0);
}

/* V2G needs the hardware: a car gives back only through a bidirectional wallbox, which needs a
 * home charging point; it charges and gives back at that wallbox's rating, and the ledger buys
 * one per such car. Cars without a home charging point cannot give back whatever their share. */
Test(run, bidirectional_cars_get_a_bidirectional_wallbox_only_with_a_home_charging_point) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=4000");
  p.home_socket_share = 0.5;
  p.home_wallbox_share = 0.2;
  p.bidirectional_share = 0.6;
  fleet_population_t pop;
  fleet_state_t state;
  start_fleet(&p, &pop, &state);
  int64_t with_point = 0, bidirectional = 0, bidirectional_with_point = 0;
  for (int64_t b = 0; b < pop.blocks; b++)
    for (int l = 0; l < pop.block_lanes[b]; l++) {
      int64_t i = b * FLEET_LANES + l;
      int point = pop.charger_source[i] != (float)FLEET_CHARGER_NONE;
      with_point += point;
      if (pop.bidirectional[i] > 0.0f) {
        bidirectional++;
        cr_assert(point, "slot %lld: bidirectional without a home charging point", (long long)i);
        cr_assert_eq(pop.charger_source[i], (float)FLEET_SOURCE_HOME_WALLBOX);
        cr_assert_eq(pop.charger_kw[i], (float)p.bidirectional_charger_power_kw);
      } else if (point) {
        cr_assert(pop.charger_kw[i] == (float)p.socket_power_kw || pop.charger_kw[i] == (float)p.wallbox_power_kw);
      }
      bidirectional_with_point += point && pop.bidirectional[i] > 0.0f;
    }
  /* Binomial: 0.6 of the 70 % with a point; 5 standard errors of a share over ~2,800 households */
  const double share = (double)bidirectional / (double)with_point;
  cr_assert(fabs(share - 0.6) < 5.0 * sqrt(0.6 * 0.4 / (double)with_point), "%.4f of %lld", share, (long long)with_point);
  cr_assert_eq(bidirectional, bidirectional_with_point);
  /* The ledger of year 0 buys exactly those wallboxes. */
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
  static fleet_workspace_t ws;
  memset(&ws, 0, sizeof ws);
  fleet_year_ctx_init(&p, &pop, 0, 0, ctx);
  for (int64_t b = 0; b < pop.blocks; b++) fleet_block_year(ctx, b, &state, &ws, NULL);
  cr_assert_eq(ws.acc.ledger.bidirectional_chargers, bidirectional);
  double ledger[FLEET_LEDGER_COUNT];
  fleet_ledger_year(&p, 0, &ws.acc.ledger, ledger);
  cr_assert(fabs(ledger[FLEET_LEDGER_CHARGERS] + (double)bidirectional * p.bidirectional_charger_price_eur) < 0.005);
  free(ctx);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

/* charging.off_peak_share: among the households with a charging point at home (a socket, a
 * wallbox or a garage's DC link), the drawn fraction on the off-peak schedule is binomial with
 * p = the key over n ~ 2,900 of 4,000; its standard error is sqrt(p (1 - p) / n) (0.0087 at
 * p = 0.32), and 4 of them make a false failure about once in 16,000. Households without a
 * charging point are never on it. */
Test(run, the_drawn_off_peak_share_among_households_with_a_charging_point_is_the_key) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=4000");
  p.home_socket_share = 0.5;
  p.home_wallbox_share = 0.2;
  p.off_peak_share = 0.32; /* Enedis 2024 survey: 32 % use scheduled charging (PARAMETERS.md 2) */
  fleet_population_t pop;
  fleet_error_t err;
  cr_assert_eq(fleet_population_create(&p, 0, &pop, &err), FLEET_OK, "%s", err.message);
  int64_t with_point = 0, off_peak = 0;
  for (int64_t b = 0; b < pop.blocks; b++)
    for (int l = 0; l < pop.block_lanes[b]; l++) {
      int64_t i = b * FLEET_LANES + l;
      int point = pop.charger_kw[i] > 0.0f || pop.garage[i] > 0.0f;
      with_point += point;
      off_peak += pop.off_peak[i] > 0.0f;
      if (!point) cr_assert_eq(pop.off_peak[i], 0.0f, "slot %lld: off-peak without a charging point", (long long)i);
    }
  const double share = (double)off_peak / (double)with_point;
  const double se = sqrt(p.off_peak_share * (1.0 - p.off_peak_share) / (double)with_point);
  cr_assert(fabs(share - p.off_peak_share) < 4.0 * se, "%.4f of %lld, want %.2f +- %.4f", share, (long long)with_point,
            p.off_peak_share, 4.0 * se);
  fleet_population_free(&pop);
}

/* With every household on the off-peak schedule (and the garage top-up in the same 22:00-06:00
 * window, as in the baseline) no grid energy is drawn at home outside the window: per lane the
 * year's home grid energy and its off-peak part are the same sums of the same hourly terms, so
 * they are equal exactly, and so are the fleet's totals. The accounts price every home kWh at the
 * off-peak price. With the baseline's on-arrival charging, part of the energy is drawn outside. */
Test(run, with_every_household_off_peak_no_home_grid_energy_is_drawn_outside_the_window) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=2000");
  cr_assert_eq(p.garage_grid_topup_start_hour, p.off_peak_start_hour);
  cr_assert_eq(p.garage_grid_topup_end_hour, p.off_peak_end_hour);
  p.diesel_log_sd = p.petrol_log_sd = p.tariff_log_sd = p.public_log_sd = 0.0;
  for (int share = 0; share <= 1; share++) {
    p.off_peak_share = share;
    fleet_population_t pop;
    fleet_state_t state;
    start_fleet(&p, &pop, &state);
    fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
    static fleet_workspace_t ws;
    memset(&ws, 0, sizeof ws);
    fleet_lane_year_t lanes;
    fleet_year_ctx_init(&p, &pop, 0, 0, ctx);
    const double ratio = exp(p.tariff_log_drift); /* year 0: one step of the drift */
    double home = 0.0, home_off_peak = 0.0;
    for (int64_t b = 0; b < pop.blocks; b++) {
      fleet_block_year(ctx, b, &state, &ws, &lanes);
      for (int l = 0; l < pop.block_lanes[b]; l++) {
        int64_t i = b * FLEET_LANES + l;
        home += lanes.home_grid_kwh[l];
        home_off_peak += lanes.home_grid_off_peak_kwh[l];
        if (share == 1) {
          cr_assert_eq(lanes.home_grid_kwh[l] - lanes.home_grid_off_peak_kwh[l], 0.0, "slot %lld: %.17g kWh outside",
                       (long long)i, lanes.home_grid_kwh[l] - lanes.home_grid_off_peak_kwh[l]);
          /* the account by hand, every home kWh at the off-peak price */
          double diesel = p.diesel_eur_per_l * exp(p.diesel_log_drift), petrol = p.petrol_eur_per_l * exp(p.petrol_log_drift);
          double home_grid = lanes.home_grid_kwh[l] + lanes.garage_topup_kwh[l] / p.garage_grid_to_battery_efficiency;
          double by_hand = lanes.km[l] * (pop.diesel[i] > 0.0f ? p.diesel_l_per_100km * diesel : p.petrol_l_per_100km * petrol) /
                               100.0 +
                           p.maintenance_saving_eur_per_year -
                           home_grid * (pop.off_peak[i] > 0.0f ? p.off_peak_eur_per_kwh : p.tariff_eur_per_kwh) * ratio -
                           lanes.public_grid_kwh[l] * p.public_eur_per_kwh * exp(p.public_log_drift) -
                           (lanes.paying[l] ? p.lease_eur_per_year : 0.0);
          cr_assert(fabs(lanes.account_eur[l] - by_hand) < 0.005, "slot %lld: %.4f vs %.4f", (long long)i,
                    lanes.account_eur[l], by_hand);
        }
      }
    }
    cr_assert_gt(home, 0.0);
    if (share == 1) {
      cr_assert_eq(home, home_off_peak);
      cr_assert_eq(ws.acc.home_grid, ws.acc.home_grid_off_peak, "fleet: %lld vs %lld 1e-6 kWh", (long long)ws.acc.home_grid,
                   (long long)ws.acc.home_grid_off_peak);
    } else {
      cr_assert_lt(home_off_peak, 0.9 * home, "on arrival, %.0f of %.0f kWh in the window", home_off_peak, home);
    }
    free(ctx);
    fleet_state_free(&state);
    fleet_population_free(&pop);
  }
}

/* C3 (ii) through the engine: a household paying to the lease's end closes it with the sum of
 * its yearly accounts discounted at household.discount_rate, plus the car it owns (the price
 * depreciated over the lease, discounted), minus the trade-in car; one that defaulted never
 * closes. Five years of 500 cars, every account taken from the lanes. */
Test(run, full_position_closes_the_lease_by_hand) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=500");
  p.years = 5;
  p.default_hazard_per_year = 0.05; /* some households default, and must not close */
  fleet_population_t pop;
  fleet_state_t state;
  start_fleet(&p, &pop, &state);
  double *sum = calloc((size_t)pop.slots, sizeof *sum);
  int *defaulted = calloc((size_t)pop.slots, sizeof *defaulted);
  cr_assert(sum && defaulted);
  static fleet_workspace_t ws;
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
  fleet_lane_year_t lanes;
  const double residual = p.vehicle_price_eur * pow(1.0 - p.vehicle_depreciation_per_year, 5.0);
  int64_t closed = 0, closed_by_hand = 0;
  for (int64_t year = 0; year < 5; year++) {
    memset(&ws, 0, sizeof ws);
    fleet_year_ctx_init(&p, &pop, 0, year, ctx);
    for (int64_t b = 0; b < pop.blocks; b++) {
      memset(&lanes, 0, sizeof lanes);
      fleet_block_year(ctx, b, &state, &ws, &lanes);
      for (int l = 0; l < pop.block_lanes[b]; l++) {
        int64_t i = b * FLEET_LANES + l;
        if (!lanes.paying[l]) {
          defaulted[i] = 1;
          continue;
        }
        sum[i] += lanes.account_eur[l] / pow(1.0 + p.household_discount_rate, (double)year);
        if (year == 4) {
          double by_hand = sum[i] + residual / pow(1.0 + p.household_discount_rate, 5.0) - p.trade_in_value_eur;
          /* the state keeps the running sum in float: 1e-7 relative of a few thousand EUR */
          cr_assert(fabs(lanes.position_eur[l] - by_hand) < 0.01, "slot %lld: %.4f vs %.4f", (long long)i,
                    lanes.position_eur[l], by_hand);
          closed_by_hand += !defaulted[i];
        }
      }
    }
    if (year == 4) closed = ws.acc.position_count;
    else cr_assert_eq(ws.acc.position_count, 0, "year %lld closes nothing", (long long)year);
  }
  cr_assert_eq(closed, closed_by_hand);
  cr_assert(closed > 0 && closed < p.vehicles, "%lld closed of %lld", (long long)closed, (long long)p.vehicles);
  free(sum);
  free(defaulted);
  free(ctx);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

/* One block's year from the fleet's starting state, into a fresh accumulator. */
static void block_year_afresh(const fleet_year_ctx_t *ctx, int64_t b, fleet_state_t *state, fleet_workspace_t *ws,
                              fleet_lane_year_t *lanes) {
  fleet_state_reset(ctx->params, ctx->pop, state);
  memset(ws, 0, sizeof *ws);
  fleet_block_year(ctx, b, state, ws, lanes);
}

/* C7's grid CO2 is charged at the hour of each kWh drawn. The intensity only weighs what is
 * drawn, so rerunning a block with 1 g/kWh in one (month, clock hour) cell and 0 elsewhere
 * measures the grid kWh each lane drew in that cell (home, public and a garage's top-up, grid
 * side). With the baseline's intensities, each lane's CO2 must be the sum over the 288 cells of
 * its draw x the cell's intensity, and the block's fixed-point total the sum of its households'.
 * Tolerances: the step sums a day's kWh x g in float (<= 24 terms, relative rounding <= 24 x
 * 2^-24 = 1.4e-6), so 1e-5 relative; the block total is rounded once to whole grams (0.5 g). */
Test(run, grid_co2_is_each_hours_draw_times_that_hours_intensity) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=2000");
  p.home_socket_share = 0.5; /* 20 % without a home charging point: public charging */
  p.home_wallbox_share = 0.3;
  fleet_population_t pop;
  fleet_state_t state;
  start_fleet(&p, &pop, &state);
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
  static fleet_workspace_t ws;
  static float real[FLEET_HOURS_PER_YEAR];
  static double draw[FLEET_MONTHS][FLEET_HOURS_PER_DAY][FLEET_LANES];
  fleet_lane_year_t lanes;
  fleet_year_ctx_init(&p, &pop, 0, 0, ctx);
  memcpy(real, ctx->grid_g_co2_per_kwh, sizeof real);
  int64_t blocks[2] = {-1, -1}; /* one with a garage or carport, one without */
  for (int64_t b = 0; b < pop.blocks; b++) {
    if (pop.block_solar[b] && blocks[0] < 0) blocks[0] = b;
    if (!pop.block_solar[b] && blocks[1] < 0) blocks[1] = b;
  }
  cr_assert(blocks[0] >= 0 && blocks[1] >= 0);
  double public_seen = 0.0, topup_seen = 0.0;
  for (int k = 0; k < 2; k++) {
    const int64_t b = blocks[k];
    for (int m = 0; m < FLEET_MONTHS; m++)
      for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
        for (int d = 0; d < FLEET_DAYS_PER_YEAR; d++)
          for (int t = 0; t < FLEET_HOURS_PER_DAY; t++)
            ctx->grid_g_co2_per_kwh[d * FLEET_HOURS_PER_DAY + t] = fleet_month_of_day(d) == m && t == h ? 1.0f : 0.0f;
        block_year_afresh(ctx, b, &state, &ws, &lanes);
        for (int l = 0; l < FLEET_LANES; l++) draw[m][h][l] = lanes.co2_grid_g[l];
      }
    memcpy(ctx->grid_g_co2_per_kwh, real, sizeof real);
    block_year_afresh(ctx, b, &state, &ws, &lanes);
    double households_g = 0.0;
    for (int l = 0; l < pop.block_lanes[b]; l++) {
      int64_t i = b * FLEET_LANES + l;
      double by_hand = 0.0, drawn_kwh = 0.0;
      for (int m = 0; m < FLEET_MONTHS; m++)
        for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) {
          const int d = m == 0 ? 0 : (int)(30.4 * m) + 5; /* a day inside month m */
          cr_assert_eq(fleet_month_of_day(d), m);
          by_hand += draw[m][h][l] * real[d * FLEET_HOURS_PER_DAY + h];
          drawn_kwh += draw[m][h][l];
        }
      /* the cells' draws add up to the lane's grid kWh */
      const double grid_kwh =
          lanes.home_grid_kwh[l] + lanes.public_grid_kwh[l] + lanes.garage_topup_kwh[l] / p.garage_grid_to_battery_efficiency;
      cr_assert(fabs(drawn_kwh - grid_kwh) <= 1e-5 * grid_kwh + 1e-6, "slot %lld: %.6f vs %.6f kWh", (long long)i,
                drawn_kwh, grid_kwh);
      cr_assert(fabs(lanes.co2_grid_g[l] - by_hand) <= 1e-5 * by_hand + 1e-6, "slot %lld: %.3f vs %.3f g",
                (long long)i, lanes.co2_grid_g[l], by_hand);
      if (pop.active[i] > 0.0f) households_g += lanes.co2_grid_g[l];
      public_seen += lanes.public_grid_kwh[l];
      topup_seen += lanes.garage_topup_kwh[l];
    }
    cr_assert(fabs((double)ws.acc.co2_grid_g - households_g) <= 0.5, "block %lld: %lld vs %.3f g", (long long)b,
              (long long)ws.acc.co2_grid_g, households_g);
  }
  cr_assert_gt(public_seen, 0.0);
  cr_assert_gt(topup_seen, 0.0);
  free(ctx);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}

/* A flat intensity (every month 50 g/kWh, flat hour profiles) gives the earlier constant model:
 * 50 g x each household's grid kWh (home, garage top-up, public), per lane and for the fleet's
 * year through fleet_simulate_year. Tolerance: the float daily sums, 1e-5 relative (above). */
Test(run, a_flat_grid_intensity_is_the_constant_model) {
  static fleet_params_t p;
  load_baseline(&p, "fleet.vehicles=2000");
  p.home_socket_share = 0.5;
  p.home_wallbox_share = 0.3;
  for (int m = 0; m < FLEET_MONTHS; m++) p.grid_g_co2_per_kwh_monthly[m] = 50.0;
  for (int h = 0; h < FLEET_HOURS_PER_DAY; h++) p.grid_hour_profile_winter[h] = p.grid_hour_profile_summer[h] = 1.0;
  fleet_population_t pop;
  fleet_state_t state;
  start_fleet(&p, &pop, &state);
  fleet_year_ctx_t *ctx = malloc(sizeof *ctx);
  static fleet_workspace_t ws;
  memset(&ws, 0, sizeof ws);
  fleet_lane_year_t lanes;
  fleet_year_ctx_init(&p, &pop, 0, 0, ctx);
  for (int t = 0; t < FLEET_HOURS_PER_YEAR; t++) cr_assert_eq(ctx->grid_g_co2_per_kwh[t], 50.0f);
  double fleet_kwh = 0.0;
  for (int64_t b = 0; b < pop.blocks; b++) {
    fleet_block_year(ctx, b, &state, &ws, &lanes);
    for (int l = 0; l < pop.block_lanes[b]; l++) {
      const double grid_kwh =
          lanes.home_grid_kwh[l] + lanes.public_grid_kwh[l] + lanes.garage_topup_kwh[l] / p.garage_grid_to_battery_efficiency;
      cr_assert(fabs(lanes.co2_grid_g[l] - 50.0 * grid_kwh) <= 1e-5 * 50.0 * grid_kwh + 1e-6);
      if (pop.active[b * FLEET_LANES + l] > 0.0f) fleet_kwh += grid_kwh;
    }
  }
  cr_assert_gt(fleet_kwh, 0.0);
  fleet_state_reset(&p, &pop, &state);
  static fleet_year_totals_t totals;
  fleet_error_t err;
  cr_assert_eq(fleet_simulate_year(&p, &pop, &state, 0, 0, &totals, &err), FLEET_OK, "%s", err.message);
  cr_assert(fabs(totals.co2_grid_t - 50.0 * fleet_kwh / 1e6) <= 1e-5 * 50.0 * fleet_kwh / 1e6, "%.6f vs %.6f t",
            totals.co2_grid_t, 50.0 * fleet_kwh / 1e6);
  free(ctx);
  fleet_state_free(&state);
  fleet_population_free(&pop);
}
