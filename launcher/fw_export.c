/* fw_export: see fw_export.h. This file reads the run (the timeline from events.log)
 * and writes the long CSV; fw_export_xml.c writes GraphML and GEXF. */
#include "fw_export.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fw_eventlog.h"
#include "fw_export_int.h"
#include "fw_log.h"
#include "fw_metric_defs.h"
#include "fw_proto.h"
#include "fw_scenario.h"
#include "fw_text.h"

void fw_export_usage(FILE *out)
{
    fprintf(out,
            "usage: flywheel export RUN_DIR [--graphml FILE [--tick N]] [--gexf FILE]\n"
            "                               [--long-csv FILE]\n"
            "\n"
            "Writes a run (its events.log and metrics.csv) in formats that network and\n"
            "data tools read; at least one output is needed.\n"
            "\n"
            "  --graphml FILE   the alliance network at one tick, as GraphML (NetworkX,\n"
            "                   igraph, Gephi, yEd): companies with role, cash, valuation\n"
            "                   and market share; ties (stake, credits, mandate, compute,\n"
            "                   chips) with amount and the start and end ticks of their run\n"
            "  --tick N         the tick of --graphml (default: the last one)\n"
            "  --gexf FILE      the whole run as a dynamic graph (GEXF 1.2) for Gephi's\n"
            "                   timeline: ties with their time intervals (spells), amounts\n"
            "                   and the companies' figures as values over time\n"
            "  --long-csv FILE  metrics.csv in long form, one value a row: tick, month,\n"
            "                   metric, entity, value, unit, seed, run_id (pandas, R)\n"
            "  -q, --quiet      print only errors\n"
            "  -h, --help       this text\n"
            "\n"
            "The nodes, ties and columns are defined in docs/outputs.md (Export).\n"
            "\n"
            "Exit status: 0 written, 1 an output cannot be written, 2 usage error (or a\n"
            "tick the run does not have), 3 the run's files cannot be read.\n");
}

const char *fw_edge_kind_name(fw_edge_kind_t kind)
{
    static const char *const names[FW_EDGE_KINDS] = {"stake", "credits", "mandate", "compute",
                                                     "chips"};
    return kind < FW_EDGE_KINDS ? names[kind] : "?";
}

void fw_export_number(char *buf, size_t len, double v)
{
    if (v == floor(v) && fabs(v) < 9e15)
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.17g", v);
}

long fw_series_at(const fw_series_t *s, uint32_t tick, uint32_t *start, uint32_t *end)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) { /* the first point at or after tick */
        size_t mid = (lo + hi) / 2;
        if (s->v[mid].tick < tick)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == s->n || s->v[lo].tick != tick)
        return -1;
    size_t a = lo, b = lo;
    while (a > 0 && s->v[a - 1].tick + 1 == s->v[a].tick)
        a--;
    while (b + 1 < s->n && s->v[b + 1].tick == s->v[b].tick + 1)
        b++;
    *start = s->v[a].tick;
    *end = s->v[b].tick;
    return (long)lo;
}

/* ---- the timeline ------------------------------------------------------------------ */

/* Adds v at tick to the series; a second value at the same tick adds up (a lab's
 * compute from one cloud on several families is one tie). Returns 0 or -1. */
static int s_series_add(fw_series_t *s, uint32_t tick, double v)
{
    if (s->n && s->v[s->n - 1].tick == tick) {
        s->v[s->n - 1].value += v;
        return 0;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        fw_point_t *grown = realloc(s->v, cap * sizeof *grown);
        if (!grown)
            return -1;
        s->v = grown;
        s->cap = cap;
    }
    s->v[s->n++] = (fw_point_t){tick, v};
    return 0;
}

static uint64_t s_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static uint64_t s_hash_edge(fw_edge_kind_t kind, size_t src, size_t dst)
{
    uint64_t h = ((uint64_t)kind * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)src * 0xC2B2AE3D27D4EB4Full) ^
                 ((uint64_t)dst * 0x165667B19E3779F9ull);
    return h ^ (h >> 29);
}

/* The slot of `hash` in slots (cap a power of two) whose entry `same` says is the one,
 * or the empty slot where it goes. */
