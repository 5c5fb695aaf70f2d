/* The "lab" strategy: an AI lab answers the investors, then buys the compute it can
 * afford at the best price, subject to the stipulations of its deals.
 *
 * Proposals: accepted unless they clash with the exclusive terms of a deal in force,
 * or offer a valuation below accept_floor x the lab's own (a compute commitment with
 * no money, amount 0, is taken when it does not clash).
 *
 * Compute: the lab wants me.demand to serve its customers plus train_ratio x that to
 * train the next model, as far as its budget goes: last tick's revenue plus its cash
 * spread over `runway` ticks (plus its credits, which can only be spent on the cloud
 * that granted them). Quotes are ranked by
 * effective price: price over the lab's efficiency on the chip family, those on clouds
 * where it holds credits first (they are already paid for). It buys in three passes:
 *   1. each cloud a deal asks a share of spend for (exclusive: all of it) gets that
 *      share of the target, plus a safety margin, on the mandated chip families first
 *      where that cloud has them (deals asking for more than all are scaled down);
 *   2. each mandated chip family gets its share of the target, plus the margin,
 *      counting what the first pass bought;
 *   3. the rest goes to the cheapest effective quotes, counting on a fair share
 *      (capacity / number of labs) of each, since other labs bid for them too.
 * An exclusive deal rules out every other cloud. Quotes above max_price are skipped:
 * the lab would rather lose revenue than serve it at a loss.
 *
 * No name decides: quotes of equal effective price are bought as one pool, split pro
 * rata to what each offers (s_bid_tie), and the bids are fitted to the lab's cash so
 * that the coordinator, which takes them in list order, never trims one (s_fit_cash).
 * The view lists quotes by provider id; that order is used to find a provider's
 * quotes and to walk ties, never to break them (docs/model.md, "Ties").
 *
 * Parameters: max_price 2600, runway 12, bid_premium 0.1, train_ratio 1.0,
 * accept_floor 0.5, margin 0.05.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fw_invest.h"
#include "fw_strategy.h"

/* A quote as the lab plans on it. Quotes are known by their index in
 * MarketView.compute_quotes; the plan keeps state only for the quotes it visits, so a
 * lab's turn costs what it buys, not what the whole market offers. */
typedef struct {
    uint32_t index;     /* in compute_quotes */
    int group;          /* its family's run, -1 if none */
    bool credit;        /* the lab holds credits on its provider */
    double effective;   /* price per unit of useful compute (credit quotes come before
                         * every other, and among themselves by it too) */
    int64_t taken;      /* bid so far */
} s_quote_t;

/* The quotes of one chip family, cheapest first (equal prices in the view's order). */
typedef struct {
    const char *family;
    const uint32_t *quotes; /* indices into compute_quotes */
    size_t n;
    size_t next;            /* the merge's cursor */
    double efficiency;      /* of the lab on this family */
    double head_effective;  /* the cursor's quote's effective price and rank, kept for */
    uint32_t head_rank;     /* the heap's comparisons */
} s_group_t;

typedef struct {
    const fw_strategy_ctx_t *ctx;
    const Flywheel__V1__TickStart *obs;
    const Flywheel__V1__MarketView *m;
    fw_arena_t *arena;
    /* every quote */
    size_t n_all;
    uint32_t *rank;        /* the view's order (provider id, family id), to find runs
                            * and walk ties in; NULL when the quotes come in that order
                            * (rank = index) */
    uint32_t *by_rank;     /* indices in name order (a provider's quotes are a run);
                            * NULL likewise */
    uint32_t *slot_key;    /* open addressing: index + 1 of a visited quote, 0 = empty */
    uint32_t *slot_at;     /* its position in `quotes` */
    size_t cap_slots;      /* a power of two, at least twice the visited quotes */
    s_quote_t *quotes;     /* the visited quotes */
    size_t n_quotes, cap_quotes;
    s_group_t *groups;
    size_t n_groups;
    /* the global order, cheapest effective first, produced as far as it is read */
    uint32_t *seq;
    size_t n_seq, cap_seq;
    uint32_t *credit_run;  /* credit quotes, cheapest effective first: the order's head */
    size_t n_credit_run, credit_next;
    uint32_t *heap;        /* groups by their next quote */
    size_t n_heap;
    /* bids, with the quote each was made on */
    uint32_t *bid_quote;
    size_t cap_bids;
    double budget;         /* cash left to commit */
    int64_t labs;          /* labs in the scenario */
    double premium, max_price;
    const char *exclusive; /* the only cloud allowed, or NULL */
} s_plan_t;

/* Room for one more item in an arena array holding n (of *cap): twice as much when it
 * is full (the old array stays in the arena, freed with the turn). */
static void *s_room(fw_arena_t *a, void *items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return items;
    size_t more = *cap ? 2 * *cap : 32;
    void *v = fw_arena_calloc(a, more, size);
    if (n)
        memcpy(v, items, n * size);
    *cap = more;
    return v;
}

static bool s_same(const char *a, const char *b)
{
    return a == b || strcmp(a, b) == 0; /* in-process bots share the scenario's strings */
}

static const Flywheel__V1__ComputeQuote *s_q(const s_plan_t *p, uint32_t i)
{
    return p->m->compute_quotes[i];
}

static uint32_t s_rank(const s_plan_t *p, uint32_t i)
{
    return p->rank ? p->rank[i] : i;
}

static uint32_t s_by_rank(const s_plan_t *p, size_t k)
{
    return p->by_rank ? p->by_rank[k] : (uint32_t)k;
}

/* Whether the lab would buy from quote i at all (an index past the list, which only a
 * broken view could send in compute_by_family, names no quote). */
static bool s_ok(const s_plan_t *p, uint32_t i)
{
    if (i >= p->n_all)
        return false;
    const Flywheel__V1__ComputeQuote *q = s_q(p, i);
    return q->price > 0 && q->capacity > 0 && (double)q->price <= p->max_price;
}

/* Deals in force for this lab at this tick that still bind it. */
static bool s_binding(const Flywheel__V1__Deal *d, const char *lab, uint32_t tick)
{
    return strcmp(d->lab, lab) == 0 && !d->breached && tick <= d->ends_tick && d->terms;
}

