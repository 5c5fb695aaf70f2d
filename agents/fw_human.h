/* fw_human: a person plays a seat at a terminal. This is the model of that screen:
 * what it shows, what each key does, and the Actions it sends. No curses, no socket,
 * no clock of its own (the caller passes the time), so it is tested without a
 * terminal, and random keys and random messages are part of those tests.
 *
 * The flow of one tick: a TickStart arrives; the draft (the moves the player will
 * send) starts as what the house bot (the role's default strategy, fw_strategy) would
 * do, with a line saying why when a lab's suggestion rents more than its customers
 * use; the player adds, edits or deletes moves and answers proposals through short
 * forms that explain every field and whose defaults follow the market (the chosen
 * cloud's price, the lab's valuation); Enter sends the draft. If the player does
 * nothing, the draft is sent on its own shortly before the deadline (1.5 s, or a
 * quarter of a shorter turn), so a player who walks away plays like the house bot.
 * The tick's result comes back in plain words, naming each move as the player saw it.
 *
 * Around the ticks: before the first, the lobby (GameStatus: who holds each seat,
 * when the game starts); a pause by the teacher; ticks the house bot plays for a
 * player it replaced (house_plays: shown, never sent on their own, Enter takes the
 * seat back from the next tick); a lost connection (fw_human_set_link: a banner with a
 * countdown, nothing sent); a Welcome again after a reconnection (the screen keeps
 * everything).
 *
 * The player's keys are never turned against them:
 *   - the quit question is closed by the player only: q, 1, Enter leaves whatever
 *     arrives in between (ticks, the deadline, a status);
 *   - for S_GUARD_MS (1 s) after the screen changes under the player (a new tick, a
 *     form the game closed, a resume, the link back, a Welcome again), Enter on the
 *     main screen does not send: it asks the player to check the moves first;
 *   - at the deadline a move form whose last field holds a valid value goes with the
 *     draft; one still being typed stays open and, once finished, joins the next
 *     tick's draft; a choice of move numbers (change, delete, answer) is closed at the
 *     deadline or a new tick, since its numbers were the old tick's.
 *
 * Invariants: at most one Actions is sent per tick, for the tick on screen, and none
 * for a tick that is over, while paused, while the link is lost, or on its own while
 * the house bot plays; any key in any state and any message in any order is handled
 * (unknown keys get a hint, never a crash); every string the player types or the
 * coordinator sends is bounded; every error on the screen says what to do next; every
 * line fits the width given to fw_human_render, and at 80 x 24 nothing is cut.
 */
#ifndef FW_HUMAN_H
#define FW_HUMAN_H

#include <stddef.h>
#include <stdint.h>

#include "fw_proto.h"

/* Keys other than plain bytes (the terminal layer maps its own codes to these). */
enum {
    FW_HUMAN_KEY_ENTER = 0x10000,
    FW_HUMAN_KEY_ESCAPE,
    FW_HUMAN_KEY_BACKSPACE,
    FW_HUMAN_KEY_UP,
    FW_HUMAN_KEY_DOWN,
    FW_HUMAN_KEY_HELP, /* F1 */
    FW_HUMAN_KEY_OTHER, /* any other special key: ignored with a hint */
};

/* What the caller must do after a key or a clock step. */
typedef enum {
    FW_HUMAN_NOTHING = 0, /* redraw and carry on */
    FW_HUMAN_SEND = 1,    /* send fw_human_actions() now */
    FW_HUMAN_QUIT = 2,    /* the player leaves: send fw_human_bye() and exit */
} fw_human_do_t;

/* Line styles for the terminal layer. */
typedef enum {
    FW_HUMAN_PLAIN = 0,
    FW_HUMAN_TITLE = 1,   /* the top bar */
    FW_HUMAN_HEADING = 2, /* a section name */
    FW_HUMAN_PROMPT = 3,  /* the question being asked, or the key bar */
    FW_HUMAN_ALERT = 4,   /* an error, a warning, the last seconds of the countdown */
} fw_human_style_t;

#define FW_HUMAN_COLS 240 /* widest line rendered */

typedef struct {
    char text[FW_HUMAN_COLS + 1];
    fw_human_style_t style;
} fw_human_line_t;

