/* fw_strategy: the built-in behaviours a seat can play, and the registry that names them.
 *
 * A strategy is a pure function: its Actions depend only on
 *   - the tick's observation (TickStart),
 *   - the seat's static information from the Welcome (seat id, role, chip families,
 *     seats, numeric parameters), and
 *   - the seat's random stream (fw_rng_t seeded with Welcome.seat_seed).
 * It keeps no state between ticks and touches no globals, so the same seed and the
 * same observations give the same Actions on every host, and hundreds of seats can
 * run side by side in one process.
 *
 * Strategies build the repeated fields of Actions in an fw_arena owned by the caller
 * (the seat resets it every tick), through the fw_actions_add_* helpers below: every
 * string is copied into the arena, so the Actions outlive the observation.
 *
 * Names: "hyperscaler", "lab", "vendor" (each role's default) and "idle" (any role,
 * does nothing).
 */
#ifndef FW_STRATEGY_H
#define FW_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "flywheel.pb-c.h"
#include "fw_arena.h"
#include "fw_rng.h"

#define FW_STRATEGY_MAX_PARAMS 32  /* pairs kept from Welcome.params */
#define FW_STRATEGY_PARAM_KEY 32   /* keys are at most 31 bytes */

/* Result codes: 0 is success, every failure is negative. */
enum {
    FW_STRATEGY_OK = 0,
    FW_STRATEGY_EPARAMS = -1, /* a malformed "key=value" pair (the others are kept) */
    FW_STRATEGY_EINVAL = -2,  /* an observation the strategy cannot act on */
};

/* --- Parameters ----------------------------------------------------------- */

typedef struct {
    char key[FW_STRATEGY_PARAM_KEY]; /* e.g. "price_step" */
    double value;                    /* finite */
} fw_strategy_param_t;

typedef struct {
    fw_strategy_param_t items[FW_STRATEGY_MAX_PARAMS]; /* in text order, keys unique */
    size_t n;                                          /* items in use */
} fw_strategy_params_t;

/* Parses Welcome.params, "key=value;key=value" (numbers; spaces around keys and
 * values and empty segments are allowed; a repeated key keeps its last value) into
 * *out, which it first clears. A malformed pair (no '=', empty or over-long key, a
 * value that is not a finite number) and pairs past FW_STRATEGY_MAX_PARAMS are
 * skipped; the rest are kept, so a seat can carry on with defaults for the bad keys.
 * Returns 0, or FW_STRATEGY_EPARAMS with the first problem described in err (if
 * err_len > 0; always NUL-terminated). `text` may be NULL or empty. */
int fw_strategy_params_parse(const char *text, fw_strategy_params_t *out, char *err,
                             size_t err_len);

/* The value of `key`, or `fallback` when it is absent (or params is NULL). */
double fw_strategy_param(const fw_strategy_params_t *params, const char *key,
                         double fallback);

/* --- What a strategy sees besides the observation -------------------------- */

typedef struct {
    const char *seat;                          /* this seat's id, e.g. "aws" */
    Flywheel__V1__Role role;                   /* this seat's role */
    Flywheel__V1__ChipFamily *const *families; /* from the Welcome */
    size_t n_families;
    Flywheel__V1__SeatInfo *const *seats;      /* from the Welcome */
    size_t n_seats;
    size_t n_clouds;                           /* seats of role hyperscaler, counted once
                                                  from the Welcome; 0 = not counted */
    size_t n_labs;                             /* seats of role lab, likewise */
    const fw_strategy_params_t *params;        /* from Welcome.params; never NULL */
} fw_strategy_ctx_t;

/* The chip family `id` from the Welcome, or NULL. */
const Flywheel__V1__ChipFamily *fw_strategy_family(const fw_strategy_ctx_t *ctx,
                                                   const char *id);

/* --- Looking things up in the observation -----------------------------------
 * A strategy runs once per seat per tick, so what it looks up must not cost a scan of
 * the whole market each time: with hundreds of seats that makes a tick cost seats
 * squared. These helpers give the same answer as a plain scan in list order. */

/* Whether two ids are equal. A house bot's observation points into the coordinator's
 * scenario, so equal ids there are often one string and the pointer test settles it. */
static inline bool fw_strategy_same_id(const char *a, const char *b)
{
    return a == b || strcmp(a, b) == 0;
}

