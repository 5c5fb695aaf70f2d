/* Tests of the built-in strategies and the seat core, without a network: each
 * strategy on a hand-built TickStart gives the expected kind of actions, the same seed
 * and observation give byte-identical Actions, Welcome.params parsing survives bad
 * input, and fw_agent_seat_on_message maps Welcome + TickStart to an Actions envelope,
 * Bye to the end of the run and a fatal Refusal to "refused". */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "fw_agent.h"
#include "fw_agent_run.h"
#include "fw_arena.h"
#include "fw_proto.h"
#include "fw_rng.h"
#include "fw_strategy.h"
#include "fw_known_params.h"
#include "fw_testproc.h"

#define M(name) Flywheel__V1__##name
#define ROLE(r) FLYWHEEL__V1__ROLE__ROLE_##r
#define MAXN 16

/* --- fixtures ---------------------------------------------------------------
 * A small market: NVIDIA makes hopper and blackwell, AMD makes mi300, AWS's trainium
 * is captive to aws and Google's tpu to google. Everything lives in one arena. */

typedef struct {
    fw_arena_t *a;
    M(ChipFamily) *fam[MAXN];
    size_t n_fam;
    M(SeatInfo) *seats[MAXN];
    size_t n_seats;
    M(TickStart) ts;
    M(MarketView) market;
    M(SeatView) me;
    fw_strategy_params_t params;
    fw_strategy_ctx_t ctx;
} world_t;

static void add_family(world_t *w, const char *id, const char *vendor, uint32_t perf_milli,
                       int64_t unit_cost, const char *captive_of)
{
    M(ChipFamily) *f = fw_arena_calloc(w->a, 1, sizeof *f);
    flywheel__v1__chip_family__init(f);
    f->id = fw_arena_strdup(w->a, id);
    f->vendor = fw_arena_strdup(w->a, vendor);
    f->perf_milli = perf_milli;
    f->unit_cost = unit_cost;
    f->lead_time = 3;
    f->life = 48;
    f->captive_of = fw_arena_strdup(w->a, captive_of);
    w->fam[w->n_fam++] = f;
}

static void add_seat(world_t *w, const char *id, M(Role) role)
{
    M(SeatInfo) *s = fw_arena_calloc(w->a, 1, sizeof *s);
    flywheel__v1__seat_info__init(s);
    s->id = fw_arena_strdup(w->a, id);
    s->name = fw_arena_strdup(w->a, id);
    s->role = role;
    w->seats[w->n_seats++] = s;
}

static void world_init(world_t *w, const char *seat, M(Role) role, const char *params)
{
    memset(w, 0, sizeof *w);
    w->a = fw_arena_new();
    cr_assert_not_null(w->a);
    add_family(w, "hopper", "nvda", 1000, 10000, "");
    add_family(w, "blackwell", "nvda", 2500, 15000, "");
    add_family(w, "mi300", "amd", 1100, 8000, "");
    add_family(w, "trainium", "aws", 700, 4000, "aws");
    add_family(w, "tpu", "google", 1200, 5000, "google");
    add_seat(w, "aws", ROLE(HYPERSCALER));
    add_seat(w, "google", ROLE(HYPERSCALER));
    add_seat(w, "oai", ROLE(LAB));
    add_seat(w, "nvda", ROLE(VENDOR));
    add_seat(w, "amd", ROLE(VENDOR));

    flywheel__v1__tick_start__init(&w->ts);
    flywheel__v1__market_view__init(&w->market);
    flywheel__v1__seat_view__init(&w->me);
    w->ts.tick = 2;
    w->ts.month = (char *)"2024-02";
    w->ts.market = &w->market;
    w->ts.me = &w->me;
    w->market.chip_quotes = fw_arena_calloc(w->a, MAXN, sizeof(void *));
    w->market.compute_quotes = fw_arena_calloc(w->a, MAXN, sizeof(void *));
    w->me.installed = fw_arena_calloc(w->a, MAXN, sizeof(void *));
    w->me.incoming = fw_arena_calloc(w->a, MAXN, sizeof(void *));
    w->me.capacity = fw_arena_calloc(w->a, MAXN, sizeof(void *));

    cr_assert_eq(fw_strategy_params_parse(params, &w->params, NULL, 0), 0);
    w->ctx.seat = seat;
    w->ctx.role = role;
    w->ctx.families = w->fam;
    w->ctx.n_families = w->n_fam;
    w->ctx.seats = w->seats;
    w->ctx.n_seats = w->n_seats;
    w->ctx.params = &w->params;
}

static void world_fini(world_t *w)
{
    fw_arena_destroy(&w->a);
}

static void chip_quote(world_t *w, const char *vendor, const char *family, int64_t price,
                       int64_t quantity)
{
    M(ChipQuote) *q = fw_arena_calloc(w->a, 1, sizeof *q);
    flywheel__v1__chip_quote__init(q);
    q->vendor = fw_arena_strdup(w->a, vendor);
    q->family = fw_arena_strdup(w->a, family);
    q->price = price;
    q->quantity = quantity;
    w->market.chip_quotes[w->market.n_chip_quotes++] = q;
}

static void compute_quote(world_t *w, const char *provider, const char *family,
                          int64_t price, int64_t capacity)
{
    M(ComputeQuote) *q = fw_arena_calloc(w->a, 1, sizeof *q);
    flywheel__v1__compute_quote__init(q);
    q->provider = fw_arena_strdup(w->a, provider);
    q->family = fw_arena_strdup(w->a, family);
    q->price = price;
    q->capacity = capacity;
    w->market.compute_quotes[w->market.n_compute_quotes++] = q;
}

static M(Holding) *holding(world_t *w, const char *family, int64_t units, int64_t compute)
{
    M(Holding) *h = fw_arena_calloc(w->a, 1, sizeof *h);
    flywheel__v1__holding__init(h);
    h->family = fw_arena_strdup(w->a, family);
    h->units = units;
    h->compute = compute;
    return h;
}

static void installed(world_t *w, const char *family, int64_t units, int64_t compute)
{
    w->me.installed[w->me.n_installed++] = holding(w, family, units, compute);
}

static void capacity(world_t *w, const char *family, int64_t units, int64_t unit_cost)
{
    M(Capacity) *c = fw_arena_calloc(w->a, 1, sizeof *c);
    flywheel__v1__capacity__init(c);
    c->family = fw_arena_strdup(w->a, family);
    c->units = units;
    c->unit_cost = unit_cost;
    w->me.capacity[w->me.n_capacity++] = c;
}

/* Runs a strategy on the world with a fresh stream seeded `seed`; the Actions live in
 * *arena (created here, destroyed by the caller). */
static M(Actions) run(const world_t *w, fw_strategy_fn fn, uint64_t seed,
                      fw_arena_t **arena)
{
    M(Actions) out = FLYWHEEL__V1__ACTIONS__INIT;
    fw_rng_t rng;
    fw_rng_seed(&rng, seed);
    *arena = fw_arena_new();
    cr_assert_not_null(*arena);
    cr_assert_eq(fn(&w->ctx, &w->ts, &rng, &out, *arena), FW_STRATEGY_OK);
    return out;
}

/* The Actions packed inside an envelope, for byte comparison; caller frees. */
static uint8_t *packed(M(Actions) *acts, size_t *len)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    uint8_t *buf = NULL;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.seq = 2;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    env.actions = acts;
    cr_assert_eq(fw_proto_pack(&env, &buf, len), 0);
    return buf;
}

static bool same_bytes(M(Actions) *x, M(Actions) *y)
{
    size_t lx, ly;
    uint8_t *bx = packed(x, &lx), *by = packed(y, &ly);
    bool same = lx == ly && memcmp(bx, by, lx) == 0;
    free(bx);
    free(by);
    return same;
}

static const M(ChipFamily) *family(const world_t *w, const char *id)
{
    const M(ChipFamily) *f = fw_strategy_family(&w->ctx, id);
    cr_assert_not_null(f, "no family %s", id);
    return f;
}

/* --- registry ---------------------------------------------------------------- */

Test(fw_strategy, registry_names_every_strategy_and_role_default)
{
    const char *names[] = {"hyperscaler", "lab", "vendor", "idle"};
    for (size_t i = 0; i < 4; i++)
        cr_assert_not_null(fw_strategy_find(names[i]), "%s missing", names[i]);
    cr_assert_eq(fw_strategy_count(), 4);
    cr_assert_null(fw_strategy_find("greedy"));
    cr_assert_null(fw_strategy_find(NULL));
    cr_assert_str_eq(fw_strategy_for_role(ROLE(HYPERSCALER))->name, "hyperscaler");
    cr_assert_str_eq(fw_strategy_for_role(ROLE(LAB))->name, "lab");
    cr_assert_str_eq(fw_strategy_for_role(ROLE(VENDOR))->name, "vendor");
    cr_assert_null(fw_strategy_for_role(ROLE(UNSPECIFIED)));
    cr_assert(fw_strategy_can_play(fw_strategy_find("idle"), ROLE(LAB)));
    cr_assert(fw_strategy_can_play(fw_strategy_find("idle"), ROLE(VENDOR)));
    cr_assert(!fw_strategy_can_play(fw_strategy_find("vendor"), ROLE(LAB)));
    char buf[128];
    cr_assert_str_eq(fw_strategy_names(buf, sizeof buf), "hyperscaler, lab, vendor, idle");
    char tiny[8];
    fw_strategy_names(tiny, sizeof tiny);
    cr_assert_eq(strlen(tiny), 7, "truncated, NUL-terminated");
    cr_assert_eq(fw_strategy_role_parse("lab"), ROLE(LAB));
    cr_assert_eq(fw_strategy_role_parse("cloud"), ROLE(UNSPECIFIED));
}

/* --- parameters ------------------------------------------------------------- */

Test(fw_strategy, params_parse_key_value_pairs)
{
    fw_strategy_params_t p;
    cr_assert_eq(fw_strategy_params_parse("a=1;b=2.5", &p, NULL, 0), 0);
    cr_assert_eq(p.n, 2);
    cr_assert_float_eq(fw_strategy_param(&p, "a", 0), 1.0, 1e-12);
    cr_assert_float_eq(fw_strategy_param(&p, "b", 0), 2.5, 1e-12);
    cr_assert_float_eq(fw_strategy_param(&p, "c", 7.0), 7.0, 1e-12);
    cr_assert_float_eq(fw_strategy_param(NULL, "a", 3.0), 3.0, 1e-12);

    cr_assert_eq(fw_strategy_params_parse(" max_price = 2400 ; ;price_step=-0.5e-1;", &p,
                                          NULL, 0), 0);
    cr_assert_eq(p.n, 2);
    cr_assert_float_eq(fw_strategy_param(&p, "max_price", 0), 2400.0, 1e-12);
    cr_assert_float_eq(fw_strategy_param(&p, "price_step", 0), -0.05, 1e-12);

    cr_assert_eq(fw_strategy_params_parse("a=1;a=2", &p, NULL, 0), 0);
    cr_assert_eq(p.n, 1);
    cr_assert_float_eq(fw_strategy_param(&p, "a", 0), 2.0, 1e-12, "last value wins");

    cr_assert_eq(fw_strategy_params_parse(NULL, &p, NULL, 0), 0);
    cr_assert_eq(p.n, 0);
    cr_assert_eq(fw_strategy_params_parse("", &p, NULL, 0), 0);
    cr_assert_eq(p.n, 0);
}

