/* fw_outputs: see fw_outputs.h. */
#include "fw_outputs.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_metric_defs.h"

struct fw_metrics_csv {
    FILE *file;       /* owned */
    char *units_path; /* metrics.units.json beside the file */
    size_t columns;   /* metrics per row, fixed by the first row; 0 before it */
    char **names;     /* owned copies of the header's metric names */
    /* The run's figures so far, for summary.json: per column the sum of its rows and
     * its last FW_METRICS_WINDOW values (a ring, rows % window). */
    double *sums;
    double *window;
    uint32_t rows;
};

fw_metrics_csv_t *fw_metrics_csv_open(const char *path)
{
    fw_metrics_csv_t *csv = calloc(1, sizeof *csv);
    if (!csv)
        return NULL;
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    csv->units_path = malloc(dir_len + sizeof "metrics.units.json");
    if (!csv->units_path) {
        free(csv);
        errno = ENOMEM;
        return NULL;
    }
    memcpy(csv->units_path, path, dir_len);
    strcpy(csv->units_path + dir_len, "metrics.units.json");
    csv->file = fopen(path, "w");
    if (!csv->file) {
        int saved = errno;
        free(csv->units_path);
        free(csv);
        errno = saved;
        return NULL;
    }
    return csv;
}

static json_t *s_unit_entry(const char *column)
{
    const fw_metric_def_t *d = fw_metric_def(column);
    if (!d)
        return json_pack("{s:n, s:s}", "unit", "description", "");
    return json_pack("{s:s, s:s, s:s, s:s}", "unit", d->unit, "description", d->meaning,
                     "entity", d->entity, "run_figure", fw_metric_agg_name(d->agg));
}

/* metrics.units.json: one entry per column of the header, in its order, written as the
 * header is (the same names), atomically. */
