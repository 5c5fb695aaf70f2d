/* fw_scenario: see fw_scenario.h; the file format is described in docs/scenarios.md.
 *
 * The loader reads the whole file with libyaml's document API, so every node keeps its
 * start mark and every error can name "file:line:col" (libyaml counts from 0, people
 * from 1). It then walks the tree in a fixed order that does not depend on the order of
 * keys in the file: `run`, then every seat, then every family (a family names its vendor
 * and captive buyer by seat id), then each hyperscaler's `installed` chips and each lab's
 * `skill` (which name families), then `market`, the initial `deals`, the `events` and
 * `deal_overrides`, and the `checks` (which name seats and families, and whose months
 * need the final `run`). The first error stops the load; a half-built scenario is never
 * returned.
 *
 * `extends:` loads a chain of files first (the loaded file, its base, the base's base,
 * ...), each with its own document, and then walks them root first, each section from
 * the file that may give it; messages name the file the offending node is in.
 *
 * Money and counts are parsed as exact decimals ("7.6B" is 7600000000, not the nearest
 * double times 1e9), so a scenario means the same integers on every host.
 */
#include "fw_scenario.h"
#include "fw_known_params.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "fw_file.h"

/* A scenario file larger than this is certainly a mistake (the big synthetic scenario
 * with hundreds of seats is well under 1 MiB). */
#define S_MAX_FILE_BYTES (16u * 1024u * 1024u)

#define S_MAX_TICKS 100000u
#define S_MAX_LEAD_TIME 1000u
#define S_MAX_LIFE 10000u
#define S_MAX_PERF 1000.0
#define S_MAX_GROWTH 10.0
#define S_MAX_INDEX 1e6      /* capability, price_index, reach, shock factors */
#define S_MAX_AMOUNT 1e18    /* real-valued amounts (about 2^60: beyond any economy) */
#define S_MAX_EXTENDS 4      /* `extends:` hops from the loaded file to its root base */

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
    yaml_node_t **skill;       /* per seat: its `skill` node, resolved after families */
    size_t events_cap;         /* entries allocated in sc->events */
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

/* A real number in money syntax ("2M", "0.3", "$1.5B"), in [lo, hi] (or (lo, hi] when
 * lo_open): for amounts that need not be whole (scales, bands, values per unit). */
static int s_get_amount(s_ctx_t *c, yaml_node_t *n, const char *key, double lo, bool lo_open,
                        double hi, double *out)
{
    const char *s = NULL;
    s_dec_t d;
    if (s_scalar(c, n, key, &s) < 0)
        return -1;
    if (!s_parse_dec(s, true, &d))
        return s_fail(c, n->start_mark,
                      "expected an amount for '%s' (e.g. 0.3, 1200, 7.6B, 2M), got '%s'", key, s);
    if (!s_dec_to_double(&d, out))
        return s_fail(c, n->start_mark, "%s '%s' is out of range", key, s);
    if ((lo_open ? *out <= lo : *out < lo) || *out > hi)
        return s_fail(c, n->start_mark, "%s must be in %c%g, %g], got '%s'", key,
                      lo_open ? '(' : '[', lo, hi, s);
    return 0;
}

/* A YAML boolean: true or false (also True/TRUE/False/FALSE, the YAML 1.2 core schema;
 * not yes/no/on/off, which YAML 1.1 also read as booleans and people misread). */
static int s_get_bool(s_ctx_t *c, yaml_node_t *n, const char *key, bool *out)
{
    const char *s = NULL;
    if (s_scalar(c, n, key, &s) < 0)
        return -1;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
        *out = true;
        return 0;
    }
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
        *out = false;
        return 0;
    }
    return s_fail(c, n->start_mark, "expected true or false for '%s', got '%s'", key, s);
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
static int s_list(s_ctx_t *c, yaml_node_t *n, const char *key, size_t max, size_t min,
                  const char *item, const char *items)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return s_fail(c, n->start_mark, "expected a list for '%s', got %s", key, s_node_kind(n));
    size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (len < min)
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

/* A calendar month "YYYY-MM": *months = year * 12 + (month - 1). */
static int s_get_month(s_ctx_t *c, yaml_node_t *n, const char *key, int64_t *months)
{
    const char *s = NULL;
    if (s_scalar(c, n, key, &s) < 0)
        return -1;
    bool shape = strlen(s) == 7 && s[4] == '-';
    for (int i = 0; shape && i < 7; i++)
        if (i != 4 && !(s[i] >= '0' && s[i] <= '9'))
            shape = false;
    if (!shape)
        return s_fail(c, n->start_mark, "expected a month YYYY-MM for '%s', got '%s'", key, s);
    int y = atoi(s), m = atoi(s + 5);
    if (m < 1 || m > 12)
        return s_fail(c, n->start_mark, "%s month must be 01..12, got '%s'", key, s);
    *months = (int64_t)y * 12 + (m - 1);
    return 0;
}

/* A month at or after the run's start, as the tick it falls in (1 = the start month).
 * Months after the last tick are allowed: they never come, which lets a shortened run
 * keep the file's later events. */
static int s_get_tick(s_ctx_t *c, yaml_node_t *n, const char *key, uint32_t *tick)
{
    int64_t months;
    if (s_get_month(c, n, key, &months) < 0)
        return -1;
    int64_t t = fw_scenario_tick_of(c->sc, (int)(months / 12), (int)(months % 12) + 1);
    if (t < 1)
        return s_fail(c, n->start_mark, "%s %s is before the run's start %04d-%02d", key,
                      (const char *)n->data.scalar.value, c->sc->start_year,
                      c->sc->start_month);
    *tick = (uint32_t)t; /* < 10000 years * 12: fits */
    return 0;
}

/* `run:`. The root scenario must give name, start and ticks; a scenario that extends
 * another (`base` false) may give any of them, and each one it gives replaces the base's. */
static int s_parse_run(s_ctx_t *c, yaml_node_t *map, bool base)
{
    yaml_node_t *v[R_N], *k[R_N];
    fw_scenario_t *sc = c->sc;
    uint64_t u;
    int64_t months;
    if (s_fields(c, map, "run", s_run_keys, R_N, v, k, NULL) < 0)
        return -1;
    if (base && s_role_keys(c, map, "run", s_run_keys, R_N, v, k, S_ALL, NULL) < 0)
        return -1;
    if (v[R_NAME] && s_get_name(c, v[R_NAME], "name", sc->name) < 0)
        return -1;
    if (v[R_START]) {
        if (s_get_month(c, v[R_START], "start", &months) < 0)
            return -1;
        sc->start_year = (int)(months / 12);
        sc->start_month = (int)(months % 12) + 1;
    }
    if (v[R_TICKS]) {
        if (s_get_uint(c, v[R_TICKS], "ticks", 1, S_MAX_TICKS, &u) < 0)
            return -1;
        sc->ticks = (uint32_t)u;
    }
    if (base) {
        sc->tick_months = 1;
        sc->seed = 1;
    }
    if (v[R_TICK_MONTHS]) {
        if (s_get_uint(c, v[R_TICK_MONTHS], "tick_months", 0, UINT32_MAX, &u) < 0)
            return -1;
        if (u != 1 && u != 3)
            return s_fail(c, v[R_TICK_MONTHS]->start_mark,
                          "tick_months must be 1 (monthly) or 3 (quarterly), got '%s'",
                          (const char *)v[R_TICK_MONTHS]->data.scalar.value);
        sc->tick_months = (uint32_t)u;
    }
    if (v[R_SEED] && s_get_uint(c, v[R_SEED], "seed", 0, UINT64_MAX, &sc->seed) < 0)
        return -1;
    return 0;
}

/* ---- seats -------------------------------------------------------------------------- */

enum {
    S_ID, S_NAME, S_ROLE, S_CASH, S_BASE_REVENUE, S_BASE_GROWTH, S_BASE_MARGIN,
    S_COMPUTE_PRICE, S_INSTALLED, S_DEMAND, S_DEMAND_GROWTH, S_RPC, S_VALUATION,
    S_STRATEGY, S_CAPABILITY, S_PRICE_INDEX, S_REACH, S_SKILL, S_SELLS_COMPUTE, S_OWN_BUSINESS,
    S_OWN_GROWTH, S_AI_UPLIFT, S_AI_SATURATION, S_N
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
    [S_VALUATION] = {"valuation", S_ALL, 0},
    [S_STRATEGY] = {"strategy", S_ALL, 0},
    [S_CAPABILITY] = {"capability", S_LAB, 0},
    [S_PRICE_INDEX] = {"price_index", S_LAB, 0},
    [S_REACH] = {"reach", S_LAB, 0},
    [S_SKILL] = {"skill", S_LAB, 0},
    [S_SELLS_COMPUTE] = {"sells_compute", S_HYP, 0},
    [S_OWN_BUSINESS] = {"own_business", S_HYP, 0},
    [S_OWN_GROWTH] = {"own_business_growth", S_HYP, 0},
    [S_AI_UPLIFT] = {"ai_uplift", S_HYP, 0},
    [S_AI_SATURATION] = {"ai_saturation", S_HYP, 0},
};

