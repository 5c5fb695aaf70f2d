/* fw_synth: see fw_synth.h for what the market looks like and the invariants.
 *
 * The market is drawn first, then written. Each seat and each family draws from a
 * stream of its own (fw_rng_seat_seed of the seed and its index), so a company's
 * draws do not depend on how many draws another one made. Sizes are drawn from small
 * tables of round figures, and what has to balance (installed compute against
 * demand, chip capacity against installed compute) is sized from totals with integer
 * arithmetic and rounded to two significant digits afterwards.
 */
#include "fw_synth.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fw_rng.h"

/* Where the streams of the families start: past every seat's. */
#define S_FAMILY_STREAM FW_MAX_SEATS
/* The figures of scenarios/large-60.yaml that every company shares. */
#define S_COMPUTE_PRICE_STEP 100   /* compute_price is 1800 +- this */
#define S_MAX_PRICE 2500           /* labs' max_price */
#define S_PRICE_STEP_MILLI 30      /* vendors' price_step, 0.03 */
#define S_CAPACITY_GROWTH_MILLI 30 /* families' capacity_growth, 0.03 */
#define S_LEAD_TIME 2
#define S_LIFE 60
/* The balance of the market, as fractions num/den. */
#define S_INSTALLED_NUM 2 /* installed compute = 2 x the labs' opening demand */
#define S_INSTALLED_DEN 1
#define S_CONTRACT_SHARE 60 /* percent of a lab's compute spend its home cloud gets */
#define S_TRAIN_RATIO 2     /* a lab buys up to 2 x its demand: to serve and to train */
#define S_CAPACITY_DEN 10 /* the families make 1/10 of the installed compute a tick */
#define S_OTHER_CHIPS_DEN 4 /* other_chip_demand: 1/4 of what open families can make */
#define S_OTHER_CLOUD_DEN 2 /* other_cloud_revenue: 1/2 of the clouds' base revenue */

#define S_COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct {
    int vendor;             /* vendor number, 0-based among the vendors */
    int captive_of;         /* cloud number, 0-based among the clouds, or -1 */
    int next_generation;    /* 1 for the leader's second family */
    unsigned perf;          /* H100-equivalents per chip, tenths */
    unsigned maturity;      /* tenths */
    unsigned weight;        /* share of the capacity among the smaller vendors' families */
    int64_t unit_cost;
    int64_t price;
    int64_t capacity;       /* chips a tick */
} s_family_t;

typedef struct {
    int64_t cash;
    int family;             /* the family it makes, or -1 (two for the leader: 0 and 1) */
} s_vendor_t;

typedef struct {
    unsigned weight;        /* relative size */
    int64_t compute;        /* installed compute it is sized to, H100-eq */
    int64_t cash, base_revenue, capex;
    unsigned base_growth;   /* thousandths */
    unsigned base_margin;   /* hundredths */
    unsigned target;        /* target_utilisation, hundredths */
    int64_t compute_price;
    int64_t cash_per, base_per, capex_per; /* per H100-eq installed: drawn first */
    int other;              /* the other open family it runs, or -1 */
    unsigned leader_pct;    /* share of its compute on the leader's family, percent */
    int64_t units[3];       /* installed: leader's family, captive family, other */
    int64_t contracted;     /* compute its contracts ask of it, H100-eq */
} s_cloud_t;

typedef struct {
    int64_t demand, cash, revenue_per_compute;
    unsigned demand_growth; /* thousandths */
    unsigned capability;    /* tenths */
    uint32_t home;          /* the cloud of its compute contract, 0-based */
} s_lab_t;

typedef struct {
    uint32_t n_vendors, n_clouds, n_labs, n_families, n_captive;
    s_family_t *families;
    s_vendor_t *vendors;
    s_cloud_t *clouds;
    s_lab_t *labs;
    int64_t demand;         /* the labs' opening demand, added up */
    int64_t spending;       /* the labs' demand x revenue_per_compute, added up */
    int64_t installed;      /* the clouds' installed compute, added up */
    int64_t base_revenue;   /* the clouds' base revenue, added up */
    int64_t open_chips;     /* what the open families can make a tick, in dollars */
} s_market_t;

