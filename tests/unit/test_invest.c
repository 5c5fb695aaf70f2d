/* Tests of how investors choose and how labs judge offers (fw_invest), first as pure
 * functions, then through the strategies on hand-built observations: an investor
 * facing two labs of uncertain prospects backs both and facing a clear leader backs
 * one; what its deals bring back raises what it commits next; a lab refuses a mandate
 * on a chip it uses badly and takes it when the terms pay for the cost; a scheduled
 * deal is taken unless it clashes. */
#include <criterion/criterion.h>

#include <math.h>
#include <string.h>

#include "fw_arena.h"
#include "fw_invest.h"
#include "fw_rng.h"
#include "fw_strategy.h"

#define M(name) Flywheel__V1__##name
#define ROLE(r) FLYWHEEL__V1__ROLE__ROLE_##r

/* --- the portfolio ---------------------------------------------------------- */

static void weights(const fw_invest_lab_t *labs, size_t n, double *w)
{
    fw_invest_params_t prm = fw_invest_defaults();
    double p[FW_INVEST_MAX_LABS];
    fw_invest_odds(labs, n, &prm, p);
    fw_invest_weights(labs, p, n, &prm, w);
}

Test(fw_invest, split_odds_back_both_rivals)
{
    const fw_invest_lab_t labs[2] = {{0.5, 1.0}, {0.45, 1.05}};
    double w[2];
    weights(labs, 2, w);
    cr_assert_gt(w[0], 0.2, "w = %g, %g", w[0], w[1]);
    cr_assert_gt(w[1], 0.2, "w = %g, %g", w[0], w[1]);
    cr_assert_leq(w[0] + w[1], 1.0 + 1e-9);
}

Test(fw_invest, a_clear_leader_is_backed_alone)
{
    const fw_invest_lab_t labs[2] = {{0.92, 2.0}, {0.03, 0.6}};
    double w[2];
    weights(labs, 2, w);
    cr_assert_gt(w[0], 0.5, "w = %g, %g", w[0], w[1]);
    cr_assert_eq(w[1], 0.0, "w = %g, %g", w[0], w[1]);
}

Test(fw_invest, hedging_fades_as_one_lab_pulls_ahead)
{
    /* The same two labs, the second's capability falling: its weight falls too, to
     * nothing once its odds are a few percent. */
    double last = 1.0;
    for (int step = 0; step <= 8; step++) {
        double cap = 1.0 - 0.1 * step;
        const fw_invest_lab_t labs[2] = {{0.5, 1.0}, {0.3, cap}};
        double w[2];
        weights(labs, 2, w);
        cr_assert_leq(w[1], last + 1e-12, "capability %g: %g after %g", cap, w[1], last);
        last = w[1];
    }
    cr_assert_eq(last, 0.0);
}

Test(fw_invest, weights_do_not_depend_on_the_order_of_the_labs)
{
    const fw_invest_lab_t labs[4] = {{0.4, 1.0}, {0.3, 1.2}, {0.2, 0.9}, {0.1, 1.3}};
    const fw_invest_lab_t back[4] = {labs[3], labs[2], labs[1], labs[0]};
    double w[4], v[4];
    weights(labs, 4, w);
    weights(back, 4, v);
    double sum = 0.0;
    for (size_t i = 0; i < 4; i++) {
        cr_assert_float_eq(w[i], v[3 - i], 1e-9, "lab %zu: %g vs %g", i, w[i], v[3 - i]);
        cr_assert_geq(w[i], 0.0);
        sum += w[i];
    }
    cr_assert_leq(sum, 1.0 + 1e-9);
}

/* --- the lab's judgement ---------------------------------------------------- */

Test(fw_invest, a_mandate_on_a_weak_chip_costs_what_the_lab_loses)
{
    const fw_judge_params_t prm = fw_judge_defaults();
    const fw_lab_side_t lab = {.valuation = 50e9, .cash = 5e9, .spend = 500e6};
    fw_offer_t o = {.amount = 1e9, .valuation = 51e9, .chip_share = 0.5,
                    .chip_premium = 1.0, .duration = 24};
    /* Half its compute at twice the price for two years: 6B lost for 1B of capital. */
    cr_assert_lt(fw_offer_value(&o, &lab, &prm), 0.0);
    /* Enough money pays for it. */
    o.amount = 40e9;
    o.valuation = 90e9;
    cr_assert_gt(fw_offer_value(&o, &lab, &prm), 0.0);
    /* And the same 1B with no handicap is worth taking. */
    o = (fw_offer_t){.amount = 1e9, .valuation = 51e9, .duration = 24};
    cr_assert_gt(fw_offer_value(&o, &lab, &prm), 0.0);
}

