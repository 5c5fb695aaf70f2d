/* fw_stage_customers: end customers, the labs' capability, and the clouds' own
 * business (base cloud revenue, AI in their own operations).
 *
 * Customers' AI spending is split across labs by a logit on capability, price and
 * reach, with an outside option for labs outside the scenario; a lab earns what it can
 * serve with the compute it bought and loses the rest. Compute beyond what it serves
 * trains: capability grows with effective training compute with diminishing returns;
 * effectiveness is the lab's skill on the chip family times the family's software
 * maturity, and both grow with use, so a mandate that forces a lab onto a chip builds
 * the maturity other labs then enjoy.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "fw_stages.h"

static double s_attract(const fw_market_t *m, uint32_t s)
{
    const fw_market_params_t *P = &m->sc->market;
    const fw_seat_state_t *st = &m->seats[s];
    return st->reach * pow(st->capability, P->capability_weight) *
           pow(fm_pos(m->sc->seats[s].price_index, 1.0), -P->price_weight);
}

static int s_by_family(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Customers' attachment to a lab beyond its capability and price (reach: brand,
 * distribution, integrations) wears off: each tick every lab's reach moves a share
 * reach_convergence of the way, in logarithms, towards the geometric mean of the
 * labs', so in the long run capability and price decide the split and a lab that out-
 * trains the leader overtakes it. A faltering lab is left out (it loses reach by
 * falter_churn and gains none back). */
static void s_converge_reach(fw_market_t *m)
{
    const double rate = m->sc->market.reach_convergence;
    double sum_log = 0.0;
    size_t n = 0;
    if (rate <= 0.0)
        return;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_state_t *st = &m->seats[s];
        if (m->sc->seats[s].role == FW_ROLE_LAB && !st->faltering && st->reach > 0) {
            sum_log += log(st->reach);
            n++;
        }
    }
    if (n < 2)
        return;
    const double mean_log = sum_log / (double)n;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_seat_state_t *st = &m->seats[s];
        if (m->sc->seats[s].role == FW_ROLE_LAB && !st->faltering && st->reach > 0)
            st->reach = exp(log(st->reach) + rate * (mean_log - log(st->reach)));
    }
}

double fw_customers_total_attract(const fw_market_t *m)
{
    double total = m->outside_attract;
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (m->sc->seats[s].role == FW_ROLE_LAB)
            total += s_attract(m, s);
    return total;
}

double fw_customers_want(const fw_market_t *m, uint32_t seat, double total_attract)
{
    return total_attract > 0 ? m->ai_spending * s_attract(m, seat) / total_attract : 0;
}

int fw_stage_customers(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                       size_t err_len)
{
    const fw_scenario_t *sc = m->sc;
    double total_attract = fw_customers_total_attract(m), total_revenue = 0;
    (void)orders;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_t *seat = &sc->seats[s];
        fw_seat_state_t *st = &m->seats[s];
        if (seat->role != FW_ROLE_LAB)
            continue;
        double want = fw_customers_want(m, s, total_attract);
        double rpc = (double)(seat->revenue_per_compute > 0 ? seat->revenue_per_compute : 1);
        double need = want / rpc; /* compute to serve all of it */
        double bought = (double)st->compute_tick;
        double served = bought < need ? bought : need;
        int64_t income = llround(served * rpc);
        st->demand_dollars = llround(want);
        if (fw_ledger_transfer(m->ledger, fw_acc(s, FW_ACC_REVENUE), fw_acc(s, FW_ACC_CASH),
                               income, "end customers") != FW_LEDGER_OK) {
            snprintf(err, err_len, "tick %u: end customers of %s refused", t, seat->id);
            return FW_MARKET_EBOOKS;
        }
        st->share = (double)income; /* normalised below */
        total_revenue += (double)income;

        /* What was not needed to serve customers trained the next model. */
        double train = bought - served;
        double effective = 0;
        /* Only the families the lab ran compute on this tick add to its training and
         * its skills (the others add exact zeros), in family order; a pass over every
         * family is made once, to put every skill on its formula. */
        size_t n_used = st->touched_families.n;
        uint32_t *used = st->touched_families.items;
        if (n_used > 1)
            qsort(used, n_used, sizeof *used, s_by_family);
        if (bought > 0 && !st->faltering)
            for (size_t k = 0; k < n_used; k++) {
                uint32_t f = used[k];
                effective += (double)st->family_tick[f] / bought * train * fm_skill(m, st, f) *
                             m->maturity[f];
            }
        st->cum_train += effective;
        st->capability = st->cap_base *
                         pow(1.0 + st->cum_train / fm_training_scale(m), fm_training_exponent(m));
        size_t n_learn = st->skills_by_use ? n_used : m->n_families;
        for (size_t k = 0; k < n_learn; k++) {
            uint32_t f = st->skills_by_use ? used[k] : (uint32_t)k;
            double skill0 = seat->skill && seat->skill[f] > 0 ? seat->skill[f] : 0.6;
            st->cum_family[f] += (double)st->family_tick[f];
            m->cum_all[f] += (double)st->family_tick[f];
            st->skill[f] = 1.0 - (1.0 - skill0) * exp(-st->cum_family[f] / fm_learning_scale(m));
        }
        st->skills_by_use = 1;
    }
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (sc->seats[s].role == FW_ROLE_LAB)
            m->seats[s].share = total_revenue > 0 ? m->seats[s].share / total_revenue : 0.0;
    s_converge_reach(m);
    for (uint32_t f = 0; f < m->n_families; f++) {
        double m0 = sc->families[f].maturity;
        m->maturity[f] = m0 + (1.0 - m0) * (1.0 - exp(-m->cum_all[f] / fm_maturity_scale(m)));
    }
    return FW_MARKET_OK;
}

