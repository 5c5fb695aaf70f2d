/* fw_agent: see fw_agent.h.
 *
 * Invariants:
 * - Every envelope a seat sends carries seq = previous + 1 (the Hello was 1).
 * - A seat answers each tick at most once, and answers TickStarts in increasing tick
 *   order; a strategy error still gets an (empty) answer, so the seat never makes the
 *   coordinator wait for a timeout because of its own bug.
 * - The reply envelope and everything it points to live in the seat (its scratch
 *   arena and embedded structs), reset at the next message: no allocation per tick
 *   once the arena has grown to the seat's usual size.
 */
#include "fw_clock.h"
#include "fw_agent.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "fw_arena.h"
#include "fw_log.h"
#include "fw_rng.h"
#include "fw_socket.h"
#include "fw_strategy.h"
#include "fw_version.h"

#define S_AGENT_NAME "flywheel-agent " FW_VERSION
/* The shell wakes at least this often to look at the stop flag. */
#define S_POLL_SLICE_MS 200
/* A lost connection is tried again this often (ZeroMQ's own reconnection). */
#define S_RECONNECT_MS 1000
/* With a watch: a PING this often, and the connection is lost when nothing answers for
 * the timeout (a coordinator whose process died is seen at once). */
#define S_HEARTBEAT_MS 1000
#define S_HEARTBEAT_TIMEOUT_MS 3000

struct fw_agent_seat {
    char *seat;                     /* seat id from the Welcome; in `statics` */
    char *run_id;                   /* run id from the Welcome envelope; in `statics` */
    char *token;                    /* Welcome.resume_token; in `statics` */
    Flywheel__V1__Role role;        /* from the Welcome */
    const fw_strategy_t *strategy;  /* registry entry; never NULL */
    fw_rng_t rng;                   /* seeded with Welcome.seat_seed; the only randomness */
    fw_strategy_params_t params;    /* parsed Welcome.params */
    fw_strategy_ctx_t ctx;          /* what the strategy sees; points into this seat */
    fw_arena_t *statics;            /* copies of the Welcome's strings, families, seats */
    fw_arena_t *scratch;            /* the current reply's repeated fields; reset per reply */
    uint64_t seq;                   /* last seq sent */
    uint32_t tick;                  /* last tick answered, 0 before the first */
    int64_t cash;                   /* cash after the last clearing (TickResult) */
    char reason[256];               /* why the seat stopped: Refusal or Bye reason */
    fw_envelope_t out;              /* the reply handed to the caller */
    Flywheel__V1__Actions actions;  /* out's body for an Actions reply */
    Flywheel__V1__Bye bye;          /* out's body for a Bye */
};

const char *fw_agent_outcome_name(int outcome)
{
    switch (outcome) {
    case FW_AGENT_CONTINUE: return "continue";
    case FW_AGENT_BYE: return "bye";
    case FW_AGENT_REFUSED: return "refused";
    case FW_AGENT_LOST: return "lost the coordinator";
    case FW_AGENT_STOPPED: return "stopped";
    case FW_AGENT_EUSAGE: return "usage error";
    case FW_AGENT_EIO: return "socket error";
    default: return "unknown outcome";
    }
}

bool fw_agent_refusal_is_fatal(Flywheel__V1__RefusalCode code)
{
    switch (code) {
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_VERSION:
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SCHEMA:
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNKNOWN_SEAT:
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN:
        return true;
    default:
        return false;
    }
}

const char *fw_agent_refusal_name(Flywheel__V1__RefusalCode code)
{
    switch (code) {
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_VERSION: return "version mismatch";
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SCHEMA: return "schema mismatch";
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNKNOWN_SEAT: return "unknown seat";
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN: return "seat taken";
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_MALFORMED: return "malformed";
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_NOT_YOURS: return "not your seat";
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE: return "late";
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_DUPLICATE: return "duplicate";
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEQUENCE: return "sequence";
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED: return "unexpected";
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_INVALID: return "invalid action";
    default: return "unspecified";
    }
}