Test(fw_strategy, params_malformed_pairs_are_reported_and_skipped)
{
    fw_strategy_params_t p;
    char err[128];
    cr_assert_eq(fw_strategy_params_parse("a=1;bogus;c=x;d=3", &p, err, sizeof err),
                 FW_STRATEGY_EPARAMS);
    cr_assert_eq(p.n, 2);
    cr_assert_float_eq(fw_strategy_param(&p, "a", 0), 1.0, 1e-12);
    cr_assert_float_eq(fw_strategy_param(&p, "d", 0), 3.0, 1e-12);
    cr_assert_float_eq(fw_strategy_param(&p, "c", 9.0), 9.0, 1e-12);
    cr_assert(strstr(err, "bogus"), "first problem named: %s", err);

    const char *bad[] = {"=5", "k=", "k=inf", "k=nan", "k=1e999", "k=12abc", "k y=1",
                         "a_key_that_is_far_too_long_to_keep_around=1", "k==1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(fw_strategy_params_parse(bad[i], &p, err, sizeof err),
                     FW_STRATEGY_EPARAMS, "'%s' accepted", bad[i]);
        cr_assert_eq(p.n, 0, "'%s' kept", bad[i]);
        cr_assert_gt(strlen(err), 0);
    }

    /* More pairs than fit: the first FW_STRATEGY_MAX_PARAMS are kept. */
    char many[2048] = "";
    for (int i = 0; i < FW_STRATEGY_MAX_PARAMS + 3; i++) {
        char pair[32];
        snprintf(pair, sizeof pair, "k%d=%d;", i, i);
        strcat(many, pair);
    }
    cr_assert_eq(fw_strategy_params_parse(many, &p, NULL, 0), FW_STRATEGY_EPARAMS);
    cr_assert_eq(p.n, FW_STRATEGY_MAX_PARAMS);
    cr_assert_float_eq(fw_strategy_param(&p, "k31", -1), 31.0, 1e-12);
    cr_assert_float_eq(fw_strategy_param(&p, "k32", -1), -1.0, 1e-12);
}

/* --- building Actions --------------------------------------------------------- */

Test(fw_strategy, actions_builder_keeps_every_entry_in_order)
{
    fw_arena_t *a = fw_arena_new();
    M(Actions) acts = FLYWHEEL__V1__ACTIONS__INIT;
    char fam[16];
    for (int i = 0; i < 100; i++) {
        snprintf(fam, sizeof fam, "f%d", i);
        fw_actions_add_chip_offer(&acts, a, fam, 1000 + i, i);
        fw_actions_add_compute_bid(&acts, a, "aws", fam, i, 2000 + i);
    }
    fam[0] = 'X'; /* the builder copied the strings */
    cr_assert_eq(acts.n_chip_offers, 100);
    cr_assert_eq(acts.n_compute_bids, 100);
    for (int i = 0; i < 100; i++) {
        char want[16];
        snprintf(want, sizeof want, "f%d", i);
        cr_assert_str_eq(acts.chip_offers[i]->family, want);
        cr_assert_eq(acts.chip_offers[i]->price, 1000 + i);
        cr_assert_str_eq(acts.compute_bids[i]->provider, "aws");
        cr_assert_eq(acts.compute_bids[i]->max_price, 2000 + i);
    }
    fw_arena_destroy(&a);
}

Test(fw_strategy, round_saturates_and_maps_nan_to_zero)
{
    cr_assert_eq(fw_strategy_round(2.5), 3);
    cr_assert_eq(fw_strategy_round(-2.5), -3);
    cr_assert_eq(fw_strategy_round(1e30), INT64_MAX);
    cr_assert_eq(fw_strategy_round(-1e30), INT64_MIN);
    cr_assert_eq(fw_strategy_round(NAN), 0);
}

/* --- lookups ---------------------------------------------------------------------- */

Test(fw_strategy, family_index_finds_every_family_from_any_hint)
{
    world_t w;
    world_init(&w, "aws", ROLE(HYPERSCALER), "");
    for (size_t hint = 0; hint <= w.n_fam + 2; hint++) {
        for (size_t k = 0; k < w.n_fam; k++)
            cr_assert_eq(fw_strategy_family_index(&w.ctx, w.fam[k]->id, hint), k,
                         "%s from hint %zu", w.fam[k]->id, hint);
        cr_assert_eq(fw_strategy_family_index(&w.ctx, "gaudi", hint), w.n_fam);
    }
    world_fini(&w);
}

/* The first of m's compute quotes from `provider` for `family`, scanning in list
 * order: what fw_strategy_compute_quote must answer. */
static const M(ComputeQuote) *scan_quote(const M(MarketView) *m, const char *provider,
                                         const char *family)
{
    for (size_t i = 0; i < m->n_compute_quotes; i++)
        if (strcmp(m->compute_quotes[i]->provider, provider) == 0 &&
            strcmp(m->compute_quotes[i]->family, family) == 0)
            return m->compute_quotes[i];
    return NULL;
}

/* Every (provider, family) pair of the world, and some that are not there, looked up
 * through the span gives what a scan gives. */
static void assert_lookups_match_a_scan(const world_t *w)
{
    const char *providers[] = {"",          "aaa",    "aws",    "azure",
                               "coreweave", "google", "oracle", "zzz"};
    const char *families[] = {"hopper", "blackwell", "mi300", "trainium", "tpu", "gaudi"};
    for (size_t p = 0; p < sizeof providers / sizeof *providers; p++) {
        fw_quote_span_t span = fw_strategy_provider_quotes(&w->market, providers[p]);
        for (size_t f = 0; f < sizeof families / sizeof *families; f++)
            cr_assert_eq(
                fw_strategy_compute_quote(&w->market, span, providers[p], families[f]),
                scan_quote(&w->market, providers[p], families[f]), "%s %s", providers[p],
                families[f]);
    }
}

Test(fw_strategy, provider_quotes_bisect_a_list_in_provider_then_family_order)
{
    world_t w;
    world_init(&w, "aws", ROLE(HYPERSCALER), "");
    compute_quote(&w, "aws", "hopper", 2000, 300);
    compute_quote(&w, "aws", "trainium", 1800, 200);
    compute_quote(&w, "azure", "hopper", 1800, 500);
    compute_quote(&w, "coreweave", "blackwell", 2600, 50);
    compute_quote(&w, "coreweave", "hopper", 1000, 0);
    compute_quote(&w, "google", "tpu", 1900, 400);
    compute_quote(&w, "oracle", "hopper", 3000, 10000);

    fw_quote_span_t span = fw_strategy_provider_quotes(&w.market, "coreweave");
    cr_assert(span.exact && span.by_family);
    cr_assert_eq(span.begin, 3);
    cr_assert_eq(span.end, 5);
    cr_assert_eq(fw_strategy_compute_quote(&w.market, span, "coreweave", "hopper"),
                 w.market.compute_quotes[4]);
    cr_assert_null(fw_strategy_compute_quote(&w.market, span, "coreweave", "tpu"));
    span = fw_strategy_provider_quotes(&w.market, "aws");
    cr_assert(span.exact);
    cr_assert_eq(span.begin, 0);
    cr_assert_eq(span.end, 2);
    /* "dell" sorts between coreweave and google. */
    span = fw_strategy_provider_quotes(&w.market, "dell");
    cr_assert(span.exact);
    cr_assert_eq(span.begin, span.end, "no quotes, an empty span");
    cr_assert_eq(span.begin, 5);
    assert_lookups_match_a_scan(&w);

    /* In provider order but not in family order: still exact, scanned within. */
    M(ComputeQuote) *swap = w.market.compute_quotes[3];
    w.market.compute_quotes[3] = w.market.compute_quotes[4];
    w.market.compute_quotes[4] = swap;
    span = fw_strategy_provider_quotes(&w.market, "coreweave");
    cr_assert(span.exact && !span.by_family);
    cr_assert_eq(span.end - span.begin, 2);
    assert_lookups_match_a_scan(&w);

    /* A house bot's view shares one string per provider: the same answers. */
    for (size_t i = 1; i < w.market.n_compute_quotes; i++)
        if (strcmp(w.market.compute_quotes[i]->provider,
                   w.market.compute_quotes[i - 1]->provider) == 0)
            w.market.compute_quotes[i]->provider = w.market.compute_quotes[i - 1]->provider;
    assert_lookups_match_a_scan(&w);
    world_fini(&w);
}

Test(fw_strategy, provider_quotes_fall_back_to_a_scan_in_any_other_order)
{
    world_t w;
    world_init(&w, "aws", ROLE(HYPERSCALER), "");
    compute_quote(&w, "google", "tpu", 1900, 400);
    compute_quote(&w, "aws", "hopper", 2000, 300);
    compute_quote(&w, "azure", "hopper", 1800, 500);
    compute_quote(&w, "aws", "trainium", 1800, 200);
    compute_quote(&w, "aws", "hopper", 2100, 100); /* a second one: the first counts */
    compute_quote(&w, "oracle", "hopper", 3000, 10000);

    fw_quote_span_t span = fw_strategy_provider_quotes(&w.market, "aws");
    cr_assert(!span.exact && !span.by_family);
    cr_assert_eq(span.begin, 0);
    cr_assert_eq(span.end, w.market.n_compute_quotes, "the whole list");
    cr_assert_eq(fw_strategy_compute_quote(&w.market, span, "aws", "hopper"),
                 w.market.compute_quotes[1]);
    assert_lookups_match_a_scan(&w);

    /* Sorted but for the last pair. */
    world_fini(&w);
    world_init(&w, "aws", ROLE(HYPERSCALER), "");
    compute_quote(&w, "aws", "hopper", 2000, 300);
    compute_quote(&w, "azure", "hopper", 1800, 500);
    compute_quote(&w, "oracle", "hopper", 3000, 10000);
    compute_quote(&w, "google", "tpu", 1900, 400);
    cr_assert(!fw_strategy_provider_quotes(&w.market, "google").exact);
    assert_lookups_match_a_scan(&w);

    /* No view, or no quotes: nothing found. */
    span = fw_strategy_provider_quotes(NULL, "aws");
    cr_assert_eq(span.begin, span.end);
    cr_assert_null(fw_strategy_compute_quote(NULL, span, "aws", "hopper"));
    w.market.n_compute_quotes = 0;
    span = fw_strategy_provider_quotes(&w.market, "aws");
    cr_assert_eq(span.begin, span.end);
    cr_assert_null(fw_strategy_compute_quote(&w.market, span, "aws", "hopper"));
    world_fini(&w);
}

/* --- vendor ---------------------------------------------------------------------- */

/* Reverses a world's chip and compute quote lists. */
static void reverse_quotes(world_t *w)
{
    M(MarketView) *m = &w->market;
    for (size_t i = 0, j = m->n_chip_quotes; j > 0 && i < j - 1; i++, j--) {
        M(ChipQuote) *t = m->chip_quotes[i];
        m->chip_quotes[i] = m->chip_quotes[j - 1];
        m->chip_quotes[j - 1] = t;
    }
    for (size_t i = 0, j = m->n_compute_quotes; j > 0 && i < j - 1; i++, j--) {
        M(ComputeQuote) *t = m->compute_quotes[i];
        m->compute_quotes[i] = m->compute_quotes[j - 1];
        m->compute_quotes[j - 1] = t;
    }
}


