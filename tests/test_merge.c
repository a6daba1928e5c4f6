#define _DEFAULT_SOURCE /* mkdtemp, wait4 */
/* merge and summary: parts of a study merged in any order equal one run over the whole range, bit
 * for bit; inputs that do not fit are refused (exit 2) naming the file and the rule, leaving no
 * output; summary prints the claims table. Small fleets of the baseline scenario. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5_hl.h>

#include "h5_reader.h"
#include "merge.h"
#include "run.h"
#include "scenario.h"
#include "version.h"

#define BASELINE FLEET_SOURCE_DIR "/configs/baseline.yaml"

static char tmpdir[64];

static void make_tmpdir(void) {
  strcpy(tmpdir, "/tmp/fleetmc-merge-XXXXXX");
  cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void) {
  DIR *d = opendir(tmpdir);
  if (!d) return;
  struct dirent *entry;
  char path[512];
  while ((entry = readdir(d)))
    if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
      snprintf(path, sizeof path, "%s/%s", tmpdir, entry->d_name);
      unlink(path);
    }
  closedir(d);
  rmdir(tmpdir);
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* 1 if tmpdir holds a file whose name starts with prefix (a temporary file left behind). */
static int left_over(const char *prefix) {
  DIR *d = opendir(tmpdir);
  cr_assert_not_null(d);
  struct dirent *entry;
  int found = 0;
  while ((entry = readdir(d))) found |= strncmp(entry->d_name, prefix, strlen(prefix)) == 0;
  closedir(d);
  return found;
}

/* The baseline, 400 vehicles, 2 years, with the extra override (or NULL), over replicas
 * [first, first + replicas). Caller frees. */
static fleet_params_t *small_study(const char *extra, int64_t first, int64_t replicas) {
  fleet_params_t *p = malloc(sizeof *p);
  cr_assert_not_null(p);
  const char *overrides[] = {"fleet.vehicles=400", "simulation.years=2", extra};
  fleet_error_t err;
  cr_assert_eq(fleet_scenario_load(BASELINE, overrides, extra ? 3 : 2, p, &err), FLEET_OK, "%s", err.message);
  p->first_replica = first;
  p->replicas = replicas;
  return p;
}

/* Runs that study to tmpdir/name; path receives the file's path. */
static void run_part(const char *name, const char *extra, int64_t first, int64_t replicas, int threads, char *path,
                     size_t size) {
  fleet_params_t *p = small_study(extra, first, replicas);
  snprintf(path, size, "%s/%s", tmpdir, name);
  char *text = fleet_scenario_format(p);
  cr_assert_not_null(text);
  fleet_run_options_t options = {.output_path = path, .threads = threads, .command_line = "test_merge",
                                 .scenario_file = BASELINE};
  fleet_run_values_t values;
  fleet_error_t err;
  cr_assert_eq(fleet_run(p, text, &options, &values, &err), FLEET_OK, "%s", err.message);
  free(text);
  free(p);
}

/* ---- comparing two files ------------------------------------------------------------------ */

#define MAX_NAMES 128

typedef struct {
  char names[MAX_NAMES][128];
  int count;
} names_t;

static herr_t add_link(hid_t group, const char *name, const H5L_info_t *info, void *data) {
  (void)group;
  (void)info;
  names_t *list = data;
  cr_assert_lt(list->count, MAX_NAMES);
  snprintf(list->names[list->count++], sizeof list->names[0], "%s", name);
  return 0;
}

static herr_t add_attr(hid_t obj, const char *name, const H5A_info_t *info, void *data) {
  (void)obj;
  (void)info;
  return add_link(obj, name, NULL, data);
}

static int skipped(const char *name, const char *const *skip) {
  for (; skip && *skip; skip++)
    if (strcmp(name, *skip) == 0) return 1;
  return 0;
}

/* Two objects' values, of the same type and shape, read as they are stored: strings compared as
 * strings, everything else byte for byte. is_attr: a, b are attributes, else datasets. */