void fw_agent_hello(fw_envelope_t *env, Flywheel__V1__Hello *hello, const char *seat,
                    Flywheel__V1__Role role)
{
    flywheel__v1__envelope__init(env);
    flywheel__v1__hello__init(hello);
    /* protobuf-c never writes through these pointers when packing. */
    hello->seat = (char *)(seat ? seat : "");
    hello->role = role;
    hello->schema_hash = (char *)fw_proto_schema_hash();
    hello->agent = (char *)S_AGENT_NAME;
    env->protocol_version = FW_PROTOCOL_VERSION;
    env->run_id = (char *)"";
    env->tick = 0;
    env->seq = 1;
    env->seat = hello->seat;
    env->body_case = FLYWHEEL__V1__ENVELOPE__BODY_HELLO;
    env->hello = hello;
}

/* "reason (code name)", or just the code name when the peer gave no reason. */
static void s_refusal_text(char *buf, size_t len, const Flywheel__V1__Refusal *r)
{
    const char *name = fw_agent_refusal_name(r->code);
    if (r->reason && r->reason[0])
        snprintf(buf, len, "%s (%s)", r->reason, name);
    else
        snprintf(buf, len, "%s", name);
}

/* --- One seat ------------------------------------------------------------- */

static void s_copy_welcome(fw_agent_seat_t *s, const Flywheel__V1__Welcome *w)
{
    fw_arena_t *a = s->statics;
    Flywheel__V1__ChipFamily **fams = fw_arena_calloc(a, w->n_families, sizeof *fams);
    for (size_t i = 0; i < w->n_families; i++) {
        const Flywheel__V1__ChipFamily *src = w->families[i];
        Flywheel__V1__ChipFamily *f = fw_arena_calloc(a, 1, sizeof *f);
        *f = *src;
        f->id = fw_arena_strdup(a, src->id);
        f->vendor = fw_arena_strdup(a, src->vendor);
        f->captive_of = fw_arena_strdup(a, src->captive_of);
        fams[i] = f;
    }
    Flywheel__V1__SeatInfo **seats = fw_arena_calloc(a, w->n_seats, sizeof *seats);
    for (size_t i = 0; i < w->n_seats; i++) {
        const Flywheel__V1__SeatInfo *src = w->seats[i];
        Flywheel__V1__SeatInfo *si = fw_arena_calloc(a, 1, sizeof *si);
        *si = *src;
        si->id = fw_arena_strdup(a, src->id);
        si->name = fw_arena_strdup(a, src->name);
        seats[i] = si;
        s->ctx.n_clouds += src->role == FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER;
        s->ctx.n_labs += src->role == FLYWHEEL__V1__ROLE__ROLE_LAB;
    }
    s->ctx.families = fams;
    s->ctx.n_families = w->n_families;
    s->ctx.seats = seats;
    s->ctx.n_seats = w->n_seats;
}

