/* The economy: investments with credits, stipulations and penalties, equity dilution
 * and mark to market, faltering labs, and books that balance through all of it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fw_arena.h"
#include "fw_market.h"
#include "fw_rng.h"
#include "fw_scenario.h"

static const char *k_scenario =
    "run: {name: econ, start: 2024-01, ticks: 24, seed: 3}\n"
    "families:\n"
    "  - {id: gpu, vendor: v, perf: 1.0, unit_cost: 10, price: 100, capacity: 10, lead_time: 1, life: 10}\n"
    "  - {id: tpu, vendor: v, perf: 1.0, unit_cost: 10, price: 50, capacity: 10, lead_time: 1, life: 10, captive_of: c2}\n"
    "seats:\n"
    "  - {id: v, role: vendor, cash: 10000}\n"
    "  - {id: c1, role: hyperscaler, cash: 100000, base_revenue: 50, compute_price: 10, installed: {gpu: 80}}\n"
    "  - {id: c2, role: hyperscaler, cash: 100000, base_revenue: 50, compute_price: 10, installed: {tpu: 80}}\n"
    "  - {id: l1, role: lab, cash: 500, demand: 10, revenue_per_compute: 3, valuation: 5000}\n"
    "  - {id: l2, role: lab, cash: 60, demand: 10, revenue_per_compute: 3, valuation: 5000}\n";

enum { V, C1, C2, L1, L2, NSEATS };

typedef struct {
    fw_scenario_t *sc;
    fw_market_t *m;
    fw_arena_t *arena;       /* actions */
    fw_arena_t *out;         /* results and snapshot */
    Flywheel__V1__Actions *act[NSEATS];
    Flywheel__V1__TickResult *results[NSEATS];
    Flywheel__V1__Snapshot snap;
} econ_t;

/* The market above, with `extra` sections (deals, events) appended. */
static void s_setup_with(econ_t *e, const char *extra)
{
    char err[256], text[4096];
    memset(e, 0, sizeof *e);
    snprintf(text, sizeof text, "%s%s", k_scenario, extra ? extra : "");
    e->sc = fw_scenario_parse("econ.yaml", text, strlen(text), err, sizeof err);
    cr_assert_not_null(e->sc, "%s", err);
    e->m = fw_market_new(e->sc, 0);
    cr_assert_not_null(e->m);
    e->arena = fw_arena_new();
    e->out = fw_arena_new();
}

static void s_setup(econ_t *e)
{
    s_setup_with(e, NULL);
}

static void s_teardown(econ_t *e)
{
    fw_market_destroy(&e->m);
    fw_scenario_destroy(&e->sc);
    fw_arena_destroy(&e->arena);
    fw_arena_destroy(&e->out);
}

static Flywheel__V1__Actions *s_act(econ_t *e, int seat)
{
    if (!e->act[seat]) {
        Flywheel__V1__Actions *x = fw_arena_calloc(e->arena, 1, sizeof *x);
        flywheel__v1__actions__init(x);
        x->compute_offers = fw_arena_calloc(e->arena, 4, sizeof(void *));
        x->compute_bids = fw_arena_calloc(e->arena, 4, sizeof(void *));
        x->proposals = fw_arena_calloc(e->arena, 4, sizeof(void *));
        x->answers = fw_arena_calloc(e->arena, 4, sizeof(void *));
        e->act[seat] = x;
    }
    return e->act[seat];
}

static void s_offer(econ_t *e, int cloud, const char *fam, int64_t price, int64_t cap)
{
    Flywheel__V1__ComputeOffer *o = fw_arena_calloc(e->arena, 1, sizeof *o);
    flywheel__v1__compute_offer__init(o);
    o->family = (char *)fam;
    o->price = price;
    o->capacity = cap;
    Flywheel__V1__Actions *x = s_act(e, cloud);
    x->compute_offers[x->n_compute_offers++] = o;
}

static void s_bid(econ_t *e, int lab, const char *cloud, const char *fam, int64_t qty)
{
    Flywheel__V1__ComputeBid *b = fw_arena_calloc(e->arena, 1, sizeof *b);
    flywheel__v1__compute_bid__init(b);
    b->provider = (char *)cloud;
    b->family = (char *)fam;
    b->quantity = qty;
    Flywheel__V1__Actions *x = s_act(e, lab);
    x->compute_bids[x->n_compute_bids++] = b;
}