static void assert_same_values(hid_t a, hid_t b, int is_attr, const char *what) {
  hid_t ta = is_attr ? H5Aget_type(a) : H5Dget_type(a), tb = is_attr ? H5Aget_type(b) : H5Dget_type(b);
  hid_t sa = is_attr ? H5Aget_space(a) : H5Dget_space(a), sb = is_attr ? H5Aget_space(b) : H5Dget_space(b);
  cr_assert(ta >= 0 && tb >= 0 && sa >= 0 && sb >= 0, "%s", what);
  cr_assert_gt(H5Tequal(ta, tb), 0, "%s: types differ", what);
  cr_assert_gt(H5Sextent_equal(sa, sb), 0, "%s: shapes differ", what);
  hssize_t n = H5Sget_simple_extent_npoints(sa);
  cr_assert_gt(n, 0, "%s", what);
  /* fleetmc writes variable-length strings; HDF5's dimension-scale attributes (CLASS, NAME) are
   * fixed-length ones, compared byte for byte below */
  if (H5Tget_class(ta) == H5T_STRING && H5Tis_variable_str(ta) > 0) {
    char **va = calloc((size_t)n, sizeof *va), **vb = calloc((size_t)n, sizeof *vb);
    cr_assert_geq(is_attr ? H5Aread(a, ta, va) : H5Dread(a, ta, H5S_ALL, H5S_ALL, H5P_DEFAULT, va), 0, "%s", what);
    cr_assert_geq(is_attr ? H5Aread(b, tb, vb) : H5Dread(b, tb, H5S_ALL, H5S_ALL, H5P_DEFAULT, vb), 0, "%s", what);
    for (hssize_t i = 0; i < n; i++) {
      cr_assert_str_eq(va[i], vb[i], "%s: element %lld differs", what, (long long)i);
      H5free_memory(va[i]);
      H5free_memory(vb[i]);
    }
    free(va);
    free(vb);
  } else {
    size_t bytes = (size_t)n * H5Tget_size(ta);
    unsigned char *va = malloc(bytes), *vb = malloc(bytes);
    cr_assert_geq(is_attr ? H5Aread(a, ta, va) : H5Dread(a, ta, H5S_ALL, H5S_ALL, H5P_DEFAULT, va), 0, "%s", what);
    cr_assert_geq(is_attr ? H5Aread(b, tb, vb) : H5Dread(b, tb, H5S_ALL, H5S_ALL, H5P_DEFAULT, vb), 0, "%s", what);
    cr_assert_eq(memcmp(va, vb, bytes), 0, "%s: values differ", what);
    free(va);
    free(vb);
  }
  H5Sclose(sa);
  H5Sclose(sb);
  H5Tclose(ta);
  H5Tclose(tb);
}

/* The same attribute names on both objects, and the same values except those in skip. */
static void assert_same_attributes(hid_t a, hid_t b, const char *path, const char *const *skip) {
  static names_t na, nb;
  na.count = nb.count = 0;
  cr_assert_geq(H5Aiterate2(a, H5_INDEX_NAME, H5_ITER_INC, NULL, add_attr, &na), 0);
  cr_assert_geq(H5Aiterate2(b, H5_INDEX_NAME, H5_ITER_INC, NULL, add_attr, &nb), 0);
  cr_assert_eq(na.count, nb.count, "%s: %d vs %d attributes", path, na.count, nb.count);
  for (int i = 0; i < na.count; i++) {
    cr_assert_str_eq(na.names[i], nb.names[i], "%s: attribute names differ", path);
    if (skipped(na.names[i], skip)) continue;
    char what[256];
    snprintf(what, sizeof what, "attribute %s of %s", na.names[i], path);
    hid_t aa = H5Aopen(a, na.names[i], H5P_DEFAULT), ab = H5Aopen(b, nb.names[i], H5P_DEFAULT);
    cr_assert(aa >= 0 && ab >= 0, "%s", what);
    assert_same_values(aa, ab, 1, what);
    H5Aclose(aa);
    H5Aclose(ab);
  }
}

typedef struct {
  char names[8][160];
  int count;
} scales_t;

static herr_t add_scale(hid_t object, unsigned axis, hid_t scale, void *data) {
  (void)object;
  (void)axis;
  scales_t *list = data;
  cr_assert_lt(list->count, 8);
  cr_assert_gt(H5Iget_name(scale, list->names[list->count++], sizeof list->names[0]), 0);
  return 0;
}

/* The dimension scales attached to each axis of two datasets: the same objects by path (the
 * references in DIMENSION_LIST are file addresses, not comparable across files). */
static void assert_same_scales(hid_t a, hid_t b, const char *name) {
  hid_t space = H5Dget_space(a);
  const int rank = H5Sget_simple_extent_ndims(space);
  H5Sclose(space);
  for (int axis = 0; axis < rank; axis++) {
    scales_t sa = {.count = 0}, sb = {.count = 0};
    cr_assert_geq(H5DSiterate_scales(a, (unsigned)axis, NULL, add_scale, &sa), 0, "%s axis %d", name, axis);
    cr_assert_geq(H5DSiterate_scales(b, (unsigned)axis, NULL, add_scale, &sb), 0, "%s axis %d", name, axis);
    cr_assert_eq(sa.count, 1, "%s axis %d: %d scales attached", name, axis, sa.count);
    cr_assert_eq(sb.count, 1, "%s axis %d: %d scales attached", name, axis, sb.count);
    cr_assert_str_eq(sa.names[0], sb.names[0], "%s axis %d", name, axis);
  }
}

/* Every object of the two files, their datasets (coordinates included) bit for bit, their
 * attributes and attached dimension scales, except the root attributes that say who wrote the
 * file when and how (created, git_commit, fleetmc_version, command_line) and /runtime. */
