/* fw_sweep: see fw_sweep.h. */
#include "fw_sweep.h"

#include <errno.h>
#include <stdint.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fw_clock.h"
#include "fw_figures.h"
#include "fw_known_params.h"
#include "fw_launch.h"
#include "fw_pool.h"
#include "fw_results.h"
#include "fw_scenario.h"
#include "fw_sweep_spec.h"

#define S_MARKER "sweep-done"
#define S_PLAN "sweep-plan.tsv"
#define S_PLAN_MAGIC "flywheel-sweep-plan\t1"
#define S_PATH 4200

/* One run of the sweep. */
typedef struct {
    size_t combo;
    unsigned long long seed;
    char name[160];        /* <combo>-seed<seed>: its directory under runs/ */
    char dir[S_PATH];
    char seed_text[24];
    char *argv[12];
    int code;              /* -1 not run here, else its exit code */
} s_run_t;

/* The sweep as planned: parameters, combinations of values, runs. */
typedef struct {
    char base[PATH_MAX];       /* the scenario, absolute */
    size_t n_params;
    char **paths;              /* n_params parameter paths */
    size_t n_combos;
    char **combo_ids;          /* n_combos */
    char ***values;            /* [combo][param] */
    s_run_t *runs;
    size_t n_runs;
    size_t done_before, done_now, failed;
} s_plan_t;

/* ---- small helpers ------------------------------------------------------------------- */

/* dir/name into buf; NULL (and buf empty) if it does not fit. */
static char *s_join(const char *dir, const char *name, char *buf, size_t len)
{
    size_t a = strlen(dir), b = strlen(name);
    if (a + 1 + b + 1 > len) {
        buf[0] = '\0';
        return NULL;
    }
    memcpy(buf, dir, a);
    buf[a] = '/';
    memcpy(buf + a + 1, name, b + 1);
    return buf;
}

static int s_exists(const char *dir, const char *name)
{
    char p[S_PATH];
    struct stat st;
    return s_join(dir, name, p, sizeof p) && stat(p, &st) == 0;
}

/* Writes `text` as a shell word: single-quoted. */
static void s_shell_word(FILE *f, const char *text)
{
    fputc('\'', f);
    for (; *text; text++) {
        if (*text == '\'')
            fputs("'\\''", f);
        else
            fputc(*text, f);
    }
    fputc('\'', f);
}

static void s_plan_free(s_plan_t *p)
{
    for (size_t c = 0; c < p->n_combos; c++) {
        for (size_t i = 0; p->values && p->values[c] && i < p->n_params; i++)
            free(p->values[c][i]);
        if (p->values)
            free(p->values[c]);
        if (p->combo_ids)
            free(p->combo_ids[c]);
    }
    for (size_t i = 0; i < p->n_params; i++)
        free(p->paths[i]);
    free(p->paths);
    free(p->values);
    free(p->combo_ids);
    free(p->runs);
    memset(p, 0, sizeof *p);
}

/* ---- parameters: what a path means in a scenario that extends the base ---------------- */

typedef enum { P_RUN, P_MARKET, P_DEALS, P_SEAT, P_ROLE } s_where_t;

/* A key some built-in strategy reads (fw_known_params, which the scenario loader also
 * checks a seat's keys against). */
static int s_known_strategy_param(const char *key)
{
    static const char *const strategies[] = {"hyperscaler", "lab", "vendor"};
    for (size_t s = 0; s < sizeof strategies / sizeof strategies[0]; s++) {
        size_t n = 0;
        const char *const *keys = fw_known_params(strategies[s], &n);
        for (size_t i = 0; i < n; i++)
            if (!strcmp(keys[i], key))
                return 1;
    }
    return 0;
}

/* Splits a path into where it goes; for P_SEAT, *seat and *key; for P_ROLE, *role and
 * *key; otherwise *key. Returns 0 or -1 with the reason in err (without a location). */
