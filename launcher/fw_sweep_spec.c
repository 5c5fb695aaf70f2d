/* fw_sweep_spec: see fw_sweep_spec.h. */
#include "fw_sweep_spec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define S_MAX_SEEDS 1000

/* A value a scenario could hold: a number, money (2B, $25k), a month, true/false. Kept
 * narrow so a value can be written into YAML and a directory name as it is. */
static int s_value_ok(const char *v)
{
    if (!*v || strlen(v) > 40)
        return 0;
    return strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._$+-") ==
           strlen(v);
}

static int s_path_ok(const char *p)
{
    return *p && strlen(p) < 120 && strchr(p, '.') && p[0] != '.' && p[strlen(p) - 1] != '.' &&
           !strstr(p, "..") &&
           strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
               strlen(p);
}

static int s_fail(char *err, size_t len, const char *where, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(err, len, "%s: ", where);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < len)
        vsnprintf(err + n, len - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

const char *fw_sweep_spec_where(const fw_sweep_spec_t *s, unsigned line, unsigned col,
                                char *buf, size_t len)
{
    if (s->file && line)
        snprintf(buf, len, "%s:%u:%u", s->file, line, col);
    else
        snprintf(buf, len, "flywheel sweep: --param");
    return buf;
}

static fw_sweep_param_t *s_new_param(fw_sweep_spec_t *s, const char *path, unsigned line,
                                     unsigned col, char *err, size_t len)
{
    char where[300];
    fw_sweep_spec_where(s, line, col, where, sizeof where);
    if (!s_path_ok(path)) {
        s_fail(err, len, where, "'%s' is not a parameter path (SECTION.KEY, e.g. "
                                "market.reach_convergence or strategy_params.aws.capex_return)",
               path);
        return NULL;
    }
    for (size_t i = 0; i < s->n_params; i++)
        if (!strcmp(s->params[i].path, path)) {
            s_fail(err, len, where, "parameter '%s' is given twice", path);
            return NULL;
        }
    fw_sweep_param_t *p = realloc(s->params, (s->n_params + 1) * sizeof *p);
    if (!p) {
        s_fail(err, len, where, "out of memory");
        return NULL;
    }
    s->params = p;
    p = &s->params[s->n_params++];
    memset(p, 0, sizeof *p);
    p->path = strdup(path);
    p->line = line;
    p->col = col;
    return p;
}

static int s_add_value(const fw_sweep_spec_t *s, fw_sweep_param_t *p, const char *v,
                       unsigned line, unsigned col, char *err, size_t len)
{
    char where[300];
    fw_sweep_spec_where(s, line, col, where, sizeof where);
    if (!s_value_ok(v))
        return s_fail(err, len, where, "%s: '%s' is not a value a sweep can set (a number, "
                                       "money such as 2B, a month or true/false)",
                      p->path, v);
    for (size_t i = 0; i < p->n_values; i++)
        if (!strcmp(p->values[i].text, v))
            return s_fail(err, len, where, "%s: value '%s' is given twice", p->path, v);
    fw_sweep_value_t *vals = realloc(p->values, (p->n_values + 1) * sizeof *vals);
    if (!vals)
        return s_fail(err, len, where, "out of memory");
    p->values = vals;
    vals[p->n_values++] = (fw_sweep_value_t){strdup(v), line, col};
    return 0;
}

/* A whole number in [min, max]. */
static int s_number(const char *t, unsigned long long min, unsigned long long max,
                    unsigned long long *out)
{
    char *end;
    if (!t || *t < '0' || *t > '9')
        return 0;
    errno = 0;
    *out = strtoull(t, &end, 10);
    return errno == 0 && *end == '\0' && *out >= min && *out <= max;
}

static int s_add_seed(fw_sweep_spec_t *s, unsigned long long seed, const char *where, char *err,
                      size_t len)
{
    for (size_t i = 0; i < s->n_seeds; i++)
        if (s->seeds[i] == seed)
            return s_fail(err, len, where, "seed %llu is given twice", seed);
    if (s->n_seeds == S_MAX_SEEDS)
        return s_fail(err, len, where, "at most %d seeds", S_MAX_SEEDS);
    unsigned long long *v = realloc(s->seeds, (s->n_seeds + 1) * sizeof *v);
    if (!v)
        return s_fail(err, len, where, "out of memory");
    s->seeds = v;
    v[s->n_seeds++] = seed;
    return 0;
}

/* ---- the YAML file ------------------------------------------------------------------ */

typedef struct {
    yaml_document_t *doc;
    fw_sweep_spec_t *s;
    char *err;
    size_t len;
} s_ctx_t;

static const char *s_at(s_ctx_t *c, yaml_node_t *n, char *buf, size_t len)
{
    return fw_sweep_spec_where(c->s, (unsigned)n->start_mark.line + 1,
                               (unsigned)n->start_mark.column + 1, buf, len);
}

static const char *s_scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int s_parse_params(s_ctx_t *c, yaml_node_t *map)
{
    char where[300];
    if (map->type != YAML_MAPPING_NODE)
        return s_fail(c->err, c->len, s_at(c, map, where, sizeof where),
                      "'parameters' wants a mapping PATH: [values]");
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        if (!s_scalar(k))
            return s_fail(c->err, c->len, s_at(c, k, where, sizeof where),
                          "a parameter path is text");
        fw_sweep_param_t *prm = s_new_param(c->s, s_scalar(k), (unsigned)k->start_mark.line + 1,
                                            (unsigned)k->start_mark.column + 1, c->err, c->len);
        if (!prm)
            return -1;
        if (s_scalar(v))
            if (s_add_value(c->s, prm, s_scalar(v), (unsigned)v->start_mark.line + 1,
                            (unsigned)v->start_mark.column + 1, c->err, c->len) < 0)
                return -1;
        if (v->type == YAML_SEQUENCE_NODE)
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top; it++) {
                yaml_node_t *e = yaml_document_get_node(c->doc, *it);
                if (!s_scalar(e))
                    return s_fail(c->err, c->len, s_at(c, e, where, sizeof where),
                                  "%s: a value is a number or a word, not a list or mapping",
                                  prm->path);
                if (s_add_value(c->s, prm, s_scalar(e), (unsigned)e->start_mark.line + 1,
                                (unsigned)e->start_mark.column + 1, c->err, c->len) < 0)
                    return -1;
            }
        if (prm->n_values == 0)
            return s_fail(c->err, c->len, s_at(c, v, where, sizeof where),
                          "%s: give a value or a list of values", prm->path);
    }
    return 0;
}

