/* fw_stage_compute: the compute market.
 *
 * Clouds post a price and a capacity per chip family, capped at what they have in
 * service; labs bid on the offers they choose. Bids are checked in seat order and
 * queued on the offer they name; an oversubscribed offer is rationed in proportion to
 * the bids (fw_market_ration). A lab pays with its credits on that cloud first, at
 * list price, then cash: credits become the cloud's revenue, which is the round trip
 * of an investment paid in credits (question 2).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "fw_stages.h"

/* Chip revenue per H100-equivalent month that running on family f pays for: the
 * chip's price spread over its life and compute. Used for vendors' round trips. */
static double s_chip_value_per_compute(const fw_market_t *m, int f)
{
    const fw_family_t *fam = &m->sc->families[f];
    double price = m->chip_offers[f].posted ? (double)m->chip_offers[f].price : (double)fam->price;
    double per_unit = (double)fam->life * (double)fam->perf_milli / 1000.0;
    return per_unit > 0 ? price / per_unit : 0.0;
}

/* Pays for compute: uses the lab's credits on that cloud first (booked as the
 * cloud's revenue), then cash. Counts the revenue towards the round trips. */
static int s_pay_compute(fw_market_t *m, uint32_t lab, uint32_t cloud, int family,
                         int64_t quantity, int64_t amount, char *err, size_t err_len)
{
    int64_t credits = fm_credits(m, lab, cloud);
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
    /* The credits are spent deal by deal, in signing order. */
    int64_t left = used;
    for (size_t i = 0; i < m->seats[lab].credit_refs.n && left > 0; i++) {
        fw_deal_t *d = fw_vec_at(&m->deals, *(size_t *)fw_vec_at(&m->seats[lab].credit_refs, i));
        if (d->terms.investor == (int)cloud) {
            int64_t take = d->credits_left < left ? d->credits_left : left;
            d->credits_left -= take;
            left -= take;
        }
    }
    /* What comes back to the lab's investors: the cloud's revenue, and the chip
     * revenue the compute pays its vendor for (fm_pay_investor: the pairs' round trips
     * from their first investment on, whichever deals are still in force). */
    double chip_value = s_chip_value_per_compute(m, family) * (double)quantity;
    int vendor = m->sc->families[family].vendor;
    fm_pay_investor(m, lab, (int)cloud, amount);
    fm_pay_investor(m, lab, vendor, llround(chip_value));
    if (used > 0)
        fm_fill_money(m, lab, FW_FILL_CREDITS_USED, (int)cloud, used);
    fm_count_bought(m, lab, cloud, family, quantity, amount);
    m->seats[cloud].ai_revenue_tick += amount;
    return FW_MARKET_OK;
}

/* ---- end customers and the labs ---------------------------------------------------------- */

static void s_compute_offers(fw_market_t *m, const fw_orders_t *orders, uint32_t t)
{
    const fw_scenario_t *sc = m->sc;
    int64_t *have_by_family = m->family_scratch; /* a cloud's, summed once for its offers */
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_orders_t *a = &orders[s];
        if (!a->present)
            continue;
        bool counted = false;
        for (size_t i = 0; i < a->n_compute_offers; i++) {
            const fw_compute_offer_in_t *o = &a->compute_offers[i];
            int f = o->family;
            if (sc->seats[s].role != FW_ROLE_HYPERSCALER) {
                fm_reject(m, s, "compute_offers", i, "only hyperscalers sell compute");
                continue;
            }
            if (!sc->seats[s].sells_compute) {
                fm_reject(m, s, "compute_offers", i,
                          "%s owns compute for its own business and sells none",
                          sc->seats[s].id);
                continue;
            }
            if (f < 0) {
                fm_reject(m, s, "compute_offers", i, "unknown chip family '%s'", o->family_id);
                continue;
            }
            fw_offer_t *offer = &m->compute_offers[(size_t)s * m->n_families + (size_t)f];
            if (offer->posted) {
                fm_reject(m, s, "compute_offers", i, "second offer for '%s' this tick", o->family_id);
                continue;
            }
            if (o->price <= 0 || o->capacity < 0) {
                fm_reject(m, s, "compute_offers", i, "price must be > 0 and capacity >= 0");
                continue;
            }
            if (!counted) {
                fm_in_service(m, s, t, have_by_family);
                counted = true;
            }
            int64_t have = have_by_family[f];
            int64_t cap = o->capacity;
            if (cap > have) {
                fm_reject(m, s, "compute_offers", i, "capacity %" PRId64 " trimmed to the %" PRId64
                         " you have in service", cap, have);
                cap = have;
            }
            fm_post_compute_offer(m, (size_t)s * m->n_families + (size_t)f, o->price, cap);
        }
        if (counted) /* back to zero for the next cloud, by its own lots */
            for (size_t i = 0; i < m->seats[s].lots.n; i++)
                have_by_family[((fw_lot_t *)fw_vec_at(&m->seats[s].lots, i))->family] = 0;
    }
}

