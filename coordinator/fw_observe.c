/* fw_observe: everything the market shows, built from its state: the views of the
 * next tick (TickStart: the public market, built once a tick, and each seat's own
 * position), each seat's TickResult, the public Snapshot with the metrics row, and the
 * state hash.
 *
 * With fw_intake.c, the only market module that sees generated protobuf types. The
 * messages are built in the caller's arena; their strings point into the scenario or
 * the arena, never into the state, so the state may change once they are packed.
 */
#include "fw_observe.h"
#include "fw_metric_defs.h"

#include "fw_market.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "fw_rng.h"
#include "fw_stages.h"

/* ---- the state hash ------------------------------------------------------------ */

/* The state hash is XXH3 (libxxhash) over the state's canonical bytes: each value's
 * native bytes, in one fixed order. Values are gathered in a small buffer and handed
 * to XXH3 a block at a time, because a call per value costs more than the hashing,
 * and the hash runs over every lot and deal every tick. */
typedef struct {
    XXH3_state_t xxh;
    unsigned char buf[4096];
    size_t n;
} s_hasher_t;

static void s_hash_put(s_hasher_t *h, const void *p, size_t n)
{
    if (h->n + n > sizeof h->buf) {
        XXH3_64bits_update(&h->xxh, h->buf, h->n);
        h->n = 0;
    }
    memcpy(h->buf + h->n, p, n);
    h->n += n;
}

/* Doubles go in as their 8 bytes: they are exact functions of the integer state and
 * the scenario, computed in one fixed order, so their bits are the same on every host
 * built with -ffp-contract=off. */
#define S_PUT(h, x) s_hash_put((h), &(x), sizeof(x))

/* The economy's part of the state that the ledger and the lots do not show. */
static void s_hash_economy(const fw_market_t *m, s_hasher_t *h)
{
    S_PUT(h, m->ai_spending);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_seat_state_t *st = &m->seats[s];
        S_PUT(h, st->capability);
        S_PUT(h, st->reach);
        S_PUT(h, st->valuation);
        S_PUT(h, st->revenue_level);
    }
    for (size_t i = 0; i < m->deals.n; i++) {
        const fw_deal_t *d = fw_vec_at(&m->deals, i);
        S_PUT(h, d->credits_left);
        int64_t returned = fm_deal_returned(m, d);
        S_PUT(h, returned);
    }
    for (uint32_t s = 0; s < m->n_seats; s++) { /* the round trips */
        const fw_vec_t *paid = &m->seats[s].paid;
        for (size_t i = 0; i < paid->n; i++) {
            const fw_paid_t *p = fw_vec_at(paid, i);
            S_PUT(h, p->invested);
            S_PUT(h, p->returned);
        }
    }
}

static uint64_t s_state_hash(const fw_market_t *m)
{
    s_hasher_t h;
    XXH3_INITSTATE(&h.xxh);
    XXH3_64bits_reset(&h.xxh);
    h.n = 0;
    S_PUT(&h, m->tick);
    uint64_t books = fw_ledger_hash(m->ledger);
    S_PUT(&h, books);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        const fw_vec_t *lots = &m->seats[s].lots;
        for (size_t i = 0; i < lots->n; i++) {
            const fw_lot_t *lot = fw_vec_at(lots, i);
            S_PUT(&h, lot->family);
            S_PUT(&h, lot->units);
            S_PUT(&h, lot->book);
            S_PUT(&h, lot->arrives);
        }
    }
    s_hash_economy(m, &h);
    XXH3_64bits_update(&h.xxh, h.buf, h.n);
    return XXH3_64bits_digest(&h.xxh);
}
#undef S_PUT

/* ---- wire forms of the state -------------------------------------------------- */

static Flywheel__V1__FillKind s_fill_kind(fw_fill_kind_t k)
{
    switch (k) {
    case FW_FILL_CHIP_SALE: return FLYWHEEL__V1__FILL_KIND__FILL_CHIP_SALE;
    case FW_FILL_CHIP_PURCHASE: return FLYWHEEL__V1__FILL_KIND__FILL_CHIP_PURCHASE;
    case FW_FILL_COMPUTE_SALE: return FLYWHEEL__V1__FILL_KIND__FILL_COMPUTE_SALE;
    case FW_FILL_COMPUTE_PURCHASE: return FLYWHEEL__V1__FILL_KIND__FILL_COMPUTE_PURCHASE;
    case FW_FILL_DELIVERY: return FLYWHEEL__V1__FILL_KIND__FILL_DELIVERY;
    case FW_FILL_INVESTMENT: return FLYWHEEL__V1__FILL_KIND__FILL_INVESTMENT;
    case FW_FILL_CREDITS_USED: return FLYWHEEL__V1__FILL_KIND__FILL_CREDITS_USED;
    case FW_FILL_PENALTY: return FLYWHEEL__V1__FILL_KIND__FILL_PENALTY;
    case FW_FILL_TAKE_OR_PAY: return FLYWHEEL__V1__FILL_KIND__FILL_TAKE_OR_PAY;
    }
    return FLYWHEEL__V1__FILL_KIND__FILL_UNSPECIFIED;
}