static int s_parse_seeds(s_ctx_t *c, yaml_node_t *n)
{
    char where[300];
    unsigned long long v;
    s_at(c, n, where, sizeof where);
    if (s_scalar(n)) {
        if (!s_number(s_scalar(n), 1, S_MAX_SEEDS, &v))
            return s_fail(c->err, c->len, where, "seeds: a count from 1 to %d or a list of "
                                                 "seeds, not '%s'", S_MAX_SEEDS, s_scalar(n));
        c->s->seed_count = (unsigned)v;
        return 0;
    }
    if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.start == n->data.sequence.items.top)
        return s_fail(c->err, c->len, where, "seeds: a count or a list of seeds");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *e = yaml_document_get_node(c->doc, *it);
        s_at(c, e, where, sizeof where);
        if (!s_number(s_scalar(e), 0, UINT64_MAX, &v))
            return s_fail(c->err, c->len, where, "a seed is a whole number >= 0");
        if (s_add_seed(c->s, v, where, c->err, c->len) < 0)
            return -1;
    }
    return 0;
}

/* The scenario path, relative to the spec's directory unless absolute. */
static int s_parse_scenario(s_ctx_t *c, yaml_node_t *n)
{
    char where[300];
    const char *v = s_scalar(n);
    if (!v || !*v)
        return s_fail(c->err, c->len, s_at(c, n, where, sizeof where),
                      "scenario: the path of a scenario file");
    const char *slash = strrchr(c->s->file, '/');
    size_t dir = v[0] == '/' || !slash ? 0 : (size_t)(slash - c->s->file) + 1;
    c->s->scenario = malloc(dir + strlen(v) + 1);
    if (!c->s->scenario)
        return -1;
    memcpy(c->s->scenario, c->s->file, dir);
    strcpy(c->s->scenario + dir, v);
    c->s->sc_line = (unsigned)n->start_mark.line + 1;
    c->s->sc_col = (unsigned)n->start_mark.column + 1;
    return 0;
}

