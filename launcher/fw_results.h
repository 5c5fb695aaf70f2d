/* fw_results: the figures of many runs, grouped (a scenario of compare, a parameter
 * combination of sweep), and their spread across the runs of a group (the seeds).
 *
 * Runs are added in the order the caller wants them listed (a deterministic order, so
 * that the same runs always give the same files). A figure is a (kind, entity) pair of
 * fw_figures; the columns are every figure any run had, grouped by kind
 * (fw_figures_kind_rank) and otherwise in the order they first appeared. A run that
 * lacks a figure (or failed: added without figures) has NaN there, written as an empty
 * cell and left out of the statistics.
 */
#ifndef FW_RESULTS_H
#define FW_RESULTS_H

#include <stddef.h>
#include <stdio.h>

#include "fw_figures.h"
#include "fw_stats.h"

typedef struct fw_results fw_results_t;

fw_results_t *fw_results_new(void);
void fw_results_destroy(fw_results_t **p);

/* Adds a run of group `group` with its figures (NULL for a run that has none).
 * Returns 0, or -1 when out of memory. */
int fw_results_add(fw_results_t *r, size_t group, const fw_figures_t *figs);

size_t fw_results_runs(const fw_results_t *r);
size_t fw_results_groups(const fw_results_t *r);  /* highest group added + 1 */
size_t fw_results_figures(const fw_results_t *r);
const char *fw_results_kind(const fw_results_t *r, size_t fig);
const char *fw_results_entity(const fw_results_t *r, size_t fig);

/* Value of figure `fig` in run `run`; NaN if the run lacks it. */
double fw_results_value(const fw_results_t *r, size_t run, size_t fig);

/* Mean, sd and 95% interval of figure `fig` over the runs of `group`. */
fw_stats_t fw_results_stats(const fw_results_t *r, size_t group, size_t fig);

/* Coefficient of variation across the groups of the groups' means (sd of the means /
 * |mean of the means|); NaN with fewer than 2 groups or a zero mean. */
double fw_results_cv_groups(const fw_results_t *r, size_t fig);

/* Writes the figures' CSV header cells ",kind.entity,..." (each after a comma). */
void fw_results_csv_header(FILE *f, const fw_results_t *r);

/* Writes run `run`'s cells ",v,..." (%.6f, empty for NaN), each after a comma. */
void fw_results_csv_run(FILE *f, const fw_results_t *r, size_t run);

/* The statistics in long form: for every group and figure that has a value,
 * "<group_cells[group]>,kind,entity,n,mean,sd,ci95_low,ci95_high" (sd and the interval
 * empty with one run). The header line is the caller's. */
void fw_results_csv_stats(FILE *f, const fw_results_t *r, const char *const *group_cells);

/* The table for a reader: one row per figure, one column per group (names[group]),
 * "mean ±ci95" in each cell; with `cv`, a last column with fw_results_cv_groups of
 * the outcomes (fw_figures_is_outcome). `markdown` writes a Markdown table. */
void fw_results_print(FILE *f, const fw_results_t *r, const char *const *names, int markdown,
                      int cv);

#endif
