/* fw_vlayout: where things go in the alliance graph and the share charts. See the
 * header. */
#include "fw_vlayout.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI_F 3.14159265358979323846f

/* --- boxes ------------------------------------------------------------------------------ */

/* Plain comparisons: the label pass calls these a few hundred thousand times a frame
 * with 60 companies, and fminf/fmaxf are library calls (NaN rules) at -O2. */
static inline float s_min(float a, float b) { return a < b ? a : b; }
static inline float s_max(float a, float b) { return a > b ? a : b; }

float fw_vbox_overlap(const fw_vbox_t *a, const fw_vbox_t *b)
{
    float w = s_min(a->x + a->w, b->x + b->w) - s_max(a->x, b->x);
    float h = s_min(a->y + a->h, b->y + b->h) - s_max(a->y, b->y);
    return w > 0 && h > 0 ? w * h : 0;
}

int fw_vbox_inside(const fw_vbox_t *a, const fw_vbox_t *b)
{
    return a->x >= b->x && a->y >= b->y && a->x + a->w <= b->x + b->w &&
           a->y + a->h <= b->y + b->h;
}

int fw_vbox_hits_disc(const fw_vbox_t *b, float cx, float cy, float r)
{
    float qx = s_max(b->x, s_min(cx, b->x + b->w)), qy = s_max(b->y, s_min(cy, b->y + b->h));
    float dx = qx - cx, dy = qy - cy;
    return dx * dx + dy * dy < r * r;
}

/* --- the graph panel --------------------------------------------------------------------- */

void fw_vgraph_geom(fw_vbox_t body, float side_w, float label_w, float label_h, size_t n,
                    float scale, fw_vgraph_geom_t *g)
{
    if (side_w > body.w * 0.45f)
        side_w = body.w * 0.45f;
    g->side = (fw_vbox_t){body.x + body.w - side_w, body.y, side_w, body.h};
    g->area = (fw_vbox_t){body.x, body.y, body.w - side_w, body.h};
    g->cx = g->area.x + g->area.w / 2;
    g->cy = g->area.y + g->area.h / 2;
    g->ry = g->area.h / 2 - label_h;
    g->rx = g->area.w / 2 - label_w;
    if (g->rx > g->ry * 1.5f)
        g->rx = g->ry * 1.5f;
    if (g->ry > g->rx * 1.2f)
        g->ry = g->rx * 1.2f;
    if (g->rx < 1)
        g->rx = 1;
    if (g->ry < 1)
        g->ry = 1;
    /* Fewer, larger nodes for a small market; more, smaller ones for a big one. */
    float crowd = n > 12 ? sqrtf(12.0f / (float)n) : 1.0f;
    g->rmin = 4 * scale;
    g->rmax = fmaxf(g->rmin + 4 * scale, 24 * scale * crowd);
}

void fw_vgraph_place(const fw_vgraph_geom_t *g, double ux, double uy, float *x, float *y)
{
    *x = g->cx + (float)ux * g->rx;
    *y = g->cy + (float)uy * g->ry;
}

float fw_vgraph_radius(const fw_vgraph_geom_t *g, double v, double vmax)
{
    double t = vmax > 0 ? v / vmax : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return g->rmin + (g->rmax - g->rmin) * (float)sqrt(t);
}

/* --- labels -------------------------------------------------------------------------------- */

/* The box of a w x h label next to node n at candidate place k: direction k % 8 (0 =
 * right, counter-clockwise in 45 degree steps), distance k / 8 (each a line further). */
static fw_vbox_t s_label_box(const fw_vlabel_in_t *n, int k, float w, float h, float gap,
                             int *align)
{
    float a = (float)(k % 8) * PI_F / 4, ux = cosf(a), uy = -sinf(a);
    float off = n->r + gap + (float)(k / 8) * h * 0.8f;
    float lx = n->x + ux * off, ly = n->y + uy * off;
    int al = ux > 0.35f ? FW_VALIGN_LEFT : ux < -0.35f ? FW_VALIGN_RIGHT : FW_VALIGN_CENTER;
    float bx = al == FW_VALIGN_LEFT ? lx : al == FW_VALIGN_RIGHT ? lx - w : lx - w / 2;
    float by = uy > 0.35f ? ly : uy < -0.35f ? ly - h : ly - h / 2;
    *align = al;
    return (fw_vbox_t){bx, by, w, h};
}

/* 1 if the segment crosses the box (Liang-Barsky clipping). */
static int s_seg_hits_box(const fw_vseg_t *s, const fw_vbox_t *b)
{
    float t0 = 0, t1 = 1, dx = s->x1 - s->x0, dy = s->y1 - s->y0;
    float p[4] = {-dx, dx, -dy, dy};
    float q[4] = {s->x0 - b->x, b->x + b->w - s->x0, s->y0 - b->y, b->y + b->h - s->y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
            continue;
        }
        float t = q[i] / p[i];
        if (p[i] < 0) {
            if (t > t1)
                return 0;
            if (t > t0)
                t0 = t;
        } else {
            if (t < t0)
                return 0;
            if (t < t1)
                t1 = t;
        }
    }
    return 1;
}

