/* fw_vdraw_graph: the alliance graph. See fw_vdraw_views.h and docs/viewer.md. */
#include "fw_vdraw_views.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fw_vfmt.h"

static const SDL_Color C_GRID = {0xe2, 0xe7, 0xee, 255};
static const SDL_Color C_STAKE = {0x3b, 0x46, 0x58, 215};
static const SDL_Color C_CREDIT = {0xc9, 0x94, 0x00, 235};

/* --- figures and tooltips ---------------------------------------------------------- */

static const char *s_role_name(int role)
{
    switch (role) {
    case FW_VROLE_CLOUD: return "cloud";
    case FW_VROLE_LAB: return "AI lab";
    case FW_VROLE_VENDOR: return "chip vendor";
    default: return "company";
    }
}

static SDL_Color s_edge_color(const fw_vglink_t *e)
{
    switch (e->kind) {
    case FW_EDGE_STAKE: return C_STAKE;
    case FW_EDGE_CREDIT: return C_CREDIT;
    case FW_EDGE_COMPUTE: return vd_rgb(fw_vpalette_family((size_t)e->family), 185);
    default: return vd_rgb(fw_vpalette_family((size_t)e->family), 110);
    }
}

/* Distance from (px, py) to the segment a-b. */
static float s_seg_dist(float px, float py, float ax, float ay, float bx, float by)
{
    float dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    float t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    float qx = ax + t * dx - px, qy = ay + t * dy - py;
    return sqrtf(qx * qx + qy * qy);
}

/* Builds the curve of an edge: a quadratic Bezier that bends to the right of its
 * direction (so A->B and B->A do not overlap), more for each further chip family
 * between the same pair; trimmed to the nodes' rims, leaving room for the arrowhead. */
static void s_edge_curve(vd_edge_hit_t *h, float x0, float y0, float r0, float x1, float y1,
                         float r1, float bend_k, float arrow)
{
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len < 1)
        len = 1;
    float nx = dy / len, ny = -dx / len;
    float bend = len * bend_k;
    float qx = (x0 + x1) / 2 + nx * bend, qy = (y0 + y1) / 2 + ny * bend;
    /* Sample, then keep the part outside both discs. */
    float px[BEZ_N * 4 + 1], py[BEZ_N * 4 + 1];
    int m = BEZ_N * 4, first = 0, last = m;
    for (int i = 0; i <= m; i++) {
        float t = (float)i / (float)m, u = 1 - t;
        px[i] = u * u * x0 + 2 * u * t * qx + t * t * x1;
        py[i] = u * u * y0 + 2 * u * t * qy + t * t * y1;
    }
    while (first < m && hypotf(px[first] - x0, py[first] - y0) < r0 + 1)
        first++;
    while (last > first && hypotf(px[last] - x1, py[last] - y1) < r1 + 1 + arrow)
        last--;
    for (int i = 0; i <= BEZ_N; i++) {
        int k = first + (last - first) * i / BEZ_N;
        h->x[i] = px[k];
        h->y[i] = py[k];
    }
}

static void s_arrow(fw_vdraw_t *d, const vd_edge_hit_t *h, float size, SDL_Color c)
{
    float ax = h->x[BEZ_N], ay = h->y[BEZ_N];
    float dx = ax - h->x[BEZ_N - 2], dy = ay - h->y[BEZ_N - 2], len = sqrtf(dx * dx + dy * dy);
    if (len < 0.01f)
        return;
    dx /= len;
    dy /= len;
    float tipx = ax + dx * size, tipy = ay + dy * size;
    float bx = ax - dx * size * 0.15f, by = ay - dy * size * 0.15f;
    vd_tri(d, tipx, tipy, bx - dy * size * 0.55f, by + dx * size * 0.55f, bx + dy * size * 0.55f,
           by - dx * size * 0.55f, c);
}

