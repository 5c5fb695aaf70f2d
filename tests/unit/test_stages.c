/* The stages of a tick, one module at a time: each stage is driven directly on a small
 * market with hand-built orders (plain C, no protobuf), the way fw_market.c drives
 * them: the tick's events fire, the books open (fw_ground_begin_tick), then the stage
 * runs. Every test checks that the books balance after the stage, that the balances
 * it moved moved by exactly what the economics says, and that refused or trimmed
 * orders come back to their seat as list[i] with a reason. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fw_arena.h"
#include "fw_ground.h"
#include "fw_observe.h"
#include "fw_market.h"
#include "fw_scenario.h"
#include "fw_stages.h"

/* A vendor (v) making gpu and tpu (tpu captive to c2), two clouds with chips in
 * service (c1: 8 gpu = 8 H100-eq months a tick; c2: 4 tpu = 8), and two labs whose
 * customers spend 300 a tick with each at the start. Tests append `market:`,
 * `deals:` or `events:` sections. */
static const char *k_market =
    "run: {name: stages, start: 2024-01, ticks: 12, seed: 1}\n"
    "families:\n"
    "  - {id: gpu, vendor: v, perf: 1.0, unit_cost: 10, price: 100, capacity: 10, lead_time: 2, life: 10}\n"
    "  - {id: tpu, vendor: v, perf: 2.0, unit_cost: 10, price: 50, capacity: 10, lead_time: 0, life: 10, captive_of: c2}\n"
    "seats:\n"
    "  - {id: v, role: vendor, cash: 1000}\n"
    "  - {id: c1, role: hyperscaler, cash: 1000, base_revenue: 50, compute_price: 10,\n"
    "     own_business: 1000, ai_uplift: 0.1, ai_saturation: 4, installed: {gpu: 8}}\n"
    "  - {id: c2, role: hyperscaler, cash: 1000, base_revenue: 200, base_margin: 0.25,\n"
    "     compute_price: 10, installed: {tpu: 4}}\n"
    "  - {id: l1, role: lab, cash: 500, demand: 100, revenue_per_compute: 3, valuation: 5000}\n"
    "  - {id: l2, role: lab, cash: 60, demand: 100, revenue_per_compute: 3}\n";

enum { V, C1, C2, L1, L2, NSEATS };
enum { GPU, TPU };

typedef int (*stage_fn)(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                        size_t err_len);

typedef struct {
    fw_scenario_t *sc;
    fw_market_t *m;
    fw_orders_t orders[NSEATS]; /* this tick's; arrays live in the test's frame */
    uint32_t t;                 /* the tick being cleared */
    char text[4096];            /* the scenario */
    char log[2048];             /* a seat's refusals, for failure messages */
} stage_t;

/* Seat s's orders: present, with the given lists. */
#define ORDERS(...) ((fw_orders_t){.present = 1, __VA_ARGS__})
#define LIST(field, arr) .n_##field = sizeof(arr) / sizeof((arr)[0]), .field = (arr)

static void s_open_text(stage_t *f, const char *text)
{
    char err[256];
    memset(f, 0, sizeof *f);
    snprintf(f->text, sizeof f->text, "%s", text);
    f->sc = fw_scenario_parse("stages.yaml", f->text, strlen(f->text), err, sizeof err);
    cr_assert_not_null(f->sc, "%s", err);
    f->m = fw_market_new(f->sc, 0);
    cr_assert_not_null(f->m);
}

/* The market above, with `extra` sections appended. */
static void s_open(stage_t *f, const char *extra)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", k_market, extra ? extra : "");
    s_open_text(f, text);
}

static void s_close(stage_t *f)
{
    fw_market_destroy(&f->m);
    fw_scenario_destroy(&f->sc);
}

/* Money is conserved: the ledger's own check, and every balance summed is zero. */
static void s_books(const stage_t *f)
{
    char err[256] = "";
    cr_assert_eq(fw_ledger_check(fw_market_ledger(f->m), err, sizeof err), FW_LEDGER_OK, "%s",
                 err);
    int64_t sum = 0;
    for (uint32_t s = 0; s < f->m->n_seats; s++)
        for (int k = 0; k < FW_ACC_KINDS; k++)
            sum += fw_ledger_balance(fw_market_ledger(f->m), fw_acc(s, (fw_account_kind_t)k));
    cr_assert_eq(sum, 0, "the balances sum to %lld", (long long)sum);
}

/* Opens tick t as fw_market.c's first stage does: events, then the books. Set the
 * orders first: the books record which seats answered. */
static void s_begin(stage_t *f, uint32_t t)
{
    f->t = t;
    fw_deals_fire_events(f->m, t);
    fw_ground_begin_tick(f->m, f->orders);
}

/* Runs one stage of the open tick; it must succeed and leave the books balanced. */
static void s_run(stage_t *f, stage_fn stage)
{
    char err[256] = "";
    int rc = stage(f->m, f->orders, f->t, err, sizeof err);
    cr_assert_eq(rc, FW_MARKET_OK, "tick %u: %s", f->t, err);
    s_books(f);
}

/* Closes the tick as fw_market_step does, and clears the orders for the next one. */
static void s_end(stage_t *f)
{
    f->m->tick = f->t;
    memset(f->orders, 0, sizeof f->orders);
}

static int64_t s_bal(const stage_t *f, int seat, fw_account_kind_t kind)
{
    return fw_ledger_balance(fw_market_ledger(f->m), fw_acc((uint32_t)seat, kind));
}

/* How much an account moved since the tick's books opened. */
static int64_t s_moved(const stage_t *f, int seat, fw_account_kind_t kind)
{
    return fw_ledger_tick_delta(fw_market_ledger(f->m), fw_acc((uint32_t)seat, kind));
}

static int64_t s_cash(const stage_t *f, int seat)
{
    return s_bal(f, seat, FW_ACC_CASH);
}

static size_t s_postings(const stage_t *f)
{
    return fw_ledger_tick_postings(fw_market_ledger(f->m));
}

static const fw_vec_t *s_rejections(const stage_t *f, int seat)
{
    return &f->m->reports[seat].rejections;
}

static const char *s_refusals_text(stage_t *f, int seat)
{
    const fw_vec_t *v = s_rejections(f, seat);
    size_t at = 0;
    f->log[0] = '\0';
    for (size_t i = 0; i < v->n && at < sizeof f->log; i++) {
        const fw_rejection_t *r = fw_vec_at(v, i);
        at += (size_t)snprintf(f->log + at, sizeof f->log - at, "[%s: %s] ", r->action, r->reason);
    }
    return v->n ? f->log : "none";
}

static int s_refused(const stage_t *f, int seat, const char *action, const char *needle)
{
    const fw_vec_t *v = s_rejections(f, seat);
    for (size_t i = 0; i < v->n; i++) {
        const fw_rejection_t *r = fw_vec_at(v, i);
        if (strcmp(r->action, action) == 0 && strstr(r->reason, needle))
            return 1;
    }
    return 0;
}

#define assert_refused(f, seat, action, needle)                                              \
    cr_assert(s_refused((f), (seat), (action), (needle)),                                     \
              "seat %d: no refusal of %s saying \"%s\"; refusals: %s", (seat), (action),      \
              (needle), s_refusals_text((f), (seat)))

/* Units of `kind` filled for `seat` in `family` (-1: money fills, any family). */
static int64_t s_filled(const stage_t *f, int seat, fw_fill_kind_t kind, int family)
{
    const fw_vec_t *v = &f->m->reports[seat].fills;
    int64_t q = 0;
    for (size_t i = 0; i < v->n; i++) {
        const fw_fill_t *x = fw_vec_at(v, i);
        if (x->kind == kind && (family < 0 || x->family == family))
            q += x->quantity;
    }
    return q;
}

/* Dollars of the fills of `kind` reported to `seat`. */
static int64_t s_fill_amount(const stage_t *f, int seat, fw_fill_kind_t kind)
{
    const fw_vec_t *v = &f->m->reports[seat].fills;
    int64_t a = 0;
    for (size_t i = 0; i < v->n; i++) {
        const fw_fill_t *x = fw_vec_at(v, i);
        if (x->kind == kind)
            a += x->amount;
    }
    return a;
}

static int s_event(const stage_t *f, const char *needle)
{
    for (size_t i = 0; i < f->m->events_fired.n; i++)
        if (strstr(((const fw_event_text_t *)fw_vec_at(&f->m->events_fired, i))->text, needle))
            return 1;
    return 0;
}

static const fw_lot_t *s_last_lot(const stage_t *f, int seat)
{
    const fw_vec_t *lots = &f->m->seats[seat].lots;
    cr_assert_gt(lots->n, 0);
    return fw_vec_at(lots, lots->n - 1);
}

static double s_fraction(const stage_t *f, int lab, int holder)
{
    const fw_vec_t *ct = &f->m->seats[lab].cap_table;
    for (size_t i = 0; i < ct->n; i++) {
        const fw_holder_t *h = fw_vec_at(ct, i);
        if (h->holder == holder)
            return h->fraction;
    }
    return 0.0;
}

static fw_terms_t s_terms(int investor, int lab, int64_t amount)
{
    return (fw_terms_t){.investor = investor, .lab = lab, .amount = amount, .chip_family = -1,
                        .duration = 12};
}

/* A proposal as fw_intake.c resolves it: lab index, terms present, no family named. */
static fw_proposal_in_t s_proposal(fw_terms_t T)
{
    return (fw_proposal_in_t){.lab = T.lab, .has_terms = 1, .terms = T};
}

/* ==== chips: the chip market ======================================================== */

Test(fw_stage_chips, a_sale_moves_units_times_price_from_cloud_to_vendor)
{
    stage_t f;
    s_open(&f, NULL);
    fw_chip_offer_in_t vo[] = {{GPU, "gpu", 100, 10}};
    fw_chip_order_in_t co[] = {{GPU, "gpu", 3, 0}};
    f.orders[V] = ORDERS(LIST(chip_offers, vo));
    f.orders[C1] = ORDERS(LIST(chip_orders, co));
    s_begin(&f, 1);
    s_run(&f, fw_stage_chips);

    cr_assert_eq(s_cash(&f, C1), 1000 - 3 * 100);
    cr_assert_eq(s_moved(&f, C1, FW_ACC_EQUIPMENT), 300, "the chips are on the cloud's books at cost");
    cr_assert_eq(s_cash(&f, V), 1000 + 300 - 3 * 10, "paid 3 x 100, made them at 10 each");
    cr_assert_eq(s_moved(&f, V, FW_ACC_REVENUE), -300);
    cr_assert_eq(s_moved(&f, V, FW_ACC_EXPENSE), 30);
    cr_assert_eq(s_filled(&f, C1, FW_FILL_CHIP_PURCHASE, GPU), 3);
    cr_assert_eq(s_filled(&f, V, FW_FILL_CHIP_SALE, GPU), 3);
    const fw_lot_t *lot = s_last_lot(&f, C1);
    cr_assert_eq(lot->units, 3);
    cr_assert_eq(lot->book, 300);
    cr_assert_eq(lot->arrives, 1 + 2, "lead time 2");
    cr_assert_eq(lot->retires, 1 + 2 + 10, "life 10");
    cr_assert_eq(f.m->chip_flows.n, 1);
    const fw_flow_t *flow = fw_vec_at(&f.m->chip_flows, 0);
    cr_assert(flow->seller == V && flow->buyer == C1 && flow->quantity == 3 && flow->amount == 300);
    cr_assert_eq(f.m->seats[C1].chip_spend_tick, 300);
    cr_assert_eq(f.m->family_revenue[GPU], 300);
    cr_assert_eq(f.m->chip_offers[GPU].sold, 3);
    for (int s = 0; s < NSEATS; s++)
        cr_assert_eq(s_rejections(&f, s)->n, 0, "seat %d: %s", s, s_refusals_text(&f, s));
    s_close(&f);
}

