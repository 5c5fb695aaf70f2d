/* fw_economy: the economy around the chip and compute markets (docs/model.md).
 *
 * Investments: a cloud or a vendor proposes (amount, part paid as credits, valuation,
 * stipulations, penalty) in one tick; the lab sees it in the next tick's view and
 * answers in that tick's actions; the clearing executes it first thing. A scheduled
 * deal (a scenario event) is proposed at the start of its tick and answered in it.
 *
 * Credits are compute paid in advance on the investor's cloud: the lab holds them as
 * an asset, the cloud owes them as deferred revenue, and when the lab buys compute
 * from that cloud the credits are spent first, at list price, and become the cloud's
 * revenue. So every dollar invested as credits comes back to the investor as revenue:
 * the round trip that question 2 measures.
 *
 * Labs: customers' AI spending is split across labs by a logit on capability, price
 * and reach; a lab earns what it can serve with the compute it bought and loses the
 * rest. Compute beyond what it serves trains: capability grows with effective
 * training compute with diminishing returns; effectiveness is the lab's skill on the
 * chip family times the family's software maturity, and both grow with use, so a
 * mandate that forces a lab onto a chip builds the maturity other labs then enjoy.
 *
 * Invariants (beyond the ledger's): an investor's STAKES balance equals the sum of its
 * holdings' values; a lab's CREDITS balance equals the credits left in its deals; a
 * cloud's DEFERRED balance is minus the credits it has granted and not yet served.
 */
#include "fw_market_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

typedef struct {
    char text[FW_NAME_MAX + 96];
} fw_event_text_t;

/* ---- parameters with their defaults ------------------------------------------------ */

static double s_pos(double v, double dflt)
{
    return v > 0 ? v : dflt;
}

static double s_lab_multiple(const fw_market_t *m) { return s_pos(m->sc->market.lab_multiple, 25.0); }
static double s_cloud_multiple(const fw_market_t *m) { return s_pos(m->sc->market.cloud_multiple, 8.0); }
static double s_vendor_multiple(const fw_market_t *m) { return s_pos(m->sc->market.vendor_multiple, 15.0); }
static double s_training_scale(const fw_market_t *m) { return s_pos((double)m->sc->market.training_scale, 1e6); }
static double s_training_exponent(const fw_market_t *m) { return s_pos(m->sc->market.training_exponent, 0.3); }
static double s_learning_scale(const fw_market_t *m) { return s_pos(m->sc->market.learning_scale, 2e6); }
static double s_maturity_scale(const fw_market_t *m) { return s_pos(m->sc->market.maturity_scale, 2e7); }

static double s_annual(const fw_market_t *m)
{
    return 12.0 / (double)(m->sc->tick_months ? m->sc->tick_months : 1);
}

static int s_is(const fw_market_t *m, int seat, fw_role_t role)
{
    return seat >= 0 && (uint32_t)seat < m->n_seats && m->sc->seats[seat].role == role;
}