static void s_node_tip(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f, size_t i)
{
    const fw_vnode_t *n = fw_vmodel_node(vm, i);
    const fw_vnode_state_t *s = &f->nodes[i];
    char a[48], b[48];
    vd_tip_add(d, "%s  (%s)", n->name, s_role_name(n->role));
    if (s->valuation > 0)
        vd_tip_add(d, "valuation %s", fw_vfmt_money(s->valuation, a, sizeof a));
    vd_tip_add(d, "cash %s", fw_vfmt_money(s->cash, a, sizeof a));
    vd_tip_add(d, "revenue %s, profit %s this tick", fw_vfmt_money(s->revenue, a, sizeof a),
               fw_vfmt_money(s->profit, b, sizeof b));
    if (n->role == FW_VROLE_CLOUD)
        vd_tip_add(d, "capacity installed %s H100-eq", fw_vfmt_count(s->compute, a, sizeof a));
    else if (n->role == FW_VROLE_LAB)
        vd_tip_add(d, "compute bought %s H100-mo this tick", fw_vfmt_count(s->compute, a, sizeof a));
    if (n->role == FW_VROLE_LAB && s->capability > 0)
        vd_tip_add(d, "capability %.2f", s->capability);
    if (s->faltering)
        vd_tip_add(d, "FALTERING: out of cash, no investor");
    if (s->present && !s->answered)
        vd_tip_add(d, "no answer from its agent this tick");
    d->tip_swatch = vd_rgb(fw_vmodel_node_color(vm, i), 255);
    d->tip_has_swatch = 1;
}


/* Tooltip of a link: the total, then each chip family's part. */
static void s_link_tip(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
                       const fw_vglink_t *l)
{
    const fw_vnode_t *a = fw_vmodel_node(vm, (size_t)l->from), *b = fw_vmodel_node(vm, (size_t)l->to);
    char m[48], q[48], pc[32];
    switch (l->kind) {
    case FW_EDGE_STAKE:
        vd_tip_add(d, "%s holds %s of %s", a->name, fw_vfmt_percent(l->quantity, pc, sizeof pc),
                   b->name);
        vd_tip_add(d, "value %s (paid %s)", fw_vfmt_money(l->dollars, m, sizeof m),
                   fw_vfmt_money(f->edges[l->first].cost, q, sizeof q));
        break;
    case FW_EDGE_CREDIT:
        vd_tip_add(d, "%s credits held by %s", a->name, b->name);
        vd_tip_add(d, "%s of compute left to use", fw_vfmt_money(l->dollars, m, sizeof m));
        break;
    default:
        vd_tip_add(d, l->kind == FW_EDGE_COMPUTE ? "%s buys compute from %s"
                                                 : "%s buys chips from %s", a->name, b->name);
        vd_tip_add(d, "%s this tick, %s %s", fw_vfmt_money(l->dollars, m, sizeof m),
                   fw_vfmt_count(l->quantity, q, sizeof q),
                   l->kind == FW_EDGE_COMPUTE ? "H100-mo" : "chips");
        for (size_t e = l->first; e < l->first + l->count; e++) {
            const fw_vedge_t *ed = &f->edges[e];
            vd_tip_add(d, "  %s: %s", fw_vmodel_key_label(vm, FW_SHARE_CHIP, (size_t)ed->family),
                       fw_vfmt_money(ed->dollars, m, sizeof m));
        }
        break;
    }
    d->tip_swatch = s_edge_color(l);
    d->tip_swatch.a = 255;
    d->tip_has_swatch = 1;
}

/* --- the side column: events, focus, companies without a label, legend ----------------- */

#define SIDE_LINE 160

/* Draws wrapped text from y in the side column; returns the y below it. */
static float s_side_text(fw_vdraw_t *d, const fw_vbox_t *side, float y, int font, const char *text,
                         SDL_Color c, int max_lines)
{
    char lines[6][SIDE_LINE];
    if (max_lines > 6)
        max_lines = 6;
    float lh = (float)vd_line_h(d, font);
    int n = vd_wrap(d, font, text, side->w, &lines[0][0], max_lines, SIDE_LINE);
    for (int i = 0; i < n; i++, y += lh)
        vd_text(d, font, lines[i], side->x, y, c, AL_LEFT);
    return y;
}

/* Height of the legend (drawn at the bottom of the side column). */
static float s_legend_h(const fw_vdraw_t *d)
{
    float lh = (float)vd_line_h(d, F_SMALL);
    int families = d->p.purchases.w > 0 ? 0 : 1;
    return lh * (float)(3 + 1 + 5) + (families ? lh : 0) + (float)d->p.pad;
}

