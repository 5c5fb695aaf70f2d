/* fw_coord: see fw_coord.h. */
#include "fw_clock.h"
#include "fw_coord.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "fw_agent.h"
#include "fw_arena.h"
#include "fw_eventlog.h"
#include "fw_inbox.h"
#include "fw_log.h"
#include "fw_market.h"
#include "fw_outputs.h"
#include "fw_proto.h"
#include "fw_rng.h"
#include "fw_seats.h"
#include "fw_socket.h"
#include "fw_strategy.h"
#include "fw_text.h"
#include "fw_validate.h"
#include "fw_version.h"
#include "fw_zap.h"

#define S_STATUS_EVERY_MS 1000 /* lobby, pause, long ticks: a status Snapshot this often */
/* The connections' events are read this often at most: reading them costs a system
 * call, and a tick's actions arrive microseconds apart. A drop is still seen within
 * this, far inside any heartbeat or tick timeout. */
#define S_WATCH_EVERY_MS 10
/* Liveness of the agents' connections (ZMTP heartbeats on the ROUTER): a PING each
 * second; a connection silent for 6 s is dropped (a stopped or unplugged agent: long
 * enough for a laptop's Wi-Fi hiccup or a busy machine); peers are told to wait 10 s
 * for ours; a connection that has not finished its handshake in 5 s (a raw TCP
 * connection that says nothing) is closed. */
#define S_HEARTBEAT_MS 1000
#define S_HEARTBEAT_TIMEOUT_MS 6000
#define S_HEARTBEAT_TTL_MS 10000
#define S_HANDSHAKE_MS 5000
/* Resumed with house bots: how long the players who held seats get to come back before
 * the house bots play for them (they take their seats back later all the same). */
#define S_RESUME_WAIT_MS 15000

typedef struct {
    const fw_coord_config_t *cfg;
    const fw_scenario_t *sc;
    void *router;            /* agents */
    fw_watch_t *router_watch;/* its connections: those that drop (closed, or silent past
                              * the heartbeat timeout) */
    void *pub;               /* observers */
    fw_curve_pair_t curve;   /* this coordinator's key pair (with CURVE) */
    fw_zap_t *zap;           /* who may connect (with CURVE); NULL = plaintext */
    char run_id[40];
    uint32_t ticks;
    uint32_t tick;           /* tick being collected (0 in the lobby) */
    int running;             /* past the lobby */
    int collecting;          /* the current tick still takes actions (not cleared yet) */
    int net;                 /* network play: status snapshots, lobby with house bots */
    fw_seats_t *seats;       /* who holds each seat, over which connection */
    uint32_t *taken;         /* n_seats: seats taken over at the end of a turn */
    fw_agent_seat_t **house; /* n_seats: each seat's house bot (with house bots on) */
    uint64_t pub_seq;
    fw_market_t *market;
    fw_inbox_t *inbox;
    fw_eventlog_t *log;
    fw_metrics_csv_t *csv;
    fw_arena_t *arena;       /* the message being built for a player; reset per message */
    fw_arena_t *house_arena; /* the observation a house bot is playing from (s_house_turn) */
    fw_arena_t *view_arena;  /* the tick's common view: reset when a tick opens */
    Flywheel__V1__MarketView view; /* what every seat sees this tick, built once (in
                                    * view_arena) and shared by every TickStart */
    fw_proto_view_t view_packed;   /* the same, packed once: each TickStart sends these
                                    * bytes as its middle frame, uncopied */
    /* A cleared tick's Snapshot packed once, then the log record and the published
     * message around it (they differ only in the envelope's seq). */
    fw_proto_buf_t snap_packed, record_packed, publish_packed;
    /* Two tick arenas and snapshots, alternating by tick parity, so that the last
     * tick's snapshot stays valid (for status snapshots) while the next is collected. */
    fw_arena_t *tick_arena[2];
    Flywheel__V1__Snapshot snaps[2];
    const Flywheel__V1__Snapshot *last; /* the last tick's snapshot, or NULL */
    Flywheel__V1__SeatStatus *status;   /* n_seats: Snapshot.seats, rebuilt per publish */
    Flywheel__V1__SeatStatus **status_ptrs;
    Flywheel__V1__CompanyState *lobby_cs; /* n_seats: companies of a lobby snapshot */
    Flywheel__V1__CompanyState **lobby_cs_ptrs;
    char pacing[32];         /* "lockstep" or "deadline:S" */
    int64_t deadline_unix_ms;/* the tick being collected's deadline, or the lobby's */
    int64_t deadline_ms;     /* the same on the monotonic clock (0: none): what the wire's
                              * deadline_in_ms counts from */
    int64_t next_status_ms;  /* monotonic time of the next status snapshot */
    int64_t next_watch_ms;   /* monotonic time the connections' events are read next */
    uint32_t resumed;        /* --resume: the last sealed tick in the log (0: a new run) */
    size_t resume_players;   /* --resume with house bots: seats players held then */
    int house_made;          /* the house bots exist (s_make_house_bots ran) */
    int log_failed;          /* a tick could not be written: stopped, agents kept waiting */
    int tokens_dirty;        /* lobby: seats.tokens is behind the seat table */
    int64_t tokens_due;      /* lobby: when it is written at the latest (monotonic ms) */
    /* The last tick's TickResults, not sent yet (NULL: none). Each goes out just before
     * the seat's next TickStart, so that an agent wakes once a tick for the two (a third
     * of a tick's messages woke agents only to be read); they go out at once when no
     * next tick opens straight away (pause, stop, the last tick). They live in the
     * cleared tick's arena, which the next tick's does not reset. */
    Flywheel__V1__TickResult **pending_results;
    /* The last tick's snapshot while its metrics.csv row is still to be written
     * (s_write_row); it lives in the tick's snapshot slot, kept through the next. */
    const Flywheel__V1__Snapshot *pending_row;
    fw_tick_cost_t cost;     /* CPU time of the ticks run, by phase (summary.json) */
    uint32_t cost_ticks;     /* ticks it covers */
} fw_coord_t;

/* Wall-clock time: deadlines travel to other hosts, so they are Unix time. */


static int s_path(char *buf, size_t len, const char *dir, const char *name)
{
    return snprintf(buf, len, "%s/%s", dir, name) < (int)len ? 0 : -1;
}

