/* The viewer's model, with no SDL and no display: applying snapshots, the history,
 * shares and their fallbacks, edges, the layout's stability bound, playback, panels,
 * number formats, reading a log, PNG files, the game state of each frame, starting
 * over for a new run, what the header says, and a live source against a PUB socket
 * in this process. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "fw_clock.h"
#include "fw_proto.h"
#include "fw_testproc.h"
#include "fw_vfmt.h"
#include "fw_vheader.h"
#include "fw_vmodel.h"
#include "fw_vpanels.h"
#include "fw_vplay.h"
#include "fw_vpng.h"
#include "fw_vsource.h"

/* --- building snapshots ------------------------------------------------------------ */

#define MAXN 128

typedef struct {
    Flywheel__V1__Snapshot s;
    Flywheel__V1__CompanyState co[MAXN], *cop[MAXN];
    Flywheel__V1__Metric mt[MAXN], *mtp[MAXN];
    Flywheel__V1__ComputeFlow fl[MAXN], *flp[MAXN];
    Flywheel__V1__ChipFlow cf[MAXN], *cfp[MAXN];
    Flywheel__V1__Stake st[MAXN], *stp[MAXN];
    Flywheel__V1__Credit cr[MAXN], *crp[MAXN];
    Flywheel__V1__SeatStatus ss[MAXN], *ssp[MAXN];
    char names[MAXN][48];
    char ids[MAXN][16];
    char month[16];
} snap_t;

static void snap_init(snap_t *b, uint32_t tick, uint32_t ticks)
{
    memset(b, 0, sizeof *b);
    flywheel__v1__snapshot__init(&b->s);
    b->s.tick = tick;
    b->s.ticks = ticks;
    snprintf(b->month, sizeof b->month, "%04u-%02u", 2024 + (tick - 1) / 12, (tick - 1) % 12 + 1);
    b->s.month = b->month;
    b->s.scenario = "test";
    b->s.companies = b->cop;
    b->s.metrics = b->mtp;
    b->s.flows = b->flp;
    b->s.chip_flows = b->cfp;
    b->s.stakes = b->stp;
    b->s.credits = b->crp;
}

static Flywheel__V1__CompanyState *snap_company(snap_t *b, const char *id, int role, int64_t cash,
                                                int64_t revenue, int64_t valuation)
{
    Flywheel__V1__CompanyState *c = &b->co[b->s.n_companies];
    flywheel__v1__company_state__init(c);
    c->id = (char *)id;
    c->role = role;
    c->cash = cash;
    c->revenue = revenue;
    c->valuation = valuation;
    c->present = 1;
    b->cop[b->s.n_companies++] = c;
    return c;
}

static void snap_metric(snap_t *b, const char *name, double v)
{
    Flywheel__V1__Metric *m = &b->mt[b->s.n_metrics];
    flywheel__v1__metric__init(m);
    snprintf(b->names[b->s.n_metrics], sizeof b->names[0], "%s", name);
    m->name = b->names[b->s.n_metrics];
    m->value = v;
    b->mtp[b->s.n_metrics++] = m;
}

static void snap_flow(snap_t *b, const char *lab, const char *cloud, const char *fam, int64_t q,
                      int64_t amount)
{
    Flywheel__V1__ComputeFlow *f = &b->fl[b->s.n_flows];
    flywheel__v1__compute_flow__init(f);
    f->lab = (char *)lab;
    f->cloud = (char *)cloud;
    f->family = (char *)fam;
    f->quantity = q;
    f->amount = amount;
    b->flp[b->s.n_flows++] = f;
}

static void snap_stake(snap_t *b, const char *inv, const char *co, double frac, int64_t value)
{
    Flywheel__V1__Stake *s = &b->st[b->s.n_stakes];
    flywheel__v1__stake__init(s);
    s->investor = (char *)inv;
    s->company = (char *)co;
    s->fraction = frac;
    s->value = value;
    s->cost = value / 2;
    b->stp[b->s.n_stakes++] = s;
}

static void snap_credit(snap_t *b, const char *lab, const char *cloud, int64_t amount)
{
    Flywheel__V1__Credit *c = &b->cr[b->s.n_credits];
    flywheel__v1__credit__init(c);
    c->lab = (char *)lab;
    c->cloud = (char *)cloud;
    c->amount = amount;
    b->crp[b->s.n_credits++] = c;
}

static void snap_chips(snap_t *b, const char *vendor, const char *cloud, const char *fam, int64_t q,
                       int64_t amount)
{
    Flywheel__V1__ChipFlow *f = &b->cf[b->s.n_chip_flows];
    flywheel__v1__chip_flow__init(f);
    f->vendor = (char *)vendor;
    f->cloud = (char *)cloud;
    f->family = (char *)fam;
    f->quantity = q;
    f->amount = amount;
    b->cfp[b->s.n_chip_flows++] = f;
}

/* The game around the market: `players` seats held by players, `house` by house bots. */
static void snap_game(snap_t *b, Flywheel__V1__Phase phase, const char *pacing, int64_t deadline,
                      uint32_t players, uint32_t house)
{
    b->s.phase = phase;
    b->s.pacing = (char *)pacing;
    /* `deadline` as a time on a clock that reads 60000 now: the time left is sent. */
    b->s.deadline_in_ms = deadline > 0 ? deadline - 60000 : 0;
    b->s.seats = b->ssp;
    b->s.n_seats = 0;
    for (uint32_t i = 0; i < players + house; i++) {
        Flywheel__V1__SeatStatus *st = &b->ss[i];
        flywheel__v1__seat_status__init(st);
        st->holder = i < players ? FLYWHEEL__V1__HOLDER__HOLDER_PLAYER
                                 : FLYWHEEL__V1__HOLDER__HOLDER_HOUSE;
        b->ssp[b->s.n_seats++] = st;
    }
}

/* A small market: nvidia (vendor), aws and gcp (clouds), oai and ant (labs). */
static void small_market(snap_t *b, uint32_t tick)
{
    snap_init(b, tick, 24);
    snap_company(b, "nvidia", FLYWHEEL__V1__ROLE__ROLE_VENDOR, 20000000000, 1000000000, 0);
    snap_company(b, "aws", FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER, 50000000000, 7000000000, 0);
    snap_company(b, "gcp", FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER, 90000000000, 3000000000, 0);
    snap_company(b, "oai", FLYWHEEL__V1__ROLE__ROLE_LAB, 10000000000, 300000000, 80000000000);
    snap_company(b, "ant", FLYWHEEL__V1__ROLE__ROLE_LAB, 5000000000, 100000000, 0);
    snap_metric(b, "compute_share.aws", 0.75);
    snap_metric(b, "compute_share.gcp", 0.25);
    snap_metric(b, "installed_share.gpu", 0.6);
    snap_metric(b, "installed_share.tpu", 0.4);
}

/* --- model --------------------------------------------------------------------------- */

Test(fw_vmodel, keeps_frames_in_tick_order_and_ignores_a_tick_it_has)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    snap_t b;
    uint32_t order[] = {3, 1, 2, 5};
    for (size_t i = 0; i < 4; i++) {
        small_market(&b, order[i]);
        cr_assert_eq(fw_vmodel_apply(vm, &b.s), 1);
    }
    small_market(&b, 2);
    cr_assert_eq(fw_vmodel_apply(vm, &b.s), 0, "a second snapshot of tick 2 is ignored");
    small_market(&b, 0);
    cr_assert_eq(fw_vmodel_apply(vm, &b.s), -1, "tick 0 is not a tick");
    cr_assert_eq(fw_vmodel_n_frames(vm), 4);
    uint32_t want[] = {1, 2, 3, 5};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(fw_vmodel_frame(vm, i)->tick, want[i]);
    cr_assert_eq(fw_vmodel_find_tick(vm, 4), 2, "tick 4 falls back to the frame of tick 3");
    cr_assert_eq(fw_vmodel_find_tick(vm, 0), -1);
    cr_assert_str_eq(fw_vmodel_scenario(vm), "test");
    cr_assert_str_eq(fw_vmodel_frame(vm, 3)->month, "2024-05");
    fw_vmodel_destroy(&vm);
    cr_assert_null(vm);
    fw_vmodel_destroy(&vm); /* NULL-safe */
}

