/* fw_opening: the market at tick 0, from the scenario.
 *
 * Opening cash and chips in service against the owners' capital; labs' positions,
 * reach and cap tables; the deals in force at the start (stakes and unused credits);
 * and the quotes the first tick's views show. Runs once, before the first stage.
 */
#include <math.h>

#include "fw_stages.h"

/* Opening position: cash and the chips in service, against the owners' capital.
 * Installed chips start at mixed ages (four lots with a quarter, half, three
 * quarters and all of their life left) so the base does not retire in one tick. */
static int s_open_books(fw_market_t *m)
{
    const fw_scenario_t *sc = m->sc;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_t *seat = &sc->seats[s];
        if (fw_ledger_transfer(m->ledger, fw_acc(s, FW_ACC_CAPITAL), fw_acc(s, FW_ACC_CASH),
                               seat->cash, "opening cash") != FW_LEDGER_OK)
            return -1;
        for (size_t i = 0; i < seat->n_installed; i++) {
            const fw_installed_t *in = &seat->installed[i];
            const fw_family_t *f = &sc->families[in->family];
            int64_t left = in->units;
            for (int q = 1; q <= 4; q++) {
                int64_t units = q == 4 ? left : in->units / 4;
                uint32_t life = (uint32_t)(((uint64_t)f->life * (uint64_t)q + 3) / 4);
                int64_t book = units * f->price / 4 * q;
                left -= units;
                if (units <= 0)
                    continue;
                if (life == 0)
                    life = 1;
                fm_add_lot(m, s, in->family, units, book, 0, 1 + life);
                if (fw_ledger_transfer(m->ledger, fw_acc(s, FW_ACC_CAPITAL),
                                       fw_acc(s, FW_ACC_EQUIPMENT), book,
                                       "opening equipment") != FW_LEDGER_OK)
                    return -1;
            }
        }
        m->seats[s].base_revenue = (double)seat->base_revenue;
        m->seats[s].own_business = (double)seat->own_business;
    }
    for (uint32_t f = 0; f < m->n_families; f++)
        m->capacity[f] = (double)sc->families[f].capacity;
    return 0;
}

/* The first tick's view shows the scenario's opening prices as if posted the tick
 * before: vendors' list prices and capacity, clouds' compute prices on what they have
 * in service. Without them nobody could act in tick 1. */
static void s_opening_quotes(fw_market_t *m)
{
    const fw_scenario_t *sc = m->sc;
    for (uint32_t f = 0; f < m->n_families; f++)
        m->chip_offers[f] = (fw_offer_t){1, sc->families[f].price,
                                         (int64_t)floor(m->capacity[f]), 0, 0};
    for (uint32_t s = 0; s < m->n_seats; s++) {
        if (sc->seats[s].role != FW_ROLE_HYPERSCALER || sc->seats[s].compute_price <= 0)
            continue;
        for (uint32_t f = 0; f < m->n_families; f++) {
            int64_t have = fm_installed_at(m, s, (int)f, 1);
            if (have > 0)
                fm_post_compute_offer(m, (size_t)s * m->n_families + f,
                                      sc->seats[s].compute_price, have);
        }
    }
}

typedef struct {
    const char *seat, *family; /* ids */
    size_t index;              /* seat * n_families + family */
} s_quote_key_t;

static int s_by_ids(const void *a, const void *b)
{
    const s_quote_key_t *x = a, *y = b;
    int c = strcmp(x->seat, y->seat);
    return c ? c : strcmp(x->family, y->family);
}

/* The order of the compute quotes agents see: by seat id, then family id. Names never
 * change, so it is sorted once here rather than by every agent every tick; ties
 * between equal prices go to this order. */
