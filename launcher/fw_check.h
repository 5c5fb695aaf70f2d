/* fw_check: a scenario's expected bands (`checks:`), checked against a run's
 * metrics.csv. Used by `flywheel run --check` and `flywheel compare`.
 *
 * A check names a metrics.csv column, a span of ticks, an aggregate over it (the
 * last value, the sum or the mean), a scale (12 turns a monthly figure into a yearly
 * one) and a band [low, high]. A check whose span the run did not reach is skipped,
 * not failed; a check naming a column the run does not have is an error that names
 * the check's place in the scenario file.
 */
#ifndef FW_CHECK_H
#define FW_CHECK_H

#include <stddef.h>
#include <stdio.h>

#include "fw_scenario.h"

typedef enum {
    FW_CHECK_PASS = 0,
    FW_CHECK_FAIL = 1,
    FW_CHECK_SKIPPED = 2,  /* the run ended before the check's span */
    FW_CHECK_ERROR = 3,    /* no such metric */
} fw_check_status_t;

typedef struct {
    const fw_check_t *check; /* borrowed from the scenario */
    fw_check_status_t status;
    double value;            /* the scaled aggregate (PASS and FAIL only) */
    char note[160];          /* why it was skipped or an error */
} fw_check_result_t;

/* A run's metrics.csv in memory. */
typedef struct fw_metrics fw_metrics_t;

/* Reads metrics.csv. Returns an owned table, or NULL with the reason in err. */
fw_metrics_t *fw_metrics_load(const char *path, char *err, size_t err_len);

/* Frees the table; NULL-safe; sets *p to NULL. */
void fw_metrics_destroy(fw_metrics_t **p);

/* The name of column c, or NULL past the last. */
const char *fw_metrics_name(const fw_metrics_t *t, int c);

/* The column index of `name`, or -1. */
int fw_metrics_column(const fw_metrics_t *t, const char *name);

/* Rows (ticks) in the table; the value of column c at row r (tick r + 1). */
size_t fw_metrics_rows(const fw_metrics_t *t);
double fw_metrics_value(const fw_metrics_t *t, size_t row, int column);

/* Evaluates every check of `sc` against `t` into results[0..sc->n_checks).
 * Returns the number of checks that failed or were in error. */
size_t fw_check_evaluate(const fw_scenario_t *sc, const fw_metrics_t *t,
                         fw_check_result_t *results);

/* Prints the results as a table: name, value, band, verdict (scenario file and the
 * check's line for failures, so it can be found). */
void fw_check_print(FILE *out, const fw_scenario_t *sc, const fw_check_result_t *results);

#endif