static Flywheel__V1__Fill *s_fill_wire(const fw_market_t *m, fw_arena_t *a, const fw_fill_t *f)
{
    Flywheel__V1__Fill *w = fw_arena_calloc(a, 1, sizeof *w);
    flywheel__v1__fill__init(w);
    w->kind = s_fill_kind(f->kind);
    w->counterparty = (char *)fm_id(m, f->other);
    w->family = f->family >= 0 ? (char *)m->sc->families[f->family].id : "";
    w->quantity = f->quantity;
    w->price = f->price;
    w->amount = f->amount;
    return w;
}

static Flywheel__V1__ChipFlow *s_chip_flow_wire(const fw_market_t *m, fw_arena_t *a,
                                                const fw_flow_t *f)
{
    Flywheel__V1__ChipFlow *w = fw_arena_calloc(a, 1, sizeof *w);
    flywheel__v1__chip_flow__init(w);
    w->vendor = (char *)m->sc->seats[f->seller].id;
    w->cloud = (char *)m->sc->seats[f->buyer].id;
    w->family = (char *)m->sc->families[f->family].id;
    w->quantity = f->quantity;
    w->amount = f->amount;
    return w;
}

static Flywheel__V1__ComputeFlow *s_compute_flow_wire(const fw_market_t *m, fw_arena_t *a,
                                                      const fw_flow_t *f)
{
    Flywheel__V1__ComputeFlow *w = fw_arena_calloc(a, 1, sizeof *w);
    flywheel__v1__compute_flow__init(w);
    w->lab = (char *)m->sc->seats[f->buyer].id;
    w->cloud = (char *)m->sc->seats[f->seller].id;
    w->family = (char *)m->sc->families[f->family].id;
    w->quantity = f->quantity;
    w->amount = f->amount;
    return w;
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
    w->min_spend = T->min_spend;
    w->credit_fraction_slack = T->credit_fraction_slack;
    w->cloud_share_slack = T->cloud_share_slack;
    w->chip_share_slack = T->chip_share_slack;
    return w;
}

static Flywheel__V1__Deal *s_deal_wire(const fw_market_t *m, fw_arena_t *a, const fw_deal_t *d)
{
    Flywheel__V1__Deal *w = fw_arena_calloc(a, 1, sizeof *w);
    flywheel__v1__deal__init(w);
    w->id = d->id;
    w->investor = (char *)fm_id(m, d->terms.investor);
    w->lab = (char *)m->sc->seats[d->terms.lab].id;
    w->terms = s_terms_wire(m, a, &d->terms);
    w->signed_tick = d->signed_tick;
    w->ends_tick = d->ends;
    w->equity = d->equity;
    w->credits_left = d->credits_left;
    w->returned = fm_deal_returned(m, d);
    /* The pair's round trip, as metrics.csv has it: one definition everywhere. */
    w->round_trip = d->terms.investor >= 0
        ? fm_round_trip(m, (uint32_t)d->terms.investor, (uint32_t)d->terms.lab) : 0.0;
    w->compliant = d->compliant;
    w->breached = d->breached;
    return w;
}