static void s_event(fw_market_t *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void s_event(fw_market_t *m, const char *fmt, ...)
{
    fw_event_text_t *e = fw_vec_push(&m->events_fired);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
}

static const char *s_id(const fw_market_t *m, int seat)
{
    return seat >= 0 ? m->sc->seats[seat].id : "outside";
}

/* ---- cap tables ----------------------------------------------------------------------- */

static fw_holder_t *s_holder(fw_seat_state_t *lab, int holder)
{
    for (size_t i = 0; i < lab->cap_table.n; i++) {
        fw_holder_t *h = fw_vec_at(&lab->cap_table, i);
        if (h->holder == holder)
            return h;
    }
    fw_holder_t *h = fw_vec_push(&lab->cap_table);
    h->holder = holder;
    return h;
}

/* Sells `equity` of the lab to `holder`: everyone else is diluted by (1 - equity). */
static void s_issue(fw_seat_state_t *lab, int holder, double equity, int64_t cost)
{
    for (size_t i = 0; i < lab->cap_table.n; i++) {
        fw_holder_t *h = fw_vec_at(&lab->cap_table, i);
        h->fraction *= 1.0 - equity;
    }
    fw_holder_t *h = s_holder(lab, holder);
    h->fraction += equity;
    h->cost += cost;
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
    st->capability = s_pos(seat->capability, 1.0);
    st->cap_base = st->capability;
    /* Reach is scaled so that the opening split of customers' spending matches each
     * lab's opening demand x revenue_per_compute: the scenario's revenue figures hold
     * at the start, and capability, price and shocks move shares from there. */
    double income = (double)seat->demand * (double)seat->revenue_per_compute;
    double attract = pow(st->capability, P->capability_weight) *
                     pow(s_pos(seat->price_index, 1.0), -P->price_weight);
    double reach = s_pos(seat->reach, 1.0);
    if (total_income > 0 && total_attract > 0 && attract > 0)
        st->reach = reach * (income / total_income) / (attract / total_attract);
    else
        st->reach = reach;
    st->share = total_income > 0 ? income / total_income : 0.0;
    st->last_round = seat->valuation;
    st->valuation = seat->valuation;
    st->compliant = 1;
    fw_vec_init(&st->cap_table, sizeof(fw_holder_t));
    fw_holder_t *founders = s_holder(st, -1);
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
        s_issue(lab, inv, equity, T->amount);
        /* Stakes open at their value under the lab's opening valuation. */
        int64_t value = llround(equity * (double)lab->valuation);
        fw_holder_t *h = s_holder(lab, inv);
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
    fw_deal_t *deal = fw_vec_push(&m->deals);
    deal->id = ++m->next_id;
    deal->terms = *T;
    deal->signed_tick = 0;
    deal->ends = T->duration;
    deal->equity = d->equity;
    deal->credits_left = inv >= 0 ? d->credits_left : 0;
    deal->compliant = 1;
    if (inv >= 0)
        m->pair_invested[(size_t)inv * m->n_seats + (size_t)T->lab] += T->amount;
    return 0;
}

int fe_open(fw_market_t *m)
{
    const fw_scenario_t *sc = m->sc;
    const fw_market_params_t *P = &sc->market;
    double total_income = 0, total_attract = 0;

    m->scratch = calloc(m->n_seats, sizeof *m->scratch);
    m->pair_invested = calloc((size_t)m->n_seats * m->n_seats, sizeof *m->pair_invested);
    m->pair_returned = calloc((size_t)m->n_seats * m->n_seats, sizeof *m->pair_returned);
    if (!m->scratch || !m->pair_invested || !m->pair_returned)
        return -1;
    fw_vec_init(&m->events_fired, sizeof(fw_event_text_t));
    fw_vec_init(&m->proposals, sizeof(fw_proposal_t));
    fw_vec_init(&m->deals, sizeof(fw_deal_t));
    for (uint32_t f = 0; f < m->n_families; f++) {
        m->maturity[f] = sc->families[f].maturity;
        m->supply_factor[f] = 1.0;
    }
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_t *seat = &sc->seats[s];
        if (seat->role != FW_ROLE_LAB)
            continue;
        total_income += (double)seat->demand * (double)seat->revenue_per_compute;
        total_attract += pow(s_pos(seat->capability, 1.0), P->capability_weight) *
                         pow(s_pos(seat->price_index, 1.0), -P->price_weight);
    }
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_t *seat = &sc->seats[s];
        fw_seat_state_t *st = &m->seats[s];
        if (seat->role == FW_ROLE_LAB) {
            if (s_open_lab(m, s, total_income, total_attract) != 0)
                return -1;
        } else {
            double multiple = seat->role == FW_ROLE_HYPERSCALER ? s_cloud_multiple(m)
                                                                : s_vendor_multiple(m);
            st->valuation = seat->valuation > 0
                ? seat->valuation
                : llround(multiple * (double)seat->base_revenue * s_annual(m));
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
    return 0;
}

void fe_close(fw_market_t *m)
{
    if (m->seats)
        for (uint32_t s = 0; s < m->n_seats; s++) {
            fw_seat_state_t *st = &m->seats[s];
            free(st->skill);
            free(st->cum_family);
            free(st->family_tick);
            free(st->cloud_spend);
            free(st->bid_cloud);
            free(st->bid_family);
            fw_vec_free(&st->cap_table);
        }
    fw_vec_free(&m->events_fired);
    fw_vec_free(&m->proposals);
    fw_vec_free(&m->deals);
    free(m->scratch);
    free(m->pair_invested);
    free(m->pair_returned);
}

/* ---- scheduled events ------------------------------------------------------------------ */

static void s_money(char *buf, size_t len, int64_t v)
{
    double a = fabs((double)v);
    const char *sign = v < 0 ? "-" : "";
    if (a >= 1e9)
        snprintf(buf, len, "%s$%.1fB", sign, a / 1e9);
    else if (a >= 1e6)
        snprintf(buf, len, "%s$%.1fM", sign, a / 1e6);
    else
        snprintf(buf, len, "%s$%.0f", sign, a);
}

void fe_fire_events(fw_market_t *m, uint32_t t)
{
    const fw_scenario_t *sc = m->sc;
    if (m->opened >= t)
        return;
    m->opened = t;
    m->events_fired.n = 0;
    /* Proposals nobody answered in time lapse. */
    size_t keep = 0;
    for (size_t i = 0; i < m->proposals.n; i++) {
        fw_proposal_t *p = fw_vec_at(&m->proposals, i);
        if (p->expires >= t)
            memmove(fw_vec_at(&m->proposals, keep++), p, sizeof *p);
    }
    m->proposals.n = keep;
    for (uint32_t f = 0; f < m->n_families; f++)
        if (m->supply_until[f] && m->supply_until[f] < t) {
            m->supply_factor[f] = 1.0;
            m->supply_until[f] = 0;
            s_event(m, "supply of %s back to normal", sc->families[f].id);
        }
    while (m->next_event < sc->n_events && sc->events[m->next_event].tick <= t) {
        const fw_event_t *e = &sc->events[m->next_event++];
        switch (e->kind) {
        case FW_EVENT_DEAL: {
            fw_proposal_t *p = fw_vec_push(&m->proposals);
            p->id = ++m->next_id;
            p->terms = e->deal;
            p->visible = t;
            p->expires = t;
            snprintf(p->name, sizeof p->name, "%s", e->name);
            break;
        }
        case FW_EVENT_CAPABILITY_SHOCK:
            if (s_is(m, e->seat, FW_ROLE_LAB)) {
                m->seats[e->seat].cap_base *= e->factor;
                m->seats[e->seat].capability *= e->factor;
            }
            break;
        case FW_EVENT_DEMAND_SHOCK:
            if (s_is(m, e->seat, FW_ROLE_LAB))
                m->seats[e->seat].reach *= e->factor;
            break;
        case FW_EVENT_SUPPLY_SHOCK:
            if (e->family >= 0 && (uint32_t)e->family < m->n_families) {
                m->supply_factor[e->family] = e->factor;
                m->supply_until[e->family] = e->duration ? t + e->duration - 1 : 0;
            }
            break;
        case FW_EVENT_POLICY:
            m->credits_allowed = e->credits_allowed;
            break;
        }
        s_event(m, "%s", e->name[0] ? e->name : "scheduled event");
    }
}

/* ---- investments ------------------------------------------------------------------------ */

/* Whether `lab` may take these terms given the deals in force: an exclusive deal
 * with one cloud rules out stipulations for any other, and the other way round. */
static int s_conflict(const fw_market_t *m, const fw_terms_t *T, uint32_t t, char *why,
                      size_t len)
{
    int wants_cloud = T->exclusive || T->min_cloud_share > 0;
    for (size_t i = 0; i < m->deals.n; i++) {
        const fw_deal_t *d = fw_vec_at(&m->deals, i);
        if (d->terms.lab != T->lab || d->breached || t > d->ends || d->terms.investor < 0 ||
            d->terms.investor == T->investor)
            continue;
        int other_cloud = d->terms.exclusive || d->terms.min_cloud_share > 0;
        if ((d->terms.exclusive && wants_cloud) || (T->exclusive && other_cloud)) {
            snprintf(why, len, "conflicts with the exclusive terms of deal %" PRIu64 " with %s",
                     d->id, s_id(m, d->terms.investor));
            return 1;
        }
    }
    return 0;
}

/* Executes accepted terms at tick t. Returns 0, 1 if the investor cannot pay (why is
 * set), or a negative market code. */
static int s_execute(fw_market_t *m, const fw_terms_t *T0, uint32_t t, char *why, size_t len,
                     char *err, size_t err_len)
{
    fw_terms_t T = *T0;
    int inv = T.investor;
    uint32_t labi = (uint32_t)T.lab;
    fw_seat_state_t *lab = &m->seats[labi];
    if (inv < 0 || !s_is(m, inv, FW_ROLE_HYPERSCALER) || !m->credits_allowed)
        T.credit_fraction = 0;
    int64_t credit = llround((double)T.amount * T.credit_fraction);
    int64_t cash = T.amount - credit;
    if (inv >= 0 && cash > fm_cash(m, (uint32_t)inv)) {
        snprintf(why, len, "%s cannot pay %" PRId64 " in cash", s_id(m, inv), cash);
        return 1;
    }
    double equity = 0;
    if (T.amount > 0) {
        int64_t post = T.valuation > 0 ? T.valuation : lab->valuation + T.amount;
        if (post < T.amount)
            post = T.amount;
        equity = (double)T.amount / (double)post;
        if (equity > 0.95)
            equity = 0.95; /* nobody sells the whole company in one round */
        lab->last_round = post;
        if (lab->valuation < post)
            lab->valuation = post;
        int rc;
        if (inv >= 0) {
            fw_leg_t legs[6] = {
                {fw_acc((uint32_t)inv, FW_ACC_STAKES), T.amount},
                {fw_acc((uint32_t)inv, FW_ACC_CASH), -cash},
                {fw_acc((uint32_t)inv, FW_ACC_DEFERRED), -credit},
                {fw_acc(labi, FW_ACC_CASH), cash},
                {fw_acc(labi, FW_ACC_CREDITS), credit},
                {fw_acc(labi, FW_ACC_CAPITAL), -T.amount},
            };
            rc = fm_post(m, legs, 6, "investment", err, err_len);
        } else {
            fw_leg_t legs[2] = {
                {fw_acc(labi, FW_ACC_CASH), T.amount},
                {fw_acc(labi, FW_ACC_CAPITAL), -T.amount},
            };
            rc = fm_post(m, legs, 2, "outside investment", err, err_len);
        }
        if (rc != FW_MARKET_OK)
            return rc;
        s_issue(lab, inv, equity, T.amount);
        if (inv >= 0)
            s_holder(lab, inv)->value += T.amount; /* at cost until the next mark */
        lab->last_deal = t;
        lab->faltering = 0;
        fm_fill_money(m, labi, FLYWHEEL__V1__FILL_KIND__FILL_INVESTMENT, inv, T.amount);
        if (inv >= 0) {
            fm_fill_money(m, (uint32_t)inv, FLYWHEEL__V1__FILL_KIND__FILL_INVESTMENT, (int)labi,
                          T.amount);
            m->pair_invested[(size_t)inv * m->n_seats + labi] += T.amount;
        }
    }
    fw_deal_t *d = fw_vec_push(&m->deals);
    d->id = ++m->next_id;
    d->terms = T;
    d->signed_tick = t;
    d->ends = t + T.duration;
    d->equity = equity;
    d->credits_left = credit;
    d->compliant = 1;
    return 0;
}

static void s_terms_from_wire(const fw_market_t *m, uint32_t investor, int lab,
                              const Flywheel__V1__InvestmentTerms *w, fw_terms_t *T)
{
    memset(T, 0, sizeof *T);
    T->investor = (int)investor;
    T->lab = lab;
    T->amount = w->amount;
    T->credit_fraction = w->credit_fraction;
    T->valuation = w->valuation;
    T->min_cloud_share = w->min_cloud_share;
    T->chip_family = w->chip_family && w->chip_family[0] ? fw_scenario_family(m->sc, w->chip_family)
                                                        : -1;
    T->min_chip_share = w->min_chip_share;
    T->exclusive = w->exclusive;
    T->duration = w->duration;
    T->penalty = w->penalty;
}

static int s_share_ok(double v)
{
    return v >= 0.0 && v <= 1.0; /* false for NaN too */
}

/* Checks a proposal from the wire; returns NULL if fine, else the reason. */
static const char *s_check_proposal(const fw_market_t *m, uint32_t s,
                                    const Flywheel__V1__InvestmentProposal *p, int lab)
{
    const fw_seat_t *me = &m->sc->seats[s];
    const Flywheel__V1__InvestmentTerms *w = p->terms;
    if (me->role != FW_ROLE_HYPERSCALER && me->role != FW_ROLE_VENDOR)
        return "only clouds and chip vendors invest in labs";
    if (!s_is(m, lab, FW_ROLE_LAB))
        return "no such lab";
    if (!w)
        return "no terms";
    if (w->amount <= 0)
        return "amount must be > 0";
    if (w->amount > fm_cash(m, s))
        return "amount is more than your cash";
    if (!s_share_ok(w->credit_fraction) || !s_share_ok(w->min_cloud_share) ||
        !s_share_ok(w->min_chip_share))
        return "shares and fractions must be in [0, 1]";
    if (w->credit_fraction > 0 && me->role != FW_ROLE_HYPERSCALER)
        return "only a cloud can pay in credits";
    if (w->credit_fraction > 0 && !m->credits_allowed)
        return "credits are not allowed (policy)";
    if ((w->min_cloud_share > 0 || w->exclusive) && me->role != FW_ROLE_HYPERSCALER)
        return "only a cloud can ask for a share of compute on its cloud";
    if (w->chip_family && w->chip_family[0] && fw_scenario_family(m->sc, w->chip_family) < 0)
        return "unknown chip family";
    if (w->min_chip_share > 0 && !(w->chip_family && w->chip_family[0]))
        return "min_chip_share needs a chip_family";
    if (w->valuation != 0 && w->valuation < w->amount)
        return "valuation must be 0 or at least the amount";
    if (w->duration < 1 || w->duration > 1200)
        return "duration must be 1 to 1200 ticks";
    if (w->penalty < 0)
        return "penalty must be >= 0";
    return NULL;
}

int fe_investments(fw_market_t *m, Flywheel__V1__Actions *const *actions, uint32_t t,
                   char *err, size_t err_len)
{
    const fw_scenario_t *sc = m->sc;
    char why[200];
    /* Answers first, labs in seat order, each lab's answers in its order. */
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const Flywheel__V1__Actions *a = actions[s];
        if (!a)
            continue;
        for (size_t i = 0; i < a->n_answers; i++) {
            const Flywheel__V1__ProposalAnswer *ans = a->answers[i];
            size_t k = m->proposals.n;
            for (size_t j = 0; j < m->proposals.n; j++) {
                const fw_proposal_t *p = fw_vec_at(&m->proposals, j);
                if (p->id == ans->proposal_id && p->terms.lab == (int)s && p->visible <= t &&
                    t <= p->expires)
                    k = j;
            }
            if (k == m->proposals.n) {
                fm_reject(m, s, "answers", i, "no proposal %" PRIu64 " is waiting for you",
                          ans->proposal_id);
                continue;
            }
            fw_proposal_t p = *(fw_proposal_t *)fw_vec_at(&m->proposals, k);
            memmove(fw_vec_at(&m->proposals, k), fw_vec_at(&m->proposals, k + 1),
                    (m->proposals.n - k - 1) * m->proposals.size);
            m->proposals.n--;
            if (!ans->accept) {
                if (p.terms.investor >= 0)
                    fm_reject(m, (uint32_t)p.terms.investor, "proposals", 0,
                              "%s declined proposal %" PRIu64, sc->seats[s].id, p.id);
                continue;
            }
            if (s_conflict(m, &p.terms, t, why, sizeof why)) {
                fm_reject(m, s, "answers", i, "%s", why);
                continue;
            }
            int rc = s_execute(m, &p.terms, t, why, sizeof why, err, err_len);
            if (rc < 0)
                return rc;
            if (rc == 1) {
                fm_reject(m, s, "answers", i, "deal failed: %s", why);
                if (p.terms.investor >= 0)
                    fm_reject(m, (uint32_t)p.terms.investor, "proposals", 0, "deal failed: %s", why);
                continue;
            }
            s_event(m, "signed: %s", p.name[0] ? p.name : "investment");
        }
    }
    /* Then new proposals, seen by the labs next tick. */
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const Flywheel__V1__Actions *a = actions[s];
        if (!a)
            continue;
        for (size_t i = 0; i < a->n_proposals; i++) {
            const Flywheel__V1__InvestmentProposal *w = a->proposals[i];
            int lab = fw_scenario_seat(sc, w->lab);
            const char *bad = i >= 4 ? "at most 4 proposals a tick" : s_check_proposal(m, s, w, lab);
            if (bad) {
                fm_reject(m, s, "proposals", i, "%s", bad);
                continue;
            }
            fw_proposal_t *p = fw_vec_push(&m->proposals);
            p->id = ++m->next_id;
            s_terms_from_wire(m, s, lab, w->terms, &p->terms);
            p->visible = t + 1;
            p->expires = t + 1;
            char amount[32];
            s_money(amount, sizeof amount, w->terms->amount);
            snprintf(p->name, sizeof p->name, "%s invests %s in %s", sc->seats[s].id, amount,
                     sc->seats[lab].id);
        }
    }
    return FW_MARKET_OK;
}

