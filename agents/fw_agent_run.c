/* fw_agent_run: see fw_agent_run.h.
 *
 * Invariants:
 * - A seat's socket, watch, deadline and core belong to that seat alone: what one
 *   seat receives, sends or misses never touches another's, so a seat plays the same
 *   in a group as alone.
 * - Every seat still playing is in each zmq_poll; a seat that has ended has no socket.
 */
#include "fw_agent_run.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "fw_clock.h"
#include "fw_log.h"
#include "fw_socket.h"
#include "fw_strategy.h"

/* The shell wakes at least this often to look at the stop flag. */
#define S_POLL_SLICE_MS 200
/* How often a process of several seats tends them all (s_player_tend). */
#define S_TEND_MS 20
/* A lost connection is tried again this often (ZeroMQ's own reconnection). */
#define S_RECONNECT_MS 1000
/* With a watch: a PING this often, and the connection is lost when nothing answers for
 * the timeout (a coordinator whose process died is seen at once). */
#define S_HEARTBEAT_MS 1000
#define S_HEARTBEAT_TIMEOUT_MS 3000

static bool s_stopped(const fw_agent_config_t *cfg)
{
    return cfg->stop && *cfg->stop;
}

/* Sends, retrying when a signal interrupts unless it was a stop request. */
static int s_send(const fw_agent_config_t *cfg, void *sock, const fw_envelope_t *env)
{
    int rc;
    do {
        rc = fw_proto_send(sock, env);
    } while (rc == FW_PROTO_EINTR && !s_stopped(cfg));
    return rc;
}

/* Checks what can be checked before connecting: the strategy exists and, when the
 * role is known up front, can play it. */
static int s_check_config(const fw_agent_config_t *cfg, char *msg, size_t len)
{
    if (!cfg->zmq_ctx || !cfg->url || !cfg->url[0] || cfg->idle_timeout_ms <= 0) {
        snprintf(msg, len, "a context, a URL and a positive idle timeout are required");
        return FW_AGENT_EUSAGE;
    }
    if ((!cfg->seat || !cfg->seat[0]) && cfg->role == FLYWHEEL__V1__ROLE__ROLE_UNSPECIFIED) {
        snprintf(msg, len, "a seat or a role is required");
        return FW_AGENT_EUSAGE;
    }
    if (cfg->strategy && cfg->strategy[0]) {
        const fw_strategy_t *st = fw_strategy_find(cfg->strategy);
        char names[128];
        if (!st) {
            snprintf(msg, len, "unknown strategy '%s' (known: %s)", cfg->strategy,
                     fw_strategy_names(names, sizeof names));
            return FW_AGENT_EUSAGE;
        }
        if (cfg->role != FLYWHEEL__V1__ROLE__ROLE_UNSPECIFIED &&
            !fw_strategy_can_play(st, cfg->role)) {
            snprintf(msg, len, "strategy '%s' cannot play a %s", st->name,
                     fw_strategy_role_name(cfg->role));
            return FW_AGENT_EUSAGE;
        }
    }
    return 0;
}

/* Tells the coordinator we are leaving a seat we could not take up (the Welcome came
 * but the strategy cannot play it): seq 2, right after the Hello. */
static void s_decline(const fw_agent_config_t *cfg, void *sock, const fw_envelope_t *in,
                      const char *why)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Bye bye = FLYWHEEL__V1__BYE__INIT;
    bye.reason = (char *)why;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = in->run_id;
    env.seq = 2;
    env.seat = in->welcome->seat;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_BYE;
    env.bye = &bye;
    int rc = s_send(cfg, sock, &env);
    if (rc != 0)
        fw_log_warn("agent", "could not say bye: %s", fw_proto_strerror(rc));
}

/* Handles one message before the Welcome. Returns FW_AGENT_CONTINUE (keep waiting;
 * *seat set once welcomed) or how the run ends. */
/* One seat of the shell: its own socket, watch, deadline and core, so that a process
 * of many seats behaves, seat by seat, exactly as a process of one. */