enum { T_NAME, T_PARAMS, T_N };
static const s_key_t s_strategy_keys[T_N] = {
    [T_NAME] = {"name", S_ALL, 0},
    [T_PARAMS] = {"params", S_ALL, 0},
};

/* A key the seat's built-in strategy does not read is refused (a misspelt one would
 * otherwise leave the strategy on its default, silently), with the nearest known key
 * and all of them. A strategy that is not built in reads its own keys. */
static int s_check_param(s_ctx_t *c, yaml_node_t *k, const fw_seat_t *seat, const char *key)
{
    size_t n = 0;
    const char *const *known = fw_known_params(seat->strategy, &n);
    if (!known)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(known[i], key) == 0)
            return 0;
    const char *near = fw_known_params_nearest(known, n, key);
    /* The investors' many invest_* keys are named as one, to keep the line short. */
    char list[768] = "";
    size_t used = 0, invest = 0;
    for (size_t i = 0; i < n && used < sizeof list; i++) {
        if (strncmp(known[i], "invest_", 7) == 0) {
            invest++;
            continue;
        }
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "",
                                 known[i]);
    }
    if (invest && used < sizeof list)
        snprintf(list + used, sizeof list - used, "%sthe %zu invest_* keys of "
                 "docs/scenarios.md", used ? " and " : "", invest);
    if (n == 0)
        return s_fail(c, k->start_mark, "unknown parameter '%s': strategy '%s' of seat '%s' "
                      "reads none", key, seat->strategy, seat->id);
    return s_fail(c, k->start_mark, "unknown parameter '%s' for strategy '%s' of seat '%s'"
                  "%s%s%s; it reads: %s", key, seat->strategy, seat->id,
                  near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "", list);
}

/* A seat's strategy params. With `replace` (a variant's `strategy_params`), a key the
 * seat already has takes the new value; otherwise a repeated key is an error. */
static int s_parse_params(s_ctx_t *c, yaml_node_t *map, fw_seat_t *seat, bool replace)
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
        if (s_check_param(c, k, seat, key) < 0)
            return -1;
        size_t at = seat->n_params;
        for (size_t i = 0; i < seat->n_params; i++)
            if (strcmp(seat->params[i].key, key) == 0)
                at = i;
        if (at < seat->n_params && !replace)
            return s_fail(c, k->start_mark, "duplicate key '%s' in params", key);
        if (at == FW_MAX_PARAMS)
            return s_fail(c, k->start_mark, "too many params (at most %d)", FW_MAX_PARAMS);
        if (s_scalar(c, v, key, &s) < 0)
            return -1;
        if (!s_parse_dec(s, true, &d))
            return s_fail(c, v->start_mark, "expected a number for '%s', got '%s'", key, s);
        if (!s_dec_to_double(&d, &value))
            return s_fail(c, v->start_mark, "%s '%s' is out of range", key, s);
        memcpy(seat->params[at].key, key, sizeof key);
        seat->params[at].value = value;
        if (at == seat->n_params)
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
    if (v[T_PARAMS] && s_parse_params(c, v[T_PARAMS], seat, false) < 0)
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

/* AI in the company's own operations, and whether it sells compute: the defaults are
 * documented in fw_scenario.h and docs/scenarios.md (own_business_growth follows the
 * base business unless given, so base_growth must be read first). */
static int s_parse_own_operations(s_ctx_t *c, yaml_node_t **v, fw_seat_t *seat)
{
    seat->sells_compute = true;
    seat->own_business_growth = seat->base_growth;
    seat->ai_saturation = 2e6;
    if (v[S_SELLS_COMPUTE] &&
        s_get_bool(c, v[S_SELLS_COMPUTE], "sells_compute", &seat->sells_compute) < 0)
        return -1;
    if (v[S_OWN_BUSINESS] &&
        s_get_money(c, v[S_OWN_BUSINESS], "own_business", 0, &seat->own_business) < 0)
        return -1;
    if (v[S_OWN_GROWTH] && s_get_ranged(c, v[S_OWN_GROWTH], "own_business_growth", -1.0, true,
                                        S_MAX_GROWTH, &seat->own_business_growth) < 0)
        return -1;
    if (v[S_AI_UPLIFT] &&
        s_get_ranged(c, v[S_AI_UPLIFT], "ai_uplift", 0.0, false, 1.0, &seat->ai_uplift) < 0)
        return -1;
    if (v[S_AI_SATURATION] && s_get_amount(c, v[S_AI_SATURATION], "ai_saturation", 0.0, true,
                                           S_MAX_AMOUNT, &seat->ai_saturation) < 0)
        return -1;
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
    if (seat->role == FW_ROLE_LAB) {
        seat->capability = seat->price_index = seat->reach = 1.0;
        if (v[S_CAPABILITY] && s_get_ranged(c, v[S_CAPABILITY], "capability", 0.0, true,
                                            S_MAX_INDEX, &seat->capability) < 0)
            return -1;
        if (v[S_PRICE_INDEX] && s_get_ranged(c, v[S_PRICE_INDEX], "price_index", 0.0, true,
                                             S_MAX_INDEX, &seat->price_index) < 0)
            return -1;
        if (v[S_REACH] &&
            s_get_ranged(c, v[S_REACH], "reach", 0.0, true, S_MAX_INDEX, &seat->reach) < 0)
            return -1;
    }
    if (v[S_SKILL]) {
        if (v[S_SKILL]->type != YAML_MAPPING_NODE)
            return s_fail(c, v[S_SKILL]->start_mark, "expected a mapping for 'skill', got %s",
                          s_node_kind(v[S_SKILL]));
        c->skill[index] = v[S_SKILL];
    }
    if (s_parse_own_operations(c, v, seat) < 0)
        return -1;

    memcpy(seat->strategy, fw_role_name(seat->role), strlen(fw_role_name(seat->role)) + 1);
    if (v[S_STRATEGY] && s_parse_strategy(c, v[S_STRATEGY], seat) < 0)
        return -1;
    return 0;
}

static int s_parse_seats(s_ctx_t *c, yaml_node_t *list)
{
    if (s_list(c, list, "seats", FW_MAX_SEATS, 1, "seat", "seats") < 0)
        return -1;
    size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    c->sc->seats = calloc(n, sizeof *c->sc->seats);
    c->installed = calloc(n, sizeof *c->installed);
    c->skill = calloc(n, sizeof *c->skill);
    if (!c->sc->seats || !c->installed || !c->skill)
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
    if (s_list(c, list, "families", FW_MAX_FAMILIES, 1, "family", "families") < 0)
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

/* A lab's `skill` mapping, family id -> initial skill in (0, 1]; needs the families.
 * Every lab gets one entry per family (0.6 where the file says nothing). */
static int s_parse_skill(s_ctx_t *c, yaml_node_t *map, fw_seat_t *seat)
{
    yaml_mark_t where = map ? map->start_mark : (yaml_mark_t){0, 0, 0};
    seat->skill = calloc(c->sc->n_families ? c->sc->n_families : 1, sizeof *seat->skill);
    if (!seat->skill)
        return s_fail(c, where, "out of memory");
    for (size_t f = 0; f < c->sc->n_families; f++)
        seat->skill[f] = 0.6;
    if (!map)
        return 0;
    bool seen[FW_MAX_FAMILIES] = {false};
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = s_node(c, p->key), *v = s_node(c, p->value);
        const char *s = NULL;
        if (s_scalar(c, k, "skill", &s) < 0)
            return -1;
        int fam = fw_scenario_family(c->sc, s);
        if (fam < 0)
            return s_fail(c, k->start_mark, "skill family '%s' is not a family", s);
        if (seen[fam])
            return s_fail(c, k->start_mark, "duplicate key '%s' in skill", s);
        seen[fam] = true;
        if (s_get_ranged(c, v, s, 0.0, true, 1.0, &seat->skill[fam]) < 0)
            return -1;
    }
    return 0;
}

/* ---- market ------------------------------------------------------------------------- */

/* How a market key is read. */
typedef enum {
    M_MONEY,      /* int64 dollars, >= 0 */
    M_COUNT,      /* int64, >= 1 (count syntax) */
    M_REAL,       /* double in [lo, hi] (or (lo, hi] when lo_open); count syntax allowed */
    M_BOOL,
} s_mkind_t;