static void s_legend(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vbox_t *side)
{
    float pad = (float)d->p.pad, lh = (float)vd_line_h(d, F_SMALL), sw = lh * 0.7f;
    float s = (float)d->p.scale, x0 = side->x;
    float y = side->y + side->h - s_legend_h(d) + pad;
    vd_line(d, x0, y - pad / 2, x0 + side->w, y - pad / 2, 1, C_BORDER);
    static const int roles[] = {FW_VROLE_CLOUD, FW_VROLE_LAB, FW_VROLE_VENDOR};
    static const char *names[] = {"cloud", "AI lab", "chip vendor"};
    for (int i = 0; i < 3; i++, y += lh) {
        vd_disc(d, x0 + sw / 2, y + lh / 2, sw / 2, vd_rgb(fw_vpalette_role(roles[i]), 255));
        vd_text(d, F_SMALL, names[i], x0 + sw + pad * 0.6f, y, C_TEXT, AL_LEFT);
    }
    vd_text(d, F_SMALL, "size: valuation (or cash)", x0, y, C_MUTED, AL_LEFT);
    y += lh;
    struct {
        const char *name;
        SDL_Color c;
        float dash, width;
    } kinds[] = {{"equity stake", C_STAKE, 0, 2.5f},
                 {"compute credits", C_CREDIT, 5, 2.5f},
                 {"compute: lab to cloud", (SDL_Color){0x7b, 0x4c, 0xc9, 200}, 0, 3.5f},
                 {"chips: cloud to vendor", (SDL_Color){0x7b, 0x4c, 0xc9, 130}, 3, 2.0f}};
    float seg = 2.0f * lh;
    vd_text(d, F_SMALL, "links, width by dollars:", x0, y, C_MUTED, AL_LEFT);
    y += lh;
    for (int i = 0; i < 4; i++, y += lh) {
        float lx[2] = {x0, x0 + seg}, ly[2] = {y + lh / 2, y + lh / 2};
        vd_polyline(d, lx, ly, 2, kinds[i].width * s, vd_flat(kinds[i].c), kinds[i].dash * s);
        vd_text(d, F_SMALL, kinds[i].name, x0 + seg + pad * 0.6f, y, C_TEXT, AL_LEFT);
    }
    if (d->p.purchases.w > 0)
        return;
    /* The purchases view, which names the chip families, is hidden: name them here. */
    float x = x0;
    for (size_t k = 0; k < fw_vmodel_n_keys(vm, FW_SHARE_CHIP); k++) {
        const char *name = fw_vmodel_key_label(vm, FW_SHARE_CHIP, k);
        float w = sw + pad * 0.4f + (float)vd_text_w(d, F_SMALL, name) + pad;
        if (x + w > side->x + side->w)
            break;
        vd_rect(d, x, y + lh * 0.2f, sw, lh * 0.6f, vd_rgb(fw_vpalette_family(k), 255));
        vd_text(d, F_SMALL, name, x + sw + pad * 0.4f, y, C_TEXT, AL_LEFT);
        x += w;
    }
}

/* Names of the companies linked to `focus` by links of a kind, in one direction. */
static void s_focus_names(const fw_vmodel_t *vm, long focus, const fw_vglink_t *l, size_t n,
                          fw_edge_kind_t kind, int outgoing, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < n && o + 1 < cap; k++) {
        if (l[k].kind != kind || (outgoing ? l[k].from : l[k].to) != focus)
            continue;
        const char *name = fw_vmodel_node(vm, (size_t)(outgoing ? l[k].to : l[k].from))->label;
        int w = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "", name);
        o = w < 0 ? o : o + (size_t)w >= cap ? cap - 1 : o + (size_t)w;
    }
}

