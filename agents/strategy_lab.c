/* The "lab" strategy: an AI lab answers the investors, then buys the compute it can
 * afford at the best price, subject to the stipulations of its deals.
 *
 * Proposals: accepted unless they clash with the exclusive terms of a deal in force,
 * or offer a valuation below accept_floor x the lab's own (a compute commitment with
 * no money, amount 0, is taken when it does not clash).
 *
 * Compute: the lab wants me.demand to serve its customers plus train_ratio x that to
 * train the next model, within a budget of cash_fraction x cash (plus its credits,
 * which can only be spent on the cloud that granted them). Quotes are ranked by
 * effective price: price over the lab's efficiency on the chip family, and zero while
 * credits on that cloud last (they are already paid for). It buys in three passes:
 *   1. each cloud a deal asks a share of spend for (exclusive: all of it) gets that
 *      share of the target, plus a safety margin, at its cheapest effective quotes;
 *   2. each mandated chip family gets its share of the target, plus the margin;
 *   3. the rest goes to the cheapest effective quotes, counting on a fair share
 *      (capacity / number of labs) of each, since other labs bid for them too.
 * An exclusive deal rules out every other cloud. Quotes above max_price are skipped:
 * the lab would rather lose revenue than serve it at a loss. The order of bids
 * depends only on prices and names, never on how the coordinator listed the quotes.
 *
 * Parameters: max_price 2600, cash_fraction 1/6, bid_premium 0.1, train_ratio 1.0,
 * accept_floor 0.5, margin 0.1.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fw_strategy.h"

typedef struct {
    const Flywheel__V1__ComputeQuote *q;
    double efficiency;  /* of the lab on the quote's family, (0, 1] */
    double effective;   /* price per unit of useful compute */
    int64_t taken;      /* bid so far */
} s_quote_t;

typedef struct {
    const fw_strategy_ctx_t *ctx;
    const Flywheel__V1__TickStart *obs;
    s_quote_t *quotes;
    size_t n;
    double budget;       /* cash left to commit */
    int64_t labs;        /* labs in the scenario */
    double premium, max_price;
    const char *exclusive; /* the only cloud allowed, or NULL */
} s_plan_t;

static int s_by_effective(const void *a, const void *b)
{
    const s_quote_t *x = a, *y = b;
    if (x->effective != y->effective)
        return x->effective < y->effective ? -1 : 1;
    int c = strcmp(x->q->provider, y->q->provider);
    if (c != 0)
        return c;
    return strcmp(x->q->family, y->q->family);
}

static double s_efficiency(const Flywheel__V1__SeatView *me, const char *family)
{
    for (size_t i = 0; i < me->n_efficiency; i++)
        if (strcmp(me->efficiency[i]->id, family) == 0 && me->efficiency[i]->value > 0)
            return me->efficiency[i]->value;
    return 1.0; /* no figure: take the chip at face value */
}

static int64_t s_credits(const Flywheel__V1__SeatView *me, const char *cloud)
{
    for (size_t i = 0; i < me->n_credits; i++)
        if (strcmp(me->credits[i]->cloud, cloud) == 0)
            return me->credits[i]->amount;
    return 0;
}

/* Deals in force for this lab at this tick that still bind it. */
static bool s_binding(const Flywheel__V1__Deal *d, const char *lab, uint32_t tick)
{
    return strcmp(d->lab, lab) == 0 && !d->breached && tick <= d->ends_tick && d->terms;
}

/* Bids up to `want` on quote k; returns the quantity bid. */
static int64_t s_bid(s_plan_t *p, size_t k, int64_t want, Flywheel__V1__Actions *out,
                     fw_arena_t *arena)
{
    s_quote_t *sq = &p->quotes[k];
    const Flywheel__V1__ComputeQuote *q = sq->q;
    int64_t room = q->capacity - sq->taken;
    if (want > room)
        want = room;
    if (want <= 0)
        return 0;
    int64_t price = fw_strategy_round(fmin(floor(p->max_price),
                                           floor((double)q->price * (1.0 + p->premium))));
    if (price < q->price)
        price = q->price;
    /* Credits on this cloud pay first; the rest comes out of the cash budget. */
    int64_t credit = s_credits(p->obs->me, q->provider);
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->quotes[i].q->provider, q->provider) == 0)
            credit -= p->quotes[i].taken * p->quotes[i].q->price;
    if (credit < 0)
        credit = 0;
    double affordable = (p->budget + (double)credit) / (double)price;
    if ((double)want > affordable)
        want = fw_strategy_round(floor(affordable));
    if (want <= 0)
        return 0;
    double paid_cash = (double)want * (double)price - (double)credit;
    if (paid_cash > 0)
        p->budget -= paid_cash;
    sq->taken += want;
    fw_actions_add_compute_bid(out, arena, q->provider, q->family, want, price);
    return want;
}

/* Buys `want` on the quotes that pass `match`, cheapest effective first. */
static int64_t s_buy(s_plan_t *p, int64_t want, const char *cloud, const char *family,
                     bool fair_share, Flywheel__V1__Actions *out, fw_arena_t *arena)
{
    int64_t got = 0;
    for (size_t k = 0; k < p->n && got < want; k++) {
        const Flywheel__V1__ComputeQuote *q = p->quotes[k].q;
        if (cloud && strcmp(q->provider, cloud) != 0)
            continue;
        if (family && strcmp(q->family, family) != 0)
            continue;
        if (p->exclusive && strcmp(q->provider, p->exclusive) != 0)
            continue;
        int64_t bid = s_bid(p, k, want - got, out, arena);
        /* Other labs bid for the same quote: count on a fair share of it only. */
        int64_t expected = fair_share ? q->capacity / p->labs : bid;
        got += bid < expected ? bid : (expected > 0 ? expected : bid);
    }
    return got;
}

