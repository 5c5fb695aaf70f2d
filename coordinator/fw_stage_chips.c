/* fw_stage_chips: the chip market's stages: deliveries, the vendors' offers and the
 * clouds' orders, buyers outside the scenario, and depreciation.
 *
 * Vendors post one offer per family (capped at capacity x any supply shock); clouds
 * order at the posted price; an oversubscribed family is rationed in proportion to
 * what each cloud asked for (fw_market_ration). Chips bought become a lot on the
 * cloud's books that arrives after the family's lead time and depreciates straight
 * line over its life. What the clouds leave of the open families goes to buyers
 * outside the scenario.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "fw_stages.h"

static void s_deliveries(fw_market_t *m, uint32_t t)
{
    const fw_scenario_t *sc = m->sc;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_vec_t *lots = &m->seats[s].lots;
        for (size_t i = 0; i < lots->n; i++) {
            const fw_lot_t *lot = fw_vec_at(lots, i);
            if (lot->arrives == t && t > 0)
                fm_fill(m, s, FW_FILL_DELIVERY,
                       (uint32_t)sc->families[lot->family].vendor, lot->family, lot->units, 0);
        }
    }
}

static void s_chip_offers(fw_market_t *m, const fw_orders_t *orders)
{
    const fw_scenario_t *sc = m->sc;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_orders_t *a = &orders[s];
        if (!a->present)
            continue;
        for (size_t i = 0; i < a->n_chip_offers; i++) {
            const fw_chip_offer_in_t *o = &a->chip_offers[i];
            int f = o->family;
            if (f < 0) {
                fm_reject(m, s, "chip_offers", i, "unknown chip family '%s'", o->family_id);
                continue;
            }
            if (sc->families[f].vendor != (int)s) {
                fm_reject(m, s, "chip_offers", i, "'%s' is made by %s, not by you", o->family_id,
                         sc->seats[sc->families[f].vendor].id);
                continue;
            }
            if (m->chip_offers[f].posted) {
                fm_reject(m, s, "chip_offers", i, "second offer for '%s' this tick", o->family_id);
                continue;
            }
            if (o->price <= 0 || o->quantity < 0) {
                fm_reject(m, s, "chip_offers", i, "price must be > 0 and quantity >= 0");
                continue;
            }
            int64_t cap = (int64_t)floor(m->capacity[f] * m->supply_factor[f]);
            int64_t qty = o->quantity;
            if (qty > cap) {
                fm_reject(m, s, "chip_offers", i, "quantity %" PRId64 " trimmed to capacity %" PRId64,
                         qty, cap);
                qty = cap;
            }
            m->chip_offers[f] = (fw_offer_t){1, o->price, qty, 0, 0};
        }
    }
}

/* A chip order's place: seat, then its index in the seat's list. */
typedef struct {
    uint32_t seat;
    size_t index;
} s_placed_t;

