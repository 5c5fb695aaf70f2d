/* fw_human, the model of the human player's screen, driven without a terminal: the
 * house bot's suggestion as the default, forms that build moves, refusals of bad
 * input with a hint, sending before the deadline, and random keys that never break
 * it. The observations come from a real market (classroom.yaml) stepped by the
 * built-in strategies. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fw_agent.h"
#include "fw_human.h"
#include "fw_human_text.h"
#include "fw_market.h"
#include "fw_rng.h"
#include "fw_scenario.h"
#include "fw_testproc.h"

#define GOOGLE 3
#define OPENAI 4
#define NOW 1000000000000LL

static fw_scenario_t *s_sc;
static fw_market_t *s_market;
static fw_arena_t *s_arena;
static fw_envelope_t *s_welcome[8];
static fw_agent_seat_t *s_bots[8];

/* A Welcome for seat i, through the wire format like a real one. */
static fw_envelope_t *s_make_welcome(uint32_t i)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT, *out = NULL;
    Flywheel__V1__Welcome w = FLYWHEEL__V1__WELCOME__INIT;
    Flywheel__V1__SeatInfo infos[8], *ip[8];
    Flywheel__V1__ChipFamily fams[8], *fp[8];
    for (size_t s = 0; s < s_sc->n_seats; s++) {
        flywheel__v1__seat_info__init(&infos[s]);
        infos[s].id = s_sc->seats[s].id;
        infos[s].name = s_sc->seats[s].name;
        infos[s].role = (Flywheel__V1__Role)s_sc->seats[s].role;
        ip[s] = &infos[s];
    }
    for (size_t f = 0; f < s_sc->n_families; f++) {
        flywheel__v1__chip_family__init(&fams[f]);
        fams[f].id = s_sc->families[f].id;
        fams[f].vendor = s_sc->seats[s_sc->families[f].vendor].id;
        fams[f].perf_milli = s_sc->families[f].perf_milli;
        fams[f].unit_cost = s_sc->families[f].unit_cost;
        fams[f].lead_time = s_sc->families[f].lead_time;
        fams[f].life = s_sc->families[f].life;
        fams[f].captive_of = s_sc->families[f].captive_of >= 0
                                 ? s_sc->seats[s_sc->families[f].captive_of].id : "";
        fp[f] = &fams[f];
    }
    w.seat = s_sc->seats[i].id;
    w.role = (Flywheel__V1__Role)s_sc->seats[i].role;
    w.seat_seed = fw_rng_seat_seed(1, i);
    w.ticks = s_sc->ticks;
    w.scenario = s_sc->name;
    w.start_month = "2024-01";
    w.resume_token = "0123456789abcdef0123456789abcdef";
    w.params = "";
    w.n_seats = s_sc->n_seats;
    w.seats = ip;
    w.n_families = s_sc->n_families;
    w.families = fp;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = "run1";
    env.seq = 1;
    env.seat = s_sc->seats[i].id;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_WELCOME;
    env.welcome = &w;
    uint8_t *bytes;
    size_t len;
    cr_assert_eq(fw_proto_pack(&env, &bytes, &len), 0);
    cr_assert_eq(fw_proto_unpack(bytes, len, &out), 0);
    free(bytes);
    return out;
}

static void s_setup(void)
{
    char path[1024], err[512];
    fw_test_source_path(path, sizeof path, "scenarios/classroom.yaml");
    s_sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(s_sc, "%s", err);
    s_market = fw_market_new(s_sc, 0);
    s_arena = fw_arena_new();
    for (uint32_t i = 0; i < s_sc->n_seats; i++) {
        s_welcome[i] = s_make_welcome(i);
        s_bots[i] = fw_agent_seat_new(s_welcome[i], NULL, err, sizeof err);
        cr_assert_not_null(s_bots[i], "%s", err);
    }
}

static void s_teardown(void)
{
    for (uint32_t i = 0; i < s_sc->n_seats; i++) {
        fw_agent_seat_destroy(&s_bots[i]);
        fw_proto_free(&s_welcome[i]);
    }
    fw_arena_destroy(&s_arena);
    fw_market_destroy(&s_market);
    fw_scenario_destroy(&s_sc);
}

TestSuite(fw_human, .init = s_setup, .fini = s_teardown);

/* The TickStart seat i sees now, as an owned envelope, with the given deadline. */
static fw_envelope_t *s_tick_start(uint32_t i, int64_t deadline)
{
    Flywheel__V1__TickStart ts = FLYWHEEL__V1__TICK_START__INIT;
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT, *out = NULL;
    fw_arena_reset(s_arena);
    fw_market_view(s_market, i, s_arena, &ts);
    ts.deadline_unix_ms = deadline;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = "run1";
    env.tick = ts.tick;
    env.seat = s_sc->seats[i].id;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_START;
    env.tick_start = &ts;
    uint8_t *bytes;
    size_t len;
    cr_assert_eq(fw_proto_pack(&env, &bytes, &len), 0);
    cr_assert_eq(fw_proto_unpack(bytes, len, &out), 0);
    free(bytes);
    return out;
}

/* Seat i's TickStart of the tick being played, which the house bot plays for it. */
static fw_envelope_t *s_house_tick_start(uint32_t i, int64_t deadline)
{
    fw_envelope_t *ts = s_tick_start(i, deadline);
    ts->tick_start->house_plays = 1;
    return ts;
}

/* An owned copy of env, through the wire format like a message from the socket. */
static fw_envelope_t *s_wire(const fw_envelope_t *env)
{
    uint8_t *bytes;
    size_t len;
    fw_envelope_t *out = NULL;
    cr_assert_eq(fw_proto_pack(env, &bytes, &len), 0);
    cr_assert_eq(fw_proto_unpack(bytes, len, &out), 0);
    free(bytes);
    return out;
}

/* Steps the market one tick with every seat played by its built-in strategy, except
 * seat `me`, which plays `mine` (an Actions envelope; NULL = does nothing) when me is
 * a seat. Returns me's TickResult as an owned envelope (NULL when me is no seat). */
static fw_envelope_t *s_step_with(uint32_t me, const fw_envelope_t *mine)
{
    Flywheel__V1__Actions *acts[8] = {0};
    Flywheel__V1__TickResult *res[8];
    Flywheel__V1__Snapshot snap = FLYWHEEL__V1__SNAPSHOT__INIT;
    fw_envelope_t *ts[8], *result = NULL;
    fw_arena_t *a = fw_arena_new();
    char err[256];
    for (uint32_t i = 0; i < s_sc->n_seats; i++) {
        const fw_envelope_t *reply = NULL;
        ts[i] = s_tick_start(i, 0);
        fw_agent_seat_on_message(s_bots[i], ts[i], &reply);
        if (i == me)
            reply = mine;
        acts[i] = NULL;
        /* The reply lives in the bot until its next message: copy through the wire. */
        fw_proto_free(&ts[i]);
        if (reply) {
            ts[i] = s_wire(reply);
            acts[i] = ts[i]->actions;
        }
    }
    cr_assert_eq(fw_market_step(s_market, acts, a, res, &snap, err, sizeof err), 0, "%s", err);
    if (me < s_sc->n_seats) {
        fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
        env.protocol_version = FW_PROTOCOL_VERSION;
        env.run_id = "run1";
        env.tick = res[me]->tick;
        env.seat = s_sc->seats[me].id;
        env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT;
        env.tick_result = res[me];
        result = s_wire(&env);
    }
    for (uint32_t i = 0; i < s_sc->n_seats; i++)
        fw_proto_free(&ts[i]);
    fw_arena_destroy(&a);
    return result;
}

/* Steps the market one tick with every seat played by its built-in strategy. */
static void s_step(void)
{
    fw_envelope_t *none = s_step_with(UINT32_MAX, NULL);
    cr_assert_null(none);
}

/* A Refusal of seat i's message, as the coordinator sends it. */
static fw_envelope_t *s_refusal(uint32_t i, Flywheel__V1__RefusalCode code, const char *reason)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Refusal r = FLYWHEEL__V1__REFUSAL__INIT;
    r.code = code;
    r.reason = (char *)reason;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = "run1";
    env.seat = s_sc->seats[i].id;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL;
    env.refusal = &r;
    return s_wire(&env);
}

/* A TickResult for seat i with one rejection (action, reason). */
static fw_envelope_t *s_rejected(uint32_t i, uint32_t tick, const char *action,
                                 const char *reason)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__TickResult tr = FLYWHEEL__V1__TICK_RESULT__INIT;
    Flywheel__V1__Rejection rej = FLYWHEEL__V1__REJECTION__INIT, *rp = &rej;
    rej.action = (char *)action;
    rej.reason = (char *)reason;
    tr.tick = tick;
    tr.n_rejected = 1;
    tr.rejected = &rp;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = "run1";
    env.tick = tick;
    env.seat = s_sc->seats[i].id;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT;
    env.tick_result = &tr;
    return s_wire(&env);
}


static void s_type(fw_human_t *h, const char *text)
{
    for (const char *p = text; *p; p++)
        fw_human_key(h, *p == '\n' ? FW_HUMAN_KEY_ENTER : (unsigned char)*p, NOW);
}