typedef struct {
    fw_agent_config_t cfg;   /* the process's config with this claim's seat, role, token */
    void *sock;              /* DEALER to the coordinator; NULL once the seat has ended */
    fw_watch_t *watch;       /* heartbeats and drops of `sock`; NULL once ended */
    fw_agent_seat_t *seat;   /* the core, from the Welcome; NULL before it */
    unsigned drops;          /* fw_watch_drops already answered with a Hello */
    int64_t deadline;        /* monotonic ms: LOST past this without a message */
    int outcome;             /* FW_AGENT_CONTINUE while playing, then how it ended */
    char msg[256];           /* why it ended, in one line */
} s_player_t;

/* The seat a player's log lines name: the seat it holds, the one it asked for, or
 * none yet (the process's label). */
static const char *s_label(const s_player_t *p)
{
    if (p->seat)
        return fw_agent_seat_name(p->seat);
    return p->cfg.seat && p->cfg.seat[0] ? p->cfg.seat : NULL;
}

/* "seat aws: why" or "a lab: why", for the one line that says why a process ended. */
static void s_player_reason(const s_player_t *p, char *buf, size_t len)
{
    if (s_label(p))
        snprintf(buf, len, "seat %.64s: %.180s", s_label(p), p->msg);
    else
        snprintf(buf, len, "a %.20s: %.200s", fw_strategy_role_name(p->cfg.role), p->msg);
}

/* Handles one message before the Welcome. Returns FW_AGENT_CONTINUE (keep waiting;
 * p->seat set once welcomed) or how the seat ends. */
static int s_handshake(s_player_t *p, const fw_envelope_t *in)
{
    const fw_agent_config_t *cfg = &p->cfg;
    switch (in->body_case) {
    case FLYWHEEL__V1__ENVELOPE__BODY_WELCOME: {
        if (!in->welcome)
            return FW_AGENT_CONTINUE;
        p->seat = fw_agent_seat_new(in, cfg->strategy, p->msg, sizeof p->msg);
        if (!p->seat) {
            s_decline(cfg, p->sock, in, p->msg);
            return FW_AGENT_EUSAGE;
        }
        const char *name = fw_agent_seat_name(p->seat);
        fw_log_seat_info(name, "agent", "welcome: seat %s (%s), run %s, strategy %s", name,
                         fw_strategy_role_name(fw_agent_seat_role(p->seat)),
                         fw_agent_seat_run_id(p->seat), fw_agent_seat_strategy(p->seat));
        if (fw_agent_seat_token(p->seat)[0])
            fw_log_seat_info(name, "agent", "resume token: %s (to take the seat back after a "
                             "disconnect: --seat %s --resume %s)", fw_agent_seat_token(p->seat),
                             name, fw_agent_seat_token(p->seat));
        if (cfg->on_welcome)
            cfg->on_welcome(cfg->on_welcome_arg, name, fw_agent_seat_role(p->seat));
        return FW_AGENT_CONTINUE;
    }
    case FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL:
        /* Without a seat every refusal is fatal: there is nothing left to play. */
        if (in->refusal)
            fw_agent_refusal_text(p->msg, sizeof p->msg, in->refusal);
        else
            snprintf(p->msg, sizeof p->msg, "refused");
        return FW_AGENT_REFUSED;
    case FLYWHEEL__V1__ENVELOPE__BODY_BYE:
        snprintf(p->msg, sizeof p->msg, "bye before the welcome: %s",
                 in->bye && in->bye->reason ? in->bye->reason : "");
        return FW_AGENT_BYE;
    case FLYWHEEL__V1__ENVELOPE__BODY_STATUS:
        return FW_AGENT_CONTINUE;
    default:
        fw_log_seat_warn(s_label(p), "agent", "unexpected %s before the welcome; ignored",
                         fw_proto_body_name(in));
        return FW_AGENT_CONTINUE;
    }
}

