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

typedef struct {
    float cx, cy, rx, ry; /* unit disc -> panel */
    float rmin, rmax;     /* node radii */
} s_gmap_t;

static float s_node_radius(const s_gmap_t *g, const fw_vmodel_t *vm, const fw_vnode_state_t *n)
{
    double v = fw_vnode_size_value(n) / fw_vmodel_size_max(vm);
    return g->rmin + (g->rmax - g->rmin) * (float)sqrt(v < 0 ? 0 : v > 1 ? 1 : v);
}

static float s_edge_width(const fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vedge_t *e)
{
    double v = sqrt(e->dollars / fw_vmodel_edge_max(vm, e->kind));
    float s = (float)d->p.scale;
    switch (e->kind) {
    case FW_EDGE_COMPUTE: return s * (1.2f + 10.0f * (float)v);
    case FW_EDGE_STAKE: return s * (1.5f + 8.0f * (float)v);
    case FW_EDGE_CREDIT: return s * (1.5f + 6.0f * (float)v);
    default: return s * (1.0f + 5.0f * (float)v);
    }
}

static SDL_Color s_edge_color(const fw_vedge_t *e)
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

static void s_edge_tip(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vedge_t *e)
{
    const fw_vnode_t *a = fw_vmodel_node(vm, (size_t)e->from), *b = fw_vmodel_node(vm, (size_t)e->to);
    char m[48], q[48], pc[32];
    switch (e->kind) {
    case FW_EDGE_STAKE:
        vd_tip_add(d, "%s holds %s of %s", a->name, fw_vfmt_percent(e->quantity, pc, sizeof pc),
                   b->name);
        vd_tip_add(d, "value %s (paid %s)", fw_vfmt_money(e->dollars, m, sizeof m),
                   fw_vfmt_money(e->cost, q, sizeof q));
        break;
    case FW_EDGE_CREDIT:
        vd_tip_add(d, "%s credits held by %s", a->name, b->name);
        vd_tip_add(d, "%s of compute left to use", fw_vfmt_money(e->dollars, m, sizeof m));
        break;
    case FW_EDGE_COMPUTE:
        vd_tip_add(d, "%s buys compute from %s", a->name, b->name);
        vd_tip_add(d, "on %s: %s H100-mo, %s this tick",
                   fw_vmodel_key_label(vm, FW_SHARE_CHIP, (size_t)e->family),
                   fw_vfmt_count(e->quantity, q, sizeof q), fw_vfmt_money(e->dollars, m, sizeof m));
        break;
    default:
        vd_tip_add(d, "%s buys chips from %s", a->name, b->name);
        vd_tip_add(d, "%s: %s units, %s this tick",
                   fw_vmodel_key_label(vm, FW_SHARE_CHIP, (size_t)e->family),
                   fw_vfmt_count(e->quantity, q, sizeof q), fw_vfmt_money(e->dollars, m, sizeof m));
        break;
    }
    d->tip_swatch = s_edge_color(e);
    d->tip_swatch.a = 255;
    d->tip_has_swatch = 1;
}

/* The legend in the graph panel's corners, which the rings leave free: roles and
 * sizes bottom-left, edge kinds bottom-right, chip families top-right when the
 * purchases view (which has them too) is hidden. */