/* ---- numbers ----------------------------------------------------------------------- */

/* A draw from `n` choices. The modulo's bias (n / 2^64) is far below anything a
 * scenario shows. */
static uint64_t s_pick(fw_rng_t *r, uint64_t n)
{
    return fw_rng_next(r) % n;
}

#define S_DRAW(r, table) ((table)[s_pick((r), S_COUNT(table))])

/* v rounded to two significant digits, halves up: 123456 -> 120000. */
static int64_t s_round2(int64_t v)
{
    int64_t p = 1;
    assert(v >= 0);
    while (v / p >= 100)
        p *= 10;
    return (v + p / 2) / p * p;
}

/* v * num / den, rounded down, without overflow for the sizes here (asserted). */
static int64_t s_scale(int64_t v, int64_t num, int64_t den)
{
    assert(den > 0 && v >= 0 && num >= 0);
    assert(num == 0 || v <= INT64_MAX / num);
    return v * num / den;
}

/* Writes `v` as the scenario's money/count syntax: 7500000000 -> "7.5B", 35000 ->
 * "35k", 800 -> "800". Exact: a value with more digits than the suffix form shows is
 * written in full. */
static const char *s_amount(char *buf, size_t len, int64_t v)
{
    static const struct { int64_t unit; char suffix; } units[] = {
        {1000000000000LL, 'T'}, {1000000000LL, 'B'}, {1000000LL, 'M'}, {1000LL, 'k'}};
    for (size_t i = 0; i < S_COUNT(units); i++) {
        int64_t u = units[i].unit;
        if (v < u)
            continue;
        if (v % u == 0) {
            snprintf(buf, len, "%" PRId64 "%c", v / u, units[i].suffix);
            return buf;
        }
        if (v % (u / 10) == 0) {
            snprintf(buf, len, "%" PRId64 ".%" PRId64 "%c", v / u, v % u / (u / 10),
                     units[i].suffix);
            return buf;
        }
        break;
    }
    snprintf(buf, len, "%" PRId64, v);
    return buf;
}

/* Writes v / 10^digits with at least one decimal and no trailing zeros beyond it:
 * (30, 3) -> "0.03", (10, 1) -> "1.0", (85, 2) -> "0.85". */
static const char *s_fixed(char *buf, size_t len, unsigned v, int digits)
{
    unsigned p = 1;
    for (int i = 0; i < digits; i++)
        p *= 10;
    int n = snprintf(buf, len, "%u.%0*u", v / p, digits, v % p);
    while (n > 0 && (size_t)n < len && buf[n - 1] == '0' && buf[n - 2] != '.')
        buf[--n] = '\0';
    return buf;
}

/* ---- the market ---------------------------------------------------------------------- */

int fw_synth_roles(uint32_t companies, uint32_t *vendors, uint32_t *clouds, uint32_t *labs)
{
    if (companies < FW_SYNTH_MIN_COMPANIES || companies > FW_SYNTH_MAX_COMPANIES)
        return FW_SYNTH_EINVAL;
    uint32_t v = (companies + 4) / 8, c = (companies + 2) / 4;
    if (v < 1)
        v = 1;
    if (c < 1)
        c = 1;
    *vendors = v;
    *clouds = c;
    *labs = companies - v - c; /* >= 1: v + c <= 2 at N = 3, and grows slower after */
    assert(*labs >= 1);
    return FW_SYNTH_OK;
}

static void s_stream(fw_rng_t *r, uint64_t seed, uint32_t index)
{
    fw_rng_seed(r, fw_rng_seat_seed(seed, index));
}

/* The labs: the first twelfth are frontier labs, the rest of the first two fifths
 * mid-sized, the others small; demand, cash and capability by tier (large-60's
 * ranges). */