Test(fw_strategy, vendor_offers_only_its_own_families_at_or_above_the_floor)
{
    world_t w;
    world_init(&w, "nvda", ROLE(VENDOR), "");
    capacity(&w, "hopper", 500, 10000);
    capacity(&w, "blackwell", 200, 15000);
    capacity(&w, "mi300", 300, 8000);   /* AMD's: never ours to sell */
    capacity(&w, "unknown", 300, 8000); /* not in the Welcome */
    capacity(&w, "hopper_zero", 0, 1);
    fw_arena_t *a;
    M(Actions) acts = run(&w, fw_strategy_vendor, 42, &a);

    cr_assert_eq(acts.n_chip_offers, 2);
    cr_assert_eq(acts.n_chip_orders + acts.n_compute_offers + acts.n_compute_bids, 0);
    for (size_t i = 0; i < acts.n_chip_offers; i++) {
        const M(ChipOffer) *o = acts.chip_offers[i];
        const M(ChipFamily) *f = family(&w, o->family);
        cr_assert_str_eq(f->vendor, "nvda");
        cr_assert_geq(o->price, (int64_t)ceil((double)f->unit_cost * 1.2));
        /* No quote yet: about 3x unit cost, within the jitter. */
        cr_assert_geq(o->price, (int64_t)floor(3.0 * (double)f->unit_cost * 0.995));
        cr_assert_leq(o->price, (int64_t)ceil(3.0 * (double)f->unit_cost * 1.005));
    }
    cr_assert_str_eq(acts.chip_offers[0]->family, "hopper");
    cr_assert_eq(acts.chip_offers[0]->quantity, 500);
    cr_assert_eq(acts.chip_offers[1]->quantity, 200);
    fw_arena_destroy(&a);
    world_fini(&w);
}

/* The price a vendor offers hopper at, from a last quote of 30000 for 100 units and
 * `ordered` units asked for last tick. */
static int64_t s_vendor_price(const char *params, int64_t ordered)
{
    world_t w;
    fw_arena_t *a;
    world_init(&w, "nvda", ROLE(VENDOR), params);
    capacity(&w, "hopper", 100, 10000);
    w.me.capacity[0]->ordered = ordered;
    chip_quote(&w, "nvda", "hopper", 30000, 100);
    M(Actions) acts = run(&w, fw_strategy_vendor, 1, &a);
    cr_assert_eq(acts.n_chip_offers, 1);
    int64_t price = acts.chip_offers[0]->price;
    fw_arena_destroy(&a);
    world_fini(&w);
    return price;
}

Test(fw_strategy, vendor_price_follows_the_familys_orders_within_two_steps)
{
    /* Sold out (ordered = offered) -> up ~3%; rationed 2:1 -> up ~6%; 5:1 -> still ~6%. */
    int64_t sold_out = s_vendor_price("", 100);
    cr_assert_geq(sold_out, (int64_t)(30000 * 1.03 * 0.995));
    cr_assert_leq(sold_out, (int64_t)(30000 * 1.03 * 1.005) + 1);
    int64_t rationed = s_vendor_price("", 200);
    cr_assert_geq(rationed, (int64_t)(30000 * 1.06 * 0.995));
    cr_assert_leq(rationed, (int64_t)(30000 * 1.06 * 1.005) + 1);
    cr_assert_eq(s_vendor_price("", 500), rationed, "bounded at twice price_step");
    /* Slack: half ordered or less -> down a full step; 74% -> about half a step. */
    int64_t slack = s_vendor_price("", 50);
    cr_assert_geq(slack, (int64_t)(30000 * 0.97 * 0.995));
    cr_assert_leq(slack, (int64_t)(30000 * 0.97 * 1.005) + 1);
    int64_t some = s_vendor_price("", 74);
    cr_assert_gt(some, slack);
    cr_assert_lt(some, sold_out);
}

Test(fw_strategy, vendor_price_follows_sell_through)
{
    world_t w;
    fw_arena_t *a;
    M(Actions) acts;

    /* A quarter ordered -> down ~10%. */
    world_init(&w, "nvda", ROLE(VENDOR), "price_step=0.1");
    capacity(&w, "hopper", 100, 10000);
    w.me.capacity[0]->ordered = 25;
    chip_quote(&w, "nvda", "hopper", 30000, 100);
    acts = run(&w, fw_strategy_vendor, 1, &a);
    cr_assert_geq(acts.chip_offers[0]->price, (int64_t)(30000 * 0.9 * 0.995));
    cr_assert_leq(acts.chip_offers[0]->price, (int64_t)(30000 * 0.9 * 1.005) + 1);
    fw_arena_destroy(&a);
    world_fini(&w);

    /* A low quote never drags the price under unit cost * (1 + min_margin). */
    world_init(&w, "nvda", ROLE(VENDOR), "min_margin=0.5");
    capacity(&w, "hopper", 100, 10000);
    chip_quote(&w, "nvda", "hopper", 9000, 100);
    acts = run(&w, fw_strategy_vendor, 1, &a);
    cr_assert_eq(acts.chip_offers[0]->price, 15000);
    fw_arena_destroy(&a);
    world_fini(&w);
}

Test(fw_strategy, vendor_reads_its_own_quotes_in_any_order)
{
    world_t w1, w2;
    for (int k = 0; k < 2; k++) {
        world_t *w = k ? &w2 : &w1;
        world_init(w, "nvda", ROLE(VENDOR), "");
        capacity(w, "hopper", 100, 10000);
        capacity(w, "blackwell", 50, 15000);
        w->me.capacity[0]->ordered = 100;
        w->me.capacity[1]->ordered = 50; /* sold out: up ~3% */
        chip_quote(w, "nvda", "hopper", 30000, 100);
        chip_quote(w, "nvda", "blackwell", 50000, 50);
        chip_quote(w, "amd", "mi300", 20000, 100);
        w->me.revenue_last = 30000 * 100 + 50000 * 50; /* sold out: up ~3% */
    }
    reverse_quotes(&w2);
    fw_arena_t *a1, *a2;
    M(Actions) x = run(&w1, fw_strategy_vendor, 5, &a1);
    M(Actions) y = run(&w2, fw_strategy_vendor, 5, &a2);
    cr_assert(same_bytes(&x, &y));
    cr_assert_eq(x.n_chip_offers, 2);
    cr_assert_str_eq(x.chip_offers[1]->family, "blackwell");
    cr_assert_geq(x.chip_offers[1]->price, (int64_t)(50000 * 1.03 * 0.995));
    cr_assert_leq(x.chip_offers[1]->price, (int64_t)(50000 * 1.03 * 1.005) + 1);
    fw_arena_destroy(&a1);
    fw_arena_destroy(&a2);
    world_fini(&w1);
    world_fini(&w2);
}

/* --- hyperscaler ------------------------------------------------------------------ */

/* AWS with a small fleet and quotes for every family. */
static void aws_world(world_t *w, const char *params)
{
    world_init(w, "aws", ROLE(HYPERSCALER), params);
    chip_quote(w, "nvda", "hopper", 25000, 100000);
    chip_quote(w, "nvda", "blackwell", 40000, 100000);
    chip_quote(w, "amd", "mi300", 15000, 100000);
    chip_quote(w, "aws", "trainium", 8000, 100000);
    chip_quote(w, "google", "tpu", 6000, 100000); /* cheapest per H100, but Google's */
    w->me.cash = 50000000000LL;
    w->me.chip_spend_last = 1000000000LL; /* last tick's plan was met: nothing to carry */
}

Test(fw_strategy, hyperscaler_never_orders_a_family_captive_to_another_cloud)
{
    world_t w;
    aws_world(&w, "");
    installed(&w, "hopper", 1000, 1000);
    w.me.compute_last = 0; /* idle, but the fleet is small: build it */
    fw_arena_t *a;
    M(Actions) acts = run(&w, fw_strategy_hyperscaler, 7, &a);

    cr_assert_gt(acts.n_chip_orders, 0);
    bool trainium = false;
    double spend = 0;
    for (size_t i = 0; i < acts.n_chip_orders; i++) {
        const M(ChipOrder) *o = acts.chip_orders[i];
        const M(ChipFamily) *f = family(&w, o->family);
        cr_assert(f->captive_of[0] == '\0' || strcmp(f->captive_of, "aws") == 0,
                  "ordered %s, captive to %s", o->family, f->captive_of);
        cr_assert_gt(o->quantity, 0);
        trainium |= strcmp(o->family, "trainium") == 0;
        int64_t quote = 0;
        for (size_t j = 0; j < w.market.n_chip_quotes; j++)
            if (strcmp(w.market.chip_quotes[j]->family, o->family) == 0)
                quote = w.market.chip_quotes[j]->price;
        cr_assert_eq(o->max_price, (int64_t)ceil((double)quote * 1.05));
        spend += (double)o->quantity * (double)quote;
    }
    cr_assert(trainium, "its own captive family is bought");
    cr_assert_leq(spend, 1e9, "capex_per_tick caps the spend");
    cr_assert_gt(spend, 0.9e9, "most of the budget is used");
    fw_arena_destroy(&a);
    world_fini(&w);
}

Test(fw_strategy, hyperscaler_budget_is_capped_by_cash_and_skips_unquoted_families)
{
    world_t w;
    world_init(&w, "aws", ROLE(HYPERSCALER), "capex_per_tick=5e9");
    chip_quote(&w, "nvda", "hopper", 25000, 1000000);
    w.me.cash = 100000000; /* 30% = 30M */
    fw_arena_t *a;
    M(Actions) acts = run(&w, fw_strategy_hyperscaler, 7, &a);
    cr_assert_eq(acts.n_chip_orders, 1, "only the quoted family");
    cr_assert_str_eq(acts.chip_orders[0]->family, "hopper");
    cr_assert_eq(acts.chip_orders[0]->quantity, 30000000 / 25000);
    cr_assert_eq(acts.n_compute_offers, 0, "nothing installed, nothing to sell");
    fw_arena_destroy(&a);
    world_fini(&w);

    world_init(&w, "aws", ROLE(HYPERSCALER), "");
    chip_quote(&w, "nvda", "hopper", 25000, 1000000);
    w.me.cash = -5;
    acts = run(&w, fw_strategy_hyperscaler, 7, &a);
    cr_assert_eq(acts.n_chip_orders, 0, "no cash, no orders");
    fw_arena_destroy(&a);
    world_fini(&w);
}

Test(fw_strategy, hyperscaler_offers_no_more_compute_than_installed)
{
    world_t w;
    aws_world(&w, "");
    installed(&w, "hopper", 10000, 10000);
    installed(&w, "trainium", 40000, 28000);
    installed(&w, "hopper", 5000, 5000); /* a later batch of the same family */
    installed(&w, "mi300", 0, 0);
    w.me.compute_last = 40000; /* 93% busy */
    compute_quote(&w, "aws", "hopper", 2000, 15000);
    compute_quote(&w, "google", "hopper", 1500, 9000);
    fw_arena_t *a;
    M(Actions) acts = run(&w, fw_strategy_hyperscaler, 7, &a);

    cr_assert_eq(acts.n_compute_offers, 2);
    cr_assert_str_eq(acts.compute_offers[0]->family, "hopper");
    cr_assert_eq(acts.compute_offers[0]->capacity, 15000);
    cr_assert_str_eq(acts.compute_offers[1]->family, "trainium");
    cr_assert_eq(acts.compute_offers[1]->capacity, 28000);
    /* Busy: its own hopper price goes up ~2%; trainium has no quote: the opening price. */
    cr_assert_geq(acts.compute_offers[0]->price, (int64_t)(2000 * 1.02 * 0.995));
    cr_assert_leq(acts.compute_offers[0]->price, (int64_t)(2000 * 1.02 * 1.005) + 1);
    cr_assert_geq(acts.compute_offers[1]->price, (int64_t)(1800 * 0.995));
    cr_assert_leq(acts.compute_offers[1]->price, (int64_t)(1800 * 1.005) + 1);
    cr_assert_gt(acts.n_chip_orders, 0, "busy fleet: it buys");
    fw_arena_destroy(&a);
    world_fini(&w);
}