/* The focused company's figures and who it deals with; returns the y below. */
static float s_focus_panel(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
                           const fw_vbox_t *side, float y)
{
    long i = d->focus;
    const fw_vnode_t *n = fw_vmodel_node(vm, (size_t)i);
    const fw_vnode_state_t *s = &f->nodes[i];
    char line[SIDE_LINE], a[48], b[48], names[512];
    float lh = (float)vd_line_h(d, F_SMALL), sw = lh * 0.8f, pad = (float)d->p.pad;
    vd_rect(d, side->x, y + lh * 0.15f, sw, sw, vd_rgb(fw_vmodel_node_color(vm, (size_t)i), 255));
    fw_vbox_t in = {side->x + sw + pad * 0.5f, y, side->w - sw - pad * 0.5f, 0};
    y = s_side_text(d, &in, y, F_BOLD, n->name, C_TEXT, 2);
    snprintf(line, sizeof line, "%s; %s %s", s_role_name(n->role),
             s->valuation > 0 ? "valuation" : "cash",
             fw_vfmt_money(s->valuation > 0 ? s->valuation : s->cash, a, sizeof a));
    y = s_side_text(d, side, y, F_SMALL, line, C_TEXT, 2);
    snprintf(line, sizeof line, "revenue %s, profit %s", fw_vfmt_money(s->revenue, a, sizeof a),
             fw_vfmt_money(s->profit, b, sizeof b));
    y = s_side_text(d, side, y, F_SMALL, line, C_TEXT, 2);
    static const struct {
        fw_edge_kind_t kind;
        int out;
        const char *what;
    } rel[] = {{FW_EDGE_STAKE, 1, "holds stakes in"},  {FW_EDGE_STAKE, 0, "backed by"},
               {FW_EDGE_CREDIT, 1, "gives credits to"}, {FW_EDGE_CREDIT, 0, "credits from"},
               {FW_EDGE_COMPUTE, 1, "buys compute from"}, {FW_EDGE_COMPUTE, 0, "sells compute to"},
               {FW_EDGE_CHIPS, 1, "buys chips from"},   {FW_EDGE_CHIPS, 0, "sells chips to"}};
    for (size_t k = 0; k < sizeof rel / sizeof rel[0]; k++) {
        s_focus_names(vm, i, d->links, d->n_links, rel[k].kind, rel[k].out, names, sizeof names);
        if (!names[0])
            continue;
        char partners[sizeof names + 32]; /* wrapped to 4 lines by s_side_text */
        snprintf(partners, sizeof partners, "%s: %s", rel[k].what, names);
        y = s_side_text(d, side, y, F_SMALL, partners, C_MUTED, 4);
    }
    return y + pad * 0.5f;
}

/* Events of the tick (one line per deal), the focus, the companies without a label,
 * then the legend at the bottom. */
static void s_side(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f, const fw_vbox_t *side,
                   const fw_vlabel_out_t *lab)
{
    float lh = (float)vd_line_h(d, F_SMALL), pad = (float)d->p.pad;
    float y = side->y, y_end = side->y + side->h - s_legend_h(d);
    if (f) {
        char ev[4][SIDE_LINE];
        size_t ne = fw_vbanners_make(vm, f, &ev[0][0], 4, SIDE_LINE);
        for (size_t i = 0; i < ne && y + 2 * lh <= y_end; i++)
            y = s_side_text(d, side, y, F_SMALL, ev[i], C_RED, 2);
        if (ne)
            y += pad * 0.5f;
        if (d->focus >= 0 && (size_t)d->focus < f->n_nodes)
            y = s_focus_panel(d, vm, f, side, y);
        char list[1024];
        size_t o = 0, missing = 0;
        list[0] = '\0';
        for (size_t i = 0; lab && i < f->n_nodes; i++) {
            if (!f->nodes[i].present || lab[i].shown != FW_VLABEL_NONE)
                continue;
            int w = snprintf(list + o, sizeof list - o, "%s%s", missing++ ? ", " : "no room for a label: ",
                             fw_vmodel_node(vm, i)->label);
            o = w < 0 ? o : o + (size_t)w >= sizeof list ? sizeof list - 1 : o + (size_t)w;
        }
        int room = (int)((y_end - y) / lh);
        if (missing && room > 0)
            s_side_text(d, side, y, F_SMALL, list, C_MUTED, room);
    }
    s_legend(d, vm, side);
}

/* --- nodes, links, labels ----------------------------------------------------------- */

static int s_ensure(fw_vdraw_t *d, size_t n, size_t n_edges)
{
    if (n > d->cap_nodes) {
        float *x = realloc(d->node_x, n * sizeof *x);
        if (!x)
            return -1;
        d->node_x = x;
        float *y = realloc(d->node_y, n * sizeof *y);
        if (!y)
            return -1;
        d->node_y = y;
        float *r = realloc(d->node_r, n * sizeof *r);
        if (!r)
            return -1;
        d->node_r = r;
        int *ld = realloc(d->label_dir, n * sizeof *ld);
        if (!ld)
            return -1;
        for (size_t i = d->cap_nodes; i < n; i++)
            ld[i] = -1;
        d->label_dir = ld;
        d->cap_nodes = n;
    }
    if (n_edges > d->cap_links) {
        fw_vglink_t *l = realloc(d->links, n_edges * sizeof *l);
        if (!l)
            return -1;
        d->links = l;
        vd_edge_hit_t *eh = realloc(d->edge_hits, n_edges * sizeof *eh);
        if (!eh)
            return -1;
        d->edge_hits = eh;
        d->cap_links = d->cap_edge_hits = n_edges;
    }
    return 0;
}

