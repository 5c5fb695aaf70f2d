/* fw_ground: see fw_ground.h. The state's life cycle and the booking primitives. */
#include "fw_ground.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

/* ---- life cycle ------------------------------------------------------------ */

struct fw_metric_names {
    char **names; /* [k], NULL until written */
    size_t cap;
};

fw_market_t *fw_ground_alloc(const fw_scenario_t *sc, uint32_t ticks)
{
    fw_market_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->sc = sc;
    m->n_seats = (uint32_t)sc->n_seats;
    m->n_families = (uint32_t)sc->n_families;
    m->ticks = ticks ? ticks : sc->ticks;
    m->ledger = fw_ledger_new(m->n_seats);
    m->seats = calloc(m->n_seats, sizeof *m->seats);
    m->capacity = calloc(m->n_families, sizeof *m->capacity);
    m->chip_offers = calloc(m->n_families, sizeof *m->chip_offers);
    m->compute_offers = calloc((size_t)m->n_seats * m->n_families, sizeof *m->compute_offers);
    m->compute_share = calloc(m->n_seats, sizeof *m->compute_share);
    m->installed_share = calloc(m->n_families, sizeof *m->installed_share);
    m->reports = calloc(m->n_seats, sizeof *m->reports);
    m->supply_factor = calloc(m->n_families, sizeof *m->supply_factor);
    m->supply_until = calloc(m->n_families, sizeof *m->supply_until);
    m->maturity = calloc(m->n_families, sizeof *m->maturity);
    m->cum_all = calloc(m->n_families, sizeof *m->cum_all);
    m->family_revenue = calloc(m->n_families, sizeof *m->family_revenue);
    m->family_units = calloc(m->n_families, sizeof *m->family_units);
    m->scratch = calloc(m->n_seats, sizeof *m->scratch);
    m->family_scratch = calloc(m->n_families + 1, sizeof *m->family_scratch);
    size_t investors = 0, labs = 0;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_role_t r = sc->seats[s].role;
        investors += r == FW_ROLE_HYPERSCALER || r == FW_ROLE_VENDOR;
        labs += r == FW_ROLE_LAB;
    }
    m->pairwise = investors * labs <= FW_PAIRS_MAX;
    m->metric_names = calloc(1, sizeof *m->metric_names);
    if (!m->ledger || !m->seats || !m->capacity || !m->chip_offers || !m->compute_offers ||
        !m->compute_share || !m->installed_share || !m->reports || !m->supply_factor ||
        !m->supply_until || !m->maturity || !m->cum_all || !m->family_revenue ||
        !m->family_units || !m->scratch || !m->family_scratch ||
        !m->metric_names) {
        fw_ground_free(m);
        return NULL;
    }
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_vec_init(&m->seats[s].lots, sizeof(fw_lot_t));
        fw_vec_init(&m->seats[s].cap_table, sizeof(fw_holder_t));
        fw_vec_init(&m->seats[s].deal_refs, sizeof(size_t));
        fw_vec_init(&m->seats[s].holdings, sizeof(uint32_t));
        fw_vec_init(&m->seats[s].touched, sizeof(uint32_t));
        fw_vec_init(&m->seats[s].touched_families, sizeof(uint32_t));
        fw_vec_init(&m->seats[s].credit_refs, sizeof(size_t));
        fw_vec_init(&m->seats[s].paid, sizeof(fw_paid_t));
        fw_vec_init(&m->reports[s].fills, sizeof(fw_fill_t));
        fw_vec_init(&m->reports[s].rejections, sizeof(fw_rejection_t));
    }
    fw_vec_init(&m->requests, sizeof(fw_request_t));
    fw_vec_init(&m->posted, sizeof(size_t));
    fw_vec_init(&m->chip_flows, sizeof(fw_flow_t));
    fw_vec_init(&m->compute_flows, sizeof(fw_flow_t));
    fw_vec_init(&m->events_fired, sizeof(fw_event_text_t));
    fw_vec_init(&m->proposals, sizeof(fw_proposal_t));
    fw_vec_init(&m->deals, sizeof(fw_deal_t));
    return m;
}