/* The lab's efficiency on `family` from its view (1.0, face value, if none). */
static double s_efficiency(const Flywheel__V1__SeatView *me, const char *family)
{
    for (size_t i = 0; i < me->n_efficiency; i++)
        if (s_same(me->efficiency[i]->id, family))
            return me->efficiency[i]->value > 0 ? me->efficiency[i]->value : 1.0;
    return 1.0;
}

/* The run of quote i's family, -1 if none (a scan of the families: the few quotes
 * met outside the merge, such as a cloud's own, need it). */
static int s_group_scan(const s_plan_t *p, uint32_t i)
{
    /* Same string first (in-process bots share the scenario's), then same text. The
     * runs are one per family, so the first match is the only one. */
    const char *family = s_q(p, i)->family;
    for (size_t g = 0; g < p->n_groups; g++)
        if (p->groups[g].family == family)
            return (int)g;
    for (size_t g = 0; g < p->n_groups; g++)
        if (strcmp(p->groups[g].family, family) == 0)
            return (int)g;
    return -1;
}

/* Whether the lab holds credits on quote i's cloud (its view's first line for it). */
static bool s_is_credit(const s_plan_t *p, uint32_t i)
{
    const Flywheel__V1__SeatView *me = p->obs->me;
    const char *cloud = s_q(p, i)->provider;
    size_t hit = me->n_credits;
    for (size_t c = 0; c < me->n_credits && hit == me->n_credits; c++)
        if (me->credits[c]->cloud == cloud)
            hit = c;
    for (size_t c = 0; c < hit; c++)
        if (strcmp(me->credits[c]->cloud, cloud) == 0)
            return me->credits[c]->amount > 0;
    return hit < me->n_credits && me->credits[hit]->amount > 0;
}

static size_t s_hash(uint32_t i, size_t cap)
{
    return (size_t)(i * 2654435761u) & (cap - 1);
}

/* Where quote i's state is in `quotes`, or -1 if it has none yet. */
static long s_find(const s_plan_t *p, uint32_t i)
{
    if (!p->cap_slots)
        return -1;
    for (size_t h = s_hash(i, p->cap_slots);; h = (h + 1) & (p->cap_slots - 1)) {
        if (p->slot_key[h] == 0)
            return -1;
        if (p->slot_key[h] == i + 1)
            return (long)p->slot_at[h];
    }
}

static void s_slot_put(s_plan_t *p, uint32_t i, uint32_t at)
{
    size_t h = s_hash(i, p->cap_slots);
    while (p->slot_key[h] != 0)
        h = (h + 1) & (p->cap_slots - 1);
    p->slot_key[h] = i + 1;
    p->slot_at[h] = at;
}

/* The plan's state of quote i, made on first visit; g is its family's run if known,
 * else -1. */
static s_quote_t *s_visit_in(s_plan_t *p, uint32_t i, int g)
{
    long at = s_find(p, i);
    if (at >= 0)
        return &p->quotes[at];
    if (2 * (p->n_quotes + 1) > p->cap_slots) { /* keep the table at most half full */
        size_t cap = p->cap_slots ? 2 * p->cap_slots : 64;
        p->slot_key = fw_arena_calloc(p->arena, cap, sizeof *p->slot_key);
        p->slot_at = fw_arena_calloc(p->arena, cap, sizeof *p->slot_at);
        p->cap_slots = cap;
        for (size_t k = 0; k < p->n_quotes; k++)
            s_slot_put(p, p->quotes[k].index, (uint32_t)k);
    }
    p->quotes = s_room(p->arena, p->quotes, p->n_quotes, &p->cap_quotes, sizeof *p->quotes);
    s_quote_t *sq = &p->quotes[p->n_quotes];
    s_slot_put(p, i, (uint32_t)p->n_quotes++);
    sq->index = i;
    sq->credit = s_is_credit(p, i);
    sq->group = g >= 0 ? g : s_group_scan(p, i);
    double eff = sq->group >= 0 ? p->groups[sq->group].efficiency
                                : s_efficiency(p->obs->me, s_q(p, i)->family);
    sq->effective = (double)s_q(p, i)->price / eff;
    return sq;
}

static s_quote_t *s_visit(s_plan_t *p, uint32_t i)
{
    return s_visit_in(p, i, -1);
}

/* Whether two quotes tie in the lab's preference: quotes paid for with credits come
 * first (already paid for), each kind by effective price. Names must not break a tie. */
static bool s_tied(const s_quote_t *a, const s_quote_t *b)
{
    return a->credit == b->credit && a->effective == b->effective;
}

/* ---- the global order, merged from the families' runs as far as it is read ------ */

/* Moves group g's cursor to its next quote the merge takes (ok, no credits: credit
 * quotes come first, in credit_run); returns whether it has one. */
static bool s_group_head(s_plan_t *p, size_t g)
{
    s_group_t *gr = &p->groups[g];
    /* No state is made for a head: most families' heads are never bought from. */
    while (gr->next < gr->n &&
           (!s_ok(p, gr->quotes[gr->next]) || s_is_credit(p, gr->quotes[gr->next])))
        gr->next++;
    if (gr->next == gr->n)
        return false;
    gr->head_effective = (double)s_q(p, gr->quotes[gr->next])->price / gr->efficiency;
    gr->head_rank = s_rank(p, gr->quotes[gr->next]);
    return true;
}

static bool s_heap_less(s_plan_t *p, size_t a, size_t b)
{
    const s_group_t *x = &p->groups[p->heap[a]], *y = &p->groups[p->heap[b]];
    /* Cheaper effective price first; equal ones in the view's order, which decides
     * nothing: a tie is bought as one (s_tie_end). */
    if (x->head_effective != y->head_effective)
        return x->head_effective < y->head_effective;
    return x->head_rank < y->head_rank;
}