typedef struct {
    const char *key;
    s_mkind_t kind;
    size_t offset; /* into fw_market_params_t */
    double lo, hi;
    bool lo_open;
} s_mkey_t;

#define S_MP(f) offsetof(fw_market_params_t, f)
static const s_mkey_t s_market_keys[] = {
    {"ai_spending", M_MONEY, S_MP(ai_spending), 0, 0, false},
    {"ai_spending_growth", M_REAL, S_MP(ai_spending_growth), -1.0, S_MAX_GROWTH, true},
    {"ai_spending_growth_decay", M_REAL, S_MP(ai_spending_growth_decay), 0.0, 1.0, false},
    {"outside_lab_share", M_REAL, S_MP(outside_lab_share), 0.0, 0.95, false},
    {"capability_weight", M_REAL, S_MP(capability_weight), 0.0, 100.0, false},
    {"price_weight", M_REAL, S_MP(price_weight), 0.0, 100.0, false},
    {"lab_multiple", M_REAL, S_MP(lab_multiple), 0.0, 10000.0, true},
    {"valuation_elasticity", M_REAL, S_MP(valuation_elasticity), 0.0, 5.0, false},
    {"valuation_band", M_REAL, S_MP(valuation_band), 1.0, 100.0, false},
    {"cloud_multiple", M_REAL, S_MP(cloud_multiple), 0.0, 10000.0, true},
    {"vendor_multiple", M_REAL, S_MP(vendor_multiple), 0.0, 10000.0, true},
    {"other_cloud_revenue", M_MONEY, S_MP(other_cloud_revenue), 0, 0, false},
    {"other_chip_demand", M_MONEY, S_MP(other_chip_demand), 0, 0, false},
    {"other_chip_growth", M_REAL, S_MP(other_chip_growth), -1.0, S_MAX_GROWTH, true},
    {"other_cloud_growth", M_REAL, S_MP(other_cloud_growth), -1.0, S_MAX_GROWTH, true},
    {"base_pull", M_REAL, S_MP(base_pull), 0.0, 10.0, false},
    {"training_exponent", M_REAL, S_MP(training_exponent), 0.0, 10.0, true},
    {"training_scale", M_COUNT, S_MP(training_scale), 0, 0, false},
    {"learning_scale", M_REAL, S_MP(learning_scale), 0.0, S_MAX_AMOUNT, true},
    {"maturity_scale", M_REAL, S_MP(maturity_scale), 0.0, S_MAX_AMOUNT, true},
    {"falter_churn", M_REAL, S_MP(falter_churn), 0.0, 1.0, false},
    {"skill_spillover", M_REAL, S_MP(skill_spillover), 0.0, 1.0, false},
    {"reach_convergence", M_REAL, S_MP(reach_convergence), 0.0, 0.5, false},
    {"facility_capex", M_REAL, S_MP(facility_capex), 0.0, 10.0, false},
    {"credits_allowed", M_BOOL, S_MP(credits_allowed), 0, 0, false},
    {"market_ceiling", M_MONEY, S_MP(market_ceiling), 0, 0, false},
    {"capacity_response", M_REAL, S_MP(capacity_response), 0.0, 1.0, false},
    {"capacity_surge_max", M_REAL, S_MP(capacity_surge_max), 0.0, 0.2, false},
    {"capacity_ease_max", M_REAL, S_MP(capacity_ease_max), 0.0, 0.2, false},
};
#define S_N_MARKET_KEYS (sizeof s_market_keys / sizeof s_market_keys[0])

/* The defaults documented in fw_scenario.h and docs/scenarios.md. */
static void s_market_defaults(fw_market_params_t *m)
{
    memset(m, 0, sizeof *m);
    m->ai_spending_growth = 0.05;
    m->ai_spending_growth_decay = 1.0;
    m->capability_weight = 2.0;
    m->price_weight = 1.0;
    m->lab_multiple = 25.0;
    m->valuation_elasticity = 0.7;
    m->valuation_band = 4.0;
    m->cloud_multiple = 8.0;
    m->vendor_multiple = 15.0;
    m->base_pull = 0.02;
    m->training_exponent = 0.3;
    m->training_scale = 1000000;
    m->learning_scale = 2e6;
    m->maturity_scale = 2e7;
    m->falter_churn = 0.05;
    m->skill_spillover = 0.5;
    m->reach_convergence = 0.01;
    m->facility_capex = 0.6;
    m->credits_allowed = true;
    m->capacity_response = 0.05;
    m->capacity_surge_max = 0.03;
    m->capacity_ease_max = 0.02;
}

