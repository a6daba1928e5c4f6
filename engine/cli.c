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
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "build_info.h"
#include "compare.h"
#include "error.h"
#include "h5_writer.h"
#include "merge.h"
#include "run.h"
#include "scenario.h"
#include "schema.h"
#include "summary.h"
#include "target_error.h"
#include "version.h"

#define MAX_OVERRIDES 256

static const char usage_text[] =
    "usage: fleetmc run CONFIG [-o PATH] [--force] [--set KEY=VALUE]... [--replicas N]\n"
    "                          [--first-replica K] [--years Y] [--seed S] [--threads T] [--quiet]\n"
    "                          [--target-error CLAIM=X] [--resume] [--kernel hourly|events]\n"
    "       fleetmc check CONFIG [--set KEY=VALUE]...\n"
    "       fleetmc merge [--force] [--replicas N [--first-replica K]] [--check] OUT IN1 [IN2]...\n"
    "       fleetmc summary FILE [--format text|csv|json]\n"
    "       fleetmc compare A B [--format text|csv|json]\n"
    "       fleetmc schema\n"
    "       fleetmc --help | --version\n"
    "\n"
    "run     simulates the scenario, writes an HDF5 file (default results/<config name>.h5, the\n"
    "        folder created if missing) and prints its claims table, as summary does\n"
    "check   validates the scenario and prints every resolved value\n"
    "merge   joins result files of one scenario holding contiguous replica ranges (in any order)\n"
    "        into OUT, the same as one run over the whole range\n"
    "summary prints the claims table (C1-C8: P5, P50, P95, mean) of a result file, each with its\n"
    "        95 % confidence interval across replicas and a verdict against the proposal's figure\n"
    "compare prints B - A for every quantity of the table with its 95 % confidence interval,\n"
    "        paired replica by replica when A and B share seed and replicas\n"
    "schema  prints the layout of result files (root attributes, axes, datasets) as markdown\n"
    "\n"
    "--force            replace an existing output file (never a scenario, an input or a non-file)\n"
    "--set KEY=VALUE    overrides a scalar of the scenario, e.g. --set fleet.vehicles=20000\n"
    "--replicas N, --first-replica K, --years Y, --seed S\n"
    "                   shorthands for --set simulation.replicas=N and so on\n"
    "--threads T        OpenMP threads (default: OMP_NUM_THREADS, else all cores)\n"
    "--quiet            no progress on stderr (else a line rewritten in place on a terminal, and one\n"
    "                   line per completed replica-year otherwise, as in a batch job's log)\n"
    "--resume           run: continue an unfinished run of the same command from its checkpoint\n"
    "                   folder OUTPUT.ckpt/, where every completed replica-year is kept; the file\n"
    "                   is the same as without the stop. Without it, an existing checkpoint is\n"
    "                   refused (--force discards it). SIGINT, SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2\n"
    "                   stop a run cleanly, keeping the checkpoint (exit 130)\n"
    "--kernel K         run: hourly (default) steps every vehicle-day by the hour, the reference;\n"
    "                   events steps the days that allow it by events, equal to a stated float bound\n"
    "--target-error CLAIM=X\n"
    "                   run: add replicas (8 first, then 4 at a time) until the 95 % half-width of\n"
    "                   the mean that decides CLAIM (C1, C3, C4 or C7) is below X times |mean|, or\n"
    "                   until --replicas N have run; root attribute stopped_by says which\n"
    "--format F         summary and compare: text (default), csv (one row per quantity and\n"
    "                   statistic) or json\n"
    "merge --replicas N [--first-replica K]\n"
    "                   the inputs must hold exactly replicas [K, K+N), the whole study (K: 0 by\n"
    "                   default); without, only gaps and overlaps are refused, not missing ends\n"
    "merge --check      a dry run of the same command line: reads the inputs' root attributes,\n"
    "                   writes nothing, exits 0 if the merge would succeed, else 2, and lists on\n"
    "                   stdout, one line each, first word the kind ([F,E): replicas F to E-1):\n"
    "                     study [K,E)             the range --replicas and --first-replica give\n"
    "                     input [F,E) PATH        an input of the study, by first replica\n"
    "                     outside [F,E) PATH      an input of the study outside [K,E)\n"
    "                     unreadable PATH: MSG    missing, not HDF5, not a fleetmc result, damaged\n"
    "                     inconsistent PATH: MSG  its /scenario disagrees with its attributes\n"
    "                     other-study PATH: MSG   another seed or scenario than most inputs\n"
    "                     output OUT: MSG         OUT would be refused (exists, is an input, ...)\n"
    "                     overlap [F,E) A B       replicas held by both A and B\n"
    "                     missing [F,E)           replicas in no input (a gap, or an end)\n"
    "                     tasks LIST (slice size S, from replica K)\n"
    "                                             the array tasks t (replicas [K+tS, K+tS+S))\n"
    "                                             missing, for sbatch --array=LIST; only when\n"
    "                                             every slice is so (the last may be shorter)\n"
    "                     ok: ... | refused: N problem(s) ...   the verdict, last\n"
    "\n"
    "MPI: mpirun -n P fleetmc run ... (or srun) splits the replicas over P processes, each with its\n"
    "     own threads; the ranks keep their replicas in the checkpoint folder, which they must all\n"
    "     see, and rank 0 writes the one output, the same as one process's\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure (i/o, hdf5, memory), 2 bad command line, scenario or\n"
    "            input file (missing, not a fleetmc result, or not mergeable with the others),\n"
    "            130 stopped by a signal (a run's checkpoint kept: rerun with --resume)\n";

