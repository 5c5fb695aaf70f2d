/* fw_sweep: `flywheel sweep`, a parameter sweep: a scenario, parameters each with a
 * list of values, and seeds; one `flywheel run` per combination of values and seed.
 *
 * The sweep's output directory holds everything a run needs, so that the same runs can
 * be handed to another engine:
 *   sweep-plan.tsv     what the sweep is (scenario, parameters, runs): --collect and a
 *                      resumed sweep read it; a different sweep into the same directory
 *                      is refused
 *   scenarios/C.yaml   one scenario per combination C of values: `extends:` the base and
 *                      sets the values (market:, run:, deal_overrides:, strategy_params:)
 *   jobs.txt           one shell command per run: `flywheel run` into runs/C-seedS, then
 *                      the marker runs/C-seedS/sweep-done (skipped if it is there)
 *   run-parallel.sh    (--emit parallel) GNU parallel over jobs.txt
 *   sweep.sbatch       (--emit slurm) a Slurm array job, task i = line i+1 of jobs.txt
 *   sweep.csv          one row per run: run, the parameter values, seed, status, figures
 *   sweep-summary.csv  per combination and figure: n, mean, sd, 95% interval over seeds
 * On this machine the runs go N at a time (fw_pool); a run whose directory has no
 * sweep-done marker is (re)done, one that has it is never redone.
 */
#ifndef FW_SWEEP_H
#define FW_SWEEP_H

#include <signal.h>
#include <stdio.h>

typedef struct {
    const char *spec;             /* SPEC (YAML), or NULL: the command line alone */
    const char *scenario;         /* --scenario, or NULL */
    const char *const *params;    /* --param PATH=V1,V2,... */
    size_t n_params;
    const char *seeds;            /* --seeds N or S1,S2,...; NULL: the spec's (or 3) */
    const char *ticks;            /* --ticks, or NULL: the spec's (or the scenario's) */
    const char *out_dir;          /* --out, or NULL: runs/sweep-<spec or scenario name> */
    const char *emit;             /* "parallel", "slurm" or NULL (run here) */
    const char *collect;          /* --collect DIR: only gather DIR's runs */
    const char *self;             /* path of the flywheel binary */
    unsigned jobs;                /* runs at once here, >= 1 */
    int quiet;                    /* no progress, no table */
    int progress;                 /* stderr is a terminal: one progress line */
    volatile sig_atomic_t *stop;  /* raised by Ctrl-C */
} fw_sweep_config_t;

/* Runs (or emits, or collects) the sweep; prints the summary table on `out`.
 * Returns 0, 1 if a run failed or is missing (named on stderr; the files are still
 * written), 2 for a bad spec or usage, 130 if interrupted. */
int fw_sweep_run(const fw_sweep_config_t *cfg, FILE *out);

#endif