static void s_heap_down(s_plan_t *p, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, best = i;
        if (l < p->n_heap && s_heap_less(p, l, best))
            best = l;
        if (r < p->n_heap && s_heap_less(p, r, best))
            best = r;
        if (best == i)
            return;
        uint32_t t = p->heap[i];
        p->heap[i] = p->heap[best];
        p->heap[best] = t;
        i = best;
    }
}

/* The next quote of the global order, or false when there is none. */
static bool s_next(s_plan_t *p, uint32_t *out)
{
    if (p->credit_next < p->n_credit_run) {
        *out = p->credit_run[p->credit_next++];
        return true;
    }
    if (p->n_heap == 0)
        return false;
    s_group_t *gr = &p->groups[p->heap[0]];
    *out = gr->quotes[gr->next++];
    if (!s_group_head(p, p->heap[0]))
        p->heap[0] = p->heap[--p->n_heap];
    s_heap_down(p, 0);
    return true;
}

/* The k-th quote of the global order, or false past its end. */
static bool s_at(s_plan_t *p, size_t k, uint32_t *out)
{
    while (p->n_seq <= k) {
        uint32_t i;
        if (!s_next(p, &i))
            return false;
        p->seq = s_room(p->arena, p->seq, p->n_seq, &p->cap_seq, sizeof *p->seq);
        p->seq[p->n_seq++] = i;
    }
    *out = p->seq[k];
    return true;
}

/* ---- runs of one provider or one family ------------------------------------------ */