Test(fw_strategy, hyperscaler_idle_fleet_cuts_price_and_buys_nothing)
{
    world_t w;
    aws_world(&w, "min_price=1000");
    installed(&w, "hopper", 100000, 100000);
    w.me.compute_last = 20000; /* 20% busy */
    compute_quote(&w, "aws", "hopper", 1010, 100000);
    fw_arena_t *a;
    M(Actions) acts = run(&w, fw_strategy_hyperscaler, 7, &a);
    cr_assert_eq(acts.n_chip_orders, 0);
    cr_assert_eq(acts.n_compute_offers, 1);
    cr_assert_eq(acts.compute_offers[0]->price, 1000, "down, but floored at min_price");
    fw_arena_destroy(&a);
    world_fini(&w);
}

/* A cloud (not running idle compute itself) with 100k H100-eq months in service, of
 * which it sold `sold` last tick while labs bid for `asked`, at tick `tick`. */
static void s_cloud(world_t *w, const char *params, uint32_t tick, int64_t sold, int64_t asked)
{
    aws_world(w, params);
    w->ts.tick = tick;
    installed(w, "hopper", 100000, 100000);
    w->me.installed[0]->sold = sold;
    w->me.installed[0]->asked = asked;
    w->me.compute_last = sold;
    compute_quote(w, "aws", "hopper", 2000, 100000);
}

/* What the cloud's chip orders would cost at the quotes. */
static double s_order_spend(const world_t *w, const M(Actions) *acts)
{
    double spend = 0;
    for (size_t i = 0; i < acts->n_chip_orders; i++)
        for (size_t j = 0; j < w->market.n_chip_quotes; j++)
            if (strcmp(w->market.chip_quotes[j]->family, acts->chip_orders[i]->family) == 0)
                spend += (double)acts->chip_orders[i]->quantity *
                         (double)w->market.chip_quotes[j]->price;
    return spend;
}

Test(fw_strategy, hyperscaler_oversubscribed_for_several_ticks_raises_its_capex_plan)
{
    for (uint32_t tick = 3; tick <= 8; tick++) {
        world_t busy, over;
        s_cloud(&busy, "capex_growth=0.02", tick, 85000, 85000);  /* at target, no backlog */
        s_cloud(&over, "capex_growth=0.02", tick, 100000, 150000); /* rationed: 50k unmet */
        fw_capex_plan_t b = fw_strategy_capex_plan(&busy.ctx, &busy.ts);
        fw_capex_plan_t o = fw_strategy_capex_plan(&over.ctx, &over.ts);
        cr_assert_float_eq(b.prior, 1e9 * pow(1.02, tick - 1), 1.0);
        cr_assert_float_eq(b.factor, 1.0, 1e-9, "at target utilisation, no backlog: the prior");
        cr_assert_float_eq(o.backlog, 0.5, 1e-9);
        /* 1 + 1 x 0.5 (backlog) + 1 x (1.0 - 0.85) (utilisation) */
        cr_assert_float_eq(o.factor, 1.65, 1e-9);
        cr_assert_gt(o.plan, 1.6 * b.plan);

        fw_arena_t *a1, *a2;
        M(Actions) x = run(&busy, fw_strategy_hyperscaler, 3, &a1);
        M(Actions) y = run(&over, fw_strategy_hyperscaler, 3, &a2);
        cr_assert_gt(s_order_spend(&over, &y), 1.5 * s_order_spend(&busy, &x),
                     "tick %u: the backlog buys more chips", tick);
        fw_arena_destroy(&a1);
        fw_arena_destroy(&a2);
        world_fini(&busy);
        world_fini(&over);
    }
}

Test(fw_strategy, hyperscaler_with_idle_compute_lowers_its_capex_plan)
{
    world_t busy, idle, own;
    s_cloud(&busy, "", 6, 85000, 85000);
    s_cloud(&idle, "", 6, 70000, 70000); /* 70% busy: still buys, less */
    fw_capex_plan_t b = fw_strategy_capex_plan(&busy.ctx, &busy.ts);
    fw_capex_plan_t i = fw_strategy_capex_plan(&idle.ctx, &idle.ts);
    cr_assert_float_eq(i.factor, 1.0 + (0.70 - 0.85), 1e-9);
    cr_assert_lt(i.plan, b.plan);
    fw_arena_t *a1, *a2;
    M(Actions) x = run(&busy, fw_strategy_hyperscaler, 3, &a1);
    M(Actions) y = run(&idle, fw_strategy_hyperscaler, 3, &a2);
    cr_assert_lt(s_order_spend(&idle, &y), 0.9 * s_order_spend(&busy, &x));
    fw_arena_destroy(&a1);
    fw_arena_destroy(&a2);

    /* A cloud that runs idle compute itself is judged by its return instead: 1% a
     * month on its equipment, under the 4% hurdle, lowers the plan; 8% raises it. */
    s_cloud(&own, "internal_use=1", 6, 10000, 10000);
    own.me.equipment = 1000000000;
    own.me.base_revenue = 50000000;
    own.me.revenue_last = 50000000 + 10000000;
    fw_capex_plan_t low = fw_strategy_capex_plan(&own.ctx, &own.ts);
    cr_assert_float_eq(low.ret, 0.01, 1e-12);
    cr_assert_float_eq(low.factor, 1.0 - 0.2 * 0.75, 1e-9);
    own.me.revenue_last = 50000000 + 80000000;
    fw_capex_plan_t high = fw_strategy_capex_plan(&own.ctx, &own.ts);
    cr_assert_float_eq(high.factor, 1.2, 1e-9, "the return term is at most capex_return");
    world_fini(&busy);
    world_fini(&idle);
    world_fini(&own);
}

Test(fw_strategy, hyperscaler_capex_factor_stays_within_its_bounds)
{
    world_t w;
    s_cloud(&w, "", 6, 100000, 10000000); /* labs asked for 100x its fleet */
    cr_assert_float_eq(fw_strategy_capex_plan(&w.ctx, &w.ts).factor, 2.0, 1e-12);
    world_fini(&w);
    s_cloud(&w, "capex_max_factor=1.25", 6, 100000, 10000000);
    cr_assert_float_eq(fw_strategy_capex_plan(&w.ctx, &w.ts).factor, 1.25, 1e-12);
    world_fini(&w);
    s_cloud(&w, "", 6, 0, 0); /* nothing sold at all */
    cr_assert_float_eq(fw_strategy_capex_plan(&w.ctx, &w.ts).factor, 0.5, 1e-12);
    world_fini(&w);
}

Test(fw_strategy, hyperscaler_reinvests_what_the_labs_it_backs_pay_it)
{
    world_t w;
    s_cloud(&w, "", 13, 85000, 85000);
    fw_capex_plan_t before = fw_strategy_capex_plan(&w.ctx, &w.ts);
    cr_assert_float_eq(before.reinvest, 0.0, 1e-12);
    M(Deal) *d = fw_arena_calloc(w.a, 1, sizeof *d);
    flywheel__v1__deal__init(d);
    d->investor = (char *)"aws";
    d->lab = (char *)"oai";
    d->signed_tick = 1;
    d->returned = 1200000000; /* 1.2B over 12 ticks: 100M a month */
    M(Deal) *theirs = fw_arena_calloc(w.a, 1, sizeof *theirs);
    flywheel__v1__deal__init(theirs);
    theirs->investor = (char *)"google";
    theirs->lab = (char *)"oai";
    theirs->returned = 5000000000;
    M(Deal) *deals[2] = {d, theirs};
    w.me.deals = deals;
    w.me.n_deals = 2;
    fw_capex_plan_t after = fw_strategy_capex_plan(&w.ctx, &w.ts);
    cr_assert_float_eq(after.reinvest, 0.5 * 1e8, 1.0, "half of 100M a month; not Google's deal");
    cr_assert_float_eq(after.plan, before.plan + 5e7, 1.0);
    world_fini(&w);
}

Test(fw_strategy, hyperscaler_reads_its_own_quotes_in_any_order)
{
    world_t w1, w2;
    for (int k = 0; k < 2; k++) {
        world_t *w = k ? &w2 : &w1;
        aws_world(w, "");
        installed(w, "hopper", 10000, 10000);
        installed(w, "trainium", 40000, 28000);
        w->me.installed[0]->sold = 9000;
        w->me.compute_last = 37000; /* 97% busy: up ~2%, and it buys */
        /* In the coordinator's order: provider, then family. */
        compute_quote(w, "aws", "hopper", 2000, 10000);
        compute_quote(w, "aws", "trainium", 1500, 28000);
        compute_quote(w, "azure", "hopper", 1700, 9000);
        compute_quote(w, "google", "hopper", 1600, 9000);
        compute_quote(w, "google", "tpu", 1400, 9000);
    }
    reverse_quotes(&w2);
    fw_arena_t *a1, *a2;
    M(Actions) x = run(&w1, fw_strategy_hyperscaler, 9, &a1);
    M(Actions) y = run(&w2, fw_strategy_hyperscaler, 9, &a2);
    cr_assert(same_bytes(&x, &y));
    cr_assert_gt(x.n_chip_orders, 0);
    cr_assert_eq(x.n_compute_offers, 2);
    cr_assert_str_eq(x.compute_offers[1]->family, "trainium");
    cr_assert_geq(x.compute_offers[1]->price, (int64_t)(1500 * 1.02 * 0.995));
    cr_assert_leq(x.compute_offers[1]->price, (int64_t)(1500 * 1.02 * 1.005) + 1);
    fw_arena_destroy(&a1);
    fw_arena_destroy(&a2);
    world_fini(&w1);
    world_fini(&w2);
}

/* --- lab ---------------------------------------------------------------------------- */

static void lab_world(world_t *w, const char *params, int64_t demand, int64_t cash)
{
    world_init(w, "oai", ROLE(LAB), params);
    compute_quote(w, "google", "tpu", 1900, 400);
    compute_quote(w, "aws", "hopper", 2000, 300);
    compute_quote(w, "azure", "hopper", 1800, 500);
    compute_quote(w, "aws", "trainium", 1800, 200); /* ties azure: one pool, all of both */
    compute_quote(w, "oracle", "hopper", 3000, 10000); /* above max_price */
    compute_quote(w, "coreweave", "hopper", 1000, 0);   /* nothing on offer */
    w->me.demand = demand;
    w->me.cash = cash;
}

Test(fw_strategy, lab_bids_cheapest_first_within_demand_and_max_price)
{
    world_t w;
    lab_world(&w, "train_ratio=0", 1000, 1000000000);
    fw_arena_t *a;
    M(Actions) acts = run(&w, fw_strategy_lab, 3, &a);

    cr_assert_eq(acts.n_chip_offers + acts.n_chip_orders + acts.n_compute_offers, 0);
    cr_assert_eq(acts.n_compute_bids, 3);
    const char *want_provider[] = {"aws", "azure", "google"};
    const char *want_family[] = {"trainium", "hopper", "tpu"};
    const int64_t want_qty[] = {200, 500, 300};
    const int64_t want_max[] = {1980, 1980, 2090};
    int64_t total = 0;
    for (size_t i = 0; i < acts.n_compute_bids; i++) {
        const M(ComputeBid) *b = acts.compute_bids[i];
        cr_assert_str_eq(b->provider, want_provider[i]);
        cr_assert_str_eq(b->family, want_family[i]);
        cr_assert_eq(b->quantity, want_qty[i]);
        cr_assert_eq(b->max_price, want_max[i]);
        cr_assert_leq(b->max_price, 2600);
        total += b->quantity;
    }
    cr_assert_eq(total, 1000, "demand met exactly");
    fw_arena_destroy(&a);
    world_fini(&w);
}

