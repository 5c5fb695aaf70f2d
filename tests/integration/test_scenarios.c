/* Every shipped scenario runs to the end with a process per company and passes its
 * own checks (`flywheel run SCENARIO --check` exits 0). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_testproc.h"

static fw_procs_t s_procs;
static char s_dir[64];

static void s_setup(void)
{
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
}

static void s_teardown(void)
{
    fw_procs_cleanup(&s_procs);
    fw_test_rmtree(s_dir);
}

TestSuite(scenarios, .init = s_setup, .fini = s_teardown, .timeout = 300);

Test(scenarios, every_shipped_scenario_passes_its_checks)
{
    char dir[1024], bin[1024];
    fw_test_source_path(dir, sizeof dir, "scenarios");
    fw_test_build_path(bin, sizeof bin, "flywheel");
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "no scenarios directory at %s", dir);
    struct dirent *e;
    int ran = 0;
    char failures[4096] = "";
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
        }
    }
    closedir(d);
    cr_assert_geq(ran, 2, "found only %d scenarios", ran);
    cr_assert_str_empty(failures, "scenarios that failed their checks:%s", failures);
}
