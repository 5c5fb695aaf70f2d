/* fw_market: rationing, delivery lag, captive chips, cash limits, balanced books and
 * canonical ordering, driven directly with hand-made actions. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fw_arena.h"
#include "fw_inbox.h"
#include "fw_market.h"
#include "fw_proto.h"
#include "fw_rng.h"
#include "fw_scenario.h"
#include "fw_testproc.h"

/* A vendor (v), two clouds (c1, c2; tpu is captive to c2) and two labs. */
static const char *k_scenario =
    "run: {name: unit, start: 2024-01, ticks: 12, seed: 7}\n"
    "families:\n"
    "  - {id: gpu, vendor: v, perf: 1.0, unit_cost: 10, price: 100, capacity: 10, lead_time: 2, life: 10}\n"
    "  - {id: tpu, vendor: v, perf: 2.0, unit_cost: 10, price: 50, capacity: 10, lead_time: 0, life: 10, captive_of: c2}\n"
    "seats:\n"
    "  - {id: v, role: vendor, cash: 0}\n"
    "  - {id: c1, role: hyperscaler, cash: 1000, base_revenue: 50, compute_price: 10,\n"
    "     installed: {gpu: 8}}\n"
    "  - {id: c2, role: hyperscaler, cash: 1000, base_revenue: 50, compute_price: 10}\n"
    "  - {id: l1, role: lab, cash: 500, demand: 100, revenue_per_compute: 3}\n"
    "  - {id: l2, role: lab, cash: 60, demand: 100, revenue_per_compute: 3}\n";

enum { V, C1, C2, L1, L2, NSEATS };

typedef struct {
    fw_scenario_t *sc;
    fw_market_t *m;
    fw_arena_t *arena;
    Flywheel__V1__TickResult *results[NSEATS];
    Flywheel__V1__Snapshot snap;
} fixture_t;

static void s_setup(fixture_t *f)
{
    char err[256];
    memset(f, 0, sizeof *f);
    f->sc = fw_scenario_parse("unit.yaml", k_scenario, strlen(k_scenario), err, sizeof err);
    cr_assert_not_null(f->sc, "%s", err);
    f->m = fw_market_new(f->sc, 0);
    cr_assert_not_null(f->m);
    f->arena = fw_arena_new();
}

static void s_teardown(fixture_t *f)
{
    fw_market_destroy(&f->m);
    fw_scenario_destroy(&f->sc);
    fw_arena_destroy(&f->arena);
}

static void s_step(fixture_t *f, Flywheel__V1__Actions **actions)
{
    char err[256] = "";
    int rc = fw_market_step(f->m, actions, f->arena, f->results, &f->snap, err, sizeof err);
    cr_assert_eq(rc, FW_MARKET_OK, "step failed: %s", err);
    cr_assert_eq(fw_ledger_check(fw_market_ledger(f->m), err, sizeof err), 0, "%s", err);
}

/* Builders for actions, with storage from the fixture's arena. */
static Flywheel__V1__Actions *s_actions(fw_arena_t *a)
{
    Flywheel__V1__Actions *x = fw_arena_calloc(a, 1, sizeof *x);
    flywheel__v1__actions__init(x);
    x->chip_offers = fw_arena_calloc(a, 4, sizeof(void *));
    x->chip_orders = fw_arena_calloc(a, 4, sizeof(void *));
    x->compute_offers = fw_arena_calloc(a, 4, sizeof(void *));
    x->compute_bids = fw_arena_calloc(a, 4, sizeof(void *));
    return x;
}

static void s_chip_offer(fw_arena_t *a, Flywheel__V1__Actions *x, const char *fam, int64_t price, int64_t qty)
{
    Flywheel__V1__ChipOffer *o = fw_arena_calloc(a, 1, sizeof *o);
    flywheel__v1__chip_offer__init(o);
    o->family = (char *)fam;
    o->price = price;
    o->quantity = qty;
    x->chip_offers[x->n_chip_offers++] = o;
}

static void s_chip_order(fw_arena_t *a, Flywheel__V1__Actions *x, const char *fam, int64_t qty, int64_t max)
{
    Flywheel__V1__ChipOrder *o = fw_arena_calloc(a, 1, sizeof *o);
    flywheel__v1__chip_order__init(o);
    o->family = (char *)fam;
    o->quantity = qty;
    o->max_price = max;
    x->chip_orders[x->n_chip_orders++] = o;
}

