/* fw_vlayout: where things go in the alliance graph and the share charts, no SDL.
 *
 * The drawing code measures text (SDL_ttf) and draws; every decision about where a
 * box goes, what is shown and what is dropped is made here, in pixels, so that the
 * unit tests can hold it without a display:
 *
 * - the graph panel is split into the graph area (the rings and their labels) and a
 *   side column beside it (events, legend, the focused company's figures, companies
 *   whose name found no room): nothing in the column ever covers a node or a link;
 * - node labels are placed by a collision pass: every placed box is inside the graph
 *   area and overlaps no other label, no node disc and no obstacle; a label keeps its
 *   place from the previous frame while that place is still free, so labels do not
 *   flicker; a label that finds no free place loses its figure, then its place (the
 *   company is then listed in the side column);
 * - links: the edges of a frame between the same two companies and of the same kind
 *   (one per chip family) become one link whose width grows with the dollars;
 * - focus: one company whose links are lit and every other link and node dimmed;
 * - event banners: one line per deal (a scheduled deal and its "signed:" line are the
 *   same deal);
 * - text colour: black or white, whichever has the higher WCAG contrast ratio against
 *   the background it is drawn on;
 * - share-chart labels at the cursor: one per band, never overlapping, plus "other"
 *   for what the keys leave of 100%.
 */
#ifndef FW_VLAYOUT_H
#define FW_VLAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "fw_vmodel.h"

typedef struct {
    float x, y, w, h;
} fw_vbox_t;

/* Area of the overlap of a and b (0 when they only touch). */
float fw_vbox_overlap(const fw_vbox_t *a, const fw_vbox_t *b);
/* 1 if a is inside b (edges may touch). */
int fw_vbox_inside(const fw_vbox_t *a, const fw_vbox_t *b);
/* 1 if the disc (cx, cy, r) and the box overlap. */
int fw_vbox_hits_disc(const fw_vbox_t *b, float cx, float cy, float r);

/* --- the graph panel ---------------------------------------------------------------- */

typedef struct {
    fw_vbox_t area;       /* nodes, links and their labels */
    fw_vbox_t side;       /* the column beside it: events, legend, focus, unlabelled */
    float cx, cy, rx, ry; /* unit disc -> pixels */
    float rmin, rmax;     /* node radii */
} fw_vgraph_geom_t;

/* Splits the graph panel's body (below its title) for n nodes: a side column of
 * side_w pixels on the right, the rings in the rest with room of label_w x label_h
 * around the outer ring for labels. scale is fw_vpanels' (1 at 1280x720). */
void fw_vgraph_geom(fw_vbox_t body, float side_w, float label_w, float label_h, size_t n,
                    float scale, fw_vgraph_geom_t *g);

/* A node's centre in pixels from its unit-disc position. */
void fw_vgraph_place(const fw_vgraph_geom_t *g, double ux, double uy, float *x, float *y);

/* Radius of a node whose size value is v of the largest vmax (sqrt: area by value). */
float fw_vgraph_radius(const fw_vgraph_geom_t *g, double v, double vmax);

/* --- labels --------------------------------------------------------------------------- */

typedef struct {
    float x, y, r;        /* the node in pixels; r <= 0: not drawn, no label */
    float w_full, h_full; /* the label with its figure (0 x 0: none offered) */
    float w_name, h_name; /* the name alone */
    int prev_dir;         /* where it went last frame (fw_vlabel_out_t.dir), -1 */
} fw_vlabel_in_t;

enum { FW_VLABEL_NONE = 0, FW_VLABEL_NAME = 1, FW_VLABEL_FULL = 2 };
enum { FW_VALIGN_LEFT = 0, FW_VALIGN_CENTER = 1, FW_VALIGN_RIGHT = 2 };

typedef struct {
    int shown;            /* FW_VLABEL_*: NONE = no room, list the company elsewhere */
    int dir;              /* the candidate place used (0..FW_VLABEL_DIRS-1), -1 */
    int align;            /* FW_VALIGN_* of the text in its box */
    fw_vbox_t box;
} fw_vlabel_out_t;

#define FW_VLABEL_DIRS 32 /* 8 directions at four distances from the node */

/* A straight piece of a link, which a label should rather not cross. */
typedef struct {
    float x0, y0, x1, y1;
} fw_vseg_t;

