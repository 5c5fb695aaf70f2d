/* fw_export_int: the run as a timeline of companies and ties, shared by the command
 * (fw_export.c, which reads it from events.log) and the XML writers
 * (fw_export_xml.c). */
#ifndef FW_EXPORT_INT_H
#define FW_EXPORT_INT_H

#include <stddef.h>
#include <stdint.h>

/* The kinds of tie between two companies, source -> target (docs/outputs.md). */
typedef enum {
    FW_EDGE_STAKE,   /* investor -> company: equity held, at market (USD) */
    FW_EDGE_CREDITS, /* cloud -> lab: compute credits outstanding (USD) */
    FW_EDGE_MANDATE, /* investor -> lab: deals whose stipulations are in force (USD invested) */
    FW_EDGE_COMPUTE, /* cloud -> lab: compute bought this tick (USD) */
    FW_EDGE_CHIPS,   /* vendor -> cloud: chips bought this tick (USD) */
    FW_EDGE_KINDS
} fw_edge_kind_t;

const char *fw_edge_kind_name(fw_edge_kind_t kind);

/* A value at a tick. */
typedef struct {
    uint32_t tick;
    double value;
} fw_point_t;

typedef struct {
    fw_point_t *v;
    size_t n, cap;
} fw_series_t;

typedef struct {
    char *id, *name;
    const char *role;   /* "hyperscaler", "lab", "vendor", or "outside" (not a seat) */
    fw_series_t cash, valuation, share; /* ticks where known, in order */
} fw_node_t;

typedef struct {
    fw_edge_kind_t kind;
    size_t src, dst;    /* node indexes */
    fw_series_t amount; /* the ticks the tie exists, in order */
} fw_edge_t;

typedef struct {
    fw_node_t *nodes;
    size_t n_nodes, cap_nodes;
    fw_edge_t *edges;
    size_t n_edges, cap_edges;
    /* Open-addressing indexes (slot = index + 1, 0 empty; at most half full), so that
     * a market of thousands of companies and ties reads in linear time. */
    size_t *node_slots, *edge_slots;
    size_t node_cap, edge_cap;
    uint32_t ticks;   /* sealed ticks read */
    char **months;    /* months[t - 1]: tick t's "YYYY-MM" */
    size_t cap_months;
    char *scenario, *run_id;
    uint64_t seed;
} fw_timeline_t;

/* The run of consecutive ticks of `s` that holds tick t: its first and last tick.
 * Returns the point's index, or -1 if t is not in the series. */
long fw_series_at(const fw_series_t *s, uint32_t tick, uint32_t *start, uint32_t *end);

/* A number as the exports write it: whole numbers whole, others to 17 significant
 * digits (exact for a double). */
void fw_export_number(char *buf, size_t len, double v);

/* The writers. Each writes `path` (through a temporary file, renamed when whole) and
 * returns 0, or -1 with the reason in err. */
int fw_export_graphml(const fw_timeline_t *tl, uint32_t tick, const char *path, size_t *n_edges,
                      char *err, size_t err_len);
int fw_export_gexf(const fw_timeline_t *tl, const char *path, char *err, size_t err_len);

#endif
