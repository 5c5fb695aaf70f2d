/* fw_compare: see fw_compare.h. */
#include "fw_compare.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fw_figures.h"
#include "fw_launch.h"
#include "fw_pool.h"
#include "fw_results.h"
#include "fw_scenario.h"
#include "fw_text.h"

/* One run of the comparison: which scenario (its index), which seed, where. */
typedef struct {
    size_t scenario;
    char seed[24];
    char name[128];      /* the run directory's name: <label>-seed<seed> */
    char dir[4200];
    char *argv[12];
    int code;            /* exit code once run; -1 before */
} s_run_t;

typedef struct {
    const fw_compare_config_t *cfg;
    s_run_t *runs;
    size_t n_runs, done;
} s_state_t;

/* Scenario labels: the scenario's name, made unique by -2, -3, ... when two scenarios
 * share a name (the same file given twice, or two files with one name), so every run
 * has its own directory and its rows can be told apart. */
static void s_label(char labels[][64], size_t s, const char *name)
{
    snprintf(labels[s], 64, "%s", name);
    for (unsigned k = 2;; k++) {
        size_t j = 0;
        while (j < s && strcmp(labels[j], labels[s]) != 0)
            j++;
        if (j == s)
            return;
        snprintf(labels[s], 64, "%.50s-%u", name, k);
    }
}

static void s_fill_argv(const fw_compare_config_t *cfg, s_run_t *r)
{
    int n = 0;
    r->argv[n++] = (char *)cfg->self;
    r->argv[n++] = "run";
    r->argv[n++] = (char *)cfg->scenarios[r->scenario];
    r->argv[n++] = "--quiet";
    r->argv[n++] = "--seed";
    r->argv[n++] = r->seed;
    r->argv[n++] = "--out";
    r->argv[n++] = r->dir;
    if (cfg->ticks) {
        r->argv[n++] = "--ticks";
        r->argv[n++] = (char *)cfg->ticks;
    }
    r->argv[n] = NULL;
}

static void s_on_done(void *ctx, size_t id, int code)
{
    s_state_t *st = ctx;
    s_run_t *r = &st->runs[id];
    r->code = code;
    st->done++;
    if (code != 0 && !*st->cfg->stop && code != 130)
        fprintf(stderr, "flywheel: compare: run %s failed (exit %d; see %s)\n", r->name, code,
                r->dir);
    else if (code == 0 && !st->cfg->quiet)
        fprintf(stderr, "flywheel: compare: %s done (%zu/%zu)\n", r->name, st->done, st->n_runs);
}

/* Plans the runs: loads every scenario (for its name and seed). Returns 0 or 2. */
static int s_plan(const fw_compare_config_t *cfg, char labels[][64], s_state_t *st)
{
    char err[512];
    for (size_t s = 0; s < cfg->n_scenarios; s++) {
        fw_scenario_t *sc = fw_scenario_load(cfg->scenarios[s], err, sizeof err);
        if (!sc) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
        s_label(labels, s, sc->name);
        for (unsigned k = 0; k < cfg->seeds; k++) {
            s_run_t *r = &st->runs[st->n_runs++];
            r->scenario = s;
            r->code = -1;
            snprintf(r->seed, sizeof r->seed, "%llu", (unsigned long long)(sc->seed + k));
            snprintf(r->name, sizeof r->name, "%s-seed%s", labels[s], r->seed);
            if (snprintf(r->dir, sizeof r->dir, "%s/%s", cfg->out_dir, r->name) >=
                (int)sizeof r->dir) {
                fprintf(stderr, "flywheel: compare: output directory name too long\n");
                fw_scenario_destroy(&sc);
                return 2;
            }
            s_fill_argv(cfg, r);
        }
        fw_scenario_destroy(&sc);
    }
    return 0;
}

/* Reads every run's figures back, in plan order. Returns 0 or 1. */
static int s_collect(const s_state_t *st, fw_results_t *res)
{
    char err[512] = "out of memory";
    for (size_t i = 0; i < st->n_runs; i++) {
        fw_figures_t figs = {0};
        if (fw_figures_read(st->runs[i].dir, &figs, err, sizeof err) != 0 ||
            fw_results_add(res, st->runs[i].scenario, &figs) != 0) {
            fprintf(stderr, "flywheel: compare: %s\n", err);
            fw_figures_free(&figs);
            return 1;
        }
        fw_figures_free(&figs);
    }
    return 0;
}

static FILE *s_open(const char *dir, const char *name)
{
    char path[4200];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return NULL;
    return fopen(path, "w");
}

