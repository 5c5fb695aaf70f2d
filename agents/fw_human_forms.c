/* fw_human_forms: what the player fills in, part of the screen model (fw_human_int.h).
 *
 * A form is a short list of fields typed one at a time: a move (buy compute, order
 * chips, rent out compute, sell chips, invest in a lab), which move to change, delete
 * or answer, and the quit question. Its defaults follow the market on screen (the
 * going price, the lab's valuation), so Enter alone makes a sensible move. A finished
 * move joins the draft; what happens to an open form when a tick starts or the
 * deadline comes is decided here, and told to the player in one message.
 */
#include "fw_human_int.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fw_human_text.h"

/* ---- fields ----------------------------------------------------------------------- */

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
    fh_copy(fl->def, sizeof fl->def, def);
    return fl;
}

static void s_choice(field_t *fl, const char *choice)
{
    for (size_t i = 0; i < fl->n_choices; i++)
        if (strcmp(fl->choices[i], choice) == 0)
            return;
    if (fl->n_choices < FH_MAX_CHOICES)
        fh_copy(fl->choices[fl->n_choices++], FH_ID, choice);
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
            fh_copy(f->fields[1].def, sizeof f->fields[1].def, q->family);
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

/* ---- opening a form -------------------------------------------------------------- */

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
        fh_copy(fl->def, sizeof fl->def, best->family);
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
        fh_copy(fl->def, sizeof fl->def, fl->choices[0]);
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
        fh_copy(fl->def, sizeof fl->def, fl->choices[0]);
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
        fh_copy(fl->def, sizeof fl->def, fl->choices[0]);
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

void fh_open_simple(fw_human_t *h, form_kind_t kind, const char *label, const char *help,
                    int64_t max)
{
    form_t *f = &h->form;
    memset(f, 0, sizeof *f);
    f->kind = kind;
    field_t *fl = s_field(f, FIELD_INDEX, label, help, max == 1 ? "1" : "");
    fl->max = max;
}

void fh_open_add(fw_human_t *h)
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
    fh_copy(fl->def, sizeof fl->def, fl->n_choices ? fl->choices[0] : "");
    if (fl->n_choices == 1)
        s_open_move_form(h, h->role == FLYWHEEL__V1__ROLE__ROLE_LAB ? MOVE_COMPUTE_BID
                                                                     : MOVE_CHIP_OFFER, -1);
}

/* ---- typing into a form ---------------------------------------------------------- */

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
            fh_copy(fl->text, sizeof fl->text, fl->choices[idx - 1]);
            return 0;
        }
        for (size_t i = 0; i < fl->n_choices; i++)
            if (strcasecmp(in, fl->choices[i]) == 0) {
                fh_copy(fl->text, sizeof fl->text, fl->choices[i]);
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
        fh_copy(clean, sizeof clean, in);
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
    fh_say(h, 1, "%s", why);
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
        fh_copy(m.who, FH_ID, f->fields[0].text);
        fh_copy(m.family, FH_ID, f->fields[1].text);
        m.quantity = f->fields[2].value;
        m.price = f->fields[3].value;
        break;
    case MOVE_CHIP_ORDER:
        fh_copy(m.family, FH_ID, f->fields[0].text);
        m.quantity = f->fields[1].value;
        m.price = f->fields[2].value;
        break;
    case MOVE_COMPUTE_OFFER:
    case MOVE_CHIP_OFFER:
        fh_copy(m.family, FH_ID, f->fields[0].text);
        m.price = f->fields[1].value;
        m.quantity = f->fields[2].value;
        break;
    case MOVE_PROPOSAL:
        fh_copy(m.who, FH_ID, f->fields[0].text);
        m.quantity = f->fields[1].value;
        m.price = f->fields[2].value;
        m.fraction = f->fields[3].fraction;
        break;
    }
    if (h->sent || h->closed) {
        h->carry = m;
        h->has_carry = 1;
        fh_say(h, 0, "Tick %u's moves were already sent: this move goes into tick %u's moves "
               "when that tick starts.", h->tick, h->tick + 1);
        return 0;
    }
    if (f->editing >= 0 && (size_t)f->editing < h->n_moves) {
        h->moves[f->editing] = m;
        fh_say(h, 0, "Move %d changed. Enter sends your moves.", f->editing + 1);
    } else if (h->n_moves < FH_MAX_MOVES) {
        h->moves[h->n_moves++] = m;
        fh_say(h, 0, "Move %zu added. Enter sends your moves.", h->n_moves);
    } else {
        fh_say(h, 1, "You already have %d moves: delete one first.", FH_MAX_MOVES);
        return -1;
    }
    h->from_house = 0;
    return 0;
}

