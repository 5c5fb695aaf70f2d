/* The "hyperscaler" strategy: a cloud buys chips when its fleet is busy and sells its
 * installed compute at a price that follows utilisation.
 *
 * Utilisation is last tick's compute sold over the compute installed now.
 *
 * Chips: when utilisation is above target_utilisation * 0.8, or the fleet (installed
 * plus incoming) is under min_installed, or the cloud puts unsold compute to work in
 * its own operations (internal_use = 1: then every chip is busy), it spends its
 * capex plan (fw_strategy_capex_plan), plus what a shortage kept it from spending last
 * tick, at most capex_cash_share x cash, across the families it may buy: never
 * a family captive to another cloud, never one without a quote. The budget is split
 * by performance per dollar at the quoted price, with its own captive family (if any)
 * weighted by captive_bonus, since the cloud designed it for itself, and each weighted
 * by how much of that family's compute it sold last tick (0.5 + utilisation): chips
 * that labs ask for are bought again. Each order's
 * max_price is the quote plus order_premium, so a small price rise does not void it.
 *
 * Compute: one offer per installed family, all of that family's compute, at the
 * cloud's last own price for it (compute_price when it has none), raised by
 * price_step when utilisation is above target, lowered by price_step when it is more
 * than 0.2 below, with a +-jitter draw from the seat's stream, never below min_price.
 *
 * The capex plan follows demand. Its prior is capex_per_tick x (1 + capex_growth)^(tick
 * - 1), the path the cloud announced; demand corrects it by a factor
 *   1 + capex_backlog x backlog + capex_util x (utilisation - target_utilisation)
 *     + capex_return x clamp(return / return_hurdle - 1, -1, 1),
 * held within [capex_min_factor, capex_max_factor]. The backlog is the compute labs
 * bid for on its offers last tick and did not get (their rationed part), over its
 * fleet; the utilisation term is left out for a cloud that runs its idle compute
 * itself (internal_use) or is still building its first fleet (under min_installed),
 * since neither has idle compute to judge by; the return is last tick's revenue
 * beyond its base business (compute sold and own-use value) over the book value of
 * its chips. Returns feed back: reinvest_share of what the labs it backs paid it a
 * month (each deal's `returned` over its age) is added to the plan. The factor has
 * no memory; the fleet does: a backlog met by new chips stops raising the plan.
 * A company that owns compute for its own business only (sells_compute = 0, which
 * Flywheel's coordinator adds to the parameters of a seat with `sells_compute: false`,
 * e.g. Meta) posts no compute offers; with internal_use = 1 it still buys to its plan.
 *
 * Investing: see fw_strategy_invest; a cloud mandates its own captive family, if any.
 *
 * Parameters: capex_per_tick 1e9, capex_growth 0, internal_use 0, capex_cash_share 0.3,
 * sells_compute 1,
 * target_utilisation 0.85,
 * price_step 0.02, compute_price 1800, min_price 600, order_premium 0.05,
 * captive_bonus 1.5, min_installed 10000, jitter 0.005, capex_backlog 1,
 * capex_util 1, capex_return 0.2, return_hurdle 0.04, capex_min_factor 0.5,
 * capex_max_factor 2, reinvest_share 0.5.
 */
#include <math.h>
#include <string.h>

#include "fw_strategy.h"

/* What the budget split reads for each family, looked up once per tick: the split runs
 * over every family a few times, and each lookup would otherwise scan the quotes or
 * the fleet. Indices are Welcome order. */
typedef struct {
    const Flywheel__V1__ChipQuote **quote; /* lowest-priced live quote, or NULL */
    double *weight;                        /* buying weight, 0 if it cannot be bought */
} s_families_t;

/* Each installed holding's family index in the Welcome (n_families when it is not
 * there). Holdings come in family order from Flywheel's coordinator, so each lookup
 * starts where the last one ended. */
