/* fw_human_text: see fw_human_text.h. */
#include "fw_human_text.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_agent.h"
#include "fw_money.h"

#define S_CAPS 4    /* values a reason carries */
#define S_CAP_LEN 64

/* ---- numbers ---------------------------------------------------------------------- */

void fw_human_text_number(char *buf, size_t len, int64_t v, int dollars)
{
    fw_money_format(buf, len, v, dollars ? FW_MONEY_SCREEN : FW_MONEY_SCREEN_QUANTITY);
}

void fw_human_text_amount(char *buf, size_t len, int64_t v)
{
    static const struct { int64_t div; char unit; } units[] = {
        {1000000000000LL, 'T'}, {1000000000LL, 'B'}, {1000000LL, 'M'}, {1000LL, 'k'}};
    /* Below 100,000 the digits read best ("2100", "26250"), as on the screen. */
    for (size_t i = 0; v >= 100000 && i < sizeof units / sizeof units[0]; i++) {
        int64_t d = units[i].div;
        if (v < d)
            continue;
        if (v % d == 0) {
            snprintf(buf, len, "%" PRId64 "%c", v / d, units[i].unit);
            return;
        }
        if (v % (d / 10) == 0) {
            snprintf(buf, len, "%" PRId64 ".%" PRId64 "%c", v / d, v % d / (d / 10),
                     units[i].unit);
            return;
        }
        break; /* not round: the plain digits */
    }
    snprintf(buf, len, "%" PRId64, v);
}

