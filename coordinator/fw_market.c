/* fw_market: see fw_market.h for the invariants and the clearing order. */
#include "fw_market_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers -------------------------------------------------------- */

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

void fm_fill(fw_market_t *m, uint32_t seat, Flywheel__V1__FillKind kind, uint32_t other,
             int family, int64_t quantity, int64_t price)
{
    Flywheel__V1__Fill *f = fw_vec_push(&m->reports[seat].fills);
    flywheel__v1__fill__init(f);
    f->kind = kind;
    f->counterparty = (char *)m->sc->seats[other].id;
    f->family = (char *)m->sc->families[family].id;
    f->quantity = quantity;
    f->price = price;
    f->amount = quantity * price;
}

void fm_fill_money(fw_market_t *m, uint32_t seat, Flywheel__V1__FillKind kind, int other,
                   int64_t amount)
{
    Flywheel__V1__Fill *f = fw_vec_push(&m->reports[seat].fills);
    flywheel__v1__fill__init(f);
    f->kind = kind;
    f->counterparty = other >= 0 ? (char *)m->sc->seats[other].id : "outside";
    f->family = "";
    f->amount = amount;
}

int64_t fm_cash(const fw_market_t *m, uint32_t seat)
{
    return fw_ledger_balance(m->ledger, fw_acc(seat, FW_ACC_CASH));
}

/* Compute per tick of `units` chips of family f: units * perf, rounded down. */
static int64_t s_compute_of(const fw_family_t *f, int64_t units)
{
    return units * (int64_t)f->perf_milli / 1000;
}

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

/* ---- life cycle ------------------------------------------------------------ */

static fw_lot_t *s_add_lot(fw_market_t *m, uint32_t seat, int family, int64_t units,
                           int64_t book, uint32_t arrives, uint32_t retires)
{
    fw_lot_t *lot = fw_vec_push(&m->seats[seat].lots);
    lot->family = family;
    lot->units = units;
    lot->book = book;
    lot->arrives = arrives;
    lot->retires = retires;
    return lot;
}

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
                s_add_lot(m, s, in->family, units, book, 0, 1 + life);
                if (fw_ledger_transfer(m->ledger, fw_acc(s, FW_ACC_CAPITAL),
                                       fw_acc(s, FW_ACC_EQUIPMENT), book,
                                       "opening equipment") != FW_LEDGER_OK)
                    return -1;
            }
        }
        m->seats[s].base_revenue = (double)seat->base_revenue;
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
                                         (int64_t)floor(m->capacity[f]), 0};
    for (uint32_t s = 0; s < m->n_seats; s++) {
        if (sc->seats[s].role != FW_ROLE_HYPERSCALER || sc->seats[s].compute_price <= 0)
            continue;
        for (uint32_t f = 0; f < m->n_families; f++) {
            int64_t have = fm_installed_at(m, s, (int)f, 1);
            if (have > 0)
                m->compute_offers[(size_t)s * m->n_families + f] =
                    (fw_offer_t){1, sc->seats[s].compute_price, have, 0};
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
    m->quote_order = calloc(n ? n : 1, sizeof *m->quote_order);
    if (!keys || !m->quote_order) {
        free(keys);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = (s_quote_key_t){m->sc->seats[i / m->n_families].id,
                                  m->sc->families[i % m->n_families].id, i};
    qsort(keys, n, sizeof *keys, s_by_ids);
    for (size_t i = 0; i < n; i++)
        m->quote_order[i] = keys[i].index;
    free(keys);
    return 0;
}

fw_market_t *fw_market_new(const fw_scenario_t *sc, uint32_t ticks)
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
    if (!m->ledger || !m->seats || !m->capacity || !m->chip_offers || !m->compute_offers ||
        !m->compute_share || !m->installed_share || !m->reports || !m->supply_factor ||
        !m->supply_until || !m->maturity || !m->cum_all || !m->family_revenue ||
        !m->family_units)
        goto fail;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_vec_init(&m->seats[s].lots, sizeof(fw_lot_t));
        fw_vec_init(&m->reports[s].fills, sizeof(Flywheel__V1__Fill));
        fw_vec_init(&m->reports[s].rejections, sizeof(fw_rejection_t));
    }
    fw_vec_init(&m->requests, sizeof(fw_request_t));
    fw_vec_init(&m->chip_flows, sizeof(Flywheel__V1__ChipFlow));
    fw_vec_init(&m->compute_flows, sizeof(Flywheel__V1__ComputeFlow));
    fw_ledger_begin_tick(m->ledger);
    if (s_open_books(m) != 0 || fe_open(m) != 0 || s_quote_order(m) != 0)
        goto fail;
    s_opening_quotes(m);
    char err[160];
    if (fw_ledger_check(m->ledger, err, sizeof err) != FW_LEDGER_OK)
        goto fail;
    return m;
fail:
    fw_market_destroy(&m);
    return NULL;
}

