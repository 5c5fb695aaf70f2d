/* fw_ground: the market's state and the booking primitives every stage stands on.
 *
 * The market clears a tick as a pipeline of stages (fw_market.c holds their order;
 * fw_stages.h lists them). Each stage is a module that calls only down, into this
 * one: posting to the ledger, fills and refusals for the seats' reports, lots of
 * chips, credits, cap tables, the events log of the tick. The state is plain C with
 * integer company and family indices: names appear only at the edges (fw_intake.c
 * resolves the seats' actions, fw_observe.c builds what leaves the market), the only
 * two market modules that see generated protobuf types.
 *
 * This header is the market's own (SQLite's sqliteInt.h pattern): the public
 * interface stays fw_market.h.
 */
#ifndef FW_GROUND_H
#define FW_GROUND_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fw_ledger.h"
#include "fw_market_types.h"
#include "fw_scenario.h"

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

/* ---- the seats' actions, resolved ---------------------------------------------
 *
 * fw_intake.c turns each seat's Actions into these: every name is resolved once to an
 * index (-1 if it names nothing; the name is kept for the refusal), in the seat's
 * order. The strings point into the Actions and live as long as the tick's step. */

/* An open-addressed hash table of ids: a name is looked up with one hash and, almost
 * always, one strcmp, whatever the number of companies. */
typedef struct {
    const char **ids; /* per slot: the id, or NULL for an empty slot */
    int *index;       /* per slot: the id's position in the scenario */
    size_t mask;      /* slots - 1 (a power of two, at least twice the ids) */
} fw_name_index_t;

typedef struct {
    int family;
    const char *family_id;
    int64_t price, quantity;
} fw_chip_offer_in_t;

typedef struct {
    int family;
    const char *family_id;
    int64_t quantity, max_price;
} fw_chip_order_in_t;

typedef struct {
    int family;
    const char *family_id;
    int64_t price, capacity;
} fw_compute_offer_in_t;

typedef struct {
    int provider, family;
    const char *provider_id, *family_id;
    int64_t quantity, max_price;
} fw_compute_bid_in_t;

typedef struct {
    int lab;             /* seat index, or -1 */
    int has_terms;       /* the proposal carried terms */
    int family_named;    /* the terms named a chip family (known or not) */
    fw_terms_t terms;    /* investor and lab filled in; chip_family -1 if none or unknown */
} fw_proposal_in_t;

typedef struct {
    uint64_t proposal_id;
    int accept;
    int counter;       /* accepted on these shares, within the proposal's slack */
    double credit_fraction, min_cloud_share, min_chip_share;
} fw_answer_in_t;

/* One seat's actions this tick; present == 0 for a seat that did not answer. */
typedef struct {
    int present;
    size_t n_chip_offers, n_chip_orders, n_compute_offers, n_compute_bids, n_proposals,
        n_answers;
    fw_chip_offer_in_t *chip_offers;
    fw_chip_order_in_t *chip_orders;
    fw_compute_offer_in_t *compute_offers;
    fw_compute_bid_in_t *compute_bids;
    fw_proposal_in_t *proposals;
    fw_answer_in_t *answers;
} fw_orders_t;

typedef struct {
    char text[FW_NAME_MAX + 96];
} fw_event_text_t;

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

/* What a fill was: the wire's FillKind, one for one (fw_observe.c maps them). */
typedef enum {
    FW_FILL_CHIP_SALE = 1,
    FW_FILL_CHIP_PURCHASE,
    FW_FILL_COMPUTE_SALE,
    FW_FILL_COMPUTE_PURCHASE,
    FW_FILL_DELIVERY,
    FW_FILL_INVESTMENT,
    FW_FILL_CREDITS_USED,
    FW_FILL_PENALTY,
    FW_FILL_TAKE_OR_PAY,
} fw_fill_kind_t;

/* A trade as one seat saw it. */
typedef struct {
    fw_fill_kind_t kind;
    int other;        /* the counterparty's seat index, or -1 for outside the scenario */
    int family;       /* family index, or -1 for money fills */
    int64_t quantity;
    int64_t price;    /* per unit */
    int64_t amount;   /* dollars */
} fw_fill_t;

