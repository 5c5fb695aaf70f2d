/* fw_agent: a seat's side of the conversation with the coordinator.
 *
 * Two layers, so that one process can play many seats:
 *
 *   fw_agent_seat_t  the state of one seat (id, role, random stream, strategy, what it
 *                    last saw), created from the coordinator's Welcome. Its core,
 *                    fw_agent_seat_on_message(), maps one incoming envelope to at most
 *                    one outgoing envelope: no socket, no clock, no globals, so it is
 *                    tested without a network.
 *   fw_agent_run_seats()  the thin shell: one DEALER socket per seat, all served by
 *                    one zmq_poll loop on the caller's thread. Each seat says Hello,
 *                    waits for Welcome or Refusal, then feeds every message to its core
 *                    and sends what it answers, until Bye, a fatal Refusal, silence past
 *                    the idle timeout, or the caller's stop flag; a seat that ends
 *                    leaves the others playing. fw_agent_run() is the same loop for one
 *                    seat. The caller owns the ZeroMQ context, so threads can share one.
 *
 * One socket per seat, not one for many: the coordinator knows a seat by its
 * connection (a ROUTER routing id), so the seats of a process are exactly the seats of
 * as many processes, and grouping them changes nothing the coordinator sees
 * (docs/architecture.md, "Many seats per process").
 *
 * Sequence numbers: the Hello is seq 1; every later message from the seat is +1.
 */
#ifndef FW_AGENT_H
#define FW_AGENT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw_curve.h"
#include "fw_proto.h"
#include "fw_watch.h"

/* What a message meant for the seat (fw_agent_seat_on_message) or how a run ended
 * (fw_agent_run). Negative values are errors. */
typedef enum {
    FW_AGENT_CONTINUE = 0,  /* keep going (seat core only) */
    FW_AGENT_BYE = 1,       /* the coordinator said Bye: the run is over */
    FW_AGENT_REFUSED = 2,   /* a fatal Refusal (version, schema, unknown seat, seat taken),
                             * or the coordinator did not admit this key (CURVE) */
    FW_AGENT_LOST = 3,      /* nothing from the coordinator within the idle timeout */
    FW_AGENT_STOPPED = 4,   /* the caller's stop flag was raised (a signal) */
    FW_AGENT_EUSAGE = -1,   /* bad configuration: URL, strategy, or strategy vs role */
    FW_AGENT_EIO = -2,      /* a socket error other than a timeout */
} fw_agent_outcome_t;

/* A one-word description of an outcome ("bye", "refused", ...). */
const char *fw_agent_outcome_name(int outcome);

/* Whether a Refusal with this code ends the seat (version, schema, unknown seat, seat
 * taken); the others are warnings about one message. */
bool fw_agent_refusal_is_fatal(Flywheel__V1__RefusalCode code);

/* A short description of a refusal code ("seat taken", ...). */
const char *fw_agent_refusal_name(Flywheel__V1__RefusalCode code);

/* Fills the caller's *env and *hello (typically on the stack) with the Hello that asks
 * for `seat` (NULL or "" = any free seat of `role`): seq 1, this build's protocol
 * version, schema hash and agent name. The strings are borrowed: `seat` must outlive
 * the envelope. */
void fw_agent_hello(fw_envelope_t *env, Flywheel__V1__Hello *hello, const char *seat,
                    Flywheel__V1__Role role);

/* --- One seat ------------------------------------------------------------- */

typedef struct fw_agent_seat fw_agent_seat_t;

/* Creates a seat from the coordinator's Welcome envelope (copied: the envelope may be
 * freed afterwards), playing `strategy` (NULL or "" = the default of the Welcome's
 * role). The seat's random stream is seeded with Welcome.seat_seed; Welcome.params is
 * parsed, and a malformed pair is logged and skipped. Assumes its Hello was seq 1.
 * Returns an owned seat, or NULL with a one-line reason in err (always
 * NUL-terminated when err_len > 0) when `welcome` carries no Welcome, the strategy is
 * unknown, it cannot play the seat's role, or memory runs out. */
fw_agent_seat_t *fw_agent_seat_new(const fw_envelope_t *welcome, const char *strategy,
                                   char *err, size_t err_len);

/* Frees a seat; NULL-safe; sets *p to NULL. */
void fw_agent_seat_destroy(fw_agent_seat_t **p);

/* Handles one envelope from the coordinator:
 *   TickStart  -> the strategy's Actions for that tick, in *reply;
 *   TickResult -> fills and rejections logged, no reply;
 *   Refusal    -> FW_AGENT_REFUSED if fatal (see fw_agent_seat_reason), else a warning;
 *   Bye        -> FW_AGENT_BYE;
 *   GameStatus -> ignored (the lobby and pauses are for players' screens);
 *   anything else, or an envelope for another seat or run -> a warning, ignored.
 * A TickStart for a tick already answered is ignored (the coordinator would refuse a
 * duplicate). *reply is set to NULL or to an envelope owned by the seat, valid until
 * the next call on this seat or its destruction. Returns FW_AGENT_CONTINUE,
 * FW_AGENT_BYE or FW_AGENT_REFUSED. */
int fw_agent_seat_on_message(fw_agent_seat_t *s, const fw_envelope_t *in,
                             const fw_envelope_t **reply);

/* A Bye from this seat to the coordinator (the next seq), owned by the seat and valid
 * until the next call on it; `reason` is copied. */
const fw_envelope_t *fw_agent_seat_bye(fw_agent_seat_t *s, const char *reason);

/* The seat's resume token from the Welcome ("" if none): a Hello carrying it takes
 * the seat back after a disconnect (docs/network.md). */