/* Whether the screen drawn at `now` shows `needle`. */
static int s_screen_has_at(const fw_human_t *h, int64_t now, const char *needle)
{
    static fw_human_line_t lines[100];
    size_t n = fw_human_render(h, now, 50, 160, lines, 100);
    for (size_t i = 0; i < n; i++)
        if (strstr(lines[i].text, needle))
            return 1;
    return 0;
}

static int s_screen_has(const fw_human_t *h, const char *needle)
{
    static fw_human_line_t lines[100];
    size_t n = fw_human_render(h, NOW, 50, 160, lines, 100);
    for (size_t i = 0; i < n; i++)
        if (strstr(lines[i].text, needle))
            return 1;
    return 0;
}

/* A GameStatus for seat `to`: the phase, the last tick cleared, who holds each seat
 * (holders[i] for seat i: 'p' a player, 'h' the house bot, 'r' the house bot until its
 * player takes the seat back at the next tick, anything else free), the
 * deadline and the players wanted. */
static fw_envelope_t *s_status(uint32_t to, Flywheel__V1__Phase phase, uint32_t tick,
                               const char *holders, int64_t deadline, uint32_t wanted)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__GameStatus gs = FLYWHEEL__V1__GAME_STATUS__INIT;
    Flywheel__V1__SeatStatus st[8], *sp[8];
    for (uint32_t i = 0; i < s_sc->n_seats; i++) {
        flywheel__v1__seat_status__init(&st[i]);
        st[i].seat = s_sc->seats[i].id;
        char c = holders && i < strlen(holders) ? holders[i] : '.';
        st[i].holder = c == 'p'                ? FLYWHEEL__V1__HOLDER__HOLDER_PLAYER
                       : c == 'h' || c == 'r' ? FLYWHEEL__V1__HOLDER__HOLDER_HOUSE
                                               : FLYWHEEL__V1__HOLDER__HOLDER_EMPTY;
        st[i].returning = c == 'r';
        st[i].player = c == 'p' ? (i == OPENAI ? "student1" : "alice") : c == 'h' ? "lab" : "";
        sp[i] = &st[i];
    }
    gs.phase = phase;
    gs.tick = tick;
    gs.ticks = s_sc->ticks;
    gs.n_seats = s_sc->n_seats;
    gs.seats = sp;
    gs.pacing = "deadline:30";
    gs.deadline_unix_ms = deadline;
    gs.players_wanted = wanted;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = "run1";
    env.tick = tick;
    env.seat = s_sc->seats[to].id;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_STATUS;
    env.status = &gs;
    return s_wire(&env);
}

/* The whole screen at rows x cols, one line per row, for asserts and their messages. */
static const char *s_screen(const fw_human_t *h, int64_t now, size_t rows, size_t cols)
{
    static fw_human_line_t lines[100];
    static char text[100 * (FW_HUMAN_COLS + 1) + 1];
    size_t n = fw_human_render(h, now, rows, cols, lines, 100), used = 0;
    text[0] = '\0';
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s\n", lines[i].text);
    return text;
}

Test(fw_human, starts_from_the_house_bots_suggestion_and_sends_it_before_the_deadline)
{
    char err[256];
    s_step();
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    cr_assert_not_null(h, "%s", err);
    fw_envelope_t *ts = s_tick_start(OPENAI, NOW + 30000);
    cr_assert_eq(fw_human_on_message(h, ts, 0), FW_AGENT_CONTINUE);
    cr_assert_eq(fw_human_tick(h), 2);

    /* What the lab's default strategy does with the same observation. */
    fw_agent_seat_t *advisor = fw_agent_seat_new(s_welcome[OPENAI], NULL, err, sizeof err);
    const fw_envelope_t *want = NULL;
    fw_agent_seat_on_message(advisor, ts, &want);
    cr_assert_gt(want->actions->n_compute_bids, 0);
    cr_assert_eq(fw_human_moves(h), want->actions->n_compute_bids);
    cr_assert(s_screen_has(h, "house bot's suggestion"));
    cr_assert(s_screen_has(h, "Cash $"));
    cr_assert(s_screen_has(h, "30 s left"), "the countdown");
    cr_assert(s_screen_has(h, "0123456789abcdef0123456789abcdef"), "the resume token");

    cr_assert_eq(fw_human_clock(h, NOW + 10000), FW_HUMAN_NOTHING);
    cr_assert_eq(fw_human_clock(h, NOW + 29000), FW_HUMAN_SEND, "sent just before the deadline");
    const fw_envelope_t *sent = fw_human_actions(h);
    cr_assert_not_null(sent);
    cr_assert_eq(sent->tick, 2);
    cr_assert_eq(sent->seq, 2, "the Hello was 1");
    cr_assert_eq(sent->actions->n_compute_bids, want->actions->n_compute_bids);
    for (size_t i = 0; i < sent->actions->n_compute_bids; i++) {
        cr_assert_str_eq(sent->actions->compute_bids[i]->provider,
                         want->actions->compute_bids[i]->provider);
        cr_assert_eq(sent->actions->compute_bids[i]->quantity,
                     want->actions->compute_bids[i]->quantity);
    }
    cr_assert_null(fw_human_actions(h), "one Actions per tick");
    cr_assert_eq(fw_human_clock(h, NOW + 29500), FW_HUMAN_NOTHING);
    fw_agent_seat_destroy(&advisor);
    fw_proto_free(&ts);
    fw_human_destroy(&h);
}

Test(fw_human, keys_build_a_bid_and_enter_sends_it)
{
    char err[256];
    s_step();
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    fw_envelope_t *ts = s_tick_start(OPENAI, 0);
    fw_human_on_message(h, ts, 0);
    s_type(h, "c");
    cr_assert_eq(fw_human_moves(h), 0);
    s_type(h, "a");
    cr_assert(s_screen_has(h, "Cloud to rent from"), "a form field with its help");
    s_type(h, "aws\ngpu\n12.5k\n$2,500\n");
    cr_assert_eq(fw_human_moves(h), 1);
    cr_assert(s_screen_has(h, "1. rent 12,500 H100-months of gpu from aws, paying at most $2,500"));
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW), FW_HUMAN_SEND);
    const fw_envelope_t *sent = fw_human_actions(h);
    cr_assert_eq(sent->actions->n_compute_bids, 1);
    cr_assert_str_eq(sent->actions->compute_bids[0]->provider, "aws");
    cr_assert_eq(sent->actions->compute_bids[0]->quantity, 12500);
    cr_assert_eq(sent->actions->compute_bids[0]->max_price, 2500);
    /* After sending, editing is refused with a reason. */
    s_type(h, "a");
    cr_assert(s_screen_has(h, "are sent. Wait for the next tick"));
    fw_proto_free(&ts);
    fw_human_destroy(&h);
}

Test(fw_human, bad_input_gets_a_hint_and_loses_nothing)
{
    char err[256];
    s_step();
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    fw_envelope_t *ts = s_tick_start(OPENAI, 0);
    fw_human_on_message(h, ts, 0);
    size_t before = fw_human_moves(h);
    s_type(h, "a" "nowhere\n");
    cr_assert(s_screen_has(h, "is not one of the choices"));
    s_type(h, "2\n" "gpu\n" "lots\n");
    cr_assert(s_screen_has(h, "is not an amount"));
    s_type(h, "-5\n");
    cr_assert(s_screen_has(h, "is not an amount"));
    fw_human_key(h, FW_HUMAN_KEY_ESCAPE, NOW);
    cr_assert(s_screen_has(h, "Cancelled"));
    cr_assert_eq(fw_human_moves(h), before, "a cancelled form changes nothing");
    s_type(h, "Z");
    cr_assert(s_screen_has(h, "does nothing here. Press ? for help"));
    s_type(h, "?");
    cr_assert(s_screen_has(h, "HELP"));
    s_type(h, "x");
    cr_assert(s_screen_has(h, "YOUR MOVES"), "any key leaves the help");
    s_type(h, "d9\n");
    cr_assert(s_screen_has(h, "Type a number from 1 to"));
    fw_proto_free(&ts);
    fw_human_destroy(&h);
}

/* Something from the game at random: a status (any phase, any holders), a change of
 * the link, a Welcome again, a result with a rejection, a refusal. */
