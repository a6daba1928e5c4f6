/* checkpoint.c: the checkpoint folder of a run (see checkpoint.h). */
#define _POSIX_C_SOURCE 200809L

#include "checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build_info.h"
#include "merge.h"
#include "population.h"
#include "run.h"
#include "schema.h"
#include "version.h"

/* Bumped when the record layout below changes. */
#define CHECKPOINT_LAYOUT 1
static const char record_magic[16] = "fleetmc-record";

struct fleet_checkpoint {
  char *folder;
  int owner;
  int created; /* the folder is this run's: removed at the end if it holds no record */
  int lock_fd;
  char model_sha256[65];
  uint64_t seed;
  char kernel[16];
  int64_t years, slots, row_doubles;
  fleet_schema_dims_t dims;
};

/* The fixed part of a record file; then years_done rows, then (in progress) each field of
 * FLEET_STATE_FIELDS, slots floats each. */
typedef struct {
  char magic[16];
  uint32_t layout, format_version;
  char model_sha256[72];
  uint64_t seed;
  int64_t replica, years, years_done, row_doubles, slots, state_fields, threads;
  double wall_seconds;
} record_header_t;

#define COUNT_FIELD(name) +1
enum { STATE_FIELDS = 0 FLEET_STATE_FIELDS(COUNT_FIELD) };
#undef COUNT_FIELD

const char *fleet_checkpoint_path(const fleet_checkpoint_t *ckpt) { return ckpt->folder; }
int64_t fleet_checkpoint_row_doubles(const fleet_checkpoint_t *ckpt) { return ckpt->row_doubles; }

void fleet_checkpoint_pack(const fleet_checkpoint_t *ckpt, const fleet_year_totals_t *totals, double *row) {
  fleet_year_totals_t *source = (fleet_year_totals_t *)totals; /* read only: fleet_dataset_row is generic */
  for (int k = 0; k < FLEET_DS_COUNT; k++) {
    const fleet_dataset_spec_t *spec = &fleet_datasets[k];
    if (spec->source != FLEET_FROM_YEAR) continue;
    const int64_t n = fleet_dataset_row_length(spec, &ckpt->dims);
    memcpy(row, fleet_dataset_row(spec, source, NULL, NULL), (size_t)n * sizeof *row);
    row += n;
  }
}

void fleet_checkpoint_unpack(const fleet_checkpoint_t *ckpt, const double *row, fleet_year_totals_t *totals) {
  memset(totals, 0, sizeof *totals);
  for (int k = 0; k < FLEET_DS_COUNT; k++) {
    const fleet_dataset_spec_t *spec = &fleet_datasets[k];
    if (spec->source != FLEET_FROM_YEAR) continue;
    const int64_t n = fleet_dataset_row_length(spec, &ckpt->dims);
    memcpy(fleet_dataset_row(spec, totals, NULL, NULL), row, (size_t)n * sizeof *row);
    row += n;
  }
}

/* ---- paths -------------------------------------------------------------------------------- */

static char *join(const char *folder, const char *name) {
  size_t size = strlen(folder) + strlen(name) + 2;
  char *path = malloc(size);
  if (path) snprintf(path, size, "%s/%s", folder, name);
  return path;
}

static void record_name(int64_t replica, int done, char *out, size_t size) {
  snprintf(out, size, "replica-%08" PRId64 ".%s", replica, done ? "done" : "part");
}

/* Writes the n parts (sizes[i] bytes at parts[i]) into path via path.tmp.<pid>, synced before the
 * rename, so that path is never seen half-written. */