static void s_make_labs(s_market_t *m, uint64_t seed)
{
    static const int64_t frontier_demand[] = {15000, 20000, 30000, 50000, 80000, 100000, 150000};
    static const int64_t mid_demand[] = {5000, 6000, 8000, 10000, 12000};
    static const int64_t small_demand[] = {2000, 3000, 4000, 5000};
    static const int64_t frontier_rpc[] = {800, 1000};
    static const int64_t rpc[] = {800, 1000, 1500};
    static const int64_t cash_per_demand[] = {40000, 50000, 60000, 80000, 100000, 150000, 250000};
    static const unsigned growth[] = {20, 30, 50};
    static const unsigned frontier_capability[] = {10, 11, 12, 13, 15};
    static const unsigned capability[] = {5, 6, 7, 8, 9, 10};
    uint32_t first = m->n_vendors + m->n_clouds;
    uint32_t frontier = (m->n_labs + 11) / 12, mid = m->n_labs * 2 / 5;

    for (uint32_t i = 0; i < m->n_labs; i++) {
        s_lab_t *l = &m->labs[i];
        fw_rng_t r;
        s_stream(&r, seed, first + i);
        if (i < frontier) {
            l->demand = S_DRAW(&r, frontier_demand);
            l->revenue_per_compute = S_DRAW(&r, frontier_rpc);
            l->capability = S_DRAW(&r, frontier_capability);
        } else {
            l->demand = i < mid ? S_DRAW(&r, mid_demand) : S_DRAW(&r, small_demand);
            l->revenue_per_compute = S_DRAW(&r, rpc);
            l->capability = S_DRAW(&r, capability);
        }
        l->demand_growth = S_DRAW(&r, growth);
        /* At least 40k a unit of demand: a year's budget buys twice the demand at
         * max_price, and the lab never starts short of a tick of its customers' spend
         * (which would make it falter). */
        l->cash = s_round2(l->demand * S_DRAW(&r, cash_per_demand));
        m->demand += l->demand;
        m->spending += l->demand * l->revenue_per_compute;
    }
}

/* The families: the leader vendor makes two generations (families 0 and 1), each
 * other vendor one, while there is room (FW_MAX_FAMILIES); every fourth family from
 * the fourth on is captive to one of the largest clouds, as TPU and Trainium are. */
static void s_make_families(s_market_t *m, uint64_t seed)
{
    static const unsigned perf[] = {3, 4, 5, 6, 8, 9, 12, 15, 20, 30};
    static const int64_t cost_per_h100[] = {3000, 4000, 5000, 6000, 8000};
    static const unsigned markup[] = {20, 25, 30, 40}; /* tenths */
    static const unsigned maturity[] = {3, 4, 5, 6};
    static const unsigned captive_maturity[] = {4, 6, 8};

    for (uint32_t f = 0; f < m->n_families; f++) {
        s_family_t *fam = &m->families[f];
        fw_rng_t r;
        s_stream(&r, seed, S_FAMILY_STREAM + f);
        fam->vendor = f < 2 ? 0 : (int)f - 1;
        fam->next_generation = f == 1;
        fam->captive_of = -1;
        if (f >= 3 && (f - 3) % 4 == 0 && (f - 3) / 4 < m->n_captive)
            fam->captive_of = (int)((f - 3) / 4);
        if (f == 0) { /* the workhorse everyone runs, as Hopper */
            fam->perf = 10;
            fam->unit_cost = 7000;
            fam->price = 28000;
            fam->maturity = 10;
            continue;
        }
        if (f == 1) { /* its successor, as Blackwell */
            fam->perf = 25;
            fam->unit_cost = 12000;
            fam->price = 40000;
            fam->maturity = 10;
            continue;
        }
        fam->perf = S_DRAW(&r, perf);
        fam->unit_cost = s_round2(S_DRAW(&r, cost_per_h100) * fam->perf / 10);
        /* A captive family is sold at cost plus a design fee, to one buyer. */
        unsigned mk = fam->captive_of >= 0 ? 20 : S_DRAW(&r, markup);
        fam->price = s_round2(fam->unit_cost * mk / 10);
        fam->maturity = fam->captive_of >= 0 ? S_DRAW(&r, captive_maturity) : S_DRAW(&r, maturity);
        fam->weight = fam->captive_of >= 0 ? 6 + (unsigned)s_pick(&r, 7)
                                           : 2 + (unsigned)s_pick(&r, 9);
    }
    for (uint32_t k = 0; k < m->n_vendors; k++)
        m->vendors[k].family = -1;
    for (uint32_t f = 0; f < m->n_families; f++)
        if (m->vendors[m->families[f].vendor].family < 0)
            m->vendors[m->families[f].vendor].family = (int)f;
}

