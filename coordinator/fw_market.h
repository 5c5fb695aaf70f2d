/* fw_market: the market state of a run and its clearing, one tick at a time.
 *
 * No sockets, no files, and no clock that any result depends on (fw_market_profile
 * reads one only for benchmarks): the coordinator feeds it each seat's actions and
 * sends what it returns, and the unit tests drive it directly. Its modules are listed
 * in docs/architecture.md ("The market as a pipeline").
 *
 * Invariants:
 *   - a tick is cleared in a fixed order of stages, one constant table in
 *     fw_market.c (fw_market_stage_name), the order docs/model.md describes: events,
 *     investment answers, chip market, compute market, end customers, base cloud
 *     business, AI in own operations, depreciation, stipulations, valuations; then the
 *     books are checked and the observations made;
 *   - within each market, actions are taken in seat index order and, within a seat,
 *     in the order the seat listed them: never in arrival order, which the market
 *     never sees;
 *   - every dollar moves through the ledger, and the books balance after each tick
 *     (fw_market_step fails with FW_MARKET_EBOOKS otherwise);
 *   - the market never trusts an action: every quantity is capped by what the seat
 *     owns or can pay, every reference is checked, and each refusal or trim is
 *     reported to the seat with a reason.
 */
#ifndef FW_MARKET_H
#define FW_MARKET_H

#include <stddef.h>
#include <stdint.h>

#include "flywheel.pb-c.h"
#include "fw_arena.h"
#include "fw_ledger.h"
#include "fw_market_types.h"
#include "fw_scenario.h"


/* A market at tick 0 for scenario `sc`, with opening balances posted. The scenario
 * is borrowed and must outlive the market; `ticks` is the run length (0 = the
 * scenario's). Returns NULL if out of memory or the opening books do not balance. */
fw_market_t *fw_market_new(const fw_scenario_t *sc, uint32_t ticks);

/* Frees the market; NULL-safe; sets *p to NULL. */
void fw_market_destroy(fw_market_t **p);

/* The stages of a tick's clearing, in their order: how many, and the name of stage i
 * (as docs/model.md names it; NULL past the last). */
size_t fw_market_stage_count(void);
const char *fw_market_stage_name(size_t i);

/* Benchmarks only: from now on, adds the CPU seconds each stage takes to seconds[i]
 * (fw_market_stage_count() entries) and those of building the tick's outputs to
 * seconds[fw_market_stage_count()]; NULL stops. Results never depend on it. */
void fw_market_profile(fw_market_t *m, double *seconds);

/* The last cleared tick (0 before the first) and the run length. */
uint32_t fw_market_tick(const fw_market_t *m);
uint32_t fw_market_ticks(const fw_market_t *m);

/* Opens the next tick: fires its scheduled events (deals offered, shocks, policy),
 * so that the views show them. Call it before fw_market_view; fw_market_step calls
 * it too if it was not called. Calling it twice does nothing more. */
void fw_market_prepare(fw_market_t *m);

/* Fills `out` (already initialised with FLYWHEEL__V1__TICK_START__INIT) with what
 * seat `seat` sees at the start of the next tick; nested data lives in `arena`. */
void fw_market_view(const fw_market_t *m, uint32_t seat, fw_arena_t *arena,
                    Flywheel__V1__TickStart *out);

/* The same in two parts, so that what every seat sees is built once a tick: the
 * public market (quotes, shares, valuations) into `out` (already initialised or not;
 * nested data in `arena`), then each seat's TickStart pointing at it (`market` is
 * borrowed and must outlive `out`; only the seat's own position is built). */
void fw_market_view_common(const fw_market_t *m, fw_arena_t *arena,
                           Flywheel__V1__MarketView *out);
void fw_market_view_seat(const fw_market_t *m, uint32_t seat, fw_arena_t *arena,
                         Flywheel__V1__MarketView *market, Flywheel__V1__TickStart *out);

/* Fills `w` (initialised here) with seat `seat`'s Welcome as the scenario gives it:
 * the seat's id, role and strategy parameters, its random seed drawn from `run_seed`,
 * the run length, the chip families and every company. resume_token is left "" for
 * the caller (the coordinator's seat table owns tokens). Nested data lives in `arena`;
 * strings point into the scenario or the arena. */
void fw_market_welcome(const fw_market_t *m, uint32_t seat, uint64_t run_seed,
                       fw_arena_t *arena, Flywheel__V1__Welcome *w);

/* Clears the next tick. actions[i] is seat i's actions, or NULL for a seat that did
 * not answer (it does nothing). On success results[i] (n_seats entries, in arena)
 * is seat i's TickResult and *snapshot the public Snapshot; returns 0 or a negative
 * code, with a description in err for FW_MARKET_EBOOKS. */
int fw_market_step(fw_market_t *m, Flywheel__V1__Actions *const *actions, fw_arena_t *arena,
                   Flywheel__V1__TickResult **results, Flywheel__V1__Snapshot *snapshot,
                   char *err, size_t err_len);

/* The books, for checks and reports (borrowed). */
const fw_ledger_t *fw_market_ledger(const fw_market_t *m);

/* A seat's cash now, and its revenue and costs summed over the ticks cleared. */
int64_t fw_market_cash(const fw_market_t *m, uint32_t seat);
int64_t fw_market_revenue_total(const fw_market_t *m, uint32_t seat);
/* Capex over the run: chips bought x (1 + facility_capex); 0 for a seat that buys none. */
int64_t fw_market_capex_total(const fw_market_t *m, uint32_t seat);
int64_t fw_market_cost_total(const fw_market_t *m, uint32_t seat);
uint32_t fw_market_present_ticks(const fw_market_t *m, uint32_t seat);

/* A company's valuation after the last cleared tick (the opening one before). */
int64_t fw_market_valuation(const fw_market_t *m, uint32_t seat);

/* Compute (H100-equivalent months per tick) that a cloud has in service now, in one
 * family (family >= 0) or all (family < 0). */
int64_t fw_market_installed(const fw_market_t *m, uint32_t seat, int family);

/* Units a cloud has ordered that have not arrived yet, in one family. */
int64_t fw_market_incoming(const fw_market_t *m, uint32_t seat, int family);

#endif
