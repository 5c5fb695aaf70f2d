/* fw_export_xml: GraphML and GEXF through libxml2's xmlTextWriter, which escapes
 * names (a company's display name may hold '&' or '<') and writes well-formed UTF-8
 * XML; see fw_export_int.h. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libxml/xmlwriter.h>

#include "fw_export_int.h"
#include "fw_version.h"

#define X(s) ((const xmlChar *)(s))

/* The writer of `tmp` (the output's temporary name), or NULL with the reason. */
static xmlTextWriterPtr s_open(const char *path, char *tmp, size_t tmp_len, char *err,
                               size_t err_len)
{
    snprintf(tmp, tmp_len, "%s.tmp", path);
    xmlTextWriterPtr w = xmlNewTextWriterFilename(tmp, 0);
    if (!w) {
        snprintf(err, err_len, "cannot write %s: %s", tmp, strerror(errno ? errno : EIO));
        return NULL;
    }
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterSetIndentString(w, X(" "));
    if (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0) {
        xmlFreeTextWriter(w);
        unlink(tmp);
        snprintf(err, err_len, "cannot write %s", tmp);
        return NULL;
    }
    return w;
}

/* Ends the document, closes the file and renames it into place; `ok` says whether
 * every write before succeeded. Returns 0, or -1 with the reason (the temporary file
 * removed). */
static int s_close(xmlTextWriterPtr w, int ok, const char *tmp, const char *path, char *err,
                   size_t err_len)
{
    if (ok && (xmlTextWriterEndDocument(w) < 0 || xmlTextWriterFlush(w) < 0))
        ok = 0;
    xmlFreeTextWriter(w); /* flushes and closes the file */
    if (ok && rename(tmp, path) == 0)
        return 0;
    snprintf(err, err_len, "cannot write %s: %s", ok ? path : tmp, strerror(errno ? errno : EIO));
    unlink(tmp);
    return -1;
}

static int s_attr(xmlTextWriterPtr w, const char *name, const char *value)
{
    return xmlTextWriterWriteAttribute(w, X(name), X(value)) < 0 ? -1 : 0;
}

static int s_attr_u(xmlTextWriterPtr w, const char *name, uint32_t v)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%u", v);
    return s_attr(w, name, buf);
}

/* ---- GraphML ----------------------------------------------------------------------- */

/* <key id=name for=what attr.name=name attr.type=type/> */
static int s_key(xmlTextWriterPtr w, const char *what, const char *name, const char *type)
{
    return xmlTextWriterStartElement(w, X("key")) < 0 || s_attr(w, "id", name) ||
                   s_attr(w, "for", what) || s_attr(w, "attr.name", name) ||
                   s_attr(w, "attr.type", type) || xmlTextWriterEndElement(w) < 0
               ? -1
               : 0;
}

/* <data key=key>text</data> */
static int s_data(xmlTextWriterPtr w, const char *key, const char *text)
{
    return xmlTextWriterStartElement(w, X("data")) < 0 || s_attr(w, "key", key) ||
                   xmlTextWriterWriteString(w, X(text)) < 0 || xmlTextWriterEndElement(w) < 0
               ? -1
               : 0;
}

static int s_data_num(xmlTextWriterPtr w, const char *key, double v)
{
    char buf[40];
    fw_export_number(buf, sizeof buf, v);
    return s_data(w, key, buf);
}

