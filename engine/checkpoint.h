/* checkpoint.h: the folder beside a run's output that keeps what the run has computed, so that a
 * run cut by a signal, a crash or a scheduler's time limit can be resumed (`run --resume`) and
 * end with the same file, bit for bit, as one that was never cut.
 *
 * <output>.ckpt/ holds
 *   manifest         what the run is: fleetmc version and commit, result format, seed and the
 *                    model's hash (run.h, fleet_model_sha256); a resumed run must match it; the
 *                    run using the folder holds a lock (fcntl) on it, so two runs never share it;
 *   model.yaml       the model's scenario text, to name the key that differs when it does not;
 *   replica-R.done   replica R, complete: the rows of each of its years;
 *   replica-R.part   replica R, in progress: the rows of its completed years and every vehicle's
 *                    state (fleet_state_t) after the last of them.
 * Each record is written under a temporary name, synced and renamed, so a record on disk is
 * always whole; a record's header repeats the model's hash and its replica, and its size is
 * checked against the header, so a record of another run or a damaged one is refused, never
 * used. A record stores the rows the result file stores (schema.h's FLEET_FROM_YEAR datasets, as
 * doubles, in the table's order): writing them back through the writer gives the file the
 * uninterrupted run would have written, as merge does (merge.h).
 *
 * The format is this build's (native byte order and float layout): a checkpoint is resumed by
 * the build that wrote it, on machines of one architecture, which the manifest's commit and a
 * resumed run on one cluster satisfy. */
#ifndef FLEET_CHECKPOINT_H
#define FLEET_CHECKPOINT_H

#include <stdint.h>

#include "error.h"
#include "fleet_year.h"
#include "params.h"
#include "year_totals.h"

typedef struct fleet_checkpoint fleet_checkpoint_t;

typedef struct {
  const char *output_path; /* the run's output; the folder is output_path + ".ckpt" */
  int resume;              /* 1: continue from the folder if there is one (--resume) */
  int discard;             /* 1: an existing folder is removed first unless resume (--force) */
  int owner;               /* 1: this process checks, creates, locks and cleans the folder (rank 0);
                              the others only read and write records in it */
  const char *kernel;      /* the kernel's name (--kernel): a resumed run must use the same */
} fleet_checkpoint_options_t;

/* Opens the folder of a run of params. Owner: an existing folder without resume (and without
 * discard) gives FLEET_ERR_INPUT saying to add --resume or --force; with resume, its manifest
 * must match this build and params (FLEET_ERR_INPUT naming what differs: version or commit,
 * seed, or the first scenario key that differs); leftover temporary files of a killed run are
 * removed; a folder locked by another process is refused. A missing folder is created with its
 * manifest. Not owner: the folder is only opened (the owner has checked it). */
fleet_status_t fleet_checkpoint_open(const fleet_params_t *params, const fleet_checkpoint_options_t *options,
                                     fleet_checkpoint_t **out, fleet_error_t *err);

/* The folder's path. */
const char *fleet_checkpoint_path(const fleet_checkpoint_t *ckpt);

/* Doubles in one replica-year's row (the FLEET_FROM_YEAR datasets' rows for the run's dims). */
int64_t fleet_checkpoint_row_doubles(const fleet_checkpoint_t *ckpt);
/* A year's totals as its row, and back (the fields no dataset stores are left 0). */
void fleet_checkpoint_pack(const fleet_checkpoint_t *ckpt, const fleet_year_totals_t *totals, double *row);
void fleet_checkpoint_unpack(const fleet_checkpoint_t *ckpt, const double *row, fleet_year_totals_t *totals);

/* One replica's record: years_done rows of fleet_checkpoint_row_doubles each. */
typedef struct {
  int64_t replica, years_done;
  double wall_seconds; /* computing its years so far, over every process that worked on it */
  int64_t threads;     /* the most threads any of them used */
  double *rows;        /* capacity: the run's years */
} fleet_replica_record_t;

/* A record with room for every year of the run; free with fleet_replica_record_free. */
fleet_status_t fleet_replica_record_alloc(const fleet_checkpoint_t *ckpt, int64_t replica,
                                          fleet_replica_record_t *record, fleet_error_t *err);
void fleet_replica_record_free(fleet_replica_record_t *record);

/* 1 if replica's record is complete on disk (replica-R.done exists). */
int fleet_checkpoint_has_done(const fleet_checkpoint_t *ckpt, int64_t replica);

/* Writes the record: complete (years_done = the run's years; state unused, the .part removed)
 * or in progress (state after its last year, slots of them). */
fleet_status_t fleet_checkpoint_save(const fleet_checkpoint_t *ckpt, const fleet_replica_record_t *record,
                                     const fleet_state_t *state, fleet_error_t *err);

/* Reads replica's record into record (allocated): the complete one if there is one (*found = 2),
 * else the one in progress (*found = 1, and the vehicles' state into state, which must have the
 * run's slots; NULL to skip it), else *found = 0. A record that does not belong to this run or is
 * damaged gives FLEET_ERR_INPUT naming the file and the rule. */
fleet_status_t fleet_checkpoint_load(const fleet_checkpoint_t *ckpt, int64_t replica, fleet_replica_record_t *record,
                                     fleet_state_t *state, int *found, fleet_error_t *err);

/* Closes the folder. Owner: finished (the output is in place) removes it and everything fleetmc
 * wrote in it; unfinished, a folder this run created and that holds no record (nothing to
 * resume) is removed too. Returns 1 if the folder stays with records to resume from (owner). */
int fleet_checkpoint_close(fleet_checkpoint_t *ckpt, int finished);

#endif
