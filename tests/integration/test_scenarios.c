/* Every shipped scenario runs to the end with a process per company and passes its
 * own checks (`flywheel run SCENARIO --check` exits 0), and its metrics.csv is the
 * one recorded in tests/fixtures/metrics-digests.txt, byte for byte: a refactor
 * must not move a figure. A change to the model that moves figures on purpose
 * updates the digests in the same commit (FW_UPDATE_DIGESTS=1 ctest -R
 * test_scenarios rewrites the file) and says which figures moved and why. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_testproc.h"

FW_TEST_PROCS_SUITE(scenarios, 300);

/* FNV-1a, 64 bits, of a file's bytes, as 16 hex digits; "" if unreadable. */
static void s_digest(const char *path, char out[17])
{
    size_t len = 0;
    char *text = fw_test_read_file(path, &len);
    uint64_t h = 0xcbf29ce484222325ULL;
    out[0] = '\0';
    if (!text)
        return;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)text[i];
        h *= 0x100000001b3ULL;
    }
    free(text);
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static int s_by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The recorded digest of a scenario's metrics.csv ("name digest" lines), or NULL. */
static const char *s_recorded(const char *table, const char *name, char out[17])
{
    size_t n = strlen(name);
    for (const char *line = table; line && *line; line = strchr(line, '\n'), line += !!line)
        if (strncmp(line, name, n) == 0 && line[n] == ' ' && sscanf(line + n + 1, "%16s", out) == 1)
            return out;
    return NULL;
}

Test(scenarios, every_shipped_scenario_passes_its_checks)
{
    char dir[1024], bin[1024];
    fw_test_source_path(dir, sizeof dir, "scenarios");
    fw_test_build_path(bin, sizeof bin, "flywheel");
    char digests_path[1024];
    fw_test_source_path(digests_path, sizeof digests_path, "tests/fixtures/metrics-digests.txt");
    char *digests = fw_test_read_file(digests_path, NULL);
    const int update = getenv("FW_UPDATE_DIGESTS") != NULL;
    cr_assert(digests || update, "no %s (FW_UPDATE_DIGESTS=1 writes it)", digests_path);
    char names[64][64 + 17], found[64][17];
    int n_found = 0;
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "no scenarios directory at %s", dir);
    struct dirent *e;
    int ran = 0;
    char failures[8192] = "";
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        char path[2048], out[1024], log[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(out, sizeof out, "%s/%s", s_dir, e->d_name);
        snprintf(log, sizeof log, "%s/%s.log", s_dir, e->d_name);
        char *argv[] = {bin, "run", path, "--check", "--quiet", "--out", out, NULL};
        int p = fw_procs_start(&s_procs, argv, log);
        int code = fw_procs_wait(&s_procs, p, 120000);
        ran++;
        if (code != 0) {
            char *text = fw_test_read_file(log, NULL);
            size_t used = strlen(failures);
            snprintf(failures + used, sizeof failures - used, "\n%s exited %d:\n%s", e->d_name,
                     code, text ? text : "(no output)");
            free(text);
            continue;
        }
        char metrics[1100], got[17], want[17];
        snprintf(metrics, sizeof metrics, "%s/metrics.csv", out);
        s_digest(metrics, got);
        if (n_found < 64) {
            snprintf(names[n_found], sizeof names[n_found], "%.*s", (int)(len - 5), e->d_name);
            memcpy(found[n_found++], got, sizeof got);
        }
        if (!update && (!s_recorded(digests, names[n_found - 1], want) || strcmp(got, want))) {
            size_t used = strlen(failures);
            snprintf(failures + used, sizeof failures - used,
                     "\n%s: metrics.csv digest %s, recorded %s: a figure moved", e->d_name, got,
                     s_recorded(digests, names[n_found - 1], want) ? want : "(none)");
        }
    }
    closedir(d);
    free(digests);
    if (update) {
        FILE *f = fopen(digests_path, "w");
        cr_assert_not_null(f, "cannot write %s", digests_path);
        fprintf(f, "# FNV-1a 64 of each shipped scenario's metrics.csv at its default length\n"
                   "# and seed (tests/integration/test_scenarios.c); rewrite with\n"
                   "# FW_UPDATE_DIGESTS=1 ctest -R test_scenarios, only with a model change.\n");
        for (int i = 0; i < n_found; i++) /* "name\0digest", sorted by name */
            memcpy(names[i] + 64, found[i], 17);
        qsort(names, (size_t)n_found, sizeof names[0], s_by_name);
        for (int i = 0; i < n_found; i++)
            fprintf(f, "%s %s\n", names[i], names[i] + 64);
        fclose(f);
    }
    cr_assert_geq(ran, 2, "found only %d scenarios", ran);
    cr_assert_str_empty(failures, "scenarios that failed:%s", failures);
}
