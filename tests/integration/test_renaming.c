/* No result depends on a company's name: a scenario whose every seat id is renamed,
 * with a mapping that reverses their alphabetical order, gives the same metrics.csv
 * up to the renaming (column names mapped back, every value byte for byte).
 *
 * The rename is made on the scenario's text, so every reference to an id follows it:
 * seats, families' vendor and captive_of, deals, events, stipulations, checks. A
 * token is a maximal run of [A-Za-z0-9_-]; every token equal to a seat id is
 * replaced (in comments too, which is harmless). A scenario that extends another is
 * renamed together with its base, written beside it in a private directory. The
 * renamed ids are "z0000", "z0001", ...: the last id in strcmp order becomes z0000,
 * so every tie that names once broke goes the other way. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_scenario.h"
#include "fw_testproc.h"

FW_TEST_PROCS_SUITE(renaming, 120);

/* old id -> new id, and back */
typedef struct {
    char **from, **to;
    size_t n;
} s_map_t;

static int s_by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void s_map_free(s_map_t *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->from[i]);
        free(m->to[i]);
    }
    free(m->from);
    free(m->to);
}

/* The mapping for the scenario at `path`: its seat ids in strcmp order, the k-th of n
 * renamed z<n-1-k>. No family id may be a seat id (the rename would move it too). */
static s_map_t s_mapping(const char *path)
{
    char err[512];
    fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    s_map_t m = {calloc(sc->n_seats, sizeof(char *)), calloc(sc->n_seats, sizeof(char *)),
                 sc->n_seats};
    cr_assert(m.from && m.to && m.n > 1);
    for (size_t i = 0; i < m.n; i++)
        m.from[i] = strdup(sc->seats[i].id);
    for (size_t f = 0; f < sc->n_families; f++)
        cr_assert_lt(fw_scenario_seat(sc, sc->families[f].id), 0,
                     "family '%s' is also a seat's id", sc->families[f].id);
    fw_scenario_destroy(&sc);
    qsort(m.from, m.n, sizeof *m.from, s_by_text);
    for (size_t k = 0; k < m.n; k++) {
        char id[16];
        snprintf(id, sizeof id, "z%04zu", m.n - 1 - k);
        m.to[k] = strdup(id);
    }
    return m;
}

static int s_token_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* `text` with every token found in `from` replaced by its partner in `to` (malloc'd). */
static char *s_rename(const char *text, char *const *from, char *const *to, size_t n)
{
    size_t len = strlen(text), cap = 2 * len + 64, used = 0;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && s_token_char(text[j]))
            j++;
        if (j == i)
            j = i + 1; /* one character that is not part of a token */
        const char *put = text + i;
        size_t put_len = j - i;
        for (size_t k = 0; k < n && s_token_char(text[i]); k++)
            if (strlen(from[k]) == j - i && strncmp(from[k], text + i, j - i) == 0) {
                put = to[k];
                put_len = strlen(to[k]);
                break;
            }
        if (used + put_len + 1 > cap) {
            cap = 2 * (used + put_len + 1);
            out = realloc(out, cap);
            cr_assert_not_null(out);
        }
        memcpy(out + used, put, put_len);
        used += put_len;
        i = j;
    }
    out[used] = '\0';
    return out;
}

static void s_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    cr_assert_eq(fputs(text, f) >= 0, 1);
    fclose(f);
}

/* Writes the renamed copy of `path` into the private directory under its own file
 * name (and, if it extends a base, the base's beside it); returns the copy's path. */
static void s_renamed_copy(const char *path, const s_map_t *m, char *out, size_t out_len)
{
    char err[512];
    fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    if (sc->base_path) {
        const char *base = strrchr(sc->base_path, '/');
        char *text = fw_test_read_file(sc->base_path, NULL), where[1024];
        cr_assert_not_null(text);
        char *renamed = s_rename(text, m->from, m->to, m->n);
        snprintf(where, sizeof where, "%s/%s", s_dir, base ? base + 1 : sc->base_path);
        s_write(where, renamed);
        free(renamed);
        free(text);
    }
    fw_scenario_destroy(&sc);
    const char *name = strrchr(path, '/');
    char *text = fw_test_read_file(path, NULL);
    cr_assert_not_null(text);
    char *renamed = s_rename(text, m->from, m->to, m->n);
    snprintf(out, out_len, "%s/renamed-%s", s_dir, name ? name + 1 : path);
    s_write(out, renamed);
    free(renamed);
    free(text);
}

/* Runs `flywheel ARGS...` with its output to a log in the private directory, failing
 * the test with the log if it does not exit 0. */
