/* fuzz_reader.c: libFuzzer harness for the result-file reader behind `fleetmc merge` and
 * `fleetmc summary` (h5_reader.h, summary.h). The input is written to a file in the process's
 * scratch folder (HDF5 reads by path), opened with fleet_h5_open, a few of its replica-years read
 * with fleet_h5_read_year (the first two of each axis and the last: every row would make a large
 * declared shape a timeout rather than a finding), closed, then summarised to /dev/null.
 *
 * Besides the sanitizers, one oracle of its own: after each input, as many HDF5 identifiers of
 * each kind are open as before it. A handle the engine forgets is not a leak LeakSanitizer can
 * see (HDF5's tables still point at it), and `merge` opens many files in one process.
 *
 * libhdf5 itself is not instrumented and trusts much of a file's metadata: a hostile file can
 * crash inside it, or loop. fleet_h5_open therefore reads a file in a child process first; the
 * fuzzer sees none of that child's coverage (its counters die with it), though a sanitizer report
 * in the child still writes a crash artifact, and a child that loops shows as a timeout of the
 * parent waiting for it. tools/fuzz.sh runs this harness with -fork and sorts crashes inside
 * libhdf5 apart from those in fleetmc's code (tests/fuzz/findings/README.md). */
#define _POSIX_C_SOURCE 200809L

#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "h5_reader.h"
#include "summary.h"

static FILE *devnull;
static fleet_year_totals_t *totals; /* on the heap: too large for a fuzzer's stack */

/* The kinds of identifier the reader creates, with names for the message. */
static const struct {
  H5I_type_t type;
  const char *name;
} id_kinds[] = {
    {H5I_FILE, "file"},         {H5I_GROUP, "group"},         {H5I_DATATYPE, "datatype"},
    {H5I_DATASPACE, "dataspace"}, {H5I_DATASET, "dataset"},     {H5I_ATTR, "attribute"},
    {H5I_GENPROP_LST, "property list"},
};
enum { ID_KINDS = sizeof id_kinds / sizeof id_kinds[0] };

static void count_ids(hsize_t counts[ID_KINDS]) {
  for (int k = 0; k < ID_KINDS; k++)
    if (H5Inmembers(id_kinds[k].type, &counts[k]) < 0) counts[k] = 0;
}

/* Strings of the info must be terminated: strlen walks each, and ASan checks every byte. */
static void touch_info(const fleet_h5_file_info_t *info) {
  const char *strings[] = {info->fleetmc_version, info->git_commit, info->created, info->command_line,
                           info->scenario_file, info->model_sha256, info->scenario_text};
  size_t total = 0;
  for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
    if (strings[i]) total += strlen(strings[i]);
  if (!memchr(info->scenario_sha256, '\0', sizeof info->scenario_sha256))
    fleet_fuzz_fail("scenario_sha256 is not terminated");
  if (info->region_count < 0 || info->region_count > FLEET_MAX_REGIONS)
    fleet_fuzz_fail("region_count %d outside [0, %d]", info->region_count, FLEET_MAX_REGIONS);
  for (int i = 0; i < info->region_count; i++)
    if (!memchr(info->region_names[i], '\0', sizeof info->region_names[i]))
      fleet_fuzz_fail("region name %d is not terminated", i);
  fprintf(devnull, "%zu", total); /* keeps the walk from being optimised away */
}

static void read_some_years(fleet_h5_reader_t *reader) {
  const fleet_h5_file_info_t *info = fleet_h5_reader_info(reader);
  touch_info(info);
  const int64_t replica_picks[3] = {0, 1, info->replicas - 1}, year_picks[3] = {0, 1, info->years - 1};
  for (int i = 0; i < 3; i++) {
    if (replica_picks[i] < 0 || replica_picks[i] >= info->replicas || (i == 2 && replica_picks[i] < 2)) continue;
    for (int j = 0; j < 3; j++) {
      if (year_picks[j] < 0 || year_picks[j] >= info->years || (j == 2 && year_picks[j] < 2)) continue;
      fleet_error_t err;
      fleet_status_t status = fleet_h5_read_year(reader, replica_picks[i], year_picks[j], totals, &err);
      fleet_fuzz_check_error(status, &err);
    }
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fleet_fuzz_dir();
  devnull = fopen("/dev/null", "w");
  totals = malloc(sizeof *totals);
  if (!devnull || !totals || H5open() < 0) fleet_fuzz_fail("cannot set up");
  /* HDF5's error stack printer would write a trace per bad input: noise, and slow. */
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[4096];
  fleet_fuzz_path(path, sizeof path, "input.h5");
  fleet_fuzz_write(path, data, size);
  hsize_t before[ID_KINDS], after[ID_KINDS];
  count_ids(before);

  fleet_error_t err;
  fleet_h5_reader_t *reader = NULL;
  fleet_status_t status = fleet_h5_open(path, &reader, &err);
  fleet_fuzz_check_error(status, &err);
  if (status == FLEET_OK) {
    read_some_years(reader);
    status = fleet_h5_close(reader, &err);
    fleet_fuzz_check_error(status, &err);
  } else if (reader) {
    fleet_fuzz_fail("fleet_h5_open failed (%s) but returned a reader", err.message);
  }
  /* the text table and the JSON (which CSV shares its rows with): every printer reads the damage */
  status = fleet_summary_file(path, FLEET_FORMAT_TEXT, devnull, &err);
  fleet_fuzz_check_error(status, &err);
  status = fleet_summary_file(path, FLEET_FORMAT_JSON, devnull, &err);
  fleet_fuzz_check_error(status, &err);

  count_ids(after);
  for (int k = 0; k < ID_KINDS; k++)
    if (after[k] != before[k])
      fleet_fuzz_fail("HDF5 %s identifiers open: %llu before this input, %llu after (a handle left open)",
                      id_kinds[k].name, (unsigned long long)before[k], (unsigned long long)after[k]);
  /* Removed, not overwritten: HDF5 recognises an open file by device and inode, so a file left
   * open by a bug would otherwise be taken for the next input. */
  unlink(path);
  return 0;
}
