/* fw_scenario: a scenario file, loaded and checked.
 *
 * A scenario is plain data: once fw_scenario_load() returns it, nothing changes it.
 * Seats are numbered in the order the file lists them; that index is the seat id the
 * market uses for canonical ordering (seat id, then sequence), so it must never
 * depend on anything but the file.
 *
 * Every error names the file, line and column of the offending YAML node
 * ("scenarios/x.yaml:12:7: unknown key 'cahs' in seat"), and nothing is returned.
 */
#ifndef FW_SCENARIO_H
#define FW_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_ID_MAX 32        /* ids and names are at most 31 bytes */
#define FW_NAME_MAX 64
#define FW_MAX_SEATS 1024
#define FW_MAX_FAMILIES 64
#define FW_MAX_PARAMS 32
#define FW_MAX_EVENTS 4096
#define FW_MAX_CHECKS 256
#define FW_METRIC_MAX 96    /* metric names, e.g. "compute_share.aws" */

typedef enum {
    FW_ROLE_NONE = 0,
    FW_ROLE_HYPERSCALER = 1, /* same numbers as flywheel.v1.Role */
    FW_ROLE_LAB = 2,
    FW_ROLE_VENDOR = 3,
} fw_role_t;

/* A strategy parameter: "key: number" under a seat's `strategy.params`. */
typedef struct {
    char key[FW_ID_MAX];
    double value;
} fw_param_t;

typedef struct {
    char id[FW_ID_MAX];          /* e.g. "hopper" */
    char name[FW_NAME_MAX];      /* e.g. "NVIDIA Hopper (H100/H200)" */
    int vendor;                  /* seat index of the vendor */
    int captive_of;              /* seat index of the only allowed buyer, or -1 */
    uint32_t perf_milli;         /* H100-equivalents per unit, thousandths */
    int64_t unit_cost;           /* dollars to make one unit */
    int64_t price;               /* vendor's opening list price per unit, dollars */
    int64_t capacity;            /* units the vendor can make per tick at the start */
    double capacity_growth;      /* per tick, e.g. 0.03 = +3% a tick */
    uint32_t lead_time;          /* ticks from order to delivery, >= 0 */
    uint32_t life;               /* ticks of service, >= 1 */
    double maturity;             /* software maturity in [0, 1] */
} fw_family_t;

/* Chips a cloud has in service at the start. */
typedef struct {
    int family;                  /* family index */
    int64_t units;
} fw_installed_t;

typedef struct {
    char id[FW_ID_MAX];          /* e.g. "aws"; unique across seats */
    char name[FW_NAME_MAX];      /* e.g. "Amazon Web Services" */
    fw_role_t role;
    int64_t cash;                /* dollars at the start */
    /* hyperscalers */
    int64_t base_revenue;        /* non-AI cloud revenue per tick, dollars */
    double base_growth;          /* per tick */
    double base_margin;          /* operating margin of the base business, [0, 1] */
    int64_t compute_price;       /* opening price per H100-equivalent month, dollars */
    fw_installed_t *installed;   /* owned; n_installed entries */
    size_t n_installed;
    /* labs */
    int64_t demand;              /* compute (H100-eq months) customers can use per tick at start */
    double demand_growth;        /* per tick */
    int64_t revenue_per_compute; /* dollars earned per H100-eq month served */
    int64_t valuation;           /* dollars at the start; 0 = from revenue and the multiple */
    double capability;           /* labs: capability index at the start, default 1.0 */
    double price_index;          /* labs: price to customers relative to the market, default 1.0 */
    double reach;                /* labs: attractiveness beyond capability and price, default 1.0 */
    double *skill;               /* labs: per family, initial skill in (0, 1]; owned, n_families
                                    entries (default 0.6 for every family) */
    /* hyperscalers: AI in the company's own operations (question 5). Each tick it is
       worth ai_uplift x the business it improves x (1 - exp(-own compute / ai_saturation)),
       so it never exceeds that business and saturates with compute. */
    bool sells_compute;          /* sells compute to labs (a cloud), default true; false: a
                                    company that owns compute for its own business only (Meta),
                                    whose base business is not cloud revenue */
    int64_t own_business;        /* revenue per tick of the business its own AI improves, at
                                    the start; 0 (default) = the base business */
    double own_business_growth;  /* per tick; default base_growth */
    double ai_uplift;            /* the most AI adds to that business, as a share of its
                                    revenue, [0, 1]; default 0 (no own-operations value) */
    double ai_saturation;        /* H100-eq months a tick of own compute at which AI gives
                                    1 - 1/e (63%) of ai_uplift; > 0, default 2M */
    /* every role */
    char strategy[FW_ID_MAX];    /* built-in strategy name; default: the role's name */
    fw_param_t params[FW_MAX_PARAMS];
    size_t n_params;
} fw_seat_t;