/* mkdir -p */
static int s_mkdirs(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return -1;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* ---- sending ---------------------------------------------------------------- */

/* An envelope to `seat` for the current tick. Its seq is stamped when it is sent
 * (s_send_seat, s_refuse), so a message built only for the seat's house bot never
 * uses up a number of the player's sequence. */
static void s_envelope(fw_coord_t *c, fw_envelope_t *env, uint32_t seat)
{
    flywheel__v1__envelope__init(env);
    env->protocol_version = FW_PROTOCOL_VERSION;
    env->run_id = c->run_id;
    env->tick = c->tick;
    env->seat = (char *)c->sc->seats[seat].id;
}

static void s_publish_status(fw_coord_t *c, Flywheel__V1__Phase phase);

static void s_house_turn(fw_coord_t *c, uint32_t seat);
static void s_save_tokens(fw_coord_t *c);
static void s_flush_tokens(fw_coord_t *c);
static int s_write_row(fw_coord_t *c);

/* Milliseconds left until the deadline, now, on the monotonic clock (0: no deadline;
 * at least 1 while there is one, so "none" and "now" differ on the wire). */
static int64_t s_deadline_in(const fw_coord_t *c)
{
    if (c->deadline_ms <= 0)
        return 0;
    int64_t left = c->deadline_ms - fw_clock_ms();
    return left > 1 ? left : 1;
}

/* The player of `seat` is gone: it said Bye, or the ROUTER could not route to it. The
 * seat table says what follows (fw_seats_gone): a free seat in the lobby, the house
 * bot at once in the game. */
static void s_player_gone(fw_coord_t *c, uint32_t seat, const char *why)
{
    switch (fw_seats_gone(c->seats, seat, c->running, c->tick, why)) {
    case FW_GONE_TAKEN_OVER:
        s_house_turn(c, seat);
        /* fall through */
    case FW_GONE_STATUS:
    case FW_GONE_FREED:
        s_publish_status(c, c->running ? FLYWHEEL__V1__PHASE__PHASE_RUNNING
                                       : FLYWHEEL__V1__PHASE__PHASE_LOBBY);
        break;
    case FW_GONE_NOTHING:
    case FW_GONE_SILENT:
        break;
    }
}

static void s_send_seat(fw_coord_t *c, uint32_t seat, fw_envelope_t *env)
{
    size_t id_len;
    if (!fw_seats_connected(c->seats, seat))
        return;
    const uint8_t *id = fw_seats_identity(c->seats, seat, &id_len);
    env->seq = fw_seats_next_seq(c->seats, seat);
    int rc = fw_proto_send_tick_start_to(c->router, id, id_len, env, &c->view_packed);
    if (rc == FW_PROTO_EIO) {
        /* ROUTER_MANDATORY: the peer is not connected any more. */
        fw_log_info("seats", "seat %s: %s not delivered: its player is gone",
                    c->sc->seats[seat].id, fw_proto_body_name(env));
        s_player_gone(c, seat, "its player disconnected");
    } else if (rc != FW_PROTO_OK) {
        /* A full queue is the tick timeout's business, not an error here. */
        fw_log_debug("seats", "send %s to %s failed: %s", fw_proto_body_name(env),
                     c->sc->seats[seat].id, fw_proto_strerror(rc));
    }
}

/* Seat `s`'s TickResult of the last tick cleared, if it is still to go out. House bots
 * need none: the next TickStart tells them their cash. */
static void s_send_result(fw_coord_t *c, uint32_t s)
{
    fw_envelope_t env;
    if (!c->pending_results || !c->pending_results[s] || !fw_seats_connected(c->seats, s))
        return;
    s_envelope(c, &env, s);
    env.tick = c->pending_results[s]->tick;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT;
    env.tick_result = c->pending_results[s];
    s_send_seat(c, s, &env);
}

/* Every TickResult still to go out, now. */
static void s_flush_results(fw_coord_t *c)
{
    for (uint32_t s = 0; c->pending_results && s < c->sc->n_seats; s++)
        s_send_result(c, s);
    c->pending_results = NULL;
}

/* Refuses a message from `identity` (seat index or -1 if it holds none). */
static void s_refuse(fw_coord_t *c, const uint8_t *identity, size_t identity_len, int seat,
                     Flywheel__V1__RefusalCode code, uint64_t refused_seq, const char *reason)
{
    fw_envelope_t env;
    Flywheel__V1__Refusal refusal = FLYWHEEL__V1__REFUSAL__INIT;
    refusal.code = code;
    refusal.reason = (char *)reason;
    refusal.refused_seq = refused_seq;
    uint32_t refusals = 1;
    if (seat >= 0) {
        s_envelope(c, &env, (uint32_t)seat);
        env.seq = fw_seats_next_seq(c->seats, (uint32_t)seat);
        refusals = fw_seats_count_refusal(c->seats, (uint32_t)seat);
    } else {
        flywheel__v1__envelope__init(&env);
        env.protocol_version = FW_PROTOCOL_VERSION;
        env.run_id = c->run_id;
        env.tick = c->tick;
    }
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL;
    env.refusal = &refusal;
    /* Log the first few refusals of a seat; a peer stuck in a loop must not flood. */
    if (refusals <= 5)
        fw_log_warn("seats", "refused message from %s: %s",
                    seat >= 0 ? c->sc->seats[seat].id : "an unknown peer", reason);
    int rc = fw_proto_send_to(c->router, identity, identity_len, &env);
    if (rc != FW_PROTO_OK)
        fw_log_debug("seats", "refusal not delivered: %s", fw_proto_strerror(rc));
}

/* ---- status: who holds each seat, the phase and the pace ------------------------ */

/* Sets snap's seats (built in `arena`, or in c->status for a status snapshot when
 * arena is NULL; the strings point into the seat table), phase and pace. */
static void s_fill_status(fw_coord_t *c, Flywheel__V1__Snapshot *snap,
                          Flywheel__V1__Phase phase, fw_arena_t *arena)
{
    Flywheel__V1__SeatStatus *status = c->status, **ptrs = c->status_ptrs;
    if (arena) {
        status = fw_arena_calloc(arena, c->sc->n_seats, sizeof *status);
        ptrs = fw_arena_calloc(arena, c->sc->n_seats, sizeof *ptrs);
    }
    for (uint32_t s = 0; s < c->sc->n_seats; s++) {
        Flywheel__V1__SeatStatus *st = &status[s];
        fw_seat_status_t seat;
        fw_seats_status(c->seats, s, &seat);
        flywheel__v1__seat_status__init(st);
        st->seat = (char *)c->sc->seats[s].id;
        st->holder = (Flywheel__V1__Holder)seat.holder;
        if (seat.holder == FW_HOLDER_PLAYER)
            st->player = (char *)seat.player;
        else if (seat.holder == FW_HOLDER_HOUSE && c->house && c->house[s])
            st->player = (char *)fw_agent_seat_strategy(c->house[s]);
        else
            st->player = "";
        st->late = seat.late;
        st->missed = seat.missed;
        st->returning = seat.returning;
        ptrs[s] = st;
    }
    snap->n_seats = c->sc->n_seats;
    snap->seats = ptrs;
    snap->phase = phase;
    snap->pacing = c->pacing;
    snap->deadline_unix_ms = c->deadline_unix_ms;
    snap->deadline_in_ms = s_deadline_in(c);
    snap->players_wanted = c->cfg->players && c->cfg->players < c->sc->n_seats
                               ? c->cfg->players
                               : (uint32_t)c->sc->n_seats;
}

/* The envelope of a Snapshot, for observers and for the log: no seat, the publisher's
 * `seq`; `snap` NULL when the body goes in packed (fw_proto_pack_with_body). */
static fw_envelope_t s_snapshot_envelope(const fw_coord_t *c, uint32_t tick, uint64_t seq,
                                         const Flywheel__V1__Snapshot *snap)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = (char *)c->run_id;
    env.tick = tick;
    env.seq = seq;
    env.seat = "";
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT;
    env.snapshot = (Flywheel__V1__Snapshot *)snap;
    return env;
}

static void s_published(uint32_t tick, int rc)
{
    if (rc != FW_PROTO_OK)
        fw_log_warn("observers", "snapshot of tick %u not published: %s", tick,
                    fw_proto_strerror(rc));
}

/* Publishes the tick just cleared, from its Snapshot packed for the log (s_record). */
static void s_publish_cleared(fw_coord_t *c)
{
    fw_envelope_t pub = s_snapshot_envelope(c, c->tick, ++c->pub_seq, NULL);
    int rc = fw_proto_pack_with_body(&c->publish_packed, &pub, &c->snap_packed);
    if (rc == FW_PROTO_OK)
        rc = fw_proto_send_bytes(c->pub, c->publish_packed.bytes, c->publish_packed.len);
    s_published(c->tick, rc);
}

static void s_publish(fw_coord_t *c, const Flywheel__V1__Snapshot *snap, uint32_t tick)
{
    fw_envelope_t pub = s_snapshot_envelope(c, tick, ++c->pub_seq, snap);
    s_published(tick, fw_proto_send(c->pub, &pub));
}

/* Tells every connected player the game around its seat (network play): the phase,
 * who holds each seat, the pace; `snap` carries them (s_fill_status). */
static void s_send_status(fw_coord_t *c, const Flywheel__V1__Snapshot *snap)
{
    Flywheel__V1__GameStatus gs = FLYWHEEL__V1__GAME_STATUS__INIT;
    gs.phase = snap->phase;
    gs.tick = snap->tick;
    gs.ticks = c->ticks;
    gs.n_seats = snap->n_seats;
    gs.seats = snap->seats;
    gs.pacing = snap->pacing;
    gs.deadline_unix_ms = snap->deadline_unix_ms;
    gs.deadline_in_ms = snap->deadline_in_ms;
    gs.players_wanted = snap->players_wanted;
    for (uint32_t s = 0; s < c->sc->n_seats; s++) {
        fw_envelope_t env;
        if (!fw_seats_connected(c->seats, s))
            continue;
        s_envelope(c, &env, s);
        env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_STATUS;
        env.status = &gs;
        s_send_seat(c, s, &env); /* may find a player gone: the status goes out again */
    }
}

/* Publishes a status snapshot (network play only): in the lobby a tick-0 snapshot
 * naming the companies; later the last tick's snapshot again, with the seats and
 * phase as they are now. Not written to the log: it adds nothing a replay needs. */
static void s_publish_status(fw_coord_t *c, Flywheel__V1__Phase phase)
{
    Flywheel__V1__Snapshot snap;
    if (!c->net)
        return;
    if (c->last) {
        snap = *c->last;
    } else {
        flywheel__v1__snapshot__init(&snap);
        snap.ticks = c->ticks;
        snap.scenario = (char *)c->sc->name;
        snap.month = "";
        for (uint32_t s = 0; s < c->sc->n_seats; s++) {
            Flywheel__V1__CompanyState *cs = &c->lobby_cs[s];
            flywheel__v1__company_state__init(cs);
            cs->id = (char *)c->sc->seats[s].id;
            cs->name = (char *)c->sc->seats[s].name;
            cs->role = (Flywheel__V1__Role)c->sc->seats[s].role;
            cs->cash = c->sc->seats[s].cash;
            c->lobby_cs_ptrs[s] = cs;
        }
        snap.n_companies = c->sc->n_seats;
        snap.companies = c->lobby_cs_ptrs;
    }
    snap.final = 0;
    s_fill_status(c, &snap, phase, NULL);
    s_publish(c, &snap, snap.tick);
    c->next_status_ms = fw_clock_ms() + S_STATUS_EVERY_MS;
    s_send_status(c, &snap);
}

/* ---- handshake ---------------------------------------------------------------- */

/* Builds seat's Welcome in *env and *w; nested data lives in `a` (reset here). */
static void s_build_welcome(fw_coord_t *c, uint32_t seat, fw_arena_t *a, fw_envelope_t *env,
                            Flywheel__V1__Welcome *w)
{
    fw_arena_reset(a);
    fw_market_welcome(c->market, seat, c->cfg->seed, a, w);
    fw_seat_status_t st;
    fw_seats_status(c->seats, seat, &st);
    w->resume_token = (char *)st.token;
    s_envelope(c, env, seat);
    env->body_case = FLYWHEEL__V1__ENVELOPE__BODY_WELCOME;
    env->welcome = w;
}

static void s_welcome(fw_coord_t *c, uint32_t seat)
{
    fw_envelope_t env;
    Flywheel__V1__Welcome w;
    s_build_welcome(c, seat, c->arena, &env, &w);
    s_send_seat(c, seat, &env);
}