Test(fw_stage_chips, an_oversubscribed_family_is_rationed_pro_rata)
{
    stage_t f;
    s_open(&f, NULL);
    fw_chip_offer_in_t vo[] = {{GPU, "gpu", 100, 10}};
    fw_chip_order_in_t c1o[] = {{GPU, "gpu", 9, 0}};
    fw_chip_order_in_t c2o[] = {{GPU, "gpu", 6, 0}};
    f.orders[V] = ORDERS(LIST(chip_offers, vo));
    f.orders[C1] = ORDERS(LIST(chip_orders, c1o));
    f.orders[C2] = ORDERS(LIST(chip_orders, c2o));
    s_begin(&f, 1);
    s_run(&f, fw_stage_chips);

    /* 10 over wants 9 and 6: quotas 6.0 and 4.0. */
    cr_assert_eq(s_filled(&f, C1, FW_FILL_CHIP_PURCHASE, GPU), 6);
    cr_assert_eq(s_filled(&f, C2, FW_FILL_CHIP_PURCHASE, GPU), 4);
    assert_refused(&f, C1, "chip_orders[0]", "'gpu' oversubscribed: got 6 of 9");
    assert_refused(&f, C2, "chip_orders[0]", "'gpu' oversubscribed: got 4 of 6");
    cr_assert_eq(s_cash(&f, C1), 1000 - 600);
    cr_assert_eq(s_cash(&f, C2), 1000 - 400);
    cr_assert_eq(s_cash(&f, V), 1000 + 1000 - 100);
    cr_assert_eq(f.m->chips_sold, 10);
    s_close(&f);
}

/* A seat reads its refusals family by family: the first family's checks, then orders
 * naming no family, then the first family's rationing, then the next family's. */
Test(fw_stage_chips, refusals_come_in_the_order_the_market_takes_the_orders)
{
    stage_t f;
    s_open(&f, NULL);
    fw_chip_offer_in_t vo[] = {{GPU, "gpu", 100, 10}, {TPU, "tpu", 50, 10}};
    fw_chip_order_in_t c1o[] = {{TPU, "tpu", 1, 0}, {-1, "asic", 1, 0}, {GPU, "gpu", 9, 0},
                                {GPU, "gpu", 1, 0}};
    fw_chip_order_in_t c2o[] = {{GPU, "gpu", 6, 0}};
    f.orders[V] = ORDERS(LIST(chip_offers, vo));
    f.orders[C1] = ORDERS(LIST(chip_orders, c1o));
    f.orders[C2] = ORDERS(LIST(chip_orders, c2o));
    s_begin(&f, 1);
    s_run(&f, fw_stage_chips);

    const fw_vec_t *r = s_rejections(&f, C1);
    static const char *const want[][2] = {
        {"chip_orders[3]", "second order for 'gpu'"},
        {"chip_orders[1]", "unknown chip family 'asic'"},
        {"chip_orders[2]", "'gpu' oversubscribed: got 6 of 9"},
        {"chip_orders[0]", "'tpu' is captive to c2"},
    };
    cr_assert_eq(r->n, 4, "%s", s_refusals_text(&f, C1));
    for (size_t i = 0; i < 4; i++) {
        const fw_rejection_t *x = fw_vec_at(r, i);
        cr_assert_str_eq(x->action, want[i][0], "refusal %zu: %s", i, s_refusals_text(&f, C1));
        cr_assert_not_null(strstr(x->reason, want[i][1]), "refusal %zu: %s", i, x->reason);
    }
    s_close(&f);
}

Test(fw_stage_chips, a_captive_family_sells_only_to_its_cloud_and_arrives_at_once)
{
    stage_t f;
    s_open(&f, NULL);
    fw_chip_offer_in_t vo[] = {{TPU, "tpu", 50, 10}};
    fw_chip_order_in_t c1o[] = {{TPU, "tpu", 5, 0}};
    fw_chip_order_in_t c2o[] = {{TPU, "tpu", 5, 0}};
    f.orders[V] = ORDERS(LIST(chip_offers, vo));
    f.orders[C1] = ORDERS(LIST(chip_orders, c1o));
    f.orders[C2] = ORDERS(LIST(chip_orders, c2o));
    int64_t before = fm_installed_at(f.m, C2, TPU, 1);
    s_begin(&f, 1);
    s_run(&f, fw_stage_chips);

    assert_refused(&f, C1, "chip_orders[0]", "'tpu' is captive to c2");
    cr_assert_eq(s_cash(&f, C1), 1000);
    cr_assert_eq(s_filled(&f, C2, FW_FILL_CHIP_PURCHASE, TPU), 5);
    cr_assert_eq(s_filled(&f, C2, FW_FILL_DELIVERY, TPU), 5, "lead time 0: delivered this tick");
    cr_assert_eq(fm_installed_at(f.m, C2, TPU, 1) - before, 5 * 2, "5 units x perf 2 in service");
    cr_assert_eq(s_cash(&f, C2), 1000 - 250);
    s_close(&f);
}

Test(fw_stage_chips, bad_offers_are_refused_with_reasons)
{
    stage_t f;
    s_open(&f, NULL);
    fw_chip_offer_in_t vo[] = {
        {GPU, "gpu", 100, 50}, /* over capacity: trimmed */
        {GPU, "gpu", 90, 5},   /* a second offer */
        {-1, "asic", 10, 5},   /* no such family */
        {TPU, "tpu", 0, 5},    /* no price */
    };
    fw_chip_offer_in_t c1o[] = {{GPU, "gpu", 80, 5}}; /* not its chip */
    f.orders[V] = ORDERS(LIST(chip_offers, vo));
    f.orders[C1] = ORDERS(LIST(chip_offers, c1o));
    s_begin(&f, 1);
    s_run(&f, fw_stage_chips);

    assert_refused(&f, V, "chip_offers[0]", "quantity 50 trimmed to capacity 10");
    assert_refused(&f, V, "chip_offers[1]", "second offer for 'gpu' this tick");
    assert_refused(&f, V, "chip_offers[2]", "unknown chip family 'asic'");
    assert_refused(&f, V, "chip_offers[3]", "price must be > 0 and quantity >= 0");
    assert_refused(&f, C1, "chip_offers[0]", "'gpu' is made by v, not by you");
    cr_assert_eq(s_rejections(&f, V)->n, 4);
    cr_assert_eq(s_rejections(&f, C1)->n, 1);
    const fw_offer_t *gpu = &f.m->chip_offers[GPU];
    cr_assert(gpu->posted && gpu->price == 100 && gpu->quantity == 10, "the first offer stands, trimmed");
    cr_assert_not(f.m->chip_offers[TPU].posted);
    cr_assert_eq(s_postings(&f), 0, "nothing was bought");
    s_close(&f);
}

Test(fw_stage_chips, bad_orders_are_refused_with_reasons)
{
    stage_t f;
    s_open(&f, NULL);
    fw_chip_offer_in_t vo[] = {{GPU, "gpu", 100, 10}};
    fw_chip_order_in_t c1o[] = {
        {-1, "asic", 1, 0}, /* no such family */
        {TPU, "tpu", 1, 0}, /* captive to c2 */
        {GPU, "gpu", 2, 99}, /* max_price below the price */
        {GPU, "gpu", 1, 0}, /* a second order for gpu */
    };
    fw_chip_order_in_t c2o[] = {
        {TPU, "tpu", 2, 0}, /* not on offer */
        {GPU, "gpu", 0, 0}, /* no quantity */
    };
    fw_chip_order_in_t l1o[] = {{GPU, "gpu", 1, 0}}; /* labs do not buy chips */
    f.orders[V] = ORDERS(LIST(chip_offers, vo));
    f.orders[C1] = ORDERS(LIST(chip_orders, c1o));
    f.orders[C2] = ORDERS(LIST(chip_orders, c2o));
    f.orders[L1] = ORDERS(LIST(chip_orders, l1o));
    s_begin(&f, 1);
    s_run(&f, fw_stage_chips);

    assert_refused(&f, C1, "chip_orders[0]", "unknown chip family 'asic'");
    assert_refused(&f, C1, "chip_orders[1]", "'tpu' is captive to c2");
    assert_refused(&f, C1, "chip_orders[2]", "price 100 is above your max_price 99");
    assert_refused(&f, C1, "chip_orders[3]", "second order for 'gpu' this tick");
    assert_refused(&f, C2, "chip_orders[0]", "no 'tpu' chips on offer this tick");
    assert_refused(&f, C2, "chip_orders[1]", "quantity must be > 0");
    assert_refused(&f, L1, "chip_orders[0]", "only hyperscalers buy chips");
    cr_assert_eq(s_rejections(&f, C1)->n, 4, "%s", s_refusals_text(&f, C1));
    cr_assert_eq(s_rejections(&f, C2)->n, 2, "%s", s_refusals_text(&f, C2));
    cr_assert_eq(s_rejections(&f, L1)->n, 1);
    cr_assert_eq(s_postings(&f), 0, "nothing was bought");
    s_close(&f);
}

Test(fw_stage_chips, an_order_beyond_cash_is_trimmed_to_what_the_cloud_can_pay)
{
    stage_t f;
    s_open(&f, NULL);
    fw_chip_offer_in_t vo[] = {{GPU, "gpu", 300, 10}};
    fw_chip_order_in_t co[] = {{GPU, "gpu", 5, 0}};
    f.orders[V] = ORDERS(LIST(chip_offers, vo));
    f.orders[C1] = ORDERS(LIST(chip_orders, co));
    s_begin(&f, 1);
    s_run(&f, fw_stage_chips);

    assert_refused(&f, C1, "chip_orders[0]",
                   "quantity 5 trimmed to 3: cash left this tick is 1000 (credits 0)");
    cr_assert_eq(s_filled(&f, C1, FW_FILL_CHIP_PURCHASE, GPU), 3);
    cr_assert_eq(s_cash(&f, C1), 1000 - 900);
    s_close(&f);
}

Test(fw_stage_chips, buyers_outside_take_what_the_clouds_leave_of_open_families)
{
    stage_t f;
    s_open(&f, "market: {other_chip_demand: 500}\n");
    fw_chip_offer_in_t vo[] = {{GPU, "gpu", 100, 10}, {TPU, "tpu", 50, 10}};
    fw_chip_order_in_t co[] = {{GPU, "gpu", 3, 0}};
    f.orders[V] = ORDERS(LIST(chip_offers, vo));
    f.orders[C1] = ORDERS(LIST(chip_orders, co));
    s_begin(&f, 1);
    s_run(&f, fw_stage_chips);

    /* gpu is the only open family: the whole 500 buys 5 of the 7 left; tpu is captive. */
    cr_assert_eq(f.m->chip_offers[GPU].sold, 3 + 5);
    cr_assert_eq(f.m->chip_offers[TPU].sold, 0);
    cr_assert_eq(s_fill_amount(&f, V, FW_FILL_CHIP_SALE), 300 + 500);
    cr_assert_eq(s_moved(&f, V, FW_ACC_REVENUE), -800);
    cr_assert_eq(s_moved(&f, V, FW_ACC_EXPENSE), 80);
    cr_assert_eq(s_cash(&f, V), 1000 + 800 - 80);
    cr_assert_eq(s_cash(&f, C1), 1000 - 300, "nobody in the scenario pays for the outside's chips");
    s_close(&f);
}

/* ==== chips: depreciation ============================================================ */

/* One cloud and two families: gpu in service at once for 10 ticks, slow after 2 for 4. */
static const char *k_depreciation =
    "run: {name: depreciation, start: 2024-01, ticks: 12, seed: 1}\n"
    "families:\n"
    "  - {id: gpu, vendor: v, perf: 1.0, unit_cost: 10, price: 53, capacity: 10, lead_time: 0, life: 10}\n"
    "  - {id: slow, vendor: v, perf: 1.0, unit_cost: 10, price: 40, capacity: 10, lead_time: 2, life: 4}\n"
    "seats:\n"
    "  - {id: v, role: vendor, cash: 0}\n"
    "  - {id: c, role: hyperscaler, cash: 1000, base_revenue: 0, compute_price: 10}\n";

/* Capacity follows orders: gpu ordered at three times what can be made for 12 ticks,
 * tpu at half. Each tick's growth stays within capacity_growth (0 here) plus
 * capacity_surge_max and minus capacity_ease_max; the rationed family ends with more
 * capacity than it started with, the slack one with less. */