/* `market:`: each key given replaces the value so far (a default, or the base's). */
static int s_parse_market(s_ctx_t *c, yaml_node_t *map)
{
    s_key_t keys[S_N_MARKET_KEYS];
    yaml_node_t *v[S_N_MARKET_KEYS], *k[S_N_MARKET_KEYS];
    for (size_t i = 0; i < S_N_MARKET_KEYS; i++)
        keys[i] = (s_key_t){s_market_keys[i].key, S_ALL, 0};
    if (s_fields(c, map, "market", keys, S_N_MARKET_KEYS, v, k, NULL) < 0)
        return -1;
    char *base = (char *)&c->sc->market;
    for (size_t i = 0; i < S_N_MARKET_KEYS; i++) {
        const s_mkey_t *m = &s_market_keys[i];
        void *dst = base + m->offset;
        int rc = 0;
        if (!v[i])
            continue;
        switch (m->kind) {
        case M_MONEY:
            rc = s_get_money(c, v[i], m->key, 0, (int64_t *)dst);
            break;
        case M_COUNT:
            rc = s_get_money(c, v[i], m->key, 1, (int64_t *)dst);
            break;
        case M_REAL:
            rc = s_get_amount(c, v[i], m->key, m->lo, m->lo_open, m->hi, (double *)dst);
            break;
        case M_BOOL:
            rc = s_get_bool(c, v[i], m->key, (bool *)dst);
            break;
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- deals -------------------------------------------------------------------------- */

/* Which list a deal mapping comes from: an event's `deal:` or the `deals:` in force. */
#define S_EV (1u << 0)
#define S_INIT (1u << 1)

enum {
    D_INVESTOR, D_LAB, D_AMOUNT, D_CREDIT_FRACTION, D_VALUATION, D_MIN_CLOUD_SHARE,
    D_CHIP_FAMILY, D_MIN_CHIP_SHARE, D_EXCLUSIVE, D_DURATION, D_PENALTY, D_EQUITY,
    D_CREDITS_LEFT, D_UNTIL, D_SIGNED, D_MIN_SPEND, D_N
};
static const s_key_t s_deal_keys[D_N] = {
    [D_INVESTOR] = {"investor", S_EV | S_INIT, S_EV | S_INIT},
    [D_LAB] = {"lab", S_EV | S_INIT, S_EV | S_INIT},
    [D_AMOUNT] = {"amount", S_EV | S_INIT, S_EV | S_INIT},
    [D_CREDIT_FRACTION] = {"credit_fraction", S_EV | S_INIT, 0},
    [D_VALUATION] = {"valuation", S_EV | S_INIT, 0},
    [D_MIN_CLOUD_SHARE] = {"min_cloud_share", S_EV | S_INIT, 0},
    [D_CHIP_FAMILY] = {"chip_family", S_EV | S_INIT, 0},
    [D_MIN_CHIP_SHARE] = {"min_chip_share", S_EV | S_INIT, 0},
    [D_EXCLUSIVE] = {"exclusive", S_EV | S_INIT, 0},
    [D_DURATION] = {"duration", S_EV, 0},
    [D_PENALTY] = {"penalty", S_EV | S_INIT, 0},
    [D_EQUITY] = {"equity", S_INIT, 0},
    [D_CREDITS_LEFT] = {"credits_left", S_INIT, 0},
    [D_UNTIL] = {"until", S_INIT, 0},
    [D_SIGNED] = {"signed", S_INIT, 0},
    [D_MIN_SPEND] = {"min_spend", S_EV | S_INIT, 0},
};

#define S_DEFAULT_DURATION 24u

/* `investor`: a hyperscaler or vendor seat, or `outside` (-1). */
static int s_investor_ref(s_ctx_t *c, yaml_node_t *n, int *out)
{
    const char *s = NULL;
    if (s_scalar(c, n, "investor", &s) < 0)
        return -1;
    if (strcmp(s, "outside") == 0) {
        *out = -1;
        return 0;
    }
    int i = fw_scenario_seat(c->sc, s);
    if (i < 0)
        return s_fail(c, n->start_mark, "investor '%s' is not a seat (nor 'outside')", s);
    if (c->sc->seats[i].role == FW_ROLE_LAB)
        return s_fail(c, n->start_mark,
                      "investor '%s' is a lab; an investor is a hyperscaler, a vendor or "
                      "'outside'",
                      s);
    *out = i;
    return 0;
}

/* `chip_family`: a family id, or `none` (-1). */
static int s_family_ref(s_ctx_t *c, yaml_node_t *n, const char *key, bool allow_none, int *out)
{
    const char *s = NULL;
    if (s_scalar(c, n, key, &s) < 0)
        return -1;
    if (allow_none && strcmp(s, "none") == 0) {
        *out = -1;
        return 0;
    }
    *out = fw_scenario_family(c->sc, s);
    if (*out < 0)
        return s_fail(c, n->start_mark, "%s '%s' is not a family", key, s);
    return 0;
}

/* Refuses a term only a hyperscaler investor can set ("credits are spent on the
 * investor's cloud"), at the node that sets it. */
static int s_needs_cloud(s_ctx_t *c, yaml_node_t *n, const char *what, int investor)
{
    if (investor < 0)
        return s_fail(c, n->start_mark,
                      "%s needs a hyperscaler investor; 'outside' investors pay cash only", what);
    return s_fail(c, n->start_mark, "%s needs a hyperscaler investor; '%s' is a %s", what,
                  c->sc->seats[investor].id, fw_role_name(c->sc->seats[investor].role));
}

static bool s_is_cloud(const fw_scenario_t *sc, int seat)
{
    return seat >= 0 && sc->seats[seat].role == FW_ROLE_HYPERSCALER;
}

/* A deal's terms; `which` is S_EV or S_INIT. For initial deals, `init` receives equity
 * and credits_left, and `until` sets the duration. */
static int s_parse_terms(s_ctx_t *c, yaml_node_t *map, unsigned which, fw_terms_t *t,
                         fw_initial_deal_t *init)
{
    yaml_node_t *v[D_N], *k[D_N];
    const char *what = which == S_EV ? "deal" : "initial deal";
    uint64_t u;
    if (s_fields(c, map, what, s_deal_keys, D_N, v, k, NULL) < 0 ||
        s_role_keys(c, map, what, s_deal_keys, D_N, v, k, which, NULL) < 0)
        return -1;
    memset(t, 0, sizeof *t);
    t->chip_family = -1;
    t->duration = S_DEFAULT_DURATION;
    if (s_investor_ref(c, v[D_INVESTOR], &t->investor) < 0 ||
        s_seat_ref(c, v[D_LAB], "lab", FW_ROLE_LAB, &t->lab) < 0 ||
        s_get_money(c, v[D_AMOUNT], "amount", 0, &t->amount) < 0)
        return -1;
    bool cloud = s_is_cloud(c->sc, t->investor);
    if (v[D_CREDIT_FRACTION]) {
        if (s_get_ranged(c, v[D_CREDIT_FRACTION], "credit_fraction", 0.0, false, 1.0,
                         &t->credit_fraction) < 0)
            return -1;
        if (t->credit_fraction > 0 && !cloud)
            return s_needs_cloud(c, v[D_CREDIT_FRACTION], "credit_fraction > 0 (credits)",
                                 t->investor);
    }
    if (v[D_VALUATION] && s_get_money(c, v[D_VALUATION], "valuation", 0, &t->valuation) < 0)
        return -1;
    if (v[D_MIN_CLOUD_SHARE]) {
        if (s_get_ranged(c, v[D_MIN_CLOUD_SHARE], "min_cloud_share", 0.0, false, 1.0,
                         &t->min_cloud_share) < 0)
            return -1;
        if (t->min_cloud_share > 0 && !cloud)
            return s_needs_cloud(c, v[D_MIN_CLOUD_SHARE], "min_cloud_share > 0", t->investor);
    }
    if (v[D_CHIP_FAMILY] &&
        s_family_ref(c, v[D_CHIP_FAMILY], "chip_family", true, &t->chip_family) < 0)
        return -1;
    if (v[D_MIN_CHIP_SHARE]) {
        if (s_get_ranged(c, v[D_MIN_CHIP_SHARE], "min_chip_share", 0.0, false, 1.0,
                         &t->min_chip_share) < 0)
            return -1;
        if (t->min_chip_share > 0 && t->chip_family < 0)
            return s_fail(c, v[D_MIN_CHIP_SHARE]->start_mark,
                          "min_chip_share > 0 needs a chip_family");
    }
    if (v[D_EXCLUSIVE]) {
        if (s_get_bool(c, v[D_EXCLUSIVE], "exclusive", &t->exclusive) < 0)
            return -1;
        if (t->exclusive && !cloud)
            return s_needs_cloud(c, v[D_EXCLUSIVE], "exclusive", t->investor);
    }
    if (v[D_DURATION]) {
        if (s_get_uint(c, v[D_DURATION], "duration", 0, S_MAX_TICKS, &u) < 0)
            return -1;
        t->duration = (uint32_t)u;
    }
    if (v[D_PENALTY] && s_get_money(c, v[D_PENALTY], "penalty", 0, &t->penalty) < 0)
        return -1;
    if (v[D_MIN_SPEND]) {
        if (s_get_money(c, v[D_MIN_SPEND], "min_spend", 0, &t->min_spend) < 0)
            return -1;
        /* Take-or-pay is owed for compute the cloud stands ready to sell: a company
         * that sells none (Meta) has nothing to be paid for. */
        if (t->min_spend > 0 && !cloud)
            return s_needs_cloud(c, v[D_MIN_SPEND], "min_spend > 0", t->investor);
        if (t->min_spend > 0 && !c->sc->seats[t->investor].sells_compute)
            return s_fail(c, v[D_MIN_SPEND]->start_mark,
                          "min_spend > 0 needs a cloud that sells compute; '%s' sells none",
                          c->sc->seats[t->investor].id);
    }
    if (!init)
        return 0;

    init->equity = 0;
    init->credits_left = 0;
    if (v[D_EQUITY] && s_get_ranged(c, v[D_EQUITY], "equity", 0.0, false, 1.0, &init->equity) < 0)
        return -1;
    if (v[D_CREDITS_LEFT]) {
        if (s_get_money(c, v[D_CREDITS_LEFT], "credits_left", 0, &init->credits_left) < 0)
            return -1;
        if (init->credits_left > 0 && !cloud)
            return s_needs_cloud(c, v[D_CREDITS_LEFT], "credits_left > 0", t->investor);
    }
    if (v[D_UNTIL] && s_get_tick(c, v[D_UNTIL], "until", &t->duration) < 0)
        return -1;
    int64_t months;
    if (v[D_SIGNED] && s_get_month(c, v[D_SIGNED], "signed", &months) < 0)
        return -1;
    return 0;
}

/* `deals:` (root scenario only): deals signed before the start and in force at it. */
static int s_parse_initial_deals(s_ctx_t *c, yaml_node_t *list)
{
    fw_scenario_t *sc = c->sc;
    if (s_list(c, list, "deals", FW_MAX_EVENTS, 0, "deal", "deals") < 0)
        return -1;
    size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    if (n == 0)
        return 0;
    sc->deals = calloc(n, sizeof *sc->deals);
    if (!sc->deals)
        return s_fail(c, list->start_mark, "out of memory");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = s_node(c, list->data.sequence.items.start[i]);
        fw_initial_deal_t *d = &sc->deals[i];
        if (s_parse_terms(c, item, S_INIT, &d->terms, d) < 0)
            return -1;
        sc->n_deals++;
        /* The stakes in one lab cannot add up to more than the whole lab. */
        double held = 0;
        for (size_t j = 0; j <= i; j++)
            if (sc->deals[j].terms.lab == d->terms.lab)
                held += sc->deals[j].equity;
        if (held > 1.0 + 1e-9)
            return s_fail(c, item->start_mark,
                          "initial deals give investors %g of lab '%s'; at most 1", held,
                          sc->seats[d->terms.lab].id);
    }
    return 0;
}

/* ---- events ------------------------------------------------------------------------- */

enum { E_AT, E_NAME, E_DEAL, E_CAPABILITY, E_DEMAND, E_SUPPLY, E_POLICY, E_N };
static const s_key_t s_event_keys[E_N] = {
    [E_AT] = {"at", S_ALL, S_ALL},
    [E_NAME] = {"name", S_ALL, 0},
    [E_DEAL] = {"deal", S_ALL, 0},
    [E_CAPABILITY] = {"capability_shock", S_ALL, 0},
    [E_DEMAND] = {"demand_shock", S_ALL, 0},
    [E_SUPPLY] = {"supply_shock", S_ALL, 0},
    [E_POLICY] = {"policy", S_ALL, 0},
};
#define S_EVENT_KINDS "deal, capability_shock, demand_shock, supply_shock or policy"

enum { X_LAB, X_FAMILY, X_FACTOR, X_DURATION, X_CREDITS, X_N };
static const s_key_t s_shock_keys[X_N] = {
    [X_LAB] = {"lab", S_LAB, S_LAB},
    [X_FAMILY] = {"family", S_VEN, S_VEN},
    [X_FACTOR] = {"factor", S_LAB | S_VEN, S_LAB | S_VEN},
    [X_DURATION] = {"duration", S_VEN, 0},
    [X_CREDITS] = {"credits_allowed", S_HYP, S_HYP},
};

/* "4.0B" and the like, for default event names. */
static void s_money_text(int64_t v, char *buf, size_t len)
{
    if (v >= INT64_C(1000000000))
        snprintf(buf, len, "$%.1fB", (double)v / 1e9);
    else if (v >= 1000000)
        snprintf(buf, len, "$%.1fM", (double)v / 1e6);
    else
        snprintf(buf, len, "$%" PRId64, v);
}

static void s_name(fw_event_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes an event's default name; a long one is cut at FW_NAME_MAX - 1 bytes. */
static void s_name(fw_event_t *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->name, sizeof e->name, fmt, ap);
    va_end(ap);
}

static void s_default_event_name(const fw_scenario_t *sc, fw_event_t *e)
{
    char money[32];
    const char *who = "";
    switch (e->kind) {
    case FW_EVENT_DEAL:
        who = e->deal.investor < 0 ? "outside investors" : sc->seats[e->deal.investor].id;
        s_money_text(e->deal.amount, money, sizeof money);
        if (e->deal.amount > 0)
            s_name(e, "%s invest%s %s in %s", who,
                     e->deal.investor < 0 ? "" : "s", money, sc->seats[e->deal.lab].id);
        else
            s_name(e, "%s: compute deal with %s", who,
                     sc->seats[e->deal.lab].id);
        break;
    case FW_EVENT_CAPABILITY_SHOCK:
        s_name(e, "capability shock: %s x%g", sc->seats[e->seat].id,
                 e->factor);
        break;
    case FW_EVENT_DEMAND_SHOCK:
        s_name(e, "demand shock: %s x%g", sc->seats[e->seat].id,
                 e->factor);
        break;
    case FW_EVENT_SUPPLY_SHOCK:
        if (e->duration)
            s_name(e, "supply shock: %s x%g for %u ticks",
                     sc->families[e->family].id, e->factor, e->duration);
        else
            s_name(e, "supply shock: %s x%g",
                     sc->families[e->family].id, e->factor);
        break;
    case FW_EVENT_POLICY:
        s_name(e, "policy: credits %s",
                 e->credits_allowed ? "allowed" : "not allowed");
        break;
    }
}

/* The body of a shock or a policy event: `mask` selects its keys (S_LAB: capability and
 * demand shocks, S_VEN: supply shocks, S_HYP: policy). */
static int s_parse_shock(s_ctx_t *c, yaml_node_t *map, const char *what, unsigned mask,
                         fw_event_t *e)
{
    yaml_node_t *v[X_N], *k[X_N];
    uint64_t u;
    if (s_fields(c, map, what, s_shock_keys, X_N, v, k, NULL) < 0 ||
        s_role_keys(c, map, what, s_shock_keys, X_N, v, k, mask, NULL) < 0)
        return -1;
    if (v[X_LAB] && s_seat_ref(c, v[X_LAB], "lab", FW_ROLE_LAB, &e->seat) < 0)
        return -1;
    if (v[X_FAMILY] && s_family_ref(c, v[X_FAMILY], "family", false, &e->family) < 0)
        return -1;
    if (v[X_FACTOR] &&
        s_get_ranged(c, v[X_FACTOR], "factor", 0.0, true, S_MAX_INDEX, &e->factor) < 0)
        return -1;
    if (v[X_DURATION]) {
        if (s_get_uint(c, v[X_DURATION], "duration", 0, S_MAX_TICKS, &u) < 0)
            return -1;
        e->duration = (uint32_t)u;
    }
    if (v[X_CREDITS] && s_get_bool(c, v[X_CREDITS], "credits_allowed", &e->credits_allowed) < 0)
        return -1;
    return 0;
}

static int s_parse_event(s_ctx_t *c, yaml_node_t *map, fw_event_t *e)
{
    static const struct {
        int key;
        fw_event_kind_t kind;
        unsigned mask;
    } kinds[] = {
        {E_DEAL, FW_EVENT_DEAL, 0},
        {E_CAPABILITY, FW_EVENT_CAPABILITY_SHOCK, S_LAB},
        {E_DEMAND, FW_EVENT_DEMAND_SHOCK, S_LAB},
        {E_SUPPLY, FW_EVENT_SUPPLY_SHOCK, S_VEN},
        {E_POLICY, FW_EVENT_POLICY, S_HYP},
    };
    yaml_node_t *v[E_N], *k[E_N];
    int found = -1;
    if (s_fields(c, map, "event", s_event_keys, E_N, v, k, NULL) < 0)
        return -1;
    /* The kind first: "an event needs a kind" says more than "missing 'at'". */
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (!v[kinds[i].key])
            continue;
        if (found >= 0)
            return s_fail(c, k[kinds[i].key]->start_mark,
                          "an event is exactly one of " S_EVENT_KINDS
                          "; this one is already a %s",
                          s_event_keys[kinds[found].key].key);
        found = (int)i;
    }
    if (found < 0)
        return s_fail(c, map->start_mark, "an event needs one of " S_EVENT_KINDS);
    if (s_role_keys(c, map, "event", s_event_keys, E_N, v, k, S_ALL, NULL) < 0)
        return -1;

    memset(e, 0, sizeof *e);
    e->kind = kinds[found].kind;
    e->seat = e->family = -1;
    e->deal.investor = e->deal.lab = e->deal.chip_family = -1;
    if (s_get_tick(c, v[E_AT], "at", &e->tick) < 0)
        return -1;
    yaml_node_t *body = v[kinds[found].key];
    const char *what = s_event_keys[kinds[found].key].key;
    if (e->kind == FW_EVENT_DEAL) {
        if (s_parse_terms(c, body, S_EV, &e->deal, NULL) < 0)
            return -1;
    } else if (s_parse_shock(c, body, what, kinds[found].mask, e) < 0) {
        return -1;
    }
    if (v[E_NAME]) {
        if (s_get_name(c, v[E_NAME], "name", e->name) < 0)
            return -1;
    } else {
        s_default_event_name(c->sc, e);
    }
    return 0;
}

/* `events:` of one file, appended to the scenario's (sorted once every file is read). */
static int s_parse_events(s_ctx_t *c, yaml_node_t *list)
{
    fw_scenario_t *sc = c->sc;
    if (s_list(c, list, "events", FW_MAX_EVENTS, 0, "event", "events") < 0)
        return -1;
    size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = s_node(c, list->data.sequence.items.start[i]);
        if (sc->n_events == FW_MAX_EVENTS)
            return s_fail(c, item->start_mark, "too many events (at most %d, with the base's)",
                          FW_MAX_EVENTS);
        if (sc->n_events == c->events_cap) {
            size_t cap = c->events_cap ? 2 * c->events_cap : 16;
            fw_event_t *grown = realloc(sc->events, cap * sizeof *grown);
            if (!grown)
                return s_fail(c, item->start_mark, "out of memory");
            sc->events = grown;
            c->events_cap = cap;
        }
        if (s_parse_event(c, item, &sc->events[sc->n_events]) < 0)
            return -1;
        sc->n_events++;
    }
    return 0;
}

