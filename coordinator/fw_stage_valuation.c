/* fw_stage_valuation: the tick's results, valuations and the market's shares.
 *
 * Revenue and costs are complete when this stage runs: each company's are read off
 * the ledger's movements of the tick. Clouds and vendors are worth a multiple of their
 * annualised revenue. A private lab is priced by its rounds and, between them, marked
 * by how its revenue moved since the last one (within a band around that round), or
 * worth its revenue multiple if that is more; a faltering lab's last round fades.
 * Stakes are marked to market: the change in value is a gain or a loss on the
 * investor's books.
 */
#include <math.h>

#include "fw_stages.h"

/* A private lab between rounds: its last round, moved by its revenue since then with
 * elasticity `valuation_elasticity` (investors price prospects, and revenue is the one
 * the model observes: a lab that grows is worth more, one that shrinks less), never
 * more than `valuation_band` times above or below the round; at least its revenue
 * multiple. A faltering lab's last round fades 5% a tick. Without an elasticity the
 * round holds until the multiple overtakes it (the rule before issue 11). */
static int64_t s_lab_valuation(const fw_market_t *m, fw_seat_state_t *st, double annual)
{
    const fw_market_params_t *P = &m->sc->market;
    if (st->faltering)
        st->last_round = llround((double)st->last_round * 0.95);
    /* The level the mark follows: a year's average, roughly, so that one month's dip
     * (compute short, customers churned) neither marks the lab down and up again nor,
     * when a round falls in it, sets a base that the next good month multiplies. */
    if (st->revenue_level <= 0)
        st->revenue_level = (double)st->revenue_tick;
    else
        st->revenue_level += ((double)st->revenue_tick - st->revenue_level) / 12.0;
    if (st->round_revenue <= 0 && st->revenue_level >= 1.0)
        st->round_revenue = llround(st->revenue_level); /* the round's (or the first) level */
    double mark = (double)st->last_round;
    double band = P->valuation_band >= 1.0 ? P->valuation_band : 1.0;
    if (P->valuation_elasticity > 0 && st->round_revenue > 0) {
        double moved = st->revenue_level > 0
            ? pow(st->revenue_level / (double)st->round_revenue, P->valuation_elasticity)
            : 0.0;
        moved = fmin(band, fmax(1.0 / band, moved));
        mark *= moved;
    }
    double by_revenue = fm_lab_multiple(m) * annual;
    return llround(by_revenue > mark ? by_revenue : mark);
}

int fw_stage_valuations(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                        size_t err_len)
{
    (void)orders;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_seat_state_t *st = &m->seats[s];
        st->revenue_tick = -fw_ledger_tick_delta(m->ledger, fw_acc(s, FW_ACC_REVENUE));
        st->cost_tick = fw_ledger_tick_delta(m->ledger, fw_acc(s, FW_ACC_EXPENSE));
        st->revenue_total += st->revenue_tick;
        st->cost_total += st->cost_tick;
        st->capex_total += fm_capex(m, s);
    }
    const fw_scenario_t *sc = m->sc;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_seat_state_t *st = &m->seats[s];
        double annual = (double)st->revenue_tick * fm_annual(m);
        switch (sc->seats[s].role) {
        case FW_ROLE_HYPERSCALER:
            st->valuation = llround(fm_cloud_multiple(m) * annual);
            break;
        case FW_ROLE_VENDOR:
            st->valuation = llround(fm_vendor_multiple(m) * annual);
            break;
        case FW_ROLE_LAB:
            st->valuation = s_lab_valuation(m, st, annual);
            break;
        default:
            break;
        }
        if (st->valuation < 0)
            st->valuation = 0;
    }
    /* Stakes marked to market: the change in value is a gain or a loss. */
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_seat_state_t *lab = &m->seats[s];
        if (sc->seats[s].role != FW_ROLE_LAB)
            continue;
        for (size_t i = 0; i < lab->cap_table.n; i++) {
            fw_holder_t *h = fw_vec_at(&lab->cap_table, i);
            int64_t value = llround(h->fraction * (double)lab->valuation);
            int64_t delta = value - h->value;
            h->value = value;
            if (h->holder < 0 || delta == 0)
                continue;
            fw_leg_t legs[2] = {
                {fw_acc((uint32_t)h->holder, FW_ACC_STAKES), delta},
                {fw_acc((uint32_t)h->holder, FW_ACC_REVALUATION), -delta},
            };
            int rc = fm_post(m, legs, 2, "mark to market", err, err_len);
            if (rc != FW_MARKET_OK)
                return rc;
        }
    }
    (void)t;
    return FW_MARKET_OK;
}

/* ---- growth ---------------------------------------------------------------------------------- */

/* Compute sold and compute in service, as shares, after tick t. */
void fw_valuation_shares(fw_market_t *m, uint32_t t)
{
    const fw_scenario_t *sc = m->sc;
    int64_t installed_total = 0;
    for (uint32_t s = 0; s < m->n_seats; s++)
        m->compute_share[s] = m->compute_sold > 0
            ? (double)m->seats[s].compute_tick / (double)m->compute_sold : 0.0;
    /* One pass over the clouds' lots (whole units of compute add up exactly, in any
     * order), not one per family. */
    int64_t *installed = m->family_scratch;
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (sc->seats[s].role == FW_ROLE_HYPERSCALER)
            fm_in_service(m, s, t, installed);
    for (uint32_t f = 0; f < m->n_families; f++) {
        m->installed_share[f] = (double)installed[f];
        installed_total += installed[f];
        installed[f] = 0; /* the scratch is zero between uses */
    }
    for (uint32_t f = 0; f < m->n_families; f++)
        m->installed_share[f] = installed_total > 0 ? m->installed_share[f] / (double)installed_total
                                                    : 0.0;
}