Test(fw_chips_grow, a_rationed_family_grows_faster_than_one_with_slack_and_both_are_bounded)
{
    stage_t f;
    s_open(&f, "market: {capacity_response: 0.05, capacity_surge_max: 0.03, capacity_ease_max: 0.02}\n");
    const double start_gpu = f.m->capacity[GPU], start_tpu = f.m->capacity[TPU];
    for (uint32_t t = 1; t <= 12; t++) {
        const double gpu = f.m->capacity[GPU], tpu = f.m->capacity[TPU];
        const int64_t make_gpu = (int64_t)floor(gpu), make_tpu = (int64_t)floor(tpu);
        fw_chip_offer_in_t vo[] = {{GPU, "gpu", 1, make_gpu}, {TPU, "tpu", 1, make_tpu}};
        fw_chip_order_in_t c1o[] = {{GPU, "gpu", 3 * make_gpu, 0}};
        fw_chip_order_in_t c2o[] = {{TPU, "tpu", make_tpu / 2, 0}};
        f.orders[V] = ORDERS(LIST(chip_offers, vo));
        f.orders[C1] = ORDERS(LIST(chip_orders, c1o));
        f.orders[C2] = ORDERS(LIST(chip_orders, c2o));
        s_begin(&f, t);
        s_run(&f, fw_stage_chips);
        cr_assert_eq(f.m->chip_offers[GPU].asked, 3 * make_gpu, "orders before rationing");
        cr_assert_eq(f.m->chip_offers[GPU].sold, make_gpu);
        s_end(&f);
        fw_chips_grow(f.m);
        cr_assert_leq(f.m->capacity[GPU], gpu * 1.03 * (1 + 1e-12), "tick %u: at most the surge", t);
        cr_assert_geq(f.m->capacity[GPU], gpu * 1.03 * (1 - 1e-12), "tick %u: 3x orders hit the surge", t);
        cr_assert_geq(f.m->capacity[TPU], tpu * 0.98 * (1 - 1e-12), "tick %u: at most the easing", t);
        cr_assert_lt(f.m->capacity[TPU], tpu, "tick %u: slack capacity shrinks", t);
    }
    cr_assert_gt(f.m->capacity[GPU] / start_gpu, 1.3);
    cr_assert_lt(f.m->capacity[TPU] / start_tpu, 1.0);
    s_close(&f);
}

/* capacity_response 0: capacity grows at capacity_growth whatever the orders. */
Test(fw_chips_grow, without_a_response_capacity_keeps_its_planned_growth)
{
    stage_t f;
    s_open(&f, "market: {capacity_response: 0}\n");
    fw_chip_offer_in_t vo[] = {{GPU, "gpu", 1, 10}};
    fw_chip_order_in_t c1o[] = {{GPU, "gpu", 30, 0}};
    f.orders[V] = ORDERS(LIST(chip_offers, vo));
    f.orders[C1] = ORDERS(LIST(chip_orders, c1o));
    s_begin(&f, 1);
    s_run(&f, fw_stage_chips);
    s_end(&f);
    fw_chips_grow(f.m);
    cr_assert_eq(f.m->capacity[GPU], 10.0);
    cr_assert_eq(f.m->capacity[TPU], 10.0, "no offer: the plan");
    s_close(&f);
}

/* Buys one chip of `family` at its list price in tick 1 and depreciates through tick
 * 12, writing what each tick took into dep[1..12]. */
static void s_buy_and_depreciate(stage_t *f, int family, const char *id, int64_t price,
                                 int64_t dep[13])
{
    fw_chip_offer_in_t vo[] = {{family, id, price, 10}};
    fw_chip_order_in_t co[] = {{family, id, 1, 0}};
    f->orders[0] = ORDERS(LIST(chip_offers, vo));
    f->orders[1] = ORDERS(LIST(chip_orders, co));
    s_begin(f, 1);
    s_run(f, fw_stage_chips);
    cr_assert_eq(s_bal(f, 1, FW_ACC_EQUIPMENT), price);
    for (uint32_t t = 1; t <= 12; t++) {
        if (t > 1)
            s_begin(f, t);
        s_run(f, fw_stage_depreciation);
        dep[t] = s_moved(f, 1, FW_ACC_EXPENSE);
        cr_assert_eq(s_moved(f, 1, FW_ACC_EQUIPMENT), (t == 1 ? price : 0) - dep[t],
                     "what the expense took, the equipment lost");
        s_end(f);
    }
}

Test(fw_stage_depreciation, is_straight_line_and_exact_in_integers)
{
    stage_t f;
    int64_t dep[13] = {0};
    s_open_text(&f, k_depreciation);
    s_buy_and_depreciate(&f, 0, "gpu", 53, dep);
    /* Each tick takes book / ticks left: 53/10, 48/9, ... the last ticks the remainder. */
    static const int64_t want[13] = {0, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 0, 0};
    cr_assert_arr_eq(dep, want, sizeof want);
    cr_assert_eq(s_bal(&f, 1, FW_ACC_EQUIPMENT), 0, "fully depreciated");
    cr_assert_eq(s_bal(&f, 1, FW_ACC_EXPENSE), 53, "the whole cost, no more");
    cr_assert_eq(f.m->seats[1].lots.n, 0, "the retired lot is gone");
    s_close(&f);
}

Test(fw_stage_depreciation, waits_for_delivery_and_retires_the_lot_after_its_life)
{
    stage_t f;
    int64_t dep[13] = {0};
    s_open_text(&f, k_depreciation);
    s_buy_and_depreciate(&f, 1, "slow", 40, dep);
    /* Bought at tick 1, in service from tick 3 through 6: nothing in transit. */
    static const int64_t want[13] = {0, 0, 0, 10, 10, 10, 10, 0, 0, 0, 0, 0, 0};
    cr_assert_arr_eq(dep, want, sizeof want);
    cr_assert_eq(s_bal(&f, 1, FW_ACC_EQUIPMENT), 0);
    cr_assert_eq(f.m->seats[1].lots.n, 0);
    s_close(&f);
}

/* ==== compute ========================================================================= */

Test(fw_stage_compute, a_sale_moves_quantity_times_price_from_lab_to_cloud)
{
    stage_t f;
    s_open(&f, NULL);
    fw_compute_offer_in_t co[] = {{GPU, "gpu", 10, 8}};
    fw_compute_bid_in_t lb[] = {{C1, GPU, "c1", "gpu", 5, 12}};
    f.orders[C1] = ORDERS(LIST(compute_offers, co));
    f.orders[L1] = ORDERS(LIST(compute_bids, lb));
    s_begin(&f, 1);
    s_run(&f, fw_stage_compute);

    cr_assert_eq(s_cash(&f, L1), 500 - 50);
    cr_assert_eq(s_moved(&f, L1, FW_ACC_EXPENSE), 50);
    cr_assert_eq(s_cash(&f, C1), 1000 + 50);
    cr_assert_eq(s_moved(&f, C1, FW_ACC_REVENUE), -50);
    cr_assert_eq(s_filled(&f, L1, FW_FILL_COMPUTE_PURCHASE, GPU), 5);
    cr_assert_eq(s_filled(&f, C1, FW_FILL_COMPUTE_SALE, GPU), 5);
    const fw_seat_state_t *lab = &f.m->seats[L1];
    cr_assert_eq(lab->compute_tick, 5);
    cr_assert_eq(lab->family_tick[GPU], 5);
    cr_assert_eq(lab->cloud_spend[C1], 50);
    cr_assert_eq(f.m->seats[C1].ai_revenue_tick, 50);
    cr_assert_eq(f.m->compute_offers[C1 * 2 + GPU].sold, 5);
    cr_assert_eq(f.m->compute_flows.n, 1);
    cr_assert_eq(s_rejections(&f, L1)->n, 0, "%s", s_refusals_text(&f, L1));
    s_close(&f);
}

Test(fw_stage_compute, an_oversubscribed_offer_is_rationed_pro_rata)
{
    stage_t f;
    s_open(&f, NULL);
    fw_compute_offer_in_t co[] = {{GPU, "gpu", 10, 8}};
    fw_compute_bid_in_t b1[] = {{C1, GPU, "c1", "gpu", 7, 0}};
    fw_compute_bid_in_t b2[] = {{C1, GPU, "c1", "gpu", 3, 0}};
    f.orders[C1] = ORDERS(LIST(compute_offers, co));
    f.orders[L1] = ORDERS(LIST(compute_bids, b1));
    f.orders[L2] = ORDERS(LIST(compute_bids, b2));
    s_begin(&f, 1);
    s_run(&f, fw_stage_compute);

    /* 8 over wants 7 and 3: quotas 5.6 and 2.4, the unit left to the larger remainder. */
    cr_assert_eq(s_filled(&f, L1, FW_FILL_COMPUTE_PURCHASE, GPU), 6);
    cr_assert_eq(s_filled(&f, L2, FW_FILL_COMPUTE_PURCHASE, GPU), 2);
    assert_refused(&f, L1, "compute_bids[0]", "c1 'gpu' oversubscribed: got 6 of 7");
    assert_refused(&f, L2, "compute_bids[0]", "c1 'gpu' oversubscribed: got 2 of 3");
    cr_assert_eq(s_cash(&f, L1), 500 - 60);
    cr_assert_eq(s_cash(&f, L2), 60 - 20);
    cr_assert_eq(s_cash(&f, C1), 1000 + 80);
    cr_assert_eq(f.m->seats[L1].bid_cloud[C1], 70, "what the lab asked for is kept for its stipulations");
    s_close(&f);
}

Test(fw_stage_compute, credits_are_spent_before_cash)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l1, amount: 1000, equity: 0.1, credits_left: 30}\n");
    cr_assert_eq(s_bal(&f, L1, FW_ACC_CREDITS), 30);
    cr_assert_eq(s_bal(&f, C1, FW_ACC_DEFERRED), -30);
    fw_compute_offer_in_t co[] = {{GPU, "gpu", 10, 8}};
    fw_compute_bid_in_t lb[] = {{C1, GPU, "c1", "gpu", 5, 0}};
    f.orders[C1] = ORDERS(LIST(compute_offers, co));
    f.orders[L1] = ORDERS(LIST(compute_bids, lb));
    s_begin(&f, 1);
    s_run(&f, fw_stage_compute);

    /* 5 x 10 = 50: the 30 of credits first, then 20 of cash. */
    cr_assert_eq(s_bal(&f, L1, FW_ACC_CREDITS), 0);
    cr_assert_eq(s_cash(&f, L1), 500 - 20);
    cr_assert_eq(s_moved(&f, L1, FW_ACC_EXPENSE), 50);
    cr_assert_eq(s_bal(&f, C1, FW_ACC_DEFERRED), 0, "the cloud served the credits it owed");
    cr_assert_eq(s_moved(&f, C1, FW_ACC_REVENUE), -50, "credits spent are the cloud's revenue");
    cr_assert_eq(s_cash(&f, C1), 1000 + 20);
    cr_assert_eq(s_fill_amount(&f, L1, FW_FILL_CREDITS_USED), 30);
    const fw_deal_t *d = fw_vec_at(&f.m->deals, 0);
    cr_assert_eq(d->credits_left, 0);
    cr_assert_eq(fm_deal_returned(f.m, d), 50, "the round trip counts the whole payment");
    cr_assert_eq(fm_paid(f.m, L1, C1)->returned, 50, "and so does the pair's");
    s_close(&f);
}

Test(fw_stage_compute, credits_count_towards_what_a_lab_can_afford_on_their_cloud_only)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l2, amount: 0, credits_left: 40}\n");
    fw_compute_offer_in_t c1o[] = {{GPU, "gpu", 10, 8}};
    fw_compute_offer_in_t c2o[] = {{TPU, "tpu", 10, 8}};
    fw_compute_bid_in_t lb[] = {
        {C2, TPU, "c2", "tpu", 7, 0}, /* cash only: 60 buys 6 */
        {C1, GPU, "c1", "gpu", 4, 0}, /* no cash left, but 40 of credits on c1 */
    };
    f.orders[C1] = ORDERS(LIST(compute_offers, c1o));
    f.orders[C2] = ORDERS(LIST(compute_offers, c2o));
    f.orders[L2] = ORDERS(LIST(compute_bids, lb));
    s_begin(&f, 1);
    s_run(&f, fw_stage_compute);

    assert_refused(&f, L2, "compute_bids[0]",
                   "quantity 7 trimmed to 6: cash left this tick is 60 (credits 0)");
    cr_assert_eq(s_rejections(&f, L2)->n, 1, "%s", s_refusals_text(&f, L2));
    cr_assert_eq(s_filled(&f, L2, FW_FILL_COMPUTE_PURCHASE, TPU), 6);
    cr_assert_eq(s_filled(&f, L2, FW_FILL_COMPUTE_PURCHASE, GPU), 4);
    cr_assert_eq(s_cash(&f, L2), 0);
    cr_assert_eq(s_bal(&f, L2, FW_ACC_CREDITS), 0);
    cr_assert_eq(s_cash(&f, C2), 1000 + 60);
    cr_assert_eq(s_cash(&f, C1), 1000, "c1 was paid in the credits it owed");
    cr_assert_eq(s_moved(&f, C1, FW_ACC_REVENUE), -40);
    s_close(&f);
}

