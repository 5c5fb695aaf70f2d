/* The viewer's layout decisions (fw_vlayout), without SDL: on real baseline and
 * 60-company runs at several ticks and window sizes, no label box overlaps another, a
 * node or the legend column; nodes move little from tick to tick; links are one per
 * pair and kind with widths growing with dollars; focus by key and click; event lines
 * one per deal; text contrast; the smallest text at 1024x768; share charts that stack
 * to 100% with an "other" band and labels that never overlap.
 *
 * Text is measured with a stand-in metric (0.6 em a character, 1.2 em a line: wider
 * than DejaVu Sans), so the boxes are at least as large as the drawn ones. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_proto.h"
#include "fw_testproc.h"
#include "fw_vfmt.h"
#include "fw_vheader.h"
#include "fw_vlayout.h"
#include "fw_vmodel.h"
#include "fw_vpanels.h"
#include "fw_vsource.h"

FW_TEST_PROCS_SUITE(vlayout, 180);

static fw_vmodel_t *s_run(const char *scenario, const char *name)
{
    char bin[1024], sc[1024], log[1024], run[1024], ev[1100], err[512];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    fw_test_source_path(sc, sizeof sc, scenario);
    snprintf(run, sizeof run, "%s/%s", s_dir, name);
    snprintf(log, sizeof log, "%s/%s-run.log", s_dir, name);
    char *argv[] = {bin, "run", sc, "--out", run, "--quiet", NULL};
    int p = fw_procs_start(&s_procs, argv, log);
    cr_assert_eq(fw_procs_wait(&s_procs, p, 120000), 0, "flywheel run %s failed (see %s)", scenario, log);
    snprintf(ev, sizeof ev, "%s/events.log", run);
    fw_vmodel_t *vm = fw_vmodel_new();
    cr_assert_gt(fw_vsource_read_log(ev, vm, 0, err, sizeof err), 0, "%s", err);
    return vm;
}

static float s_tw(int px, const char *t) { return 0.6f * (float)px * (float)strlen(t); }
static float s_lh(int px) { return 1.2f * (float)px; }

typedef struct {
    fw_vgraph_geom_t g;
    size_t n;
    fw_vlabel_in_t in[128];
    fw_vlabel_out_t out[128];
    float x[128], y[128], r[128];
} lay_t;

/* What vd_graph does, with the stand-in metric. */
static void s_layout(const fw_vmodel_t *vm, const fw_vframe_t *f, int w, int h, int view,
                     const int *prev_dir, lay_t *L)
{
    fw_vpanels_t p;
    fw_vpanels_compute(w, h, view, &p);
    const fw_rect_t *r = &p.graph;
    float pad = (float)p.pad, lh = s_lh(p.font_small);
    float top = (float)r->y + pad + s_lh(p.font_normal) + pad * 0.5f;
    fw_vbox_t body = {(float)r->x + 1.5f * pad, top, (float)r->w - 3 * pad, (float)(r->y + r->h) - pad - top};
    float side_w = fmaxf(s_tw(p.font_small, "chips: cloud to vendor") + 2 * lh + pad, (float)r->w * 0.25f) + 2 * pad;
    L->n = f->n_nodes;
    cr_assert_leq(L->n, 128);
    fw_vgraph_geom(body, side_w, lh * 3.0f, lh * 1.6f, L->n, (float)p.scale, &L->g);
    int crowded = L->n > 24;
    int fname = crowded ? p.font_small : p.font_normal;
    for (size_t i = 0; i < L->n; i++) {
        const fw_vnode_state_t *ns = &f->nodes[i];
        fw_vgraph_place(&L->g, ns->x, ns->y, &L->x[i], &L->y[i]);
        L->r[i] = ns->present ? fw_vgraph_radius(&L->g, fw_vnode_size_value(ns), fw_vmodel_size_max(vm)) : 0;
        const char *label = fw_vmodel_node(vm, i)->label;
        char money[48];
        fw_vfmt_money(fw_vnode_size_value(ns), money, sizeof money);
        L->in[i] = (fw_vlabel_in_t){L->x[i], L->y[i], L->r[i], 0, 0, s_tw(fname, label), s_lh(fname),
                                    prev_dir ? prev_dir[i] : -1};
        if (!crowded) {
            L->in[i].w_full = fmaxf(L->in[i].w_name, s_tw(p.font_small, money));
            L->in[i].h_full = s_lh(fname) + lh * 0.95f;
        }
    }
    fw_vlabels_place(L->in, L->n, NULL, 0, NULL, 0, L->g.area, L->g.cx, L->g.cy, 3 * (float)p.scale, L->out);
}