/* Sorts by tick, keeping file order within a tick (qsort is not stable: the index is
 * the tie-break). */
typedef struct {
    uint32_t tick;
    size_t index;
} s_order_t;

static int s_order_cmp(const void *a, const void *b)
{
    const s_order_t *x = a, *y = b;
    if (x->tick != y->tick)
        return x->tick < y->tick ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int s_sort_events(fw_scenario_t *sc)
{
    if (sc->n_events < 2)
        return 0;
    s_order_t *order = malloc(sc->n_events * sizeof *order);
    fw_event_t *sorted = malloc(sc->n_events * sizeof *sorted);
    if (!order || !sorted) {
        free(order);
        free(sorted);
        return -1;
    }
    for (size_t i = 0; i < sc->n_events; i++)
        order[i] = (s_order_t){sc->events[i].tick, i};
    qsort(order, sc->n_events, sizeof *order, s_order_cmp);
    for (size_t i = 0; i < sc->n_events; i++)
        sorted[i] = sc->events[order[i].index];
    free(order);
    free(sc->events);
    sc->events = sorted;
    return 0;
}

/* ---- deal_overrides ----------------------------------------------------------------- */

enum { O_CREDIT_FRACTION, O_MIN_CLOUD_SHARE, O_CHIP_FAMILY, O_MIN_CHIP_SHARE, O_EXCLUSIVE,
       O_DURATION, O_PENALTY, O_N };
static const s_key_t s_override_keys[O_N] = {
    [O_CREDIT_FRACTION] = {"credit_fraction", S_ALL, 0},
    [O_MIN_CLOUD_SHARE] = {"min_cloud_share", S_ALL, 0},
    [O_CHIP_FAMILY] = {"chip_family", S_ALL, 0},
    [O_MIN_CHIP_SHARE] = {"min_chip_share", S_ALL, 0},
    [O_EXCLUSIVE] = {"exclusive", S_ALL, 0},
    [O_DURATION] = {"duration", S_ALL, 0},
    [O_PENALTY] = {"penalty", S_ALL, 0},
};

/* Applies the overrides to one deal's terms, where they are allowed: credits, a cloud
 * share and exclusivity only to deals from a hyperscaler; a chip share only where the
 * deal (after the overrides) names a chip family. Clearing the chip family clears its
 * share. */
static void s_override(const fw_scenario_t *sc, const fw_terms_t *o, const bool *set,
                       fw_terms_t *t)
{
    bool cloud = s_is_cloud(sc, t->investor);
    if (set[O_CREDIT_FRACTION] && cloud)
        t->credit_fraction = o->credit_fraction;
    if (set[O_MIN_CLOUD_SHARE] && cloud)
        t->min_cloud_share = o->min_cloud_share;
    if (set[O_CHIP_FAMILY])
        t->chip_family = o->chip_family;
    if (set[O_MIN_CHIP_SHARE] && t->chip_family >= 0)
        t->min_chip_share = o->min_chip_share;
    if (t->chip_family < 0)
        t->min_chip_share = 0;
    if (set[O_EXCLUSIVE] && cloud)
        t->exclusive = o->exclusive;
    if (set[O_DURATION])
        t->duration = o->duration;
    if (set[O_PENALTY])
        t->penalty = o->penalty;
}

/* `deal_overrides:`: applied to every deal event and initial deal read so far. */
static int s_parse_overrides(s_ctx_t *c, yaml_node_t *map)
{
    yaml_node_t *v[O_N], *k[O_N];
    fw_terms_t o;
    bool set[O_N];
    uint64_t u;
    if (s_fields(c, map, "deal_overrides", s_override_keys, O_N, v, k, NULL) < 0)
        return -1;
    memset(&o, 0, sizeof o);
    o.chip_family = -1;
    for (size_t i = 0; i < O_N; i++)
        set[i] = v[i] != NULL;
    if (v[O_CREDIT_FRACTION] && s_get_ranged(c, v[O_CREDIT_FRACTION], "credit_fraction", 0.0,
                                             false, 1.0, &o.credit_fraction) < 0)
        return -1;
    if (v[O_MIN_CLOUD_SHARE] && s_get_ranged(c, v[O_MIN_CLOUD_SHARE], "min_cloud_share", 0.0,
                                             false, 1.0, &o.min_cloud_share) < 0)
        return -1;
    if (v[O_CHIP_FAMILY] &&
        s_family_ref(c, v[O_CHIP_FAMILY], "chip_family", true, &o.chip_family) < 0)
        return -1;
    if (v[O_MIN_CHIP_SHARE] && s_get_ranged(c, v[O_MIN_CHIP_SHARE], "min_chip_share", 0.0,
                                            false, 1.0, &o.min_chip_share) < 0)
        return -1;
    if (v[O_EXCLUSIVE] && s_get_bool(c, v[O_EXCLUSIVE], "exclusive", &o.exclusive) < 0)
        return -1;
    if (v[O_DURATION]) {
        if (s_get_uint(c, v[O_DURATION], "duration", 0, S_MAX_TICKS, &u) < 0)
            return -1;
        o.duration = (uint32_t)u;
    }
    if (v[O_PENALTY] && s_get_money(c, v[O_PENALTY], "penalty", 0, &o.penalty) < 0)
        return -1;
    for (size_t i = 0; i < c->sc->n_events; i++)
        if (c->sc->events[i].kind == FW_EVENT_DEAL)
            s_override(c->sc, &o, set, &c->sc->events[i].deal);
    for (size_t i = 0; i < c->sc->n_deals; i++)
        s_override(c->sc, &o, set, &c->sc->deals[i].terms);
    return 0;
}

/* ---- a variant's strategy params and its history ------------------------------------ */

/* `strategy_params:`: seat id -> params, merged into that seat's (a key it has takes
 * the new value), so a variant can change how a company plays without copying it. */
static int s_parse_strategy_params(s_ctx_t *c, yaml_node_t *map)
{
    if (map->type != YAML_MAPPING_NODE)
        return s_fail(c, map->start_mark, "expected a mapping for 'strategy_params', got %s",
                      s_node_kind(map));
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = s_node(c, p->key), *v = s_node(c, p->value);
        const char *id = NULL;
        if (s_scalar(c, k, "strategy_params", &id) < 0)
            return -1;
        int seat = fw_scenario_seat(c->sc, id);
        if (seat < 0)
            return s_fail(c, k->start_mark, "strategy_params: '%s' is not a seat", id);
        if (s_parse_params(c, v, &c->sc->seats[seat], true) < 0)
            return -1;
    }
    return 0;
}

