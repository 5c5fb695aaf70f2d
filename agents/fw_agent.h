/* fw_agent: a seat's side of the conversation with the coordinator.
 *
 * Two layers, so that one process can play many seats:
 *
 *   fw_agent_seat_t  the state of one seat (id, role, random stream, strategy, what it
 *                    last saw), created from the coordinator's Welcome. Its core,
 *                    fw_agent_seat_on_message(), maps one incoming envelope to at most
 *                    one outgoing envelope: no socket, no clock, no globals, so it is
 *                    tested without a network.
 *   fw_agent_run_seats()  the thin shell (fw_agent_run.h): a DEALER socket per seat,
 *                    all served by one loop.
 *
 * Sequence numbers: the Hello is seq 1; every later message from the seat is +1.
 */
#ifndef FW_AGENT_H
#define FW_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw_proto.h"

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

/* "reason (code name)" of a Refusal, or just the code name when the peer gave no
 * reason, into buf (always NUL-terminated when len > 0). */
void fw_agent_refusal_text(char *buf, size_t len, const Flywheel__V1__Refusal *r);

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

#endif
