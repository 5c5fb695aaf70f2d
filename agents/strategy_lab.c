/* The "lab" strategy: an AI lab buys the compute its customers want, cheapest first.
 *
 * It wants me.demand. It spends at most min(cash * cash_fraction, demand * max_price)
 * a tick, so a lab does not burn its cash in one month. Last tick's compute quotes
 * are taken in order of price (ties by provider, then family, so the order never
 * depends on how the coordinator listed them); each bid asks for what is still
 * wanted, no more than the quote's capacity and what the budget covers at the bid's
 * max_price = min(max_price, quote * (1 + bid_premium)). Quotes above max_price are
 * skipped: the lab would rather lose revenue than serve it at a loss.
 *
 * Other labs bid on the same quotes, and an oversubscribed quote is rationed, so the
 * lab counts on only its fair share of a quote (capacity / number of labs) and goes
 * on to the next quote for the rest: otherwise every lab would pile onto the
 * cheapest cloud and leave the others idle.
 *
 * Parameters: max_price 2600, cash_fraction 1/6, bid_premium 0.1.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fw_strategy.h"

static int s_by_price(const void *a, const void *b)
{
    const Flywheel__V1__ComputeQuote *x = *(const Flywheel__V1__ComputeQuote *const *)a;
    const Flywheel__V1__ComputeQuote *y = *(const Flywheel__V1__ComputeQuote *const *)b;
    if (x->price != y->price)
        return x->price < y->price ? -1 : 1;
    int c = strcmp(x->provider, y->provider);
    if (c != 0)
        return c;
    c = strcmp(x->family, y->family);
    if (c != 0)
        return c;
    /* Larger capacity first: a total order even for duplicate quotes. */
    if (x->capacity != y->capacity)
        return x->capacity > y->capacity ? -1 : 1;
    return 0;
}

int fw_strategy_lab(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                    fw_rng_t *rng, Flywheel__V1__Actions *out, fw_arena_t *arena)
{
    const fw_strategy_params_t *p = ctx->params;
    const double max_price = fw_strategy_param(p, "max_price", 2600.0);
    const double cash_fraction = fw_strategy_param(p, "cash_fraction", 1.0 / 6.0);
    const double premium = fw_strategy_param(p, "bid_premium", 0.1);
    (void)rng; /* the lab's choice is fully determined by prices */

    if (!obs || !obs->me)
        return FW_STRATEGY_EINVAL;
    const Flywheel__V1__SeatView *me = obs->me;
    const Flywheel__V1__MarketView *m = obs->market;
    if (me->demand <= 0 || me->cash <= 0 || !m || m->n_compute_quotes == 0)
        return FW_STRATEGY_OK;

    double budget = fmin((double)me->cash * cash_fraction, (double)me->demand * max_price);
    int64_t wanted = me->demand;
    int64_t labs = 0;
    for (size_t i = 0; i < ctx->n_seats; i++)
        labs += ctx->seats[i]->role == FLYWHEEL__V1__ROLE__ROLE_LAB;
    if (labs < 1)
        labs = 1;

    const Flywheel__V1__ComputeQuote **quotes =
        fw_arena_calloc(arena, m->n_compute_quotes, sizeof *quotes);
    size_t n = 0;
    for (size_t i = 0; i < m->n_compute_quotes; i++) {
        const Flywheel__V1__ComputeQuote *q = m->compute_quotes[i];
        if (q->price > 0 && q->capacity > 0 && (double)q->price <= max_price)
            quotes[n++] = q;
    }
    qsort(quotes, n, sizeof *quotes, s_by_price);

    for (size_t i = 0; i < n && wanted > 0; i++) {
        const Flywheel__V1__ComputeQuote *q = quotes[i];
        double bid_max = fmin(floor(max_price), floor((double)q->price * (1.0 + premium)));
        int64_t bid_price = fw_strategy_round(bid_max);
        if (bid_price < q->price)
            bid_price = q->price; /* max_price >= q->price, checked above */
        int64_t affordable = fw_strategy_round(floor(budget / (double)bid_price));
        int64_t qty = wanted;
        if (qty > q->capacity)
            qty = q->capacity;
        if (qty > affordable)
            qty = affordable;
        if (qty <= 0)
            break; /* the budget is spent: dearer quotes cannot be afforded either */
        fw_actions_add_compute_bid(out, arena, q->provider, q->family, qty, bid_price);
        int64_t expected = q->capacity / labs;
        wanted -= qty < expected ? qty : (expected > 0 ? expected : 1);
        budget -= (double)qty * (double)bid_price;
    }
    return FW_STRATEGY_OK;
}