static size_t *s_holding_families(const fw_strategy_ctx_t *ctx,
                                  const Flywheel__V1__SeatView *me, fw_arena_t *arena)
{
    size_t *held = fw_arena_calloc(arena, me->n_installed ? me->n_installed : 1,
                                   sizeof *held);
    size_t at = 0;
    for (size_t i = 0; i < me->n_installed; i++) {
        held[i] = fw_strategy_family_index(ctx, me->installed[i]->family, at);
        if (held[i] < ctx->n_families)
            at = held[i];
    }
    return held;
}

/* Whether this cloud may buy `fam`: open families and its own captive ones. */
static bool s_may_buy(const fw_strategy_ctx_t *ctx, const Flywheel__V1__ChipFamily *fam)
{
    return fam->captive_of[0] == '\0' || strcmp(fam->captive_of, ctx->seat) == 0;
}

/* Fills f->quote and f->weight. A family's weight is H100-equivalents per dollar, more
 * for the families whose compute sells (labs asking for a chip shows up here), 0 if it
 * cannot be bought. A family's utilisation is how much of its installed compute the
 * cloud sold last tick, over every holding of it (-1 if it has none). Quotes come in
 * family order from Flywheel's coordinator, so each lookup starts where the last one
 * ended. Quotes and holdings (`held`: their family indices) are read in list order, so
 * sums and ties come out as a scan per family would give them. */
static void s_families(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                       const size_t *held, double captive_bonus, s_families_t *f,
                       fw_arena_t *arena)
{
    const size_t n = ctx->n_families;
    const Flywheel__V1__MarketView *m = obs->market;
    const Flywheel__V1__SeatView *me = obs->me;
    double *compute = fw_arena_calloc(arena, n ? n : 1, sizeof *compute);
    double *sold = fw_arena_calloc(arena, n ? n : 1, sizeof *sold);
    f->quote = fw_arena_calloc(arena, n ? n : 1, sizeof *f->quote);
    f->weight = fw_arena_calloc(arena, n ? n : 1, sizeof *f->weight);

    size_t at = 0;
    for (size_t i = 0; m && i < m->n_chip_quotes; i++) {
        const Flywheel__V1__ChipQuote *q = m->chip_quotes[i];
        if (q->price <= 0 || q->quantity <= 0)
            continue;
        size_t k = fw_strategy_family_index(ctx, q->family, at);
        if (k == n)
            continue;
        at = k;
        if (!f->quote[k] || q->price < f->quote[k]->price)
            f->quote[k] = q;
    }
    for (size_t i = 0; i < me->n_installed; i++) {
        if (held[i] == n)
            continue;
        compute[held[i]] += (double)me->installed[i]->compute;
        sold[held[i]] += (double)me->installed[i]->sold;
    }
    for (size_t k = 0; k < n; k++) {
        const Flywheel__V1__ChipFamily *fam = ctx->families[k];
        const Flywheel__V1__ChipQuote *q = f->quote[k];
        if (!s_may_buy(ctx, fam) || fam->perf_milli == 0 || !q)
            continue;
        double w = ((double)fam->perf_milli / 1000.0) / (double)q->price;
        if (fam->captive_of[0] != '\0')
            w *= captive_bonus;
        double util = compute[k] > 0 ? sold[k] / compute[k] : -1.0;
        w *= 0.5 + (util < 0 ? 0.5 : fmin(util, 1.5));
        f->weight[k] = w;
    }
}