void fw_market_destroy(fw_market_t **p)
{
    if (!p || !*p)
        return;
    fw_market_t *m = *p;
    if (m->seats)
        for (uint32_t s = 0; s < m->n_seats; s++)
            fw_vec_free(&m->seats[s].lots);
    if (m->reports)
        for (uint32_t s = 0; s < m->n_seats; s++) {
            fw_vec_free(&m->reports[s].fills);
            fw_vec_free(&m->reports[s].rejections);
        }
    fe_close(m);
    fw_vec_free(&m->requests);
    fw_vec_free(&m->chip_flows);
    fw_vec_free(&m->compute_flows);
    fw_ledger_destroy(&m->ledger);
    free(m->seats);
    free(m->capacity);
    free(m->chip_offers);
    free(m->compute_offers);
    free(m->quote_order);
    free(m->compute_share);
    free(m->installed_share);
    free(m->reports);
    free(m->supply_factor);
    free(m->supply_until);
    free(m->maturity);
    free(m->cum_all);
    free(m->family_revenue);
    free(m->family_units);
    free(m);
    *p = NULL;
}

void fw_market_prepare(fw_market_t *m)
{
    if (m->tick < m->ticks)
        fe_fire_events(m, m->tick + 1);
}

int64_t fw_market_valuation(const fw_market_t *m, uint32_t seat) { return m->seats[seat].valuation; }
uint32_t fw_market_tick(const fw_market_t *m) { return m->tick; }
uint32_t fw_market_ticks(const fw_market_t *m) { return m->ticks; }
const fw_ledger_t *fw_market_ledger(const fw_market_t *m) { return m->ledger; }
int64_t fw_market_cash(const fw_market_t *m, uint32_t seat) { return fm_cash(m, seat); }
int64_t fw_market_revenue_total(const fw_market_t *m, uint32_t seat) { return m->seats[seat].revenue_total; }
int64_t fw_market_cost_total(const fw_market_t *m, uint32_t seat) { return m->seats[seat].cost_total; }
uint32_t fw_market_present_ticks(const fw_market_t *m, uint32_t seat) { return m->seats[seat].present_ticks; }

/* Compute in service at tick t (lots with arrives <= t < retires). */
int64_t fm_installed_at(const fw_market_t *m, uint32_t seat, int family, uint32_t t)
{
    const fw_vec_t *lots = &m->seats[seat].lots;
    int64_t compute = 0;
    for (size_t i = 0; i < lots->n; i++) {
        const fw_lot_t *lot = fw_vec_at(lots, i);
        if ((family < 0 || lot->family == family) && lot->arrives <= t && t < lot->retires)
            compute += s_compute_of(&m->sc->families[lot->family], lot->units);
    }
    return compute;
}

int64_t fw_market_installed(const fw_market_t *m, uint32_t seat, int family)
{
    return fm_installed_at(m, seat, family, m->tick + 1);
}

int64_t fw_market_incoming(const fw_market_t *m, uint32_t seat, int family)
{
    const fw_vec_t *lots = &m->seats[seat].lots;
    int64_t units = 0;
    for (size_t i = 0; i < lots->n; i++) {
        const fw_lot_t *lot = fw_vec_at(lots, i);
        if (lot->family == family && lot->arrives > m->tick + 1)
            units += lot->units;
    }
    return units;
}

/* ---- rationing ------------------------------------------------------------- */

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
     * remainders. Exact in 128-bit integers, so identical on every host. */
    int64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        __int128 w = want[i] > 0 ? want[i] : 0;
        grant[i] = (int64_t)(w * supply / total);
        given += grant[i];
    }
    int64_t left = supply - given; /* < n */
    while (left > 0) {
        size_t best = n;
        __int128 best_rem = -1;
        for (size_t i = 0; i < n; i++) {
            __int128 w = want[i] > 0 ? want[i] : 0;
            __int128 rem = w * supply - (__int128)grant[i] * total;
            /* A request that already got its remainder unit has rem < 0 now. */
            if (rem > best_rem && grant[i] < want[i]) {
                best_rem = rem;
                best = i;
            }
        }
        if (best == n)
            break;
        grant[best]++;
        left--;
    }
}

static void s_ration_requests(fw_vec_t *reqs, int64_t supply)
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

/* ---- the clearing ------------------------------------------------------------ */

static void s_begin_tick(fw_market_t *m, Flywheel__V1__Actions *const *actions)
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
        if (st->family_tick)
            memset(st->family_tick, 0, m->n_families * sizeof *st->family_tick);
        if (st->cloud_spend)
            memset(st->cloud_spend, 0, m->n_seats * sizeof *st->cloud_spend);
        if (st->bid_cloud)
            memset(st->bid_cloud, 0, m->n_seats * sizeof *st->bid_cloud);
        if (st->bid_family)
            memset(st->bid_family, 0, m->n_families * sizeof *st->bid_family);
        st->bid_spend = 0;
        st->bid_compute = 0;
        st->present = actions[s] != NULL;
        if (st->present)
            st->present_ticks++;
        m->reports[s].fills.n = 0;
        m->reports[s].rejections.n = 0;
    }
    memset(m->chip_offers, 0, m->n_families * sizeof *m->chip_offers);
    memset(m->compute_offers, 0, (size_t)m->n_seats * m->n_families * sizeof *m->compute_offers);
    m->chip_flows.n = 0;
    m->compute_flows.n = 0;
    m->chips_sold = 0;
    m->compute_sold = 0;
    memset(m->family_revenue, 0, m->n_families * sizeof *m->family_revenue);
    memset(m->family_units, 0, m->n_families * sizeof *m->family_units);
}

