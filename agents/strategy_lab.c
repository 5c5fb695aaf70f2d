/* The "lab" strategy: an AI lab answers the investors, then buys the compute it can
 * afford at the best price, subject to the stipulations of its deals.
 *
 * Proposals: accepted unless they clash with the exclusive terms of a deal in force,
 * or offer a valuation below accept_floor x the lab's own (a compute commitment with
 * no money, amount 0, is taken when it does not clash).
 *
 * Compute: the lab wants me.demand to serve its customers plus train_ratio x that to
 * train the next model, as far as its budget goes: last tick's revenue plus its cash
 * spread over `runway` ticks (plus its credits, which can only be spent on the cloud
 * that granted them). Quotes are ranked by
 * effective price: price over the lab's efficiency on the chip family, and zero while
 * credits on that cloud last (they are already paid for). It buys in three passes:
 *   1. each cloud a deal asks a share of spend for (exclusive: all of it) gets that
 *      share of the target, plus a safety margin, on the mandated chip families first
 *      where that cloud has them (deals asking for more than all are scaled down);
 *   2. each mandated chip family gets its share of the target, plus the margin,
 *      counting what the first pass bought;
 *   3. the rest goes to the cheapest effective quotes, counting on a fair share
 *      (capacity / number of labs) of each, since other labs bid for them too.
 * An exclusive deal rules out every other cloud. Quotes above max_price are skipped:
 * the lab would rather lose revenue than serve it at a loss. The order of bids
 * depends only on prices and names, never on how the coordinator listed the quotes.
 *
 * Parameters: max_price 2600, runway 12, bid_premium 0.1, train_ratio 1.0,
 * accept_floor 0.5, margin 0.05.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fw_strategy.h"

typedef struct {
    const Flywheel__V1__ComputeQuote *q;
    size_t order;       /* its place in the market view: by provider, then family */
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

/* The order of equal prices: by provider, then family (never the wire's order, so the
 * bids do not depend on how a coordinator lists its quotes). */
static int s_by_names(const s_quote_t *x, const s_quote_t *y)
{
    int c = strcmp(x->q->provider, y->q->provider);
    return c ? c : strcmp(x->q->family, y->q->family);
}

static int s_by_effective(const void *a, const void *b)
{
    const s_quote_t *x = a, *y = b;
    if (x->effective != y->effective)
        return x->effective < y->effective ? -1 : 1;
    return s_by_names(x, y);
}

/* The same order when the quotes already come by provider and family, as Flywheel's
 * coordinator sends them: their place stands for their names, and a large market's
 * many equal prices cost no string comparisons. */