/* Every placed label inside the graph area, clear of every other label, every node disc
 * and the side column (the legend, events, focus); returns how many are labelled. */
static size_t s_check(const lay_t *L, const char *what)
{
    size_t shown = 0;
    for (size_t i = 0; i < L->n; i++) {
        const fw_vlabel_out_t *a = &L->out[i];
        if (a->shown == FW_VLABEL_NONE)
            continue;
        shown++;
        cr_assert(fw_vbox_inside(&a->box, &L->g.area), "%s: label %zu outside the graph area", what, i);
        cr_assert_eq(fw_vbox_overlap(&a->box, &L->g.side), 0, "%s: label %zu over the legend column", what, i);
        for (size_t j = 0; j < L->n; j++) {
            if (L->r[j] > 0)
                cr_assert(!fw_vbox_hits_disc(&a->box, L->x[j], L->y[j], L->r[j]),
                          "%s: label %zu covers node %zu", what, i, j);
            if (j != i && L->out[j].shown != FW_VLABEL_NONE)
                cr_assert_eq(fw_vbox_overlap(&a->box, &L->out[j].box), 0,
                             "%s: labels %zu and %zu overlap", what, i, j);
        }
    }
    /* Nodes stay clear of the side column too. */
    for (size_t i = 0; i < L->n; i++)
        if (L->r[i] > 0)
            cr_assert(L->x[i] + L->r[i] <= L->g.side.x, "%s: node %zu under the legend column", what, i);
    return shown;
}

static const int s_sizes[][2] = {{1024, 768}, {1280, 720}, {1600, 900}, {1920, 1080}};

Test(vlayout, labels_never_overlap_labels_nodes_or_the_legend_on_real_runs)
{
    fw_vmodel_t *base = s_run("scenarios/baseline.yaml", "baseline");
    fw_vmodel_t *big = s_run("scenarios/large-60.yaml", "large60");
    static const uint32_t ticks[] = {1, 12, 24, 47, 60, 84};
    lay_t L;
    char what[96];
    for (size_t s = 0; s < 4; s++)
        for (int view = 0; view <= 1; view++) {
            int prev[128];
            for (int i = 0; i < 128; i++)
                prev[i] = -1;
            for (size_t t = 0; t < sizeof ticks / sizeof ticks[0]; t++) {
                long k = fw_vmodel_find_tick(base, ticks[t]);
                cr_assert_geq(k, 0);
                s_layout(base, fw_vmodel_frame(base, (size_t)k), s_sizes[s][0], s_sizes[s][1], view, prev, &L);
                snprintf(what, sizeof what, "baseline tick %u at %dx%d view %d", ticks[t], s_sizes[s][0],
                         s_sizes[s][1], view);
                size_t shown = s_check(&L, what);
                /* A 13-company market: at most one company goes to the list. */
                cr_assert_geq(shown + 1, L.n, "%s: only %zu of %zu labelled", what, shown, L.n);
                for (size_t i = 0; i < L.n; i++)
                    prev[i] = L.out[i].dir;
            }
            for (size_t k = 0; k < fw_vmodel_n_frames(big); k += 11) {
                s_layout(big, fw_vmodel_frame(big, k), s_sizes[s][0], s_sizes[s][1], view, NULL, &L);
                snprintf(what, sizeof what, "large-60 frame %zu at %dx%d view %d", k, s_sizes[s][0],
                         s_sizes[s][1], view);
                s_check(&L, what);
            }
        }
    fw_vmodel_destroy(&base);
    fw_vmodel_destroy(&big);
}