Test(fw_invest, a_lab_short_of_cash_values_money_more)
{
    const fw_judge_params_t prm = fw_judge_defaults();
    const fw_offer_t o = {.amount = 1e9, .valuation = 11e9, .cloud_share = 0.5, .duration = 24};
    const fw_lab_side_t rich = {.valuation = 10e9, .cash = 50e9, .spend = 100e6};
    const fw_lab_side_t poor = {.valuation = 10e9, .cash = 0.1e9, .spend = 100e6};
    cr_assert_gt(fw_offer_value(&o, &poor, &prm), fw_offer_value(&o, &rich, &prm));
}

Test(fw_invest, credits_it_cannot_use_are_worth_less_and_a_low_price_costs_equity)
{
    const fw_judge_params_t prm = fw_judge_defaults();
    const fw_lab_side_t lab = {.valuation = 10e9, .cash = 1e9, .spend = 100e6};
    fw_offer_t o = {.amount = 1e9, .valuation = 11e9, .credit_fraction = 0.5,
                    .usability = 1.0, .duration = 12};
    double usable = fw_offer_value(&o, &lab, &prm);
    o.usability = 0.2;
    cr_assert_lt(fw_offer_value(&o, &lab, &prm), usable);
    o.usability = 1.0;
    o.valuation = 5.5e9; /* half the lab's worth: it sells twice the equity */
    cr_assert_lt(fw_offer_value(&o, &lab, &prm), usable);
}

/* --- through the strategies -------------------------------------------------- */

typedef struct {
    fw_arena_t *a;
    M(ChipFamily) *fam[4];
    M(SeatInfo) *seats[6];
    M(TickStart) ts;
    M(MarketView) market;
    M(SeatView) me;
    fw_strategy_params_t params;
    fw_strategy_ctx_t ctx;
} world_t;

static M(Share) *share(fw_arena_t *a, const char *id, double value)
{
    M(Share) *s = fw_arena_calloc(a, 1, sizeof *s);
    flywheel__v1__share__init(s);
    s->id = fw_arena_strdup(a, id);
    s->value = value;
    return s;
}

static M(Figure) *figure(fw_arena_t *a, const char *id, int64_t value)
{
    M(Figure) *f = fw_arena_calloc(a, 1, sizeof *f);
    flywheel__v1__figure__init(f);
    f->id = fw_arena_strdup(a, id);
    f->value = value;
    return f;
}

/* Clouds aws and gcp, labs alpha and beta, vendor nv; families h100 (nv's) and asic
 * (captive to aws). `seat` plays `role` with `params`. */
static void world_init(world_t *w, const char *seat, M(Role) role, const char *params)
{
    static const struct {
        const char *id;
        M(Role) role;
    } seats[] = {{"aws", ROLE(HYPERSCALER)}, {"gcp", ROLE(HYPERSCALER)}, {"alpha", ROLE(LAB)},
                 {"beta", ROLE(LAB)},        {"nv", ROLE(VENDOR)}};
    memset(w, 0, sizeof *w);
    w->a = fw_arena_new();
    cr_assert_not_null(w->a);
    const char *fams[2][3] = {{"h100", "nv", ""}, {"asic", "aws", "aws"}};
    for (size_t i = 0; i < 2; i++) {
        M(ChipFamily) *f = fw_arena_calloc(w->a, 1, sizeof *f);
        flywheel__v1__chip_family__init(f);
        f->id = fw_arena_strdup(w->a, fams[i][0]);
        f->vendor = fw_arena_strdup(w->a, fams[i][1]);
        f->captive_of = fw_arena_strdup(w->a, fams[i][2]);
        f->perf_milli = 1000;
        f->life = 48;
        w->fam[i] = f;
    }
    for (size_t i = 0; i < 5; i++) {
        M(SeatInfo) *s = fw_arena_calloc(w->a, 1, sizeof *s);
        flywheel__v1__seat_info__init(s);
        s->id = fw_arena_strdup(w->a, seats[i].id);
        s->name = s->id;
        s->role = seats[i].role;
        w->seats[i] = s;
    }
    flywheel__v1__tick_start__init(&w->ts);
    flywheel__v1__market_view__init(&w->market);
    flywheel__v1__seat_view__init(&w->me);
    w->ts.tick = 6;
    w->ts.month = (char *)"2024-06";
    w->ts.market = &w->market;
    w->ts.me = &w->me;
    w->market.credits_allowed = true;
    w->market.lab_share = fw_arena_calloc(w->a, 2, sizeof(void *));
    w->market.capability = fw_arena_calloc(w->a, 2, sizeof(void *));
    w->market.valuations = fw_arena_calloc(w->a, 2, sizeof(void *));
    w->market.compute_quotes = fw_arena_calloc(w->a, 4, sizeof(void *));
    w->me.deals = fw_arena_calloc(w->a, 4, sizeof(void *));
    w->me.proposals = fw_arena_calloc(w->a, 4, sizeof(void *));
    w->me.efficiency = fw_arena_calloc(w->a, 2, sizeof(void *));
    cr_assert_eq(fw_strategy_params_parse(params, &w->params, NULL, 0), 0);
    w->ctx.seat = seat;
    w->ctx.role = role;
    w->ctx.families = w->fam;
    w->ctx.n_families = 2;
    w->ctx.seats = w->seats;
    w->ctx.n_seats = 5;
    w->ctx.params = &w->params;
}

