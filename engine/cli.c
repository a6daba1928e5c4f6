/* sigaction: with -std=c17 alone, glibc's signal() has System V semantics (the handler is reset
 * after the first signal), so a second copy of SIGINT would kill the run half-way. */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "merge.h"
#include "run.h"
#include "scenario.h"
#include "summary.h"
#include "version.h"

#define MAX_OVERRIDES 256

static const char usage_text[] =
    "usage: fleetmc run CONFIG [-o PATH] [--set KEY=VALUE]... [--replicas N] [--first-replica K]\n"
    "                          [--years Y] [--seed S] [--threads T] [--quiet]\n"
    "       fleetmc check CONFIG [--set KEY=VALUE]...\n"
    "       fleetmc merge OUT IN1 [IN2]...\n"
    "       fleetmc summary FILE\n"
    "       fleetmc --help | --version\n"
    "\n"
    "run     simulates the scenario and writes an HDF5 file (default results/<config name>.h5)\n"
    "check   validates the scenario and prints every resolved value\n"
    "merge   joins result files of one scenario holding contiguous replica ranges (in any order)\n"
    "        into OUT, the same as one run over the whole range\n"
    "summary prints the claims table (C1-C8: P5, P50, P95, mean) of a result file\n"
    "\n"
    "--set KEY=VALUE    overrides a scalar of the scenario, e.g. --set fleet.vehicles=20000\n"
    "--replicas N, --first-replica K, --years Y, --seed S\n"
    "                   shorthands for --set simulation.replicas=N and so on\n"
    "--threads T        OpenMP threads (default: OMP_NUM_THREADS, else all cores)\n"
    "--quiet            no progress line on stderr\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure (i/o, hdf5, memory), 2 bad command line, scenario or\n"
    "            input file (missing, not a fleetmc result, or not mergeable with the others)\n";

typedef struct {
  const char *command;
  const char *config;
  const char *output;
  const char *overrides[MAX_OVERRIDES];
  char *owned[MAX_OVERRIDES]; /* overrides built from shorthands, freed at the end */
  int override_count;
  int threads;
  int quiet;
} cli_args_t;

static int usage_error(const char *format, const char *a, const char *b) {
  fprintf(stderr, "fleetmc: ");
  fprintf(stderr, format, a, b);
  fprintf(stderr, "\nrun 'fleetmc --help' for usage\n");
  return 2;
}

/* A whole-string non-negative integer, or -1. */
static int64_t parse_count(const char *text) {
  if (!text || !*text || *text == '-' || *text == '+') return -1;
  errno = 0;
  char *end = NULL;
  long long v = strtoll(text, &end, 10);
  if (errno || *end) return -1;
  return (int64_t)v;
}

static int add_override(cli_args_t *args, const char *text, char *owned) {
  if (args->override_count >= MAX_OVERRIDES) {
    free(owned);
    return usage_error("more than %s overrides%s", "256", "");
  }
  args->owned[args->override_count] = owned;
  args->overrides[args->override_count++] = text;
  return 0;
}

/* --replicas N and friends: check the number's form here, its range in the scenario rules. */
static int add_shorthand(cli_args_t *args, const char *option, const char *key, const char *value) {
  if (parse_count(value) < 0)
    return usage_error("option %s: value '%s' is not a non-negative integer", option, value ? value : "");
  size_t len = strlen(key) + strlen(value) + 2;
  char *text = malloc(len);
  if (!text) return usage_error("out of memory%s%s", "", "");
  snprintf(text, len, "%s=%s", key, value);
  return add_override(args, text, text);
}

