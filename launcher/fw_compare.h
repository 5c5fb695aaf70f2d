/* fw_compare: `flywheel compare SCENARIO...`: runs each scenario with several seeds
 * and tabulates the outcomes a reader acts on.
 *
 * Each run is a real `flywheel run` child process (a coordinator and an agent per
 * seat), `jobs` at a time (fw_pool), each in its own directory <label>-seed<N>, the
 * label the scenario's name made unique (-2, -3, ... for a name given again). Their
 * figures are read back (fw_figures) and tabulated (fw_results): per scenario and
 * figure, the mean over seeds and its 95% interval; per company, the coefficient of
 * variation of its outcome (profit, or a lab's valuation) across the scenarios. Written
 * as compare-runs.csv (one row per run), compare.csv (n, mean, sd, interval) and
 * compare.md in the output directory.
 */
#ifndef FW_COMPARE_H
#define FW_COMPARE_H

#include <signal.h>
#include <stdio.h>

typedef struct {
    const char *const *scenarios; /* paths */
    size_t n_scenarios;
    unsigned seeds;               /* runs per scenario, seeds base, base+1, ... */
    unsigned jobs;                /* runs at once, >= 1 */
    const char *ticks;            /* forwarded to each run, or NULL */
    const char *out_dir;          /* where the runs and the tables go */
    const char *self;             /* path of the flywheel binary to run */
    int quiet;                    /* no progress lines */
    volatile sig_atomic_t *stop;  /* raised by Ctrl-C */
} fw_compare_config_t;

/* Runs the comparison and prints the table on `out`. Returns 0, 1 if a run failed
 * (named on stderr), 2 if a scenario does not load, 130 if interrupted. */
int fw_compare_run(const fw_compare_config_t *cfg, FILE *out);

#endif