static fleet_status_t write_whole(const char *path, const void *const *parts, const size_t *sizes, int n,
                                  fleet_error_t *err) {
  char tmp[4200];
  if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
    return fleet_error_set(err, FLEET_ERR_IO, "checkpoint path %s is too long", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return fleet_error_set(err, FLEET_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
  fleet_status_t status = FLEET_OK;
  for (int i = 0; i < n && status == FLEET_OK; i++) {
    const char *p = parts[i];
    size_t left = sizes[i];
    while (left > 0) {
      ssize_t wrote = write(fd, p, left);
      if (wrote < 0 && errno == EINTR) continue; /* a stop signal arrived: the record is still wanted */
      if (wrote <= 0) {
        status = fleet_error_set(err, FLEET_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
        break;
      }
      p += wrote;
      left -= (size_t)wrote;
    }
  }
  if (status == FLEET_OK && fsync(fd) != 0)
    status = fleet_error_set(err, FLEET_ERR_IO, "cannot sync %s: %s", tmp, strerror(errno));
  if (close(fd) != 0 && status == FLEET_OK)
    status = fleet_error_set(err, FLEET_ERR_IO, "cannot close %s: %s", tmp, strerror(errno));
  if (status == FLEET_OK && rename(tmp, path) != 0)
    status = fleet_error_set(err, FLEET_ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
  if (status != FLEET_OK) unlink(tmp);
  return status;
}

/* A whole small text file, or NULL. */
static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *text = NULL;
  if (fseek(f, 0, SEEK_END) == 0) {
    long size = ftell(f);
    if (size >= 0 && size < (1 << 24) && fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)size + 1))) {
      if (fread(text, 1, (size_t)size, f) != (size_t)size) {
        free(text);
        text = NULL;
      } else {
        text[size] = '\0';
      }
    }
  }
  fclose(f);
  return text;
}

/* ---- the manifest ------------------------------------------------------------------------- */

static int format_manifest(const fleet_checkpoint_t *ckpt, char *out, size_t size) {
  return snprintf(out, size,
                  "fleetmc checkpoint\nlayout: %d\nfleetmc_version: %s\ngit_commit: %s\nformat_version: %d\n"
                  "seed: %" PRIu64 "\nmodel_sha256: %s\nkernel: %s\n",
                  CHECKPOINT_LAYOUT, FLEETMC_VERSION, fleet_build_git_commit, FLEETMC_FORMAT_VERSION, ckpt->seed,
                  ckpt->model_sha256, ckpt->kernel);
}

/* The value of "key: value" in a manifest text, into out. */
static void manifest_value(const char *text, const char *key, char *out, size_t size) {
  out[0] = '\0';
  size_t key_length = strlen(key);
  for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
    if (strncmp(line, key, key_length) == 0 && line[key_length] == ':') {
      const char *v = line + key_length + 1;
      v += strspn(v, " ");
      snprintf(out, size, "%.*s", (int)strcspn(v, "\n"), v);
      return;
    }
}

/* The folder's manifest against this build and run: which of them differs, in order of what a
 * user would look at first. */
