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

#include <stddef.h>
#include <stdint.h>

#define FW_ID_MAX 32        /* ids and names are at most 31 bytes */
#define FW_NAME_MAX 64
#define FW_MAX_SEATS 1024
#define FW_MAX_FAMILIES 64
#define FW_MAX_PARAMS 32

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
    int64_t valuation;           /* dollars at the start (labs; reported, not traded yet) */
    /* every role */
    char strategy[FW_ID_MAX];    /* built-in strategy name; default: the role's name */
    fw_param_t params[FW_MAX_PARAMS];
    size_t n_params;
} fw_seat_t;

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

/* Writes "YYYY-MM" of tick `tick` (1-based) into buf (>= 8 bytes). */
void fw_scenario_month(const fw_scenario_t *sc, uint32_t tick, char *buf, size_t len);

#endif