static Flywheel__V1__InvestmentTerms *s_terms(econ_t *e, int64_t amount, double credit,
                                              int64_t valuation)
{
    Flywheel__V1__InvestmentTerms *t = fw_arena_calloc(e->arena, 1, sizeof *t);
    flywheel__v1__investment_terms__init(t);
    t->amount = amount;
    t->credit_fraction = credit;
    t->valuation = valuation;
    t->duration = 12;
    return t;
}

static void s_propose(econ_t *e, int investor, const char *lab, Flywheel__V1__InvestmentTerms *t)
{
    Flywheel__V1__InvestmentProposal *p = fw_arena_calloc(e->arena, 1, sizeof *p);
    flywheel__v1__investment_proposal__init(p);
    p->lab = (char *)lab;
    p->terms = t;
    Flywheel__V1__Actions *x = s_act(e, investor);
    x->proposals[x->n_proposals++] = p;
}

/* Accepts every proposal waiting for `lab` in its view of the coming tick. */
static size_t s_accept_all(econ_t *e, int lab)
{
    Flywheel__V1__TickStart ts = FLYWHEEL__V1__TICK_START__INIT;
    fw_market_prepare(e->m);
    fw_market_view(e->m, (uint32_t)lab, e->arena, &ts);
    for (size_t i = 0; i < ts.me->n_proposals; i++) {
        Flywheel__V1__ProposalAnswer *a = fw_arena_calloc(e->arena, 1, sizeof *a);
        flywheel__v1__proposal_answer__init(a);
        a->proposal_id = ts.me->proposals[i]->id;
        a->accept = 1;
        Flywheel__V1__Actions *x = s_act(e, lab);
        x->answers[x->n_answers++] = a;
    }
    return ts.me->n_proposals;
}

static void s_step(econ_t *e)
{
    char err[256] = "";
    fw_arena_reset(e->out);
    fw_market_prepare(e->m);
    int rc = fw_market_step(e->m, e->act, e->out, e->results, &e->snap, err, sizeof err);
    cr_assert_eq(rc, FW_MARKET_OK, "step: %s", err);
    cr_assert_eq(fw_ledger_check(fw_market_ledger(e->m), err, sizeof err), 0, "%s", err);
    memset(e->act, 0, sizeof e->act);
    fw_arena_reset(e->arena);
}

static int64_t s_balance(econ_t *e, int seat, fw_account_kind_t kind)
{
    return fw_ledger_balance(fw_market_ledger(e->m), fw_acc((uint32_t)seat, kind));
}

static double s_metric(econ_t *e, const char *name)
{
    for (size_t i = 0; i < e->snap.n_metrics; i++)
        if (strcmp(e->snap.metrics[i]->name, name) == 0)
            return e->snap.metrics[i]->value;
    cr_assert_fail("no metric %s", name);
    return 0;
}

static int s_has_fill(const Flywheel__V1__TickResult *r, Flywheel__V1__FillKind kind)
{
    for (size_t i = 0; i < r->n_fills; i++)
        if (r->fills[i]->kind == kind)
            return 1;
    return 0;
}

static int s_rejected_with(const Flywheel__V1__TickResult *r, const char *needle)
{
    for (size_t i = 0; i < r->n_rejected; i++)
        if (strstr(r->rejected[i]->reason, needle))
            return 1;
    return 0;
}