typedef struct {
    const fw_vlabel_in_t *in;
    size_t n;
    const fw_vbox_t *obs;
    size_t n_obs;
    const fw_vbox_t *placed;
    size_t n_placed;
    fw_vbox_t bounds;
} s_scene_t;

static int s_free(const s_scene_t *sc, const fw_vbox_t *b)
{
    if (!fw_vbox_inside(b, &sc->bounds))
        return 0;
    for (size_t p = 0; p < sc->n_placed; p++)
        if (fw_vbox_overlap(b, &sc->placed[p]) > 0)
            return 0;
    for (size_t o = 0; o < sc->n_obs; o++)
        if (fw_vbox_overlap(b, &sc->obs[o]) > 0)
            return 0;
    for (size_t j = 0; j < sc->n; j++)
        if (sc->in[j].r > 0 && fw_vbox_hits_disc(b, sc->in[j].x, sc->in[j].y, sc->in[j].r + 1))
            return 0;
    return 1;
}

/* The best free place for a w x h label of node i, or -1: the previous place is worth
 * two crossings, each step away from the outward direction a third of one, and each
 * line of distance from the node one and a half (a far label is harder to match). */
static int s_best_place(const s_scene_t *sc, size_t i, float w, float h, const fw_vseg_t *segs,
                        size_t n_segs, float cx, float cy, float gap, fw_vbox_t *box, int *align)
{
    const fw_vlabel_in_t *n = &sc->in[i];
    float ang = atan2f(-(n->y - cy), n->x - cx);
    int out = ((int)lroundf(ang / (PI_F / 4)) % 8 + 8) % 8;
    /* The places by their cost before crossings, cheapest first: once that alone is
     * no better than the best found, no later place can win. */
    float base[FW_VLABEL_DIRS];
    int order[FW_VLABEL_DIRS];
    for (int k = 0; k < FW_VLABEL_DIRS; k++) {
        int step = abs(((k % 8) - out + 12) % 8 - 4); /* 4 = outward, 0 = inward */
        base[k] = (float)(4 - step) * 0.3f + (float)(k / 8) * 1.6f - (k == n->prev_dir ? 2.0f : 0);
        int j = k;
        for (; j > 0 && base[order[j - 1]] > base[k]; j--)
            order[j] = order[j - 1];
        order[j] = k;
    }
    float best_cost = 1e30f;
    int best = -1;
    for (int o = 0; o < FW_VLABEL_DIRS; o++) {
        int k = order[o], al;
        float cost = base[k];
        if (cost >= best_cost)
            break;
        fw_vbox_t b = s_label_box(n, k, w, h, gap, &al);
        if (!s_free(sc, &b))
            continue;
        for (size_t s = 0; s < n_segs && cost < best_cost; s++)
            if (s_seg_hits_box(&segs[s], &b))
                cost += 1.0f;
        if (cost < best_cost) {
            best_cost = cost;
            best = k;
            *box = b;
            *align = al;
        }
    }
    return best;
}