static void s_random_event(fw_human_t *h, uint32_t seat, uint64_t x, int64_t now)
{
    static const Flywheel__V1__Phase phases[] = {
        FLYWHEEL__V1__PHASE__PHASE_LOBBY, FLYWHEEL__V1__PHASE__PHASE_RUNNING,
        FLYWHEEL__V1__PHASE__PHASE_PAUSED, FLYWHEEL__V1__PHASE__PHASE_OVER,
        FLYWHEEL__V1__PHASE__PHASE_UNSPECIFIED};
    static const char *const holders[] = {"......", "pppppp", "hhhhhh", "rrrrrr", "p.h.r."};
    static const char *const reasons[][2] = {
        {"compute_bids[0]", "aws 'gpu' oversubscribed: got 12000 of 40000"},
        {"chip_orders[7]", "price 26000 is above your max_price 25000"},
        {"proposals[0]", "openai declined proposal 12"},
        {"answers[3]", "no proposal 12 is waiting for you"},
        {"nonsense", "%s %d {1} {$9} {m}"},
        {"compute_bids[99999999999999999999]", ""},
    };
    fw_envelope_t *env = NULL;
    switch ((x >> 8) % 6) {
    case 0:
        env = s_status(seat, phases[(x >> 12) % 5], (uint32_t)((x >> 16) % 30),
                       holders[(x >> 20) % 5], (x >> 24) % 2 ? now + 5000 : 0,
                       (uint32_t)((x >> 28) % 7));
        break;
    case 1:
        fw_human_set_link(h, (x >> 12) % 2 ? FW_HUMAN_LINK_LOST : FW_HUMAN_LINK_UP,
                          now - (int64_t)((x >> 16) % 20000), now + (int64_t)((x >> 20) % 9000));
        return;
    case 2:
        env = s_wire(s_welcome[seat]);
        break;
    case 3: {
        size_t r = (x >> 12) % (sizeof reasons / sizeof reasons[0]);
        env = s_rejected(seat, fw_human_tick(h) + (uint32_t)((x >> 16) % 2), reasons[r][0],
                         reasons[r][1]);
        break;
    }
    case 4:
        env = s_refusal(seat, (Flywheel__V1__RefusalCode)((x >> 12) % 13), "%s {m} '");
        break;
    default:
        fw_human_set_address(h, (x >> 12) % 2 ? "tcp://10.0.0.1:5555" : NULL,
                             (x >> 16) % 2 ? "a rather long player name, longer than any" : "");
        return;
    }
    int rc = fw_human_on_message(h, env, now);
    cr_assert(rc == FW_AGENT_CONTINUE || rc == FW_AGENT_REFUSED);
    fw_proto_free(&env);
}

Test(fw_human, random_keys_events_and_screen_sizes_never_break_it)
{
    char err[256];
    fw_rng_t r;
    fw_rng_seed(&r, 42);
    static fw_human_line_t lines[100];
    for (uint32_t seat = 0; seat < s_sc->n_seats; seat++) {
        fw_human_t *h = fw_human_new(s_welcome[seat], err, sizeof err);
        cr_assert_not_null(h, "%s", err);
        fw_envelope_t *ts = NULL;
        int64_t now = NOW;
        uint32_t last_sent = 0;
        for (int i = 0; i < 20000; i++) {
            uint64_t x = fw_rng_next(&r);
            if (i % 2000 == 0) {
                if (i && fw_market_tick(s_market) + 1 < fw_market_ticks(s_market))
                    s_step();
                fw_proto_free(&ts);
                /* Some ticks the house bot plays; some turns are short. */
                ts = (x >> 4) % 3 == 0 ? s_house_tick_start(seat, now + 20000)
                                       : s_tick_start(seat, now + ((x >> 6) % 2 ? 20000 : 900));
                cr_assert_eq(fw_human_on_message(h, ts, now), FW_AGENT_CONTINUE);
            }
            if (x % 41 == 0)
                s_random_event(h, seat, x, now);
            int key = x % 7 == 0 ? FW_HUMAN_KEY_ENTER + (int)(x >> 8) % 7 : (int)(x >> 16) % 256;
            if (x % 97 == 0)
                key = (int)(x >> 24); /* anything at all */
            const fw_envelope_t *sent = NULL;
            if (fw_human_key(h, key, now) == FW_HUMAN_SEND)
                sent = fw_human_actions(h);
            cr_assert_leq(fw_human_moves(h), 24);
            now += 7;
            if (!sent && fw_human_clock(h, now) == FW_HUMAN_SEND) {
                sent = fw_human_actions(h);
                cr_assert_not_null(sent);
            }
            if (sent) {
                cr_assert_gt(sent->tick, last_sent, "at most one Actions per tick");
                cr_assert_eq(sent->tick, fw_human_tick(h), "for the tick on screen");
                last_sent = sent->tick;
            }
            cr_assert_lt(strlen(fw_human_message(h)), 200);
            size_t rows = (x >> 32) % 60, cols = (x >> 40) % 300;
            size_t n = fw_human_render(h, now, rows, cols, lines, 100);
            cr_assert_leq(n, rows);
            for (size_t l = 0; l < n; l++)
                cr_assert_leq(strlen(lines[l].text), cols < FW_HUMAN_COLS ? cols : FW_HUMAN_COLS);
        }
        fw_proto_free(&ts);
        fw_human_destroy(&h);
    }
}

Test(fw_human, results_and_refusals_are_in_plain_words)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    fw_envelope_t *ts = s_tick_start(OPENAI, 0);
    fw_human_on_message(h, ts, 0);
    /* Three bids the market trims or refuses: too cheap, a cloud without that chip,
     * more than the lab's cash pays for. */
    s_type(h, "c");
    s_type(h, "a" "aws\n" "gpu\n" "40k\n" "1\n");
    s_type(h, "a" "aws\n" "tpu\n" "1000\n" "3000\n");
    s_type(h, "a" "google\n" "gpu\n" "50M\n" "2600\n");
    cr_assert_eq(fw_human_moves(h), 3);
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW), FW_HUMAN_SEND);
    fw_envelope_t *result = s_step_with(OPENAI, fw_human_actions(h));
    cr_assert_eq(fw_human_on_message(h, result, NOW), FW_AGENT_CONTINUE);
    const char *screen = s_screen(h, NOW, 60, 200);
    cr_assert(strstr(screen, "Your bid to rent gpu compute from aws got nothing: the price $"),
              "%s", screen);
    cr_assert(strstr(screen, "above the most you would pay, $1."), "%s", screen);
    cr_assert(strstr(screen, "aws offers no tpu compute this tick. Bid on an offer"), "%s",
              screen);
    cr_assert(strstr(screen, "Your bid to rent gpu compute from google was cut from 50.0M to"),
              "%s", screen);
    cr_assert(strstr(screen, "that is all your cash left this tick ($10.0B) could pay for. "
                             "Ask for less"), "no credits, no word of them: %s", screen);
    cr_assert_null(strstr(screen, "compute_bids"), "no list names: %s", screen);
    cr_assert_null(strstr(screen, "max_price"), "no field names: %s", screen);
    fw_proto_free(&result);

    /* A reason the client does not know: as written, without the list and index. */
    result = s_rejected(OPENAI, 1, "compute_bids[1]", "the cloud is on fire");
    fw_human_on_message(h, result, NOW);
    screen = s_screen(h, NOW, 60, 200);
    cr_assert(strstr(screen, "Your bid to rent tpu compute from aws was not carried out as "
                             "sent: the cloud is on fire. Change it next tick."), "%s", screen);
    cr_assert_null(strstr(screen, "[1]"), "%s", screen);
    fw_proto_free(&result);

    /* The coordinator refuses moves sent while the house bot plays the seat. */
    result = s_refusal(OPENAI, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE,
                       "the house bot plays seat 'openai' in tick 3; the seat is yours "
                       "again from tick 4");
    cr_assert_eq(fw_human_on_message(h, result, NOW), FW_AGENT_CONTINUE);
    cr_assert_str_eq(fw_human_message(h), "The house bot played tick 3 for you; your moves "
                     "count again from tick 4. Send them before its countdown ends.");
    fw_proto_free(&result);
    result = s_refusal(OPENAI, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE,
                       "actions for tick 2 refused (now collecting tick 3): late");
    fw_human_on_message(h, result, NOW);
    cr_assert_str_eq(fw_human_message(h), "Your moves for tick 2 came after its deadline, so "
                     "they were not used. Send tick 3's moves before the countdown ends.");
    fw_proto_free(&result);
    fw_proto_free(&ts);
    fw_human_destroy(&h);
}

Test(fw_human, a_quit_question_survives_new_ticks_and_the_deadline)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    fw_envelope_t *ts = s_tick_start(OPENAI, NOW + 30000);
    fw_human_on_message(h, ts, NOW);
    fw_proto_free(&ts);
    s_type(h, "q");
    cr_assert(s_screen_has(h, "Leave the game?"));
    /* The tick's time runs out: the draft goes, the question stays. */
    cr_assert_eq(fw_human_clock(h, NOW + 29000), FW_HUMAN_SEND);
    cr_assert_not_null(fw_human_actions(h));
    cr_assert(s_screen_has(h, "Leave the game?"), "the deadline keeps the question open");
    /* The next tick and the game's status arrive before the 1. */
    s_step();
    ts = s_tick_start(OPENAI, NOW + 60000);
    fw_human_on_message(h, ts, NOW + 30000);
    fw_envelope_t *st = s_status(OPENAI, FLYWHEEL__V1__PHASE__PHASE_RUNNING, 1, "hhhhph",
                                 NOW + 60000, 1);
    fw_human_on_message(h, st, NOW + 30100);
    cr_assert_eq(fw_human_tick(h), 2);
    cr_assert(s_screen_has(h, "Leave the game?"), "a new tick keeps the question open");
    cr_assert_eq(fw_human_key(h, '1', NOW + 30200), FW_HUMAN_NOTHING);
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 30300), FW_HUMAN_QUIT,
                 "q, 1, Enter leaves whatever came in between");
    cr_assert_eq(fw_human_sent(h), 0, "and the new tick's moves were not sent");
    fw_proto_free(&st);
    fw_proto_free(&ts);
    fw_human_destroy(&h);
}