void *fw_agent_connect(const fw_agent_config_t *cfg, int send_timeout_ms, fw_watch_t **watch,
                       int *outcome, char *msg, size_t len)
{
    fw_socket_opts_t o = FW_SOCKET_OPTS_INIT;
    void *sock;
    char err[256];
    o.connect = cfg->url;
    o.send_timeout_ms = send_timeout_ms;
    o.reconnect_ms = S_RECONNECT_MS;
    o.watch = watch;
    o.heartbeat_ms = S_HEARTBEAT_MS;
    o.heartbeat_timeout_ms = S_HEARTBEAT_TIMEOUT_MS;
    o.curve_self = cfg->curve_self;
    o.curve_server_key = cfg->curve_server_key;
    int rc = fw_socket_open(cfg->zmq_ctx, ZMQ_DEALER, &o, &sock, err, sizeof err);
    if (rc == FW_SOCKET_EENDPOINT) {
        /* The address came from the person who typed it: say what one looks like. */
        snprintf(msg, len, "%s (a game's address looks like tcp://HOST:PORT)", err);
        *outcome = FW_AGENT_EUSAGE;
        return NULL;
    }
    if (rc != FW_SOCKET_OK) {
        snprintf(msg, len, "%s", err);
        *outcome = FW_AGENT_EIO;
        return NULL;
    }
    return sock;
}

void fw_agent_hello_for(const fw_agent_config_t *cfg, fw_envelope_t *env,
                        Flywheel__V1__Hello *hello)
{
    fw_agent_hello(env, hello, cfg->seat, cfg->role);
    if (cfg->resume_token)
        hello->resume_token = (char *)cfg->resume_token;
    if (cfg->name && cfg->name[0])
        hello->agent = (char *)cfg->name;
}

/* Orders outcomes from a clean end to the worst, for the process's one exit code. */
static int s_severity(int outcome)
{
    switch (outcome) {
    case FW_AGENT_BYE: return 0;
    case FW_AGENT_STOPPED: return 1;
    case FW_AGENT_LOST: return 2;
    case FW_AGENT_REFUSED: return 3;
    case FW_AGENT_EIO: return 4;
    case FW_AGENT_EUSAGE: return 5;
    default: return 6;
    }
}

/* Ends a seat: how and why, and its socket closed at once (the coordinator sees the
 * connection go; the process's other seats play on). */
static void s_player_end(s_player_t *p, int outcome)
{
    p->outcome = outcome;
    fw_watch_destroy(&p->watch); /* before its socket */
    if (p->sock)
        zmq_close(p->sock);
    p->sock = NULL;
}

/* Connects the seat and sends its Hello. Returns FW_AGENT_CONTINUE, or how the seat
 * ended (with p->msg). */
static int s_player_start(s_player_t *p)
{
    const fw_agent_config_t *cfg = &p->cfg;
    int outcome = FW_AGENT_CONTINUE;
    /* A send that cannot finish (the queue to a vanished coordinator is full) fails
     * after the idle timeout instead of blocking the seat for ever. The watch tells
     * when the connection dropped and came back. */
    p->sock = fw_agent_connect(cfg, cfg->idle_timeout_ms, &p->watch, &outcome, p->msg,
                               sizeof p->msg);
    if (!p->sock)
        return outcome;

    fw_envelope_t hello_env;
    Flywheel__V1__Hello hello;
    fw_agent_hello_for(cfg, &hello_env, &hello);
    int rc = s_send(cfg, p->sock, &hello_env);
    if (rc != 0) {
        snprintf(p->msg, sizeof p->msg, "cannot send hello: %s", fw_proto_strerror(rc));
        return rc == FW_PROTO_EINTR ? FW_AGENT_STOPPED : FW_AGENT_EIO;
    }
    fw_log_seat_info(s_label(p), "agent", "hello sent to %s for %s%s", cfg->url,
                     cfg->seat && cfg->seat[0] ? "seat " : "any ",
                     cfg->seat && cfg->seat[0] ? cfg->seat : fw_strategy_role_name(cfg->role));
    p->deadline = fw_clock_ms() + cfg->idle_timeout_ms;
    return FW_AGENT_CONTINUE;
}

