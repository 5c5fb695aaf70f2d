/* fw_human: see fw_human.h. */
#include "fw_human_int.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fw_human_text.h"
#include "fw_strategy.h"
#include "fw_version.h"

#define S_AUTO_SEND_MS 1500  /* send the draft this long before the deadline, at most */
#define S_GUARD_MS 1000      /* Enter does not send this soon after the screen changed */

/* ---- small helpers ---------------------------------------------------------------- */

/* Bounded string copy; dst and src may be fields of one struct. */
static void s_copy(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    memmove(dst, src ? src : "", n);
    dst[n] = '\0';
}

static void s_say(fw_human_t *h, int alert, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void s_say(fw_human_t *h, int alert, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->message, sizeof h->message, fmt, ap);
    va_end(ap);
    h->message_alert = alert;
}

/* The screen changed under the player at now_ms: an Enter in the next S_GUARD_MS was
 * typed for what was there before, so it does not send. */
static void s_changed(fw_human_t *h, int64_t now_ms, const char *why)
{
    h->changed_at = now_ms;
    h->changed_why = why;
}

/* ---- new / destroy ---------------------------------------------------------------- */

fw_human_t *fw_human_new(const fw_envelope_t *welcome, char *err, size_t err_len)
{
    char msg[256] = "";
    fw_human_t *h = NULL;
    if (!welcome || welcome->body_case != FLYWHEEL__V1__ENVELOPE__BODY_WELCOME ||
        !welcome->welcome) {
        snprintf(msg, sizeof msg, "expected a welcome");
        goto out;
    }
    const Flywheel__V1__Welcome *w = welcome->welcome;
    h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(msg, sizeof msg, "out of memory");
        goto out;
    }
    h->advisor = fw_agent_seat_new(welcome, NULL, msg, sizeof msg);
    h->arena = fw_arena_new();
    h->seats = calloc(w->n_seats ? w->n_seats : 1, sizeof *h->seats);
    h->families = calloc(w->n_families ? w->n_families : 1, sizeof *h->families);
    h->captive = calloc(w->n_families ? w->n_families : 1, sizeof *h->captive);
    if (!h->advisor || !h->arena || !h->seats || !h->families || !h->captive) {
        if (!msg[0])
            snprintf(msg, sizeof msg, "out of memory");
        fw_human_destroy(&h);
        goto out;
    }
    s_copy(h->seat, sizeof h->seat, w->seat);
    s_copy(h->company, sizeof h->company, w->seat);
    s_copy(h->run_id, sizeof h->run_id, welcome->run_id);
    s_copy(h->token, sizeof h->token, w->resume_token);
    h->role = w->role;
    h->ticks = w->ticks;
    h->n_seats = w->n_seats;
    for (size_t i = 0; i < w->n_seats; i++) {
        s_copy(h->seats[i].id, sizeof h->seats[i].id, w->seats[i]->id);
        s_copy(h->seats[i].name, sizeof h->seats[i].name, w->seats[i]->name);
        h->seats[i].role = w->seats[i]->role;
        if (strcmp(w->seats[i]->id, w->seat) == 0 && w->seats[i]->name[0])
            s_copy(h->company, sizeof h->company, w->seats[i]->name);
    }
    h->n_families = w->n_families;
    for (size_t i = 0; i < w->n_families; i++) {
        s_copy(h->families[i], FH_ID, w->families[i]->id);
        s_copy(h->captive[i], FH_ID, w->families[i]->captive_of);
    }
    h->seq = 1;
    s_changed(h, INT64_MIN / 2, "");
    /* Not "the game has not started": this Welcome may be a player's return. */
    s_say(h, 0, "Welcome! You play %s, %s. Press ? for help.", h->company,
          fh_role_text(h->role));
out:
    if (err && err_len > 0)
        snprintf(err, err_len, "%s", msg);
    return h;
}

void fw_human_destroy(fw_human_t **p)
{
    if (!p || !*p)
        return;
    fw_human_t *h = *p;
    fw_agent_seat_destroy(&h->advisor);
    fw_arena_destroy(&h->arena);
    fw_proto_free(&h->tick_start);
    free(h->answers);
    free(h->suggested_answers);
    free(h->seats);
    free(h->families);
    free(h->captive);
    free(h);
    *p = NULL;
}

/* ---- messages --------------------------------------------------------------------- */

static void s_forms_at_new_tick(fw_human_t *h);

static size_t s_moves_from_actions(const Flywheel__V1__Actions *a, move_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_chip_offers && n < cap; i++, n++) {
        out[n] = (move_t){.kind = MOVE_CHIP_OFFER, .quantity = a->chip_offers[i]->quantity,
                          .price = a->chip_offers[i]->price};
        s_copy(out[n].family, FH_ID, a->chip_offers[i]->family);
    }
    for (size_t i = 0; i < a->n_chip_orders && n < cap; i++, n++) {
        out[n] = (move_t){.kind = MOVE_CHIP_ORDER, .quantity = a->chip_orders[i]->quantity,
                          .price = a->chip_orders[i]->max_price};
        s_copy(out[n].family, FH_ID, a->chip_orders[i]->family);
    }
    for (size_t i = 0; i < a->n_compute_offers && n < cap; i++, n++) {
        out[n] = (move_t){.kind = MOVE_COMPUTE_OFFER,
                          .quantity = a->compute_offers[i]->capacity,
                          .price = a->compute_offers[i]->price};
        s_copy(out[n].family, FH_ID, a->compute_offers[i]->family);
    }
    for (size_t i = 0; i < a->n_compute_bids && n < cap; i++, n++) {
        out[n] = (move_t){.kind = MOVE_COMPUTE_BID, .quantity = a->compute_bids[i]->quantity,
                          .price = a->compute_bids[i]->max_price};
        s_copy(out[n].who, FH_ID, a->compute_bids[i]->provider);
        s_copy(out[n].family, FH_ID, a->compute_bids[i]->family);
    }
    for (size_t i = 0; i < a->n_proposals && n < cap; i++) {
        const Flywheel__V1__InvestmentProposal *p = a->proposals[i];
        if (!p->terms)
            continue;
        out[n] = (move_t){.kind = MOVE_PROPOSAL, .quantity = p->terms->amount,
                          .price = p->terms->valuation,
                          .fraction = p->terms->credit_fraction};
        s_copy(out[n].who, FH_ID, p->lab);
        n++;
    }
    return n;
}

/* Whether the last GameStatus says our player takes the seat back at the next tick. */
static int s_my_seat_returning(const fw_human_t *h)
{
    for (size_t s = 0; s < h->n_seats; s++)
        if (strcmp(h->seats[s].id, h->seat) == 0)
            return h->seats[s].returning;
    return 0;
}

/* Tells the player the house bot plays the tick on screen, why, and how to come back. */
static void s_say_watching(fw_human_t *h)
{
    if (h->back)
        s_say(h, 0, "The house bot plays tick %u for you. You are back: your moves count "
              "again from tick %u.", h->tick, h->tick + 1);
    else
        s_say(h, 1, "The house bot plays tick %u for you (you were away). Press Enter to "
              "play again: your moves count from tick %u.", h->tick, h->tick + 1);
}

/* The tick on screen again (a reconnection sends it anew): only who plays it can have
 * changed. */
static void s_same_tick(fw_human_t *h, const Flywheel__V1__TickStart *ts)
{
    if (ts->house_plays == h->house_plays)
        return;
    h->house_plays = ts->house_plays;
    if (h->house_plays) {
        h->back = h->back || h->welcomed || s_my_seat_returning(h);
        s_say_watching(h);
    }
}