static void s_graph_legend(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_rect_t *r)
{
    float pad = (float)d->p.pad, lh = (float)vd_line_h(d, F_SMALL), sw = lh * 0.7f;
    float s = (float)d->p.scale;
    float x0 = (float)r->x + 1.5f * pad, y = (float)(r->y + r->h) - pad - 4 * lh;
    static const int roles[] = {FW_VROLE_CLOUD, FW_VROLE_LAB, FW_VROLE_VENDOR};
    static const char *names[] = {"cloud", "AI lab", "chip vendor"};
    for (int i = 0; i < 3; i++, y += lh) {
        vd_disc(d, x0 + sw / 2, y + lh / 2, sw / 2, vd_rgb(fw_vpalette_role(roles[i]), 255));
        vd_text(d, F_SMALL, names[i], x0 + sw + pad * 0.6f, y, C_TEXT, AL_LEFT);
    }
    vd_text(d, F_SMALL, "size: valuation (or cash)", x0, y, C_MUTED, AL_LEFT);
    d->legend_box[0] = (vd_box_t){x0, y - 3 * lh, (float)vd_text_w(d, F_SMALL, "size: valuation (or cash)"),
                                 4 * lh};

    struct {
        const char *name;
        SDL_Color c;
        float dash, width;
    } kinds[] = {{"equity stake", C_STAKE, 0, 2.5f},
                 {"compute credits", C_CREDIT, 5, 2.5f},
                 {"compute bought, lab to cloud", (SDL_Color){0x7b, 0x4c, 0xc9, 200}, 0, 3.5f},
                 {"chips bought, cloud to vendor", (SDL_Color){0x7b, 0x4c, 0xc9, 130}, 3, 2.0f}};
    float tw = 0, seg = 2.4f * lh;
    for (int i = 0; i < 4; i++)
        tw = fmaxf(tw, (float)vd_text_w(d, F_SMALL, kinds[i].name));
    float bx = (float)(r->x + r->w) - 1.5f * pad - tw - seg - pad * 0.6f;
    y = (float)(r->y + r->h) - pad - 5 * lh;
    d->legend_box[1] = (vd_box_t){bx, y, tw + seg + pad * 0.6f, 5 * lh};
    d->legend_box[2] = (vd_box_t){0, 0, 0, 0};
    vd_text(d, F_SMALL, "width: dollars", bx, y, C_MUTED, AL_LEFT);
    y += lh;
    for (int i = 0; i < 4; i++, y += lh) {
        float lx[2] = {bx, bx + seg}, ly[2] = {y + lh / 2, y + lh / 2};
        vd_polyline(d, lx, ly, 2, kinds[i].width * s, kinds[i].c, kinds[i].dash * s);
        vd_text(d, F_SMALL, kinds[i].name, bx + seg + pad * 0.6f, y, C_TEXT, AL_LEFT);
    }
    if (d->p.purchases.w > 0)
        return;
    size_t nk = fw_vmodel_n_keys(vm, FW_SHARE_CHIP);
    tw = 0;
    for (size_t k = 0; k < nk; k++)
        tw = fmaxf(tw, (float)vd_text_w(d, F_SMALL, fw_vmodel_key_label(vm, FW_SHARE_CHIP, k)));
    bx = (float)(r->x + r->w) - 1.5f * pad - tw - sw - pad * 0.6f;
    y = (float)r->y + pad;
    d->legend_box[2] = (vd_box_t){bx, y, tw + sw + pad * 0.6f, (float)(nk + 1) * lh};
    vd_text(d, F_SMALL, "chip families", bx, y, C_MUTED, AL_LEFT);
    for (size_t k = 0; k < nk; k++) {
        y += lh;
        vd_rect(d, bx, y + lh * 0.2f, sw, lh * 0.6f, vd_rgb(fw_vpalette_family(k), 255));
        vd_text(d, F_SMALL, fw_vmodel_key_label(vm, FW_SHARE_CHIP, k), bx + sw + pad * 0.6f, y,
                C_TEXT, AL_LEFT);
    }
}

static int s_ensure_nodes(fw_vdraw_t *d, size_t n)
{
    if (n <= d->cap_nodes)
        return 0;
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
    return 0;
}

/* --- node labels ---------------------------------------------------------------------- */

static float s_box_overlap(const vd_box_t *a, const vd_box_t *b)
{
    float w = fminf(a->x + a->w, b->x + b->w) - fmaxf(a->x, b->x);
    float h = fminf(a->y + a->h, b->y + b->h) - fmaxf(a->y, b->y);
    return w > 0 && h > 0 ? w * h : 0;
}

/* The box of a label of size tw x th next to node i in direction k of 8 (0 = right,
 * counter-clockwise in 45 degree steps), and the alignment that puts it there. */