static void s_flywheel(char *const args[])
{
    char bin[1024], log[1024];
    char *argv[24];
    int n = 0;
    fw_test_build_path(bin, sizeof bin, "flywheel");
    snprintf(log, sizeof log, "%s/log", s_dir);
    argv[n++] = bin;
    for (int i = 0; args[i] && n < 23; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int p = fw_procs_start(&s_procs, argv, log);
    cr_assert_geq(p, 0);
    int rc = fw_procs_wait(&s_procs, p, 60000);
    char *text = rc == 0 ? NULL : fw_test_read_file(log, NULL);
    cr_assert_eq(rc, 0, "flywheel %s %s: exit code %d\n%s", args[0], args[1], rc,
                 text ? text : "");
    free(text);
}

/* metrics.csv of a run of `scenario` into the private directory's `out` (malloc'd). */
static char *s_metrics(const char *scenario, const char *out)
{
    char dir[1024], path[1100];
    snprintf(dir, sizeof dir, "%s/%s", s_dir, out);
    s_flywheel((char *[]){"run", (char *)scenario, "--quiet", "--out", dir, NULL});
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    char *text = fw_test_read_file(path, NULL);
    cr_assert_not_null(text, "no %s", path);
    return text;
}

/* The cell `col` (0-based) of the line at `line`, into buf. */
static void s_cell(const char *line, size_t col, char *buf, size_t len)
{
    for (size_t c = 0; c < col && line; c++) {
        line = strpbrk(line, ",\n");
        line = line && *line == ',' ? line + 1 : NULL;
    }
    size_t n = line ? strcspn(line, ",\n") : 0;
    snprintf(buf, len, "%.*s", (int)n, line ? line : "");
}

/* Asserts that `renamed` (metrics.csv of the renamed run) is `original` once its
 * header is mapped back; names the first cell that differs. */
static void s_assert_same(const char *scenario, const char *original, const char *renamed,
                          const s_map_t *m)
{
    const char *body_o = strchr(original, '\n'), *body_r = strchr(renamed, '\n');
    cr_assert(body_o && body_r, "%s: metrics.csv has no header line", scenario);
    char *header_r = strndup(renamed, (size_t)(body_r - renamed));
    char *back = s_rename(header_r, m->to, m->from, m->n);
    cr_assert_eq(strlen(back), (size_t)(body_o - original), "%s: the headers differ", scenario);
    cr_assert_eq(strncmp(back, original, strlen(back)), 0, "%s: the headers differ", scenario);
    free(header_r);
    if (strcmp(body_o, body_r) == 0) {
        free(back);
        return;
    }
    /* The first line and cell that differ, for the message. */
    const char *lo = body_o + 1, *lr = body_r + 1;
    while (*lo && *lr) {
        size_t no = strcspn(lo, "\n"), nr = strcspn(lr, "\n");
        if (no != nr || strncmp(lo, lr, no) != 0)
            break;
        lo += no + (lo[no] != '\0');
        lr += nr + (lr[nr] != '\0');
    }
    char tick[32], name[256], vo[64], vr[64];
    s_cell(lo, 0, tick, sizeof tick);
    size_t col = 0;
    for (;; col++) {
        s_cell(lo, col, vo, sizeof vo);
        s_cell(lr, col, vr, sizeof vr);
        if (strcmp(vo, vr) != 0 || (!vo[0] && !vr[0]))
            break;
    }
    s_cell(back, col, name, sizeof name);
    free(back);
    cr_assert_fail("%s: metrics.csv differs once the seats are renamed: tick %s, %s is %s, "
                   "renamed %s",
                   scenario, tick, name, vo, vr);
}

/* Runs `path` and its renamed copy and compares their metrics. */
static void s_check(const char *path)
{
    s_map_t m = s_mapping(path);
    char copy[1024];
    s_renamed_copy(path, &m, copy, sizeof copy);
    char *original = s_metrics(path, "original");
    char *renamed = s_metrics(copy, "renamed");
    s_assert_same(path, original, renamed, &m);
    free(original);
    free(renamed);
    s_map_free(&m);
}

static void s_check_shipped(const char *name)
{
    char path[1024], rel[256];
    snprintf(rel, sizeof rel, "scenarios/%s.yaml", name);
    fw_test_source_path(path, sizeof path, rel);
    s_check(path);
}

/* The rename itself: whole tokens only, references included, and the order reversed. */
Test(renaming, the_mapping_reverses_the_order_and_renames_whole_tokens)
{
    char *from[] = {"aws", "google"}, *to[] = {"z0001", "z0000"};
    char *out = s_rename("captive_of: aws # awsome google-ish, compute_share.google", from, to, 2);
    cr_assert_str_eq(out, "captive_of: z0001 # awsome google-ish, compute_share.z0000");
    free(out);
    char path[1024];
    fw_test_source_path(path, sizeof path, "scenarios/baseline.yaml");
    s_map_t m = s_mapping(path);
    for (size_t k = 1; k < m.n; k++)
        cr_assert_gt(strcmp(m.to[k - 1], m.to[k]), 0);
    s_map_free(&m);
}

Test(renaming, baseline) { s_check_shipped("baseline"); }
Test(renaming, exclusive_alliances) { s_check_shipped("exclusive-alliances"); }
Test(renaming, no_chip_mandates) { s_check_shipped("no-chip-mandates"); }
Test(renaming, cash_not_credits) { s_check_shipped("cash-not-credits"); }
Test(renaming, both_labs_falter) { s_check_shipped("both-labs-falter"); }
Test(renaming, openai_dominates) { s_check_shipped("openai-dominates"); }
Test(renaming, anthropic_dominates) { s_check_shipped("anthropic-dominates"); }
Test(renaming, classroom) { s_check_shipped("classroom"); }
Test(renaming, large_60) { s_check_shipped("large-60"); }

/* The synthetic generator's market of 64 companies (seed 1). */
Test(renaming, synthetic_market_of_64)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/synth.yaml", s_dir);
    s_flywheel((char *[]){"scenario", "synth", "--companies", "64", "--seed", "1", "--out",
                          path, NULL});
    s_check(path);
}