/* ---- credits and compute payments --------------------------------------------------------- */

int64_t fe_credits(const fw_market_t *m, uint32_t lab, uint32_t cloud)
{
    int64_t total = 0;
    for (size_t i = 0; i < m->deals.n; i++) {
        const fw_deal_t *d = fw_vec_at(&m->deals, i);
        if (d->terms.lab == (int)lab && d->terms.investor == (int)cloud)
            total += d->credits_left;
    }
    return total;
}

/* Chip revenue per H100-equivalent month that running on family f pays for: the
 * chip's price spread over its life and compute. Used for vendors' round trips. */
static double s_chip_value_per_compute(const fw_market_t *m, int f)
{
    const fw_family_t *fam = &m->sc->families[f];
    double price = m->chip_offers[f].posted ? (double)m->chip_offers[f].price : (double)fam->price;
    double per_unit = (double)fam->life * (double)fam->perf_milli / 1000.0;
    return per_unit > 0 ? price / per_unit : 0.0;
}

int fe_pay_compute(fw_market_t *m, uint32_t lab, uint32_t cloud, int family, int64_t quantity,
                   int64_t amount, char *err, size_t err_len)
{
    int64_t credits = fe_credits(m, lab, cloud);
    int64_t used = credits < amount ? credits : amount;
    fw_leg_t legs[6] = {
        {fw_acc(lab, FW_ACC_EXPENSE), amount},
        {fw_acc(lab, FW_ACC_CREDITS), -used},
        {fw_acc(lab, FW_ACC_CASH), -(amount - used)},
        {fw_acc(cloud, FW_ACC_DEFERRED), used},
        {fw_acc(cloud, FW_ACC_REVENUE), -amount},
        {fw_acc(cloud, FW_ACC_CASH), amount - used},
    };
    int rc = fm_post(m, legs, 6, "compute sale", err, err_len);
    if (rc != FW_MARKET_OK)
        return rc;
    int64_t left = used;
    double chip_value = s_chip_value_per_compute(m, family) * (double)quantity;
    int vendor = m->sc->families[family].vendor;
    for (size_t i = 0; i < m->deals.n; i++) {
        fw_deal_t *d = fw_vec_at(&m->deals, i);
        if (d->terms.lab != (int)lab)
            continue;
        if (d->terms.investor == (int)cloud) {
            int64_t take = d->credits_left < left ? d->credits_left : left;
            d->credits_left -= take;
            left -= take;
            d->returned += amount;
        } else if (d->terms.investor == vendor) {
            d->returned += llround(chip_value);
        }
    }
    m->pair_returned[(size_t)cloud * m->n_seats + lab] += amount;
    m->pair_returned[(size_t)vendor * m->n_seats + lab] += llround(chip_value);
    if (used > 0)
        fm_fill_money(m, lab, FLYWHEEL__V1__FILL_KIND__FILL_CREDITS_USED, (int)cloud, used);
    fw_seat_state_t *l = &m->seats[lab];
    l->family_tick[family] += quantity;
    l->cloud_spend[cloud] += amount;
    l->spend_tick += amount;
    m->seats[cloud].ai_revenue_tick += amount;
    return FW_MARKET_OK;
}

