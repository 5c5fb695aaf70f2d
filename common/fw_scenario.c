/* fw_scenario: see fw_scenario.h; the file format is described in docs/scenarios.md.
 *
 * The loader reads the whole file with libyaml's document API, so every node keeps its
 * start mark and every error can name "file:line:col" (libyaml counts from 0, people
 * from 1). It then walks the tree in a fixed order that does not depend on the order of
 * keys in the file: `run`, then every seat, then every family (a family names its vendor
 * and captive buyer by seat id), then each hyperscaler's `installed` chips (which name
 * families). The first error stops the load; a half-built scenario is never returned.
 *
 * Money and counts are parsed as exact decimals ("7.6B" is 7600000000, not the nearest
 * double times 1e9), so a scenario means the same integers on every host.
 */
#include "fw_scenario.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* A scenario file larger than this is certainly a mistake (the big synthetic scenario
 * with hundreds of seats is well under 1 MiB). */
#define S_MAX_FILE_BYTES (16u * 1024u * 1024u)

#define S_MAX_TICKS 100000u
#define S_MAX_LEAD_TIME 1000u
#define S_MAX_LIFE 10000u
#define S_MAX_PERF 1000.0
#define S_MAX_GROWTH 10.0

/* The walk's state: where messages go and what is being built. */
typedef struct {
    const char *path;          /* names the source in messages */
    const char *text;          /* the bytes being parsed (for reader-error positions) */
    size_t text_len;
    char *err;                 /* caller's message buffer */
    size_t err_len;
    yaml_document_t *doc;      /* the parsed tree */
    fw_scenario_t *sc;         /* being filled */
    yaml_node_t **installed;   /* per seat: its `installed` node, resolved after families */
} s_ctx_t;

/* Role bit masks for which seat keys are allowed or required. */
#define S_HYP (1u << FW_ROLE_HYPERSCALER)
#define S_LAB (1u << FW_ROLE_LAB)
#define S_VEN (1u << FW_ROLE_VENDOR)
#define S_ALL (S_HYP | S_LAB | S_VEN)

/* One key a mapping may hold. */
typedef struct {
    const char *key;
    unsigned allowed;  /* roles for which the key is allowed */
    unsigned required; /* roles for which the key is required */
} s_key_t;

static int s_fail(s_ctx_t *c, yaml_mark_t mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes "path:line:col: message" into the caller's buffer; returns -1 so that error
 * paths read `return s_fail(...)`. */
static int s_fail(s_ctx_t *c, yaml_mark_t mark, const char *fmt, ...)
{
    if (!c->err || c->err_len == 0)
        return -1;
    int n = snprintf(c->err, c->err_len, "%s:%zu:%zu: ", c->path, mark.line + 1,
                     mark.column + 1);
    if (n < 0 || (size_t)n >= c->err_len)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->err_len - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *s_node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return "a scalar";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "nothing";
    }
}

static yaml_node_t *s_node(s_ctx_t *c, int id)
{
    yaml_node_t *n = yaml_document_get_node(c->doc, id);
    assert(n); /* libyaml only hands out ids of nodes it created */
    return n;
}

/* The text of a scalar node, or an error naming `key` when the node is not a scalar. */
static int s_scalar(s_ctx_t *c, yaml_node_t *n, const char *key, const char **out)
{
    if (n->type != YAML_SCALAR_NODE)
        return s_fail(c, n->start_mark, "expected a scalar for '%s', got %s", key,
                      s_node_kind(n));
    *out = (const char *)n->data.scalar.value;
    return 0;
}

