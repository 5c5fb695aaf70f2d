/* fw_market_int: the market's state, shared by its two source files and no one else.
 *
 * fw_market.c clears the chip and compute markets, depreciates, and builds views and
 * snapshots; fw_economy.c runs the rest of the economy: events, investments, credits,
 * end customers, labs' capability and skills, stipulations, valuations. Both work on
 * the one struct fw_market below, which only they see (SQLite's sqliteInt.h pattern):
 * the public interface stays fw_market.h.
 */
#ifndef FW_MARKET_INT_H
#define FW_MARKET_INT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fw_market.h"

/* ---- a growable array of plain structs ------------------------------------------ */

typedef struct {
    void *items;  /* item storage */
    size_t n;     /* items in use */
    size_t cap;   /* items allocated */
    size_t size;  /* bytes per item */
} fw_vec_t;

static inline void fw_vec_init(fw_vec_t *v, size_t size)
{
    memset(v, 0, sizeof *v);
    v->size = size;
}

static inline void *fw_vec_push(fw_vec_t *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void *items = realloc(v->items, cap * v->size);
        if (!items)
            abort(); /* bounded by seats x actions; running out here is unrecoverable */
        v->items = items;
        v->cap = cap;
    }
    void *item = (char *)v->items + v->n * v->size;
    memset(item, 0, v->size);
    v->n++;
    return item;
}

static inline void *fw_vec_at(const fw_vec_t *v, size_t i)
{
    return (char *)v->items + i * v->size;
}

static inline void fw_vec_free(fw_vec_t *v)
{
    free(v->items);
    memset(v, 0, sizeof *v);
}

/* ---- the state ------------------------------------------------------------------ */

/* A lot of chips bought in one tick by one cloud from one family. */
typedef struct {
    int family;       /* family index */
    int64_t units;    /* chips in the lot */
    int64_t book;     /* cost not yet depreciated, dollars */
    uint32_t arrives; /* first tick in service */
    uint32_t retires; /* first tick no longer in service */
} fw_lot_t;

typedef struct {
    char action[40]; /* e.g. "chip_orders[2]" */
    char reason[160];
} fw_rejection_t;

/* What one tick did to one seat, reported in its TickResult. */
typedef struct {
    fw_vec_t fills;      /* Flywheel__V1__Fill by value; strings point into the scenario */
    fw_vec_t rejections; /* fw_rejection_t */
} fw_seat_report_t;

/* An offer standing this tick: a vendor's chips or a cloud's compute. */
typedef struct {
    int posted;       /* 1 if the seller posted this tick */
    int64_t price;    /* dollars per unit */
    int64_t quantity; /* units (chips) or H100-eq months (compute) offered */
    int64_t sold;     /* of which sold this tick */
} fw_offer_t;

/* A buyer's request against one offer, in canonical order. */
typedef struct {
    uint32_t seat;
    size_t index;  /* position of the action in the seat's list */
    int64_t want;
    int64_t grant;
} fw_request_t;

/* An owner of part of a lab. */
typedef struct {
    int holder;      /* seat index, or -1 for everyone outside the scenario */
    double fraction; /* of the lab */
    int64_t cost;    /* dollars paid for it (0 for founders and outsiders) */
    int64_t value;   /* fraction x valuation at the last mark */
} fw_holder_t;

/* An investment offered and waiting for the lab's answer. */
typedef struct {
    uint64_t id;
    fw_terms_t terms;
    uint32_t visible;  /* first tick in which the lab sees it */
    uint32_t expires;  /* last tick in which an answer counts */
    char name[128];    /* the scheduled event's name, or a description */
} fw_proposal_t;

/* An investment signed (or a compute commitment, amount 0). */
typedef struct {
    uint64_t id;
    fw_terms_t terms;
    uint32_t signed_tick;
    uint32_t ends;        /* stipulations apply after signing, through this tick */
    double equity;        /* bought at signing */
    int64_t credits_left; /* credits the lab has not used, dollars */
    int64_t returned;     /* investor's revenue from the lab since signing */
    int compliant;        /* the lab met the stipulations this tick */
    int breached;         /* a breach was penalised; the stipulations are over */
} fw_deal_t;