typedef struct {
  const char *command;
  const char *config;
  const char *output;
  const char *overrides[MAX_OVERRIDES];
  char *owned[MAX_OVERRIDES]; /* overrides built from shorthands, freed at the end */
  int override_count;
  int threads;
  int quiet;
  int force;
  int resume;
  const char *target_error_text;
  fleet_target_error_t target_error;
  const char *kernel_text;
  fleet_kernel_t kernel;
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

/* --replicas N and friends: decimal digits here; the range (simulation.seed takes all of
 * [0, 2^64), simulation.replicas [1, 1e6], ...) is the scenario rule's, with its message. */
static int add_shorthand(cli_args_t *args, const char *option, const char *key, const char *value) {
  if (!value || !value[0] || strspn(value, "0123456789") != strlen(value))
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
                      strcmp(a, "--seed") == 0 || strcmp(a, "--threads") == 0 ||
                      strcmp(a, "--target-error") == 0 || strcmp(a, "--kernel") == 0;
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
    } else if (strcmp(a, "--target-error") == 0) {
      char why[256];
      if (fleet_target_error_parse(value, &args->target_error, why, sizeof why) != 0)
        return usage_error("option --target-error: value '%s': %s", value, why);
      args->target_error_text = value;
    } else if (strcmp(a, "--kernel") == 0) {
      if (strcmp(value, "events") != 0 && strcmp(value, "hourly") != 0)
        return usage_error("option --kernel: value '%s' %s", value, "must be events or hourly");
      args->kernel = strcmp(value, "events") == 0 ? FLEET_KERNEL_EVENTS : FLEET_KERNEL_HOURLY;
      args->kernel_text = value;
    } else if (strcmp(a, "--quiet") == 0) {
      args->quiet = 1;
      continue;
    } else if (strcmp(a, "--force") == 0) {
      args->force = 1;
      continue;
    } else if (strcmp(a, "--resume") == 0) {
      args->resume = 1;
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
  if (strcmp(args->command, "check") == 0 && (args->output || args->threads || args->force || args->quiet ||
                                                args->target_error_text || args->resume || args->kernel_text))
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

/* The command line as given, each argument quoted for a POSIX shell where it needs it, so that
 * it can be pasted back: the root attribute command_line. NULL if out of memory. */
static char *join_command_line(int argc, char **argv) {
  size_t size = 1;
  for (int i = 0; i < argc; i++) size += 4 * strlen(argv[i]) + 3;
  char *out = malloc(size), *p = out;
  if (!out) return NULL;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    const int plain = a[0] && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                        "-_./=:,+@%") == strlen(a);
    if (i) *p++ = ' ';
    if (!plain) *p++ = '\'';
    for (; *a; a++) {
      if (*a == '\'' && !plain) { /* close, escaped quote, reopen */
        memcpy(p, "'\\''", 4);
        p += 4;
      } else {
        *p++ = *a;
      }
    }
    if (!plain) *p++ = '\'';
  }
  *p = '\0';
  return out;
}