/* A colour faded toward the panel's white: what is not in focus. */
static SDL_Color s_dim(SDL_Color c)
{
    return (SDL_Color){(uint8_t)((c.r + 4 * 0xff) / 5), (uint8_t)((c.g + 4 * 0xff) / 5),
                       (uint8_t)((c.b + 4 * 0xff) / 5), 255};
}

/* Links, one per (kind, pair): thickness by dollars, style by kind; compute and chips in
 * the colour of the family with the most dollars. Dimmed when not at the focus. */
static void s_links(fw_vdraw_t *d, const fw_vmodel_t *vm, size_t n, float crowd)
{
    float s = (float)d->p.scale;
    d->n_edge_hits = 0;
    for (int pass = 0; pass < 2; pass++) /* dimmed links first, lit ones over them */
        for (size_t k = 0; k < d->n_links; k++) {
            const fw_vglink_t *l = &d->links[k];
            size_t a = (size_t)l->from, b = (size_t)l->to;
            if (a >= n || b >= n || d->node_r[a] <= 0 || d->node_r[b] <= 0)
                continue;
            int lit = fw_vfocus_link_lit(d->focus, l);
            if (lit != pass)
                continue;
            float wmax = l->kind == FW_EDGE_COMPUTE ? 11.0f : l->kind == FW_EDGE_STAKE ? 9.0f : 7.0f;
            float width = s * fw_vlink_width(l->dollars, fw_vmodel_edge_max(vm, l->kind), 1.2f, wmax);
            width *= crowd < 1 ? 0.4f + 0.6f * crowd : 1.0f;
            if (!lit)
                width = fminf(width, 2 * s);
            float arrow = fmaxf(6 * s * fminf(1, crowd * 1.5f), width * 1.5f);
            float bend = l->kind == FW_EDGE_STAKE ? 0.10f : l->kind == FW_EDGE_CREDIT ? 0.16f : 0.05f;
            vd_edge_hit_t *h = &d->edge_hits[d->n_edge_hits++];
            h->link = (int)k;
            h->width = width;
            s_edge_curve(h, d->node_x[a], d->node_y[a], d->node_r[a], d->node_x[b], d->node_y[b],
                         d->node_r[b], bend, arrow);
            SDL_Color c = vd_flat(s_edge_color(l)); /* opaque: much cheaper in software */
            if (!lit)
                c = s_dim(c);
            float dash = l->kind == FW_EDGE_CREDIT ? 6 * s : l->kind == FW_EDGE_CHIPS ? 3 * s : 0;
            vd_polyline(d, h->x, h->y, BEZ_N + 1, width, c, dash);
            s_arrow(d, h, arrow, c);
        }
}

/* Places and draws every node's label (fw_vlabels_place): name and figure, else the
 * name, else none (the company is then listed in the side column). */