static void s_compute_offer(fw_arena_t *a, Flywheel__V1__Actions *x, const char *fam, int64_t price, int64_t cap)
{
    Flywheel__V1__ComputeOffer *o = fw_arena_calloc(a, 1, sizeof *o);
    flywheel__v1__compute_offer__init(o);
    o->family = (char *)fam;
    o->price = price;
    o->capacity = cap;
    x->compute_offers[x->n_compute_offers++] = o;
}

static void s_bid(fw_arena_t *a, Flywheel__V1__Actions *x, const char *cloud, const char *fam, int64_t qty, int64_t max)
{
    Flywheel__V1__ComputeBid *b = fw_arena_calloc(a, 1, sizeof *b);
    flywheel__v1__compute_bid__init(b);
    b->provider = (char *)cloud;
    b->family = (char *)fam;
    b->quantity = qty;
    b->max_price = max;
    x->compute_bids[x->n_compute_bids++] = b;
}

static int64_t s_filled(const Flywheel__V1__TickResult *r, Flywheel__V1__FillKind kind, const char *fam)
{
    int64_t q = 0;
    for (size_t i = 0; i < r->n_fills; i++)
        if (r->fills[i]->kind == kind && strcmp(r->fills[i]->family, fam) == 0)
            q += r->fills[i]->quantity;
    return q;
}

static int s_rejected_with(const Flywheel__V1__TickResult *r, const char *needle)
{
    for (size_t i = 0; i < r->n_rejected; i++)
        if (strstr(r->rejected[i]->reason, needle))
            return 1;
    return 0;
}

Test(fw_market, ration_is_largest_remainder_and_never_breaks_ties_by_order)
{
    int64_t grant[4];
    fw_market_ration(10, (int64_t[]){3, 3, 3, 3}, 4, grant);
    cr_assert_arr_eq(grant, ((int64_t[]){2, 2, 2, 2}), 4 * sizeof(int64_t),
                     "two units left for four equal remainders: none of them gets one");
    fw_market_ration(11, (int64_t[]){3, 3, 3, 3}, 4, grant);
    cr_assert_arr_eq(grant, ((int64_t[]){2, 2, 2, 2}), 4 * sizeof(int64_t));
    fw_market_ration(11, (int64_t[]){4, 3, 3, 2}, 4, grant);
    cr_assert_arr_eq(grant, ((int64_t[]){3, 3, 3, 2}), 4 * sizeof(int64_t),
                     "quotas 3.67, 2.75, 2.75, 1.83: three units left, the largest "
                     "remainder, then both of the tie");
    fw_market_ration(10, (int64_t[]){4, 3, 3, 2}, 4, grant);
    cr_assert_arr_eq(grant, ((int64_t[]){3, 2, 2, 2}), 4 * sizeof(int64_t),
                     "quotas 3.33, 2.5, 2.5, 1.67: two units left, the largest remainder, "
                     "then one for a tie of two: none");
    fw_market_ration(10, (int64_t[]){2, 3, 3, 4}, 4, grant);
    cr_assert_arr_eq(grant, ((int64_t[]){2, 2, 2, 3}), 4 * sizeof(int64_t), "order-free");
    fw_market_ration(10, (int64_t[]){1, 100}, 2, grant);
    cr_assert_arr_eq(grant, ((int64_t[]){0, 10}), 2 * sizeof(int64_t));
    fw_market_ration(7, (int64_t[]){5, 2}, 2, grant);
    cr_assert_arr_eq(grant, ((int64_t[]){5, 2}), 2 * sizeof(int64_t), "wants that fit are met");
    fw_market_ration(0, (int64_t[]){5, 2}, 2, grant);
    cr_assert_arr_eq(grant, ((int64_t[]){0, 0}), 2 * sizeof(int64_t));
}

/* Every unit is granted but those a tie of remainders could not split (< n). */
Test(fw_market, ration_conserves_supply_and_never_exceeds_wants)
{
    fw_rng_t r;
    fw_rng_seed(&r, 42);
    for (int round = 0; round < 2000; round++) {
        int64_t want[7], grant[7], supply = (int64_t)(fw_rng_next(&r) % 1000), total = 0, given = 0;
        size_t n = 1 + fw_rng_next(&r) % 7;
        for (size_t i = 0; i < n; i++)
            total += want[i] = (int64_t)(fw_rng_next(&r) % 400);
        fw_market_ration(supply, want, n, grant);
        for (size_t i = 0; i < n; i++) {
            cr_assert_leq(grant[i], want[i]);
            cr_assert_geq(grant[i], 0);
            given += grant[i];
        }
        int64_t most = total < supply ? total : supply;
        cr_assert_leq(given, most);
        cr_assert_gt(given, most - (int64_t)n);
        if (total <= supply)
            cr_assert_eq(given, total);
    }
}