void fw_vlabels_place(const fw_vlabel_in_t *in, size_t n, const fw_vbox_t *obstacles,
                      size_t n_obstacles, const fw_vseg_t *segs, size_t n_segs,
                      fw_vbox_t bounds, float cx, float cy, float gap, fw_vlabel_out_t *out)
{
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    fw_vbox_t *placed = malloc((n ? n : 1) * sizeof *placed);
    for (size_t i = 0; i < n; i++)
        out[i] = (fw_vlabel_out_t){FW_VLABEL_NONE, -1, FW_VALIGN_LEFT, {0, 0, 0, 0}};
    if (!order || !placed)
        goto done;
    size_t no = 0;
    for (size_t i = 0; i < n; i++)
        if (in[i].r > 0)
            order[no++] = i;
    for (size_t a = 1; a < no; a++) /* largest first; ties by index, so it is stable */
        for (size_t b = a; b > 0 && in[order[b]].r > in[order[b - 1]].r; b--) {
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    s_scene_t sc = {in, n, obstacles, n_obstacles, placed, 0, bounds};
    for (size_t o = 0; o < no; o++) {
        size_t i = order[o];
        fw_vlabel_out_t *r = &out[i];
        if (in[i].w_full > 0 && in[i].h_full > 0) {
            r->dir = s_best_place(&sc, i, in[i].w_full, in[i].h_full, segs, n_segs, cx, cy, gap,
                                  &r->box, &r->align);
            if (r->dir >= 0)
                r->shown = FW_VLABEL_FULL;
        }
        if (r->dir < 0 && in[i].w_name > 0 && in[i].h_name > 0) {
            r->dir = s_best_place(&sc, i, in[i].w_name, in[i].h_name, segs, n_segs, cx, cy, gap,
                                  &r->box, &r->align);
            if (r->dir >= 0)
                r->shown = FW_VLABEL_NAME;
        }
        if (r->shown != FW_VLABEL_NONE)
            placed[sc.n_placed++] = r->box;
    }
done:
    free(order);
    free(placed);
}

/* --- links ---------------------------------------------------------------------------------- */

size_t fw_vlinks_aggregate(const fw_vframe_t *f, fw_vglink_t *out)
{
    size_t n = 0;
    double best = 0;
    for (size_t e = 0; e < f->n_edges; e++) {
        const fw_vedge_t *ed = &f->edges[e];
        fw_vglink_t *l = n ? &out[n - 1] : NULL;
        if (!l || l->kind != ed->kind || l->from != ed->from || l->to != ed->to) {
            l = &out[n++];
            *l = (fw_vglink_t){ed->kind, ed->from, ed->to, ed->family, 0, 0, e, 0};
            best = -1;
        }
        l->dollars += ed->dollars;
        l->quantity += ed->quantity;
        l->count++;
        if (ed->dollars > best) {
            best = ed->dollars;
            l->family = ed->family;
        }
    }
    return n;
}

float fw_vlink_width(double dollars, double dmax, float wmin, float wmax)
{
    double t = dmax > 0 && dollars > 0 ? sqrt(dollars / dmax) : 0;
    if (t > 1)
        t = 1;
    return wmin + (wmax - wmin) * (float)t;
}

/* --- focus --------------------------------------------------------------------------------- */

long fw_vfocus_step(long cur, const int *present, size_t n, int dir)
{
    if (n == 0)
        return -1;
    long start = cur < 0 || (size_t)cur >= n ? (dir > 0 ? -1 : (long)n) : cur;
    for (size_t k = 1; k <= n; k++) {
        long i = ((start + dir * (long)k) % (long)n + (long)n) % (long)n;
        if (present[i])
            return i;
    }
    return -1;
}

long fw_vfocus_hit(const float *x, const float *y, const float *r, size_t n, float px, float py,
                   float slack)
{
    long hit = -1;
    float best = 1e30f;
    for (size_t i = 0; i < n; i++) {
        if (r[i] <= 0)
            continue;
        float d = hypotf(px - x[i], py - y[i]);
        if (d <= r[i] + slack && d < best) {
            best = d;
            hit = (long)i;
        }
    }
    return hit;
}

int fw_vfocus_link_lit(long focus, const fw_vglink_t *l)
{
    return focus < 0 || l->from == focus || l->to == focus;
}

int fw_vfocus_node_lit(long focus, size_t i, const fw_vglink_t *links, size_t n_links)
{
    if (focus < 0 || (long)i == focus)
        return 1;
    for (size_t k = 0; k < n_links; k++)
        if ((links[k].from == focus && links[k].to == (int)i) ||
            (links[k].to == focus && links[k].from == (int)i))
            return 1;
    return 0;
}

/* --- event banners ---------------------------------------------------------------------------- */

/* Replaces whole-word ids (seats, chip families) in src by their display labels. */
static void s_names_in(const fw_vmodel_t *vm, const char *src, char *dst, size_t cap)
{
    size_t o = 0;
    const char *p = src;
    while (*p && o + 1 < cap) {
        if (isalnum((unsigned char)*p) || *p == '_') {
            const char *q = p;
            while (isalnum((unsigned char)*q) || *q == '_' || *q == '-')
                q++;
            char word[64];
            size_t wl = (size_t)(q - p) < sizeof word - 1 ? (size_t)(q - p) : sizeof word - 1;
            memcpy(word, p, wl);
            word[wl] = '\0';
            const char *rep = NULL;
            int node = fw_vmodel_node_index(vm, word);
            if (node >= 0)
                rep = fw_vmodel_node(vm, (size_t)node)->label;
            for (size_t k = 0; !rep && k < fw_vmodel_n_keys(vm, FW_SHARE_CHIP); k++)
                if (strcmp(fw_vmodel_key(vm, FW_SHARE_CHIP, k), word) == 0)
                    rep = fw_vmodel_key_label(vm, FW_SHARE_CHIP, k);
            const char *w = rep ? rep : p;
            size_t n = rep ? strlen(rep) : (size_t)(q - p);
            for (size_t i = 0; i < n && o + 1 < cap; i++)
                dst[o++] = w[i];
            p = q;
        } else {
            dst[o++] = *p++;
        }
    }
    dst[o] = '\0';
}

static const char *s_unsigned(const char *e)
{
    return strncmp(e, "signed: ", 8) == 0 ? e + 8 : e;
}

size_t fw_vbanners_make(const fw_vmodel_t *vm, const fw_vframe_t *f, char *lines, size_t max,
                        size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n_events && n < max; i++) {
        const char *e = f->events[i];
        if (!e || !*e)
            continue;
        int is_signed = e != s_unsigned(e), skip = 0;
        for (size_t j = 0; j < f->n_events && !skip; j++) {
            if (j == i || !f->events[j])
                continue;
            int same = strcmp(s_unsigned(f->events[j]), s_unsigned(e)) == 0;
            int j_signed = f->events[j] != s_unsigned(f->events[j]);
            /* The same deal twice: keep its signed line, else the first. */
            if (same && ((j_signed && !is_signed) || (j_signed == is_signed && j < i)))
                skip = 1;
        }
        if (!skip)
            s_names_in(vm, e, lines + n++ * cap, cap);
    }
    return n;
}