Test(vlayout, nodes_move_a_bounded_distance_between_ticks_and_links_aggregate)
{
    fw_vmodel_t *vm = s_run("scenarios/baseline.yaml", "baseline");
    lay_t a, b;
    for (size_t k = 1; k < fw_vmodel_n_frames(vm); k++) {
        s_layout(vm, fw_vmodel_frame(vm, k - 1), 1920, 1080, 0, NULL, &a);
        s_layout(vm, fw_vmodel_frame(vm, k), 1920, 1080, 0, NULL, &b);
        float bound = (float)FW_VLAYOUT_MAX_STEP * fmaxf(a.g.rx, a.g.ry) + 0.01f;
        for (size_t i = 0; i < a.n && i < b.n; i++)
            cr_assert_leq(hypotf(b.x[i] - a.x[i], b.y[i] - a.y[i]), bound,
                          "node %zu jumps between frames %zu and %zu", i, k - 1, k);
    }
    /* One link per (kind, from, to), its dollars the sum of its edges. */
    const fw_vframe_t *f = fw_vmodel_frame(vm, (size_t)fw_vmodel_find_tick(vm, 47));
    fw_vglink_t *l = calloc(f->n_edges + 1, sizeof *l);
    size_t n = fw_vlinks_aggregate(f, l);
    cr_assert_lt(n, f->n_edges, "the baseline has several families between the same pair");
    double total_e = 0, total_l = 0;
    for (size_t e = 0; e < f->n_edges; e++)
        total_e += f->edges[e].dollars;
    for (size_t i = 0; i < n; i++) {
        total_l += l[i].dollars;
        for (size_t j = i + 1; j < n; j++)
            cr_assert(!(l[i].kind == l[j].kind && l[i].from == l[j].from && l[i].to == l[j].to),
                      "two links for one pair and kind");
        cr_assert_leq(l[i].dollars, fw_vmodel_edge_max(vm, l[i].kind) + 1e-6);
    }
    cr_assert_float_eq(total_l, total_e, 1e-3 * (total_e + 1));
    free(l);
    float w0 = fw_vlink_width(0, 1e9, 1, 10);
    for (double d = 1e6; d <= 2e9; d *= 1.5) {
        float w = fw_vlink_width(d, 1e9, 1, 10);
        cr_assert_geq(w, w0, "width shrinks as the amount grows");
        w0 = w;
    }
    cr_assert_float_eq(fw_vlink_width(1e9, 1e9, 1, 10), 10, 1e-6);
    fw_vmodel_destroy(&vm);
}

Test(vlayout, focus_moves_by_key_and_click_and_dims_the_rest)
{
    int present[5] = {1, 0, 1, 1, 0};
    cr_assert_eq(fw_vfocus_step(-1, present, 5, 1), 0);
    cr_assert_eq(fw_vfocus_step(0, present, 5, 1), 2, "an absent company is skipped");
    cr_assert_eq(fw_vfocus_step(3, present, 5, 1), 0, "wraps around");
    cr_assert_eq(fw_vfocus_step(-1, present, 5, -1), 3, "Shift+Tab starts from the end");
    int none[2] = {0, 0};
    cr_assert_eq(fw_vfocus_step(-1, none, 2, 1), -1);

    float x[3] = {100, 200, 300}, y[3] = {100, 100, 100}, r[3] = {20, 0, 10};
    cr_assert_eq(fw_vfocus_hit(x, y, r, 3, 110, 105, 3), 0);
    cr_assert_eq(fw_vfocus_hit(x, y, r, 3, 200, 100, 3), -1, "a node not drawn is not hit");
    cr_assert_eq(fw_vfocus_hit(x, y, r, 3, 250, 100, 3), -1, "empty space clears");

    fw_vglink_t l[2] = {{FW_EDGE_STAKE, 0, 2, -1, 1, 0, 0, 1}, {FW_EDGE_COMPUTE, 3, 4, 0, 1, 0, 1, 1}};
    cr_assert(fw_vfocus_link_lit(-1, &l[1]), "no focus: everything lit");
    cr_assert(fw_vfocus_link_lit(2, &l[0]));
    cr_assert(!fw_vfocus_link_lit(2, &l[1]), "a link away from the focus is dimmed");
    cr_assert(fw_vfocus_node_lit(2, 0, l, 2), "a partner of the focus is lit");
    cr_assert(!fw_vfocus_node_lit(2, 3, l, 2), "another company is dimmed");
}

Test(vlayout, one_event_line_per_deal_with_display_names)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    fw_vmodel_add_node(vm, "msft", FW_VROLE_CLOUD);
    fw_vmodel_set_name(vm, "msft", "Microsoft Azure", 0);
    fw_vmodel_set_name(vm, "gpu", "Standard GPU", 1);
    char *ev[] = {"msft invests in a lab", "signed: msft invests in a lab", "supply of gpu back to normal",
                  "supply of gpu back to normal"};
    fw_vframe_t f;
    memset(&f, 0, sizeof f);
    f.events = ev;
    f.n_events = 4;
    char lines[8][160];
    size_t n = fw_vbanners_make(vm, &f, &lines[0][0], 8, 160);
    cr_assert_eq(n, 2, "a deal and its signing are one line; a repeat is dropped");
    cr_assert_str_eq(lines[0], "signed: Microsoft Azure invests in a lab");
    cr_assert_str_eq(lines[1], "supply of Standard GPU back to normal");
    fw_vmodel_destroy(&vm);
}