fw_agent_seat_t *fw_agent_seat_new(const fw_envelope_t *welcome, const char *strategy,
                                   char *err, size_t err_len)
{
    char msg[256] = "";
    fw_agent_seat_t *s = NULL;

    if (!welcome || welcome->body_case != FLYWHEEL__V1__ENVELOPE__BODY_WELCOME ||
        !welcome->welcome) {
        snprintf(msg, sizeof msg, "expected a welcome, got %s",
                 welcome ? fw_proto_body_name(welcome) : "nothing");
        goto out;
    }
    const Flywheel__V1__Welcome *w = welcome->welcome;
    const fw_strategy_t *st = strategy && strategy[0] ? fw_strategy_find(strategy)
                                                      : fw_strategy_for_role(w->role);
    if (!st) {
        char names[128];
        if (strategy && strategy[0])
            snprintf(msg, sizeof msg, "unknown strategy '%s' (known: %s)", strategy,
                     fw_strategy_names(names, sizeof names));
        else
            snprintf(msg, sizeof msg, "seat '%s' has role %s, which has no default strategy",
                     w->seat, fw_strategy_role_name(w->role));
        goto out;
    }
    if (!fw_strategy_can_play(st, w->role)) {
        snprintf(msg, sizeof msg, "strategy '%s' cannot play seat '%s' (a %s)", st->name,
                 w->seat, fw_strategy_role_name(w->role));
        goto out;
    }

    s = calloc(1, sizeof *s);
    if (!s || !(s->statics = fw_arena_new()) || !(s->scratch = fw_arena_new())) {
        snprintf(msg, sizeof msg, "out of memory");
        fw_agent_seat_destroy(&s);
        goto out;
    }
    /* The Welcome names the seat; the envelope's seat field is the fallback. */
    s->seat = fw_arena_strdup(s->statics, w->seat[0] ? w->seat : welcome->seat);
    s->run_id = fw_arena_strdup(s->statics, welcome->run_id);
    s->token = fw_arena_strdup(s->statics, w->resume_token ? w->resume_token : "");
    s->role = w->role;
    s->strategy = st;
    fw_rng_seed(&s->rng, w->seat_seed);
    char perr[160];
    if (fw_strategy_params_parse(w->params, &s->params, perr, sizeof perr) != 0)
        fw_log_seat_warn(s->seat, "agent",
                         "seat %s: params '%s': %s; using defaults for it", s->seat,
                         w->params, perr);
    s->ctx.seat = s->seat;
    s->ctx.role = s->role;
    s->ctx.params = &s->params;
    s_copy_welcome(s, w);
    s->seq = 1; /* the Hello that earned this Welcome */
    flywheel__v1__envelope__init(&s->out);

out:
    if (err && err_len > 0)
        snprintf(err, err_len, "%s", msg);
    return s;
}

void fw_agent_seat_destroy(fw_agent_seat_t **p)
{
    if (!p || !*p)
        return;
    fw_arena_destroy(&(*p)->statics);
    fw_arena_destroy(&(*p)->scratch);
    free(*p);
    *p = NULL;
}

/* Starts the seat's next outgoing envelope (empty body) in s->out. */
static fw_envelope_t *s_begin(fw_agent_seat_t *s, uint32_t tick)
{
    fw_envelope_t *e = &s->out;
    flywheel__v1__envelope__init(e);
    e->protocol_version = FW_PROTOCOL_VERSION;
    e->run_id = s->run_id;
    e->tick = tick;
    e->seq = ++s->seq;
    e->seat = s->seat;
    return e;
}

static const fw_envelope_t *s_on_tick_start(fw_agent_seat_t *s, const fw_envelope_t *in)
{
    const Flywheel__V1__TickStart *ts = in->tick_start;
    if (ts->tick == s->tick && s->tick > 0) {
        /* Asked again for the tick just answered: the answer was lost (a coordinator
         * restarted from its log, a connection that dropped). The same actions go
         * again: deciding anew would draw from the stream a second time, and the run
         * would no longer be the one the seed makes. */
        fw_log_seat_info(s->seat, "agent",
                         "seat %s: tick %u asked again; sending the same actions", s->seat,
                         ts->tick);
        fw_envelope_t *e = s_begin(s, ts->tick);
        e->body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
        e->actions = &s->actions;
        return e;
    }
    if (ts->tick < s->tick) {
        fw_log_seat_warn(s->seat, "agent",
                         "seat %s: tick_start for tick %u, already answered tick %u; "
                         "ignored", s->seat, ts->tick, s->tick);
        return NULL;
    }
    fw_arena_reset(s->scratch);
    flywheel__v1__actions__init(&s->actions);
    int rc = s->strategy->fn(&s->ctx, ts, &s->rng, &s->actions, s->scratch);
    if (rc != FW_STRATEGY_OK) {
        /* Our bug or an observation we cannot read: answer "do nothing" this tick. */
        fw_log_seat_error(s->seat, "agent",
                          "seat %s: strategy %s failed on tick %u (%d); doing nothing",
                          s->seat, s->strategy->name, ts->tick, rc);
        flywheel__v1__actions__init(&s->actions);
    }
    s->tick = ts->tick;
    fw_envelope_t *e = s_begin(s, ts->tick);
    e->body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    e->actions = &s->actions;
    fw_log_seat_debug(s->seat, "agent", "seat %s tick %u: %zu chip offers, %zu chip orders, "
                      "%zu compute offers, %zu compute bids", s->seat, ts->tick,
                      s->actions.n_chip_offers, s->actions.n_chip_orders,
                      s->actions.n_compute_offers, s->actions.n_compute_bids);
    return e;
}