static bool s_id_valid(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len >= FW_ID_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

/* An identifier: 1-31 bytes of [a-z0-9_-], copied into dst (FW_ID_MAX bytes). */
static int s_get_id(s_ctx_t *c, yaml_node_t *n, const char *key, char *dst)
{
    const char *s = NULL;
    if (s_scalar(c, n, key, &s) < 0)
        return -1;
    if (!s_id_valid(s))
        return s_fail(c, n->start_mark,
                      "%s '%s' must be 1-%d characters of a-z, 0-9, '_' and '-'", key, s,
                      FW_ID_MAX - 1);
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

/* A display name: 1-63 bytes, copied into dst (FW_NAME_MAX bytes). */
static int s_get_name(s_ctx_t *c, yaml_node_t *n, const char *key, char *dst)
{
    const char *s = NULL;
    if (s_scalar(c, n, key, &s) < 0)
        return -1;
    size_t len = strlen(s);
    if (len == 0)
        return s_fail(c, n->start_mark, "%s must not be empty", key);
    if (len >= FW_NAME_MAX)
        return s_fail(c, n->start_mark, "%s is longer than %d bytes", key, FW_NAME_MAX - 1);
    memcpy(dst, s, len + 1);
    return 0;
}

/* ---- numbers ------------------------------------------------------------------------ */

/* A decimal read exactly: value = (neg ? -1 : 1) * mant * 10^exp10. */
typedef struct {
    bool neg;
    uint64_t mant;
    int exp10;
} s_dec_t;

/* Parses [+-]? ['$']? digits ['.' digits]? ([eE] [+-]? digits)? [kKMBT]?, underscores
 * allowed after any digit; `$` and the suffix only when `money`. Returns false on
 * anything else. Digits beyond what 64 bits hold are dropped (they are below a
 * millionth of a millionth of the value). */
static bool s_parse_dec(const char *s, bool money, s_dec_t *d)
{
    memset(d, 0, sizeof *d);
    if (*s == '+' || *s == '-')
        d->neg = *s++ == '-';
    if (money && *s == '$')
        s++;
    int digits = 0;
    bool frac = false;
    for (;; s++) {
        if (*s >= '0' && *s <= '9') {
            unsigned dig = (unsigned)(*s - '0');
            if (d->mant <= (UINT64_MAX - 9) / 10) {
                d->mant = d->mant * 10 + dig;
                if (frac)
                    d->exp10--;
            } else if (!frac) {
                d->exp10++; /* keep the magnitude, drop the digit */
            }
            digits++;
        } else if (*s == '_' && digits > 0 && s[-1] >= '0' && s[-1] <= '9' && s[1] >= '0' &&
                   s[1] <= '9') {
            continue; /* a digit separator: 1_000_000 */
        } else if (*s == '.' && !frac) {
            frac = true;
        } else {
            break;
        }
    }
    if (digits == 0)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        bool eneg = false;
        if (*s == '+' || *s == '-')
            eneg = *s++ == '-';
        int e = 0, edigits = 0;
        for (; *s >= '0' && *s <= '9'; s++, edigits++)
            if (e < 1000)
                e = e * 10 + (*s - '0');
        if (edigits == 0)
            return false;
        d->exp10 += eneg ? -e : e;
    }
    if (money && *s) {
        switch (*s) {
        case 'k':
        case 'K':
            d->exp10 += 3;
            break;
        case 'M':
            d->exp10 += 6;
            break;
        case 'B':
            d->exp10 += 9;
            break;
        case 'T':
            d->exp10 += 12;
            break;
        default:
            return false;
        }
        s++;
    }
    return *s == '\0';
}

/* |d| rounded to the nearest integer (halves away from zero). Returns false on
 * overflow; *exact tells whether no rounding happened. */
static bool s_dec_to_u64(const s_dec_t *d, uint64_t *out, bool *exact)
{
    uint64_t v = d->mant;
    *exact = true;
    if (v == 0) {
        *out = 0;
        return true;
    }
    if (d->exp10 >= 0) {
        for (int i = 0; i < d->exp10; i++)
            if (__builtin_mul_overflow(v, (uint64_t)10, &v))
                return false;
        *out = v;
        return true;
    }
    if (d->exp10 < -19) { /* mant < 2^64 < 10^20 / 2: rounds to 0 */
        *exact = false;
        *out = 0;
        return true;
    }
    uint64_t p = 1;
    for (int i = 0; i < -d->exp10; i++)
        p *= 10;
    uint64_t q = v / p, r = v % p;
    *exact = r == 0;
    if (r >= p - r)
        q++;
    *out = q;
    return true;
}

static bool s_dec_to_i64(const s_dec_t *d, int64_t *out, bool *exact)
{
    uint64_t u;
    if (!s_dec_to_u64(d, &u, exact) || u > (uint64_t)INT64_MAX)
        return false;
    *out = d->neg ? -(int64_t)u : (int64_t)u;
    return true;
}

/* The nearest double: strtod rounds correctly, so this is the same on every host. */
static bool s_dec_to_double(const s_dec_t *d, double *out)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s%" PRIu64 "e%d", d->neg ? "-" : "", d->mant, d->exp10);
    errno = 0;
    double v = strtod(buf, NULL);
    if (!isfinite(v) || (errno == ERANGE && v != 0.0))
        return false;
    *out = v;
    return true;
}

/* Money or a count: rounded to the nearest integer, at least `min`. */
static int s_get_money(s_ctx_t *c, yaml_node_t *n, const char *key, int64_t min, int64_t *out)
{
    const char *s = NULL;
    s_dec_t d;
    bool exact;
    if (s_scalar(c, n, key, &s) < 0)
        return -1;
    if (!s_parse_dec(s, true, &d))
        return s_fail(c, n->start_mark,
                      "expected an amount for '%s' (e.g. 1200, 7.6B, $25k, 1_000_000), got '%s'",
                      key, s);
    if (!s_dec_to_i64(&d, out, &exact))
        return s_fail(c, n->start_mark, "%s '%s' is too large", key, s);
    if (*out < min)
        return s_fail(c, n->start_mark, "%s must be >= %" PRId64 ", got '%s'", key, min, s);
    return 0;
}

/* A whole number in [min, max]. */
static int s_get_uint(s_ctx_t *c, yaml_node_t *n, const char *key, uint64_t min, uint64_t max,
                      uint64_t *out)
{
    const char *s = NULL;
    s_dec_t d;
    bool exact;
    uint64_t v;
    if (s_scalar(c, n, key, &s) < 0)
        return -1;
    if (!s_parse_dec(s, false, &d))
        return s_fail(c, n->start_mark, "expected a whole number for '%s', got '%s'", key, s);
    if (!s_dec_to_u64(&d, &v, &exact))
        return s_fail(c, n->start_mark, "%s '%s' is too large", key, s);
    if (!exact)
        return s_fail(c, n->start_mark, "expected a whole number for '%s', got '%s'", key, s);
    if ((d.neg && v != 0) || v < min || v > max) {
        if (max == UINT64_MAX)
            return s_fail(c, n->start_mark, "%s must be >= %" PRIu64 ", got '%s'", key, min, s);
        return s_fail(c, n->start_mark, "%s must be between %" PRIu64 " and %" PRIu64 ", got '%s'",
                      key, min, max, s);
    }
    *out = v;
    return 0;
}