static void s_order_chips(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                          const size_t *held, double budget, Flywheel__V1__Actions *out,
                          fw_arena_t *arena)
{
    const fw_strategy_params_t *p = ctx->params;
    const double premium = fw_strategy_param(p, "order_premium", 0.05);
    const double captive_bonus = fw_strategy_param(p, "captive_bonus", 1.5);
    const size_t n = ctx->n_families;
    double *units = fw_arena_calloc(arena, n ? n : 1, sizeof *units);
    bool *full = fw_arena_calloc(arena, n ? n : 1, sizeof *full);
    s_families_t fams;
    s_families(ctx, obs, held, captive_bonus, &fams, arena);

    /* Split the budget by weight; a family whose offer is used up hands the rest of
     * its part to the others (a few rounds of water-filling), so a cheap captive chip
     * in short supply does not leave the budget unspent. Families in Welcome order:
     * the split does not depend on quote order. */
    /* Other clouds order the open families too, and an oversubscribed offer is rationed:
     * count on a fair share (quantity / clouds) of each, except the most plentiful open
     * family, which takes whatever the budget has left. */
    int64_t clouds = (int64_t)ctx->n_clouds; /* counted once per seat, or else here */
    if (clouds == 0)
        for (size_t i = 0; i < ctx->n_seats; i++)
            clouds += ctx->seats[i]->role == FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER;
    if (clouds < 1)
        clouds = 1;
    size_t plentiful = n; /* none */
    double most = 0.0;
    for (size_t i = 0; i < n; i++) {
        const Flywheel__V1__ChipFamily *fam = ctx->families[i];
        const Flywheel__V1__ChipQuote *q = fams.quote[i];
        if (q && fam->captive_of[0] == '\0' && (double)q->quantity * (double)q->price > most) {
            most = (double)q->quantity * (double)q->price;
            plentiful = i;
        }
    }
    double left = budget;
    for (int round = 0; round < 4 && left > 1.0; round++) {
        double total = 0.0;
        for (size_t i = 0; i < n; i++)
            if (!full[i])
                total += fams.weight[i];
        if (total <= 0.0)
            break;
        double spent = 0.0;
        for (size_t i = 0; i < n; i++) {
            const Flywheel__V1__ChipFamily *fam = ctx->families[i];
            double w = full[i] ? 0.0 : fams.weight[i];
            if (w <= 0.0)
                continue;
            const Flywheel__V1__ChipQuote *q = fams.quote[i];
            double want = floor(left * (w / total) / (double)q->price);
            double cap = (double)q->quantity;
            if (fam->captive_of[0] == '\0' && i != plentiful)
                cap = floor(cap / (double)clouds);
            if (units[i] + want >= cap) {
                want = cap - units[i];
                full[i] = true;
            }
            units[i] += want;
            spent += want * (double)q->price;
        }
        left -= spent;
    }
    for (size_t i = 0; i < n; i++) {
        const Flywheel__V1__ChipFamily *fam = ctx->families[i];
        int64_t u = fw_strategy_round(units[i]);
        if (u <= 0)
            continue;
        const Flywheel__V1__ChipQuote *q = fams.quote[i];
        int64_t max_price = fw_strategy_round(ceil((double)q->price * (1.0 + premium)));
        fw_actions_add_chip_order(out, arena, fam->id, u, max_price);
    }
}

/* Whether installed[i] is the first holding of its family (later ones are summed in),
 * for a family not in the Welcome: the others are found by index. */
static bool s_first_of_family(const Flywheel__V1__SeatView *me, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (fw_strategy_same_id(me->installed[j]->family, me->installed[i]->family))
            return false;
    return true;
}