Test(fw_vmodel, nodes_keep_their_first_seen_order_role_and_colour)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    snap_t b;
    small_market(&b, 1);
    cr_assert_eq(fw_vmodel_apply(vm, &b.s), 1);
    cr_assert_eq(fw_vmodel_n_nodes(vm), 5);
    cr_assert_str_eq(fw_vmodel_node(vm, 3)->id, "oai");
    cr_assert_eq(fw_vmodel_node(vm, 3)->role, FW_VROLE_LAB);
    cr_assert_eq(fw_vmodel_node(vm, 4)->rank, 1, "second lab");
    cr_assert_eq(fw_vmodel_role_count(vm, FW_VROLE_CLOUD), 2);
    /* Colours are shades of the role's colour: blue clouds, orange labs, green vendors. */
    fw_rgb_t c = fw_vmodel_node_color(vm, 1), l = fw_vmodel_node_color(vm, 3),
             v = fw_vmodel_node_color(vm, 0);
    cr_assert(c.b > c.r && c.b > c.g, "clouds are blue");
    cr_assert(l.r > l.g && l.g > l.b, "labs are orange");
    cr_assert(v.g > v.r && v.g > v.b, "vendors are green");
    fw_vmodel_set_name(vm, "aws", "Amazon Web Services (AWS)", 0);
    cr_assert_str_eq(fw_vmodel_node(vm, 1)->name, "Amazon Web Services (AWS)");
    cr_assert_str_eq(fw_vmodel_node(vm, 1)->label, "Amazon Web Services");
    fw_vmodel_set_name(vm, "gcp", "A name far too long to be a label on a graph", 0);
    cr_assert_str_eq(fw_vmodel_node(vm, 2)->label, "gcp", "long names fall back to the id");
    fw_vmodel_destroy(&vm);
}

Test(fw_vmodel, nodes_are_sized_by_valuation_else_cash_else_revenue)
{
    fw_vnode_state_t n = {0};
    n.cash = 5;
    n.revenue = 7;
    cr_assert_float_eq(fw_vnode_size_value(&n), 5, 1e-9, "no valuation: cash");
    n.valuation = 100;
    cr_assert_float_eq(fw_vnode_size_value(&n), 100, 1e-9);
    n.valuation = 0;
    n.cash = -3;
    cr_assert_float_eq(fw_vnode_size_value(&n), 7, 1e-9, "no cash either: revenue");
    n.revenue = -1;
    cr_assert_float_eq(fw_vnode_size_value(&n), 0, 1e-9, "never negative");

    fw_vmodel_t *vm = fw_vmodel_new();
    snap_t b;
    small_market(&b, 1);
    fw_vmodel_apply(vm, &b.s);
    cr_assert_float_eq(fw_vmodel_size_max(vm), 90e9, 1, "gcp's cash is the largest figure");
    small_market(&b, 2);
    b.co[3].valuation = 200000000000;
    fw_vmodel_apply(vm, &b.s);
    cr_assert_float_eq(fw_vmodel_size_max(vm), 200e9, 1, "the maximum spans the history");
    fw_vmodel_destroy(&vm);
}

Test(fw_vmodel, cloud_share_is_compute_share_and_chip_share_is_installed_base)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    snap_t b;
    small_market(&b, 1);
    fw_vmodel_apply(vm, &b.s);
    const fw_vframe_t *f = fw_vmodel_frame(vm, 0);
    cr_assert_eq(fw_vmodel_n_keys(vm, FW_SHARE_CLOUD), 2);
    cr_assert_str_eq(fw_vmodel_key(vm, FW_SHARE_CLOUD, 0), "aws");
    cr_assert_float_eq(fw_vframe_share(f, FW_SHARE_CLOUD, 0), 0.75, 1e-9, "compute_share.*");
    cr_assert_str_eq(fw_vmodel_key(vm, FW_SHARE_CHIP, 1), "tpu");
    cr_assert_float_eq(fw_vframe_share(f, FW_SHARE_CHIP, 1), 0.4, 1e-9);

    small_market(&b, 2);
    snap_metric(&b, "cloud_share.aws", 0.4);
    snap_metric(&b, "cloud_share.gcp", 0.6);
    fw_vmodel_apply(vm, &b.s);
    f = fw_vmodel_frame(vm, 1);
    cr_assert_float_eq(fw_vframe_share(f, FW_SHARE_CLOUD, 0), 0.75, 1e-9,
                       "the share of AI compute, not cloud_share.* (dollars of all cloud revenue)");
    cr_assert_float_eq(fw_vframe_share(f, FW_SHARE_CLOUD, 5), 0, 1e-9, "unknown key: 0");
    fw_vmodel_destroy(&vm);
}

Test(fw_vmodel, lab_share_comes_from_lab_share_metrics_else_lab_revenue)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    snap_t b;
    small_market(&b, 1); /* oai revenue 300M, ant 100M: 75% / 25% */
    fw_vmodel_apply(vm, &b.s);
    const fw_vframe_t *f = fw_vmodel_frame(vm, 0);
    cr_assert_eq(fw_vmodel_n_keys(vm, FW_SHARE_LAB), 2);
    cr_assert_str_eq(fw_vmodel_key(vm, FW_SHARE_LAB, 0), "oai");
    cr_assert_float_eq(fw_vframe_share(f, FW_SHARE_LAB, 0), 0.75, 1e-9);
    cr_assert_float_eq(fw_vframe_share(f, FW_SHARE_LAB, 1), 0.25, 1e-9);

    small_market(&b, 2);
    snap_metric(&b, "lab_share.oai", 0.1);
    snap_metric(&b, "lab_share.ant", 0.9);
    fw_vmodel_apply(vm, &b.s);
    f = fw_vmodel_frame(vm, 1);
    cr_assert_float_eq(fw_vframe_share(f, FW_SHARE_LAB, 1), 0.9, 1e-9);
    fw_vmodel_destroy(&vm);
}