static size_t *s_probe(size_t *slots, size_t cap, uint64_t hash,
                       int (*same)(const fw_timeline_t *, size_t, const void *),
                       const fw_timeline_t *tl, const void *key)
{
    for (size_t i = (size_t)hash & (cap - 1);; i = (i + 1) & (cap - 1))
        if (!slots[i] || same(tl, slots[i] - 1, key))
            return &slots[i];
}

typedef struct {
    fw_edge_kind_t kind;
    size_t src, dst;
} s_edge_key_t;

static int s_same_node(const fw_timeline_t *tl, size_t i, const void *id)
{
    return strcmp(tl->nodes[i].id, id) == 0;
}

static int s_same_edge(const fw_timeline_t *tl, size_t i, const void *key)
{
    const s_edge_key_t *k = key;
    const fw_edge_t *e = &tl->edges[i];
    return e->kind == k->kind && e->src == k->src && e->dst == k->dst;
}

/* Doubles an index once it is half full, placing every entry again. Returns 0 or -1. */
static int s_index_grow(fw_timeline_t *tl, bool nodes)
{
    size_t n = nodes ? tl->n_nodes : tl->n_edges;
    size_t *cap = nodes ? &tl->node_cap : &tl->edge_cap;
    size_t **slots = nodes ? &tl->node_slots : &tl->edge_slots;
    if (2 * (n + 1) <= *cap)
        return 0;
    size_t new_cap = *cap ? 2 * *cap : 64;
    size_t *fresh = calloc(new_cap, sizeof *fresh);
    if (!fresh)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (nodes) {
            *s_probe(fresh, new_cap, s_hash_str(tl->nodes[i].id), s_same_node, tl,
                     tl->nodes[i].id) = i + 1;
        } else {
            const fw_edge_t *e = &tl->edges[i];
            s_edge_key_t k = {e->kind, e->src, e->dst};
            *s_probe(fresh, new_cap, s_hash_edge(e->kind, e->src, e->dst), s_same_edge, tl,
                     &k) = i + 1;
        }
    }
    free(*slots);
    *slots = fresh;
    *cap = new_cap;
    return 0;
}

/* The node of `id`, added (role "outside") if new. Returns its index, or -1. */
static long s_node(fw_timeline_t *tl, const char *id)
{
    if (s_index_grow(tl, true) != 0)
        return -1;
    size_t *slot = s_probe(tl->node_slots, tl->node_cap, s_hash_str(id), s_same_node, tl, id);
    if (*slot)
        return (long)(*slot - 1);
    if (tl->n_nodes == tl->cap_nodes) {
        size_t cap = tl->cap_nodes ? 2 * tl->cap_nodes : 16;
        fw_node_t *grown = realloc(tl->nodes, cap * sizeof *grown);
        if (!grown)
            return -1;
        tl->nodes = grown;
        tl->cap_nodes = cap;
    }
    fw_node_t *n = &tl->nodes[tl->n_nodes];
    memset(n, 0, sizeof *n);
    n->id = strdup(id);
    n->name = strdup(id);
    n->role = "outside";
    if (!n->id || !n->name) {
        free(n->id);
        free(n->name);
        return -1;
    }
    *slot = tl->n_nodes + 1;
    return (long)tl->n_nodes++;
}

/* Adds amount at tick to the tie kind src -> dst. Returns 0 or -1. */
static int s_edge_add(fw_timeline_t *tl, fw_edge_kind_t kind, const char *src, const char *dst,
                      uint32_t tick, double amount)
{
    if (!src || !dst || !*src || !*dst)
        return 0;
    long a = s_node(tl, src), b = s_node(tl, dst);
    if (a < 0 || b < 0 || s_index_grow(tl, false) != 0)
        return -1;
    s_edge_key_t k = {kind, (size_t)a, (size_t)b};
    size_t *slot = s_probe(tl->edge_slots, tl->edge_cap, s_hash_edge(kind, k.src, k.dst),
                           s_same_edge, tl, &k);
    if (*slot)
        return s_series_add(&tl->edges[*slot - 1].amount, tick, amount);
    if (tl->n_edges == tl->cap_edges) {
        size_t cap = tl->cap_edges ? 2 * tl->cap_edges : 64;
        fw_edge_t *grown = realloc(tl->edges, cap * sizeof *grown);
        if (!grown)
            return -1;
        tl->edges = grown;
        tl->cap_edges = cap;
    }
    fw_edge_t *e = &tl->edges[tl->n_edges];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->src = k.src;
    e->dst = k.dst;
    *slot = tl->n_edges + 1;
    tl->n_edges++;
    return s_series_add(&e->amount, tick, amount);
}

