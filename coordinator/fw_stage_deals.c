/* fw_stage_deals: the deals' stages: scheduled events, investments, stipulations.
 *
 * Investments: a cloud or a vendor proposes (amount, part paid as credits, valuation,
 * stipulations, penalty) in one tick; the lab sees it in the next tick's view and
 * answers in that tick's actions; the clearing executes it first thing. A scheduled
 * deal (a scenario event) is proposed at the start of its tick and answered in it.
 *
 * Credits are compute paid in advance on the investor's cloud: the lab holds them as
 * an asset, the cloud owes them as deferred revenue, and when the lab buys compute
 * from that cloud the credits are spent first (fw_stage_compute.c). Stipulations (a
 * share of compute on the investor's cloud, a chip mandate, exclusivity) are checked
 * after the tick's purchases; a breach costs the lab the penalty and ends them.
 *
 * Invariants (beyond the ledger's): an investor's STAKES balance equals the sum of its
 * holdings' values; a lab's CREDITS balance equals the credits left in its deals; a
 * cloud's DEFERRED balance is minus the credits it has granted and not yet served.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "fw_money.h"
#include "fw_stages.h"

void fw_deals_fire_events(fw_market_t *m, uint32_t t)
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
            fm_event(m, "supply of %s back to normal", sc->families[f].id);
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
            p->scheduled = true;
            break;
        }
        case FW_EVENT_CAPABILITY_SHOCK:
            if (fm_is(m, e->seat, FW_ROLE_LAB)) {
                m->seats[e->seat].cap_base *= e->factor;
                m->seats[e->seat].capability *= e->factor;
            }
            break;
        case FW_EVENT_DEMAND_SHOCK:
            if (fm_is(m, e->seat, FW_ROLE_LAB))
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
        fm_event(m, "%s", e->name[0] ? e->name : "scheduled event");
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
                     d->id, fm_id(m, d->terms.investor));
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
    if (inv < 0 || !fm_is(m, inv, FW_ROLE_HYPERSCALER) || !m->credits_allowed)
        T.credit_fraction = 0;
    int64_t credit = llround((double)T.amount * T.credit_fraction);
    int64_t cash = T.amount - credit;
    if (inv >= 0 && cash > fm_cash(m, (uint32_t)inv)) {
        snprintf(why, len, "%s cannot pay %" PRId64 " in cash", fm_id(m, inv), cash);
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
        lab->round_revenue = 0; /* the mark restarts from this tick's revenue */
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
        fm_issue(m, labi, inv, equity, T.amount);
        if (inv >= 0)
            fm_holder(m, labi, inv)->value += T.amount; /* at cost until the next mark */
        lab->last_deal = t;
        lab->faltering = 0;
        fm_fill_money(m, labi, FW_FILL_INVESTMENT, inv, T.amount);
        if (inv >= 0) {
            fm_fill_money(m, (uint32_t)inv, FW_FILL_INVESTMENT, (int)labi,
                          T.amount);
        }
    }
    fw_deal_t *d = fm_add_deal(m, &T);
    /* After the deal: the pair's payments are counted from its first deal, and this
     * tick's compute (cleared after the deals) is already a return on the money. */
    if (inv >= 0 && T.amount > 0)
        fm_invested(m, labi, inv, T.amount);
    d->id = ++m->next_id;
    d->signed_tick = t;
    d->ends = t + T.duration;
    d->equity = equity;
    d->credits_left = credit;
    d->compliant = 1;
    return 0;
}

static int s_share_ok(double v)
{
    return v >= 0.0 && v <= 1.0; /* false for NaN too */
}

/* Checks a proposal; returns NULL if fine, else the reason. */
static const char *s_check_proposal(const fw_market_t *m, uint32_t s, const fw_proposal_in_t *p)
{
    const fw_seat_t *me = &m->sc->seats[s];
    const fw_terms_t *w = &p->terms;
    if (me->role != FW_ROLE_HYPERSCALER && me->role != FW_ROLE_VENDOR)
        return "only clouds and chip vendors invest in labs";
    if (!fm_is(m, p->lab, FW_ROLE_LAB))
        return "no such lab";
    if (!p->has_terms)
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
    if (p->family_named && w->chip_family < 0)
        return "unknown chip family";
    if (w->min_chip_share > 0 && !p->family_named)
        return "min_chip_share needs a chip_family";
    if (w->valuation != 0 && w->valuation < w->amount)
        return "valuation must be 0 or at least the amount";
    if (w->duration < 1 || w->duration > 1200)
        return "duration must be 1 to 1200 ticks";
    if (w->penalty < 0)
        return "penalty must be >= 0";
    if (w->min_spend < 0)
        return "min_spend must be >= 0";
    /* Take-or-pay is owed for compute the cloud stands ready to sell. */
    if (w->min_spend > 0 && (me->role != FW_ROLE_HYPERSCALER || !me->sells_compute))
        return "only a cloud that sells compute can ask for a minimum spend (min_spend)";
    if (!s_share_ok(w->credit_fraction_slack) || w->credit_fraction_slack > w->credit_fraction ||
        !s_share_ok(w->cloud_share_slack) || w->cloud_share_slack > w->min_cloud_share ||
        !s_share_ok(w->chip_share_slack) || w->chip_share_slack > w->min_chip_share)
        return "each slack must be in [0, its term]";
    return NULL;
}