int fw_human_text_parse_amount(const char *text, int64_t *out)
{
    char clean[64];
    size_t n = 0;
    for (const char *p = text; *p && n < sizeof clean - 1; p++)
        if (*p != ',' && *p != '$' && *p != '_' && *p != ' ')
            clean[n++] = *p;
    clean[n] = '\0';
    if (!n)
        return -1;
    double mult = 1;
    switch (clean[n - 1]) {
    case 'k': case 'K': mult = 1e3; break;
    case 'm': case 'M': mult = 1e6; break;
    case 'b': case 'B': mult = 1e9; break;
    case 't': case 'T': mult = 1e12; break;
    default: break;
    }
    if (mult != 1)
        clean[--n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(clean, &end);
    if (!n || errno || *end || !isfinite(v))
        return -1;
    v *= mult;
    if (!(v >= 1) || v > 9e18)
        return -1;
    *out = (int64_t)llround(v);
    return 0;
}

/* ---- what a rejection is about ---------------------------------------------------- */

int fw_human_text_action(const char *action, char *list, size_t list_len, size_t *index)
{
    const char *open = action ? strchr(action, '[') : NULL;
    if (!open || open == action || !isdigit((unsigned char)open[1]))
        return -1;
    char *end;
    errno = 0;
    unsigned long long i = strtoull(open + 1, &end, 10);
    if (errno || strcmp(end, "]") != 0)
        return -1;
    snprintf(list, list_len, "%.*s", (int)(open - action), action);
    *index = (size_t)i;
    return 0;
}

/* The moves of each list, in general. */
static const struct {
    const char *list;
    const char *what;
} s_lists[] = {
    {"compute_bids", "bid to rent compute"},
    {"chip_orders", "order for chips"},
    {"compute_offers", "offer to rent out compute"},
    {"chip_offers", "offer to sell chips"},
    {"proposals", "investment offer"},
    {"answers", "answer to a proposal"},
};

void fw_human_text_move_kind(char *buf, size_t len, const char *list, const char *whose)
{
    for (size_t i = 0; i < sizeof s_lists / sizeof s_lists[0]; i++)
        if (list && strcmp(list, s_lists[i].list) == 0) {
            snprintf(buf, len, "%s %s", whose, s_lists[i].what);
            return;
        }
    snprintf(buf, len, "%s move", whose);
}

/* ---- reasons, as data --------------------------------------------------------------
 *
 * A pattern is the coordinator's format with %s (a word: up to the pattern's next
 * character) and %d (a whole number). A sentence names the values by position:
 * {1} as written, {$1} as money, {#1} as a quantity; {m} is the move. */

typedef struct {
    const char *list;    /* the action's list, or NULL for any */
    const char *pattern;
    const char *plain;
} s_reason_t;

static const s_reason_t s_reasons[] = {
    /* labs renting compute */
    {"compute_bids", "%s '%s' oversubscribed: got %d of %d",
     "{m}: you got {#3} of the {#4} H100-months you asked for; other labs wanted more than "
     "{1} had, so it was shared out. Bid on another cloud too next tick."},
    {"compute_bids", "price %d is above your max_price %d",
     "{m} got nothing: the price {$1} was above the most you would pay, {$2}. Offer more "
     "next tick, or rent from a cheaper cloud."},
    {"compute_bids", "%s offers no '%s' compute this tick",
     "{m} got nothing: {1} offers no {2} compute this tick. Bid on an offer listed under "
     "MARKET."},
    {"compute_bids", "'%s' is not a cloud",
     "{m} was refused: {1} is not a cloud. Pick a cloud listed under MARKET."},
    {"compute_bids", "only labs buy compute",
     "{m} was refused: only AI labs rent compute. Delete it (d)."},
    /* clouds buying chips */
    {"chip_orders", "'%s' oversubscribed: got %d of %d",
     "{m}: you got {#2} of the {#3} chips you ordered; other clouds wanted more than the "
     "maker had, so it was shared out. Order from another maker too next tick."},
    {"chip_orders", "price %d is above your max_price %d",
     "{m} got nothing: the price {$1} was above the most you would pay, {$2}. Offer more "
     "next tick, or order cheaper chips."},
    {"chip_orders", "no '%s' chips on offer this tick",
     "{m} got nothing: nobody sold {1} chips this tick. Order another family, or try "
     "again next tick."},
    {"chip_orders", "'%s' is captive to %s",
     "{m} was refused: {1} chips are sold to {2} only. Order a family you may buy."},
    {"chip_orders", "second order for '%s' this tick",
     "{m} was refused: you ordered {1} chips twice this tick and only the first order "
     "counts. Put it all in one order."},
    {"chip_orders", "only hyperscalers buy chips",
     "{m} was refused: only clouds buy chips. Delete it (d)."},
    /* clouds renting out compute */
    {"compute_offers", "capacity %d trimmed to the %d you have in service",
     "{m} was trimmed to the {#2} H100-months you have in service (you offered {#1}). "
     "Order chips to have more to rent out."},
    {"compute_offers", "second offer for '%s' this tick",
     "{m} was refused: you offered {1} compute twice this tick and only the first offer "
     "counts. Put it all in one offer."},
    {"compute_offers", "price must be > 0 and capacity >= 0",
     "{m} was refused: the price must be more than $0. Type a price like 2000."},
    {"compute_offers", "only hyperscalers sell compute",
     "{m} was refused: only clouds rent out compute. Delete it (d)."},
    /* chip makers selling */
    {"chip_offers", "quantity %d trimmed to capacity %d",
     "{m} was trimmed to the {#2} chips your factory can make this tick (you offered "
     "{#1}). Offer at most that many."},
    {"chip_offers", "'%s' is made by %s, not by you",
     "{m} was refused: {1} chips are made by {2}, not by you. Sell your own chips."},
    {"chip_offers", "second offer for '%s' this tick",
     "{m} was refused: you offered {1} chips twice this tick and only the first offer "
     "counts. Put it all in one offer."},
    {"chip_offers", "price must be > 0 and quantity >= 0",
     "{m} was refused: the price must be more than $0. Type a price like 25000."},
    /* any purchase: the money ran out */
    {NULL, "quantity %d trimmed to %d: cash left this tick is %d (credits 0)",
     "{m} was cut from {#1} to {#2}: that is all your cash left this tick ({$3}) could pay "
     "for. Ask for less, or raise money from investors."},
    {NULL, "quantity %d trimmed to %d: cash left this tick is %d (credits %d)",
     "{m} was cut from {#1} to {#2}: that is all your cash left this tick ({$3}) and your "
     "credits ({$4}) could pay for. Ask for less, or raise money from investors."},
    {NULL, "quantity must be > 0",
     "{m} was refused: the quantity must be more than 0. Type a number like 40k."},
    {NULL, "unknown chip family '%s'",
     "{m} was refused: there is no chip family called {1}. Pick one from the form's "
     "choices."},
    /* labs answering investors */
    {"answers", "no proposal %d is waiting for you",
     "{m} did not count: that proposal was no longer waiting (it expired). Answer "
     "proposals in the tick they are shown."},
    {"answers", "conflicts with the exclusive terms of deal %d with %s",
     "{m} did not count: accepting it would break your exclusive deal with {2}. Reject "
     "offers that clash with that deal."},
    {"answers", "deal failed: %s cannot pay %d in cash",
     "{m}: the deal fell through because {1} could not pay {$2} in cash. Nothing to do: "
     "other investors may make offers."},
    /* clouds and chip makers investing */
    {"proposals", "%s declined proposal %d",
     "{1} turned down your investment offer. Offer better terms (a higher valuation, or "
     "fewer credits) if you still want a stake."},
    {"proposals", "deal failed: %s cannot pay %d in cash",
     "{m}: the deal fell through because you could not pay {$2} in cash. Keep enough cash "
     "for the offers you make."},
    {"proposals", "amount is more than your cash",
     "{m} was refused: you offered more than your cash. Offer at most the cash shown "
     "under YOUR COMPANY."},
    {"proposals", "valuation must be 0 or at least the amount",
     "{m} was refused: the lab's valuation must be at least the amount you invest. Raise "
     "the valuation."},
    {"proposals", "only a cloud can pay in credits",
     "{m} was refused: only a cloud can pay in credits. Set the credits part to 0."},
    {"proposals", "credits are not allowed (policy)",
     "{m} was refused: credits are not allowed now (a new rule). Set the credits part to "
     "0."},
    {"proposals", "shares and fractions must be in [0, 1]",
     "{m} was refused: the credits part must be from 0 to 100%. Type a percentage."},
    {"proposals", "amount must be > 0",
     "{m} was refused: the amount must be more than $0. Type an amount like 1B."},
    {"proposals", "no such lab",
     "{m} was refused: there is no such lab. Pick a lab from the form's choices."},
    {"proposals", "at most 4 proposals a tick",
     "{m} was refused: you may make at most 4 investment offers a tick. Make it next "
     "tick."},
    {"proposals", "only clouds and chip vendors invest in labs",
     "{m} was refused: only clouds and chip makers invest in labs. Delete it (d)."},
};

typedef struct {
    char text[S_CAPS][S_CAP_LEN];
    size_t n;
} s_caps_t;

/* Whether text is exactly pattern (see above), with the values in caps. */
static int s_match(const char *pat, const char *text, s_caps_t *caps)
{
    caps->n = 0;
    while (*pat) {
        if (pat[0] != '%' || (pat[1] != 's' && pat[1] != 'd')) {
            if (*pat++ != *text++)
                return 0;
            continue;
        }
        const char *start = text;
        if (pat[1] == 'd') {
            if (*text == '-')
                text++;
            if (!isdigit((unsigned char)*text))
                return 0;
            while (isdigit((unsigned char)*text))
                text++;
        } else if (pat[2] == '\0') {
            text += strlen(text);
        } else {
            const char *stop = strchr(text, pat[2]);
            if (!stop)
                return 0;
            text = stop;
        }
        if (text == start || caps->n >= S_CAPS)
            return 0;
        snprintf(caps->text[caps->n++], S_CAP_LEN, "%.*s", (int)(text - start), start);
        pat += 2;
    }
    return *text == '\0';
}

/* Appends to buf (cap) what `tpl` says with these values. */
static void s_expand(char *buf, size_t cap, const char *tpl, const s_caps_t *caps,
                     const char *move)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const char *p = tpl; *p && used + 1 < cap; p++) {
        char piece[S_CAP_LEN + 8] = "";
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (!close) {
            buf[used++] = *p;
            buf[used] = '\0';
            continue;
        }
        const char *key = p + 1;
        char how = *key == '$' || *key == '#' ? *key++ : 0;
        if (*key == 'm') {
            snprintf(piece, sizeof piece, "%s", move);
        } else if (isdigit((unsigned char)*key) && (size_t)(*key - '1') < caps->n) {
            const char *v = caps->text[*key - '1'];
            if (how)
                fw_human_text_number(piece, sizeof piece, strtoll(v, NULL, 10), how == '$');
            else
                snprintf(piece, sizeof piece, "%s", v);
        }
        int n = snprintf(buf + used, cap - used, "%s", piece);
        used += n > 0 ? (size_t)n : 0;
        if (used >= cap)
            used = cap - 1;
        p = close;
    }
}