static void s_make_vendors(s_market_t *m, uint64_t seed)
{
    static const int64_t cash[] = {5000000000LL, 10000000000LL, 20000000000LL};
    static const int64_t startup_cash[] = {500000000LL, 1000000000LL, 2000000000LL};
    for (uint32_t k = 0; k < m->n_vendors; k++) {
        fw_rng_t r;
        s_stream(&r, seed, k);
        m->vendors[k].cash = m->vendors[k].family >= 0 ? S_DRAW(&r, cash) : S_DRAW(&r, startup_cash);
    }
}

/* An open family (not captive, not the leader's) for cloud `k` to run beside the
 * leader's, or -1 if there is none. */
static int s_other_family(const s_market_t *m, fw_rng_t *r)
{
    uint32_t open = 0;
    for (uint32_t f = 2; f < m->n_families; f++)
        open += m->families[f].captive_of < 0;
    if (open == 0)
        return -1;
    uint64_t n = s_pick(r, open);
    for (uint32_t f = 2; f < m->n_families; f++)
        if (m->families[f].captive_of < 0 && n-- == 0)
            return (int)f;
    return -1;
}

/* The clouds: the first sixth are big (as AWS, Azure, Google), the rest of the first
 * half mid-sized, the others small. The installed compute, S_INSTALLED_NUM/DEN x the labs'
 * demand, is split by drawn weights; cash, base business and capex follow each
 * cloud's share. Each runs the leader's workhorse family, its captive family if it
 * has one, and one other open family. */