static int s_classify(const fw_scenario_t *sc, const char *path, s_where_t *w, char *seat,
                      fw_role_t *role, const char **key, char *err, size_t len)
{
    const char *dot = strchr(path, '.');
    size_t n = (size_t)(dot - path);
    *key = dot + 1;
    if (n == 3 && !strncmp(path, "run", 3)) {
        *w = P_RUN;
        if (!strcmp(*key, "seed") || !strcmp(*key, "name")) {
            snprintf(err, len, "%s: the sweep sets the seeds itself (seeds:); run.name is not "
                               "a parameter", path);
            return -1;
        }
        return 0;
    }
    if (n == 6 && !strncmp(path, "market", 6)) {
        *w = P_MARKET;
        return 0;
    }
    if (n == 14 && !strncmp(path, "deal_overrides", 14)) {
        *w = P_DEALS;
        return 0;
    }
    if (n == 15 && !strncmp(path, "strategy_params", 15)) {
        const char *dot2 = strchr(*key, '.');
        if (!dot2 || (size_t)(dot2 - *key) >= FW_ID_MAX) {
            snprintf(err, len, "%s: strategy_params.SEAT.KEY", path);
            return -1;
        }
        memcpy(seat, *key, (size_t)(dot2 - *key));
        seat[dot2 - *key] = '\0';
        *key = dot2 + 1;
        int s = fw_scenario_seat(sc, seat);
        if (s < 0) {
            snprintf(err, len, "%s: '%s' is not a seat of %s", path, seat, sc->name);
            return -1;
        }
        *w = P_SEAT;
        for (size_t i = 0; i < sc->seats[s].n_params; i++)
            if (!strcmp(sc->seats[s].params[i].key, *key))
                return 0;
    } else {
        char r[32];
        snprintf(r, sizeof r, "%.*s", (int)(n < 31 ? n : 31), path);
        *role = fw_role_parse(r);
        if (*role == FW_ROLE_NONE || strchr(*key, '.')) {
            snprintf(err, len, "%s: unknown parameter section '%s' (run, market, deal_overrides, "
                               "strategy_params.SEAT, or a role: hyperscaler, lab, vendor)%s",
                     path, r, !strcmp(r, "seats") ? "; a seat's own keys cannot be swept: "
                                                    "sweep a copy of the scenario" : "");
            return -1;
        }
        *w = P_ROLE;
    }
    if (!s_known_strategy_param(*key)) {
        snprintf(err, len, "%s: no built-in strategy reads a parameter '%s' (and the seat does "
                           "not set it)", path, *key);
        return -1;
    }
    return 0;
}

/* Writes the scenario of one combination: extends the base, sets the values. */
static int s_write_variant(const char *file, const fw_scenario_t *sc, const char *base,
                           const fw_sweep_spec_t *spec, const size_t *pick, char *err, size_t len)
{
    static const char *sections[] = {"run", "market", "deal_overrides"};
    FILE *f = fopen(file, "w");
    if (!f) {
        snprintf(err, len, "cannot write %s: %s", file, strerror(errno));
        return -1;
    }
    fprintf(f, "# flywheel sweep: %s with", base);
    for (size_t i = 0; i < spec->n_params; i++)
        if (pick[i] != SIZE_MAX)
            fprintf(f, " %s=%s", spec->params[i].path, spec->params[i].values[pick[i]].text);
    fprintf(f, "\nextends: '");
    for (const char *c = base; *c; c++) /* a single-quoted YAML scalar: ' is '' */
        fputs(*c == '\'' ? "''" : (char[2]){*c, 0}, f);
    fputs("'\n", f);
    for (int s = 0; s < 3; s++) {
        int opened = 0;
        for (size_t i = 0; i < spec->n_params; i++) {
            const char *path = spec->params[i].path;
            if (pick[i] == SIZE_MAX || strncmp(path, sections[s], strlen(sections[s])) != 0 ||
                path[strlen(sections[s])] != '.')
                continue;
            if (!opened++)
                fprintf(f, "%s:\n", sections[s]);
            fprintf(f, "  %s: %s\n", path + strlen(sections[s]) + 1,
                    spec->params[i].values[pick[i]].text);
        }
    }
    /* Strategy params: per seat, every key set for it (a role's go to each seat). */
    int opened = 0;
    for (size_t seat = 0; seat < sc->n_seats; seat++) {
        int first = 1;
        for (size_t i = 0; i < spec->n_params; i++) {
            s_where_t w;
            char id[FW_ID_MAX], e[256];
            fw_role_t role = FW_ROLE_NONE;
            const char *key;
            if (pick[i] == SIZE_MAX ||
                s_classify(sc, spec->params[i].path, &w, id, &role, &key, e, sizeof e) != 0)
                continue;
            if (!(w == P_SEAT && !strcmp(id, sc->seats[seat].id)) &&
                !(w == P_ROLE && role == sc->seats[seat].role))
                continue;
            if (!opened++)
                fprintf(f, "strategy_params:\n");
            if (first)
                fprintf(f, "  %s:\n", sc->seats[seat].id);
            first = 0;
            fprintf(f, "    %s: %s\n", key, spec->params[i].values[pick[i]].text);
        }
    }
    if (fclose(f) != 0) {
        snprintf(err, len, "cannot write %s: %s", file, strerror(errno));
        return -1;
    }
    return 0;
}

/* The loader's message without the generated file's name in front. */
static const char *s_strip_file(const char *msg, const char *file)
{
    size_t n = strlen(file);
    if (!strncmp(msg, file, n) && msg[n] == ':') {
        const char *p = msg + n + 1;
        for (int k = 0; k < 2 && strchr(p, ':'); k++)
            p = strchr(p, ':') + 1;
        while (*p == ' ')
            p++;
        return p;
    }
    return msg;
}

/* Checks every parameter path against the base, and every value by loading a variant
 * that sets it alone: a mistake names the spec's line and column. Returns 0 or 2. */