static void s_free_names(fw_name_index_t *ix)
{
    free(ix->ids);
    free(ix->index);
    memset(ix, 0, sizeof *ix);
}

void fw_ground_free(fw_market_t *m)
{
    if (!m)
        return;
    if (m->seats)
        for (uint32_t s = 0; s < m->n_seats; s++) {
            fw_seat_state_t *st = &m->seats[s];
            fw_vec_free(&st->lots);
            fw_vec_free(&st->cap_table);
            fw_vec_free(&st->deal_refs);
            fw_vec_free(&st->holdings);
            fw_vec_free(&st->touched);
            fw_vec_free(&st->touched_families);
            fw_vec_free(&st->credit_refs);
            fw_vec_free(&st->paid);
            free(st->skill);
            free(st->cum_family);
            free(st->family_tick);
            free(st->cloud_spend);
            free(st->bid_cloud);
            free(st->bid_family);
        }
    if (m->reports)
        for (uint32_t s = 0; s < m->n_seats; s++) {
            fw_vec_free(&m->reports[s].fills);
            fw_vec_free(&m->reports[s].rejections);
        }
    fw_vec_free(&m->requests);
    fw_vec_free(&m->chip_flows);
    fw_vec_free(&m->compute_flows);
    fw_vec_free(&m->events_fired);
    fw_vec_free(&m->proposals);
    fw_vec_free(&m->deals);
    if (m->metric_names) {
        for (size_t k = 0; k < m->metric_names->cap; k++)
            free(m->metric_names->names[k]);
        free(m->metric_names->names);
        free(m->metric_names);
    }
    s_free_names(&m->seat_names);
    s_free_names(&m->family_names);
    fw_ledger_destroy(&m->ledger);
    free(m->seats);
    free(m->capacity);
    free(m->chip_offers);
    free(m->compute_offers);
    free(m->quote_rank);
    fw_vec_free(&m->posted);
    free(m->compute_share);
    free(m->installed_share);
    free(m->reports);
    free(m->supply_factor);
    free(m->supply_until);
    free(m->maturity);
    free(m->cum_all);
    free(m->family_revenue);
    free(m->family_units);
    free(m->scratch);
    free(m->family_scratch);
    free(m);
}

void fw_ground_begin_tick(fw_market_t *m, const fw_orders_t *orders)
{
    fw_ledger_begin_tick(m->ledger);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_seat_state_t *st = &m->seats[s];
        st->compute_tick = 0;
        st->ai_revenue_tick = 0;
        st->chip_spend_tick = 0;
        st->ai_ops_tick = 0;
        st->base_tick = 0;
        st->spend_tick = 0;
        st->unpaid_tick = 0;
        /* Only what the last tick touched is reset: a lab's per-cloud figures are
         * n_seats long, and clearing them all would cost labs x seats a tick. */
        for (size_t i = 0; i < st->touched.n; i++) {
            uint32_t c = *(uint32_t *)fw_vec_at(&st->touched, i);
            st->cloud_spend[c] = 0;
            st->bid_cloud[c] = 0;
        }
        for (size_t i = 0; i < st->touched_families.n; i++) {
            uint32_t f = *(uint32_t *)fw_vec_at(&st->touched_families, i);
            st->family_tick[f] = 0;
            st->bid_family[f] = 0;
        }
        st->touched.n = 0;
        st->touched_families.n = 0;
        st->bid_spend = 0;
        st->bid_compute = 0;
        st->present = orders[s].present;
        if (st->present)
            st->present_ticks++;
        m->reports[s].fills.n = 0;
        m->reports[s].rejections.n = 0;
    }
    memset(m->chip_offers, 0, m->n_families * sizeof *m->chip_offers);
    for (size_t i = 0; i < m->posted.n; i++)
        m->compute_offers[*(size_t *)fw_vec_at(&m->posted, i)] = (fw_offer_t){0, 0, 0, 0, 0};
    m->posted.n = 0;
    m->chip_flows.n = 0;
    m->compute_flows.n = 0;
    m->chips_sold = 0;
    m->compute_sold = 0;
    memset(m->family_revenue, 0, m->n_families * sizeof *m->family_revenue);
    memset(m->family_units, 0, m->n_families * sizeof *m->family_units);
}