/* The two labs' public figures. */
static void set_labs(world_t *w, double share_a, double cap_a, double share_b, double cap_b)
{
    w->market.n_lab_share = w->market.n_capability = w->market.n_valuations = 2;
    w->market.lab_share[0] = share(w->a, "alpha", share_a);
    w->market.lab_share[1] = share(w->a, "beta", share_b);
    w->market.capability[0] = share(w->a, "alpha", cap_a);
    w->market.capability[1] = share(w->a, "beta", cap_b);
    w->market.valuations[0] = figure(w->a, "alpha", 80000000000);
    w->market.valuations[1] = figure(w->a, "beta", 20000000000);
}

static M(Actions) run(const world_t *w, fw_strategy_fn fn, fw_arena_t **arena)
{
    M(Actions) out = FLYWHEEL__V1__ACTIONS__INIT;
    fw_rng_t rng;
    fw_rng_seed(&rng, 7);
    *arena = fw_arena_new();
    cr_assert_not_null(*arena);
    cr_assert_eq(fn(&w->ctx, &w->ts, &rng, &out, *arena), FW_STRATEGY_OK);
    return out;
}

static const char *const INVESTOR = "invest_every=6;invest_cash_share=0.1;invest_amount=1e12";

static int64_t proposed(const M(Actions) *out, const char *lab)
{
    for (size_t i = 0; i < out->n_proposals; i++)
        if (strcmp(out->proposals[i]->lab, lab) == 0)
            return out->proposals[i]->terms->amount;
    return 0;
}

Test(fw_invest_strategy, a_cloud_backs_both_labs_when_neither_clearly_leads)
{
    world_t w;
    world_init(&w, "gcp", ROLE(HYPERSCALER), INVESTOR);
    w.me.cash = 100000000000; /* 100B: a budget of 10B */
    set_labs(&w, 0.5, 1.0, 0.4, 1.1);
    fw_arena_t *a;
    M(Actions) out = run(&w, fw_strategy_hyperscaler, &a);
    cr_assert_gt(proposed(&out, "alpha"), 1000000000);
    cr_assert_gt(proposed(&out, "beta"), 1000000000);
    /* Clouds ask for credits and a share of spend. */
    cr_assert_gt(out.proposals[0]->terms->credit_fraction, 0.0);
    cr_assert_gt(out.proposals[0]->terms->min_cloud_share, 0.0);
    fw_arena_destroy(&a);
    fw_arena_destroy(&w.a);
}

Test(fw_invest_strategy, a_cloud_backs_one_lab_when_it_clearly_leads)
{
    world_t w;
    world_init(&w, "gcp", ROLE(HYPERSCALER), INVESTOR);
    w.me.cash = 100000000000;
    set_labs(&w, 0.9, 2.0, 0.05, 0.6);
    fw_arena_t *a;
    M(Actions) out = run(&w, fw_strategy_hyperscaler, &a);
    cr_assert_eq(out.n_proposals, 1);
    cr_assert_str_eq(out.proposals[0]->lab, "alpha");
    fw_arena_destroy(&a);
    fw_arena_destroy(&w.a);
}