static int s_validate(const fw_sweep_spec_t *spec, const fw_scenario_t *sc, const char *base,
                      const char *tmpdir)
{
    char err[1024], where[300], probe[S_PATH];
    size_t *pick = malloc((spec->n_params + 1) * sizeof *pick);
    int rc = 0;
    if (!pick)
        return 2;
    snprintf(probe, sizeof probe, "%s/probe.yaml", tmpdir);
    for (size_t i = 0; i < spec->n_params && rc == 0; i++) {
        const fw_sweep_param_t *p = &spec->params[i];
        s_where_t w;
        char id[FW_ID_MAX];
        fw_role_t role;
        const char *key;
        fw_sweep_spec_where(spec, p->line, p->col, where, sizeof where);
        if (s_classify(sc, p->path, &w, id, &role, &key, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s\n", where, err);
            rc = 2;
            break;
        }
        for (size_t v = 0; v < p->n_values && rc == 0; v++) {
            for (size_t j = 0; j < spec->n_params; j++)
                pick[j] = j == i ? v : SIZE_MAX;
            if (s_write_variant(probe, sc, base, spec, pick, err, sizeof err) != 0) {
                fprintf(stderr, "flywheel sweep: %s\n", err);
                rc = 2;
                break;
            }
            fw_scenario_t *x = fw_scenario_load(probe, err, sizeof err);
            if (!x) {
                /* A key the scenario does not have is the path's mistake, else the value's. */
                const char *msg = s_strip_file(err, probe);
                int at_key = !strncmp(msg, "unknown key", 11);
                fw_sweep_spec_where(spec, at_key ? p->line : p->values[v].line,
                                    at_key ? p->col : p->values[v].col, where, sizeof where);
                fprintf(stderr, "%s: %s = %s: %s\n", where, p->path, p->values[v].text,
                        msg);
                rc = 2;
            }
            fw_scenario_destroy(&x);
        }
    }
    unlink(probe);
    free(pick);
    return rc;
}

/* ---- the plan ------------------------------------------------------------------------ */

/* A directory-name-safe copy of text. */
static void s_safe(char *out, size_t len, const char *text)
{
    size_t n = 0;
    for (; *text && n + 1 < len; text++)
        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-", *text))
            out[n++] = *text;
    out[n] = '\0';
}

/* A combination's id: label=value joined by '_', the label the path's last part (the
 * whole path when two parameters share it); "base" without parameters. */
static void s_combo_id(const fw_sweep_spec_t *spec, const size_t *pick, size_t index, char *out,
                       size_t len)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < spec->n_params; i++) {
        const char *path = spec->params[i].path, *last = strrchr(path, '.') + 1;
        for (size_t j = 0; j < spec->n_params; j++)
            if (j != i && !strcmp(strrchr(spec->params[j].path, '.') + 1, last))
                last = path;
        char v[64];
        s_safe(v, sizeof v, spec->params[i].values[pick[i]].text);
        n += (size_t)snprintf(out + n, n < len ? len - n : 0, "%s%s=%s", i ? "_" : "", last, v);
    }
    if (!spec->n_params)
        snprintf(out, len, "base");
    else if (n >= 100)
        snprintf(out, len, "combo%zu", index + 1);
}

/* Builds the plan: combinations in odometer order (the first parameter slowest), then
 * seeds. Returns 0 or 2. */
static int s_plan(const fw_sweep_spec_t *spec, const fw_scenario_t *sc, const char *out_dir,
                  s_plan_t *p)
{
    size_t combos = 1;
    for (size_t i = 0; i < spec->n_params; i++)
        combos *= spec->params[i].n_values;
    size_t seeds = spec->n_seeds ? spec->n_seeds : spec->seed_count;
    if (combos * seeds > 100000) {
        fprintf(stderr, "flywheel sweep: %zu runs is too many (at most 100000)\n", combos * seeds);
        return 2;
    }
    p->n_params = spec->n_params;
    p->paths = calloc(spec->n_params + 1, sizeof *p->paths);
    p->combo_ids = calloc(combos, sizeof *p->combo_ids);
    p->values = calloc(combos, sizeof *p->values);
    p->runs = calloc(combos * seeds, sizeof *p->runs);
    size_t *pick = calloc(spec->n_params + 1, sizeof *pick);
    if (!p->paths || !p->combo_ids || !p->values || !p->runs || !pick) {
        free(pick);
        return 2;
    }
    for (size_t i = 0; i < spec->n_params; i++)
        p->paths[i] = strdup(spec->params[i].path);
    for (size_t c = 0; c < combos; c++) {
        char id[128];
        s_combo_id(spec, pick, c, id, sizeof id);
        for (size_t j = 0; j < c; j++)
            if (!strcmp(p->combo_ids[j], id)) {
                fprintf(stderr, "flywheel sweep: two combinations would share the directory "
                                "name '%s': make the values differ in more than $ or spaces\n", id);
                free(pick);
                return 2;
            }
        p->combo_ids[c] = strdup(id);
        p->values[c] = calloc(spec->n_params + 1, sizeof **p->values);
        p->n_combos++;
        for (size_t i = 0; i < spec->n_params; i++)
            p->values[c][i] = strdup(spec->params[i].values[pick[i]].text);
        for (size_t k = 0; k < seeds; k++) {
            s_run_t *r = &p->runs[p->n_runs++];
            r->combo = c;
            r->seed = spec->n_seeds ? spec->seeds[k] : sc->seed + k;
            r->code = -1;
            snprintf(r->seed_text, sizeof r->seed_text, "%llu", r->seed);
            snprintf(r->name, sizeof r->name, "%s-seed%s", id, r->seed_text);
            if (snprintf(r->dir, sizeof r->dir, "%s/runs/%s", out_dir, r->name) >=
                (int)sizeof r->dir) {
                fprintf(stderr, "flywheel sweep: output directory name too long\n");
                free(pick);
                return 2;
            }
        }
        for (size_t i = spec->n_params; i-- > 0;) { /* odometer: last parameter fastest */
            if (++pick[i] < spec->params[i].n_values)
                break;
            pick[i] = 0;
        }
    }
    free(pick);
    return 0;
}