static void s_timeline_free(fw_timeline_t *tl)
{
    for (size_t i = 0; i < tl->n_nodes; i++) {
        free(tl->nodes[i].id);
        free(tl->nodes[i].name);
        free(tl->nodes[i].cash.v);
        free(tl->nodes[i].valuation.v);
        free(tl->nodes[i].share.v);
    }
    for (size_t i = 0; i < tl->n_edges; i++)
        free(tl->edges[i].amount.v);
    for (uint32_t t = 0; t < tl->ticks && tl->months; t++)
        free(tl->months[t]);
    free(tl->months);
    free(tl->nodes);
    free(tl->edges);
    free(tl->node_slots);
    free(tl->edge_slots);
    free(tl->scenario);
    free(tl->run_id);
    memset(tl, 0, sizeof *tl);
}

/* What reading the log needs besides the timeline: the scenario (for the vendors'
 * families) and, per node, where its market share is in the metrics row. */
typedef struct {
    fw_timeline_t *tl;
    fw_scenario_t *sc;        /* NULL if the logged scenario does not load here */
    long *share_metric;       /* per seat node: index in the metrics row, or -1 */
    long *family_metric;      /* per family: chip_revenue_share.<family>, or -1 */
    size_t n_share;
} s_reader_t;

/* The index of metric `name` in the snapshot's row, or -1. */
static long s_metric_index(const Flywheel__V1__Snapshot *snap, const char *prefix,
                           const char *id)
{
    char name[FW_METRIC_MAX + 8];
    snprintf(name, sizeof name, "%s.%s", prefix, id);
    for (size_t i = 0; i < snap->n_metrics; i++)
        if (strcmp(snap->metrics[i]->name, name) == 0)
            return (long)i;
    return -1;
}

/* On the first snapshot: where each company's share is in the row (the row's names
 * are the same every tick). */
static int s_find_shares(s_reader_t *r, const Flywheel__V1__Snapshot *snap)
{
    r->n_share = r->tl->n_nodes;
    r->share_metric = calloc(r->n_share ? r->n_share : 1, sizeof *r->share_metric);
    size_t nf = r->sc ? r->sc->n_families : 0;
    r->family_metric = calloc(nf ? nf : 1, sizeof *r->family_metric);
    if (!r->share_metric || !r->family_metric)
        return -1;
    for (size_t i = 0; i < r->n_share; i++) {
        const fw_node_t *n = &r->tl->nodes[i];
        r->share_metric[i] = strcmp(n->role, "hyperscaler") == 0
                                 ? s_metric_index(snap, "compute_share", n->id)
                             : strcmp(n->role, "lab") == 0 ? s_metric_index(snap, "lab_share", n->id)
                                                           : -1;
    }
    for (size_t f = 0; f < nf; f++)
        r->family_metric[f] = s_metric_index(snap, "chip_revenue_share", r->sc->families[f].id);
    return 0;
}

/* A company's market share this tick: a cloud's compute_share, a lab's lab_share, a
 * vendor's chip_revenue_share summed over its families. NAN if it has none. */
static double s_share(const s_reader_t *r, size_t node, const Flywheel__V1__Snapshot *snap)
{
    if (node < r->n_share && r->share_metric[node] >= 0)
        return snap->metrics[r->share_metric[node]]->value;
    if (!r->sc || strcmp(r->tl->nodes[node].role, "vendor") != 0)
        return NAN;
    int seat = fw_scenario_seat(r->sc, r->tl->nodes[node].id);
    double share = 0;
    for (size_t f = 0; f < r->sc->n_families; f++)
        if (r->sc->families[f].vendor == seat && r->family_metric[f] >= 0)
            share += snap->metrics[r->family_metric[f]]->value;
    return share;
}