/* A plain number (no '$', no suffix). */
static int s_get_real(s_ctx_t *c, yaml_node_t *n, const char *key, double *out)
{
    const char *s = NULL;
    s_dec_t d;
    if (s_scalar(c, n, key, &s) < 0)
        return -1;
    if (!s_parse_dec(s, false, &d))
        return s_fail(c, n->start_mark, "expected a number for '%s', got '%s'", key, s);
    if (!s_dec_to_double(&d, out))
        return s_fail(c, n->start_mark, "%s '%s' is out of range", key, s);
    return 0;
}

/* A number in [lo, hi] (or (lo, hi] when lo_open). */
static int s_get_ranged(s_ctx_t *c, yaml_node_t *n, const char *key, double lo, bool lo_open,
                        double hi, double *out)
{
    if (s_get_real(c, n, key, out) < 0)
        return -1;
    if ((lo_open ? *out <= lo : *out < lo) || *out > hi)
        return s_fail(c, n->start_mark, "%s must be in %c%g, %g], got '%s'", key,
                      lo_open ? '(' : '[', lo, hi, (const char *)n->data.scalar.value);
    return 0;
}

/* ---- mappings ----------------------------------------------------------------------- */

/* Matches the keys of mapping `map` against `keys` (n of them): values land in vals[i]
 * and key nodes in knodes[i] (NULL when absent). Duplicate keys are errors; so are
 * unknown keys, unless `unknown` is given: then the first unknown key node lands there
 * (or NULL) for the caller to report once it knows the mapping's id. `what` names the
 * mapping in messages ("seat", "run", ...). */
static int s_fields(s_ctx_t *c, yaml_node_t *map, const char *what, const s_key_t *keys,
                    size_t n, yaml_node_t **vals, yaml_node_t **knodes, yaml_node_t **unknown)
{
    if (unknown)
        *unknown = NULL;
    if (map->type != YAML_MAPPING_NODE)
        return s_fail(c, map->start_mark, "expected a mapping for %s, got %s", what,
                      s_node_kind(map));
    for (size_t i = 0; i < n; i++)
        vals[i] = knodes[i] = NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = s_node(c, p->key);
        const char *name = NULL;
        if (k->type != YAML_SCALAR_NODE)
            return s_fail(c, k->start_mark, "expected a scalar key in %s, got %s", what,
                          s_node_kind(k));
        name = (const char *)k->data.scalar.value;
        size_t i = 0;
        while (i < n && strcmp(keys[i].key, name) != 0)
            i++;
        if (i == n && unknown) {
            if (!*unknown)
                *unknown = k;
            continue;
        }
        if (i == n)
            return s_fail(c, k->start_mark, "unknown key '%s' in %s", name, what);
        if (vals[i])
            return s_fail(c, k->start_mark, "duplicate key '%s' in %s (first at line %zu)",
                          name, what, knodes[i]->start_mark.line + 1);
        vals[i] = s_node(c, p->value);
        knodes[i] = k;
    }
    return 0;
}

/* Checks keys against a role: an unknown key (from s_fields), or a key not allowed for
 * the role, is reported first; then a key required for the role must be present. `what`
 * names the mapping ("lab seat 'openai'"). */
static int s_role_keys(s_ctx_t *c, yaml_node_t *map, const char *what, const s_key_t *keys,
                       size_t n, yaml_node_t **vals, yaml_node_t **knodes, unsigned role,
                       yaml_node_t *unknown)
{
    if (unknown)
        return s_fail(c, unknown->start_mark, "unknown key '%s' in %s",
                      (const char *)unknown->data.scalar.value, what);
    for (size_t i = 0; i < n; i++)
        if (vals[i] && !(keys[i].allowed & role))
            return s_fail(c, knodes[i]->start_mark, "unknown key '%s' in %s", keys[i].key,
                          what);
    for (size_t i = 0; i < n; i++)
        if (!vals[i] && (keys[i].required & role))
            return s_fail(c, map->start_mark, "missing required key '%s' in %s", keys[i].key,
                          what);
    return 0;
}

/* A list node, at most `max` items. */
static int s_list(s_ctx_t *c, yaml_node_t *n, const char *key, size_t max, const char *item,
                  const char *items)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return s_fail(c, n->start_mark, "expected a list for '%s', got %s", key, s_node_kind(n));
    size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (len == 0)
        return s_fail(c, n->start_mark, "'%s' must list at least one %s", key, item);
    if (len > max)
        return s_fail(c, s_node(c, n->data.sequence.items.start[max])->start_mark,
                      "too many %s (at most %zu)", items, max);
    return 0;
}

/* ---- run ---------------------------------------------------------------------------- */

enum { R_NAME, R_START, R_TICKS, R_TICK_MONTHS, R_SEED, R_N };
static const s_key_t s_run_keys[R_N] = {
    [R_NAME] = {"name", S_ALL, S_ALL},
    [R_START] = {"start", S_ALL, S_ALL},
    [R_TICKS] = {"ticks", S_ALL, S_ALL},
    [R_TICK_MONTHS] = {"tick_months", S_ALL, 0},
    [R_SEED] = {"seed", S_ALL, 0},
};