/* Builds seat's TickStart for the current tick in *env and *ts; nested data lives in
 * `a` (reset here). */
static void s_build_tick_start(fw_coord_t *c, uint32_t seat, fw_arena_t *a, fw_envelope_t *env,
                               Flywheel__V1__TickStart *ts)
{
    flywheel__v1__tick_start__init(ts);
    fw_arena_reset(a);
    fw_market_view_seat(c->market, seat, a, &c->view, ts);
    ts->deadline_unix_ms = c->deadline_unix_ms;
    ts->deadline_in_ms = s_deadline_in(c);
    fw_seat_status_t st;
    fw_seats_status(c->seats, seat, &st);
    ts->house_plays = st.holder == FW_HOLDER_HOUSE;
    s_envelope(c, env, seat);
    env->body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_START;
    env->tick_start = ts;
}

/* ---- house bots --------------------------------------------------------------
 *
 * Who owns what a house bot reads. The bot itself is made once per seat when the
 * game leaves the lobby (s_make_house_bots), from a Welcome built in an arena of its
 * own, so making one never touches a message being built. Each turn (s_house_turn)
 * builds the seat's TickStart in c->house_arena, which nothing else uses, and the
 * bot answers before anything else runs: the observation stays valid for as long as
 * the bot reads it, whatever the moment of the takeover (a Bye or a lost connection
 * found while the tick's other messages are built and sent, a turn timer running
 * out, a pause). */

/* Makes the house bot of every seat (the scenario's strategy or the role's default,
 * seeded and parameterised as the seat's own agent would be). Returns 0, or -1 if
 * one cannot be made (logged). */
static int s_make_house_bots(fw_coord_t *c)
{
    if (c->house_made)
        return 0;
    fw_arena_t *a = fw_arena_new();
    int rc = 0;
    if (!a) {
        fw_log_error("house", "out of memory");
        return -1;
    }
    for (uint32_t s = 0; s < c->sc->n_seats; s++) {
        fw_envelope_t env;
        Flywheel__V1__Welcome w;
        char err[256];
        const char *name = c->sc->seats[s].strategy;
        s_build_welcome(c, s, a, &env, &w);
        env.seq = 1;
        w.resume_token = "";
        c->house[s] = fw_agent_seat_new(&env, name[0] && fw_strategy_find(name) ? name : NULL,
                                        err, sizeof err);
        if (!c->house[s]) {
            fw_log_error("house", "seat %s: no house bot: %s", c->sc->seats[s].id, err);
            rc = -1;
        }
    }
    fw_arena_destroy(&a);
    c->house_made = rc == 0;
    return rc;
}

/* The house bot of `seat` plays the tick being collected, unless the seat has acted
 * already: its Actions go into the inbox exactly as a player's would. */
static void s_house_turn(fw_coord_t *c, uint32_t seat)
{
    fw_agent_seat_t *bot = c->house ? c->house[seat] : NULL;
    const fw_envelope_t *reply = NULL;
    fw_envelope_t obs;
    Flywheel__V1__TickStart ts;

    if (!bot || !c->collecting || fw_inbox_has(c->inbox, seat))
        return;
    s_build_tick_start(c, seat, c->house_arena, &obs, &ts);
    if (fw_agent_seat_on_message(bot, &obs, &reply) != FW_AGENT_CONTINUE || !reply)
        return;
    /* The inbox keeps a deep copy: the bot's reply is its own until its next turn. */
    if (fw_inbox_put_copy(c->inbox, seat, reply) != FW_INBOX_ACCEPTED)
        fw_log_error("house", "seat %s: the inbox refused the house bot's actions",
                     c->sc->seats[seat].id);
}

/* A Hello: the seat table decides; a granted seat gets its Welcome, the tick being
 * played (to act on, or, while the house bot plays it, to watch: house_plays), and
 * everyone the new seat table. */
static void s_hello(fw_coord_t *c, const uint8_t *id, size_t id_len, int fd, const char *user,
                    const fw_envelope_t *env)
{
    const Flywheel__V1__Hello *h = env->hello;
    char reason[256];
    int seat = fw_seats_find(c->seats, id, id_len);
    fw_claim_t claim;

    if (seat < 0 && h->schema_hash[0] && strcmp(h->schema_hash, fw_proto_schema_hash()) != 0) {
        char theirs[32];
        fw_text_clean(theirs, sizeof theirs, h->schema_hash, 12);
        snprintf(reason, sizeof reason, "schema mismatch: agent built from %s..., "
                 "coordinator from %.12s...", theirs, fw_proto_schema_hash());
        s_refuse(c, id, id_len, -1, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SCHEMA, env->seq, reason);
        return;
    }
    fw_hello_t hello = {h->seat, (fw_role_t)h->role, h->resume_token, h->agent, env->seq, fd,
                        user};
    switch (fw_seats_claim(c->seats, id, id_len, &hello, c->running, &claim)) {
    case FW_CLAIM_GRANTED:
        break;
    case FW_CLAIM_ALREADY_SEATED:
        s_refuse(c, id, id_len, claim.seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED,
                 env->seq, claim.reason);
        return;
    case FW_CLAIM_UNKNOWN_SEAT:
        s_refuse(c, id, id_len, -1, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNKNOWN_SEAT, env->seq,
                 claim.reason);
        return;
    case FW_CLAIM_SEAT_TAKEN:
        s_refuse(c, id, id_len, -1, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN, env->seq,
                 claim.reason);
        return;
    }
    seat = claim.seat;
    s_welcome(c, (uint32_t)seat);
    /* In the lobby the file is written once a second at most, and when the game
     * starts: rewritten whole at every claim, the lobby of N seats wrote N^2 lines. */
    if (c->running) {
        s_save_tokens(c);
    } else if (!c->tokens_dirty) {
        c->tokens_dirty = 1;
        c->tokens_due = fw_clock_ms() + S_STATUS_EVERY_MS;
    }
    fw_seat_status_t st;
    fw_seats_status(c->seats, (uint32_t)seat, &st);
    if (c->collecting && (st.holder == FW_HOLDER_HOUSE || !fw_inbox_has(c->inbox, (uint32_t)seat))) {
        fw_envelope_t ts_env;
        Flywheel__V1__TickStart ts;
        s_build_tick_start(c, (uint32_t)seat, c->arena, &ts_env, &ts);
        s_send_seat(c, (uint32_t)seat, &ts_env);
    }
    s_publish_status(c, c->running ? FLYWHEEL__V1__PHASE__PHASE_RUNNING
                                    : FLYWHEEL__V1__PHASE__PHASE_LOBBY);
}

/* ---- receiving ----------------------------------------------------------------- */

static void s_actions(fw_coord_t *c, int seat, const uint8_t *id, size_t id_len,
                      fw_envelope_t **env)
{
    char reason[200];
    uint64_t seq = (*env)->seq;
    uint32_t tick = (*env)->tick;
    if (!c->running) {
        s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED, seq,
                 "actions before the first tick");
        return;
    }
    if (fw_seats_actions_from(c->seats, (uint32_t)seat, c->tick) == FW_ACT_HOUSE_PLAYS) {
        snprintf(reason, sizeof reason, "the house bot plays seat '%s' in tick %u; the seat "
                 "is yours again from tick %u", c->sc->seats[seat].id, c->tick, c->tick + 1);
        s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE, seq, reason);
        return;
    }
    fw_inbox_status_t st = fw_inbox_put(c->inbox, (uint32_t)seat, env);
    fw_seats_acted(c->seats, (uint32_t)seat, st == FW_INBOX_ACCEPTED);
    if (st == FW_INBOX_ACCEPTED)
        return;
    if (st == FW_INBOX_LATE) {
        uint32_t late = fw_seats_count_late(c->seats, (uint32_t)seat);
        fw_log_warn("tick", "late: seat %s's actions for tick %u arrived during tick %u; "
                    "they miss their tick and are not applied (%u late so far)",
                    c->sc->seats[seat].id, tick, c->tick, late);
    }
    snprintf(reason, sizeof reason, "actions for tick %u refused (now collecting tick %u): %s",
             tick, c->tick, fw_inbox_strstatus(st));
    s_refuse(c, id, id_len, seat,
             st == FW_INBOX_LATE ? FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE
             : st == FW_INBOX_DUPLICATE ? FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_DUPLICATE
                                        : FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED,
             seq, reason);
}

static void s_bye(fw_coord_t *c, uint32_t seat, const char *why)
{
    char text[112];
    fw_log_info("seats", "seat %s left: %s", c->sc->seats[seat].id,
                fw_text_clean(text, sizeof text, why, 100));
    s_player_gone(c, seat, "its player left");
}

/* Receives and handles one message, waiting at most timeout_ms. Returns 0 if a
 * message was handled or none came, -1 if interrupted. */
