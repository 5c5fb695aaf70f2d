/* fw_validate: see fw_validate.h. */
#include "fw_validate.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#define CODE(x) FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_##x

typedef struct {
    Flywheel__V1__RefusalCode code;
    char *why;
    size_t len;
} s_check_t;

static bool s_fail(s_check_t *c, Flywheel__V1__RefusalCode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first failure; returns false so callers can `return s_fail(...)`. */
static bool s_fail(s_check_t *c, Flywheel__V1__RefusalCode code, const char *fmt, ...)
{
    if (c->code == CODE(UNSPECIFIED)) {
        va_list ap;
        c->code = code;
        va_start(ap, fmt);
        vsnprintf(c->why, c->len, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool s_amount(s_check_t *c, const char *what, size_t i, int64_t v)
{
    return v >= 0 || s_fail(c, CODE(NEGATIVE), "%s[%zu]: %" PRId64 " is below 0", what, i, v);
}

/* price x quantity must be a 64-bit number of dollars. */
static bool s_product(s_check_t *c, const char *what, size_t i, int64_t price, int64_t qty)
{
    int64_t total;
    if (!s_amount(c, what, i, price) || !s_amount(c, what, i, qty))
        return false;
    return !__builtin_mul_overflow(price, qty, &total) ||
           s_fail(c, CODE(OVERFLOW), "%s[%zu]: %" PRId64 " x %" PRId64 " is beyond 64-bit dollars",
                  what, i, price, qty);
}

static bool s_finite(s_check_t *c, const char *what, size_t i, double v)
{
    return isfinite(v) || s_fail(c, CODE(NOT_FINITE), "%s[%zu]: not a finite number", what, i);
}

static bool s_count(s_check_t *c, const char *what, size_t n)
{
    return n <= FW_VALIDATE_MAX_ITEMS ||
           s_fail(c, CODE(TOO_LARGE), "%zu %s: at most %d", n, what, FW_VALIDATE_MAX_ITEMS);
}

static bool s_terms(s_check_t *c, size_t i, const Flywheel__V1__InvestmentTerms *t)
{
    if (!t)
        return true;
    return s_amount(c, "proposals", i, t->amount) && s_amount(c, "proposals", i, t->valuation) &&
           s_amount(c, "proposals", i, t->penalty) &&
           s_amount(c, "proposals", i, t->min_spend) &&
           s_finite(c, "proposals", i, t->credit_fraction) &&
           s_finite(c, "proposals", i, t->min_cloud_share) &&
           s_finite(c, "proposals", i, t->min_chip_share) &&
           s_finite(c, "proposals", i, t->credit_fraction_slack) &&
           s_finite(c, "proposals", i, t->cloud_share_slack) &&
           s_finite(c, "proposals", i, t->chip_share_slack);
}

static bool s_actions(s_check_t *c, const Flywheel__V1__Actions *a)
{
    if (!s_count(c, "chip_offers", a->n_chip_offers) || !s_count(c, "chip_orders", a->n_chip_orders) ||
        !s_count(c, "compute_offers", a->n_compute_offers) ||
        !s_count(c, "compute_bids", a->n_compute_bids) || !s_count(c, "proposals", a->n_proposals) ||
        !s_count(c, "answers", a->n_answers))
        return false;
    for (size_t i = 0; i < a->n_chip_offers; i++)
        if (!s_product(c, "chip_offers", i, a->chip_offers[i]->price, a->chip_offers[i]->quantity))
            return false;
    for (size_t i = 0; i < a->n_chip_orders; i++)
        if (!s_product(c, "chip_orders", i, a->chip_orders[i]->max_price,
                       a->chip_orders[i]->quantity))
            return false;
    for (size_t i = 0; i < a->n_compute_offers; i++)
        if (!s_product(c, "compute_offers", i, a->compute_offers[i]->price,
                       a->compute_offers[i]->capacity))
            return false;
    for (size_t i = 0; i < a->n_compute_bids; i++)
        if (!s_product(c, "compute_bids", i, a->compute_bids[i]->max_price,
                       a->compute_bids[i]->quantity))
            return false;
    for (size_t i = 0; i < a->n_proposals; i++)
        if (!s_terms(c, i, a->proposals[i]->terms))
            return false;
    for (size_t i = 0; i < a->n_answers; i++) {
        const Flywheel__V1__ProposalAnswer *w = a->answers[i];
        if (!s_finite(c, "answers", i, w->credit_fraction) ||
            !s_finite(c, "answers", i, w->min_cloud_share) ||
            !s_finite(c, "answers", i, w->min_chip_share))
            return false;
    }
    return true;
}

static bool s_role(s_check_t *c, Flywheel__V1__Role role)
{
    switch (role) {
    case FLYWHEEL__V1__ROLE__ROLE_UNSPECIFIED:
    case FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER:
    case FLYWHEEL__V1__ROLE__ROLE_LAB:
    case FLYWHEEL__V1__ROLE__ROLE_VENDOR:
        return true;
    default:
        return s_fail(c, CODE(BAD_ENUM), "role %d is not one this schema defines", (int)role);
    }
}

Flywheel__V1__RefusalCode fw_validate_from_agent(const fw_envelope_t *env, char *why,
                                                 size_t why_len)
{
    s_check_t c = {CODE(UNSPECIFIED), why, why_len};
    if (why && why_len)
        why[0] = '\0';
    if (!env)
        return CODE(UNSPECIFIED);
    switch (env->body_case) {
    case FLYWHEEL__V1__ENVELOPE__BODY_HELLO:
        s_role(&c, env->hello->role);
        break;
    case FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS:
        s_actions(&c, env->actions);
        break;
    default:
        break;
    }
    return c.code;
}