void fw_human_text_rejection(char *buf, size_t len, const char *action, const char *reason,
                             const char *move)
{
    char list[S_CAP_LEN] = "", name[160];
    size_t index = 0;
    s_caps_t caps;
    if (fw_human_text_action(action, list, sizeof list, &index) != 0)
        list[0] = '\0';
    if (!move)
        fw_human_text_move_kind(name, sizeof name, list, "Your");
    else
        snprintf(name, sizeof name, "%s", move);
    if (!reason)
        reason = "";
    for (size_t i = 0; i < sizeof s_reasons / sizeof s_reasons[0]; i++) {
        const s_reason_t *r = &s_reasons[i];
        if ((!r->list || strcmp(r->list, list) == 0) && s_match(r->pattern, reason, &caps)) {
            s_expand(buf, len, r->plain, &caps, name);
            return;
        }
    }
    /* Not one we know: the reason as written, after the move as the player saw it. */
    snprintf(buf, len, "%s was not carried out as sent: %s. Change it next tick.", name,
             reason[0] ? reason : "no reason given");
}

/* ---- refusals --------------------------------------------------------------------- */

static const s_reason_t s_refusals[] = {
    {"late", "the house bot plays seat '%s' in tick %d; the seat is yours again from tick %d",
     "The house bot played tick {2} for you; your moves count again from tick {3}. Send "
     "them before its countdown ends."},
    {"late", "actions for tick %d refused (now collecting tick %d): %s",
     "Your moves for tick {1} came after its deadline, so they were not used. Send tick "
     "{2}'s moves before the countdown ends."},
    {"duplicate", "actions for tick %d refused (now collecting tick %d): %s",
     "Your moves for tick {1} were already in: only the first moves sent count. Wait for "
     "the next tick."},
    {"unexpected", "actions before the first tick",
     "Your moves were not used: the game has not started. Wait for tick 1."},
};

