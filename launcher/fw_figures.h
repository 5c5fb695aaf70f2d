/* fw_figures: the figures a reader acts on, read back from one run's directory.
 *
 * The figures `compare` and `sweep` report, each a (kind, entity, value):
 *   profit           each cloud's and vendor's cumulative profit (summary.json)
 *   ai_ops           the value of AI in each cloud's own operations over the run
 *                    (sum of metrics.csv's ai_ops_value.<cloud>)
 *   valuation        each lab's final valuation (summary.json)
 *   lab_share        each lab's final share of AI revenue
 *   installed_share  each chip family's final share of installed compute
 *   round_trip       the round trip of each investor-lab pair with $1B or more invested
 *   concentration    the HHI of clouds and of labs at the last tick (cloud, lab)
 * in the order they are read: companies in scenario order, then the rest.
 */
#ifndef FW_FIGURES_H
#define FW_FIGURES_H

#include <stddef.h>

typedef struct {
    char kind[24];    /* one of the kinds above */
    char entity[80];  /* seat, family, investor.lab, cloud or lab */
    double value;
} fw_figure_t;

typedef struct {
    fw_figure_t *items;  /* owned */
    size_t n, cap;
} fw_figures_t;

/* Reads the figures of the run in run_dir (summary.json, metrics.csv) into *out, which
 * starts empty ({0}). Returns 0, or -1 with a one-line reason in err. */
int fw_figures_read(const char *run_dir, fw_figures_t *out, char *err, size_t len);

void fw_figures_free(fw_figures_t *f);

/* Position of a kind in the order above (7 for an unknown kind): tables group by it. */
int fw_figures_kind_rank(const char *kind);

/* 1 for a company's outcome (profit, valuation): the figures compare's spread across
 * scenarios is given for. */
int fw_figures_is_outcome(const char *kind);

/* A value for the terminal: money as $1.2B, shares as 12.3%, ratios as 0.12; "-" for NaN. */
void fw_figures_format(char *buf, size_t len, const char *kind, double v);

#endif