static void s_on_tick_start(fw_human_t *h, const fw_envelope_t *in, int64_t now_ms)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    fw_envelope_t *copy = NULL;
    const fw_envelope_t *reply = NULL;
    const Flywheel__V1__TickStart *ts;

    if (in->tick_start->tick < h->tick)
        return;
    if (in->tick_start->tick == h->tick) {
        s_same_tick(h, in->tick_start);
        return;
    }
    /* Keep our own copy: the caller frees the message. */
    if (fw_proto_pack(in, &bytes, &len) != FW_PROTO_OK ||
        fw_proto_unpack(bytes, len, &copy) != FW_PROTO_OK) {
        free(bytes);
        fw_proto_free(&copy);
        s_say(h, 1, "Could not read tick %u; the game goes on without you this tick. Wait "
              "for the next; if it happens again, leave with q and come back with your "
              "resume token.",
              in->tick_start->tick);
        return;
    }
    free(bytes);
    fw_proto_free(&h->tick_start);
    h->tick_start = copy;
    ts = copy->tick_start;
    h->tick = ts->tick;
    h->sent = 0;
    h->closed = 0;
    h->house_plays = ts->house_plays;
    if (h->game.known)
        h->game.phase = FLYWHEEL__V1__PHASE__PHASE_RUNNING; /* a tick starts: not paused */
    /* Back from the house bot: a player who came back (a Welcome again) before this
     * tick plays the next; otherwise this tick says whose the seat is. */
    h->back = h->house_plays && (h->welcomed || s_my_seat_returning(h));
    h->welcomed = 0;
    /* A quarter of the turn at most, so a short turn timer still leaves the player the
     * rest of it. */
    int64_t turn = ts->deadline_unix_ms - now_ms;
    h->lead_ms = turn <= 0 ? 0 : turn / 4 < S_AUTO_SEND_MS ? turn / 4 : S_AUTO_SEND_MS;

    /* What the house bot would do: the starting draft. */
    h->n_suggested = 0;
    free(h->answers);
    free(h->suggested_answers);
    h->n_answers = ts->me ? ts->me->n_proposals : 0;
    h->answers = calloc(h->n_answers ? h->n_answers : 1, sizeof *h->answers);
    h->suggested_answers = calloc(h->n_answers ? h->n_answers : 1, sizeof *h->answers);
    if (!h->answers || !h->suggested_answers)
        h->n_answers = 0;
    if (fw_agent_seat_on_message(h->advisor, in, &reply) == FW_AGENT_CONTINUE && reply &&
        reply->actions) {
        const Flywheel__V1__Actions *a = reply->actions;
        h->n_suggested = s_moves_from_actions(a, h->suggested, FH_MAX_MOVES);
        for (size_t i = 0; i < a->n_answers; i++)
            for (size_t p = 0; p < h->n_answers; p++)
                if (ts->me->proposals[p]->id == a->answers[i]->proposal_id)
                    h->suggested_answers[p] = a->answers[i]->accept ? 1 : 2;
    }
    memcpy(h->moves, h->suggested, h->n_suggested * sizeof *h->moves);
    h->n_moves = h->n_suggested;
    if (h->n_answers)
        memcpy(h->answers, h->suggested_answers, h->n_answers * sizeof *h->answers);
    h->from_house = 1;
    s_changed(h, now_ms, "A new tick just started");
    s_forms_at_new_tick(h);
}

static const char *s_fill_text(Flywheel__V1__FillKind kind)
{
    switch (kind) {
    case FLYWHEEL__V1__FILL_KIND__FILL_CHIP_SALE: return "sold chips to";
    case FLYWHEEL__V1__FILL_KIND__FILL_CHIP_PURCHASE: return "bought chips from";
    case FLYWHEEL__V1__FILL_KIND__FILL_COMPUTE_SALE: return "rented compute to";
    case FLYWHEEL__V1__FILL_KIND__FILL_COMPUTE_PURCHASE: return "rented compute from";
    case FLYWHEEL__V1__FILL_KIND__FILL_DELIVERY: return "chips delivered by";
    case FLYWHEEL__V1__FILL_KIND__FILL_INVESTMENT: return "deal signed with";
    case FLYWHEEL__V1__FILL_KIND__FILL_CREDITS_USED: return "used credits at";
    case FLYWHEEL__V1__FILL_KIND__FILL_PENALTY: return "penalty with";
    default: return "filled with";
    }
}

/* The move of list[index] as the player saw it ("Your bid to rent gpu compute from
 * aws"), when it was one of ours, sent for `tick`; else NULL. */
static const char *s_sent_move_name(const fw_human_t *h, uint32_t tick, const char *list,
                                    size_t index, char *buf, size_t len)
{
    static const struct { const char *list; move_kind_t kind; } lists[] = {
        {"chip_offers", MOVE_CHIP_OFFER},       {"chip_orders", MOVE_CHIP_ORDER},
        {"compute_offers", MOVE_COMPUTE_OFFER}, {"compute_bids", MOVE_COMPUTE_BID},
        {"proposals", MOVE_PROPOSAL},
    };
    if (!h->sent_tick || tick != h->sent_tick)
        return NULL;
    if (strcmp(list, "answers") == 0) {
        if (index >= h->n_sent_answers)
            return NULL;
        snprintf(buf, len, "Your answer to %s's proposal", h->sent_answers[index]);
        return buf;
    }
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        if (strcmp(list, lists[l].list) != 0)
            continue;
        size_t seen = 0;
        for (size_t i = 0; i < h->n_sent_moves; i++) {
            const move_t *m = &h->sent_moves[i];
            if (m->kind != lists[l].kind || seen++ != index)
                continue;
            switch (m->kind) {
            case MOVE_COMPUTE_BID:
                snprintf(buf, len, "Your bid to rent %s compute from %s", m->family, m->who);
                break;
            case MOVE_CHIP_ORDER:
                snprintf(buf, len, "Your order for %s chips", m->family);
                break;
            case MOVE_COMPUTE_OFFER:
                snprintf(buf, len, "Your offer to rent out %s compute", m->family);
                break;
            case MOVE_CHIP_OFFER:
                snprintf(buf, len, "Your offer to sell %s chips", m->family);
                break;
            case MOVE_PROPOSAL:
                snprintf(buf, len, "Your investment offer to %s", m->who);
                break;
            }
            return buf;
        }
    }
    return NULL;
}

/* One rejection of tick tr->tick in the player's words. */
static void s_rejection_text(const fw_human_t *h, const Flywheel__V1__TickResult *tr,
                             const Flywheel__V1__Rejection *r, char *buf, size_t len)
{
    char list[FH_ID] = "", name[160];
    size_t index = 0;
    const char *move = NULL;
    if (fw_human_text_action(r->action, list, sizeof list, &index) == 0) {
        move = s_sent_move_name(h, tr->tick, list, index, name, sizeof name);
        if (!move && tr->tick == h->tick && h->house_plays) {
            fw_human_text_move_kind(name, sizeof name, list, "The house bot's");
            move = name;
        }
    }
    /* Indented under the tick's summary line, like the fills. */
    snprintf(buf, len, "  ");
    fw_human_text_rejection(buf + 2, len - 2, r->action, r->reason, move);
}