Test(fw_market, oversubscribed_chips_are_rationed_pro_rata)
{
    fixture_t f;
    s_setup(&f);
    Flywheel__V1__Actions *act[NSEATS] = {0};
    act[V] = s_actions(f.arena);
    s_chip_offer(f.arena, act[V], "gpu", 100, 10);
    act[C1] = s_actions(f.arena);
    s_chip_order(f.arena, act[C1], "gpu", 9, 0);
    act[C2] = s_actions(f.arena);
    s_chip_order(f.arena, act[C2], "gpu", 6, 0);
    s_step(&f, act);
    cr_assert_eq(s_filled(f.results[C1], FLYWHEEL__V1__FILL_KIND__FILL_CHIP_PURCHASE, "gpu"), 6);
    cr_assert_eq(s_filled(f.results[C2], FLYWHEEL__V1__FILL_KIND__FILL_CHIP_PURCHASE, "gpu"), 4);
    cr_assert_eq(s_filled(f.results[V], FLYWHEEL__V1__FILL_KIND__FILL_CHIP_SALE, "gpu"), 10);
    cr_assert(s_rejected_with(f.results[C1], "oversubscribed"));
    cr_assert_eq(fw_market_cash(f.m, C1), 1000 - 600 + 50 - 35, "paid 6 x 100, base business +50 at 30%% margin");
    cr_assert_eq(fw_market_cash(f.m, V), 1000 - 100, "sold 10 x 100 and made them at 10 each");
    s_teardown(&f);
}

Test(fw_market, chips_arrive_after_the_lead_time)
{
    fixture_t f;
    s_setup(&f);
    Flywheel__V1__Actions *act[NSEATS] = {0};
    act[V] = s_actions(f.arena);
    s_chip_offer(f.arena, act[V], "gpu", 100, 10);
    act[C1] = s_actions(f.arena);
    s_chip_order(f.arena, act[C1], "gpu", 5, 0);
    int64_t before = fw_market_installed(f.m, C1, 0);
    cr_assert_eq(before, 8, "opening installed base");
    s_step(&f, act); /* tick 1: ordered, lead time 2 -> in service from tick 3 */
    cr_assert_eq(fw_market_installed(f.m, C1, 0), 8, "not in service at tick 2");
    cr_assert_eq(fw_market_incoming(f.m, C1, 0), 5);
    Flywheel__V1__Actions *none[NSEATS] = {0};
    s_step(&f, none); /* tick 2 */
    cr_assert_eq(fw_market_installed(f.m, C1, 0), 13, "in service at tick 3");
    cr_assert_eq(fw_market_incoming(f.m, C1, 0), 0);
    s_step(&f, none); /* tick 3: the delivery is reported */
    cr_assert_eq(s_filled(f.results[C1], FLYWHEEL__V1__FILL_KIND__FILL_DELIVERY, "gpu"), 5);
    s_teardown(&f);
}

Test(fw_market, captive_family_only_for_its_cloud)
{
    fixture_t f;
    s_setup(&f);
    Flywheel__V1__Actions *act[NSEATS] = {0};
    act[V] = s_actions(f.arena);
    s_chip_offer(f.arena, act[V], "tpu", 50, 10);
    act[C1] = s_actions(f.arena);
    s_chip_order(f.arena, act[C1], "tpu", 5, 0);
    act[C2] = s_actions(f.arena);
    s_chip_order(f.arena, act[C2], "tpu", 5, 0);
    s_step(&f, act);
    cr_assert_eq(s_filled(f.results[C1], FLYWHEEL__V1__FILL_KIND__FILL_CHIP_PURCHASE, "tpu"), 0);
    cr_assert(s_rejected_with(f.results[C1], "captive to c2"));
    cr_assert_eq(s_filled(f.results[C2], FLYWHEEL__V1__FILL_KIND__FILL_CHIP_PURCHASE, "tpu"), 5);
    cr_assert_eq(fw_market_installed(f.m, C2, 1), 10, "lead time 0: 5 units x perf 2 in service");
    s_teardown(&f);
}