static Flywheel__V1__Stake *s_stake_wire(const fw_market_t *m, fw_arena_t *a, uint32_t lab,
                                         const fw_holder_t *h)
{
    Flywheel__V1__Stake *w = fw_arena_calloc(a, 1, sizeof *w);
    flywheel__v1__stake__init(w);
    w->investor = (char *)fm_id(m, h->holder);
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

/* Stakes, deals, credits and the tick's events. */
static void s_snapshot_economy(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__Snapshot *snap)
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

/* ---- metrics --------------------------------------------------------------------- */

/* The k-th metric of the row, named prefix.id (or prefix). The row's names are the
 * same every tick (docs/outputs.md), so each is written once and kept with the market
 * (m->metric_names) rather than formatted again every tick. */
static Flywheel__V1__Metric *s_metric(const fw_market_t *m, fw_arena_t *a, size_t k,
                                      const char *prefix, const char *id, double value)
{
    Flywheel__V1__Metric *mt = fw_arena_calloc(a, 1, sizeof *mt);
    flywheel__v1__metric__init(mt);
    const char *cached = fm_metric_name(m, k);
    if (cached) {
        mt->name = (char *)cached;
    } else {
        char name[96];
        /* Every column has a unit and a meaning (fw_metric_defs): a prefix without one
         * is a programming error, caught on the first row of any run. */
        if (!fw_metric_def(prefix)) {
            fprintf(stderr, "fw_observe: metric '%s' has no entry in fw_metric_defs.c\n",
                    prefix);
            abort();
        }
        if (id)
            snprintf(name, sizeof name, "%s.%s", prefix, id);
        else
            snprintf(name, sizeof name, "%s", prefix);
        mt->name = fw_arena_strdup(a, name);
        fm_keep_metric_name(m, k, name);
    }
    mt->value = value;
    return mt;
}

/* Appends the next metric to the row mt[*k]. */
static void s_put(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__Metric **mt, size_t *k,
                  const char *prefix, const char *id, double value)
{
    mt[*k] = s_metric(m, a, *k, prefix, id, value);
    (*k)++;
}

static int s_investor(const fw_market_t *m, uint32_t s)
{
    fw_role_t r = m->sc->seats[s].role;
    return r == FW_ROLE_HYPERSCALER || r == FW_ROLE_VENDOR;
}

static int64_t s_stake_value(const fw_market_t *m, uint32_t investor)
{
    int64_t total = 0;
    const fw_vec_t *labs = &m->seats[investor].holdings;
    for (size_t i = 0; i < labs->n; i++)
        total += fm_holding(m, *(uint32_t *)fw_vec_at(labs, i), (int)investor)->value;
    return total;
}

static int64_t s_cloud_revenue(const fw_market_t *m, uint32_t s)
{
    return m->seats[s].base_tick + m->seats[s].ai_revenue_tick;
}

static size_t s_metric_count_economy(const fw_market_t *m)
{
    size_t clouds = 0, sellers = 0, vendors = 0, labs = 0;
    for (uint32_t s = 0; s < m->n_seats; s++) {
        fw_role_t r = m->sc->seats[s].role;
        clouds += r == FW_ROLE_HYPERSCALER;
        sellers += fm_sells_compute(m, s) ? 1u : 0u;
        vendors += r == FW_ROLE_VENDOR;
        labs += r == FW_ROLE_LAB;
    }
    return 7 + 3 * clouds + sellers + vendors + 2 * m->n_families + 5 * labs +
           (clouds + vendors) * (m->pairwise ? labs : 1);
}

/* Each investor's round trip over all its labs: the pairs' returns summed over the pairs'
 * investments summed, the same definition as a pair's (one pass over the labs). */
static void s_round_trips_by_investor(const fw_market_t *m, fw_arena_t *a,
                                      Flywheel__V1__Metric **mt, size_t *k)
{
    int64_t *invested = fw_arena_calloc(a, m->n_seats, sizeof *invested);
    int64_t *returned = fw_arena_calloc(a, m->n_seats, sizeof *returned);
    for (uint32_t l = 0; l < m->n_seats; l++) {
        const fw_vec_t *paid = &m->seats[l].paid;
        for (size_t i = 0; i < paid->n; i++) {
            const fw_paid_t *p = fw_vec_at(paid, i);
            invested[p->investor] += p->invested;
            returned[p->investor] += p->returned;
        }
    }
    for (uint32_t i = 0; i < m->n_seats; i++)
        if (s_investor(m, i))
            s_put(m, a, mt, k, "round_trip", m->sc->seats[i].id,
                  invested[i] > 0 ? (double)returned[i] / (double)invested[i] : 0.0);
}

static void s_metrics_economy(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__Metric **mt,
                              size_t *k)
{
    const fw_scenario_t *sc = m->sc;
    double market = m->other_cloud, credits = 0;
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (fm_sells_compute(m, s))
            market += (double)s_cloud_revenue(m, s);
    for (size_t i = 0; i < m->deals.n; i++)
        credits += (double)((const fw_deal_t *)fw_vec_at(&m->deals, i))->credits_left;
    s_put(m, a, mt, k, "ai_spending", NULL, (double)llround(m->ai_spending));
    s_put(m, a, mt, k, "cloud_market", NULL, (double)llround(market));
    s_put(m, a, mt, k, "credits_outstanding", NULL, credits);
    double compute_revenue = 0;
    for (uint32_t s = 0; s < m->n_seats; s++)
        compute_revenue += (double)m->seats[s].ai_revenue_tick;
    s_put(m, a, mt, k, "compute_price", NULL,
                           m->compute_sold > 0 ? (double)llround(compute_revenue /
                                                                 (double)m->compute_sold)
                                               : 0.0);
    /* Capex of every company in the scenario: the clouds' and Meta's (a company that
     * buys chips for its own business). */
    int64_t capex_all = 0;
    for (uint32_t s = 0; s < m->n_seats; s++)
        capex_all += fm_capex(m, s);
    s_put(m, a, mt, k, "capex_all", NULL, (double)capex_all);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        if (sc->seats[s].role != FW_ROLE_HYPERSCALER)
            continue;
        const char *id = sc->seats[s].id;
        const fw_seat_state_t *st = &m->seats[s];
        if (fm_sells_compute(m, s))
            s_put(m, a, mt, k, "cloud_share", id,
                  market > 0 ? (double)s_cloud_revenue(m, s) / market : 0.0);
        s_put(m, a, mt, k, "capex", id, (double)fm_capex(m, s));
        s_put(m, a, mt, k, "ai_ops_value", id, (double)st->ai_ops_tick);
        s_put(m, a, mt, k, "stake_value", id, (double)s_stake_value(m, s));
    }
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (sc->seats[s].role == FW_ROLE_VENDOR)
            s_put(m, a, mt, k, "stake_value", sc->seats[s].id, (double)s_stake_value(m, s));
    for (uint32_t f = 0; f < m->n_families; f++)
        s_put(m, a, mt, k, "maturity", sc->families[f].id, m->maturity[f]);
    /* Compute the labs ran on each family this tick: where a mandate's proof point
     * would show, as labs without the mandate move onto the chip. */
    int64_t *ran = fw_arena_calloc(a, m->n_families + 1, sizeof *ran);
    for (uint32_t s = 0; s < m->n_seats; s++) { /* the families each lab touched this tick */
        const fw_seat_state_t *st = &m->seats[s];
        if (sc->seats[s].role != FW_ROLE_LAB)
            continue;
        for (size_t i = 0; i < st->touched_families.n; i++) {
            uint32_t f = *(const uint32_t *)fw_vec_at(&st->touched_families, i);
            ran[f] += st->family_tick[f];
        }
    }
    for (uint32_t f = 0; f < m->n_families; f++) {
        s_put(m, a, mt, k, "family_compute", sc->families[f].id, (double)ran[f]);
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
    s_put(m, a, mt, k, "hhi_cloud", NULL, hhi_cloud);
    s_put(m, a, mt, k, "hhi_lab", NULL, hhi_lab);
    for (uint32_t s = 0; s < m->n_seats; s++) {
        if (sc->seats[s].role != FW_ROLE_LAB)
            continue;
        const char *id = sc->seats[s].id;
        const fw_seat_state_t *st = &m->seats[s];
        s_put(m, a, mt, k, "lab_share", id, st->share);
        s_put(m, a, mt, k, "capability", id, st->capability);
        s_put(m, a, mt, k, "compute", id, (double)st->compute_tick);
        s_put(m, a, mt, k, "compliance", id, st->compliant ? 1.0 : 0.0);
        s_put(m, a, mt, k, "faltering", id, st->faltering ? 1.0 : 0.0);
    }
    /* Round trip of each investor-lab pair: revenue back since the pair's first
     * investment, per dollar invested (fm_round_trip). A large market reports each
     * investor's instead, over all its pairs (FW_PAIRS_MAX). */
    if (!m->pairwise)
        s_round_trips_by_investor(m, a, mt, k);
    for (uint32_t i = 0; i < m->n_seats && m->pairwise; i++) {
        if (!s_investor(m, i))
            continue;
        for (uint32_t l = 0; l < m->n_seats; l++) {
            if (sc->seats[l].role != FW_ROLE_LAB)
                continue;
            char name[80] = "";
            if (!fm_metric_name(m, *k)) /* the first row names it */
                snprintf(name, sizeof name, "%s.%s", sc->seats[i].id, sc->seats[l].id);
            s_put(m, a, mt, k, "round_trip", name, fm_round_trip(m, i, l));
        }
    }
}

/* The metrics row: the chip and compute markets' figures here, then the economy's
 * (s_metrics_economy), then cash, revenue, profit and valuation of every company. Names and
 * order are fixed by the scenario, so every row of metrics.csv has the same columns
 * (docs/outputs.md lists them). */
static void s_metrics(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__Snapshot *snap)
{
    const fw_scenario_t *sc = m->sc;
    size_t n = 4 + m->n_seats + 2 * (size_t)m->n_families + 4 * (size_t)m->n_seats +
               s_metric_count_economy(m), k = 0;
    Flywheel__V1__Metric **mt = fw_arena_calloc(a, n, sizeof *mt);
    int64_t chip_revenue = 0, asic_units = 0, chip_compute = 0, asic_compute = 0;
    for (uint32_t f = 0; f < m->n_families; f++) {
        const fw_family_t *fam = &sc->families[f];
        int64_t compute = fm_compute_of(fam, m->family_units[f]);
        chip_revenue += m->family_revenue[f];
        chip_compute += compute;
        if (fam->captive_of >= 0) {
            asic_units += m->family_units[f];
            asic_compute += compute;
        }
    }
    s_put(m, a, mt, &k, "compute_sold", NULL, (double)m->compute_sold);
    s_put(m, a, mt, &k, "chips_sold", NULL, (double)m->chips_sold);
    /* Chips made for one cloud (TPU, Trainium): the custom-accelerator (ASIC) share of
     * the compute sold as chips this tick, in H100-equivalents (a chip weighs its
     * perf), and of the units (closest to a count of servers shipped). */
    s_put(m, a, mt, &k, "asic_share", NULL,
                        chip_compute > 0 ? (double)asic_compute / (double)chip_compute : 0.0);
    s_put(m, a, mt, &k, "asic_unit_share", NULL,
                        m->chips_sold > 0 ? (double)asic_units / (double)m->chips_sold : 0.0);
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (fm_sells_compute(m, s))
            s_put(m, a, mt, &k, "compute_share", sc->seats[s].id, m->compute_share[s]);
    for (uint32_t f = 0; f < m->n_families; f++)
        s_put(m, a, mt, &k, "installed_share", sc->families[f].id, m->installed_share[f]);
    for (uint32_t f = 0; f < m->n_families; f++)
        s_put(m, a, mt, &k, "chip_revenue_share", sc->families[f].id,
                            chip_revenue > 0 ? (double)m->family_revenue[f] / (double)chip_revenue
                                             : 0.0);
    s_metrics_economy(m, a, mt, &k);
    for (uint32_t s = 0; s < m->n_seats; s++)
        s_put(m, a, mt, &k, "cash", sc->seats[s].id, (double)fm_cash(m, s));
    for (uint32_t s = 0; s < m->n_seats; s++)
        s_put(m, a, mt, &k, "revenue", sc->seats[s].id, (double)m->seats[s].revenue_tick);
    for (uint32_t s = 0; s < m->n_seats; s++)
        s_put(m, a, mt, &k, "profit", sc->seats[s].id,
                            (double)(m->seats[s].revenue_tick - m->seats[s].cost_tick));
    for (uint32_t s = 0; s < m->n_seats; s++)
        s_put(m, a, mt, &k, "valuation", sc->seats[s].id, (double)m->seats[s].valuation);
    snap->metrics = mt;
    snap->n_metrics = k;
}

/* ---- the snapshot and the results ------------------------------------------------ */


void fw_observe_snapshot(const fw_market_t *m, fw_arena_t *a, uint32_t t,
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
    snap->n_families = sc->n_families;
    snap->families = fw_arena_calloc(a, sc->n_families ? sc->n_families : 1,
                                     sizeof *snap->families);
    for (size_t k = 0; k < sc->n_families; k++) {
        Flywheel__V1__ChipFamilyName *fn = fw_arena_calloc(a, 1, sizeof *fn);
        flywheel__v1__chip_family_name__init(fn);
        fn->id = (char *)sc->families[k].id;
        fn->name = (char *)sc->families[k].name;
        snap->families[k] = fn;
    }
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
        snap->flows[i] = s_compute_flow_wire(m, a, fw_vec_at(&m->compute_flows, i));
    }
    snap->n_chip_flows = m->chip_flows.n;
    snap->chip_flows = fw_arena_calloc(a, m->chip_flows.n, sizeof *snap->chip_flows);
    for (size_t i = 0; i < m->chip_flows.n; i++) {
        snap->chip_flows[i] = s_chip_flow_wire(m, a, fw_vec_at(&m->chip_flows, i));
    }
    s_snapshot_economy(m, a, snap);
    s_metrics(m, a, snap);
    snap->state_hash = s_state_hash(m);
}