static void s_on_tick_result(fw_human_t *h, const Flywheel__V1__TickResult *tr)
{
    char cash[24], q[24], amt[24];
    int missed = tr->tick == h->tick && !h->sent && !h->house_plays;
    if (tr->tick >= h->tick)
        h->closed = 1; /* the draft on screen is for a tick that is over */
    fw_human_text_number(cash, sizeof cash, tr->cash, 1);
    h->n_results = 0;
    snprintf(h->results[h->n_results++], sizeof h->results[0],
             "Tick %u cleared: %zu fill%s, %zu move%s trimmed or refused; cash now %s.%s",
             tr->tick, tr->n_fills, tr->n_fills == 1 ? "" : "s", tr->n_rejected,
             tr->n_rejected == 1 ? "" : "s", cash,
             missed ? " Your moves were not sent in time, so you made none: send the next "
                      "tick's before its countdown ends."
             : tr->tick == h->tick && h->house_plays ? " The house bot played it for you."
                                                     : "");
    /* What went wrong first: it is what the player must act on. */
    for (size_t i = 0; i < tr->n_rejected && h->n_results < FH_RESULT_LINES; i++)
        s_rejection_text(h, tr, tr->rejected[i], h->results[h->n_results++],
                         sizeof h->results[0]);
    for (size_t i = 0; i < tr->n_fills && h->n_results < FH_RESULT_LINES; i++) {
        const Flywheel__V1__Fill *f = tr->fills[i];
        fw_human_text_number(q, sizeof q, f->quantity, 0);
        fw_human_text_number(amt, sizeof amt, f->amount, 1);
        if (f->kind == FLYWHEEL__V1__FILL_KIND__FILL_INVESTMENT ||
            f->kind == FLYWHEEL__V1__FILL_KIND__FILL_CREDITS_USED ||
            f->kind == FLYWHEEL__V1__FILL_KIND__FILL_PENALTY)
            /* Money, not goods: there is no quantity or family to show. */
            snprintf(h->results[h->n_results++], sizeof h->results[0], "  %s %s: %s",
                     s_fill_text(f->kind), f->counterparty, amt);
        else
            snprintf(h->results[h->n_results++], sizeof h->results[0], "  %s %s: %s %s for %s",
                     s_fill_text(f->kind), f->counterparty, q, f->family, amt);
    }
}

/* A Welcome on a model that has one already: the terminal layer reconnected with the
 * resume token and the seat is ours again. The screen keeps everything. */
static void s_on_welcome_again(fw_human_t *h, const Flywheel__V1__Welcome *w, int64_t now_ms)
{
    if (!w->seat || strcmp(w->seat, h->seat) != 0)
        return;
    if (w->resume_token && w->resume_token[0])
        s_copy(h->token, sizeof h->token, w->resume_token);
    h->link = FW_HUMAN_LINK_UP; /* a Welcome is the game server talking */
    h->welcomed = 1;
    if (h->house_plays)
        h->back = 1;
    s_changed(h, now_ms, "You are back in the game");
    if (h->tick_start && !h->closed && !h->sent && !h->house_plays)
        s_say(h, 0, "Welcome back! The seat is yours again: check your moves, then press "
              "Enter to send.");
    else
        s_say(h, 0, "Welcome back! The seat is yours again from the next tick.");
}

static void s_on_status(fw_human_t *h, const Flywheel__V1__GameStatus *gs, int64_t now_ms)
{
    game_t *g = &h->game;
    int was_paused = g->known && g->phase == FLYWHEEL__V1__PHASE__PHASE_PAUSED;
    int was_lobby = !g->known || g->phase == FLYWHEEL__V1__PHASE__PHASE_LOBBY;
    g->known = 1;
    g->phase = gs->phase;
    g->tick = gs->tick;
    s_copy(g->pacing, sizeof g->pacing, gs->pacing);
    g->deadline = gs->deadline_unix_ms;
    g->wanted = gs->players_wanted;
    if (gs->ticks)
        h->ticks = gs->ticks;
    for (size_t i = 0; i < gs->n_seats; i++)
        for (size_t s = 0; s < h->n_seats; s++)
            if (gs->seats[i]->seat && strcmp(gs->seats[i]->seat, h->seats[s].id) == 0) {
                h->seats[s].holder = gs->seats[i]->holder;
                s_copy(h->seats[s].player, sizeof h->seats[s].player, gs->seats[i]->player);
                h->seats[s].returning = gs->seats[i]->returning;
            }
    if (h->house_plays && s_my_seat_returning(h))
        h->back = 1;
    /* A tick the game has cleared is over, whatever its deadline said. */
    if (h->tick_start && gs->tick >= h->tick && g->phase != FLYWHEEL__V1__PHASE__PHASE_LOBBY)
        h->closed = 1;
    if (g->phase == FLYWHEEL__V1__PHASE__PHASE_PAUSED && !was_paused) {
        s_say(h, 0, "Paused by the teacher after tick %u. Wait for the game to resume; q "
              "leaves.", gs->tick);
    } else if (was_paused && g->phase == FLYWHEEL__V1__PHASE__PHASE_RUNNING) {
        s_changed(h, now_ms, "The game just resumed");
        s_say(h, 0, "The game resumed%s.",
              h->tick_start && !h->closed ? ": check your moves, then press Enter to send"
                                          : ": the next tick starts now");
    } else if (was_lobby && g->phase == FLYWHEEL__V1__PHASE__PHASE_RUNNING && !h->tick_start) {
        s_say(h, 0, "The game is on: your first tick is on its way.");
    }
}

int fw_human_on_message(fw_human_t *h, const fw_envelope_t *in, int64_t now_ms)
{
    if (in->seat && in->seat[0] && strcmp(in->seat, h->seat) != 0)
        return FW_AGENT_CONTINUE;
    switch (in->body_case) {
    case FLYWHEEL__V1__ENVELOPE__BODY_TICK_START:
        if (in->tick_start)
            s_on_tick_start(h, in, now_ms);
        return FW_AGENT_CONTINUE;
    case FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT:
        if (in->tick_result)
            s_on_tick_result(h, in->tick_result);
        return FW_AGENT_CONTINUE;
    case FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL:
        if (!in->refusal)
            return FW_AGENT_CONTINUE;
        fw_human_text_refusal(h->message, sizeof h->message, in->refusal->code,
                              in->refusal->reason);
        h->message_alert = 1;
        return fw_agent_refusal_is_fatal(in->refusal->code) ? FW_AGENT_REFUSED
                                                             : FW_AGENT_CONTINUE;
    case FLYWHEEL__V1__ENVELOPE__BODY_WELCOME:
        if (in->welcome)
            s_on_welcome_again(h, in->welcome, now_ms);
        return FW_AGENT_CONTINUE;
    case FLYWHEEL__V1__ENVELOPE__BODY_STATUS:
        if (in->status)
            s_on_status(h, in->status, now_ms);
        return FW_AGENT_CONTINUE;
    case FLYWHEEL__V1__ENVELOPE__BODY_BYE:
        h->over = 1;
        h->form.kind = FORM_NONE;
        s_say(h, 0, "The game is over (%.100s). Press any key to leave.",
              in->bye && in->bye->reason ? in->bye->reason : "bye");
        return FW_AGENT_BYE;
    default:
        return FW_AGENT_CONTINUE;
    }
}

/* ---- forms ---------------------------------------------------------------------- */

static field_t *s_field(form_t *f, field_kind_t kind, const char *label, const char *help,
                        const char *def)
{
    /* Forms are built here with at most FH_MAX_FIELDS fields: a bug otherwise. */
    assert(f->n_fields < FH_MAX_FIELDS);
    field_t *fl = &f->fields[f->n_fields++];
    memset(fl, 0, sizeof *fl);
    fl->kind = kind;
    fl->label = label;
    fl->help = help;
    s_copy(fl->def, sizeof fl->def, def);
    return fl;
}

static void s_choice(field_t *fl, const char *choice)
{
    for (size_t i = 0; i < fl->n_choices; i++)
        if (strcmp(fl->choices[i], choice) == 0)
            return;
    if (fl->n_choices < FH_MAX_CHOICES)
        s_copy(fl->choices[fl->n_choices++], FH_ID, choice);
}

/* ---- defaults that follow the market ---------------------------------------------- */

#define S_DEFAULT_VALUATION 20000000000LL /* a lab with no valuation on the market */

/* The compute quote of `provider` for `family`; with family NULL, its cheapest; with
 * provider NULL, the cheapest of all. NULL if there is none. */