/* compare-runs.csv: one row per run. */
static int s_write_runs(const s_state_t *st, const fw_results_t *res, char labels[][64])
{
    FILE *f = s_open(st->cfg->out_dir, "compare-runs.csv");
    if (!f)
        return -1;
    fprintf(f, "run,scenario,path,seed");
    fw_results_csv_header(f, res);
    fputc('\n', f);
    for (size_t i = 0; i < st->n_runs; i++) {
        const s_run_t *r = &st->runs[i];
        fprintf(f, "%s,%s,", r->name, labels[r->scenario]);
        fw_text_csv_field(f, st->cfg->scenarios[r->scenario]);
        fprintf(f, ",%s", r->seed);
        fw_results_csv_run(f, res, i);
        fputc('\n', f);
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* compare.csv (statistics per scenario, then the spread across scenarios) and
 * compare.md. */
static int s_write_tables(const fw_compare_config_t *cfg, const fw_results_t *res,
                          const char *const *names)
{
    FILE *f = s_open(cfg->out_dir, "compare.csv");
    if (!f)
        return -1;
    fprintf(f, "scenario,figure,entity,n,mean,sd,ci95_low,ci95_high\n");
    fw_results_csv_stats(f, res, names);
    for (size_t i = 0; i < fw_results_figures(res); i++) {
        double cv = fw_figures_is_outcome(fw_results_kind(res, i)) ? fw_results_cv_groups(res, i)
                                                                   : NAN;
        if (!isnan(cv))
            fprintf(f, "all,cv_across_scenarios_%s,%s,%zu,%.6f,,,\n", fw_results_kind(res, i),
                    fw_results_entity(res, i), fw_results_groups(res), cv);
    }
    if (fclose(f) != 0)
        return -1;
    f = s_open(cfg->out_dir, "compare.md");
    if (!f)
        return -1;
    fprintf(f, "# Flywheel comparison\n\nEach cell: the mean over %u seeds ± the half-width of "
               "its 95%% confidence interval (Student t, across seeds). CV across scenarios: the "
               "coefficient of variation of each company's outcome (its mean) across the "
               "scenarios. One row per run: compare-runs.csv.\n\n", cfg->seeds);
    fw_results_print(f, res, names, 1, 1);
    return fclose(f) == 0 ? 0 : -1;
}

int fw_compare_run(const fw_compare_config_t *cfg, FILE *out)
{
    size_t n = cfg->n_scenarios * cfg->seeds;
    char (*labels)[64] = calloc(cfg->n_scenarios ? cfg->n_scenarios : 1, sizeof *labels);
    const char **names = calloc(cfg->n_scenarios ? cfg->n_scenarios : 1, sizeof *names);
    s_state_t st = {cfg, calloc(n ? n : 1, sizeof(s_run_t)), 0, 0};
    fw_pool_job_t *jobs = calloc(n ? n : 1, sizeof *jobs);
    fw_results_t *res = fw_results_new();
    int rc = 0;
    if (!labels || !names || !st.runs || !jobs || !res) {
        rc = 1;
        goto done;
    }
    rc = s_plan(cfg, labels, &st);
    if (rc != 0)
        goto done;
    if (fw_launch_mkdirs(cfg->out_dir) != 0) {
        fprintf(stderr, "flywheel: cannot create %s: %s\n", cfg->out_dir, strerror(errno));
        rc = 1;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        jobs[i] = (fw_pool_job_t){st.runs[i].argv, i};
    for (size_t s = 0; s < cfg->n_scenarios; s++)
        names[s] = labels[s];
    if (!cfg->quiet)
        fprintf(stderr, "flywheel: compare: %zu runs, %u at a time\n", n, cfg->jobs);
    rc = fw_pool_run(jobs, n, cfg->jobs, cfg->stop, s_on_done, &st);
    if (rc != 0 || *cfg->stop) {
        rc = rc < 0 ? 1 : 130;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (st.runs[i].code != 0)
            rc = 1;
    if (rc == 0)
        rc = s_collect(&st, res);
    if (rc == 0) {
        fprintf(out, "Flywheel comparison: %zu scenarios x %u seeds -> %s\n"
                     "(mean ±95%% interval across seeds; CV scen.: an outcome's spread across "
                     "the scenarios)\n",
                cfg->n_scenarios, cfg->seeds, cfg->out_dir);
        fw_results_print(out, res, names, 0, 1);
        if (s_write_tables(cfg, res, names) != 0 || s_write_runs(&st, res, labels) != 0) {
            fprintf(stderr, "flywheel: compare: cannot write the tables in %s\n", cfg->out_dir);
            rc = 1;
        }
    }
done:
    fw_results_destroy(&res);
    free(jobs);
    free(st.runs);
    free(names);
    free(labels);
    return rc;
}