Flywheel__V1__TickResult *fw_observe_result(const fw_market_t *m, fw_arena_t *a, uint32_t s,
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
        r->fills[i] = s_fill_wire(m, a, fw_vec_at(&rep->fills, i));
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

/* ---- views ------------------------------------------------------------------------ */

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

typedef struct {
    int64_t price;
    uint32_t index; /* in compute_quotes */
} s_ranked_t;

typedef struct {
    size_t rank, offer;
} s_listed_t;

static int s_by_rank(const void *a, const void *b)
{
    const s_listed_t *x = a, *y = b;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* The compute offers posted, in the order agents see them: by seat id, then family id
 * (quote_rank, fixed when the market opens). */
static size_t *s_posted_in_order(const fw_market_t *m, fw_arena_t *a)
{
    size_t n = m->posted.n;
    s_listed_t *v = fw_arena_calloc(a, n + 1, sizeof *v);
    size_t *out = fw_arena_calloc(a, n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        size_t offer = *(const size_t *)fw_vec_at(&m->posted, i);
        v[i] = (s_listed_t){m->quote_rank[offer], offer};
    }
    qsort(v, n, sizeof *v, s_by_rank);
    for (size_t i = 0; i < n; i++)
        out[i] = v[i].offer;
    return out;
}

static int s_by_price(const void *a, const void *b)
{
    const s_ranked_t *x = a, *y = b;
    if (x->price != y->price)
        return x->price < y->price ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* MarketView.compute_by_family: each family's quotes by price, then by their place in
 * compute_quotes (provider id): sorted here once a tick instead of by every lab. */
static void s_quote_groups(const fw_market_t *m, fw_arena_t *a, const size_t *listed,
                           Flywheel__V1__MarketView *mv)
{
    size_t nf = m->n_families, nq = mv->n_compute_quotes;
    size_t *count = fw_arena_calloc(a, nf + 1, sizeof *count);
    int *family = fw_arena_calloc(a, nq + 1, sizeof *family);
    s_ranked_t *ranked = fw_arena_calloc(a, nq + 1, sizeof *ranked);
    for (size_t q = 0; q < nq; q++)
        family[q] = (int)(listed[q] % nf);
    for (size_t q = 0; q < nq; q++)
        count[family[q] + 1]++;
    for (size_t f = 0; f < nf; f++)
        count[f + 1] += count[f]; /* count[f] = where family f starts */
    size_t *fill = fw_arena_calloc(a, nf, sizeof *fill);
    for (size_t q = 0; q < nq; q++) {
        size_t at = count[family[q]] + fill[family[q]]++;
        ranked[at] = (s_ranked_t){mv->compute_quotes[q]->price, (uint32_t)q};
    }
    mv->compute_by_family = fw_arena_calloc(a, nf, sizeof *mv->compute_by_family);
    for (size_t f = 0; f < nf; f++) {
        size_t len = count[f + 1] - count[f];
        if (len == 0)
            continue;
        qsort(ranked + count[f], len, sizeof *ranked, s_by_price);
        Flywheel__V1__QuoteGroup *g = fw_arena_calloc(a, 1, sizeof *g);
        flywheel__v1__quote_group__init(g);
        g->family = (char *)m->sc->families[f].id;
        g->n_quotes = len;
        g->quotes = fw_arena_calloc(a, len, sizeof *g->quotes);
        for (size_t i = 0; i < len; i++)
            g->quotes[i] = ranked[count[f] + i].index;
        mv->compute_by_family[mv->n_compute_by_family++] = g;
    }
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
    size_t offers = m->posted.n, *listed = s_posted_in_order(m, a);
    mv->compute_quotes = fw_arena_calloc(a, offers, sizeof *mv->compute_quotes);
    for (size_t k = 0; k < offers; k++) {
        size_t i = listed[k];
        const fw_offer_t *o = &m->compute_offers[i];
        Flywheel__V1__ComputeQuote *q = fw_arena_calloc(a, 1, sizeof *q);
        flywheel__v1__compute_quote__init(q);
        q->provider = (char *)sc->seats[i / m->n_families].id;
        q->family = (char *)sc->families[i % m->n_families].id;
        q->price = o->price;
        q->capacity = o->quantity;
        mv->compute_quotes[n++] = q;
    }
    mv->n_compute_quotes = n;
    s_quote_groups(m, a, listed, mv);
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

static void s_view_market_economy(const fw_market_t *m, fw_arena_t *a,
                                  Flywheel__V1__MarketView *mv)
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

static int s_by_index(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void s_view_seat_economy(const fw_market_t *m, uint32_t seat, fw_arena_t *a,
                                Flywheel__V1__SeatView *v)
{
    const fw_scenario_t *sc = m->sc;
    const fw_seat_state_t *st = &m->seats[seat];
    uint32_t t = m->tick + 1;
    v->valuation = st->valuation;
    v->base_revenue = st->base_tick;
    v->chip_spend_last = st->chip_spend_tick;
    if (sc->seats[seat].role == FW_ROLE_LAB) {
        /* The compute its customers would use this tick if its share held. */
        double want = fw_customers_want(m, seat, m->total_attract);
        double rpc = (double)(sc->seats[seat].revenue_per_compute > 0
                                  ? sc->seats[seat].revenue_per_compute : 1);
        v->demand = llround(want / rpc);
        v->capability = st->capability;
        v->faltering = st->faltering;
        /* One block for the lab's line per family: a view per lab per tick. */
        v->efficiency = fw_arena_calloc(a, m->n_families, sizeof *v->efficiency);
        Flywheel__V1__Share *eff = fw_arena_calloc(a, m->n_families, sizeof *eff);
        const Flywheel__V1__Share blank = FLYWHEEL__V1__SHARE__INIT;
        for (uint32_t f = 0; f < m->n_families; f++) {
            eff[f] = blank;
            eff[f].id = (char *)sc->families[f].id;
            eff[f].value = fm_skill(m, st, f) * m->maturity[f];
            v->efficiency[v->n_efficiency++] = &eff[f];
        }
        v->proposals = fw_arena_calloc(a, m->proposals.n, sizeof *v->proposals);
        for (size_t i = 0; i < m->proposals.n; i++) {
            const fw_proposal_t *p = fw_vec_at(&m->proposals, i);
            if (p->terms.lab != (int)seat || p->visible > t || t > p->expires)
                continue;
            Flywheel__V1__Proposal *w = fw_arena_calloc(a, 1, sizeof *w);
            flywheel__v1__proposal__init(w);
            w->id = p->id;
            w->investor = (char *)fm_id(m, p->terms.investor);
            w->lab = (char *)sc->seats[seat].id;
            w->terms = s_terms_wire(m, a, &p->terms);
            w->expires = p->expires;
            w->scheduled = p->scheduled;
            v->proposals[v->n_proposals++] = w;
        }
        /* Credits by cloud, in seat order: only the clouds it has deals with can
         * have granted any. */
        size_t n_refs = st->deal_refs.n, n_clouds = 0;
        uint32_t *clouds = fw_arena_calloc(a, n_refs + 1, sizeof *clouds);
        for (size_t i = 0; i < n_refs; i++) {
            const fw_deal_t *d = fm_deal_of(m, seat, i);
            if (d->terms.lab == (int)seat && fm_is(m, d->terms.investor, FW_ROLE_HYPERSCALER))
                clouds[n_clouds++] = (uint32_t)d->terms.investor;
        }
        qsort(clouds, n_clouds, sizeof *clouds, s_by_index);
        v->credits = fw_arena_calloc(a, n_clouds, sizeof *v->credits);
        for (size_t i = 0; i < n_clouds; i++) {
            if (i > 0 && clouds[i] == clouds[i - 1])
                continue;
            int64_t credit = fm_credits(m, seat, clouds[i]);
            if (credit > 0)
                v->credits[v->n_credits++] = s_credit_wire(m, a, seat, clouds[i], credit);
        }
    }
    v->deals = fw_arena_calloc(a, st->deal_refs.n, sizeof *v->deals);
    for (size_t i = 0; i < st->deal_refs.n; i++)
        v->deals[v->n_deals++] = s_deal_wire(m, a, fm_deal_of(m, seat, i));
    const fw_vec_t *labs = &st->holdings;
    v->stakes = fw_arena_calloc(a, labs->n, sizeof *v->stakes);
    for (size_t i = 0; i < labs->n; i++) {
        uint32_t lab = *(uint32_t *)fw_vec_at(labs, i);
        v->stakes[v->n_stakes++] = s_stake_wire(m, a, lab, fm_holding(m, lab, (int)seat));
    }
}

void fw_market_view_common(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__MarketView *out)
{
    s_view_market(m, a, out);
    s_view_market_economy(m, a, out);
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
        int64_t *in_service = fw_arena_calloc(a, m->n_families + 1, sizeof *in_service);
        for (size_t i = 0; i < st->lots.n; i++) { /* one pass, not one per family */
            const fw_lot_t *lot = fw_vec_at(&st->lots, i);
            if (lot->arrives <= t && t < lot->retires)
                in_service[lot->family] += lot->units;
        }
        for (uint32_t f = 0; f < m->n_families; f++) {
            const fw_family_t *fam = &sc->families[f];
            int64_t units = in_service[f];
            if (units > 0) {
                Flywheel__V1__Holding *h = s_holding(a, fam->id, units, fm_compute_of(fam, units), 0);
                const fw_offer_t *o = &m->compute_offers[(size_t)seat * m->n_families + f];
                h->sold = o->sold;
                h->asked = o->asked;
                v->installed[n_in++] = h;
            }
        }
        for (size_t i = 0; i < st->lots.n; i++) {
            const fw_lot_t *lot = fw_vec_at(&st->lots, i);
            const fw_family_t *fam = &sc->families[lot->family];
            if (lot->arrives > t)
                v->incoming[n_inc++] = s_holding(a, fam->id, lot->units,
                                                 fm_compute_of(fam, lot->units), lot->arrives);
        }
        v->n_installed = n_in;
        v->n_incoming = n_inc;
        v->equipment = fw_ledger_balance(m->ledger, fw_acc(seat, FW_ACC_EQUIPMENT));
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
            c->ordered = m->chip_offers[f].asked;
            v->capacity[n++] = c;
        }
        v->n_capacity = n;
    }
    s_view_seat_economy(m, seat, a, v);
}

/* ---- the Welcome ---------------------------------------------------------------- */

/* A seat's strategy parameters as "key=value;key=value", exact to the last bit. */
static char *s_params(fw_arena_t *a, const fw_seat_t *seat)
{
    char buf[2048];
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < seat->n_params && used < sizeof buf; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s=%.17g", i ? ";" : "",
                                 seat->params[i].key, seat->params[i].value);
    return fw_arena_strdup(a, buf);
}

void fw_market_welcome(const fw_market_t *m, uint32_t seat, uint64_t run_seed, fw_arena_t *a,
                       Flywheel__V1__Welcome *w)
{
    const fw_scenario_t *sc = m->sc;
    char month[16];

    flywheel__v1__welcome__init(w);
    w->seat = (char *)sc->seats[seat].id;
    w->role = (Flywheel__V1__Role)sc->seats[seat].role;
    w->seat_seed = fw_rng_seat_seed(run_seed, seat);
    w->ticks = m->ticks;
    w->scenario = (char *)sc->name;
    fw_scenario_month(sc, 1, month, sizeof month);
    w->start_month = fw_arena_strdup(a, month);
    w->params = s_params(a, &sc->seats[seat]);
    /* A hyperscaler that sells no compute is told so through its parameters, so the
     * strategy posts no offers (the market would refuse them). */
    if (sc->seats[seat].role == FW_ROLE_HYPERSCALER && !sc->seats[seat].sells_compute) {
        size_t len = strlen(w->params) + sizeof ";sells_compute=0";
        char *p = fw_arena_calloc(a, len, 1);
        snprintf(p, len, "%s%ssells_compute=0", w->params, w->params[0] ? ";" : "");
        w->params = p;
    }
    w->n_families = sc->n_families;
    w->families = fw_arena_calloc(a, sc->n_families, sizeof *w->families);
    for (size_t f = 0; f < sc->n_families; f++) {
        const fw_family_t *fam = &sc->families[f];
        Flywheel__V1__ChipFamily *cf = fw_arena_calloc(a, 1, sizeof *cf);
        flywheel__v1__chip_family__init(cf);
        cf->id = (char *)fam->id;
        cf->vendor = (char *)sc->seats[fam->vendor].id;
        cf->perf_milli = fam->perf_milli;
        cf->unit_cost = fam->unit_cost;
        cf->lead_time = fam->lead_time;
        cf->life = fam->life;
        cf->captive_of = fam->captive_of >= 0 ? (char *)sc->seats[fam->captive_of].id : "";
        cf->opening_price = fam->price;
        w->families[f] = cf;
    }
    w->n_seats = sc->n_seats;
    w->seats = fw_arena_calloc(a, sc->n_seats, sizeof *w->seats);
    for (size_t s = 0; s < sc->n_seats; s++) {
        Flywheel__V1__SeatInfo *si = fw_arena_calloc(a, 1, sizeof *si);
        flywheel__v1__seat_info__init(si);
        si->id = (char *)sc->seats[s].id;
        si->name = (char *)sc->seats[s].name;
        si->role = (Flywheel__V1__Role)sc->seats[s].role;
        w->seats[s] = si;
    }
}