static void assert_same_file(const char *path_a, const char *path_b) {
  hid_t a = H5Fopen(path_a, H5F_ACC_RDONLY, H5P_DEFAULT), b = H5Fopen(path_b, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(a >= 0 && b >= 0, "%s, %s", path_a, path_b);
  static const char *const root_skip[] = {"created", "git_commit", "fleetmc_version", "command_line",
                                          "attributes_sha256" /* of them all */, NULL};
  /* references (file addresses): compared through assert_same_scales */
  static const char *const scale_skip[] = {"DIMENSION_LIST", "REFERENCE_LIST", NULL};
  assert_same_attributes(a, b, "/", root_skip);
  static names_t la, lb;
  la.count = lb.count = 0;
  cr_assert_geq(H5Lvisit(a, H5_INDEX_NAME, H5_ITER_INC, add_link, &la), 0);
  cr_assert_geq(H5Lvisit(b, H5_INDEX_NAME, H5_ITER_INC, add_link, &lb), 0);
  cr_assert_eq(la.count, lb.count, "%s has %d objects, %s %d", path_a, la.count, path_b, lb.count);
  int datasets = 0;
  for (int i = 0; i < la.count; i++) {
    const char *name = la.names[i];
    cr_assert_str_eq(name, lb.names[i]);
    hid_t oa = H5Oopen(a, name, H5P_DEFAULT), ob = H5Oopen(b, name, H5P_DEFAULT);
    cr_assert(oa >= 0 && ob >= 0, "%s", name);
    cr_assert_eq(H5Iget_type(oa), H5Iget_type(ob), "%s", name);
    if (H5Iget_type(oa) == H5I_DATASET && strncmp(name, "runtime/", 8) != 0) {
      char what[256];
      snprintf(what, sizeof what, "dataset /%s", name);
      assert_same_values(oa, ob, 0, what);
      cr_assert_eq(H5DSis_scale(oa), H5DSis_scale(ob), "%s", what);
      if (H5DSis_scale(oa) <= 0) assert_same_scales(oa, ob, what); /* a coordinate has none */
      datasets++;
    }
    /* /runtime differs by nature (times), with its checksums */
    if (strncmp(name, "runtime", 7) != 0) assert_same_attributes(oa, ob, name, scale_skip);
    H5Oclose(oa);
    H5Oclose(ob);
  }
  /* the schema's datasets but /runtime, and the coordinates of each group */
  cr_assert_geq(datasets, FLEET_DS_COUNT - 3 + 20, "only %d datasets compared", datasets);
  H5Fclose(a);
  H5Fclose(b);
}

/* ---- tests -------------------------------------------------------------------------------- */

Test(merge, parts_in_any_order_equal_one_run_over_the_whole_range) {
  make_tmpdir();
  char one[160], a[160], b[160], ab[160], ba[160];
  run_part("one.h5", NULL, 0, 3, 2, one, sizeof one);
  run_part("a.h5", NULL, 0, 1, 1, a, sizeof a);
  run_part("b.h5", NULL, 1, 2, 2, b, sizeof b);
  snprintf(ab, sizeof ab, "%s/ab.h5", tmpdir);
  snprintf(ba, sizeof ba, "%s/ba.h5", tmpdir);
  fleet_error_t err;
  const char *forward[] = {a, b}, *backward[] = {b, a};
  cr_assert_eq(fleet_merge(ab, forward, 2, "test_merge ab", 0, NULL, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_merge(ba, backward, 2, "test_merge ba", 0, NULL, &err), FLEET_OK, "%s", err.message);
  assert_same_file(one, ab);
  assert_same_file(one, ba);

  /* what is allowed to differ, and the model hash every file carries */
  fleet_h5_file_info_t info_one, info_a, info_b, info_ab;
  cr_assert_eq(fleet_h5_read_info(one, &info_one, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_h5_read_info(a, &info_a, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_h5_read_info(b, &info_b, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(fleet_h5_read_info(ab, &info_ab, &err), FLEET_OK, "%s", err.message);
  /* the largest of the inputs' (2 with OpenMP; a serial build records 1 for every file) */
  const fleet_run_values_t *ra = &info_a.runtime, *rb = &info_b.runtime;
  cr_assert_eq(info_ab.runtime.threads, ra->threads > rb->threads ? ra->threads : rb->threads);
  cr_assert_eq(info_ab.runtime.wall_seconds, ra->wall_seconds + rb->wall_seconds);
  cr_assert_eq(info_ab.runtime.vehicle_hours, ra->vehicle_hours + rb->vehicle_hours);
  cr_assert_eq(info_ab.runtime.vehicle_hours, info_one.runtime.vehicle_hours);
  cr_assert_str_eq(info_ab.command_line, "test_merge ab");
  cr_assert_str_eq(info_ab.scenario_file, BASELINE);
  fleet_params_t *p = small_study(NULL, 40, 7); /* any range: the hash does not depend on it */
  char model[65];
  cr_assert_eq(fleet_model_sha256(p, model, &err), FLEET_OK);
  cr_assert_str_eq(info_one.model_sha256, model);
  cr_assert_str_eq(info_a.model_sha256, model);
  cr_assert_str_eq(info_b.model_sha256, model);
  cr_assert_str_eq(info_ab.model_sha256, model);
  free(p);
  fleet_h5_file_info_free(&info_one);
  fleet_h5_file_info_free(&info_a);
  fleet_h5_file_info_free(&info_b);
  fleet_h5_file_info_free(&info_ab);
  remove_tmpdir();
}

Test(merge, scenario_text_with_a_new_range_is_the_formatted_scenario_of_that_range) {
  fleet_params_t *p = small_study(NULL, 0, 1);
  char *text = fleet_scenario_format(p);
  p->replicas = 123;
  p->first_replica = 4567;
  char *expected = fleet_scenario_format(p);
  int64_t replicas = 0, first = 0;
  fleet_error_t err;
  char *rewritten = fleet_scenario_text_with_range("x.h5", text, 123, 4567, &replicas, &first, &err);
  cr_assert_not_null(rewritten, "%s", err.message);
  cr_assert_str_eq(rewritten, expected);
  cr_assert_eq(replicas, 1);
  cr_assert_eq(first, 0);
  /* a text without the range keys is refused, naming the file and the key */
  cr_assert_null(fleet_scenario_text_with_range("x.h5", "fleet:\n  vehicles: 4  # vehicles\n", 1, 0, NULL, NULL, &err));
  cr_assert_eq(err.code, FLEET_ERR_INPUT);
  cr_assert_not_null(strstr(err.message, "x.h5"), "%s", err.message);
  cr_assert_not_null(strstr(err.message, "simulation.replicas"), "%s", err.message);
  free(rewritten);
  free(expected);
  free(text);
  free(p);
}

/* Runs a shell command; returns its exit status, with its stdout and stderr in out and err_out. */
static int shell(const char *command, char *out, size_t out_size, char *err_out, size_t err_size) {
  char line[2048], out_path[128], err_path[128];
  snprintf(out_path, sizeof out_path, "%s/stdout.txt", tmpdir);
  snprintf(err_path, sizeof err_path, "%s/stderr.txt", tmpdir);
  snprintf(line, sizeof line, "%s >%s 2>%s", command, out_path, err_path);
  int status = system(line);
  const char *paths[2] = {out_path, err_path};
  char *buffers[2] = {out, err_out};
  size_t sizes[2] = {out_size, err_size};
  for (int i = 0; i < 2; i++) {
    FILE *f = fopen(paths[i], "r");
    size_t n = f ? fread(buffers[i], 1, sizes[i] - 1, f) : 0;
    buffers[i][n] = '\0';
    if (f) fclose(f);
    remove(paths[i]);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  cr_assert(in && out);
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, in)) > 0) cr_assert_eq(fwrite(buffer, 1, n, out), n);
  fclose(in);
  cr_assert_eq(fclose(out), 0);
}

Test(merge_cli, bad_inputs_exit_2_naming_the_file_and_the_rule_and_leave_no_output) {
  make_tmpdir();
  char a[160], b[160], c[160], d[160], s[160], v[160], k[160], text[160], missing[160], plain[160], v2[160];
  run_part("a.h5", NULL, 0, 1, 2, a, sizeof a);
  run_part("b.h5", NULL, 1, 2, 2, b, sizeof b);
  run_part("c.h5", NULL, 0, 2, 2, c, sizeof c);                      /* overlaps a */
  run_part("d.h5", NULL, 2, 1, 2, d, sizeof d);                      /* a + d: replica 1 missing */
  run_part("s.h5", "simulation.seed=7", 1, 2, 2, s, sizeof s);       /* another seed */
  run_part("v.h5", "fleet.vehicles=500", 1, 2, 2, v, sizeof v);      /* another fleet size */
  run_part("k.h5", "fleet.battery_kwh=40", 1, 2, 2, k, sizeof k);    /* another model, same size */
  snprintf(text, sizeof text, "%s/text.h5", tmpdir);
  FILE *f = fopen(text, "w");
  cr_assert_not_null(f);
  fputs("not an HDF5 file\n", f);
  fclose(f);
  snprintf(missing, sizeof missing, "%s/missing.h5", tmpdir);
  snprintf(plain, sizeof plain, "%s/plain.h5", tmpdir); /* HDF5, but not a fleetmc file */
  hid_t h = H5Fcreate(plain, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert_geq(h, 0);
  H5Fclose(h);
  snprintf(v2, sizeof v2, "%s/v2.h5", tmpdir); /* a fleetmc file of another format version */
  copy_file(b, v2);
  h = H5Fopen(v2, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t attr = H5Aopen(h, "format_version", H5P_DEFAULT);
  const int32_t other = FLEETMC_FORMAT_VERSION + 1;
  cr_assert_geq(H5Awrite(attr, H5T_NATIVE_INT32, &other), 0);
  H5Aclose(attr);
  H5Fclose(h);

  char other_version[64];
  snprintf(other_version, sizeof other_version, "format_version %d, this fleetmc reads %d", FLEETMC_FORMAT_VERSION + 1,
           FLEETMC_FORMAT_VERSION);
  struct {
    const char *second;  /* merged with a.h5 */
    const char *names[3]; /* what the message must name: files and the rule */
  } cases[] = {
      {s, {s, "seed", "one study"}},
      {v, {v, "vehicles", "one study"}},
      {k, {k, "fleet.battery_kwh", "model_sha256"}},
      {c, {c, a, "overlap"}},
      {d, {d, a, "contiguous"}},
      {text, {text, "not an HDF5 file", NULL}},
      {missing, {missing, "No such file", NULL}},
      {plain, {plain, "not a fleetmc result file (attribute filetype is missing)", NULL}},
      {v2, {v2, other_version, NULL}},
  };
  char out[160], command[1024], stdout_text[65536], err[4096];
  snprintf(out, sizeof out, "%s/out.h5", tmpdir);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    for (int order = 0; order < 2; order++) {
      snprintf(command, sizeof command, "%s merge %s %s %s", FLEETMC_EXE, out, order ? cases[i].second : a,
               order ? a : cases[i].second);
      cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, err, sizeof err), 2, "%s: %s", command, err);
      for (int n = 0; n < 3 && cases[i].names[n]; n++)
        cr_assert_not_null(strstr(err, cases[i].names[n]), "%s: message '%s' does not name '%s'", command, err,
                           cases[i].names[n]);
      cr_assert(!exists(out), "%s left %s", command, out);
      cr_assert(!left_over("out.h5"), "%s left a temporary file", command);
    }
  }
  /* the output may not be an input; a usage error names it */
  snprintf(command, sizeof command, "%s merge %s %s %s", FLEETMC_EXE, b, a, b);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, err, sizeof err), 2, "%s", err);
  cr_assert_not_null(strstr(err, b), "%s", err);
  snprintf(command, sizeof command, "%s merge %s", FLEETMC_EXE, out);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, err, sizeof err), 2, "%s", err);
  snprintf(command, sizeof command, "%s summary %s", FLEETMC_EXE, text);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, err, sizeof err), 2, "%s", err);
  cr_assert_not_null(strstr(err, text), "%s", err);

  /* and the good case through the program, then its summary */
  snprintf(command, sizeof command, "%s merge %s %s %s", FLEETMC_EXE, out, b, a);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, err, sizeof err), 0, "%s", err);
  cr_assert(exists(out));
  /* an existing output is refused, named and left as it is, unless --force */
  struct stat before, after;
  cr_assert_eq(stat(out, &before), 0);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, err, sizeof err), 2, "%s", err);
  cr_assert_not_null(strstr(err, out), "%s", err);
  cr_assert_not_null(strstr(err, "--force"), "%s", err);
  cr_assert_eq(stat(out, &after), 0);
  cr_assert(before.st_ino == after.st_ino && before.st_mtime == after.st_mtime && before.st_size == after.st_size);
  snprintf(command, sizeof command, "%s merge --force %s %s %s", FLEETMC_EXE, out, b, a);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, err, sizeof err), 0, "%s", err);
  cr_assert_eq(stat(out, &after), 0);
  cr_assert_neq(before.st_ino, after.st_ino, "--force did not replace %s", out);
  /* never onto a device, even with --force */
  snprintf(command, sizeof command, "%s merge --force /dev/null %s %s", FLEETMC_EXE, b, a);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, err, sizeof err), 2, "%s", err);
  cr_assert_not_null(strstr(err, "/dev/null"), "%s", err);
  cr_assert_not_null(strstr(err, "not a regular file"), "%s", err);
  snprintf(command, sizeof command, "%s summary %s", FLEETMC_EXE, out);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, err, sizeof err), 0, "%s", err);
  const char *claims[] = {"\nC1 ", "\nC2 ", "\nC3 ", "\nC4 ", "\nC5/C6 ", "\nC6/C8 ", "\nC7 ", "\nC8 "};
  for (size_t i = 0; i < sizeof claims / sizeof claims[0]; i++)
    cr_assert_not_null(strstr(stdout_text, claims[i]), "no line for%s in:\n%s", claims[i], stdout_text);
  cr_assert_not_null(strstr(stdout_text, "replicas [0, 3)"), "%s", stdout_text);
  cr_assert_not_null(strstr(stdout_text, "cars deliverable, 18:00-21:00, winter (Dec-Feb)"), "%s", stdout_text);
  /* 2 years of a 5-year lease: said */
  cr_assert_not_null(strstr(stdout_text, "warning: the run covers 2 of the lease's 5 years"), "%s", stdout_text);
  cr_assert_not_null(strstr(stdout_text, "GWh"), "%s", stdout_text);
  remove_tmpdir();
}