/* Whether `x`, a share the lab takes, is within [term - slack, term] (a hair of
 * rounding allowed either side). */
static bool s_within(double x, double term, double slack)
{
    return isfinite(x) && x >= term - slack - 1e-9 && x <= term + 1e-9;
}

/* A lab's counter: the proposal's terms with the shares it takes, if each is within
 * the proposal's slack; else NULL and the terms unchanged. Signed terms carry no
 * slack. */
static const char *s_counter(const fw_answer_in_t *ans, fw_terms_t *T)
{
    if (ans->counter) {
        if (!s_within(ans->credit_fraction, T->credit_fraction, T->credit_fraction_slack) ||
            !s_within(ans->min_cloud_share, T->min_cloud_share, T->cloud_share_slack) ||
            !s_within(ans->min_chip_share, T->min_chip_share, T->chip_share_slack))
            return "counter terms outside the proposal's slack";
        T->credit_fraction = fmin(ans->credit_fraction, T->credit_fraction);
        T->min_cloud_share = fmin(ans->min_cloud_share, T->min_cloud_share);
        T->min_chip_share = fmin(ans->min_chip_share, T->min_chip_share);
    }
    T->credit_fraction_slack = T->cloud_share_slack = T->chip_share_slack = 0.0;
    return NULL;
}

int fw_stage_investments(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                         size_t err_len)
{
    const fw_scenario_t *sc = m->sc;
    char why[200];
    /* Answers first, labs in seat order, each lab's answers in its order. */
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_orders_t *a = &orders[s];
        if (!a->present)
            continue;
        for (size_t i = 0; i < a->n_answers; i++) {
            const fw_answer_in_t *ans = &a->answers[i];
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
            const char *bad = s_counter(ans, &p.terms);
            if (bad) {
                fm_reject(m, s, "answers", i, "%s", bad);
                if (p.terms.investor >= 0)
                    fm_reject(m, (uint32_t)p.terms.investor, "proposals", 0, "%s countered "
                              "proposal %" PRIu64 " outside its slack", sc->seats[s].id, p.id);
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
            fm_event(m, "signed: %s", p.name[0] ? p.name : "investment");
        }
    }
    /* Then new proposals, seen by the labs next tick. */
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_orders_t *a = &orders[s];
        if (!a->present)
            continue;
        for (size_t i = 0; i < a->n_proposals; i++) {
            const fw_proposal_in_t *w = &a->proposals[i];
            int lab = w->lab;
            const char *bad = i >= 4 ? "at most 4 proposals a tick" : s_check_proposal(m, s, w);
            if (bad) {
                fm_reject(m, s, "proposals", i, "%s", bad);
                continue;
            }
            fw_proposal_t *p = fw_vec_push(&m->proposals);
            p->id = ++m->next_id;
            p->terms = w->terms;
            p->visible = t + 1;
            p->expires = t + 1;
            char amount[32];
            fw_money_format(amount, sizeof amount, w->terms.amount, FW_MONEY_EVENT);
            snprintf(p->name, sizeof p->name, "%s invests %s in %s", sc->seats[s].id, amount,
                     sc->seats[lab].id);
        }
    }
    return FW_MARKET_OK;
}

/* ---- credits and compute payments --------------------------------------------------------- */


/* What a lab can pay of what it owes (a penalty, a take-or-pay shortfall): its cash
 * beyond one tick of its customers' spending. Serving customers comes first, as for a
 * company that cannot meet its contracts and keeps its suppliers of the moment (a
 * restructuring's critical vendors): the lab keeps the working capital to buy next
 * tick the compute that earns its revenue. Without it, a lab that owed more than it
 * had ended the tick with no cash, bought nothing the next, so earned nothing, and
 * lost to its clouds every dollar an investor put in after: it could not even falter,
 * only stop. */
static int64_t s_payable(const fw_market_t *m, uint32_t lab)
{
    int64_t left = fm_cash(m, lab) - m->seats[lab].demand_dollars;
    return left > 0 ? left : 0;
}