static vd_box_t s_label_box(const fw_vdraw_t *d, size_t i, int k, float tw, float th, int *align)
{
    float a = (float)k * (float)VD_PI / 4, ux = cosf(a), uy = -sinf(a);
    float off = d->node_r[i] + 4 * (float)d->p.scale;
    float lx = d->node_x[i] + ux * off, ly = d->node_y[i] + uy * off;
    int h = ux > 0.35f ? AL_LEFT : ux < -0.35f ? AL_RIGHT : AL_CENTER;
    float bx = h == AL_LEFT ? lx : h == AL_RIGHT ? lx - tw : lx - tw / 2;
    float by = uy > 0.35f ? ly : uy < -0.35f ? ly - th : ly - th / 2;
    *align = h;
    return (vd_box_t){bx, by, tw, th};
}

/* Places every node's label (and its figure when there is room) where it covers the
 * fewest other labels, nodes and legend boxes: biggest nodes first, each trying its
 * previous place, then outward from the centre, then the other directions. Keeping
 * the previous place when it is still free stops labels flickering between ticks. */
static void s_graph_labels(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
                           const fw_rect_t *r, int crowded)
{
    size_t n = f->n_nodes;
    vd_box_t *placed = calloc(n ? n : 1, sizeof *placed);
    size_t *order = calloc(n ? n : 1, sizeof *order), np = 0, no = 0;
    if (!placed || !order)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (d->node_r[i] > 0)
            order[no++] = i;
    for (size_t a = 1; a < no; a++) /* insertion sort by radius, largest first */
        for (size_t b = a; b > 0 && d->node_r[order[b]] > d->node_r[order[b - 1]]; b--) {
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    float lh_small = (float)vd_line_h(d, F_SMALL), lh_bold = (float)vd_line_h(d, F_BOLD);
    vd_box_t panel = {(float)r->x, (float)r->y + lh_bold, (float)r->w, (float)r->h - lh_bold};
    for (size_t o = 0; o < no; o++) {
        size_t i = order[o];
        const fw_vnode_t *nd = fw_vmodel_node(vm, i);
        const fw_vnode_state_t *ns = &f->nodes[i];
        char money[48];
        fw_vfmt_money(fw_vnode_size_value(ns), money, sizeof money);
        int font = crowded ? F_SMALL : F_BOLD;
        float tw = (float)vd_text_w(d, font, nd->label), th = crowded ? lh_small : lh_bold;
        if (!crowded) {
            tw = fmaxf(tw, (float)vd_text_w(d, F_SMALL, money));
            th += lh_small * 0.95f;
        }
        /* Outward direction, in 45 degree steps. */
        double ang = atan2(-(double)ns->y, (double)ns->x);
        int out = ((int)lround(ang / (VD_PI / 4)) % 8 + 8) % 8;
        int tries[10], nt = 0;
        if (d->label_dir[i] >= 0)
            tries[nt++] = d->label_dir[i];
        static const int steps[] = {0, 1, -1, 2, -2, 3, -3, 4};
        for (int k = 0; k < 8; k++)
            tries[nt++] = ((out + steps[k]) % 8 + 8) % 8;
        float best_cost = 1e30f;
        int best = out, best_align = AL_CENTER;
        vd_box_t best_box = {0, 0, 0, 0};
        for (int t = 0; t < nt; t++) {
            int align;
            vd_box_t b = s_label_box(d, i, tries[t], tw, th, &align);
            float cost = 0;
            for (size_t p = 0; p < np; p++)
                cost += s_box_overlap(&b, &placed[p]);
            for (size_t j = 0; j < n; j++) {
                if (d->node_r[j] <= 0)
                    continue;
                vd_box_t nb = {d->node_x[j] - d->node_r[j], d->node_y[j] - d->node_r[j],
                              2 * d->node_r[j], 2 * d->node_r[j]};
                cost += s_box_overlap(&b, &nb) * (j == i ? 4.0f : 1.0f);
            }
            for (int l = 0; l < 3; l++)
                cost += s_box_overlap(&b, &d->legend_box[l]);
            cost += b.w * b.h - s_box_overlap(&b, &panel); /* outside the panel */
            if (cost < best_cost - 0.5f) {
                best_cost = cost;
                best = tries[t];
                best_align = align;
                best_box = b;
            }
            if (cost <= 0.5f)
                break;
        }
        d->label_dir[i] = best;
        placed[np++] = best_box;
        float ax = best_align == AL_LEFT ? best_box.x
                   : best_align == AL_RIGHT ? best_box.x + best_box.w
                                           : best_box.x + best_box.w / 2;
        vd_text(d, font, nd->label, ax, best_box.y, C_TEXT, best_align);
        if (!crowded)
            vd_text(d, F_SMALL, money, ax, best_box.y + lh_bold * 0.95f, C_MUTED, best_align);
    }
out:
    free(placed);
    free(order);
}

void vd_graph(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
              const fw_vdraw_opts_t *o)
{
    const fw_rect_t *r = &d->p.graph;
    float pad = (float)d->p.pad, s = (float)d->p.scale;
    char buf[160];
    vd_panel(d, r);
    snprintf(buf, sizeof buf, "%zu companies, %zu links", f ? f->n_nodes : (size_t)0,
             f ? f->n_edges : (size_t)0);
    float top = vd_panel_title(d, r, "Alliances", buf);
    s_graph_legend(d, vm, r);
    if (!f || f->n_nodes == 0 || s_ensure_nodes(d, f->n_nodes) != 0)
        return;

    /* Events that fired this tick, under the title. */
    for (size_t i = 0; i < f->n_events && i < 3; i++) {
        snprintf(buf, sizeof buf, "event: %s", f->events[i]);
        vd_text(d, F_SMALL, buf, (float)r->x + 1.5f * pad, top + (float)i * (float)vd_line_h(d, F_SMALL),
                C_RED, AL_LEFT);
    }

    /* Unit disc -> the panel, leaving room for the outer labels. */
    size_t n = f->n_nodes;
    float area_top = top, area_bottom = (float)(r->y + r->h) - pad;
    float label_room = (float)vd_line_h(d, F_SMALL) * 2.2f;
    s_gmap_t g;
    g.cx = (float)r->x + (float)r->w / 2;
    g.cy = (area_top + area_bottom) / 2;
    g.ry = (area_bottom - area_top) / 2 - label_room;
    g.rx = (float)r->w / 2 - label_room * 3.2f;
    if (g.rx > g.ry * 1.4f)
        g.rx = g.ry * 1.4f;
    if (g.ry < 10 || g.rx < 10)
        return;
    /* Fewer, larger nodes for a small market; more, smaller ones for a big one. */
    float crowd = n > 12 ? sqrtf(12.0f / (float)n) : 1.0f;
    g.rmin = 5 * s;
    g.rmax = fmaxf(g.rmin + 4 * s, 34 * s * crowd);

    /* Ring guides. */
    static const double rings[] = {FW_VLAYOUT_R_VENDOR, FW_VLAYOUT_R_CLOUD, FW_VLAYOUT_R_LAB};
    for (int i = 0; i < 3; i++)
        vd_ellipse(d, g.cx, g.cy, g.rx * (float)rings[i], g.ry * (float)rings[i], 1.2f * s, C_GRID);

    for (size_t i = 0; i < n; i++) {
        const fw_vnode_state_t *ns = &f->nodes[i];
        d->node_x[i] = g.cx + (float)ns->x * g.rx;
        d->node_y[i] = g.cy + (float)ns->y * g.ry;
        d->node_r[i] = ns->present ? s_node_radius(&g, vm, ns) : 0;
    }

    /* Edges: thickness by dollars, style by kind; compute and chips in family colours. */
    d->n_edge_hits = 0;
    if (f->n_edges > d->cap_edge_hits) {
        vd_edge_hit_t *eh = realloc(d->edge_hits, f->n_edges * sizeof *eh);
        if (!eh)
            return;
        d->edge_hits = eh;
        d->cap_edge_hits = f->n_edges;
    }
    for (size_t e = 0; e < f->n_edges; e++) {
        const fw_vedge_t *ed = &f->edges[e];
        size_t a = (size_t)ed->from, b = (size_t)ed->to;
        if (a >= n || b >= n || d->node_r[a] <= 0 || d->node_r[b] <= 0)
            continue;
        /* The k-th family between the same pair bends a little further out. */
        int k = 0;
        for (size_t e2 = e; e2 > 0; e2--) {
            const fw_vedge_t *p2 = &f->edges[e2 - 1];
            if (p2->kind != ed->kind || p2->from != ed->from || p2->to != ed->to)
                break;
            k++;
        }
        /* A crowded graph gets thinner links, so that the big ones still stand out. */
        float width = s_edge_width(d, vm, ed) * (crowd < 1 ? 0.4f + 0.6f * crowd : 1.0f);
        float arrow = fmaxf(6 * s * fminf(1, crowd * 1.5f), width * 1.6f);
        float bend = ed->kind == FW_EDGE_STAKE ? 0.10f : ed->kind == FW_EDGE_CREDIT ? 0.16f : 0.05f;
        vd_edge_hit_t *h = &d->edge_hits[d->n_edge_hits++];
        h->edge = (int)e;
        h->width = width;
        s_edge_curve(h, d->node_x[a], d->node_y[a], d->node_r[a], d->node_x[b], d->node_y[b],
                     d->node_r[b], bend + 0.07f * (float)k, arrow);
        SDL_Color c = vd_flat(s_edge_color(ed)); /* opaque: much cheaper in software */
        float dash = ed->kind == FW_EDGE_CREDIT ? 6 * s : ed->kind == FW_EDGE_CHIPS ? 3 * s : 0;
        vd_polyline(d, h->x, h->y, BEZ_N + 1, width, c, dash);
        s_arrow(d, h, arrow, c);
    }

    /* Hover: a node first (they are on top), else the nearest edge. */
    long hover_node = -1, hover_edge = -1;
    if (fw_rect_contains(r, o->mouse_x, o->mouse_y)) {
        float mx = (float)o->mouse_x, my = (float)o->mouse_y, best = 1e9f;
        for (size_t i = 0; i < n; i++) {
            float dist = hypotf(mx - d->node_x[i], my - d->node_y[i]);
            if (d->node_r[i] > 0 && dist <= d->node_r[i] + 3 * s && dist < best) {
                best = dist;
                hover_node = (long)i;
            }
        }
        best = 1e9f;
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
        s_edge_tip(d, vm, &f->edges[h->edge]);
    }

    /* Nodes: a white rim, a red one when faltering; grey when the agent is silent. */
    int crowded = n > 24;
    for (size_t i = 0; i < n; i++) {
        if (d->node_r[i] <= 0)
            continue;
        const fw_vnode_state_t *ns = &f->nodes[i];
        float rr = d->node_r[i], x = d->node_x[i], y = d->node_y[i];
        if ((long)i == hover_node)
            vd_disc(d, x, y, rr + 5 * s, (SDL_Color){0xff, 0xd4, 0x3b, 255});
        if (ns->faltering)
            vd_disc(d, x, y, rr + 3.5f * s, C_RED);
        vd_disc(d, x, y, rr + 1.5f * s, (SDL_Color){255, 255, 255, 255});
        SDL_Color c = vd_rgb(fw_vmodel_node_color(vm, i), 255);
        if (!ns->answered)
            c = (SDL_Color){(uint8_t)((c.r + 3 * 0xc0) / 4), (uint8_t)((c.g + 3 * 0xc0) / 4),
                            (uint8_t)((c.b + 3 * 0xc0) / 4), 255};
        vd_disc(d, x, y, rr, c);
    }
    s_graph_labels(d, vm, f, r, crowded);
    if (hover_node >= 0)
        s_node_tip(d, vm, f, (size_t)hover_node);
}