Test(fw_strategy, lab_never_exceeds_demand_capacity_budget_or_max_price)
{
    /* Demand larger than everything on offer under max_price. */
    world_t w;
    lab_world(&w, "max_price=1950", 100000, 1000000000000LL);
    fw_arena_t *a;
    M(Actions) acts = run(&w, fw_strategy_lab, 3, &a);
    int64_t total = 0;
    cr_assert_eq(acts.n_compute_bids, 3, "every quote at or under 1950");
    for (size_t i = 0; i < acts.n_compute_bids; i++) {
        const M(ComputeBid) *b = acts.compute_bids[i];
        cr_assert_eq(b->max_price, 1950);
        const M(ComputeQuote) *q = NULL;
        for (size_t j = 0; j < w.market.n_compute_quotes; j++)
            if (!strcmp(w.market.compute_quotes[j]->provider, b->provider) &&
                !strcmp(w.market.compute_quotes[j]->family, b->family))
                q = w.market.compute_quotes[j];
        cr_assert_not_null(q);
        cr_assert_eq(b->quantity, q->capacity, "all of it, never more");
        total += b->quantity;
    }
    cr_assert_eq(total, 200 + 500 + 400);
    fw_arena_destroy(&a);
    world_fini(&w);

    /* Cash-bound: cash spread over a runway of 6 ticks = 600k a tick, at the quotes. */
    lab_world(&w, "runway=6", 1000, 3600000);
    acts = run(&w, fw_strategy_lab, 3, &a);
    double cost = 0;
    total = 0;
    for (size_t i = 0; i < acts.n_compute_bids; i++) {
        const M(ComputeBid) *b = acts.compute_bids[i];
        for (size_t j = 0; j < w.market.n_compute_quotes; j++)
            if (!strcmp(w.market.compute_quotes[j]->provider, b->provider) &&
                !strcmp(w.market.compute_quotes[j]->family, b->family))
                cost += (double)b->quantity * (double)w.market.compute_quotes[j]->price;
        total += b->quantity;
    }
    cr_assert_leq(cost, 600000.0, "the budget holds at the quoted prices");
    cr_assert_gt(cost, 0.8 * 600000.0, "and most of it is used");
    cr_assert_gt(total, 0);
    fw_arena_destroy(&a);
    world_fini(&w);

    /* No demand, or no cash: no bids. */
    lab_world(&w, "", 0, 1000000000);
    acts = run(&w, fw_strategy_lab, 3, &a);
    cr_assert_eq(acts.n_compute_bids, 0);
    fw_arena_destroy(&a);
    world_fini(&w);
    lab_world(&w, "", 1000, 0);
    acts = run(&w, fw_strategy_lab, 3, &a);
    cr_assert_eq(acts.n_compute_bids, 0);
    fw_arena_destroy(&a);
    world_fini(&w);
}

Test(fw_strategy, lab_bids_do_not_depend_on_quote_order)
{
    world_t w1, w2;
    lab_world(&w1, "", 1000, 1000000000);
    lab_world(&w2, "", 1000, 1000000000);
    /* Reverse the second market's quote list. */
    for (size_t i = 0, j = w2.market.n_compute_quotes - 1; i < j; i++, j--) {
        M(ComputeQuote) *t = w2.market.compute_quotes[i];
        w2.market.compute_quotes[i] = w2.market.compute_quotes[j];
        w2.market.compute_quotes[j] = t;
    }
    fw_arena_t *a1, *a2;
    M(Actions) x = run(&w1, fw_strategy_lab, 3, &a1);
    M(Actions) y = run(&w2, fw_strategy_lab, 3, &a2);
    cr_assert(same_bytes(&x, &y));
    fw_arena_destroy(&a1);
    fw_arena_destroy(&a2);
    world_fini(&w1);
    world_fini(&w2);
}

/* A market view in the form Flywheel's coordinator sends it: the compute quotes by
 * provider id, then family id, and each family's quotes by price (then place) in
 * compute_by_family, families in the scenario's order, as fw_observe.c builds it. */
static int by_provider_family(const void *a, const void *b)
{
    const M(ComputeQuote) *x = *(M(ComputeQuote) *const *)a, *y = *(M(ComputeQuote) *const *)b;
    int c = strcmp(x->provider, y->provider);
    return c ? c : strcmp(x->family, y->family);
}

static void coordinator_form(world_t *w)
{
    M(MarketView) *m = &w->market;
    qsort(m->compute_quotes, m->n_compute_quotes, sizeof *m->compute_quotes, by_provider_family);
    m->compute_by_family = fw_arena_calloc(w->a, w->n_fam, sizeof *m->compute_by_family);
    for (size_t f = 0; f < w->n_fam; f++) {
        M(QuoteGroup) *g = fw_arena_calloc(w->a, 1, sizeof *g);
        flywheel__v1__quote_group__init(g);
        g->family = w->fam[f]->id;
        g->quotes = fw_arena_calloc(w->a, m->n_compute_quotes + 1, sizeof *g->quotes);
        for (size_t i = 0; i < m->n_compute_quotes; i++) {
            if (strcmp(m->compute_quotes[i]->family, g->family) != 0)
                continue;
            size_t at = g->n_quotes++; /* insertion by price; equal prices keep their place */
            while (at > 0 && m->compute_quotes[g->quotes[at - 1]]->price >
                                 m->compute_quotes[i]->price) {
                g->quotes[at] = g->quotes[at - 1];
                at--;
            }
            g->quotes[at] = (uint32_t)i;
        }
        if (g->n_quotes)
            m->compute_by_family[m->n_compute_by_family++] = g;
    }
}

static void lab_deal(world_t *w, const char *investor, double cloud_share, bool exclusive,
                     const char *chip, double chip_share)
{
    if (!w->me.deals)
        w->me.deals = fw_arena_calloc(w->a, MAXN, sizeof(void *));
    M(Deal) *d = fw_arena_calloc(w->a, 1, sizeof *d);
    M(InvestmentTerms) *t = fw_arena_calloc(w->a, 1, sizeof *t);
    flywheel__v1__deal__init(d);
    flywheel__v1__investment_terms__init(t);
    t->min_cloud_share = cloud_share;
    t->exclusive = exclusive;
    t->chip_family = (char *)chip;
    t->min_chip_share = chip_share;
    t->duration = 12;
    d->investor = (char *)investor;
    d->lab = (char *)"oai";
    d->terms = t;
    d->ends_tick = 24;
    w->me.deals[w->me.n_deals++] = d;
}

static void lab_credit(world_t *w, const char *cloud, int64_t amount)
{
    if (!w->me.credits)
        w->me.credits = fw_arena_calloc(w->a, MAXN, sizeof(void *));
    M(Credit) *c = fw_arena_calloc(w->a, 1, sizeof *c);
    flywheel__v1__credit__init(c);
    c->lab = (char *)"oai";
    c->cloud = (char *)cloud;
    c->amount = amount;
    w->me.credits[w->me.n_credits++] = c;
}

static void lab_efficiency(world_t *w)
{
    static const double value[] = {0.9, 0.7, 0.5, 0.8, 0.6};
    w->me.efficiency = fw_arena_calloc(w->a, w->n_fam, sizeof(void *));
    for (size_t f = 0; f < w->n_fam; f++) {
        M(Share) *s = fw_arena_calloc(w->a, 1, sizeof *s);
        flywheel__v1__share__init(s);
        s->id = w->fam[f]->id;
        s->value = value[f % 5];
        w->me.efficiency[w->me.n_efficiency++] = s;
    }
}

/* Every kind of plan the lab makes: plain; credits; a cloud's share with a chip
 * mandate; an exclusive deal; two clouds' shares; efficiencies that reorder prices. */
static void lab_variant(world_t *w, int variant)
{
    lab_world(w, "", 3000, 1000000000);
    compute_quote(w, "azure", "mi300", 1700, 800);
    compute_quote(w, "google", "hopper", 1800, 600);
    compute_quote(w, "aws", "mi300", 1700, 900);
    switch (variant) {
    case 1:
        lab_credit(w, "azure", 900000);
        break;
    case 2:
        lab_deal(w, "aws", 0.4, false, "trainium", 0.3);
        lab_credit(w, "aws", 500000);
        break;
    case 3:
        lab_deal(w, "google", 0, true, "", 0);
        break;
    case 4:
        lab_deal(w, "aws", 0.3, false, "", 0);
        lab_deal(w, "azure", 0.3, false, "mi300", 0.2);
        break;
    case 5:
        lab_efficiency(w);
        lab_credit(w, "google", 100000);
        break;
    default:
        break;
    }
}

/* Quotes of equal effective price are one pool, split pro rata to what each offers:
 * the provider's name decides nothing (the first in name order used to take all). */
static void tie_world(world_t *w, const char *big, const char *small)
{
    world_init(w, "oai", ROLE(LAB), "train_ratio=0");
    compute_quote(w, big, "hopper", 600, 300);
    compute_quote(w, small, "hopper", 600, 100);
    compute_quote(w, "google", "hopper", 700, 1000);
    w->me.demand = 200;
    w->me.cash = 1000000000;
}

static int64_t bid_on(const M(Actions) *acts, const char *provider)
{
    int64_t q = 0;
    for (size_t i = 0; i < acts->n_compute_bids; i++)
        if (strcmp(acts->compute_bids[i]->provider, provider) == 0)
            q += acts->compute_bids[i]->quantity;
    return q;
}

Test(fw_strategy, lab_splits_equal_prices_pro_rata_whatever_the_names)
{
    const char *names[][2] = {{"aws", "zaws"}, {"zaws", "aws"}};
    for (size_t k = 0; k < 2; k++) {
        world_t w;
        tie_world(&w, names[k][0], names[k][1]);
        fw_arena_t *a;
        M(Actions) acts = run(&w, fw_strategy_lab, 3, &a);
        cr_assert_eq(bid_on(&acts, names[k][0]), 150, "300 of 400 on offer: 3/4 of 200");
        cr_assert_eq(bid_on(&acts, names[k][1]), 50);
        cr_assert_eq(bid_on(&acts, "google"), 0, "dearer");
        fw_arena_destroy(&a);
        world_fini(&w);
    }
}

/* Credits go first, and to the best price per useful compute on the clouds that
 * granted them; equal ones pro rata, in any name order. */
Test(fw_strategy, lab_spends_credits_on_the_best_effective_price_first)
{
    world_t w;
    world_init(&w, "oai", ROLE(LAB), "train_ratio=0");
    compute_quote(&w, "aws", "blackwell", 2000, 300); /* 2.5x a hopper: effective 800 */
    compute_quote(&w, "aws", "hopper", 1000, 300);
    compute_quote(&w, "google", "hopper", 600, 1000);
    w.me.demand = 200;
    w.me.cash = 1000000000;
    lab_credit(&w, "aws", 1000000);
    w.me.efficiency = fw_arena_calloc(w.a, 2, sizeof(void *));
    const char *fam[] = {"blackwell", "hopper"};
    const double value[] = {2.5, 1.0};
    for (size_t f = 0; f < 2; f++) {
        M(Share) *e = fw_arena_calloc(w.a, 1, sizeof *e);
        flywheel__v1__share__init(e);
        e->id = (char *)fam[f];
        e->value = value[f];
        w.me.efficiency[w.me.n_efficiency++] = e;
    }
    fw_arena_t *a;
    M(Actions) acts = run(&w, fw_strategy_lab, 3, &a);
    cr_assert_eq(acts.n_compute_bids, 1);
    cr_assert_str_eq(acts.compute_bids[0]->provider, "aws");
    cr_assert_str_eq(acts.compute_bids[0]->family, "blackwell");
    cr_assert_eq(acts.compute_bids[0]->quantity, 200);
    fw_arena_destroy(&a);
    world_fini(&w);
}