Test(fw_stage_compute, bad_offers_and_bids_are_refused_with_reasons)
{
    stage_t f;
    s_open(&f, NULL);
    fw_compute_offer_in_t c1o[] = {
        {GPU, "gpu", 10, 100}, /* more than it has in service: trimmed */
        {GPU, "gpu", 9, 1},    /* a second offer */
        {-1, "asic", 10, 1},   /* no such family */
        {TPU, "tpu", 0, 1},    /* no price */
    };
    fw_compute_offer_in_t l1o[] = {{GPU, "gpu", 10, 1}}; /* labs do not sell compute */
    fw_compute_bid_in_t l1b[] = {
        {V, GPU, "v", "gpu", 1, 0},       /* a vendor is not a cloud */
        {-1, GPU, "zz", "gpu", 1, 0},     /* nor is nobody */
        {C1, -1, "c1", "asic", 1, 0},     /* no such family */
        {C2, TPU, "c2", "tpu", 1, 0},     /* c2 offers nothing */
        {C1, GPU, "c1", "gpu", 0, 0},     /* no quantity */
        {C1, GPU, "c1", "gpu", 2, 9},     /* max_price below the price */
        {C1, GPU, "c1", "gpu", 2, 10},    /* fine */
    };
    fw_compute_bid_in_t c2b[] = {{C1, GPU, "c1", "gpu", 1, 0}}; /* clouds do not buy */
    f.orders[C1] = ORDERS(LIST(compute_offers, c1o));
    f.orders[C2] = ORDERS(LIST(compute_bids, c2b));
    f.orders[L1] = ORDERS(LIST(compute_offers, l1o), LIST(compute_bids, l1b));
    s_begin(&f, 1);
    s_run(&f, fw_stage_compute);

    assert_refused(&f, C1, "compute_offers[0]", "capacity 100 trimmed to the 8 you have in service");
    assert_refused(&f, C1, "compute_offers[1]", "second offer for 'gpu' this tick");
    assert_refused(&f, C1, "compute_offers[2]", "unknown chip family 'asic'");
    assert_refused(&f, C1, "compute_offers[3]", "price must be > 0 and capacity >= 0");
    assert_refused(&f, L1, "compute_offers[0]", "only hyperscalers sell compute");
    assert_refused(&f, L1, "compute_bids[0]", "'v' is not a cloud");
    assert_refused(&f, L1, "compute_bids[1]", "'zz' is not a cloud");
    assert_refused(&f, L1, "compute_bids[2]", "unknown chip family 'asic'");
    assert_refused(&f, L1, "compute_bids[3]", "c2 offers no 'tpu' compute this tick");
    assert_refused(&f, L1, "compute_bids[4]", "quantity must be > 0");
    assert_refused(&f, L1, "compute_bids[5]", "price 10 is above your max_price 9");
    assert_refused(&f, C2, "compute_bids[0]", "only labs buy compute");
    cr_assert_eq(s_rejections(&f, C1)->n, 4, "%s", s_refusals_text(&f, C1));
    cr_assert_eq(s_rejections(&f, L1)->n, 7, "%s", s_refusals_text(&f, L1));
    cr_assert_eq(s_filled(&f, L1, FW_FILL_COMPUTE_PURCHASE, GPU), 2, "the one good bid");
    cr_assert_eq(s_cash(&f, L1), 500 - 20);
    s_close(&f);
}

/* ==== customers, base business, AI in own operations ================================== */

/* c1 sells `units` of gpu compute to l1 at 10 in tick 1. (The lists are static: the
 * orders point at them after this returns.) */
static void s_l1_buys(stage_t *f, int64_t units)
{
    static fw_compute_offer_in_t co[] = {{GPU, "gpu", 10, 8}};
    static fw_compute_bid_in_t lb[1];
    lb[0] = (fw_compute_bid_in_t){C1, GPU, "c1", "gpu", units, 0};
    f->orders[C1] = ORDERS(LIST(compute_offers, co));
    f->orders[L1] = ORDERS(LIST(compute_bids, lb));
    s_begin(f, 1);
    s_run(f, fw_stage_compute);
}

Test(fw_stage_customers, labs_earn_what_their_compute_can_serve)
{
    stage_t f;
    s_open(&f, NULL);
    s_l1_buys(&f, 5);
    double total = fw_customers_total_attract(f.m);
    cr_assert_float_eq(fw_customers_want(f.m, L1, total), 300.0, 1e-9, "half of 2 x 100 x 3");
    s_run(&f, fw_stage_customers);

    /* l1 wants 300 / 3 = 100 of compute and has 5: it earns 15 and loses the rest. */
    cr_assert_eq(s_moved(&f, L1, FW_ACC_REVENUE), -15);
    cr_assert_eq(s_cash(&f, L1), 500 - 50 + 15);
    cr_assert_eq(s_moved(&f, L2, FW_ACC_REVENUE), 0, "no compute, no sales");
    cr_assert_eq(f.m->seats[L1].demand_dollars, 300);
    cr_assert_float_eq(f.m->seats[L1].share, 1.0, 1e-12);
    cr_assert_float_eq(f.m->seats[L2].share, 0.0, 1e-12);
    s_close(&f);
}

Test(fw_stage_customers, compute_beyond_demand_trains_capability)
{
    stage_t f;
    s_open(&f, "market: {ai_spending: 30, training_scale: 1}\n");
    s_l1_buys(&f, 8);
    s_run(&f, fw_stage_customers);

    /* Wants 15, so 5 of compute serve it and 3 train: effective 3 x skill 0.6 x
     * maturity 1 = 1.8, capability (1 + 1.8 / 1)^0.3. */
    const fw_seat_state_t *l1 = &f.m->seats[L1];
    cr_assert_eq(s_moved(&f, L1, FW_ACC_REVENUE), -15);
    cr_assert_float_eq(l1->cum_train, 1.8, 1e-12);
    cr_assert_float_eq(l1->capability, pow(2.8, 0.3), 1e-12);
    cr_assert_float_eq(l1->skill[GPU], 1.0 - 0.4 * exp(-8.0 / 2e6), 1e-15);
    cr_assert_float_eq(f.m->cum_all[GPU], 8.0, 1e-12);
    cr_assert_float_eq(f.m->seats[L2].capability, 1.0, 1e-12, "l2 trained nothing");
    s_close(&f);
}

Test(fw_stage_base_business, books_revenue_and_costs_at_the_margin)
{
    stage_t f;
    s_open(&f, NULL);
    s_begin(&f, 1);
    s_run(&f, fw_stage_base_business);

    cr_assert_eq(s_moved(&f, C1, FW_ACC_REVENUE), -50);
    cr_assert_eq(s_moved(&f, C1, FW_ACC_EXPENSE), 35, "margin 0.3 by default");
    cr_assert_eq(s_cash(&f, C1), 1000 + 15);
    cr_assert_eq(s_moved(&f, C2, FW_ACC_REVENUE), -200);
    cr_assert_eq(s_moved(&f, C2, FW_ACC_EXPENSE), 150, "margin 0.25");
    cr_assert_eq(s_cash(&f, C2), 1000 + 50);
    cr_assert_eq(f.m->seats[C1].base_tick, 50);
    cr_assert_eq(f.m->seats[C2].base_tick, 200);
    cr_assert_eq(s_postings(&f), 2, "one posting per cloud, none for the others");
    s_close(&f);
}

Test(fw_stage_ai_operations, values_the_compute_a_cloud_did_not_sell)
{
    stage_t f;
    s_open(&f, NULL);
    s_l1_buys(&f, 5);
    s_run(&f, fw_stage_base_business);
    int64_t c1 = s_cash(&f, C1), c2 = s_cash(&f, C2);
    s_run(&f, fw_stage_ai_operations);

    /* c1 has 8 in service and sold 5: 0.1 x 1000 x (1 - e^(-3/4)) = 52.76, rounded to 53.
     * c2 puts no value on it (no ai_uplift). */
    cr_assert_eq(f.m->seats[C1].ai_ops_tick, 53);
    cr_assert_eq(s_cash(&f, C1), c1 + 53);
    cr_assert_eq(s_moved(&f, C1, FW_ACC_REVENUE), -50 - 50 - 53, "compute, base, AI ops");
    cr_assert_eq(f.m->seats[C2].ai_ops_tick, 0);
    cr_assert_eq(s_cash(&f, C2), c2);
    s_close(&f);
}

Test(fw_stage_ai_operations, saturates_with_compute_and_stays_below_the_business)
{
    /* The form itself: each more unit of compute adds less, and no amount of compute
     * makes it worth more than uplift x the business (here the whole business). */
    double last = 0, prev = 0, per_unit = 1e300;
    for (double own = 1; own <= 1e6; own *= 10) {
        double v = fw_ai_operations_value(0.1, 1000, own, 4);
        cr_assert_geq(v, last, "more compute is worth no less (own %g)", own);
        cr_assert_leq((v - last) / (own - prev), per_unit, "each unit adds no more (own %g)", own);
        cr_assert_leq(v, 100.0, "never above uplift x business");
        per_unit = (v - last) / (own - prev);
        last = v;
        prev = own;
    }
    cr_assert_float_eq(last, 100.0, 1e-9, "saturated: the whole uplift");
    cr_assert_leq(fw_ai_operations_value(1.0, 1000, 1e12, 1e-3), 1000.0);
    cr_assert_eq(fw_ai_operations_value(0.1, 1000, 0, 4), 0.0, "no compute, no value");
    cr_assert_eq(fw_ai_operations_value(0.1, 1000, -3, 4), 0.0, "oversold: no value");

    /* In the market: c1 sells nothing, so all 8 run its own AI: 100 x (1 - e^(-2)) =
     * 86.47 -> 86, more than the 53 of 3 unsold units but far from 8/3 times it. */
    stage_t f;
    s_open(&f, NULL);
    s_begin(&f, 1);
    s_run(&f, fw_stage_base_business);
    s_run(&f, fw_stage_ai_operations);
    cr_assert_eq(f.m->seats[C1].ai_ops_tick, 86);
    s_close(&f);
}

/* A company that owns compute for its own business (Meta): a hyperscaler that sells no
 * compute, whose own AI improves its base business. */
static const char *k_owner =
    "run: {name: owner, start: 2024-01, ticks: 12, seed: 1}\n"
    "families:\n"
    "  - {id: gpu, vendor: v, perf: 1.0, unit_cost: 10, price: 100, capacity: 10, lead_time: 2, life: 10}\n"
    "  - {id: tpu, vendor: v, perf: 2.0, unit_cost: 10, price: 50, capacity: 10, lead_time: 0, life: 10, captive_of: c2}\n"
    "seats:\n"
    "  - {id: v, role: vendor, cash: 1000}\n"
    "  - {id: c1, role: hyperscaler, cash: 1000, base_revenue: 200, compute_price: 10,\n"
    "     sells_compute: false, ai_uplift: 0.2, ai_saturation: 8, installed: {gpu: 8}}\n"
    "  - {id: c2, role: hyperscaler, cash: 1000, base_revenue: 200, compute_price: 10,\n"
    "     installed: {tpu: 4}}\n"
    "  - {id: l1, role: lab, cash: 500, demand: 100, revenue_per_compute: 3}\n"
    "  - {id: l2, role: lab, cash: 60, demand: 100, revenue_per_compute: 3}\n";

Test(fw_stage_ai_operations, an_owner_sells_no_compute_and_improves_its_base_business)
{
    stage_t f;
    s_open_text(&f, k_owner);
    fw_compute_offer_in_t offer[] = {{GPU, "gpu", 10, 8}};
    f.orders[C1] = ORDERS(LIST(compute_offers, offer));
    s_begin(&f, 1);
    s_run(&f, fw_stage_compute);
    cr_assert_eq(f.m->reports[C1].rejections.n, 1, "its offer is refused");
    cr_assert_eq(f.m->seats[C1].compute_tick, 0);
    s_run(&f, fw_stage_base_business);
    s_run(&f, fw_stage_ai_operations);
    /* 0.2 x its base business of 200 x (1 - e^(-8/8)) = 25.28 -> 25. */
    cr_assert_eq(f.m->seats[C1].base_tick, 200);
    cr_assert_eq(f.m->seats[C1].ai_ops_tick, 25);
    s_books(&f);
    s_close(&f);
}