static fleet_status_t check_manifest(const fleet_checkpoint_t *ckpt, const char *model_text, fleet_error_t *err) {
  char *path = join(ckpt->folder, "manifest"), *model_path = join(ckpt->folder, "model.yaml");
  char *text = path ? read_text(path) : NULL, *theirs = model_path ? read_text(model_path) : NULL;
  fleet_status_t status = FLEET_OK;
  char version[64], commit[96], format[16], seed[32], model[72], layout[16], kernel[32];
  if (!text || strncmp(text, "fleetmc checkpoint\n", 19) != 0) {
    status = fleet_error_set(err, FLEET_ERR_INPUT,
                             "%s: no readable manifest: not a fleetmc checkpoint folder, or damaged; remove it or "
                             "choose another output", ckpt->folder);
    goto done;
  }
  manifest_value(text, "layout", layout, sizeof layout);
  manifest_value(text, "fleetmc_version", version, sizeof version);
  manifest_value(text, "git_commit", commit, sizeof commit);
  manifest_value(text, "format_version", format, sizeof format);
  manifest_value(text, "seed", seed, sizeof seed);
  manifest_value(text, "model_sha256", model, sizeof model);
  manifest_value(text, "kernel", kernel, sizeof kernel);
  char here[32];
  snprintf(here, sizeof here, "%d", CHECKPOINT_LAYOUT);
  int same_build = strcmp(layout, here) == 0 && strcmp(version, FLEETMC_VERSION) == 0 &&
                   strcmp(commit, fleet_build_git_commit) == 0;
  snprintf(here, sizeof here, "%d", FLEETMC_FORMAT_VERSION);
  same_build = same_build && strcmp(format, here) == 0;
  if (!same_build) {
    status = fleet_error_set(err, FLEET_ERR_INPUT,
                             "%s was written by fleetmc %s (commit %.12s, result format %s) and this is fleetmc %s "
                             "(commit %.12s, result format %d): a checkpoint is resumed only by the build that "
                             "wrote it, whose model it continues; rerun without --resume and with --force to start "
                             "over", ckpt->folder, version, commit, format, FLEETMC_VERSION, fleet_build_git_commit,
                             FLEETMC_FORMAT_VERSION);
    goto done;
  }
  snprintf(here, sizeof here, "%" PRIu64, ckpt->seed);
  if (strcmp(seed, here) != 0) {
    status = fleet_error_set(err, FLEET_ERR_INPUT,
                             "%s is a run with simulation.seed %s, this run has seed %s: a resumed run must be the "
                             "same command; use --seed %s, or another output", ckpt->folder, seed, here, seed);
    goto done;
  }
  if (strcmp(kernel, ckpt->kernel) != 0) {
    status = fleet_error_set(err, FLEET_ERR_INPUT,
                             "%s was computed with --kernel %s, this run asks for --kernel %s: a run's hourly "
                             "storage rows come from one kernel; use --kernel %s", ckpt->folder, kernel, ckpt->kernel,
                             kernel);
    goto done;
  }
  if (strcmp(model, ckpt->model_sha256) != 0) {
    char difference[400] = "their scenarios differ";
    if (theirs) fleet_scenario_describe_difference(theirs, model_text, "the checkpoint", "this run", difference,
                                                   sizeof difference);
    status = fleet_error_set(err, FLEET_ERR_INPUT,
                             "%s is a run of another scenario (model_sha256 %.12s..., this run %.12s...): %s; a "
                             "resumed run must be the same command (replica counts aside)", ckpt->folder, model,
                             ckpt->model_sha256, difference);
  }
done:
  free(text);
  free(theirs);
  free(path);
  free(model_path);
  return status;
}

/* ---- folder lifetime ---------------------------------------------------------------------- */

/* The names fleetmc writes in the folder: only these are ever removed. */
static int ours(const char *name, int temporaries_only) {
  if (strstr(name, ".tmp.")) return 1;
  if (temporaries_only) return 0;
  if (strcmp(name, "manifest") == 0 || strcmp(name, "model.yaml") == 0 || strcmp(name, "evaluation.h5") == 0)
    return 1;
  size_t n = strlen(name);
  return strncmp(name, "replica-", 8) == 0 && n > 5 &&
         (strcmp(name + n - 5, ".done") == 0 || strcmp(name + n - 5, ".part") == 0);
}

/* 1 if the folder holds a replica's record, done or in progress. */
static int has_records(const char *folder) {
  DIR *dir = opendir(folder);
  if (!dir) return 0;
  int found = 0;
  for (struct dirent *e; !found && (e = readdir(dir));)
    found = ours(e->d_name, 0) && strncmp(e->d_name, "replica-", 8) == 0 && !strstr(e->d_name, ".tmp.");
  closedir(dir);
  return found;
}

static void remove_ours(const char *folder, int temporaries_only) {
  DIR *dir = opendir(folder);
  if (!dir) return;
  for (struct dirent *e; (e = readdir(dir));) {
    if (!ours(e->d_name, temporaries_only)) continue;
    char *path = join(folder, e->d_name);
    if (path) unlink(path);
    free(path);
  }
  closedir(dir);
}

/* Holds an exclusive fcntl lock on the folder's manifest (also over NFS, where flock may not
 * reach other nodes); the lock ends with the process, so a killed run never leaves it locked. */
static fleet_status_t take_lock(fleet_checkpoint_t *ckpt, fleet_error_t *err) {
  char *path = join(ckpt->folder, "manifest");
  if (!path) return fleet_error_set(err, FLEET_ERR_NOMEM, "out of memory");
  fleet_status_t status = FLEET_OK;
  ckpt->lock_fd = open(path, O_RDWR | O_CREAT, 0644);
  if (ckpt->lock_fd < 0) {
    status = errno == ENOENT ? fleet_error_set(err, FLEET_ERR_INPUT, "%s has no manifest: not a fleetmc checkpoint "
                                               "folder, or damaged; remove it or choose another output", ckpt->folder)
                             : fleet_error_set(err, FLEET_ERR_IO, "cannot open %s: %s", path, strerror(errno));
  } else {
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    if (fcntl(ckpt->lock_fd, F_SETLK, &lock) != 0)
      status = fleet_error_set(err, FLEET_ERR_INPUT,
                               "%s is in use by another fleetmc run (it holds the lock on %s): two runs cannot share "
                               "an output", ckpt->folder, path);
  }
  free(path);
  return status;
}

