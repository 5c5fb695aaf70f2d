/* fw_compare: see fw_compare.h. */
#include "fw_compare.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "fw_check.h"
#include "fw_launch.h"
#include "fw_money.h"
#include "fw_scenario.h"

#define MAJOR_INVESTMENT 1e9 /* a pair's round trip is shown from this much invested */

/* One row of the table: a figure of one entity, per scenario. */
typedef struct {
    char kind[24];     /* "profit", "valuation", "lab_share", "installed_share", "round_trip" */
    char entity[80];   /* seat, family or investor.lab */
    double *sum;       /* per scenario: sum over seeds */
    unsigned *n;       /* per scenario: seeds that had it */
    int outcome;       /* counts in the coefficient of variation */
} s_row_t;

typedef struct {
    s_row_t *rows;
    size_t n, cap;
    size_t scenarios;
} s_table_t;

static s_row_t *s_row(s_table_t *t, const char *kind, const char *entity, int outcome)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->rows[i].kind, kind) && !strcmp(t->rows[i].entity, entity))
            return &t->rows[i];
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        s_row_t *rows = realloc(t->rows, cap * sizeof *rows);
        if (!rows)
            return NULL;
        t->rows = rows;
        t->cap = cap;
    }
    s_row_t *r = &t->rows[t->n];
    memset(r, 0, sizeof *r);
    snprintf(r->kind, sizeof r->kind, "%s", kind);
    snprintf(r->entity, sizeof r->entity, "%s", entity);
    r->sum = calloc(t->scenarios, sizeof *r->sum);
    r->n = calloc(t->scenarios, sizeof *r->n);
    r->outcome = outcome;
    if (!r->sum || !r->n) {
        free(r->sum);
        free(r->n);
        return NULL;
    }
    t->n++;
    return r;
}

static void s_add(s_table_t *t, size_t scenario, const char *kind, const char *entity,
                  double value, int outcome)
{
    s_row_t *r = s_row(t, kind, entity, outcome);
    if (r) {
        r->sum[scenario] += value;
        r->n[scenario]++;
    }
}

static void s_table_free(s_table_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].sum);
        free(t->rows[i].n);
    }
    free(t->rows);
}

static double s_mean(const s_row_t *r, size_t s)
{
    return r->n[s] ? r->sum[s] / r->n[s] : NAN;
}

/* Coefficient of variation across scenarios of the per-scenario means. */
static double s_cv(const s_row_t *r, size_t scenarios)
{
    double sum = 0, sq = 0;
    size_t k = 0;
    for (size_t s = 0; s < scenarios; s++) {
        double v = s_mean(r, s);
        if (isnan(v))
            continue;
        sum += v;
        k++;
    }
    if (k < 2 || sum == 0)
        return NAN;
    double mean = sum / (double)k;
    for (size_t s = 0; s < scenarios; s++) {
        double v = s_mean(r, s);
        if (!isnan(v))
            sq += (v - mean) * (v - mean);
    }
    return sqrt(sq / (double)(k - 1)) / fabs(mean);
}