/* The plan as text: what makes two sweeps the same. */
static void s_plan_write(FILE *f, const s_plan_t *p)
{
    fprintf(f, "%s\nscenario\t%s\n", S_PLAN_MAGIC, p->base);
    for (size_t i = 0; i < p->n_params; i++)
        fprintf(f, "param\t%s\n", p->paths[i]);
    for (size_t i = 0; i < p->n_runs; i++) {
        const s_run_t *r = &p->runs[i];
        fprintf(f, "run\t%s\t%s", p->combo_ids[r->combo], r->seed_text);
        for (size_t k = 0; k < p->n_params; k++)
            fprintf(f, "\t%s", p->values[r->combo][k]);
        fputc('\n', f);
    }
}

/* Reads a plan back (for --collect). Returns 0, or 2 after saying why. */
static int s_plan_read(const char *dir, s_plan_t *p)
{
    char path[S_PATH], line[8192];
    s_join(dir, S_PLAN, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "flywheel sweep: %s: %s (not a sweep's directory?)\n", path,
                strerror(errno));
        return 2;
    }
    int rc = 0;
    unsigned lineno = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        char *save = NULL, *tag = strtok_r(line, "\t", &save);
        if (lineno == 1) {
            if (!tag || strcmp(tag, "flywheel-sweep-plan") != 0)
                rc = 2;
            continue;
        }
        if (tag && !strcmp(tag, "scenario")) {
            char *v = strtok_r(NULL, "\t", &save);
            snprintf(p->base, sizeof p->base, "%s", v ? v : "");
        } else if (tag && !strcmp(tag, "param")) {
            char **paths = realloc(p->paths, (p->n_params + 1) * sizeof *paths);
            char *v = strtok_r(NULL, "\t", &save);
            if (!paths || !v || p->n_combos) {
                rc = 2;
                break;
            }
            p->paths = paths;
            paths[p->n_params++] = strdup(v);
        } else if (tag && !strcmp(tag, "run")) {
            char *id = strtok_r(NULL, "\t", &save), *seed = strtok_r(NULL, "\t", &save);
            if (!id || !seed) {
                rc = 2;
                break;
            }
            size_t c = p->n_combos;
            if (c == 0 || strcmp(p->combo_ids[c - 1], id) != 0) {
                p->combo_ids = realloc(p->combo_ids, (c + 1) * sizeof *p->combo_ids);
                p->values = realloc(p->values, (c + 1) * sizeof *p->values);
                p->combo_ids[c] = strdup(id);
                p->values[c] = calloc(p->n_params + 1, sizeof **p->values);
                for (size_t k = 0; k < p->n_params; k++) {
                    char *v = strtok_r(NULL, "\t", &save);
                    p->values[c][k] = strdup(v ? v : "");
                }
                p->n_combos++;
            }
            s_run_t *runs = realloc(p->runs, (p->n_runs + 1) * sizeof *runs);
            if (!runs) {
                rc = 2;
                break;
            }
            p->runs = runs;
            s_run_t *r = &runs[p->n_runs++];
            memset(r, 0, sizeof *r);
            r->combo = p->n_combos - 1;
            r->code = -1;
            r->seed = strtoull(seed, NULL, 10);
            snprintf(r->seed_text, sizeof r->seed_text, "%s", seed);
            snprintf(r->name, sizeof r->name, "%s-seed%s", id, seed);
            if (snprintf(r->dir, sizeof r->dir, "%s/runs/%s", dir, r->name) >= (int)sizeof r->dir)
                rc = 2;
        }
    }
    fclose(f);
    if (rc != 0 || p->n_runs == 0) {
        fprintf(stderr, "flywheel sweep: %s: not a sweep plan this flywheel can read\n", path);
        return 2;
    }
    return 0;
}

