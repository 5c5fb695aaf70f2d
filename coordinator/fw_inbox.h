/* fw_inbox: the actions of one tick, collected as they arrive and handed to the
 * market in canonical order.
 *
 * Invariant: the order in which envelopes arrive never shows. Each seat has one
 * slot per tick; the market reads the slots by seat index, and the event log writes
 * them in the same order. A seat that sends a second Actions for the tick, or
 * actions for another tick, is refused, never queued.
 */
#ifndef FW_INBOX_H
#define FW_INBOX_H

#include <stddef.h>
#include <stdint.h>

#include "fw_arena.h"
#include "fw_proto.h"

typedef struct fw_inbox fw_inbox_t;

typedef enum {
    FW_INBOX_ACCEPTED = 0,  /* the inbox took ownership of the envelope */
    FW_INBOX_LATE = 1,      /* for a tick already cleared */
    FW_INBOX_EARLY = 2,     /* for a tick not started yet */
    FW_INBOX_DUPLICATE = 3, /* the seat already has actions for this tick */
    FW_INBOX_NOT_ACTIONS = 4,/* the envelope has no Actions body */
} fw_inbox_status_t;

/* An inbox for n_seats seats, open for no tick yet. NULL if out of memory. */
fw_inbox_t *fw_inbox_new(uint32_t n_seats);

/* Frees the inbox and any envelopes it holds; NULL-safe; sets *p to NULL. */
void fw_inbox_destroy(fw_inbox_t **p);

/* Empties every slot (freeing what they held) and opens tick `tick`. */
void fw_inbox_open(fw_inbox_t *in, uint32_t tick);

/* Offers seat `seat`'s envelope. On FW_INBOX_ACCEPTED the inbox owns *env and sets
 * it to NULL; otherwise *env stays the caller's. `seat` must be < n_seats. */
fw_inbox_status_t fw_inbox_put(fw_inbox_t *in, uint32_t seat, fw_envelope_t **env);

/* The same for a message the caller keeps (a house bot's reply): the inbox takes a
 * deep copy, held in its own arena until the next open. Field for field what
 * fw_inbox_put would hold after the wire, without packing and unpacking it. */
fw_inbox_status_t fw_inbox_put_copy(fw_inbox_t *in, uint32_t seat, const fw_envelope_t *env);

/* Seats that have actions in this tick. */
size_t fw_inbox_count(const fw_inbox_t *in);

/* 1 if `seat` has actions in this tick. */
int fw_inbox_has(const fw_inbox_t *in, uint32_t seat);

/* The entries of every Actions held: the sum over seats of each list's length (offers,
 * orders, bids, answers...). What a tick's clearing is proportional to, beside the
 * seats (summary.json's actions_per_tick). */
size_t fw_inbox_entries(const fw_inbox_t *in);

/* The accepted envelope of `seat`, or NULL (borrowed, valid until the next open). */
const fw_envelope_t *fw_inbox_envelope(const fw_inbox_t *in, uint32_t seat);

/* Writes each seat's Actions (or NULL) into out[0..n_seats): the canonical order. */
void fw_inbox_actions(const fw_inbox_t *in, Flywheel__V1__Actions **out);

/* A short description of a status ("late: tick 3 is already cleared"). */
const char *fw_inbox_strstatus(fw_inbox_status_t st);

#endif
