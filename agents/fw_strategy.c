/* fw_strategy: see fw_strategy.h. The registry, parameter parsing, the lookups in an
 * observation and the Actions builders every strategy shares, and the "idle" strategy. */
#include "fw_strategy.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_invest.h"

/* Fixed order: the role defaults first, as --help lists them. The table is constant,
 * so it is not mutable global state. */
static const fw_strategy_t s_strategies[] = {
    {"hyperscaler", FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER, fw_strategy_hyperscaler,
     "buys chips when busy, prices compute by utilisation (cloud default)"},
    {"lab", FLYWHEEL__V1__ROLE__ROLE_LAB, fw_strategy_lab,
     "bids for the cheapest compute up to its customers' demand (lab default)"},
    {"vendor", FLYWHEEL__V1__ROLE__ROLE_VENDOR, fw_strategy_vendor,
     "offers its capacity at a price that follows sell-through (vendor default)"},
    {"idle", FLYWHEEL__V1__ROLE__ROLE_UNSPECIFIED, fw_strategy_idle,
     "does nothing, any role"},
};

#define S_N_STRATEGIES (sizeof s_strategies / sizeof s_strategies[0])

const fw_strategy_t *fw_strategy_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < S_N_STRATEGIES; i++)
        if (strcmp(s_strategies[i].name, name) == 0)
            return &s_strategies[i];
    return NULL;
}

const fw_strategy_t *fw_strategy_for_role(Flywheel__V1__Role role)
{
    if (role == FLYWHEEL__V1__ROLE__ROLE_UNSPECIFIED)
        return NULL;
    for (size_t i = 0; i < S_N_STRATEGIES; i++)
        if (s_strategies[i].role == role)
            return &s_strategies[i];
    return NULL;
}

size_t fw_strategy_count(void)
{
    return S_N_STRATEGIES;
}

const fw_strategy_t *fw_strategy_at(size_t i)
{
    return i < S_N_STRATEGIES ? &s_strategies[i] : NULL;
}