/* ---- end customers and the labs ---------------------------------------------------------- */

static double s_attract(const fw_market_t *m, uint32_t s)
{
    const fw_market_params_t *P = &m->sc->market;
    const fw_seat_state_t *st = &m->seats[s];
    return st->reach * pow(st->capability, P->capability_weight) *
           pow(s_pos(m->sc->seats[s].price_index, 1.0), -P->price_weight);
}

int fe_customers(fw_market_t *m, uint32_t t, char *err, size_t err_len)
{
    const fw_scenario_t *sc = m->sc;
    double total_attract = m->outside_attract, total_revenue = 0;
    (void)t;
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (sc->seats[s].role == FW_ROLE_LAB)
            total_attract += s_attract(m, s);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_t *seat = &sc->seats[s];
        fw_seat_state_t *st = &m->seats[s];
        if (seat->role != FW_ROLE_LAB)
            continue;
        double want = total_attract > 0 ? m->ai_spending * s_attract(m, s) / total_attract : 0;
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
        if (bought > 0 && !st->faltering)
            for (uint32_t f = 0; f < m->n_families; f++)
                effective += (double)st->family_tick[f] / bought * train * st->skill[f] *
                             m->maturity[f];
        st->cum_train += effective;
        st->capability = st->cap_base *
                         pow(1.0 + st->cum_train / s_training_scale(m), s_training_exponent(m));
        for (uint32_t f = 0; f < m->n_families; f++) {
            double skill0 = seat->skill && seat->skill[f] > 0 ? seat->skill[f] : 0.6;
            st->cum_family[f] += (double)st->family_tick[f];
            m->cum_all[f] += (double)st->family_tick[f];
            st->skill[f] = 1.0 - (1.0 - skill0) * exp(-st->cum_family[f] / s_learning_scale(m));
        }
        /* Out of cash (less than one tick of what its customers spend, so it cannot
         * pay to serve them), with no investor lately: the lab falters. */
        int64_t cash = fm_cash(m, s);
        st->faltering = cash < st->demand_dollars && (st->last_deal == 0 || t > st->last_deal + 3);
    }
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (sc->seats[s].role == FW_ROLE_LAB)
            m->seats[s].share = total_revenue > 0 ? m->seats[s].share / total_revenue : 0.0;
    for (uint32_t f = 0; f < m->n_families; f++) {
        double m0 = sc->families[f].maturity;
        m->maturity[f] = m0 + (1.0 - m0) * (1.0 - exp(-m->cum_all[f] / s_maturity_scale(m)));
    }
    return FW_MARKET_OK;
}