Test(fw_economy, credits_are_spent_before_cash_and_become_the_investors_revenue)
{
    econ_t e;
    s_setup(&e);
    s_propose(&e, C1, "l1", s_terms(&e, 1000, 0.5, 10000));
    s_step(&e); /* tick 1: proposed */
    int64_t c1_cash = fw_market_cash(e.m, C1);
    cr_assert_eq(s_accept_all(&e, L1), 1, "the lab sees the proposal the next tick");
    s_offer(&e, C1, "gpu", 10, 80);
    s_bid(&e, L1, "c1", "gpu", 5);
    s_step(&e); /* tick 2: accepted, executed, then compute bought with credits */

    cr_assert_eq(s_balance(&e, L1, FW_ACC_CREDITS), 500 - 50, "credits paid for the compute");
    cr_assert_eq(s_balance(&e, C1, FW_ACC_DEFERRED), -(500 - 50), "the cloud still owes the rest");
    cr_assert(s_has_fill(e.results[L1], FLYWHEEL__V1__FILL_KIND__FILL_CREDITS_USED));
    cr_assert(s_has_fill(e.results[L1], FLYWHEEL__V1__FILL_KIND__FILL_INVESTMENT));
    /* The lab paid no cash for compute: its cash grew by the cash half only, plus sales. */
    int64_t sales = e.results[L1]->cash - 500 - 500;
    cr_assert_geq(sales, 0, "no cash went to compute bought with credits");
    /* The cloud booked the 50 as revenue, and paid only the cash half. */
    cr_assert_eq(e.snap.companies[C1]->revenue, 50 + 50, "compute 50 + base business 50");
    cr_assert_eq(fw_market_cash(e.m, C1), c1_cash - 500 + 50 - 35, "cash half, base net 15");
    cr_assert_float_eq(s_metric(&e, "round_trip.c1.l1"), 50.0 / 1000.0, 1e-12);
    cr_assert_float_eq(s_metric(&e, "credits_outstanding"), 450, 1e-9);
    s_teardown(&e);
}

Test(fw_economy, a_breach_costs_the_lab_its_penalty)
{
    econ_t e;
    s_setup(&e);
    Flywheel__V1__InvestmentTerms *t = s_terms(&e, 1000, 0, 10000);
    t->exclusive = 1;
    t->penalty = 100;
    s_propose(&e, C1, "l1", t);
    s_step(&e);
    s_accept_all(&e, L1);
    s_step(&e); /* signed at tick 2 */
    int64_t lab_cash = fw_market_cash(e.m, L1), cloud_cash = fw_market_cash(e.m, C1);
    s_offer(&e, C1, "gpu", 10, 80); /* c1 has compute to sell... */
    s_offer(&e, C2, "tpu", 10, 80);
    s_bid(&e, L1, "c2", "tpu", 5); /* ...but the lab buys elsewhere: a breach */
    s_step(&e);
    cr_assert(s_has_fill(e.results[L1], FLYWHEEL__V1__FILL_KIND__FILL_PENALTY));
    cr_assert(s_has_fill(e.results[C1], FLYWHEEL__V1__FILL_KIND__FILL_PENALTY));
    cr_assert_eq(s_metric(&e, "compliance.l1"), 0.0);
    int found = 0;
    for (size_t i = 0; i < e.snap.n_deals; i++)
        found |= e.snap.deals[i]->breached;
    cr_assert(found, "the deal is marked breached");
    int fired = 0;
    for (size_t i = 0; i < e.snap.n_events; i++)
        fired |= strstr(e.snap.events[i], "breached") != NULL;
    cr_assert(fired, "the breach is in the snapshot's events");
    /* lab: -50 compute, +revenue, -100 penalty; cloud: +100 penalty + base 15 */
    cr_assert_eq(fw_market_cash(e.m, C1), cloud_cash + 100 + 15);
    cr_assert_lt(fw_market_cash(e.m, L1), lab_cash - 100);
    s_teardown(&e);
}

Test(fw_economy, equity_is_diluted_and_stakes_are_marked_to_market)
{
    econ_t e;
    s_setup(&e);
    s_propose(&e, C1, "l1", s_terms(&e, 1000, 0, 10000)); /* 10% */
    s_step(&e);
    s_accept_all(&e, L1);
    s_step(&e);
    s_propose(&e, C2, "l1", s_terms(&e, 4000, 0, 40000)); /* 10% more, at 4x the price */
    s_step(&e);
    s_accept_all(&e, L1);
    s_step(&e);
    double c1 = 0, c2 = 0;
    int64_t c1_value = 0;
    for (size_t i = 0; i < e.snap.n_stakes; i++) {
        const Flywheel__V1__Stake *st = e.snap.stakes[i];
        if (!strcmp(st->investor, "c1")) {
            c1 = st->fraction;
            c1_value = st->value;
        }
        if (!strcmp(st->investor, "c2"))
            c2 = st->fraction;
    }
    cr_assert_float_eq(c1, 0.09, 1e-12, "10%% diluted by 10%%");
    cr_assert_float_eq(c2, 0.10, 1e-12);
    cr_assert_geq(e.snap.companies[L1]->valuation, 40000, "worth at least its last round");
    cr_assert_eq(c1_value, (int64_t)(0.09 * (double)e.snap.companies[L1]->valuation + 0.5));
    cr_assert_eq(s_balance(&e, C1, FW_ACC_STAKES), c1_value, "the books carry the stake at market");
    cr_assert_gt(-s_balance(&e, C1, FW_ACC_REVALUATION), 0, "c1's stake gained value");
    s_teardown(&e);
}