/* Places the labels of n nodes inside `bounds`: largest nodes first, each at a free
 * place (no overlap with a placed label, a node disc or an obstacle box), preferring
 * its previous place, then the place crossing the fewest link segments, outward
 * from the centre (cx, cy). gap: pixels between a disc and its label. Fills out[n]. */
void fw_vlabels_place(const fw_vlabel_in_t *in, size_t n, const fw_vbox_t *obstacles,
                      size_t n_obstacles, const fw_vseg_t *segs, size_t n_segs,
                      fw_vbox_t bounds, float cx, float cy, float gap, fw_vlabel_out_t *out);

/* --- links ------------------------------------------------------------------------------ */

typedef struct {
    fw_edge_kind_t kind;
    int from, to;         /* as the edges' */
    int family;           /* the family with the most dollars (compute, chips), else -1 */
    double dollars;       /* sum over the edges */
    double quantity;      /* sum over the edges (stakes: fraction owned) */
    size_t first, count;  /* the frame's edges [first, first + count) it stands for */
} fw_vglink_t;

/* One link per (kind, from, to) of frame f, in the edges' order; out has room for
 * f->n_edges. Returns the number of links. Relies on the edges being sorted by kind,
 * from, to (fw_vframe_t). */
size_t fw_vlinks_aggregate(const fw_vframe_t *f, fw_vglink_t *out);

/* Width of a link: from wmin (no dollars) to wmax (dollars >= dmax), growing with
 * sqrt(dollars / dmax), so it never shrinks as the amount grows. */
float fw_vlink_width(double dollars, double dmax, float wmin, float wmax);

/* --- focus ---------------------------------------------------------------------------- */

/* The next (dir = +1) or previous (-1) company to focus after `cur` (-1: none) among n
 * nodes, skipping those not drawn (present[i] == 0); -1 when none is drawn. */
long fw_vfocus_step(long cur, const int *present, size_t n, int dir);
/* The node under (x, y), the nearest within its radius plus slack; -1 for none. */
long fw_vfocus_hit(const float *x, const float *y, const float *r, size_t n, float px, float py,
                   float slack);
/* 1 if the link is lit with `focus` (-1: everything is lit). */
int fw_vfocus_link_lit(long focus, const fw_vglink_t *l);
/* 1 if node i is lit: the focus itself, or linked to it by one of the links. */
int fw_vfocus_node_lit(long focus, size_t i, const fw_vglink_t *links, size_t n_links);

/* --- event banners ------------------------------------------------------------------- */

/* The lines for a frame's events, one per deal: an event and "signed: <the same>"
 * are one line (the signed one), repeats are dropped. Company and chip-family ids
 * written in an event become their display names. Writes at most max lines of cap
 * bytes into lines (max x cap chars); returns how many. */
size_t fw_vbanners_make(const fw_vmodel_t *vm, const fw_vframe_t *f, char *lines, size_t max,
                        size_t cap);

/* --- colour ----------------------------------------------------------------------------- */

/* WCAG 2 contrast ratio of two colours, 1 to 21. */
double fw_vcontrast(fw_rgb_t a, fw_rgb_t b);
/* The text colour for background bg: dark (#1c2533) or white, whichever contrasts
 * more; the result is at least 4.5:1 for any background. */
fw_rgb_t fw_vtext_on(fw_rgb_t bg);

/* --- share-chart labels ------------------------------------------------------------------ */

typedef struct {
    long key;             /* key index, -1 for "other", -2 for the bands dropped */
    double share;
    float y;              /* centre of the label, pixels */
    float band_lo, band_hi; /* the band's pixel span at the cursor (lo > hi: y grows down) */
} fw_vshare_label_t;

/* The share left over by the keys of set in frame f: 1 - their sum, 0 when they make
 * 100% (or more) or when the frame has no share at all. */
double fw_vframe_share_other(const fw_vframe_t *f, fw_share_set_t set);

/* Labels at the cursor for a plot from y_top to y_bottom (pixels): one per band with a
 * share, "other" included, each line_h high, centred on its band when there is room
 * and pushed apart otherwise, never overlapping and never outside the plot. When more
 * bands than lines fit, the smallest shares are dropped (they remain in the tooltip):
 * *dropped says how many, and one label at the top (key -2) holds their sum. Returns
 * the number of labels written to out (room for n_keys + 1). */
size_t fw_vshare_labels(const fw_vframe_t *f, fw_share_set_t set, size_t n_keys, float y_top,
                        float y_bottom, float line_h, fw_vshare_label_t *out, size_t *dropped);

#endif