/* Chips or compute moving from a seller to a buyer this tick (the viewer's arrows). */
typedef struct {
    uint32_t seller;  /* vendor (chips) or cloud (compute) */
    uint32_t buyer;   /* cloud (chips) or lab (compute) */
    int family;
    int64_t quantity;
    int64_t amount;
} fw_flow_t;

/* What one tick did to one seat, reported in its TickResult. */
typedef struct {
    fw_vec_t fills;      /* fw_fill_t */
    fw_vec_t rejections; /* fw_rejection_t */
} fw_seat_report_t;

/* An offer standing this tick: a vendor's chips or a cloud's compute. */
typedef struct {
    int posted;       /* 1 if the seller posted this tick */
    int64_t price;    /* dollars per unit */
    int64_t quantity; /* units (chips) or H100-eq months (compute) offered */
    int64_t sold;     /* of which sold this tick */
    int64_t asked;    /* what buyers asked for at this price this tick, before rationing
                       * (chips: with what outside buyers would have taken); more than
                       * quantity when the offer was rationed */
} fw_offer_t;

/* A buyer's request against one offer, in canonical order. */
typedef struct {
    uint32_t seat;
    size_t index;  /* position of the action in the seat's list */
    int64_t want;
    int64_t grant;
} fw_request_t;

/* What a lab has paid one of its investors: compute bought on its cloud, or the chip
 * revenue its compute on a vendor's family paid for. One entry per investor-lab pair,
 * made at the pair's first deal of any kind and kept for the rest of the run (deals
 * that end, exclusive or not, change nothing here). */
typedef struct {
    int investor;
    int64_t total;    /* paid since the pair's first deal (a deal's `returned` is
                       * what this grew by since its signing) */
    int64_t invested; /* dollars the investor put into the lab, over all its deals */
    int64_t returned; /* paid since the pair's first investment (amount > 0): the
                       * round trip is returned / invested (fm_round_trip) */
} fw_paid_t;

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
    bool scheduled;    /* a scenario event, not an agent's proposal */
} fw_proposal_t;

/* An investment signed (or a compute commitment, amount 0). */
typedef struct {
    uint64_t id;
    fw_terms_t terms;
    uint32_t signed_tick;
    uint32_t ends;        /* stipulations apply after signing, through this tick */
    double equity;        /* bought at signing */
    int64_t credits_left; /* credits the lab has not used, dollars */
    int64_t returned_base;/* the lab's payments to the investor before signing
                           * (fm_deal_returned: what came back since) */
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
    double own_business;   /* revenue this tick of the business its own AI improves, when
                            * it is not the base business (own_business in the scenario) */
    int64_t capex_total;   /* capex (fm_capex) over the run */
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
    int64_t round_revenue; /* the revenue level (revenue_level) at the last round: the
                            * base the lab's mark moves from (0 = not seen yet) */
    double revenue_level;  /* the lab's revenue smoothed over about a year (an average
                            * that moves 1/12 of the way each tick): a month's dip or
                            * spike does not move its mark, nor set a round's base */
    uint32_t last_deal;    /* tick of the last deal signed (0 = none) */
    int64_t unpaid_tick;   /* what the lab owed this tick and could not pay (take-or-pay
                            * shortfalls, penalties beyond its cash) */
    int faltering;         /* out of cash with no investor (fw_stage_solvency) */
    int compliant;         /* met every stipulation this tick */
    fw_vec_t cap_table;    /* fw_holder_t */
    /* indices, so that no seat's turn scans every other seat's */
    fw_vec_t deal_refs;    /* size_t: m->deals this seat is party to, in signing order */
    fw_vec_t holdings;     /* uint32_t: labs this seat holds a stake in, ascending */
    fw_vec_t touched;      /* uint32_t: seats in cloud_spend/bid_cloud this tick (labs) */
    fw_vec_t touched_families; /* uint32_t: families in family_tick/bid_family this tick */
    int skills_by_use;     /* every skill[] has been recomputed from its use once, so a
                            * family the lab did not use this tick keeps its value */
    fw_vec_t credit_refs;  /* size_t: m->deals of this lab that may have credits left */
    fw_vec_t paid;         /* fw_paid_t: what this lab paid each of its investors */
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
    size_t *quote_rank;        /* per seat * family: its place when the compute quotes are
                                * listed by seat id, then family id (the order agents see) */
    fw_vec_t posted;           /* size_t: the compute_offers posted this tick (the only
                                * ones to clear: the array is seats x families) */
    double *compute_share;     /* per seat: share of compute sold this tick */
    double *installed_share;   /* per family: share of compute in service */
    fw_seat_report_t *reports; /* per seat, this tick */
    fw_vec_t requests;         /* scratch: fw_request_t */
    fw_vec_t chip_flows;       /* fw_flow_t, vendor to cloud, this tick */
    fw_vec_t compute_flows;    /* fw_flow_t, cloud to lab, this tick */
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
    fw_vec_t events_fired;     /* fw_event_text_t of this tick's events */
    fw_vec_t proposals;        /* fw_proposal_t waiting for answers */
    fw_vec_t deals;            /* fw_deal_t, in signing order */
    uint64_t next_id;          /* ids of proposals and deals */
    int pairwise;              /* round trips reported per investor-lab pair (a small
                                * market) rather than per investor (FW_PAIRS_MAX) */
    int64_t *scratch;          /* n_seats: per-tick scratch (credit reserves) */
    int64_t *family_scratch;   /* n_families, all zero between uses: per-family sums */
    double total_attract;      /* the customers' logit denominator as the next views see
                                * it (fw_customers_total_attract; fw_market.c keeps it) */
    double *profile;           /* borrowed, or NULL: CPU seconds per stage (fw_market_profile) */
    struct fw_metric_names *metric_names; /* owned: the metrics row's names, as written */
    fw_name_index_t seat_names;   /* ids to seat indices (fw_intake.c) */
    fw_name_index_t family_names; /* ids to family indices (fw_intake.c) */
};