Test(fw_invest_strategy, returns_from_its_deals_raise_what_it_commits)
{
    world_t w;
    world_init(&w, "nv", ROLE(VENDOR), INVESTOR);
    w.me.cash = 50000000000;
    set_labs(&w, 0.5, 1.0, 0.4, 1.1);
    fw_arena_t *a;
    M(Actions) before = run(&w, fw_strategy_vendor, &a);
    int64_t first = proposed(&before, "alpha") + proposed(&before, "beta");
    cr_assert_gt(first, 0);

    /* A deal whose stipulations have ended, which brought back 20B. */
    M(Deal) *d = fw_arena_calloc(w.a, 1, sizeof *d);
    M(InvestmentTerms) *t = fw_arena_calloc(w.a, 1, sizeof *t);
    flywheel__v1__deal__init(d);
    flywheel__v1__investment_terms__init(t);
    t->amount = 1000000000;
    d->investor = (char *)"nv";
    d->lab = (char *)"alpha";
    d->terms = t;
    d->ends_tick = 3;
    d->returned = 20000000000;
    w.me.deals[w.me.n_deals++] = d;
    fw_arena_t *b;
    M(Actions) after = run(&w, fw_strategy_vendor, &b);
    int64_t second = proposed(&after, "alpha") + proposed(&after, "beta");
    cr_assert_gt(second, first, "%lld after %lld", (long long)second, (long long)first);
    fw_arena_destroy(&a);
    fw_arena_destroy(&b);
    fw_arena_destroy(&w.a);
}

/* A lab with one proposal from aws: `amount` with `share` of its compute on the asic
 * (negotiable down by `slack`), on which its efficiency is `eff`; both clouds sell h100
 * compute at 2000 and aws the asic at 1500. Returns the answer; *taken_share (if not
 * NULL) is the share it takes: the proposal's, or its counter's. */
static bool lab_counter(int64_t amount, double share_on_asic, double eff, bool scheduled,
                        double slack, double *taken_share)
{
    world_t w;
    world_init(&w, "beta", ROLE(LAB), "");
    w.me.cash = 2000000000;
    w.me.cost_last = 400000000; /* spends 400M a tick */
    w.me.valuation = 20000000000;
    w.me.efficiency[w.me.n_efficiency++] = share(w.a, "h100", 1.0);
    w.me.efficiency[w.me.n_efficiency++] = share(w.a, "asic", eff);
    const char *q[3][2] = {{"aws", "asic"}, {"aws", "h100"}, {"gcp", "h100"}};
    const int64_t price[3] = {1500, 2000, 2000};
    for (size_t i = 0; i < 3; i++) {
        M(ComputeQuote) *c = fw_arena_calloc(w.a, 1, sizeof *c);
        flywheel__v1__compute_quote__init(c);
        c->provider = (char *)q[i][0];
        c->family = (char *)q[i][1];
        c->price = price[i];
        c->capacity = 100000;
        w.market.compute_quotes[w.market.n_compute_quotes++] = c;
    }
    M(Proposal) *p = fw_arena_calloc(w.a, 1, sizeof *p);
    M(InvestmentTerms) *t = fw_arena_calloc(w.a, 1, sizeof *t);
    flywheel__v1__proposal__init(p);
    flywheel__v1__investment_terms__init(t);
    p->id = 41;
    p->investor = (char *)"aws";
    p->lab = (char *)"beta";
    p->scheduled = scheduled;
    p->terms = t;
    t->amount = amount;
    t->valuation = w.me.valuation + amount;
    t->chip_family = (char *)"asic";
    t->min_chip_share = share_on_asic;
    t->chip_share_slack = slack;
    t->duration = 24;
    w.me.proposals[w.me.n_proposals++] = p;
    fw_arena_t *a;
    M(Actions) out = run(&w, fw_strategy_lab, &a);
    cr_assert_eq(out.n_answers, 1);
    cr_assert_eq(out.answers[0]->proposal_id, 41);
    bool accept = out.answers[0]->accept;
    if (taken_share)
        *taken_share = out.answers[0]->counter ? out.answers[0]->min_chip_share : share_on_asic;
    fw_arena_destroy(&a);
    fw_arena_destroy(&w.a);
    return accept;
}

static bool lab_answer(int64_t amount, double share_on_asic, double eff, bool scheduled)
{
    return lab_counter(amount, share_on_asic, eff, scheduled, 0.0, NULL);
}