typedef struct fw_human fw_human_t;

/* A screen for the seat of `welcome` (a Welcome envelope, copied). Returns an owned
 * model, or NULL with a reason in err (always NUL-terminated when err_len > 0). */
fw_human_t *fw_human_new(const fw_envelope_t *welcome, char *err, size_t err_len);

/* Frees the model; NULL-safe; sets *p to NULL. */
void fw_human_destroy(fw_human_t **p);

/* Feeds one message from the coordinator, received at wall-clock time now_ms (Unix
 * ms): TickStart, TickResult, Refusal, Bye, GameStatus (the lobby, pauses, who holds
 * each seat), or a Welcome again after a reconnection (the seat is ours again; the
 * model keeps everything else). Returns FW_AGENT_CONTINUE, FW_AGENT_BYE (the game is
 * over) or FW_AGENT_REFUSED (a fatal refusal). */
int fw_human_on_message(fw_human_t *h, const fw_envelope_t *in, int64_t now_ms);

/* The connection to the game server, as the terminal layer sees it (its socket's
 * heartbeats and reconnections). */
typedef enum {
    FW_HUMAN_LINK_UP = 0, /* talking to the game server */
    FW_HUMAN_LINK_LOST,   /* lost contact; the terminal layer keeps trying */
} fw_human_link_t;

/* Tells the model about the connection: lost since since_ms, next attempt at
 * retry_at_ms (Unix ms; 0 = not known). While it is LOST the screen says so in plain
 * words with a countdown to the next attempt, no moves are sent (fw_human_clock
 * returns NOTHING, Enter says why), and the player may still leave with q. */
void fw_human_set_link(fw_human_t *h, fw_human_link_t link, int64_t since_ms,
                       int64_t retry_at_ms);

/* Where the game is and who plays, so the screen can print the whole command that
 * takes the seat back ("flywheel play URL SEAT --resume TOKEN --name NAME"); either
 * may be NULL. Copied. */
void fw_human_set_address(fw_human_t *h, const char *url, const char *name);

/* The key options the player gave (" --server-key F --curve-secret G", or NULL for
 * none), appended to that command: without them the seat cannot be taken back from a
 * game that wants them. Copied. */
void fw_human_set_key_options(fw_human_t *h, const char *options);

/* Handles one key (a byte, or an FW_HUMAN_KEY_*) at wall-clock time now_ms (Unix ms):
 * FW_HUMAN_SEND for an Enter that sends the draft, FW_HUMAN_QUIT when the player
 * leaves (or presses any key after the game is over), else FW_HUMAN_NOTHING. */
fw_human_do_t fw_human_key(fw_human_t *h, int key, int64_t now_ms);

/* Lets time pass: returns FW_HUMAN_SEND when the deadline is close and the draft has
 * not been sent (never while paused, while the link is lost, when the tick is over, or
 * when the house bot plays the tick); a move form open then is handled as the header
 * says. */
fw_human_do_t fw_human_clock(fw_human_t *h, int64_t now_ms);

/* The draft as an Actions envelope for the tick on screen, marked as sent. Owned by
 * the model, valid until the next call on it; NULL if there is nothing to send
 * (no tick yet, already sent, or the tick is over). */
const fw_envelope_t *fw_human_actions(fw_human_t *h);

/* A Bye from this seat, owned by the model and valid until the next call on it. */
const fw_envelope_t *fw_human_bye(fw_human_t *h);

/* Renders the screen for a terminal of rows x cols at time now_ms into lines[0..max)
 * and returns the number of lines written (<= rows, <= max). */
size_t fw_human_render(const fw_human_t *h, int64_t now_ms, size_t rows, size_t cols,
                       fw_human_line_t *lines, size_t max);

/* For tests and the terminal layer: the tick on screen, whether its draft was sent,
 * the number of moves in the draft, the seat's resume token, and the message line
 * the player is reading now (the terminal layer logs it when it changes). */
uint32_t fw_human_tick(const fw_human_t *h);
int fw_human_sent(const fw_human_t *h);
size_t fw_human_moves(const fw_human_t *h);
const char *fw_human_token(const fw_human_t *h);
const char *fw_human_message(const fw_human_t *h);

#endif