/* Peak resident memory of `fleetmc ARGS`, KiB, from the child's own rusage (wait4). */
static long peak_kib_of(const char *const *args) {
  const pid_t child = fork();
  cr_assert_geq(child, 0);
  if (child == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    execv(FLEETMC_EXE, (char *const *)args);
    _exit(127);
  }
  int status = 0;
  struct rusage usage;
  cr_assert_eq(wait4(child, &status, 0, &usage), child);
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s %s exited %d", args[1], args[2], status);
  return usage.ru_maxrss;
}

/* summary (exact quantiles over every hour) and merge need the same memory for a file of 60
 * replicas as for one of 2: a file's size, true or claimed, does not size an allocation. Holding
 * the 60 replicas' hours, as summary once did, adds 60 x 8760 x 3 doubles = 12 MiB; HDF5's bounded
 * caches and free lists, and malloc's arenas, fill differently by up to about 2 MiB with the
 * file's layout. The bound is 4 MiB of growth. */
Test(merge_cli, summary_and_merge_memory_does_not_grow_with_the_file) {
#ifdef __SANITIZE_ADDRESS__
  cr_skip_test("under AddressSanitizer the resident memory is its quarantine's, not the program's");
#endif
  make_tmpdir();
  char small[160], large[160], merged_small[160], merged_large[160];
  snprintf(small, sizeof small, "%s/small.h5", tmpdir);
  snprintf(large, sizeof large, "%s/large.h5", tmpdir);
  snprintf(merged_small, sizeof merged_small, "%s/merged_small.h5", tmpdir);
  snprintf(merged_large, sizeof merged_large, "%s/merged_large.h5", tmpdir);
  const char *run_small[] = {FLEETMC_EXE, "run", BASELINE, "--set", "fleet.vehicles=16", "--years", "1",
                             "--replicas", "2", "--quiet", "-o", small, NULL};
  const char *run_large[] = {FLEETMC_EXE, "run", BASELINE, "--set", "fleet.vehicles=16", "--years", "1",
                             "--replicas", "60", "--quiet", "-o", large, NULL};
  peak_kib_of(run_small);
  peak_kib_of(run_large);
  const char *summary_small[] = {FLEETMC_EXE, "summary", small, NULL}, *summary_large[] = {FLEETMC_EXE, "summary", large, NULL};
  const long a = peak_kib_of(summary_small), b = peak_kib_of(summary_large);
  cr_assert_leq(b - a, 4096, "summary: %ld KiB for 60 replicas, %ld KiB for 2", b, a);
  const char *merge_small[] = {FLEETMC_EXE, "merge", merged_small, small, NULL};
  const char *merge_large[] = {FLEETMC_EXE, "merge", merged_large, large, NULL};
  const long c = peak_kib_of(merge_small), d = peak_kib_of(merge_large);
  cr_assert_leq(d - c, 4096, "merge: %ld KiB for 60 replicas, %ld KiB for 2", d, c);
  remove_tmpdir();
}