int fe_ai_operations(fw_market_t *m, uint32_t t, char *err, size_t err_len)
{
    const fw_scenario_t *sc = m->sc;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_t *seat = &sc->seats[s];
        fw_seat_state_t *st = &m->seats[s];
        if (seat->role != FW_ROLE_HYPERSCALER || seat->ai_ops_value <= 0)
            continue;
        /* Compute the cloud did not sell runs its own AI: search, ads, office, code. */
        int64_t own = fm_installed_at(m, s, -1, t) - st->compute_tick;
        if (own <= 0)
            continue;
        int64_t value = llround((double)own * seat->ai_ops_value);
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

/* Whether `cloud` had no compute left to sell this tick. */
static int s_sold_out_cloud(const fw_market_t *m, uint32_t cloud)
{
    for (uint32_t f = 0; f < m->n_families; f++) {
        const fw_offer_t *o = &m->compute_offers[(size_t)cloud * m->n_families + f];
        if (o->posted && o->sold < o->quantity)
            return 0;
    }
    return 1;
}

/* Whether no cloud had compute of family f left to sell this tick. */
static int s_sold_out_family(const fw_market_t *m, int f)
{
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_offer_t *o = &m->compute_offers[(size_t)s * m->n_families + (size_t)f];
        if (o->posted && o->sold < o->quantity)
            return 0;
    }
    return 1;
}

int fe_compliance(fw_market_t *m, uint32_t t, char *err, size_t err_len)
{
    const fw_scenario_t *sc = m->sc;
    for (uint32_t s = 0; s < m->n_seats; s++)
        m->seats[s].compliant = 1;
    for (size_t i = 0; i < m->deals.n; i++) {
        fw_deal_t *d = fw_vec_at(&m->deals, i);
        const fw_terms_t *T = &d->terms;
        int stipulates = T->exclusive || T->min_cloud_share > 0 || T->chip_family >= 0;
        d->compliant = 1;
        if (!stipulates || d->breached || t <= d->signed_tick || t > d->ends)
            continue;
        fw_seat_state_t *lab = &m->seats[T->lab];
        if (lab->compute_tick == 0 || lab->spend_tick == 0)
            continue; /* bought nothing: nothing to break */
        double cloud_share = T->investor >= 0
            ? (double)lab->cloud_spend[T->investor] / (double)lab->spend_tick : 0.0;
        double chip_share = T->chip_family >= 0
            ? (double)lab->family_tick[T->chip_family] / (double)lab->compute_tick : 1.0;
        /* What the lab asked for counts too: it is not in breach for what a cloud could
         * not deliver (rationed, or sold out), nor for a cloud that offered nothing. */
        double cloud_asked = T->investor >= 0 && lab->bid_spend > 0
            ? (double)lab->bid_cloud[T->investor] / (double)lab->bid_spend : 0.0;
        double chip_asked = T->chip_family >= 0 && lab->bid_compute > 0
            ? (double)lab->bid_family[T->chip_family] / (double)lab->bid_compute : 1.0;
        int cloud_short = T->investor >= 0 && s_sold_out_cloud(m, (uint32_t)T->investor);
        int chip_short = T->chip_family >= 0 && s_sold_out_family(m, T->chip_family);
        double cloud_best = cloud_share > cloud_asked ? cloud_share : cloud_asked;
        double chip_best = chip_share > chip_asked ? chip_share : chip_asked;
        int ok = 1;
        if (T->exclusive && cloud_best < 0.999 && !cloud_short)
            ok = 0;
        if (T->min_cloud_share > 0 && cloud_best + 1e-9 < T->min_cloud_share && !cloud_short)
            ok = 0;
        if (T->chip_family >= 0 && chip_best + 1e-9 < T->min_chip_share && !chip_short)
            ok = 0;
        if (ok)
            continue;
        d->compliant = 0;
        d->breached = 1;
        lab->compliant = 0;
        int64_t penalty = T->penalty;
        int64_t cash = fm_cash(m, (uint32_t)T->lab);
        if (penalty > cash)
            penalty = cash > 0 ? cash : 0;
        if (penalty > 0 && T->investor >= 0) {
            fw_leg_t legs[4] = {
                {fw_acc((uint32_t)T->lab, FW_ACC_EXPENSE), penalty},
                {fw_acc((uint32_t)T->lab, FW_ACC_CASH), -penalty},
                {fw_acc((uint32_t)T->investor, FW_ACC_CASH), penalty},
                {fw_acc((uint32_t)T->investor, FW_ACC_REVENUE), -penalty},
            };
            int rc = fm_post(m, legs, 4, "breach penalty", err, err_len);
            if (rc != FW_MARKET_OK)
                return rc;
            fm_fill_money(m, (uint32_t)T->lab, FLYWHEEL__V1__FILL_KIND__FILL_PENALTY,
                          T->investor, penalty);
            fm_fill_money(m, (uint32_t)T->investor, FLYWHEEL__V1__FILL_KIND__FILL_PENALTY,
                          T->lab, penalty);
        }
        char money[32];
        s_money(money, sizeof money, penalty);
        s_event(m, "%s breached deal %" PRIu64 " with %s (cloud share %.0f%%, chip share %.0f%%): "
                "penalty %s", sc->seats[T->lab].id, d->id, s_id(m, T->investor),
                100.0 * cloud_share, 100.0 * chip_share, money);
    }
    return FW_MARKET_OK;
}