/* ---- a new tick ------------------------------------------------------------------ */

/* A new tick's draft is ready: the move finished too late for the last tick joins it,
 * and the form the player is in either carries on or, if it pointed at the old
 * tick's numbers, is closed. Says what the player must know first. */
void fh_forms_at_new_tick(fw_human_t *h)
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
        fh_say(h, 1, "Tick %u started, so the change you were choosing was cancelled (its "
               "numbers were tick %u's). %sCheck your moves, then press Enter to send.",
               h->tick, h->tick - 1, carried);
        return;
    case FORM_MOVE:
        h->form.editing = -1; /* the old tick's move numbers mean nothing now */
        /* fall through */
    case FORM_ADD_KIND:
        fh_say(h, 0, "Tick %u started. %sFinish the move you are typing and it goes into "
               "tick %u's moves.", h->tick, carried, h->tick);
        return;
    case FORM_QUIT:
        fh_say(h, 0, "Tick %u started. %sStill leaving? Type 1 and Enter; Esc stays.", h->tick,
               carried);
        return;
    case FORM_NONE:
        break;
    }
    if (h->house_plays)
        fh_say_watching(h);
    else if (carried[0])
        fh_say(h, 0, "Tick %u: %sCheck your moves, then press Enter to send.", h->tick,
               carried);
    else
        fh_say(h, 0, "Tick %u: your moves below are the house bot's suggestion. Change them "
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
        fh_say(h, 0, "Move %zu deleted.", i + 1);
        break;
    }
    case FORM_ANSWER_WHICH: {
        size_t i = (size_t)f->fields[0].value - 1;
        h->answers[i] = f->accept ? 1 : 2;
        h->from_house = 0;
        fh_say(h, 0, "Proposal P%zu: you %s it (sent with your moves).", i + 1,
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

fw_human_do_t fh_form_key(fw_human_t *h, int key, int64_t now_ms)
{
    form_t *f = &h->form;
    field_t *fl = &f->fields[f->cur];
    if (key == FW_HUMAN_KEY_ESCAPE) {
        f->kind = FORM_NONE;
        fh_say(h, 0, "Cancelled.");
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
            fh_say(h, 1, "That is long enough: Enter to accept, Backspace to correct.");
        }
        return FW_HUMAN_NOTHING;
    }
    fh_say(h, 1, "Type a value and press Enter (Esc cancels).");
    return FW_HUMAN_NOTHING;
}

/* ---- the deadline ----------------------------------------------------------------- */

/* The deadline is here and the draft goes: what becomes of the form the player is in.
 * A finished move goes with the draft; one still being typed stays open for the next
 * tick; a choice among this tick's numbers is closed; the quit question stays. */
void fh_forms_at_deadline(fw_human_t *h, int64_t now_ms)
{
    if (h->form.kind != FORM_NONE && h->form.kind != FORM_QUIT)
        fh_changed(h, now_ms, "The time ran out while you were typing");
    form_t *f = &h->form;
    switch (f->kind) {
    case FORM_MOVE:
        if (s_form_complete(f)) {
            int added = s_commit_move(h) == 0;
            f->kind = FORM_NONE;
            if (added)
                fh_say(h, 0, "Time is up: your moves were sent, including the one you were "
                       "typing.");
            else
                fh_say(h, 1, "Time is up: your moves were sent without the one you were "
                       "typing, since you already had %d. Add it next tick.", FH_MAX_MOVES);
            return;
        }
        /* fall through */
    case FORM_ADD_KIND:
        fh_say(h, 1, "Time is up: your other moves were sent; finish this one and it goes "
               "into tick %u's moves.", h->tick + 1);
        return;
    case FORM_EDIT_WHICH:
    case FORM_DELETE_WHICH:
    case FORM_ANSWER_WHICH:
        f->kind = FORM_NONE;
        fh_say(h, 1, "Time is up: your moves were sent as they stood; the change you were "
               "choosing was not made. Wait for the next tick.");
        return;
    case FORM_QUIT:
        fh_say(h, 0, "Time is up: your moves were sent. Still leaving? Type 1 and Enter; "
               "Esc stays.");
        return;
    case FORM_NONE:
        fh_say(h, 0, "Time is up: your moves were sent%s.",
               h->from_house ? " (the house bot's suggestion)" : "");
        return;
    }
}