/* The folder of path, created if missing (one level: results/ beside the configs). */
static fleet_status_t make_parent_folder(const char *path, fleet_error_t *err) {
  const char *slash = strrchr(path, '/');
  if (!slash || slash == path) return FLEET_OK;
  char folder[4096];
  if ((size_t)(slash - path) >= sizeof folder)
    return fleet_error_set(err, FLEET_ERR_USAGE, "output %s: the path is too long", path);
  memcpy(folder, path, (size_t)(slash - path));
  folder[slash - path] = '\0';
  if (mkdir(folder, 0777) != 0 && errno != EEXIST)
    return fleet_error_set(err, FLEET_ERR_IO, "cannot create the output folder %s: %s", folder, strerror(errno));
  return FLEET_OK;
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

/* The signals that end a process by default and that a user or a scheduler sends to stop one:
 * interrupt, terminate, hang-up (a closed terminal or ssh session), and SIGUSR1/SIGUSR2 (Slurm's
 * --signal before the time limit). Each stops the run or merge cleanly instead, leaving no
 * temporary file. */
static void catch_stop_signals(void) {
  static const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2};
  struct sigaction on_stop;
  memset(&on_stop, 0, sizeof on_stop);
  on_stop.sa_handler = request_stop;
  sigemptyset(&on_stop.sa_mask);
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaction(signals[i], &on_stop, NULL);
}

/* The processes of this invocation: several when the program was launched by MPI (main.c). */
static const fleet_ranks_t *cli_ranks = &fleet_ranks_single;

/* Messages and tables come from rank 0 only: the other ranks would print the same. */
static int speaks(void) { return cli_ranks->rank == 0; }

static int run_command(cli_args_t *args, const char *command_line) {
  fleet_error_t err;
  fleet_error_clear(&err);
  fleet_params_t *params = malloc(sizeof *params);
  if (!params) {
    fprintf(stderr, "fleetmc: out of memory\n");
    return 1;
  }
  fleet_scenario_files_t files = {0};
  fleet_status_t status =
      fleet_scenario_load_files(args->config, args->overrides, args->override_count, params, &files, &err);
  char *text = NULL, *output = NULL;
  if (status == FLEET_OK) {
    text = fleet_scenario_format(params);
    if (!text) status = fleet_error_set(&err, FLEET_ERR_NOMEM, "cannot format the scenario");
  }
  if (status == FLEET_OK && strcmp(args->command, "check") == 0 && !speaks()) {
    /* the table is rank 0's */
  } else if (status == FLEET_OK && strcmp(args->command, "check") == 0) {
    fputs(text, stdout);
    fleet_scenario_print_sampled(params, stdout);
    printf("# %s: valid\n", args->config);
  } else if (status == FLEET_OK) {
    output = args->output ? NULL : default_output(args->config);
    const char *path = args->output ? args->output : output;
    if (!path) status = fleet_error_set(&err, FLEET_ERR_NOMEM, "out of memory");
    if (status == FLEET_OK && !args->output) status = make_parent_folder(path, &err);
    /* before the run, so that hours are not spent on a file that cannot be kept */
    /* never over the scenario or any of its base files */
    if (status == FLEET_OK)
      status = fleet_output_check(path, args->force, (const char *const *)files.paths, files.count, &err);
    if (status == FLEET_OK) {
      const fleet_progress_t progress = args->quiet                ? FLEET_PROGRESS_NONE
                                        : isatty(STDERR_FILENO) ? FLEET_PROGRESS_TERMINAL
                                                                : FLEET_PROGRESS_LINES;
      fleet_run_options_t options = {.output_path = path, .overwrite = args->force, .resume = args->resume,
                                     .command_line = command_line, .scenario_file = args->config,
                                     .threads = args->threads, .kernel = args->kernel, .progress = progress, .ranks = cli_ranks,
                                     .stop = &stop_requested};
      catch_stop_signals();
      fleet_run_values_t values;
      char stopped_by[512] = "";
      if (args->target_error_text)
        status = fleet_run_to_target(params, &options, &args->target_error, stopped_by, sizeof stopped_by, &err);
      else
        status = fleet_run(params, text, &options, &values, &err);
      /* the claims table of the file just written, by the one code path of `fleetmc summary` */
      if (status == FLEET_OK && speaks()) status = fleet_summary_file(path, FLEET_FORMAT_TEXT, stdout, &err);
      if (status == FLEET_OK && speaks() && stopped_by[0]) printf("\nfleetmc: %s: stopped_by: %s\n", path, stopped_by);
    }
  }
  if (status != FLEET_OK && speaks()) fprintf(stderr, "fleetmc: %s: %s\n", fleet_status_name(status), err.message);
  fleet_scenario_files_free(&files);
  free(output);
  free(text);
  free(params);
  return fleet_status_exit_code(status);
}