const char *fm_metric_name(const fw_market_t *m, size_t k)
{
    const struct fw_metric_names *t = m->metric_names;
    return k < t->cap ? t->names[k] : NULL;
}

void fm_keep_metric_name(const fw_market_t *m, size_t k, const char *name)
{
    struct fw_metric_names *t = m->metric_names;
    if (k >= t->cap) {
        size_t cap = t->cap ? t->cap : 64;
        while (cap <= k)
            cap *= 2;
        char **names = realloc(t->names, cap * sizeof *names);
        if (!names)
            return; /* written again next tick */
        memset(names + t->cap, 0, (cap - t->cap) * sizeof *names);
        t->names = names;
        t->cap = cap;
    }
    if (!t->names[k])
        t->names[k] = strdup(name);
}

/* ---- reports ----------------------------------------------------------------- */

void fm_reject(fw_market_t *m, uint32_t seat, const char *list, size_t index, const char *fmt,
               ...)
{
    fw_rejection_t *r = fw_vec_push(&m->reports[seat].rejections);
    va_list ap;
    snprintf(r->action, sizeof r->action, "%s[%zu]", list, index);
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
}

void fm_fill(fw_market_t *m, uint32_t seat, fw_fill_kind_t kind, uint32_t other, int family,
             int64_t quantity, int64_t price)
{
    fw_fill_t *f = fw_vec_push(&m->reports[seat].fills);
    *f = (fw_fill_t){kind, (int)other, family, quantity, price, quantity * price};
}

void fm_fill_money(fw_market_t *m, uint32_t seat, fw_fill_kind_t kind, int other,
                   int64_t amount)
{
    fw_fill_t *f = fw_vec_push(&m->reports[seat].fills);
    *f = (fw_fill_t){kind, other, -1, 0, 0, amount};
}

void fm_flow(fw_vec_t *flows, uint32_t seller, uint32_t buyer, int family, int64_t quantity,
             int64_t amount)
{
    fw_flow_t *f = fw_vec_push(flows);
    *f = (fw_flow_t){seller, buyer, family, quantity, amount};
}

void fm_event(fw_market_t *m, const char *fmt, ...)
{
    fw_event_text_t *e = fw_vec_push(&m->events_fired);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
}

/* ---- the books --------------------------------------------------------------- */

int fm_post(fw_market_t *m, const fw_leg_t *legs, size_t n, const char *memo, char *err,
            size_t err_len)
{
    int rc = fw_ledger_post(m->ledger, legs, n, memo);
    if (rc != FW_LEDGER_OK) {
        snprintf(err, err_len, "tick %u: ledger refused '%s': %s", m->tick + 1, memo,
                 fw_ledger_strerror(rc));
        return FW_MARKET_EBOOKS;
    }
    return FW_MARKET_OK;
}

int64_t fm_cash(const fw_market_t *m, uint32_t seat)
{
    return fw_ledger_balance(m->ledger, fw_acc(seat, FW_ACC_CASH));
}

