/* fw_figures: see fw_figures.h. */
#include "fw_figures.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_check.h"
#include "fw_money.h"

#define MAJOR_INVESTMENT 1e9 /* a pair's round trip is shown from this much invested */

static void s_add(fw_figures_t *f, const char *kind, const char *entity, double value)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 32;
        fw_figure_t *items = realloc(f->items, cap * sizeof *items);
        if (!items)
            return;
        f->items = items;
        f->cap = cap;
    }
    fw_figure_t *it = &f->items[f->n++];
    snprintf(it->kind, sizeof it->kind, "%s", kind);
    snprintf(it->entity, sizeof it->entity, "%s", entity);
    it->value = value;
}

/* The total an investor put into a lab over the run's deals, and whether deal i is
 * the pair's first (a pair is reported once). */
static double s_pair_invested(json_t *deals, size_t i, const char *inv, const char *lab,
                              int *first)
{
    double invested = 0;
    size_t j;
    json_t *e;
    *first = -1;
    json_array_foreach(deals, j, e) {
        const char *i2 = json_string_value(json_object_get(e, "investor"));
        const char *l2 = json_string_value(json_object_get(e, "lab"));
        if (i2 && l2 && !strcmp(i2, inv) && !strcmp(l2, lab)) {
            invested += (double)json_integer_value(json_object_get(e, "amount"));
            if (*first < 0)
                *first = j == i;
        }
    }
    return invested;
}

static void s_from_summary(json_t *root, fw_figures_t *f)
{
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
            s_add(f, "valuation", id, (double)json_integer_value(json_object_get(c, "valuation")));
            char key[96];
            snprintf(key, sizeof key, "lab_share.%s", id);
            s_add(f, "lab_share", id, json_real_value(json_object_get(metrics, key)));
        } else {
            s_add(f, "profit", id, (double)json_integer_value(json_object_get(c, "profit_total")));
        }
    }
    const char *key;
    json_t *v;
    json_object_foreach(metrics, key, v) {
        if (!strncmp(key, "installed_share.", 16))
            s_add(f, "installed_share", key + 16, json_real_value(v));
    }
    /* Round trips of the pairs with a major investment. */
    json_t *deals = json_object_get(root, "deals");
    json_t *d;
    json_array_foreach(deals, i, d) {
        const char *inv = json_string_value(json_object_get(d, "investor"));
        const char *lab = json_string_value(json_object_get(d, "lab"));
        if (!inv || !lab || !strcmp(inv, "outside"))
            continue;
        int first;
        double invested = s_pair_invested(deals, i, inv, lab, &first);
        if (first != 1 || invested < MAJOR_INVESTMENT)
            continue;
        char pair[96], metric[128];
        snprintf(pair, sizeof pair, "%s.%s", inv, lab);
        snprintf(metric, sizeof metric, "round_trip.%s", pair);
        json_t *rt = json_object_get(metrics, metric);
        if (rt)
            s_add(f, "round_trip", pair, json_real_value(rt));
    }
}

/* From metrics.csv: the value of AI in the clouds' own operations over the run
 * (question 5), and how concentrated the market ends (question 4). */
static int s_from_metrics(const char *path, fw_figures_t *f, char *err, size_t len)
{
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
            s_add(f, "ai_ops", name + 13, sum);
        } else if (rows && (!strcmp(name, "hhi_cloud") || !strcmp(name, "hhi_lab"))) {
            s_add(f, "concentration", name + 4, fw_metrics_value(mx, rows - 1, col));
        }
    }
    fw_metrics_destroy(&mx);
    return 0;
}

int fw_figures_read(const char *run_dir, fw_figures_t *out, char *err, size_t len)
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
    s_from_summary(root, out);
    json_decref(root);
    snprintf(path, sizeof path, "%s/metrics.csv", run_dir);
    return s_from_metrics(path, out, err, len);
}

void fw_figures_free(fw_figures_t *f)
{
    free(f->items);
    memset(f, 0, sizeof *f);
}

int fw_figures_kind_rank(const char *kind)
{
    static const char *order[] = {"profit", "ai_ops", "valuation", "lab_share",
                                  "installed_share", "round_trip", "concentration"};
    for (int i = 0; i < 7; i++)
        if (!strcmp(kind, order[i]))
            return i;
    return 7;
}

int fw_figures_is_outcome(const char *kind)
{
    return !strcmp(kind, "profit") || !strcmp(kind, "valuation");
}

void fw_figures_format(char *buf, size_t len, const char *kind, double v)
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