static int parse_args(int argc, char **argv, cli_args_t *args) {
  args->command = argv[1];
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    int rc = 0;
    int takes_value = strcmp(a, "-o") == 0 || strcmp(a, "--set") == 0 || strcmp(a, "--replicas") == 0 ||
                      strcmp(a, "--first-replica") == 0 || strcmp(a, "--years") == 0 ||
                      strcmp(a, "--seed") == 0 || strcmp(a, "--threads") == 0;
    if (takes_value && !value) return usage_error("option %s needs a value%s", a, "");
    if (strcmp(a, "-o") == 0) {
      args->output = value;
    } else if (strcmp(a, "--set") == 0) {
      rc = add_override(args, value, NULL);
    } else if (strcmp(a, "--replicas") == 0) {
      rc = add_shorthand(args, a, "simulation.replicas", value);
    } else if (strcmp(a, "--first-replica") == 0) {
      rc = add_shorthand(args, a, "simulation.first_replica", value);
    } else if (strcmp(a, "--years") == 0) {
      rc = add_shorthand(args, a, "simulation.years", value);
    } else if (strcmp(a, "--seed") == 0) {
      rc = add_shorthand(args, a, "simulation.seed", value);
    } else if (strcmp(a, "--threads") == 0) {
      int64_t t = parse_count(value);
      if (t < 1 || t > 4096) return usage_error("option --threads: value '%s' %s", value, "must be an integer in [1, 4096]");
      args->threads = (int)t;
    } else if (strcmp(a, "--quiet") == 0) {
      args->quiet = 1;
      continue;
    } else if (a[0] == '-') {
      return usage_error("unknown option '%s'%s", a, "");
    } else if (!args->config) {
      args->config = a;
      continue;
    } else {
      return usage_error("unexpected argument '%s' (the config is '%s')", a, args->config);
    }
    if (rc) return rc;
    i++; /* the value */
  }
  if (!args->config) return usage_error("%s: missing CONFIG%s", args->command, "");
  if (strcmp(args->command, "check") == 0 && (args->output || args->threads))
    return usage_error("check takes only CONFIG and --set%s%s", "", "");
  return 0;
}

/* results/<config file name without .yaml or .yml>.h5 */
static char *default_output(const char *config) {
  const char *name = strrchr(config, '/');
  name = name ? name + 1 : config;
  size_t len = strlen(name);
  if (len > 5 && strcmp(name + len - 5, ".yaml") == 0) len -= 5;
  else if (len > 4 && strcmp(name + len - 4, ".yml") == 0) len -= 4;
  char *path = malloc(len + 16);
  if (path) snprintf(path, len + 16, "results/%.*s.h5", (int)len, name);
  return path;
}