static int s_quote_order(fw_market_t *m)
{
    size_t n = (size_t)m->n_seats * m->n_families;
    s_quote_key_t *keys = calloc(n ? n : 1, sizeof *keys);
    m->quote_rank = calloc(n ? n : 1, sizeof *m->quote_rank);
    if (!keys || !m->quote_rank) {
        free(keys);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = (s_quote_key_t){m->sc->seats[i / m->n_families].id,
                                  m->sc->families[i % m->n_families].id, i};
    qsort(keys, n, sizeof *keys, s_by_ids);
    for (size_t i = 0; i < n; i++)
        m->quote_rank[keys[i].index] = i;
    free(keys);
    return 0;
}

/* ---- opening ---------------------------------------------------------------------------- */

static int s_open_lab(fw_market_t *m, uint32_t s, double total_income, double total_attract)
{
    const fw_seat_t *seat = &m->sc->seats[s];
    const fw_market_params_t *P = &m->sc->market;
    fw_seat_state_t *st = &m->seats[s];
    st->skill = calloc(m->n_families, sizeof *st->skill);
    st->cum_family = calloc(m->n_families, sizeof *st->cum_family);
    st->family_tick = calloc(m->n_families, sizeof *st->family_tick);
    st->cloud_spend = calloc(m->n_seats, sizeof *st->cloud_spend);
    st->bid_cloud = calloc(m->n_seats, sizeof *st->bid_cloud);
    st->bid_family = calloc(m->n_families, sizeof *st->bid_family);
    if (!st->skill || !st->cum_family || !st->family_tick || !st->cloud_spend ||
        !st->bid_cloud || !st->bid_family)
        return -1;
    for (uint32_t f = 0; f < m->n_families; f++)
        st->skill[f] = seat->skill && seat->skill[f] > 0 ? seat->skill[f] : 0.6;
    st->capability = fm_pos(seat->capability, 1.0);
    st->cap_base = st->capability;
    /* Reach is scaled so that the opening split of customers' spending matches each
     * lab's opening demand x revenue_per_compute: the scenario's revenue figures hold
     * at the start, and capability, price and shocks move shares from there. */
    double income = (double)seat->demand * (double)seat->revenue_per_compute;
    double attract = pow(st->capability, P->capability_weight) *
                     pow(fm_pos(seat->price_index, 1.0), -P->price_weight);
    double reach = fm_pos(seat->reach, 1.0);
    if (total_income > 0 && total_attract > 0 && attract > 0)
        st->reach = reach * (income / total_income) / (attract / total_attract);
    else
        st->reach = reach;
    st->share = total_income > 0 ? income / total_income : 0.0;
    st->last_round = seat->valuation;
    st->valuation = seat->valuation;
    st->compliant = 1;
    fw_holder_t *founders = fm_holder(m, s, -1);
    founders->fraction = 1.0;
    return 0;
}

static int s_open_deal(fw_market_t *m, const fw_initial_deal_t *d)
{
    const fw_terms_t *T = &d->terms;
    fw_seat_state_t *lab = &m->seats[T->lab];
    int inv = T->investor;
    if (inv >= 0 && d->equity > 0) {
        double equity = d->equity > 0.95 ? 0.95 : d->equity;
        fm_issue(m, (uint32_t)T->lab, inv, equity, T->amount);
        /* Stakes open at their value under the lab's opening valuation. */
        int64_t value = llround(equity * (double)lab->valuation);
        fw_holder_t *h = fm_holder(m, (uint32_t)T->lab, inv);
        h->value += value;
        if (fw_ledger_transfer(m->ledger, fw_acc((uint32_t)inv, FW_ACC_CAPITAL),
                               fw_acc((uint32_t)inv, FW_ACC_STAKES), value,
                               "opening stake") != FW_LEDGER_OK)
            return -1;
    }
    if (inv >= 0 && d->credits_left > 0) {
        fw_leg_t legs[4] = {
            {fw_acc((uint32_t)T->lab, FW_ACC_CREDITS), d->credits_left},
            {fw_acc((uint32_t)T->lab, FW_ACC_CAPITAL), -d->credits_left},
            {fw_acc((uint32_t)inv, FW_ACC_CAPITAL), d->credits_left},
            {fw_acc((uint32_t)inv, FW_ACC_DEFERRED), -d->credits_left},
        };
        if (fw_ledger_post(m->ledger, legs, 4, "opening credits") != FW_LEDGER_OK)
            return -1;
    }
    fw_deal_t *deal = fm_add_deal(m, T);
    deal->id = ++m->next_id;
    deal->signed_tick = 0;
    deal->ends = T->duration;
    deal->equity = d->equity;
    deal->credits_left = inv >= 0 ? d->credits_left : 0;
    deal->compliant = 1;
    if (inv >= 0 && T->amount > 0)
        fm_invested(m, (uint32_t)T->lab, inv, T->amount);
    return 0;
}

int fw_opening(fw_market_t *m)
{
    const fw_scenario_t *sc = m->sc;
    const fw_market_params_t *P = &sc->market;
    double total_income = 0, total_attract = 0;

    fw_ledger_begin_tick(m->ledger);
    if (s_open_books(m) != 0)
        return -1;
    for (uint32_t f = 0; f < m->n_families; f++) {
        m->maturity[f] = sc->families[f].maturity;
        m->supply_factor[f] = 1.0;
    }
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_t *seat = &sc->seats[s];
        if (seat->role != FW_ROLE_LAB)
            continue;
        total_income += (double)seat->demand * (double)seat->revenue_per_compute;
        total_attract += pow(fm_pos(seat->capability, 1.0), P->capability_weight) *
                         pow(fm_pos(seat->price_index, 1.0), -P->price_weight);
    }
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_t *seat = &sc->seats[s];
        fw_seat_state_t *st = &m->seats[s];
        if (seat->role == FW_ROLE_LAB) {
            if (s_open_lab(m, s, total_income, total_attract) != 0)
                return -1;
        } else {
            double multiple = seat->role == FW_ROLE_HYPERSCALER ? fm_cloud_multiple(m)
                                                                : fm_vendor_multiple(m);
            st->valuation = seat->valuation > 0
                ? seat->valuation
                : llround(multiple * (double)seat->base_revenue * fm_annual(m));
        }
    }
    /* The outside option holds outside_lab_share of the opening split: the labs'
     * attractions sum to total_attract once reach is scaled (s_open_lab). */
    double s0 = P->outside_lab_share;
    m->outside_attract = s0 > 0 && s0 < 1 ? s0 / (1.0 - s0) * total_attract : 0.0;
    m->ai_spending = P->ai_spending > 0 ? (double)P->ai_spending
                                        : (s0 < 1 ? total_income / (1.0 - s0) : total_income);
    m->ai_growth = P->ai_spending_growth;
    m->other_cloud = (double)P->other_cloud_revenue;
    m->other_chips = (double)P->other_chip_demand;
    m->credits_allowed = P->credits_allowed;
    for (size_t i = 0; i < sc->n_deals; i++)
        if (s_open_deal(m, &sc->deals[i]) != 0)
            return -1;
    if (s_quote_order(m) != 0)
        return -1;
    s_opening_quotes(m);
    return 0;
}