/* Reads one run's outcomes into column `scenario` of the table. */
static int s_collect(s_table_t *t, size_t scenario, const char *run_dir, char *err, size_t len)
{
    char path[4200];
    json_error_t jerr;
    if (snprintf(path, sizeof path, "%s/summary.json", run_dir) >= (int)sizeof path) {
        snprintf(err, len, "run directory name too long");
        return -1;
    }
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        snprintf(err, len, "%.300s: %.150s", path, jerr.text);
        return -1;
    }
    json_t *companies = json_object_get(root, "companies");
    json_t *metrics = json_object_get(root, "final_metrics");
    size_t i;
    json_t *c;
    json_array_foreach(companies, i, c) {
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *role = json_string_value(json_object_get(c, "role"));
        if (!id || !role)
            continue;
        if (!strcmp(role, "lab")) {
            s_add(t, scenario, "valuation", id,
                  (double)json_integer_value(json_object_get(c, "valuation")), 1);
            char key[96];
            snprintf(key, sizeof key, "lab_share.%s", id);
            s_add(t, scenario, "lab_share", id, json_real_value(json_object_get(metrics, key)), 0);
        } else {
            s_add(t, scenario, "profit", id,
                  (double)json_integer_value(json_object_get(c, "profit_total")), 1);
        }
    }
    const char *key;
    json_t *v;
    json_object_foreach(metrics, key, v) {
        if (!strncmp(key, "installed_share.", 16))
            s_add(t, scenario, "installed_share", key + 16, json_real_value(v), 0);
    }
    /* Round trips of the pairs with a major investment. */
    json_t *deals = json_object_get(root, "deals");
    json_t *d;
    json_array_foreach(deals, i, d) {
        const char *inv = json_string_value(json_object_get(d, "investor"));
        const char *lab = json_string_value(json_object_get(d, "lab"));
        if (!inv || !lab || !strcmp(inv, "outside"))
            continue;
        char pair[96], metric[128];
        snprintf(pair, sizeof pair, "%s.%s", inv, lab);
        snprintf(metric, sizeof metric, "round_trip.%s", pair);
        double invested = 0;
        size_t j;
        json_t *e;
        json_array_foreach(deals, j, e) {
            const char *i2 = json_string_value(json_object_get(e, "investor"));
            const char *l2 = json_string_value(json_object_get(e, "lab"));
            if (i2 && l2 && !strcmp(i2, inv) && !strcmp(l2, lab))
                invested += (double)json_integer_value(json_object_get(e, "amount"));
        }
        /* Once per pair: only at its first deal. */
        size_t first = i;
        json_array_foreach(deals, j, e) {
            const char *i2 = json_string_value(json_object_get(e, "investor"));
            const char *l2 = json_string_value(json_object_get(e, "lab"));
            if (i2 && l2 && !strcmp(i2, inv) && !strcmp(l2, lab)) {
                first = j;
                break;
            }
        }
        if (first != i || invested < MAJOR_INVESTMENT)
            continue;
        json_t *rt = json_object_get(metrics, metric);
        if (rt)
            s_add(t, scenario, "round_trip", pair, json_real_value(rt), 0);
    }
    json_decref(root);

    /* From metrics.csv: the value of AI in the clouds' own operations over the run
     * (question 5), and how concentrated the market ends (question 4). */
    if (snprintf(path, sizeof path, "%s/metrics.csv", run_dir) >= (int)sizeof path)
        return -1;
    fw_metrics_t *mx = fw_metrics_load(path, err, len);
    if (!mx)
        return -1;
    size_t rows = fw_metrics_rows(mx);
    for (int col = 0;; col++) {
        const char *name = fw_metrics_name(mx, col);
        if (!name)
            break;
        if (!strncmp(name, "ai_ops_value.", 13)) {
            double sum = 0;
            for (size_t r = 0; r < rows; r++)
                sum += fw_metrics_value(mx, r, col);
            s_add(t, scenario, "ai_ops", name + 13, sum, 0);
        } else if (rows && (!strcmp(name, "hhi_cloud") || !strcmp(name, "hhi_lab"))) {
            s_add(t, scenario, "concentration", name + 4, fw_metrics_value(mx, rows - 1, col), 0);
        }
    }
    fw_metrics_destroy(&mx);
    return 0;
}

static void s_cell(char *buf, size_t len, const char *kind, double v)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else if (!strcmp(kind, "profit") || !strcmp(kind, "valuation") || !strcmp(kind, "ai_ops"))
        fw_money_format(buf, len, (int64_t)llround(v), FW_MONEY_REPORT);
    else if (!strcmp(kind, "round_trip") || !strcmp(kind, "concentration"))
        snprintf(buf, len, "%.2f", v);
    else
        snprintf(buf, len, "%.1f%%", 100.0 * v);
}

