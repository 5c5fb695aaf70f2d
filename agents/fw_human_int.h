/* fw_human_int: the player's screen model, shared by its source files and no one
 * else: fw_human.c keeps the state (messages, keys, the clock, sending),
 * fw_human_forms.c the forms the player fills in, and fw_human_screen.c draws it. The
 * screen only reads the state, and the model never calls the screen: the struct has
 * one owner. The public interface stays fw_human.h.
 */
#ifndef FW_HUMAN_INT_H
#define FW_HUMAN_INT_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fw_agent.h"
#include "fw_arena.h"
#include "fw_human.h"

#define FH_MAX_MOVES 24      /* moves in a draft */
#define FH_MAX_FIELDS 5      /* fields in a form */
#define FH_MAX_CHOICES 16    /* choices of a text field */
#define FH_ID 32             /* ids and short texts */
#define FH_INPUT 24          /* characters a player may type in a field */
#define FH_RESULT_LINES 6    /* lines about the last tick's results */

typedef enum {
    MOVE_CHIP_OFFER,    /* vendors */
    MOVE_CHIP_ORDER,    /* clouds */
    MOVE_COMPUTE_OFFER, /* clouds */
    MOVE_COMPUTE_BID,   /* labs */
    MOVE_PROPOSAL,      /* clouds and vendors: invest in a lab */
} move_kind_t;

typedef struct {
    move_kind_t kind;
    char who[FH_ID];   /* bid: provider; proposal: lab */
    char family[FH_ID];
    int64_t quantity;  /* units, H100-months, or the amount invested */
    int64_t price;     /* per unit; proposal: the valuation */
    double fraction;   /* proposal: part paid as credits */
} move_t;

typedef enum {
    FIELD_CHOICE, /* one of choices[] (typed, or its number) */
    FIELD_AMOUNT, /* a positive whole number; k, M, B, T suffixes */
    FIELD_PERCENT,/* 0 to 100 */
    FIELD_INDEX,  /* 1..max */
} field_kind_t;

typedef struct {
    field_kind_t kind;
    const char *label;
    const char *help;
    char choices[FH_MAX_CHOICES][FH_ID];
    size_t n_choices;
    int64_t max;           /* FIELD_INDEX */
    char def[FH_ID];       /* Enter on an empty field takes this */
    char buf[FH_INPUT + 1]; /* what the player typed */
    size_t len;
    char text[FH_ID];      /* the accepted value */
    int64_t value;
    double fraction;
} field_t;

typedef enum {
    FORM_NONE,
    FORM_ADD_KIND,  /* which kind of move to add */
    FORM_MOVE,      /* the fields of a move */
    FORM_EDIT_WHICH,
    FORM_DELETE_WHICH,
    FORM_ANSWER_WHICH,
    FORM_QUIT,
} form_kind_t;

typedef struct {
    form_kind_t kind;
    move_kind_t move;   /* FORM_MOVE */
    int editing;        /* FORM_MOVE: index of the move replaced, or -1 */
    int accept;         /* FORM_ANSWER_WHICH */
    field_t fields[FH_MAX_FIELDS];
    size_t n_fields, cur;
} form_t;

typedef struct {
    char id[FH_ID];
    char name[64];
    Flywheel__V1__Role role;
    Flywheel__V1__Holder holder;  /* from the last GameStatus */
    char player[48];              /* the player's name, or the house bot's strategy */
    int returning;                /* its player takes it back at the next tick */
} seat_info_t;

/* The game around the seat, from the last GameStatus (network play). */
typedef struct {
    int known;                    /* a GameStatus came */
    Flywheel__V1__Phase phase;
    uint32_t tick;                /* the last tick cleared */
    char pacing[24];              /* "lockstep" or "deadline:S" */
    int64_t deadline;             /* lobby: when house bots fill the free seats (0: no) */
    uint32_t wanted;              /* lobby: players that start the game */
} game_t;

struct fw_human {
    fw_agent_seat_t *advisor;     /* the role's default strategy: the suggestion */
    char seat[FH_ID];
    char company[64];
    char run_id[40];
    char token[40];
    Flywheel__V1__Role role;
    uint32_t ticks;
    seat_info_t *seats;           /* from the Welcome */
    size_t n_seats;
    char (*families)[FH_ID];      /* family ids from the Welcome */
    char (*captive)[FH_ID];       /* their captive_of */
    size_t n_families;
    game_t game;                  /* the lobby, pauses and who holds each seat */
    fw_envelope_t *tick_start;    /* the TickStart on screen (owned), or NULL */
    uint32_t tick;
    int sent;                     /* the draft of `tick` has been sent */
    int closed;                   /* `tick` was cleared (its TickResult came) */
    int auto_sent;                /* the clock sent the draft: its message stands */
    int64_t lead_ms;              /* the clock sends the draft this long before the deadline */
    int64_t turn_deadline;        /* this tick's deadline on this machine's clock (0: none):
                                   * the wire's deadline_in_ms counted from arrival, so a
                                   * clock minutes off does not matter */
    int64_t changed_at;           /* when the screen last changed under the player */
    const char *changed_why;      /* ...and how, for the Enter that comes too soon */
    move_t carry;                 /* a move finished after its tick's moves were sent */
    int has_carry;                /* ...which goes into the next tick's draft */
    int over;                     /* the coordinator said Bye */
    move_t moves[FH_MAX_MOVES];   /* the draft */
    size_t n_moves;
    move_t suggested[FH_MAX_MOVES]; /* the house bot's moves for this tick */
    size_t n_suggested;
    int *answers;                 /* per proposal on screen: 0 none, 1 accept, 2 reject */
    int *suggested_answers;
    size_t n_answers;
    int from_house;               /* the draft is still the untouched suggestion */
    int house_plays;              /* the house bot plays the tick on screen for us */
    int back;                     /* ...and the seat is ours again from the next tick */
    int welcomed;                 /* a Welcome came again since the last TickStart */
    form_t form;
    int help;                     /* the help page is shown */
    char message[200];            /* the line the player reads now */
    int message_alert;            /* ...shown as an alert */
    char results[FH_RESULT_LINES][320]; /* the last tick's results, in plain words */
    size_t n_results;
    move_t sent_moves[FH_MAX_MOVES]; /* the moves last sent, to name them in results */
    size_t n_sent_moves;
    char sent_answers[FH_MAX_MOVES][FH_ID]; /* the investor of each answer sent, in order */
    size_t n_sent_answers;
    uint32_t sent_tick;           /* the tick they were sent for (0 = none yet) */
    uint64_t seq;                 /* last seq sent; the Hello was 1 */
    fw_human_link_t link;         /* the connection, as the terminal layer sees it */
    int64_t link_since, link_retry; /* LOST since; next attempt (Unix ms) */
    char url[160];                /* where the game is, for the resume command */
    char name[64];                /* the player's name, for the resume command */
    char key_options[400];        /* " --server-key F ...", for the resume command */
    fw_arena_t *arena;            /* the outgoing Actions */
    fw_envelope_t out;
    Flywheel__V1__Actions actions;
    Flywheel__V1__Bye bye;
};

