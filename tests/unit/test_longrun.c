/* Long runs: every shipped scenario runs 5,000 ticks with its books balanced after
 * every tick and no balance anywhere near int64's limit.
 *
 * The fastest way to play a whole market: the market is driven directly, in this
 * process, by the built-in strategies a coordinator's house bots would run (the same
 * Welcome, seat seeds and params), with no sockets, no wire and no output files. Each
 * tick the books are checked (fw_ledger_check), and every account's balance is summed
 * in 128 bits: the sum must be zero. Money that compounds would show as balances
 * racing towards the limit, so the run also checks that the largest balance at tick
 * 5,000 is at most three times the largest at tick 2,500 (a market that grows with
 * time, not with itself, roughly doubles its running totals).
 *
 * AI in a company's own operations is bounded by the business it improves: every
 * tick, for every company that values it, the value booked stays below that business's
 * revenue that tick (the own business, or the base business when it is the one).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_ground.h"
#include "fw_ledger.h"
#include "fw_log.h"
#include "fw_market.h"
#include "fw_scenario.h"
#include "fw_testhouse.h"

#define LONG_RUN 5000u

/* Every scenario under scenarios/; the last test fails when one is added and not here. */
static const char *const k_shipped[] = {
    "anthropic-dominates", "baseline",  "both-labs-falter", "cash-not-credits",
    "classroom",           "emergent",  "exclusive-alliances", "large-60",
    "no-chip-mandates",    "openai-dominates",
};
#define N_SHIPPED (sizeof k_shipped / sizeof k_shipped[0])

static const char *s_source_dir(void)
{
    const char *dir = getenv("FW_SOURCE_DIR");
    return dir && *dir ? dir : ".";
}

/* The largest |balance| of any account (its owner and kind in *owner, *kind);
 * asserts that all of them sum to zero. */
static int64_t s_books(const fw_ledger_t *l, uint32_t owners, uint32_t t, uint32_t *owner,
                       int *kind)
{
    __int128 sum = 0;
    int64_t largest = 0;
    for (uint32_t o = 0; o < owners; o++)
        for (int k = 0; k < FW_ACC_KINDS; k++) {
            int64_t b = fw_ledger_balance(l, fw_acc(o, (fw_account_kind_t)k));
            sum += b;
            cr_assert(b != INT64_MIN);
            if ((b < 0 ? -b : b) > largest) {
                largest = b < 0 ? -b : b;
                *owner = o;
                *kind = k;
            }
        }
    cr_assert(sum == 0, "tick %u: the balances sum to %lld, not 0", t, (long long)sum);
    return largest;
}

/* Scenario `name` run for `ticks`. With `owner`, that seat buys chips for its own
 * business (sells_compute: false) and its capex must be in the totals: each tick's
 * capex_all metric sums every company's capex, the owner's included, and its capex over
 * the run (summary.json's capex_total) is what it spent. */
/* Scenario `name` run for `ticks` by the house bots, with the books checked every
 * tick and AI in own operations below the business it improves. With `owner`, that
 * seat buys chips for its own business (sells_compute: false) and its capex must be in
 * the totals: each tick's capex_all metric sums every company's capex, the owner's
 * included, and its capex over the run is what it spent. */
