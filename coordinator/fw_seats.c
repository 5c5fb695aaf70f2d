/* fw_seats: see fw_seats.h. */
#include "fw_seats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "fw_clock.h"
#include "fw_log.h"
#include "fw_rng.h"
#include "fw_text.h"

/* One seat: who holds it, and the connection of its player. */
typedef struct {
    fw_holder_t holder;
    int connected;          /* identity is a live player connection: the holder, or a
                             * player benched under the house bot, or one returning */
    uint8_t identity[FW_SEATS_MAX_IDENTITY + 1]; /* its routing identity */
    size_t identity_len;
    int fd;                 /* its connection's file descriptor, -1 if unknown */
    uint64_t last_seq;      /* highest seq accepted from it */
    uint64_t sent_seq;      /* our seq towards it */
    int silent;             /* lockstep: missed a tick, not waited for until it speaks */
    uint32_t refusals;      /* refusals sent to it */
    char player[64];        /* the player's name, for the lobby and the log */
    char token[FW_SEATS_TOKEN_LEN + 1]; /* resume token of the seat's player, "" if none */
    char user[64];          /* ZAP user id of the key that holds it, "" without CURVE */
    int reserved;           /* only the key named after the seat may take it */
    int restored;           /* held before a restart: kept for its token until claimed */
    int returning;          /* a player reclaimed the seat: it plays from the next tick */
    uint32_t missed;        /* ticks in a row the player has not answered */
    uint32_t late;          /* late Actions from this seat, whole run */
    uint32_t received;      /* messages from its player in this tick */
    uint32_t dropped;       /* messages over the cap, whole run */
} s_seat_t;

struct fw_seats {
    const fw_scenario_t *sc;   /* borrowed */
    fw_seats_config_t cfg;
    s_seat_t *seat;            /* sc->n_seats */
    uint64_t token_counter;    /* mixes into tokens if getrandom fails */
};

fw_seats_t *fw_seats_new(const fw_scenario_t *sc, const fw_seats_config_t *cfg)
{
    fw_seats_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->sc = sc;
    s->cfg = *cfg;
    s->seat = calloc(sc->n_seats ? sc->n_seats : 1, sizeof *s->seat);
    if (!s->seat) {
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < sc->n_seats; i++)
        s->seat[i].holder = FW_HOLDER_EMPTY;
    return s;
}

void fw_seats_destroy(fw_seats_t **p)
{
    if (!p || !*p)
        return;
    free((*p)->seat);
    free(*p);
    *p = NULL;
}

static const char *s_id(const fw_seats_t *s, uint32_t seat)
{
    return s->sc->seats[seat].id;
}

/* ---- claims -------------------------------------------------------------------- */