static int s_parse_start(s_ctx_t *c, yaml_node_t *n)
{
    const char *s = NULL;
    if (s_scalar(c, n, "start", &s) < 0)
        return -1;
    int y = 0, m = 0;
    bool shape = strlen(s) == 7 && s[4] == '-';
    for (int i = 0; shape && i < 7; i++)
        if (i != 4 && !(s[i] >= '0' && s[i] <= '9'))
            shape = false;
    if (!shape)
        return s_fail(c, n->start_mark, "expected a month YYYY-MM for 'start', got '%s'", s);
    y = atoi(s);
    m = atoi(s + 5);
    if (m < 1 || m > 12)
        return s_fail(c, n->start_mark, "start month must be 01..12, got '%s'", s);
    c->sc->start_year = y;
    c->sc->start_month = m;
    return 0;
}

static int s_parse_run(s_ctx_t *c, yaml_node_t *map)
{
    yaml_node_t *v[R_N], *k[R_N];
    fw_scenario_t *sc = c->sc;
    uint64_t u;
    if (s_fields(c, map, "run", s_run_keys, R_N, v, k, NULL) < 0 ||
        s_role_keys(c, map, "run", s_run_keys, R_N, v, k, S_ALL, NULL) < 0)
        return -1;
    if (s_get_name(c, v[R_NAME], "name", sc->name) < 0 || s_parse_start(c, v[R_START]) < 0)
        return -1;
    if (s_get_uint(c, v[R_TICKS], "ticks", 1, S_MAX_TICKS, &u) < 0)
        return -1;
    sc->ticks = (uint32_t)u;
    sc->tick_months = 1;
    if (v[R_TICK_MONTHS]) {
        if (s_get_uint(c, v[R_TICK_MONTHS], "tick_months", 0, UINT32_MAX, &u) < 0)
            return -1;
        if (u != 1 && u != 3)
            return s_fail(c, v[R_TICK_MONTHS]->start_mark,
                          "tick_months must be 1 (monthly) or 3 (quarterly), got '%s'",
                          (const char *)v[R_TICK_MONTHS]->data.scalar.value);
        sc->tick_months = (uint32_t)u;
    }
    sc->seed = 1;
    if (v[R_SEED] && s_get_uint(c, v[R_SEED], "seed", 0, UINT64_MAX, &sc->seed) < 0)
        return -1;
    return 0;
}

/* ---- seats -------------------------------------------------------------------------- */

enum {
    S_ID, S_NAME, S_ROLE, S_CASH, S_BASE_REVENUE, S_BASE_GROWTH, S_BASE_MARGIN,
    S_COMPUTE_PRICE, S_INSTALLED, S_DEMAND, S_DEMAND_GROWTH, S_RPC, S_VALUATION,
    S_STRATEGY, S_N
};
static const s_key_t s_seat_keys[S_N] = {
    [S_ID] = {"id", S_ALL, S_ALL},
    [S_NAME] = {"name", S_ALL, 0},
    [S_ROLE] = {"role", S_ALL, S_ALL},
    [S_CASH] = {"cash", S_ALL, S_ALL},
    [S_BASE_REVENUE] = {"base_revenue", S_HYP, S_HYP},
    [S_BASE_GROWTH] = {"base_growth", S_HYP, 0},
    [S_BASE_MARGIN] = {"base_margin", S_HYP, 0},
    [S_COMPUTE_PRICE] = {"compute_price", S_HYP, S_HYP},
    [S_INSTALLED] = {"installed", S_HYP, 0},
    [S_DEMAND] = {"demand", S_LAB, S_LAB},
    [S_DEMAND_GROWTH] = {"demand_growth", S_LAB, 0},
    [S_RPC] = {"revenue_per_compute", S_LAB, S_LAB},
    [S_VALUATION] = {"valuation", S_LAB, 0},
    [S_STRATEGY] = {"strategy", S_ALL, 0},
};

enum { T_NAME, T_PARAMS, T_N };
static const s_key_t s_strategy_keys[T_N] = {
    [T_NAME] = {"name", S_ALL, 0},
    [T_PARAMS] = {"params", S_ALL, 0},
};

static int s_parse_params(s_ctx_t *c, yaml_node_t *map, fw_seat_t *seat)
{
    if (map->type != YAML_MAPPING_NODE)
        return s_fail(c, map->start_mark, "expected a mapping for 'params', got %s",
                      s_node_kind(map));
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = s_node(c, p->key), *v = s_node(c, p->value);
        char key[FW_ID_MAX];
        const char *s = NULL;
        s_dec_t d;
        double value;
        if (s_get_id(c, k, "param", key) < 0)
            return -1;
        for (size_t i = 0; i < seat->n_params; i++)
            if (strcmp(seat->params[i].key, key) == 0)
                return s_fail(c, k->start_mark, "duplicate key '%s' in params", key);
        if (seat->n_params == FW_MAX_PARAMS)
            return s_fail(c, k->start_mark, "too many params (at most %d)", FW_MAX_PARAMS);
        if (s_scalar(c, v, key, &s) < 0)
            return -1;
        if (!s_parse_dec(s, true, &d))
            return s_fail(c, v->start_mark, "expected a number for '%s', got '%s'", key, s);
        if (!s_dec_to_double(&d, &value))
            return s_fail(c, v->start_mark, "%s '%s' is out of range", key, s);
        memcpy(seat->params[seat->n_params].key, key, sizeof key);
        seat->params[seat->n_params].value = value;
        seat->n_params++;
    }
    return 0;
}