/* ---- reading the state ----------------------------------------------------------- */

static inline const char *fh_role_text(Flywheel__V1__Role role)
{
    switch (role) {
    case FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER: return "a cloud";
    case FLYWHEEL__V1__ROLE__ROLE_LAB: return "an AI lab";
    case FLYWHEEL__V1__ROLE__ROLE_VENDOR: return "a chip maker";
    default: return "a company";
    }
}

static inline int fh_paused(const fw_human_t *h)
{
    return h->game.known && h->game.phase == FLYWHEEL__V1__PHASE__PHASE_PAUSED;
}

static inline int fh_in_lobby(const fw_human_t *h)
{
    return !h->tick_start && h->game.known && h->game.phase == FLYWHEEL__V1__PHASE__PHASE_LOBBY;
}

static inline const Flywheel__V1__TickStart *fh_ts(const fw_human_t *h)
{
    return h->tick_start ? h->tick_start->tick_start : NULL;
}

/* ---- the model's helpers, for the model and its forms alike ------------------------ */

/* Bounded string copy; dst and src may be fields of one struct. */
static inline void fh_copy(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    memmove(dst, src ? src : "", n);
    dst[n] = '\0';
}

/* Sets the line the player reads now; alert shows it as an alert. */
static inline void fh_say(fw_human_t *h, int alert, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void fh_say(fw_human_t *h, int alert, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->message, sizeof h->message, fmt, ap);
    va_end(ap);
    h->message_alert = alert;
}

/* The screen changed under the player at now_ms (why: how, for the message): an Enter
 * typed in the next guard interval was typed for what was there before, so it does not
 * send. */
static inline void fh_changed(fw_human_t *h, int64_t now_ms, const char *why)
{
    h->changed_at = now_ms;
    h->changed_why = why;
}

/* Tells the player the house bot plays the tick on screen, why, and how to come back. */
static inline void fh_say_watching(fw_human_t *h)
{
    if (h->back)
        fh_say(h, 0, "The house bot plays tick %u for you. You are back: your moves count "
               "again from tick %u.", h->tick, h->tick + 1);
    else
        fh_say(h, 1, "The house bot plays tick %u for you (you were away). Press Enter to "
               "play again: your moves count from tick %u.", h->tick, h->tick + 1);
}

/* ---- forms (fw_human_forms.c) ---------------------------------------------------- */

/* Opens the form that asks which kind of move to add (the kinds the role may make). */
void fh_open_add(fw_human_t *h);

/* Opens a one-field form of `kind` asking for a number from 1 to max. */
void fh_open_simple(fw_human_t *h, form_kind_t kind, const char *label, const char *help,
                    int64_t max);

/* A key typed while a form is open. Returns what the terminal layer does next. */
fw_human_do_t fh_form_key(fw_human_t *h, int key, int64_t now_ms);

/* A new tick's draft is ready: the late move joins it, the open form carries on or is
 * closed; says what the player must know first. */
void fh_forms_at_new_tick(fw_human_t *h);

/* A deadline on this machine's clock: `in_ms` (milliseconds left when the message was
 * sent) counted from `now_ms`, when it arrived; a coordinator that sends only the
 * wall-clock deadline (`unix_ms`) gives that. 0: no deadline. */
static inline int64_t fh_local_deadline(int64_t in_ms, int64_t unix_ms, int64_t now_ms)
{
    return in_ms > 0 ? now_ms + in_ms : unix_ms > 0 ? unix_ms : 0;
}

/* The deadline is here and the draft goes: finishes, keeps or closes the open form. */
void fh_forms_at_deadline(fw_human_t *h, int64_t now_ms);

/* ---- reading a form -------------------------------------------------------------- */

/* What Enter on an empty field takes: the field's default, or its first choice. */
static inline const char *fh_default(const field_t *fl)
{
    if (fl->def[0] || fl->kind != FIELD_CHOICE || !fl->n_choices)
        return fl->def;
    return fl->choices[0];
}

#endif