/* ---- merge --replicas / --first-replica and merge --check (issue 13, point 4) -------------- */

/* fleet_merge_check's report into report (NUL-terminated); its status. */
static fleet_status_t check_report(const char *out, const char *const *inputs, int n, int64_t replicas, int64_t first,
                                   char *report, size_t size, fleet_error_t *err) {
  FILE *f = fmemopen(report, size, "w");
  cr_assert_not_null(f);
  const fleet_merge_options_t options = {.command_line = "test_merge", .replicas = replicas, .first_replica = first};
  fleet_status_t status = fleet_merge_check(out, inputs, n, &options, f, err);
  cr_assert_lt(ftell(f), (long)size - 1, "report truncated");
  fclose(f);
  return status;
}

/* The names of tmpdir's entries, sorted, one per line: to see that nothing was written. */
static void listing(char *out, size_t size) {
  struct dirent **entries;
  int n = scandir(tmpdir, &entries, NULL, alphasort);
  cr_assert_geq(n, 0);
  size_t used = 0;
  out[0] = '\0';
  for (int i = 0; i < n; i++) {
    used += (size_t)snprintf(out + used, size - used, "%s\n", entries[i]->d_name);
    cr_assert_lt(used, size);
    free(entries[i]);
  }
  free(entries);
}