static int s_parse_strategy(s_ctx_t *c, yaml_node_t *map, fw_seat_t *seat)
{
    yaml_node_t *v[T_N], *k[T_N];
    if (s_fields(c, map, "strategy", s_strategy_keys, T_N, v, k, NULL) < 0)
        return -1;
    if (v[T_NAME] && s_get_id(c, v[T_NAME], "strategy name", seat->strategy) < 0)
        return -1;
    if (v[T_PARAMS] && s_parse_params(c, v[T_PARAMS], seat) < 0)
        return -1;
    return 0;
}

static int s_parse_role(s_ctx_t *c, yaml_node_t *n, fw_role_t *role)
{
    const char *s = NULL;
    if (s_scalar(c, n, "role", &s) < 0)
        return -1;
    *role = fw_role_parse(s);
    if (*role == FW_ROLE_NONE)
        return s_fail(c, n->start_mark, "expected role hyperscaler, lab or vendor, got '%s'", s);
    return 0;
}

static int s_parse_seat(s_ctx_t *c, yaml_node_t *map, size_t index)
{
    fw_seat_t *seat = &c->sc->seats[index];
    yaml_node_t *v[S_N], *k[S_N], *unknown;
    char what[FW_ID_MAX + 32];

    if (s_fields(c, map, "seat", s_seat_keys, S_N, v, k, &unknown) < 0)
        return -1;
    if (!v[S_ID])
        return s_fail(c, map->start_mark, "missing required key 'id' in seat");
    if (s_get_id(c, v[S_ID], "seat id", seat->id) < 0)
        return -1;
    snprintf(what, sizeof what, "seat '%s'", seat->id);
    if (!v[S_ROLE])
        return s_fail(c, map->start_mark, "missing required key 'role' in %s", what);
    if (s_parse_role(c, v[S_ROLE], &seat->role) < 0)
        return -1;
    snprintf(what, sizeof what, "%s seat '%s'", fw_role_name(seat->role), seat->id);
    if (s_role_keys(c, map, what, s_seat_keys, S_N, v, k, 1u << seat->role, unknown) < 0)
        return -1;
    for (size_t i = 0; i < index; i++)
        if (strcmp(c->sc->seats[i].id, seat->id) == 0)
            return s_fail(c, v[S_ID]->start_mark, "duplicate seat id '%s'", seat->id);

    memcpy(seat->name, seat->id, sizeof seat->id);
    if (v[S_NAME] && s_get_name(c, v[S_NAME], "name", seat->name) < 0)
        return -1;
    if (s_get_money(c, v[S_CASH], "cash", 0, &seat->cash) < 0)
        return -1;

    seat->base_margin = 0.3;
    if (v[S_BASE_REVENUE] && s_get_money(c, v[S_BASE_REVENUE], "base_revenue", 0,
                                         &seat->base_revenue) < 0)
        return -1;
    if (v[S_BASE_GROWTH] && s_get_ranged(c, v[S_BASE_GROWTH], "base_growth", -1.0, true,
                                         S_MAX_GROWTH, &seat->base_growth) < 0)
        return -1;
    if (v[S_BASE_MARGIN] &&
        s_get_ranged(c, v[S_BASE_MARGIN], "base_margin", 0.0, false, 1.0, &seat->base_margin) < 0)
        return -1;
    if (v[S_COMPUTE_PRICE] && s_get_money(c, v[S_COMPUTE_PRICE], "compute_price", 0,
                                          &seat->compute_price) < 0)
        return -1;
    if (v[S_INSTALLED]) {
        if (v[S_INSTALLED]->type != YAML_MAPPING_NODE)
            return s_fail(c, v[S_INSTALLED]->start_mark,
                          "expected a mapping for 'installed', got %s",
                          s_node_kind(v[S_INSTALLED]));
        c->installed[index] = v[S_INSTALLED];
    }

    if (v[S_DEMAND] && s_get_money(c, v[S_DEMAND], "demand", 0, &seat->demand) < 0)
        return -1;
    if (v[S_DEMAND_GROWTH] && s_get_ranged(c, v[S_DEMAND_GROWTH], "demand_growth", -1.0, true,
                                           S_MAX_GROWTH, &seat->demand_growth) < 0)
        return -1;
    if (v[S_RPC] && s_get_money(c, v[S_RPC], "revenue_per_compute", 0,
                                &seat->revenue_per_compute) < 0)
        return -1;
    if (v[S_VALUATION] && s_get_money(c, v[S_VALUATION], "valuation", 0, &seat->valuation) < 0)
        return -1;

    memcpy(seat->strategy, fw_role_name(seat->role), strlen(fw_role_name(seat->role)) + 1);
    if (v[S_STRATEGY] && s_parse_strategy(c, v[S_STRATEGY], seat) < 0)
        return -1;
    return 0;
}