/* ---- writing the sweep's files ------------------------------------------------------- */

/* Writes the plan, refusing a directory that holds another sweep. Returns 0, 1 or 2. */
static int s_write_plan(const char *out_dir, const s_plan_t *p)
{
    char path[S_PATH];
    char *mine = NULL, *theirs = NULL;
    size_t n_mine = 0;
    FILE *m = open_memstream(&mine, &n_mine);
    if (!m)
        return 1;
    s_plan_write(m, p);
    fclose(m);
    s_join(out_dir, S_PLAN, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (f) {
        theirs = calloc(1, n_mine + 2);
        size_t got = theirs ? fread(theirs, 1, n_mine + 1, f) : 0;
        fclose(f);
        int same = theirs && got == n_mine && !memcmp(mine, theirs, n_mine);
        free(theirs);
        free(mine);
        if (!same) {
            fprintf(stderr, "flywheel sweep: %s holds another sweep (its %s differs): give "
                            "another --out\n", out_dir, S_PLAN);
            return 2;
        }
        return 0;
    }
    f = fopen(path, "w");
    int rc = f && fwrite(mine, 1, n_mine, f) == n_mine ? 0 : 1;
    if (f && fclose(f) != 0)
        rc = 1;
    free(mine);
    if (rc)
        fprintf(stderr, "flywheel sweep: cannot write %s: %s\n", path, strerror(errno));
    return rc;
}

static void s_run_argv(const fw_sweep_config_t *cfg, const char *ticks, const char *scenario,
                       s_run_t *r)
{
    int n = 0;
    r->argv[n++] = (char *)cfg->self;
    r->argv[n++] = "run";
    r->argv[n++] = (char *)scenario;
    r->argv[n++] = "--quiet";
    r->argv[n++] = "--seed";
    r->argv[n++] = r->seed_text;
    r->argv[n++] = "--out";
    r->argv[n++] = r->dir;
    if (ticks) {
        r->argv[n++] = "--ticks";
        r->argv[n++] = (char *)ticks;
    }
    r->argv[n] = NULL;
}

/* scenarios/<combo>.yaml and jobs.txt. */
static int s_write_jobs(const fw_sweep_config_t *cfg, const fw_sweep_spec_t *spec,
                        const fw_scenario_t *sc, const char *out_dir, s_plan_t *p,
                        char (*scen)[S_PATH])
{
    char path[S_PATH], err[512];
    size_t *pick = calloc(spec->n_params + 1, sizeof *pick);
    if (!pick || !s_join(out_dir, "scenarios", path, sizeof path) || fw_launch_mkdirs(path) != 0) {
        free(pick);
        fprintf(stderr, "flywheel sweep: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    for (size_t c = 0; c < p->n_combos; c++) {
        snprintf(scen[c], S_PATH, "%s/scenarios/%s.yaml", out_dir, p->combo_ids[c]);
        for (size_t i = 0; i < spec->n_params; i++)
            for (pick[i] = 0; strcmp(spec->params[i].values[pick[i]].text, p->values[c][i]);)
                pick[i]++;
        if (s_write_variant(scen[c], sc, p->base, spec, pick, err, sizeof err) != 0) {
            fprintf(stderr, "flywheel sweep: %s\n", err);
            free(pick);
            return 1;
        }
    }
    free(pick);
    s_join(out_dir, "jobs.txt", path, sizeof path);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "flywheel sweep: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    for (size_t i = 0; i < p->n_runs; i++) {
        s_run_t *r = &p->runs[i];
        s_run_argv(cfg, spec->ticks, scen[r->combo], r);
        fputs("test -e ", f);
        s_join(r->dir, S_MARKER, path, sizeof path);
        s_shell_word(f, path);
        fputs(" || { ", f);
        for (int k = 0; r->argv[k]; k++) {
            s_shell_word(f, r->argv[k]);
            fputc(' ', f);
        }
        fputs("&& touch ", f);
        s_shell_word(f, path);
        fputs("; }\n", f);
    }
    return fclose(f) == 0 ? 0 : 1;
}

static int s_emit(const fw_sweep_config_t *cfg, const char *out_dir, const s_plan_t *p)
{
    char path[S_PATH];
    int slurm = !strcmp(cfg->emit, "slurm");
    s_join(out_dir, slurm ? "sweep.sbatch" : "run-parallel.sh", path, sizeof path);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "flywheel sweep: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (slurm) {
        char logs[S_PATH];
        s_join(out_dir, "slurm", logs, sizeof logs);
        fw_launch_mkdirs(logs);
        fprintf(f, "#!/bin/bash\n"
                   "# flywheel sweep: %zu runs as a Slurm array job, task i = line i+1 of jobs.txt\n"
                   "# (one `flywheel run` into its own directory). Submit, then collect:\n"
                   "#   sbatch %s\n#   flywheel sweep --collect %s\n"
                   "#SBATCH --job-name=flywheel-sweep\n#SBATCH --array=0-%zu\n"
                   "#SBATCH --ntasks=1\n#SBATCH --output=%s/%%A_%%a.out\n"
                   "line=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" ",
                p->n_runs, path, out_dir, p->n_runs - 1, logs);
        s_join(out_dir, "jobs.txt", logs, sizeof logs);
        s_shell_word(f, logs);
        fprintf(f, ")\nexec /bin/sh -c \"$line\"\n");
    } else {
        fprintf(f, "#!/bin/sh\n"
                   "# flywheel sweep: %zu runs through GNU parallel, one line of jobs.txt each\n"
                   "# (one `flywheel run` into its own directory). Options go to parallel:\n"
                   "#   %s --jobs 2                       here, 2 at a time\n"
                   "#   %s --sshlogin 8/host1,8/host2     on other hosts (same paths there)\n"
                   "# then: flywheel sweep --collect %s\n"
                   "exec parallel \"$@\" < ",
                p->n_runs, path, path, out_dir);
        s_join(out_dir, "jobs.txt", path, sizeof path);
        s_shell_word(f, path);
        fputc('\n', f);
        s_join(out_dir, "run-parallel.sh", path, sizeof path);
    }
    if (fclose(f) != 0 || chmod(path, 0755) != 0) {
        fprintf(stderr, "flywheel sweep: cannot write %s\n", path);
        return 1;
    }
    if (!cfg->quiet)
        printf("flywheel sweep: %zu runs written for %s: %s\nthen: flywheel sweep --collect %s\n",
               p->n_runs, slurm ? "Slurm" : "GNU parallel", path, out_dir);
    return 0;
}