static int s_receive(fw_coord_t *c, int timeout_ms)
{
    uint8_t id[FW_PROTO_MAX_IDENTITY + 1];
    size_t id_len = 0;
    int fd = -1;
    fw_envelope_t *env = NULL;
    char reason[200];
    char user[FW_PROTO_MAX_USER + 1];
    int rc = fw_proto_recv_from_fd(c->router, timeout_ms, id, &id_len, &fd, user, &env);

    if (rc == FW_PROTO_ETIMEDOUT)
        return 0;
    if (rc == FW_PROTO_EINTR)
        return -1;
    int seat = id_len ? fw_seats_find(c->seats, id, id_len) : -1;
    /* A seat's player gets so many messages a tick; past that they cost one lookup. */
    if (seat >= 0) {
        fw_msg_t fate = fw_seats_count_message(c->seats, (uint32_t)seat);
        if (fate != FW_MSG_HANDLE) {
            if (fate == FW_MSG_REFUSE_FLOOD) {
                snprintf(reason, sizeof reason, "more than %u messages in one tick: the rest "
                         "of this tick's are dropped", FW_SEATS_MAX_MESSAGES);
                s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_FLOOD,
                         env ? env->seq : 0, reason);
            }
            fw_proto_free(&env);
            return 0;
        }
    }
    if (rc != FW_PROTO_OK) {
        if (id_len == 0) {
            fw_log_warn("seats", "unreadable message dropped: %s", fw_proto_strerror(rc));
        } else if (rc == FW_PROTO_EVERSION) {
            snprintf(reason, sizeof reason, "protocol version %u, coordinator speaks %u",
                     env->protocol_version, FW_PROTOCOL_VERSION);
            s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_VERSION, env->seq,
                     reason);
        } else {
            bool large = rc == FW_PROTO_ETOOBIG || rc == FW_PROTO_EBUDGET;
            /* libzmq holds every frame of a message until its last has come (no option
             * limits the frames of one message), so a message of many frames has
             * briefly taken memory; once it is drained, give that back. */
            if (rc == FW_PROTO_EFRAMING || large)
                malloc_trim(0);
            snprintf(reason, sizeof reason, "message refused: %s", fw_proto_strerror(rc));
            s_refuse(c, id, id_len, seat,
                     large ? FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_TOO_LARGE
                           : FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_MALFORMED,
                     0, reason);
            if (seat >= 0)
                fw_log_warn("seats", "seat %s: %s", c->sc->seats[seat].id, reason);
        }
        fw_proto_free(&env);
        return 0;
    }
    Flywheel__V1__RefusalCode bad = fw_validate_from_agent(env, reason, sizeof reason);
    if (bad != FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNSPECIFIED) {
        s_refuse(c, id, id_len, seat, bad, env->seq, reason);
        fw_log_warn("seats", "%s%s: %s refused: %s", seat >= 0 ? "seat " : "a connection",
                    seat >= 0 ? c->sc->seats[seat].id : "", fw_proto_body_name(env), reason);
        goto out;
    }
    if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_HELLO) {
        s_hello(c, id, id_len, fd, user, env);
        goto out;
    }
    if (seat < 0) {
        s_refuse(c, id, id_len, -1, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED, env->seq,
                 "say Hello first: this connection holds no seat");
        goto out;
    }
    if (strcmp(user, fw_seats_user(c->seats, (uint32_t)seat)) != 0) {
        /* A routing id is not identity: only the key that claimed the seat speaks for
         * it (libzmq keeps routing ids per connection, so this is a second wall). */
        fw_log_warn("seats", "seat %s: a message from key '%.64s', not the seat's: refused",
                    c->sc->seats[seat].id, user);
        s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_NOT_YOURS, env->seq,
                 "this connection's key does not hold this seat");
        goto out;
    }
    if (strcmp(env->seat, c->sc->seats[seat].id) != 0) {
        char named[72];
        fw_text_clean(named, sizeof named, env->seat, 64);
        snprintf(reason, sizeof reason, "this connection holds seat '%s', not '%s'",
                 c->sc->seats[seat].id, named);
        fw_log_warn("seats", "seat %s sent a message naming seat '%s': refused",
                    c->sc->seats[seat].id, named);
        s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_NOT_YOURS, env->seq,
                 reason);
        goto out;
    }
    uint64_t last;
    if (fw_seats_check_seq(c->seats, (uint32_t)seat, env->seq, &last) != 0) {
        snprintf(reason, sizeof reason, "seq %" PRIu64 " after %" PRIu64 ": it must increase",
                 env->seq, last);
        s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEQUENCE, env->seq,
                 reason);
        goto out;
    }
    switch (env->body_case) {
    case FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS:
        s_actions(c, seat, id, id_len, &env);
        break;
    case FLYWHEEL__V1__ENVELOPE__BODY_BYE:
        s_bye(c, (uint32_t)seat, env->bye->reason);
        break;
    default:
        snprintf(reason, sizeof reason, "a %s is not accepted from an agent",
                 fw_proto_body_name(env));
        s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED, env->seq,
                 reason);
        break;
    }
out:
    fw_proto_free(&env);
    return 0;
}

/* Finds out whether the player of `seat` is still there: a message to it fails if
 * its connection is gone (ROUTER_MANDATORY), and s_send_seat then hands the seat on.
 * The message is the game status every player gets: in network play the whole
 * status, as sent every second (players' screens read it, so it must be the true
 * one); otherwise a bare one, which the programs playing a `run` ignore. */
static void s_probe(fw_coord_t *c, uint32_t seat, Flywheel__V1__Phase phase)
{
    if (c->net) {
        s_publish_status(c, phase);
        return;
    }
    Flywheel__V1__GameStatus gs = FLYWHEEL__V1__GAME_STATUS__INIT;
    fw_envelope_t env;
    gs.phase = phase;
    gs.tick = c->tick;
    gs.ticks = c->ticks;
    s_envelope(c, &env, seat);
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_STATUS;
    env.status = &gs;
    s_send_seat(c, seat, &env);
}

/* Probes the seat's player; returns 1 if it turned out to be gone. */
static int s_probe_gone(fw_coord_t *c, uint32_t seat, Flywheel__V1__Phase phase)
{
    size_t len = 0, was_len = 0;
    uint8_t was[FW_SEATS_MAX_IDENTITY + 1];
    const uint8_t *id = fw_seats_identity(c->seats, seat, &was_len);
    memcpy(was, id, was_len);
    s_probe(c, seat, phase);
    if (!fw_seats_connected(c->seats, seat))
        return 1;
    id = fw_seats_identity(c->seats, seat, &len);
    return len != was_len || memcmp(id, was, len) != 0;
}

/* Connections that dropped since the last look (a crashed agent's closes at once; a
 * stopped or unplugged one's falls silent and the heartbeats end it): each seat whose
 * player was on one is probed (s_probe). A descriptor can already be a newer
 * connection's (a player who left and came back): that one is still there and the
 * probe changes nothing for it. */
static void s_check_dropped(fw_coord_t *c, Flywheel__V1__Phase phase)
{
    int fd;
    if (!c->router_watch)
        return;
    int64_t now = fw_clock_ms();
    if (now < c->next_watch_ms)
        return;
    c->next_watch_ms = now + S_WATCH_EVERY_MS;
    fw_watch_poll(c->router_watch, now);
    while (fw_watch_take_gone(c->router_watch, &fd)) {
        int seat = fw_seats_find_fd(c->seats, fd);
        if (seat < 0)
            continue;
        fw_log_debug("seats", "seat %s: a connection on its player's descriptor dropped "
                     "(closed, or no heartbeat for %d s): is its player there?",
                     c->sc->seats[seat].id, S_HEARTBEAT_TIMEOUT_MS / 1000);
        if (s_probe_gone(c, (uint32_t)seat, phase))
            fw_log_info("seats", "seat %s: its player's connection dropped (closed, or no "
                        "heartbeat for %d s)", c->sc->seats[seat].id,
                        S_HEARTBEAT_TIMEOUT_MS / 1000);
    }
}

/* Receives for at most wait_ms, publishing a status snapshot when one is due.
 * Returns 0, or -1 if interrupted. */
#define S_PUMP_EAUTH (-2) /* s_pump: the authentication handler stopped */

static int s_auth_ok(const fw_coord_t *c);

static int s_pump(fw_coord_t *c, int64_t wait_ms, Flywheel__V1__Phase phase)
{
    if (!s_auth_ok(c))
        return S_PUMP_EAUTH;
    s_check_dropped(c, phase);
    if (c->net) {
        int64_t to_status = c->next_status_ms - fw_clock_ms();
        if (to_status <= 0) {
            s_publish_status(c, phase);
            to_status = S_STATUS_EVERY_MS;
        }
        if (wait_ms > to_status)
            wait_ms = to_status;
    }
    if (wait_ms < 0)
        wait_ms = 0;
    return s_receive(c, (int)(wait_ms > 200 ? 200 : wait_ms));
}

/* ---- the run -------------------------------------------------------------------- */