/* fleetmc merge [--force] [--replicas N [--first-replica K]] [--check] OUT IN1 [IN2]..., fleetmc
 * summary FILE, fleetmc compare A B and fleetmc schema: file arguments, --force, --replicas,
 * --first-replica and --check (merge) and --format (summary, compare). */
static int file_command(int argc, char **argv, const char *command_line) {
  const char *command = argv[1];
  const int merge = strcmp(command, "merge") == 0, schema = strcmp(command, "schema") == 0,
            compare = strcmp(command, "compare") == 0, formatted = compare || strcmp(command, "summary") == 0;
  const char *files[argc];
  int count = 0, force = 0, check = 0;
  int64_t study_replicas = 0, study_first = -1; /* merge's expected range; -1: --first-replica not given */
  const char *study_first_text = NULL;
  fleet_format_t format = FLEET_FORMAT_TEXT;
  for (int i = 2; i < argc; i++) {
    if (merge && strcmp(argv[i], "--force") == 0) force = 1;
    else if (merge && strcmp(argv[i], "--check") == 0) check = 1;
    else if (merge && (strcmp(argv[i], "--replicas") == 0 || strcmp(argv[i], "--first-replica") == 0)) {
      /* the bounds of simulation.replicas and simulation.first_replica (scenario.c) */
      const int replicas = strcmp(argv[i], "--replicas") == 0;
      if (i + 1 >= argc) return usage_error("option %s needs a value%s", argv[i], "");
      const char *value = argv[++i];
      const int64_t v = strspn(value, "0123456789") == strlen(value) ? parse_count(value) : -1;
      if (replicas && (v < 1 || v > 1000000))
        return usage_error("merge: option --replicas: value '%s' %s", value,
                           "must be a whole number in [1, 1000000]: the study's replicas, as simulation.replicas");
      if (!replicas && (v < 0 || v > 1000000000000))
        return usage_error("merge: option --first-replica: value '%s' %s", value,
                           "must be a whole number in [0, 1e12]: the study's first replica");
      *(replicas ? &study_replicas : &study_first) = v;
      if (!replicas) study_first_text = value;
    }
    else if (formatted && strcmp(argv[i], "--format") == 0) {
      if (i + 1 >= argc) return usage_error("option %s needs a value%s", argv[i], "");
      if (fleet_format_parse(argv[++i], &format) != 0)
        return usage_error("option --format: value '%s' is not one of %s", argv[i], "text, csv, json");
    }
    else if (argv[i][0] == '-' && argv[i][1] != '\0') return usage_error("%s: unknown option '%s'", command, argv[i]);
    else files[count++] = argv[i];
  }
  if (schema) {
    if (count != 0) return usage_error("%s: takes no arguments%s", command, "");
    fleet_schema_print_markdown(stdout);
    return 0;
  }
  if (merge && count < 2) return usage_error("%s: needs OUT and at least one input file%s", command, "");
  if (study_first >= 0 && !study_replicas)
    return usage_error("merge: option --first-replica %s needs --replicas N, the study's size%s", study_first_text, "");
  if (compare && count != 2) return usage_error("%s: needs exactly two files, A and B%s", command, "");
  if (!merge && !compare && count != 1) return usage_error("%s: needs exactly one FILE%s", command, "");
  fleet_error_t err;
  fleet_error_clear(&err);
  fleet_status_t status;
  if (merge) {
    const fleet_merge_options_t options = {.command_line = command_line, .overwrite = force,
                                           .replicas = study_replicas,
                                           .first_replica = study_first < 0 ? 0 : study_first,
                                           .stop = &stop_requested};
    if (check) {
      status = fleet_merge_check(files[0], files + 1, count - 1, &options, stdout, &err);
    } else {
      catch_stop_signals();
      status = fleet_merge_with(files[0], files + 1, count - 1, &options, &err);
      if (status == FLEET_OK) printf("fleetmc: merged %d file(s) -> %s\n", count - 1, files[0]);
    }
  } else if (compare) {
    status = fleet_compare_files(files[0], files[1], format, stdout, &err);
  } else {
    status = fleet_summary_file(files[0], format, stdout, &err);
  }
  if (status != FLEET_OK) fprintf(stderr, "fleetmc: %s: %s\n", fleet_status_name(status), err.message);
  return fleet_status_exit_code(status);
}