static int s_chip_market(fw_market_t *m, const fw_orders_t *orders, uint32_t t,
                         char *err, size_t err_len)
{
    const fw_scenario_t *sc = m->sc;
    int64_t *reserve = calloc(m->n_seats, sizeof *reserve);
    int rc = FW_MARKET_OK;
    if (!reserve)
        return FW_MARKET_ENOMEM;
    for (uint32_t s = 0; s < m->n_seats; s++)
        reserve[s] = fm_cash(m, s);

    /* The orders by family, each family's in seat order then list order: the order the
     * market takes them in, without a pass over every seat for every family. */
    size_t *start = calloc(m->n_families + 2, sizeof *start), total = 0;
    for (uint32_t s = 0; start && s < m->n_seats; s++)
        for (size_t i = 0; orders[s].present && i < orders[s].n_chip_orders; i++)
            if (orders[s].chip_orders[i].family >= 0) {
                start[orders[s].chip_orders[i].family + 1]++;
                total++;
            }
    s_placed_t *placed = calloc(total + 1, sizeof *placed);
    size_t *fill = calloc(m->n_families + 1, sizeof *fill);
    if (!start || !placed || !fill) {
        free(start);
        free(placed);
        free(fill);
        free(reserve);
        return FW_MARKET_ENOMEM;
    }
    for (uint32_t f = 0; f < m->n_families; f++)
        start[f + 1] += start[f];
    for (uint32_t s = 0; s < m->n_seats; s++)
        for (size_t i = 0; orders[s].present && i < orders[s].n_chip_orders; i++) {
            int f = orders[s].chip_orders[i].family;
            if (f >= 0)
                placed[start[f] + fill[f]++] = (s_placed_t){s, i};
        }

    for (uint32_t f = 0; f < m->n_families && rc == FW_MARKET_OK; f++) {
        const fw_family_t *fam = &sc->families[f];
        fw_offer_t *offer = &m->chip_offers[f];
        m->requests.n = 0;
        int seen = 0;
        for (size_t k = start[f]; k < start[f + 1]; k++) {
            uint32_t s = placed[k].seat;
            size_t i = placed[k].index;
            const fw_chip_order_in_t *o = &orders[s].chip_orders[i];
            if (k == start[f] || placed[k - 1].seat != s)
                seen = 0; /* a seat's first order for this family */
            if (sc->seats[s].role != FW_ROLE_HYPERSCALER) {
                fm_reject(m, s, "chip_orders", i, "only hyperscalers buy chips");
                continue;
            }
            if (fam->captive_of >= 0 && fam->captive_of != (int)s) {
                fm_reject(m, s, "chip_orders", i, "'%s' is captive to %s", fam->id,
                         sc->seats[fam->captive_of].id);
                continue;
            }
            if (seen++) {
                fm_reject(m, s, "chip_orders", i, "second order for '%s' this tick", fam->id);
                continue;
            }
            if (!offer->posted || offer->quantity == 0) {
                fm_reject(m, s, "chip_orders", i, "no '%s' chips on offer this tick", fam->id);
                continue;
            }
            if (o->quantity <= 0) {
                fm_reject(m, s, "chip_orders", i, "quantity must be > 0");
                continue;
            }
            if (o->max_price > 0 && o->max_price < offer->price) {
                fm_reject(m, s, "chip_orders", i, "price %" PRId64 " is above your max_price %" PRId64,
                         offer->price, o->max_price);
                continue;
            }
            int64_t qty = fm_affordable(m, s, "chip_orders", i, o->quantity, offer->price,
                                       &reserve[s], NULL);
            if (qty > 0) {
                fw_request_t *r = fw_vec_push(&m->requests);
                r->seat = s;
                r->index = i;
                r->want = qty;
                offer->asked += qty; /* orders beyond the offer: capacity grows faster */
            }
        }
        /* Orders naming no known family are refused once, with the first family's,
         * before its rationing: each seat reads them in the place it always has. */
        for (uint32_t s = 0; f == 0 && s < m->n_seats; s++)
            for (size_t i = 0; orders[s].present && i < orders[s].n_chip_orders; i++)
                if (orders[s].chip_orders[i].family < 0)
                    fm_reject(m, s, "chip_orders", i, "unknown chip family '%s'",
                              orders[s].chip_orders[i].family_id);
        fm_ration_requests(&m->requests, offer->quantity);
        for (size_t i = 0; i < m->requests.n; i++) {
            const fw_request_t *r = fw_vec_at(&m->requests, i);
            if (r->grant <= 0)
                continue;
            uint32_t v = (uint32_t)fam->vendor;
            int64_t amount = r->grant * offer->price;
            int64_t making = r->grant * fam->unit_cost;
            fw_leg_t sale[4] = {
                {fw_acc(r->seat, FW_ACC_EQUIPMENT), amount},
                {fw_acc(r->seat, FW_ACC_CASH), -amount},
                {fw_acc(v, FW_ACC_CASH), amount},
                {fw_acc(v, FW_ACC_REVENUE), -amount},
            };
            fw_leg_t cost[2] = {
                {fw_acc(v, FW_ACC_EXPENSE), making},
                {fw_acc(v, FW_ACC_CASH), -making},
            };
            rc = fm_post(m, sale, 4, "chip sale", err, err_len);
            if (rc == FW_MARKET_OK)
                rc = fm_post(m, cost, 2, "chip production cost", err, err_len);
            if (rc != FW_MARKET_OK)
                break;
            if (r->grant < r->want)
                fm_reject(m, r->seat, "chip_orders", r->index, "'%s' oversubscribed: got %" PRId64 " of %" PRId64,
                         fam->id, r->grant, r->want);
            fm_add_lot(m, r->seat, (int)f, r->grant, amount, t + fam->lead_time,
                      t + fam->lead_time + fam->life);
            fm_fill(m, r->seat, FW_FILL_CHIP_PURCHASE, v, (int)f, r->grant,
                   offer->price);
            fm_fill(m, v, FW_FILL_CHIP_SALE, r->seat, (int)f, r->grant,
                   offer->price);
            fm_flow(&m->chip_flows, v, r->seat, (int)f, r->grant, amount);
            offer->sold += r->grant;
            m->chips_sold += r->grant;
            m->family_units[f] += r->grant;
            m->family_revenue[f] += amount;
            m->seats[r->seat].chip_spend_tick += amount;
            if (fam->lead_time == 0)
                fm_fill(m, r->seat, FW_FILL_DELIVERY, v, (int)f, r->grant, 0);
        }
    }
    free(start);
    free(placed);
    free(fill);
    free(reserve);
    return rc;
}

/* Buyers outside the scenario take what the clouds left of the open (not captive)
 * families, their budget split by H100-equivalents per dollar. They are not seats: the
 * vendor books the sale and its cost; nobody in the scenario pays. */
