/* fw_human_screen: the player's screen drawn from the model (see fw_human_int.h):
 * lines of text for a terminal of any size, the bottom rows (the question being asked
 * or the keys, then the message) always shown, the body giving way to them. */
#include "fw_human_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fw_human_text.h"
#include "fw_text.h"

/* ---- the screen ------------------------------------------------------------------- */

typedef struct {
    fw_human_line_t *lines;
    size_t n, max, cols;
} screen_t;

static void s_line(screen_t *sc, fw_human_style_t style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void s_line(screen_t *sc, fw_human_style_t style, const char *fmt, ...)
{
    if (sc->n >= sc->max)
        return;
    fw_human_line_t *l = &sc->lines[sc->n++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->text, sizeof l->text, fmt, ap);
    va_end(ap);
    if (sc->cols < sizeof l->text)
        l->text[sc->cols] = '\0';
    l->style = style;
}

/* Writes text over as many lines as it needs at this width, breaking at spaces;
 * the lines after the first are indented by `indent` spaces. */
static void s_wrap(screen_t *sc, fw_human_style_t style, size_t indent, const char *text)
{
    size_t width = sc->cols > indent + 20 ? sc->cols : indent + 20;
    const char *p = text;
    int first = 1;
    while (*p && sc->n < sc->max) {
        size_t room = first ? width : width - indent;
        size_t n = strlen(p);
        if (n > room) {
            n = room;
            while (n > room / 2 && p[n] != ' ')
                n--;
            if (p[n] != ' ')
                n = room;
        }
        s_line(sc, style, "%*s%.*s", first ? 0 : (int)indent, "", (int)n, p);
        p += n;
        while (*p == ' ')
            p++;
        first = 0;
    }
}

/* s_wrap of a formatted text. */
static void s_wrapf(screen_t *sc, fw_human_style_t style, size_t indent, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void s_wrapf(screen_t *sc, fw_human_style_t style, size_t indent, const char *fmt, ...)
{
    char text[2 * FW_HUMAN_COLS];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    s_wrap(sc, style, indent, text);
}

/* Appends "text" to buf (cap) separated by sep. */
static void s_cat(char *buf, size_t cap, const char *sep, const char *text)
{
    size_t used = strlen(buf);
    if (used + 1 >= cap)
        return;
    snprintf(buf + used, cap - used, "%s%s", used ? sep : "", text);
}

static void s_move_text(const move_t *m, char *buf, size_t len)
{
    char q[24], p[24];
    fw_human_text_number(q, sizeof q, m->quantity, 0);
    fw_human_text_number(p, sizeof p, m->price, 1);
    switch (m->kind) {
    case MOVE_COMPUTE_BID:
        snprintf(buf, len, "rent %s H100-months of %s from %s, paying at most %s each", q,
                 m->family, m->who, p);
        break;
    case MOVE_CHIP_ORDER:
        snprintf(buf, len, "order %s %s chips, paying at most %s each", q, m->family, p);
        break;
    case MOVE_COMPUTE_OFFER:
        snprintf(buf, len, "rent out up to %s H100-months of %s at %s each", q, m->family, p);
        break;
    case MOVE_CHIP_OFFER:
        snprintf(buf, len, "sell up to %s %s chips at %s each", q, m->family, p);
        break;
    case MOVE_PROPOSAL: {
        char amt[24];
        fw_human_text_number(amt, sizeof amt, m->quantity, 1);
        snprintf(buf, len, "offer %s %s at a %s valuation, %.0f%% as credits", m->who, amt, p,
                 m->fraction * 100.0);
        break;
    }
    }
}

/* A lab's suggestion rents far more than its customers use (strategy_lab: demand plus
 * as much again to train, bid for half as much again since labs share each offer):
 * one line says why, the help page says more. */
static void s_render_why(const fw_human_t *h, screen_t *sc)
{
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    char a[24], b[24], text[2 * FW_HUMAN_COLS];
    int64_t total = 0;
    if (!h->from_house || h->role != FLYWHEEL__V1__ROLE__ROLE_LAB || !ts || !ts->me ||
        ts->me->demand <= 0)
        return;
    for (size_t i = 0; i < h->n_moves; i++)
        total += h->moves[i].kind == MOVE_COMPUTE_BID ? h->moves[i].quantity : 0;
    if (total <= ts->me->demand)
        return;
    fw_human_text_number(a, sizeof a, ts->me->demand, 0);
    fw_human_text_number(b, sizeof b, total - ts->me->demand, 0);
    snprintf(text, sizeof text, "  Why so much? %s serve your customers; %s train a better "
             "model (see ?).", a, b);
    s_wrap(sc, FW_HUMAN_PLAIN, 4, text);
}

/* The command that takes the seat back: with the address and name when the terminal
 * layer gave them (fw_human_set_address), else with URL for the address. */
static void s_resume_command(const fw_human_t *h, char *buf, size_t len)
{
    const char *quote = strchr(h->name, ' ') ? "'" : "";
    snprintf(buf, len, "flywheel play %s %s --resume %s%s%s%s%s%s", h->url[0] ? h->url : "URL",
             h->seat, h->token[0] ? h->token : "TOKEN", h->name[0] ? " --name " : "", quote,
             h->name, quote, h->key_options);
}

/* The help page: fits 80 x 24. */
static void s_render_help(const fw_human_t *h, screen_t *sc)
{
    char cmd[1024];
    s_line(sc, FW_HUMAN_TITLE, " FLYWHEEL - HELP  (any key goes back) ");
    s_wrapf(sc, FW_HUMAN_PLAIN, 0, "You run %s, %s, in a market for AI computing power: chip "
            "makers sell chips to clouds, clouds rent the chips' compute to AI labs, labs "
            "sell AI to customers. Each tick (a month) everyone chooses moves, then the "
            "market clears for all at once.", h->company, fh_role_text(h->role));
    switch (h->role) {
    case FLYWHEEL__V1__ROLE__ROLE_LAB:
        s_wrap(sc, FW_HUMAN_PLAIN, 0, "As a lab you BID for compute: which cloud, which "
               "chips, how much, the most you pay. Compute serves your customers: no compute, "
               "no revenue. Investors may offer you money: y/n answers them.");
        s_wrap(sc, FW_HUMAN_PLAIN, 0, "Why does the house bot rent more than your customers "
               "use? The rest trains your next model: capability wins customers later, so "
               "costs run ahead of revenue at first. It bids for extra because labs share "
               "each offer.");
        break;
    case FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER:
        s_wrap(sc, FW_HUMAN_PLAIN, 0, "As a cloud you ORDER chips (they arrive later) and "
               "RENT OUT compute to labs at a price you set. You may INVEST in a lab, partly "
               "in credits that can only be spent on your cloud.");
        break;
    case FLYWHEEL__V1__ROLE__ROLE_VENDOR:
        s_wrap(sc, FW_HUMAN_PLAIN, 0, "As a chip maker you SELL chips to clouds: a price and "
               "how many, up to what your factory makes each tick. You may INVEST cash in a "
               "lab.");
        break;
    default:
        break;
    }
    s_line(sc, FW_HUMAN_HEADING, "KEYS");
    s_line(sc, FW_HUMAN_PLAIN, "  a  add a move          e  change a move       d  delete a move");
    s_line(sc, FW_HUMAN_PLAIN, "  c  clear all moves     h  the house bot's suggestion again");
    s_line(sc, FW_HUMAN_PLAIN, "  y  accept a proposal   n  reject a proposal   ?  this help");
    s_line(sc, FW_HUMAN_PLAIN, "  Enter  send your moves now (no changes after)  "
           "q  leave the game");
    s_wrap(sc, FW_HUMAN_PLAIN, 0, "In a form: type, Enter accepts (an empty field takes the "
           "[default]), Backspace corrects, Esc cancels. Amounts: 40000, 40k, 2.5M or 3B.");
    s_wrap(sc, FW_HUMAN_PLAIN, 0, "If you do nothing, your moves are sent shortly before the "
           "countdown ends. If you are disconnected, the house bot plays for you; come back "
           "with:");
    s_resume_command(h, cmd, sizeof cmd);
    s_wrapf(sc, FW_HUMAN_PROMPT, 4, "  %s", cmd);
}

/* The title bar: the longest of these that fits the width. */
static void s_render_title(const fw_human_t *h, screen_t *sc, int64_t now_ms)
{
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    char what[96], left[48] = "", line[FW_HUMAN_COLS + 1];
    if (h->over)
        snprintf(what, sizeof what, "the game is over");
    else if (fh_paused(h))
        snprintf(what, sizeof what, "Paused by the teacher after tick %u", h->game.tick);
    else if (ts)
        snprintf(what, sizeof what, "tick %u of %u, %s", h->tick, h->ticks, ts->month);
    else if (fh_in_lobby(h))
        snprintf(what, sizeof what, "lobby: the game has not started");
    else if (h->game.known)
        snprintf(what, sizeof what, "the game is on: waiting for the next tick");
    else
        snprintf(what, sizeof what, "waiting for the game");
    if (h->link == FW_HUMAN_LINK_LOST && !h->over) {
        /* A countdown of a game we cannot hear would be a guess. */
        snprintf(left, sizeof left, "no contact");
    } else if (ts && h->turn_deadline > 0 && !h->over && !h->closed && !fh_paused(h)) {
        int64_t ms = h->turn_deadline - now_ms;
        snprintf(left, sizeof left, "%" PRId64 " s left%s", ms > 0 ? (ms + 999) / 1000 : 0,
                 h->sent ? " (sent)" : "");
    }
    const char *sep = left[0] ? "  |  " : "";
    snprintf(line, sizeof line, " FLYWHEEL  |  %s (%s)  |  %s%s%s ", h->company,
             fh_role_text(h->role), what, sep, left);
    if (strlen(line) > sc->cols)
        snprintf(line, sizeof line, " %s | %s%s%s ", h->company, what, left[0] ? " | " : "",
                 left);
    if (strlen(line) > sc->cols)
        snprintf(line, sizeof line, " %s%s%s ", what, left[0] ? " | " : "", left);
    s_line(sc, FW_HUMAN_TITLE, "%s", line);
}

static const char *s_role_word(Flywheel__V1__Role role)
{
    switch (role) {
    case FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER: return "cloud";
    case FLYWHEEL__V1__ROLE__ROLE_LAB: return "AI lab";
    case FLYWHEEL__V1__ROLE__ROLE_VENDOR: return "chip maker";
    default: return "company";
    }
}

/* Before the first tick: the lobby (who holds which seat, when the game starts), or,
 * for a player who came back between ticks, that the game is on. */
static void s_render_waiting(const fw_human_t *h, screen_t *sc, int64_t now_ms)
{
    const game_t *g = &h->game;
    char text[2 * FW_HUMAN_COLS], when[96];
    if (!g->known) {
        s_wrap(sc, FW_HUMAN_PLAIN, 2, "  Waiting for the game server: the lobby, or your next "
               "tick, shows here as soon as it says.");
        return;
    }
    if (!fh_in_lobby(h)) {
        snprintf(text, sizeof text, "  The game is on: tick %u of %u was the last played. "
                 "Your company shows here when the next tick starts.", g->tick, h->ticks);
        s_wrap(sc, FW_HUMAN_PLAIN, 2, text);
        return;
    }
    size_t joined = 0;
    for (size_t i = 0; i < h->n_seats; i++)
        joined += h->seats[i].holder == FLYWHEEL__V1__HOLDER__HOLDER_PLAYER;
    if (g->deadline > 0) {
        int64_t ms = g->deadline - now_ms;
        snprintf(when, sizeof when, "in %" PRId64 " s (then house bots play the free seats)",
                 ms > 0 ? (ms + 999) / 1000 : 0);
    } else {
        snprintf(when, sizeof when, "when the teacher starts it");
    }
    s_line(sc, FW_HUMAN_HEADING, "LOBBY");
    snprintf(text, sizeof text, "  %zu of %u players have joined. The game starts when %u "
             "have, or %s.", joined, g->wanted, g->wanted, when);
    s_wrap(sc, FW_HUMAN_PLAIN, 2, text);
    int secs = 0;
    if (sscanf(g->pacing, "deadline:%d", &secs) == 1 && secs > 0)
        snprintf(text, sizeof text, "  Each tick lasts %d s: make your moves before the "
                 "countdown ends.", secs);
    else
        snprintf(text, sizeof text, "  Each tick waits for every player's moves.");
    s_wrap(sc, FW_HUMAN_PLAIN, 2, text);
    s_line(sc, FW_HUMAN_HEADING, "SEATS");
    for (size_t i = 0; i < h->n_seats; i++) {
        const seat_info_t *st = &h->seats[i];
        int mine = strcmp(st->id, h->seat) == 0;
        char who[80];
        /* 43 columns before it: a name fits 80 at 36. Cut by fw_text_clean, so a
         * UTF-8 name is never cut inside a character. */
        char named[40];
        if (mine) {
            fw_text_clean(named, sizeof named, h->name[0] ? h->name : st->player, 30);
            snprintf(who, sizeof who, "you%s%s%s", named[0] ? " (" : "", named,
                     named[0] ? ")" : "");
        } else if (st->holder == FLYWHEEL__V1__HOLDER__HOLDER_PLAYER) {
            snprintf(who, sizeof who, "%s",
                     fw_text_clean(named, sizeof named, st->player[0] ? st->player : "a player",
                                   36));
        } else if (st->holder == FLYWHEEL__V1__HOLDER__HOLDER_HOUSE) {
            snprintf(who, sizeof who, "house bot");
        } else {
            snprintf(who, sizeof who, "free");
        }
        s_line(sc, mine ? FW_HUMAN_PROMPT : FW_HUMAN_PLAIN, "%s %-28.28s %-11s %s",
               mine ? ">" : " ", st->name[0] ? st->name : st->id, s_role_word(st->role), who);
    }
}

static void s_render_company(const fw_human_t *h, screen_t *sc,
                             const Flywheel__V1__SeatView *me)
{
    char a[24], b[24], c[24], buf[FW_HUMAN_COLS + 1];
    s_line(sc, FW_HUMAN_HEADING, "YOUR COMPANY");
    fw_human_text_number(a, sizeof a, me->cash, 1);
    fw_human_text_number(b, sizeof b, me->revenue_last, 1);
    fw_human_text_number(c, sizeof c, me->cost_last, 1);
    s_wrapf(sc, FW_HUMAN_PLAIN, 4, "  Cash %s   Revenue last tick %s   Costs last tick %s", a,
           b, c);
    if (h->role == FLYWHEEL__V1__ROLE__ROLE_LAB) {
        fw_human_text_number(a, sizeof a, me->demand, 0);
        fw_human_text_number(b, sizeof b, me->revenue_per_compute, 1);
        fw_human_text_number(c, sizeof c, me->compute_last, 0);
        s_wrapf(sc, FW_HUMAN_PLAIN, 4, "  Customers could use %s H100-months (each earns %s); "
               "you got %s last tick%s", a, b, c, me->faltering ? "  FALTERING" : "");
    } else if (h->role == FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER) {
        buf[0] = '\0';
        for (size_t i = 0; i < me->n_installed; i++) {
            char item[64];
            fw_human_text_number(a, sizeof a, me->installed[i]->compute, 0);
            snprintf(item, sizeof item, "%s %s", me->installed[i]->family, a);
            s_cat(buf, sizeof buf, ", ", item);
        }
        s_wrapf(sc, FW_HUMAN_PLAIN, 4, "  Installed compute (H100-months a tick): %s",
               buf[0] ? buf : "none");
        buf[0] = '\0';
        for (size_t i = 0; i < me->n_incoming; i++) {
            char item[64];
            fw_human_text_number(a, sizeof a, me->incoming[i]->units, 0);
            snprintf(item, sizeof item, "%s %s chips at tick %u", a,
                     me->incoming[i]->family, me->incoming[i]->arrives);
            s_cat(buf, sizeof buf, ", ", item);
        }
        if (buf[0])
            s_wrapf(sc, FW_HUMAN_PLAIN, 4, "  On the way: %s", buf);
    } else if (h->role == FLYWHEEL__V1__ROLE__ROLE_VENDOR) {
        buf[0] = '\0';
        for (size_t i = 0; i < me->n_capacity; i++) {
            char item[80];
            fw_human_text_number(a, sizeof a, me->capacity[i]->units, 0);
            fw_human_text_number(b, sizeof b, me->capacity[i]->unit_cost, 1);
            snprintf(item, sizeof item, "%s %s (cost %s each)", me->capacity[i]->family, a,
                     b);
            s_cat(buf, sizeof buf, ", ", item);
        }
        s_wrapf(sc, FW_HUMAN_PLAIN, 4, "  Factory can make this tick: %s", buf[0] ? buf : "none");
    }
    buf[0] = '\0';
    for (size_t i = 0; i < me->n_credits; i++) {
        char item[64];
        fw_human_text_number(a, sizeof a, me->credits[i]->amount, 1);
        snprintf(item, sizeof item, "%s %s at %s", a, "credits", me->credits[i]->cloud);
        s_cat(buf, sizeof buf, ", ", item);
    }
    for (size_t i = 0; i < me->n_deals; i++) {
        char item[96];
        const Flywheel__V1__Deal *d = me->deals[i];
        fw_human_text_number(a, sizeof a, d->terms ? d->terms->amount : 0, 1);
        snprintf(item, sizeof item, "deal #%" PRIu64 " %s->%s %s until tick %u%s", d->id,
                 d->investor, d->lab, a, d->ends_tick, d->compliant ? "" : " (BREACH)");
        s_cat(buf, sizeof buf, ", ", item);
    }
    if (buf[0])
        s_wrapf(sc, FW_HUMAN_PLAIN, 4, "  %s", buf);
}

static void s_render_market(screen_t *sc, const Flywheel__V1__MarketView *mk)
{
    char a[24], b[24], buf[FW_HUMAN_COLS + 1], wide[2 * FW_HUMAN_COLS];
    s_line(sc, FW_HUMAN_HEADING, "MARKET (offers posted last tick)");
    buf[0] = '\0';
    for (size_t i = 0; i < mk->n_compute_quotes; i++) {
        char item[80];
        const Flywheel__V1__ComputeQuote *q = mk->compute_quotes[i];
        fw_human_text_number(a, sizeof a, q->price, 1);
        fw_human_text_number(b, sizeof b, q->capacity, 0);
        snprintf(item, sizeof item, "%s %s %s x %s", q->provider, q->family, a, b);
        s_cat(buf, sizeof buf, "  |  ", item);
    }
    snprintf(wide, sizeof wide, "  Compute for rent ($/H100-month x amount): %s",
             buf[0] ? buf : "none yet");
    s_wrap(sc, FW_HUMAN_PLAIN, 4, wide);
    buf[0] = '\0';
    for (size_t i = 0; i < mk->n_chip_quotes; i++) {
        char item[80];
        const Flywheel__V1__ChipQuote *q = mk->chip_quotes[i];
        fw_human_text_number(a, sizeof a, q->price, 1);
        fw_human_text_number(b, sizeof b, q->quantity, 0);
        snprintf(item, sizeof item, "%s %s %s x %s", q->vendor, q->family, a, b);
        s_cat(buf, sizeof buf, "  |  ", item);
    }
    snprintf(wide, sizeof wide, "  Chips for sale ($/chip x units): %s",
             buf[0] ? buf : "none yet");
    s_wrap(sc, FW_HUMAN_PLAIN, 4, wide);
    buf[0] = '\0';
    for (size_t i = 0; i < mk->n_compute_share; i++) {
        char item[48];
        snprintf(item, sizeof item, "%s %.0f%%", mk->compute_share[i]->id,
                 mk->compute_share[i]->value * 100.0);
        s_cat(buf, sizeof buf, ", ", item);
    }
    if (mk->n_lab_share)
        s_cat(buf, sizeof buf, "", "   Labs: ");
    for (size_t i = 0; i < mk->n_lab_share; i++) {
        char item[48];
        snprintf(item, sizeof item, "%s%s %.0f%%", i ? ", " : "", mk->lab_share[i]->id,
                 mk->lab_share[i]->value * 100.0);
        s_cat(buf, sizeof buf, "", item);
    }
    s_wrapf(sc, FW_HUMAN_PLAIN, 4, "  Shares - Clouds: %s", buf);
}

static void s_render_proposals(const fw_human_t *h, screen_t *sc,
                               const Flywheel__V1__SeatView *me)
{
    char a[24], b[24];
    s_line(sc, FW_HUMAN_HEADING, "PROPOSALS WAITING FOR YOUR ANSWER (y accept, n reject)");
    for (size_t i = 0; i < me->n_proposals; i++) {
        const Flywheel__V1__Proposal *p = me->proposals[i];
        const Flywheel__V1__InvestmentTerms *t = p->terms;
        fw_human_text_number(a, sizeof a, t ? t->amount : 0, 1);
        fw_human_text_number(b, sizeof b, t ? t->valuation : 0, 1);
        s_wrapf(sc, FW_HUMAN_PLAIN, 4, "  P%zu from %s: %s at %s valuation, %.0f%% credits%s%s%s"
               "  -> %s", i + 1, p->investor, a, b, t ? t->credit_fraction * 100.0 : 0.0,
               t && t->chip_family && t->chip_family[0] ? ", must use chips " : "",
               t && t->chip_family ? t->chip_family : "",
               t && t->exclusive ? ", exclusive" : "",
               i < h->n_answers && h->answers[i] == 1   ? "ACCEPT"
               : i < h->n_answers && h->answers[i] == 2 ? "reject"
                                                        : "no answer");
    }
}

static void s_render_moves(const fw_human_t *h, screen_t *sc)
{
    char buf[FW_HUMAN_COLS + 1];
    s_line(sc, FW_HUMAN_HEADING, "YOUR MOVES FOR TICK %u%s", h->tick,
           h->house_plays ? " (the house bot plays this tick; these would not count)"
           : h->sent      ? " (sent)"
           : h->from_house ? " (the house bot's suggestion)"
                           : "");
    if (!h->n_moves)
        s_wrapf(sc, FW_HUMAN_PLAIN, 4, "  (none: you do nothing this tick)");
    for (size_t i = 0; i < h->n_moves; i++) {
        s_move_text(&h->moves[i], buf, sizeof buf);
        s_wrapf(sc, FW_HUMAN_PLAIN, 5, "  %zu. %s", i + 1, buf);
    }
    s_render_why(h, sc);
}

/* Lines that must not be missed, under the title. */
static void s_render_banners(const fw_human_t *h, screen_t *sc, int64_t now_ms)
{
    char text[2 * FW_HUMAN_COLS], ago[32] = "", retry[48] = "Trying again...";
    if (h->link == FW_HUMAN_LINK_LOST && !h->over) {
        if (h->link_since > 0 && now_ms >= h->link_since)
            snprintf(ago, sizeof ago, " %" PRId64 " s ago", (now_ms - h->link_since) / 1000);
        if (h->link_retry > now_ms)
            snprintf(retry, sizeof retry, "Trying again in %" PRId64 " s...",
                     (h->link_retry - now_ms + 999) / 1000);
        else if (h->link_retry > 0)
            snprintf(retry, sizeof retry, "Trying again now...");
        snprintf(text, sizeof text, "Lost contact with the game server%s. %s The house bot "
                 "plays your company until you are back. q leaves.", ago, retry);
        s_wrap(sc, FW_HUMAN_ALERT, 2, text);
    }
    if (h->house_plays && h->tick_start && !h->closed && !h->over) {
        if (h->back)
            snprintf(text, sizeof text, "The house bot plays tick %u for you. You are back: "
                     "your moves count again from tick %u.", h->tick, h->tick + 1);
        else
            snprintf(text, sizeof text, "The house bot plays tick %u for you, since you were "
                     "away (no moves came from you, or the connection dropped). To play "
                     "again, press Enter: your moves count from tick %u.", h->tick,
                     h->tick + 1);
        s_wrap(sc, FW_HUMAN_ALERT, 2, text);
    }
    if (fh_paused(h) && !h->over) {
        snprintf(text, sizeof text, "Paused by the teacher after tick %u. The next tick "
                 "starts when the teacher resumes the game; q leaves.", h->game.tick);
        s_wrap(sc, FW_HUMAN_ALERT, 2, text);
    }
}

/* The bottom of the screen: the question being asked, or the keys and the way back;
 * then the message. */
static void s_render_bottom(const fw_human_t *h, screen_t *sc)
{
    char buf[FW_HUMAN_COLS + 1], wide[2 * FW_HUMAN_COLS];
    if (h->form.kind != FORM_NONE && h->form.cur < h->form.n_fields) {
        const field_t *fl = &h->form.fields[h->form.cur];
        buf[0] = '\0';
        for (size_t i = 0; i < fl->n_choices; i++) {
            char item[64];
            snprintf(item, sizeof item, "%zu=%s", i + 1, fl->choices[i]);
            s_cat(buf, sizeof buf, " ", item);
        }
        /* The help, then the choices and the field, so neither is cut off. */
        s_wrap(sc, FW_HUMAN_PROMPT, 2, fl->help);
        snprintf(wide, sizeof wide, "%s%s%s", buf[0] ? "Choices: " : "", buf,
                 buf[0] ? "   (Esc cancels)" : "(Esc cancels)");
        s_wrap(sc, FW_HUMAN_PROMPT, 2, wide);
        const char *def = fh_default(fl);
        s_line(sc, FW_HUMAN_PROMPT, "%s%s%s%s: %s_", fl->label, def[0] ? " [" : "", def,
               def[0] ? "]" : "", fl->buf);
    } else if (h->over) {
        s_line(sc, FW_HUMAN_PROMPT, "The game is over. Any key leaves.");
    } else {
        /* y and n are named where the proposals are. */
        if (h->tick_start)
            s_wrap(sc, FW_HUMAN_PROMPT, 2, "a add  e change  d delete  c clear  h suggestion  "
                   "Enter SEND  ? help  q quit");
        else
            s_line(sc, FW_HUMAN_PROMPT, "? help  q leave the game");
        if (h->url[0]) {
            char cmd[1024];
            s_resume_command(h, cmd, sizeof cmd);
            s_line(sc, FW_HUMAN_PLAIN, "Resume token: if you get disconnected, come back "
                   "with");
            s_wrapf(sc, FW_HUMAN_PLAIN, 4, "  %s", cmd);
        } else {
            s_line(sc, FW_HUMAN_PLAIN, "Resume token (if you get disconnected): %s", h->token);
        }
    }
    s_wrap(sc, h->message_alert ? FW_HUMAN_ALERT : FW_HUMAN_PLAIN, 2, h->message);
}

#define S_BOTTOM_MAX 16 /* lines the bottom may take */

size_t fw_human_render(const fw_human_t *h, int64_t now_ms, size_t rows, size_t cols,
                       fw_human_line_t *lines, size_t max)
{
    screen_t sc = {lines, 0, max < rows ? max : rows, cols < FW_HUMAN_COLS ? cols : FW_HUMAN_COLS};
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    fw_human_line_t bottom[S_BOTTOM_MAX];
    screen_t sb = {bottom, 0, S_BOTTOM_MAX, sc.cols};

    if (h->help) {
        s_render_help(h, &sc);
        return sc.n;
    }
    s_render_title(h, &sc, now_ms);
    s_render_banners(h, &sc, now_ms);
    if (!ts)
        s_render_waiting(h, &sc, now_ms);
    if (ts && ts->me)
        s_render_company(h, &sc, ts->me);
    if (ts && ts->market)
        s_render_market(&sc, ts->market);
    if (ts && ts->me && ts->me->n_proposals)
        s_render_proposals(h, &sc, ts->me);
    if (ts)
        s_render_moves(h, &sc);
    for (size_t i = 0; i < h->n_results; i++)
        s_wrap(&sc, FW_HUMAN_PLAIN, 4, h->results[i]);

    /* The bottom sits on the last rows; the body gives way to it. */
    s_render_bottom(h, &sb);
    size_t keep = sb.n < sc.max ? sb.n : sc.max;
    while (sc.n + keep < sc.max)
        s_line(&sc, FW_HUMAN_PLAIN, "%s", "");
    if (sc.n + keep > sc.max)
        sc.n = sc.max - keep;
    for (size_t i = 0; i < keep; i++)
        sc.lines[sc.n++] = bottom[i];
    return sc.n;
}