static int s_kind_rank(const char *kind)
{
    static const char *order[] = {"profit", "ai_ops", "valuation", "lab_share",
                                  "installed_share", "round_trip", "concentration"};
    for (int i = 0; i < 7; i++)
        if (!strcmp(kind, order[i]))
            return i;
    return 7;
}

/* Rows grouped by figure, in the order entities first appeared (a stable sort). */
static void s_sort(s_table_t *t)
{
    for (size_t i = 1; i < t->n; i++) {
        s_row_t row = t->rows[i];
        size_t j = i;
        while (j > 0 && s_kind_rank(t->rows[j - 1].kind) > s_kind_rank(row.kind)) {
            t->rows[j] = t->rows[j - 1];
            j--;
        }
        t->rows[j] = row;
    }
}

static void s_print(FILE *out, const s_table_t *t, char names[][64], int markdown)
{
    char cell[48];
    if (markdown) {
        fprintf(out, "| figure | entity |");
        for (size_t s = 0; s < t->scenarios; s++)
            fprintf(out, " %s |", names[s]);
        fprintf(out, " CV |\n|---|---|");
        for (size_t s = 0; s <= t->scenarios; s++)
            fprintf(out, "---:|");
        fputc('\n', out);
    } else {
        fprintf(out, "%-16s %-22s", "figure", "entity");
        for (size_t s = 0; s < t->scenarios; s++)
            fprintf(out, " %18.18s", names[s]);
        fprintf(out, " %7s\n", "CV");
    }
    for (size_t i = 0; i < t->n; i++) {
        const s_row_t *r = &t->rows[i];
        if (markdown)
            fprintf(out, "| %s | %s |", r->kind, r->entity);
        else
            fprintf(out, "%-16s %-22.22s", r->kind, r->entity);
        for (size_t s = 0; s < t->scenarios; s++) {
            s_cell(cell, sizeof cell, r->kind, s_mean(r, s));
            fprintf(out, markdown ? " %s |" : " %18s", cell);
        }
        double cv = r->outcome ? s_cv(r, t->scenarios) : NAN;
        if (isnan(cv))
            snprintf(cell, sizeof cell, "-");
        else
            snprintf(cell, sizeof cell, "%.2f", cv);
        fprintf(out, markdown ? " %s |\n" : " %7s\n", cell);
    }
}

static int s_write_files(const s_table_t *t, char names[][64], const char *dir)
{
    char path[4200];
    if (snprintf(path, sizeof path, "%s/compare.csv", dir) >= (int)sizeof path)
        return -1;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "scenario,figure,entity,mean\n");
    for (size_t i = 0; i < t->n; i++)
        for (size_t s = 0; s < t->scenarios; s++)
            if (!isnan(s_mean(&t->rows[i], s)))
                fprintf(f, "%s,%s,%s,%.6f\n", names[s], t->rows[i].kind, t->rows[i].entity,
                        s_mean(&t->rows[i], s));
    for (size_t i = 0; i < t->n; i++)
        if (t->rows[i].outcome && !isnan(s_cv(&t->rows[i], t->scenarios)))
            fprintf(f, "all,cv_%s,%s,%.6f\n", t->rows[i].kind, t->rows[i].entity,
                    s_cv(&t->rows[i], t->scenarios));
    if (fclose(f) != 0)
        return -1;
    if (snprintf(path, sizeof path, "%s/compare.md", dir) >= (int)sizeof path)
        return -1;
    f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "# Flywheel comparison\n\nMeans over seeds; CV is the coefficient of variation "
               "of each company's outcome across the scenarios.\n\n");
    s_print(f, t, names, 1);
    return fclose(f) == 0 ? 0 : -1;
}