/* Market-wide parameters (`market:`); every key is optional. */
typedef struct {
    int64_t ai_spending;         /* end-customer AI spending per tick at the start, dollars;
                                    0 = the sum of the labs' demand x revenue_per_compute */
    double ai_spending_growth;   /* per tick at the start, default 0.05 */
    double ai_spending_growth_decay; /* the growth rate is multiplied by this each tick, so
                                    a boom slows down; [0, 1], default 1 (steady) */
    double outside_lab_share;    /* share of AI spending that goes, at the start, to labs
                                    outside the scenario (the logit's outside option, whose
                                    pull stays constant); [0, 0.95], default 0 */
    double capability_weight;    /* logit weight on ln(capability), default 2.0 */
    double price_weight;         /* logit weight on ln(price_index), default 1.0 */
    double lab_multiple;         /* valuation / annualised revenue, labs, default 25 */
    double valuation_elasticity; /* between rounds a lab's mark is its last round x (revenue
                                    now / revenue at the round)^this; [0, 5], default 0.7 */
    double valuation_band;       /* ... within [round / band, round x band]; [1, 100],
                                    default 4 */
    double cloud_multiple;       /* ... hyperscalers, default 8 */
    double vendor_multiple;      /* ... chip vendors, default 15 */
    int64_t other_cloud_revenue; /* cloud revenue per tick of providers not in the scenario */
    double other_cloud_growth;   /* per tick, default 0 */
    int64_t other_chip_demand;   /* dollars a tick of chips bought by companies outside the
                                    scenario (own data centres, enterprises, states), from
                                    what the clouds leave on offer; default 0 */
    double other_chip_growth;    /* per tick, default 0 */
    double base_pull;            /* pull of AI compute share on base cloud growth, default 0.02 */
    double training_exponent;    /* capability growth exponent (diminishing returns), default 0.3 */
    int64_t training_scale;      /* H100-eq months of effective training per step, default 1M */
    double learning_scale;       /* H100-eq months over which a lab's skill on a family
                                    matures, default 2M */
    double maturity_scale;       /* H100-eq months (all labs) over which a family's software
                                    matures, default 20M */
    double falter_churn;         /* share of a faltering lab's reach lost per tick, default 0.05 */
    double reach_convergence;    /* [0, 1) a tick: how fast the labs' reach (customers'
                                    attachment beyond capability and price) moves towards
                                    their geometric mean, default 0.01 */
    double skill_spillover;      /* [0, 1]: how much a family's software progress since the
                                    start (maturity from its initial value towards 1) closes
                                    every lab's gap in skill on it, default 0.5 */
    double facility_capex;       /* data-centre capex per dollar of chips (capex metric), 0.6 */
    int64_t market_ceiling;      /* dollars a tick: the most end customers' AI spending, the
                                    cloud market (base business and other clouds) and the
                                    outside chip buyers' budget each grow to, a share of the
                                    world economy; 0 = 460B a month (5.5T a year) */
    double capacity_response;    /* a family's capacity growth rises by this x (orders /
                                    capacity - 1) a tick; [0, 1], default 0.05 (0 = the
                                    planned capacity_growth, whatever the orders) */
    double capacity_surge_max;   /* the most that correction adds to capacity_growth a tick;
                                    [0, 0.2], default 0.03 */
    double capacity_ease_max;    /* the most it takes off a tick; [0, 0.2], default 0.02 */
    bool credits_allowed;        /* investments may be paid in credits, default true */
} fw_market_params_t;

/* An investment's terms: a deal event, or an initial deal. */
typedef struct {
    int investor;                /* seat index: a hyperscaler or a vendor; -1 = investors
                                    outside the scenario (`investor: outside`), cash only */
    int lab;                     /* seat index: a lab */
    int64_t amount;              /* dollars */
    double credit_fraction;      /* part paid as credits on the investor's cloud, [0, 1] */
    int64_t valuation;           /* post-money; 0 = the lab's valuation then, plus amount */
    double min_cloud_share;      /* of the lab's compute spend on the investor's cloud, [0, 1] */
    int chip_family;             /* family index of a chip mandate, or -1 */
    double min_chip_share;       /* of the lab's compute on that family, [0, 1] */
    bool exclusive;              /* all compute on the investor's cloud */
    uint32_t duration;           /* ticks the stipulations last */
    int64_t penalty;             /* dollars the lab pays on a breach */
    int64_t min_spend;           /* take-or-pay: dollars a tick the lab owes the investor's
                                    cloud for compute, from the tick after signing through
                                    the deal's end; what it spends there counts, the
                                    shortfall is paid in cash. 0 = none. Clouds that sell
                                    compute only */
    /* An agent's proposal only (0 in a scenario): how far the lab may lower each share
     * when it takes the deal (a counter within bounds). */
    double credit_fraction_slack, cloud_share_slack, chip_share_slack;
} fw_terms_t;