Test(fw_vmodel, edges_for_stakes_credits_compute_and_chips_appear_with_the_data)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    snap_t b;
    small_market(&b, 1);
    fw_vmodel_apply(vm, &b.s);
    cr_assert_eq(fw_vmodel_frame(vm, 0)->n_edges, 0, "no flows, no stakes: no edges");

    small_market(&b, 2);
    snap_flow(&b, "oai", "aws", "gpu", 100, 200000);
    snap_flow(&b, "oai", "aws", "gpu", 50, 100000);  /* same contract: summed */
    snap_flow(&b, "oai", "aws", "tpu", 10, 15000);   /* another family: its own edge */
    snap_flow(&b, "ant", "nosuch", "gpu", 10, 15000);/* unknown company: dropped */
    snap_stake(&b, "aws", "ant", 0.2, 4000000000);
    snap_credit(&b, "ant", "aws", 300000000);
    snap_chips(&b, "nvidia", "gcp", "gpu", 1000, 25000000);
    fw_vmodel_apply(vm, &b.s);
    const fw_vframe_t *f = fw_vmodel_frame(vm, 1);
    cr_assert_eq(f->n_edges, 5);
    /* Sorted by kind: stake, credit, compute x2, chips. */
    cr_assert_eq(f->edges[0].kind, FW_EDGE_STAKE);
    cr_assert_eq(f->edges[0].from, 1);
    cr_assert_eq(f->edges[0].to, 4);
    cr_assert_float_eq(f->edges[0].quantity, 0.2, 1e-9);
    cr_assert_eq(f->edges[1].kind, FW_EDGE_CREDIT);
    cr_assert_eq(f->edges[1].from, 1, "credits go from the cloud");
    cr_assert_eq(f->edges[1].to, 4, "to the lab");
    cr_assert_eq(f->edges[2].kind, FW_EDGE_COMPUTE);
    cr_assert_eq(f->edges[2].from, 3, "compute: lab to cloud");
    cr_assert_eq(f->edges[2].to, 1);
    cr_assert_float_eq(f->edges[2].dollars, 300000, 1e-9);
    cr_assert_float_eq(f->edges[2].quantity, 150, 1e-9);
    cr_assert_str_eq(fw_vmodel_key(vm, FW_SHARE_CHIP, (size_t)f->edges[3].family), "tpu");
    cr_assert_eq(f->edges[4].kind, FW_EDGE_CHIPS);
    cr_assert_eq(f->edges[4].from, 2, "chips: cloud to vendor");
    cr_assert_eq(f->edges[4].to, 0);
    /* The graph draws one link per pair and kind: its maximum is of the sums. */
    cr_assert_float_eq(fw_vmodel_edge_max(vm, FW_EDGE_COMPUTE), 315000, 1e-9);
    fw_vmodel_destroy(&vm);
}

/* A live viewer has only the snapshots: they carry the families' display names, so a
 * family is labelled as in a replay (which reads them from the log's scenario). */
Test(fw_vmodel, a_live_snapshot_names_chip_families_as_a_replay_does)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    snap_t b;
    small_market(&b, 1);
    snap_flow(&b, "oai", "aws", "gpu", 100, 200000);
    Flywheel__V1__ChipFamilyName names[2], *namep[2];
    const char *ids[2] = {"gpu", "tpu"}, *full[2] = {"Standard GPU", "Google TPU (v5p)"};
    for (int k = 0; k < 2; k++) {
        flywheel__v1__chip_family_name__init(&names[k]);
        names[k].id = (char *)ids[k];
        names[k].name = (char *)full[k];
        namep[k] = &names[k];
    }
    b.s.families = namep;
    b.s.n_families = 2;
    fw_vmodel_apply(vm, &b.s);
    long gpu = -1, tpu = -1;
    for (size_t k = 0; k < fw_vmodel_n_keys(vm, FW_SHARE_CHIP); k++) {
        if (!strcmp(fw_vmodel_key(vm, FW_SHARE_CHIP, k), "gpu"))
            gpu = (long)k;
        if (!strcmp(fw_vmodel_key(vm, FW_SHARE_CHIP, k), "tpu"))
            tpu = (long)k;
    }
    cr_assert(gpu >= 0 && tpu >= 0, "both families known from the snapshot");
    cr_assert_str_eq(fw_vmodel_key_label(vm, FW_SHARE_CHIP, (size_t)gpu), "Standard GPU");
    cr_assert_str_eq(fw_vmodel_key_label(vm, FW_SHARE_CHIP, (size_t)tpu), "Google TPU",
                     "the label drops the parenthesis, as for a replay");
    fw_vmodel_destroy(&vm);
}

/* 60 companies, 120 ticks, contracts that change every tick at random: no node may
 * move more than the bound from one tick to the next, and every node stays on its
 * role's ring. */
static void big_market(snap_t *b, uint32_t tick, unsigned *seed)
{
    static char ids[60][16];
    snap_init(b, tick, 200);
    for (int i = 0; i < 60; i++) {
        int role = i < 8 ? FLYWHEEL__V1__ROLE__ROLE_VENDOR
                   : i < 22 ? FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER
                            : FLYWHEEL__V1__ROLE__ROLE_LAB;
        snprintf(ids[i], sizeof ids[i], "c%02d", i);
        snap_company(b, ids[i], role, 1000000 * (i + 1), 1000 * (i + 1), 0);
    }
    for (int k = 0; k < 60; k++) {
        int lab = 22 + (int)(rand_r(seed) % 38), cloud = 8 + (int)(rand_r(seed) % 14);
        snap_flow(b, ids[lab], ids[cloud], k % 2 ? "gpu" : "tpu", 1 + rand_r(seed) % 1000,
                  1 + rand_r(seed) % 100000000);
    }
    for (int k = 0; k < 20; k++)
        snap_stake(b, ids[8 + rand_r(seed) % 14], ids[22 + rand_r(seed) % 38], 0.1,
                   1 + rand_r(seed) % 1000000000);
}

static double ring_of(int role)
{
    return role == FW_VROLE_VENDOR ? FW_VLAYOUT_R_VENDOR
           : role == FW_VROLE_LAB  ? FW_VLAYOUT_R_LAB
                                   : FW_VLAYOUT_R_CLOUD;
}

Test(fw_vmodel, layout_moves_every_node_less_than_the_bound_per_tick)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    snap_t *b = malloc(sizeof *b);
    unsigned seed = 7;
    double worst = 0;
    for (uint32_t t = 1; t <= 120; t++) {
        big_market(b, t, &seed);
        cr_assert_eq(fw_vmodel_apply(vm, &b->s), 1);
    }
    for (size_t k = 1; k < fw_vmodel_n_frames(vm); k++) {
        const fw_vframe_t *p = fw_vmodel_frame(vm, k - 1), *f = fw_vmodel_frame(vm, k);
        for (size_t i = 0; i < f->n_nodes; i++) {
            double d = hypot(f->nodes[i].x - p->nodes[i].x, f->nodes[i].y - p->nodes[i].y);
            worst = fmax(worst, d);
            cr_assert_leq(d, FW_VLAYOUT_MAX_STEP + 1e-12, "node %zu moved %g at tick %u", i, d,
                          f->tick);
            double r = hypot(f->nodes[i].x, f->nodes[i].y);
            cr_assert_float_eq(r, ring_of(fw_vmodel_node(vm, i)->role), 1e-9);
        }
    }
    cr_assert_gt(worst, 0, "the refinement does move nodes");
    /* Nodes of a ring keep apart: the closest two labs are at least half the even
     * spacing apart at the end. */
    const fw_vframe_t *f = fw_vmodel_frame(vm, fw_vmodel_n_frames(vm) - 1);
    double min_gap = 10;
    for (size_t i = 22; i < 60; i++)
        for (size_t j = i + 1; j < 60; j++)
            min_gap = fmin(min_gap, hypot(f->nodes[i].x - f->nodes[j].x, f->nodes[i].y - f->nodes[j].y));
    cr_assert_gt(min_gap, 0.5 * 2 * M_PI * FW_VLAYOUT_R_LAB / 38, "labs bunch up: %g", min_gap);
    fw_vmodel_destroy(&vm);
    free(b);
}

Test(fw_vmodel, layout_settles_when_the_market_stands_still)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    snap_t *b = malloc(sizeof *b);
    for (uint32_t t = 1; t <= 150; t++) {
        unsigned seed = 11; /* the same contracts every tick */
        big_market(b, t, &seed);
        fw_vmodel_apply(vm, &b->s);
    }
    const fw_vframe_t *p = fw_vmodel_frame(vm, 148), *f = fw_vmodel_frame(vm, 149);
    double most = 0;
    for (size_t i = 0; i < f->n_nodes; i++)
        most = fmax(most, hypot(f->nodes[i].x - p->nodes[i].x, f->nodes[i].y - p->nodes[i].y));
    cr_assert_lt(most, 1e-3, "nodes still move %g a tick in a still market", most);
    fw_vmodel_destroy(&vm);
    free(b);
}