/* ==== valuation ======================================================================== */

Test(fw_stage_valuation, companies_are_worth_a_multiple_of_annualised_revenue)
{
    stage_t f;
    s_open(&f, NULL);
    fw_chip_offer_in_t vo[] = {{GPU, "gpu", 100, 10}};
    fw_chip_order_in_t co[] = {{GPU, "gpu", 3, 0}};
    f.orders[V] = ORDERS(LIST(chip_offers, vo));
    f.orders[C1] = ORDERS(LIST(chip_orders, co));
    s_begin(&f, 1);
    s_run(&f, fw_stage_chips);
    s_run(&f, fw_stage_base_business);
    s_run(&f, fw_stage_valuations);

    const fw_seat_state_t *st = f.m->seats;
    cr_assert_eq(st[V].revenue_tick, 300);
    cr_assert_eq(st[V].cost_tick, 30);
    cr_assert_eq(st[V].valuation, 15 * 300 * 12, "vendors: 15 x annualised revenue");
    cr_assert_eq(st[C1].revenue_tick, 50);
    cr_assert_eq(st[C1].cost_tick, 35, "chips bought are equipment, not a cost");
    cr_assert_eq(st[C1].valuation, 8 * 50 * 12, "clouds: 8 x");
    cr_assert_eq(st[C2].valuation, 8 * 200 * 12);
    cr_assert_eq(st[L1].valuation, 5000, "no revenue: a lab is worth its last round");
    cr_assert_eq(st[L2].valuation, 0);
    cr_assert_eq(st[V].revenue_total, 300);
    s_close(&f);
}

Test(fw_stage_valuation, stakes_are_marked_to_market_through_revaluation)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l1, amount: 1000, equity: 0.1}\n");
    cr_assert_eq(s_bal(&f, C1, FW_ACC_STAKES), 500, "10%% of 5000 at the opening");
    s_l1_buys(&f, 8);
    s_run(&f, fw_stage_customers);
    s_run(&f, fw_stage_valuations);

    /* l1 serves 8 x 3 = 24 a tick: 25 x 288 = 7200 beats its last round of 5000. */
    cr_assert_eq(f.m->seats[L1].valuation, 7200);
    cr_assert_eq(s_bal(&f, C1, FW_ACC_STAKES), 720);
    cr_assert_eq(s_moved(&f, C1, FW_ACC_REVALUATION), -220, "a gain of 220");
    cr_assert_float_eq(s_fraction(&f, L1, C1), 0.1, 1e-12);
    s_close(&f);
}

Test(fw_stage_valuation, a_faltering_labs_last_round_fades)
{
    stage_t f;
    s_open(&f, NULL);
    s_begin(&f, 1);
    f.m->seats[L1].faltering = 1;
    s_run(&f, fw_stage_valuations);
    cr_assert_eq(f.m->seats[L1].last_round, 4750, "5%% a tick");
    cr_assert_eq(f.m->seats[L1].valuation, 4750);
    s_close(&f);
}

/* l1 buys `units` of c1's gpu compute in tick t, earns what they serve (3 each, up to
 * its customers' 300), and the tick's valuations are made. */
static void s_l1_tick(stage_t *f, uint32_t t, int64_t units)
{
    fw_compute_offer_in_t co[] = {{GPU, "gpu", 10, 8}};
    fw_compute_bid_in_t lb[] = {{C1, GPU, "c1", "gpu", units, 0}};
    f->orders[C1] = ORDERS(LIST(compute_offers, co));
    f->orders[L1] = ORDERS(LIST(compute_bids, lb));
    s_begin(f, t);
    s_run(f, fw_stage_compute);
    s_run(f, fw_stage_customers);
    s_run(f, fw_stage_valuations);
    s_end(f);
}

/* A multiple of 1 leaves l1 (last round 5000) on its mark: 12 x its revenue is less. */
Test(fw_stage_valuation, a_lab_whose_revenue_grows_is_marked_up_between_rounds)
{
    stage_t f;
    s_open(&f, "market: {lab_multiple: 1}\n");
    s_l1_tick(&f, 1, 4);
    cr_assert_eq(f.m->seats[L1].revenue_tick, 12);
    cr_assert_eq(f.m->seats[L1].valuation, 5000, "the round's base: 12 a tick");
    s_l1_tick(&f, 2, 8);
    cr_assert_eq(f.m->seats[L1].revenue_tick, 24);
    /* Revenue doubled this month: the level (a year's average, roughly) moves 1/12 of
     * the way, 12 -> 13, and the mark with it: 5000 x (13/12)^0.7. */
    cr_assert_eq(f.m->seats[L1].valuation, 5288);
    cr_assert_eq(f.m->seats[L1].last_round, 5000, "a mark is not a round");
    s_close(&f);
}

/* A month's dip does not set a round's base: the mark follows the level, so a round
 * priced after a dip is not multiplied by the next good month. */
Test(fw_stage_valuation, a_months_dip_barely_moves_the_mark)
{
    stage_t f;
    s_open(&f, "market: {lab_multiple: 1}\n");
    s_l1_tick(&f, 1, 8);
    int64_t before = f.m->seats[L1].valuation;
    s_l1_tick(&f, 2, 0); /* no compute, no revenue this month */
    cr_assert_eq(f.m->seats[L1].revenue_tick, 0);
    cr_assert_gt(f.m->seats[L1].valuation, before * 9 / 10, "%lld after %lld",
                 (long long)f.m->seats[L1].valuation, (long long)before);
    s_l1_tick(&f, 3, 8);
    cr_assert_gt(f.m->seats[L1].revenue_tick, 0);
    cr_assert_leq(f.m->seats[L1].valuation, before, "back: no higher than before the dip");
    s_close(&f);
}

Test(fw_stage_valuation, a_lab_whose_revenue_falls_is_marked_down_within_the_band)
{
    stage_t f;
    s_open(&f, "market: {lab_multiple: 1, valuation_band: 2}\n");
    s_l1_tick(&f, 1, 8);
    cr_assert_eq(f.m->seats[L1].valuation, 5000);
    int64_t base = f.m->seats[L1].revenue_tick;
    s_l1_tick(&f, 2, 4);
    /* Less revenue this month: the level moves 1/12 of the way down, and the mark
     * 5000 x (level / base)^0.7 with it. */
    double level = (double)base + ((double)f.m->seats[L1].revenue_tick - (double)base) / 12.0;
    cr_assert_eq(f.m->seats[L1].valuation, llround(5000.0 * pow(level / (double)base, 0.7)));
    cr_assert_lt(f.m->seats[L1].valuation, 5000);
    /* No revenue for a long while: the level sinks, the mark stops at 5000 / 2. */
    for (uint32_t t = 3; t <= 60; t++)
        s_l1_tick(&f, t, 0);
    cr_assert_eq(f.m->seats[L1].valuation, 2500, "no lower than 5000 / 2");
    s_close(&f);
}

Test(fw_stage_valuation, without_an_elasticity_a_lab_holds_its_last_round)
{
    stage_t f;
    s_open(&f, "market: {lab_multiple: 1, valuation_elasticity: 0}\n");
    s_l1_tick(&f, 1, 4);
    s_l1_tick(&f, 2, 8);
    cr_assert_eq(f.m->seats[L1].valuation, 5000);
    s_close(&f);
}

/* ==== deals: events =================================================================== */

Test(fw_stage_deals, events_fire_once_and_take_effect)
{
    stage_t f;
    s_open(&f, "events:\n"
               "  - {at: 2024-01, capability_shock: {lab: l1, factor: 2}}\n"
               "  - {at: 2024-01, supply_shock: {family: gpu, factor: 0.5, duration: 1}}\n"
               "  - {at: 2024-01, name: c1 backs l2, deal: {investor: c1, lab: l2, amount: 100}}\n");
    fw_chip_offer_in_t vo[] = {{GPU, "gpu", 100, 10}};
    f.orders[V] = ORDERS(LIST(chip_offers, vo));
    s_begin(&f, 1);
    fw_deals_fire_events(f.m, 1); /* again: nothing more happens */
    cr_assert_float_eq(f.m->seats[L1].capability, 2.0, 1e-12);
    cr_assert_eq(f.m->events_fired.n, 3);
    cr_assert(s_event(&f, "c1 backs l2"));
    cr_assert_eq(f.m->proposals.n, 1, "the scheduled deal waits for l2's answer");
    const fw_proposal_t *p = fw_vec_at(&f.m->proposals, 0);
    cr_assert(p->visible == 1 && p->expires == 1, "answered in its own tick");
    s_run(&f, fw_stage_chips);
    assert_refused(&f, V, "chip_offers[0]", "quantity 10 trimmed to capacity 5");
    s_end(&f);

    s_begin(&f, 2);
    cr_assert(s_event(&f, "supply of gpu back to normal"));
    cr_assert_float_eq(f.m->supply_factor[GPU], 1.0, 1e-12);
    cr_assert_eq(f.m->proposals.n, 0, "unanswered, the deal lapsed");
    s_close(&f);
}

Test(fw_stage_deals, a_scheduled_deal_is_paid_in_cash_when_policy_forbids_credits)
{
    stage_t f;
    s_open(&f, "events:\n"
               "  - {at: 2024-01, policy: {credits_allowed: false}}\n"
               "  - {at: 2024-01, name: c1 backs l2, deal: {investor: c1, lab: l2, amount: 100,\n"
               "     credit_fraction: 0.5}}\n");
    fw_answer_in_t la[] = {{.proposal_id = 1, .accept = 1}};
    fw_terms_t T = s_terms(C1, L1, 100);
    T.credit_fraction = 0.5;
    fw_proposal_in_t cp[] = {s_proposal(T)};
    f.orders[L2] = ORDERS(LIST(answers, la));
    f.orders[C1] = ORDERS(LIST(proposals, cp));
    s_begin(&f, 1);
    cr_assert_not(f.m->credits_allowed);
    s_run(&f, fw_stage_investments);

    cr_assert_eq(s_cash(&f, C1), 1000 - 100, "all of it in cash");
    cr_assert_eq(s_bal(&f, C1, FW_ACC_DEFERRED), 0);
    cr_assert_eq(s_cash(&f, L2), 60 + 100);
    cr_assert_eq(s_bal(&f, L2, FW_ACC_CREDITS), 0);
    cr_assert(s_event(&f, "signed: c1 backs l2"));
    assert_refused(&f, C1, "proposals[0]", "credits are not allowed (policy)");
    s_close(&f);
}

/* ==== deals: investments ================================================================ */

Test(fw_stage_deals, an_accepted_proposal_pays_cash_and_credits_for_equity)
{
    stage_t f;
    s_open(&f, NULL);
    fw_terms_t T = s_terms(C1, L1, 1000);
    T.credit_fraction = 0.5;
    T.valuation = 10000;
    fw_proposal_in_t cp[] = {s_proposal(T)};
    f.orders[C1] = ORDERS(LIST(proposals, cp));
    s_begin(&f, 1);
    s_run(&f, fw_stage_investments);
    cr_assert_eq(s_postings(&f), 0, "a proposal moves no money");
    cr_assert_eq(f.m->proposals.n, 1);
    const fw_proposal_t *p = fw_vec_at(&f.m->proposals, 0);
    cr_assert(p->visible == 2 && p->expires == 2, "the lab answers next tick");
    cr_assert_str_eq(p->name, "c1 invests $1000 in l1");
    uint64_t id = p->id;
    s_end(&f);

    fw_answer_in_t la[] = {{.proposal_id = id, .accept = 1}};
    f.orders[L1] = ORDERS(LIST(answers, la));
    s_begin(&f, 2);
    s_run(&f, fw_stage_investments);

    /* 1000 at 10000 post-money: half cash, half credits on c1, for 10%. */
    cr_assert_eq(s_cash(&f, C1), 1000 - 500);
    cr_assert_eq(s_bal(&f, C1, FW_ACC_DEFERRED), -500, "c1 owes 500 of compute");
    cr_assert_eq(s_moved(&f, C1, FW_ACC_STAKES), 1000);
    cr_assert_eq(s_cash(&f, L1), 500 + 500);
    cr_assert_eq(s_bal(&f, L1, FW_ACC_CREDITS), 500);
    cr_assert_eq(s_moved(&f, L1, FW_ACC_CAPITAL), -1000);
    cr_assert_float_eq(s_fraction(&f, L1, C1), 0.1, 1e-12);
    cr_assert_float_eq(s_fraction(&f, L1, -1), 0.9, 1e-12, "the founders are diluted");
    cr_assert_eq(f.m->seats[L1].last_round, 10000);
    cr_assert_eq(f.m->seats[L1].valuation, 10000);
    cr_assert_eq(s_fill_amount(&f, L1, FW_FILL_INVESTMENT), 1000);
    cr_assert_eq(s_fill_amount(&f, C1, FW_FILL_INVESTMENT), 1000);
    cr_assert_eq(f.m->proposals.n, 0);
    cr_assert_eq(f.m->deals.n, 1);
    const fw_deal_t *d = fw_vec_at(&f.m->deals, 0);
    cr_assert(d->signed_tick == 2 && d->ends == 14 && d->credits_left == 500);
    cr_assert_eq(fm_paid(f.m, L1, C1)->invested, 1000);
    cr_assert(s_event(&f, "signed: c1 invests $1000 in l1"));
    s_close(&f);
}