Test(fw_market, compute_is_capped_by_installed_and_cash)
{
    fixture_t f;
    s_setup(&f);
    Flywheel__V1__Actions *act[NSEATS] = {0};
    act[C1] = s_actions(f.arena);
    s_compute_offer(f.arena, act[C1], "gpu", 10, 1000);
    act[L1] = s_actions(f.arena);
    s_bid(f.arena, act[L1], "c1", "gpu", 5, 12);
    act[L2] = s_actions(f.arena);
    s_bid(f.arena, act[L2], "c1", "gpu", 100, 20);
    s_step(&f, act);
    cr_assert(s_rejected_with(f.results[C1], "trimmed to the 8"), "capacity capped by installed");
    cr_assert(s_rejected_with(f.results[L2], "cash left"), "l2 can pay for 6 only");
    /* wants 5 and 6 against 8: quotas 3.64 and 4.36 -> 4 and 4 (remainders .64 > .36) */
    cr_assert_eq(s_filled(f.results[L1], FLYWHEEL__V1__FILL_KIND__FILL_COMPUTE_PURCHASE, "gpu"), 4);
    cr_assert_eq(s_filled(f.results[L2], FLYWHEEL__V1__FILL_KIND__FILL_COMPUTE_PURCHASE, "gpu"), 4);
    cr_assert_eq(fw_market_cash(f.m, L1), 500 - 40 + 4 * 3, "paid 4 x 10, earned 4 x 3");
    cr_assert_geq(fw_market_cash(f.m, L2), 0, "no one spends more than it has");
    s_teardown(&f);
}

Test(fw_market, bid_below_price_gets_nothing)
{
    fixture_t f;
    s_setup(&f);
    Flywheel__V1__Actions *act[NSEATS] = {0};
    act[C1] = s_actions(f.arena);
    s_compute_offer(f.arena, act[C1], "gpu", 10, 8);
    act[L1] = s_actions(f.arena);
    s_bid(f.arena, act[L1], "c1", "gpu", 5, 9);
    s_bid(f.arena, act[L1], "v", "gpu", 5, 9);
    s_step(&f, act);
    cr_assert_eq(s_filled(f.results[L1], FLYWHEEL__V1__FILL_KIND__FILL_COMPUTE_PURCHASE, "gpu"), 0);
    cr_assert(s_rejected_with(f.results[L1], "above your max_price"));
    cr_assert(s_rejected_with(f.results[L1], "'v' is not a cloud"));
    s_teardown(&f);
}

Test(fw_market, books_balance_after_every_tick_under_random_actions)
{
    fixture_t f;
    s_setup(&f);
    fw_rng_t r;
    fw_rng_seed(&r, 99);
    static const char *fams[] = {"gpu", "tpu", "nope"};
    static const char *seats[] = {"v", "c1", "c2", "l1", "l2", "zz"};
    for (uint32_t t = 1; t <= 12; t++) {
        Flywheel__V1__Actions *act[NSEATS];
        fw_arena_reset(f.arena);
        for (int s = 0; s < NSEATS; s++) {
            act[s] = fw_rng_next(&r) % 5 == 0 ? NULL : s_actions(f.arena);
            if (!act[s])
                continue;
            /* Every seat tries everything, legal or not: the market must sort it out. */
            s_chip_offer(f.arena, act[s], fams[fw_rng_next(&r) % 3], (int64_t)(fw_rng_next(&r) % 200) - 10,
                         (int64_t)(fw_rng_next(&r) % 30));
            s_chip_order(f.arena, act[s], fams[fw_rng_next(&r) % 3], (int64_t)(fw_rng_next(&r) % 20),
                         (int64_t)(fw_rng_next(&r) % 200));
            s_compute_offer(f.arena, act[s], fams[fw_rng_next(&r) % 3], (int64_t)(fw_rng_next(&r) % 30),
                            (int64_t)(fw_rng_next(&r) % 40));
            s_bid(f.arena, act[s], seats[fw_rng_next(&r) % 6], fams[fw_rng_next(&r) % 3],
                  (int64_t)(fw_rng_next(&r) % 50), (int64_t)(fw_rng_next(&r) % 40));
        }
        s_step(&f, act); /* asserts the ledger check */
        cr_assert_eq(f.snap.tick, t);
        for (int s = C1; s <= L2; s++)
            cr_assert_geq(fw_market_cash(f.m, (uint32_t)s), 0, "buyers never overspend");
    }
    Flywheel__V1__Actions *none[NSEATS] = {0};
    char err[64];
    cr_assert_eq(fw_market_step(f.m, none, f.arena, f.results, &f.snap, err, sizeof err), FW_MARKET_EDONE);
    s_teardown(&f);
}