Test(fw_vmodel, layout_is_deterministic_and_a_backfilled_tick_keeps_the_bound)
{
    fw_vmodel_t *a = fw_vmodel_new(), *c = fw_vmodel_new();
    snap_t *b = malloc(sizeof *b);
    unsigned s1 = 3, s2 = 3;
    for (uint32_t t = 1; t <= 30; t++) {
        big_market(b, t, &s1);
        fw_vmodel_apply(a, &b->s);
    }
    /* The same ticks, tick 1-10 arriving last (a viewer reading the log it missed). */
    snap_t *all = malloc(30 * sizeof *all);
    for (uint32_t t = 1; t <= 30; t++)
        big_market(&all[t - 1], t, &s2);
    for (uint32_t t = 11; t <= 30; t++)
        fw_vmodel_apply(c, &all[t - 1].s);
    for (uint32_t t = 1; t <= 10; t++)
        fw_vmodel_apply(c, &all[t - 1].s);
    for (size_t k = 0; k < 30; k++) {
        const fw_vframe_t *fa = fw_vmodel_frame(a, k), *fc = fw_vmodel_frame(c, k);
        cr_assert_eq(fa->tick, fc->tick);
        for (size_t i = 0; i < fa->n_nodes; i++) {
            cr_assert_float_eq(fa->nodes[i].x, fc->nodes[i].x, 1e-12, "tick %u node %zu", fa->tick, i);
            cr_assert_float_eq(fa->nodes[i].y, fc->nodes[i].y, 1e-12);
        }
    }
    fw_vmodel_destroy(&a);
    fw_vmodel_destroy(&c);
    free(all);
    free(b);
}

/* --- playback ------------------------------------------------------------------------- */

static void add_ticks(fw_vmodel_t *vm, uint32_t from, uint32_t to, int final_last)
{
    snap_t b;
    for (uint32_t t = from; t <= to; t++) {
        small_market(&b, t);
        b.s.final = final_last && t == to;
        fw_vmodel_apply(vm, &b.s);
    }
}

Test(fw_vplay, a_live_viewer_shows_the_newest_tick_at_once_then_plays_every_tick)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    fw_vplay_t p;
    fw_vplay_init(&p, 1, 0);
    cr_assert_eq(fw_vplay_index(&p, vm), -1);
    cr_assert_str_eq(fw_vplay_state(&p, vm), "waiting for the first snapshot");
    add_ticks(vm, 7, 7, 0); /* joined late: the first snapshot is tick 7 */
    cr_assert_eq(fw_vplay_index(&p, vm), 0);
    cr_assert_eq(p.tick, 7, "drawn at once");
    cr_assert_str_eq(fw_vplay_state(&p, vm), "live");
    /* Waiting at the newest tick: the next one shows the moment it arrives. */
    fw_vplay_advance(&p, vm, 2.0);
    add_ticks(vm, 8, 8, 0);
    fw_vplay_advance(&p, vm, 0.001);
    cr_assert_eq(p.tick, 8);
    /* A burst of 10 ticks: played one by one at 4 ticks a second, not skipped. */
    add_ticks(vm, 9, 18, 0);
    fw_vplay_advance(&p, vm, 0.5);
    cr_assert_eq(p.tick, 10, "two ticks in half a second at 4 ticks/s");
    cr_assert_str_eq(fw_vplay_state(&p, vm), "live, catching up");
    cr_assert_eq(fw_vplay_behind(&p, vm), 8);
    /* Paused: frames keep coming, the cursor stays. */
    fw_vplay_toggle(&p, vm);
    add_ticks(vm, 19, 20, 0);
    fw_vplay_advance(&p, vm, 5);
    cr_assert_eq(p.tick, 10);
    cr_assert_str_eq(fw_vplay_state(&p, vm), "paused");
    /* Frames inserted before the cursor (history from the log) do not move it. */
    add_ticks(vm, 1, 6, 0);
    cr_assert_eq(fw_vmodel_frame(vm, (size_t)fw_vplay_index(&p, vm))->tick, 10);
    fw_vplay_step(&p, vm, -1);
    cr_assert_eq(p.tick, 9);
    fw_vplay_seek(&p, vm, 1000);
    cr_assert_eq(p.tick, 20, "seeking past the end stops at the newest");
    fw_vmodel_destroy(&vm);
}

Test(fw_vplay, a_replay_stops_at_its_end_and_space_starts_it_over)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    fw_vplay_t p;
    add_ticks(vm, 1, 12, 1);
    fw_vplay_init(&p, 0, 1);
    cr_assert_eq(fw_vplay_index(&p, vm), 0, "a replay starts at the first tick");
    fw_vplay_change_speed(&p, +1);
    cr_assert_float_eq(fw_vplay_speed(&p), 6, 1e-9);
    fw_vplay_set_speed(&p, 100);
    cr_assert_float_eq(fw_vplay_speed(&p), 60, 1e-9, "the fastest");
    fw_vplay_set_speed(&p, 4);
    fw_vplay_advance(&p, vm, 1.0);
    cr_assert_eq(p.tick, 5);
    cr_assert_str_eq(fw_vplay_state(&p, vm), "replay");
    fw_vplay_advance(&p, vm, 100.0);
    cr_assert_eq(p.tick, 12);
    cr_assert(p.paused, "the end of a replay pauses");
    cr_assert_str_eq(fw_vplay_state(&p, vm), "end of run");
    fw_vplay_toggle(&p, vm);
    cr_assert_eq(p.tick, 1, "space at the end starts over");
    cr_assert_not(p.paused);
    fw_vmodel_destroy(&vm);
}

/* --- panels and formats ------------------------------------------------------------------ */

static int disjoint(const fw_rect_t *a, const fw_rect_t *b)
{
    return a->w == 0 || b->w == 0 || a->x + a->w <= b->x || b->x + b->w <= a->x ||
           a->y + a->h <= b->y || b->y + b->h <= a->y;
}

Test(fw_vpanels, views_fit_the_window_without_overlap_and_text_grows_with_it)
{
    int sizes[][2] = {{1280, 720}, {1920, 1080}, {640, 360}, {1024, 768}};
    int last_font = 0;
    for (size_t s = 0; s < 4; s++) {
        fw_vpanels_t p;
        fw_vpanels_compute(sizes[s][0], sizes[s][1], FW_VIEW_ALL, &p);
        fw_rect_t all[] = {p.header, p.graph, p.purchases, p.shares[0], p.shares[1], p.shares[2], p.scrub};
        for (size_t i = 0; i < 7; i++) {
            cr_assert(all[i].w > 0 && all[i].h > 0, "panel %zu empty at %dx%d", i, sizes[s][0], sizes[s][1]);
            cr_assert(all[i].x >= 0 && all[i].y >= 0 && all[i].x + all[i].w <= sizes[s][0] &&
                          all[i].y + all[i].h <= sizes[s][1],
                      "panel %zu outside the window", i);
            for (size_t j = i + 1; j < 7; j++)
                cr_assert(disjoint(&all[i], &all[j]), "panels %zu and %zu overlap", i, j);
        }
        if (s == 1)
            cr_assert_gt(p.font_normal, last_font, "1080p text is larger than 720p text");
        last_font = p.font_normal;
    }
    fw_vpanels_t p;
    fw_vpanels_compute(1280, 720, FW_VIEW_GRAPH, &p);
    cr_assert_eq(p.purchases.w, 0);
    cr_assert_gt(p.graph.w, 1200, "an enlarged view takes the width");
    fw_vpanels_compute(1280, 720, FW_VIEW_SHARES, &p);
    cr_assert_eq(p.graph.w, 0);
    cr_assert(p.shares[0].y < p.shares[1].y && p.shares[1].y < p.shares[2].y, "stacked");
}

