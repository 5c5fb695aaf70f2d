/* fw_outputs: see fw_outputs.h. */
#include "fw_outputs.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fw_metrics_csv {
    FILE *file;       /* owned */
    size_t columns;   /* metrics per row, fixed by the first row; 0 before it */
    char **names;     /* owned copies of the header's metric names */
};

fw_metrics_csv_t *fw_metrics_csv_open(const char *path)
{
    fw_metrics_csv_t *csv = calloc(1, sizeof *csv);
    if (!csv)
        return NULL;
    csv->file = fopen(path, "w");
    if (!csv->file) {
        int saved = errno;
        free(csv);
        errno = saved;
        return NULL;
    }
    return csv;
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
        fputs("tick,month", csv->file);
        for (size_t i = 0; i < snap->n_metrics; i++) {
            csv->names[i] = strdup(snap->metrics[i]->name);
            if (!csv->names[i])
                return -1;
            fprintf(csv->file, ",%s", snap->metrics[i]->name);
        }
        fputc('\n', csv->file);
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
    free(csv);
    *p = NULL;
    return rc;
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
            "{s:f, s:f, s:f, s:f, s:f}", "send", (double)info->cost->send / per,
            "receive", (double)info->cost->receive / per, "clear", (double)info->cost->clear / per,
            "log", (double)info->cost->log / per, "publish", (double)info->cost->publish / per));
    }
    json_object_set_new(root, "companies", s_companies(sc, m));
    if (info->last)
        for (size_t i = 0; i < info->last->n_metrics; i++)
            json_object_set_new(metrics, info->last->metrics[i]->name,
                                json_real(info->last->metrics[i]->value));
    json_object_set_new(root, "final_metrics", metrics);
    metrics = NULL;
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