/* `drop_deal_events: true`: the deal events read so far (the bases') are dropped; the
 * deals in force at the start stay. For a variant whose deals must come from the
 * agents. `drop_deal_events: YYYY-MM` drops only those from that month on: a
 * counterfactual keeps the history before its turning point and lets the agents decide
 * after it. */
static int s_parse_drop_deals(s_ctx_t *c, yaml_node_t *n)
{
    uint32_t from = 1;
    const char *s = n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
    if (strlen(s) == 7 && s[4] == '-') {
        if (s_get_tick(c, n, "drop_deal_events", &from) < 0)
            return -1;
    } else {
        bool drop = false;
        if (s_get_bool(c, n, "drop_deal_events", &drop) < 0)
            return -1;
        if (!drop)
            return 0;
    }
    fw_scenario_t *sc = c->sc;
    size_t keep = 0;
    for (size_t i = 0; i < sc->n_events; i++)
        if (sc->events[i].kind != FW_EVENT_DEAL || sc->events[i].tick < from)
            sc->events[keep++] = sc->events[i];
    sc->n_events = keep;
    return 0;
}

/* ---- checks ------------------------------------------------------------------------- */

enum { C_NAME, C_METRIC, C_AT, C_FROM, C_TO, C_AGG, C_SCALE, C_LOW, C_HIGH, C_N };
static const s_key_t s_check_keys[C_N] = {
    [C_NAME] = {"name", S_ALL, S_ALL},
    [C_METRIC] = {"metric", S_ALL, S_ALL},
    [C_AT] = {"at", S_ALL, 0},
    [C_FROM] = {"from", S_ALL, 0},
    [C_TO] = {"to", S_ALL, 0},
    [C_AGG] = {"agg", S_ALL, 0},
    [C_SCALE] = {"scale", S_ALL, 0},
    [C_LOW] = {"low", S_ALL, 0},
    [C_HIGH] = {"high", S_ALL, 0},
};