/* What a seat does between messages: a key the coordinator refused, the connection
 * back after a drop (the Hello again, with the resume token), silence past the idle
 * timeout. Returns FW_AGENT_CONTINUE or how the seat ended. */
static int s_player_tend(s_player_t *p, int64_t now)
{
    const fw_agent_config_t *cfg = &p->cfg;
    fw_watch_state_t link = fw_watch_poll(p->watch, now);
    if (fw_watch_auth_refused(p->watch) > 0) {
        /* CURVE: the coordinator's handler refused this key; trying again will not
         * change its mind. */
        snprintf(p->msg, sizeof p->msg, "the coordinator at %s does not admit this agent's "
                 "key (is it in the game's --allow directory, and is --server-key the "
                 "game's public key?)", cfg->url);
        return FW_AGENT_REFUSED;
    }
    /* The connection dropped (this process was stopped, or the network was cut, and
     * the coordinator's heartbeats ended it) and is back: the coordinator knows this
     * connection as a stranger, so the seat is asked for again with its resume token. */
    if (p->seat && link == FW_WATCH_UP && fw_watch_drops(p->watch) != p->drops) {
        fw_envelope_t hello_env;
        Flywheel__V1__Hello hello;
        p->drops = fw_watch_drops(p->watch);
        fw_agent_config_t again = *cfg;
        again.seat = fw_agent_seat_name(p->seat);
        again.resume_token = fw_agent_seat_token(p->seat);
        fw_agent_hello_for(&again, &hello_env, &hello);
        int rc = s_send(cfg, p->sock, &hello_env);
        fw_log_seat_info(again.seat, "agent", "seat %s: the connection came back; asking "
                         "for the seat again with its resume token%s", again.seat,
                         rc == 0 ? "" : " (could not send it)");
    }
    if (p->deadline - now <= 0) {
        snprintf(p->msg, sizeof p->msg, "no message from the coordinator for %d ms",
                 cfg->idle_timeout_ms);
        return FW_AGENT_LOST;
    }
    return FW_AGENT_CONTINUE;
}

/* Receives and handles one message, if one is there. Returns FW_AGENT_CONTINUE or how
 * the seat ended. */
static int s_player_receive(s_player_t *p, fw_proto_view_cache_t *views)
{
    const fw_agent_config_t *cfg = &p->cfg;
    fw_envelope_t *in = NULL;
    int outcome = FW_AGENT_CONTINUE;
    int rc = fw_proto_recv_cached(p->sock, 0, views, &in);
    if (rc == FW_PROTO_ETIMEDOUT || rc == FW_PROTO_EINTR)
        goto out;
    if (rc == FW_PROTO_EMALFORMED || rc == FW_PROTO_ETOOBIG || rc == FW_PROTO_EFRAMING ||
        (rc == FW_PROTO_EVERSION && p->seat)) {
        /* The coordinator is alive but said something we cannot read. */
        fw_log_seat_warn(s_label(p), "agent", "dropped a message from the coordinator: %s",
                         fw_proto_strerror(rc));
        p->deadline = fw_clock_ms() + cfg->idle_timeout_ms;
        goto out;
    }
    if (rc == FW_PROTO_EVERSION) {
        snprintf(p->msg, sizeof p->msg, "coordinator speaks protocol version %u, we speak %u",
                 in ? in->protocol_version : 0u, FW_PROTOCOL_VERSION);
        outcome = FW_AGENT_REFUSED;
        goto out;
    }
    if (rc != 0) {
        snprintf(p->msg, sizeof p->msg, "receive failed: %s (%s)", fw_proto_strerror(rc),
                 zmq_strerror(zmq_errno()));
        outcome = FW_AGENT_EIO;
        goto out;
    }
    p->deadline = fw_clock_ms() + cfg->idle_timeout_ms;

    if (!p->seat) {
        outcome = s_handshake(p, in);
        goto out;
    }
    const fw_envelope_t *reply = NULL;
    outcome = fw_agent_seat_on_message(p->seat, in, &reply);
    if (reply && (rc = s_send(cfg, p->sock, reply)) != 0) {
        if (rc == FW_PROTO_EINTR)
            goto out; /* the stop flag is up; the loop's top handles it */
        snprintf(p->msg, sizeof p->msg, "send failed: %s", fw_proto_strerror(rc));
        outcome = FW_AGENT_EIO;
    }
    if (outcome == FW_AGENT_REFUSED || outcome == FW_AGENT_BYE)
        snprintf(p->msg, sizeof p->msg, "%s", fw_agent_seat_reason(p->seat));
out:
    fw_proto_free(&in);
    return outcome;
}

