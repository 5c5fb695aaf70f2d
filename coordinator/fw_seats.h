/* fw_seats: the seat table of a run: who holds each seat, over which connection, and
 * who comes back.
 *
 * Each seat of the scenario is held by a player (a connected agent), by the house bot
 * (the seat's built-in strategy, played by the coordinator), or nobody (the lobby). This
 * module owns those facts and the rules that change them: claims by name, by role or
 * with a resume token, leaving (a Bye or a lost connection), takeover by the house bot
 * (a player gone, or silent `takeover_after` ticks in a row), and the hand-back at the
 * next tick. It holds no socket and no message: the coordinator asks it, then sends
 * what the answer calls for (a Welcome, a refusal, a house bot's turn, a status). So
 * it is tested without a network (tests/unit/test_seats.c), like fw_inbox.
 *
 * Invariants:
 *   - a connection (routing identity) holds at most one seat;
 *   - a seat has at most one resume token; a new player of the seat gets a new one,
 *     so the previous player's stops working;
 *   - a seat is handed back to a returning player only when a tick opens
 *     (fw_seats_open_tick), so each tick of a seat is played by one hand: the player
 *     if its actions came, else the house bot.
 */
#ifndef FW_SEATS_H
#define FW_SEATS_H

#include <stddef.h>
#include <stdint.h>

#include "fw_inbox.h"
#include "fw_scenario.h"

/* Largest routing identity kept (ZeroMQ's are at most 255 bytes). */
#define FW_SEATS_MAX_IDENTITY 255u
/* Hex characters of a resume token (128 bits). */
#define FW_SEATS_TOKEN_LEN 32

/* Who holds a seat. The values are the wire's (flywheel.v1.Holder). */
typedef enum {
    FW_HOLDER_EMPTY = 1,  /* nobody yet: the lobby */
    FW_HOLDER_PLAYER = 2, /* a connected agent, a program or a person */
    FW_HOLDER_HOUSE = 3,  /* the seat's house bot */
} fw_holder_t;

typedef struct {
    int house_bots;          /* fill empty seats and replace lost players */
    uint32_t takeover_after; /* with house_bots: a player silent this many ticks in a
                              * row is replaced (0 = never) */
    int deadline_pacing;     /* a turn timer: every connected player gets every turn */
    uint32_t max_messages;   /* messages a seat's player may send in one tick (a tick's
                              * Actions, a Bye, a retry or two); 0 = FW_SEATS_MAX_MESSAGES */
} fw_seats_config_t;

/* The default cap on a seat's messages per tick: far above what a well-behaved agent
 * sends (one Actions), low enough that a flood costs the coordinator little. */
#define FW_SEATS_MAX_MESSAGES 32u

typedef struct fw_seats fw_seats_t;

/* A table for the seats of `sc` (borrowed; it must outlive the table), all empty.
 * Returns NULL when out of memory. */
fw_seats_t *fw_seats_new(const fw_scenario_t *sc, const fw_seats_config_t *cfg);

/* Frees the table; NULL-safe; sets *p to NULL. */
void fw_seats_destroy(fw_seats_t **p);

/* ---- claims -------------------------------------------------------------------- */

/* What a Hello asks for. The strings are borrowed for the call. */
typedef struct {
    const char *seat;   /* a seat id, or "" for any free seat of `role` */
    fw_role_t role;
    const char *token;  /* a resume token, or "" */
    const char *agent;  /* the player's name, or "" */
    uint64_t seq;       /* the Hello's seq: later messages must come after it */
    int fd;             /* the connection's file descriptor (-1: unknown), to match a
                         * dropped connection to its seat (fw_seats_find_fd) */
    const char *user;   /* the connection's ZAP user id (who holds its CURVE key), or ""
                         * without CURVE. A key named after a seat may take only that
                         * seat; a key holding a seat that connects again keeps it,
                         * the newest session winning; another key never takes it. */
} fw_hello_t;

typedef enum {
    FW_CLAIM_GRANTED = 0,
    FW_CLAIM_ALREADY_SEATED,  /* this connection holds a seat already */
    FW_CLAIM_UNKNOWN_SEAT,    /* no such seat, or no free seat of the role */
    FW_CLAIM_SEAT_TAKEN,      /* a player holds it, or the resume token is wrong */
} fw_claim_result_t;