/* --- colour ---------------------------------------------------------------------------------- */

static double s_lin(uint8_t c)
{
    double v = c / 255.0;
    return v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double s_lum(fw_rgb_t c)
{
    return 0.2126 * s_lin(c.r) + 0.7152 * s_lin(c.g) + 0.0722 * s_lin(c.b);
}

double fw_vcontrast(fw_rgb_t a, fw_rgb_t b)
{
    double la = s_lum(a), lb = s_lum(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

fw_rgb_t fw_vtext_on(fw_rgb_t bg)
{
    static const fw_rgb_t dark = {0x1c, 0x25, 0x33}, white = {255, 255, 255}, black = {0, 0, 0};
    /* White or black always reaches sqrt(21) = 4.58 (their ratios multiply to 21); the
     * house's dark grey stands in for black where it still reaches 4.5. */
    double cw = fw_vcontrast(white, bg), cb = fw_vcontrast(black, bg);
    if (cw >= cb)
        return white;
    return fw_vcontrast(dark, bg) >= 4.5 ? dark : black;
}

/* --- share-chart labels ---------------------------------------------------------------------- */

double fw_vframe_share_other(const fw_vframe_t *f, fw_share_set_t set)
{
    double sum = 0;
    for (size_t k = 0; k < f->n_share[set]; k++)
        sum += f->share[set][k];
    if (sum <= 0 || sum >= 0.9995)
        return 0;
    return 1 - sum;
}

size_t fw_vshare_labels(const fw_vframe_t *f, fw_share_set_t set, size_t n_keys, float y_top,
                        float y_bottom, float line_h, fw_vshare_label_t *out, size_t *dropped)
{
    size_t n = 0;
    double acc = 0, other = fw_vframe_share_other(f, set);
    float h = y_bottom - y_top;
    *dropped = 0;
    for (size_t k = 0; k <= n_keys; k++) {
        double v = k < n_keys ? fw_vframe_share(f, set, k) : other;
        if (v <= 0.0005)
            continue;
        double base = acc;
        acc = fmin(1.0, acc + v);
        fw_vshare_label_t *l = &out[n++];
        l->key = k < n_keys ? (long)k : -1;
        l->share = v;
        l->band_lo = y_bottom - (float)base * h;
        l->band_hi = y_bottom - (float)acc * h;
        l->y = (l->band_lo + l->band_hi) / 2;
    }
    /* Too many for the plot: drop the smallest shares, and say how many went and
     * what they add up to on one line of their own at the top. */
    size_t fit = line_h > 0 ? (size_t)(h / line_h) : n;
    if (n > fit && fit >= 1) {
        double rest = 0;
        while (n > fit - 1) {
            size_t min = 0;
            for (size_t i = 1; i < n; i++)
                if (out[i].share < out[min].share)
                    min = i;
            rest += out[min].share;
            memmove(&out[min], &out[min + 1], (n - min - 1) * sizeof *out);
            n--;
            (*dropped)++;
        }
        out[n++] = (fw_vshare_label_t){-2, rest, y_top, y_top, y_top};
    }
    /* Push apart, bottom to top (the labels are in band order, y decreasing): down
     * from the top edge first, then up from the bottom, which settles within the plot. */
    float half = line_h / 2;
    for (size_t i = 0; i < n; i++) {
        float lo = y_bottom - half - (float)i * line_h; /* lowest y allowed from below */
        if (out[i].y > lo)
            out[i].y = lo;
        if (i > 0 && out[i].y > out[i - 1].y - line_h)
            out[i].y = out[i - 1].y - line_h;
    }
    for (size_t i = n; i-- > 0;) {
        float hi = y_top + half + (float)(n - 1 - i) * line_h;
        if (out[i].y < hi)
            out[i].y = hi;
        if (i + 1 < n && out[i].y < out[i + 1].y + line_h)
            out[i].y = out[i + 1].y + line_h;
    }
    return n;
}