Test(vlayout, every_label_colour_reads_against_its_background)
{
    fw_rgb_t white = {255, 255, 255}, text = {0x1c, 0x25, 0x33}, muted = {0x5f, 0x6b, 0x7a};
    cr_assert_geq(fw_vcontrast(text, white), 4.5, "node names on their white ground");
    cr_assert_geq(fw_vcontrast(muted, white), 4.5, "figures on their white ground");
    cr_assert_float_eq(fw_vcontrast(white, (fw_rgb_t){0, 0, 0}), 21.0, 1e-6);
    /* Share tags: every shade of every role for up to 40 companies, every family. */
    for (int role = FW_VROLE_CLOUD; role <= FW_VROLE_VENDOR; role++)
        for (int n = 1; n <= 40; n++)
            for (int k = 0; k < n; k++) {
                fw_rgb_t bg = fw_vpalette_shade(role, k, n);
                cr_assert_geq(fw_vcontrast(fw_vtext_on(bg), bg), 4.5, "role %d shade %d of %d", role, k, n);
            }
    for (size_t k = 0; k < 24; k++) {
        fw_rgb_t bg = fw_vpalette_family(k);
        cr_assert_geq(fw_vcontrast(fw_vtext_on(bg), bg), 4.5, "family %zu", k);
    }
    for (int v = 0; v < 256; v += 5) {
        fw_rgb_t bg = {(uint8_t)v, (uint8_t)v, (uint8_t)v};
        cr_assert_geq(fw_vcontrast(fw_vtext_on(bg), bg), 4.5, "grey %d", v);
    }
}

Test(vlayout, text_is_never_smaller_than_the_minimum)
{
    static const int sizes[][2] = {{1024, 768}, {800, 600}, {1280, 720}, {1920, 1080}};
    for (size_t i = 0; i < 4; i++)
        for (int view = 0; view <= 3; view++) {
            fw_vpanels_t p;
            fw_vpanels_compute(sizes[i][0], sizes[i][1], view, &p);
            cr_assert_geq(p.font_small, FW_VTEXT_MIN_PX, "%dx%d", sizes[i][0], sizes[i][1]);
            cr_assert_geq(FW_VTEXT_MIN_PX, 12);
        }
}

Test(vlayout, share_charts_stack_to_100_percent_with_an_other_band_and_clear_labels)
{
    double sh[6] = {0.40, 0.30, 0.004, 0.003, 0.002, 0.0};
    fw_vframe_t f;
    memset(&f, 0, sizeof f);
    f.n_share[FW_SHARE_CLOUD] = 6;
    f.share[FW_SHARE_CLOUD] = sh;
    double other = fw_vframe_share_other(&f, FW_SHARE_CLOUD);
    cr_assert_float_eq(other, 1 - 0.709, 1e-9);
    fw_vshare_label_t lab[8];
    size_t dropped;
    size_t n = fw_vshare_labels(&f, FW_SHARE_CLOUD, 6, 100, 300, 15, lab, &dropped);
    cr_assert_eq(n, 6, "five shares above zero and other");
    cr_assert_eq(dropped, 0);
    cr_assert_eq(lab[n - 1].key, -1, "other is the top band");
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += lab[i].share;
        cr_assert_geq(lab[i].y - 7.5f, 100 - 1e-3, "label %zu above the plot", i);
        cr_assert_leq(lab[i].y + 7.5f, 300 + 1e-3, "label %zu below the plot", i);
        if (i)
            cr_assert_geq(lab[i - 1].y - lab[i].y, 15 - 1e-3, "labels %zu and %zu overlap", i - 1, i);
    }
    cr_assert_float_eq(sum, 1.0, 1e-9, "the bands stack to 100%%");
    /* A plot with room for three lines: the smallest shares are dropped and counted. */
    n = fw_vshare_labels(&f, FW_SHARE_CLOUD, 6, 100, 145, 15, lab, &dropped);
    cr_assert_eq(n, 3);
    cr_assert_eq(dropped, 4, "two lines for the largest, one for the rest");
    cr_assert_eq(lab[2].key, -2);
    cr_assert_float_eq(lab[0].share + lab[1].share + lab[2].share, 1.0, 1e-9);
    /* Shares that make 100% leave no other. */
    double full[2] = {0.6, 0.4};
    f.n_share[FW_SHARE_CLOUD] = 2;
    f.share[FW_SHARE_CLOUD] = full;
    cr_assert_float_eq(fw_vframe_share_other(&f, FW_SHARE_CLOUD), 0, 1e-12);
}

