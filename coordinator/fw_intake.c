/* fw_intake: see fw_intake.h. */
#include "fw_intake.h"

#include <string.h>

#include <xxhash.h>

static size_t s_slot(const fw_name_index_t *ix, const char *id)
{
    return (size_t)XXH3_64bits(id, strlen(id)) & ix->mask;
}

/* Indexes n ids (ids[i] at stride bytes from each other). Ids are unique (the loader
 * refuses duplicates), so each finds its own slot. */
static int s_index(fw_name_index_t *ix, const char *first, size_t stride, size_t n)
{
    size_t slots = 8;
    while (slots < 2 * n)
        slots *= 2;
    ix->ids = calloc(slots, sizeof *ix->ids);
    ix->index = calloc(slots, sizeof *ix->index);
    if (!ix->ids || !ix->index)
        return -1;
    ix->mask = slots - 1;
    for (size_t i = 0; i < n; i++) {
        const char *id = first + i * stride;
        size_t k = s_slot(ix, id);
        while (ix->ids[k])
            k = (k + 1) & ix->mask;
        ix->ids[k] = id;
        ix->index[k] = (int)i;
    }
    return 0;
}

static int s_lookup(const fw_name_index_t *ix, const char *id)
{
    if (!id || !ix->ids)
        return -1;
    for (size_t k = s_slot(ix, id); ix->ids[k]; k = (k + 1) & ix->mask)
        if (strcmp(id, ix->ids[k]) == 0)
            return ix->index[k];
    return -1;
}

int fw_intake_open(fw_market_t *m)
{
    const fw_scenario_t *sc = m->sc;
    if (s_index(&m->seat_names, sc->n_seats ? sc->seats[0].id : NULL, sizeof sc->seats[0],
                sc->n_seats) != 0 ||
        s_index(&m->family_names, sc->n_families ? sc->families[0].id : NULL,
                sizeof sc->families[0], sc->n_families) != 0)
        return -1;
    return 0;
}

int fw_intake_seat(const fw_market_t *m, const char *id)
{
    return s_lookup(&m->seat_names, id);
}

int fw_intake_family(const fw_market_t *m, const char *id)
{
    return s_lookup(&m->family_names, id);
}

static void s_proposal(const fw_market_t *m, uint32_t investor,
                       const Flywheel__V1__InvestmentProposal *w, fw_proposal_in_t *p)
{
    const Flywheel__V1__InvestmentTerms *t = w->terms;
    fw_terms_t *T = &p->terms;
    p->lab = fw_intake_seat(m, w->lab);
    p->has_terms = t != NULL;
    T->investor = (int)investor;
    T->lab = p->lab;
    T->chip_family = -1;
    if (!t)
        return;
    p->family_named = t->chip_family && t->chip_family[0];
    T->amount = t->amount;
    T->credit_fraction = t->credit_fraction;
    T->valuation = t->valuation;
    T->min_cloud_share = t->min_cloud_share;
    T->chip_family = p->family_named ? fw_intake_family(m, t->chip_family) : -1;
    T->min_chip_share = t->min_chip_share;
    T->exclusive = t->exclusive;
    T->duration = t->duration;
    T->penalty = t->penalty;
    T->min_spend = t->min_spend;
    T->credit_fraction_slack = t->credit_fraction_slack;
    T->cloud_share_slack = t->cloud_share_slack;
    T->chip_share_slack = t->chip_share_slack;
}

static void s_seat(const fw_market_t *m, uint32_t s, const Flywheel__V1__Actions *a,
                   fw_arena_t *arena, fw_orders_t *o)
{
    o->present = 1;
    o->n_chip_offers = a->n_chip_offers;
    o->chip_offers = fw_arena_calloc(arena, a->n_chip_offers, sizeof *o->chip_offers);
    for (size_t i = 0; i < a->n_chip_offers; i++) {
        const Flywheel__V1__ChipOffer *w = a->chip_offers[i];
        o->chip_offers[i] = (fw_chip_offer_in_t){fw_intake_family(m, w->family), w->family,
                                                 w->price, w->quantity};
    }
    o->n_chip_orders = a->n_chip_orders;
    o->chip_orders = fw_arena_calloc(arena, a->n_chip_orders, sizeof *o->chip_orders);
    for (size_t i = 0; i < a->n_chip_orders; i++) {
        const Flywheel__V1__ChipOrder *w = a->chip_orders[i];
        o->chip_orders[i] = (fw_chip_order_in_t){fw_intake_family(m, w->family), w->family,
                                                 w->quantity, w->max_price};
    }
    o->n_compute_offers = a->n_compute_offers;
    o->compute_offers = fw_arena_calloc(arena, a->n_compute_offers, sizeof *o->compute_offers);
    for (size_t i = 0; i < a->n_compute_offers; i++) {
        const Flywheel__V1__ComputeOffer *w = a->compute_offers[i];
        o->compute_offers[i] = (fw_compute_offer_in_t){fw_intake_family(m, w->family),
                                                       w->family, w->price, w->capacity};
    }
    o->n_compute_bids = a->n_compute_bids;
    o->compute_bids = fw_arena_calloc(arena, a->n_compute_bids, sizeof *o->compute_bids);
    for (size_t i = 0; i < a->n_compute_bids; i++) {
        const Flywheel__V1__ComputeBid *w = a->compute_bids[i];
        o->compute_bids[i] = (fw_compute_bid_in_t){fw_intake_seat(m, w->provider),
                                                   fw_intake_family(m, w->family), w->provider,
                                                   w->family, w->quantity, w->max_price};
    }
    o->n_proposals = a->n_proposals;
    o->proposals = fw_arena_calloc(arena, a->n_proposals, sizeof *o->proposals);
    for (size_t i = 0; i < a->n_proposals; i++)
        s_proposal(m, s, a->proposals[i], &o->proposals[i]);
    o->n_answers = a->n_answers;
    o->answers = fw_arena_calloc(arena, a->n_answers, sizeof *o->answers);
    for (size_t i = 0; i < a->n_answers; i++)
        o->answers[i] = (fw_answer_in_t){a->answers[i]->proposal_id, a->answers[i]->accept,
                                         a->answers[i]->counter, a->answers[i]->credit_fraction,
                                         a->answers[i]->min_cloud_share,
                                         a->answers[i]->min_chip_share};
}

fw_orders_t *fw_intake_orders(const fw_market_t *m, Flywheel__V1__Actions *const *actions,
                              fw_arena_t *a)
{
    fw_orders_t *orders = fw_arena_calloc(a, m->n_seats, sizeof *orders);
    for (uint32_t s = 0; s < m->n_seats; s++)
        if (actions[s])
            s_seat(m, s, actions[s], a, &orders[s]);
    return orders;
}