Test(fw_vfmt, money_counts_shares_and_months_read_like_a_report)
{
    char b[64];
    cr_assert_str_eq(fw_vfmt_money(12300000000.0, b, sizeof b), "$12.3B");
    cr_assert_str_eq(fw_vfmt_money(-450000000.0, b, sizeof b), "-$450.0M");
    cr_assert_str_eq(fw_vfmt_money(950, b, sizeof b), "$950");
    cr_assert_str_eq(fw_vfmt_money(999960, b, sizeof b), "$1.0M", "no $1000.0k");
    cr_assert_str_eq(fw_vfmt_money(2.5e12, b, sizeof b), "$2.5T");
    cr_assert_str_eq(fw_vfmt_count(9500, b, sizeof b), "9,500");
    cr_assert_str_eq(fw_vfmt_count(1234567, b, sizeof b), "1.2M");
    cr_assert_str_eq(fw_vfmt_thousands(-1234567, b, sizeof b), "-1,234,567");
    cr_assert_str_eq(fw_vfmt_percent(0.2345, b, sizeof b), "23.4%");
    cr_assert_str_eq(fw_vfmt_month("2026-03", b, sizeof b), "Mar 2026");
    cr_assert_str_eq(fw_vfmt_month("soon", b, sizeof b), "soon");
    int m;
    cr_assert_eq(fw_vfmt_parse_month("2024-13", &m), -1);
}

/* --- logs and PNG files -------------------------------------------------------------------- */

/* A log of a tiny run with n_ticks snapshots; every record names run_id (NULL: none). */
static void write_log_of(const char *path, int n_ticks, int truncate_last, const char *run_id)
{
    static const char *yaml =
        "run: {name: tiny, start: 2024-01, ticks: 3}\n"
        "families: [{id: gpu, name: Big GPU (v2), vendor: nv, perf: 1, unit_cost: 1, price: 2, capacity: 5}]\n"
        "seats:\n"
        "  - {id: nv, name: NVIDIA, role: vendor, cash: 10}\n"
        "  - {id: oai, name: OpenAI, role: lab, cash: 20, demand: 1, revenue_per_compute: 1}\n";
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__RunHeader h = FLYWHEEL__V1__RUN_HEADER__INIT;
    char *seats[] = {"nv", "oai"};
    h.scenario_path = "tiny.yaml";
    h.scenario_text = (char *)yaml;
    h.seats = seats;
    h.n_seats = 2;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = (char *)run_id;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER;
    env.run_header = &h;
    cr_assert_eq(fw_proto_write_delimited(f, &env), 0);
    for (int t = 1; t <= n_ticks; t++) {
        snap_t b;
        snap_init(&b, (uint32_t)t, 3);
        snap_company(&b, "oai", FLYWHEEL__V1__ROLE__ROLE_LAB, 20, 1, 0);
        snap_company(&b, "nv", FLYWHEEL__V1__ROLE__ROLE_VENDOR, 10, 0, 0);
        fw_envelope_t e = FLYWHEEL__V1__ENVELOPE__INIT;
        e.protocol_version = FW_PROTOCOL_VERSION;
        e.run_id = (char *)run_id;
        e.tick = (uint32_t)t;
        e.body_case = FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT;
        e.snapshot = &b.s;
        cr_assert_eq(fw_proto_write_delimited(f, &e), 0);
    }
    if (truncate_last)
        fputc(0x7f, f); /* a length with no record after it */
    fclose(f);
}

static void write_log(const char *path, int n_ticks, int truncate_last)
{
    write_log_of(path, n_ticks, truncate_last, NULL);
}