static int s_write_units(const fw_metrics_csv_t *csv)
{
    json_t *root = json_object();
    char tmp[4200];
    int rc = -1;
    if (!root)
        return -1;
    json_object_set_new(root, "tick", s_unit_entry("tick"));
    json_object_set_new(root, "month", s_unit_entry("month"));
    for (size_t i = 0; i < csv->columns; i++)
        json_object_set_new(root, csv->names[i], s_unit_entry(csv->names[i]));
    if (snprintf(tmp, sizeof tmp, "%s.tmp", csv->units_path) < (int)sizeof tmp &&
        json_dump_file(root, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
        rename(tmp, csv->units_path) == 0)
        rc = 0;
    json_decref(root);
    return rc;
}

/* Adds a row to the run's figures. */
static void s_accumulate(fw_metrics_csv_t *csv, const Flywheel__V1__Snapshot *snap)
{
    size_t slot = (size_t)(csv->rows % FW_METRICS_WINDOW) * csv->columns;
    for (size_t i = 0; i < snap->n_metrics; i++) {
        csv->sums[i] += snap->metrics[i]->value;
        csv->window[slot + i] = snap->metrics[i]->value;
    }
    csv->rows++;
}

static void s_number(FILE *f, double v)
{
    /* Dollars and counts are integral: print them whole; shares get 6 decimals. */
    if (v == floor(v) && fabs(v) < 9e15)
        fprintf(f, "%.0f", v);
    else
        fprintf(f, "%.6f", v);
}

int fw_metrics_csv_append(fw_metrics_csv_t *csv, const Flywheel__V1__Snapshot *snap)
{
    if (csv->columns == 0) {
        csv->names = calloc(snap->n_metrics ? snap->n_metrics : 1, sizeof *csv->names);
        if (!csv->names)
            return -1;
        csv->columns = snap->n_metrics;
        csv->sums = calloc(csv->columns ? csv->columns : 1, sizeof *csv->sums);
        csv->window = calloc((csv->columns ? csv->columns : 1) * FW_METRICS_WINDOW,
                             sizeof *csv->window);
        if (!csv->sums || !csv->window)
            return -1;
        fputs("tick,month", csv->file);
        for (size_t i = 0; i < snap->n_metrics; i++) {
            csv->names[i] = strdup(snap->metrics[i]->name);
            if (!csv->names[i])
                return -1;
            fprintf(csv->file, ",%s", snap->metrics[i]->name);
        }
        fputc('\n', csv->file);
        if (s_write_units(csv) != 0)
            return -1;
    }
    if (snap->n_metrics != csv->columns)
        return -2;
    for (size_t i = 0; i < snap->n_metrics; i++)
        if (strcmp(csv->names[i], snap->metrics[i]->name) != 0)
            return -2;
    fprintf(csv->file, "%u,%s", snap->tick, snap->month);
    for (size_t i = 0; i < snap->n_metrics; i++) {
        fputc(',', csv->file);
        s_number(csv->file, snap->metrics[i]->value);
    }
    fputc('\n', csv->file);
    s_accumulate(csv, snap);
    /* Handed to the kernel at once: a coordinator that dies later loses no finished
     * tick. */
    if (fflush(csv->file) != 0)
        return -1;
    return ferror(csv->file) ? -1 : 0;
}

int fw_metrics_csv_close(fw_metrics_csv_t **p)
{
    int rc = 0;
    if (!p || !*p)
        return 0;
    fw_metrics_csv_t *csv = *p;
    if (csv->file && fclose(csv->file) != 0)
        rc = -1;
    for (size_t i = 0; i < csv->columns; i++)
        free(csv->names ? csv->names[i] : NULL);
    free(csv->names);
    free(csv->sums);
    free(csv->window);
    free(csv->units_path);
    free(csv);
    *p = NULL;
    return rc;
}

uint32_t fw_metrics_csv_rows(const fw_metrics_csv_t *csv)
{
    return csv ? csv->rows : 0;
}

double fw_metrics_csv_sum(const fw_metrics_csv_t *csv, size_t i)
{
    return csv && i < csv->columns && csv->sums ? csv->sums[i] : 0.0;
}

double fw_metrics_csv_recent_mean(const fw_metrics_csv_t *csv, size_t i, uint32_t *window)
{
    uint32_t n = csv ? (csv->rows < FW_METRICS_WINDOW ? csv->rows : FW_METRICS_WINDOW) : 0;
    double sum = 0;
    if (window)
        *window = n;
    if (n == 0 || i >= csv->columns)
        return 0.0;
    for (uint32_t r = 0; r < n; r++)
        sum += csv->window[(size_t)r * csv->columns + i];
    return sum / n;
}

/* The run's figures beside the last month's (final_metrics): each flow's total over
 * the months run, each share's, price's and flag's mean over the run and over its last
 * months. Levels (cash, valuation) have no run figure: the last month's is the one. */
static void s_run_figures(json_t *root, const fw_metrics_csv_t *csv)
{
    json_t *totals = json_object(), *means = json_object(), *recent = json_object();
    uint32_t rows = fw_metrics_csv_rows(csv), window = 0;
    for (size_t i = 0; csv && rows && i < csv->columns; i++) {
        const fw_metric_def_t *d = fw_metric_def(csv->names[i]);
        double sum = fw_metrics_csv_sum(csv, i);
        if (d && d->agg == FW_METRIC_SUM)
            json_object_set_new(totals, csv->names[i], json_real(sum));
        if (d && d->agg == FW_METRIC_MEAN) {
            json_object_set_new(means, csv->names[i], json_real(sum / rows));
            json_object_set_new(recent, csv->names[i],
                                json_real(fw_metrics_csv_recent_mean(csv, i, &window)));
        }
    }
    json_object_set_new(root, "run_months", json_integer(rows));
    json_object_set_new(root, "run_totals", totals);
    json_object_set_new(root, "run_means", means);
    json_object_set_new(root, "recent_months", json_integer(window));
    json_object_set_new(root, "recent_means", recent);
}

static json_t *s_companies(const fw_scenario_t *sc, const fw_market_t *m)
{
    json_t *list = json_array();
    for (uint32_t s = 0; s < sc->n_seats; s++) {
        const fw_seat_t *seat = &sc->seats[s];
        int64_t revenue = fw_market_revenue_total(m, s);
        int64_t cost = fw_market_cost_total(m, s);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:i}",
            "id", seat->id, "name", seat->name, "role", fw_role_name(seat->role),
            "cash", (json_int_t)fw_market_cash(m, s), "revenue_total", (json_int_t)revenue,
            "cost_total", (json_int_t)cost, "profit_total", (json_int_t)(revenue - cost),
            "capex_total", (json_int_t)fw_market_capex_total(m, s),
            "valuation", (json_int_t)fw_market_valuation(m, s),
            "present_ticks", (int)fw_market_present_ticks(m, s)));
    }
    return list;
}