/* The run of `provider`'s quotes in name order: by_rank[*first .. *last). */
static void s_provider_run(const s_plan_t *p, const char *provider, size_t *first, size_t *last)
{
    size_t lo = 0, hi = p->n_all;
    while (lo < hi) { /* the first whose provider is not below */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(s_q(p, s_by_rank(p, mid))->provider, provider) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    while (lo < p->n_all && s_same(s_q(p, s_by_rank(p, lo))->provider, provider))
        lo++;
    *last = lo;
}

/* The quotes that pass the filters (provider and family may be NULL), in the global
 * order, into out[] (arena); returns how many. A provider's quotes are few: they are
 * sorted here; a family's come from its run, credit quotes first. */
static size_t s_matching(s_plan_t *p, const char *cloud, const char *family, uint32_t **out)
{
    size_t n = 0;
    if (cloud) {
        size_t first, last;
        s_provider_run(p, cloud, &first, &last);
        uint32_t *v = fw_arena_calloc(p->arena, last - first + 1, sizeof *v);
        double *eff = fw_arena_calloc(p->arena, last - first + 1, sizeof *eff);
        for (size_t k = first; k < last; k++) {
            uint32_t i = s_by_rank(p, k);
            if (!s_ok(p, i) || (family && !s_same(s_q(p, i)->family, family)))
                continue;
            double e = s_visit(p, i)->effective;
            /* Insertion sort by effective price (a cloud has a few families; its quotes
             * are all on credits or none is); ties stay in view order and are bought
             * as one (s_tie_end). */
            size_t at = n++;
            while (at > 0 && e < eff[at - 1]) {
                v[at] = v[at - 1];
                eff[at] = eff[at - 1];
                at--;
            }
            v[at] = i;
            eff[at] = e;
        }
        *out = v;
        return n;
    }
    int g = -1;
    for (size_t k = 0; k < p->n_groups && g < 0; k++)
        if (s_same(p->groups[k].family, family))
            g = (int)k;
    if (g < 0) {
        *out = NULL;
        return 0;
    }
    const s_group_t *gr = &p->groups[g];
    uint32_t *v = fw_arena_calloc(p->arena, gr->n + 1, sizeof *v);
    for (size_t c = 0; c < p->n_credit_run; c++)
        if (s_same(s_q(p, p->credit_run[c])->family, family))
            v[n++] = p->credit_run[c];
    for (size_t k = 0; k < gr->n; k++)
        if (s_ok(p, gr->quotes[k]) && !s_visit_in(p, gr->quotes[k], g)->credit)
            v[n++] = gr->quotes[k];
    *out = v;
    return n;
}

/* Bids up to `want` on quote i (at most its capacity unless `beyond`: a stipulation
 * is best asked for in full, even past what the cloud offers); returns the quantity
 * bid. The budget is applied at the end, to all bids at once (s_fit_budget). */
static int64_t s_bid(s_plan_t *p, uint32_t i, int64_t want, bool beyond,
                     Flywheel__V1__Actions *out)
{
    s_quote_t *sq = s_visit(p, i);
    const Flywheel__V1__ComputeQuote *q = s_q(p, i);
    int64_t room = beyond ? want : q->capacity - sq->taken;
    if (want > room)
        want = room;
    if (want <= 0)
        return 0;
    int64_t price = fw_strategy_round(fmin(floor(p->max_price),
                                           floor((double)q->price * (1.0 + p->premium))));
    if (price < q->price)
        price = q->price;
    sq->taken += want;
    p->bid_quote = s_room(p->arena, p->bid_quote, out->n_compute_bids, &p->cap_bids,
                          sizeof *p->bid_quote);
    p->bid_quote[out->n_compute_bids] = i;
    fw_actions_add_compute_bid(out, p->arena, q->provider, q->family, want, price);
    return want;
}

/* Scales every bid down so that what they cost at the quotes, less the credits the
 * lab holds on each cloud, fits the budget: the shares between clouds and chips that
 * the deals ask for are kept. */
static void s_fit_budget(const s_plan_t *p, Flywheel__V1__Actions *out)
{
    const Flywheel__V1__SeatView *me = p->obs->me;
    double cost = 0, credits = 0;
    for (size_t i = 0; i < out->n_compute_bids; i++)
        cost += (double)out->compute_bids[i]->quantity * (double)s_q(p, p->bid_quote[i])->price;
    for (size_t i = 0; i < me->n_credits; i++)
        credits += (double)me->credits[i]->amount;
    double cash_part = cost - credits;
    if (cash_part <= p->budget || cost <= 0)
        return;
    double factor = (p->budget + credits) / cost;
    for (size_t i = 0; i < out->n_compute_bids; i++)
        out->compute_bids[i]->quantity =
            fw_strategy_round(floor((double)out->compute_bids[i]->quantity * factor));
    /* Drop the bids that fell to nothing: the coordinator refuses quantity 0. */
    size_t keep = 0;
    for (size_t i = 0; i < out->n_compute_bids; i++)
        if (out->compute_bids[i]->quantity > 0)
            out->compute_bids[keep++] = out->compute_bids[i];
    out->n_compute_bids = keep;
}

/* Scales every bid down, if need be, so that the lab can pay for all of them at their
 * max_price with its cash and, on each cloud, its credits there: the coordinator takes
 * a seat's bids in the order listed and trims one it cannot pay for, and that order
 * (among quotes of equal price, the order of their names) must not decide anything.
 * s_fit_budget counts the credits as one pot and the bids at the quotes' prices, so
 * this only binds for a lab spending about all its cash. */
static void s_fit_cash(const s_plan_t *p, Flywheel__V1__Actions *out)
{
    const Flywheel__V1__SeatView *me = p->obs->me;
    double *on_cloud = fw_arena_calloc(p->arena, me->n_credits + 1, sizeof *on_cloud);
    double other = 0, need = 0;
    for (size_t b = 0; b < out->n_compute_bids; b++) {
        const Flywheel__V1__ComputeBid *bid = out->compute_bids[b];
        double cost = (double)bid->quantity * (double)bid->max_price;
        size_t c = 0;
        while (c < me->n_credits && !s_same(me->credits[c]->cloud, bid->provider))
            c++;
        if (c < me->n_credits)
            on_cloud[c] += cost;
        else
            other += cost;
    }
    need = other;
    for (size_t c = 0; c < me->n_credits; c++) /* a cloud's first line holds its credits */
        need += fmax(0.0, on_cloud[c] - (double)me->credits[c]->amount);
    double cash = me->cash > 0 ? (double)me->cash : 0.0;
    if (need <= cash)
        return;
    /* Scaling every bid by f scales each cloud's need by at most f (the credits stay). */
    double factor = cash / need;
    size_t keep = 0;
    for (size_t b = 0; b < out->n_compute_bids; b++) {
        Flywheel__V1__ComputeBid *bid = out->compute_bids[b];
        bid->quantity = fw_strategy_round(floor((double)bid->quantity * factor));
        if (bid->quantity > 0)
            out->compute_bids[keep++] = bid;
    }
    out->n_compute_bids = keep;
}

/* The k-th quote of the order s_buy walks: list[k] (n of them) when the filters made
 * a list, else the global order; false past its end. */
static bool s_item(s_plan_t *p, const uint32_t *list, size_t n, size_t k, uint32_t *out)
{
    if (list) {
        if (k >= n)
            return false;
        *out = list[k];
        return true;
    }
    return n == SIZE_MAX && s_at(p, k, out);
}

/* The end of the tie that starts at position k: the quotes from k on with the same
 * place in the lab's preference (s_tied; exact: both sides are the same division). Names and the order the
 * view lists quotes in must not decide between them, so they are bought as one. Costs
 * one quote more than the tie: the order is produced as far as it is read. */
static size_t s_tie_end(s_plan_t *p, const uint32_t *list, size_t n, size_t k)
{
    uint32_t i;
    if (!s_item(p, list, n, k, &i))
        return k;
    const s_quote_t first = *s_visit(p, i); /* a copy: visits may move the states */
    size_t e = k + 1;
    while (s_item(p, list, n, e, &i) && s_tied(s_visit(p, i), &first))
        e++;
    return e;
}

/* Bids `amount` on the tie at positions [k, e), split pro rata to what each quote
 * still offers (its capacity less what the lab bid on it), or to its capacity when
 * `beyond` (a stipulation is asked for in full). Each part is rounded up, so the
 * split needs no order to place odd units (it may ask a few units more, never past a
 * quote's room unless `beyond`). Returns the quantity bid; *expected (if not NULL)
 * gets the sum of the fair shares (capacity / labs) of the tie's quotes. */
static int64_t s_bid_tie(s_plan_t *p, const uint32_t *list, size_t n, size_t k, size_t e,
                         int64_t amount, bool beyond, int64_t *expected,
                         Flywheel__V1__Actions *out)
{
    __int128 weights = 0;
    int64_t fair = 0, bid = 0;
    for (size_t j = k; j < e; j++) {
        uint32_t i;
        s_item(p, list, n, j, &i);
        const Flywheel__V1__ComputeQuote *q = s_q(p, i);
        int64_t w = beyond ? q->capacity : q->capacity - s_visit(p, i)->taken;
        weights += w > 0 ? w : 0;
        fair += q->capacity / p->labs;
    }
    if (expected)
        *expected = fair;
    if (weights <= 0 || amount <= 0)
        return 0;
    __int128 total = beyond || amount < weights ? amount : weights;
    for (size_t j = k; j < e; j++) {
        uint32_t i;
        s_item(p, list, n, j, &i);
        const Flywheel__V1__ComputeQuote *q = s_q(p, i);
        int64_t w = beyond ? q->capacity : q->capacity - s_visit(p, i)->taken;
        if (w <= 0)
            continue;
        int64_t part = (int64_t)((total * w + weights - 1) / weights);
        bid += s_bid(p, i, part, beyond, out);
    }
    return bid;
}

/* Buys `want` on the quotes that pass the filters, cheapest effective first; quotes
 * of equal effective price are one pool, split pro rata (s_bid_tie). */
static int64_t s_buy(s_plan_t *p, int64_t want, const char *cloud, const char *family,
                     bool fair_share, bool beyond, Flywheel__V1__Actions *out)
{
    int64_t got = 0, asked = 0;
    /* Counting on fair shares means bidding for more than is wanted; never more than
     * half as much again, or a rich lab would buy far past its needs. */
    const int64_t ask_cap = fair_share ? want + want / 2 : want;
    const char *only = cloud ? cloud : p->exclusive;
    if (cloud && p->exclusive && !s_same(cloud, p->exclusive))
        return 0; /* an exclusive deal rules out every other cloud */
    uint32_t *list = NULL;
    size_t n = only || family ? s_matching(p, only, family, &list) : SIZE_MAX;
    for (size_t k = 0, e; got < want && asked < ask_cap; k = e) {
        e = s_tie_end(p, list, n, k);
        if (e == k)
            break;
        int64_t ask = want - got;
        if (ask > ask_cap - asked)
            ask = ask_cap - asked;
        int64_t fair = 0;
        int64_t bid = s_bid_tie(p, list, n, k, e, ask, false, &fair, out);
        asked += bid;
        /* Other labs bid for the same quotes: count on a fair share of them only. */
        int64_t expected = fair_share ? fair : bid;
        got += bid < expected ? bid : (expected > 0 ? expected : bid);
    }
    /* A stipulation's share is asked for in full, on the first matching quotes (the
     * global order's when no quote matches), even past what is on offer: the cloud's
     * shortfall is then not the lab's breach. */
    if (beyond && got < want) {
        if (!list)
            n = SIZE_MAX;
        size_t e = s_tie_end(p, list, n, 0);
        if (e > 0)
            got += s_bid_tie(p, list, n, 0, e, want - got, true, NULL, out);
    }
    return got;
}

/* ---- the plan ---------------------------------------------------------------------- */

/* A quote's sort keys, for views that do not come in name order with their runs. */
typedef struct {
    const char *provider, *family;
    int64_t price;
    uint32_t index, rank;
} s_key_t;

static int s_by_names(const void *a, const void *b)
{
    const s_key_t *x = a, *y = b;
    int c = strcmp(x->provider, y->provider);
    return c ? c : strcmp(x->family, y->family);
}

static int s_by_family_price(const void *a, const void *b)
{
    const s_key_t *x = a, *y = b;
    int c = strcmp(x->family, y->family);
    if (c)
        return c;
    if (x->price != y->price)
        return x->price < y->price ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Name order and the families' runs. Flywheel's coordinator lists the quotes in name
 * order and sends the runs (compute_by_family); for a view without them (another
 * coordinator, a test) both are made here, at the cost of a sort. */
static void s_index_quotes(s_plan_t *p)
{
    const Flywheel__V1__MarketView *m = p->m;
    size_t n = p->n_all;
    if (m->n_compute_by_family > 0) {
        p->groups = fw_arena_calloc(p->arena, m->n_compute_by_family, sizeof *p->groups);
        for (size_t g = 0; g < m->n_compute_by_family; g++) {
            const Flywheel__V1__QuoteGroup *w = m->compute_by_family[g];
            if (w->family) /* its indices are checked as they are read (s_ok) */
                p->groups[p->n_groups++] = (s_group_t){w->family, w->quotes, w->n_quotes, 0, 1.0, 0, 0};
        }
        return;
    }
    p->rank = fw_arena_calloc(p->arena, n + 1, sizeof *p->rank);
    p->by_rank = fw_arena_calloc(p->arena, n + 1, sizeof *p->by_rank);
    s_key_t *keys = fw_arena_calloc(p->arena, n + 1, sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = (s_key_t){m->compute_quotes[i]->provider, m->compute_quotes[i]->family,
                            m->compute_quotes[i]->price, (uint32_t)i, 0};
    qsort(keys, n, sizeof *keys, s_by_names);
    for (size_t k = 0; k < n; k++) {
        p->by_rank[k] = keys[k].index;
        p->rank[keys[k].index] = (uint32_t)k;
        keys[k].rank = (uint32_t)k;
    }
    qsort(keys, n, sizeof *keys, s_by_family_price);
    uint32_t *v = fw_arena_calloc(p->arena, n + 1, sizeof *v);
    for (size_t k = 0; k < n; k++)
        v[k] = keys[k].index;
    p->groups = fw_arena_calloc(p->arena, n + 1, sizeof *p->groups);
    for (size_t k = 0; k < n;) {
        size_t e = k;
        while (e < n && strcmp(keys[e].family, keys[k].family) == 0)
            e++;
        p->groups[p->n_groups++] = (s_group_t){keys[k].family, v + k, e - k, 0, 1.0, 0, 0};
        k = e;
    }
}

/* A credit quote's place in the credit run. */
typedef struct {
    double effective;
    uint32_t rank, index;
} s_credit_key_t;

static int s_by_credit_key(const void *a, const void *b)
{
    const s_credit_key_t *x = a, *y = b;
    if (x->effective != y->effective)
        return x->effective < y->effective ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Sets up the plan: the quotes' indexes, the lab's efficiency on each family, the
 * quotes on clouds it holds credits with, and the merge. Returns the cheapest price
 * on offer to the lab, 0 if none. */
static double s_plan_quotes(s_plan_t *p)
{
    const Flywheel__V1__SeatView *me = p->obs->me;
    s_index_quotes(p);
    /* Efficiencies: the view lists them in the order of the families, as the groups
     * come, so one walk matches them; a name not met on the way is looked up. */
    size_t e = 0;
    for (size_t g = 0; g < p->n_groups; g++) {
        s_group_t *gr = &p->groups[g];
        size_t at = e;
        while (at < me->n_efficiency && me->efficiency[at]->id != gr->family)
            at++; /* the same string: in process, the walk compares no text */
        if (at < me->n_efficiency) {
            gr->efficiency = me->efficiency[at]->value > 0 ? me->efficiency[at]->value : 1.0;
            e = at + 1;
        } else {
            gr->efficiency = s_efficiency(me, gr->family);
        }
    }
    /* Credit quotes come first, cheapest effective first (credits are dollars: they go
     * furthest on the best price per useful compute): the runs of the clouds the lab
     * holds credits on (a cloud's first line in the view decides). */
    size_t runs = 0;
    bool *first_line = fw_arena_calloc(p->arena, me->n_credits + 1, sizeof *first_line);
    for (size_t c = 0; c < me->n_credits; c++) {
        first_line[c] = me->credits[c]->amount > 0;
        for (size_t d = 0; d < c && first_line[c]; d++)
            first_line[c] = !s_same(me->credits[d]->cloud, me->credits[c]->cloud);
        if (first_line[c]) {
            size_t first, last;
            s_provider_run(p, me->credits[c]->cloud, &first, &last);
            runs += last - first;
        }
    }
    p->credit_run = fw_arena_calloc(p->arena, runs + 1, sizeof *p->credit_run);
    s_credit_key_t *keys = fw_arena_calloc(p->arena, runs + 1, sizeof *keys);
    for (size_t c = 0; c < me->n_credits; c++) {
        if (!first_line[c])
            continue;
        size_t first, last;
        s_provider_run(p, me->credits[c]->cloud, &first, &last);
        for (size_t k = first; k < last; k++) {
            uint32_t i = s_by_rank(p, k);
            if (s_ok(p, i))
                keys[p->n_credit_run++] = (s_credit_key_t){s_visit(p, i)->effective, s_rank(p, i), i};
        }
    }
    /* The view's order settles the sort only among ties, which are bought as one. */
    qsort(keys, p->n_credit_run, sizeof *keys, s_by_credit_key);
    for (size_t c = 0; c < p->n_credit_run; c++)
        p->credit_run[c] = keys[c].index;
    /* The cheapest price on offer: the first live quote of each family's run. */
    double cheapest = 0;
    p->heap = fw_arena_calloc(p->arena, p->n_groups + 1, sizeof *p->heap);
    for (size_t g = 0; g < p->n_groups; g++) {
        const s_group_t *gr = &p->groups[g];
        for (size_t k = 0; k < gr->n; k++)
            if (s_ok(p, gr->quotes[k])) {
                double price = (double)s_q(p, gr->quotes[k])->price;
                if (cheapest == 0 || price < cheapest)
                    cheapest = price;
                break;
            }
        if (s_group_head(p, g))
            p->heap[p->n_heap++] = (uint32_t)g;
    }
    for (size_t i = p->n_heap; i-- > 0;)
        s_heap_down(p, i);
    return cheapest;
}

/* Whether two sets of terms cannot both hold: an exclusive deal rules out any other
 * deal that asks for a share of the lab's compute on its cloud. */
static bool s_clash(const Flywheel__V1__InvestmentTerms *a, const Flywheel__V1__InvestmentTerms *b)
{
    bool a_cloud = a->exclusive || a->min_cloud_share > 0;
    bool b_cloud = b->exclusive || b->min_cloud_share > 0;
    return (a->exclusive && b_cloud) || (b->exclusive && a_cloud);
}

/* The cheapest effective prices (price over the lab's efficiency on the family) on
 * offer: anywhere, on `cloud`'s quotes and on `family`'s (0 where there is none). */
typedef struct {
    double best, on_cloud, on_family;
} s_prices_t;

static s_prices_t s_prices(const Flywheel__V1__TickStart *obs, const char *cloud,
                           const char *family)
{
    const Flywheel__V1__MarketView *m = obs->market;
    s_prices_t r = {0};
    for (size_t i = 0; m && i < m->n_compute_quotes; i++) {
        const Flywheel__V1__ComputeQuote *q = m->compute_quotes[i];
        if (q->price <= 0 || q->capacity <= 0)
            continue;
        double eff = (double)q->price / s_efficiency(obs->me, q->family);
        if (r.best == 0.0 || eff < r.best)
            r.best = eff;
        if (s_same(q->provider, cloud) && (r.on_cloud == 0.0 || eff < r.on_cloud))
            r.on_cloud = eff;
        if (family && s_same(q->family, family) && (r.on_family == 0.0 || eff < r.on_family))
            r.on_family = eff;
    }
    return r;
}

/* How much dearer useful compute is on `family` than the best on offer: by effective
 * prices when the family is quoted, else by the lab's efficiency on it against its
 * best (the price unknown, the handicap is what it knows). */
static double s_chip_premium(const Flywheel__V1__SeatView *me, const s_prices_t *pr,
                             const char *family)
{
    if (pr->on_family > 0.0 && pr->best > 0.0)
        return pr->on_family / pr->best - 1.0;
    double best = 0.0;
    for (size_t i = 0; i < me->n_efficiency; i++)
        best = fmax(best, me->efficiency[i]->value);
    double eff = s_efficiency(me, family);
    return best > eff ? best / eff - 1.0 : 0.0;
}

typedef struct {
    const Flywheel__V1__Proposal *p;
    Flywheel__V1__InvestmentTerms terms; /* as the lab would take them */
    bool counter;                        /* on other shares than proposed */
    double value;
    bool accept;
} s_offer_t;

static int s_by_value(const void *a, const void *b)
{
    const s_offer_t *x = a, *y = b;
    if (x->value != y->value)
        return x->value > y->value ? -1 : 1;
    return x->p->id < y->p->id ? -1 : x->p->id > y->p->id; /* ids, never names */
}

/* Answers the proposals. Each is valued as fw_offer_value weighs it (fw_invest.h:
 * the money, worth more to a lab short of cash; the equity sold; the compute lost
 * to a mandate on a chip the lab uses badly; the tie to one cloud); a compute
 * commitment with no money (amount 0) is valued at 0, since the lab asked for the
 * capacity, and so is a deal the scenario schedules (history, or the premise of a
 * counterfactual: the scenario decided it). Where the proposal leaves slack, the lab
 * values it with each costly share at the lowest the slack allows, and takes it on
 * those terms (a counter). The best are taken first; one that clashes with a deal in force or with
 * one taken this tick, is worth less than nothing, or offers a valuation below
 * accept_floor x the lab's own is refused. */
static void s_answer(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                     Flywheel__V1__Actions *out, fw_arena_t *arena)
{
    const fw_strategy_params_t *params = ctx->params;
    const double floor_share = fw_strategy_param(params, "accept_floor", 0.5);
    fw_judge_params_t jp = fw_judge_defaults();
    jp.premium = fw_strategy_param(params, "capital_premium", jp.premium);
    jp.need_premium = fw_strategy_param(params, "need_premium", jp.need_premium);
    jp.runway = fw_strategy_param(params, "runway", jp.runway);
    jp.dependence = fw_strategy_param(params, "dependence_cost", jp.dependence);
    const Flywheel__V1__SeatView *me = obs->me;
    if (me->n_proposals == 0)
        return;
    const fw_lab_side_t side = {(double)me->valuation, (double)me->cash, (double)me->cost_last};
    s_offer_t *offers = fw_arena_calloc(arena, me->n_proposals, sizeof *offers);
    for (size_t i = 0; i < me->n_proposals; i++) {
        const Flywheel__V1__Proposal *p = me->proposals[i];
        const Flywheel__V1__InvestmentTerms *t = p->terms;
        offers[i].p = p;
        if (!t)
            continue;
        offers[i].terms = *t;
        if (t->amount <= 0 || p->scheduled)
            continue; /* valued at 0: taken unless it clashes (see above) */
        bool mandate = t->chip_family && t->chip_family[0] && t->min_chip_share > 0;
        s_prices_t pr = s_prices(obs, p->investor, mandate ? t->chip_family : NULL);
        /* Credits are worth what the lab would spend on that cloud anyway: all of them
         * when it is the cheapest, less in proportion when it is dearer, half when it
         * sells nothing yet (it may later). */
        double usable = pr.on_cloud > 0.0 ? pr.best / pr.on_cloud : 0.5;
        double premium = mandate ? s_chip_premium(me, &pr, t->chip_family) : 0.0;
        /* Each share is worth less to the lab the higher it is (credits it cannot use
         * in full, a tie, a dear chip), so where the investor left slack it takes the
         * lowest the slack allows. */
        Flywheel__V1__InvestmentTerms *k = &offers[i].terms;
        if (usable < 1.0 && t->credit_fraction_slack > 0)
            k->credit_fraction = t->credit_fraction - t->credit_fraction_slack;
        if (t->cloud_share_slack > 0 && jp.dependence > 0)
            k->min_cloud_share = t->min_cloud_share - t->cloud_share_slack;
        if (premium > 0 && t->chip_share_slack > 0)
            k->min_chip_share = t->min_chip_share - t->chip_share_slack;
        offers[i].counter = k->credit_fraction != t->credit_fraction ||
                            k->min_cloud_share != t->min_cloud_share ||
                            k->min_chip_share != t->min_chip_share;
        t = k;
        fw_offer_t o = {
            .amount = (double)t->amount,
            .credit_fraction = t->credit_fraction,
            .valuation = (double)t->valuation,
            .usability = t->credit_fraction > 0 ? usable : 1.0,
            .cloud_share = t->exclusive ? 1.0 : t->min_cloud_share,
            .chip_share = mandate ? t->min_chip_share : 0.0,
            .chip_premium = premium,
            .duration = (double)t->duration,
        };
        offers[i].value = fw_offer_value(&o, &side, &jp);
    }
    qsort(offers, me->n_proposals, sizeof *offers, s_by_value);
    for (size_t i = 0; i < me->n_proposals; i++) {
        const Flywheel__V1__Proposal *p = offers[i].p;
        const Flywheel__V1__InvestmentTerms *t = p->terms ? &offers[i].terms : NULL;
        bool accept = t != NULL && offers[i].value >= 0.0;
        for (size_t j = 0; accept && j < me->n_deals; j++) {
            const Flywheel__V1__Deal *d = me->deals[j];
            if (s_binding(d, ctx->seat, obs->tick) && !s_same(d->investor, p->investor) &&
                s_clash(d->terms, t))
                accept = false;
        }
        for (size_t j = 0; accept && j < i; j++)
            if (offers[j].accept && !s_same(offers[j].p->investor, p->investor) &&
                s_clash(&offers[j].terms, t))
                accept = false;
        if (accept && t->amount > 0 && t->valuation > 0 &&
            (double)t->valuation < floor_share * (double)me->valuation)
            accept = false;
        offers[i].accept = accept;
    }
    /* Answers go in the order the proposals came. */
    for (size_t i = 0; i < me->n_proposals; i++)
        for (size_t j = 0; j < me->n_proposals; j++) {
            const s_offer_t *o = &offers[j];
            if (o->p != me->proposals[i])
                continue;
            if (o->accept && o->counter)
                fw_actions_add_counter(out, arena, o->p->id, o->terms.credit_fraction,
                                       o->terms.min_cloud_share, o->terms.min_chip_share);
            else
                fw_actions_add_answer(out, arena, o->p->id, o->accept);
        }
}

/* The share of compute each binding deal asks for, per cloud and per chip family;
 * where deals with one cloud differ, the largest binds (they do not add up). */
typedef struct {
    const char *id;
    double share;
} s_need_t;

static void s_need(s_need_t *needs, size_t *n, size_t cap, const char *id, double share)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(needs[i].id, id) == 0) {
            if (share > needs[i].share)
                needs[i].share = share;
            return;
        }
    if (*n < cap)
        needs[(*n)++] = (s_need_t){id, share};
}

int fw_strategy_lab(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                    fw_rng_t *rng, Flywheel__V1__Actions *out, fw_arena_t *arena)
{
    const fw_strategy_params_t *params = ctx->params;
    const double runway = fw_strategy_param(params, "runway", 12.0);
    const double train_ratio = fw_strategy_param(params, "train_ratio", 1.0);
    const double margin = fw_strategy_param(params, "margin", 0.05);
    (void)rng; /* the lab's choice is fully determined by prices and its deals */

    if (!obs || !obs->me)
        return FW_STRATEGY_EINVAL;
    const Flywheel__V1__SeatView *me = obs->me;
    const Flywheel__V1__MarketView *m = obs->market;
    s_answer(ctx, obs, out, arena);
    if (me->demand <= 0 || !m || m->n_compute_quotes == 0)
        return FW_STRATEGY_OK;

    s_plan_t plan = {.ctx = ctx, .obs = obs, .m = m, .arena = arena, .labs = 1};
    plan.n_all = m->n_compute_quotes;
    plan.max_price = fw_strategy_param(params, "max_price", 2600.0);
    plan.premium = fw_strategy_param(params, "bid_premium", 0.1);
    /* Spend this tick's revenue again, and the cash so that it lasts `runway` ticks. */
    double cash = me->cash > 0 ? (double)me->cash : 0.0;
    plan.budget = fmax(0.0, (double)me->revenue_last) + cash / fmax(1.0, runway);
    if (plan.budget > cash)
        plan.budget = cash;
    plan.labs = (int64_t)ctx->n_labs; /* counted once per seat, or else here */
    if (plan.labs == 0)
        for (size_t i = 0; i < ctx->n_seats; i++)
            plan.labs += ctx->seats[i]->role == FLYWHEEL__V1__ROLE__ROLE_LAB;
    if (plan.labs < 1)
        plan.labs = 1;

    s_need_t clouds[16], chips[16];
    size_t n_clouds = 0, n_chips = 0;
    for (size_t j = 0; j < me->n_deals; j++) {
        const Flywheel__V1__Deal *d = me->deals[j];
        if (!s_binding(d, ctx->seat, obs->tick))
            continue;
        if (d->terms->exclusive)
            plan.exclusive = d->investor;
        double share = d->terms->exclusive ? 1.0 : d->terms->min_cloud_share;
        if (share > 0)
            s_need(clouds, &n_clouds, 16, d->investor, share);
        if (d->terms->chip_family && d->terms->chip_family[0] && d->terms->min_chip_share > 0)
            s_need(chips, &n_chips, 16, d->terms->chip_family, d->terms->min_chip_share);
    }

    double cheapest = s_plan_quotes(&plan);
    if (cheapest <= 0)
        return FW_STRATEGY_OK;

    /* How much to buy: serve the customers and train, as far as the budget (and the
     * credits) go at about the going price, so the shares the deals ask for hold. */
    double credits = 0;
    for (size_t i = 0; i < me->n_credits; i++)
        credits += (double)me->credits[i]->amount;
    double affordable = (plan.budget + credits) / (cheapest * (1.0 + plan.premium));
    int64_t target = fw_strategy_round(fmin((double)me->demand * (1.0 + train_ratio), affordable));
    if (target <= 0)
        return FW_STRATEGY_OK;

    /* The safety margin shrinks to what the shares leave free; deals that ask for more
     * than everything are scaled down together. */
    double asked = 0;
    for (size_t i = 0; i < n_clouds; i++)
        asked += clouds[i].share;
    double cloud_margin = n_clouds ? fmax(0.0, fmin(margin, (1.0 - asked) / (double)n_clouds)) : 0;
    double scale = asked > 1.0 ? 1.0 / asked : 1.0;
    bool bound = n_clouds > 0 || n_chips > 0;
    int64_t bought = 0;
    /* 1. each cloud a deal names, its share, on the mandated chips first where it has them */
    for (size_t i = 0; i < n_clouds; i++) {
        int64_t want = fw_strategy_round(fmin(1.0, clouds[i].share * scale + cloud_margin) *
                                         (double)target);
        int64_t got = 0;
        for (size_t c = 0; c < n_chips && got < want; c++)
            got += s_buy(&plan, want - got, clouds[i].id, chips[c].id, false, false, out);
        if (got < want)
            got += s_buy(&plan, want - got, clouds[i].id, NULL, false, true, out);
        bought += got;
    }
    /* 2. each mandated chip family, its share, counting what step 1 already bought */
    for (size_t c = 0; c < n_chips; c++) {
        int64_t want = fw_strategy_round(fmin(1.0, chips[c].share + margin) * (double)target);
        int64_t have = 0;
        for (size_t k = 0; k < plan.n_quotes; k++)
            if (s_same(s_q(&plan, plan.quotes[k].index)->family, chips[c].id))
                have += plan.quotes[k].taken;
        if (have < want)
            bought += s_buy(&plan, want - have, NULL, chips[c].id, false, true, out);
    }
    /* 3. the rest, cheapest first */
    if (bought < target)
        s_buy(&plan, target - bought, NULL, NULL, !bound, false, out);
    /* 4. top-ups: the deals count a cloud's share of spend, and clouds' prices differ,
     * so a cloud whose planned share of spend falls short gets the missing spend
     * (x >= (r S - S_c) / (1 - r)); a chip family short of its share of compute the
     * same way. Twice round, since each top-up dilutes the others. Sums of whole
     * dollars and units are exact in doubles, so the quotes' order does not matter. */
    for (int round = 0; round < 2 && bound; round++) {
        for (size_t i = 0; i < n_clouds; i++) {
            double r = fmin(0.999, clouds[i].share * scale + cloud_margin / 2.0);
            double total = 0, mine = 0, price = 0;
            for (size_t k = 0; k < plan.n_quotes; k++) {
                const Flywheel__V1__ComputeQuote *q = s_q(&plan, plan.quotes[k].index);
                double spend = (double)plan.quotes[k].taken * (double)q->price;
                total += spend;
                if (s_same(q->provider, clouds[i].id))
                    mine += spend;
            }
            size_t first, last;
            s_provider_run(&plan, clouds[i].id, &first, &last);
            for (size_t k = first; k < last; k++) {
                const Flywheel__V1__ComputeQuote *q = s_q(&plan, s_by_rank(&plan, k));
                if (s_ok(&plan, s_by_rank(&plan, k)) && (price == 0 || (double)q->price < price))
                    price = (double)q->price;
            }
            double missing = (r * total - mine) / (1.0 - r);
            if (missing > 0 && price > 0)
                s_buy(&plan, fw_strategy_round(ceil(missing / price)), clouds[i].id, NULL, false,
                      true, out);
        }
        for (size_t c = 0; c < n_chips; c++) {
            double r = fmin(0.999, chips[c].share + margin / 2.0);
            double total = 0, mine = 0;
            for (size_t k = 0; k < plan.n_quotes; k++) {
                total += (double)plan.quotes[k].taken;
                if (s_same(s_q(&plan, plan.quotes[k].index)->family, chips[c].id))
                    mine += (double)plan.quotes[k].taken;
            }
            double missing = (r * total - mine) / (1.0 - r);
            if (missing > 0)
                s_buy(&plan, fw_strategy_round(ceil(missing)), NULL, chips[c].id, false, true,
                      out);
        }
    }
    s_fit_budget(&plan, out);
    s_fit_cash(&plan, out);
    return FW_STRATEGY_OK;
}