/* Which clouds and which families had compute left to sell this tick (one pass over
 * the offers posted): a lab is not in breach for what could not be had. */
static void s_unsold(const fw_market_t *m, bool *cloud_open, bool *family_open)
{
    for (size_t i = 0; i < m->posted.n; i++) {
        size_t offer = *(const size_t *)fw_vec_at(&m->posted, i);
        const fw_offer_t *o = &m->compute_offers[offer];
        if (o->posted && o->sold < o->quantity) {
            cloud_open[offer / m->n_families] = true;
            family_open[offer % m->n_families] = true;
        }
    }
}

/* Pays `amount` of lab's take-or-pay shortfall to `cloud`: an expense of the lab and
 * revenue of the cloud, and, like compute bought there, a return on the cloud's money. */
static int s_pay_shortfall(fw_market_t *m, uint32_t lab, uint32_t cloud, int64_t amount,
                           char *err, size_t err_len)
{
    fw_leg_t legs[4] = {
        {fw_acc(lab, FW_ACC_EXPENSE), amount},
        {fw_acc(lab, FW_ACC_CASH), -amount},
        {fw_acc(cloud, FW_ACC_CASH), amount},
        {fw_acc(cloud, FW_ACC_REVENUE), -amount},
    };
    int rc = fm_post(m, legs, 4, "take-or-pay shortfall", err, err_len);
    if (rc != FW_MARKET_OK)
        return rc;
    fm_fill_money(m, lab, FW_FILL_TAKE_OR_PAY, (int)cloud, amount);
    fm_fill_money(m, cloud, FW_FILL_TAKE_OR_PAY, (int)lab, amount);
    fm_pay_investor(m, lab, (int)cloud, amount);
    return FW_MARKET_OK;
}

/* Take-or-pay: from the tick after signing through its end, a deal with min_spend
 * makes the lab owe the investor's cloud that much compute a tick. Contracts with one
 * cloud add up (they are volumes, not shares); what the lab spent on that cloud's
 * compute this tick (credits too) counts against them, and the shortfall is paid in
 * cash, as far as its cash beyond this tick's compute goes. A breach of a deal's
 * shares does not end it: the penalty buys out the shares, not the money committed.
 * A lab that cannot pay every cloud in full pays each in proportion to what it is
 * owed (no seat's place or name decides), and what is left unpaid counts towards its
 * burn (fw_stage_solvency). */
static int s_take_or_pay(fw_market_t *m, uint32_t t, char *err, size_t err_len)
{
    int64_t *owed = calloc(m->n_seats + 1, sizeof *owed);
    uint32_t *clouds = calloc(m->n_seats + 1, sizeof *clouds);
    int rc = FW_MARKET_OK;
    if (!owed || !clouds) {
        free(owed);
        free(clouds);
        return FW_MARKET_ENOMEM;
    }
    for (uint32_t s = 0; s < m->n_seats && rc == FW_MARKET_OK; s++) {
        fw_seat_state_t *lab = &m->seats[s];
        size_t n = 0;
        if (m->sc->seats[s].role != FW_ROLE_LAB)
            continue;
        for (size_t i = 0; i < lab->deal_refs.n; i++) {
            const fw_deal_t *d = fw_vec_at(&m->deals, *(size_t *)fw_vec_at(&lab->deal_refs, i));
            const fw_terms_t *T = &d->terms;
            if (T->lab != (int)s || T->min_spend <= 0 || T->investor < 0 || t <= d->signed_tick ||
                t > d->ends)
                continue;
            if (owed[T->investor] == 0)
                clouds[n++] = (uint32_t)T->investor;
            owed[T->investor] += T->min_spend;
        }
        __int128 total = 0;
        for (size_t k = 0; k < n; k++) {
            int64_t spent = lab->cloud_spend[clouds[k]];
            owed[clouds[k]] = owed[clouds[k]] > spent ? owed[clouds[k]] - spent : 0;
            total += owed[clouds[k]];
        }
        int64_t cash = s_payable(m, s);
        for (size_t k = 0; k < n; k++) {
            uint32_t c = clouds[k];
            int64_t pay = total <= cash ? owed[c] : (int64_t)((__int128)owed[c] * cash / total);
            lab->unpaid_tick += owed[c] - pay;
            if (pay > 0 && rc == FW_MARKET_OK)
                rc = s_pay_shortfall(m, s, c, pay, err, err_len);
            owed[c] = 0;
        }
    }
    free(owed);
    free(clouds);
    return rc;
}