static void print_summary(const fleet_params_t *p, const fleet_run_summary_t *s, const char *path) {
  printf("fleetmc %s: %lld vehicles, %lld replica(s) x %lld year(s), seed %" PRIu64 ", %d thread(s)\n",
         FLEETMC_VERSION, (long long)p->vehicles, (long long)p->replicas, (long long)p->years, p->seed, s->threads);
  printf("  storage energy available, cars + garages (C1), GWh:  mean %.2f  P5 %.2f  P50 %.2f  P95 %.2f  min %.2f  max %.2f\n",
         s->storage_energy_mean_kwh / 1e6, fleet_summary_energy_quantile(s, 0.05) / 1e6,
         fleet_summary_energy_quantile(s, 0.50) / 1e6, fleet_summary_energy_quantile(s, 0.95) / 1e6,
         s->storage_energy_min_kwh / 1e6, s->storage_energy_max_kwh / 1e6);
  printf("  hours at or above the proposal's %.2f GWh (vehicles x battery x (target - floor)): %.1f %%\n",
         s->nominal_storage_kwh / 1e6, 100.0 * s->hours_above_nominal_share);
  printf("  storage power available, cars + garages, GW: mean %.2f;  cars plugged in at home: mean %.0f\n",
         s->storage_power_mean_kw / 1e6, s->plugged_mean);
  printf("  of which garage batteries: mean %.2f GWh\n", s->garage_energy_mean_kwh / 1e6);
  printf("  km per vehicle-year: %.0f;  charging GWh/yr (entering, before losses):", s->km_per_vehicle_year);
  double all = 0.0;
  for (int k = 0; k < FLEET_SOURCE_COUNT; k++) {
    printf(" %s %.1f", fleet_charge_source_names[k], s->charging_kwh_per_year[k] / 1e6);
    all += s->charging_kwh_per_year[k];
  }
  double sun = s->charging_kwh_per_year[FLEET_SOURCE_GARAGE_PV] + s->charging_kwh_per_year[FLEET_SOURCE_CARPORT_PV];
  printf("\n  from the sun (C6, C8): %.1f %% of it;  garage PV %.1f GWh/yr produced, %.1f to cars, %.1f surplus;"
         " carports %.1f GWh/yr to cars\n",
         all > 0.0 ? 100.0 * sun / all : 0.0, s->solar_kwh_per_year[FLEET_SOLAR_GARAGE_PRODUCED] / 1e6,
         s->solar_kwh_per_year[FLEET_SOLAR_GARAGE_TO_CARS] / 1e6, s->solar_kwh_per_year[FLEET_SOLAR_GARAGE_SURPLUS] / 1e6,
         s->solar_kwh_per_year[FLEET_SOLAR_CARPORT_TO_CARS] / 1e6);
  printf("  outages (C2): %.0f household outages, %.1f min per household-year; dormant load %.2f GWh/yr, "
         "unserved %.2f GWh/yr (%.1f %%)\n",
         s->outage_count, 60.0 * s->outage_household_hours_per_year / (double)p->vehicles,
         s->outage_demand_kwh_per_year / 1e6, s->outage_unserved_kwh_per_year / 1e6,
         s->outage_demand_kwh_per_year > 0.0 ? 100.0 * s->outage_unserved_kwh_per_year / s->outage_demand_kwh_per_year
                                             : 0.0);
  if (s->long_outage_count > 0.0)
    printf("  outages of 24 h or more: %.0f, fully covered by garage and car: %.1f %%\n", s->long_outage_count,
           100.0 * s->long_outage_covered_count / s->long_outage_count);
  else
    printf("  outages of 24 h or more: none drawn\n");
  if (s->household_count > 0.0)
    printf("  household account (C3), EUR/yr, paying households: mean %.0f  P5 %.0f  P50 %.0f  P95 %.0f;"
           " worse off: %.1f %%\n",
           s->household_account_sum_eur / s->household_count, fleet_summary_account_quantile(s, 0.05),
           fleet_summary_account_quantile(s, 0.50), fleet_summary_account_quantile(s, 0.95),
           100.0 * s->household_worse_off / s->household_count);
  printf("  State (C4): first-year net cash flow %.2f bn EUR; NPV over %lld year(s) at %.1f %%: %.2f bn EUR;"
         " repaid by the end of the lease in %.0f %% of replicas\n",
         s->year0_net_sum_eur / (double)p->replicas / 1e9, (long long)p->years, 100.0 * p->discount_rate,
         s->npv_sum_eur / (double)p->replicas / 1e9, 100.0 * s->repaid_replicas / (double)p->replicas);
  printf("  CO2 avoided (C7): %.2f Mt/yr\n", s->co2_avoided_t_per_year / 1e6);
  printf("  %.1f s wall, %.3g vehicle-hours/s, %.2f ns per vehicle-hour -> %s\n", s->wall_seconds,
         s->vehicle_hours / s->wall_seconds, s->wall_seconds * 1e9 / s->vehicle_hours, path);
}

/* Set by SIGINT or SIGTERM: the run stops after the replica-year in progress and removes its
 * temporary file. The handler stays installed (sigaction, not signal): tools such as timeout(1)
 * send the signal to the process and then to its group, and the second copy must not kill the run
 * half-way (SIGQUIT or SIGKILL still end it at once). */
static volatile sig_atomic_t stop_requested = 0;

static void request_stop(int signal_number) {
  (void)signal_number;
  stop_requested = 1;
}