int64_t fm_affordable(fw_market_t *m, uint32_t seat, const char *list, size_t i, int64_t qty,
                      int64_t price, int64_t *reserve, int64_t *credit)
{
    int64_t cash = *reserve > 0 ? *reserve : 0;
    int64_t credits = credit && *credit > 0 ? *credit : 0;
    int64_t can = (cash + credits) / price;
    if (qty > can) {
        fm_reject(m, seat, list, i, "quantity %" PRId64 " trimmed to %" PRId64
                  ": cash left this tick is %" PRId64 " (credits %" PRId64 ")", qty, can,
                  cash, credits);
        qty = can;
    }
    int64_t cost = qty * price;
    int64_t from_credit = cost < credits ? cost : credits;
    if (credit)
        *credit -= from_credit;
    *reserve -= cost - from_credit;
    return qty;
}

void fm_ration_requests(fw_vec_t *reqs, int64_t supply)
{
    int64_t *want = calloc(reqs->n ? reqs->n : 1, sizeof *want);
    int64_t *grant = calloc(reqs->n ? reqs->n : 1, sizeof *grant);
    if (!want || !grant)
        abort();
    for (size_t i = 0; i < reqs->n; i++)
        want[i] = ((fw_request_t *)fw_vec_at(reqs, i))->want;
    fw_market_ration(supply, want, reqs->n, grant);
    for (size_t i = 0; i < reqs->n; i++)
        ((fw_request_t *)fw_vec_at(reqs, i))->grant = grant[i];
    free(want);
    free(grant);
}

/* ---- chips in service --------------------------------------------------------- */

int64_t fm_compute_of(const fw_family_t *f, int64_t units)
{
    return units * (int64_t)f->perf_milli / 1000;
}

void fm_post_compute_offer(fw_market_t *m, size_t offer, int64_t price, int64_t quantity)
{
    if (!m->compute_offers[offer].posted)
        *(size_t *)fw_vec_push(&m->posted) = offer;
    m->compute_offers[offer] = (fw_offer_t){1, price, quantity, 0, 0};
}

fw_lot_t *fm_add_lot(fw_market_t *m, uint32_t seat, int family, int64_t units, int64_t book,
                     uint32_t arrives, uint32_t retires)
{
    fw_lot_t *lot = fw_vec_push(&m->seats[seat].lots);
    lot->family = family;
    lot->units = units;
    lot->book = book;
    lot->arrives = arrives;
    lot->retires = retires;
    return lot;
}

void fm_in_service(const fw_market_t *m, uint32_t seat, uint32_t t, int64_t *by_family)
{
    const fw_vec_t *lots = &m->seats[seat].lots;
    for (size_t i = 0; i < lots->n; i++) {
        const fw_lot_t *lot = fw_vec_at(lots, i);
        if (lot->arrives <= t && t < lot->retires)
            by_family[lot->family] += fm_compute_of(&m->sc->families[lot->family], lot->units);
    }
}

/* Compute in service at tick t (lots with arrives <= t < retires). */
int64_t fm_installed_at(const fw_market_t *m, uint32_t seat, int family, uint32_t t)
{
    const fw_vec_t *lots = &m->seats[seat].lots;
    int64_t compute = 0;
    for (size_t i = 0; i < lots->n; i++) {
        const fw_lot_t *lot = fw_vec_at(lots, i);
        if ((family < 0 || lot->family == family) && lot->arrives <= t && t < lot->retires)
            compute += fm_compute_of(&m->sc->families[lot->family], lot->units);
    }
    return compute;
}

/* ---- deals and cap tables ------------------------------------------------------- */

fw_deal_t *fm_deal_of(const fw_market_t *m, uint32_t seat, size_t i)
{
    return fw_vec_at(&m->deals, *(size_t *)fw_vec_at(&m->seats[seat].deal_refs, i));
}

int64_t fm_credits(const fw_market_t *m, uint32_t lab, uint32_t cloud)
{
    const fw_vec_t *refs = &m->seats[lab].credit_refs;
    int64_t total = 0;
    for (size_t i = 0; i < refs->n; i++) {
        const fw_deal_t *d = fw_vec_at(&m->deals, *(const size_t *)fw_vec_at(refs, i));
        if (d->terms.investor == (int)cloud)
            total += d->credits_left;
    }
    return total;
}