static void s_labels(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
                     const fw_vgraph_geom_t *g, int crowded, fw_vlabel_out_t *out)
{
    size_t n = f->n_nodes;
    fw_vlabel_in_t *in = calloc(n ? n : 1, sizeof *in);
    fw_vseg_t *segs = calloc(d->n_links ? d->n_links : 1, sizeof *segs);
    if (!in || !segs)
        goto done;
    int font = crowded ? F_SMALL : F_BOLD;
    float lh_name = (float)vd_line_h(d, font), lh_small = (float)vd_line_h(d, F_SMALL);
    char money[48];
    for (size_t i = 0; i < n; i++) {
        const fw_vnode_t *nd = fw_vmodel_node(vm, i);
        in[i] = (fw_vlabel_in_t){d->node_x[i], d->node_y[i], d->node_r[i], 0, 0, 0, 0, d->label_dir[i]};
        if (d->node_r[i] <= 0)
            continue;
        in[i].w_name = (float)vd_text_w(d, font, nd->label);
        in[i].h_name = lh_name;
        if (!crowded) {
            fw_vfmt_money(fw_vnode_size_value(&f->nodes[i]), money, sizeof money);
            in[i].w_full = fmaxf(in[i].w_name, (float)vd_text_w(d, F_SMALL, money));
            in[i].h_full = lh_name + lh_small * 0.95f;
        }
    }
    /* Links to keep labels off: in a crowded graph (60 companies, 200 links) every
     * place crosses some, and counting them costs a third of a millisecond. */
    size_t ns = 0;
    for (size_t k = 0; !crowded && k < d->n_links; k++) {
        size_t a = (size_t)d->links[k].from, b = (size_t)d->links[k].to;
        if (a < n && b < n && fw_vfocus_link_lit(d->focus, &d->links[k]))
            segs[ns++] = (fw_vseg_t){d->node_x[a], d->node_y[a], d->node_x[b], d->node_y[b]};
    }
    fw_vlabels_place(in, n, NULL, 0, segs, ns, g->area, g->cx, g->cy, 3 * (float)d->p.scale, out);
    for (size_t i = 0; i < n; i++) {
        const fw_vlabel_out_t *o = &out[i];
        if (o->shown == FW_VLABEL_NONE)
            continue;
        d->label_dir[i] = o->dir;
        int lit = fw_vfocus_node_lit(d->focus, i, d->links, d->n_links);
        if (o->dir >= 8) { /* away from its node: a thin line says whose it is */
            float qx = fmaxf(o->box.x, fminf(d->node_x[i], o->box.x + o->box.w));
            float qy = fmaxf(o->box.y, fminf(d->node_y[i], o->box.y + o->box.h));
            float dx = qx - d->node_x[i], dy = qy - d->node_y[i], len = hypotf(dx, dy);
            if (len > d->node_r[i] + 2)
                vd_line(d, d->node_x[i] + dx / len * d->node_r[i], d->node_y[i] + dy / len * d->node_r[i],
                        qx, qy, 1.2f * (float)d->p.scale, C_MUTED);
        }
        /* A white ground under the text: a label reads the same over a link. */
        vd_rect(d, o->box.x - 1, o->box.y, o->box.w + 2, o->box.h, C_PANEL);
        int al = o->align == FW_VALIGN_LEFT ? AL_LEFT : o->align == FW_VALIGN_RIGHT ? AL_RIGHT : AL_CENTER;
        float ax = al == AL_LEFT ? o->box.x : al == AL_RIGHT ? o->box.x + o->box.w : o->box.x + o->box.w / 2;
        vd_text(d, font, fw_vmodel_node(vm, i)->label, ax, o->box.y, lit ? C_TEXT : C_MUTED, al);
        if (o->shown == FW_VLABEL_FULL) {
            fw_vfmt_money(fw_vnode_size_value(&f->nodes[i]), money, sizeof money);
            vd_text(d, F_SMALL, money, ax, o->box.y + lh_name * 0.95f, C_MUTED, al);
        }
    }
done:
    free(in);
    free(segs);
}

/* The side column's width: the legend's widest line, at least a quarter of the panel. */
static float s_side_w(fw_vdraw_t *d, const fw_rect_t *r)
{
    float lh = (float)vd_line_h(d, F_SMALL);
    float w = (float)vd_text_w(d, F_SMALL, "chips: cloud to vendor") + 2.0f * lh + (float)d->p.pad;
    w = fmaxf(w, (float)vd_text_w(d, F_SMALL, "size: valuation (or cash)"));
    return fmaxf(w, (float)r->w * 0.25f) + 2 * (float)d->p.pad;
}