static const Flywheel__V1__ComputeQuote *s_compute_quote(const fw_human_t *h,
                                                         const char *provider,
                                                         const char *family)
{
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    const Flywheel__V1__ComputeQuote *best = NULL;
    for (size_t i = 0; ts && ts->market && i < ts->market->n_compute_quotes; i++) {
        const Flywheel__V1__ComputeQuote *q = ts->market->compute_quotes[i];
        if ((provider && strcmp(q->provider, provider) != 0) ||
            (family && strcmp(q->family, family) != 0))
            continue;
        if (!best || q->price < best->price)
            best = q;
    }
    return best;
}

/* The cheapest chip quote for `family` (NULL: of all). */
static const Flywheel__V1__ChipQuote *s_chip_quote(const fw_human_t *h, const char *family)
{
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    const Flywheel__V1__ChipQuote *best = NULL;
    for (size_t i = 0; ts && ts->market && i < ts->market->n_chip_quotes; i++) {
        const Flywheel__V1__ChipQuote *q = ts->market->chip_quotes[i];
        if (family && strcmp(q->family, family) != 0)
            continue;
        if (!best || q->price < best->price)
            best = q;
    }
    return best;
}

/* The most to pay, by default, for what is quoted at `price`: 5% more, rounded up to
 * $10, so a small rise of the price this tick does not void the move (the house bots
 * do the same). The posted price is what is paid. */
static int64_t s_most(int64_t price)
{
    int64_t most = (price * 105 + 99) / 100;
    return (most + 9) / 10 * 10;
}

/* A lab's valuation on the market, or S_DEFAULT_VALUATION. */
static int64_t s_valuation(const fw_human_t *h, const char *lab)
{
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    for (size_t i = 0; ts && ts->market && i < ts->market->n_valuations; i++)
        if (strcmp(ts->market->valuations[i]->id, lab) == 0 &&
            ts->market->valuations[i]->value > 0)
            return ts->market->valuations[i]->value;
    return S_DEFAULT_VALUATION;
}

/* What to invest in a lab worth `valuation`, by default: 5% of it, at most the cash,
 * rounded down to two significant digits. */
static int64_t s_stake(const fw_human_t *h, int64_t valuation)
{
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    int64_t amount = valuation / 20, unit = 1;
    if (ts && ts->me && ts->me->cash > 0 && amount > ts->me->cash)
        amount = ts->me->cash;
    while (amount / unit >= 100)
        unit *= 10;
    amount = amount / unit * unit;
    return amount > 0 ? amount : 1;
}

static void s_set_default(field_t *fl, int64_t v)
{
    fw_human_text_amount(fl->def, sizeof fl->def, v);
}

/* The player chose field `done` of a move form: the later fields' defaults follow the
 * choice (the chosen cloud's family and price, the lab's valuation), unless the choice
 * is the default the form opened with. */
static void s_follow_choice(fw_human_t *h, form_t *f, size_t done)
{
    field_t *fl = &f->fields[done];
    if (fl->kind != FIELD_CHOICE || strcasecmp(fl->text, fh_default(fl)) == 0)
        return;
    if (f->move == MOVE_COMPUTE_BID && done == 0) {
        const Flywheel__V1__ComputeQuote *q = s_compute_quote(h, fl->text, f->fields[1].def);
        if (!q)
            q = s_compute_quote(h, fl->text, NULL);
        if (q) {
            s_copy(f->fields[1].def, sizeof f->fields[1].def, q->family);
            s_set_default(&f->fields[3], s_most(q->price));
        }
    } else if (f->move == MOVE_COMPUTE_BID && done == 1) {
        const Flywheel__V1__ComputeQuote *q = s_compute_quote(h, f->fields[0].text, fl->text);
        if (q)
            s_set_default(&f->fields[3], s_most(q->price));
    } else if (f->move == MOVE_CHIP_ORDER && done == 0) {
        const Flywheel__V1__ChipQuote *q = s_chip_quote(h, fl->text);
        if (q)
            s_set_default(&f->fields[2], s_most(q->price));
    } else if (f->move == MOVE_PROPOSAL && done == 0) {
        int64_t valuation = s_valuation(h, fl->text);
        s_set_default(&f->fields[1], s_stake(h, valuation));
        s_set_default(&f->fields[2], valuation);
    }
}

/* The families a move of this kind may use: vendors their own, clouds any they may
 * buy (or have), labs any. */
static void s_family_choices(const fw_human_t *h, field_t *fl, move_kind_t kind)
{
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    if (kind == MOVE_CHIP_OFFER && ts && ts->me) {
        for (size_t i = 0; i < ts->me->n_capacity; i++)
            s_choice(fl, ts->me->capacity[i]->family);
        return;
    }
    if (kind == MOVE_COMPUTE_OFFER && ts && ts->me) {
        for (size_t i = 0; i < ts->me->n_installed; i++)
            s_choice(fl, ts->me->installed[i]->family);
        if (fl->n_choices)
            return;
    }
    for (size_t i = 0; i < h->n_families; i++)
        if (kind != MOVE_CHIP_ORDER || !h->captive[i][0] || strcmp(h->captive[i], h->seat) == 0)
            s_choice(fl, h->families[i]);
}

/* The fields of a bid: defaults are the cheapest offer on the market and the lab's
 * demand (or the move being changed). */
static void s_open_bid(fw_human_t *h, form_t *f, const move_t *old)
{
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    const Flywheel__V1__ComputeQuote *best = s_compute_quote(h, NULL, NULL);
    char def[FH_ID];
    field_t *fl = s_field(f, FIELD_CHOICE, "Cloud to rent from",
                          "Which cloud's offer you bid on (see MARKET). Type its name or "
                          "number.", old ? old->who : best ? best->provider : "");
    for (size_t i = 0; ts && ts->market && i < ts->market->n_compute_quotes; i++)
        s_choice(fl, ts->market->compute_quotes[i]->provider);
    for (size_t i = 0; i < h->n_seats; i++)
        if (h->seats[i].role == FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER)
            s_choice(fl, h->seats[i].id);
    fl = s_field(f, FIELD_CHOICE, "Chip family", "Which kind of chips the compute runs on.",
                 old ? old->family : best ? best->family : "");
    s_family_choices(h, fl, MOVE_COMPUTE_BID);
    fw_human_text_amount(def, sizeof def,
                         old ? old->quantity
                         : ts && ts->me && ts->me->demand > 0 ? ts->me->demand : 1000);
    s_field(f, FIELD_AMOUNT, "Quantity (H100-months)",
            "How much compute to rent this tick. 40k = 40,000. Your customers' demand is "
            "shown under YOUR COMPANY.", def);
    fw_human_text_amount(def, sizeof def, old ? old->price : best ? s_most(best->price) : 2000);
    s_field(f, FIELD_AMOUNT, "Most you pay per H100-month ($)",
            "You pay the cloud's price this tick if it is at or below this, else you get "
            "nothing. Default: its last price + 5%, in case it rises.", def);
}

/* The fields of a chip order: defaults are the cheapest chips the cloud may buy. */
static void s_open_order(fw_human_t *h, form_t *f, const move_t *old)
{
    const Flywheel__V1__ChipQuote *best = NULL;
    char def[FH_ID];
    field_t *fl = s_field(f, FIELD_CHOICE, "Chip family to order",
                          "Chips arrive after the family's lead time and then give you "
                          "compute to rent out.", old ? old->family : "");
    s_family_choices(h, fl, MOVE_CHIP_ORDER);
    for (size_t i = 0; i < fl->n_choices; i++) {
        const Flywheel__V1__ChipQuote *q = s_chip_quote(h, fl->choices[i]);
        if (q && (!best || q->price < best->price))
            best = q;
    }
    if (!old && best)
        s_copy(fl->def, sizeof fl->def, best->family);
    fw_human_text_amount(def, sizeof def, old ? old->quantity : 1000);
    s_field(f, FIELD_AMOUNT, "Number of chips", "Units to order. 5k = 5,000.", def);
    fw_human_text_amount(def, sizeof def, old ? old->price : best ? s_most(best->price) : 25000);
    s_field(f, FIELD_AMOUNT, "Most you pay per chip ($)",
            "The order is void if the maker's price this tick is higher. Default: its last "
            "price + 5%, in case it rises.", def);
}