fw_paid_t *fm_paid(const fw_market_t *m, uint32_t lab, int investor)
{
    const fw_vec_t *v = &m->seats[lab].paid;
    for (size_t i = 0; i < v->n && investor >= 0; i++) {
        fw_paid_t *p = fw_vec_at(v, i);
        if (p->investor == investor)
            return p;
    }
    return NULL;
}

int64_t fm_deal_returned(const fw_market_t *m, const fw_deal_t *d)
{
    const fw_paid_t *p = fm_paid(m, (uint32_t)d->terms.lab, d->terms.investor);
    return p ? p->total - d->returned_base : 0;
}

void fm_pay_investor(fw_market_t *m, uint32_t lab, int investor, int64_t amount)
{
    fw_paid_t *p = fm_paid(m, lab, investor);
    if (!p)
        return;
    p->total += amount;
    if (p->invested > 0) /* revenue before the first investment is no return on it */
        p->returned += amount;
}

void fm_invested(fw_market_t *m, uint32_t lab, int investor, int64_t amount)
{
    fw_paid_t *p = fm_paid(m, lab, investor);
    if (p)
        p->invested += amount;
}

double fm_round_trip(const fw_market_t *m, uint32_t investor, uint32_t lab)
{
    const fw_paid_t *p = fm_paid(m, lab, (int)investor);
    return p && p->invested > 0 ? (double)p->returned / (double)p->invested : 0.0;
}

fw_deal_t *fm_add_deal(fw_market_t *m, const fw_terms_t *T)
{
    size_t at = m->deals.n;
    fw_deal_t *d = fw_vec_push(&m->deals);
    d->terms = *T;
    *(size_t *)fw_vec_push(&m->seats[T->lab].deal_refs) = at;
    *(size_t *)fw_vec_push(&m->seats[T->lab].credit_refs) = at;
    if (T->investor >= 0 && T->investor != T->lab) {
        *(size_t *)fw_vec_push(&m->seats[T->investor].deal_refs) = at;
        fw_paid_t *paid = fm_paid(m, (uint32_t)T->lab, T->investor);
        if (!paid) {
            paid = fw_vec_push(&m->seats[T->lab].paid);
            paid->investor = T->investor;
        }
        d->returned_base = paid->total; /* counted from signing */
    }
    return d;
}

const fw_holder_t *fm_holding(const fw_market_t *m, uint32_t lab, int holder)
{
    const fw_vec_t *table = &m->seats[lab].cap_table;
    for (size_t i = 0; i < table->n; i++) {
        const fw_holder_t *h = fw_vec_at(table, i);
        if (h->holder == holder)
            return h;
    }
    return NULL;
}

/* Records that `holder` holds a stake in `lab`, keeping its list ascending. */
static void s_add_holding(fw_market_t *m, uint32_t holder, uint32_t lab)
{
    fw_vec_t *v = &m->seats[holder].holdings;
    size_t at = v->n;
    while (at > 0 && *(uint32_t *)fw_vec_at(v, at - 1) > lab)
        at--;
    fw_vec_push(v);
    memmove(fw_vec_at(v, at + 1), fw_vec_at(v, at), (v->n - 1 - at) * v->size);
    *(uint32_t *)fw_vec_at(v, at) = lab;
}

fw_holder_t *fm_holder(fw_market_t *m, uint32_t lab, int holder)
{
    fw_vec_t *table = &m->seats[lab].cap_table;
    for (size_t i = 0; i < table->n; i++) {
        fw_holder_t *h = fw_vec_at(table, i);
        if (h->holder == holder)
            return h;
    }
    fw_holder_t *h = fw_vec_push(table);
    h->holder = holder;
    if (holder >= 0)
        s_add_holding(m, (uint32_t)holder, lab);
    return h;
}