const char *fw_agent_seat_token(const fw_agent_seat_t *s);

/* The seat's id, role, strategy name and run id, as the Welcome set them. */
const char *fw_agent_seat_name(const fw_agent_seat_t *s);
Flywheel__V1__Role fw_agent_seat_role(const fw_agent_seat_t *s);
const char *fw_agent_seat_strategy(const fw_agent_seat_t *s);
const char *fw_agent_seat_run_id(const fw_agent_seat_t *s);

/* The last seq this seat sent (1 after the Hello), and the last tick it answered. */
uint64_t fw_agent_seat_seq(const fw_agent_seat_t *s);
uint32_t fw_agent_seat_tick(const fw_agent_seat_t *s);

/* Why the seat stopped: the fatal Refusal's or the Bye's reason, or "". */
const char *fw_agent_seat_reason(const fw_agent_seat_t *s);

/* --- The socket shell ----------------------------------------------------- */

typedef struct {
    void *zmq_ctx;         /* borrowed; the caller creates and terminates it */
    const char *url;       /* coordinator endpoint: tcp://, ipc:// or inproc:// */
    const char *seat;      /* seat to claim, or NULL/"" for any free seat of `role` */
    Flywheel__V1__Role role;  /* with no seat: the role to play; else a check, or 0 */
    const char *strategy;  /* NULL/"" = the seat's role default */
    int idle_timeout_ms;   /* give up after this long without a message; > 0 */
    /* Raised (non-zero) by a signal handler to stop the run; may be NULL. */
    volatile sig_atomic_t *stop;
    /* Called once when the Welcome arrives (e.g. to put the seat in the log prefix);
     * may be NULL. */
    void (*on_welcome)(void *arg, const char *seat, Flywheel__V1__Role role);
    void *on_welcome_arg;
    /* Network play: the resume token of a seat this agent held before (NULL or "" =
     * none), and a name for the lobby display (NULL or "" = the program's name). */
    const char *resume_token;
    const char *name;
    /* CURVE (docs/security.md): this agent's key pair and the coordinator's public key
     * (Z85); both NULL = plaintext. */
    const fw_curve_pair_t *curve_self;
    const char *curve_server_key;
    /* The same as the player typed them (" --server-key FILE ...", or NULL), for the
     * command a person types to take the seat back. */
    const char *key_options;
} fw_agent_config_t;

/* One seat a process asks for: by name, or any free seat of a role. */
typedef struct {
    const char *seat;         /* seat to claim, or NULL/"" for any free seat of `role` */
    Flywheel__V1__Role role;  /* with no seat: the role to play; else a check, or 0 */
    const char *resume_token; /* the token of a seat held before, or NULL/"" */
} fw_agent_claim_t;

/* Plays n seats (n >= 1), one DEALER socket each, in one loop on the caller's thread
 * until every seat has ended. cfg gives what the seats share (context, URL, strategy,
 * idle timeout, stop flag, CURVE keys, name, on_welcome, called once per seat); its
 * seat, role and resume_token are ignored in favour of each claim's. Every claim is
 * checked before anything connects: a bad one returns FW_AGENT_EUSAGE at once. Each
 * seat ends on its own (Bye, refusal, silence, a socket error) and the others play on;
 * on the stop flag every seat still playing says Bye and ends STOPPED. Returns the
 * worst seat's outcome, in this order from best to worst: BYE, STOPPED, LOST,
 * REFUSED, EIO, EUSAGE; with `outcomes` non-NULL, outcomes[i] is claim i's. `reason`
 * (if reason_len > 0, always NUL-terminated) says why the worst seat ended, prefixed
 * with its seat ("seat aws: ...") when n > 1. */
int fw_agent_run_seats(const fw_agent_config_t *cfg, const fw_agent_claim_t *claims, size_t n,
                       int *outcomes, char *reason, size_t reason_len);

/* Plays one seat on a DEALER socket connected to cfg->url until the run ends. The
 * socket is closed (linger 0) before returning; the context is left to the caller.
 * On STOPPED the seat says Bye to the coordinator before leaving. Returns the
 * outcome: FW_AGENT_BYE, FW_AGENT_REFUSED, FW_AGENT_LOST, FW_AGENT_STOPPED,
 * FW_AGENT_EUSAGE or FW_AGENT_EIO; `reason` (if reason_len > 0, always
 * NUL-terminated) says why in one line for the last four. fw_agent_run_seats with one
 * claim made of cfg->seat, cfg->role and cfg->resume_token. */
int fw_agent_run(const fw_agent_config_t *cfg, char *reason, size_t reason_len);

/* A DEALER socket on cfg->zmq_ctx connected to cfg->url, with linger 0 and a send
 * timeout of send_timeout_ms, so that a send to a vanished coordinator fails instead
 * of blocking for ever; ZeroMQ tries a lost connection again every second. With
 * `watch` non-NULL, *watch is set to a fw_watch of the socket (ZMTP heartbeats: a
 * coordinator that died or stopped answering is seen within seconds); the caller
 * destroys it before closing the socket. Returns the socket (the caller closes it),
 * or NULL with the reason in msg and *outcome set to FW_AGENT_EIO or FW_AGENT_EUSAGE
 * (a bad URL). */
void *fw_agent_connect(const fw_agent_config_t *cfg, int send_timeout_ms, fw_watch_t **watch,
                       int *outcome, char *msg, size_t len);

/* Fills *env and *hello with cfg's Hello: its seat (or role), resume token and
 * player name (strings borrowed from cfg). */
void fw_agent_hello_for(const fw_agent_config_t *cfg, fw_envelope_t *env,
                        Flywheel__V1__Hello *hello);

#endif
