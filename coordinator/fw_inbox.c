/* fw_inbox: see fw_inbox.h. */
#include "fw_inbox.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct fw_inbox {
    uint32_t n_seats;      /* slots */
    uint32_t tick;         /* the open tick (0 = none yet) */
    size_t count;          /* filled slots */
    fw_envelope_t **slot;  /* per seat: owned envelope or NULL */
    unsigned char *copied; /* per seat: the slot's envelope lives in `copies` */
    fw_arena_t *copies;    /* deep copies (fw_inbox_put_copy), until the next open */
};

fw_inbox_t *fw_inbox_new(uint32_t n_seats)
{
    fw_inbox_t *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    in->n_seats = n_seats;
    in->slot = calloc(n_seats ? n_seats : 1, sizeof *in->slot);
    in->copied = calloc(n_seats ? n_seats : 1, sizeof *in->copied);
    in->copies = fw_arena_new();
    if (!in->slot || !in->copied || !in->copies)
        fw_inbox_destroy(&in);
    return in;
}

static void s_clear(fw_inbox_t *in)
{
    for (uint32_t s = 0; s < in->n_seats; s++) {
        if (in->copied && in->copied[s])
            in->slot[s] = NULL; /* the arena's, reset below */
        else
            fw_proto_free(&in->slot[s]);
        if (in->copied)
            in->copied[s] = 0;
    }
    if (in->copies)
        fw_arena_reset(in->copies);
    in->count = 0;
}

void fw_inbox_destroy(fw_inbox_t **p)
{
    if (!p || !*p)
        return;
    if ((*p)->slot)
        s_clear(*p);
    free((*p)->slot);
    free((*p)->copied);
    fw_arena_destroy(&(*p)->copies);
    free(*p);
    *p = NULL;
}

void fw_inbox_open(fw_inbox_t *in, uint32_t tick)
{
    s_clear(in);
    in->tick = tick;
}

static fw_inbox_status_t s_check(const fw_inbox_t *in, uint32_t seat, const fw_envelope_t *env)
{
    assert(seat < in->n_seats);
    if (env->body_case != FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS || !env->actions)
        return FW_INBOX_NOT_ACTIONS;
    if (env->tick < in->tick)
        return FW_INBOX_LATE;
    if (env->tick > in->tick)
        return FW_INBOX_EARLY;
    if (in->slot[seat])
        return FW_INBOX_DUPLICATE;
    return FW_INBOX_ACCEPTED;
}

fw_inbox_status_t fw_inbox_put(fw_inbox_t *in, uint32_t seat, fw_envelope_t **env)
{
    fw_inbox_status_t st = s_check(in, seat, *env);
    if (st != FW_INBOX_ACCEPTED)
        return st;
    in->slot[seat] = *env;
    *env = NULL;
    in->count++;
    return FW_INBOX_ACCEPTED;
}

/* ---- deep copies ------------------------------------------------------------ */

static char *s_str(fw_arena_t *a, const char *s)
{
    return s ? fw_arena_strdup(a, s) : NULL;
}

/* Fields this build does not know: a house bot's own message has none. */
static void s_no_unknown(ProtobufCMessage *m)
{
    m->n_unknown_fields = 0;
    m->unknown_fields = NULL;
}

/* n items of a message type: each struct copied, then its strings by `fix`. */
#define S_COPY_LIST(a, dst, src, n, fix)                                                  \
    do {                                                                                  \
        (dst) = (n) ? fw_arena_calloc((a), (n), sizeof *(dst)) : NULL;                     \
        for (size_t i_ = 0; i_ < (n); i_++) {                                             \
            (dst)[i_] = fw_arena_calloc((a), 1, sizeof *(dst)[i_]);                        \
            *(dst)[i_] = *(src)[i_];                                                      \
            s_no_unknown(&(dst)[i_]->base);                                               \
            fix((a), (dst)[i_]);                                                          \
        }                                                                                 \
    } while (0)

static void s_fix_chip_offer(fw_arena_t *a, Flywheel__V1__ChipOffer *o) { o->family = s_str(a, o->family); }
static void s_fix_chip_order(fw_arena_t *a, Flywheel__V1__ChipOrder *o) { o->family = s_str(a, o->family); }
static void s_fix_compute_offer(fw_arena_t *a, Flywheel__V1__ComputeOffer *o) { o->family = s_str(a, o->family); }
static void s_fix_answer(fw_arena_t *a, Flywheel__V1__ProposalAnswer *o) { (void)a; (void)o; }