/* The index in ctx->families of the family `id`, or ctx->n_families when there is
 * none. The search starts at `hint` (any value: it wraps around), so a caller that
 * looks ids up in Welcome order, passing the index found last, pays about one
 * comparison a lookup. A Welcome's family ids are unique (the scenario loader refuses
 * a repeat), so the hint never changes the answer. */
size_t fw_strategy_family_index(const fw_strategy_ctx_t *ctx, const char *id, size_t hint);

/* A range [begin, end) of MarketView.compute_quotes. */
typedef struct {
    size_t begin;
    size_t end;
    bool exact;     /* every quote in it is the provider's, and no other quote is */
    bool by_family; /* exact, and in family order (strcmp): searched by bisection */
} fw_quote_span_t;

/* Where `provider`'s compute quotes are in m->compute_quotes (m may be NULL: an empty
 * span). Flywheel's coordinator lists them by provider id, then family id (strcmp
 * order). When the list is in provider order, checked on every call (one pointer
 * comparison a quote when neighbours share the provider's string, as in a house bot's
 * observation, else one strcmp), the span is found by binary search and holds exactly
 * the provider's quotes (maybe none): exact; when those are in family order too (one
 * strcmp a quote of the provider's), by_family. In any other order it is the whole
 * list. Either way the first quote of the span that matches a family is the first of
 * the whole list, so fw_strategy_compute_quote answers as a scan of the list would. */
fw_quote_span_t fw_strategy_provider_quotes(const Flywheel__V1__MarketView *m,
                                            const char *provider);

/* The first compute quote in `span` (from fw_strategy_provider_quotes(m, provider)) that
 * `provider` posted for `family`, or NULL. */
const Flywheel__V1__ComputeQuote *fw_strategy_compute_quote(
    const Flywheel__V1__MarketView *m, fw_quote_span_t span, const char *provider,
    const char *family);

/* --- The strategy function ------------------------------------------------- */

/* Fills `out` (an initialised, empty Actions) with this tick's actions for the seat
 * described by ctx, given the observation `obs`, drawing randomness only from `rng`.
 * Everything added to `out` is allocated in `arena`. Returns 0, or a negative
 * FW_STRATEGY_* code (then `out` may be partly filled and the caller sends nothing of
 * it). */
typedef int (*fw_strategy_fn)(const fw_strategy_ctx_t *ctx,
                              const Flywheel__V1__TickStart *obs, fw_rng_t *rng,
                              Flywheel__V1__Actions *out, fw_arena_t *arena);

typedef struct {
    const char *name;        /* "vendor", ... */
    Flywheel__V1__Role role; /* the role it plays; ROLE_UNSPECIFIED = any role */
    fw_strategy_fn fn;
    const char *summary;     /* one line for --help */
} fw_strategy_t;

/* The registered strategy called `name`, or NULL. */
const fw_strategy_t *fw_strategy_find(const char *name);

/* The default strategy of `role`, or NULL for ROLE_UNSPECIFIED. */
const fw_strategy_t *fw_strategy_for_role(Flywheel__V1__Role role);

/* Number of registered strategies, and the i-th (i < count) in a fixed order. */
size_t fw_strategy_count(void);
const fw_strategy_t *fw_strategy_at(size_t i);

/* Writes the names, separated by ", ", into buf (always NUL-terminated, truncated if
 * len is short) for usage messages. Returns buf. */
char *fw_strategy_names(char *buf, size_t len);

/* Whether `st` may play a seat of `role`. */
bool fw_strategy_can_play(const fw_strategy_t *st, Flywheel__V1__Role role);

/* "hyperscaler", "lab", "vendor", or "unspecified". */
const char *fw_strategy_role_name(Flywheel__V1__Role role);

/* Parses a role name; ROLE_UNSPECIFIED if none matches. */
Flywheel__V1__Role fw_strategy_role_parse(const char *s);

/* --- Building Actions in an arena ------------------------------------------
 * Each appends one entry to `out`, copying the strings into `arena`. Arrays grow by
 * doubling inside the arena, so n entries cost O(n) copies. Allocation failure
 * aborts (fw_arena's contract). */

void fw_actions_add_chip_offer(Flywheel__V1__Actions *out, fw_arena_t *arena,
                               const char *family, int64_t price, int64_t quantity);