/* ---- running here -------------------------------------------------------------------- */

typedef struct {
    const fw_sweep_config_t *cfg;
    s_plan_t *plan;
    size_t pending;
    double start;
} s_live_t;

static void s_progress(const s_live_t *l, int last)
{
    if (!l->cfg->progress || l->cfg->quiet)
        return;
    const s_plan_t *p = l->plan;
    double elapsed = (double)fw_clock_ms() / 1000.0 - l->start;
    double rate = elapsed > 0 ? (double)p->done_now / elapsed * 60.0 : 0;
    size_t left = l->pending - p->done_now;
    char eta[48] = "-";
    if (p->done_now > 0 && rate > 0) {
        double s = (double)left / rate * 60.0;
        snprintf(eta, sizeof eta, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    }
    fprintf(stderr, "\r[sweep] %zu/%zu runs  %.1f runs/min  left %s%s\033[K%s",
            p->done_before + p->done_now + p->failed, p->n_runs, rate, eta,
            p->failed ? "  (some failed)" : "", last ? "\n" : "");
}

static void s_on_done(void *ctx, size_t id, int code)
{
    s_live_t *l = ctx;
    s_run_t *r = &l->plan->runs[id];
    char path[S_PATH];
    r->code = code;
    if (code == 0 && s_join(r->dir, S_MARKER, path, sizeof path)) {
        FILE *f = fopen(path, "w"); /* last: the run is complete */
        if (f)
            fclose(f);
        l->plan->done_now++;
    } else if (!*l->cfg->stop && code != 130) {
        l->plan->failed++;
        fprintf(stderr, "%sflywheel sweep: run %s failed (exit %d; see %s)\n",
                l->cfg->progress ? "\r\033[K" : "", r->name, code, r->dir);
    }
    s_progress(l, 0);
}

static int s_run_here(const fw_sweep_config_t *cfg, s_plan_t *p)
{
    fw_pool_job_t *jobs = calloc(p->n_runs, sizeof *jobs);
    size_t n = 0;
    if (!jobs)
        return 1;
    for (size_t i = 0; i < p->n_runs; i++) {
        if (s_exists(p->runs[i].dir, S_MARKER))
            p->done_before++;
        else
            jobs[n++] = (fw_pool_job_t){p->runs[i].argv, i};
    }
    if (p->done_before && !cfg->quiet)
        fprintf(stderr, "flywheel sweep: resuming: %zu of %zu runs already done\n",
                p->done_before, p->n_runs);
    s_live_t live = {cfg, p, n, (double)fw_clock_ms() / 1000.0};
    s_progress(&live, 0);
    int rc = fw_pool_run(jobs, n, cfg->jobs, cfg->stop, s_on_done, &live);
    s_progress(&live, 1);
    free(jobs);
    if (rc == 130 || *cfg->stop) {
        fprintf(stderr, "flywheel sweep: stopped: %zu of %zu runs done; the same command "
                        "resumes\n", p->done_before + p->done_now, p->n_runs);
        return 130;
    }
    return rc < 0 ? 1 : 0;
}

/* ---- collecting ---------------------------------------------------------------------- */

static const char *s_status(const s_run_t *r)
{
    struct stat st;
    if (s_exists(r->dir, S_MARKER))
        return "ok";
    return stat(r->dir, &st) == 0 ? "failed" : "missing";
}

/* sweep.csv, sweep-summary.csv and the table. Returns 0, or 1 if a run is not done. */
static int s_collect(const fw_sweep_config_t *cfg, const char *out_dir, const s_plan_t *p,
                     FILE *out)
{
    fw_results_t *res = fw_results_new();
    char err[512], path[S_PATH];
    int rc = 0;
    const char **status = calloc(p->n_runs, sizeof *status);
    char **cells = calloc(p->n_combos, sizeof *cells);
    if (!res || !status || !cells)
        return 1;
    for (size_t i = 0; i < p->n_runs; i++) {
        fw_figures_t figs = {0};
        status[i] = s_status(&p->runs[i]);
        if (!strcmp(status[i], "ok") && fw_figures_read(p->runs[i].dir, &figs, err, sizeof err)) {
            fprintf(stderr, "flywheel sweep: %s\n", err);
            status[i] = "failed";
        }
        if (strcmp(status[i], "ok") != 0) {
            if (!cfg->quiet)
                fprintf(stderr, "flywheel sweep: run %s: %s\n", p->runs[i].name, status[i]);
            rc = 1;
        }
        fw_results_add(res, p->runs[i].combo, !strcmp(status[i], "ok") ? &figs : NULL);
        fw_figures_free(&figs);
    }
    s_join(out_dir, "sweep.csv", path, sizeof path);
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "run");
        for (size_t k = 0; k < p->n_params; k++)
            fprintf(f, ",%s", p->paths[k]);
        fprintf(f, ",seed,status");
        fw_results_csv_header(f, res);
        fputc('\n', f);
        for (size_t i = 0; i < p->n_runs; i++) {
            fprintf(f, "%s", p->runs[i].name);
            for (size_t k = 0; k < p->n_params; k++)
                fprintf(f, ",%s", p->values[p->runs[i].combo][k]);
            fprintf(f, ",%s,%s", p->runs[i].seed_text, status[i]);
            fw_results_csv_run(f, res, i);
            fputc('\n', f);
        }
        if (fclose(f) != 0)
            f = NULL;
    }
    s_join(out_dir, "sweep-summary.csv", path, sizeof path);
    FILE *g = f ? fopen(path, "w") : NULL;
    if (g) {
        for (size_t c = 0; c < p->n_combos; c++) {
            size_t len = strlen(p->combo_ids[c]) + 2;
            for (size_t k = 0; k < p->n_params; k++)
                len += strlen(p->values[c][k]) + 1;
            cells[c] = calloc(1, len);
            if (!cells[c])
                continue;
            strcpy(cells[c], p->combo_ids[c]);
            for (size_t k = 0; k < p->n_params; k++)
                sprintf(cells[c] + strlen(cells[c]), ",%s", p->values[c][k]);
        }
        fprintf(g, "combination");
        for (size_t k = 0; k < p->n_params; k++)
            fprintf(g, ",%s", p->paths[k]);
        fprintf(g, ",figure,entity,n,mean,sd,ci95_low,ci95_high\n");
        fw_results_csv_stats(g, res, (const char *const *)cells);
        if (fclose(g) != 0)
            g = NULL;
    }
    if (!f || !g) {
        fprintf(stderr, "flywheel sweep: cannot write the tables in %s\n", out_dir);
        rc = 1;
    }
    if (!cfg->quiet) {
        fprintf(out, "Flywheel sweep: %zu runs (%zu combinations) -> %s\n"
                     "(mean ±95%% interval across seeds)\n", p->n_runs, p->n_combos, out_dir);
        fw_results_print(out, res, (const char *const *)p->combo_ids, 0, 0);
    }
    for (size_t c = 0; c < p->n_combos; c++)
        free(cells[c]);
    free(cells);
    free(status);
    fw_results_destroy(&res);
    return rc;
}