ParameterizedTestParameters(fw_strategy, lab_bids_the_same_from_the_coordinators_price_order)
{
    static int variants[] = {0, 1, 2, 3, 4, 5};
    return cr_make_param_array(int, variants, sizeof variants / sizeof variants[0]);
}

/* The coordinator's per-family price order (compute_by_family) is a shortcut: the lab
 * bids exactly as it does when it sorts a view without it, in any listing order. */
ParameterizedTest(int *variant, fw_strategy, lab_bids_the_same_from_the_coordinators_price_order)
{
    world_t plain, sent;
    lab_variant(&plain, *variant);
    lab_variant(&sent, *variant);
    coordinator_form(&sent);
    cr_assert_gt(sent.market.n_compute_by_family, 0);
    fw_arena_t *a1, *a2;
    M(Actions) x = run(&plain, fw_strategy_lab, 3, &a1);
    M(Actions) y = run(&sent, fw_strategy_lab, 3, &a2);
    cr_assert_gt(x.n_compute_bids, 0, "variant %d bids", *variant);
    cr_assert(same_bytes(&x, &y), "variant %d: %zu bids from a sorted view, %zu from the "
              "coordinator's order", *variant, x.n_compute_bids, y.n_compute_bids);
    fw_arena_destroy(&a1);
    fw_arena_destroy(&a2);
    world_fini(&plain);
    world_fini(&sent);
}

/* An index past the quote list in compute_by_family (a broken or hostile view) names
 * no quote: the lab neither reads past the list nor bids differently. */
Test(fw_strategy, lab_ignores_a_quote_index_past_the_list)
{
    world_t plain, sent;
    lab_variant(&plain, 0);
    lab_variant(&sent, 0);
    coordinator_form(&sent);
    M(QuoteGroup) *g = sent.market.compute_by_family[0];
    g->quotes[g->n_quotes++] = (uint32_t)sent.market.n_compute_quotes + 7;
    fw_arena_t *a1, *a2;
    M(Actions) x = run(&plain, fw_strategy_lab, 3, &a1);
    M(Actions) y = run(&sent, fw_strategy_lab, 3, &a2);
    cr_assert(same_bytes(&x, &y));
    fw_arena_destroy(&a1);
    fw_arena_destroy(&a2);
    world_fini(&plain);
    world_fini(&sent);
}

/* --- idle ----------------------------------------------------------------------------- */

Test(fw_strategy, idle_does_nothing_whatever_the_role)
{
    world_t w;
    aws_world(&w, "");
    installed(&w, "hopper", 1000, 1000);
    capacity(&w, "hopper", 100, 10000);
    w.me.demand = 1000;
    compute_quote(&w, "aws", "hopper", 2000, 1000);
    const M(Role) roles[] = {ROLE(HYPERSCALER), ROLE(LAB), ROLE(VENDOR)};
    for (size_t i = 0; i < 3; i++) {
        w.ctx.role = roles[i];
        fw_arena_t *a;
        M(Actions) acts = run(&w, fw_strategy_find("idle")->fn, 1, &a);
        cr_assert_eq(acts.n_chip_offers + acts.n_chip_orders + acts.n_compute_offers +
                     acts.n_compute_bids, 0);
        fw_arena_destroy(&a);
    }
    world_fini(&w);
}

/* --- determinism --------------------------------------------------------------------- */

Test(fw_strategy, same_seed_and_observation_give_identical_actions)
{
    world_t w;
    aws_world(&w, "");
    installed(&w, "hopper", 10000, 10000);
    installed(&w, "trainium", 4000, 2800);
    w.me.compute_last = 12000;
    compute_quote(&w, "aws", "hopper", 2000, 10000);
    capacity(&w, "hopper", 100, 10000); /* ignored by the cloud; used below */
    w.me.demand = 500;                  /* ignored by the cloud and the vendor */

    fw_strategy_fn fns[] = {fw_strategy_hyperscaler, fw_strategy_lab, fw_strategy_vendor};
    const char *seats[] = {"aws", "oai", "nvda"};
    for (size_t k = 0; k < 3; k++) {
        w.ctx.seat = seats[k];
        fw_arena_t *a1, *a2;
        M(Actions) x = run(&w, fns[k], 0xfeedULL, &a1);
        M(Actions) y = run(&w, fns[k], 0xfeedULL, &a2);
        cr_assert(same_bytes(&x, &y), "%s not deterministic", seats[k]);
        fw_arena_destroy(&a1);
        fw_arena_destroy(&a2);
    }

    /* The jitter comes from the seat's stream: another seed moves the vendor's price. */
    w.ctx.seat = "nvda";
    fw_arena_t *a1, *a2;
    M(Actions) x = run(&w, fw_strategy_vendor, 1, &a1);
    M(Actions) y = run(&w, fw_strategy_vendor, 2, &a2);
    cr_assert_eq(x.n_chip_offers, 1);
    cr_assert_neq(x.chip_offers[0]->price, y.chip_offers[0]->price);
    cr_assert(!same_bytes(&x, &y));
    fw_arena_destroy(&a1);
    fw_arena_destroy(&a2);
    world_fini(&w);
}

/* --- the seat core --------------------------------------------------------------------- */

/* A Welcome envelope for `seat` built on the world's families and seats. */
typedef struct {
    fw_envelope_t env;
    M(Welcome) welcome;
} welcome_t;

static void welcome_init(welcome_t *wm, world_t *w, const char *seat, M(Role) role,
                         uint64_t seed, const char *params)
{
    flywheel__v1__envelope__init(&wm->env);
    flywheel__v1__welcome__init(&wm->welcome);
    wm->welcome.seat = (char *)seat;
    wm->welcome.role = role;
    wm->welcome.seat_seed = seed;
    wm->welcome.ticks = 12;
    wm->welcome.scenario = (char *)"unit";
    wm->welcome.families = w->fam;
    wm->welcome.n_families = w->n_fam;
    wm->welcome.seats = w->seats;
    wm->welcome.n_seats = w->n_seats;
    wm->welcome.params = (char *)params;
    wm->env.protocol_version = FW_PROTOCOL_VERSION;
    wm->env.run_id = (char *)"run-1";
    wm->env.seq = 1;
    wm->env.seat = (char *)seat;
    wm->env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_WELCOME;
    wm->env.welcome = &wm->welcome;
}

static fw_envelope_t envelope(const char *seat, uint32_t tick)
{
    fw_envelope_t e = FLYWHEEL__V1__ENVELOPE__INIT;
    e.protocol_version = FW_PROTOCOL_VERSION;
    e.run_id = (char *)"run-1";
    e.tick = tick;
    e.seat = (char *)seat;
    return e;
}