/* docs/model.md, Solvency. Until issue 11 a lab faltered when its cash fell below a
 * tick of its customers' spending; here l2 owes c1 100 a tick of compute (take-or-pay)
 * against customers who spend 30 with it: what it owes does not fall with its sales,
 * its cash runs out, nobody invests, and it keeps faltering while the debt runs. */
Test(fw_economy, a_lab_that_owes_more_than_it_has_with_no_investor_falters)
{
    econ_t e;
    s_setup_with(&e, "deals:\n  - {investor: c1, lab: l2, amount: 0, min_spend: 100}\n");
    s_offer(&e, C1, "gpu", 10, 80);
    s_bid(&e, L2, "c1", "gpu", 2);
    s_bid(&e, L1, "c1", "gpu", 20); /* l1 trains with what it does not serve */
    s_step(&e);
    cr_assert(e.snap.companies[L2]->faltering, "l2 could not pay c1 and nobody invested");
    cr_assert_not(e.snap.companies[L1]->faltering);
    cr_assert_eq(s_metric(&e, "faltering.l2"), 1.0);
    cr_assert(s_has_fill(e.results[L2], FLYWHEEL__V1__FILL_KIND__FILL_TAKE_OR_PAY));
    cr_assert(s_has_fill(e.results[C1], FLYWHEEL__V1__FILL_KIND__FILL_TAKE_OR_PAY));
    double cap = e.snap.companies[L2]->capability;
    for (int i = 0; i < 6; i++) {
        s_offer(&e, C1, "gpu", 10, 80);
        s_bid(&e, L1, "c1", "gpu", 10);
        s_bid(&e, L2, "c1", "gpu", 2);
        s_step(&e);
        cr_assert(e.snap.companies[L2]->faltering, "tick %d: it still owes what it cannot pay",
                  i + 2);
    }
    cr_assert_float_eq(e.snap.companies[L2]->capability, cap, 1e-12, "its capability stalls");
    cr_assert_gt(e.snap.companies[L1]->capability, 1.0, "the other lab's training counts");
    Flywheel__V1__TickStart ts = FLYWHEEL__V1__TICK_START__INIT;
    fw_market_view(e.m, L2, e.arena, &ts);
    Flywheel__V1__TickStart ts1 = FLYWHEEL__V1__TICK_START__INIT;
    fw_market_view(e.m, L1, e.arena, &ts1);
    cr_assert_lt(ts.me->demand, ts1.me->demand, "its customers drift away: %ld vs %ld",
                 (long)ts.me->demand, (long)ts1.me->demand);
    s_teardown(&e);
}

/* A lab whose cash covers its burn is not out of cash, though it holds less than a
 * tick of its customers' spending (the rule before issue 11 had it falter). */
Test(fw_economy, a_lab_whose_cash_covers_its_burn_does_not_falter)
{
    econ_t e;
    s_setup(&e);
    for (int i = 0; i < 6; i++) {
        s_offer(&e, C1, "gpu", 10, 80);
        s_bid(&e, L2, "c1", "gpu", 1); /* 10 a tick, 3 back: a burn of 7 against 60 */
        s_step(&e);
        cr_assert_not(e.snap.companies[L2]->faltering, "tick %d", i + 1);
    }
    s_teardown(&e);
}