/* The stop flag: a seat that holds its seat says Bye, so the coordinator need not
 * wait for it. */
static void s_player_stop(s_player_t *p)
{
    snprintf(p->msg, sizeof p->msg, "interrupted");
    if (p->seat) {
        /* The Bye goes out at once or not at all: a coordinator that has already
         * closed its socket (an embedded run stopped by the same Ctrl-C) would make
         * each seat wait out the idle timeout, one after the other. */
        int now = 0;
        (void)zmq_setsockopt(p->sock, ZMQ_SNDTIMEO, &now, sizeof now);
        int rc = s_send(&p->cfg, p->sock, fw_agent_seat_bye(p->seat, "agent interrupted"));
        if (rc == FW_PROTO_ETIMEDOUT)
            fw_log_seat_info(s_label(p), "agent", "no bye sent: the coordinator is not "
                             "there to hear it");
        else if (rc != 0)
            fw_log_seat_warn(s_label(p), "agent", "could not say bye: %s",
                             fw_proto_strerror(rc));
    }
    s_player_end(p, FW_AGENT_STOPPED);
}

/* At most this many messages from one seat's socket per turn of the loop, so that a
 * busy seat does not starve the others of their liveness checks. */
#define S_BURST 16

int fw_agent_run_seats(const fw_agent_config_t *cfg, const fw_agent_claim_t *claims, size_t n,
                       int *outcomes, char *reason, size_t reason_len)
{
    s_player_t *players = NULL;
    /* The seats' market view, unpacked once a tick for all of them (NULL: each seat
     * unpacks its own). Each message is handled and freed before the next is read, so
     * no seat holds a view past the read that may replace it. */
    fw_proto_view_cache_t *views = fw_proto_view_cache_new();
    zmq_pollitem_t *items = NULL;
    size_t *which = NULL;
    char msg[256] = "";
    int outcome = FW_AGENT_EUSAGE;
    size_t worst = 0;

    assert(cfg && claims && n > 0);
    players = calloc(n, sizeof *players);
    items = calloc(n, sizeof *items);
    which = calloc(n, sizeof *which);
    if (!players || !items || !which) {
        snprintf(msg, sizeof msg, "out of memory for %zu seats", n);
        outcome = FW_AGENT_EIO;
        goto out;
    }
    /* Every claim is checked before any connects: a bad one is the caller's mistake,
     * and half a team should not sit down. */
    for (size_t i = 0; i < n; i++) {
        s_player_t *p = &players[i];
        p->cfg = *cfg;
        p->cfg.seat = claims[i].seat;
        p->cfg.role = claims[i].role;
        p->cfg.resume_token = claims[i].resume_token;
        p->outcome = FW_AGENT_CONTINUE;
        if (s_check_config(&p->cfg, p->msg, sizeof p->msg) != 0) {
            if (n == 1)
                snprintf(msg, sizeof msg, "%s", p->msg);
            else
                s_player_reason(p, msg, sizeof msg);
            for (size_t k = 0; outcomes && k < n; k++)
                outcomes[k] = FW_AGENT_EUSAGE;
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int rc = s_player_start(&players[i]);
        if (rc != FW_AGENT_CONTINUE)
            s_player_end(&players[i], rc);
    }

    int64_t next_tend = 0;
    for (;;) {
        size_t live = 0;
        int64_t now = fw_clock_ms(), wait = S_POLL_SLICE_MS;
        if (s_stopped(cfg)) {
            for (size_t i = 0; i < n; i++)
                if (players[i].outcome == FW_AGENT_CONTINUE)
                    s_player_stop(&players[i]);
            break;
        }
        /* The seats are tended (each connection's events read, each idle deadline
         * looked at) every S_TEND_MS, not at every wake-up: a process of many seats
         * wakes up many times a tick, and tending them all each time made its tick
         * O(seats^2). */
        bool tend = n == 1 || now >= next_tend;
        if (tend)
            next_tend = now + S_TEND_MS;
        else
            wait = next_tend - now;
        for (size_t i = 0; i < n; i++) {
            s_player_t *p = &players[i];
            if (p->outcome != FW_AGENT_CONTINUE)
                continue;
            if (tend) {
                int rc = s_player_tend(p, now);
                if (rc != FW_AGENT_CONTINUE) {
                    s_player_end(p, rc);
                    continue;
                }
            }
            if (tend && p->deadline - now < wait)
                wait = p->deadline - now; /* between tends, next_tend bounds the wait */
            items[live] = (zmq_pollitem_t){.socket = p->sock, .events = ZMQ_POLLIN};
            which[live++] = i;
        }
        if (live == 0)
            break;
        if (zmq_poll(items, (int)live, (long)wait) < 0) {
            if (zmq_errno() == EINTR)
                continue; /* a signal: the stop flag is looked at first */
            snprintf(msg, sizeof msg, "poll failed: %s", zmq_strerror(zmq_errno()));
            for (size_t k = 0; k < live; k++) {
                snprintf(players[which[k]].msg, sizeof players[which[k]].msg, "%s", msg);
                s_player_end(&players[which[k]], FW_AGENT_EIO);
            }
            break;
        }
        for (size_t k = 0; k < live; k++) {
            s_player_t *p = &players[which[k]];
            if (!(items[k].revents & ZMQ_POLLIN))
                continue;
            for (int m = 0; m < S_BURST && p->outcome == FW_AGENT_CONTINUE; m++) {
                int rc = s_player_receive(p, views);
                if (rc != FW_AGENT_CONTINUE)
                    s_player_end(p, rc);
                else if (s_stopped(cfg))
                    break;
                int events = 0;
                size_t len = sizeof events;
                if (p->sock && (zmq_getsockopt(p->sock, ZMQ_EVENTS, &events, &len) != 0 ||
                                !(events & ZMQ_POLLIN)))
                    break;
            }
        }
    }

    /* The process ends as its worst seat did (the first such, in claim order). */
    for (size_t i = 0; i < n; i++) {
        if (outcomes)
            outcomes[i] = players[i].outcome;
        if (s_severity(players[i].outcome) > s_severity(players[worst].outcome))
            worst = i;
    }
    outcome = players[worst].outcome;
    if (n == 1)
        snprintf(msg, sizeof msg, "%s", players[0].msg);
    else
        s_player_reason(&players[worst], msg, sizeof msg);

out:
    for (size_t i = 0; players && i < n; i++) {
        if (players[i].sock)
            s_player_end(&players[i], players[i].outcome);
        fw_agent_seat_destroy(&players[i].seat);
    }
    fw_proto_view_cache_destroy(&views);
    free(players);
    free(items);
    free(which);
    if (reason && reason_len > 0)
        snprintf(reason, reason_len, "%s", msg);
    return outcome;
}

int fw_agent_run(const fw_agent_config_t *cfg, char *reason, size_t reason_len)
{
    fw_agent_claim_t claim = {.seat = cfg->seat, .role = cfg->role,
                              .resume_token = cfg->resume_token};
    return fw_agent_run_seats(cfg, &claim, 1, NULL, reason, reason_len);
}
