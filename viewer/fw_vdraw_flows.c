/* fw_vdraw_flows: the compute purchases view. See fw_vdraw_views.h. */
#include "fw_vdraw_views.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fw_vfmt.h"

typedef struct {
    const fw_vedge_t *e;
    float y0l, y1l, y0r, y1r; /* ribbon ends on the cloud side (left) and the lab side */
} s_ribbon_t;

/* Fills a ribbon from x0 to x1 whose top runs from ya (at x0) to yb (at x1) along a
 * smoothstep and which is hgt pixels tall all along (a flow is as thick at both
 * ends), as one horizontal span per pixel row in a single SDL_RenderFillRects call.
 * The software renderer rasterises a triangle by scanning its bounding box, which for
 * a thin diagonal ribbon is mostly empty; rows cost only what they cover. */
static void s_ribbon_spans(fw_vdraw_t *d, float x0, float x1, float ya, float yb, float hgt,
                           SDL_Color c)
{
    if (hgt < 1.5f) { /* a hairline flow: a line is cheaper than a span per row */
        enum { N = 24 };
        float px[N + 1], py[N + 1];
        for (int j = 0; j <= N; j++) {
            float t = (float)j / N, sm = t * t * (3 - 2 * t);
            px[j] = x0 + (x1 - x0) * t;
            py[j] = ya + (yb - ya) * sm + hgt / 2;
        }
        vd_polyline(d, px, py, N + 1, 1, c, 0);
        return;
    }
    float top = fminf(ya, yb), bottom = fmaxf(ya, yb) + hgt;
    int r0 = (int)floorf(top), r1 = (int)ceilf(bottom);
    int rows = r1 - r0;
    if (rows <= 0 || x1 <= x0)
        return;
    SDL_FRect *span = malloc((size_t)rows * sizeof *span);
    if (!span) {
        d->err = 1;
        return;
    }
    int n = 0;
    for (int y = r0; y < r1; y++) {
        float cy = (float)y + 0.5f, xa, xb;
        if (fabsf(yb - ya) < 0.01f) {
            if (cy < ya || cy > ya + hgt)
                continue;
            xa = x0;
            xb = x1;
        } else {
            /* The row is covered where the top edge is within [cy - hgt, cy]; the top
             * edge is monotone, so that is one interval of t (inverse smoothstep:
             * t = 1/2 - sin(asin(1 - 2s) / 3)). */
            float s1 = (cy - hgt - ya) / (yb - ya), s2 = (cy - ya) / (yb - ya);
            float lo = fmaxf(0, fminf(s1, s2)), hi = fminf(1, fmaxf(s1, s2));
            if (lo > hi)
                continue;
            float ta = 0.5f - sinf(asinf(1 - 2 * lo) / 3), tb = 0.5f - sinf(asinf(1 - 2 * hi) / 3);
            xa = x0 + (x1 - x0) * ta;
            xb = x0 + (x1 - x0) * tb;
        }
        if (xb - xa < 1)
            xb = xa + 1;
        span[n++] = (SDL_FRect){xa, (float)y, xb - xa, 1};
    }
    vd_flush(d);
    SDL_SetRenderDrawBlendMode(d->r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(d->r, c.r, c.g, c.b, c.a);
    if (n > 0 && SDL_RenderFillRectsF(d->r, span, n) != 0)
        d->err = 1;
    free(span);
}

void vd_purchases(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
                  const fw_vdraw_opts_t *o)
{
    const fw_rect_t *r = &d->p.purchases;
    float pad = (float)d->p.pad, s = (float)d->p.scale;
    char buf[160], q[48], m[48];
    vd_panel(d, r);
    double total_q = 0, total_d = 0;
    size_t n_flows = 0;
    for (size_t e = 0; f && e < f->n_edges; e++)
        if (f->edges[e].kind == FW_EDGE_COMPUTE) {
            total_q += f->edges[e].quantity;
            total_d += f->edges[e].dollars;
            n_flows++;
        }
    snprintf(buf, sizeof buf, "%s H100-mo, %s this tick", fw_vfmt_count(total_q, q, sizeof q),
             fw_vfmt_money(total_d, m, sizeof m));
    float top = vd_panel_title(d, r, "Compute purchases", f ? buf : NULL) + pad;
    float lh = (float)vd_line_h(d, F_SMALL);

    /* Family legend at the bottom. */
    float ly = (float)(r->y + r->h) - pad - lh, lx = (float)r->x + 1.5f * pad;
    for (size_t k = 0; k < fw_vmodel_n_keys(vm, FW_SHARE_CHIP); k++) {
        const char *label = fw_vmodel_key_label(vm, FW_SHARE_CHIP, k);
        float need = lh + (float)vd_text_w(d, F_SMALL, label) + 1.6f * pad;
        if (lx + need > (float)(r->x + r->w)) {
            lx = (float)r->x + 1.5f * pad;
            ly -= lh;
        }
        vd_rect(d, lx, ly + lh * 0.2f, lh * 0.8f, lh * 0.6f, vd_rgb(fw_vpalette_family(k), 255));
        lx += lh * 0.8f + pad * 0.4f;
        lx += (float)vd_text(d, F_SMALL, label, lx, ly, C_TEXT, AL_LEFT) + 1.2f * pad;
    }
    float bottom = ly - pad;
    if (!f || n_flows == 0 || total_q <= 0) {
        vd_text(d, F_NORMAL, "no compute bought this tick", (float)r->x + (float)r->w / 2,
                (top + bottom) / 2, C_MUTED, AL_CENTER | AL_MIDDLE);
        return;
    }

    /* Bars: clouds on the left, labs on the right, each as tall as its compute. */
    size_t n = f->n_nodes;
    double *qn = calloc(n, sizeof *qn), *dn = calloc(n, sizeof *dn);
    float *off_l = calloc(n, sizeof *off_l), *off_r = calloc(n, sizeof *off_r);
    float *bar_y = calloc(n, sizeof *bar_y);
    s_ribbon_t *rib = calloc(n_flows, sizeof *rib);
    if (!qn || !dn || !off_l || !off_r || !bar_y || !rib)
        goto out;
    size_t n_left = 0, n_right = 0;
    for (size_t e = 0; e < f->n_edges; e++) {
        const fw_vedge_t *ed = &f->edges[e];
        if (ed->kind != FW_EDGE_COMPUTE)
            continue;
        if (qn[ed->to] == 0)
            n_left++;
        if (qn[ed->from] == 0)
            n_right++;
        qn[ed->to] += ed->quantity;
        qn[ed->from] += ed->quantity;
        dn[ed->to] += ed->dollars;
        dn[ed->from] += ed->dollars;
    }
    float h_avail = bottom - top;
    size_t most = n_left > n_right ? n_left : n_right;
    /* Gaps between bars take at most a fifth of the height, so that 40 labs still
     * leave room for the flows. */
    float gap = fminf(6 * s, most > 1 ? 0.2f * h_avail / (float)(most - 1) : 6 * s);
    float k = (h_avail - gap * (float)(most ? most - 1 : 0)) / (float)total_q;
    if (k <= 0)
        goto out;
    /* Room for the labels: the widest on each side, at most a third of the panel. */
    /* A side whose figures do not fit in a third shows dollars only (the tooltip has
     * the compute), so that no label is cut at the panel's edge. */
    float lw_l = 0, lw_r = 0, sw_l = 0, sw_r = 0, bar_w = 12 * s;
    for (size_t i = 0; i < n; i++) {
        if (qn[i] <= 0)
            continue;
        snprintf(buf, sizeof buf, "%s H100-mo, %s", fw_vfmt_count(qn[i], q, sizeof q),
                 fw_vfmt_money(dn[i], m, sizeof m));
        float nw = (float)vd_text_w(d, F_BOLD, fw_vmodel_node(vm, i)->label);
        float tw = fmaxf((float)vd_text_w(d, F_SMALL, buf), nw);
        float tw_short = fmaxf((float)vd_text_w(d, F_SMALL, m), nw);
        if (fw_vmodel_node(vm, i)->role == FW_VROLE_CLOUD) {
            lw_l = fmaxf(lw_l, tw);
            sw_l = fmaxf(sw_l, tw_short);
        } else {
            lw_r = fmaxf(lw_r, tw);
            sw_r = fmaxf(sw_r, tw_short);
        }
    }
    int short_l = lw_l + pad > (float)r->w / 3, short_r = lw_r + pad > (float)r->w / 3;
    lw_l = fminf((short_l ? sw_l : lw_l) + pad, (float)r->w / 3);
    lw_r = fminf((short_r ? sw_r : lw_r) + pad, (float)r->w / 3);
    float xl = (float)r->x + pad + lw_l, xr = (float)(r->x + r->w) - pad - lw_r - bar_w;
    /* Stack each side top-down in node order, centred vertically. */
    for (int side = 0; side < 2; side++) {
        int role = side == 0 ? FW_VROLE_CLOUD : FW_VROLE_LAB;
        size_t cnt = side == 0 ? n_left : n_right;
        float used = (float)total_q * k + gap * (float)(cnt ? cnt - 1 : 0);
        float y = top + (h_avail - used) / 2;
        for (size_t i = 0; i < n; i++) {
            if (fw_vmodel_node(vm, i)->role != role || qn[i] <= 0)
                continue;
            bar_y[i] = y;
            y += (float)qn[i] * k + gap;
        }
    }
    /* Ribbons: on the cloud side in (lab, family) order, on the lab side in (cloud,
     * family) order, which keeps crossings few. Edges are sorted by (lab, cloud, family). */
    size_t nr = 0;
    for (size_t e = 0; e < f->n_edges; e++)
        if (f->edges[e].kind == FW_EDGE_COMPUTE)
            rib[nr++].e = &f->edges[e];
    for (size_t i = 0; i < nr; i++) { /* lab side: edges are already lab-major */
        const fw_vedge_t *ed = rib[i].e;
        float hgt = (float)ed->quantity * k;
        rib[i].y0r = bar_y[ed->from] + off_r[ed->from];
        rib[i].y1r = rib[i].y0r + hgt;
        off_r[ed->from] += hgt;
    }
    for (size_t c = 0; c < n; c++) { /* cloud side: walk labs in order for each cloud */
        if (fw_vmodel_node(vm, c)->role != FW_VROLE_CLOUD || qn[c] <= 0)
            continue;
        for (size_t i = 0; i < nr; i++) {
            if ((size_t)rib[i].e->to != c)
                continue;
            float hgt = (float)rib[i].e->quantity * k;
            rib[i].y0l = bar_y[c] + off_l[c];
            rib[i].y1l = rib[i].y0l + hgt;
            off_l[c] += hgt;
        }
    }
    long hover = -1;
    float mx = (float)o->mouse_x, my = (float)o->mouse_y;
    float x0 = xl + bar_w, x1 = xr;
    for (size_t i = 0; i < nr; i++) {
        SDL_Color c = vd_flat(vd_rgb(fw_vpalette_family((size_t)rib[i].e->family), 150));
        s_ribbon_spans(d, x0, x1, rib[i].y0l, rib[i].y0r, rib[i].y1l - rib[i].y0l, c);
        if (mx >= x0 && mx <= x1) {
            float t = (mx - x0) / (x1 - x0), sm = t * t * (3 - 2 * t);
            float yt = rib[i].y0l + (rib[i].y0r - rib[i].y0l) * sm;
            float yb = rib[i].y1l + (rib[i].y1r - rib[i].y1l) * sm;
            if (my >= yt - 1 && my <= yb + 1)
                hover = (long)i;
        }
    }
    if (hover >= 0) {
        const fw_vedge_t *ed = rib[hover].e;
        vd_tip_add(d, "%s buys from %s", fw_vmodel_node(vm, (size_t)ed->from)->name,
                   fw_vmodel_node(vm, (size_t)ed->to)->name);
        vd_tip_add(d, "on %s: %s H100-mo for %s",
                   fw_vmodel_key_label(vm, FW_SHARE_CHIP, (size_t)ed->family),
                   fw_vfmt_count(ed->quantity, q, sizeof q), fw_vfmt_money(ed->dollars, m, sizeof m));
        if (ed->quantity > 0)
            vd_tip_add(d, "%s per H100-month", fw_vfmt_money(ed->dollars / ed->quantity, m, sizeof m));
        d->tip_swatch = vd_rgb(fw_vpalette_family((size_t)ed->family), 255);
        d->tip_has_swatch = 1;
    }
    /* Bars and their labels. */
    for (size_t i = 0; i < n; i++) {
        if (qn[i] <= 0)
            continue;
        const fw_vnode_t *nd = fw_vmodel_node(vm, i);
        int left = nd->role == FW_VROLE_CLOUD;
        float bx = left ? xl : xr, hgt = (float)qn[i] * k;
        vd_rect(d, bx, bar_y[i], bar_w, hgt < 1 ? 1 : hgt, vd_rgb(fw_vmodel_node_color(vm, i), 255));
        float tx = left ? bx - pad * 0.7f : bx + bar_w + pad * 0.7f;
        int al = left ? AL_RIGHT : AL_LEFT;
        float cy = bar_y[i] + hgt / 2;
        if (left ? short_l : short_r)
            fw_vfmt_money(dn[i], buf, sizeof buf);
        else
            snprintf(buf, sizeof buf, "%s H100-mo, %s", fw_vfmt_count(qn[i], q, sizeof q),
                     fw_vfmt_money(dn[i], m, sizeof m));
        if (hgt >= 2 * lh) {
            vd_text(d, F_BOLD, nd->label, tx, cy, C_TEXT, al | AL_BOTTOM);
            vd_text(d, F_SMALL, buf, tx, cy, C_MUTED, al | AL_TOP);
        } else if (hgt >= lh * 0.6f || most <= 12) {
            vd_text(d, F_SMALL, nd->label, tx, cy, C_TEXT, al | AL_MIDDLE);
        }
    }
out:
    free(qn);
    free(dn);
    free(off_l);
    free(off_r);
    free(bar_y);
    free(rib);
}