static void s_offer_compute(const fw_strategy_ctx_t *ctx,
                            const Flywheel__V1__TickStart *obs, const size_t *held,
                            double util, fw_rng_t *rng, Flywheel__V1__Actions *out,
                            fw_arena_t *arena)
{
    const fw_strategy_params_t *p = ctx->params;
    const double target = fw_strategy_param(p, "target_utilisation", 0.85);
    const double step = fw_strategy_param(p, "price_step", 0.02);
    const double opening = fw_strategy_param(p, "compute_price", 1800.0);
    const double min_price = fw_strategy_param(p, "min_price", 600.0);
    const double jitter = fw_strategy_param(p, "jitter", 0.005);
    const Flywheel__V1__SeatView *me = obs->me;
    const size_t n = ctx->n_families;
    const fw_quote_span_t own = fw_strategy_provider_quotes(obs->market, ctx->seat);

    /* Each family's first holding and its compute, summed over its holdings in order. */
    size_t *first = fw_arena_calloc(arena, n ? n : 1, sizeof *first);
    int64_t *total = fw_arena_calloc(arena, n ? n : 1, sizeof *total);
    for (size_t k = 0; k < n; k++)
        first[k] = me->n_installed;
    for (size_t i = 0; i < me->n_installed; i++) {
        size_t k = held[i];
        if (k == n)
            continue;
        if (first[k] == me->n_installed)
            first[k] = i;
        if (me->installed[i]->compute > 0)
            total[k] += me->installed[i]->compute;
    }
    for (size_t i = 0; i < me->n_installed; i++) {
        const char *family = me->installed[i]->family;
        int64_t compute = 0;
        if (held[i] < n) {
            if (first[held[i]] != i)
                continue;
            compute = total[held[i]];
        } else {
            if (!s_first_of_family(me, i))
                continue;
            for (size_t j = i; j < me->n_installed; j++)
                if (fw_strategy_same_id(me->installed[j]->family, family) &&
                    me->installed[j]->compute > 0)
                    compute += me->installed[j]->compute;
        }
        if (compute <= 0)
            continue;

        const Flywheel__V1__ComputeQuote *q =
            fw_strategy_compute_quote(obs->market, own, ctx->seat, family);
        double price;
        if (q && q->price > 0) {
            price = (double)q->price;
            if (util > target)
                price *= 1.0 + step;
            else if (util < target - 0.2)
                price *= 1.0 - step;
        } else {
            price = opening; /* nothing sold yet to judge utilisation by */
        }
        price *= 1.0 + jitter * (2.0 * fw_rng_uniform(rng) - 1.0);
        int64_t offer = fw_strategy_round(price);
        int64_t floor_price = fw_strategy_round(ceil(min_price));
        if (offer < floor_price)
            offer = floor_price;
        if (offer < 1)
            offer = 1;
        fw_actions_add_compute_offer(out, arena, family, offer, compute);
    }
}

/* Compute in service and on order, H100-equivalent months a tick. */
typedef struct {
    double installed, incoming, sold, unmet;
} s_fleet_t;

static s_fleet_t s_fleet(const Flywheel__V1__SeatView *me)
{
    s_fleet_t f = {0.0, 0.0, 0.0, 0.0};
    for (size_t i = 0; i < me->n_installed; i++) {
        const Flywheel__V1__Holding *h = me->installed[i];
        if (h->compute > 0)
            f.installed += (double)h->compute;
        if (h->asked > h->sold && h->sold >= 0)
            f.unmet += (double)(h->asked - h->sold);
    }
    for (size_t i = 0; i < me->n_incoming; i++)
        if (me->incoming[i]->compute > 0)
            f.incoming += (double)me->incoming[i]->compute;
    return f;
}

/* What the labs this cloud backs paid it a month: each deal's revenue since signing
 * over the ticks since (a deal signed this tick has paid nothing yet). */
static double s_returned_a_month(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs)
{
    double sum = 0.0;
    for (size_t i = 0; i < obs->me->n_deals; i++) {
        const Flywheel__V1__Deal *d = obs->me->deals[i];
        if (strcmp(d->investor, ctx->seat) != 0 || d->returned <= 0 || obs->tick <= d->signed_tick)
            continue;
        sum += (double)d->returned / (double)(obs->tick - d->signed_tick);
    }
    return sum;
}