/* What AI in a company's own operations is worth this tick: the most it can add to
 * the business it improves (ai_uplift of that business's revenue), reached as own
 * compute grows past ai_saturation. It saturates, so unsold chips do not pay for
 * themselves without limit, and it never exceeds the business it improves. */
double fw_ai_operations_value(double uplift, double business, double own, double saturation)
{
    if (uplift <= 0 || business <= 0 || own <= 0 || saturation <= 0)
        return 0.0;
    return uplift * business * -expm1(-own / saturation);
}

int fw_stage_ai_operations(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                           size_t err_len)
{
    (void)orders;
    const fw_scenario_t *sc = m->sc;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_t *seat = &sc->seats[s];
        fw_seat_state_t *st = &m->seats[s];
        if (seat->role != FW_ROLE_HYPERSCALER || seat->ai_uplift <= 0)
            continue;
        /* Compute the company did not sell runs its own AI: search, ads, office, code. */
        int64_t own = fm_installed_at(m, s, -1, t) - st->compute_tick;
        double business = seat->own_business > 0 ? st->own_business : (double)st->base_tick;
        int64_t value = llround(fw_ai_operations_value(seat->ai_uplift, business, (double)own,
                                                       seat->ai_saturation));
        if (value <= 0)
            continue;
        if (fw_ledger_transfer(m->ledger, fw_acc(s, FW_ACC_REVENUE), fw_acc(s, FW_ACC_CASH),
                               value, "AI in own operations") != FW_LEDGER_OK) {
            snprintf(err, err_len, "tick %u: AI operations of %s refused", t, seat->id);
            return FW_MARKET_EBOOKS;
        }
        st->ai_ops_tick = value;
    }
    return FW_MARKET_OK;
}

/* ---- stipulations ------------------------------------------------------------------------ */


/* Clouds' base (non-AI) business books its revenue and its operating costs. */
int fw_stage_base_business(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                           size_t err_len)
{
    (void)orders;
    (void)t;
    const fw_scenario_t *sc = m->sc;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_t *seat = &sc->seats[s];
        fw_seat_state_t *st = &m->seats[s];
        if (seat->role != FW_ROLE_HYPERSCALER)
            continue;
        int64_t income = llround(st->base_revenue);
        int64_t costs = llround((double)income * (1.0 - seat->base_margin));
        fw_leg_t legs[4] = {
            {fw_acc(s, FW_ACC_CASH), income - costs},
            {fw_acc(s, FW_ACC_REVENUE), -income},
            {fw_acc(s, FW_ACC_EXPENSE), costs},
        };
        int rc = fm_post(m, legs, 3, "base cloud business", err, err_len);
        if (rc != FW_MARKET_OK)
            return rc;
        st->base_tick = income;
    }
    return FW_MARKET_OK;
}


/* ---- growth ---------------------------------------------------------------------------------- */

/* v grown at rate, but not past the ceiling: a market is a share of an economy. */
static double s_toward(double v, double rate, double ceiling)
{
    double g = fw_grown(v, rate);
    return g > ceiling && g > v ? (v > ceiling ? v : ceiling) : g;
}

void fw_customers_grow(fw_market_t *m)
{
    const fw_scenario_t *sc = m->sc;
    const fw_market_params_t *P = &sc->market;
    double base_total = 0, ceiling = fm_market_ceiling(m);
    double cloud_before = m->other_cloud, cloud_after;
    m->ai_spending = s_toward(m->ai_spending, m->ai_growth, ceiling);
    m->ai_growth *= P->ai_spending_growth_decay;
    m->other_cloud = fw_grown(m->other_cloud, P->other_cloud_growth);
    m->other_chips = s_toward(m->other_chips, P->other_chip_growth, ceiling);
    cloud_after = m->other_cloud;
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (fm_sells_compute(m, s))
            base_total += (double)m->seats[s].base_tick;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_t *seat = &sc->seats[s];
        fw_seat_state_t *st = &m->seats[s];
        if (seat->role == FW_ROLE_HYPERSCALER) {
            /* The business its own AI improves, when it is not the base business, is a
             * market of its own: it stops at the ceiling. */
            if (seat->own_business > 0)
                st->own_business = s_toward(st->own_business, seat->own_business_growth, ceiling);
        }
        if (seat->role == FW_ROLE_HYPERSCALER && !seat->sells_compute) {
            /* Not a cloud: its base business (ads) grows on its own, up to the ceiling. */
            st->base_revenue = s_toward(st->base_revenue, seat->base_growth, ceiling);
        } else if (seat->role == FW_ROLE_HYPERSCALER) {
            /* Customers follow AI: a cloud with more of the AI market than of the base
             * market pulls base business too. */
            double base_share = base_total > 0 ? (double)st->base_tick / base_total : 0;
            double g = seat->base_growth + P->base_pull * (m->compute_share[s] - base_share);
            if (g < -0.5)
                g = -0.5;
            cloud_before += st->base_revenue;
            st->base_revenue = fw_grown(st->base_revenue, g);
            cloud_after += st->base_revenue;
        } else if (seat->role == FW_ROLE_LAB && st->faltering) {
            st->reach *= 1.0 - P->falter_churn; /* customers drift away */
        }
    }
    /* The cloud market (outside AI compute) as a whole stops at the ceiling; the
     * clouds' shares of it go on moving. */
    if (cloud_after > ceiling && cloud_after > cloud_before) {
        double k = (cloud_before > ceiling ? cloud_before : ceiling) / cloud_after;
        m->other_cloud *= k;
        for (uint32_t s = 0; s < m->n_seats; s++)
            if (fm_sells_compute(m, s))
                m->seats[s].base_revenue *= k;
    }
}

/* ---- metrics, snapshot, views ----------------------------------------------------------------- */