static int s_parse_check(s_ctx_t *c, yaml_node_t *map, fw_check_t *ch)
{
    yaml_node_t *v[C_N], *k[C_N];
    const char *s = NULL;
    if (s_fields(c, map, "check", s_check_keys, C_N, v, k, NULL) < 0 ||
        s_role_keys(c, map, "check", s_check_keys, C_N, v, k, S_ALL, NULL) < 0)
        return -1;
    memset(ch, 0, sizeof *ch);
    ch->line = (uint32_t)map->start_mark.line + 1;
    ch->col = (uint32_t)map->start_mark.column + 1;
    if (s_get_name(c, v[C_NAME], "name", ch->name) < 0 ||
        s_scalar(c, v[C_METRIC], "metric", &s) < 0)
        return -1;
    size_t len = strlen(s);
    bool ok = len > 0 && len < FW_METRIC_MAX;
    for (size_t i = 0; ok && i < len; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
             s[i] == '.' || s[i] == '-';
    if (!ok)
        return s_fail(c, v[C_METRIC]->start_mark,
                      "metric '%s' must be 1-%d characters of a-z, 0-9, '_', '.' and '-'", s,
                      FW_METRIC_MAX - 1);
    memcpy(ch->metric, s, len + 1);

    if (v[C_AT] && (v[C_FROM] || v[C_TO]))
        return s_fail(c, (v[C_FROM] ? k[C_FROM] : k[C_TO])->start_mark,
                      "a check has either 'at' or 'from' and 'to', not both");
    if (v[C_AT]) {
        if (s_get_tick(c, v[C_AT], "at", &ch->from) < 0)
            return -1;
        ch->to = ch->from;
    } else if (v[C_FROM] && v[C_TO]) {
        if (s_get_tick(c, v[C_FROM], "from", &ch->from) < 0 ||
            s_get_tick(c, v[C_TO], "to", &ch->to) < 0)
            return -1;
        if (ch->to < ch->from)
            return s_fail(c, v[C_TO]->start_mark, "to %s is before from %s",
                          (const char *)v[C_TO]->data.scalar.value,
                          (const char *)v[C_FROM]->data.scalar.value);
    } else {
        return s_fail(c, map->start_mark, "check '%s' needs 'at', or 'from' and 'to'",
                      ch->name);
    }

    ch->agg = FW_AGG_LAST;
    if (v[C_AGG]) {
        if (s_scalar(c, v[C_AGG], "agg", &s) < 0)
            return -1;
        if (strcmp(s, "last") == 0)
            ch->agg = FW_AGG_LAST;
        else if (strcmp(s, "sum") == 0)
            ch->agg = FW_AGG_SUM;
        else if (strcmp(s, "mean") == 0)
            ch->agg = FW_AGG_MEAN;
        else
            return s_fail(c, v[C_AGG]->start_mark, "expected agg last, sum or mean, got '%s'", s);
    }
    ch->scale = 1.0;
    if (v[C_SCALE] && s_get_amount(c, v[C_SCALE], "scale", -S_MAX_AMOUNT, false, S_MAX_AMOUNT,
                                   &ch->scale) < 0)
        return -1;
    if (!v[C_LOW] && !v[C_HIGH])
        return s_fail(c, map->start_mark, "check '%s' needs 'low', 'high' or both", ch->name);
    ch->low = -HUGE_VAL;
    ch->high = HUGE_VAL;
    if (v[C_LOW] &&
        s_get_amount(c, v[C_LOW], "low", -S_MAX_AMOUNT, false, S_MAX_AMOUNT, &ch->low) < 0)
        return -1;
    if (v[C_HIGH] &&
        s_get_amount(c, v[C_HIGH], "high", -S_MAX_AMOUNT, false, S_MAX_AMOUNT, &ch->high) < 0)
        return -1;
    if (ch->low > ch->high)
        return s_fail(c, v[C_HIGH]->start_mark, "high %s is below low %s",
                      (const char *)v[C_HIGH]->data.scalar.value,
                      (const char *)v[C_LOW]->data.scalar.value);
    return 0;
}

/* `checks:` of the file nearest the one loaded that has them (they replace the base's). */
static int s_parse_checks(s_ctx_t *c, yaml_node_t *list)
{
    fw_scenario_t *sc = c->sc;
    if (s_list(c, list, "checks", FW_MAX_CHECKS, 0, "check", "checks") < 0)
        return -1;
    size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    if (n == 0)
        return 0;
    sc->checks = calloc(n, sizeof *sc->checks);
    if (!sc->checks)
        return s_fail(c, list->start_mark, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (s_parse_check(c, s_node(c, list->data.sequence.items.start[i]), &sc->checks[i]) < 0)
            return -1;
        sc->n_checks++;
    }
    return 0;
}

/* ---- top level ---------------------------------------------------------------------- */

enum {
    K_RUN, K_FAMILIES, K_SEATS, K_MARKET, K_EVENTS, K_DEALS, K_CHECKS, K_EXTENDS,
    K_DEAL_OVERRIDES, K_STRATEGY_PARAMS, K_DROP_DEAL_EVENTS, K_N
};
static const s_key_t s_top_keys[K_N] = {
    [K_RUN] = {"run", S_ALL, 0},
    [K_FAMILIES] = {"families", S_ALL, 0},
    [K_SEATS] = {"seats", S_ALL, 0},
    [K_MARKET] = {"market", S_ALL, 0},
    [K_EVENTS] = {"events", S_ALL, 0},
    [K_DEALS] = {"deals", S_ALL, 0},
    [K_CHECKS] = {"checks", S_ALL, 0},
    [K_EXTENDS] = {"extends", S_ALL, 0},
    [K_DEAL_OVERRIDES] = {"deal_overrides", S_ALL, 0},
    [K_STRATEGY_PARAMS] = {"strategy_params", S_ALL, 0},
    [K_DROP_DEAL_EVENTS] = {"drop_deal_events", S_ALL, 0},
};

/* One file of an `extends:` chain: [0] is the file loaded, [n-1] the root base. */
typedef struct {
    char *path;                /* names the file in messages; owned */
    char *real;                /* canonical path, to find cycles; owned */
    char *text;                /* NUL-terminated; owned */
    size_t len;
    yaml_document_t doc;
    bool have_doc;
    yaml_node_t *top[K_N];     /* top-level values, NULL when absent */
    yaml_node_t *topk[K_N];    /* and their keys */
} s_file_t;

/* Messages and positions now come from file f. */
static void s_use(s_ctx_t *c, s_file_t *f)
{
    c->path = f->path;
    c->text = f->text;
    c->text_len = f->len;
    c->doc = f->have_doc ? &f->doc : NULL;
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

/* Parses f's text into f->doc (one document, a non-empty one) and finds its top-level
 * keys. */
static int s_load_doc(s_ctx_t *c, s_file_t *f)
{
    yaml_parser_t parser;
    yaml_document_t extra;
    int rc = -1;
    s_use(c, f);
    if (!yaml_parser_initialize(&parser)) {
        if (c->err && c->err_len)
            snprintf(c->err, c->err_len, "%s: out of memory", f->path);
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)f->text, f->len);
    if (!yaml_parser_load(&parser, &f->doc)) {
        s_syntax_error(c, &parser);
        goto out;
    }
    f->have_doc = true;
    s_use(c, f);
    yaml_node_t *root = yaml_document_get_root_node(&f->doc);
    if (!root) {
        yaml_mark_t start = {0, 0, 0};
        s_fail(c, start, "empty scenario: expected a mapping with run, families and seats");
        goto out;
    }
    /* A second document would be silently ignored: refuse it. */
    if (!yaml_parser_load(&parser, &extra)) {
        s_syntax_error(c, &parser);
        goto out;
    }
    yaml_node_t *extra_root = yaml_document_get_root_node(&extra);
    if (extra_root) {
        s_fail(c, extra.start_mark, "a scenario is one YAML document; found another here");
        yaml_document_delete(&extra);
        goto out;
    }
    yaml_document_delete(&extra);
    rc = s_fields(c, root, "the top level", s_top_keys, K_N, f->top, f->topk, NULL);
out:
    yaml_parser_delete(&parser);
    return rc;
}

static const char *s_read_strerror(int e)
{
    static const char too_big[] = "larger than 16 MiB: not a scenario";
    return e == EFBIG ? too_big : strerror(e);
}

/* `extends: PATH` of file f, resolved against f's directory (unless absolute). */
static char *s_base_path(const char *from, const char *rel)
{
    const char *slash = strrchr(from, '/');
    size_t dir = (rel[0] == '/' || !slash) ? 0 : (size_t)(slash - from) + 1;
    char *p = malloc(dir + strlen(rel) + 1);
    if (!p)
        return NULL;
    memcpy(p, from, dir);
    memcpy(p + dir, rel, strlen(rel) + 1);
    return p;
}

static char *s_canonical(const char *path)
{
    char *real = realpath(path, NULL);
    return real ? real : strdup(path);
}

/* Follows `extends:` from files[0] (already holding its text), loading every file of
 * the chain; *n is how many. Refuses cycles, chains longer than S_MAX_EXTENDS hops,
 * and a file that extends another yet redefines what only a root may define. */
static int s_load_chain(s_ctx_t *c, s_file_t *files, size_t *n)
{
    static const int root_only[] = {K_SEATS, K_FAMILIES, K_DEALS};
    for (*n = 1;; (*n)++) {
        s_file_t *f = &files[*n - 1];
        if (s_load_doc(c, f) < 0)
            return -1;
        yaml_node_t *ext = f->top[K_EXTENDS];
        if (!ext)
            return 0;
        for (size_t i = 0; i < sizeof root_only / sizeof root_only[0]; i++)
            if (f->top[root_only[i]])
                return s_fail(c, f->topk[root_only[i]]->start_mark,
                              "a scenario that extends another cannot redefine '%s'",
                              s_top_keys[root_only[i]].key);
        const char *rel = NULL;
        if (s_scalar(c, ext, "extends", &rel) < 0)
            return -1;
        if (!*rel)
            return s_fail(c, ext->start_mark, "extends must name a scenario file");
        if (*n > S_MAX_EXTENDS)
            return s_fail(c, ext->start_mark,
                          "too many levels of 'extends' from '%s' (at most %d)", files[0].path,
                          S_MAX_EXTENDS);
        s_file_t *b = &files[*n];
        b->path = s_base_path(f->path, rel);
        if (!b->path)
            return s_fail(c, ext->start_mark, "out of memory");
        if (fw_file_read(b->path, S_MAX_FILE_BYTES, &b->text, &b->len) < 0)
            return s_fail(c, ext->start_mark, "cannot read base scenario '%s': %s", b->path,
                          s_read_strerror(errno));
        b->real = s_canonical(b->path);
        if (!b->real)
            return s_fail(c, ext->start_mark, "out of memory");
        for (size_t i = 0; i < *n; i++)
            if (strcmp(files[i].real, b->real) == 0)
                return s_fail(c, ext->start_mark,
                              "'extends' makes a cycle: '%s' is already being loaded", b->path);
    }
}

/* base_text: the direct base's bytes; when that base extends another, the texts of the
 * chain down to the root follow, each after a line "# ---- extends: PATH ----". */
static int s_keep_base(fw_scenario_t *sc, const s_file_t *files, size_t n)
{
    if (n < 2)
        return 0;
    sc->base_path = strdup(files[1].path);
    size_t len = files[1].len;
    for (size_t i = 2; i < n; i++)
        len += strlen(files[i].path) + 32 + files[i].len;
    sc->base_text = malloc(len + 1);
    if (!sc->base_path || !sc->base_text)
        return -1;
    size_t at = 0;
    memcpy(sc->base_text, files[1].text, files[1].len);
    at = files[1].len;
    for (size_t i = 2; i < n; i++) {
        at += (size_t)snprintf(sc->base_text + at, len + 1 - at, "%s# ---- extends: %s ----\n",
                               at && sc->base_text[at - 1] != '\n' ? "\n" : "", files[i].path);
        memcpy(sc->base_text + at, files[i].text, files[i].len);
        at += files[i].len;
    }
    sc->base_text[at] = '\0';
    return 0;
}

/* Builds the scenario from a loaded chain, root first: the root defines seats, families
 * and initial deals; every file may set run and market keys (the nearest to the loaded
 * file wins), append events and apply deal_overrides (to what is read so far); the
 * nearest file with `checks:` gives them all. Events are read once `run` is final, so
 * their months count from the final start. */
static int s_build(s_ctx_t *c, s_file_t *files, size_t n)
{
    fw_scenario_t *sc = c->sc;
    s_file_t *root = &files[n - 1];
    static const int required[] = {K_RUN, K_FAMILIES, K_SEATS};

    s_use(c, root);
    yaml_node_t *rmap = yaml_document_get_root_node(&root->doc);
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!root->top[required[i]])
            return s_fail(c, rmap->start_mark, "missing required key '%s' in the top level",
                          s_top_keys[required[i]].key);
    for (size_t i = n; i-- > 0;) {
        s_use(c, &files[i]);
        if (files[i].top[K_RUN] && s_parse_run(c, files[i].top[K_RUN], i == n - 1) < 0)
            return -1;
    }

    /* Seats before families (families name seats), installed chips and skills last (they
     * name families): whatever order the file uses. */
    s_use(c, root);
    if (s_parse_seats(c, root->top[K_SEATS]) < 0 || s_parse_families(c, root->top[K_FAMILIES]) < 0)
        return -1;
    for (size_t i = 0; i < sc->n_seats; i++) {
        fw_seat_t *seat = &sc->seats[i];
        if (c->installed[i] && s_parse_installed(c, c->installed[i], seat) < 0)
            return -1;
        if (seat->role == FW_ROLE_LAB && s_parse_skill(c, c->skill[i], seat) < 0)
            return -1;
    }

    s_market_defaults(&sc->market);
    for (size_t i = n; i-- > 0;) {
        s_use(c, &files[i]);
        if (files[i].top[K_MARKET] && s_parse_market(c, files[i].top[K_MARKET]) < 0)
            return -1;
    }
    s_use(c, root);
    if (root->top[K_DEALS] && s_parse_initial_deals(c, root->top[K_DEALS]) < 0)
        return -1;
    for (size_t i = n; i-- > 0;) {
        s_use(c, &files[i]);
        if (files[i].top[K_STRATEGY_PARAMS] &&
            s_parse_strategy_params(c, files[i].top[K_STRATEGY_PARAMS]) < 0)
            return -1;
        if (files[i].top[K_DROP_DEAL_EVENTS] &&
            s_parse_drop_deals(c, files[i].top[K_DROP_DEAL_EVENTS]) < 0)
            return -1;
        if (files[i].top[K_EVENTS] && s_parse_events(c, files[i].top[K_EVENTS]) < 0)
            return -1;
        if (files[i].top[K_DEAL_OVERRIDES] &&
            s_parse_overrides(c, files[i].top[K_DEAL_OVERRIDES]) < 0)
            return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!files[i].top[K_CHECKS])
            continue;
        s_use(c, &files[i]);
        if (s_parse_checks(c, files[i].top[K_CHECKS]) < 0)
            return -1;
        break;
    }
    s_use(c, &files[0]);
    if (s_sort_events(sc) < 0 || s_keep_base(sc, files, n) < 0) {
        yaml_mark_t start = {0, 0, 0};
        return s_fail(c, start, "out of memory");
    }
    return 0;
}