fw_capex_plan_t fw_strategy_capex_plan(const fw_strategy_ctx_t *ctx,
                                       const Flywheel__V1__TickStart *obs)
{
    const fw_strategy_params_t *p = ctx->params;
    const double capex = fw_strategy_param(p, "capex_per_tick", 1e9);
    const double growth = fw_strategy_param(p, "capex_growth", 0.0);
    const double target = fw_strategy_param(p, "target_utilisation", 0.85);
    const double min_installed = fw_strategy_param(p, "min_installed", 10000.0);
    const bool internal = fw_strategy_param(p, "internal_use", 0.0) > 0.5;
    const double w_backlog = fw_strategy_param(p, "capex_backlog", 1.0);
    const double w_util = fw_strategy_param(p, "capex_util", 1.0);
    const double w_return = fw_strategy_param(p, "capex_return", 0.2);
    const double hurdle = fw_strategy_param(p, "return_hurdle", 0.04);
    const double lo = fw_strategy_param(p, "capex_min_factor", 0.5);
    const double hi = fw_strategy_param(p, "capex_max_factor", 2.0);
    const double reinvest = fw_strategy_param(p, "reinvest_share", 0.5);
    const Flywheel__V1__SeatView *me = obs->me;
    const s_fleet_t fleet = s_fleet(me);
    fw_capex_plan_t c = {0};

    c.prior = capex * pow(1.0 + growth, (double)(obs->tick > 0 ? obs->tick - 1 : 0));
    c.backlog = fleet.installed > 0.0 ? fleet.unmet / fleet.installed : 0.0;
    double factor = 1.0 + w_backlog * c.backlog;
    if (!internal && fleet.installed + fleet.incoming >= min_installed && fleet.installed > 0.0)
        factor += w_util * ((double)me->compute_last / fleet.installed - target);
    c.ret = -1.0;
    if (obs->tick > 1 && me->equipment > 0 && hurdle > 0.0) { /* tick 1: nothing sold yet */
        c.ret = (double)(me->revenue_last - me->base_revenue) / (double)me->equipment;
        factor += w_return * fmin(1.0, fmax(-1.0, c.ret / hurdle - 1.0));
    }
    c.factor = fmin(hi, fmax(lo, factor));
    c.reinvest = reinvest * s_returned_a_month(ctx, obs);
    c.plan = c.prior * c.factor + c.reinvest;
    return c;
}

int fw_strategy_hyperscaler(const fw_strategy_ctx_t *ctx,
                            const Flywheel__V1__TickStart *obs, fw_rng_t *rng,
                            Flywheel__V1__Actions *out, fw_arena_t *arena)
{
    const fw_strategy_params_t *p = ctx->params;
    const double cash_share = fw_strategy_param(p, "capex_cash_share", 0.3);
    const double target = fw_strategy_param(p, "target_utilisation", 0.85);
    const double min_installed = fw_strategy_param(p, "min_installed", 10000.0);
    const double growth = fw_strategy_param(p, "capex_growth", 0.0);
    const bool internal = fw_strategy_param(p, "internal_use", 0.0) > 0.5;

    if (!obs || !obs->me)
        return FW_STRATEGY_EINVAL;
    const Flywheel__V1__SeatView *me = obs->me;
    const size_t *held = s_holding_families(ctx, me, arena);
    const s_fleet_t fleet = s_fleet(me);
    const double util = fleet.installed > 0.0 ? (double)me->compute_last / fleet.installed : 0.0;

    const bool busy = util > target * 0.8 || internal;
    const bool small = fleet.installed + fleet.incoming < min_installed;
    if ((busy || small) && me->cash > 0) {
        const fw_capex_plan_t c = fw_strategy_capex_plan(ctx, obs);
        double plan = c.plan;
        /* What rationing kept it from spending last tick is spent now (at most one
         * tick's plan more), so a cloud that lost out in a shortage orders again. Last
         * tick's plan is taken as this one's, a month of the prior's growth earlier. */
        if (obs->tick > 1) {
            double last_plan = c.prior / (1.0 + growth) * c.factor + c.reinvest;
            plan += fmin(plan, fmax(0.0, last_plan - (double)me->chip_spend_last));
        }
        double budget = fmin(plan, cash_share * (double)me->cash);
        if (budget > 0.0)
            s_order_chips(ctx, obs, held, budget, out, arena);
    }
    if (fw_strategy_param(p, "sells_compute", 1.0) > 0.5)
        s_offer_compute(ctx, obs, held, util, rng, out, arena);
    const char *mandate = NULL;
    for (size_t i = 0; i < ctx->n_families && !mandate; i++)
        if (strcmp(ctx->families[i]->captive_of, ctx->seat) == 0)
            mandate = ctx->families[i]->id;
    fw_strategy_invest(ctx, obs, rng, mandate, out, arena);
    return FW_STRATEGY_OK;
}