static int s_lobby(fw_coord_t *c)
{
    const fw_coord_config_t *cfg = c->cfg;
    int house = cfg->house_bots;
    size_t want = cfg->players && cfg->players < c->sc->n_seats ? cfg->players
                                                                  : c->sc->n_seats;
    int start_after_ms = cfg->start_after_ms;
    if (c->resumed && house) {
        /* Resumed: the players who held seats come back on their own (their clients
         * say Hello again with their tokens); the house bots take the others' seats
         * after a while, and hand them back when they come. */
        want = c->resume_players ? c->resume_players : 1;
        start_after_ms = c->resume_players ? S_RESUME_WAIT_MS : 0;
    }
    int64_t t0 = fw_clock_ms();
    int64_t join_deadline = !house && cfg->join_timeout_ms >= 0 ? t0 + cfg->join_timeout_ms : -1;
    int64_t start_at = house && start_after_ms >= 0 ? t0 + start_after_ms : -1;
    c->deadline_unix_ms = start_at >= 0 ? fw_clock_unix_ms() + start_after_ms : 0;
    c->deadline_ms = start_at >= 0 ? start_at : 0;
    if (house)
        fw_log_info("lobby", "waiting for %zu player%s (of %zu seats)%s", want,
                    want == 1 ? "" : "s", c->sc->n_seats,
                    start_at >= 0 ? "; house bots fill the rest when the time is up" : "");
    else
        fw_log_info("lobby", "waiting for %zu seats", c->sc->n_seats);
    s_publish_status(c, FLYWHEEL__V1__PHASE__PHASE_LOBBY);
    for (;;) {
        if (c->tokens_dirty && fw_clock_ms() >= c->tokens_due)
            s_flush_tokens(c);
        size_t players = fw_seats_count(c->seats, FW_HOLDER_PLAYER);
        int paused = cfg->pause && *cfg->pause;
        if (*cfg->stop)
            return FW_COORD_EINTERRUPTED;
        if (cfg->go && *cfg->go) {
            *cfg->go = 0;
            if (house) {
                fw_log_info("lobby", "the operator starts the game with %zu player%s", players,
                            players == 1 ? "" : "s");
                return FW_COORD_OK;
            }
            fw_log_warn("lobby", "cannot start before every seat is claimed: no house bots");
        }
        if (players >= want && !paused)
            return FW_COORD_OK;
        int64_t now = fw_clock_ms();
        if (start_at >= 0 && now >= start_at && !paused) {
            fw_log_info("lobby", "start time reached with %zu player%s", players,
                        players == 1 ? "" : "s");
            return FW_COORD_OK;
        }
        if (join_deadline >= 0 && now >= join_deadline) {
            char missing[512];
            size_t used = 0;
            missing[0] = '\0';
            for (uint32_t s = 0; s < c->sc->n_seats && used < sizeof missing; s++) {
                fw_seat_status_t st;
                fw_seats_status(c->seats, s, &st);
                if (st.holder == FW_HOLDER_EMPTY)
                    used += (size_t)snprintf(missing + used, sizeof missing - used, " %s",
                                             c->sc->seats[s].id);
            }
            fw_log_error("lobby", "seats not claimed after %d ms:%s", cfg->join_timeout_ms,
                         missing);
            return FW_COORD_EFAIL;
        }
        int64_t wait = 1000;
        if (join_deadline >= 0 && join_deadline - now < wait)
            wait = join_deadline - now;
        if (start_at >= 0 && start_at - now < wait)
            wait = start_at - now;
        int pumped = s_pump(c, wait, FLYWHEEL__V1__PHASE__PHASE_LOBBY);
        if (pumped == S_PUMP_EAUTH)
            return FW_COORD_EFAIL;
        if (pumped < 0 && *cfg->stop)
            return FW_COORD_EINTERRUPTED;
    }
}

/* Holds the game between ticks while the operator has paused it. */
static int s_hold_if_paused(fw_coord_t *c)
{
    const fw_coord_config_t *cfg = c->cfg;
    if (!cfg->pause || !*cfg->pause)
        return FW_COORD_OK;
    s_flush_results(c); /* players read their results while the game stands still */
    if (s_write_row(c) != FW_COORD_OK)
        return FW_COORD_EFAIL;
    if (c->tick > 1) /* c->tick is the next tick, not yet opened */
        fw_log_info("coordinator", "paused after tick %u", c->tick - 1);
    else
        fw_log_info("coordinator", "paused before the first tick");
    c->deadline_unix_ms = 0;
    c->deadline_ms = 0;
    s_publish_status(c, FLYWHEEL__V1__PHASE__PHASE_PAUSED);
    while (*cfg->pause && !*cfg->stop) {
        int pumped = s_pump(c, 200, FLYWHEEL__V1__PHASE__PHASE_PAUSED);
        if (pumped == S_PUMP_EAUTH)
            return FW_COORD_EFAIL;
        if (pumped < 0 && *cfg->stop)
            break;
    }
    if (*cfg->stop)
        return FW_COORD_EINTERRUPTED;
    fw_log_info("coordinator", "resumed");
    return FW_COORD_OK;
}

/* Opens tick c->tick: returning players take their seats, every connected player
 * gets its TickStart (also a player benched under the house bot, so it can follow
 * and come back), then every house bot acts. */
static void s_open_tick(fw_coord_t *c)
{
    const fw_coord_config_t *cfg = c->cfg;
    int wait_ms = cfg->deadline_ms > 0 ? cfg->deadline_ms : cfg->tick_timeout_ms;
    c->deadline_unix_ms = fw_clock_unix_ms() + wait_ms;
    c->deadline_ms = fw_clock_ms() + wait_ms;
    fw_inbox_open(c->inbox, c->tick);
    fw_market_prepare(c->market); /* the tick's events fire before anyone looks */
    /* The market does not change until the tick is cleared: what every seat sees is
     * built once, and each TickStart adds only the seat's own position. */
    fw_arena_reset(c->view_arena);
    fw_market_view_common(c->market, c->view_arena, &c->view);
    if (fw_proto_view_pack(&c->view_packed, &c->view) != FW_PROTO_OK)
        c->view_packed.view = NULL; /* each TickStart packs it (and meets the error) */
    c->collecting = 1;
    fw_seats_open_tick(c->seats, c->tick);
    for (uint32_t s = 0; s < c->sc->n_seats; s++) {
        fw_envelope_t env;
        Flywheel__V1__TickStart ts;
        fw_seat_status_t st;
        s_send_result(c, s); /* may find the player gone, like the TickStart */
        if (fw_seats_connected(c->seats, s)) {
            s_build_tick_start(c, s, c->arena, &env, &ts);
            s_send_seat(c, s, &env); /* may find the player gone: the bot takes over */
        }
        fw_seats_status(c->seats, s, &st);
        if (st.holder == FW_HOLDER_HOUSE)
            s_house_turn(c, s); /* nothing if it has played already */
    }
    c->pending_results = NULL;
}

/* Waits until every player that is not silent has acted, or the tick's time is up
 * (the tick timeout in lockstep, the turn timer with a deadline). */
static int s_collect(fw_coord_t *c)
{
    const fw_coord_config_t *cfg = c->cfg;
    int deadline_pacing = cfg->deadline_ms > 0;
    int wait_ms = deadline_pacing ? cfg->deadline_ms : cfg->tick_timeout_ms;
    int64_t deadline = fw_clock_ms() + wait_ms;
    for (;;) {
        size_t waiting, players;
        /* Checked first: with nobody to wait for (every player gone) a tick takes no
         * time, and a run of thousands of them must still stop on a signal. */
        if (*cfg->stop)
            return FW_COORD_EINTERRUPTED;
        fw_seats_waiting(c->seats, c->inbox, &waiting, &players);
        /* A tick ends early once every player has acted; a turn timer with no player
         * at all keeps its pace, so the game stays open to late joiners. */
        if (waiting == 0 && (players > 0 || !deadline_pacing))
            break;
        int64_t left = deadline - fw_clock_ms();
        if (left <= 0)
            break;
        int pumped = s_pump(c, left, FLYWHEEL__V1__PHASE__PHASE_RUNNING);
        if (pumped == S_PUMP_EAUTH)
            return FW_COORD_EFAIL;
        if (pumped < 0 && *cfg->stop)
            return FW_COORD_EINTERRUPTED;
        if (*cfg->stop)
            return FW_COORD_EINTERRUPTED;
    }
    /* Players who did not act miss the tick; the house bot plays for those it takes
     * over now, in seat order. */
    size_t n = fw_seats_end_turn(c->seats, c->inbox, c->tick, wait_ms, c->taken);
    for (size_t i = 0; i < n; i++)
        s_house_turn(c, c->taken[i]);
    if (n)
        s_publish_status(c, FLYWHEEL__V1__PHASE__PHASE_RUNNING);
    return FW_COORD_OK;
}

/* A tick that cannot be written (a full disk, a file-size limit, an unwritable
 * directory) stops the run where it is: a run that went on without its log could not
 * be replayed or resumed. The agents are not told goodbye, so that a coordinator
 * resumed from the log once there is room finds them still there. */
static int s_log_failed(fw_coord_t *c)
{
    c->log_failed = 1;
    fw_log_error("outputs", "stopping at tick %u: the run cannot be recorded (free some "
                 "room, then restart with --resume to finish it)", c->tick);
    return FW_COORD_EFAIL;
}

/* One record of the tick, in the run directory: the actions the market used, in the
 * order it used them, then the snapshot, in events.log, flushed, so a crash later
 * loses nothing of this tick. Its metrics.csv row follows (s_write_row). */
