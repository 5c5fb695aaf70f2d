/* fw_observe: what leaves the market, built from its state (see fw_observe.c).
 *
 * The views of the next tick are fw_market.h's fw_market_view_common/_seat/_view;
 * these are the tick's outputs, which fw_market_step returns.
 */
#ifndef FW_OBSERVE_H
#define FW_OBSERVE_H

#include "flywheel.pb-c.h"
#include "fw_arena.h"
#include "fw_ground.h"

/* The public Snapshot after tick t: companies, flows, stakes, deals, credits, events,
 * the metrics row and the state hash. Nested data lives in `a`. */
void fw_observe_snapshot(const fw_market_t *m, fw_arena_t *a, uint32_t t,
                         Flywheel__V1__Snapshot *snap);

/* Seat s's TickResult for tick t: its fills, its refusals and its cash. */
Flywheel__V1__TickResult *fw_observe_result(const fw_market_t *m, fw_arena_t *a, uint32_t s,
                                            uint32_t t);

#endif