Test(fw_vsource, reads_a_log_with_seat_order_and_names_from_its_header)
{
    char dir[64], path[128], err[512];
    cr_assert_not_null(fw_test_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/events.log", dir);
    write_log(path, 3, 0);
    char resolved[256];
    cr_assert_eq(fw_vsource_log_path(dir, resolved, sizeof resolved), 0);
    cr_assert_str_eq(resolved, path, "a run directory means its events.log");

    fw_vmodel_t *vm = fw_vmodel_new();
    cr_assert_eq(fw_vsource_read_log(resolved, vm, 0, err, sizeof err), 3, "%s", err);
    cr_assert_eq(fw_vmodel_n_frames(vm), 3);
    cr_assert_str_eq(fw_vmodel_node(vm, 0)->id, "nv", "seat order from the header, not the snapshot");
    cr_assert_str_eq(fw_vmodel_node(vm, 1)->name, "OpenAI");
    cr_assert_str_eq(fw_vmodel_key_label(vm, FW_SHARE_CHIP, 0), "Big GPU");
    cr_assert_str_eq(fw_vmodel_scenario(vm), "tiny");
    /* Reading it again adds nothing. */
    cr_assert_eq(fw_vsource_read_log(resolved, vm, 0, err, sizeof err), 3);
    cr_assert_eq(fw_vmodel_n_frames(vm), 3);
    fw_vmodel_destroy(&vm);

    /* A record cut short: an error for a finished run, the end for one being written. */
    write_log(path, 2, 1);
    vm = fw_vmodel_new();
    cr_assert_eq(fw_vsource_read_log(path, vm, 0, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "events.log"), "%s", err);
    fw_vmodel_destroy(&vm);
    vm = fw_vmodel_new();
    cr_assert_eq(fw_vsource_read_log(path, vm, 1, err, sizeof err), 2);
    fw_vmodel_destroy(&vm);
    fw_test_rmtree(dir);
}

Test(fw_vsource, refuses_a_file_that_is_not_a_log_and_a_missing_one)
{
    char dir[64], path[128], err[512];
    cr_assert_not_null(fw_test_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("these are my notes, not a log\n", f);
    fclose(f);
    fw_vmodel_t *vm = fw_vmodel_new();
    cr_assert_eq(fw_vsource_read_log(path, vm, 0, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "notes.txt"), "%s", err);
    snprintf(path, sizeof path, "%s/nothing-here", dir);
    cr_assert_eq(fw_vsource_read_log(path, vm, 0, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "No such file"), "%s", err);
    cr_assert_eq(fw_vmodel_n_frames(vm), 0);
    fw_vmodel_destroy(&vm);
    fw_test_rmtree(dir);
}

Test(fw_vpng, writes_and_reads_back_the_same_pixels)
{
    char dir[64], path[128], err[256];
    cr_assert_not_null(fw_test_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/x.png", dir);
    uint8_t px[4 * 3 * 2];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)(i * 17);
    for (int i = 0; i < 6; i++)
        px[4 * i + 3] = 255;
    cr_assert_eq(fw_vpng_write(path, px, 3, 2, 12, err, sizeof err), 0, "%s", err);
    uint8_t *back;
    int w, h;
    cr_assert_eq(fw_vpng_read(path, &back, &w, &h, err, sizeof err), 0, "%s", err);
    cr_assert_eq(w, 3);
    cr_assert_eq(h, 2);
    cr_assert_arr_eq(back, px, sizeof px);
    free(back);
    snprintf(path, sizeof path, "%s/no/such/dir/x.png", dir);
    cr_assert_eq(fw_vpng_write(path, px, 3, 2, 12, err, sizeof err), -1);
    fw_test_rmtree(dir);
}

Test(fw_vmodel, network_game_state_comes_from_the_newest_snapshot)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    Flywheel__V1__Snapshot s = FLYWHEEL__V1__SNAPSHOT__INIT;
    Flywheel__V1__SeatStatus st[3], *sp[3] = {&st[0], &st[1], &st[2]};
    for (int i = 0; i < 3; i++)
        flywheel__v1__seat_status__init(&st[i]);
    st[0].holder = FLYWHEEL__V1__HOLDER__HOLDER_PLAYER;
    st[1].holder = FLYWHEEL__V1__HOLDER__HOLDER_EMPTY;
    st[2].holder = FLYWHEEL__V1__HOLDER__HOLDER_EMPTY;
    s.seats = sp;
    s.n_seats = 3;
    s.phase = FLYWHEEL__V1__PHASE__PHASE_LOBBY;
    s.players_wanted = 2;
    s.deadline_in_ms = 40000;
    char line[160];
    cr_assert_eq(fw_vmodel_apply(vm, &s), -1, "a lobby snapshot adds no frame...");
    cr_assert_eq(fw_vmodel_n_frames(vm), 0);
    fw_vgame_describe(fw_vmodel_game(vm), 0, line, sizeof line);
    cr_assert_str_eq(line, "lobby: 1 of 2 players, house bots in 40 s", "...but the header knows");

    st[1].holder = FLYWHEEL__V1__HOLDER__HOLDER_HOUSE;
    st[2].holder = FLYWHEEL__V1__HOLDER__HOLDER_HOUSE;
    s.phase = FLYWHEEL__V1__PHASE__PHASE_RUNNING;
    s.pacing = "deadline:30";
    s.deadline_in_ms = 10500;
    fw_vmodel_apply(vm, &s);
    fw_vgame_describe(fw_vmodel_game(vm), 0, line, sizeof line);
    cr_assert_str_eq(line, "turn timer 30 s: 11 s left; 1 players, 2 house bots");

    s.phase = FLYWHEEL__V1__PHASE__PHASE_UNSPECIFIED; /* a plain run: nothing to say */
    fw_vmodel_destroy(&vm);
    vm = fw_vmodel_new();
    fw_vmodel_apply(vm, &s);
    fw_vgame_describe(fw_vmodel_game(vm), 0, line, sizeof line);
    cr_assert_str_eq(line, "");
    fw_vmodel_destroy(&vm);
}

/* --- the game state: each frame's, and the newest ------------------------------------ */

Test(fw_vmodel, the_live_status_is_the_newest_by_tick_and_a_status_adds_no_frame)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    snap_t b;
    char line[160];
    small_market(&b, 5);
    snap_game(&b, FLYWHEEL__V1__PHASE__PHASE_RUNNING, "deadline:30", 70500, 2, 3);
    cr_assert_eq(fw_vmodel_apply(vm, &b.s), 1);
    /* The coordinator waits in a long turn and republishes tick 5 with the time left. */
    snap_game(&b, FLYWHEEL__V1__PHASE__PHASE_RUNNING, "deadline:30", 90500, 2, 3);
    cr_assert_eq(fw_vmodel_apply(vm, &b.s), 0, "a status snapshot of a tick held adds no frame");
    fw_vgame_describe(fw_vmodel_game(vm), 0, line, sizeof line);
    cr_assert_str_eq(line, "turn timer 30 s: 31 s left; 2 players, 3 house bots");
    cr_assert_eq(fw_vmodel_frame(vm, 0)->game.deadline_at_ms, 10500,
                 "the frame keeps the state its tick was played in");
    /* Ticks read late from the log do not turn the header back. */
    small_market(&b, 4);
    snap_game(&b, FLYWHEEL__V1__PHASE__PHASE_PAUSED, "deadline:30", 0, 1, 4);
    cr_assert_eq(fw_vmodel_apply(vm, &b.s), 1);
    cr_assert_eq(fw_vmodel_game(vm)->phase, FLYWHEEL__V1__PHASE__PHASE_RUNNING);
    cr_assert_not(fw_vmodel_over(vm));
    small_market(&b, 6);
    snap_game(&b, FLYWHEEL__V1__PHASE__PHASE_OVER, "deadline:30", 0, 2, 3);
    fw_vmodel_apply(vm, &b.s);
    cr_assert(fw_vmodel_over(vm), "PHASE_OVER is the end, final flag or not");
    fw_vmodel_destroy(&vm);
}

/* --- a new run on the same address ------------------------------------------------------ */

/* small_market with every company's money times `scale`, and one more lab when `extra`. */
static void scaled_market(snap_t *b, uint32_t tick, int64_t scale, int extra)
{
    small_market(b, tick);
    for (size_t i = 0; i < b->s.n_companies; i++) {
        b->co[i].cash *= scale;
        b->co[i].revenue *= scale;
        b->co[i].valuation *= scale;
    }
    snap_flow(b, "oai", "aws", "gpu", 100 * scale, 1000000 * scale);
    if (extra)
        snap_company(b, "xai", FLYWHEEL__V1__ROLE__ROLE_LAB, 900000000000, 1, 0);
}

Test(fw_vmodel, a_new_run_on_the_same_address_starts_over)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    fw_vplay_t p;
    snap_t b;
    fw_vplay_init(&p, 1, 0);
    cr_assert_eq(fw_vmodel_set_run(vm, "aaaa"), 0, "the first run id is taken as it is");
    for (uint32_t t = 1; t <= 3; t++) {
        scaled_market(&b, t, 3, 1);
        snap_game(&b, FLYWHEEL__V1__PHASE__PHASE_RUNNING, "lockstep", 0, 2, 4);
        cr_assert_eq(fw_vmodel_apply(vm, &b.s), 1);
    }
    cr_assert_eq(fw_vplay_index(&p, vm), 2);
    fw_vplay_toggle(&p, vm); /* paused on the old run's tick 3 */
    cr_assert_eq(fw_vmodel_set_run(vm, "aaaa"), 0);
    cr_assert_eq(fw_vmodel_set_run(vm, ""), 0, "no id says nothing about the run");
    cr_assert_eq(fw_vmodel_n_frames(vm), 3);
    double old_max = fw_vmodel_size_max(vm);
    cr_assert_eq(fw_vmodel_generation(vm), 0);

    cr_assert_eq(fw_vmodel_set_run(vm, "bbbb"), 1, "another id: a new run");
    cr_assert_eq(fw_vmodel_n_frames(vm), 0);
    cr_assert_eq(fw_vmodel_n_nodes(vm), 0);
    cr_assert_eq(fw_vmodel_n_keys(vm, FW_SHARE_CHIP), 0);
    cr_assert_str_eq(fw_vmodel_scenario(vm), "");
    cr_assert_str_eq(fw_vmodel_run_id(vm), "bbbb");
    cr_assert_eq(fw_vmodel_game(vm)->phase, 0);
    cr_assert_eq(fw_vmodel_generation(vm), 1);
    cr_assert_float_eq(fw_vmodel_size_max(vm), 1, 1e-9);
    cr_assert_float_eq(fw_vmodel_edge_max(vm, FW_EDGE_COMPUTE), 1, 1e-9);

    for (uint32_t t = 1; t <= 2; t++) {
        scaled_market(&b, t, 1, 0);
        snap_game(&b, FLYWHEEL__V1__PHASE__PHASE_RUNNING, "lockstep", 0, 1, 5);
        cr_assert_eq(fw_vmodel_apply(vm, &b.s), 1, "tick %u is new in the new run", t);
    }
    cr_assert_eq(fw_vmodel_n_frames(vm), 2, "the new run's frames only");
    cr_assert_eq(fw_vmodel_frame(vm, 1)->tick, 2);
    cr_assert_eq(fw_vmodel_n_nodes(vm), 5, "the old run's extra lab is gone");
    cr_assert_eq(fw_vmodel_node_index(vm, "xai"), -1);
    int aws = fw_vmodel_node_index(vm, "aws");
    cr_assert_float_eq(fw_vmodel_frame(vm, 1)->nodes[aws].cash, 50000000000.0, 1,
                       "the new run's numbers, not the old run's tick 2");
    cr_assert_float_eq(fw_vmodel_size_max(vm), 90000000000.0, 1, "sizes from the new run");
    cr_assert_lt(fw_vmodel_size_max(vm), old_max);
    cr_assert_float_eq(fw_vmodel_edge_max(vm, FW_EDGE_COMPUTE), 1000000, 1e-6);
    cr_assert_eq(fw_vmodel_game(vm)->players, 1);
    /* The playback starts over with the model: the new run's newest tick, playing. */
    cr_assert_eq(fw_vplay_index(&p, vm), 1);
    cr_assert_eq(p.tick, 2);
    cr_assert_not(p.paused);
    cr_assert_str_eq(fw_vplay_state(&p, vm), "live");

    fw_vmodel_reset(vm);
    cr_assert_eq(fw_vmodel_generation(vm), 2);
    cr_assert_str_eq(fw_vmodel_run_id(vm), "", "a reset forgets the run too");
    fw_vmodel_destroy(&vm);
}