/* ---- valuations ---------------------------------------------------------------------------- */

int fe_valuations(fw_market_t *m, uint32_t t, char *err, size_t err_len)
{
    const fw_scenario_t *sc = m->sc;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_seat_state_t *st = &m->seats[s];
        double annual = (double)st->revenue_tick * s_annual(m);
        switch (sc->seats[s].role) {
        case FW_ROLE_HYPERSCALER:
            st->valuation = llround(s_cloud_multiple(m) * annual);
            break;
        case FW_ROLE_VENDOR:
            st->valuation = llround(s_vendor_multiple(m) * annual);
            break;
        case FW_ROLE_LAB:
            /* A private lab is worth its last round until its revenue says more; a
             * faltering lab's last round fades. */
            if (st->faltering)
                st->last_round = llround((double)st->last_round * 0.95);
            st->valuation = llround(s_lab_multiple(m) * annual);
            if (st->valuation < st->last_round)
                st->valuation = st->last_round;
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

void fe_grow(fw_market_t *m)
{
    const fw_scenario_t *sc = m->sc;
    const fw_market_params_t *P = &sc->market;
    double base_total = 0;
    m->ai_spending = fw_grown(m->ai_spending, m->ai_growth);
    m->ai_growth *= P->ai_spending_growth_decay;
    m->other_cloud = fw_grown(m->other_cloud, P->other_cloud_growth);
    m->other_chips = fw_grown(m->other_chips, P->other_chip_growth);
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (sc->seats[s].role == FW_ROLE_HYPERSCALER)
            base_total += (double)m->seats[s].base_tick;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_seat_state_t *st = &m->seats[s];
        if (sc->seats[s].role == FW_ROLE_HYPERSCALER) {
            /* Customers follow AI: a cloud with more of the AI market than of the base
             * market pulls base business too. */
            double base_share = base_total > 0 ? (double)st->base_tick / base_total : 0;
            double g = sc->seats[s].base_growth +
                       P->base_pull * (m->compute_share[s] - base_share);
            if (g < -0.5)
                g = -0.5;
            st->base_revenue = fw_grown(st->base_revenue, g);
        } else if (sc->seats[s].role == FW_ROLE_LAB && st->faltering) {
            st->reach *= 1.0 - P->falter_churn; /* customers drift away */
        }
    }
}

/* ---- metrics, snapshot, views ----------------------------------------------------------------- */

static int s_investor(const fw_market_t *m, uint32_t s)
{
    fw_role_t r = m->sc->seats[s].role;
    return r == FW_ROLE_HYPERSCALER || r == FW_ROLE_VENDOR;
}

static int64_t s_stake_value(const fw_market_t *m, uint32_t investor)
{
    int64_t total = 0;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_state_t *lab = &m->seats[s];
        for (size_t i = 0; i < lab->cap_table.n; i++) {
            const fw_holder_t *h = fw_vec_at(&lab->cap_table, i);
            if (h->holder == (int)investor)
                total += h->value;
        }
    }
    return total;
}

static int64_t s_cloud_revenue(const fw_market_t *m, uint32_t s)
{
    return m->seats[s].base_tick + m->seats[s].ai_revenue_tick;
}

size_t fe_metric_count(const fw_market_t *m)
{
    size_t clouds = 0, vendors = 0, labs = 0;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_role_t r = m->sc->seats[s].role;
        clouds += r == FW_ROLE_HYPERSCALER;
        vendors += r == FW_ROLE_VENDOR;
        labs += r == FW_ROLE_LAB;
    }
    return 6 + 4 * clouds + vendors + 2 * m->n_families + 5 * labs + (clouds + vendors) * labs;
}

void fe_metrics(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__Metric **mt, size_t *k)
{
    const fw_scenario_t *sc = m->sc;
    double market = m->other_cloud, credits = 0;
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (sc->seats[s].role == FW_ROLE_HYPERSCALER)
            market += (double)s_cloud_revenue(m, s);
    for (size_t i = 0; i < m->deals.n; i++)
        credits += (double)((const fw_deal_t *)fw_vec_at(&m->deals, i))->credits_left;
    mt[(*k)++] = fm_metric(a, "ai_spending", NULL, (double)llround(m->ai_spending));
    mt[(*k)++] = fm_metric(a, "cloud_market", NULL, (double)llround(market));
    mt[(*k)++] = fm_metric(a, "credits_outstanding", NULL, credits);
    double compute_revenue = 0;
    for (uint32_t s = 0; s < m->n_seats; s++)
        compute_revenue += (double)m->seats[s].ai_revenue_tick;
    mt[(*k)++] = fm_metric(a, "compute_price", NULL,
                           m->compute_sold > 0 ? (double)llround(compute_revenue /
                                                                 (double)m->compute_sold)
                                               : 0.0);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        if (sc->seats[s].role != FW_ROLE_HYPERSCALER)
            continue;
        const char *id = sc->seats[s].id;
        const fw_seat_state_t *st = &m->seats[s];
        mt[(*k)++] = fm_metric(a, "cloud_share", id,
                               market > 0 ? (double)s_cloud_revenue(m, s) / market : 0.0);
        mt[(*k)++] = fm_metric(a, "capex", id,
                               (double)llround((double)st->chip_spend_tick *
                                               (1.0 + sc->market.facility_capex)));
        mt[(*k)++] = fm_metric(a, "ai_ops_value", id, (double)st->ai_ops_tick);
        mt[(*k)++] = fm_metric(a, "stake_value", id, (double)s_stake_value(m, s));
    }
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (sc->seats[s].role == FW_ROLE_VENDOR)
            mt[(*k)++] = fm_metric(a, "stake_value", sc->seats[s].id, (double)s_stake_value(m, s));
    for (uint32_t f = 0; f < m->n_families; f++)
        mt[(*k)++] = fm_metric(a, "maturity", sc->families[f].id, m->maturity[f]);
    /* Compute the labs ran on each family this tick: where a mandate's proof point
     * would show, as labs without the mandate move onto the chip. */
    for (uint32_t f = 0; f < m->n_families; f++) {
        int64_t c = 0;
        for (uint32_t s = 0; s < m->n_seats; s++)
            if (sc->seats[s].role == FW_ROLE_LAB)
                c += m->seats[s].family_tick[f];
        mt[(*k)++] = fm_metric(a, "family_compute", sc->families[f].id, (double)c);
    }
    /* Concentration (Herfindahl-Hirschman, 0-1) of AI compute sold across clouds and of
     * AI revenue across labs: is anyone dominant? */
    double hhi_cloud = 0, hhi_lab = 0;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        if (sc->seats[s].role == FW_ROLE_HYPERSCALER)
            hhi_cloud += m->compute_share[s] * m->compute_share[s];
        if (sc->seats[s].role == FW_ROLE_LAB)
            hhi_lab += m->seats[s].share * m->seats[s].share;
    }
    mt[(*k)++] = fm_metric(a, "hhi_cloud", NULL, hhi_cloud);
    mt[(*k)++] = fm_metric(a, "hhi_lab", NULL, hhi_lab);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        if (sc->seats[s].role != FW_ROLE_LAB)
            continue;
        const char *id = sc->seats[s].id;
        const fw_seat_state_t *st = &m->seats[s];
        mt[(*k)++] = fm_metric(a, "lab_share", id, st->share);
        mt[(*k)++] = fm_metric(a, "capability", id, st->capability);
        mt[(*k)++] = fm_metric(a, "compute", id, (double)st->compute_tick);
        mt[(*k)++] = fm_metric(a, "compliance", id, st->compliant ? 1.0 : 0.0);
        mt[(*k)++] = fm_metric(a, "faltering", id, st->faltering ? 1.0 : 0.0);
    }
    /* Round trip of each investor-lab pair: revenue back per dollar invested. */
    for (uint32_t i = 0; i < m->n_seats; i++) {
        if (!s_investor(m, i))
            continue;
        for (uint32_t l = 0; l < m->n_seats; l++) {
            if (sc->seats[l].role != FW_ROLE_LAB)
                continue;
            char name[80];
            size_t pair = (size_t)i * m->n_seats + l;
            snprintf(name, sizeof name, "%s.%s", sc->seats[i].id, sc->seats[l].id);
            double invested = (double)m->pair_invested[pair];
            mt[(*k)++] = fm_metric(a, "round_trip", name,
                                   invested > 0 ? (double)m->pair_returned[pair] / invested : 0.0);
        }
    }
}