static int run_command(cli_args_t *args) {
  fleet_error_t err;
  fleet_error_clear(&err);
  fleet_params_t *params = malloc(sizeof *params);
  if (!params) {
    fprintf(stderr, "fleetmc: out of memory\n");
    return 1;
  }
  fleet_status_t status = fleet_scenario_load(args->config, args->overrides, args->override_count, params, &err);
  char *text = NULL, *output = NULL;
  if (status == FLEET_OK) {
    text = fleet_scenario_format(params);
    if (!text) status = fleet_error_set(&err, FLEET_ERR_NOMEM, "cannot format the scenario");
  }
  if (status == FLEET_OK && strcmp(args->command, "check") == 0) {
    fputs(text, stdout);
    printf("# %s: valid\n", args->config);
  } else if (status == FLEET_OK) {
    output = args->output ? NULL : default_output(args->config);
    const char *path = args->output ? args->output : output;
    if (!path) {
      status = fleet_error_set(&err, FLEET_ERR_NOMEM, "out of memory");
    } else {
      fleet_run_options_t options = {.output_path = path, .threads = args->threads,
                                     .progress = !args->quiet && isatty(STDERR_FILENO), .stop = &stop_requested};
      struct sigaction on_stop;
      memset(&on_stop, 0, sizeof on_stop);
      on_stop.sa_handler = request_stop;
      sigemptyset(&on_stop.sa_mask);
      sigaction(SIGINT, &on_stop, NULL);
      sigaction(SIGTERM, &on_stop, NULL);
      fleet_run_summary_t *summary = malloc(sizeof *summary);
      if (!summary) status = fleet_error_set(&err, FLEET_ERR_NOMEM, "out of memory");
      else status = fleet_run(params, text, &options, summary, &err);
      if (status == FLEET_OK) print_summary(params, summary, path);
      free(summary);
    }
  }
  if (status != FLEET_OK) fprintf(stderr, "fleetmc: %s: %s\n", fleet_status_name(status), err.message);
  free(output);
  free(text);
  free(params);
  return fleet_status_exit_code(status);
}

/* fleetmc merge OUT IN1 [IN2]... and fleetmc summary FILE: file arguments only. */
static int file_command(int argc, char **argv) {
  const char *command = argv[1];
  const int merge = strcmp(command, "merge") == 0;
  for (int i = 2; i < argc; i++)
    if (argv[i][0] == '-' && argv[i][1] != '\0') return usage_error("%s: unknown option '%s'", command, argv[i]);
  if (merge && argc < 4) return usage_error("%s: needs OUT and at least one input file%s", command, "");
  if (!merge && argc != 3) return usage_error("%s: needs exactly one FILE%s", command, "");
  fleet_error_t err;
  fleet_error_clear(&err);
  fleet_status_t status;
  if (merge) {
    status = fleet_merge(argv[2], (const char *const *)(argv + 3), argc - 3, &err);
    if (status == FLEET_OK) printf("fleetmc: merged %d file(s) -> %s\n", argc - 3, argv[2]);
  } else {
    status = fleet_summary_file(argv[2], stdout, &err);
  }
  if (status != FLEET_OK) fprintf(stderr, "fleetmc: %s: %s\n", fleet_status_name(status), err.message);
  return fleet_status_exit_code(status);
}

int fleet_cli_main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage_text, stderr);
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("fleetmc %s (commit %s, result format %d)\n", FLEETMC_VERSION, FLEETMC_GIT_COMMIT, FLEETMC_FORMAT_VERSION);
    return 0;
  }
  if (strcmp(argv[1], "merge") == 0 || strcmp(argv[1], "summary") == 0) return file_command(argc, argv);
  if (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "check") != 0)
    return usage_error("unknown command '%s'%s", argv[1], "");
  cli_args_t args;
  memset(&args, 0, sizeof args);
  int rc = parse_args(argc, argv, &args);
  if (rc == 0) rc = run_command(&args);
  for (int i = 0; i < args.override_count; i++) free(args.owned[i]);
  return rc;
}