Test(fw_vsource, a_history_log_of_another_run_is_skipped)
{
    char dir[64], path[128], err[512];
    cr_assert_not_null(fw_test_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/events.log", dir);
    write_log_of(path, 3, 0, "old-run");

    fw_vmodel_t *vm = fw_vmodel_new();
    fw_vmodel_set_run(vm, "new-run");
    cr_assert_eq(fw_vsource_read_log(path, vm, 1, err, sizeof err), 0, "%s", err);
    cr_assert_eq(fw_vmodel_n_frames(vm), 0, "the previous run's ticks stay out");
    cr_assert_eq(fw_vmodel_n_nodes(vm), 0, "and so do its seats");
    fw_vmodel_destroy(&vm);

    vm = fw_vmodel_new();
    cr_assert_eq(fw_vsource_read_log(path, vm, 0, err, sizeof err), 3, "%s", err);
    cr_assert_str_eq(fw_vmodel_run_id(vm), "old-run", "a replay takes the log's run");
    fw_vmodel_destroy(&vm);
    fw_test_rmtree(dir);
}

/* --- the header: the game of the frame on screen, and the connection ---------------- */

Test(fw_vheader, a_replay_describes_the_game_at_the_frame_on_screen)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    snap_t b;
    fw_vheader_t h;
    small_market(&b, 1);
    snap_game(&b, FLYWHEEL__V1__PHASE__PHASE_RUNNING, "deadline:30", 70500, 2, 3);
    fw_vmodel_apply(vm, &b.s);
    small_market(&b, 2);
    snap_game(&b, FLYWHEEL__V1__PHASE__PHASE_PAUSED, "deadline:30", 0, 1, 4);
    fw_vmodel_apply(vm, &b.s);
    small_market(&b, 3);
    b.s.final = 1;
    snap_game(&b, FLYWHEEL__V1__PHASE__PHASE_OVER, "deadline:30", 0, 1, 4);
    fw_vmodel_apply(vm, &b.s);

    cr_assert_eq(fw_vmodel_frame(vm, 0)->game.phase, FLYWHEEL__V1__PHASE__PHASE_RUNNING);
    cr_assert_eq(fw_vmodel_frame(vm, 0)->game.players, 2);
    fw_vheader_make(&h, vm, 0, "replay", NULL, 0);
    cr_assert_str_eq(h.state, "replay");
    cr_assert_eq(h.tone, FW_VTONE_REPLAY);
    cr_assert_str_eq(h.detail, "turn timer 30 s; 2 players, 3 house bots",
                     "tick 1 is not over, and a past turn timer counts nothing down");
    fw_vheader_make(&h, vm, 1, "paused", NULL, 0);
    cr_assert_str_eq(h.detail, "paused by the host after tick 2; 1 players, 4 house bots");
    cr_assert_eq(h.tone, FW_VTONE_PAUSED);
    fw_vheader_make(&h, vm, 2, "end of run", NULL, 0);
    cr_assert_str_eq(h.detail, "game over");
    cr_assert_eq(h.tone, FW_VTONE_IDLE);

    /* Live: the newest status, whatever the frame on screen. */
    fw_vlink_t up = {FW_WATCH_UP, 0, "ipc:///x"};
    fw_vheader_make(&h, vm, 0, "live, catching up", &up, 1000);
    cr_assert_str_eq(h.detail, "game over");
    cr_assert_eq(h.tone, FW_VTONE_LIVE);
    fw_vmodel_destroy(&vm);
}

Test(fw_vheader, says_where_it_waits_then_live_then_that_the_coordinator_is_gone)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    fw_vplay_t p;
    fw_vheader_t h;
    snap_t b;
    fw_vplay_init(&p, 1, 0);

    fw_vlink_t link = {FW_WATCH_NEVER, 0, "tcp://teacher:5556"};
    fw_vheader_make(&h, vm, fw_vplay_index(&p, vm), fw_vplay_state(&p, vm), &link, 2000);
    cr_assert_str_eq(h.state, "connecting");
    cr_assert_str_eq(h.detail, "waiting for the coordinator at tcp://teacher:5556");

    /* Gone in the lobby: nothing received to show. */
    link = (fw_vlink_t){FW_WATCH_DOWN, 1000, "tcp://teacher:5556"};
    fw_vheader_make(&h, vm, -1, fw_vplay_state(&p, vm), &link, 3500);
    cr_assert_str_eq(h.state, "coordinator gone");
    cr_assert_str_eq(h.notice, "coordinator gone 2 s ago - waiting for it to come back");

    link = (fw_vlink_t){FW_WATCH_UP, 5000, "tcp://teacher:5556"};
    for (uint32_t t = 1; t <= 3; t++) {
        small_market(&b, t);
        snap_game(&b, FLYWHEEL__V1__PHASE__PHASE_RUNNING, "deadline:30", 70500, 2, 3);
        fw_vmodel_apply_at(vm, &b.s, 9000); /* came at 9 s on the viewer's clock */
    }
    fw_vheader_make(&h, vm, fw_vplay_index(&p, vm), fw_vplay_state(&p, vm), &link, 9000);
    cr_assert_str_eq(h.state, "live");
    cr_assert_eq(h.tone, FW_VTONE_LIVE);
    cr_assert_str_eq(h.detail, "turn timer 30 s: 11 s left; 2 players, 3 house bots");

    /* The coordinator died at 10 s: 4.2 s later the header says so, and neither "live",
     * nor the players, nor a turn timer counting down. */
    link = (fw_vlink_t){FW_WATCH_DOWN, 10000, "tcp://teacher:5556"};
    fw_vheader_make(&h, vm, fw_vplay_index(&p, vm), fw_vplay_state(&p, vm), &link, 14200);
    cr_assert_str_eq(h.state, "coordinator gone");
    cr_assert_eq(h.tone, FW_VTONE_GONE);
    cr_assert_str_eq(h.notice, "coordinator gone 4 s ago - showing the last tick received; "
                               "waiting for it to come back");
    cr_assert_str_eq(h.detail, "", "no players, no turn timer while nobody runs the game");
    fw_vheader_make(&h, vm, 2, "live", &link, 10000 + 150000);
    cr_assert_str_eq(h.notice, "coordinator gone 2 min ago - showing the last tick received; "
                               "waiting for it to come back");
    char ago[32];
    fw_vheader_ago(0, 3 * 3600 * 1000, ago, sizeof ago);
    cr_assert_str_eq(ago, "3 h ago");

    /* Back (ZeroMQ reconnects by itself): live again. */
    link = (fw_vlink_t){FW_WATCH_UP, 20000, "tcp://teacher:5556"};
    fw_vheader_make(&h, vm, 2, fw_vplay_state(&p, vm), &link, 21000);
    cr_assert_str_eq(h.state, "live");
    cr_assert_str_eq(h.notice, "");

    /* A run that ended, then its coordinator left: over, not gone. */
    small_market(&b, 4);
    b.s.final = 1;
    snap_game(&b, FLYWHEEL__V1__PHASE__PHASE_OVER, "deadline:30", 0, 2, 3);
    fw_vmodel_apply(vm, &b.s);
    fw_vplay_seek(&p, vm, 3);
    link = (fw_vlink_t){FW_WATCH_DOWN, 30000, "tcp://teacher:5556"};
    fw_vheader_make(&h, vm, fw_vplay_index(&p, vm), fw_vplay_state(&p, vm), &link, 40000);
    cr_assert_str_eq(h.state, "run over");
    cr_assert_str_eq(h.detail, "game over");
    cr_assert_str_eq(h.notice, "");
    cr_assert_neq(h.tone, FW_VTONE_GONE);
    fw_vmodel_destroy(&vm);
}