fleet_status_t fleet_checkpoint_open(const fleet_params_t *params, const fleet_checkpoint_options_t *options,
                                     fleet_checkpoint_t **out, fleet_error_t *err) {
  *out = NULL;
  fleet_checkpoint_t *ckpt = calloc(1, sizeof *ckpt);
  if (!ckpt || !(ckpt->folder = malloc(strlen(options->output_path) + 6))) {
    free(ckpt);
    return fleet_error_set(err, FLEET_ERR_NOMEM, "out of memory");
  }
  sprintf(ckpt->folder, "%s.ckpt", options->output_path);
  ckpt->owner = options->owner;
  ckpt->lock_fd = -1;
  ckpt->seed = params->seed;
  snprintf(ckpt->kernel, sizeof ckpt->kernel, "%s", options->kernel ? options->kernel : "hourly");
  ckpt->years = params->years;
  ckpt->dims = (fleet_schema_dims_t){1, params->years, params->region_count, params->price_paths_per_replica};
  for (int k = 0; k < FLEET_DS_COUNT; k++)
    if (fleet_datasets[k].source == FLEET_FROM_YEAR)
      ckpt->row_doubles += fleet_dataset_row_length(&fleet_datasets[k], &ckpt->dims);
  fleet_status_t status = fleet_model_sha256(params, ckpt->model_sha256, err);
  ckpt->slots = fleet_population_slots(params); /* the state arrays' length */
  char *model_text = status == FLEET_OK ? fleet_model_text(params) : NULL;
  if (status == FLEET_OK && !model_text) status = fleet_error_set(err, FLEET_ERR_NOMEM, "cannot format the scenario");
  if (status == FLEET_OK && options->owner) {
    struct stat st;
    int exists = stat(ckpt->folder, &st) == 0;
    if (exists && !S_ISDIR(st.st_mode)) {
      status = fleet_error_set(err, FLEET_ERR_INPUT, "%s exists and is not a checkpoint folder; remove it or choose "
                               "another output", ckpt->folder);
    } else if (exists && !options->resume && !options->discard) {
      status = fleet_error_set(err, FLEET_ERR_INPUT,
                               "%s holds the checkpoint of an earlier run of this output that did not finish: add "
                               "--resume to continue it, or --force to discard it and start over", ckpt->folder);
    } else if (exists && !options->resume) {
      /* --force: the earlier run's records go, unless another run is using them */
      if ((status = take_lock(ckpt, err)) == FLEET_OK) remove_ours(ckpt->folder, 0);
      close(ckpt->lock_fd);
      ckpt->lock_fd = -1;
      if (status == FLEET_OK) rmdir(ckpt->folder);
      exists = 0;
    }
    if (status == FLEET_OK && !exists) {
      if (mkdir(ckpt->folder, 0777) != 0)
        status = fleet_error_set(err, FLEET_ERR_IO, "cannot create the checkpoint folder %s: %s", ckpt->folder,
                                 strerror(errno));
      else
        ckpt->created = 1;
    }
    if (status == FLEET_OK && exists) status = take_lock(ckpt, err);
    if (status == FLEET_OK && exists) status = check_manifest(ckpt, model_text, err);
    if (status == FLEET_OK && exists) remove_ours(ckpt->folder, 1); /* a killed run's half-written files */
    if (status == FLEET_OK && !exists) {
      char manifest[1024];
      const void *parts[1] = {manifest};
      size_t sizes[1] = {(size_t)format_manifest(ckpt, manifest, sizeof manifest)};
      char *path = join(ckpt->folder, "model.yaml");
      const void *model_parts[1] = {model_text};
      size_t model_sizes[1] = {strlen(model_text)};
      status = path ? write_whole(path, model_parts, model_sizes, 1, err)
                    : fleet_error_set(err, FLEET_ERR_NOMEM, "out of memory");
      free(path);
      path = join(ckpt->folder, "manifest");
      if (status == FLEET_OK)
        status = path ? write_whole(path, parts, sizes, 1, err) : fleet_error_set(err, FLEET_ERR_NOMEM, "out of memory");
      free(path);
      if (status == FLEET_OK) status = take_lock(ckpt, err);
    }
  }
  free(model_text);
  if (status != FLEET_OK) {
    fleet_checkpoint_close(ckpt, 0);
    return status;
  }
  *out = ckpt;
  return FLEET_OK;
}