static int s_parse_top(s_ctx_t *c, yaml_node_t *root)
{
    char where[300];
    if (!root || root->type != YAML_MAPPING_NODE)
        return s_fail(c->err, c->len, root ? s_at(c, root, where, sizeof where) : c->s->file,
                      "a sweep spec is a mapping: scenario, seeds, ticks, parameters");
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = s_scalar(k);
        unsigned long long t;
        int rc;
        if (key && !strcmp(key, "scenario"))
            rc = s_parse_scenario(c, v);
        else if (key && !strcmp(key, "parameters"))
            rc = s_parse_params(c, v);
        else if (key && !strcmp(key, "seeds"))
            rc = s_parse_seeds(c, v);
        else if (key && !strcmp(key, "ticks")) {
            if (!s_number(s_scalar(v), 1, 100000, &t))
                return s_fail(c->err, c->len, s_at(c, v, where, sizeof where),
                              "ticks: a whole number from 1 to 100000");
            c->s->ticks = strdup(s_scalar(v));
            rc = 0;
        } else
            return s_fail(c->err, c->len, s_at(c, k, where, sizeof where),
                          "unknown key '%s' (a sweep spec has scenario, seeds, ticks, "
                          "parameters)", key ? key : "?");
        if (rc < 0)
            return -1;
    }
    return 0;
}

int fw_sweep_spec_load(const char *path, fw_sweep_spec_t *out, char *err, size_t len)
{
    memset(out, 0, sizeof *out);
    out->file = strdup(path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, len, "%s: %s", path, strerror(errno));
        return -1;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int rc = 0;
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, len, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
                 parser.problem_mark.column + 1, parser.problem ? parser.problem : "bad YAML");
        rc = -1;
    } else {
        s_ctx_t c = {&doc, out, err, len};
        rc = s_parse_top(&c, yaml_document_get_root_node(&doc));
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}

int fw_sweep_spec_add_param(fw_sweep_spec_t *s, const char *arg, char *err, size_t len)
{
    const char *eq = strchr(arg, '=');
    char path[128];
    if (!eq || (size_t)(eq - arg) >= sizeof path || !eq[1]) {
        snprintf(err, len, "flywheel sweep: --param wants PATH=V1,V2,..., not '%s'", arg);
        return -1;
    }
    memcpy(path, arg, (size_t)(eq - arg));
    path[eq - arg] = '\0';
    fw_sweep_param_t *p = s_new_param(s, path, 0, 0, err, len);
    if (!p)
        return -1;
    char *vals = strdup(eq + 1), *save = NULL;
    int rc = 0;
    for (char *v = strtok_r(vals, ",", &save); v && rc == 0; v = strtok_r(NULL, ",", &save))
        rc = s_add_value(s, p, v, 0, 0, err, len);
    free(vals);
    if (rc == 0 && p->n_values == 0) {
        snprintf(err, len, "flywheel sweep: --param %s: no values", path);
        rc = -1;
    }
    return rc;
}

int fw_sweep_spec_set_seeds(fw_sweep_spec_t *s, const char *arg, char *err, size_t len)
{
    unsigned long long v;
    free(s->seeds);
    s->seeds = NULL;
    s->n_seeds = 0;
    s->seed_count = 0;
    if (!strchr(arg, ',')) {
        if (!s_number(arg, 1, S_MAX_SEEDS, &v))
            return s_fail(err, len, "flywheel sweep: --seeds", "a count from 1 to %d or a "
                                    "list S1,S2,..., not '%s'", S_MAX_SEEDS, arg);
        s->seed_count = (unsigned)v;
        return 0;
    }
    char *list = strdup(arg), *save = NULL;
    int rc = 0;
    for (char *t = strtok_r(list, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
        if (!s_number(t, 0, UINT64_MAX, &v))
            rc = s_fail(err, len, "flywheel sweep: --seeds", "'%s' is not a seed", t);
        else
            rc = s_add_seed(s, v, "flywheel sweep: --seeds", err, len);
    }
    free(list);
    return rc;
}

void fw_sweep_spec_free(fw_sweep_spec_t *s)
{
    for (size_t i = 0; i < s->n_params; i++) {
        for (size_t j = 0; j < s->params[i].n_values; j++)
            free(s->params[i].values[j].text);
        free(s->params[i].values);
        free(s->params[i].path);
    }
    free(s->params);
    free(s->seeds);
    free(s->scenario);
    free(s->ticks);
    free(s->file);
    memset(s, 0, sizeof *s);
}