int fw_stage_stipulations(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                          size_t err_len)
{
    (void)orders;
    const fw_scenario_t *sc = m->sc;
    bool *cloud_open = calloc(m->n_seats + 1, sizeof *cloud_open);
    bool *family_open = calloc(m->n_families + 1, sizeof *family_open);
    int rc = FW_MARKET_OK;
    if (!cloud_open || !family_open) {
        free(cloud_open);
        free(family_open);
        return FW_MARKET_ENOMEM;
    }
    s_unsold(m, cloud_open, family_open);
    for (uint32_t s = 0; s < m->n_seats; s++)
        m->seats[s].compliant = 1;
    for (size_t i = 0; i < m->deals.n && rc == FW_MARKET_OK; i++) {
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
        int cloud_short = T->investor >= 0 && !cloud_open[T->investor];
        int chip_short = T->chip_family >= 0 && !family_open[T->chip_family];
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
        int64_t cash = s_payable(m, (uint32_t)T->lab);
        if (penalty > cash)
            penalty = cash;
        lab->unpaid_tick += T->penalty - penalty;
        if (penalty > 0) {
            /* Investors outside the scenario have no books: what the lab pays them
             * leaves the scenario, an expense like any other payment to the outside. */
            fw_leg_t legs[4] = {
                {fw_acc((uint32_t)T->lab, FW_ACC_EXPENSE), penalty},
                {fw_acc((uint32_t)T->lab, FW_ACC_CASH), -penalty},
            };
            size_t n = 2;
            if (T->investor >= 0) {
                legs[n++] = (fw_leg_t){fw_acc((uint32_t)T->investor, FW_ACC_CASH), penalty};
                legs[n++] = (fw_leg_t){fw_acc((uint32_t)T->investor, FW_ACC_REVENUE), -penalty};
            }
            rc = fm_post(m, legs, n, "breach penalty", err, err_len);
            if (rc != FW_MARKET_OK)
                break;
            fm_fill_money(m, (uint32_t)T->lab, FW_FILL_PENALTY, T->investor, penalty);
            if (T->investor >= 0)
                fm_fill_money(m, (uint32_t)T->investor, FW_FILL_PENALTY, T->lab, penalty);
        }
        char money[32];
        fw_money_format(money, sizeof money, penalty, FW_MONEY_EVENT);
        fm_event(m, "%s breached deal %" PRIu64 " with %s (cloud share %.0f%%, chip share %.0f%%): "
                "penalty %s", sc->seats[T->lab].id, d->id, fm_id(m, T->investor),
                100.0 * cloud_share, 100.0 * chip_share, money);
    }
    free(cloud_open);
    free(family_open);
    if (rc == FW_MARKET_OK)
        rc = s_take_or_pay(m, t, err, err_len);
    return rc;
}

/* Whether lab s falters at the end of tick t: it could not pay what it owed this
 * tick (a take-or-pay shortfall or a penalty beyond what it can pay, s_payable), or
 * its cash would not last another tick like this one (the burn: what the tick took
 * from its cash, compute and payments less revenue). A lab that is paid as much as it
 * pays and owes nothing it cannot pay never falters, however little cash it holds. A
 * deal in the last three ticks (an investor stepping in) keeps it going. */
static int s_falters(const fw_market_t *m, uint32_t s, uint32_t t, int64_t *burn)
{
    const fw_seat_state_t *st = &m->seats[s];
    *burn = -fw_ledger_tick_delta(m->ledger, fw_acc(s, FW_ACC_CASH));
    int out_of_cash = st->unpaid_tick > 0 || (*burn > 0 && fm_cash(m, s) < *burn);
    return out_of_cash && (st->last_deal == 0 || t > st->last_deal + 3);
}

int fw_stage_solvency(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                      size_t err_len)
{
    (void)orders;
    (void)err;
    (void)err_len;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        if (m->sc->seats[s].role != FW_ROLE_LAB)
            continue;
        fw_seat_state_t *st = &m->seats[s];
        int64_t burn;
        int was = st->faltering;
        st->faltering = s_falters(m, s, t, &burn);
        if (st->faltering && !was) {
            char cash[32], net[32], unpaid[32];
            fw_money_format(cash, sizeof cash, fm_cash(m, s), FW_MONEY_EVENT);
            fw_money_format(net, sizeof net, burn, FW_MONEY_EVENT);
            fw_money_format(unpaid, sizeof unpaid, st->unpaid_tick, FW_MONEY_EVENT);
            fm_event(m, "%s falters: %s in cash, a burn of %s this tick, %s owed and unpaid",
                     m->sc->seats[s].id, cash, net, unpaid);
        } else if (was && !st->faltering) {
            fm_event(m, "%s no longer falters", m->sc->seats[s].id);
        }
    }
    return FW_MARKET_OK;
}

/* ---- valuations ---------------------------------------------------------------------------- */