typedef struct {
    fw_claim_result_t result;
    int seat;            /* granted: the seat; ALREADY_SEATED: the seat held; else -1 */
    char reason[512];    /* refused: one line for the player, naming what to do */
    char how[96];        /* granted: "claimed", "reconnected", "reclaimed from the house
                          * bot; handed back at the next tick", ... */
} fw_claim_t;

/* Decides a Hello from the connection `id` and, when it is granted, gives the seat to
 * that connection (resume tokens, the player's name, whether the seat is the player's
 * at once or from the next tick). `running`: the game has left the lobby. Logs the
 * grant. Fills *out; returns out->result. */
fw_claim_result_t fw_seats_claim(fw_seats_t *s, const uint8_t *id, size_t id_len,
                                 const fw_hello_t *hello, int running, fw_claim_t *out);

/* A seat as it was held before the coordinator restarted (--resume): its player's
 * resume token, name and key. The seat stays empty until that player comes back with
 * the token (or the key); nobody else may take it meanwhile. */
void fw_seats_restore(fw_seats_t *s, uint32_t seat, const char *token, const char *player,
                      const char *user);

/* seats.tokens, what a restarted coordinator needs of the table: a line per seat ever
 * claimed, "seat<TAB>token<TAB>key<TAB>player". Written to path.tmp, then renamed over
 * `path`, so that a reader finds the old file or the new one. Returns 0, or -1 with
 * errno set. */
int fw_seats_save(const fw_seats_t *s, const char *path);

/* Restores (fw_seats_restore) each seat named in a file fw_seats_save wrote; lines
 * naming no seat of the scenario are skipped. Returns the seats restored, 0 when
 * there is no such file (nobody had joined), or -1 with errno set. */
int fw_seats_load(fw_seats_t *s, const char *path);

/* Keeps `seat` for the key named after it (CURVE, with that key on the allow list):
 * no other key takes it, by name or by role. */
void fw_seats_reserve(fw_seats_t *s, uint32_t seat);

/* The ZAP user id of the connection holding `seat` ("" without CURVE, or when nobody
 * has held it): every message on that seat must come from a connection of this key. */
const char *fw_seats_user(const fw_seats_t *s, uint32_t seat);

/* ---- leaving, takeover, coming back ---------------------------------------------- */

typedef enum {
    FW_GONE_NOTHING = 0,  /* nothing the others need to know */
    FW_GONE_STATUS,       /* a returning player went: the seat table changed */
    FW_GONE_FREED,        /* in the lobby: the seat is free again */
    FW_GONE_TAKEN_OVER,   /* the house bot holds the seat now */
    FW_GONE_SILENT,       /* no house bots: the seat does nothing until its player
                           * reconnects */
} fw_gone_t;

/* The player of `seat` is gone: it said Bye, or its connection is lost (`why` says
 * which, for the log). Returns what changed. */
fw_gone_t fw_seats_gone(fw_seats_t *s, uint32_t seat, int running, uint32_t tick,
                        const char *why);

/* The house bot takes `seat` from its player at `tick` (its connection, if any, is
 * kept: it still follows the game and may come back). Returns 1 if the holder changed,
 * 0 if the house bot held it already. Logs it. */
int fw_seats_take_over(fw_seats_t *s, uint32_t seat, uint32_t tick, const char *why);

/* The game leaves the lobby: with house bots, every empty seat is the house bot's. */
void fw_seats_start(fw_seats_t *s);

/* A tick opens: every returning player still connected holds its seat again. Logs
 * each hand-back. */
void fw_seats_open_tick(fw_seats_t *s, uint32_t tick);

/* What to do with Actions from the player of `seat`. */
typedef enum {
    FW_ACT_PLAY = 0,       /* they are the seat's for this tick: to the inbox */
    FW_ACT_HOUSE_PLAYS,    /* the house bot plays this tick; the player holds the seat
                            * again from the next one (it is marked returning) */
} fw_act_t;
fw_act_t fw_seats_actions_from(fw_seats_t *s, uint32_t seat, uint32_t tick);