/* A bid queued on offer `offer` (cloud * n_families + family), seq-th in seat order. */
typedef struct {
    size_t offer;
    size_t seq;
    fw_request_t r;
} s_queued_t;

static int s_by_offer(const void *a, const void *b)
{
    const s_queued_t *x = a, *y = b;
    if (x->offer != y->offer)
        return x->offer < y->offer ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sets m->scratch[cloud] to the credits `lab` holds on each cloud (set), or back to 0;
 * every other entry stays 0. Deals whose credits are spent leave the lab's list. */
static void s_reserve_credits(fw_market_t *m, uint32_t lab, int set)
{
    fw_vec_t *refs = &m->seats[lab].credit_refs;
    size_t keep = 0;
    for (size_t i = 0; i < refs->n; i++) {
        size_t at = *(size_t *)fw_vec_at(refs, i);
        const fw_deal_t *d = fw_vec_at(&m->deals, at);
        if (d->credits_left <= 0)
            continue;
        *(size_t *)fw_vec_at(refs, keep++) = at;
        if (fm_is(m, d->terms.investor, FW_ROLE_HYPERSCALER))
            m->scratch[d->terms.investor] = set ? m->scratch[d->terms.investor] + d->credits_left : 0;
    }
    refs->n = keep;
}

static int s_compute_market(fw_market_t *m, const fw_orders_t *orders, char *err,
                            size_t err_len)
{
    const fw_scenario_t *sc = m->sc;
    int rc = FW_MARKET_OK;
    int64_t *reserve = calloc(m->n_seats, sizeof *reserve);
    if (!reserve)
        return FW_MARKET_ENOMEM;
    for (uint32_t s = 0; s < m->n_seats; s++)
        reserve[s] = fm_cash(m, s);

    /* Bids are checked once, in seat order, and queued on the offer they name: one
     * list for all offers, sorted by offer afterwards (a queue per offer would cost
     * clouds x families a tick, bid or not). */
    fw_vec_t queue;
    fw_vec_init(&queue, sizeof(s_queued_t));
    memset(m->scratch, 0, m->n_seats * sizeof *m->scratch);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_orders_t *a = &orders[s];
        if (!a->present)
            continue;
        /* The lab's credits on each cloud, reserved as its bids are taken. */
        if (sc->seats[s].role == FW_ROLE_LAB)
            s_reserve_credits(m, s, 1);
        for (size_t i = 0; i < a->n_compute_bids; i++) {
            const fw_compute_bid_in_t *b = &a->compute_bids[i];
            int p = b->provider;
            int f = b->family;
            if (sc->seats[s].role != FW_ROLE_LAB) {
                fm_reject(m, s, "compute_bids", i, "only labs buy compute");
                continue;
            }
            if (p < 0 || sc->seats[p].role != FW_ROLE_HYPERSCALER) {
                fm_reject(m, s, "compute_bids", i, "'%s' is not a cloud", b->provider_id);
                continue;
            }
            if (f < 0) {
                fm_reject(m, s, "compute_bids", i, "unknown chip family '%s'", b->family_id);
                continue;
            }
            size_t q = (size_t)p * m->n_families + (size_t)f;
            fw_offer_t *offer = &m->compute_offers[q];
            if (!offer->posted || offer->quantity == 0) {
                fm_reject(m, s, "compute_bids", i, "%s offers no '%s' compute this tick",
                         b->provider_id, b->family_id);
                continue;
            }
            if (b->quantity <= 0) {
                fm_reject(m, s, "compute_bids", i, "quantity must be > 0");
                continue;
            }
            if (b->max_price > 0 && b->max_price < offer->price) {
                fm_reject(m, s, "compute_bids", i, "price %" PRId64 " is above your max_price %" PRId64,
                         offer->price, b->max_price);
                continue;
            }
            int64_t qty = fm_affordable(m, s, "compute_bids", i, b->quantity, offer->price,
                                       &reserve[s], &m->scratch[p]);
            if (qty <= 0)
                continue;
            /* What the lab asked for, for its stipulations (fw_stage_deals.c: stipulations). */
            fm_count_bid(m, s, (uint32_t)p, f, qty, qty * offer->price);
            offer->asked += qty; /* the cloud's backlog, when more than it offered */
            s_queued_t *e = fw_vec_push(&queue);
            e->offer = q;
            e->seq = queue.n;
            e->r = (fw_request_t){s, i, qty, 0};
        }
        if (sc->seats[s].role == FW_ROLE_LAB)
            s_reserve_credits(m, s, 0);
    }
    if (queue.n > 1) /* an empty queue has no items at all */
        qsort(queue.items, queue.n, queue.size, s_by_offer);
    for (size_t first = 0, next; first < queue.n && rc == FW_MARKET_OK; first = next) {
        size_t q = ((s_queued_t *)fw_vec_at(&queue, first))->offer;
        fw_offer_t *offer = &m->compute_offers[q];
        uint32_t cloud = (uint32_t)(q / m->n_families);
        int f = (int)(q % m->n_families);
        m->requests.n = 0;
        for (next = first; next < queue.n && ((s_queued_t *)fw_vec_at(&queue, next))->offer == q;
             next++)
            *(fw_request_t *)fw_vec_push(&m->requests) = ((s_queued_t *)fw_vec_at(&queue, next))->r;
        fm_ration_requests(&m->requests, offer->quantity);
        for (size_t i = 0; i < m->requests.n; i++) {
            const fw_request_t *r = fw_vec_at(&m->requests, i);
            if (r->grant <= 0)
                continue;
            int64_t amount = r->grant * offer->price;
            rc = s_pay_compute(m, r->seat, cloud, f, r->grant, amount, err, err_len);
            if (rc != FW_MARKET_OK)
                break;
            if (r->grant < r->want)
                fm_reject(m, r->seat, "compute_bids", r->index, "%s '%s' oversubscribed: got %" PRId64
                         " of %" PRId64, sc->seats[cloud].id, sc->families[f].id, r->grant, r->want);
            fm_fill(m, r->seat, FW_FILL_COMPUTE_PURCHASE, cloud, f, r->grant,
                   offer->price);
            fm_fill(m, cloud, FW_FILL_COMPUTE_SALE, r->seat, f, r->grant,
                   offer->price);
            fm_flow(&m->compute_flows, cloud, r->seat, f, r->grant, amount);
            offer->sold += r->grant;
            m->seats[r->seat].compute_tick += r->grant;
            m->seats[cloud].compute_tick += r->grant;
            m->compute_sold += r->grant;
        }
    }
    fw_vec_free(&queue);
    free(reserve);
    return rc;
}

int fw_stage_compute(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                     size_t err_len)
{
    s_compute_offers(m, orders, t);
    return s_compute_market(m, orders, err, err_len);
}
