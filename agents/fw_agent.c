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
#include "fw_agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_arena.h"
#include "fw_log.h"
#include "fw_rng.h"
#include "fw_strategy.h"
#include "fw_version.h"

#define S_AGENT_NAME "flywheel-agent " FW_VERSION

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
void fw_agent_refusal_text(char *buf, size_t len, const Flywheel__V1__Refusal *r)
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
        fw_agent_refusal_text(text, sizeof text, r);
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