Test(fw_human, a_move_finished_at_the_deadline_goes_with_the_draft)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    fw_envelope_t *ts = s_tick_start(OPENAI, NOW + 30000);
    fw_human_on_message(h, ts, NOW);
    s_type(h, "c" "a" "aws\n" "gpu\n" "12k\n" "2100"); /* no Enter yet on the last field */
    cr_assert_eq(fw_human_clock(h, NOW + 29000), FW_HUMAN_SEND);
    const fw_envelope_t *sent = fw_human_actions(h);
    cr_assert_eq(sent->actions->n_compute_bids, 1, "the move being typed went too");
    cr_assert_eq(sent->actions->compute_bids[0]->quantity, 12000);
    cr_assert_eq(sent->actions->compute_bids[0]->max_price, 2100);
    cr_assert_str_eq(fw_human_message(h), "Time is up: your moves were sent, including the "
                     "one you were typing.");
    /* The Enter meant for the form finds the tick sent: nothing more goes out. */
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 29100), FW_HUMAN_NOTHING);
    cr_assert_null(fw_human_actions(h));
    fw_proto_free(&ts);
    fw_human_destroy(&h);
}

Test(fw_human, a_move_still_being_typed_at_the_deadline_goes_into_the_next_tick)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    fw_envelope_t *ts = s_tick_start(OPENAI, NOW + 30000);
    fw_human_on_message(h, ts, NOW);
    fw_proto_free(&ts);
    s_type(h, "c" "a" "aws\n" "gpu\n" "12"); /* on the quantity: not the last field */
    cr_assert_eq(fw_human_clock(h, NOW + 29000), FW_HUMAN_SEND);
    const fw_envelope_t *sent = fw_human_actions(h);
    cr_assert_eq(sent->actions->n_compute_bids, 0, "sent without the unfinished move");
    cr_assert_str_eq(fw_human_message(h), "Time is up: your other moves were sent; finish "
                     "this one and it goes into tick 2's moves.");
    cr_assert(s_screen_has(h, "Quantity (H100-months)"), "the form is still open");
    s_type(h, "k\n" "2100\n");
    cr_assert(strstr(fw_human_message(h), "goes into tick 2's moves when that tick starts"),
              "%s", fw_human_message(h));
    cr_assert_null(fw_human_actions(h), "one Actions per tick");

    /* Tick 2: the house bot's suggestion, and the move finished late. */
    fw_envelope_t *result = s_step_with(OPENAI, sent);
    fw_human_on_message(h, result, NOW + 30000);
    fw_proto_free(&result);
    ts = s_tick_start(OPENAI, NOW + 60000);
    fw_agent_seat_t *advisor = fw_agent_seat_new(s_welcome[OPENAI], NULL, err, sizeof err);
    const fw_envelope_t *want = NULL;
    fw_agent_seat_on_message(advisor, ts, &want);
    size_t suggested = want->actions->n_compute_bids;
    fw_human_on_message(h, ts, NOW + 30000);
    cr_assert_eq(fw_human_moves(h), suggested + 1);
    cr_assert(strstr(fw_human_message(h), "The move you finished after tick 1's moves were "
                     "sent is added"), "%s", fw_human_message(h));
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 35000), FW_HUMAN_SEND);
    sent = fw_human_actions(h);
    cr_assert_eq(sent->tick, 2);
    cr_assert_eq(sent->actions->n_compute_bids, suggested + 1);
    const Flywheel__V1__ComputeBid *late = sent->actions->compute_bids[suggested];
    cr_assert_str_eq(late->provider, "aws");
    cr_assert_eq(late->quantity, 12000);
    cr_assert_eq(late->max_price, 2100);
    fw_agent_seat_destroy(&advisor);
    fw_proto_free(&ts);
    fw_human_destroy(&h);
}

Test(fw_human, a_choice_of_move_numbers_closes_when_the_numbers_change)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    fw_envelope_t *ts = s_tick_start(OPENAI, NOW + 30000);
    fw_human_on_message(h, ts, NOW);
    fw_proto_free(&ts);
    size_t before = fw_human_moves(h);
    cr_assert_gt(before, 0);
    s_type(h, "d");
    cr_assert(s_screen_has(h, "Number of the move to delete"));
    cr_assert_eq(fw_human_clock(h, NOW + 29000), FW_HUMAN_SEND);
    cr_assert_not_null(fw_human_actions(h));
    cr_assert_not(s_screen_has(h, "Number of the move to delete"), "closed at the deadline");
    cr_assert(strstr(fw_human_message(h), "the change you were choosing was not made"));

    /* At a new tick too: the numbers were the old tick's. */
    s_step();
    ts = s_tick_start(OPENAI, NOW + 60000);
    fw_human_on_message(h, ts, NOW + 30000);
    fw_proto_free(&ts);
    s_type(h, "d");
    s_step();
    ts = s_tick_start(OPENAI, NOW + 90000);
    fw_human_on_message(h, ts, NOW + 31000);
    fw_proto_free(&ts);
    cr_assert_not(s_screen_has(h, "Number of the move to delete"));
    cr_assert(strstr(fw_human_message(h), "Tick 3 started, so the change you were choosing "
                     "was cancelled"), "%s", fw_human_message(h));
    before = fw_human_moves(h);
    s_type(h, "1");
    cr_assert_eq(fw_human_moves(h), before, "the 1 typed next deletes nothing");
    fw_human_destroy(&h);
}

Test(fw_human, an_enter_typed_as_the_screen_changes_does_not_send)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    fw_envelope_t *ts = s_tick_start(OPENAI, NOW + 30000);
    fw_human_on_message(h, ts, NOW);
    fw_proto_free(&ts);
    /* An Enter 0.3 s after the tick arrived was typed for the screen before it. */
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 300), FW_HUMAN_NOTHING);
    cr_assert_str_eq(fw_human_message(h), "A new tick just started: check your moves, then "
                     "press Enter to send.");
    cr_assert_eq(fw_human_sent(h), 0);
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 1200), FW_HUMAN_SEND,
                 "after the guard, Enter sends");
    cr_assert_not_null(fw_human_actions(h));

    /* The game closes a choice of move numbers at the next tick: the 1 and Enter typed
     * for it neither delete nor send. */
    s_step();
    ts = s_tick_start(OPENAI, NOW + 60000);
    fw_human_on_message(h, ts, NOW + 30000);
    fw_proto_free(&ts);
    cr_assert_eq(fw_human_key(h, 'd', NOW + 31000), FW_HUMAN_NOTHING);
    s_step();
    ts = s_tick_start(OPENAI, NOW + 90000);
    fw_human_on_message(h, ts, NOW + 32000);
    fw_proto_free(&ts);
    size_t moves = fw_human_moves(h);
    cr_assert_eq(fw_human_key(h, '1', NOW + 32100), FW_HUMAN_NOTHING);
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 32200), FW_HUMAN_NOTHING);
    cr_assert_eq(fw_human_moves(h), moves);
    cr_assert_eq(fw_human_sent(h), 0);
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 33100), FW_HUMAN_SEND);
    fw_human_destroy(&h);
}

Test(fw_human, a_short_turn_is_sent_a_quarter_of_it_before_the_deadline)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    /* A 1.5 s turn: sent 375 ms before its end, not the moment it arrives. */
    fw_envelope_t *ts = s_tick_start(OPENAI, NOW + 1500);
    fw_human_on_message(h, ts, NOW);
    fw_proto_free(&ts);
    cr_assert_eq(fw_human_clock(h, NOW), FW_HUMAN_NOTHING);
    cr_assert_eq(fw_human_clock(h, NOW + 1124), FW_HUMAN_NOTHING);
    cr_assert_eq(fw_human_clock(h, NOW + 1125), FW_HUMAN_SEND);
    cr_assert_not_null(fw_human_actions(h));
    /* A 30 s turn: 1.5 s before its end, as before. */
    s_step();
    ts = s_tick_start(OPENAI, NOW + 32000);
    fw_human_on_message(h, ts, NOW + 2000);
    fw_proto_free(&ts);
    cr_assert_eq(fw_human_clock(h, NOW + 30499), FW_HUMAN_NOTHING);
    cr_assert_eq(fw_human_clock(h, NOW + 30500), FW_HUMAN_SEND);
    fw_human_destroy(&h);
}

/* The value of figure `id` in the TickStart's market valuations. */
static int64_t s_valuation_of(const fw_envelope_t *ts, const char *id)
{
    const Flywheel__V1__MarketView *m = ts->tick_start->market;
    for (size_t i = 0; i < m->n_valuations; i++)
        if (strcmp(m->valuations[i]->id, id) == 0)
            return m->valuations[i]->value;
    cr_assert_fail("no valuation for %s", id);
    return 0;
}