static void s_make_clouds(s_market_t *m, uint64_t seed)
{
    static const unsigned big_weight[] = {40, 50, 60, 80};
    static const unsigned mid_weight[] = {15, 20, 25, 30};
    static const unsigned small_weight[] = {6, 8, 10, 12, 15};
    static const int64_t big_cash[] = {150000, 200000, 250000};
    static const int64_t mid_cash[] = {40000, 60000, 80000};
    static const int64_t small_cash[] = {20000, 30000, 50000};
    static const int64_t big_base[] = {8000, 12000, 16000};
    static const int64_t mid_base[] = {2000, 3000, 5000};
    static const int64_t small_base[] = {500, 1000, 2000};
    static const int64_t capex_per[] = {2000, 3000, 5000};
    static const unsigned growth[] = {5, 10, 15};
    static const unsigned margin[] = {25, 30, 35};
    static const unsigned target[] = {80, 85, 90};
    static const unsigned leader_pct[] = {60, 70, 80, 90};
    static const unsigned captive_leader_pct[] = {40, 50};
    uint32_t big = (m->n_clouds + 5) / 6, mid = m->n_clouds / 2;
    int64_t total = s_scale(m->demand, S_INSTALLED_NUM, S_INSTALLED_DEN), weights = 0;

    for (uint32_t k = 0; k < m->n_clouds; k++) {
        s_cloud_t *c = &m->clouds[k];
        fw_rng_t r;
        s_stream(&r, seed, m->n_vendors + k);
        if (k < big) {
            c->weight = S_DRAW(&r, big_weight);
            c->cash_per = S_DRAW(&r, big_cash);
            c->base_per = S_DRAW(&r, big_base);
        } else if (k < mid) {
            c->weight = S_DRAW(&r, mid_weight);
            c->cash_per = S_DRAW(&r, mid_cash);
            c->base_per = S_DRAW(&r, mid_base);
        } else {
            c->weight = S_DRAW(&r, small_weight);
            c->cash_per = S_DRAW(&r, small_cash);
            c->base_per = S_DRAW(&r, small_base);
        }
        c->capex_per = S_DRAW(&r, capex_per);
        c->base_growth = S_DRAW(&r, growth);
        c->base_margin = S_DRAW(&r, margin);
        c->target = S_DRAW(&r, target);
        c->compute_price = 1800 + S_COMPUTE_PRICE_STEP * ((int64_t)s_pick(&r, 3) - 1);
        c->leader_pct = k < m->n_captive ? S_DRAW(&r, captive_leader_pct) : S_DRAW(&r, leader_pct);
        c->other = s_other_family(m, &r);
        weights += c->weight;
    }
    for (uint32_t k = 0; k < m->n_clouds; k++) {
        s_cloud_t *c = &m->clouds[k];
        int64_t compute = s_scale(total, c->weight, weights);
        /* A cloud with a captive family runs a tenth on the open one, the rest on its
         * own; one without runs the rest on the open one. */
        int64_t on_leader = s_scale(compute, c->leader_pct, 100);
        int64_t on_other = c->other < 0 ? 0
                           : k < m->n_captive ? s_scale(compute, 10, 100)
                                              : compute - on_leader;
        int64_t on_captive = k < m->n_captive ? compute - on_leader - on_other : 0;
        if (c->other < 0 && k >= m->n_captive)
            on_leader = compute;
        int64_t part[3] = {on_leader, on_captive, on_other};
        int fam[3] = {0, k < m->n_captive ? (int)(3 + 4 * k) : -1, c->other};
        c->compute = 0;
        for (int i = 0; i < 3; i++) {
            c->units[i] = 0;
            if (fam[i] < 0 || part[i] <= 0)
                continue;
            unsigned perf = m->families[fam[i]].perf;
            c->units[i] = s_round2(s_scale(part[i], 10, perf));
            if (c->units[i] < 1000)
                c->units[i] = 1000;
            c->compute += s_scale(c->units[i], perf, 10);
        }
        c->cash = s_round2(c->compute * c->cash_per);
        c->base_revenue = s_round2(c->compute * c->base_per);
        c->capex = s_round2(c->compute * c->capex_per);
        m->installed += c->compute;
        m->base_revenue += c->base_revenue;
    }
}

/* The families' capacity: S_CAPACITY_DEN-th of the installed compute a tick, 40% of
 * it the leader's workhorse, 8% its successor, the rest split among the others by
 * their weights (the leader alone: 80% and 20%). */
static void s_size_families(s_market_t *m)
{
    int64_t total = m->installed / S_CAPACITY_DEN, weights = 0;
    for (uint32_t f = 2; f < m->n_families; f++)
        weights += m->families[f].weight;
    for (uint32_t f = 0; f < m->n_families; f++) {
        s_family_t *fam = &m->families[f];
        int64_t compute;
        if (f < 2)
            compute = s_scale(total, weights ? (f == 0 ? 40 : 8) : (f == 0 ? 80 : 20), 100);
        else
            compute = s_scale(s_scale(total, 52, 100), fam->weight, weights);
        fam->capacity = s_round2(s_scale(compute, 10, fam->perf));
        if (fam->capacity < 500)
            fam->capacity = 500;
        if (fam->captive_of < 0)
            m->open_chips += fam->capacity * fam->price;
    }
}

/* Each lab's home cloud: the one with the most of its compute still free, as a
 * share of it, when the lab's contract (S_CONTRACT_SHARE of what it may buy) is
 * added; the largest labs choose first, as they come first. So the contracts load
 * every cloud about as much as its size, and every cloud has buyers. */