int fleet_checkpoint_close(fleet_checkpoint_t *ckpt, int finished) {
  if (!ckpt) return 0;
  int kept = 0;
  if (ckpt->owner && (finished || ckpt->created)) {
    kept = !finished && has_records(ckpt->folder);
    if (!kept) {
      remove_ours(ckpt->folder, 0);
      rmdir(ckpt->folder); /* kept if someone put a file of theirs in it */
    }
  } else if (ckpt->owner) {
    kept = has_records(ckpt->folder);
  }
  if (ckpt->lock_fd >= 0) close(ckpt->lock_fd);
  free(ckpt->folder);
  free(ckpt);
  return kept;
}

/* ---- records ------------------------------------------------------------------------------ */

fleet_status_t fleet_replica_record_alloc(const fleet_checkpoint_t *ckpt, int64_t replica,
                                          fleet_replica_record_t *record, fleet_error_t *err) {
  memset(record, 0, sizeof *record);
  record->replica = replica;
  record->rows = malloc((size_t)(ckpt->years * ckpt->row_doubles) * sizeof *record->rows);
  if (!record->rows) return fleet_error_set(err, FLEET_ERR_NOMEM, "cannot allocate a replica's record");
  return FLEET_OK;
}

void fleet_replica_record_free(fleet_replica_record_t *record) {
  free(record->rows);
  record->rows = NULL;
}

int fleet_checkpoint_has_done(const fleet_checkpoint_t *ckpt, int64_t replica) {
  char name[64];
  record_name(replica, 1, name, sizeof name);
  char *path = join(ckpt->folder, name);
  struct stat st;
  int has = path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
  free(path);
  return has;
}

fleet_status_t fleet_checkpoint_save(const fleet_checkpoint_t *ckpt, const fleet_replica_record_t *record,
                                     const fleet_state_t *state, fleet_error_t *err) {
  const int done = record->years_done == ckpt->years;
  record_header_t header;
  memset(&header, 0, sizeof header);
  memcpy(header.magic, record_magic, sizeof header.magic);
  header.layout = CHECKPOINT_LAYOUT;
  header.format_version = FLEETMC_FORMAT_VERSION;
  memcpy(header.model_sha256, ckpt->model_sha256, 65);
  header.seed = ckpt->seed;
  header.replica = record->replica;
  header.years = ckpt->years;
  header.years_done = record->years_done;
  header.row_doubles = ckpt->row_doubles;
  header.slots = done ? 0 : ckpt->slots;
  header.state_fields = done ? 0 : STATE_FIELDS;
  header.threads = record->threads;
  header.wall_seconds = record->wall_seconds;
  const void *parts[2 + STATE_FIELDS];
  size_t sizes[2 + STATE_FIELDS];
  int n = 0;
  parts[n] = &header;
  sizes[n++] = sizeof header;
  parts[n] = record->rows;
  sizes[n++] = (size_t)(record->years_done * ckpt->row_doubles) * sizeof(double);
  if (!done) {
    if (!state || state->slots != ckpt->slots)
      return fleet_error_set(err, FLEET_ERR_USAGE, "checkpoint: the state has %" PRId64 " slots, the run %" PRId64,
                             state ? state->slots : 0, ckpt->slots);
#define STATE_PART(name)                                                                                      \
  parts[n] = state->name;                                                                                     \
  sizes[n++] = (size_t)ckpt->slots * sizeof(float);
    FLEET_STATE_FIELDS(STATE_PART)
#undef STATE_PART
  }
  char name[64];
  record_name(record->replica, done, name, sizeof name);
  char *path = join(ckpt->folder, name);
  if (!path) return fleet_error_set(err, FLEET_ERR_NOMEM, "out of memory");
  fleet_status_t status = write_whole(path, parts, sizes, n, err);
  free(path);
  if (status == FLEET_OK && done) { /* the record in progress is superseded */
    record_name(record->replica, 0, name, sizeof name);
    if ((path = join(ckpt->folder, name))) unlink(path);
    free(path);
  }
  return status;
}