typedef struct {
    /* every role */
    int64_t revenue_tick;  /* revenue booked this tick */
    int64_t cost_tick;     /* costs booked this tick */
    int64_t revenue_total; /* over the run */
    int64_t cost_total;    /* over the run */
    uint32_t present_ticks;/* ticks the seat answered */
    int present;           /* answered this tick */
    int64_t valuation;     /* dollars, after this tick's mark */
    int64_t compute_tick;  /* clouds: compute sold; labs: bought (this tick) */
    /* hyperscalers */
    fw_vec_t lots;         /* fw_lot_t, ordered by purchase */
    double base_revenue;   /* base business revenue this tick */
    int64_t base_tick;     /* base revenue booked this tick */
    int64_t ai_revenue_tick;/* compute sold this tick, dollars */
    int64_t chip_spend_tick;/* chips bought this tick, dollars */
    int64_t ai_ops_tick;   /* value of compute used in its own operations this tick */
    /* labs */
    double capability;     /* index; 1.0 = the start-of-2024 frontier */
    double cap_base;       /* capability before training, incl. shocks */
    double reach;          /* attractiveness beyond capability and price */
    double cum_train;      /* effective training compute so far, H100-eq months */
    double *skill;         /* per family: skill from compute run there, (0, 1] */
    double *cum_family;    /* per family: compute run there so far */
    int64_t *family_tick;  /* per family: compute bought this tick */
    int64_t *cloud_spend;  /* per seat: dollars spent on that cloud's compute this tick */
    int64_t spend_tick;    /* dollars spent on compute this tick */
    int64_t *bid_cloud;    /* per seat: dollars the lab asked to buy from that cloud this tick */
    int64_t *bid_family;   /* per family: compute the lab asked for this tick */
    int64_t bid_spend;     /* dollars asked for this tick (at the offers' prices) */
    int64_t bid_compute;   /* compute asked for this tick */
    int64_t demand_dollars;/* what customers wanted to spend with the lab this tick */
    double share;          /* AI revenue share this tick */
    int64_t last_round;    /* post-money valuation of the last round */
    uint32_t last_deal;    /* tick of the last deal signed (0 = none) */
    int faltering;         /* out of cash with no investor */
    int compliant;         /* met every stipulation this tick */
    fw_vec_t cap_table;    /* fw_holder_t */
} fw_seat_state_t;

struct fw_market {
    const fw_scenario_t *sc;   /* borrowed */
    uint32_t n_seats;          /* sc->n_seats */
    uint32_t n_families;       /* sc->n_families */
    uint32_t tick;             /* last cleared tick */
    uint32_t opened;           /* last tick whose events have fired */
    uint32_t ticks;            /* run length */
    fw_ledger_t *ledger;       /* owned: every dollar */
    fw_seat_state_t *seats;    /* n_seats */
    double *capacity;          /* per family: units the vendor can make this tick */
    double *supply_factor;     /* per family: supply shock multiplier in force */
    uint32_t *supply_until;    /* per family: last tick of the shock (0 = for good) */
    double *maturity;          /* per family: software maturity, [0, 1] */
    double *cum_all;           /* per family: compute all labs ran there so far */
    int64_t *family_revenue;   /* per family: vendor chip revenue this tick */
    int64_t *family_units;     /* per family: chips sold this tick */
    fw_offer_t *chip_offers;   /* per family: this tick's vendor offer */
    fw_offer_t *compute_offers;/* per seat * family: this tick's cloud offers */
    size_t *quote_order;       /* seat * family indices of compute_offers, ordered by seat
                                * id then family id: the order of the quotes agents see */
    double *compute_share;     /* per seat: share of compute sold this tick */
    double *installed_share;   /* per family: share of compute in service */
    fw_seat_report_t *reports; /* per seat, this tick */
    fw_vec_t requests;         /* scratch: fw_request_t */
    fw_vec_t chip_flows;       /* Flywheel__V1__ChipFlow by value, this tick */
    fw_vec_t compute_flows;    /* Flywheel__V1__ComputeFlow by value, this tick */
    int64_t chips_sold;        /* units this tick */
    int64_t compute_sold;      /* H100-eq months this tick */
    /* the economy */
    double ai_spending;        /* end customers' AI spending this tick, dollars */
    double ai_growth;          /* its growth rate this tick */
    double outside_attract;    /* pull of labs outside the scenario (logit outside option) */
    double other_cloud;        /* cloud revenue of providers outside the scenario */
    double other_chips;        /* chip budget of buyers outside the scenario, this tick */
    int credits_allowed;       /* policy in force */
    size_t next_event;         /* index of the next scheduled event to fire */
    fw_vec_t events_fired;     /* char[FW_NAME_MAX + 32] of this tick's events */
    fw_vec_t proposals;        /* fw_proposal_t waiting for answers */
    fw_vec_t deals;            /* fw_deal_t, in signing order */
    uint64_t next_id;          /* ids of proposals and deals */
    int64_t *pair_invested;    /* per investor * lab: dollars invested */
    int64_t *pair_returned;    /* per investor * lab: revenue returned since the first deal */
    int64_t *scratch;          /* n_seats: per-tick scratch (credit reserves) */
};