static void s_open_rent_out(fw_human_t *h, form_t *f, const move_t *old)
{
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    int64_t cap = 0;
    char def[FH_ID];
    for (size_t i = 0; ts && ts->me && i < ts->me->n_installed; i++)
        cap += ts->me->installed[i]->compute;
    field_t *fl = s_field(f, FIELD_CHOICE, "Chip family to rent out",
                          "Compute you have installed, by chip family.", old ? old->family : "");
    s_family_choices(h, fl, MOVE_COMPUTE_OFFER);
    if (!fl->def[0] && fl->n_choices)
        s_copy(fl->def, sizeof fl->def, fl->choices[0]);
    fw_human_text_amount(def, sizeof def, old ? old->price : 2000);
    s_field(f, FIELD_AMOUNT, "Price per H100-month ($)",
            "Labs pay this for each H100-month they rent. Cheaper wins more labs.", def);
    fw_human_text_amount(def, sizeof def, old ? old->quantity : cap > 0 ? cap : 1000);
    s_field(f, FIELD_AMOUNT, "Capacity on offer (H100-months)",
            "At most what you have installed in that family.", def);
}

static void s_open_sell(fw_human_t *h, form_t *f, const move_t *old)
{
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    int64_t cap = 0;
    char def[FH_ID];
    field_t *fl = s_field(f, FIELD_CHOICE, "Chip family to sell",
                          "The chips your factory makes.", old ? old->family : "");
    s_family_choices(h, fl, MOVE_CHIP_OFFER);
    if (!fl->def[0] && fl->n_choices)
        s_copy(fl->def, sizeof fl->def, fl->choices[0]);
    for (size_t i = 0; ts && ts->me && i < ts->me->n_capacity; i++)
        cap = ts->me->capacity[i]->units > cap ? ts->me->capacity[i]->units : cap;
    fw_human_text_amount(def, sizeof def, old ? old->price : 25000);
    s_field(f, FIELD_AMOUNT, "Price per chip ($)",
            "Clouds pay this per chip. Above your cost is profit; too high and they buy "
            "elsewhere.", def);
    fw_human_text_amount(def, sizeof def, old ? old->quantity : cap > 0 ? cap : 1000);
    s_field(f, FIELD_AMOUNT, "Chips on offer",
            "At most what your factory can make this tick (YOUR COMPANY).", def);
}

/* The fields of an investment: defaults are the first lab, its valuation on the
 * market and 5% of it (at most the cash). */
static void s_open_invest(fw_human_t *h, form_t *f, const move_t *old)
{
    char def[FH_ID];
    field_t *fl = s_field(f, FIELD_CHOICE, "Lab to invest in",
                          "The lab gets your offer next tick and may accept or reject it.",
                          old ? old->who : "");
    for (size_t i = 0; i < h->n_seats; i++)
        if (h->seats[i].role == FLYWHEEL__V1__ROLE__ROLE_LAB)
            s_choice(fl, h->seats[i].id);
    if (!fl->def[0] && fl->n_choices)
        s_copy(fl->def, sizeof fl->def, fl->choices[0]);
    int64_t valuation = s_valuation(h, fl->def);
    fw_human_text_amount(def, sizeof def, old ? old->quantity : s_stake(h, valuation));
    s_field(f, FIELD_AMOUNT, "Amount to invest ($)", "e.g. 2B = two billion dollars.", def);
    fw_human_text_amount(def, sizeof def, old ? old->price : valuation);
    s_field(f, FIELD_AMOUNT, "Valuation of the lab ($)",
            "Your share of the lab = amount / valuation. Default: its value on the market.",
            def);
    snprintf(def, sizeof def, "%g", old ? old->fraction * 100.0
             : h->role == FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER ? 50.0 : 0.0);
    s_field(f, FIELD_PERCENT, "Part paid as credits on your cloud (%)",
            "Credits can only be spent on your cloud, so the money comes back to you "
            "(clouds only; chip makers pay cash: 0).", def);
}

static void s_open_move_form(fw_human_t *h, move_kind_t kind, int editing)
{
    form_t *f = &h->form;
    const move_t *old = editing >= 0 ? &h->moves[editing] : NULL;
    memset(f, 0, sizeof *f);
    f->kind = FORM_MOVE;
    f->move = kind;
    f->editing = editing;
    switch (kind) {
    case MOVE_COMPUTE_BID: s_open_bid(h, f, old); break;
    case MOVE_CHIP_ORDER: s_open_order(h, f, old); break;
    case MOVE_COMPUTE_OFFER: s_open_rent_out(h, f, old); break;
    case MOVE_CHIP_OFFER: s_open_sell(h, f, old); break;
    case MOVE_PROPOSAL: s_open_invest(h, f, old); break;
    }
}

static void s_open_simple(fw_human_t *h, form_kind_t kind, const char *label, const char *help,
                          int64_t max)
{
    form_t *f = &h->form;
    memset(f, 0, sizeof *f);
    f->kind = kind;
    field_t *fl = s_field(f, FIELD_INDEX, label, help, max == 1 ? "1" : "");
    fl->max = max;
}

static void s_open_add(fw_human_t *h)
{
    form_t *f = &h->form;
    memset(f, 0, sizeof *f);
    f->kind = FORM_ADD_KIND;
    field_t *fl = s_field(f, FIELD_CHOICE, "Kind of move", "Type the word or its number.", "");
    switch (h->role) {
    case FLYWHEEL__V1__ROLE__ROLE_LAB:
        s_choice(fl, "bid");
        break;
    case FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER:
        s_choice(fl, "order");
        s_choice(fl, "rent-out");
        s_choice(fl, "invest");
        fl->help = "order = buy chips from a maker; rent-out = offer compute to labs; "
                   "invest = propose an investment to a lab.";
        break;
    case FLYWHEEL__V1__ROLE__ROLE_VENDOR:
        s_choice(fl, "sell");
        s_choice(fl, "invest");
        fl->help = "sell = offer chips to clouds; invest = propose an investment to a lab.";
        break;
    default:
        break;
    }
    s_copy(fl->def, sizeof fl->def, fl->n_choices ? fl->choices[0] : "");
    if (fl->n_choices == 1)
        s_open_move_form(h, h->role == FLYWHEEL__V1__ROLE__ROLE_LAB ? MOVE_COMPUTE_BID
                                                                     : MOVE_CHIP_OFFER, -1);
}

/* Checks what the player typed in fl (or its default) and stores the value. Returns 0,
 * or -1 with what is wrong and what to do in why. */