Test(merge_check, missing_slices_are_refused_and_named_with_their_array_tasks) {
  make_tmpdir();
  char s0[160], s2[160], out[160], report[8192], expected[8192], before[4096], after[4096];
  run_part("s0.h5", NULL, 0, 1, 2, s0, sizeof s0); /* slices of 1 replica: tasks 0 and 2 of 4 */
  run_part("s2.h5", NULL, 2, 1, 2, s2, sizeof s2);
  snprintf(out, sizeof out, "%s/out.h5", tmpdir);
  const char *inputs[] = {s2, s0};
  fleet_error_t err;
  listing(before, sizeof before);

  /* the study is [0, 4): replica 1 (a gap) and 3 (the end) are missing; the merge names both */
  const fleet_merge_options_t study = {.command_line = "test_merge", .replicas = 4};
  cr_assert_eq(fleet_merge_with(out, inputs, 2, &study, &err), FLEET_ERR_INPUT);
  const char *named[] = {"replicas [1, 2) are in no input", s0, s2,
                         "replicas [3, 4) of the study [0, 4) (--first-replica 0 --replicas 4) are in no input"};
  for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
    cr_assert_not_null(strstr(err.message, named[i]), "'%s' does not name '%s'", err.message, named[i]);
  /* without the study's size, only the gap */
  cr_assert_eq(fleet_merge(out, inputs, 2, "test_merge", 0, NULL, &err), FLEET_ERR_INPUT);
  cr_assert_not_null(strstr(err.message, "replicas [1, 2) are in no input"), "%s", err.message);
  cr_assert_null(strstr(err.message, "[3, 4)"), "%s", err.message);

  /* --check lists the inputs by replica, each missing range and the array tasks to rerun */
  cr_assert_eq(check_report(out, inputs, 2, 4, 0, report, sizeof report, &err), FLEET_ERR_INPUT);
  snprintf(expected, sizeof expected,
           "study [0,4)\ninput [0,1) %s\ninput [2,3) %s\nmissing [1,2)\nmissing [3,4)\n"
           "tasks 1,3 (slice size 1, from replica 0)\nrefused: 2 problem(s); merge would write nothing\n", s0, s2);
  cr_assert_str_eq(report, expected);
  cr_assert_not_null(strstr(err.message, "2 problem(s)"), "%s", err.message);
  /* without --replicas: the gap only */
  cr_assert_eq(check_report(out, inputs, 2, 0, 0, report, sizeof report, &err), FLEET_ERR_INPUT);
  snprintf(expected, sizeof expected,
           "input [0,1) %s\ninput [2,3) %s\nmissing [1,2)\ntasks 1 (slice size 1, from replica 0)\n"
           "refused: 1 problem(s); merge would write nothing\n", s0, s2);
  cr_assert_str_eq(report, expected);
  /* a study [1, 5): s0 is outside it, task ids count from replica 1 */
  cr_assert_eq(check_report(out, inputs, 2, 4, 1, report, sizeof report, &err), FLEET_ERR_INPUT);
  snprintf(expected, sizeof expected,
           "study [1,5)\noutside [0,1) %s\ninput [2,3) %s\nmissing [1,2)\nmissing [3,5)\n"
           "tasks 0,2,3 (slice size 1, from replica 1)\nrefused: 3 problem(s); merge would write nothing\n", s0, s2);
  cr_assert_str_eq(report, expected);
  const fleet_merge_options_t shifted = {.command_line = "test_merge", .replicas = 4, .first_replica = 1};
  cr_assert_eq(fleet_merge_with(out, inputs, 2, &shifted, &err), FLEET_ERR_INPUT);
  cr_assert_not_null(strstr(err.message, "holds replicas [0, 1), outside the study [1, 5)"), "%s", err.message);

  /* the same through the program: exit 2, the range and the task on stdout */
  char command[1024], stdout_text[8192], stderr_text[4096];
  snprintf(command, sizeof command, "%s merge --check --replicas 4 %s %s %s", FLEETMC_EXE, out, s2, s0);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, stderr_text, sizeof stderr_text), 2, "%s", stderr_text);
  cr_assert_not_null(strstr(stdout_text, "\nmissing [3,4)\n"), "%s", stdout_text);
  cr_assert_not_null(strstr(stdout_text, "\ntasks 1,3 "), "%s", stdout_text);
  cr_assert_not_null(strstr(stderr_text, "merge --check: 2 problem(s)"), "%s", stderr_text);
  snprintf(command, sizeof command, "%s merge --replicas 4 %s %s %s", FLEETMC_EXE, out, s2, s0);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, stderr_text, sizeof stderr_text), 2, "%s", stderr_text);
  cr_assert_not_null(strstr(stderr_text, "replicas [3, 4) of the study [0, 4)"), "%s", stderr_text);
  listing(after, sizeof after);
  cr_assert_str_eq(after, before, "a refused merge or a check wrote something");
  remove_tmpdir();
}