/* Compound growth over a long run would leave the range of int64 (and converting
 * such a double is undefined): curves stop at a ceiling no real market reaches. */
#define FW_CURVE_MAX 1e14

static inline double fw_grown(double v, double rate)
{
    v *= 1.0 + rate;
    return v > FW_CURVE_MAX ? FW_CURVE_MAX : v;
}

/* Round trips are reported per investor-lab pair up to this many pairs, per investor
 * beyond: pairs grow as seats squared, and a 1,000-company market would write a
 * quarter of a million columns a tick. Every shipped scenario is far below it. */
#define FW_PAIRS_MAX 4096

/* ---- the model's parameters, with their defaults ------------------------------------ */

static inline double fm_pos(double v, double dflt) { return v > 0 ? v : dflt; }
static inline double fm_lab_multiple(const fw_market_t *m) { return fm_pos(m->sc->market.lab_multiple, 25.0); }
static inline double fm_cloud_multiple(const fw_market_t *m) { return fm_pos(m->sc->market.cloud_multiple, 8.0); }
static inline double fm_vendor_multiple(const fw_market_t *m) { return fm_pos(m->sc->market.vendor_multiple, 15.0); }
static inline double fm_training_scale(const fw_market_t *m) { return fm_pos((double)m->sc->market.training_scale, 1e6); }
static inline double fm_training_exponent(const fw_market_t *m) { return fm_pos(m->sc->market.training_exponent, 0.3); }
static inline double fm_learning_scale(const fw_market_t *m) { return fm_pos(m->sc->market.learning_scale, 2e6); }
static inline double fm_maturity_scale(const fw_market_t *m) { return fm_pos(m->sc->market.maturity_scale, 2e7); }

/* A lab's skill on family f as it runs there: its own (learnt by its own use), with
 * the gap to 1 narrowed by how far the family's software has matured since the start
 * (skill_spillover): tools, libraries and engineers that others' use has made. A
 * family mature from the start spills nothing more than the scenario's skills say. */
static inline double fm_skill(const fw_market_t *m, const fw_seat_state_t *st, uint32_t f)
{
    double m0 = m->sc->families[f].maturity;
    double progress = m0 < 1.0 ? (m->maturity[f] - m0) / (1.0 - m0) : 0.0;
    return 1.0 - (1.0 - st->skill[f]) * (1.0 - m->sc->market.skill_spillover * progress);
}