Test(fw_human, an_investment_starts_from_the_labs_valuation)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[GOOGLE], err, sizeof err);
    fw_envelope_t *ts = s_tick_start(GOOGLE, 0);
    fw_human_on_message(h, ts, 0);
    int64_t openai = s_valuation_of(ts, "openai"), anthropic = s_valuation_of(ts, "anthropic");
    cr_assert_neq(openai, 20000000000LL, "the test needs a lab not worth the old fixed 20B");
    cr_assert_neq(openai, anthropic);
    s_type(h, "c" "a" "invest\n");
    cr_assert(s_screen_has(h, "Lab to invest in [openai]"));
    s_type(h, "\n");
    cr_assert(s_screen_has(h, "Amount to invest ($) [4B]"), "5%% of openai's 80B");
    s_type(h, "\n");
    cr_assert(s_screen_has(h, "Valuation of the lab ($) [80B]"), "openai's valuation");
    s_type(h, "\n\n");
    /* Another lab: its own valuation. */
    s_type(h, "a" "invest\n" "anthropic\n" "\n" "\n" "\n");
    cr_assert_eq(fw_human_moves(h), 2);
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW), FW_HUMAN_SEND);
    const fw_envelope_t *sent = fw_human_actions(h);
    cr_assert_eq(sent->actions->n_proposals, 2);
    cr_assert_eq(sent->actions->proposals[0]->terms->valuation, openai);
    cr_assert_eq(sent->actions->proposals[0]->terms->amount, openai / 20);
    cr_assert_str_eq(sent->actions->proposals[1]->lab, "anthropic");
    cr_assert_eq(sent->actions->proposals[1]->terms->valuation, anthropic);
    cr_assert_eq(sent->actions->proposals[1]->terms->amount, anthropic / 20);
    fw_proto_free(&ts);
    fw_human_destroy(&h);
}

Test(fw_human, a_bid_follows_the_chosen_clouds_price)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    fw_envelope_t *ts = s_tick_start(OPENAI, 0);
    fw_human_on_message(h, ts, 0);
    /* In the first tick google is the cheapest ($1,500), aws asks $2,000. */
    s_type(h, "c" "a");
    cr_assert(s_screen_has(h, "Cloud to rent from [google]"));
    s_type(h, "aws\n");
    cr_assert(s_screen_has(h, "Chip family [gpu]"), "aws rents out gpu only");
    s_type(h, "\n" "\n");
    cr_assert(s_screen_has(h, "Most you pay per H100-month ($) [2100]"),
              "aws's $2,000 and 5%%, not google's $1,500");
    s_type(h, "\n");
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW), FW_HUMAN_SEND);
    const fw_envelope_t *sent = fw_human_actions(h);
    cr_assert_eq(sent->actions->compute_bids[0]->max_price, 2100);
    /* The market fills it: the default bid gets compute. */
    fw_envelope_t *result = s_step_with(OPENAI, sent);
    cr_assert_gt(result->tick_result->n_fills, 0);
    fw_proto_free(&result);
    fw_proto_free(&ts);
    fw_human_destroy(&h);
}

Test(fw_human, a_chip_order_follows_the_chosen_family_price)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[GOOGLE], err, sizeof err);
    fw_envelope_t *ts = s_tick_start(GOOGLE, 0);
    fw_human_on_message(h, ts, 0);
    s_type(h, "c" "a" "order\n");
    cr_assert(s_screen_has(h, "Chip family to order [tpu]"), "the cheapest google may buy");
    s_type(h, "gpu\n" "\n");
    cr_assert(s_screen_has(h, "Most you pay per chip ($) [26250]"),
              "gpu's $25,000 and 5%%, not tpu's $5,000");
    fw_human_destroy(&h);
    /* A cloud that may not buy the cheapest chips (tpu is google's only) gets a
     * default it may order. */
    h = fw_human_new(s_welcome[2], err, sizeof err);
    fw_proto_free(&ts);
    ts = s_tick_start(2, 0);
    fw_human_on_message(h, ts, 0);
    s_type(h, "c" "a" "order\n" "\n" "\n" "\n");
    cr_assert_eq(fw_human_moves(h), 1, "%s", fw_human_message(h));
    fw_proto_free(&ts);
    fw_human_destroy(&h);
}

Test(fw_human, a_labs_suggestion_says_why_it_rents_more_than_customers_use)
{
    char err[256], line[200];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    fw_envelope_t *ts = s_tick_start(OPENAI, 0);
    fw_human_on_message(h, ts, 0);
    const Flywheel__V1__SeatView *me = ts->tick_start->me;
    fw_agent_seat_t *advisor = fw_agent_seat_new(s_welcome[OPENAI], NULL, err, sizeof err);
    const fw_envelope_t *want = NULL;
    fw_agent_seat_on_message(advisor, ts, &want);
    int64_t total = 0;
    for (size_t i = 0; i < want->actions->n_compute_bids; i++)
        total += want->actions->compute_bids[i]->quantity;
    cr_assert_gt(total, 2 * me->demand, "the suggestion rents well over the demand");
    /* Demand 100,000 and the rest, as the screen writes numbers. */
    char rest[24];
    snprintf(rest, sizeof rest, "%.1fk", (double)(total - me->demand) / 1000.0);
    snprintf(line, sizeof line, "  Why so much? 100.0k serve your customers; %s train a "
             "better model (see ?).", rest);
    const char *screen = s_screen(h, NOW, 24, 80);
    cr_assert(strstr(screen, line), "one line, at 80 columns:\n%s", screen);
    /* The draft is the player's own: nothing to explain. */
    s_type(h, "c");
    cr_assert_not(s_screen_has(h, "Why so much?"));
    s_type(h, "h?");
    cr_assert(s_screen_has(h, "The rest trains your next model"), "the help says more");
    fw_agent_seat_destroy(&advisor);
    fw_proto_free(&ts);
    fw_human_destroy(&h);
}

Test(fw_human, the_lobby_shows_the_seats_and_when_the_game_starts)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    const char *screen = s_screen(h, NOW, 24, 80);
    cr_assert(strstr(screen, "Waiting for the game server"), "%s", screen);
    /* Seats in order: nvidia, tpu_maker, aws, google, openai, anthropic. */
    fw_envelope_t *st = s_status(OPENAI, FLYWHEEL__V1__PHASE__PHASE_LOBBY, 0, ".hp.p.",
                                 NOW + 42000, 3);
    fw_human_on_message(h, st, NOW);
    fw_proto_free(&st);
    screen = s_screen(h, NOW, 24, 80);
    cr_assert(strstr(screen, "lobby: the game has not started"), "%s", screen);
    cr_assert(strstr(screen, "  2 of 3 players have joined. The game starts when 3 have, or "
                             "in 42 s (then\n  house bots play the free seats)."), "%s",
              screen);
    cr_assert(strstr(screen, "Each tick lasts 30 s"), "%s", screen);
    cr_assert(strstr(screen, "  NVIDIA                       chip maker  free"), "%s", screen);
    cr_assert(strstr(screen, "  TPU Maker (Broadcom)         chip maker  house bot"), "%s",
              screen);
    cr_assert(strstr(screen, "  Amazon Web Services          cloud       alice"), "%s", screen);
    cr_assert(strstr(screen, "> OpenAI                       AI lab      you (student1)"),
              "%s", screen);
    screen = s_screen(h, NOW + 30500, 24, 80);
    cr_assert(strstr(screen, "or in 12 s"), "the countdown runs: %s", screen);
    /* No start time: the teacher starts it. */
    st = s_status(OPENAI, FLYWHEEL__V1__PHASE__PHASE_LOBBY, 0, "....p.", 0, 6);
    fw_human_on_message(h, st, NOW);
    fw_proto_free(&st);
    screen = s_screen(h, NOW, 24, 80);
    cr_assert(strstr(screen, "1 of 6 players have joined. The game starts when 6 have, or "
                             "when the teacher\n  starts it."), "%s", screen);
    s_type(h, "a");
    cr_assert_str_eq(fw_human_message(h), "The game has not started yet: wait for the first "
                     "tick.");
    fw_human_destroy(&h);
}