/* A fresh secret for a seat's player: 128 bits from the kernel's generator. */
static void s_new_token(fw_seats_t *s, char *out)
{
    uint8_t raw[FW_SEATS_TOKEN_LEN / 2];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        fw_rng_t r;
        fw_rng_seed(&r, (uint64_t)fw_clock_unix_ms() ^ ((uint64_t)getpid() << 40) ^
                            (++s->token_counter * 0x9e3779b97f4a7c15ULL));
        for (size_t i = 0; i < sizeof raw; i++)
            raw[i] = (uint8_t)fw_rng_next(&r);
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

/* Whether a late joiner may take `seat` (by name or by role). */
static int s_open_to_joiner(const fw_seats_t *s, uint32_t seat)
{
    const s_seat_t *st = &s->seat[seat];
    if (st->restored && st->holder != FW_HOLDER_PLAYER)
        return 0; /* its player is coming back with its token */
    return st->holder == FW_HOLDER_EMPTY || (st->holder == FW_HOLDER_HOUSE && !st->returning);
}

/* Whether the key `user` may take `seat` at all: a reserved seat is its own key's. */
static int s_key_may_take(const fw_seats_t *s, uint32_t seat, const char *user)
{
    return !s->seat[seat].reserved || strcmp(s->sc->seats[seat].id, user) == 0;
}

/* Gives `seat` to the connection `id`. `resume` keeps the seat's token (the player
 * proved it holds it); otherwise a new one is made, so the previous player's token no
 * longer works. */
static void s_grant(fw_seats_t *s, uint32_t seat, const uint8_t *id, size_t id_len,
                    const fw_hello_t *h, int resume, int running, fw_claim_t *out)
{
    s_seat_t *st = &s->seat[seat];
    fw_holder_t was = st->holder;
    const char *how;

    memcpy(st->identity, id, id_len);
    st->identity_len = id_len;
    st->fd = h->fd;
    st->connected = 1;
    st->last_seq = h->seq;
    st->sent_seq = 0;
    st->silent = 0;
    st->refusals = 0;
    snprintf(st->user, sizeof st->user, "%s", h->user ? h->user : "");
    st->restored = 0;
    /* A player taking its seat back keeps the name it joined with (its client may not
     * know it any more: `play --resume` without --name). */
    if (!resume || !st->player[0])
        fw_text_clean(st->player, sizeof st->player,
                      h->agent && h->agent[0] ? h->agent : "an agent", sizeof st->player - 1);
    if (!resume || !st->token[0])
        s_new_token(s, st->token);
    if (!running || was == FW_HOLDER_EMPTY) {
        st->holder = FW_HOLDER_PLAYER;
        how = resume ? "reclaimed in the lobby" : "claimed";
    } else if (was == FW_HOLDER_HOUSE) {
        /* The bot has played (or will play) this tick; the player gets the next. */
        st->returning = 1;
        how = resume ? "reclaimed from the house bot; handed back at the next tick"
                     : "taken from the house bot by a late joiner; handed over at the "
                       "next tick";
    } else {
        /* Still ours on paper (the old connection was not noticed gone): the new
         * connection plays at once, from the tick being collected. */
        st->missed = 0;
        how = "reconnected";
    }
    fw_log_info("seats", "seat %s %s by %.64s", s_id(s, seat), how, st->player);
    out->result = FW_CLAIM_GRANTED;
    out->seat = (int)seat;
    snprintf(out->how, sizeof out->how, "%s", how);
}

static fw_claim_result_t s_refuse(fw_claim_t *out, fw_claim_result_t result, int seat)
{
    out->result = result;
    out->seat = seat;
    return result;
}

fw_claim_result_t fw_seats_claim(fw_seats_t *s, const uint8_t *id, size_t id_len,
                                 const fw_hello_t *h, int running, fw_claim_t *out)
{
    const fw_scenario_t *sc = s->sc;
    int seat = fw_seats_find(s, id, id_len);
    memset(out, 0, sizeof *out);
    out->seat = -1;

    if (seat >= 0) {
        snprintf(out->reason, sizeof out->reason, "this connection already holds seat '%s'",
                 sc->seats[seat].id);
        return s_refuse(out, FW_CLAIM_ALREADY_SEATED, seat);
    }
    const char *user = h->user ? h->user : "";
    if (user[0]) {
        /* With CURVE the key is the identity: a seat's own key takes only that seat,
         * and a key that holds a seat already (its connection dropped, or a second
         * connection of the same program) gets that seat back, the newest session
         * winning; a resume token never moves a seat to another key. */
        int own = fw_scenario_seat(sc, user), held = -1;
        for (uint32_t i = 0; i < sc->n_seats && held < 0; i++)
            if ((s->seat[i].holder != FW_HOLDER_EMPTY || s->seat[i].restored) &&
                strcmp(s->seat[i].user, user) == 0)
                held = (int)i;
        int want = h->seat && h->seat[0] ? fw_scenario_seat(sc, h->seat) : -1;
        int mine = own >= 0 ? own : held;
        if (mine >= 0 && want >= 0 && want != mine) {
            snprintf(out->reason, sizeof out->reason, "your key is %s seat '%s': it cannot "
                     "take seat '%s'", own >= 0 ? "the key of" : "playing", sc->seats[mine].id,
                     sc->seats[want].id);
            return s_refuse(out, FW_CLAIM_SEAT_TAKEN, -1);
        }
        if (held >= 0 && (own < 0 || held == own)) {
            if (s->seat[held].connected && s->seat[held].holder == FW_HOLDER_PLAYER)
                fw_log_warn("seats", "seat %s: key '%.64s' connected again; the newest "
                            "session keeps the seat", s_id(s, (uint32_t)held), user);
            s_grant(s, (uint32_t)held, id, id_len, h, 1, running, out);
            return out->result;
        }
        if (own >= 0) {
            if (!s_open_to_joiner(s, (uint32_t)own)) {
                snprintf(out->reason, sizeof out->reason, "seat '%s' is held by another key",
                         sc->seats[own].id);
                return s_refuse(out, FW_CLAIM_SEAT_TAKEN, -1);
            }
            s_grant(s, (uint32_t)own, id, id_len, h, 0, running, out);
            return out->result;
        }
    }
    if (id_len > FW_SEATS_MAX_IDENTITY) {
        snprintf(out->reason, sizeof out->reason, "routing identity over %u bytes",
                 FW_SEATS_MAX_IDENTITY);
        return s_refuse(out, FW_CLAIM_UNKNOWN_SEAT, -1);
    }
    if (h->seat && h->seat[0]) {
        seat = fw_scenario_seat(sc, h->seat);
        if (seat < 0) {
            char asked[72];
            fw_text_clean(asked, sizeof asked, h->seat, 64);
            int used = snprintf(out->reason, sizeof out->reason,
                                "no seat '%s' in scenario '%s'; its seats are:", asked,
                                sc->name);
            for (uint32_t i = 0; i < sc->n_seats && used > 0 && (size_t)used < sizeof out->reason;
                 i++)
                used += snprintf(out->reason + used, sizeof out->reason - (size_t)used, "%s %s",
                                 i ? "," : "", sc->seats[i].id);
            return s_refuse(out, FW_CLAIM_UNKNOWN_SEAT, -1);
        }
    }
    if (h->token && h->token[0]) {
        /* A reconnect: the token must be the seat's (or, with no seat named, some
         * seat's). A wrong token is refused even for a seat a house bot holds, so a
         * mistyped token never silently makes the player someone else. */
        for (uint32_t i = 0; i < sc->n_seats && seat < 0; i++)
            if (strcmp(s->seat[i].token, h->token) == 0)
                seat = (int)i;
        if (seat >= 0 && s->seat[seat].user[0] && strcmp(s->seat[seat].user, user) != 0) {
            snprintf(out->reason, sizeof out->reason, "seat '%s' belongs to another key: "
                     "its resume token does not move it", sc->seats[seat].id);
            return s_refuse(out, FW_CLAIM_SEAT_TAKEN, -1);
        }
        if (seat < 0 || strcmp(s->seat[seat].token, h->token) != 0) {
            if (seat >= 0)
                snprintf(out->reason, sizeof out->reason, "wrong resume token for seat '%s'",
                         sc->seats[seat].id);
            else
                snprintf(out->reason, sizeof out->reason, "no seat has this resume token");
            return s_refuse(out, FW_CLAIM_SEAT_TAKEN, -1);
        }
        s_grant(s, (uint32_t)seat, id, id_len, h, 1, running, out);
        return out->result;
    }
    if (seat >= 0) {
        if (!s_key_may_take(s, (uint32_t)seat, user)) {
            snprintf(out->reason, sizeof out->reason, "seat '%s' is kept for its own key",
                     sc->seats[seat].id);
            return s_refuse(out, FW_CLAIM_SEAT_TAKEN, -1);
        }
        if (!s_open_to_joiner(s, (uint32_t)seat)) {
            const s_seat_t *st = &s->seat[seat];
            snprintf(out->reason, sizeof out->reason, "seat '%s' is taken by %.64s%s",
                     sc->seats[seat].id, st->player[0] ? st->player : "another player",
                     s->cfg.house_bots ? " (its player reconnects with its resume token)"
                                       : "");
            return s_refuse(out, FW_CLAIM_SEAT_TAKEN, -1);
        }
    } else {
        /* By role: an empty seat first, then one a house bot holds. */
        for (uint32_t i = 0; i < sc->n_seats && seat < 0; i++)
            if (s->seat[i].holder == FW_HOLDER_EMPTY && sc->seats[i].role == h->role &&
                s_key_may_take(s, i, user))
                seat = (int)i;
        for (uint32_t i = 0; i < sc->n_seats && seat < 0; i++)
            if (s_open_to_joiner(s, i) && sc->seats[i].role == h->role &&
                s_key_may_take(s, i, user))
                seat = (int)i;
        if (seat < 0) {
            snprintf(out->reason, sizeof out->reason, "no free seat of role '%s'",
                     fw_role_name(h->role));
            return s_refuse(out, FW_CLAIM_UNKNOWN_SEAT, -1);
        }
    }
    s_grant(s, (uint32_t)seat, id, id_len, h, 0, running, out);
    return out->result;
}

void fw_seats_restore(fw_seats_t *s, uint32_t seat, const char *token, const char *player,
                      const char *user)
{
    s_seat_t *st = &s->seat[seat];
    snprintf(st->token, sizeof st->token, "%s", token ? token : "");
    snprintf(st->player, sizeof st->player, "%s", player ? player : "");
    snprintf(st->user, sizeof st->user, "%s", user ? user : "");
    st->restored = st->token[0] != '\0';
}

void fw_seats_reserve(fw_seats_t *s, uint32_t seat)
{
    s->seat[seat].reserved = 1;
}

const char *fw_seats_user(const fw_seats_t *s, uint32_t seat)
{
    return s->seat[seat].user;
}

/* ---- leaving, takeover, coming back ---------------------------------------------- */

int fw_seats_take_over(fw_seats_t *s, uint32_t seat, uint32_t tick, const char *why)
{
    s_seat_t *st = &s->seat[seat];
    if (st->holder == FW_HOLDER_HOUSE)
        return 0;
    st->holder = FW_HOLDER_HOUSE;
    st->returning = 0;
    st->missed = 0;
    fw_log_info("seats", "seat %s: the house bot takes over at tick %u: %s", s_id(s, seat), tick,
                why);
    return 1;
}

fw_gone_t fw_seats_gone(fw_seats_t *s, uint32_t seat, int running, uint32_t tick,
                        const char *why)
{
    s_seat_t *st = &s->seat[seat];
    int was_returning = st->returning;
    st->connected = 0;
    st->returning = 0;
    if (st->holder != FW_HOLDER_PLAYER)
        return was_returning ? FW_GONE_STATUS : FW_GONE_NOTHING;
    if (s->cfg.house_bots && !running) {
        st->holder = FW_HOLDER_EMPTY;
        st->token[0] = '\0';
        st->player[0] = '\0';
        fw_log_info("lobby", "seat %s is free again: %s", s_id(s, seat), why);
        return FW_GONE_FREED;
    }
    if (s->cfg.house_bots)
        return fw_seats_take_over(s, seat, tick, why) ? FW_GONE_TAKEN_OVER : FW_GONE_NOTHING;
    st->silent = 1;
    fw_log_warn("seats", "seat %s: %s; it does nothing until it reconnects with its resume "
                "token", s_id(s, seat), why);
    return FW_GONE_SILENT;
}

void fw_seats_start(fw_seats_t *s)
{
    if (!s->cfg.house_bots)
        return;
    for (uint32_t i = 0; i < s->sc->n_seats; i++) {
        if (s->seat[i].holder != FW_HOLDER_EMPTY)
            continue;
        s->seat[i].holder = FW_HOLDER_HOUSE;
        fw_log_debug("seats", "seat %s: no player; the house bot plays it", s_id(s, i));
    }
}

void fw_seats_open_tick(fw_seats_t *s, uint32_t tick)
{
    for (uint32_t i = 0; i < s->sc->n_seats; i++) {
        s_seat_t *st = &s->seat[i];
        uint32_t cap = s->cfg.max_messages ? s->cfg.max_messages : FW_SEATS_MAX_MESSAGES;
        if (st->received > cap)
            fw_log_warn("seats", "seat %s: %u messages in tick %u, %u dropped over the cap "
                        "of %u (%u in the run)", s_id(s, i), st->received, tick ? tick - 1 : 0,
                        st->received - cap, cap, st->dropped);
        st->received = 0;
        if (!st->returning || !st->connected)
            continue;
        st->holder = FW_HOLDER_PLAYER;
        st->returning = 0;
        st->missed = 0;
        st->silent = 0;
        fw_log_info("seats", "seat %s: handed back to %.64s at tick %u", s_id(s, i), st->player,
                    tick);
    }
}

fw_act_t fw_seats_actions_from(fw_seats_t *s, uint32_t seat, uint32_t tick)
{
    s_seat_t *st = &s->seat[seat];
    if (st->holder != FW_HOLDER_HOUSE)
        return FW_ACT_PLAY;
    /* A benched or returning player: the bot plays this tick, the player the next. */
    if (!st->returning)
        fw_log_info("seats", "seat %s: its player is back; handed back at tick %u",
                    s_id(s, seat), tick + 1);
    st->returning = 1;
    return FW_ACT_HOUSE_PLAYS;
}

void fw_seats_acted(fw_seats_t *s, uint32_t seat, int accepted)
{
    s->seat[seat].silent = 0; /* it speaks: wait for it again from the next tick */
    if (accepted)
        s->seat[seat].missed = 0;
}

fw_msg_t fw_seats_count_message(fw_seats_t *s, uint32_t seat)
{
    s_seat_t *st = &s->seat[seat];
    uint32_t cap = s->cfg.max_messages ? s->cfg.max_messages : FW_SEATS_MAX_MESSAGES;
    if (st->received < UINT32_MAX)
        st->received++;
    if (st->received <= cap)
        return FW_MSG_HANDLE;
    st->dropped++;
    return st->received == cap + 1 ? FW_MSG_REFUSE_FLOOD : FW_MSG_DROP;
}

uint32_t fw_seats_count_late(fw_seats_t *s, uint32_t seat)
{
    return ++s->seat[seat].late;
}

/* ---- a turn ---------------------------------------------------------------------- */

void fw_seats_waiting(const fw_seats_t *s, const fw_inbox_t *inbox, size_t *waiting,
                      size_t *present)
{
    *waiting = 0;
    *present = 0;
    for (uint32_t i = 0; i < s->sc->n_seats; i++) {
        const s_seat_t *st = &s->seat[i];
        if (!st->connected)
            continue;
        /* A player coming back from the next tick has nothing to send in this one,
         * but is there: the tick need not run out its turn for it. */
        *present += st->holder == FW_HOLDER_PLAYER || st->returning;
        if (st->holder != FW_HOLDER_PLAYER)
            continue;
        /* With a turn timer everyone gets the whole turn: a player who missed one
         * tick is not skipped in the next. */
        if ((s->cfg.deadline_pacing || !st->silent) && !fw_inbox_has(inbox, i))
            (*waiting)++;
    }
}

size_t fw_seats_end_turn(fw_seats_t *s, const fw_inbox_t *inbox, uint32_t tick, int wait_ms,
                         uint32_t *taken)
{
    size_t n = 0;
    for (uint32_t i = 0; i < s->sc->n_seats; i++) {
        s_seat_t *st = &s->seat[i];
        if (st->holder != FW_HOLDER_PLAYER || fw_inbox_has(inbox, i))
            continue;
        st->missed++;
        if (!st->silent && st->connected) {
            st->silent = !s->cfg.deadline_pacing;
            fw_log_warn("tick", "seat %s did not act within %d ms at tick %u: default action%s",
                        s_id(s, i), wait_ms, tick,
                        s->cfg.deadline_pacing ? "" : ", not waited for until it speaks");
        }
        if (s->cfg.house_bots && s->cfg.takeover_after && st->missed >= s->cfg.takeover_after) {
            char why[96];
            snprintf(why, sizeof why, "its player missed %u tick%s in a row", st->missed,
                     st->missed == 1 ? "" : "s");
            if (fw_seats_take_over(s, i, tick, why))
                taken[n++] = i;
        }
    }
    return n;
}

/* ---- the connection of a seat ------------------------------------------------------ */

int fw_seats_find(const fw_seats_t *s, const uint8_t *id, size_t len)
{
    for (uint32_t i = 0; i < s->sc->n_seats; i++)
        if (s->seat[i].connected && s->seat[i].identity_len == len &&
            memcmp(s->seat[i].identity, id, len) == 0)
            return (int)i;
    return -1;
}

int fw_seats_find_fd(const fw_seats_t *s, int fd)
{
    for (uint32_t i = 0; fd >= 0 && i < s->sc->n_seats; i++)
        if (s->seat[i].connected && s->seat[i].fd == fd)
            return (int)i;
    return -1;
}

int fw_seats_connected(const fw_seats_t *s, uint32_t seat)
{
    return s->seat[seat].connected;
}

const uint8_t *fw_seats_identity(const fw_seats_t *s, uint32_t seat, size_t *len)
{
    *len = s->seat[seat].identity_len;
    return s->seat[seat].identity;
}

uint64_t fw_seats_next_seq(fw_seats_t *s, uint32_t seat)
{
    return ++s->seat[seat].sent_seq;
}

int fw_seats_check_seq(fw_seats_t *s, uint32_t seat, uint64_t seq, uint64_t *last)
{
    *last = s->seat[seat].last_seq;
    if (seq <= s->seat[seat].last_seq)
        return -1;
    s->seat[seat].last_seq = seq;
    return 0;
}

uint32_t fw_seats_count_refusal(fw_seats_t *s, uint32_t seat)
{
    return ++s->seat[seat].refusals;
}

/* ---- what the table says ------------------------------------------------------------- */

void fw_seats_status(const fw_seats_t *s, uint32_t seat, fw_seat_status_t *out)
{
    const s_seat_t *st = &s->seat[seat];
    out->holder = st->holder;
    out->player = st->player;
    out->token = st->token;
    out->late = st->late;
    out->missed = st->missed;
    out->dropped = st->dropped;
    out->returning = st->returning;
    out->connected = st->connected;
}

size_t fw_seats_count(const fw_seats_t *s, fw_holder_t holder)
{
    size_t n = 0;
    for (uint32_t i = 0; i < s->sc->n_seats; i++)
        n += s->seat[i].holder == holder;
    return n;
}

/* ---- seats.tokens -------------------------------------------------------------- */

int fw_seats_save(const fw_seats_t *s, const char *path)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* 0600: a token takes a seat back. */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        errno = saved;
        return -1;
    }
    for (uint32_t i = 0; i < s->sc->n_seats; i++) {
        fw_seat_status_t st;
        fw_seats_status(s, i, &st);
        if (st.token[0])
            fprintf(f, "%s\t%s\t%s\t%s\n", s->sc->seats[i].id, st.token,
                    fw_seats_user(s, i), st.player);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return -1;
    return 0;
}

int fw_seats_load(fw_seats_t *s, const char *path)
{
    char line[512];
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    int restored = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *fields[4] = {line, "", "", ""};
        for (int i = 1; i < 4; i++) {
            char *tab = strchr(fields[i - 1], '\t');
            if (!tab)
                break;
            *tab = '\0';
            fields[i] = tab + 1;
        }
        int seat = fw_scenario_seat(s->sc, fields[0]);
        if (seat >= 0 && fields[1][0]) {
            fw_seats_restore(s, (uint32_t)seat, fields[1], fields[3], fields[2]);
            restored++;
        }
    }
    fclose(f);
    return restored;
}
