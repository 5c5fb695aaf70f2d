/* fw_stages: the stages of a tick's clearing, one module each, and the opening.
 *
 * Every stage takes the tick's resolved orders and returns FW_MARKET_OK, or stops the
 * tick with a negative code (and a description in err). Stages call only down, into
 * fw_ground; none calls another stage, so each can be read and tested on its own. The
 * order in which they run is fw_market.c's table, which docs/model.md ("The clearing,
 * in order") describes.
 */
#ifndef FW_STAGES_H
#define FW_STAGES_H

#include "fw_ground.h"

/* ---- the opening (fw_opening.c) -------------------------------------------------------- */

/* Tick 0: opening cash and chips in service, labs' positions and cap tables, deals in
 * force, and the quotes the first tick's views show. Returns 0, or -1 if out of memory
 * or the ledger refused an opening posting. */
int fw_opening(fw_market_t *m);

/* ---- deals: events, investments, stipulations (fw_stage_deals.c) ------------------------ */

/* Fires the scheduled events of tick t (once; later calls do nothing): proposals that
 * lapsed go, shocks and policies take effect, scheduled deals are proposed. */
void fw_deals_fire_events(fw_market_t *m, uint32_t t);

/* Investment answers of tick t (accepted proposals are executed), then new proposals,
 * which the labs see next tick. */
int fw_stage_investments(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                         size_t err_len);

/* Stipulation compliance (a breach costs the lab the deal's penalty), then the
 * take-or-pay shortfalls of deals with a min_spend, paid in cash as far as the lab's
 * cash goes. */
int fw_stage_stipulations(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                          size_t err_len);

/* Which labs falter after the tick's payments: a lab that could not pay what it owed
 * this tick, or whose cash is below what the tick took from it, with no deal in the
 * last three ticks. Logs when a lab starts or stops faltering. */
int fw_stage_solvency(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                      size_t err_len);

/* ---- chips: deliveries, chip market, depreciation (fw_stage_chips.c) -------------------- */

/* Deliveries of chips ordered earlier, the vendors' offers, the clouds' orders, then
 * the buyers outside the scenario. */
int fw_stage_chips(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                   size_t err_len);

/* Straight-line depreciation of the chips in service; retired lots go. */
int fw_stage_depreciation(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                          size_t err_len);

/* The vendors' capacity for the next tick. */
void fw_chips_grow(fw_market_t *m);

/* ---- compute (fw_stage_compute.c) ------------------------------------------------------- */

/* The clouds' offers, then the labs' bids, paid with credits first. */
int fw_stage_compute(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                     size_t err_len);

/* ---- customers and the clouds' own business (fw_stage_customers.c) --------------------- */

/* End customers' spending split over the labs; capability, skills and maturity. */
int fw_stage_customers(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                       size_t err_len);

/* The clouds' base (non-AI) business. */
int fw_stage_base_business(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                           size_t err_len);

/* AI in the own operations of clouds and of companies that own compute for their own
 * business (question 5), at fw_ai_operations_value. */
int fw_stage_ai_operations(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                           size_t err_len);

/* What AI in own operations is worth a tick: uplift x business x (1 - exp(-own /
 * saturation)); 0 when any of them is not positive. Below the business whenever uplift
 * is at most 1. */
double fw_ai_operations_value(double uplift, double business, double own, double saturation);

/* The pull of every lab plus the outside option: the denominator of the customers'
 * logit, as the labs' capability and reach stand now. */
double fw_customers_total_attract(const fw_market_t *m);

/* What end customers would spend with lab `seat` now, in dollars, given
 * fw_customers_total_attract. */
double fw_customers_want(const fw_market_t *m, uint32_t seat, double total_attract);

/* The economy's exogenous curves and the clouds' base business, for the next tick. */
void fw_customers_grow(fw_market_t *m);

/* ---- valuation (fw_stage_valuation.c) --------------------------------------------------- */

/* The tick's revenue and costs, valuations, stakes marked to market. */
int fw_stage_valuations(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                        size_t err_len);

/* Compute and installed shares after the tick (for the views and metrics). */
void fw_valuation_shares(fw_market_t *m, uint32_t t);

#endif