/* ---- the command --------------------------------------------------------------------- */

/* The spec from the file and the command line (which adds parameters and replaces
 * the seeds, the ticks and the scenario). Returns 0 or 2. */
static int s_spec(const fw_sweep_config_t *cfg, fw_sweep_spec_t *spec)
{
    char err[1024];
    memset(spec, 0, sizeof *spec);
    if (cfg->spec && fw_sweep_spec_load(cfg->spec, spec, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    if (cfg->scenario) {
        free(spec->scenario);
        spec->scenario = strdup(cfg->scenario);
        spec->sc_line = 0;
    }
    for (size_t i = 0; i < cfg->n_params; i++)
        if (fw_sweep_spec_add_param(spec, cfg->params[i], err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
    if (cfg->seeds && fw_sweep_spec_set_seeds(spec, cfg->seeds, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    if (cfg->ticks) {
        free(spec->ticks);
        spec->ticks = strdup(cfg->ticks);
    }
    if (!spec->scenario) {
        fprintf(stderr, "flywheel sweep: which scenario? (scenario: in the spec, or "
                        "--scenario)\n");
        return 2;
    }
    if (!spec->n_seeds && !spec->seed_count)
        spec->seed_count = 3;
    return 0;
}

/* runs/sweep-<stem of the spec, or the scenario's name>: the same command finds the
 * same directory, so running it again resumes. */
static void s_default_out(const fw_sweep_config_t *cfg, const fw_scenario_t *sc, char *buf,
                          size_t len)
{
    char stem[128];
    const char *from = cfg->spec ? cfg->spec : sc->name;
    const char *slash = strrchr(from, '/');
    s_safe(stem, sizeof stem, slash ? slash + 1 : from);
    char *dot = strrchr(stem, '.');
    if (cfg->spec && dot && dot != stem)
        *dot = '\0';
    snprintf(buf, len, "runs/sweep-%s", stem);
}

/* Every combination's scenario loads (a mistake of a combination names its file). */
static int s_check_variants(const s_plan_t *p, char (*scen)[S_PATH])
{
    char err[1024];
    for (size_t c = 0; c < p->n_combos; c++) {
        fw_scenario_t *x = fw_scenario_load(scen[c], err, sizeof err);
        if (!x) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
        fw_scenario_destroy(&x);
    }
    return 0;
}

static int s_sweep(const fw_sweep_config_t *cfg, const fw_sweep_spec_t *spec, FILE *out)
{
    char err[1024], out_dir[PATH_MAX], given[S_PATH], tmp[] = "/tmp/flywheel-sweep-XXXXXX";
    s_plan_t plan = {0};
    char (*scen)[S_PATH] = NULL;
    fw_scenario_t *sc = NULL;
    int rc = 2;
    if (!realpath(spec->scenario, plan.base)) {
        char where[300];
        fprintf(stderr, "%s: %s: %s\n",
                fw_sweep_spec_where(spec, spec->sc_line, spec->sc_col, where, sizeof where),
                spec->scenario, strerror(errno));
        return 2;
    }
    sc = fw_scenario_load(plan.base, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    if (!mkdtemp(tmp)) {
        fprintf(stderr, "flywheel sweep: cannot make a temporary directory: %s\n",
                strerror(errno));
        goto done;
    }
    rc = s_validate(spec, sc, plan.base, tmp);
    rmdir(tmp);
    if (rc != 0)
        goto done;
    if (cfg->out_dir)
        snprintf(given, sizeof given, "%s", cfg->out_dir);
    else
        s_default_out(cfg, sc, given, sizeof given);
    if (fw_launch_mkdirs(given) != 0 || !realpath(given, out_dir)) {
        fprintf(stderr, "flywheel sweep: cannot create %s: %s\n", given, strerror(errno));
        rc = 1;
        goto done;
    }
    rc = s_plan(spec, sc, out_dir, &plan);
    if (rc == 0)
        rc = s_write_plan(out_dir, &plan);
    scen = rc == 0 ? calloc(plan.n_combos, sizeof *scen) : NULL;
    if (rc == 0 && !scen)
        rc = 1;
    if (rc == 0)
        rc = s_write_jobs(cfg, spec, sc, out_dir, &plan, scen);
    if (rc == 0)
        rc = s_check_variants(&plan, scen);
    if (rc == 0 && cfg->emit)
        rc = s_emit(cfg, out_dir, &plan);
    else if (rc == 0) {
        if (!cfg->quiet)
            fprintf(stderr, "flywheel sweep: %zu runs (%zu combinations x %zu seeds), %u at a "
                            "time -> %s\n", plan.n_runs, plan.n_combos,
                    plan.n_runs / plan.n_combos, cfg->jobs, out_dir);
        rc = s_run_here(cfg, &plan);
        if (rc == 0)
            rc = s_collect(cfg, out_dir, &plan, out);
    }
done:
    free(scen);
    s_plan_free(&plan);
    fw_scenario_destroy(&sc);
    return rc;
}

int fw_sweep_run(const fw_sweep_config_t *cfg, FILE *out)
{
    if (cfg->collect) {
        s_plan_t plan = {0};
        char dir[PATH_MAX];
        if (!realpath(cfg->collect, dir)) {
            fprintf(stderr, "flywheel sweep: --collect %s: %s\n", cfg->collect, strerror(errno));
            return 2;
        }
        int rc = s_plan_read(dir, &plan);
        if (rc == 0)
            rc = s_collect(cfg, dir, &plan, out);
        s_plan_free(&plan);
        return rc;
    }
    fw_sweep_spec_t spec;
    int rc = s_spec(cfg, &spec);
    if (rc == 0)
        rc = s_sweep(cfg, &spec, out);
    fw_sweep_spec_free(&spec);
    return rc;
}
