/* fw_metric_defs: what each column of metrics.csv is: its unit, what it means, and how
 * a run sums it up (the run's total, its average, or only the last month).
 *
 * A column is named prefix or prefix.entity (docs/outputs.md); one definition per
 * prefix. fw_observe names the columns through this table (a prefix that is not here
 * is a bug it refuses), and metrics.units.json, the long CSV of `flywheel export` and
 * the summary's run totals and averages all read it, so the units cannot drift from the
 * columns.
 */
#ifndef FW_METRIC_DEFS_H
#define FW_METRIC_DEFS_H

#include <stddef.h>

/* How a run's months add up to one figure for the whole run. */
typedef enum {
    FW_METRIC_LAST = 0, /* a level at the end of the month (cash): only the last one */
    FW_METRIC_SUM = 1,  /* a flow during the month (revenue): the run's total */
    FW_METRIC_MEAN = 2, /* a share, price or index of the month: the average over months */
} fw_metric_agg_t;

typedef struct {
    const char *prefix;  /* the column's name up to the first '.' */
    const char *unit;    /* "USD", "USD/month", "share", "H100-eq-months/month", ... */
    const char *entity;  /* what the part after the '.' names ("" if none) */
    fw_metric_agg_t agg;
    const char *meaning; /* one line, as in docs/outputs.md */
} fw_metric_def_t;

/* The definition of a column (or of a bare prefix), NULL if none. "tick" and "month"
 * have definitions too. */
const fw_metric_def_t *fw_metric_def(const char *column);

/* The whole table, in docs order; *n is set to its length. */
const fw_metric_def_t *fw_metric_defs(size_t *n);

/* "last", "total" or "mean". */
const char *fw_metric_agg_name(fw_metric_agg_t agg);

#endif