/* The companies' figures of the tick. */
static int s_read_companies(s_reader_t *r, const Flywheel__V1__Snapshot *snap)
{
    for (size_t i = 0; i < snap->n_companies; i++) {
        const Flywheel__V1__CompanyState *c = snap->companies[i];
        long k = s_node(r->tl, c->id);
        if (k < 0)
            return -1;
        fw_node_t *n = &r->tl->nodes[k];
        if (strcmp(n->role, "outside") == 0) {
            n->role = fw_role_name((fw_role_t)c->role);
            if (c->name && *c->name) {
                free(n->name);
                if (!(n->name = strdup(c->name)))
                    return -1;
            }
        }
    }
    if (!r->share_metric && s_find_shares(r, snap) != 0)
        return -1;
    for (size_t i = 0; i < snap->n_companies; i++) {
        const Flywheel__V1__CompanyState *c = snap->companies[i];
        size_t k = (size_t)s_node(r->tl, c->id);
        fw_node_t *n = &r->tl->nodes[k];
        double share = s_share(r, k, snap);
        if (s_series_add(&n->cash, snap->tick, (double)c->cash) != 0 ||
            s_series_add(&n->valuation, snap->tick, (double)c->valuation) != 0 ||
            (!isnan(share) && s_series_add(&n->share, snap->tick, share) != 0))
            return -1;
    }
    return 0;
}

/* A deal's stipulations: a chip mandate, a share of the lab's compute on the
 * investor's cloud, exclusivity or a take-or-pay. */
static bool s_stipulates(const Flywheel__V1__InvestmentTerms *t)
{
    return t && ((t->chip_family && *t->chip_family) || t->min_cloud_share > 0 ||
                 t->exclusive || t->min_spend > 0);
}

/* The ties of the tick. */
static int s_read_ties(fw_timeline_t *tl, const Flywheel__V1__Snapshot *snap)
{
    uint32_t t = snap->tick;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < snap->n_stakes; i++)
        rc = s_edge_add(tl, FW_EDGE_STAKE, snap->stakes[i]->investor, snap->stakes[i]->company,
                        t, (double)snap->stakes[i]->value);
    for (size_t i = 0; rc == 0 && i < snap->n_credits; i++)
        if (snap->credits[i]->amount > 0)
            rc = s_edge_add(tl, FW_EDGE_CREDITS, snap->credits[i]->cloud, snap->credits[i]->lab,
                            t, (double)snap->credits[i]->amount);
    for (size_t i = 0; rc == 0 && i < snap->n_deals; i++) {
        const Flywheel__V1__Deal *d = snap->deals[i];
        if (s_stipulates(d->terms) && d->signed_tick <= t && t <= d->ends_tick)
            rc = s_edge_add(tl, FW_EDGE_MANDATE, d->investor, d->lab, t,
                            (double)d->terms->amount);
    }
    for (size_t i = 0; rc == 0 && i < snap->n_flows; i++)
        rc = s_edge_add(tl, FW_EDGE_COMPUTE, snap->flows[i]->cloud, snap->flows[i]->lab, t,
                        (double)snap->flows[i]->amount);
    for (size_t i = 0; rc == 0 && i < snap->n_chip_flows; i++)
        rc = s_edge_add(tl, FW_EDGE_CHIPS, snap->chip_flows[i]->vendor,
                        snap->chip_flows[i]->cloud, t, (double)snap->chip_flows[i]->amount);
    return rc;
}

/* fw_eventlog_read's callback: one sealed tick. */
static int s_on_tick(void *arg, fw_envelope_t *const *actions, size_t n_actions,
                     const fw_envelope_t *env)
{
    (void)actions;
    (void)n_actions;
    s_reader_t *r = arg;
    fw_timeline_t *tl = r->tl;
    const Flywheel__V1__Snapshot *snap = env->snapshot;
    if (tl->ticks == tl->cap_months) {
        size_t cap = tl->cap_months ? 2 * tl->cap_months : 128;
        char **grown = realloc(tl->months, cap * sizeof *grown);
        if (!grown)
            return -1;
        tl->months = grown;
        tl->cap_months = cap;
    }
    if (!(tl->months[tl->ticks] = strdup(snap->month ? snap->month : "")))
        return -1;
    tl->ticks = snap->tick;
    if (s_read_companies(r, snap) != 0 || s_read_ties(tl, snap) != 0)
        return -1;
    return 0;
}