static int s_check_field(field_t *fl, char *why, size_t len)
{
    const char *in = fl->len ? fl->buf : fh_default(fl);
    if (!in[0]) {
        snprintf(why, len, "Please type a value (Esc cancels).");
        return -1;
    }
    switch (fl->kind) {
    case FIELD_CHOICE: {
        char *end;
        long idx = strtol(in, &end, 10);
        if (*end == '\0' && end != in && idx >= 1 && (size_t)idx <= fl->n_choices) {
            s_copy(fl->text, sizeof fl->text, fl->choices[idx - 1]);
            return 0;
        }
        for (size_t i = 0; i < fl->n_choices; i++)
            if (strcasecmp(in, fl->choices[i]) == 0) {
                s_copy(fl->text, sizeof fl->text, fl->choices[i]);
                return 0;
            }
        snprintf(why, len, "'%.24s' is not one of the choices shown. Type one of them or its "
                 "number (Esc cancels).", in);
        return -1;
    }
    case FIELD_AMOUNT:
        if (fw_human_text_parse_amount(in, &fl->value) != 0) {
            snprintf(why, len, "'%.24s' is not an amount: type a number like 40000, 40k or "
                     "2.5M.", in);
            return -1;
        }
        return 0;
    case FIELD_PERCENT: {
        char *end;
        char clean[FH_INPUT + 1];
        s_copy(clean, sizeof clean, in);
        size_t n = strlen(clean);
        if (n && clean[n - 1] == '%')
            clean[n - 1] = '\0';
        errno = 0;
        double v = strtod(clean, &end);
        if (errno || end == clean || *end || !(v >= 0 && v <= 100)) {
            snprintf(why, len, "'%.24s' is not a percentage from 0 to 100: type a number "
                     "like 50.", in);
            return -1;
        }
        fl->fraction = v / 100.0;
        return 0;
    }
    case FIELD_INDEX: {
        char *end;
        errno = 0;
        long v = strtol(in, &end, 10);
        if (errno || end == in || *end || v < 1 || v > fl->max) {
            snprintf(why, len, "Type a number from 1 to %" PRId64 ".", fl->max);
            return -1;
        }
        fl->value = v;
        return 0;
    }
    }
    snprintf(why, len, "Type a value and press Enter (Esc cancels).");
    return -1;
}

/* s_check_field, telling the player what is wrong. 0 or -1. */
static int s_accept_field(fw_human_t *h, field_t *fl)
{
    char why[sizeof h->message];
    if (s_check_field(fl, why, sizeof why) == 0)
        return 0;
    s_say(h, 1, "%s", why);
    return -1;
}

/* Whether Enter would finish the form now: the player is on its last field and what
 * is typed there (or its default) is valid. */
static int s_form_complete(form_t *f)
{
    char why[160];
    return f->n_fields && f->cur + 1 == f->n_fields &&
           s_check_field(&f->fields[f->cur], why, sizeof why) == 0;
}

/* Puts the move of the finished form in the draft, or, when this tick's moves are
 * gone already, keeps it for the next tick's draft. 0, or -1 (the draft is full). */
static int s_commit_move(fw_human_t *h)
{
    form_t *f = &h->form;
    move_t m;
    memset(&m, 0, sizeof m);
    m.kind = f->move;
    switch (f->move) {
    case MOVE_COMPUTE_BID:
        s_copy(m.who, FH_ID, f->fields[0].text);
        s_copy(m.family, FH_ID, f->fields[1].text);
        m.quantity = f->fields[2].value;
        m.price = f->fields[3].value;
        break;
    case MOVE_CHIP_ORDER:
        s_copy(m.family, FH_ID, f->fields[0].text);
        m.quantity = f->fields[1].value;
        m.price = f->fields[2].value;
        break;
    case MOVE_COMPUTE_OFFER:
    case MOVE_CHIP_OFFER:
        s_copy(m.family, FH_ID, f->fields[0].text);
        m.price = f->fields[1].value;
        m.quantity = f->fields[2].value;
        break;
    case MOVE_PROPOSAL:
        s_copy(m.who, FH_ID, f->fields[0].text);
        m.quantity = f->fields[1].value;
        m.price = f->fields[2].value;
        m.fraction = f->fields[3].fraction;
        break;
    }
    if (h->sent || h->closed) {
        h->carry = m;
        h->has_carry = 1;
        s_say(h, 0, "Tick %u's moves were already sent: this move goes into tick %u's moves "
              "when that tick starts.", h->tick, h->tick + 1);
        return 0;
    }
    if (f->editing >= 0 && (size_t)f->editing < h->n_moves) {
        h->moves[f->editing] = m;
        s_say(h, 0, "Move %d changed. Enter sends your moves.", f->editing + 1);
    } else if (h->n_moves < FH_MAX_MOVES) {
        h->moves[h->n_moves++] = m;
        s_say(h, 0, "Move %zu added. Enter sends your moves.", h->n_moves);
    } else {
        s_say(h, 1, "You already have %d moves: delete one first.", FH_MAX_MOVES);
        return -1;
    }
    h->from_house = 0;
    return 0;
}

/* A new tick's draft is ready: the move finished too late for the last tick joins it,
 * and the form the player is in either carries on or, if it pointed at the old
 * tick's numbers, is closed. Says what the player must know first. */
static void s_forms_at_new_tick(fw_human_t *h)
{
    char carried[120] = "";
    if (h->has_carry && h->n_moves < FH_MAX_MOVES) {
        h->moves[h->n_moves++] = h->carry;
        h->from_house = 0;
        snprintf(carried, sizeof carried, "The move you finished after tick %u's moves were "
                 "sent is added as move %zu. ", h->tick - 1, h->n_moves);
    }
    h->has_carry = 0;
    switch (h->form.kind) {
    case FORM_EDIT_WHICH:
    case FORM_DELETE_WHICH:
    case FORM_ANSWER_WHICH:
        h->form.kind = FORM_NONE;
        s_say(h, 1, "Tick %u started, so the change you were choosing was cancelled (its "
              "numbers were tick %u's). %sCheck your moves, then press Enter to send.",
              h->tick, h->tick - 1, carried);
        return;
    case FORM_MOVE:
        h->form.editing = -1; /* the old tick's move numbers mean nothing now */
        /* fall through */
    case FORM_ADD_KIND:
        s_say(h, 0, "Tick %u started. %sFinish the move you are typing and it goes into "
              "tick %u's moves.", h->tick, carried, h->tick);
        return;
    case FORM_QUIT:
        s_say(h, 0, "Tick %u started. %sStill leaving? Type 1 and Enter; Esc stays.", h->tick,
              carried);
        return;
    case FORM_NONE:
        break;
    }
    if (h->house_plays)
        s_say_watching(h);
    else if (carried[0])
        s_say(h, 0, "Tick %u: %sCheck your moves, then press Enter to send.", h->tick,
              carried);
    else
        s_say(h, 0, "Tick %u: your moves below are the house bot's suggestion. Change them "
              "or press Enter to send.", h->tick);
}

/* The current field is complete: go on to the next, or finish the form. */
static fw_human_do_t s_form_next(fw_human_t *h, int64_t now_ms)
{
    form_t *f = &h->form;
    field_t *fl = &f->fields[f->cur];
    (void)now_ms;
    if (s_accept_field(h, fl) != 0) {
        fl->len = 0;
        fl->buf[0] = '\0';
        return FW_HUMAN_NOTHING;
    }
    h->message[0] = '\0';
    if (f->kind == FORM_MOVE)
        s_follow_choice(h, f, f->cur);
    if (++f->cur < f->n_fields)
        return FW_HUMAN_NOTHING;
    switch (f->kind) {
    case FORM_ADD_KIND: {
        const char *k = f->fields[0].text;
        move_kind_t kind = strcmp(k, "order") == 0      ? MOVE_CHIP_ORDER
                           : strcmp(k, "rent-out") == 0 ? MOVE_COMPUTE_OFFER
                           : strcmp(k, "sell") == 0     ? MOVE_CHIP_OFFER
                           : strcmp(k, "invest") == 0   ? MOVE_PROPOSAL
                                                        : MOVE_COMPUTE_BID;
        s_open_move_form(h, kind, -1);
        return FW_HUMAN_NOTHING;
    }
    case FORM_MOVE:
        s_commit_move(h);
        break;
    case FORM_EDIT_WHICH: {
        int i = (int)f->fields[0].value - 1;
        s_open_move_form(h, h->moves[i].kind, i);
        return FW_HUMAN_NOTHING;
    }
    case FORM_DELETE_WHICH: {
        size_t i = (size_t)f->fields[0].value - 1;
        memmove(&h->moves[i], &h->moves[i + 1], (h->n_moves - i - 1) * sizeof *h->moves);
        h->n_moves--;
        h->from_house = 0;
        s_say(h, 0, "Move %zu deleted.", i + 1);
        break;
    }
    case FORM_ANSWER_WHICH: {
        size_t i = (size_t)f->fields[0].value - 1;
        h->answers[i] = f->accept ? 1 : 2;
        h->from_house = 0;
        s_say(h, 0, "Proposal P%zu: you %s it (sent with your moves).", i + 1,
              f->accept ? "accept" : "reject");
        break;
    }
    case FORM_QUIT:
        f->kind = FORM_NONE;
        return f->fields[0].value == 1 ? FW_HUMAN_QUIT : FW_HUMAN_NOTHING;
    case FORM_NONE:
        break;
    }
    f->kind = FORM_NONE;
    return FW_HUMAN_NOTHING;
}