Test(fw_agent, seat_answers_tick_start_with_actions_for_that_tick)
{
    world_t w;
    welcome_t wm;
    char err[256];
    world_init(&w, "nvda", ROLE(VENDOR), "");
    welcome_init(&wm, &w, "nvda", ROLE(VENDOR), 99, "price_step=0.05");
    fw_agent_seat_t *s = fw_agent_seat_new(&wm.env, NULL, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    cr_assert_str_eq(fw_agent_seat_name(s), "nvda");
    cr_assert_eq(fw_agent_seat_role(s), ROLE(VENDOR));
    cr_assert_str_eq(fw_agent_seat_strategy(s), "vendor");
    cr_assert_str_eq(fw_agent_seat_run_id(s), "run-1");
    cr_assert_eq(fw_agent_seat_seq(s), 1);

    capacity(&w, "hopper", 100, 10000);
    fw_envelope_t in = envelope("nvda", 1);
    in.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_START;
    in.tick_start = &w.ts;
    w.ts.tick = 1;
    const fw_envelope_t *reply = NULL;
    cr_assert_eq(fw_agent_seat_on_message(s, &in, &reply), FW_AGENT_CONTINUE);
    cr_assert_not_null(reply);
    cr_assert_eq(reply->body_case, FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS);
    cr_assert_eq(reply->protocol_version, FW_PROTOCOL_VERSION);
    cr_assert_eq(reply->tick, 1);
    cr_assert_eq(reply->seq, 2);
    cr_assert_str_eq(reply->seat, "nvda");
    cr_assert_str_eq(reply->run_id, "run-1");
    cr_assert_eq(reply->actions->n_chip_offers, 1);
    cr_assert_str_eq(reply->actions->chip_offers[0]->family, "hopper");

    /* The reply packs and unpacks as a valid envelope. */
    uint8_t *buf;
    size_t len;
    fw_envelope_t *back = NULL;
    cr_assert_eq(fw_proto_pack(reply, &buf, &len), 0);
    cr_assert_eq(fw_proto_unpack(buf, len, &back), 0);
    cr_assert_eq(back->actions->chip_offers[0]->quantity, 100);
    fw_proto_free(&back);
    free(buf);

    /* The same tick asked again (its answer was lost: a coordinator restarted from its
     * log) gets the same actions again, with the next seq, and draws nothing: the next
     * tick is what it would have been. */
    cr_assert_eq(fw_agent_seat_on_message(s, &in, &reply), FW_AGENT_CONTINUE);
    cr_assert_not_null(reply);
    cr_assert_eq(reply->tick, 1);
    cr_assert_eq(reply->seq, 3);
    cr_assert_eq(reply->actions->n_chip_offers, 1);
    cr_assert_eq(reply->actions->chip_offers[0]->quantity, 100);
    w.ts.tick = 2;
    in.tick = 2;
    cr_assert_eq(fw_agent_seat_on_message(s, &in, &reply), FW_AGENT_CONTINUE);
    cr_assert_not_null(reply);
    cr_assert_eq(reply->tick, 2);
    cr_assert_eq(reply->seq, 4);
    /* An older tick than the last answered is not answered. */
    w.ts.tick = 1;
    in.tick = 1;
    cr_assert_eq(fw_agent_seat_on_message(s, &in, &reply), FW_AGENT_CONTINUE);
    cr_assert_null(reply);
    w.ts.tick = 2;
    in.tick = 2;
    cr_assert_eq(fw_agent_seat_tick(s), 2);

    /* A TickResult is taken in silently. */
    M(TickResult) tr = FLYWHEEL__V1__TICK_RESULT__INIT;
    M(Rejection) rej = FLYWHEEL__V1__REJECTION__INIT, *rejp[] = {&rej};
    rej.action = (char *)"chip_offers[0]";
    rej.reason = (char *)"price below zero";
    tr.tick = 2;
    tr.rejected = rejp;
    tr.n_rejected = 1;
    in.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT;
    in.tick_result = &tr;
    cr_assert_eq(fw_agent_seat_on_message(s, &in, &reply), FW_AGENT_CONTINUE);
    cr_assert_null(reply);

    /* A Bye from the seat takes the next seq. */
    const fw_envelope_t *bye = fw_agent_seat_bye(s, "leaving");
    cr_assert_eq(bye->body_case, FLYWHEEL__V1__ENVELOPE__BODY_BYE);
    cr_assert_eq(bye->seq, 5);
    cr_assert_str_eq(bye->bye->reason, "leaving");

    fw_agent_seat_destroy(&s);
    cr_assert_null(s);
    fw_agent_seat_destroy(&s); /* NULL-safe */
    world_fini(&w);
}

Test(fw_agent, seat_counts_the_clouds_of_its_welcome)
{
    world_t w;
    welcome_t wm;
    char err[256];
    world_init(&w, "aws", ROLE(HYPERSCALER), "");
    chip_quote(&w, "nvda", "hopper", 25000, 2000); /* scarce: 1000 each for two clouds */
    chip_quote(&w, "nvda", "blackwell", 40000, 100000);
    installed(&w, "hopper", 1000, 1000);
    w.me.cash = 50000000000LL;
    w.me.chip_spend_last = 1000000000LL;
    welcome_init(&wm, &w, "aws", ROLE(HYPERSCALER), 7, "");
    fw_agent_seat_t *s = fw_agent_seat_new(&wm.env, NULL, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    fw_envelope_t in = envelope("aws", w.ts.tick);
    in.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_START;
    in.tick_start = &w.ts;
    const fw_envelope_t *reply = NULL;
    cr_assert_eq(fw_agent_seat_on_message(s, &in, &reply), FW_AGENT_CONTINUE);
    cr_assert_not_null(reply);

    /* Counted by the seat or by the strategy, the same orders. */
    fw_arena_t *a;
    M(Actions) direct = run(&w, fw_strategy_hyperscaler, 7, &a);
    cr_assert(same_bytes(reply->actions, &direct));
    cr_assert_str_eq(direct.chip_orders[0]->family, "hopper");
    cr_assert_eq(direct.chip_orders[0]->quantity, 1000, "a fair share of a scarce offer");
    fw_arena_destroy(&a);
    w.ctx.n_clouds = 1;
    direct = run(&w, fw_strategy_hyperscaler, 7, &a);
    cr_assert_eq(direct.chip_orders[0]->quantity, 2000, "the only cloud may take it all");
    fw_arena_destroy(&a);
    fw_agent_seat_destroy(&s);
    world_fini(&w);
}

Test(fw_agent, seat_ends_on_bye_and_on_fatal_refusal_only)
{
    world_t w;
    welcome_t wm;
    world_init(&w, "oai", ROLE(LAB), "");
    welcome_init(&wm, &w, "oai", ROLE(LAB), 5, "");
    fw_agent_seat_t *s = fw_agent_seat_new(&wm.env, "lab", NULL, 0);
    cr_assert_not_null(s);
    const fw_envelope_t *reply = (const fw_envelope_t *)&wm;

    M(Refusal) r = FLYWHEEL__V1__REFUSAL__INIT;
    fw_envelope_t in = envelope("oai", 3);
    in.body_case = FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL;
    in.refusal = &r;
    const M(RefusalCode) soft[] = {
        FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_DUPLICATE,
        FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_INVALID,
        FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_MALFORMED};
    for (size_t i = 0; i < 4; i++) {
        r.code = soft[i];
        cr_assert_eq(fw_agent_seat_on_message(s, &in, &reply), FW_AGENT_CONTINUE);
        cr_assert_null(reply);
    }

    /* A message for another seat or another run is ignored, even a Bye. */
    M(Bye) bye = FLYWHEEL__V1__BYE__INIT;
    bye.reason = (char *)"run complete";
    fw_envelope_t other = envelope("anthropic", 3);
    other.body_case = FLYWHEEL__V1__ENVELOPE__BODY_BYE;
    other.bye = &bye;
    cr_assert_eq(fw_agent_seat_on_message(s, &other, &reply), FW_AGENT_CONTINUE);
    other.seat = (char *)"oai";
    other.run_id = (char *)"run-2";
    cr_assert_eq(fw_agent_seat_on_message(s, &other, &reply), FW_AGENT_CONTINUE);

    fw_envelope_t b = envelope("oai", 12);
    b.body_case = FLYWHEEL__V1__ENVELOPE__BODY_BYE;
    b.bye = &bye;
    cr_assert_eq(fw_agent_seat_on_message(s, &b, &reply), FW_AGENT_BYE);
    cr_assert_null(reply);
    cr_assert_str_eq(fw_agent_seat_reason(s), "run complete");

    r.code = FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN;
    r.reason = (char *)"seat 'oai' is held by another agent";
    cr_assert_eq(fw_agent_seat_on_message(s, &in, &reply), FW_AGENT_REFUSED);
    cr_assert(strstr(fw_agent_seat_reason(s), "held by another agent"));
    cr_assert(strstr(fw_agent_seat_reason(s), "seat taken"));
    fw_agent_seat_destroy(&s);

    cr_assert(fw_agent_refusal_is_fatal(FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_VERSION));
    cr_assert(fw_agent_refusal_is_fatal(FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SCHEMA));
    cr_assert(fw_agent_refusal_is_fatal(FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNKNOWN_SEAT));
    cr_assert(fw_agent_refusal_is_fatal(FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN));
    cr_assert(!fw_agent_refusal_is_fatal(FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEQUENCE));
    world_fini(&w);
}

Test(fw_agent, seat_new_refuses_what_it_cannot_play)
{
    world_t w;
    welcome_t wm;
    char err[256];
    world_init(&w, "oai", ROLE(LAB), "");
    welcome_init(&wm, &w, "oai", ROLE(LAB), 5, "");

    cr_assert_null(fw_agent_seat_new(&wm.env, "greedy", err, sizeof err));
    cr_assert(strstr(err, "unknown strategy 'greedy'"), "%s", err);
    cr_assert(strstr(err, "hyperscaler, lab, vendor, idle"), "%s", err);
    cr_assert_null(fw_agent_seat_new(&wm.env, "vendor", err, sizeof err));
    cr_assert(strstr(err, "cannot play"), "%s", err);

    fw_envelope_t not_welcome = envelope("oai", 0);
    cr_assert_null(fw_agent_seat_new(&not_welcome, NULL, err, sizeof err));
    cr_assert_null(fw_agent_seat_new(NULL, NULL, err, sizeof err));

    /* idle plays anything; malformed params are skipped, not fatal. */
    wm.welcome.params = (char *)"max_price=oops;cash_fraction=0.5";
    fw_agent_seat_t *s = fw_agent_seat_new(&wm.env, "idle", err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    cr_assert_str_eq(fw_agent_seat_strategy(s), "idle");
    fw_agent_seat_destroy(&s);
    world_fini(&w);
}

Test(fw_agent, seats_with_the_same_welcome_answer_identically)
{
    world_t w;
    welcome_t wm;
    world_init(&w, "aws", ROLE(HYPERSCALER), "");
    welcome_init(&wm, &w, "aws", ROLE(HYPERSCALER), 1234, "price_step=0.03;capex_per_tick=2e9");
    chip_quote(&w, "nvda", "hopper", 25000, 1000);
    chip_quote(&w, "aws", "trainium", 8000, 100000);
    installed(&w, "hopper", 5000, 5000);
    compute_quote(&w, "aws", "hopper", 2100, 5000);
    w.me.cash = 10000000000LL;
    w.me.compute_last = 4900;

    fw_agent_seat_t *s1 = fw_agent_seat_new(&wm.env, NULL, NULL, 0);
    fw_agent_seat_t *s2 = fw_agent_seat_new(&wm.env, NULL, NULL, 0);
    cr_assert(s1 && s2);
    fw_envelope_t in = envelope("aws", 0);
    in.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_START;
    in.tick_start = &w.ts;
    for (uint32_t t = 1; t <= 5; t++) {
        const fw_envelope_t *r1, *r2;
        w.ts.tick = t;
        in.tick = t;
        cr_assert_eq(fw_agent_seat_on_message(s1, &in, &r1), FW_AGENT_CONTINUE);
        uint8_t *b1;
        size_t l1;
        cr_assert_eq(fw_proto_pack(r1, &b1, &l1), 0);
        cr_assert_eq(fw_agent_seat_on_message(s2, &in, &r2), FW_AGENT_CONTINUE);
        uint8_t *b2;
        size_t l2;
        cr_assert_eq(fw_proto_pack(r2, &b2, &l2), 0);
        cr_assert_eq(l1, l2);
        cr_assert_eq(memcmp(b1, b2, l1), 0, "tick %u differs", t);
        cr_assert_gt(r1->actions->n_chip_orders, 0);
        cr_assert_eq(r1->actions->n_compute_offers, 1);
        free(b1);
        free(b2);
    }
    fw_agent_seat_destroy(&s1);
    fw_agent_seat_destroy(&s2);
    world_fini(&w);
}

Test(fw_agent, hello_claims_the_seat_with_this_builds_schema)
{
    fw_envelope_t env;
    M(Hello) hello;
    fw_agent_hello(&env, &hello, "aws", ROLE(UNSPECIFIED));
    cr_assert_eq(env.protocol_version, FW_PROTOCOL_VERSION);
    cr_assert_eq(env.seq, 1);
    cr_assert_str_eq(env.run_id, "");
    cr_assert_str_eq(env.seat, "aws");
    cr_assert_eq(env.body_case, FLYWHEEL__V1__ENVELOPE__BODY_HELLO);
    cr_assert_str_eq(env.hello->seat, "aws");
    cr_assert_str_eq(env.hello->schema_hash, fw_proto_schema_hash());
    cr_assert(strncmp(env.hello->agent, "flywheel-agent ", 15) == 0);

    fw_agent_hello(&env, &hello, NULL, ROLE(LAB));
    cr_assert_str_eq(env.hello->seat, "");
    cr_assert_eq(env.hello->role, ROLE(LAB));
}

/* --- the socket shell, over inproc:// with the test as the coordinator ------------ */

typedef struct {
    fw_agent_config_t cfg;
    int outcome;
    char reason[256];
} run_t;

static void *run_thread(void *p)
{
    run_t *r = p;
    r->outcome = fw_agent_run(&r->cfg, r->reason, sizeof r->reason);
    return NULL;
}

typedef struct {
    void *ctx;
    void *router;
    uint8_t id[FW_PROTO_MAX_IDENTITY + 1];
    size_t id_len;
    pthread_t thread;
    run_t run;
} shell_t;

/* Binds a coordinator ROUTER on `url` and starts fw_agent_run for `seat` on a thread
 * sharing the context, as a many-seat process would. */
static void shell_start(shell_t *sh, const char *url, const char *seat, int idle_ms,
                        volatile sig_atomic_t *stop)
{
    memset(sh, 0, sizeof *sh);
    sh->ctx = zmq_ctx_new();
    sh->router = zmq_socket(sh->ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(sh->router, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert_eq(zmq_bind(sh->router, url), 0);
    sh->run.cfg.zmq_ctx = sh->ctx;
    sh->run.cfg.url = url;
    sh->run.cfg.seat = seat;
    sh->run.cfg.idle_timeout_ms = idle_ms;
    sh->run.cfg.stop = stop;
    cr_assert_eq(pthread_create(&sh->thread, NULL, run_thread, &sh->run), 0);
}

static int shell_finish(shell_t *sh)
{
    pthread_join(sh->thread, NULL);
    zmq_close(sh->router);
    zmq_ctx_term(sh->ctx);
    return sh->run.outcome;
}

static fw_envelope_t *coord_recv(shell_t *sh)
{
    fw_envelope_t *in = NULL;
    cr_assert_eq(fw_proto_recv_from(sh->router, 5000, sh->id, &sh->id_len, &in), 0);
    return in;
}

static void coord_send(shell_t *sh, const fw_envelope_t *e)
{
    cr_assert_eq(fw_proto_send_to(sh->router, sh->id, sh->id_len, e), 0);
}

Test(fw_agent, run_plays_a_seat_until_the_coordinators_bye)
{
    world_t w;
    welcome_t wm;
    shell_t sh;
    world_init(&w, "nvda", ROLE(VENDOR), "");
    welcome_init(&wm, &w, "nvda", ROLE(VENDOR), 3, "");
    shell_start(&sh, "inproc://coord-play", "nvda", 5000, NULL);

    fw_envelope_t *in = coord_recv(&sh);
    cr_assert_eq(in->body_case, FLYWHEEL__V1__ENVELOPE__BODY_HELLO);
    cr_assert_eq(in->seq, 1);
    cr_assert_str_eq(in->hello->seat, "nvda");
    cr_assert_str_eq(in->hello->schema_hash, fw_proto_schema_hash());
    fw_proto_free(&in);
    coord_send(&sh, &wm.env);

    capacity(&w, "hopper", 100, 10000);
    fw_envelope_t ts = envelope("nvda", 1);
    ts.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_START;
    ts.tick_start = &w.ts;
    w.ts.tick = 1;
    coord_send(&sh, &ts);
    in = coord_recv(&sh);
    cr_assert_eq(in->body_case, FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS);
    cr_assert_eq(in->tick, 1);
    cr_assert_eq(in->seq, 2);
    cr_assert_str_eq(in->run_id, "run-1");
    cr_assert_eq(in->actions->n_chip_offers, 1);
    fw_proto_free(&in);

    M(Bye) bye = FLYWHEEL__V1__BYE__INIT;
    bye.reason = (char *)"run complete";
    fw_envelope_t b = envelope("nvda", 1);
    b.body_case = FLYWHEEL__V1__ENVELOPE__BODY_BYE;
    b.bye = &bye;
    coord_send(&sh, &b);
    cr_assert_eq(shell_finish(&sh), FW_AGENT_BYE);
    cr_assert_str_eq(sh.run.reason, "run complete");
    world_fini(&w);
}

Test(fw_agent, run_reports_refusal_silence_and_stop)
{
    shell_t sh;

    /* Refused at the door. */
    shell_start(&sh, "inproc://coord-refuse", "aws", 5000, NULL);
    fw_envelope_t *in = coord_recv(&sh);
    fw_proto_free(&in);
    M(Refusal) r = FLYWHEEL__V1__REFUSAL__INIT;
    r.code = FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNKNOWN_SEAT;
    r.reason = (char *)"no seat 'aws' in this scenario";
    fw_envelope_t e = envelope("aws", 0);
    e.body_case = FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL;
    e.refusal = &r;
    coord_send(&sh, &e);
    cr_assert_eq(shell_finish(&sh), FW_AGENT_REFUSED);
    cr_assert(strstr(sh.run.reason, "no seat 'aws'"), "%s", sh.run.reason);

    /* A coordinator that never answers. */
    shell_start(&sh, "inproc://coord-silent", "aws", 300, NULL);
    in = coord_recv(&sh);
    fw_proto_free(&in);
    cr_assert_eq(shell_finish(&sh), FW_AGENT_LOST);

    /* The caller's stop flag (what SIGINT raises in main). */
    static volatile sig_atomic_t stop;
    stop = 0;
    shell_start(&sh, "inproc://coord-stop", "aws", 5000, &stop);
    in = coord_recv(&sh);
    fw_proto_free(&in);
    stop = 1;
    cr_assert_eq(shell_finish(&sh), FW_AGENT_STOPPED);

    /* Bad configuration never reaches the network. */
    fw_agent_config_t cfg = {0};
    char why[128];
    void *ctx = zmq_ctx_new();
    cfg.zmq_ctx = ctx;
    cfg.url = "inproc://nowhere";
    cfg.role = ROLE(LAB);
    cfg.strategy = "vendor";
    cfg.idle_timeout_ms = 100;
    cr_assert_eq(fw_agent_run(&cfg, why, sizeof why), FW_AGENT_EUSAGE);
    cr_assert(strstr(why, "cannot play"), "%s", why);
    cfg.strategy = "nope";
    cr_assert_eq(fw_agent_run(&cfg, why, sizeof why), FW_AGENT_EUSAGE);
    cfg.strategy = NULL;
    cfg.url = "bogus://x";
    cr_assert_eq(fw_agent_run(&cfg, why, sizeof why), FW_AGENT_EUSAGE);
    zmq_ctx_term(ctx);
}

/* --- several seats in one loop --------------------------------------------------- */

typedef struct {
    fw_agent_config_t cfg;
    fw_agent_claim_t claims[2];
    int outcomes[2];
    int outcome;
    char reason[256];
} seats_run_t;

static void *seats_thread(void *p)
{
    seats_run_t *r = p;
    r->outcome = fw_agent_run_seats(&r->cfg, r->claims, 2, r->outcomes, r->reason,
                                    sizeof r->reason);
    return NULL;
}

/* Two seats of one process come as two connections, each playing its seat as a lone
 * agent would; one refused does not stop the other, and the run ends as its worst. */
Test(fw_agent, run_seats_plays_each_seat_on_its_own_connection)
{
    world_t w;
    welcome_t wm;
    seats_run_t r;
    pthread_t thread;
    uint8_t ids[2][FW_PROTO_MAX_IDENTITY + 1], id[FW_PROTO_MAX_IDENTITY + 1];
    size_t id_lens[2], id_len;
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert_eq(zmq_bind(router, "inproc://coord-seats"), 0);
    memset(&r, 0, sizeof r);
    r.cfg.zmq_ctx = ctx;
    r.cfg.url = "inproc://coord-seats";
    r.cfg.idle_timeout_ms = 5000;
    r.claims[0].seat = "nvda";
    r.claims[1].seat = "aws";
    cr_assert_eq(pthread_create(&thread, NULL, seats_thread, &r), 0);

    /* Two Hellos, from two routing ids. */
    int nvda = -1, aws = -1;
    for (int i = 0; i < 2; i++) {
        fw_envelope_t *in = NULL;
        cr_assert_eq(fw_proto_recv_from(router, 5000, ids[i], &id_lens[i], &in), 0);
        cr_assert_eq(in->body_case, FLYWHEEL__V1__ENVELOPE__BODY_HELLO);
        cr_assert_eq(in->seq, 1);
        if (strcmp(in->hello->seat, "nvda") == 0)
            nvda = i;
        else if (strcmp(in->hello->seat, "aws") == 0)
            aws = i;
        fw_proto_free(&in);
    }
    cr_assert(nvda >= 0 && aws >= 0, "a Hello for each seat");
    cr_assert(id_lens[0] != id_lens[1] || memcmp(ids[0], ids[1], id_lens[0]) != 0,
              "one connection per seat");

    /* aws is refused at the door; nvda plays on. */
    M(Refusal) ref = FLYWHEEL__V1__REFUSAL__INIT;
    ref.code = FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN;
    ref.reason = (char *)"seat 'aws' is taken";
    fw_envelope_t e = envelope("aws", 0);
    e.body_case = FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL;
    e.refusal = &ref;
    cr_assert_eq(fw_proto_send_to(router, ids[aws], id_lens[aws], &e), 0);

    world_init(&w, "nvda", ROLE(VENDOR), "");
    welcome_init(&wm, &w, "nvda", ROLE(VENDOR), 3, "");
    cr_assert_eq(fw_proto_send_to(router, ids[nvda], id_lens[nvda], &wm.env), 0);
    capacity(&w, "hopper", 100, 10000);
    fw_envelope_t ts = envelope("nvda", 1);
    ts.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_START;
    ts.tick_start = &w.ts;
    w.ts.tick = 1;
    cr_assert_eq(fw_proto_send_to(router, ids[nvda], id_lens[nvda], &ts), 0);
    fw_envelope_t *in = NULL;
    cr_assert_eq(fw_proto_recv_from(router, 5000, id, &id_len, &in), 0);
    cr_assert_eq(in->body_case, FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS);
    cr_assert_str_eq(in->seat, "nvda");
    cr_assert_eq(in->seq, 2);
    cr_assert(id_len == id_lens[nvda] && memcmp(id, ids[nvda], id_len) == 0,
              "nvda answers on its own connection");
    fw_proto_free(&in);

    M(Bye) bye = FLYWHEEL__V1__BYE__INIT;
    bye.reason = (char *)"run complete";
    fw_envelope_t b = envelope("nvda", 1);
    b.body_case = FLYWHEEL__V1__ENVELOPE__BODY_BYE;
    b.bye = &bye;
    cr_assert_eq(fw_proto_send_to(router, ids[nvda], id_lens[nvda], &b), 0);
    pthread_join(thread, NULL);
    cr_assert_eq(r.outcomes[0], FW_AGENT_BYE);
    cr_assert_eq(r.outcomes[1], FW_AGENT_REFUSED);
    cr_assert_eq(r.outcome, FW_AGENT_REFUSED, "the worst seat's outcome");
    cr_assert(strstr(r.reason, "seat aws: ") == r.reason, "%s", r.reason);
    cr_assert(strstr(r.reason, "taken"), "%s", r.reason);
    world_fini(&w);
    zmq_close(router);
    zmq_ctx_term(ctx);
}

/* The scenario loader refuses keys a strategy does not read (fw_known_params): every
 * key the strategies' sources read must be listed for the strategy whose file reads it
 * (fw_strategy.c's, the investors', for the clouds and the vendors). */
static void s_expect_listed(const char *file, const char *const *strategies, size_t n_st)
{
    char path[1024];
    fw_test_source_path(path, sizeof path, file);
    char *text = fw_test_read_file(path, NULL);
    cr_assert_not_null(text, "%s", path);
    size_t found = 0;
    for (const char *p = text; (p = strstr(p, "fw_strategy_param(")) != NULL; p++) {
        const char *q = strchr(p, '"');
        const char *paren = strchr(p, ')');
        if (!q || (paren && paren < q))
            continue; /* the definition, or a key that is not a literal */
        const char *end = strchr(q + 1, '"');
        cr_assert_not_null(end);
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(end - q - 1), q + 1);
        for (size_t s = 0; s < n_st; s++) {
            size_t n = 0, hit = 0;
            const char *const *known = fw_known_params(strategies[s], &n);
            cr_assert_not_null(known, "%s", strategies[s]);
            for (size_t i = 0; i < n; i++)
                hit += strcmp(known[i], key) == 0;
            cr_expect_eq(hit, 1, "%s reads '%s': not in fw_known_params' list for '%s'", file,
                         key, strategies[s]);
        }
        found++;
    }
    cr_expect_gt(found, 0, "%s reads no parameter?", file);
    free(text);
}

Test(strategy, every_parameter_read_is_known_to_the_scenario_loader)
{
    static const char *const cloud[] = {"hyperscaler"}, *const vendor[] = {"vendor"},
                             *const lab[] = {"lab"}, *const investors[] = {"hyperscaler",
                                                                           "vendor"};
    s_expect_listed("agents/strategy_hyperscaler.c", cloud, 1);
    s_expect_listed("agents/strategy_vendor.c", vendor, 1);
    s_expect_listed("agents/strategy_lab.c", lab, 1);
    s_expect_listed("agents/fw_strategy.c", investors, 2);
}