static const char *s_fill_kind_name(Flywheel__V1__FillKind kind)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&flywheel__v1__fill_kind__descriptor, (int)kind);
    return v ? v->name : "?";
}

static void s_on_tick_result(fw_agent_seat_t *s, const Flywheel__V1__TickResult *tr)
{
    s->cash = tr->cash;
    for (size_t i = 0; i < tr->n_fills; i++) {
        const Flywheel__V1__Fill *f = tr->fills[i];
        fw_log_seat_debug(s->seat, "agent",
                          "seat %s tick %u: fill %s %s x%lld @ %lld with %s", s->seat,
                          tr->tick, s_fill_kind_name(f->kind), f->family, (long long)f->quantity,
                          (long long)f->price, f->counterparty);
    }
    for (size_t i = 0; i < tr->n_rejected; i++)
        fw_log_seat_info(s->seat, "agent", "seat %s tick %u: %s rejected: %s", s->seat, tr->tick,
                         tr->rejected[i]->action, tr->rejected[i]->reason);
    fw_log_seat_debug(s->seat, "agent",
                      "seat %s tick %u: %zu fills, %zu rejected, cash %lld", s->seat,
                      tr->tick, tr->n_fills, tr->n_rejected, (long long)tr->cash);
}

int fw_agent_seat_on_message(fw_agent_seat_t *s, const fw_envelope_t *in,
                             const fw_envelope_t **reply)
{
    *reply = NULL;
    if (in->seat[0] && strcmp(in->seat, s->seat) != 0) {
        fw_log_seat_warn(s->seat, "agent", "seat %s: %s addressed to seat '%s'; ignored", s->seat,
                         fw_proto_body_name(in), in->seat);
        return FW_AGENT_CONTINUE;
    }
    if (in->run_id[0] && s->run_id[0] && strcmp(in->run_id, s->run_id) != 0) {
        fw_log_seat_warn(s->seat, "agent", "seat %s: %s from run '%s', not '%s'; ignored", s->seat,
                         fw_proto_body_name(in), in->run_id, s->run_id);
        return FW_AGENT_CONTINUE;
    }
    switch (in->body_case) {
    case FLYWHEEL__V1__ENVELOPE__BODY_TICK_START:
        if (in->tick_start)
            *reply = s_on_tick_start(s, in);
        return FW_AGENT_CONTINUE;
    case FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT:
        if (in->tick_result)
            s_on_tick_result(s, in->tick_result);
        return FW_AGENT_CONTINUE;
    case FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL: {
        const Flywheel__V1__Refusal *r = in->refusal;
        char text[sizeof s->reason];
        if (!r)
            return FW_AGENT_CONTINUE;
        s_refusal_text(text, sizeof text, r);
        if (fw_agent_refusal_is_fatal(r->code)) {
            snprintf(s->reason, sizeof s->reason, "%s", text);
            fw_log_seat_error(s->seat, "agent", "seat %s: refused: %s", s->seat, text);
            return FW_AGENT_REFUSED;
        }
        fw_log_seat_warn(s->seat, "agent", "seat %s: message seq %llu refused: %s", s->seat,
                         (unsigned long long)r->refused_seq, text);
        return FW_AGENT_CONTINUE;
    }
    case FLYWHEEL__V1__ENVELOPE__BODY_BYE:
        snprintf(s->reason, sizeof s->reason, "%s",
                 in->bye && in->bye->reason ? in->bye->reason : "");
        fw_log_seat_info(s->seat, "agent", "seat %s: bye from the coordinator: %s", s->seat,
                         s->reason[0] ? s->reason : "(no reason)");
        return FW_AGENT_BYE;
    case FLYWHEEL__V1__ENVELOPE__BODY_STATUS:
        return FW_AGENT_CONTINUE; /* the lobby and pauses: for players' screens */
    case FLYWHEEL__V1__ENVELOPE__BODY_WELCOME:
        /* The seat again, after a reconnection's Hello with the resume token. */
        fw_log_seat_info(s->seat, "agent", "seat %s: the coordinator gave the seat back", s->seat);
        return FW_AGENT_CONTINUE;
    default:
        fw_log_seat_warn(s->seat, "agent", "seat %s: unexpected %s from the coordinator; ignored",
                         s->seat, fw_proto_body_name(in));
        return FW_AGENT_CONTINUE;
    }
}