static fw_human_do_t s_form_key(fw_human_t *h, int key, int64_t now_ms)
{
    form_t *f = &h->form;
    field_t *fl = &f->fields[f->cur];
    if (key == FW_HUMAN_KEY_ESCAPE) {
        f->kind = FORM_NONE;
        s_say(h, 0, "Cancelled.");
        return FW_HUMAN_NOTHING;
    }
    if (key == FW_HUMAN_KEY_ENTER || key == '\r' || key == '\n')
        return s_form_next(h, now_ms);
    if (key == FW_HUMAN_KEY_BACKSPACE || key == 127 || key == 8) {
        if (fl->len)
            fl->buf[--fl->len] = '\0';
        return FW_HUMAN_NOTHING;
    }
    if (key == FW_HUMAN_KEY_HELP) {
        h->help = !h->help;
        return FW_HUMAN_NOTHING;
    }
    if (key >= 32 && key < 127) {
        if (fl->len < FH_INPUT) {
            fl->buf[fl->len++] = (char)key;
            fl->buf[fl->len] = '\0';
        } else {
            s_say(h, 1, "That is long enough: Enter to accept, Backspace to correct.");
        }
        return FW_HUMAN_NOTHING;
    }
    s_say(h, 1, "Type a value and press Enter (Esc cancels).");
    return FW_HUMAN_NOTHING;
}

/* ---- keys ------------------------------------------------------------------------- */

static int s_can_edit(fw_human_t *h)
{
    if (h->over) {
        s_say(h, 0, "The game is over. Press any key to leave.");
        return 0;
    }
    if (!h->tick_start) {
        if (fh_in_lobby(h))
            s_say(h, 0, "The game has not started yet: wait for the first tick.");
        else
            s_say(h, 0, "There is no tick to play yet: wait for the next one.");
        return 0;
    }
    if (h->sent && h->house_plays) {
        s_say(h, 0, "You are back: the house bot plays tick %u, your moves count again from "
              "tick %u. Wait for it.", h->tick, h->tick + 1);
        return 0;
    }
    if (h->sent) {
        s_say(h, 0, "Your moves for tick %u are sent. Wait for the next tick.", h->tick);
        return 0;
    }
    if (fh_paused(h)) {
        s_say(h, 0, "Paused by the teacher after tick %u. Wait for the game to resume.",
              h->game.tick);
        return 0;
    }
    if (h->closed) {
        s_say(h, 0, "Tick %u is over. Wait for tick %u to make your moves.", h->tick,
              h->tick + 1);
        return 0;
    }
    return 1;
}

fw_human_do_t fw_human_key(fw_human_t *h, int key, int64_t now_ms)
{
    if (h->help) {
        /* Any key leaves the help page; it does nothing else. */
        h->help = 0;
        return FW_HUMAN_NOTHING;
    }
    if (h->over)
        return FW_HUMAN_QUIT;
    if (h->form.kind != FORM_NONE)
        return s_form_key(h, key, now_ms);
    switch (key) {
    case '?':
    case FW_HUMAN_KEY_HELP:
        h->help = 1;
        return FW_HUMAN_NOTHING;
    case 'q':
    case 'Q':
        s_open_simple(h, FORM_QUIT, "Leave the game? Type 1 and Enter to leave",
                      "The house bot plays your company until you come back with your "
                      "resume token. Esc stays.", 1);
        h->form.fields[0].def[0] = '\0';
        return FW_HUMAN_NOTHING;
    case FW_HUMAN_KEY_ENTER:
    case '\r':
    case '\n':
        if (!s_can_edit(h))
            return FW_HUMAN_NOTHING;
        if (h->link == FW_HUMAN_LINK_LOST) {
            s_say(h, 1, "Nothing was sent: the game server is out of reach. Your moves are "
                  "kept; press Enter again once the banner at the top is gone.");
            return FW_HUMAN_NOTHING;
        }
        if (now_ms - h->changed_at < S_GUARD_MS) {
            s_say(h, 1, "%s: check your moves, then press Enter to send.", h->changed_why);
            return FW_HUMAN_NOTHING;
        }
        return FW_HUMAN_SEND;
    case 'a':
    case 'A':
        if (s_can_edit(h))
            s_open_add(h);
        return FW_HUMAN_NOTHING;
    case 'e':
    case 'E':
    case 'd':
    case 'D':
        if (!s_can_edit(h))
            return FW_HUMAN_NOTHING;
        if (!h->n_moves) {
            s_say(h, 0, "You have no moves yet: press a to add one.");
            return FW_HUMAN_NOTHING;
        }
        s_open_simple(h, tolower(key) == 'e' ? FORM_EDIT_WHICH : FORM_DELETE_WHICH,
                      tolower(key) == 'e' ? "Number of the move to change"
                                          : "Number of the move to delete",
                      "The number at the start of the move's line.", (int64_t)h->n_moves);
        return FW_HUMAN_NOTHING;
    case 'c':
    case 'C':
        if (!s_can_edit(h))
            return FW_HUMAN_NOTHING;
        h->n_moves = 0;
        h->from_house = 0;
        s_say(h, 0, "All moves cleared: Enter now sends \"do nothing\"; h brings back the "
              "house bot's suggestion.");
        return FW_HUMAN_NOTHING;
    case 'h':
    case 'H':
        if (!s_can_edit(h))
            return FW_HUMAN_NOTHING;
        memcpy(h->moves, h->suggested, h->n_suggested * sizeof *h->moves);
        h->n_moves = h->n_suggested;
        if (h->n_answers)
            memcpy(h->answers, h->suggested_answers, h->n_answers * sizeof *h->answers);
        h->from_house = 1;
        s_say(h, 0, "Your moves are the house bot's suggestion again.");
        return FW_HUMAN_NOTHING;
    case 'y':
    case 'Y':
    case 'n':
    case 'N':
        if (!s_can_edit(h))
            return FW_HUMAN_NOTHING;
        if (!h->n_answers) {
            s_say(h, 0, "No investment proposal is waiting for your answer. Wait for one to "
                  "show under PROPOSALS.");
            return FW_HUMAN_NOTHING;
        }
        s_open_simple(h, FORM_ANSWER_WHICH,
                      tolower(key) == 'y' ? "Accept which proposal (P number)"
                                          : "Reject which proposal (P number)",
                      "Proposals are listed under PROPOSALS.", (int64_t)h->n_answers);
        h->form.accept = tolower(key) == 'y';
        return FW_HUMAN_NOTHING;
    default:
        if (key >= 32 && key < 127)
            s_say(h, 1, "The key '%c' does nothing here. Press ? for help.", key);
        else
            s_say(h, 1, "That key does nothing here. Press ? for help.");
        return FW_HUMAN_NOTHING;
    }
}

/* The deadline is here and the draft goes: what becomes of the form the player is in.
 * A finished move goes with the draft; one still being typed stays open for the next
 * tick; a choice among this tick's numbers is closed; the quit question stays. */