static void s_answer(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                     Flywheel__V1__Actions *out, fw_arena_t *arena)
{
    const double floor_share = fw_strategy_param(ctx->params, "accept_floor", 0.5);
    const Flywheel__V1__SeatView *me = obs->me;
    for (size_t i = 0; i < me->n_proposals; i++) {
        const Flywheel__V1__Proposal *p = me->proposals[i];
        const Flywheel__V1__InvestmentTerms *t = p->terms;
        bool accept = t != NULL;
        for (size_t j = 0; accept && j < me->n_deals; j++) {
            const Flywheel__V1__Deal *d = me->deals[j];
            if (!s_binding(d, ctx->seat, obs->tick) || strcmp(d->investor, p->investor) == 0)
                continue;
            bool other_wants_cloud = d->terms->exclusive || d->terms->min_cloud_share > 0;
            bool wants_cloud = t->exclusive || t->min_cloud_share > 0;
            if ((d->terms->exclusive && wants_cloud) || (t->exclusive && other_wants_cloud))
                accept = false;
        }
        if (accept && t->amount > 0 && t->valuation > 0 &&
            (double)t->valuation < floor_share * (double)me->valuation)
            accept = false;
        fw_actions_add_answer(out, arena, p->id, accept);
    }
}

int fw_strategy_lab(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                    fw_rng_t *rng, Flywheel__V1__Actions *out, fw_arena_t *arena)
{
    const fw_strategy_params_t *params = ctx->params;
    const double cash_fraction = fw_strategy_param(params, "cash_fraction", 1.0 / 6.0);
    const double train_ratio = fw_strategy_param(params, "train_ratio", 1.0);
    const double margin = fw_strategy_param(params, "margin", 0.1);
    (void)rng; /* the lab's choice is fully determined by prices and its deals */

    if (!obs || !obs->me)
        return FW_STRATEGY_EINVAL;
    const Flywheel__V1__SeatView *me = obs->me;
    const Flywheel__V1__MarketView *m = obs->market;
    s_answer(ctx, obs, out, arena);
    if (me->demand <= 0 || !m || m->n_compute_quotes == 0)
        return FW_STRATEGY_OK;

    s_plan_t plan = {ctx, obs, NULL, 0, 0, 1, 0, 0, NULL};
    plan.max_price = fw_strategy_param(params, "max_price", 2600.0);
    plan.premium = fw_strategy_param(params, "bid_premium", 0.1);
    plan.budget = me->cash > 0 ? (double)me->cash * cash_fraction : 0.0;
    plan.labs = 0;
    for (size_t i = 0; i < ctx->n_seats; i++)
        plan.labs += ctx->seats[i]->role == FLYWHEEL__V1__ROLE__ROLE_LAB;
    if (plan.labs < 1)
        plan.labs = 1;
    for (size_t j = 0; j < me->n_deals; j++)
        if (s_binding(me->deals[j], ctx->seat, obs->tick) && me->deals[j]->terms->exclusive)
            plan.exclusive = me->deals[j]->investor;

    plan.quotes = fw_arena_calloc(arena, m->n_compute_quotes, sizeof *plan.quotes);
    for (size_t i = 0; i < m->n_compute_quotes; i++) {
        const Flywheel__V1__ComputeQuote *q = m->compute_quotes[i];
        if (q->price <= 0 || q->capacity <= 0 || (double)q->price > plan.max_price)
            continue;
        s_quote_t *sq = &plan.quotes[plan.n++];
        sq->q = q;
        sq->efficiency = s_efficiency(me, q->family);
        sq->effective = s_credits(me, q->provider) > 0 ? 0.0 : (double)q->price / sq->efficiency;
    }
    qsort(plan.quotes, plan.n, sizeof *plan.quotes, s_by_effective);

    const int64_t target = fw_strategy_round((double)me->demand * (1.0 + train_ratio));
    int64_t bought = 0;
    bool bound = false; /* stipulations: then no over-bidding, which would dilute shares */
    /* 1. the clouds the deals ask for, 2. the mandated chips, 3. the rest. */
    for (size_t j = 0; j < me->n_deals; j++) {
        const Flywheel__V1__Deal *d = me->deals[j];
        if (!s_binding(d, ctx->seat, obs->tick))
            continue;
        double share = d->terms->exclusive ? 1.0 : d->terms->min_cloud_share;
        bound = bound || share > 0 || d->terms->min_chip_share > 0;
        if (share > 0)
            bought += s_buy(&plan, fw_strategy_round(fmin(1.0, share + margin) * (double)target),
                            d->investor, NULL, false, out, arena);
    }
    for (size_t j = 0; j < me->n_deals; j++) {
        const Flywheel__V1__Deal *d = me->deals[j];
        if (!s_binding(d, ctx->seat, obs->tick) || !d->terms->chip_family ||
            !d->terms->chip_family[0] || d->terms->min_chip_share <= 0)
            continue;
        double share = fmin(1.0, d->terms->min_chip_share + margin);
        bought += s_buy(&plan, fw_strategy_round(share * (double)target), NULL,
                        d->terms->chip_family, false, out, arena);
    }
    if (bought < target)
        s_buy(&plan, target - bought, NULL, NULL, !bound, out, arena);
    return FW_STRATEGY_OK;
}