Test(fw_stage_deals, answers_to_no_waiting_proposal_are_refused_and_a_decline_is_reported)
{
    stage_t f;
    s_open(&f, NULL);
    fw_proposal_in_t cp[] = {s_proposal(s_terms(C1, L1, 100))};
    f.orders[C1] = ORDERS(LIST(proposals, cp));
    s_begin(&f, 1);
    s_run(&f, fw_stage_investments);
    uint64_t id = ((const fw_proposal_t *)fw_vec_at(&f.m->proposals, 0))->id;
    s_end(&f);

    fw_answer_in_t l2a[] = {{.proposal_id = id, .accept = 1}}; /* not l2's to answer */
    fw_answer_in_t l1a[] = {{.proposal_id = id + 99, .accept = 1}, /* no such proposal */
                            {.proposal_id = id, .accept = 0}};     /* then no */
    f.orders[L1] = ORDERS(LIST(answers, l1a));
    f.orders[L2] = ORDERS(LIST(answers, l2a));
    s_begin(&f, 2);
    s_run(&f, fw_stage_investments);

    char want[64];
    snprintf(want, sizeof want, "no proposal %llu is waiting for you", (unsigned long long)id);
    assert_refused(&f, L2, "answers[0]", want);
    snprintf(want, sizeof want, "no proposal %llu is waiting for you", (unsigned long long)id + 99);
    assert_refused(&f, L1, "answers[0]", want);
    snprintf(want, sizeof want, "l1 declined proposal %llu", (unsigned long long)id);
    assert_refused(&f, C1, "proposals[0]", want);
    cr_assert_eq(f.m->proposals.n, 0, "a declined proposal is gone");
    cr_assert_eq(f.m->deals.n, 0);
    cr_assert_eq(s_postings(&f), 0);
    s_close(&f);
}

Test(fw_stage_deals, bad_proposal_terms_are_refused_with_reasons)
{
    stage_t f;
    s_open(&f, NULL);
    fw_terms_t no_lab = s_terms(C1, -1, 100), zero = s_terms(C1, L1, 0),
               rich = s_terms(C1, L1, 2000), fine = s_terms(C1, L1, 100);
    fw_proposal_in_t c1p[] = {
        s_proposal(no_lab), {.lab = L1, .has_terms = 0, .terms = fine}, s_proposal(zero),
        s_proposal(rich), s_proposal(fine), /* a fifth */
    };
    fw_terms_t share = s_terms(C2, L1, 100), fam = s_terms(C2, L1, 100),
               nofam = s_terms(C2, L1, 100), cheap = s_terms(C2, L1, 100);
    share.credit_fraction = 1.5;
    nofam.min_chip_share = 0.5;
    cheap.valuation = 50;
    fw_proposal_in_t c2p[] = {
        s_proposal(share),
        {.lab = L1, .has_terms = 1, .family_named = 1, .terms = fam}, /* named, unknown */
        s_proposal(nofam), s_proposal(cheap),
    };
    fw_terms_t credit = s_terms(V, L1, 100), excl = s_terms(V, L1, 100),
               forever = s_terms(V, L1, 100), neg = s_terms(V, L1, 100);
    credit.credit_fraction = 0.5;
    excl.exclusive = true;
    forever.duration = 0;
    neg.penalty = -1;
    fw_proposal_in_t vp[] = {s_proposal(credit), s_proposal(excl), s_proposal(forever),
                             s_proposal(neg)};
    fw_proposal_in_t l1p[] = {s_proposal(s_terms(L1, L2, 10))};
    f.orders[C1] = ORDERS(LIST(proposals, c1p));
    f.orders[C2] = ORDERS(LIST(proposals, c2p));
    f.orders[V] = ORDERS(LIST(proposals, vp));
    f.orders[L1] = ORDERS(LIST(proposals, l1p));
    s_begin(&f, 1);
    s_run(&f, fw_stage_investments);

    assert_refused(&f, C1, "proposals[0]", "no such lab");
    assert_refused(&f, C1, "proposals[1]", "no terms");
    assert_refused(&f, C1, "proposals[2]", "amount must be > 0");
    assert_refused(&f, C1, "proposals[3]", "amount is more than your cash");
    assert_refused(&f, C1, "proposals[4]", "at most 4 proposals a tick");
    assert_refused(&f, C2, "proposals[0]", "shares and fractions must be in [0, 1]");
    assert_refused(&f, C2, "proposals[1]", "unknown chip family");
    assert_refused(&f, C2, "proposals[2]", "min_chip_share needs a chip_family");
    assert_refused(&f, C2, "proposals[3]", "valuation must be 0 or at least the amount");
    assert_refused(&f, V, "proposals[0]", "only a cloud can pay in credits");
    assert_refused(&f, V, "proposals[1]", "only a cloud can ask for a share of compute");
    assert_refused(&f, V, "proposals[2]", "duration must be 1 to 1200 ticks");
    assert_refused(&f, V, "proposals[3]", "penalty must be >= 0");
    assert_refused(&f, L1, "proposals[0]", "only clouds and chip vendors invest in labs");
    cr_assert_eq(f.m->proposals.n, 0, "none reaches a lab");
    cr_assert_eq(s_postings(&f), 0);
    s_close(&f);
}

Test(fw_stage_deals, an_investor_who_cannot_pay_fails_the_deal_for_both)
{
    stage_t f;
    s_open(&f, NULL);
    /* c1 offers all its 1000, then spends 300 of it on chips in the same tick. */
    fw_proposal_in_t cp[] = {s_proposal(s_terms(C1, L1, 1000))};
    fw_chip_offer_in_t vo[] = {{GPU, "gpu", 100, 10}};
    fw_chip_order_in_t co[] = {{GPU, "gpu", 3, 0}};
    f.orders[C1] = ORDERS(LIST(proposals, cp), LIST(chip_orders, co));
    f.orders[V] = ORDERS(LIST(chip_offers, vo));
    s_begin(&f, 1);
    s_run(&f, fw_stage_investments);
    s_run(&f, fw_stage_chips);
    uint64_t id = ((const fw_proposal_t *)fw_vec_at(&f.m->proposals, 0))->id;
    s_end(&f);

    fw_answer_in_t la[] = {{.proposal_id = id, .accept = 1}};
    f.orders[L1] = ORDERS(LIST(answers, la));
    s_begin(&f, 2);
    s_run(&f, fw_stage_investments);
    assert_refused(&f, L1, "answers[0]", "deal failed: c1 cannot pay 1000 in cash");
    assert_refused(&f, C1, "proposals[0]", "deal failed: c1 cannot pay 1000 in cash");
    cr_assert_eq(s_postings(&f), 0);
    cr_assert_eq(f.m->deals.n, 0);
    cr_assert_eq(s_cash(&f, C1), 700);
    s_close(&f);
}

Test(fw_stage_deals, terms_that_clash_with_an_exclusive_deal_are_refused)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c2, lab: l1, amount: 0, exclusive: true}\n");
    fw_terms_t T = s_terms(C1, L1, 100);
    T.min_cloud_share = 0.3;
    fw_proposal_in_t cp[] = {s_proposal(T)};
    f.orders[C1] = ORDERS(LIST(proposals, cp));
    s_begin(&f, 1);
    s_run(&f, fw_stage_investments);
    uint64_t id = ((const fw_proposal_t *)fw_vec_at(&f.m->proposals, 0))->id;
    s_end(&f);

    fw_answer_in_t la[] = {{.proposal_id = id, .accept = 1}};
    f.orders[L1] = ORDERS(LIST(answers, la));
    s_begin(&f, 2);
    s_run(&f, fw_stage_investments);
    assert_refused(&f, L1, "answers[0]", "conflicts with the exclusive terms of deal 1 with c2");
    cr_assert_eq(f.m->deals.n, 1, "only the exclusive deal");
    cr_assert_eq(s_postings(&f), 0);
    s_close(&f);
}

/* c1 proposes 100 to l1 with half in credits and a 0.4 share of spend on its cloud,
 * each negotiable by `slack` of itself; l1 answers with `answer` next tick. */
static void s_negotiate(stage_t *f, double slack, fw_answer_in_t answer)
{
    fw_terms_t T = s_terms(C1, L1, 100);
    T.credit_fraction = 0.5;
    T.min_cloud_share = 0.4;
    T.credit_fraction_slack = slack * 0.5;
    T.cloud_share_slack = slack * 0.4;
    fw_proposal_in_t cp[] = {s_proposal(T)};
    f->orders[C1] = ORDERS(LIST(proposals, cp));
    s_begin(f, 1);
    s_run(f, fw_stage_investments);
    cr_assert_eq(f->m->proposals.n, 1, "%s", s_refusals_text(f, C1));
    answer.proposal_id = ((const fw_proposal_t *)fw_vec_at(&f->m->proposals, 0))->id;
    s_end(f);
    static fw_answer_in_t la[1];
    la[0] = answer;
    f->orders[L1] = ORDERS(LIST(answers, la));
    s_begin(f, 2);
    s_run(f, fw_stage_investments);
}

Test(fw_stage_deals, a_lab_takes_a_deal_on_terms_within_the_slack)
{
    stage_t f;
    s_open(&f, NULL);
    s_negotiate(&f, 0.5, (fw_answer_in_t){.accept = 1, .counter = 1, .credit_fraction = 0.25,
                                          .min_cloud_share = 0.3});
    cr_assert_eq(s_rejections(&f, L1)->n, 0, "%s", s_refusals_text(&f, L1));
    cr_assert_eq(f.m->deals.n, 1);
    const fw_deal_t *d = fw_vec_at(&f.m->deals, 0);
    cr_assert_float_eq(d->terms.credit_fraction, 0.25, 1e-12);
    cr_assert_float_eq(d->terms.min_cloud_share, 0.3, 1e-12);
    cr_assert_eq(d->terms.cloud_share_slack, 0.0, "signed terms carry no slack");
    /* A quarter in credits: 25 of credits, 75 of cash. */
    cr_assert_eq(s_bal(&f, L1, FW_ACC_CREDITS), 25);
    cr_assert_eq(s_moved(&f, C1, FW_ACC_CASH), -75);
    s_close(&f);
}

Test(fw_stage_deals, a_counter_outside_the_slack_is_refused_and_signs_nothing)
{
    const fw_answer_in_t answers[] = {
        /* below the floor: 0.5 - 0.25 = 0.25 is the least in credits */
        {.accept = 1, .counter = 1, .credit_fraction = 0.2, .min_cloud_share = 0.4},
        /* above what was proposed */
        {.accept = 1, .counter = 1, .credit_fraction = 0.5, .min_cloud_share = 0.5},
        /* a mandate share where none was asked */
        {.accept = 1, .counter = 1, .credit_fraction = 0.5, .min_cloud_share = 0.4,
         .min_chip_share = 0.1},
    };
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        stage_t f;
        s_open(&f, NULL);
        s_negotiate(&f, 0.5, answers[i]);
        assert_refused(&f, L1, "answers[0]", "counter terms outside the proposal's slack");
        assert_refused(&f, C1, "proposals[0]", "l1 countered proposal 1 outside its slack");
        cr_assert_eq(f.m->deals.n, 0);
        cr_assert_eq(s_postings(&f), 0);
        s_close(&f);
    }
    /* With no slack, only the terms as proposed. */
    stage_t f;
    s_open(&f, NULL);
    s_negotiate(&f, 0.0, (fw_answer_in_t){.accept = 1, .counter = 1, .credit_fraction = 0.4,
                                          .min_cloud_share = 0.4});
    assert_refused(&f, L1, "answers[0]", "counter terms outside the proposal's slack");
    s_close(&f);
}