/* The most any market outside the scenario's seats may spend a tick: 460B a month,
 * 5.5T a year, about the world's IT spending, 5% of its output (market_ceiling). */
static inline double fm_market_ceiling(const fw_market_t *m)
{
    int64_t c = m->sc->market.market_ceiling;
    return c > 0 ? (double)c : 460e9 * (double)(m->sc->tick_months ? m->sc->tick_months : 1);
}

/* Ticks per year. */
static inline double fm_annual(const fw_market_t *m)
{
    return 12.0 / (double)(m->sc->tick_months ? m->sc->tick_months : 1);
}

/* Whether `seat` is a seat of the scenario in `role`. */
static inline int fm_is(const fw_market_t *m, int seat, fw_role_t role)
{
    return seat >= 0 && (uint32_t)seat < m->n_seats && m->sc->seats[seat].role == role;
}

/* Whether seat s is a cloud: a hyperscaler that sells compute to labs. A hyperscaler
 * that does not (Meta) owns compute for its own business, whose revenue is not cloud
 * revenue: it is outside the cloud market, its shares and the base business's pull. */
static inline int fm_sells_compute(const fw_market_t *m, uint32_t s)
{
    return m->sc->seats[s].role == FW_ROLE_HYPERSCALER && m->sc->seats[s].sells_compute;
}

/* Capex this tick: chips bought x (1 + facility_capex), the buildings, power and
 * networking that come with them. */
static inline int64_t fm_capex(const fw_market_t *m, uint32_t s)
{
    return llround((double)m->seats[s].chip_spend_tick * (1.0 + m->sc->market.facility_capex));
}

/* A seat's id, or "outside" for -1. */
static inline const char *fm_id(const fw_market_t *m, int seat)
{
    return seat >= 0 ? m->sc->seats[seat].id : "outside";
}

/* ---- life cycle (fw_ground.c) --------------------------------------------------------- */

/* Allocates the state of a market for `sc` (all zero, no postings). Returns NULL if out
 * of memory. fw_ground_free frees it and everything the stages hung on it. */
fw_market_t *fw_ground_alloc(const fw_scenario_t *sc, uint32_t ticks);
void fw_ground_free(fw_market_t *m);

/* Opens a tick's books: this tick's figures, offers, reports and flows start at zero;
 * seats with orders[s].present answered. */
void fw_ground_begin_tick(fw_market_t *m, const fw_orders_t *orders);

/* The metrics row's k-th name once fw_observe.c has written it, else NULL; and keeping
 * it. The names are fixed by the scenario, so they are written once. Kept through a
 * pointer: observing the market does not change it. */
const char *fm_metric_name(const fw_market_t *m, size_t k);
void fm_keep_metric_name(const fw_market_t *m, size_t k, const char *name);

/* ---- booking primitives (fw_ground.c) -------------------------------------------------- */

/* Reports a refused or trimmed action to `seat`. */
void fm_reject(fw_market_t *m, uint32_t seat, const char *list, size_t index, const char *fmt,
               ...) __attribute__((format(printf, 5, 6)));

/* Reports a fill of quantity x price to `seat`. */
void fm_fill(fw_market_t *m, uint32_t seat, fw_fill_kind_t kind, uint32_t other, int family,
             int64_t quantity, int64_t price);

/* Reports a money fill (an investment, a penalty) to `seat`; other -1 = outside. */
void fm_fill_money(fw_market_t *m, uint32_t seat, fw_fill_kind_t kind, int other,
                   int64_t amount);

/* Records a flow of the tick (chip_flows or compute_flows). */
void fm_flow(fw_vec_t *flows, uint32_t seller, uint32_t buyer, int family, int64_t quantity,
             int64_t amount);