void vd_graph(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
              const fw_vdraw_opts_t *o)
{
    const fw_rect_t *r = &d->p.graph;
    float pad = (float)d->p.pad, s = (float)d->p.scale;
    char buf[160];
    vd_panel(d, r);
    size_t n = f ? f->n_nodes : 0;
    d->n_nodes = 0;
    d->n_links = 0;
    d->n_edge_hits = 0;
    if (f && s_ensure(d, n, f->n_edges) == 0)
        d->n_links = fw_vlinks_aggregate(f, d->links);
    snprintf(buf, sizeof buf, "%zu companies, %zu links", n, d->n_links);
    float top = vd_panel_title(d, r, "Alliances", buf);
    d->focus = f && o->focus >= 0 && (size_t)o->focus < n && f->nodes[o->focus].present ? o->focus : -1;

    fw_vbox_t body = {(float)r->x + 1.5f * pad, top, (float)r->w - 3 * pad,
                      (float)(r->y + r->h) - pad - top};
    float lh = (float)vd_line_h(d, F_SMALL);
    fw_vgraph_geom_t g;
    fw_vgraph_geom(body, s_side_w(d, r), lh * 3.0f, lh * 1.6f, n, s, &g);
    fw_vbox_t side = g.side;
    side.x += pad;
    side.w -= pad;
    if (!f || n == 0 || d->cap_nodes < n || g.ry < 10 || g.rx < 10) {
        s_side(d, vm, f, &side, NULL);
        return;
    }

    /* Ring guides. */
    static const double rings[] = {FW_VLAYOUT_R_VENDOR, FW_VLAYOUT_R_CLOUD, FW_VLAYOUT_R_LAB};
    for (int i = 0; i < 3; i++)
        vd_ellipse(d, g.cx, g.cy, g.rx * (float)rings[i], g.ry * (float)rings[i], 1.2f * s, C_GRID);
    for (size_t i = 0; i < n; i++) {
        const fw_vnode_state_t *ns = &f->nodes[i];
        fw_vgraph_place(&g, ns->x, ns->y, &d->node_x[i], &d->node_y[i]);
        d->node_r[i] = ns->present ? fw_vgraph_radius(&g, fw_vnode_size_value(ns), fw_vmodel_size_max(vm)) : 0;
    }
    d->n_nodes = n;
    float crowd = n > 12 ? sqrtf(12.0f / (float)n) : 1.0f;
    s_links(d, vm, n, crowd);

    /* Hover: a node first (they are on top), else the nearest link. */
    long hover_node = -1, hover_edge = -1;
    if (fw_rect_contains(r, o->mouse_x, o->mouse_y)) {
        float mx = (float)o->mouse_x, my = (float)o->mouse_y, best = 1e9f;
        hover_node = fw_vfocus_hit(d->node_x, d->node_y, d->node_r, n, mx, my, 3 * s);
        for (size_t k = 0; hover_node < 0 && k < d->n_edge_hits; k++) {
            const vd_edge_hit_t *h = &d->edge_hits[k];
            for (int i = 0; i < BEZ_N; i++) {
                float dist = s_seg_dist(mx, my, h->x[i], h->y[i], h->x[i + 1], h->y[i + 1]);
                if (dist <= h->width / 2 + 4 * s && dist < best) {
                    best = dist;
                    hover_edge = (long)k;
                }
            }
        }
    }
    if (hover_edge >= 0) {
        const vd_edge_hit_t *h = &d->edge_hits[hover_edge];
        vd_polyline(d, h->x, h->y, BEZ_N + 1, h->width + 4 * s, (SDL_Color){0xff, 0xd4, 0x3b, 160}, 0);
        s_link_tip(d, vm, f, &d->links[h->link]);
    }

    /* Nodes: a white rim, a red one when faltering; grey when the agent is silent. */
    for (size_t i = 0; i < n; i++) {
        if (d->node_r[i] <= 0)
            continue;
        const fw_vnode_state_t *ns = &f->nodes[i];
        float rr = d->node_r[i], x = d->node_x[i], y = d->node_y[i];
        int lit = fw_vfocus_node_lit(d->focus, i, d->links, d->n_links);
        if ((long)i == hover_node || (long)i == d->focus)
            vd_disc(d, x, y, rr + 4 * s, (SDL_Color){0xff, 0xb8, 0x1c, 255});
        if (ns->faltering)
            vd_disc(d, x, y, rr + 3 * s, C_RED);
        vd_disc(d, x, y, rr + 1.5f * s, (SDL_Color){255, 255, 255, 255});
        SDL_Color c = vd_rgb(fw_vmodel_node_color(vm, i), 255);
        if (!ns->answered)
            c = (SDL_Color){(uint8_t)((c.r + 3 * 0xc0) / 4), (uint8_t)((c.g + 3 * 0xc0) / 4),
                            (uint8_t)((c.b + 3 * 0xc0) / 4), 255};
        vd_disc(d, x, y, rr, lit ? c : s_dim(c));
    }
    fw_vlabel_out_t *lab = calloc(n, sizeof *lab);
    if (lab)
        s_labels(d, vm, f, &g, n > 24, lab);
    s_side(d, vm, f, &side, lab);
    free(lab);
    if (hover_node >= 0)
        s_node_tip(d, vm, f, (size_t)hover_node);
}

long fw_vdraw_node_at(const fw_vdraw_t *d, int x, int y)
{
    if (!fw_rect_contains(&d->p.graph, x, y))
        return -1;
    return fw_vfocus_hit(d->node_x, d->node_y, d->node_r, d->n_nodes, (float)x, (float)y,
                         3 * (float)d->p.scale);
}
