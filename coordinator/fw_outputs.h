/* fw_outputs: the run directory's tables: metrics.csv (one row per tick, one
 * column per metric) and summary.json (final figures, written with jansson).
 *
 * The columns of metrics.csv are the metric names of the first snapshot, in order;
 * the market keeps names and order fixed for a run, and a snapshot that disagrees is
 * refused rather than written under the wrong header. Numbers are printed so that
 * the same run gives the same bytes on every host: integers as integers, fractions
 * with 6 decimals. The first row also writes metrics.units.json beside the file: each
 * column's unit and meaning (fw_metric_defs).
 */
#ifndef FW_OUTPUTS_H
#define FW_OUTPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "flywheel.pb-c.h"
#include "fw_market.h"
#include "fw_scenario.h"

typedef struct fw_metrics_csv fw_metrics_csv_t;

/* Creates (truncates) `path`. NULL with errno set on failure. */
fw_metrics_csv_t *fw_metrics_csv_open(const char *path);

/* Appends the snapshot's row, writing the header first if this is the first row, and
 * flushes it to the file (a crash afterwards loses none of the rows written). Returns 0, -1 on a write error (errno), -2 if the metric names differ from the
 * header's. */
int fw_metrics_csv_append(fw_metrics_csv_t *csv, const Flywheel__V1__Snapshot *snap);

/* The run's figures over the rows appended so far (summary.json): per column the sum
 * of its rows, and the mean of its last `window` rows (at most FW_METRICS_WINDOW). */
#define FW_METRICS_WINDOW 12
uint32_t fw_metrics_csv_rows(const fw_metrics_csv_t *csv);
/* Column i's sum over every row, and its mean over the last min(rows, window) rows. */
double fw_metrics_csv_sum(const fw_metrics_csv_t *csv, size_t i);
double fw_metrics_csv_recent_mean(const fw_metrics_csv_t *csv, size_t i, uint32_t *window);

/* Flushes, closes and frees; NULL-safe; sets *p to NULL. Returns 0 or -1. */
int fw_metrics_csv_close(fw_metrics_csv_t **p);

/* The coordinator's CPU time over the ticks run, by phase of the tick (nanoseconds of
 * its thread's CPU clock: waiting for agents costs nothing). */
typedef struct {
    int64_t send;     /* TickStarts: the tick's view built, each seat's packed and sent,
                       * with the last tick's TickResult before it */
    int64_t receive;  /* actions: received, unpacked, checked, filed in the inbox */
    int64_t clear;    /* the market stepped on them */
    int64_t log;      /* events.log written (before anyone hears of the tick) */
    int64_t publish;  /* the Snapshot published */
    int64_t row;      /* the metrics.csv row written (while the next tick is played) */
    int64_t actions;  /* entries of the Actions cleared (fw_inbox_entries), not time */
} fw_tick_cost_t;

/* What summary.json reports besides the market's own figures. */
typedef struct {
    const char *run_id;
    uint64_t seed;
    uint32_t ticks;            /* planned */
    double wall_seconds;
    int books_balanced;
    const char *stopped;       /* why the run ended early, or NULL */
    const Flywheel__V1__Snapshot *last; /* last snapshot, or NULL if no tick ran */
    const fw_metrics_csv_t *csv;        /* the run's rows, for its totals and means; or NULL */
    const fw_tick_cost_t *cost;         /* the coordinator's CPU time, or NULL */
    uint32_t cost_ticks;                /* ticks `cost` covers */
} fw_summary_info_t;

/* Writes summary.json atomically (temporary file, then rename). Returns 0 or -1. */
int fw_summary_write(const char *path, const fw_scenario_t *sc, const fw_market_t *m,
                     const fw_summary_info_t *info);

#endif