static void s_deliveries(fw_market_t *m, uint32_t t)
{
    const fw_scenario_t *sc = m->sc;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_vec_t *lots = &m->seats[s].lots;
        for (size_t i = 0; i < lots->n; i++) {
            const fw_lot_t *lot = fw_vec_at(lots, i);
            if (lot->arrives == t && t > 0)
                fm_fill(m, s, FLYWHEEL__V1__FILL_KIND__FILL_DELIVERY,
                       (uint32_t)sc->families[lot->family].vendor, lot->family, lot->units, 0);
        }
    }
}

static void s_chip_offers(fw_market_t *m, Flywheel__V1__Actions *const *actions)
{
    const fw_scenario_t *sc = m->sc;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const Flywheel__V1__Actions *a = actions[s];
        if (!a)
            continue;
        for (size_t i = 0; i < a->n_chip_offers; i++) {
            const Flywheel__V1__ChipOffer *o = a->chip_offers[i];
            int f = fw_scenario_family(sc, o->family);
            if (f < 0) {
                fm_reject(m, s, "chip_offers", i, "unknown chip family '%s'", o->family);
                continue;
            }
            if (sc->families[f].vendor != (int)s) {
                fm_reject(m, s, "chip_offers", i, "'%s' is made by %s, not by you", o->family,
                         sc->seats[sc->families[f].vendor].id);
                continue;
            }
            if (m->chip_offers[f].posted) {
                fm_reject(m, s, "chip_offers", i, "second offer for '%s' this tick", o->family);
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
            m->chip_offers[f] = (fw_offer_t){1, o->price, qty, 0};
        }
    }
}

/* Caps a purchase at what the buyer can still pay: `reserve` is the cash not yet
 * committed this tick, `credit` (may be NULL) the credits usable for this purchase,
 * spent first. Returns the units it can buy. */
static int64_t s_affordable(fw_market_t *m, uint32_t seat, const char *list, size_t i,
                            int64_t qty, int64_t price, int64_t *reserve, int64_t *credit)
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

static int s_chip_market(fw_market_t *m, Flywheel__V1__Actions *const *actions, uint32_t t,
                         char *err, size_t err_len)
{
    const fw_scenario_t *sc = m->sc;
    int64_t *reserve = calloc(m->n_seats, sizeof *reserve);
    int rc = FW_MARKET_OK;
    if (!reserve)
        return FW_MARKET_ENOMEM;
    for (uint32_t s = 0; s < m->n_seats; s++)
        reserve[s] = fm_cash(m, s);

    for (uint32_t f = 0; f < m->n_families && rc == FW_MARKET_OK; f++) {
        const fw_family_t *fam = &sc->families[f];
        fw_offer_t *offer = &m->chip_offers[f];
        m->requests.n = 0;
        for (uint32_t s = 0; s < m->n_seats; s++) {
            const Flywheel__V1__Actions *a = actions[s];
            if (!a)
                continue;
            int seen = 0;
            for (size_t i = 0; i < a->n_chip_orders; i++) {
                const Flywheel__V1__ChipOrder *o = a->chip_orders[i];
                if (fw_scenario_family(sc, o->family) != (int)f)
                    continue;
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
                int64_t qty = s_affordable(m, s, "chip_orders", i, o->quantity, offer->price,
                                           &reserve[s], NULL);
                if (qty > 0) {
                    fw_request_t *r = fw_vec_push(&m->requests);
                    r->seat = s;
                    r->index = i;
                    r->want = qty;
                }
            }
            /* Orders naming no known family are refused once, under the first family. */
            if (f == 0)
                for (size_t i = 0; i < a->n_chip_orders; i++)
                    if (fw_scenario_family(sc, a->chip_orders[i]->family) < 0)
                        fm_reject(m, s, "chip_orders", i, "unknown chip family '%s'",
                                 a->chip_orders[i]->family);
        }
        s_ration_requests(&m->requests, offer->quantity);
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
            s_add_lot(m, r->seat, (int)f, r->grant, amount, t + fam->lead_time,
                      t + fam->lead_time + fam->life);
            fm_fill(m, r->seat, FLYWHEEL__V1__FILL_KIND__FILL_CHIP_PURCHASE, v, (int)f, r->grant,
                   offer->price);
            fm_fill(m, v, FLYWHEEL__V1__FILL_KIND__FILL_CHIP_SALE, r->seat, (int)f, r->grant,
                   offer->price);
            Flywheel__V1__ChipFlow *flow = fw_vec_push(&m->chip_flows);
            flywheel__v1__chip_flow__init(flow);
            flow->vendor = (char *)sc->seats[v].id;
            flow->cloud = (char *)sc->seats[r->seat].id;
            flow->family = (char *)fam->id;
            flow->quantity = r->grant;
            flow->amount = amount;
            offer->sold += r->grant;
            m->chips_sold += r->grant;
            m->family_units[f] += r->grant;
            m->family_revenue[f] += amount;
            m->seats[r->seat].chip_spend_tick += amount;
            if (fam->lead_time == 0)
                fm_fill(m, r->seat, FLYWHEEL__V1__FILL_KIND__FILL_DELIVERY, v, (int)f, r->grant, 0);
        }
    }
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
        fm_fill_money(m, v, FLYWHEEL__V1__FILL_KIND__FILL_CHIP_SALE, -1, amount);
    }
    return FW_MARKET_OK;
}