/* --- the live source against a PUB socket in this process -------------------------------- */

/* Publishes the snapshot of `tick` of run `run_id` on pub. */
static void publish(void *pub, const char *run_id, uint32_t tick, int64_t scale)
{
    snap_t b;
    scaled_market(&b, tick, scale, 0);
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = (char *)run_id;
    env.tick = tick;
    env.seat = "";
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT;
    env.snapshot = &b.s;
    cr_assert_eq(fw_proto_send(pub, &env), 0);
}

static void *bind_pub(void *ctx, const char *url)
{
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    int linger = 0;
    cr_assert_not_null(pub);
    zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert_eq(zmq_bind(pub, url), 0, "%s", zmq_strerror(zmq_errno()));
    return pub;
}

/* Publishes tick 1 of run_id until the model holds that run's tick 1 (a SUB socket
 * misses what is published before it has joined), at most 10 s. */
static void publish_until_seen(void *pub, fw_vlive_t *l, fw_vmodel_t *vm, const char *run_id,
                               int64_t scale)
{
    char err[256];
    int64_t t0 = fw_clock_ms();
    while (strcmp(fw_vmodel_run_id(vm), run_id) != 0 || fw_vmodel_n_frames(vm) == 0) {
        cr_assert_lt(fw_clock_ms() - t0, 10000, "run %s never arrived", run_id);
        publish(pub, run_id, 1, scale);
        cr_assert_geq(fw_vlive_poll(l, vm, 50, err, sizeof err), 0, "%s", err);
    }
}

static void poll_until_link(fw_vlive_t *l, fw_vmodel_t *vm, fw_watch_state_t want)
{
    char err[256];
    int64_t t0 = fw_clock_ms();
    while (fw_vlive_link(l).state != want) {
        cr_assert_lt(fw_clock_ms() - t0, 10000, "the link never became %s",
                     fw_watch_state_name(want));
        cr_assert_geq(fw_vlive_poll(l, vm, 20, err, sizeof err), 0, "%s", err);
    }
}

Test(fw_vsource, a_live_source_sees_the_coordinator_go_and_a_new_run_start_over, .timeout = 60)
{
    char dir[64], url[128], err[256];
    cr_assert_not_null(fw_test_tmpdir(dir, sizeof dir));
    snprintf(url, sizeof url, "ipc://%s/observers", dir);
    fw_vmodel_t *vm = fw_vmodel_new();
    fw_vlive_t *l = fw_vlive_new(url, NULL, NULL, NULL, err, sizeof err);
    cr_assert_not_null(l, "%s", err);
    cr_assert_eq(fw_vlive_poll(l, vm, 0, err, sizeof err), 0);
    cr_assert_eq(fw_vlive_link(l).state, FW_WATCH_NEVER, "nothing at the address yet");
    cr_assert_str_eq(fw_vlive_link(l).endpoint, url);

    void *ctx = zmq_ctx_new();
    void *pub = bind_pub(ctx, url);
    publish_until_seen(pub, l, vm, "run-a", 3);
    for (uint32_t t = 2; t <= 3; t++)
        publish(pub, "run-a", t, 3);
    int64_t t0 = fw_clock_ms();
    while (fw_vmodel_n_frames(vm) < 3 && fw_clock_ms() - t0 < 10000)
        fw_vlive_poll(l, vm, 20, err, sizeof err);
    cr_assert_eq(fw_vmodel_n_frames(vm), 3);
    poll_until_link(l, vm, FW_WATCH_UP);

    /* The coordinator goes: its end closes, which is seen well before any heartbeat
     * timeout. */
    zmq_close(pub);
    t0 = fw_clock_ms();
    poll_until_link(l, vm, FW_WATCH_DOWN);
    cr_assert_lt(fw_clock_ms() - t0, FW_VLIVE_TIMEOUT_MS, "a closed end is seen at once");
    fw_vheader_t h;
    fw_vlink_t link = fw_vlive_link(l);
    fw_vheader_make(&h, vm, 2, "live", &link, fw_clock_ms());
    cr_assert_str_eq(h.state, "coordinator gone");
    cr_assert_eq(fw_vmodel_n_frames(vm), 3, "the last ticks received stay on screen");

    /* Another run on the same address: the viewer starts over with it. */
    pub = bind_pub(ctx, url);
    publish_until_seen(pub, l, vm, "run-b", 1);
    poll_until_link(l, vm, FW_WATCH_UP);
    cr_assert_eq(fw_vmodel_generation(vm), 1);
    cr_assert_eq(fw_vmodel_n_frames(vm), 1, "run b's tick 1 only");
    int aws = fw_vmodel_node_index(vm, "aws");
    cr_assert_float_eq(fw_vmodel_frame(vm, 0)->nodes[aws].cash, 50000000000.0, 1);
    cr_assert_eq(fw_vlive_received(l) >= 4, 1);

    fw_vlive_destroy(&l);
    cr_assert_null(l);
    fw_vlive_destroy(&l);
    zmq_close(pub);
    zmq_ctx_term(ctx);
    fw_vmodel_destroy(&vm);
    fw_test_rmtree(dir);
}

/* The countdown runs from the time left that the snapshot carried, on the viewer's own
 * clock from when it came: a coordinator whose wall clock is ten minutes off changes
 * nothing. */
Test(fw_vmodel, the_countdown_runs_on_the_viewers_clock_from_the_time_left_sent)
{
    fw_vmodel_t *vm = fw_vmodel_new();
    snap_t b;
    char line[160];
    small_market(&b, 1);
    snap_game(&b, FLYWHEEL__V1__PHASE__PHASE_RUNNING, "deadline:30", 70500, 2, 3);
    b.s.deadline_unix_ms += 10 * 60 * 1000; /* the coordinator's clock, 10 min ahead */
    cr_assert_eq(fw_vmodel_apply_at(vm, &b.s, 500000), 1);
    fw_vgame_describe(fw_vmodel_game(vm), 500000, line, sizeof line);
    cr_assert_str_eq(line, "turn timer 30 s: 11 s left; 2 players, 3 house bots");
    fw_vgame_describe(fw_vmodel_game(vm), 505000, line, sizeof line);
    cr_assert_str_eq(line, "turn timer 30 s: 6 s left; 2 players, 3 house bots");
    fw_vgame_describe(fw_vmodel_game(vm), 520000, line, sizeof line);
    cr_assert_str_eq(line, "turn timer 30 s: 0 s left; 2 players, 3 house bots", "not negative");
    fw_vmodel_destroy(&vm);
}