static void s_make_contracts(s_market_t *m)
{
    for (uint32_t i = 0; i < m->n_labs; i++) {
        s_lab_t *l = &m->labs[i];
        int64_t need = s_scale(l->demand * S_TRAIN_RATIO, S_CONTRACT_SHARE, 100);
        uint32_t best = 0;
        for (uint32_t k = 1; k < m->n_clouds; k++) {
            const s_cloud_t *a = &m->clouds[k], *b = &m->clouds[best];
            /* free(a) / compute(a) > free(b) / compute(b), in integers */
            if ((a->compute - a->contracted) * b->compute >
                (b->compute - b->contracted) * a->compute)
                best = k;
        }
        l->home = best;
        m->clouds[best].contracted += need;
    }
}

static void s_market_free(s_market_t *m)
{
    free(m->families);
    free(m->vendors);
    free(m->clouds);
    free(m->labs);
    memset(m, 0, sizeof *m);
}

static int s_market_make(s_market_t *m, const fw_synth_config_t *cfg)
{
    memset(m, 0, sizeof *m);
    int rc = fw_synth_roles(cfg->companies, &m->n_vendors, &m->n_clouds, &m->n_labs);
    if (rc != FW_SYNTH_OK)
        return rc;
    m->n_families = m->n_vendors + 1 < FW_MAX_FAMILIES ? m->n_vendors + 1 : FW_MAX_FAMILIES;
    m->n_captive = (m->n_families - 1) / 4;
    if (m->n_captive > m->n_clouds)
        m->n_captive = m->n_clouds;
    m->families = calloc(m->n_families, sizeof *m->families);
    m->vendors = calloc(m->n_vendors, sizeof *m->vendors);
    m->clouds = calloc(m->n_clouds, sizeof *m->clouds);
    m->labs = calloc(m->n_labs, sizeof *m->labs);
    if (!m->families || !m->vendors || !m->clouds || !m->labs) {
        s_market_free(m);
        return FW_SYNTH_ENOMEM;
    }
    s_make_labs(m, cfg->seed);
    s_make_families(m, cfg->seed);
    s_make_vendors(m, cfg->seed);
    s_make_clouds(m, cfg->seed);
    s_size_families(m);
    s_make_contracts(m);
    return FW_SYNTH_OK;
}

/* ---- the text ------------------------------------------------------------------------ */

/* Chip k is made by Vendor k; the leader's successor is chip1_next. */
static void s_family_id(char *buf, size_t len, uint32_t f)
{
    if (f == 1)
        snprintf(buf, len, "chip1_next");
    else
        snprintf(buf, len, "chip%u", f == 0 ? 1u : f);
}

static void s_write_header(FILE *out, const s_market_t *m, const fw_synth_config_t *cfg,
                           uint32_t ticks)
{
    fprintf(out,
            "# Flywheel synthetic market: %u companies (%u chip vendors, %u clouds, %u labs),\n"
            "# for benchmarks and scale tests. Generated by\n"
            "#   flywheel scenario synth --companies %u --seed %" PRIu64 " --ticks %u\n"
            "# with made-up, round figures: NOT calibrated (see scenarios/baseline.yaml for\n"
            "# that). The same command writes the same file, byte for byte; docs/scenarios.md\n"
            "# says how the market is made.\n\n",
            cfg->companies, m->n_vendors, m->n_clouds, m->n_labs, cfg->companies, cfg->seed,
            ticks);
    fprintf(out,
            "run:\n"
            "  name: synth-%u-seed%" PRIu64 "\n"
            "  start: 2024-01\n"
            "  ticks: %u\n"
            "  seed: %" PRIu64 "\n\n",
            cfg->companies, cfg->seed, ticks, cfg->seed);
}