Test(merge_check, a_complete_study_passes_and_nothing_is_written) {
  make_tmpdir();
  char s01[160], s2[160], s4[160], out[160], report[8192], expected[8192], before[4096], after[4096];
  run_part("s01.h5", NULL, 0, 2, 2, s01, sizeof s01);
  run_part("s2.h5", NULL, 2, 1, 2, s2, sizeof s2);
  run_part("s4.h5", NULL, 4, 1, 2, s4, sizeof s4);
  snprintf(out, sizeof out, "%s/out.h5", tmpdir);
  fleet_error_t err;
  listing(before, sizeof before);
  const char *complete[] = {s2, s01};
  cr_assert_eq(check_report(out, complete, 2, 3, 0, report, sizeof report, &err), FLEET_OK, "%s", err.message);
  snprintf(expected, sizeof expected, "study [0,3)\ninput [0,2) %s\ninput [2,3) %s\nok: merge would write %s: replicas "
           "[0,3) from 2 input(s)\n", s01, s2, out);
  cr_assert_str_eq(report, expected);
  /* slices of 2 whose last one, ending the study, holds 1: task 1 ([2, 4)) is missing */
  const char *short_last[] = {s01, s4};
  cr_assert_eq(check_report(out, short_last, 2, 5, 0, report, sizeof report, &err), FLEET_ERR_INPUT);
  cr_assert_not_null(strstr(report, "\nmissing [2,4)\ntasks 1 (slice size 2, from replica 0)\n"), "%s", report);
  /* slices of unequal sizes not ending the study: no task ids can be said */
  cr_assert_eq(check_report(out, complete, 2, 5, 0, report, sizeof report, &err), FLEET_ERR_INPUT);
  cr_assert_not_null(strstr(report, "\nmissing [3,5)\n"), "%s", report);
  cr_assert_null(strstr(report, "tasks"), "%s", report);

  char command[1024], stdout_text[8192], stderr_text[4096];
  snprintf(command, sizeof command, "%s merge --check --replicas 3 --first-replica 0 %s %s %s", FLEETMC_EXE, out, s2,
           s01);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, stderr_text, sizeof stderr_text), 0, "%s", stderr_text);
  cr_assert_str_eq(stdout_text, expected);
  listing(after, sizeof after);
  cr_assert_str_eq(after, before, "merge --check wrote something");
  /* the merge it predicts */
  snprintf(command, sizeof command, "%s merge --replicas 3 %s %s %s", FLEETMC_EXE, out, s2, s01);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, stderr_text, sizeof stderr_text), 0, "%s", stderr_text);
  fleet_h5_file_info_t info;
  cr_assert_eq(fleet_h5_read_info(out, &info, &err), FLEET_OK, "%s", err.message);
  cr_assert_eq(info.first_replica, 0);
  cr_assert_eq(info.replicas, 3);
  fleet_h5_file_info_free(&info);
  /* now OUT exists: the check says the merge would refuse it, and leaves it as it is, even with --force */
  struct stat was, is;
  cr_assert_eq(stat(out, &was), 0);
  snprintf(command, sizeof command, "%s merge --check %s %s %s", FLEETMC_EXE, out, s2, s01);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, stderr_text, sizeof stderr_text), 2, "%s", stdout_text);
  char line[512];
  snprintf(line, sizeof line, "\noutput %s: ", out);
  cr_assert_not_null(strstr(stdout_text, line), "%s", stdout_text);
  cr_assert_not_null(strstr(stdout_text, "--force"), "%s", stdout_text);
  snprintf(command, sizeof command, "%s merge --check --force %s %s %s", FLEETMC_EXE, out, s2, s01);
  cr_assert_eq(shell(command, stdout_text, sizeof stdout_text, stderr_text, sizeof stderr_text), 0, "%s", stdout_text);
  cr_assert_eq(stat(out, &is), 0);
  cr_assert(was.st_ino == is.st_ino && was.st_mtime == is.st_mtime && was.st_size == is.st_size);
  remove_tmpdir();
}