void fm_issue(fw_market_t *m, uint32_t lab, int holder, double equity, int64_t cost)
{
    fw_vec_t *table = &m->seats[lab].cap_table;
    for (size_t i = 0; i < table->n; i++) {
        fw_holder_t *h = fw_vec_at(table, i);
        h->fraction *= 1.0 - equity;
    }
    fw_holder_t *h = fm_holder(m, lab, holder);
    h->fraction += equity;
    h->cost += cost;
}

void fm_count_bid(fw_market_t *m, uint32_t lab, uint32_t cloud, int family, int64_t quantity,
                  int64_t spend)
{
    fw_seat_state_t *st = &m->seats[lab];
    if (st->bid_cloud[cloud] == 0 && st->cloud_spend[cloud] == 0)
        *(uint32_t *)fw_vec_push(&st->touched) = cloud;
    if (st->bid_family[family] == 0 && st->family_tick[family] == 0)
        *(uint32_t *)fw_vec_push(&st->touched_families) = (uint32_t)family;
    st->bid_cloud[cloud] += spend;
    st->bid_family[family] += quantity;
    st->bid_spend += spend;
    st->bid_compute += quantity;
}

void fm_count_bought(fw_market_t *m, uint32_t lab, uint32_t cloud, int family, int64_t quantity,
                     int64_t spend)
{
    fw_seat_state_t *st = &m->seats[lab];
    if (st->bid_cloud[cloud] == 0 && st->cloud_spend[cloud] == 0)
        *(uint32_t *)fw_vec_push(&st->touched) = cloud;
    if (st->bid_family[family] == 0 && st->family_tick[family] == 0)
        *(uint32_t *)fw_vec_push(&st->touched_families) = (uint32_t)family;
    st->family_tick[family] += quantity;
    st->cloud_spend[cloud] += spend;
    st->spend_tick += spend;
}

/* ---- rationing --------------------------------------------------------------------- */

void fw_market_ration(int64_t supply, const int64_t *want, size_t n, int64_t *grant)
{
    __int128 total = 0;
    for (size_t i = 0; i < n; i++)
        total += want[i] > 0 ? want[i] : 0;
    if (supply <= 0 || total == 0) {
        for (size_t i = 0; i < n; i++)
            grant[i] = 0;
        return;
    }
    if (total <= supply) {
        for (size_t i = 0; i < n; i++)
            grant[i] = want[i] > 0 ? want[i] : 0;
        return;
    }
    /* Quotas want*supply/total, floored; the units left go one each to the largest
     * remainders. Requests with equal remainders are treated alike: when the units left
     * cannot give each of them one, none of them gets one (those units stay unsold, at
     * most n - 1), so neither the order of the requests nor the seats' names decide.
     * Exact in 128-bit integers, so identical on every host. */
    int64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        __int128 w = want[i] > 0 ? want[i] : 0;
        grant[i] = (int64_t)(w * supply / total);
        given += grant[i];
    }
    int64_t left = supply - given; /* < n */
    __int128 below = -1;           /* remainders from here up have been served */
    while (left > 0) {
        __int128 best_rem = -1;
        int64_t tied = 0;
        for (size_t i = 0; i < n; i++) {
            __int128 w = want[i] > 0 ? want[i] : 0;
            __int128 rem = w * supply - (__int128)grant[i] * total;
            if (grant[i] >= want[i] || (below >= 0 && rem >= below))
                continue;
            if (rem > best_rem) {
                best_rem = rem;
                tied = 0;
            }
            tied += rem == best_rem;
        }
        if (best_rem < 0 || tied > left)
            break;
        for (size_t i = 0; i < n; i++) {
            __int128 w = want[i] > 0 ? want[i] : 0;
            if (grant[i] < want[i] && w * supply - (__int128)grant[i] * total == best_rem) {
                grant[i]++;
                left--;
            }
        }
        below = best_rem;
    }
}