static void s_fix_compute_bid(fw_arena_t *a, Flywheel__V1__ComputeBid *o)
{
    o->provider = s_str(a, o->provider);
    o->family = s_str(a, o->family);
}

static void s_fix_proposal(fw_arena_t *a, Flywheel__V1__InvestmentProposal *o)
{
    o->lab = s_str(a, o->lab);
    if (o->terms) {
        Flywheel__V1__InvestmentTerms *t = fw_arena_calloc(a, 1, sizeof *t);
        *t = *o->terms;
        s_no_unknown(&t->base);
        t->chip_family = s_str(a, t->chip_family);
        o->terms = t;
    }
}

fw_inbox_status_t fw_inbox_put_copy(fw_inbox_t *in, uint32_t seat, const fw_envelope_t *env)
{
    fw_inbox_status_t st = s_check(in, seat, env);
    if (st != FW_INBOX_ACCEPTED)
        return st;
    fw_arena_t *a = in->copies;
    const Flywheel__V1__Actions *src = env->actions;
    fw_envelope_t *e = fw_arena_calloc(a, 1, sizeof *e);
    Flywheel__V1__Actions *act = fw_arena_calloc(a, 1, sizeof *act);
    *e = *env;
    s_no_unknown(&e->base);
    e->run_id = s_str(a, env->run_id);
    e->seat = s_str(a, env->seat);
    *act = *src;
    s_no_unknown(&act->base);
    S_COPY_LIST(a, act->chip_offers, src->chip_offers, src->n_chip_offers, s_fix_chip_offer);
    S_COPY_LIST(a, act->chip_orders, src->chip_orders, src->n_chip_orders, s_fix_chip_order);
    S_COPY_LIST(a, act->compute_offers, src->compute_offers, src->n_compute_offers,
                s_fix_compute_offer);
    S_COPY_LIST(a, act->compute_bids, src->compute_bids, src->n_compute_bids, s_fix_compute_bid);
    S_COPY_LIST(a, act->proposals, src->proposals, src->n_proposals, s_fix_proposal);
    S_COPY_LIST(a, act->answers, src->answers, src->n_answers, s_fix_answer);
    e->actions = act;
    in->slot[seat] = e;
    in->copied[seat] = 1;
    in->count++;
    return FW_INBOX_ACCEPTED;
}

size_t fw_inbox_count(const fw_inbox_t *in)
{
    return in->count;
}

/* The entries of one message's lists (its top level: Actions' lists hold entries
 * whose own lists are bounded by the validator), read from its descriptor so that a
 * list added to Actions is counted too. */
static size_t s_list_entries(const ProtobufCMessage *m)
{
    size_t n = 0;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->label == PROTOBUF_C_LABEL_REPEATED)
            n += *(const size_t *)((const char *)m + f->quantifier_offset);
    }
    return n;
}

size_t fw_inbox_entries(const fw_inbox_t *in)
{
    size_t n = 0;
    for (uint32_t s = 0; s < in->n_seats; s++)
        if (in->slot[s] && in->slot[s]->body_case == FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS &&
            in->slot[s]->actions)
            n += s_list_entries(&in->slot[s]->actions->base);
    return n;
}

int fw_inbox_has(const fw_inbox_t *in, uint32_t seat)
{
    return seat < in->n_seats && in->slot[seat] != NULL;
}

const fw_envelope_t *fw_inbox_envelope(const fw_inbox_t *in, uint32_t seat)
{
    return seat < in->n_seats ? in->slot[seat] : NULL;
}

void fw_inbox_actions(const fw_inbox_t *in, Flywheel__V1__Actions **out)
{
    for (uint32_t s = 0; s < in->n_seats; s++)
        out[s] = in->slot[s] ? in->slot[s]->actions : NULL;
}

const char *fw_inbox_strstatus(fw_inbox_status_t st)
{
    switch (st) {
    case FW_INBOX_ACCEPTED: return "accepted";
    case FW_INBOX_LATE: return "late: that tick is already cleared";
    case FW_INBOX_EARLY: return "early: that tick has not started";
    case FW_INBOX_DUPLICATE: return "duplicate: this seat already acted in this tick";
    case FW_INBOX_NOT_ACTIONS: return "not an Actions message";
    }
    return "unknown";
}