static void s_write_families(FILE *out, const s_market_t *m)
{
    char id[32], a[32], b[32], c[32], d[32], e[32], g[32];
    fprintf(out, "# %u chip families: Vendor 1 makes the workhorse everyone runs (chip1) and "
                 "its\n# successor; every fourth family from chip3 on is captive to one of "
                 "the largest\n# clouds. The families make a tenth of the installed compute "
                 "a tick.\nfamilies:\n",
            m->n_families);
    for (uint32_t f = 0; f < m->n_families; f++) {
        const s_family_t *fam = &m->families[f];
        s_family_id(id, sizeof id, f);
        fprintf(out,
                "  - {id: %s, name: Chip %u%s, vendor: vendor%d, perf: %s, unit_cost: %s, "
                "price: %s, capacity: %s, capacity_growth: %s, lead_time: %d, life: %d, "
                "maturity: %s",
                id, f == 0 ? 1u : f, fam->next_generation ? " Next" : "", fam->vendor + 1,
                s_fixed(a, sizeof a, fam->perf, 1), s_amount(b, sizeof b, fam->unit_cost),
                s_amount(c, sizeof c, fam->price), s_amount(d, sizeof d, fam->capacity),
                s_fixed(e, sizeof e, S_CAPACITY_GROWTH_MILLI, 3), S_LEAD_TIME, S_LIFE,
                s_fixed(g, sizeof g, fam->maturity, 1));
        if (fam->captive_of >= 0)
            fprintf(out, ", captive_of: cloud%d", fam->captive_of + 1);
        fprintf(out, "}\n");
    }
}

static void s_write_seats(FILE *out, const s_market_t *m)
{
    char a[32], b[32], c[32], d[32], e[32], g[32], h[32], id[32];
    uint32_t with_product = 0;
    for (uint32_t k = 0; k < m->n_vendors; k++)
        with_product += m->vendors[k].family >= 0;

    fprintf(out, "\nseats:\n  # %u chip vendors", m->n_vendors);
    if (with_product < m->n_vendors)
        fprintf(out, " (%u with no product yet: a scenario has at most %d families)",
                m->n_vendors - with_product, FW_MAX_FAMILIES);
    fprintf(out, "\n");
    for (uint32_t k = 0; k < m->n_vendors; k++)
        fprintf(out,
                "  - {id: vendor%u, name: Vendor %u, role: vendor, cash: %s, strategy: "
                "{params: {price_step: %s}}}\n",
                k + 1, k + 1, s_amount(a, sizeof a, m->vendors[k].cash),
                s_fixed(b, sizeof b, S_PRICE_STEP_MILLI, 3));

    fprintf(out, "  # %u clouds: about %s H100-eq of compute installed, twice the labs' "
                 "demand\n", m->n_clouds, s_amount(a, sizeof a, s_round2(m->installed)));
    for (uint32_t k = 0; k < m->n_clouds; k++) {
        const s_cloud_t *cl = &m->clouds[k];
        int fam[3] = {0, k < m->n_captive ? (int)(3 + 4 * k) : -1, cl->other};
        fprintf(out,
                "  - {id: cloud%u, name: Cloud %u, role: hyperscaler, cash: %s, base_revenue: %s, "
                "base_growth: %s, base_margin: %s, compute_price: %" PRId64 ", installed: {",
                k + 1, k + 1, s_amount(a, sizeof a, cl->cash),
                s_amount(b, sizeof b, cl->base_revenue), s_fixed(c, sizeof c, cl->base_growth, 3),
                s_fixed(d, sizeof d, cl->base_margin, 2), cl->compute_price);
        const char *sep = "";
        for (int i = 0; i < 3; i++) {
            if (cl->units[i] <= 0)
                continue;
            s_family_id(id, sizeof id, (uint32_t)fam[i]);
            fprintf(out, "%s%s: %s", sep, id, s_amount(e, sizeof e, cl->units[i]));
            sep = ", ";
        }
        fprintf(out, "}, strategy: {params: {capex_per_tick: %s, target_utilisation: %s}}}\n",
                s_amount(g, sizeof g, cl->capex), s_fixed(h, sizeof h, cl->target, 2));
    }

    fprintf(out, "  # %u labs: opening demand about %s H100-eq months a tick, customers' spending "
                 "about %s\n", m->n_labs, s_amount(a, sizeof a, s_round2(m->demand)),
            s_amount(b, sizeof b, s_round2(m->spending)));
    for (uint32_t i = 0; i < m->n_labs; i++) {
        const s_lab_t *l = &m->labs[i];
        fprintf(out,
                "  - {id: lab%u, name: Lab %u, role: lab, cash: %s, demand: %s, demand_growth: %s, "
                "revenue_per_compute: %" PRId64 ", capability: %s, strategy: {params: "
                "{max_price: %d}}}\n",
                i + 1, i + 1, s_amount(a, sizeof a, l->cash), s_amount(b, sizeof b, l->demand),
                s_fixed(c, sizeof c, l->demand_growth, 3), l->revenue_per_compute,
                s_fixed(d, sizeof d, l->capability, 1), S_MAX_PRICE);
    }
}