/* Compound growth over a long run would leave the range of int64 (and converting
 * such a double is undefined): curves stop at a ceiling no real market reaches. */
#define FW_CURVE_MAX 1e14

static inline double fw_grown(double v, double rate)
{
    v *= 1.0 + rate;
    return v > FW_CURVE_MAX ? FW_CURVE_MAX : v;
}

/* ---- shared helpers (fw_market.c) -------------------------------------------------- */

/* Reports a refused or trimmed action to `seat`. */
void fm_reject(fw_market_t *m, uint32_t seat, const char *list, size_t index, const char *fmt,
               ...) __attribute__((format(printf, 5, 6)));

/* Reports a fill of quantity x price to `seat`. */
void fm_fill(fw_market_t *m, uint32_t seat, Flywheel__V1__FillKind kind, uint32_t other,
             int family, int64_t quantity, int64_t price);

/* Reports a money fill (an investment, a penalty) to `seat`; other -1 = outside. */
void fm_fill_money(fw_market_t *m, uint32_t seat, Flywheel__V1__FillKind kind, int other,
                   int64_t amount);

/* Posts a transaction; on a refusal writes a description into err. */
int fm_post(fw_market_t *m, const fw_leg_t *legs, size_t n, const char *memo, char *err,
            size_t err_len);

int64_t fm_cash(const fw_market_t *m, uint32_t seat);

/* Compute of a cloud in service at tick t, in one family (>= 0) or all (< 0). */
int64_t fm_installed_at(const fw_market_t *m, uint32_t seat, int family, uint32_t t);

/* ---- the economy (fw_economy.c) ------------------------------------------------------ */

/* Allocates and fills the economy's opening state (labs, cap tables, initial deals).
 * Returns 0, or -1 if out of memory or the ledger refused the opening postings. */
int fe_open(fw_market_t *m);

/* Frees what fe_open allocated. */
void fe_close(fw_market_t *m);

/* Fires the scheduled events of tick t (once; later calls do nothing). */
void fe_fire_events(fw_market_t *m, uint32_t t);

/* Investment proposals and answers of tick t: new proposals are checked and queued
 * for the next tick; accepted ones are executed now. */
int fe_investments(fw_market_t *m, Flywheel__V1__Actions *const *actions, uint32_t t,
                   char *err, size_t err_len);

/* Credits `lab` holds on `cloud`'s compute. */
int64_t fe_credits(const fw_market_t *m, uint32_t lab, uint32_t cloud);

/* Pays for compute: uses the lab's credits on that cloud first (booked as the
 * cloud's revenue), then cash. Counts the revenue towards the deals' round trips. */
int fe_pay_compute(fw_market_t *m, uint32_t lab, uint32_t cloud, int family, int64_t quantity,
                   int64_t amount, char *err, size_t err_len);

/* End customers, the labs' capability and skills, faltering. */
int fe_customers(fw_market_t *m, uint32_t t, char *err, size_t err_len);

/* Clouds' AI use in their own operations (question 5). */
int fe_ai_operations(fw_market_t *m, uint32_t t, char *err, size_t err_len);

/* Stipulation compliance; a breach costs the lab the deal's penalty. */
int fe_compliance(fw_market_t *m, uint32_t t, char *err, size_t err_len);

/* Valuations of every company, and stakes marked to market. */
int fe_valuations(fw_market_t *m, uint32_t t, char *err, size_t err_len);

/* Counts the economy's metrics (for sizing) and appends them to mt[*k]. */
size_t fe_metric_count(const fw_market_t *m);
void fe_metrics(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__Metric **mt, size_t *k);

/* Fills the economy's parts of a snapshot, a seat's view and the market view. */
void fe_snapshot(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__Snapshot *snap);
void fe_view_seat(const fw_market_t *m, uint32_t seat, fw_arena_t *a,
                  Flywheel__V1__SeatView *v);
void fe_view_market(const fw_market_t *m, fw_arena_t *a, Flywheel__V1__MarketView *mv);

/* Growth of the economy's exogenous curves for the next tick. */
void fe_grow(fw_market_t *m);

/* Mixes the economy's state into the state hash. */
uint64_t fe_hash(const fw_market_t *m, uint64_t h);

/* A metric built in the arena. */
Flywheel__V1__Metric *fm_metric(fw_arena_t *a, const char *prefix, const char *id, double value);

#endif