static void s_compute_offers(fw_market_t *m, Flywheel__V1__Actions *const *actions, uint32_t t)
{
    const fw_scenario_t *sc = m->sc;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const Flywheel__V1__Actions *a = actions[s];
        if (!a)
            continue;
        for (size_t i = 0; i < a->n_compute_offers; i++) {
            const Flywheel__V1__ComputeOffer *o = a->compute_offers[i];
            int f = fw_scenario_family(sc, o->family);
            if (sc->seats[s].role != FW_ROLE_HYPERSCALER) {
                fm_reject(m, s, "compute_offers", i, "only hyperscalers sell compute");
                continue;
            }
            if (f < 0) {
                fm_reject(m, s, "compute_offers", i, "unknown chip family '%s'", o->family);
                continue;
            }
            fw_offer_t *offer = &m->compute_offers[(size_t)s * m->n_families + (size_t)f];
            if (offer->posted) {
                fm_reject(m, s, "compute_offers", i, "second offer for '%s' this tick", o->family);
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

static int s_compute_market(fw_market_t *m, Flywheel__V1__Actions *const *actions, char *err,
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
        const Flywheel__V1__Actions *a = actions[s];
        if (!a)
            continue;
        /* The lab's credits on each cloud, reserved as its bids are taken. */
        if (sc->seats[s].role == FW_ROLE_LAB)
            for (uint32_t c = 0; c < m->n_seats; c++)
                m->scratch[c] = sc->seats[c].role == FW_ROLE_HYPERSCALER ? fe_credits(m, s, c) : 0;
        for (size_t i = 0; i < a->n_compute_bids; i++) {
            const Flywheel__V1__ComputeBid *b = a->compute_bids[i];
            int p = fw_scenario_seat(sc, b->provider);
            int f = fw_scenario_family(sc, b->family);
            if (sc->seats[s].role != FW_ROLE_LAB) {
                fm_reject(m, s, "compute_bids", i, "only labs buy compute");
                continue;
            }
            if (p < 0 || sc->seats[p].role != FW_ROLE_HYPERSCALER) {
                fm_reject(m, s, "compute_bids", i, "'%s' is not a cloud", b->provider);
                continue;
            }
            if (f < 0) {
                fm_reject(m, s, "compute_bids", i, "unknown chip family '%s'", b->family);
                continue;
            }
            size_t q = (size_t)p * m->n_families + (size_t)f;
            const fw_offer_t *offer = &m->compute_offers[q];
            if (!offer->posted || offer->quantity == 0) {
                fm_reject(m, s, "compute_bids", i, "%s offers no '%s' compute this tick",
                         b->provider, b->family);
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
            int64_t qty = s_affordable(m, s, "compute_bids", i, b->quantity, offer->price,
                                       &reserve[s], &m->scratch[p]);
            if (qty <= 0)
                continue;
            /* What the lab asked for, for its stipulations (fw_economy: compliance). */
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
        s_ration_requests(&queues[q], offer->quantity);
        for (size_t i = 0; i < queues[q].n; i++) {
            const fw_request_t *r = fw_vec_at(&queues[q], i);
            if (r->grant <= 0)
                continue;
            int64_t amount = r->grant * offer->price;
            rc = fe_pay_compute(m, r->seat, cloud, f, r->grant, amount, err, err_len);
            if (rc != FW_MARKET_OK)
                break;
            if (r->grant < r->want)
                fm_reject(m, r->seat, "compute_bids", r->index, "%s '%s' oversubscribed: got %" PRId64
                         " of %" PRId64, sc->seats[cloud].id, sc->families[f].id, r->grant, r->want);
            fm_fill(m, r->seat, FLYWHEEL__V1__FILL_KIND__FILL_COMPUTE_PURCHASE, cloud, f, r->grant,
                   offer->price);
            fm_fill(m, cloud, FLYWHEEL__V1__FILL_KIND__FILL_COMPUTE_SALE, r->seat, f, r->grant,
                   offer->price);
            Flywheel__V1__ComputeFlow *flow = fw_vec_push(&m->compute_flows);
            flywheel__v1__compute_flow__init(flow);
            flow->lab = (char *)sc->seats[r->seat].id;
            flow->cloud = (char *)sc->seats[cloud].id;
            flow->family = (char *)sc->families[f].id;
            flow->quantity = r->grant;
            flow->amount = amount;
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

/* Clouds' base (non-AI) business books its revenue and its operating costs. */
static int s_base_business(fw_market_t *m, char *err, size_t err_len)
{
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

/* Straight-line depreciation of lots in service, exact in integers: each tick a lot
 * loses book / ticks-left, and the last tick takes what remains. Retired lots go. */
static int s_depreciate(fw_market_t *m, uint32_t t, char *err, size_t err_len)
{
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
            if (t + 1 < lot->retires)
                memmove(fw_vec_at(lots, keep++), lot, sizeof *lot);
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

/* Growth of the vendors' capacity, for the next tick (the economy grows the rest). */
static void s_grow(fw_market_t *m)
{
    const fw_scenario_t *sc = m->sc;
    for (uint32_t f = 0; f < m->n_families; f++)
        m->capacity[f] = fw_grown(m->capacity[f], sc->families[f].capacity_growth);
    fe_grow(m);
}

static void s_shares(fw_market_t *m, uint32_t t)
{
    const fw_scenario_t *sc = m->sc;
    int64_t installed_total = 0;
    for (uint32_t s = 0; s < m->n_seats; s++)
        m->compute_share[s] = m->compute_sold > 0
            ? (double)m->seats[s].compute_tick / (double)m->compute_sold : 0.0;
    for (uint32_t f = 0; f < m->n_families; f++) {
        int64_t c = 0;
        for (uint32_t s = 0; s < m->n_seats; s++)
            if (sc->seats[s].role == FW_ROLE_HYPERSCALER)
                c += fm_installed_at(m, s, (int)f, t);
        m->installed_share[f] = (double)c;
        installed_total += c;
    }
    for (uint32_t f = 0; f < m->n_families; f++)
        m->installed_share[f] = installed_total > 0 ? m->installed_share[f] / (double)installed_total
                                                    : 0.0;
}

static uint64_t s_hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t s_state_hash(const fw_market_t *m)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    h = s_hash_bytes(h, &m->tick, sizeof m->tick);
    h = fw_ledger_hash(m->ledger, h);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_vec_t *lots = &m->seats[s].lots;
        for (size_t i = 0; i < lots->n; i++) {
            const fw_lot_t *lot = fw_vec_at(lots, i);
            h = s_hash_bytes(h, &lot->family, sizeof lot->family);
            h = s_hash_bytes(h, &lot->units, sizeof lot->units);
            h = s_hash_bytes(h, &lot->book, sizeof lot->book);
            h = s_hash_bytes(h, &lot->arrives, sizeof lot->arrives);
        }
    }
    return fe_hash(m, h);
}

Flywheel__V1__Metric *fm_metric(fw_arena_t *a, const char *prefix, const char *id, double value)
{
    Flywheel__V1__Metric *mt = fw_arena_calloc(a, 1, sizeof *mt);
    char name[96];
    flywheel__v1__metric__init(mt);
    if (id)
        snprintf(name, sizeof name, "%s.%s", prefix, id);
    else
        snprintf(name, sizeof name, "%s", prefix);
    mt->name = fw_arena_strdup(a, name);
    mt->value = value;
    return mt;
}

/* The metrics row: the chip and compute markets' figures here, then the economy's
 * (fe_metrics), then cash, revenue, profit and valuation of every company. Names and
 * order are fixed by the scenario, so every row of metrics.csv has the same columns
 * (docs/outputs.md lists them). */
static void s_metrics(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__Snapshot *snap)
{
    const fw_scenario_t *sc = m->sc;
    size_t n = 3 + m->n_seats + 2 * (size_t)m->n_families + 4 * (size_t)m->n_seats +
               fe_metric_count(m), k = 0;
    Flywheel__V1__Metric **mt = fw_arena_calloc(a, n, sizeof *mt);
    int64_t chip_revenue = 0, asic_units = 0;
    for (uint32_t f = 0; f < m->n_families; f++) {
        chip_revenue += m->family_revenue[f];
        if (sc->families[f].captive_of >= 0)
            asic_units += m->family_units[f];
    }
    mt[k++] = fm_metric(a, "compute_sold", NULL, (double)m->compute_sold);
    mt[k++] = fm_metric(a, "chips_sold", NULL, (double)m->chips_sold);
    /* Chips made for one cloud (TPU, Trainium): the custom-accelerator (ASIC) share. */
    mt[k++] = fm_metric(a, "asic_share", NULL,
                        m->chips_sold > 0 ? (double)asic_units / (double)m->chips_sold : 0.0);
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (sc->seats[s].role == FW_ROLE_HYPERSCALER)
            mt[k++] = fm_metric(a, "compute_share", sc->seats[s].id, m->compute_share[s]);
    for (uint32_t f = 0; f < m->n_families; f++)
        mt[k++] = fm_metric(a, "installed_share", sc->families[f].id, m->installed_share[f]);
    for (uint32_t f = 0; f < m->n_families; f++)
        mt[k++] = fm_metric(a, "chip_revenue_share", sc->families[f].id,
                            chip_revenue > 0 ? (double)m->family_revenue[f] / (double)chip_revenue
                                             : 0.0);
    fe_metrics(m, a, mt, &k);
    for (uint32_t s = 0; s < m->n_seats; s++)
        mt[k++] = fm_metric(a, "cash", sc->seats[s].id, (double)fm_cash(m, s));
    for (uint32_t s = 0; s < m->n_seats; s++)
        mt[k++] = fm_metric(a, "revenue", sc->seats[s].id, (double)m->seats[s].revenue_tick);
    for (uint32_t s = 0; s < m->n_seats; s++)
        mt[k++] = fm_metric(a, "profit", sc->seats[s].id,
                            (double)(m->seats[s].revenue_tick - m->seats[s].cost_tick));
    for (uint32_t s = 0; s < m->n_seats; s++)
        mt[k++] = fm_metric(a, "valuation", sc->seats[s].id, (double)m->seats[s].valuation);
    snap->metrics = mt;
    snap->n_metrics = k;
}

static void s_snapshot(const fw_market_t *m, fw_arena_t *a, uint32_t t,
                       Flywheel__V1__Snapshot *snap)
{
    const fw_scenario_t *sc = m->sc;
    char month[16];
    flywheel__v1__snapshot__init(snap);
    fw_scenario_month(sc, t, month, sizeof month);
    snap->tick = t;
    snap->month = fw_arena_strdup(a, month);
    snap->ticks = m->ticks;
    snap->scenario = (char *)sc->name;
    snap->final = t >= m->ticks;
    snap->n_companies = m->n_seats;
    snap->companies = fw_arena_calloc(a, m->n_seats, sizeof *snap->companies);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        Flywheel__V1__CompanyState *c = fw_arena_calloc(a, 1, sizeof *c);
        const fw_seat_state_t *st = &m->seats[s];
        flywheel__v1__company_state__init(c);
        c->id = (char *)sc->seats[s].id;
        c->name = (char *)sc->seats[s].name;
        c->role = (Flywheel__V1__Role)sc->seats[s].role;
        c->cash = fm_cash(m, s);
        c->revenue = st->revenue_tick;
        c->cost = st->cost_tick;
        c->compute = sc->seats[s].role == FW_ROLE_HYPERSCALER ? fm_installed_at(m, s, -1, t)
                                                              : st->compute_tick;
        c->present = st->present;
        c->valuation = st->valuation;
        c->capability = st->capability;
        c->faltering = st->faltering;
        c->profit = st->revenue_tick - st->cost_tick;
        snap->companies[s] = c;
    }
    snap->n_flows = m->compute_flows.n;
    snap->flows = fw_arena_calloc(a, m->compute_flows.n, sizeof *snap->flows);
    for (size_t i = 0; i < m->compute_flows.n; i++) {
        snap->flows[i] = fw_arena_calloc(a, 1, sizeof **snap->flows);
        *snap->flows[i] = *(Flywheel__V1__ComputeFlow *)fw_vec_at(&m->compute_flows, i);
    }
    snap->n_chip_flows = m->chip_flows.n;
    snap->chip_flows = fw_arena_calloc(a, m->chip_flows.n, sizeof *snap->chip_flows);
    for (size_t i = 0; i < m->chip_flows.n; i++) {
        snap->chip_flows[i] = fw_arena_calloc(a, 1, sizeof **snap->chip_flows);
        *snap->chip_flows[i] = *(Flywheel__V1__ChipFlow *)fw_vec_at(&m->chip_flows, i);
    }
    fe_snapshot(m, a, snap);
    s_metrics(m, a, snap);
    snap->state_hash = s_state_hash(m);
}

static Flywheel__V1__TickResult *s_result(const fw_market_t *m, fw_arena_t *a, uint32_t s,
                                          uint32_t t)
{
    const fw_seat_report_t *rep = &m->reports[s];
    Flywheel__V1__TickResult *r = fw_arena_calloc(a, 1, sizeof *r);
    flywheel__v1__tick_result__init(r);
    r->tick = t;
    r->cash = fm_cash(m, s);
    r->n_fills = rep->fills.n;
    r->fills = fw_arena_calloc(a, rep->fills.n, sizeof *r->fills);
    for (size_t i = 0; i < rep->fills.n; i++) {
        r->fills[i] = fw_arena_calloc(a, 1, sizeof **r->fills);
        *r->fills[i] = *(Flywheel__V1__Fill *)fw_vec_at(&rep->fills, i);
    }
    r->n_rejected = rep->rejections.n;
    r->rejected = fw_arena_calloc(a, rep->rejections.n, sizeof *r->rejected);
    for (size_t i = 0; i < rep->rejections.n; i++) {
        const fw_rejection_t *src = fw_vec_at(&rep->rejections, i);
        Flywheel__V1__Rejection *rj = fw_arena_calloc(a, 1, sizeof *rj);
        flywheel__v1__rejection__init(rj);
        rj->action = fw_arena_strdup(a, src->action);
        rj->reason = fw_arena_strdup(a, src->reason);
        r->rejected[i] = rj;
    }
    return r;
}

/* ---- the clearing: one stage after the other ---------------------------------------
 *
 * Each stage takes the tick's actions and returns FW_MARKET_OK or stops the tick. The
 * order is this table's and nothing else's; docs/model.md ("The clearing, in order")
 * names the same stages in the same order, and a test compares the two. */

typedef int (*s_stage_fn)(fw_market_t *m, Flywheel__V1__Actions *const *actions, uint32_t t,
                          char *err, size_t err_len);

/* The tick's events fire (fw_market_prepare has normally fired them already, so the
 * agents saw their effects), then the tick's books open. */
static int s_stage_events(fw_market_t *m, Flywheel__V1__Actions *const *actions, uint32_t t,
                          char *err, size_t err_len)
{
    (void)err;
    (void)err_len;
    fe_fire_events(m, t);
    s_begin_tick(m, actions);
    return FW_MARKET_OK;
}

static int s_stage_investments(fw_market_t *m, Flywheel__V1__Actions *const *actions,
                               uint32_t t, char *err, size_t err_len)
{
    return fe_investments(m, actions, t, err, err_len);
}

/* Deliveries of chips ordered earlier, the vendors' offers, the clouds' orders, then
 * the buyers outside the scenario. */
static int s_stage_chips(fw_market_t *m, Flywheel__V1__Actions *const *actions, uint32_t t,
                         char *err, size_t err_len)
{
    s_deliveries(m, t);
    s_chip_offers(m, actions);
    int rc = s_chip_market(m, actions, t, err, err_len);
    return rc == FW_MARKET_OK ? s_outside_chips(m, err, err_len) : rc;
}

static int s_stage_compute(fw_market_t *m, Flywheel__V1__Actions *const *actions, uint32_t t,
                           char *err, size_t err_len)
{
    s_compute_offers(m, actions, t);
    return s_compute_market(m, actions, err, err_len);
}

static int s_stage_customers(fw_market_t *m, Flywheel__V1__Actions *const *actions, uint32_t t,
                             char *err, size_t err_len)
{
    (void)actions;
    return fe_customers(m, t, err, err_len);
}

static int s_stage_base_business(fw_market_t *m, Flywheel__V1__Actions *const *actions,
                                 uint32_t t, char *err, size_t err_len)
{
    (void)actions;
    (void)t;
    return s_base_business(m, err, err_len);
}

static int s_stage_ai_operations(fw_market_t *m, Flywheel__V1__Actions *const *actions,
                                 uint32_t t, char *err, size_t err_len)
{
    (void)actions;
    return fe_ai_operations(m, t, err, err_len);
}

static int s_stage_depreciation(fw_market_t *m, Flywheel__V1__Actions *const *actions,
                                uint32_t t, char *err, size_t err_len)
{
    (void)actions;
    return s_depreciate(m, t, err, err_len);
}

static int s_stage_stipulations(fw_market_t *m, Flywheel__V1__Actions *const *actions,
                                uint32_t t, char *err, size_t err_len)
{
    (void)actions;
    return fe_compliance(m, t, err, err_len);
}

/* Revenue and costs are complete here; valuations are a multiple of revenue. */
static int s_stage_valuations(fw_market_t *m, Flywheel__V1__Actions *const *actions,
                              uint32_t t, char *err, size_t err_len)
{
    (void)actions;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_seat_state_t *st = &m->seats[s];
        st->revenue_tick = -fw_ledger_tick_delta(m->ledger, fw_acc(s, FW_ACC_REVENUE));
        st->cost_tick = fw_ledger_tick_delta(m->ledger, fw_acc(s, FW_ACC_EXPENSE));
        st->revenue_total += st->revenue_tick;
        st->cost_total += st->cost_tick;
    }
    return fe_valuations(m, t, err, err_len);
}

static const struct {
    const char *name; /* as docs/model.md names it */
    s_stage_fn run;
} s_stages[] = {
    {"Events", s_stage_events},
    {"Investment answers", s_stage_investments},
    {"Chip market", s_stage_chips},
    {"Compute market", s_stage_compute},
    {"End customers", s_stage_customers},
    {"Base cloud business", s_stage_base_business},
    {"AI in own operations", s_stage_ai_operations},
    {"Depreciation", s_stage_depreciation},
    {"Stipulations", s_stage_stipulations},
    {"Valuations", s_stage_valuations},
};

size_t fw_market_stage_count(void)
{
    return sizeof s_stages / sizeof s_stages[0];
}

const char *fw_market_stage_name(size_t i)
{
    return i < fw_market_stage_count() ? s_stages[i].name : NULL;
}

int fw_market_step(fw_market_t *m, Flywheel__V1__Actions *const *actions, fw_arena_t *arena,
                   Flywheel__V1__TickResult **results, Flywheel__V1__Snapshot *snapshot,
                   char *err, size_t err_len)
{
    uint32_t t = m->tick + 1;
    if (m->tick >= m->ticks)
        return FW_MARKET_EDONE;
    for (size_t i = 0; i < fw_market_stage_count(); i++) {
        int rc = s_stages[i].run(m, actions, t, err, err_len);
        if (rc != FW_MARKET_OK)
            return rc;
    }
    if (fw_ledger_check(m->ledger, err, err_len) != FW_LEDGER_OK)
        return FW_MARKET_EBOOKS;
    s_shares(m, t);
    m->tick = t;
    s_snapshot(m, arena, t, snapshot);
    for (uint32_t s = 0; s < m->n_seats; s++)
        results[s] = s_result(m, arena, s, t);
    s_grow(m);
    return FW_MARKET_OK;
}

/* ---- observations ------------------------------------------------------------ */

static Flywheel__V1__Holding *s_holding(fw_arena_t *a, const char *family, int64_t units,
                                        int64_t compute, uint32_t arrives)
{
    Flywheel__V1__Holding *h = fw_arena_calloc(a, 1, sizeof *h);
    flywheel__v1__holding__init(h);
    h->family = (char *)family;
    h->units = units;
    h->compute = compute;
    h->arrives = arrives;
    return h;
}

static void s_view_market(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__MarketView *mv)
{
    const fw_scenario_t *sc = m->sc;
    size_t n = 0;
    flywheel__v1__market_view__init(mv);
    /* Quotes are what sellers posted last tick: the prices agents react to. */
    mv->chip_quotes = fw_arena_calloc(a, m->n_families, sizeof *mv->chip_quotes);
    for (uint32_t f = 0; f < m->n_families; f++) {
        const fw_offer_t *o = &m->chip_offers[f];
        if (!o->posted)
            continue;
        Flywheel__V1__ChipQuote *q = fw_arena_calloc(a, 1, sizeof *q);
        flywheel__v1__chip_quote__init(q);
        q->vendor = (char *)sc->seats[sc->families[f].vendor].id;
        q->family = (char *)sc->families[f].id;
        q->price = o->price;
        q->quantity = o->quantity;
        mv->chip_quotes[n++] = q;
    }
    mv->n_chip_quotes = n;
    n = 0;
    size_t offers = (size_t)m->n_seats * m->n_families;
    mv->compute_quotes = fw_arena_calloc(a, offers, sizeof *mv->compute_quotes);
    for (size_t k = 0; k < offers; k++) {
        size_t i = m->quote_order[k];
        const fw_offer_t *o = &m->compute_offers[i];
        if (!o->posted)
            continue;
        Flywheel__V1__ComputeQuote *q = fw_arena_calloc(a, 1, sizeof *q);
        flywheel__v1__compute_quote__init(q);
        q->provider = (char *)sc->seats[i / m->n_families].id;
        q->family = (char *)sc->families[i % m->n_families].id;
        q->price = o->price;
        q->capacity = o->quantity;
        mv->compute_quotes[n++] = q;
    }
    mv->n_compute_quotes = n;
    n = 0;
    mv->compute_share = fw_arena_calloc(a, m->n_seats, sizeof *mv->compute_share);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        if (sc->seats[s].role != FW_ROLE_HYPERSCALER)
            continue;
        Flywheel__V1__Share *sh = fw_arena_calloc(a, 1, sizeof *sh);
        flywheel__v1__share__init(sh);
        sh->id = (char *)sc->seats[s].id;
        sh->value = m->compute_share[s];
        mv->compute_share[n++] = sh;
    }
    mv->n_compute_share = n;
    mv->installed_share = fw_arena_calloc(a, m->n_families, sizeof *mv->installed_share);
    for (uint32_t f = 0; f < m->n_families; f++) {
        Flywheel__V1__Share *sh = fw_arena_calloc(a, 1, sizeof *sh);
        flywheel__v1__share__init(sh);
        sh->id = (char *)sc->families[f].id;
        sh->value = m->installed_share[f];
        mv->installed_share[f] = sh;
    }
    mv->n_installed_share = m->n_families;
}

void fw_market_view_common(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__MarketView *out)
{
    s_view_market(m, a, out);
    fe_view_market(m, a, out);
}

void fw_market_view(const fw_market_t *m, uint32_t seat, fw_arena_t *a,
                    Flywheel__V1__TickStart *out)
{
    Flywheel__V1__MarketView *market = fw_arena_calloc(a, 1, sizeof *market);
    fw_market_view_common(m, a, market);
    fw_market_view_seat(m, seat, a, market, out);
}

void fw_market_view_seat(const fw_market_t *m, uint32_t seat, fw_arena_t *a,
                         Flywheel__V1__MarketView *market, Flywheel__V1__TickStart *out)
{
    const fw_scenario_t *sc = m->sc;
    const fw_seat_t *me = &sc->seats[seat];
    const fw_seat_state_t *st = &m->seats[seat];
    uint32_t t = m->tick + 1;
    char month[16];

    fw_scenario_month(sc, t, month, sizeof month);
    out->tick = t;
    out->month = fw_arena_strdup(a, month);
    out->market = market;

    Flywheel__V1__SeatView *v = fw_arena_calloc(a, 1, sizeof *v);
    flywheel__v1__seat_view__init(v);
    out->me = v;
    v->cash = fm_cash(m, seat);
    v->revenue_last = st->revenue_tick;
    v->cost_last = st->cost_tick;
    v->compute_last = st->compute_tick;
    if (me->role == FW_ROLE_HYPERSCALER) {
        size_t n_in = 0, n_inc = 0;
        v->installed = fw_arena_calloc(a, m->n_families, sizeof *v->installed);
        v->incoming = fw_arena_calloc(a, st->lots.n, sizeof *v->incoming);
        for (uint32_t f = 0; f < m->n_families; f++) {
            const fw_family_t *fam = &sc->families[f];
            int64_t units = 0;
            for (size_t i = 0; i < st->lots.n; i++) {
                const fw_lot_t *lot = fw_vec_at(&st->lots, i);
                if (lot->family == (int)f && lot->arrives <= t && t < lot->retires)
                    units += lot->units;
            }
            if (units > 0) {
                Flywheel__V1__Holding *h = s_holding(a, fam->id, units, s_compute_of(fam, units), 0);
                h->sold = m->compute_offers[(size_t)seat * m->n_families + f].sold;
                v->installed[n_in++] = h;
            }
        }
        for (size_t i = 0; i < st->lots.n; i++) {
            const fw_lot_t *lot = fw_vec_at(&st->lots, i);
            const fw_family_t *fam = &sc->families[lot->family];
            if (lot->arrives > t)
                v->incoming[n_inc++] = s_holding(a, fam->id, lot->units,
                                                 s_compute_of(fam, lot->units), lot->arrives);
        }
        v->n_installed = n_in;
        v->n_incoming = n_inc;
    } else if (me->role == FW_ROLE_LAB) {
        v->revenue_per_compute = me->revenue_per_compute;
    } else if (me->role == FW_ROLE_VENDOR) {
        size_t n = 0;
        v->capacity = fw_arena_calloc(a, m->n_families, sizeof *v->capacity);
        for (uint32_t f = 0; f < m->n_families; f++) {
            if (sc->families[f].vendor != (int)seat)
                continue;
            Flywheel__V1__Capacity *c = fw_arena_calloc(a, 1, sizeof *c);
            flywheel__v1__capacity__init(c);
            c->family = (char *)sc->families[f].id;
            c->units = (int64_t)floor(m->capacity[f] * m->supply_factor[f]);
            c->unit_cost = sc->families[f].unit_cost;
            v->capacity[n++] = c;
        }
        v->n_capacity = n;
    }
    fe_view_seat(m, seat, a, v);
}
