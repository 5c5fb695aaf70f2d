/* fw_testhouse: see fw_testhouse.h. */
#include "fw_testhouse.h"

#include <stdio.h>
#include <stdlib.h>

#include "fw_agent.h"
#include "fw_arena.h"
#include "fw_proto.h"
#include "fw_strategy.h"

struct fw_testhouse {
    const fw_scenario_t *sc;
    fw_market_t *m;
    uint32_t n;
    fw_agent_seat_t **bots;
    fw_arena_t **obs;                    /* each seat's TickStart, while its bot reads it */
    Flywheel__V1__Actions **actions;
    Flywheel__V1__TickResult **results;
    fw_arena_t *view, *out;
    Flywheel__V1__Snapshot snap;         /* the last tick's, in `out` */
};

/* The house bot of `seat`, made from the Welcome its agent would get. */
static fw_agent_seat_t *s_bot(fw_testhouse_t *h, uint32_t seat, char *err, size_t err_len)
{
    fw_arena_t *a = fw_arena_new();
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Welcome w;
    if (!a) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    fw_market_welcome(h->m, seat, h->sc->seed, a, &w);
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = "testhouse";
    env.seat = (char *)h->sc->seats[seat].id;
    env.seq = 1;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_WELCOME;
    env.welcome = &w;
    const char *name = h->sc->seats[seat].strategy;
    fw_agent_seat_t *bot =
        fw_agent_seat_new(&env, name[0] && fw_strategy_find(name) ? name : NULL, err, err_len);
    fw_arena_destroy(&a);
    return bot;
}

fw_testhouse_t *fw_testhouse_new(const fw_scenario_t *sc, uint32_t ticks, char *err,
                                 size_t err_len)
{
    fw_testhouse_t *h = calloc(1, sizeof *h);
    if (!h)
        goto oom;
    h->sc = sc;
    h->n = sc->n_seats;
    h->m = fw_market_new(sc, ticks);
    h->bots = calloc(h->n ? h->n : 1, sizeof *h->bots);
    h->obs = calloc(h->n ? h->n : 1, sizeof *h->obs);
    h->actions = calloc(h->n ? h->n : 1, sizeof *h->actions);
    h->results = calloc(h->n ? h->n : 1, sizeof *h->results);
    flywheel__v1__snapshot__init(&h->snap);
    h->view = fw_arena_new();
    h->out = fw_arena_new();
    if (!h->m || !h->bots || !h->obs || !h->actions || !h->results || !h->view || !h->out)
        goto oom;
    for (uint32_t s = 0; s < h->n; s++) {
        char why[256] = "";
        h->bots[s] = s_bot(h, s, why, sizeof why);
        h->obs[s] = fw_arena_new();
        if (!h->bots[s] || !h->obs[s]) {
            snprintf(err, err_len, "seat %s: %s", sc->seats[s].id, why[0] ? why : "out of memory");
            fw_testhouse_destroy(&h);
            return NULL;
        }
    }
    return h;
oom:
    snprintf(err, err_len, "out of memory");
    fw_testhouse_destroy(&h);
    return NULL;
}

int fw_testhouse_tick(fw_testhouse_t *h, char *err, size_t err_len)
{
    uint32_t t = fw_market_tick(h->m) + 1;
    Flywheel__V1__MarketView market;
    fw_market_prepare(h->m);
    fw_arena_reset(h->view);
    fw_market_view_common(h->m, h->view, &market);
    for (uint32_t s = 0; s < h->n; s++) {
        fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
        Flywheel__V1__TickStart ts = FLYWHEEL__V1__TICK_START__INIT;
        const fw_envelope_t *reply = NULL;
        fw_arena_reset(h->obs[s]);
        fw_market_view_seat(h->m, s, h->obs[s], &market, &ts);
        env.protocol_version = FW_PROTOCOL_VERSION;
        env.run_id = "testhouse";
        env.tick = t;
        env.seat = (char *)h->sc->seats[s].id;
        env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_START;
        env.tick_start = &ts;
        if (fw_agent_seat_on_message(h->bots[s], &env, &reply) != FW_AGENT_CONTINUE) {
            snprintf(err, err_len, "tick %u: seat %s stopped playing", t, h->sc->seats[s].id);
            return -1;
        }
        h->actions[s] = reply ? reply->actions : NULL;
    }
    flywheel__v1__snapshot__init(&h->snap);
    fw_arena_reset(h->out);
    int rc = fw_market_step(h->m, h->actions, h->out, h->results, &h->snap, err, err_len);
    return rc == FW_MARKET_OK ? 0 : -1;
}

const Flywheel__V1__Snapshot *fw_testhouse_snapshot(const fw_testhouse_t *h)
{
    return &h->snap;
}

fw_market_t *fw_testhouse_market(fw_testhouse_t *h)
{
    return h->m;
}

void fw_testhouse_destroy(fw_testhouse_t **p)
{
    fw_testhouse_t *h = p ? *p : NULL;
    if (!h)
        return;
    for (uint32_t s = 0; h->bots && s < h->n; s++)
        fw_agent_seat_destroy(&h->bots[s]);
    for (uint32_t s = 0; h->obs && s < h->n; s++)
        fw_arena_destroy(&h->obs[s]);
    free(h->bots);
    free(h->obs);
    free(h->actions);
    free(h->results);
    fw_arena_destroy(&h->view);
    fw_arena_destroy(&h->out);
    fw_market_destroy(&h->m);
    free(h);
    *p = NULL;
}
