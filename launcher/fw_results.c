/* fw_results: see fw_results.h. */
#include "fw_results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char kind[24];
    char entity[80];
} s_fig_t;

typedef struct {
    size_t group;
    double *values;  /* n_values of them, by internal figure index */
    size_t n_values;
} s_run_t;

struct fw_results {
    s_fig_t *figs;   /* internal order: first appearance */
    size_t n_figs, cap_figs;
    size_t *order;   /* display index -> internal index, n_figs of them */
    s_run_t *runs;
    size_t n_runs, cap_runs;
    size_t groups;
};

fw_results_t *fw_results_new(void)
{
    return calloc(1, sizeof(fw_results_t));
}

void fw_results_destroy(fw_results_t **p)
{
    if (!p || !*p)
        return;
    for (size_t i = 0; i < (*p)->n_runs; i++)
        free((*p)->runs[i].values);
    free((*p)->runs);
    free((*p)->figs);
    free((*p)->order);
    free(*p);
    *p = NULL;
}

/* Internal index of a figure, added if new; (size_t)-1 when out of memory. */
static size_t s_fig(fw_results_t *r, const char *kind, const char *entity)
{
    for (size_t i = 0; i < r->n_figs; i++)
        if (!strcmp(r->figs[i].kind, kind) && !strcmp(r->figs[i].entity, entity))
            return i;
    if (r->n_figs == r->cap_figs) {
        size_t cap = r->cap_figs ? 2 * r->cap_figs : 64;
        s_fig_t *figs = realloc(r->figs, cap * sizeof *figs);
        size_t *order = realloc(r->order, cap * sizeof *order);
        if (figs)
            r->figs = figs;
        if (order)
            r->order = order;
        if (!figs || !order)
            return (size_t)-1;
        r->cap_figs = cap;
    }
    snprintf(r->figs[r->n_figs].kind, sizeof r->figs[0].kind, "%s", kind);
    snprintf(r->figs[r->n_figs].entity, sizeof r->figs[0].entity, "%s", entity);
    return r->n_figs++;
}

/* Display order: by kind, stable within a kind. */
static void s_sort(fw_results_t *r)
{
    for (size_t i = 0; i < r->n_figs; i++) {
        size_t j = i;
        int rank = fw_figures_kind_rank(r->figs[i].kind);
        while (j > 0 && fw_figures_kind_rank(r->figs[r->order[j - 1]].kind) > rank) {
            r->order[j] = r->order[j - 1];
            j--;
        }
        r->order[j] = i;
    }
}

int fw_results_add(fw_results_t *r, size_t group, const fw_figures_t *figs)
{
    if (r->n_runs == r->cap_runs) {
        size_t cap = r->cap_runs ? 2 * r->cap_runs : 16;
        s_run_t *runs = realloc(r->runs, cap * sizeof *runs);
        if (!runs)
            return -1;
        r->runs = runs;
        r->cap_runs = cap;
    }
    s_run_t *run = &r->runs[r->n_runs];
    memset(run, 0, sizeof *run);
    run->group = group;
    r->n_runs++;
    if (group + 1 > r->groups)
        r->groups = group + 1;
    size_t n = figs ? figs->n : 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = s_fig(r, figs->items[i].kind, figs->items[i].entity);
        if (k == (size_t)-1)
            return -1;
        if (k >= run->n_values) {
            size_t want = r->cap_figs;
            double *v = realloc(run->values, want * sizeof *v);
            if (!v)
                return -1;
            for (size_t j = run->n_values; j < want; j++)
                v[j] = NAN;
            run->values = v;
            run->n_values = want;
        }
        run->values[k] = figs->items[i].value;
    }
    s_sort(r);
    return 0;
}

size_t fw_results_runs(const fw_results_t *r) { return r->n_runs; }
size_t fw_results_groups(const fw_results_t *r) { return r->groups; }
size_t fw_results_figures(const fw_results_t *r) { return r->n_figs; }

const char *fw_results_kind(const fw_results_t *r, size_t fig)
{
    return r->figs[r->order[fig]].kind;
}

const char *fw_results_entity(const fw_results_t *r, size_t fig)
{
    return r->figs[r->order[fig]].entity;
}

double fw_results_value(const fw_results_t *r, size_t run, size_t fig)
{
    size_t k = r->order[fig];
    const s_run_t *x = &r->runs[run];
    return k < x->n_values ? x->values[k] : NAN;
}

fw_stats_t fw_results_stats(const fw_results_t *r, size_t group, size_t fig)
{
    double *v = malloc((r->n_runs ? r->n_runs : 1) * sizeof *v);
    size_t n = 0;
    fw_stats_t s = {0, NAN, NAN, NAN};
    if (!v)
        return s;
    for (size_t i = 0; i < r->n_runs; i++)
        if (r->runs[i].group == group)
            v[n++] = fw_results_value(r, i, fig);
    s = fw_stats_of(v, n);
    free(v);
    return s;
}