static Flywheel__V1__InvestmentTerms *s_terms_wire(const fw_market_t *m, fw_arena_t *a,
                                                   const fw_terms_t *T)
{
    Flywheel__V1__InvestmentTerms *w = fw_arena_calloc(a, 1, sizeof *w);
    flywheel__v1__investment_terms__init(w);
    w->amount = T->amount;
    w->credit_fraction = T->credit_fraction;
    w->valuation = T->valuation;
    w->min_cloud_share = T->min_cloud_share;
    w->chip_family = T->chip_family >= 0 ? (char *)m->sc->families[T->chip_family].id : "";
    w->min_chip_share = T->min_chip_share;
    w->exclusive = T->exclusive;
    w->duration = T->duration;
    w->penalty = T->penalty;
    return w;
}

static Flywheel__V1__Deal *s_deal_wire(const fw_market_t *m, fw_arena_t *a, const fw_deal_t *d)
{
    Flywheel__V1__Deal *w = fw_arena_calloc(a, 1, sizeof *w);
    flywheel__v1__deal__init(w);
    w->id = d->id;
    w->investor = (char *)s_id(m, d->terms.investor);
    w->lab = (char *)m->sc->seats[d->terms.lab].id;
    w->terms = s_terms_wire(m, a, &d->terms);
    w->signed_tick = d->signed_tick;
    w->ends_tick = d->ends;
    w->equity = d->equity;
    w->credits_left = d->credits_left;
    w->returned = d->returned;
    w->round_trip = d->terms.amount > 0 ? (double)d->returned / (double)d->terms.amount : 0.0;
    w->compliant = d->compliant;
    w->breached = d->breached;
    return w;
}

static Flywheel__V1__Stake *s_stake_wire(const fw_market_t *m, fw_arena_t *a, uint32_t lab,
                                         const fw_holder_t *h)
{
    Flywheel__V1__Stake *w = fw_arena_calloc(a, 1, sizeof *w);
    flywheel__v1__stake__init(w);
    w->investor = (char *)s_id(m, h->holder);
    w->company = (char *)m->sc->seats[lab].id;
    w->fraction = h->fraction;
    w->value = h->value;
    w->cost = h->cost;
    return w;
}

static Flywheel__V1__Credit *s_credit_wire(const fw_market_t *m, fw_arena_t *a, uint32_t lab,
                                           uint32_t cloud, int64_t amount)
{
    Flywheel__V1__Credit *w = fw_arena_calloc(a, 1, sizeof *w);
    flywheel__v1__credit__init(w);
    w->lab = (char *)m->sc->seats[lab].id;
    w->cloud = (char *)m->sc->seats[cloud].id;
    w->amount = amount;
    return w;
}

void fe_snapshot(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__Snapshot *snap)
{
    size_t n = 0;
    for (uint32_t s = 0; s < m->n_seats; s++)
        n += m->seats[s].cap_table.n;
    snap->stakes = fw_arena_calloc(a, n, sizeof *snap->stakes);
    for (uint32_t s = 0; s < m->n_seats; s++)
        for (size_t i = 0; i < m->seats[s].cap_table.n; i++) {
            const fw_holder_t *h = fw_vec_at(&m->seats[s].cap_table, i);
            if (h->holder >= 0)
                snap->stakes[snap->n_stakes++] = s_stake_wire(m, a, s, h);
        }
    snap->deals = fw_arena_calloc(a, m->deals.n, sizeof *snap->deals);
    snap->credits = fw_arena_calloc(a, m->deals.n, sizeof *snap->credits);
    for (size_t i = 0; i < m->deals.n; i++) {
        const fw_deal_t *d = fw_vec_at(&m->deals, i);
        snap->deals[snap->n_deals++] = s_deal_wire(m, a, d);
        if (d->credits_left > 0)
            snap->credits[snap->n_credits++] =
                s_credit_wire(m, a, (uint32_t)d->terms.lab, (uint32_t)d->terms.investor,
                              d->credits_left);
    }
    snap->events = fw_arena_calloc(a, m->events_fired.n, sizeof *snap->events);
    for (size_t i = 0; i < m->events_fired.n; i++)
        snap->events[snap->n_events++] =
            fw_arena_strdup(a, ((const fw_event_text_t *)fw_vec_at(&m->events_fired, i))->text);
}