/* Adds a line to this tick's events (Snapshot.events). */
void fm_event(fw_market_t *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Posts a transaction; on a refusal writes a description into err. */
int fm_post(fw_market_t *m, const fw_leg_t *legs, size_t n, const char *memo, char *err,
            size_t err_len);

int64_t fm_cash(const fw_market_t *m, uint32_t seat);

/* Compute per tick of `units` chips of family f: units * perf, rounded down. */
int64_t fm_compute_of(const fw_family_t *f, int64_t units);

/* Posts a cloud's compute offer (seat * n_families + family) for this tick. */
void fm_post_compute_offer(fw_market_t *m, size_t offer, int64_t price, int64_t quantity);

/* Adds a lot of chips to a cloud's books (no posting: the caller pays for it). */
fw_lot_t *fm_add_lot(fw_market_t *m, uint32_t seat, int family, int64_t units, int64_t book,
                     uint32_t arrives, uint32_t retires);

/* Adds what cloud `seat` has in service at tick t to by_family[] (compute per family,
 * one pass over its lots). */
void fm_in_service(const fw_market_t *m, uint32_t seat, uint32_t t, int64_t *by_family);

/* Compute of a cloud in service at tick t, in one family (>= 0) or all (< 0). */
int64_t fm_installed_at(const fw_market_t *m, uint32_t seat, int family, uint32_t t);

/* Caps a purchase at what the buyer can still pay: `reserve` is the cash not yet
 * committed this tick, `credit` (may be NULL) the credits usable for this purchase,
 * spent first. Refusals are reported as list[i]. Returns the units it can buy. */
int64_t fm_affordable(fw_market_t *m, uint32_t seat, const char *list, size_t i, int64_t qty,
                      int64_t price, int64_t *reserve, int64_t *credit);

/* Rations `supply` over the requests in proportion to what each wants
 * (fw_market_ration), setting each request's grant. */
void fm_ration_requests(fw_vec_t *reqs, int64_t supply);

/* Credits `lab` holds on `cloud`'s compute. */
int64_t fm_credits(const fw_market_t *m, uint32_t lab, uint32_t cloud);

/* A new deal on terms T, registered with both parties; the caller fills in the rest.
 * The pointer is good until the next deal. */
fw_deal_t *fm_add_deal(fw_market_t *m, const fw_terms_t *T);

/* The investor's revenue from the deal's lab since the deal's signing. */
int64_t fm_deal_returned(const fw_market_t *m, const fw_deal_t *d);

/* Where the lab's payments to `investor` are added up, or NULL if they have no deal. */
fw_paid_t *fm_paid(const fw_market_t *m, uint32_t lab, int investor);

/* Books `amount` paid by `lab` to `investor` (compute on its cloud, or chip revenue on
 * its family); counted only for a pair with a deal, in the round trip only from the
 * pair's first investment on. */
void fm_pay_investor(fw_market_t *m, uint32_t lab, int investor, int64_t amount);

/* Books an investment of `amount` by `investor` in `lab` (their deal already added). */
void fm_invested(fw_market_t *m, uint32_t lab, int investor, int64_t amount);

/* The round trip of an investor-lab pair: the lab's payments to the investor since the
 * pair's first investment, per dollar invested in the lab (0 before any investment). */
double fm_round_trip(const fw_market_t *m, uint32_t investor, uint32_t lab);

/* The i-th deal `seat` is party to (i < m->seats[seat].deal_refs.n). */
fw_deal_t *fm_deal_of(const fw_market_t *m, uint32_t seat, size_t i);

/* The holder's line in lab's cap table, added (empty) if missing. */
fw_holder_t *fm_holder(fw_market_t *m, uint32_t lab, int holder);

/* Sells `equity` of the lab to `holder`: everyone else is diluted by (1 - equity). */
void fm_issue(fw_market_t *m, uint32_t lab, int holder, double equity, int64_t cost);

/* The line of `holder` in lab's cap table, or NULL. */
const fw_holder_t *fm_holding(const fw_market_t *m, uint32_t lab, int holder);

/* A lab's compute purchase this tick, counted for its stipulations: `spend` dollars on
 * `cloud`, `quantity` on `family` (bought); or what it asked for (bid). */
void fm_count_bid(fw_market_t *m, uint32_t lab, uint32_t cloud, int family, int64_t quantity,
                  int64_t spend);
void fm_count_bought(fw_market_t *m, uint32_t lab, uint32_t cloud, int family, int64_t quantity,
                     int64_t spend);

#endif