double fw_results_cv_groups(const fw_results_t *r, size_t fig)
{
    double *means = malloc((r->groups ? r->groups : 1) * sizeof *means);
    if (!means)
        return NAN;
    for (size_t g = 0; g < r->groups; g++)
        means[g] = fw_results_stats(r, g, fig).mean;
    fw_stats_t s = fw_stats_of(means, r->groups);
    free(means);
    return s.n < 2 || s.mean == 0 ? NAN : s.sd / fabs(s.mean);
}

void fw_results_csv_header(FILE *f, const fw_results_t *r)
{
    for (size_t i = 0; i < r->n_figs; i++)
        fprintf(f, ",%s.%s", fw_results_kind(r, i), fw_results_entity(r, i));
}

static void s_csv_number(FILE *f, double v)
{
    if (isnan(v))
        fputc(',', f);
    else
        fprintf(f, ",%.6f", v);
}

void fw_results_csv_run(FILE *f, const fw_results_t *r, size_t run)
{
    for (size_t i = 0; i < r->n_figs; i++)
        s_csv_number(f, fw_results_value(r, run, i));
}

void fw_results_csv_stats(FILE *f, const fw_results_t *r, const char *const *group_cells)
{
    for (size_t g = 0; g < r->groups; g++)
        for (size_t i = 0; i < r->n_figs; i++) {
            fw_stats_t s = fw_results_stats(r, g, i);
            if (s.n == 0)
                continue;
            fprintf(f, "%s,%s,%s,%zu", group_cells[g], fw_results_kind(r, i),
                    fw_results_entity(r, i), s.n);
            s_csv_number(f, s.mean);
            s_csv_number(f, s.sd);
            s_csv_number(f, s.mean - s.ci95);
            s_csv_number(f, s.mean + s.ci95);
            fputc('\n', f);
        }
}

/* "mean ±ci" of one cell; the interval in the figure's own unit ("-" if none). */
static void s_cell(char *buf, size_t len, const char *kind, fw_stats_t s)
{
    char mean[32], ci[32];
    fw_figures_format(mean, sizeof mean, kind, s.mean);
    if (isnan(s.ci95)) {
        snprintf(buf, len, "%s", mean);
        return;
    }
    fw_figures_format(ci, sizeof ci, kind, s.ci95);
    snprintf(buf, len, "%s ±%s", mean, ci);
}

/* Bytes beyond the columns a cell takes on a terminal: "±" is two bytes, one column. */
static int s_extra(const char *cell)
{
    int n = 0;
    for (const char *p = cell; (p = strstr(p, "±")) != NULL; p += 2)
        n++;
    return n;
}

void fw_results_print(FILE *f, const fw_results_t *r, const char *const *names, int markdown,
                      int cv)
{
    char cell[80];
    int width = 24; /* wide enough for every name: a sweep's are long and alike */
    for (size_t g = 0; g < r->groups; g++)
        if ((int)strlen(names[g]) > width)
            width = (int)strlen(names[g]);
    if (markdown) {
        fprintf(f, "| figure | entity |");
        for (size_t g = 0; g < r->groups; g++)
            fprintf(f, " %s |", names[g]);
        fprintf(f, cv ? " CV across scenarios |\n|---|---|" : "\n|---|---|");
        for (size_t g = 0; g < r->groups + (cv ? 1 : 0); g++)
            fprintf(f, "---:|");
        fputc('\n', f);
    } else {
        fprintf(f, "%-16s %-22s", "figure", "entity");
        for (size_t g = 0; g < r->groups; g++)
            fprintf(f, " %*s", width, names[g]);
        fprintf(f, cv ? " %9s\n" : "\n", "CV scen.");
    }
    for (size_t i = 0; i < r->n_figs; i++) {
        const char *kind = fw_results_kind(r, i);
        if (markdown)
            fprintf(f, "| %s | %s |", kind, fw_results_entity(r, i));
        else
            fprintf(f, "%-16s %-22.22s", kind, fw_results_entity(r, i));
        for (size_t g = 0; g < r->groups; g++) {
            s_cell(cell, sizeof cell, kind, fw_results_stats(r, g, i));
            if (markdown)
                fprintf(f, " %s |", cell);
            else
                fprintf(f, " %*s", width + s_extra(cell), cell);
        }
        if (cv) {
            double x = fw_figures_is_outcome(kind) ? fw_results_cv_groups(r, i) : NAN;
            if (isnan(x))
                snprintf(cell, sizeof cell, "-");
            else
                snprintf(cell, sizeof cell, "%.2f", x);
            fprintf(f, markdown ? " %s |" : " %9s", cell);
        }
        fputc('\n', f);
    }
}