static int cli_command(int argc, char **argv);

int fleet_cli_main_ranks(int argc, char **argv, const fleet_ranks_t *ranks) {
  cli_ranks = ranks ? ranks : &fleet_ranks_single;
  return fleet_cli_main(argc, argv);
}

int fleet_cli_main(int argc, char **argv) {
  /* No HDF5 clean-up at exit: every file a command opens is closed or discarded before it
   * returns, except one whose close failed (a full disk), which HDF5 would try, and fail, to
   * flush again at exit, crashing inside the library. Must precede any other HDF5 call. */
  H5dont_atexit();
  /* HDF5 keeps freed blocks on free lists of up to 16 MiB by default; 1 MiB in all bounds what a
   * long merge or summary holds there */
  H5set_free_list_limits(256 * 1024, 64 * 1024, 256 * 1024, 64 * 1024, 256 * 1024, 64 * 1024);
  const int rc = cli_command(argc, argv);
  /* ... but the library's own memory is released when nothing is left open (so that leak
   * checkers see a clean exit), which is every case but a failed close. */
  if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) == 0) H5close();
  return rc;
}

static int cli_command(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage_text, stderr);
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("fleetmc %s (commit %s, result format %d)\n", FLEETMC_VERSION, fleet_build_git_commit,
           FLEETMC_FORMAT_VERSION);
    return 0;
  }
  char *command_line = join_command_line(argc, argv);
  if (!command_line) {
    fprintf(stderr, "fleetmc: out of memory\n");
    return 1;
  }
  int rc;
  if (strcmp(argv[1], "merge") == 0 || strcmp(argv[1], "summary") == 0 || strcmp(argv[1], "schema") == 0 ||
      strcmp(argv[1], "compare") == 0) {
    rc = speaks() ? file_command(argc, argv, command_line) : 0; /* only `run` is split over ranks */
    free(command_line);
    return rc;
  }
  if (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "check") != 0) {
    free(command_line);
    return usage_error("unknown command '%s'%s", argv[1], "");
  }
  cli_args_t args;
  memset(&args, 0, sizeof args);
  rc = parse_args(argc, argv, &args);
  if (rc == 0) rc = run_command(&args, command_line);
  for (int i = 0; i < args.override_count; i++) free(args.owned[i]);
  free(command_line);
  return rc;
}