typedef enum {
    FW_EVENT_DEAL = 1,             /* the investor offers `deal` to the lab */
    FW_EVENT_CAPABILITY_SHOCK = 2, /* the lab's capability x factor */
    FW_EVENT_DEMAND_SHOCK = 3,     /* the lab's reach x factor */
    FW_EVENT_SUPPLY_SHOCK = 4,     /* the family's capacity x factor, for duration ticks */
    FW_EVENT_POLICY = 5,           /* credits allowed or not, from this tick on */
} fw_event_kind_t;

typedef struct {
    fw_event_kind_t kind;
    uint32_t tick;               /* fires at the start of this tick (from `at: YYYY-MM`) */
    char name[FW_NAME_MAX];      /* shown in Snapshot.events; default: made from the kind */
    fw_terms_t deal;             /* FW_EVENT_DEAL */
    int seat;                    /* shocks: the lab; -1 otherwise */
    int family;                  /* supply shock: the family; -1 otherwise */
    double factor;               /* shocks: multiplier, > 0 */
    uint32_t duration;           /* supply shock: ticks, 0 = for good */
    bool credits_allowed;        /* policy */
} fw_event_t;

/* A deal signed before the start and still in force. */
typedef struct {
    fw_terms_t terms;            /* duration counts from tick 1 */
    double equity;               /* fraction of the lab the investor holds at the start */
    int64_t credits_left;        /* credits not yet spent at the start, dollars */
} fw_initial_deal_t;

typedef enum { FW_AGG_LAST = 0, FW_AGG_SUM = 1, FW_AGG_MEAN = 2 } fw_agg_t;

/* An expected band on an outcome, reported by `flywheel run --check`. */
typedef struct {
    char name[FW_NAME_MAX];      /* what it checks, for people */
    char metric[FW_METRIC_MAX];  /* a metrics.csv column */
    uint32_t from, to;           /* ticks, inclusive (`at:` sets both) */
    fw_agg_t agg;                /* over [from, to]: last value, sum or mean */
    double scale;                /* the aggregate is multiplied by this (12 = annualised) */
    double low, high;            /* the band, inclusive */
    uint32_t line, col;          /* where the check is written, 1-based, for messages */
} fw_check_t;

typedef struct {
    char *path;                  /* as given to fw_scenario_load; owned */
    char *text;                  /* the file's bytes, NUL-terminated; owned */
    size_t text_len;
    char name[FW_NAME_MAX];      /* run.name */
    int start_year, start_month; /* run.start "YYYY-MM" */
    uint32_t ticks;              /* run.ticks */
    uint32_t tick_months;        /* run.tick_months: 1 (monthly) or 3 (quarterly) */
    uint64_t seed;               /* run.seed */
    fw_family_t *families;       /* owned; n_families entries */
    size_t n_families;
    fw_seat_t *seats;            /* owned; n_seats entries, in file order */
    size_t n_seats;
    fw_market_params_t market;   /* `market:` */
    fw_event_t *events;          /* owned; n_events entries, sorted by tick (stable) */
    size_t n_events;
    fw_initial_deal_t *deals;    /* owned; `deals:` in force at the start */
    size_t n_deals;
    fw_check_t *checks;          /* owned; `checks:` */
    size_t n_checks;
    char *base_path;             /* `extends:` the base file as resolved, or NULL; owned */
    char *base_text;             /* its bytes, or NULL; owned */
} fw_scenario_t;

/* Loads and checks a scenario. Returns an owned scenario, or NULL with a one-line
 * message "file:line:col: what is wrong" (or "file: why it cannot be read") written
 * into err (at most err_len bytes, always NUL-terminated). */
fw_scenario_t *fw_scenario_load(const char *path, char *err, size_t err_len);

/* Same, from bytes in memory; `path` only names the source in messages. */
fw_scenario_t *fw_scenario_parse(const char *path, const char *text, size_t len,
                                 char *err, size_t err_len);

/* Frees a scenario; NULL-safe; sets *p to NULL. */
void fw_scenario_destroy(fw_scenario_t **p);

/* Seat index of `id`, or -1. */
int fw_scenario_seat(const fw_scenario_t *sc, const char *id);

/* Family index of `id`, or -1. */
int fw_scenario_family(const fw_scenario_t *sc, const char *id);

/* A strategy parameter of a seat, or `fallback` when the scenario does not set it. */
double fw_seat_param(const fw_seat_t *seat, const char *key, double fallback);

/* "hyperscaler", "lab", "vendor" (or "none"). */
const char *fw_role_name(fw_role_t role);

/* Parses "hyperscaler"/"lab"/"vendor"; FW_ROLE_NONE if none matches. */
fw_role_t fw_role_parse(const char *s);

/* The tick at which month "YYYY-MM" starts (1 = the start month; 0 or less: before). */
int64_t fw_scenario_tick_of(const fw_scenario_t *sc, int year, int month);

/* Writes "YYYY-MM" of tick `tick` (1-based) into buf (>= 8 bytes). */
void fw_scenario_month(const fw_scenario_t *sc, uint32_t tick, char *buf, size_t len);

#endif