Test(fw_human, a_pause_shows_and_sends_nothing)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    s_step();
    fw_envelope_t *ts = s_tick_start(OPENAI, NOW + 30000);
    fw_human_on_message(h, ts, NOW);
    fw_proto_free(&ts);
    /* Paused after tick 1 while tick 2 is on screen, unsent. */
    fw_envelope_t *st = s_status(OPENAI, FLYWHEEL__V1__PHASE__PHASE_PAUSED, 1, "hhhhph", 0, 1);
    fw_human_on_message(h, st, NOW + 1000);
    fw_proto_free(&st);
    cr_assert_str_eq(fw_human_message(h), "Paused by the teacher after tick 1. Wait for the "
                     "game to resume; q leaves.");
    const char *screen = s_screen(h, NOW + 1000, 24, 80);
    cr_assert(strstr(screen, "Paused by the teacher after tick 1"), "%s", screen);
    cr_assert_eq(fw_human_clock(h, NOW + 29000), FW_HUMAN_NOTHING, "no auto-send while paused");
    cr_assert_eq(fw_human_clock(h, NOW + 40000), FW_HUMAN_NOTHING);
    /* Resumed: the pause is gone, and an Enter right away does not send. */
    st = s_status(OPENAI, FLYWHEEL__V1__PHASE__PHASE_RUNNING, 1, "hhhhph", NOW + 70000, 1);
    fw_human_on_message(h, st, NOW + 50000);
    fw_proto_free(&st);
    screen = s_screen(h, NOW + 50000, 24, 80);
    cr_assert_null(strstr(screen, "Paused"), "%s", screen);
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 50200), FW_HUMAN_NOTHING);
    cr_assert_str_eq(fw_human_message(h), "The game just resumed: check your moves, then "
                     "press Enter to send.");
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 51200), FW_HUMAN_SEND);
    cr_assert_not_null(fw_human_actions(h));

    /* Paused after the tick on screen: a deadline that passed during the pause sends
     * nothing, then or after the game resumes. */
    s_step();
    ts = s_tick_start(OPENAI, NOW + 90000);
    fw_human_on_message(h, ts, NOW + 60000);
    fw_proto_free(&ts);
    st = s_status(OPENAI, FLYWHEEL__V1__PHASE__PHASE_PAUSED, 3, "hhhhph", 0, 1);
    fw_human_on_message(h, st, NOW + 61000);
    fw_proto_free(&st);
    cr_assert_eq(fw_human_clock(h, NOW + 95000), FW_HUMAN_NOTHING);
    st = s_status(OPENAI, FLYWHEEL__V1__PHASE__PHASE_RUNNING, 3, "hhhhph", NOW + 130000, 1);
    fw_human_on_message(h, st, NOW + 100000);
    fw_proto_free(&st);
    cr_assert_eq(fw_human_clock(h, NOW + 100000), FW_HUMAN_NOTHING, "tick 3 is over");
    cr_assert_null(fw_human_actions(h));
    fw_human_destroy(&h);
}

Test(fw_human, a_player_the_house_bot_replaced_watches_and_comes_back_with_enter)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    s_step();
    fw_envelope_t *ts = s_house_tick_start(OPENAI, NOW + 30000);
    fw_human_on_message(h, ts, NOW);
    fw_proto_free(&ts);
    const char *screen = s_screen(h, NOW + 2000, 24, 80);
    cr_assert(strstr(screen, "The house bot plays tick 2 for you, since you were away"), "%s",
              screen);
    cr_assert(strstr(fw_human_message(h), "Press Enter to play again: your moves count from "
                     "tick 3."), "%s", fw_human_message(h));
    /* Walking away never takes the seat back: nothing goes on its own. */
    cr_assert_eq(fw_human_clock(h, NOW + 29000), FW_HUMAN_NOTHING);
    cr_assert_eq(fw_human_clock(h, NOW + 31000), FW_HUMAN_NOTHING);
    /* Enter does: that is how the player says "I'm back". */
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 5000), FW_HUMAN_SEND);
    const fw_envelope_t *sent = fw_human_actions(h);
    cr_assert_not_null(sent);
    cr_assert_eq(sent->tick, 2);
    cr_assert_str_eq(fw_human_message(h), "Sent: you are back. The house bot still plays tick "
                     "2; your moves count again from tick 3.");
    screen = s_screen(h, NOW + 5000, 24, 80);
    cr_assert(strstr(screen, "The house bot plays tick 2 for you. You are back: your moves "
                             "count again from\n  tick 3."), "%s", screen);
    fw_envelope_t *refusal = s_refusal(OPENAI, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE,
                                       "the house bot plays seat 'openai' in tick 2; the seat "
                                       "is yours again from tick 3");
    cr_assert_eq(fw_human_on_message(h, refusal, NOW + 5100), FW_AGENT_CONTINUE);
    cr_assert(strstr(fw_human_message(h), "The house bot played tick 2 for you; your moves "
                     "count again from tick 3."), "%s", fw_human_message(h));
    fw_proto_free(&refusal);
    /* Tick 3 is the player's again: the draft goes before the deadline as usual. */
    s_step();
    ts = s_tick_start(OPENAI, NOW + 60000);
    fw_human_on_message(h, ts, NOW + 30000);
    fw_proto_free(&ts);
    cr_assert_null(strstr(s_screen(h, NOW + 30000, 24, 80), "house bot plays"));
    cr_assert_eq(fw_human_clock(h, NOW + 59000), FW_HUMAN_SEND);
    fw_human_destroy(&h);
}

Test(fw_human, a_player_back_mid_game_is_never_told_the_game_has_not_started)
{
    char err[256];
    s_step();
    s_step();
    /* A new process with the resume token: Welcome, the status, the tick being played. */
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    const char *screen = s_screen(h, NOW, 24, 80);
    cr_assert_null(strstr(screen, "not started"), "%s", screen);
    fw_envelope_t *st = s_status(OPENAI, FLYWHEEL__V1__PHASE__PHASE_RUNNING, 2, "hhhhrh",
                                 NOW + 30000, 1);
    fw_human_on_message(h, st, NOW);
    fw_proto_free(&st);
    screen = s_screen(h, NOW, 24, 80);
    cr_assert(strstr(screen, "The game is on: tick 2 of 24 was the last played."), "%s", screen);
    cr_assert_null(strstr(screen, "not started"), "%s", screen);
    s_type(h, "a");
    cr_assert_str_eq(fw_human_message(h), "There is no tick to play yet: wait for the next one.");
    fw_envelope_t *ts = s_house_tick_start(OPENAI, NOW + 30000);
    fw_human_on_message(h, ts, NOW + 100);
    fw_proto_free(&ts);
    screen = s_screen(h, NOW + 200, 24, 80);
    cr_assert(strstr(screen, "The house bot plays tick 3 for you."), "%s", screen);
    fw_human_destroy(&h);

    /* The terminal layer reconnects an open screen: a Welcome again, then the tick. */
    h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    ts = s_tick_start(OPENAI, NOW + 30000);
    fw_human_on_message(h, ts, NOW);
    fw_proto_free(&ts);
    s_type(h, "c" "a" "aws\n" "gpu\n" "10k\n" "2100\n");
    cr_assert_eq(fw_human_on_message(h, s_welcome[OPENAI], NOW + 5000), FW_AGENT_CONTINUE);
    cr_assert(strstr(fw_human_message(h), "Welcome back!"), "%s", fw_human_message(h));
    cr_assert_eq(fw_human_moves(h), 1, "the screen keeps the draft");
    ts = s_house_tick_start(OPENAI, NOW + 30000);
    fw_human_on_message(h, ts, NOW + 5100);
    fw_proto_free(&ts);
    screen = s_screen(h, NOW + 5200, 24, 80);
    cr_assert(strstr(screen, "The house bot plays tick 3 for you. You are back: your moves "
                             "count again from\n  tick 4."), "the same tick, sent again: %s",
              screen);
    cr_assert_null(strstr(screen, "not started"), "%s", screen);
    fw_human_destroy(&h);
}

Test(fw_human, a_lost_connection_shows_sends_nothing_and_q_still_leaves)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    fw_envelope_t *ts = s_tick_start(OPENAI, NOW + 60000);
    fw_human_on_message(h, ts, NOW);
    fw_proto_free(&ts);
    fw_human_set_link(h, FW_HUMAN_LINK_LOST, NOW + 1000, NOW + 10000);
    const char *screen = s_screen(h, NOW + 8000, 24, 80);
    cr_assert(strstr(screen, "Lost contact with the game server 7 s ago. Trying again in 2 "
                             "s... The house bot"), "%s", screen);
    cr_assert(strstr(screen, "q leaves."), "%s", screen);
    cr_assert(strstr(screen, "no contact"), "no turn countdown for a game out of reach: %s",
              screen);
    cr_assert_null(strstr(screen, "s left"), "%s", screen);
    screen = s_screen(h, NOW + 9500, 24, 80);
    cr_assert(strstr(screen, "8 s ago. Trying again in 1 s..."), "a live countdown: %s", screen);
    screen = s_screen(h, NOW + 11000, 24, 80);
    cr_assert(strstr(screen, "Trying again now..."), "%s", screen);
    cr_assert_eq(fw_human_clock(h, NOW + 59000), FW_HUMAN_NOTHING, "no auto-send");
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 20000), FW_HUMAN_NOTHING);
    cr_assert(strstr(fw_human_message(h), "Nothing was sent: the game server is out of reach."),
              "%s", fw_human_message(h));
    /* Back in contact: the banner goes, and Enter sends once the guard is over. */
    fw_human_set_link(h, FW_HUMAN_LINK_UP, NOW + 30000, 0);
    screen = s_screen(h, NOW + 30000, 24, 80);
    cr_assert_null(strstr(screen, "Lost contact"), "%s", screen);
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 30300), FW_HUMAN_NOTHING);
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 31100), FW_HUMAN_SEND);
    cr_assert_not_null(fw_human_actions(h));
    /* Lost again: q, 1, Enter leaves. */
    fw_human_set_link(h, FW_HUMAN_LINK_LOST, NOW + 32000, 0);
    cr_assert(s_screen_has(h, "Lost contact with the game server"));
    cr_assert_eq(fw_human_key(h, 'q', NOW + 33000), FW_HUMAN_NOTHING);
    cr_assert_eq(fw_human_key(h, '1', NOW + 33100), FW_HUMAN_NOTHING);
    cr_assert_eq(fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 33200), FW_HUMAN_QUIT);
    fw_human_destroy(&h);
}