Test(fw_economy, a_cloud_that_cannot_deliver_excuses_the_lab)
{
    econ_t e;
    s_setup(&e);
    Flywheel__V1__InvestmentTerms *t = s_terms(&e, 1000, 0, 10000);
    t->min_cloud_share = 0.8;
    t->penalty = 100;
    s_propose(&e, C1, "l1", t);
    s_step(&e);
    s_accept_all(&e, L1);
    s_step(&e);
    /* The lab asks c1 for 80% of its compute, but c1 offers only 2 units. */
    s_offer(&e, C1, "gpu", 10, 2);
    s_offer(&e, C2, "tpu", 10, 80);
    s_bid(&e, L1, "c1", "gpu", 8);
    s_bid(&e, L1, "c2", "tpu", 2);
    s_step(&e);
    cr_assert_not(s_has_fill(e.results[L1], FLYWHEEL__V1__FILL_KIND__FILL_PENALTY));
    cr_assert_eq(s_metric(&e, "compliance.l1"), 1.0);
    s_teardown(&e);
}

Test(fw_economy, bad_proposals_are_refused_with_reasons)
{
    econ_t e;
    s_setup(&e);
    s_propose(&e, V, "l1", s_terms(&e, 100, 0.5, 0));       /* a vendor paying credits */
    s_propose(&e, C1, "l1", s_terms(&e, 10000000, 0, 0));   /* more than its cash */
    s_propose(&e, C1, "c2", s_terms(&e, 100, 0, 0));        /* not a lab */
    s_propose(&e, L2, "l1", s_terms(&e, 10, 0, 0));         /* labs do not invest */
    s_step(&e);
    cr_assert(s_rejected_with(e.results[V], "only a cloud can pay in credits"));
    cr_assert(s_rejected_with(e.results[C1], "more than your cash"));
    cr_assert(s_rejected_with(e.results[C1], "no such lab"));
    cr_assert(s_rejected_with(e.results[L2], "only clouds and chip vendors invest"));
    cr_assert_eq(s_accept_all(&e, L1), 0, "nothing reached the lab");
    s_teardown(&e);
}

Test(fw_economy, books_balance_under_every_kind_of_flow)
{
    econ_t e;
    s_setup(&e);
    fw_rng_t r;
    fw_rng_seed(&r, 5);
    static const char *labs[] = {"l1", "l2", "c1"};
    for (int t = 0; t < 20; t++) {
        for (int s = C1; s <= C2; s++) {
            s_offer(&e, s, s == C1 ? "gpu" : "tpu", 5 + (int64_t)(fw_rng_next(&r) % 20), 80);
            if (fw_rng_next(&r) % 3 == 0) {
                Flywheel__V1__InvestmentTerms *tm =
                    s_terms(&e, 100 + (int64_t)(fw_rng_next(&r) % 900), (double)(fw_rng_next(&r) % 3) / 2.0,
                            (int64_t)(fw_rng_next(&r) % 20000));
                tm->min_cloud_share = (double)(fw_rng_next(&r) % 3) / 2.0;
                tm->exclusive = fw_rng_next(&r) % 4 == 0;
                tm->chip_family = fw_rng_next(&r) % 2 ? "gpu" : "";
                tm->min_chip_share = tm->chip_family[0] ? 0.5 : 0;
                tm->penalty = (int64_t)(fw_rng_next(&r) % 300);
                s_propose(&e, s, labs[fw_rng_next(&r) % 3], tm);
            }
        }
        for (int s = L1; s <= L2; s++) {
            s_accept_all(&e, s);
            s_bid(&e, s, fw_rng_next(&r) % 2 ? "c1" : "c2", fw_rng_next(&r) % 2 ? "gpu" : "tpu",
                  (int64_t)(fw_rng_next(&r) % 40));
        }
        s_step(&e); /* asserts the ledger check */
        for (int s = 0; s < NSEATS; s++)
            cr_assert_geq(fw_market_cash(e.m, (uint32_t)s), 0);
        int64_t credits = 0;
        for (int s = L1; s <= L2; s++)
            credits += s_balance(&e, s, FW_ACC_CREDITS);
        cr_assert_float_eq((double)credits, s_metric(&e, "credits_outstanding"), 1e-9,
                           "the books and the deals agree on credits");
        cr_assert_eq(credits, -(s_balance(&e, C1, FW_ACC_DEFERRED) + s_balance(&e, C2, FW_ACC_DEFERRED)));
    }
    s_teardown(&e);
}
