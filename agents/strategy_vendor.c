/* The "vendor" strategy: a chip vendor offers all it can make of each of its own
 * families, at a price that follows demand.
 *
 * The price starts from the family's last posted quote (or opening_markup times the
 * unit cost when there is none). Sell-through last tick is estimated from what the
 * seat sees: revenue_last over the value it put on offer (sum of price * quantity of
 * its own quotes). Sold out (>= sold_out) raises the price by price_step; under half
 * sold lowers it by price_step. A jitter of +-jitter from the seat's stream keeps
 * identical vendors from moving in lock step, and the price never goes below
 * unit_cost * (1 + min_margin): a vendor does not sell at a loss to clear stock.
 *
 * Investing: see fw_strategy_invest; a vendor mandates its first family.
 *
 * Parameters (Welcome.params): price_step 0.03, min_margin 0.2, jitter 0.005,
 * opening_markup 3, sold_out 0.98.
 */
#include <math.h>
#include <string.h>

#include "fw_strategy.h"

/* What the vendor reads from the chip quotes, in one pass over them: its own last
 * quote of each family (by Welcome index; the first in list order, NULL if none) and
 * the value it offered last tick (sum of price * quantity of its live quotes, in list
 * order). Only its own quotes need a family lookup, and those come in family order
 * from Flywheel's coordinator, starting at its first family `hint`. */
static double s_own_quotes(const fw_strategy_ctx_t *ctx, const Flywheel__V1__MarketView *m,
                           size_t hint, const Flywheel__V1__ChipQuote **own)
{
    double offered = 0.0;
    for (size_t i = 0; m && i < m->n_chip_quotes; i++) {
        const Flywheel__V1__ChipQuote *q = m->chip_quotes[i];
        if (strcmp(q->vendor, ctx->seat) != 0)
            continue;
        if (q->price > 0 && q->quantity > 0)
            offered += (double)q->price * (double)q->quantity;
        size_t k = fw_strategy_family_index(ctx, q->family, hint);
        if (k < ctx->n_families) {
            hint = k;
            if (!own[k])
                own[k] = q;
        }
    }
    return offered;
}

int fw_strategy_vendor(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                       fw_rng_t *rng, Flywheel__V1__Actions *out, fw_arena_t *arena)
{
    const fw_strategy_params_t *p = ctx->params;
    const double step = fw_strategy_param(p, "price_step", 0.03);
    const double min_margin = fw_strategy_param(p, "min_margin", 0.2);
    const double jitter = fw_strategy_param(p, "jitter", 0.005);
    const double markup = fw_strategy_param(p, "opening_markup", 3.0);
    const double sold_out = fw_strategy_param(p, "sold_out", 0.98);

    if (!obs || !obs->me)
        return FW_STRATEGY_EINVAL;
    /* Its first family: the mandate, and where its families start in the Welcome. */
    const size_t n = ctx->n_families;
    size_t first = 0;
    while (first < n && strcmp(ctx->families[first]->vendor, ctx->seat) != 0)
        first++;
    const Flywheel__V1__ChipQuote **own = fw_arena_calloc(arena, n ? n : 1, sizeof *own);
    const double offered = s_own_quotes(ctx, obs->market, first, own);
    /* Revenue last tick over the value offered last tick, or -1 when it offered nothing
     * (first tick): then the price is left where it was. */
    const double sell_through =
        offered <= 0.0 ? -1.0 : (double)obs->me->revenue_last / offered;

    size_t at = first;
    for (size_t i = 0; i < obs->me->n_capacity; i++) {
        const Flywheel__V1__Capacity *cap = obs->me->capacity[i];
        const size_t k = fw_strategy_family_index(ctx, cap->family, at);
        if (k == n)
            continue;
        at = k;
        const Flywheel__V1__ChipFamily *fam = ctx->families[k];
        /* Only our own families: the coordinator would reject the rest anyway. */
        if (strcmp(fam->vendor, ctx->seat) != 0 || cap->units <= 0)
            continue;
        const int64_t unit_cost = cap->unit_cost > 0 ? cap->unit_cost : fam->unit_cost;
        const Flywheel__V1__ChipQuote *quote = own[k];

        double price;
        if (quote && quote->price > 0) {
            price = (double)quote->price;
            if (sell_through >= sold_out)
                price *= 1.0 + step;
            else if (sell_through >= 0.0 && sell_through < 0.5)
                price *= 1.0 - step;
        } else {
            /* The scenario's opening list price, or a markup on cost without one. */
            price = fam->opening_price > 0 ? (double)fam->opening_price
                                           : (double)unit_cost * markup;
        }
        /* One draw per offer, always, so the stream's use does not depend on prices. */
        price *= 1.0 + jitter * (2.0 * fw_rng_uniform(rng) - 1.0);

        int64_t floor_price = fw_strategy_round(ceil((double)unit_cost * (1.0 + min_margin)));
        int64_t offer = fw_strategy_round(price);
        if (offer < floor_price)
            offer = floor_price;
        if (offer < 1)
            offer = 1;
        fw_actions_add_chip_offer(out, arena, cap->family, offer, cap->units);
    }
    fw_strategy_invest(ctx, obs, rng, first < n ? ctx->families[first]->id : NULL, out,
                       arena);
    return FW_STRATEGY_OK;
}