/* Reads the log's first record, its RunHeader. Returns it (owned), or NULL after
 * printing why. */
static fw_envelope_t *s_read_header(const char *path)
{
    fw_envelope_t *header = NULL;
    FILE *f = fopen(path, "rb");
    int rc = f ? fw_proto_read_delimited(f, &header) : FW_PROTO_EIO;
    if (f)
        fclose(f);
    if (rc == FW_PROTO_OK && header->body_case == FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER)
        return header;
    fprintf(stderr, "flywheel export: %s: %s\n", path,
            !f ? strerror(errno) : "does not start with a run header");
    fw_proto_free(&header);
    return NULL;
}

/* The companies and ties of every sealed tick of the log, into tl. Returns 0 or -1
 * after printing why. */
static int s_read_ticks(const char *path, const Flywheel__V1__RunHeader *h, fw_timeline_t *tl)
{
    char err[1024];
    fw_envelope_t *again = NULL;
    fw_eventlog_recovery_t rec;
    s_reader_t r = {.tl = tl};
    /* The seats first, in seat order, so that the nodes are too. */
    for (size_t i = 0; i < h->n_seats; i++)
        if (s_node(tl, h->seats[i]) < 0) {
            fprintf(stderr, "flywheel export: out of memory\n");
            return -1;
        }
    /* Only for the vendors' families; without it a vendor has no share. */
    r.sc = fw_scenario_parse(h->scenario_path, h->scenario_text, strlen(h->scenario_text), err,
                             sizeof err);
    int rc = fw_eventlog_read(path, &again, s_on_tick, &r, &rec, err, sizeof err);
    fw_proto_free(&again);
    free(r.share_metric);
    free(r.family_metric);
    fw_scenario_destroy(&r.sc);
    if (rc != 0)
        fprintf(stderr, "flywheel export: %s\n", err);
    return rc;
}

/* Reads the run's log into *tl: its header, and with `ties` the companies and ties of
 * every tick (the graphs). Returns 0, or FW_EXPORT_BADRUN after printing why. */
static int s_read_run(const char *dir, bool ties, fw_timeline_t *tl)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/events.log", dir);
    memset(tl, 0, sizeof *tl);
    fw_envelope_t *header = s_read_header(path);
    if (!header)
        return FW_EXPORT_BADRUN;
    const Flywheel__V1__RunHeader *h = header->run_header;
    tl->seed = h->seed;
    tl->run_id = strdup(header->run_id ? header->run_id : "");
    tl->scenario = strdup(h->scenario_path ? h->scenario_path : "");
    int rc = tl->run_id && tl->scenario ? 0 : -1;
    if (rc != 0)
        fprintf(stderr, "flywheel export: out of memory\n");
    if (rc == 0 && ties)
        rc = s_read_ticks(path, h, tl);
    fw_proto_free(&header);
    if (rc != 0) {
        s_timeline_free(tl);
        return FW_EXPORT_BADRUN;
    }
    return 0;
}

/* ---- the long CSV ------------------------------------------------------------------ */