static int s_record(fw_coord_t *c, Flywheel__V1__Snapshot *snap)
{
    int rc;
    for (uint32_t s = 0; s < c->sc->n_seats; s++) {
        const fw_envelope_t *acted = fw_inbox_envelope(c->inbox, s);
        if (acted && (rc = fw_eventlog_append(c->log, acted)) != FW_PROTO_OK) {
            fw_log_error("log", "cannot append to events.log: %s",
                         rc == FW_PROTO_EIO ? strerror(errno) : fw_proto_strerror(rc));
            return s_log_failed(c);
        }
    }
    fw_envelope_t rec = s_snapshot_envelope(c, c->tick, c->pub_seq, NULL);
    rc = fw_proto_pack_snapshot(&c->snap_packed, snap);
    if (rc == FW_PROTO_OK)
        rc = fw_proto_pack_with_body(&c->record_packed, &rec, &c->snap_packed);
    if (rc == FW_PROTO_OK)
        rc = fw_eventlog_append_bytes(c->log, c->record_packed.bytes, c->record_packed.len);
    if (rc == FW_PROTO_OK)
        rc = fw_eventlog_flush(c->log);
    if (rc != FW_PROTO_OK) {
        /* A snapshot over the record cap is not an I/O error: errno says nothing. */
        fw_log_error("log", "cannot write tick %u's snapshot to events.log: %s", c->tick,
                     rc == FW_PROTO_EIO ? strerror(errno) : fw_proto_strerror(rc));
        return s_log_failed(c);
    }
    c->pending_row = snap; /* s_write_row, once the next tick is under way */
    return FW_COORD_OK;
}

/* The metrics.csv row of the last tick cleared, if it is still to be written. It is
 * written once the next tick's TickStarts are out, while the agents decide, rather
 * than between the clearing and the TickStarts, where nothing else of the tick can
 * run: the log is what a restarted coordinator replays, and it rebuilds metrics.csv
 * from it. Written at once when no tick follows (pause, stop, the end). */
static int s_write_row(fw_coord_t *c)
{
    if (!c->pending_row)
        return FW_COORD_OK;
    int64_t t0 = fw_clock_thread_cpu_ns();
    int rc = fw_metrics_csv_append(c->csv, c->pending_row);
    uint32_t tick = c->pending_row->tick;
    c->pending_row = NULL;
    c->cost.row += fw_clock_thread_cpu_ns() - t0;
    if (rc != 0) {
        fw_log_error("outputs", "cannot write tick %u's row of metrics.csv: %s", tick,
                     rc == -2 ? "metric columns changed" : strerror(errno));
        return s_log_failed(c);
    }
    return FW_COORD_OK;
}

/* Clears the tick collected: step (the market on the inbox's actions), record (the
 * run's files), publish (the snapshot to observers); each player's result waits for
 * its next TickStart (pending_results). */
static int s_clear_tick(fw_coord_t *c, Flywheel__V1__Snapshot *snap, fw_arena_t *arena)
{
    const fw_scenario_t *sc = c->sc;
    Flywheel__V1__Actions **actions = fw_arena_calloc(arena, sc->n_seats, sizeof *actions);
    Flywheel__V1__TickResult **results = fw_arena_calloc(arena, sc->n_seats, sizeof *results);
    char err[256];

    int64_t t0 = fw_clock_thread_cpu_ns();
    c->collecting = 0;
    fw_inbox_actions(c->inbox, actions);
    c->cost.actions += (int64_t)fw_inbox_entries(c->inbox);
    if (fw_market_step(c->market, actions, arena, results, snap, err, sizeof err) !=
        FW_MARKET_OK) {
        fw_log_error("market", "tick %u could not be cleared: %s", c->tick, err);
        return FW_COORD_EFAIL;
    }
    /* Who held each seat while the tick was played is part of its record (taken before
     * the results go out: a player found gone then changes the next tick's). */
    s_fill_status(c, snap,
                  snap->final ? FLYWHEEL__V1__PHASE__PHASE_OVER
                  : c->cfg->pause && *c->cfg->pause ? FLYWHEEL__V1__PHASE__PHASE_PAUSED
                                                    : FLYWHEEL__V1__PHASE__PHASE_RUNNING,
                  arena);
    /* Written ahead: the tick is in the log before anyone hears of it, so that a
     * coordinator restarted from the log never has to take back what it said. */
    int64_t t1 = fw_clock_thread_cpu_ns();
    int rc = s_record(c, snap);
    int64_t t2 = fw_clock_thread_cpu_ns();
    c->cost.clear += t1 - t0;
    c->cost.log += t2 - t1;
    if (rc != FW_COORD_OK)
        return rc;
    c->pending_results = results; /* sent with the next TickStarts (s_open_tick) */
    s_publish_cleared(c);
    c->next_status_ms = fw_clock_ms() + S_STATUS_EVERY_MS;
    c->cost.publish += fw_clock_thread_cpu_ns() - t2;
    return FW_COORD_OK;
}

static void s_goodbye(fw_coord_t *c, const char *reason)
{
    for (uint32_t s = 0; s < c->sc->n_seats; s++) {
        fw_envelope_t env;
        Flywheel__V1__Bye bye = FLYWHEEL__V1__BYE__INIT;
        if (!fw_seats_connected(c->seats, s))
            continue;
        bye.reason = (char *)reason;
        s_envelope(c, &env, s);
        env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_BYE;
        env.bye = &bye;
        s_send_seat(c, s, &env);
    }
}

static int s_write_endpoints(fw_coord_t *c)
{
    char listen[256], publish[256], path[4096], tmp[4100];
    size_t len = sizeof listen;
    if (zmq_getsockopt(c->router, ZMQ_LAST_ENDPOINT, listen, &len) != 0)
        return -1;
    len = sizeof publish;
    if (zmq_getsockopt(c->pub, ZMQ_LAST_ENDPOINT, publish, &len) != 0)
        return -1;
    if (s_path(path, sizeof path, c->cfg->out_dir, "endpoints") != 0)
        return -1;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "listen=%s\npublish=%s\n", listen, publish);
    if (fclose(f) != 0)
        return -1;
    fw_log_info("sockets", "agents: %s  observers: %s", listen, publish);
    /* Rename last, so a reader never sees half a file. */
    return rename(tmp, path);
}

static int s_open_sockets(fw_coord_t *c)
{
    const fw_coord_config_t *cfg = c->cfg;
    char err[256];
    int rc;
    fw_socket_opts_t agents = FW_SOCKET_OPTS_INIT, observers = FW_SOCKET_OPTS_INIT;
    agents.bind = cfg->listen;
    /* A second for the last Bye and Snapshot to get out when the run ends. */
    agents.linger_ms = 1000;
    /* Mandatory routing: a message to a peer that is gone fails at once instead of
     * being dropped in silence or queued forever. */
    agents.router_mandatory = 1;
    agents.watch = &c->router_watch;
    agents.heartbeat_ms = S_HEARTBEAT_MS;
    agents.heartbeat_timeout_ms = S_HEARTBEAT_TIMEOUT_MS;
    agents.heartbeat_ttl_ms = S_HEARTBEAT_TTL_MS;
    agents.handshake_ms = S_HANDSHAKE_MS;
    observers.bind = cfg->publish;
    observers.linger_ms = 1000;
    /* A slow viewer is sent many ticks' snapshots before it loses any. */
    observers.send_hwm = 100000;
    if (c->zap) {
        agents.curve_self = observers.curve_self = &c->curve;
        agents.zap_domain = FW_ZAP_AGENTS;
        observers.zap_domain = FW_ZAP_VIEWERS;
    }

    if (!c->zap && !fw_socket_endpoint_is_local(cfg->listen))
        fw_log_warn("auth", "%s is open to the network without CURVE: anyone who can reach "
                    "it can take a free seat (see docs/security.md: --curve-secret)",
                    cfg->listen);
    rc = fw_socket_open(cfg->zmq_ctx, ZMQ_ROUTER, &agents, &c->router, err, sizeof err);
    if (rc == FW_SOCKET_EENDPOINT)
        fw_log_error("sockets", "cannot listen on %s: %s", cfg->listen, zmq_strerror(errno));
    else if (rc != FW_SOCKET_OK)
        fw_log_error("sockets", "%s", err);
    if (rc != FW_SOCKET_OK)
        return -1;
    rc = fw_socket_open(cfg->zmq_ctx, ZMQ_PUB, &observers, &c->pub, err, sizeof err);
    if (rc == FW_SOCKET_EENDPOINT)
        fw_log_error("sockets", "cannot publish on %s: %s", cfg->publish, zmq_strerror(errno));
    else if (rc != FW_SOCKET_OK)
        fw_log_error("sockets", "%s", err);
    return rc == FW_SOCKET_OK ? 0 : -1;
}

/* With CURVE: reads the key pair and the allow lists and starts the handler that
 * applies them, before any socket exists (libzmq admits every key when no handler is
 * bound). The coordinator's own key is on the viewers' list, so `serve` can watch the
 * game it runs. Returns 0, or -1 with the reason logged. */
static int s_start_auth(fw_coord_t *c)
{
    const fw_coord_config_t *cfg = c->cfg;
    char err[512];
    if (!cfg->curve_secret)
        return 0;
    if (fw_curve_read_secret(cfg->curve_secret, &c->curve, err, sizeof err) != 0) {
        fw_log_error("auth", "%s", err);
        return -1;
    }
    fw_curve_allow_t *agents = fw_curve_allow_new(cfg->allow_dir, cfg->allow_any, err, sizeof err);
    if (!agents) {
        fw_log_error("auth", "players: %s", err);
        return -1;
    }
    fw_curve_allow_t *viewers = fw_curve_allow_new(cfg->viewer_allow_dir, !cfg->viewer_allow_dir,
                                                   err, sizeof err);
    if (!viewers || fw_curve_allow_add(viewers, "coordinator", c->curve.public_key, err,
                                       sizeof err) != 0) {
        fw_log_error("auth", "viewers: %s", err);
        fw_curve_allow_destroy(&agents);
        fw_curve_allow_destroy(&viewers);
        return -1;
    }
    size_t n_agents = fw_curve_allow_count(agents);
    /* A seat whose own key is listed is kept for that key. */
    for (uint32_t s = 0; s < c->sc->n_seats; s++)
        if (fw_curve_allow_named(agents, c->sc->seats[s].id))
            fw_seats_reserve(c->seats, s);
    if (!(c->zap = fw_zap_start(cfg->zmq_ctx, &agents, &viewers, err, sizeof err))) {
        fw_log_error("auth", "%s: refusing to open the game without it", err);
        return -1;
    }
    if (cfg->allow_any)
        fw_log_info("auth", "CURVE on: any player key is admitted (encrypted, not "
                    "authenticated); coordinator key %s", c->curve.public_key);
    else
        fw_log_info("auth", "CURVE on: %zu player keys admitted from %s; coordinator key %s",
                    n_agents, cfg->allow_dir, c->curve.public_key);
    return 0;
}