static int s_outside_chips(fw_market_t *m, char *err, size_t err_len)
{
    const fw_scenario_t *sc = m->sc;
    double total = 0;
    if (m->other_chips <= 0)
        return FW_MARKET_OK;
    for (uint32_t f = 0; f < m->n_families; f++) {
        const fw_offer_t *o = &m->chip_offers[f];
        if (o->posted && sc->families[f].captive_of < 0 && o->quantity > o->sold)
            total += (double)sc->families[f].perf_milli / (double)o->price;
    }
    for (uint32_t f = 0; f < m->n_families && total > 0; f++) {
        const fw_family_t *fam = &sc->families[f];
        fw_offer_t *o = &m->chip_offers[f];
        if (!o->posted || fam->captive_of >= 0 || o->quantity <= o->sold)
            continue;
        double budget = m->other_chips * ((double)fam->perf_milli / (double)o->price) / total;
        int64_t units = (int64_t)floor(budget / (double)o->price);
        if (units > o->quantity - o->sold)
            units = o->quantity - o->sold;
        /* What they bought counts as ordered; what they might have wanted beyond it
         * does not: their budget is split over what is left, not a firm order. */
        o->asked += units > 0 ? units : 0;
        if (units <= 0)
            continue;
        uint32_t v = (uint32_t)fam->vendor;
        int64_t amount = units * o->price, making = units * fam->unit_cost;
        fw_leg_t legs[3] = {
            {fw_acc(v, FW_ACC_CASH), amount - making},
            {fw_acc(v, FW_ACC_REVENUE), -amount},
            {fw_acc(v, FW_ACC_EXPENSE), making},
        };
        int rc = fm_post(m, legs, 3, "chips sold outside the scenario", err, err_len);
        if (rc != FW_MARKET_OK)
            return rc;
        o->sold += units;
        m->chips_sold += units;
        m->family_units[f] += units;
        m->family_revenue[f] += amount;
        fm_fill_money(m, v, FW_FILL_CHIP_SALE, -1, amount);
    }
    return FW_MARKET_OK;
}

/* Straight-line depreciation of lots in service, exact in integers: each tick a lot
 * loses book / ticks-left, and the last tick takes what remains. Retired lots go. */
int fw_stage_depreciation(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                          size_t err_len)
{
    (void)orders;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_vec_t *lots = &m->seats[s].lots;
        int64_t total = 0;
        size_t keep = 0;
        for (size_t i = 0; i < lots->n; i++) {
            fw_lot_t *lot = fw_vec_at(lots, i);
            if (lot->arrives <= t && t < lot->retires) {
                int64_t dep = lot->book / (int64_t)(lot->retires - t);
                lot->book -= dep;
                total += dep;
            }
            if (t + 1 < lot->retires) { /* kept: closes the gap left by retired lots */
                if (keep != i)
                    *(fw_lot_t *)fw_vec_at(lots, keep) = *lot;
                keep++;
            }
        }
        lots->n = keep;
        if (total > 0 && fw_ledger_transfer(m->ledger, fw_acc(s, FW_ACC_EQUIPMENT),
                                            fw_acc(s, FW_ACC_EXPENSE), total,
                                            "depreciation") != FW_LEDGER_OK) {
            snprintf(err, err_len, "tick %u: depreciation of %s refused", t, m->sc->seats[s].id);
            return FW_MARKET_EBOOKS;
        }
    }
    return FW_MARKET_OK;
}

/* The growth of family f's capacity for the next tick: the family's planned rate
 * (`capacity_growth`) corrected by how far this tick's orders ran past, or fell short
 * of, what could be made. Orders are the clouds' before rationing plus what the
 * outside buyers wanted; what could be made is capacity x any supply shock. The
 * correction is capacity_response x (orders / capacity - 1), at most
 * capacity_surge_max above the plan (fabs and packaging lines take a year or more to
 * add: a shortage is not closed in a month) and at most capacity_ease_max below it.
 * A family nobody could order (no offer, or nothing to make) keeps its plan. */
static double s_capacity_growth(const fw_market_t *m, uint32_t f)
{
    const fw_market_params_t *P = &m->sc->market;
    const fw_offer_t *o = &m->chip_offers[f];
    const double plan = m->sc->families[f].capacity_growth;
    const double makeable = floor(m->capacity[f] * m->supply_factor[f]);
    if (!o->posted || o->quantity <= 0 || makeable < 1.0 || P->capacity_response <= 0.0)
        return plan;
    double c = P->capacity_response * ((double)o->asked / makeable - 1.0);
    return plan + fmin(P->capacity_surge_max, fmax(-P->capacity_ease_max, c));
}

/* Growth of the vendors' capacity, for the next tick. The coordinator decides it, not
 * the vendor's strategy: what fabs can make is physical, and the vendor's answer to a
 * shortage (order more wafers and packaging) is bounded by it anyway; the vendor sets
 * the price. */
void fw_chips_grow(fw_market_t *m)
{
    for (uint32_t f = 0; f < m->n_families; f++)
        m->capacity[f] = fw_grown(m->capacity[f], s_capacity_growth(m, f));
}

int fw_stage_chips(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                   size_t err_len)
{
    s_deliveries(m, t);
    s_chip_offers(m, orders);
    int rc = s_chip_market(m, orders, t, err, err_len);
    return rc == FW_MARKET_OK ? s_outside_chips(m, err, err_len) : rc;
}