static fleet_status_t read_exact(FILE *f, void *data, size_t size, const char *path, fleet_error_t *err) {
  if (size && fread(data, 1, size, f) != size)
    return fleet_error_set(err, FLEET_ERR_INPUT, "checkpoint record %s is shorter than its header says: damaged; "
                           "remove it to recompute that replica", path);
  return FLEET_OK;
}

fleet_status_t fleet_checkpoint_load(const fleet_checkpoint_t *ckpt, int64_t replica, fleet_replica_record_t *record,
                                     fleet_state_t *state, int *found, fleet_error_t *err) {
  *found = 0;
  record->years_done = 0;
  record->wall_seconds = 0.0;
  record->threads = 0;
  record->replica = replica;
  char name[64], *path = NULL;
  FILE *f = NULL;
  for (int done = 1; done >= 0 && !f; done--) {
    record_name(replica, done, name, sizeof name);
    free(path);
    if (!(path = join(ckpt->folder, name))) return fleet_error_set(err, FLEET_ERR_NOMEM, "out of memory");
    if ((f = fopen(path, "rb"))) *found = done ? 2 : 1;
  }
  if (!f) {
    free(path);
    return FLEET_OK;
  }
  record_header_t h;
  fleet_status_t status = read_exact(f, &h, sizeof h, path, err);
  const int done = *found == 2;
  if (status == FLEET_OK &&
      (memcmp(h.magic, record_magic, sizeof h.magic) != 0 || h.layout != CHECKPOINT_LAYOUT ||
       h.format_version != FLEETMC_FORMAT_VERSION))
    status = fleet_error_set(err, FLEET_ERR_INPUT, "%s is not a checkpoint record of this fleetmc build", path);
  if (status == FLEET_OK && (strncmp(h.model_sha256, ckpt->model_sha256, 65) != 0 || h.seed != ckpt->seed))
    status = fleet_error_set(err, FLEET_ERR_INPUT, "%s belongs to another run (its model_sha256 %.12s..., this run's "
                             "%.12s...)", path, h.model_sha256, ckpt->model_sha256);
  if (status == FLEET_OK &&
      (h.replica != replica || h.years != ckpt->years || h.row_doubles != ckpt->row_doubles ||
       h.years_done < (done ? ckpt->years : 1) || h.years_done > (done ? ckpt->years : ckpt->years - 1) ||
       h.slots != (done ? 0 : ckpt->slots) || h.state_fields != (done ? 0 : STATE_FIELDS)))
    status = fleet_error_set(err, FLEET_ERR_INPUT, "%s: its header (replica %" PRId64 ", %" PRId64 " of %" PRId64
                             " years) does not fit its name and this run: damaged; remove it to recompute that "
                             "replica", path, h.replica, h.years_done, h.years);
  if (status == FLEET_OK) {
    record->years_done = h.years_done;
    record->wall_seconds = h.wall_seconds;
    record->threads = h.threads;
    status = read_exact(f, record->rows, (size_t)(h.years_done * h.row_doubles) * sizeof(double), path, err);
  }
  if (status == FLEET_OK && !done && state) {
#define STATE_READ(name) \
  if (status == FLEET_OK) status = read_exact(f, state->name, (size_t)ckpt->slots * sizeof(float), path, err);
    FLEET_STATE_FIELDS(STATE_READ)
#undef STATE_READ
  }
  if (status == FLEET_OK && (!done && !state ? 0 : fgetc(f) != EOF))
    status = fleet_error_set(err, FLEET_ERR_INPUT, "%s is longer than its header says: damaged; remove it to "
                             "recompute that replica", path);
  fclose(f);
  free(path);
  return status;
}