/* Runs `flywheel run` for one scenario and seed; returns its exit code (or 128+sig). */
static int s_run_one(const fw_compare_config_t *cfg, const char *scenario, const char *seed,
                     const char *run_dir)
{
    fw_supervisor_t *sv = fw_supervisor_new();
    char *argv[12];
    int n = 0, code = 1;
    if (!sv)
        return 1;
    argv[n++] = (char *)cfg->self;
    argv[n++] = "run";
    argv[n++] = (char *)scenario;
    argv[n++] = "--quiet";
    argv[n++] = "--seed";
    argv[n++] = (char *)seed;
    argv[n++] = "--out";
    argv[n++] = (char *)run_dir;
    if (cfg->ticks) {
        argv[n++] = "--ticks";
        argv[n++] = (char *)cfg->ticks;
    }
    argv[n] = NULL;
    if (fw_supervisor_spawn(sv, "run", argv) < 0) {
        fw_supervisor_destroy(&sv);
        return 127;
    }
    for (;;) {
        fw_child_exit_t ex;
        int r = fw_supervisor_reap(sv, &ex);
        if (r == 1) {
            code = WIFEXITED(ex.status) ? WEXITSTATUS(ex.status) : 128 + WTERMSIG(ex.status);
            break;
        }
        if (r < 0 || *cfg->stop) {
            code = 130;
            break;
        }
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    fw_supervisor_destroy(&sv); /* stops the run if we were interrupted */
    return code;
}

int fw_compare_run(const fw_compare_config_t *cfg, FILE *out)
{
    s_table_t table = {NULL, 0, 0, cfg->n_scenarios};
    char (*names)[64] = calloc(cfg->n_scenarios ? cfg->n_scenarios : 1, sizeof *names);
    char err[512];
    int rc = 0;
    if (!names)
        return 1;
    if (fw_launch_mkdirs(cfg->out_dir) != 0) {
        fprintf(stderr, "flywheel: cannot create %s: %s\n", cfg->out_dir, strerror(errno));
        free(names);
        return 1;
    }
    for (size_t s = 0; s < cfg->n_scenarios && rc == 0; s++) {
        fw_scenario_t *sc = fw_scenario_load(cfg->scenarios[s], err, sizeof err);
        if (!sc) {
            fprintf(stderr, "%s\n", err);
            rc = 2;
            break;
        }
        snprintf(names[s], sizeof names[s], "%s", sc->name);
        for (unsigned k = 0; k < cfg->seeds && rc == 0; k++) {
            char seed[32], run_dir[4200];
            snprintf(seed, sizeof seed, "%llu", (unsigned long long)(sc->seed + k));
            if (snprintf(run_dir, sizeof run_dir, "%s/%s-seed%s", cfg->out_dir, sc->name, seed) >=
                (int)sizeof run_dir) {
                fprintf(stderr, "flywheel: compare: output directory name too long\n");
                rc = 2;
                break;
            }
            if (!cfg->quiet)
                fprintf(stderr, "flywheel: compare: %s seed %s (%zu/%zu)\n", sc->name, seed,
                        s * cfg->seeds + k + 1, cfg->n_scenarios * cfg->seeds);
            int code = s_run_one(cfg, cfg->scenarios[s], seed, run_dir);
            if (*cfg->stop || code == 130) {
                rc = 130;
            } else if (code != 0) {
                fprintf(stderr, "flywheel: compare: run of %s seed %s failed (exit %d; see %s)\n",
                        sc->name, seed, code, run_dir);
                rc = 1;
            } else if (s_collect(&table, s, run_dir, err, sizeof err) != 0) {
                fprintf(stderr, "flywheel: compare: %s\n", err);
                rc = 1;
            }
        }
        fw_scenario_destroy(&sc);
    }
    if (rc == 0) {
        s_sort(&table);
        fprintf(out, "Flywheel comparison: %zu scenarios x %u seeds -> %s\n", cfg->n_scenarios,
                cfg->seeds, cfg->out_dir);
        s_print(out, &table, names, 0);
        if (s_write_files(&table, names, cfg->out_dir) != 0) {
            fprintf(stderr, "flywheel: compare: cannot write the tables in %s\n", cfg->out_dir);
            rc = 1;
        }
    }
    s_table_free(&table);
    free(names);
    return rc;
}