Test(merge_check, bad_inputs_are_listed_with_their_reason_and_the_rest_still_checked) {
  make_tmpdir();
  char s0[160], s2[160], s01[160], seed7[160], text[160], missing[160], out[160], report[16384];
  run_part("s0.h5", NULL, 0, 1, 2, s0, sizeof s0);
  run_part("s2.h5", NULL, 2, 1, 2, s2, sizeof s2);
  run_part("s01.h5", NULL, 0, 2, 2, s01, sizeof s01);                 /* overlaps s0 */
  run_part("seed7.h5", "simulation.seed=7", 1, 1, 2, seed7, sizeof seed7); /* another study */
  snprintf(text, sizeof text, "%s/text.h5", tmpdir);
  FILE *f = fopen(text, "w");
  cr_assert_not_null(f);
  fputs("not an HDF5 file\n", f);
  fclose(f);
  snprintf(missing, sizeof missing, "%s/missing.h5", tmpdir);
  snprintf(out, sizeof out, "%s/out.h5", tmpdir);
  /* the stray file first: it is still the one named, being of another study than most inputs */
  const char *inputs[] = {seed7, text, s2, missing, s0};
  fleet_error_t err;
  cr_assert_eq(check_report(out, inputs, 5, 3, 0, report, sizeof report, &err), FLEET_ERR_INPUT);
  char line[1024];
  const char *fmt[][2] = {{"input [0,1) %s\n", s0},
                          {"input [2,3) %s\n", s2},
                          {"unreadable %s: ", text},
                          {"unreadable %s: ", missing},
                          {"other-study %s: merge: ", seed7},
                          {"missing [1,2)\n", NULL},
                          {"tasks 1 (slice size 1, from replica 0)\n", NULL},
                          {"refused: 4 problem(s)", NULL}};
  for (size_t i = 0; i < sizeof fmt / sizeof fmt[0]; i++) {
    snprintf(line, sizeof line, fmt[i][0], fmt[i][1]);
    cr_assert_not_null(strstr(report, line), "no '%s' in:\n%s", line, report);
  }
  /* each with the merge's own message: the reason */
  const char *reasons[] = {"not an HDF5 file", "No such file", "has attribute seed 7"};
  for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
    cr_assert_not_null(strstr(report, reasons[i]), "no '%s' in:\n%s", reasons[i], report);
  /* the merge of the same inputs stops at the first, with the same message */
  const fleet_merge_options_t study = {.command_line = "test_merge", .replicas = 3};
  cr_assert_eq(fleet_merge_with(out, inputs, 5, &study, &err), FLEET_ERR_INPUT);
  cr_assert_not_null(strstr(report, err.message), "'%s' not in:\n%s", err.message, report);
  /* overlaps are listed with both files */
  const char *overlapping[] = {s01, s2, s0};
  cr_assert_eq(check_report(out, overlapping, 3, 3, 0, report, sizeof report, &err), FLEET_ERR_INPUT);
  snprintf(line, sizeof line, "\noverlap [0,1) %s %s\nrefused: 1 problem(s)", s01, s0); /* equal first: in given order */
  cr_assert_not_null(strstr(report, line), "no '%s' in:\n%s", line, report);
  cr_assert(!exists(out));
  remove_tmpdir();
}