static int s_parse_seats(s_ctx_t *c, yaml_node_t *list)
{
    if (s_list(c, list, "seats", FW_MAX_SEATS, "seat", "seats") < 0)
        return -1;
    size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    c->sc->seats = calloc(n, sizeof *c->sc->seats);
    c->installed = calloc(n, sizeof *c->installed);
    if (!c->sc->seats || !c->installed)
        return s_fail(c, list->start_mark, "out of memory");
    c->sc->n_seats = n;
    for (size_t i = 0; i < n; i++)
        if (s_parse_seat(c, s_node(c, list->data.sequence.items.start[i]), i) < 0)
            return -1;
    return 0;
}

/* ---- families ----------------------------------------------------------------------- */

enum {
    F_ID, F_NAME, F_VENDOR, F_PERF, F_UNIT_COST, F_PRICE, F_CAPACITY, F_CAPACITY_GROWTH,
    F_LEAD_TIME, F_LIFE, F_MATURITY, F_CAPTIVE_OF, F_N
};
static const s_key_t s_family_keys[F_N] = {
    [F_ID] = {"id", S_ALL, S_ALL},
    [F_NAME] = {"name", S_ALL, 0},
    [F_VENDOR] = {"vendor", S_ALL, S_ALL},
    [F_PERF] = {"perf", S_ALL, S_ALL},
    [F_UNIT_COST] = {"unit_cost", S_ALL, S_ALL},
    [F_PRICE] = {"price", S_ALL, S_ALL},
    [F_CAPACITY] = {"capacity", S_ALL, S_ALL},
    [F_CAPACITY_GROWTH] = {"capacity_growth", S_ALL, 0},
    [F_LEAD_TIME] = {"lead_time", S_ALL, 0},
    [F_LIFE] = {"life", S_ALL, 0},
    [F_MATURITY] = {"maturity", S_ALL, 0},
    [F_CAPTIVE_OF] = {"captive_of", S_ALL, 0},
};

/* A seat reference that must have `role`: its index, or an error at the value. */
static int s_seat_ref(s_ctx_t *c, yaml_node_t *n, const char *key, fw_role_t role, int *out)
{
    const char *s = NULL;
    if (s_scalar(c, n, key, &s) < 0)
        return -1;
    int i = fw_scenario_seat(c->sc, s);
    if (i < 0)
        return s_fail(c, n->start_mark, "%s '%s' is not a seat", key, s);
    if (c->sc->seats[i].role != role)
        return s_fail(c, n->start_mark, "%s '%s' is a %s, not a %s", key, s,
                      fw_role_name(c->sc->seats[i].role), fw_role_name(role));
    *out = i;
    return 0;
}

static int s_parse_family(s_ctx_t *c, yaml_node_t *map, size_t index)
{
    fw_family_t *f = &c->sc->families[index];
    yaml_node_t *v[F_N], *k[F_N], *unknown;
    char what[FW_ID_MAX + 16];
    double perf;
    uint64_t u;

    if (s_fields(c, map, "family", s_family_keys, F_N, v, k, &unknown) < 0)
        return -1;
    if (!v[F_ID])
        return s_fail(c, map->start_mark, "missing required key 'id' in family");
    if (s_get_id(c, v[F_ID], "family id", f->id) < 0)
        return -1;
    snprintf(what, sizeof what, "family '%s'", f->id);
    if (s_role_keys(c, map, what, s_family_keys, F_N, v, k, S_ALL, unknown) < 0)
        return -1;
    for (size_t i = 0; i < index; i++)
        if (strcmp(c->sc->families[i].id, f->id) == 0)
            return s_fail(c, v[F_ID]->start_mark, "duplicate family id '%s'", f->id);

    memcpy(f->name, f->id, sizeof f->id);
    if (v[F_NAME] && s_get_name(c, v[F_NAME], "name", f->name) < 0)
        return -1;
    if (s_seat_ref(c, v[F_VENDOR], "vendor", FW_ROLE_VENDOR, &f->vendor) < 0)
        return -1;
    f->captive_of = -1;
    if (v[F_CAPTIVE_OF] &&
        s_seat_ref(c, v[F_CAPTIVE_OF], "captive_of", FW_ROLE_HYPERSCALER, &f->captive_of) < 0)
        return -1;
    if (s_get_real(c, v[F_PERF], "perf", &perf) < 0)
        return -1;
    if (!(perf > 0.0) || perf > S_MAX_PERF || lround(perf * 1000.0) < 1)
        return s_fail(c, v[F_PERF]->start_mark, "perf must be in [0.001, %g], got '%s'",
                      S_MAX_PERF, (const char *)v[F_PERF]->data.scalar.value);
    f->perf_milli = (uint32_t)lround(perf * 1000.0);
    if (s_get_money(c, v[F_UNIT_COST], "unit_cost", 0, &f->unit_cost) < 0 ||
        s_get_money(c, v[F_PRICE], "price", 0, &f->price) < 0 ||
        s_get_money(c, v[F_CAPACITY], "capacity", 0, &f->capacity) < 0)
        return -1;
    if (v[F_CAPACITY_GROWTH] && s_get_ranged(c, v[F_CAPACITY_GROWTH], "capacity_growth", -1.0,
                                             true, S_MAX_GROWTH, &f->capacity_growth) < 0)
        return -1;
    f->lead_time = 2;
    if (v[F_LEAD_TIME]) {
        if (s_get_uint(c, v[F_LEAD_TIME], "lead_time", 0, S_MAX_LEAD_TIME, &u) < 0)
            return -1;
        f->lead_time = (uint32_t)u;
    }
    f->life = 60;
    if (v[F_LIFE]) {
        if (s_get_uint(c, v[F_LIFE], "life", 1, S_MAX_LIFE, &u) < 0)
            return -1;
        f->life = (uint32_t)u;
    }
    f->maturity = 1.0;
    if (v[F_MATURITY] &&
        s_get_ranged(c, v[F_MATURITY], "maturity", 0.0, false, 1.0, &f->maturity) < 0)
        return -1;
    return 0;
}

