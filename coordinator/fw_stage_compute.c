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
 * cloud's revenue), then cash. Counts the revenue towards the deals' round trips. */
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
        fm_fill_money(m, lab, FW_FILL_CREDITS_USED, (int)cloud, used);
    fw_seat_state_t *l = &m->seats[lab];
    l->family_tick[family] += quantity;
    l->cloud_spend[cloud] += amount;
    l->spend_tick += amount;
    m->seats[cloud].ai_revenue_tick += amount;
    return FW_MARKET_OK;
}

/* ---- end customers and the labs ---------------------------------------------------------- */

static void s_compute_offers(fw_market_t *m, const fw_orders_t *orders, uint32_t t)
{
    const fw_scenario_t *sc = m->sc;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_orders_t *a = &orders[s];
        if (!a->present)
            continue;
        for (size_t i = 0; i < a->n_compute_offers; i++) {
            const fw_compute_offer_in_t *o = &a->compute_offers[i];
            int f = o->family;
            if (sc->seats[s].role != FW_ROLE_HYPERSCALER) {
                fm_reject(m, s, "compute_offers", i, "only hyperscalers sell compute");
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
            int64_t have = fm_installed_at(m, s, f, t);
            int64_t cap = o->capacity;
            if (cap > have) {
                fm_reject(m, s, "compute_offers", i, "capacity %" PRId64 " trimmed to the %" PRId64
                         " you have in service", cap, have);
                cap = have;
            }
            *offer = (fw_offer_t){1, o->price, cap, 0};
        }
    }
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

    /* Bids are checked once, in seat order, and queued on the offer they name. */
    fw_vec_t *queues = calloc((size_t)m->n_seats * m->n_families, sizeof *queues);
    if (!queues) {
        free(reserve);
        return FW_MARKET_ENOMEM;
    }
    for (size_t q = 0; q < (size_t)m->n_seats * m->n_families; q++)
        fw_vec_init(&queues[q], sizeof(fw_request_t));
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_orders_t *a = &orders[s];
        if (!a->present)
            continue;
        /* The lab's credits on each cloud, reserved as its bids are taken. */
        if (sc->seats[s].role == FW_ROLE_LAB)
            for (uint32_t c = 0; c < m->n_seats; c++)
                m->scratch[c] = sc->seats[c].role == FW_ROLE_HYPERSCALER ? fm_credits(m, s, c) : 0;
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
            const fw_offer_t *offer = &m->compute_offers[q];
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
            fw_seat_state_t *lab = &m->seats[s];
            lab->bid_cloud[p] += qty * offer->price;
            lab->bid_family[f] += qty;
            lab->bid_spend += qty * offer->price;
            lab->bid_compute += qty;
            fw_request_t *r = fw_vec_push(&queues[q]);
            r->seat = s;
            r->index = i;
            r->want = qty;
        }
    }
    for (size_t q = 0; q < (size_t)m->n_seats * m->n_families && rc == FW_MARKET_OK; q++) {
        fw_offer_t *offer = &m->compute_offers[q];
        uint32_t cloud = (uint32_t)(q / m->n_families);
        int f = (int)(q % m->n_families);
        if (!offer->posted || queues[q].n == 0)
            continue;
        fm_ration_requests(&queues[q], offer->quantity);
        for (size_t i = 0; i < queues[q].n; i++) {
            const fw_request_t *r = fw_vec_at(&queues[q], i);
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
    for (size_t q = 0; q < (size_t)m->n_seats * m->n_families; q++)
        fw_vec_free(&queues[q]);
    free(queues);
    free(reserve);
    return rc;
}

int fw_stage_compute(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                     size_t err_len)
{
    s_compute_offers(m, orders, t);
    return s_compute_market(m, orders, err, err_len);
}