/* The words of lines[from..n), one space apart. */
static void s_words(const fw_human_line_t *lines, size_t from, size_t n, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = from; i < n; i++) {
        char copy[FW_HUMAN_COLS + 1];
        snprintf(copy, sizeof copy, "%s", lines[i].text);
        for (char *w = strtok(copy, " "); w; w = strtok(NULL, " "))
            used += (size_t)snprintf(out + used, cap - used, "%s ", w);
    }
}

/* The screen fits 80 x 24 with every word in `want` on it, and nothing is cut: below
 * the title (which has a shorter form), a tall screen 80 wide has the words of one
 * 240 wide, in the same order. */
static void s_fits_80(const fw_human_t *h, int64_t now, const char *state, const char **want)
{
    static fw_human_line_t narrow[100], wide[100];
    static char a[100 * (FW_HUMAN_COLS + 1)], b[100 * (FW_HUMAN_COLS + 1)];
    const char *screen = s_screen(h, now, 24, 80);
    size_t n = fw_human_render(h, now, 24, 80, narrow, 100);
    cr_assert_leq(n, 24, "%s", state);
    for (size_t i = 0; i < n; i++)
        cr_assert_leq(strlen(narrow[i].text), 80, "%s: line %zu", state, i);
    for (size_t i = 0; want[i]; i++)
        cr_assert(strstr(screen, want[i]), "%s: '%s' at 80 x 24:\n%s", state, want[i], screen);
    size_t nn = fw_human_render(h, now, 100, 80, narrow, 100);
    size_t nw = fw_human_render(h, now, 100, 240, wide, 100);
    s_words(narrow, 1, nn, a, sizeof a);
    s_words(wide, 1, nw, b, sizeof b);
    cr_assert_str_eq(a, b, "%s: cut at 80 columns", state);
}

static fw_envelope_t *s_bye(uint32_t i)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Bye bye = FLYWHEEL__V1__BYE__INIT;
    bye.reason = "the game is over";
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = "run1";
    env.seat = s_sc->seats[i].id;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_BYE;
    env.bye = &bye;
    return s_wire(&env);
}

Test(fw_human, every_state_fits_80_by_24)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    fw_human_set_address(h, "tcp://192.168.1.20:5555", "student1");
    s_fits_80(h, NOW, "waiting", (const char *[]){"Waiting for the game server",
                                                   "q leave the game", "--name student1",
                                                   NULL});
    fw_envelope_t *st = s_status(OPENAI, FLYWHEEL__V1__PHASE__PHASE_LOBBY, 0, ".hp.p.",
                                 NOW + 42000, 3);
    fw_human_on_message(h, st, NOW);
    fw_proto_free(&st);
    s_fits_80(h, NOW, "lobby", (const char *[]){"> OpenAI", "you (student1)", "house bot",
                                                 "free", "in 42 s", "q leave the game", NULL});
    s_step();
    fw_envelope_t *ts = s_tick_start(OPENAI, NOW + 30000);
    fw_human_on_message(h, ts, NOW);
    fw_proto_free(&ts);
    s_fits_80(h, NOW, "tick", (const char *[]){"tick 2 of 24", "30 s left", "Enter SEND",
                                                "q quit", "flywheel play tcp://192.168.1.20:5555",
                                                "0123456789abcdef0123456789abcdef",
                                                "--name student1", NULL});
    s_type(h, "a");
    s_fits_80(h, NOW, "form", (const char *[]){"Cloud to rent from [", "(Esc cancels)", NULL});
    fw_human_key(h, FW_HUMAN_KEY_ESCAPE, NOW);
    s_type(h, "?");
    s_fits_80(h, NOW, "help", (const char *[]){"KEYS", "q  leave the game", "--resume",
                                                "--name student1", NULL});
    s_type(h, "x");
    fw_human_set_link(h, FW_HUMAN_LINK_LOST, NOW + 1000, NOW + 5000);
    s_fits_80(h, NOW + 3000, "lost", (const char *[]){"Lost contact", "Trying again in 2 s",
                                                       "q leaves.", NULL});
    fw_human_set_link(h, FW_HUMAN_LINK_UP, NOW + 4000, 0);
    st = s_status(OPENAI, FLYWHEEL__V1__PHASE__PHASE_PAUSED, 2, "hhhhph", 0, 1);
    fw_human_on_message(h, st, NOW + 30000);
    fw_proto_free(&st);
    s_fits_80(h, NOW + 30000, "paused", (const char *[]){"Paused by the teacher after tick 2",
                                                          "q leaves", NULL});
    s_step();
    ts = s_house_tick_start(OPENAI, NOW + 90000);
    fw_human_on_message(h, ts, NOW + 60000);
    fw_proto_free(&ts);
    s_fits_80(h, NOW + 60000, "watching", (const char *[]){"The house bot plays tick 3",
                                                            "press Enter", NULL});
    fw_envelope_t *bye = s_bye(OPENAI);
    cr_assert_eq(fw_human_on_message(h, bye, NOW + 70000), FW_AGENT_BYE);
    fw_proto_free(&bye);
    s_fits_80(h, NOW + 70000, "over", (const char *[]){"The game is over. Any key leaves.",
                                                        NULL});
    fw_human_destroy(&h);

    /* Every role's company and forms. */
    for (uint32_t seat = 0; seat < s_sc->n_seats; seat++) {
        h = fw_human_new(s_welcome[seat], err, sizeof err);
        ts = s_tick_start(seat, NOW + 30000);
        fw_human_on_message(h, ts, NOW);
        fw_proto_free(&ts);
        s_fits_80(h, NOW, s_sc->seats[seat].id, (const char *[]){"YOUR COMPANY", "q quit",
                                                                  NULL});
        s_type(h, "a");
        s_fits_80(h, NOW, "add", (const char *[]){"(Esc cancels)", NULL});
        fw_human_key(h, FW_HUMAN_KEY_ESCAPE, NOW);
        s_type(h, "?");
        s_fits_80(h, NOW, "help", (const char *[]){"KEYS", "--resume", NULL});
        fw_human_destroy(&h);
    }
}

/* Whether text tells the player what to do next: a sentence or clause starts with an
 * instruction. */
static int s_says_what_next(const char *text)
{
    static const char *const starts[] = {
        "type", "press", "wait", "send", "check", "delete", "add", "leave", "offer", "bid",
        "order", "ask", "pick", "set", "raise", "put", "answer", "reject", "keep", "sell",
        "make", "change", "start", "finish", "enter", "esc", "please", "nothing to do:"};
    static const char *const before[] = {"", ". ", ": ", "; ", "? "};
    char low[512], probe[64];
    size_t n = 0;
    for (; text[n] && n < sizeof low - 1; n++)
        low[n] = (char)(text[n] >= 'A' && text[n] <= 'Z' ? text[n] - 'A' + 'a' : text[n]);
    low[n] = '\0';
    for (size_t b = 0; b < sizeof before / sizeof before[0]; b++)
        for (size_t v = 0; v < sizeof starts / sizeof starts[0]; v++) {
            snprintf(probe, sizeof probe, "%s%s ", before[b], starts[v]);
            if (b == 0 ? strncmp(low, probe, strlen(probe)) == 0 : strstr(low, probe) != NULL)
                return 1;
        }
    return 0;
}