static int s_parse_families(s_ctx_t *c, yaml_node_t *list)
{
    if (s_list(c, list, "families", FW_MAX_FAMILIES, "family", "families") < 0)
        return -1;
    size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    c->sc->families = calloc(n, sizeof *c->sc->families);
    if (!c->sc->families)
        return s_fail(c, list->start_mark, "out of memory");
    c->sc->n_families = n;
    for (size_t i = 0; i < n; i++)
        if (s_parse_family(c, s_node(c, list->data.sequence.items.start[i]), i) < 0)
            return -1;
    return 0;
}

/* A hyperscaler's `installed` mapping, family id -> units; needs the families. */
static int s_parse_installed(s_ctx_t *c, yaml_node_t *map, fw_seat_t *seat)
{
    size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    if (n == 0)
        return 0;
    if (n > FW_MAX_FAMILIES)
        n = FW_MAX_FAMILIES + 1; /* the duplicate check below reports the excess */
    seat->installed = calloc(n, sizeof *seat->installed);
    if (!seat->installed)
        return s_fail(c, map->start_mark, "out of memory");
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = s_node(c, p->key), *v = s_node(c, p->value);
        const char *s = NULL;
        if (s_scalar(c, k, "installed", &s) < 0)
            return -1;
        int fam = fw_scenario_family(c->sc, s);
        if (fam < 0)
            return s_fail(c, k->start_mark, "installed family '%s' is not a family", s);
        for (size_t i = 0; i < seat->n_installed; i++)
            if (seat->installed[i].family == fam)
                return s_fail(c, k->start_mark, "duplicate key '%s' in installed", s);
        fw_installed_t *in = &seat->installed[seat->n_installed];
        in->family = fam;
        if (s_get_money(c, v, s, 0, &in->units) < 0)
            return -1;
        seat->n_installed++;
    }
    return 0;
}

/* ---- top level ---------------------------------------------------------------------- */

enum { K_RUN, K_FAMILIES, K_SEATS, K_N };
static const s_key_t s_top_keys[K_N] = {
    [K_RUN] = {"run", S_ALL, S_ALL},
    [K_FAMILIES] = {"families", S_ALL, S_ALL},
    [K_SEATS] = {"seats", S_ALL, S_ALL},
};

static int s_parse_root(s_ctx_t *c, yaml_node_t *root)
{
    yaml_node_t *v[K_N], *k[K_N];
    if (s_fields(c, root, "the top level", s_top_keys, K_N, v, k, NULL) < 0 ||
        s_role_keys(c, root, "the top level", s_top_keys, K_N, v, k, S_ALL, NULL) < 0)
        return -1;
    /* Seats before families (families name seats), installed chips last (they name
     * families): whatever order the file uses. */
    if (s_parse_run(c, v[K_RUN]) < 0 || s_parse_seats(c, v[K_SEATS]) < 0 ||
        s_parse_families(c, v[K_FAMILIES]) < 0)
        return -1;
    for (size_t i = 0; i < c->sc->n_seats; i++)
        if (c->installed[i] && s_parse_installed(c, c->installed[i], &c->sc->seats[i]) < 0)
            return -1;
    return 0;
}

/* The position of a reader error, which libyaml gives as a byte offset only. */
static yaml_mark_t s_offset_mark(const s_ctx_t *c, size_t offset)
{
    yaml_mark_t m = {0, 0, 0};
    for (size_t i = 0; i < offset && i < c->text_len; i++) {
        if (c->text[i] == '\n') {
            m.line++;
            m.column = 0;
        } else if (((unsigned char)c->text[i] & 0xC0) != 0x80) {
            m.column++;
        }
    }
    m.index = offset;
    return m;
}

static int s_syntax_error(s_ctx_t *c, const yaml_parser_t *parser)
{
    if (parser->error == YAML_MEMORY_ERROR) {
        if (c->err && c->err_len)
            snprintf(c->err, c->err_len, "%s: out of memory", c->path);
        return -1;
    }
    if (parser->error == YAML_READER_ERROR)
        return s_fail(c, s_offset_mark(c, parser->problem_offset), "invalid input: %s",
                      parser->problem ? parser->problem : "unreadable bytes");
    const char *problem = parser->problem ? parser->problem : "malformed YAML";
    if (parser->context)
        return s_fail(c, parser->problem_mark, "YAML syntax error: %s (%s)", problem,
                      parser->context);
    return s_fail(c, parser->problem_mark, "YAML syntax error: %s", problem);
}