int fw_summary_write(const char *path, const fw_scenario_t *sc, const fw_market_t *m,
                     const fw_summary_info_t *info)
{
    char tmp[4096];
    int rc = -1;
    json_t *root = json_object();
    json_t *metrics = json_object();

    if (!root || !metrics)
        goto out;
    json_object_set_new(root, "scenario", json_string(sc->name));
    json_object_set_new(root, "run_id", json_string(info->run_id));
    json_object_set_new(root, "seed", json_integer((json_int_t)info->seed));
    json_object_set_new(root, "ticks", json_integer(info->ticks));
    json_object_set_new(root, "ticks_run", json_integer(fw_market_tick(m)));
    json_object_set_new(root, "books_balanced", json_boolean(info->books_balanced));
    json_object_set_new(root, "wall_seconds", json_real(info->wall_seconds));
    json_object_set_new(root, "stopped", info->stopped ? json_string(info->stopped) : json_null());
    if (info->cost && info->cost_ticks) {
        /* Microseconds of the coordinator thread's CPU per tick, by phase. */
        double per = 1000.0 * info->cost_ticks;
        json_object_set_new(root, "coordinator_cpu_us_per_tick", json_pack(
            "{s:f, s:f, s:f, s:f, s:f, s:f}", "send", (double)info->cost->send / per,
            "receive", (double)info->cost->receive / per, "clear", (double)info->cost->clear / per,
            "log", (double)info->cost->log / per, "publish", (double)info->cost->publish / per,
            "row", (double)info->cost->row / per));
        /* What that cost is paid for: the seats, and the entries of their actions. */
        json_object_set_new(root, "actions_per_tick",
                            json_real((double)info->cost->actions / info->cost_ticks));
    }
    json_object_set_new(root, "companies", s_companies(sc, m));
    if (info->last)
        for (size_t i = 0; i < info->last->n_metrics; i++)
            json_object_set_new(metrics, info->last->metrics[i]->name,
                                json_real(info->last->metrics[i]->value));
    /* final_metrics are the last month's (final_month); the run's totals and means
     * follow, so that a share that swings from month to month is not read alone. */
    json_object_set_new(root, "final_month",
                        info->last && info->last->month ? json_string(info->last->month)
                                                        : json_null());
    json_object_set_new(root, "final_metrics", metrics);
    metrics = NULL;
    s_run_figures(root, info->csv);
    json_t *deals = json_array();
    for (size_t i = 0; info->last && i < info->last->n_deals; i++) {
        const Flywheel__V1__Deal *d = info->last->deals[i];
        const Flywheel__V1__InvestmentTerms *t = d->terms;
        json_array_append_new(deals, json_pack("{s:I, s:s, s:s, s:i, s:I, s:f, s:s, s:b, s:f, s:I, s:f, s:b}",
            "id", (json_int_t)d->id, "investor", d->investor, "lab", d->lab,
            "signed_tick", (int)d->signed_tick, "amount", (json_int_t)(t ? t->amount : 0),
            "credit_fraction", t ? t->credit_fraction : 0.0,
            "chip_family", t && t->chip_family ? t->chip_family : "",
            "exclusive", t ? (int)t->exclusive : 0, "equity", d->equity,
            "returned", (json_int_t)d->returned, "round_trip", d->round_trip,
            "breached", (int)d->breached));
    }
    json_object_set_new(root, "deals", deals);

    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        goto out;
    if (json_dump_file(root, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
        goto out;
    if (rename(tmp, path) != 0)
        goto out;
    rc = 0;
out:
    json_decref(metrics);
    json_decref(root);
    return rc;
}