/* The contracts last the whole run: until its last month (9999-12 at most, the
 * latest month a scenario can write). */
static void s_write_deals(FILE *out, const s_market_t *m, uint32_t ticks)
{
    uint32_t year = 2024 + (ticks - 1) / 12, month = (ticks - 1) % 12 + 1;
    if (year > 9999) {
        year = 9999;
        month = 12;
    }
    fprintf(out,
            "\n# Compute contracts: each lab spends at least %d%% of its compute budget at a\n"
            "# home cloud, and the contracts load every cloud about as much as its size.\n"
            "# Without them the built-in lab strategy sends every lab to the same few\n"
            "# cheapest offers, and in a large market most clouds sell nothing.\n"
            "deals:\n",
            S_CONTRACT_SHARE);
    char share[16];
    s_fixed(share, sizeof share, S_CONTRACT_SHARE, 2);
    for (uint32_t i = 0; i < m->n_labs; i++)
        fprintf(out,
                "  - {investor: cloud%u, lab: lab%u, amount: 0, min_cloud_share: %s, "
                "until: %04u-%02u}\n",
                m->labs[i].home + 1, i + 1, share, year, month);
}

static void s_write_market(FILE *out, const s_market_t *m)
{
    char a[32], b[32], c[32];
    fprintf(out,
            "\n# Sized with the market: customers spend what the labs' demand is worth (so\n"
            "# every lab has customers at the start), growing 3%% a tick at first and a\n"
            "# little slower every tick; clouds outside the scenario earn half what the\n"
            "# clouds' base business does; buyers outside it take up to a quarter of what\n"
            "# the open families can make.\n"
            "market:\n"
            "  ai_spending: %s\n"
            "  ai_spending_growth: 0.03\n"
            "  ai_spending_growth_decay: 0.99\n"
            "  other_cloud_revenue: %s\n"
            "  other_cloud_growth: 0.01\n"
            "  other_chip_demand: %s\n"
            "  other_chip_growth: 0.02\n",
            s_amount(a, sizeof a, m->spending),
            s_amount(b, sizeof b, s_round2(m->base_revenue / S_OTHER_CLOUD_DEN)),
            s_amount(c, sizeof c, s_round2(m->open_chips / S_OTHER_CHIPS_DEN)));
}

int fw_synth_write(FILE *out, const fw_synth_config_t *cfg)
{
    s_market_t m;
    assert(out && cfg);
    uint32_t ticks = cfg->ticks ? cfg->ticks : FW_SYNTH_DEFAULT_TICKS;
    if (ticks > FW_SYNTH_MAX_TICKS)
        return FW_SYNTH_EINVAL;
    int rc = s_market_make(&m, cfg);
    if (rc != FW_SYNTH_OK)
        return rc;
    s_write_header(out, &m, cfg, ticks);
    s_write_families(out, &m);
    s_write_seats(out, &m);
    s_write_deals(out, &m, ticks);
    s_write_market(out, &m);
    s_market_free(&m);
    return ferror(out) ? FW_SYNTH_EIO : FW_SYNTH_OK;
}

const char *fw_synth_strerror(int rc)
{
    switch (rc) {
    case FW_SYNTH_OK: return "ok";
    case FW_SYNTH_EINVAL: return "companies or ticks out of range";
    case FW_SYNTH_ENOMEM: return "out of memory";
    case FW_SYNTH_EIO: return "write error";
    default: return "unknown error";
    }
}