Test(fw_invest_strategy, a_lab_refuses_a_mandate_on_a_chip_it_cannot_use_well)
{
    /* At efficiency 0.3 the asic costs 1500 / 0.3 = 5000 a useful unit against 2000:
     * half its compute there for two years loses 7.2B; 1B does not pay for that. */
    cr_assert_not(lab_answer(1000000000, 0.5, 0.3, false));
}

Test(fw_invest_strategy, a_lab_takes_the_mandate_when_the_terms_pay_for_it)
{
    cr_assert(lab_answer(30000000000, 0.5, 0.3, false));
}

Test(fw_invest_strategy, a_lab_takes_a_mandate_on_a_chip_it_uses_well)
{
    /* At efficiency 0.9 the asic is the cheaper chip (1667 a useful unit). */
    cr_assert(lab_answer(1000000000, 0.5, 0.9, false));
}

Test(fw_invest_strategy, a_scheduled_deal_is_taken_whatever_its_terms)
{
    cr_assert(lab_answer(1000000000, 0.5, 0.3, true));
}

/* A lab with no mandate and efficiency `eff` on the asic (1.0 on h100) facing asic
 * compute at `asic_price` and h100 at 2000: the compute it bids for on each. */
static void lab_bids(double eff, int64_t asic_price, int64_t *on_asic, int64_t *on_h100)
{
    world_t w;
    world_init(&w, "beta", ROLE(LAB), "");
    w.me.cash = 10000000000;
    w.me.revenue_last = 100000000;
    w.me.demand = 1000;
    w.me.revenue_per_compute = 3000;
    w.me.valuation = 20000000000;
    w.me.efficiency[w.me.n_efficiency++] = share(w.a, "h100", 1.0);
    w.me.efficiency[w.me.n_efficiency++] = share(w.a, "asic", eff);
    const char *q[2][2] = {{"aws", "asic"}, {"gcp", "h100"}};
    const int64_t price[2] = {asic_price, 2000};
    for (size_t i = 0; i < 2; i++) {
        M(ComputeQuote) *c = fw_arena_calloc(w.a, 1, sizeof *c);
        flywheel__v1__compute_quote__init(c);
        c->provider = (char *)q[i][0];
        c->family = (char *)q[i][1];
        c->price = price[i];
        c->capacity = 100000;
        w.market.compute_quotes[w.market.n_compute_quotes++] = c;
    }
    fw_arena_t *a;
    M(Actions) out = run(&w, fw_strategy_lab, &a);
    *on_asic = *on_h100 = 0;
    for (size_t i = 0; i < out.n_compute_bids; i++) {
        if (strcmp(out.compute_bids[i]->family, "asic") == 0)
            *on_asic += out.compute_bids[i]->quantity;
        else
            *on_h100 += out.compute_bids[i]->quantity;
    }
    fw_arena_destroy(&a);
    fw_arena_destroy(&w.a);
}

Test(fw_invest_strategy, a_lab_with_no_mandate_adopts_a_chip_whose_effective_price_is_better)
{
    int64_t asic, h100;
    /* 1000 / 0.6 = 1667 a useful unit against 2000: it moves to the asic. */
    lab_bids(0.6, 1000, &asic, &h100);
    cr_assert_gt(asic, 0);
    cr_assert_eq(h100, 0, "asic %lld, h100 %lld", (long long)asic, (long long)h100);
    /* 1500 / 0.6 = 2500: it stays on h100. */
    lab_bids(0.6, 1500, &asic, &h100);
    cr_assert_eq(asic, 0);
    cr_assert_gt(h100, 0);
}

Test(fw_invest_strategy, a_lab_takes_a_mandate_it_would_refuse_by_bargaining_its_share_down)
{
    double share = 0;
    /* As proposed (half its compute on a chip it uses badly) it refuses... */
    cr_assert_not(lab_counter(1000000000, 0.5, 0.3, false, 0.0, &share));
    /* ...with the share negotiable down to 0.01 it takes it, at 0.01. */
    cr_assert(lab_counter(1000000000, 0.5, 0.3, false, 0.49, &share));
    cr_assert_float_eq(share, 0.01, 1e-9);
    /* On a chip it uses well it takes the share as proposed, and counters nothing. */
    cr_assert(lab_counter(1000000000, 0.5, 0.9, false, 0.49, &share));
    cr_assert_float_eq(share, 0.5, 1e-12);
}