Test(fw_stage_deals, a_slack_larger_than_its_term_is_refused)
{
    stage_t f;
    s_open(&f, NULL);
    fw_terms_t T = s_terms(C1, L1, 100);
    T.min_cloud_share = 0.2;
    T.cloud_share_slack = 0.3;
    fw_proposal_in_t cp[] = {s_proposal(T)};
    f.orders[C1] = ORDERS(LIST(proposals, cp));
    s_begin(&f, 1);
    s_run(&f, fw_stage_investments);
    assert_refused(&f, C1, "proposals[0]", "each slack must be in [0, its term]");
    cr_assert_eq(f.m->proposals.n, 0);
    s_close(&f);
}

/* ==== deals: stipulations ================================================================ */

/* Tick t: c1 offers `c1_cap` of gpu and c2 8 of tpu at 10; `lab` bids on_c1 and on_c2
 * (0: no bid). The lists are static: the orders point at them after this returns. */
static void s_buy_compute(stage_t *f, uint32_t t, int lab, int64_t c1_cap, int64_t on_c1,
                          int64_t on_c2)
{
    static fw_compute_offer_in_t c1o[1], c2o[1];
    static fw_compute_bid_in_t lb[2];
    c1o[0] = (fw_compute_offer_in_t){GPU, "gpu", 10, c1_cap};
    c2o[0] = (fw_compute_offer_in_t){TPU, "tpu", 10, 8};
    size_t n = 0;
    if (on_c1)
        lb[n++] = (fw_compute_bid_in_t){C1, GPU, "c1", "gpu", on_c1, 0};
    if (on_c2)
        lb[n++] = (fw_compute_bid_in_t){C2, TPU, "c2", "tpu", on_c2, 0};
    f->orders[C1] = ORDERS(LIST(compute_offers, c1o));
    f->orders[C2] = ORDERS(LIST(compute_offers, c2o));
    f->orders[lab] = ORDERS(.n_compute_bids = n, .compute_bids = lb);
    s_begin(f, t);
    s_run(f, fw_stage_compute);
}

Test(fw_stage_stipulations, a_breach_costs_the_lab_its_penalty_once)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l1, amount: 0, exclusive: true, penalty: 100}\n");
    s_buy_compute(&f, 1, L1, 8, 0, 5); /* all on c2, while c1 had compute to sell */
    s_run(&f, fw_stage_stipulations);

    cr_assert_eq(s_cash(&f, L1), 500 - 50 - 100);
    cr_assert_eq(s_moved(&f, L1, FW_ACC_EXPENSE), 50 + 100);
    cr_assert_eq(s_cash(&f, C1), 1000 + 100);
    cr_assert_eq(s_moved(&f, C1, FW_ACC_REVENUE), -100);
    cr_assert_eq(s_fill_amount(&f, L1, FW_FILL_PENALTY), 100);
    cr_assert_eq(s_fill_amount(&f, C1, FW_FILL_PENALTY), 100);
    const fw_deal_t *d = fw_vec_at(&f.m->deals, 0);
    cr_assert(d->breached && !d->compliant);
    cr_assert_not(f.m->seats[L1].compliant);
    cr_assert(s_event(&f, "l1 breached deal 1 with c1"));
    cr_assert(s_event(&f, "penalty $100"));
    s_end(&f);

    s_buy_compute(&f, 2, L1, 8, 0, 5);
    s_run(&f, fw_stage_stipulations);
    cr_assert_eq(s_moved(&f, L1, FW_ACC_CASH), -50, "the stipulations ended with the breach");
    cr_assert_eq(s_fill_amount(&f, L1, FW_FILL_PENALTY), 0);
    s_close(&f);
}

Test(fw_stage_stipulations, a_penalty_takes_no_more_than_the_labs_cash)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l2, amount: 0, exclusive: true, penalty: 1000}\n");
    s_buy_compute(&f, 1, L2, 8, 0, 2); /* 20 of its 60 on c2 */
    s_run(&f, fw_stage_stipulations);
    cr_assert_eq(s_cash(&f, L2), 0);
    cr_assert_eq(s_cash(&f, C1), 1000 + 40);
    cr_assert_eq(s_fill_amount(&f, L2, FW_FILL_PENALTY), 40);
    s_close(&f);
}

Test(fw_stage_stipulations, a_chip_mandate_is_owed_to_the_vendor)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: v, lab: l1, amount: 0, chip_family: tpu, min_chip_share: 0.5,\n"
               "     penalty: 100}\n");
    s_buy_compute(&f, 1, L1, 8, 5, 0); /* all on gpu, while tpu was on offer */
    s_run(&f, fw_stage_stipulations);
    cr_assert_eq(s_cash(&f, V), 1000 + 100);
    cr_assert_eq(s_cash(&f, L1), 500 - 50 - 100);
    cr_assert(s_event(&f, "chip share 0%"));
    s_close(&f);
}

Test(fw_stage_stipulations, a_lab_is_not_in_breach_for_what_its_investor_could_not_deliver)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l1, amount: 0, min_cloud_share: 0.8, penalty: 100}\n");
    /* l1 asks c1 for 8 of its 10 (80%), but c1 has only 2 on offer: it gets 2 of 4. */
    s_buy_compute(&f, 1, L1, 2, 8, 2);
    cr_assert_eq(f.m->seats[L1].cloud_spend[C1], 20);
    cr_assert_eq(f.m->seats[L1].spend_tick, 40);
    s_run(&f, fw_stage_stipulations);
    cr_assert_eq(s_fill_amount(&f, L1, FW_FILL_PENALTY), 0);
    cr_assert(f.m->seats[L1].compliant);
    cr_assert_eq(s_cash(&f, L1), 500 - 40);
    s_close(&f);
}

/* docs/model.md: "A breach costs the penalty (at most the lab's cash)", whoever the
 * investor; investors outside the scenario are paid out of it. */
Test(fw_stage_stipulations, a_penalty_owed_to_outside_investors_leaves_the_scenario)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: outside, lab: l1, amount: 0, chip_family: tpu,\n"
               "     min_chip_share: 0.5, penalty: 100}\n");
    s_buy_compute(&f, 1, L1, 8, 5, 0); /* all on gpu, while tpu was on offer */
    s_run(&f, fw_stage_stipulations);
    cr_assert(s_event(&f, "l1 breached deal 1 with outside"));
    cr_assert(s_event(&f, "penalty $100"));
    cr_assert_eq(s_cash(&f, L1), 500 - 50 - 100, "the lab pays the penalty its event announces");
    cr_assert_eq(s_moved(&f, L1, FW_ACC_EXPENSE), 50 + 100);
    cr_assert_eq(s_fill_amount(&f, L1, FW_FILL_PENALTY), 100);
    s_close(&f);
}

/* ---- take-or-pay ------------------------------------------------------------------- */

/* docs/model.md, Stipulations: a deal's min_spend is owed to the investor's cloud every
 * tick of the deal; what the lab spent there counts, the rest is paid in cash. */
Test(fw_stage_stipulations, a_lab_that_spends_less_than_its_min_spend_pays_the_shortfall)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l1, amount: 0, min_spend: 80}\n");
    s_buy_compute(&f, 1, L1, 8, 5, 0); /* 50 on c1 */
    s_run(&f, fw_stage_stipulations);
    cr_assert_eq(s_cash(&f, L1), 500 - 50 - 30, "30 short of 80");
    cr_assert_eq(s_moved(&f, L1, FW_ACC_EXPENSE), 80);
    cr_assert_eq(s_cash(&f, C1), 1000 + 50 + 30);
    cr_assert_eq(s_moved(&f, C1, FW_ACC_REVENUE), -80, "the compute and the shortfall");
    cr_assert_eq(s_fill_amount(&f, L1, FW_FILL_TAKE_OR_PAY), 30);
    cr_assert_eq(s_fill_amount(&f, C1, FW_FILL_TAKE_OR_PAY), 30);
    cr_assert_eq(f.m->seats[L1].unpaid_tick, 0);
    cr_assert(f.m->seats[L1].compliant, "a shortfall paid is no breach");
    s_close(&f);
}

Test(fw_stage_stipulations, spending_the_min_spend_on_its_cloud_pays_nothing_more)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l1, amount: 0, min_spend: 40}\n");
    s_buy_compute(&f, 1, L1, 8, 5, 0); /* 50 on c1: more than owed */
    s_run(&f, fw_stage_stipulations);
    cr_assert_eq(s_cash(&f, L1), 500 - 50);
    cr_assert_eq(s_fill_amount(&f, L1, FW_FILL_TAKE_OR_PAY), 0);
    s_end(&f);

    /* Compute bought on another cloud does not count towards c1's. */
    s_buy_compute(&f, 2, L1, 8, 0, 5);
    s_run(&f, fw_stage_stipulations);
    cr_assert_eq(s_moved(&f, L1, FW_ACC_CASH), -50 - 40);
    cr_assert_eq(s_moved(&f, C1, FW_ACC_CASH), 40);
    s_close(&f);
}

Test(fw_stage_stipulations, contracts_with_one_cloud_add_up)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l1, amount: 0, min_spend: 30}\n"
               "  - {investor: c1, lab: l1, amount: 0, min_spend: 50, min_cloud_share: 0.5}\n");
    s_buy_compute(&f, 1, L1, 8, 5, 0);
    s_run(&f, fw_stage_stipulations);
    cr_assert_eq(s_fill_amount(&f, L1, FW_FILL_TAKE_OR_PAY), 30 + 50 - 50);
    s_close(&f);
}

Test(fw_stage_stipulations, the_obligation_ends_with_the_deal)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l1, amount: 0, min_spend: 80, until: 2024-01}\n");
    s_buy_compute(&f, 1, L1, 8, 0, 0);
    s_run(&f, fw_stage_stipulations);
    cr_assert_eq(s_fill_amount(&f, L1, FW_FILL_TAKE_OR_PAY), 80, "tick 1 is the deal's last");
    s_end(&f);
    s_buy_compute(&f, 2, L1, 8, 0, 0);
    s_run(&f, fw_stage_stipulations);
    cr_assert_eq(s_fill_amount(&f, L1, FW_FILL_TAKE_OR_PAY), 0, "over in tick 2");
    cr_assert_eq(s_moved(&f, L1, FW_ACC_CASH), 0);
    s_close(&f);
}

/* docs/model.md, Stipulations and Solvency: a lab that cannot cover what it owes pays
 * what it can, and falters. */
Test(fw_stage_stipulations, a_lab_that_cannot_cover_its_min_spend_pays_what_it_has_and_falters)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l2, amount: 0, min_spend: 1000}\n");
    s_buy_compute(&f, 1, L2, 8, 0, 2); /* 20 of its 60 on c2 */
    s_run(&f, fw_stage_stipulations);
    cr_assert_eq(s_cash(&f, L2), 0);
    cr_assert_eq(s_cash(&f, C1), 1000 + 40);
    cr_assert_eq(s_fill_amount(&f, L2, FW_FILL_TAKE_OR_PAY), 40);
    cr_assert_eq(f.m->seats[L2].unpaid_tick, 1000 - 40);
    s_run(&f, fw_stage_solvency);
    cr_assert(f.m->seats[L2].faltering, "it owes 960 it could not pay, and no investor");
    cr_assert_not(f.m->seats[L1].faltering);
    cr_assert(s_event(&f, "l2 falters"));
    s_close(&f);
}

/* What a lab can pay is its cash beyond one tick of its customers' spending: it keeps
 * the working capital to serve them. */
Test(fw_stage_stipulations, a_lab_keeps_a_tick_of_its_customers_spending)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l1, amount: 0, min_spend: 1000}\n");
    s_l1_buys(&f, 5); /* 50 on c1 */
    s_run(&f, fw_stage_customers); /* earns 15; its customers would spend 300 */
    s_run(&f, fw_stage_stipulations);
    cr_assert_eq(s_fill_amount(&f, L1, FW_FILL_TAKE_OR_PAY), 500 - 50 + 15 - 300);
    cr_assert_eq(s_cash(&f, L1), 300);
    cr_assert_eq(f.m->seats[L1].unpaid_tick, 1000 - 50 - 165);
    s_run(&f, fw_stage_solvency);
    cr_assert(f.m->seats[L1].faltering, "300 in cash, but 785 owed and unpaid");
    s_close(&f);
}

/* ---- solvency ------------------------------------------------------------------------ */