void fw_actions_add_chip_order(Flywheel__V1__Actions *out, fw_arena_t *arena,
                               const char *family, int64_t quantity, int64_t max_price);
void fw_actions_add_compute_offer(Flywheel__V1__Actions *out, fw_arena_t *arena,
                                  const char *family, int64_t price, int64_t capacity);
void fw_actions_add_compute_bid(Flywheel__V1__Actions *out, fw_arena_t *arena,
                                const char *provider, const char *family,
                                int64_t quantity, int64_t max_price);

void fw_actions_add_answer(Flywheel__V1__Actions *out, fw_arena_t *arena, uint64_t proposal_id,
                          bool accept);
/* Takes proposal `proposal_id` with its three shares lowered to these, within the
 * proposal's slack (ProposalAnswer.counter). */
void fw_actions_add_counter(Flywheel__V1__Actions *out, fw_arena_t *arena, uint64_t proposal_id,
                            double credit_fraction, double min_cloud_share,
                            double min_chip_share);
void fw_actions_add_proposal(Flywheel__V1__Actions *out, fw_arena_t *arena, const char *lab,
                             const Flywheel__V1__InvestmentTerms *terms);

/* Investing, shared by clouds and vendors: every invest_every ticks (parameter; 0, the
 * default, never), from tick invest_from on (default 0: from the start), the seat
 * chooses a portfolio of stakes in labs (fw_invest.h: the odds of each lab leading,
 * from public share and capability and a private draw from the seat's stream; the
 * revenue its terms lock in; the risk of the whole portfolio) over invest_cash_share
 * of its means (cash and stakes) plus invest_return_share of what its deals have
 * brought back beyond their cost, and proposes to each lab what its weight asks beyond
 * the stake it holds (at least invest_min_ticket of the budget, at most
 * invest_amount), at the lab's valuation plus the amount. Clouds pay
 * invest_credit_fraction in credits and ask invest_min_cloud_share of the lab's
 * compute spend; `mandate` (a chip family, or NULL) is asked for invest_min_chip_share
 * of its compute; the deal lasts invest_duration ticks with a penalty of
 * invest_penalty_share of the amount. */
void fw_strategy_invest(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                        fw_rng_t *rng, const char *mandate, Flywheel__V1__Actions *out,
                        fw_arena_t *arena);

/* Rounds a dollar or quantity figure to int64, saturating at the int64 range and
 * mapping NaN to 0; strategies use it so no float-to-int conversion is undefined. */
int64_t fw_strategy_round(double x);

/* --- The built-in strategies (registered above; exposed for tests) --------- */

int fw_strategy_vendor(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                       fw_rng_t *rng, Flywheel__V1__Actions *out, fw_arena_t *arena);
int fw_strategy_hyperscaler(const fw_strategy_ctx_t *ctx,
                            const Flywheel__V1__TickStart *obs, fw_rng_t *rng,
                            Flywheel__V1__Actions *out, fw_arena_t *arena);

/* The hyperscaler's capex plan for this tick, dollars, before the carry of last
 * tick's shortfall and the cash cap (see strategy_hyperscaler.c). obs->me must be set. */
typedef struct {
    double prior;    /* capex_per_tick x (1 + capex_growth)^(tick - 1) */
    double factor;   /* demand's correction, in [capex_min_factor, capex_max_factor] */
    double backlog;  /* compute labs asked for and did not get, over the fleet */
    double ret;      /* compute revenue (and own-use value) a month per dollar of
                      * equipment; -1 when it has no equipment */
    double reinvest; /* reinvest_share x revenue a month from the labs it backs */
    double plan;     /* prior x factor + reinvest */
} fw_capex_plan_t;
fw_capex_plan_t fw_strategy_capex_plan(const fw_strategy_ctx_t *ctx,
                                       const Flywheel__V1__TickStart *obs);
int fw_strategy_lab(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                    fw_rng_t *rng, Flywheel__V1__Actions *out, fw_arena_t *arena);
int fw_strategy_idle(const fw_strategy_ctx_t *ctx, const Flywheel__V1__TickStart *obs,
                     fw_rng_t *rng, Flywheel__V1__Actions *out, fw_arena_t *arena);

#endif