/* The same actions, delivered to the inbox in two different arrival orders, give
 * byte-identical snapshots: arrival order never reaches the market. */
static uint8_t *s_run_with_order(const int *order, size_t *len)
{
    fixture_t f;
    s_setup(&f);
    fw_inbox_t *in = fw_inbox_new(NSEATS);
    fw_inbox_open(in, 1);
    for (int k = 0; k < NSEATS; k++) {
        int s = order[k];
        fw_arena_t *a = fw_arena_new();
        Flywheel__V1__Actions *x = s_actions(a);
        if (s == V)
            s_chip_offer(a, x, "gpu", 100, 10);
        if (s == C1 || s == C2) {
            s_chip_order(a, x, "gpu", 7, 0);
            s_compute_offer(a, x, "gpu", 10, 8);
        }
        if (s == L1 || s == L2)
            s_bid(a, x, "c1", "gpu", 5, 0);
        /* Round-trip through the wire format: the inbox owns unpacked envelopes. */
        fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT, *got = NULL;
        uint8_t *buf;
        size_t n;
        env.protocol_version = FW_PROTOCOL_VERSION;
        env.tick = 1;
        env.seq = 2;
        env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
        env.actions = x;
        cr_assert_eq(fw_proto_pack(&env, &buf, &n), 0);
        cr_assert_eq(fw_proto_unpack(buf, n, &got), 0);
        free(buf);
        cr_assert_eq(fw_inbox_put(in, (uint32_t)s, &got), FW_INBOX_ACCEPTED);
        fw_arena_destroy(&a);
    }
    Flywheel__V1__Actions *act[NSEATS];
    fw_inbox_actions(in, act);
    s_step(&f, act);
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    uint8_t *out;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT;
    env.snapshot = &f.snap;
    cr_assert_eq(fw_proto_pack(&env, &out, len), 0);
    fw_inbox_destroy(&in);
    s_teardown(&f);
    return out;
}

Test(fw_market, arrival_order_never_changes_the_result)
{
    size_t n1, n2;
    uint8_t *a = s_run_with_order((int[]){V, C1, C2, L1, L2}, &n1);
    uint8_t *b = s_run_with_order((int[]){L2, C2, L1, V, C1}, &n2);
    cr_assert_eq(n1, n2);
    cr_assert_arr_eq(a, b, n1, "snapshots differ with arrival order");
    free(a);
    free(b);
}

/* The clearing's order is one table (fw_market.c); docs/model.md describes it as a
 * numbered list of bold names under "The clearing, in order". They must agree. */
Test(fw_market, clears_in_the_order_the_model_documents)
{
    char path[1024], names[32][64];
    size_t n = 0;
    fw_test_source_path(path, sizeof path, "docs/model.md");
    char *doc = fw_test_read_file(path, NULL);
    cr_assert_not_null(doc, "cannot read %s", path);
    char *at = strstr(doc, "## The clearing, in order");
    cr_assert_not_null(at, "docs/model.md has no 'The clearing, in order' section");
    char *end = strstr(at + 3, "\n## ");
    for (char *line = strchr(at, '\n'); line && (!end || line < end); line = strchr(line + 1, '\n')) {
        const char *p = line + 1;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == line + 1 || strncmp(p, ". **", 4) != 0)
            continue;
        p += 4;
        const char *close = strstr(p, "**");
        cr_assert_not_null(close);
        size_t len = (size_t)(close - p);
        while (len && (p[len - 1] == '.' || p[len - 1] == ':'))
            len--;
        cr_assert_lt(n, 32);
        snprintf(names[n++], sizeof names[0], "%.*s", (int)len, p);
    }
    free(doc);
    cr_assert_eq(n, fw_market_stage_count(), "docs/model.md lists %zu stages, the table %zu", n,
                 fw_market_stage_count());
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(names[i], fw_market_stage_name(i), "stage %zu", i + 1);
    cr_assert_null(fw_market_stage_name(n));
}