Test(fw_stage_solvency, a_lab_falters_when_its_cash_would_not_last_another_tick)
{
    stage_t f;
    s_open(&f, NULL);
    s_buy_compute(&f, 1, L2, 8, 0, 6); /* all of its 60 */
    s_run(&f, fw_stage_customers);     /* 18 back from its customers */
    s_run(&f, fw_stage_solvency);
    cr_assert_eq(s_cash(&f, L2), 18);
    cr_assert(f.m->seats[L2].faltering, "18 left after a tick that took 42");
    s_close(&f);
}

Test(fw_stage_solvency, a_lab_that_burns_less_than_its_cash_does_not_falter)
{
    stage_t f;
    s_open(&f, NULL);
    s_buy_compute(&f, 1, L2, 8, 0, 2); /* 20 of its 60 */
    s_run(&f, fw_stage_customers);     /* 6 back */
    s_run(&f, fw_stage_solvency);
    cr_assert_eq(s_cash(&f, L2), 46);
    cr_assert_not(f.m->seats[L2].faltering, "46 in cash against a burn of 14: not out of cash, "
                                            "though less than a tick of its customers' 300");
    s_close(&f);
}

Test(fw_stage_solvency, a_deal_in_the_last_three_ticks_keeps_a_lab_going)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l2, amount: 0, min_spend: 1000}\n");
    f.m->seats[L2].last_deal = 1;
    s_buy_compute(&f, 4, L2, 8, 0, 0);
    s_run(&f, fw_stage_stipulations);
    s_run(&f, fw_stage_solvency);
    cr_assert_not(f.m->seats[L2].faltering, "an investor stepped in at tick 1");
    s_end(&f);
    s_buy_compute(&f, 5, L2, 8, 0, 0);
    s_run(&f, fw_stage_stipulations);
    s_run(&f, fw_stage_solvency);
    cr_assert(f.m->seats[L2].faltering, "four ticks on, it owes what it cannot pay");
    s_close(&f);
}

/* ---- skills -------------------------------------------------------------------------- */

/* A family's software progress since the start narrows every lab's gap in skill on it,
 * by skill_spillover, whether or not the lab ever ran there; a family mature from the
 * start spills nothing. */
Test(stages, a_maturing_family_lifts_every_labs_skill_on_it)
{
    static const char *text =
        "run: {name: skills, start: 2024-01, ticks: 12, seed: 1}\n"
        "market: {skill_spillover: %s}\n"
        "families:\n"
        "  - {id: gpu, vendor: v, perf: 1.0, unit_cost: 10, price: 100, capacity: 10}\n"
        "  - {id: asic, vendor: v, perf: 1.0, unit_cost: 10, price: 50, capacity: 10, maturity: 0.4}\n"
        "seats:\n"
        "  - {id: v, role: vendor, cash: 1000}\n"
        "  - {id: c, role: hyperscaler, cash: 1000, base_revenue: 50, compute_price: 10}\n"
        "  - {id: l, role: lab, cash: 500, demand: 100, revenue_per_compute: 3,\n"
        "     skill: {gpu: 0.7}}\n";
    const double spill[] = {0.5, 0.0, 1.0};
    const double want_mature[] = {0.8, 0.6, 1.0}; /* 1 - 0.4 x (1 - spill) */
    for (size_t i = 0; i < 3; i++) {
        char yaml[2048], num[16];
        snprintf(num, sizeof num, "%g", spill[i]);
        snprintf(yaml, sizeof yaml, text, num);
        stage_t f;
        s_open_text(&f, yaml);
        const fw_seat_state_t *lab = &f.m->seats[2];
        cr_assert_float_eq(fm_skill(f.m, lab, 1), 0.6, 1e-12, "no progress yet");
        f.m->maturity[1] = 0.7; /* half way from 0.4 to 1 */
        cr_assert_float_eq(fm_skill(f.m, lab, 1), 1.0 - 0.4 * (1.0 - 0.5 * spill[i]), 1e-12);
        f.m->maturity[1] = 1.0;
        cr_assert_float_eq(fm_skill(f.m, lab, 1), want_mature[i], 1e-12, "spill %g", spill[i]);
        /* gpu was mature from the start: the lab's own skill, whatever others did. */
        cr_assert_float_eq(fm_skill(f.m, lab, 0), 0.7, 1e-12);
        s_close(&f);
    }
}

/* ==== round trips and shares: what the metrics row says ================================= */

/* Metric `name` of the snapshot after the open tick (fw_observe.c, as fw_market_step
 * builds it once the shares are updated). */
static double s_metric(stage_t *f, const char *name)
{
    fw_valuation_shares(f->m, f->t);
    fw_arena_t *a = fw_arena_new();
    cr_assert_not_null(a);
    Flywheel__V1__Snapshot snap;
    fw_observe_snapshot(f->m, a, f->t, &snap);
    double v = NAN;
    for (size_t i = 0; i < snap.n_metrics; i++)
        if (strcmp(snap.metrics[i]->name, name) == 0)
            v = snap.metrics[i]->value;
    fw_arena_destroy(&a);
    cr_assert_not(isnan(v), "no metric %s", name);
    return v;
}

/* Tick t as the market orders it: the scheduled deals of the month are proposed and l1
 * accepts them all (the deals stage), then l1 buys 5 of gpu from c1 at 10: 50 to c1,
 * and 5 x 100 / (10 x 1.0) = 50 of chip revenue its vendor v's round trip counts. */
static void s_invest_then_buy(stage_t *f, uint32_t t)
{
    static fw_compute_offer_in_t c1o[] = {{GPU, "gpu", 10, 8}};
    static fw_compute_bid_in_t lb[] = {{C1, GPU, "c1", "gpu", 5, 0}};
    static fw_answer_in_t la[4];
    f->orders[C1] = ORDERS(LIST(compute_offers, c1o));
    f->orders[L1] = ORDERS(LIST(compute_bids, lb));
    s_begin(f, t);
    size_t n = 0;
    for (size_t i = 0; i < f->m->proposals.n && n < 4; i++)
        la[n++] = (fw_answer_in_t){
            .proposal_id = ((const fw_proposal_t *)fw_vec_at(&f->m->proposals, i))->id,
            .accept = 1};
    f->orders[L1].n_answers = n;
    f->orders[L1].answers = la;
    s_run(f, fw_stage_investments);
    s_run(f, fw_stage_compute);
}

/* docs/outputs.md: the round trip counts the investor's revenue from the lab from the
 * pair's first investment on. c1 sells l1 compute under a commitment (no money) from
 * the start; that revenue is no return on the 1,000 c1 invests later. */
Test(fw_round_trip, revenue_before_the_first_investment_is_not_counted)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l1, amount: 0, min_cloud_share: 0.5}\n"
               "events:\n"
               "  - {at: 2024-03, name: c1 backs l1, deal: {investor: c1, lab: l1, amount: 1000}}\n"
               "  - {at: 2024-03, name: v backs l1, deal: {investor: v, lab: l1, amount: 500}}\n");
    s_invest_then_buy(&f, 1);
    s_end(&f);
    s_invest_then_buy(&f, 2);
    cr_assert_float_eq(s_metric(&f, "round_trip.c1.l1"), 0.0, 1e-12, "nothing invested yet");
    cr_assert_eq(fm_deal_returned(f.m, fw_vec_at(&f.m->deals, 0)), 100,
                 "the commitment's own figure counts from its signing");
    s_end(&f);

    s_invest_then_buy(&f, 3); /* invested, then the month's compute */
    cr_assert_eq(f.m->deals.n, 3, "both investments signed");
    cr_assert_float_eq(s_metric(&f, "round_trip.c1.l1"), 50.0 / 1000.0, 1e-12,
                       "ticks 1-2 do not count; tick 3's purchase does");
    cr_assert_float_eq(s_metric(&f, "round_trip.v.l1"), 50.0 / 500.0, 1e-12,
                       "the vendor: the chip revenue of tick 3's compute only");
    s_end(&f);
    s_invest_then_buy(&f, 4);
    cr_assert_float_eq(s_metric(&f, "round_trip.c1.l1"), 100.0 / 1000.0, 1e-12);
    cr_assert_float_eq(s_metric(&f, "round_trip.v.l1"), 100.0 / 500.0, 1e-12);
    cr_assert_float_eq(s_metric(&f, "round_trip.c2.l1"), 0.0, 1e-12, "no deal: no round trip");
    s_close(&f);
}

/* An exclusive deal's term ends; the investor still owns its stake, and what the lab
 * pays it afterwards is still a return on the money. */
Test(fw_round_trip, revenue_after_an_exclusive_deal_ends_is_still_counted)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: c1, lab: l1, amount: 1000, equity: 0.1, exclusive: true,\n"
               "     until: 2024-02}\n");
    const fw_deal_t *d = fw_vec_at(&f.m->deals, 0);
    for (uint32_t t = 1; t <= 5; t++) {
        s_invest_then_buy(&f, t);
        s_run(&f, fw_stage_stipulations);
        cr_assert_float_eq(s_metric(&f, "round_trip.c1.l1"), 50.0 * t / 1000.0, 1e-12,
                           "tick %u (exclusive through tick %u)", t, d->ends);
        s_end(&f);
    }
    cr_assert_lt(d->ends, 5, "the term ended before the last purchases");
    cr_assert_eq(fm_deal_returned(f.m, d), 5 * 50, "the deal's own figure counts on too");
    cr_assert_float_eq(fm_round_trip(f.m, C1, L1), 0.25, 1e-12);
    s_close(&f);
}

/* A vendor's round trip counts the chip revenue the lab's compute pays for: per
 * H100-equivalent month, the chip's price over its life x perf (tpu: 50 / (10 x 2)). */
Test(fw_round_trip, a_vendors_round_trip_counts_the_chip_revenue_of_the_labs_compute)
{
    stage_t f;
    s_open(&f, "deals:\n  - {investor: v, lab: l1, amount: 100, equity: 0.01}\n");
    s_buy_compute(&f, 1, L1, 8, 4, 8); /* 4 on gpu at c1, 8 on tpu at c2 */
    double chip_revenue = 4 * 100.0 / 10.0 + 8 * 50.0 / 20.0;
    cr_assert_float_eq(s_metric(&f, "round_trip.v.l1"), chip_revenue / 100.0, 1e-12);
    s_close(&f);
}

/* Shares of compute weigh a chip by its perf: c1's 8 gpu (perf 1) and c2's 4 tpu
 * (perf 2) are 8 H100-equivalents each, half the compute in service, not 2/3 and 1/3
 * as counted in chips. */
Test(fw_shares, shares_of_compute_are_in_h100_equivalents)
{
    stage_t f;
    s_open(&f, NULL);
    fw_chip_offer_in_t vo[] = {{GPU, "gpu", 100, 10}, {TPU, "tpu", 50, 10}};
    fw_chip_order_in_t c1o[] = {{GPU, "gpu", 2, 0}};
    fw_chip_order_in_t c2o[] = {{TPU, "tpu", 2, 0}};
    f.orders[V] = ORDERS(LIST(chip_offers, vo));
    f.orders[C1] = ORDERS(LIST(chip_orders, c1o));
    f.orders[C2] = ORDERS(LIST(chip_orders, c2o));
    s_begin(&f, 1);
    s_run(&f, fw_stage_chips);
    /* The chips sold: 2 gpu = 2 H100-eq, 2 tpu = 4. */
    cr_assert_float_eq(s_metric(&f, "asic_share"), 4.0 / 6.0, 1e-12, "perf-weighted");
    cr_assert_float_eq(s_metric(&f, "asic_unit_share"), 0.5, 1e-12, "in units");
    /* The tpu arrive at once (lead time 0), the gpu in two ticks: 8 gpu, 6 tpu = 12. */
    cr_assert_float_eq(s_metric(&f, "installed_share.gpu"), 8.0 / 20.0, 1e-12);
    cr_assert_float_eq(s_metric(&f, "installed_share.tpu"), 12.0 / 20.0, 1e-12);
    s_end(&f);

    /* Compute sold is counted in H100-equivalent months: each cloud sells all it has. */
    s_buy_compute(&f, 2, L1, 8, 8, 8);
    cr_assert_float_eq(s_metric(&f, "compute_share.c1"), 0.5, 1e-12);
    cr_assert_float_eq(s_metric(&f, "compute_share.c2"), 0.5, 1e-12);
    cr_assert_float_eq(s_metric(&f, "hhi_cloud"), 0.5, 1e-12);
    s_close(&f);
}
