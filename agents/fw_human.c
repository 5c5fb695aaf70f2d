/* fw_human: see fw_human.h. The screen model's state and its life: messages from the
 * coordinator, keys outside a form, the clock, and the Actions that go out. The forms
 * the player fills in are in fw_human_forms.c, the drawing in fw_human_screen.c. */
#include "fw_human_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_human_text.h"
#include "fw_strategy.h"
#include "fw_version.h"

#define S_AUTO_SEND_MS 1500  /* send the draft this long before the deadline, at most */
#define S_GUARD_MS 1000      /* Enter does not send this soon after the screen changed */

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
    fh_copy(h->seat, sizeof h->seat, w->seat);
    fh_copy(h->company, sizeof h->company, w->seat);
    fh_copy(h->run_id, sizeof h->run_id, welcome->run_id);
    fh_copy(h->token, sizeof h->token, w->resume_token);
    h->role = w->role;
    h->ticks = w->ticks;
    h->n_seats = w->n_seats;
    for (size_t i = 0; i < w->n_seats; i++) {
        fh_copy(h->seats[i].id, sizeof h->seats[i].id, w->seats[i]->id);
        fh_copy(h->seats[i].name, sizeof h->seats[i].name, w->seats[i]->name);
        h->seats[i].role = w->seats[i]->role;
        if (strcmp(w->seats[i]->id, w->seat) == 0 && w->seats[i]->name[0])
            fh_copy(h->company, sizeof h->company, w->seats[i]->name);
    }
    h->n_families = w->n_families;
    for (size_t i = 0; i < w->n_families; i++) {
        fh_copy(h->families[i], FH_ID, w->families[i]->id);
        fh_copy(h->captive[i], FH_ID, w->families[i]->captive_of);
    }
    h->seq = 1;
    fh_changed(h, INT64_MIN / 2, "");
    /* Not "the game has not started": this Welcome may be a player's return. */
    fh_say(h, 0, "Welcome! You play %s, %s. Press ? for help.", h->company,
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

static size_t s_moves_from_actions(const Flywheel__V1__Actions *a, move_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_chip_offers && n < cap; i++, n++) {
        out[n] = (move_t){.kind = MOVE_CHIP_OFFER, .quantity = a->chip_offers[i]->quantity,
                          .price = a->chip_offers[i]->price};
        fh_copy(out[n].family, FH_ID, a->chip_offers[i]->family);
    }
    for (size_t i = 0; i < a->n_chip_orders && n < cap; i++, n++) {
        out[n] = (move_t){.kind = MOVE_CHIP_ORDER, .quantity = a->chip_orders[i]->quantity,
                          .price = a->chip_orders[i]->max_price};
        fh_copy(out[n].family, FH_ID, a->chip_orders[i]->family);
    }
    for (size_t i = 0; i < a->n_compute_offers && n < cap; i++, n++) {
        out[n] = (move_t){.kind = MOVE_COMPUTE_OFFER,
                          .quantity = a->compute_offers[i]->capacity,
                          .price = a->compute_offers[i]->price};
        fh_copy(out[n].family, FH_ID, a->compute_offers[i]->family);
    }
    for (size_t i = 0; i < a->n_compute_bids && n < cap; i++, n++) {
        out[n] = (move_t){.kind = MOVE_COMPUTE_BID, .quantity = a->compute_bids[i]->quantity,
                          .price = a->compute_bids[i]->max_price};
        fh_copy(out[n].who, FH_ID, a->compute_bids[i]->provider);
        fh_copy(out[n].family, FH_ID, a->compute_bids[i]->family);
    }
    for (size_t i = 0; i < a->n_proposals && n < cap; i++) {
        const Flywheel__V1__InvestmentProposal *p = a->proposals[i];
        if (!p->terms)
            continue;
        out[n] = (move_t){.kind = MOVE_PROPOSAL, .quantity = p->terms->amount,
                          .price = p->terms->valuation,
                          .fraction = p->terms->credit_fraction};
        fh_copy(out[n].who, FH_ID, p->lab);
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

/* The tick on screen again (a reconnection sends it anew): only who plays it can have
 * changed. */
static void s_same_tick(fw_human_t *h, const Flywheel__V1__TickStart *ts)
{
    if (ts->house_plays == h->house_plays)
        return;
    h->house_plays = ts->house_plays;
    if (h->house_plays) {
        h->back = h->back || h->welcomed || s_my_seat_returning(h);
        fh_say_watching(h);
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
        fh_say(h, 1, "Could not read tick %u; the game goes on without you this tick. Wait "
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
    h->turn_deadline = fh_local_deadline(ts->deadline_in_ms, ts->deadline_unix_ms, now_ms);
    int64_t turn = h->turn_deadline - now_ms;
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
    fh_changed(h, now_ms, "A new tick just started");
    fh_forms_at_new_tick(h);
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
    case FLYWHEEL__V1__FILL_KIND__FILL_TAKE_OR_PAY: return "take-or-pay shortfall with";
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
            f->kind == FLYWHEEL__V1__FILL_KIND__FILL_PENALTY ||
            f->kind == FLYWHEEL__V1__FILL_KIND__FILL_TAKE_OR_PAY)
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
        fh_copy(h->token, sizeof h->token, w->resume_token);
    h->link = FW_HUMAN_LINK_UP; /* a Welcome is the game server talking */
    h->welcomed = 1;
    if (h->house_plays)
        h->back = 1;
    fh_changed(h, now_ms, "You are back in the game");
    if (h->tick_start && !h->closed && !h->sent && !h->house_plays)
        fh_say(h, 0, "Welcome back! The seat is yours again: check your moves, then press "
               "Enter to send.");
    else
        fh_say(h, 0, "Welcome back! The seat is yours again from the next tick.");
}

static void s_on_status(fw_human_t *h, const Flywheel__V1__GameStatus *gs, int64_t now_ms)
{
    game_t *g = &h->game;
    int was_paused = g->known && g->phase == FLYWHEEL__V1__PHASE__PHASE_PAUSED;
    int was_lobby = !g->known || g->phase == FLYWHEEL__V1__PHASE__PHASE_LOBBY;
    g->known = 1;
    g->phase = gs->phase;
    g->tick = gs->tick;
    fh_copy(g->pacing, sizeof g->pacing, gs->pacing);
    g->deadline = fh_local_deadline(gs->deadline_in_ms, gs->deadline_unix_ms, now_ms);
    g->wanted = gs->players_wanted;
    if (gs->ticks)
        h->ticks = gs->ticks;
    for (size_t i = 0; i < gs->n_seats; i++)
        for (size_t s = 0; s < h->n_seats; s++)
            if (gs->seats[i]->seat && strcmp(gs->seats[i]->seat, h->seats[s].id) == 0) {
                h->seats[s].holder = gs->seats[i]->holder;
                fh_copy(h->seats[s].player, sizeof h->seats[s].player, gs->seats[i]->player);
                h->seats[s].returning = gs->seats[i]->returning;
            }
    if (h->house_plays && s_my_seat_returning(h))
        h->back = 1;
    /* A tick the game has cleared is over, whatever its deadline said. */
    if (h->tick_start && gs->tick >= h->tick && g->phase != FLYWHEEL__V1__PHASE__PHASE_LOBBY)
        h->closed = 1;
    if (g->phase == FLYWHEEL__V1__PHASE__PHASE_PAUSED && !was_paused) {
        fh_say(h, 0, "Paused by the teacher after tick %u. Wait for the game to resume; q "
               "leaves.", gs->tick);
    } else if (was_paused && g->phase == FLYWHEEL__V1__PHASE__PHASE_RUNNING) {
        fh_changed(h, now_ms, "The game just resumed");
        fh_say(h, 0, "The game resumed%s.",
               h->tick_start && !h->closed ? ": check your moves, then press Enter to send"
                                          : ": the next tick starts now");
    } else if (was_lobby && g->phase == FLYWHEEL__V1__PHASE__PHASE_RUNNING && !h->tick_start) {
        fh_say(h, 0, "The game is on: your first tick is on its way.");
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
        fh_say(h, 0, "The game is over (%.100s). Press any key to leave.",
               in->bye && in->bye->reason ? in->bye->reason : "bye");
        return FW_AGENT_BYE;
    default:
        return FW_AGENT_CONTINUE;
    }
}

/* ---- keys ------------------------------------------------------------------------- */

static int s_can_edit(fw_human_t *h)
{
    if (h->over) {
        fh_say(h, 0, "The game is over. Press any key to leave.");
        return 0;
    }
    if (!h->tick_start) {
        if (fh_in_lobby(h))
            fh_say(h, 0, "The game has not started yet: wait for the first tick.");
        else
            fh_say(h, 0, "There is no tick to play yet: wait for the next one.");
        return 0;
    }
    if (h->sent && h->house_plays) {
        fh_say(h, 0, "You are back: the house bot plays tick %u, your moves count again from "
               "tick %u. Wait for it.", h->tick, h->tick + 1);
        return 0;
    }
    if (h->sent) {
        fh_say(h, 0, "Your moves for tick %u are sent. Wait for the next tick.", h->tick);
        return 0;
    }
    if (fh_paused(h)) {
        fh_say(h, 0, "Paused by the teacher after tick %u. Wait for the game to resume.",
               h->game.tick);
        return 0;
    }
    if (h->closed) {
        fh_say(h, 0, "Tick %u is over. Wait for tick %u to make your moves.", h->tick,
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
        return fh_form_key(h, key, now_ms);
    switch (key) {
    case '?':
    case FW_HUMAN_KEY_HELP:
        h->help = 1;
        return FW_HUMAN_NOTHING;
    case 'q':
    case 'Q':
        fh_open_simple(h, FORM_QUIT, "Leave the game? Type 1 and Enter to leave",
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
            fh_say(h, 1, "Nothing was sent: the game server is out of reach. Your moves are "
                   "kept; press Enter again once the banner at the top is gone.");
            return FW_HUMAN_NOTHING;
        }
        if (now_ms - h->changed_at < S_GUARD_MS) {
            fh_say(h, 1, "%s: check your moves, then press Enter to send.", h->changed_why);
            return FW_HUMAN_NOTHING;
        }
        return FW_HUMAN_SEND;
    case 'a':
    case 'A':
        if (s_can_edit(h))
            fh_open_add(h);
        return FW_HUMAN_NOTHING;
    case 'e':
    case 'E':
    case 'd':
    case 'D':
        if (!s_can_edit(h))
            return FW_HUMAN_NOTHING;
        if (!h->n_moves) {
            fh_say(h, 0, "You have no moves yet: press a to add one.");
            return FW_HUMAN_NOTHING;
        }
        fh_open_simple(h, tolower(key) == 'e' ? FORM_EDIT_WHICH : FORM_DELETE_WHICH,
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
        fh_say(h, 0, "All moves cleared: Enter now sends \"do nothing\"; h brings back the "
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
        fh_say(h, 0, "Your moves are the house bot's suggestion again.");
        return FW_HUMAN_NOTHING;
    case 'y':
    case 'Y':
    case 'n':
    case 'N':
        if (!s_can_edit(h))
            return FW_HUMAN_NOTHING;
        if (!h->n_answers) {
            fh_say(h, 0, "No investment proposal is waiting for your answer. Wait for one to "
                   "show under PROPOSALS.");
            return FW_HUMAN_NOTHING;
        }
        fh_open_simple(h, FORM_ANSWER_WHICH,
                       tolower(key) == 'y' ? "Accept which proposal (P number)"
                                          : "Reject which proposal (P number)",
                       "Proposals are listed under PROPOSALS.", (int64_t)h->n_answers);
        h->form.accept = tolower(key) == 'y';
        return FW_HUMAN_NOTHING;
    default:
        if (key >= 32 && key < 127)
            fh_say(h, 1, "The key '%c' does nothing here. Press ? for help.", key);
        else
            fh_say(h, 1, "That key does nothing here. Press ? for help.");
        return FW_HUMAN_NOTHING;
    }
}

fw_human_do_t fw_human_clock(fw_human_t *h, int64_t now_ms)
{
    const Flywheel__V1__TickStart *ts = fh_ts(h);
    /* While the house bot plays, nothing goes on its own: a player who walked away must
     * not take the seat back by being away. */
    if (!ts || h->sent || h->closed || h->over || h->turn_deadline <= 0 || fh_paused(h) ||
        h->house_plays || h->link == FW_HUMAN_LINK_LOST)
        return FW_HUMAN_NOTHING;
    if (now_ms < h->turn_deadline - h->lead_ms)
        return FW_HUMAN_NOTHING;
    fh_forms_at_deadline(h, now_ms);
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
                fh_copy(h->sent_answers[h->n_sent_answers++], FH_ID,
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
        fh_say(h, 0, "Sent: you are back. The house bot still plays tick %u; your moves count "
               "again from tick %u.", h->tick, h->tick + 1);
    } else if (!h->auto_sent) {
        fh_say(h, 0, "Sent %zu move%s for tick %u. Waiting for the other players...",
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
        fh_changed(h, since_ms, "The game server answers again");
        fh_say(h, 0, "Back in contact with the game server.");
    } else if (was != FW_HUMAN_LINK_LOST && link == FW_HUMAN_LINK_LOST) {
        fh_say(h, 1, "Lost contact with the game server. Your moves are kept: wait for it to "
               "answer, or press q to leave.");
    }
}

void fw_human_set_address(fw_human_t *h, const char *url, const char *name)
{
    fh_copy(h->url, sizeof h->url, url);
    fh_copy(h->name, sizeof h->name, name);
}

void fw_human_set_key_options(fw_human_t *h, const char *options)
{
    fh_copy(h->key_options, sizeof h->key_options, options);
}