static Flywheel__V1__Share *s_share(fw_arena_t *a, const char *id, double value)
{
    Flywheel__V1__Share *sh = fw_arena_calloc(a, 1, sizeof *sh);
    flywheel__v1__share__init(sh);
    sh->id = (char *)id;
    sh->value = value;
    return sh;
}

void fe_view_market(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__MarketView *mv)
{
    const fw_scenario_t *sc = m->sc;
    double market = m->other_cloud;
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (sc->seats[s].role == FW_ROLE_HYPERSCALER)
            market += (double)s_cloud_revenue(m, s);
    mv->lab_share = fw_arena_calloc(a, m->n_seats, sizeof *mv->lab_share);
    mv->capability = fw_arena_calloc(a, m->n_seats, sizeof *mv->capability);
    mv->cloud_share = fw_arena_calloc(a, m->n_seats, sizeof *mv->cloud_share);
    mv->valuations = fw_arena_calloc(a, m->n_seats, sizeof *mv->valuations);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const char *id = sc->seats[s].id;
        const fw_seat_state_t *st = &m->seats[s];
        if (sc->seats[s].role == FW_ROLE_LAB) {
            mv->lab_share[mv->n_lab_share++] = s_share(a, id, st->share);
            mv->capability[mv->n_capability++] = s_share(a, id, st->capability);
        } else if (sc->seats[s].role == FW_ROLE_HYPERSCALER) {
            mv->cloud_share[mv->n_cloud_share++] =
                s_share(a, id, market > 0 ? (double)s_cloud_revenue(m, s) / market : 0.0);
        }
        Flywheel__V1__Figure *fig = fw_arena_calloc(a, 1, sizeof *fig);
        flywheel__v1__figure__init(fig);
        fig->id = (char *)id;
        fig->value = st->valuation;
        mv->valuations[mv->n_valuations++] = fig;
    }
    mv->credits_allowed = m->credits_allowed;
}

void fe_view_seat(const fw_market_t *m, uint32_t seat, fw_arena_t *a, Flywheel__V1__SeatView *v)
{
    const fw_scenario_t *sc = m->sc;
    const fw_seat_state_t *st = &m->seats[seat];
    uint32_t t = m->tick + 1;
    v->valuation = st->valuation;
    v->base_revenue = st->base_tick;
    v->chip_spend_last = st->chip_spend_tick;
    if (sc->seats[seat].role == FW_ROLE_LAB) {
        /* The compute its customers would use this tick if its share held. */
        double total_attract = m->outside_attract;
        for (uint32_t s = 0; s < m->n_seats; s++)
            if (sc->seats[s].role == FW_ROLE_LAB)
                total_attract += s_attract(m, s);
        double want = total_attract > 0 ? m->ai_spending * s_attract(m, seat) / total_attract : 0;
        double rpc = (double)(sc->seats[seat].revenue_per_compute > 0
                                  ? sc->seats[seat].revenue_per_compute : 1);
        v->demand = llround(want / rpc);
        v->capability = st->capability;
        v->faltering = st->faltering;
        v->efficiency = fw_arena_calloc(a, m->n_families, sizeof *v->efficiency);
        for (uint32_t f = 0; f < m->n_families; f++)
            v->efficiency[v->n_efficiency++] =
                s_share(a, sc->families[f].id, st->skill[f] * m->maturity[f]);
        v->proposals = fw_arena_calloc(a, m->proposals.n, sizeof *v->proposals);
        for (size_t i = 0; i < m->proposals.n; i++) {
            const fw_proposal_t *p = fw_vec_at(&m->proposals, i);
            if (p->terms.lab != (int)seat || p->visible > t || t > p->expires)
                continue;
            Flywheel__V1__Proposal *w = fw_arena_calloc(a, 1, sizeof *w);
            flywheel__v1__proposal__init(w);
            w->id = p->id;
            w->investor = (char *)s_id(m, p->terms.investor);
            w->lab = (char *)sc->seats[seat].id;
            w->terms = s_terms_wire(m, a, &p->terms);
            w->expires = p->expires;
            v->proposals[v->n_proposals++] = w;
        }
        v->credits = fw_arena_calloc(a, m->n_seats, sizeof *v->credits);
        for (uint32_t c = 0; c < m->n_seats; c++) {
            if (sc->seats[c].role != FW_ROLE_HYPERSCALER)
                continue;
            int64_t credit = fe_credits(m, seat, c);
            if (credit > 0)
                v->credits[v->n_credits++] = s_credit_wire(m, a, seat, c, credit);
        }
    }
    v->deals = fw_arena_calloc(a, m->deals.n, sizeof *v->deals);
    for (size_t i = 0; i < m->deals.n; i++) {
        const fw_deal_t *d = fw_vec_at(&m->deals, i);
        if (d->terms.lab == (int)seat || d->terms.investor == (int)seat)
            v->deals[v->n_deals++] = s_deal_wire(m, a, d);
    }
    size_t n = 0;
    for (uint32_t s = 0; s < m->n_seats; s++)
        n += m->seats[s].cap_table.n;
    v->stakes = fw_arena_calloc(a, n, sizeof *v->stakes);
    for (uint32_t s = 0; s < m->n_seats; s++)
        for (size_t i = 0; i < m->seats[s].cap_table.n; i++) {
            const fw_holder_t *h = fw_vec_at(&m->seats[s].cap_table, i);
            if (h->holder == (int)seat)
                v->stakes[v->n_stakes++] = s_stake_wire(m, a, s, h);
        }
}

uint64_t fe_hash(const fw_market_t *m, uint64_t h)
{
    /* The doubles are exact functions of the integer state and the scenario, and
     * are computed in one fixed order, so their bits are the same on every host
     * built with -ffp-contract=off. */
#define MIX(x)                                                                    \
    do {                                                                          \
        uint64_t v_ = 0;                                                          \
        memcpy(&v_, &(x), sizeof v_ < sizeof(x) ? sizeof v_ : sizeof(x));         \
        for (int b_ = 0; b_ < 8; b_++) {                                          \
            h ^= (v_ >> (8 * b_)) & 0xffu;                                        \
            h *= 0x100000001b3ULL;                                                \
        }                                                                         \
    } while (0)
    MIX(m->ai_spending);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_state_t *st = &m->seats[s];
        MIX(st->capability);
        MIX(st->reach);
        MIX(st->valuation);
    }
    for (size_t i = 0; i < m->deals.n; i++) {
        const fw_deal_t *d = fw_vec_at(&m->deals, i);
        MIX(d->credits_left);
        MIX(d->returned);
    }
#undef MIX
    return h;
}