const fw_envelope_t *fw_agent_seat_bye(fw_agent_seat_t *s, const char *reason)
{
    fw_arena_reset(s->scratch);
    flywheel__v1__bye__init(&s->bye);
    s->bye.reason = fw_arena_strdup(s->scratch, reason ? reason : "");
    fw_envelope_t *e = s_begin(s, s->tick);
    e->body_case = FLYWHEEL__V1__ENVELOPE__BODY_BYE;
    e->bye = &s->bye;
    return e;
}

const char *fw_agent_seat_name(const fw_agent_seat_t *s) { return s->seat; }
Flywheel__V1__Role fw_agent_seat_role(const fw_agent_seat_t *s) { return s->role; }
const char *fw_agent_seat_strategy(const fw_agent_seat_t *s) { return s->strategy->name; }
const char *fw_agent_seat_run_id(const fw_agent_seat_t *s) { return s->run_id; }
const char *fw_agent_seat_token(const fw_agent_seat_t *s) { return s->token; }
uint64_t fw_agent_seat_seq(const fw_agent_seat_t *s) { return s->seq; }
uint32_t fw_agent_seat_tick(const fw_agent_seat_t *s) { return s->tick; }
const char *fw_agent_seat_reason(const fw_agent_seat_t *s) { return s->reason; }

/* --- The socket shell ----------------------------------------------------- */

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
            s_refusal_text(p->msg, sizeof p->msg, in->refusal);
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
static int s_player_receive(s_player_t *p)
{
    const fw_agent_config_t *cfg = &p->cfg;
    fw_envelope_t *in = NULL;
    int outcome = FW_AGENT_CONTINUE;
    int rc = fw_proto_recv(p->sock, 0, &in);
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
        int rc = s_send(&p->cfg, p->sock, fw_agent_seat_bye(p->seat, "agent interrupted"));
        if (rc != 0)
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

    for (;;) {
        size_t live = 0;
        int64_t now = fw_clock_ms(), wait = S_POLL_SLICE_MS;
        if (s_stopped(cfg)) {
            for (size_t i = 0; i < n; i++)
                if (players[i].outcome == FW_AGENT_CONTINUE)
                    s_player_stop(&players[i]);
            break;
        }
        for (size_t i = 0; i < n; i++) {
            s_player_t *p = &players[i];
            if (p->outcome != FW_AGENT_CONTINUE)
                continue;
            int rc = s_player_tend(p, now);
            if (rc != FW_AGENT_CONTINUE) {
                s_player_end(p, rc);
                continue;
            }
            if (p->deadline - now < wait)
                wait = p->deadline - now;
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
                int rc = s_player_receive(p);
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
