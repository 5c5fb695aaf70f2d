/* fw_market: a tick as a straight pipeline of stages (see fw_market.h).
 *
 * fw_market_step resolves the seats' actions (fw_intake), runs the stages of s_stages
 * in order over the state that fw_ground owns, checks the books, and builds the
 * tick's outputs (fw_observe). No stage calls another; the table is the only place
 * that says what comes after what.
 */
#include "fw_market.h"

#include <time.h>

#include "fw_intake.h"
#include "fw_observe.h"
#include "fw_stages.h"

/* ---- the clearing: one stage after the other ---------------------------------------
 *
 * docs/model.md ("The clearing, in order") names the same stages in the same order,
 * and a test compares the two. */

typedef int (*s_stage_fn)(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                          size_t err_len);

/* The tick's events fire (fw_market_prepare has normally fired them already, so the
 * agents saw their effects), then the tick's books open. */
static int s_stage_events(fw_market_t *m, const fw_orders_t *orders, uint32_t t, char *err,
                          size_t err_len)
{
    (void)err;
    (void)err_len;
    fw_deals_fire_events(m, t);
    fw_ground_begin_tick(m, orders);
    return FW_MARKET_OK;
}

static const struct {
    const char *name; /* as docs/model.md names it */
    s_stage_fn run;
} s_stages[] = {
    {"Events", s_stage_events},
    {"Investment answers", fw_stage_investments},
    {"Chip market", fw_stage_chips},
    {"Compute market", fw_stage_compute},
    {"End customers", fw_stage_customers},
    {"Base cloud business", fw_stage_base_business},
    {"AI in own operations", fw_stage_ai_operations},
    {"Depreciation", fw_stage_depreciation},
    {"Stipulations", fw_stage_stipulations},
    {"Solvency", fw_stage_solvency},
    {"Valuations", fw_stage_valuations},
};

size_t fw_market_stage_count(void)
{
    return sizeof s_stages / sizeof s_stages[0];
}

const char *fw_market_stage_name(size_t i)
{
    return i < fw_market_stage_count() ? s_stages[i].name : NULL;
}

/* CPU time of this thread, in seconds (benchmarks only). */
static double s_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void fw_market_profile(fw_market_t *m, double *seconds)
{
    m->profile = seconds;
}

/* ---- life cycle ------------------------------------------------------------ */

fw_market_t *fw_market_new(const fw_scenario_t *sc, uint32_t ticks)
{
    fw_market_t *m = fw_ground_alloc(sc, ticks);
    if (!m)
        return NULL;
    char err[160];
    if (fw_intake_open(m) != 0 || fw_opening(m) != 0 ||
        fw_ledger_check(m->ledger, err, sizeof err) != FW_LEDGER_OK) {
        fw_ground_free(m);
        return NULL;
    }
    m->total_attract = fw_customers_total_attract(m);
    return m;
}

void fw_market_destroy(fw_market_t **p)
{
    if (!p || !*p)
        return;
    fw_ground_free(*p);
    *p = NULL;
}

void fw_market_prepare(fw_market_t *m)
{
    if (m->tick < m->ticks) {
        fw_deals_fire_events(m, m->tick + 1);
        /* Shocks move capability and reach: the views' demand follows. */
        m->total_attract = fw_customers_total_attract(m);
    }
}

int fw_market_step(fw_market_t *m, Flywheel__V1__Actions *const *actions, fw_arena_t *arena,
                   Flywheel__V1__TickResult **results, Flywheel__V1__Snapshot *snapshot,
                   char *err, size_t err_len)
{
    uint32_t t = m->tick + 1;
    if (m->tick >= m->ticks)
        return FW_MARKET_EDONE;
    const fw_orders_t *orders = fw_intake_orders(m, actions, arena);
    double t0 = m->profile ? s_cpu_now() : 0;
    for (size_t i = 0; i < fw_market_stage_count(); i++) {
        int rc = s_stages[i].run(m, orders, t, err, err_len);
        if (rc != FW_MARKET_OK)
            return rc;
        if (m->profile) {
            double t1 = s_cpu_now();
            m->profile[i] += t1 - t0;
            t0 = t1;
        }
    }
    if (fw_ledger_check(m->ledger, err, err_len) != FW_LEDGER_OK)
        return FW_MARKET_EBOOKS;
    fw_valuation_shares(m, t);
    m->tick = t;
    fw_observe_snapshot(m, arena, t, snapshot);
    for (uint32_t s = 0; s < m->n_seats; s++)
        results[s] = fw_observe_result(m, arena, s, t);
    fw_chips_grow(m);
    fw_customers_grow(m);
    m->total_attract = fw_customers_total_attract(m);
    if (m->profile)
        m->profile[fw_market_stage_count()] += s_cpu_now() - t0;
    return FW_MARKET_OK;
}

/* ---- accessors ----------------------------------------------------------------- */

int64_t fw_market_valuation(const fw_market_t *m, uint32_t seat) { return m->seats[seat].valuation; }
uint32_t fw_market_tick(const fw_market_t *m) { return m->tick; }
uint32_t fw_market_ticks(const fw_market_t *m) { return m->ticks; }
const fw_ledger_t *fw_market_ledger(const fw_market_t *m) { return m->ledger; }
int64_t fw_market_cash(const fw_market_t *m, uint32_t seat) { return fm_cash(m, seat); }
int64_t fw_market_revenue_total(const fw_market_t *m, uint32_t seat) { return m->seats[seat].revenue_total; }
int64_t fw_market_capex_total(const fw_market_t *m, uint32_t seat) { return m->seats[seat].capex_total; }
int64_t fw_market_cost_total(const fw_market_t *m, uint32_t seat) { return m->seats[seat].cost_total; }
uint32_t fw_market_present_ticks(const fw_market_t *m, uint32_t seat) { return m->seats[seat].present_ticks; }

int64_t fw_market_installed(const fw_market_t *m, uint32_t seat, int family)
{
    return fm_installed_at(m, seat, family, m->tick + 1);
}

int64_t fw_market_incoming(const fw_market_t *m, uint32_t seat, int family)
{
    const fw_vec_t *lots = &m->seats[seat].lots;
    int64_t units = 0;
    for (size_t i = 0; i < lots->n; i++) {
        const fw_lot_t *lot = fw_vec_at(lots, i);
        if (lot->family == family && lot->arrives > m->tick + 1)
            units += lot->units;
    }
    return units;
}