Test(fw_human, every_rejection_the_coordinator_writes_reads_plainly_and_says_what_to_do)
{
    /* One of each of the coordinator's formats (fm_reject in coordinator/fw_stage_*.c and
     * coordinator/fw_ground.c), as it writes them. */
    static const char *const samples[][2] = {
        {"compute_bids[0]", "aws 'gpu' oversubscribed: got 12000 of 40000"},
        {"compute_bids[0]", "price 2000 is above your max_price 1500"},
        {"compute_bids[0]", "aws offers no 'tpu' compute this tick"},
        {"compute_bids[0]", "'nvidia' is not a cloud"},
        {"compute_bids[0]", "only labs buy compute"},
        {"compute_bids[0]", "quantity must be > 0"},
        {"compute_bids[1]", "quantity 50000000 trimmed to 6800000: cash left this tick is "
                            "10000000000 (credits 0)"},
        {"chip_orders[0]", "'gpu' oversubscribed: got 100 of 200"},
        {"chip_orders[0]", "price 26000 is above your max_price 25000"},
        {"chip_orders[0]", "no 'tpu' chips on offer this tick"},
        {"chip_orders[0]", "'tpu' is captive to google"},
        {"chip_orders[1]", "second order for 'gpu' this tick"},
        {"chip_orders[0]", "only hyperscalers buy chips"},
        {"chip_orders[0]", "unknown chip family 'xpu'"},
        {"chip_orders[0]", "quantity 5000 trimmed to 100: cash left this tick is 2000000 "
                           "(credits 500000)"},
        {"compute_offers[0]", "capacity 300000 trimmed to the 200000 you have in service"},
        {"compute_offers[1]", "second offer for 'gpu' this tick"},
        {"compute_offers[0]", "price must be > 0 and capacity >= 0"},
        {"compute_offers[0]", "only hyperscalers sell compute"},
        {"chip_offers[0]", "quantity 30000 trimmed to capacity 20000"},
        {"chip_offers[0]", "'tpu' is made by tpu_maker, not by you"},
        {"chip_offers[1]", "second offer for 'gpu' this tick"},
        {"chip_offers[0]", "price must be > 0 and quantity >= 0"},
        {"answers[0]", "no proposal 12 is waiting for you"},
        {"answers[0]", "conflicts with the exclusive terms of deal 3 with google"},
        {"answers[0]", "deal failed: aws cannot pay 2000000000 in cash"},
        {"proposals[0]", "openai declined proposal 12"},
        {"proposals[0]", "deal failed: aws cannot pay 2000000000 in cash"},
        {"proposals[0]", "amount is more than your cash"},
        {"proposals[0]", "valuation must be 0 or at least the amount"},
        {"proposals[0]", "only a cloud can pay in credits"},
        {"proposals[0]", "credits are not allowed (policy)"},
        {"proposals[0]", "shares and fractions must be in [0, 1]"},
        {"proposals[0]", "amount must be > 0"},
        {"proposals[0]", "no such lab"},
        {"proposals[4]", "at most 4 proposals a tick"},
        {"proposals[0]", "only clouds and chip vendors invest in labs"},
    };
    char text[400];
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        fw_human_text_rejection(text, sizeof text, samples[i][0], samples[i][1], NULL);
        cr_assert_null(strstr(text, "was not carried out as sent"), "not understood: %s: %s",
                       samples[i][1], text);
        cr_assert_null(strchr(text, '['), "no list or index: %s", text);
        static const char *const fields[] = {"max_price", "_bids", "_orders", "_offers",
                                             "credit_fraction", "chip_family", "min_"};
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
            cr_assert_null(strstr(text, fields[f]), "no field names: %s", text);
        cr_assert(s_says_what_next(text), "what to do next: %s", text);
    }
    fw_human_text_rejection(text, sizeof text, "compute_bids[0]", "aws 'gpu' oversubscribed: "
                            "got 12000 of 40000", "Your bid to rent gpu compute from aws");
    cr_assert_str_eq(text, "Your bid to rent gpu compute from aws: you got 12,000 of the "
                     "40,000 H100-months you asked for; other labs wanted more than aws had, "
                     "so it was shared out. Bid on another cloud too next tick.");
    fw_human_text_rejection(text, sizeof text, "chip_orders[0]", "a new rule", NULL);
    cr_assert_str_eq(text, "Your order for chips was not carried out as sent: a new rule. "
                     "Change it next tick.");
    cr_assert(s_says_what_next(text));

    /* Refusals of the player's messages, each code. */
    static const struct { Flywheel__V1__RefusalCode code; const char *reason; } refusals[] = {
        {FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE,
         "the house bot plays seat 'openai' in tick 3; the seat is yours again from tick 4"},
        {FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE,
         "actions for tick 2 refused (now collecting tick 3): late"},
        {FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_DUPLICATE,
         "actions for tick 2 refused (now collecting tick 2): duplicate"},
        {FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED, "actions before the first tick"},
        {FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED, "this connection already holds a seat"},
        {FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_VERSION, "protocol 1, expected 2"},
        {FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SCHEMA, "schema mismatch"},
        {FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNKNOWN_SEAT, "no seat 'x' in scenario 'y'"},
        {FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN, "wrong resume token for seat 'openai'"},
        {FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_MALFORMED, "not an envelope"},
        {FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_NOT_YOURS, ""},
        {FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEQUENCE, "seq 3 after 5"},
        {FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_INVALID, "see the tick's result"},
    };
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        fw_human_text_refusal(text, sizeof text, refusals[i].code, refusals[i].reason);
        cr_assert(s_says_what_next(text), "what to do next: %s", text);
    }
}

Test(fw_human, every_error_on_the_screen_says_what_to_do_next)
{
    char err[256];
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    /* Keys before any tick. */
    s_type(h, "a");
    cr_assert(s_says_what_next(fw_human_message(h)), "%s", fw_human_message(h));
    fw_envelope_t *ts = s_tick_start(OPENAI, NOW + 30000);
    fw_human_on_message(h, ts, NOW - 5000);
    fw_proto_free(&ts);
    /* Each mistake, and what the screen says. */
    static const char *const mistakes[] = {
        "a" "nowhere\n",           /* not a choice */
        "\033" "a" "aws\n" "gpu\n" "lots\n",   /* not an amount */
        "\033" "a" "aws\n" "gpu\n" "1234567890123456789012345", /* too long */
        "\033" "d" "9\n",          /* no such move */
        "\033" "a" "\n" "\n" "\n" "\n" "Z",  /* a key that does nothing */
        "y",                       /* no proposal waiting */
    };
    for (size_t i = 0; i < sizeof mistakes / sizeof mistakes[0]; i++) {
        for (const char *p = mistakes[i]; *p; p++)
            fw_human_key(h, *p == '\n'   ? FW_HUMAN_KEY_ENTER
                            : *p == 033 ? FW_HUMAN_KEY_ESCAPE
                                        : (unsigned char)*p, NOW);
        cr_assert(s_says_what_next(fw_human_message(h)), "%zu: %s", i, fw_human_message(h));
    }
    fw_human_key(h, FW_HUMAN_KEY_OTHER, NOW);
    cr_assert(s_says_what_next(fw_human_message(h)), "%s", fw_human_message(h));
    /* A percentage out of range, in an investment (a cloud's form). */
    fw_human_t *cloud = fw_human_new(s_welcome[GOOGLE], err, sizeof err);
    ts = s_tick_start(GOOGLE, NOW + 30000);
    fw_human_on_message(cloud, ts, NOW - 5000);
    fw_proto_free(&ts);
    s_type(cloud, "a" "invest\n" "\n" "\n" "\n" "150\n");
    cr_assert(strstr(fw_human_message(cloud), "is not a percentage"), "%s",
              fw_human_message(cloud));
    cr_assert(s_says_what_next(fw_human_message(cloud)), "%s", fw_human_message(cloud));
    fw_human_destroy(&cloud);
    /* A full draft. */
    fw_human_key(h, FW_HUMAN_KEY_ESCAPE, NOW);
    while (fw_human_moves(h) < 24)
        s_type(h, "a" "aws\n" "gpu\n" "1k\n" "2000\n");
    s_type(h, "a" "aws\n" "gpu\n" "1k\n" "2000\n");
    cr_assert(s_says_what_next(fw_human_message(h)), "%s", fw_human_message(h));
    /* The link, the guard, the deadline with a form open. */
    fw_human_set_link(h, FW_HUMAN_LINK_LOST, NOW, 0);
    cr_assert(s_says_what_next(fw_human_message(h)), "%s", fw_human_message(h));
    fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 100);
    cr_assert(s_says_what_next(fw_human_message(h)), "%s", fw_human_message(h));
    fw_human_set_link(h, FW_HUMAN_LINK_UP, NOW + 200, 0);
    fw_human_key(h, FW_HUMAN_KEY_ENTER, NOW + 300);
    cr_assert(s_says_what_next(fw_human_message(h)), "%s", fw_human_message(h));
    s_type(h, "d");
    cr_assert_eq(fw_human_clock(h, NOW + 29000), FW_HUMAN_SEND);
    cr_assert(s_says_what_next(fw_human_message(h)), "%s", fw_human_message(h));
    (void)fw_human_actions(h);
    fw_human_destroy(&h);
}

/* A player's clock five minutes ahead of the coordinator's: the turn is counted from
 * the TickStart's deadline_in_ms on the player's own clock, so the countdown and the
 * send before the deadline are as for a clock that is right. */
Test(fw_human, a_players_clock_minutes_off_still_gets_its_whole_turn)
{
    char err[256];
    const int64_t skew = 5 * 60 * 1000, arrived = NOW + skew;
    s_step();
    fw_human_t *h = fw_human_new(s_welcome[OPENAI], err, sizeof err);
    cr_assert_not_null(h, "%s", err);
    fw_envelope_t *ts = s_tick_start(OPENAI, NOW + 30000); /* the coordinator's clock */
    ts->tick_start->deadline_in_ms = 30000;
    cr_assert_eq(fw_human_on_message(h, ts, arrived), FW_AGENT_CONTINUE);
    cr_assert(s_screen_has_at(h, arrived, "30 s left"), "the countdown from arrival");
    cr_assert_eq(fw_human_clock(h, arrived + 10000), FW_HUMAN_NOTHING, "not sent at once");
    cr_assert_eq(fw_human_clock(h, arrived + 29000), FW_HUMAN_SEND, "sent just before");
    fw_proto_free(&ts);
    fw_human_destroy(&h);
}