static int s_by_effective_in_order(const void *a, const void *b)
{
    const s_quote_t *x = a, *y = b;
    if (x->effective != y->effective)
        return x->effective < y->effective ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int s_share_by_id(const void *a, const void *b)
{
    const Flywheel__V1__Share *const *x = a, *const *y = b;
    return strcmp((*x)->id, (*y)->id);
}

/* The lab's efficiencies by family id, for a binary search per quote: a market of
 * many families and many quotes must not cost families x quotes comparisons per lab.
 * NULL if there are none (or no memory: then every chip is taken at face value). */
static const Flywheel__V1__Share **s_efficiency_index(const Flywheel__V1__SeatView *me,
                                                      fw_arena_t *arena)
{
    if (!me->n_efficiency)
        return NULL;
    const Flywheel__V1__Share **idx = fw_arena_calloc(arena, me->n_efficiency, sizeof *idx);
    if (!idx)
        return NULL;
    for (size_t i = 0; i < me->n_efficiency; i++)
        idx[i] = me->efficiency[i];
    qsort(idx, me->n_efficiency, sizeof *idx, s_share_by_id);
    return idx;
}

static double s_efficiency(const Flywheel__V1__Share **idx, size_t n, const char *family)
{
    Flywheel__V1__Share key = FLYWHEEL__V1__SHARE__INIT, *k = &key;
    key.id = (char *)family;
    const Flywheel__V1__Share **hit = idx ? bsearch(&k, idx, n, sizeof *idx, s_share_by_id)
                                          : NULL;
    if (hit && (*hit)->value > 0)
        return (*hit)->value;
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

/* Bids up to `want` on quote k (at most its capacity unless `beyond`: a stipulation
 * is best asked for in full, even past what the cloud offers); returns the quantity
 * bid. The budget is applied at the end, to all bids at once (s_fit_budget). */
static int64_t s_bid(s_plan_t *p, size_t k, int64_t want, bool beyond,
                     Flywheel__V1__Actions *out, fw_arena_t *arena)
{
    s_quote_t *sq = &p->quotes[k];
    const Flywheel__V1__ComputeQuote *q = sq->q;
    int64_t room = beyond ? want : q->capacity - sq->taken;
    if (want > room)
        want = room;
    if (want <= 0)
        return 0;
    int64_t price = fw_strategy_round(fmin(floor(p->max_price),
                                           floor((double)q->price * (1.0 + p->premium))));
    if (price < q->price)
        price = q->price;
    sq->taken += want;
    fw_actions_add_compute_bid(out, arena, q->provider, q->family, want, price);
    return want;
}

/* Scales every bid down so that what they cost at the quotes, less the credits the
 * lab holds on each cloud, fits the budget: the shares between clouds and chips that
 * the deals ask for are kept. */
static void s_fit_budget(const s_plan_t *p, Flywheel__V1__Actions *out)
{
    const Flywheel__V1__SeatView *me = p->obs->me;
    double cost = 0, credits = 0;
    for (size_t i = 0; i < out->n_compute_bids; i++) {
        const Flywheel__V1__ComputeBid *b = out->compute_bids[i];
        for (size_t k = 0; k < p->n; k++)
            if (!strcmp(p->quotes[k].q->provider, b->provider) &&
                !strcmp(p->quotes[k].q->family, b->family)) {
                cost += (double)b->quantity * (double)p->quotes[k].q->price;
                break;
            }
    }
    for (size_t i = 0; i < me->n_credits; i++)
        credits += (double)me->credits[i]->amount;
    double cash_part = cost - credits;
    if (cash_part <= p->budget || cost <= 0)
        return;
    double factor = (p->budget + credits) / cost;
    for (size_t i = 0; i < out->n_compute_bids; i++)
        out->compute_bids[i]->quantity =
            fw_strategy_round(floor((double)out->compute_bids[i]->quantity * factor));
    /* Drop the bids that fell to nothing: the coordinator refuses quantity 0. */
    size_t keep = 0;
    for (size_t i = 0; i < out->n_compute_bids; i++)
        if (out->compute_bids[i]->quantity > 0)
            out->compute_bids[keep++] = out->compute_bids[i];
    out->n_compute_bids = keep;
}

/* Buys `want` on the quotes that pass `match`, cheapest effective first. */
static int64_t s_buy(s_plan_t *p, int64_t want, const char *cloud, const char *family,
                     bool fair_share, bool beyond, Flywheel__V1__Actions *out,
                     fw_arena_t *arena)
{
    int64_t got = 0, asked = 0;
    /* Counting on fair shares means bidding for more than is wanted; never more than
     * half as much again, or a rich lab would buy far past its needs. */
    const int64_t ask_cap = fair_share ? want + want / 2 : want;
    for (size_t k = 0; k < p->n && got < want && asked < ask_cap; k++) {
        const Flywheel__V1__ComputeQuote *q = p->quotes[k].q;
        if (cloud && strcmp(q->provider, cloud) != 0)
            continue;
        if (family && strcmp(q->family, family) != 0)
            continue;
        if (p->exclusive && strcmp(q->provider, p->exclusive) != 0)
            continue;
        int64_t ask = want - got;
        if (ask > ask_cap - asked)
            ask = ask_cap - asked;
        int64_t bid = s_bid(p, k, ask, false, out, arena);
        asked += bid;
        /* Other labs bid for the same quote: count on a fair share of it only. */
        int64_t expected = fair_share ? q->capacity / p->labs : bid;
        got += bid < expected ? bid : (expected > 0 ? expected : bid);
    }
    /* A stipulation's share is asked for in full, on the first matching quote, even
     * past what is on offer: the cloud's shortfall is then not the lab's breach. */
    for (size_t k = 0; beyond && got < want && k < p->n; k++) {
        const Flywheel__V1__ComputeQuote *q = p->quotes[k].q;
        if ((cloud && strcmp(q->provider, cloud) != 0) ||
            (family && strcmp(q->family, family) != 0) ||
            (p->exclusive && strcmp(q->provider, p->exclusive) != 0))
            continue;
        got += s_bid(p, k, want - got, true, out, arena);
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

/* The share of compute each binding deal asks for, per cloud and per chip family;
 * where deals with one cloud differ, the largest binds (they do not add up). */
typedef struct {
    const char *id;
    double share;
} s_need_t;

static void s_need(s_need_t *needs, size_t *n, size_t cap, const char *id, double share)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(needs[i].id, id) == 0) {
            if (share > needs[i].share)
                needs[i].share = share;
            return;
        }
    if (*n < cap)
        needs[(*n)++] = (s_need_t){id, share};
}

int fw_strategy_lab(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                    fw_rng_t *rng, Flywheel__V1__Actions *out, fw_arena_t *arena)
{
    const fw_strategy_params_t *params = ctx->params;
    const double runway = fw_strategy_param(params, "runway", 12.0);
    const double train_ratio = fw_strategy_param(params, "train_ratio", 1.0);
    const double margin = fw_strategy_param(params, "margin", 0.05);
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
    /* Spend this tick's revenue again, and the cash so that it lasts `runway` ticks. */
    double cash = me->cash > 0 ? (double)me->cash : 0.0;
    plan.budget = fmax(0.0, (double)me->revenue_last) + cash / fmax(1.0, runway);
    if (plan.budget > cash)
        plan.budget = cash;
    plan.labs = 0;
    for (size_t i = 0; i < ctx->n_seats; i++)
        plan.labs += ctx->seats[i]->role == FLYWHEEL__V1__ROLE__ROLE_LAB;
    if (plan.labs < 1)
        plan.labs = 1;

    s_need_t clouds[16], chips[16];
    size_t n_clouds = 0, n_chips = 0;
    for (size_t j = 0; j < me->n_deals; j++) {
        const Flywheel__V1__Deal *d = me->deals[j];
        if (!s_binding(d, ctx->seat, obs->tick))
            continue;
        if (d->terms->exclusive)
            plan.exclusive = d->investor;
        double share = d->terms->exclusive ? 1.0 : d->terms->min_cloud_share;
        if (share > 0)
            s_need(clouds, &n_clouds, 16, d->investor, share);
        if (d->terms->chip_family && d->terms->chip_family[0] && d->terms->min_chip_share > 0)
            s_need(chips, &n_chips, 16, d->terms->chip_family, d->terms->min_chip_share);
    }

    plan.quotes = fw_arena_calloc(arena, m->n_compute_quotes, sizeof *plan.quotes);
    const Flywheel__V1__Share **eff = s_efficiency_index(me, arena);
    double cheapest = 0;
    for (size_t i = 0; i < m->n_compute_quotes; i++) {
        const Flywheel__V1__ComputeQuote *q = m->compute_quotes[i];
        if (q->price <= 0 || q->capacity <= 0 || (double)q->price > plan.max_price)
            continue;
        s_quote_t *sq = &plan.quotes[plan.n++];
        sq->q = q;
        sq->order = i;
        sq->efficiency = s_efficiency(eff, eff ? me->n_efficiency : 0, q->family);
        sq->effective = s_credits(me, q->provider) > 0 ? 0.0 : (double)q->price / sq->efficiency;
        if (cheapest == 0 || (double)q->price < cheapest)
            cheapest = (double)q->price;
    }
    if (plan.n == 0)
        return FW_STRATEGY_OK;
    int by_names = 1;
    for (size_t i = 1; i < plan.n && by_names; i++)
        by_names = s_by_names(&plan.quotes[i - 1], &plan.quotes[i]) < 0;
    qsort(plan.quotes, plan.n, sizeof *plan.quotes,
          by_names ? s_by_effective_in_order : s_by_effective);

    /* How much to buy: serve the customers and train, as far as the budget (and the
     * credits) go at about the going price, so the shares the deals ask for hold. */
    double credits = 0;
    for (size_t i = 0; i < me->n_credits; i++)
        credits += (double)me->credits[i]->amount;
    double affordable = (plan.budget + credits) / (cheapest * (1.0 + plan.premium));
    int64_t target = fw_strategy_round(fmin((double)me->demand * (1.0 + train_ratio), affordable));
    if (target <= 0)
        return FW_STRATEGY_OK;

    /* The safety margin shrinks to what the shares leave free; deals that ask for more
     * than everything are scaled down together. */
    double asked = 0;
    for (size_t i = 0; i < n_clouds; i++)
        asked += clouds[i].share;
    double cloud_margin = n_clouds ? fmax(0.0, fmin(margin, (1.0 - asked) / (double)n_clouds)) : 0;
    double scale = asked > 1.0 ? 1.0 / asked : 1.0;
    bool bound = n_clouds > 0 || n_chips > 0;
    int64_t bought = 0;
    /* 1. each cloud a deal names, its share, on the mandated chips first where it has them */
    for (size_t i = 0; i < n_clouds; i++) {
        int64_t want = fw_strategy_round(fmin(1.0, clouds[i].share * scale + cloud_margin) *
                                         (double)target);
        int64_t got = 0;
        for (size_t c = 0; c < n_chips && got < want; c++)
            got += s_buy(&plan, want - got, clouds[i].id, chips[c].id, false, false, out, arena);
        if (got < want)
            got += s_buy(&plan, want - got, clouds[i].id, NULL, false, true, out, arena);
        bought += got;
    }
    /* 2. each mandated chip family, its share, counting what step 1 already bought */
    for (size_t c = 0; c < n_chips; c++) {
        int64_t want = fw_strategy_round(fmin(1.0, chips[c].share + margin) * (double)target);
        int64_t have = 0;
        for (size_t k = 0; k < plan.n; k++)
            if (strcmp(plan.quotes[k].q->family, chips[c].id) == 0)
                have += plan.quotes[k].taken;
        if (have < want)
            bought += s_buy(&plan, want - have, NULL, chips[c].id, false, true, out, arena);
    }
    /* 3. the rest, cheapest first */
    if (bought < target)
        s_buy(&plan, target - bought, NULL, NULL, !bound, false, out, arena);
    /* 4. top-ups: the deals count a cloud's share of spend, and clouds' prices differ,
     * so a cloud whose planned share of spend falls short gets the missing spend
     * (x >= (r S - S_c) / (1 - r)); a chip family short of its share of compute the
     * same way. Twice round, since each top-up dilutes the others. */
    for (int round = 0; round < 2 && bound; round++) {
        for (size_t i = 0; i < n_clouds; i++) {
            double r = fmin(0.999, clouds[i].share * scale + cloud_margin / 2.0);
            double total = 0, mine = 0, price = 0;
            for (size_t k = 0; k < plan.n; k++) {
                double spend = (double)plan.quotes[k].taken * (double)plan.quotes[k].q->price;
                total += spend;
                if (strcmp(plan.quotes[k].q->provider, clouds[i].id) == 0) {
                    mine += spend;
                    if (price == 0 || (double)plan.quotes[k].q->price < price)
                        price = (double)plan.quotes[k].q->price;
                }
            }
            if (price <= 0) {
                for (size_t k = 0; k < plan.n; k++)
                    if (strcmp(plan.quotes[k].q->provider, clouds[i].id) == 0 &&
                        (price == 0 || (double)plan.quotes[k].q->price < price))
                        price = (double)plan.quotes[k].q->price;
            }
            double missing = (r * total - mine) / (1.0 - r);
            if (missing > 0 && price > 0)
                s_buy(&plan, fw_strategy_round(ceil(missing / price)), clouds[i].id, NULL, false,
                      true, out, arena);
        }
        for (size_t c = 0; c < n_chips; c++) {
            double r = fmin(0.999, chips[c].share + margin / 2.0);
            double total = 0, mine = 0;
            for (size_t k = 0; k < plan.n; k++) {
                total += (double)plan.quotes[k].taken;
                if (strcmp(plan.quotes[k].q->family, chips[c].id) == 0)
                    mine += (double)plan.quotes[k].taken;
            }
            double missing = (r * total - mine) / (1.0 - r);
            if (missing > 0)
                s_buy(&plan, fw_strategy_round(ceil(missing)), NULL, chips[c].id, false, true,
                      out, arena);
        }
    }
    s_fit_budget(&plan, out);
    return FW_STRATEGY_OK;
}