/* Splits a CSV line of metrics.csv (no quoting there: ids and numbers) in place. */
static size_t s_split(char *line, char **fields, size_t max)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < max;) {
        fields[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

/* The rows of metrics.csv as long rows. Returns 0, or -1 with the reason in err. */
static int s_write_long(FILE *in, FILE *out, const fw_timeline_t *tl, const char *csv_path,
                        char *err, size_t err_len)
{
    char *line = NULL, *header = NULL, seed[32];
    size_t cap = 0, n_cols;
    char **names = NULL, **row = NULL;
    int rc = -1;
    if (getline(&header, &cap, in) < 0) {
        snprintf(err, err_len, "%s is empty", csv_path);
        goto out;
    }
    cap = 0;
    n_cols = 1;
    for (const char *p = header; *p; p++)
        n_cols += *p == ',';
    names = calloc(n_cols, sizeof *names);
    row = calloc(n_cols, sizeof *row);
    if (!names || !row) {
        snprintf(err, err_len, "out of memory");
        goto out;
    }
    if (s_split(header, names, n_cols) != n_cols || n_cols < 2 ||
        strcmp(names[0], "tick") != 0 || strcmp(names[1], "month") != 0) {
        snprintf(err, err_len, "%s: the header does not start with tick,month", csv_path);
        goto out;
    }
    snprintf(seed, sizeof seed, "%" PRIu64, tl->seed);
    fputs("tick,month,metric,entity,value,unit,seed,run_id\n", out);
    for (long lineno = 2; getline(&line, &cap, in) >= 0; lineno++) {
        if (s_split(line, row, n_cols) != n_cols) {
            snprintf(err, err_len, "%s:%ld: %zu columns expected", csv_path, lineno, n_cols);
            goto out;
        }
        for (size_t i = 2; i < n_cols; i++) {
            const fw_metric_def_t *d = fw_metric_def(names[i]);
            const char *dot = strchr(names[i], '.');
            fprintf(out, "%s,%s,", row[0], row[1]);
            if (dot)
                fprintf(out, "%.*s,", (int)(dot - names[i]), names[i]);
            else
                fprintf(out, "%s,", names[i]);
            fw_text_csv_field(out, dot ? dot + 1 : "");
            fprintf(out, ",%s,", row[i]);
            fw_text_csv_field(out, d ? d->unit : "");
            fprintf(out, ",%s,", seed);
            fw_text_csv_field(out, tl->run_id);
            fputc('\n', out);
        }
    }
    rc = 0;
out:
    free(line);
    free(header);
    free(names);
    free(row);
    return rc;
}

static int s_long_csv(const char *dir, const fw_timeline_t *tl, const char *path, bool quiet)
{
    char in_path[PATH_MAX], tmp[PATH_MAX + 8], err[PATH_MAX + 128];
    snprintf(in_path, sizeof in_path, "%s/metrics.csv", dir);
    FILE *in = fopen(in_path, "r");
    if (!in) {
        fprintf(stderr, "flywheel export: cannot read %s: %s\n", in_path, strerror(errno));
        return FW_EXPORT_BADRUN;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *out = fopen(tmp, "w");
    if (!out) {
        fprintf(stderr, "flywheel export: cannot write %s: %s\n", tmp, strerror(errno));
        fclose(in);
        return FW_EXPORT_EWRITE;
    }
    int rc = s_write_long(in, out, tl, in_path, err, sizeof err);
    fclose(in);
    int werr = ferror(out);
    if (fclose(out) != 0 || werr) {
        unlink(tmp);
        fprintf(stderr, "flywheel export: cannot write %s: %s\n", tmp, strerror(errno));
        return FW_EXPORT_EWRITE;
    }
    if (rc != 0) {
        unlink(tmp);
        fprintf(stderr, "flywheel export: %s\n", err);
        return FW_EXPORT_BADRUN;
    }
    if (rename(tmp, path) != 0) {
        fprintf(stderr, "flywheel export: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return FW_EXPORT_EWRITE;
    }
    if (!quiet)
        printf("flywheel export: %s: metrics in long form\n", path);
    return FW_EXPORT_OK;
}

/* ---- the command ------------------------------------------------------------------- */

typedef struct {
    const char *dir, *graphml, *gexf, *long_csv;
    uint32_t tick; /* 0: the last */
    bool quiet;
} s_opts_t;

static int s_parse(int argc, char **argv, s_opts_t *o)
{
    enum { OPT_GRAPHML = 256, OPT_GEXF, OPT_LONG, OPT_TICK };
    static const struct option longs[] = {
        {"graphml", required_argument, NULL, OPT_GRAPHML},
        {"gexf", required_argument, NULL, OPT_GEXF},
        {"long-csv", required_argument, NULL, OPT_LONG},
        {"tick", required_argument, NULL, OPT_TICK},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    memset(o, 0, sizeof *o);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":qh", longs, NULL)) != -1) {
        switch (c) {
        case OPT_GRAPHML: o->graphml = optarg; break;
        case OPT_GEXF: o->gexf = optarg; break;
        case OPT_LONG: o->long_csv = optarg; break;
        case OPT_TICK: {
            char *end;
            errno = 0;
            unsigned long t = strtoul(optarg, &end, 10);
            if (*optarg < '1' || *optarg > '9' || *end || errno || t > UINT32_MAX) {
                fprintf(stderr, "flywheel export: --tick wants a tick >= 1, not '%s'\n", optarg);
                return FW_EXPORT_USAGE;
            }
            o->tick = (uint32_t)t;
            break;
        }
        case 'q': o->quiet = true; break;
        case 'h': fw_export_usage(stdout); return -1;
        case ':':
            fprintf(stderr, "flywheel export: %s needs a value\n", argv[optind - 1]);
            return FW_EXPORT_USAGE;
        default:
            fprintf(stderr, "flywheel export: unknown option '%s' (see flywheel help export)\n",
                    argv[optind - 1]);
            return FW_EXPORT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "flywheel export: which run directory? (see flywheel help export)\n");
        return FW_EXPORT_USAGE;
    }
    if (optind + 1 < argc) {
        fprintf(stderr, "flywheel export: one run directory at a time ('%s' is extra)\n",
                argv[optind + 1]);
        return FW_EXPORT_USAGE;
    }
    o->dir = argv[optind];
    if (!o->graphml && !o->gexf && !o->long_csv) {
        fprintf(stderr, "flywheel export: nothing to write: give --graphml, --gexf or "
                        "--long-csv (see flywheel help export)\n");
        return FW_EXPORT_USAGE;
    }
    if (o->tick && !o->graphml) {
        fprintf(stderr, "flywheel export: --tick is the tick of --graphml\n");
        return FW_EXPORT_USAGE;
    }
    return 0;
}

/* Writes the graphs. Returns an exit code. */
static int s_graphs(const s_opts_t *o, const fw_timeline_t *tl)
{
    char err[PATH_MAX + 256];
    if (tl->ticks == 0) {
        fprintf(stderr, "flywheel export: %s: the run has no tick yet\n", o->dir);
        return FW_EXPORT_BADRUN;
    }
    if (o->graphml) {
        uint32_t tick = o->tick ? o->tick : tl->ticks;
        size_t n_edges = 0;
        if (tick > tl->ticks) {
            fprintf(stderr, "flywheel export: --tick %u: the run has ticks 1 to %u\n", tick,
                    tl->ticks);
            return FW_EXPORT_USAGE;
        }
        if (fw_export_graphml(tl, tick, o->graphml, &n_edges, err, sizeof err) != 0) {
            fprintf(stderr, "flywheel export: %s\n", err);
            return FW_EXPORT_EWRITE;
        }
        if (!o->quiet)
            printf("flywheel export: %s: tick %u (%s), %zu companies, %zu ties\n", o->graphml,
                   tick, tl->months[tick - 1], tl->n_nodes, n_edges);
    }
    if (o->gexf) {
        if (fw_export_gexf(tl, o->gexf, err, sizeof err) != 0) {
            fprintf(stderr, "flywheel export: %s\n", err);
            return FW_EXPORT_EWRITE;
        }
        if (!o->quiet)
            printf("flywheel export: %s: ticks 1 to %u, %zu companies, %zu ties\n", o->gexf,
                   tl->ticks, tl->n_nodes, tl->n_edges);
    }
    return FW_EXPORT_OK;
}

int fw_export_main(int argc, char **argv)
{
    s_opts_t o;
    fw_timeline_t tl;
    int rc = s_parse(argc, argv, &o);
    if (rc < 0)
        return FW_EXPORT_OK;
    if (rc != 0)
        return rc;
    fw_log_init("export", NULL, FW_LOG_ERROR);
    rc = s_read_run(o.dir, o.graphml || o.gexf, &tl);
    if (rc != 0)
        return rc;
    if (o.graphml || o.gexf)
        rc = s_graphs(&o, &tl);
    if (rc == FW_EXPORT_OK && o.long_csv)
        rc = s_long_csv(o.dir, &tl, o.long_csv, o.quiet);
    s_timeline_free(&tl);
    if (fflush(stdout) != 0 && rc == FW_EXPORT_OK)
        rc = FW_EXPORT_EWRITE;
    return rc;
}