static void s_run_market(const char *name, uint32_t ticks, const char *owner)
{
    char path[4096], err[512];
    fw_log_init("test", NULL, FW_LOG_ERROR);
    snprintf(path, sizeof path, "%s/scenarios/%s.yaml", s_source_dir(), name);
    fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(sc, "%s (set FW_SOURCE_DIR)", err);
    const uint32_t n = sc->n_seats;
    fw_testhouse_t *h = fw_testhouse_new(sc, ticks, err, sizeof err);
    cr_assert_not_null(h, "%s", err);
    fw_market_t *m = fw_testhouse_market(h);
    int who = -1;
    for (uint32_t s = 0; owner && s < n; s++)
        if (!strcmp(sc->seats[s].id, owner))
            who = (int)s;
    cr_assert(!owner || (who >= 0 && !sc->seats[who].sells_compute), "%s: no owner %s", name,
              owner ? owner : "");
    int64_t owner_capex = 0;

    int64_t largest = 0, at_half = 0;
    uint32_t big_owner = 0, valued = 0; /* ticks x companies with own-operations value */
    int kind = 0;
    double *business = calloc(n, sizeof *business);
    cr_assert_not_null(business);
    while (fw_market_tick(m) < ticks) {
        uint32_t t = fw_market_tick(m) + 1;
        /* The own business the tick's AI improves is this tick's (it grows after). */
        for (uint32_t s = 0; s < n; s++)
            business[s] = m->seats[s].own_business;
        err[0] = '\0';
        cr_assert_eq(fw_testhouse_tick(h, err, sizeof err), 0, "%s: tick %u not cleared: %s",
                     name, t, err);
        cr_assert_eq(fw_ledger_check(fw_market_ledger(m), err, sizeof err), FW_LEDGER_OK,
                     "%s: tick %u: %s", name, t, err);
        largest = s_books(fw_market_ledger(m), n, t, &big_owner, &kind);
        cr_assert_lt(largest, INT64_MAX / 64, "%s: tick %u: a balance of %lld is near the limit",
                     name, t, (long long)largest);
        if (t == LONG_RUN / 2)
            at_half = largest;
        if (who >= 0) {
            const Flywheel__V1__Snapshot *snap = fw_testhouse_snapshot(h);
            int64_t all = 0;
            for (uint32_t s = 0; s < n; s++)
                all += fm_capex(m, s);
            owner_capex += fm_capex(m, (uint32_t)who);
            double metric = -1;
            for (size_t i = 0; i < snap->n_metrics; i++)
                if (!strcmp(snap->metrics[i]->name, "capex_all"))
                    metric = snap->metrics[i]->value;
            cr_assert_eq(metric, (double)all, "%s: tick %u: capex_all %.0f, every company's %lld",
                         name, t, metric, (long long)all);
        }
        for (uint32_t s = 0; s < n; s++) {
            const fw_seat_t *seat = &sc->seats[s];
            if (seat->role != FW_ROLE_HYPERSCALER || seat->ai_uplift <= 0)
                continue;
            double improved = seat->own_business > 0 ? business[s]
                                                      : (double)m->seats[s].base_tick;
            int64_t value = m->seats[s].ai_ops_tick;
            cr_assert_lt((double)value, improved,
                         "%s: tick %u: AI in %s's own operations is worth %lld, not below the "
                         "business it improves (%.0f)", name, t, seat->id, (long long)value,
                         improved);
            valued += value > 0;
        }
    }
    free(business);
    /* The baseline and its counterfactuals value it (the synthetic markets do not). */
    for (uint32_t s = 0; s < n; s++)
        if (sc->seats[s].role == FW_ROLE_HYPERSCALER && sc->seats[s].ai_uplift > 0)
            cr_assert_gt(valued, ticks / 2, "%s: own-operations value is rarely booked", name);
    cr_assert_eq(fw_market_tick(m), ticks);
    if (who >= 0) {
        cr_assert_gt(owner_capex, 0, "%s: %s bought no chips", name, owner);
        cr_assert_eq(fw_market_capex_total(m, (uint32_t)who), owner_capex);
    }
    cr_assert(ticks < LONG_RUN || largest / 3 <= at_half,
              "%s: the largest balance grew from %lld at tick %u to %lld at tick %u (%s's "
              "account of kind %d): money compounds", name, (long long)at_half, LONG_RUN / 2,
              (long long)largest, LONG_RUN, sc->seats[big_owner].id, kind);
    fw_testhouse_destroy(&h);
    fw_scenario_destroy(&sc);
}

#define LONG_RUN_TEST(fn, file)                                                  \
    Test(fw_market, fn##_runs_5000_ticks_with_balanced_books, .timeout = 240) \
    {                                                                            \
        s_run_market(file, LONG_RUN, NULL);                                      \
    }

LONG_RUN_TEST(anthropic_dominates, "anthropic-dominates")
LONG_RUN_TEST(baseline, "baseline")
LONG_RUN_TEST(both_labs_falter, "both-labs-falter")
LONG_RUN_TEST(cash_not_credits, "cash-not-credits")
LONG_RUN_TEST(classroom, "classroom")
LONG_RUN_TEST(emergent, "emergent")
LONG_RUN_TEST(exclusive_alliances, "exclusive-alliances")
LONG_RUN_TEST(large_60, "large-60")
LONG_RUN_TEST(no_chip_mandates, "no-chip-mandates")
LONG_RUN_TEST(openai_dominates, "openai-dominates")

/* Meta owns compute and buys chips for its own (ads) business: its capex is in the
 * totals, from the first year. */
Test(fw_market, baseline_meta_capex_appears_in_the_totals)
{
    s_run_market("baseline", 12, "meta");
}

Test(fw_market, every_shipped_scenario_has_a_long_run)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/scenarios", s_source_dir());
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s (set FW_SOURCE_DIR)", dir);
    size_t found = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        found++;
        int listed = 0;
        for (size_t i = 0; i < N_SHIPPED; i++)
            listed |= strlen(k_shipped[i]) == len - 5 &&
                      strncmp(k_shipped[i], e->d_name, len - 5) == 0;
        cr_expect(listed, "scenarios/%s has no long-run test in test_longrun.c", e->d_name);
    }
    closedir(d);
    cr_expect_eq(found, N_SHIPPED);
}
