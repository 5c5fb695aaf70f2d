/* The "vendor" strategy: a chip vendor offers all it can make of each of its own
 * families, at a price that follows demand.
 *
 * The price starts from the family's last posted quote (or opening_markup times the
 * unit cost when there is none) and follows that family's orders: the demand ratio is
 * what buyers asked for last tick (Capacity.ordered: the clouds' orders before
 * rationing, and what outside buyers wanted) over the quantity it offered. At or above
 * sold_out the price rises by price_step x the ratio, at most twice price_step a tick
 * (a family rationed two to one rises twice as fast as one just sold out); below it
 * the price eases, by price_step at a ratio of `slack` or less and proportionally in
 * between. A family it offered nothing of last tick keeps its price. A jitter of
 * +-jitter from the seat's stream keeps identical vendors from moving in lock step,
 * and the price never goes below unit_cost * (1 + min_margin): a vendor does not sell
 * at a loss to clear stock. What it can make is the coordinator's (Capacity.units,
 * which grows faster while orders exceed it: fw_stage_chips.c): the vendor offers
 * all of it.
 *
 * Investing: see fw_strategy_invest; a vendor mandates its first family.
 *
 * Parameters (Welcome.params): price_step 0.03, min_margin 0.2, jitter 0.005,
 * opening_markup 3, sold_out 0.98, slack 0.5.
 */
#include <math.h>
#include <string.h>

#include "fw_strategy.h"

/* The vendor's own last quote of each family, from the chip quotes (by Welcome index;
 * the first in list order, NULL if none). Only its own quotes need a family lookup,
 * and those come in family order from Flywheel's coordinator, starting at its first
 * family `hint`. */
static void s_own_quotes(const fw_strategy_ctx_t *ctx, const Flywheel__V1__MarketView *m,
                         size_t hint, const Flywheel__V1__ChipQuote **own)
{
    for (size_t i = 0; m && i < m->n_chip_quotes; i++) {
        const Flywheel__V1__ChipQuote *q = m->chip_quotes[i];
        if (strcmp(q->vendor, ctx->seat) != 0)
            continue;
        size_t k = fw_strategy_family_index(ctx, q->family, hint);
        if (k < ctx->n_families) {
            hint = k;
            if (!own[k])
                own[k] = q;
        }
    }
}

/* The price move a demand ratio calls for, as a factor on last tick's price. */
static double s_price_move(double ratio, double step, double sold_out, double slack)
{
    if (ratio >= sold_out)
        return 1.0 + step * fmin(ratio, 2.0);
    double ease = sold_out > slack ? (sold_out - ratio) / (sold_out - slack) : 1.0;
    return 1.0 - step * fmin(1.0, ease);
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
    const double slack = fw_strategy_param(p, "slack", 0.5);

    if (!obs || !obs->me)
        return FW_STRATEGY_EINVAL;
    /* Its first family: the mandate, and where its families start in the Welcome. */
    const size_t n = ctx->n_families;
    size_t first = 0;
    while (first < n && strcmp(ctx->families[first]->vendor, ctx->seat) != 0)
        first++;
    const Flywheel__V1__ChipQuote **own = fw_arena_calloc(arena, n ? n : 1, sizeof *own);
    s_own_quotes(ctx, obs->market, first, own);

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
            if (quote->quantity > 0) /* orders over what it offered */
                price *= s_price_move((double)(cap->ordered > 0 ? cap->ordered : 0) /
                                          (double)quote->quantity,
                                      step, sold_out, slack);
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