char *fw_strategy_names(char *buf, size_t len)
{
    size_t used = 0;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < S_N_STRATEGIES && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
                         s_strategies[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

bool fw_strategy_can_play(const fw_strategy_t *st, Flywheel__V1__Role role)
{
    return st && (st->role == FLYWHEEL__V1__ROLE__ROLE_UNSPECIFIED || st->role == role);
}

const char *fw_strategy_role_name(Flywheel__V1__Role role)
{
    switch (role) {
    case FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER: return "hyperscaler";
    case FLYWHEEL__V1__ROLE__ROLE_LAB: return "lab";
    case FLYWHEEL__V1__ROLE__ROLE_VENDOR: return "vendor";
    default: return "unspecified";
    }
}

Flywheel__V1__Role fw_strategy_role_parse(const char *s)
{
    if (s && strcmp(s, "hyperscaler") == 0)
        return FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER;
    if (s && strcmp(s, "lab") == 0)
        return FLYWHEEL__V1__ROLE__ROLE_LAB;
    if (s && strcmp(s, "vendor") == 0)
        return FLYWHEEL__V1__ROLE__ROLE_VENDOR;
    return FLYWHEEL__V1__ROLE__ROLE_UNSPECIFIED;
}

const Flywheel__V1__ChipFamily *fw_strategy_family(const fw_strategy_ctx_t *ctx,
                                                   const char *id)
{
    for (size_t i = 0; i < ctx->n_families; i++)
        if (ctx->families[i] && strcmp(ctx->families[i]->id, id) == 0)
            return ctx->families[i];
    return NULL;
}

size_t fw_strategy_family_index(const fw_strategy_ctx_t *ctx, const char *id, size_t hint)
{
    const size_t n = ctx->n_families;
    if (hint >= n)
        hint = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = hint + k < n ? hint + k : hint + k - n;
        if (ctx->families[i] && fw_strategy_same_id(ctx->families[i]->id, id))
            return i;
    }
    return n;
}

/* Whether m's compute quotes are in provider order (equal providers side by side, ids
 * rising in strcmp order), the condition for a binary search by provider. A view with
 * the coordinator's per-family price order (compute_by_family) is Flywheel's, which
 * lists the quotes so (docs/protocol.md): it is not read through again by every seat. */
static bool s_in_provider_order(const Flywheel__V1__MarketView *m)
{
    if (m->n_compute_by_family > 0)
        return true;
    for (size_t i = 1; i < m->n_compute_quotes; i++) {
        const char *a = m->compute_quotes[i - 1]->provider;
        const char *b = m->compute_quotes[i]->provider;
        if (a != b && strcmp(a, b) > 0)
            return false;
    }
    return true;
}

fw_quote_span_t fw_strategy_provider_quotes(const Flywheel__V1__MarketView *m,
                                            const char *provider)
{
    fw_quote_span_t span = {0, 0, true, true};
    if (!m || m->n_compute_quotes == 0)
        return span;
    Flywheel__V1__ComputeQuote *const *q = m->compute_quotes;
    const size_t n = m->n_compute_quotes;
    if (!s_in_provider_order(m)) {
        span.end = n;
        span.exact = span.by_family = false;
        return span;
    }
    /* The first quote whose provider does not sort before `provider`. */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(q[mid]->provider, provider) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    span.begin = span.end = lo;
    if (lo == n || strcmp(q[lo]->provider, provider) != 0)
        return span;
    /* The provider's own quotes are few; its neighbours usually share its string. */
    const char *own = q[lo]->provider;
    while (span.end < n && fw_strategy_same_id(q[span.end]->provider, own)) {
        if (span.end > lo && strcmp(q[span.end - 1]->family, q[span.end]->family) > 0)
            span.by_family = false;
        span.end++;
    }
    return span;
}

const Flywheel__V1__ComputeQuote *fw_strategy_compute_quote(
    const Flywheel__V1__MarketView *m, fw_quote_span_t span, const char *provider,
    const char *family)
{
    if (!m || span.end > m->n_compute_quotes)
        return NULL;
    if (span.by_family) {
        /* The first quote whose family does not sort before `family`. */
        size_t lo = span.begin, hi = span.end;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(m->compute_quotes[mid]->family, family) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < span.end && fw_strategy_same_id(m->compute_quotes[lo]->family, family)
                   ? m->compute_quotes[lo]
                   : NULL;
    }
    for (size_t i = span.begin; i < span.end; i++) {
        const Flywheel__V1__ComputeQuote *q = m->compute_quotes[i];
        if (fw_strategy_same_id(q->family, family) &&
            (span.exact || strcmp(q->provider, provider) == 0))
            return q;
    }
    return NULL;
}

/* --- Parameters ----------------------------------------------------------- */

/* Keeps the first problem only: one line is what a log or a usage message can show. */
static void s_param_error(char *err, size_t err_len, int *rc, const char *fmt,
                          const char *what, size_t what_len)
{
    if (*rc == 0 && err && err_len > 0)
        snprintf(err, err_len, fmt, (int)what_len, what);
    *rc = FW_STRATEGY_EPARAMS;
}

/* Trims ASCII spaces from both ends of [*b, *e). */
static void s_trim(const char **b, const char **e)
{
    while (*b < *e && isspace((unsigned char)**b))
        (*b)++;
    while (*e > *b && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

static bool s_key_ok(const char *b, const char *e)
{
    if (b == e || (size_t)(e - b) >= FW_STRATEGY_PARAM_KEY)
        return false;
    for (const char *p = b; p < e; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
            return false;
    return true;
}

/* Parses [b, e) as a whole finite number. */
static bool s_number(const char *b, const char *e, double *out)
{
    char buf[64];
    char *end = NULL;
    size_t len = (size_t)(e - b);
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, b, len);
    buf[len] = '\0';
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + len || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

int fw_strategy_params_parse(const char *text, fw_strategy_params_t *out, char *err,
                             size_t err_len)
{
    int rc = FW_STRATEGY_OK;
    memset(out, 0, sizeof *out);
    if (err && err_len > 0)
        err[0] = '\0';
    if (!text)
        return rc;
    const char *seg = text;
    while (*seg) {
        const char *end = strchr(seg, ';');
        if (!end)
            end = seg + strlen(seg);
        const char *b = seg, *e = end;
        s_trim(&b, &e);
        seg = *end ? end + 1 : end;
        if (b == e)
            continue; /* "a=1;;b=2" and a trailing ';' are harmless */
        const char *eq = memchr(b, '=', (size_t)(e - b));
        if (!eq) {
            s_param_error(err, err_len, &rc, "parameter '%.*s' has no '='", b,
                          (size_t)(e - b));
            continue;
        }
        const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
        s_trim(&kb, &ke);
        s_trim(&vb, &ve);
        if (!s_key_ok(kb, ke)) {
            s_param_error(err, err_len, &rc, "bad parameter name in '%.*s'", b,
                          (size_t)(e - b));
            continue;
        }
        double value;
        if (!s_number(vb, ve, &value)) {
            s_param_error(err, err_len, &rc, "parameter '%.*s' is not a finite number",
                          b, (size_t)(e - b));
            continue;
        }
        char key[FW_STRATEGY_PARAM_KEY];
        memcpy(key, kb, (size_t)(ke - kb));
        key[ke - kb] = '\0';
        size_t i = 0;
        while (i < out->n && strcmp(out->items[i].key, key) != 0)
            i++;
        if (i == FW_STRATEGY_MAX_PARAMS) {
            s_param_error(err, err_len, &rc, "too many parameters at '%.*s'", b,
                          (size_t)(e - b));
            continue;
        }
        if (i == out->n) {
            memcpy(out->items[i].key, key, sizeof key);
            out->n++;
        }
        out->items[i].value = value;
    }
    return rc;
}

double fw_strategy_param(const fw_strategy_params_t *params, const char *key,
                         double fallback)
{
    if (!params)
        return fallback;
    for (size_t i = 0; i < params->n; i++)
        if (strcmp(params->items[i].key, key) == 0)
            return params->items[i].value;
    return fallback;
}

/* --- Building Actions ----------------------------------------------------- */

/* Makes room for one more pointer in an arena-backed array of n entries. The capacity
 * is implicit: arrays are allocated at powers of two, so a full array is one whose
 * length is 0 or a power of two. */
static void *s_grow(fw_arena_t *arena, void *items, size_t n)
{
    /* Capacities run 4, 8, 16, ...: the array is full at 0 and at each power of two
     * from 4 on. */
    bool full = n == 0 || (n >= 4 && (n & (n - 1)) == 0);
    if (!full)
        return items;
    size_t cap = n ? 2 * n : 4;
    void **grown = fw_arena_calloc(arena, cap, sizeof(void *));
    if (n)
        memcpy(grown, items, n * sizeof(void *));
    return grown;
}

void fw_actions_add_chip_offer(Flywheel__V1__Actions *out, fw_arena_t *arena,
                               const char *family, int64_t price, int64_t quantity)
{
    Flywheel__V1__ChipOffer *o = fw_arena_calloc(arena, 1, sizeof *o);
    flywheel__v1__chip_offer__init(o);
    o->family = fw_arena_strdup(arena, family);
    o->price = price;
    o->quantity = quantity;
    out->chip_offers = s_grow(arena, out->chip_offers, out->n_chip_offers);
    out->chip_offers[out->n_chip_offers++] = o;
}

void fw_actions_add_chip_order(Flywheel__V1__Actions *out, fw_arena_t *arena,
                               const char *family, int64_t quantity, int64_t max_price)
{
    Flywheel__V1__ChipOrder *o = fw_arena_calloc(arena, 1, sizeof *o);
    flywheel__v1__chip_order__init(o);
    o->family = fw_arena_strdup(arena, family);
    o->quantity = quantity;
    o->max_price = max_price;
    out->chip_orders = s_grow(arena, out->chip_orders, out->n_chip_orders);
    out->chip_orders[out->n_chip_orders++] = o;
}

void fw_actions_add_compute_offer(Flywheel__V1__Actions *out, fw_arena_t *arena,
                                  const char *family, int64_t price, int64_t capacity)
{
    Flywheel__V1__ComputeOffer *o = fw_arena_calloc(arena, 1, sizeof *o);
    flywheel__v1__compute_offer__init(o);
    o->family = fw_arena_strdup(arena, family);
    o->price = price;
    o->capacity = capacity;
    out->compute_offers = s_grow(arena, out->compute_offers, out->n_compute_offers);
    out->compute_offers[out->n_compute_offers++] = o;
}

void fw_actions_add_compute_bid(Flywheel__V1__Actions *out, fw_arena_t *arena,
                                const char *provider, const char *family,
                                int64_t quantity, int64_t max_price)
{
    Flywheel__V1__ComputeBid *b = fw_arena_calloc(arena, 1, sizeof *b);
    flywheel__v1__compute_bid__init(b);
    b->provider = fw_arena_strdup(arena, provider);
    b->family = fw_arena_strdup(arena, family);
    b->quantity = quantity;
    b->max_price = max_price;
    out->compute_bids = s_grow(arena, out->compute_bids, out->n_compute_bids);
    out->compute_bids[out->n_compute_bids++] = b;
}

void fw_actions_add_answer(Flywheel__V1__Actions *out, fw_arena_t *arena, uint64_t proposal_id,
                          bool accept)
{
    Flywheel__V1__ProposalAnswer *a = fw_arena_calloc(arena, 1, sizeof *a);
    flywheel__v1__proposal_answer__init(a);
    a->proposal_id = proposal_id;
    a->accept = accept;
    out->answers = s_grow(arena, out->answers, out->n_answers);
    out->answers[out->n_answers++] = a;
}

void fw_actions_add_counter(Flywheel__V1__Actions *out, fw_arena_t *arena, uint64_t proposal_id,
                            double credit_fraction, double min_cloud_share,
                            double min_chip_share)
{
    fw_actions_add_answer(out, arena, proposal_id, true);
    Flywheel__V1__ProposalAnswer *a = out->answers[out->n_answers - 1];
    a->counter = true;
    a->credit_fraction = credit_fraction;
    a->min_cloud_share = min_cloud_share;
    a->min_chip_share = min_chip_share;
}

void fw_actions_add_proposal(Flywheel__V1__Actions *out, fw_arena_t *arena, const char *lab,
                            const Flywheel__V1__InvestmentTerms *terms)
{
    Flywheel__V1__InvestmentProposal *p = fw_arena_calloc(arena, 1, sizeof *p);
    Flywheel__V1__InvestmentTerms *t = fw_arena_calloc(arena, 1, sizeof *t);
    flywheel__v1__investment_proposal__init(p);
    *t = *terms;
    t->chip_family = fw_arena_strdup(arena, terms->chip_family ? terms->chip_family : "");
    p->lab = fw_arena_strdup(arena, lab);
    p->terms = t;
    out->proposals = s_grow(arena, out->proposals, out->n_proposals);
    out->proposals[out->n_proposals++] = p;
}

/* Flywheel's coordinator takes at most this many proposals from a seat a tick
 * (docs/protocol.md); the candidates come best odds first, so the best are sent. */
#define S_MAX_PROPOSALS 4

/* The value of this seat's stake in `company` (0 if none), marked to market. */
static double s_stake(const Flywheel__V1__SeatView *me, const char *company)
{
    double value = 0.0;
    for (size_t i = 0; i < me->n_stakes; i++)
        if (fw_strategy_same_id(me->stakes[i]->company, company) && me->stakes[i]->value > 0)
            value += (double)me->stakes[i]->value;
    return value;
}

/* What this seat's deals have brought back beyond what it put into them: the gains
 * it has to invest again (new deals count against them, so a gain is spent once). */
static double s_gains(const Flywheel__V1__SeatView *me, const char *seat)
{
    double net = 0.0;
    for (size_t i = 0; i < me->n_deals; i++) {
        const Flywheel__V1__Deal *d = me->deals[i];
        if (fw_strategy_same_id(d->investor, seat) && d->terms)
            net += (double)d->returned - (double)d->terms->amount;
    }
    return net > 0.0 ? net : 0.0;
}

/* The value of `id` in a list of shares; `at` is where it is most likely (the lists of
 * labs come in the same order), so a walk in that order pays one comparison each. */
static double s_public(Flywheel__V1__Share *const *shares, size_t n, const char *id, size_t at)
{
    if (at < n && fw_strategy_same_id(shares[at]->id, id))
        return shares[at]->value;
    for (size_t i = 0; i < n; i++)
        if (fw_strategy_same_id(shares[i]->id, id))
            return shares[i]->value;
    return 0.0;
}

static int64_t s_valuation(const Flywheel__V1__MarketView *m, const char *id)
{
    for (size_t i = 0; m && i < m->n_valuations; i++)
        if (fw_strategy_same_id(m->valuations[i]->id, id))
            return m->valuations[i]->value;
    return 0;
}

void fw_strategy_invest(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                        fw_rng_t *rng, const char *mandate, Flywheel__V1__Actions *out,
                        fw_arena_t *arena)
{
    const fw_strategy_params_t *p = ctx->params;
    const double every = fw_strategy_param(p, "invest_every", 0.0);
    /* A counterfactual that turns investing on at its turning point keeps the history
     * before it: no review, and no draw from the seat's stream, before invest_from. */
    const double from = fw_strategy_param(p, "invest_from", 0.0);
    const double cap = fw_strategy_param(p, "invest_amount", 1e9);
    const double cash_share = fw_strategy_param(p, "invest_cash_share", 0.1);
    const double return_share = fw_strategy_param(p, "invest_return_share", 0.1);
    const double min_ticket = fw_strategy_param(p, "invest_min_ticket", 0.1);
    const double noise = fw_strategy_param(p, "invest_belief_noise", 0.1);
    const double slack = fmin(1.0, fmax(0.0, fw_strategy_param(p, "invest_slack", 0.5)));
    const bool cloud = ctx->role == FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER;
    const Flywheel__V1__MarketView *m = obs->market;
    const Flywheel__V1__SeatView *me = obs->me;
    if (every < 1.0 || (double)obs->tick < from || !m || obs->tick % (uint32_t)every != 0 ||
        me->cash <= 0 ||
        m->n_lab_share == 0)
        return;
    fw_invest_params_t prm = fw_invest_defaults();
    prm.share_weight = fw_strategy_param(p, "invest_share_weight", prm.share_weight);
    prm.capability_weight = fw_strategy_param(p, "invest_capability_weight", prm.capability_weight);
    prm.upside = fw_strategy_param(p, "invest_upside", prm.upside);
    prm.downside = fw_strategy_param(p, "invest_downside", prm.downside);
    prm.risk_aversion = fw_strategy_param(p, "invest_risk_aversion", prm.risk_aversion);
    prm.lockin = fw_strategy_param(p, "invest_lockin", prm.lockin);

    /* Every lab's prospects as this investor reads them: the public share and
     * capability, times a private draw (investors' judgements differ, so they do not
     * all back the same labs), and its odds of leading among all of them. */
    const size_t n = m->n_lab_share;
    fw_invest_lab_t *labs = fw_arena_calloc(arena, n, sizeof *labs);
    double *odds = fw_arena_calloc(arena, n, sizeof *odds);
    for (size_t i = 0; i < n; i++) {
        const char *lab = m->lab_share[i]->id;
        labs[i].share = m->lab_share[i]->value;
        labs[i].capability = s_public(m->capability, m->n_capability, lab, i) *
                             (1.0 + noise * (2.0 * fw_rng_uniform(rng) - 1.0));
    }
    fw_invest_odds(labs, n, &prm, odds);

    /* The candidates: the labs with the best odds (ties in list order), at most
     * FW_INVEST_MAX_LABS, so the choice costs the same in a market of any size. */
    size_t pick[FW_INVEST_MAX_LABS], k = 0;
    for (size_t i = 0; i < n; i++) {
        if (fw_strategy_same_id(m->lab_share[i]->id, ctx->seat))
            continue;
        size_t at = k < FW_INVEST_MAX_LABS ? k++ : FW_INVEST_MAX_LABS;
        if (at == FW_INVEST_MAX_LABS) {
            if (odds[i] <= odds[pick[FW_INVEST_MAX_LABS - 1]])
                continue;
            at = FW_INVEST_MAX_LABS - 1;
        }
        while (at > 0 && odds[pick[at - 1]] < odds[i]) {
            pick[at] = pick[at - 1];
            at--;
        }
        pick[at] = i;
    }
    fw_invest_lab_t cand[FW_INVEST_MAX_LABS];
    double cand_odds[FW_INVEST_MAX_LABS], w[FW_INVEST_MAX_LABS];
    for (size_t c = 0; c < k; c++) {
        cand[c] = labs[pick[c]];
        cand_odds[c] = odds[pick[c]];
    }
    fw_invest_weights(cand, cand_odds, k, &prm, w);

    /* What it keeps in labs: invest_cash_share of its means (cash and every stake it
     * holds, marked to market) plus invest_return_share of what its deals have brought
     * back beyond their cost, so returns feed the next commitments. Each lab gets what
     * its weight of that asks beyond the stake already held in it, if that is worth a
     * deal (stakes are not sold: an overweight one just gets nothing more). */
    double stakes[FW_INVEST_MAX_LABS], held = 0.0;
    for (size_t c = 0; c < k; c++)
        stakes[c] = s_stake(me, m->lab_share[pick[c]]->id);
    for (size_t i = 0; i < me->n_stakes; i++)
        held += me->stakes[i]->value > 0 ? (double)me->stakes[i]->value : 0.0;
    double budget = cash_share * ((double)me->cash + held) + return_share * s_gains(me, ctx->seat);
    for (size_t c = 0; c < k && out->n_proposals < S_MAX_PROPOSALS; c++) {
        const char *lab = m->lab_share[pick[c]]->id;
        double want = w[c] * budget - stakes[c];
        double invest = fmin(fmin(want, cap), (double)me->cash);
        if (invest < fmin(min_ticket * budget, cap) || invest < 1.0)
            continue;
        Flywheel__V1__InvestmentTerms t = FLYWHEEL__V1__INVESTMENT_TERMS__INIT;
        t.amount = fw_strategy_round(invest);
        t.valuation = s_valuation(m, lab) + t.amount;
        t.credit_fraction = cloud && m->credits_allowed
                                ? fw_strategy_param(p, "invest_credit_fraction", 0.5)
                                : 0.0;
        t.min_cloud_share = cloud ? fw_strategy_param(p, "invest_min_cloud_share", 0.3) : 0.0;
        t.chip_family = (char *)(mandate ? mandate : "");
        t.min_chip_share = mandate ? fw_strategy_param(p, "invest_min_chip_share", 0.2) : 0.0;
        t.duration = (uint32_t)fw_strategy_round(fw_strategy_param(p, "invest_duration", 24.0));
        t.penalty = fw_strategy_round(fw_strategy_param(p, "invest_penalty_share", 0.1) * invest);
        /* What the lab may bargain away: a share of each stipulation. */
        t.credit_fraction_slack = slack * t.credit_fraction;
        t.cloud_share_slack = slack * t.min_cloud_share;
        t.chip_share_slack = slack * t.min_chip_share;
        fw_actions_add_proposal(out, arena, lab, &t);
    }
}

int64_t fw_strategy_round(double x)
{
    if (isnan(x))
        return 0;
    /* 2^63 is exactly representable; anything at or past it saturates. */
    if (x >= 9223372036854775807.0)
        return INT64_MAX;
    if (x <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)llround(x);
}

/* --- idle ----------------------------------------------------------------- */

int fw_strategy_idle(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                     fw_rng_t *rng, Flywheel__V1__Actions *out, fw_arena_t *arena)
{
    (void)ctx;
    (void)obs;
    (void)rng;
    (void)out;
    (void)arena;
    return FW_STRATEGY_OK;
}