void fw_human_text_refusal(char *buf, size_t len, Flywheel__V1__RefusalCode code,
                           const char *reason)
{
    const char *kind = code == FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE        ? "late"
                       : code == FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_DUPLICATE ? "duplicate"
                       : code == FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED ? "unexpected"
                                                                               : "";
    s_caps_t caps;
    if (!reason)
        reason = "";
    for (size_t i = 0; i < sizeof s_refusals / sizeof s_refusals[0]; i++)
        if (strcmp(s_refusals[i].list, kind) == 0 &&
            s_match(s_refusals[i].pattern, reason, &caps)) {
            s_expand(buf, len, s_refusals[i].plain, &caps, "");
            return;
        }
    switch (code) {
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_VERSION:
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SCHEMA:
        snprintf(buf, len, "This flywheel is not the same version as the game server's "
                 "(%.80s). Ask the teacher for the right version.", reason);
        return;
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNKNOWN_SEAT:
        snprintf(buf, len, "The game has no such seat (%.120s). Start again with a seat "
                 "the teacher gives you.", reason);
        return;
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN:
        snprintf(buf, len, "You cannot have this seat: %.120s. Ask the teacher for a free "
                 "seat, or come back with your own resume token.", reason);
        return;
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE:
        snprintf(buf, len, "Your moves came too late and were not used. Send the next "
                 "tick's moves before the countdown ends.");
        return;
    case FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_INVALID:
        snprintf(buf, len, "Some of your moves broke a rule: the results below say which. "
                 "Change them next tick.");
        return;
    default:
        snprintf(buf, len, "The game server could not use your last message (%.80s). Wait "
                 "for the next tick; if it happens again, leave with q and come back with your "
                 "resume token.",
                 reason[0] ? reason : fw_agent_refusal_name(code));
        return;
    }
}