static void s_forms_at_deadline(fw_human_t *h, int64_t now_ms)
{
    if (h->form.kind != FORM_NONE && h->form.kind != FORM_QUIT)
        s_changed(h, now_ms, "The time ran out while you were typing");
    form_t *f = &h->form;
    switch (f->kind) {
    case FORM_MOVE:
        if (s_form_complete(f)) {
            int added = s_commit_move(h) == 0;
            f->kind = FORM_NONE;
            if (added)
                s_say(h, 0, "Time is up: your moves were sent, including the one you were "
                      "typing.");
            else
                s_say(h, 1, "Time is up: your moves were sent without the one you were "
                      "typing, since you already had %d. Add it next tick.", FH_MAX_MOVES);
            return;
        }
        /* fall through */
    case FORM_ADD_KIND:
        s_say(h, 1, "Time is up: your other moves were sent; finish this one and it goes "
              "into tick %u's moves.", h->tick + 1);
        return;
    case FORM_EDIT_WHICH:
    case FORM_DELETE_WHICH:
    case FORM_ANSWER_WHICH:
        f->kind = FORM_NONE;
        s_say(h, 1, "Time is up: your moves were sent as they stood; the change you were "
              "choosing was not made. Wait for the next tick.");
        return;
    case FORM_QUIT:
        s_say(h, 0, "Time is up: your moves were sent. Still leaving? Type 1 and Enter; "
              "Esc stays.");
        return;
    case FORM_NONE:
        s_say(h, 0, "Time is up: your moves were sent%s.",
              h->from_house ? " (the house bot's suggestion)" : "");
        return;
    }
}

fw_human_do_t fw_human_clock(fw_human_t *h, int64_t now_ms)
{
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    /* While the house bot plays, nothing goes on its own: a player who walked away must
     * not take the seat back by being away. */
    if (!ts || h->sent || h->closed || h->over || ts->deadline_unix_ms <= 0 || fh_paused(h) ||
        h->house_plays || h->link == FW_HUMAN_LINK_LOST)
        return FW_HUMAN_NOTHING;
    if (now_ms < ts->deadline_unix_ms - h->lead_ms)
        return FW_HUMAN_NOTHING;
    s_forms_at_deadline(h, now_ms);
    h->auto_sent = 1;
    return FW_HUMAN_SEND;
}

/* ---- sending ---------------------------------------------------------------------- */

static fw_envelope_t *s_begin(fw_human_t *h, uint32_t tick)
{
    fw_envelope_t *e = &h->out;
    flywheel__v1__envelope__init(e);
    e->protocol_version = FW_PROTOCOL_VERSION;
    e->run_id = h->run_id;
    e->tick = tick;
    e->seq = ++h->seq;
    e->seat = h->seat;
    return e;
}

const fw_envelope_t *fw_human_actions(fw_human_t *h)
{
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    if (!ts || h->sent || h->closed || h->over)
        return NULL;
    fw_arena_t *a = h->arena;
    Flywheel__V1__Actions *out = &h->actions;
    fw_arena_reset(a);
    flywheel__v1__actions__init(out);
    size_t n_prop = 0;
    for (size_t i = 0; i < h->n_moves; i++)
        n_prop += h->moves[i].kind == MOVE_PROPOSAL;
    if (n_prop)
        out->proposals = fw_arena_calloc(a, n_prop, sizeof *out->proposals);
    for (size_t i = 0; i < h->n_moves; i++) {
        const move_t *m = &h->moves[i];
        switch (m->kind) {
        case MOVE_CHIP_OFFER:
            fw_actions_add_chip_offer(out, a, m->family, m->price, m->quantity);
            break;
        case MOVE_CHIP_ORDER:
            fw_actions_add_chip_order(out, a, m->family, m->quantity, m->price);
            break;
        case MOVE_COMPUTE_OFFER:
            fw_actions_add_compute_offer(out, a, m->family, m->price, m->quantity);
            break;
        case MOVE_COMPUTE_BID:
            fw_actions_add_compute_bid(out, a, m->who, m->family, m->quantity, m->price);
            break;
        case MOVE_PROPOSAL: {
            Flywheel__V1__InvestmentProposal *p = fw_arena_calloc(a, 1, sizeof *p);
            Flywheel__V1__InvestmentTerms *t = fw_arena_calloc(a, 1, sizeof *t);
            flywheel__v1__investment_proposal__init(p);
            flywheel__v1__investment_terms__init(t);
            p->lab = fw_arena_strdup(a, m->who);
            t->amount = m->quantity;
            t->valuation = m->price;
            t->credit_fraction = m->fraction;
            t->chip_family = "";
            t->duration = 12;
            p->terms = t;
            out->proposals[out->n_proposals++] = p;
            break;
        }
        }
    }
    size_t n_ans = 0;
    for (size_t i = 0; i < h->n_answers; i++)
        n_ans += h->answers[i] != 0;
    h->n_sent_answers = 0;
    if (n_ans) {
        out->answers = fw_arena_calloc(a, n_ans, sizeof *out->answers);
        for (size_t i = 0; i < h->n_answers; i++) {
            if (!h->answers[i])
                continue;
            Flywheel__V1__ProposalAnswer *pa = fw_arena_calloc(a, 1, sizeof *pa);
            flywheel__v1__proposal_answer__init(pa);
            pa->proposal_id = ts->me->proposals[i]->id;
            pa->accept = h->answers[i] == 1;
            out->answers[out->n_answers++] = pa;
            if (h->n_sent_answers < FH_MAX_MOVES)
                s_copy(h->sent_answers[h->n_sent_answers++], FH_ID,
                       ts->me->proposals[i]->investor);
        }
    }
    memcpy(h->sent_moves, h->moves, h->n_moves * sizeof *h->moves);
    h->n_sent_moves = h->n_moves;
    h->sent_tick = h->tick;
    fw_envelope_t *e = s_begin(h, h->tick);
    e->body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    e->actions = out;
    h->sent = 1;
    if (h->house_plays) {
        h->back = 1;
        s_say(h, 0, "Sent: you are back. The house bot still plays tick %u; your moves count "
              "again from tick %u.", h->tick, h->tick + 1);
    } else if (!h->auto_sent) {
        s_say(h, 0, "Sent %zu move%s for tick %u. Waiting for the other players...",
              h->n_moves, h->n_moves == 1 ? "" : "s", h->tick);
    }
    h->auto_sent = 0;
    return e;
}

const fw_envelope_t *fw_human_bye(fw_human_t *h)
{
    fw_envelope_t *e = s_begin(h, h->tick);
    flywheel__v1__bye__init(&h->bye);
    h->bye.reason = "the player left";
    e->body_case = FLYWHEEL__V1__ENVELOPE__BODY_BYE;
    e->bye = &h->bye;
    return e;
}

uint32_t fw_human_tick(const fw_human_t *h) { return h->tick; }
int fw_human_sent(const fw_human_t *h) { return h->sent; }
size_t fw_human_moves(const fw_human_t *h) { return h->n_moves; }
const char *fw_human_token(const fw_human_t *h) { return h->token; }
const char *fw_human_message(const fw_human_t *h) { return h->message; }

void fw_human_set_link(fw_human_t *h, fw_human_link_t link, int64_t since_ms,
                       int64_t retry_at_ms)
{
    fw_human_link_t was = h->link;
    h->link = link;
    h->link_since = since_ms;
    h->link_retry = retry_at_ms;
    if (was == FW_HUMAN_LINK_LOST && link == FW_HUMAN_LINK_UP) {
        /* The banner goes away under the player's eyes. */
        s_changed(h, since_ms, "The game server answers again");
        s_say(h, 0, "Back in contact with the game server.");
    } else if (was != FW_HUMAN_LINK_LOST && link == FW_HUMAN_LINK_LOST) {
        s_say(h, 1, "Lost contact with the game server. Your moves are kept: wait for it to "
              "answer, or press q to leave.");
    }
}

void fw_human_set_address(fw_human_t *h, const char *url, const char *name)
{
    s_copy(h->url, sizeof h->url, url);
    s_copy(h->name, sizeof h->name, name);
}