/* The inbox took (accepted = 1) or refused the seat's actions: the player spoke, so
 * it is waited for again; accepted actions end its run of missed ticks. */
void fw_seats_acted(fw_seats_t *s, uint32_t seat, int accepted);

/* A message from the seat's player arrived: whether to handle it. Past the per-tick
 * cap the first is refused (the player is told once) and the rest dropped, each
 * counted (fw_seat_status_t.dropped). The count starts again when a tick opens. */
typedef enum {
    FW_MSG_HANDLE = 0,
    FW_MSG_REFUSE_FLOOD, /* the first over the cap: refuse it with REFUSAL_FLOOD */
    FW_MSG_DROP,         /* over the cap: drop it without a word */
} fw_msg_t;
fw_msg_t fw_seats_count_message(fw_seats_t *s, uint32_t seat);

/* Counts one more late Actions of the seat; returns the count for the whole run. */
uint32_t fw_seats_count_late(fw_seats_t *s, uint32_t seat);

/* ---- a turn ---------------------------------------------------------------------- */

/* The players of the tick being collected: *present counts those connected (holding
 * their seat, or coming back at the next tick), *waiting those whose actions are still
 * due (in lockstep, a silent player is not waited for). */
void fw_seats_waiting(const fw_seats_t *s, const fw_inbox_t *inbox, size_t *waiting,
                      size_t *present);

/* The turn of `tick` is over: every player who did not act misses one more tick (in
 * lockstep it is not waited for until it speaks; logged once); with house bots, one
 * silent `takeover_after` ticks in a row is taken over. The seats taken over are
 * written to taken[] in seat order (room for every seat); returns how many. */
size_t fw_seats_end_turn(fw_seats_t *s, const fw_inbox_t *inbox, uint32_t tick, int wait_ms,
                         uint32_t *taken);

/* ---- the connection of a seat ------------------------------------------------------ */

/* The seat held by the connection `id`, or -1. */
int fw_seats_find(const fw_seats_t *s, const uint8_t *id, size_t len);

/* Whether the seat's player is connected (holding it, benched under the house bot, or
 * coming back), and its routing identity (valid until the seat changes hands). */
int fw_seats_connected(const fw_seats_t *s, uint32_t seat);

/* The seat whose player's connection is on file descriptor `fd`, or -1. A descriptor
 * can be reused by a later connection: the caller confirms the player is gone (a send
 * to it fails) before acting on it. */
int fw_seats_find_fd(const fw_seats_t *s, int fd);
const uint8_t *fw_seats_identity(const fw_seats_t *s, uint32_t seat, size_t *len);

/* The seq of the next message to the seat's player (1, 2, ... per connection). */
uint64_t fw_seats_next_seq(fw_seats_t *s, uint32_t seat);

/* A message with `seq` from the seat's player: 0 if it comes after the last one (it is
 * recorded), -1 if not (*last is set to the last one accepted). */
int fw_seats_check_seq(fw_seats_t *s, uint32_t seat, uint64_t seq, uint64_t *last);

/* Counts a refusal sent to the seat's player; returns the count (the log names only
 * the first few: a peer stuck in a loop must not flood it). */
uint32_t fw_seats_count_refusal(fw_seats_t *s, uint32_t seat);

/* ---- what the table says ------------------------------------------------------------- */

typedef struct {
    fw_holder_t holder;
    const char *player;  /* the player's name ("" if none; a house bot's is the caller's) */
    const char *token;   /* the seat's resume token, "" if none */
    uint32_t late;       /* late Actions, whole run */
    uint32_t missed;     /* ticks in a row its player has not answered */
    uint32_t dropped;    /* messages over the per-tick cap, whole run */
    int returning;       /* a player holds it again from the next tick */
    int connected;
} fw_seat_status_t;

/* The status of `seat`; the strings stay valid until the seat changes hands. */
void fw_seats_status(const fw_seats_t *s, uint32_t seat, fw_seat_status_t *out);

/* How many seats `holder` holds. */
size_t fw_seats_count(const fw_seats_t *s, fw_holder_t holder);

#endif