/* Index of key `id` in a share set, -1 if absent. */
static long s_key(const fw_vmodel_t *vm, fw_share_set_t set, const char *id)
{
    for (size_t k = 0; k < fw_vmodel_n_keys(vm, set); k++)
        if (strcmp(fw_vmodel_key(vm, set, k), id) == 0)
            return (long)k;
    return -1;
}

/* A live viewer on another machine has only what the coordinator publishes: the
 * snapshots, no run header. Fed the run's snapshots alone, it names every chip family
 * as the replay (which reads the header's scenario) does: "Standard GPU", never "gpu". */
Test(vlayout, a_chip_family_has_one_display_name_live_and_in_replay)
{
    fw_vmodel_t *replay = s_run("scenarios/baseline.yaml", "baseline");
    char ev[1100];
    snprintf(ev, sizeof ev, "%s/baseline/events.log", s_dir);
    FILE *f = fopen(ev, "rb");
    cr_assert_not_null(f, "%s", ev);
    fw_vmodel_t *live = fw_vmodel_new();
    fw_envelope_t *env = NULL;
    size_t snapshots = 0;
    while (fw_proto_read_delimited(f, &env) == FW_PROTO_OK) {
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT) {
            cr_assert_geq(fw_vmodel_apply(live, env->snapshot), 0);
            snapshots++;
        }
        fw_proto_free(&env);
    }
    fclose(f);
    cr_assert_gt(snapshots, 0);
    size_t nk = fw_vmodel_n_keys(replay, FW_SHARE_CHIP);
    cr_assert_gt(nk, 0);
    for (size_t k = 0; k < nk; k++) {
        const char *id = fw_vmodel_key(replay, FW_SHARE_CHIP, k);
        long j = s_key(live, FW_SHARE_CHIP, id);
        cr_assert_geq(j, 0, "family %s unknown live", id);
        cr_assert_str_eq(fw_vmodel_key_label(live, FW_SHARE_CHIP, (size_t)j),
                         fw_vmodel_key_label(replay, FW_SHARE_CHIP, k), "family %s", id);
        cr_assert_str_neq(fw_vmodel_key_label(replay, FW_SHARE_CHIP, k), id,
                          "family %s shows its id, not its name", id);
    }
    fw_vmodel_destroy(&live);
    fw_vmodel_destroy(&replay);
}

Test(vlayout, the_header_state_pill_never_covers_the_tick)
{
    /* A classroom game at 1024x768 (widths measured at 12-14 px text): a long title,
     * a turn timer with players, a wide state pill. */
    static const float widths[][2] = {{1024, 8}, {1280, 8}, {800, 6}, {1920, 12}};
    for (size_t i = 0; i < 4; i++) {
        fw_vheader_fit_in_t in = {widths[i][0], widths[i][1], 260, 120, 90, 50, 80, 330, 150};
        fw_vheader_fit_t o;
        fw_vheader_fit(&in, &o);
        cr_assert_geq(o.right_start, o.centre_end, "width %.0f: the pill covers the tick", widths[i][0]);
        cr_assert_geq(o.month_x, in.title_end, "the month covers the title");
        if (o.detail_x >= 0)
            cr_assert_geq(o.detail_x, o.pill_x + in.pill_w);
        else
            cr_assert(o.detail_in_strip, "width %.0f: the detail is lost", widths[i][0]);
    }
    /* Room enough: everything on one line, the month ending at the middle. */
    fw_vheader_fit_in_t wide = {1920, 12, 260, 120, 90, 50, 80, 330, 150};
    fw_vheader_fit_t o;
    fw_vheader_fit(&wide, &o);
    cr_assert_eq(o.detail_in_strip, 0);
    cr_assert_float_eq(o.month_x + 120, 960, 1e-3);
}