/* The handler must answer for as long as the sockets are open: if it stops, nothing
 * would stop libzmq from admitting any key, so the game stops instead. */
static int s_auth_ok(const fw_coord_t *c)
{
    if (!c->zap || fw_zap_running(c->zap))
        return 1;
    fw_log_error("auth", "the authentication handler stopped: stopping the game rather "
                 "than admit anyone");
    return 0;
}

static void s_run_id(fw_coord_t *c)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    x ^= (uint64_t)getpid() << 32;
    fw_rng_t r;
    fw_rng_seed(&r, x ^ c->cfg->seed);
    snprintf(c->run_id, sizeof c->run_id, "%016" PRIx64, fw_rng_next(&r));
}

static fw_eventlog_t *s_open_log(fw_coord_t *c, const char *path)
{
    const fw_scenario_t *sc = c->sc;
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__RunHeader h = FLYWHEEL__V1__RUN_HEADER__INIT;
    char started[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char **seats = calloc(sc->n_seats, sizeof *seats);
    if (!seats)
        return NULL;
    for (size_t s = 0; s < sc->n_seats; s++)
        seats[s] = (char *)sc->seats[s].id;
    h.scenario_path = sc->path;
    h.scenario_text = sc->text;
    h.seed = c->cfg->seed;
    h.ticks = c->ticks;
    h.flywheel_version = FW_VERSION;
    h.schema_hash = (char *)fw_proto_schema_hash();
    h.started_utc = started;
    h.n_seats = sc->n_seats;
    h.seats = seats;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = c->run_id;
    env.seat = "";
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER;
    env.run_header = &h;
    fw_eventlog_t *log = fw_eventlog_open(path, &env);
    free(seats);
    return log;
}

/* ---- crash-resume --------------------------------------------------------------- */

/* The seats' resume tokens, in the run directory (mode 0600: a token is the seat), so
 * that a coordinator restarted from its log knows its players when they come back.
 * Rewritten whole (through a temporary file and a rename) whenever a seat is given. */
static void s_save_tokens(fw_coord_t *c)
{
    char path[4096];
    if (s_path(path, sizeof path, c->cfg->out_dir, "seats.tokens") != 0)
        return;
    if (fw_seats_save(c->seats, path) != 0)
        fw_log_warn("outputs", "cannot write %s: %s (a restarted coordinator would not know "
                    "its players)", path, strerror(errno));
}

/* Writes seats.tokens if the lobby left it behind. */
static void s_flush_tokens(fw_coord_t *c)
{
    if (!c->tokens_dirty)
        return;
    c->tokens_dirty = 0;
    s_save_tokens(c);
}

/* Gives each seat back the token it had (s_save_tokens), for its player to return. */
static void s_load_tokens(fw_coord_t *c)
{
    char path[4096];
    if (s_path(path, sizeof path, c->cfg->out_dir, "seats.tokens") != 0)
        return;
    if (fw_seats_load(c->seats, path) < 0)
        fw_log_warn("resume", "cannot read %s: %s (its players join as newcomers)", path,
                    strerror(errno));
}

/* One sealed tick of the log, cleared again (fw_eventlog_recover's callback): the
 * market steps on the logged actions and must reach the logged state hash; the house
 * bots that played the tick play it again, so that their streams are where they were;
 * metrics.csv gets the tick's row. */
static int s_resume_tick(void *arg, fw_envelope_t *const *acts, size_t n_acts,
                         const fw_envelope_t *snap_env)
{
    fw_coord_t *c = arg;
    const fw_scenario_t *sc = c->sc;
    const Flywheel__V1__Snapshot *logged = snap_env->snapshot;
    fw_arena_t *arena = c->tick_arena[logged->tick & 1];
    char err[256];
    fw_arena_reset(arena);
    Flywheel__V1__Actions **actions = fw_arena_calloc(arena, sc->n_seats, sizeof *actions);
    const fw_envelope_t **by_seat = fw_arena_calloc(arena, sc->n_seats, sizeof *by_seat);
    Flywheel__V1__TickResult **results = fw_arena_calloc(arena, sc->n_seats, sizeof *results);
    if (!actions || !by_seat || !results)
        return -1;
    if (snap_env->run_id[0])
        snprintf(c->run_id, sizeof c->run_id, "%s", snap_env->run_id);
    c->tick = logged->tick;
    for (size_t i = 0; i < n_acts; i++) {
        int seat = fw_scenario_seat(sc, acts[i]->seat);
        if (seat < 0 || by_seat[seat]) {
            fw_log_error("resume", "tick %u: the log holds %s actions of seat '%s'", c->tick,
                         seat < 0 ? "the" : "two", acts[i]->seat);
            return -1;
        }
        by_seat[seat] = acts[i];
        actions[seat] = acts[i]->actions;
    }
    fw_market_prepare(c->market);
    if (c->house_made) {
        fw_arena_reset(c->view_arena);
        fw_market_view_common(c->market, c->view_arena, &c->view);
        for (uint32_t s = 0; s < sc->n_seats && s < logged->n_seats; s++) {
            const fw_envelope_t *reply = NULL;
            fw_envelope_t obs;
            Flywheel__V1__TickStart ts;
            if (logged->seats[s]->holder != FLYWHEEL__V1__HOLDER__HOLDER_HOUSE || !c->house[s])
                continue;
            s_build_tick_start(c, s, c->house_arena, &obs, &ts);
            if (fw_agent_seat_on_message(c->house[s], &obs, &reply) != FW_AGENT_CONTINUE ||
                !reply || !by_seat[s] || !fw_proto_same_actions(reply, by_seat[s]))
                fw_log_warn("resume", "tick %u: seat %s's house bot would not have played "
                            "what the log holds", c->tick, sc->seats[s].id);
        }
    }
    Flywheel__V1__Snapshot snap;
    flywheel__v1__snapshot__init(&snap);
    if (fw_market_step(c->market, actions, arena, results, &snap, err, sizeof err) !=
        FW_MARKET_OK) {
        fw_log_error("resume", "tick %u cannot be cleared again: %s", c->tick, err);
        return -1;
    }
    if (snap.state_hash != logged->state_hash) {
        fw_log_error("resume", "tick %u differs from the log: state hash %016" PRIx64
                     " recomputed, %016" PRIx64 " logged", c->tick, snap.state_hash,
                     logged->state_hash);
        return -1;
    }
    if (fw_metrics_csv_append(c->csv, logged) != 0) {
        fw_log_error("outputs", "cannot write metrics.csv: %s", strerror(errno));
        return -1;
    }
    c->pub_seq = snap_env->seq;
    c->resume_players = 0;
    for (size_t s = 0; s < logged->n_seats; s++)
        c->resume_players += logged->seats[s]->holder == FLYWHEEL__V1__HOLDER__HOLDER_PLAYER;
    return 0;
}

/* --resume: the run's state from its log. Returns 0 with c->resumed the last sealed
 * tick, or -1 with the reason logged. */
static int s_resume(fw_coord_t *c)
{
    const fw_coord_config_t *cfg = c->cfg;
    char path[4096], err[512];
    fw_envelope_t *header = NULL;
    fw_eventlog_recovery_t rec;
    if (s_path(path, sizeof path, cfg->out_dir, "metrics.csv") != 0 ||
        !(c->csv = fw_metrics_csv_open(path))) {
        fw_log_error("outputs", "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    if (s_path(path, sizeof path, cfg->out_dir, "events.log") != 0)
        return -1;
    /* The log must be this run's: the same scenario, seed and length. */
    {
        FILE *f = fopen(path, "rb");
        int rc = f ? fw_proto_read_delimited(f, &header) : FW_PROTO_EIO;
        if (f)
            fclose(f);
        const Flywheel__V1__RunHeader *h =
            rc == FW_PROTO_OK && header->body_case == FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER
                ? header->run_header
                : NULL;
        const char *why = !h                                         ? "it has no run header"
                          : strcmp(h->scenario_text, c->sc->text) != 0 ? "another scenario"
                          : h->seed != cfg->seed                     ? "another seed"
                          : h->ticks != c->ticks                     ? "another number of ticks"
                                                                     : NULL;
        if (!why && header->run_id[0]) /* the same run: its house bots know it by its id */
            snprintf(c->run_id, sizeof c->run_id, "%s", header->run_id);
        fw_proto_free(&header);
        if (why) {
            fw_log_error("resume", "cannot resume from %s: %s", path,
                         f ? why : strerror(errno));
            return -1;
        }
    }
    if (cfg->house_bots && s_make_house_bots(c) != 0)
        return -1;
    if (fw_eventlog_recover(path, &header, s_resume_tick, c, &rec, err, sizeof err) != 0) {
        fw_log_error("resume", "%s", err);
        return -1;
    }
    fw_proto_free(&header);
    if (!(c->log = fw_eventlog_reopen(path))) {
        fw_log_error("outputs", "cannot append to %s: %s", path, strerror(errno));
        return -1;
    }
    c->resumed = rec.ticks;
    s_load_tokens(c);
    fw_log_warn("resume", "resumed run %s from %s: %u ticks replayed, every state hash "
                "matches%s; %s", c->run_id, path, rec.ticks,
                rec.dropped_bytes ? "; the torn end of the log was cut" : "",
                rec.ticks < c->ticks ? "the players come back with their resume tokens"
                                     : "every tick was played already");
    if (rec.dropped_bytes)
        fw_log_info("resume", "cut %ld bytes after tick %u", rec.dropped_bytes, rec.ticks);
    return 0;
}

int fw_coord_run(const fw_coord_config_t *cfg)
{
    fw_coord_t coord, *c = &coord;
    char path[4096];
    int rc = FW_COORD_EFAIL;
    const char *stopped = NULL;
    int books_ok = 1;
    int64_t started = fw_clock_ms();
    size_t n;

    memset(c, 0, sizeof *c);
    c->cfg = cfg;
    c->sc = cfg->scenario;
    n = c->sc->n_seats ? c->sc->n_seats : 1;
    c->ticks = cfg->ticks ? cfg->ticks : cfg->scenario->ticks;
    c->net = cfg->house_bots || cfg->deadline_ms > 0;
    if (cfg->deadline_ms > 0)
        snprintf(c->pacing, sizeof c->pacing, "deadline:%g", cfg->deadline_ms / 1000.0);
    else
        snprintf(c->pacing, sizeof c->pacing, "lockstep");
    s_run_id(c);
    fw_seats_config_t seats_cfg = {cfg->house_bots, cfg->takeover_after, cfg->deadline_ms > 0,
                                   FW_SEATS_MAX_MESSAGES};
    c->seats = fw_seats_new(c->sc, &seats_cfg);
    c->house = calloc(n, sizeof *c->house);
    c->taken = calloc(n, sizeof *c->taken);
    c->status = calloc(n, sizeof *c->status);
    c->status_ptrs = calloc(n, sizeof *c->status_ptrs);
    c->lobby_cs = calloc(n, sizeof *c->lobby_cs);
    c->lobby_cs_ptrs = calloc(n, sizeof *c->lobby_cs_ptrs);
    c->market = fw_market_new(c->sc, c->ticks);
    c->inbox = fw_inbox_new((uint32_t)c->sc->n_seats);
    c->arena = fw_arena_new();
    c->house_arena = fw_arena_new();
    c->view_arena = fw_arena_new();
    c->tick_arena[0] = fw_arena_new();
    c->tick_arena[1] = fw_arena_new();
    if (!c->seats || !c->house || !c->taken || !c->status || !c->status_ptrs || !c->lobby_cs ||
        !c->lobby_cs_ptrs || !c->market || !c->inbox || !c->arena || !c->house_arena || !c->view_arena ||
        !c->tick_arena[0] || !c->tick_arena[1]) {
        fw_log_error("coordinator", "out of memory, or the opening books do not balance");
        goto out;
    }
    if (s_mkdirs(cfg->out_dir) != 0) {
        fw_log_error("outputs", "cannot create %s: %s", cfg->out_dir, strerror(errno));
        goto out;
    }
    if (cfg->resume) {
        if (s_resume(c) != 0)
            goto out;
    } else {
        if (s_path(path, sizeof path, cfg->out_dir, "events.log") != 0 ||
            !(c->log = s_open_log(c, path))) {
            fw_log_error("outputs", "cannot write %s: %s", path, strerror(errno));
            goto out;
        }
        if (s_path(path, sizeof path, cfg->out_dir, "metrics.csv") != 0 ||
            !(c->csv = fw_metrics_csv_open(path))) {
            fw_log_error("outputs", "cannot write %s: %s", path, strerror(errno));
            goto out;
        }
    }
    if (s_start_auth(c) != 0 || s_open_sockets(c) != 0)
        goto out;
    if (s_write_endpoints(c) != 0) {
        fw_log_error("outputs", "cannot write the endpoints file in %s: %s", cfg->out_dir,
                     strerror(errno));
        goto out;
    }
    fw_log_info("coordinator", "run %s: scenario %s, %u ticks, seed %" PRIu64 ", pacing %s",
                c->run_id, c->sc->name, c->ticks, cfg->seed, c->pacing);

    rc = s_lobby(c);
    s_flush_tokens(c);
    if (rc != FW_COORD_OK) {
        stopped = rc == FW_COORD_EINTERRUPTED ? "interrupted in the lobby" : "seats never came";
        goto finish;
    }
    if (cfg->house_bots) {
        if (s_make_house_bots(c) != 0) {
            rc = FW_COORD_EFAIL;
            stopped = "the house bots could not be made";
            goto finish;
        }
        fw_seats_start(c->seats);
    }
    if (cfg->go)
        *cfg->go = 0;
    c->running = 1;
    for (c->tick = c->resumed + 1; c->tick <= c->ticks; c->tick++) {
        Flywheel__V1__Snapshot *snap = &c->snaps[c->tick & 1];
        fw_arena_t *arena = c->tick_arena[c->tick & 1];
        rc = s_hold_if_paused(c);
        if (rc == FW_COORD_OK) {
            int64_t t0 = fw_clock_thread_cpu_ns();
            fw_arena_reset(arena);
            flywheel__v1__snapshot__init(snap);
            s_open_tick(c);
            int64_t t1 = fw_clock_thread_cpu_ns();
            c->cost.send += t1 - t0;
            rc = s_write_row(c); /* last tick's, while the agents decide */
            int64_t t2 = fw_clock_thread_cpu_ns();
            if (rc == FW_COORD_OK)
                rc = s_collect(c);
            c->cost.receive += fw_clock_thread_cpu_ns() - t2;
        }
        if (rc == FW_COORD_OK)
            rc = s_clear_tick(c, snap, arena);
        if (rc != FW_COORD_OK) {
            books_ok = rc != FW_COORD_EFAIL;
            /* Interrupted: the last tick cleared is still whole (the snapshots
             * alternate by tick parity), and the summary reports it. A failed tick
             * leaves nothing to trust. */
            if (rc != FW_COORD_EINTERRUPTED)
                c->last = NULL;
            stopped = rc == FW_COORD_EINTERRUPTED ? "interrupted" : "a tick failed";
            break;
        }
        c->last = snap;
        c->cost_ticks++;
        fw_log_debug("tick", "tick %u of %u cleared", c->tick, c->ticks);
    }
    if (rc == FW_COORD_OK)
        fw_log_info("coordinator", "run complete: %u ticks in %.2f s", c->ticks,
                    (double)(fw_clock_ms() - started) / 1000.0);
finish:
    if (!c->log_failed) {
        s_flush_results(c); /* the last tick's, or the one before an interruption */
        if (s_write_row(c) != FW_COORD_OK) {
            rc = FW_COORD_EFAIL;
            stopped = "metrics.csv could not be written";
        }
    }
    if (!c->log_failed)
        s_goodbye(c, stopped ? stopped : "run complete");
    {
        fw_summary_info_t info = {c->run_id, cfg->seed, c->ticks,
                                  (double)(fw_clock_ms() - started) / 1000.0, books_ok, stopped,
                                  c->last, c->csv, &c->cost, c->cost_ticks};
        if (s_path(path, sizeof path, cfg->out_dir, "summary.json") != 0 ||
            fw_summary_write(path, c->sc, c->market, &info) != 0) {
            fw_log_error("outputs", "cannot write summary.json in %s", cfg->out_dir);
            rc = FW_COORD_EFAIL;
        }
    }
out:
    if (fw_metrics_csv_close(&c->csv) != 0 || fw_eventlog_close(&c->log) != 0) {
        fw_log_error("outputs", "cannot finish writing the outputs: %s", strerror(errno));
        rc = FW_COORD_EFAIL;
    }
    fw_watch_destroy(&c->router_watch); /* before its socket */
    if (c->router)
        zmq_close(c->router);
    if (c->pub)
        zmq_close(c->pub);
    fw_zap_stop(&c->zap); /* after the sockets it answered for */
    for (size_t s = 0; c->house && s < c->sc->n_seats; s++)
        fw_agent_seat_destroy(&c->house[s]);
    fw_arena_destroy(&c->tick_arena[0]);
    fw_arena_destroy(&c->tick_arena[1]);
    fw_arena_destroy(&c->arena);
    fw_arena_destroy(&c->house_arena);
    fw_arena_destroy(&c->view_arena);
    fw_proto_view_clear(&c->view_packed);
    fw_proto_buf_clear(&c->snap_packed);
    fw_proto_buf_clear(&c->record_packed);
    fw_proto_buf_clear(&c->publish_packed);
    fw_inbox_destroy(&c->inbox);
    fw_market_destroy(&c->market);
    free(c->lobby_cs_ptrs);
    free(c->lobby_cs);
    free(c->status_ptrs);
    free(c->status);
    free(c->taken);
    free(c->house);
    fw_seats_destroy(&c->seats);
    return rc;
}