fw_scenario_t *fw_scenario_parse(const char *path, const char *text, size_t len, char *err,
                                 size_t err_len)
{
    assert(path && (text || len == 0));
    s_ctx_t c = {.path = path, .text = text, .text_len = len, .err = err, .err_len = err_len};
    s_file_t files[S_MAX_EXTENDS + 1];
    size_t n = 1;
    fw_scenario_t *sc = NULL;
    int rc = -1;

    memset(files, 0, sizeof files);
    if (err && err_len)
        err[0] = '\0';
    sc = calloc(1, sizeof *sc);
    if (!sc)
        goto oom;
    sc->path = strdup(path);
    sc->text = malloc(len + 1);
    files[0].path = strdup(path);
    files[0].real = s_canonical(path);
    files[0].text = malloc(len + 1);
    if (!sc->path || !sc->text || !files[0].path || !files[0].real || !files[0].text)
        goto oom;
    if (len) {
        memcpy(sc->text, text, len);
        memcpy(files[0].text, text, len);
    }
    sc->text[len] = files[0].text[len] = '\0';
    sc->text_len = files[0].len = len;
    c.sc = sc;

    if (s_load_chain(&c, files, &n) < 0)
        goto out;
    rc = s_build(&c, files, n);
    goto out;

oom:
    if (err && err_len)
        snprintf(err, err_len, "%s: out of memory", path);
out:
    for (size_t i = 0; i <= S_MAX_EXTENDS; i++) {
        if (files[i].have_doc)
            yaml_document_delete(&files[i].doc);
        free(files[i].path);
        free(files[i].real);
        free(files[i].text);
    }
    free(c.installed);
    free(c.skill);
    if (rc < 0)
        fw_scenario_destroy(&sc);
    return sc;
}

fw_scenario_t *fw_scenario_load(const char *path, char *err, size_t err_len)
{
    assert(path);
    char *buf = NULL;
    size_t len = 0;
    if (fw_file_read(path, S_MAX_FILE_BYTES, &buf, &len) < 0) {
        if (err && err_len)
            snprintf(err, err_len, "%s: %s", path, s_read_strerror(errno));
        return NULL;
    }
    fw_scenario_t *sc = fw_scenario_parse(path, buf, len, err, err_len);
    free(buf);
    return sc;
}

void fw_scenario_destroy(fw_scenario_t **p)
{
    if (!p || !*p)
        return;
    fw_scenario_t *sc = *p;
    for (size_t i = 0; i < sc->n_seats; i++) {
        free(sc->seats[i].installed);
        free(sc->seats[i].skill);
    }
    free(sc->seats);
    free(sc->families);
    free(sc->events);
    free(sc->deals);
    free(sc->checks);
    free(sc->base_path);
    free(sc->base_text);
    free(sc->text);
    free(sc->path);
    free(sc);
    *p = NULL;
}

int64_t fw_scenario_tick_of(const fw_scenario_t *sc, int year, int month)
{
    assert(sc && sc->tick_months > 0);
    int64_t m = ((int64_t)year * 12 + (month - 1)) -
                ((int64_t)sc->start_year * 12 + (sc->start_month - 1));
    int64_t tm = sc->tick_months;
    /* Floor division, so a month before the start gives a tick <= 0. */
    int64_t q = m >= 0 ? m / tm : -((-m + tm - 1) / tm);
    return q + 1;
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