fw_scenario_t *fw_scenario_parse(const char *path, const char *text, size_t len, char *err,
                                 size_t err_len)
{
    assert(path && (text || len == 0));
    s_ctx_t c = {.path = path, .text = text, .text_len = len, .err = err, .err_len = err_len};
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    bool have_doc = false, have_parser = false;
    fw_scenario_t *sc = NULL;
    int rc = -1;

    if (err && err_len)
        err[0] = '\0';
    sc = calloc(1, sizeof *sc);
    if (!sc)
        goto oom;
    sc->path = strdup(path);
    sc->text = malloc(len + 1);
    if (!sc->path || !sc->text)
        goto oom;
    if (len)
        memcpy(sc->text, text, len);
    sc->text[len] = '\0';
    sc->text_len = len;
    c.sc = sc;

    if (!yaml_parser_initialize(&parser))
        goto oom;
    have_parser = true;
    yaml_parser_set_input_string(&parser, (const unsigned char *)sc->text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        s_syntax_error(&c, &parser);
        goto out;
    }
    have_doc = true;
    c.doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        yaml_mark_t start = {0, 0, 0};
        s_fail(&c, start, "empty scenario: expected a mapping with run, families and seats");
        goto out;
    }
    /* A second document would be silently ignored: refuse it. */
    if (!yaml_parser_load(&parser, &extra)) {
        s_syntax_error(&c, &parser);
        goto out;
    }
    yaml_node_t *extra_root = yaml_document_get_root_node(&extra);
    if (extra_root) {
        s_fail(&c, extra.start_mark, "a scenario is one YAML document; found another here");
        yaml_document_delete(&extra);
        goto out;
    }
    yaml_document_delete(&extra);
    rc = s_parse_root(&c, root);
    goto out;

oom:
    if (err && err_len)
        snprintf(err, err_len, "%s: out of memory", path);
out:
    if (have_doc)
        yaml_document_delete(&doc);
    if (have_parser)
        yaml_parser_delete(&parser);
    free(c.installed);
    if (rc < 0)
        fw_scenario_destroy(&sc);
    return sc;
}

fw_scenario_t *fw_scenario_load(const char *path, char *err, size_t err_len)
{
    assert(path);
    char *buf = NULL;
    size_t len = 0;
    fw_scenario_t *sc = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        goto io_error;
    for (;;) {
        char *grown = realloc(buf, len + 65536);
        if (!grown) {
            errno = ENOMEM;
            goto io_error;
        }
        buf = grown;
        size_t got = fread(buf + len, 1, 65536, f);
        len += got;
        if (got < 65536) {
            if (ferror(f))
                goto io_error;
            break;
        }
        if (len > S_MAX_FILE_BYTES) {
            if (err && err_len)
                snprintf(err, err_len, "%s: larger than %u bytes: not a scenario", path,
                         S_MAX_FILE_BYTES);
            goto out;
        }
    }
    sc = fw_scenario_parse(path, buf, len, err, err_len);
    goto out;

io_error:
    if (err && err_len)
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
out:
    if (f)
        fclose(f);
    free(buf);
    return sc;
}

void fw_scenario_destroy(fw_scenario_t **p)
{
    if (!p || !*p)
        return;
    fw_scenario_t *sc = *p;
    for (size_t i = 0; i < sc->n_seats; i++)
        free(sc->seats[i].installed);
    free(sc->seats);
    free(sc->families);
    free(sc->text);
    free(sc->path);
    free(sc);
    *p = NULL;
}

int fw_scenario_seat(const fw_scenario_t *sc, const char *id)
{
    assert(sc && id);
    for (size_t i = 0; i < sc->n_seats; i++)
        if (strcmp(sc->seats[i].id, id) == 0)
            return (int)i;
    return -1;
}

int fw_scenario_family(const fw_scenario_t *sc, const char *id)
{
    assert(sc && id);
    for (size_t i = 0; i < sc->n_families; i++)
        if (strcmp(sc->families[i].id, id) == 0)
            return (int)i;
    return -1;
}

double fw_seat_param(const fw_seat_t *seat, const char *key, double fallback)
{
    assert(seat && key);
    for (size_t i = 0; i < seat->n_params; i++)
        if (strcmp(seat->params[i].key, key) == 0)
            return seat->params[i].value;
    return fallback;
}

const char *fw_role_name(fw_role_t role)
{
    switch (role) {
    case FW_ROLE_HYPERSCALER:
        return "hyperscaler";
    case FW_ROLE_LAB:
        return "lab";
    case FW_ROLE_VENDOR:
        return "vendor";
    default:
        return "none";
    }
}

fw_role_t fw_role_parse(const char *s)
{
    if (!s)
        return FW_ROLE_NONE;
    if (strcmp(s, "hyperscaler") == 0)
        return FW_ROLE_HYPERSCALER;
    if (strcmp(s, "lab") == 0)
        return FW_ROLE_LAB;
    if (strcmp(s, "vendor") == 0)
        return FW_ROLE_VENDOR;
    return FW_ROLE_NONE;
}

void fw_scenario_month(const fw_scenario_t *sc, uint32_t tick, char *buf, size_t len)
{
    assert(sc && buf && len > 0);
    /* Tick 1 is the start month; tick 0 (the state before the first tick) is one
     * step earlier. Months counted from year 0 keep the division non-negative. */
    int64_t m = (int64_t)sc->start_year * 12 + (sc->start_month - 1) +
                ((int64_t)tick - 1) * (int64_t)sc->tick_months;
    if (m < 0)
        m = 0;
    snprintf(buf, len, "%04d-%02d", (int)(m / 12), (int)(m % 12) + 1);
}