static int s_graphml_keys(xmlTextWriterPtr w)
{
    static const char *const keys[][3] = {
        {"graph", "scenario", "string"}, {"graph", "seed", "string"},
        {"graph", "run_id", "string"},   {"graph", "tick", "int"},
        {"graph", "month", "string"},    {"node", "name", "string"},
        {"node", "role", "string"},      {"node", "cash", "double"},
        {"node", "valuation", "double"}, {"node", "share", "double"},
        {"edge", "kind", "string"},      {"edge", "amount", "double"},
        {"edge", "start", "int"},        {"edge", "end", "int"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (s_key(w, keys[i][0], keys[i][1], keys[i][2]) != 0)
            return -1;
    return 0;
}

/* A node and its figures at the tick (those it has). */
static int s_graphml_node(xmlTextWriterPtr w, const fw_node_t *n, uint32_t tick)
{
    uint32_t a, b;
    long i;
    if (xmlTextWriterStartElement(w, X("node")) < 0 || s_attr(w, "id", n->id) ||
        s_data(w, "name", n->name) || s_data(w, "role", n->role))
        return -1;
    if ((i = fw_series_at(&n->cash, tick, &a, &b)) >= 0 && s_data_num(w, "cash", n->cash.v[i].value))
        return -1;
    if ((i = fw_series_at(&n->valuation, tick, &a, &b)) >= 0 &&
        s_data_num(w, "valuation", n->valuation.v[i].value))
        return -1;
    if ((i = fw_series_at(&n->share, tick, &a, &b)) >= 0 &&
        s_data_num(w, "share", n->share.v[i].value))
        return -1;
    return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

/* The tie if it exists at the tick; *written counts it. */
static int s_graphml_edge(xmlTextWriterPtr w, const fw_timeline_t *tl, const fw_edge_t *e,
                          uint32_t tick, size_t *written)
{
    uint32_t start, end;
    char id[32];
    long i = fw_series_at(&e->amount, tick, &start, &end);
    if (i < 0)
        return 0;
    snprintf(id, sizeof id, "e%zu", *written);
    (*written)++;
    return xmlTextWriterStartElement(w, X("edge")) < 0 || s_attr(w, "id", id) ||
                   s_attr(w, "source", tl->nodes[e->src].id) ||
                   s_attr(w, "target", tl->nodes[e->dst].id) ||
                   s_data(w, "kind", fw_edge_kind_name(e->kind)) ||
                   s_data_num(w, "amount", e->amount.v[i].value) ||
                   s_data_num(w, "start", start) || s_data_num(w, "end", end) ||
                   xmlTextWriterEndElement(w) < 0
               ? -1
               : 0;
}

int fw_export_graphml(const fw_timeline_t *tl, uint32_t tick, const char *path, size_t *n_edges,
                      char *err, size_t err_len)
{
    char tmp[PATH_MAX + 8], seed[32];
    xmlTextWriterPtr w = s_open(path, tmp, sizeof tmp, err, err_len);
    if (!w)
        return -1;
    snprintf(seed, sizeof seed, "%" PRIu64, tl->seed);
    *n_edges = 0;
    int ok = xmlTextWriterStartElement(w, X("graphml")) >= 0 &&
             s_attr(w, "xmlns", "http://graphml.graphdrawing.org/xmlns") == 0 &&
             s_graphml_keys(w) == 0 && xmlTextWriterStartElement(w, X("graph")) >= 0 &&
             s_attr(w, "id", "alliances") == 0 && s_attr(w, "edgedefault", "directed") == 0 &&
             s_data(w, "scenario", tl->scenario) == 0 && s_data(w, "seed", seed) == 0 &&
             s_data(w, "run_id", tl->run_id) == 0 && s_data_num(w, "tick", tick) == 0 &&
             s_data(w, "month", tl->months[tick - 1]) == 0;
    for (size_t i = 0; ok && i < tl->n_nodes; i++)
        ok = s_graphml_node(w, &tl->nodes[i], tick) == 0;
    for (size_t i = 0; ok && i < tl->n_edges; i++)
        ok = s_graphml_edge(w, tl, &tl->edges[i], tick, n_edges) == 0;
    ok = ok && xmlTextWriterEndElement(w) >= 0 && xmlTextWriterEndElement(w) >= 0;
    return s_close(w, ok, tmp, path, err, err_len);
}

/* ---- GEXF -------------------------------------------------------------------------- */

/* <attributes class=cls mode=mode> with one <attribute> per name (id = title). */
static int s_gexf_attributes(xmlTextWriterPtr w, const char *cls, const char *mode,
                             const char *const *names, const char *type, size_t n)
{
    if (xmlTextWriterStartElement(w, X("attributes")) < 0 || s_attr(w, "class", cls) ||
        s_attr(w, "mode", mode))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (xmlTextWriterStartElement(w, X("attribute")) < 0 || s_attr(w, "id", names[i]) ||
            s_attr(w, "title", names[i]) || s_attr(w, "type", type) ||
            xmlTextWriterEndElement(w) < 0)
            return -1;
    return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

/* <attvalue for=name value=v [start end]/>: a static value if start is 0. */
static int s_attvalue(xmlTextWriterPtr w, const char *name, const char *value, uint32_t start,
                      uint32_t end)
{
    return xmlTextWriterStartElement(w, X("attvalue")) < 0 || s_attr(w, "for", name) ||
                   s_attr(w, "value", value) || (start && s_attr_u(w, "start", start)) ||
                   (start && s_attr_u(w, "end", end)) || xmlTextWriterEndElement(w) < 0
               ? -1
               : 0;
}

/* A series as dynamic values: one attvalue per run of consecutive ticks with the same
 * value, [start, end] both included. */
static int s_dynamic(xmlTextWriterPtr w, const char *name, const fw_series_t *s)
{
    for (size_t i = 0; i < s->n;) {
        size_t j = i;
        while (j + 1 < s->n && s->v[j + 1].tick == s->v[j].tick + 1 &&
               s->v[j + 1].value == s->v[i].value)
            j++;
        char buf[40];
        fw_export_number(buf, sizeof buf, s->v[i].value);
        if (s_attvalue(w, name, buf, s->v[i].tick, s->v[j].tick) != 0)
            return -1;
        i = j + 1;
    }
    return 0;
}

static int s_gexf_node(xmlTextWriterPtr w, const fw_node_t *n, uint32_t ticks)
{
    return xmlTextWriterStartElement(w, X("node")) < 0 || s_attr(w, "id", n->id) ||
                   s_attr(w, "label", n->name) || s_attr_u(w, "start", 1) ||
                   s_attr_u(w, "end", ticks) || xmlTextWriterStartElement(w, X("attvalues")) < 0 ||
                   s_attvalue(w, "role", n->role, 0, 0) || s_dynamic(w, "cash", &n->cash) ||
                   s_dynamic(w, "valuation", &n->valuation) || s_dynamic(w, "share", &n->share) ||
                   xmlTextWriterEndElement(w) < 0 || xmlTextWriterEndElement(w) < 0
               ? -1
               : 0;
}

/* A tie over the run: its kind, its amount over time, and a spell per run of
 * consecutive ticks it exists in. */
static int s_gexf_edge(xmlTextWriterPtr w, const fw_timeline_t *tl, const fw_edge_t *e)
{
    char id[3 * 64];
    const char *kind = fw_edge_kind_name(e->kind);
    snprintf(id, sizeof id, "%s:%s:%s", kind, tl->nodes[e->src].id, tl->nodes[e->dst].id);
    if (xmlTextWriterStartElement(w, X("edge")) < 0 || s_attr(w, "id", id) ||
        s_attr(w, "source", tl->nodes[e->src].id) || s_attr(w, "target", tl->nodes[e->dst].id) ||
        s_attr(w, "label", kind) || xmlTextWriterStartElement(w, X("attvalues")) < 0 ||
        s_attvalue(w, "kind", kind, 0, 0) || s_dynamic(w, "amount", &e->amount) ||
        xmlTextWriterEndElement(w) < 0 || xmlTextWriterStartElement(w, X("spells")) < 0)
        return -1;
    for (size_t i = 0; i < e->amount.n;) {
        size_t j = i;
        while (j + 1 < e->amount.n && e->amount.v[j + 1].tick == e->amount.v[j].tick + 1)
            j++;
        if (xmlTextWriterStartElement(w, X("spell")) < 0 ||
            s_attr_u(w, "start", e->amount.v[i].tick) || s_attr_u(w, "end", e->amount.v[j].tick) ||
            xmlTextWriterEndElement(w) < 0)
            return -1;
        i = j + 1;
    }
    return xmlTextWriterEndElement(w) < 0 || xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static int s_gexf_head(xmlTextWriterPtr w, const fw_timeline_t *tl)
{
    static const char *const node_static[] = {"role"}, *const node_dynamic[] = {
        "cash", "valuation", "share"};
    static const char *const edge_static[] = {"kind"}, *const edge_dynamic[] = {"amount"};
    char desc[512];
    snprintf(desc, sizeof desc, "Flywheel run %s of %s, seed %" PRIu64 ", ticks 1 to %u (%s to %s)",
             tl->run_id, tl->scenario, tl->seed, tl->ticks, tl->months[0],
             tl->months[tl->ticks - 1]);
    return xmlTextWriterStartElement(w, X("gexf")) < 0 ||
                   s_attr(w, "xmlns", "http://www.gexf.net/1.2draft") ||
                   s_attr(w, "version", "1.2") || xmlTextWriterStartElement(w, X("meta")) < 0 ||
                   xmlTextWriterWriteElement(w, X("creator"), X("flywheel " FW_VERSION)) < 0 ||
                   xmlTextWriterWriteElement(w, X("description"), X(desc)) < 0 ||
                   xmlTextWriterEndElement(w) < 0 || xmlTextWriterStartElement(w, X("graph")) < 0 ||
                   s_attr(w, "mode", "dynamic") || s_attr(w, "defaultedgetype", "directed") ||
                   s_attr(w, "timeformat", "double") || s_attr_u(w, "start", 1) ||
                   s_attr_u(w, "end", tl->ticks) ||
                   s_gexf_attributes(w, "node", "static", node_static, "string", 1) ||
                   s_gexf_attributes(w, "node", "dynamic", node_dynamic, "double", 3) ||
                   s_gexf_attributes(w, "edge", "static", edge_static, "string", 1) ||
                   s_gexf_attributes(w, "edge", "dynamic", edge_dynamic, "double", 1)
               ? -1
               : 0;
}

int fw_export_gexf(const fw_timeline_t *tl, const char *path, char *err, size_t err_len)
{
    char tmp[PATH_MAX + 8];
    xmlTextWriterPtr w = s_open(path, tmp, sizeof tmp, err, err_len);
    if (!w)
        return -1;
    int ok = s_gexf_head(w, tl) == 0 && xmlTextWriterStartElement(w, X("nodes")) >= 0;
    for (size_t i = 0; ok && i < tl->n_nodes; i++)
        ok = s_gexf_node(w, &tl->nodes[i], tl->ticks) == 0;
    ok = ok && xmlTextWriterEndElement(w) >= 0 && xmlTextWriterStartElement(w, X("edges")) >= 0;
    for (size_t i = 0; ok && i < tl->n_edges; i++)
        ok = s_gexf_edge(w, tl, &tl->edges[i]) == 0;
    /* edges, graph, gexf */
    ok = ok && xmlTextWriterEndElement(w) >= 0 && xmlTextWriterEndElement(w) >= 0 &&
         xmlTextWriterEndElement(w) >= 0;
    return s_close(w, ok, tmp, path, err, err_len);
}
